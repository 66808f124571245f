"""The Centroids page's player in a real Chromium on a real `streamlit run` (1280 x 720).

One server for the module. Tests that need MNIST skip without ../shared/data.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import wait_until_done

pytestmark = pytest.mark.browser
W, H = 1280, 720
COUNTER = "[data-testid=kmlab-counter]"
PICTURE = "[data-testid=kmlab-picture]"
# Everything the picture shows: every canvas's pixels and every label.
ROOT = (
    "[...document.querySelectorAll('*')]"
    ".find(e => e.shadowRoot && e.shadowRoot.querySelector('.player')).shadowRoot"
)
# What is visible of the picture: the pixels of every visible canvas and every label.
SIGNATURE = f"""() => {{
  const pics = [...{ROOT}.querySelectorAll('[data-testid=kmlab-picture]')];
  const shown = (c) => getComputedStyle(c).visibility !== 'hidden';
  return pics.map(p => [...p.querySelectorAll('canvas')].filter(shown).map(c => c.toDataURL())
    .join('|') + (p.innerText || '') + (p.tagName === 'CANVAS' ? p.toDataURL() : '')).join('#');
}}"""


def open_player(page, url):
    page.goto(url)
    wait_until_done(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.locator(COUNTER).first.wait_for(timeout=60_000)


def counter(page, i=0) -> str:
    return page.locator(COUNTER).nth(i).inner_text()


def signature(page) -> str:
    return page.evaluate(SIGNATURE)


def wait_counter_change(page, before, i=0):
    page.wait_for_function(
        f"([sel, i, before]) => {ROOT}.querySelectorAll(sel)[i].innerText !== before",
        arg=[COUNTER, i, before],
        timeout=10_000,
    )


def centroid_boxes(page):
    return page.locator("[data-testid=kmlab-centroid]").evaluate_all(
        "cs => cs.map(c => { const b = c.getBoundingClientRect();"
        " return [b.x, b.y, b.width, b.height, getComputedStyle(c).imageRendering]; })"
    )


def check_first_screen(page, min_px):
    box = page.locator(PICTURE).first.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= H, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= W, box
    for _x, y, w, h, rendering in centroid_boxes(page):
        assert h >= min_px and w >= min_px, (w, h)
        assert y + h <= H
        assert rendering == "pixelated"
    for name in ("Step back", "Step forward", "Play", "Full screen"):
        b = page.locator(".player").get_by_role("button", name=name, exact=True).bounding_box()
        assert b["y"] + b["height"] <= H, name
    # The largest element of the page: bigger than every chart and every other block.
    area = box["width"] * box["height"]
    others = page.locator(".js-plotly-plot, [data-testid=stImage], [data-testid=stMetric]")
    for b in others.evaluate_all(
        "es => es.map(e => { const r = e.getBoundingClientRect(); return r.width * r.height; })"
    ):
        assert b < area


@pytest.mark.parametrize("k, min_px", [(10, 120), (30, 60)])
def test_mnist_picture_fills_the_first_screen(server, page, shared_data, k, min_px):
    # 2,000 of the 10,000 test images: the layout of 28 x 28 centroids is the point.
    open_player(page, f"{server}/Centroids?dataset=mnist&split=test&sample=2000&k={k}")
    check_first_screen(page, min_px)
    assert len(centroid_boxes(page)) == k
    page.locator(".player").get_by_role("button", name="Step forward", exact=True).click()
    page.get_by_text(re.compile(r"^iteration 1 of \d+ · assign$")).wait_for()
    check_first_screen(page, min_px)  # with labels, joined/left counts and joiners shown
    page.locator(".player").get_by_role("button", name="Jump to end").click()
    check_first_screen(page, min_px)
    label = page.locator(".tile .label").first
    assert re.fullmatch(
        r"mostly \S+ · \d+% ·?\s?[\d,]+ images",
        " ".join(label.inner_text().split("\n")).replace("% ", "% · ").replace("· ·", "·"),
    ), label.inner_text()
    font = label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 16


def test_digits_picture_on_the_first_screen(server, page):
    open_player(page, f"{server}/Centroids?dataset=digits&k=10")
    check_first_screen(page, 120)


def test_step_forward_and_back_change_and_restore_picture_and_counter(server, page):
    open_player(page, f"{server}/Centroids?dataset=digits&k=10&init=noise&tol=0.0")
    seen = [(counter(page), signature(page))]
    assert seen[0][0].startswith("start · iteration 0 of ")
    forward = page.locator(".player").get_by_role("button", name="Step forward", exact=True)
    back = page.locator(".player").get_by_role("button", name="Step back", exact=True)
    for half in ("assign", "update"):
        forward.click()
        wait_counter_change(page, seen[-1][0])
        now = (counter(page), signature(page))
        assert now[0].startswith("iteration 1 of ") and now[0].endswith(half)
        assert now[1] != seen[-1][1], "the picture did not change"
        seen.append(now)
    while len(seen) > 1:
        back.click()
        wait_counter_change(page, seen.pop()[0])
        assert (counter(page), signature(page)) == seen[-1]


def test_arrow_keys_step_when_the_picture_has_focus(server, page):
    open_player(page, f"{server}/Centroids?dataset=digits&k=10")
    start = (counter(page), signature(page))
    page.locator(".player").first.focus()
    page.keyboard.press("ArrowRight")
    wait_counter_change(page, start[0])
    assert counter(page).endswith("assign")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => {ROOT}.querySelector('.player').dataset.pos === '0'")
    assert (counter(page), signature(page)) == start


@pytest.mark.parametrize("dataset", ["digits", "blobs"])
def test_stepping_in_fullscreen_and_the_state_after_leaving(server, page, dataset):
    open_player(page, f"{server}/Centroids?dataset={dataset}&k=4&init=noise&tol=0.0")
    page.locator(".player").get_by_role("button", name="Full screen").click()
    page.wait_for_function("() => document.fullscreenElement !== null", timeout=10_000)
    box = page.locator(PICTURE).first.bounding_box()
    assert box["y"] + box["height"] <= H
    before = (counter(page), signature(page))
    page.locator(".player").get_by_role("button", name="Step forward", exact=True).click()
    page.locator(".player").get_by_role("button", name="Step forward", exact=True).click()
    page.wait_for_function(f"() => {ROOT}.querySelector('.player').dataset.pos === '2'")
    inside = (counter(page), signature(page))
    assert inside[0].startswith("iteration 1 of ") and inside[0].endswith("update")
    assert inside[1] != before[1]
    page.locator(".player").get_by_role("button", name="Full screen").click()
    page.wait_for_function("() => document.fullscreenElement === null", timeout=10_000)
    assert counter(page) == inside[0]


def test_play_reaches_the_end(server, page):
    open_player(page, f"{server}/Centroids?dataset=digits&k=10&tol=0.05")
    page.get_by_label("Speed").select_option("30")
    total = int(re.search(r"of (\d+)", counter(page)).group(1))
    page.locator(".player").get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        f"(t) => {ROOT}.querySelector('[data-testid=kmlab-counter]').innerText"
        " === `iteration ${t} of ${t} · update`",
        arg=total,
        timeout=30_000,
    )
    assert page.locator(".player").get_by_role("button", name="Play", exact=True).is_visible()


def test_a_hand_placed_run_starts_from_the_clicked_points(server, page):
    open_player(page, f"{server}/Centroids?dataset=blobs&k=3")
    page.get_by_text("By hand", exact=True).click()
    page.get_by_text("0 of 3 starts placed").wait_for(timeout=30_000)
    plane = page.locator(".plane").first
    box = plane.bounding_box()
    clicks = [(0.2, 0.3), (0.5, 0.85), (0.9, 0.1)]  # fractions of the canvas, from top left
    for fx, fy in clicks:
        plane.click(position={"x": fx * box["width"], "y": fy * box["height"]})
    page.locator(".player").get_by_role("button", name="Run from these starts").click()
    page.wait_for_function("() => location.search.includes('starts=p')", timeout=30_000)
    wait_until_done(page)
    starts = parse_qs(urlparse(page.url).query)["starts"][0]
    xy = [float(v) for v in starts[1:].split(",")]
    expected = []
    for fx, fy in clicks:  # the plane spans -0.05..1.05 on both axes, y upwards
        expected += [-0.05 + fx * 1.1, 1.05 - fy * 1.1]
    assert xy == pytest.approx(expected, abs=0.01)
    shown = page.get_by_text("started from the starts chosen by hand").inner_text()
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", shown)]
    assert numbers == pytest.approx(xy, abs=1e-3)  # the run's init_centers
