/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dscp.h"

static const struct {
	const char *name;
	uint8_t value;
} dscp_names[] = {
	{"EF", 46}, {"VA", 44}, {"LE", 1}, {"BE", 0}, {"DF", 0},
};

int dscp_parse(const char *text, uint8_t *out)
{
	unsigned long value;
	char *end;

	if (isdigit((unsigned char)text[0])) {
		errno = 0;
		value = strtoul(text, &end, 10);
		if (errno != 0 || *end != '\0' || value > DSCP_MAX)
			return -EINVAL;
		*out = (uint8_t)value;
		return 0;
	}
	for (size_t i = 0; i < sizeof(dscp_names) / sizeof(dscp_names[0]); i++)
		if (strcasecmp(text, dscp_names[i].name) == 0) {
			*out = dscp_names[i].value;
			return 0;
		}
	/* CSn: class selector n (0..7); AFxy: class x (1..4), drop precedence y (1..3). */
	if (strncasecmp(text, "CS", 2) == 0 && text[2] >= '0' && text[2] <= '7' &&
	    text[3] == '\0') {
		*out = (uint8_t)((text[2] - '0') * 8);
		return 0;
	}
	if (strncasecmp(text, "AF", 2) == 0 && text[2] >= '1' && text[2] <= '4' && text[3] >= '1' &&
	    text[3] <= '3' && text[4] == '\0') {
		*out = (uint8_t)((text[2] - '0') * 8 + (text[3] - '0') * 2);
		return 0;
	}
	return -EINVAL;
}
