#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Export a scikit-learn DecisionTreeClassifier (joblib) to cgnf's JSON model.

    scripts/export_model.py MODEL.joblib OUT.json [--cg-class VALUE] [--source TEXT] [--force]

The format is described in model/README.md.  The output depends only on the
model and the options, so exporting twice gives the same bytes.

It refuses, with the reason, what cgnf cannot run: anything but a
single-output DecisionTreeClassifier, a number of features other than cgnf's
12, more than two classes unless --cg-class names the cloud gaming one (the
others then count as not CG), and a model trained on named columns other
than cgnf's features in cgnf's order (--force when the columns are cgnf's
under other names).
"""

import argparse
import json
import os
import re
import sys
import warnings

import joblib
import numpy as np
import sklearn
from sklearn.tree import DecisionTreeClassifier

FORMAT_NAME = "cgnf-decision-tree"
FORMAT_VERSION = 1

# lib/features.c's order: the model was trained on the features in this order.
CGNF_FEATURE_NAMES = [
    "dw_size_mean", "dw_size_var", "dw_iat_mean", "dw_iat_var",
    "dw_size_mean_x_count", "dw_count",
    "up_size_mean", "up_size_var", "up_iat_mean", "up_iat_var",
    "up_size_mean_x_count", "up_count",
]

UNPICKLE_WARNING = re.compile(r"from version (\S+) when using version (\S+)")


class ExportError(Exception):
    pass


def load_estimator(path):
    """Loads the joblib file; returns (estimator, sklearn version it was saved with)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = joblib.load(path)
    saved_with = sklearn.__version__
    for warning in caught:
        found = UNPICKLE_WARNING.search(str(warning.message))
        if found:
            saved_with = found.group(1)
        else:
            print(f"note: {path}: {warning.message}", file=sys.stderr)
    if saved_with != sklearn.__version__:
        # The tree arrays did not change between these versions; the export
        # round-trip test (tests/integration/test_tree_exactness) checks it.
        print(f"note: {path} was saved by scikit-learn {saved_with}, "
              f"read with {sklearn.__version__}", file=sys.stderr)
    return model, saved_with


def json_class(value):
    """A class label as a plain JSON value (bool, int or string)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (str, np.str_)):
        return str(value)
    raise ExportError(f"class {value!r} is a {type(value).__name__}: "
                      "only bool, int and string classes can be exported")


def find_cg_class(classes, wanted):
    """Index of the cloud gaming class: --cg-class VALUE, or else True or 1."""
    if wanted is not None:
        for index, value in enumerate(classes):
            if wanted in (json.dumps(value), str(value)):
                return index
        raise ExportError(f"--cg-class {wanted!r} is none of the classes {classes}")
    for index, value in enumerate(classes):
        if value is True or (type(value) is int and value == 1):
            return index
    raise ExportError(f"no class is True or 1 in {classes}: "
                      "name the cloud gaming class with --cg-class VALUE")


def feature_names(model, force=False):
    """cgnf's names, after checking that the model takes cgnf's 12 features."""
    n_features = model.n_features_in_
    if n_features != len(CGNF_FEATURE_NAMES):
        raise ExportError(f"the model takes {n_features} features; cgnf computes "
                          f"{len(CGNF_FEATURE_NAMES)}, in this order: {', '.join(CGNF_FEATURE_NAMES)} "
                          "(lib/features.c): retrain on them")
    own_names = getattr(model, "feature_names_in_", None)
    if own_names is not None and [str(name) for name in own_names] != CGNF_FEATURE_NAMES:
        if not force:
            raise ExportError(f"the model was trained on columns named {[str(n) for n in own_names]}; "
                              f"cgnf feeds {CGNF_FEATURE_NAMES} in this order: retrain on cgnf's "
                              "columns, or give --force if these are cgnf's features in cgnf's order")
        print("note: --force: the model's columns "
              f"{[str(n) for n in own_names]} are taken as cgnf's {CGNF_FEATURE_NAMES}", file=sys.stderr)
    return list(CGNF_FEATURE_NAMES)


def model_document(model, saved_with, cg_class_option, source, force=False):
    """The JSON document of a model cgnf can run, or ExportError saying why not."""
    if not isinstance(model, DecisionTreeClassifier):
        raise ExportError(f"a {type(model).__name__} is not a DecisionTreeClassifier")
    if model.n_outputs_ != 1:
        raise ExportError(f"the tree has {model.n_outputs_} outputs; cgnf needs one")
    names = feature_names(model, force)
    tree = model.tree_
    classes = [json_class(value) for value in model.classes_]
    if len(classes) > 2 and cg_class_option is None:
        raise ExportError(f"the model has {len(classes)} classes {classes}; cgnf tells cloud gaming from "
                          "the rest: name the cloud gaming class with --cg-class VALUE (the others then "
                          "count as not CG)")
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "source": source,
        "sklearn_version": saved_with,
        "n_features": int(model.n_features_in_),
        "feature_names": names,
        "classes": classes,
        "cg_class": find_cg_class(classes, cg_class_option),
        "node_count": int(tree.node_count),
        "max_depth": int(tree.max_depth),
        "children_left": [int(v) for v in tree.children_left],
        "children_right": [int(v) for v in tree.children_right],
        "feature": [int(v) for v in tree.feature],
        # float() keeps every bit; json writes repr(), which reads back exactly.
        "threshold": [float(v) for v in tree.threshold],
        "value": [[float(w) for w in row] for row in tree.value[:, 0, :]],
    }


def dumps(document):
    """One key per line, each array on its own line: diffable and deterministic."""
    lines = [f"  {json.dumps(key)}: {json.dumps(value, allow_nan=False)}"
             for key, value in document.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def export(model, out, saved_with=None, cg_class=None, source="", force=False):
    """Writes model to out as cgnf's JSON; raises ExportError when cgnf could
    not run it (nothing is written then)."""
    text = dumps(model_document(model, saved_with or sklearn.__version__, cg_class, source, force))
    with open(out, "w", encoding="utf-8") as stream:
        stream.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="DecisionTreeClassifier saved with joblib")
    parser.add_argument("out", help="JSON model to write")
    parser.add_argument("--cg-class", help="the cloud gaming class, as written in "
                        "classes (default: the class True or 1; required with more than two classes)")
    parser.add_argument("--source", help="where the model comes from "
                        "(default: the model file's name)")
    parser.add_argument("--force", action="store_true",
                        help="export a model trained on columns named otherwise than cgnf's features")
    args = parser.parse_args()

    try:
        model, saved_with = load_estimator(args.model)
        source = args.source if args.source is not None else os.path.basename(args.model)
        text = dumps(model_document(model, saved_with, args.cg_class, source, args.force))
    except (ExportError, OSError, ValueError) as error:
        print(f"export_model: {args.model}: {error}", file=sys.stderr)
        return 1
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
