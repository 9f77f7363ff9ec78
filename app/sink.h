/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output sinks: where pair events and table snapshots go.  Every sink runs
 * on the control thread (a slow or failing one only delays that thread: the
 * aggregator then counts the events it could not hand over, and never
 * waits).  A new output is one file with one struct sink_ops and one line in
 * sinks.c's table.
 *
 * Calls, in order: open (at start-up, before any traffic: a refusal stops
 * cgnf with one clear line), then any number of event / flush / snapshot /
 * reopen, then close.  Each returns 0 or -errno; the control thread counts
 * and logs failures, and they make cgnf's exit status non-zero.
 */
#ifndef CGNF_SINK_H
#define CGNF_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "output.h"
#include "pair_table.h"
#include "report.h"

#include "counters.h"

struct cgnf_app;

/* Why a snapshot was taken; a sink writes on the purposes it cares for. */
enum snapshot_purpose {
	SNAPSHOT_QUERY = 1 << 0,    /* telemetry's top pairs */
	SNAPSHOT_IDLE = 1 << 1,	    /* --idle-timeout without a packet */
	SNAPSHOT_PERIODIC = 1 << 2, /* --snapshot-interval */
	SNAPSHOT_FINAL = 1 << 3,    /* at exit, the pipeline drained */
	SNAPSHOT_EXPORT = 1 << 4,   /* a sink's own: snapshot_interval_ns, snapshot_wanted */
};

/* Purposes after which the files (CSV, stats JSON) are written. */
#define SNAPSHOT_WRITES_FILES (SNAPSHOT_IDLE | SNAPSHOT_PERIODIC | SNAPSHOT_FINAL)

struct snapshot {
	unsigned int purposes;		     /* enum snapshot_purpose bits */
	struct pair_rows *rows;		     /* every pair; sinks may reorder them */
	const struct counter_values *values; /* every counter when the walk ended */
	/*
	 * On the reports' clock: every pair counted since the walk before this
	 * one began has last_seen_ns, and every pair new since then
	 * first_seen_ns, at or above it (seen_clock_walk_floor).  0 when
	 * unknown (the final snapshot): any pair may have changed.
	 */
	uint64_t changed_since_ns;
};

struct pair_event {
	enum pair_event_kind kind;
	enum pair_verdict previous;
	uint64_t seen_ns; /* its time, on the reports' clock (seen_clock.h) */
	struct pair_stats stats;
};

/*
 * What every sink may use: the app (read-only), the clock that prints the
 * pairs' and events' times (the reports' clock: the capture's, when the
 * ports give capture times), the console.
 */
struct sink_env {
	const struct cgnf_app *app;
	const struct output_clock *clock;
	FILE *console;	   /* stdout, or stderr when stdout carries --events - */
	char model_id[16]; /* the model in use (tree_info.id), kept current by the control thread */

	/* Published counters; a sink writes only its own (counters.h). */
	struct control_counters *counters;
};

struct sink;

struct sink_ops {
	const char *name; /* in logs and --stats-json's "lost" */
	/* Whether the options ask for this sink. */
	bool (*wanted)(const struct cgnf_config *config);
	bool takes_events; /* the aggregator hands events over only if one sink does */
	int (*open)(struct sink *sink);
	int (*event)(struct sink *sink, const struct pair_event *event);
	/* --input traffic: every closed window, in each RX lcore's order. */
	int (*window)(struct sink *sink, const struct report *window);
	int (*flush)(struct sink *sink);
	int (*snapshot)(struct sink *sink, const struct snapshot *snapshot);
	int (*reopen)(struct sink *sink); /* SIGUSR1, e.g. after logrotate */
	int (*close)(struct sink *sink);

	/* Every pass of the control loop, for a sink's own timers (app clock); optional. */
	int (*tick)(struct sink *sink, uint64_t now_ns);
};

struct sink {
	const struct sink_ops *ops;
	const struct sink_env *env;
	void *state;	 /* the sink's own */
	int first_error; /* -errno of the first failure, 0 if none */
	uint64_t failures;
	uint64_t lost;			   /* events taken but not written (the sink counts them) */
	char error[CONFIG_PATH_MAX + 128]; /* what failed first, for the log and --stats-json */
	/* Table snapshots a sink asks for (SNAPSHOT_EXPORT): every interval, set by open... */
	uint64_t snapshot_interval_ns; /* 0: none */
	uint64_t next_snapshot_ns;     /* control thread's */
	int snapshot_wanted;	       /* ...and one more soon, from any thread (atomic) */
};

/* Every sink type, in the order they are called. */
extern const struct sink_ops sink_table_ops;
extern const struct sink_ops sink_csv_ops;
extern const struct sink_ops sink_stats_json_ops;
extern const struct sink_ops sink_events_ops;
extern const struct sink_ops sink_windows_ops;
extern const struct sink_ops sink_metrics_ops;
extern const struct sink_ops sink_redis_ops;
extern const struct sink_ops sink_nft_ops;

#endif
