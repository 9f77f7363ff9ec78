/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>

#include <rte_lcore.h>

#include "ctrl_thread.h"

int ctrl_thread_call(const char *name, void *(*fn)(void *), void *arg, void **result)
{
	pthread_t thread;
	int rc = rte_ctrl_thread_create(&thread, name, NULL, fn, arg);

	if (rc != 0)
		return rc < 0 ? rc : -rc;
	rc = pthread_join(thread, result);
	return -rc;
}
