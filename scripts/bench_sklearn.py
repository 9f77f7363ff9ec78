#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Time scikit-learn's predict, to compare with tests/bench/bench_tree.

    scripts/bench_sklearn.py MODEL [VECTORS] [--runs N] [--write-vectors FILE]

MODEL is a joblib DecisionTreeClassifier or a cgnf JSON model (rebuilt with
scripts/model_json.py).  VECTORS is a file of n x 12 little-endian float64;
without it, 100 000 realistic vectors are drawn (--write-vectors saves them,
for bench_tree to time the same ones).  Times predict on the batch as float64
(what the Python system passed) and as float32 (sklearn's own type), and
predict on one row; prints ns per vector, then one JSON line.
"""

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from feature_vectors import read_vectors, realistic_vectors, write_vectors  # noqa: E402
from model_json import load_model_json  # noqa: E402

BATCH = 100_000
SINGLE_CALLS = 1000
SEED = 7


def load_classifier(path):
    if path.endswith(".json"):
        return load_model_json(path)
    import joblib
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the version note: export_model.py prints it
        return joblib.load(path)


def time_runs(runs, work, count):
    """ns per vector of each run of work(), which handles count vectors."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        work()
        timings.append((time.perf_counter_ns() - start) / count)
    return {"min": round(min(timings), 2), "median": round(statistics.median(timings), 2),
            "max": round(max(timings), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("vectors", nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write-vectors", metavar="FILE")
    args = parser.parse_args()

    classifier = load_classifier(args.model)
    if args.vectors:
        vectors = read_vectors(args.vectors)
        vectors = np.resize(vectors, (BATCH, vectors.shape[1]))
    else:
        vectors = realistic_vectors(np.random.default_rng(SEED), BATCH)
    if args.write_vectors:
        write_vectors(args.write_vectors, vectors)
    as_float32 = vectors.astype(np.float32)
    rows = [vectors[i:i + 1] for i in range(SINGLE_CALLS)]

    def one_row_calls():
        for row in rows:
            classifier.predict(row)

    figures = {
        "batch_float64": time_runs(args.runs, lambda: classifier.predict(vectors), BATCH),
        "batch_float32": time_runs(args.runs, lambda: classifier.predict(as_float32), BATCH),
        "single": time_runs(args.runs, one_row_calls, SINGLE_CALLS),
    }
    print(f"model {args.model}: {BATCH} vectors, {args.runs} runs")
    for name, figure in figures.items():
        print(f"sklearn predict, {name:14} min {figure['min']:9.1f}  "
              f"median {figure['median']:9.1f}  max {figure['max']:9.1f} ns/vector")
    print(json.dumps({"bench": "sklearn", "vectors": BATCH, "runs": args.runs,
                      "unit": "ns/vector", **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
