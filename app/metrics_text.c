/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exposition text (metrics_text.h).  One page is about 20 KB: it is
 * built in a growing buffer with snprintf, a few tens of microseconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drop_reason.h"

#include "metrics_text.h"

#define PREFIX "cgnf_"
#define NAME_MAX_LENGTH 128

struct page {
	char *text;
	size_t length;
	size_t capacity;
	bool openmetrics;
	bool failed; /* out of memory: the page is dropped */
};

__attribute__((format(printf, 2, 3))) static void page_printf(struct page *page, const char *format,
							      ...)
{
	va_list args;
	int needed;

	if (page->failed)
		return;
	for (;;) {
		size_t room = page->capacity - page->length;

		va_start(args, format);
		needed = vsnprintf(page->text + page->length, room, format, args);
		va_end(args);
		if (needed < 0) {
			page->failed = true;
			return;
		}
		if ((size_t)needed < room) {
			page->length += (size_t)needed;
			return;
		}
		size_t capacity = 2 * page->capacity + (size_t)needed;
		char *text = realloc(page->text, capacity);

		if (text == NULL) {
			page->failed = true;
			return;
		}
		page->text = text;
		page->capacity = capacity;
	}
}

static void page_append(struct page *page, const char *text, size_t length)
{
	if (page->failed)
		return;
	if (page->length + length + 1 > page->capacity) {
		size_t capacity = 2 * page->capacity + length + 1;
		char *grown = realloc(page->text, capacity);

		if (grown == NULL) {
			page->failed = true;
			return;
		}
		page->text = grown;
		page->capacity = capacity;
	}
	memcpy(page->text + page->length, text, length);
	page->length += length;
	page->text[page->length] = '\0';
}

/* A label value or a HELP text: \ and newline escaped, and " in label values. */
static void page_escaped(struct page *page, const char *text, bool quote)
{
	const char *specials = quote ? "\\\n\"" : "\\\n";

	for (;;) {
		size_t plain = strcspn(text, specials);

		page_append(page, text, plain);
		text += plain;
		if (*text == '\0')
			return;
		page_append(page, *text == '\n' ? "\\n" : *text == '"' ? "\\\"" : "\\\\", 2);
		text++;
	}
}

/* Nanoseconds as seconds, exactly: "1.5", "0.000001024". */
static void format_seconds(uint64_t ns, char *out, size_t size)
{
	size_t length;

	snprintf(out, size, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
	length = strlen(out);
	while (out[length - 1] == '0')
		out[--length] = '\0';
	if (out[length - 1] == '.')
		out[length - 1] = '\0';
}

static bool ends_with(const char *text, size_t length, const char *suffix)
{
	size_t n = strlen(suffix);

	return length >= n && memcmp(text + length - n, suffix, n) == 0;
}

int metrics_family_name(const struct counter_spec *spec, char *out, size_t size, bool *in_seconds)
{
	static const char *const statistics[] = {"_sum", "_max", "_mean"};
	size_t length = strlen(spec->name);
	const char *statistic = "";
	int written;

	*in_seconds = strcmp(spec->unit, "nanoseconds") == 0;
	if (*in_seconds) {
		if (ends_with(spec->name, length, "_ns"))
			length -= 3;
		for (size_t i = 0; i < sizeof(statistics) / sizeof(statistics[0]); i++) {
			if (ends_with(spec->name, length, statistics[i])) {
				statistic = statistics[i];
				length -= strlen(statistic);
				break;
			}
		}
		written = snprintf(out, size, PREFIX "%.*s_seconds%s", (int)length, spec->name,
				   statistic);
	} else {
		written = snprintf(out, size, PREFIX "%s", spec->name);
	}
	return written < 0 || (size_t)written >= size ? -ENOSPC : 0;
}

uint64_t metrics_latency_bucket_le_ns(unsigned int bucket)
{
	return bucket >= LATENCY_BUCKETS - 1 ? UINT64_MAX : 1ull << (LATENCY_LOG2_FIRST + bucket);
}

/*
 * HELP and TYPE of a family.  type: "counter", "gauge", "histogram",
 * "info".  Prometheus text names a counter's family with its _total and
 * has no info type (a gauge named X_info); OpenMetrics names the family
 * without the suffix, and gives a UNIT when the name ends in one.
 */
static void family_header(struct page *page, const char *family, const char *type, const char *help)
{
	char name[NAME_MAX_LENGTH];

	if (!page->openmetrics && strcmp(type, "counter") == 0)
		snprintf(name, sizeof(name), "%s_total", family);
	else if (!page->openmetrics && strcmp(type, "info") == 0)
		snprintf(name, sizeof(name), "%s_info", family);
	else
		snprintf(name, sizeof(name), "%s", family);
	page_printf(page, "# HELP %s ", name);
	page_escaped(page, help, page->openmetrics);
	page_printf(page, "\n# TYPE %s %s\n", name,
		    !page->openmetrics && strcmp(type, "info") == 0 ? "gauge" : type);
	if (page->openmetrics && ends_with(family, strlen(family), "_seconds"))
		page_printf(page, "# UNIT %s seconds\n", family);
}

/* labels: NULL-terminated list of name, value, name, value... */
static void sample_begin(struct page *page, const char *family, const char *suffix,
			 const char *const *labels)
{
	page_printf(page, "%s%s", family, suffix);
	if (labels == NULL || labels[0] == NULL) {
		page_printf(page, " ");
		return;
	}
	page_printf(page, "{");
	for (unsigned int i = 0; labels[i] != NULL; i += 2) {
		page_printf(page, "%s%s=\"", i == 0 ? "" : ",", labels[i]);
		page_escaped(page, labels[i + 1], true);
		page_printf(page, "\"");
	}
	page_printf(page, "} ");
}

static void sample(struct page *page, const char *family, const char *suffix,
		   const char *const *labels, uint64_t value, bool in_seconds)
{
	char seconds[32];

	sample_begin(page, family, suffix, labels);
	if (in_seconds) {
		format_seconds(value, seconds, sizeof(seconds));
		page_printf(page, "%s\n", seconds);
	} else {
		page_printf(page, "%" PRIu64 "\n", value);
	}
}

static void render_drops(struct page *page, const struct counter_spec *spec,
			 const struct counter_values *totals)
{
	const char *labels[] = {"reason", NULL, NULL};

	family_header(page, PREFIX "dropped", "counter", spec->help);
	for (unsigned int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++) {
		labels[1] = drop_reason_name(r);
		sample(page, PREFIX "dropped", "_total", labels, totals->drops[r], false);
	}
}

static void render_histogram(struct page *page, const char *family, const char *help,
			     const struct counter_values *totals, uint64_t sum_ns)
{
	const char *labels[] = {"le", NULL, NULL};
	uint64_t cumulative = 0;
	char le[32];

	family_header(page, family, "histogram", help);
	for (unsigned int b = 0; b < LATENCY_BUCKETS; b++) {
		uint64_t bound = metrics_latency_bucket_le_ns(b);

		cumulative += totals->latency_buckets[b];
		if (bound == UINT64_MAX)
			snprintf(le, sizeof(le), "+Inf");
		else
			format_seconds(bound, le, sizeof(le));
		labels[1] = le;
		sample(page, family, "_bucket", labels, cumulative, false);
	}
	sample(page, family, "_count", NULL, cumulative, false);
	sample(page, family, "_sum", NULL, sum_ns, true);
}

static void render_per_lcore(struct page *page, unsigned int id, const char *family,
			     const struct metrics_input *input, bool in_seconds)
{
	const struct counter_spec *spec = &counter_specs[id];
	const char *suffix = spec->kind == COUNTER_KIND_COUNTER ? "_total" : "";
	const char *labels[] = {"lcore", NULL, "role", NULL, NULL};
	char lcore[16];

	family_header(page, family, counter_kind_name(spec->kind), spec->help);
	for (unsigned int i = 0; i < input->n_lcores; i++) {
		const struct metrics_lcore *one = &input->lcores[i];

		if (one->role != spec->role)
			continue;
		snprintf(lcore, sizeof(lcore), "%u", one->lcore_id);
		labels[1] = lcore;
		labels[3] = one->role_name;
		sample(page, family, suffix, labels, one->values.value[id], in_seconds);
	}
}

static void render_registry(struct page *page, const struct metrics_input *input)
{
	const struct counter_values *totals = input->totals;
	char family[NAME_MAX_LENGTH];
	bool in_seconds;

	for (unsigned int id = 0; id < COUNTER_COUNT; id++) {
		const struct counter_spec *spec = &counter_specs[id];
		size_t length;

		if (id == COUNTER_dropped_total) {
			render_drops(page, spec, totals);
			continue;
		}
		if (metrics_family_name(spec, family, sizeof(family), &in_seconds) != 0)
			continue;
		length = strlen(family);
		/* The one sum with buckets: the latency the aggregator bins. */
		if (id == COUNTER_latency_sum_ns && ends_with(family, length, "_sum")) {
			family[length - 4] = '\0';
			render_histogram(page, family, spec->help, totals, totals->value[id]);
			continue;
		}
		if (spec->role == COUNTER_ROLE_RX || spec->role == COUNTER_ROLE_CLASSIFIER) {
			render_per_lcore(page, id, family, input, in_seconds);
			continue;
		}
		family_header(page, family, counter_kind_name(spec->kind), spec->help);
		sample(page, family, spec->kind == COUNTER_KIND_COUNTER ? "_total" : "", NULL,
		       totals->value[id], in_seconds);
	}
}

static void render_ports(struct page *page, const struct metrics_input *input)
{
	const char *labels[] = {"port", NULL, "name", NULL, NULL};
	char port[16];

#define PORT_FAMILY(field, metric, help)                                                      \
	family_header(page, PREFIX #metric, "counter", help);                                 \
	for (unsigned int p = 0; p < input->n_ports; p++) {                                   \
		snprintf(port, sizeof(port), "%u", input->ports[p].port_id);                  \
		labels[1] = port;                                                             \
		labels[3] = input->ports[p].name;                                             \
		sample(page, PREFIX #metric, "_total", labels, input->ports[p].field, false); \
	}
	METRICS_PORT_STATS(PORT_FAMILY)
#undef PORT_FAMILY
	family_header(page, PREFIX "port_link_up", "gauge",
		      "1 when the port's link is up, 0 when down (absent: unknown)");
	for (unsigned int p = 0; p < input->n_ports; p++) {
		if (!input->ports[p].link_known)
			continue;
		snprintf(port, sizeof(port), "%u", input->ports[p].port_id);
		labels[1] = port;
		labels[3] = input->ports[p].name;
		sample(page, PREFIX "port_link_up", "", labels, input->ports[p].link_up, false);
	}
}

static void render_info(struct page *page, const struct metrics_input *input)
{
	const char *build[] = {"version", input->version, NULL};
	const char *model[] = {
		"sha256",    input->model_sha256,    "checksum", input->model_checksum,
		"source",    input->model_source,    "path",	 input->model_path,
		"loaded_at", input->model_loaded_at, NULL};

	family_header(page, PREFIX "build", "info", "The cgnf build: its version");
	sample(page, PREFIX "build", "_info", build, 1, false);
	family_header(page, PREFIX "model", "info",
		      "The model in use: SHA-256 and FNV-1a checksum of the file, source, path, "
		      "load time");
	sample(page, PREFIX "model", "_info", model, 1, false);
}

int metrics_render(const struct metrics_input *input, enum metrics_format format, char **text,
		   size_t *length)
{
	struct page page = {.openmetrics = format == METRICS_FORMAT_OPENMETRICS};

	page.capacity = 32 * 1024;
	page.text = malloc(page.capacity);
	if (page.text == NULL)
		return -ENOMEM;
	page.text[0] = '\0';
	render_registry(&page, input);
	render_ports(&page, input);
	render_info(&page, input);
	if (page.openmetrics)
		page_printf(&page, "# EOF\n");
	if (page.failed) {
		free(page.text);
		return -ENOMEM;
	}
	*text = page.text;
	*length = page.length;
	return 0;
}

enum metrics_format metrics_negotiate(const char *accept)
{
	if (accept != NULL && strstr(accept, "application/openmetrics-text") != NULL)
		return METRICS_FORMAT_OPENMETRICS;
	return METRICS_FORMAT_PROMETHEUS;
}
