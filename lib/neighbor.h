/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP and IPv6 neighbour discovery for cgnf's own addresses (--ip), so that a
 * probe can reach it without static neighbour entries.  Plain C on bytes:
 * the RX lcore hands in a frame that packet_find_report refused as not_ip or
 * not_udp and transmits the reply this builds.
 *
 * Answered: ARP requests (RFC 826) and Neighbor Solicitations (RFC 4861,
 * validated as its section 7.1.1 requires) whose target is one of our
 * addresses, behind at most one 802.1Q / 802.1ad tag, which the reply keeps.
 * Not handled: gratuitous ARP, announcements, our own duplicate detection.
 */
#ifndef CGNF_NEIGHBOR_H
#define CGNF_NEIGHBOR_H

#include <stddef.h>
#include <stdint.h>

#include "ip.h"

#define NEIGHBOR_MAC_LEN 6

/* Largest reply: Ethernet + tag + IPv6 + advertisement with its option. */
#define NEIGHBOR_REPLY_MAX (14 + 4 + 40 + 32)

enum neighbor_kind {
	NEIGHBOR_NONE = 0, /* neither ARP nor neighbour discovery */
	NEIGHBOR_ARP,	   /* any ARP frame, ours or not */
	NEIGHBOR_NDP,	   /* ICMPv6 router/neighbour solicitation, advertisement or redirect */
};

struct neighbor_config {
	uint8_t mac[NEIGHBOR_MAC_LEN]; /* the port's: sender of every reply */
	const struct ip_addr *addrs;   /* IPv4 as mapped (ip.h), IPv6 as is */
	unsigned int addr_count;
};

/*
 * Which protocol the frame belongs to, from its Ethernet type and, for IPv6,
 * the next header and ICMPv6 type: a few byte reads, no validation.  The
 * caller counts the frame under that protocol whether it is answered or not.
 */
enum neighbor_kind neighbor_classify(const uint8_t *frame, size_t len);

/*
 * Builds into out the reply to an ARP request or Neighbor Solicitation for
 * one of config's addresses.  Returns the reply's length (ARP replies are
 * padded to the 60-byte Ethernet minimum), 0 when the frame asks for nothing
 * we answer (another target, a reply, malformed, bad checksum), or -ENOSPC
 * when out_size is below NEIGHBOR_REPLY_MAX.
 */
int neighbor_build_reply(const uint8_t *frame, size_t len, const struct neighbor_config *config,
			 uint8_t *out, size_t out_size);

#endif
