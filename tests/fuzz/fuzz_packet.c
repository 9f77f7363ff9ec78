/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RX path on a raw frame, as an RX lcore runs it: find the report,
 * parse it, orient it and compute its features, hash the pair.  The first
 * byte picks the probe filter, so that both "any source" and a filtered
 * source are explored.
 */
#include <stddef.h>
#include <stdint.h>

#include "features.h"
#include "packet.h"
#include "record.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct prefix_list lan, probes;

static void setup(void)
{
	static const char *const lan_prefixes[] = {"192.168.0.0/16", "10.0.0.0/8", "fc00::/7"};
	size_t i;

	for (i = 0; i < sizeof(lan_prefixes) / sizeof(lan_prefixes[0]); i++)
		prefix_list_add(&lan, lan_prefixes[i]);
	prefix_list_add(&probes, "127.0.0.0/8");
	prefix_list_add(&probes, "::1");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet_filter filter = {.udp_port = 5000};
	struct classify_record record;
	struct packet_payload payload;
	struct report report;

	if (lan.count == 0)
		setup();
	if (size < 1)
		return 0;
	filter.probes = (data[0] & 1) != 0 ? &probes : NULL;
	if (packet_find_report(data + 1, size - 1, &filter, &payload) != DROP_NONE)
		return 0;
	if (report_parse((const char *)payload.data, payload.len, &report) != DROP_NONE)
		return 0;
	if (features_build(&report, &lan, &record.pair, &record.features) != DROP_NONE)
		return 0;
	record.hash = ip_pair_hash(&record.pair, 0x5eed);
	/* Keep the work from being optimised away. */
	__asm__ volatile("" : : "g"(&record) : "memory");
	return 0;
}
