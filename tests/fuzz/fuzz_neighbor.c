/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ARP / neighbour discovery responder on any frame: it must never read
 * or write out of bounds, and whatever it answers must be of a kind the RX
 * lcore counts (ARP or ND) and fit the reply buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "neighbor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ip_addr addrs[3];
static struct neighbor_config config = {.mac = {0x02, 0, 0, 0, 0, 0x20}, .addrs = addrs};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[NEIGHBOR_REPLY_MAX];
	enum neighbor_kind kind;
	int len;

	if (config.addr_count == 0) {
		ip_parse(&addrs[0], "192.0.2.1", 9);
		ip_parse(&addrs[1], "2001:db8::1", 11);
		ip_parse(&addrs[2], "fe80::1", 7);
		config.addr_count = 3;
	}
	kind = neighbor_classify(data, size);
	len = neighbor_build_reply(data, size, &config, out, sizeof(out));
	if (len < 0 || len > NEIGHBOR_REPLY_MAX || (len > 0 && kind == NEIGHBOR_NONE))
		abort();
	return 0;
}
