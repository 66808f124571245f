"""The Centroids player in Chromium: frames drawn per second while playing, payload size,
and the server's memory with N tabs playing at once.

Run: ``KMLAB_DATA_DIR=/work/shared/data python -m bench.bench_player --tabs 30``.
The peer of the frame rate is the classroom requirement (10 frames/s) and the speed the
player was asked for; the peer of the memory is the same server with one tab open.
Everything stays on 127.0.0.1; tabs and time are bounded.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM_ARGS, chromium_path, peak_rss_mb, streamlit_server

ROOT_JS = (
    "[...document.querySelectorAll('*')]"
    ".find(e => e.shadowRoot && e.shadowRoot.querySelector('.player')).shadowRoot"
)
READY = f"() => {{ try {{ return !!{ROOT_JS}.querySelector('[data-testid=kmlab-counter]'); }}"
READY += " catch (e) { return false; } }"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def play_rate(page, seconds: float = 4.0) -> dict:
    """While playing at 30 steps/s: frames drawn and the browser's own animation frames
    (requestAnimationFrame callbacks, the peer) per second, in the same window."""
    page.locator(".player").get_by_label("Speed").select_option("30")
    page.locator(".player").get_by_role("button", name="Jump to start").click()
    page.locator(".player").get_by_role("button", name="Play", exact=True).click()
    return page.evaluate(
        f"""async () => {{
          window.__kmlabFrames = 0; let raf = 0; const t0 = performance.now();
          await new Promise(res => {{ const f = () => {{ raf++;
            if (performance.now() - t0 < {seconds * 1000}) requestAnimationFrame(f); else res(); }};
            requestAnimationFrame(f); }});
          const s = (performance.now() - t0) / 1000;
          return {{drawn: window.__kmlabFrames / s, raf: raf / s}};
        }}"""
    )


def draw_ms(page) -> float:
    """JavaScript time to draw one frame (every step once first, so caches are warm)."""
    return page.evaluate(
        f"""() => {{
          const pl = {ROOT_JS}.querySelector('.kmlab-root').__player;
          const last = pl.last();
          for (let i = 0; i <= last; i++) pl.go(i);
          const t0 = performance.now();
          for (let i = 0; i <= last; i++) pl.go(i);
          const ms = (performance.now() - t0) / (last + 1);
          pl.go(0);
          return ms;
        }}"""
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tabs", type=int, default=30)
    ap.add_argument("--k", type=int, default=30)
    ap.add_argument("--max-iter", type=int, default=100)
    args = ap.parse_args()
    env = {"KMLAB_DATA_DIR": os.environ.get("KMLAB_DATA_DIR", "/work/shared/data")}
    q = f"dataset=mnist&split=test&k={args.k}&tol=0.0&max_iter={args.max_iter}"
    with streamlit_server(env) as (url, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        first = ctx.new_page()
        first.goto(f"{url}/Centroids?{q}")
        first.wait_for_function(READY, timeout=300_000)
        n_iter = first.evaluate(f"() => {ROOT_JS}.querySelector('[data-testid=kmlab-counter]')"
                                ".innerText")  # fmt: skip
        ms = draw_ms(first)
        rate = play_rate(first)
        one_tab = rss_mb(proc.pid)
        load = os.getloadavg()[0]
        print(f"MNIST test, k={args.k}, max_iter={args.max_iter}: {n_iter}; load avg {load:.1f}")
        print(f"JS draw time per frame: {ms:.2f} ms (= {1000 / ms:.0f} frames/s of JS alone)")
        print(
            f"playing at 30 steps/s: {rate['drawn']:.1f} frames/s drawn, browser animation "
            f"frames {rate['raf']:.1f}/s: ratio {rate['drawn'] / rate['raf']:.2f}"
        )
        print(f"server RSS with one tab: {one_tab:.0f} MB")
        pages = [first]
        t0 = time.perf_counter()
        for _ in range(args.tabs - 1):
            pg = ctx.new_page()
            pg.goto(f"{url}/Centroids?{q}", wait_until="commit")
            pages.append(pg)
        for pg in pages[1:]:
            pg.wait_for_function(READY, timeout=900_000)
        print(f"{args.tabs} tabs rendered in {time.perf_counter() - t0:.1f} s")
        for pg in pages:
            pg.locator(".player").get_by_label("Speed").select_option("30")
            pg.locator(".player").get_by_role("button", name="Play", exact=True).click()
        time.sleep(5)  # a measurement window, not a wait for the UI
        playing = rss_mb(proc.pid)
        print(
            f"server RSS with {args.tabs} tabs playing: {playing:.0f} MB "
            f"(x{playing / one_tab:.2f} of one tab); peak {peak_rss_mb(proc.pid):.0f} MB"
        )
        browser.close()


if __name__ == "__main__":
    main()
