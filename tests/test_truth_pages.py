"""Truth pass under AppTest: links carry page controls; statements follow the settings."""

from __future__ import annotations

import pytest

from tests.apptest import page
from ui.sidebar import inert

pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(parts)


# ---- links reproduce page controls ----------------------------------------------------------


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


# ---- statements that depend on the settings ---------------------------------------------------


def test_home_says_the_sum_can_rise_only_under_l1_linf_or_median():
    at = page("app.py").run()
    assert not any("may go up" in i.value for i in at.info)
    at.sidebar.radio(key="metric").set_value("linf").run()
    assert any("L∞ assignment" in i.value and "may go up" in i.value for i in at.info)
    at.sidebar.radio(key="metric").set_value("l2").run()
    at.sidebar.radio(key="update").set_value("median").run()
    assert any("the median update" in i.value for i in at.info)


def test_elbow_rose_note_appears_only_when_the_sweep_rose():
    import kmcore

    X = kmcore.load_dataset("uniform").X
    expected = kmcore.elbow(
        X, range(1, 31), n_init=1, init="random", tol=0.05, max_iter=100, random_state=3
    ).rises
    assert expected, "this sweep should rise somewhere"
    risen = page(
        "pages/2_Elbow.py", dataset="uniform", elbow_range="1,30", elbow_n_init="1", seed="3"
    ).run()
    assert not risen.exception, risen.exception
    notes = [w.value for w in risen.warning if "rose at k =" in w.value]
    assert notes and f"rose at k = {', '.join(map(str, expected))}**" in notes[0]
    flat = page("pages/2_Elbow.py", dataset="uniform", elbow_range="1,5", elbow_n_init="3").run()
    assert not flat.exception, flat.exception
    assert not any("rose at k =" in w.value for w in flat.warning)


def test_hierarchical_label_follows_the_metric():
    at = page("pages/2_Elbow.py", dataset="blobs", init="hierarchical", elbow_range="2,4").run()
    assert "Hierarchical (Ward)" in texts(at)
    at.sidebar.radio(key="metric").set_value("l1").run()
    assert "Hierarchical (average linkage)" in texts(at)
    assert "Hierarchical (Ward)" not in texts(at)


def test_tsne_help_gives_the_share_of_the_split(shared_data, monkeypatch):
    monkeypatch.setenv("KMLAB_DATA_DIR", str(shared_data))
    at = page(
        "pages/3_t-SNE.py", dataset="mnist", split="test", sample="1000", k="3", tsne_points="1000"
    )
    at.run(timeout=600)
    assert not at.exception, at.exception
    help_text = at.select_slider(key="tsne_points").help
    assert "10,000 images, so 6,000 is 60% of it" in help_text


def test_experiments_flags_runs_that_hit_max_iterations():
    at = page(
        "pages/6_Experiments.py",
        max_iter="10",
        tol="0.0",
        exp_inits="noise",
        exp_metrics="linf",
        exp_seeds="2",
    ).run()
    assert not at.exception, at.exception
    at.button(key="exp_run").click().run()
    assert not at.exception, at.exception
    capped = [w.value for w in at.warning if "stopped at the limit of 10 iterations" in w.value]
    assert capped and capped[0].startswith("**2 runs")
    at.sidebar.select_slider(key="max_iter").set_value(300).run()
    at.button(key="exp_run").click().run()
    assert not any("stopped at the limit" in w.value for w in at.warning)
