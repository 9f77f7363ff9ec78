/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The traffic windows of a capture, as the probe's text: reads a pcap with
 * libpcap and prints every closed window, one per line, in the order the
 * windows close (the probe's send order).
 *
 *   window_pcap [--window-stats probe|exact] [--max-flows N]
 *               [--max-window-packets N] [--check-features] PCAP
 *
 * In exact mode the windows still pending at the end are flushed (they
 * would close at idle).  --check-features prints, instead of the windows,
 * how the classifier's features built from the window's values compare
 * with report mode's (the text parsed back by report_parse), directly and
 * through window_report_as_text_values.  Counters go to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "features.h"
#include "report.h"
#include "window.h"

#define FLUSH_BATCH 64

struct feature_check {
	unsigned long windows;
	unsigned long direct_differ; /* features from the float values != report mode's */
	unsigned long direct_values; /* values differing, of 12 per window */
	unsigned long direct_by_feature[FEATURE_COUNT];
	unsigned long round_trip_differ; /* window_report_as_text_values != report mode's */
	unsigned long unparsed;
};

static void check_features(const struct report *window, struct feature_check *check)
{
	static const struct prefix_list no_lan;
	char text[WINDOW_REPORT_TEXT_MAX];
	struct report parsed, converted = *window;
	struct features from_text, direct, from_conversion;
	struct ip_pair pair;
	int length = window_report_format(window, text, sizeof(text));

	check->windows++;
	if (length < 0 || report_parse(text, (size_t)length, &parsed) != DROP_NONE) {
		check->unparsed++;
		return;
	}
	window_report_as_text_values(&converted);
	features_build(&parsed, &no_lan, &pair, &from_text);
	features_build(window, &no_lan, &pair, &direct);
	features_build(&converted, &no_lan, &pair, &from_conversion);
	if (memcmp(&direct, &from_text, sizeof(direct)) != 0) {
		check->direct_differ++;
		for (int f = 0; f < FEATURE_COUNT; f++)
			if (memcmp(&direct.values[f], &from_text.values[f], sizeof(float)) != 0) {
				check->direct_values++;
				check->direct_by_feature[f]++;
			}
	}
	if (memcmp(&from_conversion, &from_text, sizeof(from_text)) != 0 ||
	    memcmp(converted.up, parsed.up, sizeof(parsed.up)) != 0 ||
	    memcmp(converted.down, parsed.down, sizeof(parsed.down)) != 0)
		check->round_trip_differ++;
}

static void emit(const struct report *window, bool checking, struct feature_check *check)
{
	char text[WINDOW_REPORT_TEXT_MAX];

	if (checking) {
		check_features(window, check);
		return;
	}
	if (window_report_format(window, text, sizeof(text)) >= 0)
		puts(text);
}

static int usage(void)
{
	fprintf(stderr, "usage: window_pcap [--window-stats probe|exact] [--max-flows N] "
			"[--max-window-packets N] [--check-features] PCAP\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct window_config config = {
		.mode = WINDOW_STATS_PROBE,
		.max_flows = 1 << 16,
		.max_window_packets = 1 << 20,
	};
	unsigned long drops[DROP_REASON_COUNT] = {0}, frames = 0;
	struct feature_check check = {0};
	char errbuf[PCAP_ERRBUF_SIZE];
	struct report reports[FLUSH_BATCH];
	struct window_counters counters;
	struct window_table *table;
	struct pcap_pkthdr *header;
	const char *path = NULL;
	bool checking = false;
	const u_char *frame;
	pcap_t *pcap;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--window-stats") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "probe") == 0)
				config.mode = WINDOW_STATS_PROBE;
			else if (strcmp(argv[i], "exact") == 0)
				config.mode = WINDOW_STATS_EXACT;
			else
				return usage();
		} else if (strcmp(argv[i], "--max-flows") == 0 && i + 1 < argc) {
			config.max_flows = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--max-window-packets") == 0 && i + 1 < argc) {
			config.max_window_packets = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--check-features") == 0) {
			checking = true;
		} else if (argv[i][0] != '-' && path == NULL) {
			path = argv[i];
		} else {
			return usage();
		}
	}
	if (path == NULL)
		return usage();
	table = window_table_create(&config, 0x5eed);
	if (table == NULL) {
		fprintf(stderr, "window_table_create: %s\n", strerror(errno));
		return 1;
	}
	pcap = pcap_open_offline(path, errbuf);
	if (pcap == NULL) {
		fprintf(stderr, "%s: %s\n", path, errbuf);
		window_table_free(table);
		return 1;
	}
	if (pcap_datalink(pcap) != DLT_EN10MB) {
		fprintf(stderr, "%s: link type %d, not Ethernet\n", path, pcap_datalink(pcap));
		pcap_close(pcap);
		window_table_free(table);
		return 1;
	}
	while ((rc = pcap_next_ex(pcap, &header, &frame)) == 1) {
		struct window_packet packet;
		uint64_t time_ns = (uint64_t)header->ts.tv_sec * 1000000000u +
				   (uint64_t)header->ts.tv_usec * 1000u;
		enum drop_reason reason = window_packet_from_frame(frame, header->caplen,
								   header->len, time_ns, &packet);

		frames++;
		if (reason != DROP_NONE) {
			drops[reason]++;
			continue;
		}
		if (window_table_account(table, &packet, &reports[0]) == 1)
			emit(&reports[0], checking, &check);
	}
	if (config.mode == WINDOW_STATS_EXACT) {
		unsigned int count;

		while ((count = window_table_expire(table, UINT64_MAX, reports, FLUSH_BATCH)) > 0)
			for (unsigned int r = 0; r < count; r++)
				emit(&reports[r], checking, &check);
	}
	pcap_close(pcap);

	window_table_get_counters(table, &counters);
	fprintf(stderr,
		"frames %lu packets %lu windows %lu flows %lu purged %lu evicted %lu purges %lu "
		"beyond_pool %lu inexact %lu\n",
		frames, (unsigned long)counters.packets, (unsigned long)counters.windows_closed,
		(unsigned long)counters.flows_created, (unsigned long)counters.flows_purged,
		(unsigned long)counters.flows_evicted, (unsigned long)counters.purges,
		(unsigned long)counters.packets_beyond_pool,
		(unsigned long)counters.windows_inexact);
	for (int r = 1; r < DROP_REASON_COUNT; r++)
		if (drops[r] != 0)
			fprintf(stderr, "  %s %lu\n", drop_reason_name((enum drop_reason)r),
				drops[r]);
	if (checking) {
		printf("direct_by_feature");
		for (int f = 0; f < FEATURE_COUNT; f++)
			printf(" %s=%lu", feature_names[f], check.direct_by_feature[f]);
		printf("\n");
		printf("windows %lu direct_differ %lu direct_values %lu round_trip_differ %lu "
		       "unparsed %lu\n",
		       check.windows, check.direct_differ, check.direct_values,
		       check.round_trip_differ, check.unparsed);
	}
	window_table_free(table);
	return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
