/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the aggregator hands the control thread, over two SP/SC rings of
 * fixed-size records:
 *
 *   the event ring     pair events (verdict change, expiry, eviction) as
 *                      they happen; when it is full the event is dropped and
 *                      counted (events_dropped), never waited for;
 *   the snapshot ring  the rows of a table walk asked for by the control
 *                      thread, then an end mark; the walk goes on only as
 *                      fast as there is room, so no row is ever dropped.
 */
#ifndef CGNF_HANDOFF_H
#define CGNF_HANDOFF_H

#include <stdint.h>

#include "pair_table.h"

enum handoff_kind {
	HANDOFF_EVENT,	      /* event ring */
	HANDOFF_ROW,	      /* snapshot ring: one pair of walk `walk_id` */
	HANDOFF_SNAPSHOT_END, /* snapshot ring: walk `walk_id` is complete */
};

struct handoff_record {
	struct pair_stats stats;
	/*
	 * On the reports' clock (seen_clock.h): an event's time, or at a
	 * walk's end its floor (seen_clock_walk_floor).
	 */
	uint64_t seen_ns;
	uint64_t walk_id; /* HANDOFF_ROW and HANDOFF_SNAPSHOT_END */
	uint8_t kind;	  /* enum handoff_kind */
	uint8_t event;	  /* enum pair_event_kind */
	uint8_t previous; /* enum pair_verdict before the event */
	uint8_t reserved[5];
};

_Static_assert(sizeof(struct handoff_record) % 8 == 0, "ring records are whole words");

#endif
