/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the benchmark programs share: a monotonic clock in nanoseconds and the
 * min / median / max of a set of runs.
 */
#ifndef CGNF_BENCH_COMMON_H
#define CGNF_BENCH_COMMON_H

#include <stdlib.h>
#include <time.h>

struct figures {
	double min, median, max;
};

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts the samples of runs runs (at least one) in place. */
static inline struct figures summarize(double *samples, unsigned int runs)
{
	qsort(samples, runs, sizeof(*samples), compare_doubles);
	return (struct figures){samples[0], samples[runs / 2], samples[runs - 1]};
}

#endif /* CGNF_BENCH_COMMON_H */
