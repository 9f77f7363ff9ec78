/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How an lcore waits when it has nothing to do.
 *
 * An idle lcore spins a little (work often comes back within microseconds),
 * then pauses, then sleeps for growing periods up to about 1 ms, so that
 * several lcores can share the two CPUs of a development machine and an idle
 * cgnf costs well under 5 % of a core.  --busy-poll keeps the classic loop
 * that never leaves the CPU (lowest latency on dedicated cores).
 */
#ifndef CGNF_BACKOFF_H
#define CGNF_BACKOFF_H

#include <sched.h>
#include <stdbool.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#define BACKOFF_SPIN_POLLS 256
#define BACKOFF_PAUSE_POLLS 1024
#define BACKOFF_PAUSES_PER_POLL 16
#define BACKOFF_MAX_SLEEP_US 1024

struct idle_backoff {
	bool busy_poll;
	unsigned int empty_polls;
	unsigned int sleep_us;
};

static inline void idle_backoff_init(struct idle_backoff *backoff, bool busy_poll)
{
	backoff->busy_poll = busy_poll;
	backoff->empty_polls = 0;
	backoff->sleep_us = 0;
}

/* Called after a poll that found work. */
static inline void idle_backoff_reset(struct idle_backoff *backoff)
{
	backoff->empty_polls = 0;
	backoff->sleep_us = 0;
}

/* Called after a poll that found nothing. */
static inline void idle_backoff_wait(struct idle_backoff *backoff)
{
	unsigned int i;

	if (backoff->busy_poll)
		return;
	backoff->empty_polls++;
	if (backoff->empty_polls < BACKOFF_SPIN_POLLS)
		return;
	if (backoff->empty_polls < BACKOFF_PAUSE_POLLS) {
		for (i = 0; i < BACKOFF_PAUSES_PER_POLL; i++)
			rte_pause();
		return;
	}
	if (backoff->sleep_us < BACKOFF_MAX_SLEEP_US)
		backoff->sleep_us = backoff->sleep_us ? backoff->sleep_us * 2 : 1;
	rte_delay_us_sleep(backoff->sleep_us);
}

/*
 * Waiting for room in a full ring: the consumer may run on the same CPU, so
 * after a short spin give it the CPU instead of burning our time slice.
 */
static inline void ring_full_wait(unsigned int *attempts)
{
	if (++*attempts < BACKOFF_SPIN_POLLS)
		rte_pause();
	else
		sched_yield();
}

#endif
