/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdio.h>

#include <jansson.h>

#include "drop_reason.h"
#include "pair_table.h"

#include "aggregator.h"
#include "app.h"
#include "control.h"
#include "reload.h"
#include "rx.h"
#include "stats_json.h"

json_t *counters_to_json(const struct counter_values *values, unsigned int roles)
{
	json_t *object = json_object(), *drops;

	if (object == NULL)
		return NULL;
	for (unsigned int id = 0; id < COUNTER_COUNT; id++)
		if (roles & (1u << counter_specs[id].role))
			json_object_set_new(object, counter_specs[id].name,
					    json_integer((json_int_t)values->value[id]));
	if ((roles & (1u << COUNTER_ROLE_RX)) == 0)
		return object;
	drops = json_object();
	for (unsigned int r = DROP_NONE + 1; r < DROP_REASON_COUNT && drops != NULL; r++)
		json_object_set_new(drops, drop_reason_name(r),
				    json_integer((json_int_t)values->drops[r]));
	json_object_set_new(object, "dropped", drops);
	return object;
}

static json_t *per_lcore_to_json(const struct cgnf_app *app)
{
	json_t *list = json_array(), *one;
	struct counter_values values;

	for (unsigned int lcore_id = 0; lcore_id < RTE_MAX_LCORE && list != NULL; lcore_id++) {
		enum lcore_role role = app->roles[lcore_id];

		if (role == ROLE_NONE || cgnf_read_lcore_counters(app, lcore_id, &values) != 0)
			continue;
		one = counters_to_json(&values,
				       1u << (role == ROLE_RX		? COUNTER_ROLE_RX
					      : role == ROLE_CLASSIFIER ? COUNTER_ROLE_CLASSIFIER
									: COUNTER_ROLE_AGGREGATOR));
		if (one == NULL)
			continue;
		json_object_set_new(one, "lcore", json_integer(lcore_id));
		json_object_set_new(one, "role", json_string(lcore_role_name(role)));
		if (role == ROLE_RX)
			json_object_set_new(one, "queue", json_integer(app->role_index[lcore_id]));
		json_array_append_new(list, one);
	}
	return list;
}

json_t *model_to_json(const struct cgnf_app *app)
{
	struct reload_status status;
	char checksum[17];

	reload_get_status(app->reloader, &status);
	snprintf(checksum, sizeof(checksum), "%016" PRIx64, status.model.checksum);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "path",
			 status.model.path, "source", status.model.source, "id", status.model.id,
			 "sha256", status.model.sha256, "checksum", checksum, "format_version",
			 (json_int_t)status.model.format_version, "features",
			 (json_int_t)status.model.n_features, "nodes",
			 (json_int_t)status.model.n_nodes, "leaves",
			 (json_int_t)status.model.n_leaves, "depth", (json_int_t)status.model.depth,
			 "cg_class", status.model.cg_class_name);
}

static json_t *ports_to_json(const struct cgnf_app *app)
{
	json_t *list = json_array();

	for (unsigned int p = 0; p < app->n_ports && list != NULL; p++)
		json_array_append_new(list, port_to_json(&app->ports[p], true));
	return list;
}

json_t *stats_to_json(const struct cgnf_app *app, const struct counter_values *values)
{
	json_t *stats = counters_to_json(values, COUNTER_ROLES_ALL), *failures;

	if (stats == NULL)
		return NULL;
	json_object_set_new(stats, "per_lcore", per_lcore_to_json(app));
	/* Sizing, fixed at start-up: what the table holds is in the counters. */
	json_object_set_new(
		stats, "pair_table",
		json_pack("{s:I, s:I}", "max_pairs", (json_int_t)app->config.max_pairs,
			  "memory_bytes",
			  (json_int_t)pair_table_memory(aggregator_table(app->aggregator))));
	json_object_set_new(stats, "run", json_string(app->run_id));
	json_object_set_new(stats, "model", model_to_json(app));
	json_object_set_new(stats, "ports", ports_to_json(app));
	/* What an output failed to write, by output: present only when something was lost. */
	failures = control_failures_to_json(app->control);
	if (failures != NULL)
		json_object_set_new(stats, "lost", failures);
	return stats;
}
