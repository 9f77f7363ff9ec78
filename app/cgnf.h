/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application context shared by cgnf's lcores.
 *
 * Roles: the main lcore is the aggregator; of the worker lcores, the first
 * --rx are RX lcores and the next --classifiers (default: all the others)
 * are classifiers.  Data flows
 *
 *   port queues -> RX lcore i -> ring (i, j) -> classifier j -> result ring j
 *   -> aggregator (pair table, outputs)
 *
 * with one SP/SC ring per (RX lcore, classifier) pair and one per classifier
 * toward the aggregator, so that every ring has exactly one producer and one
 * consumer.  RX lcore i polls RX queue i of every port.
 *
 * TX: RX lcore i also owns TX queue i of every port, for the ARP/ND replies
 * (lib/neighbor.h): a frame that packet_find_report() refuses as not_ip
 * (ARP) or not_udp (ICMPv6) is answered by the RX lcore that took it, on
 * its own queue, so TX needs no lock and no hand-off to another lcore.
 *
 * Shutdown is staged in pipeline order.  A stop request (signal, --duration,
 * --exit-on-idle) makes RX lcores stop polling, flush and publish done;
 * each classifier drains its input rings until all RX lcores are done and
 * the rings are empty, then publishes done; the aggregator drains the result
 * rings until every classifier is done, then writes the outputs.  A second
 * signal is a forced stop: --lossless RX lcores stop waiting for room and
 * count what is left as ring_full drops (the classifier -> aggregator leg
 * never drops: the aggregator keeps draining until the end).
 *
 * For other threads (telemetry, reload): the global cgnf_app, the counter
 * sums of stats.h, the pair table mailbox of agg_query.h and
 * reload_request() of reload.h.
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
#include "neighbor.h"
#include "output.h"
#include "pair_table.h"
#include "record.h"
#include "tree.h"

#include "agg_query.h"
#include "stats.h"

#define CGNF_BURST 32

enum cgnf_quit {
	QUIT_NONE,
	QUIT_STOP,  /* drain the pipeline, write the outputs, exit */
	QUIT_FORCE, /* the same, but stop waiting for room in full rings */
};

enum lcore_role {
	ROLE_NONE,
	ROLE_AGGREGATOR,
	ROLE_RX,
	ROLE_CLASSIFIER,
};

struct cgnf_app;

struct rx_lcore {
	struct cgnf_app *app;
	unsigned int lcore_id;
	unsigned int index;		 /* also the RX queue it polls on every port */
	struct rte_ring **rings;	 /* [n_classifiers]: toward each classifier */
	struct classify_record *staging; /* [n_classifiers][CGNF_BURST] */
	unsigned int *staged;		 /* [n_classifiers]: records waiting in staging */
	int done;			 /* published once it will enqueue no more */
	struct rx_stats stats __rte_cache_aligned;
} __rte_cache_aligned;

struct classifier_lcore {
	struct cgnf_app *app;
	unsigned int lcore_id;
	unsigned int index;
	struct rte_ring **inputs; /* [n_rx]: from each RX lcore */
	struct rte_ring *results; /* toward the aggregator */
	int done;
	/* Bumped after every loop: once it has moved, a replaced model is unused. */
	uint64_t quiescent;
	struct classifier_stats stats __rte_cache_aligned;
} __rte_cache_aligned;

struct cgnf_port {
	uint16_t port_id;
	uint16_t tx_queues; /* n_rx (queue i: RX lcore i's), or 0 when too few */
	bool rx_checksum;   /* the NIC checks IPv4 / UDP checksums and flags bad ones */
	bool rss;	    /* RSS spreads the IP pairs over the RX queues */
	bool started;	    /* rte_eth_dev_start succeeded: stop it at exit */
	struct rte_ether_addr mac;
	struct neighbor_config neighbor; /* the port's MAC and --ip addresses */
	char name[RTE_ETH_NAME_MAX_LEN];
};

struct events;

struct cgnf_app {
	struct cgnf_config config;
	uint64_t hash_seed; /* ip_pair_hash seed, drawn at start */

	/* The model in use; load with __atomic_load_n, swapped by reload. */
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

	/* Aggregator state, touched by the main lcore only. */
	struct pair_table *pair_table;
	struct events *events;
	struct output_clock output_clock; /* cgnf_clock_ns to wall time */

	/* Shared state, atomics. */
	int quit;		  /* enum cgnf_quit */
	uint64_t first_packet_ns; /* 0 until an RX lcore takes the first packet */
	struct aggregator_stats aggregator __rte_cache_aligned;
	struct agg_mailbox mailbox __rte_cache_aligned;
};

/* The running application, for signal handlers and control threads. */
extern struct cgnf_app *cgnf_app;

static inline uint64_t cgnf_clock_ns(const struct cgnf_app *app)
{
	uint64_t cycles = rte_rdtsc() - app->tsc_start;

	return (uint64_t)(((unsigned __int128)cycles * app->ns_per_tsc_q32) >> 32);
}

static inline enum cgnf_quit cgnf_quit_level(const struct cgnf_app *app)
{
	return (enum cgnf_quit)__atomic_load_n(&app->quit, __ATOMIC_ACQUIRE);
}

/* Asks for a staged shutdown (idempotent; never lowers the level). */
void cgnf_request_stop(struct cgnf_app *app, enum cgnf_quit level);

/* port.c: every available port, one RX and one TX queue per RX lcore. */
int port_init_all(struct cgnf_app *app);
void port_close_all(struct cgnf_app *app);

/* A port's link and counters, from any thread while the ports are up. */
struct port_status {
	bool link_known;
	struct rte_eth_link link;
	struct rte_eth_stats stats;
};

/* 0, or -errno when the driver gives no counters (status->stats is then zero). */
int port_read_status(const struct cgnf_port *port, struct port_status *out);

/* The port for --stats-json: identity, link, rte_eth_stats and every xstat. */
json_t *port_to_json(const struct cgnf_port *port);

/* rx.c, classifier.c: lcore entry points, arg = their context. */
int rx_lcore_main(void *arg);
int classifier_lcore_main(void *arg);

/* aggregator.c: runs on the main lcore. */
int aggregator_init(struct cgnf_app *app);
void aggregator_run(struct cgnf_app *app);
int aggregator_write_outputs(struct cgnf_app *app, bool print_table);
void aggregator_free(struct cgnf_app *app);

#endif
