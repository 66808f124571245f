"""k-means runs of the sidebar's settings, their 2-D region grids, elbow sweeps, grids."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

import kmcore

from ..settings import Settings, parse_starts
from . import budget
from .datasets import rows


@dataclass(frozen=True)
class Run:
    """A k-means run with its evaluation against the true classes."""

    result: kmcore.KMeansResult
    evaluation: kmcore.ClusterEvaluation
    steps: kmcore.StepEvaluation
    seconds: float


def hand_starts(settings: Settings, X: np.ndarray):
    """The starting centres chosen by hand (``settings.starts``), or None.

    Raises ValueError when they do not fit the data or k.
    """
    parsed = parse_starts(settings.starts) if settings.starts else None
    if parsed is None:
        return None
    kind, value = parsed
    if kind == "points":
        if X.shape[1] != 2:
            raise ValueError("starts placed on the plane need a 2-D data set")
        starts = value
    else:
        if max(value) >= len(X):
            raise ValueError(f"picked image {max(value)} is not among the {len(X):,} rows")
        starts = X[list(value)]
    if len(starts) != settings.k:
        raise ValueError(
            f"{len(starts)} starts were chosen by hand but k = {settings.k}; "
            "choose them again or set k to match"
        )
    return starts


@budget.cached("runs")
def run(settings: Settings) -> Run:
    """Run k-means for a setting (raises ValueError for impossible settings)."""
    data = rows(settings.data_key)
    starts = hand_starts(settings, data.X)
    start = time.perf_counter()
    result = kmcore.kmeans(
        data.X,
        settings.k,
        init=settings.init if starts is None else starts,
        metric=settings.metric,
        tol=settings.tol,
        max_iter=settings.max_iter,
        random_state=settings.seed,
        labels=data.y,
        update=settings.update,
        empty=settings.empty,
    )
    seconds = time.perf_counter() - start
    n_classes = len(data.class_names)
    steps = kmcore.evaluate_steps(result, data.y, n_classes)
    final = kmcore.evaluate(result.labels, data.y, settings.k, n_classes)
    return Run(result, final, steps, seconds)


def elbow(
    settings: Settings, ks: tuple[int, ...], n_init: int, silhouette: int, progress=None
) -> kmcore.ElbowResult:
    """The elbow sweep for a setting's data, init, metric and tolerance (cached)."""

    def sweep():
        data = rows(settings.data_key)
        init = "k-means++" if settings.init == "per-class" else settings.init
        return kmcore.elbow(
            data.X,
            ks,
            n_init=n_init,
            init=init,
            metric=settings.metric,
            tol=settings.tol,
            max_iter=settings.max_iter,
            random_state=settings.seed,
            silhouette_sample=silhouette,
            progress=progress,
        )

    return budget.store("elbow").get_or_compute((settings, ks, n_init, silhouette), sweep)


PLANE = (-0.05, 1.05, -0.05, 1.05)


def _grids(result: kmcore.KMeansResult, metric: str, resolution: int) -> tuple:
    return tuple(
        kmcore.region_grid(result.centers_at(s), metric, PLANE, resolution)
        for s in range(result.n_iter + 1)
    )


@budget.cached("regions")
def regions(settings: Settings, resolution: int = 110) -> tuple:
    """For steps 0..n_iter, the grid of which centre owns each spot of the plane (2-D data)."""
    result = run(settings).result
    return _grids(result, result.metric, resolution)


@st.cache_resource(max_entries=1, show_spinner=False)
def demo_run() -> tuple[np.ndarray, kmcore.KMeansResult, tuple]:
    """A small 2-D run for the home page picture, with its region grids."""
    X, _ = kmcore.make_toy("blobs", 400, 3)
    result = kmcore.kmeans(X, 4, init="random", random_state=1, tol=0)
    return budget.freeze((X, result, _grids(result, "l2", 80)))


MAX_GRID_RUNS = 200  # one grid at most: keeps a classroom server responsive


def grid(
    settings: Settings,
    variants: tuple[bool, ...],
    inits: tuple[str, ...],
    metrics: tuple[str, ...],
    ks: tuple[int, ...],
    n_seeds: int,
    pca: int,
    progress=None,
) -> kmcore.GridResult:
    """Run (or fetch) an experiment grid on the setting's data; ``variants`` are balance flags."""
    request = (
        settings.dataset,
        settings.split,
        settings.sample,
        variants,
        inits,
        metrics,
        ks,
        settings.seed,
        n_seeds,
        settings.tol,
        settings.max_iter,
        pca,
    )

    def compute():
        data = {}
        for balanced in variants:
            r = rows(replace(settings, balance=balanced).data_key)
            data["balanced" if balanced else "all"] = (r.X, r.y)
        seeds = range(settings.seed, settings.seed + n_seeds)
        return kmcore.run_grid(
            data,
            inits=inits,
            metrics=metrics,
            ks=ks,
            seeds=seeds,
            tol=settings.tol,
            max_iter=settings.max_iter,
            pca_components=pca or None,
            progress=progress,
        )

    return budget.store("grid").get_or_compute(request, compute)
