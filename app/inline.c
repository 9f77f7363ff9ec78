/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inline forwarding and marking (inline.h): the RX lcores' side (apply the
 * mark records, mark and send a burst) and the aggregator's (publish each
 * verdict change to every RX lcore's ring, retry what did not fit).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring_elem.h>

#include "config.h"
#include "mark_set.h"

#include "app.h"
#include "backoff.h"
#include "inline.h"
#include "log.h"
#include "rx.h"

RTE_LOG_REGISTER(cgnf_logtype_inline, cgnf.inline, INFO);

/* Records kept back per RX lcore when its mark ring is full. */
#define INLINE_PENDING_MAX 4096
/* Marked pairs each RX lcore can hold (fewer with a smaller --max-pairs). */
#define INLINE_MARKED_MAX (1u << 16)
/* While waiting for TX room (--lossless), the egress link is read this often. */
#define INLINE_LINK_CHECK_ATTEMPTS 1024

_Static_assert((int)CONFIG_MARK_BOTH == (int)MARK_BOTH && (int)CONFIG_MARK_DOWN == (int)MARK_DOWN &&
		       (int)CONFIG_MARK_UP == (int)MARK_UP,
	       "--cg-mark-only's values are mark_set.h's directions");

/* A FIFO of records that found the ring full, oldest first. */
struct mark_pending {
	unsigned int head;
	unsigned int count;
	struct mark_update records[INLINE_PENDING_MAX];
};

static int inline_check_forwards(struct cgnf_app *app, struct inline_path *path)
{
	const struct cgnf_config *config = &app->config;
	int index_of[RTE_MAX_ETHPORTS];
	unsigned int i, p;

	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		index_of[i] = -1;
		path->egress[i] = -1;
	}
	for (p = 0; p < app->n_ports; p++)
		index_of[app->ports[p].port_id] = (int)p;
	for (i = 0; i < config->forward_count; i++) {
		const struct config_forward *forward = &config->forwards[i];
		int from = forward->from < RTE_MAX_ETHPORTS ? index_of[forward->from] : -1;
		int to = forward->to < RTE_MAX_ETHPORTS ? index_of[forward->to] : -1;

		if (from < 0 || to < 0) {
			unsigned int port_id = from < 0 ? forward->from : forward->to;

			CGNF_LOG(inline, ERR,
				 "--forward %u:%u: there is no port %u (%u port(s): 0..%u, in "
				 "--vdev / -a order)",
				 forward->from, forward->to, port_id, app->n_ports,
				 app->n_ports - 1);
			return -ENODEV;
		}
		if (app->ports[to].tx_queues < app->n_rx) {
			CGNF_LOG(
				inline, ERR,
				"--forward %u:%u: port %u (%s) has too few TX queues for the %u RX "
				"lcores (one each)",
				forward->from, forward->to, forward->to, app->ports[to].name,
				app->n_rx);
			return -ENOTSUP;
		}
		path->egress[forward->from] = (int16_t)to;
		CGNF_LOG(inline, INFO, "port %u (%s) -> port %u (%s)", forward->from,
			 app->ports[from].name, forward->to, app->ports[to].name);
	}
	return 0;
}

int inline_create(struct cgnf_app *app)
{
	const struct cgnf_config *config = &app->config;
	struct inline_path *path;
	char name[64];
	int rc;

	if (config->forward_count == 0)
		return 0;
	path = rte_zmalloc("cgnf_inline", sizeof(*path), RTE_CACHE_LINE_SIZE);
	if (path == NULL)
		goto no_memory;
	app->inline_path = path;
	rc = inline_check_forwards(app, path);
	if (rc != 0 || config->cg_dscp < 0)
		return rc;

	path->marking = true;
	path->dscp = (uint8_t)config->cg_dscp;
	path->mark_only = config->cg_mark_only;
	path->max_marked =
		config->max_pairs < INLINE_MARKED_MAX ? config->max_pairs : INLINE_MARKED_MAX;
	path->pending = rte_zmalloc("cgnf_mark_pending", sizeof(*path->pending) * app->n_rx, 0);
	if (path->pending == NULL)
		goto no_memory;
	for (unsigned int i = 0; i < app->n_rx; i++) {
		struct rx_lcore *rx = &app->rx[i];

		snprintf(name, sizeof(name), "cgnf_marks_%u", i);
		rx->marks = rte_ring_create_elem(
			name, sizeof(struct mark_update), config->ring_size,
			(int)rte_lcore_to_socket_id(rx->lcore_id), RING_F_SP_ENQ | RING_F_SC_DEQ);
		rx->marked = mark_set_create(path->max_marked);
		if (rx->marks == NULL || rx->marked == NULL) {
			CGNF_LOG(inline, ERR, "mark ring or set of RX lcore %u: out of memory",
				 rx->lcore_id);
			return -ENOMEM;
		}
	}
	CGNF_LOG(inline, INFO,
		 "CG pairs marked DSCP %u (%s), up to %u pairs, %zu bytes per RX lcore", path->dscp,
		 path->mark_only == CONFIG_MARK_DOWN ? "down"
		 : path->mark_only == CONFIG_MARK_UP ? "up"
						     : "both directions",
		 path->max_marked, mark_set_memory(app->rx[0].marked));
	return 0;

no_memory:
	CGNF_LOG(inline, ERR, "out of memory for the inline path (EAL -m)");
	return -ENOMEM;
}

void inline_free(struct cgnf_app *app)
{
	if (app->inline_path == NULL)
		return;
	for (unsigned int i = 0; app->rx != NULL && i < app->n_rx; i++) {
		rte_ring_free(app->rx[i].marks);
		mark_set_free(app->rx[i].marked);
		app->rx[i].marks = NULL;
		app->rx[i].marked = NULL;
	}
	rte_free(app->inline_path->pending);
	rte_free(app->inline_path);
	app->inline_path = NULL;
}

/* ---- RX lcore ---- */

void inline_rx_apply_marks(struct rx_lcore *rx)
{
	struct mark_update updates[CGNF_BURST];
	unsigned int i, count, full = 0;

	count = rte_ring_sc_dequeue_burst_elem(rx->marks, updates, sizeof(updates[0]), CGNF_BURST,
					       NULL);
	if (count == 0)
		return;
	for (i = 0; i < count; i++) {
		if (updates[i].mark)
			full += mark_set_add(rx->marked, &updates[i].pair, updates[i].hash,
					     updates[i].verdict_ns) == -ENOSPC;
		else
			mark_set_remove(rx->marked, &updates[i].pair, updates[i].hash);
	}
	counter_add(&rx->counters.mark_updates, count);
	if (full != 0)
		counter_add(&rx->counters.mark_set_full, full);
}

/*
 * Rewrites the DSCP of the burst's packets of marked pairs.  Only the first
 * segment is read and written: the IP header's first 12 bytes are there in
 * any frame a NIC or the pcap PMD hands over.  Returns a bit per packet
 * marked.  Costs a header walk, a hash and a lookup per packet, and is
 * skipped whole while the set is empty.
 */
static uint64_t inline_mark_burst(struct rx_lcore *rx, struct rte_mbuf **mbufs, unsigned int count,
				  uint64_t now_ns)
{
	const struct cgnf_app *app = rx->app;
	const struct inline_path *path = app->inline_path;
	uint64_t marked = 0, delay_sum = 0, delay_max = 0, delay_count = 0;

	for (unsigned int i = 0; i < count; i++) {
		struct mark_entry *entry =
			mark_set_mark_frame(rx->marked, rte_pktmbuf_mtod(mbufs[i], uint8_t *),
					    rte_pktmbuf_data_len(mbufs[i]), app->hash_seed,
					    (enum mark_direction)path->mark_only, path->dscp);

		if (entry == NULL)
			continue;
		marked |= UINT64_C(1) << i;
		if (unlikely(entry->since_ns != 0)) {
			uint64_t delay = now_ns > entry->since_ns ? now_ns - entry->since_ns : 0;

			delay_sum += delay;
			delay_max = delay > delay_max ? delay : delay_max;
			delay_count++;
			entry->since_ns = 0;
		}
	}
	if (unlikely(delay_count != 0)) {
		counter_add(&rx->counters.mark_delay_sum_ns, delay_sum);
		counter_add(&rx->counters.mark_delay_count, delay_count);
		if (delay_max > rx->counters.mark_delay_max_ns)
			counter_set(&rx->counters.mark_delay_max_ns, delay_max);
	}
	return marked;
}

/* Back-pressure path only: a register read on most PMDs, never per packet. */
static bool inline_link_down(const struct cgnf_port *egress)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(egress->port_id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_DOWN;
}

void inline_rx_forward(struct rx_lcore *rx, const struct cgnf_port *egress, struct rte_mbuf **mbufs,
		       unsigned int count, uint64_t now_ns)
{
	struct cgnf_app *app = rx->app;
	uint64_t marked = 0, sent_mask;
	unsigned int sent, attempts = 0, lost;
	bool link_down = false;

	RTE_BUILD_BUG_ON(CGNF_BURST > 64);
	if (app->inline_path->marking && mark_set_count(rx->marked) != 0)
		marked = inline_mark_burst(rx, mbufs, count, now_ns);
	sent = rte_eth_tx_burst(egress->port_id, (uint16_t)rx->index, mbufs, (uint16_t)count);
	if (unlikely(sent < count)) {
		link_down = inline_link_down(egress);
		while (sent < count && app->config.lossless && !link_down &&
		       cgnf_quit_level(app) != QUIT_FORCE) {
			ring_full_wait(&attempts);
			sent += rte_eth_tx_burst(egress->port_id, (uint16_t)rx->index, mbufs + sent,
						 (uint16_t)(count - sent));
			if (attempts % INLINE_LINK_CHECK_ATTEMPTS == 0)
				link_down = inline_link_down(egress);
		}
		lost = count - sent;
		if (lost != 0) {
			rte_pktmbuf_free_bulk(mbufs + sent, lost);
			counter_add(link_down ? &rx->counters.tx_link_down : &rx->counters.tx_full,
				    lost);
		}
	}
	counter_add(&rx->counters.forwarded, sent);
	if (marked != 0) {
		sent_mask = sent >= 64 ? UINT64_MAX : (UINT64_C(1) << sent) - 1;
		counter_add(&rx->counters.marked,
			    (uint64_t)__builtin_popcountll(marked & sent_mask));
	}
}

/* ---- Aggregator ---- */

static void pending_push(struct mark_pending *pending, const struct mark_update *update,
			 struct aggregator_counters *counters)
{
	if (pending->count == INLINE_PENDING_MAX) {
		counters->mark_updates_dropped++;
		return;
	}
	pending->records[(pending->head + pending->count) % INLINE_PENDING_MAX] = *update;
	pending->count++;
	counters->mark_updates_deferred++;
}

void inline_publish(struct cgnf_app *app, enum pair_event_kind kind, const struct pair_stats *stats,
		    enum pair_verdict previous, struct aggregator_counters *counters)
{
	const struct inline_path *path = app->inline_path;
	bool was = previous == VERDICT_CG;
	bool is = kind == PAIR_EVENT_VERDICT && stats->verdict == VERDICT_CG;
	struct mark_update update;

	if (path == NULL || !path->marking || was == is)
		return;
	memset(&update, 0, sizeof(update));
	update.pair = stats->pair;
	update.hash = stats->hash;
	update.mark = is;
	/* 0 means "already marked" in the set: the clock's first nanosecond becomes 1. */
	update.verdict_ns = cgnf_clock_ns(app) | 1;
	for (unsigned int i = 0; i < app->n_rx; i++) {
		struct mark_pending *pending = &path->pending[i];

		/* An RX lcore that stopped forwards nothing more. */
		if (__atomic_load_n(&app->rx[i].done, __ATOMIC_ACQUIRE))
			continue;
		/* Behind records kept back, to stay in order. */
		if (pending->count != 0 ||
		    rte_ring_sp_enqueue_elem(app->rx[i].marks, &update, sizeof(update)) != 0)
			pending_push(pending, &update, counters);
		else
			counters->mark_updates_queued++;
	}
}

unsigned int inline_retry_pending(struct cgnf_app *app, struct aggregator_counters *counters)
{
	const struct inline_path *path = app->inline_path;
	unsigned int total = 0;

	if (path == NULL || !path->marking)
		return 0;
	for (unsigned int i = 0; i < app->n_rx; i++) {
		struct mark_pending *pending = &path->pending[i];
		unsigned int run, sent;

		if (pending->count == 0)
			continue;
		if (__atomic_load_n(&app->rx[i].done, __ATOMIC_ACQUIRE)) {
			pending->count = 0;
			continue;
		}
		/* The records up to the end of the array, then the rest in the next loop. */
		run = INLINE_PENDING_MAX - pending->head;
		run = run < pending->count ? run : pending->count;
		sent = rte_ring_sp_enqueue_burst_elem(app->rx[i].marks,
						      &pending->records[pending->head],
						      sizeof(pending->records[0]), run, NULL);
		pending->head = (pending->head + sent) % INLINE_PENDING_MAX;
		pending->count -= sent;
		counters->mark_updates_queued += sent;
		total += sent;
	}
	return total;
}
