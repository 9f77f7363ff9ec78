/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of the ARP / ND responder as the RX lcore pays it: neighbor_classify
 * on a frame refused as not_udp that is no neighbour message (an ICMP echo:
 * the only price ordinary traffic pays), and classify + build for an ARP
 * request and a Neighbor Solicitation for our address (with its checksums).
 *
 * Usage: bench_neighbor [RUNS].  Last line: the figures (ns per frame) as JSON.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "neighbor.h"

#define DEFAULT_RUNS 31u
#define FRAMES_PER_RUN 1000000u

static const uint8_t arp_request[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0,	0, 0,	0, 0x10, 0x08, 0x06, /* Ethernet */
	0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01,				     /* request */
	0x02, 0,    0,	  0,	0,    0x10, 192,  0,	2, 100,			     /* sender */
	0,    0,    0,	  0,	0,    0,    192,  0,	2, 1,			     /* target */
};

/* ICMPv4 echo request: not ARP, not IPv6. */
static const uint8_t icmp_echo[42] = {
	0x02, 0,  0, 0, 0, 0x20, 0x02, 0, 0,   0,   0, 0x10, 0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0x40,
	0,    64, 1, 0, 0, 192,	 0,    2, 100, 192, 0, 2,    1,	   8,	 0,    0, 0, 0,	 0, 0, 0,
};

static uint8_t solicitation[86];

static void put_solicitation(void)
{
	static const uint8_t header[14] = {0x33, 0x33, 0xff, 0, 0,    0x01, 0x02,
					   0,	 0,    0,    0, 0x10, 0x86, 0xdd};
	static const uint8_t source[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x01};
	static const uint8_t group[16] = {0xff, 0x02, [11] = 0x01, [12] = 0xff, [15] = 0x01};
	static const uint8_t target[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
	uint8_t *ip = solicitation + 14, *message = ip + 40;
	uint32_t sum = 32 + 58;

	memcpy(solicitation, header, sizeof(header));
	ip[0] = 0x60, ip[5] = 32, ip[6] = 58, ip[7] = 255;
	memcpy(ip + 8, source, 16);
	memcpy(ip + 24, group, 16);
	message[0] = 135;
	memcpy(message + 8, target, 16);
	message[24] = 1, message[25] = 1, message[26] = 0x02, message[31] = 0x10;
	for (int i = 8; i < 40 + 32; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	message[2] = (uint8_t)(~sum >> 8);
	message[3] = (uint8_t)~sum;
}

static volatile int sink;

/* ns per frame over runs: classify only, or classify then build the reply. */
static struct figures measure(const uint8_t *frame, size_t len, bool build,
			      const struct neighbor_config *config, unsigned int runs)
{
	uint8_t out[NEIGHBOR_REPLY_MAX];
	double *samples = calloc(runs, sizeof(*samples));
	struct figures figures = {0};

	if (samples == NULL)
		return figures;
	for (unsigned int r = 0; r < runs; r++) {
		double start = now_ns();
		int total = 0;

		for (unsigned int i = 0; i < FRAMES_PER_RUN; i++) {
			/* The compiler must not hoist the call out of the loop. */
			__asm__ volatile("" : : "g"(frame) : "memory");
			total += (int)neighbor_classify(frame, len);
			if (build)
				total += neighbor_build_reply(frame, len, config, out, sizeof(out));
		}
		samples[r] = (now_ns() - start) / FRAMES_PER_RUN;
		sink = total;
	}
	figures = summarize(samples, runs);
	free(samples);
	return figures;
}

int main(int argc, char **argv)
{
	unsigned int runs = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : DEFAULT_RUNS;
	struct ip_addr addrs[2];
	struct neighbor_config config = {.mac = {0x02, 0, 0, 0, 0, 0x20}, .addrs = addrs};
	struct figures other, arp, ns;
	uint8_t out[NEIGHBOR_REPLY_MAX];

	if (runs == 0)
		runs = DEFAULT_RUNS;
	ip_parse(&addrs[0], "192.0.2.1", 9);
	ip_parse(&addrs[1], "2001:db8::1", 11);
	config.addr_count = 2;
	put_solicitation();
	if (neighbor_build_reply(arp_request, sizeof(arp_request), &config, out, sizeof(out)) <=
		    0 ||
	    neighbor_build_reply(solicitation, sizeof(solicitation), &config, out, sizeof(out)) <=
		    0) {
		fprintf(stderr, "bench_neighbor: the sample requests are not answered\n");
		return 1;
	}

	other = measure(icmp_echo, sizeof(icmp_echo), false, &config, runs);
	arp = measure(arp_request, sizeof(arp_request), true, &config, runs);
	ns = measure(solicitation, sizeof(solicitation), true, &config, runs);
	printf("classify, not a neighbour message: %.2f ns (median %.2f, max %.2f)\n", other.min,
	       other.median, other.max);
	printf("ARP request -> reply:              %.2f ns (median %.2f, max %.2f)\n", arp.min,
	       arp.median, arp.max);
	printf("NS -> NA (two ICMPv6 checksums):    %.2f ns (median %.2f, max %.2f)\n", ns.min,
	       ns.median, ns.max);
	printf("{\"classify_other_ns\": %.2f, \"arp_reply_ns\": %.2f, \"neighbor_advert_ns\": "
	       "%.2f}\n",
	       other.min, arp.min, ns.min);
	return 0;
}
