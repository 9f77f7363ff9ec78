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
 * caller flushes, once per batch of results rather than per result (and
 * when the buffer is full), each flush with write(2) on the file itself, so
 * that a failure is known exactly: its errno (ENOSPC on /dev/full, EPIPE
 * when a FIFO's reader left: the app should ignore SIGPIPE) and the lines
 * it lost.  A line cut by a failing write is ended with a newline before
 * the next ones, so that every later line parses.
 *
 * The file: a regular file, a FIFO or a character device, opened for
 * appending (created if absent); "-" is stdout.  A FIFO with no reader
 * fails at open (ENXIO) rather than blocking the start until one comes.
 */
#ifndef CGNF_EVENTS_H
#define CGNF_EVENTS_H

#include <stdint.h>

#include "output.h"
#include "pair_table.h"

struct events;

/* PATH opened for appending, or stdout for "-".  NULL with errno set. */
struct events *events_open(const char *path, const struct output_clock *clock);

/*
 * The model id written in every later event ("model": the first 12 hex
 * digits of the model file's SHA-256, tree_info.id), so that a verdict stays
 * traceable across reloads.
 */
void events_set_model(struct events *events, const char *model_id);

/* This run's id, written in every later event ("run"); empty: none. */
void events_set_run(struct events *events, const char *run_id);

/*
 * A pair_event_fn: pass the struct events as the table's event context.
 * now_ns is the event's time, on the clock events_open was given.
 */
void events_write(enum pair_event_kind kind, const struct pair_stats *stats,
		  enum pair_verdict previous, uint64_t now_ns, void *ctx);

/*
 * Writes the buffered lines out.  0, or -errno of this flush's failure (the
 * lines it could not write are counted in events_lost and dropped: a later
 * flush tries the new lines again).
 */
int events_flush(struct events *events);

/*
 * Closes and reopens the same path for appending (logrotate's "rename, then
 * signal"): the buffered lines are flushed to the old file first, new ones
 * go to the file now at the path, created if absent.  "-": nothing to do.
 * 0, or -errno when the path cannot be opened: the old file is kept and
 * lines keep going to it, nothing is lost.
 */
int events_reopen(struct events *events);

/* Lines written out whole. */
uint64_t events_written(const struct events *events);

/* Lines lost: not written (a failed or cut write) or not formatted (no memory). */
uint64_t events_lost(const struct events *events);

/* The first error of the stream's life, -errno, or 0 when there was none. */
int events_error(const struct events *events);

/*
 * Flushes and closes (never stdout itself).  Returns events_error's value
 * after the last flush and the close: 0 when every line was written.  Read
 * events_lost and events_written before: the struct is freed.
 */
int events_close(struct events *events);

#endif
