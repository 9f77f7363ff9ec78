/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/seen_clock.h: "now" on the reports' clock for events no report
 * carries, live (the app clock itself) and in a replay (the latest capture
 * time carried on by the app clock); and the walk floor, checked against a
 * model that remembers every report: each pair changed since the walk
 * before began is at or above it, whatever order the reports come in.
 */
#include <stdint.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "seen_clock.h"
#include "splitmix64.h"
#include "unit_main.h"

#define CAPTURE_NS (UINT64_C(1600000000) * 1000000000)

static struct pair_update update_at(uint64_t rx_time_ns, uint64_t seen_ns)
{
	return (struct pair_update){.rx_time_ns = rx_time_ns, .seen_ns = seen_ns};
}

static void test_live_is_the_app_clock(void)
{
	struct seen_clock clock;
	struct pair_update u = update_at(500, 500);

	seen_clock_init(&clock, false);
	CU_ASSERT_EQUAL(seen_clock_now(&clock, 42), 42);
	seen_clock_count(&clock, &u, 1, 600);
	CU_ASSERT_EQUAL(seen_clock_now(&clock, 700), 700);
}

static void test_replay_carries_the_capture_on(void)
{
	struct seen_clock clock;
	struct pair_update burst[3] = {update_at(10, CAPTURE_NS + 5000000000),
				       update_at(11, CAPTURE_NS + 9000000000),
				       update_at(12, CAPTURE_NS + 1000000000)};

	seen_clock_init(&clock, true);
	/* No report yet: nothing to carry on. */
	CU_ASSERT_EQUAL(seen_clock_now(&clock, 7), 7);
	seen_clock_count(&clock, burst, 3, 100);
	CU_ASSERT_EQUAL(seen_clock_now(&clock, 100), CAPTURE_NS + 9000000000);
	/* 60 s of app clock after the last packet: 60 s after it on the capture's. */
	CU_ASSERT_EQUAL(seen_clock_now(&clock, 100 + 60000000000), CAPTURE_NS + 69000000000);
	/* An RX lcore's reading older than when the latest was counted: never before it. */
	CU_ASSERT_EQUAL(seen_clock_now(&clock, 50), CAPTURE_NS + 9000000000);
	/* An older capture time never moves the clock back. */
	burst[0] = update_at(200, CAPTURE_NS);
	seen_clock_count(&clock, burst, 1, 300);
	CU_ASSERT_EQUAL(seen_clock_now(&clock, 300), CAPTURE_NS + 9000000000 + 200);
}

/*
 * Random reports out of order (several RX queues replaying apart), walks
 * beginning and ending at random: at each walk's end, every report counted
 * since the walk before it began is at or above the floor, and the floor is
 * the oldest of them (not merely 0).
 */
static void test_walk_floor_bounds_every_change(void)
{
	enum { STEPS = 20000 };
	struct seen_clock clock;
	uint64_t state = 7, counted_at_begin[2] = {0, 0}, oldest_truth;
	uint64_t seen[STEPS];
	unsigned int n = 0, walks = 0;
	bool walking = false;

	seen_clock_init(&clock, true);
	for (unsigned int step = 0; step < STEPS; step++) {
		uint64_t r = splitmix64_next(&state);

		if (r % 13 == 0 && !walking) {
			seen_clock_walk_begins(&clock);
			counted_at_begin[0] = counted_at_begin[1];
			counted_at_begin[1] = n;
			walking = true;
		} else if (r % 13 == 1 && walking) {
			uint64_t floor = seen_clock_walk_floor(&clock);

			oldest_truth = UINT64_MAX;
			for (unsigned int i = (unsigned int)counted_at_begin[0]; i < n; i++)
				if (seen[i] < oldest_truth)
					oldest_truth = seen[i];
			/* The first walk's "walk before" is the start. */
			CU_ASSERT_EQUAL(floor, oldest_truth);
			walking = false;
			walks++;
		} else {
			/* Two queues: one up to 30 s of capture behind the other. */
			uint64_t t = CAPTURE_NS + (uint64_t)step * 1000000 +
				     (r & 1 ? 0 : (r >> 8) % 30000000000);
			struct pair_update u = update_at(step, t);

			seen[n++] = t;
			seen_clock_count(&clock, &u, 1, step);
		}
	}
	CU_ASSERT(walks > 100);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"live: now is the app clock", test_live_is_the_app_clock},
		{"replay: the latest capture time, carried on", test_replay_carries_the_capture_on},
		{"walk floor: the oldest report since the walk before began",
		 test_walk_floor_bounds_every_change},
	};

	return unit_run_suite("seen_clock", NULL, NULL, tests, UNIT_COUNT(tests));
}
