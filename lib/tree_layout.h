/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flattened tree, shared by its loader (tree_load.c) and its walker
 * (tree.c).  Not for other modules: they see struct tree as opaque.
 *
 * Nodes are in pre-order, so an inner node's left child ("feature <=
 * threshold") is the next node and only the right child's index is stored.
 * A leaf has a NaN threshold and itself as right child: every comparison with
 * NaN is false, so a walk that reaches a leaf stays there.  The burst walker
 * relies on it to take exactly `depth` steps for every vector, with no branch.
 */
#ifndef CGNF_TREE_LAYOUT_H
#define CGNF_TREE_LAYOUT_H

#include <stdint.h>

#include "tree.h"

#define TREE_FEATURE_BITS 8
#define TREE_FEATURE_MASK ((1u << TREE_FEATURE_BITS) - 1)

/* 8 bytes: the 187 nodes of the production model fit in 24 cache lines. */
struct tree_node {
	float threshold;	/* the largest float not above sklearn's threshold */
	uint32_t feature_right; /* feature index in the low 8 bits, right child above */
};

struct tree {
	struct tree_node *nodes;
	uint8_t *leaf_is_cg; /* by node index; 1 for a leaf whose class is the CG class */
	struct tree_info info;
};

#endif
