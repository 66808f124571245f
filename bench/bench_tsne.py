"""t-SNE page on MNIST test at the default 6,000 points: first run, re-colour after a k change.

Run: ``python -m bench.bench_tsne``. Drives the page with Streamlit's AppTest
(in-memory caches, so the first run includes the fit), and reports the
process's peak RSS. The peer for the fit is openTSNE's own ``TSNE().fit``
with the same settings, timed in the same run.
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np
import openTSNE
from streamlit.testing.v1 import AppTest

import kmcore

from .common import ROOT, data_dir


def main() -> None:
    folder = data_dir()
    if folder is None:
        raise SystemExit("MNIST test not found: set KMLAB_DATA_DIR (see data/README.md)")
    os.environ["KMLAB_DATA_DIR"] = str(folder)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.switch_page("pages/3_t-SNE.py")
    at.query_params.update({"dataset": "mnist", "split": "test", "sample": "0", "k": "10"})
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    assert not at.exception, at.exception
    recolour = []
    for k in (11, 12, 13):
        start = time.perf_counter()
        at.sidebar.slider(key="k").set_value(k).run()
        recolour.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ds = kmcore.load_dataset("mnist", "test", folder)
    X = ds.X[kmcore.stratified_indices(ds.y, 6000, 0)].astype(np.float64)
    start = time.perf_counter()
    openTSNE.TSNE(perplexity=30, n_jobs=2, random_state=0).fit(X)
    peer = time.perf_counter() - start

    print("MNIST test, 6,000 points on the map, perplexity 30, k-means on all 10,000 images")
    print("| measure | seconds |")
    print("|---|---|")
    print(f"| first run of the page (load, k-means, fit, place centroids, draw) | {first:.1f} |")
    print(f"| openTSNE TSNE().fit alone, same points and settings (peer) | {peer:.1f} |")
    print(
        f"| re-colour after a k change (median of 3; includes the new k-means run) | "
        f"{sorted(recolour)[1]:.2f} |"
    )
    print(f"\npeak RSS of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
