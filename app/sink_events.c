/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --events FILE|-: every pair event as one EVE-shaped JSON line
 * (lib/events.h), buffered and written once per batch.  A failed write
 * loses the lines of its batch, counted by lib/events.c; later batches are
 * tried again (a disk that was full may have room again).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

#include "app.h"
#include "sink.h"

static bool events_wanted(const struct cgnf_config *config)
{
	return config->events_path[0] != '\0';
}

static void describe(struct sink *sink, const char *step, int rc)
{
	snprintf(sink->error, sizeof(sink->error), "--events %s: %s%s%s",
		 sink->env->app->config.events_path, step, step[0] ? ": " : "", strerror(-rc));
}

static int events_sink_open(struct sink *sink)
{
	struct events *events = events_open(sink->env->app->config.events_path, sink->env->clock);
	int rc;

	if (events == NULL) {
		rc = -errno;
		/* A FIFO with no reader: open would block, so it is refused at once. */
		describe(sink, rc == -ENXIO ? "a FIFO with no reader" : "", rc);
		return rc;
	}
	events_set_run(events, sink->env->app->run_id);
	sink->state = events;
	return 0;
}

static int events_sink_event(struct sink *sink, const struct pair_event *event)
{
	events_set_model(sink->state, sink->env->model_id);
	events_write(event->kind, &event->stats, event->previous, event->seen_ns, sink->state);
	return 0;
}

static int events_sink_flush(struct sink *sink)
{
	int rc = events_flush(sink->state);

	if (rc != 0)
		describe(sink, "write", rc);
	sink->lost = events_lost(sink->state);
	return rc;
}

static int events_sink_reopen(struct sink *sink)
{
	int rc = events_reopen(sink->state);

	/* The old file is kept when the path cannot be opened: nothing is lost. */
	if (rc != 0)
		describe(sink, "reopen", rc);
	sink->lost = events_lost(sink->state);
	return rc;
}

static int events_sink_close(struct sink *sink)
{
	struct events *events = sink->state;
	int rc;

	if (events == NULL)
		return 0;
	rc = events_flush(events);
	sink->lost = events_lost(events);
	if (rc != 0)
		describe(sink, "write", rc);
	rc = events_close(events);
	sink->state = NULL;
	/* A failure already reported by a flush is not a new one. */
	return sink->failures == 0 ? rc : 0;
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
