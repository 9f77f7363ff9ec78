/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verdict changes, expiries and evictions as JSON lines shaped like
 * Suricata's EVE, so that Logstash, Vector or Filebeat take them as they
 * take eve.json:
 *
 *   {"timestamp":"2026-11-27T11:43:19.123456+0000","event_type":"cgnf",
 *    "src_ip":"192.168.7.21","dest_ip":"203.0.113.5",
 *    "cgnf":{"event":"verdict","verdict":"cg","previous_verdict":"unknown",
 *            "cg":170,"ncg":1,"ratio":0.994152,"window_reports":30,
 *            "window_cg":30,"first_seen":"...","last_seen":"..."}}
 *
 * One JSON text per line.  Lines are buffered and written out when the
 * caller flushes, once per batch of results rather than per result.
 */
#ifndef CGNF_EVENTS_H
#define CGNF_EVENTS_H

#include <stdint.h>

#include "output.h"
#include "pair_table.h"

struct events;

/* PATH opened for appending, or stdout for "-".  NULL with errno set. */
struct events *events_open(const char *path, const struct output_clock *clock);

/* A pair_event_fn: pass the struct events as the table's event context. */
void events_write(enum pair_event_kind kind, const struct pair_stats *stats,
		  enum pair_verdict previous, uint64_t now_ns, void *ctx);

/* Writes the buffered lines out.  0 or -errno (the first write error). */
int events_flush(struct events *events);

uint64_t events_written(const struct events *events);

/* Flushes and closes (never stdout itself).  0 or -errno. */
int events_close(struct events *events);

#endif
