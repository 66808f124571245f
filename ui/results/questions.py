"""Questions a teacher asks the class before the reveal, built from the results shown."""

from __future__ import annotations

import numpy as np

from ..settings import Settings
from .datasets import rows
from .kmeans_runs import run


def centers_at(result, s: int) -> np.ndarray:
    """The centroids after ``s`` updates (the ones the next assign uses)."""
    return result.init_centers if s == 0 else result.history[s - 1].centers


def is_images(settings: Settings) -> bool:
    """Whether the settings' data are images (else points of the plane)."""
    return rows(settings.data_key).image_shape is not None


def centroid_question(settings: Settings, pos: int) -> dict | None:
    """At player position ``pos`` (before an assign): which centroid will one point join?

    The point is one that changes group at that assign when there is one (a question
    worth thinking about), chosen the same way on every call; otherwise any point.

    Returns
    -------
    dict or None
        ``kind`` "centroid", ``row`` (the point), ``s`` (the iteration whose assign is
        asked), ``options`` (the centroids, numbered from 1), ``right`` (the number of
        the centroid it joins), ``before`` (the number of its group before, or None);
        None when ``pos`` is not before an assign.
    """
    r = run(settings).result
    if pos % 2 or pos // 2 >= r.n_iter:
        return None
    s = pos // 2
    after = r.history[s].labels
    before = r.history[s - 1].labels if s else None
    changed = np.flatnonzero(after != before) if before is not None else np.arange(len(after))
    pool = changed if len(changed) else np.arange(len(after))
    row = int(pool[np.random.default_rng([settings.seed, pos]).integers(len(pool))])
    k = len(r.init_centers)
    return {
        "kind": "centroid",
        "row": row,
        "s": s,
        "pos": pos,
        "options": [str(j + 1) for j in range(k)],
        "right": str(int(after[row]) + 1),
        "before": None if before is None else str(int(before[row]) + 1),
    }


def question_picture(settings: Settings, question: dict) -> dict:
    """What a screen needs to draw a centroid question: the point (an image or x, y), the
    centroids it chooses between, and for the plane the other points."""
    data = rows(settings.data_key)
    r = run(settings).result
    centers = np.asarray(centers_at(r, question["s"]))
    return {
        "point": np.asarray(data.X[question["row"]]),
        "centers": centers,
        "image_shape": data.image_shape,
        "X": None if data.image_shape is not None else np.asarray(data.X),
    }
