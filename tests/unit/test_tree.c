/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/tree.c and lib/tree_load.c: every refusal of the loader,
 * predictions on small hand-made trees (thresholds on float32 boundaries
 * included) against sklearn's rule, and burst == single on a random tree.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "resident_memory.h"
#include "tree.h"
#include "unit_files.h"
#include "unit_main.h"

static char temp_dir[] = "/tmp/cgnf-test-tree-XXXXXX";
static char model_path[sizeof(temp_dir) + 32];

/* A hand-made tree: sklearn's arrays, two classes [false, true]. */
struct small_tree {
	unsigned int n;
	unsigned int depth;
	const int *left;
	const int *right;
	const int *feature;
	const double *threshold;
	const double (*value)[2];
};

/* Root splits feature 0 at 1.5: left leaf false, right leaf true. */
static const int stump_left[] = {1, -1, -1};
static const int stump_right[] = {2, -1, -1};
static const int stump_feature[] = {0, -2, -2};
static const double stump_threshold[] = {1.5, -2, -2};
static const double stump_value[][2] = {{3, 2}, {3, 0}, {0, 2}};
static const struct small_tree stump = {
	3, 1, stump_left, stump_right, stump_feature, stump_threshold, stump_value};

static json_t *integers(const int *values, unsigned int n)
{
	json_t *array = json_array();

	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(array, json_integer(values[i]));
	return array;
}

static json_t *model_json(const struct small_tree *tree)
{
	json_t *names = json_array(), *thresholds = json_array(), *values = json_array();

	for (unsigned int i = 0; i < FEATURE_COUNT; i++)
		json_array_append_new(names, json_string(feature_names[i]));
	for (unsigned int i = 0; i < tree->n; i++) {
		json_array_append_new(thresholds, json_real(tree->threshold[i]));
		json_array_append_new(values,
				      json_pack("[ff]", tree->value[i][0], tree->value[i][1]));
	}
	return json_pack(
		"{ss si ss ss si so s[bb] si si si so so so so so}", "format", "cgnf-decision-tree",
		"version", 1, "source", "unit test", "sklearn_version", "1.2.1", "n_features",
		FEATURE_COUNT, "feature_names", names, "classes", 0, 1, "cg_class", 1, "node_count",
		tree->n, "max_depth", tree->depth, "children_left", integers(tree->left, tree->n),
		"children_right", integers(tree->right, tree->n), "feature",
		integers(tree->feature, tree->n), "threshold", thresholds, "value", values);
}

/* Writes the model, loads it, and frees the JSON. */
static struct tree *load_json(json_t *model, char *err, size_t err_size)
{
	char *text = json_dumps(model, JSON_REAL_PRECISION(17));

	write_text_file(model_path, text);
	free(text);
	json_decref(model);
	return tree_load(model_path, err, err_size);
}

static struct tree *load_tree(const struct small_tree *small)
{
	char err[256] = "";
	struct tree *tree = load_json(model_json(small), err, sizeof(err));

	if (tree == NULL)
		fprintf(stderr, "unexpected refusal: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
	return tree;
}

static void check_text_refused(const char *text, const char *reason)
{
	char err[256] = "";
	struct tree *tree;

	write_text_file(model_path, text);
	tree = tree_load(model_path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(tree);
	tree_free(tree);
	CU_ASSERT(strncmp(err, model_path, strlen(model_path)) == 0);
	if (strstr(err, reason) == NULL) {
		fprintf(stderr, "refusal \"%s\" does not say \"%s\"\n", err, reason);
		CU_FAIL("wrong reason");
	}
}

/* The model must be refused, with a message naming the file and saying reason. */
static void check_refused(json_t *model, const char *reason)
{
	char *text = json_dumps(model, JSON_REAL_PRECISION(17));

	json_decref(model);
	check_text_refused(text, reason);
	free(text);
}

static json_t *stump_with(const char *key, json_t *value)
{
	json_t *model = model_json(&stump);

	json_object_set_new(model, key, value);
	return model;
}

static json_t *stump_without(const char *key)
{
	json_t *model = model_json(&stump);

	json_object_del(model, key);
	return model;
}

static void test_refuses_bad_files(void)
{
	char err[256];

	CU_ASSERT_PTR_NULL(tree_load("/nonexistent/model.json", err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/model.json: No such file or directory");
	CU_ASSERT_PTR_NULL(tree_load(temp_dir, err, sizeof(err)));
	CU_ASSERT(strstr(err, "not a regular file") != NULL);
	check_text_refused("", "line 1");
	check_text_refused("{\"format\": ", "line 1");
	check_text_refused("[1, 2]", "not a JSON object");
	check_text_refused("{\"format\": 1, \"format\": 2}", "duplicate");
}

/*
 * A FIFO (or a device) is refused before anything is read: opening one for
 * reading used to wait for a writer, stopping start-up or a reload.  The
 * alarm ends the test program if the load blocks.
 */
static void test_refuses_fifo_without_blocking(void)
{
	char fifo[sizeof(temp_dir) + 16], err[256] = "";

	snprintf(fifo, sizeof(fifo), "%s/fifo", temp_dir);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	alarm(10);
	CU_ASSERT_PTR_NULL(tree_load(fifo, err, sizeof(err)));
	alarm(0);
	CU_ASSERT(strstr(err, "not a regular file") != NULL);
	CU_ASSERT_PTR_NULL(tree_load("/dev/zero", err, sizeof(err)));
	CU_ASSERT(strstr(err, "not a regular file") != NULL);
	unlink(fifo);
}

/* Writes prefix, count x item (with a comma between), suffix; no big buffer. */
static size_t write_repeated(const char *path, const char *prefix, const char *item, size_t count,
			     const char *suffix)
{
	FILE *file = fopen(path, "w");
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	fputs(prefix, file);
	for (i = 0; i < count; i++) {
		fputs(item, file);
		if (i + 1 < count)
			fputc(',', file);
	}
	fputs(suffix, file);
	i = (size_t)ftell(file);
	fclose(file);
	return i;
}

/*
 * The case: 30 MB of [{},{},...] took 2.3 GB and 9 s before it was
 * refused (jansson built every object first).  Now the pre-scan refuses what
 * no model looks like, and more values than the declared nodes hold, before
 * jansson builds anything: the load's peak memory is about the file's own
 * bytes.
 */
static void test_hostile_files_refused_with_bounded_memory(void)
{
	static const struct {
		const char *prefix, *item, *suffix, *reason;
	} files[] = {
		{"[", "{}", "]", "not a JSON object"},
		{"{\"value\": [", "{}", "]}", "an object inside the model"},
		{"{\"value\": [", "[[]]", "]}", "nested deeper than a model"},
		{"{\"node_count\": 3, \"classes\": [0, 1], \"value\": [", "[123456]", "]}",
		 "more than a model of 3 nodes and 2 classes holds"},
		{"{\"threshold\": [", "0", "]}", "more than 8454144 JSON values"},
	};
	char path[sizeof(temp_dir) + 16], err[256];
	const size_t target = 30u << 20;

	snprintf(path, sizeof(path), "%s/hostile.json", temp_dir);
	for (size_t i = 0; i < UNIT_COUNT(files); i++) {
		size_t item_len = strlen(files[i].item) + 1;
		size_t bytes = write_repeated(path, files[i].prefix, files[i].item,
					      target / item_len, files[i].suffix);
		long peak_before = peak_resident_bytes(), peak_after;
		struct timespec start, stop;
		struct tree *tree;

		clock_gettime(CLOCK_MONOTONIC, &start);
		tree = tree_load(path, err, sizeof(err));
		clock_gettime(CLOCK_MONOTONIC, &stop);
		peak_after = peak_resident_bytes();
		CU_ASSERT_PTR_NULL(tree);
		tree_free(tree);
		if (strstr(err, files[i].reason) == NULL) {
			fprintf(stderr, "refusal \"%s\" does not say \"%s\"\n", err,
				files[i].reason);
			CU_FAIL("wrong reason");
		}
		printf("\n    %zu bytes of %s%s,...: refused in %.2f s, peak RSS %+.1f MB", bytes,
		       files[i].prefix, files[i].item,
		       (double)(stop.tv_sec - start.tv_sec) +
			       (double)(stop.tv_nsec - start.tv_nsec) / 1e9,
		       (double)(peak_after - peak_before) / (1 << 20));
		/* The file's bytes once, and room for the allocator: not jansson's tree. */
		CU_ASSERT(peak_before > 0 && peak_after - peak_before < (long)(2 * bytes));
	}
	unlink(path);
}

/* A well-formed model padded with values beyond what its node_count can hold. */
static void test_refuses_more_values_than_declared(void)
{
	json_t *model = model_json(&stump), *rows = json_array();

	for (int row = 0; row < 3; row++) {
		json_t *weights = json_array();

		for (int c = 0; c < 100; c++)
			json_array_append_new(weights, json_real(1.0));
		json_array_append_new(rows, weights);
	}
	json_object_set_new(model, "value", rows);
	check_refused(model, "more than a model of 3 nodes and 2 classes holds");
}

static void test_refuses_bad_header(void)
{
	check_refused(stump_with("colour", json_string("blue")), "colour: unknown key");
	check_refused(stump_without("format"), "format: missing");
	check_refused(stump_with("format", json_string("xgboost")), "format: not");
	check_refused(stump_with("version", json_integer(2)), "version: 2");
	check_refused(stump_with("version", json_real(1.0)), "version: not an integer");
	check_refused(stump_with("source", json_integer(3)), "source: not a string");
	check_refused(stump_with("sklearn_version", json_null()), "sklearn_version: not a string");
}

static void test_refuses_bad_features(void)
{
	json_t *model = model_json(&stump);

	check_refused(stump_with("n_features", json_integer(11)), "n_features: 11");
	check_refused(stump_with("feature_names", json_pack("[s]", "dw_size_mean")),
		      "feature_names: 1 entries");
	json_array_set_new(json_object_get(model, "feature_names"), 4, json_string("up_count"));
	check_refused(model, "feature_names[4]");
}

static void test_refuses_bad_classes(void)
{
	check_refused(stump_with("classes", json_array()), "classes: not an array");
	check_refused(stump_with("classes", json_pack("[bf]", 0, 1.5)), "classes[1]");
	check_refused(stump_with("classes", json_pack("[ii]", 1, 1)), "classes[1]: same");
	check_refused(stump_with("cg_class", json_integer(2)), "cg_class: 2 is outside");
	check_refused(stump_with("cg_class", json_integer(-1)), "cg_class: -1 is outside");
}

static void test_refuses_bad_sizes(void)
{
	check_refused(stump_with("node_count", json_integer(0)), "node_count: 0 is outside");
	check_refused(stump_with("node_count", json_integer(TREE_MAX_NODES + 1)), "node_count:");
	check_refused(stump_with("node_count", json_integer(5)), "children_left: 3 entries");
	check_refused(stump_with("max_depth", json_integer(TREE_MAX_DEPTH + 1)), "max_depth:");
	check_refused(stump_with("max_depth", json_integer(2)), "max_depth: 2, but the tree is 1");
	check_refused(stump_without("value"), "value: missing");
	check_refused(stump_with("threshold", json_pack("[ff]", 1.5, 2.0)), "threshold: 2 entries");
	check_refused(stump_with("feature", json_string("0")), "feature: not an array");
}

static void test_refuses_bad_links(void)
{
	check_refused(stump_with("children_left", json_pack("[iii]", 3, -1, -1)),
		      "children_left[0]: 3 is outside [-1, 2]");
	check_refused(stump_with("children_right", json_pack("[iii]", 2, -1, -2)),
		      "children_right[2]: -2");
	check_refused(stump_with("children_left", json_pack("[ifi]", 1, -1.0, -1)),
		      "children_left[1]: not an integer");
	check_refused(stump_with("children_left", json_pack("[iii]", -1, -1, -1)),
		      "node 0: one child is -1");
	/* Loops back to the root and to a sibling; a node with two parents. */
	check_refused(stump_with("children_right", json_pack("[iii]", 0, -1, -1)),
		      "node 0: child of node 0 but already reached");
	check_refused(stump_with("children_left", json_pack("[iii]", 1, 0, -1)),
		      "node 1: one child is -1");
	check_refused(stump_with("children_right", json_pack("[iii]", 1, -1, -1)),
		      "node 1: child of node 0 but already reached");
}

static void test_refuses_cycle(void)
{
	json_t *model = model_json(&stump);
	char err[256];

	json_object_set_new(model, "children_left", json_pack("[iii]", 1, 0, -1));
	json_object_set_new(model, "children_right", json_pack("[iii]", 2, 2, -1));
	json_object_set_new(model, "feature", json_pack("[iii]", 0, 0, -2));
	CU_ASSERT_PTR_NULL(load_json(model, err, sizeof(err)));
	CU_ASSERT(strstr(err, "child of node 1 but already reached") != NULL);
}

static void test_refuses_unreachable_node(void)
{
	static const int left[] = {1, -1, -1, -1};
	static const int right[] = {2, -1, -1, -1};
	static const int feature[] = {0, -2, -2, -2};
	static const double threshold[] = {1, -2, -2, -2};
	static const double value[][2] = {{1, 1}, {1, 0}, {0, 1}, {0, 1}};
	const struct small_tree orphan = {4, 1, left, right, feature, threshold, value};
	char err[256];

	CU_ASSERT_PTR_NULL(load_json(model_json(&orphan), err, sizeof(err)));
	CU_ASSERT(strstr(err, "node 3: not reachable from the root") != NULL);
}

/* A chain going left TREE_MAX_DEPTH + 1 times. */
static void test_refuses_too_deep(void)
{
	enum { N = 2 * (TREE_MAX_DEPTH + 1) + 1 };
	int left[N], right[N], feature[N];
	double threshold[N], value[N][2];
	const struct small_tree chain = {N, TREE_MAX_DEPTH, left, right, feature, threshold, value};
	char err[256];

	for (int i = 0; i < N; i++) {
		bool inner = i % 2 == 0 && i + 2 < N;

		left[i] = inner ? i + 2 : -1;
		right[i] = inner ? i + 1 : -1;
		feature[i] = inner ? 0 : -2;
		threshold[i] = i;
		value[i][0] = 1;
		value[i][1] = 0;
	}
	CU_ASSERT_PTR_NULL(load_json(model_json(&chain), err, sizeof(err)));
	CU_ASSERT(strstr(err, "deeper than 64") != NULL);
}

static void test_refuses_bad_splits(void)
{
	check_refused(stump_with("feature", json_pack("[iii]", 12, -2, -2)),
		      "feature[0]: 12 is outside [0, 12)");
	check_refused(stump_with("feature", json_pack("[iii]", -2, -2, -2)),
		      "feature[0]: -2 is outside");
	check_refused(stump_with("threshold", json_pack("[sff]", "1.5", -2.0, -2.0)),
		      "threshold[0]: not a finite number");
	/* JSON has no infinity: jansson refuses the overflow while parsing. */
	check_text_refused("{\"threshold\": [1e999]}", "overflow");
}

static void test_refuses_bad_values(void)
{
	check_refused(stump_with("value", json_pack("[[ff][f][ff]]", 3.0, 2.0, 3.0, 0.0, 2.0)),
		      "value[1]: not an array of 2 numbers");
	check_refused(
		stump_with("value", json_pack("[[ff][ff][ff]]", 3.0, 2.0, 3.0, -1.0, 0.0, 2.0)),
		"value[1][1]: not a finite number >= 0");
	check_refused(stump_with("value", json_pack("[[ff][ff][fn]]", 3.0, 2.0, 3.0, 0.0, 0.0)),
		      "value[2][1]");
	check_refused(stump_with("value", json_integer(1)), "value: not an array");
}

static struct features vector_with(unsigned int feature, float value)
{
	struct features features = {{0}};

	features.values[feature] = value;
	return features;
}

static int predict_stump(double threshold, float x)
{
	double thresholds[] = {threshold, -2, -2};
	struct small_tree small = stump;
	struct features features = vector_with(0, x);
	struct tree *tree;
	int is_cg;

	small.threshold = thresholds;
	tree = load_tree(&small);
	is_cg = tree_predict(tree, &features);
	tree_free(tree);
	return is_cg;
}

/* sklearn's rule: left (not CG in the stump) when (double)(float)x <= threshold. */
static void check_stump(double threshold, float x)
{
	int expected = !((double)x <= threshold);

	if (predict_stump(threshold, x) != expected) {
		fprintf(stderr, "threshold %.17g, x %.9g: expected %d\n", threshold, x, expected);
		CU_FAIL("prediction differs from sklearn's rule");
	}
}

static void test_predicts_float32_boundaries(void)
{
	/* float(0.1) is above 0.1: the float 0.1f itself must go right. */
	CU_ASSERT_EQUAL(predict_stump(0.1, 0.1f), 1);
	CU_ASSERT_EQUAL(predict_stump(0.1, nextafterf(0.1f, 0)), 0);
	/* float(0.7) is below 0.7: 0.7f goes left, the next float right. */
	CU_ASSERT_EQUAL(predict_stump(0.7, 0.7f), 0);
	CU_ASSERT_EQUAL(predict_stump(0.7, nextafterf(0.7f, 1)), 1);
	CU_ASSERT_EQUAL(predict_stump(1.5, 1.5f), 0);
	CU_ASSERT_EQUAL(predict_stump(-0.1, -0.1f), 0);
	CU_ASSERT_EQUAL(predict_stump(-0.1, nextafterf(-0.1f, 0)), 1);
	/* Beyond FLT_MAX: +-INFINITY are the only floats on the far side. */
	CU_ASSERT_EQUAL(predict_stump(1e39, FLT_MAX), 0);
	CU_ASSERT_EQUAL(predict_stump(1e39, INFINITY), 1);
	CU_ASSERT_EQUAL(predict_stump(-1e39, -INFINITY), 0);
	CU_ASSERT_EQUAL(predict_stump(-1e39, -FLT_MAX), 1);
	CU_ASSERT_EQUAL(predict_stump(FLT_MAX, FLT_MAX), 0);
	CU_ASSERT_EQUAL(predict_stump(1e-45, 0), 0);
	CU_ASSERT_EQUAL(predict_stump(1e-45, FLT_TRUE_MIN), 1);

	static const double thresholds[] = {0,
					    -0.0,
					    1e-300,
					    0.3,
					    1.0 / 3,
					    179.0,
					    976.3185596466064,
					    344247.078125,
					    96845448.0,
					    3.4028235677973366e38,
					    3.40282357e38,
					    -3.4028235e38};

	for (unsigned int i = 0; i < sizeof(thresholds) / sizeof(thresholds[0]); i++) {
		double t = thresholds[i];
		float near = (float)t;

		check_stump(t, near);
		check_stump(t, nextafterf(near, INFINITY));
		check_stump(t, nextafterf(near, -INFINITY));
		check_stump(t, nextafterf(nextafterf(near, INFINITY), INFINITY));
	}
}

/* sklearn's node ids in breadth-first order, to exercise the pre-order flattening. */
static const int wide_left[] = {1, 3, 5, -1, -1, -1, -1};
static const int wide_right[] = {2, 4, 6, -1, -1, -1, -1};
static const int wide_feature[] = {5, 11, 0, -2, -2, -2, -2};
static const double wide_threshold[] = {10.5, 2.5, 100.0, -2, -2, -2, -2};
static const double wide_value[][2] = {{9, 9}, {4, 4}, {5, 5}, {4, 0}, {0, 4}, {2, 2}, {0, 3}};
static const struct small_tree wide = {
	7, 2, wide_left, wide_right, wide_feature, wide_threshold, wide_value};

static void test_predicts_small_tree(void)
{
	struct tree *tree = load_tree(&wide);
	struct features features = {{0}};
	const struct tree_info *info = tree_get_info(tree);

	features.values[5] = 10.5f;
	features.values[11] = 2.5f;
	CU_ASSERT_EQUAL(tree_predict(tree, &features), 0);
	features.values[11] = 3;
	CU_ASSERT_EQUAL(tree_predict(tree, &features), 1);
	/* Leaf {2, 2}: a tie goes to the first class, not cloud gaming. */
	features.values[5] = 11;
	CU_ASSERT_EQUAL(tree_predict(tree, &features), 0);
	features.values[0] = 100.5f;
	CU_ASSERT_EQUAL(tree_predict(tree, &features), 1);

	CU_ASSERT_EQUAL(info->format_version, 1);
	CU_ASSERT_EQUAL(info->n_features, FEATURE_COUNT);
	CU_ASSERT_EQUAL(info->n_nodes, 7);
	CU_ASSERT_EQUAL(info->n_leaves, 4);
	CU_ASSERT_EQUAL(info->depth, 2);
	CU_ASSERT_EQUAL(info->n_classes, 2);
	CU_ASSERT_EQUAL(info->cg_class, 1);
	CU_ASSERT_STRING_EQUAL(info->cg_class_name, "true");
	CU_ASSERT_STRING_EQUAL(info->source, "unit test");
	CU_ASSERT_STRING_EQUAL(info->path, model_path);
	tree_free(tree);
}

static void test_cg_class_choice(void)
{
	json_t *model = model_json(&stump);
	struct features right = vector_with(0, 2);
	struct tree *tree;
	char err[256];

	/* With the CG class first, the stump's answers flip. */
	json_object_set_new(model, "classes", json_pack("[ss]", "CG", "other"));
	json_object_set_new(model, "cg_class", json_integer(0));
	tree = load_json(model, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
	CU_ASSERT_STRING_EQUAL(tree_get_info(tree)->cg_class_name, "CG");
	CU_ASSERT_EQUAL(tree_predict(tree, &right), 0);
	tree_free(tree);

	model = model_json(&stump);
	json_object_set_new(model, "classes", json_pack("[iii]", 7, 1, 3));
	json_object_set_new(
		model, "value",
		json_pack("[[fff][fff][fff]]", 1.0, 1.0, 1.0, 0.0, 2.0, 0.0, 0.0, 2.0, 5.0));
	tree = load_json(model, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
	CU_ASSERT_STRING_EQUAL(tree_get_info(tree)->cg_class_name, "1");
	CU_ASSERT_EQUAL(tree_get_info(tree)->n_classes, 3);
	CU_ASSERT_EQUAL(tree_predict(tree, &right), 0);
	right.values[0] = 1;
	CU_ASSERT_EQUAL(tree_predict(tree, &right), 1);
	tree_free(tree);
}

static uint64_t fnv1a_64_reference(const char *bytes, size_t len)
{
	uint64_t hash = 14695981039346656037ull;

	while (len--) {
		hash ^= (unsigned char)*bytes++;
		hash *= 1099511628211ull;
	}
	return hash;
}

static void test_checksum_and_buffer(void)
{
	json_t *model = model_json(&stump);
	char *text = json_dumps(model, JSON_REAL_PRECISION(17) | JSON_INDENT(1));
	char err[256];
	struct tree *from_file, *from_buffer;

	json_decref(model);

	CU_ASSERT_EQUAL(fnv1a_64_reference("a", 1), 0xaf63dc4c8601ec8cull);
	write_text_file(model_path, text);
	from_file = tree_load(model_path, err, sizeof(err));
	from_buffer = tree_load_buffer(text, strlen(text), "in memory", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(from_file);
	CU_ASSERT_PTR_NOT_NULL_FATAL(from_buffer);
	CU_ASSERT_EQUAL(tree_get_info(from_file)->checksum, fnv1a_64_reference(text, strlen(text)));
	CU_ASSERT_EQUAL(tree_get_info(from_buffer)->checksum, tree_get_info(from_file)->checksum);
	CU_ASSERT_STRING_EQUAL(tree_get_info(from_buffer)->path, "in memory");
	tree_free(from_file);
	tree_free(from_buffer);

	/* Not NUL-terminated, and an error message cut to the buffer given. */
	CU_ASSERT_PTR_NULL(tree_load_buffer(text, strlen(text) - 2, "cut", err, 8));
	CU_ASSERT_STRING_EQUAL(err, "cut: li");
	free(text);
}

/* A random tree of about 1000 nodes, up to 20 deep, on all features. */
static void random_tree(struct small_tree *tree, int *left, int *right, int *feature,
			double *threshold, double (*value)[2], unsigned int capacity)
{
	unsigned int n = 1, depth[1024] = {0};

	tree->depth = 0;
	for (unsigned int node = 0; node < n; node++) {
		bool split = depth[node] < 20 && n + 2 <= capacity && (node < 8 || rand() % 4 != 0);

		left[node] = split ? (int)n : -1;
		right[node] = split ? (int)n + 1 : -1;
		feature[node] = split ? rand() % FEATURE_COUNT : -2;
		threshold[node] = split ? (rand() % 2000) / 7.0 : -2;
		value[node][0] = rand() % 5;
		value[node][1] = rand() % 5;
		if (split) {
			depth[n] = depth[n + 1] = depth[node] + 1;
			if (depth[n] > tree->depth)
				tree->depth = depth[n];
			n += 2;
		}
	}
	tree->n = n;
}

static void test_burst_equals_single(void)
{
	enum { CAPACITY = 1001, VECTORS = 1000 };
	static int left[CAPACITY], right[CAPACITY], feature[CAPACITY];
	static double threshold[CAPACITY], value[CAPACITY][2];
	static struct features vectors[VECTORS];
	const struct features *pointers[VECTORS];
	struct small_tree small = {0, 0, left, right, feature, threshold, value};
	uint8_t is_cg[VECTORS + 1];
	unsigned int cg = 0;
	struct tree *tree;

	srand(42);
	random_tree(&small, left, right, feature, threshold, value, CAPACITY);
	tree = load_tree(&small);
	for (unsigned int i = 0; i < VECTORS; i++) {
		for (unsigned int f = 0; f < FEATURE_COUNT; f++)
			vectors[i].values[f] = (rand() % 4000) / 14.0f;
		pointers[i] = &vectors[i];
	}
	vectors[7].values[3] = NAN; /* no answer to check, but the walk must end */

	/* Bursts of every size up to 40, then one of all the vectors. */
	for (unsigned int n = 0; n <= 40; n++) {
		memset(is_cg, 0xff, sizeof(is_cg));
		tree_predict_burst(tree, pointers, is_cg, n);
		for (unsigned int i = 0; i < n; i++)
			CU_ASSERT_EQUAL(is_cg[i], tree_predict(tree, &vectors[i]));
		CU_ASSERT_EQUAL(is_cg[n], 0xff);
	}
	tree_predict_burst(tree, pointers, is_cg, VECTORS);
	for (unsigned int i = 0; i < VECTORS; i++) {
		CU_ASSERT_EQUAL(is_cg[i], tree_predict(tree, &vectors[i]));
		cg += is_cg[i];
	}
	/* Both answers occur, so the comparison above means something. */
	CU_ASSERT(cg > VECTORS / 10 && cg < VECTORS * 9 / 10);
	tree_free(tree);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"refuses unreadable and non-JSON files", test_refuses_bad_files},
		{"refuses a FIFO without blocking", test_refuses_fifo_without_blocking},
		{"hostile 30 MB files refused, memory bounded",
		 test_hostile_files_refused_with_bounded_memory},
		{"refuses more values than the declared nodes hold",
		 test_refuses_more_values_than_declared},
		{"refuses a bad format, version or key", test_refuses_bad_header},
		{"refuses other features", test_refuses_bad_features},
		{"refuses bad classes", test_refuses_bad_classes},
		{"refuses inconsistent sizes", test_refuses_bad_sizes},
		{"refuses bad children", test_refuses_bad_links},
		{"refuses a cycle", test_refuses_cycle},
		{"refuses an unreachable node", test_refuses_unreachable_node},
		{"refuses a tree deeper than 64", test_refuses_too_deep},
		{"refuses bad splits", test_refuses_bad_splits},
		{"refuses bad leaf values", test_refuses_bad_values},
		{"predicts on float32 boundaries", test_predicts_float32_boundaries},
		{"predicts with a breadth-first tree", test_predicts_small_tree},
		{"honours cg_class", test_cg_class_choice},
		{"checksums, loads from memory", test_checksum_and_buffer},
		{"burst equals single", test_burst_equals_single},
	};
	int status;

	if (mkdtemp(temp_dir) == NULL)
		return 1;
	snprintf(model_path, sizeof(model_path), "%s/model.json", temp_dir);
	status = unit_run_suite("tree", NULL, NULL, tests, UNIT_COUNT(tests));
	unlink(model_path);
	rmdir(temp_dir);
	return status;
}
