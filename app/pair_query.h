/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One pair's state, asked from outside the aggregator lcore.
 *
 * The pair table belongs to the aggregator and is never locked.  A thread
 * that wants one pair (telemetry's /cgnf/pair) posts the question in a
 * one-slot mailbox and waits; the aggregator checks the slot with one
 * atomic load per loop and answers with one lookup.  Requesters are
 * serialised among themselves by a mutex the aggregator never takes.
 * Whole-table questions (top pairs, the CSV) go through the control
 * thread's snapshots instead (control.h).
 *
 * Slot states: IDLE -> POSTED (requester) -> SERVING -> DONE (aggregator)
 * -> IDLE (requester, after copying the answer).  A requester that times
 * out takes back a question still POSTED; once SERVING, the answer comes
 * within one lookup.
 */
#ifndef CGNF_PAIR_QUERY_H
#define CGNF_PAIR_QUERY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ip.h"
#include "pair_table.h"

enum pair_mailbox_state {
	MAILBOX_IDLE,
	MAILBOX_POSTED,
	MAILBOX_SERVING,
	MAILBOX_DONE,
};

struct pair_mailbox {
	int state;  /* enum pair_mailbox_state, atomic */
	int closed; /* the aggregator has stopped answering, atomic */
	pthread_mutex_t requester_lock;
	struct ip_pair question;
	int rc;
	struct pair_stats answer;
};

int pair_mailbox_init(struct pair_mailbox *mailbox);
void pair_mailbox_destroy(struct pair_mailbox *mailbox);

/*
 * Requester side, from any thread but the aggregator: the pair, in either
 * order.  0, -ENOENT (no such pair), -ETIMEDOUT or -ESHUTDOWN (stopped).
 */
int pair_mailbox_ask(struct pair_mailbox *mailbox, const struct ip_pair *pair,
		     struct pair_stats *out, unsigned int timeout_ms);

/* Aggregator side: one atomic load, once per loop. */
static inline bool pair_mailbox_pending(const struct pair_mailbox *mailbox)
{
	return __atomic_load_n(&mailbox->state, __ATOMIC_ACQUIRE) == MAILBOX_POSTED;
}

/* Answers the posted question, if it was not taken back meanwhile. */
void pair_mailbox_serve(struct pair_mailbox *mailbox, const struct pair_table *table,
			uint64_t hash_seed);

/* Answers what is pending and refuses every later question. */
void pair_mailbox_close(struct pair_mailbox *mailbox, const struct pair_table *table,
			uint64_t hash_seed);

#endif
