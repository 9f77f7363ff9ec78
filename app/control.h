/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread: an ordinary pthread that owns the output sinks and
 * every timer that leads to I/O.  It drains the aggregator's event ring into
 * the sinks, asks the aggregator for table walks and hands the snapshots to
 * the sinks, prints the status line, watches --idle-timeout (no packet) and
 * --duration, and reopens the outputs on SIGUSR1.  Telemetry asks it for
 * the busiest pairs.
 */
#ifndef CGNF_CONTROL_H
#define CGNF_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_ring.h>

#include "pair_table.h"

#include "counters.h"

struct cgnf_app;
struct control;

/* Most pairs one top-pairs question returns (a telemetry reply holds about 100). */
#define CONTROL_TOP_PAIRS_MAX 100

/*
 * Opens every sink the options ask for (start-up: a refusal is logged and
 * returns NULL, errno set).  The events ring exists only if a sink takes
 * events: control_wants_events().
 */
struct control *control_create(struct cgnf_app *app);
bool control_wants_events(const struct control *control);

/* Starts the thread, reading the aggregator's rings. */
int control_start(struct control *control, struct rte_ring *events, struct rte_ring *snapshots);

/*
 * Once the aggregator has returned: writes what is left in the rings and
 * joins the thread.  Returns 0, or -EINTR if a third signal asked not to
 * wait (the thread may be blocked in a sink): the caller then exits.
 */
int control_stop(struct control *control);

/*
 * On the main thread once the control thread has stopped: the final
 * snapshot of the table to every sink, then closes them.  Returns 0, or
 * -EIO when any output was lost during the run (the exit status says so).
 */
int control_finish(struct control *control, const struct pair_table *table);

void control_free(struct control *control);

/* Async-signal-safe: SIGUSR1 asks the sinks to reopen their files. */
void control_request_reopen(struct control *control);

/*
 * From another thread (telemetry): the n busiest pairs (most reports
 * first), from a snapshot at most a second old.  0, -ETIMEDOUT, or
 * -ESHUTDOWN once stopping.
 */
int control_top_pairs(struct control *control, unsigned int n, struct pair_stats *out,
		      unsigned int *count, unsigned int timeout_ms);

/* Published counters, for any thread (counter_read). */
const struct control_counters *control_counters(const struct control *control);

/* {"sink": "what failed first"} for each sink that failed; NULL when none did. */
json_t *control_failures_to_json(const struct control *control);

#endif
