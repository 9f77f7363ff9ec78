/* SPDX-License-Identifier: BSD-3-Clause */
/* A thin layer over sd_notify(3): see notify.h. */
#include <stdio.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "notify.h"

/* sd_notify() already ignores an unset socket; saying it here keeps that explicit. */
static int notify_send(const char *state)
{
	int rc;

	if (getenv("NOTIFY_SOCKET") == NULL)
		return 0;
	rc = sd_notify(0, state);
	return rc < 0 ? rc : 0;
}

int notify_ready(void)
{
	return notify_send("READY=1");
}

int notify_watchdog(void)
{
	return notify_send("WATCHDOG=1");
}

int notify_stopping(void)
{
	return notify_send("STOPPING=1");
}

int notify_status(const char *text)
{
	char state[256];

	if (getenv("NOTIFY_SOCKET") == NULL)
		return 0;
	snprintf(state, sizeof(state), "STATUS=%s", text);
	return notify_send(state);
}

uint64_t notify_watchdog_interval_ns(void)
{
	uint64_t usec = 0;

	if (getenv("NOTIFY_SOCKET") == NULL || sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return usec * 1000;
}
