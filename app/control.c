/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control thread loop.  Its work per pass: events from the event ring to
 * the sinks, rows from the snapshot ring into the snapshot being built,
 * then the timers.  With nothing to do it sleeps a millisecond: it is not a
 * datapath thread and must leave the CPUs to the lcores.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ring_elem.h>
#include <rte_thread.h>

#include "output.h"

#include "aggregator.h"
#include "app.h"
#include "control.h"
#include "handoff.h"
#include "rx.h"
#include "log.h"
#include "notify.h"
#include "reload.h"
#include "sink.h"

RTE_LOG_REGISTER(cgnf_logtype_control, cgnf.control, INFO);

/* A top-pairs answer may be this old before a new walk is asked for. */
#define TOP_PAIRS_MAX_AGE_NS 1000000000ull
/* Records taken from a ring per pass, so that timers are never starved. */
#define DRAIN_MAX 4096
#define DRAIN_BURST 64
/* Packet counters are summed this often for the idle timer. */
#define IDLE_CHECK_NS 10000000ull
/*
 * With nothing to do it sleeps 1 ms, doubling up to 8 ms while nothing
 * comes: an idle cgnf should cost well under 5 % of a core (measured: a
 * fixed 1 ms made the whole process cost 6 % idle, bench "idle CPU").
 */
#define IDLE_SLEEP_MIN_NS 1000000L
#define IDLE_SLEEP_MAX_NS 8000000L
/* How often a stopping main thread looks whether the thread ended or a third signal came. */
#define JOIN_POLL_NS 10000000L

/* One sink a line. */
/* clang-format off */
static const struct sink_ops *const sink_types[] = {
	&sink_table_ops,
	&sink_csv_ops,
	&sink_stats_json_ops,
	&sink_events_ops,
	&sink_windows_ops,
	&sink_metrics_ops,
	&sink_redis_ops,
	&sink_nft_ops,
};
/* clang-format on */

#define SINK_TYPES (sizeof(sink_types) / sizeof(sink_types[0]))

struct top_cache {
	pthread_mutex_t lock;
	pthread_cond_t updated;
	uint64_t generation; /* query snapshots completed */
	uint64_t taken_ns;   /* app clock of the last one; 0: none */
	int wanted;	     /* a requester waits for a fresh one, atomic */
	bool closed;
	unsigned int count;
	struct pair_stats pairs[CONTROL_TOP_PAIRS_MAX];
};

struct control {
	struct cgnf_app *app;
	struct output_clock clock;
	struct sink_env env;
	struct sink sinks[SINK_TYPES];
	unsigned int n_sinks;
	bool wants_events;

	struct rte_ring *events;
	struct rte_ring *snapshots;
	bool wants_windows; /* a sink writes the traffic windows (--windows) */
	pthread_t thread;
	bool running;
	int stop;	      /* atomic: drain the rings and end */
	int reopen_requested; /* atomic, set by SIGUSR1 */

	/* The snapshot being received and what it is for. */
	struct pair_rows rows;
	size_t rows_capacity;
	uint64_t walk_id; /* in flight; 0: none */
	uint64_t last_walk_id;
	unsigned int walk_purposes; /* of the walk in flight */
	unsigned int next_purposes; /* asked for since it started */

	/* Timers, app clock. */
	uint64_t start_ns;
	uint64_t next_idle_check_ns;
	uint64_t last_rx_packets;
	uint64_t idle_since_ns;
	bool idle_reported;
	bool stop_requested;
	uint64_t next_status_ns;
	uint64_t status_ns;
	uint64_t status_rx_packets;
	uint64_t status_reports;
	uint64_t next_periodic_ns;
	uint64_t watchdog_interval_ns; /* systemd's WatchdogSec / 2; 0: no watchdog */
	uint64_t next_watchdog_ns;
	uint64_t watchdog_heartbeat; /* the aggregator's loop count at the last ping */
	bool stopping_notified;

	struct top_cache top;
	struct control_counters counters; /* published; written by whoever runs the sinks */
};

static uint64_t seconds_to_ns(double seconds)
{
	return (uint64_t)(seconds * 1e9);
}

static void sleep_ns(long ns)
{
	struct timespec delay = {.tv_sec = 0, .tv_nsec = ns};

	nanosleep(&delay, NULL);
}

/* Counts one failure of a sink; logs the first one of each sink with its errno. */
static void sink_failed(struct control *control, struct sink *sink, const char *what, int rc)
{
	counter_add(&control->counters.output_errors, 1);
	sink->failures++;
	if (sink->first_error != 0)
		return;
	sink->first_error = rc;
	if (sink->error[0] == '\0')
		snprintf(sink->error, sizeof(sink->error), "%s: %s", what, strerror(-rc));
	CGNF_LOG(control, ERR, "%s output: %s", sink->ops->name, sink->error);
}

struct control *control_create(struct cgnf_app *app)
{
	struct control *control = calloc(1, sizeof(*control));
	struct timespec wall;
	unsigned int t;
	int rc;

	if (control == NULL)
		return NULL;
	control->app = app;
	/*
	 * The outputs print the reports' times: capture times are UNIX times
	 * already; the app clock is paired with one reading of the wall clock.
	 */
	if (app->timestamp_flag == 0) {
		clock_gettime(CLOCK_REALTIME, &wall);
		control->clock.base_ns = cgnf_clock_ns(app);
		control->clock.unix_at_base = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
	}
	control->env.app = app;
	control->env.clock = &control->clock;
	/* stdout carries the events when asked: the table and status go to stderr then. */
	control->env.console = strcmp(app->config.events_path, "-") == 0 ||
					       strcmp(app->config.windows_path, "-") == 0
				       ? stderr
				       : stdout;
	control->env.counters = &control->counters;
	pthread_mutex_init(&control->top.lock, NULL);
	pthread_cond_init(&control->top.updated, NULL);

	for (t = 0; t < SINK_TYPES; t++) {
		struct sink *sink = &control->sinks[control->n_sinks];

		if (!sink_types[t]->wanted(&app->config))
			continue;
		sink->ops = sink_types[t];
		sink->env = &control->env;
		rc = sink->ops->open ? sink->ops->open(sink) : 0;
		if (rc != 0) {
			CGNF_LOG(control, ERR, "%s output: %s", sink->ops->name,
				 sink->error[0] ? sink->error : strerror(-rc));
			control_free(control);
			errno = -rc;
			return NULL;
		}
		control->n_sinks++;
		control->wants_events |= sink->ops->takes_events;
		control->wants_windows |= sink->ops->window != NULL;
	}
	return control;
}

bool control_wants_events(const struct control *control)
{
	return control->wants_events;
}

const struct control_counters *control_counters(const struct control *control)
{
	return &control->counters;
}

void control_request_reopen(struct control *control)
{
	__atomic_store_n(&control->reopen_requested, 1, __ATOMIC_RELEASE);
}

static void deliver_event(struct control *control, const struct handoff_record *record)
{
	struct pair_event event = {
		.kind = (enum pair_event_kind)record->event,
		.previous = (enum pair_verdict)record->previous,
		.seen_ns = record->seen_ns,
		.stats = record->stats,
	};

	for (unsigned int s = 0; s < control->n_sinks; s++) {
		struct sink *sink = &control->sinks[s];
		int rc;

		if (!sink->ops->takes_events)
			continue;
		rc = sink->ops->event(sink, &event);
		if (rc != 0) {
			sink->lost++;
			sink_failed(control, sink, "event", rc);
		} else {
			counter_add(&control->counters.events_written, 1);
		}
	}
}

static void flush_sinks(struct control *control)
{
	uint64_t events_lost = 0, windows_lost = 0;

	for (unsigned int s = 0; s < control->n_sinks; s++) {
		struct sink *sink = &control->sinks[s];
		int rc = sink->ops->flush ? sink->ops->flush(sink) : 0;

		if (rc != 0)
			sink_failed(control, sink, "write", rc);
		if (sink->ops->takes_events)
			events_lost += sink->lost;
		if (sink->ops->window != NULL)
			windows_lost += sink->lost;
	}
	counter_set(&control->counters.events_lost, events_lost);
	counter_set(&control->counters.windows_unwritten, windows_lost);
}

static unsigned int drain_events(struct control *control, unsigned int max)
{
	struct handoff_record records[DRAIN_BURST];
	unsigned int count, i, total = 0;

	if (control->events == NULL)
		return 0;
	while (total < max) {
		count = rte_ring_sc_dequeue_burst_elem(control->events, records, sizeof(records[0]),
						       DRAIN_BURST, NULL);
		if (count == 0)
			break;
		for (i = 0; i < count; i++)
			deliver_event(control, &records[i]);
		total += count;
	}
	if (total != 0)
		flush_sinks(control);
	return total;
}

/* The closed traffic windows of every RX lcore to the sinks that write them. */
static unsigned int drain_windows(struct control *control, unsigned int max)
{
	const struct cgnf_app *app = control->app;
	struct report windows[DRAIN_BURST];
	unsigned int r, count, i, s, total = 0;

	if (!control->wants_windows)
		return 0;
	for (r = 0; r < app->n_rx; r++) {
		struct rte_ring *ring = app->rx[r].window_texts;

		while (ring != NULL && total < max) {
			count = rte_ring_sc_dequeue_burst_elem(ring, windows, sizeof(windows[0]),
							       DRAIN_BURST, NULL);
			if (count == 0)
				break;
			total += count;
			for (s = 0; s < control->n_sinks; s++) {
				struct sink *sink = &control->sinks[s];

				if (sink->ops->window == NULL)
					continue;
				for (i = 0; i < count; i++)
					if (sink->ops->window(sink, &windows[i]) != 0)
						sink->lost++;
			}
		}
	}
	if (total != 0)
		flush_sinks(control);
	return total;
}

static void request_walk(struct control *control, unsigned int purposes)
{
	control->next_purposes |= purposes;
	if (control->walk_id != 0)
		return;
	control->walk_purposes = control->next_purposes;
	control->next_purposes = 0;
	control->walk_id = ++control->last_walk_id;
	control->rows.count = 0;
	aggregator_request_walk(control->app->aggregator, control->walk_id);
}

static int append_row(struct control *control, const struct pair_stats *stats)
{
	if (control->rows.count == control->rows_capacity) {
		size_t capacity = control->rows_capacity ? 2 * control->rows_capacity : 1024;
		struct pair_stats *items = realloc(control->rows.items, capacity * sizeof(*items));

		if (items == NULL)
			return -ENOMEM;
		control->rows.items = items;
		control->rows_capacity = capacity;
	}
	control->rows.items[control->rows.count++] = *stats;
	return 0;
}

/* Most reports first, then address order: the busiest pairs, in a stable order. */
static int compare_busiest(const void *a, const void *b)
{
	const struct pair_stats *x = a, *y = b;
	uint64_t reports_x = x->cg + x->ncg, reports_y = y->cg + y->ncg;

	if (reports_x != reports_y)
		return reports_x > reports_y ? -1 : 1;
	return memcmp(&x->pair, &y->pair, sizeof(x->pair));
}

static void update_top_pairs(struct control *control)
{
	struct top_cache *top = &control->top;
	size_t n = control->rows.count;

	qsort(control->rows.items, n, sizeof(control->rows.items[0]), compare_busiest);
	pthread_mutex_lock(&top->lock);
	top->count = n < CONTROL_TOP_PAIRS_MAX ? (unsigned int)n : CONTROL_TOP_PAIRS_MAX;
	memcpy(top->pairs, control->rows.items, top->count * sizeof(top->pairs[0]));
	top->taken_ns = cgnf_clock_ns(control->app);
	top->generation++;
	pthread_cond_broadcast(&top->updated);
	pthread_mutex_unlock(&top->lock);
}

/* Hands a complete snapshot to every sink. */
/* The id of the model in use, for the verdicts the sinks write (reloads change it). */
static void refresh_model_id(struct control *control)
{
	struct reload_status status;

	if (control->app->reloader == NULL)
		return;
	reload_get_status(control->app->reloader, &status);
	snprintf(control->env.model_id, sizeof(control->env.model_id), "%s", status.model.id);
}

static void deliver_snapshot(struct control *control, unsigned int purposes,
			     uint64_t changed_since_ns)
{
	struct counter_values values;
	struct snapshot snapshot = {.purposes = purposes,
				    .rows = &control->rows,
				    .values = &values,
				    .changed_since_ns = changed_since_ns};

	cgnf_read_counters(control->app, &values);
	refresh_model_id(control);
	for (unsigned int s = 0; s < control->n_sinks; s++) {
		struct sink *sink = &control->sinks[s];
		int rc;

		if (sink->ops->snapshot == NULL)
			continue;
		rc = sink->ops->snapshot(sink, &snapshot);
		if (rc != 0)
			sink_failed(control, sink, "snapshot", rc);
	}
	if (purposes & SNAPSHOT_WRITES_FILES)
		counter_add(&control->counters.snapshots_written, 1);
	if (purposes & SNAPSHOT_QUERY)
		update_top_pairs(control);
}

static unsigned int drain_snapshots(struct control *control, unsigned int max)
{
	struct handoff_record records[DRAIN_BURST];
	unsigned int count, i, total = 0;
	bool out_of_memory = false;

	while (total < max) {
		count = rte_ring_sc_dequeue_burst_elem(control->snapshots, records,
						       sizeof(records[0]), DRAIN_BURST, NULL);
		if (count == 0)
			break;
		total += count;
		for (i = 0; i < count; i++) {
			const struct handoff_record *record = &records[i];

			if (record->walk_id != control->walk_id)
				continue; /* cannot happen: one walk at a time */
			if (record->kind == HANDOFF_ROW) {
				if (append_row(control, &record->stats) != 0)
					out_of_memory = true;
				continue;
			}
			control->walk_id = 0;
			deliver_snapshot(control, control->walk_purposes, record->seen_ns);
			if (control->next_purposes != 0)
				request_walk(control, 0);
		}
	}
	if (out_of_memory)
		CGNF_LOG(control, ERR, "no memory for the rows of a table snapshot");
	return total;
}

static void print_status_line(struct control *control, uint64_t now_ns)
{
	struct counter_values values;
	double seconds = (double)(now_ns - control->status_ns) / 1e9;
	uint64_t rx_packets, reports;

	cgnf_read_counters(control->app, &values);
	rx_packets = values.value[COUNTER_rx_packets];
	reports = values.value[COUNTER_reports];
	fprintf(control->env.console,
		"rx_packets %.0f/s | reports %.0f/s | dropped_total %" PRIu64 " | pairs %" PRIu64
		" | cg_pairs %" PRIu64 "\n",
		(double)(rx_packets - control->status_rx_packets) / seconds,
		(double)(reports - control->status_reports) / seconds,
		values.value[COUNTER_dropped_total], values.value[COUNTER_pairs],
		values.value[COUNTER_cg_pairs]);
	fflush(control->env.console);
	control->status_rx_packets = rx_packets;
	control->status_reports = reports;
	control->status_ns = now_ns;
}

/* The sum of the RX lcores' packet counters: the idle timer's input. */
static uint64_t packets_received(const struct cgnf_app *app)
{
	struct counter_values values;

	cgnf_read_counters(app, &values);
	return values.value[COUNTER_rx_packets];
}

/* --idle-timeout counts time without a packet (not without a report). */
static void check_idle(struct control *control, uint64_t now_ns)
{
	const struct cgnf_config *config = &control->app->config;
	uint64_t rx_packets;

	if (config->idle_timeout_s <= 0 || now_ns < control->next_idle_check_ns)
		return;
	control->next_idle_check_ns = now_ns + IDLE_CHECK_NS;
	rx_packets = packets_received(control->app);
	if (rx_packets != control->last_rx_packets) {
		control->last_rx_packets = rx_packets;
		control->idle_since_ns = now_ns;
		control->idle_reported = false;
		return;
	}
	if (control->idle_reported ||
	    now_ns - control->idle_since_ns < seconds_to_ns(config->idle_timeout_s))
		return;
	control->idle_reported = true;
	if (config->exit_on_idle) {
		CGNF_LOG(control, NOTICE, "no packet for %g s: stopping (--exit-on-idle)",
			 config->idle_timeout_s);
		cgnf_request_stop(control->app, QUIT_STOP);
		return;
	}
	CGNF_LOG(control, NOTICE, "no packet for %g s: writing the outputs",
		 config->idle_timeout_s);
	request_walk(control, SNAPSHOT_IDLE);
}

static void run_timers(struct control *control, uint64_t now_ns)
{
	const struct cgnf_config *config = &control->app->config;

	check_idle(control, now_ns);
	if (config->duration_s > 0 && !control->stop_requested &&
	    now_ns - control->start_ns >= seconds_to_ns(config->duration_s)) {
		control->stop_requested = true;
		CGNF_LOG(control, NOTICE, "--duration %g s reached: stopping", config->duration_s);
		cgnf_request_stop(control->app, QUIT_STOP);
	}
	if (config->stats_interval_s > 0 && now_ns >= control->next_status_ns) {
		print_status_line(control, now_ns);
		control->next_status_ns = now_ns + seconds_to_ns(config->stats_interval_s);
	}
	if (config->snapshot_interval_s > 0 && now_ns >= control->next_periodic_ns) {
		if (control->next_periodic_ns != 0)
			request_walk(control, SNAPSHOT_PERIODIC);
		control->next_periodic_ns = now_ns + seconds_to_ns(config->snapshot_interval_s);
	}
	if (__atomic_exchange_n(&control->top.wanted, 0, __ATOMIC_ACQ_REL))
		request_walk(control, SNAPSHOT_QUERY);
	for (unsigned int s = 0; s < control->n_sinks; s++) {
		struct sink *sink = &control->sinks[s];
		bool due = sink->snapshot_interval_ns != 0 && now_ns >= sink->next_snapshot_ns;

		if (__atomic_exchange_n(&sink->snapshot_wanted, 0, __ATOMIC_ACQ_REL) || due) {
			request_walk(control, SNAPSHOT_EXPORT);
			sink->next_snapshot_ns = now_ns + sink->snapshot_interval_ns;
		}
	}
}

/*
 * systemd's watchdog is fed only while the aggregator's loop moves: a stuck
 * datapath stops the pings, and systemd restarts cgnf.  The ping is a
 * system call, so it is made here, never on an lcore.
 */
static void feed_watchdog(struct control *control, uint64_t now_ns)
{
	const struct cgnf_app *app = control->app;
	uint64_t heartbeat;

	if (!control->stopping_notified && cgnf_quit_level(app) != QUIT_NONE) {
		control->stopping_notified = true;
		notify_stopping();
	}
	if (control->watchdog_interval_ns == 0 || now_ns < control->next_watchdog_ns)
		return;
	control->next_watchdog_ns = now_ns + control->watchdog_interval_ns;
	heartbeat = counter_read(&aggregator_counters(app->aggregator)->aggregator_loops);
	if (heartbeat == control->watchdog_heartbeat)
		return;
	control->watchdog_heartbeat = heartbeat;
	notify_watchdog();
}

static void tick_sinks(struct control *control, uint64_t now_ns)
{
	for (unsigned int s = 0; s < control->n_sinks; s++) {
		struct sink *sink = &control->sinks[s];
		int rc = sink->ops->tick ? sink->ops->tick(sink, now_ns) : 0;

		if (rc != 0)
			sink_failed(control, sink, "tick", rc);
	}
}

static void reopen_sinks(struct control *control)
{
	CGNF_LOG(control, NOTICE, "SIGUSR1: reopening the output files");
	for (unsigned int s = 0; s < control->n_sinks; s++) {
		struct sink *sink = &control->sinks[s];
		int rc;

		if (sink->ops->reopen == NULL)
			continue;
		rc = sink->ops->reopen(sink);
		if (rc != 0)
			sink_failed(control, sink, "reopen", rc);
	}
}

static void *control_thread_main(void *arg)
{
	struct control *control = arg;
	long idle_sleep_ns = IDLE_SLEEP_MIN_NS;
	uint64_t now_ns;
	unsigned int work;

	now_ns = cgnf_clock_ns(control->app);
	control->start_ns = now_ns;
	control->idle_since_ns = now_ns;
	control->status_ns = now_ns;
	control->next_status_ns = now_ns + seconds_to_ns(control->app->config.stats_interval_s);
	/* The lcores are running: tell systemd (Type=notify) that cgnf is up. */
	control->watchdog_interval_ns = notify_watchdog_interval_ns() / 2;
	notify_ready();
	while (!__atomic_load_n(&control->stop, __ATOMIC_ACQUIRE)) {
		refresh_model_id(control);
		work = drain_events(control, DRAIN_MAX);
		work += drain_windows(control, DRAIN_MAX);
		work += drain_snapshots(control, DRAIN_MAX);
		now_ns = cgnf_clock_ns(control->app);
		run_timers(control, now_ns);
		tick_sinks(control, now_ns);
		feed_watchdog(control, now_ns);
		if (__atomic_exchange_n(&control->reopen_requested, 0, __ATOMIC_ACQ_REL))
			reopen_sinks(control);
		if (work != 0) {
			idle_sleep_ns = IDLE_SLEEP_MIN_NS;
			continue;
		}
		sleep_ns(idle_sleep_ns);
		if (idle_sleep_ns < IDLE_SLEEP_MAX_NS)
			idle_sleep_ns *= 2;
	}
	feed_watchdog(control, cgnf_clock_ns(control->app)); /* STOPPING=1, if not said yet */
	/* The aggregator has stopped: what is in the event ring now is all there is. */
	while (drain_events(control, DRAIN_MAX) + drain_windows(control, DRAIN_MAX) != 0)
		;
	return NULL;
}

int control_start(struct control *control, struct rte_ring *events, struct rte_ring *snapshots)
{
	int rc;

	control->events = events;
	control->snapshots = snapshots;
	rc = rte_ctrl_thread_create(&control->thread, "cgnf-control", NULL, control_thread_main,
				    control);
	if (rc != 0) {
		CGNF_LOG(control, ERR, "cannot start the control thread: %s", strerror(rc));
		return -rc;
	}
	control->running = true;
	return 0;
}

static void close_top_cache(struct top_cache *top)
{
	pthread_mutex_lock(&top->lock);
	top->closed = true;
	pthread_cond_broadcast(&top->updated);
	pthread_mutex_unlock(&top->lock);
}

int control_stop(struct control *control)
{
	close_top_cache(&control->top);
	if (!control->running)
		return 0;
	__atomic_store_n(&control->stop, 1, __ATOMIC_RELEASE);
	/* A sink may be blocked (a full pipe, a dead NFS server): a third signal ends the wait. */
	while (pthread_tryjoin_np(control->thread, NULL) == EBUSY) {
		if (cgnf_quit_level(control->app) == QUIT_ABANDON)
			return -EINTR;
		sleep_ns(JOIN_POLL_NS);
	}
	control->running = false;
	return 0;
}

static bool outputs_lost(const struct control *control)
{
	for (unsigned int s = 0; s < control->n_sinks; s++)
		if (control->sinks[s].failures != 0)
			return true;
	return false;
}

int control_finish(struct control *control, const struct pair_table *table)
{
	int rc;

	free(control->rows.items);
	rc = output_collect_rows(table, &control->rows);
	if (rc != 0) {
		CGNF_LOG(control, ERR,
			 "no memory for the final table: the outputs are not written");
		return -EIO;
	}
	control->rows_capacity = control->rows.count;
	deliver_snapshot(control, SNAPSHOT_FINAL, 0);
	for (unsigned int s = 0; s < control->n_sinks; s++) {
		struct sink *sink = &control->sinks[s];

		rc = sink->ops->close ? sink->ops->close(sink) : 0;
		if (rc != 0)
			sink_failed(control, sink, "close", rc);
	}
	rc = outputs_lost(control) ? -EIO : 0;
	control->n_sinks = 0;
	return rc;
}

void control_free(struct control *control)
{
	if (control == NULL)
		return;
	for (unsigned int s = 0; s < control->n_sinks; s++)
		if (control->sinks[s].ops->close != NULL)
			control->sinks[s].ops->close(&control->sinks[s]);
	pthread_mutex_destroy(&control->top.lock);
	pthread_cond_destroy(&control->top.updated);
	free(control->rows.items);
	free(control);
}

int control_top_pairs(struct control *control, unsigned int n, struct pair_stats *out,
		      unsigned int *count, unsigned int timeout_ms)
{
	struct top_cache *top = &control->top;
	uint64_t now_ns = cgnf_clock_ns(control->app), wanted;
	struct timespec deadline;
	int rc = 0;

	*count = 0;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&top->lock);
	if (top->taken_ns == 0 || now_ns - top->taken_ns > TOP_PAIRS_MAX_AGE_NS) {
		wanted = top->generation + 1;
		__atomic_store_n(&top->wanted, 1, __ATOMIC_RELEASE);
		while (rc == 0 && top->generation < wanted && !top->closed)
			rc = -pthread_cond_timedwait(&top->updated, &top->lock, &deadline);
	}
	if (top->closed)
		rc = -ESHUTDOWN;
	if (rc == 0) {
		*count = n < top->count ? n : top->count;
		memcpy(out, top->pairs, *count * sizeof(out[0]));
	}
	pthread_mutex_unlock(&top->lock);
	return rc;
}

json_t *control_failures_to_json(const struct control *control)
{
	json_t *failures = NULL;

	for (unsigned int s = 0; s < control->n_sinks; s++) {
		const struct sink *sink = &control->sinks[s];

		if (sink->failures == 0)
			continue;
		if (failures == NULL)
			failures = json_object();
		if (failures != NULL)
			json_object_set_new(failures, sink->ops->name, json_string(sink->error));
	}
	return failures;
}
