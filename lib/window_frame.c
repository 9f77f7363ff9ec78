/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw frame -> window_packet: what the probe's capture filter
 * "ip and ip[6:2] & 0x1fff = 0 and udp" lets through, plus IPv6 and VLAN
 * tags, which cgnf tracks on purpose (the probe does not: PROBE.md section 2).
 *
 * The link layer is lib/ether.h's, as for reports and neighbour replies.
 * The IP walk is its own: unlike lib/packet.c (reports addressed to cgnf,
 * checked strictly), it reads mirrored traffic as the probe does: headers
 * only, frames cut by a
 * snap length still count once the UDP header is in, the IP and UDP lengths
 * are not checked against the frame, and the size is the UDP length field
 * whatever the datagram carries (a first fragment counts its whole
 * datagram).  Only the bytes captured are read.
 */
#include <string.h>

#include "ether.h"
#include "window.h"

#define UDP_LENGTH_OFFSET 4

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
	if ((ether_read_be16(ip + 6) & IPV4_FRAGMENT_OFFSET) != 0)
		return DROP_TRAFFIC_LATER_FRAGMENT;
	if (ip[9] != IP_PROTO_UDP)
		return DROP_NOT_UDP;
	header_len = (size_t)(ip[0] & 0x0f) * 4;
	ether_mapped_v4(&out->src, ip + 12);
	ether_mapped_v4(&out->dst, ip + 16);
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
		if (captured < at + IPV6_FRAGMENT_LEN)
			return DROP_TRAFFIC_TRUNCATED;
		if (protocol == IP_PROTO_FRAGMENT) {
			if ((ether_read_be16(ip + at + 2) & IPV6_FRAGMENT_OFFSET) != 0)
				return DROP_TRAFFIC_LATER_FRAGMENT;
			extension_len = IPV6_FRAGMENT_LEN;
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
	struct ether_headers link;
	size_t offset, udp_offset;
	uint16_t ether_type;
	enum drop_reason reason;

	/* Only what was captured is read: a snap length cuts caplen, never wire_len. */
	if (caplen > wire_len)
		caplen = wire_len;
	reason = ether_parse_link(frame, caplen, ETHER_ALLOW_QINQ, &link);
	if (reason != DROP_NONE)
		return reason;
	ether_type = link.ether_type;
	offset = link.l3_offset;
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
	out->udp_length = ether_read_be16(frame + offset + udp_offset + UDP_LENGTH_OFFSET);
	out->time_ns = time_ns;
	return DROP_NONE;
}
