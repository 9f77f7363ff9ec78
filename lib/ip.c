/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ip.h"

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool ip_is_v4(const struct ip_addr *addr)
{
	return memcmp(addr->bytes, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0;
}

void ip_from_v4(struct ip_addr *addr, const uint8_t v4[4])
{
	memcpy(addr->bytes, v4_mapped_prefix, sizeof(v4_mapped_prefix));
	memcpy(addr->bytes + 12, v4, 4);
}

/*
 * One part of a dotted quad at p, which may be read 3 bytes on: its value,
 * or -1.  Up to 3 digits, no leading zero ("01" is refused, "0" is not),
 * at most 255; *length says how many digits.  Branch-free on the length.
 */
static inline int v4_part(const unsigned char *p, unsigned int *length)
{
	unsigned int first = p[0] - '0', second = p[1] - '0', third = p[2] - '0';
	unsigned int two = second <= 9, three = two & (third <= 9);
	unsigned int value =
		three ? first * 100 + second * 10 + third : (two ? first * 10 + second : first);

	*length = 1 + two + three;
	return first > 9 || value > 255 || (first == 0 && two) ? -1 : (int)value;
}

/*
 * The dotted quad exactly as glibc's inet_pton(AF_INET) takes it: four
 * decimal parts of 0..255 without leading zeros, nothing else.  Checked
 * against inet_pton by test_ip.
 */
static int parse_v4(uint8_t v4[4], const char *text, size_t len)
{
	unsigned char padded[24] = {0}; /* zeros after the text end every part */
	unsigned int at = 0;

	if (len < 7 || len > 15)
		return -EINVAL;
	/* Two overlapping fixed-size copies: no loop, nothing read outside the text. */
	if (len >= 8) {
		memcpy(padded, text, 8);
		memcpy(padded + len - 8, text + len - 8, 8);
	} else {
		memcpy(padded, text, 4);
		memcpy(padded + len - 4, text + len - 4, 4);
	}
	for (int i = 0; i < 4; i++) {
		unsigned int length;
		int value = v4_part(padded + at, &length);

		if (value < 0)
			return -EINVAL;
		v4[i] = (uint8_t)value;
		at += length;
		if (i < 3 && padded[at++] != '.')
			return -EINVAL;
	}
	return at == len ? 0 : -EINVAL;
}

int ip_parse(struct ip_addr *addr, const char *text, size_t len)
{
	char copy[IP_TEXT_MAX];
	uint8_t v4[4];

	if (parse_v4(v4, text, len) == 0) {
		ip_from_v4(addr, v4);
		return 0;
	}
	/* A NUL inside would make inet_pton read a shorter text than ours. */
	if (len >= sizeof(copy) || memchr(text, '\0', len) != NULL)
		return -EINVAL;
	memcpy(copy, text, len);
	copy[len] = '\0';
	return inet_pton(AF_INET6, copy, addr->bytes) == 1 ? 0 : -EINVAL;
}

void ip_format(const struct ip_addr *addr, char out[IP_TEXT_MAX])
{
	const uint8_t *b = addr->bytes;

	if (ip_is_v4(addr))
		snprintf(out, IP_TEXT_MAX, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
	else if (inet_ntop(AF_INET6, b, out, IP_TEXT_MAX) == NULL)
		snprintf(out, IP_TEXT_MAX, "?"); /* cannot happen: the buffer is large enough */
}

static inline uint64_t load64(const uint8_t *bytes)
{
	uint64_t word;

	memcpy(&word, bytes, sizeof(word));
	return word;
}

/* Full 64x64 -> 128 multiply, both halves folded: every input bit reaches every output bit. */
static inline uint64_t fold_multiply(uint64_t a, uint64_t b)
{
	unsigned __int128 product = (unsigned __int128)a * b;

	return (uint64_t)product ^ (uint64_t)(product >> 64);
}

uint32_t ip_pair_hash(const struct ip_pair *pair, uint64_t seed)
{
	uint64_t a_hi = load64(pair->ip1.bytes), a_lo = load64(pair->ip1.bytes + 8);
	uint64_t b_hi = load64(pair->ip2.bytes), b_lo = load64(pair->ip2.bytes + 8);
	uint64_t seed_turned = seed << 32 | seed >> 32;
	uint64_t first_hi, first_lo, second_hi, second_lo, hash;

	/* Any fixed total order makes the hash symmetric; word order is the cheapest one. */
	if (a_hi < b_hi || (a_hi == b_hi && a_lo <= b_lo)) {
		first_hi = a_hi, first_lo = a_lo, second_hi = b_hi, second_lo = b_lo;
	} else {
		first_hi = b_hi, first_lo = b_lo, second_hi = a_hi, second_lo = a_lo;
	}
	/* Odd constants with balanced bits keep a zero word from zeroing a product. */
	hash = fold_multiply(first_hi ^ seed ^ 0x97b1165f0971b7c5ull,
			     first_lo ^ seed_turned ^ 0xd13c513a42f8eda1ull);
	hash ^= fold_multiply(second_hi ^ seed ^ 0x8a8318174d645fa7ull,
			      second_lo ^ seed_turned ^ 0xeca9bad1449e78e5ull);
	hash ^= hash >> 31;
	hash *= 0xcbc16f01162794bfull;
	return (uint32_t)(hash ^ (hash >> 32));
}

bool ip_pair_same(const struct ip_pair *a, const struct ip_pair *b)
{
	bool same_order = memcmp(&a->ip1, &b->ip1, sizeof(a->ip1)) == 0 &&
			  memcmp(&a->ip2, &b->ip2, sizeof(a->ip2)) == 0;

	return same_order || (memcmp(&a->ip1, &b->ip2, sizeof(a->ip1)) == 0 &&
			      memcmp(&a->ip2, &b->ip1, sizeof(a->ip2)) == 0);
}
