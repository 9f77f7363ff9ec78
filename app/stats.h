/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore counters and their sums.
 *
 * Each counter block lives in its lcore's own cache-aligned context and is
 * written only by that lcore, once per burst.  Writers store whole uint64
 * values with relaxed atomics and readers (the main lcore, the telemetry
 * thread) load them the same way: no lock, no torn read, no shared cache line
 * bouncing between writers.
 */
#ifndef CGNF_STATS_H
#define CGNF_STATS_H

#include <stdint.h>

#include <jansson.h>

#include "drop_reason.h"

struct cgnf_app;

/* Only the owning lcore adds; everybody may read. */
static inline void counter_add(uint64_t *counter, uint64_t delta)
{
	__atomic_store_n(counter, *counter + delta, __ATOMIC_RELAXED);
}

static inline void counter_set(uint64_t *counter, uint64_t value)
{
	__atomic_store_n(counter, value, __ATOMIC_RELAXED);
}

static inline uint64_t counter_read(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

struct rx_stats {
	uint64_t rx_packets;
	uint64_t reports_enqueued; /* handed to a classifier ring */
	uint64_t bursts;	   /* non-empty rte_eth_rx_burst calls */
	uint64_t neighbor_replies; /* ARP replies and Neighbor Advertisements sent */
	uint64_t neighbor_unsent;  /* replies built but not sent: no TX queue, mbuf or room */
	uint64_t drops[DROP_REASON_COUNT];
};

struct classifier_stats {
	uint64_t classified;
	uint64_t classified_cg;
	uint64_t bursts;
};

/* Published by the aggregator after each loop that did some work. */
struct aggregator_stats {
	uint64_t reports; /* counted in the pair table */
	uint64_t reports_cg;
	uint64_t pairs;
	uint64_t cg_pairs;
	uint64_t inserted;
	uint64_t expired;
	uint64_t evicted;
	uint64_t latency_sum_ns; /* RX lcore -> pair table, summed over reports */
	uint64_t latency_max_ns;
	uint64_t last_report_ns; /* app clock when the last report was counted */
};

/* Sums over a set of lcores; the fields of roles not in the set stay 0. */
struct cgnf_totals {
	uint64_t rx_packets;
	uint64_t reports_enqueued;
	uint64_t neighbor_replies;
	uint64_t neighbor_unsent;
	uint64_t dropped; /* sum of drops[] */
	uint64_t drops[DROP_REASON_COUNT];
	uint64_t classified;
	uint64_t classified_cg;
	struct aggregator_stats aggregator;
};

/* Every lcore of the pipeline. */
void stats_sum(const struct cgnf_app *app, struct cgnf_totals *out);

/* One lcore: 0, or -ENOENT when cgnf gave it no role. */
int stats_sum_lcore(const struct cgnf_app *app, unsigned int lcore_id, struct cgnf_totals *out);

/*
 * Seconds from the first packet to the last report counted (0 before
 * that): the time spent working, without the idle wait after the input.
 */
double stats_elapsed_s(const struct cgnf_app *app, const struct aggregator_stats *aggregator);

/*
 * The --stats-json document: totals, every drop reason (zeros included),
 * per-lcore details, pair table and model.  NULL when out of memory.
 */
json_t *stats_to_json(const struct cgnf_app *app);

#endif
