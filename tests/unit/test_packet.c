/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every drop reason of packet_find_report from a hand-built frame: a valid
 * frame is built, then one field is broken at a time.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "packet.h"
#include "unit_address.h"
#include "unit_main.h"

#define PORT 5000
#define PAYLOAD "[\"10.0.0.1\",1,\"10.0.0.2\",2,[1,2,3,4,5],[6,7,8,9,10]]"
#define PAYLOAD_LEN (sizeof(PAYLOAD) - 1)

struct frame {
	uint8_t bytes[512];
	size_t len;
	size_t ip;  /* offset of the IP header */
	size_t udp; /* offset of the UDP header */
};

static void put16(uint8_t *p, unsigned int value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

static size_t put_ethernet(struct frame *f, const uint16_t *types, int count)
{
	size_t off = 12;
	int i;

	memset(f->bytes, 0, sizeof(f->bytes));
	memset(f->bytes, 0x02, 12); /* MAC addresses: unchecked */
	for (i = 0; i < count; i++) {
		put16(f->bytes + off, types[i]);
		off += 2;
		if (i + 1 < count) {
			put16(f->bytes + off, 100 + i); /* TCI: VLAN id */
			off += 2;
		}
	}
	return off;
}

static void put_udp(struct frame *f, size_t off)
{
	f->udp = off;
	put16(f->bytes + off, 40000);
	put16(f->bytes + off + 2, PORT);
	put16(f->bytes + off + 4, 8 + PAYLOAD_LEN);
	memcpy(f->bytes + off + 8, PAYLOAD, PAYLOAD_LEN);
	f->len = off + 8 + PAYLOAD_LEN;
}

/* Ethernet (+ tags) / IPv4 from 127.0.0.1 with options_len bytes of options / UDP. */
static void build_ipv4(struct frame *f, const uint16_t *types, int type_count, size_t options_len)
{
	size_t ip = put_ethernet(f, types, type_count);
	size_t header_len = 20 + options_len;
	uint8_t *h = f->bytes + ip;

	f->ip = ip;
	h[0] = (uint8_t)(0x40 | header_len / 4);
	put16(h + 2, header_len + 8 + PAYLOAD_LEN);
	put16(h + 6, 0x4000); /* DF: not a fragment */
	h[8] = 64;
	h[9] = 17;
	h[12] = 127, h[15] = 1;
	h[16] = 127, h[19] = 1;
	memset(h + 20, 1, options_len); /* NOP options */
	put_udp(f, ip + header_len);
}

static void build_v4(struct frame *f)
{
	static const uint16_t types[] = {0x0800};

	build_ipv4(f, types, 1, 0);
}

/*
 * Ethernet (+ tags) / IPv6 from 2001:db8::1 / the extension headers in chain
 * (each 8 bytes, next header filled in) / UDP.
 */
static void build_ipv6_tagged(struct frame *f, const uint16_t *types, int type_count,
			      const uint8_t *chain, int chain_len)
{
	size_t ip = put_ethernet(f, types, type_count), off;
	uint8_t *h = f->bytes + ip;
	int i;

	f->ip = ip;
	h[0] = 0x60;
	put16(h + 4, (unsigned int)(8 * chain_len + 8 + PAYLOAD_LEN));
	h[6] = chain_len > 0 ? chain[0] : 17;
	h[7] = 64;
	h[8] = 0x20, h[9] = 0x01, h[10] = 0x0d, h[11] = 0xb8, h[23] = 1;
	h[24] = 0x20, h[25] = 0x01, h[26] = 0x0d, h[27] = 0xb8, h[39] = 2;
	off = ip + 40;
	for (i = 0; i < chain_len; i++, off += 8) {
		f->bytes[off] = i + 1 < chain_len ? chain[i + 1] : 17;
		f->bytes[off + 1] = 0; /* 8 bytes */
		f->bytes[off + 2] = 1; /* PadN over the rest */
		f->bytes[off + 3] = 4;
	}
	put_udp(f, off);
}

static void build_ipv6(struct frame *f, const uint8_t *chain, int chain_len)
{
	static const uint16_t types[] = {0x86dd};

	build_ipv6_tagged(f, types, 1, chain, chain_len);
}

static enum drop_reason find(const struct frame *f, const struct prefix_list *probes,
			     struct packet_payload *out)
{
	struct packet_filter filter = {.udp_port = PORT, .probes = probes};

	return packet_find_report(f->bytes, f->len, &filter, out);
}

static enum drop_reason find_reason(const struct frame *f)
{
	struct packet_payload out;

	return find(f, NULL, &out);
}

static void assert_accepted(const struct frame *f, const char *source)
{
	struct packet_payload out;
	struct ip_addr expected;

	CU_ASSERT_EQUAL_FATAL(find(f, NULL, &out), DROP_NONE);
	CU_ASSERT_PTR_EQUAL(out.data, f->bytes + f->udp + 8);
	CU_ASSERT_EQUAL(out.len, PAYLOAD_LEN);
	CU_ASSERT_EQUAL(memcmp(out.data, PAYLOAD, PAYLOAD_LEN), 0);
	expected = address(source);
	CU_ASSERT_EQUAL(memcmp(&out.source, &expected, sizeof(expected)), 0);
}

static void test_ipv4_accepted(void)
{
	struct frame f;

	build_v4(&f);
	assert_accepted(&f, "127.0.0.1");
}

static void test_runt(void)
{
	static const uint16_t tagged[] = {0x8100, 0x0800};
	struct frame f;

	build_v4(&f);
	f.len = 13;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_FRAME_RUNT);
	f.len = 0;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_FRAME_RUNT);
	/* A tag announced and cut short. */
	build_ipv4(&f, tagged, 2, 0);
	f.len = 17;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_FRAME_RUNT);
}

static void test_not_ip(void)
{
	static const uint16_t arp[] = {0x0806};
	static const uint16_t tagged_arp[] = {0x8100, 0x0806};
	struct frame f;

	build_ipv4(&f, arp, 1, 0);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NOT_IP);
	build_ipv4(&f, tagged_arp, 2, 0);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NOT_IP);
	/* An 802.3 length field is no ethertype either. */
	build_v4(&f);
	put16(f.bytes + 12, 0x0040);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NOT_IP);
}

static void test_one_vlan_tag_accepted(void)
{
	static const uint16_t dot1q[] = {0x8100, 0x0800};
	static const uint16_t dot1ad[] = {0x88a8, 0x0800};
	static const uint16_t dot1q_v6[] = {0x8100, 0x86dd};
	struct frame f;

	build_ipv4(&f, dot1q, 2, 0);
	CU_ASSERT_EQUAL(f.ip, 18);
	assert_accepted(&f, "127.0.0.1");
	build_ipv4(&f, dot1ad, 2, 0);
	assert_accepted(&f, "127.0.0.1");
	build_ipv6_tagged(&f, dot1q_v6, 2, NULL, 0);
	CU_ASSERT_EQUAL(f.ip, 18);
	assert_accepted(&f, "2001:db8::1");
}

static void test_nested_vlan(void)
{
	static const uint16_t qinq[] = {0x88a8, 0x8100, 0x0800};
	static const uint16_t double_q[] = {0x8100, 0x8100, 0x0800};
	struct frame f;

	build_ipv4(&f, qinq, 3, 0);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_VLAN_NESTED);
	build_ipv4(&f, double_q, 3, 0);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_VLAN_NESTED);
}

static void test_ipv4_truncated(void)
{
	static const uint16_t types[] = {0x0800};
	struct frame f;

	build_v4(&f);
	f.len = f.ip + 19;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV4_TRUNCATED);
	/* IHL 15 (60 bytes) in a frame holding fewer. */
	build_v4(&f);
	f.bytes[f.ip] = 0x4f;
	f.len = f.ip + 59;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV4_TRUNCATED);
	/* Options complete but nothing after them: header fits, length does not. */
	build_ipv4(&f, types, 1, 8);
	f.len = f.ip + 28;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV4_BAD_HEADER);
}

static void test_ipv4_bad_header(void)
{
	struct frame f;

	build_v4(&f);
	f.bytes[f.ip] = 0x55; /* version 5 */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV4_BAD_HEADER);
	build_v4(&f);
	f.bytes[f.ip] = 0x65; /* IPv6 version behind the IPv4 ethertype */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV4_BAD_HEADER);
	build_v4(&f);
	f.bytes[f.ip] = 0x44; /* IHL 4 */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV4_BAD_HEADER);
	build_v4(&f);
	put16(f.bytes + f.ip + 2, 19); /* total length below the header */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV4_BAD_HEADER);
	build_v4(&f);
	put16(f.bytes + f.ip + 2, f.len - f.ip + 1); /* one byte past the frame */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV4_BAD_HEADER);
}

static void test_ipv4_options_accepted(void)
{
	static const uint16_t types[] = {0x0800};
	struct frame f;

	build_ipv4(&f, types, 1, 4);
	CU_ASSERT_EQUAL(f.udp, 14 + 24);
	assert_accepted(&f, "127.0.0.1");
	build_ipv4(&f, types, 1, 40); /* the most options IHL allows */
	assert_accepted(&f, "127.0.0.1");
}

static void test_ethernet_padding_ignored(void)
{
	struct frame f;

	build_v4(&f);
	memset(f.bytes + f.len, 0xee, 20);
	f.len += 20;
	assert_accepted(&f, "127.0.0.1");
	/* A minimum-size frame: 3 bytes of payload, padded to 60. */
	build_v4(&f);
	put16(f.bytes + f.ip + 2, 20 + 8 + 3);
	put16(f.bytes + f.udp + 4, 8 + 3);
	f.len = 60;
	{
		struct packet_payload out;

		CU_ASSERT_EQUAL(find(&f, NULL, &out), DROP_NONE);
		CU_ASSERT_EQUAL(out.len, 3);
	}
}

static void test_ipv4_fragments(void)
{
	struct frame f;

	build_v4(&f);
	put16(f.bytes + f.ip + 6, 0x2000); /* MF: first fragment */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IP_FRAGMENT);
	build_v4(&f);
	put16(f.bytes + f.ip + 6, 0x0001); /* last fragment, offset 8 */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IP_FRAGMENT);
	build_v4(&f);
	put16(f.bytes + f.ip + 6, 0x0000); /* DF clear: still whole */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NONE);
}

static void test_not_udp(void)
{
	struct frame f;

	build_v4(&f);
	f.bytes[f.ip + 9] = 6;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NOT_UDP);
	/* A fragment is refused as such before its protocol is looked at. */
	put16(f.bytes + f.ip + 6, 0x2000);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IP_FRAGMENT);
}

static void test_udp_truncated(void)
{
	struct frame f;

	build_v4(&f);
	put16(f.bytes + f.ip + 2, 20 + 7);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_UDP_TRUNCATED);
	build_v4(&f);
	f.len = f.udp + 7;
	put16(f.bytes + f.ip + 2, 20 + 7);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_UDP_TRUNCATED);
}

static void test_udp_bad_length(void)
{
	struct frame f;

	build_v4(&f);
	put16(f.bytes + f.udp + 4, 7);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_UDP_BAD_LENGTH);
	build_v4(&f);
	put16(f.bytes + f.udp + 4, 0);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_UDP_BAD_LENGTH);
	/* Longer than the IP payload, even though the frame holds the bytes. */
	build_v4(&f);
	put16(f.bytes + f.udp + 4, 8 + PAYLOAD_LEN + 1);
	f.len++;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_UDP_BAD_LENGTH);
}

static void test_udp_length_shorter_than_ip_payload(void)
{
	struct packet_payload out;
	struct frame f;

	build_v4(&f);
	put16(f.bytes + f.udp + 4, 8 + 5);
	CU_ASSERT_EQUAL_FATAL(find(&f, NULL, &out), DROP_NONE);
	CU_ASSERT_EQUAL(out.len, 5);
	CU_ASSERT_EQUAL(memcmp(out.data, PAYLOAD, 5), 0);
	put16(f.bytes + f.udp + 4, 8);
	CU_ASSERT_EQUAL_FATAL(find(&f, NULL, &out), DROP_NONE);
	CU_ASSERT_EQUAL(out.len, 0);
}

static void test_wrong_port(void)
{
	struct frame f;

	build_v4(&f);
	put16(f.bytes + f.udp + 2, PORT + 1);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_WRONG_PORT);
	/* The source port is not the one filtered on. */
	build_v4(&f);
	put16(f.bytes + f.udp, PORT);
	put16(f.bytes + f.udp + 2, 53);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_WRONG_PORT);
}

static void test_probe_filter(void)
{
	struct prefix_list probes = {0};
	struct prefix_list empty = {0};
	struct packet_payload out;
	struct frame f;

	build_v4(&f);
	CU_ASSERT_EQUAL_FATAL(prefix_list_add(&probes, "10.0.0.0/8"), 0);
	CU_ASSERT_EQUAL_FATAL(prefix_list_add(&probes, "2001:db8::2"), 0);
	CU_ASSERT_EQUAL(find(&f, &probes, &out), DROP_UNKNOWN_PROBE);
	CU_ASSERT_EQUAL(find(&f, &empty, &out), DROP_NONE);
	CU_ASSERT_EQUAL(find(&f, NULL, &out), DROP_NONE);
	CU_ASSERT_EQUAL_FATAL(prefix_list_add(&probes, "127.0.0.1"), 0);
	CU_ASSERT_EQUAL(find(&f, &probes, &out), DROP_NONE);
	/* The destination address is not the one filtered on. */
	build_ipv6(&f, NULL, 0);
	CU_ASSERT_EQUAL(find(&f, &probes, &out), DROP_UNKNOWN_PROBE);
	/* IPv6 from ::ffff:127.0.0.1 is not the IPv4 probe 127.0.0.1, whose bytes it shares. */
	build_ipv6(&f, NULL, 0);
	memset(f.bytes + f.ip + 8, 0, 10);
	memset(f.bytes + f.ip + 18, 0xff, 2);
	f.bytes[f.ip + 20] = 127, f.bytes[f.ip + 21] = 0, f.bytes[f.ip + 22] = 0;
	f.bytes[f.ip + 23] = 1;
	CU_ASSERT_EQUAL(find(&f, &probes, &out), DROP_UNKNOWN_PROBE);
	CU_ASSERT_EQUAL_FATAL(prefix_list_add(&probes, "::ffff:127.0.0.1"), 0);
	CU_ASSERT_EQUAL_FATAL(find(&f, &probes, &out), DROP_NONE);
	CU_ASSERT_EQUAL(out.source_family, IP_FAMILY_V6);
	probes.count--;
	/* And the reverse: an IPv6 entry in mapped form does not let IPv4 127.0.0.1 in. */
	build_v4(&f);
	CU_ASSERT_EQUAL(find(&f, &probes, &out), DROP_NONE);
	CU_ASSERT_EQUAL(out.source_family, IP_FAMILY_V4);
	probes.count = 0;
	CU_ASSERT_EQUAL_FATAL(prefix_list_add(&probes, "::ffff:127.0.0.1"), 0);
	CU_ASSERT_EQUAL(find(&f, &probes, &out), DROP_UNKNOWN_PROBE);
	/* The port is checked first. */
	probes.count = 0;
	CU_ASSERT_EQUAL_FATAL(prefix_list_add(&probes, "10.0.0.0/8"), 0);
	build_v4(&f);
	put16(f.bytes + f.udp + 2, PORT + 1);
	probes.count = 1;
	CU_ASSERT_EQUAL(find(&f, &probes, &out), DROP_WRONG_PORT);
}

static void test_ipv6_accepted(void)
{
	static const uint8_t hop_routing_dest[] = {0, 43, 60};
	static const uint8_t dest[] = {60};
	struct frame f;

	build_ipv6(&f, NULL, 0);
	CU_ASSERT_EQUAL(f.udp, 14 + 40);
	assert_accepted(&f, "2001:db8::1");
	build_ipv6(&f, dest, 1);
	assert_accepted(&f, "2001:db8::1");
	build_ipv6(&f, hop_routing_dest, 3);
	CU_ASSERT_EQUAL(f.udp, 14 + 40 + 24);
	assert_accepted(&f, "2001:db8::1");
	/* A 16-byte extension header (length field 1). */
	build_ipv6(&f, dest, 1);
	memmove(f.bytes + f.udp + 8, f.bytes + f.udp, 8 + PAYLOAD_LEN);
	f.bytes[f.ip + 40 + 1] = 1;
	memset(f.bytes + f.ip + 48, 0, 8);
	f.bytes[f.ip + 48] = 1, f.bytes[f.ip + 49] = 6;
	f.udp += 8;
	f.len += 8;
	put16(f.bytes + f.ip + 4, 16 + 8 + PAYLOAD_LEN);
	assert_accepted(&f, "2001:db8::1");
	/* Padding after the IPv6 payload. */
	build_ipv6(&f, NULL, 0);
	f.len += 10;
	assert_accepted(&f, "2001:db8::1");
}

static void test_ipv6_truncated(void)
{
	struct frame f;

	build_ipv6(&f, NULL, 0);
	f.len = f.ip + 39;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV6_TRUNCATED);
}

static void test_ipv6_bad_header(void)
{
	static const uint8_t dest_hop[] = {60, 0};
	static const uint8_t dest[] = {60};
	uint8_t nine[9];
	struct frame f;

	build_ipv6(&f, NULL, 0);
	f.bytes[f.ip] = 0x45; /* IPv4 behind the IPv6 ethertype */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV6_BAD_HEADER);
	build_ipv6(&f, NULL, 0);
	f.len--; /* payload length one past the frame */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV6_BAD_HEADER);
	/* Hop-by-hop anywhere but first. */
	build_ipv6(&f, dest_hop, 2);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV6_BAD_HEADER);
	/* An extension header longer than the payload. */
	build_ipv6(&f, dest, 1);
	f.bytes[f.ip + 41] = 200;
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV6_BAD_HEADER);
	/* An extension header cut by the payload length. */
	build_ipv6(&f, dest, 1);
	put16(f.bytes + f.ip + 4, 7);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV6_BAD_HEADER);
	/* Eight extension headers pass, nine are too many. */
	memset(nine, 60, sizeof(nine));
	build_ipv6(&f, nine, 8);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NONE);
	build_ipv6(&f, nine, 9);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IPV6_BAD_HEADER);
}

static void test_ipv6_fragment_and_other_protocols(void)
{
	static const uint8_t fragment[] = {44};
	static const uint8_t dest_fragment[] = {60, 44};
	static const uint8_t tcp[] = {6};
	static const uint8_t esp[] = {50};
	static const uint8_t no_next[] = {59};
	struct frame f;

	build_ipv6(&f, fragment, 1);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IP_FRAGMENT);
	build_ipv6(&f, dest_fragment, 2);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_IP_FRAGMENT);
	build_ipv6(&f, tcp, 1);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NOT_UDP);
	build_ipv6(&f, esp, 1);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NOT_UDP);
	build_ipv6(&f, no_next, 1);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_NOT_UDP);
}

static void test_ipv6_udp_checks(void)
{
	struct frame f;

	build_ipv6(&f, NULL, 0);
	put16(f.bytes + f.ip + 4, 7);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_UDP_TRUNCATED);
	build_ipv6(&f, NULL, 0);
	put16(f.bytes + f.udp + 4, 0); /* a jumbogram's UDP length */
	CU_ASSERT_EQUAL(find_reason(&f), DROP_UDP_BAD_LENGTH);
	build_ipv6(&f, NULL, 0);
	put16(f.bytes + f.udp + 2, 5001);
	CU_ASSERT_EQUAL(find_reason(&f), DROP_WRONG_PORT);
}

/*
 * The longest datagrams behind a tag fit in PACKET_FRAME_MAX, and a frame
 * cut there gives the same outcome as the whole (app/rx.c copies that much).
 */
static void test_longest_frames_fit(void)
{
	static const size_t frame_len = PACKET_FRAME_MAX + 4096;
	uint8_t *frame = calloc(1, frame_len);
	struct packet_filter filter = {.udp_port = PORT};
	struct packet_payload whole, cut;
	size_t ip = 18;

	CU_ASSERT_PTR_NOT_NULL_FATAL(frame);
	put16(frame + 12, 0x8100);
	for (int version = 4; version <= 6; version += 2) {
		size_t header = version == 4 ? 20 : 40, udp = ip + header;

		memset(frame + ip, 0, frame_len - ip);
		put16(frame + 16, version == 4 ? 0x0800 : 0x86dd);
		if (version == 4) {
			frame[ip] = 0x45;
			put16(frame + ip + 2, 65535);
			frame[ip + 9] = 17;
		} else {
			frame[ip] = 0x60;
			put16(frame + ip + 4, 65535);
			frame[ip + 6] = 17;
		}
		put16(frame + udp + 2, PORT);
		put16(frame + udp + 4, (unsigned int)(65535 - (version == 4 ? header : 0)));
		CU_ASSERT(udp + 65535 - (version == 4 ? header : 0) <= PACKET_FRAME_MAX);
		CU_ASSERT_EQUAL(packet_find_report(frame, frame_len, &filter, &whole), DROP_NONE);
		CU_ASSERT_EQUAL(packet_find_report(frame, PACKET_FRAME_MAX, &filter, &cut),
				DROP_NONE);
		CU_ASSERT_EQUAL(cut.len, whole.len);
		CU_ASSERT_EQUAL(whole.len, version == 4 ? 65535 - 28 : 65535 - 8);
	}
	CU_ASSERT_EQUAL(PACKET_FRAME_MAX, 14 + 4 + 40 + 65535);
	free(frame);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"IPv4 report accepted", test_ipv4_accepted},
		{"frame_runt", test_runt},
		{"not_ip", test_not_ip},
		{"one 802.1Q or 802.1ad tag accepted", test_one_vlan_tag_accepted},
		{"vlan_nested", test_nested_vlan},
		{"ipv4_truncated", test_ipv4_truncated},
		{"ipv4_bad_header", test_ipv4_bad_header},
		{"IPv4 options accepted", test_ipv4_options_accepted},
		{"Ethernet padding ignored", test_ethernet_padding_ignored},
		{"ip_fragment (IPv4)", test_ipv4_fragments},
		{"not_udp", test_not_udp},
		{"udp_truncated", test_udp_truncated},
		{"udp_bad_length", test_udp_bad_length},
		{"UDP length shorter than the IP payload", test_udp_length_shorter_than_ip_payload},
		{"wrong_port", test_wrong_port},
		{"unknown_probe", test_probe_filter},
		{"IPv6 accepted, extension headers walked", test_ipv6_accepted},
		{"ipv6_truncated", test_ipv6_truncated},
		{"ipv6_bad_header", test_ipv6_bad_header},
		{"ip_fragment (IPv6) and not_udp", test_ipv6_fragment_and_other_protocols},
		{"UDP checks behind IPv6", test_ipv6_udp_checks},
		{"the longest frames fit PACKET_FRAME_MAX", test_longest_frames_fit},
	};

	return unit_run_suite("packet", NULL, NULL, tests, UNIT_COUNT(tests));
}
