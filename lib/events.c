/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "events.h"

/* About 170 lines: one write(2) per flush in the usual batch. */
#define EVENTS_BUFFER_SIZE (64 * 1024)

struct events {
	int fd;	       /* STDOUT_FILENO for "-" */
	char *path;    /* NULL for "-" */
	int error;     /* first failure, -errno */
	bool cut_line; /* the last failed write stopped inside a line */
	uint64_t written;
	uint64_t lost;
	struct output_clock clock;
	char model[16];		     /* the model id in each event; empty: none given */
	char run[24];		     /* the run id in each event; empty: none given */
	size_t used;		     /* bytes in buffer */
	unsigned int buffered_lines; /* lines in buffer, each ending with '\n' */
	char buffer[EVENTS_BUFFER_SIZE];
};

static void note_error(struct events *events, int ret)
{
	if (events->error == 0)
		events->error = ret;
}

/*
 * O_NONBLOCK only for the open: a FIFO with no reader fails at once (ENXIO)
 * instead of holding the start-up until one comes.  Then writes block as
 * usual, so a slow reader slows the writer rather than losing lines.
 */
static int open_append(const char *path)
{
	int fd =
		open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0666);
	int flags, ret;

	if (fd < 0)
		return -errno;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

struct events *events_open(const char *path, const struct output_clock *clock)
{
	struct events *events = calloc(1, sizeof(*events));
	int fd;

	if (events == NULL)
		return NULL;
	events->clock = *clock;
	events->fd = STDOUT_FILENO;
	if (strcmp(path, "-") != 0) {
		events->path = strdup(path);
		fd = events->path != NULL ? open_append(path) : -ENOMEM;
		if (fd < 0) {
			free(events->path);
			free(events);
			errno = -fd;
			return NULL;
		}
		events->fd = fd;
	}
	return events;
}

static json_t *timestamp_json(const struct events *events, uint64_t ns)
{
	char text[OUTPUT_TIMESTAMP_MAX];

	output_format_timestamp(output_unix_ns(&events->clock, ns), text);
	return json_string(text);
}

void events_set_model(struct events *events, const char *model_id)
{
	snprintf(events->model, sizeof(events->model), "%s", model_id);
}

void events_set_run(struct events *events, const char *run_id)
{
	snprintf(events->run, sizeof(events->run), "%s", run_id);
}

static json_t *event_json(const struct events *events, enum pair_event_kind kind,
			  const struct pair_stats *stats, enum pair_verdict previous,
			  uint64_t now_ns)
{
	char ip1[IP_TEXT_MAX], ip2[IP_TEXT_MAX];
	uint64_t reports = stats->cg + stats->ncg;
	json_t *line = json_object(), *cgnf = json_object();

	ip_format(&stats->pair.ip1, ip1);
	ip_format(&stats->pair.ip2, ip2);
	json_object_set_new(cgnf, "event", json_string(pair_event_kind_name(kind)));
	json_object_set_new(cgnf, "verdict", json_string(pair_verdict_name(stats->verdict)));
	json_object_set_new(cgnf, "previous_verdict", json_string(pair_verdict_name(previous)));
	json_object_set_new(cgnf, "cg", json_integer((json_int_t)stats->cg));
	json_object_set_new(cgnf, "ncg", json_integer((json_int_t)stats->ncg));
	json_object_set_new(cgnf, "ratio",
			    json_real(reports > 0 ? (double)stats->cg / (double)reports : 0.0));
	json_object_set_new(cgnf, "window_reports", json_integer(stats->window_reports));
	json_object_set_new(cgnf, "window_cg", json_integer(stats->window_cg));
	json_object_set_new(cgnf, "first_seen", timestamp_json(events, stats->first_seen_ns));
	json_object_set_new(cgnf, "last_seen", timestamp_json(events, stats->last_seen_ns));
	if (events->model[0] != '\0')
		json_object_set_new(cgnf, "model", json_string(events->model));
	if (events->run[0] != '\0')
		json_object_set_new(cgnf, "run", json_string(events->run));
	/* EVE's order: when, what, who, then the event's own object. */
	json_object_set_new(line, "timestamp", timestamp_json(events, now_ns));
	json_object_set_new(line, "event_type", json_string("cgnf"));
	json_object_set_new(line, "src_ip", json_string(ip1));
	json_object_set_new(line, "dest_ip", json_string(ip2));
	json_object_set_new(line, "cgnf", cgnf);
	return line;
}

void events_write(enum pair_event_kind kind, const struct pair_stats *stats,
		  enum pair_verdict previous, uint64_t now_ns, void *ctx)
{
	/* The ratio with 6 significant digits, not 17. */
	const size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(6);
	struct events *events = ctx;
	json_t *line = event_json(events, kind, stats, previous, now_ns);
	size_t room, size;

	if (events->used + 1 >= sizeof(events->buffer))
		events_flush(events); /* a failure is counted and kept there */
	/* Formatted in place; when it does not fit, the buffer goes out first. */
	room = sizeof(events->buffer) - events->used - 1; /* 1: the newline */
	size = line != NULL ? json_dumpb(line, events->buffer + events->used, room, flags) : 0;
	if (size > room && events->used > 0) {
		events_flush(events);
		room = sizeof(events->buffer) - 1;
		size = json_dumpb(line, events->buffer, room, flags);
	}
	json_decref(line);
	if (size == 0 || size > room) {
		note_error(events, size == 0 ? -ENOMEM : -EMSGSIZE);
		events->lost++;
		return;
	}
	events->used += size;
	events->buffer[events->used++] = '\n';
	events->buffered_lines++;
}

/* 0, or -errno of the first failing write(2); *done: the bytes written. */
static int write_all(int fd, const char *data, size_t size, size_t *done)
{
	ssize_t n;

	*done = 0;
	while (*done < size) {
		n = write(fd, data + *done, size - *done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		*done += (size_t)n;
	}
	return 0;
}

static unsigned int count_lines(const char *data, size_t size)
{
	unsigned int lines = 0;

	for (const char *end = data + size; (data = memchr(data, '\n', end - data)) != NULL; data++)
		lines++;
	return lines;
}

int events_flush(struct events *events)
{
	unsigned int whole;
	size_t done = 0;
	int ret = 0;

	if (events->used == 0)
		return 0;
	if (events->path == NULL) {
		/* stdout is shared with the table and the status line: theirs go first. */
		flockfile(stdout);
		fflush(stdout);
	}
	if (events->cut_line) {
		ret = write_all(events->fd, "\n", 1, &done);
		events->cut_line = ret < 0;
	}
	if (ret == 0)
		ret = write_all(events->fd, events->buffer, events->used, &done);
	else
		done = 0;
	if (events->path == NULL)
		funlockfile(stdout);

	whole = count_lines(events->buffer, done);
	events->written += whole;
	if (ret < 0) {
		events->lost += events->buffered_lines - whole;
		if (done > 0 && events->buffer[done - 1] != '\n')
			events->cut_line = true;
		note_error(events, ret);
	}
	events->used = 0;
	events->buffered_lines = 0;
	return ret;
}

int events_reopen(struct events *events)
{
	int fd;

	if (events->path == NULL)
		return 0;
	/* Lines of before the signal belong to the renamed file. */
	events_flush(events);
	fd = open_append(events->path);
	if (fd < 0)
		return fd;
	if (close(events->fd) != 0)
		note_error(events, -errno);
	events->fd = fd;
	events->cut_line = false; /* a new file starts on a line of its own */
	return 0;
}

uint64_t events_written(const struct events *events)
{
	return events->written;
}

uint64_t events_lost(const struct events *events)
{
	return events->lost;
}

int events_error(const struct events *events)
{
	return events->error;
}

int events_close(struct events *events)
{
	int ret;

	if (events == NULL)
		return 0;
	events_flush(events);
	if (events->path != NULL && close(events->fd) != 0)
		note_error(events, -errno);
	ret = events->error;
	free(events->path);
	free(events);
	return ret;
}
