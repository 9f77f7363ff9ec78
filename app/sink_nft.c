/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --nft-set FAMILY/TABLE/SET, --nft-set6 FAMILY/TABLE/SET: the pairs judged
 * cloud gaming, as elements "ip1 . ip2" (ip1 the client side, as in the CSV)
 * of an nftables set, kept with libnftables so that a router's ruleset acts
 * on them (README, "Acting on the verdict: nftables").
 *
 * The sink keeps its own map of the elements it holds, fed by the pair
 * events: a verdict that becomes cg puts the pair in, one that leaves cg,
 * an expiry or an eviction takes it out.  The changes of one control-loop
 * pass go to the kernel as one nft batch (one transaction) per flush:
 *
 *   add element F T S { put..., drop... }      make every element exist,
 *   delete element F T S { put..., drop... }   so that no delete can fail,
 *   add element F T S { put timeout Nms... }   then put back what stays
 *
 * which also restarts the timeout of an element that was already there:
 * nftables 1.0.6 keeps the old expiry when an existing element is added
 * again (checked on kernel 6.x).  With a timeout, every element is put again
 * every third of it, a slice of the map per pass (REFRESH_SLICE), so that
 * an element outlives cgnf only by its timeout.  Measured here: about 8 us
 * per element in such batches, 25 us with one command per element.
 *
 * At start-up (open) the table and the set must exist with the right type
 * (and the timeout flag when elements get a timeout); the set is flushed:
 * its elements are cgnf's.  At exit the final table is compared with the
 * map and the set made equal to its CG pairs (events lost to a full ring
 * included); the elements stay, until their timeout.
 *
 * A refused batch (the set deleted under cgnf's feet...) is counted in
 * nft_errors and fails this output (logged once, exit status non-zero);
 * cgnf goes on, and the next refresh puts the elements back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "ip.h"
#include "pair_set.h"

#include "app.h"
#include "log.h"
#include "sink.h"

RTE_LOG_REGISTER(cgnf_logtype_nft, cgnf.nft, INFO);

/* Elements put again per refresh slice (about 8 ms of nft work). */
#define REFRESH_SLICE 1024
/* A refresh round starts every timeout / REFRESH_PER_TIMEOUT. */
#define REFRESH_PER_TIMEOUT 3
#define REFRESH_MIN_NS 100000000ull
/* nftables names (NFT_NAME_MAXLEN is 256, with the NUL). */
#define NFT_NAME_MAX 256

enum nft_family_index {
	FAMILY_V4,
	FAMILY_V6,
	FAMILY_COUNT,
};

/* One set given on the command line. */
struct nft_target {
	const char *option; /* "--nft-set" */
	const char *text;   /* as given: FAMILY/TABLE/SET */
	char family[8];
	char table[NFT_NAME_MAX];
	char set[NFT_NAME_MAX];
	bool given;
	uint64_t timeout_ms;	     /* written on each element; 0: none */
	uint64_t refresh_timeout_ms; /* what the elements live (the set's default too); 0: ever */
};

/* The flags of an element in the sink's pair set. */
#define ELEMENT_V6 (1u << 0)	    /* an IPv6 pair: --nft-set6's */
#define ELEMENT_WANTED (1u << 1)    /* in the set once the pending changes are committed */
#define ELEMENT_PENDING (1u << 2)   /* in the pending list */
#define ELEMENT_SEEN (1u << 3)	    /* the final snapshot has it as CG */
#define ELEMENT_INSTALLED (1u << 4) /* in the kernel's set, as far as the last batch knows */

struct nft_sink {
	struct nft_ctx *ctx;
	struct nft_target targets[FAMILY_COUNT];

	/* The pairs cgnf holds in the sets, or is about to add or delete. */
	struct pair_set *pairs;

	/* Positions changed since the last commit, and positions to put again. */
	uint32_t *pending;
	uint32_t pending_count;
	uint32_t *refresh;
	uint32_t refresh_count;
	uint32_t lists_capacity; /* of each list: at least the pairs held */

	uint64_t refresh_interval_ns; /* 0: elements need no refresh */
	uint64_t next_refresh_ns;
	uint32_t refresh_cursor; /* next position of the round; count or more: round done */

	char *buffer; /* the batch text */
	size_t length, buffer_capacity;
};

static struct control_counters *counters_of(struct sink *sink)
{
	return sink->env->counters;
}

/* "inet/cgnf/cg" into the target; 0 or -EINVAL with sink->error set. */
static int parse_target(struct sink *sink, struct nft_target *target)
{
	static const char *const families[] = {"ip", "ip6", "inet", "bridge", "netdev"};
	const char *text = target->text, *first = strchr(text, '/');
	const char *second = first ? strchr(first + 1, '/') : NULL;
	size_t family_len, table_len, set_len;
	bool known = false;

	if (first == NULL || second == NULL || strchr(second + 1, '/') != NULL)
		goto malformed;
	family_len = (size_t)(first - text);
	table_len = (size_t)(second - first - 1);
	set_len = strlen(second + 1);
	if (family_len == 0 || table_len == 0 || set_len == 0 ||
	    family_len >= sizeof(target->family) || table_len >= NFT_NAME_MAX ||
	    set_len >= NFT_NAME_MAX)
		goto malformed;
	memcpy(target->family, text, family_len);
	target->family[family_len] = '\0';
	memcpy(target->table, first + 1, table_len);
	target->table[table_len] = '\0';
	strcpy(target->set, second + 1);
	/* Names go into nft's command text: only what its identifiers hold. */
	for (const char *c = first + 1; *c != '\0'; c++)
		if (!(*c == '/' || *c == '_' || *c == '-' || *c == '.' ||
		      (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z')))
			goto malformed;
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		known |= strcmp(target->family, families[f]) == 0;
	if (!known) {
		snprintf(sink->error, sizeof(sink->error),
			 "%s %s: unknown family '%s' (ip, ip6, inet, bridge or netdev)",
			 target->option, text, target->family);
		return -EINVAL;
	}
	return 0;
malformed:
	snprintf(sink->error, sizeof(sink->error),
		 "%s %s: expected FAMILY/TABLE/SET, e.g. inet/cgnf/cg (names of letters, digits, "
		 "'_', '-', '.')",
		 target->option, text);
	return -EINVAL;
}

/*
 * nft's error in one line: its first line, and the start of the command it
 * names on the second ("Error: No such file or directory: add element ...").
 */
static void first_error_line(const char *text, char *out, size_t size)
{
	const char *command;
	int first, second;

	if (text == NULL || text[0] == '\0')
		text = "nft refused the command (no error text)";
	first = (int)strcspn(text, "\n");
	command = text[first] == '\n' ? text + first + 1 : "";
	second = (int)strcspn(command, "\n");
	snprintf(out, size, "%.*s%s%.*s%s", first, text, second ? ": " : "",
		 second > 100 ? 100 : second, command, second > 100 ? "..." : "");
}

/*
 * Runs nft commands: 0, or -1 with *error its error text.  Each get of a
 * libnftables buffer empties it: both are emptied before the run.
 */
static int run_nft(struct nft_ctx *ctx, const char *commands, const char **error)
{
	nft_ctx_get_output_buffer(ctx);
	nft_ctx_get_error_buffer(ctx);
	if (nft_run_cmd_from_buffer(ctx, commands) == 0)
		return 0;
	*error = nft_ctx_get_error_buffer(ctx);
	return -1;
}

/* A start-up command: 0, or -errno with one clear line in sink->error. */
static int run_checked(struct sink *sink, struct nft_ctx *ctx, const struct nft_target *target,
		       const char *command, const char *missing)
{
	const char *error = NULL;
	char line[256];

	if (run_nft(ctx, command, &error) == 0)
		return 0;
	if (error != NULL && strstr(error, "Operation not permitted") != NULL) {
		snprintf(sink->error, sizeof(sink->error),
			 "%s %s: Operation not permitted: cgnf needs CAP_NET_ADMIN to use nftables "
			 "(run it as root, or give it the capability)",
			 target->option, target->text);
		return -EPERM;
	}
	if (missing != NULL && error != NULL &&
	    strstr(error, "No such file or directory") != NULL) {
		snprintf(sink->error, sizeof(sink->error), "%s %s: %s", target->option,
			 target->text, missing);
		return -ENOENT;
	}
	first_error_line(error, line, sizeof(line));
	snprintf(sink->error, sizeof(sink->error), "%s %s: %s", target->option, target->text, line);
	return -EIO;
}

/* "ipv4_addr . ipv4_addr" from the JSON type (a string or an array). */
static void describe_type(const json_t *type, char *out, size_t size)
{
	size_t i, used = 0;
	const json_t *item;

	out[0] = '\0';
	if (json_is_string(type)) {
		snprintf(out, size, "%s", json_string_value(type));
		return;
	}
	json_array_foreach(type, i, item)
	{
		int n = snprintf(out + used, size - used, "%s%s", i ? " . " : "",
				 json_is_string(item) ? json_string_value(item) : "?");

		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	if (out[0] == '\0')
		snprintf(out, size, "an unknown type");
}

static bool has_flag(const json_t *set, const char *flag)
{
	const json_t *flags = json_object_get(set, "flags"), *item;
	size_t i;

	if (json_is_string(flags))
		return strcmp(json_string_value(flags), flag) == 0;
	json_array_foreach(flags, i, item)
	{
		if (json_is_string(item) && strcmp(json_string_value(item), flag) == 0)
			return true;
	}
	return false;
}

/* The set's description from "list set" (JSON, terse); NULL when not found. */
static json_t *find_set(const char *output)
{
	json_t *root = json_loads(output, 0, NULL), *item, *set;
	size_t i;

	json_array_foreach(json_object_get(root, "nftables"), i, item)
	{
		set = json_object_get(item, "set");
		if (json_is_object(set)) {
			json_incref(set);
			json_decref(root);
			return set;
		}
	}
	json_decref(root);
	return NULL;
}

/*
 * The table and the set exist, the set holds pairs of the family, takes
 * timeouts if the elements carry one; then its elements are flushed.
 */
static int check_target(struct sink *sink, struct nft_ctx *ctx, struct nft_target *target,
			const char *address_type)
{
	const struct cgnf_config *config = &sink->env->app->config;
	char command[3 * NFT_NAME_MAX + 64], missing[NFT_NAME_MAX + 64], has[64], expected[32];
	json_t *set;
	int rc;

	snprintf(command, sizeof(command), "list table %s %s", target->family, target->table);
	snprintf(missing, sizeof(missing), "no such table %s %s", target->family, target->table);
	rc = run_checked(sink, ctx, target, command, missing);
	if (rc != 0)
		return rc;
	snprintf(command, sizeof(command), "list set %s %s %s", target->family, target->table,
		 target->set);
	rc = run_checked(sink, ctx, target, command, "no such set");
	if (rc != 0)
		return rc;
	set = find_set(nft_ctx_get_output_buffer(ctx));
	if (set == NULL) {
		snprintf(sink->error, sizeof(sink->error), "%s %s: nft listed no set",
			 target->option, target->text);
		return -EIO;
	}
	describe_type(json_object_get(set, "type"), has, sizeof(has));
	snprintf(expected, sizeof(expected), "%s . %s", address_type, address_type);
	rc = 0;
	if (strcmp(has, expected) != 0) {
		snprintf(sink->error, sizeof(sink->error),
			 "%s %s: type %s expected, the set has %s", target->option, target->text,
			 expected, has);
		rc = -EINVAL;
	} else if (has_flag(set, "constant")) {
		snprintf(sink->error, sizeof(sink->error),
			 "%s %s: the set is constant: cgnf cannot add elements", target->option,
			 target->text);
		rc = -EINVAL;
	} else if (config->pair_timeout_s > 0 && !has_flag(set, "timeout")) {
		snprintf(sink->error, sizeof(sink->error),
			 "%s %s: the set has no 'flags timeout', needed for --pair-timeout %g "
			 "(add it, or give --pair-timeout 0)",
			 target->option, target->text, config->pair_timeout_s);
		rc = -EINVAL;
	}
	if (rc == 0) {
		json_int_t set_timeout = json_integer_value(json_object_get(set, "timeout"));

		target->timeout_ms = (uint64_t)(config->pair_timeout_s * 1000.0 + 0.5);
		if (config->pair_timeout_s > 0 && target->timeout_ms == 0)
			target->timeout_ms = 1;
		/* Without a timeout of cgnf's, the set's own applies: refresh for it. */
		target->refresh_timeout_ms =
			target->timeout_ms != 0 ? target->timeout_ms : (uint64_t)set_timeout * 1000;
	}
	json_decref(set);
	if (rc != 0)
		return rc;
	snprintf(command, sizeof(command), "flush set %s %s %s", target->family, target->table,
		 target->set);
	return run_checked(sink, ctx, target, command, "no such set");
}

/* Whether the process may change nftables (asked first: libnftables prints its own line). */
static bool has_net_admin(void)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &header, data) != 0)
		return true; /* unknown: nft's own answer will say */
	return (data[CAP_NET_ADMIN / 32].effective >> (CAP_NET_ADMIN % 32)) & 1;
}

static void nft_sink_free(struct nft_sink *state)
{
	if (state->ctx != NULL)
		nft_ctx_free(state->ctx);
	pair_set_free(state->pairs);
	free(state->pending);
	free(state->refresh);
	free(state->buffer);
	free(state);
}

static bool nft_wanted(const struct cgnf_config *config)
{
	return config->nft_set[0] != '\0' || config->nft_set6[0] != '\0';
}

static int nft_sink_open(struct sink *sink)
{
	const struct cgnf_config *config = &sink->env->app->config;
	struct nft_sink *state = calloc(1, sizeof(*state));
	uint64_t shortest_ms = 0;
	int rc = 0;

	if (state == NULL)
		return -ENOMEM;
	sink->state = state;
	state->pairs = pair_set_create(sink->env->app->hash_seed);
	if (state->pairs == NULL) {
		free(state);
		sink->state = NULL;
		return -ENOMEM;
	}
	state->targets[FAMILY_V4] = (struct nft_target){.option = "--nft-set",
							.text = config->nft_set,
							.given = config->nft_set[0] != '\0'};
	state->targets[FAMILY_V6] = (struct nft_target){.option = "--nft-set6",
							.text = config->nft_set6,
							.given = config->nft_set6[0] != '\0'};
	for (unsigned int f = 0; f < FAMILY_COUNT && rc == 0; f++)
		if (state->targets[f].given)
			rc = parse_target(sink, &state->targets[f]);
	if (rc != 0)
		goto failed;
	if (!has_net_admin()) {
		const struct nft_target *target = &state->targets[config->nft_set[0] ? 0 : 1];

		snprintf(sink->error, sizeof(sink->error),
			 "%s %s: Operation not permitted: cgnf needs CAP_NET_ADMIN to use nftables "
			 "(run it as root, or give it the capability)",
			 target->option, target->text);
		rc = -EPERM;
		goto failed;
	}
	state->ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (state->ctx == NULL || nft_ctx_buffer_output(state->ctx) != 0 ||
	    nft_ctx_buffer_error(state->ctx) != 0) {
		snprintf(sink->error, sizeof(sink->error), "cannot create a libnftables context");
		rc = -ENOMEM;
		goto failed;
	}
	nft_ctx_output_set_flags(state->ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_TERSE);
	for (unsigned int f = 0; f < FAMILY_COUNT && rc == 0; f++) {
		struct nft_target *target = &state->targets[f];

		if (!target->given)
			continue;
		rc = check_target(sink, state->ctx, target,
				  f == FAMILY_V4 ? "ipv4_addr" : "ipv6_addr");
		if (rc == 0 && target->refresh_timeout_ms != 0 &&
		    (shortest_ms == 0 || target->refresh_timeout_ms < shortest_ms))
			shortest_ms = target->refresh_timeout_ms;
	}
	if (rc != 0)
		goto failed;
	nft_ctx_output_set_flags(state->ctx, 0);
	state->refresh_cursor = UINT32_MAX; /* no round until the first interval */
	if (shortest_ms != 0) {
		state->refresh_interval_ns = shortest_ms * 1000000ull / REFRESH_PER_TIMEOUT;
		if (state->refresh_interval_ns < REFRESH_MIN_NS)
			state->refresh_interval_ns = REFRESH_MIN_NS;
	}
	for (unsigned int f = 0; f < FAMILY_COUNT; f++) {
		const struct nft_target *target = &state->targets[f];
		char timeout[48] = "no timeout";

		if (!target->given)
			continue;
		if (target->timeout_ms != 0)
			snprintf(timeout, sizeof(timeout), "timeout %" PRIu64 " ms",
				 target->timeout_ms);
		CGNF_LOG(nft, INFO, "%s %s: flushed; CG pairs go in with %s", target->option,
			 target->text, timeout);
	}
	return 0;
failed:
	nft_sink_free(state);
	sink->state = NULL;
	return rc;
}

/* Elements ---------------------------------------------------------------- */

static unsigned int element_family(const struct pair_set_entry *element)
{
	return element->flags & ELEMENT_V6 ? FAMILY_V6 : FAMILY_V4;
}

/* The pair's element, added (not wanted yet) if absent; PAIR_SET_NONE when out of memory. */
static uint32_t find_or_add(struct nft_sink *state, const struct ip_pair *pair, unsigned int family)
{
	uint32_t position, capacity;
	uint32_t *lists[2];

	/* Each position is at most once in each list: they hold as many as the set. */
	if (pair_set_count(state->pairs) == state->lists_capacity) {
		capacity = state->lists_capacity != 0 ? 2 * state->lists_capacity : 256;
		for (unsigned int l = 0; l < 2; l++) {
			uint32_t **list = l == 0 ? &state->pending : &state->refresh;

			lists[l] = realloc(*list, (size_t)capacity * sizeof(**list));
			if (lists[l] == NULL)
				return PAIR_SET_NONE;
			*list = lists[l];
		}
		state->lists_capacity = capacity;
	}
	switch (pair_set_insert(state->pairs, pair, &position)) {
	case 1:
		pair_set_at(state->pairs, position)->flags = family == FAMILY_V6 ? ELEMENT_V6 : 0;
		return position;
	case 0:
		return position;
	default:
		return PAIR_SET_NONE;
	}
}

/* The batch ---------------------------------------------------------------- */

/* printf to the end of the batch text, which grows as needed. */
__attribute__((format(printf, 2, 3))) static int append(struct nft_sink *state, const char *format,
							...)
{
	size_t capacity;
	char *buffer;
	va_list args;
	int n;

	for (;;) {
		va_start(args, format);
		n = vsnprintf(state->buffer ? state->buffer + state->length : NULL,
			      state->buffer_capacity - state->length, format, args);
		va_end(args);
		if (n < 0)
			return -EINVAL;
		if ((size_t)n < state->buffer_capacity - state->length) {
			state->length += (size_t)n;
			return 0;
		}
		capacity = state->buffer_capacity ? 2 * state->buffer_capacity : 65536;
		while (capacity - state->length <= (size_t)n)
			capacity *= 2;
		buffer = realloc(state->buffer, capacity);
		if (buffer == NULL)
			return -ENOMEM;
		state->buffer = buffer;
		state->buffer_capacity = capacity;
	}
}

/*
 * "verb element F T S { a . b, ... }" for the family's entries: the pending
 * ones (those to drop too when with_drops) and the refresh slice; with
 * with_timeout each element carries the target's timeout.
 */
static int append_elements(struct nft_sink *state, const char *verb, unsigned int family,
			   bool with_drops, bool with_timeout)
{
	const struct nft_target *target = &state->targets[family];
	const uint32_t *const lists[2] = {state->pending, state->refresh};
	const uint32_t counts[2] = {state->pending_count, state->refresh_count};
	char ip1[IP_TEXT_MAX], ip2[IP_TEXT_MAX], timeout[48] = "";
	bool first = true;
	int rc = 0;

	if (with_timeout && target->timeout_ms != 0)
		snprintf(timeout, sizeof(timeout), " timeout %" PRIu64 "ms", target->timeout_ms);
	for (unsigned int l = 0; l < 2 && rc == 0; l++) {
		for (uint32_t i = 0; i < counts[l] && rc == 0; i++) {
			const struct pair_set_entry *entry = pair_set_at(state->pairs, lists[l][i]);

			if (element_family(entry) != family ||
			    (!with_drops && !(entry->flags & ELEMENT_WANTED)))
				continue;
			if (first)
				rc = append(state, "%s element %s %s %s { ", verb, target->family,
					    target->table, target->set);
			ip_format(&entry->pair.ip1, ip1);
			ip_format(&entry->pair.ip2, ip2);
			if (rc == 0)
				rc = append(state, "%s%s . %s%s", first ? "" : ", ", ip1, ip2,
					    timeout);
			first = false;
		}
	}
	if (!first && rc == 0)
		rc = append(state, " }\n");
	return rc;
}

static int compare_descending(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Removes the pending entries no longer wanted (the refresh list is free by then). */
static void remove_dropped(struct nft_sink *state)
{
	uint32_t count = 0, i;

	for (i = 0; i < state->pending_count; i++)
		if (!(pair_set_at(state->pairs, state->pending[i])->flags & ELEMENT_WANTED))
			state->refresh[count++] = state->pending[i];
	/* The last entry fills a removed one's place: highest first, none moves twice. */
	qsort(state->refresh, count, sizeof(state->refresh[0]), compare_descending);
	for (i = 0; i < count; i++)
		pair_set_remove(state->pairs, state->refresh[i]);
}

static void describe_failure(struct sink *sink, const char *why)
{
	const struct nft_sink *state = sink->state;
	const struct nft_target *target = &state->targets[state->targets[FAMILY_V4].given ? 0 : 1];

	snprintf(sink->error, sizeof(sink->error), "%s %s%s: %s", target->option, target->text,
		 state->targets[FAMILY_V4].given && state->targets[FAMILY_V6].given
			 ? " (or --nft-set6)"
			 : "",
		 why);
}

/*
 * The pending changes and the refresh slice as one batch (see the top of
 * the file).  Whatever nft answers, the drops leave the map (their timeout
 * ends them in the kernel) and the wanted pairs stay in it (the next
 * refresh puts them again).
 */
static int commit(struct sink *sink)
{
	struct nft_sink *state = sink->state;
	struct control_counters *counters = counters_of(sink);
	uint32_t added = 0, deleted = 0, i;
	const char *error = NULL;
	char line[256];
	int rc = 0;

	if (state == NULL || (state->pending_count == 0 && state->refresh_count == 0))
		return 0;
	for (i = 0; i < state->pending_count; i++)
		pair_set_at(state->pairs, state->pending[i])->flags &= ~ELEMENT_PENDING;
	state->length = 0;
	for (unsigned int f = 0; f < FAMILY_COUNT && rc == 0; f++) {
		if (!state->targets[f].given)
			continue;
		rc = append_elements(state, "add", f, true, false);
		if (rc == 0)
			rc = append_elements(state, "delete", f, true, false);
		if (rc == 0)
			rc = append_elements(state, "add", f, false, true);
	}
	if (rc == 0 && state->length != 0 && run_nft(state->ctx, state->buffer, &error) != 0)
		rc = -EIO;
	if (rc == 0) {
		/* Counted as the kernel sees them: a pair in and out within one batch is neither.
		 */
		for (unsigned int l = 0; l < 2; l++) {
			const uint32_t *list = l == 0 ? state->pending : state->refresh;
			uint32_t count = l == 0 ? state->pending_count : state->refresh_count;

			for (i = 0; i < count; i++) {
				struct pair_set_entry *entry = pair_set_at(state->pairs, list[i]);
				bool wanted = entry->flags & ELEMENT_WANTED;
				bool installed = entry->flags & ELEMENT_INSTALLED;

				if (wanted && !installed)
					added++;
				else if (!wanted && installed)
					deleted++;
				entry->flags = wanted ? entry->flags | ELEMENT_INSTALLED
						      : entry->flags & ~ELEMENT_INSTALLED;
			}
		}
		counter_add(&counters->nft_elements_added, added);
		counter_add(&counters->nft_elements_refreshed, state->refresh_count);
		counter_add(&counters->nft_elements_deleted, deleted);
	} else {
		counter_add(&counters->nft_errors, 1);
		if (rc == -EIO) {
			first_error_line(error, line, sizeof(line));
			CGNF_LOG(nft, DEBUG, "nft refused:\n%s", error ? error : "");
		} else {
			snprintf(line, sizeof(line), "%s", strerror(-rc));
		}
		describe_failure(sink, line);
	}
	remove_dropped(state);
	state->pending_count = 0;
	state->refresh_count = 0;
	counter_set(&counters->nft_elements, pair_set_count(state->pairs));
	return rc;
}

static int family_of(const struct ip_pair *pair, unsigned int *family)
{
	bool v4 = ip_is_v4(&pair->ip1);

	if (v4 != ip_is_v4(&pair->ip2))
		return -EAFNOSUPPORT;
	*family = v4 ? FAMILY_V4 : FAMILY_V6;
	return 0;
}

static void mark_pending(struct nft_sink *state, uint32_t position)
{
	struct pair_set_entry *entry = pair_set_at(state->pairs, position);

	if (entry->flags & ELEMENT_PENDING)
		return;
	entry->flags |= ELEMENT_PENDING;
	state->pending[state->pending_count++] = position;
}

/* The pair must be in the set (want) or not (!want) after the next commit. */
static int set_wanted(struct sink *sink, const struct ip_pair *pair, bool want)
{
	struct nft_sink *state = sink->state;
	unsigned int family;
	uint32_t position;

	if (!want) {
		position = pair_set_find(state->pairs, pair);
		if (position != PAIR_SET_NONE &&
		    (pair_set_at(state->pairs, position)->flags & ELEMENT_WANTED)) {
			pair_set_at(state->pairs, position)->flags &= ~ELEMENT_WANTED;
			mark_pending(state, position);
		}
		return 0;
	}
	if (family_of(pair, &family) != 0 || !state->targets[family].given) {
		counter_add(&counters_of(sink)->nft_pairs_skipped, 1);
		return 0;
	}
	position = find_or_add(state, pair, family);
	if (position == PAIR_SET_NONE) {
		snprintf(sink->error, sizeof(sink->error), "no memory for the nftables elements");
		return -ENOMEM;
	}
	pair_set_at(state->pairs, position)->flags |= ELEMENT_WANTED;
	mark_pending(state, position);
	return 0;
}

static int nft_sink_event(struct sink *sink, const struct pair_event *event)
{
	bool cg = event->kind == PAIR_EVENT_VERDICT && event->stats.verdict == VERDICT_CG;

	return set_wanted(sink, &event->stats.pair, cg);
}

static int nft_sink_flush(struct sink *sink)
{
	return commit(sink);
}

/* Starts a refresh round every refresh_interval_ns and puts a slice of it again. */
static int nft_sink_tick(struct sink *sink, uint64_t now_ns)
{
	struct nft_sink *state = sink->state;
	uint32_t count = pair_set_count(state->pairs);

	if (state->refresh_interval_ns != 0) {
		if (state->next_refresh_ns == 0)
			state->next_refresh_ns = now_ns + state->refresh_interval_ns;
		if (state->refresh_cursor >= count && now_ns >= state->next_refresh_ns) {
			state->refresh_cursor = 0;
			state->next_refresh_ns = now_ns + state->refresh_interval_ns;
		}
		/*
		 * An element moved by a removal behind the cursor waits for the
		 * next round: at most two thirds of its timeout.
		 */
		while (state->refresh_cursor < count && state->refresh_count < REFRESH_SLICE) {
			uint32_t position = state->refresh_cursor++;
			uint32_t flags = pair_set_at(state->pairs, position)->flags;

			if ((flags & ELEMENT_WANTED) && !(flags & ELEMENT_PENDING))
				state->refresh[state->refresh_count++] = position;
		}
	}
	return commit(sink);
}

/* At exit, with the pipeline drained: the set made equal to the table's CG pairs. */
static int nft_sink_snapshot(struct sink *sink, const struct snapshot *snapshot)
{
	struct nft_sink *state = sink->state;
	const struct pair_rows *rows = snapshot->rows;
	struct pair_set_entry *entry;
	unsigned int family;
	uint32_t position;
	int rc, rc2;

	if ((snapshot->purposes & SNAPSHOT_FINAL) == 0)
		return 0;
	rc = commit(sink);
	for (size_t r = 0; r < rows->count; r++) {
		const struct pair_stats *row = &rows->items[r];

		if (row->verdict != VERDICT_CG || family_of(&row->pair, &family) != 0 ||
		    !state->targets[family].given)
			continue; /* a family without a set: counted as skipped when it became CG */
		position = pair_set_find(state->pairs, &row->pair);
		/* Not wanted: its event was lost (a full event ring): it goes in now. */
		if ((position == PAIR_SET_NONE ||
		     !(pair_set_at(state->pairs, position)->flags & ELEMENT_WANTED)) &&
		    set_wanted(sink, &row->pair, true) != 0)
			return -ENOMEM;
		position = pair_set_find(state->pairs, &row->pair);
		pair_set_at(state->pairs, position)->flags |= ELEMENT_SEEN;
	}
	for (position = 0; position < pair_set_count(state->pairs); position++) {
		entry = pair_set_at(state->pairs, position);
		if ((entry->flags & ELEMENT_WANTED) && !(entry->flags & ELEMENT_SEEN)) {
			entry->flags &= ~ELEMENT_WANTED;
			mark_pending(state, position);
		}
		entry->flags &= ~ELEMENT_SEEN;
	}
	rc2 = commit(sink);
	return rc != 0 ? rc : rc2;
}

static int nft_sink_close(struct sink *sink)
{
	int rc;

	if (sink->state == NULL)
		return 0;
	rc = commit(sink);
	nft_sink_free(sink->state);
	sink->state = NULL;
	/* A failure already reported by a flush is not a new one. */
	return sink->failures == 0 ? rc : 0;
}

const struct sink_ops sink_nft_ops = {
	.name = "nft",
	.wanted = nft_wanted,
	.takes_events = true,
	.open = nft_sink_open,
	.event = nft_sink_event,
	.flush = nft_sink_flush,
	.tick = nft_sink_tick,
	.snapshot = nft_sink_snapshot,
	.close = nft_sink_close,
};
