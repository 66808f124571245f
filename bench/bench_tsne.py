"""The t-SNE page on MNIST test (6,000 points) in Chromium, against openTSNE's own fit.

Run: ``python -m bench.bench_tsne``. In one run:

1. a cold ``streamlit run`` server (empty map folder, fresh HOME) and Debian's
   Chromium open the t-SNE page on MNIST test; timed from ``goto``: the first
   picture of the map, and the finished map (clusters and centroids drawn);
2. k is changed with the keyboard on the sidebar slider, timed until the map
   shows the new clusters: 10 -> 11 after a teacher's pause of PAUSE_S seconds,
   then 11 -> 12 -> ... -> 15, each step STEP_GAP_S after the previous map was
   drawn (a teacher clicking through k, looking at each map for a moment), then
   15 -> 16 at once, as soon as the page has finished;
3. the same steps on a second server started with ``KMLAB_AHEAD=0`` (no work
   ahead, ui/results/ahead.py), which reads the map the first one saved: every step then
   runs k-means, places the centroids and draws;
4. openTSNE's own ``TSNE().fit`` of the same 6,000 points, same perplexity,
   seed and threads (the peer of the map), and ``kmcore.kmeans`` alone for each k
   (the peer of the steps).

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
QUERY = "dataset=mnist&split=test&sample=0&k=10&init=random&tol=0.05&seed=0&max_iter=100"


PAUSE_S = 5.0  # a teacher between opening the map and the first step
STEP_GAP_S = 1.0  # a teacher looking at each map before the next step
STEPS = [
    (11, PAUSE_S),
    (12, STEP_GAP_S),
    (13, STEP_GAP_S),
    (14, STEP_GAP_S),
    (15, STEP_GAP_S),
    (16, 0.0),
]


def wait_clusters(page, k: int) -> None:
    page.wait_for_function(
        "k => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
        ".filter(e => e.textContent.startsWith('cluster')).length === k",
        arg=k,
        timeout=600_000,
    )


def page_run(browser, url: str) -> tuple[float, float, dict[int, float]]:
    """Open the page, wait for the map, step k: (first map s, finished map s, {k: step s})."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    start = time.perf_counter()
    page.goto(f"{url}/t-SNE?{QUERY}", wait_until="commit")
    page.wait_for_function(FIRST_MAP, timeout=600_000, polling=50)
    first = time.perf_counter() - start
    page.get_by_text("nearest final centroid").first.wait_for(timeout=600_000)
    page.wait_for_selector(DONE, timeout=600_000)
    wait_clusters(page, 10)
    finished = time.perf_counter() - start
    thumb = page.locator('[data-testid="stSidebar"] input[aria-label="k (clusters)"]')
    steps = {}
    for k, pause in STEPS:
        time.sleep(pause)
        thumb.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        wait_clusters(page, k)
        steps[k] = time.perf_counter() - start
        page.wait_for_selector(DONE, timeout=600_000)
    page.close()
    return first, finished, steps


def main() -> None:
    folder = data_dir()
    if folder is None:
        raise SystemExit("MNIST test not found: set KMLAB_DATA_DIR (see data/README.md)")
    scratch = tempfile.mkdtemp(prefix="kmlab-bench-tsne-")
    env = {"KMLAB_DATA_DIR": str(folder), "HOME": scratch, "KMLAB_CACHE_DIR": scratch}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        with streamlit_server(env) as (url, _proc):
            first, finished, ahead = page_run(browser, url)
        load = os.getloadavg()[0]
        with streamlit_server({**env, "KMLAB_AHEAD": "0"}) as (url, _proc):
            _, _, plain = page_run(browser, url)
        browser.close()

    ds = kmcore.load_dataset("mnist", "test", folder)
    X = ds.X[kmcore.stratified_indices(ds.y, N_POINTS, 0)].astype(np.float64)
    start = time.perf_counter()
    openTSNE.TSNE(perplexity=30, n_jobs=2, random_state=0).fit(X)
    fit = time.perf_counter() - start
    kmeans = {}
    for k in ahead:
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
    print()
    print(
        "| step of k (until the map shows the new clusters) | with work ahead | without |"
        " kmcore.kmeans alone (peer) |"
    )
    print("|---|---|---|---|")
    for prev, (k, pause) in zip([10] + [k for k, _ in STEPS], STEPS, strict=False):
        when = f"after a {pause:.0f} s pause" if pause else "at once"
        print(f"| {prev} → {k}, {when} | {ahead[k]:.2f} | {plain[k]:.2f} | {kmeans[k]:.2f} |")
    under = sum(t < 1.0 for t in ahead.values())
    print(
        f"steps under 1 s: {under} of {len(ahead)} with work ahead, "
        f"{sum(t < 1.0 for t in plain.values())} of {len(plain)} without"
    )
    print(f"load average (1 min) after the first server: {load:.1f} on 2 cores")


if __name__ == "__main__":
    main()
