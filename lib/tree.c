/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Walks the flattened tree (layout: tree_layout.h).  The comparison is the
 * one sklearn makes, on float32 features: see threshold_round_down() in
 * tree_load.c for why a float compare gives sklearn's answer.
 */
#include <stdlib.h>

#include "tree_layout.h"

/*
 * Walks side by side.  bench_tree, production model, bursts of 32 from the
 * ring: 8 at once take 7.9 ns per vector, 12 take 7.0, 16 take 6.6, 24 take
 * 7.3 and 32 take 7.6.
 */
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

	return node->child[values[node->feature] > node->threshold];
}

int tree_predict(const struct tree *tree, const struct features *features)
{
	uint32_t at = 0, next;

	while ((next = tree_step(tree->nodes, at, features->values)) != at)
		at = next;
	return tree->leaf_is_cg[at];
}

/*
 * count <= TREE_BURST walks, one level at a time: the loads of a level are
 * independent, so they overlap (once unrolled: 6.6 ns per vector, 14 without
 * the pragma at -O2).  Stops when no walk moved: all are at leaves.
 */
static inline void walk_burst(const struct tree *tree, const struct features *const *features,
			      uint8_t *is_cg, unsigned int count)
{
	uint32_t at[TREE_BURST] = {0};
	uint32_t moved = 1;

	for (unsigned int level = 0; level < tree->info.depth && moved; level++) {
		moved = 0;
#pragma GCC unroll 16
		for (unsigned int k = 0; k < count; k++) {
			uint32_t next = tree_step(tree->nodes, at[k], features[k]->values);

			moved |= next ^ at[k];
			at[k] = next;
		}
	}
	for (unsigned int k = 0; k < count; k++)
		is_cg[k] = tree->leaf_is_cg[at[k]];
}

void tree_predict_burst(const struct tree *tree, const struct features *const *features,
			uint8_t *is_cg, unsigned int n)
{
	unsigned int first = 0;

	/* A constant count lets the compiler unroll the full bursts. */
	for (; first + TREE_BURST <= n; first += TREE_BURST)
		walk_burst(tree, &features[first], &is_cg[first], TREE_BURST);
	if (first < n)
		walk_burst(tree, &features[first], &is_cg[first], n - first);
}
