/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What window.c (the table) and window_stats.c (the arithmetic) share: one
 * direction of an open window and the pool chunks that keep its values.
 * Not part of the API.
 */
#ifndef CGNF_WINDOW_INTERNAL_H
#define CGNF_WINDOW_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "window.h"

#define WINDOW_CHUNK_NONE UINT32_MAX

/* One cache line: the values of WINDOW_CHUNK_VALUES packets, in window order. */
struct window_value_chunk {
	uint32_t iats[WINDOW_CHUNK_VALUES];  /* probe mode: < 1 000 000 us */
	uint16_t sizes[WINDOW_CHUNK_VALUES]; /* the UDP length field */
	uint32_t next;			     /* WINDOW_CHUNK_NONE at the end */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct window_value_chunk) == 64, "one chunk, one cache line");

/*
 * One direction of a conversation: the IAT origin, kept across windows,
 * and the current window's packets.  The sums are exact: count is at most
 * WINDOW_DIRECTION_PACKETS_MAX (2^24), sizes are below 2^16 and IATs below
 * 2^32 (exact mode saturates there), so size_square_sum < 2^56 and
 * iat_square_sum < 2^88.
 */
struct window_direction {
	unsigned __int128 iat_square_sum;
	uint64_t last_time_us; /* time of this direction's latest packet: the IAT origin */
	uint64_t size_sum;
	uint64_t iat_sum;
	uint64_t size_square_sum;
	uint32_t count : 25;	  /* at most WINDOW_DIRECTION_PACKETS_MAX */
	uint32_t values_lost : 1; /* the pool ran out during this window */
	uint32_t last_iat;	  /* the probe's IAT variance bug reads the last one only */
	uint32_t first_chunk;	  /* probe mode: the values, WINDOW_CHUNK_NONE when none */
	uint32_t last_chunk;
};

_Static_assert(sizeof(struct window_direction) == 64, "one direction, one cache line");
_Static_assert(WINDOW_DIRECTION_PACKETS_MAX < (1u << 25), "count fits its bits");

/*
 * One direction's five statistics, as the report carries them (count, size
 * mean minus the 8-byte UDP header, size variance, IAT mean, IAT variance;
 * all zeros for an empty direction).
 */
void window_stats_probe(const struct window_direction *direction,
			const struct window_value_chunk *chunks, double out[STAT_COUNT_OF_STATS]);
void window_stats_exact(const struct window_direction *direction, double out[STAT_COUNT_OF_STATS]);

/* Population variance from exact sums: (n * sum(x^2) - sum(x)^2) / n^2. */
double window_exact_variance(uint64_t count, uint64_t sum, unsigned __int128 square_sum);

#endif
