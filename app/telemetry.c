/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry commands.  Every reply is built from data this thread may read
 * without disturbing the datapath: counters by atomic loads, rendered by
 * the same functions as --stats-json (stats_json.h) and turned into
 * telemetry data here, so both show one name and one value per counter;
 * the busiest pairs from the control thread's snapshots; one pair through
 * the aggregator's mailbox; the model from the reloader's status.
 *
 * DPDK 22.11's telemetry callbacks take no user pointer: the app they
 * answer about is the one file-level handle below, set by telemetry_init
 * and cleared by telemetry_fini under a lock only telemetry takes.
 * Telemetry limits a reply to 16 KiB, a dict to 256 entries, a string to
 * 127 characters and has no floating point (numbers that are not integers
 * are shown as text).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "config.h"
#include "ip.h"
#include "pair_table.h"

#include "aggregator.h"
#include "app.h"
#include "control.h"
#include "log.h"
#include "pair_query.h"
#include "reload.h"
#include "stats_json.h"
#include "telemetry.h"

RTE_LOG_REGISTER(cgnf_logtype_telemetry, cgnf.telemetry, INFO);

#define TOP_PAIRS_DEFAULT 10
/*
 * About 150 bytes a pair with IPv6 addresses (14.9 KB measured for 100):
 * 100 fit the 16 KiB reply.
 */
#define TOP_PAIRS_MAX 100
/* The aggregator answers within one loop, a table walk within a second: this bounds a stuck one. */
#define QUERY_TIMEOUT_MS 3000

_Static_assert(TOP_PAIRS_MAX <= CONTROL_TOP_PAIRS_MAX, "the control thread keeps enough pairs");

static pthread_rwlock_t app_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct cgnf_app *telemetry_app; /* the callbacks' only way to the app (see above) */

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

/* Numbers that are not integers, as text: telemetry 22.11 has no floating point. */
static void real_text(const json_t *value, char out[32])
{
	snprintf(out, 32, "%.9g", json_real_value(value));
}

static struct rte_tel_data *json_to_container(const json_t *value);

/* One JSON value into a dict; objects and arrays only at the first level. */
static void add_json_to_dict(struct rte_tel_data *d, const char *key, const json_t *value,
			     bool nested)
{
	char text[32];

	switch (json_typeof(value)) {
	case JSON_INTEGER:
		if (json_integer_value(value) >= 0)
			rte_tel_data_add_dict_u64(d, key, (uint64_t)json_integer_value(value));
		else
			rte_tel_data_add_dict_int(d, key, (int)json_integer_value(value));
		break;
	case JSON_REAL:
		real_text(value, text);
		rte_tel_data_add_dict_string(d, key, text);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		rte_tel_data_add_dict_int(d, key, json_is_true(value));
		break;
	case JSON_STRING:
		rte_tel_data_add_dict_string(d, key, json_string_value(value));
		break;
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (!nested)
			add_dict_container(d, key, json_to_container(value));
		break;
	default:
		break;
	}
}

/* A flat object or an array of strings / integers as a telemetry container. */
static struct rte_tel_data *json_to_container(const json_t *value)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	const json_t *item;
	size_t index;
	char text[32];

	if (c == NULL)
		return NULL;
	if (json_is_object(value)) {
		rte_tel_data_start_dict(c);
		for (void *at = json_object_iter((json_t *)value); at != NULL;
		     at = json_object_iter_next((json_t *)value, at))
			add_json_to_dict(c, json_object_iter_key(at), json_object_iter_value(at),
					 true);
		return c;
	}
	item = json_array_get(value, 0);
	if (item != NULL && json_is_integer(item)) {
		rte_tel_data_start_array(c, RTE_TEL_U64_VAL);
		for (index = 0; index < json_array_size(value); index++)
			rte_tel_data_add_array_u64(
				c, (uint64_t)json_integer_value(json_array_get(value, index)));
		return c;
	}
	rte_tel_data_start_array(c, RTE_TEL_STRING_VAL);
	for (index = 0; index < json_array_size(value); index++) {
		item = json_array_get(value, index);
		if (json_is_real(item))
			real_text(item, text);
		rte_tel_data_add_array_string(c, json_is_real(item) ? text
								    : json_string_value(item) ?: "");
	}
	return c;
}

/* Replies with a JSON object rendered elsewhere (and frees it). */
static int reply_json(struct rte_tel_data *d, json_t *object)
{
	if (object == NULL)
		return reply_error(d, "out of memory");
	rte_tel_data_start_dict(d);
	for (void *at = json_object_iter(object); at != NULL;
	     at = json_object_iter_next(object, at))
		add_json_to_dict(d, json_object_iter_key(at), json_object_iter_value(at), false);
	json_decref(object);
	return 0;
}

static unsigned int counter_role_of(enum lcore_role role)
{
	switch (role) {
	case ROLE_RX:
		return COUNTER_ROLE_RX;
	case ROLE_CLASSIFIER:
		return COUNTER_ROLE_CLASSIFIER;
	default:
		return COUNTER_ROLE_AGGREGATOR;
	}
}

static int command_stats_lcore(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct counter_values values;
	unsigned long lcore_id;
	enum lcore_role role;
	json_t *object;

	if (parse_unsigned(params, RTE_MAX_LCORE - 1, &lcore_id) != 0)
		return reply_error(d, "LCORE_ID must be a number from 0 to %u, got '%.40s'",
				   RTE_MAX_LCORE - 1, params);
	if (cgnf_read_lcore_counters(app, (unsigned int)lcore_id, &values) != 0)
		return reply_error(d, "lcore %lu is not one of cgnf's lcores (see /cgnf/lcores)",
				   lcore_id);
	role = app->roles[lcore_id];
	object = counters_to_json(&values, 1u << counter_role_of(role));
	if (object != NULL) {
		json_object_set_new(object, "lcore", json_integer((json_int_t)lcore_id));
		json_object_set_new(object, "role", json_string(lcore_role_name(role)));
		if (role == ROLE_RX)
			json_object_set_new(object, "queue",
					    json_integer(app->role_index[lcore_id]));
	}
	return reply_json(d, object);
}

static int command_stats(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct counter_values values;

	if (has_params(params))
		return command_stats_lcore(app, params, d);
	cgnf_read_counters(app, &values);
	return reply_json(d, counters_to_json(&values, COUNTER_ROLES_ALL));
}

static int command_lcores(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	char key[16];

	if (has_params(params))
		return reply_error(d, "/cgnf/lcores takes no parameter");
	rte_tel_data_start_dict(d);
	for (unsigned int lcore_id = 0; lcore_id < RTE_MAX_LCORE; lcore_id++) {
		if (app->roles[lcore_id] == ROLE_NONE)
			continue;
		snprintf(key, sizeof(key), "%u", lcore_id);
		rte_tel_data_add_dict_string(d, key, lcore_role_name(app->roles[lcore_id]));
	}
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
		return reply_error(d, "no answer within %u ms", QUERY_TIMEOUT_MS);
	case -ESHUTDOWN:
		return reply_error(d, "cgnf is stopping: the pair table is closed");
	default:
		return reply_error(d, "pair table query failed: %s", strerror(-rc));
	}
}

/*
 * A dict keyed by rank, "1" first: telemetry 22.11 takes dicts inside a dict
 * but not inside an array.  From the control thread's latest snapshot (at
 * most a second old), so that asking in a loop never walks the table more
 * than once a second.
 */
static int command_pairs(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	struct pair_stats answer[TOP_PAIRS_MAX];
	char rank[16];
	unsigned long wanted = TOP_PAIRS_DEFAULT;
	unsigned int count, i;
	int rc;

	if (has_params(params) &&
	    (parse_unsigned(params, TOP_PAIRS_MAX, &wanted) != 0 || wanted == 0))
		return reply_error(d, "N must be a number from 1 to %u, got '%.40s'", TOP_PAIRS_MAX,
				   params);
	rc = control_top_pairs(app->control, (unsigned int)wanted, answer, &count,
			       QUERY_TIMEOUT_MS);
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
	rc = pair_mailbox_ask(aggregator_mailbox(app->aggregator), &pair, &stats, QUERY_TIMEOUT_MS);
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
	/* Idle on the app clock: a replay's capture times run faster. */
	rte_tel_data_add_dict_u64(d, "idle_ms", ms_between(stats.updated_ns, now_ns));
	return 0;
}

static int command_model(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	if (has_params(params))
		return reply_error(d, "/cgnf/model takes no parameter");
	return reply_json(d, model_to_json(app));
}

static int command_config(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	json_t *config;

	if (has_params(params))
		return reply_error(d, "/cgnf/config takes no parameter");
	config = config_to_json(&app->config);
	/* What the options left to cgnf, as it decided them. */
	if (config != NULL) {
		json_object_set_new(config, "rx_lcores", json_integer(app->n_rx));
		json_object_set_new(config, "classifier_lcores", json_integer(app->n_classifiers));
	}
	return reply_json(d, config);
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
		json_t *port = port_to_json(&app->ports[p], false);

		snprintf(key, sizeof(key), "port%u", app->ports[p].port_id);
		if (port != NULL)
			add_dict_container(d, key, json_to_container(port));
		json_decref(port);
	}
	return 0;
}

static int command_reload(struct cgnf_app *app, const char *params, struct rte_tel_data *d)
{
	char err[CONFIG_PATH_MAX + 256];
	json_t *model;
	int rc;

	rc = reload_request(app->reloader, has_params(params) ? params : NULL, err, sizeof(err));
	if (rc != 0)
		return reply_error(d, "%s", err);
	model = model_to_json(app);
	if (model != NULL)
		json_object_set_new(model, "result", json_string("reloaded"));
	return reply_json(d, model);
}

static const struct {
	const char *name;
	command_fn fn;
	const char *help;
} commands[] = {
	{"/cgnf/stats", command_stats,
	 "Counters and drops by reason, summed over lcores. Parameters: int LCORE_ID (optional)"},
	{"/cgnf/lcores", command_lcores, "cgnf's lcores and their roles. No parameters"},
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
		if (telemetry_app == NULL)
			rc = reply_error(d, "cgnf is not running (starting or stopping)");
		else
			rc = commands[i].fn(telemetry_app, params, d);
		pthread_rwlock_unlock(&app_lock);
		return rc;
	}
	return -EINVAL;
}

int telemetry_init(struct cgnf_app *app)
{
	int rc;

	pthread_rwlock_wrlock(&app_lock);
	telemetry_app = app;
	pthread_rwlock_unlock(&app_lock);
	for (size_t i = 0; i < RTE_DIM(commands); i++) {
		rc = rte_telemetry_register_cmd(commands[i].name, dispatch, commands[i].help);
		if (rc != 0) {
			CGNF_LOG(telemetry, WARNING, "cannot register %s: %s", commands[i].name,
				 strerror(-rc));
			return rc;
		}
	}
	CGNF_LOG(telemetry, INFO, "%zu commands under /cgnf/ (dpdk-telemetry.py -f FILE_PREFIX)",
		 RTE_DIM(commands));
	return 0;
}

void telemetry_fini(void)
{
	pthread_rwlock_wrlock(&app_lock);
	telemetry_app = NULL;
	pthread_rwlock_unlock(&app_lock);
}
