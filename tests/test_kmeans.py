"""kmcore.kmeans: parity with scikit-learn, invariants, validation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans

import kmcore
from kmcore.lloyd import STOP_MAX_ITER, STOP_TOL, STOP_UNCHANGED, _kmeans_single

CDIST = {"l1": "cityblock", "l2": "euclidean", "linf": "chebyshev"}


@pytest.mark.parametrize("seed", range(5))
def test_same_result_as_sklearn_from_same_start(blobs, seed):
    X, _ = blobs
    C0 = X[np.random.default_rng(seed).choice(len(X), 8, replace=False)]
    ours = kmcore.kmeans(X, 8, init=C0, tol=0)
    ref = KMeans(8, init=C0, n_init=1, tol=0, algorithm="lloyd").fit(X)
    np.testing.assert_array_equal(ours.labels, ref.labels_)
    np.testing.assert_allclose(ours.centers, ref.cluster_centers_, rtol=1e-10, atol=1e-10)
    assert ours.inertia == pytest.approx(ref.inertia_, rel=1e-10)
    assert ours.n_iter == ref.n_iter_
    assert ours.converged and ours.stop_reason == STOP_UNCHANGED


def test_same_result_as_sklearn_on_mnist(shared_data):
    ds = kmcore.load_dataset("mnist", "test", shared_data)
    X = ds.X[:3000].astype(np.float64)
    C0 = X[np.random.default_rng(0).choice(len(X), 10, replace=False)]
    ours = kmcore.kmeans(X, 10, init=C0, tol=0)
    ref = KMeans(10, init=C0, n_init=1, tol=0, algorithm="lloyd").fit(X)
    assert np.mean(ours.labels == ref.labels_) > 0.999
    assert ours.inertia == pytest.approx(ref.inertia_, rel=1e-6)


def test_float32_mnist_from_the_same_start_as_sklearn(shared_data):
    """float32 sums round differently from scikit-learn's, so exactness is not promised;
    on the whole MNIST test split the runs agree (the README states what was measured)."""
    X = kmcore.load_dataset("mnist", "test", shared_data).X
    C0 = kmcore.kmeans(X, 10, init="random", random_state=1, max_iter=1).init_centers
    ours = kmcore.kmeans(X, 10, init=C0, tol=0)
    ref = KMeans(10, init=C0, n_init=1, tol=0, algorithm="lloyd").fit(X)
    assert X.dtype == np.float32
    assert np.mean(ours.labels == ref.labels_) >= 0.995
    assert ours.inertia == pytest.approx(ref.inertia_, rel=1e-4)


data_2d = arrays(
    np.float64,
    st.tuples(st.integers(12, 60), st.integers(1, 4)),
    elements=st.floats(-100, 100, allow_nan=False, width=32),
)


@settings(max_examples=60, deadline=None)
@given(X=data_2d, k=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_inertia_never_rises_under_l2(X, k, seed):
    assume(kmcore.validation.n_distinct_rows(X) >= k)
    res = kmcore.kmeans(X, k, random_state=seed, init="random")
    inertias = [h.inertia for h in res.history] + [res.inertia]
    scale = 1e-9 * (1 + np.abs(X).max() ** 2 * len(X))
    assert all(b <= a + scale for a, b in itertools.pairwise(inertias))


@settings(max_examples=60, deadline=None)
@given(
    X=data_2d,
    k=st.integers(1, 5),
    seed=st.integers(0, 2**16),
    metric=st.sampled_from(kmcore.METRICS),
    update=st.sampled_from(kmcore.UPDATE_RULES),
    empty=st.sampled_from(kmcore.EMPTY_POLICIES),
)
def test_labels_are_nearest_centres(X, k, seed, metric, update, empty):
    assume(kmcore.validation.n_distinct_rows(X) >= k)
    res = kmcore.kmeans(
        X, k, random_state=seed, metric=metric, update=update, empty=empty, max_iter=20
    )
    d = cdist(X, res.centers, CDIST[metric])
    own = d[np.arange(len(X)), res.labels]
    np.testing.assert_allclose(own, d.min(axis=1), rtol=1e-9, atol=1e-9)
    sq = ((X - res.centers[res.labels]) ** 2).sum()
    assert res.inertia == pytest.approx(sq, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("init", kmcore.INIT_METHODS)
@pytest.mark.parametrize("metric", kmcore.METRICS)
def test_same_seed_same_run(blobs, init, metric):
    X, y = blobs
    a = kmcore.kmeans(X, 5, init=init, metric=metric, labels=y, random_state=7, tol=0.01)
    b = kmcore.kmeans(X, 5, init=init, metric=metric, labels=y, random_state=7, tol=0.01)
    np.testing.assert_array_equal(a.init_centers, b.init_centers)
    np.testing.assert_array_equal(a.centers, b.centers)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert [h.inertia for h in a.history] == [h.inertia for h in b.history]


def test_different_seeds_differ(blobs):
    X, _ = blobs
    starts = {kmcore.kmeans(X, 5, random_state=s).init_centers.tobytes() for s in range(5)}
    assert len(starts) > 1


@settings(max_examples=40, deadline=None)
@given(X=data_2d, k=st.integers(2, 5), seed=st.integers(0, 2**16),
       metric=st.sampled_from(kmcore.METRICS))  # fmt: skip
def test_maxmin_is_farthest_first(X, k, seed, metric):
    assume(kmcore.validation.n_distinct_rows(X) >= k)
    C = kmcore.kmeans(X, k, init="maxmin", metric=metric, random_state=seed, max_iter=1)
    C = C.init_centers
    for j in range(1, k):
        nearest = cdist(X, C[:j], CDIST[metric]).min(axis=1)
        chosen = cdist(C[j : j + 1], C[:j], CDIST[metric]).min()
        assert chosen == pytest.approx(nearest.max(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("k", [5, 10, 12])
def test_per_class_takes_one_of_each_class(blobs, k):
    X, y = blobs
    res = kmcore.kmeans(X, k, init="per-class", labels=y, random_state=3, max_iter=1)
    rows = [np.flatnonzero((X == c).all(axis=1)) for c in res.init_centers]
    assert all(len(r) >= 1 for r in rows)
    classes = [y[r[0]] for r in rows]
    counts = np.bincount(classes, minlength=5)
    assert counts.min() >= k // 5 and counts.max() <= -(-k // 5)
    assert len({tuple(c) for c in res.init_centers}) == k


@settings(max_examples=40, deadline=None)
@given(X=data_2d, k=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_noise_lies_within_data_range(X, k, seed):
    assume(kmcore.validation.n_distinct_rows(X) >= k)
    C = kmcore.kmeans(X, k, init="noise", random_state=seed, max_iter=1).init_centers
    assert (C >= X.min(axis=0)).all() and (C <= X.max(axis=0)).all()


def test_random_init_draws_distinct_points_despite_duplicates():
    X = np.array([[0.0, 0.0]] * 50 + [[1.0, 1.0], [2.0, 2.0]])
    for seed in range(10):
        C = kmcore.kmeans(X, 3, random_state=seed, max_iter=1).init_centers
        assert len(np.unique(C, axis=0)) == 3


def test_hierarchical_starts_near_the_blobs(blobs):
    X, y = blobs
    res = kmcore.kmeans(X, 5, init="hierarchical", random_state=0, max_iter=1)
    means = np.stack([X[y == c].mean(axis=0) for c in range(5)])
    assert cdist(res.init_centers, means).min(axis=1).max() < 1.0


def test_tolerance_stops_when_no_centre_moves_farther(blobs):
    X, _ = blobs
    res = kmcore.kmeans(X, 5, init="noise", random_state=1, tol=0.5)
    shifts = [h.shift for h in res.history]
    assert res.stop_reason in (STOP_TOL, STOP_UNCHANGED)
    assert all(s > 0.5 for s in shifts[:-1])
    if res.stop_reason == STOP_TOL:
        assert shifts[-1] <= 0.5


def test_max_iter_is_respected_and_reported(blobs):
    X, _ = blobs
    res = kmcore.kmeans(X, 5, init="noise", random_state=1, max_iter=2)
    assert res.n_iter == 2 and not res.converged and res.stop_reason == STOP_MAX_ITER


def test_history_is_consistent(blobs):
    X, _ = blobs
    res = kmcore.kmeans(X, 5, random_state=2)
    assert len(res.history) == res.n_iter
    assert res.history[0].n_changed == len(X)
    prev = res.init_centers
    for h in res.history:
        moved = np.sqrt(((h.centers - prev) ** 2).sum(axis=1)).max()
        assert h.shift == pytest.approx(moved)
        assert h.labels.dtype == np.uint8
        prev = h.centers
    np.testing.assert_array_equal(res.centers_at(res.n_iter), res.centers)
    np.testing.assert_array_equal(res.centers_at(0), res.init_centers)


def test_inputs_not_mutated_and_results_read_only(blobs):
    X, _ = blobs
    before = X.copy()
    C0 = X[:5].copy()
    res = kmcore.kmeans(X, 5, init=C0)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(C0, X[:5])
    with pytest.raises(ValueError):
        res.centers[0, 0] = 1.0


def test_empty_cluster_kept_or_moved_to_farthest_point():
    X = np.array([[0.0], [0.1], [0.2], [10.0], [10.1]])
    C0 = np.array([[0.1], [10.0], [1000.0]])
    keep = kmcore.kmeans(X, 3, init=C0, empty="keep")
    assert keep.history[0].empty == (2,)
    assert keep.centers[2, 0] == 1000.0
    assert keep.sizes[2] == 0
    far = kmcore.kmeans(X, 3, init=C0, empty="farthest")
    assert far.history[0].empty == (2,)
    assert far.history[0].centers[2, 0] in X[:, 0]
    assert (far.sizes > 0).all()


@pytest.mark.parametrize(
    ("X", "C0"),
    [
        (np.array([[0.0], [0.1], [0.2], [10.0], [10.1]]), np.array([[0.1], [10.0], [1000.0]])),
        (
            np.concatenate(
                [
                    np.random.default_rng(0).normal(0, 1, (100, 2)),
                    np.random.default_rng(1).normal(8, 1, (100, 2)),
                ]
            ),
            np.array([[0.0, 0.0], [8.0, 8.0], [50.0, 50.0], [60.0, -60.0]]),
        ),
    ],
    ids=["one-empty", "two-empty"],
)
def test_farthest_relocation_matches_sklearn(X, C0):
    k = len(C0)
    first = kmcore.kmeans(X, k, init=C0, empty="farthest", max_iter=1)
    assert first.history[0].empty, "the start must leave a cluster empty"
    ref1 = KMeans(k, init=C0, n_init=1, max_iter=1, tol=0, algorithm="lloyd").fit(X)
    # The relocated point leaves its old cluster's mean (scikit-learn's
    # _relocate_empty_clusters_dense), in one iteration and over the whole run.
    np.testing.assert_allclose(first.history[0].centers, ref1.cluster_centers_, atol=1e-12)
    run = kmcore.kmeans(X, k, init=C0, empty="farthest", tol=0)
    ref = KMeans(k, init=C0, n_init=1, tol=0, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(run.centers, ref.cluster_centers_, atol=1e-12)
    np.testing.assert_array_equal(run.labels, ref.labels_)
    assert run.n_iter == ref.n_iter_


def test_farthest_relocation_under_the_median_update():
    X = np.array([[0.0], [0.1], [0.2], [10.0], [10.1]])
    res = kmcore.kmeans(X, 3, init=[[0.1], [10.0], [1000.0]], empty="farthest", update="median")
    step = res.history[0]
    # 0.2 is farthest from its centre (0.1); it seeds the empty cluster and
    # leaves its old cluster, whose median is then that of 0.0 and 0.1.
    assert step.centers[2, 0] == 0.2
    assert step.centers[0, 0] == pytest.approx(0.05)


def test_predict_gives_the_nearest_final_centre(blobs):
    X, _ = blobs
    for metric in kmcore.METRICS:
        res = kmcore.kmeans(X, 5, metric=metric, random_state=0, max_iter=3)
        np.testing.assert_array_equal(res.predict(X), res.labels)
        new = X[:7] + 0.01
        expect = cdist(new, res.centers, CDIST[metric]).argmin(axis=1)
        np.testing.assert_array_equal(res.predict(new), expect)
    with pytest.raises(ValueError, match="features"):
        res.predict(X[:, :2])


@pytest.mark.parametrize(("value", "dtype"), [(1e200, np.float64), (3e38, np.float32)])
def test_data_whose_squares_overflow_is_rejected(value, dtype):
    X = np.zeros((6, 3), dtype=dtype)
    X[0] = value
    X[1] = -value
    with pytest.raises(ValueError, match="overflow"):
        kmcore.kmeans(X, 2)


def test_median_update_is_k_medians():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (51, 3)), rng.normal(20, 1, (51, 3))])
    X[0] = 9.0  # an outlier drags the mean, not the median
    res = kmcore.kmeans(X, 2, update="median", metric="l1", random_state=0)
    for j in range(2):
        np.testing.assert_allclose(res.centers[j], np.median(X[res.labels == j], axis=0))


def test_float32_stays_float32():
    ds = kmcore.load_dataset("digits")
    res = kmcore.kmeans(ds.X, 10, random_state=0)
    assert res.centers.dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"init": "per-class"}, "labels"),
        ({"init": "bogus"}, "'bogus'"),
        ({"metric": "cosine"}, "'cosine'"),
        ({"update": "mode"}, "'mode'"),
        ({"empty": "drop"}, "'drop'"),
        ({"tol": -1}, "-1"),
        ({"max_iter": 0}, "0"),
        ({"init": np.zeros((2, 2))}, "(2, 2)"),
        ({"tol": "0.1"}, "tol"),
        ({"tol": float("nan")}, "tol"),
        ({"random_state": 1e30}, "random_state"),
        ({"random_state": -1}, "random_state"),
        ({"max_iter": 2.5}, "max_iter"),
    ],
)
def test_bad_settings_raise_naming_the_value(blobs, kwargs, fragment):
    X, _ = blobs
    with pytest.raises(ValueError) as info:
        kmcore.kmeans(X, 5, **kwargs)
    assert fragment in str(info.value)


def test_k_larger_than_samples_or_distinct_points():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="n_clusters=4"):
        kmcore.kmeans(X, 4)
    with pytest.raises(ValueError, match="distinct"):
        kmcore.kmeans(X, 3)
    assert kmcore.kmeans(X, 2, random_state=0).inertia == 0.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_data_rejected(bad):
    X = np.ones((5, 2))
    X[2, 1] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        kmcore.kmeans(X, 2)


def test_per_class_needs_enough_k(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="number of classes"):
        kmcore.kmeans(X, 3, init="per-class", labels=y)


def test_l1_assignment_memory_is_bounded():
    import tracemalloc

    X = np.random.default_rng(0).random((60_000, 784), dtype=np.float32)
    C = X[:10].copy()
    tracemalloc.start()
    kmcore.nearest_centers(X, C, "l1")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # X is 188 MB; the distance blocks must stay a small fraction of it.
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_refined_starts_sit_near_the_blobs(blobs):
    X, y = blobs
    res = kmcore.kmeans(X, 5, init="refined", random_state=0, max_iter=1)
    means = np.stack([X[y == c].mean(axis=0) for c in range(5)])
    # One refined start per blob, each far closer to its blob than the blobs are to each other.
    d = cdist(means, res.init_centers)
    assert sorted(d.argmin(axis=1)) == list(range(5))
    separation = cdist(means, means)[~np.eye(5, dtype=bool)].min()
    assert d.min(axis=1).max() < separation / 4
    again = kmcore.kmeans(X, 5, init="refined", random_state=0, max_iter=1)
    np.testing.assert_array_equal(res.init_centers, again.init_centers)


def test_weights_count_a_point_as_that_many_copies():
    """_kmeans_single with sample_weight (the colour cells of quantize) runs as the
    unweighted kernel on the points repeated that many times."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 3))
    counts = rng.integers(1, 6, size=60)
    start = X[:5]
    weighted = _kmeans_single(X, start, max_iter=30, sample_weight=counts * 1.0)
    repeated = _kmeans_single(np.repeat(X, counts, axis=0), start, max_iter=30)
    np.testing.assert_allclose(weighted.centers, repeated.centers, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(np.repeat(weighted.labels, counts), repeated.labels)
    assert weighted.inertia == pytest.approx(repeated.inertia, rel=1e-9)
    assert weighted.n_iter == repeated.n_iter
    assert [s.inertia for s in weighted.history] == pytest.approx(
        [s.inertia for s in repeated.history], rel=1e-9
    )


def test_a_relocated_weighted_point_leaves_its_old_mean_with_all_its_weight():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    w = np.array([1.0, 1.0, 4.0])
    start = np.array([[0.0, 0.0], [100.0, 100.0]])  # the second centre gets no point
    res = _kmeans_single(X, start, empty="farthest", max_iter=1, sample_weight=w)
    assert res.history[0].empty == (1,)
    np.testing.assert_array_equal(res.centers, [[0.5, 0.0], [10.0, 0.0]])


def test_centers_path_holds_the_start_and_every_step():
    X = np.random.default_rng(0).normal(size=(80, 2))
    res = kmcore.kmeans(X, 3, random_state=0)
    path = res.centers_path()
    assert path.shape == (res.n_iter + 1, 3, 2)
    np.testing.assert_array_equal(path[0], res.init_centers)
    np.testing.assert_array_equal(path[-1], res.history[-1].centers)
