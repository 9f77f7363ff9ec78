/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CIDR prefixes over the 128-bit address space of ip.h: an IPv4 prefix a/n is
 * the IPv4-mapped prefix ::ffff:a/(96 + n).  Hence ::/0 contains every address,
 * IPv4 included, while an IPv6 prefix such as fc00::/7 never contains one.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "prefix.h"

#define IPV4_MAPPED_BITS 96

/* The address as two host-order words, most significant first. */
static inline void address_words(const struct ip_addr *addr, uint64_t words[2])
{
	memcpy(words, addr->bytes, 16);
	words[0] = be64toh(words[0]);
	words[1] = be64toh(words[1]);
}

/* The network bits of a prefix of `bits` (0..128), as two host-order words. */
static inline void prefix_masks(unsigned int bits, uint64_t masks[2])
{
	masks[0] = bits == 0 ? 0 : ~UINT64_C(0) << (64 - (bits > 64 ? 64 : bits));
	masks[1] = bits <= 64 ? 0 : ~UINT64_C(0) << (128 - bits);
}

/*
 * The masks are derived per test rather than stored: struct prefix holds only
 * the address and length, and two shifts cost less than the loads they save.
 */
static inline bool prefix_contains_words(const struct prefix *prefix, const uint64_t words[2])
{
	uint64_t base[2], masks[2];

	address_words(&prefix->addr, base);
	prefix_masks(prefix->bits, masks);
	return (((words[0] ^ base[0]) & masks[0]) | ((words[1] ^ base[1]) & masks[1])) == 0;
}

/* Strict decimal: digits only, no sign, no blanks. */
static int parse_prefix_length(const char *text, unsigned int max, unsigned int *bits)
{
	unsigned int value = 0;
	const char *c;

	if (*text == '\0')
		return -EINVAL;
	for (c = text; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		value = value * 10 + (unsigned int)(*c - '0');
		if (value > max)
			return -EINVAL;
	}
	*bits = value;
	return 0;
}

int prefix_list_add(struct prefix_list *list, const char *text)
{
	const char *slash = strchr(text, '/');
	size_t address_len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	struct prefix prefix;
	unsigned int max_bits, bits;
	uint64_t words[2], masks[2];
	bool ipv4_text;

	if (ip_parse(&prefix.addr, text, address_len) != 0)
		return -EINVAL;

	/* The family is the notation's: "::ffff:10.0.0.0/104" counts in IPv6 bits. */
	ipv4_text = memchr(text, ':', address_len) == NULL;
	max_bits = ipv4_text ? 32 : 128;
	bits = max_bits;
	if (slash != NULL && parse_prefix_length(slash + 1, max_bits, &bits) != 0)
		return -EINVAL;
	prefix.bits = ipv4_text ? bits + IPV4_MAPPED_BITS : bits;

	/* Host bits set is most often a typo (192.168.1.0/16): refuse it. */
	address_words(&prefix.addr, words);
	prefix_masks(prefix.bits, masks);
	if (((words[0] & ~masks[0]) | (words[1] & ~masks[1])) != 0)
		return -EINVAL;

	if (list->count >= PREFIX_LIST_MAX)
		return -ENOSPC;
	list->items[list->count++] = prefix;
	return 0;
}

bool prefix_list_contains(const struct prefix_list *list, const struct ip_addr *addr)
{
	uint64_t words[2];
	unsigned int i;

	address_words(addr, words);
	for (i = 0; i < list->count; i++)
		if (prefix_contains_words(&list->items[i], words))
			return true;
	return false;
}

void prefix_format(const struct prefix *prefix, char *out, size_t size)
{
	char address[IP_TEXT_MAX];
	unsigned int bits = prefix->bits;

	ip_format(&prefix->addr, address);
	/* ip_format writes IPv4-mapped addresses as a dotted quad. */
	if (ip_is_v4(&prefix->addr) && bits >= IPV4_MAPPED_BITS)
		bits -= IPV4_MAPPED_BITS;
	snprintf(out, size, "%s/%u", address, bits);
}
