/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A window as the probe's text, and the doubles that text parses back to.
 *
 * Report mode classifies what report_parse reads from the probe's text:
 * each statistic printed with %.8g, then read back correctly rounded.
 * Eight digits do not always name one float32 (between 1000 and 1024, for
 * one, floats are 6.1e-5 apart and 8-digit decimals 1e-4), and the
 * mean x count feature multiplies the parsed double, not the float.  So
 * features built from the float values directly are not report mode's:
 * on ../shared/probe/traffic_a.pcap they differ in 496 of the 1 790
 * windows (605 values: 392 of them mean x count, the rest the values
 * themselves), and in 55 066 of 200 000 random windows (test_window).
 *
 * window_report_as_text_values gives report mode's doubles without
 * printing, equal on all those windows and on a million random floats and
 * doubles: each value rounded to 8 significant digits, then the decimal's
 * nearest double by one correctly rounded multiplication or division
 * (Clinger's fast path, as report_parse does).  Measured by bench_window
 * (2-core development machine): 72 ns a window (8 values), against
 * 2 030 ns to print the text with snprintf and parse it back: the text is
 * rendered only when asked for (--windows).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_number.h"
#include "window.h"

#define SIGNIFICANT_DIGITS 8
#define TEN_TO_THE_7 10000000u
#define TEN_TO_THE_8 100000000u

int window_report_format(const struct report *report, char *buf, size_t size)
{
	char src[IP_TEXT_MAX], dst[IP_TEXT_MAX];
	const double *up = report->up, *down = report->down;
	int length;

	ip_format(&report->src, src);
	ip_format(&report->dst, dst);
	/* The probe's sprintf [windowparser.cpp:441-447]: counts with %zu, the rest with %.8g. */
	length = snprintf(buf, size,
			  "[\"%s\",%" PRIu16 ",\"%s\",%" PRIu16 ",[%" PRIu64
			  ",%.8g,%.8g,%.8g,%.8g],[%" PRIu64 ",%.8g,%.8g,%.8g,%.8g]]",
			  src, report->src_port, dst, report->dst_port, (uint64_t)up[STAT_COUNT],
			  up[STAT_SIZE_MEAN], up[STAT_SIZE_VAR], up[STAT_IAT_MEAN],
			  up[STAT_IAT_VAR], (uint64_t)down[STAT_COUNT], down[STAT_SIZE_MEAN],
			  down[STAT_SIZE_VAR], down[STAT_IAT_MEAN], down[STAT_IAT_VAR]);
	if (length < 0 || (size_t)length >= size)
		return -ENOSPC;
	return length;
}

/* The slow way, for what the fast one does not reach. */
static double round_trip_by_text(double value)
{
	char text[32];

	snprintf(text, sizeof(text), "%.8g", value);
	return strtod(text, NULL);
}

/* An upper bound of the bits of 10^k (log2(10) < 3.3220). */
static inline int power_of_ten_bits(int k)
{
	return (k * 3322 + 999) / 1000 + 1;
}

static inline unsigned __int128 power_of_ten(int k)
{
	unsigned __int128 power = 1;

	while (k-- > 0)
		power *= 10;
	return power;
}

/*
 * mantissa * 2^binary_exponent * 10^decimal_shift rounded to an integer,
 * ties to even (glibc's printf rounds the exact value so), or false when an
 * operand would not fit in 126 bits.
 */
static bool scaled_round(uint64_t mantissa, int binary_exponent, int decimal_shift,
			 uint64_t *rounded)
{
	int numerator_bits = 53 + (decimal_shift > 0 ? power_of_ten_bits(decimal_shift) : 0) +
			     (binary_exponent > 0 ? binary_exponent : 0);
	int denominator_bits = (decimal_shift < 0 ? power_of_ten_bits(-decimal_shift) : 0) +
			       (binary_exponent < 0 ? -binary_exponent : 0) + 1;
	unsigned __int128 numerator = mantissa, denominator = 1, quotient, remainder;

	if (numerator_bits > 126 || denominator_bits > 125)
		return false;
	if (decimal_shift > 0)
		numerator *= power_of_ten(decimal_shift);
	else
		denominator = power_of_ten(-decimal_shift);
	if (binary_exponent > 0)
		numerator <<= binary_exponent;
	else
		denominator <<= -binary_exponent;
	quotient = numerator / denominator;
	remainder = numerator % denominator;
	if (2 * remainder > denominator || (2 * remainder == denominator && (quotient & 1)))
		quotient++;
	if (quotient > UINT64_MAX)
		return false;
	*rounded = (uint64_t)quotient;
	return true;
}

/* The exact way: the rounding decided in 128-bit integers. */
static double round_trip_exact(double value)
{
	uint64_t bits, mantissa, digits;
	int binary_exponent, decimal_exponent, biased;

	memcpy(&bits, &value, sizeof(bits));
	biased = (int)(bits >> 52 & 0x7ff);
	mantissa = bits & ((UINT64_C(1) << 52) - 1);
	if (biased == 0x7ff || (biased == 0 && mantissa == 0))
		return value; /* NaN, infinities and zeros print and parse back as they are */
	if (biased != 0)
		mantissa |= UINT64_C(1) << 52;
	else
		biased = 1; /* subnormal */
	binary_exponent = biased - 1075;
	/* floor(log10(2^top)), possibly one below the value's decimal exponent. */
	decimal_exponent = ((63 - __builtin_clzll(mantissa)) + binary_exponent) * 30103 / 100000 -
			   ((63 - __builtin_clzll(mantissa)) + binary_exponent < 0);
	for (int attempt = 0;; attempt++) {
		int shift = SIGNIFICANT_DIGITS - 1 - decimal_exponent;

		if (attempt == 3 || !scaled_round(mantissa, binary_exponent, shift, &digits))
			return round_trip_by_text(value);
		if (digits >= TEN_TO_THE_8)
			decimal_exponent++;
		else if (digits < TEN_TO_THE_7)
			decimal_exponent--;
		else
			break;
	}
	/* digits * 10^exponent: both exact in a double, one correctly rounded operation. */
	int exponent = decimal_exponent - (SIGNIFICANT_DIGITS - 1);
	double magnitude;

	if (exponent > 22 || exponent < -22)
		return round_trip_by_text(value);
	if (exponent >= 0)
		magnitude = (double)digits * json_exact_powers_of_ten[exponent];
	else
		magnitude = (double)digits / json_exact_powers_of_ten[-exponent];
	return bits >> 63 ? -magnitude : magnitude;
}

/*
 * The fast way, for 1e-15 <= |value| < 1e22.  value x 10^shift is one
 * correctly rounded multiplication or division (10^shift exact), so it is
 * within 2^-26 of the exact product, which is below 2^27: unless it lies
 * within 2^-25 of a half, rounding it to an integer rounds the exact
 * product the same way.  The rare near-halves go the exact way.
 */
double window_round_trip_8g(double value)
{
	double magnitude = fabs(value), scaled, whole, digits;
	int decimal_exponent, shift;
	uint64_t bits;

	if (!(magnitude >= 1e-15 && magnitude < 1e22))
		return round_trip_exact(value); /* zeros, NaN, infinities, extremes */
	memcpy(&bits, &magnitude, sizeof(bits));
	/*
	 * log2(value) ~ exponent + mantissa fraction (0.086 off at most), so
	 * this floor(log10(value)) is wrong only within 0.026 of a power of
	 * ten, where the loop corrects it: the usual value takes one turn and
	 * no mispredicted branch.
	 */
	decimal_exponent = (int)(((double)((int)(bits >> 52) - 1023) +
				  (double)(bits & ((UINT64_C(1) << 52) - 1)) * 0x1p-52) *
					 0.30102999566398120 +
				 1000.0) -
			   1000;
	for (int attempt = 0;; attempt++) {
		shift = SIGNIFICANT_DIGITS - 1 - decimal_exponent;
		if (attempt == 3 || shift > 22 || shift < -22)
			return round_trip_exact(value);
		scaled = shift >= 0 ? magnitude * json_exact_powers_of_ten[shift]
				    : magnitude / json_exact_powers_of_ten[-shift];
		if (!(scaled < 2 * (double)TEN_TO_THE_8))
			return round_trip_exact(value); /* cannot happen; keeps the cast defined */
		whole = (double)(int64_t)scaled;	/* floor: positive, below 2^28 */
		if (fabs(scaled - whole - 0.5) <= 0x1p-25)
			return round_trip_exact(value);
		/* Up or down is a coin toss: no branch on it. */
		digits = whole + (double)(scaled - whole > 0.5);
		if (digits >= TEN_TO_THE_8)
			decimal_exponent++;
		else if (digits < TEN_TO_THE_7)
			decimal_exponent--;
		else
			break;
	}
	/* digits x 10^-shift: both exact, one correctly rounded operation (strtod's value). */
	magnitude = shift >= 0 ? digits / json_exact_powers_of_ten[shift]
			       : digits * json_exact_powers_of_ten[-shift];
	return value < 0 ? -magnitude : magnitude;
}

void window_report_as_text_values(struct report *report)
{
	/* Counts print as integers (%zu): exact already. */
	for (int s = STAT_SIZE_MEAN; s < STAT_COUNT_OF_STATS; s++) {
		report->up[s] = window_round_trip_8g(report->up[s]);
		report->down[s] = window_round_trip_8g(report->down[s]);
	}
}
