/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One probe report, as the upstream probe sends it every 33 ms per
 * conversation:
 *
 *   ["SRC_IP", SRC_PORT, "DST_IP", DST_PORT,
 *    [N_UP, UP_SIZE_MEAN, UP_SIZE_VAR, UP_IAT_MEAN, UP_IAT_VAR],
 *    [N_DOWN, DOWN_SIZE_MEAN, DOWN_SIZE_VAR, DOWN_IAT_MEAN, DOWN_IAT_VAR]]
 */
#ifndef CGNF_REPORT_H
#define CGNF_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "drop_reason.h"
#include "ip.h"

enum window_stat {
	STAT_COUNT,
	STAT_SIZE_MEAN,
	STAT_SIZE_VAR,
	STAT_IAT_MEAN,
	STAT_IAT_VAR,
	STAT_COUNT_OF_STATS
};

struct report {
	struct ip_addr src;
	struct ip_addr dst;
	uint16_t src_port;
	uint16_t dst_port;
	/* As written: "::ffff:10.0.0.1" is IPv6 (prefix.h matches families apart). */
	uint8_t src_family; /* enum ip_family */
	uint8_t dst_family;
	double up[STAT_COUNT_OF_STATS];	  /* SRC -> DST packets */
	double down[STAT_COUNT_OF_STATS]; /* DST -> SRC packets */
};

/*
 * Parses one datagram payload (not NUL-terminated).  Accepts exactly the JSON
 * texts of the report's shape that a conforming parser accepts, with numbers
 * rounded as strtod rounds them; allocation-free.  Returns DROP_NONE and fills
 * *out, or the reason the text is refused (*out is then unspecified).
 */
enum drop_reason report_parse(const char *text, size_t len, struct report *out);

#endif
