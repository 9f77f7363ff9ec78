/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "config.h"
#include "pair_table.h"
#include "unit_files.h"
#include "unit_main.h"
#include "unit_nodes.h"

#define ARGS_MAX 64

static char temp_dir[] = "/tmp/cgnf-test-config-XXXXXX";
static char err[512];

/* Writes text to temp_dir/name; returns the path (static, one at a time). */
static const char *write_file(const char *name, const char *text)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", temp_dir, name);
	write_text_file(path, text);
	return path;
}

/* config_parse_args on "cgnf" followed by the arguments, NULL-terminated. */
static int parse(struct cgnf_config *config, ...)
{
	char *argv[ARGS_MAX + 1] = {"cgnf"};
	int argc = 1;
	va_list args;

	va_start(args, config);
	while (argc < ARGS_MAX && (argv[argc] = va_arg(args, char *)) != NULL)
		argc++;
	va_end(args);
	argv[argc] = NULL;
	err[0] = '\0';
	return config_parse_args(config, argc, argv, err, sizeof(err));
}

static int load(struct cgnf_config *config, const char *name, const char *text)
{
	err[0] = '\0';
	config_set_defaults(config);
	return config_load_file(config, write_file(name, text), err, sizeof(err));
}

static bool contains(const char *text, const char *needle)
{
	if (strstr(text, needle) != NULL)
		return true;
	fprintf(stderr, "'%s' not in '%s'\n", needle, text);
	return false;
}

static bool is_address(const struct ip_addr *addr, const char *text)
{
	struct ip_addr expected;

	return ip_parse(&expected, text, strlen(text)) == 0 &&
	       memcmp(addr, &expected, sizeof(expected)) == 0;
}

static bool has_prefix(const struct prefix_list *list, unsigned int index, const char *text)
{
	char out[IP_TEXT_MAX + 4];

	if (index >= list->count)
		return false;
	prefix_format(&list->items[index], out, sizeof(out));
	return strcmp(out, text) == 0;
}

static void test_defaults(void)
{
	struct cgnf_config config;

	CU_ASSERT_EQUAL(parse(&config, NULL), 0);
	CU_ASSERT_STRING_EQUAL(config.model_path, "");
	CU_ASSERT_EQUAL(config.udp_port, 5000);
	CU_ASSERT_EQUAL(config.probes.count, 0);
	CU_ASSERT_EQUAL(config.lan.count, 0);
	CU_ASSERT_EQUAL(config.rx_lcores, 1);
	CU_ASSERT_EQUAL(config.classifiers, 0);
	CU_ASSERT_EQUAL(config.idle_timeout_s, 10);
	CU_ASSERT_FALSE(config.exit_on_idle);
	CU_ASSERT_EQUAL(config.duration_s, 0);
	CU_ASSERT_FALSE(config.lossless);
	CU_ASSERT_FALSE(config.busy_poll);
	CU_ASSERT_STRING_EQUAL(config.csv_path, "");
	CU_ASSERT_STRING_EQUAL(config.stats_json_path, "");
	CU_ASSERT_STRING_EQUAL(config.events_path, "");
	CU_ASSERT_EQUAL(config.stats_interval_s, 1);
	CU_ASSERT_EQUAL(config.verdict_window, 90);
	CU_ASSERT_EQUAL(config.verdict_min_reports, 30);
	CU_ASSERT_EQUAL(config.verdict_threshold, 0.5);
	CU_ASSERT_EQUAL(config.max_pairs, 1000000);
	CU_ASSERT_EQUAL(config.pair_timeout_s, 60);
	CU_ASSERT_EQUAL(config.ring_size, 4096);
	CU_ASSERT_EQUAL(config.local_ip_count, 0);
	CU_ASSERT_FALSE(config.quiet);
	CU_ASSERT_STRING_EQUAL(config.config_path, "");
	/* The defaults are valid but for the model, which has none. */
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "model"));
	strcpy(config.model_path, "m.json");
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), 0);
}

/* The values that test_every_option and test_every_key give alike. */
static void assert_values_set_by_both(const struct cgnf_config *config)
{
	CU_ASSERT_EQUAL(config->udp_port, 6001);
	CU_ASSERT_TRUE(has_prefix(&config->probes, 0, "10.0.0.1/32"));
	CU_ASSERT_EQUAL(config->lan.count, 2);
	CU_ASSERT_EQUAL(config->rx_lcores, 2);
	CU_ASSERT_EQUAL(config->classifiers, 3);
	CU_ASSERT_EQUAL(config->idle_timeout_s, 2.5);
	CU_ASSERT_TRUE(config->exit_on_idle);
	CU_ASSERT_EQUAL(config->duration_s, 30);
	CU_ASSERT_TRUE(config->lossless);
	CU_ASSERT_TRUE(config->busy_poll);
	CU_ASSERT_STRING_EQUAL(config->events_path, "-");
	CU_ASSERT_EQUAL(config->max_pairs, 5000);
	CU_ASSERT_EQUAL(config->pair_timeout_s, 0);
	CU_ASSERT_TRUE(config->quiet);
}

static void test_every_option(void)
{
	struct cgnf_config config;

	CU_ASSERT_EQUAL_FATAL(
		parse(&config, "--model", "m.json", "--udp-port", "6001", "--probe", "10.0.0.1",
		      "--probe", "2001:db8::/32", "--lan", "192.168.0.0/16", "--lan", "fc00::/7",
		      "--rx", "2", "--classifiers", "3", "--idle-timeout", "2.5", "--exit-on-idle",
		      "--duration", "30", "--lossless", "--busy-poll", "--csv", "out.csv",
		      "--stats-json", "stats.json", "--events", "-", "--stats-interval", "0",
		      "--verdict-window", "128", "--verdict-min-reports", "0",
		      "--verdict-threshold", "0.75", "--max-pairs", "5000", "--pair-timeout", "0",
		      "--ring-size", "1024", "--mbufs", "65536", "--ip", "192.0.2.1", "--ip",
		      "2001:db8::7", "--quiet", NULL),
		0);
	assert_values_set_by_both(&config);
	CU_ASSERT_STRING_EQUAL(config.model_path, "m.json");
	CU_ASSERT_EQUAL(config.probes.count, 2);
	CU_ASSERT_TRUE(has_prefix(&config.probes, 1, "2001:db8::/32"));
	CU_ASSERT_TRUE(has_prefix(&config.lan, 0, "192.168.0.0/16"));
	CU_ASSERT_TRUE(has_prefix(&config.lan, 1, "fc00::/7"));
	CU_ASSERT_STRING_EQUAL(config.csv_path, "out.csv");
	CU_ASSERT_STRING_EQUAL(config.stats_json_path, "stats.json");
	CU_ASSERT_EQUAL(config.stats_interval_s, 0);
	CU_ASSERT_EQUAL(config.verdict_window, 128);
	CU_ASSERT_EQUAL(config.verdict_min_reports, 0);
	CU_ASSERT_EQUAL(config.verdict_threshold, 0.75);
	CU_ASSERT_EQUAL(config.ring_size, 1024);
	CU_ASSERT_EQUAL(config.mbufs, 65536);
	CU_ASSERT_EQUAL(config.local_ip_count, 2);
	CU_ASSERT_TRUE(is_address(&config.local_ips[0], "192.0.2.1"));
	CU_ASSERT_TRUE(is_address(&config.local_ips[1], "2001:db8::7"));
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), 0);
	/* "--name=value" works too. */
	CU_ASSERT_EQUAL(parse(&config, "--udp-port=7000", NULL), 0);
	CU_ASSERT_EQUAL(config.udp_port, 7000);
}

static void test_every_key(void)
{
	struct cgnf_config config;

	CU_ASSERT_EQUAL_FATAL(
		load(&config, "all.json",
		     "{\"_comment\": \"every key\", \"model\": \"/abs/m.json\", \"udp_port\": 6001,"
		     " \"probe\": [\"10.0.0.1\"], \"lan\": [\"192.168.0.0/16\", \"fc00::/7\"],"
		     " \"rx\": 2, \"classifiers\": 3, \"idle_timeout\": 2.5, \"exit_on_idle\": "
		     "true,"
		     " \"duration\": 30, \"lossless\": true, \"busy_poll\": true, \"csv\": "
		     "\"o.csv\","
		     " \"stats_json\": \"s.json\", \"events\": \"-\", \"stats_interval\": 0.5,"
		     " \"verdict_window\": 64, \"verdict_min_reports\": 8,"
		     " \"verdict_threshold\": 1, \"max_pairs\": 5000, \"pair_timeout\": 0,"
		     " \"ring_size\": 65536, \"ip\": [\"192.0.2.1\"], \"quiet\": true}"),
		0);
	assert_values_set_by_both(&config);
	CU_ASSERT_STRING_EQUAL(config.model_path, "/abs/m.json");
	CU_ASSERT_STRING_EQUAL(config.csv_path, "o.csv");
	CU_ASSERT_STRING_EQUAL(config.stats_json_path, "s.json");
	CU_ASSERT_EQUAL(config.stats_interval_s, 0.5);
	CU_ASSERT_EQUAL(config.verdict_window, 64);
	CU_ASSERT_EQUAL(config.verdict_min_reports, 8);
	CU_ASSERT_EQUAL(config.verdict_threshold, 1.0);
	CU_ASSERT_EQUAL(config.ring_size, 65536);
	CU_ASSERT_EQUAL(config.local_ip_count, 1);
	CU_ASSERT_TRUE(contains(config.config_path, "all.json"));
	/* false is a value too. */
	CU_ASSERT_EQUAL(load(&config, "false.json", "{\"lossless\": false}"), 0);
	CU_ASSERT_FALSE(config.lossless);
}

static void test_file_then_command_line(void)
{
	char path[256], expected_model[300];
	struct cgnf_config config;

	snprintf(path, sizeof(path), "%s",
		 write_file("base.json", "{\"model\": \"../model/m.json\", \"udp_port\": 6000,"
					 " \"rx\": 2, \"lan\": [\"10.0.0.0/8\", \"fc00::/7\"],"
					 " \"probe\": [\"127.0.0.1\"], \"ip\": [\"192.0.2.1\"]}"));
	snprintf(expected_model, sizeof(expected_model), "%s/../model/m.json", temp_dir);

	/* --config last on the line: still applied first, then overridden. */
	CU_ASSERT_EQUAL_FATAL(parse(&config, "--udp-port", "7000", "--lan", "192.168.0.0/16",
				    "--config", path, NULL),
			      0);
	CU_ASSERT_EQUAL(config.udp_port, 7000);
	CU_ASSERT_EQUAL(config.rx_lcores, 2);
	CU_ASSERT_STRING_EQUAL(config.model_path, expected_model);
	CU_ASSERT_STRING_EQUAL(config.config_path, path);
	/* A list on the command line replaces the file's. */
	CU_ASSERT_EQUAL(config.lan.count, 1);
	CU_ASSERT_TRUE(has_prefix(&config.lan, 0, "192.168.0.0/16"));
	/* Lists not given on the command line keep the file's. */
	CU_ASSERT_EQUAL(config.probes.count, 1);
	CU_ASSERT_EQUAL(config.local_ip_count, 1);

	/* Repeated on the command line, the list accumulates (once replaced). */
	CU_ASSERT_EQUAL_FATAL(parse(&config, "--config", path, "--lan", "192.168.0.0/16", "--lan",
				    "100.64.0.0/10", "--ip", "192.0.2.9", "--model", "here.json",
				    NULL),
			      0);
	CU_ASSERT_EQUAL(config.lan.count, 2);
	CU_ASSERT_TRUE(has_prefix(&config.lan, 1, "100.64.0.0/10"));
	CU_ASSERT_EQUAL(config.local_ip_count, 1);
	CU_ASSERT_TRUE(is_address(&config.local_ips[0], "192.0.2.9"));
	/* A model on the command line is relative to the working directory. */
	CU_ASSERT_STRING_EQUAL(config.model_path, "here.json");

	/* --config given twice is refused rather than guessed. */
	CU_ASSERT_EQUAL(parse(&config, "--config", path, "--config", path, NULL), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--config"));
}

static void test_model_path_in_file(void)
{
	struct cgnf_config config;
	char cwd_file[] = "cgnf-test-config-XXXXXX";
	int fd;

	/* A file in the working directory: the relative path stays as it is. */
	fd = mkstemp(cwd_file);
	if (fd >= 0) {
		CU_ASSERT(write(fd, "{\"model\": \"m.json\"}", 19) == 19);
		close(fd);
		config_set_defaults(&config);
		CU_ASSERT_EQUAL(config_load_file(&config, cwd_file, err, sizeof(err)), 0);
		CU_ASSERT_STRING_EQUAL(config.model_path, "m.json");
		unlink(cwd_file);
	}
	CU_ASSERT_EQUAL(load(&config, "abs.json", "{\"model\": \"/opt/m.json\"}"), 0);
	CU_ASSERT_STRING_EQUAL(config.model_path, "/opt/m.json");
	CU_ASSERT_EQUAL(load(&config, "empty.json", "{\"model\": \"\"}"), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "key 'model'"));
}

static void test_file_errors(void)
{
	static const struct {
		const char *text;
		const char *needle;
	} cases[] = {
		{"{\"udp_prot\": 5000}", "key 'udp_prot': unknown key"},
		{"{\"udp_port\": \"5000\"}",
		 "key 'udp_port': expected an integer in 1..65535, got a string"},
		{"{\"udp_port\": 70000}",
		 "key 'udp_port': expected an integer in 1..65535, got 70000"},
		{"{\"udp_port\": -1}", "key 'udp_port'"},
		{"{\"udp_port\": 5000.0}", "key 'udp_port'"},
		{"{\"rx\": 0}", "key 'rx'"},
		{"{\"verdict_window\": 129}", "key 'verdict_window'"},
		{"{\"verdict_threshold\": 1.5}", "key 'verdict_threshold'"},
		{"{\"verdict_threshold\": \"0.5\"}", "key 'verdict_threshold'"},
		{"{\"idle_timeout\": 0}", "key 'idle_timeout'"},
		{"{\"duration\": -1}", "key 'duration'"},
		{"{\"ring_size\": 1000}", "key 'ring_size': expected a power of two"},
		{"{\"max_pairs\": 0}", "key 'max_pairs'"},
		{"{\"lossless\": 1}", "key 'lossless': expected true or false"},
		{"{\"lan\": \"10.0.0.0/8\"}", "key 'lan': expected an array of strings"},
		{"{\"lan\": [\"10.0.0.0/8\", 5]}", "key 'lan': item 1: expected a string"},
		{"{\"lan\": [\"192.168.1.0/16\"]}", "key 'lan': '192.168.1.0/16'"},
		{"{\"probe\": [\"nonsense\"]}", "key 'probe'"},
		{"{\"ip\": [\"10.0.0.0/8\"]}", "key 'ip': '10.0.0.0/8' is not"},
		{"{\"model\": 5}", "key 'model': expected a string"},
		{"{\"config\": \"other.json\"}", "key 'config': unknown key"},
		{"{\"help\": true}", "key 'help': unknown key"},
		{"{\"udp-port\": 5000}", "key 'udp-port': unknown key"},
		{"{\"_comment\": 5}", "key '_comment': expected a string"},
		{"{\"udp_port\": 5000, \"udp_port\": 6000}", "duplicate"},
		{"[\"udp_port\", 5000]", "expected a JSON object"},
		{"{\"udp_port\": 5000,\n \"rx\": }", "bad.json:2:"},
		{"", "bad.json:"},
	};
	struct cgnf_config config;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(load(&config, "bad.json", cases[i].text), -EINVAL);
		CU_ASSERT_TRUE(contains(err, "bad.json"));
		CU_ASSERT_TRUE(contains(err, cases[i].needle));
	}
	config_set_defaults(&config);
	CU_ASSERT_EQUAL(config_load_file(&config, "/nonexistent/cgnf.json", err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_TRUE(contains(err, "/nonexistent/cgnf.json"));
	/* Through the command line, the file's error comes out as it is. */
	CU_ASSERT_EQUAL(parse(&config, "--config", write_file("type.json", "{\"rx\": true}"), NULL),
			-EINVAL);
	CU_ASSERT_TRUE(contains(err, "type.json: key 'rx'"));
}

static void test_bad_numbers(void)
{
	static const char *const cases[][2] = {
		{"--udp-port", "70000"},
		{"--udp-port", "0"},
		{"--udp-port", "abc"},
		{"--udp-port", "50x"},
		{"--udp-port", " 50"},
		{"--udp-port", "-1"},
		{"--udp-port", "+50"},
		{"--udp-port", ""},
		{"--udp-port", "0x10"},
		{"--udp-port", "99999999999999999999999"},
		{"--rx", "0"},
		{"--rx", "1.5"},
		{"--classifiers", "-1"},
		{"--verdict-window", "0"},
		{"--verdict-window", "129"},
		{"--verdict-min-reports", "129"},
		{"--verdict-threshold", "1.5"},
		{"--verdict-threshold", "-0.1"},
		{"--verdict-threshold", "nan"},
		{"--verdict-threshold", "inf"},
		{"--verdict-threshold", "0.5x"},
		{"--idle-timeout", "0"},
		{"--idle-timeout", "-1"},
		{"--duration", "-1"},
		{"--duration", "1e10"},
		{"--duration", "1e-400"},
		{"--stats-interval", ""},
		{"--pair-timeout", "ten"},
		{"--max-pairs", "0"},
		{"--max-pairs", "2000000000"},
		{"--ring-size", "1000"},
		{"--ring-size", "32"},
		{"--ring-size", "33554432"},
		{"--model", ""},
		{"--lan", "192.168.1.0/16"},
		{"--lan", "10.0.0.0/33"},
		{"--probe", "host"},
		{"--ip", "10.0.0.0/8"},
		{"--ip", "300.1.1.1"},
	};
	struct cgnf_config config;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(parse(&config, cases[i][0], cases[i][1], NULL), -EINVAL);
		/* The message names the option and quotes the value. */
		CU_ASSERT_TRUE(contains(err, cases[i][0]));
		CU_ASSERT_TRUE(contains(err, cases[i][1]));
	}
	CU_ASSERT_EQUAL(parse(&config, "--udp-port", "70000", NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err,
			       "option --udp-port: expected an integer in 1..65535, got '70000'");
	/* Edges that are in range. */
	CU_ASSERT_EQUAL(parse(&config, "--udp-port", "65535", "--verdict-threshold", "0",
			      "--ring-size", "64", "--idle-timeout", "0.001", NULL),
			0);
	CU_ASSERT_EQUAL(config.udp_port, 65535);
	CU_ASSERT_EQUAL(config.ring_size, 64);
}

/* "--ip 192.0.2.1 --ip 192.0.2.2 ..." count times. */
/* --max-pairs is bounded by the pair table's own limit, defined once in pair_table.h. */
static void test_max_pairs_bound_is_the_tables(void)
{
	struct cgnf_config config;
	char at_limit[16], beyond[16];

	snprintf(at_limit, sizeof(at_limit), "%u", PAIR_TABLE_MAX_PAIRS);
	snprintf(beyond, sizeof(beyond), "%u", PAIR_TABLE_MAX_PAIRS + 1);
	CU_ASSERT_EQUAL(parse(&config, "--max-pairs", at_limit, NULL), 0);
	CU_ASSERT_EQUAL(config.max_pairs, PAIR_TABLE_MAX_PAIRS);
	CU_ASSERT_EQUAL(parse(&config, "--max-pairs", beyond, NULL), -EINVAL);
}

static int parse_addresses(struct cgnf_config *config, int count)
{
	static char texts[ARGS_MAX][16];
	char *argv[ARGS_MAX + 1] = {"cgnf"};
	int argc = 1, i;

	for (i = 0; i < count && argc + 2 <= ARGS_MAX; i++) {
		snprintf(texts[i], sizeof(texts[i]), "192.0.2.%d", i + 1);
		argv[argc++] = "--ip";
		argv[argc++] = texts[i];
	}
	argv[argc] = NULL;
	return config_parse_args(config, argc, argv, err, sizeof(err));
}

static void test_bad_arguments(void)
{
	struct cgnf_config config;

	CU_ASSERT_EQUAL(parse(&config, "--frobnicate", NULL), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "frobnicate"));
	CU_ASSERT_EQUAL(parse(&config, "--model", NULL), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--model"));
	CU_ASSERT_EQUAL(parse(&config, "--lossless=yes", NULL), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--lossless"));
	CU_ASSERT_EQUAL(parse(&config, "-x", NULL), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "-x"));
	CU_ASSERT_EQUAL(parse(&config, "--model", "m.json", "stray", NULL), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "stray"));
	CU_ASSERT_EQUAL(parse_addresses(&config, CONFIG_LOCAL_IP_MAX), 0);
	CU_ASSERT_EQUAL(config.local_ip_count, CONFIG_LOCAL_IP_MAX);
	CU_ASSERT_EQUAL(parse_addresses(&config, CONFIG_LOCAL_IP_MAX + 1), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "more than 16"));
	/* After an error, parsing starts afresh. */
	CU_ASSERT_EQUAL(parse(&config, "--udp-port", "6000", NULL), 0);
	CU_ASSERT_EQUAL(config.udp_port, 6000);
}

/* Points stdout at fd (when both are open); returns the old stdout for stdout_restore. */
static int stdout_redirect(int fd)
{
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved >= 0 && fd >= 0)
		dup2(fd, STDOUT_FILENO);
	return saved;
}

static void stdout_restore(int saved)
{
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
}

static void test_help(void)
{
	static const char *const names[] = {
		"--config FILE",
		"--model FILE",
		"--udp-port N",
		"--probe ADDR|CIDR",
		"--lan CIDR",
		"--ip ADDR",
		"--rx N",
		"--classifiers N",
		"--idle-timeout S",
		"--exit-on-idle",
		"--duration S",
		"--lossless",
		"--busy-poll",
		"--csv FILE",
		"--stats-json FILE",
		"--events FILE",
		"--stats-interval S",
		"--verdict-window N",
		"--verdict-min-reports M",
		"--verdict-threshold R",
		"--max-pairs N",
		"--pair-timeout S",
		"--ring-size N",
		"--quiet",
		"--help",
		"(default: 5000)",
		"(default: 4096)",
		"(default: 0.5)",
		"replaces",
	};
	char usage[16384] = "";
	struct cgnf_config config;
	int saved, fd, ret;
	size_t i;
	ssize_t n;

	/* Capture stdout to check the text. */
	fd = open(temp_dir, O_TMPFILE | O_RDWR, 0600);
	saved = stdout_redirect(fd);
	CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
	ret = parse(&config, "--udp-port", "6000", "--help", "--frobnicate", NULL);
	stdout_restore(saved);
	n = pread(fd, usage, sizeof(usage) - 1, 0);
	close(fd);
	CU_ASSERT_EQUAL(ret, 1);
	CU_ASSERT_FATAL(n > 0);
	usage[n] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CU_ASSERT_TRUE(contains(usage, names[i]));
	/* -h too. */
	fd = open("/dev/null", O_WRONLY);
	saved = stdout_redirect(fd);
	ret = parse(&config, "-h", NULL);
	stdout_restore(saved);
	close(fd);
	CU_ASSERT_EQUAL(ret, 1);
}

static void test_validate(void)
{
	struct cgnf_config config;

	CU_ASSERT_EQUAL(parse(&config, "--model", "m.json", "--verdict-window", "20", NULL), 0);
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--verdict-min-reports"));
	CU_ASSERT_EQUAL(
		parse(&config, "--model", "m.json", "--csv", "o", "--stats-json", "o", NULL), 0);
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "different files"));
	CU_ASSERT_EQUAL(parse(&config, "--model", "m.json", "--csv", "-", "--events", "-", NULL),
			0);
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), 0);

	/* Ranges hold for a struct filled by hand, too. */
	CU_ASSERT_EQUAL(parse(&config, "--model", "m.json", NULL), 0);
	config.ring_size = 1000;
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--ring-size"));
	config.ring_size = 4096;
	config.udp_port = 0;
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--udp-port"));
	config.udp_port = 5000;
	config.verdict_threshold = 0.0 / 0.0;
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--verdict-threshold"));
	config.verdict_threshold = 0.5;
	config.rx_lcores = 0;
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--rx"));
	config.rx_lcores = 1;
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), 0);
}

/* --forward, --cg-dscp, --cg-mark-only: parsed, in files, refused, rendered. */
static void test_inline_options(void)
{
	struct cgnf_config config;
	json_t *json;

	CU_ASSERT_EQUAL(parse(&config, "--model", "m.json", "--input", "traffic", "--forward",
			      "0:1", "--forward", "1:0", "--cg-dscp", "af41", "--cg-mark-only",
			      "down", NULL),
			0);
	CU_ASSERT_EQUAL(config.forward_count, 2);
	CU_ASSERT_EQUAL(config.forwards[1].from, 1);
	CU_ASSERT_EQUAL(config.forwards[1].to, 0);
	CU_ASSERT_EQUAL(config.cg_dscp, 34);
	CU_ASSERT_EQUAL(config.cg_mark_only, CONFIG_MARK_DOWN);
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), 0);
	json = config_to_json(&config);
	CU_ASSERT_STRING_EQUAL(
		json_string_value(json_array_get(json_object_get(json, "forward"), 1)), "1:0");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json, "cg_dscp")), 34);
	json_decref(json);

	CU_ASSERT_EQUAL(parse(&config, "--model", "m.json", NULL), 0);
	CU_ASSERT_EQUAL(config.cg_dscp, -1);
	json = config_to_json(&config);
	CU_ASSERT_TRUE(json_is_null(json_object_get(json, "cg_dscp")));
	json_decref(json);

	CU_ASSERT_EQUAL(load(&config, "inline.json",
			     "{\"input\": \"traffic\", \"forward\": [\"0:0\"], \"cg_dscp\": 46}"),
			0);
	CU_ASSERT_EQUAL(config.forward_count, 1);
	CU_ASSERT_EQUAL(config.cg_dscp, 46);
	CU_ASSERT_EQUAL(load(&config, "inline.json", "{\"cg_dscp\": \"CS4\"}"), 0);
	CU_ASSERT_EQUAL(config.cg_dscp, 32);
	CU_ASSERT_EQUAL(load(&config, "inline.json", "{\"cg_dscp\": 64}"), -EINVAL);

	CU_ASSERT_EQUAL(parse(&config, "--forward", "1", NULL), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "expected P:Q"));
	CU_ASSERT_EQUAL(parse(&config, "--forward", "0:70000", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&config, "--forward", "0:1", "--forward", "0:2", NULL), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "one egress per port"));
	CU_ASSERT_EQUAL(parse(&config, "--cg-dscp", "AF44", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&config, "--cg-mark-only", "sideways", NULL), -EINVAL);

	CU_ASSERT_EQUAL(
		parse(&config, "--model", "m.json", "--input", "traffic", "--cg-dscp", "EF", NULL),
		0);
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--cg-dscp means nothing without --forward"));
	CU_ASSERT_EQUAL(parse(&config, "--model", "m.json", "--forward", "0:1", NULL), 0);
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), -EINVAL);
	CU_ASSERT_TRUE(contains(err, "--forward means nothing with --input reports"));
}

/* temp_dir/name in out. */
static char *in_temp(char out[256], const char *name)
{
	snprintf(out, 256, "%s/%s", temp_dir, name);
	return out;
}

/* config_validate with a model and these output paths (NULL: none). */
static int validate_outputs(const char *csv, const char *stats_json, const char *events)
{
	struct cgnf_config config;

	config_set_defaults(&config);
	strcpy(config.model_path, "m.json");
	snprintf(config.csv_path, sizeof(config.csv_path), "%s", csv ? csv : "");
	snprintf(config.stats_json_path, sizeof(config.stats_json_path), "%s",
		 stats_json ? stats_json : "");
	snprintf(config.events_path, sizeof(config.events_path), "%s", events ? events : "");
	err[0] = '\0';
	return config_validate(&config, err, sizeof(err));
}

/* Refused, in one line that names the option, the path and the reason. */
static bool refused(int ret, const char *option, const char *path, const char *reason)
{
	if (ret >= 0) {
		fprintf(stderr, "%s %s accepted, expected '%s'\n", option, path, reason);
		return false;
	}
	return contains(err, option) && contains(err, path) && contains(err, reason) &&
	       strchr(err, '\n') == NULL;
}

static void test_validate_output_directories(void)
{
	char dir[256], missing[256], file[256], under_file[300];

	in_temp(dir, "outdir");
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	write_text_file(in_temp(file, "plain.txt"), "x\n");
	in_temp(missing, "missing/pairs.csv");
	CU_ASSERT_TRUE(refused(validate_outputs(missing, NULL, NULL), "--csv", missing,
			       "no such directory"));
	CU_ASSERT_TRUE(refused(validate_outputs(NULL, missing, NULL), "--stats-json", missing,
			       "no such directory"));
	CU_ASSERT_TRUE(refused(validate_outputs(NULL, NULL, missing), "--events", missing,
			       "no such directory"));
	snprintf(under_file, sizeof(under_file), "%s/x.csv", file);
	CU_ASSERT_TRUE(refused(validate_outputs(under_file, NULL, NULL), "--csv", under_file,
			       "not a directory"));
	CU_ASSERT_TRUE(refused(validate_outputs(dir, NULL, NULL), "--csv", dir, "is a directory"));
	CU_ASSERT_TRUE(
		refused(validate_outputs(NULL, NULL, dir), "--events", dir, "is a directory"));
	CU_ASSERT_EQUAL(node_type(dir), S_IFDIR);

	/* An existing regular file, or none, in a writable directory: accepted. */
	CU_ASSERT_EQUAL(validate_outputs(file, in_temp(missing, "outdir/stats.json"), "-"), 0);

	if (geteuid() == 0) {
		printf("skipped: read-only directory (root may write anywhere)\n");
	} else {
		CU_ASSERT_EQUAL(chmod(dir, 0555), 0);
		CU_ASSERT_TRUE(
			refused(validate_outputs(in_temp(file, "outdir/pairs.csv"), NULL, NULL),
				"--csv", file, "Permission denied"));
		chmod(dir, 0755);
	}
}

static void test_validate_special_files(void)
{
	char node[256], fifo[256], sock[256];

	if (make_char_device(in_temp(node, "null"))) {
		CU_ASSERT_TRUE(refused(validate_outputs(node, NULL, NULL), "--csv", node,
				       "character device"));
		CU_ASSERT_TRUE(refused(validate_outputs(NULL, node, NULL), "--stats-json", node,
				       "character device"));
		/* An append stream may go to a device. */
		CU_ASSERT_EQUAL(validate_outputs(NULL, NULL, node), 0);
		CU_ASSERT_EQUAL(node_type(node), S_IFCHR);
	}
	CU_ASSERT_EQUAL(validate_outputs(NULL, NULL, "/dev/null"), 0);
	CU_ASSERT_EQUAL(validate_outputs(NULL, NULL, "/dev/full"), 0);
	CU_ASSERT_TRUE(refused(validate_outputs("/dev/null", NULL, NULL), "--csv", "/dev/null",
			       "character device"));

	make_fifo(in_temp(fifo, "fifo"));
	CU_ASSERT_TRUE(refused(validate_outputs(fifo, NULL, NULL), "--csv", fifo, "FIFO"));
	CU_ASSERT_EQUAL(validate_outputs(NULL, NULL, fifo), 0);
	CU_ASSERT_EQUAL(node_type(fifo), S_IFIFO);

	make_socket_file(in_temp(sock, "sock"));
	CU_ASSERT_TRUE(refused(validate_outputs(NULL, sock, NULL), "--stats-json", sock, "socket"));
	CU_ASSERT_TRUE(refused(validate_outputs(NULL, NULL, sock), "--events", sock, "socket"));
	CU_ASSERT_EQUAL(node_type(sock), S_IFSOCK);
}

static void test_validate_symlinks(void)
{
	char real[256], via_link[256], dangling[256], nowhere[256], loop1[256], loop2[256],
		to_device[256];

	write_text_file(in_temp(real, "real.csv"), "old\n");
	CU_ASSERT_EQUAL(symlink(real, in_temp(via_link, "link.csv")), 0);
	CU_ASSERT_EQUAL(validate_outputs(via_link, NULL, NULL), 0);
	CU_ASSERT_EQUAL(validate_outputs(NULL, NULL, via_link), 0);

	/* A dangling symlink names the file to create: its directory must exist. */
	CU_ASSERT_EQUAL(symlink("absent.csv", in_temp(dangling, "dangling.csv")), 0);
	CU_ASSERT_EQUAL(validate_outputs(dangling, NULL, NULL), 0);
	CU_ASSERT_EQUAL(symlink("nodir/x.csv", in_temp(nowhere, "nowhere.csv")), 0);
	CU_ASSERT_TRUE(refused(validate_outputs(nowhere, NULL, NULL), "--csv", nowhere,
			       "no such directory"));

	/* The link's target is what is checked: a link to /dev/null is a device. */
	CU_ASSERT_EQUAL(symlink("/dev/null", in_temp(to_device, "to-null")), 0);
	CU_ASSERT_TRUE(refused(validate_outputs(to_device, NULL, NULL), "--csv", to_device,
			       "character device"));
	CU_ASSERT_EQUAL(validate_outputs(NULL, NULL, to_device), 0);
	CU_ASSERT_EQUAL(node_type(to_device), S_IFLNK);

	CU_ASSERT_EQUAL(symlink("loop2", in_temp(loop1, "loop1")), 0);
	CU_ASSERT_EQUAL(symlink("loop1", in_temp(loop2, "loop2")), 0);
	CU_ASSERT_TRUE(
		refused(validate_outputs(loop1, NULL, NULL), "--csv", loop1, "symbolic links"));
}

static void test_validate_same_file(void)
{
	char a[256], dot[256], via_link[256], hard[256], absent[256], absent_dot[256],
		dangling[256];

	CU_ASSERT_EQUAL_FATAL(mkdir(in_temp(a, "same"), 0755), 0);
	write_text_file(in_temp(a, "same/x"), "x\n");
	in_temp(dot, "same/./x");
	/* The same existing file, spelled two ways. */
	CU_ASSERT_TRUE(refused(validate_outputs(a, NULL, dot), "--events", dot, "--csv"));
	CU_ASSERT_TRUE(contains(err, "different files"));
	CU_ASSERT_TRUE(refused(validate_outputs(a, dot, NULL), "--stats-json", dot, "--csv"));
	in_temp(dot, "same/../same/x");
	CU_ASSERT_TRUE(refused(validate_outputs(NULL, a, dot), "--events", dot, "--stats-json"));
	CU_ASSERT_EQUAL(symlink(a, in_temp(via_link, "same/link")), 0);
	CU_ASSERT_TRUE(refused(validate_outputs(via_link, a, NULL), "--stats-json", a, "--csv"));
	CU_ASSERT_EQUAL(link(a, in_temp(hard, "same/hard")), 0);
	CU_ASSERT_TRUE(refused(validate_outputs(a, NULL, hard), "--events", hard, "--csv"));

	/* Not there yet: the same directory and name. */
	in_temp(absent, "same/new");
	in_temp(absent_dot, "same/./new");
	CU_ASSERT_TRUE(refused(validate_outputs(absent, NULL, absent_dot), "--events", absent_dot,
			       "--csv"));
	CU_ASSERT_EQUAL(symlink("new", in_temp(dangling, "same/dangling")), 0);
	CU_ASSERT_TRUE(refused(validate_outputs(NULL, dangling, absent), "--events", absent,
			       "--stats-json"));

	/* Different files in one directory, and "-" twice (stdout, a file named "-"). */
	CU_ASSERT_EQUAL(validate_outputs(a, absent, in_temp(dot, "same/events")), 0);
}

/* The committed config/cgnf.json loads and says what its comment says. */
static void test_committed_config(void)
{
	const char *root = getenv("CGNF_ROOT");
	char path[512];
	struct cgnf_config config;

	snprintf(path, sizeof(path), "%s/config/cgnf.json", root != NULL ? root : ".");
	if (access(path, R_OK) != 0) {
		printf("skipped: %s not readable (run from the repository root)\n", path);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(parse(&config, "--config", path, NULL), 0);
	CU_ASSERT_EQUAL(config.lan.count, 5);
	CU_ASSERT_TRUE(has_prefix(&config.lan, 0, "10.0.0.0/8"));
	CU_ASSERT_TRUE(has_prefix(&config.lan, 1, "172.16.0.0/12"));
	CU_ASSERT_TRUE(has_prefix(&config.lan, 2, "192.168.0.0/16"));
	CU_ASSERT_TRUE(has_prefix(&config.lan, 3, "100.64.0.0/10"));
	CU_ASSERT_TRUE(has_prefix(&config.lan, 4, "fc00::/7"));
	CU_ASSERT_TRUE(contains(config.model_path, "config/../model/default.json"));
	CU_ASSERT_EQUAL(config.udp_port, 5000);
	CU_ASSERT_EQUAL(config.verdict_window, 90);
	CU_ASSERT_EQUAL(config_validate(&config, err, sizeof(err)), 0);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"defaults", test_defaults},
		{"every command-line option", test_every_option},
		{"every config file key", test_every_key},
		{"config file first, command line overrides", test_file_then_command_line},
		{"model path relative to the config file", test_model_path_in_file},
		{"config file errors name file, key and reason", test_file_errors},
		{"bad numbers and values are refused", test_bad_numbers},
		{"--max-pairs bound is pair_table.h's", test_max_pairs_bound_is_the_tables},
		{"unknown options, missing values, stray arguments", test_bad_arguments},
		{"--help prints every option and returns 1", test_help},
		{"config_validate", test_validate},
		{"output directories must exist and be writable", test_validate_output_directories},
		{"devices, FIFOs and sockets as outputs", test_validate_special_files},
		{"symlinked outputs are checked at their target", test_validate_symlinks},
		{"two outputs never name the same file", test_validate_same_file},
		{"config/cgnf.json", test_committed_config},
		{"--forward, --cg-dscp, --cg-mark-only", test_inline_options},
	};
	char command[64];
	int status;

	if (mkdtemp(temp_dir) == NULL)
		return 1;
	status = unit_run_suite("config", NULL, NULL, tests, UNIT_COUNT(tests));
	snprintf(command, sizeof(command), "rm -rf '%s'", temp_dir);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", temp_dir);
	return status;
}
