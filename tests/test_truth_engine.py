"""Truth pass (issue 13), engine side: the elbow's streams, the grid's non-converged runs."""

from __future__ import annotations

import numpy as np
import pytest

import kmcore


@pytest.fixture(scope="module")
def digits():
    ds = kmcore.load_dataset("digits")
    return ds.X, ds.y


def test_elbow_curve_is_the_same_with_and_without_the_silhouette(digits):
    X, _ = digits
    args = dict(n_init=2, init="random", tol=0.0, random_state=0)
    plain = kmcore.elbow(X, range(1, 9), **args)
    with_sil = kmcore.elbow(X, range(1, 9), silhouette_sample=300, **args)
    np.testing.assert_array_equal(plain.inertia, with_sil.inertia)
    assert plain.knee == with_sil.knee
    assert plain.silhouette is None
    assert np.isfinite(with_sil.silhouette[1:]).all()


def test_elbow_silhouette_stream_is_reproducible(digits):
    X, _ = digits
    a = kmcore.elbow(X, [2, 3], n_init=1, random_state=5, silhouette_sample=200)
    b = kmcore.elbow(X, [2, 3], n_init=1, random_state=5, silhouette_sample=200)
    np.testing.assert_array_equal(a.silhouette, b.silhouette)
    np.testing.assert_array_equal(a.inertia, b.inertia)


def test_elbow_rises_lists_the_k_where_the_mean_went_up():
    res = kmcore.ElbowResult(
        np.array([1, 2, 3, 4]),
        np.zeros((4, 1)),
        np.array([10.0, 6.0, 7.0, 5.0]),
        np.zeros(4),
        np.ones(4),
        np.zeros(4),
        None,
        "",
    )
    assert res.rises == (3,)


def test_grid_counts_runs_that_hit_max_iter(digits):
    X, y = digits
    res = kmcore.run_grid(
        {"all": (X, y)},
        inits=["random"],
        metrics=["l2"],
        ks=[10],
        seeds=[0, 1, 2],
        tol=0.0,
        max_iter=2,
    )
    cell = res.cells[0]
    assert cell.converged == (False, False, False)
    row = kmcore.grid_rows(res, [str(i) for i in range(10)])[0]
    assert row["hit max iterations (runs)"] == 3
    loose = kmcore.run_grid(
        {"all": (X, y)}, inits=["random"], metrics=["l2"], ks=[10], seeds=[0], max_iter=300
    )
    assert loose.cells[0].converged == (True,)
    assert kmcore.grid_rows(loose, [str(i) for i in range(10)])[0]["hit max iterations (runs)"] == 0


# ---- typed numbers in prose, recomputed ------------------------------------------------------

SKY = (slice(10, 90), slice(380, 620))  # temple photo: clear sky, top right
WATER = (slice(235, 290), slice(380, 540))  # the lake behind the temple


def _sky_and_water_together(img, k, features, seed=0, metric="l2", init="k-means++") -> bool:
    labels = kmcore.segment(img, k, features=features, metric=metric, init=init, random_state=seed)
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
    labels = kmcore.segment(img, 4, features="rgb", init=init, random_state=0)
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


def test_sidebar_download_size_of_mnist_test(shared_data):
    """ui/sidebar.py says the MNIST test split is about 1.7 MB to download."""
    from ui.sidebar import HELP

    size = sum(f.stat().st_size for f in (shared_data / "mnist").glob("t10k-*.gz"))
    assert f"test {size / 1e6:.1f} MB" in HELP["dataset"]
    assert "test 1.7 MB" in HELP["dataset"]
