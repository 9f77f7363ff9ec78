/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/output.c and lib/events.c: the CSV's exact text (IPv6
 * in canonical form, address order, UNIX times), atomic replacement, the
 * JSON writer's key order, the console table and its totals, and event
 * lines that parse back with the keys log shippers expect.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "events.h"
#include "output.h"
#include "unit_files.h"
#include "unit_main.h"
#include "unit_nodes.h"

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

		pair_table_update(table, &pair, hash, i < cg, now, now);
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

/* The CSV of every pair of the table, as a sink writes it from a snapshot. */
static int write_table_csv(const struct pair_table *table, const char *path, char *err,
			   size_t err_size)
{
	struct pair_rows rows;
	int rc = output_collect_rows(table, &rows);

	if (rc != 0)
		return rc;
	rc = output_write_csv(&rows, &test_clock, "0123456789ab", "00c0ffee00c0ffee", path, err,
			      err_size);
	free(rows.items);
	return rc;
}

static void test_csv_exact(void)
{
	struct pair_table *table = small_table(NULL, NULL);
	char err[256] = "", *text;
	const char *expected =
		"ip1,ip2,cg,ncg,ratio,verdict,window_reports,window_cg,first_seen,last_seen,model,"
		"run\n"
		"::1,::2,0,1,0.000000,unknown,1,0,1700000000.250000,1700000000.250000,"
		"0123456789ab,00c0ffee00c0ffee\n"
		"10.0.0.2,8.8.8.8,1,2,0.333333,ncg,3,1,1700000001.250000,1700000003.250000,"
		"0123456789ab,00c0ffee00c0ffee\n"
		"192.168.7.21,203.0.113.5,170,1,0.994152,cg,4,3,1700000001.250001,"
		"1700000002.750000,0123456789ab,00c0ffee00c0ffee\n"
		"192.168.7.27,198.51.100.229,2,0,1.000000,cg,2,2,1700000000.250000,"
		"1700000000.250000,0123456789ab,00c0ffee00c0ffee\n"
		"2001:db8::1,2001:db8:0:1::,2,2,0.500000,cg,4,2,1700000000.250000,"
		"1700000001.250000,0123456789ab,00c0ffee00c0ffee\n"
		"fe80::1:0:0:1,::ffff:0:102:304,0,3,0.000000,ncg,3,0,1700000000.250000,"
		"1700000000.250000,0123456789ab,00c0ffee00c0ffee\n";

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
	CU_ASSERT_EQUAL(write_table_csv(table, temp_path("pairs.csv"), err, sizeof(err)), 0);
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
	CU_ASSERT_EQUAL(write_table_csv(table, temp_path("empty.csv"), err, sizeof(err)), 0);
	text = read_file(temp_path("empty.csv"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "ip1,ip2,cg,ncg,ratio,verdict,window_reports,window_cg,first_"
				     "seen,last_seen,model,run\n");
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
	struct pair_rows rows;
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	if (output_collect_rows(table, &rows) != 0)
		return NULL;
	out = open_memstream(&text, &size);
	if (out != NULL) {
		output_print_table(&rows, out, totals);
		fclose(out);
	}
	free(rows.items);
	return text;
}

static void test_console_table(void)
{
	struct pair_table *table = small_table(NULL, NULL);
	struct output_totals totals = {
		.reports = 178, .rx_packets = 181, .pairs = 2, .cg_pairs = 1, .elapsed_s = 2.0};
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
	/* Plus "run" when the writer was given one. */
	CU_ASSERT_EQUAL(json_object_size(json_object_get(line, "cgnf")),
			10 + (json_object_get(json_object_get(line, "cgnf"), "run") != NULL));
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
	events_set_run(events, "00c0ffee00c0ffee");
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
	CU_ASSERT_STRING_EQUAL(cgnf_string(lines[0], "run"), "00c0ffee00c0ffee");
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

/* A symlink is followed: its target is replaced, the link stays a link. */
static void test_atomic_through_symlink(void)
{
	char err[256] = "", *text, target[256];
	struct stat st;
	ssize_t len;

	CU_ASSERT_EQUAL_FATAL(mkdir(temp_path("sub"), 0755), 0);
	write_text_file(temp_path("sub/real.csv"), "old\n");
	CU_ASSERT_EQUAL(chmod(temp_path("sub/real.csv"), 0640), 0);
	CU_ASSERT_EQUAL(symlink("sub/real.csv", temp_path("link.csv")), 0);
	CU_ASSERT_EQUAL(
		output_write_atomic(temp_path("link.csv"), write_hello, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(node_type(temp_path("link.csv")), S_IFLNK);
	len = readlink(temp_path("link.csv"), target, sizeof(target) - 1);
	CU_ASSERT_EQUAL(len, (ssize_t)strlen("sub/real.csv"));
	CU_ASSERT_EQUAL(strncmp(target, "sub/real.csv", strlen("sub/real.csv")), 0);
	text = read_file(temp_path("sub/real.csv"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "hello\n");
	free(text);
	/* The new file keeps the old one's permissions. */
	CU_ASSERT_EQUAL(stat(temp_path("sub/real.csv"), &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0640);
	/* The temporary file was made beside the target, and is gone. */
	CU_ASSERT_EQUAL(files_in_temp_dir(), 2);
	CU_ASSERT_PTR_NULL(strstr(err, "tmp"));

	/* A dangling symlink: the file it names is created, the link stays. */
	CU_ASSERT_EQUAL(symlink("sub/created.csv", temp_path("dangling.csv")), 0);
	CU_ASSERT_EQUAL(
		output_write_atomic(temp_path("dangling.csv"), write_hello, NULL, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(node_type(temp_path("dangling.csv")), S_IFLNK);
	text = read_file(temp_path("sub/created.csv"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "hello\n");
	free(text);

	/* ... unless its directory is missing: nothing is created. */
	CU_ASSERT_EQUAL(symlink("nodir/x.csv", temp_path("nowhere.csv")), 0);
	CU_ASSERT_EQUAL(
		output_write_atomic(temp_path("nowhere.csv"), write_hello, NULL, err, sizeof(err)),
		-ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nowhere.csv"));
	CU_ASSERT_EQUAL(node_type(temp_path("nowhere.csv")), S_IFLNK);

	unlink(temp_path("nowhere.csv"));
	unlink(temp_path("dangling.csv"));
	unlink(temp_path("sub/created.csv"));
	unlink(temp_path("link.csv"));
	unlink(temp_path("sub/real.csv"));
	CU_ASSERT_EQUAL(rmdir(temp_path("sub")), 0); /* no temporary file left in sub/ */
}

/* What an atomic write refuses to replace is still there, unchanged, after it. */
static void check_not_replaced(const char *name, mode_t type, const char *reason)
{
	char err[256] = "";

	CU_ASSERT(output_write_atomic(temp_path(name), write_hello, NULL, err, sizeof(err)) < 0);
	CU_ASSERT_EQUAL(node_type(temp_path(name)), type);
	if (strstr(err, temp_path(name)) == NULL || strstr(err, reason) == NULL) {
		fprintf(stderr, "\n%s: '%s' lacks the path or '%s'\n", name, err, reason);
		CU_FAIL("the error names the path and the reason");
	}
}

static void test_atomic_refuses_special_files(void)
{
	char err[256] = "";

	if (make_char_device(temp_path("null"))) {
		check_not_replaced("null", S_IFCHR, "character device");
		unlink(temp_path("null"));
	}
	make_fifo(temp_path("fifo"));
	check_not_replaced("fifo", S_IFIFO, "FIFO");
	/* Through a symlink: neither the link nor the FIFO is replaced. */
	CU_ASSERT_EQUAL(symlink("fifo", temp_path("to-fifo")), 0);
	check_not_replaced("to-fifo", S_IFLNK, "FIFO");
	CU_ASSERT_EQUAL(node_type(temp_path("fifo")), S_IFIFO);
	make_socket_file(temp_path("sock"));
	check_not_replaced("sock", S_IFSOCK, "socket");
	CU_ASSERT_EQUAL(mkdir(temp_path("dir"), 0755), 0);
	check_not_replaced("dir", S_IFDIR, "directory");
	CU_ASSERT_EQUAL(output_write_atomic(temp_path("dir"), write_hello, NULL, err, sizeof(err)),
			-EISDIR);
	rmdir(temp_path("dir"));
	unlink(temp_path("sock"));
	unlink(temp_path("to-fifo"));
	unlink(temp_path("fifo"));
	CU_ASSERT_EQUAL(files_in_temp_dir(), 0);
}

/*
 * A process file size limit turns a write past max_bytes into EFBIG (SIGXFSZ
 * ignored): a disk that fills up, for a regular file.  restore_file_size
 * lifts it again.
 */
static struct rlimit saved_file_size;

static void limit_file_size(rlim_t max_bytes)
{
	struct rlimit limit;

	signal(SIGXFSZ, SIG_IGN);
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &saved_file_size), 0);
	limit = saved_file_size;
	limit.rlim_cur = max_bytes;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &limit), 0);
}

static void restore_file_size(void)
{
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_FSIZE, &saved_file_size), 0);
	signal(SIGXFSZ, SIG_DFL);
}

/* The errno of the failing write, not EIO: here EFBIG, as ENOSPC on a full disk. */
static void test_atomic_write_error_is_true_errno(void)
{
	struct pair_table *table = small_table(NULL, NULL);
	json_t *big = json_array();
	char err[256] = "", ip[32], *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	for (unsigned int n = 0; n < 100; n++) {
		snprintf(ip, sizeof(ip), "10.0.0.%u", n);
		report(table, ip, "198.51.100.1", 1, 1, SECOND, 2 * SECOND);
		json_array_append_new(big, json_string("a string of some length, repeated"));
	}
	write_text_file(temp_path("pairs.csv"), "old\n");
	write_text_file(temp_path("stats.json"), "{}\n");
	limit_file_size(1000);
	CU_ASSERT_EQUAL(write_table_csv(table, temp_path("pairs.csv"), err, sizeof(err)), -EFBIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "File too large"));
	CU_ASSERT_EQUAL(output_write_json(temp_path("stats.json"), big, err, sizeof(err)), -EFBIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "File too large"));
	restore_file_size();
	/* The old files are whole and no temporary file is left. */
	text = read_file(temp_path("pairs.csv"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "old\n");
	free(text);
	CU_ASSERT_EQUAL(files_in_temp_dir(), 2);
	unlink(temp_path("pairs.csv"));
	unlink(temp_path("stats.json"));
	json_decref(big);
	pair_table_free(table);
}

/* count pairs 10.0.0.(100+n) - 10.1.0.(100+n), each one event (unknown -> cg). */
static void emit_events(struct events *events, unsigned int count)
{
	struct pair_table_config config = {
		.max_pairs = 1000,
		.verdict_window = 4,
		.verdict_min_reports = 2,
		.verdict_threshold = 0.5,
	};
	struct pair_table *table = pair_table_create(&config, events_write, events);
	char ip1[32], ip2[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	for (unsigned int n = 0; n < count; n++) {
		snprintf(ip1, sizeof(ip1), "10.0.%u.%u", n / 100, 100 + n % 100);
		snprintf(ip2, sizeof(ip2), "10.1.%u.%u", n / 100, 100 + n % 100);
		report(table, ip1, ip2, 2, 0, SECOND, 2 * SECOND);
	}
	pair_table_free(table);
}

/* --events /dev/full: ENOSPC (not EIO), every line counted as lost. */
static void test_events_device_full(void)
{
	struct events *events = events_open("/dev/full", &test_clock);

	CU_ASSERT_PTR_NOT_NULL_FATAL(events);
	emit_events(events, 400); /* about 150 kB: more than the buffer */
	CU_ASSERT_EQUAL(events_flush(events), -ENOSPC);
	CU_ASSERT_EQUAL(events_written(events), 0);
	CU_ASSERT_EQUAL(events_lost(events), 400);
	CU_ASSERT_EQUAL(events_error(events), -ENOSPC);
	emit_events(events, 3); /* still failing: counted, the first error kept */
	CU_ASSERT_EQUAL(events_flush(events), -ENOSPC);
	CU_ASSERT_EQUAL(events_lost(events), 403);
	CU_ASSERT_EQUAL(events_close(events), -ENOSPC);
}

/* "-" when stdout is /dev/full. */
static void test_events_stdout_full(void)
{
	int full = open("/dev/full", O_WRONLY), saved = dup(STDOUT_FILENO);
	struct events *events;

	CU_ASSERT_FATAL(full >= 0 && saved >= 0);
	fflush(stdout);
	dup2(full, STDOUT_FILENO);
	events = events_open("-", &test_clock);
	CU_ASSERT_PTR_NOT_NULL(events);
	if (events != NULL) {
		emit_events(events, 2);
		CU_ASSERT_EQUAL(events_flush(events), -ENOSPC);
		CU_ASSERT_EQUAL(events_lost(events), 2);
		CU_ASSERT_EQUAL(events_close(events), -ENOSPC);
	}
	dup2(saved, STDOUT_FILENO);
	clearerr(stdout);
	close(saved);
	close(full);
}

/* A write that stops mid-line: whole lines are counted written, the rest lost. */
static void test_events_partial_write(void)
{
	const char *path = temp_path("events.json");
	struct events *events = events_open(path, &test_clock);
	unsigned int lines = 0, parsed = 0;
	char *text, *line, *save = NULL;
	size_t line_size;

	CU_ASSERT_PTR_NOT_NULL_FATAL(events);
	limit_file_size(1000);
	emit_events(events, 10); /* lines of one length: same-length addresses */
	CU_ASSERT_EQUAL(events_flush(events), -EFBIG);
	restore_file_size();
	text = read_file(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL_FATAL(strlen(text), 1000);
	line_size = (size_t)(strchr(text, '\n') - text) + 1;
	free(text);
	CU_ASSERT_EQUAL(events_written(events), 1000 / line_size);
	CU_ASSERT_EQUAL(events_lost(events), 10 - 1000 / line_size);
	CU_ASSERT_EQUAL(events_error(events), -EFBIG);

	/* Once there is room again, the cut line is ended and new lines follow whole. */
	emit_events(events, 1);
	CU_ASSERT_EQUAL(events_flush(events), 0);
	CU_ASSERT_EQUAL(events_written(events), 1000 / line_size + 1);
	CU_ASSERT_EQUAL(events_close(events), -EFBIG); /* the first error, for the exit code */
	text = read_file(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_t *json = json_loads(line, 0, NULL);

		lines++;
		parsed += json != NULL;
		json_decref(json);
	}
	CU_ASSERT_EQUAL(lines, 1000 / line_size + 2); /* whole, cut, new */
	CU_ASSERT_EQUAL(parsed, 1000 / line_size + 1);
	free(text);
	unlink(path);
}

static unsigned int count_lines(const char *path)
{
	char *text = read_file(path);
	unsigned int lines = 0;

	if (text == NULL)
		return 0;
	for (const char *c = text; *c != '\0'; c++)
		lines += *c == '\n';
	free(text);
	return lines;
}

/* logrotate: rename the file, reopen, and new lines go to a new file at the path. */
static void test_events_reopen(void)
{
	char path[256], rotated[256], elsewhere[256];
	struct events *events;

	/* temp_path's buffer is static: one path at a time. */
	snprintf(path, sizeof(path), "%s", temp_path("rot/events.json"));
	snprintf(rotated, sizeof(rotated), "%s", temp_path("rot/events.json.1"));
	snprintf(elsewhere, sizeof(elsewhere), "%s", temp_path("events.json.2"));
	CU_ASSERT_EQUAL_FATAL(mkdir(temp_path("rot"), 0755), 0);
	events = events_open(path, &test_clock);
	CU_ASSERT_PTR_NOT_NULL_FATAL(events);
	emit_events(events, 2);
	CU_ASSERT_EQUAL(events_flush(events), 0);
	CU_ASSERT_EQUAL(rename(path, rotated), 0);
	emit_events(events, 1); /* buffered before the reopen: goes to the old file */
	CU_ASSERT_EQUAL(events_reopen(events), 0);
	emit_events(events, 3);
	CU_ASSERT_EQUAL(events_flush(events), 0);
	CU_ASSERT_EQUAL(count_lines(rotated), 3);
	CU_ASSERT_EQUAL(count_lines(path), 3);

	/* A reopen that fails keeps the old file: nothing is lost, the error is returned. */
	CU_ASSERT_EQUAL(rename(path, elsewhere), 0);
	CU_ASSERT_EQUAL(rmdir(temp_path("rot")), -1); /* events.json.1 is still there */
	unlink(rotated);
	CU_ASSERT_EQUAL(rmdir(temp_path("rot")), 0);
	CU_ASSERT_EQUAL(events_reopen(events), -ENOENT);
	emit_events(events, 1);
	CU_ASSERT_EQUAL(events_flush(events), 0);
	CU_ASSERT_EQUAL(count_lines(elsewhere), 4);
	CU_ASSERT_EQUAL(events_written(events), 7);
	CU_ASSERT_EQUAL(events_lost(events), 0);
	CU_ASSERT_EQUAL(events_close(events), 0);
	unlink(elsewhere);

	events = events_open("-", &test_clock);
	CU_ASSERT_PTR_NOT_NULL_FATAL(events);
	CU_ASSERT_EQUAL(events_reopen(events), 0);
	CU_ASSERT_EQUAL(events_close(events), 0);
	CU_ASSERT_EQUAL(files_in_temp_dir(), 0);
}

/* A FIFO with a reader gets the lines; without one, the open fails at once (no hang). */
static void test_events_fifo(void)
{
	const char *path = temp_path("events.fifo");
	struct events *events;
	char buffer[4096];
	ssize_t got;
	int reader;

	make_fifo(path);
	errno = 0;
	CU_ASSERT_PTR_NULL(events_open(path, &test_clock));
	CU_ASSERT_EQUAL(errno, ENXIO);
	reader = open(path, O_RDONLY | O_NONBLOCK);
	CU_ASSERT_FATAL(reader >= 0);
	events = events_open(path, &test_clock);
	CU_ASSERT_PTR_NOT_NULL_FATAL(events);
	emit_events(events, 2);
	CU_ASSERT_EQUAL(events_flush(events), 0);
	CU_ASSERT_EQUAL(events_written(events), 2);
	got = read(reader, buffer, sizeof(buffer) - 1);
	CU_ASSERT_FATAL(got > 0);
	buffer[got] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(buffer, "\"src_ip\":\"10.0.0.100\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buffer, "\"src_ip\":\"10.0.0.101\""));
	CU_ASSERT_EQUAL(events_close(events), 0);
	close(reader);
	unlink(path);
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
		{"atomic write through a symlink", test_atomic_through_symlink},
		{"atomic write refuses devices, FIFOs, sockets", test_atomic_refuses_special_files},
		{"atomic write errors carry the true errno", test_atomic_write_error_is_true_errno},
		{"events to /dev/full: ENOSPC, lines lost", test_events_device_full},
		{"events to a full stdout", test_events_stdout_full},
		{"events cut mid-line", test_events_partial_write},
		{"events reopen (logrotate)", test_events_reopen},
		{"events to a FIFO", test_events_fifo},
	};
	int status;

	if (mkdtemp(temp_dir) == NULL)
		return 1;
	status = unit_run_suite("output", NULL, NULL, tests, UNIT_COUNT(tests));
	rmdir(temp_dir);
	return status;
}
