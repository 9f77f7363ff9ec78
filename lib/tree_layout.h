/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flattened tree, shared by its loader (tree_load.c) and its walker
 * (tree.c).  Not for other modules: they see struct tree as opaque.
 *
 * A step is one load of the child indexed by the comparison, with no branch
 * to mispredict: child[feature > threshold].  A leaf's two children are the
 * leaf itself, so a walk that reaches it stays there and a burst of walks can
 * go on until none of them moves.  Nodes are in pre-order, so a left child is
 * next to its parent.
 */
#ifndef CGNF_TREE_LAYOUT_H
#define CGNF_TREE_LAYOUT_H

#include <stdint.h>

#include "tree.h"

/* 16 bytes: the 187 nodes of the production model take 3 KiB of L1. */
struct tree_node {
	float threshold; /* the largest float not above sklearn's threshold */
	uint32_t feature;
	uint32_t child[2]; /* [0] when feature <= threshold, [1] otherwise */
};

struct tree {
	struct tree_node *nodes;
	uint8_t *leaf_is_cg; /* by node index; 1 for a leaf whose class is the CG class */
	struct tree_info info;
};

#endif
