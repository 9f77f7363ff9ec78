/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_tree MODEL.json [VECTORS]: nanoseconds per prediction.
 *
 * Times, on a batch of 100 000 vectors, tree_predict_burst() called once for
 * the whole batch and called per 32 vectors (as the classifier lcores get them
 * from their ring), and tree_predict() on the vectors one by one.  VECTORS is a file of n x 12
 * little-endian float64 (as for tests/tools/tree_predict); without it, vectors are drawn in the
 * ranges the probe reports show.  Prints min/median/max over the runs, then
 * one JSON line.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_common.h"
#include "splitmix64.h"
#include "tree.h"

#define BATCH 100000
#define RUNS 9
#define RING_BURST 32

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double uniform(void)
{
	return splitmix64_unit(&rng_state);
}

static double log_uniform(double low_exponent, double high_exponent)
{
	return pow(10, low_exponent + (high_exponent - low_exponent) * uniform());
}

/* One direction's six features, as in tests/integration/test_tree_exactness. */
static void realistic_half(float *half)
{
	double count = floor(log_uniform(0, 2.7));
	double size_mean = log_uniform(1.3, 3.18);

	half[0] = (float)size_mean;
	half[1] = uniform() < 0.2 ? 0 : (float)log_uniform(0, 5.8);
	half[2] = uniform() < 0.1 ? 0 : (float)log_uniform(1, 6);
	half[3] = uniform() < 0.2 ? 0 : (float)log_uniform(0, 11);
	half[4] = (float)(size_mean * count);
	half[5] = (float)count;
	if (uniform() < 0.1)
		for (int i = 0; i < 6; i++)
			half[i] = 0;
}

static int load_vectors(const char *path, struct features *vectors)
{
	double row[FEATURE_COUNT];
	size_t count = 0;
	FILE *file;

	if (path == NULL) {
		for (size_t i = 0; i < BATCH; i++) {
			realistic_half(&vectors[i].values[0]);
			realistic_half(&vectors[i].values[6]);
		}
		return 0;
	}
	file = fopen(path, "rb");
	if (file == NULL)
		return -1;
	while (count < BATCH && fread(row, sizeof(row), 1, file) == 1) {
		for (int f = 0; f < FEATURE_COUNT; f++)
			vectors[count].values[f] = (float)row[f];
		count++;
	}
	fclose(file);
	if (count == 0)
		return -1;
	/* Repeat a short file up to the batch size. */
	for (size_t i = count; i < BATCH; i++)
		vectors[i] = vectors[i % count];
	return 0;
}

static void print_figures(const char *what, struct figures figures)
{
	printf("%-34s min %6.2f  median %6.2f  max %6.2f ns/vector\n", what, figures.min,
	       figures.median, figures.max);
}

int main(int argc, char **argv)
{
	static struct features vectors[BATCH];
	static const struct features *pointers[BATCH];
	static uint8_t is_cg[BATCH];
	double batch_ns[RUNS], burst_ns[RUNS], single_ns[RUNS];
	struct figures batch, burst, single;
	unsigned long cg_batch = 0, cg_burst = 0, cg_single = 0;
	struct tree *tree;
	char err[512];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s MODEL.json [VECTORS]\n", argv[0]);
		return 2;
	}
	tree = tree_load(argv[1], err, sizeof(err));
	if (tree == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (load_vectors(argc == 3 ? argv[2] : NULL, vectors) < 0) {
		fprintf(stderr, "%s: cannot read vectors\n", argv[2]);
		return 1;
	}
	for (size_t i = 0; i < BATCH; i++)
		pointers[i] = &vectors[i];

	for (int run = 0; run < RUNS; run++) {
		double start = now_ns();

		tree_predict_burst(tree, pointers, is_cg, BATCH);
		batch_ns[run] = (now_ns() - start) / BATCH;
		for (size_t i = 0; i < BATCH; i++)
			cg_batch += is_cg[i];

		start = now_ns();
		for (size_t i = 0; i < BATCH; i += RING_BURST)
			tree_predict_burst(tree, &pointers[i], &is_cg[i],
					   BATCH - i < RING_BURST ? BATCH - i : RING_BURST);
		burst_ns[run] = (now_ns() - start) / BATCH;
		for (size_t i = 0; i < BATCH; i++)
			cg_burst += is_cg[i];

		start = now_ns();
		for (size_t i = 0; i < BATCH; i++)
			cg_single += tree_predict(tree, &vectors[i]);
		single_ns[run] = (now_ns() - start) / BATCH;
	}
	if (cg_batch != cg_single || cg_burst != cg_single) {
		fprintf(stderr, "burst and single disagree\n");
		return 1;
	}
	batch = summarize(batch_ns, RUNS);
	burst = summarize(burst_ns, RUNS);
	single = summarize(single_ns, RUNS);

	printf("model %s: %u nodes, depth %u; %d vectors, %d runs, %.1f%% cloud gaming\n", argv[1],
	       tree_get_info(tree)->n_nodes, tree_get_info(tree)->depth, BATCH, RUNS,
	       100.0 * cg_single / ((double)BATCH * RUNS));
	print_figures("tree_predict_burst, one call", batch);
	print_figures("tree_predict_burst, bursts of 32", burst);
	print_figures("tree_predict, one by one", single);
	printf("{\"bench\": \"tree\", \"vectors\": %d, \"runs\": %d, \"unit\": \"ns/vector\", "
	       "\"batch\": {\"min\": %.2f, \"median\": %.2f, \"max\": %.2f}, "
	       "\"burst32\": {\"min\": %.2f, \"median\": %.2f, \"max\": %.2f}, "
	       "\"single\": {\"min\": %.2f, \"median\": %.2f, \"max\": %.2f}}\n",
	       BATCH, RUNS, batch.min, batch.median, batch.max, burst.min, burst.median, burst.max,
	       single.min, single.median, single.max);
	tree_free(tree);
	return 0;
}
