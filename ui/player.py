"""The Centroids page's player: a small inline component that plays a run in the browser.

All frames of a run are sent once (centroids as uint8 pixels, zlib-compressed);
stepping, Play, speed, the keyboard and fullscreen then happen in the browser,
so thirty students playing cost the server nothing per frame. Payloads are
built once per setting and shared by every session (cached below, in byte budgets).
"""

from __future__ import annotations

import base64
import zlib
from functools import partial
from pathlib import Path

import numpy as np
import streamlit as st

import kmcore

from .results import budget
from .results.datasets import rows
from .results.kmeans_runs import PLANE, regions, run
from .settings import Settings
from .style import PALETTE

_HERE = Path(__file__).resolve().parent
_COMPONENT = st.components.v2.component(
    "kmlab_player",
    css=(_HERE / "player.css").read_text(),
    js=(_HERE / "player.js").read_text(),
)
N_EXAMPLES = 3
POOL_MAX = 1500  # joiner thumbnails sent per run at most (1,500 MNIST images: 1.2 MB raw)


def _z(a: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(a).tobytes(), 6)).decode()


def _pixels(a) -> np.ndarray:
    return (np.clip(np.asarray(a, dtype=np.float32), 0, 1) * 255 + 0.5).astype(np.uint8)


def image_pane(result, steps, X, image_shape, class_names, title: str = "") -> dict:
    """Everything the player needs to show an image run.

    Parameters
    ----------
    result : kmcore.KMeansResult
    steps : kmcore.StepEvaluation
    X : ndarray of shape (n_samples, n_features)
        The clustered rows (for the thumbnails of points that joined).
    image_shape : tuple of int
    class_names : sequence of str
    title : str
    """
    k, t = result.n_clusters, result.n_iter
    centres = result.centers_path()
    joiners = np.asarray(steps.joiners)
    m = joiners.shape[2]
    # Keep thumbnails for the first iterations until the pool is full (later ones show counts).
    flat = joiners.reshape(t, -1)
    pool, index = [], {}
    mapped = np.full(flat.shape, -1, np.int64)
    for s in range(t):
        rows = [int(r) for r in flat[s] if r >= 0 and int(r) not in index]
        if len(pool) + len(rows) > POOL_MAX:
            break
        for r in rows:
            index[r] = len(pool)
            pool.append(r)
        mapped[s] = [index.get(int(r), -1) if r >= 0 else -1 for r in flat[s]]
    pool_px = _pixels(X[pool]) if pool else np.zeros((0,), np.uint8)
    return {
        "kind": "images",
        "title": title,
        "k": k,
        "n_iter": t,
        "h": int(image_shape[0]),
        "w": int(image_shape[1]),
        "m": m,
        "class_names": [str(c) for c in class_names],
        "centers_z": _z(_pixels(centres)),
        "pool_z": _z(pool_px),
        "sizes": steps.sizes.ravel().tolist(),
        "majority": steps.majority.ravel().tolist(),
        "purity": np.nan_to_num(np.round(steps.purity * 100)).astype(int).ravel().tolist(),
        "joined": steps.joined.ravel().tolist(),
        "left": steps.left.ravel().tolist(),
        "joiners": mapped.ravel().tolist(),
        "missing": [list(c) for c in steps.missing_classes],
    }


def points_pane(X, result, steps, grids, bounds, class_names, title: str = "", regions=True):
    """Everything the player needs to show a 2-D run: points, labels, centres, regions.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
    result : kmcore.KMeansResult or None
        None for the "place the starts by hand" view (points only).
    steps : kmcore.StepEvaluation or None
    grids : sequence of (xs, ys, owner)
        ``kmcore.region_grid`` of the centres of steps 0..n_iter.
    bounds : tuple of float
        ``(x_min, x_max, y_min, y_max)`` of the plane drawn.
    class_names : sequence of str
    title : str
    regions : bool
        Shade the region each centre owns.
    """
    pane = {
        "kind": "points",
        "title": title,
        "n": len(X),
        "X": np.round(np.asarray(X, dtype=np.float64), 4).ravel().tolist(),
        "bounds": [float(b) for b in bounds],
        "palette": list(PALETTE),
        "class_names": [str(c) for c in class_names],
        "show_regions": bool(regions),
        "R": 1,
        "k": 0,
        "n_iter": 0,
    }
    if result is None:
        return pane
    t = result.n_iter
    labels = np.stack([h.labels for h in result.history]).astype(np.uint8)
    owners = np.stack([g[2] for g in grids]).astype(np.uint8)
    pane.update(
        k=result.n_clusters,
        n_iter=t,
        labels_z=_z(labels),
        centers=np.round(result.centers_path(), 4).astype(np.float64).ravel().tolist(),
        R=int(owners.shape[1]),
        regions_z=_z(owners),
        missing=[list(c) for c in steps.missing_classes] if steps is not None else None,
    )
    return pane


def candidates_pane(X, y, rows, image_shape, class_names) -> dict:
    """Candidate images (rows of ``X``) to pick the starting centroids from."""
    rows = [int(r) for r in rows]
    return {
        "kind": "candidates",
        "rows": rows,
        "classes": [int(c) for c in np.asarray(y)[rows]],
        "class_names": [str(c) for c in class_names],
        "h": int(image_shape[0]),
        "w": int(image_shape[1]),
        "pool_z": _z(_pixels(X[rows])),
        "n_iter": 0,
        "k": 0,
    }


def player(
    panes,
    *,
    key: str,
    run_id: str,
    mode: str = "play",
    k: int = 0,
    on_starts=None,
    goto: dict | None = None,
    on_pos=None,
):
    """Mount the player for ``panes`` (one, or two stepped together).

    Parameters
    ----------
    panes : list of dict
        From :func:`image_pane` / :func:`points_pane`.
    key : str
        Widget key.
    run_id : str
        Changes when the runs change (the player keeps its position otherwise).
    mode : {"play", "place"}
        "place": click the plane (or candidate images) to choose ``k`` starts; Run sends
        them as the trigger value ``starts`` (x, y pairs, or row numbers of the images).
    on_starts : callable, optional
        Called when starts placed by hand are sent (read them from ``st.session_state[key]``).
    goto : dict, optional
        ``{"run", "pos", "n"}``: stand at ``pos`` when the player shows run ``run``; each
        new ``n`` is obeyed once (a class following its teacher).
    on_pos : callable, optional
        Called with ``key`` when the position changes (the player then reports it as the
        state ``pos``: ``{"run", "pos"}``); None: the position stays in the browser.
    """
    data = {"id": f"{run_id}|{mode}", "mode": mode, "k": int(k), "panes": panes}
    data["goto"] = goto
    data["report"] = on_pos is not None
    kwargs = {}
    if on_pos is not None:
        kwargs["on_pos_change"] = partial(on_pos, key)
    if mode == "place":
        kwargs["on_starts_change"] = on_starts or (lambda: None)
    return _COMPONENT(key=key, data=data, **kwargs)


# ---- the payloads, built once per setting and shared by every session ------------------


@budget.cached("player")
def run_pane(settings: Settings, title: str = "", shade: bool = True) -> dict:
    """The player's data for a setting's run, built once and shared by every session."""
    data = rows(settings.data_key)
    r = run(settings)
    if data.image_shape is not None:
        return image_pane(r.result, r.steps, data.X, data.image_shape, data.class_names, title)
    return points_pane(
        data.X,
        r.result,
        r.steps,
        regions(settings),
        PLANE,
        data.class_names,
        title,
        shade,
    )


@budget.cached("player")
def candidates_for(data_key: tuple, per_class: int = 6) -> dict:
    """A few images of every class to pick the starting centroids from."""
    data = rows(data_key)
    n = min(per_class * len(data.class_names), len(data.y))
    picked = kmcore.stratified_indices(data.y, n, 0)
    picked = picked[np.argsort(data.y[picked], kind="stable")]
    return candidates_pane(data.X, data.y, picked, data.image_shape, data.class_names)


@budget.cached("player")
def plane_for(data_key: tuple) -> dict:
    """The points of a 2-D set alone, for placing starts by hand."""
    data = rows(data_key)
    return points_pane(data.X, None, None, (), PLANE, data.class_names)
