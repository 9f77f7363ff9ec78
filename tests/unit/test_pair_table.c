/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/pair_table.c: the unordered key, counts, verdicts over
 * the sliding window, events, expiry, LRU eviction, a comparison against a
 * plain reference model under random churn, bounded memory with 2 M pairs
 * through a 100 k table, and probe lengths with near-identical addresses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <CUnit/Basic.h>

#include "pair_table.h"
#include "resident_memory.h"
#include "unit_main.h"

#define EVENT_LOG_MAX 64
#define SEED UINT64_C(0x0123456789abcdef)

struct logged_event {
	enum pair_event_kind kind;
	struct pair_stats stats;
	enum pair_verdict previous;
	uint64_t now_ns;
};

struct event_log {
	unsigned int count;
	struct logged_event events[EVENT_LOG_MAX];
};

static void log_event(enum pair_event_kind kind, const struct pair_stats *stats,
		      enum pair_verdict previous, uint64_t now_ns, void *ctx)
{
	struct event_log *log = ctx;

	if (log->count < EVENT_LOG_MAX)
		log->events[log->count] = (struct logged_event){kind, *stats, previous, now_ns};
	log->count++;
}

/* 10.0.x.y <-> 172.16.x.y for number n: distinct pairs, distinct addresses. */
static struct ip_pair make_pair(uint32_t n)
{
	struct ip_pair pair;
	uint8_t client[4] = {10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
	uint8_t server[4] = {172, (uint8_t)(16 + (n >> 16)), (uint8_t)(n >> 8), (uint8_t)n};

	ip_from_v4(&pair.ip1, client);
	ip_from_v4(&pair.ip2, server);
	return pair;
}

static struct ip_pair swapped(const struct ip_pair *pair)
{
	return (struct ip_pair){pair->ip2, pair->ip1};
}

static struct pair_table_config config_of(uint32_t max_pairs, unsigned int window,
					  unsigned int min_reports, double threshold)
{
	return (struct pair_table_config){
		.max_pairs = max_pairs,
		.pair_timeout_ns = 0,
		.verdict_window = window,
		.verdict_min_reports = min_reports,
		.verdict_threshold = threshold,
	};
}

static void update(struct pair_table *table, const struct ip_pair *pair, bool is_cg, uint64_t now)
{
	pair_table_update(table, pair, ip_pair_hash(pair, SEED), is_cg, now, now);
}

static int lookup(const struct pair_table *table, const struct ip_pair *pair,
		  struct pair_stats *out)
{
	return pair_table_lookup(table, pair, ip_pair_hash(pair, SEED), out);
}

static uint64_t counter(const struct pair_table *table, size_t offset)
{
	struct pair_table_counters counters;

	pair_table_get_counters(table, &counters);
	return *(const uint64_t *)((const char *)&counters + offset);
}

#define COUNTER(table, name) counter(table, offsetof(struct pair_table_counters, name))

/* Field by field: the struct has padding. */
static bool same_stats(const struct pair_stats *a, const struct pair_stats *b)
{
	return memcmp(&a->pair, &b->pair, sizeof(a->pair)) == 0 && a->hash == b->hash &&
	       a->cg == b->cg && a->ncg == b->ncg && a->first_seen_ns == b->first_seen_ns &&
	       a->last_seen_ns == b->last_seen_ns && a->updated_ns == b->updated_ns &&
	       a->window_reports == b->window_reports && a->window_cg == b->window_cg &&
	       a->verdict == b->verdict;
}

static void test_refuses_bad_config(void)
{
	const struct pair_table_config bad[] = {
		config_of(0, 10, 1, 0.5),	 config_of(PAIR_TABLE_MAX_PAIRS + 1, 10, 1, 0.5),
		config_of(10, 0, 0, 0.5),	 config_of(10, VERDICT_WINDOW_MAX + 1, 1, 0.5),
		config_of(10, 10, 11, 0.5), /* a verdict could never be reached */
		config_of(10, 10, 1, -0.1),	 config_of(10, 10, 1, 1.5),
		config_of(10, 10, 1, 0.0 / 0.0),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_PTR_NULL(pair_table_create(&bad[i], NULL, NULL));
		CU_ASSERT_EQUAL(errno, EINVAL);
	}
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(pair_verdict_name(VERDICT_UNKNOWN), "unknown");
	CU_ASSERT_STRING_EQUAL(pair_verdict_name(VERDICT_NCG), "ncg");
	CU_ASSERT_STRING_EQUAL(pair_verdict_name(VERDICT_CG), "cg");
	CU_ASSERT_STRING_EQUAL(pair_event_kind_name(PAIR_EVENT_VERDICT), "verdict");
	CU_ASSERT_STRING_EQUAL(pair_event_kind_name(PAIR_EVENT_EXPIRED), "expired");
	CU_ASSERT_STRING_EQUAL(pair_event_kind_name(PAIR_EVENT_EVICTED), "evicted");
}

static void test_either_order_and_counts(void)
{
	struct pair_table_config config = config_of(16, 10, 1, 0.5);
	struct pair_table *table = pair_table_create(&config, NULL, NULL);
	struct ip_pair a = make_pair(1), b = make_pair(2), a_swapped = swapped(&a);
	struct pair_stats stats, stats_swapped;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	CU_ASSERT_EQUAL(lookup(table, &a, &stats), -ENOENT);
	update(table, &a, true, 100);
	update(table, &a_swapped, false, 200); /* the same conversation */
	update(table, &a, true, 300);
	update(table, &b, false, 400);
	CU_ASSERT_EQUAL(pair_table_count(table), 2);
	CU_ASSERT_EQUAL(COUNTER(table, inserted), 2);

	CU_ASSERT_EQUAL_FATAL(lookup(table, &a, &stats), 0);
	CU_ASSERT_EQUAL_FATAL(lookup(table, &a_swapped, &stats_swapped), 0);
	CU_ASSERT(same_stats(&stats, &stats_swapped));
	/* Kept as first reported, whatever order later reports use. */
	CU_ASSERT(memcmp(&stats.pair, &a, sizeof(a)) == 0);
	CU_ASSERT_EQUAL(stats.hash, ip_pair_hash(&a, SEED));
	CU_ASSERT_EQUAL(stats.cg, 2);
	CU_ASSERT_EQUAL(stats.ncg, 1);
	CU_ASSERT_EQUAL(stats.first_seen_ns, 100);
	CU_ASSERT_EQUAL(stats.last_seen_ns, 300);
	CU_ASSERT_EQUAL(stats.window_reports, 3);
	CU_ASSERT_EQUAL(stats.window_cg, 2);
	CU_ASSERT_EQUAL(stats.verdict, VERDICT_CG);

	/* Orientation of a pair first seen server first is kept too. */
	struct ip_pair c_client_first = make_pair(3), c = swapped(&c_client_first);
	update(table, &c, false, 500);
	update(table, &c_client_first, false, 600);
	CU_ASSERT_EQUAL_FATAL(lookup(table, &c, &stats), 0);
	CU_ASSERT(memcmp(&stats.pair, &c, sizeof(c)) == 0);
	CU_ASSERT_EQUAL(stats.ncg, 2);
	/* A late result (another classifier's) never moves last_seen back. */
	update(table, &b, true, 350);
	CU_ASSERT_EQUAL_FATAL(lookup(table, &b, &stats), 0);
	CU_ASSERT_EQUAL(stats.first_seen_ns, 400);
	CU_ASSERT_EQUAL(stats.last_seen_ns, 400);
	CU_ASSERT(pair_table_memory(table) >= 16 * sizeof(struct ip_pair));
	pair_table_free(table);
}

/*
 * A replay: the reports' capture times (seen) run far ahead of the table's
 * clock (now).  The outputs keep the capture times; age and expiry go by
 * the table's clock only.
 */
static void test_capture_times_kept_age_by_table_clock(void)
{
	const uint64_t capture = UINT64_C(1600000000) * 1000000000; /* 2020-09-13 */
	struct pair_table_config config = config_of(8, 10, 1, 0.5);
	struct event_log log = {0};
	struct pair_table *table;
	struct ip_pair a = make_pair(1), b = make_pair(2);
	struct pair_stats stats;

	config.pair_timeout_ns = 1000;
	table = pair_table_create(&config, log_event, &log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	/* 100 s of capture in 300 ns of table clock. */
	pair_table_update(table, &a, ip_pair_hash(&a, SEED), true, 100, capture);
	pair_table_update(table, &b, ip_pair_hash(&b, SEED), false, 200, capture + 50000000000);
	pair_table_update(table, &a, ip_pair_hash(&a, SEED), true, 300, capture + 100000000000);
	/* Another RX queue's report, from earlier in the capture, counted last. */
	pair_table_update(table, &a, ip_pair_hash(&a, SEED), false, 350, capture + 7000000000);
	CU_ASSERT_EQUAL_FATAL(lookup(table, &a, &stats), 0);
	CU_ASSERT_EQUAL(stats.first_seen_ns, capture);
	CU_ASSERT_EQUAL(stats.last_seen_ns, capture + 100000000000);
	CU_ASSERT_EQUAL(stats.updated_ns, 350);
	CU_ASSERT_EQUAL(stats.cg + stats.ncg, 3);
	/* The verdict event is stamped by the table's clock, as every event. */
	CU_ASSERT_EQUAL_FATAL(log.count, 2);
	CU_ASSERT_EQUAL(log.events[0].now_ns, 100);
	CU_ASSERT_EQUAL(log.events[0].stats.first_seen_ns, capture);

	/* 100 s of capture apart, 150 ns of table clock apart: neither expires at 1 199. */
	CU_ASSERT_EQUAL(pair_table_expire(table, 1199, UINT32_MAX), 0);
	CU_ASSERT_EQUAL(pair_table_expire(table, 1201, UINT32_MAX), 1);
	CU_ASSERT_EQUAL(lookup(table, &b, &stats), -ENOENT);
	CU_ASSERT_EQUAL(pair_table_expire(table, 1350, UINT32_MAX), 0);
	CU_ASSERT_EQUAL(pair_table_expire(table, 1351, UINT32_MAX), 1);
	CU_ASSERT_EQUAL(pair_table_count(table), 0);
	pair_table_free(table);
}

/* A pair sharing one address with another is a different conversation. */
static void test_shared_address_is_another_pair(void)
{
	struct pair_table_config config = config_of(16, 10, 1, 0.5);
	struct pair_table *table = pair_table_create(&config, NULL, NULL);
	struct ip_pair a = make_pair(1), mixed = {make_pair(1).ip1, make_pair(2).ip2};
	struct ip_pair self = {a.ip1, a.ip1};
	struct pair_stats stats;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	update(table, &a, true, 1);
	update(table, &mixed, false, 2);
	update(table, &self, false, 3);
	CU_ASSERT_EQUAL(pair_table_count(table), 3);
	CU_ASSERT_EQUAL_FATAL(lookup(table, &self, &stats), 0);
	CU_ASSERT_EQUAL(stats.ncg, 1);
	CU_ASSERT_EQUAL_FATAL(lookup(table, &a, &stats), 0);
	CU_ASSERT_EQUAL(stats.cg, 1);
	CU_ASSERT_EQUAL(stats.ncg, 0);
	pair_table_free(table);
}

/* Feeds results (1 = CG) and checks the verdict after each one. */
static void check_verdicts(const struct pair_table_config *config, const char *results,
			   const char *expected)
{
	struct event_log log = {0};
	struct pair_table *table = pair_table_create(config, log_event, &log);
	struct ip_pair pair = make_pair(7);
	enum pair_verdict previous = VERDICT_UNKNOWN;
	unsigned int events = 0;
	struct pair_stats stats;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	for (size_t i = 0; results[i] != '\0'; i++) {
		enum pair_verdict want = expected[i] == 'C'   ? VERDICT_CG
					 : expected[i] == 'N' ? VERDICT_NCG
							      : VERDICT_UNKNOWN;

		update(table, &pair, results[i] == '1', 1000 + i);
		CU_ASSERT_EQUAL_FATAL(lookup(table, &pair, &stats), 0);
		if (stats.verdict != want)
			fprintf(stderr, "after %s[%zu]: verdict %s, want %s\n", results, i,
				pair_verdict_name(stats.verdict), pair_verdict_name(want));
		CU_ASSERT_EQUAL(stats.verdict, want);
		CU_ASSERT_EQUAL(COUNTER(table, cg_pairs), want == VERDICT_CG);
		/* One event exactly when the verdict changed, carrying both verdicts. */
		if (want != previous) {
			CU_ASSERT_EQUAL_FATAL(log.count, events + 1);
			CU_ASSERT_EQUAL(log.events[events].kind, PAIR_EVENT_VERDICT);
			CU_ASSERT_EQUAL(log.events[events].previous, previous);
			CU_ASSERT_EQUAL(log.events[events].stats.verdict, want);
			CU_ASSERT_EQUAL(log.events[events].now_ns, 1000 + i);
			CU_ASSERT_EQUAL(log.events[events].stats.last_seen_ns, 1000 + i);
			events++;
		}
		CU_ASSERT_EQUAL(log.count, events);
		previous = want;
	}
	pair_table_free(table);
}

static void test_verdict_min_reports(void)
{
	struct pair_table_config config = config_of(4, 10, 3, 0.5);

	check_verdicts(&config, "1111", "UUCC");
	check_verdicts(&config, "0001", "UUNN");
	/* min_reports 0 behaves as 1: a pair exists only once reported. */
	config = config_of(4, 10, 0, 0.5);
	check_verdicts(&config, "10", "CC");
}

static void test_verdict_threshold_exactly_met(void)
{
	struct pair_table_config config = config_of(4, 5, 5, 0.6);

	/* 3 of 5 is exactly 0.6: CG; 2 of 5 is not. */
	check_verdicts(&config, "10101", "UUUUC");
	check_verdicts(&config, "10001", "UUUUN");
	config = config_of(4, 3, 3, 2.0 / 3.0);
	check_verdicts(&config, "110", "UUC");
	config = config_of(4, 4, 1, 1.0);
	check_verdicts(&config, "1101", "CCNN");
	config = config_of(4, 4, 1, 0.0);
	check_verdicts(&config, "000", "CCC");
}

static void test_verdict_window_slides(void)
{
	struct pair_table_config config = config_of(4, 3, 3, 0.5);

	/* Old CG results leave the window: 111 -> 100 is 1 of 3, 001 too. */
	check_verdicts(&config, "1110011", "UUCCNNC");
	/* A window of one follows the last result. */
	config = config_of(4, 1, 1, 0.5);
	check_verdicts(&config, "10011", "CNNCC");
	/* The largest window: CG until the 65th result of a run of non-CG. */
	config = config_of(4, VERDICT_WINDOW_MAX, VERDICT_WINDOW_MAX, 0.5);
	char results[3 * VERDICT_WINDOW_MAX + 1], expected[3 * VERDICT_WINDOW_MAX + 1];
	for (unsigned int i = 0; i < 3 * VERDICT_WINDOW_MAX; i++) {
		bool cg = i < VERDICT_WINDOW_MAX || i >= 2 * VERDICT_WINDOW_MAX;

		results[i] = cg ? '1' : '0';
		if (i + 1 < VERDICT_WINDOW_MAX)
			expected[i] = 'U';
		else if (i < VERDICT_WINDOW_MAX + VERDICT_WINDOW_MAX / 2)
			expected[i] = 'C'; /* still at least half CG */
		else if (i < 2 * VERDICT_WINDOW_MAX + VERDICT_WINDOW_MAX / 2 - 1)
			expected[i] = 'N';
		else
			expected[i] = 'C';
	}
	results[3 * VERDICT_WINDOW_MAX] = expected[3 * VERDICT_WINDOW_MAX] = '\0';
	check_verdicts(&config, results, expected);
}

static void test_expiry_order_and_counts(void)
{
	struct pair_table_config config = config_of(8, 10, 1, 0.5);
	struct event_log log = {0};
	struct pair_table *table;
	struct ip_pair a = make_pair(1), b = make_pair(2), c = make_pair(3);
	struct pair_stats stats;

	config.pair_timeout_ns = 100;
	table = pair_table_create(&config, log_event, &log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	update(table, &a, true, 0);
	update(table, &b, false, 10);
	update(table, &c, true, 20);
	update(table, &a, true, 30); /* a is now the most recently seen */
	log.count = 0;

	CU_ASSERT_EQUAL(pair_table_expire(table, 100, UINT32_MAX), 0);
	CU_ASSERT_EQUAL(pair_table_expire(table, 110, UINT32_MAX),
			0); /* b seen at 10 is not before 10 */
	CU_ASSERT_EQUAL(pair_table_expire(table, 125, UINT32_MAX), 2);
	CU_ASSERT_EQUAL_FATAL(log.count, 2);
	CU_ASSERT_EQUAL(log.events[0].kind, PAIR_EVENT_EXPIRED);
	CU_ASSERT(memcmp(&log.events[0].stats.pair, &b, sizeof(b)) == 0);
	CU_ASSERT_EQUAL(log.events[0].previous, VERDICT_NCG);
	CU_ASSERT_EQUAL(log.events[0].now_ns, 125);
	CU_ASSERT(memcmp(&log.events[1].stats.pair, &c, sizeof(c)) == 0);
	CU_ASSERT_EQUAL(log.events[1].stats.cg, 1);
	CU_ASSERT_EQUAL(lookup(table, &b, &stats), -ENOENT);
	CU_ASSERT_EQUAL(lookup(table, &c, &stats), -ENOENT);
	CU_ASSERT_EQUAL(lookup(table, &a, &stats), 0);
	CU_ASSERT_EQUAL(pair_table_count(table), 1);
	CU_ASSERT_EQUAL(COUNTER(table, expired), 2);
	CU_ASSERT_EQUAL(COUNTER(table, cg_pairs), 1);

	CU_ASSERT_EQUAL(pair_table_expire(table, 131, UINT32_MAX), 1);
	CU_ASSERT_EQUAL(pair_table_count(table), 0);
	CU_ASSERT_EQUAL(COUNTER(table, expired), 3);
	CU_ASSERT_EQUAL(COUNTER(table, cg_pairs), 0);
	CU_ASSERT_EQUAL(COUNTER(table, evicted), 0);

	/* The freed entries are reused. */
	update(table, &b, true, 200);
	CU_ASSERT_EQUAL(lookup(table, &b, &stats), 0);
	CU_ASSERT_EQUAL(stats.cg, 1);
	CU_ASSERT_EQUAL(stats.ncg, 0);
	CU_ASSERT_EQUAL(stats.first_seen_ns, 200);
	pair_table_free(table);

	/* Timeout 0: never. */
	config.pair_timeout_ns = 0;
	table = pair_table_create(&config, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	update(table, &a, true, 0);
	CU_ASSERT_EQUAL(pair_table_expire(table, UINT64_MAX, UINT32_MAX), 0);
	CU_ASSERT_EQUAL(pair_table_count(table), 1);
	pair_table_free(table);
}

static void test_eviction_takes_least_recently_seen(void)
{
	struct pair_table_config config = config_of(3, 10, 1, 0.5);
	struct event_log log = {0};
	struct pair_table *table = pair_table_create(&config, log_event, &log);
	struct ip_pair a = make_pair(1), b = make_pair(2), c = make_pair(3), d = make_pair(4);
	struct pair_stats stats;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	update(table, &a, false, 1);
	update(table, &b, true, 2);
	update(table, &c, false, 3);
	update(table, &a, false, 4);
	log.count = 0;
	update(table, &d, false, 5); /* full: b, seen at 2, goes */
	CU_ASSERT_EQUAL(pair_table_count(table), 3);
	CU_ASSERT_EQUAL(COUNTER(table, evicted), 1);
	CU_ASSERT_EQUAL(COUNTER(table, cg_pairs), 0);
	CU_ASSERT_EQUAL(lookup(table, &b, &stats), -ENOENT);
	CU_ASSERT_EQUAL(lookup(table, &a, &stats), 0);
	CU_ASSERT_EQUAL(lookup(table, &c, &stats), 0);
	CU_ASSERT_EQUAL(lookup(table, &d, &stats), 0);
	CU_ASSERT_EQUAL_FATAL(log.count, 2); /* b evicted, then d's first verdict */
	CU_ASSERT_EQUAL(log.events[0].kind, PAIR_EVENT_EVICTED);
	CU_ASSERT(memcmp(&log.events[0].stats.pair, &b, sizeof(b)) == 0);
	CU_ASSERT_EQUAL(log.events[0].previous, VERDICT_CG);
	CU_ASSERT_EQUAL(log.events[0].now_ns, 5);
	CU_ASSERT_EQUAL(log.events[1].kind, PAIR_EVENT_VERDICT);
	update(table, &b, false, 6); /* c, seen at 3, goes */
	CU_ASSERT_EQUAL(lookup(table, &c, &stats), -ENOENT);
	CU_ASSERT_EQUAL(COUNTER(table, evicted), 2);
	CU_ASSERT_EQUAL(COUNTER(table, inserted), 5);
	pair_table_free(table);
}

/* The plain model the table must agree with: arrays searched linearly. */
#define MODEL_PAIRS 64
#define MODEL_TABLE 24

struct model_pair {
	bool present;
	bool cg[VERDICT_WINDOW_MAX];
	unsigned int results;
	uint64_t touched; /* order of the last update, for LRU */
	struct pair_stats stats;
};

struct model {
	struct model_pair pairs[MODEL_PAIRS];
	unsigned int count;
	uint64_t cg_pairs, evicted, expired;
};

static enum pair_verdict model_verdict(const struct pair_table_config *config, struct model_pair *p)
{
	unsigned int reports = p->stats.window_reports;

	if (reports < config->verdict_min_reports)
		return VERDICT_UNKNOWN;
	return (double)p->stats.window_cg / reports >= config->verdict_threshold ? VERDICT_CG
										 : VERDICT_NCG;
}

static void model_remove(struct model *model, struct model_pair *p)
{
	p->present = false;
	model->count--;
	model->cg_pairs -= p->stats.verdict == VERDICT_CG;
}

static void model_update(const struct pair_table_config *config, struct model *model,
			 unsigned int n, bool is_cg, uint64_t now, uint64_t order)
{
	struct model_pair *p = &model->pairs[n];
	unsigned int window = config->verdict_window, i;

	if (!p->present) {
		if (model->count == config->max_pairs) {
			struct model_pair *oldest = NULL;

			for (i = 0; i < MODEL_PAIRS; i++)
				if (model->pairs[i].present &&
				    (oldest == NULL || model->pairs[i].touched < oldest->touched))
					oldest = &model->pairs[i];
			model_remove(model, oldest);
			model->evicted++;
		}
		memset(p, 0, sizeof(*p));
		p->present = true;
		p->stats.pair = make_pair(n);
		p->stats.hash = ip_pair_hash(&p->stats.pair, SEED);
		p->stats.first_seen_ns = now;
		model->count++;
	}
	p->cg[p->results % window] = is_cg;
	p->results++;
	p->touched = order;
	p->stats.cg += is_cg;
	p->stats.ncg += !is_cg;
	p->stats.last_seen_ns = now;
	p->stats.updated_ns = now;
	p->stats.window_reports = p->results < window ? p->results : window;
	p->stats.window_cg = 0;
	for (i = 0; i < p->stats.window_reports; i++)
		p->stats.window_cg += p->cg[i];
	model->cg_pairs -= p->stats.verdict == VERDICT_CG;
	p->stats.verdict = model_verdict(config, p);
	model->cg_pairs += p->stats.verdict == VERDICT_CG;
}

static void model_expire(const struct pair_table_config *config, struct model *model, uint64_t now)
{
	for (unsigned int i = 0; i < MODEL_PAIRS; i++) {
		struct model_pair *p = &model->pairs[i];

		if (p->present && now > config->pair_timeout_ns &&
		    p->stats.updated_ns < now - config->pair_timeout_ns) {
			model_remove(model, p);
			model->expired++;
		}
	}
}

static void count_cg(const struct pair_stats *stats, void *ctx)
{
	*(uint64_t *)ctx += stats->verdict == VERDICT_CG;
}

static void compare_with_model(const struct pair_table *table, const struct model *model)
{
	uint64_t cg_seen = 0;
	struct pair_stats stats;

	CU_ASSERT_EQUAL(pair_table_count(table), model->count);
	CU_ASSERT_EQUAL(COUNTER(table, cg_pairs), model->cg_pairs);
	CU_ASSERT_EQUAL(COUNTER(table, evicted), model->evicted);
	CU_ASSERT_EQUAL(COUNTER(table, expired), model->expired);
	pair_table_foreach(table, count_cg, &cg_seen);
	CU_ASSERT_EQUAL(cg_seen, model->cg_pairs);
	for (unsigned int i = 0; i < MODEL_PAIRS; i++) {
		const struct model_pair *p = &model->pairs[i];
		struct ip_pair pair = make_pair(i);
		int ret = lookup(table, &pair, &stats);

		CU_ASSERT_EQUAL(ret, p->present ? 0 : -ENOENT);
		if (ret == 0 && p->present)
			CU_ASSERT(same_stats(&stats, &p->stats));
	}
}

/* Random updates, expiries and evictions: every step agrees with the model. */
static void test_agrees_with_model(void)
{
	struct pair_table_config config = config_of(MODEL_TABLE, 5, 2, 0.6);
	struct model *model = calloc(1, sizeof(*model));
	struct pair_table *table;
	uint64_t now = 1000;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	config.pair_timeout_ns = 150;
	table = pair_table_create(&config, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	srand(12345);
	for (uint64_t step = 0; step < 20000; step++) {
		/* A few busy pairs and many occasional ones. */
		unsigned int range = rand() % 2 ? 16 : MODEL_PAIRS;
		unsigned int n = (unsigned int)rand() % range;
		bool is_cg = rand() % 3 != 0;

		now += (uint64_t)(rand() % 20);
		if (rand() % 50 == 0) {
			pair_table_expire(table, now, UINT32_MAX);
			model_expire(&config, model, now);
		} else {
			struct ip_pair pair = make_pair(n);

			update(table, &pair, is_cg, now);
			model_update(&config, model, n, is_cg, now, step);
		}
		if (step % 97 == 0)
			compare_with_model(table, model);
	}
	compare_with_model(table, model);
	printf("\n    %llu evicted, %llu expired\n", (unsigned long long)model->evicted,
	       (unsigned long long)model->expired);
	CU_ASSERT(model->evicted > 100 && model->expired > 100); /* both paths taken */
	pair_table_free(table);
	free(model);
}

/*
 * The table trusts the caller's hash: different pairs with one hash value
 * share a probe sequence, and removing some (expiry, eviction) must leave
 * every other one reachable.
 */
static void test_colliding_hashes(void)
{
	enum { PAIRS = 40 };
	struct pair_table_config config = config_of(PAIRS, 4, 1, 0.5);
	struct pair_table *table;
	struct pair_stats stats;
	uint32_t n;

	config.pair_timeout_ns = 10;
	table = pair_table_create(&config, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	/* Two runs of equal hashes, the second starting inside the first. */
	for (n = 0; n < 2 * PAIRS; n++) {
		struct ip_pair pair = make_pair(n % PAIRS);

		/* One in four seen at 0, the others later. */
		if ((n < PAIRS) == (n % 4 == 0))
			pair_table_update(table, &pair, n % 2 ? 0x77u : 0x78u, n % 2,
					  n < PAIRS ? 0 : 100, n < PAIRS ? 0 : 100);
	}
	CU_ASSERT_EQUAL(pair_table_count(table), PAIRS);
	CU_ASSERT(pair_table_max_probe(table) >= PAIRS / 2);
	CU_ASSERT_EQUAL(pair_table_expire(table, 15, UINT32_MAX), PAIRS / 4); /* those seen at 0 */
	for (n = 0; n < PAIRS; n++) {
		struct ip_pair pair = make_pair(n), other_order = swapped(&pair);

		CU_ASSERT_EQUAL(
			pair_table_lookup(table, &other_order, n % 2 ? 0x77u : 0x78u, &stats),
			n % 4 == 0 ? -ENOENT : 0);
	}
	/* Refill to the brim: evictions take the remaining oldest, all still found. */
	for (n = PAIRS; n < 2 * PAIRS; n++) {
		struct ip_pair pair = make_pair(n);

		pair_table_update(table, &pair, 0x78u, true, 200 + n, 200 + n);
	}
	CU_ASSERT_EQUAL(pair_table_count(table), PAIRS);
	for (n = PAIRS; n < 2 * PAIRS; n++) {
		struct ip_pair pair = make_pair(n);

		CU_ASSERT_EQUAL(pair_table_lookup(table, &pair, 0x78u, &stats), 0);
	}
	pair_table_free(table);
}

static void collect(const struct pair_stats *stats, void *ctx)
{
	struct pair_stats **next = ctx;

	*(*next)++ = *stats;
}

static int compare_stats(const void *a, const void *b)
{
	return memcmp(&((const struct pair_stats *)a)->pair, &((const struct pair_stats *)b)->pair,
		      sizeof(struct ip_pair));
}

static void test_burst_equals_single(void)
{
	enum { PAIRS = 300, TABLE = 200, RESULTS = 5000 };
	struct pair_table_config config = config_of(TABLE, 8, 3, 0.5);
	struct event_log log_single = {0}, log_burst = {0};
	struct pair_table *single = pair_table_create(&config, log_event, &log_single);
	struct pair_table *burst = pair_table_create(&config, log_event, &log_burst);
	struct pair_update *results = calloc(RESULTS, sizeof(*results));
	struct pair_stats *all_single = calloc(TABLE, sizeof(*all_single));
	struct pair_stats *all_burst = calloc(TABLE, sizeof(*all_burst));
	struct pair_stats *next;
	struct pair_table_counters counters_single, counters_burst;
	unsigned int i, n;

	CU_ASSERT_FATAL(single && burst && results && all_single && all_burst);
	srand(99);
	for (i = 0; i < RESULTS; i++) {
		results[i].pair = make_pair((uint32_t)rand() % PAIRS);
		if (rand() % 2)
			results[i].pair = swapped(&results[i].pair);
		results[i].hash = ip_pair_hash(&results[i].pair, SEED);
		results[i].is_cg = rand() % 2;
		results[i].rx_time_ns = 10 * i;
		results[i].seen_ns = 5 * i;
		pair_table_update(single, &results[i].pair, results[i].hash, results[i].is_cg,
				  results[i].rx_time_ns, results[i].seen_ns);
	}
	for (i = 0; i < RESULTS; i += n) {
		n = (unsigned int)rand() % 70;
		n = n > RESULTS - i ? RESULTS - i : n;
		pair_table_update_burst(burst, &results[i], n);
	}
	pair_table_get_counters(single, &counters_single);
	pair_table_get_counters(burst, &counters_burst);
	CU_ASSERT(memcmp(&counters_single, &counters_burst, sizeof(counters_single)) == 0);
	CU_ASSERT(counters_single.evicted > 0);
	CU_ASSERT_EQUAL(log_single.count, log_burst.count);
	CU_ASSERT_EQUAL_FATAL(pair_table_count(single), pair_table_count(burst));
	next = all_single;
	pair_table_foreach(single, collect, &next);
	next = all_burst;
	pair_table_foreach(burst, collect, &next);
	qsort(all_single, pair_table_count(single), sizeof(*all_single), compare_stats);
	qsort(all_burst, pair_table_count(burst), sizeof(*all_burst), compare_stats);
	for (i = 0; i < pair_table_count(single); i++)
		CU_ASSERT(same_stats(&all_single[i], &all_burst[i]));
	pair_table_free(single);
	pair_table_free(burst);
	free(results);
	free(all_single);
	free(all_burst);
}

/* The case: a flood of new pairs cannot grow the table. */
static void test_two_million_pairs_in_small_table(void)
{
	enum { TABLE = 100000, PAIRS = 2000000 };
	struct pair_table_config config = config_of(TABLE, 10, 3, 0.5);
	struct pair_table *table;
	size_t memory_before;
	long rss_before, rss_after;

	config.pair_timeout_ns = 60ull * 1000000000ull; /* longer than the run: no expiry */
	table = pair_table_create(&config, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	memory_before = pair_table_memory(table);
	rss_before = resident_bytes();
	for (uint32_t n = 0; n < PAIRS; n++) {
		struct ip_pair pair = make_pair(n);

		update(table, &pair, n % 3 == 0, n);
		if (n % 1024 == 0)
			pair_table_expire(table, n, UINT32_MAX);
	}
	rss_after = resident_bytes();
	printf("\n    %u pairs through a %u-pair table: %zu bytes (%.1f per pair), "
	       "RSS %+ld bytes, max probe %u\n",
	       PAIRS, TABLE, pair_table_memory(table), (double)pair_table_memory(table) / TABLE,
	       rss_after - rss_before, pair_table_max_probe(table));
	CU_ASSERT_EQUAL(pair_table_memory(table), memory_before);
	CU_ASSERT(rss_before > 0 && rss_after - rss_before < 1024 * 1024);
	CU_ASSERT_EQUAL(pair_table_count(table), TABLE);
	CU_ASSERT_EQUAL(COUNTER(table, inserted), PAIRS);
	CU_ASSERT_EQUAL(COUNTER(table, evicted), PAIRS - TABLE);
	CU_ASSERT_EQUAL(COUNTER(table, expired), 0);
	/* The survivors are the last ones seen. */
	struct pair_stats stats;
	struct ip_pair last = make_pair(PAIRS - 1), gone = make_pair(PAIRS - TABLE - 1);
	struct ip_pair oldest_kept = make_pair(PAIRS - TABLE);
	CU_ASSERT_EQUAL(lookup(table, &last, &stats), 0);
	CU_ASSERT_EQUAL(lookup(table, &oldest_kept, &stats), 0);
	CU_ASSERT_EQUAL(lookup(table, &gone, &stats), -ENOENT);
	CU_ASSERT(pair_table_memory(table) / TABLE <= 128);
	pair_table_free(table);
}

/* Which make_pair number a pair is (either order). */
static uint32_t pair_number(const struct ip_pair *pair)
{
	const struct ip_addr *client = pair->ip1.bytes[12] == 10 ? &pair->ip1 : &pair->ip2;

	return (uint32_t)client->bytes[13] << 16 | (uint32_t)client->bytes[14] << 8 |
	       client->bytes[15];
}

struct expiry_log {
	unsigned int count;
	uint32_t last_number;
	bool in_order;
};

static void log_expiry(enum pair_event_kind kind, const struct pair_stats *stats,
		       enum pair_verdict previous, uint64_t now_ns, void *ctx)
{
	struct expiry_log *log = ctx;
	uint32_t number = pair_number(&stats->pair);

	if (kind != PAIR_EVENT_EXPIRED)
		return;
	if (log->count > 0 && number <= log->last_number)
		log->in_order = false;
	log->last_number = number;
	log->count++;
}

/* A thousand pairs idle at once go in slices of the budget, oldest first. */
static void test_expire_budget(void)
{
	enum { PAIRS = 1000, BUDGET = 64 };
	struct pair_table_config config = config_of(PAIRS, 10, 1, 0.5);
	struct expiry_log log = {.in_order = true};
	struct pair_table *table;
	struct ip_pair refreshed = make_pair(PAIRS - 1);
	unsigned int calls = 0, total = 0, expired;
	uint64_t now = 10000;

	config.pair_timeout_ns = 100;
	table = pair_table_create(&config, log_expiry, &log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	for (uint32_t n = 0; n < PAIRS; n++) {
		struct ip_pair pair = make_pair(n);

		update(table, &pair, false, n);
	}
	CU_ASSERT_EQUAL(pair_table_expire(table, now, 0), 0);
	CU_ASSERT_EQUAL(pair_table_count(table), PAIRS);
	/* Between two calls a pending pair is seen again: it is not expired any more. */
	update(table, &refreshed, true, now);
	while ((expired = pair_table_expire(table, now, BUDGET)) != 0) {
		CU_ASSERT(expired <= BUDGET);
		CU_ASSERT(expired == BUDGET || pair_table_expire(table, now, BUDGET) == 0);
		total += expired;
		calls++;
	}
	CU_ASSERT_EQUAL(total, PAIRS - 1);
	CU_ASSERT_EQUAL(calls, (PAIRS - 1 + BUDGET - 1) / BUDGET);
	CU_ASSERT_EQUAL(log.count, PAIRS - 1);
	CU_ASSERT_TRUE(log.in_order);
	CU_ASSERT_EQUAL(COUNTER(table, expired), PAIRS - 1);
	CU_ASSERT_EQUAL(pair_table_count(table), 1);
	pair_table_free(table);
}

struct walk_tally {
	const struct pair_table *table;
	unsigned int *seen; /* per make_pair number */
	unsigned int visits;
	unsigned int not_live;
};

static void tally_pair(const struct pair_stats *stats, void *ctx)
{
	struct walk_tally *tally = ctx;
	struct pair_stats now;

	tally->seen[pair_number(&stats->pair)]++;
	tally->visits++;
	/* What is handed out is a live pair, as it is now. */
	if (pair_table_lookup(tally->table, &stats->pair, stats->hash, &now) != 0 ||
	    !same_stats(&now, stats))
		tally->not_live++;
}

static void test_walk_whole_table(void)
{
	enum { TABLE = 100, PAIRS = 60 };
	struct pair_table_config config = config_of(TABLE, 10, 1, 0.5);
	struct pair_table *table = pair_table_create(&config, NULL, NULL);
	unsigned int seen[PAIRS] = {0};
	struct walk_tally tally = {.table = table, .seen = seen};
	uint32_t cursor;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	/* Empty: nothing seen, done in one call. */
	CU_ASSERT_EQUAL(pair_table_walk(table, PAIR_TABLE_WALK_START, TABLE, tally_pair, &tally),
			PAIR_TABLE_WALK_DONE);
	CU_ASSERT_EQUAL(tally.visits, 0);
	for (uint32_t n = 0; n < PAIRS; n++) {
		struct ip_pair pair = make_pair(n);

		update(table, &pair, n % 2 == 0, n);
	}
	/* A budget of 0 visits nothing and stays put; a cursor past the end is done. */
	CU_ASSERT_EQUAL(pair_table_walk(table, 5, 0, tally_pair, &tally), 5);
	CU_ASSERT_EQUAL(pair_table_walk(table, TABLE, 10, tally_pair, &tally),
			PAIR_TABLE_WALK_DONE);
	CU_ASSERT_EQUAL(pair_table_walk(table, PAIR_TABLE_WALK_DONE, 10, tally_pair, &tally),
			PAIR_TABLE_WALK_DONE);
	CU_ASSERT_EQUAL(tally.visits, 0);
	/*
	 * Slices of 7 slots over the PAIRS entries ever used (the walk stops
	 * there, not at the table's end): every pair once.
	 */
	cursor = PAIR_TABLE_WALK_START;
	for (unsigned int calls = 1; calls <= (PAIRS + 6) / 7; calls++) {
		cursor = pair_table_walk(table, cursor, 7, tally_pair, &tally);
		CU_ASSERT_EQUAL(cursor, calls < (PAIRS + 6) / 7 ? 7 * calls : PAIR_TABLE_WALK_DONE);
	}
	CU_ASSERT_EQUAL(tally.visits, PAIRS);
	CU_ASSERT_EQUAL(tally.not_live, 0);
	for (uint32_t n = 0; n < PAIRS; n++)
		CU_ASSERT_EQUAL(seen[n], 1);
	pair_table_free(table);
}

/*
 * The walk's promise under churn: between slices, the pairs alive for the
 * whole walk are updated (their LRU order shuffled), new pairs are inserted
 * (evicting), and old ones expire in small budgets.  Each pair alive
 * throughout is seen exactly once, and nothing handed out is stale.
 */
static void test_walk_in_slices_under_churn(void)
{
	enum { TABLE = 450, STABLE = 200, TRANSIENT = 200, BUDGET = 7, NEW_PER_SLICE = 3 };
	struct pair_table_config config = config_of(TABLE, 10, 1, 0.5);
	static unsigned int seen[1 << 16];
	struct walk_tally tally = {.seen = seen};
	struct pair_table *table;
	uint32_t cursor = PAIR_TABLE_WALK_START, next_new = 1000;
	uint64_t now = 10000;
	unsigned int slices = 0;

	config.pair_timeout_ns = 1000000;
	table = pair_table_create(&config, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	tally.table = table;
	memset(seen, 0, sizeof(seen));
	/* Transient pairs first, long ago: they are what expiry and eviction take. */
	for (uint32_t n = STABLE; n < STABLE + TRANSIENT; n++) {
		struct ip_pair pair = make_pair(n);

		update(table, &pair, false, 0);
	}
	for (uint32_t n = 0; n < STABLE; n++) {
		struct ip_pair pair = make_pair(n);

		update(table, &pair, true, now);
	}
	srand(7);
	do {
		cursor = pair_table_walk(table, cursor, BUDGET, tally_pair, &tally);
		slices++;
		now += 10;
		for (unsigned int i = 0; i < NEW_PER_SLICE; i++) {
			struct ip_pair pair = make_pair(next_new++);

			update(table, &pair, false, now);
		}
		/* Every stable pair seen again, in a random order: never the LRU tail. */
		for (uint32_t i = 0; i < STABLE; i++) {
			struct ip_pair pair = make_pair((i * 37 + (uint32_t)rand()) % STABLE);

			update(table, &pair, rand() % 2 == 0, now);
		}
		for (uint32_t n = 0; n < STABLE; n++) {
			struct ip_pair pair = make_pair(n);

			update(table, &pair, true, now);
		}
		pair_table_expire(table, now + config.pair_timeout_ns - 1, 2);
	} while (cursor != PAIR_TABLE_WALK_DONE);

	CU_ASSERT_EQUAL(slices, (TABLE + BUDGET - 1) / BUDGET);
	CU_ASSERT(COUNTER(table, expired) > 0);
	CU_ASSERT(COUNTER(table, evicted) > 0);
	CU_ASSERT_EQUAL(tally.not_live, 0);
	for (uint32_t n = 0; n < STABLE; n++)
		CU_ASSERT_EQUAL(seen[n], 1);
	for (uint32_t n = STABLE; n < next_new; n++)
		CU_ASSERT(seen[n] <= 1);
	pair_table_free(table);
}

/*
 * Addresses an attacker would pick to pile pairs on one bucket of a weak
 * hash: all pairs differ in the last 16 bits of one IPv6 address only.
 * With a random seed the longest probe stays short.
 */
static void test_probe_length_with_similar_keys(void)
{
	enum { PAIRS = 65536 };
	struct pair_table_config config = config_of(PAIRS, 10, 1, 0.5);
	struct pair_table *table = pair_table_create(&config, NULL, NULL);
	struct ip_pair pair = {0};
	struct pair_stats stats;
	uint64_t seed = 0;
	unsigned int longest;

	CU_ASSERT_PTR_NOT_NULL_FATAL(table);
	CU_ASSERT_EQUAL_FATAL(getrandom(&seed, sizeof(seed), 0), (ssize_t)sizeof(seed));
	CU_ASSERT_EQUAL(ip_parse(&pair.ip1, "2001:db8::1", strlen("2001:db8::1")), 0);
	CU_ASSERT_EQUAL(ip_parse(&pair.ip2, "2001:db8:1::", strlen("2001:db8:1::")), 0);
	for (uint32_t n = 0; n < PAIRS; n++) {
		pair.ip2.bytes[14] = (uint8_t)(n >> 8);
		pair.ip2.bytes[15] = (uint8_t)n;
		pair_table_update(table, &pair, ip_pair_hash(&pair, seed), true, n, n);
	}
	longest = pair_table_max_probe(table);
	printf("\n    %u pairs differing in 16 bits, seed %016llx: longest probe %u slots\n", PAIRS,
	       (unsigned long long)seed, longest);
	CU_ASSERT_EQUAL(pair_table_count(table), PAIRS);
	CU_ASSERT(longest >= 1 && longest <= 24);
	/* Every one is still found. */
	for (uint32_t n = 0; n < PAIRS; n += 97) {
		pair.ip2.bytes[14] = (uint8_t)(n >> 8);
		pair.ip2.bytes[15] = (uint8_t)n;
		CU_ASSERT_EQUAL(pair_table_lookup(table, &pair, ip_pair_hash(&pair, seed), &stats),
				0);
	}
	pair_table_free(table);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"refuses a bad configuration", test_refuses_bad_config},
		{"names verdicts and events", test_names},
		{"finds a pair in either order, counts", test_either_order_and_counts},
		{"capture times kept, age by the table's clock",
		 test_capture_times_kept_age_by_table_clock},
		{"a shared address is another pair", test_shared_address_is_another_pair},
		{"verdict waits for min_reports", test_verdict_min_reports},
		{"verdict at exactly the threshold", test_verdict_threshold_exactly_met},
		{"verdict follows the sliding window", test_verdict_window_slides},
		{"expires in LRU order", test_expiry_order_and_counts},
		{"evicts the least recently seen", test_eviction_takes_least_recently_seen},
		{"pairs with colliding hashes", test_colliding_hashes},
		{"agrees with a plain model under churn", test_agrees_with_model},
		{"burst equals single", test_burst_equals_single},
		{"2 M pairs through a 100 k table", test_two_million_pairs_in_small_table},
		{"short probes with similar keys", test_probe_length_with_similar_keys},
		{"expires at most the budget per call, oldest first", test_expire_budget},
		{"walk: every pair once, in slices of the budget", test_walk_whole_table},
		{"walk in slices under updates, inserts, expiry", test_walk_in_slices_under_churn},
	};

	return unit_run_suite("pair_table", NULL, NULL, tests, UNIT_COUNT(tests));
}
