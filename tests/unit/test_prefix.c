/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "prefix.h"
#include "unit_address.h"
#include "unit_main.h"

/* The address in the family of its notation, as a report's text gives it. */
static bool list_contains(const struct prefix_list *list, const char *text)
{
	struct ip_addr addr;
	enum ip_family family;

	CU_ASSERT_EQUAL_FATAL(ip_parse_family(&addr, text, strlen(text), &family), 0);
	return prefix_list_contains(list, &addr, family);
}

/* A list holding exactly one prefix. */
static struct prefix_list single(const char *text)
{
	struct prefix_list list = {0};

	CU_ASSERT_EQUAL_FATAL(prefix_list_add(&list, text), 0);
	return list;
}

static void assert_formats_as(const char *text, const char *expected)
{
	struct prefix_list list = single(text);
	char out[IP_TEXT_MAX + 4];

	prefix_format(&list.items[0], out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, expected);
}

static void test_ipv4_stored_as_mapped(void)
{
	struct prefix_list list = single("192.168.0.0/16");
	struct ip_addr mapped = address("::ffff:192.168.0.0");
	struct ip_addr mask;

	CU_ASSERT_EQUAL(list.count, 1);
	CU_ASSERT_EQUAL(list.items[0].bits, 96 + 16);
	CU_ASSERT_EQUAL(memcmp(&list.items[0].addr, &mapped, sizeof(mapped)), 0);
	mask = address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:0");
	CU_ASSERT_EQUAL(memcmp(&list.items[0].mask, &mask, sizeof(mask)), 0);
	/* Written in IPv6 notation, the same prefix counts its bits as IPv6. */
	list = single("::ffff:192.168.0.0/113");
	CU_ASSERT_EQUAL(list.items[0].bits, 113);
	mask = address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:8000");
	CU_ASSERT_EQUAL(memcmp(&list.items[0].mask, &mask, sizeof(mask)), 0);
	/* It holds IPv4-mapped IPv6 addresses, not IPv4 ones. */
	CU_ASSERT_TRUE(list_contains(&list, "::ffff:192.168.3.4"));
	CU_ASSERT_FALSE(list_contains(&list, "192.168.3.4"));
	CU_ASSERT_EQUAL(list.items[0].family, IP_FAMILY_V6);
	CU_ASSERT_EQUAL(single("192.168.0.0/16").items[0].family, IP_FAMILY_V4);
}

/*
 * The family is part of the match: the bytes of IPv4 127.0.0.1 and of IPv6
 * ::ffff:127.0.0.1 are the same (ip.h), yet an IPv4 allow-list entry must
 * not let an IPv6 packet from ::ffff:127.0.0.1 through, nor the reverse.
 */
static void test_family_is_matched(void)
{
	struct prefix_list v4 = single("127.0.0.1");
	struct prefix_list v6_mapped = single("::ffff:127.0.0.0/104");
	struct ip_addr loopback = address("127.0.0.1");

	CU_ASSERT_TRUE(prefix_list_contains(&v4, &loopback, IP_FAMILY_V4));
	CU_ASSERT_FALSE(prefix_list_contains(&v4, &loopback, IP_FAMILY_V6));
	CU_ASSERT_TRUE(prefix_list_contains(&v6_mapped, &loopback, IP_FAMILY_V6));
	CU_ASSERT_FALSE(prefix_list_contains(&v6_mapped, &loopback, IP_FAMILY_V4));
	CU_ASSERT_FALSE(list_contains(&v4, "::ffff:127.0.0.1"));
	CU_ASSERT_FALSE(list_contains(&v4, "::ffff:7f00:1"));
	CU_ASSERT_TRUE(list_contains(&v4, "127.0.0.1"));
}

static void test_bare_address_is_host_prefix(void)
{
	struct prefix_list v4 = single("10.1.2.3");
	struct prefix_list v6 = single("2001:db8::1");

	CU_ASSERT_EQUAL(v4.items[0].bits, 128);
	CU_ASSERT_EQUAL(v6.items[0].bits, 128);
	CU_ASSERT_TRUE(list_contains(&v4, "10.1.2.3"));
	CU_ASSERT_FALSE(list_contains(&v4, "10.1.2.4"));
	CU_ASSERT_TRUE(list_contains(&v6, "2001:db8::1"));
	CU_ASSERT_FALSE(list_contains(&v6, "2001:db8::2"));
}

static void test_length_boundaries(void)
{
	struct prefix_list any_v4 = single("0.0.0.0/0");
	struct prefix_list host_v4 = single("10.1.2.3/32");
	struct prefix_list host_v6 = single("2001:db8::1/128");
	struct prefix_list any = single("::/0");

	CU_ASSERT_TRUE(list_contains(&any_v4, "0.0.0.0"));
	CU_ASSERT_TRUE(list_contains(&any_v4, "255.255.255.255"));
	CU_ASSERT_FALSE(list_contains(&any_v4, "2001:db8::1"));
	CU_ASSERT_FALSE(list_contains(&any_v4, "::"));
	CU_ASSERT_TRUE(list_contains(&host_v4, "10.1.2.3"));
	CU_ASSERT_FALSE(list_contains(&host_v4, "10.1.2.2"));
	CU_ASSERT_TRUE(list_contains(&host_v6, "2001:db8::1"));
	CU_ASSERT_FALSE(list_contains(&host_v6, "2001:db8::"));
	/* ::/0 is every IPv6 address, IPv4-mapped ones included, and no IPv4 one. */
	CU_ASSERT_TRUE(list_contains(&any, "::"));
	CU_ASSERT_TRUE(list_contains(&any, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	CU_ASSERT_TRUE(list_contains(&any, "::ffff:192.0.2.1"));
	CU_ASSERT_FALSE(list_contains(&any, "192.0.2.1"));
	CU_ASSERT_FALSE(list_contains(&any_v4, "::ffff:192.0.2.1"));
}

static void test_host_bits_refused(void)
{
	struct prefix_list list = {0};

	CU_ASSERT_EQUAL(prefix_list_add(&list, "192.168.1.0/16"), -EINVAL);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "10.0.0.1/8"), -EINVAL);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "10.0.0.1/31"), -EINVAL);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "0.0.0.1/0"), -EINVAL);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "fc00::1/7"), -EINVAL);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "fd00::/7"), -EINVAL);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "2001:db9::/31"), -EINVAL);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "2001:db8:0:1:8000::/64"), -EINVAL);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "::1/127"), -EINVAL);
	CU_ASSERT_EQUAL(list.count, 0);
	/* Their corrected forms pass. */
	CU_ASSERT_EQUAL(prefix_list_add(&list, "192.168.0.0/16"), 0);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "10.0.0.0/31"), 0);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "2001:db8::/31"), 0);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "2001:db8:0:1::/64"), 0);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "::/127"), 0);
	CU_ASSERT_EQUAL(list.count, 5);
}

static void test_garbage_refused(void)
{
	static const char *const bad[] = {
		"",
		"/8",
		"10.0.0.0/",
		"10.0.0.0/33",
		"::/129",
		"10.0.0.0/-1",
		"10.0.0.0/+8",
		"10.0.0.0/ 8",
		"10.0.0.0/8 ",
		" 10.0.0.0/8",
		"10.0.0.0/8x",
		"10.0.0.0/8/8",
		"10.0.0/8",
		"10.0.0.256/32",
		"abc",
		"fc00::/7/",
		"10.0.0.0/4294967304",
		"10.0.0.0/0x8",
		"fc00:::/7",
		"1.2.3.4.5",
	};
	struct prefix_list list = {0};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ret = prefix_list_add(&list, bad[i]);
		if (ret != -EINVAL)
			fprintf(stderr, "'%s': %d, expected -EINVAL\n", bad[i], ret);
		CU_ASSERT_EQUAL(ret, -EINVAL);
	}
	CU_ASSERT_EQUAL(list.count, 0);
}

static void test_list_full(void)
{
	struct prefix_list list = {0};
	char text[32];
	int i;

	for (i = 0; i < PREFIX_LIST_MAX; i++) {
		snprintf(text, sizeof(text), "10.%d.0.0/16", i);
		CU_ASSERT_EQUAL(prefix_list_add(&list, text), 0);
	}
	CU_ASSERT_EQUAL(prefix_list_add(&list, "192.168.0.0/16"), -ENOSPC);
	CU_ASSERT_EQUAL(list.count, PREFIX_LIST_MAX);
	CU_ASSERT_TRUE(list_contains(&list, "10.63.1.1"));
	CU_ASSERT_FALSE(list_contains(&list, "10.64.1.1"));
}

static void test_membership_ipv4(void)
{
	struct prefix_list list = {0};

	CU_ASSERT_EQUAL(prefix_list_add(&list, "192.168.0.0/16"), 0);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "172.16.0.0/12"), 0);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "100.64.0.0/10"), 0);
	CU_ASSERT_TRUE(list_contains(&list, "192.168.0.0"));
	CU_ASSERT_TRUE(list_contains(&list, "192.168.255.255"));
	CU_ASSERT_FALSE(list_contains(&list, "192.169.0.0"));
	CU_ASSERT_FALSE(list_contains(&list, "192.167.255.255"));
	CU_ASSERT_TRUE(list_contains(&list, "172.16.0.1"));
	CU_ASSERT_TRUE(list_contains(&list, "172.31.255.255"));
	CU_ASSERT_FALSE(list_contains(&list, "172.32.0.0"));
	CU_ASSERT_FALSE(list_contains(&list, "172.15.255.255"));
	CU_ASSERT_TRUE(list_contains(&list, "100.127.0.1"));
	CU_ASSERT_FALSE(list_contains(&list, "100.128.0.1"));
	CU_ASSERT_FALSE(list_contains(&list, "8.8.8.8"));
	/* IPv4-compatible (not mapped) ::192.168.0.1 is an IPv6 address. */
	CU_ASSERT_FALSE(list_contains(&list, "::192.168.0.1"));
	/* IPv4-mapped IPv6 addresses are IPv6 ones: not held by IPv4 prefixes. */
	CU_ASSERT_FALSE(list_contains(&list, "::ffff:c0a9:1"));
	CU_ASSERT_FALSE(list_contains(&list, "::ffff:c0a8:1"));
	CU_ASSERT_FALSE(list_contains(&list, "::ffff:192.168.0.1"));
}

static void test_membership_ipv6(void)
{
	struct prefix_list list = {0};

	CU_ASSERT_EQUAL(prefix_list_add(&list, "fc00::/7"), 0);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "2001:db8:0:1::/64"), 0);
	CU_ASSERT_EQUAL(prefix_list_add(&list, "2001:db8:0:2::/65"), 0);
	CU_ASSERT_TRUE(list_contains(&list, "fc00::"));
	CU_ASSERT_TRUE(list_contains(&list, "fd12:3456::1"));
	CU_ASSERT_FALSE(list_contains(&list, "fe00::"));
	CU_ASSERT_FALSE(list_contains(&list, "fbff:ffff::"));
	/* Word boundaries: /64 and /65. */
	CU_ASSERT_TRUE(list_contains(&list, "2001:db8:0:1:ffff:ffff:ffff:ffff"));
	CU_ASSERT_FALSE(list_contains(&list, "2001:db8:0:0:ffff:ffff:ffff:ffff"));
	CU_ASSERT_TRUE(list_contains(&list, "2001:db8:0:2:7fff::1"));
	CU_ASSERT_FALSE(list_contains(&list, "2001:db8:0:2:8000::1"));
	/* An IPv6 prefix never holds an IPv4 address (they live in ::ffff:0:0/96). */
	CU_ASSERT_FALSE(list_contains(&list, "10.0.0.1"));
	CU_ASSERT_FALSE(list_contains(&list, "192.168.0.1"));
}

static void test_empty_list_contains_nothing(void)
{
	struct prefix_list list = {0};

	CU_ASSERT_FALSE(list_contains(&list, "10.0.0.1"));
	CU_ASSERT_FALSE(list_contains(&list, "::"));
}

static void test_format(void)
{
	struct prefix_list list = single("fc00::/7");
	char small[8];

	assert_formats_as("192.168.0.0/16", "192.168.0.0/16");
	assert_formats_as("10.1.2.3", "10.1.2.3/32");
	assert_formats_as("0.0.0.0/0", "0.0.0.0/0");
	assert_formats_as("fc00::/7", "fc00::/7");
	assert_formats_as("::/0", "::/0");
	assert_formats_as("2001:DB8::1", "2001:db8::1/128");
	/* IPv6 notation stays IPv6: it holds other addresses than 10.0.0.0/8. */
	assert_formats_as("::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104");
	assert_formats_as("::ffff:0:0/96", "::ffff:0.0.0.0/96");
	/* A short buffer is truncated, never overrun. */
	prefix_format(&list.items[0], small, sizeof(small));
	CU_ASSERT_STRING_EQUAL(small, "fc00::/");
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"IPv4 prefixes are stored IPv4-mapped", test_ipv4_stored_as_mapped},
		{"a bare address is a host prefix", test_bare_address_is_host_prefix},
		{"/0, /32 and /128", test_length_boundaries},
		{"a prefix holds only addresses of its family", test_family_is_matched},
		{"host bits set are refused", test_host_bits_refused},
		{"garbage and out-of-range lengths are refused", test_garbage_refused},
		{"a full list refuses with ENOSPC", test_list_full},
		{"IPv4 membership", test_membership_ipv4},
		{"IPv6 membership", test_membership_ipv6},
		{"an empty list contains nothing", test_empty_list_contains_nothing},
		{"prefix_format", test_format},
	};

	return unit_run_suite("prefix", NULL, NULL, tests, UNIT_COUNT(tests));
}
