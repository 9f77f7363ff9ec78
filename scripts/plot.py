#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots cgnf's per-pair output: the CG share of each pair, and over time.

    scripts/plot.py pairs.csv [--events events.jsonl] -o out.png

pairs.csv is cgnf's --csv (ip1,ip2,cg,ncg, then ratio, verdict, ... when
present).  With --events (cgnf's JSON lines of verdict changes), a second
panel shows each pair's verdict over time.
"""

import argparse
import csv
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

VERDICT_COLOURS = {"cg": "tab:red", "ncg": "tab:blue", "unknown": "tab:gray"}
VERDICT_LEVELS = {"unknown": 0, "ncg": 1, "cg": 2}
MAX_BARS = 60


def read_pairs(path):
    rows = []
    with open(path, newline="") as source:
        for row in csv.DictReader(source):
            cg, ncg = int(row["cg"]), int(row["ncg"])
            total = cg + ncg
            rows.append({
                "label": f"{row['ip1']} - {row['ip2']}",
                "reports": total,
                "share": cg / total if total else 0.0,
                "verdict": row.get("verdict") or None,
            })
    return rows


def read_events(path):
    """Verdict changes: [(time s, pair label, verdict)], from JSON lines with
    at least a time, the pair's two addresses and the new verdict.  Lines of
    other shapes are skipped."""
    events = []
    with open(path) as source:
        for line in source:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            verdict = event.get("verdict")
            time_s = next((event[key] for key in ("time", "time_s", "ts", "now_s") if key in event), None)
            if time_s is None and "now_ns" in event:
                time_s = event["now_ns"] / 1e9
            if verdict not in VERDICT_LEVELS or time_s is None or "ip1" not in event:
                continue
            events.append((float(time_s), f"{event['ip1']} - {event.get('ip2', '?')}", verdict))
    return events


def plot_shares(axes, rows):
    if len(rows) > MAX_BARS:
        rows = sorted(rows, key=lambda row: -row["reports"])[:MAX_BARS]
        axes.set_title(f"CG share of the {MAX_BARS} busiest pairs")
    else:
        axes.set_title("CG share per pair")
    rows = sorted(rows, key=lambda row: row["share"])
    colours = [VERDICT_COLOURS.get(row["verdict"], "tab:purple") if row["verdict"] else
               ("tab:red" if row["share"] > 0.5 else "tab:blue") for row in rows]
    positions = range(len(rows))
    axes.barh(positions, [row["share"] for row in rows], color=colours)
    axes.set_yticks(list(positions), [f"{row['label']} ({row['reports']})" for row in rows], fontsize=6)
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of the pair's reports classified cloud gaming")
    axes.axvline(0.5, color="black", linewidth=0.5, linestyle=":")
    shown = {row["verdict"] for row in rows if row["verdict"]}
    if shown:
        handles = [plt.Rectangle((0, 0), 1, 1, color=VERDICT_COLOURS.get(v, "tab:purple")) for v in sorted(shown)]
        axes.legend(handles, sorted(shown), title="verdict", fontsize=7, loc="lower right")


def plot_events(axes, events):
    axes.set_title("verdict changes over time")
    if not events:
        axes.text(0.5, 0.5, "no verdict events", ha="center", va="center", transform=axes.transAxes)
        return
    start = min(time_s for time_s, _, _ in events)
    pairs = sorted({label for _, label, _ in events})
    index = {label: number for number, label in enumerate(pairs)}
    for verdict, colour in VERDICT_COLOURS.items():
        mine = [(time_s - start, index[label]) for time_s, label, v in events if v == verdict]
        if mine:
            axes.scatter(*zip(*mine), s=12, color=colour, label=verdict)
    axes.set_yticks(range(len(pairs)), pairs if len(pairs) <= MAX_BARS else [""] * len(pairs), fontsize=6)
    axes.set_xlabel("seconds since the first event")
    axes.legend(fontsize=7)


def panel_height(lines):
    """Inches for a panel of that many labelled lines."""
    return max(3.0, min(lines, MAX_BARS) * 0.18 + 1.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", help="cgnf's per-pair CSV")
    parser.add_argument("--events", help="cgnf's events, one JSON object a line")
    parser.add_argument("-o", "--output", required=True, help="PNG to write")
    args = parser.parse_args()

    rows = read_pairs(args.csv)
    events = read_events(args.events) if args.events else None
    heights = [panel_height(len(rows))]
    if events is not None:
        heights.append(panel_height(len({label for _, label, _ in events})))
    figure, axes = plt.subplots(len(heights), 1, figsize=(10, sum(heights)), squeeze=False,
                                gridspec_kw={"height_ratios": heights})
    plot_shares(axes[0][0], rows)
    if events is not None:
        plot_events(axes[1][0], events)
    figure.tight_layout()
    figure.savefig(args.output, dpi=110)
    print(f"plot: {len(rows)} pairs -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
