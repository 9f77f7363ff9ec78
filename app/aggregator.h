/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Aggregator, on the main lcore: drains the classifiers' result rings into
 * the pair table and hands everything else to the control thread.  Per
 * loop it does a bounded amount of each chore: expire at most a slice of
 * idle pairs, answer the one-pair mailbox, walk a slice of the table when a
 * snapshot is wanted.  It takes no lock and makes no system call.
 */
#ifndef CGNF_AGGREGATOR_H
#define CGNF_AGGREGATOR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include "pair_table.h"

#include "counters.h"
#include "pair_query.h"

struct cgnf_app;
struct aggregator;

/*
 * The table and the loop's state.  events: the ring toward the control
 * thread for pair events, NULL when no sink wants them; snapshots: the
 * ring for table walks.  NULL with errno set.
 */
struct aggregator *aggregator_create(struct cgnf_app *app, struct rte_ring *events,
				     struct rte_ring *snapshots);
void aggregator_free(struct aggregator *aggregator);

/* Runs until the pipeline is drained (staged shutdown, app.h). */
void aggregator_run(struct aggregator *aggregator);

/* Published counters, for any thread (counter_read). */
const struct aggregator_counters *aggregator_counters(const struct aggregator *aggregator);

/* Control thread: asks for table walk number walk_id (ids only grow). */
void aggregator_request_walk(struct aggregator *aggregator, uint64_t walk_id);

struct pair_mailbox *aggregator_mailbox(struct aggregator *aggregator);

/*
 * The table itself, for the main thread once aggregator_run has returned
 * (the datapath is over: the final snapshot reads it directly).
 */
const struct pair_table *aggregator_table(const struct aggregator *aggregator);

#endif
