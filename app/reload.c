/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "tree.h"

#include "cgnf.h"
#include "log.h"
#include "reload.h"

RTE_LOG_REGISTER(cgnf_logtype_reload, cgnf.reload, INFO);

/* How often the reloader looks at the classifiers' quiescent counters. */
#define RELOAD_POLL_US 100

static struct {
	struct cgnf_app *app;
	pthread_mutex_t lock; /* one reload at a time; guards the fields below */
	struct reload_status status;
	sem_t wake;
	pthread_t thread;
	bool thread_running;
	int stopping;
} reloader = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* Returns once no classifier can still be using a model swapped out before the call. */
static void wait_for_classifiers(const struct cgnf_app *app)
{
	uint64_t seen[RTE_MAX_LCORE];
	unsigned int i;

	for (i = 0; i < app->n_classifiers; i++)
		seen[i] = __atomic_load_n(&app->classifiers[i].quiescent, __ATOMIC_SEQ_CST);
	for (i = 0; i < app->n_classifiers; i++) {
		const struct classifier_lcore *classifier = &app->classifiers[i];

		while (__atomic_load_n(&classifier->quiescent, __ATOMIC_SEQ_CST) == seen[i] &&
		       !__atomic_load_n(&classifier->done, __ATOMIC_ACQUIRE))
			rte_delay_us_sleep(RELOAD_POLL_US);
	}
}

int reload_request(const char *path, char *err, size_t err_size)
{
	struct cgnf_app *app;
	const struct tree_info *info;
	struct tree *fresh, *old;
	char current[sizeof(reloader.status.model.path)];

	pthread_mutex_lock(&reloader.lock);
	app = reloader.app;
	if (app == NULL) {
		pthread_mutex_unlock(&reloader.lock);
		snprintf(err, err_size, "cgnf is not running a model");
		return -ENODEV;
	}
	if (path == NULL) {
		snprintf(current, sizeof(current), "%s", reloader.status.model.path);
		path = current;
	}
	fresh = tree_load(path, err, err_size);
	if (fresh == NULL) {
		reloader.status.refused++;
		pthread_mutex_unlock(&reloader.lock);
		CGNF_LOG(reload, ERR, "refused, the running model stays: %s", err);
		return -EINVAL;
	}
	old = __atomic_exchange_n(&app->model, fresh, __ATOMIC_SEQ_CST);
	wait_for_classifiers(app);
	tree_free(old);

	info = tree_get_info(fresh);
	reloader.status.model = *info;
	reloader.status.reloads++;
	pthread_mutex_unlock(&reloader.lock);
	CGNF_LOG(reload, NOTICE, "model %s loaded: %u nodes, depth %u, checksum %016" PRIx64,
		 info->path, info->n_nodes, info->depth, info->checksum);
	if (err_size > 0)
		err[0] = '\0';
	return 0;
}

void reload_get_status(struct reload_status *out)
{
	pthread_mutex_lock(&reloader.lock);
	*out = reloader.status;
	pthread_mutex_unlock(&reloader.lock);
}

void reload_on_signal(void)
{
	if (reloader.thread_running)
		sem_post(&reloader.wake);
}

static void *reload_thread_main(void *arg)
{
	char err[512];

	(void)arg;
	for (;;) {
		if (sem_wait(&reloader.wake) != 0)
			continue; /* EINTR */
		if (__atomic_load_n(&reloader.stopping, __ATOMIC_ACQUIRE))
			break;
		CGNF_LOG(reload, INFO, "SIGHUP: reloading the model file");
		reload_request(NULL, err, sizeof(err));
	}
	return NULL;
}

int reload_init(struct cgnf_app *app)
{
	int rc;

	reloader.status.model = *tree_get_info(app->model);
	reloader.status.reloads = 0;
	reloader.status.refused = 0;
	if (sem_init(&reloader.wake, 0, 0) != 0)
		return -errno;
	reloader.stopping = 0;
	reloader.app = app;
	rc = rte_ctrl_thread_create(&reloader.thread, "cgnf-reload", NULL, reload_thread_main,
				    NULL);
	if (rc != 0) {
		reloader.app = NULL;
		sem_destroy(&reloader.wake);
		CGNF_LOG(reload, ERR, "cannot start the reload thread: %s", strerror(rc));
		return -rc;
	}
	reloader.thread_running = true;
	return 0;
}

void reload_fini(void)
{
	if (!reloader.thread_running)
		return;
	__atomic_store_n(&reloader.stopping, 1, __ATOMIC_RELEASE);
	sem_post(&reloader.wake);
	pthread_join(reloader.thread, NULL);
	reloader.thread_running = false;
	sem_destroy(&reloader.wake);
	pthread_mutex_lock(&reloader.lock);
	reloader.app = NULL;
	pthread_mutex_unlock(&reloader.lock);
}
