/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A window's statistics, two ways.
 *
 * Probe mode reproduces the probe's CUSTOM_AVX float32 code
 * (../shared/probe/PROBE.md section 7) operation for operation: every
 * intermediate is a float, every fused multiply-add is fmaf (one rounding,
 * as _mm256_fmadd_ps), in the probe's order.  Written so that nothing here
 * can be contracted or reordered: the only products are inside fmaf, every
 * other operation is one addition, subtraction or division of two floats in
 * its own expression, and no fast-math flag is ever used.  The Makefile adds
 * -ffp-contract=off for this file all the same.  test_window and
 * test_window_probe check the result bit for bit against the probe's own
 * reports, not this reasoning.
 *
 * Exact mode divides exact integer sums once, in double.
 */
#include <float.h>
#include <math.h>

#include "window_internal.h"

#if FLT_EVAL_METHOD != 0
#error "float expressions must be evaluated in float (SSE), not with excess precision (x87)"
#endif

/* The probe's vector part works on blocks of 3 x 8 lanes. */
#define PROBE_LANES 8
#define PROBE_BLOCK (3 * PROBE_LANES)
#define UDP_HEADER_BYTES 8

/*
 * v[l] = A0[l] + (A1[l] + A2[l]), then the probe's horizontal sum
 * ((v0 + v4) + (v1 + v5)) + ((v2 + v6) + (v3 + v7)).
 */
static float probe_horizontal_sum(const float lanes[PROBE_BLOCK])
{
	float v[PROBE_LANES];

	for (int l = 0; l < PROBE_LANES; l++) {
		float upper = lanes[PROBE_LANES + l] + lanes[2 * PROBE_LANES + l];

		v[l] = lanes[l] + upper;
	}
	float low = (v[0] + v[4]) + (v[1] + v[5]);
	float high = (v[2] + v[6]) + (v[3] + v[7]);

	return low + high;
}

/* The probe's int32 sums wrap (_mm256_add_epi32) where a long window would overflow them. */
static inline float probe_int32_sum(uint64_t sum)
{
	return (float)(int32_t)(uint32_t)sum;
}

static void zero_stats(double out[STAT_COUNT_OF_STATS])
{
	for (int s = 0; s < STAT_COUNT_OF_STATS; s++)
		out[s] = 0.0;
}

/*
 * Built twice: with the FMA instruction, and for CPUs without it, chosen
 * once at load time.  Both round each fused multiply-add once, as fmaf
 * must, so they give the same bits; the FMA build runs fmaf as one
 * instruction instead of a libm call per value (measured: the call was
 * most of this function's cost at thousands of values per window).  GCC
 * only, and not under ASan: ifunc resolvers run before it is set up.
 */
#if defined(__x86_64__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("fma", "default")))
#endif
void window_stats_probe(const struct window_direction *direction,
			const struct window_value_chunk *chunks, double out[STAT_COUNT_OF_STATS])
{
	uint32_t n = direction->count;
	float size_lanes[PROBE_BLOCK] = {0}, iat_lanes[PROBE_BLOCK] = {0};
	float size_tail = 0.0f, iat_tail = 0.0f;
	float count, size_mean, iat_mean, size_var, iat_var;

	if (n == 0) {
		zero_stats(out); /* no -8 for an empty direction */
		return;
	}
	count = (float)n;
	size_mean = probe_int32_sum(direction->size_sum) / count;
	iat_mean = probe_int32_sum(direction->iat_sum) / count;

	if (direction->values_lost) {
		/* The pool ran out: the sums' exact variances, rounded (counted as inexact). */
		size_var = (float)window_exact_variance(n, direction->size_sum,
							direction->size_square_sum);
		iat_var = (float)window_exact_variance(n, direction->iat_sum,
						       direction->iat_square_sum);
	} else {
		uint32_t vector_end = n - n % PROBE_BLOCK, i = 0;
		uint32_t chunk = direction->first_chunk;

		while (i < n) {
			const struct window_value_chunk *values = &chunks[chunk];

			for (uint32_t k = 0; k < WINDOW_CHUNK_VALUES && i < n; k++, i++) {
				float size_deviation = (float)values->sizes[k] - size_mean;
				float iat_deviation = (float)values->iats[k] - iat_mean;
				uint32_t lane = i % PROBE_BLOCK;

				if (i < vector_end) {
					size_lanes[lane] = fmaf(size_deviation, size_deviation,
								size_lanes[lane]);
					iat_lanes[lane] =
						fmaf(iat_deviation, iat_deviation, iat_lanes[lane]);
				} else {
					size_tail = fmaf(size_deviation, size_deviation, size_tail);
				}
			}
			chunk = values->next;
		}
		/*
		 * The probe's bug [windowparser.cpp:176]: its scalar IAT tail adds
		 * the mean, not the running sum, so only the last IAT survives.
		 */
		if (n % PROBE_BLOCK != 0) {
			float last_deviation = (float)direction->last_iat - iat_mean;

			iat_tail = fmaf(last_deviation, last_deviation, iat_mean);
		}
		size_var = (probe_horizontal_sum(size_lanes) + size_tail) / count;
		iat_var = (probe_horizontal_sum(iat_lanes) + iat_tail) / count;
	}
	out[STAT_COUNT] = n;
	out[STAT_SIZE_MEAN] = size_mean - (float)UDP_HEADER_BYTES;
	out[STAT_SIZE_VAR] = size_var;
	out[STAT_IAT_MEAN] = iat_mean;
	out[STAT_IAT_VAR] = iat_var;
}

double window_exact_variance(uint64_t count, uint64_t sum, unsigned __int128 square_sum)
{
	/* Never negative (Cauchy-Schwarz); below 2^112 with the bounds of window_internal.h. */
	unsigned __int128 spread =
		(unsigned __int128)count * square_sum - (unsigned __int128)sum * sum;

	/* One rounding to double, then a division by an exact n^2 (n <= 2^24). */
	return (double)spread / ((double)count * (double)count);
}

void window_stats_exact(const struct window_direction *direction, double out[STAT_COUNT_OF_STATS])
{
	uint32_t n = direction->count;

	if (n == 0) {
		zero_stats(out);
		return;
	}
	out[STAT_COUNT] = n;
	/* The probe's definition (payload mean), one rounding: (sum - 8 n) / n. */
	out[STAT_SIZE_MEAN] =
		(double)((int64_t)direction->size_sum - UDP_HEADER_BYTES * (int64_t)n) / n;
	out[STAT_SIZE_VAR] =
		window_exact_variance(n, direction->size_sum, direction->size_square_sum);
	out[STAT_IAT_MEAN] = (double)direction->iat_sum / n;
	out[STAT_IAT_VAR] = window_exact_variance(n, direction->iat_sum, direction->iat_square_sum);
}
