/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The aggregator's table: CG / non-CG counts and the current verdict per
 * conversation.  Owned by one lcore; sized once at creation, no allocation
 * afterwards.  Bounded: pairs idle longer than the timeout expire, and when
 * the table is full the least recently seen pair is evicted.
 */
#ifndef CGNF_PAIR_TABLE_H
#define CGNF_PAIR_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

#define VERDICT_WINDOW_MAX 128
/* Entries are numbered in 32 bits and the index has 2 x max_pairs slots. */
#define PAIR_TABLE_MAX_PAIRS (1u << 30)

struct pair_table_config {
	uint32_t max_pairs;
	uint64_t pair_timeout_ns;    /* 0: never expire */
	unsigned int verdict_window; /* last N reports, 1..VERDICT_WINDOW_MAX */
	unsigned int verdict_min_reports;
	double verdict_threshold; /* CG share in the window, 0..1 */
};

enum pair_verdict {
	VERDICT_UNKNOWN, /* fewer than verdict_min_reports so far */
	VERDICT_NCG,
	VERDICT_CG,
};

const char *pair_verdict_name(enum pair_verdict verdict); /* "unknown", "ncg", "cg" */

struct pair_stats {
	struct ip_pair pair; /* ip1 = client side, or first report's order */
	uint32_t hash;
	uint64_t cg;
	uint64_t ncg;
	/* The reports' own times (seen_ns): what the outputs print. */
	uint64_t first_seen_ns;
	uint64_t last_seen_ns;
	uint64_t updated_ns; /* the table's clock (now_ns) at the last report */
	unsigned int window_reports;
	unsigned int window_cg;
	enum pair_verdict verdict;
};

enum pair_event_kind {
	PAIR_EVENT_VERDICT, /* the verdict changed */
	PAIR_EVENT_EXPIRED, /* idle longer than the timeout */
	PAIR_EVENT_EVICTED, /* pushed out by a new pair in a full table */
};

const char *pair_event_kind_name(enum pair_event_kind kind);

/* Called from inside update and expire: it must not change the table. */
typedef void (*pair_event_fn)(enum pair_event_kind kind, const struct pair_stats *stats,
			      enum pair_verdict previous, uint64_t now_ns, void *ctx);

struct pair_table_counters {
	uint64_t inserted;
	uint64_t expired;
	uint64_t evicted;
	uint64_t cg_pairs; /* pairs whose verdict is CG now */
};

struct pair_table;

/* NULL with errno set (EINVAL, ENOMEM). */
struct pair_table *pair_table_create(const struct pair_table_config *config, pair_event_fn on_event,
				     void *event_ctx);
void pair_table_free(struct pair_table *table);

/* Bytes the table holds, fixed at creation. */
size_t pair_table_memory(const struct pair_table *table);

/*
 * Counts one classified report.  hash must be ip_pair_hash(pair, seed).
 *
 * Two times, because a replayed capture runs faster than its clock: now_ns
 * is the table's clock (when the report was received), which ages the pair
 * and expires it; seen_ns is the report's own time (its capture time, where
 * the port gives one, else now_ns), which only first_seen / last_seen keep.
 * A time older than the pair's latest (several classifiers) keeps the latest.
 */
void pair_table_update(struct pair_table *table, const struct ip_pair *pair, uint32_t hash,
		       bool is_cg, uint64_t now_ns, uint64_t seen_ns);

/*
 * One classified report, as the pair table counts it.  The classifier ->
 * aggregator ring record (record.h) has this layout, checked there, so that
 * a dequeued burst is handed over as is; the table knows nothing of rings.
 */
struct pair_update {
	struct ip_pair pair;
	uint32_t hash; /* ip_pair_hash(pair, seed) */
	uint8_t is_cg;
	uint8_t reserved[3];
	uint64_t rx_time_ns; /* when it was received: now, for the table */
	uint64_t seen_ns;    /* its own time: the capture time, or rx_time_ns */
};

/*
 * pair_table_update on each update in order, with rx_time_ns as now.
 * Prefetches the index slots and entries of the next updates while counting
 * one, so that their cache misses overlap.
 */
void pair_table_update_burst(struct pair_table *table, const struct pair_update *updates,
			     unsigned int count);

/*
 * Expires pairs not updated since before now_ns - timeout (the table's
 * clock, as pair_table_update's now_ns), the least recently updated
 * first, at most max_count of them: the aggregator calls it every loop with
 * a small budget, so that a million pairs going idle at once are expired
 * over many loops instead of stalling one.  Returns how many; fewer than
 * max_count means none is left to expire at now_ns.
 */
unsigned int pair_table_expire(struct pair_table *table, uint64_t now_ns, unsigned int max_count);

uint32_t pair_table_count(const struct pair_table *table);
void pair_table_get_counters(const struct pair_table *table, struct pair_table_counters *out);

/* 0 and *out filled, or -ENOENT.  Either order of the pair. */
int pair_table_lookup(const struct pair_table *table, const struct ip_pair *pair, uint32_t hash,
		      struct pair_stats *out);

/* Calls fn on every pair, in no particular order. */
void pair_table_foreach(const struct pair_table *table,
			void (*fn)(const struct pair_stats *stats, void *ctx), void *ctx);

/* pair_table_walk's cursor at the start, and its return value once done. */
#define PAIR_TABLE_WALK_START 0u
#define PAIR_TABLE_WALK_DONE UINT32_MAX

/*
 * An incremental pair_table_foreach, for whoever must not hold the lcore for
 * the whole table (snapshots of a million pairs): calls fn on the pairs held
 * in at most budget entry slots from cursor, and returns the cursor to pass
 * next, or PAIR_TABLE_WALK_DONE.  Start with PAIR_TABLE_WALK_START.
 *
 * The walk goes through the entries array, not the LRU list: a pair keeps
 * its entry from insertion to removal, so updates between two calls never
 * move it.  Consistency across calls that the table changes between: a pair
 * present for the whole walk is seen exactly once; a pair inserted or
 * removed (expired, evicted) during it may be seen or not, and a pair
 * removed and then inserted again may be seen twice (as two lives).  Each
 * pair_stats is the pair as it is when its slot is visited.  The cost of a
 * call is bounded by budget, whatever the number of live pairs.
 */
uint32_t pair_table_walk(const struct pair_table *table, uint32_t cursor, uint32_t budget,
			 void (*fn)(const struct pair_stats *stats, void *ctx), void *ctx);

/* Longest probe sequence in the index now: the worst-case lookup cost. */
unsigned int pair_table_max_probe(const struct pair_table *table);

#endif
