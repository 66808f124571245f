"""Links: page controls in the URL, and a link carries no one else's links.

Page controls (the Elbow's range, Segmentation's features...) are read from a
link, kept in the URL and across page switches. Rejected values are shown as
inert text:

``ui.sidebar.inert`` puts a value in a Markdown code span (nothing inside one is
parsed or autolinked); AppTest checks what the notice says, and Chromium checks
what the browser draws for every page and every parameter with hostile values:
no anchor, e-mail link or image whose target comes from the link.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import page
from tests.conftest import ROOT
from ui.settings import KEYS
from ui.sidebar import INERT_CHARS, inert

LINK = "[x](http://a)"
IMAGE = "![i](http://b/i.png)"

# What a crafted link might carry; every target names evil.example so that the browser test
# can look for it in every href and src.
HOSTILE = {
    "url": "https://evil.example/a",
    "domain": "www.evil.example",
    "email": "victim@evil.example",
    "md_link": "[click](https://evil.example/a)",
    "md_image": "![x](https://evil.example/i.png)",
    "angle": "<https://evil.example>",
    "html": '<a href="https://evil.example">x</a><img src="https://evil.example/i.png">',
    "backticks": "`` [c](https://evil.example) `` www.evil.example",
    "long": "www.evil.example/" + "a" * 100_000,
}

# Every page and the parameters it reads from a link: the sidebar's settings (read on
# every page) and the page's own controls.
PAGE_CONTROLS = {
    "": (),  # keys are the pages' addresses (ui/registry.py)
    "Centroids": ("view",),
    "Elbow": ("elbow_range", "elbow_n_init", "elbow_silhouette"),
    # Not here: tsne_points (drawn once points are selected on the map) and story_seed
    # (in a tab that runs when opened); they go through the same notice.
    "t-SNE": ("perplexity", "tsne_colour"),
    "Compression": ("compress_source", "colors", "iters", "space"),
    "Segmentation": (
        "segment_source",
        "segments",
        "features",
        "segment_view",
        "colour_weight",
        "position_weight",
    ),
    "Experiments": ("exp_inits", "exp_metrics", "exp_ks", "exp_data", "exp_seeds", "exp_pca"),
}


def test_every_page_is_tried():
    from ui import registry

    assert set(PAGE_CONTROLS) == {p.address for p in registry.PAGES}


def _unfence(span: str) -> str:
    m = re.fullmatch(r"(`+)( ?)(.*?)\2\1", span, re.S)
    assert m, span
    return m.group(3)


# ---- the function ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [*HOSTILE.values(), "`", "``x``", "", "a\nb\rc"])
def test_inert_is_one_code_span_holding_the_value(value):
    span = inert(value)
    fence = re.match(r"`+", span).group(0)
    inner = _unfence(span)
    # No run of backticks inside is as long as the fence: the span cannot be closed early.
    assert all(len(run) < len(fence) for run in re.findall(r"`+", inner))
    expected = " ".join(value.split())
    if len(expected) > INERT_CHARS:
        assert inner == expected[: INERT_CHARS - 1] + "…"
    else:
        assert inner == expected
    assert "\n" not in span and "\r" not in span


def test_a_long_value_is_cut_to_the_limit():
    inner = _unfence(inert(HOSTILE["long"]))
    assert len(inner) == INERT_CHARS and inner.endswith("…")


# ---- the page (AppTest) ----------------------------------------------------------------

pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def test_crafted_link_values_are_shown_as_code_spans():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["k"] = LINK
    at.query_params["init"] = IMAGE
    at.run()
    assert not at.exception, at.exception
    notices = [w.value for w in at.sidebar.warning if "Ignored from the link" in w.value]
    assert len(notices) == 1
    body = notices[0].split("Ignored from the link: ", 1)[1]
    spans = [_unfence(s) for s in re.findall(r"`+[^`]*`+", body)]
    assert spans == [f"k={LINK}", f"init={IMAGE}"]
    # Outside the spans there is nothing but the separators.
    assert re.sub(r"`+[^`]*`+", "", body) == ", "


# ---- the browser -----------------------------------------------------------------------


def _link(params) -> str:
    """A query that gives every parameter a hostile value, the kinds in turn (the sidebar's
    13 settings alone use every kind)."""
    kinds = [k for k in HOSTILE if k != "long"]
    assert len(params) >= len(kinds)
    return urlencode({p: HOSTILE[kinds[i % len(kinds)]] for i, p in enumerate(params)})


# A 100,000-character address is refused by the server's HTTP layer (Tornado's header
# limit) before the app sees it, so the long value is put in the address by the page
# itself, as Back and Forward do: Streamlit reruns with the new query string.
HISTORY_STEP = """(q) => {
  history.pushState(null, '', location.pathname + '?' + q);
  dispatchEvent(new PopStateEvent('popstate', {state: null}));
}"""


NO_FOREIGN_TARGETS = """() => {
  const hits = [];
  for (const el of document.querySelectorAll('a[href], area[href], img[src], [srcset]')) {
    const t = (el.getAttribute('href') || '') + ' ' + (el.getAttribute('src') || '') +
      ' ' + (el.getAttribute('srcset') || '');
    if (/evil\\.example|^\\s*mailto:/i.test(t)) hits.push(el.outerHTML.slice(0, 200));
  }
  return hits;
}"""


def _check_notices(page, sent) -> None:
    notices = page.locator('[data-testid="stAlert"]').filter(has_text="Ignored from the link")
    notices.first.wait_for(timeout=60_000)
    # textContent: a notice inside a closed expander (texture options) counts as shown.
    shown = " ".join(n.text_content() for n in notices.all())
    missing = [p for p in sent if f"{p}=" not in shown]
    assert not missing, f"not reported as ignored: {missing}"
    assert page.evaluate(NO_FOREIGN_TARGETS) == []
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("page_name", list(PAGE_CONTROLS))
def test_no_hostile_link_value_becomes_a_link_or_image(server, page, page_name):
    from tests.browser import wait_until_done

    params = [*KEYS, *PAGE_CONTROLS[page_name]]
    page.goto(f"{server}/{page_name}?{_link(params)}")
    wait_until_done(page, timeout_ms=300_000)
    _check_notices(page, params)
    # The sidebar's notice begins on the first screen of a 1280 x 720 projector (its first
    # lines; thirteen hostile values make it long).
    box = (
        page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]')
        .filter(has_text="Ignored from the link")
        .bounding_box()
    )
    assert box is not None and box["y"] + 60 <= 720, box
    long_one = params[-1]
    page.evaluate(HISTORY_STEP, urlencode({long_one: HOSTILE["long"]}))
    page.wait_for_function(
        """(p) => [...document.querySelectorAll('[data-testid="stAlert"]')]
                 .some(a => a.textContent.includes(p + '=www.evil.example/aaa'))""",
        arg=long_one,
        timeout=120_000,
    )
    wait_until_done(page, timeout_ms=300_000)
    _check_notices(page, [long_one])


def test_elbow_link_sets_the_page_controls_and_keeps_them_in_the_url():
    at = page("pages/2_Elbow.py", dataset="blobs", elbow_range="2,6", elbow_n_init="1").run()
    assert not at.exception, at.exception
    assert at.slider(key="elbow_range").value == (2, 6)
    assert at.select_slider(key="elbow_n_init").value == 1
    assert at.query_params["elbow_range"] in ("2,6", ["2,6"])
    at.toggle(key="elbow_silhouette").set_value(True).run()
    assert not at.exception, at.exception
    assert at.query_params["elbow_silhouette"] in ("1", ["1"])
    assert at.slider(key="elbow_range").value == (2, 6)


def test_segmentation_link_sets_multiselect_radio_and_float_slider():
    at = page(
        "pages/5_Segmentation.py",
        segments="3",
        features="rgb,hsv",
        segment_view="outlines",
        position_weight="0.5",
    ).run()
    assert not at.exception, at.exception
    assert at.select_slider(key="segments").value == 3
    assert at.multiselect(key="features").value == ["rgb", "hsv"]
    assert at.radio(key="segment_view").value == "outlines"
    assert at.slider(key="position_weight").value == 0.5


@pytest.mark.parametrize(
    ("path", "key", "raw"),
    [
        ("pages/2_Elbow.py", "elbow_range", "9,3"),
        ("pages/2_Elbow.py", "elbow_n_init", "7"),
        ("pages/5_Segmentation.py", "position_weight", "0.3"),
        ("pages/5_Segmentation.py", "features", "rgb,[x](https://evil.example)"),
        ("pages/4_Compression.py", "colors", "1e30"),
    ],
)
def test_odd_page_values_are_ignored_with_a_plain_text_notice(path, key, raw):
    at = page(path, dataset="blobs", **{key: raw}).run()
    assert not at.exception, at.exception
    notices = [w.value for w in at.warning if "Ignored from the link" in w.value]
    assert notices, [w.value for w in at.warning]
    # The value is a code span: shown as written, never a link.
    assert inert(f"{key}={raw}") in notices[0]
    assert key not in at.query_params


def test_a_page_control_survives_a_page_switch():
    at = page("pages/4_Compression.py").run()
    at.select_slider(key="colors").set_value(8).run()
    assert at.query_params["colors"] in ("8", ["8"])
    at.switch_page("app.py").run()
    assert "colors" not in at.query_params
    at.switch_page("pages/4_Compression.py").run()
    assert not at.exception, at.exception
    assert at.select_slider(key="colors").value == 8
    assert at.query_params["colors"] in ("8", ["8"])
