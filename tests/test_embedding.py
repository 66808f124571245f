"""kmcore's t-SNE helper on small data: shape, determinism, progress, placing centroids."""

from __future__ import annotations

import numpy as np
import pytest

import kmcore
from kmcore import embedding


@pytest.fixture(scope="module")
def three_blobs():
    rng = np.random.default_rng(0)
    X = np.concatenate([10 * np.eye(10)[j] + rng.normal(size=(40, 10)) for j in range(3)])
    return X, np.repeat(np.arange(3), 40)


@pytest.fixture(scope="module")
def fitted(three_blobs):
    X, _ = three_blobs
    seen = []
    m = kmcore.tsne_map(
        X, perplexity=10, random_state=1, callback=lambda d, t, c: seen.append((d, t, c.shape))
    )
    return m, seen


def test_map_has_one_point_per_row_and_is_centred(three_blobs, fitted):
    X, _ = three_blobs
    m, _ = fitted
    assert m.coords.shape == (len(X), 2) and m.coords.dtype == np.float32
    middle = (m.coords.max(axis=0) + m.coords.min(axis=0)) / 2
    np.testing.assert_allclose(middle, 0, atol=1e-3)
    assert np.isfinite(m.kl_divergence)


def test_progress_is_reported_to_the_end(fitted):
    _, seen = fitted
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and done[-1] == seen[-1][1] == 750
    assert all(shape == (120, 2) for _, _, shape in seen)


def test_same_seed_same_map(three_blobs, fitted):
    X, _ = three_blobs
    again = kmcore.tsne_map(X, perplexity=10, random_state=1)
    np.testing.assert_allclose(again.coords, fitted[0].coords, rtol=1e-5, atol=1e-4)


def test_blobs_stay_apart_and_centroids_land_on_their_blob(three_blobs, fitted):
    X, y = three_blobs
    m, _ = fitted
    before = m.coords.copy()
    centres = np.stack([X[y == j].mean(axis=0) for j in range(3)])
    placed = m.place(centres)
    np.testing.assert_array_equal(m.coords, before)  # the map itself never moves
    blob_middles = np.stack([np.median(m.coords[y == j], axis=0) for j in range(3)])
    nearest = np.argmin(((placed[:, None] - blob_middles[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(nearest, [0, 1, 2])


def test_rebuilt_map_places_like_the_fitted_one(three_blobs, fitted):
    X, y = three_blobs
    m, _ = fitted
    rebuilt = kmcore.with_affinities(m.coords, X, perplexity=10, random_state=1)
    centres = np.stack([X[y == j].mean(axis=0) for j in range(3)])
    a, b = m.place(centres), rebuilt.place(centres)
    spread = np.ptp(m.coords, axis=0).max()
    assert np.abs(a - b).max() < 0.1 * spread


def test_too_few_points_for_the_perplexity():
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="at least 91 points"):
        kmcore.tsne_map(X, perplexity=30)


def test_identical_rows_are_explained():
    X = np.ones((200, 4))
    X[:3] += np.arange(3)[:, None]
    with pytest.raises(ValueError, match="only 3 of the 200 points are distinct"):
        embedding.check_tsne_input(X, 30)
