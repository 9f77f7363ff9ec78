/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reads a model exported by scripts/export_model.py, checks every key and
 * every node, and flattens it (layout: tree_layout.h).  Refusals name the
 * file, the key or node and the reason, since they stop cgnf at start-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "sha256.h"
#include "tree_layout.h"

#define TREE_FORMAT_NAME "cgnf-decision-tree"
#define TREE_FORMAT_VERSION 1
#define TREE_MAX_CLASSES 256
#define TREE_MAX_FILE_SIZE (256u << 20)
/*
 * What jansson builds costs about 50 bytes a value (a 32-byte node and its
 * slot in an array), so the number of values, not the file's size, bounds
 * the memory a load takes.  A model holds 5 values a node plus one per
 * class and node (model/README.md): 2^23 covers a tree of TREE_MAX_NODES
 * nodes and 3 classes, about 420 MB of jansson at worst.
 */
#define TREE_MAX_VALUES ((1u << 23) + (1u << 16))
/* The root object, its node arrays, value's rows: nothing deeper is a model. */
#define TREE_MAX_NESTING 3
/* The values a model of nodes nodes and classes classes holds, beside its header. */
#define TREE_HEADER_VALUES 64

/* The model as written in the file, indexed by sklearn's node ids. */
struct model_arrays {
	unsigned int node_count;
	unsigned int n_classes;
	unsigned int cg_class;
	unsigned int max_depth;
	json_int_t *left;
	json_int_t *right;
	json_int_t *feature;
	double *threshold;
	double *value; /* node_count rows of n_classes */
};

struct load_context {
	const char *name;
	char *err;
	size_t err_size;
};

static int __attribute__((format(printf, 2, 3)))
refuse(const struct load_context *ctx, const char *format, ...)
{
	va_list args;
	int used;

	if (ctx->err_size == 0)
		return -EINVAL;
	used = snprintf(ctx->err, ctx->err_size, "%s: ", ctx->name);
	if (used >= 0 && (size_t)used < ctx->err_size) {
		va_start(args, format);
		vsnprintf(ctx->err + used, ctx->err_size - used, format, args);
		va_end(args);
	}
	return -EINVAL;
}

/*
 * What the pre-scan reads of a text before jansson builds it: the number of
 * values, and the node_count and class count it declares.
 */
struct text_shape {
	size_t values;
	unsigned long long node_count; /* 0 when absent or not an integer */
	size_t classes;
};

static inline bool is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * One pass over the text, no allocation: counts the values and refuses
 * early what no model looks like (an array at the top, an object inside the
 * root, nesting deeper than TREE_MAX_NESTING, more than TREE_MAX_VALUES
 * values), so that a hostile file costs its own bytes and no more.  Syntax
 * is left to jansson: the scan only stops at what it must refuse.
 */
static int prescan_text(const struct load_context *ctx, const char *buf, size_t len,
			struct text_shape *shape)
{
	const char *p = buf, *end = buf + len;
	unsigned int depth = 0;
	bool expect_key = false; /* in the root object, before a ':' */
	char key[16] = "";	 /* the root's current key, cut at 15 bytes */
	size_t classes_start = 0;

	memset(shape, 0, sizeof(*shape));
	while (p != end && is_json_space(*p))
		p++;
	if (p != end && *p == '[')
		return refuse(ctx, "not a JSON object");
	for (; p != end; p++) {
		const char *start = p;

		switch (*p) {
		case '{':
			if (depth > 0)
				return refuse(
					ctx, "byte %zu: an object inside the model, which has none",
					(size_t)(p - buf));
			depth = 1;
			expect_key = true;
			shape->values++;
			break;
		case '[':
			if (++depth > TREE_MAX_NESTING)
				return refuse(ctx,
					      "byte %zu: nested deeper than a model (%u levels)",
					      (size_t)(p - buf), TREE_MAX_NESTING);
			if (depth == 2 && strcmp(key, "classes") == 0)
				classes_start = shape->values + 1;
			shape->values++;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			if (depth == 1 && classes_start != 0) {
				shape->classes = shape->values - classes_start;
				classes_start = 0;
			}
			break;
		case ',':
			expect_key = depth == 1;
			break;
		case ':':
			expect_key = false;
			break;
		case '"':
			for (p++; p != end && *p != '"'; p++)
				if (*p == '\\' && p + 1 != end)
					p++;
			if (p == end)
				return 0; /* unterminated: jansson says where */
			if (depth == 1 && expect_key) {
				size_t key_len = (size_t)(p - start - 1);

				if (key_len >= sizeof(key))
					key_len = sizeof(key) - 1;
				memcpy(key, start + 1, key_len);
				key[key_len] = '\0';
				break; /* a key is not a value */
			}
			shape->values++;
			break;
		default:
			if (is_json_space(*p))
				break;
			/* A number or a literal: one value, up to its last byte. */
			while (p + 1 != end && !is_json_space(p[1]) &&
			       strchr(",:]}[{\"", p[1]) == NULL)
				p++;
			if (depth == 1 && strcmp(key, "node_count") == 0) {
				char *number_end;
				unsigned long long n = strtoull(start, &number_end, 10);

				if (number_end == p + 1 && *start != '-')
					shape->node_count = n;
			}
			shape->values++;
			break;
		}
		if (shape->values > TREE_MAX_VALUES)
			return refuse(ctx, "more than %u JSON values, more than any model holds",
				      TREE_MAX_VALUES);
	}
	return 0;
}

/*
 * Refuses a text with more values than a model of the node and class
 * counts it declares can hold: then jansson's memory is that of such a
 * model, whatever the text's size.  Absent or wrong counts leave only the
 * header's allowance, and the checks that follow name the fault.
 */
static int check_text_shape(const struct load_context *ctx, const struct text_shape *shape)
{
	unsigned long long nodes = shape->node_count, classes = shape->classes, allowed;

	if (nodes > TREE_MAX_NODES)
		nodes = TREE_MAX_NODES;
	if (classes > TREE_MAX_CLASSES)
		classes = TREE_MAX_CLASSES;
	/* 4 arrays of a value a node, and value's rows of one per class. */
	allowed = TREE_HEADER_VALUES + classes + nodes * (4 + 1 + classes);
	if (shape->values > allowed)
		return refuse(ctx,
			      "%zu JSON values, more than a model of %llu nodes and %llu classes "
			      "holds (%llu)",
			      shape->values, nodes, classes, allowed);
	return 0;
}

static const char *const known_keys[] = {
	"format",	 "version",	   "source",   "sklearn_version", "n_features",
	"feature_names", "classes",	   "cg_class", "node_count",	  "max_depth",
	"children_left", "children_right", "feature",  "threshold",	  "value",
};

static int check_keys(const struct load_context *ctx, json_t *root)
{
	const char *key;
	json_t *member;

	json_object_foreach(root, key, member)
	{
		bool known = false;

		for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
			known = known || strcmp(key, known_keys[i]) == 0;
		if (!known)
			return refuse(ctx, "%s: unknown key", key);
	}
	return 0;
}

static int get_member(const struct load_context *ctx, json_t *root, const char *key,
		      json_t **member)
{
	*member = json_object_get(root, key);
	if (*member == NULL)
		return refuse(ctx, "%s: missing", key);
	return 0;
}

static int get_uint(const struct load_context *ctx, json_t *root, const char *key, unsigned int min,
		    unsigned int max, unsigned int *out)
{
	json_int_t number;
	json_t *member;

	if (get_member(ctx, root, key, &member) < 0)
		return -EINVAL;
	if (!json_is_integer(member))
		return refuse(ctx, "%s: not an integer", key);
	number = json_integer_value(member);
	if (number < min || number > max)
		return refuse(ctx, "%s: %" JSON_INTEGER_FORMAT " is outside [%u, %u]", key, number,
			      min, max);
	*out = (unsigned int)number;
	return 0;
}

/* An optional string, copied (truncated if need be) into out. */
static int get_optional_string(const struct load_context *ctx, json_t *root, const char *key,
			       char *out, size_t out_size)
{
	json_t *member = json_object_get(root, key);

	if (member == NULL)
		return 0;
	if (!json_is_string(member))
		return refuse(ctx, "%s: not a string", key);
	if (out != NULL)
		snprintf(out, out_size, "%s", json_string_value(member));
	return 0;
}

static int get_array(const struct load_context *ctx, json_t *root, const char *key,
		     size_t expected_size, json_t **array)
{
	if (get_member(ctx, root, key, array) < 0)
		return -EINVAL;
	if (!json_is_array(*array))
		return refuse(ctx, "%s: not an array", key);
	if (json_array_size(*array) != expected_size)
		return refuse(ctx, "%s: %zu entries where %zu were expected", key,
			      json_array_size(*array), expected_size);
	return 0;
}

static int check_header(const struct load_context *ctx, json_t *root, struct tree_info *info)
{
	json_t *member, *names;

	if (get_member(ctx, root, "format", &member) < 0)
		return -EINVAL;
	if (!json_is_string(member) || strcmp(json_string_value(member), TREE_FORMAT_NAME) != 0)
		return refuse(ctx, "format: not \"%s\"", TREE_FORMAT_NAME);
	if (get_uint(ctx, root, "version", 0, UINT32_MAX, &info->format_version) < 0)
		return -EINVAL;
	if (info->format_version != TREE_FORMAT_VERSION)
		return refuse(ctx, "version: %u, cgnf reads version %u", info->format_version,
			      TREE_FORMAT_VERSION);
	if (get_optional_string(ctx, root, "source", info->source, sizeof(info->source)) < 0 ||
	    get_optional_string(ctx, root, "sklearn_version", NULL, 0) < 0)
		return -EINVAL;

	if (get_uint(ctx, root, "n_features", 0, UINT32_MAX, &info->n_features) < 0)
		return -EINVAL;
	if (info->n_features != FEATURE_COUNT)
		return refuse(ctx, "n_features: %u, cgnf computes %u features", info->n_features,
			      FEATURE_COUNT);
	if (get_array(ctx, root, "feature_names", FEATURE_COUNT, &names) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < FEATURE_COUNT; i++) {
		json_t *name = json_array_get(names, i);

		if (!json_is_string(name) || strcmp(json_string_value(name), feature_names[i]))
			return refuse(ctx,
				      "feature_names[%u]: not \"%s\", the feature cgnf computes", i,
				      feature_names[i]);
	}
	return 0;
}

/* The class labels: bools, integers or strings, all different. */
static int check_classes(const struct load_context *ctx, json_t *root, struct tree_info *info)
{
	json_t *classes, *cg;

	if (get_member(ctx, root, "classes", &classes) < 0)
		return -EINVAL;
	if (!json_is_array(classes) || json_array_size(classes) == 0 ||
	    json_array_size(classes) > TREE_MAX_CLASSES)
		return refuse(ctx, "classes: not an array of 1 to %u labels", TREE_MAX_CLASSES);
	info->n_classes = json_array_size(classes);
	for (unsigned int i = 0; i < info->n_classes; i++) {
		json_t *label = json_array_get(classes, i);

		if (!json_is_boolean(label) && !json_is_integer(label) && !json_is_string(label))
			return refuse(ctx, "classes[%u]: not a bool, an integer or a string", i);
		for (unsigned int j = 0; j < i; j++)
			if (json_equal(label, json_array_get(classes, j)))
				return refuse(ctx, "classes[%u]: same label as classes[%u]", i, j);
	}

	if (get_uint(ctx, root, "cg_class", 0, info->n_classes - 1, &info->cg_class) < 0)
		return -EINVAL;
	cg = json_array_get(classes, info->cg_class);
	if (json_is_string(cg))
		snprintf(info->cg_class_name, sizeof(info->cg_class_name), "%s",
			 json_string_value(cg));
	else if (json_is_integer(cg))
		snprintf(info->cg_class_name, sizeof(info->cg_class_name), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(cg));
	else
		snprintf(info->cg_class_name, sizeof(info->cg_class_name), "%s",
			 json_is_true(cg) ? "true" : "false");
	return 0;
}

/* One integer per node, each in [min, max]. */
static int read_integers(const struct load_context *ctx, json_t *root, const char *key,
			 unsigned int node_count, json_int_t min, json_int_t max, json_int_t *out)
{
	json_t *array;

	if (get_array(ctx, root, key, node_count, &array) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < node_count; i++) {
		json_t *number = json_array_get(array, i);

		if (!json_is_integer(number))
			return refuse(ctx, "%s[%u]: not an integer", key, i);
		out[i] = json_integer_value(number);
		if (out[i] < min || out[i] > max)
			return refuse(ctx,
				      "%s[%u]: %" JSON_INTEGER_FORMAT
				      " is outside [%" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT
				      "]",
				      key, i, out[i], min, max);
	}
	return 0;
}

static int read_number(json_t *number, double *out)
{
	if (!json_is_number(number))
		return -EINVAL;
	*out = json_number_value(number);
	return isfinite(*out) ? 0 : -EINVAL;
}

static int read_thresholds_and_values(const struct load_context *ctx, json_t *root,
				      struct model_arrays *model)
{
	json_t *thresholds, *values;

	if (get_array(ctx, root, "threshold", model->node_count, &thresholds) < 0 ||
	    get_array(ctx, root, "value", model->node_count, &values) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < model->node_count; i++) {
		json_t *row = json_array_get(values, i);

		if (read_number(json_array_get(thresholds, i), &model->threshold[i]) < 0)
			return refuse(ctx, "threshold[%u]: not a finite number", i);
		if (!json_is_array(row) || json_array_size(row) != model->n_classes)
			return refuse(ctx, "value[%u]: not an array of %u numbers (one per class)",
				      i, model->n_classes);
		for (unsigned int c = 0; c < model->n_classes; c++) {
			double *weight = &model->value[(size_t)i * model->n_classes + c];

			if (read_number(json_array_get(row, c), weight) < 0 || *weight < 0)
				return refuse(ctx, "value[%u][%u]: not a finite number >= 0", i, c);
		}
	}
	return 0;
}

/* Every node is a leaf (both children -1) or splits on a feature cgnf computes. */
static int check_nodes(const struct load_context *ctx, const struct model_arrays *model)
{
	for (unsigned int i = 0; i < model->node_count; i++) {
		if ((model->left[i] < 0) != (model->right[i] < 0))
			return refuse(ctx, "node %u: one child is -1 and the other is not", i);
		if (model->left[i] < 0)
			continue;
		if (model->feature[i] < 0 || model->feature[i] >= FEATURE_COUNT)
			return refuse(ctx,
				      "feature[%u]: %" JSON_INTEGER_FORMAT " is outside [0, %u)", i,
				      model->feature[i], FEATURE_COUNT);
	}
	return 0;
}

static int read_model(const struct load_context *ctx, json_t *root, struct model_arrays *model,
		      struct tree_info *info)
{
	unsigned int n;

	if (!json_is_object(root))
		return refuse(ctx, "not a JSON object");
	if (check_keys(ctx, root) < 0 || check_header(ctx, root, info) < 0 ||
	    check_classes(ctx, root, info) < 0 ||
	    get_uint(ctx, root, "node_count", 1, TREE_MAX_NODES, &model->node_count) < 0 ||
	    get_uint(ctx, root, "max_depth", 0, TREE_MAX_DEPTH, &model->max_depth) < 0)
		return -EINVAL;
	model->n_classes = info->n_classes;
	model->cg_class = info->cg_class;

	n = model->node_count;
	model->left = malloc(n * sizeof(*model->left));
	model->right = malloc(n * sizeof(*model->right));
	model->feature = malloc(n * sizeof(*model->feature));
	model->threshold = malloc(n * sizeof(*model->threshold));
	model->value = malloc((size_t)n * model->n_classes * sizeof(*model->value));
	if (!model->left || !model->right || !model->feature || !model->threshold || !model->value)
		return refuse(ctx, "out of memory for %u nodes", n);

	/* Leaves have -1 children; their feature (sklearn writes -2) is unused. */
	if (read_integers(ctx, root, "children_left", n, -1, n - 1, model->left) < 0 ||
	    read_integers(ctx, root, "children_right", n, -1, n - 1, model->right) < 0 ||
	    read_integers(ctx, root, "feature", n, INT32_MIN, INT32_MAX, model->feature) < 0 ||
	    read_thresholds_and_values(ctx, root, model) < 0)
		return -EINVAL;
	return check_nodes(ctx, model);
}

/*
 * Walks the tree from the root, checking that it is a tree (every node
 * reached exactly once) no deeper than TREE_MAX_DEPTH and as deep as
 * max_depth says.  Fills order[] with the nodes in pre-order, left first.
 */
static int order_nodes(const struct load_context *ctx, const struct model_arrays *model,
		       unsigned int *order)
{
	unsigned int n = model->node_count, pending = 0, visited = 0, depth = 0;
	unsigned int *stack = malloc(n * sizeof(*stack));
	unsigned int *node_depth = calloc(n, sizeof(*node_depth));
	bool *reached = calloc(n, sizeof(*reached));
	int ret = 0;

	if (!stack || !node_depth || !reached) {
		ret = refuse(ctx, "out of memory for %u nodes", n);
		goto out;
	}
	stack[pending++] = 0;
	reached[0] = true;
	while (pending > 0) {
		unsigned int node = stack[--pending];
		/* Right pushed first: the left child comes out next, beside its parent. */
		json_int_t children[2] = {model->right[node], model->left[node]};

		order[visited++] = node;
		if (node_depth[node] > depth)
			depth = node_depth[node];
		if (children[0] < 0)
			continue;
		for (int i = 0; i < 2; i++) {
			unsigned int child = (unsigned int)children[i];

			if (reached[child]) {
				ret = refuse(ctx, "node %u: child of node %u but already reached",
					     child, node);
				goto out;
			}
			if (node_depth[node] + 1 > TREE_MAX_DEPTH) {
				ret = refuse(ctx, "node %u: deeper than %u", child, TREE_MAX_DEPTH);
				goto out;
			}
			reached[child] = true;
			node_depth[child] = node_depth[node] + 1;
			stack[pending++] = child;
		}
	}
	if (visited < n) {
		unsigned int node = 0;

		while (reached[node])
			node++;
		ret = refuse(ctx, "node %u: not reachable from the root", node);
	} else if (depth != model->max_depth) {
		ret = refuse(ctx, "max_depth: %u, but the tree is %u deep", model->max_depth,
			     depth);
	}
out:
	free(stack);
	free(node_depth);
	free(reached);
	return ret;
}

/*
 * sklearn goes left when (double)(float)x <= t.  For a float x that is the
 * same as x <= the largest float not above t: round t down, not to nearest.
 * Beyond FLT_MAX this gives FLT_MAX or -INFINITY, still the right answer.
 */
static float threshold_round_down(double threshold)
{
	float rounded = (float)threshold;

	if ((double)rounded > threshold)
		rounded = nextafterf(rounded, -INFINITY);
	return rounded;
}

/* The leaf's class is sklearn's: the heaviest, the first one on a tie. */
static bool leaf_is_cg(const struct model_arrays *model, unsigned int node)
{
	const double *weights = &model->value[(size_t)node * model->n_classes];
	unsigned int best = 0;

	for (unsigned int c = 1; c < model->n_classes; c++)
		if (weights[c] > weights[best])
			best = c;
	return best == model->cg_class;
}

static int flatten(const struct load_context *ctx, const struct model_arrays *model,
		   struct tree *tree)
{
	unsigned int n = model->node_count;
	unsigned int *order = malloc(n * sizeof(*order));
	unsigned int *position = malloc(n * sizeof(*position));
	size_t nodes_size = ((n * sizeof(struct tree_node)) + 63) & ~(size_t)63;
	int ret;

	/* Zeroed: a leaf compares feature 0 with 0, and goes to itself either way. */
	tree->nodes = aligned_alloc(64, nodes_size);
	tree->leaf_is_cg = calloc(n, sizeof(*tree->leaf_is_cg));
	if (!order || !position || !tree->nodes || !tree->leaf_is_cg) {
		ret = refuse(ctx, "out of memory for %u nodes", n);
		goto out;
	}
	memset(tree->nodes, 0, nodes_size);
	ret = order_nodes(ctx, model, order);
	if (ret < 0)
		goto out;
	for (unsigned int i = 0; i < n; i++)
		position[order[i]] = i;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int node = order[i];
		struct tree_node *flat = &tree->nodes[i];

		if (model->left[node] < 0) {
			flat->child[0] = flat->child[1] = i;
			tree->leaf_is_cg[i] = leaf_is_cg(model, node);
			tree->info.n_leaves++;
		} else {
			flat->threshold = threshold_round_down(model->threshold[node]);
			flat->feature = model->feature[node];
			flat->child[0] = position[model->left[node]];
			flat->child[1] = position[model->right[node]];
		}
	}
	tree->info.n_nodes = n;
	tree->info.depth = model->max_depth;
out:
	free(order);
	free(position);
	return ret;
}

static uint64_t fnv1a_64(const char *bytes, size_t len)
{
	uint64_t hash = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		hash ^= (unsigned char)bytes[i];
		hash *= 0x100000001b3ull;
	}
	return hash;
}

struct tree *tree_load_buffer(const char *buf, size_t len, const char *name, char *err,
			      size_t err_size)
{
	struct load_context ctx = {.name = name, .err = err, .err_size = err_size};
	struct model_arrays model = {0};
	struct text_shape shape;
	struct tree *tree;
	json_error_t json_error;
	json_t *root;
	int ret;

	if (prescan_text(&ctx, buf, len, &shape) < 0 || check_text_shape(&ctx, &shape) < 0)
		return NULL;
	tree = calloc(1, sizeof(*tree));
	if (tree == NULL) {
		refuse(&ctx, "out of memory");
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &json_error);
	if (root == NULL) {
		refuse(&ctx, "line %d column %d: %s", json_error.line, json_error.column,
		       json_error.text);
		free(tree);
		return NULL;
	}
	ret = read_model(&ctx, root, &model, &tree->info);
	if (ret == 0)
		ret = flatten(&ctx, &model, tree);
	json_decref(root);
	free(model.left);
	free(model.right);
	free(model.feature);
	free(model.threshold);
	free(model.value);
	if (ret < 0) {
		tree_free(tree);
		return NULL;
	}
	snprintf(tree->info.path, sizeof(tree->info.path), "%s", name);
	tree->info.checksum = fnv1a_64(buf, len);
	sha256_hex(buf, len, tree->info.sha256);
	snprintf(tree->info.id, sizeof(tree->info.id), "%.12s", tree->info.sha256);
	return tree;
}

/* Reads exactly len bytes; 0 or -errno (-EIO when the file is shorter). */
static int read_all(int fd, char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t got = read(fd, buf + done, len - done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -EIO;
		done += (size_t)got;
	}
	return 0;
}

struct tree *tree_load(const char *path, char *err, size_t err_size)
{
	struct load_context ctx = {.name = path, .err = err, .err_size = err_size};
	struct tree *tree = NULL;
	struct stat status;
	char *buf = NULL;
	int fd, ret;

	/*
	 * Non-blocking: opening a FIFO for reading would wait for a writer (and
	 * a device might do anything); the type is checked on the open file,
	 * so that nothing can swap the path in between.
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		refuse(&ctx, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &status) < 0) {
		refuse(&ctx, "%s", strerror(errno));
	} else if (!S_ISREG(status.st_mode)) {
		refuse(&ctx, "not a regular file");
	} else if (status.st_size > TREE_MAX_FILE_SIZE) {
		refuse(&ctx, "%lld bytes, more than the %u a model may have",
		       (long long)status.st_size, TREE_MAX_FILE_SIZE);
	} else {
		buf = malloc(status.st_size + 1); /* + 1: no malloc(0) for an empty file */
		if (buf == NULL)
			refuse(&ctx, "out of memory for %lld bytes", (long long)status.st_size);
		else if ((ret = read_all(fd, buf, status.st_size)) < 0)
			refuse(&ctx, "could not read %lld bytes: %s", (long long)status.st_size,
			       strerror(-ret));
		else
			tree = tree_load_buffer(buf, status.st_size, path, err, err_size);
	}
	free(buf);
	close(fd);
	return tree;
}
