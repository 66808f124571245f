"""Ways to choose the starting centres of k-means.

The paper in ``shared/seeds`` compares random data points, MaxMin (farthest
first), hierarchical, one hand-picked example per class and random noise; we
add scikit-learn's k-means++ and Bradley & Fayyad's refined starts (the
paper's suggested next steps). Each function takes a ``np.random.Generator``
and assumes validated input; :func:`_initial_centers` dispatches by name.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import AgglomerativeClustering, kmeans_plusplus

from .distances import METRIC_TABLE, distances_to_point
from .lloyd import _kmeans_single
from .validation import derive_seed, has_distinct_rows

INIT_METHODS = (
    "random",
    "maxmin",
    "hierarchical",
    "per-class",
    "noise",
    "k-means++",
    "refined",
)

# Agglomerative clustering is quadratic in memory: it runs on a sample this big.
HIERARCHICAL_SAMPLE = 2000


def random_points(X, n_clusters, rng):
    """``n_clusters`` distinct rows of ``X`` chosen uniformly at random."""
    idx = rng.choice(X.shape[0], size=n_clusters, replace=False)
    centers = X[idx]
    if len(np.unique(centers, axis=0)) == n_clusters:
        return centers.copy()
    # Duplicate rows were drawn: draw from the distinct rows instead.
    distinct = np.unique(X, axis=0)
    return distinct[rng.choice(len(distinct), size=n_clusters, replace=False)]


def maxmin(X, n_clusters, rng, metric="l2"):
    """Farthest-first traversal: a random first point, then the point farthest from all chosen.

    Distance is measured under ``metric``; the farthest point is the one whose
    distance to its nearest chosen centre is largest.
    """
    first = int(rng.integers(X.shape[0]))
    chosen = [first]
    nearest = distances_to_point(X, X[first], metric)
    for _ in range(1, n_clusters):
        nxt = int(np.argmax(nearest))
        chosen.append(nxt)
        np.minimum(nearest, distances_to_point(X, X[nxt], metric), out=nearest)
    return X[chosen].copy()


def hierarchical(X, n_clusters, rng, metric="l2"):
    """Means of an agglomerative clustering of a random sample of ``X``.

    Ward linkage under L2; average linkage with the matching distance under L1
    and L-infinity, so the tree is built with the metric k-means will use.
    """
    n = X.shape[0]
    size = min(n, max(HIERARCHICAL_SAMPLE, n_clusters))
    idx = rng.choice(n, size=size, replace=False) if size < n else np.arange(n)
    sample = X[idx]
    if metric == "l2":
        model = AgglomerativeClustering(n_clusters=n_clusters, linkage="ward")
    else:
        model = AgglomerativeClustering(
            n_clusters=n_clusters, linkage="average", metric=METRIC_TABLE[metric].sklearn
        )
    groups = model.fit_predict(sample)
    return np.stack([sample[groups == j].mean(axis=0) for j in range(n_clusters)]).astype(X.dtype)


def per_class(X, n_clusters, rng, labels):
    """One random member of each class; with more centres than classes, cycle through the classes.

    With ``n_clusters == n_classes`` this is the paper's hand-picked digits 0-9.
    """
    classes = np.unique(labels)
    members = {c: rng.permutation(np.flatnonzero(labels == c)) for c in classes}
    chosen = []
    for i in range(n_clusters):
        c = classes[i % len(classes)]
        chosen.append(members[c][i // len(classes)])
    return X[chosen].copy()


def noise(X, n_clusters, rng):
    """Uniform random centres inside the data's bounding box (per-feature min and max)."""
    lo = X.min(axis=0).astype(np.float64)
    hi = X.max(axis=0).astype(np.float64)
    return (lo + rng.random((n_clusters, X.shape[1])) * (hi - lo)).astype(X.dtype)


def kmeans_pp(X, n_clusters, rng):
    """scikit-learn's greedy k-means++ (D-squared sampling, Euclidean)."""
    centers, _ = kmeans_plusplus(X, n_clusters, random_state=derive_seed(rng))
    return centers.astype(X.dtype)


def weighted_kmeans_pp(X, w, n_clusters, rng):
    """Greedy k-means++ on weighted points (colour cells weighted by their pixel counts).

    As scikit-learn's: the first centre drawn with probability proportional to the weight,
    then ``2 + ln k`` candidates a step drawn proportionally to weight x squared distance to
    the nearest chosen centre, and the one that lowers the weighted sum most kept.
    scikit-learn's ``kmeans_plusplus(sample_weight=...)`` draws from a ``RandomState``, not
    this ``Generator``; keeping the draw here keeps every palette the quantiser has made.

    Returns
    -------
    ndarray of shape (n_clusters, n_features), float32
    """
    n = len(X)
    trials = 2 + int(np.log(n_clusters))
    X64 = X.astype(np.float64)
    Xm2 = -2 * X64
    xx = np.einsum("ij,ij->i", X64, X64)
    first = int(rng.choice(n, p=w / w.sum()))
    chosen = [first]
    closest = np.maximum(Xm2 @ X64[first] + xx + xx[first], 0)
    wc = w * closest
    pot = float(wc.sum())
    for _ in range(1, n_clusters):
        cand = np.searchsorted(np.cumsum(wc), rng.random(trials) * pot)
        np.minimum(cand, n - 1, out=cand)
        d = X64[cand] @ Xm2.T  # (trials, n): squared distances to each candidate
        d += xx
        d += xx[cand, None]
        np.maximum(d, 0, out=d)
        np.minimum(d, closest, out=d)
        pots = d @ w
        best = int(pots.argmin())
        closest, pot = d[best], float(pots[best])
        np.multiply(w, closest, out=wc)
        chosen.append(int(cand[best]))
    return X[chosen].astype(np.float32)


def refined(X, n_clusters, rng, n_subsamples=10, fraction=0.05):
    """Bradley & Fayyad (1998) refined starts: cluster subsamples, then cluster their solutions.

    Runs k-means (random starts) on ``n_subsamples`` small random subsamples,
    pools the ``n_subsamples * k`` centres found, clusters that pool once from
    each subsample's solution, and keeps the result with the least distortion
    over the pool.
    """
    n = X.shape[0]
    size = min(n, max(5 * n_clusters, int(n * fraction), 50), 2000)
    solutions = []
    for _ in range(n_subsamples):
        sample = X[rng.choice(n, size=size, replace=False)]
        if not has_distinct_rows(sample, n_clusters):
            continue
        start = random_points(sample, n_clusters, rng)
        res = _kmeans_single(sample, start, max_iter=50, empty="farthest")
        solutions.append(res.centers)
    if not solutions:
        return random_points(X, n_clusters, rng)
    pool = np.concatenate(solutions)
    best, best_inertia = None, np.inf
    for start in solutions:
        res = _kmeans_single(pool, start, max_iter=50, empty="farthest")
        if res.inertia < best_inertia:
            best, best_inertia = res.centers, res.inertia
    return np.asarray(best, dtype=X.dtype)


def _initial_centers(X, n_clusters, init, rng, *, metric="l2", labels=None):
    """Starting centres by method name (already validated).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    init : str
        One of :data:`INIT_METHODS`.
    rng : numpy.random.Generator
    metric : {"l1", "l2", "linf"}
        Used by "maxmin" and "hierarchical".
    labels : ndarray of shape (n_samples,), optional
        Class labels; required by "per-class".

    Returns
    -------
    ndarray of shape (n_clusters, n_features), same dtype as ``X``
    """
    if init == "random":
        return random_points(X, n_clusters, rng)
    if init == "maxmin":
        return maxmin(X, n_clusters, rng, metric)
    if init == "hierarchical":
        return hierarchical(X, n_clusters, rng, metric)
    if init == "per-class":
        return per_class(X, n_clusters, rng, labels)
    if init == "noise":
        return noise(X, n_clusters, rng)
    if init == "refined":
        return refined(X, n_clusters, rng)
    return kmeans_pp(X, n_clusters, rng)
