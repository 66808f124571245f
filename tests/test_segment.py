"""Leung-Malik filters, FFT responses, and segmentation of images whose segments are known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import fftconvolve
from sklearn.metrics import adjusted_rand_score

import kmcore


@pytest.fixture(scope="module")
def bank():
    return kmcore.lm_filter_bank()


def test_bank_shape_and_normalisation(bank):
    assert bank.shape == (49, 49, 48)
    structural = bank[:, :, :44]
    np.testing.assert_allclose(structural.sum(axis=(0, 1)), 0, atol=1e-12)
    np.testing.assert_allclose(np.abs(structural).sum(axis=(0, 1)), 1)
    np.testing.assert_allclose(bank[:, :, 44:].sum(axis=(0, 1)), 1)
    assert len(kmcore.FILTER_NAMES) == 48


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
    R = kmcore.filter_responses(img, bank)
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
        labels = kmcore.segment(img, 2, features=feats, random_state=0)
        assert labels.shape == truth.shape
        assert adjusted_rand_score(truth.ravel(), labels.ravel()) == 1.0


def test_texture_separates_what_colour_cannot():
    img, truth = _halves(_stripes(False), _stripes(True))
    # Both halves hold the same two colours in the same amounts.
    assert abs(img[:, :64].mean() - img[:, 64:].mean()) < 1
    colour = kmcore.segment(img, 2, features="rgb", random_state=0)
    texture = kmcore.segment(img, 2, features="texture", random_state=0)
    assert _score(colour, truth) < 0.1
    assert _score(texture, truth) > 0.9


def test_large_images_are_segmented_at_a_working_size():
    img = np.zeros((600, 900, 3), np.uint8)
    img[:, 450:] = 255
    labels = kmcore.segment(img, 2, features="rgb", random_state=0, working_pixels=20_000)
    assert labels.shape == (600, 900)
    assert len(np.unique(labels[:, :440])) == 1 and len(np.unique(labels[:, 460:])) == 1
    assert labels[0, 0] != labels[0, -1]


def test_segments_numbered_by_size_and_same_seed_same_labels():
    img = kmcore.sample_image("flower")
    a = kmcore.segment(img, 4, features="hsv", random_state=5)
    b = kmcore.segment(img, 4, features="hsv", random_state=5)
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
        kmcore.segment(img, 3)
    with pytest.raises(ValueError, match="features"):
        kmcore.segment(img, 2, features="depth")
