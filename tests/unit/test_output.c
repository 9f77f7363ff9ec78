/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/output.c and lib/events.c: the CSV's exact text (IPv6
 * in canonical form, address order, UNIX times), atomic replacement, the
 * JSON writer's key order, the console table and its totals, and event
 * lines that parse back with the keys log shippers expect.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "events.h"
#include "output.h"
#include "unit_files.h"
#include "unit_main.h"

#define SEED 42
#define SECOND 1000000000ull

static char temp_dir[] = "/tmp/cgnf-test-output-XXXXXX";

/* base_ns 1 s on the table's clock is 1700000000.25 in UNIX time. */
static const struct output_clock test_clock = {.base_ns = SECOND, .unix_at_base = 1700000000.25};

static char *temp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", temp_dir, name);
	return path;
}

static struct ip_pair pair_of(const char *ip1, const char *ip2)
{
	struct ip_pair pair;

	CU_ASSERT_EQUAL(ip_parse(&pair.ip1, ip1, strlen(ip1)), 0);
	CU_ASSERT_EQUAL(ip_parse(&pair.ip2, ip2, strlen(ip2)), 0);
	return pair;
}

static void report(struct pair_table *table, const char *ip1, const char *ip2, unsigned int cg,
		   unsigned int ncg, uint64_t first_ns, uint64_t last_ns)
{
	struct ip_pair pair = pair_of(ip1, ip2);
	uint32_t hash = ip_pair_hash(&pair, SEED);
	unsigned int total = cg + ncg;

	for (unsigned int i = 0; i < total; i++) {
		uint64_t now =
			total > 1 ? first_ns + (last_ns - first_ns) * i / (total - 1) : first_ns;

		pair_table_update(table, &pair, hash, i < cg, now);
	}
}

static struct pair_table *small_table(pair_event_fn on_event, void *ctx)
{
	struct pair_table_config config = {
		.max_pairs = 100,
		.pair_timeout_ns = 0,
		.verdict_window = 4,
		.verdict_min_reports = 2,
		.verdict_threshold = 0.5,
	};

	return pair_table_create(&config, on_event, ctx);
}

static char *read_file(const char *path)
{
	FILE *file = fopen(path, "r");
	char *text;
	long size;

	if (file == NULL)
		return NULL;
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	rewind(file);
	text = calloc(1, (size_t)size + 1);
	if (text != NULL && fread(text, 1, (size_t)size, file) != (size_t)size) {
		free(text);
		text = NULL;
	}
	fclose(file);
	return text;
}

/* Nothing but the named files: no PATH.tmp.PID left behind. */
static unsigned int files_in_temp_dir(void)
{
	DIR *dir = opendir(temp_dir);
	struct dirent *entry;
	unsigned int count = 0;

	if (dir == NULL)
		return 0;
	while ((entry = readdir(dir)) != NULL)
		if (entry->d_name[0] != '.') {
			CU_ASSERT_PTR_NULL(strstr(entry->d_name, ".tmp."));
			count++;
		}
	closedir(dir);
	return count;
}

static void test_timestamps(void)
{
	char text[OUTPUT_TIMESTAMP_MAX];

	CU_ASSERT_EQUAL(output_unix_ns(&test_clock, SECOND), 1700000000250000000ll);
	CU_ASSERT_EQUAL(output_unix_ns(&test_clock, 3 * SECOND + 7), 1700000002250000007ll);
	CU_ASSERT_EQUAL(output_unix_ns(&test_clock, SECOND / 2), 1699999999750000000ll);
	output_format_timestamp(1795778599123456789ll, text);
	CU_ASSERT_STRING_EQUAL(text, "2026-11-27T11:23:19.123456+0000");
	output_format_timestamp(0, text);
	CU_ASSERT_STRING_EQUAL(text, "1970-01-01T00:00:00.000000+0000");
}

static void test_csv_exact(void)
{
	struct pair_table *table = small_table(NULL, NULL);
	char err[256] = "", *text;
	const char *expected =
		"ip1,ip2,cg,ncg,ratio,verdict,window_reports,window_cg,first_seen,last_seen\n"
		"::1,::2,0,1,0.000000,unknown,1,0,1700000000.250000,1700000000.250000\n"
		"10.0.0.2,8.8.8.8,1,2,0.333333,ncg,3,1,1700000001.250000,1700000003.250000\n"
		"192.168.7.21,203.0.113.5,170,1,0.994152,cg,4,3,1700000001.250001,"
		"1700000002.750000\n"
		"192.168.7.27,198.51.100.229,2,0,1.000000,cg,2,2,1700000000.250000,"
		"1700000000.250000\n"
		"2001:db8::1,2001:db8:0:1::,2,2,0.500000,cg,4,2,1700000000.250000,"
		"1700000001.250000\n"
		"fe80::1:0:0:1,::ffff:0:102:304,0,3,0.000000,ncg,3,0,1700000000.250000,"
		"1700000000.250000\n";

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	/* Reported in no particular order; the CSV is in address order. */
	report(table, "192.168.7.27", "198.51.100.229", 2, 0, SECOND, SECOND);
	report(table, "fe80:0:0:0:1:0:0:1", "::ffff:0:0102:0304", 0, 3, SECOND, SECOND);
	report(table, "10.0.0.2", "8.8.8.8", 1, 2, 2 * SECOND, 4 * SECOND);
	report(table, "192.168.7.21", "203.0.113.5", 170, 1, 2 * SECOND + 1000,
	       3 * SECOND + SECOND / 2);
	report(table, "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:DB8:0:1::", 2, 2, SECOND,
	       2 * SECOND);
	report(table, "::1", "::2", 0, 1, SECOND, SECOND);
	CU_ASSERT_EQUAL(
		output_write_csv(table, &test_clock, temp_path("pairs.csv"), err, sizeof(err)), 0);
	text = read_file(temp_path("pairs.csv"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	if (strcmp(text, expected) != 0)
		fprintf(stderr, "\ngot:\n%swant:\n%s", text, expected);
	CU_ASSERT_STRING_EQUAL(text, expected);
	free(text);
	unlink(temp_path("pairs.csv"));
	pair_table_free(table);
}

static void test_csv_empty_table(void)
{
	struct pair_table *table = small_table(NULL, NULL);
	char err[256], *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	CU_ASSERT_EQUAL(
		output_write_csv(table, &test_clock, temp_path("empty.csv"), err, sizeof(err)), 0);
	text = read_file(temp_path("empty.csv"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(
		text,
		"ip1,ip2,cg,ncg,ratio,verdict,window_reports,window_cg,first_seen,last_seen\n");
	free(text);
	unlink(temp_path("empty.csv"));
	pair_table_free(table);
}

static int write_hello(FILE *file, void *ctx)
{
	fputs("hello\n", file);
	return 0;
}

static int write_then_fail(FILE *file, void *ctx)
{
	fputs("half", file);
	return -ENOSPC;
}

static void test_atomic_replace(void)
{
	const char *path = temp_path("out.txt");
	char err[256] = "", *text;

	write_text_file(path, "old content\n");
	CU_ASSERT_EQUAL(output_write_atomic(path, write_hello, NULL, err, sizeof(err)), 0);
	text = read_file(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "hello\n");
	free(text);
	CU_ASSERT_EQUAL(files_in_temp_dir(), 1);

	/* A failed write leaves the old file whole and no temporary file. */
	CU_ASSERT_EQUAL(output_write_atomic(path, write_then_fail, NULL, err, sizeof(err)),
			-ENOSPC);
	CU_ASSERT(strstr(err, path) != NULL);
	text = read_file(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "hello\n");
	free(text);
	CU_ASSERT_EQUAL(files_in_temp_dir(), 1);
	unlink(path);

	/* A directory that does not exist: the reason names the file. */
	path = temp_path("missing/out.txt");
	CU_ASSERT_EQUAL(output_write_atomic(path, write_hello, NULL, err, sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, "missing/out.txt") != NULL);
	CU_ASSERT_EQUAL(files_in_temp_dir(), 0);
}

static void test_json_keeps_key_order(void)
{
	const char *path = temp_path("stats.json");
	json_t *stats = json_object(), *back;
	char err[256] = "", *text;

	json_object_set_new(stats, "rx_packets", json_integer(10));
	json_object_set_new(stats, "drops", json_object());
	json_object_set_new(stats, "elapsed_s", json_real(1.5));
	write_text_file(path, "{}");
	CU_ASSERT_EQUAL(output_write_json(path, stats, err, sizeof(err)), 0);
	text = read_file(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(
		text, "{\n  \"rx_packets\": 10,\n  \"drops\": {},\n  \"elapsed_s\": 1.5\n}\n");
	back = json_loads(text, 0, NULL);
	CU_ASSERT(json_equal(back, stats));
	json_decref(back);
	json_decref(stats);
	free(text);
	unlink(path);
	CU_ASSERT_EQUAL(files_in_temp_dir(), 0);
}

static char *print_to_text(const struct pair_table *table, const struct output_totals *totals)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (out == NULL)
		return NULL;
	output_print_table(table, out, totals);
	fclose(out);
	return text;
}

static void test_console_table(void)
{
	struct pair_table *table = small_table(NULL, NULL);
	struct output_totals totals = {.reports = 178, .rx_packets = 181, .elapsed_s = 2.0};
	struct ip_pair pair = pair_of("192.168.7.21", "203.0.113.5");
	char expected_row[128], *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	report(table, "192.168.7.21", "203.0.113.5", 170, 1, SECOND, SECOND);
	report(table, "192.168.7.27", "198.51.100.229", 2, 5, SECOND, SECOND);
	totals.drops[DROP_REPORT_TRUNCATED] = 2;
	totals.drops[DROP_WRONG_PORT] = 1;
	text = print_to_text(table, &totals);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	snprintf(expected_row, sizeof(expected_row),
		 "%08x  192.168.7.21    203.0.113.5       170       1  0.994152  cg\n",
		 ip_pair_hash(&pair, SEED));
	/* Address columns as wide as the longest, 198.51.100.229. */
	CU_ASSERT_EQUAL(
		strncmp(text,
			"HASH      IP1             IP2             NB CG  NB NCG  RATIO     "
			"VERDICT\n",
			strlen("HASH      IP1             IP2             NB CG  NB NCG  "
			       "RATIO     VERDICT\n")),
		0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, expected_row));
	CU_ASSERT(strstr(text, "192.168.7.21") < strstr(text, "192.168.7.27"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nreports      178\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nrx packets   181\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\npairs        2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nCG pairs     1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nreports/s    89.0 (2.000 s)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\ndrops        3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  report_truncated           2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  wrong_port                 1\n"));
	CU_ASSERT_PTR_NULL(strstr(text, "ring_full")); /* zero reasons are not listed */
	free(text);
	pair_table_free(table);
}

/* 60 pairs, pair n with n + 1 reports: the 50 busiest are listed. */
static void test_console_table_top_rows(void)
{
	struct pair_table *table = small_table(NULL, NULL);
	char ip[32], *text;
	unsigned int lines = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	for (unsigned int n = 0; n < 60; n++) {
		snprintf(ip, sizeof(ip), "10.0.0.%u", n);
		report(table, ip, "1.1.1.1", n + 1, 0, SECOND, SECOND);
	}
	text = print_to_text(table, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (const char *c = text; *c != '\0'; c++)
		lines += *c == '\n';
	CU_ASSERT_EQUAL(lines, 1 + OUTPUT_TABLE_ROWS_MAX + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "... and 10 more pairs"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "10.0.0.59 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "10.0.0.10 "));
	CU_ASSERT_PTR_NULL(strstr(text, "10.0.0.9 "));
	CU_ASSERT_PTR_NULL(strstr(text, "\nreports")); /* no totals asked */
	/* Listed in address order, not by reports. */
	CU_ASSERT(strstr(text, "10.0.0.10 ") < strstr(text, "10.0.0.11 "));
	CU_ASSERT(strstr(text, "10.0.0.11 ") < strstr(text, "10.0.0.59 "));
	free(text);
	pair_table_free(table);
}

static const char *cgnf_string(json_t *line, const char *key)
{
	return json_string_value(json_object_get(json_object_get(line, "cgnf"), key));
}

static json_int_t cgnf_integer(json_t *line, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(line, "cgnf"), key));
}

static void check_event_keys(json_t *line)
{
	static const char *const top[] = {"timestamp", "event_type", "src_ip", "dest_ip", "cgnf"};
	static const char *const inner[] = {
		"event", "verdict",	   "previous_verdict", "cg",	     "ncg",
		"ratio", "window_reports", "window_cg",	       "first_seen", "last_seen"};
	const char *timestamp = json_string_value(json_object_get(line, "timestamp"));

	CU_ASSERT_EQUAL(json_object_size(line), 5);
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(json_object_get(line, top[i]));
	CU_ASSERT_EQUAL(json_object_size(json_object_get(line, "cgnf")), 10);
	for (size_t i = 0; i < sizeof(inner) / sizeof(inner[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(line, "cgnf"), inner[i]));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(line, "event_type")), "cgnf");
	CU_ASSERT_PTR_NOT_NULL_FATAL(timestamp);
	CU_ASSERT_EQUAL(strlen(timestamp), 31);
	CU_ASSERT_EQUAL(timestamp[10], 'T');
	CU_ASSERT_STRING_EQUAL(timestamp + 26, "+0000");
}

static void test_event_lines(void)
{
	const char *path = temp_path("events.json");
	struct events *events = events_open(path, &test_clock);
	struct pair_table *table;
	json_t *lines[8];
	unsigned int count = 0;
	char *text, *line, *save = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(events);
	table = small_table(events_write, events);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	/* unknown -> cg at the 2nd report (min_reports), cg -> ncg at the 5th. */
	report(table, "192.168.7.21", "2001:db8::1", 2, 0, SECOND, 2 * SECOND);
	report(table, "192.168.7.21", "2001:db8::1", 0, 3, 3 * SECOND, 5 * SECOND);
	CU_ASSERT_EQUAL(events_flush(events), 0);
	CU_ASSERT_EQUAL(events_written(events), 2);
	pair_table_free(table);
	CU_ASSERT_EQUAL(events_close(events), 0);

	text = read_file(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (line = strtok_r(text, "\n", &save); line != NULL && count < 8;
	     line = strtok_r(NULL, "\n", &save)) {
		json_error_t error;

		lines[count] = json_loads(line, 0, &error);
		CU_ASSERT_PTR_NOT_NULL_FATAL(lines[count]);
		check_event_keys(lines[count]);
		count++;
	}
	CU_ASSERT_EQUAL_FATAL(count, 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(lines[0], "src_ip")),
			       "192.168.7.21");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(lines[0], "dest_ip")),
			       "2001:db8::1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(lines[0], "timestamp")),
			       "2023-11-14T22:13:21.250000+0000");
	CU_ASSERT_STRING_EQUAL(cgnf_string(lines[0], "event"), "verdict");
	CU_ASSERT_STRING_EQUAL(cgnf_string(lines[0], "verdict"), "cg");
	CU_ASSERT_STRING_EQUAL(cgnf_string(lines[0], "previous_verdict"), "unknown");
	CU_ASSERT_EQUAL(cgnf_integer(lines[0], "cg"), 2);
	CU_ASSERT_EQUAL(cgnf_integer(lines[0], "window_reports"), 2);
	CU_ASSERT_STRING_EQUAL(cgnf_string(lines[0], "first_seen"),
			       "2023-11-14T22:13:20.250000+0000");
	/* 2 CG then 2 non-CG: half is still CG; the 5th report makes it ncg. */
	CU_ASSERT_STRING_EQUAL(cgnf_string(lines[1], "verdict"), "ncg");
	CU_ASSERT_STRING_EQUAL(cgnf_string(lines[1], "previous_verdict"), "cg");
	CU_ASSERT_EQUAL(cgnf_integer(lines[1], "ncg"), 3);
	CU_ASSERT_EQUAL(cgnf_integer(lines[1], "window_cg"), 1);
	CU_ASSERT_DOUBLE_EQUAL(
		json_real_value(json_object_get(json_object_get(lines[1], "cgnf"), "ratio")), 0.4,
		1e-9);
	CU_ASSERT_STRING_EQUAL(cgnf_string(lines[1], "last_seen"),
			       "2023-11-14T22:13:24.250000+0000");
	for (unsigned int i = 0; i < count; i++)
		json_decref(lines[i]);
	free(text);
	unlink(path);
}

static void test_expiry_and_eviction_events(void)
{
	const char *path = temp_path("events.json");
	struct pair_table_config config = {
		.max_pairs = 1,
		.pair_timeout_ns = SECOND,
		.verdict_window = 4,
		.verdict_min_reports = 4,
		.verdict_threshold = 0.5,
	};
	struct events *events;
	struct pair_table *table;
	char *text, *second;
	json_t *line;

	write_text_file(path, "{\"kept\":true}\n"); /* appended to, not replaced */
	events = events_open(path, &test_clock);
	CU_ASSERT_PTR_NOT_NULL_FATAL(events);
	table = pair_table_create(&config, events_write, events);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	report(table, "10.0.0.1", "10.0.0.2", 1, 0, SECOND, SECOND);
	report(table, "10.0.0.3", "10.0.0.4", 1, 0, 2 * SECOND, 2 * SECOND); /* evicts */
	CU_ASSERT_EQUAL(pair_table_expire(table, 4 * SECOND, UINT32_MAX), 1);
	pair_table_free(table);
	CU_ASSERT_EQUAL(events_close(events), 0);

	text = read_file(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(strncmp(text, "{\"kept\":true}\n", 14), 0);
	line = json_loadb(text + 14, strcspn(text + 14, "\n"), 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	check_event_keys(line);
	CU_ASSERT_STRING_EQUAL(cgnf_string(line, "event"), "evicted");
	CU_ASSERT_STRING_EQUAL(cgnf_string(line, "verdict"), "unknown");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(line, "src_ip")), "10.0.0.1");
	json_decref(line);
	second = strchr(text + 14, '\n');
	CU_ASSERT_PTR_NOT_NULL_FATAL(second);
	line = json_loads(second + 1, JSON_DISABLE_EOF_CHECK, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_STRING_EQUAL(cgnf_string(line, "event"), "expired");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(line, "src_ip")), "10.0.0.3");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(line, "timestamp")),
			       "2023-11-14T22:13:23.250000+0000");
	json_decref(line);
	free(text);
	unlink(path);

	errno = 0;
	CU_ASSERT_PTR_NULL(events_open(temp_path("missing/events.json"), &test_clock));
	CU_ASSERT_EQUAL(errno, ENOENT);
	events = events_open("-", &test_clock);
	CU_ASSERT_PTR_NOT_NULL_FATAL(events);
	CU_ASSERT_EQUAL(events_close(events), 0);
	CU_ASSERT_NOT_EQUAL(fflush(stdout), EOF); /* stdout stays open */
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"clock and timestamps", test_timestamps},
		{"CSV text, exactly", test_csv_exact},
		{"CSV of an empty table", test_csv_empty_table},
		{"atomic replacement", test_atomic_replace},
		{"JSON keeps key order", test_json_keeps_key_order},
		{"console table and totals", test_console_table},
		{"console table lists the busiest", test_console_table_top_rows},
		{"event lines parse back", test_event_lines},
		{"expiry and eviction events", test_expiry_and_eviction_events},
	};
	int status;

	if (mkdtemp(temp_dir) == NULL)
		return 1;
	status = unit_run_suite("output", NULL, NULL, tests, UNIT_COUNT(tests));
	rmdir(temp_dir);
	return status;
}
