# SPDX-License-Identifier: BSD-3-Clause
"""Feature vectors for testing and timing the tree, in the model's order.

realistic_vectors() draws the 12 features in the ranges the probe's reports
show; read_vectors()/write_vectors() use the binary format of
tests/tools/tree_predict and tests/bench/bench_tree: n x 12 little-endian
float64.
"""

import numpy as np

FEATURE_COUNT = 12


def realistic_half(rng, n):
    """One direction: mean size, size var, mean IAT, IAT var, mean size x count, count."""
    count = np.floor(10 ** rng.uniform(0, 2.7, n))
    size_mean = 10 ** rng.uniform(1.3, 3.18, n)
    size_var = np.where(rng.random(n) < 0.2, 0.0, 10 ** rng.uniform(0, 5.8, n))
    iat_mean = np.where(rng.random(n) < 0.1, 0.0, 10 ** rng.uniform(1, 6, n))
    iat_var = np.where(rng.random(n) < 0.2, 0.0, 10 ** rng.uniform(0, 11, n))
    half = np.stack([size_mean, size_var, iat_mean, iat_var, size_mean * count, count], axis=1)
    half[rng.random(n) < 0.1] = 0.0  # a direction with no packet in the window
    return half


def realistic_vectors(rng, n):
    """DW half then UP half, drawn independently."""
    return np.concatenate([realistic_half(rng, n), realistic_half(rng, n)], axis=1)


def write_vectors(path, vectors):
    np.asarray(vectors, dtype="<f8").tofile(path)


def read_vectors(path):
    return np.fromfile(path, dtype="<f8").reshape(-1, FEATURE_COUNT)
