"""The experiments grid on MNIST test: balanced, k = 10, three seeds, every init x metric.

Run: ``python -m bench.bench_experiments``. Prints the table the Experiments
page shows for these settings and the time it took.
"""

from __future__ import annotations

import time

import kmcore

from .common import data_dir


def main() -> None:
    folder = data_dir()
    if folder is None:
        raise SystemExit("MNIST test not found: set KMLAB_DATA_DIR (see data/README.md)")
    ds = kmcore.load_dataset("mnist", "test", folder)
    X, y = kmcore.balance(ds.X, ds.y, random_state=0)
    start = time.perf_counter()
    res = kmcore.run_grid(
        {"balanced": (X, y)},
        inits=kmcore.INIT_METHODS,
        metrics=kmcore.METRICS,
        ks=[10],
        seeds=[0, 1, 2],
        tol=0.05,
        max_iter=100,
    )
    seconds = time.perf_counter() - start
    print(
        f"MNIST test balanced ({len(y):,} images, {len(y) // 10} per digit), k = 10, "
        f"tol 0.05, seeds 0-2: {len(res.cells) * 3} runs in {seconds:.0f} s\n"
    )
    cols = [
        "init",
        "metric",
        "iterations (mean)",
        "iterations (range)",
        "inertia (mean)",
        "no centroid (runs)",
        "empty clusters",
        "purity",
        "ARI",
        "seconds (mean)",
    ]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in kmcore.grid_rows(res, ds.class_names):
        cells = []
        for c in cols:
            v = row[c]
            cells.append(
                f"{v:.2f}"
                if isinstance(v, float) and c in ("purity", "ARI", "seconds (mean)")
                else f"{v:,.0f}"
                if c == "inertia (mean)"
                else f"{v:.1f}"
                if isinstance(v, float)
                else str(v)
            )
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
