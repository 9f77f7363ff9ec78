/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --events FILE|-: every pair event as one EVE-shaped JSON line
 * (lib/events.h), buffered and written once per batch.  A failed write
 * loses the lines of its batch: they are counted, and so is every later
 * event, since a stream with a hole in it is not to be trusted silently.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

#include "app.h"
#include "sink.h"

struct events_sink {
	struct events *events;
	uint64_t pending; /* events buffered since the last successful flush */
	int error;	  /* sticky: the first write error */
};

static bool events_wanted(const struct cgnf_config *config)
{
	return config->events_path[0] != '\0';
}

static int events_sink_open(struct sink *sink)
{
	const char *path = sink->env->app->config.events_path;
	struct events_sink *state = calloc(1, sizeof(*state));
	int rc;

	if (state == NULL)
		return -ENOMEM;
	state->events = events_open(path, sink->env->clock);
	if (state->events == NULL) {
		rc = -errno;
		snprintf(sink->error, sizeof(sink->error), "--events %s: %s", path, strerror(-rc));
		free(state);
		return rc;
	}
	sink->state = state;
	return 0;
}

static int events_sink_event(struct sink *sink, const struct pair_event *event)
{
	struct events_sink *state = sink->state;

	if (state->error != 0)
		return state->error;
	events_write(event->kind, &event->stats, event->previous, event->now_ns, state->events);
	state->pending++;
	return 0;
}

static int events_sink_flush(struct sink *sink)
{
	struct events_sink *state = sink->state;
	int rc;

	if (state->error != 0)
		return 0; /* reported once, its events counted as they come */
	rc = events_flush(state->events);
	if (rc != 0) {
		state->error = rc;
		sink->lost += state->pending;
		snprintf(sink->error, sizeof(sink->error), "--events %s: %s",
			 sink->env->app->config.events_path, strerror(-rc));
	}
	state->pending = 0;
	return rc;
}

static int events_sink_reopen(struct sink *sink)
{
	struct events_sink *state = sink->state;
	const char *path = sink->env->app->config.events_path;
	struct events *fresh;
	int rc;

	if (strcmp(path, "-") == 0)
		return 0;
	rc = events_sink_flush(sink);
	fresh = events_open(path, sink->env->clock);
	if (fresh == NULL) {
		rc = -errno;
		snprintf(sink->error, sizeof(sink->error), "--events %s: reopen: %s", path,
			 strerror(-rc));
		return rc; /* keep writing to the old file rather than nowhere */
	}
	events_close(state->events);
	state->events = fresh;
	return rc;
}

static int events_sink_close(struct sink *sink)
{
	struct events_sink *state = sink->state;
	int rc;

	if (state == NULL)
		return 0;
	rc = events_sink_flush(sink);
	/* A flush error was reported by the flush: only a new one is returned here. */
	if (events_close(state->events) != 0 && rc == 0 && state->error == 0) {
		rc = -EIO;
		snprintf(sink->error, sizeof(sink->error), "--events %s: close failed",
			 sink->env->app->config.events_path);
	}
	free(state);
	sink->state = NULL;
	return rc;
}

const struct sink_ops sink_events_ops = {
	.name = "events",
	.wanted = events_wanted,
	.takes_events = true,
	.open = events_sink_open,
	.event = events_sink_event,
	.flush = events_sink_flush,
	.reopen = events_sink_reopen,
	.close = events_sink_close,
};
