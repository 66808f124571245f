"""Per-iteration summaries of a run (kmcore.steps) and starts given by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

import kmcore


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    return (d.data / 16).astype(np.float32), d.target


def test_joined_and_left_follow_the_labels(digits):
    X, y = digits
    res = kmcore.kmeans(X, 10, random_state=0, tol=0)
    ev = kmcore.evaluate_steps(res, y, 10)
    first = res.history[0].labels.astype(int)
    assert ev.joined[0].tolist() == np.bincount(first, minlength=10).tolist()
    assert ev.left[0].sum() == 0
    for s in range(1, res.n_iter):
        prev, now = res.history[s - 1].labels.astype(int), res.history[s].labels.astype(int)
        moved = prev != now
        assert ev.joined[s].tolist() == np.bincount(now[moved], minlength=10).tolist()
        assert ev.left[s].tolist() == np.bincount(prev[moved], minlength=10).tolist()
        assert ev.sizes[s].tolist() == (ev.sizes[s - 1] + ev.joined[s] - ev.left[s]).tolist()
        for j in range(10):
            rows = ev.joiners[s, j][ev.joiners[s, j] >= 0]
            assert len(rows) == min(3, ev.joined[s, j])
            assert (now[rows] == j).all() and (prev[rows] != j).all()
    final = kmcore.evaluate(res.history[-1].labels, y, 10, 10)
    assert ev.majority[-1].tolist() == final.majority.tolist()
    assert ev.missing_classes[-1] == final.missing_classes
    np.testing.assert_allclose(ev.purity[-1], final.purity)


def test_summaries_are_read_only(digits):
    X, y = digits
    ev = kmcore.evaluate_steps(kmcore.kmeans(X, 5, random_state=1), y)
    for a in (ev.sizes, ev.majority, ev.purity, ev.joined, ev.left, ev.joiners):
        with pytest.raises(ValueError):
            a[0] = 0


def test_inertia_rises_under_linf_and_never_under_l2(digits):
    X, _ = digits
    assert kmcore.inertia_rises(kmcore.kmeans(X, 10, random_state=0, tol=0)) == ()
    res = kmcore.kmeans(X, 10, metric="linf", random_state=0, tol=0)
    rises = kmcore.inertia_rises(res)
    assert rises
    for step, amount in rises:
        assert res.history[step - 1].inertia - res.history[step - 2].inertia == pytest.approx(
            amount
        )


def test_a_run_starts_from_the_starts_given(digits):
    X, _ = digits
    starts = X[[0, 10, 20]]
    res = kmcore.kmeans(X, 3, init=starts, tol=0)
    np.testing.assert_array_equal(res.init_centers, starts)
    assert res.init == "array"


def test_bad_y_is_a_value_error(digits):
    X, y = digits
    res = kmcore.kmeans(X, 3, random_state=0, max_iter=2)
    with pytest.raises(ValueError, match="y must have shape"):
        kmcore.evaluate_steps(res, y[:10])


@pytest.mark.parametrize("metric", ["l1", "l2", "linf"])
@pytest.mark.parametrize("update", ["mean", "median"])
@pytest.mark.parametrize("max_iter", [2, 100])
def test_the_final_inertia_sentence_says_what_the_numbers_say(metric, update, max_iter):
    """The Centroids caption compares the final inertia with the curve's last point: the
    word it uses (lower, higher, the same) is the one the two numbers give, in every
    setting of distance, update and stop."""
    X = load_digits().data.astype(np.float32)[:600]
    r = kmcore.kmeans(X, 8, metric=metric, update=update, max_iter=max_iter, random_state=1)
    text = kmcore.final_against_curve(r)
    final, last = r.inertia, r.history[-1].inertia
    assert text.startswith(f"{final:,.1f}")
    if abs(final - last) <= 1e-9 * max(abs(last), 1.0):
        assert "the same as" in text
    elif final < last:
        assert "lower than" in text and f"({last:,.1f})" in text
    else:
        assert "higher than" in text and f"({last:,.1f})" in text
