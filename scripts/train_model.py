#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Trains a cgnf model, on labelled reports or on synthetic traffic, and exports it.

On your own labelled data (see "Your own model" in README.md):

    scripts/train_model.py (--reports PCAP... | --windows FILE...) --labels CSV
                           [--lan CIDR]... [--max-depth N] [--min-samples-leaf N]
                           [--class-weight balanced|none|W] [--test-share 0.25]
                           [--joblib build/model.joblib] [--json build/model.json] [--force]

reads the reports as cgnf does (scripts/labelled_data.py: cgnf's RX rules,
the client (LAN side) first), keeps those of the pairs the labels CSV names
(client,server,label; a row matches the pair in either order), holds out
--test-share of the conversations (whole conversations, both labels), fits
a DecisionTreeClassifier on the others, prints the held-out scores with
cgnf's verdict rule, saves the tree with joblib and exports cgnf's JSON
through scripts/export_model.py.  It never overwrites a file git tracks
unless --force.

On synthetic traffic (what made model/default.json; the command is still
`scripts/train_model.py` with no data options):

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

import export_model  # noqa: E402
import labelled_data  # noqa: E402
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


def tracked_by_git(path):
    """True when git tracks path (a file of a checkout: never overwritten
    without --force)."""
    path = os.path.abspath(path)
    try:
        result = subprocess.run(["git", "-C", os.path.dirname(path), "ls-files", "--error-unmatch",
                                 os.path.basename(path)], capture_output=True)
    except OSError:
        return False
    return result.returncode == 0


def parse_class_weight(text):
    if text == "balanced":
        return "balanced"
    if text == "none":
        return None
    try:
        weight = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: balanced, none or the weight of CG against not CG")
    return {True: weight, False: 1.0}


def split_conversations(labels, share, seed):
    """Indices of the held-out conversations: share of each label's
    conversations (at least one of each when there are two or more)."""
    rng = np.random.default_rng(seed)
    held_out = []
    for value in (False, True):
        members = np.flatnonzero(labels == value)
        rng.shuffle(members)
        count = int(round(share * members.size))
        if share > 0 and members.size >= 2:
            count = min(max(count, 1), members.size - 1)
        held_out += members[:count].tolist()
    return np.sort(np.array(held_out, dtype=np.int64))


def train_labelled(args):
    """--reports / --windows with --labels: returns the exit code."""
    if not args.labels:
        print("train_model: --labels CSV is needed with --reports or --windows", file=sys.stderr)
        return 2
    outputs = [path for path in (args.joblib, args.json) if path]
    tracked = [path for path in outputs if os.path.exists(path) and tracked_by_git(path)]
    if tracked and not args.force:
        print(f"train_model: {', '.join(tracked)} is tracked by git: choose another output "
              "(--joblib, --json) or give --force", file=sys.stderr)
        return 2
    try:
        labelled_data.resolve_settings(args)
        rule = labelled_data.VerdictRule(args.verdict_window, args.verdict_min_reports, args.verdict_threshold)
        data = labelled_data.load_labelled(args.labels, args.reports, args.windows, args.lan, args.probe,
                                           args.udp_port)
    except (labelled_data.DataError, OSError, ValueError) as error:
        print(f"train_model: {error}", file=sys.stderr)
        return 2
    print(f"read {data.describe()}; LAN {', '.join(args.lan) or '(none)'}")
    skipped = labelled_data.describe_skipped(data.skipped)
    if skipped:
        print(skipped)
    if len(set(data.conv_label.tolist())) < 2:
        print("train_model: the labelled reports hold only one class: label both CG and other "
              "conversations", file=sys.stderr)
        return 2

    held_out = split_conversations(data.conv_label, args.test_share, args.seed)
    train_part = np.setdiff1d(np.arange(len(data.conversations)), held_out)
    train, test = data.subset(train_part), data.subset(held_out)
    print(f"training on {train.describe()}")
    model = DecisionTreeClassifier(max_depth=args.max_depth, min_samples_leaf=args.min_samples_leaf,
                                   class_weight=args.class_weight, random_state=0)
    model.fit(train.features, train.labels)
    print(f"tree: depth {model.get_depth()}, {model.tree_.node_count} nodes, {model.get_n_leaves()} leaves")
    if held_out.size:
        print(f"held out: {test.describe()}")
        figures = labelled_data.evaluate(labelled_data.SklearnTree(model), test, rule)
        labelled_data.print_figures([("held-out", figures)], rule)
    else:
        print("held out: nothing (--test-share 0): no scores")

    os.makedirs(os.path.dirname(os.path.abspath(args.joblib)), exist_ok=True)
    inputs = args.reports or args.windows
    return save_model(model, args, f"labelled data: {', '.join(os.path.basename(p) for p in inputs)}, labels "
                                   f"{os.path.basename(args.labels)}; max_depth {args.max_depth}, "
                                   f"min_samples_leaf {args.min_samples_leaf}, class_weight {args.class_weight_text}")


def save_model(model, args, source):
    """The joblib file, and our JSON model (export_model.py) when asked; 0 or 1."""
    joblib.dump(model, args.joblib)
    print(f"saved {args.joblib}")
    if args.json:
        try:
            export_model.export(model, args.json, source=source)
        except export_model.ExportError as error:
            print(f"train_model: export: {error}", file=sys.stderr)
            return 1
        print(f"exported {args.json}")
    return 0


def train_synthetic(args):
    default_json = os.path.join(ROOT, "model", "default.json")
    # The synthetic set-up exists to make the tracked model/default.json:
    # that one target is allowed; any other tracked file needs --force.
    tracked = [path for path in (args.joblib, args.json) if path and os.path.exists(path)
               and os.path.abspath(path) != default_json and tracked_by_git(path)]
    if tracked and not args.force:
        print(f"train_model: {', '.join(tracked)} is tracked by git: choose another output or give --force",
              file=sys.stderr)
        return 2
    features, labels, _, _ = labelled_windows(args.conversations, args.seconds, args.seed)
    print(f"training reports: {labels.size} ({np.sum(labels)} cloud gaming)")
    model = DecisionTreeClassifier(max_depth=args.max_depth, min_samples_leaf=args.min_samples_leaf,
                                   class_weight=args.class_weight, random_state=0)
    model.fit(features, labels)
    print(f"tree: depth {model.get_depth()}, {model.tree_.node_count} nodes, {model.get_n_leaves()} leaves")

    test = labelled_windows(args.test_conversations, args.seconds, args.seed + 1000)
    report_scores(model, *test, args.threshold)

    os.makedirs(os.path.dirname(os.path.abspath(args.joblib)), exist_ok=True)
    return save_model(model, args, f"synthetic traffic: scripts/train_model.py --conversations {args.conversations} "
                                   f"--seconds {args.seconds:g} --seed {args.seed} --max-depth {args.max_depth} "
                                   f"--min-samples-leaf {args.min_samples_leaf}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    labelled = parser.add_argument_group("labelled data")
    labelled_data.add_input_options(labelled)
    labelled.add_argument("--test-share", type=float, default=0.25,
                          help="share of the conversations held out for the scores (default %(default)s)")
    synthetic = parser.add_argument_group("synthetic traffic (when neither --reports nor --windows is given)")
    synthetic.add_argument("--conversations", type=int, default=150,
                           help="per kind, for training (default %(default)s)")
    synthetic.add_argument("--test-conversations", type=int, default=50, help="per kind, held out (default %(default)s)")
    synthetic.add_argument("--seconds", type=float, default=10.0, help="longest conversation (default %(default)s)")
    synthetic.add_argument("--threshold", type=float, default=0.5,
                           help="CG share for a CG verdict, for the scores")
    tree = parser.add_argument_group("the tree and the outputs")
    tree.add_argument("--seed", type=int, default=1,
                      help="the held-out split (labelled) or the training seed (synthetic; the held-out set "
                      "uses seed + 1000)")
    tree.add_argument("--max-depth", type=int, default=14)
    tree.add_argument("--min-samples-leaf", type=int, default=20)
    tree.add_argument("--class-weight", default="balanced", metavar="balanced|none|W",
                      help="sklearn's class_weight: balanced, none, or W = the weight of a CG report "
                      "against 1 for the others (default %(default)s)")
    tree.add_argument("--joblib", help="joblib file to write (default build/model.joblib; synthetic: "
                      "build/default_model.joblib)")
    tree.add_argument("--json", help="cgnf model to export, '' to skip (default build/model.json; synthetic: "
                      "model/default.json)")
    tree.add_argument("--force", action="store_true", help="overwrite files git tracks")
    args = parser.parse_args()
    args.class_weight_text = args.class_weight
    try:
        args.class_weight = parse_class_weight(args.class_weight)
    except argparse.ArgumentTypeError as error:
        parser.error(f"--class-weight {error}")

    if args.reports or args.windows:
        args.joblib = args.joblib or os.path.join(ROOT, "build", "model.joblib")
        args.json = os.path.join(ROOT, "build", "model.json") if args.json is None else args.json
        return train_labelled(args)
    if args.labels:
        parser.error("--labels goes with --reports PCAP... or --windows FILE...")
    args.joblib = args.joblib or os.path.join(ROOT, "build", "default_model.joblib")
    args.json = os.path.join(ROOT, "model", "default.json") if args.json is None else args.json
    return train_synthetic(args)


if __name__ == "__main__":
    sys.exit(main())
