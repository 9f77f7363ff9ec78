# SPDX-License-Identifier: BSD-3-Clause
"""Rebuild a scikit-learn DecisionTreeClassifier from cgnf's JSON model.

    from model_json import load_model_json
    classifier = load_model_json("model/default.json")
    classifier.predict(X)

sklearn's own predict then runs on any exported model, so the Python tests can
compare cgnf with sklearn even when only the JSON is at hand.  Impurities and
sample counts are not exported; they do not take part in predictions and are
rebuilt as 0 and the sum of the node's class weights.
"""

import json

import numpy as np
from sklearn.tree import DecisionTreeClassifier
from sklearn.tree._tree import Tree

FORMAT_NAME = "cgnf-decision-tree"
FORMAT_VERSION = 1


def _node_dtype():
    # The node record differs between sklearn versions: ask a fitted tree.
    tiny = DecisionTreeClassifier().fit([[0.0], [1.0]], [0, 1])
    return tiny.tree_.__getstate__()["nodes"].dtype


def load_model_json(path):
    with open(path, encoding="utf-8") as source:
        model = json.load(source)
    if model.get("format") != FORMAT_NAME or model.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path}: not a {FORMAT_NAME} model of version {FORMAT_VERSION}")

    n_features = model["n_features"]
    n_classes = len(model["classes"])
    node_count = model["node_count"]
    values = np.array(model["value"], dtype=np.float64).reshape(node_count, 1, n_classes)

    nodes = np.zeros(node_count, dtype=_node_dtype())
    nodes["left_child"] = model["children_left"]
    nodes["right_child"] = model["children_right"]
    nodes["feature"] = model["feature"]
    nodes["threshold"] = model["threshold"]
    nodes["n_node_samples"] = values.sum(axis=(1, 2))
    nodes["weighted_n_node_samples"] = values.sum(axis=(1, 2))

    tree = Tree(n_features, np.array([n_classes], dtype=np.intp), 1)
    tree.__setstate__({"max_depth": model["max_depth"], "node_count": node_count,
                       "nodes": nodes, "values": values})

    classifier = DecisionTreeClassifier()
    classifier.tree_ = tree
    classifier.n_features_in_ = n_features
    classifier.n_outputs_ = 1
    classifier.classes_ = np.array(model["classes"])
    classifier.n_classes_ = n_classes
    classifier.max_features_ = n_features
    return classifier
