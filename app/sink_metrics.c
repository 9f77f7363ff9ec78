/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --metrics [ADDR:]PORT: an HTTP server (libmicrohttpd, its own polling
 * thread) answering
 *
 *   GET /metrics  every counter of the registry (metrics_text.h), as
 *                 Prometheus text 0.0.4, or OpenMetrics 1.0.0 when the
 *                 Accept header asks for application/openmetrics-text;
 *                 503 while cgnf is starting (nothing to read yet);
 *   GET /healthz  200 "running" while the pipeline runs, 503 "starting"
 *                 before the lcores are launched and "draining" once a
 *                 stop was asked for.
 *
 * The server is a sink so that it starts and stops with the other outputs:
 * open binds the socket (a port in use stops cgnf at start-up), close stops
 * the thread.  A scrape reads published counters only (atomic loads), the
 * ports' counters and the model's status: it takes no lock an lcore takes
 * and never waits on one.  It needs no event and no snapshot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "endpoint.h"
#include "output.h"

#include "app.h"
#include "ctrl_thread.h"
#include "log.h"
#include "metrics_text.h"
#include "reload.h"
#include "sink.h"

#ifndef CGNF_VERSION
#define CGNF_VERSION "unknown"
#endif

#define METRICS_DEFAULT_ADDRESS "127.0.0.1"
/* Scrapers are few; a slow one is cut after this long. */
#define METRICS_CONNECTIONS_MAX 32
#define METRICS_CONNECTION_TIMEOUT_S 10

struct metrics_sink {
	struct MHD_Daemon *daemon;
	const struct cgnf_app *app;
	struct control_counters *counters;
};

static bool metrics_wanted(const struct cgnf_config *config)
{
	return config->metrics_listen[0] != '\0';
}

/* Everything the page shows, read now; lcores is malloc'd. */
static int gather(const struct cgnf_app *app, struct metrics_input *input,
		  struct counter_values *totals, struct metrics_lcore **lcores,
		  struct metrics_port *ports, struct reload_status *model, char *checksum,
		  char *loaded_at)
{
	unsigned int n = 0;

	cgnf_read_counters(app, totals);
	*lcores = calloc(app->n_rx + app->n_classifiers + 1, sizeof(**lcores));
	if (*lcores == NULL)
		return -ENOMEM;
	for (unsigned int lcore_id = 0; lcore_id < RTE_MAX_LCORE; lcore_id++) {
		enum lcore_role role = app->roles[lcore_id];
		struct metrics_lcore *one = &(*lcores)[n];

		if (role != ROLE_RX && role != ROLE_CLASSIFIER)
			continue;
		if (n == app->n_rx + app->n_classifiers ||
		    cgnf_read_lcore_counters(app, lcore_id, &one->values) != 0)
			continue;
		one->lcore_id = lcore_id;
		one->role = role == ROLE_RX ? COUNTER_ROLE_RX : COUNTER_ROLE_CLASSIFIER;
		one->role_name = lcore_role_name(role);
		n++;
	}
	for (unsigned int p = 0; p < app->n_ports; p++) {
		struct port_status status;

		port_read_status(&app->ports[p], &status);
		ports[p] =
			(struct metrics_port){.port_id = app->ports[p].port_id,
					      .name = app->ports[p].name,
					      .link_known = status.link_known,
					      .link_up = status.link.link_status == RTE_ETH_LINK_UP,
#define PORT_VALUE(field, metric, help) .field = status.stats.field,
					      METRICS_PORT_STATS(PORT_VALUE)
#undef PORT_VALUE
			};
	}
	reload_get_status(app->reloader, model);
	snprintf(checksum, 17, "%016" PRIx64, model->model.checksum);
	output_format_timestamp(model->loaded_at_unix_ns, loaded_at);
	*input = (struct metrics_input){
		.totals = totals,
		.lcores = *lcores,
		.n_lcores = n,
		.ports = ports,
		.n_ports = app->n_ports,
		.version = CGNF_VERSION,
		.model_checksum = checksum,
		.model_sha256 = model->model.sha256,
		.model_source = model->model.source,
		.model_path = model->model.path,
		.model_loaded_at = loaded_at,
	};
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *connection, unsigned int status,
			     const char *content_type, char *body, size_t length,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *response = MHD_create_response_from_buffer(length, body, mode);
	enum MHD_Result result;

	if (response == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	result = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return result;
}

static enum MHD_Result reply_text(struct MHD_Connection *connection, unsigned int status,
				  const char *text)
{
	return reply(connection, status, "text/plain; charset=utf-8", (char *)text, strlen(text),
		     MHD_RESPMEM_PERSISTENT);
}

static bool pipeline_running(const struct cgnf_app *app)
{
	return __atomic_load_n(&app->running, __ATOMIC_ACQUIRE) != 0;
}

static enum MHD_Result serve_metrics(struct metrics_sink *state, struct MHD_Connection *connection)
{
	struct counter_values totals;
	struct metrics_port ports[RTE_MAX_ETHPORTS];
	struct metrics_lcore *lcores = NULL;
	struct reload_status model;
	struct metrics_input input;
	char checksum[17], loaded_at[OUTPUT_TIMESTAMP_MAX];
	enum metrics_format format;
	char *text = NULL;
	size_t length = 0;
	int rc;

	/* Before the launch the pipeline's objects are still being made: nothing to read. */
	if (!pipeline_running(state->app))
		return reply_text(connection, MHD_HTTP_SERVICE_UNAVAILABLE, "starting\n");
	format = metrics_negotiate(
		MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	rc = gather(state->app, &input, &totals, &lcores, ports, &model, checksum, loaded_at);
	if (rc == 0)
		rc = metrics_render(&input, format, &text, &length);
	free(lcores);
	if (rc != 0)
		return reply_text(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	counter_add(&state->counters->metrics_scrapes, 1);
	return reply(connection, MHD_HTTP_OK,
		     format == METRICS_FORMAT_OPENMETRICS ? METRICS_CONTENT_TYPE_OPENMETRICS
							  : METRICS_CONTENT_TYPE_PROMETHEUS,
		     text, length, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result serve_health(struct metrics_sink *state, struct MHD_Connection *connection)
{
	if (!pipeline_running(state->app))
		return reply_text(connection, MHD_HTTP_SERVICE_UNAVAILABLE, "starting\n");
	if (cgnf_quit_level(state->app) != QUIT_NONE)
		return reply_text(connection, MHD_HTTP_SERVICE_UNAVAILABLE, "draining\n");
	return reply_text(connection, MHD_HTTP_OK, "running\n");
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **request)
{
	struct metrics_sink *state = cls;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(state, connection);
	if (strcmp(url, "/healthz") == 0)
		return serve_health(state, connection);
	return reply_text(connection, MHD_HTTP_NOT_FOUND, "see /metrics and /healthz\n");
}

/* The listening address: a numeric address or a name, the first that resolves. */
static int resolve(const struct endpoint *where, struct sockaddr_storage *address, char *err,
		   size_t err_size)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *found;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", where->port);
	rc = getaddrinfo(where->host, port, &hints, &found);
	if (rc != 0) {
		snprintf(err, err_size, "--metrics: %s: %s", where->host, gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(address, found->ai_addr, found->ai_addrlen);
	freeaddrinfo(found);
	return 0;
}

/* MHD_start_daemon's arguments, for a call on a control thread. */
struct daemon_start {
	unsigned int flags;
	uint16_t port;
	struct metrics_sink *state;
	const struct sockaddr_storage *address;
	int error; /* errno of a failed start */
};

static void *start_daemon(void *arg)
{
	struct daemon_start *start = arg;
	struct MHD_Daemon *daemon;

	errno = 0;
	daemon = MHD_start_daemon(start->flags, start->port, NULL, NULL, answer, start->state,
				  MHD_OPTION_SOCK_ADDR, start->address, MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)METRICS_CONNECTIONS_MAX,
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)METRICS_CONNECTION_TIMEOUT_S, MHD_OPTION_END);
	start->error = errno;
	return daemon;
}

static int metrics_open(struct sink *sink)
{
	const struct cgnf_config *config = &sink->env->app->config;
	struct sockaddr_storage address;
	struct metrics_sink *state;
	struct endpoint where;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	struct daemon_start start;
	void *daemon = NULL;
	char reason[256];
	int rc;

	if (endpoint_parse(config->metrics_listen, METRICS_DEFAULT_ADDRESS, false, &where, reason,
			   sizeof(reason)) != 0) {
		snprintf(sink->error, sizeof(sink->error), "--metrics %s", reason);
		return -EINVAL;
	}
	if (resolve(&where, &address, sink->error, sizeof(sink->error)) != 0)
		return -EINVAL;
	state = calloc(1, sizeof(*state));
	if (state == NULL)
		return -ENOMEM;
	state->app = sink->env->app;
	state->counters = sink->env->counters;
	if (address.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	start = (struct daemon_start){
		.flags = flags, .port = where.port, .state = state, .address = &address};
	/* From a control thread: the server's polling thread then stays off the lcores' CPUs. */
	rc = ctrl_thread_call("cgnf-metrics", start_daemon, &start, &daemon);
	state->daemon = rc == 0 ? daemon : NULL;
	if (state->daemon == NULL) {
		rc = rc != 0 ? -rc : start.error != 0 ? start.error : EADDRINUSE;
		snprintf(sink->error, sizeof(sink->error),
			 "--metrics: cannot listen on %.200s port %u: %s", where.host, where.port,
			 strerror(rc));
		free(state);
		return -rc;
	}
	sink->state = state;
	CGNF_LOG(sink, INFO, "--metrics: serving /metrics and /healthz on %s port %u", where.host,
		 where.port);
	return 0;
}

static int metrics_close(struct sink *sink)
{
	struct metrics_sink *state = sink->state;

	if (state == NULL)
		return 0;
	MHD_stop_daemon(state->daemon);
	free(state);
	sink->state = NULL;
	return 0;
}

const struct sink_ops sink_metrics_ops = {
	.name = "metrics",
	.wanted = metrics_wanted,
	.open = metrics_open,
	.close = metrics_close,
};
