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
