/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The report parser: one pass over the payload, no allocation, no recursion.
 * It accepts exactly the texts jansson's json_loadb(text, len, 0) accepts
 * whose value has the report's shape and sane values (checked against
 * jansson by test_report and fuzz_report), with one deliberate difference:
 * jansson lets a raw NUL byte right after a number or a literal slip through
 * ("[1\0]" loads as [1]); no JSON text holds a raw NUL, so it is refused here.
 *
 * Two readers: parse_compact takes the probe's own layout in one straight
 * pass and only says yes or no; parse_any takes every text and, refusing
 * one, names the first fault met from the left.
 */
#include <string.h>

#include "json_number.h"
#include "report.h"

/* JSON's four whitespace bytes. */
static inline bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline const char *skip_space(const char *p, const char *end)
{
	/* Every whitespace byte is <= ' ': one compare settles the usual case. */
	while (p != end && (unsigned char)*p <= ' ' && is_space(*p))
		p++;
	return p;
}

static bool starts_with(const char *p, const char *end, const char *word)
{
	size_t length = strlen(word);

	return (size_t)(end - p) >= length && memcmp(p, word, length) == 0;
}

/*
 * Why a value that is not the expected kind is refused: the expected kind's
 * reason when it is some other JSON value, a more telling one otherwise.
 */
static enum drop_reason refuse_value(const char *p, const char *end, enum drop_reason wrong_kind)
{
	if (starts_with(p, end, "NaN") || starts_with(p, end, "Infinity") ||
	    starts_with(p, end, "-Infinity"))
		return DROP_REPORT_NAN_OR_INFINITY;
	switch (*p) {
	case '"':
	case '-':
	case '0' ... '9':
	case '[':
	case '{':
	case 't':
	case 'f':
	case 'n':
		return wrong_kind;
	default:
		return DROP_REPORT_BAD_SYNTAX;
	}
}

/* Reads a number where one is expected; *p is not whitespace, p < end. */
static inline enum drop_reason parse_number(const char **cursor, const char *begin, const char *end,
					    struct json_number *number)
{
	const char *p = *cursor;
	enum drop_reason reason;

	if (json_number_parse_short(cursor, begin, end, number))
		return DROP_NONE;
	if (json_is_digit(*p) || *p == '-') {
		reason = json_number_parse(cursor, end, number);
		if (reason == DROP_REPORT_BAD_NUMBER && starts_with(p, end, "-Infinity"))
			return DROP_REPORT_NAN_OR_INFINITY;
		return reason;
	}
	if (*p == '+' || *p == '.')
		return DROP_REPORT_BAD_NUMBER;
	return refuse_value(p, end, DROP_REPORT_NOT_A_NUMBER);
}

/*
 * Bytes of a string that need no care: printable ASCII but '"' and '\\'.
 * The other ones (escapes, control characters, UTF-8) take the slow path.
 */
static const bool plain_string_byte[256] = {
	[0x20 ... 0x21] = true, /* 0x22 is '"' */
	[0x23 ... 0x5b] = true, /* 0x5c is '\\' */
	[0x5d ... 0x7f] = true,
};

static int hex_value(char c)
{
	if (json_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the 4 hex digits of a \u escape at p into *unit. */
static enum drop_reason read_unicode_escape(const char *p, const char *end, uint32_t *unit)
{
	*unit = 0;
	for (int i = 0; i < 4; i++) {
		int digit;

		if (p + i == end)
			return DROP_REPORT_TRUNCATED;
		digit = hex_value(p[i]);
		if (digit < 0)
			return DROP_REPORT_BAD_STRING;
		*unit = *unit << 4 | (uint32_t)digit;
	}
	return DROP_NONE;
}

/*
 * Checks one raw UTF-8 sequence at p (its first byte >= 0x80) as jansson
 * does: shortest form, no surrogates, at most U+10FFFF.  Sets *length.
 */
static enum drop_reason check_utf8(const char *p, const char *end, size_t *length)
{
	const unsigned char *bytes = (const unsigned char *)p;
	uint32_t code_point;
	size_t count;

	if (bytes[0] >= 0xc2 && bytes[0] <= 0xdf)
		count = 2, code_point = bytes[0] & 0x1f;
	else if (bytes[0] >= 0xe0 && bytes[0] <= 0xef)
		count = 3, code_point = bytes[0] & 0x0f;
	else if (bytes[0] >= 0xf0 && bytes[0] <= 0xf4)
		count = 4, code_point = bytes[0] & 0x07;
	else
		return DROP_REPORT_BAD_STRING;
	for (size_t i = 1; i < count; i++) {
		if (p + i == end)
			return DROP_REPORT_TRUNCATED;
		if ((bytes[i] & 0xc0) != 0x80)
			return DROP_REPORT_BAD_STRING;
		code_point = code_point << 6 | (bytes[i] & 0x3f);
	}
	if (code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff) ||
	    (count == 3 && code_point < 0x800) || (count == 4 && code_point < 0x10000))
		return DROP_REPORT_BAD_STRING;
	*length = count;
	return DROP_NONE;
}

/* Appends a code point as UTF-8 when it still fits; *length counts it anyway. */
static void append_code_point(char *text, size_t *length, uint32_t code_point)
{
	char encoded[4];
	size_t count;

	if (code_point < 0x80) {
		encoded[0] = (char)code_point, count = 1;
	} else if (code_point < 0x800) {
		encoded[0] = (char)(0xc0 | code_point >> 6), count = 2;
	} else if (code_point < 0x10000) {
		encoded[0] = (char)(0xe0 | code_point >> 12), count = 3;
	} else {
		encoded[0] = (char)(0xf0 | code_point >> 18), count = 4;
	}
	for (size_t i = 1; i < count; i++)
		encoded[i] = (char)(0x80 | ((code_point >> (6 * (count - 1 - i))) & 0x3f));
	if (*length + count < IP_TEXT_MAX)
		memcpy(text + *length, encoded, count);
	*length += count;
}

/* ip_parse, keeping the notation's family (report.h). */
static inline int parse_address_text(struct ip_addr *addr, const char *text, size_t len,
				     uint8_t *family)
{
	enum ip_family parsed;
	int ret = ip_parse_family(addr, text, len, &parsed);

	*family = (uint8_t)parsed;
	return ret;
}

/*
 * The slow path of a string: escapes and raw UTF-8, decoded into a stack
 * buffer.  *cursor is just past the opening quote.
 */
static enum drop_reason parse_escaped_address(const char **cursor, const char *end,
					      struct ip_addr *addr, uint8_t *family)
{
	char decoded[IP_TEXT_MAX];
	size_t length = 0;
	const char *p = *cursor;
	enum drop_reason reason;

	for (;;) {
		uint32_t unit, low;
		size_t count;

		if (p == end)
			return DROP_REPORT_TRUNCATED;
		if (*p == '"')
			break;
		if ((unsigned char)*p < 0x20)
			return DROP_REPORT_CONTROL_CHARACTER;
		if ((unsigned char)*p >= 0x80) {
			reason = check_utf8(p, end, &count);
			if (reason != DROP_NONE)
				return reason;
			if (length + count < IP_TEXT_MAX)
				memcpy(decoded + length, p, count);
			length += count;
			p += count;
			continue;
		}
		if (*p != '\\') {
			append_code_point(decoded, &length, (unsigned char)*p++);
			continue;
		}
		if (++p == end)
			return DROP_REPORT_TRUNCATED;
		switch (*p++) {
		case '"':
			unit = '"';
			break;
		case '\\':
			unit = '\\';
			break;
		case '/':
			unit = '/';
			break;
		case 'b':
			unit = '\b';
			break;
		case 'f':
			unit = '\f';
			break;
		case 'n':
			unit = '\n';
			break;
		case 'r':
			unit = '\r';
			break;
		case 't':
			unit = '\t';
			break;
		case 'u':
			reason = read_unicode_escape(p, end, &unit);
			if (reason != DROP_NONE)
				return reason;
			p += 4;
			/* jansson refuses \u0000 unless asked, and lone surrogates always. */
			if (unit == 0 || (unit >= 0xdc00 && unit <= 0xdfff))
				return DROP_REPORT_BAD_STRING;
			if (unit >= 0xd800 && unit <= 0xdbff) {
				if (end - p < 2)
					return end == p || p[0] == '\\' ? DROP_REPORT_TRUNCATED
									: DROP_REPORT_BAD_STRING;
				if (p[0] != '\\' || p[1] != 'u')
					return DROP_REPORT_BAD_STRING;
				reason = read_unicode_escape(p + 2, end, &low);
				if (reason != DROP_NONE)
					return reason;
				if (low < 0xdc00 || low > 0xdfff)
					return DROP_REPORT_BAD_STRING;
				p += 6;
				unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
			}
			break;
		default:
			return DROP_REPORT_BAD_STRING;
		}
		append_code_point(decoded, &length, unit);
	}
	if (length >= IP_TEXT_MAX)
		return DROP_REPORT_STRING_TOO_LONG;
	if (parse_address_text(addr, decoded, length, family) != 0)
		return DROP_REPORT_BAD_ADDRESS;
	*cursor = p + 1;
	return DROP_NONE;
}

/* Reads an address string; *p is not whitespace, p < end. */
static inline enum drop_reason parse_address(const char **cursor, const char *end,
					     struct ip_addr *addr, uint8_t *family)
{
	const char *start = *cursor + 1, *p = start;

	if (**cursor != '"')
		return refuse_value(*cursor, end, DROP_REPORT_NOT_A_STRING);
	while (p != end && plain_string_byte[(unsigned char)*p])
		p++;
	if (p == end)
		return DROP_REPORT_TRUNCATED;
	if (*p != '"') {
		*cursor = start;
		return parse_escaped_address(cursor, end, addr, family);
	}
	if (p - start >= IP_TEXT_MAX)
		return DROP_REPORT_STRING_TOO_LONG;
	if (parse_address_text(addr, start, (size_t)(p - start), family) != 0)
		return DROP_REPORT_BAD_ADDRESS;
	*cursor = p + 1;
	return DROP_NONE;
}

/* Reads a port: an integer-form number in 0..65535. */
static inline enum drop_reason parse_port(const char **cursor, const char *begin, const char *end,
					  uint16_t *port)
{
	struct json_number number;
	enum drop_reason reason = parse_number(cursor, begin, end, &number);

	if (reason != DROP_NONE)
		return reason;
	if (!number.is_integer || number.integer < 0 || number.integer > UINT16_MAX)
		return DROP_REPORT_BAD_PORT;
	*port = (uint16_t)number.integer;
	return DROP_NONE;
}

/*
 * After a value: skips to the next one past a ',' (then *cursor < end and is
 * not whitespace), or reports what stands there instead.
 */
static inline enum drop_reason next_value(const char **cursor, const char *end,
					  enum drop_reason early_close)
{
	const char *p = skip_space(*cursor, end);

	if (p == end)
		return DROP_REPORT_TRUNCATED;
	if (*p != ',')
		return *p == ']' ? early_close : DROP_REPORT_BAD_SYNTAX;
	p = skip_space(p + 1, end);
	if (p == end)
		return DROP_REPORT_TRUNCATED;
	*cursor = p;
	return DROP_NONE;
}

/* After the last value of a list: its ']'. */
static inline enum drop_reason close_list(const char **cursor, const char *end,
					  enum drop_reason extra_value)
{
	const char *p = skip_space(*cursor, end);

	if (p == end)
		return DROP_REPORT_TRUNCATED;
	if (*p != ']')
		return *p == ',' ? extra_value : DROP_REPORT_BAD_SYNTAX;
	*cursor = p + 1;
	return DROP_NONE;
}

/* Opens a list; leaves *cursor on its first value. */
static inline enum drop_reason open_list(const char **cursor, const char *end,
					 enum drop_reason empty)
{
	const char *p = skip_space(*cursor + 1, end);

	if (p == end)
		return DROP_REPORT_TRUNCATED;
	if (*p == ']')
		return empty;
	*cursor = p;
	return DROP_NONE;
}

/*
 * One window's five statistics.  Count and means cannot be negative; the
 * variances may be: the probe's one-pass variance can round a true zero to a
 * tiny negative, and refusing the report would lose a good one.
 */
static inline enum drop_reason parse_stats(const char **cursor, const char *begin, const char *end,
					   double stats[STAT_COUNT_OF_STATS])
{
	enum drop_reason reason;
	struct json_number number;

	if (**cursor != '[')
		return refuse_value(*cursor, end, DROP_REPORT_NOT_A_LIST);
	reason = open_list(cursor, end, DROP_REPORT_STATS_ARITY);
	if (reason != DROP_NONE)
		return reason;
	for (int i = 0; i < STAT_COUNT_OF_STATS; i++) {
		if (i > 0) {
			reason = next_value(cursor, end, DROP_REPORT_STATS_ARITY);
			if (reason != DROP_NONE)
				return reason;
		}
		if (**cursor == '[' || **cursor == '{')
			return DROP_REPORT_TOO_DEEP;
		reason = parse_number(cursor, begin, end, &number);
		if (reason != DROP_NONE)
			return reason;
		if (number.value < 0 && i != STAT_SIZE_VAR && i != STAT_IAT_VAR)
			return DROP_REPORT_NEGATIVE_VALUE;
		stats[i] = number.value;
	}
	return close_list(cursor, end, DROP_REPORT_STATS_ARITY);
}

/* Any text: the first fault met from the left names the refusal. */
static enum drop_reason parse_any(const char *text, size_t len, struct report *out)
{
	const char *end = text + len;
	const char *p = skip_space(text, end);
	enum drop_reason reason;

	if (p == end)
		return DROP_REPORT_EMPTY;
	if (*p != '[')
		return DROP_REPORT_NOT_ARRAY;
	reason = open_list(&p, end, DROP_REPORT_WRONG_ARITY);
	if (reason != DROP_NONE)
		return reason;

#define STEP(call)                       \
	do {                             \
		reason = (call);         \
		if (reason != DROP_NONE) \
			return reason;   \
	} while (0)

	STEP(parse_address(&p, end, &out->src, &out->src_family));
	STEP(next_value(&p, end, DROP_REPORT_WRONG_ARITY));
	STEP(parse_port(&p, text, end, &out->src_port));
	STEP(next_value(&p, end, DROP_REPORT_WRONG_ARITY));
	STEP(parse_address(&p, end, &out->dst, &out->dst_family));
	STEP(next_value(&p, end, DROP_REPORT_WRONG_ARITY));
	STEP(parse_port(&p, text, end, &out->dst_port));
	STEP(next_value(&p, end, DROP_REPORT_WRONG_ARITY));
	STEP(parse_stats(&p, text, end, out->up));
	STEP(next_value(&p, end, DROP_REPORT_WRONG_ARITY));
	STEP(parse_stats(&p, text, end, out->down));
	STEP(close_list(&p, end, DROP_REPORT_WRONG_ARITY));
#undef STEP

	return skip_space(p, end) == end ? DROP_NONE : DROP_REPORT_TRAILING_BYTES;
}

/*
 * The compact path, for the probe's own layout (no whitespace, plain
 * addresses, short numbers).  Measured here (-O2, the shared probe
 * reports): 1 910 instructions and 105 ns per report, against 2 730 and
 * 133 ns for parse_any alone.
 */
static inline bool expect_byte(const char **cursor, const char *end, char byte)
{
	if (*cursor == end || **cursor != byte)
		return false;
	(*cursor)++;
	return true;
}

static inline __attribute__((always_inline)) bool
compact_address(const char **cursor, const char *end, struct ip_addr *addr, uint8_t *family)
{
	const char *start = *cursor + 1;
	unsigned int length;

	if (*cursor == end || **cursor != '"' || end - start < 16)
		return false;
	/* The closing quote within 16 bytes; ip_parse refuses escapes and the like. */
	length = json_first_flagged(json_bytes_equal(json_load_word(start), '"'),
				    json_bytes_equal(json_load_word(start + 8), '"'));
	if (length == 16 || parse_address_text(addr, start, length, family) != 0)
		return false;
	*cursor = start + length + 1;
	return true;
}

static inline __attribute__((always_inline)) bool
compact_port(const char **cursor, const char *begin, const char *end, uint16_t *port)
{
	struct json_number number;

	if (!json_number_parse_short(cursor, begin, end, &number) || !number.is_integer ||
	    number.integer < 0 || number.integer > UINT16_MAX)
		return false;
	*port = (uint16_t)number.integer;
	return true;
}

/* One statistic and the byte after it; count and means are not negative. */
static inline __attribute__((always_inline)) bool
compact_stat(const char **cursor, const char *begin, const char *end, int index, double *stat)
{
	struct json_number number;

	if (!json_number_parse_short(cursor, begin, end, &number) ||
	    !expect_byte(cursor, end, index < STAT_COUNT_OF_STATS - 1 ? ',' : ']'))
		return false;
	*stat = number.value;
	return !(number.value < 0) || index == STAT_SIZE_VAR || index == STAT_IAT_VAR;
}

/* The last '[' of the text (that of the DW window, in a report), or NULL. */
static inline const char *last_open_bracket(const char *begin, const char *end)
{
	const char *at = end;

	while (at - begin >= 8) {
		uint64_t hits;

		at -= 8;
		hits = json_bytes_equal(json_load_word(at), '[');
		if (hits != 0)
			return at + (63 - __builtin_clzll(hits)) / 8;
	}
	while (at != begin)
		if (*--at == '[')
			return at;
	return NULL;
}

static bool parse_compact(const char *text, size_t len, struct report *out)
{
	const char *p = text, *end = text + len;
	const char *down = last_open_bracket(text, end), *up;
	bool good = true;

	if (!(expect_byte(&p, end, '[') && compact_address(&p, end, &out->src, &out->src_family) &&
	      expect_byte(&p, end, ',') && compact_port(&p, text, end, &out->src_port) &&
	      expect_byte(&p, end, ',') && compact_address(&p, end, &out->dst, &out->dst_family) &&
	      expect_byte(&p, end, ',') && compact_port(&p, text, end, &out->dst_port) &&
	      expect_byte(&p, end, ',') && expect_byte(&p, end, '[')) ||
	    down == NULL || down - p < 2 * STAT_COUNT_OF_STATS)
		return false;
	/*
	 * Where a number ends is known only once it is read: each window is a
	 * chain of such waits.  DW's '[' found first, the UP and DW chains are
	 * read side by side and the processor runs them at the same time
	 * (128 -> 105 ns here).  The joints are checked after.
	 */
	up = p;
	p = down + 1;
	for (int i = 0; i < STAT_COUNT_OF_STATS && good; i++)
		good = compact_stat(&up, text, end, i, &out->up[i]) &&
		       compact_stat(&p, text, end, i, &out->down[i]);
	/* UP closed right where DW opens, after a ','; DW closes the report. */
	return good && up == down - 1 && *up == ',' && expect_byte(&p, end, ']') && p == end;
}

enum drop_reason report_parse(const char *text, size_t len, struct report *out)
{
	if (parse_compact(text, len, out))
		return DROP_NONE;
	return parse_any(text, len, out);
}
