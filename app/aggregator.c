/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Aggregator, on the main lcore: drains the classifiers' result rings into
 * the pair table, expires idle pairs, answers the mailbox, prints the live
 * status line, and writes the table and outputs when input goes idle and at
 * exit.  It is the last stage of the staged shutdown: it stops only once
 * every classifier is done and every result ring is empty.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_ring_elem.h>

#include "events.h"
#include "output.h"
#include "pair_table.h"

#include "backoff.h"
#include "cgnf.h"
#include "log.h"
#include "stats.h"

RTE_LOG_REGISTER(cgnf_logtype_agg, cgnf.agg, INFO);

/* Pair expiry and --duration are checked this often. */
#define HOUSEKEEPING_NS 100000000ull

struct aggregator_loop {
	struct idle_backoff backoff;
	uint64_t idle_since_ns; /* last report, or start: the idle timeout's origin */
	bool idle_reported;	/* outputs written for the current idle spell */
	uint64_t next_housekeeping_ns;
	uint64_t next_status_ns;
	uint64_t status_ns; /* when the previous status line was taken */
	struct cgnf_totals status_totals;
	bool stopping;
	bool classifiers_done;	       /* seen in an earlier loop: next empty drain ends */
	struct aggregator_stats stats; /* private copy, published after work */
};

static uint64_t seconds_to_ns(double seconds)
{
	return (uint64_t)(seconds * 1e9);
}

int aggregator_init(struct cgnf_app *app)
{
	const struct cgnf_config *config = &app->config;
	struct pair_table_config table_config = {
		.max_pairs = config->max_pairs,
		.pair_timeout_ns = seconds_to_ns(config->pair_timeout_s),
		.verdict_window = config->verdict_window,
		.verdict_min_reports = config->verdict_min_reports,
		.verdict_threshold = config->verdict_threshold,
	};
	struct timespec wall;
	int rc;

	/* CSV and events print wall-clock times: pair one reading of each clock. */
	clock_gettime(CLOCK_REALTIME, &wall);
	app->output_clock.base_ns = cgnf_clock_ns(app);
	app->output_clock.unix_at_base = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;

	if (config->events_path[0] != '\0') {
		app->events = events_open(config->events_path, &app->output_clock);
		if (app->events == NULL) {
			rc = -errno;
			CGNF_LOG(agg, ERR, "--events %s: %s", config->events_path, strerror(errno));
			return rc;
		}
	}
	app->pair_table =
		pair_table_create(&table_config, app->events ? events_write : NULL, app->events);
	if (app->pair_table == NULL) {
		rc = -errno;
		CGNF_LOG(agg, ERR, "pair table of %u pairs: %s", config->max_pairs,
			 strerror(errno));
		return rc;
	}
	CGNF_LOG(agg, INFO, "pair table: %u pairs, %zu bytes", config->max_pairs,
		 pair_table_memory(app->pair_table));
	return 0;
}

void aggregator_free(struct cgnf_app *app)
{
	pair_table_free(app->pair_table);
	app->pair_table = NULL;
	int rc = events_close(app->events);

	if (rc != 0)
		CGNF_LOG(agg, ERR, "--events %s: %s", app->config.events_path, strerror(-rc));
	app->events = NULL;
}

/* Events are buffered and written once per batch; a write error is logged once. */
static void flush_events(struct cgnf_app *app)
{
	static bool failed;
	int rc;

	if (app->events == NULL)
		return;
	rc = events_flush(app->events);
	if (rc != 0 && !failed) {
		failed = true;
		CGNF_LOG(agg, ERR, "--events %s: %s", app->config.events_path, strerror(-rc));
	}
}

/* Makes the loop's private counters visible to telemetry and the status line. */
static void publish_stats(struct cgnf_app *app, struct aggregator_loop *loop)
{
	struct aggregator_stats *shared = &app->aggregator;
	struct pair_table_counters counters;

	flush_events(app);
	pair_table_get_counters(app->pair_table, &counters);
	loop->stats.pairs = pair_table_count(app->pair_table);
	loop->stats.cg_pairs = counters.cg_pairs;
	loop->stats.inserted = counters.inserted;
	loop->stats.expired = counters.expired;
	loop->stats.evicted = counters.evicted;

	counter_set(&shared->reports, loop->stats.reports);
	counter_set(&shared->reports_cg, loop->stats.reports_cg);
	counter_set(&shared->pairs, loop->stats.pairs);
	counter_set(&shared->cg_pairs, loop->stats.cg_pairs);
	counter_set(&shared->inserted, loop->stats.inserted);
	counter_set(&shared->expired, loop->stats.expired);
	counter_set(&shared->evicted, loop->stats.evicted);
	counter_set(&shared->latency_sum_ns, loop->stats.latency_sum_ns);
	counter_set(&shared->latency_max_ns, loop->stats.latency_max_ns);
	counter_set(&shared->last_report_ns, loop->stats.last_report_ns);
}

static unsigned int drain_results(struct cgnf_app *app, struct aggregator_loop *loop)
{
	struct pair_update results[CGNF_BURST]; /* the ring's result_records, as record.h says */
	unsigned int c, i, count, total = 0;
	uint64_t now_ns;

	for (c = 0; c < app->n_classifiers; c++) {
		count = rte_ring_dequeue_burst_elem(app->classifiers[c].results, results,
						    sizeof(results[0]), CGNF_BURST, NULL);
		if (count == 0)
			continue;
		now_ns = cgnf_clock_ns(app);
		pair_table_update_burst(app->pair_table, results, count);
		for (i = 0; i < count; i++) {
			uint64_t latency = now_ns - results[i].rx_time_ns;

			loop->stats.reports_cg += results[i].is_cg;
			loop->stats.latency_sum_ns += latency;
			if (latency > loop->stats.latency_max_ns)
				loop->stats.latency_max_ns = latency;
		}
		loop->stats.reports += count;
		loop->stats.last_report_ns = now_ns;
		total += count;
	}
	return total;
}

static bool all_classifiers_done(const struct cgnf_app *app)
{
	for (unsigned int c = 0; c < app->n_classifiers; c++)
		if (!__atomic_load_n(&app->classifiers[c].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static void print_status_line(struct cgnf_app *app, struct aggregator_loop *loop, uint64_t now_ns)
{
	struct cgnf_totals totals;
	double seconds = (double)(now_ns - loop->status_ns) / 1e9;

	stats_sum(app, &totals);
	printf("rx %.0f pps | reports %.0f/s | drops %" PRIu64 " | pairs %" PRIu64
	       " | CG pairs %" PRIu64 "\n",
	       (double)(totals.rx_packets - loop->status_totals.rx_packets) / seconds,
	       (double)(totals.aggregator.reports - loop->status_totals.aggregator.reports) /
		       seconds,
	       totals.dropped, totals.aggregator.pairs, totals.aggregator.cg_pairs);
	fflush(stdout);
	loop->status_totals = totals;
	loop->status_ns = now_ns;
}

static void housekeeping(struct cgnf_app *app, struct aggregator_loop *loop, uint64_t now_ns)
{
	const struct cgnf_config *config = &app->config;
	uint64_t first_packet_ns;

	loop->next_housekeeping_ns = now_ns + HOUSEKEEPING_NS;
	if (pair_table_expire(app->pair_table, now_ns, UINT32_MAX) != 0)
		publish_stats(app, loop);

	first_packet_ns = __atomic_load_n(&app->first_packet_ns, __ATOMIC_RELAXED);
	if (config->duration_s > 0 && first_packet_ns != 0 && !loop->stopping &&
	    now_ns - first_packet_ns >= seconds_to_ns(config->duration_s)) {
		CGNF_LOG(agg, NOTICE, "--duration %g s reached: stopping", config->duration_s);
		cgnf_request_stop(app, QUIT_STOP);
	}
}

static void check_idle(struct cgnf_app *app, struct aggregator_loop *loop, uint64_t now_ns)
{
	const struct cgnf_config *config = &app->config;

	if (config->idle_timeout_s <= 0 || loop->idle_reported || loop->stopping ||
	    now_ns - loop->idle_since_ns < seconds_to_ns(config->idle_timeout_s))
		return;
	loop->idle_reported = true;
	if (config->exit_on_idle) {
		CGNF_LOG(agg, NOTICE, "no report for %g s: stopping (--exit-on-idle)",
			 config->idle_timeout_s);
		cgnf_request_stop(app, QUIT_STOP);
		return;
	}
	CGNF_LOG(agg, NOTICE, "no report for %g s: writing the outputs", config->idle_timeout_s);
	aggregator_write_outputs(app, !config->quiet);
}

void aggregator_run(struct cgnf_app *app)
{
	const struct cgnf_config *config = &app->config;
	struct aggregator_loop loop;
	uint64_t now_ns, status_interval_ns = seconds_to_ns(config->stats_interval_s);
	unsigned int drained;

	memset(&loop, 0, sizeof(loop));
	idle_backoff_init(&loop.backoff, config->busy_poll);
	now_ns = cgnf_clock_ns(app);
	loop.idle_since_ns = now_ns;
	loop.status_ns = now_ns;
	loop.next_status_ns = now_ns + status_interval_ns;

	for (;;) {
		drained = drain_results(app, &loop);
		now_ns = cgnf_clock_ns(app);
		if (drained != 0) {
			publish_stats(app, &loop);
			loop.idle_since_ns = now_ns;
			loop.idle_reported = false;
		}
		if (agg_mailbox_pending(&app->mailbox))
			agg_mailbox_serve(&app->mailbox, app->pair_table, app->hash_seed);
		if (now_ns >= loop.next_housekeeping_ns)
			housekeeping(app, &loop, now_ns);
		if (status_interval_ns != 0 && now_ns >= loop.next_status_ns) {
			print_status_line(app, &loop, now_ns);
			loop.next_status_ns = now_ns + status_interval_ns;
		}
		check_idle(app, &loop, now_ns);

		if (!loop.stopping && cgnf_quit_level(app) != QUIT_NONE) {
			loop.stopping = true;
			CGNF_LOG(agg, INFO, "stopping: draining the pipeline");
		}
		if (drained != 0) {
			idle_backoff_reset(&loop.backoff);
			continue;
		}
		/* Empty rings after every classifier was seen done: the pipeline is drained. */
		if (loop.classifiers_done)
			break;
		if (loop.stopping)
			loop.classifiers_done = all_classifiers_done(app);
		if (!loop.classifiers_done)
			idle_backoff_wait(&loop.backoff);
	}
	publish_stats(app, &loop);
	agg_mailbox_close(&app->mailbox, app->pair_table, app->hash_seed);
	CGNF_LOG(agg, INFO, "pipeline drained: %" PRIu64 " reports in %" PRIu64 " pairs",
		 loop.stats.reports, loop.stats.pairs);
}

static void print_table(const struct cgnf_app *app)
{
	struct output_totals totals;
	struct cgnf_totals sums;

	stats_sum(app, &sums);
	totals.reports = sums.aggregator.reports;
	totals.rx_packets = sums.rx_packets;
	totals.elapsed_s = stats_elapsed_s(app, &sums.aggregator);
	memcpy(totals.drops, sums.drops, sizeof(totals.drops));
	output_print_table(app->pair_table, stdout, &totals);
	fflush(stdout);
}

int aggregator_write_outputs(struct cgnf_app *app, bool show_table)
{
	const struct cgnf_config *config = &app->config;
	char err[CONFIG_PATH_MAX + 256];
	json_t *stats;
	int rc, failed = 0;

	flush_events(app);
	if (show_table)
		print_table(app);
	if (config->csv_path[0] != '\0') {
		rc = output_write_csv(app->pair_table, &app->output_clock, config->csv_path, err,
				      sizeof(err));
		if (rc != 0) {
			CGNF_LOG(agg, ERR, "--csv: %s", err);
			failed = rc;
		}
	}
	if (config->stats_json_path[0] != '\0') {
		stats = stats_to_json(app);
		if (stats == NULL) {
			CGNF_LOG(agg, ERR, "--stats-json: out of memory");
			return -ENOMEM;
		}
		rc = output_write_json(config->stats_json_path, stats, err, sizeof(err));
		json_decref(stats);
		if (rc != 0) {
			CGNF_LOG(agg, ERR, "--stats-json: %s", err);
			failed = rc;
		}
	}
	return failed;
}
