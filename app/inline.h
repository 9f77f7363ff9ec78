/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inline (--forward, --cg-dscp): cgnf as a bump in the wire that marks
 * cloud gaming.
 *
 *   port P ──▶ RX lcore i ──▶ windows (--input traffic) ──▶ classifiers ──▶ aggregator
 *                  │ mark: one lookup in its own mark_set                      │ verdict change
 *                  ▼                                                           ▼
 *   port Q ◀── TX queue i of Q (RX lcore i's)      mark ring i (SP/SC) ◀── publish to every ring
 *
 * RX lcore i sends every frame of a port given --forward P:Q on its own TX
 * queue i of port Q (no lock), after its windows have seen it, in the order
 * received.  Packets of a pair whose verdict is cg leave with --cg-dscp.
 *
 * Verdicts reach the RX lcores without a lock: on each change into or out
 * of cg (and when a cg pair expires or is evicted) the aggregator puts one
 * fixed-size record, stamped with the app clock, on every RX lcore's mark
 * ring (aggregator producer, RX lcore i consumer): which lcore sees a pair
 * is up to RSS or the capture files, and changes are rare.  Each RX lcore
 * drains its ring between bursts into its own mark_set (lib/mark_set.h).
 * A full ring never blocks the aggregator: the record waits in a bounded
 * pending list of that ring (mark_updates_deferred), retried each loop in
 * order; a full pending list loses it (mark_updates_dropped).
 */
#ifndef CGNF_INLINE_H
#define CGNF_INLINE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "ip.h"
#include "pair_table.h"

#include "counters.h"

struct cgnf_app;
struct cgnf_port;
struct rx_lcore;

/* The aggregator -> RX lcore record: one verdict change of one pair. */
struct mark_update {
	struct ip_pair pair; /* ip1: the client side, as the pair table orients it */
	uint64_t verdict_ns; /* app clock when the aggregator saw the change */
	uint32_t hash;	     /* ip_pair_hash(pair, app->hash_seed) */
	uint8_t mark;	     /* 1: mark from now on; 0: stop */
	uint8_t reserved[3];
};

_Static_assert(sizeof(struct mark_update) % 8 == 0, "ring records are whole words");

struct mark_pending;

/* Read-only once the lcores run, but for pending (the aggregator's own). */
struct inline_path {
	int16_t egress[RTE_MAX_ETHPORTS]; /* by ingress port id: the egress's index in ports[] */
	bool marking;			  /* --cg-dscp given */
	uint8_t dscp;
	unsigned int mark_only;	      /* enum config_mark_only */
	uint32_t max_marked;	      /* pairs each RX lcore's set holds */
	struct mark_pending *pending; /* [n_rx], written by the aggregator only */
};

/*
 * After the ports and the RX contexts exist: checks every --forward (both
 * ports exist, the egress has a TX queue per RX lcore), then with
 * --cg-dscp each RX lcore's mark ring and set.  0 (app->inline_path stays
 * NULL without --forward) or -errno, said in the log.
 */
int inline_create(struct cgnf_app *app);
void inline_free(struct cgnf_app *app);

/* RX lcore: the egress port of frames received on `ingress`, or NULL. */
static inline const struct cgnf_port *inline_egress(const struct cgnf_app *app,
						    const struct cgnf_port *ingress);

/* RX lcore, between bursts: applies what its mark ring holds (a burst at most). */
void inline_rx_apply_marks(struct rx_lcore *rx);

/*
 * RX lcore: marks and sends a received burst on its TX queue of egress.
 * Every mbuf is sent or freed and counted (tx_full, tx_link_down);
 * --lossless waits for room instead, until a forced stop.
 */
void inline_rx_forward(struct rx_lcore *rx, const struct cgnf_port *egress, struct rte_mbuf **mbufs,
		       unsigned int count, uint64_t now_ns);

/* Aggregator: a pair event of the table, turned into mark records when it changes marking. */
void inline_publish(struct cgnf_app *app, enum pair_event_kind kind, const struct pair_stats *stats,
		    enum pair_verdict previous, struct aggregator_counters *counters);

/* Aggregator, each loop: retries the pending records; returns how many were sent. */
unsigned int inline_retry_pending(struct cgnf_app *app, struct aggregator_counters *counters);

#include "app.h"

static inline const struct cgnf_port *inline_egress(const struct cgnf_app *app,
						    const struct cgnf_port *ingress)
{
	int egress;

	if (app->inline_path == NULL)
		return NULL;
	egress = app->inline_path->egress[ingress->port_id];
	return egress >= 0 ? &app->ports[egress] : NULL;
}

#endif
