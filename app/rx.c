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
#include "window.h"

#include "app.h"
#include "backoff.h"
#include "inline.h"
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

/* The frame's bytes, contiguous: copied out of a multi-segment mbuf. */
static inline const uint8_t *rx_frame_bytes(const struct rte_mbuf *mbuf, uint32_t *len,
					    uint8_t *linear)
{
	*len = rte_pktmbuf_pkt_len(mbuf);
	if (likely(rte_pktmbuf_is_contiguous(mbuf)))
		return rte_pktmbuf_mtod(mbuf, const uint8_t *);
	/* Nothing past PACKET_FRAME_MAX is ever read: cutting there changes no outcome. */
	if (*len > RX_LINEAR_MAX)
		*len = RX_LINEAR_MAX;
	return rte_pktmbuf_read(mbuf, 0, *len, linear);
}

/* A packet's capture time from the port, or the lcore's clock when the port gives none. */
static inline uint64_t rx_packet_time_ns(const struct cgnf_app *app, const struct rte_mbuf *mbuf,
					 uint64_t now_ns)
{
	if (app->timestamp_flag != 0 && (mbuf->ol_flags & app->timestamp_flag))
		return *RTE_MBUF_DYNFIELD(mbuf, app->timestamp_offset,
					  const rte_mbuf_timestamp_t *) *
		       app->timestamp_unit_ns;
	return now_ns;
}

/*
 * The input stages' common end: a report (parsed from a probe's datagram,
 * or a traffic window) becomes a record in the staging slot of the
 * classifier its pair hashes to, with two times: now_ns, when it was
 * received (the app clock, for latency and the pair's age), and seen_ns, its
 * own time (the capture time, in a replay), which the outputs print.
 * DROP_NONE, or why the report is refused.
 */
static enum drop_reason rx_stage_report(struct rx_lcore *rx, const struct report *report,
					uint64_t now_ns, uint64_t seen_ns)
{
	const struct cgnf_app *app = rx->app;
	struct classify_record *record;
	struct ip_pair pair;
	struct features features;
	enum drop_reason reason;
	uint32_t hash;
	unsigned int target;

	reason = features_build(report, &app->config.lan, &pair, &features);
	if (reason != DROP_NONE)
		return reason;
	hash = ip_pair_hash(&pair, app->hash_seed);

	target = hash % app->n_classifiers;
	record = &rx->staging[target * CGNF_BURST + rx->staged[target]++];
	record->pair = pair;
	record->hash = hash;
	record->reserved = 0;
	record->rx_time_ns = now_ns;
	record->seen_ns = seen_ns;
	record->features = features;
	return DROP_NONE;
}

/* --input reports: one probe datagram, one record; DROP_NONE or why not. */
static enum drop_reason rx_take_report_frame(struct rx_lcore *rx, const struct cgnf_port *port,
					     const struct rte_mbuf *mbuf,
					     const struct packet_filter *filter, uint64_t now_ns,
					     uint8_t *linear)
{
	struct packet_payload payload;
	struct report report;
	enum drop_reason reason;
	uint32_t len;
	const uint8_t *frame = rx_frame_bytes(mbuf, &len, linear);

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
	return rx_stage_report(rx, &report, now_ns, rx_packet_time_ns(rx->app, mbuf, now_ns));
}

/*
 * A closed traffic window: its text for --windows (the probe's values, as
 * the probe prints them), then the record, built from the values report
 * mode would read back from that text so that both inputs classify alike.
 */
static void rx_stage_window(struct rx_lcore *rx, struct report *window, uint64_t now_ns,
			    unsigned int *refused)
{
	if (rx->window_texts != NULL && rx->texts_staged < RX_TEXTS_STAGED)
		rx->texts_staging[rx->texts_staged++] = *window;
	window_report_as_text_values(window);
	/* The probe sends a window when a packet closes it: the packet clock is its time. */
	if (rx_stage_report(rx, window, now_ns, rx->packet_clock_ns) != DROP_NONE)
		(*refused)++;
}

/*
 * --input traffic: a burst of raw frames into this lcore's windows.  Each
 * frame is a windowed UDP packet or one drop; each window the burst closes
 * is staged.  Returns how many packets were windowed.
 */
static unsigned int rx_take_traffic_burst(struct rx_lcore *rx, const struct cgnf_port *port,
					  struct rte_mbuf **mbufs, unsigned int received,
					  uint64_t now_ns, uint8_t *linear,
					  struct rx_burst_drops *drops, unsigned int *refused)
{
	struct window_packet packets[CGNF_BURST];
	struct report windows[CGNF_BURST];
	unsigned int i, windowed = 0, closed;
	enum drop_reason reason;
	uint32_t len;

	for (i = 0; i < received; i++) {
		const uint8_t *frame = rx_frame_bytes(mbufs[i], &len, linear);

		reason = window_packet_from_frame(frame, len, len,
						  rx_packet_time_ns(rx->app, mbufs[i], now_ns),
						  &packets[windowed]);
		if (likely(reason == DROP_NONE)) {
			if (packets[windowed].time_ns > rx->packet_clock_ns)
				rx->packet_clock_ns = packets[windowed].time_ns;
			windowed++;
			continue;
		}
		if (unlikely(reason == DROP_NOT_IP || reason == DROP_NOT_UDP))
			reason = rx_neighbor(rx, port, frame, len, reason);
		burst_drop(drops, reason);
	}
	closed = window_table_account_burst(rx->windows, packets, windowed, windows);
	for (i = 0; i < closed; i++)
		rx_stage_window(rx, &windows[i], now_ns, refused);
	return windowed;
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

/*
 * Hands the staged --windows texts to the control thread.  Returns how
 * many did not fit; --lossless waits for room instead, until a forced stop.
 */
static unsigned int rx_flush_texts(struct rx_lcore *rx)
{
	const struct cgnf_app *app = rx->app;
	unsigned int sent, attempts = 0, staged = rx->texts_staged;

	if (staged == 0)
		return 0;
	sent = rte_ring_enqueue_burst_elem(rx->window_texts, rx->texts_staging,
					   sizeof(rx->texts_staging[0]), staged, NULL);
	while (sent < staged && app->config.lossless && cgnf_quit_level(app) != QUIT_FORCE) {
		ring_full_wait(&attempts);
		sent += rte_ring_enqueue_burst_elem(rx->window_texts, rx->texts_staging + sent,
						    sizeof(rx->texts_staging[0]), staged - sent,
						    NULL);
	}
	rx->texts_staged = 0;
	return staged - sent;
}

/* The window table's own counts, published once per burst. */
static void rx_publish_windows(struct rx_lcore *rx)
{
	struct rx_counters *counters = &rx->counters;
	struct window_counters windows;

	window_table_get_counters(rx->windows, &windows);
	counter_set(&counters->windows_closed, windows.windows_closed);
	counter_set(&counters->windows_lost, windows.windows_lost);
	counter_set(&counters->windows_inexact, windows.windows_inexact);
	counter_set(&counters->flows_active, windows.flows_active);
	counter_set(&counters->flows_created, windows.flows_created);
	counter_set(&counters->flows_purged, windows.flows_purged);
	counter_set(&counters->flows_evicted, windows.flows_evicted);
}

/*
 * Flushes what a traffic burst or sweep staged and counts it: windows the
 * classifier rings or the text ring could not take, windows refused.
 */
static unsigned int rx_flush_windows(struct rx_lcore *rx, unsigned int refused)
{
	struct rx_counters *counters = &rx->counters;
	unsigned int staged = 0, lost;

	for (unsigned int target = 0; target < rx->app->n_classifiers; target++)
		staged += rx->staged[target];
	lost = rx_flush(rx);
	counter_add(&counters->reports_enqueued, staged - lost);
	counter_add(&counters->windows_ring_full, lost);
	counter_add(&counters->windows_refused, refused);
	if (rx->window_texts != NULL)
		counter_add(&counters->windows_text_dropped, rx_flush_texts(rx));
	rx_publish_windows(rx);
	return staged - lost;
}

/*
 * Between bursts, on the packet clock: exact mode ends the conversations
 * idle too long and emits their pending window; probe mode frees the
 * places of those its purges forgot.  until_ns = UINT64_MAX at the end of
 * the input ends them all.  Returns how many windows it emitted.
 */
static unsigned int rx_sweep_windows(struct rx_lcore *rx, uint64_t until_ns)
{
	struct report windows[CGNF_BURST];
	unsigned int i, count, refused = 0;
	uint64_t now_ns;

	count = window_table_expire(rx->windows, until_ns, windows, CGNF_BURST);
	if (count == 0)
		return 0;
	now_ns = cgnf_clock_ns(rx->app);
	for (i = 0; i < count; i++)
		rx_stage_window(rx, &windows[i], now_ns, &refused);
	rx_flush_windows(rx, refused);
	return count;
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
	const struct cgnf_port *egress = inline_egress(app, port);
	unsigned int i, received, accepted = 0, refused = 0, lost;
	uint64_t now_ns;

	received = rte_eth_rx_burst(port->port_id, rx->index, mbufs, CGNF_BURST);
	if (received == 0)
		return 0;
	now_ns = cgnf_clock_ns(app);
	note_first_packet(app, now_ns);

	for (i = 0; i < received && i < RX_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(mbufs[i], void *));
	if (rx->windows != NULL) {
		for (i = RX_PREFETCH_AHEAD; i < received; i++)
			rte_prefetch0(rte_pktmbuf_mtod(mbufs[i], void *));
		accepted = rx_take_traffic_burst(rx, port, mbufs, received, now_ns, linear, &drops,
						 &refused);
		/* --forward: windowed, then sent on (inline.h) instead of freed. */
		if (egress != NULL)
			inline_rx_forward(rx, egress, mbufs, received, now_ns);
		else
			rte_pktmbuf_free_bulk(mbufs, received);
		rx_flush_windows(rx, refused);
		counter_add(&rx->counters.traffic_packets, accepted);
		rx_account_burst(rx, received, 0, &drops);
		return received;
	}
	for (i = 0; i < received; i++) {
		enum drop_reason reason;

		if (i + RX_PREFETCH_AHEAD < received)
			rte_prefetch0(rte_pktmbuf_mtod(mbufs[i + RX_PREFETCH_AHEAD], void *));
		reason = rx_take_report_frame(rx, port, mbufs[i], filter, now_ns, linear);
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
		if (rx->marks != NULL)
			inline_rx_apply_marks(rx);
		for (p = 0; p < app->n_ports; p++)
			received += rx_poll_queue(rx, &app->ports[p], &filter, linear);
		if (rx->windows != NULL)
			received += rx_sweep_windows(rx, rx->packet_clock_ns);
		if (received != 0)
			idle_backoff_reset(&backoff);
		else
			idle_backoff_wait(&backoff);
	}
	/* The input is over: exact mode emits every pending window (probe mode never does). */
	if (rx->windows != NULL && app->config.window_stats == CONFIG_WINDOW_STATS_EXACT)
		while (rx_sweep_windows(rx, UINT64_MAX) != 0)
			;
	/* Staging is flushed at the end of every burst: nothing is left here. */
	__atomic_store_n(&rx->done, 1, __ATOMIC_RELEASE);
	CGNF_LOG(rx, INFO, "lcore %u: stopped after %" PRIu64 " packets", rx->lcore_id,
		 counter_read(&rx->counters.rx_packets));
	return 0;
}
