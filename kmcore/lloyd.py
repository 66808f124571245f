"""Lloyd's k-means with a recorded history, for watching it work.

Unlike scikit-learn's ``KMeans`` this keeps every iteration (centres, labels,
inertia, how far the centres moved, which clusters were empty), assigns
points under L1, L2 or L-infinity, and offers the median update (k-medians)
and the initialisations of the paper in ``shared/seeds``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .distances import (
    METRICS,
    cluster_sums,
    nearest_centers,
    nearest_centers_and_sums,
    row_norms_sq,
)
from .init import INIT_METHODS, initial_centers
from .validation import check_choice, check_data, check_int, has_distinct_rows

UPDATE_RULES = ("mean", "median")
EMPTY_POLICIES = ("keep", "farthest")

STOP_UNCHANGED = "no point changed cluster"
STOP_TOL = "no centre moved farther than the tolerance"
STOP_MAX_ITER = "reached the maximum number of iterations"


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _small_labels(labels: np.ndarray, n_clusters: int) -> np.ndarray:
    dtype = np.uint8 if n_clusters <= 256 else np.uint16 if n_clusters <= 65536 else np.int32
    return labels.astype(dtype)


@dataclass(frozen=True)
class Iteration:
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
class KMeansResult:
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


def _assign(X, centers, metric, update, xx):
    """Assignment step; returns labels, squared distances and (L2 + mean) the cluster sums."""
    if metric == "l2" and update == "mean":
        return nearest_centers_and_sums(X, centers, xx)
    labels, sq = nearest_centers(X, centers, metric, xx)
    return labels, sq, None


def _update(X, labels, centers, rule, policy, sq_dist, sums=None):
    """New centres from an assignment; returns (centers, empty cluster indices)."""
    k = centers.shape[0]
    counts = np.bincount(labels, minlength=k)
    new = centers.copy()
    filled = counts > 0
    if rule == "mean":
        if sums is None:
            sums = cluster_sums(X, labels, k)
        new[filled] = (sums[filled] / counts[filled, None]).astype(X.dtype)
    else:
        order = np.argsort(labels, kind="stable")
        bounds = np.concatenate(([0], np.cumsum(counts)))
        for j in np.flatnonzero(filled):
            new[j] = np.median(X[order[bounds[j] : bounds[j + 1]]], axis=0)
    empty = np.flatnonzero(~filled)
    if empty.size and policy == "farthest":
        # As scikit-learn does: the points farthest from their centres seed the empty clusters.
        far = np.argpartition(sq_dist, -empty.size)[-empty.size :]
        new[empty] = X[far]
    return new, empty


def kmeans(
    X,
    n_clusters,
    *,
    init="random",
    metric="l2",
    tol=0.0,
    max_iter=300,
    random_state=None,
    labels=None,
    update="mean",
    empty="keep",
) -> KMeansResult:
    """Cluster ``X`` with Lloyd's algorithm, recording every iteration.

    Each iteration assigns every point to its nearest centre under ``metric``
    and then moves every centre to the mean (or coordinate-wise median) of its
    points. The run stops when no point changes cluster, when no centre moves
    farther than ``tol``, or after ``max_iter`` iterations.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        float32 data stays float32; other numbers become float64.
    n_clusters : int
        Number of clusters k, at most the number of distinct rows.
    init : {"random", "maxmin", "hierarchical", "per-class", "noise", "k-means++"} or ndarray
        How to choose the starting centres, or the centres themselves as an
        array of shape (n_clusters, n_features).
    metric : {"l1", "l2", "linf"}
        Distance used to assign points (and by "maxmin" and "hierarchical").
    tol : float
        Stop when no centre moves farther than this (Euclidean, data units).
    max_iter : int
    random_state : int, numpy.random.Generator or None
        The single source of randomness; the same seed gives the same run.
    labels : array-like of shape (n_samples,), optional
        True classes, needed by ``init="per-class"``.
    update : {"mean", "median"}
        "median" is k-medians, the update that minimises L1 distance.
    empty : {"keep", "farthest"}
        What to do with a centre that gets no point: leave it where it is, or
        move it to the point farthest from its centre.

    Returns
    -------
    KMeansResult

    Raises
    ------
    ValueError
        For invalid settings, NaN/inf in ``X``, or more clusters than
        distinct points.
    """
    X = check_data(X)
    n = X.shape[0]
    n_clusters = check_int(n_clusters, "n_clusters", 1)
    if n_clusters > n:
        raise ValueError(f"n_clusters={n_clusters} is larger than the number of samples ({n})")
    metric = check_choice(metric, "metric", METRICS)
    update = check_choice(update, "update", UPDATE_RULES)
    empty = check_choice(empty, "empty", EMPTY_POLICIES)
    max_iter = check_int(max_iter, "max_iter", 1)
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be a finite number >= 0; got {tol!r}")
    rng = np.random.default_rng(random_state)

    if isinstance(init, str):
        init = check_choice(init, "init", INIT_METHODS)
        init_name = init
    else:
        init_name = "array"
    if init_name != "array" and not has_distinct_rows(X, n_clusters):
        raise ValueError(
            f"n_clusters={n_clusters} is larger than the number of distinct points in X; "
            "choose a smaller k"
        )

    if init_name == "per-class":
        if labels is None:
            raise ValueError("init='per-class' needs the class labels: pass labels=y")
        labels = np.asarray(labels)
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape ({n},); got {labels.shape}")
        n_classes = len(np.unique(labels))
        if n_clusters < n_classes:
            raise ValueError(
                f"init='per-class' needs n_clusters >= the number of classes ({n_classes}); "
                f"got n_clusters={n_clusters}"
            )
        per = -(-n_clusters // n_classes)
        smallest = int(np.bincount(np.unique(labels, return_inverse=True)[1]).min())
        if smallest < per:
            raise ValueError(
                f"init='per-class' with n_clusters={n_clusters} needs {per} members of "
                f"every class; the smallest class has {smallest}"
            )

    if init_name == "array":
        centers = check_data(init, "init").astype(X.dtype)
        if centers.shape != (n_clusters, X.shape[1]):
            raise ValueError(
                f"init array must have shape ({n_clusters}, {X.shape[1]}); got {centers.shape}"
            )
    else:
        centers = initial_centers(X, n_clusters, init_name, rng, metric=metric, labels=labels)
    init_centers = centers.copy()

    xx = row_norms_sq(X)
    history = []
    prev = None
    stop = STOP_MAX_ITER
    for _ in range(max_iter):
        assigned, sq_dist, sums = _assign(X, centers, metric, update, xx)
        new, empties = _update(X, assigned, centers, update, empty, sq_dist, sums)
        shift = float(np.sqrt(((new.astype(np.float64) - centers) ** 2).sum(axis=1)).max())
        n_changed = n if prev is None else int(np.count_nonzero(assigned != prev))
        history.append(
            Iteration(
                centers=_frozen(new),
                labels=_frozen(_small_labels(assigned, n_clusters)),
                inertia=float(sq_dist.sum()),
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
        final_labels, sq_dist = nearest_centers(X, centers, metric, xx)
        final_inertia = float(sq_dist.sum())

    return KMeansResult(
        centers=_frozen(centers),
        labels=_frozen(final_labels),
        inertia=final_inertia,
        n_iter=len(history),
        converged=stop != STOP_MAX_ITER,
        stop_reason=stop,
        init_centers=_frozen(init_centers),
        history=tuple(history),
        metric=metric,
        init=init_name,
        update=update,
        empty=empty,
        tol=float(tol),
    )
