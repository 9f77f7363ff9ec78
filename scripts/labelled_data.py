# SPDX-License-Identifier: BSD-3-Clause
"""Labelled probe reports, cgnf's verdict rule and the scores, shared by
scripts/train_model.py and scripts/evaluate_model.py.

    data = load_labelled(labels="labels.csv", pcaps=["a.pcap"], lan=["192.168.0.0/16"])
    data = load_labelled(labels="labels.csv", windows=["a.txt"], lan=[...])
    model = load_predictor("model.json")        # or a joblib DecisionTreeClassifier
    figures = evaluate(model, data, VerdictRule(90, 30, 0.5))
    print_figures([("model.json", figures)])

Reports are read as cgnf reads them (scripts/reference.py: cgnf's RX rules,
a strict JSON reading, the LAN orientation of lib/features.c), so a label
file names each conversation by its two addresses:

    client,server,label[,anything else]
    192.168.4.26,219.19.164.68,cg
    192.168.17.244,24.60.75.40,ncg

label is cg / ncg (also 1 / 0, true / false, yes / no).  A row matches the
pair in either order: the features are always built with the client (the
--lan side) first, whatever the order in the file or in the reports.
"""

import csv
import json
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cgnf_pcap as pcap  # noqa: E402
import reference  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CONFIG = os.path.join(ROOT, "config", "cgnf.json")

# lib/config.c's defaults, for when no config file gives them.
DEFAULT_VERDICT_WINDOW = 90
DEFAULT_VERDICT_MIN_REPORTS = 30
DEFAULT_VERDICT_THRESHOLD = 0.5
DEFAULT_UDP_PORT = 5000

LABEL_WORDS = {"cg": True, "1": True, "true": True, "yes": True,
               "ncg": False, "0": False, "false": False, "no": False}


class DataError(Exception):
    pass


# Settings ----------------------------------------------------------------------


def add_input_options(parser, verdict=True):
    """The options both scripts take to read labelled reports as cgnf would."""
    source = parser.add_mutually_exclusive_group(required=False)
    source.add_argument("--reports", nargs="+", metavar="PCAP",
                        help="pcaps of probe reports (Ethernet/IP/UDP datagrams with the JSON text)")
    source.add_argument("--windows", nargs="+", metavar="FILE",
                        help="files of report texts, one report a line")
    parser.add_argument("--labels", metavar="CSV", help="client,server,label per conversation")
    parser.add_argument("--config", default=DEFAULT_CONFIG,
                        help="cgnf config file whose lan, probe, udp_port and verdict_* keys are the "
                        "defaults here ('' for none; default %(default)s)")
    parser.add_argument("--lan", action="append", metavar="CIDR",
                        help="LAN (client) prefix, repeatable (default: the config's)")
    parser.add_argument("--probe", action="append", metavar="CIDR",
                        help="accept reports from these sources only (default: the config's, or any)")
    parser.add_argument("--udp-port", type=int, help="report port (default: the config's, or 5000)")
    if verdict:
        parser.add_argument("--verdict-window", type=int, metavar="N",
                            help="verdict over a pair's last N reports (default: the config's, or 90)")
        parser.add_argument("--verdict-min-reports", type=int, metavar="M",
                            help="no verdict before M reports (default: the config's, or 30)")
        parser.add_argument("--verdict-threshold", type=float, metavar="R",
                            help="CG when the window's CG share is at least R (default: the config's, or 0.5)")


def resolve_settings(args):
    """Fills the unset options from --config, then from cgnf's defaults."""
    config = {}
    if args.config:
        try:
            with open(args.config, encoding="utf-8") as source:
                config = json.load(source)
        except (OSError, ValueError) as error:
            raise DataError(f"--config {args.config}: {error}") from error
    if args.lan is None:
        args.lan = list(config.get("lan", []))
    if args.probe is None:
        args.probe = list(config.get("probe", []))
    if args.udp_port is None:
        args.udp_port = int(config.get("udp_port", DEFAULT_UDP_PORT))
    if hasattr(args, "verdict_window"):
        if args.verdict_window is None:
            args.verdict_window = int(config.get("verdict_window", DEFAULT_VERDICT_WINDOW))
        if args.verdict_min_reports is None:
            args.verdict_min_reports = int(config.get("verdict_min_reports", DEFAULT_VERDICT_MIN_REPORTS))
        if args.verdict_threshold is None:
            args.verdict_threshold = float(config.get("verdict_threshold", DEFAULT_VERDICT_THRESHOLD))
    return args


# Labelled reports --------------------------------------------------------------


def parse_label(text, where):
    value = LABEL_WORDS.get(text.strip().lower())
    if value is None:
        raise DataError(f"{where}: label {text!r} is not one of cg, ncg, 1, 0, true, false, yes, no")
    return value


def read_labels(path):
    """{unordered 16-byte key pair: is_cg} from a CSV with a header naming
    client, server and label."""
    labels = {}
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        missing = {"client", "server", "label"} - set(reader.fieldnames or ())
        if missing:
            raise DataError(f"{path}: the header must name client, server and label "
                            f"(missing {', '.join(sorted(missing))})")
        for row in reader:
            where = f"{path}:{reader.line_num}"
            try:
                a, b = pcap.address_key(row["client"].strip()), pcap.address_key(row["server"].strip())
            except ValueError as error:
                raise DataError(f"{where}: {error}") from error
            key = (min(a, b), max(a, b))
            label = parse_label(row["label"], where)
            if labels.get(key, label) != label:
                raise DataError(f"{where}: {row['client']},{row['server']} is labelled both ways")
            labels[key] = label
    return labels


class LabelledReports:
    """The labelled reports in input order: features (n, 12), the index of
    each report's conversation, and per conversation its client-first
    addresses and label."""

    def __init__(self, features, conv, conversations, conv_label, skipped):
        self.features = features
        self.conv = conv
        self.conversations = conversations
        self.conv_label = conv_label
        self.skipped = skipped

    @property
    def labels(self):
        return self.conv_label[self.conv]

    def subset(self, keep_conversations):
        """The reports of some conversations, renumbered, in the same order."""
        keep = np.zeros(len(self.conversations), dtype=bool)
        keep[keep_conversations] = True
        new_index = np.cumsum(keep) - 1
        rows = keep[self.conv]
        return LabelledReports(self.features[rows], new_index[self.conv[rows]],
                               [c for c, k in zip(self.conversations, keep) if k], self.conv_label[keep],
                               self.skipped)

    def describe(self):
        n_cg = int(np.sum(self.conv_label))
        return (f"{self.conv.size} reports of {len(self.conversations)} labelled conversations "
                f"({n_cg} CG, {len(self.conversations) - n_cg} not CG)")


def load_labelled(labels, pcaps=None, windows=None, lan=(), probes=(), udp_port=DEFAULT_UDP_PORT):
    """Reads the reports as cgnf does and keeps those of labelled pairs."""
    table = read_labels(labels)
    ref = reference.Reference(lan, probes, udp_port)
    for path in pcaps or ():
        try:
            packets = pcap.read_pcap(path)
        except ValueError as error:
            raise DataError(str(error)) from error
        for packet in packets:
            ref.outcome(packet.data)
    for path in windows or ():
        with open(path, "rb") as source:
            for line in source:
                line = line.rstrip(b"\r\n")
                if line:
                    ref.text_outcome(line)

    conv_of_key, conversations, conv_label = {}, [], []
    rows, conv = [], []
    unlabelled = {}
    for features, key in zip(ref.features, ref.report_pairs):
        if key not in table:
            unlabelled[key] = unlabelled.get(key, 0) + 1
            continue
        index = conv_of_key.get(key)
        if index is None:
            index = conv_of_key[key] = len(conversations)
            conversations.append(tuple(pcap.key_text(k) for k in ref.pairs[key]))
            conv_label.append(table[key])
        rows.append(features)
        conv.append(index)
    skipped = {
        "dropped": sum(ref.dropped.values()),
        "unlabelled_pairs": len(unlabelled),
        "unlabelled_reports": sum(unlabelled.values()),
        "labels_without_reports": len(set(table) - set(conv_of_key)),
    }
    return LabelledReports(np.array(rows, dtype=np.float64).reshape(-1, reference.FEATURE_COUNT),
                           np.array(conv, dtype=np.int64), conversations, np.array(conv_label, dtype=bool),
                           skipped)


def describe_skipped(skipped):
    parts = []
    if skipped["dropped"]:
        parts.append(f"{skipped['dropped']} packets cgnf would drop")
    if skipped["unlabelled_pairs"]:
        parts.append(f"{skipped['unlabelled_reports']} reports of {skipped['unlabelled_pairs']} pairs "
                     "with no label")
    if skipped["labels_without_reports"]:
        parts.append(f"{skipped['labels_without_reports']} labels with no report")
    return "left out: " + "; ".join(parts) if parts else ""


# Models ------------------------------------------------------------------------


class JsonTree:
    """cgnf's JSON model, predicted as cgnf does (lib/tree_load.c): each
    feature cast to float32 and compared with the largest float32 not above
    the threshold; the heaviest class wins, the first one on a tie."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as source:
            model = json.load(source)
        if model.get("format") != "cgnf-decision-tree":
            raise DataError(f"{path}: not a cgnf model")
        self.left = np.array(model["children_left"], dtype=np.int64)
        self.right = np.array(model["children_right"], dtype=np.int64)
        self.feature = np.maximum(np.array(model["feature"], dtype=np.int64), 0)
        threshold = np.array(model["threshold"], dtype=np.float64)
        with np.errstate(over="ignore"):
            t32 = threshold.astype(np.float32)
        t32 = np.where(t32.astype(np.float64) > threshold, np.nextafter(t32, np.float32(-np.inf)), t32)
        self.threshold = t32.astype(np.float32)
        self.leaf_cg = np.argmax(np.array(model["value"], dtype=np.float64), axis=1) == model["cg_class"]
        self.depth = int(model["max_depth"])
        self.n_features = int(model["n_features"])

    def predict_cg(self, features):
        with np.errstate(over="ignore"):
            x = np.asarray(features, dtype=np.float64).astype(np.float32)
        node = np.zeros(x.shape[0], dtype=np.int64)
        rows = np.arange(x.shape[0])
        for _ in range(self.depth):
            inner = self.left[node] >= 0
            if not inner.any():
                break
            go_left = x[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
        return self.leaf_cg[node]


class SklearnTree:
    """A DecisionTreeClassifier (a joblib file, or one in memory): sklearn's
    own predict."""

    def __init__(self, model, cg_class=None):
        self.model = model
        if cg_class is not None:
            matches = [c for c in model.classes_ if cg_class in (str(c), json.dumps(_plain(c)))]
            if not matches:
                raise DataError(f"--cg-class {cg_class!r} is none of the classes {list(model.classes_)}")
            self.cg_class = matches[0]
        else:
            self.cg_class = next((c for c in model.classes_ if _plain(c) is True
                                  or (type(_plain(c)) is int and _plain(c) == 1)), None)
            if self.cg_class is None:
                raise DataError(f"no class is True or 1 in {list(model.classes_)}: give --cg-class")

    @classmethod
    def load(cls, path, cg_class=None):
        import joblib
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cls(joblib.load(path), cg_class)

    def predict_cg(self, features):
        return self.model.predict(np.asarray(features, dtype=np.float64)) == self.cg_class


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def load_predictor(path, cg_class=None):
    """cgnf's JSON model (.json) or a joblib DecisionTreeClassifier."""
    if path.endswith(".json"):
        return JsonTree(path)
    return SklearnTree.load(path, cg_class)


# cgnf's verdict ----------------------------------------------------------------


class VerdictRule:
    """lib/pair_table.c: over a pair's last `window` reports, `cg` when at
    least `min_reports` are in the window and the CG share is at least
    `threshold`, `ncg` otherwise, `unknown` before."""

    def __init__(self, window=DEFAULT_VERDICT_WINDOW, min_reports=DEFAULT_VERDICT_MIN_REPORTS,
                 threshold=DEFAULT_VERDICT_THRESHOLD):
        if not 1 <= window <= 128 or not 0 <= min_reports <= window:
            raise DataError(f"verdict window {window}, min reports {min_reports}: need 1 <= M <= N <= 128")
        self.window, self.min_reports, self.threshold = window, min_reports, threshold
        # fill_cg_needed(): the fewest CG reports that make a CG verdict, per
        # number of reports in the window (reports + 1: never).
        self.cg_needed = [0] + [next((cg for cg in range(reports + 1) if cg / reports >= threshold), reports + 1)
                                for reports in range(1, window + 1)]

    def describe(self):
        return (f"last {self.window} reports, at least {self.min_reports}, "
                f"CG share >= {self.threshold:g}")

    def final(self, conv, predicted_cg, n_conversations):
        """Per conversation, at the end of the input: (verdict, reports in
        the window, CG reports in the window)."""
        order = np.argsort(conv, kind="stable")
        bounds = np.searchsorted(conv[order], np.arange(n_conversations + 1))
        result = []
        for c in range(n_conversations):
            mine = predicted_cg[order[bounds[c]:bounds[c + 1]]]
            in_window = mine[-self.window:]
            reports, cg = in_window.size, int(np.sum(in_window))
            if reports < self.min_reports or reports == 0:
                verdict = "unknown"
            else:
                verdict = "cg" if cg >= self.cg_needed[reports] else "ncg"
            result.append((verdict, reports, cg))
        return result


# Scores ------------------------------------------------------------------------


def _scores(tp, fp, fn, tn):
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = tp + fp + fn + tn
    return {"precision": precision, "recall": recall, "f1": f1,
            "accuracy": (tp + tn) / total if total else 0.0}


def evaluate(model, data, rule):
    """Per-report and per-conversation confusion matrices and CG scores."""
    predicted = model.predict_cg(data.features) if data.conv.size else np.zeros(0, dtype=bool)
    truth = data.labels
    per_report = {"tp": int(np.sum(truth & predicted)), "fp": int(np.sum(~truth & predicted)),
                  "fn": int(np.sum(truth & ~predicted)), "tn": int(np.sum(~truth & ~predicted))}
    per_report.update(_scores(**per_report))
    per_report["reports"] = int(truth.size)

    finals = rule.final(data.conv, predicted, len(data.conversations))
    matrix = {f"{t}_{v}": 0 for t in ("cg", "ncg") for v in ("cg", "ncg", "unknown")}
    for (verdict, _, _), label in zip(finals, data.conv_label.tolist()):
        matrix[f"{'cg' if label else 'ncg'}_{verdict}"] += 1
    # A conversation still unknown at the end is not called CG.
    tp, fp = matrix["cg_cg"], matrix["ncg_cg"]
    fn, tn = matrix["cg_ncg"] + matrix["cg_unknown"], matrix["ncg_ncg"] + matrix["ncg_unknown"]
    per_conversation = dict(matrix, **_scores(tp, fp, fn, tn))
    per_conversation["conversations"] = len(finals)
    verdicts = [{"client": c, "server": s, "label": "cg" if label else "ncg", "reports": int(n),
                 "window_reports": w, "window_cg": cg, "verdict": v}
                for (c, s), label, n, (v, w, cg) in zip(data.conversations, data.conv_label.tolist(),
                                                         np.bincount(data.conv, minlength=len(finals)).tolist(),
                                                         finals)]
    return {"per_report": per_report, "per_conversation": per_conversation, "verdicts": verdicts,
            "verdict_rule": {"window": rule.window, "min_reports": rule.min_reports,
                             "threshold": rule.threshold}}


def print_figures(named, rule, out=sys.stdout):
    """The confusion matrices of each model, then their scores side by side."""
    for name, figures in named:
        r, c = figures["per_report"], figures["per_conversation"]
        print(f"{name}:", file=out)
        print(f"  per report ({r['reports']} reports)      predicted CG  predicted not CG", file=out)
        print(f"    labelled CG              {r['tp']:12d}  {r['fn']:16d}", file=out)
        print(f"    labelled not CG          {r['fp']:12d}  {r['tn']:16d}", file=out)
        print(f"  per conversation ({c['conversations']}), verdict at the end of the input "
              f"({rule.describe()}):", file=out)
        print("                             verdict cg  verdict ncg  verdict unknown", file=out)
        print(f"    labelled CG              {c['cg_cg']:10d}  {c['cg_ncg']:11d}  {c['cg_unknown']:15d}", file=out)
        print(f"    labelled not CG          {c['ncg_cg']:10d}  {c['ncg_ncg']:11d}  {c['ncg_unknown']:15d}",
              file=out)
    width = max(12, *(len(name) for name, _ in named))
    print("  " + " " * 34 + "".join(f"{name:>{width + 2}}" for name, _ in named), file=out)
    for scope, key in (("per_report", "per report"), ("per_conversation", "per conversation")):
        for metric in ("precision", "recall", "f1", "accuracy"):
            label = f"CG {metric}" if metric != "accuracy" else "accuracy"
            cells = "".join(f"{figures[scope][metric]:>{width + 2}.4f}" for _, figures in named)
            print(f"  {key + ', ' + label:34}{cells}", file=out)
    print("  (a conversation still unknown at the end counts as not CG)", file=out)


def write_verdicts(path, verdicts):
    fields = ["client", "server", "label", "reports", "window_reports", "window_cg", "verdict"]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(verdicts)
