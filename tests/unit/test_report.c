/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The report parser: hand-written texts, one test per refusal reason, the
 * number reader against strtod, and a differential run against jansson over
 * more than 100 000 valid, broken and mutated texts (report_oracle.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "json_number.h"
#include "report.h"
#include "report_oracle.h"
#include "splitmix64.h"
#include "unit_main.h"

#define TYPICAL                                                                      \
	"[\"192.168.7.21\",0,\"203.0.113.5\",0,[10,108.3,1190.02,3301.9,21655.104]," \
	"[53,1219.3377,80112.958,561.22449,1903377.2]]"

/* Fixed seed: the same corpus on every run. */
static uint64_t rng_state = 0x5eed0f0cafe5eedull;

static unsigned int rng_below(unsigned int bound)
{
	return (unsigned int)(splitmix64_next(&rng_state) % bound);
}

static enum drop_reason parse_string(const char *text, struct report *out)
{
	return report_parse(text, strlen(text), out);
}

static double strtod_of(const char *text)
{
	return strtod(text, NULL);
}

static bool same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Differential totals, printed at the end. */
static unsigned long checked_count, accepted_count;

static void check_against_jansson(const char *text, size_t len)
{
	bool accepted;
	const char *difference = oracle_check(text, len, &accepted);

	checked_count++;
	accepted_count += accepted;
	if (difference != NULL) {
		fprintf(stderr, "disagreement (%s) on %zu bytes: '%.*s'\n", difference, len,
			(int)len, text);
		CU_FAIL("parser and jansson disagree");
	}
}

static void test_typical_report(void)
{
	struct report report;
	uint8_t v4_src[4] = {192, 168, 7, 21}, v4_dst[4] = {203, 0, 113, 5};
	struct ip_addr src, dst;

	CU_ASSERT_EQUAL_FATAL(parse_string(TYPICAL, &report), DROP_NONE);
	ip_from_v4(&src, v4_src);
	ip_from_v4(&dst, v4_dst);
	CU_ASSERT(memcmp(&report.src, &src, sizeof(src)) == 0);
	CU_ASSERT(memcmp(&report.dst, &dst, sizeof(dst)) == 0);
	CU_ASSERT_EQUAL(report.src_port, 0);
	CU_ASSERT_EQUAL(report.dst_port, 0);
	CU_ASSERT(same_double(report.up[STAT_COUNT], 10.0));
	CU_ASSERT(same_double(report.up[STAT_SIZE_MEAN], strtod_of("108.3")));
	CU_ASSERT(same_double(report.up[STAT_SIZE_VAR], strtod_of("1190.02")));
	CU_ASSERT(same_double(report.up[STAT_IAT_MEAN], strtod_of("3301.9")));
	CU_ASSERT(same_double(report.up[STAT_IAT_VAR], strtod_of("21655.104")));
	CU_ASSERT(same_double(report.down[STAT_COUNT], 53.0));
	CU_ASSERT(same_double(report.down[STAT_SIZE_MEAN], strtod_of("1219.3377")));
	CU_ASSERT(same_double(report.down[STAT_IAT_VAR], strtod_of("1903377.2")));
	check_against_jansson(TYPICAL, strlen(TYPICAL));
}

/* Texts that must be accepted, each also checked value by value against jansson. */
static const char *const valid_texts[] = {
	TYPICAL,
	" \t\r\n[ \"10.0.0.1\" , 1 ,\t\"10.0.0.2\"\n,\r65535,[ 1 , 2 , 3 , 4 , 5 ] , "
	"[\n0\n,\n0\n,\n0\n,\n0\n,\n0\n] ] \n\r\t ",
	"[\"1.2.3.4\",0,\"5.6.7.8\",0,[2,2.0,2e0,1.35E+03,-0.0],[-0,0.0,0e-5,1E0,-1e-400]]",
	"[\"1.2.3.4\",-0,\"5.6.7.8\",80,[0,0,0,0,0],[0,0,0,0,0]]",
	"[\"1.2.3.4\",0,\"5.6.7.8\",0,[1,0.1,-0.1,0.30000000000000004,-123456789012345678],"
	"[9007199254740993,9007199254740992.5,1.7976931348623157e308,4.9e-324,2.2250738585072014e-"
	"308]"
	"]",
	"[\"1.2.3.4\",0,\"5.6.7.8\",0,[12345678901234567,1.2345678901234567,0.12345678901234567,"
	"123456789012345678901234567890.0,-1e22],[1e22,1e23,1e-22,1e-23,9007199254740993e-22]]",
	"[\"1.2.3.4\",0,\"5.6.7.8\",0,[9223372036854775807,1e308,1e-308,3e-324,-"
	"9223372036854775808],"
	"[8.9884656743115795e307,0.000001,100000000000000000000.0,-2e-324,2.4703282292062328e-324]"
	"]",
	"[\"::1\",0,\"fe80::1\",0,[1,1,1,1,1],[1,1,1,1,1]]",
	"[\"2001:db8::ff00:42:8329\",443,\"::ffff:10.0.0.1\",8080,[1,1,1,1,1],[1,1,1,1,1]]",
	"[\"FFFF:ffff:FFFF:ffff:FFFF:ffff:255.255.255.255\",1,\"0:0:0:0:0:0:0:0\",2,"
	"[1,1,1,1,1],[1,1,1,1,1]]",
	"[\"\\u0031\\u0039\\u0032.168\\u002e1.1\",0,\"\\u0035.6.7.8\",0,[1,1,1,1,1],[1,1,1,1,1]]",
	"[\"1.2.3.4\",0,\"\\u0066\\u0065\\u0038\\u0030::\\u0031\",0,[1,1,1,1,1],[1,1,1,1,1]]",
	"[\"0.0.0.0\",65535,\"255.255.255.255\",65535,[1,1,1,1,1],[1,1,1,1,1]]",
};

/*
 * Each address keeps the family of its notation, on the compact path (short
 * plain addresses), the general one (spaces, long addresses) and through
 * escapes: "::ffff:10.0.0.1" is IPv6, although its bytes are 10.0.0.1's.
 */
static void test_address_families(void)
{
	static const struct {
		const char *text;
		uint8_t src_family, dst_family;
	} cases[] = {
		{"[\"10.0.0.1\",0,\"::ffff:10.0.0.2\",0,[1,2,3,4,5],[6,7,8,9,10]]", IP_FAMILY_V4,
		 IP_FAMILY_V6},
		{"[\"::ffff:10.0.0.1\",0,\"10.0.0.2\",0,[1,2,3,4,5],[6,7,8,9,10]]", IP_FAMILY_V6,
		 IP_FAMILY_V4},
		{"[ \"10.0.0.1\" , 0 , \"2001:db8:1234:5678:9abc:def0:1234:5678\",0,[1,2,3,4,5],"
		 "[6,7,8,9,10]]",
		 IP_FAMILY_V4, IP_FAMILY_V6},
		{"[\"\\u003a:ffff:10.0.0.1\",0,\"1\\u0030.0.0.2\",0,[1,2,3,4,5],[6,7,8,9,10]]",
		 IP_FAMILY_V6, IP_FAMILY_V4},
	};
	struct report report;

	for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
		CU_ASSERT_EQUAL_FATAL(parse_string(cases[i].text, &report), DROP_NONE);
		CU_ASSERT_EQUAL(report.src_family, cases[i].src_family);
		CU_ASSERT_EQUAL(report.dst_family, cases[i].dst_family);
	}
}

static void test_valid_texts(void)
{
	for (size_t i = 0; i < sizeof(valid_texts) / sizeof(valid_texts[0]); i++) {
		const char *text = valid_texts[i];
		struct report expected, report;

		CU_ASSERT_TRUE(oracle_report(text, strlen(text), &expected));
		CU_ASSERT_EQUAL(parse_string(text, &report), DROP_NONE);
		check_against_jansson(text, strlen(text));
	}
}

static void test_values(void)
{
	struct report report;
	const char *text = "[\"1.2.3.4\",0,\"5.6.7.8\",0,[2,2.0,2e0,1.35E+03,-0.0],"
			   "[-0,0.0,0e-5,1E0,-1e-400]]";

	CU_ASSERT_EQUAL_FATAL(parse_string(text, &report), DROP_NONE);
	CU_ASSERT(same_double(report.up[0], 2.0));
	CU_ASSERT(same_double(report.up[1], 2.0));
	CU_ASSERT(same_double(report.up[2], 2.0));
	CU_ASSERT(same_double(report.up[3], 1350.0));
	CU_ASSERT(same_double(report.up[4], -0.0));
	CU_ASSERT(same_double(report.down[0], 0.0)); /* integer -0 is 0, as jansson has it */
	CU_ASSERT(same_double(report.down[4], -0.0));

	text = "[\"::ffff:1.2.3.4\",65535,\"1.2.3.4\",0,[1,1,1,1,1],[1,1,1,1,1]]";
	CU_ASSERT_EQUAL_FATAL(parse_string(text, &report), DROP_NONE);
	CU_ASSERT(memcmp(&report.src, &report.dst, sizeof(report.src)) == 0);
	CU_ASSERT_EQUAL(report.src_port, 65535);
}

struct refusal {
	const char *text;
	enum drop_reason reason;
};

#define ADDRS "[\"1.2.3.4\",0,\"5.6.7.8\",0,"
#define STATS "[1,1,1,1,1]"

static const struct refusal refusals[] = {
	{"", DROP_REPORT_EMPTY},
	{" \t\r\n", DROP_REPORT_EMPTY},
	{"{\"a\":1}", DROP_REPORT_NOT_ARRAY},
	{"\"1.2.3.4\"", DROP_REPORT_NOT_ARRAY},
	{"[\"1.2.3.4\",0", DROP_REPORT_TRUNCATED},
	{ADDRS STATS "," STATS, DROP_REPORT_TRUNCATED},
	{ADDRS STATS "," STATS "] ]", DROP_REPORT_TRAILING_BYTES},
	{ADDRS STATS "," STATS "]" ADDRS STATS "," STATS "]", DROP_REPORT_TRAILING_BYTES},
	{ADDRS STATS "," STATS "]x", DROP_REPORT_TRAILING_BYTES},
	{ADDRS STATS ";" STATS "]", DROP_REPORT_BAD_SYNTAX},
	{"[\"1.2.3.4\" 0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_SYNTAX},
	{"[]", DROP_REPORT_WRONG_ARITY},
	{ADDRS STATS "]", DROP_REPORT_WRONG_ARITY},
	{ADDRS STATS "," STATS "," STATS "]", DROP_REPORT_WRONG_ARITY},
	{ADDRS "[1,1,1,1]," STATS "]", DROP_REPORT_STATS_ARITY},
	{ADDRS "[1,1,1,1,1,1]," STATS "]", DROP_REPORT_STATS_ARITY},
	{ADDRS "[]," STATS "]", DROP_REPORT_STATS_ARITY},
	{"[1,0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_NOT_A_STRING},
	{"[null,0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_NOT_A_STRING},
	{"[\"1.2.3.4\",\"0\",\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_NOT_A_NUMBER},
	{ADDRS "[1,\"1\",1,1,1]," STATS "]", DROP_REPORT_NOT_A_NUMBER},
	{ADDRS "[1,true,1,1,1]," STATS "]", DROP_REPORT_NOT_A_NUMBER},
	{ADDRS "1," STATS "]", DROP_REPORT_NOT_A_LIST},
	{ADDRS "{}," STATS "]", DROP_REPORT_NOT_A_LIST},
	{ADDRS "[01,1,1,1,1]," STATS "]", DROP_REPORT_BAD_NUMBER},
	{ADDRS "[+1,1,1,1,1]," STATS "]", DROP_REPORT_BAD_NUMBER},
	{ADDRS "[.5,1,1,1,1]," STATS "]", DROP_REPORT_BAD_NUMBER},
	{ADDRS "[1.,1,1,1,1]," STATS "]", DROP_REPORT_BAD_NUMBER},
	{ADDRS "[1e,1,1,1,1]," STATS "]", DROP_REPORT_BAD_NUMBER},
	{ADDRS "[1e+,1,1,1,1]," STATS "]", DROP_REPORT_BAD_NUMBER},
	{ADDRS "[-,1,1,1,1]," STATS "]", DROP_REPORT_BAD_NUMBER},
	{ADDRS "[1.5.3,1,1,1,1]," STATS "]", DROP_REPORT_BAD_NUMBER},
	{ADDRS "[NaN,1,1,1,1]," STATS "]", DROP_REPORT_NAN_OR_INFINITY},
	{ADDRS "[1,Infinity,1,1,1]," STATS "]", DROP_REPORT_NAN_OR_INFINITY},
	{ADDRS "[1,1,-Infinity,1,1]," STATS "]", DROP_REPORT_NAN_OR_INFINITY},
	{ADDRS "[1,1e400,1,1,1]," STATS "]", DROP_REPORT_NUMBER_OVERFLOW},
	{ADDRS "[1,1,-1e309,1,1]," STATS "]", DROP_REPORT_NUMBER_OVERFLOW},
	{ADDRS "[9223372036854775808,1,1,1,1]," STATS "]", DROP_REPORT_NUMBER_OVERFLOW},
	{ADDRS "[1,1,-9223372036854775809,1,1]," STATS "]", DROP_REPORT_NUMBER_OVERFLOW},
	{ADDRS "[-1,1,1,1,1]," STATS "]", DROP_REPORT_NEGATIVE_VALUE},
	{ADDRS "[1,-0.5,1,1,1]," STATS "]", DROP_REPORT_NEGATIVE_VALUE},
	{ADDRS STATS ",[1,1,1,-1e-300,1]]", DROP_REPORT_NEGATIVE_VALUE},
	{"[\"1.2.3.4\",65536,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_PORT},
	{"[\"1.2.3.4\",-1,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_PORT},
	{"[\"1.2.3.4\",0,\"5.6.7.8\",80.0," STATS "," STATS "]", DROP_REPORT_BAD_PORT},
	{"[\"1.2.3.4\",0,\"5.6.7.8\",8e1," STATS "," STATS "]", DROP_REPORT_BAD_PORT},
	{"[\"01.2.3.4\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_ADDRESS},
	{"[\"1.2.3.4 \",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_ADDRESS},
	{"[\"\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_ADDRESS},
	{"[\"10\\/8\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_ADDRESS},
	{"[\"1.2.3.4\",0,\"\\u00e9\",0," STATS "," STATS "]", DROP_REPORT_BAD_ADDRESS},
	{"[\"1.2.3.4\\u0000\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_STRING},
	{"[\"1.2.3.4\\x\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_STRING},
	{"[\"\\ud800\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_STRING},
	{"[\"\\udc00\\ud800\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_STRING},
	{"[\"\\u12G4\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_STRING},
	{"[\"\xc3\x28\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_STRING},
	{"[\"\xe0\x80\xaf\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_STRING},
	{"[\"\xed\xa0\x80\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_BAD_STRING},
	{"[\"1.2.3.4\t\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_CONTROL_CHARACTER},
	{"[\"1.2.3.4\n\",0,\"5.6.7.8\",0," STATS "," STATS "]", DROP_REPORT_CONTROL_CHARACTER},
	{"[\"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2550\",0,\"5.6.7.8\",0," STATS "," STATS "]",
	 DROP_REPORT_STRING_TOO_LONG},
	{"[\"\\u0031.2.3.4\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020"
	 "\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020"
	 "\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020"
	 "\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\\u0020\",0,\"5.6.7.8\",0," STATS "," STATS "]",
	 DROP_REPORT_STRING_TOO_LONG},
	{ADDRS "[[1],1,1,1,1]," STATS "]", DROP_REPORT_TOO_DEEP},
	{ADDRS "[1,{},1,1,1]," STATS "]", DROP_REPORT_TOO_DEEP},
};

static void test_refusals(void)
{
	bool seen[DROP_REASON_COUNT] = {false};

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		struct report report;
		enum drop_reason got = parse_string(refusals[i].text, &report);

		if (got != refusals[i].reason)
			fprintf(stderr, "'%s': got %s, expected %s\n", refusals[i].text,
				drop_reason_name(got), drop_reason_name(refusals[i].reason));
		CU_ASSERT_EQUAL(got, refusals[i].reason);
		seen[refusals[i].reason] = true;
		check_against_jansson(refusals[i].text, strlen(refusals[i].text));
	}
	/* One test at least for every report reason. */
	for (int reason = DROP_REPORT_EMPTY; reason <= DROP_REPORT_TOO_DEEP; reason++) {
		if (!seen[reason])
			fprintf(stderr, "no refusal test for %s\n", drop_reason_name(reason));
		CU_ASSERT_TRUE(seen[reason]);
	}
}

static void test_raw_nul_refused(void)
{
	/* jansson loads these (it drops a NUL right after a number); no JSON text holds one. */
	static const char text[] = ADDRS "[1\0,1,1,1,1]," STATS "]";
	struct report report;

	CU_ASSERT_NOT_EQUAL(report_parse(text, sizeof(text) - 1, &report), DROP_NONE);
	check_against_jansson(text, sizeof(text) - 1);
}

static void test_deep_nesting(void)
{
	static char text[4096];
	size_t length = 0;
	struct report report;

	for (int depth = 0; depth < 600; depth++)
		text[length++] = '[';
	for (int depth = 0; depth < 600; depth++)
		text[length++] = ']';
	CU_ASSERT_NOT_EQUAL(report_parse(text, length, &report), DROP_NONE);
	check_against_jansson(text, length);
	length = (size_t)snprintf(text, sizeof(text), ADDRS);
	for (int depth = 0; depth < 600; depth++)
		text[length++] = '[';
	CU_ASSERT_EQUAL(report_parse(text, length, &report), DROP_REPORT_TOO_DEEP);
}

/* A random decimal number text in one of many shapes, not always valid JSON. */
static size_t random_number_text(char *out, size_t size)
{
	char *p = out;
	int shape = (int)rng_below(12);
	double value;

	switch (shape) {
	case 0:
	case 1:
	case 2: {
		/* Random bit patterns, printed exactly or shortened like the probe does. */
		uint64_t bits = splitmix64_next(&rng_state);
		static const char *const formats[] = {"%.17g", "%.8g", "%.15g", "%.3e", "%.16e"};

		memcpy(&value, &bits, sizeof(value));
		if (!isfinite(value))
			value = 1.5;
		return (size_t)snprintf(out, size, formats[rng_below(5)], value);
	}
	case 3:
		/* Probe-like magnitudes. */
		value = (double)splitmix64_next(&rng_state) / 18446744073709551616.0 *
			pow(10, rng_below(9));
		return (size_t)snprintf(out, size, "%.8g", value);
	case 4:
		/* Integers near the limits of long long and of 2^53. */
		return (size_t)snprintf(
			out, size, "%s%" PRIu64, rng_below(2) ? "-" : "",
			(uint64_t)((rng_below(2) ? (1ull << 53) : (uint64_t)INT64_MAX) - 3 +
				   rng_below(8)));
	default: {
		/* Random digit strings: grammar edges, long mantissas, exponents at the edges. */
		int int_digits = (int)rng_below(rng_below(4) == 0 ? 40 : 20) + 1;
		int frac_digits =
			rng_below(2) ? (int)rng_below(rng_below(4) == 0 ? 40 : 20) + 1 : 0;
		static const int exponent_edges[] = {0,	  1,   15,  21,	 22,  23,  37,	290, 307,
						     308, 309, 320, 323, 324, 325, 340, 400};

		if (rng_below(3) == 0)
			*p++ = '-';
		for (int i = 0; i < int_digits && p < out + size - 80; i++)
			*p++ = (char)('0' + (i == 0 && int_digits > 1 && rng_below(8) != 0
						     ? 1 + rng_below(9)
						     : rng_below(10)));
		if (frac_digits > 0) {
			*p++ = '.';
			for (int i = 0; i < frac_digits && p < out + size - 40; i++)
				*p++ = (char)('0' + rng_below(10));
		}
		if (rng_below(2)) {
			int exponent = exponent_edges[rng_below(17)] + (int)rng_below(3) - 1;

			*p++ = rng_below(2) ? 'e' : 'E';
			p += snprintf(p, 16, "%s%d", rng_below(2) ? "-" : (rng_below(2) ? "+" : ""),
				      exponent < 0 ? -exponent : exponent);
		}
		*p = '\0';
		return (size_t)(p - out);
	}
	}
}

/* json_number_parse against strtod / strtoll on the same text. */
static void test_numbers_against_strtod(void)
{
	unsigned long compared = 0;

	for (int i = 0; i < 300000; i++) {
		char text[256];
		size_t length = random_number_text(text, sizeof(text));
		const char *cursor = text;
		struct json_number number;
		enum drop_reason reason = json_number_parse(&cursor, text + length, &number);
		bool integer_form = strpbrk(text, ".eE") == NULL;
		bool leading_zero =
			text[text[0] == '-'] == '0' && json_is_digit(text[1 + (text[0] == '-')]);
		double expected;
		char *end;

		if (leading_zero) {
			CU_ASSERT_EQUAL(reason, DROP_REPORT_BAD_NUMBER);
			continue;
		}
		CU_ASSERT_PTR_EQUAL(cursor, text + length);
		compared++;
		errno = 0;
		if (integer_form) {
			long long integer = strtoll(text, &end, 10);

			if (errno == ERANGE) {
				CU_ASSERT_EQUAL(reason, DROP_REPORT_NUMBER_OVERFLOW);
				continue;
			}
			expected = (double)integer;
			CU_ASSERT_TRUE(number.is_integer && number.integer == integer);
		} else {
			expected = strtod(text, &end);
			if (isinf(expected)) {
				CU_ASSERT_EQUAL(reason, DROP_REPORT_NUMBER_OVERFLOW);
				continue;
			}
			CU_ASSERT_FALSE(number.is_integer);
		}
		CU_ASSERT_PTR_EQUAL(end, text + length);
		CU_ASSERT_EQUAL(reason, DROP_NONE);
		if (reason == DROP_NONE && !same_double(number.value, expected)) {
			fprintf(stderr, "'%s': %.17g, strtod %.17g\n", text, number.value,
				expected);
			CU_FAIL("number differs from strtod");
		}
	}
	printf("\nnumbers: %lu compared with strtod\n", compared);
}

/*
 * json_number_parse_short, where it takes a number, must read it exactly as
 * json_number_parse: the number alone (its last bytes read from the text's
 * end), after 8 other bytes, and followed by a ','.
 */
static void check_short_reader(const char *text, size_t length, unsigned long *taken)
{
	static const char *const framings[][2] = {
		{"", ""}, {"[1,2,3,4", ""}, {"", ",1]"}, {"[\"1.2.3.4\",", "]]"}};

	for (size_t f = 0; f < sizeof(framings) / sizeof(framings[0]); f++) {
		char framed[300];
		size_t prefix = strlen(framings[f][0]);
		size_t total = (size_t)snprintf(framed, sizeof(framed), "%s%.*s%s", framings[f][0],
						(int)length, text, framings[f][1]);
		const char *end = framed + total, *fast = framed + prefix, *slow = fast;
		struct json_number fast_number, slow_number;

		if (total < 8 || !json_number_parse_short(&fast, framed, end, &fast_number))
			continue;
		(*taken)++;
		CU_ASSERT_EQUAL_FATAL(json_number_parse(&slow, end, &slow_number), DROP_NONE);
		CU_ASSERT_PTR_EQUAL(fast, slow);
		CU_ASSERT_EQUAL(fast_number.is_integer, slow_number.is_integer);
		CU_ASSERT_TRUE(same_double(fast_number.value, slow_number.value));
		if (fast_number.is_integer)
			CU_ASSERT_EQUAL(fast_number.integer, slow_number.integer);
	}
}

static void test_short_numbers(void)
{
	static const char *const texts[] = {"0",	"-0",	     "7",
					    "12345678", "123456789", "0.5",
					    "-0.0",	"1.2345678", "12345678.1234567",
					    "1e5",	"1.5e-3",    "1E+22",
					    "1e23",	"01",	     "1.",
					    "-",	"1.2.3",     "7.9054126e+10",
					    "2e-0"};
	unsigned long taken = 0;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		check_short_reader(texts[i], strlen(texts[i]), &taken);
	for (int i = 0; i < 100000; i++) {
		char text[256];
		size_t length = random_number_text(text, sizeof(text));

		if (length < 40)
			check_short_reader(text, length, &taken);
	}
	printf("\nshort numbers: %lu taken by the 8-byte reader, all as the full one reads them\n",
	       taken);
	CU_ASSERT_TRUE(taken > 50000);
}

/* Exactness at the edges of the fast path and of the slow path's digit budget. */
static void test_number_edges(void)
{
	static const char *const texts[] = {
		"9007199254740992",
		"9007199254740993.0",
		"9007199254740992e22",
		"9007199254740993e-22",
		"1e22",
		"1e23",
		"1e-22",
		"1e-23",
		"123456789012345678e-5",
		"0.1",
		"0.30000000000000004",
		"2.2250738585072011e-308",
		"2.2250738585072012e-308",
		"4.9406564584124654e-324",
		"2.4703282292062327e-324",
		"2.4703282292062328e-324",
		"1.7976931348623158e308",
		"1.7976931348623159e308",
		"0.00000000000000000000000000000000000001",
		"1.50000000000000000000000000",
	};
	char long_text[2400];

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *cursor = texts[i];
		struct json_number number;
		enum drop_reason reason =
			json_number_parse(&cursor, texts[i] + strlen(texts[i]), &number);
		double expected = strtod(texts[i], NULL);

		if (isinf(expected)) {
			CU_ASSERT_EQUAL(reason, DROP_REPORT_NUMBER_OVERFLOW);
			continue;
		}
		CU_ASSERT_EQUAL(reason, DROP_NONE);
		if (!same_double(number.value, expected))
			fprintf(stderr, "'%s': %.17g, strtod %.17g\n", texts[i], number.value,
				expected);
		CU_ASSERT_TRUE(same_double(number.value, expected));
	}
	/*
	 * Exact halfway points between neighbouring doubles (exact in long
	 * double, printed exactly by glibc), bare and nudged up by a far digit:
	 * up to 767 significant digits decide how they round.
	 */
	for (int i = 0; i < 3000; i++) {
		uint64_t bits = splitmix64_next(&rng_state) >> 1;
		double below;
		long double halfway;
		size_t length, mantissa_end;
		const char *cursor = long_text;
		struct json_number number;

		memcpy(&below, &bits, sizeof(below));
		if (!isfinite(below) || isinf(nextafter(below, INFINITY)))
			continue;
		halfway = ((long double)below + (long double)nextafter(below, INFINITY)) / 2;
		length = (size_t)snprintf(long_text, sizeof(long_text) - 8, "%.1100Le", halfway);
		if (i % 2) {
			mantissa_end = (size_t)(strchr(long_text, 'e') - long_text);
			memmove(long_text + mantissa_end + 3, long_text + mantissa_end,
				length - mantissa_end + 1);
			memcpy(long_text + mantissa_end, "001", 3);
			length += 3;
		}
		CU_ASSERT_EQUAL(json_number_parse(&cursor, long_text + length, &number), DROP_NONE);
		if (!same_double(number.value, strtod(long_text, NULL))) {
			fprintf(stderr, "halfway %.17g: %.17g, strtod %.17g\n", below, number.value,
				strtod(long_text, NULL));
			CU_FAIL("halfway point rounded unlike strtod");
		}
	}
	/*
	 * A halfway point between two doubles written with 1100 digits, then
	 * nudged by a far digit: only the sticky digit can tell them apart.
	 */
	for (int nudge = 0; nudge < 2; nudge++) {
		size_t length =
			(size_t)snprintf(long_text, sizeof(long_text), "%s", "9007199254740993");
		const char *cursor = long_text;
		struct json_number number;

		long_text[length++] = '.';
		for (int i = 0; i < 1100; i++)
			long_text[length++] = '0';
		long_text[length++] = (char)('0' + nudge);
		long_text[length] = '\0';
		CU_ASSERT_EQUAL(json_number_parse(&cursor, long_text + length, &number), DROP_NONE);
		CU_ASSERT_TRUE(same_double(number.value, strtod(long_text, NULL)));
		CU_ASSERT_TRUE(
			same_double(number.value, nudge ? 9007199254740994.0 : 9007199254740992.0));
	}
}

/* Writes a report with random numbers and addresses; not always a valid one. */
static size_t random_report(char *out, size_t size)
{
	/* The first ones are valid: picked most of the time, so that many reports pass. */
	static const char *const addresses[] = {
		"192.168.7.21",	 "203.0.113.5",
		"::1",		 "fe80::1",
		"2001:db8::1",	 "::ffff:1.2.3.4",
		"0.0.0.0",	 "255.255.255.255",
		"\\u0031.2.3.4", "FE80::ABCD:1.2.3.4",
		"1.2.3.256",	 "1.2.3",
		"01.2.3.4",	 "1::2::3",
		"1.2.3.4\\/",	 "\\ud83d\\ude00",
	};
	static const char *const ports[] = {"0",     "1",  "80",   "65535", "-0", "443",
					    "65536", "-1", "80.0", "8e1",   "00", "1e0"};
	static const char *const spaces[] = {"", "", "", " ", "\n", "\t ", "\r\n"};
#define PICK(list)                                                            \
	list[rng_below(8) ? rng_below(sizeof(list) / sizeof(list[0]) * 5 / 8) \
			  : rng_below(sizeof(list) / sizeof(list[0]))]
	char number[256];
	size_t length = 0;

#define ADD(...) (length += (size_t)snprintf(out + length, size - length, __VA_ARGS__))
	ADD("%s[%s\"%s\",%s,", spaces[rng_below(7)], spaces[rng_below(7)], PICK(addresses),
	    PICK(ports));
	ADD("%s\"%s\"%s,%s%s,", spaces[rng_below(7)], PICK(addresses), spaces[rng_below(7)],
	    spaces[rng_below(7)], PICK(ports));
	for (int half = 0; half < 2; half++) {
		ADD("[");
		for (int i = 0; i < STAT_COUNT_OF_STATS; i++) {
			size_t number_length = random_number_text(number, sizeof(number));
			const char *cursor = number;
			struct json_number unused;

			/* Mostly numbers jansson takes (no leading zero, no overflow). */
			while (rng_below(8) != 0 &&
			       json_number_parse(&cursor, number + number_length, &unused) !=
				       DROP_NONE) {
				number_length = random_number_text(number, sizeof(number));
				cursor = number;
			}

			/* Mostly non-negative where it must be, to reach acceptance often. */
			if (number[0] == '-' && rng_below(4) != 0 && i != STAT_SIZE_VAR &&
			    i != STAT_IAT_VAR)
				memmove(number, number + 1, number_length--);
			ADD("%s%s%s", i ? "," : "", spaces[rng_below(7)], number);
		}
		ADD("]%s", half ? "]" : ",");
	}
	ADD("%s", spaces[rng_below(7)]);
#undef ADD
#undef PICK
	return length < size ? length : size - 1;
}

/* One random edit: flip, insert, delete or duplicate. */
static size_t mutate(char *text, size_t length, size_t size)
{
	static const char interesting[] = "[]{},:\" \t\n\r0123456789.-+eE\\u/abcdefnNIrtx";
	size_t at = length ? rng_below((unsigned int)length) : 0;
	char byte;

	switch (rng_below(8)) {
	case 0:
		byte = (char)rng_below(256);
		break;
	case 1:
		byte = (char)(0x80 + rng_below(0x80));
		break;
	default:
		byte = interesting[rng_below(sizeof(interesting) - 1)];
		break;
	}
	switch (rng_below(4)) {
	case 0:
		if (length)
			text[at] = byte;
		return length;
	case 1:
		if (length + 1 >= size)
			return length;
		memmove(text + at + 1, text + at, length - at);
		text[at] = byte;
		return length + 1;
	case 2:
		if (length == 0)
			return 0;
		memmove(text + at, text + at + 1, length - at - 1);
		return length - 1;
	default: {
		size_t span = rng_below(8) + 1;

		if (at + span > length || length + span >= size)
			return length;
		memmove(text + at + span, text + at, length - at);
		return length + span;
	}
	}
}

static void test_differential(void)
{
	char text[4096];
	unsigned long checked_before = checked_count, accepted_before = accepted_count;
	unsigned long checked, accepted;

	/* Every truncation of every hand-written valid text. */
	for (size_t i = 0; i < sizeof(valid_texts) / sizeof(valid_texts[0]); i++)
		for (size_t cut = 0; cut <= strlen(valid_texts[i]); cut++)
			check_against_jansson(valid_texts[i], cut);
	/* Random reports, then the same ones mutated once to a few times. */
	for (int i = 0; i < 50000; i++) {
		size_t length = random_report(text, sizeof(text));

		check_against_jansson(text, length);
		for (int round = 0; round < 2; round++) {
			size_t mutated = length;
			char copy[4096];
			int edits = (int)rng_below(3) + 1;

			memcpy(copy, text, length);
			for (int edit = 0; edit < edits; edit++)
				mutated = mutate(copy, mutated, sizeof(copy));
			check_against_jansson(copy, mutated);
		}
	}
	/* Mutations of the typical report, which keep most of it valid. */
	for (int i = 0; i < 30000; i++) {
		size_t length = strlen(TYPICAL);

		memcpy(text, TYPICAL, length);
		length = mutate(text, length, sizeof(text));
		check_against_jansson(text, length);
	}
	checked = checked_count - checked_before;
	accepted = accepted_count - accepted_before;
	printf("\ndifferential: %lu texts checked against jansson, %lu accepted, %lu refused\n",
	       checked, accepted, checked - accepted);
	CU_ASSERT_TRUE(checked >= 100000);
}

/* Every real probe report of the shared pcap, when ../shared is there. */
static void test_shared_probe_reports(void)
{
	const char *shared = getenv("SHARED");
	char path[4096];
	unsigned char record[65536 + 16];
	unsigned long count = 0;
	FILE *file;

	snprintf(path, sizeof(path), "%s/parity/probe_reports.pcap", shared ? shared : "../shared");
	file = fopen(path, "rb");
	if (file == NULL) {
		printf("\nshared probe reports: skipped, %s is absent\n", path);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(fread(record, 1, 24, file), 24);
	while (fread(record, 1, 16, file) == 16) {
		uint32_t captured;
		size_t header;
		struct report report;

		memcpy(&captured, record + 8, sizeof(captured));
		if (captured > sizeof(record) || fread(record, 1, captured, file) != captured)
			break;
		header = 14 + (size_t)(record[14] & 0x0f) * 4 + 8; /* Ethernet, IPv4, UDP */
		if (captured <= header)
			continue;
		CU_ASSERT_EQUAL(
			report_parse((const char *)record + header, captured - header, &report),
			DROP_NONE);
		check_against_jansson((const char *)record + header, captured - header);
		count++;
	}
	fclose(file);
	printf("\nshared probe reports: %lu parsed, all as jansson reads them\n", count);
	CU_ASSERT_TRUE(count > 0);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"typical report", test_typical_report},
		{"address families as written", test_address_families},
		{"valid texts", test_valid_texts},
		{"values", test_values},
		{"one refusal per reason", test_refusals},
		{"raw NUL refused", test_raw_nul_refused},
		{"deep nesting", test_deep_nesting},
		{"numbers against strtod", test_numbers_against_strtod},
		{"number edges", test_number_edges},
		{"short numbers", test_short_numbers},
		{"differential against jansson", test_differential},
		{"shared probe reports", test_shared_probe_reports},
	};

	return unit_run_suite("report", NULL, NULL, tests, UNIT_COUNT(tests));
}
