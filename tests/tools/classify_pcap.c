/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's whole pipeline without EAL: pcap frames -> packet filter ->
 * report parser -> features -> tree -> pair table -> CSV.  The library-level
 * parity test compares its CSV with the old system's output.
 *
 *   classify_pcap MODEL.json OUT.csv [--lan CIDR]... [--udp-port N] PCAP...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "drop_reason.h"
#include "features.h"
#include "output.h"
#include "packet.h"
#include "pair_table.h"
#include "report.h"
#include "tree.h"

struct classify_counts {
	unsigned long packets;
	unsigned long reports;
	unsigned long drops[DROP_REASON_COUNT];
};

static void classify_frame(const uint8_t *frame, size_t len, const struct packet_filter *filter,
			   const struct prefix_list *lan, const struct tree *tree,
			   struct pair_table *table, struct classify_counts *counts)
{
	struct packet_payload payload;
	struct report report;
	struct features features;
	struct ip_pair pair;
	enum drop_reason reason;

	counts->packets++;
	reason = packet_find_report(frame, len, filter, &payload);
	if (reason == DROP_NONE)
		reason = report_parse((const char *)payload.data, payload.len, &report);
	if (reason == DROP_NONE)
		reason = features_build(&report, lan, &pair, &features);
	if (reason != DROP_NONE) {
		counts->drops[reason]++;
		return;
	}
	/* A fixed seed: the hash only places pairs in the table here. */
	pair_table_update(table, &pair, ip_pair_hash(&pair, 1), tree_predict(tree, &features),
			  counts->packets, counts->packets);
	counts->reports++;
}

static int classify_file(const char *path, const struct packet_filter *filter,
			 const struct prefix_list *lan, const struct tree *tree,
			 struct pair_table *table, struct classify_counts *counts)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *header;
	const u_char *frame;
	pcap_t *pcap;
	int rc;

	pcap = pcap_open_offline(path, errbuf);
	if (pcap == NULL) {
		fprintf(stderr, "%s: %s\n", path, errbuf);
		return -EINVAL;
	}
	while ((rc = pcap_next_ex(pcap, &header, &frame)) == 1)
		classify_frame(frame, header->caplen, filter, lan, tree, table, counts);
	pcap_close(pcap);
	return rc == PCAP_ERROR_BREAK ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct pair_table_config table_config = {
		.max_pairs = 1 << 20,
		.verdict_window = 90,
		.verdict_min_reports = 30,
		.verdict_threshold = 0.5,
	};
	static struct prefix_list lan;
	struct packet_filter filter = {.udp_port = 5000};
	struct classify_counts counts = {0};
	struct output_clock clock = {0};
	struct pair_table *table;
	struct tree *tree;
	char err[512];
	int i, rc = 0;

	if (argc < 4) {
		fprintf(stderr,
			"usage: %s MODEL.json OUT.csv [--lan CIDR]... [--udp-port N] PCAP...\n",
			argv[0]);
		return 2;
	}
	tree = tree_load(argv[1], err, sizeof(err));
	if (tree == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	table = pair_table_create(&table_config, NULL, NULL);
	if (table == NULL) {
		fprintf(stderr, "pair table: %s\n", strerror(errno));
		return 1;
	}
	for (i = 3; i < argc && rc == 0; i++) {
		if (strcmp(argv[i], "--lan") == 0 && i + 1 < argc) {
			rc = prefix_list_add(&lan, argv[++i]);
			if (rc != 0)
				fprintf(stderr, "--lan %s: invalid prefix\n", argv[i]);
		} else if (strcmp(argv[i], "--udp-port") == 0 && i + 1 < argc) {
			filter.udp_port = (uint16_t)atoi(argv[++i]);
		} else {
			rc = classify_file(argv[i], &filter, &lan, tree, table, &counts);
		}
	}
	if (rc == 0) {
		struct pair_rows rows;

		rc = output_collect_rows(table, &rows);
		if (rc == 0)
			/* No run here: the column stays empty. */
			rc = output_write_csv(&rows, &clock, tree_get_info(tree)->id, "", argv[2],
					      err, sizeof(err));
		else
			snprintf(err, sizeof(err), "%s: %s", argv[2], strerror(-rc));
		free(rows.items);
	}
	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	printf("packets %lu reports %lu pairs %u\n", counts.packets, counts.reports,
	       pair_table_count(table));
	for (i = 1; i < DROP_REASON_COUNT; i++)
		if (counts.drops[i] != 0)
			printf("dropped %s %lu\n", drop_reason_name(i), counts.drops[i]);
	pair_table_free(table);
	tree_free(tree);
	return rc == 0 ? 0 : 1;
}
