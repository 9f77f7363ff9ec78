/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "drop_reason.h"
#include "pair_table.h"

#include "cgnf.h"
#include "reload.h"
#include "stats.h"

static void add_rx(struct cgnf_totals *out, const struct rx_stats *stats)
{
	out->rx_packets += counter_read(&stats->rx_packets);
	out->reports_enqueued += counter_read(&stats->reports_enqueued);
	out->neighbor_replies += counter_read(&stats->neighbor_replies);
	out->neighbor_unsent += counter_read(&stats->neighbor_unsent);
	for (unsigned int r = 0; r < DROP_REASON_COUNT; r++) {
		uint64_t drops = counter_read(&stats->drops[r]);

		out->drops[r] += drops;
		out->dropped += drops;
	}
}

static void add_classifier(struct cgnf_totals *out, const struct classifier_stats *stats)
{
	out->classified += counter_read(&stats->classified);
	out->classified_cg += counter_read(&stats->classified_cg);
}

static void read_aggregator(struct aggregator_stats *out, const struct aggregator_stats *stats)
{
	out->reports = counter_read(&stats->reports);
	out->reports_cg = counter_read(&stats->reports_cg);
	out->pairs = counter_read(&stats->pairs);
	out->cg_pairs = counter_read(&stats->cg_pairs);
	out->inserted = counter_read(&stats->inserted);
	out->expired = counter_read(&stats->expired);
	out->evicted = counter_read(&stats->evicted);
	out->latency_sum_ns = counter_read(&stats->latency_sum_ns);
	out->latency_max_ns = counter_read(&stats->latency_max_ns);
	out->last_report_ns = counter_read(&stats->last_report_ns);
}

void stats_sum(const struct cgnf_app *app, struct cgnf_totals *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < app->n_rx; i++)
		add_rx(out, &app->rx[i].stats);
	for (i = 0; i < app->n_classifiers; i++)
		add_classifier(out, &app->classifiers[i].stats);
	read_aggregator(&out->aggregator, &app->aggregator);
}

int stats_sum_lcore(const struct cgnf_app *app, unsigned int lcore_id, struct cgnf_totals *out)
{
	unsigned int index;

	memset(out, 0, sizeof(*out));
	if (lcore_id >= RTE_MAX_LCORE)
		return -ENOENT;
	index = app->role_index[lcore_id];
	switch (app->roles[lcore_id]) {
	case ROLE_RX:
		add_rx(out, &app->rx[index].stats);
		return 0;
	case ROLE_CLASSIFIER:
		add_classifier(out, &app->classifiers[index].stats);
		return 0;
	case ROLE_AGGREGATOR:
		read_aggregator(&out->aggregator, &app->aggregator);
		return 0;
	default:
		return -ENOENT;
	}
}

static json_t *drops_to_json(const uint64_t drops[DROP_REASON_COUNT])
{
	json_t *object = json_object();

	for (unsigned int r = DROP_NONE + 1; r < DROP_REASON_COUNT && object != NULL; r++)
		json_object_set_new(object, drop_reason_name(r),
				    json_integer((json_int_t)drops[r]));
	return object;
}

static json_t *per_lcore_to_json(const struct cgnf_app *app)
{
	json_t *list = json_array();
	struct cgnf_totals one;
	unsigned int i;

	for (i = 0; i < app->n_rx && list != NULL; i++) {
		stats_sum_lcore(app, app->rx[i].lcore_id, &one);
		json_array_append_new(list,
				      json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "lcore",
						(json_int_t)app->rx[i].lcore_id, "role", "rx",
						"queue", (json_int_t)app->rx[i].index, "rx_packets",
						(json_int_t)one.rx_packets, "reports_enqueued",
						(json_int_t)one.reports_enqueued, "dropped",
						(json_int_t)one.dropped, "neighbor_replies",
						(json_int_t)one.neighbor_replies, "neighbor_unsent",
						(json_int_t)one.neighbor_unsent));
	}
	for (i = 0; i < app->n_classifiers && list != NULL; i++) {
		stats_sum_lcore(app, app->classifiers[i].lcore_id, &one);
		json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:I}", "lcore",
						      (json_int_t)app->classifiers[i].lcore_id,
						      "role", "classifier", "classified",
						      (json_int_t)one.classified, "classified_cg",
						      (json_int_t)one.classified_cg));
	}
	return list;
}

static json_t *pair_table_to_json(const struct cgnf_app *app, const struct aggregator_stats *agg)
{
	size_t memory = app->pair_table ? pair_table_memory(app->pair_table) : 0;

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "inserted", (json_int_t)agg->inserted,
			 "expired", (json_int_t)agg->expired, "evicted", (json_int_t)agg->evicted,
			 "pairs", (json_int_t)agg->pairs, "max_pairs",
			 (json_int_t)app->config.max_pairs, "memory_bytes", (json_int_t)memory);
}

static json_t *model_to_json(void)
{
	struct reload_status status;
	char checksum[17];

	reload_get_status(&status);
	snprintf(checksum, sizeof(checksum), "%016" PRIx64, status.model.checksum);
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "path", status.model.path, "checksum",
			 checksum, "nodes", (json_int_t)status.model.n_nodes, "depth",
			 (json_int_t)status.model.depth, "reloads", (json_int_t)status.reloads,
			 "reloads_refused", (json_int_t)status.refused);
}

static json_t *ports_to_json(const struct cgnf_app *app)
{
	json_t *list = json_array();

	for (unsigned int p = 0; p < app->n_ports && list != NULL; p++)
		json_array_append_new(list, port_to_json(&app->ports[p]));
	return list;
}

double stats_elapsed_s(const struct cgnf_app *app, const struct aggregator_stats *aggregator)
{
	uint64_t first_packet_ns = __atomic_load_n(&app->first_packet_ns, __ATOMIC_RELAXED);

	if (first_packet_ns == 0 || aggregator->last_report_ns <= first_packet_ns)
		return 0;
	return (double)(aggregator->last_report_ns - first_packet_ns) / 1e9;
}

json_t *stats_to_json(const struct cgnf_app *app)
{
	const struct aggregator_stats *agg;
	struct cgnf_totals totals;
	double elapsed_s, latency_mean_us = 0;

	stats_sum(app, &totals);
	agg = &totals.aggregator;
	elapsed_s = stats_elapsed_s(app, agg);
	if (agg->reports != 0)
		latency_mean_us = (double)agg->latency_sum_ns / (double)agg->reports / 1e3;

	return json_pack(
		"{s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:o, "
		"s:o, s:o, s:o}",
		"rx_packets", (json_int_t)totals.rx_packets, "reports", (json_int_t)agg->reports,
		"dropped", drops_to_json(totals.drops), "dropped_total", (json_int_t)totals.dropped,
		"classified_cg", (json_int_t)agg->reports_cg, "classified_ncg",
		(json_int_t)(agg->reports - agg->reports_cg), "pairs", (json_int_t)agg->pairs,
		"cg_pairs", (json_int_t)agg->cg_pairs, "elapsed_s", elapsed_s, "latency_mean_us",
		latency_mean_us, "latency_max_us", (double)agg->latency_max_ns / 1e3,
		"neighbor_replies", (json_int_t)totals.neighbor_replies, "neighbor_unsent",
		(json_int_t)totals.neighbor_unsent, "per_lcore", per_lcore_to_json(app),
		"pair_table", pair_table_to_json(app, agg), "model", model_to_json(), "ports",
		ports_to_json(app));
}
