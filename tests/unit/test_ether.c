/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ether_parse beyond what a report frame needs (test_packet covers that
 * through packet_find_report): both addresses and ports, QinQ, IPv4 and
 * IPv6 first and later fragments, other L4 protocols, the link layer alone.
 */
#include <string.h>

#include <CUnit/Basic.h>

#include "ether.h"
#include "unit_address.h"
#include "unit_main.h"

#define PAYLOAD_LEN 100

struct frame {
	uint8_t bytes[512];
	size_t len;
};

static void put16(uint8_t *p, unsigned int value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

/* Ethernet with tag_count tags (TCI 100, 101...) ending in type; the offset after it. */
static size_t put_ethernet(struct frame *f, const uint16_t *tags, int tag_count, uint16_t type)
{
	size_t off = 12;

	memset(f->bytes, 0, sizeof(f->bytes));
	for (int i = 0; i < tag_count; i++) {
		put16(f->bytes + off, tags[i]);
		put16(f->bytes + off + 2, 100 + i);
		off += 4;
	}
	put16(f->bytes + off, type);
	return off + 2;
}

static void put_udp(struct frame *f, size_t off, unsigned int udp_len, size_t present)
{
	put16(f->bytes + off, 40000);
	put16(f->bytes + off + 2, 5000);
	put16(f->bytes + off + 4, udp_len);
	f->len = off + present;
}

/* 192.0.2.1 -> 198.51.100.2; fragment: IPv4 flags and offset field. */
static size_t put_ipv4(struct frame *f, size_t ip, unsigned int protocol, unsigned int fragment,
		       size_t l4_len)
{
	uint8_t *h = f->bytes + ip;

	h[0] = 0x45;
	put16(h + 2, 20 + l4_len);
	put16(h + 4, 0x1234);
	put16(h + 6, fragment);
	h[8] = 64;
	h[9] = (uint8_t)protocol;
	h[12] = 192, h[14] = 2, h[15] = 1;
	h[16] = 198, h[17] = 51, h[18] = 100, h[19] = 2;
	return ip + 20;
}

/* 2001:db8::1 -> 2001:db8::2, with a fragment header (offset_field: offset | M) if asked. */
static size_t put_ipv6(struct frame *f, size_t ip, bool with_fragment, unsigned int offset_field,
		       unsigned int protocol, size_t l4_len)
{
	uint8_t *h = f->bytes + ip;

	h[0] = 0x60;
	put16(h + 4, l4_len + (with_fragment ? 8 : 0));
	h[6] = with_fragment ? IP_PROTO_FRAGMENT : (uint8_t)protocol;
	h[7] = 64;
	h[8] = 0x20, h[9] = 0x01, h[10] = 0x0d, h[11] = 0xb8, h[23] = 1;
	h[24] = 0x20, h[25] = 0x01, h[26] = 0x0d, h[27] = 0xb8, h[39] = 2;
	if (!with_fragment)
		return ip + 40;
	h[40] = (uint8_t)protocol;
	put16(h + 42, offset_field);
	h[44] = 0xde, h[45] = 0xad, h[46] = 0xbe, h[47] = 0xef;
	return ip + 48;
}

static void assert_address(const struct ip_addr *got, const char *text)
{
	struct ip_addr expected = address(text);

	CU_ASSERT_EQUAL(memcmp(got, &expected, sizeof(expected)), 0);
}

static void test_ipv4_udp_fields(void)
{
	struct ether_headers h = {0};
	struct frame f;
	size_t ip = put_ethernet(&f, NULL, 0, ETHER_TYPE_IPV4);
	size_t udp = put_ipv4(&f, ip, IP_PROTO_UDP, 0x4000, 8 + PAYLOAD_LEN);

	put_udp(&f, udp, 8 + PAYLOAD_LEN, 8 + PAYLOAD_LEN);
	CU_ASSERT_EQUAL_FATAL(ether_parse(f.bytes, f.len, 0, &h), DROP_NONE);
	CU_ASSERT_EQUAL(h.ether_type, ETHER_TYPE_IPV4);
	CU_ASSERT_EQUAL(h.vlan_count, 0);
	CU_ASSERT_EQUAL(h.l3_offset, 14);
	CU_ASSERT_EQUAL(h.ip_version, 4);
	CU_ASSERT_EQUAL(h.l4_protocol, IP_PROTO_UDP);
	CU_ASSERT_FALSE(h.fragment);
	assert_address(&h.source, "192.0.2.1");
	assert_address(&h.destination, "198.51.100.2");
	CU_ASSERT_EQUAL(h.l4_offset, udp);
	CU_ASSERT_EQUAL(h.l4_len, 8 + PAYLOAD_LEN);
	CU_ASSERT_TRUE(h.has_udp);
	CU_ASSERT_EQUAL(h.source_port, 40000);
	CU_ASSERT_EQUAL(h.destination_port, 5000);
	CU_ASSERT_EQUAL(h.payload_offset, udp + 8);
	CU_ASSERT_EQUAL(h.payload_len, PAYLOAD_LEN);
}

static void test_qinq(void)
{
	static const uint16_t tags[] = {ETHER_TYPE_QINQ, ETHER_TYPE_VLAN, ETHER_TYPE_VLAN};
	struct ether_headers h = {0};
	struct frame f;
	size_t ip = put_ethernet(&f, tags, 2, ETHER_TYPE_IPV6);

	put_udp(&f, put_ipv6(&f, ip, false, 0, IP_PROTO_UDP, 8 + PAYLOAD_LEN), 8 + PAYLOAD_LEN,
		8 + PAYLOAD_LEN);
	/* packet.c's rules: one tag at most. */
	CU_ASSERT_EQUAL(ether_parse(f.bytes, f.len, 0, &h), DROP_VLAN_NESTED);
	CU_ASSERT_EQUAL_FATAL(ether_parse(f.bytes, f.len, ETHER_ALLOW_QINQ, &h), DROP_NONE);
	CU_ASSERT_EQUAL(h.vlan_count, 2);
	CU_ASSERT_EQUAL(h.vlan_tci[0], 100);
	CU_ASSERT_EQUAL(h.vlan_tci[1], 101);
	CU_ASSERT_EQUAL(h.l3_offset, 22);
	CU_ASSERT_EQUAL(h.ip_version, 6);
	assert_address(&h.source, "2001:db8::1");
	assert_address(&h.destination, "2001:db8::2");
	CU_ASSERT_EQUAL(h.payload_len, PAYLOAD_LEN);
	/* A runt inside the second tag, and a third tag. */
	CU_ASSERT_EQUAL(ether_parse(f.bytes, 21, ETHER_ALLOW_QINQ, &h), DROP_FRAME_RUNT);
	put_ethernet(&f, tags, 3, ETHER_TYPE_IPV6);
	CU_ASSERT_EQUAL(ether_parse(f.bytes, f.len, ETHER_ALLOW_QINQ, &h), DROP_VLAN_NESTED);
}

static void test_link_only(void)
{
	static const uint16_t tag[] = {ETHER_TYPE_VLAN};
	struct ether_headers h = {0};
	struct frame f;

	put_ethernet(&f, tag, 1, ETHER_TYPE_ARP);
	CU_ASSERT_EQUAL_FATAL(ether_parse_link(f.bytes, 46, 0, &h), DROP_NONE);
	CU_ASSERT_EQUAL(h.ether_type, ETHER_TYPE_ARP);
	CU_ASSERT_EQUAL(h.l3_offset, 18);
	/* The whole walk says not_ip, with the link layer filled for the caller. */
	CU_ASSERT_EQUAL(ether_parse(f.bytes, 46, 0, &h), DROP_NOT_IP);
	CU_ASSERT_EQUAL(h.ether_type, ETHER_TYPE_ARP);
	CU_ASSERT_EQUAL(ether_parse_link(f.bytes, 13, 0, &h), DROP_FRAME_RUNT);
	CU_ASSERT_EQUAL(ether_parse_link(f.bytes, 17, 0, &h), DROP_FRAME_RUNT);
}

static void test_ipv4_fragments(void)
{
	struct ether_headers h = {0};
	struct frame f;
	size_t ip = put_ethernet(&f, NULL, 0, ETHER_TYPE_IPV4);
	/* The first 64 bytes of a 1 008-byte datagram. */
	size_t udp = put_ipv4(&f, ip, IP_PROTO_UDP, 0x2000, 64);

	put_udp(&f, udp, 1008, 64);
	CU_ASSERT_EQUAL(ether_parse(f.bytes, f.len, 0, &h), DROP_IP_FRAGMENT);
	CU_ASSERT_EQUAL_FATAL(ether_parse(f.bytes, f.len, ETHER_ALLOW_FRAGMENTS, &h), DROP_NONE);
	CU_ASSERT_TRUE(h.fragment);
	CU_ASSERT_TRUE(h.more_fragments);
	CU_ASSERT_EQUAL(h.fragment_offset, 0);
	CU_ASSERT_EQUAL(h.fragment_id, 0x1234);
	CU_ASSERT_TRUE(h.has_udp);
	CU_ASSERT_EQUAL(h.destination_port, 5000);
	CU_ASSERT_EQUAL(h.payload_len, 64 - 8); /* this fragment's part */

	/* A later fragment: no UDP header to read. */
	put_ipv4(&f, ip, IP_PROTO_UDP, 0x2000 | 8, 64);
	CU_ASSERT_EQUAL_FATAL(ether_parse(f.bytes, f.len, ETHER_ALLOW_FRAGMENTS, &h), DROP_NONE);
	CU_ASSERT_EQUAL(h.fragment_offset, 64);
	CU_ASSERT_FALSE(h.has_udp);
	CU_ASSERT_EQUAL(h.l4_offset, udp);
	CU_ASSERT_EQUAL(h.l4_len, 64);

	/* The last fragment of a datagram starting at 0 cannot be longer than it says. */
	put_ipv4(&f, ip, IP_PROTO_UDP, 0, 64);
	CU_ASSERT_EQUAL(ether_parse(f.bytes, f.len, ETHER_ALLOW_FRAGMENTS, &h),
			DROP_UDP_BAD_LENGTH);
}

static void test_ipv6_fragments(void)
{
	struct ether_headers h = {0};
	struct frame f;
	size_t ip = put_ethernet(&f, NULL, 0, ETHER_TYPE_IPV6);
	size_t udp = put_ipv6(&f, ip, true, 0x0001, IP_PROTO_UDP, 64);

	put_udp(&f, udp, 1008, 64);
	CU_ASSERT_EQUAL(ether_parse(f.bytes, f.len, 0, &h), DROP_IP_FRAGMENT);
	CU_ASSERT_EQUAL_FATAL(ether_parse(f.bytes, f.len, ETHER_ALLOW_FRAGMENTS, &h), DROP_NONE);
	CU_ASSERT_TRUE(h.fragment);
	CU_ASSERT_TRUE(h.more_fragments);
	CU_ASSERT_EQUAL(h.fragment_offset, 0);
	CU_ASSERT_EQUAL(h.fragment_id, 0xdeadbeef);
	CU_ASSERT_EQUAL(h.l4_protocol, IP_PROTO_UDP);
	CU_ASSERT_EQUAL(h.l4_offset, udp);
	CU_ASSERT_TRUE(h.has_udp);
	CU_ASSERT_EQUAL(h.payload_len, 64 - 8);

	/* Offset 1 016 (0x3f8 << 3), last fragment: data follows, not a header. */
	put_ipv6(&f, ip, true, 1016, IP_PROTO_UDP, 64);
	CU_ASSERT_EQUAL_FATAL(ether_parse(f.bytes, f.len, ETHER_ALLOW_FRAGMENTS, &h), DROP_NONE);
	CU_ASSERT_EQUAL(h.fragment_offset, 1016);
	CU_ASSERT_FALSE(h.more_fragments);
	CU_ASSERT_FALSE(h.has_udp);
	CU_ASSERT_EQUAL(h.l4_len, 64);

	/* Two fragment headers in one chain. */
	put_ipv6(&f, ip, true, 0x0001, IP_PROTO_FRAGMENT, 72);
	CU_ASSERT_EQUAL(ether_parse(f.bytes, f.len + 8, ETHER_ALLOW_FRAGMENTS, &h),
			DROP_IPV6_BAD_HEADER);
}

static void test_other_protocols_left_to_caller(void)
{
	struct ether_headers h = {0};
	struct frame f;
	size_t ip = put_ethernet(&f, NULL, 0, ETHER_TYPE_IPV4);

	put_ipv4(&f, ip, IP_PROTO_TCP, 0, 20);
	f.len = ip + 40;
	CU_ASSERT_EQUAL_FATAL(ether_parse(f.bytes, f.len, 0, &h), DROP_NONE);
	CU_ASSERT_EQUAL(h.l4_protocol, IP_PROTO_TCP);
	CU_ASSERT_FALSE(h.has_udp);

	ip = put_ethernet(&f, NULL, 0, ETHER_TYPE_IPV6);
	put_ipv6(&f, ip, false, 0, IP_PROTO_ICMPV6, 24);
	f.len = ip + 40 + 24;
	CU_ASSERT_EQUAL_FATAL(ether_parse(f.bytes, f.len, 0, &h), DROP_NONE);
	CU_ASSERT_EQUAL(h.l4_protocol, IP_PROTO_ICMPV6);
	CU_ASSERT_EQUAL(h.l4_offset, ip + 40);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"IPv4 / UDP: addresses, ports, offsets", test_ipv4_udp_fields},
		{"QinQ only when allowed, a third tag refused", test_qinq},
		{"link layer alone (ARP behind a tag)", test_link_only},
		{"IPv4 fragments: first has UDP, later ones do not", test_ipv4_fragments},
		{"IPv6 fragment header: first has UDP, later ones do not", test_ipv6_fragments},
		{"TCP and ICMPv6 left to the caller", test_other_protocols_left_to_caller},
	};

	return unit_run_suite("ether", NULL, NULL, tests, UNIT_COUNT(tests));
}
