"""Pages under Streamlit's AppTest: they run, widgets drive them, settings persist and travel."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import page
from ui import registry
from ui.sidebar import plain

# Every page but Experiments (its grid and presets have tests of their own).
PAGES = [p.path for p in registry.PAGES if p.address != "Experiments"]


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def values(data) -> list:
    """A plotly array from a chart spec (plain list, or base64 typed array)."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def fingerprint(at: AppTest) -> str:
    """Everything a page shows that depends on the settings: text, metrics, chart specs."""
    parts = [m.value for m in at.metric]
    parts += [c.value for c in at.caption] + [e.value for e in at.warning]
    parts += [e.value for e in at.success] + [e.value for e in at.info]
    parts += [e.proto.spec for e in at.get("plotly_chart")]
    return json.dumps(parts, default=str)


@pytest.mark.parametrize("path", PAGES)
def test_page_runs_on_the_default(path):
    at = page(path).run()
    assert not at.exception, at.exception
    assert at.title
    if path not in ("app.py", "pages/6_Experiments.py"):
        assert at.get("plotly_chart"), "no chart drawn"
    if path not in IMAGE_PAGES:  # no data set there: see the next test
        assert at.sidebar.selectbox(key="dataset").value == "digits"


IMAGE_PAGES = ("pages/4_Compression.py", "pages/5_Segmentation.py")


@pytest.mark.parametrize("path", IMAGE_PAGES)
def test_image_pages_show_only_the_settings_that_act_on_them(path):
    at = page(path, k="7", dataset="moons").run()
    assert not at.exception, at.exception
    drawn = {w.key for w in at.sidebar if getattr(w, "key", None)}
    assert "seed" in drawn
    assert not drawn & {"dataset", "k", "balance"}, drawn
    assert any("act on the other pages" in c.value for c in at.sidebar.caption)
    # what is not drawn is kept: in the link, and on the next page
    assert at.query_params["k"] == "7" and at.query_params["dataset"] == "moons"
    at.switch_page("pages/1_Centroids.py").run()
    assert at.sidebar.slider(key="k").value == 7
    assert at.sidebar.selectbox(key="dataset").value == "moons"


CHANGES = [
    ("selectbox", "dataset", "blobs"),
    ("slider", "k", 7),
    ("selectbox", "init", "maxmin"),
    ("radio", "metric", "l1"),
    ("toggle", "balance", True),
    ("select_slider", "tol", 0.0),
    ("number_input", "seed", 3),
    ("select_slider", "max_iter", 10),
    ("radio", "update", "median"),
    ("radio", "empty", "farthest"),
]


@pytest.mark.parametrize(("kind", "key", "value"), CHANGES, ids=[c[1] for c in CHANGES])
def test_each_sidebar_widget_changes_the_centroids_page(kind, key, value):
    at = page("pages/1_Centroids.py", init="noise").run()
    before = fingerprint(at)
    getattr(at.sidebar, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert getattr(at.sidebar, kind)(key=key).value == value
    assert fingerprint(at) != before, f"changing {key} changed nothing"
    assert at.query_params[key] == str(int(value) if isinstance(value, bool) else value)


def test_split_and_sample_drive_mnist(shared_data, monkeypatch):
    monkeypatch.setenv("KMLAB_DATA_DIR", str(shared_data))
    at = page("pages/1_Centroids.py", dataset="mnist", split="test", sample="1000").run()
    assert not at.exception, at.exception
    assert "1,000 points" in at.caption[0].value
    at.sidebar.select_slider(key="sample").set_value(2000).run()
    assert "2,000 points" in at.caption[0].value
    assert at.sidebar.radio(key="split").value == "test"


def test_value_survives_a_page_switch():
    at = page("pages/1_Centroids.py").run()
    at.sidebar.slider(key="k").set_value(6).run()
    at.sidebar.selectbox(key="init").set_value("k-means++").run()
    at.switch_page("pages/2_Elbow.py").run()
    assert not at.exception, at.exception
    assert at.sidebar.slider(key="k").value == 6
    assert at.sidebar.selectbox(key="init").value == "k-means++"
    at.switch_page("app.py").run()
    assert at.sidebar.slider(key="k").value == 6


def test_query_string_sets_the_sidebar():
    at = page(
        "pages/1_Centroids.py",
        dataset="moons",
        k="3",
        init="maxmin",
        metric="linf",
        tol="0.01",
        seed="42",
        balance="1",
    ).run()
    assert not at.exception, at.exception
    sb = at.sidebar
    assert sb.selectbox(key="dataset").value == "moons"
    assert sb.slider(key="k").value == 3
    assert sb.selectbox(key="init").value == "maxmin"
    assert sb.radio(key="metric").value == "linf"
    assert sb.select_slider(key="tol").value == 0.01
    assert sb.number_input(key="seed").value == 42
    assert sb.toggle(key="balance").value is True


def test_bad_query_values_are_ignored_and_reported():
    at = page("pages/1_Centroids.py", k="999", init="magic", metric="l2").run()
    assert not at.exception, at.exception
    assert at.sidebar.slider(key="k").value == 10
    assert at.sidebar.selectbox(key="init").value == "random"
    notes = [w.value for w in at.sidebar.warning]
    assert any(plain("k=999") in n and plain("init=magic") in n for n in notes), notes


def test_sidebar_writes_the_query_string():
    at = page("app.py").run()
    assert at.query_params["dataset"] == "digits"
    at.sidebar.slider(key="k").set_value(12).run()
    assert at.query_params["k"] == "12"


def test_centroids_page_shows_missing_classes_and_empty_clusters():
    at = page("pages/1_Centroids.py", k="5").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "No centroid for" in warning
    at = page("pages/1_Centroids.py", dataset="blobs", k="4").run()
    assert not at.exception
    (player,) = at.get("bidi_component")
    (pane,) = json.loads(player.proto.json)["panes"]
    assert pane["n_iter"] == int(at.metric[0].value)
    assert len(pane["centers"]) == (pane["n_iter"] + 1) * 4 * 2  # every step's centres


def test_impossible_setting_is_a_message_not_a_traceback():
    at = page("pages/1_Centroids.py", k="5", init="per-class").run()
    assert not at.exception, at.exception
    assert at.error and "cannot run" in at.error[0].value
    at.sidebar.selectbox(key="init").set_value("random").run()
    assert not at.exception and not at.error


def test_missing_mnist_offers_the_offline_default():
    at = page("pages/1_Centroids.py", dataset="mnist").run()
    assert not at.exception, at.exception
    assert at.error and "t10k-images-idx3-ubyte.gz" in at.error[0].value
    at.button[0].click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="dataset").value == "digits"
    assert at.sidebar.slider(key="k").value == 10
    assert at.get("plotly_chart")


def test_elbow_page_marks_the_knee_and_the_current_k():
    at = page("pages/2_Elbow.py", dataset="blobs", k="4").run()
    assert not at.exception, at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t.get("name", "") for t in spec["data"]]
    assert "your k = 4" in names
    text = " ".join(e.value for e in [*at.success, *at.info])
    assert "knee" in text.lower()
    at.slider(key="elbow_range").set_value((2, 6)).run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    mean = next(t for t in spec["data"] if t.get("name") == "mean WCSS")
    assert values(mean["x"]) == [2, 3, 4, 5, 6]


def test_elbow_survives_a_second_visit():
    """A second session hits the caches that the first filled (no replay errors)."""
    for path in ("pages/2_Elbow.py",):
        first = page(path).run()
        assert not first.exception, first.exception
        second = page(path).run()
        assert not second.exception, second.exception
        assert fingerprint(second) == fingerprint(first)


def _png(array) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def test_compression_page_quantises_an_upload():
    at = page("pages/4_Compression.py").run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "16"
    at.radio(key="compress_source").set_value("upload").run()
    assert not at.exception and at.info  # asks for a file
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    at.file_uploader(key="compress_upload").set_value(("noise.png", _png(img), "image/png")).run()
    assert not at.exception, at.exception
    assert not at.error
    captions = [img.caption for e in at.get("image") for img in e.proto.imgs]
    assert any("80 × 60" in c for c in captions), captions
    at.select_slider(key="colors").set_value(4).run()
    assert at.metric[0].value == "4" and at.metric[1].value == "24 → 2"


def test_compression_page_survives_a_hostile_upload():
    at = page("pages/4_Compression.py", k="7").run()
    at.radio(key="compress_source").set_value("upload").run()
    at.file_uploader(key="compress_upload").set_value(
        ("evil.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    ).run()
    assert not at.exception, at.exception
    assert at.error and "cannot be used" in at.error[0].value and "damaged" in at.error[0].value
    assert at.query_params["k"] == "7"  # nothing the user set is lost
    at.radio(key="compress_source").set_value("flower").run()
    assert not at.exception and not at.error
    assert at.metric[0].value == "16"


def test_compression_page_caps_k_at_the_distinct_colours():
    at = page("pages/4_Compression.py").run()
    at.radio(key="compress_source").set_value("upload").run()
    img = np.zeros((20, 20, 3), np.uint8)
    img[:, 10:] = 255
    at.file_uploader(key="compress_upload").set_value(("two.png", _png(img), "image/png")).run()
    assert not at.exception, at.exception
    assert any("only 2 colours" in w.value for w in at.warning)
    assert at.metric[0].value == "2"


def test_segmentation_page_draws_each_feature_set():
    at = page("pages/5_Segmentation.py").run()
    assert not at.exception, at.exception
    captions = [img.caption for e in at.get("image") for img in e.proto.imgs]
    assert captions[0] == "Original" and len(captions) == 4
    assert any(c.startswith("Texture") for c in captions)
    at.multiselect(key="features").set_value(["hsv"]).run()
    captions = [img.caption for e in at.get("image") for img in e.proto.imgs]
    assert len(captions) == 2 and captions[1].startswith("Colour (HSV)")
    at.multiselect(key="features").set_value([]).run()
    assert not at.exception and at.warning


def test_segmentation_page_rejects_a_text_file_and_recovers():
    at = page("pages/5_Segmentation.py").run()
    at.radio(key="segment_source").set_value("upload").run()
    at.file_uploader(key="segment_upload").set_value(("notes.png", b"hello", "image/png")).run()
    assert not at.exception, at.exception
    assert at.error and "not an image" in at.error[0].value
    at.radio(key="segment_source").set_value("china").run()
    assert not at.exception and not at.error


def test_experiments_page_runs_a_small_grid_and_shows_a_cell():
    at = page("pages/6_Experiments.py").run()
    assert not at.exception, at.exception
    at.multiselect(key="exp_inits").set_value(["random", "maxmin"])
    at.multiselect(key="exp_metrics").set_value(["l2"])
    at.select_slider(key="exp_seeds").set_value(2).run()
    assert not at.dataframe  # nothing runs until asked
    at.button(key="exp_run").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert len(table) == 2 and list(table["runs"]) == [2, 2]
    assert set(table["init"]) == {"Random data points", "MaxMin (farthest first)"}
    assert {"iterations (mean)", "no centroid (runs)", "purity", "ARI"} <= set(table.columns)


def test_experiments_refuses_an_oversized_grid():
    at = page("pages/6_Experiments.py").run()
    at.multiselect(key="exp_ks").set_value([5, 10, 15, 20])
    at.multiselect(key="exp_data").set_value(["balanced", "all"])
    at.select_slider(key="exp_seeds").set_value(10).run()
    assert not at.exception, at.exception
    assert at.warning and "limit" in at.warning[0].value
    assert not any(b.key == "exp_run" for b in at.button)


def test_preset_sets_the_sidebar_and_opens_centroids(shared_data, monkeypatch):
    monkeypatch.setenv("KMLAB_DATA_DIR", str(shared_data))
    at = page("pages/6_Experiments.py").run()
    at.button(key="preset_fig7").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Centroids"
    sb = at.sidebar
    assert sb.selectbox(key="dataset").value == "mnist"
    assert sb.selectbox(key="init").value == "maxmin"
    assert sb.slider(key="k").value == 10 and sb.radio(key="split").value == "test"
    assert at.query_params["init"] == "maxmin"
    assert "10,000 points" in at.caption[0].value


def test_the_image_choice_travels_in_the_link():
    at = page("pages/4_Compression.py", compress_source="flower").run()
    assert not at.exception, at.exception
    assert at.radio(key="compress_source").value == "flower"
    assert any("Original" in i.caption for e in at.get("image") for i in e.proto.imgs)
    at.radio(key="compress_source").set_value("china").run()
    assert "compress_source" not in at.query_params  # the default keeps links short
    at.radio(key="compress_source").set_value("upload").run()
    assert at.query_params["compress_source"] == "upload"


# ---- the compression page's settings and experiments ---------------------------------------


def _main_caption(at: AppTest) -> str:
    return [i.caption for e in at.get("image") for i in e.proto.imgs][1]


def test_compression_widgets_show_the_values_in_use():
    at = page(
        "pages/4_Compression.py",
        colors="64",
        iters="12",
        space="lab",
        init="k-means++",
        tol="0.01",
        seed="3",
    ).run()
    assert not at.exception, at.exception
    assert at.select_slider(key="colors").value == 64 and at.slider(key="iters").value == 12
    assert at.radio(key="space").value == "lab"
    sb = at.sidebar
    assert (
        sb.selectbox(key="init").value == "k-means++" and sb.select_slider(key="tol").value == 0.01
    )
    assert sb.number_input(key="seed").value == 3
    assert _main_caption(at) == "64 colours (6 bits per pixel); start: k-means++; CIELAB"
    assert at.metric[0].value == "64"
    stop = next(c.value for c in at.caption if "iterations" in c.value)
    assert "of 12 iterations" in stop or "all 12 iterations" in stop, stop
    assert "0.01 (1 ΔE)" in stop or "all 12" in stop  # the tolerance in CIELAB units
    at.select_slider(key="colors").set_value(8).run()
    at.radio(key="space").set_value("rgb").run()
    at.slider(key="iters").set_value(3).run()
    assert _main_caption(at) == "8 colours (3 bits per pixel); start: k-means++; RGB"
    stop = next(c.value for c in at.caption if "iteration" in c.value)
    assert "3" in stop, stop
    assert at.query_params["colors"] == "8" and at.query_params["iters"] == "3"


def test_compression_offers_only_the_starts_that_fit_pixels():
    at = page("pages/4_Compression.py", init="per-class").run()
    assert not at.exception, at.exception
    init = at.sidebar.selectbox(key="init")
    assert "per-class" not in init.options and init.value == "random"
    assert "start: random pixels;" in _main_caption(at)
    assert any("does not apply on this page" in c.value for c in at.sidebar.caption)
    assert at.query_params["init"] == "per-class"  # the other pages keep it


def test_compression_k_and_iterations_survive_an_upload():
    at = page("pages/4_Compression.py").run()
    at.select_slider(key="colors").set_value(2).run()
    at.slider(key="iters").set_value(7).run()
    at.radio(key="compress_source").set_value("upload").run()
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    at.file_uploader(key="compress_upload").set_value(("n.png", _png(img), "image/png")).run()
    assert not at.exception, at.exception
    assert at.select_slider(key="colors").value == 2 and at.slider(key="iters").value == 7
    assert _main_caption(at).startswith("2 colours")


def test_the_article_button_sets_the_random_start_and_no_tolerance():
    at = page("pages/4_Compression.py", init="maxmin").run()
    at.button(key="article_settings").click().run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="init").value == "random"
    assert at.sidebar.select_slider(key="tol").value == 0.0
    stop = next(c.value for c in at.caption if "iteration" in c.value)
    assert "30" in stop, stop  # 30 iterations run, or stopped when nothing changed


def _small_upload(at: AppTest) -> None:
    img = np.ascontiguousarray(kmcore_sample("china")[::4, ::4])
    at.radio(key="compress_source").set_value("upload").run()
    at.file_uploader(key="compress_upload").set_value(("c.png", _png(img), "image/png")).run()


def kmcore_sample(name):
    import kmcore

    return kmcore.sample_image(name)


def test_compression_tabs_draw_the_experiments():
    at = page("pages/4_Compression.py").run()
    _small_upload(at)
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label.startswith("Download the iterations (GIF") for label in labels), labels
    at.session_state["compress_tab"] = "Gallery of k"
    at.run()
    captions = [i.caption for e in at.get("image") for i in e.proto.imgs]
    assert [c for c in captions if c.startswith("k = ") and "after" not in c] == [
        f"k = {k}" for k in (16, 32, 64, 128, 256)
    ]
    assert sum("after" in c for c in captions) == 2  # the palettes at 64 and 256
    at.session_state["compress_tab"] = "Against pngquant & Pillow"
    at.run()
    assert not at.exception, at.exception
    methods = list(at.dataframe[0].value["method"])
    assert "libimagequant" in methods and "median cut" in methods and len(methods) == 6
    assert not at.get("download_button")  # the closed Iterations tab did not run


def test_compression_outlier_tab_says_what_it_computed():
    at = page("pages/4_Compression.py").run()
    at.session_state["compress_tab"] = "Outlier colour"
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="story_seed").value == 10
    text = " ".join(m.value for m in at.markdown)
    assert "**k = 16**, seed 10" in text and "**washed out**" in text
    assert "**k = 64**, seed 10" in text and "**kept**" in text
    assert at.get("plotly_chart")


def test_an_upload_is_kept_as_its_picture_not_its_file():
    """After an upload the page keeps the reduced picture (cached by the file's SHA-256)
    and lets the file go: later runs show the picture with "Upload another" instead of the
    uploader; "Upload another" brings the uploader back; a picture that has left the
    cache asks for the file again."""
    from ui.results import budget

    at = page("pages/4_Compression.py").run()
    at.radio(key="compress_source").set_value("upload").run()
    img = np.random.default_rng(1).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    at.file_uploader(key="compress_upload").set_value(("mine.png", _png(img), "image/png")).run()
    assert not at.exception and not at.error
    at.select_slider(key="colors").set_value(4).run()
    assert not at.exception, at.exception
    assert not at.get("file_uploader")
    assert any("mine.png" in c.value for c in at.caption)
    assert at.metric[0].value == "4"
    captions = [i.caption for e in at.get("image") for i in e.proto.imgs]
    assert any("40 × 30" in c for c in captions), captions
    at.button(key="compress_upload_again").click().run()
    assert at.get("file_uploader") and at.info  # asks for a file again
    # The same file again, then the picture leaves the cache: the page says so.
    at.file_uploader(key="compress_upload_1").set_value(("mine.png", _png(img), "image/png"))
    at.run()  # the upload's run reruns at once: the kept picture, no uploader
    assert not at.get("file_uploader")
    budget.store("images").clear()
    at.run()
    assert any("Upload it again" in w.value for w in at.warning)
    assert at.get("file_uploader")


def test_a_file_name_never_reaches_markdown():
    """Refusals no longer name the file (the uploader shows it); the kept picture's caption
    quotes it in a code span."""
    name = "[x](https://evil.example) www.evil.example.png"
    at = page("pages/4_Compression.py").run()
    at.radio(key="compress_source").set_value("upload").run()
    at.file_uploader(key="compress_upload").set_value((name, b"not an image", "image/png")).run()
    assert at.error and "cannot be used" in at.error[0].value
    assert "evil" not in at.error[0].value
    img = np.full((8, 8, 3), 90, np.uint8)
    at.file_uploader(key="compress_upload").set_value((name, _png(img), "image/png")).run().run()
    caption = next(c.value for c in at.caption if "Your upload" in c.value)
    assert f"`{name}`" in caption


def test_one_colour_is_said_in_the_singular():
    import kmcore

    q = kmcore.quantize(np.full((10, 10, 3), 7, np.uint8), 4)
    assert any("only 1 colour:" in n for n in q.notes), q.notes


def test_home_says_the_sum_can_rise_only_under_l1_linf_or_median():
    at = page("app.py").run()
    assert not any("may go up" in i.value for i in at.info)
    at.sidebar.radio(key="metric").set_value("linf").run()
    assert any("L∞ assignment" in i.value and "may go up" in i.value for i in at.info)
    at.sidebar.radio(key="metric").set_value("l2").run()
    at.sidebar.radio(key="update").set_value("median").run()
    assert any("the median update" in i.value for i in at.info)
