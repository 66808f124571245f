"""Two-dimensional toy data sets for watching k-means move its centres."""

from __future__ import annotations

import numpy as np
from sklearn import datasets as skd

TOY_SETS = {
    "blobs": "Four round blobs of equal size: the easy case",
    "uneven-blobs": "Blobs of very different sizes and spreads",
    "anisotropic": "Stretched blobs: k-means prefers round clusters",
    "moons": "Two interleaved half-moons: not convex",
    "circles": "A ring around a disc: not separable by centres",
    "uniform": "No clusters at all: k-means splits it anyway",
}


def make_toy(name: str, n_samples: int = 600, random_state: int = 0):
    """Make a 2-D toy set, rescaled into the unit square.

    Parameters
    ----------
    name : str
        A key of :data:`TOY_SETS`.
    n_samples : int
    random_state : int

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32 in [0, 1]
    y : ndarray of shape (n_samples,), int
        The generating group of each point (all zeros for "uniform").
    """
    if name not in TOY_SETS:
        raise ValueError(f"unknown toy data set {name!r}; choose one of {', '.join(TOY_SETS)}")
    rs = random_state
    if name == "blobs":
        X, y = skd.make_blobs(n_samples, centers=4, cluster_std=1.0, random_state=rs)
    elif name == "uneven-blobs":
        sizes = [int(n_samples * f) for f in (0.6, 0.25, 0.1)]
        sizes.append(n_samples - sum(sizes))
        X, y = skd.make_blobs(sizes, cluster_std=[2.5, 1.0, 0.5, 0.8], random_state=rs)
    elif name == "anisotropic":
        X, y = skd.make_blobs(n_samples, centers=3, random_state=rs + 170)
        X = X @ np.array([[0.6, -0.64], [-0.41, 0.85]])
    elif name == "moons":
        X, y = skd.make_moons(n_samples, noise=0.07, random_state=rs)
    elif name == "circles":
        X, y = skd.make_circles(n_samples, factor=0.4, noise=0.06, random_state=rs)
    else:
        X = np.random.default_rng(rs).random((n_samples, 2))
        y = np.zeros(n_samples, dtype=int)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = (hi - lo).max()
    X = (X - lo) / span + (1 - (hi - lo) / span) / 2
    return X.astype(np.float32), np.asarray(y, dtype=np.int64)
