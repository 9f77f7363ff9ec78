/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cgnf's DPDK telemetry commands, for dpdk-telemetry.py or any client of
 * the telemetry socket:
 *
 *   /cgnf/stats[,LCORE_ID]  every counter and drop reason, or one lcore's
 *   /cgnf/pairs[,N]         the N pairs with the most reports, by rank (default 10, <= 100)
 *   /cgnf/pair,IP1,IP2      one pair, either order
 *   /cgnf/model             the model in use
 *   /cgnf/config            the options in force
 *   /cgnf/ports             link and counters of each port
 *   /cgnf/reload[,PATH]     reload the model file (or load PATH)
 *
 * Callbacks run on telemetry's threads: counters are read with atomic
 * loads, the pair table only through the aggregator's mailbox.  A bad
 * parameter is answered with {"error": "..."}.
 */
#ifndef CGNF_TELEMETRY_H
#define CGNF_TELEMETRY_H

struct cgnf_app;

/* Registers the commands (once per process) and starts answering about app. */
int telemetry_init(struct cgnf_app *app);

/* Stops answering about the app; returns once no callback is using it. */
void telemetry_fini(void);

#endif
