/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "aggregator.h"
#include "app.h"
#include "classifier.h"
#include "control.h"
#include "counters.h"
#include "reload.h"
#include "rx.h"

const char *lcore_role_name(enum lcore_role role)
{
	switch (role) {
	case ROLE_AGGREGATOR:
		return "aggregator";
	case ROLE_RX:
		return "rx";
	case ROLE_CLASSIFIER:
		return "classifier";
	default:
		return "none";
	}
}

static void derive(const struct cgnf_app *app, struct counter_values *out)
{
	uint64_t last_report_ns = 0;

	if (app->aggregator != NULL)
		last_report_ns =
			counter_read(&aggregator_counters(app->aggregator)->last_report_ns);
	counter_values_derive(out, __atomic_load_n(&app->first_packet_ns, __ATOMIC_RELAXED),
			      last_report_ns);
}

void cgnf_read_counters(const struct cgnf_app *app, struct counter_values *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < app->n_rx; i++)
		counter_values_add_block(out, COUNTER_ROLE_RX, &app->rx[i].counters);
	for (i = 0; i < app->n_classifiers; i++)
		counter_values_add_block(out, COUNTER_ROLE_CLASSIFIER,
					 &app->classifiers[i].counters);
	if (app->aggregator != NULL)
		counter_values_add_block(out, COUNTER_ROLE_AGGREGATOR,
					 aggregator_counters(app->aggregator));
	if (app->control != NULL)
		counter_values_add_block(out, COUNTER_ROLE_CONTROL, control_counters(app->control));
	if (app->reloader != NULL)
		counter_values_add_block(out, COUNTER_ROLE_RELOAD, reload_counters(app->reloader));
	derive(app, out);
}

int cgnf_read_lcore_counters(const struct cgnf_app *app, unsigned int lcore_id,
			     struct counter_values *out)
{
	unsigned int index;

	memset(out, 0, sizeof(*out));
	if (lcore_id >= RTE_MAX_LCORE)
		return -ENOENT;
	index = app->role_index[lcore_id];
	switch (app->roles[lcore_id]) {
	case ROLE_RX:
		counter_values_add_block(out, COUNTER_ROLE_RX, &app->rx[index].counters);
		break;
	case ROLE_CLASSIFIER:
		counter_values_add_block(out, COUNTER_ROLE_CLASSIFIER,
					 &app->classifiers[index].counters);
		break;
	case ROLE_AGGREGATOR:
		if (app->aggregator != NULL)
			counter_values_add_block(out, COUNTER_ROLE_AGGREGATOR,
						 aggregator_counters(app->aggregator));
		break;
	default:
		return -ENOENT;
	}
	derive(app, out);
	return 0;
}
