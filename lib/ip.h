/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP addresses and conversations (IP pairs) as cgnf keys them.
 *
 * Every address is 16 bytes: IPv6 as is, IPv4 as its IPv4-mapped IPv6 form
 * (::ffff:a.b.c.d).  One fixed-size key covers both families, compares with
 * memcmp, and prints back as dotted quad for IPv4.
 */
#ifndef CGNF_IP_H
#define CGNF_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text ip_format writes, NUL included (INET6_ADDRSTRLEN). */
#define IP_TEXT_MAX 46

struct ip_addr {
	uint8_t bytes[16];
};

/*
 * The family an address arrived in: the IP header's version, or the text's
 * notation.  The bytes alone cannot tell an IPv4 address from the IPv6
 * address ::ffff:a.b.c.d, which the IPv6 stack sends on the wire as IPv6;
 * prefix lists (prefix.h) match only addresses of their own family.
 */
enum ip_family {
	IP_FAMILY_V4 = 4,
	IP_FAMILY_V6 = 6,
};

/* One conversation: ip1 is the client side once oriented (see features.h). */
struct ip_pair {
	struct ip_addr ip1;
	struct ip_addr ip2;
};

bool ip_is_v4(const struct ip_addr *addr);
void ip_from_v4(struct ip_addr *addr, const uint8_t v4[4]);

/*
 * Parses an address as inet_pton accepts it (IPv4 first, then IPv6).
 * text need not be NUL-terminated.  Returns 0 or -EINVAL.
 */
int ip_parse(struct ip_addr *addr, const char *text, size_t len);

/* Same, and *family is the notation's: IPv4 for a dotted quad, IPv6 otherwise. */
int ip_parse_family(struct ip_addr *addr, const char *text, size_t len, enum ip_family *family);

/* Writes the canonical text (inet_ntop's) into out[IP_TEXT_MAX]. */
void ip_format(const struct ip_addr *addr, char out[IP_TEXT_MAX]);

/*
 * Keyed hash of the unordered pair: hash(a, b) == hash(b, a).  The seed is
 * drawn at start so that a sender choosing addresses cannot aim at one bucket.
 */
uint32_t ip_pair_hash(const struct ip_pair *pair, uint64_t seed);

/* Same unordered pair, in either order. */
bool ip_pair_same(const struct ip_pair *a, const struct ip_pair *b);

#endif
