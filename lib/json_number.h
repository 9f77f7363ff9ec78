/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One JSON number (RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)
 * read in place, with the value strtod gives for the same text, and for the
 * integer form (no fraction, no exponent) the long long jansson makes of it.
 *
 * Two readers.  json_number_parse takes any number: mantissa up to 2^53 and
 * power of ten within 10^+-22 need one IEEE multiplication or division of
 * exact operands, which is correctly rounded, hence strtod's double
 * (Clinger's fast path); the rest goes through strtod on a bounded copy.
 * json_number_parse_short takes the probe's numbers (at most 8 digits
 * before and 8 after the point, small exponents) 8 bytes at a time, with
 * no branch on how many digits there are, or declines.
 */
#ifndef CGNF_JSON_NUMBER_H
#define CGNF_JSON_NUMBER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "drop_reason.h"

struct json_number {
	double value;
	int64_t integer; /* == value, for the integer form only */
	bool is_integer; /* no '.' and no exponent: jansson's json_int_t */
};

/* 10^0 .. 10^22: all exact in a double. */
extern const double json_exact_powers_of_ten[23];

/* 10^0 .. 10^8 as integers. */
extern const uint64_t json_small_powers_of_ten[9];

/* Bytes that would continue a number: digits, '.', 'e', 'E', '+', '-'. */
extern const bool json_number_byte[256];

static inline bool json_is_digit(char c)
{
	return (unsigned char)(c - '0') <= 9;
}

/*
 * Reads the number at *cursor (text ends at end, *cursor < end) and moves
 * *cursor past it.  Returns DROP_NONE, DROP_REPORT_BAD_NUMBER,
 * DROP_REPORT_TRUNCATED (text ended inside the number) or
 * DROP_REPORT_NUMBER_OVERFLOW (infinite real, or integer beyond long long,
 * both of which jansson refuses).
 */
enum drop_reason json_number_parse(const char **cursor, const char *end,
				   struct json_number *number);

static inline uint64_t json_load_word(const char *p)
{
	uint64_t word;

	memcpy(&word, p, sizeof(word));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	word = __builtin_bswap64(word);
#endif
	return word; /* the first byte in the low bits */
}

/*
 * The last left (1..7) bytes before end, as json_load_word would read them
 * if the text went on with zeros; the 8 bytes before end must be readable.
 */
static inline uint64_t json_tail_word(const char *end, size_t left)
{
	return json_load_word(end - 8) >> (8 * (8 - left));
}

#define JSON_BYTES(b) (0x0101010101010101ull * (b))

/* High bit of each byte that equals c (exact: no carry crosses bytes). */
static inline uint64_t json_bytes_equal(uint64_t word, unsigned char c)
{
	uint64_t x = word ^ JSON_BYTES(c);

	return ~(((x & JSON_BYTES(0x7f)) + JSON_BYTES(0x7f)) | x) & JSON_BYTES(0x80);
}

/*
 * Index of the first byte flagged (high bit set) in the 16 bytes of two
 * words, 16 when none is; without a branch on where it is.
 */
static inline unsigned int json_first_flagged(uint64_t low, uint64_t high)
{
	/* Each word's 8 high bits gathered into one byte, the first byte lowest. */
	unsigned int low_flags = (unsigned int)(((low >> 7) * 0x0102040810204080ull) >> 56);
	unsigned int high_flags = (unsigned int)(((high >> 7) * 0x0102040810204080ull) >> 56);

	return (unsigned int)__builtin_ctz(low_flags | high_flags << 8 | 1u << 16);
}

/* How many of the word's 8 bytes, from the first, are ASCII digits (0..8). */
static inline unsigned int json_digit_run(uint64_t word)
{
	uint64_t values = word ^ JSON_BYTES('0'); /* digits become 0..9 */
	uint64_t non_digits =
		(((values & JSON_BYTES(0x7f)) + JSON_BYTES(0x76)) | values) & JSON_BYTES(0x80);

	return non_digits != 0 ? (unsigned int)__builtin_ctzll(non_digits) / 8 : 8;
}

/* Value of the first count (1..8) digits of the word. */
static inline uint64_t json_digits_value(uint64_t word, unsigned int count)
{
	/* The digits go to the top, so that the bytes below read as leading zeros. */
	uint64_t digits = (word ^ JSON_BYTES('0')) << (8 * (8 - count));

	digits = (digits * 10 + (digits >> 8)) & 0x00ff00ff00ff00ffull;
	digits = (digits * 100 + (digits >> 16)) & 0x0000ffff0000ffffull;
	return (digits * 10000 + (digits >> 32)) & 0xffffffffull;
}

/*
 * The exponent of a short number, at p just past its 'e': 1 to 3 digits.
 * Adds it to *exponent and moves *cursor past it, or returns false.
 */
static inline bool json_short_exponent(const char **cursor, const char *end, int *exponent)
{
	const char *p = *cursor;
	bool negative = false;
	int written = 0;

	if (p != end && (*p == '+' || *p == '-'))
		negative = *p++ == '-';
	for (int i = 0; i < 3 && p != end && json_is_digit(*p); i++)
		written = written * 10 + (*p++ - '0');
	if (p == *cursor || !json_is_digit(p[-1]))
		return false;
	*exponent += negative ? -written : written;
	*cursor = p;
	return true;
}

/*
 * Reads the number at *cursor as json_number_parse would, when it has at
 * most 8 digits before the point and 8 after, 15 in all, and an exponent of
 * at most 3 digits that keeps the power of ten within 10^+-22; the text,
 * from begin to end, must be 8 bytes long at least.  Returns false, having
 * moved nothing, for any other text (longer, malformed, not a number):
 * json_number_parse then decides.
 *
 * The mantissa is below 10^15 < 2^53 and is multiplied or divided by an
 * exact power of ten: strtod's result.
 */
static inline __attribute__((always_inline)) bool
json_number_parse_short(const char **cursor, const char *begin, const char *end,
			struct json_number *number)
{
	size_t left = (size_t)(end - *cursor);
	unsigned int int_count, fraction_count = 0;
	uint64_t word, mantissa;
	int exponent = 0;
	bool negative, is_integer;
	const char *p;
	double value;

	if (left >= 8)
		word = json_load_word(*cursor);
	else if (end - begin >= 8 && left > 0)
		word = json_tail_word(end, left);
	else
		return false;
	/* The sign is read from the word already loaded: no wait for another load. */
	negative = (word & 0xff) == '-';
	word >>= 8 * negative;
	int_count = json_digit_run(word);
	if (int_count == 0 || ((word & 0xff) == '0' && int_count > 1))
		return false;
	mantissa = json_digits_value(word, int_count);
	p = *cursor + negative + int_count;
	if (p != end && *p == '.') {
		left = (size_t)(end - (p + 1));
		if (left >= 8)
			word = json_load_word(p + 1);
		else if (left > 0)
			word = json_tail_word(end, left);
		else
			return false;
		fraction_count = json_digit_run(word);
		if (fraction_count == 0 || int_count + fraction_count > 15)
			return false;
		mantissa = mantissa * json_small_powers_of_ten[fraction_count] +
			   json_digits_value(word, fraction_count);
		p += 1 + fraction_count;
		exponent = -(int)fraction_count;
	}
	is_integer = fraction_count == 0;
	/* One test in the usual case: the number ends where no number byte is. */
	if (p != end && json_number_byte[(unsigned char)*p]) {
		if (*p != 'e' && *p != 'E')
			return false; /* more digits than read, or a broken number */
		p++;
		if (!json_short_exponent(&p, end, &exponent) || exponent < -22 || exponent > 22 ||
		    (p != end && json_number_byte[(unsigned char)*p]))
			return false;
		is_integer = false;
	}
	*cursor = p;
	number->is_integer = is_integer;
	if (is_integer) {
		number->integer = negative ? -(int64_t)mantissa : (int64_t)mantissa;
		number->value = (double)number->integer;
		return true;
	}
	value = (double)mantissa;
	if (exponent < 0)
		value /= json_exact_powers_of_ten[-exponent];
	else
		value *= json_exact_powers_of_ten[exponent];
	number->value = negative ? -value : value;
	return true;
}

#endif
