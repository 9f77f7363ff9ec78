/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "pair_query.h"

/* How often a waiting requester looks at the slot. */
#define QUERY_POLL_US 50

int pair_mailbox_init(struct pair_mailbox *mailbox)
{
	memset(mailbox, 0, sizeof(*mailbox));
	return -pthread_mutex_init(&mailbox->requester_lock, NULL);
}

void pair_mailbox_destroy(struct pair_mailbox *mailbox)
{
	pthread_mutex_destroy(&mailbox->requester_lock);
}

static bool take_back(struct pair_mailbox *mailbox)
{
	int expected = MAILBOX_POSTED;

	return __atomic_compare_exchange_n(&mailbox->state, &expected, MAILBOX_IDLE, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void sleep_us(unsigned int us)
{
	struct timespec delay = {.tv_sec = 0, .tv_nsec = (long)us * 1000};

	nanosleep(&delay, NULL);
}

int pair_mailbox_ask(struct pair_mailbox *mailbox, const struct ip_pair *pair,
		     struct pair_stats *out, unsigned int timeout_ms)
{
	uint64_t waited_us = 0;
	int rc = -ESHUTDOWN;

	pthread_mutex_lock(&mailbox->requester_lock);
	if (__atomic_load_n(&mailbox->closed, __ATOMIC_ACQUIRE))
		goto out;
	mailbox->question = *pair;
	__atomic_store_n(&mailbox->state, MAILBOX_POSTED, __ATOMIC_RELEASE);
	while (__atomic_load_n(&mailbox->state, __ATOMIC_ACQUIRE) != MAILBOX_DONE) {
		if (__atomic_load_n(&mailbox->closed, __ATOMIC_ACQUIRE) && take_back(mailbox))
			goto out;
		if (waited_us >= (uint64_t)timeout_ms * 1000 && take_back(mailbox)) {
			rc = -ETIMEDOUT;
			goto out;
		}
		sleep_us(QUERY_POLL_US);
		waited_us += QUERY_POLL_US;
	}
	rc = mailbox->rc;
	if (rc == 0)
		*out = mailbox->answer;
	__atomic_store_n(&mailbox->state, MAILBOX_IDLE, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&mailbox->requester_lock);
	return rc;
}

void pair_mailbox_serve(struct pair_mailbox *mailbox, const struct pair_table *table,
			uint64_t hash_seed)
{
	int expected = MAILBOX_POSTED;

	/* Once SERVING the requester waits for the answer: it cannot take it back. */
	if (!__atomic_compare_exchange_n(&mailbox->state, &expected, MAILBOX_SERVING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	mailbox->rc =
		pair_table_lookup(table, &mailbox->question,
				  ip_pair_hash(&mailbox->question, hash_seed), &mailbox->answer);
	__atomic_store_n(&mailbox->state, MAILBOX_DONE, __ATOMIC_RELEASE);
}

void pair_mailbox_close(struct pair_mailbox *mailbox, const struct pair_table *table,
			uint64_t hash_seed)
{
	__atomic_store_n(&mailbox->closed, 1, __ATOMIC_RELEASE);
	if (pair_mailbox_pending(mailbox))
		pair_mailbox_serve(mailbox, table, hash_seed);
}
