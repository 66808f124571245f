"""Chunked nearest-centre search under the L1, L2 and L-infinity metrics.

Every function here works through ``X`` a block of rows at a time so that the
temporary ``(block, n_clusters)`` distance matrix stays a few megabytes,
whatever the size of the data set.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial.distance import cdist


@dataclass(frozen=True)
class Metric:
    """What each library calls one of the lab's distances."""

    scipy: str  # scipy.spatial.distance.cdist
    sklearn: str  # scikit-learn (pairwise distances, AgglomerativeClustering)


METRIC_TABLE = {
    "l1": Metric(scipy="cityblock", sklearn="manhattan"),
    "l2": Metric(scipy="euclidean", sklearn="euclidean"),
    "linf": Metric(scipy="chebyshev", sklearn="chebyshev"),
}
METRICS = tuple(METRIC_TABLE)

# Bytes a distance block may take; a block of rows is sized to fit.
_BLOCK_BYTES = 16 * 2**20


def _block_rows(n_clusters: int, n_features: int, itemsize: int = 8) -> int:
    per_row = max(n_clusters, n_features) * itemsize
    return max(256, _BLOCK_BYTES // per_row)


def row_norms_sq(X: np.ndarray) -> np.ndarray:
    """Squared Euclidean norm of every row (computed in ``X``'s dtype, returned as float64).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples,), float64
    """
    return np.einsum("ij,ij->i", X, X).astype(np.float64)


def _dist_block(block: np.ndarray, centers: np.ndarray, metric: str, cc: np.ndarray):
    """Distances of one block of rows to every centre (L2: squared, minus ``|x|^2``)."""
    if metric == "l2":
        # |x - c|^2 = |x|^2 - 2 x.c + |c|^2; |x|^2 is the same for every centre,
        # so the argmin needs only the last two terms (one BLAS product).
        d = block @ centers.T
        d *= -2
        d += cc
        return d
    return cdist(block, centers, METRIC_TABLE[metric].scipy)


def _workers() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(
            max_workers=max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="kmcore"
        )
    return _POOL


_POOL: ThreadPoolExecutor | None = None


def nearest_centers(
    X: np.ndarray,
    centers: np.ndarray,
    metric: str = "l2",
    xx: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Label of the nearest centre of every sample and its squared Euclidean distance.

    The label is chosen under ``metric``; the distance returned is always the
    squared Euclidean one, so that inertia is comparable across metrics.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)
        Same dtype as ``X``.
    metric : {"l1", "l2", "linf"}
    xx : ndarray of shape (n_samples,), optional
        ``row_norms_sq(X)``, if the caller already has it.

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
    sq_dist : ndarray of shape (n_samples,), float64
        Squared Euclidean distance of each sample to its assigned centre.
    """
    n = X.shape[0]
    if metric == "l2" and X.shape[1] <= _FEW_FEATURES:
        labels = nearest_few(X, centers)
        diff = X - centers[labels]
        sq = np.einsum("ij,ij->i", diff, diff, dtype=np.float64)
        return labels, sq
    if xx is None:
        xx = row_norms_sq(X)
    labels = np.empty(n, dtype=np.int32)
    sq = np.empty(n, dtype=np.float64)
    cc = np.einsum("ij,ij->i", centers, centers)
    cc64 = cc.astype(np.float64)

    def assign(start: int, stop: int) -> None:
        block = X[start:stop]
        d = _dist_block(block, centers, metric, cc)
        lab = np.argmin(d, axis=1)
        labels[start:stop] = lab
        if metric == "l2":
            part = d[np.arange(stop - start), lab].astype(np.float64)
            part += xx[start:stop]
        else:
            dot = np.einsum("ij,ij->i", block, centers[lab], dtype=np.float64)
            part = xx[start:stop] - 2 * dot + cc64[lab]
        np.maximum(part, 0, out=part)
        sq[start:stop] = part

    if metric == "l2":
        # One big block: the matrix product is already multi-threaded by BLAS.
        step = _block_rows(centers.shape[0], 0, X.itemsize)
        for start in range(0, n, step):
            assign(start, min(start + step, n))
    else:
        # cdist releases the GIL, so blocks run in parallel on threads; it works
        # on a float64 copy of each block, hence blocks sized by n_features.
        step = _block_rows(centers.shape[0], X.shape[1]) // 4
        bounds = [(s, min(s + step, n)) for s in range(0, n, step)]
        list(_workers().map(lambda b: assign(*b), bounds))
    return labels, sq


def distances_to_point(X: np.ndarray, point: np.ndarray, metric: str) -> np.ndarray:
    """Distance under ``metric`` of every row of ``X`` to one point (float64).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    point : ndarray of shape (n_features,)
    metric : {"l1", "l2", "linf"}

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    out = np.empty(X.shape[0], dtype=np.float64)
    name = METRIC_TABLE[metric].scipy
    step = _block_rows(1, X.shape[1])
    for start in range(0, X.shape[0], step):
        out[start : start + step] = cdist(X[start : start + step], point[None, :], name)[:, 0]
    return out


def cluster_sums(
    X: np.ndarray, labels: np.ndarray, n_clusters: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Sum of the rows of each cluster, by a sparse one-hot product (one pass over ``X``).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    labels : ndarray of shape (n_samples,)
    n_clusters : int
    weights : ndarray of shape (n_samples,), optional
        Each row counts this many times (then the sums are float64).

    Returns
    -------
    ndarray of shape (n_clusters, n_features), dtype of ``X`` (float64 with weights)
    """
    n = X.shape[0]
    values = np.ones(n, dtype=X.dtype) if weights is None else np.asarray(weights, np.float64)
    onehot = sparse.csr_matrix((values, labels, np.arange(n + 1)), shape=(n, n_clusters))
    return np.asarray(onehot.T @ X)


# Rows per block of the fused L2 step: a block of MNIST (1024 x 784 float32, 3 MB)
# stays in cache between the distance product and the cluster sums. With few features
# (colours, pixels, the plane) the block is sized so that rows x k <= _SMALL_PRODUCT:
# OpenBLAS then runs each product on one thread; with two threads on such small
# products a busy two-core machine took 200 ms instead of 3 ms (25,000 colours x 256).
_FUSED_ROWS = 1024
_FEW_FEATURES = 8
_SMALL_PRODUCT = 1 << 16


def fused_rows(n_clusters: int, n_features: int) -> int:
    """Rows per block of a distance product: :data:`_FUSED_ROWS`, or with few features as
    many as keep ``rows x n_clusters <= _SMALL_PRODUCT`` (one OpenBLAS thread)."""
    if n_features > _FEW_FEATURES:
        return _FUSED_ROWS
    return int(min(8192, max(64, _SMALL_PRODUCT // n_clusters)))


def augmented(X: np.ndarray) -> np.ndarray | None:
    """``[x, 1]`` for every row of ``X`` when it has few features (else None): with it the
    fused L2 step gets ``|x - c|^2 - |x|^2`` from one product (see
    :func:`nearest_centers_and_sums`). A Lloyd run builds it once for all its iterations."""
    if X.shape[1] > _FEW_FEATURES:
        return None
    Xa = np.empty((X.shape[0], X.shape[1] + 1), X.dtype)
    Xa[:, :-1] = X
    Xa[:, -1] = 1
    return Xa


def nearest_centers_and_sums(
    X: np.ndarray,
    centers: np.ndarray,
    xx: np.ndarray,
    weights: np.ndarray | None = None,
    xa: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest centre under L2, squared distance, and the sum of the points of each cluster.

    One pass over ``X`` (the assign half and most of the update half of a
    Lloyd iteration), block by block, so each block is read from memory once.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)
    xx : ndarray of shape (n_samples,)
        ``row_norms_sq(X)``.
    weights : ndarray of shape (n_samples,), optional
        Weighted sums (see :func:`cluster_sums`).
    xa : ndarray, optional
        ``augmented(X)``, when the caller keeps it across calls (built here otherwise).

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
    sq_dist : ndarray of shape (n_samples,), float64
    sums : ndarray of shape (n_clusters, n_features), dtype of ``X`` (float64 with weights)
    """
    n, k = X.shape[0], centers.shape[0]
    labels = np.empty(n, dtype=np.int32)
    sq = np.empty(n, dtype=np.float64)
    sums = np.zeros((k, X.shape[1]), dtype=X.dtype if weights is None else np.float64)
    cc = np.einsum("ij,ij->i", centers, centers)
    # x.(-2c) is exactly -2 (x.c): the same distances as _dist_block, one pass fewer.
    minus_2ct = np.ascontiguousarray(-2 * centers.T)
    few = X.shape[1] <= _FEW_FEATURES
    if few:  # [x, 1] . [-2c, |c|^2] in one product: no pass to add |c|^2 (k x 4 is tiny)
        minus_2ct = np.vstack([minus_2ct, cc[None, :]]).astype(X.dtype)
        Xa = augmented(X) if xa is None else xa
    rows = fused_rows(k, X.shape[1])
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        m = stop - start
        block = X[start:stop]
        if few:
            d = Xa[start:stop] @ minus_2ct
        else:
            d = block @ minus_2ct
            d += cc
        lab = np.argmin(d, axis=1)
        labels[start:stop] = lab
        sq[start:stop] = d[np.arange(m), lab]
        if not few:
            part = None if weights is None else weights[start:stop]
            sums += cluster_sums(block, lab, k, part)
    if few:  # a few columns: one weighted count per column beats a sparse product per block
        for j in range(X.shape[1]):
            column = X[:, j] if weights is None else weights * X[:, j]
            sums[:, j] = np.bincount(labels, column, minlength=k)
    sq += xx
    np.maximum(sq, 0, out=sq)
    return labels, sq, sums


def nearest_few(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (L2) of every row of ``X``, for data with few features
    (colours, pixels with their position, points of the plane).

    ``|x - c|^2 - |x|^2 = [x, 1] . [-2c, |c|^2]``: one float32 product per block, with blocks
    of :func:`fused_rows` (small enough that OpenBLAS runs each on one thread). On 1M
    colours this is 9-12x faster than the general path, which sizes blocks for 784 features.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), n_features <= 8
    centers : ndarray of shape (n_clusters, n_features)

    Returns
    -------
    ndarray of shape (n_samples,), int32
    """
    n, f = X.shape
    k = len(centers)
    c64 = np.asarray(centers, np.float64)
    ca = np.empty((k, f + 1), np.float32)
    ca[:, :f] = -2 * c64
    ca[:, f] = (c64**2).sum(1)
    rows = fused_rows(k, f)
    labels = np.empty(n, np.int32)
    xa = np.ones((rows, f + 1), np.float32)
    for s in range(0, n, rows):
        m = min(rows, n - s)
        xa[:m, :f] = X[s : s + m]
        np.argmin(xa[:m] @ ca.T, axis=1, out=labels[s : s + m])
    return labels
