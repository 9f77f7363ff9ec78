/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ip.h"
#include "json_number.h"

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

/* Longest text inet_pton(AF_INET6) takes: six 4-digit groups and a dotted quad. */
#define V6_TEXT_MAX 45

/* Bits below position n (n < 64). */
static inline uint64_t bits_below(size_t n)
{
	return ((uint64_t)1 << n) - 1;
}

/* High bit of each byte from low to high (ASCII only; exact: no carry crosses bytes). */
static inline uint64_t bytes_in_range(uint64_t word, unsigned char low, unsigned char high)
{
	uint64_t seven_bits = word & JSON_BYTES(0x7f);
	uint64_t at_least_low = seven_bits + JSON_BYTES(0x80 - low);
	uint64_t above_high = seven_bits + JSON_BYTES(0x7f - high);

	return at_least_low & ~above_high & ~word & JSON_BYTES(0x80);
}

/* The 8 bytes' high bits as 8 bits, the first byte lowest. */
static inline uint64_t high_bits_gathered(uint64_t flags)
{
	return ((flags >> 7) * 0x0102040810204080ull) >> 56;
}

static inline void store_word(uint8_t *p, uint64_t word)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	word = __builtin_bswap64(word);
#endif
	memcpy(p, &word, sizeof(word));
}

/*
 * IPv6 text exactly as glibc's inet_pton(AF_INET6) takes it: groups of 1 to
 * 4 hex digits, at most one "::" (which may stand for a single zero group),
 * a dotted quad (inet_pton4's rules) as the last 32 bits.  Checked against
 * inet_pton by test_ip.
 *
 * One pass turns the text into bit masks (hex digits, colons); the rules are
 * then checked on the masks and each group is read on its own.  Reading it
 * character by character in one loop cost twice as much: every character
 * waited for the state the previous one left.
 */
static int parse_v6(uint8_t out[16], const char *text, size_t len)
{
	/* A group's value is read from the 4 nibbles ending at its last digit. */
	uint8_t nibbles[4 + V6_TEXT_MAX + 8], bytes[16] = {0};
	char padded[V6_TEXT_MAX + 3] = {0}; /* whole words */
	uint64_t hex = 0, colon = 0, runs, starts, ends, double_colon;
	size_t prefix = len, group_count, compress_at, gap, last;
	bool bad;

	if (len < 2 || len > V6_TEXT_MAX)
		return -EINVAL;
	memcpy(padded, text, len);
	memset(nibbles, 0, 4);
	for (size_t i = 0; i < len; i += 8) {
		uint64_t word = json_load_word(padded + i);
		uint64_t digit = bytes_in_range(word, '0', '9');
		uint64_t letter = bytes_in_range(word | JSON_BYTES(0x20), 'a', 'f');

		hex |= high_bits_gathered(digit | letter) << i;
		colon |= high_bits_gathered(json_bytes_equal(word, ':')) << i;
		/* A letter's low nibble is 1..6, and bit 6 tells it from a digit. */
		store_word(nibbles + 4 + i,
			   (word & JSON_BYTES(0x0f)) + 9 * (word >> 6 & JSON_BYTES(1)));
	}
	last = len - 1;
	if ((hex | colon) != bits_below(len)) {
		/* Anything else than digits and colons: a dotted quad after the last colon. */
		if (colon == 0)
			return -EINVAL;
		prefix = 64 - (size_t)__builtin_clzll(colon);
		if (((hex | colon) & bits_below(prefix)) != bits_below(prefix) ||
		    parse_v4(bytes + 12, text + prefix, len - prefix) != 0)
			return -EINVAL;
		hex &= bits_below(prefix);
		last = prefix; /* the quad's first digit: no colon, so no lone colon at the end */
	}
	double_colon = colon & colon >> 1;
	runs = hex & hex >> 1 & hex >> 2 & hex >> 3 & hex >> 4;
	starts = hex & ~(hex << 1);
	ends = hex & ~(hex >> 1);
	group_count = (size_t)__builtin_popcountll(ends) + (prefix < len ? 2 : 0);
	/*
	 * A leading colon only as "::", one colon at the end only after one
	 * more, at most one "::" (":::" holds two), no group over 4 digits.
	 */
	bad = ((colon & 3) == 1) | ((colon >> (last - 1) & 3) == 2) |
	      ((double_colon & (double_colon - 1)) != 0) | (runs != 0);
	bad |= double_colon ? group_count > 7 : group_count != 8;
	if (bad)
		return -EINVAL;
	compress_at = (size_t)__builtin_popcountll(ends & (double_colon - 1));
	gap = double_colon ? 8 - group_count : 0;
	for (size_t group = 0; ends != 0; group++) {
		size_t end = (size_t)__builtin_ctzll(ends) + 1; /* in nibbles: + 4 - 3 */
		size_t digits = end - (size_t)__builtin_ctzll(starts);
		unsigned int value = (unsigned int)nibbles[end] << 12 | nibbles[end + 1] << 8 |
				     nibbles[end + 2] << 4 | nibbles[end + 3];
		size_t slot = group + (group >= compress_at ? gap : 0);

		value &= (1u << 4 * digits) - 1;
		bytes[2 * slot] = (uint8_t)(value >> 8);
		bytes[2 * slot + 1] = (uint8_t)value;
		ends &= ends - 1;
		starts &= starts - 1;
	}
	memcpy(out, bytes, sizeof(bytes));
	return 0;
}

int ip_parse_family(struct ip_addr *addr, const char *text, size_t len, enum ip_family *family)
{
	uint8_t v4[4];

	if (parse_v4(v4, text, len) == 0) {
		ip_from_v4(addr, v4);
		*family = IP_FAMILY_V4;
		return 0;
	}
	*family = IP_FAMILY_V6;
	return parse_v6(addr->bytes, text, len);
}

int ip_parse(struct ip_addr *addr, const char *text, size_t len)
{
	enum ip_family family;

	return ip_parse_family(addr, text, len, &family);
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
