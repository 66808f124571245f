"""The student paper's claims, measured again: iterations by start, lost digits, the knee.

The paper (``shared/seeds``, "Centroids as Internal Representations of Image
Data") ran k-means on MNIST with k = 10, tolerance 0.05, on a balanced data
set. :func:`check_paper` repeats its four testable claims on given data over a
few seeds, so the lab can say what it measured instead of typing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .datasets import balance
from .elbow import elbow
from .experiments import run_grid
from .readonly import ReadOnlyArrays
from .validation import check_data

PAPER_INITS = ("random", "maxmin", "hierarchical", "k-means++", "per-class")


@dataclass(frozen=True)
class PaperCheck(ReadOnlyArrays):
    """What the lab measured for the paper's claims.

    Attributes
    ----------
    seeds : tuple of int
    n_balanced : int
        Rows of the balanced data the k = 10 runs used.
    n_points : int
        Rows of the data the elbow sweep used (all of it).
    iterations : dict of str to float
        Mean iterations to converge per initialisation (L2, k = 10, balanced).
    not_converged : int
        Runs of those that hit ``max_iter``.
    missing : dict of int to int
        Per class, how many of all the k = 10 runs (every initialisation and
        seed) ended with no centroid for it.
    runs : int
        How many k = 10 runs that is.
    per_class_complete : int
        Runs from one hand-picked image per class in which every class kept a
        centroid, out of ``len(seeds)``.
    per_class_missing : tuple of tuple of int
        Per seed, the classes that one-per-class starts left without a centroid.
    knee : int or None
        The knee of the elbow sweep over ``elbow_ks``.
    knee_reason : str
    elbow_ks : tuple of int
    elbow_restarts : int
    """

    seeds: tuple[int, ...]
    n_balanced: int
    n_points: int
    iterations: dict[str, float]
    not_converged: int
    missing: dict[int, int]
    runs: int
    per_class_complete: int
    per_class_missing: tuple[tuple[int, ...], ...]
    knee: int | None
    knee_reason: str
    elbow_ks: tuple[int, ...]
    elbow_restarts: int


def check_paper(
    X,
    y,
    *,
    seeds=(0, 1, 2),
    tol=0.05,
    max_iter=100,
    elbow_ks=range(1, 16),
    elbow_restarts=1,
    progress=None,
) -> PaperCheck:
    """Repeat the paper's testable claims on ``X``, ``y`` (k = 10, L2, as in the paper).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        True classes (0 .. 9 for MNIST).
    seeds : sequence of int
        Every k = 10 run is repeated with each seed; the elbow uses the first.
    tol, max_iter
        As for :func:`kmcore.kmeans` (the paper used tolerance 0.05).
    elbow_ks : sequence of int
    elbow_restarts : int
        Restarts per k in the elbow sweep (random starts).
    progress : callable, optional
        ``progress(done_runs, total_runs)`` after every k-means run.

    Returns
    -------
    PaperCheck
    """
    X = check_data(X)
    y = np.asarray(y)
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed")
    elbow_ks = tuple(int(k) for k in elbow_ks)
    grid_runs = len(PAPER_INITS) * len(seeds)
    total = grid_runs + len(elbow_ks) * elbow_restarts

    def grid_progress(done, _total, _cell):
        if progress is not None:
            progress(done, total)

    def elbow_progress(done, _total, _k):
        if progress is not None:
            progress(grid_runs + done, total)

    Xb, yb = balance(X, y, random_state=0)
    grid = run_grid(
        {"balanced": (Xb, yb)},
        inits=PAPER_INITS,
        metrics=["l2"],
        ks=[10],
        seeds=seeds,
        tol=tol,
        max_iter=max_iter,
        progress=grid_progress,
    )
    iterations, missing, not_converged, runs = {}, {}, 0, 0
    per_class = None
    for cell in grid.cells:
        if cell.error:
            raise ValueError(f"{cell.init} could not run: {cell.error}")
        iterations[cell.init] = float(np.mean(cell.n_iter))
        not_converged += len(cell.converged) - sum(cell.converged)
        runs += len(cell.seeds)
        for c, n in cell.missing_counts().items():
            missing[c] = missing.get(c, 0) + n
        if cell.init == "per-class":
            per_class = cell
    sweep = elbow(
        X,
        elbow_ks,
        n_init=elbow_restarts,
        init="random",
        tol=tol,
        max_iter=max_iter,
        random_state=seeds[0],
        progress=elbow_progress,
    )
    return PaperCheck(
        seeds=seeds,
        n_balanced=len(yb),
        n_points=len(y),
        iterations=iterations,
        not_converged=int(not_converged),
        missing=dict(sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))),
        runs=runs,
        per_class_complete=sum(1 for m in per_class.missing if not m),
        per_class_missing=per_class.missing,
        knee=sweep.knee,
        knee_reason=sweep.knee_reason,
        elbow_ks=elbow_ks,
        elbow_restarts=elbow_restarts,
    )
