/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A set of IP pairs that grows as needed: either order of a pair is the same
 * pair, each entry carries 32 bits of its owner's flags, and the entries
 * are dense (positions 0..count-1), so that an owner can walk them a slice
 * at a time.  Removing an entry moves the last one into its position.
 * For the control thread's own bookkeeping (app/sink_nft.c): one thread,
 * no lock, allocation as it grows.
 */
#ifndef CGNF_PAIR_SET_H
#define CGNF_PAIR_SET_H

#include <stdint.h>

#include "ip.h"

#define PAIR_SET_NONE UINT32_MAX

struct pair_set_entry {
	struct ip_pair pair; /* in the order it was inserted */
	uint32_t flags;	     /* the owner's */
};

struct pair_set;

/* An empty set; seed keys its hash (ip_pair_hash).  NULL with errno ENOMEM. */
struct pair_set *pair_set_create(uint64_t seed);
void pair_set_free(struct pair_set *set);

uint32_t pair_set_count(const struct pair_set *set);

/* The entry at a position below pair_set_count. */
struct pair_set_entry *pair_set_at(struct pair_set *set, uint32_t position);

/* The position of the pair (either order), or PAIR_SET_NONE. */
uint32_t pair_set_find(const struct pair_set *set, const struct ip_pair *pair);

/*
 * The pair's position in *position: 1 when it was added (flags 0), 0 when
 * it was there, -ENOMEM (the set unchanged).
 */
int pair_set_insert(struct pair_set *set, const struct ip_pair *pair, uint32_t *position);

/* Removes the entry at position: the last entry, if another, takes its position. */
void pair_set_remove(struct pair_set *set, uint32_t position);

#endif
