/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bad_checksum decision of lib/checksum.h: every combination of the IPv4
 * and L4 statuses, as enums and as the RX flag bits (with other flags set).
 */
#include <CUnit/Basic.h>

#include "checksum.h"
#include "unit_main.h"

static const enum checksum_status statuses[] = {CHECKSUM_UNKNOWN, CHECKSUM_BAD, CHECKSUM_GOOD,
						CHECKSUM_NONE};

static uint64_t ip_bits(enum checksum_status status)
{
	switch (status) {
	case CHECKSUM_BAD:
		return CHECKSUM_FLAG_IP_BAD;
	case CHECKSUM_GOOD:
		return CHECKSUM_FLAG_IP_GOOD;
	case CHECKSUM_NONE:
		return CHECKSUM_FLAG_IP_BAD | CHECKSUM_FLAG_IP_GOOD;
	case CHECKSUM_UNKNOWN:
		break;
	}
	return 0;
}

static uint64_t l4_bits(enum checksum_status status)
{
	switch (status) {
	case CHECKSUM_BAD:
		return CHECKSUM_FLAG_L4_BAD;
	case CHECKSUM_GOOD:
		return CHECKSUM_FLAG_L4_GOOD;
	case CHECKSUM_NONE:
		return CHECKSUM_FLAG_L4_BAD | CHECKSUM_FLAG_L4_GOOD;
	case CHECKSUM_UNKNOWN:
		break;
	}
	return 0;
}

/* The rule, written out: only a checksum known to be wrong refuses a frame. */
static void test_every_combination(void)
{
	/* Rows: IPv4 unknown, bad, good, none; columns: L4 the same. */
	static const bool expected[4][4] = {
		{false, true, false, false},
		{true, true, true, true},
		{false, true, false, false},
		{false, true, false, false},
	};

	for (int ip = 0; ip < 4; ip++)
		for (int l4 = 0; l4 < 4; l4++)
			CU_ASSERT_EQUAL(checksum_is_bad(statuses[ip], statuses[l4]),
					expected[ip][l4]);
}

static void test_flags_agree_with_statuses(void)
{
	/* Bits of other RX flags (VLAN, RSS hash, outer checksums...) must not matter. */
	static const uint64_t others[] = {0,
					  UINT64_C(1) << 0,
					  UINT64_C(1) << 1,
					  UINT64_C(1) << 5,
					  UINT64_C(1) << 22,
					  ~(CHECKSUM_FLAG_IP_MASK | CHECKSUM_FLAG_L4_MASK)};

	for (size_t o = 0; o < UNIT_COUNT(others); o++)
		for (int ip = 0; ip < 4; ip++)
			for (int l4 = 0; l4 < 4; l4++) {
				uint64_t flags =
					others[o] | ip_bits(statuses[ip]) | l4_bits(statuses[l4]);

				CU_ASSERT_EQUAL(checksum_ip_status(flags), statuses[ip]);
				CU_ASSERT_EQUAL(checksum_l4_status(flags), statuses[l4]);
				CU_ASSERT_EQUAL(checksum_flags_bad(flags),
						checksum_is_bad(statuses[ip], statuses[l4]));
			}
}

/* DPDK 22.11's values (rte_mbuf_core.h); app/rx.c asserts the same at build time. */
static void test_bit_values(void)
{
	CU_ASSERT_EQUAL(CHECKSUM_FLAG_L4_BAD, UINT64_C(1) << 3);
	CU_ASSERT_EQUAL(CHECKSUM_FLAG_IP_BAD, UINT64_C(1) << 4);
	CU_ASSERT_EQUAL(CHECKSUM_FLAG_IP_GOOD, UINT64_C(1) << 7);
	CU_ASSERT_EQUAL(CHECKSUM_FLAG_L4_GOOD, UINT64_C(1) << 8);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"bad when either checksum is known bad, every combination",
		 test_every_combination},
		{"flag bits give the same statuses and decision", test_flags_agree_with_statuses},
		{"bit values are DPDK 22.11's", test_bit_values},
	};

	return unit_run_suite("checksum", NULL, NULL, tests, UNIT_COUNT(tests));
}
