/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include "counters.h"

#define RX_SPEC(name, kind, unit, help)          \
	[COUNTER_##name] = {#name,               \
			    COUNTER_KIND_##kind, \
			    COUNTER_ROLE_RX,     \
			    unit,                \
			    help,                \
			    offsetof(struct rx_counters, name)},
#define CLASSIFIER_SPEC(name, kind, unit, help)      \
	[COUNTER_##name] = {#name,                   \
			    COUNTER_KIND_##kind,     \
			    COUNTER_ROLE_CLASSIFIER, \
			    unit,                    \
			    help,                    \
			    offsetof(struct classifier_counters, name)},
#define AGGREGATOR_SPEC(name, kind, unit, help)      \
	[COUNTER_##name] = {#name,                   \
			    COUNTER_KIND_##kind,     \
			    COUNTER_ROLE_AGGREGATOR, \
			    unit,                    \
			    help,                    \
			    offsetof(struct aggregator_counters, name)},
#define CONTROL_SPEC(name, kind, unit, help)      \
	[COUNTER_##name] = {#name,                \
			    COUNTER_KIND_##kind,  \
			    COUNTER_ROLE_CONTROL, \
			    unit,                 \
			    help,                 \
			    offsetof(struct control_counters, name)},
#define RELOAD_SPEC(name, kind, unit, help)      \
	[COUNTER_##name] = {#name,               \
			    COUNTER_KIND_##kind, \
			    COUNTER_ROLE_RELOAD, \
			    unit,                \
			    help,                \
			    offsetof(struct reload_counters, name)},
#define DERIVED_SPEC(name, kind, unit, help) \
	[COUNTER_##name] = {#name, COUNTER_KIND_##kind, COUNTER_ROLE_DERIVED, unit, help, 0},

const struct counter_spec counter_specs[COUNTER_COUNT] = {
	CGNF_RX_COUNTERS(RX_SPEC) CGNF_CLASSIFIER_COUNTERS(CLASSIFIER_SPEC)
		CGNF_AGGREGATOR_COUNTERS(AGGREGATOR_SPEC) CGNF_CONTROL_COUNTERS(CONTROL_SPEC)
			CGNF_RELOAD_COUNTERS(RELOAD_SPEC) CGNF_DERIVED_COUNTERS(DERIVED_SPEC)};

const char *counter_kind_name(enum counter_kind kind)
{
	return kind == COUNTER_KIND_GAUGE ? "gauge" : "counter";
}

const char *counter_role_name(enum counter_role role)
{
	switch (role) {
	case COUNTER_ROLE_RX:
		return "rx";
	case COUNTER_ROLE_CLASSIFIER:
		return "classifier";
	case COUNTER_ROLE_AGGREGATOR:
		return "aggregator";
	case COUNTER_ROLE_CONTROL:
		return "control";
	case COUNTER_ROLE_RELOAD:
		return "reload";
	case COUNTER_ROLE_DERIVED:
		return "derived";
	}
	return "unknown";
}

void counter_values_add_block(struct counter_values *out, enum counter_role role, const void *block)
{
	unsigned int id, r;

	for (id = 0; id < COUNTER_COUNT; id++) {
		const struct counter_spec *spec = &counter_specs[id];
		uint64_t value;

		if (spec->role != role)
			continue;
		value = counter_read((const uint64_t *)((const char *)block + spec->offset));
		/* The gauges kept as a maximum: the largest of the blocks. */
		if (id == COUNTER_latency_max_ns || id == COUNTER_mark_delay_max_ns)
			out->value[id] = value > out->value[id] ? value : out->value[id];
		else
			out->value[id] += value;
	}
	if (role == COUNTER_ROLE_RX) {
		const struct rx_counters *rx = block;

		for (r = 0; r < DROP_REASON_COUNT; r++)
			out->drops[r] += counter_read(&rx->drops[r]);
	}
	if (role == COUNTER_ROLE_AGGREGATOR) {
		const struct aggregator_counters *aggregator = block;

		for (r = 0; r < LATENCY_BUCKETS; r++)
			out->latency_buckets[r] += counter_read(&aggregator->latency_buckets[r]);
	}
}

void counter_values_derive(struct counter_values *values, uint64_t first_packet_ns,
			   uint64_t last_report_ns)
{
	uint64_t dropped = 0, reports = values->value[COUNTER_reports];

	for (unsigned int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++)
		dropped += values->drops[r];
	values->value[COUNTER_dropped_total] = dropped;
	values->value[COUNTER_elapsed_ns] = first_packet_ns != 0 && last_report_ns > first_packet_ns
						    ? last_report_ns - first_packet_ns
						    : 0;
	values->value[COUNTER_latency_mean_ns] =
		reports != 0 ? values->value[COUNTER_latency_sum_ns] / reports : 0;
	values->value[COUNTER_mark_delay_mean_ns] =
		values->value[COUNTER_mark_delay_count] != 0
			? values->value[COUNTER_mark_delay_sum_ns] /
				  values->value[COUNTER_mark_delay_count]
			: 0;
}
