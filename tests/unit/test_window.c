/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The traffic windows (lib/window.h), rule by rule of the probe's
 * specification (../shared/probe/PROBE.md, not needed at run time: the
 * worked values are written here), on hand-made packet sequences; the frame
 * parser on hand-made frames; exact mode against a plain double reference
 * written here; the text round trip against snprintf + report_parse.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "features.h"
#include "report.h"
#include "splitmix64.h"
#include "unit_address.h"
#include "unit_main.h"
#include "window.h"

#define MS 1000ull /* microseconds */
#define SECOND 1000000ull
#define T0 (1700000000ull * SECOND) /* a real epoch time, in microseconds */

static struct window_table *make_table(enum window_stats_mode mode, uint32_t max_flows,
				       uint32_t max_window_packets)
{
	struct window_config config = {
		.mode = mode,
		.max_flows = max_flows,
		.max_window_packets = max_window_packets,
	};
	struct window_table *table = window_table_create(&config, 42);

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	return table;
}

static struct window_packet packet_at(const char *src, const char *dst, uint32_t size,
				      uint64_t time_us)
{
	struct window_packet packet = {
		.src = address(src),
		.dst = address(dst),
		.udp_length = size,
		.time_ns = time_us * 1000,
	};
	return packet;
}

/* Accounts one packet; returns how many reports it wrote (0 or 1). */
static int send_packet(struct window_table *table, const char *src, const char *dst, uint32_t size,
		       uint64_t time_us, struct report *out)
{
	struct window_packet packet = packet_at(src, dst, size, time_us);

	return window_table_account(table, &packet, out);
}

static void format(const struct report *report, char *text)
{
	CU_ASSERT_TRUE(window_report_format(report, text, WINDOW_REPORT_TEXT_MAX) > 0);
}

static bool same_address(const struct ip_addr *a, const char *text)
{
	struct ip_addr b = address(text);

	return memcmp(a, &b, sizeof(b)) == 0;
}

/*
 * n packets A -> B, the first at T0 (the conversation's first: IAT 0),
 * then every spacing_us; a packet at T0 + 40 ms closes the window, whose
 * report is returned.
 */
static struct report window_of(enum window_stats_mode mode, unsigned int n, uint64_t spacing_us,
			       uint32_t size)
{
	struct window_table *table = make_table(mode, 16, 4096);
	struct report report;

	for (unsigned int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", size,
					    T0 + i * spacing_us, &report),
				0);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", size, T0 + 40 * MS, &report), 1);
	window_table_free(table);
	return report;
}

/* ---- PROBE.md section 7's worked values ---- */

static void test_worked_values(void)
{
	char text[WINDOW_REPORT_TEXT_MAX];
	struct report report;

	/* n = 2, IATs [0, 12500]: (6250^2 + 6250) / 2, 39068750 a float tie -> 39068752. */
	report = window_of(WINDOW_STATS_PROBE, 2, 12500, 100);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 2);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 6250);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], 19534376);
	format(&report, text);
	CU_ASSERT_STRING_EQUAL(text,
			       "[\"10.0.0.1\",0,\"10.0.0.2\",0,[2,92,0,6250,19534376],[0,0,0,0,0]]");

	/* n = 25, IATs [0, 1000 x 24]: the bug gives 38438.398 instead of 38400. */
	report = window_of(WINDOW_STATS_PROBE, 25, 1000, 100);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 960);
	format(&report, text);
	CU_ASSERT_STRING_EQUAL(text,
			       "[\"10.0.0.1\",0,\"10.0.0.2\",0,[25,92,0,960,38438.398],[0,0,0,0,0]]");

	/* n = 48, IATs [0, 600 x 47]: a multiple of 24, no scalar tail, right: 7343.75. */
	report = window_of(WINDOW_STATS_PROBE, 48, 600, 100);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], 7343.75);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], 600.0 * 600 * 47 / (48 * 48));
}

/* n = 1: the IAT variance is the IAT itself (fma(0, 0, mean) / 1). */
static void test_one_packet_window(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct report report;

	send_packet(table, "10.0.0.1", "10.0.0.2", 200, T0, &report);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 300, T0 + 40 * MS, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 1);
	CU_ASSERT_EQUAL(report.up[STAT_SIZE_MEAN], 192); /* 200 - 8 */
	CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], 0);
	/* The second window: one packet, IAT 40 ms from the first. */
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 300, T0 + 80 * MS, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 1);
	CU_ASSERT_EQUAL(report.up[STAT_SIZE_MEAN], 292);
	CU_ASSERT_EQUAL(report.up[STAT_SIZE_VAR], 0);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 40000);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], 40000);
	window_table_free(table);
}

/*
 * Section 7 transcribed on its own, for one direction's values: three
 * 8-lane accumulators over the first 24 * floor(n / 24), the horizontal
 * sum, the scalar tail (and the IAT tail's bug).
 */
static void reference_probe_stats(const uint32_t *sizes, const uint32_t *iats, unsigned int n,
				  float out[4])
{
	float accumulators[2][3][8] = {{{0}}}, tails[2] = {0, 0}, means[2], h[2], variances[2];
	const uint32_t *values[2] = {sizes, iats};
	unsigned int m = 24 * (n / 24);

	for (int v = 0; v < 2; v++) {
		int32_t sum = 0;
		float lanes[8];

		for (unsigned int i = 0; i < n; i++)
			sum += (int32_t)values[v][i];
		means[v] = (float)sum / (float)n;
		for (unsigned int i = 0; i < m; i++) {
			float d = (float)values[v][i] - means[v];
			float *a = &accumulators[v][(i % 24) / 8][i % 8];

			*a = fmaf(d, d, *a);
		}
		for (int l = 0; l < 8; l++)
			lanes[l] = accumulators[v][0][l] +
				   (accumulators[v][1][l] + accumulators[v][2][l]);
		h[v] = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) +
		       ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
	}
	for (unsigned int i = m; i < n; i++) {
		float d = (float)sizes[i] - means[0];

		tails[0] = fmaf(d, d, tails[0]);
	}
	if (n % 24 != 0) {
		float e = (float)iats[n - 1] - means[1];

		tails[1] = fmaf(e, e, means[1]);
	}
	for (int v = 0; v < 2; v++)
		variances[v] = (h[v] + tails[v]) / (float)n;
	out[0] = means[0] - 8.0f;
	out[1] = variances[0];
	out[2] = means[1];
	out[3] = variances[1];
}

/*
 * Random windows of n = 1..120 packets (23, 24, 25, 47, 48 among them),
 * sizes and spacings random, every statistic equal bit for bit to the
 * transcription above.
 */
static void test_float32_against_transcription(void)
{
	uint64_t state = 7;

	for (unsigned int n = 1; n <= 120; n++) {
		struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
		uint64_t previous = T0 + 1500 * MS, time = T0 + 5 * SECOND;
		uint32_t sizes[120], iats[120];
		struct report report;
		float expected[4];

		/* One packet 3.5 s before: the window's first IAT is taken modulo 1 s. */
		send_packet(table, "10.0.0.1", "10.0.0.2", 60, previous, &report);
		for (unsigned int i = 0; i < n; i++) {
			if (i > 0)
				time += 1 + splitmix64_next(&state) % (30000 / n);
			sizes[i] = 40 + (uint32_t)(splitmix64_next(&state) % 1460);
			iats[i] = (uint32_t)((time - previous) % SECOND);
			previous = time;
			CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", sizes[i], time,
						    &report),
					i == 0 ? 1 : 0);
		}
		CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 60,
					    T0 + 5 * SECOND + 33 * MS, &report),
				1);
		reference_probe_stats(sizes, iats, n, expected);
		CU_ASSERT_EQUAL(report.up[STAT_COUNT], n);
		CU_ASSERT_EQUAL(report.up[STAT_SIZE_MEAN], expected[0]);
		CU_ASSERT_EQUAL(report.up[STAT_SIZE_VAR], expected[1]);
		CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], expected[2]);
		CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], expected[3]);
		window_table_free(table);
	}
}

/* ---- Section 4: windows ---- */

static void test_boundary_33000(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct report report;

	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0, &report);
	/* +32.999 ms: still the first window. */
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.2", "10.0.0.1", 100, T0 + 32999, &report), 0);
	/* +33.000 ms exactly: closes it, and opens the next one at this packet. */
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 33000, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 1);
	CU_ASSERT_EQUAL(report.down[STAT_COUNT], 1);
	/* The next window is anchored on that packet: 33000 + 32999 does not close it. */
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 65999, &report), 0);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 66000, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 2);
	CU_ASSERT_EQUAL(report.down[STAT_COUNT], 0);
	/* A window stays open during silence: 5 s later, one report, not many. */
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 1066000, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 1);
	window_table_free(table);
}

static void test_short_conversation_no_report(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct report reports[4];
	struct window_counters counters;
	int written = 0;

	for (int i = 0; i < 30; i++)
		written += send_packet(table, i % 2 ? "10.0.0.2" : "10.0.0.1",
				       i % 2 ? "10.0.0.1" : "10.0.0.2", 100, T0 + i * MS, reports);
	CU_ASSERT_EQUAL(written, 0);
	/* Never closed by time, never sent at a sweep: the probe never sends its last window. */
	CU_ASSERT_EQUAL(window_table_expire(table, (T0 + 100 * SECOND) * 1000, reports, 4), 0);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.windows_closed, 0);
	CU_ASSERT_EQUAL(counters.packets, 30);
	window_table_free(table);
}

/* Up is the first packet's source, whichever side that is; ports play no part. */
static void test_direction_of_first_packet(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct report report;
	char text[WINDOW_REPORT_TEXT_MAX];

	/* The server speaks first: it is "up". */
	send_packet(table, "203.0.113.9", "192.168.1.2", 1200, T0, &report);
	send_packet(table, "192.168.1.2", "203.0.113.9", 80, T0 + 7 * MS, &report);
	send_packet(table, "203.0.113.9", "192.168.1.2", 1000, T0 + 10 * MS, &report);
	CU_ASSERT_EQUAL(send_packet(table, "192.168.1.2", "203.0.113.9", 80, T0 + 50 * MS, &report),
			1);
	CU_ASSERT_TRUE(same_address(&report.src, "203.0.113.9"));
	CU_ASSERT_TRUE(same_address(&report.dst, "192.168.1.2"));
	CU_ASSERT_EQUAL(report.src_port, 0);
	CU_ASSERT_EQUAL(report.dst_port, 0);
	format(&report, text);
	/*
	 * Up: 1200 and 1000 (mean 1100 - 8), IATs 0 and 10000.  Down: 80, its
	 * IAT from the conversation's first packet (both origins there): 7000.
	 */
	CU_ASSERT_STRING_EQUAL(text, "[\"203.0.113.9\",0,\"192.168.1.2\",0,"
				     "[2,1092,10000,5000,12502500],[1,72,0,7000,7000]]");
	/* The IAT origins stay across windows: down's next IAT is from 7 ms. */
	CU_ASSERT_EQUAL(send_packet(table, "192.168.1.2", "203.0.113.9", 80, T0 + 90 * MS, &report),
			1);
	CU_ASSERT_EQUAL(report.down[STAT_IAT_MEAN], 43000);
	window_table_free(table);
}

static void test_same_address_both_ends(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct report report;

	send_packet(table, "10.0.0.7", "10.0.0.7", 100, T0, &report);
	send_packet(table, "10.0.0.7", "10.0.0.7", 100, T0 + MS, &report);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.7", "10.0.0.7", 100, T0 + 40 * MS, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 2);
	CU_ASSERT_EQUAL(report.down[STAT_COUNT], 0);
	window_table_free(table);
}

/* ---- Section 5: IATs modulo one second, clocks going backwards ---- */

static void test_iat_modulo_one_second(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct report report;

	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0, &report);
	/* 1.25 s later: closes the first window; its own IAT is 250000. */
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 1250 * MS, &report);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 3000 * MS, &report),
			1);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 250000);
	/* 1.75 s after that (the one at 3 s): 750000; exactly 2 s: 0. */
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 4750 * MS, &report);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 750000);
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 6750 * MS, &report);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 1750000 % 1000000);
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 6800 * MS, &report);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 0);
	window_table_free(table);
}

static void test_clock_backwards(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct report report;

	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0, &report);
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 20 * MS, &report);
	/* 50 ms back: before the window's end, so appended, with IAT 950000. */
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 - 30 * MS, &report), 0);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 33 * MS, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 3);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], (float)(20000 + 950000) / 3.0f);
	/* The last time followed the clock back: the next IAT is from T0 - 30 ms. */
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 70 * MS, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 63000);
	window_table_free(table);
}

/* Nanosecond times are truncated to microseconds, as libpcap does (999 ns -> 0 us). */
static void test_nanoseconds_truncated(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct window_packet packet = packet_at("10.0.0.1", "10.0.0.2", 100, T0);
	struct report report;

	window_table_account(table, &packet, &report);
	packet.time_ns = (T0 + 32999) * 1000 + 999; /* 32.999999 ms: still 32999 us */
	CU_ASSERT_EQUAL(window_table_account(table, &packet, &report), 0);
	packet.time_ns = (T0 + 33000) * 1000;
	CU_ASSERT_EQUAL(window_table_account(table, &packet, &report), 1);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 32999 / 2.0f);
	window_table_free(table);
}

/* ---- Section 6: the purge ---- */

/*
 * Pair Z keeps the purge clock: its first packet purges (nothing to forget
 * live), the next purge is at its first packet 15 s or more later.  Pair A
 * sent one packet at a; at the purge (now), A is forgotten when its window
 * ended 2 s or more before now: a <= now - 2.033 s.  Then B answers A:
 * a closed window (report from A) if A was kept, a fresh conversation with
 * B as "up" and no report if it was forgotten.
 */
static void check_purge(uint64_t a_before_purge_us, bool forgotten)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct window_counters counters;
	uint64_t purge = T0 + 15 * SECOND;
	struct report report;

	send_packet(table, "10.9.9.1", "10.9.9.2", 100, T0, &report);
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, purge - a_before_purge_us, &report);
	/* Z at 14.999999 s: no purge yet; at 15 s: the purge. */
	send_packet(table, "10.9.9.1", "10.9.9.2", 100, purge - 1, &report);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.purges, 1);
	send_packet(table, "10.9.9.1", "10.9.9.2", 100, purge, &report);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.purges, 2);

	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.2", "10.0.0.1", 100, purge + 500 * MS, &report),
			forgotten ? 0 : 1);
	if (!forgotten)
		CU_ASSERT_TRUE(same_address(&report.src, "10.0.0.1"));
	/* Forgotten: B is "up" now, and its IAT origin is its own first packet. */
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, purge + 600 * MS, &report),
			1);
	CU_ASSERT_TRUE(same_address(&report.src, forgotten ? "10.0.0.2" : "10.0.0.1"));
	if (forgotten) {
		CU_ASSERT_EQUAL(report.up[STAT_COUNT], 1);
		CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 0);
	}
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.flows_purged, forgotten ? 1 : 0);
	CU_ASSERT_EQUAL(counters.windows_lost, forgotten ? 1 : 0);
	window_table_free(table);
}

static void test_purge_idle_2s_vs_2033ms(void)
{
	check_purge(2033 * MS, true); /* window ended exactly 2 s before: forgotten */
	check_purge(2033 * MS + 500, true);
	check_purge(2032 * MS, false); /* ended 1.999 s before */
	check_purge(2000 * MS, false); /* last packet 2 s before: never */
}

/* The purge instants: first packet, then >= 15 s after the previous one; active pairs stay. */
static void test_purge_cadence(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct window_counters counters;
	struct report report;
	int written = 0;

	/* One packet every 10 ms for 61 s: purges at 0, 15, 30, 45 and 60 s. */
	for (uint64_t t = 0; t <= 61 * SECOND; t += 10 * MS)
		written += send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + t, &report);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.purges, 5);
	CU_ASSERT_EQUAL(counters.flows_purged, 0);
	CU_ASSERT_EQUAL(written, (int)(61 * SECOND / (40 * MS))); /* every 4th packet closes */
	window_table_free(table);

	/* A capture starting near time 0 behaves as a real one: its first packet purges. */
	table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, 5, &report);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.purges, 1);
	window_table_free(table);
}

/* A sweep reclaims the places of forgotten pairs, silently, in probe mode. */
static void test_probe_sweep_reclaims(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct window_counters counters;
	struct report reports[8];

	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0, reports);
	send_packet(table, "10.0.0.3", "10.0.0.4", 100, T0 + 40 * MS, reports);
	send_packet(table, "10.0.0.5", "10.0.0.6", 100, T0 + 15 * SECOND, reports); /* purge */
	CU_ASSERT_EQUAL(window_table_expire(table, (T0 + 15 * SECOND) * 1000, reports, 8), 0);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.flows_active, 1);
	CU_ASSERT_EQUAL(counters.flows_purged, 2);
	CU_ASSERT_EQUAL(counters.windows_closed, 0);
	window_table_free(table);
}

/* ---- Bounds ---- */

/* A million conversations through 1000 places: evictions counted, no growth. */
static void test_max_flows_pressure(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 1000, 10000);
	size_t memory = window_table_memory(table);
	struct window_counters counters;
	struct report report;
	unsigned int written = 0;

	for (uint32_t i = 0; i < 1000000; i++) {
		uint8_t v4[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		struct window_packet packet = {.udp_length = 100, .time_ns = (T0 + i) * 1000};

		ip_from_v4(&packet.src, v4);
		v4[0] = 172;
		ip_from_v4(&packet.dst, v4);
		written += (unsigned int)window_table_account(table, &packet, &report);
		/* The newest pairs stay: the previous one answers and closes its window. */
		if (i > 0 && i % 1000 == 0) {
			v4[0] = 172, v4[1] = (uint8_t)((i - 1) >> 16), v4[2] = (uint8_t)((i - 1) >> 8),
			v4[3] = (uint8_t)(i - 1);
			ip_from_v4(&packet.src, v4);
			v4[0] = 10;
			ip_from_v4(&packet.dst, v4);
			packet.time_ns = (T0 + i + 40 * MS) * 1000;
			written += (unsigned int)window_table_account(table, &packet, &report);
		}
	}
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.flows_created, 1000000);
	CU_ASSERT_EQUAL(counters.flows_evicted, 1000000 - 1000);
	CU_ASSERT_EQUAL(counters.flows_active, 1000);
	CU_ASSERT_EQUAL(counters.windows_lost, 1000000 - 1000);
	CU_ASSERT_EQUAL(written, 999);
	CU_ASSERT_EQUAL(counters.windows_closed, 999);
	CU_ASSERT_EQUAL(window_table_memory(table), memory);
	window_table_free(table);
}

/* The value pool runs out: counted, means still the probe's, variances from the sums. */
static void test_value_pool_exhausted(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 20); /* 2 chunks */
	struct window_counters counters;
	struct report report;

	for (int i = 0; i < 30; i++)
		send_packet(table, "10.0.0.1", "10.0.0.2", 100 + i, T0 + i * MS, &report);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 40 * MS, &report), 1);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.packets_beyond_pool, 10);
	CU_ASSERT_EQUAL(counters.windows_inexact, 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], 30);
	CU_ASSERT_EQUAL(report.up[STAT_SIZE_MEAN], (float)(30 * 100 + 435) / 30.0f - 8.0f);
	CU_ASSERT_EQUAL(report.up[STAT_SIZE_VAR], (float)((30.0 * 30 - 1) / 12)); /* 0..29 */
	/* The chunks went back: the next window is exact again. */
	for (int i = 1; i < 5; i++)
		send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + (40 + i) * MS, &report);
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 80 * MS, &report);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.windows_inexact, 1);
	window_table_free(table);
}

static void test_create_refuses(void)
{
	struct window_config config = {.mode = WINDOW_STATS_PROBE, .max_flows = 0};

	errno = 0;
	CU_ASSERT_PTR_NULL(window_table_create(&config, 1));
	CU_ASSERT_EQUAL(errno, EINVAL);
	config.max_flows = WINDOW_MAX_FLOWS + 1;
	CU_ASSERT_PTR_NULL(window_table_create(&config, 1));
	config.max_flows = 10;
	config.mode = (enum window_stats_mode)7;
	CU_ASSERT_PTR_NULL(window_table_create(&config, 1));
	CU_ASSERT_PTR_NULL(window_table_create(NULL, 1));
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"section 7's worked values: n = 2, 25, 48", test_worked_values},
		{"n = 1: IAT variance is the IAT", test_one_packet_window},
		{"float32 bit for bit against a transcription, n = 1..120",
		 test_float32_against_transcription},
		{"window boundary: +33.000 ms closes, +32.999 does not", test_boundary_33000},
		{"a conversation under 33 ms sends nothing", test_short_conversation_no_report},
		{"up = first packet's source, IAT origins at the first packet",
		 test_direction_of_first_packet},
		{"same address at both ends: all up", test_same_address_both_ends},
		{"IATs modulo 1 s", test_iat_modulo_one_second},
		{"clock going backwards: appended, IAT mod 1 s", test_clock_backwards},
		{"nanoseconds truncated to microseconds", test_nanoseconds_truncated},
		{"purge: idle 2 s kept, 2.033 s forgotten", test_purge_idle_2s_vs_2033ms},
		{"purge cadence: first packet, then every 15 s", test_purge_cadence},
		{"probe sweep reclaims forgotten pairs silently", test_probe_sweep_reclaims},
		{"a million conversations through 1000 places", test_max_flows_pressure},
		{"value pool exhausted: counted, no crash", test_value_pool_exhausted},
		{"create refuses bad configurations", test_create_refuses},
	};

	return unit_run_suite("window", NULL, NULL, tests, UNIT_COUNT(tests));
}
