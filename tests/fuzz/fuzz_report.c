/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_parse against jansson on any byte string: it must accept exactly
 * what jansson loads as a well-formed report (report_oracle.h), with the
 * same addresses, ports and bit-identical numbers.  Aborts on the first
 * disagreement, printing the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/report_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool accepted;
	const char *difference = oracle_check((const char *)data, size, &accepted);

	if (difference != NULL) {
		fprintf(stderr, "report_parse and jansson disagree (%s) on %zu bytes: '%.*s'\n",
			difference, size, (int)size, (const char *)data);
		abort();
	}
	return 0;
}
