"""A classroom on one server: N tabs at once, then sessions busy on MNIST train; peak RSS.

Run: ``python -m bench.load_test --tabs 30``. Everything stays on 127.0.0.1; the
number of tabs and the time are bounded.
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import sync_playwright

from tests.browser import (
    CHROMIUM_ARGS,
    chromium_path,
    cpu_seconds,
    peak_rss_mb,
    streamlit_server,
    wait_until_done,
)

from .browser_common import data_folder_with_train


def open_tabs(context, urls, timeout_ms=180_000):
    """Open every URL in its own tab at once; return (rendered, errors, seconds)."""
    start = time.perf_counter()
    pages = []
    for u in urls:
        pg = context.new_page()
        pg.goto(u, wait_until="commit")
        pages.append(pg)
    rendered, errors = 0, []
    for i, pg in enumerate(pages):
        try:
            wait_until_done(pg, timeout_ms)
            pg.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout_ms)
            boxes = pg.locator('[data-testid="stException"]')
            if boxes.count():
                errors.append(f"tab {i}: {boxes.first.inner_text()[:200]}")
            else:
                rendered += 1
        except Exception as exc:  # a tab that never finished counts as an error
            errors.append(f"tab {i}: {type(exc).__name__}: {str(exc)[:200]}")
    seconds = time.perf_counter() - start
    for pg in pages:
        pg.close()
    return rendered, errors, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tabs", type=int, default=30)
    parser.add_argument("--busy", type=int, default=4, help="sessions clustering MNIST train")
    parser.add_argument(
        "--sample", type=int, default=0, help="MNIST train sample per busy session (0: all 60,000)"
    )
    args = parser.parse_args()
    folder = data_folder_with_train()
    with streamlit_server({"KMLAB_DATA_DIR": str(folder)}) as (url, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        print(f"server started; RSS peak so far {peak_rss_mb(proc.pid):.0f} MB")
        urls = [f"{url}/Centroids"] * args.tabs
        cpu = cpu_seconds(proc.pid)
        ok, errors, secs = open_tabs(context, urls)
        print(
            f"{args.tabs} tabs on the default page at once: {ok} rendered, {len(errors)} "
            f"errors, {secs:.1f} s wall (browser and server share the cores), server CPU "
            f"{cpu_seconds(proc.pid) - cpu:.1f} s; server peak RSS {peak_rss_mb(proc.pid):.0f} MB"
        )
        for e in errors[:5]:
            print("  ", e)
        busy = [
            f"{url}/Centroids?dataset=mnist&split=train&sample={args.sample}&k={8 + i}&balance=1"
            for i in range(args.busy)
        ]
        ok, errors, secs = open_tabs(context, busy)
        print(
            f"{args.busy} tabs clustering MNIST train (sample {args.sample or 'all'}, balanced, "
            "distinct k): "
            f"{ok} rendered, {len(errors)} errors, {secs:.1f} s; "
            f"server peak RSS {peak_rss_mb(proc.pid):.0f} MB"
        )
        for e in errors[:5]:
            print("  ", e)
        browser.close()


if __name__ == "__main__":
    main()
