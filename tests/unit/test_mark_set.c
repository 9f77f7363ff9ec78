/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/mark_set.c against a plain array model: random adds and removes of
 * pairs (many sharing a home slot), every pair found in either order exactly
 * when the model holds it, the count right, the capacity refused beyond
 * max_pairs, and the client side (ip1) kept as given.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "mark_set.h"
#include "splitmix64.h"
#include "unit_main.h"

#define MODEL_PAIRS 512

static struct ip_pair model_pair(unsigned int index)
{
	struct ip_pair pair;
	uint8_t a[4] = {192, 168, (uint8_t)(index >> 8), (uint8_t)index};
	uint8_t b[4] = {198, 18, (uint8_t)(index >> 8), (uint8_t)(index * 7)};

	ip_from_v4(&pair.ip1, a);
	ip_from_v4(&pair.ip2, b);
	return pair;
}

/* Few distinct hashes: long probe sequences that wrap, and shifts across them. */
static uint32_t crowded_hash(unsigned int index)
{
	return (index % 13) * 0x9e3779b1u;
}

static struct ip_pair turned(const struct ip_pair *pair)
{
	return (struct ip_pair){.ip1 = pair->ip2, .ip2 = pair->ip1};
}

static void test_against_model(void)
{
	struct mark_set *set = mark_set_create(MODEL_PAIRS);
	bool held[MODEL_PAIRS] = {false};
	unsigned int count = 0, mismatches = 0;
	uint64_t state = 3;

	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	for (unsigned int step = 0; step < 200000; step++) {
		unsigned int index = (unsigned int)(splitmix64_next(&state) % MODEL_PAIRS);
		struct ip_pair pair = model_pair(index);
		uint32_t hash = crowded_hash(index);

		if (splitmix64_next(&state) % 2) {
			CU_ASSERT_EQUAL(mark_set_add(set, &pair, hash, step + 1), 0);
			count += !held[index];
			held[index] = true;
		} else {
			struct ip_pair other = turned(&pair);

			CU_ASSERT_EQUAL(mark_set_remove(set, &other, hash),
					held[index] ? 0 : -ENOENT);
			count -= held[index];
			held[index] = false;
		}
		if (step % 1000 != 0)
			continue;
		for (unsigned int i = 0; i < MODEL_PAIRS; i++) {
			struct ip_pair probe = model_pair(i);
			struct mark_entry *one =
				mark_set_find(set, &probe.ip1, &probe.ip2, crowded_hash(i));
			struct mark_entry *two =
				mark_set_find(set, &probe.ip2, &probe.ip1, crowded_hash(i));

			if ((one != NULL) != held[i] || one != two ||
			    (one != NULL && memcmp(&one->pair, &probe, sizeof(probe)) != 0))
				mismatches++;
		}
		CU_ASSERT_EQUAL(mark_set_count(set), count);
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	mark_set_free(set);
}

static void test_capacity(void)
{
	struct mark_set *set = mark_set_create(4);
	struct ip_pair pair;

	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	for (unsigned int i = 0; i < 4; i++) {
		pair = model_pair(i);
		CU_ASSERT_EQUAL(mark_set_add(set, &pair, i, 1), 0);
	}
	pair = model_pair(9);
	CU_ASSERT_EQUAL(mark_set_add(set, &pair, 9, 1), -ENOSPC);
	/* An update of a held pair needs no room. */
	pair = model_pair(2);
	CU_ASSERT_EQUAL(mark_set_add(set, &pair, 2, 5), 0);
	CU_ASSERT_EQUAL(mark_set_find(set, &pair.ip1, &pair.ip2, 2)->since_ns, 5);
	CU_ASSERT_EQUAL(mark_set_count(set), 4);
	CU_ASSERT_EQUAL(mark_set_remove(set, &pair, 2), 0);
	pair = model_pair(9);
	CU_ASSERT_EQUAL(mark_set_add(set, &pair, 9, 1), 0);
	CU_ASSERT(mark_set_memory(set) >= 8 * sizeof(struct mark_entry));
	mark_set_free(set);
}

static void test_create_refuses(void)
{
	CU_ASSERT_PTR_NULL(mark_set_create(0));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(mark_set_create(MARK_SET_MAX_PAIRS + 1));
	mark_set_free(NULL);
}

/* Same addresses, another pair: {a, b} is not {a, c}. */
static void test_no_false_match(void)
{
	struct mark_set *set = mark_set_create(8);
	struct ip_pair pair = model_pair(1), other = model_pair(1);

	other.ip2.bytes[15] ^= 1;
	CU_ASSERT_EQUAL(mark_set_add(set, &pair, 42, 1), 0);
	CU_ASSERT_PTR_NULL(mark_set_find(set, &other.ip1, &other.ip2, 42));
	CU_ASSERT_PTR_NULL(mark_set_find(set, &pair.ip1, &pair.ip1, 42));
	CU_ASSERT_PTR_NOT_NULL(mark_set_find(set, &pair.ip2, &pair.ip1, 42));
	mark_set_free(set);
}

/* The forwarding path's decision: both directions, down, up; other pairs and ARP untouched. */
static void test_mark_frame(void)
{
	struct mark_set *set = mark_set_create(8);
	struct ip_pair pair = model_pair(5), other = model_pair(6);
	uint8_t up[60] = {[12] = 0x08, [13] = 0x00, [14] = 0x45, [17] = 46, [22] = 64, [23] = 17};
	uint8_t down[60], stranger[60], arp[60] = {[12] = 0x08, [13] = 0x06}, before[60];
	const uint64_t seed = 99;

	memcpy(up + 26, pair.ip1.bytes + 12, 4); /* client -> server */
	memcpy(up + 30, pair.ip2.bytes + 12, 4);
	memcpy(down, up, sizeof(up));
	memcpy(down + 26, pair.ip2.bytes + 12, 4);
	memcpy(down + 30, pair.ip1.bytes + 12, 4);
	memcpy(stranger, up, sizeof(up));
	memcpy(stranger + 30, other.ip2.bytes + 12, 4);
	CU_ASSERT_EQUAL_FATAL(mark_set_add(set, &pair, ip_pair_hash(&pair, seed), 7), 0);

	CU_ASSERT_PTR_NOT_NULL(mark_set_mark_frame(set, up, sizeof(up), seed, MARK_BOTH, 46));
	CU_ASSERT_EQUAL(up[15], 0xb8);
	CU_ASSERT_PTR_NOT_NULL(mark_set_mark_frame(set, down, sizeof(down), seed, MARK_DOWN, 34));
	CU_ASSERT_EQUAL(down[15], 34 << 2);
	memcpy(before, up, sizeof(up));
	CU_ASSERT_PTR_NULL(mark_set_mark_frame(set, up, sizeof(up), seed, MARK_DOWN, 34));
	CU_ASSERT(memcmp(before, up, sizeof(up)) == 0);
	CU_ASSERT_PTR_NOT_NULL(mark_set_mark_frame(set, up, sizeof(up), seed, MARK_UP, 34));
	CU_ASSERT_PTR_NULL(mark_set_mark_frame(set, down, sizeof(down), seed, MARK_UP, 46));
	memcpy(before, stranger, sizeof(stranger));
	CU_ASSERT_PTR_NULL(
		mark_set_mark_frame(set, stranger, sizeof(stranger), seed, MARK_BOTH, 46));
	CU_ASSERT(memcmp(before, stranger, sizeof(stranger)) == 0);
	CU_ASSERT_PTR_NULL(mark_set_mark_frame(set, arp, sizeof(arp), seed, MARK_BOTH, 46));
	mark_set_free(set);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"random adds and removes agree with a model, either order", test_against_model},
		{"max_pairs held, the next refused, updates need no room", test_capacity},
		{"creation refuses 0 and too many pairs", test_create_refuses},
		{"a pair sharing one address is another pair", test_no_false_match},
		{"a frame of a held pair marked, by direction; others untouched", test_mark_frame},
	};

	return unit_run_suite("mark_set", NULL, NULL, tests, UNIT_COUNT(tests));
}
