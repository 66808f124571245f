"""The elbow method: within-cluster sum of squares against k, with restarts."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from kneed import KneeLocator
from sklearn.metrics import silhouette_score

from .clustering import _checked, _starts_and_kernel
from .readonly import ReadOnlyArrays
from .validation import check_data, check_int


@dataclass(frozen=True)
class ElbowResult(ReadOnlyArrays):
    """WCSS for a range of k.

    Attributes
    ----------
    ks : ndarray of shape (n_k,)
    inertia : ndarray of shape (n_k, n_init)
        Final inertia of every restart.
    inertia_mean, inertia_std : ndarray of shape (n_k,)
    n_iter_mean : ndarray of shape (n_k,)
    seconds : ndarray of shape (n_k,)
        Wall time spent on each k (all restarts).
    knee : int or None
        The k at the knee found by the kneedle algorithm.
    knee_reason : str
        Why there is no knee (empty when there is one).
    silhouette : ndarray of shape (n_k,) or None
        Mean silhouette of the best restart on a sample (NaN for k = 1), if asked for.
    """

    ks: np.ndarray
    inertia: np.ndarray
    inertia_mean: np.ndarray
    inertia_std: np.ndarray
    n_iter_mean: np.ndarray
    seconds: np.ndarray
    knee: int | None
    knee_reason: str
    silhouette: np.ndarray | None = None

    @property
    def rises(self) -> tuple[int, ...]:
        """The values of k whose mean WCSS is higher than at the k before.

        More clusters can always fit at least as well, but each run only finds
        a local minimum from its start, so a single sweep can go up.
        """
        up = np.flatnonzero(np.diff(self.inertia_mean) > 0) + 1
        return tuple(int(self.ks[i]) for i in up)


def _seed_sequence(random_state) -> np.random.SeedSequence:
    """A SeedSequence from an int, None or a Generator (drawn from it once)."""
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(2**63 - 1)))
    return np.random.SeedSequence(random_state)


def find_knee(ks, values) -> tuple[int | None, str]:
    """Knee of a decreasing convex curve by kneedle (the kneed package).

    Returns
    -------
    knee : int or None
    reason : str
        Empty when a knee was found, else a sentence saying why not.
    """
    ks = np.asarray(ks)
    values = np.asarray(values, dtype=float)
    if len(ks) < 3:
        return None, "a knee needs at least three values of k"
    if np.ptp(values) == 0:
        return None, "the curve is flat: every k gives the same sum of squares"
    knee = KneeLocator(ks, values, curve="convex", direction="decreasing").knee
    if knee is None:
        return None, "the curve bends nowhere clearly: no k stands out"
    return int(knee), ""


def elbow(
    X,
    ks,
    *,
    n_init=3,
    init="k-means++",
    metric="l2",
    tol=1e-4,
    max_iter=300,
    random_state=None,
    silhouette_sample=0,
    progress=None,
) -> ElbowResult:
    """Run k-means for every k in ``ks`` with ``n_init`` restarts each.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    ks : sequence of int
        Values of k, each between 1 and the number of distinct points.
    n_init : int
        Restarts per k, each from its own seed.
    init, metric, tol, max_iter
        As for :func:`kmcore.kmeans`; "per-class" is not available here.
    random_state : int, Generator or None
    silhouette_sample : int
        If > 0, also compute the silhouette of the best restart for each k on a
        random sample of this many points.
    progress : callable, optional
        ``progress(done_runs, total_runs, k)`` after every run.

    Returns
    -------
    ElbowResult
    """
    X = check_data(X)
    ks = np.array(sorted({check_int(k, "k", 1) for k in ks}), dtype=int)
    if len(ks) == 0:
        raise ValueError("ks is empty: give at least one value of k")
    n_init = check_int(n_init, "n_init", 1)
    # One stream for the restarts, another for the silhouette samples: asking
    # for the silhouette must not change which starts the restarts draw.
    run_seq, sil_seq = _seed_sequence(random_state).spawn(2)
    rng = np.random.default_rng(run_seq)
    sil_rng = np.random.default_rng(sil_seq)
    total = len(ks) * n_init
    inertia = np.empty((len(ks), n_init))
    n_iter = np.empty((len(ks), n_init))
    seconds = np.empty(len(ks))
    silhouette = np.full(len(ks), np.nan) if silhouette_sample else None
    for i, k in enumerate(ks):
        start = time.perf_counter()
        # Validated once per k (the distinct-rows check reads all of X), then each restart
        # is its starts and the kernel.
        checked = _checked(X, int(k), init, metric, "mean", "keep", max_iter, tol, None)
        for r in range(n_init):
            res = _starts_and_kernel(checked, rng)
            inertia[i, r], n_iter[i, r] = res.inertia, res.n_iter
            if r == 0 or res.inertia < inertia[i, :r].min():
                best = res.labels
            if progress is not None:
                progress(i * n_init + r + 1, total, int(k))
        if silhouette is not None and 1 < len(np.unique(best)) < len(X):
            size = min(int(silhouette_sample), len(X))
            silhouette[i] = silhouette_score(
                X, best, sample_size=size, random_state=int(sil_rng.integers(2**31 - 1))
            )
        seconds[i] = time.perf_counter() - start
    mean = inertia.mean(axis=1)
    knee, reason = find_knee(ks, mean)
    return ElbowResult(
        ks,
        inertia,
        mean,
        inertia.std(axis=1),
        n_iter.mean(axis=1),
        seconds,
        knee,
        reason,
        silhouette,
    )
