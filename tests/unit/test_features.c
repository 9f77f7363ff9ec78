/* SPDX-License-Identifier: BSD-3-Clause */
#include <float.h>
#include <math.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "features.h"
#include "unit_address.h"
#include "unit_main.h"

static bool same_address(const struct ip_addr *a, const char *text)
{
	struct ip_addr b = address(text);

	return memcmp(a, &b, sizeof(b)) == 0;
}

/* Distinct values everywhere, so that a feature read from the wrong stat shows. */
static struct report make_report(const char *src, const char *dst)
{
	struct report report = {
		.src = address(src),
		.dst = address(dst),
		.src_port = 1111,
		.dst_port = 2222,
		.up = {[STAT_COUNT] = 11,
		       [STAT_SIZE_MEAN] = 101.5,
		       [STAT_SIZE_VAR] = 102.25,
		       [STAT_IAT_MEAN] = 0.0103,
		       [STAT_IAT_VAR] = 0.000104},
		.down = {[STAT_COUNT] = 22,
			 [STAT_SIZE_MEAN] = 1201.5,
			 [STAT_SIZE_VAR] = 1202.25,
			 [STAT_IAT_MEAN] = 0.0203,
			 [STAT_IAT_VAR] = 0.000204},
	};
	report.src_family = strchr(src, ':') != NULL ? IP_FAMILY_V6 : IP_FAMILY_V4;
	report.dst_family = strchr(dst, ':') != NULL ? IP_FAMILY_V6 : IP_FAMILY_V4;
	return report;
}

static struct prefix_list lan_of(const char *a, const char *b)
{
	struct prefix_list lan = {0};

	CU_ASSERT_EQUAL_FATAL(prefix_list_add(&lan, a), 0);
	if (b != NULL)
		CU_ASSERT_EQUAL_FATAL(prefix_list_add(&lan, b), 0);
	return lan;
}

/* The model's order: DW six first, then UP six. */
static void assert_halves(const struct features *features, const double *down, const double *up)
{
	const double *halves[2] = {down, up};
	int h;

	for (h = 0; h < 2; h++) {
		const double *stats = halves[h];
		const float *v = &features->values[6 * h];

		CU_ASSERT_EQUAL(v[0], (float)stats[STAT_SIZE_MEAN]);
		CU_ASSERT_EQUAL(v[1], (float)stats[STAT_SIZE_VAR]);
		CU_ASSERT_EQUAL(v[2], (float)stats[STAT_IAT_MEAN]);
		CU_ASSERT_EQUAL(v[3], (float)stats[STAT_IAT_VAR]);
		CU_ASSERT_EQUAL(v[4], (float)(stats[STAT_SIZE_MEAN] * stats[STAT_COUNT]));
		CU_ASSERT_EQUAL(v[5], (float)stats[STAT_COUNT]);
	}
}

static void test_names(void)
{
	static const char *const expected[FEATURE_COUNT] = {
		"dw_size_mean",		"dw_size_var", "dw_iat_mean",	       "dw_iat_var",
		"dw_size_mean_x_count", "dw_count",    "up_size_mean",	       "up_size_var",
		"up_iat_mean",		"up_iat_var",  "up_size_mean_x_count", "up_count",
	};
	int i;

	for (i = 0; i < FEATURE_COUNT; i++)
		CU_ASSERT_STRING_EQUAL(feature_names[i], expected[i]);
}

static void test_order_literal(void)
{
	struct prefix_list lan = lan_of("192.168.0.0/16", NULL);
	struct report report = make_report("192.168.1.10", "8.8.8.8");
	struct features features;
	struct ip_pair pair;

	CU_ASSERT_EQUAL(features_build(&report, &lan, &pair, &features), DROP_NONE);
	/* Written out once by hand: DW = report->down, UP = report->up. */
	CU_ASSERT_EQUAL(features.values[0], 1201.5f);
	CU_ASSERT_EQUAL(features.values[1], 1202.25f);
	CU_ASSERT_EQUAL(features.values[2], (float)0.0203);
	CU_ASSERT_EQUAL(features.values[3], (float)0.000204);
	CU_ASSERT_EQUAL(features.values[4], 26433.0f);
	CU_ASSERT_EQUAL(features.values[5], 22.0f);
	CU_ASSERT_EQUAL(features.values[6], 101.5f);
	CU_ASSERT_EQUAL(features.values[7], 102.25f);
	CU_ASSERT_EQUAL(features.values[8], (float)0.0103);
	CU_ASSERT_EQUAL(features.values[9], (float)0.000104);
	CU_ASSERT_EQUAL(features.values[10], 1116.5f);
	CU_ASSERT_EQUAL(features.values[11], 11.0f);
}

/* Expects the pair as given and the halves unswapped, or both swapped. */
static void assert_oriented(const char *src, const char *dst, const struct prefix_list *lan,
			    bool swapped)
{
	struct report report = make_report(src, dst);
	struct features features;
	struct ip_pair pair;

	CU_ASSERT_EQUAL(features_build(&report, lan, &pair, &features), DROP_NONE);
	CU_ASSERT_TRUE(same_address(&pair.ip1, swapped ? dst : src));
	CU_ASSERT_TRUE(same_address(&pair.ip2, swapped ? src : dst));
	if (swapped)
		assert_halves(&features, report.up, report.down);
	else
		assert_halves(&features, report.down, report.up);
}

static void test_orientation_ipv4(void)
{
	struct prefix_list lan = lan_of("192.168.0.0/16", "10.0.0.0/8");

	assert_oriented("192.168.1.10", "8.8.8.8", &lan, false);  /* in -> out */
	assert_oriented("8.8.8.8", "192.168.1.10", &lan, true);	  /* out -> in: swapped */
	assert_oriented("192.168.1.10", "10.1.1.1", &lan, false); /* in -> in */
	assert_oriented("8.8.8.8", "1.1.1.1", &lan, false);	  /* out -> out */
}

static void test_orientation_ipv6(void)
{
	struct prefix_list lan = lan_of("fc00::/7", "192.168.0.0/16");

	assert_oriented("fd00::5", "2001:db8::1", &lan, false);
	assert_oriented("2001:db8::1", "fd00::5", &lan, true);
	assert_oriented("fd00::5", "fdff::1", &lan, false);
	assert_oriented("2001:db8::1", "2001:db8::2", &lan, false);
	/* Mixed families: an IPv4 LAN host is found by its IPv4 prefix. */
	assert_oriented("2001:db8::1", "192.168.0.7", &lan, true);
}

/* The addresses right outside a LAN prefix are not LAN: nothing is turned round. */
static void test_lan_prefix_edges(void)
{
	struct prefix_list lan16 = lan_of("192.168.0.0/16", NULL);
	struct prefix_list lan15 = lan_of("192.168.0.0/15", NULL);

	assert_oriented("8.8.8.8", "192.167.255.255", &lan16, false);
	assert_oriented("8.8.8.8", "192.169.0.0", &lan16, false);
	assert_oriented("8.8.8.8", "192.168.0.0", &lan16, true);
	assert_oriented("8.8.8.8", "192.168.255.255", &lan16, true);
	assert_oriented("8.8.8.8", "192.167.255.255", &lan15, false);
	assert_oriented("8.8.8.8", "192.170.0.0", &lan15, false);
	assert_oriented("8.8.8.8", "192.169.255.255", &lan15, true);
	assert_oriented("8.8.8.8", "192.168.0.0", &lan15, true);
}

/*
 * A report naming ::ffff:192.168.1.10 names an IPv6 address: it is not in
 * the IPv4 LAN 192.168.0.0/16 (as Python's ipaddress says), although its
 * 16 bytes are those of 192.168.1.10.  An IPv6 LAN prefix in mapped
 * notation holds it.
 */
static void test_mapped_address_is_not_in_ipv4_lan(void)
{
	struct prefix_list lan = lan_of("192.168.0.0/16", NULL);
	struct prefix_list mapped_lan = lan_of("::ffff:192.168.0.0/112", NULL);

	assert_oriented("8.8.8.8", "::ffff:192.168.1.10", &lan, false);
	assert_oriented("::ffff:8.8.8.8", "192.168.1.10", &lan, true);
	assert_oriented("8.8.8.8", "::ffff:192.168.1.10", &mapped_lan, true);
	assert_oriented("8.8.8.8", "192.168.1.10", &mapped_lan, false);
}

static void test_empty_lan_keeps_order(void)
{
	struct prefix_list lan = {0};

	assert_oriented("8.8.8.8", "192.168.1.10", &lan, false);
	assert_oriented("192.168.1.10", "8.8.8.8", &lan, false);
}

static void test_product_rounded_once(void)
{
	struct prefix_list lan = {0};
	struct report report = make_report("192.168.1.10", "8.8.8.8");
	struct features features;
	struct ip_pair pair;

	report.down[STAT_SIZE_MEAN] = 1234.56789;
	report.down[STAT_COUNT] = 33;
	report.up[STAT_SIZE_MEAN] = 1187.3;
	report.up[STAT_COUNT] = 29;
	/* The test only proves something where the two roundings differ. */
	CU_ASSERT_FATAL((float)1234.56789 * 33.0f != (float)(1234.56789 * 33));
	CU_ASSERT_FATAL((float)1187.3 * 29.0f != (float)(1187.3 * 29));

	CU_ASSERT_EQUAL(features_build(&report, &lan, &pair, &features), DROP_NONE);
	CU_ASSERT_EQUAL(features.values[4], (float)(1234.56789 * 33));
	CU_ASSERT_EQUAL(features.values[4], 40740.7422f);
	CU_ASSERT_EQUAL(features.values[10], (float)(1187.3 * 29));
	CU_ASSERT_EQUAL(features.values[10], 34431.6992f);
}

/* 2^128 - 2^103: halfway between FLT_MAX and 2^128, the first double that rounds to infinity. */
#define FLOAT_ROUNDING_LIMIT 0x1.ffffffp+127

static enum drop_reason build_with(enum window_stat stat, bool down, double value, double count)
{
	struct prefix_list lan = {0};
	struct report report = make_report("192.168.1.10", "8.8.8.8");
	struct features features;
	struct ip_pair pair;
	double *half = down ? report.down : report.up;

	half[STAT_COUNT] = count;
	half[stat] = value;
	return features_build(&report, &lan, &pair, &features);
}

/*
 * sklearn refuses a value that float32 cannot hold (it becomes infinity);
 * so does cgnf, under its own reason, instead of classifying an infinite
 * feature.  The edges: FLT_MAX and everything that rounds to it pass.
 */
static void test_beyond_float_refused(void)
{
	static const enum window_stat stats[] = {STAT_SIZE_MEAN, STAT_SIZE_VAR, STAT_IAT_MEAN,
						 STAT_IAT_VAR};
	const double below_limit = nextafter(FLOAT_ROUNDING_LIMIT, 0);

	CU_ASSERT_EQUAL_FATAL((float)below_limit, FLT_MAX);
	CU_ASSERT_FATAL(isinf((float)FLOAT_ROUNDING_LIMIT));
	for (int d = 0; d < 2; d++) {
		for (size_t i = 0; i < UNIT_COUNT(stats); i++) {
			/* Count 1: the mean x count product is the mean itself. */
			CU_ASSERT_EQUAL(build_with(stats[i], d, FLT_MAX, 1), DROP_NONE);
			CU_ASSERT_EQUAL(build_with(stats[i], d, below_limit, 1), DROP_NONE);
			CU_ASSERT_EQUAL(build_with(stats[i], d, FLOAT_ROUNDING_LIMIT, 1),
					DROP_REPORT_BEYOND_FLOAT);
			CU_ASSERT_EQUAL(build_with(stats[i], d,
						   nextafter(FLOAT_ROUNDING_LIMIT, INFINITY), 1),
					DROP_REPORT_BEYOND_FLOAT);
			CU_ASSERT_EQUAL(build_with(stats[i], d, 1e39, 1), DROP_REPORT_BEYOND_FLOAT);
			CU_ASSERT_EQUAL(build_with(stats[i], d, 1.7976931348623157e308, 1),
					DROP_REPORT_BEYOND_FLOAT);
		}
		/* Variances may be negative (the probe's rounding): the same bound below 0. */
		CU_ASSERT_EQUAL(build_with(STAT_SIZE_VAR, d, -FLT_MAX, 1), DROP_NONE);
		CU_ASSERT_EQUAL(build_with(STAT_IAT_VAR, d, -1e300, 1), DROP_REPORT_BEYOND_FLOAT);
		CU_ASSERT_EQUAL(build_with(STAT_SIZE_VAR, d, -FLOAT_ROUNDING_LIMIT, 1),
				DROP_REPORT_BEYOND_FLOAT);
		/* The count itself, and a product that overflows float although both factors fit.
		 */
		CU_ASSERT_EQUAL(build_with(STAT_COUNT, d, 1e39, 1e39), DROP_REPORT_BEYOND_FLOAT);
		CU_ASSERT_EQUAL(build_with(STAT_SIZE_MEAN, d, 1e37, 100), DROP_REPORT_BEYOND_FLOAT);
		CU_ASSERT_EQUAL(build_with(STAT_SIZE_MEAN, d, 1e36, 100), DROP_NONE);
		CU_ASSERT_EQUAL(build_with(STAT_SIZE_MEAN, d, FLT_MAX / 4, 4), DROP_NONE);
		/* A product beyond double's range too (1e300 x 1e300 = inf). */
		CU_ASSERT_EQUAL(build_with(STAT_SIZE_MEAN, d, 1e300, 1e300),
				DROP_REPORT_BEYOND_FLOAT);
	}
}

/* The same through the parser: the text's numbers are valid JSON and finite doubles. */
static void test_beyond_float_from_text(void)
{
	static const char *const texts[] = {
		"[\"10.0.0.1\",1,\"10.0.0.2\",2,[1,1e39,0,0,0],[1,1,0,0,0]]",
		"[\"10.0.0.1\",1,\"10.0.0.2\",2,[1,1,0,0,0],[1,1.7976931348623157e308,0,0,0]]",
		"[\"10.0.0.1\",1,\"10.0.0.2\",2,[1,1,-1e300,0,0],[1,1,0,0,0]]",
		"[\"10.0.0.1\",1,\"10.0.0.2\",2,[100,1e37,0,0,0],[1,1,0,0,0]]",
		"[\"10.0.0.1\",1,\"10.0.0.2\",2,[1,1,0,0,3.4028235677973366e38],[1,1,0,0,0]]",
	};
	static const char fits[] =
		"[\"10.0.0.1\",1,\"10.0.0.2\",2,[1,3.4028235677973362e38,0,0,0],[1,1,0,0,0]]";
	struct prefix_list lan = {0};
	struct features features;
	struct report report;
	struct ip_pair pair;

	for (size_t i = 0; i < UNIT_COUNT(texts); i++) {
		CU_ASSERT_EQUAL_FATAL(report_parse(texts[i], strlen(texts[i]), &report), DROP_NONE);
		CU_ASSERT_EQUAL(features_build(&report, &lan, &pair, &features),
				DROP_REPORT_BEYOND_FLOAT);
	}
	CU_ASSERT_EQUAL_FATAL(report_parse(fits, strlen(fits), &report), DROP_NONE);
	CU_ASSERT_EQUAL(features_build(&report, &lan, &pair, &features), DROP_NONE);
	CU_ASSERT_EQUAL(features.values[6], FLT_MAX);
	CU_ASSERT_STRING_EQUAL(drop_reason_name(DROP_REPORT_BEYOND_FLOAT), "report_beyond_float");
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"feature names in the model's order", test_names},
		{"values in the model's order", test_order_literal},
		{"orientation, IPv4, all four LAN cases", test_orientation_ipv4},
		{"orientation, IPv6 and mixed", test_orientation_ipv6},
		{"no LAN prefix: SRC stays first", test_empty_lan_keeps_order},
		{"addresses just outside a LAN prefix are not LAN", test_lan_prefix_edges},
		{"::ffff:a.b.c.d is not in an IPv4 LAN prefix",
		 test_mapped_address_is_not_in_ipv4_lan},
		{"mean x count in double, rounded once", test_product_rounded_once},
		{"values beyond float32 refused, FLT_MAX kept", test_beyond_float_refused},
		{"values beyond float32 refused, from report texts", test_beyond_float_from_text},
	};

	return unit_run_suite("features", NULL, NULL, tests, UNIT_COUNT(tests));
}
