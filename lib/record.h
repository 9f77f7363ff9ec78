/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixed-size records handed between lcores over rte_ring (*_elem API).
 * Plain C so that lib/ tests and benches use the same layout as the app.
 */
#ifndef CGNF_RECORD_H
#define CGNF_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "features.h"
#include "ip.h"
#include "pair_table.h"

/* RX -> classifier: one parsed, oriented report. 104 bytes. */
struct classify_record {
	struct ip_pair pair; /* ip1 = client side */
	uint32_t hash;	     /* ip_pair_hash, carried to the aggregator */
	uint32_t reserved;
	uint64_t rx_time_ns; /* when the RX lcore took the packet (app clock) */
	uint64_t seen_ns;    /* the report's own time: pair_update.seen_ns */
	struct features features;
};

/*
 * Classifier -> aggregator. 56 bytes.  The aggregator dequeues these straight
 * into struct pair_update (pair_table.h), the pair table's input: same
 * layout, checked below, so that lib/pair_table.c needs no ring format.
 */
struct result_record {
	struct ip_pair pair;
	uint32_t hash;
	uint8_t is_cg;
	uint8_t reserved[3];
	uint64_t rx_time_ns;
	uint64_t seen_ns;
};

_Static_assert(sizeof(struct classify_record) == 104, "classify_record layout");
_Static_assert(sizeof(struct result_record) == 56, "result_record layout");
_Static_assert(sizeof(struct result_record) == sizeof(struct pair_update) &&
		       offsetof(struct result_record, pair) == offsetof(struct pair_update, pair) &&
		       offsetof(struct result_record, hash) == offsetof(struct pair_update, hash) &&
		       offsetof(struct result_record, is_cg) ==
			       offsetof(struct pair_update, is_cg) &&
		       offsetof(struct result_record, rx_time_ns) ==
			       offsetof(struct pair_update, rx_time_ns) &&
		       offsetof(struct result_record, seen_ns) ==
			       offsetof(struct pair_update, seen_ns),
	       "result_record is dequeued as a pair_update");

#endif
