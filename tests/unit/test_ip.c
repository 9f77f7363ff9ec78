/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP addresses: ip_parse against glibc's inet_pton on hand-picked and random
 * texts, ip_format round trips and inet_ntop's text, and the pair hash
 * (symmetric, keyed, spread over the low bits and over hash % n).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ip.h"
#include "splitmix64.h"
#include "unit_main.h"

/* Fixed seed: the same random texts and keys on every run. */
static uint64_t rng_state = 0x1dea5eedf00dull;

/* What ip_parse must give: inet_pton's answer, IPv4 first, IPv4 mapped. */
static int reference_parse(struct ip_addr *addr, const char *text)
{
	uint8_t v4[4];

	if (inet_pton(AF_INET, text, v4) == 1) {
		ip_from_v4(addr, v4);
		return 0;
	}
	return inet_pton(AF_INET6, text, addr->bytes) == 1 ? 0 : -EINVAL;
}

static unsigned long parsed_valid;

static void check_parse(const char *text)
{
	struct ip_addr got, expected;
	int got_rc = ip_parse(&got, text, strlen(text));
	int expected_rc = reference_parse(&expected, text);

	if (got_rc != expected_rc)
		fprintf(stderr, "'%s': ip_parse %d, inet_pton %d\n", text, got_rc, expected_rc);
	CU_ASSERT_EQUAL(got_rc, expected_rc);
	if (got_rc == 0 && expected_rc == 0) {
		CU_ASSERT(memcmp(&got, &expected, sizeof(got)) == 0);
		parsed_valid++;
	}
}

static const char *const hand_texts[] = {
	"1.2.3.4",
	"0.0.0.0",
	"255.255.255.255",
	"192.168.1.11",
	"01.2.3.4",
	"1.02.3.4",
	"00.1.2.3",
	"1.2.3.04",
	"1.2.3.0",
	"256.1.1.1",
	"1.2.3",
	"1.2.3.4.",
	".1.2.3.4",
	"1..2.3",
	"1.2.3.4.5",
	"1.2.3.",
	"",
	".",
	"1",
	"1234.1.1.1",
	"0x1.2.3.4",
	"1.2.3.4 ",
	" 1.2.3.4",
	"+1.2.3.4",
	"-1.2.3.4",
	"1.2.3.-4",
	"1.2.3.255",
	"1.2.3.2555",
	"::",
	"::1",
	"1::",
	"::ffff:1.2.3.4",
	"::1.2.3.4",
	"::ffff:01.2.3.4",
	"1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8:9",
	"1:2:3:4:5:6:7::",
	"::2:3:4:5:6:7:8",
	"1:2:3:4:5:6:1.2.3.4",
	"1:2:3:4:5:6:7:1.2.3.4",
	"12345::",
	"fffff::",
	"FFFF::ffff",
	"1:::2",
	":1::2",
	"1::2:",
	"1:2",
	"fe80::1%eth0",
	"::ffff:1.2.3",
	"g::1",
	"0000:0000:0000:0000:0000:0000:255.255.255.255",
	"1::2::3",
	"::ffff:255.255.255.256",
	/* IPv6 edges, each checked against glibc 2.36 */
	"1::2:3:4:5:6:7",
	"::1:2:3:4:5:6:7",
	"1:2:3:4:5:6:7:8::",
	"::1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8:",
	":1:2:3:4:5:6:7:8",
	"1:2:3:4::5:6:7:8",
	":1::",
	":",
	":::",
	"::::",
	"1:",
	"1::2:3::",
	"1:2:3:4:5:6::1.2.3.4",
	"1:2:3:4:5::1.2.3.4",
	"::1:2:3:4:5:1.2.3.4",
	"a:b:c:d:e:f:1.2.3.4",
	"1:2:3:4:5:6:7:8:1.2.3.4",
	"::01.2.3.4",
	"::1.2.3.04",
	"::1.2.3.4.",
	"::1.2.3.4:1",
	"::1.2.3.4::",
	"1.2.3.4::",
	"::a.2.3.4",
	"::1.2.3",
	"::.1.2.3",
	"::1..2.3",
	":1.2.3.4",
	"::1234.1.1.1",
	"::12345.1.1.1",
	"1::1.2.3.4",
	"::255.255.255.255",
	"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
	"0ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	"0000:0000:0000:0000:0000:0000:0000:0000",
	"00000::",
	"01234::",
	"12345::1",
	"::12345",
	"ABCD:EF01:2345:6789:abcd:ef01:2345:6789",
	"aBcD::eF",
	"1:g::",
	"1::G",
	"::1 ",
	" ::1",
	"::1%eth0",
	"fe80::1%1",
	"1:2:3:4:5:6:7:8%eth0",
	"0:0:0:0:0:0:0:0:0",
	"1::2::3",
	"::-1",
	"::+1",
	"[::1]",
	"::0x1",
};

static void test_parse_hand_texts(void)
{
	struct ip_addr addr;

	for (size_t i = 0; i < sizeof(hand_texts) / sizeof(hand_texts[0]); i++)
		check_parse(hand_texts[i]);
	/* Not NUL-terminated: only len bytes count. */
	CU_ASSERT_EQUAL(ip_parse(&addr, "10.0.0.1999", 8), 0);
	CU_ASSERT_EQUAL(addr.bytes[15], 1);
	CU_ASSERT_EQUAL(ip_parse(&addr, "::1abc", 3), 0);
	CU_ASSERT_EQUAL(addr.bytes[15], 1);
	/* A NUL inside the text is not the end of it. */
	CU_ASSERT_EQUAL(ip_parse(&addr, "::1\0", 4), -EINVAL);
	CU_ASSERT_EQUAL(ip_parse(&addr, "1.2.3.4\0", 8), -EINVAL);
	CU_ASSERT_EQUAL(ip_parse(&addr, "1.2.3.4", 0), -EINVAL);
}

/* Random texts from the address alphabet, and mangled real addresses. */
static void test_parse_random_texts(void)
{
	static const char alphabet[] = "0123456789.:abcdefABCDEFx ";
	char text[IP_TEXT_MAX + 8];
	unsigned long count = 0;

	parsed_valid = 0;
	for (int i = 0; i < 300000; i++) {
		uint64_t r = splitmix64_next(&rng_state);
		size_t length;

		switch (i % 4) {
		case 0: /* random dotted quads, leading zeros and big parts included */
			snprintf(text, sizeof(text), "%s%u.%u.%u.%u", r & 1 ? "" : "0",
				 (unsigned int)(r >> 8) % 300, (unsigned int)(r >> 20) % 300,
				 (unsigned int)(r >> 32) % 260, (unsigned int)(r >> 44) % 1000);
			if (r & 2)
				memmove(text, text + 1, strlen(text));
			break;
		case 1: /* random IPv6 with a zero run, sometimes an IPv4 tail */
			snprintf(text, sizeof(text), "%x:%x::%x:%s%u.%u.%u.%u",
				 (unsigned int)r & 0xffff, (unsigned int)(r >> 16) & 0x1ffff,
				 (unsigned int)(r >> 33) & 0xfff, r & (1ull << 50) ? "0" : "",
				 (unsigned int)(r >> 51) & 0xff, 7u, (unsigned int)(r >> 40) & 0xff,
				 0u);
			if (r & (1ull << 62))
				text[strlen(text) - 8] = '\0';
			break;
		default:
			length = r % (IP_TEXT_MAX + 2);
			r = splitmix64_next(&rng_state);
			for (size_t j = 0; j < length; j++) {
				if (j % 8 == 0)
					r = splitmix64_next(&rng_state);
				text[j] = alphabet[(r >> (8 * (j % 8))) % (sizeof(alphabet) - 1)];
			}
			text[length] = '\0';
			break;
		}
		check_parse(text);
		count++;
	}
	printf("\nip_parse: %lu random texts compared with inet_pton, %lu valid\n", count,
	       parsed_valid);
	CU_ASSERT_TRUE(parsed_valid > 30000); /* the generator reaches both outcomes */
}

/*
 * One IPv6-shaped text: 6 to 9 groups of 0 to 5 digits in either case, a
 * run of groups sometimes left out as "::", sometimes a dotted quad (leading
 * zeros and parts over 255 included) instead of the last two groups, and
 * sometimes one character inserted, deleted or replaced.
 */
static void random_v6_text(char *text, size_t size)
{
	static const char mutation_alphabet[] = "0123456789abcdefABCDEF::..g%x 0";
	static const char digits[] = "0123456789abcdef";
	uint64_t r = splitmix64_next(&rng_state), s = splitmix64_next(&rng_state);
	unsigned int groups = r % 2 ? 8 : 6 + (unsigned int)(r >> 1) % 4, quad = (r >> 2) % 3 == 0;
	unsigned int odd_group = (unsigned int)(s >> 58); /* one group over-long or empty */
	unsigned int run_from = (unsigned int)(r >> 4) % (groups + 1);
	unsigned int run_length = (r >> 8) % 3 == 0 ? 0 : (unsigned int)(r >> 10) % 5;
	size_t at = 0;

	for (unsigned int g = 0; g < groups - 2 * quad; g++) {
		unsigned int width = 1 + (unsigned int)(s >> (4 * (g % 16))) % 4;

		if (run_length > 0 && g == run_from) {
			at += (size_t)snprintf(text + at, size - at, g == 0 ? "::" : ":");
			g += run_length - 1;
			continue;
		}
		if (g > 0 && (at == 0 || text[at - 1] != ':'))
			text[at++] = ':';
		if (g == odd_group)
			width = 5 * (g % 2);
		for (unsigned int d = 0; d < width; d++) {
			char digit = digits[(r >> (3 + 4 * ((g + d) % 14))) % 16];

			if (d > 0 && (s >> (16 + g) & 1)) /* leading zeros */
				digit = (s >> (24 + g + d) & 1) ? '0' : digit;
			text[at++] =
				(s >> (40 + g) & 1) && digit > '9' ? (char)(digit - 32) : digit;
		}
	}
	if (quad) {
		uint64_t q = splitmix64_next(&rng_state);

		if (at > 0 && text[at - 1] != ':')
			text[at++] = ':';
		at += (size_t)snprintf(text + at, size - at, "%s%u.%u.%u.%u", q % 8 == 0 ? "0" : "",
				       (unsigned int)(q >> 8) % 260, (unsigned int)(q >> 16) % 256,
				       (unsigned int)(q >> 24) % 256,
				       (unsigned int)(q >> 32) % 300);
	}
	text[at] = '\0';
	if (run_length > 0 && run_from >= groups) /* a trailing "::" */
		at += (size_t)snprintf(text + at, size - at, "::");
	if ((r >> 60) % 2 == 0 && at > 0) {
		uint64_t m = splitmix64_next(&rng_state);
		size_t where = m % (at + 1);
		char c = mutation_alphabet[(m >> 16) % (sizeof(mutation_alphabet) - 1)];

		switch ((m >> 32) % 3) {
		case 0: /* insert */
			memmove(text + where + 1, text + where, at - where + 1);
			text[where] = c;
			break;
		case 1: /* delete */
			if (where < at)
				memmove(text + where, text + where + 1, at - where);
			break;
		default: /* replace */
			if (where < at)
				text[where] = c;
			break;
		}
	}
}

/* IPv6-shaped texts, valid and nearly valid, compared with inet_pton. */
static void test_parse_random_v6_texts(void)
{
	char text[128];
	unsigned long count = 0;

	parsed_valid = 0;
	for (int i = 0; i < 400000; i++) {
		random_v6_text(text, sizeof(text));
		check_parse(text);
		count++;
	}
	printf("\nip_parse: %lu IPv6-shaped texts compared with inet_pton, %lu valid\n", count,
	       parsed_valid);
	/* The generator reaches both outcomes, and often. */
	CU_ASSERT_TRUE(parsed_valid > count / 5 && parsed_valid < count * 4 / 5);
}

static void random_address(struct ip_addr *addr)
{
	uint64_t r = splitmix64_next(&rng_state), s = splitmix64_next(&rng_state);

	memcpy(addr->bytes, &r, 8);
	memcpy(addr->bytes + 8, &s, 8);
	switch (r % 4) {
	case 0: {
		uint8_t v4[4] = {(uint8_t)(s >> 8), (uint8_t)(s >> 16), (uint8_t)(s >> 24),
				 (uint8_t)s};

		ip_from_v4(addr, v4);
		break;
	}
	case 1: /* runs of zero groups, where :: compression happens */
		memset(addr->bytes + (s % 8) * 2, 0,
		       ((s >> 8) % 8) * 2 + 2 > 16 - (s % 8) * 2 ? 16 - (s % 8) * 2
								 : ((s >> 8) % 8) * 2 + 2);
		break;
	default:
		break;
	}
}

static void test_format_round_trip(void)
{
	for (int i = 0; i < 100000; i++) {
		struct ip_addr addr, back;
		char text[IP_TEXT_MAX], reference[IP_TEXT_MAX];

		random_address(&addr);
		ip_format(&addr, text);
		CU_ASSERT_EQUAL(ip_parse(&back, text, strlen(text)), 0);
		CU_ASSERT(memcmp(&addr, &back, sizeof(addr)) == 0);
		if (ip_is_v4(&addr))
			inet_ntop(AF_INET, addr.bytes + 12, reference, sizeof(reference));
		else
			inet_ntop(AF_INET6, addr.bytes, reference, sizeof(reference));
		CU_ASSERT_STRING_EQUAL(text, reference);
	}
}

static void test_format_examples(void)
{
	struct ip_addr addr;
	char text[IP_TEXT_MAX];

	CU_ASSERT_EQUAL_FATAL(ip_parse(&addr, "::ffff:192.168.1.11", 19), 0);
	CU_ASSERT_TRUE(ip_is_v4(&addr));
	ip_format(&addr, text);
	CU_ASSERT_STRING_EQUAL(text, "192.168.1.11");
	CU_ASSERT_EQUAL_FATAL(ip_parse(&addr, "2001:DB8:0:0:0::1", 17), 0);
	CU_ASSERT_FALSE(ip_is_v4(&addr));
	ip_format(&addr, text);
	CU_ASSERT_STRING_EQUAL(text, "2001:db8::1");
	memset(&addr, 0xff, sizeof(addr));
	ip_format(&addr, text);
	CU_ASSERT_STRING_EQUAL(text, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_pair_hash_symmetric_and_keyed(void)
{
	unsigned long seed_changes = 0;

	for (int i = 0; i < 100000; i++) {
		struct ip_pair pair, swapped;
		uint64_t seed = splitmix64_next(&rng_state);

		random_address(&pair.ip1);
		if (i % 16 == 0)
			pair.ip2 = pair.ip1;
		else
			random_address(&pair.ip2);
		swapped.ip1 = pair.ip2;
		swapped.ip2 = pair.ip1;
		CU_ASSERT_EQUAL(ip_pair_hash(&pair, seed), ip_pair_hash(&swapped, seed));
		CU_ASSERT_TRUE(ip_pair_same(&pair, &swapped));
		CU_ASSERT_TRUE(ip_pair_same(&pair, &pair));
		seed_changes += ip_pair_hash(&pair, seed) != ip_pair_hash(&pair, seed ^ 1);
		swapped.ip2.bytes[splitmix64_next(&rng_state) % 16] ^=
			(uint8_t)(1u << (splitmix64_next(&rng_state) % 8));
		CU_ASSERT_FALSE(ip_pair_same(&pair, &swapped));
	}
	CU_ASSERT_TRUE(seed_changes > 99900);
}

/*
 * Spread, on the worst realistic keys: one LAN /16 talking to a few
 * servers.  Chi-square over 1024 buckets (the table's low bits) and over
 * hash % 7 (classifier choice) stays near its degrees of freedom.
 */
static void test_pair_hash_spread(void)
{
	enum { BUCKETS = 1024, PAIRS = 1 << 18, CLASSIFIERS = 7 };
	static unsigned int low_bits[BUCKETS];
	unsigned int modulo[CLASSIFIERS] = {0};
	double chi_low = 0, chi_modulo = 0;
	uint64_t seed = splitmix64_next(&rng_state);

	for (unsigned int i = 0; i < PAIRS; i++) {
		struct ip_pair pair;
		uint8_t client[4] = {192, 168, (uint8_t)(i >> 8), (uint8_t)i};
		uint8_t server[4] = {34, 46, 43, (uint8_t)(90 + (i >> 16))};
		uint32_t hash;

		ip_from_v4(&pair.ip1, client);
		ip_from_v4(&pair.ip2, server);
		hash = ip_pair_hash(&pair, seed);
		low_bits[hash % BUCKETS]++;
		modulo[hash % CLASSIFIERS]++;
	}
	for (int i = 0; i < BUCKETS; i++) {
		double expected = (double)PAIRS / BUCKETS, gap = low_bits[i] - expected;

		chi_low += gap * gap / expected;
	}
	for (int i = 0; i < CLASSIFIERS; i++) {
		double expected = (double)PAIRS / CLASSIFIERS, gap = modulo[i] - expected;

		chi_modulo += gap * gap / expected;
	}
	printf("\npair hash: chi-square %.1f over %d buckets, %.1f over %d classifiers\n", chi_low,
	       BUCKETS, chi_modulo, CLASSIFIERS);
	/* Far beyond the 1e-6 tails of chi-square(1023) and chi-square(6). */
	CU_ASSERT_TRUE(chi_low < 1300);
	CU_ASSERT_TRUE(chi_modulo < 45);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"parse hand texts", test_parse_hand_texts},
		{"parse random texts", test_parse_random_texts},
		{"parse random IPv6 texts", test_parse_random_v6_texts},
		{"format round trip", test_format_round_trip},
		{"format examples", test_format_examples},
		{"pair hash symmetric and keyed", test_pair_hash_symmetric_and_keyed},
		{"pair hash spread", test_pair_hash_spread},
	};

	return unit_run_suite("ip", NULL, NULL, tests, UNIT_COUNT(tests));
}
