"""The Centroids page under AppTest: compare view, starts chosen by hand, truthful notes."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def centroids(view="play", **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/1_Centroids.py")
    for key, value in query.items():
        at.query_params[key] = value
    if view != "play":
        at.query_params["view"] = view  # the view is in the link
    return at.run()


def panes(at) -> list[dict]:
    (player,) = at.get("bidi_component")
    return json.loads(player.proto.json)["panes"]


def test_compare_view_steps_two_runs_with_one_player():
    at = centroids("compare", dataset="digits", k="10", tol="0.0")
    assert not at.exception, at.exception
    a, b = panes(at)
    assert a["title"] == "A: Random data points · L2"
    assert b["title"] == "B: MaxMin (farthest first) · L2"
    assert a["n_iter"] == int(at.metric[0].value)
    assert len(a["missing"]) == a["n_iter"] and len(b["missing"]) == b["n_iter"]
    at.selectbox(key="compare_metric").set_value("linf").run()
    assert not at.exception
    a2, b2 = panes(at)
    assert a2 == a and b2["title"] == "B: MaxMin (farthest first) · L∞"
    assert b2["centers_z"] != b["centers_z"]


def test_starts_placed_by_hand_come_from_the_link():
    at = centroids(dataset="blobs", k="3", starts="p0.100,0.200,0.500,0.500,0.900,0.800")
    assert not at.exception, at.exception
    (pane,) = panes(at)
    assert pane["centers"][:6] == pytest.approx([0.1, 0.2, 0.5, 0.5, 0.9, 0.8], abs=1e-4)
    shown = " ".join(c.value for c in at.caption)
    assert "starts chosen by hand: (0.100, 0.200), (0.500, 0.500), (0.900, 0.800)" in shown
    assert "starts chosen by hand" in at.caption[0].value  # the run's description says so


def test_starts_that_do_not_fit_k_are_a_warning_and_can_be_forgotten():
    at = centroids(dataset="blobs", k="4", starts="p0.1,0.2,0.5,0.5,0.9,0.8")
    assert not at.exception, at.exception
    assert "3 starts were chosen by hand but k = 4" in at.warning[0].value
    at.button[0].click().run()
    assert not at.exception and not at.warning
    assert "starts" not in at.query_params


def test_starting_images_picked_by_hand():
    at = centroids(dataset="digits", k="3", starts="i0,1,2")
    assert not at.exception, at.exception
    assert "images 0, 1, 2" in " ".join(c.value for c in at.caption)
    at = centroids("hand", dataset="digits", k="3")
    assert not at.exception, at.exception
    (pane,) = panes(at)
    assert pane["kind"] == "candidates" and len(pane["rows"]) == 60


def test_inertia_rose_note_appears_under_linf_not_l2():
    at = centroids(dataset="digits", k="10", metric="linf", tol="0.0")
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "Inertia rose at step" in notes and "L∞ assignment" in notes
    at = centroids(dataset="digits", k="10", metric="l2", tol="0.0")
    assert not any("Inertia rose" in i.value for i in at.info)


def test_what_a_centroid_is_depends_on_the_update_rule():
    at = centroids(dataset="digits", k="5", update="median")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "median" in text and "is the average" not in text
    at = centroids(dataset="digits", k="5")
    assert "is the average" in " ".join(m.value for m in at.markdown)
