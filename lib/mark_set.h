/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pairs an RX lcore marks (--cg-dscp): a small hash set keyed by the
 * unordered IP pair, one per RX lcore and written by that lcore only, so
 * that a forwarded packet's decision is one lookup with no lock.
 *
 * Open addressing with linear probing over a power-of-two array of at
 * least twice the pairs it may hold, fixed at creation; removal shifts the
 * following entries back (no tombstones), so a lookup's cost depends only
 * on the pairs held now.  The caller hands in ip_pair_hash() of the pair
 * (symmetric: either order of the addresses finds the entry).
 */
#ifndef CGNF_MARK_SET_H
#define CGNF_MARK_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

#define MARK_SET_MAX_PAIRS (1u << 24)

struct mark_entry {
	struct ip_pair pair; /* ip1: the pair's client side, as the pair table orients it */
	uint64_t since_ns;   /* the verdict's time until a first packet is marked, then 0 */
	uint32_t hash;
	uint32_t used;
};

struct mark_set;

/* Room for max_pairs pairs (1..MARK_SET_MAX_PAIRS); NULL with errno set (EINVAL, ENOMEM). */
struct mark_set *mark_set_create(uint32_t max_pairs);
void mark_set_free(struct mark_set *set);

/* Bytes the set holds, fixed at creation. */
size_t mark_set_memory(const struct mark_set *set);

uint32_t mark_set_count(const struct mark_set *set);

/*
 * Adds the pair (ip1: the client side), or updates it when it is there:
 * 0, or -ENOSPC when max_pairs are held.  since_ns: the verdict's time.
 */
int mark_set_add(struct mark_set *set, const struct ip_pair *pair, uint32_t hash,
		 uint64_t since_ns);

/* Removes the pair, in either order: 0, or -ENOENT. */
int mark_set_remove(struct mark_set *set, const struct ip_pair *pair, uint32_t hash);

/* The entry of the pair {a, b} in either order, or NULL. */
struct mark_entry *mark_set_find(struct mark_set *set, const struct ip_addr *a,
				 const struct ip_addr *b, uint32_t hash);

/* Which packets of a held pair are marked (--cg-mark-only). */
enum mark_direction {
	MARK_BOTH, /* both directions */
	MARK_DOWN, /* toward the pair's client side (ip1) */
	MARK_UP,   /* from it */
};

/*
 * The forwarding path's decision for one Ethernet frame (len bytes
 * readable): when it is IPv4 / IPv6 (dscp.h) between the two addresses of a
 * held pair, in a direction `which` marks, sets its DSCP to dscp and
 * returns the pair's entry; otherwise NULL and the frame is unchanged.
 * seed: ip_pair_hash's.  A header walk, a hash and a lookup per frame
 * (bench_mark).
 */
struct mark_entry *mark_set_mark_frame(struct mark_set *set, uint8_t *frame, size_t len,
				       uint64_t seed, enum mark_direction which, uint8_t dscp);

#endif
