"""Iteration by iteration: who joined and left each cluster, and what each cluster is mostly.

The Centroids page plays a run in halves: *assign* (points change cluster) and
*update* (centres move). This module summarises every assignment of a
:class:`~kmcore.lloyd.KMeansResult` against the true classes, so the page only
draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .readonly import ReadOnlyArrays

RISE_RTOL = 1e-9  # float round-off is not a rise


@dataclass(frozen=True)
class StepEvaluation(ReadOnlyArrays):
    """Per-iteration summary of a run's assignments (arrays are read-only).

    Attributes
    ----------
    sizes : ndarray of shape (n_iter, n_clusters), int64
        Points assigned to each cluster in each iteration.
    majority : ndarray of shape (n_iter, n_clusters), int64
        Most common true class of each cluster (-1 when it is empty).
    purity : ndarray of shape (n_iter, n_clusters), float64
        Share of the cluster's points that are of its majority class (nan if empty).
    joined, left : ndarray of shape (n_iter, n_clusters), int64
        Points that came into / went out of each cluster in that iteration's
        assignment (in iteration 1 every point joins, none leaves).
    joiners : ndarray of shape (n_iter, n_clusters, n_examples), int64
        Row indices of a few points that joined the cluster in that iteration,
        spread evenly over the joiners; -1 pads.
    missing_classes : tuple of tuple of int
        Per iteration, the classes that are the majority of no cluster.
    """

    sizes: np.ndarray
    majority: np.ndarray
    purity: np.ndarray
    joined: np.ndarray
    left: np.ndarray
    joiners: np.ndarray
    missing_classes: tuple[tuple[int, ...], ...]


def evaluate_steps(result, y, n_classes: int | None = None, n_examples: int = 3):
    """Summarise every assignment of ``result`` against the true classes ``y``.

    Parameters
    ----------
    result : kmcore.KMeansResult
    y : array-like of shape (n_samples,)
        True class of each sample, integers in ``[0, n_classes)``.
    n_classes : int, optional
        Defaults to one more than the largest class in ``y``.
    n_examples : int
        How many joiners to keep per cluster and iteration.

    Returns
    -------
    StepEvaluation
    """
    y = np.asarray(y, dtype=np.int64)
    k = result.n_clusters
    if y.ndim != 1 or len(y) != len(result.labels):
        raise ValueError(f"y must have shape ({len(result.labels)},); got {y.shape}")
    if n_examples < 0:
        raise ValueError(f"n_examples must be >= 0; got {n_examples}")
    c = int(y.max()) + 1 if n_classes is None else int(n_classes)
    t = result.n_iter
    sizes = np.zeros((t, k), np.int64)
    majority = np.full((t, k), -1, np.int64)
    purity = np.full((t, k), np.nan)
    joined = np.zeros((t, k), np.int64)
    left = np.zeros((t, k), np.int64)
    joiners = np.full((t, k, n_examples), -1, np.int64)
    missing = []
    present = set(np.unique(y).tolist())
    prev = None
    for s, it in enumerate(result.history):
        lab = it.labels.astype(np.int64)
        table = np.bincount(lab * c + y, minlength=k * c).reshape(k, c)
        sizes[s] = table.sum(axis=1)
        filled = sizes[s] > 0
        majority[s, filled] = table[filled].argmax(axis=1)
        purity[s, filled] = table[filled].max(axis=1) / sizes[s, filled]
        missing.append(tuple(sorted(present - set(majority[s, filled].tolist()))))
        if prev is None:
            moved = np.arange(len(lab))
        else:
            moved = np.flatnonzero(lab != prev)
            left[s] = np.bincount(prev[moved], minlength=k)
        joined[s] = np.bincount(lab[moved], minlength=k)
        if n_examples and moved.size:
            order = moved[np.argsort(lab[moved], kind="stable")]
            bounds = np.concatenate(([0], np.cumsum(joined[s])))
            for j in np.flatnonzero(joined[s]):
                rows = order[bounds[j] : bounds[j + 1]]
                pick = np.linspace(0, len(rows) - 1, min(n_examples, len(rows))).round()
                joiners[s, j, : len(pick)] = rows[pick.astype(np.int64)]
        prev = lab
    return StepEvaluation(
        sizes=sizes,
        majority=majority,
        purity=purity,
        joined=joined,
        left=left,
        joiners=joiners,
        missing_classes=tuple(missing),
    )


def inertia_rises(result) -> tuple[tuple[int, float], ...]:
    """Iterations whose assignment inertia is higher than the one before.

    Under L2 with the mean update the inertia never rises; under L1 or L∞
    assignment, or the median update, it can, because the update does not
    minimise what the assignment measured.

    Parameters
    ----------
    result : kmcore.KMeansResult

    Returns
    -------
    tuple of (int, float)
        ``(iteration, rise)`` with iterations numbered from 1.
    """
    values = [h.inertia for h in result.history]
    out = []
    for s in range(1, len(values)):
        rise = values[s] - values[s - 1]
        if rise > RISE_RTOL * max(abs(values[s - 1]), 1.0):
            out.append((s + 1, float(rise)))
    return tuple(out)


def final_against_curve(result) -> str:
    """A sentence comparing the run's final inertia with the inertia curve's last point.

    The curve's points are measured at each assign step, against the centroids before that
    step's update; the final inertia against the final centroids. Under L2 with the mean
    update the last update can only lower it; otherwise it can go either way.

    Parameters
    ----------
    result : kmcore.KMeansResult

    Returns
    -------
    str
    """
    final = float(result.inertia)
    if not result.history:
        return f"{final:,.1f}."
    last = float(result.history[-1].inertia)
    if abs(final - last) <= RISE_RTOL * max(abs(last), 1.0):
        return f"{final:,.1f}, the same as the curve's last point."
    if final < last:
        return (
            f"{final:,.1f}, lower than the curve's last point ({last:,.1f}): the last update "
            "moved the centroids closer to their points."
        )
    return (
        f"{final:,.1f}, higher than the curve's last point ({last:,.1f}): with this distance "
        "or update rule the last update need not lower the squared distances plotted here."
    )
