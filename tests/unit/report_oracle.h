/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What report_parse must make of a text, decided independently of it: jansson
 * loads the text (json_loadb, flags 0), inet_pton reads the addresses, and
 * the report's rules are checked on jansson's values.  Shared by test_report
 * and the fuzz target, which include this file.
 */
#ifndef CGNF_REPORT_ORACLE_H
#define CGNF_REPORT_ORACLE_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "report.h"

static bool oracle_address(const json_t *value, struct ip_addr *addr)
{
	char text[IP_TEXT_MAX];
	size_t length;

	if (!json_is_string(value))
		return false;
	length = json_string_length(value);
	if (length >= sizeof(text))
		return false;
	memcpy(text, json_string_value(value), length);
	text[length] = '\0';
	memset(addr->bytes, 0, sizeof(addr->bytes));
	if (inet_pton(AF_INET, text, addr->bytes + 12) == 1) {
		addr->bytes[10] = 0xff;
		addr->bytes[11] = 0xff;
		return true;
	}
	return inet_pton(AF_INET6, text, addr->bytes) == 1;
}

static bool oracle_port(const json_t *value, uint16_t *port)
{
	if (!json_is_integer(value) || json_integer_value(value) < 0 ||
	    json_integer_value(value) > 65535)
		return false;
	*port = (uint16_t)json_integer_value(value);
	return true;
}

static bool oracle_stats(const json_t *value, double stats[STAT_COUNT_OF_STATS])
{
	if (!json_is_array(value) || json_array_size(value) != STAT_COUNT_OF_STATS)
		return false;
	for (size_t i = 0; i < STAT_COUNT_OF_STATS; i++) {
		const json_t *item = json_array_get(value, i);

		if (json_is_integer(item))
			stats[i] = (double)json_integer_value(item);
		else if (json_is_real(item))
			stats[i] = json_real_value(item);
		else
			return false;
		if (stats[i] < 0 && i != STAT_SIZE_VAR && i != STAT_IAT_VAR)
			return false;
	}
	return true;
}

/*
 * True when the text must be accepted, with the report it holds.  A raw NUL
 * byte is never valid JSON, although jansson lets one through right after a
 * number or literal ("[1\0]"): such texts must be refused.
 */
static bool oracle_report(const char *text, size_t len, struct report *expected)
{
	json_error_t error;
	json_t *root;
	bool valid;

	if (memchr(text, '\0', len) != NULL)
		return false;
	root = json_loadb(text, len, 0, &error);
	if (root == NULL)
		return false;
	memset(expected, 0, sizeof(*expected));
	valid = json_is_array(root) && json_array_size(root) == 6 &&
		oracle_address(json_array_get(root, 0), &expected->src) &&
		oracle_port(json_array_get(root, 1), &expected->src_port) &&
		oracle_address(json_array_get(root, 2), &expected->dst) &&
		oracle_port(json_array_get(root, 3), &expected->dst_port) &&
		oracle_stats(json_array_get(root, 4), expected->up) &&
		oracle_stats(json_array_get(root, 5), expected->down);
	json_decref(root);
	return valid;
}

/*
 * Runs report_parse on the text and compares with the oracle.  Returns NULL
 * when they agree, else what differs; *accepted tells which way it went.
 */
static const char *oracle_check(const char *text, size_t len, bool *accepted)
{
	struct report expected, got;
	bool valid = oracle_report(text, len, &expected);
	enum drop_reason reason = report_parse(text, len, &got);

	*accepted = reason == DROP_NONE;
	if (valid && reason != DROP_NONE)
		return "refused a text jansson accepts";
	if (!valid && reason == DROP_NONE)
		return "accepted a text jansson refuses";
	if (!valid)
		return NULL;
	if (memcmp(&got.src, &expected.src, sizeof(got.src)) != 0 ||
	    memcmp(&got.dst, &expected.dst, sizeof(got.dst)) != 0)
		return "addresses differ";
	if (got.src_port != expected.src_port || got.dst_port != expected.dst_port)
		return "ports differ";
	if (memcmp(got.up, expected.up, sizeof(got.up)) != 0 ||
	    memcmp(got.down, expected.down, sizeof(got.down)) != 0)
		return "numbers differ";
	return NULL;
}

#endif
