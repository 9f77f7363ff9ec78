/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Calls app/notify.c's functions in the order the app will, for
 * tests/integration/test_install: prints the watchdog interval, then sends
 * READY=1, STATUS=..., WATCHDOG=1 and STOPPING=1 (to NOTIFY_SOCKET when set).
 * Exit 1 when a call fails.
 */
#include <inttypes.h>
#include <stdio.h>

#include "notify.h"

int main(void)
{
	int failed = 0;

	printf("watchdog_interval_ns %" PRIu64 "\n", notify_watchdog_interval_ns());
	failed |= notify_ready() != 0;
	failed |= notify_status("probe: 3 reports/s") != 0;
	failed |= notify_watchdog() != 0;
	failed |= notify_stopping() != 0;
	printf("%s\n", failed ? "a call failed" : "sent");
	return failed;
}
