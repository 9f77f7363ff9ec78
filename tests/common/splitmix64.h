/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * splitmix64: a fixed seed gives the same stream on every run and machine,
 * so a random corpus or benchmark input is the same each time.
 */
#ifndef CGNF_SPLITMIX64_H
#define CGNF_SPLITMIX64_H

#include <stdint.h>

static inline uint64_t splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, 1): the top 53 bits, as many as a double holds. */
static inline double splitmix64_unit(uint64_t *state)
{
	return (double)(splitmix64_next(state) >> 11) / 9007199254740992.0;
}

#endif /* CGNF_SPLITMIX64_H */
