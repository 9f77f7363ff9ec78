/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "pair_set.h"
#include "splitmix64.h"
#include "unit_main.h"

/* 10.0.x.y . 203.0.113.z: few distinct values, so that hashes collide and probes chain. */
static struct ip_pair make_pair(unsigned int client, unsigned int server)
{
	const uint8_t ip1[4] = {10, 0, (uint8_t)(client >> 8), (uint8_t)client};
	const uint8_t ip2[4] = {203, 0, 113, (uint8_t)server};
	struct ip_pair pair;

	ip_from_v4(&pair.ip1, ip1);
	ip_from_v4(&pair.ip2, ip2);
	return pair;
}

static struct ip_pair reversed(struct ip_pair pair)
{
	return (struct ip_pair){.ip1 = pair.ip2, .ip2 = pair.ip1};
}

static void test_empty(void)
{
	struct pair_set *set = pair_set_create(1);
	struct ip_pair pair = make_pair(1, 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_EQUAL(pair_set_count(set), 0);
	CU_ASSERT_EQUAL(pair_set_find(set, &pair), PAIR_SET_NONE);
	pair_set_free(set);
	pair_set_free(NULL);
}

static void test_either_order(void)
{
	struct pair_set *set = pair_set_create(2);
	struct ip_pair pair = make_pair(1, 2), back = reversed(pair);
	uint32_t position, again;

	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_EQUAL(pair_set_insert(set, &pair, &position), 1);
	CU_ASSERT_EQUAL(pair_set_at(set, position)->flags, 0);
	pair_set_at(set, position)->flags = 7;
	CU_ASSERT_EQUAL(pair_set_find(set, &back), position);
	CU_ASSERT_EQUAL(pair_set_insert(set, &back, &again), 0);
	CU_ASSERT_EQUAL(again, position);
	CU_ASSERT_EQUAL(pair_set_count(set), 1);
	/* The entry keeps the order it was inserted in, and its flags. */
	CU_ASSERT_EQUAL(memcmp(&pair_set_at(set, position)->pair, &pair, sizeof(pair)), 0);
	CU_ASSERT_EQUAL(pair_set_at(set, position)->flags, 7);
	pair_set_remove(set, position);
	CU_ASSERT_EQUAL(pair_set_count(set), 0);
	CU_ASSERT_EQUAL(pair_set_find(set, &pair), PAIR_SET_NONE);
	pair_set_free(set);
}

static void test_remove_moves_the_last(void)
{
	struct pair_set *set = pair_set_create(3);
	struct ip_pair pairs[3] = {make_pair(1, 1), make_pair(2, 2), make_pair(3, 3)};
	uint32_t position;

	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(pair_set_insert(set, &pairs[i], &position), 1);
		CU_ASSERT_EQUAL(position, i);
		pair_set_at(set, position)->flags = 100 + i;
	}
	pair_set_remove(set, 0);
	CU_ASSERT_EQUAL(pair_set_count(set), 2);
	CU_ASSERT_EQUAL(pair_set_find(set, &pairs[2]), 0);
	CU_ASSERT_EQUAL(pair_set_at(set, 0)->flags, 102);
	CU_ASSERT_EQUAL(pair_set_find(set, &pairs[1]), 1);
	CU_ASSERT_EQUAL(pair_set_find(set, &pairs[0]), PAIR_SET_NONE);
	pair_set_free(set);
}

/*
 * Random inserts and removals against a plain array, through several
 * growths of the index and long probe chains: every pair present is found
 * at a position holding it, every pair absent is not found.
 */
static void test_random_against_reference(void)
{
	enum { CLIENTS = 300, SERVERS = 40, STEPS = 200000 };
	static uint32_t where[CLIENTS][SERVERS]; /* position + 1; 0: absent */
	struct pair_set *set = pair_set_create(0x5eed);
	uint64_t rng = 42;
	uint32_t present = 0, position, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	memset(where, 0, sizeof(where));
	for (unsigned int step = 0; step < STEPS; step++) {
		unsigned int c = (unsigned int)(splitmix64_next(&rng) % CLIENTS);
		unsigned int s = (unsigned int)(splitmix64_next(&rng) % SERVERS);
		struct ip_pair pair = make_pair(c, s);
		/* Grow towards 8 000 pairs, then churn. */
		bool insert = splitmix64_unit(&rng) < (present < 8000 ? 0.7 : 0.5);

		if (step % 2 == 1)
			pair = reversed(pair);
		if (insert) {
			int rc = pair_set_insert(set, &pair, &position);

			CU_ASSERT_EQUAL_FATAL(rc, where[c][s] == 0 ? 1 : 0);
			if (rc == 0)
				CU_ASSERT_EQUAL_FATAL(position, where[c][s] - 1);
			if (rc == 1) {
				pair_set_at(set, position)->flags = c * SERVERS + s;
				present++;
			}
			where[c][s] = position + 1;
			continue;
		}
		position = pair_set_find(set, &pair);
		CU_ASSERT_EQUAL_FATAL(position, where[c][s] == 0 ? PAIR_SET_NONE : where[c][s] - 1);
		if (position == PAIR_SET_NONE)
			continue;
		pair_set_remove(set, position);
		where[c][s] = 0;
		present--;
		/* The last entry moved: note where. */
		if (position < pair_set_count(set)) {
			uint32_t flags = pair_set_at(set, position)->flags;

			where[flags / SERVERS][flags % SERVERS] = position + 1;
		}
	}
	CU_ASSERT_EQUAL(pair_set_count(set), present);
	for (unsigned int c = 0; c < CLIENTS; c++)
		for (unsigned int s = 0; s < SERVERS; s++) {
			struct ip_pair pair = make_pair(c, s);

			position = pair_set_find(set, &pair);
			if (position != (where[c][s] == 0 ? PAIR_SET_NONE : where[c][s] - 1) ||
			    (position != PAIR_SET_NONE &&
			     pair_set_at(set, position)->flags != c * SERVERS + s))
				bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
	pair_set_free(set);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"an empty set finds nothing", test_empty},
		{"either order is one pair; entries keep their order and flags", test_either_order},
		{"a removal moves the last entry into the hole", test_remove_moves_the_last},
		{"random inserts and removals match a reference", test_random_against_reference},
	};

	return unit_run_suite("pair_set", NULL, NULL, tests, UNIT_COUNT(tests));
}
