/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cgnf: tells which IP conversations are cloud gaming, from the reports of
 * an upstream probe.
 *
 *   cgnf [EAL options] -- --model FILE [options]
 *
 * Start-up (each step fails with one clear line and a non-zero exit):
 * EAL, options, lcore roles, model, ports, rings, pair table.  Then the
 * worker lcores are launched, the main lcore runs the aggregator until a
 * stop request, and everything is unwound in reverse order.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_ring_elem.h>

#include "config.h"
#include "record.h"
#include "tree.h"
#include "window.h"

#include "aggregator.h"
#include "app.h"
#include "classifier.h"
#include "control.h"
#include "eal_advice.h"
#include "counters.h"
#include "handoff.h"
#include "inline.h"
#include "log.h"
#include "port.h"
#include "reload.h"
#include "rx.h"
#include "telemetry.h"

RTE_LOG_REGISTER(cgnf_logtype_main, cgnf.main, INFO);

/* Pair events waiting for the control thread, at most (about 100 bytes each). */
#define EVENT_RING_SIZE 16384
/* Table rows on their way to the control thread (a walk waits for room). */
#define SNAPSHOT_RING_SIZE 4096
/* --windows: closed windows per RX lcore waiting for the control thread (about 120 bytes each). */
#define WINDOW_TEXT_RING_SIZE 16384

/*
 * The app, for the signal handlers only: a handler takes no argument.
 * Everything else is handed the app explicitly.
 */
static struct cgnf_app *signal_app;

static void say(const char *text)
{
	ssize_t ignored = write(STDERR_FILENO, text, strlen(text));

	(void)ignored;
}

/* Async-signal-safe: atomics and write(2) only.  2nd signal forces, 3rd abandons. */
static void on_quit_signal(int signal_number)
{
	int seen = __atomic_add_fetch(&signal_app->quit_signals, 1, __ATOMIC_ACQ_REL);

	(void)signal_number;
	if (seen >= 3)
		say("cgnf: third stop signal: exiting now with the outputs written so far\n");
	cgnf_request_stop(signal_app, seen == 1	  ? QUIT_STOP
				      : seen == 2 ? QUIT_FORCE
						  : QUIT_ABANDON);
}

static void on_reload_signal(int signal_number)
{
	(void)signal_number;
	reload_on_signal(signal_app->reloader);
}

static void on_reopen_signal(int signal_number)
{
	(void)signal_number;
	control_request_reopen(signal_app->control);
}

/*
 * Before anything can handle them, signals that would kill cgnf are
 * ignored: a SIGHUP during start-up, a closed pipe (a write error instead),
 * and USR1, USR2 and ALRM, which nobody should be able to kill it with.
 * Run as early as the program can: a constructor, before main (the dynamic
 * loader and the sanitizers' start-up come first, nothing else).
 */
static void __attribute__((constructor(101))) ignore_signals(void)
{
	static const int ignored[] = {SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM};

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
}

/*
 * SIGINT and SIGTERM as soon as the app exists: a stop asked for during a
 * long start-up (a large infinite_rx file, a big model) is kept and honoured
 * once the pipeline runs, instead of killing cgnf with nothing written.
 */
static int install_quit_handlers(struct cgnf_app *app)
{
	struct sigaction quit = {.sa_handler = on_quit_signal};

	signal_app = app;
	sigemptyset(&quit.sa_mask);
	if (sigaction(SIGINT, &quit, NULL) != 0 || sigaction(SIGTERM, &quit, NULL) != 0)
		return -errno;
	return 0;
}

/* SIGHUP and SIGUSR1 once the reload thread and the control thread exist. */
static int install_control_handlers(void)
{
	struct sigaction reload = {.sa_handler = on_reload_signal};
	struct sigaction reopen = {.sa_handler = on_reopen_signal};

	sigemptyset(&reload.sa_mask);
	sigemptyset(&reopen.sa_mask);
	if (sigaction(SIGHUP, &reload, NULL) != 0 || sigaction(SIGUSR1, &reopen, NULL) != 0)
		return -errno;
	return 0;
}

static void usage_hook(const char *program)
{
	printf("\n");
	config_print_usage(program);
}

/* "--help" and "--list-counters" after "--" are answered before EAL starts. */
static bool wants_option(int argc, char **argv, const char *option, const char *short_option)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	for (i++; i < argc; i++)
		if (strcmp(argv[i], option) == 0 ||
		    (short_option != NULL && strcmp(argv[i], short_option) == 0))
			return true;
	return false;
}

/* Every counter of the registry, one a line: what every output shows, by name. */
static void list_counters(void)
{
	printf("%-22s %-8s %-11s %-12s %s\n", "NAME", "KIND", "ROLE", "UNIT", "HELP");
	for (unsigned int id = 0; id < COUNTER_COUNT; id++) {
		const struct counter_spec *spec = &counter_specs[id];

		printf("%-22s %-8s %-11s %-12s %s\n", spec->name, counter_kind_name(spec->kind),
		       counter_role_name(spec->role), spec->unit, spec->help);
	}
	printf("%-22s %-8s %-11s %-12s %s\n", "dropped", "counter", "rx", "packets",
	       "Frames dropped, by reason (one per drop reason)");
	for (unsigned int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++)
		printf("  reason %s\n", drop_reason_name(r));
}

static void clock_init(struct cgnf_app *app)
{
	uint64_t hz = rte_get_tsc_hz();

	app->tsc_start = rte_rdtsc();
	app->ns_per_tsc_q32 = (uint64_t)((1000000000ull << 32) / hz);
}

static uint64_t draw_random(void)
{
	uint64_t value;

	if (getrandom(&value, sizeof(value), 0) == (ssize_t)sizeof(value))
		return value;
	return rte_rand();
}

/* Main lcore: aggregator; workers: --rx RX lcores, then the classifiers. */
static int assign_roles(struct cgnf_app *app)
{
	const struct cgnf_config *config = &app->config;
	unsigned int workers = rte_lcore_count() - 1;
	unsigned int n_rx = config->rx_lcores, n_classifiers = config->classifiers;
	unsigned int lcore_id, seen = 0;

	if (n_classifiers == 0)
		n_classifiers = workers > n_rx ? workers - n_rx : 1;
	if (n_rx == 0 || workers < n_rx + n_classifiers) {
		CGNF_LOG(main, ERR,
			 "too few lcores: %u RX + %u classifier lcore(s) besides the main lcore "
			 "need %u lcores, EAL gave %u (e.g. --lcores '(0-%u)@(0-1)')",
			 n_rx, n_classifiers, n_rx + n_classifiers + 1, workers + 1,
			 n_rx + n_classifiers);
		return -EINVAL;
	}
	app->n_rx = n_rx;
	app->n_classifiers = n_classifiers;
	app->roles[rte_get_main_lcore()] = ROLE_AGGREGATOR;
	RTE_LCORE_FOREACH_WORKER (lcore_id) {
		if (seen < n_rx) {
			app->roles[lcore_id] = ROLE_RX;
			app->role_index[lcore_id] = seen;
		} else if (seen < n_rx + n_classifiers) {
			app->roles[lcore_id] = ROLE_CLASSIFIER;
			app->role_index[lcore_id] = seen - n_rx;
		} else {
			CGNF_LOG(main, WARNING, "lcore %u has no role and stays idle", lcore_id);
		}
		seen++;
	}
	CGNF_LOG(main, INFO, "lcore %u: aggregator; %u RX, %u classifier lcore(s)",
		 rte_get_main_lcore(), n_rx, n_classifiers);
	return 0;
}

static struct rte_ring *ring_create(const char *name, unsigned int record_size, unsigned int count,
				    unsigned int consumer_lcore)
{
	struct rte_ring *ring;

	ring = rte_ring_create_elem(name, record_size, count,
				    (int)rte_lcore_to_socket_id(consumer_lcore),
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (ring == NULL)
		CGNF_LOG(main, ERR,
			 "ring %s of %u records: %s (--ring-size must be a power of two)", name,
			 count, rte_strerror(rte_errno));
	return ring;
}

static void free_pipeline(struct cgnf_app *app)
{
	unsigned int i, j;

	if (app->classifiers != NULL) {
		for (j = 0; j < app->n_classifiers; j++) {
			struct classifier_lcore *classifier = &app->classifiers[j];

			if (classifier->inputs != NULL)
				for (i = 0; i < app->n_rx; i++)
					rte_ring_free(classifier->inputs[i]);
			rte_free(classifier->inputs);
			rte_ring_free(classifier->results);
		}
	}
	if (app->rx != NULL) {
		for (i = 0; i < app->n_rx; i++) {
			rte_free(app->rx[i].rings);
			rte_free(app->rx[i].staging);
			rte_free(app->rx[i].staged);
			window_table_free(app->rx[i].windows);
			rte_ring_free(app->rx[i].window_texts);
			rte_free(app->rx[i].texts_staging);
		}
	}
	rte_free(app->classifiers);
	rte_free(app->rx);
	app->classifiers = NULL;
	app->rx = NULL;
}

/*
 * --input traffic: each RX lcore's window table, sized at start, and with
 * --windows its ring of closed windows toward the control thread.
 */
static int create_traffic_input(struct cgnf_app *app, struct rx_lcore *rx)
{
	const struct cgnf_config *config = &app->config;
	struct window_config window_config = {
		.mode = config->window_stats == CONFIG_WINDOW_STATS_EXACT ? WINDOW_STATS_EXACT
									  : WINDOW_STATS_PROBE,
		.max_flows = config->max_flows,
		.max_window_packets = config->window_values,
	};
	char name[64];

	rx->windows = window_table_create(&window_config, app->hash_seed);
	if (rx->windows == NULL) {
		CGNF_LOG(main, ERR, "window table of %u flows and %u values for RX lcore %u: %s",
			 config->max_flows, config->window_values, rx->lcore_id, strerror(errno));
		return -ENOMEM;
	}
	if (rx->index == 0)
		CGNF_LOG(main, INFO, "traffic windows (%s): %zu bytes per RX lcore",
			 config->window_stats == CONFIG_WINDOW_STATS_EXACT ? "exact" : "probe",
			 window_table_memory(rx->windows));
	if (config->windows_path[0] == '\0')
		return 0;
	snprintf(name, sizeof(name), "cgnf_texts_%u", rx->index);
	rx->window_texts = ring_create(name, sizeof(struct report), WINDOW_TEXT_RING_SIZE,
				       rte_get_main_lcore());
	rx->texts_staging = rte_zmalloc(NULL, sizeof(struct report) * RX_TEXTS_STAGED, 0);
	if (rx->window_texts == NULL || rx->texts_staging == NULL)
		return -ENOMEM;
	return 0;
}

/* Lcore contexts and the rings between them: ring (i, j) from RX i to classifier j. */
static int create_pipeline(struct cgnf_app *app)
{
	unsigned int ring_size = app->config.ring_size;
	char name[64]; /* the names used fit RTE_RING_NAMESIZE */
	unsigned int lcore_id, i, j;

	app->rx = rte_zmalloc("cgnf_rx", sizeof(*app->rx) * app->n_rx, RTE_CACHE_LINE_SIZE);
	app->classifiers =
		rte_zmalloc("cgnf_classifiers", sizeof(*app->classifiers) * app->n_classifiers,
			    RTE_CACHE_LINE_SIZE);
	if (app->rx == NULL || app->classifiers == NULL)
		goto no_memory;

	RTE_LCORE_FOREACH_WORKER (lcore_id) {
		unsigned int index = app->role_index[lcore_id];
		int socket = (int)rte_lcore_to_socket_id(lcore_id);

		if (app->roles[lcore_id] == ROLE_RX) {
			struct rx_lcore *rx = &app->rx[index];

			rx->app = app;
			rx->lcore_id = lcore_id;
			rx->index = index;
			rx->rings = rte_zmalloc_socket(
				NULL, sizeof(*rx->rings) * app->n_classifiers, 0, socket);
			rx->staging = rte_zmalloc_socket(
				NULL, sizeof(*rx->staging) * CGNF_BURST * app->n_classifiers,
				RTE_CACHE_LINE_SIZE, socket);
			rx->staged = rte_zmalloc_socket(
				NULL, sizeof(*rx->staged) * app->n_classifiers, 0, socket);
			if (rx->rings == NULL || rx->staging == NULL || rx->staged == NULL)
				goto no_memory;
			if (app->config.input == CONFIG_INPUT_TRAFFIC &&
			    create_traffic_input(app, rx) != 0)
				return -ENOMEM;
		} else if (app->roles[lcore_id] == ROLE_CLASSIFIER) {
			struct classifier_lcore *classifier = &app->classifiers[index];

			classifier->app = app;
			classifier->lcore_id = lcore_id;
			classifier->index = index;
			classifier->inputs = rte_zmalloc_socket(
				NULL, sizeof(*classifier->inputs) * app->n_rx, 0, socket);
			if (classifier->inputs == NULL)
				goto no_memory;
		}
	}

	for (j = 0; j < app->n_classifiers; j++) {
		struct classifier_lcore *classifier = &app->classifiers[j];

		for (i = 0; i < app->n_rx; i++) {
			snprintf(name, sizeof(name), "cgnf_in_%u_%u", i, j);
			classifier->inputs[i] = ring_create(name, sizeof(struct classify_record),
							    ring_size, classifier->lcore_id);
			if (classifier->inputs[i] == NULL)
				return -ENOMEM;
			app->rx[i].rings[j] = classifier->inputs[i];
		}
		snprintf(name, sizeof(name), "cgnf_out_%u", j);
		classifier->results = ring_create(name, sizeof(struct result_record), ring_size,
						  rte_get_main_lcore());
		if (classifier->results == NULL)
			return -ENOMEM;
	}
	return 0;

no_memory:
	CGNF_LOG(main, ERR, "out of memory for %u RX and %u classifier contexts (EAL -m)",
		 app->n_rx, app->n_classifiers);
	return -ENOMEM;
}

/*
 * Classifiers first, so that they are polling when reports arrive.  An lcore
 * that could not be launched is marked done, so that the staged shutdown of
 * the others does not wait for it.
 */
static int launch_workers(struct cgnf_app *app)
{
	unsigned int i = 0, j;
	int rc;

	for (j = 0; j < app->n_classifiers; j++) {
		rc = rte_eal_remote_launch(classifier_lcore_main, &app->classifiers[j],
					   app->classifiers[j].lcore_id);
		if (rc != 0)
			goto failed;
	}
	for (i = 0; i < app->n_rx; i++) {
		rc = rte_eal_remote_launch(rx_lcore_main, &app->rx[i], app->rx[i].lcore_id);
		if (rc != 0)
			goto failed;
	}
	return 0;

failed:
	for (; j < app->n_classifiers; j++)
		__atomic_store_n(&app->classifiers[j].done, 1, __ATOMIC_RELEASE);
	for (; i < app->n_rx; i++)
		__atomic_store_n(&app->rx[i].done, 1, __ATOMIC_RELEASE);
	return rc;
}

static int load_model(struct cgnf_app *app)
{
	const struct tree_info *info;
	char err[CONFIG_PATH_MAX + 256];

	app->model = tree_load(app->config.model_path, err, sizeof(err));
	if (app->model == NULL) {
		CGNF_LOG(main, ERR, "cannot load the model: %s", err);
		return -EINVAL;
	}
	info = tree_get_info(app->model);
	CGNF_LOG(main, INFO, "model %s: %u nodes, depth %u, checksum %016" PRIx64, info->path,
		 info->n_nodes, info->depth, info->checksum);
	return 0;
}

static int parse_options(struct cgnf_app *app, int argc, char **argv)
{
	char err[CONFIG_PATH_MAX + 256];
	int rc;

	rc = config_parse_args(&app->config, argc, argv, err, sizeof(err));
	if (rc == 0)
		rc = config_validate(&app->config, err, sizeof(err));
	if (rc < 0) {
		CGNF_LOG(main, ERR, "%s (see %s -- --help)", err, argv[0]);
		return rc;
	}
	/* On a real network any host could feed the table: say so. */
	if (app->config.input == CONFIG_INPUT_REPORTS && app->config.probes.count == 0)
		CGNF_LOG(main, WARNING, "no --probe given: reports are accepted from any source");
	if (app->config.lan.count == 0)
		CGNF_LOG(main, WARNING, "no --lan given: each pair keeps its first report's order");
	return rc;
}

/* The two rings from the aggregator to the control thread (handoff.h). */
static int create_handoff_rings(struct cgnf_app *app, bool with_events, struct rte_ring **events,
				struct rte_ring **snapshots)
{
	*events = NULL;
	*snapshots = ring_create("cgnf_snapshots", sizeof(struct handoff_record),
				 SNAPSHOT_RING_SIZE, rte_get_main_lcore());
	if (*snapshots == NULL)
		return -ENOMEM;
	if (!with_events)
		return 0;
	*events = ring_create("cgnf_events", sizeof(struct handoff_record), EVENT_RING_SIZE,
			      rte_get_main_lcore());
	return *events == NULL ? -ENOMEM : 0;
}

/*
 * After a third stop signal nothing more is waited for (a sink or an lcore
 * may be blocked): what was written stays, and the exit status says that
 * the rest is lost.
 */
static void __attribute__((noreturn)) abandon(void)
{
	CGNF_LOG(main, ERR, "stopped without writing the final outputs (third stop signal)");
	_exit(EXIT_FAILURE);
}

int main(int argc, char **argv)
{
	struct cgnf_app *app;
	struct rte_ring *events = NULL, *snapshots = NULL;
	int eal_args, rc, exit_code = EXIT_FAILURE;

	if (wants_option(argc, argv, "--help", "-h")) {
		config_print_usage(argv[0]);
		return EXIT_SUCCESS;
	}
	if (wants_option(argc, argv, "--list-counters", NULL)) {
		list_counters();
		return EXIT_SUCCESS;
	}
	rte_set_application_usage_hook(usage_hook);
	/* stdout carries the table, the status line and --events -; logs go to stderr. */
	rte_openlog_stream(stderr);
	/* EAL would print its whole usage text for lcores beyond the CPUs: say it in one line. */
	if (eal_check_lcores(argc, argv) != 0)
		return EXIT_FAILURE;
	eal_args = rte_eal_init(argc, argv);
	if (eal_args < 0) {
		eal_explain_failure(argc, argv, rte_errno);
		return EXIT_FAILURE;
	}
	app = calloc(1, sizeof(*app));
	if (app == NULL) {
		CGNF_LOG(main, ERR, "out of memory for the application context");
		goto out_eal;
	}
	clock_init(app);
	if (install_quit_handlers(app) != 0) {
		CGNF_LOG(main, ERR, "cannot install signal handlers: %s", strerror(errno));
		goto out_app;
	}

	/* rte_eal_init left the program name just before cgnf's own options. */
	rc = parse_options(app, argc - eal_args, argv + eal_args);
	if (rc == 1)
		exit_code = EXIT_SUCCESS;
	if (rc != 0)
		goto out_app;
	if (assign_roles(app) != 0 || load_model(app) != 0)
		goto out_app;
	app->hash_seed = draw_random();
	snprintf(app->run_id, sizeof(app->run_id), "%016" PRIx64, draw_random());
	CGNF_LOG(main, INFO, "run %s", app->run_id);
	if (port_init_all(app) != 0)
		goto out_ports;
	if (create_pipeline(app) != 0 || inline_create(app) != 0)
		goto out_pipeline;
	/* Outputs are opened before any traffic: a refused path stops cgnf here. */
	app->control = control_create(app);
	if (app->control == NULL)
		goto out_pipeline;
	if (create_handoff_rings(app, control_wants_events(app->control), &events, &snapshots) != 0)
		goto out_control;
	app->aggregator = aggregator_create(app, events, snapshots);
	if (app->aggregator == NULL)
		goto out_control;
	app->reloader = reload_start(app);
	if (app->reloader == NULL)
		goto out_aggregator;
	if (install_control_handlers() != 0) {
		CGNF_LOG(main, ERR, "cannot install signal handlers: %s", strerror(errno));
		goto out_reloader;
	}

	rc = launch_workers(app);
	if (rc != 0)
		CGNF_LOG(main, ERR, "cannot launch the worker lcores: %s", rte_strerror(-rc));
	else
		rc = control_start(app->control, events, snapshots);
	/* Telemetry is for watching: without it cgnf still does its job. */
	if (rc == 0)
		telemetry_init(app);
	__atomic_store_n(&app->running, rc == 0, __ATOMIC_RELEASE);
	/* Whatever was launched still drains in order before we unwind. */
	if (rc != 0)
		cgnf_request_stop(app, QUIT_FORCE);
	aggregator_run(app->aggregator);
	telemetry_fini();
	if (control_stop(app->control) != 0 || cgnf_quit_level(app) == QUIT_ABANDON)
		abandon();
	rte_eal_mp_wait_lcore();

	if (rc == 0 && control_finish(app->control, aggregator_table(app->aggregator)) == 0)
		exit_code = EXIT_SUCCESS;
out_reloader:
	reload_stop(app->reloader);
	app->reloader = NULL;
out_aggregator:
	aggregator_free(app->aggregator);
	app->aggregator = NULL;
out_control:
	control_free(app->control);
	app->control = NULL;
	rte_ring_free(events);
	rte_ring_free(snapshots);
out_pipeline:
	inline_free(app);
	free_pipeline(app);
out_ports:
	port_close_all(app);
	tree_free(app->model);
out_app:
	/* A late signal finds the quit level, never freed memory. */
	if (signal_app == NULL)
		free(app);
out_eal:
	rte_eal_cleanup();
	return exit_code;
}
