/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tree_predict MODEL.json VECTORS OUT: for the exactness test.
 *
 * VECTORS holds n x 12 little-endian float64 features; OUT gets one byte per
 * vector, 1 when the tree says cloud gaming.  Each vector is cast to float
 * (as sklearn does) and walked by both tree_predict_burst() and
 * tree_predict(); the program fails if they ever disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

static int read_vectors(const char *path, struct features **vectors, size_t *count)
{
	double row[FEATURE_COUNT];
	size_t capacity = 0;
	FILE *file = fopen(path, "rb");

	if (file == NULL)
		return -1;
	*vectors = NULL;
	*count = 0;
	while (fread(row, sizeof(row), 1, file) == 1) {
		if (*count == capacity) {
			struct features *grown;

			capacity = capacity ? 2 * capacity : 4096;
			grown = realloc(*vectors, capacity * sizeof(**vectors));
			if (grown == NULL) {
				fclose(file);
				return -1;
			}
			*vectors = grown;
		}
		for (int i = 0; i < FEATURE_COUNT; i++)
			(*vectors)[*count].values[i] = (float)row[i];
		(*count)++;
	}
	fclose(file);
	return 0;
}

int main(int argc, char **argv)
{
	const struct features **pointers;
	struct features *vectors;
	struct tree *tree;
	uint8_t *is_cg;
	char err[512];
	size_t count, disagree = 0;
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: %s MODEL.json VECTORS OUT\n", argv[0]);
		return 2;
	}
	tree = tree_load(argv[1], err, sizeof(err));
	if (tree == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (read_vectors(argv[2], &vectors, &count) < 0) {
		perror(argv[2]);
		return 1;
	}
	pointers = malloc((count + 1) * sizeof(*pointers));
	is_cg = malloc(count + 1);
	if (pointers == NULL || is_cg == NULL)
		return 1;
	for (size_t i = 0; i < count; i++)
		pointers[i] = &vectors[i];
	tree_predict_burst(tree, pointers, is_cg, count);
	for (size_t i = 0; i < count; i++)
		if (tree_predict(tree, &vectors[i]) != is_cg[i])
			disagree++;
	if (disagree > 0) {
		fprintf(stderr,
			"tree_predict and tree_predict_burst disagree on %zu of %zu vectors\n",
			disagree, count);
		return 1;
	}

	out = fopen(argv[3], "wb");
	if (out == NULL || fwrite(is_cg, 1, count, out) != count || fclose(out) != 0) {
		perror(argv[3]);
		return 1;
	}
	free(pointers);
	free(is_cg);
	free(vectors);
	tree_free(tree);
	return 0;
}
