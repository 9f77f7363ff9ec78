/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dense entries and an open-addressing index of entry numbers (+ 1, 0 is
 * empty) with linear probing, at most half full, and backward-shift
 * deletion: no tombstones, so probes stay short however many pairs come
 * and go.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pair_set.h"

#define INDEX_SLOTS_MIN 1024u
#define ENTRIES_MIN 256u

struct pair_set {
	uint64_t seed;
	struct pair_set_entry *entries;
	uint32_t count;
	uint32_t capacity;
	uint32_t *index;
	uint32_t index_mask;
};

struct pair_set *pair_set_create(uint64_t seed)
{
	struct pair_set *set = calloc(1, sizeof(*set));

	if (set == NULL)
		return NULL;
	set->seed = seed;
	set->index = calloc(INDEX_SLOTS_MIN, sizeof(*set->index));
	if (set->index == NULL) {
		free(set);
		errno = ENOMEM;
		return NULL;
	}
	set->index_mask = INDEX_SLOTS_MIN - 1;
	return set;
}

void pair_set_free(struct pair_set *set)
{
	if (set == NULL)
		return;
	free(set->entries);
	free(set->index);
	free(set);
}

uint32_t pair_set_count(const struct pair_set *set)
{
	return set->count;
}

struct pair_set_entry *pair_set_at(struct pair_set *set, uint32_t position)
{
	return &set->entries[position];
}

static uint32_t home_slot(const struct pair_set *set, const struct ip_pair *pair)
{
	return ip_pair_hash(pair, set->seed) & set->index_mask;
}

/* The slot holding the pair (either order), or the empty slot where it would go. */
static uint32_t find_slot(const struct pair_set *set, const struct ip_pair *pair)
{
	uint32_t slot = home_slot(set, pair);

	while (set->index[slot] != 0 &&
	       !ip_pair_same(&set->entries[set->index[slot] - 1].pair, pair))
		slot = (slot + 1) & set->index_mask;
	return slot;
}

uint32_t pair_set_find(const struct pair_set *set, const struct ip_pair *pair)
{
	uint32_t slot = find_slot(set, pair);

	return set->index[slot] != 0 ? set->index[slot] - 1 : PAIR_SET_NONE;
}

static int grow_index(struct pair_set *set)
{
	uint32_t slots = 2 * (set->index_mask + 1);
	uint32_t *index = calloc(slots, sizeof(*index));

	if (index == NULL)
		return -ENOMEM;
	free(set->index);
	set->index = index;
	set->index_mask = slots - 1;
	for (uint32_t e = 0; e < set->count; e++)
		set->index[find_slot(set, &set->entries[e].pair)] = e + 1;
	return 0;
}

int pair_set_insert(struct pair_set *set, const struct ip_pair *pair, uint32_t *position)
{
	struct pair_set_entry *entries;
	uint32_t e = pair_set_find(set, pair), capacity;

	if (e != PAIR_SET_NONE) {
		*position = e;
		return 0;
	}
	if (set->count == UINT32_MAX / 4)
		return -ENOMEM;
	if (2 * ((uint64_t)set->count + 1) > (uint64_t)set->index_mask + 1 && grow_index(set) != 0)
		return -ENOMEM;
	if (set->count == set->capacity) {
		capacity = set->capacity != 0 ? 2 * set->capacity : ENTRIES_MIN;
		entries = realloc(set->entries, (size_t)capacity * sizeof(*entries));
		if (entries == NULL)
			return -ENOMEM;
		set->entries = entries;
		set->capacity = capacity;
	}
	e = set->count++;
	set->entries[e] = (struct pair_set_entry){.pair = *pair};
	set->index[find_slot(set, pair)] = e + 1;
	*position = e;
	return 1;
}

void pair_set_remove(struct pair_set *set, uint32_t position)
{
	uint32_t hole = find_slot(set, &set->entries[position].pair), slot = hole, home, last;

	/* Backward shift: an entry further on may move into the hole if that keeps it reachable. */
	for (;;) {
		slot = (slot + 1) & set->index_mask;
		if (set->index[slot] == 0)
			break;
		home = home_slot(set, &set->entries[set->index[slot] - 1].pair);
		if (((slot - home) & set->index_mask) >= ((slot - hole) & set->index_mask)) {
			set->index[hole] = set->index[slot];
			hole = slot;
		}
	}
	set->index[hole] = 0;
	last = --set->count;
	if (position != last) {
		set->entries[position] = set->entries[last];
		set->index[find_slot(set, &set->entries[position].pair)] = position + 1;
	}
}
