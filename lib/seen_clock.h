/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reports' clock, kept by the aggregator beside the pair table's.
 *
 * A report has two times (pair_update): when it was received, on the app
 * clock, which ages pairs; and its own time (seen_ns), which the outputs
 * print.  Live, both are the app clock.  Replaying a capture, seen_ns is the
 * packets' capture time, which runs much faster than the app clock, so an
 * event that no report carries (an expiry, an eviction) needs "now" on the
 * reports' clock: the latest report time, carried on by the app clock since
 * it was counted (so an expiry after the last packet is stamped after it).
 *
 * It also bounds what changed between two table walks, on the reports'
 * clock: every pair counted since the previous walk began has a last_seen,
 * and every pair inserted since then a first_seen, at or above
 * seen_clock_walk_floor (the oldest report time counted since), whatever the
 * order the reports came in.  The Redis sink refreshes just those.
 *
 * Plain C, one owner (the aggregator), nothing shared.
 */
#ifndef CGNF_SEEN_CLOCK_H
#define CGNF_SEEN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "pair_table.h"

struct seen_clock {
	bool capture;				/* seen_ns is a capture time, not the app clock */
	uint64_t latest_seen_ns;		/* the latest report time counted; 0: none yet */
	uint64_t latest_at_ns;			/* the app clock when it was counted */
	uint64_t oldest_since_walk_ns;		/* since the current walk began */
	uint64_t oldest_since_previous_walk_ns; /* from the walk before to this one */
};

static inline void seen_clock_init(struct seen_clock *clock, bool capture)
{
	*clock = (struct seen_clock){.capture = capture, .oldest_since_walk_ns = UINT64_MAX};
}

/* A burst of updates, counted at now_ns (app clock). */
static inline void seen_clock_count(struct seen_clock *clock, const struct pair_update *updates,
				    unsigned int count, uint64_t now_ns)
{
	uint64_t oldest = clock->oldest_since_walk_ns, latest = clock->latest_seen_ns;

	for (unsigned int i = 0; i < count; i++) {
		if (updates[i].seen_ns < oldest)
			oldest = updates[i].seen_ns;
		if (updates[i].seen_ns > latest)
			latest = updates[i].seen_ns;
	}
	clock->oldest_since_walk_ns = oldest;
	if (latest > clock->latest_seen_ns) {
		clock->latest_seen_ns = latest;
		clock->latest_at_ns = now_ns;
	}
}

/* now_ns (app clock) on the reports' clock. */
static inline uint64_t seen_clock_now(const struct seen_clock *clock, uint64_t now_ns)
{
	uint64_t carried;

	if (!clock->capture || clock->latest_seen_ns == 0)
		return now_ns;
	carried = clock->latest_seen_ns + (now_ns - clock->latest_at_ns);
	/* Several lcores' clocks: never before the latest report. */
	return now_ns >= clock->latest_at_ns ? carried : clock->latest_seen_ns;
}

static inline void seen_clock_walk_begins(struct seen_clock *clock)
{
	clock->oldest_since_previous_walk_ns = clock->oldest_since_walk_ns;
	clock->oldest_since_walk_ns = UINT64_MAX;
}

/* When a walk ends: the oldest report time counted since the walk before it began. */
static inline uint64_t seen_clock_walk_floor(const struct seen_clock *clock)
{
	return clock->oldest_since_previous_walk_ns < clock->oldest_since_walk_ns
		       ? clock->oldest_since_previous_walk_ns
		       : clock->oldest_since_walk_ns;
}

#endif
