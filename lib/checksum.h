/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the NIC's RX checksum offload found, and whether that makes a frame
 * bad_checksum.  Plain C on the flag bits, so that the decision is
 * unit-tested without EAL; app/rx.c hands in mbuf->ol_flags.
 *
 * DPDK 22.11 reports each of the IPv4 and L4 checksums as two bits
 * (rte_mbuf_core.h): neither set = unknown (not checked), BAD, GOOD, both =
 * NONE (the packet carries no valid checksum to check, e.g. UDP's optional
 * zero checksum).  Only BAD refuses a frame: unknown and none are not
 * evidence of corruption.  The bit values are DPDK 22.11's; app/rx.c checks
 * them against rte_mbuf_core.h at compile time.
 */
#ifndef CGNF_CHECKSUM_H
#define CGNF_CHECKSUM_H

#include <stdbool.h>
#include <stdint.h>

#define CHECKSUM_FLAG_L4_BAD (UINT64_C(1) << 3)	 /* RTE_MBUF_F_RX_L4_CKSUM_BAD */
#define CHECKSUM_FLAG_IP_BAD (UINT64_C(1) << 4)	 /* RTE_MBUF_F_RX_IP_CKSUM_BAD */
#define CHECKSUM_FLAG_IP_GOOD (UINT64_C(1) << 7) /* RTE_MBUF_F_RX_IP_CKSUM_GOOD */
#define CHECKSUM_FLAG_L4_GOOD (UINT64_C(1) << 8) /* RTE_MBUF_F_RX_L4_CKSUM_GOOD */
#define CHECKSUM_FLAG_IP_MASK (CHECKSUM_FLAG_IP_BAD | CHECKSUM_FLAG_IP_GOOD)
#define CHECKSUM_FLAG_L4_MASK (CHECKSUM_FLAG_L4_BAD | CHECKSUM_FLAG_L4_GOOD)

enum checksum_status {
	CHECKSUM_UNKNOWN, /* not checked: no offload, or the NIC did not parse that far */
	CHECKSUM_BAD,
	CHECKSUM_GOOD,
	CHECKSUM_NONE, /* nothing valid to check */
};

static inline enum checksum_status checksum_status_of(uint64_t flags, uint64_t bad, uint64_t good)
{
	bool is_bad = (flags & bad) != 0, is_good = (flags & good) != 0;

	if (is_bad && is_good)
		return CHECKSUM_NONE;
	return is_bad ? CHECKSUM_BAD : is_good ? CHECKSUM_GOOD : CHECKSUM_UNKNOWN;
}

static inline enum checksum_status checksum_ip_status(uint64_t flags)
{
	return checksum_status_of(flags, CHECKSUM_FLAG_IP_BAD, CHECKSUM_FLAG_IP_GOOD);
}

static inline enum checksum_status checksum_l4_status(uint64_t flags)
{
	return checksum_status_of(flags, CHECKSUM_FLAG_L4_BAD, CHECKSUM_FLAG_L4_GOOD);
}

/* The decision: a frame is bad_checksum when either checksum is known bad. */
static inline bool checksum_is_bad(enum checksum_status ip, enum checksum_status l4)
{
	return ip == CHECKSUM_BAD || l4 == CHECKSUM_BAD;
}

/*
 * The same decision on the RX flags, for the datapath: one test for the
 * common case (neither bad bit set), since "none" has the bad bit set too.
 */
static inline bool checksum_flags_bad(uint64_t flags)
{
	if (__builtin_expect((flags & (CHECKSUM_FLAG_IP_BAD | CHECKSUM_FLAG_L4_BAD)) == 0, 1))
		return false;
	return (flags & CHECKSUM_FLAG_IP_MASK) == CHECKSUM_FLAG_IP_BAD ||
	       (flags & CHECKSUM_FLAG_L4_MASK) == CHECKSUM_FLAG_L4_BAD;
}

#endif
