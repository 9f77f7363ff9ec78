/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small set of CIDR prefixes (the LAN side, or the allowed probes), IPv4 and
 * IPv6.  Membership only: no longest match is needed.
 *
 * A prefix belongs to the family of its notation and holds only addresses of
 * that family, as Python's ipaddress does: 127.0.0.0/8 does not hold the
 * IPv6 address ::ffff:127.0.0.1, ::/0 holds every IPv6 address and no IPv4
 * one, ::ffff:0:0/96 holds IPv4-mapped IPv6 addresses only.
 */
#ifndef CGNF_PREFIX_H
#define CGNF_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "ip.h"

#define PREFIX_LIST_MAX 64

struct prefix {
	struct ip_addr addr;   /* host bits cleared */
	unsigned int bits;     /* 0..128, IPv4 prefixes counted from ::ffff:0:0/96 */
	struct ip_addr mask;   /* the network bits set, derived by prefix_list_add */
	enum ip_family family; /* the notation's */
};

struct prefix_list {
	unsigned int count;
	struct prefix items[PREFIX_LIST_MAX];
};

/*
 * Adds "a.b.c.d/n", "x::/n" or a bare address (a host prefix).
 * Returns 0, -EINVAL on bad text or host bits set, -ENOSPC when full.
 */
int prefix_list_add(struct prefix_list *list, const char *text);

/* Whether a prefix of the address's family holds it. */
bool prefix_list_contains(const struct prefix_list *list, const struct ip_addr *addr,
			  enum ip_family family);

/* Writes "192.168.0.0/16" or "fc00::/7" into out[IP_TEXT_MAX + 4]. */
void prefix_format(const struct prefix *prefix, char *out, size_t size);

#endif
