"""Label-aware evaluation and the elbow sweep."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

import kmcore
from kmcore.elbow import find_knee


def test_evaluate_finds_majorities_purity_and_missing_classes():
    y = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3])
    labels = np.array([0, 0, 1, 1, 1, 1, 1, 2, 2, 2])
    ev = kmcore.evaluate(labels, y, n_clusters=4, n_classes=4)
    np.testing.assert_array_equal(ev.sizes, [2, 5, 3, 0])
    np.testing.assert_array_equal(ev.majority, [0, 1, 2, -1])
    assert ev.purity[0] == 1.0 and ev.purity[1] == pytest.approx(2 / 5)
    assert np.isnan(ev.purity[3])
    assert ev.missing_classes == (3,)
    assert ev.overall_purity == pytest.approx((2 + 2 + 2) / 10)
    assert ev.ari == pytest.approx(adjusted_rand_score(y, labels))


def test_perfect_clustering_scores_one():
    y = np.repeat(np.arange(4), 5)
    ev = kmcore.evaluate((y + 1) % 4, y)
    assert ev.ari == pytest.approx(1) and ev.nmi == pytest.approx(1)
    assert ev.missing_classes == () and ev.overall_purity == 1


def test_elbow_finds_the_number_of_blobs():
    rng = np.random.default_rng(0)
    X = np.concatenate([20 * np.eye(5)[j] + rng.normal(size=(100, 5)) for j in range(5)])
    calls = []
    res = kmcore.elbow(X, range(1, 10), n_init=2, random_state=0,
                       progress=lambda d, t, k: calls.append((d, t, k)))  # fmt: skip
    assert res.knee == 5 and res.knee_reason == ""
    assert calls[-1][:2] == (18, 18) and len(calls) == 18
    assert res.inertia.shape == (9, 2) and (res.inertia_std >= 0).all()
    assert np.all(np.diff(res.inertia_mean) < 0)
    assert (res.seconds > 0).all()


def test_no_knee_has_a_reason():
    assert find_knee([1, 2], [5, 4]) == (None, "a knee needs at least three values of k")
    knee, reason = find_knee([1, 2, 3, 4], [3, 3, 3, 3])
    assert knee is None and "flat" in reason
    knee, reason = find_knee([1, 2, 3, 4, 5], [10, 8, 6, 4, 2])
    assert knee is None and reason


def test_elbow_rejects_bad_ks(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="empty"):
        kmcore.elbow(X, [])
    with pytest.raises(ValueError, match="0"):
        kmcore.elbow(X, [0, 2])
