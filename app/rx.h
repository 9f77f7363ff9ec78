/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RX lcore: polls its queue of every port, turns each frame into a
 * classify_record (or one drop under a named reason) and hands it to the
 * classifier chosen by the pair hash.
 */
#ifndef CGNF_RX_H
#define CGNF_RX_H

#include <rte_common.h>
#include <rte_ring.h>

#include "app.h"

#include "record.h"
#include "report.h"
#include "window.h"

#include "counters.h"

struct cgnf_app;
struct mark_set;

struct rx_lcore {
	struct cgnf_app *app;
	unsigned int lcore_id;
	unsigned int index;		 /* also the RX queue it polls on every port */
	struct rte_ring **rings;	 /* [n_classifiers]: toward each classifier */
	struct classify_record *staging; /* [n_classifiers][CGNF_BURST] */
	unsigned int *staged;		 /* [n_classifiers]: records waiting in staging */
	int done;			 /* published once it will enqueue no more */
	/* --input traffic: this lcore's conversations, on its own packet clock. */
	struct window_table *windows;
	uint64_t packet_clock_ns;      /* the latest packet time seen */
	struct rte_ring *window_texts; /* --windows: closed windows toward the control thread */
	struct report *texts_staging;  /* [RX_TEXTS_STAGED] */
	unsigned int texts_staged;
	/* --cg-dscp (inline.h): verdict changes in, the pairs this lcore marks. */
	struct rte_ring *marks;
	struct mark_set *marked;
	struct rx_counters counters __rte_cache_aligned;
} __rte_cache_aligned;

/* Closed windows staged for --windows per burst: a burst, and a sweep of expired ones. */
#define RX_TEXTS_STAGED (2 * CGNF_BURST)

/* The lcore's entry point, arg = its struct rx_lcore. */
int rx_lcore_main(void *arg);

#endif
