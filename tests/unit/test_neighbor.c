/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ARP / neighbour discovery responder: replies compared byte for byte
 * with frames written out by hand (their ICMPv6 checksums worked out apart,
 * with Python's ipaddress and struct), every reply checksum checked again by
 * this file's own sum, and each malformed or foreign request left unanswered.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "neighbor.h"
#include "unit_main.h"

#define OUR_MAC 0x02, 0x00, 0x00, 0x00, 0x00, 0x20
#define PEER_MAC 0x02, 0x00, 0x00, 0x00, 0x00, 0x10
#define BROADCAST 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define OUR_V4 192, 0, 2, 1
#define PEER_V4 192, 0, 2, 100
#define OUR_V6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define PEER_V6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00
#define OUR_LINK_LOCAL 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define PEER_LINK_LOCAL 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00
#define UNSPECIFIED 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define SOLICITED_NODE_OF_1 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0x01
#define ALL_NODES 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define ALL_NODES_MAC 0x33, 0x33, 0, 0, 0, 0x01
#define VLAN_TAG 0x81, 0x00, 0x00, 0x64 /* 802.1Q, VLAN 100 */

static struct ip_addr local_addrs[4];
static struct neighbor_config config = {
	.mac = {OUR_MAC},
	.addrs = local_addrs,
	.addr_count = 0,
};

/* 192.0.2.1, 2001:db8::1, fe80::1 and 10.0.0.1. */
static int set_up_addresses(void)
{
	static const uint8_t v4_a[4] = {OUR_V4}, v4_b[4] = {10, 0, 0, 1};
	static const uint8_t v6_a[16] = {OUR_V6}, v6_b[16] = {OUR_LINK_LOCAL};

	ip_from_v4(&local_addrs[0], v4_a);
	memcpy(local_addrs[1].bytes, v6_a, 16);
	memcpy(local_addrs[2].bytes, v6_b, 16);
	ip_from_v4(&local_addrs[3], v4_b);
	config.addr_count = 4;
	return 0;
}

/* RFC 1071's sum, written apart from lib/neighbor.c's. */
static uint16_t ones_complement_sum(const uint8_t *data, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i++)
		sum += i % 2 == 0 ? (uint32_t)data[i] << 8 : data[i];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* 0xffff when the ICMPv6 message after the IPv6 header at ip checks out. */
static uint16_t icmpv6_sum(const uint8_t *ip)
{
	size_t len = (size_t)ip[4] << 8 | ip[5];
	uint32_t sum = ones_complement_sum(ip + 8, 32, 0);

	return ones_complement_sum(ip + 40, len, sum + (uint32_t)len + 58);
}

static void set_icmpv6_checksum(uint8_t *ip)
{
	uint16_t checksum;

	ip[42] = ip[43] = 0;
	checksum = (uint16_t)~icmpv6_sum(ip);
	ip[42] = (uint8_t)(checksum >> 8);
	ip[43] = (uint8_t)checksum;
}

struct frame {
	uint8_t bytes[256];
	size_t len;
	size_t l3; /* ARP or IPv6 header */
};

static void build_arp(struct frame *f, bool tagged, const uint8_t target[4])
{
	static const uint8_t header[] = {BROADCAST, PEER_MAC, 0x08, 0x06};
	static const uint8_t tagged_header[] = {BROADCAST, PEER_MAC, VLAN_TAG, 0x08, 0x06};
	static const uint8_t request[20] = {0x00, 0x01, 0x08, 0x00,	6,
					    4,	  0x00, 0x01, PEER_MAC, PEER_V4};

	memset(f, 0, sizeof(*f));
	if (tagged)
		memcpy(f->bytes, tagged_header, sizeof(tagged_header));
	else
		memcpy(f->bytes, header, sizeof(header));
	f->l3 = tagged ? sizeof(tagged_header) : sizeof(header);
	memcpy(f->bytes + f->l3, request, sizeof(request));
	/* target hardware address stays zero */
	memcpy(f->bytes + f->l3 + 24, target, 4);
	f->len = f->l3 + 28;
}

struct solicitation {
	bool tagged;
	const uint8_t *source;	    /* IPv6 source */
	const uint8_t *destination; /* IPv6 destination */
	const uint8_t *target;
	bool source_link_option;
};

static void build_ns(struct frame *f, const struct solicitation *s)
{
	static const uint8_t header[] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x01, PEER_MAC, 0x86, 0xdd};
	static const uint8_t tagged_header[] = {0x33, 0x33,	0xff,	  0x00, 0x00,
						0x01, PEER_MAC, VLAN_TAG, 0x86, 0xdd};
	static const uint8_t link_option[8] = {1, 1, PEER_MAC};
	size_t message_len = 24 + (s->source_link_option ? 8 : 0);
	uint8_t *ip;

	memset(f, 0, sizeof(*f));
	if (s->tagged)
		memcpy(f->bytes, tagged_header, sizeof(tagged_header));
	else
		memcpy(f->bytes, header, sizeof(header));
	f->l3 = s->tagged ? sizeof(tagged_header) : sizeof(header);
	ip = f->bytes + f->l3;
	ip[0] = 0x60;
	ip[5] = (uint8_t)message_len;
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, s->source, 16);
	memcpy(ip + 24, s->destination, 16);
	ip[40] = 135;
	memcpy(ip + 48, s->target, 16);
	if (s->source_link_option)
		memcpy(ip + 64, link_option, sizeof(link_option));
	set_icmpv6_checksum(ip);
	f->len = f->l3 + 40 + message_len;
}

static const uint8_t our_v4[4] = {OUR_V4}, our_v6[16] = {OUR_V6};
static const uint8_t peer_v6[16] = {PEER_V6}, solicited_node[16] = {SOLICITED_NODE_OF_1};
static const uint8_t unspecified[16] = {UNSPECIFIED};

static void build_plain_ns(struct frame *f)
{
	const struct solicitation s = {false, peer_v6, solicited_node, our_v6, true};

	build_ns(f, &s);
}

static int reply_to(const struct frame *f, uint8_t *out)
{
	return neighbor_build_reply(f->bytes, f->len, &config, out, NEIGHBOR_REPLY_MAX);
}

static void check_reply(const struct frame *f, const uint8_t *expected, size_t expected_len)
{
	uint8_t out[NEIGHBOR_REPLY_MAX + 8];
	int len;

	memset(out, 0xa5, sizeof(out));
	len = reply_to(f, out);
	CU_ASSERT_EQUAL_FATAL(len, (int)expected_len);
	CU_ASSERT_EQUAL(memcmp(out, expected, expected_len), 0);
	CU_ASSERT_EQUAL(out[NEIGHBOR_REPLY_MAX], 0xa5); /* nothing written past the limit */
}

static void test_arp_reply(void)
{
	static const uint8_t expected[60] = {
		PEER_MAC, OUR_MAC, 0x08,     0x06,			/* Ethernet */
		0x00,	  0x01,	   0x08,     0x00,    6, 4, 0x00, 0x02, /* ARP reply */
		OUR_MAC,  OUR_V4,  PEER_MAC, PEER_V4, /* sender: us; target: asker */
						      /* zero padding up to the 60-byte minimum */
	};
	struct frame f;

	build_arp(&f, false, our_v4);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_ARP);
	check_reply(&f, expected, sizeof(expected));
}

static void test_arp_reply_vlan(void)
{
	static const uint8_t expected[60] = {
		PEER_MAC, OUR_MAC, VLAN_TAG, 0x08, 0x06,    0x00,   0x01,     0x08,    0x00,
		6,	  4,	   0x00,     0x02, OUR_MAC, OUR_V4, PEER_MAC, PEER_V4,
	};
	struct frame f;

	build_arp(&f, true, our_v4);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_ARP);
	check_reply(&f, expected, sizeof(expected));
}

static void test_arp_second_address_and_probe(void)
{
	static const uint8_t second[4] = {10, 0, 0, 1};
	uint8_t out[NEIGHBOR_REPLY_MAX];
	struct frame f;

	build_arp(&f, false, second);
	CU_ASSERT_EQUAL(reply_to(&f, out), 60);
	CU_ASSERT_EQUAL(memcmp(out + 28, second, 4), 0);

	/* RFC 5227 probe (sender 0.0.0.0): answered so that the prober sees the conflict. */
	build_arp(&f, false, our_v4);
	memset(f.bytes + f.l3 + 14, 0, 4);
	CU_ASSERT_EQUAL(reply_to(&f, out), 60);
	CU_ASSERT_EQUAL(memcmp(out, f.bytes + 6, 6), 0);
	CU_ASSERT_EQUAL(memcmp(out + 38, "\0\0\0\0", 4), 0);
}

static void test_arp_ignored(void)
{
	static const uint8_t other[4] = {192, 0, 2, 2};
	uint8_t out[NEIGHBOR_REPLY_MAX];
	struct frame f;

	build_arp(&f, false, other);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_ARP); /* counted all the same */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_arp(&f, false, our_v4);
	f.bytes[f.l3 + 7] = 2; /* a reply */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_arp(&f, false, our_v4);
	memcpy(f.bytes + f.l3 + 14, our_v4, 4); /* gratuitous: sender = target */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_arp(&f, false, our_v4);
	f.bytes[f.l3 + 8] = 0x01; /* multicast sender hardware address */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_arp(&f, false, our_v4);
	f.bytes[f.l3 + 1] = 6; /* IEEE 802 hardware */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_arp(&f, false, our_v4);
	f.bytes[f.l3 + 3] = 0xdd; /* protocol 0x08dd */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_arp(&f, false, our_v4);
	f.bytes[f.l3 + 4] = 8; /* hardware address length */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_arp(&f, false, our_v4);
	f.bytes[f.l3 + 5] = 16; /* protocol address length */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_arp(&f, false, our_v4);
	f.len--; /* truncated */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);
}

static void test_arp_not_for_ipv6_only_config(void)
{
	struct neighbor_config v6_only = {
		.mac = {OUR_MAC}, .addrs = &local_addrs[1], .addr_count = 2};
	struct neighbor_config none = {.mac = {OUR_MAC}, .addrs = NULL, .addr_count = 0};
	uint8_t out[NEIGHBOR_REPLY_MAX];
	struct frame f;

	build_arp(&f, false, our_v4);
	CU_ASSERT_EQUAL(neighbor_build_reply(f.bytes, f.len, &v6_only, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(neighbor_build_reply(f.bytes, f.len, &none, out, sizeof(out)), 0);
}

#define NA_HEADER(destination_mac, source, destination)                                   \
	destination_mac, OUR_MAC, 0x86, 0xdd, 0x60, 0, 0, 0, 0x00, 0x20, 58, 255, source, \
		destination

static void test_ns_reply(void)
{
	static const uint8_t expected[86] = {
		NA_HEADER(PEER_MAC, OUR_V6, PEER_V6),
		136,
		0,
		0x89,
		0x56,
		0x60,
		0,
		0,
		0,
		OUR_V6, /* Solicited + Override */
		2,
		1,
		OUR_MAC, /* target link-layer address */
	};
	struct frame f;

	build_plain_ns(&f);
	CU_ASSERT_EQUAL(icmpv6_sum(f.bytes + f.l3), 0xffff); /* the request itself is sound */
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NDP);
	check_reply(&f, expected, sizeof(expected));
	CU_ASSERT_EQUAL(icmpv6_sum(expected + 14), 0xffff);
}

static void test_ns_reply_vlan(void)
{
	static const uint8_t expected[90] = {
		PEER_MAC, OUR_MAC, VLAN_TAG, 0x86, 0xdd,   0x60,    0,	 0, 0,
		0x00,	  0x20,	   58,	     255,  OUR_V6, PEER_V6, 136, 0, 0x89,
		0x56,	  0x60,	   0,	     0,	   0,	   OUR_V6,  2,	 1, OUR_MAC,
	};
	const struct solicitation s = {true, peer_v6, solicited_node, our_v6, true};
	struct frame f;

	build_ns(&f, &s);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NDP);
	check_reply(&f, expected, sizeof(expected));
	CU_ASSERT_EQUAL(icmpv6_sum(expected + 18), 0xffff);
}

/* Duplicate address detection: to all nodes, Solicited clear (RFC 4861 7.2.4). */
static void test_ns_duplicate_detection(void)
{
	static const uint8_t expected[86] = {
		NA_HEADER(ALL_NODES_MAC, OUR_V6, ALL_NODES),
		136,
		0,
		0xf9,
		0x0b,
		0x20,
		0,
		0,
		0,
		OUR_V6,
		2,
		1,
		OUR_MAC,
	};
	const struct solicitation s = {false, unspecified, solicited_node, our_v6, false};
	struct frame f;

	build_ns(&f, &s);
	check_reply(&f, expected, sizeof(expected));
	CU_ASSERT_EQUAL(icmpv6_sum(expected + 14), 0xffff);
}

/* Unicast reachability check without a link-layer option: back to the frame's source. */
static void test_ns_link_local_without_option(void)
{
	static const uint8_t source[16] = {PEER_LINK_LOCAL}, target[16] = {OUR_LINK_LOCAL};
	static const uint8_t expected[86] = {
		NA_HEADER(PEER_MAC, OUR_LINK_LOCAL, PEER_LINK_LOCAL),
		136,
		0,
		0x16,
		0xff,
		0x60,
		0,
		0,
		0,
		OUR_LINK_LOCAL,
		2,
		1,
		OUR_MAC,
	};
	const struct solicitation s = {false, source, target, target, false};
	struct frame f;

	build_ns(&f, &s);
	check_reply(&f, expected, sizeof(expected));
	CU_ASSERT_EQUAL(icmpv6_sum(expected + 14), 0xffff);
}

static void test_ns_padding_and_unknown_option(void)
{
	static const uint8_t nonce_option[8] = {14, 1, 1, 2, 3, 4, 5, 6}; /* RFC 3971 nonce */
	uint8_t out[NEIGHBOR_REPLY_MAX];
	struct frame f;
	uint8_t *ip;

	build_plain_ns(&f);
	ip = f.bytes + f.l3;
	memcpy(ip + 72, nonce_option, sizeof(nonce_option));
	ip[5] += 8;
	set_icmpv6_checksum(ip);
	f.len += 8 + 6; /* the option, then Ethernet padding past the IPv6 payload */
	CU_ASSERT_EQUAL(reply_to(&f, out), 86);
	CU_ASSERT_EQUAL(memcmp(out, f.bytes + f.l3 + 66, 6), 0); /* to the option's address */
}

static void test_ns_ignored(void)
{
	static const uint8_t other[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x02};
	static const uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, 192, 0, 2, 1};
	static const uint8_t multicast_target[16] = {0xff, 0x02, [15] = 0x01};
	const struct solicitation for_other = {false, peer_v6, solicited_node, other, true};
	const struct solicitation for_mapped = {false, peer_v6, mapped, mapped, true};
	const struct solicitation for_multicast = {false, peer_v6, solicited_node, multicast_target,
						   true};
	const struct solicitation dad_with_option = {false, unspecified, solicited_node, our_v6,
						     true};
	const struct solicitation dad_unicast = {false, unspecified, our_v6, our_v6, false};
	uint8_t out[NEIGHBOR_REPLY_MAX];
	struct frame f;

	build_ns(&f, &for_other);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NDP);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);
	build_ns(&f, &for_mapped); /* 192.0.2.1 is ours, but over ARP only */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);
	build_ns(&f, &for_multicast);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);
	build_ns(&f, &dad_with_option);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);
	build_ns(&f, &dad_unicast);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	f.bytes[f.l3 + 40] = 136; /* an advertisement */
	set_icmpv6_checksum(f.bytes + f.l3);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NDP);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	f.bytes[f.l3 + 8] = 0xff; /* multicast source */
	set_icmpv6_checksum(f.bytes + f.l3);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	memset(f.bytes + f.l3 + 66, 0xff, 6); /* option's address is broadcast */
	set_icmpv6_checksum(f.bytes + f.l3);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);
}

static void test_ns_malformed(void)
{
	uint8_t out[NEIGHBOR_REPLY_MAX];
	struct frame f;
	uint8_t *ip;

	build_plain_ns(&f);
	ip = f.bytes + f.l3;
	ip[7] = 64; /* routed: not from our link */
	set_icmpv6_checksum(ip);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	ip[41] = 1; /* code */
	set_icmpv6_checksum(ip);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	ip[43] ^= 1; /* checksum */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	ip[65] = 0; /* option length 0 */
	set_icmpv6_checksum(ip);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	ip[65] = 2; /* option runs past the message */
	set_icmpv6_checksum(ip);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	ip[5] = 28; /* 4 bytes of an option: too short to be one */
	set_icmpv6_checksum(ip);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	ip[5] = 20; /* shorter than a solicitation */
	set_icmpv6_checksum(ip);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	ip[5] = 40; /* payload length past the frame */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	ip[0] = 0x40; /* version */
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);

	build_plain_ns(&f);
	f.len = f.l3 + 39; /* IPv6 header cut */
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NONE);
	CU_ASSERT_EQUAL(reply_to(&f, out), 0);
}

static void test_classify(void)
{
	struct frame f;

	build_plain_ns(&f);
	f.bytes[f.l3 + 40] = 128; /* echo request */
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NONE);
	f.bytes[f.l3 + 40] = 133; /* router solicitation */
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NDP);
	f.bytes[f.l3 + 40] = 137; /* redirect */
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NDP);
	f.bytes[f.l3 + 40] = 138;
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NONE);
	f.bytes[f.l3 + 40] = 135;
	f.bytes[f.l3 + 6] = 17; /* UDP */
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NONE);

	build_arp(&f, false, our_v4);
	f.bytes[12] = 0x08, f.bytes[13] = 0x00; /* IPv4 */
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NONE);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, 13), NEIGHBOR_NONE);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, 0), NEIGHBOR_NONE);

	build_arp(&f, true, our_v4);
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, 17), NEIGHBOR_NONE); /* tag cut */
	f.bytes[16] = 0x81, f.bytes[17] = 0x00;				/* two tags */
	CU_ASSERT_EQUAL(neighbor_classify(f.bytes, f.len), NEIGHBOR_NONE);
}

static void test_out_buffer(void)
{
	uint8_t out[NEIGHBOR_REPLY_MAX];
	struct frame f;

	build_arp(&f, false, our_v4);
	CU_ASSERT_EQUAL(neighbor_build_reply(f.bytes, f.len, &config, out, sizeof(out) - 1),
			-ENOSPC);
	CU_ASSERT_EQUAL(neighbor_build_reply(f.bytes, 0, &config, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(neighbor_build_reply(f.bytes, 13, &config, out, sizeof(out)), 0);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"ARP reply byte-exact", test_arp_reply},
		{"ARP reply keeps the VLAN tag", test_arp_reply_vlan},
		{"ARP: second address, RFC 5227 probe", test_arp_second_address_and_probe},
		{"ARP: others' addresses, replies, malformed ignored", test_arp_ignored},
		{"ARP: no IPv4 address configured", test_arp_not_for_ipv6_only_config},
		{"NA byte-exact", test_ns_reply},
		{"NA keeps the VLAN tag", test_ns_reply_vlan},
		{"NA to duplicate address detection", test_ns_duplicate_detection},
		{"NA without source link-layer option", test_ns_link_local_without_option},
		{"NS with padding and an unknown option", test_ns_padding_and_unknown_option},
		{"NS for others, DAD misuse ignored", test_ns_ignored},
		{"NS malformed ignored", test_ns_malformed},
		{"classify", test_classify},
		{"output buffer and runts", test_out_buffer},
	};

	return unit_run_suite("neighbor", set_up_addresses, NULL, tests, UNIT_COUNT(tests));
}
