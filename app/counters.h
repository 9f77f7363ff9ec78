/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every counter and gauge of cgnf, listed once.
 *
 * Each role has one X-macro list of X(name, kind, unit, help).  From these
 * lists come the per-role counter blocks (written by one thread each), the
 * flat enum of counter ids, and the table of specs that --stats-json,
 * telemetry, the status line, the final totals and any exporter render: a
 * name is written here and nowhere else.  Drops by reason are the one
 * labelled family; their names come from lib/drop_reason.h.
 *
 * Kinds: a counter only grows; a gauge is a level (it may go down).  Units
 * are base units (packets, reports, nanoseconds, bytes...).
 */
#ifndef CGNF_COUNTERS_H
#define CGNF_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "drop_reason.h"

/* Frames in, records out, drops (below) on each RX lcore. */
#define CGNF_RX_COUNTERS(X)                                                                      \
	X(rx_packets, COUNTER, "packets", "Frames taken from the RX queues")                     \
	X(rx_bursts, COUNTER, "bursts", "Non-empty RX bursts")                                   \
	X(reports_enqueued, COUNTER, "reports", "Records handed to a classifier ring")           \
	X(neighbor_replies, COUNTER, "packets", "ARP replies and neighbour advertisements sent") \
	X(neighbor_unsent, COUNTER, "packets",                                                   \
	  "Neighbour replies built but not sent (no TX queue, mbuf or room)")                    \
	CGNF_TRAFFIC_COUNTERS(X)                                                                 \
	CGNF_INLINE_COUNTERS(X)

/*
 * --input traffic, on each RX lcore (zero with reports): every frame is a
 * windowed UDP packet or a drop, and every closed window a record handed
 * to a classifier, or lost to a full ring, or refused by the feature checks.
 */
#define CGNF_TRAFFIC_COUNTERS(X)                                                                 \
	X(traffic_packets, COUNTER, "packets", "UDP packets accounted into traffic windows")     \
	X(windows_closed, COUNTER, "windows", "Traffic windows closed (reports computed)")       \
	X(windows_ring_full, COUNTER, "windows",                                                 \
	  "Closed windows not handed to a classifier: its ring was full")                        \
	X(windows_refused, COUNTER, "windows", "Closed windows refused: a value beyond float32") \
	X(windows_lost, COUNTER, "windows",                                                      \
	  "Pending windows dropped as the probe drops them (purge, eviction)")                   \
	X(windows_inexact, COUNTER, "windows",                                                   \
	  "Windows whose variances come from sums: the value pool was full")                     \
	X(windows_text_dropped, COUNTER, "windows",                                              \
	  "--windows lines lost: the ring to the control thread was full")                       \
	X(flows_active, GAUGE, "flows", "Traffic conversations tracked")                         \
	X(flows_created, COUNTER, "flows", "Traffic conversations started")                      \
	X(flows_purged, COUNTER, "flows", "Traffic conversations forgotten idle")                \
	X(flows_evicted, COUNTER, "flows", "Traffic conversations pushed out of a full table")

/*
 * --forward, on each RX lcore (zero without): frames sent on, of which
 * rewritten with --cg-dscp, frames lost at TX, and the verdict changes
 * the lcore applied to its set of marked pairs (app/inline.h).
 */
#define CGNF_INLINE_COUNTERS(X)                                                                    \
	X(forwarded, COUNTER, "packets", "Frames sent on their --forward egress port")             \
	X(marked, COUNTER, "packets", "Forwarded packets of CG pairs sent with --cg-dscp")         \
	X(tx_full, COUNTER, "packets", "Frames to forward dropped: the egress TX queue was full")  \
	X(tx_link_down, COUNTER, "packets",                                                        \
	  "Frames to forward dropped: the egress port's link was down")                            \
	X(mark_updates, COUNTER, "updates", "Verdict changes applied to the lcore's marked pairs") \
	X(mark_set_full, COUNTER, "updates",                                                       \
	  "CG pairs left unmarked: the lcore's set of marked pairs was full")                      \
	X(mark_delay_sum_ns, COUNTER, "nanoseconds",                                               \
	  "From a CG verdict to its pair's first marked packet, summed")                           \
	X(mark_delay_count, COUNTER, "pairs", "CG verdicts followed by a marked packet")           \
	X(mark_delay_max_ns, GAUGE, "nanoseconds",                                                 \
	  "Longest time from a CG verdict to its pair's first marked packet")

/* Decision tree runs on each classifier lcore. */
#define CGNF_CLASSIFIER_COUNTERS(X)                                                         \
	X(classified, COUNTER, "reports", "Reports run through the decision tree")          \
	X(classified_cg, COUNTER, "reports", "Reports the tree classified as cloud gaming") \
	X(classifier_bursts, COUNTER, "bursts", "Non-empty bursts classified")

/* The pair table and the hand-off to the control thread, on the aggregator lcore. */
#define CGNF_AGGREGATOR_COUNTERS(X)                                                                \
	X(reports, COUNTER, "reports", "Reports counted in the pair table")                        \
	X(reports_cg, COUNTER, "reports", "Reports counted as cloud gaming")                       \
	X(reports_ncg, COUNTER, "reports", "Reports counted as not cloud gaming")                  \
	X(pairs, GAUGE, "pairs", "Pairs in the table")                                             \
	X(cg_pairs, GAUGE, "pairs", "Pairs whose verdict is cloud gaming")                         \
	X(pairs_inserted, COUNTER, "pairs", "Pairs added to the table")                            \
	X(pairs_expired, COUNTER, "pairs", "Pairs removed after --pair-timeout without report")    \
	X(pairs_evicted, COUNTER, "pairs", "Least recently seen pairs pushed out of a full table") \
	X(latency_sum_ns, COUNTER, "nanoseconds",                                                  \
	  "Time from the RX lcore to the pair table, summed over reports")                         \
	X(latency_max_ns, GAUGE, "nanoseconds", "Longest time from the RX lcore to the table")     \
	X(events_queued, COUNTER, "events", "Pair events handed to the control thread")            \
	X(events_dropped, COUNTER, "events",                                                       \
	  "Pair events lost because the control thread's ring was full")                           \
	X(snapshots_walked, COUNTER, "snapshots", "Table walks handed to the control thread")      \
	X(mark_updates_queued, COUNTER, "updates",                                                 \
	  "Verdict changes handed to the RX lcores' mark rings (one per RX lcore)")                \
	X(mark_updates_deferred, COUNTER, "updates",                                               \
	  "Verdict changes kept back by a full mark ring, sent in a later loop")                   \
	X(mark_updates_dropped, COUNTER, "updates",                                                \
	  "Verdict changes lost: the mark ring and its pending list were full")                    \
	X(aggregator_loops, COUNTER, "loops", "Aggregator loops (its heartbeat)")

/*
 * Outputs, on the control thread (sinks) and the exporters' own threads
 * (the metrics server's, the Redis sink's I/O thread): one writer per counter.
 */
#define CGNF_CONTROL_COUNTERS(X)                                                               \
	X(events_written, COUNTER, "events", "Pair events accepted by the event outputs")      \
	X(events_lost, COUNTER, "events", "Pair events an output failed to write")             \
	X(windows_unwritten, COUNTER, "windows", "--windows lines an output failed to write")  \
	X(snapshots_written, COUNTER, "snapshots", "Table snapshots written to the files")     \
	X(output_errors, COUNTER, "errors", "Failed writes of an output")                      \
	X(metrics_scrapes, COUNTER, "scrapes", "GET /metrics answered (--metrics)")            \
	X(redis_events, COUNTER, "events", "Pair events appended to the Redis stream")         \
	X(redis_pair_updates, COUNTER, "pairs", "Pair hashes written to Redis")                \
	X(redis_dropped, COUNTER, "records",                                                   \
	  "Events and table rows not sent to Redis (queue full, or lost with a connection)")   \
	X(redis_errors, COUNTER, "errors", "Redis connections lost or refused, error replies") \
	X(redis_reconnects, COUNTER, "connections",                                            \
	  "Connections to Redis made again after a loss")                                      \
	CGNF_NFT_COUNTERS(X)

/* --nft-set / --nft-set6 (app/sink_nft.c), on the control thread. */
#define CGNF_NFT_COUNTERS(X)                                                                    \
	X(nft_elements, GAUGE, "elements", "Pairs cgnf holds in its nftables sets")             \
	X(nft_elements_added, COUNTER, "elements", "Elements added to the nftables sets")       \
	X(nft_elements_refreshed, COUNTER, "elements",                                          \
	  "Elements deleted and added again in one batch: their timeout restarts")              \
	X(nft_elements_deleted, COUNTER, "elements", "Elements deleted from the nftables sets") \
	X(nft_pairs_skipped, COUNTER, "pairs",                                                  \
	  "CG pairs of a family with no set given (or one address of each family)")             \
	X(nft_errors, COUNTER, "batches", "nftables batches refused (each one counted once)")

/* Model reloads, on the reload thread (or the telemetry thread asking for one). */
#define CGNF_RELOAD_COUNTERS(X)                                              \
	X(model_reloads, COUNTER, "reloads", "Models loaded and swapped in") \
	X(model_reloads_refused, COUNTER, "reloads", "Model files refused (the old one stays)")

/*
 * Computed when read, from the counters above and the app's clock: the
 * same in every rendering because they are computed in one place.
 */
#define CGNF_DERIVED_COUNTERS(X)                                                             \
	X(dropped_total, COUNTER, "packets", "Frames dropped, all reasons")                  \
	X(elapsed_ns, GAUGE, "nanoseconds",                                                  \
	  "From the first packet to the last report counted (idle time excluded)")           \
	X(latency_mean_ns, GAUGE, "nanoseconds", "Mean time from the RX lcore to the table") \
	X(mark_delay_mean_ns, GAUGE, "nanoseconds",                                          \
	  "Mean time from a CG verdict to its pair's first marked packet")

enum counter_kind {
	COUNTER_KIND_COUNTER,
	COUNTER_KIND_GAUGE,
};

enum counter_role {
	COUNTER_ROLE_RX,
	COUNTER_ROLE_CLASSIFIER,
	COUNTER_ROLE_AGGREGATOR,
	COUNTER_ROLE_CONTROL,
	COUNTER_ROLE_RELOAD,
	COUNTER_ROLE_DERIVED,
};

#define CGNF_COUNTER_FIELD(name, kind, unit, help) uint64_t name;

/* Each block is written by one thread only (counter_add / counter_set). */
struct rx_counters {
	CGNF_RX_COUNTERS(CGNF_COUNTER_FIELD)
	uint64_t drops[DROP_REASON_COUNT];
};

struct classifier_counters {
	CGNF_CLASSIFIER_COUNTERS(CGNF_COUNTER_FIELD)
};

/*
 * Report latency (RX lcore to table) as a histogram: bucket b counts the
 * latencies in (2^(FIRST + b - 1), 2^(FIRST + b)] ns, bucket 0 everything
 * up to 2^FIRST ns and the last one everything above 2^(FIRST + 22) ns.
 * So bucket b's inclusive upper bound ("le") is 2^(FIRST + b) ns: 1.024 us
 * to 4.29 s, then +Inf.  One clz per report.
 */
#define LATENCY_BUCKETS 24
#define LATENCY_LOG2_FIRST 10

static inline unsigned int latency_bucket(uint64_t ns)
{
	unsigned int bits;

	if (ns <= 1ull << LATENCY_LOG2_FIRST)
		return 0;
	bits = 64u - (unsigned int)__builtin_clzll(ns - 1) - LATENCY_LOG2_FIRST;
	return bits < LATENCY_BUCKETS - 1 ? bits : LATENCY_BUCKETS - 1;
}

struct aggregator_counters {
	CGNF_AGGREGATOR_COUNTERS(CGNF_COUNTER_FIELD)
	uint64_t latency_buckets[LATENCY_BUCKETS]; /* by latency_bucket(), not cumulative */
	uint64_t last_report_ns; /* app clock at the last report: the end of elapsed_ns */
};

struct control_counters {
	CGNF_CONTROL_COUNTERS(CGNF_COUNTER_FIELD)
};

/* Written under the reloader's request lock: one reload at a time is the one writer. */
struct reload_counters {
	CGNF_RELOAD_COUNTERS(CGNF_COUNTER_FIELD)
};

enum counter_id {
#define CGNF_COUNTER_ID(name, kind, unit, help) COUNTER_##name,
	CGNF_RX_COUNTERS(CGNF_COUNTER_ID) CGNF_CLASSIFIER_COUNTERS(CGNF_COUNTER_ID)
		CGNF_AGGREGATOR_COUNTERS(CGNF_COUNTER_ID) CGNF_CONTROL_COUNTERS(CGNF_COUNTER_ID)
			CGNF_RELOAD_COUNTERS(CGNF_COUNTER_ID) CGNF_DERIVED_COUNTERS(CGNF_COUNTER_ID)
#undef CGNF_COUNTER_ID
				COUNTER_COUNT
};

struct counter_spec {
	const char *name;
	enum counter_kind kind;
	enum counter_role role;
	const char *unit;
	const char *help;
	size_t offset; /* in the role's block; unused for derived ones */
};

/* Indexed by enum counter_id. */
extern const struct counter_spec counter_specs[COUNTER_COUNT];

const char *counter_kind_name(enum counter_kind kind); /* "counter", "gauge" */
const char *counter_role_name(enum counter_role role); /* "rx", "classifier"... */

/* Every value at one moment (or one lcore's), plus the drops by reason. */
struct counter_values {
	uint64_t value[COUNTER_COUNT];
	uint64_t drops[DROP_REASON_COUNT];
	uint64_t latency_buckets[LATENCY_BUCKETS];
};

/* Only the owning thread adds; everybody may read, with no lock and no torn value. */
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

/* Adds a block of the role into out (atomic loads), by the specs' offsets. */
void counter_values_add_block(struct counter_values *out, enum counter_role role,
			      const void *block);

/*
 * Fills the derived values from the others.  first_packet_ns: the app
 * clock at the first packet (0: none yet); last_report_ns: at the last
 * report counted.
 */
void counter_values_derive(struct counter_values *values, uint64_t first_packet_ns,
			   uint64_t last_report_ns);

#endif
