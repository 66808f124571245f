"""Back and Forward restore settings and page controls, in a real Chromium on a real server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

K_THUMB = 'input[type="range"][aria-label="k (clusters)"]'
SEGMENTS_THUMB = 'input[type="range"][aria-label="Segments (k)"]'


def _param(pg, key):
    return parse_qs(urlparse(pg.url).query).get(key, [None])[0]


def _wait_settled(pg, selector, url_key, value):
    """Wait until the URL holds ``url_key=value``, the thumb shows it and the run is over."""
    url_test = (
        f"new URLSearchParams(location.search).get('{url_key}') === {value!r}"
        if value is not None
        else f"!new URLSearchParams(location.search).has('{url_key}')"
    )
    pg.wait_for_function(f"() => {url_test}", timeout=60_000)
    if selector is not None:
        pg.wait_for_function(
            "([sel, v]) => { const t = document.querySelector(sel);"
            " return t && t.getAttribute('aria-valuetext') === v; }",
            arg=[selector[0], selector[1]],
            timeout=60_000,
        )
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def _step_right(pg, thumb):
    pg.locator(thumb).first.focus()
    pg.keyboard.press("ArrowRight")


def test_back_and_forward_restore_the_sidebar(server, page):
    page.goto(f"{server}/?dataset=digits&k=10")
    _wait_settled(page, (K_THUMB, "10"), "k", "10")
    for k in (11, 12):
        _step_right(page, K_THUMB)
        _wait_settled(page, (K_THUMB, str(k)), "k", str(k))
    page.evaluate("history.back()")
    _wait_settled(page, (K_THUMB, "11"), "k", "11")
    page.evaluate("history.back()")
    _wait_settled(page, (K_THUMB, "10"), "k", "10")
    page.evaluate("history.forward()")
    _wait_settled(page, (K_THUMB, "11"), "k", "11")
    assert page.locator('[data-testid="stException"]').count() == 0
    # Changing a setting after going back starts a new branch from the restored value.
    _step_right(page, K_THUMB)
    _wait_settled(page, (K_THUMB, "12"), "k", "12")


def test_back_restores_a_page_control(server, page):
    page.goto(f"{server}/Segmentation?dataset=digits")
    page.get_by_text("Why sky and water end up together").wait_for(timeout=120_000)
    thumb = SEGMENTS_THUMB
    _wait_settled(page, (thumb, "4"), "segments", None)  # the default is not written
    _step_right(page, thumb)
    _wait_settled(page, (thumb, "5"), "segments", "5")
    _step_right(page, thumb)
    _wait_settled(page, (thumb, "6"), "segments", "6")
    page.evaluate("history.back()")
    _wait_settled(page, (thumb, "5"), "segments", "5")
    page.evaluate("history.back()")
    _wait_settled(page, (thumb, "4"), "segments", None)
    assert _param(page, "dataset") == "digits"
    assert page.locator('[data-testid="stException"]').count() == 0
