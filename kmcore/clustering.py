"""The public k-means entry: validate once, choose the starts, run the kernel."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .distances import METRICS
from .init import INIT_METHODS, _initial_centers
from .lloyd import EMPTY_POLICIES, UPDATE_RULES, KMeansResult, _kmeans_single
from .validation import (
    check_choice,
    check_data,
    check_float,
    check_int,
    check_k,
    check_random_state,
    has_distinct_rows,
)


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
    rng = check_random_state(random_state)
    if isinstance(init, str):
        return _starts_and_kernel(
            _checked(X, n_clusters, init, metric, update, empty, max_iter, tol, labels), rng
        )
    c = _checked(X, n_clusters, None, metric, update, empty, max_iter, tol, None)
    centers = check_data(init, "init").astype(c.X.dtype)
    if centers.shape != (c.n_clusters, c.X.shape[1]):
        raise ValueError(
            f"init array must have shape ({c.n_clusters}, {c.X.shape[1]}); got {centers.shape}"
        )
    return _kmeans_single(
        c.X, centers, metric=c.metric, update=c.update, empty=c.empty, tol=c.tol,
        max_iter=c.max_iter, init="array",
    )  # fmt: skip


class _Checked(NamedTuple):
    """The settings of one k-means run, validated (see :func:`_checked`)."""

    X: np.ndarray
    n_clusters: int
    init: str | None
    metric: str
    update: str
    empty: str
    max_iter: int
    tol: float
    labels: np.ndarray | None


def _checked(X, n_clusters, init, metric, update, empty, max_iter, tol, labels) -> _Checked:
    """Every setting of :func:`kmeans` validated, once. The callers that run many seeds on
    the same data and k (the elbow, the grid) call this once, then
    :func:`_starts_and_kernel` per seed. ``init=None``: the caller gives the starts as an
    array, so neither the starts' name nor the distinct points are checked."""
    X = check_data(X)
    n = X.shape[0]
    n_clusters = check_k(n_clusters, "n_clusters", n, "samples")
    metric = check_choice(metric, "metric", METRICS)
    update = check_choice(update, "update", UPDATE_RULES)
    empty = check_choice(empty, "empty", EMPTY_POLICIES)
    max_iter = check_int(max_iter, "max_iter", 1)
    tol = check_float(tol, "tol")
    if init is not None:
        init = check_choice(init, "init", INIT_METHODS)
        if not has_distinct_rows(X, n_clusters):
            raise ValueError(
                f"n_clusters={n_clusters} is larger than the number of distinct points in X; "
                "choose a smaller k"
            )
        if init == "per-class":
            labels = _check_class_labels(labels, n, n_clusters)
    return _Checked(X, n_clusters, init, metric, update, empty, max_iter, tol, labels)


def _starts_and_kernel(c: _Checked, rng: np.random.Generator) -> KMeansResult:
    """The starts by name, then the single-run kernel."""
    centers = _initial_centers(c.X, c.n_clusters, c.init, rng, metric=c.metric, labels=c.labels)
    return _kmeans_single(
        c.X, centers, metric=c.metric, update=c.update, empty=c.empty, tol=c.tol,
        max_iter=c.max_iter, init=c.init,
    )  # fmt: skip


def _check_class_labels(labels, n: int, n_clusters: int) -> np.ndarray:
    """The class labels ``init="per-class"`` needs, or ValueError."""
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
    return labels
