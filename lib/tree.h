/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scikit-learn DecisionTreeClassifier, loaded from the JSON that
 * scripts/export_model.py writes (format: model/README.md) and flattened into
 * one array for the cache.
 *
 * Predictions equal sklearn's exactly: sklearn casts each feature to float32
 * and compares it with a float64 threshold.  The loader stores, per node, the
 * largest float32 not above the threshold, so that the datapath compares two
 * floats and gets the same answer.
 */
#ifndef CGNF_TREE_H
#define CGNF_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "features.h"

#define TREE_MAX_DEPTH 64
#define TREE_MAX_NODES (1u << 20)

struct tree_info {
	unsigned int format_version;
	unsigned int n_features;
	unsigned int n_nodes;
	unsigned int n_leaves;
	unsigned int depth;
	unsigned int n_classes;
	unsigned int cg_class; /* index in classes of the cloud gaming class */
	char cg_class_name[32];
	char source[256];  /* free text from the export: origin of the model */
	char path[512];	   /* the file it was loaded from */
	uint64_t checksum; /* FNV-1a of the file's bytes, to tell models apart */
	char sha256[65];   /* SHA-256 of the file's bytes, hex (what sha256sum prints) */
	char id[13];	   /* its first 12 digits: the model id in every verdict written */
};

struct tree;

/*
 * Loads and validates a model file.  On error returns NULL and writes
 * "FILE: reason" into err.
 */
struct tree *tree_load(const char *path, char *err, size_t err_size);
/* Same, from len bytes in memory; name stands for the file in messages and info. */
struct tree *tree_load_buffer(const char *buf, size_t len, const char *name, char *err,
			      size_t err_size);
void tree_free(struct tree *tree);
const struct tree_info *tree_get_info(const struct tree *tree);

/* 1 when the tree says cloud gaming, 0 otherwise. */
int tree_predict(const struct tree *tree, const struct features *features);

/* Same, for n vectors at once (interleaved to overlap the node loads). */
void tree_predict_burst(const struct tree *tree, const struct features *const *features,
			uint8_t *is_cg, unsigned int n);

#endif
