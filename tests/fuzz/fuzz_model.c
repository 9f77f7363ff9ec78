/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: any bytes given to the model loader.  It must refuse or
 * accept without crashing or leaking, and an accepted tree must answer for
 * any vector (the walk ends at a leaf whatever the features).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tree.h"

#define PROBE_COUNT 9

static const float probes[PROBE_COUNT] = {0, 1, -1, 0.5f, 1e30f, -1e30f, INFINITY, -INFINITY, NAN};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct features vectors[PROBE_COUNT];
	const struct features *pointers[PROBE_COUNT];
	uint8_t is_cg[PROBE_COUNT];
	struct tree *tree;
	char err[256];

	tree = tree_load_buffer((const char *)data, size, "fuzz", err, sizeof(err));
	if (tree == NULL)
		return 0;
	for (unsigned int i = 0; i < PROBE_COUNT; i++) {
		for (unsigned int f = 0; f < FEATURE_COUNT; f++)
			vectors[i].values[f] = probes[(i + f) % PROBE_COUNT];
		pointers[i] = &vectors[i];
	}
	tree_predict_burst(tree, pointers, is_cg, PROBE_COUNT);
	for (unsigned int i = 0; i < PROBE_COUNT; i++)
		if (tree_predict(tree, &vectors[i]) != is_cg[i])
			abort();
	tree_free(tree);
	return 0;
}
