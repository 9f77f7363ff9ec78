/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CIDR prefixes over the 128-bit address space of ip.h: an IPv4 prefix a/n is
 * the IPv4-mapped prefix ::ffff:a/(96 + n).  The bits alone would let
 * 127.0.0.0/8 hold the IPv6 address ::ffff:127.0.0.1 and ::/0 hold every
 * IPv4 address, so each prefix also carries its family and matches only
 * addresses of the same one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "prefix.h"

#define IPV4_MAPPED_BITS 96

/*
 * Both halves in memory order: AND and XOR do not care about byte order, so
 * neither the address nor the prefix is byte-swapped on the hot path.
 */
static inline void load_halves(const struct ip_addr *addr, uint64_t halves[2])
{
	memcpy(halves, addr->bytes, 16);
}

/* The network bits of a prefix of `bits` (0..128), set, in network order. */
static void make_mask(unsigned int bits, struct ip_addr *mask)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (bits >= 8) {
			mask->bytes[i] = 0xff;
			bits -= 8;
		} else {
			mask->bytes[i] = (uint8_t)(0xff00 >> bits); /* 0 when bits is 0 */
			bits = 0;
		}
	}
}

static inline bool prefix_contains(const struct prefix *prefix, const uint64_t addr[2])
{
	uint64_t base[2], mask[2];

	load_halves(&prefix->addr, base);
	load_halves(&prefix->mask, mask);
	return (((addr[0] ^ base[0]) & mask[0]) | ((addr[1] ^ base[1]) & mask[1])) == 0;
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
	unsigned int max_bits, bits, i;
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
	prefix.family = ipv4_text ? IP_FAMILY_V4 : IP_FAMILY_V6;

	/* Host bits set is most often a typo (192.168.1.0/16): refuse it. */
	make_mask(prefix.bits, &prefix.mask);
	for (i = 0; i < 16; i++)
		if ((prefix.addr.bytes[i] & ~prefix.mask.bytes[i]) != 0)
			return -EINVAL;

	if (list->count >= PREFIX_LIST_MAX)
		return -ENOSPC;
	list->items[list->count++] = prefix;
	return 0;
}

bool prefix_list_contains(const struct prefix_list *list, const struct ip_addr *addr,
			  enum ip_family family)
{
	uint64_t halves[2];
	unsigned int i;

	load_halves(addr, halves);
	for (i = 0; i < list->count; i++)
		if (list->items[i].family == family && prefix_contains(&list->items[i], halves))
			return true;
	return false;
}

void prefix_format(const struct prefix *prefix, char *out, size_t size)
{
	char address[IP_TEXT_MAX];
	unsigned int bits = prefix->bits;

	ip_format(&prefix->addr, address);
	/*
	 * ip_format writes IPv4-mapped addresses as a dotted quad: right for an
	 * IPv4 prefix, while an IPv6 one keeps its notation (it holds other
	 * addresses).
	 */
	if (prefix->family == IP_FAMILY_V4)
		snprintf(out, size, "%s/%u", address, bits - IPV4_MAPPED_BITS);
	else if (ip_is_v4(&prefix->addr))
		snprintf(out, size, "::ffff:%s/%u", address, bits);
	else
		snprintf(out, size, "%s/%u", address, bits);
}
