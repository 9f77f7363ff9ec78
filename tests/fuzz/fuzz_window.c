/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The traffic windows on any sequence of frames with timestamps.  The input
 * is a list of records:
 *
 *   flags (1 byte), time step (2 bytes, x 64 us), length (1 byte), bytes
 *
 * flags bit 0: the clock steps back instead of forward; bit 1: the bytes
 * are not a frame but pick a packet among a few addresses (so that the
 * table's paths, purges, idle ends and evictions are reached quickly).
 * Two small tables (probe mode with a tiny value pool, exact mode) take
 * every packet; nothing may read out of bounds, a packet writes at most one
 * report, the table never holds more than its bound, every report's text
 * fits and reads back as window_report_as_text_values says, and exact mode
 * loses no packet once flushed.  A third table takes the same packets in
 * bursts (flags bit 3 or 8 packets close one) and must write the same
 * reports as the probe-mode table that takes them one by one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "window.h"

#define MAX_FLOWS 4
#define BURST 8
#define RECORDS_MAX 4096 /* more than an input of libFuzzer's default size holds */

static struct report expected[RECORDS_MAX];
static unsigned int expected_count, compared;

/* Accounts the pending packets as one burst; its reports must be the single table's. */
static void flush_burst(struct window_table *table, struct window_packet *pending,
			unsigned int *pending_count)
{
	struct report reports[BURST];
	unsigned int count = window_table_account_burst(table, pending, *pending_count, reports);

	for (unsigned int r = 0; r < count; r++)
		if (compared >= expected_count ||
		    memcmp(&reports[r], &expected[compared++], sizeof(reports[r])) != 0)
			abort();
	*pending_count = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_report(const struct report *window)
{
	char text[WINDOW_REPORT_TEXT_MAX];
	struct report parsed, converted = *window;
	int length = window_report_format(window, text, sizeof(text));

	if (length <= 0)
		abort();
	window_report_as_text_values(&converted);
	/* A negative size mean (UDP length field below 8) is refused by report mode: fine. */
	if (report_parse(text, (size_t)length, &parsed) != DROP_NONE)
		return;
	if (memcmp(parsed.up, converted.up, sizeof(parsed.up)) != 0 ||
	    memcmp(parsed.down, converted.down, sizeof(parsed.down)) != 0)
		abort();
}

static uint64_t counted_packets(const struct report *window)
{
	return (uint64_t)window->up[STAT_COUNT] + (uint64_t)window->down[STAT_COUNT];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct window_config probe_config = {
		.mode = WINDOW_STATS_PROBE, .max_flows = MAX_FLOWS, .max_window_packets = 30};
	struct window_config exact_config = {.mode = WINDOW_STATS_EXACT, .max_flows = MAX_FLOWS};
	struct window_table *probe = window_table_create(&probe_config, 7);
	struct window_table *exact = window_table_create(&exact_config, 7);
	struct window_table *burst = window_table_create(&probe_config, 7);
	struct window_packet pending[BURST];
	unsigned int pending_count = 0;
	struct window_counters counters;
	uint64_t time_ns = 1700000000ull * 1000000000ull, in_windows = 0;
	struct report reports[MAX_FLOWS + 1];
	size_t at = 0;

	if (probe == NULL || exact == NULL || burst == NULL)
		abort();
	expected_count = compared = 0;
	while (size - at >= 4) {
		uint8_t flags = data[at];
		uint64_t step = (uint64_t)(data[at + 1] | data[at + 2] << 8) * 64000;
		size_t length = data[at + 3];
		struct window_packet packet;
		bool usable;

		at += 4;
		if (length > size - at)
			length = size - at;
		time_ns = flags & 1 ? time_ns - step : time_ns + step;
		if (flags & 2) {
			uint8_t v4[4] = {10, 0, 0, 0};

			memset(&packet, 0, sizeof(packet));
			v4[3] = length > 0 ? data[at] % 6 : 0;
			ip_from_v4(&packet.src, v4);
			v4[3] = length > 1 ? data[at + 1] % 6 : 1;
			ip_from_v4(&packet.dst, v4);
			packet.udp_length = length > 2 ? data[at + 2] * 7u : 8;
			packet.time_ns = time_ns;
			usable = true;
		} else {
			usable = window_packet_from_frame(data + at, length, length, time_ns,
							  &packet) == DROP_NONE;
		}
		at += length;
		if (!usable)
			continue;
		for (int mode = 0; mode < 2; mode++) {
			int written = window_table_account(mode == 0 ? probe : exact, &packet,
							   &reports[0]);

			if (written < 0 || written > 1)
				abort();
			if (written == 1 && mode == 0 && expected_count < RECORDS_MAX)
				expected[expected_count++] = reports[0];
			if (written == 1) {
				check_report(&reports[0]);
				if (mode == 1)
					in_windows += counted_packets(&reports[0]);
			}
		}
		if (expected_count < RECORDS_MAX) {
			pending[pending_count++] = packet;
			if (pending_count == BURST || (flags & 8))
				flush_burst(burst, pending, &pending_count);
		}
		/* A sweep now and then, as an RX lcore between bursts. */
		if (flags & 4) {
			unsigned int count = window_table_expire(exact, time_ns, reports, 2);

			for (unsigned int r = 0; r < count; r++) {
				check_report(&reports[r]);
				in_windows += counted_packets(&reports[r]);
			}
			if (window_table_expire(probe, time_ns, reports, 2) != 0)
				abort();
			/* The burst table sweeps at the same point of the stream. */
			flush_burst(burst, pending, &pending_count);
			if (window_table_expire(burst, time_ns, reports, 2) != 0)
				abort();
		}
	}
	for (unsigned int count;
	     (count = window_table_expire(exact, UINT64_MAX, reports, MAX_FLOWS + 1)) > 0;)
		for (unsigned int r = 0; r < count; r++) {
			check_report(&reports[r]);
			in_windows += counted_packets(&reports[r]);
		}
	flush_burst(burst, pending, &pending_count);
	if (compared != expected_count && expected_count < RECORDS_MAX)
		abort();
	window_table_get_counters(exact, &counters);
	if (counters.flows_active != 0 || in_windows != counters.packets)
		abort();
	window_table_get_counters(probe, &counters);
	if (counters.flows_active > MAX_FLOWS)
		abort();
	window_table_free(probe);
	window_table_free(exact);
	window_table_free(burst);
	return 0;
}
