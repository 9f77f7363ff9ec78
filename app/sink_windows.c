/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --windows FILE|-: every window the RX lcores close, as the probe's report
 * text (lib/window.h), one a line: cgnf as a drop-in probe for another
 * consumer, or training data for scripts/train_model.py --windows.  Lines
 * are buffered and written once per batch; a failed write loses the lines
 * of its batch, counted, with the true errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"

#include "app.h"
#include "sink.h"

#define WINDOWS_BUFFER_SIZE (256 * 1024)

struct windows_sink {
	FILE *file;
	bool is_stdout;
	uint64_t pending; /* lines buffered since the last flush */
};

static bool windows_wanted(const struct cgnf_config *config)
{
	return config->windows_path[0] != '\0';
}

static void describe(struct sink *sink, const char *step, int rc)
{
	snprintf(sink->error, sizeof(sink->error), "--windows %s: %s: %s",
		 sink->env->app->config.windows_path, step, strerror(-rc));
}

static int windows_open(struct sink *sink)
{
	const char *path = sink->env->app->config.windows_path;
	struct windows_sink *state = calloc(1, sizeof(*state));
	int rc;

	if (state == NULL)
		return -ENOMEM;
	state->is_stdout = strcmp(path, "-") == 0;
	state->file = state->is_stdout ? stdout : fopen(path, "a");
	if (state->file == NULL) {
		rc = -errno;
		describe(sink, "open", rc);
		free(state);
		return rc;
	}
	setvbuf(state->file, NULL, _IOFBF, WINDOWS_BUFFER_SIZE);
	sink->state = state;
	return 0;
}

static int windows_window(struct sink *sink, const struct report *window)
{
	struct windows_sink *state = sink->state;
	char text[WINDOW_REPORT_TEXT_MAX + 1];
	int len = window_report_format(window, text, sizeof(text) - 1);

	if (len < 0)
		return len;
	text[len++] = '\n';
	fwrite(text, 1, (size_t)len, state->file);
	state->pending++;
	return 0;
}

static int windows_flush(struct sink *sink)
{
	struct windows_sink *state = sink->state;
	int rc = 0;

	errno = 0;
	if (fflush(state->file) != 0 || ferror(state->file)) {
		/* stdio keeps the buffer's lines: drop them, they are counted lost. */
		rc = errno ? -errno : -EIO;
		describe(sink, "write", rc);
		sink->lost += state->pending;
		clearerr(state->file);
		__fpurge(state->file);
	}
	state->pending = 0;
	return rc;
}

static int windows_close(struct sink *sink)
{
	struct windows_sink *state = sink->state;
	int rc;

	if (state == NULL)
		return 0;
	rc = windows_flush(sink);
	if (!state->is_stdout && fclose(state->file) != 0 && rc == 0) {
		rc = -errno;
		describe(sink, "close", rc);
	}
	free(state);
	sink->state = NULL;
	return rc;
}

const struct sink_ops sink_windows_ops = {
	.name = "windows",
	.wanted = windows_wanted,
	.open = windows_open,
	.window = windows_window,
	.flush = windows_flush,
	.close = windows_close,
};
