/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threads that a library starts for us (libmicrohttpd's polling thread)
 * inherit the CPU set of the thread that starts them.  Started from the
 * main lcore, they would share the aggregator's CPU; started from a DPDK
 * control thread, they get the control threads' CPU set (the CPUs no lcore
 * uses, when there are some), as cgnf's own control, reload and Redis
 * threads do.
 */
#ifndef CGNF_CTRL_THREAD_H
#define CGNF_CTRL_THREAD_H

/*
 * Runs fn(arg) on a short-lived control thread named name and waits for
 * it.  0 and fn's return value in *result, or -errno when the thread could
 * not be created (fn did not run).
 */
int ctrl_thread_call(const char *name, void *(*fn)(void *), void *arg, void **result);

#endif
