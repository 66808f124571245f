"""The experiment grid runner: one row per cell, the right fields, stopping, PCA."""

from __future__ import annotations

import numpy as np
import pytest

import kmcore


@pytest.fixture(scope="module")
def digits():
    ds = kmcore.load_dataset("digits")
    return ds.X, ds.y, ds.class_names


def test_one_row_per_cell_with_the_fields(digits):
    X, y, names = digits
    bal = kmcore.balance(X, y, random_state=0)
    calls = []
    res = kmcore.run_grid(
        {"all": (X, y), "balanced": bal},
        inits=["random", "maxmin"],
        metrics=["l2", "l1"],
        ks=[8, 10],
        seeds=[0, 1],
        progress=lambda d, t, c: calls.append((d, t, c)),
    )
    assert res.complete and len(res.cells) == 2 * 2 * 2 * 2
    assert calls[-1][:2] == (32, 32)
    rows = kmcore.grid_rows(res, names)
    assert len(rows) == len(res.cells)
    expected = {
        "data",
        "init",
        "metric",
        "k",
        "runs",
        "iterations (mean)",
        "hit max iterations (runs)",
        "iterations (range)",
        "inertia (mean)",
        "no centroid (runs)",
        "empty clusters",
        "purity",
        "ARI",
        "seconds (mean)",
        "note",
    }
    for row, cell in zip(rows, res.cells, strict=True):
        assert set(row) == expected
        assert row["runs"] == 2 and len(cell.n_iter) == 2
        assert min(cell.n_iter) <= row["iterations (mean)"] <= max(cell.n_iter)
        assert 0 < row["purity"] <= 1 and -1 <= row["ARI"] <= 1
        assert cell.centers.shape == (cell.k, 64) and cell.init_centers.shape == (cell.k, 64)
    combos = {(c.data, c.init, c.metric, c.k) for c in res.cells}
    assert len(combos) == 16


def test_cells_match_single_runs(digits):
    X, y, _ = digits
    res = kmcore.run_grid(
        {"all": (X, y)}, inits=["k-means++"], metrics=["l2"], ks=[10], seeds=[4, 5], tol=0.05
    )
    cell = res.cells[0]
    for seed, n_iter, inertia in zip(cell.seeds, cell.n_iter, cell.inertia, strict=True):
        single = kmcore.kmeans(X, 10, init="k-means++", tol=0.05, max_iter=100, random_state=seed)
        assert single.n_iter == n_iter and single.inertia == pytest.approx(inertia)
    ev = kmcore.evaluate(
        kmcore.kmeans(X, 10, init="k-means++", tol=0.05, max_iter=100, random_state=4).labels, y
    )
    assert cell.missing[0] == ev.missing_classes


def test_impossible_cells_are_reported_not_raised(digits):
    X, y, names = digits
    res = kmcore.run_grid(
        {"all": (X, y)}, inits=["per-class", "random"], metrics=["l2"], ks=[5], seeds=[0]
    )
    rows = kmcore.grid_rows(res, names)
    assert rows[0]["runs"] == 0 and "number of classes" in rows[0]["note"]
    assert rows[1]["runs"] == 1


def test_stopping_returns_what_is_done(digits):
    X, y, _ = digits
    polls = iter([False, False, False, True])
    res = kmcore.run_grid(
        {"all": (X, y)},
        inits=["random", "maxmin"],
        metrics=["l2", "l1"],
        ks=[10],
        seeds=[0, 1],
        should_stop=lambda: next(polls),
    )
    assert not res.complete
    assert sum(len(c.seeds) for c in res.cells) == 3


def test_pca_clusters_in_fewer_dimensions_and_projects_back(digits):
    X, y, _ = digits
    res = kmcore.run_grid(
        {"all": (X, y)}, inits=["random"], metrics=["l2"], ks=[10], seeds=[0], pca_components=10
    )
    cell = res.cells[0]
    assert cell.centers.shape == (10, 64) and res.pca_components == 10
    # Projected back, a centroid is still a digit-like image of roughly the data's range.
    assert -0.2 < cell.centers.min() and cell.centers.max() < 1.2
    assert np.mean(cell.purity) > 0.5
