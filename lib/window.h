/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Probe reports computed from raw traffic (--input traffic): the 33 ms
 * windows of every UDP conversation, as the upstream probe makes them.
 *
 * One table per RX lcore, written by that lcore only: no lock, no global,
 * no allocation after window_table_create and no system call per packet.
 * Packets of one IP pair must reach one table (RSS on the IP pair); each
 * table then keeps its own packet clock, as one probe per queue would.
 *
 * Two ways of computing a window's statistics:
 *
 * - WINDOW_STATS_PROBE (default): bit for bit what the probe sends
 *   (../shared/probe/PROBE.md, sections 4 to 8): windows anchored on
 *   packets and closed only by a later packet of the pair, IATs modulo 1 s,
 *   float32 in the probe's AVX order with its IAT-variance bug, the last
 *   window of a conversation never sent, conversations idle for about 2 s
 *   forgotten at the probe's purges (every 15 s of packet time) without
 *   their pending window.
 * - WINDOW_STATS_EXACT: the same windows, but the mean and the population
 *   variance in double from exact integer sums, IATs in microseconds (the
 *   probe's unit) with their seconds (0 for a packet older than its
 *   direction's latest, at most 2^32 - 1 us), and a conversation with no
 *   packet for idle_timeout_ns (2 s by default) ends with its pending
 *   window emitted, at the sweep or at its next packet, whichever comes
 *   first: no window is lost.  The size mean is the payload's (minus 8)
 *   as in probe mode, so that the classifier reads the same quantities.
 *
 * Bounds, fixed at creation:
 *
 * - max_flows conversations.  A new conversation in a full table takes the
 *   place of the least recently seen one: counted as flows_evicted (or
 *   flows_purged when the probe had forgotten it already); its pending
 *   window is lost in probe mode (as at a purge) and emitted in exact mode.
 * - max_window_packets values (size and IAT) kept for the open windows:
 *   the probe's float32 variance needs every value of the window.  Values
 *   are kept WINDOW_CHUNK_VALUES to a chunk (64 bytes), one chunk list per
 *   direction, so a direction with few packets holds a whole chunk.  Size
 *   it by packet rate, not by conversations: about packets/s x 33 ms, plus
 *   2 x WINDOW_CHUNK_VALUES per conversation sending.  A packet that
 *   finds the pool empty is still counted (count, means) but its window's
 *   variances come from the exact sums, rounded to float32: counted as
 *   packets_beyond_pool and windows_inexact.  Exact mode keeps no values.
 * - WINDOW_DIRECTION_PACKETS_MAX packets in one direction of one window
 *   (only a clock that stands still or goes backwards gets there): the
 *   window is then closed early (windows_split).
 */
#ifndef CGNF_WINDOW_H
#define CGNF_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drop_reason.h"
#include "ip.h"
#include "report.h"

enum window_stats_mode {
	WINDOW_STATS_PROBE = 0, /* the probe's float32 statistics, bug included */
	WINDOW_STATS_EXACT,	/* exact statistics in double, no lost window */
};

/* The probe's window: 33.000 ms from its first packet. */
#define WINDOW_LENGTH_US 33000u
/* The probe purges every 15 s of packet time the conversations idle 2 s. */
#define WINDOW_PURGE_INTERVAL_US 15000000u
#define WINDOW_PURGE_IDLE_US 2000000u
/* Exact mode's default idle rule: no packet of the pair for 2 s. */
#define WINDOW_IDLE_TIMEOUT_DEFAULT_NS 2000000000ull
/* Values per pool chunk: 10 IATs (32-bit) and 10 sizes (16-bit) in 64 bytes. */
#define WINDOW_CHUNK_VALUES 10u
#define WINDOW_DIRECTION_PACKETS_MAX (1u << 24)
#define WINDOW_MAX_FLOWS (1u << 30)

struct window_config {
	enum window_stats_mode mode;
	uint32_t max_flows;	     /* conversations held at once, 1..WINDOW_MAX_FLOWS */
	uint32_t max_window_packets; /* probe mode: values kept for open windows */
	uint64_t idle_timeout_ns;    /* exact mode: 0 = WINDOW_IDLE_TIMEOUT_DEFAULT_NS */
};

/* One UDP datagram as the window computation sees it. */
struct window_packet {
	struct ip_addr src;
	struct ip_addr dst;
	uint32_t udp_length; /* the UDP header's length field: the probe's "size" */
	uint64_t time_ns;    /* capture time; the probe works in microseconds */
};

/*
 * Every counter of a table.  Conversations, windows and packets are counted
 * once each; flows_active is a gauge.
 */
struct window_counters {
	uint64_t packets;	      /* accounted (all of them: account never refuses) */
	uint64_t windows_closed;      /* reports written, whatever closed them */
	uint64_t windows_idle;	      /* exact mode: of which emitted at idle or eviction */
	uint64_t windows_lost;	      /* probe mode: pending windows dropped (purge, eviction) */
	uint64_t windows_split;	      /* closed early at WINDOW_DIRECTION_PACKETS_MAX */
	uint64_t windows_inexact;     /* variances from the sums: the value pool ran out */
	uint64_t packets_beyond_pool; /* packets whose values found no room */
	uint64_t flows_created;
	uint64_t flows_purged;	/* forgotten idle (probe purge or exact idle rule) */
	uint64_t flows_evicted; /* pushed out, still alive, by a new one in a full table */
	uint64_t flows_active;	/* held now (see window_table_expire) */
	uint64_t purges;	/* probe mode: purge instants (first packet, then 15 s) */
};

struct window_table;

/*
 * NULL with errno set: EINVAL (max_flows 0 or too large, unknown mode,
 * max_window_packets too large), ENOMEM.  hash_seed keys the table's hash
 * (drawn at start, see ip_pair_hash).
 */
struct window_table *window_table_create(const struct window_config *config, uint64_t hash_seed);
void window_table_free(struct window_table *table);

/* Bytes the table holds, fixed at creation. */
size_t window_table_memory(const struct window_table *table);

/*
 * Accounts one packet.  When it closes its conversation's window, writes
 * that window to *out and returns 1; otherwise returns 0.  Never more than
 * one report per packet, in either mode: a packet closes at most its own
 * conversation's window, and a new conversation that evicts another in a
 * full table closes none of its own.
 *
 * In probe mode it also runs the probe's purge on the packet clock (at the
 * first packet, then at the first packet 15 s or more after the previous
 * purge): conversations whose window ended 2 s or more before that packet
 * are forgotten, silently.  The purge is lazy (a conversation is checked
 * when next seen, or by window_table_expire), never a walk of the table.
 */
int window_table_account(struct window_table *table, const struct window_packet *packet,
			 struct report *out);

/*
 * window_table_account on each packet in order, the windows they close
 * written to reports[] in order (room for count); returns how many.  The
 * same results, faster with many conversations: the index slots, flows,
 * LRU neighbours and value chunks of the burst are fetched, stage by stage,
 * before its packets are accounted, so that their cache misses overlap
 * (bench_window: 1 M conversations, about 190 ns a packet against 430 one
 * by one; 1 000 conversations, all in cache, 2 ns more than one by one).
 */
#define WINDOW_BURST_MAX 64
unsigned int window_table_account_burst(struct window_table *table,
					const struct window_packet *packets, unsigned int count,
					struct report *reports);

/*
 * The sweep, driven by packet time (now_ns: the latest packet's time; the
 * owner calls it between bursts), from the least recently seen conversation
 * on, at most max_reports conversations per call:
 * - exact mode: conversations with no packet since now_ns - idle_timeout_ns
 *   end, their pending window written to out[]; returns how many;
 * - probe mode: frees the places of conversations the probe's purges have
 *   forgotten already; emits nothing and returns 0 (the probe never sends a
 *   window at a purge).
 * window_table_expire(table, UINT64_MAX, ...) until it returns 0 flushes
 * every pending window in exact mode (end of a capture).
 */
unsigned int window_table_expire(struct window_table *table, uint64_t now_ns, struct report *out,
				 unsigned int max_reports);

/*
 * The counters, for the owning lcore (plain fields, no atomics): it
 * publishes a copy for other threads, as the RX lcores do their drops.
 */
void window_table_get_counters(const struct window_table *table, struct window_counters *out);

/*
 * The probe's text of a report (PROBE.md section 8), without newline:
 * ["a.b.c.d",0,"e.f.g.h",0,[n,%.8g,%.8g,%.8g,%.8g],[n,...]] with the
 * report's ports.  Returns the length written (NUL excluded), or -ENOSPC
 * when buf is too small (WINDOW_REPORT_TEXT_MAX always suffices).
 */
#define WINDOW_REPORT_TEXT_MAX 320 /* 291 at most: IPv6 texts, 5-digit ports, 20-digit counts */
int window_report_format(const struct report *report, char *buf, size_t size);

/*
 * Replaces every statistic of a report with the double report_parse would
 * read back from window_report_format's text of it: what report mode would
 * feed the classifier for the same window.  Exact (checked against
 * snprintf + report_parse), without printing: see window_text.c for why
 * and what it costs.
 */
void window_report_as_text_values(struct report *report);

/* The double strtod gives for printf("%.8g", value). */
double window_round_trip_8g(double value);

/*
 * From a raw Ethernet frame to a window_packet, or the reason it is not
 * one.  caplen bytes were captured of a frame of wire_len bytes on the wire.
 * Takes what the probe takes (IPv4 UDP, fragment offset 0, the UDP length
 * field as size, frames cut after the UDP header as its snap length of 82
 * does) and, beyond the probe, IPv6 UDP (hop-by-hop, routing and
 * destination options walked; a fragment header of offset 0 counts) and
 * frames with one 802.1Q / 802.1ad tag or two (QinQ).
 */
enum drop_reason window_packet_from_frame(const uint8_t *frame, size_t caplen, size_t wire_len,
					  uint64_t time_ns, struct window_packet *out);

#endif
