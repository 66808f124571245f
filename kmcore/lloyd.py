"""Lloyd's algorithm: one run from given starting centres, with a recorded history.

Unlike scikit-learn's ``KMeans`` this keeps every iteration (centres, labels,
inertia, how far the centres moved, which clusters were empty), assigns
points under L1, L2 or L-infinity, and offers the median update (k-medians).
As in scikit-learn's ``_kmeans.py``, the kernel here assumes its input was
validated by the public entry, :func:`kmcore.kmeans` (``clustering.py``); the
engine's own callers (refined starts, quantisation, segmentation) call
:func:`_kmeans_single` directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .distances import (
    augmented,
    cluster_sums,
    nearest_centers,
    nearest_centers_and_sums,
    row_norms_sq,
)
from .readonly import ReadOnlyArrays
from .validation import check_data

UPDATE_RULES = ("mean", "median")
EMPTY_POLICIES = ("keep", "farthest")

STOP_UNCHANGED = "no point changed cluster"
STOP_TOL = "no centre moved farther than the tolerance"
STOP_MAX_ITER = "reached the maximum number of iterations"


def _small_labels(labels: np.ndarray, n_clusters: int) -> np.ndarray:
    dtype = np.uint8 if n_clusters <= 256 else np.uint16 if n_clusters <= 65536 else np.int32
    return labels.astype(dtype)


@dataclass(frozen=True)
class Iteration(ReadOnlyArrays):
    """One assign-then-update step.

    Attributes
    ----------
    centers : ndarray of shape (n_clusters, n_features)
        Centres after the update.
    labels : ndarray of shape (n_samples,)
        Assignment to the centres of the step before (small unsigned ints).
    inertia : float
        Sum of squared Euclidean distances of the points to the centres they
        were assigned to in this step (never rises under L2).
    shift : float
        Largest Euclidean distance any centre moved in the update.
    empty : tuple of int
        Clusters that got no point in this step.
    n_changed : int
        Points whose cluster differs from the step before (all of them in step 1).
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    shift: float
    empty: tuple[int, ...]
    n_changed: int


@dataclass(frozen=True)
class KMeansResult(ReadOnlyArrays):
    """The outcome of :func:`kmeans`.

    Attributes
    ----------
    centers : ndarray of shape (n_clusters, n_features)
    labels : ndarray of shape (n_samples,), int32
        Nearest centre (under ``metric``) of every sample for ``centers``.
    inertia : float
        Within-cluster sum of squared Euclidean distances for ``labels`` and
        ``centers``, whatever the metric, so that runs compare.
    n_iter : int
        Number of assign-then-update steps taken (``len(history)``).
    converged : bool
        False when the run stopped at ``max_iter``.
    stop_reason : str
    init_centers : ndarray of shape (n_clusters, n_features)
    history : tuple of Iteration
    metric, init, update, empty : str
        The settings the run used (``init`` is "array" for explicit centres).
    tol : float
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int
    converged: bool
    stop_reason: str
    init_centers: np.ndarray
    history: tuple[Iteration, ...]
    metric: str
    init: str
    update: str
    empty: str
    tol: float

    @property
    def n_clusters(self) -> int:
        """Number of centres."""
        return self.centers.shape[0]

    @property
    def sizes(self) -> np.ndarray:
        """Points per cluster for the final ``labels``."""
        return np.bincount(self.labels, minlength=self.n_clusters)

    def centers_at(self, step: int) -> np.ndarray:
        """Centres after ``step`` iterations (0: the initial centres)."""
        return self.init_centers if step == 0 else self.history[step - 1].centers

    def centers_path(self) -> np.ndarray:
        """Centres at every step, the start included: shape (n_iter + 1, k, n_features)."""
        return np.stack([self.centers_at(s) for s in range(self.n_iter + 1)])

    def predict(self, X) -> np.ndarray:
        """Nearest final centre of each row of ``X``, under the run's metric.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), int32
        """
        X = check_data(X)
        if X.shape[1] != self.centers.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} features; the centres have {self.centers.shape[1]}"
            )
        labels, _, _ = _assign(X.astype(self.centers.dtype, copy=False), self.centers, self.metric)
        return labels


def _assign(X, centers, metric, xx=None, with_sums=False, weights=None, xa=None):
    """Assignment half: labels, squared Euclidean distances, and (L2, if asked) cluster sums
    (weighted by ``weights`` if given; ``xa`` is ``distances.augmented(X)`` if kept)."""
    if with_sums and metric == "l2":
        xx = row_norms_sq(X) if xx is None else xx
        return nearest_centers_and_sums(X, centers, xx, weights, xa)
    labels, sq = nearest_centers(X, centers, metric, xx)
    return labels, sq, None


def _farthest(sq_dist, n_empty):
    """The ``n_empty`` points farthest from their centres, in scikit-learn's order."""
    return np.argpartition(sq_dist, -n_empty)[: -n_empty - 1 : -1]


def _update(X, labels, centers, rule, policy, sq_dist, sums=None, weights=None):
    """Update half: new centres from an assignment; returns (centers, empty cluster indices).

    With ``policy="farthest"`` each empty cluster takes one of the points
    farthest from their centres, and that point leaves its old cluster's mean,
    as scikit-learn's ``_relocate_empty_clusters_dense`` does. With ``weights``
    (mean rule only) the means are weighted.
    """
    k = centers.shape[0]
    counts = np.bincount(labels, weights, minlength=k)
    empty = np.flatnonzero(counts == 0)
    new = centers.copy()
    moved = _farthest(sq_dist, empty.size) if empty.size and policy == "farthest" else None
    if rule == "mean":
        sums = cluster_sums(X, labels, k, weights) if sums is None else sums.copy()
        if moved is not None:
            for point, cluster in zip(moved, empty, strict=True):
                w = 1 if weights is None else weights[point]
                sums[labels[point]] -= w * X[point]
                counts[labels[point]] -= w
                sums[cluster] = w * X[point]
                counts[cluster] = w
        filled = counts > 0
        new[filled] = (sums[filled] / counts[filled, None]).astype(X.dtype)
    else:
        if moved is not None:
            labels = labels.copy()
            labels[moved] = empty
            counts = np.bincount(labels, minlength=k)
        order = np.argsort(labels, kind="stable")
        bounds = np.concatenate(([0], np.cumsum(counts)))
        for j in np.flatnonzero(counts):
            new[j] = np.median(X[order[bounds[j] : bounds[j + 1]]], axis=0)
    return new, empty


def _lloyd_iter(X, centers, xx, metric, update, empty, weights=None, xa=None):
    """One Lloyd iteration: assign every point, then update every centre (weighted means
    with ``weights``).

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
        The assignment to ``centers``.
    sq_dist : ndarray of shape (n_samples,), float64
        Squared Euclidean distance of each point to its assigned centre.
    new_centers : ndarray of shape (n_clusters, n_features)
    empty : ndarray of int
        Clusters that got no point.
    """
    labels, sq_dist, sums = _assign(X, centers, metric, xx, update == "mean", weights, xa)
    new, empties = _update(X, labels, centers, update, empty, sq_dist, sums, weights)
    return labels, sq_dist, new, empties


def _kmeans_single(
    X,
    centers,
    *,
    metric="l2",
    update="mean",
    empty="keep",
    tol=0.0,
    max_iter=300,
    init="array",
    sample_weight=None,
) -> KMeansResult:
    """One run of Lloyd's algorithm from ``centers``; assumes validated input.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, finite
    centers : ndarray of shape (n_clusters, n_features), same dtype as ``X``
        The starting centres (not modified).
    metric, update, empty : str
        Valid choices (see :func:`kmcore.kmeans`).
    tol : float
    max_iter : int
    init : str
        The name recorded in the result.
    sample_weight : ndarray of shape (n_samples,), optional
        Positive weights, with ``update="mean"``: each point counts as that many
        (the colour cells of :mod:`kmcore.quantize`, weighted by their pixels).
        Inertias are then weighted sums.

    Returns
    -------
    KMeansResult
    """
    if sample_weight is not None and update != "mean":
        raise ValueError("sample_weight needs update='mean'")
    w = sample_weight
    n = X.shape[0]
    n_clusters = centers.shape[0]
    init_centers = centers.copy()
    centers = init_centers
    xx = row_norms_sq(X)
    xa = augmented(X) if metric == "l2" and update == "mean" else None
    history = []
    prev = None
    stop = STOP_MAX_ITER
    for _ in range(max_iter):
        assigned, sq_dist, new, empties = _lloyd_iter(X, centers, xx, metric, update, empty, w, xa)
        shift = float(np.sqrt(((new.astype(np.float64) - centers) ** 2).sum(axis=1)).max())
        n_changed = n if prev is None else int(np.count_nonzero(assigned != prev))
        history.append(
            Iteration(
                centers=new,
                labels=_small_labels(assigned, n_clusters),
                inertia=float(sq_dist.sum() if w is None else sq_dist @ w),
                shift=shift,
                empty=tuple(int(j) for j in empties),
                n_changed=n_changed,
            )
        )
        centers = new
        if prev is not None and n_changed == 0 and shift == 0:
            stop = STOP_UNCHANGED
            break
        if shift <= tol:
            stop = STOP_TOL
            break
        prev = assigned

    if stop == STOP_UNCHANGED:
        # Same assignment, same centres: the last assignment is already final.
        final_labels, final_inertia = assigned, history[-1].inertia
    else:
        final_labels, sq_dist, _ = _assign(X, centers, metric, xx)
        final_inertia = float(sq_dist.sum() if w is None else sq_dist @ w)

    return KMeansResult(
        centers=centers,
        labels=final_labels,
        inertia=final_inertia,
        n_iter=len(history),
        converged=stop != STOP_MAX_ITER,
        stop_reason=stop,
        init_centers=init_centers,
        history=tuple(history),
        metric=metric,
        init=init,
        update=update,
        empty=empty,
        tol=float(tol),
    )
