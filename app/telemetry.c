/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry commands.  Every reply is built from data this thread may read
 * without disturbing the datapath: per-lcore counters by atomic loads
 * (stats.h), the pair table by a question in the aggregator's mailbox
 * (agg_query.h), the model by reload.h's status, the ports by ethdev's
 * stats calls.  Telemetry limits a reply to 16 KiB, a dict to 256 entries,
 * a string to 127 characters: the commands are shaped to fit them.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "drop_reason.h"
#include "ip.h"
#include "pair_table.h"
#include "prefix.h"
#include "tree.h"

#include "agg_query.h"
#include "cgnf.h"
#include "log.h"
#include "reload.h"
#include "stats.h"
#include "telemetry.h"

RTE_LOG_REGISTER(cgnf_logtype_telemetry, cgnf.telemetry, INFO);

#define TOP_PAIRS_DEFAULT 10
/*
 * About 150 bytes a pair with IPv6 addresses (14.9 KB measured for 100):
 * 100 fit the 16 KiB reply.  Past it, telemetry leaves the last pairs out
 * whole and the JSON stays valid.
 */
#define TOP_PAIRS_MAX 100
/* The aggregator answers within one loop; this only bounds a stuck one. */
#define QUERY_TIMEOUT_MS 2000

_Static_assert(TOP_PAIRS_MAX <= AGG_QUERY_TOP_MAX, "the mailbox holds the longest top list");

/*
 * Readers: the callbacks, each for the whole of its reply.  Writer:
 * telemetry_fini, so that the app's memory is not freed under a callback.
 */
static pthread_rwlock_t app_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct cgnf_app *active_app;

typedef int (*command_fn)(struct cgnf_app *app, const char *params, struct rte_tel_data *d);

static int reply_error(struct rte_tel_data *d, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static int reply_error(struct rte_tel_data *d, const char *format, ...)
{
	char message[RTE_TEL_MAX_STRING_LEN];
	va_list args;

	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", message);
	return 0;
}

static bool has_params(const char *params)
{
	return params != NULL && params[0] != '\0';
}

/* A decimal number without sign, spaces or leading junk, up to max. */
static int parse_unsigned(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || *out > max)
		return -EINVAL;
	return 0;
}

/* Adds a container to a dict, freeing it when telemetry refuses it. */
static void add_dict_container(struct rte_tel_data *d, const char *name, struct rte_tel_data *c)
{
	if (c != NULL && rte_tel_data_add_dict_container(d, name, c, 0) != 0)
		rte_tel_data_free(c);
}

static struct rte_tel_data *drops_container(const struct cgnf_totals *totals)
{
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c == NULL)
		return NULL;
	rte_tel_data_start_dict(c);
	for (unsigned int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++)
		rte_tel_data_add_dict_u64(c, drop_reason_name(r), totals->drops[r]);
	return c;
}

static void add_rx_counters(struct rte_tel_data *d, const struct cgnf_totals *totals)
{
	rte_tel_data_add_dict_u64(d, "rx_packets", totals->rx_packets);
	rte_tel_data_add_dict_u64(d, "reports_enqueued", totals->reports_enqueued);
	rte_tel_data_add_dict_u64(d, "dropped_total", totals->dropped);
	rte_tel_data_add_dict_u64(d, "neighbor_replies", totals->neighbor_replies);
	rte_tel_data_add_dict_u64(d, "neighbor_unsent", totals->neighbor_unsent);
	add_dict_container(d, "dropped", drops_container(totals));
}

static void add_classifier_counters(struct rte_tel_data *d, const struct cgnf_totals *totals)
{
	rte_tel_data_add_dict_u64(d, "classified", totals->classified);
	rte_tel_data_add_dict_u64(d, "classified_cg", totals->classified_cg);
}

static void add_aggregator_counters(struct rte_tel_data *d, const struct cgnf_app *app,
				    const struct aggregator_stats *agg)
{
	uint64_t latency_mean_ns = agg->reports ? agg->latency_sum_ns / agg->reports : 0;

	rte_tel_data_add_dict_u64(d, "reports", agg->reports);
	rte_tel_data_add_dict_u64(d, "reports_cg", agg->reports_cg);
	rte_tel_data_add_dict_u64(d, "reports_ncg", agg->reports - agg->reports_cg);
	rte_tel_data_add_dict_u64(d, "pairs", agg->pairs);
	rte_tel_data_add_dict_u64(d, "cg_pairs", agg->cg_pairs);
	rte_tel_data_add_dict_u64(d, "pairs_inserted", agg->inserted);
	rte_tel_data_add_dict_u64(d, "pairs_expired", agg->expired);
	rte_tel_data_add_dict_u64(d, "pairs_evicted", agg->evicted);
	rte_tel_data_add_dict_u64(d, "latency_mean_ns", latency_mean_ns);
	rte_tel_data_add_dict_u64(d, "latency_max_ns", agg->latency_max_ns);
	rte_tel_data_add_dict_u64(d, "elapsed_ms",
				  (uint64_t)(stats_elapsed_s(app, agg) * 1e3 + 0.5));
}

static const char *role_name(enum lcore_role role)
{
	switch (role) {
	case ROLE_AGGREGATOR:
		return "aggregator";
	case ROLE_RX:
		return "rx";
	case ROLE_CLASSIFIER:
		return "classifier";
	default:
		return "none";
	}
}

static int command_stats_lcore(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct cgnf_totals totals;
	unsigned long lcore_id;
	enum lcore_role role;

	if (parse_unsigned(params, RTE_MAX_LCORE - 1, &lcore_id) != 0)
		return reply_error(d, "LCORE_ID must be a number from 0 to %u, got '%.40s'",
				   RTE_MAX_LCORE - 1, params);
	if (stats_sum_lcore(app, (unsigned int)lcore_id, &totals) != 0)
		return reply_error(
			d, "lcore %lu is not one of cgnf's RX, classifier or aggregator lcores",
			lcore_id);
	role = app->roles[lcore_id];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "lcore", lcore_id);
	rte_tel_data_add_dict_string(d, "role", role_name(role));
	if (role == ROLE_RX) {
		rte_tel_data_add_dict_u64(d, "queue", app->role_index[lcore_id]);
		add_rx_counters(d, &totals);
	} else if (role == ROLE_CLASSIFIER) {
		add_classifier_counters(d, &totals);
	} else {
		add_aggregator_counters(d, app, &totals.aggregator);
	}
	return 0;
}

static int command_stats(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct cgnf_totals totals;

	if (has_params(params))
		return command_stats_lcore(app, params, d);
	stats_sum(app, &totals);
	rte_tel_data_start_dict(d);
	add_rx_counters(d, &totals);
	add_classifier_counters(d, &totals);
	add_aggregator_counters(d, app, &totals.aggregator);
	return 0;
}

/* Milliseconds from an earlier app-clock time to a later one (0 if not later). */
static uint64_t ms_between(uint64_t earlier_ns, uint64_t later_ns)
{
	return later_ns > earlier_ns ? (later_ns - earlier_ns) / 1000000 : 0;
}

static void add_pair_fields(struct rte_tel_data *d, const struct pair_stats *stats)
{
	char ip1[IP_TEXT_MAX], ip2[IP_TEXT_MAX];

	ip_format(&stats->pair.ip1, ip1);
	ip_format(&stats->pair.ip2, ip2);
	rte_tel_data_add_dict_string(d, "ip1", ip1);
	rte_tel_data_add_dict_string(d, "ip2", ip2);
	rte_tel_data_add_dict_u64(d, "cg", stats->cg);
	rte_tel_data_add_dict_u64(d, "ncg", stats->ncg);
	rte_tel_data_add_dict_string(d, "verdict", pair_verdict_name(stats->verdict));
}

static int query_error(struct rte_tel_data *d, int rc)
{
	switch (rc) {
	case -ENOENT:
		return reply_error(d, "no such pair in the table");
	case -ETIMEDOUT:
		return reply_error(d, "the aggregator did not answer within %u ms",
				   QUERY_TIMEOUT_MS);
	case -ESHUTDOWN:
		return reply_error(d, "cgnf is stopping: the pair table is closed");
	default:
		return reply_error(d, "pair table query failed: %s", strerror(-rc));
	}
}

/*
 * A dict keyed by rank, "1" first: telemetry 22.11 takes dicts inside a dict
 * but not inside an array.
 */
static int command_pairs(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct pair_stats answer[TOP_PAIRS_MAX];
	char rank[16];
	unsigned long wanted = TOP_PAIRS_DEFAULT;
	unsigned int count, i;
	int rc;

	(void)app;
	if (has_params(params) &&
	    (parse_unsigned(params, TOP_PAIRS_MAX, &wanted) != 0 || wanted == 0))
		return reply_error(d, "N must be a number from 1 to %u, got '%.40s'", TOP_PAIRS_MAX,
				   params);
	rc = agg_query_top((unsigned int)wanted, answer, &count, QUERY_TIMEOUT_MS);
	if (rc != 0)
		return query_error(d, rc);
	rte_tel_data_start_dict(d);
	for (i = 0; i < count; i++) {
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		add_pair_fields(c, &answer[i]);
		snprintf(rank, sizeof(rank), "%u", i + 1);
		add_dict_container(d, rank, c);
	}
	return 0;
}

/* "IP1,IP2", either family, spaces around each address allowed. */
static int parse_pair(const char *params, struct ip_pair *pair)
{
	const char *comma = strchr(params, ',');
	const char *first_end, *second, *second_end = params + strlen(params);

	if (comma == NULL)
		return -EINVAL;
	second = comma + 1;
	if (strchr(second, ',') != NULL)
		return -EINVAL;
	while (*params == ' ')
		params++;
	for (first_end = comma; first_end > params && first_end[-1] == ' '; first_end--)
		;
	while (*second == ' ')
		second++;
	while (second_end > second && second_end[-1] == ' ')
		second_end--;
	if (ip_parse(&pair->ip1, params, (size_t)(first_end - params)) != 0 ||
	    ip_parse(&pair->ip2, second, (size_t)(second_end - second)) != 0)
		return -EINVAL;
	return 0;
}

static int command_pair(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct pair_stats stats;
	struct ip_pair pair;
	uint64_t now_ns;
	int rc;

	if (!has_params(params) || parse_pair(params, &pair) != 0)
		return reply_error(d,
				   "expected /cgnf/pair,IP1,IP2 (two IPv4 or IPv6 addresses), "
				   "got '%.40s'",
				   has_params(params) ? params : "");
	rc = agg_query_pair(&pair, &stats, QUERY_TIMEOUT_MS);
	if (rc != 0)
		return query_error(d, rc);
	now_ns = cgnf_clock_ns(app);
	rte_tel_data_start_dict(d);
	add_pair_fields(d, &stats);
	rte_tel_data_add_dict_u64(d, "reports", stats.cg + stats.ncg);
	rte_tel_data_add_dict_u64(d, "window_reports", stats.window_reports);
	rte_tel_data_add_dict_u64(d, "window_cg", stats.window_cg);
	rte_tel_data_add_dict_u64(d, "seen_for_ms",
				  ms_between(stats.first_seen_ns, stats.last_seen_ns));
	rte_tel_data_add_dict_u64(d, "idle_ms", ms_between(stats.last_seen_ns, now_ns));
	return 0;
}

static void add_model_fields(struct rte_tel_data *d, const struct reload_status *status)
{
	const struct tree_info *info = &status->model;
	char checksum[17];

	snprintf(checksum, sizeof(checksum), "%016" PRIx64, info->checksum);
	rte_tel_data_add_dict_string(d, "path", info->path);
	rte_tel_data_add_dict_string(d, "source", info->source);
	rte_tel_data_add_dict_string(d, "checksum", checksum);
	rte_tel_data_add_dict_u64(d, "format_version", info->format_version);
	rte_tel_data_add_dict_u64(d, "features", info->n_features);
	rte_tel_data_add_dict_u64(d, "nodes", info->n_nodes);
	rte_tel_data_add_dict_u64(d, "leaves", info->n_leaves);
	rte_tel_data_add_dict_u64(d, "depth", info->depth);
	rte_tel_data_add_dict_u64(d, "classes", info->n_classes);
	rte_tel_data_add_dict_string(d, "cg_class", info->cg_class_name);
	rte_tel_data_add_dict_u64(d, "reloads", status->reloads);
	rte_tel_data_add_dict_u64(d, "reloads_refused", status->refused);
}

static int command_model(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct reload_status status;

	(void)app;
	if (has_params(params))
		return reply_error(d, "/cgnf/model takes no parameter");
	reload_get_status(&status);
	rte_tel_data_start_dict(d);
	add_model_fields(d, &status);
	return 0;
}

static struct rte_tel_data *prefixes_container(const struct prefix_list *list)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	char text[IP_TEXT_MAX + 4];

	if (c == NULL)
		return NULL;
	rte_tel_data_start_array(c, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < list->count; i++) {
		prefix_format(&list->items[i], text, sizeof(text));
		rte_tel_data_add_array_string(c, text);
	}
	return c;
}

static struct rte_tel_data *addresses_container(const struct ip_addr *addrs, unsigned int count)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	char text[IP_TEXT_MAX];

	if (c == NULL)
		return NULL;
	rte_tel_data_start_array(c, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < count; i++) {
		ip_format(&addrs[i], text);
		rte_tel_data_add_array_string(c, text);
	}
	return c;
}

/* Telemetry has no floating point: durations in ms, the threshold as text. */
static uint64_t seconds_to_ms(double seconds)
{
	return (uint64_t)(seconds * 1e3 + 0.5);
}

static int command_config(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	const struct cgnf_config *config = &app->config;
	char threshold[32];

	if (has_params(params))
		return reply_error(d, "/cgnf/config takes no parameter");
	snprintf(threshold, sizeof(threshold), "%g", config->verdict_threshold);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "config_file", config->config_path);
	rte_tel_data_add_dict_string(d, "model", config->model_path);
	rte_tel_data_add_dict_u64(d, "udp_port", config->udp_port);
	add_dict_container(d, "probes", prefixes_container(&config->probes));
	add_dict_container(d, "lan", prefixes_container(&config->lan));
	add_dict_container(d, "ip", addresses_container(config->local_ips, config->local_ip_count));
	rte_tel_data_add_dict_u64(d, "rx_lcores", app->n_rx);
	rte_tel_data_add_dict_u64(d, "classifiers", app->n_classifiers);
	rte_tel_data_add_dict_u64(d, "ring_size", config->ring_size);
	rte_tel_data_add_dict_u64(d, "mbufs", config->mbufs);
	rte_tel_data_add_dict_int(d, "lossless", config->lossless);
	rte_tel_data_add_dict_int(d, "busy_poll", config->busy_poll);
	rte_tel_data_add_dict_u64(d, "idle_timeout_ms", seconds_to_ms(config->idle_timeout_s));
	rte_tel_data_add_dict_int(d, "exit_on_idle", config->exit_on_idle);
	rte_tel_data_add_dict_u64(d, "duration_ms", seconds_to_ms(config->duration_s));
	rte_tel_data_add_dict_u64(d, "stats_interval_ms", seconds_to_ms(config->stats_interval_s));
	rte_tel_data_add_dict_u64(d, "verdict_window", config->verdict_window);
	rte_tel_data_add_dict_u64(d, "verdict_min_reports", config->verdict_min_reports);
	rte_tel_data_add_dict_string(d, "verdict_threshold", threshold);
	rte_tel_data_add_dict_u64(d, "max_pairs", config->max_pairs);
	rte_tel_data_add_dict_u64(d, "pair_timeout_ms", seconds_to_ms(config->pair_timeout_s));
	rte_tel_data_add_dict_string(d, "csv", config->csv_path);
	rte_tel_data_add_dict_string(d, "stats_json", config->stats_json_path);
	rte_tel_data_add_dict_string(d, "events", config->events_path);
	rte_tel_data_add_dict_int(d, "quiet", config->quiet);
	return 0;
}

static struct rte_tel_data *port_container(const struct cgnf_port *port)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	struct port_status status;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	if (c == NULL)
		return NULL;
	port_read_status(port, &status);
	rte_ether_format_addr(mac, sizeof(mac), &port->mac);
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_u64(c, "port_id", port->port_id);
	rte_tel_data_add_dict_string(c, "name", port->name);
	rte_tel_data_add_dict_string(c, "mac", mac);
	if (status.link_known) {
		rte_tel_data_add_dict_int(c, "link_up", status.link.link_status);
		rte_tel_data_add_dict_u64(c, "speed_mbps", status.link.link_speed);
	}
	rte_tel_data_add_dict_int(c, "rss", port->rss);
	rte_tel_data_add_dict_int(c, "rx_checksum_offload", port->rx_checksum);
	rte_tel_data_add_dict_u64(c, "tx_queues", port->tx_queues);
	rte_tel_data_add_dict_u64(c, "ipackets", status.stats.ipackets);
	rte_tel_data_add_dict_u64(c, "opackets", status.stats.opackets);
	rte_tel_data_add_dict_u64(c, "ibytes", status.stats.ibytes);
	rte_tel_data_add_dict_u64(c, "obytes", status.stats.obytes);
	rte_tel_data_add_dict_u64(c, "imissed", status.stats.imissed);
	rte_tel_data_add_dict_u64(c, "ierrors", status.stats.ierrors);
	rte_tel_data_add_dict_u64(c, "oerrors", status.stats.oerrors);
	rte_tel_data_add_dict_u64(c, "rx_nombuf", status.stats.rx_nombuf);
	return c;
}

/* Keyed "port0", "port1"... (device names hold characters telemetry refuses in a key). */
static int command_ports(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	char key[16];

	if (has_params(params))
		return reply_error(d,
				   "/cgnf/ports takes no parameter (see also /ethdev/xstats,ID)");
	rte_tel_data_start_dict(d);
	for (unsigned int p = 0; p < app->n_ports; p++) {
		snprintf(key, sizeof(key), "port%u", app->ports[p].port_id);
		add_dict_container(d, key, port_container(&app->ports[p]));
	}
	return 0;
}

static int command_reload(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct reload_status status;
	char err[CONFIG_PATH_MAX + 256];
	int rc;

	(void)app;
	rc = reload_request(has_params(params) ? params : NULL, err, sizeof(err));
	if (rc != 0)
		return reply_error(d, "%s", err);
	reload_get_status(&status);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "result", "reloaded");
	add_model_fields(d, &status);
	return 0;
}

static const struct {
	const char *name;
	command_fn fn;
	const char *help;
} commands[] = {
	{"/cgnf/stats", command_stats,
	 "Counters and drops by reason, summed over lcores. Parameters: int LCORE_ID (optional)"},
	{"/cgnf/pairs", command_pairs,
	 "The N pairs with the most reports. Parameters: int N (1 to 100, default 10)"},
	{"/cgnf/pair", command_pair, "One pair's counts and verdict. Parameters: IP1,IP2"},
	{"/cgnf/model", command_model, "The model in use: file, checksum, size. No parameters"},
	{"/cgnf/config", command_config, "The options in force. No parameters"},
	{"/cgnf/ports", command_ports, "Link and counters of each port. No parameters"},
	{"/cgnf/reload", command_reload,
	 "Reloads the model file, or loads another. Parameters: string PATH (optional)"},
};

/* The one callback: finds the command and holds the app for the reply's duration. */
static int dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc;

	for (size_t i = 0; i < RTE_DIM(commands); i++) {
		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		pthread_rwlock_rdlock(&app_lock);
		if (active_app == NULL)
			rc = reply_error(d, "cgnf is not running (starting or stopping)");
		else
			rc = commands[i].fn(active_app, params, d);
		pthread_rwlock_unlock(&app_lock);
		return rc;
	}
	return -EINVAL;
}

int telemetry_init(struct cgnf_app *app)
{
	static bool registered;
	int rc;

	pthread_rwlock_wrlock(&app_lock);
	active_app = app;
	pthread_rwlock_unlock(&app_lock);
	if (registered)
		return 0;
	for (size_t i = 0; i < RTE_DIM(commands); i++) {
		rc = rte_telemetry_register_cmd(commands[i].name, dispatch, commands[i].help);
		if (rc != 0) {
			CGNF_LOG(telemetry, WARNING, "cannot register %s: %s", commands[i].name,
				 strerror(-rc));
			return rc;
		}
	}
	registered = true;
	CGNF_LOG(telemetry, INFO, "%zu commands under /cgnf/ (dpdk-telemetry.py -f FILE_PREFIX)",
		 RTE_DIM(commands));
	return 0;
}

void telemetry_fini(void)
{
	pthread_rwlock_wrlock(&app_lock);
	active_app = NULL;
	pthread_rwlock_unlock(&app_lock);
}
