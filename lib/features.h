/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 12 features the model was trained on, in its order:
 *
 *   0 DW mean size   1 DW size var   2 DW mean IAT   3 DW IAT var
 *   4 DW mean size x DW count        5 DW count
 *   6..11 the same six for UP
 *
 * UP is the report's SRC -> DST half, DW the other one.  When SRC is outside
 * the LAN and DST inside, the pair and the halves are swapped so that the
 * client always comes first.
 */
#ifndef CGNF_FEATURES_H
#define CGNF_FEATURES_H

#include "drop_reason.h"
#include "ip.h"
#include "prefix.h"
#include "report.h"

#define FEATURE_COUNT 12

/*
 * Stored as float: the model compares every feature as float32 (as
 * scikit-learn does), and the product is taken in double before rounding,
 * exactly as the Python system computed it.
 */
struct features {
	float values[FEATURE_COUNT];
};

extern const char *const feature_names[FEATURE_COUNT];

/*
 * Orients the report against the LAN prefixes and computes its features.
 * pair->ip1 is the client side.  Returns DROP_NONE, or
 * DROP_REPORT_BEYOND_FLOAT when a feature (a statistic, or a mean x count
 * product) does not fit in a float: its magnitude rounds to infinity, at
 * 2^128 - 2^103 and above.  scikit-learn refuses such input ("Input X
 * contains infinity or a value too large for dtype('float32')"), so there is
 * no answer to copy; FLT_MAX itself and anything rounding to it pass.
 */
enum drop_reason features_build(const struct report *report, const struct prefix_list *lan,
				struct ip_pair *pair, struct features *features);

#endif
