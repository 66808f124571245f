"""A whole lesson on one server: the teacher tours every page, then 30 students open Centroids.

Run: ``python -m bench.lesson`` (``--root DIR`` measures another checkout, e.g. an
older commit in a temporary worktree, with this same script). A cold
``streamlit run`` server on 127.0.0.1 reads MNIST from ``KMLAB_DATA_DIR`` (default
``../shared/data``); one teacher tab visits Centroids under three settings, Elbow,
t-SNE, Compression, Segmentation and Experiments on MNIST test; then
``--students`` tabs (default 30, spread over a few browser contexts of one
Chromium) open Centroids at the teacher's first setting. The server's resident
memory is read from /proc every 0.3 s. Bounded: every wait has a deadline and the
script stops by itself.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM_ARGS, chromium_path

from .common import data_dir
from .servers import streamlit_server

MNIST = "dataset=mnist&split=test&sample=0"
TOUR = (
    ("Centroids", f"{MNIST}&k=10&init=random&balance=0"),
    ("Centroids", f"{MNIST}&k=15&init=random&balance=1"),
    ("Centroids", f"{MNIST}&k=20&init=maxmin&balance=1"),
    ("Elbow", f"{MNIST}&k=10"),
    ("t-SNE", f"{MNIST}&k=10"),
    ("Compression", f"{MNIST}&k=10"),
    ("Segmentation", f"{MNIST}&k=10"),
    ("Experiments", f"{MNIST}&k=10"),
)
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


class RSSSampler(threading.Thread):
    """Samples a process's resident set size (VmRSS) every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.3):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak = 0.0
        self.samples = 0
        self._halt = threading.Event()

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.peak = max(self.peak, self.rss_mb())
                self.samples += 1
            except OSError:
                return
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(2)


def wait_rendered(page, timeout_ms: int) -> None:
    """Wait for the app, a finished script run and no running-status widget."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
    )


def exception_text(page) -> str | None:
    boxes = page.locator('[data-testid="stException"]')
    return boxes.first.inner_text()[:200] if boxes.count() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default=None, help="checkout to serve (default: this one)")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--contexts", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per page")
    args = parser.parse_args()
    folder = data_dir()
    if folder is None:
        raise SystemExit("MNIST test not found: set KMLAB_DATA_DIR (see data/README.md)")
    # A fresh HOME and map cache: Streamlit's disk caches start empty (a cold server).
    scratch = tempfile.mkdtemp(prefix="kmlab-lesson-")
    env = {"KMLAB_DATA_DIR": str(folder), "HOME": scratch, "KMLAB_CACHE_DIR": scratch}
    timeout_ms = int(args.timeout * 1000)
    with sync_playwright() as p, streamlit_server(env, root=args.root) as (url, proc):
        sampler = RSSSampler(proc.pid)
        sampler.start()
        start = time.perf_counter()
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        teacher = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
        for name, query in TOUR:
            t0 = time.perf_counter()
            teacher.goto(f"{url}/{name}?{query}", wait_until="commit")
            try:
                wait_rendered(teacher, timeout_ms)
                err = exception_text(teacher)
                state = f"exception: {err}" if err else "rendered"
            except Exception as exc:  # a page that never finished is reported, not fatal
                state = f"not finished: {type(exc).__name__}"
            print(
                f"  teacher {name:<13} {time.perf_counter() - t0:6.1f} s  {state}  "
                f"(RSS now {sampler.rss_mb():.0f} MB)",
                flush=True,
            )
        tour_peak = sampler.peak
        print(f"peak after the tour: {tour_peak:.0f} MB ({time.perf_counter() - start:.0f} s)")
        contexts = [
            browser.new_context(viewport={"width": 1280, "height": 720})
            for _ in range(args.contexts)
        ]
        pages = []
        for i in range(args.students):
            pg = contexts[i % len(contexts)].new_page()
            pg.goto(f"{url}/Centroids?{TOUR[0][1]}", wait_until="commit")
            pages.append(pg)
        rendered, errors = 0, []
        deadline = time.monotonic() + args.timeout
        for i, pg in enumerate(pages):
            left = max(1000, int((deadline - time.monotonic()) * 1000))
            try:
                wait_rendered(pg, left)
                pg.wait_for_selector(".js-plotly-plot .main-svg", timeout=left)
                err = exception_text(pg)
                if err:
                    errors.append(f"tab {i}: {err}")
                else:
                    rendered += 1
            except Exception as exc:
                errors.append(f"tab {i}: {type(exc).__name__}")
        print(f"students: {rendered}/{args.students} tabs rendered, {len(errors)} errors")
        for e in errors[:5]:
            print("  ", e)
        print(f"overall peak RSS: {sampler.peak:.0f} MB ({sampler.samples} samples every 0.3 s)")
        sampler.stop()
        browser.close()
        print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores, shared)")


if __name__ == "__main__":
    main()
