"""Leung-Malik filters, FFT responses, and segmentation of images whose segments are known."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy.signal import fftconvolve
from sklearn.metrics import adjusted_rand_score

import kmcore
from kmcore import texture
from kmcore.segment import hsv_cylinder, pixel_features, segment


@pytest.fixture(scope="module")
def bank():
    return kmcore.lm_filter_bank()


def test_bank_shape_and_normalisation(bank):
    assert bank.shape == (49, 49, 48)
    structural = bank[:, :, :44]
    np.testing.assert_allclose(structural.sum(axis=(0, 1)), 0, atol=1e-12)
    np.testing.assert_allclose(np.abs(structural).sum(axis=(0, 1)), 1)
    np.testing.assert_allclose(bank[:, :, 44:].sum(axis=(0, 1)), 1)
    assert len(texture.FILTER_NAMES) == 48


def test_edges_are_odd_bars_and_blobs_even(bank):
    flipped = bank[::-1, ::-1, :]
    np.testing.assert_allclose(flipped[:, :, :18], -bank[:, :, :18], atol=1e-12)
    np.testing.assert_allclose(flipped[:, :, 18:], bank[:, :, 18:], atol=1e-12)


def test_orientations_are_rotations(bank):
    # Orientation 3 of each scale is orientation 0 turned by 90 degrees (angles grow
    # clockwise on screen, where rows run downwards).
    for first in (0, 6, 12, 18, 24, 30):
        np.testing.assert_allclose(
            np.rot90(bank[:, :, first], -1), bank[:, :, first + 3], atol=1e-9
        )
        assert not np.allclose(bank[:, :, first], bank[:, :, first + 3], atol=1e-3)


def test_larger_scales_are_wider(bank):
    def spread(f):
        w = np.abs(f)
        yy, xx = np.mgrid[-24:25, -24:25]
        return float((w * (xx**2 + yy**2)).sum() / w.sum())

    assert spread(bank[:, :, 0]) < spread(bank[:, :, 6]) < spread(bank[:, :, 12])
    assert spread(bank[:, :, 44]) < spread(bank[:, :, 47])


def test_fft_responses_match_direct_convolution(bank):
    img = np.random.default_rng(0).random((60, 80))
    R = texture.filter_responses(img, bank)
    padded = np.pad(img, 24, mode="reflect")
    for j in (0, 20, 40, 47):
        ref = fftconvolve(padded, bank[:, :, j], mode="same")[24:-24, 24:-24]
        np.testing.assert_allclose(R[:, :, j], ref, atol=1e-5)


def _halves(left, right, h=96, w=128):
    img = np.empty((h, w, 3), np.uint8)
    img[:, : w // 2] = left[:, : w // 2]
    img[:, w // 2 :] = right[:, w // 2 :]
    truth = np.zeros((h, w), int)
    truth[:, w // 2 :] = 1
    return img, truth


def _stripes(vertical, h=96, w=128, period=6):
    yy, xx = np.mgrid[0:h, 0:w]
    on = ((xx if vertical else yy) // (period // 2)) % 2
    return np.repeat((on * 255).astype(np.uint8)[..., None], 3, axis=2)


def _score(labels, truth, margin=12):
    # Ignore a band around the border between the halves, where filters see both.
    w = truth.shape[1]
    keep = np.ones_like(truth, bool)
    keep[:, w // 2 - margin : w // 2 + margin] = False
    return adjusted_rand_score(truth[keep], labels[keep])


def test_colour_segments_two_colours():
    red = np.full((96, 128, 3), (200, 30, 30), np.uint8)
    blue = np.full((96, 128, 3), (30, 30, 200), np.uint8)
    img, truth = _halves(red, blue)
    for feats in ("rgb", "hsv"):
        labels = segment(img, 2, features=feats, random_state=0)
        assert labels.shape == truth.shape
        assert adjusted_rand_score(truth.ravel(), labels.ravel()) == 1.0


def test_texture_separates_what_colour_cannot():
    img, truth = _halves(_stripes(False), _stripes(True))
    # Both halves hold the same two colours in the same amounts.
    assert abs(img[:, :64].mean() - img[:, 64:].mean()) < 1
    colour = segment(img, 2, features="rgb", random_state=0)
    texture = segment(img, 2, features="texture", random_state=0)
    assert _score(colour, truth) < 0.1
    assert _score(texture, truth) > 0.9


def test_large_images_are_segmented_at_a_working_size():
    img = np.zeros((600, 900, 3), np.uint8)
    img[:, 450:] = 255
    labels = segment(img, 2, features="rgb", random_state=0, working_pixels=20_000)
    assert labels.shape == (600, 900)
    assert len(np.unique(labels[:, :440])) == 1 and len(np.unique(labels[:, 460:])) == 1
    assert labels[0, 0] != labels[0, -1]


def test_segments_numbered_by_size_and_same_seed_same_labels():
    img = kmcore.sample_image("flower")
    a = segment(img, 4, features="hsv", random_state=5)
    b = segment(img, 4, features="hsv", random_state=5)
    np.testing.assert_array_equal(a, b)
    sizes = np.bincount(a.ravel())
    assert np.all(np.diff(sizes) <= 0)


def test_mean_colours_and_outlines():
    img = np.zeros((4, 4, 3), np.uint8)
    img[:, :2] = (10, 20, 30)
    img[:, 2:] = (100, 100, 100)
    img[0, 0] = (30, 40, 50)
    labels = np.zeros((4, 4), int)
    labels[:, 2:] = 1
    painted = kmcore.mean_colours(img, labels)
    np.testing.assert_array_equal(painted[3, 0], np.rint([12.5, 22.5, 32.5]))
    np.testing.assert_array_equal(painted[0, 3], [100, 100, 100])
    lined = kmcore.outlines(img, labels)
    assert (lined[:, 1] == (255, 255, 0)).all() and (lined[:, 3] == img[:, 3]).all()


def test_too_many_segments_for_the_pixels():
    img = np.zeros((10, 10, 3), np.uint8)
    img[:5] = 255
    with pytest.raises(ValueError, match="distinct pixels"):
        segment(img, 3)
    with pytest.raises(ValueError, match="features"):
        segment(img, 2, features="depth")


# ---- distances, updates and hue as an angle ------------------------------------------------


def _hsv_image(hues_deg, rng, shape=(48, 64)):
    """An RGB image whose pixels have hues drawn from ``hues_deg`` (strong, mid-bright colours)."""
    n = shape[0] * shape[1]
    hsv = np.empty((n, 3))
    hsv[:, 0] = (rng.choice(hues_deg, n) % 360) / 360 * 255
    hsv[:, 1] = rng.uniform(0.75, 1.0, n) * 255
    hsv[:, 2] = rng.uniform(0.6, 0.9, n) * 255
    img = Image.fromarray(np.rint(hsv).astype(np.uint8).reshape(*shape, 3), "HSV")
    return np.asarray(img.convert("RGB"))


def _reds_and_greens():
    """Left half: reds either side of hue 0 (350-359 and 0-10 degrees); right half: greens."""
    rng = np.random.default_rng(3)
    reds = _hsv_image(np.r_[350:360, 0:11], rng)
    greens = _hsv_image(np.arange(110, 131), rng)
    img, truth = _halves(reds, greens, h=48, w=64)
    hue = np.asarray(Image.fromarray(img).convert("HSV"))[..., 0]
    left = hue[:, :32]
    # Both ends of the hue range are there: a line would put them 255 apart.
    assert (left < 10).mean() > 0.3 and (left > 245).mean() > 0.3
    return img, truth


@pytest.mark.parametrize("metric", kmcore.METRICS)
def test_hsv_keeps_reds_across_hue_zero_in_one_segment(metric):
    img, truth = _reds_and_greens()
    labels = segment(img, 2, features="hsv", metric=metric, random_state=0)
    assert adjusted_rand_score(truth.ravel(), labels.ravel()) == 1.0


def test_hue_as_a_line_would_split_the_reds(monkeypatch):
    # The old features (h, s, v) / 255 on the same image: the reds near 255 get a segment of
    # their own and the reds near 0 join the greens; the test above would fail on them.
    import sys

    img, truth = _reds_and_greens()
    hue = np.asarray(Image.fromarray(img).convert("HSV"))[..., 0]
    module = sys.modules["kmcore.segment"]
    monkeypatch.setattr(
        module,
        "hsv_cylinder",
        lambda im: np.asarray(Image.fromarray(im).convert("HSV")).reshape(-1, 3) / 255.0,
    )
    for metric in kmcore.METRICS:
        labels = segment(img, 2, features="hsv", metric=metric, random_state=0)
        left = labels[:, :32]
        assert len(np.unique(left)) == 2
        assert len(np.unique(left[hue[:, :32] > 245])) == 1  # the high reds alone
        assert adjusted_rand_score(truth.ravel(), labels.ravel()) < 0.5


def test_hsv_cylinder_puts_greys_on_the_axis_and_hue_on_a_circle():
    img = np.array([[[255, 0, 0], [255, 0, 8], [255, 8, 0], [0, 255, 255], [90, 90, 90]]], np.uint8)
    F = hsv_cylinder(img)
    assert F.shape == (5, 3) and F.min() >= 0 and F.max() <= 1
    d = np.linalg.norm(F[:, None] - F[None], axis=2)
    assert d[0, 1] < 0.05 and d[0, 2] < 0.05  # reds just below and above hue 0
    np.testing.assert_allclose(d[0, 3], 1.0, atol=0.01)  # cyan: opposite on the wheel
    np.testing.assert_allclose(F[4, :2], [0.5, 0.5])  # grey: no hue


@pytest.fixture(scope="module")
def small_flower():
    img = kmcore.sample_image("flower")
    return np.asarray(Image.fromarray(img).resize((160, 107), Image.Resampling.BOX))


@pytest.mark.parametrize("features", kmcore.FEATURES)
@pytest.mark.parametrize("metric", kmcore.METRICS)
def test_every_pixel_joins_the_nearest_centre_under_the_metric(small_flower, features, metric):
    from scipy.spatial.distance import cdist

    seg = kmcore.segment_image(small_flower, 4, features=features, metric=metric, random_state=1)
    assert (seg.metric, seg.features, seg.update) == (metric, features, "mean")
    labels = seg.labels.ravel()
    assert seg.labels.shape == small_flower.shape[:2] and seg.labels.dtype == np.uint8
    sizes = np.bincount(labels, minlength=4)
    assert len(sizes) == 4 and sizes.min() > 0 and np.all(np.diff(sizes) <= 0)
    F = pixel_features(small_flower, features)
    name = {"l1": "cityblock", "l2": "euclidean", "linf": "chebyshev"}[metric]
    d = cdist(F, seg.centers, name)
    # Labels are nearest centres (up to float32 ties) under this metric...
    chosen = d[np.arange(len(F)), labels]
    assert np.all(chosen <= d.min(axis=1) + 1e-5)
    if metric != "l2":
        # ... and not under L2: the same centres would take some pixels elsewhere.
        assert np.any(cdist(F, seg.centers).argmin(axis=1) != labels)


@pytest.mark.parametrize("features", ["rgb", "hsv"])
def test_distance_changes_the_segments_of_a_photo_but_not_of_flat_colours(small_flower, features):
    runs = {
        m: segment(small_flower, 4, features=features, metric=m, random_state=0)
        for m in kmcore.METRICS
    }
    assert kmcore.agreement(runs["l2"], runs["l1"]) < 0.99
    assert kmcore.agreement(runs["l2"], runs["linf"]) < 0.99
    red = np.full((32, 48, 3), (200, 30, 30), np.uint8)
    blue = np.full((32, 48, 3), (30, 30, 200), np.uint8)
    img, truth = _halves(red, blue, h=32, w=48)
    for m in kmcore.METRICS:
        labels = segment(img, 2, features=features, metric=m, random_state=0)
        assert adjusted_rand_score(truth.ravel(), labels.ravel()) == 1.0


def test_median_update_gives_median_centres_and_records_its_settings(small_flower):
    seg = kmcore.segment_image(
        small_flower, 3, features="rgb", metric="l1", update="median", random_state=0
    )
    assert (seg.metric, seg.update, seg.init) == ("l1", "median", "k-means++")
    mean = segment(small_flower, 3, features="rgb", metric="l1", random_state=0)
    assert kmcore.agreement(seg.labels, mean) < 1.0
    with pytest.raises(ValueError, match="read-only"):
        seg.centers[0, 0] = 0


@pytest.mark.parametrize("init", ["random", "maxmin", "k-means++"])
def test_starts_for_pixels_and_same_seed_same_labels(small_flower, init):
    a = segment(small_flower, 3, features="hsv", init=init, random_state=4)
    b = segment(small_flower, 3, features="hsv", init=init, random_state=4)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) == {0, 1, 2}


@pytest.mark.parametrize(
    ("name", "value"),
    [("metric", "cosine"), ("update", "mode"), ("init", "per-class"), ("features", "lab")],
)
def test_unknown_settings_name_the_parameter(small_flower, name, value):
    with pytest.raises(ValueError, match=name):
        kmcore.segment_image(small_flower, 3, **{name: value})


def test_agreement_ignores_numbering_and_counts_moved_pixels():
    a = np.array([[0, 0, 1, 1], [2, 2, 2, 2]])
    assert kmcore.agreement(a, (a + 1) % 3) == 1.0
    b = a.copy()
    b[0, 0] = 1
    assert kmcore.agreement(a, b) == 7 / 8
    with pytest.raises(ValueError, match="labels_b"):
        kmcore.agreement(a, a[:1])


SKY = (slice(10, 90), slice(380, 620))  # temple photo: clear sky, top right


WATER = (slice(235, 290), slice(380, 540))  # the lake behind the temple


def _sky_and_water_together(img, k, features, seed=0, metric="l2", init="k-means++") -> bool:
    labels = segment(img, k, features=features, metric=metric, init=init, random_state=seed)
    sky = np.bincount(labels[SKY].ravel()).argmax()
    water = np.bincount(labels[WATER].ravel()).argmax()
    return bool(sky == water)


@pytest.mark.parametrize("init", ["random", "k-means++"])
def test_segmentation_prose_about_sky_and_water_holds(init):
    """pages/5_Segmentation.py: at k = 4 (L2, seed 0, a random or k-means++ start) all three
    merge sky and open lake, RGB gives only the water at the left edge another segment; at
    k = 5 RGB and HSV split them; with L1, HSV still merges them at k = 7."""
    from sklearn.datasets import load_sample_image

    from ui.uploads import SAMPLES

    assert "china" in SAMPLES
    img = load_sample_image("china.jpg")
    for features in ("rgb", "hsv", "texture"):
        assert _sky_and_water_together(img, 4, features, init=init)
    labels = segment(img, 4, features="rgb", init=init, random_state=0)
    left_edge = labels[255:320, 0:60]
    sky = np.bincount(labels[SKY].ravel()).argmax()
    assert (left_edge != sky).mean() > 0.9  # "only the water at the left edge gets another"
    assert not _sky_and_water_together(img, 5, "rgb", init=init)
    assert not _sky_and_water_together(img, 5, "hsv", init=init)
    assert _sky_and_water_together(img, 7, "hsv", metric="l1", init=init)


def test_segmentation_distance_example_holds():
    """pages/5_Segmentation.py: a pixel 0.2 from centre A in all three channels and 0.3 from B
    in one is nearer to B under L1 (0.6 against 0.3) and L2 (0.35 against 0.3), to A under L∞."""
    from scipy.spatial.distance import cdist

    pixel = np.array([[0.5, 0.5, 0.5]])
    centres = np.array([[0.7, 0.7, 0.7], [0.5, 0.8, 0.5]])  # A, B
    nearest = {m: int(kmcore.nearest_centers(pixel, centres, m)[0][0]) for m in kmcore.METRICS}
    assert nearest == {"l1": 1, "l2": 1, "linf": 0}
    np.testing.assert_allclose(cdist(pixel, centres, "cityblock"), [[0.6, 0.3]])
    assert f"{cdist(pixel, centres)[0, 0]:.2f}" == "0.35"
    np.testing.assert_allclose(cdist(pixel, centres, "chebyshev"), [[0.2, 0.3]])


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_both_entry_points_check_the_seed_as_the_engine_does(seed):
    """segment and segment_image are one function now, with the engine's seed check."""
    img = np.zeros((8, 8, 3), np.uint8)
    img[:, 4:] = 255
    for fn in (segment, kmcore.segment_image):
        with pytest.raises(ValueError, match="random_state"):
            fn(img, 2, random_state=seed)


def test_segment_and_segment_image_give_the_same_labels(small_flower):
    a = segment(small_flower, 4, features="hsv", random_state=3)
    b = kmcore.segment_image(small_flower, 4, features="hsv", random_state=3)
    np.testing.assert_array_equal(a, b.labels)
