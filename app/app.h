/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one application context, passed explicitly to every lcore and thread.
 *
 * Data flows
 *
 *   port queues -> RX lcore i -> ring (i, j) -> classifier j -> result ring j
 *   -> aggregator (pair table) -> event and snapshot rings -> control thread
 *   -> output sinks (table, CSV, stats JSON, events, metrics, Redis)
 *
 * with one SP/SC ring per (RX lcore, classifier), one per classifier toward
 * the aggregator, two from the aggregator to the control thread, and with
 * --windows one per RX lcore to the control thread: every ring has exactly
 * one producer and one consumer.  With --cg-dscp, one more per RX lcore
 * carries verdict changes back from the aggregator (inline.h).
 *
 * Who owns what:
 *
 *   thread              owns (writes)                     takes locks / syscalls
 *   RX lcore i          its rx_lcore, RX/TX queue i       never
 *                       (of every port: --forward sends
 *                       on TX queue i of the egress), its
 *                       window table (--input traffic),
 *                       its mark set
 *   classifier j        its classifier_lcore              never
 *   aggregator (main)   pair table, its counters,         never; walks the table
 *                       the walk cursor, pair mailbox,    at most a slice per loop
 *                       the mark rings' pending records,
 *                       the reports' clock (seen_clock.h)
 *   control thread      sinks and their files, idle and   yes: all output I/O
 *                       duration timers, status line,
 *                       snapshot requests, watchdog
 *   reload thread       the model pointer (swap), model   yes: reads model files
 *                       status
 *   telemetry thread    nothing; asks the control thread  yes
 *                       (top pairs) or the mailbox (one
 *                       pair), reads published counters
 *   metrics server      metrics_scrapes; reads published  yes: HTTP (--metrics),
 *   (libmicrohttpd)     counters, ports, model status     never an lcore's lock
 *   Redis I/O thread    the Redis connection; fed by the  yes: Redis (--redis);
 *                       control thread through a bounded  never waited for
 *                       queue and a one-slot mailbox
 *
 * They meet only through rings, published counters (counters.h: one writer
 * each, relaxed atomic loads), the one-slot pair mailbox (pair_query.h) and
 * a few atomics below.  A datapath lcore never waits on a lock, a file, a
 * socket or a whole-table walk.
 *
 * Shutdown is staged in pipeline order.  A stop request (signal, --duration,
 * --exit-on-idle) makes RX lcores stop polling, flush and publish done; each
 * classifier drains its input rings until all RX lcores are done, then
 * publishes done; the aggregator drains the result rings until every
 * classifier is done.  The control thread then writes what is left in its
 * rings and stops; the main thread walks the table once more and hands the
 * final snapshot to the sinks.  A second signal is a forced stop (--lossless
 * RX lcores stop waiting for room); a third one stops waiting for the
 * outputs: cgnf exits at once with what it has and says so.
 */
#ifndef CGNF_APP_H
#define CGNF_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "config.h"
#include "tree.h"

#include "port.h"

#define CGNF_BURST 32

enum cgnf_quit {
	QUIT_NONE,
	QUIT_STOP,    /* drain the pipeline, write the outputs, exit */
	QUIT_FORCE,   /* the same, but stop waiting for room in full rings */
	QUIT_ABANDON, /* stop waiting for the outputs: exit with what is written */
};

enum lcore_role {
	ROLE_NONE,
	ROLE_AGGREGATOR,
	ROLE_RX,
	ROLE_CLASSIFIER,
};

struct rx_lcore;
struct classifier_lcore;
struct aggregator;
struct control;
struct reloader;
struct inline_path;

struct cgnf_app {
	struct cgnf_config config;
	uint64_t hash_seed; /* ip_pair_hash seed, drawn at start */
	/*
	 * This run's id, 16 hex digits drawn at start: in every event, CSV row
	 * and stats JSON, so that files appended to across runs (--events) can
	 * be told apart when a replayed capture gives two runs the same times.
	 */
	char run_id[17];

	/* The model in use; load with __atomic_load_n, swapped by the reload thread. */
	struct tree *model;

	/* Clock: nanoseconds since start, from the TSC. */
	uint64_t tsc_start;
	uint64_t ns_per_tsc_q32; /* nanoseconds per cycle, 32.32 fixed point */

	unsigned int n_ports;
	struct cgnf_port ports[RTE_MAX_ETHPORTS];
	struct rte_mempool *pool;

	unsigned int n_rx;
	unsigned int n_classifiers;
	struct rx_lcore *rx;
	struct classifier_lcore *classifiers;
	enum lcore_role roles[RTE_MAX_LCORE];
	unsigned int role_index[RTE_MAX_LCORE];

	struct aggregator *aggregator; /* main lcore */
	struct control *control;       /* control thread */
	struct reloader *reloader;     /* reload thread */
	/* --forward (inline.h); NULL without. */
	struct inline_path *inline_path;

	/*
	 * Where the ports put each packet's capture time (the RX timestamp
	 * dynamic field), or a flag of 0 when they do not: the RX
	 * lcore's clock is the packet time then.
	 */
	int timestamp_offset;
	uint64_t timestamp_flag;
	uint64_t timestamp_unit_ns; /* nanoseconds per unit of the field */
	bool replays_from_memory;   /* a pcap port with infinite_rx */

	/* Shared state, atomics. */
	int quit;		  /* enum cgnf_quit */
	int quit_signals;	  /* SIGINT / SIGTERM received */
	uint64_t first_packet_ns; /* 0 until an RX lcore takes the first packet */
	int running; /* 1 once every lcore and the control thread run (health: and no quit) */
};

static inline uint64_t cgnf_clock_ns(const struct cgnf_app *app)
{
	uint64_t cycles = rte_rdtsc() - app->tsc_start;

	return (uint64_t)(((unsigned __int128)cycles * app->ns_per_tsc_q32) >> 32);
}

static inline enum cgnf_quit cgnf_quit_level(const struct cgnf_app *app)
{
	return (enum cgnf_quit)__atomic_load_n(&app->quit, __ATOMIC_ACQUIRE);
}

/* Asks for a staged shutdown (idempotent; never lowers the level; signal-safe). */
static inline void cgnf_request_stop(struct cgnf_app *app, enum cgnf_quit level)
{
	int current = __atomic_load_n(&app->quit, __ATOMIC_ACQUIRE);

	while (current < (int)level &&
	       !__atomic_compare_exchange_n(&app->quit, &current, (int)level, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

struct counter_values;

/* Every counter of the pipeline summed, derived values included. */
void cgnf_read_counters(const struct cgnf_app *app, struct counter_values *out);

/* One lcore's counters: 0, or -ENOENT when cgnf gave it no role. */
int cgnf_read_lcore_counters(const struct cgnf_app *app, unsigned int lcore_id,
			     struct counter_values *out);

const char *lcore_role_name(enum lcore_role role);

#endif
