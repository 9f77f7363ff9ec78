/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Walks the flattened tree (layout: tree_layout.h).  The comparison is the
 * one sklearn makes, on float32 features: see threshold_round_down() in
 * tree_load.c for why a float compare gives sklearn's answer.
 */
#include <stdlib.h>

#include "tree_layout.h"

/* Vectors walked side by side: enough independent loads to hide their latency. */
#define TREE_BURST 16

void tree_free(struct tree *tree)
{
	if (tree == NULL)
		return;
	free(tree->nodes);
	free(tree->leaf_is_cg);
	free(tree);
}

const struct tree_info *tree_get_info(const struct tree *tree)
{
	return &tree->info;
}

/* One step down; a leaf returns itself. */
static inline uint32_t tree_step(const struct tree_node *nodes, uint32_t at, const float *values)
{
	const struct tree_node *node = &nodes[at];
	float value = values[node->feature_right & TREE_FEATURE_MASK];

	return value <= node->threshold ? at + 1 : node->feature_right >> TREE_FEATURE_BITS;
}

int tree_predict(const struct tree *tree, const struct features *features)
{
	uint32_t at = 0, next;

	while ((next = tree_step(tree->nodes, at, features->values)) != at)
		at = next;
	return tree->leaf_is_cg[at];
}

void tree_predict_burst(const struct tree *tree, const struct features *const *features,
			uint8_t *is_cg, unsigned int n)
{
	for (unsigned int first = 0; first < n; first += TREE_BURST) {
		unsigned int count = n - first < TREE_BURST ? n - first : TREE_BURST;
		uint32_t at[TREE_BURST] = {0};

		/* Every walk takes depth steps: leaves step onto themselves. */
		for (unsigned int level = 0; level < tree->info.depth; level++)
			for (unsigned int k = 0; k < count; k++)
				at[k] = tree_step(tree->nodes, at[k], features[first + k]->values);
		for (unsigned int k = 0; k < count; k++)
			is_cg[first + k] = tree->leaf_is_cg[at[k]];
	}
}
