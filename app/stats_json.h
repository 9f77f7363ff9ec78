/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The counters as JSON, rendered from the one registry (counters.h): the
 * --stats-json document and telemetry's /cgnf/stats both come from
 * counters_to_json(), so a counter has one name and one value everywhere.
 */
#ifndef CGNF_STATS_JSON_H
#define CGNF_STATS_JSON_H

#include <jansson.h>

#include "counters.h"

struct cgnf_app;

/*
 * One object with every counter of the given roles (a bit per enum
 * counter_role; derived ones included when their bit is set) by name, and
 * "dropped": {reason: count} when the RX role is in.  NULL: out of memory.
 */
json_t *counters_to_json(const struct counter_values *values, unsigned int roles);

#define COUNTER_ROLES_ALL 0x3fu

/* The model in use (its reloads are counters: model_reloads...). */
json_t *model_to_json(const struct cgnf_app *app);

/*
 * The --stats-json document: every counter (counters_to_json), then
 * per_lcore, pair_table (sizing), model, ports, and "lost" (what each failed
 * output lost) when one failed.  NULL when out of memory.
 */
json_t *stats_to_json(const struct cgnf_app *app, const struct counter_values *values);

#endif
