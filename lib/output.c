/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "output_path.h"

int64_t output_unix_ns(const struct output_clock *clock, uint64_t ns)
{
	/* Whole seconds apart: unix_at_base * 1e9 would round to 256 ns. */
	double seconds = floor(clock->unix_at_base);
	int64_t base =
		(int64_t)seconds * 1000000000 + llround((clock->unix_at_base - seconds) * 1e9);

	return base + (int64_t)(ns - clock->base_ns);
}

void output_format_timestamp(int64_t unix_ns, char out[OUTPUT_TIMESTAMP_MAX])
{
	time_t seconds;
	struct tm utc;
	size_t len;

	if (unix_ns < 0)
		unix_ns = 0; /* a clock set before 1970: print the epoch, not garbage */
	seconds = (time_t)(unix_ns / 1000000000);
	gmtime_r(&seconds, &utc);
	len = strftime(out, OUTPUT_TIMESTAMP_MAX, "%Y-%m-%dT%H:%M:%S", &utc);
	snprintf(out + len, OUTPUT_TIMESTAMP_MAX - len, ".%06u+0000",
		 (unsigned int)(unix_ns % 1000000000 / 1000));
}

/* UNIX seconds with 6 decimals, from integers so no digit is rounded away. */
static void format_unix_seconds(int64_t unix_ns, char *out, size_t size)
{
	if (unix_ns < 0)
		unix_ns = 0;
	snprintf(out, size, "%" PRId64 ".%06" PRId64, unix_ns / 1000000000,
		 unix_ns % 1000000000 / 1000);
}

static void append_pair(const struct pair_stats *stats, void *ctx)
{
	struct pair_rows *rows = ctx;

	rows->items[rows->count++] = *stats;
}

int output_collect_rows(const struct pair_table *table, struct pair_rows *rows)
{
	uint32_t count = pair_table_count(table);

	rows->count = 0;
	rows->items = malloc((count > 0 ? count : 1) * sizeof(*rows->items));
	if (rows->items == NULL)
		return -ENOMEM;
	pair_table_foreach(table, append_pair, rows);
	return 0;
}

static int compare_by_address(const void *a, const void *b)
{
	const struct pair_stats *x = a, *y = b;

	return memcmp(&x->pair, &y->pair, sizeof(x->pair));
}

/* Most reports first; equal ones in address order so the choice is stable. */
static int compare_by_reports(const void *a, const void *b)
{
	const struct pair_stats *x = a, *y = b;
	uint64_t reports_x = x->cg + x->ncg, reports_y = y->cg + y->ncg;

	if (reports_x != reports_y)
		return reports_x > reports_y ? -1 : 1;
	return compare_by_address(a, b);
}

static double cg_ratio(const struct pair_stats *stats)
{
	uint64_t reports = stats->cg + stats->ncg;

	return reports > 0 ? (double)stats->cg / (double)reports : 0.0;
}

/*
 * The temporary file behind the FILE that write_fn writes: every write(2)
 * goes through here, so the first one to fail leaves its errno in error
 * (stdio keeps only a flag, and errno is long overwritten when ferror()
 * is asked).
 */
struct atomic_file {
	int fd;
	int error; /* first errno of a write or of the close */
};

static ssize_t atomic_file_write(void *cookie, const char *buffer, size_t size)
{
	struct atomic_file *file = cookie;
	size_t done = 0;
	ssize_t n;

	while (done < size) {
		n = write(file->fd, buffer + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (file->error == 0)
				file->error = n < 0 ? errno : EIO;
			break;
		}
		done += (size_t)n;
	}
	/* Short: stdio sets the stream's error flag. */
	return (ssize_t)done;
}

static int atomic_file_close(void *cookie)
{
	struct atomic_file *file = cookie;

	if (close(file->fd) != 0) {
		if (file->error == 0)
			file->error = errno;
		return -1;
	}
	return 0;
}

/* "PATH", or "PATH -> TARGET" when symlinks led elsewhere. */
static void describe_target(const char *path, const struct output_target *target, char *out,
			    size_t size)
{
	if (target->through_symlink)
		snprintf(out, size, "%s -> %s", path, target->path);
	else
		snprintf(out, size, "%s", path);
}

int output_write_atomic(const char *path, int (*write_fn)(FILE *file, void *ctx), void *ctx,
			char *err, size_t err_size)
{
	static const cookie_io_functions_t io = {.write = atomic_file_write,
						 .close = atomic_file_close};
	char temp_path[PATH_MAX], dir_path[PATH_MAX], shown[2 * PATH_MAX + 8];
	char reason[PATH_MAX + 128];
	struct atomic_file temp = {.fd = -1};
	struct output_target target;
	const char *step = "write";
	FILE *file;
	int ret, dir;

	ret = output_target_resolve(path, OUTPUT_REPLACED, &target, reason, sizeof(reason));
	describe_target(path, &target, shown, sizeof(shown));
	if (ret < 0) {
		snprintf(err, err_size, "%s: %s", shown, reason);
		return ret;
	}
	/* Beside the target (a symlink's, not the link's), so that rename() replaces it. */
	if (snprintf(temp_path, sizeof(temp_path), "%s.tmp.%ld", target.path, (long)getpid()) >=
	    (int)sizeof(temp_path)) {
		snprintf(err, err_size, "%s: path too long", shown);
		return -ENAMETOOLONG;
	}
	/* A leftover of a crash with our PID, or a planted link: never written through. */
	unlink(temp_path);
	temp.fd = open(temp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (temp.fd < 0) {
		ret = -errno;
		snprintf(err, err_size, "%s: %s", temp_path, strerror(-ret));
		return ret;
	}
	/* The new file keeps the old one's permissions (umask's for a new one). */
	if (target.exists)
		fchmod(temp.fd, target.mode & 07777);
	file = fopencookie(&temp, "w", io);
	if (file == NULL) {
		ret = -errno;
		close(temp.fd);
		unlink(temp_path);
		snprintf(err, err_size, "%s: %s", shown, strerror(-ret));
		return ret;
	}
	ret = write_fn(file, ctx);
	if (fflush(file) != 0 && ret == 0)
		ret = -EIO; /* replaced by the write's own errno just below */
	if (temp.error != 0)
		ret = -temp.error;
	if (ret == 0 && fsync(temp.fd) != 0) {
		ret = -errno;
		step = "flush";
	}
	if (fclose(file) != 0 && ret == 0) {
		ret = temp.error != 0 ? -temp.error : -EIO;
		step = "close";
	}
	if (ret == 0 && rename(temp_path, target.path) != 0) {
		ret = -errno;
		step = "rename";
	}
	if (ret < 0) {
		snprintf(err, err_size, "%s: %s: %s", shown, step, strerror(-ret));
		unlink(temp_path);
		return ret;
	}
	/* The rename itself survives a crash only once the directory is on disk. */
	snprintf(dir_path, sizeof(dir_path), "%s", target.path);
	dir = open(dirname(dir_path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		fsync(dir);
		close(dir);
	}
	return 0;
}

static int write_json(FILE *file, void *ctx)
{
	if (json_dumpf(ctx, file, JSON_INDENT(2)) != 0 || fputc('\n', file) == EOF)
		return -EIO;
	return 0;
}

int output_write_json(const char *path, const json_t *json, char *err, size_t err_size)
{
	/* jansson keeps keys in insertion order since 2.8: no flag needed. */
	return output_write_atomic(path, write_json, (void *)json, err, err_size);
}

struct csv_job {
	const struct output_clock *clock;
	const struct pair_rows *rows;
	const char *model_id;
	const char *run_id;
};

static int write_csv_rows(FILE *file, void *ctx)
{
	const struct csv_job *job = ctx;
	char ip1[IP_TEXT_MAX], ip2[IP_TEXT_MAX], first_seen[32], last_seen[32];

	fputs("ip1,ip2,cg,ncg,ratio,verdict,window_reports,window_cg,first_seen,last_seen,model,"
	      "run\n",
	      file);
	for (size_t i = 0; i < job->rows->count; i++) {
		const struct pair_stats *s = &job->rows->items[i];

		ip_format(&s->pair.ip1, ip1);
		ip_format(&s->pair.ip2, ip2);
		format_unix_seconds(output_unix_ns(job->clock, s->first_seen_ns), first_seen,
				    sizeof(first_seen));
		format_unix_seconds(output_unix_ns(job->clock, s->last_seen_ns), last_seen,
				    sizeof(last_seen));
		if (fprintf(file, "%s,%s,%" PRIu64 ",%" PRIu64 ",%.6f,%s,%u,%u,%s,%s,%s,%s\n", ip1,
			    ip2, s->cg, s->ncg, cg_ratio(s), pair_verdict_name(s->verdict),
			    s->window_reports, s->window_cg, first_seen, last_seen, job->model_id,
			    job->run_id) < 0)
			return -EIO; /* the caller has the write's own errno */
	}
	return 0;
}

int output_write_csv(struct pair_rows *rows, const struct output_clock *clock, const char *model_id,
		     const char *run_id, const char *path, char *err, size_t err_size)
{
	struct csv_job job = {.clock = clock, .rows = rows, .model_id = model_id, .run_id = run_id};

	qsort(rows->items, rows->count, sizeof(*rows->items), compare_by_address);
	return output_write_atomic(path, write_csv_rows, &job, err, err_size);
}

static int decimal_width(uint64_t value)
{
	return snprintf(NULL, 0, "%" PRIu64, value);
}

static void print_totals(FILE *out, const struct output_totals *totals)
{
	uint64_t drops = 0;
	unsigned int reason;

	for (reason = 0; reason < DROP_REASON_COUNT; reason++)
		drops += totals->drops[reason];
	fprintf(out, "\nreports      %" PRIu64 "\n", totals->reports);
	fprintf(out, "rx packets   %" PRIu64 "\n", totals->rx_packets);
	fprintf(out, "pairs        %" PRIu64 "\n", totals->pairs);
	fprintf(out, "CG pairs     %" PRIu64 "\n", totals->cg_pairs);
	fprintf(out, "reports/s    %.1f (%.3f s)\n",
		totals->elapsed_s > 0 ? (double)totals->reports / totals->elapsed_s : 0.0,
		totals->elapsed_s);
	fprintf(out, "drops        %" PRIu64 "\n", drops);
	for (reason = 0; reason < DROP_REASON_COUNT; reason++)
		if (totals->drops[reason] > 0)
			fprintf(out, "  %-26s %" PRIu64 "\n", drop_reason_name(reason),
				totals->drops[reason]);
}

void output_print_table(struct pair_rows *rows, FILE *out, const struct output_totals *totals)
{
	char ip_text[OUTPUT_TABLE_ROWS_MAX][2][IP_TEXT_MAX];
	int ip_width = 3, cg_width = 5, ncg_width = 6;
	size_t shown, i;

	shown = rows->count;
	if (shown > OUTPUT_TABLE_ROWS_MAX) {
		qsort(rows->items, rows->count, sizeof(*rows->items), compare_by_reports);
		shown = OUTPUT_TABLE_ROWS_MAX;
	}
	qsort(rows->items, shown, sizeof(*rows->items), compare_by_address);
	for (i = 0; i < shown; i++) {
		const struct pair_stats *s = &rows->items[i];
		int len1, len2;

		ip_format(&s->pair.ip1, ip_text[i][0]);
		ip_format(&s->pair.ip2, ip_text[i][1]);
		len1 = (int)strlen(ip_text[i][0]);
		len2 = (int)strlen(ip_text[i][1]);
		ip_width = len1 > ip_width ? len1 : ip_width;
		ip_width = len2 > ip_width ? len2 : ip_width;
		cg_width = decimal_width(s->cg) > cg_width ? decimal_width(s->cg) : cg_width;
		ncg_width = decimal_width(s->ncg) > ncg_width ? decimal_width(s->ncg) : ncg_width;
	}
	fprintf(out, "%-8s  %-*s  %-*s  %*s  %*s  %-8s  %s\n", "HASH", ip_width, "IP1", ip_width,
		"IP2", cg_width, "NB CG", ncg_width, "NB NCG", "RATIO", "VERDICT");
	for (i = 0; i < shown; i++) {
		const struct pair_stats *s = &rows->items[i];

		fprintf(out, "%08" PRIx32 "  %-*s  %-*s  %*" PRIu64 "  %*" PRIu64 "  %.6f  %s\n",
			s->hash, ip_width, ip_text[i][0], ip_width, ip_text[i][1], cg_width, s->cg,
			ncg_width, s->ncg, cg_ratio(s), pair_verdict_name(s->verdict));
	}
	if (rows->count > shown)
		fprintf(out, "... and %zu more pairs with fewer reports (all in the CSV)\n",
			rows->count - shown);
	if (totals != NULL)
		print_totals(out, totals);
}
