/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --csv FILE: every pair of the table, written atomically (lib/output.h)
 * at idle timeout, every --snapshot-interval and at exit.
 */
#include <errno.h>

#include "output.h"

#include "app.h"
#include "sink.h"

static bool csv_wanted(const struct cgnf_config *config)
{
	return config->csv_path[0] != '\0';
}

static int csv_snapshot(struct sink *sink, const struct snapshot *snapshot)
{
	if ((snapshot->purposes & SNAPSHOT_WRITES_FILES) == 0)
		return 0;
	return output_write_csv(snapshot->rows, sink->env->clock, sink->env->model_id,
				sink->env->app->run_id, sink->env->app->config.csv_path,
				sink->error, sizeof(sink->error));
}

const struct sink_ops sink_csv_ops = {
	.name = "csv",
	.wanted = csv_wanted,
	.snapshot = csv_snapshot,
};
