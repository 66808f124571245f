"""Settings declared once (ui.settings.TABLE), one URL codec, and the state of a page.

Property tests (hypothesis) for the round trip ``from_query(to_query(s)) == s``
and for hostile text; AppTest for the sidebar drawn from the table and for a
page's state taken in one session and restored in another.
"""

from __future__ import annotations

from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.apptest import page, texts
from ui import settings as S


def _value(setting: S.Setting):
    if setting.key == "starts":
        points = st.lists(st.floats(-1, 2, allow_nan=False), min_size=2, max_size=8).filter(
            lambda v: len(v) % 2 == 0
        )
        rows = st.lists(st.integers(0, 69_999), min_size=1, max_size=S.K_MAX)
        return st.one_of(
            st.just(""),
            points.map(lambda v: S.points_text(v)),
            rows.map(lambda r: "i" + ",".join(map(str, r))),
        )
    if isinstance(setting.default, bool):
        return st.booleans()
    if setting.choices is not None:
        return st.sampled_from(setting.choices)
    return st.integers(*setting.bounds)


SETTINGS = st.fixed_dictionaries({s.key: _value(s) for s in S.TABLE}).map(lambda v: S.Settings(**v))


@settings(max_examples=300, deadline=None)
@given(SETTINGS)
def test_a_link_gives_back_the_settings_it_was_made_from(s):
    assert S.from_query(s.to_query()) == (s, [])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(S.KEYS), st.text(max_size=200))
def test_any_text_is_a_valid_value_or_rejected_never_an_error(key, raw):
    value = S.parse_value(key, raw)
    if value is None:
        return
    setting = S.SETTINGS[key]
    if setting.choices is not None:
        assert value in setting.choices
    elif setting.bounds is not None:
        assert setting.bounds[0] <= value <= setting.bounds[1]
    # What was accepted is written back in a form that reads as the same value.
    assert S.parse_value(key, setting.codec.encode(value)) == value


@pytest.mark.parametrize(
    "default, kwargs, values",
    [
        (3, {"bounds": (1, 30)}, [1, 7, 30]),
        (0.0, {"bounds": (0.0, 2.0), "step": 0.25}, [0.0, 0.25, 1.75, 2.0]),
        ((1, 15), {"bounds": (1, 30)}, [(1, 15), (4, 4), (2, 30)]),
        ("rgb", {"choices": ("rgb", "lab")}, ["rgb", "lab"]),
        (16, {"choices": (2, 4, 8, 16, 256)}, [2, 256]),
        (["a", "b"], {"choices": ("a", "b", "c")}, [["a"], [], ["c", "a"]]),
        (False, {}, [True, False]),
    ],
)
def test_the_one_codec_round_trips_page_controls_too(default, kwargs, values):
    c = S.codec(default, **kwargs)
    for v in values:
        assert c.decode(c.encode(v)) == v


@pytest.mark.parametrize(
    "default, kwargs, raw",
    [
        (3, {"bounds": (1, 30)}, "31"),
        (3, {"bounds": (1, 30)}, "2.5"),
        (0.0, {"bounds": (0.0, 2.0), "step": 0.25}, "0.3"),
        (0.0, {"bounds": (0.0, 2.0), "step": 0.25}, "nan"),
        ((1, 15), {"bounds": (1, 30)}, "9,3"),
        (16, {"choices": (2, 4, 8, 16, 256)}, "1e30"),
        (["a"], {"choices": ("a", "b")}, "a,[x](https://evil.example)"),
        (False, {}, "yes"),
    ],
)
def test_the_codec_rejects_what_is_not_a_value(default, kwargs, raw):
    assert S.codec(default, **kwargs).decode(raw) is None


def test_each_setting_is_declared_once_with_all_it_needs():
    assert tuple(f.name for f in fields(S.Settings)) == S.KEYS
    assert S.Settings() == S.Settings(**{s.key: s.default for s in S.TABLE})
    for s in S.TABLE:
        if not s.widget:
            continue
        assert s.label and s.name and s.help, s.key
        if s.choices is not None:
            assert s.default in s.choices, s.key
            if s.labels is not None:
                assert set(s.labels) == set(s.choices), s.key
        else:
            assert isinstance(s.default, bool) or s.bounds is not None, s.key


def test_the_sidebar_is_drawn_from_the_table():
    at = page("pages/1_Centroids.py", dataset="mnist").run()
    assert not at.exception, at.exception
    drawn = {}
    for kind in ("selectbox", "radio", "select_slider", "slider", "toggle", "number_input"):
        for w in getattr(at.sidebar, kind):
            drawn[w.key] = w
    for s in S.TABLE:
        if not s.widget:
            assert s.key not in drawn
            continue
        assert s.key in drawn, s.key
        assert drawn[s.key].label == s.label and drawn[s.key].help == s.help, s.key
        if s.choices is not None and s.key != "init":
            assert list(drawn[s.key].options) == [s.text(c) for c in s.choices], s.key


SCRIPT = """
import streamlit as st

from ui.sidebar import page_control, page_state, restore_state, sidebar

if "given" in st.session_state:
    restore_state(st.session_state["given"])
sidebar()
page_control(st.slider, "Level", key="level", default=3, min_value=0, max_value=9)
page_control(st.radio, "Shape", key="shape", default="dot", options=["dot", "ring"])
st.session_state["state"] = page_state()
"""


@pytest.fixture
def state_app(tmp_path):
    """A home page of its own beside the app's real pages (the sidebar links to them)."""
    from tests.conftest import ROOT

    (tmp_path / "app.py").write_text(SCRIPT)
    (tmp_path / "pages").symlink_to(ROOT / "pages")
    return str(tmp_path / "app.py")


def test_the_state_of_a_page_is_one_value_taken_and_restored(state_app):
    first = AppTest.from_file(state_app, default_timeout=60)
    first.query_params.update({"k": "7", "init": "maxmin", "level": "5", "shape": "ring"})
    first.run()
    assert not first.exception, first.exception
    state = first.session_state["state"]
    assert state.settings.k == 7 and state.settings.init == "maxmin"
    assert dict(state.controls) == {"level": "5", "shape": "ring"}
    # As a link, and back.
    again, rejected = S.PageState.from_query(state.page, state.to_query(), ["level", "shape"])
    assert again == state and rejected == []
    # In another session: the same state.
    second = AppTest.from_file(state_app, default_timeout=60)
    second.session_state["given"] = state
    second.run()
    assert not second.exception, second.exception
    assert second.session_state["state"] == state
    assert second.slider(key="level").value == 5 and second.sidebar.slider(key="k").value == 7


@pytest.mark.usefixtures("fresh_caches")
def test_hierarchical_label_follows_the_metric():
    at = page("pages/2_Elbow.py", dataset="blobs", init="hierarchical", elbow_range="2,4").run()
    assert "Hierarchical (Ward)" in texts(at)
    at.sidebar.radio(key="metric").set_value("l1").run()
    assert "Hierarchical (average linkage)" in texts(at)
    assert "Hierarchical (Ward)" not in texts(at)
