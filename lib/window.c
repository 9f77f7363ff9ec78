/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conversation table of the traffic windows: a fixed array of flows, an
 * open-addressing index over it (linear probing, backward-shift deletion),
 * an LRU list threaded through the flows by index, and a pool of value
 * chunks with a free list.  Everything is allocated by window_table_create;
 * the per-packet path allocates nothing, walks nothing but its own flow's
 * chunks when a window closes, and makes no system call.
 *
 * The key is the unordered IP pair (ports ignored, as the probe).  "Up" is
 * the source of the conversation's first packet (after creation or after it
 * was forgotten), everything else is "down".
 *
 * The probe's purge walks its whole map every 15 s of packet time.  Here a
 * purge is one instant (purge_epoch, last_purge_us): a flow last seen
 * before it is forgotten when next seen if its window had ended 2 s before
 * that instant.  The purges are at increasing times and a flow's end time
 * only changes when it is seen, so checking the latest purge is the same as
 * checking each one: the same conversations are forgotten, with no walk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "window_internal.h"

#define FLOW_NONE UINT32_MAX
#define HUGE_PAGE_SIZE (2u << 20)
#define MICROSECONDS_PER_SECOND 1000000u
#define NANOSECONDS_PER_MICROSECOND 1000u
/* Every chunk is numbered in 32 bits: at most 2^32 - 2 of them. */
#define WINDOW_MAX_WINDOW_PACKETS (UINT32_MAX - WINDOW_CHUNK_VALUES)

enum { DIRECTION_UP, DIRECTION_DOWN };

/* 192 bytes: the line the lookup reads, then one line per direction. */
struct window_flow {
	uint32_t lru_prev;    /* more recently seen neighbour, FLOW_NONE at the head */
	uint32_t lru_next;    /* less recently seen neighbour; the free list's link */
	uint32_t hash;	      /* ip_pair_hash of the pair */
	uint32_t purge_epoch; /* the table's purge count when this flow was last seen */
	struct ip_addr up;    /* source of the first packet */
	struct ip_addr down;
	uint64_t end_us;       /* the current window ends here: first packet + 33 ms */
	uint64_t last_seen_us; /* latest packet time of either direction */
	struct window_direction directions[2];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct window_flow) == 192, "window_flow layout");

struct index_slot {
	uint32_t hash;
	uint32_t flow; /* FLOW_NONE: empty */
};

struct window_table {
	struct window_flow *flows;
	struct index_slot *index;
	struct window_value_chunk *chunks;
	size_t memory;
	uint64_t hash_seed;
	enum window_stats_mode mode;
	uint32_t index_mask;
	uint32_t max_flows;
	uint32_t flow_count;
	uint32_t free_flow;
	uint32_t lru_head;
	uint32_t lru_tail;
	uint32_t free_chunk;
	uint64_t idle_timeout_us;
	/* The probe's purge clock (probe mode). */
	bool purged_once;
	uint32_t purge_epoch;
	uint64_t last_purge_us;
	struct window_counters counters;
};

/*
 * Cache-line aligned; large arrays on 2 MB boundaries with a hint for
 * transparent huge pages, as lib/pair_table.c: at 1 M conversations every
 * packet touches random pages, and 4 kB pages would add a TLB miss to each
 * cache miss.
 */
static void *table_alloc(size_t bytes, size_t *total)
{
	size_t align = bytes >= HUGE_PAGE_SIZE ? HUGE_PAGE_SIZE : 64;
	size_t rounded = (bytes + align - 1) & ~(align - 1);
	void *mem = aligned_alloc(align, rounded == 0 ? align : rounded);

	if (mem != NULL && align == HUGE_PAGE_SIZE)
		madvise(mem, rounded, MADV_HUGEPAGE); /* a hint: failure is harmless */
	*total += rounded;
	return mem;
}

struct window_table *window_table_create(const struct window_config *config, uint64_t hash_seed)
{
	struct window_table *table;
	uint32_t index_size = 2, chunk_count = 0;

	if (config == NULL || config->max_flows == 0 || config->max_flows > WINDOW_MAX_FLOWS ||
	    (config->mode != WINDOW_STATS_PROBE && config->mode != WINDOW_STATS_EXACT) ||
	    config->max_window_packets > WINDOW_MAX_WINDOW_PACKETS) {
		errno = EINVAL;
		return NULL;
	}
	/* Exact mode keeps sums only: no pool. */
	if (config->mode == WINDOW_STATS_PROBE)
		chunk_count = (config->max_window_packets + WINDOW_CHUNK_VALUES - 1) /
			      WINDOW_CHUNK_VALUES;
	/* At most half full: short probe sequences. */
	while (index_size < 2 * (uint64_t)config->max_flows)
		index_size *= 2;

	table = calloc(1, sizeof(*table));
	if (table == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	table->memory = sizeof(*table);
	table->flows =
		table_alloc((size_t)config->max_flows * sizeof(struct window_flow), &table->memory);
	table->index = table_alloc((size_t)index_size * sizeof(struct index_slot), &table->memory);
	table->chunks = table_alloc((size_t)chunk_count * sizeof(struct window_value_chunk),
				    &table->memory);
	if (table->flows == NULL || table->index == NULL || table->chunks == NULL) {
		window_table_free(table);
		errno = ENOMEM;
		return NULL;
	}
	table->hash_seed = hash_seed;
	table->mode = config->mode;
	table->max_flows = config->max_flows;
	table->index_mask = index_size - 1;
	table->idle_timeout_us = (config->idle_timeout_ns != 0 ? config->idle_timeout_ns
							       : WINDOW_IDLE_TIMEOUT_DEFAULT_NS) /
				 NANOSECONDS_PER_MICROSECOND;
	for (uint32_t i = 0; i < index_size; i++)
		table->index[i].flow = FLOW_NONE;
	for (uint32_t i = 0; i < config->max_flows; i++)
		table->flows[i].lru_next = i + 1 < config->max_flows ? i + 1 : FLOW_NONE;
	table->free_flow = 0;
	for (uint32_t i = 0; i < chunk_count; i++)
		table->chunks[i].next = i + 1 < chunk_count ? i + 1 : WINDOW_CHUNK_NONE;
	table->free_chunk = chunk_count > 0 ? 0 : WINDOW_CHUNK_NONE;
	table->lru_head = table->lru_tail = FLOW_NONE;
	return table;
}

void window_table_free(struct window_table *table)
{
	if (table == NULL)
		return;
	free(table->flows);
	free(table->index);
	free(table->chunks);
	free(table);
}

size_t window_table_memory(const struct window_table *table)
{
	return table->memory;
}

void window_table_get_counters(const struct window_table *table, struct window_counters *out)
{
	*out = table->counters;
	out->flows_active = table->flow_count;
}

/* ---- index ---- */

static inline bool same_address(const struct ip_addr *a, const struct ip_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static uint32_t flow_find(const struct window_table *table, const struct window_packet *packet,
			  uint32_t hash)
{
	for (uint32_t slot = hash & table->index_mask;; slot = (slot + 1) & table->index_mask) {
		const struct index_slot *s = &table->index[slot];
		const struct window_flow *flow;

		if (s->flow == FLOW_NONE)
			return FLOW_NONE;
		if (s->hash != hash)
			continue;
		flow = &table->flows[s->flow];
		if ((same_address(&flow->up, &packet->src) &&
		     same_address(&flow->down, &packet->dst)) ||
		    (same_address(&flow->up, &packet->dst) &&
		     same_address(&flow->down, &packet->src)))
			return s->flow;
	}
}

static void index_insert(struct window_table *table, uint32_t hash, uint32_t flow)
{
	uint32_t slot = hash & table->index_mask;

	while (table->index[slot].flow != FLOW_NONE)
		slot = (slot + 1) & table->index_mask;
	table->index[slot].hash = hash;
	table->index[slot].flow = flow;
}

/* Backward-shift deletion: the slots after the hole move back if their home allows. */
static void index_remove(struct window_table *table, uint32_t hash, uint32_t flow)
{
	uint32_t mask = table->index_mask, hole = hash & mask, next;

	while (table->index[hole].flow != flow)
		hole = (hole + 1) & mask;
	for (next = (hole + 1) & mask; table->index[next].flow != FLOW_NONE;
	     next = (next + 1) & mask) {
		uint32_t home = table->index[next].hash & mask;

		/* The entry may fill the hole if its home is not between the hole and it. */
		if (((next - home) & mask) >= ((next - hole) & mask)) {
			table->index[hole] = table->index[next];
			hole = next;
		}
	}
	table->index[hole].flow = FLOW_NONE;
}

/* ---- LRU list ---- */

static void lru_unlink(struct window_table *table, uint32_t id)
{
	struct window_flow *flow = &table->flows[id];

	if (flow->lru_prev != FLOW_NONE)
		table->flows[flow->lru_prev].lru_next = flow->lru_next;
	else
		table->lru_head = flow->lru_next;
	if (flow->lru_next != FLOW_NONE)
		table->flows[flow->lru_next].lru_prev = flow->lru_prev;
	else
		table->lru_tail = flow->lru_prev;
}

static void lru_push_head(struct window_table *table, uint32_t id)
{
	struct window_flow *flow = &table->flows[id];

	flow->lru_prev = FLOW_NONE;
	flow->lru_next = table->lru_head;
	if (table->lru_head != FLOW_NONE)
		table->flows[table->lru_head].lru_prev = id;
	else
		table->lru_tail = id;
	table->lru_head = id;
}

static void lru_touch(struct window_table *table, uint32_t id)
{
	if (table->lru_head == id)
		return;
	lru_unlink(table, id);
	lru_push_head(table, id);
}

/* ---- windows ---- */

/* Gives a direction's chunks back to the pool in one splice, and empties it. */
static void direction_reset(struct window_table *table, struct window_direction *direction)
{
	if (direction->first_chunk != WINDOW_CHUNK_NONE) {
		table->chunks[direction->last_chunk].next = table->free_chunk;
		table->free_chunk = direction->first_chunk;
	}
	direction->size_sum = direction->iat_sum = direction->size_square_sum = 0;
	direction->iat_square_sum = 0;
	direction->count = direction->last_iat = 0;
	direction->first_chunk = direction->last_chunk = WINDOW_CHUNK_NONE;
	direction->values_lost = 0;
}

/* Keeps a packet's values for the float32 variance, or marks them lost. */
static void direction_keep_values(struct window_table *table, struct window_direction *direction,
				  uint32_t size, uint32_t iat)
{
	uint32_t at = direction->count % WINDOW_CHUNK_VALUES;
	struct window_value_chunk *chunk;

	if (direction->values_lost) {
		table->counters.packets_beyond_pool++;
		return;
	}
	if (at == 0) {
		uint32_t fresh = table->free_chunk;

		if (fresh == WINDOW_CHUNK_NONE) {
			direction->values_lost = 1;
			table->counters.packets_beyond_pool++;
			return;
		}
		table->free_chunk = table->chunks[fresh].next;
		table->chunks[fresh].next = WINDOW_CHUNK_NONE;
		if (direction->first_chunk == WINDOW_CHUNK_NONE)
			direction->first_chunk = fresh;
		else
			table->chunks[direction->last_chunk].next = fresh;
		direction->last_chunk = fresh;
	}
	chunk = &table->chunks[direction->last_chunk];
	chunk->sizes[at] = (uint16_t)size;
	chunk->iats[at] = iat;
}

/*
 * The probe's IAT: tv_usec of timersub(now, last), i.e. the difference
 * modulo one second, in [0, 999999] even when the clock went backwards.
 * Exact mode keeps the seconds, gives 0 to a packet older than the
 * direction's latest one, and saturates at 2^32 - 1 us (71 minutes).
 */
static uint32_t packet_iat(const struct window_table *table, struct window_direction *direction,
			   uint64_t time_us)
{
	if (table->mode == WINDOW_STATS_PROBE) {
		int64_t difference = (int64_t)(time_us - direction->last_time_us);
		int64_t modulo = difference % MICROSECONDS_PER_SECOND;

		direction->last_time_us = time_us;
		return (uint32_t)(modulo < 0 ? modulo + MICROSECONDS_PER_SECOND : modulo);
	}
	if (time_us <= direction->last_time_us)
		return 0;
	uint64_t gap = time_us - direction->last_time_us;

	direction->last_time_us = time_us;
	return gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
}

static void flow_add_packet(struct window_table *table, struct window_flow *flow,
			    const struct window_packet *packet, uint64_t time_us)
{
	int side = same_address(&packet->src, &flow->up) ? DIRECTION_UP : DIRECTION_DOWN;
	struct window_direction *direction = &flow->directions[side];
	uint32_t size = packet->udp_length > UINT16_MAX ? UINT16_MAX : packet->udp_length;
	uint32_t iat = packet_iat(table, direction, time_us);

	if (table->mode == WINDOW_STATS_PROBE)
		direction_keep_values(table, direction, size, iat);
	direction->count++;
	direction->size_sum += size;
	direction->size_square_sum += (uint64_t)size * size;
	direction->iat_sum += iat;
	direction->iat_square_sum += (unsigned __int128)((uint64_t)iat * iat);
	direction->last_iat = iat;
	if (time_us > flow->last_seen_us)
		flow->last_seen_us = time_us;
}

/* Writes the flow's current window as a report and empties it (IAT origins stay). */
static void flow_emit(struct window_table *table, struct window_flow *flow, struct report *out)
{
	memset(out, 0, sizeof(*out));
	out->src = flow->up;
	out->dst = flow->down;
	/*
	 * As the probe's text would say them (dotted quads for IPv4): the LAN
	 * prefixes then match as in report mode.  An IPv6 packet between
	 * IPv4-mapped addresses shares the IPv4 pair's conversation (the key
	 * has no family), a known limit.
	 */
	out->src_family = ip_is_v4(&flow->up) ? IP_FAMILY_V4 : IP_FAMILY_V6;
	out->dst_family = ip_is_v4(&flow->down) ? IP_FAMILY_V4 : IP_FAMILY_V6;
	if (table->mode == WINDOW_STATS_PROBE) {
		if (flow->directions[DIRECTION_UP].values_lost ||
		    flow->directions[DIRECTION_DOWN].values_lost)
			table->counters.windows_inexact++;
		window_stats_probe(&flow->directions[DIRECTION_UP], table->chunks, out->up);
		window_stats_probe(&flow->directions[DIRECTION_DOWN], table->chunks, out->down);
	} else {
		window_stats_exact(&flow->directions[DIRECTION_UP], out->up);
		window_stats_exact(&flow->directions[DIRECTION_DOWN], out->down);
	}
	direction_reset(table, &flow->directions[DIRECTION_UP]);
	direction_reset(table, &flow->directions[DIRECTION_DOWN]);
	table->counters.windows_closed++;
}

/* Forgotten by the probe's purge (probe mode) or idle (exact mode) at time_us. */
static bool flow_forgotten(const struct window_table *table, const struct window_flow *flow,
			   uint64_t time_us)
{
	if (table->mode == WINDOW_STATS_PROBE)
		return flow->purge_epoch != table->purge_epoch &&
		       flow->end_us + WINDOW_PURGE_IDLE_US <= table->last_purge_us;
	return flow->last_seen_us + table->idle_timeout_us <= time_us;
}

/*
 * Removes a flow from the table.  Its pending window goes to *out in exact
 * mode (returns 1) and is lost in probe mode, as at the probe's purge.
 */
static int flow_remove(struct window_table *table, uint32_t id, struct report *out)
{
	struct window_flow *flow = &table->flows[id];
	int written = 0;

	if (table->mode == WINDOW_STATS_EXACT) {
		flow_emit(table, flow, out);
		table->counters.windows_idle++;
		written = 1;
	} else {
		direction_reset(table, &flow->directions[DIRECTION_UP]);
		direction_reset(table, &flow->directions[DIRECTION_DOWN]);
		table->counters.windows_lost++;
	}
	index_remove(table, flow->hash, id);
	lru_unlink(table, id);
	flow->lru_next = table->free_flow;
	table->free_flow = id;
	table->flow_count--;
	return written;
}

/* A new conversation at this packet; a full table gives up its least recently seen one. */
static int flow_create(struct window_table *table, const struct window_packet *packet,
		       uint32_t hash, uint64_t time_us, struct report *out)
{
	struct window_flow *flow;
	int written = 0;
	uint32_t id;

	if (table->free_flow == FLOW_NONE) {
		uint32_t victim = table->lru_tail;

		if (flow_forgotten(table, &table->flows[victim], time_us))
			table->counters.flows_purged++;
		else
			table->counters.flows_evicted++;
		written = flow_remove(table, victim, out);
	}
	id = table->free_flow;
	flow = &table->flows[id];
	table->free_flow = flow->lru_next;
	table->flow_count++;
	table->counters.flows_created++;

	flow->hash = hash;
	flow->up = packet->src;
	flow->down = packet->dst;
	flow->end_us = time_us + WINDOW_LENGTH_US;
	flow->last_seen_us = time_us;
	/* Both IAT origins at the first packet [packetparser.cpp:235]. */
	for (int side = DIRECTION_UP; side <= DIRECTION_DOWN; side++) {
		flow->directions[side].first_chunk = WINDOW_CHUNK_NONE;
		direction_reset(table, &flow->directions[side]);
		flow->directions[side].last_time_us = time_us;
	}
	index_insert(table, hash, id);
	lru_push_head(table, id);
	flow_add_packet(table, flow, packet, time_us);
	flow->purge_epoch = table->purge_epoch;
	return written;
}

/*
 * The probe's purge trigger [packetparser.cpp:128-133], after the packet:
 * at the first packet (its last_purge is read as {0, 0}: see PROBE.md
 * section 6; here that is said outright, so a capture starting near time 0
 * behaves as a real one), then at the first packet 15 s or more after the
 * previous trigger.
 */
static void probe_purge_clock(struct window_table *table, uint64_t time_us)
{
	if (table->purged_once &&
	    (int64_t)(time_us - table->last_purge_us) < (int64_t)WINDOW_PURGE_INTERVAL_US)
		return;
	table->purged_once = true;
	table->purge_epoch++;
	table->last_purge_us = time_us;
	table->counters.purges++;
}

static inline uint32_t packet_hash(const struct window_table *table,
				   const struct window_packet *packet)
{
	struct ip_pair pair = {.ip1 = packet->src, .ip2 = packet->dst};

	return ip_pair_hash(&pair, table->hash_seed);
}

static int account_hashed(struct window_table *table, const struct window_packet *packet,
			  uint32_t hash, struct report *out)
{
	uint64_t time_us = packet->time_ns / NANOSECONDS_PER_MICROSECOND; /* as libpcap truncates */
	uint32_t id = flow_find(table, packet, hash);
	struct window_flow *flow;
	int written = 0;

	table->counters.packets++;
	if (id != FLOW_NONE && flow_forgotten(table, &table->flows[id], time_us)) {
		table->counters.flows_purged++;
		written = flow_remove(table, id, out);
		id = FLOW_NONE;
	}
	if (id == FLOW_NONE) {
		/* A new conversation closes no window of its own: at most one report. */
		written += flow_create(table, packet, hash, time_us, out);
	} else {
		flow = &table->flows[id];
		lru_touch(table, id);
		int side = same_address(&packet->src, &flow->up) ? DIRECTION_UP : DIRECTION_DOWN;
		bool split = flow->directions[side].count >= WINDOW_DIRECTION_PACKETS_MAX;

		/* timercmp(ts, end, <) appends; anything else closes [packetparser.cpp:252-304]. */
		if (time_us >= flow->end_us || split) {
			flow_emit(table, flow, out);
			written = 1;
			table->counters.windows_split += !(time_us >= flow->end_us);
			flow->end_us = time_us + WINDOW_LENGTH_US;
		}
		flow_add_packet(table, flow, packet, time_us);
		flow->purge_epoch = table->purge_epoch;
	}
	if (table->mode == WINDOW_STATS_PROBE)
		probe_purge_clock(table, time_us);
	return written;
}

int window_table_account(struct window_table *table, const struct window_packet *packet,
			 struct report *out)
{
	return account_hashed(table, packet, packet_hash(table, packet), out);
}

/*
 * The flow a hash most likely names: the one in its home slot, if the slot
 * holds that hash.  Only a hint for prefetching (the lookup decides).
 */
static inline const struct window_flow *guess_flow(const struct window_table *table, uint32_t hash)
{
	const struct index_slot *slot = &table->index[hash & table->index_mask];

	if (slot->flow == FLOW_NONE || slot->hash != hash)
		return NULL;
	return &table->flows[slot->flow];
}

static inline __attribute__((always_inline)) void prefetch_flow(const struct window_table *table,
								uint32_t hash)
{
	const struct window_flow *flow = guess_flow(table, hash);

	if (flow == NULL)
		return;
	__builtin_prefetch(flow, 1);
	__builtin_prefetch(&flow->directions[DIRECTION_UP], 1);
	__builtin_prefetch(&flow->directions[DIRECTION_DOWN], 1);
}

/* What the update touches beyond the flow: its LRU neighbours and its last value chunks. */
static inline __attribute__((always_inline)) void prefetch_links(const struct window_table *table,
								 uint32_t hash)
{
	const struct window_flow *flow = guess_flow(table, hash);

	if (flow == NULL)
		return;
	if (flow->lru_prev != FLOW_NONE)
		__builtin_prefetch(&table->flows[flow->lru_prev], 1);
	if (flow->lru_next != FLOW_NONE)
		__builtin_prefetch(&table->flows[flow->lru_next], 1);
	for (int side = DIRECTION_UP; side <= DIRECTION_DOWN; side++)
		if (flow->directions[side].last_chunk != WINDOW_CHUNK_NONE)
			__builtin_prefetch(&table->chunks[flow->directions[side].last_chunk], 1);
}

unsigned int window_table_account_burst(struct window_table *table,
					const struct window_packet *packets, unsigned int count,
					struct report *reports)
{
	uint32_t hashes[WINDOW_BURST_MAX];
	unsigned int written = 0;

	for (unsigned int start = 0; start < count; start += WINDOW_BURST_MAX) {
		const struct window_packet *burst = &packets[start];
		unsigned int n =
			count - start < WINDOW_BURST_MAX ? count - start : WINDOW_BURST_MAX;

		/*
		 * Three stages over the whole burst before any packet is accounted:
		 * each stage's loads all miss at once (hashes -> index slots,
		 * slots -> flows, flows -> LRU neighbours and value chunks), so a
		 * burst waits about three memory latencies, not three per packet.
		 * Staggering the stages a few packets apart instead, as
		 * pair_table does, measured 260 ns a packet at 1 M conversations:
		 * the chain of three misses is longer than a few packets' work.
		 */
		for (unsigned int i = 0; i < n; i++) {
			hashes[i] = packet_hash(table, &burst[i]);
			__builtin_prefetch(&table->index[hashes[i] & table->index_mask]);
		}
		for (unsigned int i = 0; i < n; i++)
			prefetch_flow(table, hashes[i]);
		for (unsigned int i = 0; i < n; i++)
			prefetch_links(table, hashes[i]);
		for (unsigned int i = 0; i < n; i++)
			written += (unsigned int)account_hashed(table, &burst[i], hashes[i],
								&reports[written]);
	}
	return written;
}

unsigned int window_table_expire(struct window_table *table, uint64_t now_ns, struct report *out,
				 unsigned int max_reports)
{
	uint64_t now_us = now_ns / NANOSECONDS_PER_MICROSECOND;
	unsigned int written = 0, examined = 0;

	while (examined < max_reports && table->lru_tail != FLOW_NONE) {
		uint32_t id = table->lru_tail;

		/* Least recently seen first: the first one still alive ends the sweep. */
		if (!flow_forgotten(table, &table->flows[id], now_us))
			break;
		table->counters.flows_purged++;
		written += (unsigned int)flow_remove(table, id, &out[written]);
		examined++;
	}
	return written;
}
