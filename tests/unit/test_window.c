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
	CU_ASSERT_STRING_EQUAL(
		text, "[\"10.0.0.1\",0,\"10.0.0.2\",0,[2,92,0,6250,19534376],[0,0,0,0,0]]");

	/* n = 25, IATs [0, 1000 x 24]: the bug gives 38438.398 instead of 38400. */
	report = window_of(WINDOW_STATS_PROBE, 25, 1000, 100);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], 960);
	format(&report, text);
	CU_ASSERT_STRING_EQUAL(
		text, "[\"10.0.0.1\",0,\"10.0.0.2\",0,[25,92,0,960,38438.398],[0,0,0,0,0]]");

	/* n = 48, IATs [0, 600 x 47]: a multiple of 24, no scalar tail, right: 7343.75. */
	report = window_of(WINDOW_STATS_PROBE, 48, 600, 100);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], 7343.75);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], 600.0 * 600 * 47 / (48 * 48));
}

/*
 * n = 23: below 24, the IAT variance is the bug's fl(fl((y[n-1] - mean)^2
 * + mean) / n); n = 24: a multiple of 24, no scalar tail, the true one.
 */
static void test_n_23_and_24(void)
{
	struct report report = window_of(WINDOW_STATS_PROBE, 23, 1000, 100);
	float mean = 22000.0f / 23.0f, last = 1000.0f - mean;

	CU_ASSERT_EQUAL(report.up[STAT_IAT_MEAN], mean);
	CU_ASSERT_EQUAL(report.up[STAT_IAT_VAR], fmaf(last, last, mean) / 23.0f);
	CU_ASSERT_TRUE(report.up[STAT_IAT_VAR] < 2000); /* the true variance is 41 588 */

	report = window_of(WINDOW_STATS_PROBE, 24, 1000, 100);
	/* True: 23 x 1000^2 / 24^2 = 39930.555..., here within float32 rounding of the sums. */
	CU_ASSERT_TRUE(fabs(report.up[STAT_IAT_VAR] - 23e6 / 576) < 0.01);
	CU_ASSERT_EQUAL(report.up[STAT_SIZE_VAR], 0);
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
			CU_ASSERT_EQUAL(
				send_packet(table, "10.0.0.1", "10.0.0.2", sizes[i], time, &report),
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

/* A window's addresses carry their family, so that --lan prefixes match as in report mode. */
static void test_report_families(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	struct report report;

	send_packet(table, "192.168.1.2", "203.0.113.9", 100, T0, &report);
	CU_ASSERT_EQUAL(
		send_packet(table, "192.168.1.2", "203.0.113.9", 100, T0 + 40 * MS, &report), 1);
	CU_ASSERT_EQUAL(report.src_family, IP_FAMILY_V4);
	CU_ASSERT_EQUAL(report.dst_family, IP_FAMILY_V4);
	send_packet(table, "2001:db8::1", "fd00::2", 100, T0, &report);
	CU_ASSERT_EQUAL(send_packet(table, "2001:db8::1", "fd00::2", 100, T0 + 40 * MS, &report),
			1);
	CU_ASSERT_EQUAL(report.src_family, IP_FAMILY_V6);
	CU_ASSERT_EQUAL(report.dst_family, IP_FAMILY_V6);
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
			v4[0] = 172, v4[1] = (uint8_t)((i - 1) >> 16),
			v4[2] = (uint8_t)((i - 1) >> 8), v4[3] = (uint8_t)(i - 1);
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

/* ---- The frame parser ---- */

struct frame_spec {
	int tags; /* 0, 1, 2 (QinQ) or 3 */
	bool ipv6;
	uint16_t fragment_field; /* IPv4 flags + offset; IPv6: a fragment header's offset field */
	bool ipv6_fragment_header;
	bool ipv6_hop_by_hop;
	uint8_t protocol;
	int ipv4_option_words;
	uint16_t udp_length; /* the field; the frame carries at most 64 payload bytes */
};

static size_t build_frame(uint8_t *frame, const struct frame_spec *spec)
{
	static const uint8_t v4_src[4] = {192, 0, 2, 1}, v4_dst[4] = {198, 51, 100, 7};
	struct ip_addr v6_src = address("2001:db8::1"), v6_dst = address("2001:db8:ffff::2");
	size_t at = 12, payload = spec->udp_length > 8 ? spec->udp_length - 8u : 0;
	uint8_t next = spec->protocol;

	if (payload > 64)
		payload = 64;
	memset(frame, 0xaa, 12);
	for (int t = 0; t < spec->tags; t++) {
		uint16_t tpid = t == 0 && spec->tags > 1 ? 0x88a8 : 0x8100;

		frame[at++] = (uint8_t)(tpid >> 8), frame[at++] = (uint8_t)tpid;
		frame[at++] = 0, frame[at++] = (uint8_t)(10 + t);
	}
	frame[at++] = spec->ipv6 ? 0x86 : 0x08;
	frame[at++] = spec->ipv6 ? 0xdd : 0x00;
	if (!spec->ipv6) {
		size_t header = 20 + 4 * (size_t)spec->ipv4_option_words;
		size_t total = header + 8 + payload;

		memset(frame + at, 0, header);
		frame[at] = (uint8_t)(0x40 | (header / 4));
		frame[at + 2] = (uint8_t)(total >> 8), frame[at + 3] = (uint8_t)total;
		frame[at + 6] = (uint8_t)(spec->fragment_field >> 8);
		frame[at + 7] = (uint8_t)spec->fragment_field;
		frame[at + 8] = 64;
		frame[at + 9] = spec->protocol;
		memcpy(frame + at + 12, v4_src, 4);
		memcpy(frame + at + 16, v4_dst, 4);
		at += header;
	} else {
		size_t extensions = 8 * (spec->ipv6_hop_by_hop + spec->ipv6_fragment_header);
		size_t length = extensions + 8 + payload;

		memset(frame + at, 0, 40);
		frame[at] = 0x60;
		frame[at + 4] = (uint8_t)(length >> 8), frame[at + 5] = (uint8_t)length;
		frame[at + 7] = 64;
		memcpy(frame + at + 8, v6_src.bytes, 16);
		memcpy(frame + at + 24, v6_dst.bytes, 16);
		if (spec->ipv6_fragment_header)
			next = 44;
		if (spec->ipv6_hop_by_hop)
			next = 0;
		frame[at + 6] = next;
		at += 40;
		if (spec->ipv6_hop_by_hop) {
			memset(frame + at, 0, 8);
			frame[at] = spec->ipv6_fragment_header ? 44 : spec->protocol;
			at += 8;
		}
		if (spec->ipv6_fragment_header) {
			memset(frame + at, 0, 8);
			frame[at] = spec->protocol;
			frame[at + 2] = (uint8_t)(spec->fragment_field >> 8);
			frame[at + 3] = (uint8_t)spec->fragment_field;
			at += 8;
		}
	}
	frame[at] = 0x9c, frame[at + 1] = 0x40; /* port 40000 */
	frame[at + 2] = 0x13, frame[at + 3] = 0x88;
	frame[at + 4] = (uint8_t)(spec->udp_length >> 8);
	frame[at + 5] = (uint8_t)spec->udp_length;
	frame[at + 6] = frame[at + 7] = 0;
	memset(frame + at + 8, 0x55, payload);
	return at + 8 + payload;
}

static enum drop_reason parse_spec(const struct frame_spec *spec, size_t cut,
				   struct window_packet *packet)
{
	uint8_t frame[256];
	size_t len = build_frame(frame, spec);

	return window_packet_from_frame(frame, cut != 0 && cut < len ? cut : len, len, 77777,
					packet);
}

static void test_frame_ipv4(void)
{
	struct frame_spec spec = {.protocol = 17, .udp_length = 60, .fragment_field = 0x4000};
	struct window_packet packet;

	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
	CU_ASSERT_TRUE(same_address(&packet.src, "192.0.2.1"));
	CU_ASSERT_TRUE(same_address(&packet.dst, "198.51.100.7"));
	CU_ASSERT_EQUAL(packet.udp_length, 60);
	CU_ASSERT_EQUAL(packet.time_ns, 77777);
	/* Options are skipped: the length is read after them. */
	spec.ipv4_option_words = 10;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(packet.udp_length, 60);
	spec.ipv4_option_words = 0;
	/* The UDP length field is the size, whatever the datagram carries. */
	spec.udp_length = 1000;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(packet.udp_length, 1000);
	spec.protocol = 6;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NOT_UDP);
}

static void test_frame_fragments(void)
{
	struct frame_spec spec = {.protocol = 17, .udp_length = 3008};
	struct window_packet packet;

	/* First fragment: MF set, offset 0: counts with the whole datagram's length. */
	spec.fragment_field = 0x2000;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(packet.udp_length, 3008);
	/* Later fragments (offset != 0), last or not: refused. */
	spec.fragment_field = 0x2000 | 185;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_TRAFFIC_LATER_FRAGMENT);
	spec.fragment_field = 370;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_TRAFFIC_LATER_FRAGMENT);
	/* The same rule for IPv6's fragment header. */
	spec = (struct frame_spec){
		.ipv6 = true, .ipv6_fragment_header = true, .protocol = 17, .udp_length = 3008};
	spec.fragment_field = 0x0001; /* M flag, offset 0 */
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(packet.udp_length, 3008);
	spec.fragment_field = 185 << 3;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_TRAFFIC_LATER_FRAGMENT);
}

static void test_frame_truncated(void)
{
	struct frame_spec spec = {.protocol = 17, .udp_length = 1472};
	struct window_packet packet;

	/* The probe's snap length of 82: headers only, still counted. */
	CU_ASSERT_EQUAL(parse_spec(&spec, 82, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(packet.udp_length, 1472);
	/* Cut right after the UDP header: counted; one byte into it: refused. */
	CU_ASSERT_EQUAL(parse_spec(&spec, 14 + 20 + 8, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(parse_spec(&spec, 14 + 20 + 7, &packet), DROP_TRAFFIC_TRUNCATED);
	CU_ASSERT_EQUAL(parse_spec(&spec, 14 + 19, &packet), DROP_TRAFFIC_TRUNCATED);
	CU_ASSERT_EQUAL(parse_spec(&spec, 13, &packet), DROP_FRAME_RUNT);
	spec.ipv6 = true;
	CU_ASSERT_EQUAL(parse_spec(&spec, 14 + 40 + 8, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(parse_spec(&spec, 14 + 39, &packet), DROP_TRAFFIC_TRUNCATED);
	spec.ipv6_hop_by_hop = true;
	CU_ASSERT_EQUAL(parse_spec(&spec, 14 + 40 + 8 + 8, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(parse_spec(&spec, 14 + 40 + 7, &packet), DROP_TRAFFIC_TRUNCATED);
}

static void test_frame_vlan_qinq(void)
{
	struct frame_spec spec = {.protocol = 17, .udp_length = 200};
	struct window_packet packet;

	for (spec.tags = 0; spec.tags <= 2; spec.tags++) {
		CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
		CU_ASSERT_EQUAL(packet.udp_length, 200);
		CU_ASSERT_TRUE(same_address(&packet.src, "192.0.2.1"));
	}
	spec.tags = 3;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_VLAN_NESTED);
	spec.tags = 2;
	spec.ipv6 = true;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
	CU_ASSERT_TRUE(same_address(&packet.dst, "2001:db8:ffff::2"));
}

static void test_frame_ipv6_and_others(void)
{
	struct frame_spec spec = {.ipv6 = true, .protocol = 17, .udp_length = 90};
	struct window_packet packet;
	uint8_t arp[60] = {0};

	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
	CU_ASSERT_TRUE(same_address(&packet.src, "2001:db8::1"));
	CU_ASSERT_EQUAL(packet.udp_length, 90);
	spec.ipv6_hop_by_hop = true;
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NONE);
	CU_ASSERT_EQUAL(packet.udp_length, 90);
	spec.protocol = 58; /* ICMPv6 */
	CU_ASSERT_EQUAL(parse_spec(&spec, 0, &packet), DROP_NOT_UDP);
	arp[12] = 0x08, arp[13] = 0x06;
	CU_ASSERT_EQUAL(window_packet_from_frame(arp, sizeof(arp), sizeof(arp), 0, &packet),
			DROP_NOT_IP);
}

/* IPv6 and VLAN-tagged conversations make windows as IPv4 ones do. */
static void test_ipv6_conversation(void)
{
	struct window_table *table = make_table(WINDOW_STATS_PROBE, 16, 4096);
	char text[WINDOW_REPORT_TEXT_MAX];
	struct report report;

	send_packet(table, "2001:db8::1", "2001:db8::2", 108, T0, &report);
	send_packet(table, "2001:db8::2", "2001:db8::1", 1208, T0 + 5 * MS, &report);
	CU_ASSERT_EQUAL(
		send_packet(table, "2001:db8::1", "2001:db8::2", 108, T0 + 33 * MS, &report), 1);
	format(&report, text);
	CU_ASSERT_STRING_EQUAL(text, "[\"2001:db8::1\",0,\"2001:db8::2\",0,"
				     "[1,100,0,0,0],[1,1200,0,5000,5000]]");
	window_table_free(table);
}

/* ---- Exact mode ---- */

/* A plain double reference: each window's values kept, mean then variance. */
struct reference_direction {
	double sizes[4096], iats[4096];
	unsigned int count;
	uint64_t last_time;
};

struct reference_flow {
	const char *up, *down;
	uint64_t end, last_seen;
	bool alive;
	struct reference_direction directions[2];
};

static void reference_stats(const struct reference_direction *d, double out[5])
{
	double size_mean = 0, iat_mean = 0, size_var = 0, iat_var = 0;

	memset(out, 0, 5 * sizeof(double));
	if (d->count == 0)
		return;
	for (unsigned int i = 0; i < d->count; i++)
		size_mean += d->sizes[i], iat_mean += d->iats[i];
	size_mean /= d->count, iat_mean /= d->count;
	for (unsigned int i = 0; i < d->count; i++) {
		size_var += (d->sizes[i] - size_mean) * (d->sizes[i] - size_mean);
		iat_var += (d->iats[i] - iat_mean) * (d->iats[i] - iat_mean);
	}
	out[STAT_COUNT] = d->count;
	out[STAT_SIZE_MEAN] = size_mean - 8;
	out[STAT_SIZE_VAR] = size_var / d->count;
	out[STAT_IAT_MEAN] = iat_mean;
	out[STAT_IAT_VAR] = iat_var / d->count;
}

static void reference_emit(struct reference_flow *flow, struct report *out)
{
	memset(out, 0, sizeof(*out));
	out->src = address(flow->up);
	out->dst = address(flow->down);
	reference_stats(&flow->directions[0], out->up);
	reference_stats(&flow->directions[1], out->down);
	flow->directions[0].count = flow->directions[1].count = 0;
}

static bool close_enough(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static void assert_same_window(const struct report *got, const struct report *expected)
{
	CU_ASSERT_EQUAL(memcmp(&got->src, &expected->src, sizeof(got->src)), 0);
	CU_ASSERT_EQUAL(memcmp(&got->dst, &expected->dst, sizeof(got->dst)), 0);
	for (int s = 0; s < STAT_COUNT_OF_STATS; s++) {
		CU_ASSERT_TRUE(close_enough(got->up[s], expected->up[s]));
		CU_ASSERT_TRUE(close_enough(got->down[s], expected->down[s]));
	}
}

/*
 * Random traffic of 6 conversations, gaps of up to 3 s (so some go idle),
 * every window of exact mode against the reference, in order, then the
 * flush at the end, least recently seen first.
 */
static void test_exact_against_double_reference(void)
{
	static const char *const ends[6][2] = {
		{"10.0.0.1", "10.0.0.2"}, {"10.0.0.3", "10.0.0.4"},	  {"10.0.0.5", "10.0.0.6"},
		{"10.0.0.7", "10.0.0.8"}, {"2001:db8::1", "2001:db8::2"}, {"10.0.0.9", "10.0.0.10"},
	};
	static struct reference_flow flows[6];
	struct window_table *table = make_table(WINDOW_STATS_EXACT, 16, 0);
	struct report got, expected, flushed[8];
	uint64_t state = 99, time = T0;
	unsigned int compared = 0, idle_ends = 0;

	memset(flows, 0, sizeof(flows));
	for (int i = 0; i < 20000; i++) {
		int c = (int)(splitmix64_next(&state) % 6),
		    side = (int)(splitmix64_next(&state) % 2);
		uint32_t size = 20 + (uint32_t)(splitmix64_next(&state) % 1480);
		struct reference_flow *flow = &flows[c];
		bool closes = false;
		int written;

		time += splitmix64_next(&state) % 100 == 0 ? splitmix64_next(&state) % (3 * SECOND)
							   : splitmix64_next(&state) % (4 * MS);
		if (flow->alive && flow->last_seen + 2 * SECOND <= time) {
			reference_emit(flow, &expected);
			flow->alive = false, closes = true, idle_ends++;
		}
		if (!flow->alive) {
			flow->alive = true;
			flow->up = ends[c][side], flow->down = ends[c][!side];
			flow->end = time + 33 * MS;
			flow->directions[0].last_time = flow->directions[1].last_time = time;
		} else if (time >= flow->end) {
			reference_emit(flow, &expected);
			closes = true;
			flow->end = time + 33 * MS;
		}
		{
			struct reference_direction *d =
				&flow->directions[strcmp(ends[c][side], flow->up) == 0 ? 0 : 1];

			d->sizes[d->count] = size;
			d->iats[d->count++] = (double)(time - d->last_time);
			d->last_time = time;
			flow->last_seen = time;
		}
		written = send_packet(table, ends[c][side], ends[c][!side], size, time, &got);
		CU_ASSERT_EQUAL_FATAL(written, closes ? 1 : 0);
		if (written == 1) {
			assert_same_window(&got, &expected);
			compared++;
		}
	}
	/* The flush: every pending window, the least recently seen first. */
	for (;;) {
		unsigned int count = window_table_expire(table, UINT64_MAX, flushed, 8);
		int oldest;

		if (count == 0)
			break;
		for (unsigned int r = 0; r < count; r++) {
			oldest = -1;
			for (int c = 0; c < 6; c++)
				if (flows[c].alive &&
				    (oldest < 0 || flows[c].last_seen < flows[oldest].last_seen))
					oldest = c;
			CU_ASSERT_FATAL(oldest >= 0);
			reference_emit(&flows[oldest], &expected);
			flows[oldest].alive = false;
			assert_same_window(&flushed[r], &expected);
			compared++;
		}
	}
	for (int c = 0; c < 6; c++)
		CU_ASSERT_FALSE(flows[c].alive);
	CU_ASSERT_TRUE(idle_ends > 10);
	CU_ASSERT_TRUE(compared > 1000);
	window_table_free(table);
}

/* Exact mode keeps the seconds of an IAT and never loses the last window. */
static void test_exact_idle_and_seconds(void)
{
	struct window_table *table = make_table(WINDOW_STATS_EXACT, 2, 0);
	struct window_counters counters;
	struct report reports[4];

	send_packet(table, "10.0.0.1", "10.0.0.2", 108, T0, reports);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.1", "10.0.0.2", 108, T0 + 1250 * MS, reports),
			1);
	send_packet(table, "10.0.0.1", "10.0.0.2", 208, T0 + 1260 * MS, reports);
	/* Idle 1.999 s: nothing; 2 s: the pending window, IATs 1.25 s and 10 ms. */
	CU_ASSERT_EQUAL(window_table_expire(table, (T0 + 3259 * MS) * 1000, reports, 4), 0);
	CU_ASSERT_EQUAL(window_table_expire(table, (T0 + 3260 * MS) * 1000, reports, 4), 1);
	CU_ASSERT_EQUAL(reports[0].up[STAT_COUNT], 2);
	CU_ASSERT_EQUAL(reports[0].up[STAT_SIZE_MEAN], 150);
	CU_ASSERT_EQUAL(reports[0].up[STAT_SIZE_VAR], 2500);
	CU_ASSERT_EQUAL(reports[0].up[STAT_IAT_MEAN], 630000);
	CU_ASSERT_EQUAL(reports[0].up[STAT_IAT_VAR], 620000.0 * 620000.0);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.flows_purged, 1);
	CU_ASSERT_EQUAL(counters.windows_idle, 1);
	CU_ASSERT_EQUAL(counters.flows_active, 0);

	/* A full table (2): a third conversation evicts the least recently seen, emitting it. */
	send_packet(table, "10.0.0.1", "10.0.0.2", 100, T0 + 10 * SECOND, reports);
	send_packet(table, "10.0.0.3", "10.0.0.4", 100, T0 + 10 * SECOND + 1, reports);
	CU_ASSERT_EQUAL(
		send_packet(table, "10.0.0.5", "10.0.0.6", 100, T0 + 10 * SECOND + 2, reports), 1);
	CU_ASSERT_TRUE(same_address(&reports[0].src, "10.0.0.1"));
	CU_ASSERT_EQUAL(reports[0].up[STAT_COUNT], 1);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.flows_evicted, 1);
	/* A clock going backwards gives an IAT of 0, not a huge one. */
	send_packet(table, "10.0.0.5", "10.0.0.6", 100, T0 + 10 * SECOND - 5 * MS, reports);
	CU_ASSERT_EQUAL(send_packet(table, "10.0.0.5", "10.0.0.6", 100, T0 + 11 * SECOND, reports),
			1);
	CU_ASSERT_EQUAL(reports[0].up[STAT_COUNT], 2);
	CU_ASSERT_EQUAL(reports[0].up[STAT_IAT_MEAN], 0);
	window_table_free(table);
}

/* 2^24 packets in one direction of one window (a clock standing still): split, counted. */
static void test_window_split_at_bound(void)
{
	struct window_table *table = make_table(WINDOW_STATS_EXACT, 2, 0);
	struct window_packet packet = packet_at("10.0.0.1", "10.0.0.2", 100, T0);
	struct window_counters counters;
	struct report report;
	int written = 0;

	for (uint32_t i = 0; i <= WINDOW_DIRECTION_PACKETS_MAX; i++)
		written += window_table_account(table, &packet, &report);
	CU_ASSERT_EQUAL(written, 1);
	CU_ASSERT_EQUAL(report.up[STAT_COUNT], WINDOW_DIRECTION_PACKETS_MAX);
	CU_ASSERT_EQUAL(report.up[STAT_SIZE_MEAN], 92);
	CU_ASSERT_EQUAL(report.up[STAT_SIZE_VAR], 0);
	window_table_get_counters(table, &counters);
	CU_ASSERT_EQUAL(counters.windows_split, 1);
	window_table_free(table);
}

/*
 * The burst path gives what one packet at a time gives, report for report,
 * in both modes, on random traffic over a table small enough to evict.
 */
static void test_burst_same_as_single(void)
{
	for (int mode = WINDOW_STATS_PROBE; mode <= WINDOW_STATS_EXACT; mode++) {
		struct window_table *one = make_table((enum window_stats_mode)mode, 64, 2000);
		struct window_table *burst = make_table((enum window_stats_mode)mode, 64, 2000);
		static struct window_packet packets[100 * 37];
		static struct report single_reports[100 * 37], burst_reports[100 * 37];
		struct window_counters a, b;
		unsigned int single_count = 0, burst_count = 0;
		uint64_t state = 5, time = T0;

		for (unsigned int i = 0; i < 100 * 37; i++) {
			uint64_t r = splitmix64_next(&state);
			uint8_t v4[4] = {10, 0, 0, (uint8_t)(r % 80)};

			ip_from_v4(&packets[i].src, v4);
			v4[3] = (uint8_t)(100 + (r >> 8) % 2);
			ip_from_v4(&packets[i].dst, v4);
			packets[i].udp_length = 8 + (uint32_t)((r >> 16) % 1500);
			time += r >> 60 == 0 ? (r >> 20) % (3 * SECOND) : (r >> 20) % (2 * MS);
			packets[i].time_ns = time * 1000;
		}
		for (unsigned int i = 0; i < 100 * 37; i++)
			single_count += (unsigned int)window_table_account(
				one, &packets[i], &single_reports[single_count]);
		for (unsigned int i = 0; i < 100 * 37; i += 37)
			burst_count += window_table_account_burst(burst, &packets[i], 37,
								  &burst_reports[burst_count]);
		CU_ASSERT_EQUAL(single_count, burst_count);
		CU_ASSERT_TRUE(single_count > 100);
		CU_ASSERT_EQUAL(memcmp(single_reports, burst_reports,
				       single_count * sizeof(single_reports[0])),
				0);
		window_table_get_counters(one, &a);
		window_table_get_counters(burst, &b);
		CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
		CU_ASSERT_TRUE(a.flows_evicted > 0);
		window_table_free(one);
		window_table_free(burst);
	}
}

/* ---- Text ---- */

static void test_format(void)
{
	struct report report = {.src = address("192.0.2.33"), .dst = address("198.51.100.20")};
	char text[WINDOW_REPORT_TEXT_MAX];

	report.up[STAT_COUNT] = 37;
	report.up[STAT_SIZE_MEAN] = 1234.5677f;
	report.up[STAT_SIZE_VAR] = 98765.43f;
	report.up[STAT_IAT_MEAN] = 876.54321f;
	report.up[STAT_IAT_VAR] = 3.0517578e10f;
	format(&report, text);
	CU_ASSERT_STRING_EQUAL(text,
			       "[\"192.0.2.33\",0,\"198.51.100.20\",0,"
			       "[37,1234.5677,98765.43,876.54321,3.0517578e+10],[0,0,0,0,0]]");
	CU_ASSERT_EQUAL(window_report_format(&report, text, 20), -ENOSPC);

	/* The longest text there can be fits WINDOW_REPORT_TEXT_MAX. */
	report.src = address("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	report.dst = report.src;
	report.src_port = report.dst_port = 65535;
	for (int s = 0; s < STAT_COUNT_OF_STATS; s++)
		report.up[s] = report.down[s] = -1.2345678e+300;
	report.up[STAT_COUNT] = report.down[STAT_COUNT] = 1.8e19;
	CU_ASSERT_TRUE(window_report_format(&report, text, WINDOW_REPORT_TEXT_MAX) > 256);
}

/* The %.8g text of value, parsed as report mode parses it. */
static double parsed_back(double value)
{
	char text[64];

	snprintf(text, sizeof(text), "%.8g", value);
	return strtod(text, NULL);
}

static float random_float(uint64_t *state)
{
	uint64_t pick = splitmix64_next(state);
	uint32_t bits;
	float value;

	switch (pick % 4) {
	case 0: /* any positive finite float */
		bits = (uint32_t)(splitmix64_next(state) % 0x7f800000u);
		memcpy(&value, &bits, sizeof(value));
		return value;
	case 1: /* sizes and means */
		return (float)(splitmix64_unit(state) * 1500);
	case 2: /* variances */
		return (float)(splitmix64_unit(state) * 1e12);
	default: /* near powers of two and ten, where 8 digits are tightest */
		return nextafterf((float)ldexp(1.0, (int)(pick >> 8) % 40),
				  (pick >> 16) & 1 ? 0.0f : INFINITY) *
		       ((pick >> 20) & 1 ? 1.0f : 1.0009765625f);
	}
}

/* window_round_trip_8g equals snprintf + strtod on a million random floats and doubles. */
static void test_round_trip_random(void)
{
	uint64_t state = 2026;
	unsigned int mismatches = 0, unchanged = 0;

	for (int i = 0; i < 1000000; i++) {
		double value = random_float(&state);
		double expected = parsed_back(value), got = window_round_trip_8g(value);

		mismatches += memcmp(&expected, &got, sizeof(got)) != 0;
		unchanged += (float)expected == (float)value;
		/* Exact mode's values are doubles. */
		value = splitmix64_unit(&state) *
			pow(10, (double)(splitmix64_next(&state) % 30) - 10);
		expected = parsed_back(value), got = window_round_trip_8g(value);
		mismatches += memcmp(&expected, &got, sizeof(got)) != 0;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	printf("\n      random floats whose %%.8g text reads back as another float: %u of 1000000 ",
	       1000000 - unchanged);
	CU_ASSERT_TRUE(unchanged < 1000000); /* else the conversion would not be needed */
	CU_ASSERT_EQUAL(window_round_trip_8g(0.0), 0.0);
	CU_ASSERT_EQUAL(window_round_trip_8g(1023.9999f), parsed_back(1023.9999f));
}

/* Exact ties (ties to even), near-ties and decade edges: where the fast path hands over. */
static void test_round_trip_ties(void)
{
	static const double edges[] = {
		12345678.5,
		12345679.5,
		999999995.0,
		99999999.5,
		9999999.95,
		0.000123456785,
		1e-15,
		9.9999999e-16,
		1e22,
		9.99999995e21,
		1023.99995,
		1024.00005,
		-12345678.5,
		1.5,
		2.5e-5,
		5e-324,
		1.7976931348623157e308,
	};
	uint64_t state = 3;
	unsigned int mismatches = 0;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		double expected = parsed_back(edges[i]), got = window_round_trip_8g(edges[i]);

		CU_ASSERT_EQUAL(memcmp(&expected, &got, sizeof(got)), 0);
	}
	for (int i = 0; i < 200000; i++) {
		double digits = (double)(10000000 + splitmix64_next(&state) % 90000000) + 0.5;
		int shift = (int)(splitmix64_next(&state) % 13) - 6;
		double value = shift >= 0 ? digits * pow(10, shift) : digits / pow(10, -shift);
		double expected = parsed_back(value), got = window_round_trip_8g(value);

		mismatches += memcmp(&expected, &got, sizeof(got)) != 0;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
}

/*
 * Random float32 windows: features built after window_report_as_text_values
 * are report mode's (text, report_parse, features_build) bit for bit; built
 * from the floats directly they are not always.
 */
static void test_features_parity_random(void)
{
	static const struct prefix_list no_lan;
	uint64_t state = 11;
	unsigned int converted_differ = 0, direct_differ = 0;

	for (int i = 0; i < 200000; i++) {
		struct report window = {.src = address("192.168.1.2"),
					.dst = address("203.0.113.1")};
		struct report parsed, converted;
		struct features from_text, from_conversion, direct;
		struct ip_pair pair;
		char text[WINDOW_REPORT_TEXT_MAX];
		int length;

		for (int s = 0; s < STAT_COUNT_OF_STATS; s++) {
			window.up[s] = random_float(&state);
			window.down[s] = random_float(&state);
		}
		window.up[STAT_COUNT] = (double)(1 + splitmix64_next(&state) % 300);
		window.down[STAT_COUNT] = (double)(splitmix64_next(&state) % 300);
		length = window_report_format(&window, text, sizeof(text));
		CU_ASSERT_FATAL(length > 0);
		CU_ASSERT_EQUAL_FATAL(report_parse(text, (size_t)length, &parsed), DROP_NONE);
		converted = window;
		window_report_as_text_values(&converted);
		features_build(&parsed, &no_lan, &pair, &from_text);
		features_build(&converted, &no_lan, &pair, &from_conversion);
		features_build(&window, &no_lan, &pair, &direct);
		converted_differ += memcmp(&from_text, &from_conversion, sizeof(from_text)) != 0;
		direct_differ += memcmp(&from_text, &direct, sizeof(direct)) != 0;
	}
	printf("\n      random windows, features differing from report mode's: "
	       "converted %u, float values directly %u of 200000 ",
	       converted_differ, direct_differ);
	CU_ASSERT_EQUAL(converted_differ, 0);
	CU_ASSERT_TRUE(direct_differ > 0);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"section 7's worked values: n = 2, 25, 48", test_worked_values},
		{"n = 1: IAT variance is the IAT", test_one_packet_window},
		{"a window's addresses carry their family", test_report_families},
		{"n = 23: the bug's variance; n = 24: the true one", test_n_23_and_24},
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
		{"frame: IPv4 UDP, options, the length field as size", test_frame_ipv4},
		{"frame: first fragment counts, later ones refused", test_frame_fragments},
		{"frame: cut after the UDP header counts (snap 82)", test_frame_truncated},
		{"frame: 802.1Q and QinQ tracked, 3 tags refused", test_frame_vlan_qinq},
		{"frame: IPv6 UDP tracked; not UDP, not IP refused", test_frame_ipv6_and_others},
		{"IPv6 conversation makes windows", test_ipv6_conversation},
		{"exact mode against a double reference", test_exact_against_double_reference},
		{"exact mode: seconds kept, idle end, eviction emits", test_exact_idle_and_seconds},
		{"2^24 packets in one direction: window split", test_window_split_at_bound},
		{"bursts give what single packets give", test_burst_same_as_single},
		{"the probe's text, %.8g and exponent form", test_format},
		{"round trip of %.8g equals snprintf + strtod", test_round_trip_random},
		{"round trip at ties, near-ties and decade edges", test_round_trip_ties},
		{"features parity with report mode, random windows", test_features_parity_random},
	};

	return unit_run_suite("window", NULL, NULL, tests, UNIT_COUNT(tests));
}
