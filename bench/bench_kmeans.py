"""Time per k-means iteration against scikit-learn, and peak memory of L1 on 60,000 x 784.

Run from the project folder: ``python -m bench.bench_kmeans``. Prints a
Markdown table of ratios (ours / peer, lower is better) measured in this run.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin

import kmcore

from .common import best_of, data_dir

N_ITER = 20


def _reference_iterations(X, C0, metric, n_iter):
    """scikit-learn's pairwise_distances_argmin + mean: the plain way to do L1/Linf k-means."""
    C = C0.copy()
    for _ in range(n_iter):
        lab = pairwise_distances_argmin(X, C, metric=metric)
        C = np.stack(
            [X[lab == j].mean(axis=0) if (lab == j).any() else C[j] for j in range(len(C))]
        )
    return C


def main() -> None:
    folder = data_dir()
    if folder is None:
        raise SystemExit("MNIST test not found: set KMLAB_DATA_DIR (see data/README.md)")
    X = kmcore.load_dataset("mnist", "test", folder).X
    C0 = X[np.random.default_rng(0).choice(len(X), 10, replace=False)]
    rows = []

    t_ours, ours = best_of(lambda: kmcore.kmeans(X, 10, init=C0, tol=0, max_iter=N_ITER))
    t_sk, sk = best_of(
        lambda: KMeans(10, init=C0, n_init=1, tol=0, max_iter=N_ITER, algorithm="lloyd").fit(X)
    )
    per_ours, per_sk = t_ours / ours.n_iter, t_sk / sk.n_iter_
    agree = np.mean(ours.labels == sk.labels_)
    rows.append(
        ("L2", "scikit-learn KMeans (lloyd)", per_ours, per_sk, f"labels agree {agree:.4f}")
    )

    n = 5
    for metric, name in (("l1", "manhattan"), ("linf", "chebyshev")):
        t_ours, res = best_of(
            lambda m=metric: kmcore.kmeans(X, 10, init=C0, metric=m, tol=0, max_iter=n)
        )
        t_ref, _ = best_of(lambda nm=name: _reference_iterations(X, C0, nm, n))
        rows.append(
            (metric.upper(), "pairwise_distances_argmin + mean", t_ours / res.n_iter, t_ref / n, "")
        )

    print(f"MNIST test {X.shape[0]:,} x {X.shape[1]}, k = 10, same initial centres, best of 3\n")
    print("| metric | peer | ours ms/iter | peer ms/iter | ratio (ours/peer) | note |")
    print("|---|---|---|---|---|---|")
    for metric, peer, a, b, note in rows:
        print(f"| {metric} | {peer} | {a * 1e3:.1f} | {b * 1e3:.1f} | {a / b:.2f} | {note} |")

    big = np.tile(X, (6, 1))  # 60,000 real MNIST rows
    tracemalloc.start()
    res = kmcore.kmeans(big, 10, init=C0, metric="l1", tol=0, max_iter=3)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"\nL1 on {big.shape[0]:,} x {big.shape[1]} (data {big.nbytes / 2**20:.0f} MB, float32), "
        f"{res.n_iter} iterations: peak extra allocation {peak / 2**20:.0f} MB"
    )


if __name__ == "__main__":
    main()
