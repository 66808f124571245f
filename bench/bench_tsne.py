"""The t-SNE page on MNIST test (6,000 points) in Chromium, against openTSNE's own fit.

Run: ``python -m bench.bench_tsne``. In one run:

1. a cold ``streamlit run`` server (empty map folder, fresh HOME) and Debian's
   Chromium open the t-SNE page on MNIST test; timed from ``goto``: the first
   picture of the map, and the finished map (clusters and centroids drawn);
2. k is changed with the keyboard on the sidebar slider, timed until the map
   shows the new clusters: 10 -> 11 after a teacher's pause of PAUSE_S seconds
   (the page computes the next k ahead meanwhile, ui/ahead.py), then 11 -> 12 at
   once, with nothing ahead (this includes the new k-means run, timed alone in
   step 4 as its peer);
3. openTSNE's own ``TSNE().fit`` of the same 6,000 points, same perplexity,
   seed and threads (the peer of the map);
4. ``kmcore.kmeans`` alone for k = 11 and 12 (the peers of the re-colours).

Other work on the machine (shared cores) slows both sides; the load average
is printed with the figures.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np
import openTSNE
from playwright.sync_api import sync_playwright

import kmcore
from tests.browser import CHROMIUM_ARGS, chromium_path

from .common import data_dir
from .servers import streamlit_server

DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# The first picture of the map: the forming map (a plain image) or the finished chart.
FIRST_MAP = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stImage"] img')]
  .some(i => i.complete && i.naturalWidth > 0)
  || !!document.querySelector('.js-plotly-plot .main-svg')"""
N_POINTS = 6000
PAUSE_S = 5.0  # a teacher between two steps of the slider
QUERY = "dataset=mnist&split=test&sample=0&k=10&init=random&tol=0.05&seed=0&max_iter=100"


def n_clusters_shown(page) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
        ".filter(e => e.textContent.startsWith('cluster')).length"
    )


def main() -> None:
    folder = data_dir()
    if folder is None:
        raise SystemExit("MNIST test not found: set KMLAB_DATA_DIR (see data/README.md)")
    scratch = tempfile.mkdtemp(prefix="kmlab-bench-tsne-")
    env = {"KMLAB_DATA_DIR": str(folder), "HOME": scratch, "KMLAB_CACHE_DIR": scratch}
    with sync_playwright() as p, streamlit_server(env) as (url, _proc):
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        start = time.perf_counter()
        page.goto(f"{url}/t-SNE?{QUERY}", wait_until="commit")
        page.wait_for_function(FIRST_MAP, timeout=600_000, polling=50)
        first = time.perf_counter() - start
        page.get_by_text("nearest final centroid").first.wait_for(timeout=600_000)
        page.wait_for_selector(DONE, timeout=600_000)
        page.wait_for_function(  # the chart drawn with its 10 clusters
            "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
            ".filter(e => e.textContent.startsWith('cluster')).length === 10",
            timeout=120_000,
        )
        finished = time.perf_counter() - start
        thumb = page.locator('[data-testid="stSidebar"] input[aria-label="k (clusters)"]')
        recolour = {}
        for k, pause in ((11, PAUSE_S), (12, 0.0)):
            time.sleep(pause)
            thumb.focus()
            start = time.perf_counter()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "k => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
                ".filter(e => e.textContent.startsWith('cluster')).length === k",
                arg=k,
                timeout=600_000,
            )
            recolour[k] = time.perf_counter() - start
            page.wait_for_selector(DONE, timeout=600_000)
        browser.close()
    load = os.getloadavg()[0]

    ds = kmcore.load_dataset("mnist", "test", folder)
    X = ds.X[kmcore.stratified_indices(ds.y, N_POINTS, 0)].astype(np.float64)
    start = time.perf_counter()
    openTSNE.TSNE(perplexity=30, n_jobs=2, random_state=0).fit(X)
    fit = time.perf_counter() - start
    kmeans = {}
    for k in recolour:
        start = time.perf_counter()
        kmcore.kmeans(
            ds.X.astype(np.float32), k, init="random", tol=0.05, max_iter=100, random_state=0
        )
        kmeans[k] = time.perf_counter() - start

    print(f"MNIST test, {N_POINTS:,} points on the map, perplexity 30, k-means on all 10,000")
    print("| measure | seconds | ratio |")
    print("|---|---|---|")
    print(f"| openTSNE TSNE().fit, same points and settings (peer) | {fit:.1f} | 1 |")
    print(f"| first map on the page, cold server (from goto) | {first:.1f} | {first / fit:.2f} |")
    print(f"| finished map (clusters, centroids) | {finished:.1f} | {finished / fit:.2f} |")
    print(
        f"| k 10 → 11 after a {PAUSE_S:.0f} s pause, until the map shows 11 clusters "
        f"| {recolour[11]:.2f} | |"
    )
    print(f"| k 11 → 12 at once (nothing computed ahead) | {recolour[12]:.2f} | |")
    for k in recolour:
        print(f"| kmcore.kmeans alone for k = {k} (peer of the re-colour) | {kmeans[k]:.2f} | |")
    print(f"load average (1 min) at the end of the page part: {load:.1f} on 2 cores")


if __name__ == "__main__":
    main()
