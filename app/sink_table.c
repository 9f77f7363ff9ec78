/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console table of the busiest pairs and the totals, at idle timeout
 * and at exit, unless --quiet.
 */
#include <stdio.h>
#include <string.h>

#include "output.h"

#include "app.h"
#include "sink.h"

static bool table_wanted(const struct cgnf_config *config)
{
	return !config->quiet;
}

static int table_snapshot(struct sink *sink, const struct snapshot *snapshot)
{
	const struct counter_values *values = snapshot->values;
	struct output_totals totals = {
		.reports = values->value[COUNTER_reports],
		.rx_packets = values->value[COUNTER_rx_packets],
		.pairs = snapshot->rows->count,
		.cg_pairs = values->value[COUNTER_cg_pairs],
		.elapsed_s = (double)values->value[COUNTER_elapsed_ns] / 1e9,
	};
	FILE *console = sink->env->console;

	if ((snapshot->purposes & (SNAPSHOT_IDLE | SNAPSHOT_FINAL)) == 0)
		return 0;
	memcpy(totals.drops, values->drops, sizeof(totals.drops));
	output_print_table(snapshot->rows, console, &totals);
	/* A closed console (a pipe whose reader left) is the one output that is not data. */
	fflush(console);
	return 0;
}

const struct sink_ops sink_table_ops = {
	.name = "table",
	.wanted = table_wanted,
	.snapshot = table_snapshot,
};
