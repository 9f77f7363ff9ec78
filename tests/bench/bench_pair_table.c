/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of one result in the aggregator's pair table at 1 M pairs: fill a
 * 1 M-pair table, then count results for pairs drawn at random (the worst
 * case for the caches) and in a fixed cycle (the probe's steady pattern),
 * one by one and in bursts of 32.  A plain open-addressing table with no LRU
 * and no verdict is timed on the same results as the floor.
 *
 * Usage: bench_pair_table [PAIRS [RUNS]].  Last line: the figures as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "pair_table.h"
#include "resident_memory.h"
#include "splitmix64.h"

#define DEFAULT_PAIRS 1000000u
#define DEFAULT_RUNS 7u
#define UPDATES_PER_RUN 2000000u
#ifndef BURST
#define BURST 32u
#endif

struct baseline_slot {
	struct ip_pair pair;
	uint32_t hash;
	uint32_t used;
	uint64_t cg;
	uint64_t ncg;
};

/* The floor: linear probing over inline slots, a count and nothing else. */
struct baseline_table {
	struct baseline_slot *slots;
	uint32_t mask;
};

static void baseline_update(struct baseline_table *table, const struct pair_update *r)
{
	uint32_t slot = r->hash & table->mask;
	struct baseline_slot *s;

	for (;; slot = (slot + 1) & table->mask) {
		s = &table->slots[slot];
		if (!s->used) {
			s->used = 1;
			s->pair = r->pair;
			s->hash = r->hash;
			break;
		}
		if (s->hash == r->hash && memcmp(&s->pair, &r->pair, sizeof(s->pair)) == 0)
			break;
	}
	if (r->is_cg)
		s->cg++;
	else
		s->ncg++;
}

static void make_pairs(struct pair_update *pairs, unsigned int count, uint64_t seed)
{
	uint64_t state = seed;
	unsigned int i;

	for (i = 0; i < count; i++) {
		uint32_t client = UINT32_C(0x0a000000) + i; /* 10.x.y.z: distinct */
		uint32_t server = (uint32_t)splitmix64_next(&state);
		uint8_t v4[4];

		memset(&pairs[i], 0, sizeof(pairs[i]));
		v4[0] = client >> 24, v4[1] = client >> 16, v4[2] = client >> 8, v4[3] = client;
		ip_from_v4(&pairs[i].pair.ip1, v4);
		v4[0] = server >> 24, v4[1] = server >> 16, v4[2] = server >> 8, v4[3] = server;
		ip_from_v4(&pairs[i].pair.ip2, v4);
		pairs[i].hash = ip_pair_hash(&pairs[i].pair, seed);
	}
}

/* results[i] is a copy of a pair's record, as the aggregator dequeues it. */
static void make_results(struct pair_update *results, unsigned int count,
			 const struct pair_update *pairs, unsigned int pair_count,
			 bool random_order, uint64_t *state)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		uint64_t r = splitmix64_next(state);
		unsigned int which = random_order ? (unsigned int)(r % pair_count) : i % pair_count;

		results[i] = pairs[which];
		results[i].is_cg = (r >> 40) & 1;
		results[i].rx_time_ns = 1000 + i;
		results[i].seen_ns = 1000 + i;
	}
}

static double time_table(struct pair_table *table, const struct pair_update *results,
			 unsigned int count, bool burst)
{
	double start = now_ns();
	unsigned int i, n;

	if (burst) {
		for (i = 0; i < count; i += n) {
			n = count - i < BURST ? count - i : BURST;
			pair_table_update_burst(table, &results[i], n);
		}
	} else {
		for (i = 0; i < count; i++)
			pair_table_update(table, &results[i].pair, results[i].hash,
					  results[i].is_cg, results[i].rx_time_ns,
					  results[i].seen_ns);
	}
	return (now_ns() - start) / count;
}

static double time_baseline(struct baseline_table *table, const struct pair_update *results,
			    unsigned int count)
{
	double start = now_ns();
	unsigned int i;

	for (i = 0; i < count; i++)
		baseline_update(table, &results[i]);
	return (now_ns() - start) / count;
}

static void print_figures(const char *what, const struct figures *f)
{
	printf("%-34s min %6.1f  median %6.1f  max %6.1f ns/result\n", what, f->min, f->median,
	       f->max);
}

static void json_figures(const char *key, const struct figures *f, const char *sep)
{
	printf("\"%s\":{\"min\":%.1f,\"median\":%.1f,\"max\":%.1f}%s", key, f->min, f->median,
	       f->max, sep);
}

int main(int argc, char **argv)
{
	unsigned int pairs_count =
		argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : DEFAULT_PAIRS;
	unsigned int runs = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 10) : DEFAULT_RUNS;
	struct pair_table_config config = {
		.max_pairs = pairs_count,
		.pair_timeout_ns = 0,
		.verdict_window = 30,
		.verdict_min_reports = 10,
		.verdict_threshold = 0.5,
	};
	double *fill = calloc(runs, sizeof(double)), *one = calloc(runs, sizeof(double));
	double *burst = calloc(runs, sizeof(double)), *cyclic = calloc(runs, sizeof(double));
	double *base = calloc(runs, sizeof(double));
	struct pair_update *pairs = calloc(pairs_count, sizeof(*pairs));
	struct pair_update *results = calloc(UPDATES_PER_RUN, sizeof(*results));
	struct pair_update *cycle = calloc(UPDATES_PER_RUN, sizeof(*cycle));
	struct baseline_table baseline = {0};
	struct figures f_fill, f_one, f_burst, f_cyclic, f_base;
	uint64_t state = 42;
	double bytes_per_pair = 0;
	long rss_before = 0, rss_after = 0;
	uint32_t slots = 2;
	unsigned int run;

	if (pairs_count == 0 || runs == 0 || !fill || !one || !burst || !cyclic || !base ||
	    !pairs || !results || !cycle) {
		fprintf(stderr, "usage: %s [PAIRS [RUNS]] (or out of memory)\n", argv[0]);
		return 1;
	}
	while (slots < 2 * pairs_count)
		slots <<= 1;
	make_pairs(pairs, pairs_count, UINT64_C(0x5eed));
	make_results(results, UPDATES_PER_RUN, pairs, pairs_count, true, &state);
	make_results(cycle, UPDATES_PER_RUN, pairs, pairs_count, false, &state);

	for (run = 0; run < runs; run++) {
		struct pair_table *table;

		rss_before = resident_bytes();
		table = pair_table_create(&config, NULL, NULL);
		if (table == NULL) {
			perror("pair_table_create");
			return 1;
		}
		bytes_per_pair = (double)pair_table_memory(table) / pairs_count;
		fill[run] = time_table(table, pairs, pairs_count, false);
		one[run] = time_table(table, results, UPDATES_PER_RUN, false);
		burst[run] = time_table(table, results, UPDATES_PER_RUN, true);
		cyclic[run] = time_table(table, cycle, UPDATES_PER_RUN, true);
		rss_after = resident_bytes();
		pair_table_free(table);

		baseline.mask = slots - 1;
		baseline.slots = calloc(slots, sizeof(*baseline.slots));
		if (baseline.slots == NULL)
			return 1;
		time_baseline(&baseline, pairs, pairs_count);
		base[run] = time_baseline(&baseline, results, UPDATES_PER_RUN);
		free(baseline.slots);
	}
	f_fill = summarize(fill, runs);
	f_one = summarize(one, runs);
	f_burst = summarize(burst, runs);
	f_cyclic = summarize(cyclic, runs);
	f_base = summarize(base, runs);

	printf("pair table: %u pairs, %u runs, %u results per run\n", pairs_count, runs,
	       UPDATES_PER_RUN);
	print_figures("fill (insert)", &f_fill);
	print_figures("update, random pairs", &f_one);
	print_figures("update_burst, random pairs", &f_burst);
	print_figures("update_burst, cyclic pairs", &f_cyclic);
	print_figures("baseline (no LRU/verdict), random", &f_base);
	printf("memory: %.1f bytes per pair (table), RSS grew %.1f MB with the table\n",
	       bytes_per_pair, (double)(rss_after - rss_before) / 1e6);
	printf("{\"bench\":\"pair_table\",\"pairs\":%u,\"runs\":%u,", pairs_count, runs);
	json_figures("fill_ns", &f_fill, ",");
	json_figures("update_ns", &f_one, ",");
	json_figures("update_burst_ns", &f_burst, ",");
	json_figures("update_burst_cyclic_ns", &f_cyclic, ",");
	json_figures("baseline_ns", &f_base, ",");
	printf("\"bytes_per_pair\":%.1f}\n", bytes_per_pair);
	free(fill), free(one), free(burst), free(cyclic), free(base);
	free(pairs), free(results), free(cycle);
	return 0;
}
