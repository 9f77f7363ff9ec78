/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "endpoint.h"
#include "unit_main.h"

static void assert_parses(const char *text, const char *default_host, const char *host,
			  unsigned int port, bool is_unix)
{
	struct endpoint out;
	char err[256] = "";

	CU_ASSERT_EQUAL_FATAL(endpoint_parse(text, default_host, true, &out, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(out.host, host);
	CU_ASSERT_EQUAL(out.port, port);
	CU_ASSERT_EQUAL(out.is_unix, is_unix);
}

static void assert_refused(const char *text, const char *default_host, bool allow_unix)
{
	struct endpoint out;
	char err[256] = "";

	CU_ASSERT_EQUAL(endpoint_parse(text, default_host, allow_unix, &out, err, sizeof(err)),
			-EINVAL);
	/* The reason quotes what was given. */
	CU_ASSERT(strstr(err, text) != NULL);
}

static void test_forms(void)
{
	assert_parses("9100", "127.0.0.1", "127.0.0.1", 9100, false);
	assert_parses("0.0.0.0:9100", "127.0.0.1", "0.0.0.0", 9100, false);
	assert_parses("redis.example:6379", NULL, "redis.example", 6379, false);
	assert_parses("[::1]:6379", NULL, "::1", 6379, false);
	assert_parses("[2001:db8::5]:1", NULL, "2001:db8::5", 1, false);
	assert_parses("unix:/run/redis/redis.sock", NULL, "/run/redis/redis.sock", 0, true);
	assert_parses("localhost:65535", NULL, "localhost", 65535, false);
}

static void test_refused(void)
{
	assert_refused("6379", NULL, true); /* a host is required */
	assert_refused("host:0", NULL, true);
	assert_refused("host:65536", NULL, true);
	assert_refused("host:", NULL, true);
	assert_refused(":6379", NULL, true);
	assert_refused("host:63x", NULL, true);
	assert_refused("host:+1", NULL, true);
	assert_refused("::1:6379", NULL, true); /* IPv6 without brackets */
	assert_refused("[::1:6379", NULL, true);
	assert_refused("[]:6379", NULL, true);
	assert_refused("unix:", NULL, true);
	assert_refused("unix:/tmp/s", "127.0.0.1", false);
	assert_refused("abc", "127.0.0.1", false);
	assert_refused("", "127.0.0.1", false);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"PORT, HOST:PORT, [IPV6]:PORT, unix:PATH", test_forms},
		{"malformed endpoints are refused with the text quoted", test_refused},
	};

	return unit_run_suite("endpoint", NULL, NULL, tests, UNIT_COUNT(tests));
}
