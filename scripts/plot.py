#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots cgnf's per-pair output: the CG share of each pair, and over time.

    scripts/plot.py pairs.csv [--events events.jsonl] -o out.png

pairs.csv is cgnf's --csv: ip1,ip2,cg,ncg, then ratio, verdict, ... (the
columns after ncg may be absent).  With --events (cgnf's EVE-style JSON
lines: timestamp, src_ip, dest_ip and a "cgnf" object with the event, the new
verdict), two more panels show how many pairs hold each
verdict over time and each pair's verdict along the run.

Times are cgnf's: a replayed capture's own times where the port gave them
(the pcap PMD), so a 9 s capture spans 9 s however fast it was replayed.
--events appends across runs: only the events of the CSV's run (its "run"
column) are drawn, and the others are counted out loud.
"""

import argparse
import collections
import csv
import datetime
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

VERDICT_COLOURS = {"cg": "tab:red", "ncg": "tab:blue", "unknown": "tab:gray"}
MAX_BARS = 60

# One line of --events: time in seconds (UNIX), the pair, its event kind
# ("verdict", "expired", "evicted"), its verdict after it and the run's id
# (None from a cgnf that wrote none).
Event = collections.namedtuple("Event", "time pair kind verdict run")


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
                "first_seen": float(row["first_seen"]) if row.get("first_seen") else None,
                "last_seen": float(row["last_seen"]) if row.get("last_seen") else None,
                "run": row.get("run") or None,
            })
    return rows


def read_events(path):
    """The events of cgnf's --events file, in file order; lines of another
    shape (other tools may share an EVE file) are skipped."""
    events = []
    with open(path) as source:
        for line in source:
            try:
                event = json.loads(line)
                details = event["cgnf"]
                time = datetime.datetime.strptime(event["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
                events.append(Event(time, f"{event['src_ip']} - {event['dest_ip']}", details["event"],
                                    details["verdict"], details.get("run")))
            except (ValueError, KeyError, TypeError):
                continue
    return events


def plot_shares(axes, rows):
    if len(rows) > MAX_BARS:
        rows = sorted(rows, key=lambda row: -row["reports"])[:MAX_BARS]
        axes.set_title(f"CG share of the {MAX_BARS} busiest pairs (of their reports)")
    else:
        axes.set_title("CG share per pair (of their reports)")
    rows = sorted(rows, key=lambda row: row["share"])
    colours = [VERDICT_COLOURS.get(row["verdict"], "tab:purple") if row["verdict"] else
               ("tab:red" if row["share"] > 0.5 else "tab:blue") for row in rows]
    places = range(len(rows))
    # A share of 0 still gets a sliver in its verdict's colour: ncg and unknown stay apart.
    axes.barh(places, [max(row["share"], 0.01) for row in rows], color=colours)
    axes.set_yticks(list(places), [f"{row['label']} ({row['reports']})" for row in rows], fontsize=6)
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of the pair's reports classified cloud gaming")
    axes.axvline(0.5, color="black", linewidth=0.5, linestyle=":")
    shown = sorted({row["verdict"] for row in rows if row["verdict"]})
    if shown:
        handles = [plt.Rectangle((0, 0), 1, 1, color=VERDICT_COLOURS.get(v, "tab:purple")) for v in shown]
        axes.legend(handles, shown, title="verdict", fontsize=7, loc="lower right")


def verdict_spans(events, start, end):
    """Per pair: [(from, to, verdict)] along the run; a pair that expired or
    was evicted stops there."""
    spans = collections.defaultdict(list)
    current = {}
    for event in sorted(events, key=lambda e: e.time):
        if event.pair in current:
            since, verdict = current.pop(event.pair)
            spans[event.pair].append((since - start, event.time - start, verdict))
        if event.kind == "verdict":
            current[event.pair] = (event.time, event.verdict)
    for pair, (since, verdict) in current.items():
        spans[pair].append((since - start, end - start, verdict))
    return spans


def plot_verdict_counts(axes, events, start, end):
    axes.set_title("pairs per verdict over time (from --events)")
    held = {}
    times, counts = [], {verdict: [] for verdict in VERDICT_COLOURS}
    for event in sorted(events, key=lambda e: e.time):
        if event.kind == "verdict":
            held[event.pair] = event.verdict
        else:
            held.pop(event.pair, None)
        times.append(event.time - start)
        tally = collections.Counter(held.values())
        for verdict in counts:
            counts[verdict].append(tally[verdict])
    # Held until the run's end: its last report, not its last event.
    times.append(end - start)
    for verdict in counts:
        counts[verdict].append(counts[verdict][-1])
    for verdict, values in counts.items():
        if any(values):
            axes.step(times, values, where="post", color=VERDICT_COLOURS[verdict], label=verdict)
    axes.set_xlabel("seconds since the first event")
    axes.set_ylabel("pairs")
    axes.legend(fontsize=7)


def plot_timelines(axes, events, start, end):
    spans = verdict_spans(events, start, end)
    pairs = sorted(spans, key=lambda pair: spans[pair][0][0])
    if len(pairs) > MAX_BARS:
        pairs = pairs[:MAX_BARS]
        axes.set_title(f"verdict of the first {MAX_BARS} pairs along the run")
    else:
        axes.set_title("verdict of each pair along the run")
    # A verdict taken at the last event still shows, as a sliver.
    shortest = (end - start) / 200 or 1e-3
    for row, pair in enumerate(pairs):
        for since, until, verdict in spans[pair]:
            axes.barh(row, max(until - since, shortest), left=since,
                      color=VERDICT_COLOURS.get(verdict, "tab:purple"))
    axes.set_yticks(range(len(pairs)), pairs, fontsize=6)
    axes.invert_yaxis()
    axes.set_xlabel("seconds since the first event")


def panel_height(lines):
    """Inches for a panel of that many labelled lines."""
    return max(3.0, min(lines, MAX_BARS) * 0.18 + 1.5)


def this_run(events, rows):
    """--events appends: keep the events of the run the CSV comes from, and
    say how many others were left out.  The run's id says which they are;
    from a cgnf that wrote none, the CSV pairs' first and last seen do (give
    or take the pair timeout's expiries after them)."""
    runs = {row["run"] for row in rows if row["run"]}
    if len(runs) > 1:
        sys.exit(f"plot: the CSV holds rows of {len(runs)} runs ({', '.join(sorted(runs))}): not one table")
    if runs and events:
        run = runs.pop()
        kept = [event for event in events if event.run == run]
        why = f"not of run {run}, the CSV's"
    else:
        seen = [(row["first_seen"], row["last_seen"]) for row in rows if row["first_seen"] is not None]
        if not seen or not events:
            return events
        start, end = min(first for first, _ in seen) - 1.0, max(last for _, last in seen) + 3600.0
        kept = [event for event in events if start <= event.time <= end]
        why = "before or after this CSV's pairs"
    if len(kept) < len(events):
        print(f"plot: {len(events) - len(kept)} events of another run left out ({why})", file=sys.stderr)
    return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", help="cgnf's per-pair CSV")
    parser.add_argument("--events", help="cgnf's events, one JSON object a line")
    parser.add_argument("-o", "--output", required=True, help="PNG to write")
    args = parser.parse_args()

    rows = read_pairs(args.csv)
    events = read_events(args.events) if args.events else []
    events = this_run(events, rows)
    heights = [panel_height(len(rows))]
    if events:
        heights += [3.0, panel_height(len({event.pair for event in events}))]
    figure, axes = plt.subplots(len(heights), 1, figsize=(10, sum(heights)), squeeze=False,
                                gridspec_kw={"height_ratios": heights})
    plot_shares(axes[0][0], rows)
    if events:
        last_seen = [row["last_seen"] for row in rows if row["last_seen"] is not None]
        start, end = min(e.time for e in events), max([e.time for e in events] + last_seen)
        plot_verdict_counts(axes[1][0], events, start, end)
        plot_timelines(axes[2][0], events, start, end)
    elif args.events:
        print(f"plot: no cgnf event in {args.events}", file=sys.stderr)
    figure.tight_layout()
    figure.savefig(args.output, dpi=110)
    print(f"plot: {len(rows)} pairs, {len(events)} events -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
