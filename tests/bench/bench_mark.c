/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What marking costs the forwarding path per frame (mark_set_mark_frame:
 * header walk, pair hash, lookup, DSCP rewrite): 82-byte IPv4 frames of
 * 4 096 pairs, with none (every lookup misses; the RX lcore skips an empty set), a
 * quarter or all of the pairs in the set; plus
 * the rewrite alone (dscp_set on a located header).
 *
 * Usage: bench_mark [RUNS].  Last line: the figures (ns per frame) as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "dscp.h"
#include "mark_set.h"

#define DEFAULT_RUNS 15u
#define PAIRS 4096u
#define FRAMES 16384u
#define FRAME_LEN 82u
#define PASSES 64u
#define SEED 0x5eedULL

static uint8_t frames[FRAMES][FRAME_LEN];

static void build_frames(void)
{
	for (unsigned int i = 0; i < FRAMES; i++) {
		unsigned int pair = (i * 2654435761u) % PAIRS;
		uint8_t *f = frames[i], *ip = f + 14;
		bool down = i % 2;
		uint8_t client[4] = {192, 168, (uint8_t)(pair >> 8), (uint8_t)pair};
		uint8_t server[4] = {198, 18, (uint8_t)(pair >> 8), (uint8_t)pair};

		memset(f, 0, FRAME_LEN);
		f[12] = 0x08;
		ip[0] = 0x45;
		ip[3] = FRAME_LEN - 14;
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, down ? server : client, 4);
		memcpy(ip + 16, down ? client : server, 4);
	}
}

static struct mark_set *build_set(unsigned int every)
{
	struct mark_set *set = mark_set_create(PAIRS);

	for (unsigned int pair = 0; every != 0 && pair < PAIRS; pair += every) {
		struct ip_pair p;
		uint8_t client[4] = {192, 168, (uint8_t)(pair >> 8), (uint8_t)pair};
		uint8_t server[4] = {198, 18, (uint8_t)(pair >> 8), (uint8_t)pair};

		ip_from_v4(&p.ip1, client);
		ip_from_v4(&p.ip2, server);
		mark_set_add(set, &p, ip_pair_hash(&p, SEED), 0);
	}
	return set;
}

static double time_marking(struct mark_set *set, unsigned int *marked)
{
	double start = now_ns();

	*marked = 0;
	for (unsigned int pass = 0; pass < PASSES; pass++)
		for (unsigned int i = 0; i < FRAMES; i++)
			*marked += mark_set_mark_frame(set, frames[i], FRAME_LEN, SEED, MARK_BOTH,
						       (uint8_t)(pass % 2 ? 46 : 34)) != NULL;
	return (now_ns() - start) / ((double)PASSES * FRAMES);
}

static double time_rewrite(void)
{
	struct dscp_ip_header ip = {0};
	double start;
	unsigned int changed = 0;

	if (dscp_locate(frames[0], FRAME_LEN, &ip) != 0)
		return 0;
	start = now_ns();
	for (unsigned int pass = 0; pass < PASSES * 16; pass++)
		for (unsigned int i = 0; i < FRAMES; i++)
			changed += dscp_set(frames[i], &ip, (uint8_t)(pass % 2 ? 46 : 34));
	if (changed == 0)
		fprintf(stderr, "bench_mark: nothing rewritten\n");
	return (now_ns() - start) / ((double)PASSES * 16 * FRAMES);
}

int main(int argc, char **argv)
{
	unsigned int runs = argc > 1 ? (unsigned int)atoi(argv[1]) : DEFAULT_RUNS;
	static const unsigned int every[3] = {0, 4, 1}; /* none, a quarter, all */
	static const char *const names[3] = {"none held", "1 pair in 4", "every pair"};
	struct figures figures[3], rewrite;
	double *samples;

	if (runs == 0)
		runs = 1;
	samples = calloc(runs, sizeof(*samples));
	if (samples == NULL)
		return 1;
	build_frames();
	for (unsigned int k = 0; k < 3; k++) {
		struct mark_set *set = build_set(every[k]);
		unsigned int marked = 0;

		for (unsigned int r = 0; r < runs; r++)
			samples[r] = time_marking(set, &marked);
		figures[k] = summarize(samples, runs);
		printf("mark_set_mark_frame, %-15s %.2f ns a frame (median %.2f, max %.2f), %u of "
		       "%u marked\n",
		       names[k], figures[k].min, figures[k].median, figures[k].max, marked / PASSES,
		       FRAMES);
		mark_set_free(set);
	}
	for (unsigned int r = 0; r < runs; r++)
		samples[r] = time_rewrite();
	rewrite = summarize(samples, runs);
	printf("dscp_set alone (IPv4, checksum):      %.2f ns a frame (median %.2f)\n", rewrite.min,
	       rewrite.median);
	printf("{\"mark_none_ns\": %.2f, \"mark_quarter_ns\": %.2f, \"mark_all_ns\": %.2f, "
	       "\"dscp_set_ns\": %.2f}\n",
	       figures[0].median, figures[1].median, figures[2].median, rewrite.median);
	free(samples);
	return 0;
}
