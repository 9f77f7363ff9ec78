/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs app/eal_advice.c as main will, without starting EAL, for
 * tests/integration/test_first_steps:
 *
 *   eal_advice_probe ERRNO [EAL options] [-- ...]   eal_explain_failure()
 *   eal_advice_probe check [EAL options] [-- ...]   eal_check_lcores(), exit 1 when it refuses
 */
#include <stdlib.h>
#include <string.h>

#include "eal_advice.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	/* argv[1] stands where the program name is in main's argv. */
	if (strcmp(argv[1], "check") == 0)
		return eal_check_lcores(argc - 1, argv + 1) != 0;
	eal_explain_failure(argc - 1, argv + 1, atoi(argv[1]));
	return 0;
}
