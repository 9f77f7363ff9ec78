/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The counter registry (app/counters.h), without EAL: every name once,
 * every spec pointing into its role's block, sums and derived values as the
 * renderers will show them.
 */
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "counters.h"
#include "unit_main.h"

static void test_names_unique_and_complete(void)
{
	for (unsigned int a = 0; a < COUNTER_COUNT; a++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(counter_specs[a].name);
		CU_ASSERT(strlen(counter_specs[a].help) > 10);
		CU_ASSERT(strlen(counter_specs[a].unit) > 0);
		/* Telemetry keys: alphanumerics and '_' only. */
		CU_ASSERT_EQUAL(
			strspn(counter_specs[a].name, "abcdefghijklmnopqrstuvwxyz0123456789_"),
			strlen(counter_specs[a].name));
		for (unsigned int b = a + 1; b < COUNTER_COUNT; b++)
			CU_ASSERT(strcmp(counter_specs[a].name, counter_specs[b].name) != 0);
		/* "dropped" is the drop reasons' family, never a plain counter. */
		CU_ASSERT(strcmp(counter_specs[a].name, "dropped") != 0);
	}
}

/* Each spec's offset reads the field of the same name: set one, read it by id. */
static void test_offsets_read_their_field(void)
{
	struct rx_counters rx;
	struct aggregator_counters aggregator;
	struct counter_values values;

	memset(&rx, 0, sizeof(rx));
	memset(&aggregator, 0, sizeof(aggregator));
	rx.reports_enqueued = 7;
	rx.neighbor_unsent = 3;
	aggregator.pairs_evicted = 11;
	aggregator.events_dropped = 13;
	memset(&values, 0, sizeof(values));
	counter_values_add_block(&values, COUNTER_ROLE_RX, &rx);
	counter_values_add_block(&values, COUNTER_ROLE_AGGREGATOR, &aggregator);
	CU_ASSERT_EQUAL(values.value[COUNTER_reports_enqueued], 7);
	CU_ASSERT_EQUAL(values.value[COUNTER_neighbor_unsent], 3);
	CU_ASSERT_EQUAL(values.value[COUNTER_pairs_evicted], 11);
	CU_ASSERT_EQUAL(values.value[COUNTER_events_dropped], 13);
	CU_ASSERT_EQUAL(values.value[COUNTER_rx_packets], 0);
	CU_ASSERT_EQUAL(values.value[COUNTER_classified], 0);
}

/* Blocks of one role add up; the one maximum keeps the largest; drops go by reason. */
static void test_sums_over_lcores(void)
{
	struct rx_counters rx[3];
	struct aggregator_counters aggregator[2];
	struct counter_values values;

	memset(rx, 0, sizeof(rx));
	memset(aggregator, 0, sizeof(aggregator));
	memset(&values, 0, sizeof(values));
	for (unsigned int i = 0; i < 3; i++) {
		rx[i].rx_packets = 100 * (i + 1);
		rx[i].drops[DROP_WRONG_PORT] = i;
		rx[i].drops[DROP_RING_FULL] = 10;
		counter_values_add_block(&values, COUNTER_ROLE_RX, &rx[i]);
	}
	aggregator[0].latency_max_ns = 50;
	aggregator[1].latency_max_ns = 20;
	for (unsigned int i = 0; i < 2; i++)
		counter_values_add_block(&values, COUNTER_ROLE_AGGREGATOR, &aggregator[i]);
	CU_ASSERT_EQUAL(values.value[COUNTER_rx_packets], 600);
	CU_ASSERT_EQUAL(values.drops[DROP_WRONG_PORT], 3);
	CU_ASSERT_EQUAL(values.drops[DROP_RING_FULL], 30);
	CU_ASSERT_EQUAL(values.value[COUNTER_latency_max_ns], 50);
	counter_values_derive(&values, 0, 0);
	CU_ASSERT_EQUAL(values.value[COUNTER_dropped_total], 33);
}

static void test_derived_values(void)
{
	struct counter_values values;

	memset(&values, 0, sizeof(values));
	counter_values_derive(&values, 0, 500);
	CU_ASSERT_EQUAL(values.value[COUNTER_elapsed_ns], 0);	   /* no packet yet */
	CU_ASSERT_EQUAL(values.value[COUNTER_latency_mean_ns], 0); /* no report yet */
	values.value[COUNTER_reports] = 4;
	values.value[COUNTER_latency_sum_ns] = 1000;
	counter_values_derive(&values, 100, 2100);
	CU_ASSERT_EQUAL(values.value[COUNTER_elapsed_ns], 2000);
	CU_ASSERT_EQUAL(values.value[COUNTER_latency_mean_ns], 250);
	counter_values_derive(&values, 3000, 2100); /* a report clock before the first packet */
	CU_ASSERT_EQUAL(values.value[COUNTER_elapsed_ns], 0);
}

static void test_kind_and_role_names(void)
{
	CU_ASSERT_STRING_EQUAL(counter_kind_name(counter_specs[COUNTER_pairs].kind), "gauge");
	CU_ASSERT_STRING_EQUAL(counter_kind_name(counter_specs[COUNTER_reports].kind), "counter");
	CU_ASSERT_STRING_EQUAL(counter_role_name(counter_specs[COUNTER_classified].role),
			       "classifier");
	CU_ASSERT_STRING_EQUAL(counter_role_name(counter_specs[COUNTER_model_reloads].role),
			       "reload");
	CU_ASSERT_STRING_EQUAL(counter_role_name(counter_specs[COUNTER_elapsed_ns].role),
			       "derived");
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"names unique, telemetry-safe, documented", test_names_unique_and_complete},
		{"each offset reads its field", test_offsets_read_their_field},
		{"sums over lcores, maximum, drops by reason", test_sums_over_lcores},
		{"derived values", test_derived_values},
		{"kind and role names", test_kind_and_role_names},
	};

	return unit_run_suite("app_counters", NULL, NULL, tests, UNIT_COUNT(tests));
}
