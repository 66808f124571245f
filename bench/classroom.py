"""A class following its teacher: one teacher tab and N follower tabs on one real server.

Run: ``python -m bench.classroom --followers 30``. Measures, on this machine:

- memory: the server's resident memory with N tabs open on Centroids, then with the
  same N tabs following a room (each tab in its own browser context, as on its own device);
- the server's CPU while the N followers idle in the room for ``--idle`` seconds;
- the time from the teacher's click (Step forward, a k change, a page change) to every
  follower showing it: each follower's tab stamps the moment it sees the change (its own
  clock is the machine's), so the times are not those of the bench's sequential waits;
- answers: N followers answer a question at once; the teacher's screen must count all.

Digits (offline) are the data: the point is the channel, not k-means.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.browser import CHROMIUM_ARGS, chromium_path, cpu_seconds, streamlit_server
from tests.test_classroom_browser import start_room

# In each follower tab: stamp (Date.now()) the first moment ``test()`` holds.
WATCH = """(test) => {
  window.__seen = null;
  const f = new Function('return (' + test + ')();');
  const tick = () => { if (f()) window.__seen = Date.now(); else setTimeout(tick, 10); };
  tick();
}"""
POS = """() => { const h = [...document.querySelectorAll('*')].find(e => e.shadowRoot &&
  e.shadowRoot.querySelector('.player')); return h && h.shadowRoot.querySelector('.player')
  .dataset.pos === '%d'; }"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


CPU: dict[str, float] = {}


def change_times(teacher, followers, test: str, act, pid: int, name: str) -> list[float]:
    """Seconds from ``act()`` on the teacher's tab to each follower seeing ``test`` hold; the
    server's CPU seconds for it are added to ``CPU[name]``."""
    for f in followers:
        f.evaluate(WATCH, test)
    c0 = cpu_seconds(pid)
    t0 = teacher.evaluate("Date.now()")
    act()
    out = []
    for f in followers:
        f.wait_for_function("window.__seen !== null", timeout=120_000, polling=100)
        out.append((f.evaluate("window.__seen") - t0) / 1000)
    CPU[name] = CPU.get(name, 0.0) + cpu_seconds(pid) - c0
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--followers", type=int, default=30)
    ap.add_argument("--idle", type=float, default=30.0)
    args = ap.parse_args()
    n = args.followers
    with streamlit_server() as (url, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        new = lambda: browser.new_context(viewport={"width": 1280, "height": 720}).new_page()  # noqa: E731
        teacher = new()
        followers = [new() for _ in range(n)]
        for f in followers:
            f.goto(f"{url}/Centroids", wait_until="commit")
        for f in followers:
            expect(f.locator(".player").first).to_have_attribute("data-pos", "0", timeout=180_000)
        time.sleep(5)
        rss_plain = rss_mb(proc.pid)

        code = start_room(teacher, url)
        for f in followers:
            f.goto(f"{url}/?room={code}", wait_until="commit")
        teacher.get_by_text(f"{n} students follow").wait_for(timeout=300_000)
        for f in followers:
            expect(f.locator(".player").first).to_have_attribute("data-pos", "0", timeout=180_000)
        time.sleep(5)
        rss_room = rss_mb(proc.pid)

        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(args.idle)
        idle_cpu = (cpu_seconds(proc.pid) - c0) / (time.monotonic() - t0)

        step = teacher.locator(".player").get_by_role("button", name="Step forward")
        steps = []
        for pos in (1, 2, 3):
            steps += change_times(teacher, followers, POS % pos, step.click, proc.pid, "step")
        k_box = teacher.locator('[data-testid="stSidebar"] input[aria-label="k (clusters)"]')
        k_box.focus()
        ks = change_times(
            teacher, followers, "() => location.search.includes('k=11')",
            lambda: teacher.keyboard.press("ArrowRight"), proc.pid, "k",
        )  # fmt: skip
        pages = change_times(
            teacher, followers, "() => location.pathname.endsWith('/Elbow')",
            lambda: teacher.locator('[data-testid="stSidebar"]')
            .get_by_role("link", name="Elbow").click(), proc.pid, "page",
        )  # fmt: skip
        teacher.locator('[data-testid="stSidebar"]').get_by_role("link", name="Centroids").click()
        for f in followers:
            f.wait_for_function("location.pathname.endsWith('/Centroids')", timeout=120_000)
            expect(f.locator(".player").first).to_have_attribute("data-pos", "0", timeout=120_000)
        expect(teacher.locator(".player").first).to_have_attribute("data-pos", "0")
        teacher.get_by_role("button", name="Ask the class", exact=False).click()
        for f in followers:
            f.get_by_text("Which centroid will this").wait_for(timeout=120_000)
        t_ask = time.monotonic()
        for f in followers:
            f.locator("[data-testid='stButtonGroup']").nth(1).locator("button").first.click(
                no_wait_after=True
            )
        sent = time.monotonic() - t_ask
        teacher.get_by_text(f"{n} of {n} following answered").wait_for(timeout=120_000)
        counted = time.monotonic() - t_ask
        browser.close()

    def line(name, xs, cpu, clicks=1):
        per = 1000 * cpu / clicks / (n + 1)
        return (
            f"| {name} | {statistics.median(xs):.2f} s | {max(xs):.2f} s | {len(xs)} | "
            f"{cpu / clicks:.2f} s ({per:.0f} ms per screen) |"
        )

    print(f"\n{n} followers, one server, this machine\n")
    print("| teacher's click | median to a follower | worst | follower views | server CPU |")
    print("|---|---|---|---|---|")
    print(line("Step forward (3 clicks)", steps, CPU["step"], 3))
    print(line("k 10 → 11", ks, CPU["k"]))
    print(line("page change to Elbow", pages, CPU["page"]))
    print(f"\nServer RSS: {rss_plain:.0f} MB with {n} tabs, {rss_room:.0f} MB with the same "
          f"{n} tabs following a room (+{rss_room - rss_plain:.0f} MB)")  # fmt: skip
    print(
        f"Server CPU, {n} followers idle for {args.idle:.0f} s: {100 * idle_cpu:.1f}% of one core"
    )
    print(f"Answers: {n} clicks sent in {sent:.2f} s; all {n} counted on the teacher's screen "
          f"{counted:.2f} s after the first")  # fmt: skip


if __name__ == "__main__":
    main()
