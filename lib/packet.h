/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From a raw Ethernet frame to the UDP payload of a probe report.  Plain C on
 * bytes (no mbuf), so that it is unit-tested and fuzzed without EAL.
 *
 * Accepts Ethernet II with at most one 802.1Q/802.1ad tag, IPv4 with or
 * without options, IPv6 (hop-by-hop, routing and destination options headers
 * are walked; a fragment header is ip_fragment), UDP to the report port, from
 * an allowed probe.  Everything else is one drop reason.
 */
#ifndef CGNF_PACKET_H
#define CGNF_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "drop_reason.h"
#include "ether.h"
#include "ip.h"
#include "prefix.h"

/*
 * The longest frame a report can arrive in: Ethernet, one tag, and an IP
 * datagram at its longest (IPv6: a 40-byte header and a 65 535-byte
 * payload; IPv4's total length counts its header).  A longer frame only
 * adds bytes past the IP length, which packet_find_report never reads, so
 * its first PACKET_FRAME_MAX bytes give the same outcome as the whole.
 */
#define PACKET_FRAME_MAX (ETHER_HEADER_LEN + ETHER_VLAN_TAG_LEN + IPV6_HEADER_LEN + 65535)

struct packet_filter {
	uint16_t udp_port;
	const struct prefix_list *probes; /* NULL or empty: any source */
};

struct packet_payload {
	const uint8_t *data;
	size_t len;
	struct ip_addr source;
	enum ip_family source_family; /* the IP header's version */
};

enum drop_reason packet_find_report(const uint8_t *frame, size_t len,
				    const struct packet_filter *filter, struct packet_payload *out);

#endif
