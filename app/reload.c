/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>

#include "tree.h"

#include "app.h"
#include "classifier.h"
#include "log.h"
#include "reload.h"

RTE_LOG_REGISTER(cgnf_logtype_reload, cgnf.reload, INFO);

/* How often the reloader looks at the classifiers' quiescent counters. */
#define RELOAD_POLL_NS 100000L

struct reloader {
	struct cgnf_app *app;
	pthread_mutex_t request_lock; /* one reload at a time, held while loading */
	pthread_mutex_t status_lock;  /* guards status, held only to copy it */
	struct reload_status status;
	struct reload_counters counters;
	sem_t wake;
	pthread_t thread;
	int stopping; /* atomic */
};

/* Returns once no classifier can still be using a model swapped out before the call. */
static void wait_for_classifiers(const struct cgnf_app *app)
{
	struct timespec poll = {.tv_sec = 0, .tv_nsec = RELOAD_POLL_NS};
	uint64_t seen[RTE_MAX_LCORE];
	unsigned int i;

	for (i = 0; i < app->n_classifiers; i++)
		seen[i] = __atomic_load_n(&app->classifiers[i].quiescent, __ATOMIC_SEQ_CST);
	for (i = 0; i < app->n_classifiers; i++) {
		const struct classifier_lcore *classifier = &app->classifiers[i];

		while (__atomic_load_n(&classifier->quiescent, __ATOMIC_SEQ_CST) == seen[i] &&
		       !__atomic_load_n(&classifier->done, __ATOMIC_ACQUIRE))
			nanosleep(&poll, NULL);
	}
}

static int64_t unix_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Under the request lock: the counters have one writer at a time. */
static void set_status(struct reloader *reloader, const struct tree_info *info)
{
	int64_t now_ns;

	if (info == NULL) {
		counter_add(&reloader->counters.model_reloads_refused, 1);
		return;
	}
	now_ns = unix_now_ns();
	pthread_mutex_lock(&reloader->status_lock);
	reloader->status.model = *info;
	reloader->status.loaded_at_unix_ns = now_ns;
	pthread_mutex_unlock(&reloader->status_lock);
	counter_add(&reloader->counters.model_reloads, 1);
}

const struct reload_counters *reload_counters(const struct reloader *reloader)
{
	return &reloader->counters;
}

int reload_request(struct reloader *reloader, const char *path, char *err, size_t err_size)
{
	struct cgnf_app *app = reloader->app;
	const struct tree_info *info;
	struct tree *fresh, *old;

	if (path == NULL)
		path = app->config.model_path;
	pthread_mutex_lock(&reloader->request_lock);
	fresh = tree_load(path, err, err_size);
	if (fresh == NULL) {
		set_status(reloader, NULL);
		pthread_mutex_unlock(&reloader->request_lock);
		CGNF_LOG(reload, ERR, "refused, the running model stays: %s", err);
		return -EINVAL;
	}
	old = __atomic_exchange_n(&app->model, fresh, __ATOMIC_SEQ_CST);
	wait_for_classifiers(app);
	tree_free(old);
	info = tree_get_info(fresh);
	set_status(reloader, info);
	pthread_mutex_unlock(&reloader->request_lock);
	CGNF_LOG(reload, NOTICE, "model %s loaded: %u nodes, depth %u, checksum %016" PRIx64,
		 info->path, info->n_nodes, info->depth, info->checksum);
	if (err_size > 0)
		err[0] = '\0';
	return 0;
}

void reload_get_status(struct reloader *reloader, struct reload_status *out)
{
	pthread_mutex_lock(&reloader->status_lock);
	*out = reloader->status;
	pthread_mutex_unlock(&reloader->status_lock);
}

void reload_on_signal(struct reloader *reloader)
{
	if (reloader != NULL)
		sem_post(&reloader->wake);
}

static void *reload_thread_main(void *arg)
{
	struct reloader *reloader = arg;
	char err[CONFIG_PATH_MAX + 256];

	for (;;) {
		if (sem_wait(&reloader->wake) != 0)
			continue; /* EINTR */
		if (__atomic_load_n(&reloader->stopping, __ATOMIC_ACQUIRE))
			break;
		CGNF_LOG(reload, INFO, "SIGHUP: reloading the model file");
		reload_request(reloader, NULL, err, sizeof(err));
	}
	return NULL;
}

struct reloader *reload_start(struct cgnf_app *app)
{
	struct reloader *reloader = calloc(1, sizeof(*reloader));
	int rc;

	if (reloader == NULL)
		return NULL;
	reloader->app = app;
	reloader->status.model = *tree_get_info(app->model);
	reloader->status.loaded_at_unix_ns = unix_now_ns();
	pthread_mutex_init(&reloader->request_lock, NULL);
	pthread_mutex_init(&reloader->status_lock, NULL);
	if (sem_init(&reloader->wake, 0, 0) != 0)
		goto fail;
	rc = rte_ctrl_thread_create(&reloader->thread, "cgnf-reload", NULL, reload_thread_main,
				    reloader);
	if (rc != 0) {
		sem_destroy(&reloader->wake);
		CGNF_LOG(reload, ERR, "cannot start the reload thread: %s", strerror(rc));
		goto fail;
	}
	return reloader;
fail:
	pthread_mutex_destroy(&reloader->request_lock);
	pthread_mutex_destroy(&reloader->status_lock);
	free(reloader);
	return NULL;
}

void reload_stop(struct reloader *reloader)
{
	if (reloader == NULL)
		return;
	__atomic_store_n(&reloader->stopping, 1, __ATOMIC_RELEASE);
	sem_post(&reloader->wake);
	pthread_join(reloader->thread, NULL);
	sem_destroy(&reloader->wake);
	/* A telemetry request may still hold the request lock: wait for it. */
	pthread_mutex_lock(&reloader->request_lock);
	pthread_mutex_unlock(&reloader->request_lock);
	pthread_mutex_destroy(&reloader->request_lock);
	pthread_mutex_destroy(&reloader->status_lock);
	free(reloader);
}
