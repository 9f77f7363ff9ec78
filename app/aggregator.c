/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Aggregator loop.  Every chore besides draining the result rings has a
 * budget per loop, so that one loop stays a few microseconds long whatever
 * the table holds: at 1 M pairs a whole walk would take about 30 ms and a
 * mass expiry with events seconds, while the result rings fill in well
 * under a millisecond at full rate.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring_elem.h>

#include "pair_table.h"
#include "record.h"
#include "seen_clock.h"

#include "aggregator.h"
#include "app.h"
#include "backoff.h"
#include "classifier.h"
#include "handoff.h"
#include "inline.h"
#include "log.h"

RTE_LOG_REGISTER(cgnf_logtype_agg, cgnf.agg, INFO);

/* Idle pairs expired per loop at most (and never more than the event ring takes). */
#define EXPIRE_SLICE 256
/* Entry slots of the table a snapshot walk visits per loop at most. */
#define WALK_SLICE 1024
/* Counters are published this often at most while reports flow. */
#define PUBLISH_INTERVAL_NS 100000ull
/* Rows are enqueued by bursts of this many. */
#define WALK_BURST 32

struct table_walk {
	uint64_t id;	 /* 0: no walk in progress */
	uint32_t cursor; /* next entry slot */
	unsigned int staged;
	struct handoff_record rows[WALK_BURST];
};

struct aggregator {
	struct cgnf_app *app;
	struct pair_table *table;
	struct rte_ring *events;    /* NULL: no sink wants events */
	struct rte_ring *snapshots; /* toward the control thread */
	uint64_t walk_wanted;	    /* written by the control thread, atomic */
	uint64_t walk_done;	    /* the last walk completed */
	struct table_walk walk;
	struct seen_clock seen_clock; /* the reports' own times: events, snapshots */
	struct idle_backoff backoff;
	bool unpublished;      /* counted since the last publish_counters */
	uint64_t published_ns; /* app clock of the last publish_counters */
	bool stopping;
	bool classifiers_done; /* seen in an earlier loop: the next empty drain ends */
	struct aggregator_counters private_counters;		 /* this lcore's working copy */
	struct aggregator_counters counters __rte_cache_aligned; /* published */
	struct pair_mailbox mailbox __rte_cache_aligned;
};

static uint64_t seconds_to_ns(double seconds)
{
	return (uint64_t)(seconds * 1e9);
}

/*
 * The pair table's event callback: one record into the event ring, or one
 * counted drop when it is full.  Only --lossless (offline runs, where the
 * input waits too) waits for room, until a forced stop.
 */
static void hand_off_event(enum pair_event_kind kind, const struct pair_stats *stats,
			   enum pair_verdict previous, uint64_t now_ns, void *ctx)
{
	struct aggregator *aggregator = ctx;
	const struct cgnf_app *app = aggregator->app;
	struct handoff_record record = {
		.stats = *stats,
		/* A verdict comes with a report: its time; expiry and eviction have none. */
		.seen_ns = kind == PAIR_EVENT_VERDICT
				   ? stats->last_seen_ns
				   : seen_clock_now(&aggregator->seen_clock, now_ns),
		.kind = HANDOFF_EVENT,
		.event = (uint8_t)kind,
		.previous = (uint8_t)previous,
	};
	unsigned int attempts = 0;

	/* --cg-dscp: the RX lcores learn of changes into and out of cg. */
	inline_publish(aggregator->app, kind, stats, previous, &aggregator->private_counters);
	if (aggregator->events == NULL)
		return;
	while (rte_ring_sp_enqueue_elem(aggregator->events, &record, sizeof(record)) != 0) {
		if (!app->config.lossless || cgnf_quit_level(app) >= QUIT_FORCE) {
			aggregator->private_counters.events_dropped++;
			return;
		}
		ring_full_wait(&attempts);
	}
	aggregator->private_counters.events_queued++;
}

struct aggregator *aggregator_create(struct cgnf_app *app, struct rte_ring *events,
				     struct rte_ring *snapshots)
{
	const struct cgnf_config *config = &app->config;
	struct pair_table_config table_config = {
		.max_pairs = config->max_pairs,
		.pair_timeout_ns = seconds_to_ns(config->pair_timeout_s),
		.verdict_window = config->verdict_window,
		.verdict_min_reports = config->verdict_min_reports,
		.verdict_threshold = config->verdict_threshold,
	};
	struct aggregator *aggregator;
	int rc;

	aggregator = aligned_alloc(RTE_CACHE_LINE_SIZE,
				   RTE_ALIGN_CEIL(sizeof(*aggregator), RTE_CACHE_LINE_SIZE));
	if (aggregator == NULL)
		return NULL;
	memset(aggregator, 0, sizeof(*aggregator));
	aggregator->app = app;
	aggregator->events = events;
	aggregator->snapshots = snapshots;
	seen_clock_init(&aggregator->seen_clock, app->timestamp_flag != 0);
	rc = pair_mailbox_init(&aggregator->mailbox);
	if (rc != 0) {
		free(aggregator);
		errno = -rc;
		return NULL;
	}
	aggregator->table = pair_table_create(
		&table_config, events != NULL || app->inline_path != NULL ? hand_off_event : NULL,
		aggregator);
	if (aggregator->table == NULL) {
		rc = errno;
		CGNF_LOG(agg, ERR, "pair table of %u pairs: %s", config->max_pairs, strerror(rc));
		pair_mailbox_destroy(&aggregator->mailbox);
		free(aggregator);
		errno = rc;
		return NULL;
	}
	CGNF_LOG(agg, INFO, "pair table: %u pairs, %zu bytes", config->max_pairs,
		 pair_table_memory(aggregator->table));
	return aggregator;
}

void aggregator_free(struct aggregator *aggregator)
{
	if (aggregator == NULL)
		return;
	pair_table_free(aggregator->table);
	pair_mailbox_destroy(&aggregator->mailbox);
	free(aggregator);
}

const struct aggregator_counters *aggregator_counters(const struct aggregator *aggregator)
{
	return &aggregator->counters;
}

void aggregator_request_walk(struct aggregator *aggregator, uint64_t walk_id)
{
	__atomic_store_n(&aggregator->walk_wanted, walk_id, __ATOMIC_RELEASE);
}

struct pair_mailbox *aggregator_mailbox(struct aggregator *aggregator)
{
	return &aggregator->mailbox;
}

const struct pair_table *aggregator_table(const struct aggregator *aggregator)
{
	return aggregator->table;
}

/* Makes the working copy visible to the other threads, one relaxed store each. */
static void publish_counters(struct aggregator *aggregator)
{
	struct aggregator_counters *mine = &aggregator->private_counters;
	struct aggregator_counters *shared = &aggregator->counters;
	struct pair_table_counters table;

	pair_table_get_counters(aggregator->table, &table);
	mine->pairs = pair_table_count(aggregator->table);
	mine->cg_pairs = table.cg_pairs;
	mine->pairs_inserted = table.inserted;
	mine->pairs_expired = table.expired;
	mine->pairs_evicted = table.evicted;
#define PUBLISH(name, kind, unit, help) counter_set(&shared->name, mine->name);
	CGNF_AGGREGATOR_COUNTERS(PUBLISH)
#undef PUBLISH
	counter_set(&shared->last_report_ns, mine->last_report_ns);
	for (unsigned int b = 0; b < LATENCY_BUCKETS; b++)
		counter_set(&shared->latency_buckets[b], mine->latency_buckets[b]);
}

static unsigned int drain_results(struct aggregator *aggregator)
{
	const struct cgnf_app *app = aggregator->app;
	struct aggregator_counters *counters = &aggregator->private_counters;
	/* The result ring's records have the pair table's layout (record.h checks it). */
	struct pair_update results[CGNF_BURST];
	unsigned int c, i, count, cg, total = 0;
	uint64_t now_ns;

	for (c = 0; c < app->n_classifiers; c++) {
		count = rte_ring_dequeue_burst_elem(app->classifiers[c].results, results,
						    sizeof(results[0]), CGNF_BURST, NULL);
		if (count == 0)
			continue;
		now_ns = cgnf_clock_ns(app);
		cg = 0;
		for (i = 0; i < count; i++) {
			uint64_t latency = now_ns - results[i].rx_time_ns;

			cg += results[i].is_cg;
			counters->latency_sum_ns += latency;
			counters->latency_buckets[latency_bucket(latency)]++;
			if (latency > counters->latency_max_ns)
				counters->latency_max_ns = latency;
		}
		seen_clock_count(&aggregator->seen_clock, results, count, now_ns);
		pair_table_update_burst(aggregator->table, results, count);
		counters->reports += count;
		counters->reports_cg += cg;
		counters->reports_ncg += count - cg;
		counters->last_report_ns = now_ns;
		total += count;
	}
	return total;
}

/* Expiry waits for room in the event ring: a late expiry is harmless, a lost event is not. */
static void expire_slice(struct aggregator *aggregator, uint64_t now_ns)
{
	unsigned int budget = EXPIRE_SLICE;

	if (aggregator->events != NULL) {
		unsigned int room = rte_ring_free_count(aggregator->events);

		budget = room < budget ? room : budget;
	}
	if (budget != 0 && pair_table_expire(aggregator->table, now_ns, budget) != 0)
		publish_counters(aggregator);
}

static void walk_visit(const struct pair_stats *stats, void *ctx)
{
	struct table_walk *walk = ctx;
	struct handoff_record *row = &walk->rows[walk->staged++];

	memset(row, 0, sizeof(*row));
	row->stats = *stats;
	row->walk_id = walk->id;
	row->kind = HANDOFF_ROW;
}

/*
 * One slice of the walk asked for by the control thread.  The slice never
 * holds more rows than the snapshot ring has room for, so a row is never
 * dropped: a slow control thread only makes the walk take more loops.
 */
static void walk_slice(struct aggregator *aggregator, uint64_t now_ns)
{
	struct table_walk *walk = &aggregator->walk;
	unsigned int room, budget;

	if (walk->id == 0) {
		uint64_t wanted = __atomic_load_n(&aggregator->walk_wanted, __ATOMIC_ACQUIRE);

		if (wanted == aggregator->walk_done)
			return;
		walk->id = wanted;
		walk->cursor = PAIR_TABLE_WALK_START;
		seen_clock_walk_begins(&aggregator->seen_clock);
	}
	room = rte_ring_free_count(aggregator->snapshots);
	/* Room for a whole burst and the end mark, or wait for the next loop. */
	if (room <= WALK_BURST)
		return;
	for (budget = WALK_SLICE; budget > 0 && room > WALK_BURST;) {
		unsigned int step = budget < WALK_BURST ? budget : WALK_BURST;

		walk->staged = 0;
		walk->cursor =
			pair_table_walk(aggregator->table, walk->cursor, step, walk_visit, walk);
		rte_ring_sp_enqueue_bulk_elem(aggregator->snapshots, walk->rows,
					      sizeof(walk->rows[0]), walk->staged, NULL);
		room -= walk->staged;
		budget -= step;
		if (walk->cursor == PAIR_TABLE_WALK_DONE)
			break;
	}
	if (walk->cursor != PAIR_TABLE_WALK_DONE)
		return;
	walk->rows[0] =
		(struct handoff_record){.seen_ns = seen_clock_walk_floor(&aggregator->seen_clock),
					.walk_id = walk->id,
					.kind = HANDOFF_SNAPSHOT_END};
	rte_ring_sp_enqueue_elem(aggregator->snapshots, &walk->rows[0], sizeof(walk->rows[0]));
	aggregator->private_counters.snapshots_walked++;
	counter_set(&aggregator->counters.snapshots_walked,
		    aggregator->private_counters.snapshots_walked);
	aggregator->walk_done = walk->id;
	walk->id = 0;
}

static bool all_classifiers_done(const struct cgnf_app *app)
{
	for (unsigned int c = 0; c < app->n_classifiers; c++)
		if (!__atomic_load_n(&app->classifiers[c].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

void aggregator_run(struct aggregator *aggregator)
{
	struct cgnf_app *app = aggregator->app;
	unsigned int drained;
	uint64_t now_ns;

	idle_backoff_init(&aggregator->backoff, app->config.busy_poll);
	for (;;) {
		drained = drain_results(aggregator);
		if (inline_retry_pending(app, &aggregator->private_counters) != 0)
			publish_counters(aggregator);
		now_ns = cgnf_clock_ns(app);
		expire_slice(aggregator, now_ns);
		if (pair_mailbox_pending(&aggregator->mailbox))
			pair_mailbox_serve(&aggregator->mailbox, aggregator->table, app->hash_seed);
		walk_slice(aggregator, now_ns);
		aggregator->private_counters.aggregator_loops++;
		counter_set(&aggregator->counters.aggregator_loops,
			    aggregator->private_counters.aggregator_loops);
		/*
		 * About fifty stores: at most every PUBLISH_INTERVAL_NS while
		 * reports flow, and at once when the rings are empty, so that a
		 * reader never waits long and an idle cgnf shows its last count
		 * (measured: publishing after every burst cost 8 % of the pipeline).
		 */
		if (drained != 0)
			aggregator->unpublished = true;
		if (aggregator->unpublished &&
		    (drained == 0 || now_ns - aggregator->published_ns >= PUBLISH_INTERVAL_NS)) {
			publish_counters(aggregator);
			aggregator->unpublished = false;
			aggregator->published_ns = now_ns;
		}

		if (!aggregator->stopping && cgnf_quit_level(app) != QUIT_NONE) {
			aggregator->stopping = true;
			CGNF_LOG(agg, INFO, "stopping: draining the pipeline");
		}
		if (cgnf_quit_level(app) == QUIT_ABANDON)
			break;
		if (drained != 0) {
			idle_backoff_reset(&aggregator->backoff);
			continue;
		}
		/* Empty rings after every classifier was seen done: the pipeline is drained. */
		if (aggregator->classifiers_done)
			break;
		if (aggregator->stopping)
			aggregator->classifiers_done = all_classifiers_done(app);
		if (!aggregator->classifiers_done && aggregator->walk.id == 0)
			idle_backoff_wait(&aggregator->backoff);
	}
	publish_counters(aggregator);
	pair_mailbox_close(&aggregator->mailbox, aggregator->table, app->hash_seed);
	CGNF_LOG(agg, INFO, "pipeline drained: %" PRIu64 " reports in %" PRIu64 " pairs",
		 aggregator->private_counters.reports, aggregator->private_counters.pairs);
}
