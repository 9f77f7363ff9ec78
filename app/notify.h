/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * systemd's service notifications (sd_notify(3)), for Type=notify with
 * WatchdogSec=: readiness, watchdog pings, stopping and a status line.
 *
 * Every function is a no-op returning 0 when NOTIFY_SOCKET is unset (cgnf
 * not started by systemd).  They make syscalls: call them from the control
 * thread only, never from a datapath lcore.  Feed the watchdog only when the
 * aggregator's heartbeat has advanced since the last ping, so that a stuck
 * pipeline lets systemd restart the service.
 */
#ifndef CGNF_NOTIFY_H
#define CGNF_NOTIFY_H

#include <stdint.h>

/* READY=1: start-up is over (ports up, lcores launched). 0 or -errno. */
int notify_ready(void);

/* WATCHDOG=1: one ping. 0 or -errno. */
int notify_watchdog(void);

/* STOPPING=1: the staged shutdown has begun. 0 or -errno. */
int notify_stopping(void);

/* STATUS=text: the line `systemctl status` shows. 0 or -errno. */
int notify_status(const char *text);

/*
 * The watchdog period systemd asks for (WatchdogSec=, from WATCHDOG_USEC)
 * in nanoseconds, or 0 when there is no watchdog for this process.  Ping at
 * half of it.
 */
uint64_t notify_watchdog_interval_ns(void);

#endif
