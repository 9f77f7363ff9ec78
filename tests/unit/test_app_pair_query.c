/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one-pair mailbox between a requester thread and the aggregator
 * (app/pair_query.h), without EAL: answers, either order, unknown pair,
 * timeout with the question taken back, and closing.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>

#include "pair_table.h"

#include "pair_query.h"
#include "unit_address.h"
#include "unit_main.h"

#define SEED 42

struct server {
	struct pair_mailbox *mailbox;
	const struct pair_table *table;
	int stop;
	unsigned int served;
};

/* What the aggregator does once per loop. */
static void *serve(void *arg)
{
	struct server *server = arg;
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 20000};

	while (!__atomic_load_n(&server->stop, __ATOMIC_ACQUIRE)) {
		if (pair_mailbox_pending(server->mailbox)) {
			pair_mailbox_serve(server->mailbox, server->table, SEED);
			server->served++;
		}
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static struct pair_table *table_with(const char *ip1, const char *ip2, unsigned int cg,
				     unsigned int ncg)
{
	struct pair_table_config config = {.max_pairs = 16,
					   .verdict_window = 8,
					   .verdict_min_reports = 1,
					   .verdict_threshold = 0.5};
	struct pair_table *table = pair_table_create(&config, NULL, NULL);
	struct ip_pair pair = {address(ip1), address(ip2)};
	uint32_t hash = ip_pair_hash(&pair, SEED);

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	for (unsigned int i = 0; i < cg + ncg; i++)
		pair_table_update(table, &pair, hash, i < cg, 100 + i, 100 + i);
	return table;
}

static void test_answers_either_order(void)
{
	struct pair_table *table = table_with("192.168.1.2", "203.0.113.9", 3, 2);
	struct pair_mailbox mailbox;
	struct server server = {.mailbox = &mailbox, .table = table};
	struct ip_pair asked = {address("203.0.113.9"), address("192.168.1.2")};
	struct ip_pair unknown = {address("192.168.1.2"), address("203.0.113.10")};
	struct pair_stats answer;
	pthread_t thread;

	CU_ASSERT_EQUAL_FATAL(pair_mailbox_init(&mailbox), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, serve, &server), 0);
	CU_ASSERT_EQUAL(pair_mailbox_ask(&mailbox, &asked, &answer, 2000), 0);
	CU_ASSERT_EQUAL(answer.cg, 3);
	CU_ASSERT_EQUAL(answer.ncg, 2);
	CU_ASSERT_EQUAL(pair_mailbox_ask(&mailbox, &unknown, &answer, 2000), -ENOENT);
	for (unsigned int i = 0; i < 200; i++)
		CU_ASSERT_EQUAL(pair_mailbox_ask(&mailbox, &asked, &answer, 2000), 0);
	__atomic_store_n(&server.stop, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	CU_ASSERT_EQUAL(server.served, 202);
	pair_mailbox_destroy(&mailbox);
	pair_table_free(table);
}

/* Nobody serves: the requester times out and takes its question back. */
static void test_timeout_takes_the_question_back(void)
{
	struct pair_table *table = table_with("10.0.0.1", "10.0.0.2", 1, 0);
	struct pair_mailbox mailbox;
	struct ip_pair asked = {address("10.0.0.1"), address("10.0.0.2")};
	struct pair_stats answer;

	CU_ASSERT_EQUAL_FATAL(pair_mailbox_init(&mailbox), 0);
	CU_ASSERT_EQUAL(pair_mailbox_ask(&mailbox, &asked, &answer, 20), -ETIMEDOUT);
	CU_ASSERT_FALSE(pair_mailbox_pending(&mailbox));
	/* A late serve finds nothing to answer. */
	pair_mailbox_serve(&mailbox, table, SEED);
	CU_ASSERT_EQUAL(mailbox.state, MAILBOX_IDLE);
	pair_mailbox_destroy(&mailbox);
	pair_table_free(table);
}

static void test_closed_refuses(void)
{
	struct pair_table *table = table_with("10.0.0.1", "10.0.0.2", 1, 0);
	struct pair_mailbox mailbox;
	struct ip_pair asked = {address("10.0.0.1"), address("10.0.0.2")};
	struct pair_stats answer;

	CU_ASSERT_EQUAL_FATAL(pair_mailbox_init(&mailbox), 0);
	pair_mailbox_close(&mailbox, table, SEED);
	CU_ASSERT_EQUAL(pair_mailbox_ask(&mailbox, &asked, &answer, 2000), -ESHUTDOWN);
	pair_mailbox_destroy(&mailbox);
	pair_table_free(table);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"answers, either order, unknown pair", test_answers_either_order},
		{"a timeout takes the question back", test_timeout_takes_the_question_back},
		{"closed: every question refused", test_closed_refuses},
	};

	return unit_run_suite("app_pair_query", NULL, NULL, tests, UNIT_COUNT(tests));
}
