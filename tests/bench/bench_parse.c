/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of turning one probe report into features: report_parse alone,
 * report_parse + features_build, and, for scale, jansson's json_loadb plus
 * reading the same values (the old way).  Also the header walk before them:
 * packet_find_report on the same reports framed as the probe sends them
 * (Ethernet, a tenth behind an 802.1Q tag, IPv4 with a fifth over IPv6, UDP).  Reports are
 * generated like the probe writes them (%.8g numbers, ports 0, LAN 192.168.0.0/16), or read from a
 * file, one report text per line.
 *
 * Usage: bench_parse [REPORTS_FILE [RUNS]].  Last line: the figures as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench_common.h"
#include "features.h"
#include "packet.h"
#include "prefix.h"
#include "report.h"
#include "splitmix64.h"

#define GENERATED_REPORTS 4096u
/* Many short runs: the minimum is what the code costs, the rest is the machine's noise. */
#define DEFAULT_RUNS 41u
#define PARSES_PER_RUN 100000u
#define JANSSON_PER_RUN 10000u

struct corpus {
	char **texts;
	size_t *lengths;
	size_t count;
};

static uint64_t rng_state = 0xbe7c4a11ull;

static uint64_t rng_next(void)
{
	return splitmix64_next(&rng_state);
}

static double rng_uniform(double low, double high)
{
	return low + (high - low) * splitmix64_unit(&rng_state);
}

static int corpus_add(struct corpus *corpus, const char *text, size_t length)
{
	char **texts = realloc(corpus->texts, (corpus->count + 1) * sizeof(*texts));
	size_t *lengths = realloc(corpus->lengths, (corpus->count + 1) * sizeof(*lengths));

	if (texts != NULL)
		corpus->texts = texts;
	if (lengths != NULL)
		corpus->lengths = lengths;
	if (texts == NULL || lengths == NULL)
		return -1;
	texts[corpus->count] = malloc(length);
	if (texts[corpus->count] == NULL)
		return -1;
	memcpy(texts[corpus->count], text, length);
	lengths[corpus->count++] = length;
	return 0;
}

/*
 * One window's statistics, as the probe prints them.  Like the shared probe
 * reports, about one in a hundred has an IAT variance big enough for %.8g
 * to print an exponent.
 */
static int format_window(char *out, size_t size, unsigned int count, double size_mean,
			 double iat_mean)
{
	double iat_var = rng_next() % 100 == 0 ? rng_uniform(1e8, 1e11)
					       : rng_uniform(0, iat_mean * iat_mean);

	return snprintf(out, size, "[%u,%.8g,%.8g,%.8g,%.8g]", count, size_mean,
			rng_uniform(0, size_mean * size_mean / 4), iat_mean, iat_var);
}

static int generate(struct corpus *corpus)
{
	for (unsigned int i = 0; i < GENERATED_REPORTS; i++) {
		char text[512], up[160], down[160];
		unsigned int client = 2 + (unsigned int)(rng_next() % 250);
		int length;

		format_window(up, sizeof(up), 1 + (unsigned int)(rng_next() % 200),
			      rng_uniform(60, 1400), rng_uniform(100, 8000));
		format_window(down, sizeof(down), 1 + (unsigned int)(rng_next() % 200),
			      rng_uniform(60, 1400), rng_uniform(100, 8000));
		/* A tenth sent server first, as the probe does for some conversations. */
		if (i % 10 == 0)
			length = snprintf(
				text, sizeof(text), "[\"%u.%u.%u.%u\",0,\"192.168.1.%u\",0,%s,%s]",
				(unsigned int)(rng_next() % 223) + 1,
				(unsigned int)(rng_next() % 256), (unsigned int)(rng_next() % 256),
				(unsigned int)(rng_next() % 256), client, up, down);
		else
			length = snprintf(
				text, sizeof(text), "[\"192.168.1.%u\",0,\"%u.%u.%u.%u\",0,%s,%s]",
				client, (unsigned int)(rng_next() % 223) + 1,
				(unsigned int)(rng_next() % 256), (unsigned int)(rng_next() % 256),
				(unsigned int)(rng_next() % 256), up, down);
		if (corpus_add(corpus, text, (size_t)length) != 0)
			return -1;
	}
	return 0;
}

static int load(struct corpus *corpus, const char *path)
{
	FILE *file = fopen(path, "r");
	char line[65536];

	if (file == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), file) != NULL) {
		size_t length = strcspn(line, "\r\n");

		if (length > 0 && corpus_add(corpus, line, length) != 0) {
			fclose(file);
			return -1;
		}
	}
	fclose(file);
	return corpus->count > 0 ? 0 : -1;
}

#define BENCH_UDP_PORT 5000
#define FRAME_HEADROOM 66 /* Ethernet, one tag, IPv6, UDP */

static void put_be16(uint8_t *p, size_t value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

/* Report i framed as the probe sends it; frames[i] is malloc'ed. */
static int frame_corpus(const struct corpus *corpus, struct corpus *frames)
{
	for (size_t i = 0; i < corpus->count; i++) {
		uint8_t frame[FRAME_HEADROOM + 512] = {0};
		size_t payload = corpus->lengths[i] + 8, offset = 12, ip_len;

		if (corpus->lengths[i] > 512)
			return -1;
		if (i % 10 == 3) {
			put_be16(frame + offset, 0x8100);
			offset += 4;
		}
		if (i % 5 == 1) {
			put_be16(frame + offset, 0x86dd);
			offset += 2;
			frame[offset] = 0x60;
			put_be16(frame + offset + 4, payload);
			frame[offset + 6] = 17;
			frame[offset + 8] = 0x20; /* 2001:db8::1 */
			frame[offset + 9] = 0x01;
			frame[offset + 10] = 0x0d;
			frame[offset + 11] = 0xb8;
			frame[offset + 23] = 1;
			ip_len = 40;
		} else {
			put_be16(frame + offset, 0x0800);
			offset += 2;
			frame[offset] = 0x45;
			put_be16(frame + offset + 2, 20 + payload);
			frame[offset + 9] = 17;
			frame[offset + 12] = 192; /* 192.0.2.1 */
			frame[offset + 14] = 2;
			frame[offset + 15] = 1;
			ip_len = 20;
		}
		offset += ip_len;
		put_be16(frame + offset, 40000);
		put_be16(frame + offset + 2, BENCH_UDP_PORT);
		put_be16(frame + offset + 4, payload);
		memcpy(frame + offset + 8, corpus->texts[i], corpus->lengths[i]);
		if (corpus_add(frames, (const char *)frame, offset + payload) != 0)
			return -1;
	}
	return 0;
}

/* Keeps the optimizer from dropping the work. */
static volatile float sink;

static double time_parse(const struct corpus *corpus, bool with_features,
			 const struct prefix_list *lan, unsigned long *refused)
{
	struct report report;
	struct ip_pair pair;
	struct features features = {{0}};
	float total = 0;
	double start = now_ns();

	*refused = 0;
	for (unsigned int i = 0; i < PARSES_PER_RUN; i++) {
		size_t index = i % corpus->count;

		if (report_parse(corpus->texts[index], corpus->lengths[index], &report) !=
		    DROP_NONE) {
			(*refused)++;
			continue;
		}
		if (with_features) {
			if (features_build(&report, lan, &pair, &features) != DROP_NONE)
				(*refused)++;
			total += features.values[i % FEATURE_COUNT];
		} else {
			total += (float)report.down[i % STAT_COUNT_OF_STATS];
		}
	}
	sink = total;
	return (now_ns() - start) / PARSES_PER_RUN;
}

static double time_packet(const struct corpus *frames, const struct packet_filter *filter,
			  unsigned long *refused)
{
	struct packet_payload payload;
	size_t total = 0;
	double start = now_ns();

	*refused = 0;
	for (unsigned int i = 0; i < PARSES_PER_RUN; i++) {
		size_t index = i % frames->count;

		if (packet_find_report((const uint8_t *)frames->texts[index],
				       frames->lengths[index], filter, &payload) != DROP_NONE) {
			(*refused)++;
			continue;
		}
		total += payload.len + payload.source.bytes[15];
	}
	sink = (float)total;
	return (now_ns() - start) / PARSES_PER_RUN;
}

/* json_loadb, then the same values out of the tree. */
static double time_jansson(const struct corpus *corpus)
{
	double total = 0, start = now_ns();

	for (unsigned int i = 0; i < JANSSON_PER_RUN; i++) {
		size_t index = i % corpus->count;
		json_error_t error;
		json_t *root = json_loadb(corpus->texts[index], corpus->lengths[index], 0, &error);
		const char *src_text, *dst_text;
		struct ip_addr src, dst;

		if (root == NULL)
			continue;
		src_text = json_string_value(json_array_get(root, 0));
		dst_text = json_string_value(json_array_get(root, 2));
		if (src_text != NULL && dst_text != NULL &&
		    ip_parse(&src, src_text, strlen(src_text)) == 0 &&
		    ip_parse(&dst, dst_text, strlen(dst_text)) == 0)
			total += src.bytes[15] + dst.bytes[15];
		total += (double)json_integer_value(json_array_get(root, 1));
		total += (double)json_integer_value(json_array_get(root, 3));
		for (size_t half = 4; half <= 5; half++)
			for (size_t stat = 0; stat < STAT_COUNT_OF_STATS; stat++)
				total += json_number_value(
					json_array_get(json_array_get(root, half), stat));
		json_decref(root);
	}
	sink = (float)total;
	return (now_ns() - start) / JANSSON_PER_RUN;
}

static void print_figures(const char *name, struct figures figures)
{
	printf("%-24s min %8.1f  median %8.1f  max %8.1f ns/report\n", name, figures.min,
	       figures.median, figures.max);
}

int main(int argc, char **argv)
{
	struct corpus corpus = {0}, frames = {0};
	struct prefix_list lan = {0}, probes = {0};
	struct packet_filter filter = {.udp_port = BENCH_UDP_PORT, .probes = &probes};
	unsigned int runs = argc > 2 ? (unsigned int)atoi(argv[2]) : DEFAULT_RUNS;
	double *parse_samples, *features_samples, *jansson_samples, *packet_samples;
	struct figures parse, parse_features, jansson, packet;
	unsigned long refused = 0, frames_refused = 0;
	size_t bytes = 0;

	if (runs < 1)
		runs = DEFAULT_RUNS;
	if ((argc > 1 ? load(&corpus, argv[1]) : generate(&corpus)) != 0) {
		fprintf(stderr, "bench_parse: no reports to time\n");
		return 1;
	}
	if (frame_corpus(&corpus, &frames) != 0) {
		fprintf(stderr, "bench_parse: cannot frame the reports\n");
		return 1;
	}
	/* Two probes, as a deployment with one per family would list them. */
	if (prefix_list_add(&lan, "192.168.0.0/16") != 0 ||
	    prefix_list_add(&probes, "192.0.2.1") != 0 ||
	    prefix_list_add(&probes, "2001:db8::1") != 0) {
		fprintf(stderr, "bench_parse: cannot set the LAN prefix\n");
		return 1;
	}
	parse_samples = calloc(runs, sizeof(double));
	features_samples = calloc(runs, sizeof(double));
	jansson_samples = calloc(runs, sizeof(double));
	packet_samples = calloc(runs, sizeof(double));
	if (parse_samples == NULL || features_samples == NULL || jansson_samples == NULL ||
	    packet_samples == NULL)
		return 1;
	for (size_t i = 0; i < corpus.count; i++)
		bytes += corpus.lengths[i];

	for (unsigned int run = 0; run < runs; run++) {
		parse_samples[run] = time_parse(&corpus, false, &lan, &refused);
		features_samples[run] = time_parse(&corpus, true, &lan, &refused);
		jansson_samples[run] = time_jansson(&corpus);
		packet_samples[run] = time_packet(&frames, &filter, &frames_refused);
	}
	parse = summarize(parse_samples, runs);
	parse_features = summarize(features_samples, runs);
	jansson = summarize(jansson_samples, runs);
	packet = summarize(packet_samples, runs);

	printf("%zu reports (%s), %.1f bytes each, %u runs, %lu refused per run\n", corpus.count,
	       argc > 1 ? argv[1] : "generated", (double)bytes / (double)corpus.count, runs,
	       refused);
	print_figures("report_parse", parse);
	print_figures("report_parse+features", parse_features);
	print_figures("jansson+values", jansson);
	print_figures("packet_find_report", packet);
	if (frames_refused != 0)
		printf("packet_find_report refused %lu frames per run\n", frames_refused);
	printf("jansson / (parse+features), medians: %.1fx\n",
	       jansson.median / parse_features.median);
	printf("{\"parse_features_ns\": {\"min\": %.1f, \"median\": %.1f, \"max\": %.1f}, "
	       "\"jansson_ns\": {\"min\": %.1f, \"median\": %.1f, \"max\": %.1f}, "
	       "\"parse_ns\": {\"min\": %.1f, \"median\": %.1f, \"max\": %.1f}, "
	       "\"packet_ns\": {\"min\": %.1f, \"median\": %.1f, \"max\": %.1f}, \"ratio\": "
	       "%.1f}\n",
	       parse_features.min, parse_features.median, parse_features.max, jansson.min,
	       jansson.median, jansson.max, parse.min, parse.median, parse.max, packet.min,
	       packet.median, packet.max, jansson.median / parse_features.median);

	for (size_t i = 0; i < corpus.count; i++)
		free(corpus.texts[i]);
	for (size_t i = 0; i < frames.count; i++)
		free(frames.texts[i]);
	free(frames.texts);
	free(frames.lengths);
	free(packet_samples);
	free(corpus.texts);
	free(corpus.lengths);
	free(parse_samples);
	free(features_samples);
	free(jansson_samples);
	return 0;
}
