/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of the traffic windows per packet (lib/window.h), with 1 000 and
 * 1 000 000 cloud gaming conversations in one table: video down (about
 * 2 000 packets/s of 1 200-1 400 bytes) and a small upstream (about 200/s
 * of 60-150 bytes) per conversation, the conversations interleaved at
 * random, so that each window holds some 66 packets down and 7 up.  A
 * table is filled first (every conversation through one window or more),
 * then timed.  Also: the bytes a conversation holds, and what it costs to
 * give the classifier report mode's values (window_report_as_text_values)
 * against printing the text and parsing it back.
 *
 * Usage: bench_window [RUNS [MAX_CONVERSATIONS]].  Prints figures, asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "report.h"
#include "splitmix64.h"
#include "window.h"

#define DEFAULT_RUNS 5u
/* Packet times: this origin plus a clock in double ns from 0 (exact to far below 1 ns). */
#define CLOCK_ORIGIN_NS 1700000000000000000ull
#define BURST 32u
/*
 * Packets replayed in a loop: a few per conversation, so that the order is
 * random, and no more than needed, so that the buffer does not crowd the
 * table out of the caches (1 000 conversations: 64 k packets, 3 MB).
 */
#define REPLAY_PACKETS_MIN (1u << 16)
#define REPLAY_PACKETS_MAX (1u << 21)
#define TIMED_PACKETS (8u << 20)
#define DOWN_RATE 2000.0 /* packets per second and conversation */
#define UP_RATE 200.0
/* Values in flight: one window of each direction and two chunks' rounding. */
#define POOL_VALUES_PER_CONVERSATION 96u

static void conversation_addresses(uint32_t id, struct ip_addr *client, struct ip_addr *server)
{
	uint8_t v4[4] = {10, (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id};

	ip_from_v4(client, v4);
	v4[0] = 100, v4[1] ^= 0x5a;
	ip_from_v4(server, v4);
}

/* A replay buffer of packets of random conversations; times are set when sent. */
static struct window_packet *make_packets(uint32_t conversations, uint32_t count, uint64_t *state)
{
	struct window_packet *packets = malloc(count * sizeof(*packets));

	if (packets == NULL)
		return NULL;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t r = splitmix64_next(state);
		uint32_t id = (uint32_t)(r % conversations);
		bool up = (r >> 32) % 11 == 0; /* 200 up for 2 000 down */
		struct ip_addr client, server;

		conversation_addresses(id, &client, &server);
		packets[i].src = up ? client : server;
		packets[i].dst = up ? server : client;
		packets[i].udp_length =
			up ? 68 + (uint32_t)((r >> 40) % 90) : 1208 + (uint32_t)((r >> 40) % 200);
	}
	return packets;
}

/*
 * Sends count packets from the replay buffer, the clock going on from
 * *time, one by one or in bursts of BURST as an RX lcore would.
 */
static uint64_t send_packets(struct window_table *table, const struct window_packet *packets,
			     uint32_t replay, uint64_t count, double step_ns, double *time,
			     bool burst)
{
	struct window_packet batch[BURST];
	struct report reports[BURST];
	uint64_t windows = 0;

	for (uint64_t i = 0; i < count; i += BURST) {
		/* Copies, as an RX lcore parses frames into them: the buffer is only read. */
		for (unsigned int b = 0; b < BURST; b++) {
			batch[b] = packets[(i + b) % replay];
			batch[b].time_ns = CLOCK_ORIGIN_NS + (uint64_t)*time;
			*time += step_ns;
		}
		if (burst) {
			windows += window_table_account_burst(table, batch, BURST, reports);
		} else {
			for (unsigned int b = 0; b < BURST; b++)
				windows += (uint64_t)window_table_account(table, &batch[b],
									  &reports[0]);
		}
	}
	return windows;
}

static int bench_conversations(uint32_t conversations, unsigned int runs, uint64_t *state)
{
	struct window_config config = {
		.mode = WINDOW_STATS_PROBE,
		.max_flows = conversations,
		.max_window_packets = POOL_VALUES_PER_CONVERSATION * conversations,
	};
	/* The clock: all conversations together send (DOWN + UP) x conversations per second. */
	double step_ns = 1e9 / ((DOWN_RATE + UP_RATE) * conversations);
	double time = 0, *single = calloc(runs, sizeof(double));
	double *burst = calloc(runs, sizeof(double));
	uint32_t replay = conversations * 8u < REPLAY_PACKETS_MIN   ? REPLAY_PACKETS_MIN
			  : conversations * 8u > REPLAY_PACKETS_MAX ? REPLAY_PACKETS_MAX
								    : conversations * 8u;
	struct window_packet *packets = make_packets(conversations, replay, state);
	struct window_table *table = window_table_create(&config, 42);
	struct window_counters counters;
	uint64_t windows = 0, fill;
	struct figures f_single, f_burst;

	if (table == NULL || packets == NULL || single == NULL || burst == NULL) {
		fprintf(stderr, "bench_window: out of memory for %u conversations\n",
			conversations);
		return 1;
	}
	/*
	 * Each conversation opens with one packet at its own phase in the
	 * first 33 ms, so that their windows do not all close together; then
	 * 36 ms of traffic bring the table, the pool and the windows to their
	 * steady state before timing.
	 */
	for (uint32_t id = 0; id < conversations; id++) {
		struct window_packet opening = {.udp_length = 100};
		struct report report;

		conversation_addresses(id, &opening.src, &opening.dst);
		opening.time_ns = CLOCK_ORIGIN_NS + (uint64_t)(time + 33e6 * id / conversations);
		window_table_account(table, &opening, &report);
	}
	time += 33e6;
	fill = (uint64_t)((DOWN_RATE + UP_RATE) * conversations * 0.036);
	send_packets(table, packets, replay, fill, step_ns, &time, true);
	for (unsigned int run = 0; run < runs; run++) {
		double start = now_ns();

		windows +=
			send_packets(table, packets, replay, TIMED_PACKETS, step_ns, &time, false);
		single[run] = (now_ns() - start) / TIMED_PACKETS;
		start = now_ns();
		windows +=
			send_packets(table, packets, replay, TIMED_PACKETS, step_ns, &time, true);
		burst[run] = (now_ns() - start) / TIMED_PACKETS;
	}
	f_single = summarize(single, runs);
	f_burst = summarize(burst, runs);
	window_table_get_counters(table, &counters);
	printf("%8u conversations, one by one:    min %6.1f  median %6.1f  max %6.1f ns/packet\n",
	       conversations, f_single.min, f_single.median, f_single.max);
	printf("%8u conversations, bursts of %u: min %6.1f  median %6.1f  max %6.1f ns/packet\n",
	       conversations, BURST, f_burst.min, f_burst.median, f_burst.max);
	printf("         timed: %.1f packets per window closed, %.0f bytes/conversation, "
	       "inexact windows %llu\n",
	       (double)TIMED_PACKETS * 2 * runs / (double)(windows ? windows : 1),
	       (double)window_table_memory(table) / conversations,
	       (unsigned long long)counters.windows_inexact);
	window_table_free(table);
	free(packets);
	free(single);
	free(burst);
	return 0;
}

/* Report mode's values two ways, on windows of realistic float values. */
static void bench_text_values(unsigned int runs, uint64_t *state)
{
	enum { WINDOWS = 1 << 16 };
	static struct report windows[WINDOWS];
	double *convert = calloc(runs, sizeof(double)), *text = calloc(runs, sizeof(double));
	volatile double sink = 0;
	struct figures fc, ft;

	if (convert == NULL || text == NULL)
		return;
	for (int w = 0; w < WINDOWS; w++) {
		conversation_addresses((uint32_t)w, &windows[w].src, &windows[w].dst);
		for (int side = 0; side < 2; side++) {
			double *stats = side ? windows[w].down : windows[w].up;

			stats[STAT_COUNT] = (double)(1 + splitmix64_next(state) % 80);
			stats[STAT_SIZE_MEAN] = (float)(60 + splitmix64_unit(state) * 1340);
			stats[STAT_SIZE_VAR] = (float)(splitmix64_unit(state) * 2e5);
			stats[STAT_IAT_MEAN] = (float)(splitmix64_unit(state) * 30000);
			stats[STAT_IAT_VAR] = (float)(splitmix64_unit(state) * 1e9);
		}
	}
	for (unsigned int run = 0; run < runs; run++) {
		double start = now_ns();

		for (int w = 0; w < WINDOWS; w++) {
			struct report copy = windows[w];

			window_report_as_text_values(&copy);
			sink += copy.up[STAT_IAT_VAR];
		}
		convert[run] = (now_ns() - start) / WINDOWS;
		start = now_ns();
		for (int w = 0; w < WINDOWS; w++) {
			char buf[WINDOW_REPORT_TEXT_MAX];
			struct report parsed;
			int length = window_report_format(&windows[w], buf, sizeof(buf));

			if (length > 0 && report_parse(buf, (size_t)length, &parsed) == DROP_NONE)
				sink += parsed.up[STAT_IAT_VAR];
		}
		text[run] = (now_ns() - start) / WINDOWS;
	}
	fc = summarize(convert, runs);
	ft = summarize(text, runs);
	printf("report mode's values, window_report_as_text_values: min %6.1f  median %6.1f  "
	       "max %6.1f ns/window\n",
	       fc.min, fc.median, fc.max);
	printf("report mode's values, format + report_parse:        min %6.1f  median %6.1f  "
	       "max %6.1f ns/window\n",
	       ft.min, ft.median, ft.max);
	free(convert);
	free(text);
}

int main(int argc, char **argv)
{
	unsigned int runs = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : DEFAULT_RUNS;
	uint32_t largest = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1000000u;
	struct window_config exact = {.mode = WINDOW_STATS_EXACT, .max_flows = 1000000};
	struct window_table *table;
	uint64_t state = 2026;

	if (runs == 0 || largest == 0) {
		fprintf(stderr, "usage: %s [RUNS [MAX_CONVERSATIONS]]\n", argv[0]);
		return 1;
	}
	printf("window update, probe mode, cloud gaming conversations (%.0f down + %.0f up "
	       "packets/s each), %u runs of %u packets\n",
	       DOWN_RATE, UP_RATE, runs, TIMED_PACKETS);
	if (bench_conversations(1000, runs, &state) != 0 ||
	    (largest > 1000 && bench_conversations(largest, runs, &state) != 0))
		return 1;
	table = window_table_create(&exact, 1);
	if (table != NULL) {
		printf("exact mode (no value pool): %.0f bytes/conversation\n",
		       (double)window_table_memory(table) / exact.max_flows);
		window_table_free(table);
	}
	bench_text_values(runs, &state);
	return 0;
}
