/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifier lcore: takes classify_records from its input rings (one per RX
 * lcore, polled in turn), runs the decision tree on a whole burst and sends
 * the verdicts to the aggregator.  That last leg never drops: when the result
 * ring is full the classifier waits, so a classified report is never lost.
 */
#include <rte_ring_elem.h>

#include "tree.h"

#include "app.h"
#include "backoff.h"
#include "classifier.h"
#include "log.h"
#include "rx.h"

RTE_LOG_REGISTER(cgnf_logtype_cls, cgnf.cls, INFO);

static void send_results(struct classifier_lcore *classifier, const struct result_record *results,
			 unsigned int count)
{
	unsigned int sent = 0, attempts = 0;

	for (;;) {
		sent += rte_ring_enqueue_burst_elem(classifier->results, results + sent,
						    sizeof(*results), count - sent, NULL);
		if (sent == count)
			return;
		ring_full_wait(&attempts);
	}
}

/* Classifies one burst from one ring; returns how many records it took. */
static unsigned int classify_burst(struct classifier_lcore *classifier, struct rte_ring *input,
				   const struct tree *model)
{
	struct classify_record records[CGNF_BURST];
	struct result_record results[CGNF_BURST];
	const struct features *features[CGNF_BURST];
	uint8_t is_cg[CGNF_BURST];
	unsigned int i, count, cg = 0;

	count = rte_ring_dequeue_burst_elem(input, records, sizeof(records[0]), CGNF_BURST, NULL);
	if (count == 0)
		return 0;
	for (i = 0; i < count; i++)
		features[i] = &records[i].features;
	tree_predict_burst(model, features, is_cg, count);
	for (i = 0; i < count; i++) {
		results[i].pair = records[i].pair;
		results[i].hash = records[i].hash;
		results[i].is_cg = is_cg[i];
		results[i].reserved[0] = results[i].reserved[1] = results[i].reserved[2] = 0;
		results[i].rx_time_ns = records[i].rx_time_ns;
		results[i].seen_ns = records[i].seen_ns;
		cg += is_cg[i];
	}
	send_results(classifier, results, count);

	counter_add(&classifier->counters.classified, count);
	counter_add(&classifier->counters.classified_cg, cg);
	counter_add(&classifier->counters.classifier_bursts, 1);
	return count;
}

static bool all_rx_done(const struct cgnf_app *app)
{
	unsigned int i;

	for (i = 0; i < app->n_rx; i++)
		if (!__atomic_load_n(&app->rx[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

int classifier_lcore_main(void *arg)
{
	struct classifier_lcore *classifier = arg;
	struct cgnf_app *app = classifier->app;
	struct idle_backoff backoff;
	bool producers_done = false;
	unsigned int r, taken;

	CGNF_LOG(cls, INFO, "lcore %u: classifier %u, %u input ring(s)", classifier->lcore_id,
		 classifier->index, app->n_rx);
	idle_backoff_init(&backoff, app->config.busy_poll);
	for (;;) {
		/*
		 * Once per loop, so that a hot reload takes effect at the next one.
		 * Sequentially consistent with the quiescent store below so that
		 * this load cannot move before it (reload.c relies on that).
		 */
		const struct tree *model = __atomic_load_n(&app->model, __ATOMIC_SEQ_CST);

		taken = 0;
		for (r = 0; r < app->n_rx; r++)
			taken += classify_burst(classifier, classifier->inputs[r], model);
		__atomic_store_n(&classifier->quiescent, classifier->quiescent + 1,
				 __ATOMIC_SEQ_CST);
		if (taken != 0) {
			idle_backoff_reset(&backoff);
			continue;
		}
		/*
		 * Empty rings after every producer was seen done (in the previous
		 * loop, before these polls): nothing more can come.
		 */
		if (producers_done)
			break;
		producers_done = all_rx_done(app);
		if (!producers_done)
			idle_backoff_wait(&backoff);
	}
	__atomic_store_n(&classifier->done, 1, __ATOMIC_RELEASE);
	CGNF_LOG(cls, INFO, "lcore %u: stopped after %" PRIu64 " reports", classifier->lcore_id,
		 counter_read(&classifier->counters.classified));
	return 0;
}
