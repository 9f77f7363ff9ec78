/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hot model reload, off the datapath.
 *
 * A new model is loaded and validated by a control thread; only then is the
 * shared model pointer swapped.  The old model is freed once every classifier
 * lcore has finished the loop it was in (its quiescent counter has moved), so
 * a classifier never reads a freed tree and never waits for the reload.  A
 * bad file is refused with a log line and the running model stays.
 *
 * SIGHUP reloads the current file; telemetry (/cgnf/reload) may name another.
 */
#ifndef CGNF_RELOAD_H
#define CGNF_RELOAD_H

#include <stddef.h>

#include "tree.h"

struct cgnf_app;

/* Takes app->model as the current model and starts the SIGHUP thread. */
int reload_init(struct cgnf_app *app);

/* Stops the thread; app->model stays the caller's to free. */
void reload_fini(void);

/* From the SIGHUP handler: async-signal-safe, only wakes the thread. */
void reload_on_signal(void);

/*
 * Loads path (NULL: the current model's file again) and swaps it in.
 * Returns 0, or -errno with the reason ("FILE: reason") in err.  Callable
 * from any thread but an lcore of the pipeline; calls are serialised.
 */
int reload_request(const char *path, char *err, size_t err_size);

struct reload_status {
	struct tree_info model; /* the model in use */
	unsigned int reloads;	/* successful swaps */
	unsigned int refused;	/* files that failed to load */
};

void reload_get_status(struct reload_status *out);

#endif
