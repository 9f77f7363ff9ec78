/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "agg_query.h"
#include "cgnf.h"

/* How often a waiting requester looks at the slot. */
#define QUERY_POLL_US 50

int agg_mailbox_init(struct agg_mailbox *mailbox)
{
	memset(mailbox, 0, sizeof(*mailbox));
	return -pthread_mutex_init(&mailbox->requester_lock, NULL);
}

static bool take_back(struct agg_mailbox *mailbox)
{
	int expected = MAILBOX_POSTED;

	return __atomic_compare_exchange_n(&mailbox->state, &expected, MAILBOX_IDLE, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/*
 * Posts the question already written in *mailbox and waits.  Returns false
 * with *rc set when it took the question back unanswered; true when the
 * answer is in the slot, which the caller copies and then releases.
 */
static bool post_and_wait(struct agg_mailbox *mailbox, unsigned int timeout_ms, int *rc)
{
	uint64_t waited_us = 0;

	*rc = -ESHUTDOWN;
	if (__atomic_load_n(&mailbox->closed, __ATOMIC_ACQUIRE))
		return false;
	__atomic_store_n(&mailbox->state, MAILBOX_POSTED, __ATOMIC_RELEASE);
	while (__atomic_load_n(&mailbox->state, __ATOMIC_ACQUIRE) != MAILBOX_DONE) {
		if (__atomic_load_n(&mailbox->closed, __ATOMIC_ACQUIRE) && take_back(mailbox))
			return false;
		/* Once SERVING, the answer comes within one table walk: wait for it. */
		if (waited_us >= (uint64_t)timeout_ms * 1000 && take_back(mailbox)) {
			*rc = -ETIMEDOUT;
			return false;
		}
		rte_delay_us_sleep(QUERY_POLL_US);
		waited_us += QUERY_POLL_US;
	}
	*rc = mailbox->rc;
	return true;
}

static void release_slot(struct agg_mailbox *mailbox)
{
	__atomic_store_n(&mailbox->state, MAILBOX_IDLE, __ATOMIC_RELEASE);
}

int agg_query_top(unsigned int n, struct pair_stats *out, unsigned int *count,
		  unsigned int timeout_ms)
{
	struct agg_mailbox *mailbox;
	int rc;

	*count = 0;
	if (cgnf_app == NULL)
		return -ESHUTDOWN;
	if (n == 0 || n > AGG_QUERY_TOP_MAX)
		return -EINVAL;
	mailbox = &cgnf_app->mailbox;
	pthread_mutex_lock(&mailbox->requester_lock);
	mailbox->kind = AGG_QUERY_TOP;
	mailbox->top_n = n;
	if (post_and_wait(mailbox, timeout_ms, &rc)) {
		if (rc == 0) {
			*count = mailbox->count;
			memcpy(out, mailbox->answer, mailbox->count * sizeof(out[0]));
		}
		release_slot(mailbox);
	}
	pthread_mutex_unlock(&mailbox->requester_lock);
	return rc;
}

int agg_query_pair(const struct ip_pair *pair, struct pair_stats *out, unsigned int timeout_ms)
{
	struct agg_mailbox *mailbox;
	int rc;

	if (cgnf_app == NULL)
		return -ESHUTDOWN;
	mailbox = &cgnf_app->mailbox;
	pthread_mutex_lock(&mailbox->requester_lock);
	mailbox->kind = AGG_QUERY_PAIR;
	mailbox->pair = *pair;
	if (post_and_wait(mailbox, timeout_ms, &rc)) {
		if (rc == 0)
			*out = mailbox->answer[0];
		release_slot(mailbox);
	}
	pthread_mutex_unlock(&mailbox->requester_lock);
	return rc;
}

static uint64_t reports_of(const struct pair_stats *stats)
{
	return stats->cg + stats->ncg;
}

struct top_walk {
	struct agg_mailbox *mailbox;
	unsigned int wanted;
};

/* Keeps answer[] sorted, most reports first, at most wanted long. */
static void top_consider(const struct pair_stats *stats, void *ctx)
{
	struct top_walk *walk = ctx;
	struct agg_mailbox *mailbox = walk->mailbox;
	unsigned int slot = mailbox->count;

	if (slot == walk->wanted) {
		if (reports_of(stats) <= reports_of(&mailbox->answer[slot - 1]))
			return;
		slot--;
	} else {
		mailbox->count++;
	}
	while (slot > 0 && reports_of(&mailbox->answer[slot - 1]) < reports_of(stats)) {
		mailbox->answer[slot] = mailbox->answer[slot - 1];
		slot--;
	}
	mailbox->answer[slot] = *stats;
}

void agg_mailbox_serve(struct agg_mailbox *mailbox, const struct pair_table *table,
		       uint64_t hash_seed)
{
	int expected = MAILBOX_POSTED;
	struct top_walk walk;

	if (!__atomic_compare_exchange_n(&mailbox->state, &expected, MAILBOX_SERVING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return; /* taken back by a requester that timed out */
	mailbox->count = 0;
	switch (mailbox->kind) {
	case AGG_QUERY_TOP:
		walk.mailbox = mailbox;
		walk.wanted = mailbox->top_n;
		pair_table_foreach(table, top_consider, &walk);
		mailbox->rc = 0;
		break;
	case AGG_QUERY_PAIR:
		mailbox->rc = pair_table_lookup(table, &mailbox->pair,
						ip_pair_hash(&mailbox->pair, hash_seed),
						&mailbox->answer[0]);
		mailbox->count = mailbox->rc == 0;
		break;
	default:
		mailbox->rc = -EINVAL;
		break;
	}
	__atomic_store_n(&mailbox->state, MAILBOX_DONE, __ATOMIC_RELEASE);
}

void agg_mailbox_close(struct agg_mailbox *mailbox, const struct pair_table *table,
		       uint64_t hash_seed)
{
	__atomic_store_n(&mailbox->closed, 1, __ATOMIC_RELEASE);
	if (agg_mailbox_pending(mailbox))
		agg_mailbox_serve(mailbox, table, hash_seed);
}
