/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw frame -> window_packet: what the probe's capture filter
 * "ip and ip[6:2] & 0x1fff = 0 and udp" lets through, plus IPv6 and VLAN
 * tags, which cgnf tracks on purpose (the probe does not: PROBE.md section 2).
 *
 * Unlike lib/packet.c (reports addressed to cgnf, checked strictly), this
 * reads mirrored traffic as the probe does: headers only, frames cut by a
 * snap length still count once the UDP header is in, the IP and UDP lengths
 * are not checked against the frame, and the size is the UDP length field
 * whatever the datagram carries (a first fragment counts its whole
 * datagram).  Only the bytes captured are read.
 */
#include <string.h>

#include "window.h"

#define ETHER_HEADER_LEN 14
#define VLAN_TAG_LEN 4
#define VLAN_TAGS_MAX 2 /* 802.1ad outer + 802.1Q inner (QinQ) */
#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_IPV6 0x86dd
#define ETHER_TYPE_VLAN 0x8100
#define ETHER_TYPE_QINQ 0x88a8

#define IPV4_HEADER_MIN 20
#define IPV4_FRAGMENT_OFFSET 0x1fff
#define IPV6_HEADER_LEN 40
#define IPV6_FRAGMENT_HEADER_LEN 8
#define IPV6_FRAGMENT_OFFSET 0xfff8
/* As lib/packet.c: real traffic carries one or two; the bound caps a crafted chain. */
#define IPV6_EXTENSIONS_MAX 8

#define IP_PROTO_HOP_BY_HOP 0
#define IP_PROTO_UDP 17
#define IP_PROTO_ROUTING 43
#define IP_PROTO_FRAGMENT 44
#define IP_PROTO_DEST_OPTIONS 60

#define UDP_HEADER_LEN 8
#define UDP_LENGTH_OFFSET 4

static inline uint16_t read_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* On success *udp_offset is where the UDP header starts, from ip. */
static enum drop_reason walk_ipv4(const uint8_t *ip, size_t captured, struct window_packet *out,
				  size_t *udp_offset)
{
	size_t header_len;

	if (captured < IPV4_HEADER_MIN)
		return DROP_TRAFFIC_TRUNCATED;
	if ((ip[0] >> 4) != 4 || (ip[0] & 0x0f) < 5)
		return DROP_IPV4_BAD_HEADER;
	/* A first fragment (offset 0, more fragments or not) counts, with its datagram's length. */
	if ((read_be16(ip + 6) & IPV4_FRAGMENT_OFFSET) != 0)
		return DROP_TRAFFIC_LATER_FRAGMENT;
	if (ip[9] != IP_PROTO_UDP)
		return DROP_NOT_UDP;
	header_len = (size_t)(ip[0] & 0x0f) * 4;
	ip_from_v4(&out->src, ip + 12);
	ip_from_v4(&out->dst, ip + 16);
	*udp_offset = header_len;
	return DROP_NONE;
}

/*
 * Hop-by-hop (first only), routing and destination options headers are
 * walked up to UDP; a fragment header counts when its offset is 0 and UDP
 * follows (the IPv4 rule), and refuses a later fragment.
 */
static enum drop_reason walk_ipv6(const uint8_t *ip, size_t captured, struct window_packet *out,
				  size_t *udp_offset)
{
	size_t at = IPV6_HEADER_LEN;
	uint8_t protocol;

	if (captured < IPV6_HEADER_LEN)
		return DROP_TRAFFIC_TRUNCATED;
	if ((ip[0] >> 4) != 6)
		return DROP_IPV6_BAD_HEADER;
	protocol = ip[6];
	for (unsigned int extensions = 0; protocol != IP_PROTO_UDP; extensions++) {
		size_t extension_len;

		if (extensions == IPV6_EXTENSIONS_MAX)
			return DROP_IPV6_BAD_HEADER;
		switch (protocol) {
		case IP_PROTO_HOP_BY_HOP:
			if (extensions > 0)
				return DROP_IPV6_BAD_HEADER;
			break;
		case IP_PROTO_ROUTING:
		case IP_PROTO_DEST_OPTIONS:
		case IP_PROTO_FRAGMENT:
			break;
		default:
			return DROP_NOT_UDP;
		}
		if (captured < at + IPV6_FRAGMENT_HEADER_LEN)
			return DROP_TRAFFIC_TRUNCATED;
		if (protocol == IP_PROTO_FRAGMENT) {
			if ((read_be16(ip + at + 2) & IPV6_FRAGMENT_OFFSET) != 0)
				return DROP_TRAFFIC_LATER_FRAGMENT;
			extension_len = IPV6_FRAGMENT_HEADER_LEN;
		} else {
			extension_len = ((size_t)ip[at + 1] + 1) * 8;
		}
		protocol = ip[at];
		at += extension_len;
	}
	memcpy(out->src.bytes, ip + 8, sizeof(out->src.bytes));
	memcpy(out->dst.bytes, ip + 24, sizeof(out->dst.bytes));
	*udp_offset = at;
	return DROP_NONE;
}

enum drop_reason window_packet_from_frame(const uint8_t *frame, size_t caplen, size_t wire_len,
					  uint64_t time_ns, struct window_packet *out)
{
	size_t offset = ETHER_HEADER_LEN, udp_offset;
	uint16_t ether_type;
	enum drop_reason reason;

	/* Only what was captured is read: a snap length cuts caplen, never wire_len. */
	if (caplen > wire_len)
		caplen = wire_len;
	if (caplen < ETHER_HEADER_LEN)
		return DROP_FRAME_RUNT;
	ether_type = read_be16(frame + 12);
	for (int tags = 0; ether_type == ETHER_TYPE_VLAN || ether_type == ETHER_TYPE_QINQ; tags++) {
		if (tags == VLAN_TAGS_MAX)
			return DROP_VLAN_NESTED;
		if (caplen < offset + VLAN_TAG_LEN)
			return DROP_FRAME_RUNT;
		ether_type = read_be16(frame + offset + 2);
		offset += VLAN_TAG_LEN;
	}
	if (ether_type == ETHER_TYPE_IPV4)
		reason = walk_ipv4(frame + offset, caplen - offset, out, &udp_offset);
	else if (ether_type == ETHER_TYPE_IPV6)
		reason = walk_ipv6(frame + offset, caplen - offset, out, &udp_offset);
	else
		return DROP_NOT_IP;
	if (reason != DROP_NONE)
		return reason;
	/* The whole UDP header must be there; the payload may be cut. */
	if (caplen - offset < udp_offset + UDP_HEADER_LEN)
		return DROP_TRAFFIC_TRUNCATED;
	out->udp_length = read_be16(frame + offset + udp_offset + UDP_LENGTH_OFFSET);
	out->time_ns = time_ns;
	return DROP_NONE;
}
