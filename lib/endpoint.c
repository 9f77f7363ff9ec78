/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"

#define UNIX_PREFIX "unix:"

static int parse_port(const char *text, uint16_t *port)
{
	unsigned long value;
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || value == 0 || value > 65535)
		return -EINVAL;
	*port = (uint16_t)value;
	return 0;
}

static int fail(char *err, size_t err_size, const char *text, const char *why)
{
	snprintf(err, err_size, "'%s': %s", text, why);
	return -EINVAL;
}

int endpoint_parse(const char *text, const char *default_host, bool allow_unix,
		   struct endpoint *out, char *err, size_t err_size)
{
	const char *colon, *host = text;
	size_t host_length;

	memset(out, 0, sizeof(*out));
	if (strncmp(text, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
		const char *path = text + strlen(UNIX_PREFIX);

		if (!allow_unix)
			return fail(err, err_size, text, "a unix socket is not accepted here");
		if (path[0] == '\0' || strlen(path) >= sizeof(out->host))
			return fail(err, err_size, text, "expected unix:PATH");
		out->is_unix = true;
		strcpy(out->host, path);
		return 0;
	}
	colon = strrchr(text, ':');
	if (colon == NULL) {
		if (default_host == NULL)
			return fail(err, err_size, text, "expected HOST:PORT");
		if (parse_port(text, &out->port) != 0)
			return fail(err, err_size, text, "expected [ADDR:]PORT, PORT in 1..65535");
		snprintf(out->host, sizeof(out->host), "%s", default_host);
		return 0;
	}
	if (parse_port(colon + 1, &out->port) != 0)
		return fail(err, err_size, text, "expected HOST:PORT, PORT in 1..65535");
	host_length = (size_t)(colon - text);
	if (host[0] == '[') {
		if (host_length < 3 || host[host_length - 1] != ']')
			return fail(err, err_size, text, "expected [IPV6]:PORT");
		host++;
		host_length -= 2;
	} else if (memchr(host, ':', host_length) != NULL) {
		return fail(err, err_size, text, "an IPv6 address goes in brackets: [ADDR]:PORT");
	}
	if (host_length == 0 || host_length >= sizeof(out->host))
		return fail(err, err_size, text, "expected HOST:PORT");
	memcpy(out->host, host, host_length);
	out->host[host_length] = '\0';
	return 0;
}
