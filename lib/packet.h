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
#include "ip.h"
#include "prefix.h"

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
