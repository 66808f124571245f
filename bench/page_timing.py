"""Seconds from a k change in the sidebar to the finished Centroids page, in Chromium.

Run: ``python -m bench.page_timing``. Moves the k slider with the keyboard
(each step a new, uncached k) and waits until the script run has finished
and the chart is drawn; reports the median of several changes.
"""

from __future__ import annotations

import statistics
import time

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM_ARGS, chromium_path, streamlit_server, wait_until_done

from .browser_common import data_folder_with_train

SETTINGS = {
    "digits (1,797 x 64)": "dataset=digits&k=10",
    "MNIST test (10,000 x 784)": "dataset=mnist&split=test&sample=0&k=10",
}


DONE = """k => document.body.innerText.includes(`k = ${k} ·`)
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2"""


def time_k_changes(page, url: str, changes: int = 5) -> list[float]:
    page.goto(url)
    wait_until_done(page)
    page.wait_for_selector(".js-plotly-plot .main-svg")
    thumb = page.locator('[data-testid="stSidebar"] input[aria-label="k (clusters)"]')
    out = []
    for step in range(1, changes + 1):
        page.wait_for_timeout(500)
        thumb.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        # Done: the caption names the new k, no run is in progress, the charts are drawn.
        page.wait_for_function(DONE, arg=10 + step, timeout=120_000, polling=20)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    folder = data_folder_with_train()
    with streamlit_server({"KMLAB_DATA_DIR": str(folder)}) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        print("| data | median s | min s | max s |")
        print("|---|---|---|---|")
        for name, query in SETTINGS.items():
            times = time_k_changes(page, f"{url}/Centroids?{query}")
            print(
                f"| {name} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} |"
            )
        browser.close()


if __name__ == "__main__":
    main()
