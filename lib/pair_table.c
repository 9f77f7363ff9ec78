/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pair table: a fixed array of entries, an open-addressing index over it
 * (Robin Hood linear probing, backward-shift deletion, no tombstones) and a
 * doubly linked LRU list threaded through the entries by index.
 *
 * The key is the unordered pair (ip_pair_same).  Each index slot carries
 * the pair's hash beside the entry number, so a probe only reads the entry
 * whose hash matches, and deletion finds every slot's home without touching
 * the entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pair_table.h"

#define ENTRY_NONE UINT32_MAX
/* lru_prev of an entry on the free list: a live one holds an entry number or ENTRY_NONE. */
#define ENTRY_FREE (UINT32_MAX - 1)
#define HUGE_PAGE_SIZE (2u << 20)
/*
 * How many results ahead the burst update fetches each thing it will touch.
 * Measured with bench_pair_table (1 M pairs, random order, bursts of 32):
 * 10/5/2 cost 53 ns per result, 20/12/6 44 ns.
 */
#define PREFETCH_INDEX_AHEAD 20
#define PREFETCH_ENTRY_AHEAD 12
#define PREFETCH_LINKS_AHEAD 6

/* 96 bytes.  The LRU links come first: relinking a neighbour touches one line. */
struct pair_entry {
	uint32_t lru_prev; /* more recently seen neighbour, ENTRY_NONE at the head */
	uint32_t lru_next; /* less recently seen neighbour; the free list's link */
	uint32_t hash;
	uint8_t window_pos; /* where the next result goes in window[] */
	uint8_t window_reports;
	uint8_t window_cg;
	uint8_t verdict;
	uint64_t window[VERDICT_WINDOW_MAX / 64]; /* 1 bit per result, 1 = CG */
	struct ip_pair pair;
	uint64_t cg;
	uint64_t ncg;
	uint64_t last_seen_ns;
	uint64_t updated_ns;
};

/*
 * 96 bytes, two cache lines at most: what an update touches.  first_seen,
 * written once at insertion, lives in an array of its own (first_seen_ns).
 */
_Static_assert(sizeof(struct pair_entry) == 96, "pair_entry layout");
_Static_assert(PAIR_TABLE_MAX_PAIRS < ENTRY_FREE, "entry numbers below the markers");
_Static_assert(VERDICT_WINDOW_MAX <= UINT8_MAX, "window counts are 8-bit");

struct index_slot {
	uint32_t hash;
	uint32_t entry; /* ENTRY_NONE: empty slot */
};

struct pair_table {
	struct pair_entry *entries;
	/* Per entry, after the entries in their allocation: cold, read by walks and events. */
	uint64_t *first_seen_ns;
	struct index_slot *index;
	size_t entries_bytes; /* entries and first_seen_ns */
	size_t index_bytes;
	uint32_t index_mask;
	uint32_t max_pairs;
	uint32_t count;
	uint32_t free_head;
	uint32_t entries_used; /* entries at and above this were never used: walks stop there */
	uint32_t lru_head;
	uint32_t lru_tail;
	uint64_t pair_timeout_ns;
	unsigned int window_size;
	unsigned int min_reports;
	/* Fewest CG results among n in the window that make the verdict CG. */
	uint8_t cg_needed[VERDICT_WINDOW_MAX + 1];
	pair_event_fn on_event;
	void *event_ctx;
	struct pair_table_counters counters;
};

const char *pair_verdict_name(enum pair_verdict verdict)
{
	switch (verdict) {
	case VERDICT_UNKNOWN:
		return "unknown";
	case VERDICT_NCG:
		return "ncg";
	case VERDICT_CG:
		return "cg";
	}
	return "invalid";
}

const char *pair_event_kind_name(enum pair_event_kind kind)
{
	switch (kind) {
	case PAIR_EVENT_VERDICT:
		return "verdict";
	case PAIR_EVENT_EXPIRED:
		return "expired";
	case PAIR_EVENT_EVICTED:
		return "evicted";
	}
	return "invalid";
}

/* Large arrays go on 2 MB boundaries so transparent huge pages can back them. */
static void *table_alloc(size_t *bytes)
{
	size_t align = *bytes >= HUGE_PAGE_SIZE ? HUGE_PAGE_SIZE : 64;
	void *mem;

	*bytes = (*bytes + align - 1) & ~(align - 1);
	mem = aligned_alloc(align, *bytes);
	if (mem != NULL && align == HUGE_PAGE_SIZE)
		madvise(mem, *bytes, MADV_HUGEPAGE); /* a hint: failure is harmless */
	return mem;
}

static int check_config(const struct pair_table_config *config)
{
	if (config->max_pairs == 0 || config->max_pairs > PAIR_TABLE_MAX_PAIRS)
		return -EINVAL;
	if (config->verdict_window < 1 || config->verdict_window > VERDICT_WINDOW_MAX)
		return -EINVAL;
	/* A verdict needs min_reports results in a window that never holds more. */
	if (config->verdict_min_reports > config->verdict_window)
		return -EINVAL;
	if (!(config->verdict_threshold >= 0.0 && config->verdict_threshold <= 1.0))
		return -EINVAL;
	return 0;
}

/* Same division as the definition (cg / reports >= threshold), done once here. */
static void fill_cg_needed(struct pair_table *table, double threshold)
{
	unsigned int reports, cg;

	table->cg_needed[0] = 0;
	for (reports = 1; reports <= VERDICT_WINDOW_MAX; reports++) {
		for (cg = 0; cg <= reports; cg++)
			if ((double)cg / reports >= threshold)
				break;
		table->cg_needed[reports] = cg; /* reports + 1: never */
	}
}

struct pair_table *pair_table_create(const struct pair_table_config *config, pair_event_fn on_event,
				     void *event_ctx)
{
	struct pair_table *table;
	uint32_t slots = 2, i;
	int ret;

	ret = check_config(config);
	if (ret < 0) {
		errno = -ret;
		return NULL;
	}
	table = calloc(1, sizeof(*table));
	if (table == NULL)
		goto fail;
	while (slots < 2 * config->max_pairs)
		slots <<= 1;
	table->max_pairs = config->max_pairs;
	table->index_mask = slots - 1;
	table->entries_bytes =
		(size_t)config->max_pairs * (sizeof(struct pair_entry) + sizeof(uint64_t));
	table->index_bytes = (size_t)slots * sizeof(struct index_slot);
	table->entries = table_alloc(&table->entries_bytes);
	table->index = table_alloc(&table->index_bytes);
	if (table->entries == NULL || table->index == NULL)
		goto fail;
	table->first_seen_ns = (uint64_t *)(table->entries + config->max_pairs);
	/* Touch every page now: the table's footprint never grows afterwards. */
	memset(table->entries, 0, table->entries_bytes);
	memset(table->index, 0xff, table->index_bytes);
	for (i = 0; i < config->max_pairs; i++) {
		table->entries[i].lru_prev = ENTRY_FREE;
		table->entries[i].lru_next = i + 1 < config->max_pairs ? i + 1 : ENTRY_NONE;
	}
	table->free_head = 0;
	table->lru_head = ENTRY_NONE;
	table->lru_tail = ENTRY_NONE;
	table->pair_timeout_ns = config->pair_timeout_ns;
	table->window_size = config->verdict_window;
	table->min_reports = config->verdict_min_reports;
	fill_cg_needed(table, config->verdict_threshold);
	table->on_event = on_event;
	table->event_ctx = event_ctx;
	return table;
fail:
	pair_table_free(table);
	errno = ENOMEM;
	return NULL;
}

void pair_table_free(struct pair_table *table)
{
	if (table == NULL)
		return;
	free(table->entries);
	free(table->index);
	free(table);
}

size_t pair_table_memory(const struct pair_table *table)
{
	return sizeof(*table) + table->entries_bytes + table->index_bytes;
}

uint32_t pair_table_count(const struct pair_table *table)
{
	return table->count;
}

void pair_table_get_counters(const struct pair_table *table, struct pair_table_counters *out)
{
	*out = table->counters;
}

static inline uint32_t slot_distance(const struct pair_table *table, uint32_t slot, uint32_t hash)
{
	return (slot - hash) & table->index_mask;
}

/*
 * The pair's entry, or ENTRY_NONE with *stop_slot / *stop_distance where an
 * insertion would start.  Robin Hood order lets a miss stop at the first
 * slot whose occupant sits closer to its home than the key would.
 */
static inline uint32_t index_find(const struct pair_table *table, const struct ip_pair *pair,
				  uint32_t hash, uint32_t *stop_slot, uint32_t *stop_distance)
{
	uint32_t slot = hash & table->index_mask, distance = 0;

	for (;;) {
		const struct index_slot *s = &table->index[slot];

		if (s->entry == ENTRY_NONE || slot_distance(table, slot, s->hash) < distance)
			break;
		if (s->hash == hash && ip_pair_same(&table->entries[s->entry].pair, pair))
			return s->entry;
		slot = (slot + 1) & table->index_mask;
		distance++;
	}
	*stop_slot = slot;
	*stop_distance = distance;
	return ENTRY_NONE;
}

static void index_insert(struct pair_table *table, uint32_t slot, uint32_t distance,
			 struct index_slot item)
{
	for (;;) {
		struct index_slot *s = &table->index[slot];
		uint32_t occupant_distance;

		if (s->entry == ENTRY_NONE) {
			*s = item;
			return;
		}
		occupant_distance = slot_distance(table, slot, s->hash);
		if (occupant_distance < distance) {
			struct index_slot displaced = *s;

			*s = item;
			item = displaced;
			distance = occupant_distance;
		}
		slot = (slot + 1) & table->index_mask;
		distance++;
	}
}

static void index_remove(struct pair_table *table, uint32_t entry, uint32_t hash)
{
	uint32_t slot = hash & table->index_mask, next;

	while (table->index[slot].entry != entry)
		slot = (slot + 1) & table->index_mask;
	/* Backward shift: pull the following displaced slots one step home. */
	for (;;) {
		next = (slot + 1) & table->index_mask;
		if (table->index[next].entry == ENTRY_NONE ||
		    slot_distance(table, next, table->index[next].hash) == 0)
			break;
		table->index[slot] = table->index[next];
		slot = next;
	}
	table->index[slot].entry = ENTRY_NONE;
}

static inline void lru_unlink(struct pair_table *table, struct pair_entry *e)
{
	if (e->lru_prev != ENTRY_NONE)
		table->entries[e->lru_prev].lru_next = e->lru_next;
	else
		table->lru_head = e->lru_next;
	if (e->lru_next != ENTRY_NONE)
		table->entries[e->lru_next].lru_prev = e->lru_prev;
	else
		table->lru_tail = e->lru_prev;
}

static inline void lru_push_head(struct pair_table *table, uint32_t idx)
{
	struct pair_entry *e = &table->entries[idx];

	e->lru_prev = ENTRY_NONE;
	e->lru_next = table->lru_head;
	if (table->lru_head != ENTRY_NONE)
		table->entries[table->lru_head].lru_prev = idx;
	else
		table->lru_tail = idx;
	table->lru_head = idx;
}

static void fill_stats(const struct pair_table *table, const struct pair_entry *e,
		       struct pair_stats *out)
{
	out->pair = e->pair;
	out->hash = e->hash;
	out->cg = e->cg;
	out->ncg = e->ncg;
	out->first_seen_ns = table->first_seen_ns[e - table->entries];
	out->last_seen_ns = e->last_seen_ns;
	out->updated_ns = e->updated_ns;
	out->window_reports = e->window_reports;
	out->window_cg = e->window_cg;
	out->verdict = (enum pair_verdict)e->verdict;
}

static void emit(const struct pair_table *table, enum pair_event_kind kind,
		 const struct pair_entry *e, enum pair_verdict previous, uint64_t now_ns)
{
	struct pair_stats stats;

	if (table->on_event == NULL)
		return;
	fill_stats(table, e, &stats);
	table->on_event(kind, &stats, previous, now_ns, table->event_ctx);
}

static void remove_entry(struct pair_table *table, uint32_t idx, enum pair_event_kind kind,
			 uint64_t now_ns)
{
	struct pair_entry *e = &table->entries[idx];

	emit(table, kind, e, (enum pair_verdict)e->verdict, now_ns);
	if (e->verdict == VERDICT_CG)
		table->counters.cg_pairs--;
	index_remove(table, idx, e->hash);
	lru_unlink(table, e);
	e->lru_prev = ENTRY_FREE;
	e->lru_next = table->free_head;
	table->free_head = idx;
	table->count--;
}

static uint32_t insert_entry(struct pair_table *table, const struct ip_pair *pair, uint32_t hash,
			     uint32_t slot, uint32_t distance, uint64_t now_ns, uint64_t seen_ns)
{
	struct pair_entry *e;
	uint32_t idx;

	if (table->count == table->max_pairs) {
		remove_entry(table, table->lru_tail, PAIR_EVENT_EVICTED, now_ns);
		table->counters.evicted++;
		/* The backward shift may have moved the insertion point. */
		index_find(table, pair, hash, &slot, &distance);
	}
	idx = table->free_head;
	e = &table->entries[idx];
	table->free_head = e->lru_next;
	if (idx >= table->entries_used)
		table->entries_used = idx + 1;
	memset(e, 0, sizeof(*e));
	e->pair = *pair;
	e->hash = hash;
	e->verdict = VERDICT_UNKNOWN;
	table->first_seen_ns[idx] = seen_ns;
	e->last_seen_ns = seen_ns;
	e->updated_ns = now_ns;
	index_insert(table, slot, distance, (struct index_slot){.hash = hash, .entry = idx});
	lru_push_head(table, idx);
	table->count++;
	table->counters.inserted++;
	return idx;
}

static inline void window_push(const struct pair_table *table, struct pair_entry *e, bool is_cg)
{
	unsigned int pos = e->window_pos, word = pos / 64;
	uint64_t bit = UINT64_C(1) << (pos % 64);

	if (e->window_reports == table->window_size)
		e->window_cg -= (e->window[word] & bit) != 0;
	else
		e->window_reports++;
	if (is_cg) {
		e->window[word] |= bit;
		e->window_cg++;
	} else {
		e->window[word] &= ~bit;
	}
	e->window_pos = pos + 1 == table->window_size ? 0 : pos + 1;
}

static inline enum pair_verdict window_verdict(const struct pair_table *table,
					       const struct pair_entry *e)
{
	if (e->window_reports < table->min_reports)
		return VERDICT_UNKNOWN;
	return e->window_cg >= table->cg_needed[e->window_reports] ? VERDICT_CG : VERDICT_NCG;
}

void pair_table_update(struct pair_table *table, const struct ip_pair *pair, uint32_t hash,
		       bool is_cg, uint64_t now_ns, uint64_t seen_ns)
{
	uint32_t slot = 0, distance = 0, idx;
	enum pair_verdict previous, verdict;
	struct pair_entry *e;

	idx = index_find(table, pair, hash, &slot, &distance);
	if (idx == ENTRY_NONE) {
		idx = insert_entry(table, pair, hash, slot, distance, now_ns, seen_ns);
	} else if (idx != table->lru_head) {
		lru_unlink(table, &table->entries[idx]);
		lru_push_head(table, idx);
	}
	e = &table->entries[idx];
	if (is_cg)
		e->cg++;
	else
		e->ncg++;
	/* Results from several classifiers may arrive slightly out of order. */
	if (now_ns > e->updated_ns)
		e->updated_ns = now_ns;
	if (seen_ns > e->last_seen_ns)
		e->last_seen_ns = seen_ns;
	window_push(table, e, is_cg);
	previous = (enum pair_verdict)e->verdict;
	verdict = window_verdict(table, e);
	if (verdict == previous)
		return;
	e->verdict = verdict;
	table->counters.cg_pairs += (verdict == VERDICT_CG) - (previous == VERDICT_CG);
	emit(table, PAIR_EVENT_VERDICT, e, previous, now_ns);
}

/*
 * Start fetching the index slot, entry and LRU neighbours a result will
 * touch.  always_inline: GCC takes a function whose only effect is a
 * prefetch for a pure one and drops the call.
 */
static inline __attribute__((always_inline)) void prefetch_index(const struct pair_table *table,
								 uint32_t hash)
{
	__builtin_prefetch(&table->index[hash & table->index_mask]);
}

/* Only hints: what is read here is read again when the result's turn comes. */
static inline const struct pair_entry *guess_entry(const struct pair_table *table, uint32_t hash)
{
	uint32_t slot = hash & table->index_mask, distance;

	for (distance = 0; distance < 4; distance++) {
		const struct index_slot *s = &table->index[slot];

		if (s->entry == ENTRY_NONE)
			return NULL;
		if (s->hash == hash)
			return &table->entries[s->entry];
		slot = (slot + 1) & table->index_mask;
	}
	return NULL;
}

static inline __attribute__((always_inline)) void prefetch_entry(const struct pair_table *table,
								 uint32_t hash)
{
	const struct pair_entry *e = guess_entry(table, hash);

	if (e == NULL)
		return;
	__builtin_prefetch(e, 1);
	__builtin_prefetch((const char *)e + sizeof(*e) - 1, 1);
}

static inline __attribute__((always_inline)) void
prefetch_neighbours(const struct pair_table *table, uint32_t hash)
{
	const struct pair_entry *e = guess_entry(table, hash);

	if (e == NULL)
		return;
	if (e->lru_prev != ENTRY_NONE)
		__builtin_prefetch(&table->entries[e->lru_prev], 1);
	if (e->lru_next != ENTRY_NONE)
		__builtin_prefetch(&table->entries[e->lru_next], 1);
}

/*
 * Same as pair_table_update on each update in order, as a software
 * pipeline: while update i is counted, the LRU neighbours, entries and index
 * slots of the following results are on their way from memory.
 */
void pair_table_update_burst(struct pair_table *table, const struct pair_update *updates,
			     unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count + PREFETCH_INDEX_AHEAD; i++) {
		if (i < count)
			prefetch_index(table, updates[i].hash);
		if (i >= PREFETCH_INDEX_AHEAD - PREFETCH_ENTRY_AHEAD &&
		    i - (PREFETCH_INDEX_AHEAD - PREFETCH_ENTRY_AHEAD) < count)
			prefetch_entry(
				table,
				updates[i - (PREFETCH_INDEX_AHEAD - PREFETCH_ENTRY_AHEAD)].hash);
		if (i >= PREFETCH_INDEX_AHEAD - PREFETCH_LINKS_AHEAD &&
		    i - (PREFETCH_INDEX_AHEAD - PREFETCH_LINKS_AHEAD) < count)
			prefetch_neighbours(
				table,
				updates[i - (PREFETCH_INDEX_AHEAD - PREFETCH_LINKS_AHEAD)].hash);
		if (i >= PREFETCH_INDEX_AHEAD) {
			const struct pair_update *r = &updates[i - PREFETCH_INDEX_AHEAD];

			pair_table_update(table, &r->pair, r->hash, r->is_cg, r->rx_time_ns,
					  r->seen_ns);
		}
	}
}

unsigned int pair_table_expire(struct pair_table *table, uint64_t now_ns, unsigned int max_count)
{
	uint64_t cutoff;
	unsigned int expired = 0;

	if (table->pair_timeout_ns == 0 || now_ns <= table->pair_timeout_ns)
		return 0;
	cutoff = now_ns - table->pair_timeout_ns;
	/* The LRU tail is the oldest: the first one recent enough ends the expiry. */
	while (expired < max_count && table->lru_tail != ENTRY_NONE &&
	       table->entries[table->lru_tail].updated_ns < cutoff) {
		remove_entry(table, table->lru_tail, PAIR_EVENT_EXPIRED, now_ns);
		expired++;
	}
	table->counters.expired += expired;
	return expired;
}

int pair_table_lookup(const struct pair_table *table, const struct ip_pair *pair, uint32_t hash,
		      struct pair_stats *out)
{
	uint32_t slot, distance, idx;

	idx = index_find(table, pair, hash, &slot, &distance);
	if (idx == ENTRY_NONE)
		return -ENOENT;
	fill_stats(table, &table->entries[idx], out);
	return 0;
}

void pair_table_foreach(const struct pair_table *table,
			void (*fn)(const struct pair_stats *stats, void *ctx), void *ctx)
{
	struct pair_stats stats;
	uint32_t idx;

	for (idx = table->lru_head; idx != ENTRY_NONE; idx = table->entries[idx].lru_next) {
		fill_stats(table, &table->entries[idx], &stats);
		fn(&stats, ctx);
	}
}

uint32_t pair_table_walk(const struct pair_table *table, uint32_t cursor, uint32_t budget,
			 void (*fn)(const struct pair_stats *stats, void *ctx), void *ctx)
{
	struct pair_stats stats;
	uint32_t end;

	if (cursor >= table->entries_used)
		return PAIR_TABLE_WALK_DONE;
	end = budget < table->entries_used - cursor ? cursor + budget : table->entries_used;
	for (; cursor < end; cursor++) {
		const struct pair_entry *e = &table->entries[cursor];

		if (e->lru_prev == ENTRY_FREE)
			continue;
		fill_stats(table, e, &stats);
		fn(&stats, ctx);
	}
	return cursor < table->entries_used ? cursor : PAIR_TABLE_WALK_DONE;
}

unsigned int pair_table_max_probe(const struct pair_table *table)
{
	unsigned int longest = 0;
	uint32_t slot;

	for (slot = 0; slot <= table->index_mask; slot++) {
		const struct index_slot *s = &table->index[slot];
		unsigned int probes;

		if (s->entry == ENTRY_NONE)
			continue;
		probes = slot_distance(table, slot, s->hash) + 1;
		if (probes > longest)
			longest = probes;
	}
	return longest;
}
