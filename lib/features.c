/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>

#include "features.h"

/* 2^128 - 2^103, halfway from FLT_MAX to 2^128: the first magnitude float32 rounds to infinity. */
#define FLOAT_ROUNDING_LIMIT 0x1.ffffffp+127

const char *const feature_names[FEATURE_COUNT] = {
	"dw_size_mean",		"dw_size_var", "dw_iat_mean",	       "dw_iat_var",
	"dw_size_mean_x_count", "dw_count",    "up_size_mean",	       "up_size_var",
	"up_iat_mean",		"up_iat_var",  "up_size_mean_x_count", "up_count",
};

/* The six features of one direction, in the model's order. */
static inline void features_of_half(const double half[STAT_COUNT_OF_STATS], float out[6])
{
	out[0] = (float)half[STAT_SIZE_MEAN];
	out[1] = (float)half[STAT_SIZE_VAR];
	out[2] = (float)half[STAT_IAT_MEAN];
	out[3] = (float)half[STAT_IAT_VAR];
	/* Multiplied in double, rounded once: float * float would differ. */
	out[4] = (float)(half[STAT_SIZE_MEAN] * half[STAT_COUNT]);
	out[5] = (float)half[STAT_COUNT];
}

/*
 * Whether every feature is a finite float: a float32 rounds to infinity
 * from FLOAT_ROUNDING_LIMIT up.  The report's ten numbers are checked as
 * doubles, side by side, and the two products on their own.
 */
static inline bool fits_in_float(const struct report *report)
{
	double largest = fabs(report->up[STAT_SIZE_MEAN] * report->up[STAT_COUNT]);
	double other = fabs(report->down[STAT_SIZE_MEAN] * report->down[STAT_COUNT]);

	largest = largest > other ? largest : other;
	for (int i = 0; i < STAT_COUNT_OF_STATS; i++) {
		double up = fabs(report->up[i]), down = fabs(report->down[i]);

		largest = largest > up ? largest : up;
		largest = largest > down ? largest : down;
	}
	return largest < FLOAT_ROUNDING_LIMIT;
}

enum drop_reason features_build(const struct report *report, const struct prefix_list *lan,
				struct ip_pair *pair, struct features *features)
{
	const double *up = report->up;
	const double *down = report->down;

	/* Only "outside -> inside" is turned round; every other case keeps SRC first. */
	/* Each address in its text's family: "::ffff:192.168.1.1" is not in 192.168.0.0/16. */
	if (!prefix_list_contains(lan, &report->src, report->src_family) &&
	    prefix_list_contains(lan, &report->dst, report->dst_family)) {
		pair->ip1 = report->dst;
		pair->ip2 = report->src;
		up = report->down;
		down = report->up;
	} else {
		pair->ip1 = report->src;
		pair->ip2 = report->dst;
	}
	features_of_half(down, &features->values[0]);
	features_of_half(up, &features->values[6]);
	return fits_in_float(report) ? DROP_NONE : DROP_REPORT_BEYOND_FLOAT;
}
