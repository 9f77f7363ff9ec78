/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Questions about the pair table from outside the aggregator lcore.
 *
 * The pair table belongs to the aggregator (the main lcore) and is never
 * locked.  A thread that needs it (the telemetry thread, for /cgnf/top and
 * /cgnf/pair) posts its question in a one-slot mailbox and waits; the
 * aggregator checks the slot with one atomic load per loop, answers from its
 * own lcore, and marks the slot done.  Requesters are serialised by a mutex,
 * so at most one question is in flight.
 *
 * Slot states: IDLE -> POSTED (requester) -> SERVING -> DONE (aggregator)
 * -> IDLE (requester, after copying the answer).  A requester that times out
 * takes back a question still POSTED; once SERVING it waits for DONE, which
 * comes within one table walk.
 */
#ifndef CGNF_AGG_QUERY_H
#define CGNF_AGG_QUERY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ip.h"
#include "pair_table.h"

/* Most pairs one "top" question returns (a telemetry reply holds 16 KiB: 100 fit). */
#define AGG_QUERY_TOP_MAX 100

enum agg_mailbox_state {
	MAILBOX_IDLE,
	MAILBOX_POSTED,
	MAILBOX_SERVING,
	MAILBOX_DONE,
};

enum agg_query_kind {
	AGG_QUERY_TOP,
	AGG_QUERY_PAIR,
};

struct agg_mailbox {
	int state;  /* enum agg_mailbox_state, atomic */
	int closed; /* the aggregator has stopped answering, atomic */
	pthread_mutex_t requester_lock;
	/* Question, written by the requester before POSTED. */
	enum agg_query_kind kind;
	unsigned int top_n;
	struct ip_pair pair;
	/* Answer, written by the aggregator before DONE. */
	int rc;
	unsigned int count;
	struct pair_stats answer[AGG_QUERY_TOP_MAX];
};

/* The mailbox lives as long as the process: a late requester finds it closed. */
int agg_mailbox_init(struct agg_mailbox *mailbox);

/*
 * Requester side, from any thread but the main lcore.
 *
 * agg_query_top: the n (<= AGG_QUERY_TOP_MAX) pairs with the most reports,
 * most first, into out[]; *count says how many there were.
 * agg_query_pair: one pair, in either order.
 *
 * Return 0, -ENOENT (no such pair), -EINVAL, -ETIMEDOUT (the aggregator did
 * not answer in time) or -ESHUTDOWN (it has stopped).
 */
int agg_query_top(unsigned int n, struct pair_stats *out, unsigned int *count,
		  unsigned int timeout_ms);
int agg_query_pair(const struct ip_pair *pair, struct pair_stats *out, unsigned int timeout_ms);

/* Aggregator side: one atomic load, done once per loop. */
static inline bool agg_mailbox_pending(const struct agg_mailbox *mailbox)
{
	return __atomic_load_n(&mailbox->state, __ATOMIC_ACQUIRE) == MAILBOX_POSTED;
}

/* Answers the posted question, if any (it may have been taken back). */
void agg_mailbox_serve(struct agg_mailbox *mailbox, const struct pair_table *table,
		       uint64_t hash_seed);

/* Answers what is pending and refuses every later question. */
void agg_mailbox_close(struct agg_mailbox *mailbox, const struct pair_table *table,
		       uint64_t hash_seed);

#endif
