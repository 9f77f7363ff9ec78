/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --redis HOST:PORT | unix:PATH: pair events and pair state into Redis
 * (hiredis), for consumers and for several cgnf seen as one.  The schema
 * (README, "Verdicts in Redis") is stable:
 *
 *   cgnf:events              stream, one entry per pair event: the --events
 *                            fields flattened, plus instance and model;
 *                            XADD MAXLEN ~ --redis-stream-maxlen
 *   cgnf:pair:{IP1|IP2}      hash, the pair's state: ip1 ip2 cg ncg ratio
 *                            verdict window_reports window_cg first_seen
 *                            last_seen instance model; EXPIRE --pair-timeout
 *   cgnf:cg                  sorted set of the pairs judged cloud gaming,
 *                            member IP1|IP2, score last seen (UNIX s)
 *   cgnf:instance:NAME       hash, one per cgnf: counters and rates, every
 *                            --redis-interval, EXPIRE 3 intervals (>= 10 s)
 *
 * Ownership.  The sink's calls run on the control thread and only hand
 * work over: events go into a bounded SP/SC ring (full: the event is
 * dropped and counted, redis_dropped), a table snapshot into a one-slot
 * mailbox (busy: the snapshot is skipped, the next one covers it).  The
 * sink's own I/O thread owns the connection: it sends what it is handed,
 * pipelined (every command of a batch appended, then every reply read),
 * with connection and command timeouts; when the connection is lost it
 * counts the error, reconnects with a doubling back-off (redis_reconnects)
 * and asks for a full snapshot, from which every pair hash and cgnf:cg are
 * rewritten.  So a slow or dead Redis costs the control thread one failed
 * enqueue per event and never reaches the datapath.
 *
 * Which pairs a snapshot refreshes: those with a report since about the
 * snapshot before the last one handed over (a pair whose count changed
 * after the walk passed it is caught by the next one); every pair at exit,
 * after a reconnection or a new model, and at most every 10 s while records
 * are being dropped (a full rewrite also removes this instance's pairs that
 * Redis holds and cgnf does not).  At exit the I/O thread has 5 s to send
 * what is left.
 *
 * A wrong password or an unreachable server at start-up stops cgnf with one
 * line.  Later failures are counted (redis_errors, redis_dropped) and do
 * not change cgnf's exit status: the files are the record, Redis the view.
 * The stream is at most once: the commands of a batch in flight when the
 * connection breaks are not sent again (the state is, by the rewrite).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ring_elem.h>

#include "endpoint.h"
#include "output.h"

#include "app.h"
#include "log.h"
#include "reload.h"
#include "sink.h"

RTE_LOG_REGISTER(cgnf_logtype_sink, cgnf.sink, INFO);

#ifndef CGNF_VERSION
#define CGNF_VERSION "unknown"
#endif

/* Events waiting for the I/O thread, at most (about 100 bytes each). */
#define REDIS_QUEUE_SIZE 32768u
/* Records sent per pipelined round trip. */
#define REDIS_BATCH 256
/* Connection set-up, and any one command, may take this long. */
#define REDIS_CONNECT_TIMEOUT_MS 1000
#define REDIS_COMMAND_TIMEOUT_MS 2000
/* Reconnection back-off: doubles from the first to the last. */
#define REDIS_BACKOFF_FIRST_MS 100
#define REDIS_BACKOFF_MAX_MS 5000
/* At close, how long the I/O thread keeps trying to send what is left. */
#define REDIS_CLOSE_DEADLINE_NS 5000000000ull
#define REDIS_IDLE_SLEEP_NS 1000000L
#define REDIS_REPAIR_PERIOD_NS 10000000000ull

#define KEY_EVENTS "cgnf:events"
#define KEY_CG "cgnf:cg"
#define KEY_PAIR_PREFIX "cgnf:pair:"
#define KEY_INSTANCE_PREFIX "cgnf:instance:"

#define MEMBER_MAX (2 * IP_TEXT_MAX + 2)
#define KEY_MAX (sizeof(KEY_PAIR_PREFIX) + MEMBER_MAX + 2)
#define INSTANCE_MAX 128

struct redis_record {
	struct pair_stats stats;
	uint64_t seen_ns; /* the event's time, on the reports' clock */
	uint8_t event;	  /* enum pair_event_kind */
	uint8_t previous; /* enum pair_verdict */
	uint8_t reserved[6];
};

/* A table snapshot handed to the I/O thread through the one-slot mailbox. */
struct redis_batch {
	bool full;	       /* every pair: cgnf:cg is made to match it */
	uint64_t new_since_ns; /* pairs first seen since then are written whole (reports' clock) */
	size_t count;
	struct pair_stats rows[];
};

/*
 * Commands of one pipelined batch in the Redis protocol (RESP), built here
 * and handed to hiredis in one piece: hiredis would allocate a buffer per
 * command (redisAppendCommandArgv), which was a third of the sink's time.
 */
struct resp {
	char *text;
	size_t length;
	size_t capacity;
	unsigned int commands;
	bool failed; /* out of memory: the batch is lost */
};

/*
 * Pairs removed (expired, evicted) while a snapshot is being sent: its rows
 * for them are older than the removal and are not written.  Keyed by the
 * pair's hash (a collision only skips a row, which the next snapshot
 * refreshes).
 */
struct removed_set {
	uint64_t *slots; /* hash + 1; 0: empty */
	size_t capacity; /* a power of two, or 0 */
	size_t count;
};

/*
 * When every pair is rewritten: after a reconnection or a new model at the
 * next snapshot; after records were dropped (Redis too slow) at most every
 * REDIS_REPAIR_PERIOD_NS, so that an overloaded Redis is not given more.
 */
enum full_rewrite {
	FULL_REWRITE_NONE,
	FULL_REWRITE_SOON,
	FULL_REWRITE_NOW,
};

struct redis_sink {
	const struct cgnf_app *app;
	struct sink *sink;
	struct control_counters *counters;
	struct output_clock clock;
	struct endpoint where;
	char address[CONFIG_PATH_MAX]; /* as given, for messages */
	char password[256];
	bool has_password;
	const char *user; /* --redis-user: NULL for the default user */
	char instance[INSTANCE_MAX];
	char model[17]; /* id of the model in use (the SHA-256's first 12 hex digits) */
	uint64_t pair_timeout_s;
	uint64_t interval_ns;
	unsigned int stream_maxlen;

	struct rte_ring *queue;	     /* control thread -> I/O thread */
	struct redis_batch *pending; /* the mailbox, atomic: NULL when free */
	int full_wanted;	     /* atomic enum full_rewrite: a full snapshot is due */
	int stop;		     /* atomic */
	pthread_t thread;
	bool thread_started;

	/* Control thread. */
	/* Reports' clock: the oldest changed_since_ns of the snapshots not yet handed over. */
	uint64_t changed_since_ns;
	uint64_t last_full_ns; /* app clock of the last full snapshot handed over */
	bool handed_one;

	/* I/O thread. */
	redisContext *context;
	struct resp pipeline;	     /* commands appended, not yet handed to hiredis */
	struct redis_batch *sending; /* the snapshot being sent, by chunks */
	size_t sent;		     /* its rows sent so far */
	size_t events_before;	     /* events queued before it, still to send first */
	struct removed_set removed;  /* pairs removed since it began */
	uint64_t backoff_ms;
	uint64_t next_attempt_ns;
	uint64_t next_heartbeat_ns;
	uint64_t heartbeat_ns, heartbeat_reports, heartbeat_rx_packets;
	bool error_logged;
};

/* One command being built: its arguments point into text. */
#define ARGS_MAX 40
struct command {
	int argc;
	const char *argv[ARGS_MAX];
	size_t argvlen[ARGS_MAX];
	char text[ARGS_MAX][MEMBER_MAX + 16];
};

static bool redis_wanted(const struct cgnf_config *config)
{
	return config->redis_address[0] != '\0';
}

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static void sleep_ns(long ns)
{
	struct timespec delay = {.tv_sec = 0, .tv_nsec = ns};

	nanosleep(&delay, NULL);
}

static struct timeval milliseconds(unsigned int ms)
{
	return (struct timeval){.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
}

/* v in decimal into out (at least 21 bytes); returns the length. */
static size_t format_u64(uint64_t v, char *out)
{
	char digits[20];
	size_t n = 0, i;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = digits[n - 1 - i];
	out[n] = '\0';
	return n;
}

static void command_start(struct command *command)
{
	command->argc = 0;
}

static void command_arg(struct command *command, const char *text)
{
	command->argv[command->argc] = text;
	command->argvlen[command->argc] = strlen(text);
	command->argc++;
}

static void command_arg_u64(struct command *command, uint64_t value)
{
	char *text = command->text[command->argc];

	command->argv[command->argc] = text;
	command->argvlen[command->argc] = format_u64(value, text);
	command->argc++;
}

__attribute__((format(printf, 2, 3))) static void command_argf(struct command *command,
							       const char *format, ...)
{
	char *text = command->text[command->argc];
	va_list args;

	va_start(args, format);
	vsnprintf(text, sizeof(command->text[0]), format, args);
	va_end(args);
	command_arg(command, text);
}

static bool resp_reserve(struct resp *resp, size_t more)
{
	size_t capacity;
	char *text;

	if (resp->failed)
		return false;
	if (resp->length + more <= resp->capacity)
		return true;
	capacity = 2 * resp->capacity + more + 4096;
	text = realloc(resp->text, capacity);
	if (text == NULL) {
		resp->failed = true;
		return false;
	}
	resp->text = text;
	resp->capacity = capacity;
	return true;
}

/* "*argc\r\n", then "$len\r\narg\r\n" for each argument. */
static int command_append(struct redis_sink *state, const struct command *command)
{
	struct resp *resp = &state->pipeline;
	size_t needed = 16;
	char *out;
	int i;

	for (i = 0; i < command->argc; i++)
		needed += command->argvlen[i] + 32;
	if (!resp_reserve(resp, needed))
		return REDIS_ERR;
	out = resp->text + resp->length;
	*out++ = '*';
	out += format_u64((uint64_t)command->argc, out);
	*out++ = '\r';
	*out++ = '\n';
	for (i = 0; i < command->argc; i++) {
		*out++ = '$';
		out += format_u64(command->argvlen[i], out);
		*out++ = '\r';
		*out++ = '\n';
		memcpy(out, command->argv[i], command->argvlen[i]);
		out += command->argvlen[i];
		*out++ = '\r';
		*out++ = '\n';
	}
	resp->length = (size_t)(out - resp->text);
	resp->commands++;
	return REDIS_OK;
}

/* "192.168.4.26|219.19.164.68" */
static void pair_member(const struct pair_stats *stats, char out[MEMBER_MAX])
{
	char ip1[IP_TEXT_MAX], ip2[IP_TEXT_MAX];

	ip_format(&stats->pair.ip1, ip1);
	ip_format(&stats->pair.ip2, ip2);
	snprintf(out, MEMBER_MAX, "%s|%s", ip1, ip2);
}

/* UNIX seconds with 6 decimals, as the CSV writes them. */
static void unix_seconds(const struct output_clock *clock, uint64_t ns, char *out, size_t size)
{
	int64_t unix_ns = output_unix_ns(clock, ns);

	uint64_t micros;
	size_t n;

	if (unix_ns < 0 || size < 32)
		unix_ns = 0;
	n = format_u64((uint64_t)unix_ns / 1000000000u, out);
	micros = (uint64_t)unix_ns % 1000000000u / 1000u;
	out[n++] = '.';
	for (int digit = 5; digit >= 0; digit--, micros /= 10)
		out[n + (size_t)digit] = (char)('0' + micros % 10);
	out[n + 6] = '\0';
}

static double ratio_of(const struct pair_stats *stats)
{
	uint64_t reports = stats->cg + stats->ncg;

	return reports > 0 ? (double)stats->cg / (double)reports : 0.0;
}

/* What a pair's commands need as text, formatted once. */
struct pair_text {
	char ip1[IP_TEXT_MAX];
	char ip2[IP_TEXT_MAX];
	char member[MEMBER_MAX]; /* IP1|IP2 */
	char key[KEY_MAX];	 /* cgnf:pair:{IP1|IP2} */
};

static void pair_text(const struct pair_stats *stats, struct pair_text *out)
{
	ip_format(&stats->pair.ip1, out->ip1);
	ip_format(&stats->pair.ip2, out->ip2);
	snprintf(out->member, sizeof(out->member), "%s|%s", out->ip1, out->ip2);
	snprintf(out->key, sizeof(out->key), KEY_PAIR_PREFIX "{%s}", out->member);
}

/*
 * The commands that make the pair's hash (and its cgnf:cg membership) say
 * stats.  whole: every field; otherwise only those a report changes (the
 * hash was written whole before: a pair new since the last snapshot, an
 * event, a full rewrite and a new model are written whole).
 */
static int append_pair_state(struct redis_sink *state, const struct pair_stats *stats, bool whole,
			     bool remove_if_not_cg)
{
	struct command command;
	struct pair_text text;
	char first_seen[32], last_seen[32];
	int rc;

	pair_text(stats, &text);
	unix_seconds(&state->clock, stats->last_seen_ns, last_seen, sizeof(last_seen));
	command_start(&command);
	command_arg(&command, "HSET");
	command_arg(&command, text.key);
	command_arg(&command, "cg");
	command_arg_u64(&command, stats->cg);
	command_arg(&command, "ncg");
	command_arg_u64(&command, stats->ncg);
	command_arg(&command, "ratio");
	command_argf(&command, "%.6f", ratio_of(stats));
	command_arg(&command, "verdict");
	command_arg(&command, pair_verdict_name(stats->verdict));
	command_arg(&command, "window_reports");
	command_arg_u64(&command, stats->window_reports);
	command_arg(&command, "window_cg");
	command_arg_u64(&command, stats->window_cg);
	command_arg(&command, "last_seen");
	command_arg(&command, last_seen);
	if (whole) {
		unix_seconds(&state->clock, stats->first_seen_ns, first_seen, sizeof(first_seen));
		command_arg(&command, "ip1");
		command_arg(&command, text.ip1);
		command_arg(&command, "ip2");
		command_arg(&command, text.ip2);
		command_arg(&command, "first_seen");
		command_arg(&command, first_seen);
		command_arg(&command, "instance");
		command_arg(&command, state->instance);
		command_arg(&command, "model");
		command_arg(&command, state->model);
	}
	rc = command_append(state, &command);
	if (state->pair_timeout_s > 0 && rc == REDIS_OK) {
		command_start(&command);
		command_arg(&command, "EXPIRE");
		command_arg(&command, text.key);
		command_arg_u64(&command, state->pair_timeout_s);
		rc = command_append(state, &command);
	}
	if (rc == REDIS_OK && (stats->verdict == VERDICT_CG || remove_if_not_cg)) {
		command_start(&command);
		if (stats->verdict == VERDICT_CG) {
			command_arg(&command, "ZADD");
			command_arg(&command, KEY_CG);
			command_arg(&command, last_seen);
		} else {
			command_arg(&command, "ZREM");
			command_arg(&command, KEY_CG);
		}
		command_arg(&command, text.member);
		rc = command_append(state, &command);
	}
	return rc;
}

/* A forgotten pair (expired, evicted): its hash and its cgnf:cg membership go. */
static int append_pair_removal(struct redis_sink *state, const struct pair_stats *stats)
{
	struct command command;
	char member[MEMBER_MAX], key[KEY_MAX];
	int rc;

	pair_member(stats, member);
	snprintf(key, sizeof(key), KEY_PAIR_PREFIX "{%s}", member);
	command_start(&command);
	command_arg(&command, "DEL");
	command_arg(&command, key);
	rc = command_append(state, &command);
	if (rc != REDIS_OK)
		return rc;
	command_start(&command);
	command_arg(&command, "ZREM");
	command_arg(&command, KEY_CG);
	command_arg(&command, member);
	return command_append(state, &command);
}

/* One stream entry: the --events record's fields, flat, plus instance and model. */
static int append_stream_entry(struct redis_sink *state, const struct redis_record *record)
{
	const struct pair_stats *stats = &record->stats;
	char timestamp[OUTPUT_TIMESTAMP_MAX], first_seen[OUTPUT_TIMESTAMP_MAX],
		last_seen[OUTPUT_TIMESTAMP_MAX], ip1[IP_TEXT_MAX], ip2[IP_TEXT_MAX];
	struct command command;

	output_format_timestamp(output_unix_ns(&state->clock, record->seen_ns), timestamp);
	output_format_timestamp(output_unix_ns(&state->clock, stats->first_seen_ns), first_seen);
	output_format_timestamp(output_unix_ns(&state->clock, stats->last_seen_ns), last_seen);
	ip_format(&stats->pair.ip1, ip1);
	ip_format(&stats->pair.ip2, ip2);
	command_start(&command);
	command_arg(&command, "XADD");
	command_arg(&command, KEY_EVENTS);
	command_arg(&command, "MAXLEN");
	command_arg(&command, "~");
	command_arg_u64(&command, state->stream_maxlen);
	command_arg(&command, "*");
	command_arg(&command, "timestamp");
	command_arg(&command, timestamp);
	command_arg(&command, "event_type");
	command_arg(&command, "cgnf");
	command_arg(&command, "src_ip");
	command_arg(&command, ip1);
	command_arg(&command, "dest_ip");
	command_arg(&command, ip2);
	command_arg(&command, "event");
	command_arg(&command, pair_event_kind_name((enum pair_event_kind)record->event));
	command_arg(&command, "verdict");
	command_arg(&command, pair_verdict_name(stats->verdict));
	command_arg(&command, "previous_verdict");
	command_arg(&command, pair_verdict_name((enum pair_verdict)record->previous));
	command_arg(&command, "cg");
	command_arg_u64(&command, stats->cg);
	command_arg(&command, "ncg");
	command_arg_u64(&command, stats->ncg);
	command_arg(&command, "ratio");
	command_argf(&command, "%.6f", ratio_of(stats));
	command_arg(&command, "window_reports");
	command_arg_u64(&command, stats->window_reports);
	command_arg(&command, "window_cg");
	command_arg_u64(&command, stats->window_cg);
	command_arg(&command, "first_seen");
	command_arg(&command, first_seen);
	command_arg(&command, "last_seen");
	command_arg(&command, last_seen);
	command_arg(&command, "instance");
	command_arg(&command, state->instance);
	command_arg(&command, "model");
	command_arg(&command, state->model);
	command_arg(&command, "run");
	command_arg(&command, state->app->run_id);
	return command_append(state, &command);
}

static void count_dropped(struct redis_sink *state, uint64_t records)
{
	int none = FULL_REWRITE_NONE;

	/* Two writers (the control thread, the I/O thread): an atomic add. */
	__atomic_fetch_add(&state->counters->redis_dropped, records, __ATOMIC_RELAXED);
	/* Never lowers a rewrite already asked for "now" (the two threads may race). */
	__atomic_compare_exchange_n(&state->full_wanted, &none, FULL_REWRITE_SOON, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void log_error_once(struct redis_sink *state, const char *what, const char *why)
{
	if (state->error_logged)
		return;
	state->error_logged = true;
	CGNF_LOG(sink, WARNING, "--redis %s: %s: %s (counted from now on in redis_errors)",
		 state->address, what, why);
}

/* The connection broke: drop it, count, and plan the next attempt. */
static void connection_lost(struct redis_sink *state, const char *why)
{
	counter_add(&state->counters->redis_errors, 1);
	log_error_once(state, "connection lost", why);
	redisFree(state->context);
	state->context = NULL;
	state->backoff_ms = REDIS_BACKOFF_FIRST_MS;
	state->next_attempt_ns = monotonic_ns() + state->backoff_ms * 1000000u;
}

/*
 * Hands the batch to hiredis and reads one reply per command.  0, -ENOMEM
 * (the batch could not be built), or -EIO when the connection broke (it is
 * then dropped).  Error replies are counted.
 */
static int pipeline_flush(struct redis_sink *state)
{
	struct resp *resp = &state->pipeline;
	unsigned int commands = resp->commands;
	bool failed = resp->failed;
	int rc = REDIS_OK;

	if (!failed && resp->length != 0)
		rc = redisAppendFormattedCommand(state->context, resp->text, resp->length);
	resp->length = 0;
	resp->commands = 0;
	resp->failed = false;
	if (failed || rc != REDIS_OK)
		return -ENOMEM;
	for (unsigned int i = 0; i < commands; i++) {
		redisReply *reply = NULL;

		if (redisGetReply(state->context, (void **)&reply) != REDIS_OK) {
			connection_lost(state, state->context->errstr[0] ? state->context->errstr
									 : "no reply");
			return -EIO;
		}
		if (reply->type == REDIS_REPLY_ERROR) {
			counter_add(&state->counters->redis_errors, 1);
			log_error_once(state, "error reply", reply->str);
		}
		freeReplyObject(reply);
	}
	return 0;
}

/* A connection, authenticated.  NULL with the reason in err. */
static redisContext *connect_to(const struct redis_sink *state, char *err, size_t err_size, int *rc)
{
	struct timeval timeout = milliseconds(REDIS_CONNECT_TIMEOUT_MS);
	redisContext *context;
	redisReply *reply;

	context = state->where.is_unix
			  ? redisConnectUnixWithTimeout(state->where.host, timeout)
			  : redisConnectWithTimeout(state->where.host, state->where.port, timeout);
	if (context == NULL || context->err) {
		snprintf(err, err_size, "cannot connect: %s",
			 context ? context->errstr : "out of memory");
		redisFree(context);
		*rc = -ECONNREFUSED;
		return NULL;
	}
	redisSetTimeout(context, milliseconds(REDIS_COMMAND_TIMEOUT_MS));
	if (!state->where.is_unix)
		redisEnableKeepAlive(context);
	if (state->has_password) {
		reply = state->user != NULL
				? redisCommand(context, "AUTH %s %s", state->user, state->password)
				: redisCommand(context, "AUTH %s", state->password);
		if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
			snprintf(err, err_size, "authentication refused: %s",
				 reply ? reply->str : context->errstr);
			*rc = reply ? -EACCES : -EIO;
			freeReplyObject(reply);
			redisFree(context);
			return NULL;
		}
		freeReplyObject(reply);
	}
	/* A server that wants a password says so to the first command: ask it now. */
	reply = redisCommand(context, "PING");
	if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
		snprintf(err, err_size, "%s", reply ? reply->str : context->errstr);
		*rc = reply ? -EACCES : -EIO;
		freeReplyObject(reply);
		redisFree(context);
		return NULL;
	}
	freeReplyObject(reply);
	return context;
}

static void try_reconnect(struct redis_sink *state)
{
	char err[256];
	int rc;

	if (monotonic_ns() < state->next_attempt_ns)
		return;
	state->context = connect_to(state, err, sizeof(err), &rc);
	if (state->context == NULL) {
		counter_add(&state->counters->redis_errors, 1);
		state->backoff_ms = state->backoff_ms * 2 > REDIS_BACKOFF_MAX_MS
					    ? REDIS_BACKOFF_MAX_MS
					    : state->backoff_ms * 2;
		state->next_attempt_ns = monotonic_ns() + state->backoff_ms * 1000000u;
		return;
	}
	CGNF_LOG(sink, NOTICE, "--redis %s: connected again; rewriting the pairs", state->address);
	counter_add(&state->counters->redis_reconnects, 1);
	state->error_logged = false;
	/* Whatever Redis holds now may be stale or gone: rewrite it from a snapshot. */
	__atomic_store_n(&state->full_wanted, FULL_REWRITE_NOW, __ATOMIC_RELEASE);
	__atomic_store_n(&state->sink->snapshot_wanted, 1, __ATOMIC_RELEASE);
}

/* The model id (tree_info.id) goes into every record; a new model rewrites every pair. */
static void refresh_model(struct redis_sink *state)
{
	struct reload_status status;
	char model[sizeof(state->model)];

	if (!__atomic_load_n(&state->app->running, __ATOMIC_ACQUIRE))
		return;
	reload_get_status(state->app->reloader, &status);
	snprintf(model, sizeof(model), "%s", status.model.id);
	if (strcmp(model, state->model) == 0)
		return;
	memcpy(state->model, model, sizeof(model));
	__atomic_store_n(&state->full_wanted, FULL_REWRITE_NOW, __ATOMIC_RELEASE);
	__atomic_store_n(&state->sink->snapshot_wanted, 1, __ATOMIC_RELEASE);
}

static bool removed_contains(const struct removed_set *set, uint32_t hash)
{
	size_t mask = set->capacity - 1, i;

	if (set->count == 0)
		return false;
	for (i = hash & mask; set->slots[i] != 0; i = (i + 1) & mask)
		if (set->slots[i] == (uint64_t)hash + 1)
			return true;
	return false;
}

/* Out of memory, the pair is not kept: its old row is written, the next snapshot fixes it. */
static void removed_add(struct removed_set *set, uint32_t hash)
{
	size_t mask, i;

	if (removed_contains(set, hash))
		return;
	if (2 * (set->count + 1) > set->capacity) {
		struct removed_set grown = {.capacity = set->capacity ? 2 * set->capacity : 1024};

		grown.slots = calloc(grown.capacity, sizeof(grown.slots[0]));
		if (grown.slots == NULL)
			return;
		for (i = 0; i < set->capacity; i++)
			if (set->slots[i] != 0)
				removed_add(&grown, (uint32_t)(set->slots[i] - 1));
		free(set->slots);
		*set = grown;
	}
	mask = set->capacity - 1;
	for (i = hash & mask; set->slots[i] != 0; i = (i + 1) & mask)
		;
	set->slots[i] = (uint64_t)hash + 1;
	set->count++;
}

static void removed_clear(struct removed_set *set)
{
	if (set->count != 0)
		memset(set->slots, 0, set->capacity * sizeof(set->slots[0]));
	set->count = 0;
}

/* Events, pipelined: the stream entry, then the pair's hash and cgnf:cg. */
static void send_events(struct redis_sink *state, const struct redis_record *records,
			unsigned int count, bool during_snapshot)
{
	unsigned int verdicts = 0;

	for (unsigned int i = 0; i < count; i++) {
		const struct redis_record *record = &records[i];

		if (during_snapshot && record->event != PAIR_EVENT_VERDICT)
			removed_add(&state->removed, record->stats.hash);
		append_stream_entry(state, record);
		if (record->event == PAIR_EVENT_VERDICT) {
			append_pair_state(state, &record->stats, true,
					  record->previous == VERDICT_CG);
			verdicts++;
		} else {
			append_pair_removal(state, &record->stats);
		}
	}
	if (pipeline_flush(state) != 0) {
		count_dropped(state, count);
		return;
	}
	counter_add(&state->counters->redis_events, count);
	counter_add(&state->counters->redis_pair_updates, verdicts);
}

struct member_entry {
	char text[MEMBER_MAX];
	bool cg;
};

static int compare_members(const void *a, const void *b)
{
	return strcmp(((const struct member_entry *)a)->text,
		      ((const struct member_entry *)b)->text);
}

static const struct member_entry *find_member(const struct member_entry *entries, size_t count,
					      const char *text)
{
	struct member_entry key = {.cg = false};

	snprintf(key.text, sizeof(key.text), "%s", text);
	return bsearch(&key, entries, count, sizeof(entries[0]), compare_members);
}

/* Whether a pair Redis holds and cgnf does not is this instance's (or nobody's) to remove. */
static int owned_here(struct redis_sink *state, const char *member, bool *owned)
{
	redisReply *owner;

	owner = redisCommand(state->context, "HGET " KEY_PAIR_PREFIX "{%s} instance", member);
	if (owner == NULL) {
		connection_lost(state, state->context->errstr);
		return -EIO;
	}
	*owned = owner->type == REDIS_REPLY_NIL ||
		 (owner->type == REDIS_REPLY_STRING && strcmp(owner->str, state->instance) == 0);
	freeReplyObject(owner);
	return 0;
}

static int remove_pair(struct redis_sink *state, const char *member)
{
	redisReply *deleted, *removed = NULL;

	deleted = redisCommand(state->context, "DEL " KEY_PAIR_PREFIX "{%s}", member);
	if (deleted != NULL)
		removed = redisCommand(state->context, "ZREM %s %s", KEY_CG, member);
	freeReplyObject(deleted);
	freeReplyObject(removed);
	if (removed == NULL) {
		connection_lost(state, state->context->errstr);
		return -EIO;
	}
	return 0;
}

/* cgnf:cg members that the snapshot does not hold as cloud gaming. */
static int reconcile_cg_set(struct redis_sink *state, const struct member_entry *entries,
			    size_t count)
{
	redisReply *all = redisCommand(state->context, "ZRANGE %s 0 -1", KEY_CG);
	bool owned = false;
	int rc = 0;

	if (all == NULL) {
		connection_lost(state, state->context->errstr);
		return -EIO;
	}
	for (size_t i = 0; rc == 0 && all->type == REDIS_REPLY_ARRAY && i < all->elements; i++) {
		const char *member = all->element[i]->str;
		const struct member_entry *entry = find_member(entries, count, member);
		redisReply *removed;

		if (entry != NULL && entry->cg)
			continue;
		if (entry == NULL && (rc = owned_here(state, member, &owned)) != 0)
			break;
		if (entry == NULL && !owned)
			continue;
		removed = redisCommand(state->context, "ZREM %s %s", KEY_CG, member);
		if (removed == NULL) {
			connection_lost(state, state->context->errstr);
			rc = -EIO;
		}
		freeReplyObject(removed);
	}
	freeReplyObject(all);
	return rc;
}

/* Pair hashes of this instance that the snapshot does not hold (SCAN: a pass over the keys). */
static int reconcile_pair_hashes(struct redis_sink *state, const struct member_entry *entries,
				 size_t count)
{
	char cursor[32] = "0";
	bool owned = false;

	do {
		redisReply *page = redisCommand(state->context, "SCAN %s MATCH %s* COUNT 1000",
						cursor, KEY_PAIR_PREFIX);
		int rc = 0;

		if (page == NULL) {
			connection_lost(state, state->context->errstr);
			return -EIO;
		}
		if (page->type != REDIS_REPLY_ARRAY || page->elements != 2) {
			freeReplyObject(page);
			return -EPROTO;
		}
		snprintf(cursor, sizeof(cursor), "%s", page->element[0]->str);
		for (size_t i = 0; rc == 0 && i < page->element[1]->elements; i++) {
			const char *key = page->element[1]->element[i]->str;
			char member[MEMBER_MAX];
			size_t length = strlen(key) - strlen(KEY_PAIR_PREFIX);

			/* "cgnf:pair:{IP1|IP2}" */
			if (length < 3 || length - 2 >= sizeof(member))
				continue;
			memcpy(member, key + strlen(KEY_PAIR_PREFIX) + 1, length - 2);
			member[length - 2] = '\0';
			if (find_member(entries, count, member) != NULL)
				continue;
			rc = owned_here(state, member, &owned);
			if (rc == 0 && owned)
				rc = remove_pair(state, member);
		}
		freeReplyObject(page);
		if (rc != 0)
			return rc;
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

/*
 * After a full rewrite, what Redis holds beyond the snapshot goes: pairs
 * cgnf forgot while the connection was down or whose events were lost.
 * Only this instance's pairs (or those nobody owns any more) are touched.
 */
static int reconcile(struct redis_sink *state, const struct redis_batch *batch)
{
	struct member_entry *entries = malloc((batch->count + 1) * sizeof(*entries));
	int rc;

	if (entries == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < batch->count; i++) {
		pair_member(&batch->rows[i], entries[i].text);
		entries[i].cg = batch->rows[i].verdict == VERDICT_CG;
	}
	qsort(entries, batch->count, sizeof(entries[0]), compare_members);
	rc = reconcile_cg_set(state, entries, batch->count);
	if (rc == 0)
		rc = reconcile_pair_hashes(state, entries, batch->count);
	free(entries);
	return rc;
}

/*
 * One pipelined round of the snapshot being sent (REDIS_BATCH rows).
 * Returns true once it is over: every row sent (then, after a full one,
 * the reconciliation), or the connection lost (the rest counted dropped).
 */
static bool send_snapshot_chunk(struct redis_sink *state)
{
	const struct redis_batch *batch = state->sending;
	size_t first = state->sent;
	unsigned int n = 0, written = 0;

	for (; n < REDIS_BATCH && first + n < batch->count; n++) {
		const struct pair_stats *row = &batch->rows[first + n];

		if (removed_contains(&state->removed, row->hash))
			continue;
		append_pair_state(state, row,
				  batch->full || row->first_seen_ns >= batch->new_since_ns,
				  batch->full);
		written++;
	}
	if (pipeline_flush(state) != 0) {
		count_dropped(state, batch->count - first);
		return true;
	}
	counter_add(&state->counters->redis_pair_updates, written);
	state->sent += n;
	if (state->sent < batch->count)
		return false;
	if (batch->full)
		reconcile(state, batch);
	return true;
}

/* cgnf:instance:NAME: what cgnf-top shows per instance. */
static void send_heartbeat(struct redis_sink *state)
{
	uint64_t now_ns = monotonic_ns(), reports, rx_packets;
	double seconds = (double)(now_ns - state->heartbeat_ns) / 1e9;
	struct counter_values values;
	struct command command;
	char key[sizeof(KEY_INSTANCE_PREFIX) + INSTANCE_MAX];
	struct timespec wall;
	uint64_t expire_s = (uint64_t)(3 * state->interval_ns / 1000000000u);

	if (now_ns < state->next_heartbeat_ns ||
	    !__atomic_load_n(&state->app->running, __ATOMIC_ACQUIRE))
		return;
	state->next_heartbeat_ns = now_ns + state->interval_ns;
	cgnf_read_counters(state->app, &values);
	reports = values.value[COUNTER_reports];
	rx_packets = values.value[COUNTER_rx_packets];
	clock_gettime(CLOCK_REALTIME, &wall);
	snprintf(key, sizeof(key), KEY_INSTANCE_PREFIX "%s", state->instance);
	command_start(&command);
	command_arg(&command, "HSET");
	command_arg(&command, key);
	command_arg(&command, "instance");
	command_arg(&command, state->instance);
	command_arg(&command, "version");
	command_arg(&command, CGNF_VERSION);
	command_arg(&command, "model");
	command_arg(&command, state->model);
	command_arg(&command, "updated");
	command_argf(&command, "%" PRId64 ".%06ld", (int64_t)wall.tv_sec, wall.tv_nsec / 1000);
	command_arg(&command, "rx_packets");
	command_arg_u64(&command, rx_packets);
	command_arg(&command, "reports");
	command_arg_u64(&command, reports);
	command_arg(&command, "dropped_total");
	command_arg_u64(&command, values.value[COUNTER_dropped_total]);
	command_arg(&command, "pairs");
	command_arg_u64(&command, values.value[COUNTER_pairs]);
	command_arg(&command, "cg_pairs");
	command_arg_u64(&command, values.value[COUNTER_cg_pairs]);
	command_arg(&command, "reports_per_s");
	command_argf(&command, "%.1f",
		     state->heartbeat_ns != 0
			     ? (double)(reports - state->heartbeat_reports) / seconds
			     : 0.0);
	command_arg(&command, "rx_packets_per_s");
	command_argf(&command, "%.1f",
		     state->heartbeat_ns != 0
			     ? (double)(rx_packets - state->heartbeat_rx_packets) / seconds
			     : 0.0);
	command_append(state, &command);
	command_start(&command);
	command_arg(&command, "EXPIRE");
	command_arg(&command, key);
	command_arg_u64(&command, expire_s < 10 ? 10 : expire_s);
	command_append(state, &command);
	if (pipeline_flush(state) != 0)
		return;
	state->heartbeat_ns = now_ns;
	state->heartbeat_reports = reports;
	state->heartbeat_rx_packets = rx_packets;
}

static size_t queue_count(const struct redis_sink *state)
{
	return rte_ring_count(state->queue);
}

static void *redis_thread_main(void *arg)
{
	struct redis_sink *state = arg;
	struct redis_record records[REDIS_BATCH];
	uint64_t stop_deadline_ns = 0;

	for (;;) {
		struct redis_batch *batch = __atomic_load_n(&state->pending, __ATOMIC_ACQUIRE);
		bool stopping = __atomic_load_n(&state->stop, __ATOMIC_ACQUIRE);
		unsigned int count, limit;

		if (stopping && stop_deadline_ns == 0)
			stop_deadline_ns = monotonic_ns() + REDIS_CLOSE_DEADLINE_NS;
		if (stopping && batch == NULL && queue_count(state) == 0)
			break;
		if (stopping && (monotonic_ns() > stop_deadline_ns ||
				 cgnf_quit_level(state->app) == QUIT_ABANDON))
			break;
		if (state->context == NULL) {
			try_reconnect(state);
			if (state->context == NULL)
				sleep_ns(10 * REDIS_IDLE_SLEEP_NS);
			continue;
		}
		refresh_model(state);
		send_heartbeat(state); /* when due */
		if (state->context == NULL)
			continue;
		/*
		 * The events queued before a snapshot are older than it: those go
		 * first.  Then a round of events and a round of the snapshot's rows
		 * alternate, so that neither a big table nor a busy event stream
		 * starves the other.
		 */
		if (batch != NULL && state->sending == NULL) {
			state->sending = batch;
			state->sent = 0;
			state->events_before = queue_count(state);
		}
		limit = state->sending != NULL && state->events_before != 0 &&
					state->events_before < REDIS_BATCH
				? (unsigned int)state->events_before
				: REDIS_BATCH;
		count = rte_ring_sc_dequeue_burst_elem(state->queue, records, sizeof(records[0]),
						       limit, NULL);
		if (count != 0) {
			send_events(state, records, count,
				    state->sending != NULL && state->events_before == 0);
			if (state->sending != NULL && state->events_before != 0)
				state->events_before -= count;
		}
		if (state->context != NULL && state->sending != NULL && state->events_before == 0 &&
		    send_snapshot_chunk(state)) {
			free(state->sending);
			state->sending = NULL;
			removed_clear(&state->removed);
			__atomic_store_n(&state->pending, NULL, __ATOMIC_RELEASE);
			continue;
		}
		if (count == 0 && state->sending == NULL)
			sleep_ns(REDIS_IDLE_SLEEP_NS);
	}
	return NULL;
}

static int read_password(struct redis_sink *state, const struct cgnf_config *config,
			 struct sink *sink)
{
	const char *from_env = getenv("CGNF_REDIS_PASSWORD");
	FILE *file;
	size_t length;

	if (config->redis_user[0] != '\0')
		state->user = config->redis_user;
	if (config->redis_password_file[0] == '\0') {
		if (from_env == NULL) {
			if (state->user == NULL)
				return 0;
			snprintf(sink->error, sizeof(sink->error),
				 "--redis-user %s needs a password: --redis-password-file FILE or "
				 "$CGNF_REDIS_PASSWORD",
				 state->user);
			return -EINVAL;
		}
		if (strlen(from_env) >= sizeof(state->password)) {
			snprintf(sink->error, sizeof(sink->error),
				 "CGNF_REDIS_PASSWORD: longer than %zu bytes",
				 sizeof(state->password) - 1);
			return -EINVAL;
		}
		strcpy(state->password, from_env);
		state->has_password = true;
		return 0;
	}
	file = fopen(config->redis_password_file, "r");
	if (file == NULL) {
		int rc = -errno;

		snprintf(sink->error, sizeof(sink->error), "--redis-password-file %s: %s",
			 config->redis_password_file, strerror(-rc));
		return rc;
	}
	if (fgets(state->password, sizeof(state->password), file) == NULL)
		state->password[0] = '\0';
	fclose(file);
	length = strcspn(state->password, "\r\n");
	state->password[length] = '\0';
	state->has_password = true;
	return 0;
}

static void redis_free_state(struct redis_sink *state)
{
	if (state == NULL)
		return;
	redisFree(state->context);
	free(state->pipeline.text);
	free(state->removed.slots);
	rte_ring_free(state->queue);
	free(state->pending);
	/* Nothing in it is needed any more, but the password leaves no copy behind. */
	memset(state->password, 0, sizeof(state->password));
	free(state);
}

static int redis_open(struct sink *sink)
{
	const struct cgnf_app *app = sink->env->app;
	const struct cgnf_config *config = &app->config;
	struct redis_sink *state = calloc(1, sizeof(*state));
	char reason[256];
	int rc;

	if (state == NULL)
		return -ENOMEM;
	state->app = app;
	state->sink = sink;
	state->counters = sink->env->counters;
	state->clock = *sink->env->clock;
	state->changed_since_ns = UINT64_MAX;
	snprintf(state->address, sizeof(state->address), "%s", config->redis_address);
	state->pair_timeout_s = (uint64_t)(config->pair_timeout_s + 0.999999);
	state->interval_ns = (uint64_t)(config->redis_interval_s * 1e9);
	state->stream_maxlen = config->redis_stream_maxlen;
	snprintf(state->model, sizeof(state->model), "%s", tree_get_info(app->model)->id);
	if (config->instance[0] != '\0')
		snprintf(state->instance, sizeof(state->instance), "%s", config->instance);
	else if (gethostname(state->instance, sizeof(state->instance) - 1) != 0)
		snprintf(state->instance, sizeof(state->instance), "cgnf");
	if (endpoint_parse(config->redis_address, NULL, true, &state->where, reason,
			   sizeof(reason)) != 0) {
		snprintf(sink->error, sizeof(sink->error), "--redis %s", reason);
		rc = -EINVAL;
		goto fail;
	}
	rc = read_password(state, config, sink);
	if (rc != 0)
		goto fail;
	state->context = connect_to(state, reason, sizeof(reason), &rc);
	if (state->context == NULL) {
		snprintf(sink->error, sizeof(sink->error), "--redis %.200s: %s",
			 config->redis_address, reason);
		goto fail;
	}
	state->queue =
		rte_ring_create_elem("cgnf_redis", sizeof(struct redis_record), REDIS_QUEUE_SIZE,
				     SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (state->queue == NULL) {
		rc = -rte_errno;
		snprintf(sink->error, sizeof(sink->error), "--redis: queue of %u events: %s",
			 REDIS_QUEUE_SIZE, rte_strerror(rte_errno));
		goto fail;
	}
	/* A control thread: on the CPUs DPDK leaves to them, not on the main lcore's. */
	rc = -rte_ctrl_thread_create(&state->thread, "cgnf-redis", NULL, redis_thread_main, state);
	if (rc != 0) {
		snprintf(sink->error, sizeof(sink->error), "--redis: cannot start its thread: %s",
			 strerror(-rc));
		goto fail;
	}
	state->thread_started = true;
	sink->state = state;
	sink->snapshot_interval_ns = state->interval_ns;
	CGNF_LOG(sink, INFO, "--redis %s: connected, instance %s", config->redis_address,
		 state->instance);
	return 0;
fail:
	redis_free_state(state);
	return rc;
}

static int redis_event(struct sink *sink, const struct pair_event *event)
{
	struct redis_sink *state = sink->state;
	struct redis_record record = {
		.stats = event->stats,
		.seen_ns = event->seen_ns,
		.event = (uint8_t)event->kind,
		.previous = (uint8_t)event->previous,
	};

	if (rte_ring_sp_enqueue_elem(state->queue, &record, sizeof(record)) != 0)
		count_dropped(state, 1);
	return 0;
}

/* Waits (at exit only) for the I/O thread to take the previous snapshot. */
static bool mailbox_free(struct redis_sink *state, bool wait)
{
	uint64_t deadline = monotonic_ns() + REDIS_CLOSE_DEADLINE_NS;

	while (__atomic_load_n(&state->pending, __ATOMIC_ACQUIRE) != NULL) {
		if (!wait || monotonic_ns() > deadline ||
		    cgnf_quit_level(state->app) == QUIT_ABANDON)
			return false;
		sleep_ns(REDIS_IDLE_SLEEP_NS);
	}
	return true;
}

static int redis_snapshot(struct sink *sink, const struct snapshot *snapshot)
{
	struct redis_sink *state = sink->state;
	const struct pair_rows *rows = snapshot->rows;
	bool final = (snapshot->purposes & SNAPSHOT_FINAL) != 0;
	uint64_t now_ns = cgnf_clock_ns(state->app), floor_ns;
	struct redis_batch *batch;
	int wanted;
	bool full;
	size_t i;

	/* Each snapshot bounds the changes since the walk before it: keep the oldest till handed.
	 */
	if (snapshot->changed_since_ns < state->changed_since_ns)
		state->changed_since_ns = snapshot->changed_since_ns;
	if (!mailbox_free(state, final))
		return 0; /* the I/O thread is busy: the next snapshot covers this one */
	wanted = __atomic_load_n(&state->full_wanted, __ATOMIC_ACQUIRE);
	full = final || !state->handed_one || wanted == FULL_REWRITE_NOW ||
	       (wanted == FULL_REWRITE_SOON &&
		now_ns - state->last_full_ns >= REDIS_REPAIR_PERIOD_NS);
	/* A rewrite asked for meanwhile stays asked for. */
	if (full)
		__atomic_compare_exchange_n(&state->full_wanted, &wanted, FULL_REWRITE_NONE, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	floor_ns = full ? 0 : state->changed_since_ns;
	batch = malloc(sizeof(*batch) + rows->count * sizeof(batch->rows[0]));
	if (batch == NULL) {
		count_dropped(state, rows->count);
		return 0;
	}
	batch->full = full;
	batch->new_since_ns = floor_ns;
	batch->count = 0;
	for (i = 0; i < rows->count; i++)
		if (rows->items[i].last_seen_ns >= floor_ns)
			batch->rows[batch->count++] = rows->items[i];
	state->changed_since_ns = UINT64_MAX;
	if (full)
		state->last_full_ns = now_ns;
	state->handed_one = true;
	__atomic_store_n(&state->pending, batch, __ATOMIC_RELEASE);
	return 0;
}

static int redis_close(struct sink *sink)
{
	struct redis_sink *state = sink->state;
	struct redis_batch *left;

	if (state == NULL)
		return 0;
	if (state->thread_started) {
		__atomic_store_n(&state->stop, 1, __ATOMIC_RELEASE);
		pthread_join(state->thread, NULL);
	}
	left = __atomic_exchange_n(&state->pending, NULL, __ATOMIC_ACQ_REL);
	if (left != NULL || queue_count(state) != 0) {
		uint64_t lost = queue_count(state);

		if (left != NULL)
			lost += left->count - (left == state->sending ? state->sent : 0);
		__atomic_fetch_add(&state->counters->redis_dropped, lost, __ATOMIC_RELAXED);
		CGNF_LOG(sink, WARNING, "--redis %s: %" PRIu64 " events and pairs not sent at exit",
			 state->address, lost);
		free(left);
	}
	redis_free_state(state);
	sink->state = NULL;
	return 0;
}

const struct sink_ops sink_redis_ops = {
	.name = "redis",
	.wanted = redis_wanted,
	.takes_events = true,
	.open = redis_open,
	.event = redis_event,
	.snapshot = redis_snapshot,
	.close = redis_close,
};
