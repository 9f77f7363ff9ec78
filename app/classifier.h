/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifier lcore: runs the decision tree on bursts of records from its
 * input rings (one per RX lcore) and sends the verdicts to the aggregator.
 */
#ifndef CGNF_CLASSIFIER_H
#define CGNF_CLASSIFIER_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ring.h>

#include "counters.h"

struct cgnf_app;

struct classifier_lcore {
	struct cgnf_app *app;
	unsigned int lcore_id;
	unsigned int index;
	struct rte_ring **inputs; /* [n_rx]: from each RX lcore */
	struct rte_ring *results; /* toward the aggregator */
	int done;
	/* Bumped after every loop: once it has moved, a replaced model is unused. */
	uint64_t quiescent;
	struct classifier_counters counters __rte_cache_aligned;
} __rte_cache_aligned;

/* The lcore's entry point, arg = its struct classifier_lcore. */
int classifier_lcore_main(void *arg);

#endif
