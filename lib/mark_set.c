/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dscp.h"
#include "mark_set.h"

struct mark_set {
	uint32_t mask; /* slots - 1 */
	uint32_t count;
	uint32_t max_pairs;
	struct mark_entry *slots;
};

struct mark_set *mark_set_create(uint32_t max_pairs)
{
	struct mark_set *set;
	uint64_t slots = 1;

	if (max_pairs == 0 || max_pairs > MARK_SET_MAX_PAIRS) {
		errno = EINVAL;
		return NULL;
	}
	/* At most half full: a probe sequence stays a few slots long. */
	while (slots < 2 * (uint64_t)max_pairs)
		slots <<= 1;
	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return NULL;
	set->slots = calloc(slots, sizeof(*set->slots));
	if (set->slots == NULL) {
		free(set);
		errno = ENOMEM;
		return NULL;
	}
	set->mask = (uint32_t)(slots - 1);
	set->max_pairs = max_pairs;
	return set;
}

void mark_set_free(struct mark_set *set)
{
	if (set == NULL)
		return;
	free(set->slots);
	free(set);
}

size_t mark_set_memory(const struct mark_set *set)
{
	return sizeof(*set) + ((size_t)set->mask + 1) * sizeof(*set->slots);
}

uint32_t mark_set_count(const struct mark_set *set)
{
	return set->count;
}

static inline bool same_unordered(const struct ip_pair *pair, const struct ip_addr *a,
				  const struct ip_addr *b)
{
	if (memcmp(&pair->ip1, a, sizeof(*a)) == 0)
		return memcmp(&pair->ip2, b, sizeof(*b)) == 0;
	return memcmp(&pair->ip1, b, sizeof(*b)) == 0 && memcmp(&pair->ip2, a, sizeof(*a)) == 0;
}

/* The slot holding {a, b}, or the empty slot ending its probe sequence. */
static inline uint32_t find_slot(const struct mark_set *set, const struct ip_addr *a,
				 const struct ip_addr *b, uint32_t hash)
{
	uint32_t slot = hash & set->mask;

	for (;;) {
		const struct mark_entry *entry = &set->slots[slot];

		if (!entry->used || (entry->hash == hash && same_unordered(&entry->pair, a, b)))
			return slot;
		slot = (slot + 1) & set->mask;
	}
}

struct mark_entry *mark_set_find(struct mark_set *set, const struct ip_addr *a,
				 const struct ip_addr *b, uint32_t hash)
{
	struct mark_entry *entry = &set->slots[find_slot(set, a, b, hash)];

	return entry->used ? entry : NULL;
}

int mark_set_add(struct mark_set *set, const struct ip_pair *pair, uint32_t hash, uint64_t since_ns)
{
	struct mark_entry *entry = &set->slots[find_slot(set, &pair->ip1, &pair->ip2, hash)];

	if (!entry->used) {
		if (set->count == set->max_pairs)
			return -ENOSPC;
		set->count++;
	}
	entry->pair = *pair;
	entry->hash = hash;
	entry->since_ns = since_ns;
	entry->used = 1;
	return 0;
}

int mark_set_remove(struct mark_set *set, const struct ip_pair *pair, uint32_t hash)
{
	uint32_t hole = find_slot(set, &pair->ip1, &pair->ip2, hash), slot, home;

	if (!set->slots[hole].used)
		return -ENOENT;
	/*
	 * Backward shift: an entry further on moves into the hole unless its
	 * home slot lies cyclically in (hole, slot], where it would be lost.
	 */
	for (slot = (hole + 1) & set->mask; set->slots[slot].used; slot = (slot + 1) & set->mask) {
		home = set->slots[slot].hash & set->mask;
		if (((slot - home) & set->mask) >= ((slot - hole) & set->mask)) {
			set->slots[hole] = set->slots[slot];
			hole = slot;
		}
	}
	memset(&set->slots[hole], 0, sizeof(set->slots[hole]));
	set->count--;
	return 0;
}

struct mark_entry *mark_set_mark_frame(struct mark_set *set, uint8_t *frame, size_t len,
				       uint64_t seed, enum mark_direction which, uint8_t dscp)
{
	struct dscp_ip_header ip;
	struct mark_entry *entry;
	struct ip_pair pair;

	if (dscp_locate(frame, len, &ip) != 0)
		return NULL;
	pair.ip1 = ip.source;
	pair.ip2 = ip.destination;
	entry = mark_set_find(set, &ip.source, &ip.destination, ip_pair_hash(&pair, seed));
	if (entry == NULL)
		return NULL;
	if (which != MARK_BOTH) {
		bool down = memcmp(&ip.destination, &entry->pair.ip1, sizeof(ip.destination)) == 0;

		if (down != (which == MARK_DOWN))
			return NULL;
	}
	dscp_set(frame, &ip, dscp);
	return entry;
}
