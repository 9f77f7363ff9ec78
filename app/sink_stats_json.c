/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --stats-json FILE: every counter (stats_json.h), written atomically at
 * idle timeout, every --snapshot-interval and at exit.
 */
#include <errno.h>

#include <jansson.h>

#include "output.h"

#include "app.h"
#include "sink.h"
#include "stats_json.h"

static bool stats_json_wanted(const struct cgnf_config *config)
{
	return config->stats_json_path[0] != '\0';
}

static int stats_json_snapshot(struct sink *sink, const struct snapshot *snapshot)
{
	const char *path = sink->env->app->config.stats_json_path;
	json_t *stats;
	int rc;

	if ((snapshot->purposes & SNAPSHOT_WRITES_FILES) == 0)
		return 0;
	stats = stats_to_json(sink->env->app, snapshot->values);
	if (stats == NULL) {
		snprintf(sink->error, sizeof(sink->error), "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = output_write_json(path, stats, sink->error, sizeof(sink->error));
	json_decref(stats);
	return rc;
}

const struct sink_ops sink_stats_json_ops = {
	.name = "stats_json",
	.wanted = stats_json_wanted,
	.snapshot = stats_json_snapshot,
};
