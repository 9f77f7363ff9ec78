/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One table describes every option: its long name (the JSON key is the same
 * with '_' for '-'), where it lives in struct cgnf_config, its range and its
 * help.  The command line, the config file, config_validate and the usage
 * text all read it, so that they cannot disagree.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "dscp.h"
#include "output_path.h"
#include "pair_table.h"

/* Seconds become nanoseconds in uint64_t downstream: 1e9 s keeps them below 2^63. */
#define SECONDS_MAX 1e9
#define LCORES_MAX 64
#define RING_SIZE_MIN 64
#define RING_SIZE_MAX (1u << 24)
#define MBUFS_MAX (1u << 26)

/* JSON has no comments: this one top-level key is accepted and ignored. */
#define COMMENT_KEY "_comment"

enum option_type {
	OPTION_PATH,	  /* char[CONFIG_PATH_MAX] */
	OPTION_UINT,	  /* uint16_t or unsigned int / uint32_t, by size */
	OPTION_SECONDS,	  /* double */
	OPTION_RATIO,	  /* double */
	OPTION_FLAG,	  /* bool */
	OPTION_PREFIXES,  /* struct prefix_list, repeatable */
	OPTION_ADDRESSES, /* local_ips[], repeatable */
	OPTION_CHOICE,	  /* unsigned int: the index of the word in choices[] */
	OPTION_FORWARDS,  /* forwards[], repeatable "P:Q" */
	OPTION_DSCP,	  /* int: 0..63 or a name (dscp.h); -1 when not given */
	OPTION_CONFIG,	  /* command line only */
	OPTION_HELP,	  /* command line only */
};

struct option_spec {
	const char *name; /* "udp-port"; JSON key "udp_port" */
	enum option_type type;
	size_t offset;
	size_t size;
	double min;
	double max;
	bool above_min; /* min itself is refused */
	bool power_of_two;
	bool relative_to_file; /* a relative path in a config file starts at the file's directory */
	bool output;	       /* a path cgnf writes: checked at start-up (output_path.h) */
	enum output_kind output_kind;
	const char *argument; /* in the usage text */
	const char *help;
	const char *const *choices; /* OPTION_CHOICE: the words, NULL-terminated */
	/* Set: the option means something only with this --input (it is refused with the other). */
	bool for_input;
	enum config_input input;
};

static const char *const input_names[] = {"reports", "traffic", NULL};
static const char *const window_stats_names[] = {"probe", "exact", NULL};
static const char *const mark_only_names[] = {"both", "down", "up", NULL};

#define FIELD(member)                                   \
	.offset = offsetof(struct cgnf_config, member), \
	.size = sizeof(((struct cgnf_config *)0)->member)

static const struct option_spec option_specs[] = {
	{.name = "config",
	 .type = OPTION_CONFIG,
	 .argument = "FILE",
	 .help = "JSON config file (keys: see the end), applied\nbefore the other options"},
	{.name = "model",
	 .type = OPTION_PATH,
	 FIELD(model_path),
	 .relative_to_file = true,
	 .argument = "FILE",
	 .help = "decision tree model (scripts/export_model.py);\n"
		 "required.  A relative path in a config file is\n"
		 "taken from the file's directory"},
	{.name = "input",
	 .type = OPTION_CHOICE,
	 FIELD(input),
	 .choices = input_names,
	 .argument = "reports|traffic",
	 .help = "what the ports carry: the probe's reports, or raw\n"
		 "mirrored traffic whose 33 ms windows cgnf computes"},
	{.name = "window-stats",
	 .type = OPTION_CHOICE,
	 FIELD(window_stats),
	 .choices = window_stats_names,
	 .for_input = true,
	 .input = CONFIG_INPUT_TRAFFIC,
	 .argument = "probe|exact",
	 .help = "traffic windows: the probe's float32 values bit for\n"
		 "bit, or exact statistics with no lost window"},
	{.name = "windows",
	 .type = OPTION_PATH,
	 FIELD(windows_path),
	 .output = true,
	 .output_kind = OUTPUT_APPENDED,
	 .for_input = true,
	 .input = CONFIG_INPUT_TRAFFIC,
	 .argument = "FILE",
	 .help = "write every closed window as the probe's report\ntext, one a line (\"-\": "
		 "stdout)"},
	{.name = "max-flows",
	 .type = OPTION_UINT,
	 FIELD(max_flows),
	 .min = 1,
	 .max = 1u << 30,
	 .for_input = true,
	 .input = CONFIG_INPUT_TRAFFIC,
	 .argument = "N",
	 .help = "traffic conversations tracked at once per RX lcore;\n"
		 "when full the least recently seen is evicted"},
	{.name = "window-values",
	 .type = OPTION_UINT,
	 FIELD(window_values),
	 .min = 1024,
	 .max = 1u << 30,
	 .for_input = true,
	 .input = CONFIG_INPUT_TRAFFIC,
	 .argument = "N",
	 .help = "packet values kept for the open windows per RX\n"
		 "lcore (probe mode; about packets/s x 33 ms)"},
	{.name = "udp-port",
	 .type = OPTION_UINT,
	 .for_input = true,
	 .input = CONFIG_INPUT_REPORTS,
	 FIELD(udp_port),
	 .min = 1,
	 .max = 65535,
	 .argument = "N",
	 .help = "UDP port the probe sends reports to"},
	{.name = "probe",
	 .type = OPTION_PREFIXES,
	 .for_input = true,
	 .input = CONFIG_INPUT_REPORTS,
	 FIELD(probes),
	 .argument = "ADDR|CIDR",
	 .help = "accept reports only from these sources (repeatable;\nnone given: any source)"},
	{.name = "lan",
	 .type = OPTION_PREFIXES,
	 FIELD(lan),
	 .argument = "CIDR",
	 .help = "LAN (client side) prefix, IPv4 or IPv6 (repeatable)"},
	{.name = "ip",
	 .type = OPTION_ADDRESSES,
	 FIELD(local_ips),
	 .argument = "ADDR",
	 .help = "address to answer ARP and neighbour solicitations for\n(repeatable)"},
	{.name = "rx",
	 .type = OPTION_UINT,
	 FIELD(rx_lcores),
	 .min = 1,
	 .max = LCORES_MAX,
	 .argument = "N",
	 .help = "lcores receiving and parsing reports"},
	{.name = "classifiers",
	 .type = OPTION_UINT,
	 FIELD(classifiers),
	 .max = LCORES_MAX,
	 .argument = "N",
	 .help = "classifier lcores (0: every lcore left after RX\nand the aggregator)"},
	{.name = "idle-timeout",
	 .type = OPTION_SECONDS,
	 FIELD(idle_timeout_s),
	 .max = SECONDS_MAX,
	 .above_min = true,
	 .argument = "S",
	 .help = "input is idle after S s with no packet received:\nprint the table, write the "
		 "outputs"},
	{.name = "exit-on-idle",
	 .type = OPTION_FLAG,
	 FIELD(exit_on_idle),
	 .help = "stop once the input is idle (end of a pcap)"},
	{.name = "duration",
	 .type = OPTION_SECONDS,
	 FIELD(duration_s),
	 .max = SECONDS_MAX,
	 .argument = "S",
	 .help = "stop S s after start-up, traffic or not\n(0: no limit)"},
	{.name = "lossless",
	 .type = OPTION_FLAG,
	 FIELD(lossless),
	 .help = "wait for room in full rings instead of dropping\n(offline runs)"},
	{.name = "busy-poll",
	 .type = OPTION_FLAG,
	 FIELD(busy_poll),
	 .help = "never sleep without input (lowest latency, 100% CPU)"},
	{.name = "csv",
	 .type = OPTION_PATH,
	 FIELD(csv_path),
	 .output = true,
	 .output_kind = OUTPUT_REPLACED,
	 .argument = "FILE",
	 .help = "write the per-pair table as CSV (at idle timeout,\nevery --snapshot-interval, at "
		 "exit)"},
	{.name = "stats-json",
	 .type = OPTION_PATH,
	 FIELD(stats_json_path),
	 .output = true,
	 .output_kind = OUTPUT_REPLACED,
	 .argument = "FILE",
	 .help = "write every counter as JSON (when --csv is written)"},
	{.name = "events",
	 .type = OPTION_PATH,
	 FIELD(events_path),
	 .output = true,
	 .output_kind = OUTPUT_APPENDED,
	 .argument = "FILE",
	 .help = "write verdict changes and expiries as JSON lines\n(\"-\": stdout)"},
	{.name = "snapshot-interval",
	 .type = OPTION_SECONDS,
	 FIELD(snapshot_interval_s),
	 .max = SECONDS_MAX,
	 .argument = "S",
	 .help = "also write --csv and --stats-json every S s\n(0: only at idle timeout and exit)"},
	{.name = "stats-interval",
	 .type = OPTION_SECONDS,
	 FIELD(stats_interval_s),
	 .max = SECONDS_MAX,
	 .argument = "S",
	 .help = "live status line every S s (0: none)"},
	{.name = "verdict-window",
	 .type = OPTION_UINT,
	 FIELD(verdict_window),
	 .min = 1,
	 .max = VERDICT_WINDOW_MAX,
	 .argument = "N",
	 .help = "a pair's verdict is taken over its last N reports\n(1..128)"},
	{.name = "verdict-min-reports",
	 .type = OPTION_UINT,
	 FIELD(verdict_min_reports),
	 .max = VERDICT_WINDOW_MAX,
	 .argument = "M",
	 .help = "no verdict before M reports in the window\n(0..N)"},
	{.name = "verdict-threshold",
	 .type = OPTION_RATIO,
	 FIELD(verdict_threshold),
	 .max = 1,
	 .argument = "R",
	 .help = "cloud gaming when the CG share of the window\nis at least R (0..1)"},
	{.name = "max-pairs",
	 .type = OPTION_UINT,
	 FIELD(max_pairs),
	 .min = 1,
	 .max = PAIR_TABLE_MAX_PAIRS,
	 .argument = "N",
	 .help = "pairs tracked at once; when full, the least\nrecently seen is evicted"},
	{.name = "pair-timeout",
	 .type = OPTION_SECONDS,
	 FIELD(pair_timeout_s),
	 .max = SECONDS_MAX,
	 .argument = "S",
	 .help = "forget a pair after S s without a report\n(0: never)"},
	{.name = "ring-size",
	 .type = OPTION_UINT,
	 FIELD(ring_size),
	 .min = RING_SIZE_MIN,
	 .max = RING_SIZE_MAX,
	 .power_of_two = true,
	 .argument = "N",
	 .help = "records per ring between lcores\n(a power of two)"},
	{.name = "mbufs",
	 .type = OPTION_UINT,
	 FIELD(mbufs),
	 .max = MBUFS_MAX,
	 .argument = "N",
	 .help = "packet buffers in the pool (0: sized from the\nports' rings; the pcap PMD's "
		 "infinite_rx needs\nat least as many as the file has packets)"},
	{.name = "quiet",
	 .type = OPTION_FLAG,
	 FIELD(quiet),
	 .help = "do not print the final table on stdout"},
	{.name = "metrics",
	 .type = OPTION_PATH,
	 FIELD(metrics_listen),
	 .argument = "[ADDR:]PORT",
	 .help = "serve GET /metrics (Prometheus, OpenMetrics) and\n/healthz over HTTP "
		 "(ADDR default 127.0.0.1)"},
	{.name = "redis",
	 .type = OPTION_PATH,
	 FIELD(redis_address),
	 .argument = "HOST:PORT",
	 .help = "publish events and pair state to Redis\n(or unix:PATH)"},
	{.name = "redis-password-file",
	 .type = OPTION_PATH,
	 FIELD(redis_password_file),
	 .argument = "FILE",
	 .help = "Redis password: the file's first line (else\n$CGNF_REDIS_PASSWORD)"},
	{.name = "redis-user",
	 .type = OPTION_PATH,
	 FIELD(redis_user),
	 .argument = "NAME",
	 .help = "Redis 6 ACL user to log in as, with the password\n(default: the default user)"},
	{.name = "instance",
	 .type = OPTION_PATH,
	 FIELD(instance),
	 .argument = "NAME",
	 .help = "this cgnf's name in Redis records (default: host name)"},
	{.name = "redis-stream-maxlen",
	 .type = OPTION_UINT,
	 FIELD(redis_stream_maxlen),
	 .min = 1,
	 .max = 1e9,
	 .argument = "N",
	 .help = "cgnf:events keeps about the last N events"},
	{.name = "redis-interval",
	 .type = OPTION_SECONDS,
	 FIELD(redis_interval_s),
	 .max = SECONDS_MAX,
	 .above_min = true,
	 .argument = "S",
	 .help = "refresh the pairs' counts in Redis every S s"},
	{.name = "nft-set",
	 .type = OPTION_PATH,
	 FIELD(nft_set),
	 .argument = "FAMILY/TABLE/SET",
	 .help = "keep the IPv4 pairs judged CG in this nftables\n"
		 "set (type ipv4_addr . ipv4_addr), with\n--pair-timeout as timeout"},
	{.name = "nft-set6",
	 .type = OPTION_PATH,
	 FIELD(nft_set6),
	 .argument = "FAMILY/TABLE/SET",
	 .help = "the same for IPv6 pairs\n(type ipv6_addr . ipv6_addr)"},
	{.name = "forward",
	 .type = OPTION_FORWARDS,
	 FIELD(forwards),
	 .for_input = true,
	 .input = CONFIG_INPUT_TRAFFIC,
	 .argument = "P:Q",
	 .help = "inline: every frame received on port P leaves on\n"
		 "port Q, unchanged but for --cg-dscp (repeatable;\n"
		 "one direction each: a bump in the wire is\n"
		 "--forward 0:1 --forward 1:0)"},
	{.name = "cg-dscp",
	 .type = OPTION_DSCP,
	 FIELD(cg_dscp),
	 .argument = "N|NAME",
	 .help = "with --forward: the forwarded IP packets of pairs\n"
		 "judged CG leave with this DSCP, 0..63 or EF, AF41,\n"
		 "CS4... (ECN kept; none: no marking)"},
	{.name = "cg-mark-only",
	 .type = OPTION_CHOICE,
	 FIELD(cg_mark_only),
	 .choices = mark_only_names,
	 .argument = "WHICH",
	 .help = "both, or only the packets toward the pair's client\n"
		 "side (down), or from it (up)"},
	{.name = "help", .type = OPTION_HELP, .help = "print this help and exit"},
	{.name = "list-counters",
	 .type = OPTION_HELP,
	 .help = "list every counter (name, kind, role, unit, help)\nand exit"},
};

#define OPTION_COUNT (sizeof(option_specs) / sizeof(option_specs[0]))
_Static_assert(OPTION_COUNT <= CONFIG_OPTIONS_MAX, "one bit of cgnf_config.given per option");
/* getopt_long values: above any short option character. */
#define OPTION_VALUE_BASE 256

_Static_assert(sizeof(unsigned int) == sizeof(uint32_t), "OPTION_UINT stores 2 or 4 bytes");

void config_set_defaults(struct cgnf_config *config)
{
	memset(config, 0, sizeof(*config));
	config->udp_port = 5000;
	config->rx_lcores = 1;
	config->classifiers = 0;
	config->idle_timeout_s = 10;
	config->duration_s = 0;
	config->stats_interval_s = 1;
	config->verdict_window = 90;
	config->verdict_min_reports = 30;
	config->verdict_threshold = 0.5;
	config->max_pairs = 1000000;
	config->pair_timeout_s = 60;
	config->ring_size = 4096;
	config->max_flows = 1000000;
	config->window_values = 4000000;
	config->redis_stream_maxlen = 100000;
	config->redis_interval_s = 1;
	config->cg_dscp = -1;
}

static void *option_field(const struct option_spec *spec, struct cgnf_config *config)
{
	return (char *)config + spec->offset;
}

static const void *option_field_const(const struct option_spec *spec,
				      const struct cgnf_config *config)
{
	return (const char *)config + spec->offset;
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t err_size,
						      const char *format, ...)
{
	va_list args;

	if (err != NULL && err_size > 0) {
		va_start(args, format);
		vsnprintf(err, err_size, format, args);
		va_end(args);
	}
	return -EINVAL;
}

/* "an integer in 1..65535", the expectation quoted in every range error. */
static void describe_range(const struct option_spec *spec, char *out, size_t size)
{
	switch (spec->type) {
	case OPTION_UINT:
		snprintf(out, size, "%s in %.0f..%.0f",
			 spec->power_of_two ? "a power of two" : "an integer", spec->min,
			 spec->max);
		break;
	case OPTION_SECONDS:
		snprintf(out, size, "a number of seconds %s %g and <= %g",
			 spec->above_min ? ">" : ">=", spec->min, spec->max);
		break;
	case OPTION_RATIO:
		snprintf(out, size, "a number in %g..%g", spec->min, spec->max);
		break;
	default:
		snprintf(out, size, "a value");
		break;
	}
}

/* "expected an integer in 1..65535, got '70000'": got is formatted like printf. */
__attribute__((format(printf, 4, 5))) static int fail_expected(const struct option_spec *spec,
							       char *reason, size_t reason_size,
							       const char *got_format, ...)
{
	char expected[64], got[128];
	va_list args;

	describe_range(spec, expected, sizeof(expected));
	va_start(args, got_format);
	vsnprintf(got, sizeof(got), got_format, args);
	va_end(args);
	return fail(reason, reason_size, "expected %s, got %s", expected, got);
}

static bool in_range(const struct option_spec *spec, double value)
{
	/* Written so that NaN fails both comparisons. */
	if (spec->above_min ? !(value > spec->min) : !(value >= spec->min))
		return false;
	return value <= spec->max;
}

static bool uint_acceptable(const struct option_spec *spec, unsigned long long value)
{
	return in_range(spec, (double)value) && (!spec->power_of_two || (value & (value - 1)) == 0);
}

static void store_uint(const struct option_spec *spec, struct cgnf_config *config,
		       unsigned long long value)
{
	uint16_t narrow = (uint16_t)value;
	uint32_t word = (uint32_t)value;

	if (spec->size == sizeof(narrow))
		memcpy(option_field(spec, config), &narrow, sizeof(narrow));
	else
		memcpy(option_field(spec, config), &word, sizeof(word));
}

static unsigned long long load_uint(const struct option_spec *spec,
				    const struct cgnf_config *config)
{
	uint16_t narrow;
	uint32_t word;

	if (spec->size == sizeof(narrow)) {
		memcpy(&narrow, option_field_const(spec, config), sizeof(narrow));
		return narrow;
	}
	memcpy(&word, option_field_const(spec, config), sizeof(word));
	return word;
}

static void store_real(const struct option_spec *spec, struct cgnf_config *config, double value)
{
	memcpy(option_field(spec, config), &value, sizeof(value));
}

static double load_real(const struct option_spec *spec, const struct cgnf_config *config)
{
	double value;

	memcpy(&value, option_field_const(spec, config), sizeof(value));
	return value;
}

static int set_path(const struct option_spec *spec, struct cgnf_config *config, const char *path,
		    char *reason, size_t reason_size)
{
	if (path[0] == '\0')
		return fail(reason, reason_size, "empty path");
	if (strlen(path) >= spec->size)
		return fail(reason, reason_size, "path longer than %zu bytes", spec->size - 1);
	strcpy(option_field(spec, config), path);
	return 0;
}

static void clear_list(const struct option_spec *spec, struct cgnf_config *config)
{
	if (spec->type == OPTION_FORWARDS)
		config->forward_count = 0;
	else if (spec->type == OPTION_PREFIXES)
		((struct prefix_list *)option_field(spec, config))->count = 0;
	else
		config->local_ip_count = 0;
}

/* "P:Q": two port ids; a port forwards to one port only. */
static int add_forward(struct cgnf_config *config, const char *text, char *reason,
		       size_t reason_size)
{
	unsigned long from, to;
	char *end;

	errno = 0;
	from = isdigit((unsigned char)text[0]) ? strtoul(text, &end, 10) : ULONG_MAX;
	if (from == ULONG_MAX || *end != ':' || !isdigit((unsigned char)end[1]))
		goto bad;
	to = strtoul(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || from > CONFIG_PORT_ID_MAX || to > CONFIG_PORT_ID_MAX)
		goto bad;
	for (unsigned int i = 0; i < config->forward_count; i++)
		if (config->forwards[i].from == from)
			return fail(reason, reason_size,
				    "port %lu forwards to port %u already: one egress per port",
				    from, config->forwards[i].to);
	if (config->forward_count >= CONFIG_FORWARD_MAX)
		return fail(reason, reason_size, "more than %d forwards", CONFIG_FORWARD_MAX);
	config->forwards[config->forward_count++] =
		(struct config_forward){.from = (uint16_t)from, .to = (uint16_t)to};
	return 0;
bad:
	return fail(reason, reason_size, "expected P:Q, two port ids (0..%d), got '%s'",
		    CONFIG_PORT_ID_MAX, text);
}

static int set_dscp(struct cgnf_config *config, const char *text, char *reason, size_t reason_size)
{
	uint8_t dscp;

	if (dscp_parse(text, &dscp) != 0)
		return fail(
			reason, reason_size,
			"expected a DSCP, 0..63 or a name (EF, VA, AFxy, CSn, LE, BE), got '%s'",
			text);
	config->cg_dscp = dscp;
	return 0;
}

static int add_to_list(const struct option_spec *spec, struct cgnf_config *config, const char *text,
		       char *reason, size_t reason_size)
{
	int ret;

	if (spec->type == OPTION_FORWARDS)
		return add_forward(config, text, reason, reason_size);

	if (spec->type == OPTION_PREFIXES) {
		ret = prefix_list_add(option_field(spec, config), text);
		if (ret == -ENOSPC)
			return fail(reason, reason_size, "more than %d prefixes", PREFIX_LIST_MAX);
		if (ret < 0)
			return fail(
				reason, reason_size,
				"'%s' is not an address or a prefix ADDR/LEN with its host bits "
				"clear",
				text);
		return 0;
	}
	if (config->local_ip_count >= CONFIG_LOCAL_IP_MAX)
		return fail(reason, reason_size, "more than %d addresses", CONFIG_LOCAL_IP_MAX);
	if (ip_parse(&config->local_ips[config->local_ip_count], text, strlen(text)) != 0)
		return fail(reason, reason_size, "'%s' is not an IPv4 or IPv6 address", text);
	config->local_ip_count++;
	return 0;
}

/* The whole text must be a decimal integer: no sign, blanks or suffix. */
static bool parse_uint_text(const char *text, unsigned long long *value)
{
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return false;
	errno = 0;
	*value = strtoull(text, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool parse_real_text(const char *text, double *value)
{
	char *end;

	if (text[0] == '\0' || isspace((unsigned char)text[0]))
		return false;
	errno = 0;
	*value = strtod(text, &end);
	return errno == 0 && *end == '\0' && isfinite(*value);
}

/* A command-line value; lists are cleared by the caller. */
/* One of the option's words, stored as its index. */
static int set_choice(const struct option_spec *spec, struct cgnf_config *config, const char *word,
		      char *reason, size_t reason_size)
{
	char expected[128] = "";

	for (unsigned int i = 0; spec->choices[i] != NULL; i++) {
		if (strcmp(word, spec->choices[i]) == 0) {
			*(unsigned int *)option_field(spec, config) = i;
			return 0;
		}
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s",
			 i ? " or " : "", spec->choices[i]);
	}
	return fail(reason, reason_size, "expected %s, got '%s'", expected, word);
}

static void mark_given(const struct option_spec *spec, struct cgnf_config *config)
{
	size_t index = (size_t)(spec - option_specs);

	config->given[index / 64] |= UINT64_C(1) << (index % 64);
}

static bool is_given(const struct option_spec *spec, const struct cgnf_config *config)
{
	size_t index = (size_t)(spec - option_specs);

	return (config->given[index / 64] >> (index % 64)) & 1;
}

static int option_set_text(const struct option_spec *spec, struct cgnf_config *config,
			   const char *text, char *reason, size_t reason_size)
{
	unsigned long long integer;
	double real;

	switch (spec->type) {
	case OPTION_PATH:
		return set_path(spec, config, text, reason, reason_size);
	case OPTION_UINT:
		if (!parse_uint_text(text, &integer) || !uint_acceptable(spec, integer))
			break;
		store_uint(spec, config, integer);
		return 0;
	case OPTION_SECONDS:
	case OPTION_RATIO:
		if (!parse_real_text(text, &real) || !in_range(spec, real))
			break;
		store_real(spec, config, real);
		return 0;
	case OPTION_FLAG:
		*(bool *)option_field(spec, config) = true;
		return 0;
	case OPTION_PREFIXES:
	case OPTION_ADDRESSES:
	case OPTION_FORWARDS:
		return add_to_list(spec, config, text, reason, reason_size);
	case OPTION_CHOICE:
		return set_choice(spec, config, text, reason, reason_size);
	case OPTION_DSCP:
		return set_dscp(config, text, reason, reason_size);
	default:
		return fail(reason, reason_size, "not a settable option");
	}
	return fail_expected(spec, reason, reason_size, "'%s'", text);
}

static const char *json_type_name(const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* "config/../model/x.json" for "../model/x.json" in "config/cgnf.json". */
static int resolve_path(const struct option_spec *spec, struct cgnf_config *config,
			const char *config_path, const char *path, char *reason, size_t reason_size)
{
	const char *slash = strrchr(config_path, '/');
	char joined[CONFIG_PATH_MAX];
	int len;

	if (path[0] == '/' || path[0] == '\0' || slash == NULL)
		return set_path(spec, config, path, reason, reason_size);
	len = snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - config_path), config_path,
		       path);
	if (len < 0 || (size_t)len >= sizeof(joined))
		return fail(reason, reason_size, "path longer than %zu bytes", sizeof(joined) - 1);
	return set_path(spec, config, joined, reason, reason_size);
}

static int option_set_json(const struct option_spec *spec, struct cgnf_config *config,
			   const json_t *value, const char *config_path, char *reason,
			   size_t reason_size)
{
	const json_t *item;
	json_int_t integer;
	size_t index;
	double real;
	int ret;

	switch (spec->type) {
	case OPTION_PATH:
		if (!json_is_string(value))
			return fail(reason, reason_size, "expected a string, got %s",
				    json_type_name(value));
		if (spec->relative_to_file)
			return resolve_path(spec, config, config_path, json_string_value(value),
					    reason, reason_size);
		return set_path(spec, config, json_string_value(value), reason, reason_size);
	case OPTION_UINT:
		if (!json_is_integer(value))
			break;
		integer = json_integer_value(value);
		if (integer < 0 || !uint_acceptable(spec, (unsigned long long)integer))
			return fail_expected(spec, reason, reason_size, "%lld", (long long)integer);
		store_uint(spec, config, (unsigned long long)integer);
		return 0;
	case OPTION_SECONDS:
	case OPTION_RATIO:
		if (!json_is_number(value))
			break;
		real = json_number_value(value);
		if (!in_range(spec, real))
			return fail_expected(spec, reason, reason_size, "%g", real);
		store_real(spec, config, real);
		return 0;
	case OPTION_FLAG:
		if (!json_is_boolean(value))
			return fail(reason, reason_size, "expected true or false, got %s",
				    json_type_name(value));
		*(bool *)option_field(spec, config) = json_is_true(value);
		return 0;
	case OPTION_CHOICE:
		if (!json_is_string(value))
			return fail(reason, reason_size, "expected a string, got %s",
				    json_type_name(value));
		return set_choice(spec, config, json_string_value(value), reason, reason_size);
	case OPTION_DSCP:
		if (json_is_integer(value) && json_integer_value(value) >= 0 &&
		    json_integer_value(value) <= DSCP_MAX) {
			config->cg_dscp = (int)json_integer_value(value);
			return 0;
		}
		if (!json_is_string(value))
			return fail(reason, reason_size,
				    "expected 0..63 or a DSCP name as a string, got %s",
				    json_type_name(value));
		return set_dscp(config, json_string_value(value), reason, reason_size);
	case OPTION_PREFIXES:
	case OPTION_ADDRESSES:
	case OPTION_FORWARDS:
		if (!json_is_array(value))
			return fail(reason, reason_size, "expected an array of strings, got %s",
				    json_type_name(value));
		clear_list(spec, config);
		json_array_foreach(value, index, item)
		{
			if (!json_is_string(item))
				return fail(reason, reason_size,
					    "item %zu: expected a string, got %s", index,
					    json_type_name(item));
			ret = add_to_list(spec, config, json_string_value(item), reason,
					  reason_size);
			if (ret < 0)
				return ret;
		}
		return 0;
	default:
		return fail(reason, reason_size, "unknown key");
	}
	return fail_expected(spec, reason, reason_size, "%s", json_type_name(value));
}

/* The option whose name is key with '_' for '-'; NULL if none (or command line only). */
static const struct option_spec *find_key(const char *key)
{
	const struct option_spec *spec;
	const char *name, *c;

	for (spec = option_specs; spec < option_specs + OPTION_COUNT; spec++) {
		if (spec->type == OPTION_CONFIG || spec->type == OPTION_HELP)
			continue;
		for (name = spec->name, c = key; *name != '\0'; name++, c++)
			if (*c != (*name == '-' ? '_' : *name))
				break;
		if (*name == '\0' && *c == '\0')
			return spec;
	}
	return NULL;
}

int config_load_file(struct cgnf_config *config, const char *path, char *err, size_t err_size)
{
	const struct option_spec *spec;
	json_error_t error;
	char reason[256];
	const char *key;
	json_t *root, *value;
	FILE *file;
	int ret = 0;

	file = fopen(path, "r");
	if (file == NULL)
		return fail(err, err_size, "%s: cannot open: %s", path, strerror(errno));
	root = json_loadf(file, JSON_REJECT_DUPLICATES, &error);
	fclose(file);
	if (root == NULL)
		return fail(err, err_size, "%s:%d:%d: %s", path, error.line, error.column,
			    error.text);
	if (!json_is_object(root)) {
		ret = fail(err, err_size, "%s: expected a JSON object of options, got %s", path,
			   json_type_name(root));
		goto out;
	}

	json_object_foreach(root, key, value)
	{
		if (strcmp(key, COMMENT_KEY) == 0) {
			if (!json_is_string(value)) {
				ret = fail(err, err_size, "%s: key '%s': expected a string, got %s",
					   path, key, json_type_name(value));
				goto out;
			}
			continue;
		}
		spec = find_key(key);
		if (spec == NULL) {
			ret = fail(err, err_size, "%s: key '%s': unknown key", path, key);
			goto out;
		}
		if (option_set_json(spec, config, value, path, reason, sizeof(reason)) < 0) {
			ret = fail(err, err_size, "%s: key '%s': %s", path, key, reason);
			goto out;
		}
		mark_given(spec, config);
	}
	if (strlen(path) < sizeof(config->config_path))
		strcpy(config->config_path, path);
out:
	json_decref(root);
	return ret;
}

struct given_option {
	const struct option_spec *spec;
	const char *value;
};

/*
 * One getopt_long pass that only records the options, so that --config can
 * be applied first whatever its position.  Returns how many were recorded,
 * 1 after --help, or -EINVAL.
 */
static int collect_options(int argc, char **argv, struct given_option *given, int *given_count,
			   char *err, size_t err_size)
{
	struct option long_options[OPTION_COUNT + 1];
	const struct option_spec *spec;
	bool takes_value;
	size_t i;
	int c;

	for (i = 0; i < OPTION_COUNT; i++) {
		spec = &option_specs[i];
		takes_value = spec->type != OPTION_FLAG && spec->type != OPTION_HELP;
		long_options[i] =
			(struct option){spec->name, takes_value ? required_argument : no_argument,
					NULL, OPTION_VALUE_BASE + (int)i};
	}
	long_options[OPTION_COUNT] = (struct option){NULL, 0, NULL, 0};

	/* 0, not 1: glibc then also forgets where it stopped in EAL's (or a previous) argv. */
	optind = 0;
	opterr = 0;
	*given_count = 0;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if (c == 'h') {
			config_print_usage(argv[0]);
			return 1;
		}
		if (c == ':')
			return fail(err, err_size, "option %s needs a value", argv[optind - 1]);
		if (c == '?') {
			if (optopt >= OPTION_VALUE_BASE)
				return fail(err, err_size, "option --%s takes no value",
					    option_specs[optopt - OPTION_VALUE_BASE].name);
			if (optopt != 0)
				return fail(err, err_size, "unknown option '-%c'", optopt);
			return fail(err, err_size, "unknown option '%s' (see --help)",
				    argv[optind - 1]);
		}
		spec = &option_specs[c - OPTION_VALUE_BASE];
		if (spec->type == OPTION_HELP) {
			config_print_usage(argv[0]);
			return 1;
		}
		given[*given_count].spec = spec;
		given[*given_count].value = optarg;
		(*given_count)++;
	}
	if (optind < argc)
		return fail(err, err_size, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int config_parse_args(struct cgnf_config *config, int argc, char **argv, char *err, size_t err_size)
{
	bool list_given[OPTION_COUNT] = {false};
	const char *config_file = NULL;
	struct given_option *given;
	const struct option_spec *spec;
	char reason[256];
	int given_count, i, ret;

	config_set_defaults(config);
	given = calloc((size_t)argc + 1, sizeof(*given));
	if (given == NULL)
		return fail(err, err_size, "out of memory");
	ret = collect_options(argc, argv, given, &given_count, err, err_size);
	if (ret != 0)
		goto out;

	for (i = 0; i < given_count; i++) {
		if (given[i].spec->type != OPTION_CONFIG)
			continue;
		if (config_file != NULL) {
			ret = fail(err, err_size, "option --config given twice");
			goto out;
		}
		config_file = given[i].value;
	}
	if (config_file != NULL) {
		ret = config_load_file(config, config_file, err, err_size);
		if (ret < 0)
			goto out;
	}

	for (i = 0; i < given_count; i++) {
		spec = given[i].spec;
		if (spec->type == OPTION_CONFIG)
			continue;
		/* A list on the command line replaces the file's, it does not extend it. */
		if ((spec->type == OPTION_PREFIXES || spec->type == OPTION_ADDRESSES ||
		     spec->type == OPTION_FORWARDS) &&
		    !list_given[spec - option_specs]) {
			list_given[spec - option_specs] = true;
			clear_list(spec, config);
		}
		if (option_set_text(spec, config, given[i].value, reason, sizeof(reason)) < 0) {
			ret = fail(err, err_size, "option --%s: %s", spec->name, reason);
			goto out;
		}
		mark_given(spec, config);
	}
out:
	free(given);
	return ret;
}

/*
 * Every output option's path, checked now rather than when the outputs are
 * written: its directory, what is already there, and no two the same file.
 */
static int check_output_paths(const struct cgnf_config *config, char *err, size_t err_size)
{
	struct output_option outputs[OPTION_COUNT];
	char names[OPTION_COUNT][32];
	const struct option_spec *spec;
	unsigned int count = 0;

	for (spec = option_specs; spec < option_specs + OPTION_COUNT; spec++) {
		if (!spec->output)
			continue;
		snprintf(names[count], sizeof(names[count]), "--%s", spec->name);
		outputs[count] = (struct output_option){
			.option = names[count],
			.path = option_field_const(spec, config),
			.kind = spec->output_kind,
		};
		count++;
	}
	return output_paths_check(outputs, count, err, err_size);
}

int config_validate(const struct cgnf_config *config, char *err, size_t err_size)
{
	const struct option_spec *spec;
	char reason[256];
	int ret = 0;

	if (config->model_path[0] == '\0')
		return fail(err, err_size,
			    "no model: give --model FILE (or \"model\" in the config file)");

	/* The same ranges as the parsers, for a struct filled some other way. */
	for (spec = option_specs; spec < option_specs + OPTION_COUNT; spec++) {
		if (spec->type == OPTION_UINT && !uint_acceptable(spec, load_uint(spec, config)))
			ret = fail_expected(spec, reason, sizeof(reason), "%llu",
					    load_uint(spec, config));
		else if ((spec->type == OPTION_SECONDS || spec->type == OPTION_RATIO) &&
			 !in_range(spec, load_real(spec, config)))
			ret = fail_expected(spec, reason, sizeof(reason), "%g",
					    load_real(spec, config));
		if (ret < 0)
			return fail(err, err_size, "option --%s: %s", spec->name, reason);
	}

	/* An option of the other input would be silently ignored: refuse it. */
	for (spec = option_specs; spec < option_specs + OPTION_COUNT; spec++)
		if (spec->for_input && spec->input != config->input && is_given(spec, config))
			return fail(err, err_size,
				    "--%s means nothing with --input %s (it is for --input %s)",
				    spec->name, input_names[config->input],
				    input_names[spec->input]);

	/* Marking acts on forwarded frames: without --forward it would do nothing. */
	if (config->cg_dscp >= 0 && config->forward_count == 0)
		return fail(err, err_size, "--cg-dscp means nothing without --forward");
	spec = find_key("cg_mark_only");
	if (spec != NULL && is_given(spec, config) && config->cg_dscp < 0)
		return fail(err, err_size, "--cg-mark-only means nothing without --cg-dscp");

	/* A verdict needs M reports in a window that never holds more than N. */
	if (config->verdict_min_reports > config->verdict_window)
		return fail(err, err_size,
			    "--verdict-min-reports %u is larger than --verdict-window %u",
			    config->verdict_min_reports, config->verdict_window);
	if (config->probes.count > PREFIX_LIST_MAX || config->lan.count > PREFIX_LIST_MAX ||
	    config->local_ip_count > CONFIG_LOCAL_IP_MAX)
		return fail(err, err_size, "too many prefixes or addresses");
	return check_output_paths(config, err, err_size);
}

/* A prefix or address list as an array of texts. */
static json_t *list_to_json(const struct option_spec *spec, const struct cgnf_config *config)
{
	json_t *array = json_array();
	char text[IP_TEXT_MAX + 4];
	unsigned int i;

	if (spec->type == OPTION_FORWARDS) {
		for (i = 0; i < config->forward_count && array != NULL; i++) {
			snprintf(text, sizeof(text), "%u:%u", config->forwards[i].from,
				 config->forwards[i].to);
			json_array_append_new(array, json_string(text));
		}
	} else if (spec->type == OPTION_PREFIXES) {
		const struct prefix_list *list = option_field_const(spec, config);

		for (i = 0; i < list->count && array != NULL; i++) {
			prefix_format(&list->items[i], text, sizeof(text));
			json_array_append_new(array, json_string(text));
		}
	} else {
		for (i = 0; i < config->local_ip_count && array != NULL; i++) {
			ip_format(&config->local_ips[i], text);
			json_array_append_new(array, json_string(text));
		}
	}
	return array;
}

json_t *config_to_json(const struct cgnf_config *config)
{
	const struct option_spec *spec;
	json_t *object = json_object(), *value;
	char key[64];

	for (spec = option_specs; spec < option_specs + OPTION_COUNT && object != NULL; spec++) {
		switch (spec->type) {
		case OPTION_PATH:
			value = json_string(option_field_const(spec, config));
			break;
		case OPTION_UINT:
			value = json_integer((json_int_t)load_uint(spec, config));
			break;
		case OPTION_SECONDS:
		case OPTION_RATIO:
			value = json_real(load_real(spec, config));
			break;
		case OPTION_FLAG:
			value = json_boolean(*(const bool *)option_field_const(spec, config));
			break;
		case OPTION_PREFIXES:
		case OPTION_ADDRESSES:
		case OPTION_FORWARDS:
			value = list_to_json(spec, config);
			break;
		case OPTION_DSCP:
			value = config->cg_dscp >= 0 ? json_integer(config->cg_dscp) : json_null();
			break;
		case OPTION_CHOICE:
			value = json_string(spec->choices[*(const unsigned int *)option_field_const(
				spec, config)]);
			break;
		case OPTION_CONFIG:
			value = json_string(config->config_path);
			break;
		default:
			continue;
		}
		snprintf(key, sizeof(key), "%s", spec->name);
		for (char *c = key; *c != '\0'; c++)
			if (*c == '-')
				*c = '_';
		json_object_set_new(object, key, value);
	}
	return object;
}

/* The default of a numeric option as text; empty for the others (off, none). */
static void format_default(const struct option_spec *spec, const struct cgnf_config *defaults,
			   char *out, size_t size)
{
	if (spec->type == OPTION_UINT)
		snprintf(out, size, " (default: %llu)", load_uint(spec, defaults));
	else if (spec->type == OPTION_SECONDS || spec->type == OPTION_RATIO)
		snprintf(out, size, " (default: %g)", load_real(spec, defaults));
	else if (spec->type == OPTION_CHOICE)
		snprintf(out, size, " (default: %s)",
			 spec->choices[*(const unsigned int *)option_field_const(spec, defaults)]);
	else
		out[0] = '\0';
}

void config_print_usage(const char *program)
{
	const struct option_spec *spec;
	struct cgnf_config defaults;
	char left[64], default_text[32];
	const char *line, *end;

	config_set_defaults(&defaults);
	printf("Usage: %s [EAL options] -- --model FILE [options]\n\n"
	       "Tells which IP conversations are cloud gaming from the probe's reports.\n"
	       "--config FILE is applied first, then the other options override it; a list\n"
	       "option (--probe, --lan, --ip, --forward) given on the command line replaces the "
	       "file's.\n\n",
	       program);
	for (spec = option_specs; spec < option_specs + OPTION_COUNT; spec++) {
		snprintf(left, sizeof(left), "--%s%s%s", spec->name, spec->argument ? " " : "",
			 spec->argument ? spec->argument : "");
		format_default(spec, &defaults, default_text, sizeof(default_text));
		for (line = spec->help; line != NULL; line = end != NULL ? end + 1 : NULL) {
			end = strchr(line, '\n');
			printf("  %-24s %.*s%s\n", line == spec->help ? left : "",
			       (int)(end != NULL ? end - line : (ptrdiff_t)strlen(line)), line,
			       end == NULL ? default_text : "");
		}
	}
	printf("\nIn a JSON config file the keys are the option names with '_' for '-'\n"
	       "(\"udp_port\": 5000, \"lan\": [\"192.168.0.0/16\"], \"exit_on_idle\": true);\n"
	       "\"%s\" holds free text.  See config/cgnf.json.\n",
	       COMMENT_KEY);
}
