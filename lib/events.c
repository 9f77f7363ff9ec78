/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "events.h"

#define EVENTS_BUFFER_SIZE (64 * 1024)

struct events {
	FILE *file;
	bool is_stdout;
	int error; /* first failure, as -errno, reported by flush and close */
	uint64_t written;
	struct output_clock clock;
};

struct events *events_open(const char *path, const struct output_clock *clock)
{
	struct events *events = calloc(1, sizeof(*events));

	if (events == NULL)
		return NULL;
	events->clock = *clock;
	events->is_stdout = strcmp(path, "-") == 0;
	events->file = events->is_stdout ? stdout : fopen(path, "a");
	if (events->file == NULL) {
		int saved = errno;

		free(events);
		errno = saved;
		return NULL;
	}
	/* Written when the caller flushes, not line by line. */
	if (!events->is_stdout)
		setvbuf(events->file, NULL, _IOFBF, EVENTS_BUFFER_SIZE);
	return events;
}

static json_t *timestamp_json(const struct events *events, uint64_t ns)
{
	char text[OUTPUT_TIMESTAMP_MAX];

	output_format_timestamp(output_unix_ns(&events->clock, ns), text);
	return json_string(text);
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
	struct events *events = ctx;
	json_t *line = event_json(events, kind, stats, previous, now_ns);
	int ret;

	/* The ratio with 6 significant digits, not 17. */
	ret = json_dumpf(line, events->file, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(line);
	if (ret != 0 || fputc('\n', events->file) == EOF) {
		if (events->error == 0)
			events->error = -EIO;
		return;
	}
	events->written++;
}

int events_flush(struct events *events)
{
	if (fflush(events->file) != 0 && events->error == 0)
		events->error = -errno;
	return events->error;
}

uint64_t events_written(const struct events *events)
{
	return events->written;
}

int events_close(struct events *events)
{
	int ret;

	if (events == NULL)
		return 0;
	ret = events_flush(events);
	if (!events->is_stdout && fclose(events->file) != 0 && ret == 0)
		ret = -errno;
	free(events);
	return ret;
}
