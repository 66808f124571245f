"""t-SNE maps (background jobs, ui/results/maps.py), their colours per k, work ahead."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from functools import partial

import numpy as np
import streamlit as st

import kmcore

from ..settings import K_MAX, Settings, is_large
from . import ahead, budget, maps
from .datasets import _file_split, dataset
from .kmeans_runs import run

# The map depends only on the data choice and the t-SNE settings, never on k, init, metric or
# tolerance: one background job per map (maps.py), shared by every session, kept on disk.
TSNE_SEED = 0
TSNE_JOBS = 2
TSNE_PERPLEXITY = 30.0
TSNE_MNIST_POINTS = 6000  # the t-SNE page's default on MNIST / Fashion-MNIST


def tsne_key(settings: Settings, n_points: int) -> tuple:
    """What a map depends on: data set, split (big sets), number of points.

    ``KMLAB_TSNE_MAX_POINTS`` caps the points (tests draw maps of a few hundred).
    """
    split = settings.split if is_large(settings.dataset) else "all"
    cap = os.environ.get("KMLAB_TSNE_MAX_POINTS")
    n = min(int(n_points), int(cap)) if cap else int(n_points)
    return (settings.dataset, split, n)


@budget.cached("tsne_rows")
def tsne_data(key: tuple) -> kmcore.Dataset:
    """A stratified sample (fixed seed) of the data set for the map."""
    name, split, n_points = key
    ds = dataset(name, _file_split(name, split))
    return kmcore.select_rows(ds, sample=n_points, random_state=TSNE_SEED)


@st.cache_resource(show_spinner=False)
def _maps() -> maps.MapStore:
    return maps.MapStore(maps.cache_dir(), budget.BUDGET_MB["tsne_maps"] * 2**20)


@budget.cached("tsne_clusters")
def tsne_start(key: tuple) -> np.ndarray:
    """The map's PCA start for ``key``, computed once: the page draws it at once, the
    job starts from it."""
    return kmcore.tsne_start(tsne_data(key).X, random_state=TSNE_SEED)  # frozen once cached


def tsne_job(key: tuple, perplexity: float) -> maps.MapJob:
    """The map for ``key`` and ``perplexity``: finished, or computing in the background.

    Never blocks on the fit: poll the job (``job.wait``) and draw ``job.coords``.
    """
    data = tsne_data(key)
    perplexity = float(perplexity)

    def fit(job: maps.MapJob) -> kmcore.TSNEMap:
        return kmcore.tsne_map(
            data.X,
            perplexity=perplexity,
            random_state=TSNE_SEED,
            n_jobs=TSNE_JOBS,
            start=tsne_start(key),
            callback=lambda done, total, coords: job.update(done=done, total=total, coords=coords),
            on_phase=lambda name: job.update(phase=name),
        )

    def rebuild(coords) -> kmcore.TSNEMap:
        return kmcore.with_affinities(coords, data.X, perplexity=perplexity, random_state=TSNE_SEED)

    return _maps().job((key, perplexity), len(data.X), fit, rebuild)


def tsne_fits() -> int:
    """How many maps this process has fitted since the caches were cleared."""
    return _maps().fits


@budget.cached("tsne_clusters")
def tsne_clusters(settings: Settings, key: tuple, perplexity: float):
    """Cluster of every map point (nearest final centre) and the centroids' map positions.

    Call once the map's job has finished.
    """
    res = run(settings).result
    m = tsne_job(key, perplexity).result
    labels, _ = kmcore.nearest_centers(m.data, res.centers.astype(m.data.dtype), settings.metric)
    return labels, m.place(res.centers)


# The k the t-SNE page computes ahead, in this order, around the k on screen: two steps
# either way, so that two quick steps (or a jump of two) after a pause only draw. Each
# MNIST run is 2-5 MB of the runs' budget (ui/results/budget.py); four fit beside the others.
AHEAD_STEPS = (1, -1, 2, -2)


def ks_ahead(k: int) -> list[int]:
    """The k around ``k`` that the t-SNE page computes ahead.

    Parameters
    ----------
    k : int
        The k on screen.

    Returns
    -------
    list of int
        ``k + d`` for d in :data:`AHEAD_STEPS`, nearest first, those within 1..K_MAX.
    """
    return [k + d for d in AHEAD_STEPS if 1 <= k + d <= K_MAX]


def tsne_clusters_ahead(settings: Settings, key: tuple, perplexity: float) -> bool:
    """Compute :func:`tsne_clusters` for the k of :func:`ks_ahead` in the background
    (ui/results/ahead.py): a teacher stepping the k slider then waits only for the drawing.
    False if not started."""
    if settings.starts or not ahead.enabled():  # starts chosen by hand fix k
        return False
    ks = ks_ahead(settings.k)
    work = [partial(_tsne_clusters_if_mapped, replace(settings, k=k), key, perplexity) for k in ks]
    ahead.ask(work)
    return True


def _tsne_clusters_if_mapped(settings: Settings, key: tuple, perplexity: float) -> None:
    """:func:`tsne_clusters` if the map is still in memory: work ahead never starts a fit."""
    if _maps().finished((key, float(perplexity))) is not None:
        tsne_clusters(settings, key, perplexity)


def _default_map_keys() -> list[tuple]:
    """The maps the default settings and the presets open: digits, and MNIST test if present."""
    keys = [tsne_key(Settings(), len(dataset("digits", "train").y))]
    mnist = Settings(dataset="mnist", split="test")
    folder = kmcore.data_dir() / "mnist"
    if all((folder / f).exists() for f in kmcore.DATASET_FILES["test"]):
        keys.append(tsne_key(mnist, TSNE_MNIST_POINTS))
    return keys


_WARM_LOCK = threading.Lock()
_WARMED: list = []


def warm_default_maps() -> threading.Thread | None:
    """Start, once per server process, a daemon thread that computes the default maps.

    One map at a time (bounded); a page asking for one of them meanwhile shares the
    job. Only under ``streamlit run`` (not AppTest), unless ``KMLAB_WARM_MAPS=0``.
    """
    if not maps.background_allowed("KMLAB_WARM_MAPS"):
        return None
    with _WARM_LOCK:
        if _WARMED:
            return None

        def warm():
            maps.lower_priority(19)
            for key in _default_map_keys():
                tsne_job(key, TSNE_PERPLEXITY).join()

        thread = threading.Thread(target=warm, daemon=True, name="kmlab-warm-maps")
        _WARMED.append(thread)
    thread.start()
    return thread
