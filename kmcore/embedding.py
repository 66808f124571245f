"""t-SNE maps of a data set (openTSNE), and placing new points such as centroids on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import openTSNE

from .validation import check_data, n_distinct_rows

# openTSNE's defaults: 250 iterations of early exaggeration, then 500 plain ones.
EARLY_ITER = 250
MAIN_ITER = 500


@dataclass(frozen=True)
class TSNEMap:
    """A 2-D t-SNE map and what placing new points on it needs.

    Attributes
    ----------
    coords : ndarray of shape (n_samples, 2), float32
        Centred on the origin (the middle of the bounding box), as openTSNE's
        ``transform`` expects.
    perplexity : float
    kl_divergence : float
    affinities : openTSNE.affinity.Affinities
    random_state : int
    """

    coords: np.ndarray
    perplexity: float
    kl_divergence: float
    affinities: object
    random_state: int

    def place(self, points) -> np.ndarray:
        """Positions of new points (e.g. centroids) on the map, leaving the map unchanged.

        Parameters
        ----------
        points : array-like of shape (n_points, n_features)

        Returns
        -------
        ndarray of shape (n_points, 2)
        """
        points = check_data(points, "points").astype(np.float64)
        # transform() recentres the reference embedding in place: give it a copy.
        ref = openTSNE.TSNEEmbedding(
            self.coords.astype(np.float64), self.affinities, random_state=self.random_state
        )
        return np.asarray(ref.transform(points, perplexity=min(5, len(self.coords) // 4)))


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


def tsne_map(X, *, perplexity=30.0, random_state=0, n_jobs=1, callback=None, every=50) -> TSNEMap:
    """Embed ``X`` in 2-D with openTSNE (PCA start, exaggeration then plain phase).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    perplexity : float
    random_state : int
    n_jobs : int
    callback : callable, optional
        ``callback(done_iterations, total_iterations, coords)`` every ``every``
        iterations, with the current (n_samples, 2) coordinates: for watching
        the map form.
    every : int

    Returns
    -------
    TSNEMap
    """
    X = check_tsne_input(X, perplexity).astype(np.float64)
    seed = int(random_state)
    total = EARLY_ITER + MAIN_ITER
    affinities = openTSNE.affinity.PerplexityBasedNN(
        X, perplexity=perplexity, random_state=seed, n_jobs=n_jobs
    )
    init = openTSNE.initialization.pca(X, random_state=seed)
    emb = openTSNE.TSNEEmbedding(init, affinities, random_state=seed, n_jobs=n_jobs)

    def report(offset):
        def cb(iteration, error, embedding):
            callback(offset + iteration, total, np.asarray(embedding))

        return [cb] if callback is not None else None

    emb = emb.optimize(
        EARLY_ITER, exaggeration=12, momentum=0.5, callbacks=report(0), callbacks_every_iters=every
    )
    emb = emb.optimize(
        MAIN_ITER, momentum=0.8, callbacks=report(EARLY_ITER), callbacks_every_iters=every
    )
    coords = np.asarray(emb, dtype=np.float64)
    coords -= (coords.max(axis=0) + coords.min(axis=0)) / 2
    return TSNEMap(
        coords.astype(np.float32), float(perplexity), float(emb.kl_divergence), affinities, seed
    )


def with_affinities(coords, X, *, perplexity=30.0, random_state=0, n_jobs=1) -> TSNEMap:
    """Rebuild a :class:`TSNEMap` from saved coordinates and the data they came from.

    Coordinates kept on disk do not carry openTSNE's neighbour index; placing new
    points needs it, so it is recomputed (seconds, not the minutes of a fit).
    """
    X = check_tsne_input(X, perplexity).astype(np.float64)
    affinities = openTSNE.affinity.PerplexityBasedNN(
        X, perplexity=perplexity, random_state=int(random_state), n_jobs=n_jobs
    )
    coords = np.asarray(coords, dtype=np.float32)
    return TSNEMap(coords, float(perplexity), float("nan"), affinities, int(random_state))
