/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/dscp.h: the DS field of IPv4 and IPv6 frames (plain, 802.1Q, QinQ)
 * set in place.  Over many random IPv4 headers (options included) every
 * rewritten header has the checksum a full recomputation gives and sums to
 * a valid header; ECN and the IPv6 flow label never change, nor any byte
 * besides the DS field and the checksum.  And the names --cg-dscp takes.
 */
#include <string.h>

#include <CUnit/Basic.h>

#include "dscp.h"
#include "splitmix64.h"
#include "unit_main.h"

#define RANDOM_HEADERS 200000

/* The Internet checksum of a header, the checksum field taken as zero. */
static uint16_t full_checksum(const uint8_t *header, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		if (i != 10)
			sum += (uint32_t)(header[i] << 8 | header[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The one's complement sum over a header, checksum included: 0xffff when valid. */
static uint16_t header_sum(const uint8_t *header, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(header[i] << 8 | header[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* An Ethernet frame of `tags` VLAN tags around a random IPv4 header; returns its length. */
static size_t random_ipv4_frame(uint8_t *frame, unsigned int tags, uint64_t *state,
				size_t *l3_offset, size_t *header_len)
{
	size_t offset = 12, ihl = 5 + splitmix64_next(state) % 11, i;
	uint16_t checksum;

	for (i = 0; i < 12; i++)
		frame[i] = (uint8_t)splitmix64_next(state);
	for (i = 0; i < tags; i++) {
		frame[offset] = i == 0 && tags == 2 ? 0x88 : 0x81;
		frame[offset + 1] = i == 0 && tags == 2 ? 0xa8 : 0x00;
		frame[offset + 2] = (uint8_t)splitmix64_next(state);
		frame[offset + 3] = (uint8_t)splitmix64_next(state);
		offset += 4;
	}
	frame[offset] = 0x08;
	frame[offset + 1] = 0x00;
	offset += 2;
	*l3_offset = offset;
	*header_len = ihl * 4;
	for (i = 0; i < ihl * 4; i++)
		frame[offset + i] = (uint8_t)splitmix64_next(state);
	frame[offset] = (uint8_t)(0x40 | ihl);
	checksum = full_checksum(frame + offset, ihl * 4);
	frame[offset + 10] = (uint8_t)(checksum >> 8);
	frame[offset + 11] = (uint8_t)checksum;
	for (i = offset + ihl * 4; i < offset + ihl * 4 + 8; i++)
		frame[i] = (uint8_t)splitmix64_next(state);
	return offset + ihl * 4 + 8;
}

static void test_ipv4_checksum_random(void)
{
	uint64_t state = 1;
	uint8_t frame[128], before[128];
	unsigned int changed = 0, wrong_value = 0, invalid = 0, other_bytes = 0, ecn_changed = 0;

	for (unsigned int n = 0; n < RANDOM_HEADERS; n++) {
		size_t l3, header_len,
			len = random_ipv4_frame(frame, n % 3, &state, &l3, &header_len);
		struct dscp_ip_header ip;
		uint8_t dscp = (uint8_t)(splitmix64_next(&state) % 64);
		const uint8_t *header = frame + l3;

		memcpy(before, frame, len);
		if (dscp_locate(frame, len, &ip) != 0 || ip.ip_version != 4 || ip.l3_offset != l3) {
			CU_FAIL("an IPv4 frame not located");
			return;
		}
		changed += dscp_set(frame, &ip, dscp);
		CU_ASSERT_EQUAL_FATAL(dscp_get(frame, &ip), dscp);
		if ((header[1] & 3) != (before[l3 + 1] & 3))
			ecn_changed++;
		if ((uint16_t)(header[10] << 8 | header[11]) != full_checksum(header, header_len))
			wrong_value++;
		if (header_sum(header, header_len) != 0xffff)
			invalid++;
		for (size_t i = 0; i < len; i++)
			if (i != l3 + 1 && i != l3 + 10 && i != l3 + 11 && frame[i] != before[i])
				other_bytes++;
	}
	CU_ASSERT(changed > RANDOM_HEADERS / 2);
	CU_ASSERT_EQUAL(wrong_value, 0);
	CU_ASSERT_EQUAL(invalid, 0);
	CU_ASSERT_EQUAL(other_bytes, 0);
	CU_ASSERT_EQUAL(ecn_changed, 0);
}

/* RFC 1624's own example of where equation 2 goes wrong: equation 3 gives 0x0000, not 0xffff. */
static void test_rfc1624_example(void)
{
	CU_ASSERT_EQUAL(dscp_checksum_adjust(0xdd2f, 0x5555, 0x3285), 0x0000);
}

static void test_ipv6_traffic_class(void)
{
	uint64_t state = 7;
	uint8_t frame[80], before[80];

	for (unsigned int n = 0; n < 10000; n++) {
		struct dscp_ip_header ip;
		uint8_t dscp = (uint8_t)(n % 64);

		for (size_t i = 0; i < sizeof(frame); i++)
			frame[i] = (uint8_t)splitmix64_next(&state);
		frame[12] = 0x86;
		frame[13] = 0xdd;
		frame[14] = (uint8_t)(0x60 | (frame[14] & 0x0f));
		memcpy(before, frame, sizeof(frame));
		CU_ASSERT_EQUAL_FATAL(dscp_locate(frame, 54, &ip), 0);
		CU_ASSERT_EQUAL(ip.ip_version, 6);
		CU_ASSERT(memcmp(ip.source.bytes, frame + 22, 16) == 0);
		dscp_set(frame, &ip, dscp);
		CU_ASSERT_EQUAL(dscp_get(frame, &ip), dscp);
		CU_ASSERT_EQUAL(frame[14] >> 4, 6);		      /* version */
		CU_ASSERT_EQUAL(frame[15] & 0x30, before[15] & 0x30); /* ECN */
		CU_ASSERT_EQUAL(frame[15] & 0x0f, before[15] & 0x0f); /* flow label */
		CU_ASSERT(memcmp(frame + 16, before + 16, sizeof(frame) - 16) == 0);
		CU_ASSERT(memcmp(frame, before, 14) == 0);
	}
}

/* EF on a known header: tos 0xb8 as tcpdump shows it, ECN 01 kept (0xb9). */
static void test_ef_known_header(void)
{
	uint8_t frame[34] = {[12] = 0x08, [13] = 0x00, [14] = 0x45, [15] = 0x01};
	struct dscp_ip_header ip;

	frame[16] = 0;
	frame[17] = 20;
	frame[22] = 64;
	frame[23] = 17;
	frame[24] = (uint8_t)(full_checksum(frame + 14, 20) >> 8);
	frame[25] = (uint8_t)full_checksum(frame + 14, 20);
	CU_ASSERT_EQUAL_FATAL(dscp_locate(frame, sizeof(frame), &ip), 0);
	CU_ASSERT_TRUE(dscp_set(frame, &ip, 46));
	CU_ASSERT_EQUAL(frame[15], 0xb9);
	CU_ASSERT_EQUAL(header_sum(frame + 14, 20), 0xffff);
	CU_ASSERT_FALSE(dscp_set(frame, &ip, 46));
}

static void test_not_ip(void)
{
	uint8_t arp[60] = {[12] = 0x08, [13] = 0x06};
	uint8_t short_ipv4[30] = {[12] = 0x08, [13] = 0x00, [14] = 0x45};
	uint8_t options_cut[38] = {[12] = 0x08, [13] = 0x00, [14] = 0x46};
	uint8_t bad_version[40] = {[12] = 0x08, [13] = 0x00, [14] = 0x65};
	uint8_t short_ipv6[50] = {[12] = 0x86, [13] = 0xdd, [14] = 0x60};
	struct dscp_ip_header ip;

	CU_ASSERT_EQUAL(dscp_locate(arp, sizeof(arp), &ip), -ENOENT);
	CU_ASSERT_EQUAL(dscp_locate(short_ipv4, sizeof(short_ipv4), &ip), -ENOENT);
	CU_ASSERT_EQUAL(dscp_locate(options_cut, sizeof(options_cut) - 1, &ip), -ENOENT);
	CU_ASSERT_EQUAL(dscp_locate(bad_version, sizeof(bad_version), &ip), -ENOENT);
	CU_ASSERT_EQUAL(dscp_locate(short_ipv6, sizeof(short_ipv6), &ip), -ENOENT);
	CU_ASSERT_EQUAL(dscp_locate(arp, 10, &ip), -ENOENT);
}

static void test_names(void)
{
	static const struct {
		const char *text;
		int value;
	} cases[] = {
		{"EF", 46},   {"ef", 46},   {"AF41", 34}, {"af11", 10}, {"AF43", 38},
		{"CS4", 32},  {"cs0", 0},   {"CS7", 56},  {"VA", 44},	{"LE", 1},
		{"BE", 0},    {"0", 0},	    {"63", 63},	  {"46", 46},	{"64", -1},
		{"AF44", -1}, {"AF51", -1}, {"CS8", -1},  {"", -1},	{"EF1", -1},
		{"-1", -1},   {"4x", -1},   {"AF4", -1},  {"CS", -1},	{" 46", -1},
	};

	for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
		uint8_t value = 255;
		int rc = dscp_parse(cases[i].text, &value);

		if (cases[i].value < 0) {
			CU_ASSERT_EQUAL(rc, -EINVAL);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(value, cases[i].value);
		}
	}
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"IPv4: random headers keep a valid, recomputed checksum, ECN and other bytes",
		 test_ipv4_checksum_random},
		{"RFC 1624's example: equation 3 gives 0x0000", test_rfc1624_example},
		{"IPv6: traffic class set, version, ECN and flow label kept",
		 test_ipv6_traffic_class},
		{"EF on a known header: tos 0xb8 plus ECN", test_ef_known_header},
		{"not IP, or too short: not located", test_not_ip},
		{"names and numbers --cg-dscp takes", test_names},
	};

	return unit_run_suite("dscp", NULL, NULL, tests, UNIT_COUNT(tests));
}
