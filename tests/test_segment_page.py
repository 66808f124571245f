"""The Segmentation page: the k and distance shown are the ones used, and the link carries them."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.apptest import page
from ui.classroom import PANEL

pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def _in_use(at) -> str:
    """The caption under the pictures that states the settings the segmentations used."""
    found = [c.value for c in at.caption if " · distance " in c.value]
    assert len(found) == 1, [c.value for c in at.caption]
    return found[0]


def _query(at, key):
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_distance_and_k_shown_are_those_used_and_the_link_carries_them():
    at = page(
        "pages/5_Segmentation.py", features="rgb", segments="3", metric="linf", update="median"
    ).run()
    assert not at.exception, at.exception
    assert at.select_slider(key="segments").value == 3
    assert at.sidebar.radio(key="metric").value == "linf"
    assert at.sidebar.radio(key="update").value == "median"
    assert _in_use(at).startswith("k = 3 · distance L∞ · median update")
    assert any(c.value.startswith("Pixels in another segment than under L2") for c in at.caption)
    drawn = {w.key for w in at.sidebar if getattr(w, "key", None)}
    drawn = {k for k in drawn if PANEL not in k}  # the class panel, on every page
    assert drawn == {"init", "metric", "seed", "update"}, drawn

    at.sidebar.radio(key="metric").set_value("l1").run()
    at.select_slider(key="segments").set_value(5).run()
    assert not at.exception, at.exception
    assert _in_use(at).startswith("k = 5 · distance L1 · median update")
    assert (_query(at, "metric"), _query(at, "segments")) == ("l1", "5")

    at.sidebar.radio(key="metric").set_value("l2").run()
    assert _in_use(at).startswith("k = 5 · distance L2")
    assert not any("than under L2" in c.value for c in at.caption)
    assert _query(at, "metric") == "l2"


def test_a_start_pixels_cannot_have_falls_back_and_the_link_keeps_it():
    at = page("pages/5_Segmentation.py", features="hsv", init="per-class").run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="init").value == "random"
    assert "start: Random data points" in _in_use(at)
    assert _query(at, "init") == "per-class"  # the other pages keep the user's start
    at.sidebar.selectbox(key="init").set_value("maxmin").run()
    assert "start: MaxMin (farthest first)" in _in_use(at)
    assert _query(at, "init") == "maxmin"


def test_after_an_upload_the_widgets_show_the_values_in_use():
    rng = np.random.default_rng(0)
    img = np.repeat(np.repeat(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), 4, 0), 4, 1)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    at = page("pages/5_Segmentation.py", features="rgb", segments="6", metric="l1").run()
    at.radio(key="segment_source").set_value("upload").run()
    at.file_uploader(key="segment_upload").set_value(("noise.png", buf.getvalue(), "image/png"))
    at.run()
    assert not at.exception and not at.error, (at.exception, at.error)
    assert at.select_slider(key="segments").value == 6
    assert at.sidebar.radio(key="metric").value == "l1"
    assert _in_use(at).startswith("k = 6 · distance L1")
