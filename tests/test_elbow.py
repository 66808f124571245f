"""The elbow: the sweep's curves and streams, and what the page says about them."""

from __future__ import annotations

import numpy as np
import pytest

import kmcore
from tests.apptest import page


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


@pytest.mark.usefixtures("fresh_caches")
def test_elbow_rose_note_appears_only_when_the_sweep_rose():
    import kmcore

    X = kmcore.load_dataset("uniform").X
    expected = kmcore.elbow(
        X, range(1, 31), n_init=1, init="random", tol=0.05, max_iter=100, random_state=3
    ).rises
    assert expected, "this sweep should rise somewhere"
    risen = page(
        "pages/2_Elbow.py", dataset="uniform", elbow_range="1,30", elbow_n_init="1", seed="3"
    ).run()
    assert not risen.exception, risen.exception
    notes = [w.value for w in risen.warning if "rose at k =" in w.value]
    assert notes and f"rose at k = {', '.join(map(str, expected))}**" in notes[0]
    flat = page("pages/2_Elbow.py", dataset="uniform", elbow_range="1,5", elbow_n_init="3").run()
    assert not flat.exception, flat.exception
    assert not any("rose at k =" in w.value for w in flat.warning)


@pytest.mark.parametrize(("restarts", "said"), [("1", "run once"), ("3", "run 3 times")])
def test_the_band_sentence_matches_the_restarts_per_k(restarts, said):
    """One restart per k draws no band, and the page says so; several draw one."""
    at = page("pages/2_Elbow.py", dataset="digits", elbow_range="1-6", elbow_n_init=restarts)
    at.run(timeout=120)
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert said in text
    assert ("there is no band" in text) == (restarts == "1")
