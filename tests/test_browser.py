"""Every page in a real Chromium against a real `streamlit run`, and a small classroom."""

from __future__ import annotations

import pytest

from tests.browser import streamlit_server, wait_until_done
from ui import registry

pytestmark = pytest.mark.browser

PAGES = {p.address: p.heading for p in registry.PAGES}


def _no_exception(pg):
    boxes = pg.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def test_a_classroom_opens_at_once(browser, tmp_path):
    """Four tabs opening the same page at once on a server just started: they race its
    cold caches and all render. The 30-tab lesson is measured by ``bench/lesson.py``."""
    with streamlit_server({"KMLAB_DATA_DIR": str(tmp_path)}) as (url, _):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        pages = [context.new_page() for _ in range(4)]
        for pg in pages:
            pg.goto(f"{url}/Centroids", wait_until="commit")
        for pg in pages:
            wait_until_done(pg)
            _no_exception(pg)
            pg.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        context.close()


@pytest.mark.parametrize("path", list(PAGES), ids=lambda p: p or "home")
def test_page_opens_and_draws(server, page, path):
    page.goto(f"{server}/{path}")
    wait_until_done(page)
    _no_exception(page)
    assert PAGES[path] in page.locator("h1").first.inner_text()
    if path != "Experiments":  # its charts appear once a grid has run
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        assert page.locator(".js-plotly-plot").count() >= 1
    page.wait_for_function(  # the sidebar's style: the html element renders on its own time
        "() => [...document.querySelectorAll('style')]"
        ".some(s => s.textContent.includes('stImageCaption'))",
        timeout=30_000,
    )
    sizes = page.eval_on_selector_all(
        "[data-testid='stCaptionContainer'], [data-testid='stImageCaption']",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert min(sizes, default=16) >= 16, sizes  # captions readable on a projector


def test_centroid_player_plays(server, page):
    page.goto(f"{server}/Centroids?dataset=digits&k=10&init=noise&tol=0.0")
    wait_until_done(page)
    _no_exception(page)
    counter = page.locator("[data-testid=kmlab-counter]").first
    counter.wait_for(timeout=60_000)
    iterations = int(page.locator('[data-testid="stMetricValue"]').first.inner_text())
    assert counter.inner_text() == f"start · iteration 0 of {iterations}"
    page.locator(".player").get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('*')].find(e => e.shadowRoot && "
        "e.shadowRoot.querySelector('.player')).shadowRoot"
        ".querySelector('[data-testid=kmlab-counter]').innerText !== t",
        arg=counter.inner_text(),
    )


def test_widget_change_reaches_the_url(server, page):
    page.goto(f"{server}/Centroids?dataset=blobs&k=3")
    wait_until_done(page)
    _no_exception(page)
    assert "k=3" in page.url and "dataset=blobs" in page.url
    page.get_by_text("Elbow", exact=True).first.click()
    page.wait_for_url("**/Elbow**")
    # The sidebar writes the settings into the new page's address once its script runs.
    page.wait_for_function("() => new URLSearchParams(location.search).get('k') === '3'")
    wait_until_done(page)
    _no_exception(page)
    assert "dataset=blobs" in page.url


def test_tsne_map_forms_then_shows_clusters_and_centroids(server, page):
    page.goto(f"{server}/t-SNE?dataset=digits&k=10")
    page.get_by_text("nearest final centroid").first.wait_for(timeout=180_000)
    wait_until_done(page)
    _no_exception(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
        ".some(t => t.textContent === 'centroids')"
    )
    legend = page.locator(".js-plotly-plot .legendtext").all_text_contents()
    assert sum(t.startswith("cluster") for t in legend) == 10
    assert "centroids" in legend


# A chart (by its element's key) laid out at a height: Plotly first draws at its default
# 450 px, then takes the height the page's CSS gives the element.
CHART_AT = """([key, px]) => {
  const e = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  return !!e && Math.abs(e.getBoundingClientRect().height - px) <= 1;
}"""


def _chart_box(page, key: str, px: int) -> dict:
    page.wait_for_function(CHART_AT, arg=[key, px], timeout=30_000)
    return page.locator(f".st-key-{key} .js-plotly-plot").bounding_box()


def test_tsne_map_is_as_tall_as_the_screen_allows(server, page):
    """500 px on a 1280 x 720 projector; 830 px on a 1920 x 1080 screen, with the caption
    under the map still on the first screen."""
    page.goto(f"{server}/t-SNE?dataset=digits&k=10")
    caption = page.get_by_text("nearest final centroid").first
    caption.wait_for(timeout=180_000)
    wait_until_done(page)
    chart = _chart_box(page, "tsne_map", 500)
    assert chart["y"] >= 0 and chart["y"] + chart["height"] <= 720, chart
    page.set_viewport_size({"width": 1920, "height": 1080})
    chart = _chart_box(page, "tsne_map", 830)
    below = caption.bounding_box()
    assert chart["y"] + chart["height"] <= below["y"], (chart, below)
    assert below["y"] + below["height"] <= 1080, below


def test_elbow_curve_and_its_knee_fit_the_first_screen(server, page):
    """On a 1280 x 720 projector the whole curve (400 px) and the sentence naming the knee
    show without scrolling, the explanation after them; 640 px at 1920 x 1080."""
    page.goto(f"{server}/Elbow?dataset=digits")
    knee = page.get_by_text("The knee is at k =").first
    knee.wait_for(timeout=120_000)
    wait_until_done(page)
    _no_exception(page)
    chart = _chart_box(page, "elbow", 400)
    after = knee.bounding_box()
    assert chart["y"] >= 0 and chart["y"] + chart["height"] <= after["y"], (chart, after)
    assert after["y"] + after["height"] <= 720, after
    explanation = page.get_by_text("best possible").first.bounding_box()
    assert explanation["y"] > after["y"], explanation
    page.set_viewport_size({"width": 1920, "height": 1080})
    chart = _chart_box(page, "elbow", 640)
    after = knee.bounding_box()
    assert chart["y"] + chart["height"] <= after["y"] and after["y"] + after["height"] <= 1080


def test_preset_button_opens_centroids_with_the_papers_setting(server, page, shared_data):
    page.goto(f"{server}/Experiments")
    wait_until_done(page)
    page.get_by_role("button", name="Open in Centroids").nth(3).click()  # Fig. 7, MaxMin
    page.wait_for_url("**/Centroids**", timeout=60_000)
    page.get_by_text("MaxMin (farthest first) ·").first.wait_for(timeout=120_000)
    wait_until_done(page)
    _no_exception(page)
    assert "init=maxmin" in page.url and "dataset=mnist" in page.url
