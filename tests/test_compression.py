"""The compression engine: starts, tolerance, colour spaces, gallery, GIF, outlier, peers."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

import kmcore
from kmcore import colour, compression, image_metrics, peers, quantize_report
from kmcore.compression import KEPT_DE, STORY_ITER, STORY_SEED
from kmcore.lloyd import STOP_TOL
from kmcore.quantize import QUANTIZE_INITS
from kmcore.reef import ORANGE


@pytest.fixture(scope="module")
def small():
    """china.jpg at a quarter of its sides (107 x 160): size is not the point here."""
    return np.ascontiguousarray(kmcore.sample_image("china")[::4, ::4])


def _colours(image) -> set:
    return {tuple(c) for c in image.reshape(-1, 3).tolist()}


def test_random_starts_are_colours_of_pixels_of_the_image(small):
    q = kmcore.quantize(small, 16, init="random", max_iter=3, random_state=1)
    start = q.history[0]
    assert start.shape == (16, 3)
    np.testing.assert_array_equal(start, np.rint(start))  # whole levels: real pixel values
    assert {tuple(int(v) for v in c) for c in start} <= _colours(small)
    assert len({tuple(c) for c in start.tolist()}) == 16  # all different
    again = kmcore.quantize(small, 16, init="random", max_iter=3, random_state=1)
    other = kmcore.quantize(small, 16, init="random", max_iter=3, random_state=2)
    np.testing.assert_array_equal(again.history[0], start)
    assert not np.array_equal(other.history[0], start)


def test_random_starts_draw_pixels_not_distinct_colours():
    # 99% of the pixels are one grey, 1% are 99 other colours: a start drawn from pixels
    # nearly always has the grey; one drawn from the distinct colours nearly never does.
    img = np.full((100, 100, 3), 128, np.uint8)
    img[0, :99] = np.stack([np.arange(99), np.arange(99) * 2, 255 - np.arange(99)], 1)
    with_grey = sum(
        (128, 128, 128)
        in {
            tuple(c)
            for c in kmcore.quantize(img, 3, init="random", max_iter=0, random_state=s)
            .history[0]
            .astype(int)
            .tolist()
        }
        for s in range(20)
    )
    assert with_grey >= 18


@pytest.mark.parametrize("init", QUANTIZE_INITS)
def test_every_start_of_the_page_runs(small, init):
    q = kmcore.quantize(small, 8, init=init, max_iter=10, random_state=0)
    assert q.init == init and q.palette.shape == (8, 3)
    np.testing.assert_array_equal(q.palette[q.indices], q.image)
    assert q.n_iter == len(q.history) - 1 <= 10
    assert q.psnr > 15


def test_bad_settings_name_the_parameter(small):
    with pytest.raises(ValueError, match="per-class"):
        kmcore.quantize(small, 4, init="per-class")
    for kwargs, name in [
        ({"init": "kmeans"}, "init"),
        ({"colour_space": "hsv"}, "colour_space"),
        ({"tol": -0.1}, "tol"),
        ({"max_iter": -1}, "max_iter"),
        ({"n_init": 0}, "n_init"),
        ({"n_init": "many"}, "n_init"),
    ]:
        with pytest.raises(ValueError, match=name):
            kmcore.quantize(small, 4, **kwargs)


def _shifts(q) -> np.ndarray:
    h = np.asarray(q.history, np.float64)
    return np.sqrt(((h[1:] - h[:-1]) ** 2).sum(-1)).max(-1)


def test_the_tolerance_is_in_colour_units_as_in_the_sidebar(small):
    q = kmcore.quantize(small, 16, init="random", max_iter=50, tol=0.02, random_state=0)
    assert q.stop_reason == STOP_TOL
    shifts = _shifts(q)
    assert shifts[-1] <= 0.02 * 255 < shifts[-2]  # 5.1 levels, not 0.02 levels
    full = kmcore.quantize(small, 16, init="random", max_iter=12, tol=0.0, random_state=0)
    assert full.n_iter == 12 or _shifts(full)[-1] == 0


def test_quantizing_fits_all_the_pixels_as_well_as_scikit_learn(small):
    from sklearn.cluster import KMeans

    px = small.reshape(-1, 3).astype(np.float64)
    km = KMeans(16, n_init=2, random_state=0).fit(px)
    palette = np.clip(np.rint(km.cluster_centers_), 0, 255).astype(np.uint8)
    theirs = image_metrics.psnr(small, palette[km.labels_].reshape(small.shape))
    assert kmcore.quantize(small, 16, random_state=0).psnr >= theirs - 0.05


@pytest.mark.parametrize("name", ["china", "flower", "reef"])
def test_quality_ahead_of_libimagequant_and_median_cut(name):
    img = np.ascontiguousarray(kmcore.sample_image(name)[::2, ::2])
    for k in (16, 64):
        ours = kmcore.quantize(img, k, random_state=0).psnr
        idx, pal = peers.liq_quantize(img, k)
        assert idx.max() < len(pal) <= k
        assert ours >= image_metrics.psnr(img, pal[idx]) + 0.2, (name, k)
        assert ours >= image_metrics.psnr(img, peers.pillow_quantize(img, k, "median cut")) + 1.0


def test_cielab_round_trip_and_delta_e():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (50_000, 3), dtype=np.uint8)
    corners = np.array([[r, g, b] for r in (0, 255) for g in (0, 255) for b in (0, 255)])
    rgb = np.vstack([rgb, corners.astype(np.uint8)])
    np.testing.assert_array_equal(colour.lab_to_rgb8(colour.rgb_to_lab(rgb)), rgb)
    np.testing.assert_allclose(
        colour.rgb_to_lab(np.uint8([[255, 255, 255]])), [[100, 0, 0]], atol=1e-4
    )
    np.testing.assert_allclose(
        colour.rgb_to_lab(np.uint8([[255, 0, 0]])), [[53.2408, 80.0925, 67.2032]], atol=1e-3
    )
    assert np.all(colour.delta_e(rgb, rgb) == 0)
    img = rgb[:50_000].reshape(200, 250, 3)
    assert colour.mean_delta_e(img, img) == 0
    assert colour.mean_delta_e(img, img // 2) > 5


def test_quantizing_in_cielab_trades_psnr_for_delta_e(small):
    rgb = kmcore.quantize(small, 16, random_state=0)
    lab = kmcore.quantize(small, 16, colour_space="lab", random_state=0)
    assert lab.colour_space == "lab"
    np.testing.assert_array_equal(lab.palette[lab.indices], lab.image)
    assert colour.mean_delta_e(small, lab.image) < colour.mean_delta_e(small, rgb.image)
    assert lab.psnr < rgb.psnr


def test_gallery_counts_bits_factors_and_real_bytes(small):
    entries = kmcore.gallery(small, init="random", max_iter=5, random_state=0)
    assert [e.n_colors for e in entries] == [16, 32, 64, 128, 256]
    assert [e.bits for e in entries] == [4, 5, 6, 7, 8]
    assert [round(e.factor, 1) for e in entries] == [6.0, 4.8, 4.0, 3.4, 3.0]
    assert [e.psnr for e in entries] == sorted(e.psnr for e in entries)
    for e in entries:
        back = np.asarray(Image.open(io.BytesIO(e.png)).convert("RGB"))
        assert back.shape == small.shape and len(_colours(back)) <= e.n_colors
        assert image_metrics.psnr(small, back) == pytest.approx(e.psnr)
        assert _colours(back) <= {tuple(c) for c in e.palette.tolist()}


def test_the_gif_decodes_to_one_frame_per_iteration(small):
    q = kmcore.quantize(small, 8, init="random", max_iter=6, tol=0.0, random_state=0)
    rep = kmcore.quantization_report(small, q)
    gif = Image.open(io.BytesIO(rep.gif))
    assert gif.format == "GIF" and gif.n_frames == len(q.history) == len(rep.frame_pngs)
    frames, _ = quantize_report.preview_frames(small, q)
    for i, expected in enumerate(frames):
        gif.seek(i)
        np.testing.assert_array_equal(np.asarray(gif.convert("RGB")), expected)


def test_the_outlier_is_washed_out_at_16_colours_and_kept_at_64():
    """The article's observation, at the story's seed on the reef (full size: the story
    depends on how few orange pixels there are)."""
    reef = kmcore.sample_image("reef")
    k16, k64 = (
        compression.outlier_trace(reef, ORANGE, k, random_state=STORY_SEED) for k in (16, 64)
    )
    assert len(k16.distance) == STORY_ITER + 1
    assert k16.picked and k16.distance[0] < 3  # an orange pixel's colour is a start
    assert k16.distance[-1] > KEPT_DE and not k16.kept  # ... and is washed out
    assert k64.kept and k64.distance[-1] < 3  # at 64 colours the orange stays
    # the distance is the ΔE to the nearest palette colour of that iteration
    assert k16.distance[-1] == pytest.approx(colour.delta_e(k16.nearest[-1], ORANGE), abs=1.5)


def test_the_reef_is_drawn_the_same_every_time_with_small_fish():
    a, b = kmcore.sample_image("reef"), kmcore.sample_image("reef")
    np.testing.assert_array_equal(a, b)
    from kmcore.reef import fish_mask

    assert 0.005 < fish_mask().mean() < 0.02  # a small saturated object: 0.5-2% of pixels


def test_compare_measures_every_peer_with_one_encoder(small):
    rows = kmcore.compare(small, 16)
    assert [r.method for r in rows][1:] == list(kmcore.PEERS)
    for r in rows:
        assert 1 <= r.n_colors <= 16 and r.png_bytes > 0 and r.seconds >= 0
        assert math.isfinite(r.psnr) and 0 < r.ssim <= 1 and r.delta_e > 0
    by = {r.method: r for r in rows}
    assert by["k-means (lab default)"].psnr > by["median cut"].psnr


def test_the_story_traces_the_palettes_quantize_goes_through(small):
    from kmcore.quantize import palette_histories

    q = kmcore.quantize(small, 8, init="random", max_iter=5, tol=0.0, random_state=4)
    (history,) = palette_histories(small, 8, [4], max_iter=5)
    np.testing.assert_allclose(np.asarray(history), np.asarray(q.history), atol=1e-3)
    story = kmcore.outlier_story(small, ORANGE, seeds=3, max_iter=5)
    t = story.traces(16)[2]
    assert story.seeds == 3 and t.seed == 2 and len(t.distance) <= 6
    assert story.kept(16) == sum(x.kept for x in story.traces(16))
