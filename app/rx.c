/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RX lcore: takes bursts from its queue of every port, turns each frame into
 * a classify_record (filter, parse, features, pair hash) and hands it to the
 * classifier chosen by the pair hash, so that one conversation always goes
 * through the same classifier.  Every packet ends as one record or one drop.
 *
 * Frames refused as not_ip or not_udp are looked at once more: ARP and
 * neighbour discovery are counted under their own reasons, and with --ip a
 * request for one of our addresses is answered on this lcore's TX queue.
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring_elem.h>

#include "checksum.h"
#include "features.h"
#include "neighbor.h"
#include "packet.h"
#include "report.h"

#include "app.h"
#include "backoff.h"
#include "log.h"
#include "port.h"
#include "rx.h"

RTE_LOG_REGISTER(cgnf_logtype_rx, cgnf.rx, INFO);

/* Frames are parsed this many packets ahead of their data's prefetch. */
#define RX_PREFETCH_AHEAD 3
/*
 * A multi-segment frame is copied into one buffer (per lcore) as long as any
 * report can be, so that a valid report is never cut; a longer frame is cut
 * where nothing is left to read (packet.h).
 */
#define RX_LINEAR_MAX PACKET_FRAME_MAX

struct rx_burst_drops {
	uint64_t touched; /* bit r set when drops[r] is non-zero */
	uint32_t count[DROP_REASON_COUNT];
};

_Static_assert(DROP_REASON_COUNT <= 64, "one bit per drop reason");

static inline void burst_drop(struct rx_burst_drops *drops, enum drop_reason reason)
{
	drops->count[reason]++;
	drops->touched |= UINT64_C(1) << reason;
}

static void note_first_packet(struct cgnf_app *app, uint64_t now_ns)
{
	uint64_t none = 0;

	/* A plain load first: a CAS per burst would bounce the line between lcores. */
	if (likely(__atomic_load_n(&app->first_packet_ns, __ATOMIC_RELAXED) != 0))
		return;
	/* now_ns is 0 only in the clock's first nanosecond: 0 means "none yet". */
	if (now_ns == 0)
		now_ns = 1;
	__atomic_compare_exchange_n(&app->first_packet_ns, &none, now_ns, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

/*
 * Sends the reply to an ARP / ND request on this lcore's TX queue of the
 * port.  Rare (a neighbour asks once per cache lifetime), so one mbuf and
 * one TX burst per reply.
 */
static void rx_send_neighbor_reply(struct rx_lcore *rx, const struct cgnf_port *port,
				   const uint8_t *reply, unsigned int len)
{
	struct rte_mbuf *mbuf;
	char *data;

	if (port->tx_queues == 0)
		goto unsent;
	mbuf = rte_pktmbuf_alloc(rx->app->pool);
	if (mbuf == NULL)
		goto unsent;
	data = rte_pktmbuf_append(mbuf, (uint16_t)len);
	if (data != NULL)
		memcpy(data, reply, len);
	if (data == NULL || rte_eth_tx_burst(port->port_id, rx->index, &mbuf, 1) != 1) {
		rte_pktmbuf_free(mbuf);
		goto unsent;
	}
	counter_add(&rx->counters.neighbor_replies, 1);
	return;
unsent:
	counter_add(&rx->counters.neighbor_unsent, 1);
}

/*
 * A frame refused as not_ip / not_udp: ARP and neighbour discovery get
 * their own reason (answered or not), anything else keeps the refusal.
 */
static enum drop_reason rx_neighbor(struct rx_lcore *rx, const struct cgnf_port *port,
				    const uint8_t *frame, uint32_t len, enum drop_reason refused)
{
	uint8_t reply[NEIGHBOR_REPLY_MAX];
	enum neighbor_kind kind = neighbor_classify(frame, len);
	int reply_len;

	if (kind == NEIGHBOR_NONE)
		return refused;
	if (port->neighbor.addr_count != 0) {
		reply_len = neighbor_build_reply(frame, len, &port->neighbor, reply, sizeof(reply));
		if (reply_len > 0)
			rx_send_neighbor_reply(rx, port, reply, (unsigned int)reply_len);
	}
	return kind == NEIGHBOR_ARP ? DROP_NEIGHBOR_ARP : DROP_NEIGHBOR_NDP;
}

/* What the NIC found of the IPv4 and UDP checksums, when the port asked it to check. */
static inline bool rx_checksum_bad(const struct rte_mbuf *mbuf)
{
	/* lib/checksum.h decides on the bits; they must be DPDK's. */
	_Static_assert(CHECKSUM_FLAG_IP_MASK == RTE_MBUF_F_RX_IP_CKSUM_MASK &&
			       CHECKSUM_FLAG_IP_BAD == RTE_MBUF_F_RX_IP_CKSUM_BAD &&
			       CHECKSUM_FLAG_L4_MASK == RTE_MBUF_F_RX_L4_CKSUM_MASK &&
			       CHECKSUM_FLAG_L4_BAD == RTE_MBUF_F_RX_L4_CKSUM_BAD,
		       "checksum.h flag bits");
	return checksum_flags_bad(mbuf->ol_flags);
}

/* Builds the record in the staging slot of its classifier; DROP_NONE or why not. */
static enum drop_reason rx_take_frame(struct rx_lcore *rx, const struct cgnf_port *port,
				      const struct rte_mbuf *mbuf,
				      const struct packet_filter *filter, uint64_t now_ns,
				      uint8_t *linear)
{
	const struct cgnf_app *app = rx->app;
	struct packet_payload payload;
	struct classify_record *record;
	struct report report;
	struct ip_pair pair;
	struct features features;
	const uint8_t *frame;
	enum drop_reason reason;
	uint32_t len = rte_pktmbuf_pkt_len(mbuf);
	uint32_t hash;
	unsigned int target;

	if (likely(rte_pktmbuf_is_contiguous(mbuf))) {
		frame = rte_pktmbuf_mtod(mbuf, const uint8_t *);
	} else {
		if (len > RX_LINEAR_MAX)
			len = RX_LINEAR_MAX;
		frame = rte_pktmbuf_read(mbuf, 0, len, linear);
	}
	reason = packet_find_report(frame, len, filter, &payload);
	if (reason != DROP_NONE) {
		if (unlikely(reason == DROP_NOT_IP || reason == DROP_NOT_UDP))
			reason = rx_neighbor(rx, port, frame, len, reason);
		return reason;
	}
	if (unlikely(rx_checksum_bad(mbuf)))
		return DROP_BAD_CHECKSUM;
	reason = report_parse((const char *)payload.data, payload.len, &report);
	if (reason != DROP_NONE)
		return reason;
	reason = features_build(&report, &app->config.lan, &pair, &features);
	if (reason != DROP_NONE)
		return reason;
	hash = ip_pair_hash(&pair, app->hash_seed);

	target = hash % app->n_classifiers;
	record = &rx->staging[target * CGNF_BURST + rx->staged[target]++];
	record->pair = pair;
	record->hash = hash;
	record->reserved = 0;
	record->rx_time_ns = now_ns;
	record->features = features;
	return DROP_NONE;
}

/*
 * Hands each classifier its staged records.  Returns how many did not fit
 * (counted as ring_full by the caller); --lossless waits for room instead,
 * until a forced stop.
 */
static unsigned int rx_flush(struct rx_lcore *rx)
{
	struct cgnf_app *app = rx->app;
	unsigned int target, sent, attempts, lost = 0;

	for (target = 0; target < app->n_classifiers; target++) {
		struct classify_record *staging = &rx->staging[target * CGNF_BURST];
		unsigned int staged = rx->staged[target];

		if (staged == 0)
			continue;
		sent = rte_ring_enqueue_burst_elem(rx->rings[target], staging, sizeof(*staging),
						   staged, NULL);
		attempts = 0;
		while (sent < staged && app->config.lossless &&
		       cgnf_quit_level(app) != QUIT_FORCE) {
			ring_full_wait(&attempts);
			sent += rte_ring_enqueue_burst_elem(rx->rings[target], staging + sent,
							    sizeof(*staging), staged - sent, NULL);
		}
		lost += staged - sent;
		rx->staged[target] = 0;
	}
	return lost;
}

static void rx_account_burst(struct rx_lcore *rx, unsigned int received, unsigned int enqueued,
			     struct rx_burst_drops *drops)
{
	struct rx_counters *counters = &rx->counters;

	counter_add(&counters->rx_packets, received);
	counter_add(&counters->reports_enqueued, enqueued);
	counter_add(&counters->rx_bursts, 1);
	while (drops->touched != 0) {
		unsigned int reason = __builtin_ctzll(drops->touched);

		counter_add(&counters->drops[reason], drops->count[reason]);
		drops->count[reason] = 0;
		drops->touched &= drops->touched - 1;
	}
}

static unsigned int rx_poll_queue(struct rx_lcore *rx, const struct cgnf_port *port,
				  const struct packet_filter *filter, uint8_t *linear)
{
	struct cgnf_app *app = rx->app;
	struct rte_mbuf *mbufs[CGNF_BURST];
	struct rx_burst_drops drops = {0};
	unsigned int i, received, accepted = 0, lost;
	uint64_t now_ns;

	received = rte_eth_rx_burst(port->port_id, rx->index, mbufs, CGNF_BURST);
	if (received == 0)
		return 0;
	now_ns = cgnf_clock_ns(app);
	note_first_packet(app, now_ns);

	for (i = 0; i < received && i < RX_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(mbufs[i], void *));
	for (i = 0; i < received; i++) {
		enum drop_reason reason;

		if (i + RX_PREFETCH_AHEAD < received)
			rte_prefetch0(rte_pktmbuf_mtod(mbufs[i + RX_PREFETCH_AHEAD], void *));
		reason = rx_take_frame(rx, port, mbufs[i], filter, now_ns, linear);
		if (reason == DROP_NONE)
			accepted++;
		else
			burst_drop(&drops, reason);
	}
	/* Records are copies: the mbufs go back to the pool before any wait. */
	rte_pktmbuf_free_bulk(mbufs, received);

	lost = rx_flush(rx);
	if (lost != 0) {
		drops.count[DROP_RING_FULL] += lost;
		drops.touched |= UINT64_C(1) << DROP_RING_FULL;
	}
	rx_account_burst(rx, received, accepted - lost, &drops);
	return received;
}

int rx_lcore_main(void *arg)
{
	struct rx_lcore *rx = arg;
	struct cgnf_app *app = rx->app;
	const struct packet_filter filter = {
		.udp_port = app->config.udp_port,
		.probes = &app->config.probes,
	};
	static __thread uint8_t linear[RX_LINEAR_MAX];
	struct idle_backoff backoff;
	unsigned int p, received;

	CGNF_LOG(rx, INFO, "lcore %u: RX queue %u of %u port(s) -> %u classifier(s)", rx->lcore_id,
		 rx->index, app->n_ports, app->n_classifiers);
	idle_backoff_init(&backoff, app->config.busy_poll);
	while (cgnf_quit_level(app) == QUIT_NONE) {
		received = 0;
		for (p = 0; p < app->n_ports; p++)
			received += rx_poll_queue(rx, &app->ports[p], &filter, linear);
		if (received != 0)
			idle_backoff_reset(&backoff);
		else
			idle_backoff_wait(&backoff);
	}
	/* Staging is flushed at the end of every burst: nothing is left here. */
	__atomic_store_n(&rx->done, 1, __ATOMIC_RELEASE);
	CGNF_LOG(rx, INFO, "lcore %u: stopped after %" PRIu64 " packets", rx->lcore_id,
		 counter_read(&rx->counters.rx_packets));
	return 0;
}
