#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Scores a model on labelled reports as cgnf would decide at the end of them.

    scripts/evaluate_model.py MODEL (--reports PCAP... | --windows FILE...) --labels CSV
                              [--lan CIDR]... [--verdict-window N] [--verdict-min-reports M]
                              [--verdict-threshold R] [--compare OTHER_MODEL]
                              [--verdicts-csv OUT.csv] [--json OUT.json]

MODEL is cgnf's JSON model (predicted with cgnf's own float32 rule, not with
sklearn) or a joblib DecisionTreeClassifier (sklearn's predict).  Reports are
read as cgnf reads them, client (LAN side) first; the labels CSV is
client,server,label (scripts/labelled_data.py).  Prints, per report and per
conversation, the confusion matrix and CG precision, recall and F1; the
conversation's verdict is cgnf's (lib/pair_table.c) after its last report:
over the last N reports, CG when at least M were seen and the CG share is at
least R.  Settings not given come from --config (default config/cgnf.json),
then from cgnf's defaults.  --compare puts a second model beside the first.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import labelled_data  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", metavar="MODEL", help="cgnf JSON model or joblib DecisionTreeClassifier")
    labelled_data.add_input_options(parser)
    parser.add_argument("--compare", metavar="OTHER_MODEL", help="a second model, scored beside the first")
    parser.add_argument("--cg-class", help="the CG class of a joblib model (default: True or 1)")
    parser.add_argument("--verdicts-csv", metavar="OUT",
                        help="write MODEL's verdict per conversation: client,server,label,reports,"
                        "window_reports,window_cg,verdict")
    parser.add_argument("--json", metavar="OUT", help="write the figures as JSON")
    args = parser.parse_args()
    if not (args.reports or args.windows) or not args.labels:
        parser.error("give --reports PCAP... or --windows FILE..., and --labels CSV")

    try:
        labelled_data.resolve_settings(args)
        rule = labelled_data.VerdictRule(args.verdict_window, args.verdict_min_reports, args.verdict_threshold)
        models = [(args.model, labelled_data.load_predictor(args.model, args.cg_class))]
        if args.compare:
            models.append((args.compare, labelled_data.load_predictor(args.compare, args.cg_class)))
        data = labelled_data.load_labelled(args.labels, args.reports, args.windows, args.lan, args.probe,
                                           args.udp_port)
    except (labelled_data.DataError, OSError, ValueError, KeyError) as error:
        print(f"evaluate_model: {error}", file=sys.stderr)
        return 2
    print(f"read {data.describe()}; LAN {', '.join(args.lan) or '(none)'}")
    skipped = labelled_data.describe_skipped(data.skipped)
    if skipped:
        print(skipped)
    named = [(os.path.basename(path), labelled_data.evaluate(model, data, rule)) for path, model in models]
    labelled_data.print_figures(named, rule)
    if args.verdicts_csv:
        labelled_data.write_verdicts(args.verdicts_csv, named[0][1]["verdicts"])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({path: figures for (path, _), (_, figures) in zip(models, named)}, out, indent=1)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
