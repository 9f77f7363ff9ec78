/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the aggregator writes at idle timeout and at exit: the CSV of every
 * pair, the console table, and any JSON document (--stats-json), each file
 * replaced atomically so a reader never sees half of one.
 *
 * Pairs are listed in address order: ip1's 16 bytes, then ip2's, compared
 * as unsigned numbers (IPv4 as ::ffff:a.b.c.d, so IPv4 addresses sort
 * numerically among themselves).
 */
#ifndef CGNF_OUTPUT_H
#define CGNF_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "drop_reason.h"
#include "pair_table.h"

/* The console table lists at most this many pairs, the busiest ones. */
#define OUTPUT_TABLE_ROWS_MAX 50

/* Longest text output_format_timestamp writes, NUL included. */
#define OUTPUT_TIMESTAMP_MAX 40

/*
 * Maps the reports' times (pair_stats first_seen / last_seen, an event's
 * time) to wall time: one reading of their clock and the UNIX time taken at
 * the same moment.  Capture times are UNIX times already: {0, 0} then.
 */
struct output_clock {
	uint64_t base_ns;
	double unix_at_base;
};

/* UNIX time in nanoseconds of a report time. */
int64_t output_unix_ns(const struct output_clock *clock, uint64_t ns);

/* "2026-11-27T11:43:19.123456+0000" (UTC, microseconds), as Suricata's EVE. */
void output_format_timestamp(int64_t unix_ns, char out[OUTPUT_TIMESTAMP_MAX]);

struct output_totals {
	uint64_t reports;    /* classified */
	uint64_t rx_packets; /* received by the RX lcores */
	uint64_t pairs;
	uint64_t cg_pairs;
	double elapsed_s;
	uint64_t drops[DROP_REASON_COUNT];
};

/* Pairs to write, in no particular order; the writers may reorder them. */
struct pair_rows {
	struct pair_stats *items;
	size_t count;
};

/* Every pair of the table into rows->items (malloc'd; free it).  0 or -ENOMEM. */
int output_collect_rows(const struct pair_table *table, struct pair_rows *rows);

/*
 * Writes PATH through write_fn(file, ctx) into TARGET.tmp.PID in the same
 * directory, flushes it to disk, then renames it over TARGET, where TARGET
 * is PATH with its symlinks followed (output_path.h): a symlink stays and
 * the file it names is replaced; a dangling one gets its file created.
 * What is not a regular file (device, FIFO, socket, directory) is refused,
 * never replaced.  The new file keeps the old one's permissions.
 *
 * write_fn returns 0 or -errno.  Returns 0, or -errno with "PATH: reason"
 * (or "PATH -> TARGET: ...") in err; a failed write(2), fsync or close
 * returns its own errno (ENOSPC, EDQUOT, EFBIG), never a stand-in EIO.  On
 * failure the old file is left whole and no temporary file remains.
 */
int output_write_atomic(const char *path, int (*write_fn)(FILE *file, void *ctx), void *ctx,
			char *err, size_t err_size);

/* json as text indented by 2, keys in the order they were added. */
int output_write_json(const char *path, const json_t *json, char *err, size_t err_size);

/*
 * The CSV of every pair:
 *   ip1,ip2,cg,ncg,ratio,verdict,window_reports,window_cg,first_seen,last_seen,model,run
 * ratio = cg / (cg + ncg) with 6 decimals, times in UNIX seconds with 6,
 * model = the id of the model in use when the table was written, run = the
 * id of the run that wrote it (the events carry it too).
 */
int output_write_csv(struct pair_rows *rows, const struct output_clock *clock, const char *model_id,
		     const char *run_id, const char *path, char *err, size_t err_size);

/*
 * The console table (HASH IP1 IP2 NB CG NB NCG RATIO VERDICT), at most
 * OUTPUT_TABLE_ROWS_MAX busiest pairs, then the totals when not NULL.
 */
void output_print_table(struct pair_rows *rows, FILE *out, const struct output_totals *totals);

#endif
