/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /metrics page (app/metrics_text.c), built with the counter registry
 * itself (app/counters.c): both are plain C, compiled into this program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit_main.h"

#include "../../app/counters.c"
#include "../../app/metrics_text.c"

struct fixture {
	struct counter_values totals;
	struct metrics_lcore lcores[3];
	struct metrics_port ports[1];
	struct metrics_input input;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	for (unsigned int id = 0; id < COUNTER_COUNT; id++)
		f->totals.value[id] = 1000 + id;
	for (unsigned int r = 0; r < DROP_REASON_COUNT; r++)
		f->totals.drops[r] = 10 + r;
	f->lcores[0] =
		(struct metrics_lcore){.lcore_id = 1, .role = COUNTER_ROLE_RX, .role_name = "rx"};
	f->lcores[1] =
		(struct metrics_lcore){.lcore_id = 2, .role = COUNTER_ROLE_RX, .role_name = "rx"};
	f->lcores[2] = (struct metrics_lcore){
		.lcore_id = 3, .role = COUNTER_ROLE_CLASSIFIER, .role_name = "classifier"};
	f->lcores[0].values.value[COUNTER_rx_packets] = 7;
	f->lcores[1].values.value[COUNTER_rx_packets] = 9;
	f->lcores[2].values.value[COUNTER_classified] = 5;
	f->ports[0] = (struct metrics_port){.port_id = 0,
					    .name = "net_pcap0",
					    .link_known = true,
					    .link_up = true,
					    .ipackets = 16,
					    .imissed = 2};
	f->input = (struct metrics_input){
		.totals = &f->totals,
		.lcores = f->lcores,
		.n_lcores = 3,
		.ports = f->ports,
		.n_ports = 1,
		.version = "v1-test",
		.model_checksum = "0123456789abcdef",
		.model_source = "a \"quoted\" source\\with a backslash\nand a newline",
		.model_path = "/models/m.json",
		.model_loaded_at = "2026-11-27T11:43:19.123456+0000",
	};
}

static char *render(const struct fixture *f, enum metrics_format format)
{
	char *text = NULL;
	size_t length = 0;

	CU_ASSERT_EQUAL_FATAL(metrics_render(&f->input, format, &text, &length), 0);
	CU_ASSERT_EQUAL(strlen(text), length);
	return text;
}

/* Whether the page has a line starting with prefix. */
static bool has_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *line = text; line != NULL && *line != '\0';) {
		if (strncmp(line, prefix, n) == 0)
			return true;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return false;
}

static void assert_family(const char *registry_name, const char *expected, bool seconds)
{
	char name[128];
	bool in_seconds = !seconds;

	for (unsigned int id = 0; id < COUNTER_COUNT; id++) {
		if (strcmp(counter_specs[id].name, registry_name) != 0)
			continue;
		CU_ASSERT_EQUAL(
			metrics_family_name(&counter_specs[id], name, sizeof(name), &in_seconds),
			0);
		CU_ASSERT_STRING_EQUAL(name, expected);
		CU_ASSERT_EQUAL(in_seconds, seconds);
		return;
	}
	CU_FAIL("no such counter in the registry");
}

static void test_name_rule(void)
{
	assert_family("reports", "cgnf_reports", false);
	assert_family("pairs", "cgnf_pairs", false);
	assert_family("latency_sum_ns", "cgnf_latency_seconds_sum", true);
	assert_family("latency_max_ns", "cgnf_latency_seconds_max", true);
	assert_family("latency_mean_ns", "cgnf_latency_seconds_mean", true);
	assert_family("elapsed_ns", "cgnf_elapsed_seconds", true);
}

/* Every counter and gauge of the registry, under the name the rule gives, in both formats. */
static void test_every_registered_counter_appears(void)
{
	struct fixture f;

	fixture_init(&f);
	for (int format = 0; format < 2; format++) {
		char *text = render(&f, (enum metrics_format)format);

		for (unsigned int id = 0; id < COUNTER_COUNT; id++) {
			const struct counter_spec *spec = &counter_specs[id];
			char family[128], sample_name[160];
			bool seconds;

			CU_ASSERT_EQUAL(metrics_family_name(spec, family, sizeof(family), &seconds),
					0);
			if (id == COUNTER_dropped_total)
				snprintf(sample_name, sizeof(sample_name),
					 "cgnf_dropped_total{reason=");
			else if (id == COUNTER_latency_sum_ns)
				snprintf(sample_name, sizeof(sample_name), "%s ", family);
			else if (spec->role == COUNTER_ROLE_RX ||
				 spec->role == COUNTER_ROLE_CLASSIFIER)
				snprintf(sample_name, sizeof(sample_name), "%s%s{lcore=", family,
					 spec->kind == COUNTER_KIND_COUNTER ? "_total" : "");
			else
				snprintf(sample_name, sizeof(sample_name), "%s%s ", family,
					 spec->kind == COUNTER_KIND_COUNTER ? "_total" : "");
			if (!has_line(text, sample_name))
				fprintf(stderr, "missing: %s\n", sample_name);
			CU_ASSERT(has_line(text, sample_name));
		}
		free(text);
	}
}

static void test_values(void)
{
	struct fixture f;
	char *text, line[128];

	fixture_init(&f);
	f.totals.value[COUNTER_reports] = 18446744073709551615ull;
	f.totals.value[COUNTER_latency_max_ns] = 1500000000;
	f.totals.value[COUNTER_elapsed_ns] = 2000000001;
	f.totals.value[COUNTER_latency_sum_ns] = 1024;
	text = render(&f, METRICS_FORMAT_PROMETHEUS);
	/* Counts exactly, nanoseconds as exact decimal seconds. */
	CU_ASSERT(has_line(text, "cgnf_reports_total 18446744073709551615\n"));
	CU_ASSERT(has_line(text, "cgnf_latency_seconds_max 1.5\n"));
	CU_ASSERT(has_line(text, "cgnf_elapsed_seconds 2.000000001\n"));
	CU_ASSERT(has_line(text, "cgnf_latency_seconds_sum 0.000001024\n"));
	CU_ASSERT(has_line(text, "cgnf_pairs 1"));
	/* Per lcore, labelled; the role's total is not repeated without labels. */
	CU_ASSERT(has_line(text, "cgnf_rx_packets_total{lcore=\"1\",role=\"rx\"} 7\n"));
	CU_ASSERT(has_line(text, "cgnf_rx_packets_total{lcore=\"2\",role=\"rx\"} 9\n"));
	CU_ASSERT(has_line(text, "cgnf_classified_total{lcore=\"3\",role=\"classifier\"} 5\n"));
	CU_ASSERT(!has_line(text, "cgnf_rx_packets_total "));
	CU_ASSERT(!has_line(text, "cgnf_classified_total{lcore=\"1\""));
	/* Drops by reason, every reason. */
	for (unsigned int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++) {
		snprintf(line, sizeof(line), "cgnf_dropped_total{reason=\"%s\"} %u\n",
			 drop_reason_name(r), 10 + r);
		CU_ASSERT(has_line(text, line));
	}
	CU_ASSERT(has_line(text, "cgnf_port_rx_packets_total{port=\"0\",name=\"net_pcap0\"} 16\n"));
	CU_ASSERT(has_line(text, "cgnf_port_rx_missed_total{port=\"0\",name=\"net_pcap0\"} 2\n"));
	CU_ASSERT(has_line(text, "cgnf_port_link_up{port=\"0\",name=\"net_pcap0\"} 1\n"));
	CU_ASSERT(has_line(text, "cgnf_build_info{version=\"v1-test\"} 1\n"));
	free(text);
}

static void test_histogram(void)
{
	struct fixture f;
	char *text;

	fixture_init(&f);
	f.totals.latency_buckets[0] = 1;
	f.totals.latency_buckets[1] = 2;
	f.totals.latency_buckets[LATENCY_BUCKETS - 1] = 4;
	f.totals.value[COUNTER_latency_sum_ns] = 3000000000ull;
	text = render(&f, METRICS_FORMAT_PROMETHEUS);
	CU_ASSERT(has_line(text, "# TYPE cgnf_latency_seconds histogram\n"));
	CU_ASSERT(has_line(text, "cgnf_latency_seconds_bucket{le=\"0.000001024\"} 1\n"));
	CU_ASSERT(has_line(text, "cgnf_latency_seconds_bucket{le=\"0.000002048\"} 3\n"));
	CU_ASSERT(has_line(text, "cgnf_latency_seconds_bucket{le=\"4.294967296\"} 3\n"));
	CU_ASSERT(has_line(text, "cgnf_latency_seconds_bucket{le=\"+Inf\"} 7\n"));
	CU_ASSERT(has_line(text, "cgnf_latency_seconds_count 7\n"));
	CU_ASSERT(has_line(text, "cgnf_latency_seconds_sum 3\n"));
	free(text);
}

/* Each latency lands in the first bucket whose bound is not below it. */
static void test_latency_buckets(void)
{
	static const uint64_t values[] = {0,	1,    1023,    1024,	   1025,       2047,
					  2048, 2049, 1000000, 4294967296, 4294967297, UINT64_MAX};

	CU_ASSERT_EQUAL(latency_bucket(0), 0);
	CU_ASSERT_EQUAL(latency_bucket(1024), 0);
	CU_ASSERT_EQUAL(latency_bucket(1025), 1);
	CU_ASSERT_EQUAL(latency_bucket(2048), 1);
	CU_ASSERT_EQUAL(latency_bucket(2049), 2);
	CU_ASSERT_EQUAL(latency_bucket(4294967296ull), LATENCY_BUCKETS - 2);
	CU_ASSERT_EQUAL(latency_bucket(4294967297ull), LATENCY_BUCKETS - 1);
	CU_ASSERT_EQUAL(latency_bucket(UINT64_MAX), LATENCY_BUCKETS - 1);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		unsigned int b = latency_bucket(values[i]);

		CU_ASSERT(values[i] <= metrics_latency_bucket_le_ns(b));
		if (b > 0)
			CU_ASSERT(values[i] > metrics_latency_bucket_le_ns(b - 1));
	}
}

static void test_escaping(void)
{
	struct fixture f;
	char *text;

	fixture_init(&f);
	text = render(&f, METRICS_FORMAT_PROMETHEUS);
	CU_ASSERT(has_line(
		text,
		"cgnf_model_info{checksum=\"0123456789abcdef\",source=\"a "
		"\\\"quoted\\\" source\\\\with a backslash\\nand a newline\","
		"path=\"/models/m.json\",loaded_at=\"2026-11-27T11:43:19.123456+0000\"} 1\n"));
	/* No raw newline inside a sample: every line is a comment or a sample. */
	for (const char *line = text; *line != '\0'; line = strchr(line, '\n') + 1)
		CU_ASSERT(line[0] == '#' || strncmp(line, "cgnf_", 5) == 0);
	free(text);
}

static void test_formats(void)
{
	struct fixture f;
	char *prometheus, *openmetrics;
	size_t length;

	fixture_init(&f);
	prometheus = render(&f, METRICS_FORMAT_PROMETHEUS);
	openmetrics = render(&f, METRICS_FORMAT_OPENMETRICS);
	/* Prometheus text names counter families with _total and has no info type. */
	CU_ASSERT(has_line(prometheus, "# TYPE cgnf_reports_total counter\n"));
	CU_ASSERT(has_line(prometheus, "# TYPE cgnf_build_info gauge\n"));
	CU_ASSERT(strstr(prometheus, "# EOF") == NULL);
	CU_ASSERT(strstr(prometheus, "# UNIT") == NULL);
	/* OpenMetrics: the family without _total, info, units, and # EOF last. */
	CU_ASSERT(has_line(openmetrics, "# TYPE cgnf_reports counter\n"));
	CU_ASSERT(has_line(openmetrics, "cgnf_reports_total "));
	CU_ASSERT(has_line(openmetrics, "# TYPE cgnf_build info\n"));
	CU_ASSERT(has_line(openmetrics, "cgnf_build_info{version=\"v1-test\"} 1\n"));
	CU_ASSERT(has_line(openmetrics, "# UNIT cgnf_latency_seconds seconds\n"));
	CU_ASSERT(has_line(openmetrics, "# UNIT cgnf_elapsed_seconds seconds\n"));
	length = strlen(openmetrics);
	CU_ASSERT(length > 6 && strcmp(openmetrics + length - 6, "# EOF\n") == 0);
	free(prometheus);
	free(openmetrics);
}

static void test_negotiate(void)
{
	CU_ASSERT_EQUAL(metrics_negotiate(NULL), METRICS_FORMAT_PROMETHEUS);
	CU_ASSERT_EQUAL(metrics_negotiate("text/plain"), METRICS_FORMAT_PROMETHEUS);
	CU_ASSERT_EQUAL(metrics_negotiate("*/*"), METRICS_FORMAT_PROMETHEUS);
	CU_ASSERT_EQUAL(metrics_negotiate("application/openmetrics-text;version=1.0.0,"
					  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			METRICS_FORMAT_OPENMETRICS);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"registry names: prefix, _ns as _seconds, statistics last", test_name_rule},
		{"every registered counter appears, both formats",
		 test_every_registered_counter_appears},
		{"values: exact counts, exact seconds, labels", test_values},
		{"latency histogram: cumulative buckets, count, sum", test_histogram},
		{"latency buckets: log2 index and bounds agree", test_latency_buckets},
		{"label values and help escaped", test_escaping},
		{"Prometheus text and OpenMetrics differ where they must", test_formats},
		{"Accept header negotiation", test_negotiate},
	};

	return unit_run_suite("metrics_text", NULL, NULL, tests, UNIT_COUNT(tests));
}
