"""t-SNE maps of a data set (openTSNE), and placing new points such as centroids on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import openTSNE
import scipy.sparse
from openTSNE.affinity import Affinities, joint_probabilities_nn

from .readonly import ReadOnlyArrays
from .validation import check_data, n_distinct_rows

# openTSNE's defaults: 250 iterations of early exaggeration, then 500 plain ones.
EARLY_ITER = 250
MAIN_ITER = 500
GRADIENT_METHOD = "auto"
# Iterations that place centroids on a finished map (openTSNE's default is 250). On the
# MNIST test map (6,000 points, 164 units wide), for k = 5, 10, 11, 20 and 40, the
# positions after 50 were within 0.21% of the map's width (0.3 units) of those after
# 250, at a fifth of the time (0.2 s against 0.9-1.3 s); a k change redraws the map.
PLACE_ITERATIONS = 50
# What tsne_map reports through ``on_phase``, in order.
PHASES = ("PCA start", "neighbour search", "early exaggeration", "refining")


class _ExactNeighbours(Affinities):
    """openTSNE's interface for placing new points, from exact neighbours in the map's data.

    openTSNE's ``transform`` asks its affinities for the new points' neighbours
    among the map's points (``to_new``). Answering that by brute force from the
    data itself (new points are few: centroids) means a map needs to keep no
    neighbour index, so a map reloaded from disk places points at once.
    """

    def __init__(self, X: np.ndarray, perplexity: float):
        super().__init__()
        self.X = X
        self.perplexity = perplexity
        # openTSNE checks the map's size against P; the map is never optimised again.
        self.P = scipy.sparse.csr_matrix((len(X), len(X)), dtype=np.float64)

    @property
    def n_samples(self) -> int:
        return len(self.X)

    def to_new(self, data, perplexity=None, return_distances=False, k_neighbors="auto"):
        perplexity = self.perplexity if perplexity is None else perplexity
        k = min(self.n_samples, int(3 * perplexity)) if k_neighbors == "auto" else k_neighbors
        data = np.asarray(data, dtype=np.float64)
        d2 = np.empty((len(data), self.n_samples))
        for start in range(0, self.n_samples, 4096):  # bounded temporaries
            ref = np.asarray(self.X[start : start + 4096], dtype=np.float64)
            d2[:, start : start + len(ref)] = (
                (data**2).sum(1)[:, None] - 2 * data @ ref.T + (ref**2).sum(1)[None]
            )
        neighbours = np.argsort(d2, axis=1, kind="stable")[:, :k]
        distances = np.sqrt(np.maximum(np.take_along_axis(d2, neighbours, axis=1), 0))
        P = joint_probabilities_nn(
            neighbours,
            distances,
            [openTSNE.affinity.PerplexityBasedNN.check_perplexity(perplexity, k)],
            symmetrize=False,
            normalization="point-wise",
            n_reference_samples=self.n_samples,
            n_jobs=1,
        )
        return (P, neighbours, distances) if return_distances else P


@dataclass(frozen=True)
class TSNEMap(ReadOnlyArrays):
    """A 2-D t-SNE map and the data it was drawn from (for placing new points).

    Its arrays are read-only: caches share one map across sessions.

    Attributes
    ----------
    coords : ndarray of shape (n_samples, 2), float32
        Centred on the origin (the middle of the bounding box), as openTSNE's
        ``transform`` expects.
    data : ndarray of shape (n_samples, n_features)
        The rows the map was drawn for (shared, not copied).
    perplexity : float
    kl_divergence : float
        NaN for a map rebuilt from saved coordinates.
    random_state : int
    """

    coords: np.ndarray
    data: np.ndarray
    perplexity: float
    kl_divergence: float
    random_state: int

    def place(self, points) -> np.ndarray:
        """Positions of new points (e.g. centroids) on the map, leaving the map unchanged.

        openTSNE's ``transform``: each point starts at the median of its nearest
        map points and is then optimised against the fixed map for
        :data:`PLACE_ITERATIONS` iterations.

        Parameters
        ----------
        points : array-like of shape (n_points, n_features)

        Returns
        -------
        ndarray of shape (n_points, 2)
        """
        points = check_data(points, "points").astype(np.float64)
        ref = openTSNE.TSNEEmbedding(
            self.coords.astype(np.float64),
            _ExactNeighbours(self.data, self.perplexity),
            random_state=self.random_state,
        )
        perplexity = min(5, len(self.coords) // 4)
        return np.asarray(ref.transform(points, perplexity=perplexity, n_iter=PLACE_ITERATIONS))


def check_tsne_input(X, perplexity: float) -> np.ndarray:
    """Validate data for t-SNE; raise ValueError a user can act on.

    openTSNE needs more than ``3 * perplexity`` points, and at least that many
    distinct ones, or the neighbour search has nothing to work with.
    """
    X = check_data(X)
    if not np.isfinite(perplexity) or perplexity <= 0:
        raise ValueError(f"perplexity must be > 0; got {perplexity!r}")
    need = int(3 * perplexity) + 1
    if len(X) < need:
        raise ValueError(
            f"t-SNE with perplexity {perplexity:g} needs at least {need} points; the data "
            f"has {len(X)}. Lower the perplexity or use more points."
        )
    distinct = n_distinct_rows(X)
    if distinct < need:
        raise ValueError(
            f"only {distinct} of the {len(X)} points are distinct; t-SNE with perplexity "
            f"{perplexity:g} needs at least {need} distinct points"
        )
    return X


def _centred(coords) -> np.ndarray:
    coords = np.asarray(coords, dtype=np.float64)
    coords = coords - (coords.max(axis=0) + coords.min(axis=0)) / 2
    return coords.astype(np.float32)


def tsne_start(X, *, random_state=0) -> np.ndarray:
    """The map's first picture: openTSNE's PCA start (the first two principal components,
    scaled so that the first has standard deviation 1e-4), centred.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    random_state : int

    Returns
    -------
    ndarray of shape (n_samples, 2), float32
    """
    X = check_data(X).astype(np.float64)
    return _centred(openTSNE.initialization.pca(X, random_state=int(random_state)))


def tsne_map(
    X,
    *,
    perplexity=30.0,
    random_state=0,
    n_jobs=1,
    callback=None,
    every=50,
    on_phase=None,
    start=None,
) -> TSNEMap:
    """Embed ``X`` in 2-D with openTSNE (PCA start, exaggeration then plain phase).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    perplexity : float
    random_state : int
    n_jobs : int
    callback : callable, optional
        ``callback(done_iterations, total_iterations, coords)`` with the current
        (n_samples, 2) coordinates: once with ``done_iterations=0`` for the PCA
        start (before the neighbour search, the slow first step), then every
        ``every`` iterations, for watching the map form.
    every : int
    on_phase : callable, optional
        ``on_phase(name)`` as each of :data:`PHASES` begins.
    start : ndarray of shape (n_samples, 2), optional
        :func:`tsne_start` of ``X`` and ``random_state`` when the caller already has it
        (a page draws it while the map is computed).

    Returns
    -------
    TSNEMap
        Its ``data`` is ``X`` as given (not copied when it is a float array).
    """
    data = check_tsne_input(X, perplexity)
    X = data.astype(np.float64)
    seed = int(random_state)
    total = EARLY_ITER + MAIN_ITER

    def phase(name):
        if on_phase is not None:
            on_phase(name)

    phase(PHASES[0])
    if start is None:
        init = tsne_start(X, random_state=seed)
    else:
        init = np.array(start, dtype=np.float64)
        if init.shape != (len(X), 2):
            raise ValueError(f"start must have shape ({len(X)}, 2); got {init.shape}")
    if callback is not None:
        callback(0, total, init)
    phase(PHASES[1])
    affinities = openTSNE.affinity.PerplexityBasedNN(
        X, perplexity=perplexity, random_state=seed, n_jobs=n_jobs
    )
    # openTSNE's "auto": Barnes-Hut below 10,000 points, FFT interpolation above, as its
    # TSNE().fit does. TSNEEmbedding alone defaults to FFT, whose grid makes small maps
    # slow (300 digits: 22 s against 0.65 s with Barnes-Hut, at the same KL divergence).
    emb = openTSNE.TSNEEmbedding(
        init,
        affinities,
        random_state=seed,
        n_jobs=n_jobs,
        negative_gradient_method=GRADIENT_METHOD,
    )

    def report(offset):
        def cb(iteration, error, embedding):
            callback(offset + iteration, total, np.asarray(embedding))

        return [cb] if callback is not None else None

    phase(PHASES[2])
    emb = emb.optimize(
        EARLY_ITER, exaggeration=12, momentum=0.5, callbacks=report(0), callbacks_every_iters=every
    )
    phase(PHASES[3])
    emb = emb.optimize(
        MAIN_ITER, momentum=0.8, callbacks=report(EARLY_ITER), callbacks_every_iters=every
    )
    kl = float(emb.kl_divergence)
    return TSNEMap(_centred(emb), data, float(perplexity), kl, seed)


def with_affinities(coords, X, *, perplexity=30.0, random_state=0, n_jobs=1) -> TSNEMap:
    """Rebuild a :class:`TSNEMap` from saved coordinates and the data they came from.

    Nothing is recomputed: placing points needs only the data (see
    :meth:`TSNEMap.place`). ``n_jobs`` is accepted for compatibility.
    """
    X = check_tsne_input(X, perplexity)
    coords = np.array(coords, dtype=np.float32)
    return TSNEMap(coords, X, float(perplexity), float("nan"), int(random_state))
