#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Trains cgnf's default model on synthetic traffic and exports it.

    scripts/train_model.py [--conversations 150] [--seconds 10] [--seed 1]
                           [--joblib build/default_model.joblib] [--json model/default.json]

Labelled windows come from scripts/traffic.py (cloud gaming against six
other kinds); each report is printed as the probe prints it and read back,
and the 12 features are computed from those numbers exactly as cgnf does.
The held-out set is made of other conversations, simulated from another
seed.  The tree is a scikit-learn DecisionTreeClassifier with classes
[False, True] (True = cloud gaming), saved with joblib and exported to cgnf's
JSON with scripts/export_model.py.
"""

import argparse
import json
import os
import subprocess
import sys

import joblib
import numpy as np
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import traffic  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHUNK = 25  # conversations simulated at once: bounds the packet arrays


def features_of(halves_text):
    """The 12 features of one report's printed halves, as cgnf computes them
    (the report's SRC is the client here: no swap)."""
    up, down = json.loads("[" + halves_text + "]")
    values = []
    for count, size_mean, size_var, iat_mean, iat_var in (down, up):
        count, size_mean = float(count), float(size_mean)
        values += [size_mean, size_var, iat_mean, iat_var, size_mean * count, count]
    return values


def labelled_windows(conversations, seconds, seed):
    """(features, is_cg, kind index, conversation id) of every window of
    `conversations` conversations of each kind."""
    seeds = np.random.SeedSequence(seed).spawn(len(traffic.KINDS))
    features, labels, kinds, conv_ids = [], [], [], []
    next_conv = 0
    for kind_index, (kind, is_cg) in enumerate(traffic.KINDS.items()):
        rng = np.random.default_rng(seeds[kind_index])
        for start in range(0, conversations, CHUNK):
            count = min(CHUNK, conversations - start)
            # Conversations of different lengths: the first windows of a
            # conversation look different, and short ones should be seen too.
            spans = rng.uniform(0.3, 1.0, count) * seconds * 1e6
            stats = traffic.simulate(kind, spans, rng)
            for text in traffic.format_halves(stats.up, stats.down):
                features.append(features_of(text))
            labels += [is_cg] * stats.conv.size
            kinds += [kind_index] * stats.conv.size
            conv_ids.append(stats.conv + next_conv)
            next_conv += count
    return (np.array(features, dtype=np.float64), np.array(labels, dtype=bool), np.array(kinds),
            np.concatenate(conv_ids))


def scores(truth, predicted):
    true_positive = np.sum(truth & predicted)
    accuracy = np.mean(truth == predicted)
    precision = true_positive / max(np.sum(predicted), 1)
    recall = true_positive / max(np.sum(truth), 1)
    return accuracy, precision, recall


def report_scores(model, features, labels, kinds, conv_ids, threshold):
    predicted = model.predict(features)
    accuracy, precision, recall = scores(labels, predicted)
    print(f"held-out reports: {labels.size}, accuracy {accuracy:.4f}, "
          f"CG precision {precision:.4f}, CG recall {recall:.4f}")
    for kind_index, kind in enumerate(traffic.KINDS):
        mine = kinds == kind_index
        print(f"  {kind:14} {np.sum(mine):7d} reports, {np.mean(predicted[mine] == labels[mine]):.4f} right")
    # Per conversation, as cgnf's verdict sees it: CG share above a threshold.
    conv_cg = np.bincount(conv_ids, predicted) / np.maximum(np.bincount(conv_ids), 1)
    conv_truth = np.bincount(conv_ids, labels) > 0
    present = np.bincount(conv_ids) > 0
    verdict = conv_cg[present] > threshold
    accuracy, precision, recall = scores(conv_truth[present], verdict)
    print(f"held-out conversations: {np.sum(present)}, verdict (CG share > {threshold}) accuracy "
          f"{accuracy:.4f}, precision {precision:.4f}, recall {recall:.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=150, help="per kind, for training (default %(default)s)")
    parser.add_argument("--test-conversations", type=int, default=50, help="per kind, held out (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=10.0, help="longest conversation (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="training seed; the held-out set uses seed + 1000")
    parser.add_argument("--max-depth", type=int, default=14)
    parser.add_argument("--min-samples-leaf", type=int, default=20)
    parser.add_argument("--threshold", type=float, default=0.5, help="CG share for a CG verdict, for the scores")
    parser.add_argument("--joblib", default=os.path.join(ROOT, "build", "default_model.joblib"))
    parser.add_argument("--json", default=os.path.join(ROOT, "model", "default.json"),
                        help="cgnf model to export ('' to skip)")
    args = parser.parse_args()

    features, labels, _, _ = labelled_windows(args.conversations, args.seconds, args.seed)
    print(f"training reports: {labels.size} ({np.sum(labels)} cloud gaming)")
    model = DecisionTreeClassifier(max_depth=args.max_depth, min_samples_leaf=args.min_samples_leaf,
                                   class_weight="balanced", random_state=0)
    model.fit(features, labels)
    print(f"tree: depth {model.get_depth()}, {model.tree_.node_count} nodes, {model.get_n_leaves()} leaves")

    test = labelled_windows(args.test_conversations, args.seconds, args.seed + 1000)
    report_scores(model, *test, args.threshold)

    os.makedirs(os.path.dirname(os.path.abspath(args.joblib)), exist_ok=True)
    joblib.dump(model, args.joblib)
    print(f"saved {args.joblib}")
    if args.json:
        source = (f"synthetic traffic: scripts/train_model.py --conversations {args.conversations} "
                  f"--seconds {args.seconds:g} --seed {args.seed} --max-depth {args.max_depth} "
                  f"--min-samples-leaf {args.min_samples_leaf}")
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "export_model.py"), args.joblib, args.json,
                        "--source", source], check=True)
        print(f"exported {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
