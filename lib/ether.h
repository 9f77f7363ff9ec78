/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one place where cgnf walks frame headers: Ethernet II, 802.1Q and
 * 802.1ad tags, IPv4 (options), IPv6 (hop-by-hop, routing, destination
 * options and fragment headers), UDP.  Plain C on bytes, no mbuf: probe
 * reports (packet.c), ARP / neighbour discovery (neighbor.c) and any later
 * reader of raw traffic share it, so a header rule is written once.
 *
 * The walk is top-down and stops at the first thing wrong, returning it as a
 * drop reason (drop_reason.h), so that every user refuses a frame for the
 * same reason.  What the walk does not judge is left to the caller: the
 * Ethernet type when it is not IP (DROP_NOT_IP, with the link layer filled),
 * the L4 protocol when it is not UDP (DROP_NONE, l4_protocol says which).
 */
#ifndef CGNF_ETHER_H
#define CGNF_ETHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drop_reason.h"
#include "ip.h"

#define ETHER_HEADER_LEN 14
#define ETHER_VLAN_TAG_LEN 4
#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_ARP 0x0806
#define ETHER_TYPE_IPV6 0x86dd
#define ETHER_TYPE_VLAN 0x8100 /* 802.1Q */
#define ETHER_TYPE_QINQ 0x88a8 /* 802.1ad */
/* 802.1ad service tag and 802.1Q customer tag: what a provider network stacks. */
#define ETHER_VLAN_TAGS_MAX 2

#define IPV4_HEADER_MIN 20
#define IPV6_HEADER_LEN 40
/* Real traffic carries one or two; the bound caps the work a crafted chain costs. */
#define IPV6_EXTENSIONS_MAX 8

#define IP_PROTO_HOP_BY_HOP 0
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IP_PROTO_ROUTING 43
#define IP_PROTO_FRAGMENT 44
#define IP_PROTO_ICMPV6 58
#define IP_PROTO_DEST_OPTIONS 60

#define UDP_HEADER_LEN 8

/* What a caller accepts beyond a plain report frame; 0 is packet.c's rules. */
enum ether_parse_flags {
	/* Two tags (802.1ad outer, 802.1Q inner); without it a second tag is vlan_nested. */
	ETHER_ALLOW_QINQ = 1u << 0,
	/*
	 * IPv4 fragments and the IPv6 fragment header are walked instead of
	 * refused as ip_fragment: the first fragment (offset 0) gets its L4
	 * header read, later ones stop at the fragment's data.
	 */
	ETHER_ALLOW_FRAGMENTS = 1u << 1,
};

struct ether_headers {
	/* Link layer: always filled once the frame is not a runt. */
	uint16_t ether_type;			/* the inner one, after the tags */
	uint8_t vlan_count;			/* tags walked, 0..ETHER_VLAN_TAGS_MAX */
	uint16_t vlan_tci[ETHER_VLAN_TAGS_MAX]; /* outer first */
	uint16_t l3_offset;			/* where the IP (or ARP...) header starts */

	/* Network layer: filled when ether_type is IPv4 or IPv6 and the header is sound. */
	uint8_t ip_version;	  /* 4 or 6; 0 before the IP header was read */
	uint8_t l4_protocol;	  /* UDP, TCP, ICMPv6...: the first non-extension header */
	bool fragment;		  /* IPv4 MF or offset, or an IPv6 fragment header */
	bool more_fragments;	  /* MF set: not the last fragment */
	uint16_t fragment_offset; /* in bytes; 0 for the first fragment */
	uint32_t fragment_id;	  /* IPv4's 16-bit or IPv6's 32-bit identification */
	struct ip_addr source;	  /* IPv4 as mapped (ip.h): ip_version tells the family */
	struct ip_addr destination;
	uint32_t l4_offset; /* what follows the IP header and its extensions */
	uint32_t l4_len;    /* up to the IP length: Ethernet padding excluded */

	/* Transport layer: filled when l4_protocol is UDP and the header is there. */
	bool has_udp;
	uint16_t source_port;
	uint16_t destination_port;
	uint32_t payload_offset; /* the UDP payload */
	uint32_t payload_len; /* from the UDP length; of this fragment only for a first fragment */
};

/*
 * Ethernet and its tags only: fills the link layer of *out.  Returns
 * DROP_NONE, DROP_FRAME_RUNT or DROP_VLAN_NESTED.  For readers that judge
 * the rest themselves (ARP, neighbour discovery).
 */
static inline enum drop_reason ether_parse_link(const uint8_t *frame, size_t len,
						unsigned int flags, struct ether_headers *out);

/*
 * The whole walk: link, IPv4 or IPv6, and UDP when the L4 protocol is UDP.
 * Returns DROP_NONE, or the first fault: frame_runt, vlan_nested, not_ip
 * (link layer filled), ipv4_truncated, ipv4_bad_header, ipv6_truncated,
 * ipv6_bad_header, ip_fragment (unless ETHER_ALLOW_FRAGMENTS),
 * udp_truncated, udp_bad_length.  DROP_NONE with a protocol other than UDP
 * is the caller's to judge.  *out is partly filled on a refusal.
 */
static inline enum drop_reason ether_parse(const uint8_t *frame, size_t len, unsigned int flags,
					   struct ether_headers *out);

static inline uint16_t ether_read_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The walk is inline: a report costs about 9 ns here, and out of line
 * (a call, and every field stored whether the caller reads it or not) it
 * cost 14 ns (bench_parse, packet_find_report).  Lengths are trusted only
 * once checked against what the frame holds; the IP length, not the
 * frame's, bounds what follows (Ethernet pads short frames to 60 bytes).
 */
#define IPV4_DONT_FRAGMENT_MASK 0x3fff /* MF and the offset */
#define IPV4_MORE_FRAGMENTS 0x2000
#define IPV4_FRAGMENT_OFFSET 0x1fff
#define IPV6_EXTENSION_MIN 8
#define IPV6_FRAGMENT_LEN 8
#define IPV6_FRAGMENT_OFFSET 0xfff8
#define IPV6_MORE_FRAGMENTS 0x0001

/* ip_from_v4, inline: two calls a frame cost more than the rest of the IPv4 header. */
static inline void ether_mapped_v4(struct ip_addr *addr, const uint8_t *v4)
{
	static const uint8_t mapped_prefix[12] = {[10] = 0xff, [11] = 0xff};

	memcpy(addr->bytes, mapped_prefix, sizeof(mapped_prefix));
	memcpy(addr->bytes + 12, v4, 4);
}

static inline bool ether_is_vlan_tag(uint16_t ether_type)
{
	return ether_type == ETHER_TYPE_VLAN || ether_type == ETHER_TYPE_QINQ;
}

static inline uint32_t ether_read_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline enum drop_reason ether_parse_link(const uint8_t *frame, size_t len,
						unsigned int flags, struct ether_headers *out)
{
	size_t offset = ETHER_HEADER_LEN;
	uint16_t ether_type;

	if (len < ETHER_HEADER_LEN)
		return DROP_FRAME_RUNT;
	ether_type = ether_read_be16(frame + 12);
	out->vlan_count = 0;
	/*
	 * Unrolled, with constant indices: a loop indexing vlan_tci keeps the
	 * whole struct in memory and cost 1.5 ns a frame.  A tag's next type is
	 * read before its length is needed (the TCI comes first).
	 */
	if (ether_is_vlan_tag(ether_type)) {
		if (len < ETHER_HEADER_LEN + ETHER_VLAN_TAG_LEN)
			return DROP_FRAME_RUNT;
		out->vlan_count = 1;
		out->vlan_tci[0] = ether_read_be16(frame + 14);
		ether_type = ether_read_be16(frame + 16);
		offset += ETHER_VLAN_TAG_LEN;
		if (ether_is_vlan_tag(ether_type)) {
			if ((flags & ETHER_ALLOW_QINQ) == 0)
				return DROP_VLAN_NESTED;
			if (len < ETHER_HEADER_LEN + 2 * ETHER_VLAN_TAG_LEN)
				return DROP_FRAME_RUNT;
			out->vlan_count = 2;
			out->vlan_tci[1] = ether_read_be16(frame + 18);
			ether_type = ether_read_be16(frame + 20);
			offset += ETHER_VLAN_TAG_LEN;
			if (ether_is_vlan_tag(ether_type))
				return DROP_VLAN_NESTED;
		}
	}
	out->ether_type = ether_type;
	out->l3_offset = (uint16_t)offset;
	return DROP_NONE;
}

static inline enum drop_reason ether_parse_ipv4(const uint8_t *ip, size_t avail, unsigned int flags,
						struct ether_headers *out)
{
	size_t header_len, total_len;
	uint16_t fragment;

	if (avail < IPV4_HEADER_MIN)
		return DROP_IPV4_TRUNCATED;
	if ((ip[0] >> 4) != 4 || (ip[0] & 0x0f) < 5)
		return DROP_IPV4_BAD_HEADER;
	header_len = (size_t)(ip[0] & 0x0f) * 4;
	if (header_len > avail)
		return DROP_IPV4_TRUNCATED;
	total_len = ether_read_be16(ip + 2);
	if (total_len < header_len || total_len > avail)
		return DROP_IPV4_BAD_HEADER;
	fragment = ether_read_be16(ip + 6) & IPV4_DONT_FRAGMENT_MASK;
	out->fragment = fragment != 0;
	if (out->fragment) {
		if ((flags & ETHER_ALLOW_FRAGMENTS) == 0)
			return DROP_IP_FRAGMENT;
		out->more_fragments = (fragment & IPV4_MORE_FRAGMENTS) != 0;
		out->fragment_offset = (uint16_t)((fragment & IPV4_FRAGMENT_OFFSET) * 8);
		out->fragment_id = ether_read_be16(ip + 4);
	}
	out->ip_version = 4;
	out->l4_protocol = ip[9];
	ether_mapped_v4(&out->source, ip + 12);
	ether_mapped_v4(&out->destination, ip + 16);
	out->l4_offset = (uint32_t)(out->l3_offset + header_len);
	out->l4_len = (uint32_t)(total_len - header_len);
	return DROP_NONE;
}

/*
 * Walks hop-by-hop (first only, as RFC 8200 requires), routing, destination
 * options and (with ETHER_ALLOW_FRAGMENTS) fragment headers up to the first
 * other one, the L4 protocol.  A chain that overruns the payload length or
 * is longer than IPV6_EXTENSIONS_MAX is a bad header.
 */
static inline enum drop_reason ether_parse_ipv6(const uint8_t *ip, size_t avail, unsigned int flags,
						struct ether_headers *out)
{
	const uint8_t *next;
	size_t remaining, extension_len;
	unsigned int extensions;
	uint8_t protocol;

	if (avail < IPV6_HEADER_LEN)
		return DROP_IPV6_TRUNCATED;
	if ((ip[0] >> 4) != 6)
		return DROP_IPV6_BAD_HEADER;
	remaining = ether_read_be16(ip + 4);
	if (remaining > avail - IPV6_HEADER_LEN)
		return DROP_IPV6_BAD_HEADER;
	protocol = ip[6];
	next = ip + IPV6_HEADER_LEN;
	out->fragment = false;

	for (extensions = 0;; extensions++) {
		switch (protocol) {
		case IP_PROTO_FRAGMENT:
			if ((flags & ETHER_ALLOW_FRAGMENTS) == 0)
				return DROP_IP_FRAGMENT;
			/* Two fragment headers would be a fragment of a fragment. */
			if (out->fragment)
				return DROP_IPV6_BAD_HEADER;
			break;
		case IP_PROTO_HOP_BY_HOP:
			if (extensions > 0)
				return DROP_IPV6_BAD_HEADER;
			break;
		case IP_PROTO_ROUTING:
		case IP_PROTO_DEST_OPTIONS:
			break;
		default:
			goto upper_layer;
		}
		if (extensions == IPV6_EXTENSIONS_MAX || remaining < IPV6_EXTENSION_MIN)
			return DROP_IPV6_BAD_HEADER;
		if (protocol == IP_PROTO_FRAGMENT) {
			uint16_t fragment = ether_read_be16(next + 2);

			out->fragment = true;
			out->more_fragments = (fragment & IPV6_MORE_FRAGMENTS) != 0;
			out->fragment_offset = fragment & IPV6_FRAGMENT_OFFSET;
			out->fragment_id = ether_read_be32(next + 4);
			extension_len = IPV6_FRAGMENT_LEN;
		} else {
			extension_len = ((size_t)next[1] + 1) * 8;
			if (extension_len > remaining)
				return DROP_IPV6_BAD_HEADER;
		}
		protocol = next[0];
		next += extension_len;
		remaining -= extension_len;
		/* Past a later fragment's header is its data, not the next header. */
		if (out->fragment && out->fragment_offset != 0)
			break;
	}
upper_layer:
	out->ip_version = 6;
	out->l4_protocol = protocol;
	memcpy(out->source.bytes, ip + 8, sizeof(out->source.bytes));
	memcpy(out->destination.bytes, ip + 24, sizeof(out->destination.bytes));
	out->l4_offset = (uint32_t)(next - ip) + out->l3_offset;
	out->l4_len = (uint32_t)remaining;
	return DROP_NONE;
}

/*
 * The UDP header of an unfragmented datagram or a first fragment.  A first
 * fragment holds only part of the datagram the UDP length counts.
 */
static inline enum drop_reason ether_parse_udp(const uint8_t *frame, struct ether_headers *out)
{
	const uint8_t *udp = frame + out->l4_offset;
	size_t udp_len;

	if (out->l4_len < UDP_HEADER_LEN)
		return DROP_UDP_TRUNCATED;
	udp_len = ether_read_be16(udp + 4);
	if (udp_len < UDP_HEADER_LEN || (udp_len > out->l4_len && !out->more_fragments))
		return DROP_UDP_BAD_LENGTH;
	out->has_udp = true;
	out->source_port = ether_read_be16(udp);
	out->destination_port = ether_read_be16(udp + 2);
	out->payload_offset = out->l4_offset + UDP_HEADER_LEN;
	out->payload_len =
		(uint32_t)((udp_len <= out->l4_len ? udp_len : out->l4_len) - UDP_HEADER_LEN);
	return DROP_NONE;
}

static inline enum drop_reason ether_parse(const uint8_t *frame, size_t len, unsigned int flags,
					   struct ether_headers *out)
{
	enum drop_reason reason = ether_parse_link(frame, len, flags, out);

	out->ip_version = 0;
	out->has_udp = false;
	out->more_fragments = false;
	out->fragment_offset = 0;
	if (reason != DROP_NONE)
		return reason;
	if (out->ether_type == ETHER_TYPE_IPV4)
		reason = ether_parse_ipv4(frame + out->l3_offset, len - out->l3_offset, flags, out);
	else if (out->ether_type == ETHER_TYPE_IPV6)
		reason = ether_parse_ipv6(frame + out->l3_offset, len - out->l3_offset, flags, out);
	else
		return DROP_NOT_IP;
	if (reason != DROP_NONE || out->l4_protocol != IP_PROTO_UDP || out->fragment_offset != 0)
		return reason;
	return ether_parse_udp(frame, out);
}

#endif
