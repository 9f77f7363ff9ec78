/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <stdlib.h>

#include "json_number.h"

const double json_exact_powers_of_ten[23] = {
	1e0,  1e1,  1e2,  1e3,	1e4,  1e5,  1e6,  1e7,	1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

const uint64_t json_small_powers_of_ten[9] = {1,      10,      100,	 1000,	   10000,
					      100000, 1000000, 10000000, 100000000};

const bool json_number_byte[256] = {
	['0' ... '9'] = true, ['.'] = true, ['e'] = true, ['E'] = true, ['+'] = true, ['-'] = true,
};

#define FAST_DIGITS_MAX 19     /* any 19 digits fit in a uint64_t */
#define EXPONENT_CAP 100000000 /* far past any finite or nonzero double; no overflow */

/*
 * A halfway point between two doubles has at most 767 significant digits, so
 * keeping 800 and replacing the rest by one nonzero "sticky" digit leaves the
 * number on the same side of every halfway point: strtod rounds both alike.
 */
#define KEPT_DIGITS_MAX 800

/* Beyond these the value is infinite or zero whatever its digits are. */
#define SCALE_OVERFLOW 310
#define SCALE_UNDERFLOW -330

static char *write_decimal(char *out, int64_t value)
{
	char reversed[24];
	int count = 0;
	uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;

	if (value < 0)
		*out++ = '-';
	do {
		reversed[count++] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude != 0);
	while (count > 0)
		*out++ = reversed[--count];
	return out;
}

/*
 * Rewrites the number as "[-]DIGITSe[-]N", without a decimal point so that
 * the locale's one does not matter, with at most KEPT_DIGITS_MAX + 1 digits,
 * then lets strtod round it.
 */
static enum drop_reason round_slowly(const char *text, size_t length, double *value)
{
	char canonical[KEPT_DIGITS_MAX + 48];
	const char *stop = text + length;
	char *digits, *out = canonical;
	bool negative = *text == '-', seen_nonzero = false, in_fraction = false, sticky = false;
	size_t kept = 0;
	int64_t scale = 0; /* value = 0.DIGITS x 10^scale */

	if (negative) {
		*out++ = '-';
		text++;
	}
	digits = out;
	for (; text != stop && *text != 'e' && *text != 'E'; text++) {
		if (*text == '.') {
			in_fraction = true;
			continue;
		}
		if (!seen_nonzero) {
			if (*text == '0') {
				scale -= in_fraction;
				continue;
			}
			seen_nonzero = true;
		}
		scale += !in_fraction;
		if (kept < KEPT_DIGITS_MAX)
			digits[kept++] = *text;
		else
			sticky |= *text != '0';
	}
	if (text != stop) {
		bool exponent_negative = false;
		int64_t written = 0;

		text++;
		if (*text == '+' || *text == '-')
			exponent_negative = *text++ == '-';
		for (; text != stop; text++)
			if (written < EXPONENT_CAP)
				written = written * 10 + (*text - '0');
		scale += exponent_negative ? -written : written;
	}
	if (!seen_nonzero || scale < SCALE_UNDERFLOW) {
		*value = negative ? -0.0 : 0.0;
		return DROP_NONE;
	}
	if (scale > SCALE_OVERFLOW)
		return DROP_REPORT_NUMBER_OVERFLOW;
	if (sticky)
		digits[kept++] = '1';
	out = digits + kept;
	*out++ = 'e';
	out = write_decimal(out, scale - (int64_t)kept);
	*out = '\0';
	*value = strtod(canonical, NULL);
	return isinf(*value) ? DROP_REPORT_NUMBER_OVERFLOW : DROP_NONE;
}

enum drop_reason json_number_parse(const char **cursor, const char *end, struct json_number *number)
{
	const char *p = *cursor, *start = p;
	uint64_t mantissa = 0;
	int64_t exponent = 0; /* value = mantissa * 10^exponent, unless dropped_digits */
	int significant = 0;
	bool negative = false, dropped_digits = false, is_integer = true;

	if (*p == '-') {
		negative = true;
		if (++p == end)
			return DROP_REPORT_TRUNCATED;
	}
	if (*p == '0') {
		p++;
	} else if (json_is_digit(*p)) {
		do {
			unsigned int digit = (unsigned int)(*p++ - '0');

			if (significant < FAST_DIGITS_MAX) {
				mantissa = mantissa * 10 + digit;
				significant++;
			} else {
				dropped_digits |= digit != 0;
				exponent++;
			}
		} while (p != end && json_is_digit(*p));
	} else {
		return DROP_REPORT_BAD_NUMBER;
	}
	if (p != end && *p == '.') {
		is_integer = false;
		if (++p == end)
			return DROP_REPORT_TRUNCATED;
		if (!json_is_digit(*p))
			return DROP_REPORT_BAD_NUMBER;
		do {
			unsigned int digit = (unsigned int)(*p++ - '0');

			if (significant < FAST_DIGITS_MAX) {
				mantissa = mantissa * 10 + digit;
				significant += mantissa != 0;
				exponent--;
			} else {
				dropped_digits |= digit != 0;
			}
		} while (p != end && json_is_digit(*p));
	}
	if (p != end && (*p == 'e' || *p == 'E')) {
		bool exponent_negative = false;
		int64_t written = 0;

		is_integer = false;
		if (++p != end && (*p == '+' || *p == '-'))
			exponent_negative = *p++ == '-';
		if (p == end)
			return DROP_REPORT_TRUNCATED;
		if (!json_is_digit(*p))
			return DROP_REPORT_BAD_NUMBER;
		do {
			/* Capped: far past any finite or nonzero double, and never overflows. */
			if (written < EXPONENT_CAP)
				written = written * 10 + (*p - '0');
			p++;
		} while (p != end && json_is_digit(*p));
		exponent += exponent_negative ? -written : written;
	}
	if (p != end && json_number_byte[(unsigned char)*p])
		return DROP_REPORT_BAD_NUMBER; /* "01", "1.2.3", "1e5e5", "1-2" */
	*cursor = p;

	number->is_integer = is_integer;
	if (is_integer) {
		uint64_t limit = (uint64_t)INT64_MAX + negative;

		if (exponent != 0 || mantissa > limit)
			return DROP_REPORT_NUMBER_OVERFLOW;
		number->integer = negative ? (int64_t)(0 - mantissa) : (int64_t)mantissa;
		/* jansson's (double)json_integer_value: "-0" is +0.0, as Python's int 0 too. */
		number->value = (double)number->integer;
		return DROP_NONE;
	}
	if (!dropped_digits && mantissa <= (1ull << 53) && exponent >= -22 && exponent <= 22) {
		double exact = (double)mantissa;

		if (exponent < 0)
			exact /= json_exact_powers_of_ten[-exponent];
		else
			exact *= json_exact_powers_of_ten[exponent];
		number->value = negative ? -exact : exact;
		return DROP_NONE;
	}
	if (!dropped_digits && mantissa == 0) {
		number->value = negative ? -0.0 : 0.0;
		return DROP_NONE;
	}
	return round_slowly(start, (size_t)(p - start), &number->value);
}
