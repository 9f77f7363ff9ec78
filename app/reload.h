/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hot model reload, off the datapath.
 *
 * A new model is loaded and validated by the reload thread (SIGHUP) or by
 * the thread asking (telemetry's /cgnf/reload); only then is the shared
 * model pointer swapped.  The old model is freed once every classifier has
 * finished the loop it was in (its quiescent counter moved), so a
 * classifier never reads a freed tree and never waits.  A bad file is
 * refused with a log line and the running model stays.
 *
 * Two locks, neither ever taken by a datapath lcore nor by the control
 * thread's outputs for longer than a copy: one serialises reloads (held
 * while a file loads), the other guards the published status.
 */
#ifndef CGNF_RELOAD_H
#define CGNF_RELOAD_H

#include <stddef.h>
#include <stdint.h>

#include "tree.h"

#include "counters.h"

struct cgnf_app;
struct reloader;

/* Takes app->model as the current model and starts the SIGHUP thread. */
struct reloader *reload_start(struct cgnf_app *app);

/* Stops the thread; app->model stays the caller's to free. */
void reload_stop(struct reloader *reloader);

/* From the SIGHUP handler: async-signal-safe, only wakes the thread. */
void reload_on_signal(struct reloader *reloader);

/*
 * Loads path (NULL: the configured model file) and swaps it in.  Returns
 * 0, or -errno with the reason ("FILE: reason") in err.  From any thread
 * but an lcore of the pipeline; calls are serialised.
 */
int reload_request(struct reloader *reloader, const char *path, char *err, size_t err_size);

struct reload_status {
	struct tree_info model;	   /* the model in use */
	int64_t loaded_at_unix_ns; /* when the model in use was loaded */
};

void reload_get_status(struct reloader *reloader, struct reload_status *out);

/* Published counters (counters.h), for any thread. */
const struct reload_counters *reload_counters(const struct reloader *reloader);

#endif
