/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Setting the DSCP of a frame in place: Ethernet (one 802.1Q / 802.1ad tag
 * or two), IPv4 or IPv6.  The six DSCP bits change; the two ECN bits, the
 * IPv6 flow label and everything else stay.  IPv4's header checksum is
 * updated incrementally (RFC 1624, equation 3) from the one 16-bit word that
 * changed, so it stays valid without reading the rest of the header; no L4
 * checksum covers the DS field (the pseudo-headers leave it out).
 *
 * Plain C on bytes, no mbuf.  The link layer is walked by ether.h; only the
 * IP header's fixed part must be in the frame, not the datagram it
 * announces: a capture cut at a snap length (82 bytes) is still marked.
 */
#ifndef CGNF_DSCP_H
#define CGNF_DSCP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ether.h"
#include "ip.h"

#define DSCP_MAX 63
/* Longest DSCP name dscp_format writes, NUL included ("AF41", "CS7", "63"). */
#define DSCP_TEXT_MAX 8

/* The IP header of a frame, as marking needs it. */
struct dscp_ip_header {
	uint8_t ip_version; /* 4 or 6 */
	uint16_t l3_offset; /* where the IP header starts */
	struct ip_addr source;
	struct ip_addr destination; /* IPv4 as mapped (ip.h) */
};

/*
 * The frame's IP header: 0 and *out filled, or -ENOENT when the frame is not
 * IPv4 / IPv6 or too short for the IP header's fixed part (with its options
 * for IPv4), or its version / length field is wrong.
 */
static inline int dscp_locate(const uint8_t *frame, size_t len, struct dscp_ip_header *out)
{
	struct ether_headers link;
	const uint8_t *ip;

	if (ether_parse_link(frame, len, ETHER_ALLOW_QINQ, &link) != DROP_NONE)
		return -ENOENT;
	ip = frame + link.l3_offset;
	if (link.ether_type == ETHER_TYPE_IPV4) {
		if (len < (size_t)link.l3_offset + IPV4_HEADER_MIN || (ip[0] >> 4) != 4 ||
		    (ip[0] & 0x0f) < 5 || len < (size_t)link.l3_offset + (size_t)(ip[0] & 0x0f) * 4)
			return -ENOENT;
		out->ip_version = 4;
		ether_mapped_v4(&out->source, ip + 12);
		ether_mapped_v4(&out->destination, ip + 16);
	} else if (link.ether_type == ETHER_TYPE_IPV6) {
		if (len < (size_t)link.l3_offset + IPV6_HEADER_LEN || (ip[0] >> 4) != 6)
			return -ENOENT;
		out->ip_version = 6;
		memcpy(out->source.bytes, ip + 8, sizeof(out->source.bytes));
		memcpy(out->destination.bytes, ip + 24, sizeof(out->destination.bytes));
	} else {
		return -ENOENT;
	}
	out->l3_offset = link.l3_offset;
	return 0;
}

/*
 * RFC 1624 equation 3: the checksum after one 16-bit word of the covered
 * data went from old_word to new_word, HC' = ~(~HC + ~m + m'), in one's
 * complement arithmetic.
 */
static inline uint16_t dscp_checksum_adjust(uint16_t checksum, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum = (uint32_t)(uint16_t)~checksum + (uint16_t)~old_word + new_word;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The DSCP of the IP header dscp_locate found. */
static inline uint8_t dscp_get(const uint8_t *frame, const struct dscp_ip_header *ip)
{
	const uint8_t *header = frame + ip->l3_offset;

	if (ip->ip_version == 4)
		return header[1] >> 2;
	return (uint8_t)(((header[0] & 0x0f) << 2) | (header[1] >> 6));
}

/*
 * Sets the DSCP (0..63) of the IP header dscp_locate found, ECN kept.
 * Returns true when a byte changed, false when it had that DSCP already.
 */
static inline bool dscp_set(uint8_t *frame, const struct dscp_ip_header *ip, uint8_t dscp)
{
	uint8_t *header = frame + ip->l3_offset;

	if (ip->ip_version == 4) {
		uint8_t tos = (uint8_t)((dscp << 2) | (header[1] & 0x03));
		uint16_t old_word = ether_read_be16(header), new_word, checksum;

		if (tos == header[1])
			return false;
		new_word = (uint16_t)((header[0] << 8) | tos);
		checksum = dscp_checksum_adjust(ether_read_be16(header + 10), old_word, new_word);
		header[1] = tos;
		header[10] = (uint8_t)(checksum >> 8);
		header[11] = (uint8_t)checksum;
		return true;
	}
	/* IPv6: version (4 bits), traffic class (DSCP 6, ECN 2), flow label (20). */
	{
		uint8_t first = (uint8_t)((header[0] & 0xf0) | (dscp >> 2));
		uint8_t second = (uint8_t)(((dscp & 0x03) << 6) | (header[1] & 0x3f));

		if (first == header[0] && second == header[1])
			return false;
		header[0] = first;
		header[1] = second;
		return true;
	}
}

/*
 * A DSCP given as a number (0..63) or a name of RFC 4594 / 5865 / 8622,
 * any case: EF (46), VA (44), AF11..AF43 (8x + 2y), CS0..CS7 (8n), LE (1),
 * BE / DF (0).  0 and *out set, or -EINVAL.
 */
int dscp_parse(const char *text, uint8_t *out);

#endif
