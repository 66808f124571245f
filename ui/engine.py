"""Cached calls into kmcore, shared by every session of the server process.

Results are immutable (kmcore freezes its arrays), so ``st.cache_resource``
hands the same object to every tab instead of a copy per tab: thirty students
on one setting cost one run and one copy in memory. Every cache is bounded.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

import kmcore

from .handoff import compute_once, handed_off
from .settings import Settings, is_large, parse_starts


def _file_split(name: str, split: str) -> str:
    """The split to load: the chosen one for MNIST/Fashion-MNIST; the others have one."""
    return split if is_large(name) else "train"


@st.cache_resource(max_entries=3, show_spinner=False)
def _dataset(name: str, split: str) -> kmcore.Dataset:
    return handed_off("dataset", (name, split))


def dataset(name: str, split: str, progress=None) -> kmcore.Dataset:
    """A whole data set, loaded (and downloaded, with ``progress``) once per process.

    MNIST and Fashion-MNIST stay as uint8 pixels (47 MB for a 60,000-image split
    instead of 188 MB as float32); :func:`rows` converts only the rows it selects.
    """
    return compute_once(
        _dataset,
        "dataset",
        (name, split),
        lambda: kmcore.load_dataset(name, split, progress=progress, pixels="uint8"),
    )


@dataclass(frozen=True)
class Rows:
    """The rows a setting clusters: a balanced and/or stratified sample of a data set."""

    X: np.ndarray
    y: np.ndarray
    image_shape: tuple[int, int] | None
    class_names: tuple[str, ...]
    n_total: int


# Each entry can be a float32 copy of a whole split (188 MB for MNIST train): keep two.
@st.cache_resource(max_entries=2, show_spinner=False)
def rows(data_key: tuple) -> Rows:
    """Select the rows for ``Settings.data_key`` (dataset, split, sample, balance, seed)."""
    name, split, sample, balance, seed = data_key
    ds = dataset(name, _file_split(name, split))
    idx = np.arange(len(ds.y))
    if balance:
        idx = kmcore.balanced_indices(ds.y, seed)
    if sample and sample < len(idx):
        idx = idx[kmcore.stratified_indices(ds.y[idx], sample, seed)]
    X = kmcore.unit_float(ds.X, None if len(idx) == len(ds.y) else idx)
    X.flags.writeable = False
    return Rows(X, ds.y[idx], ds.image_shape, ds.class_names, len(ds.y))


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


@st.cache_resource(max_entries=24, show_spinner=False)
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


@st.cache_resource(max_entries=12, show_spinner=False)
def player_pane(settings: Settings, title: str = "", shade: bool = True) -> dict:
    """The player's data for a setting's run, built once and shared by every session."""
    from . import player

    data = rows(settings.data_key)
    r = run(settings)
    if data.image_shape is not None:
        return player.image_pane(
            r.result, r.steps, data.X, data.image_shape, data.class_names, title
        )
    return player.points_pane(
        data.X,
        r.result,
        r.steps,
        regions(settings),
        PLANE,
        data.class_names,
        title,
        shade,
    )


@st.cache_resource(max_entries=4, show_spinner=False)
def candidates_pane(data_key: tuple, per_class: int = 6) -> dict:
    """A few images of every class to pick the starting centroids from."""
    from . import player

    data = rows(data_key)
    n = min(per_class * len(data.class_names), len(data.y))
    picked = kmcore.stratified_indices(data.y, n, 0)
    picked = picked[np.argsort(data.y[picked], kind="stable")]
    return player.candidates_pane(data.X, data.y, picked, data.image_shape, data.class_names)


@st.cache_resource(max_entries=4, show_spinner=False)
def plane_pane(data_key: tuple) -> dict:
    """The points of a 2-D set alone, for placing starts by hand."""
    from . import player

    data = rows(data_key)
    return player.points_pane(data.X, None, None, (), PLANE, data.class_names)


@st.cache_resource(max_entries=8, show_spinner=False)
def _elbow(settings: Settings, ks: tuple[int, ...], n_init: int, silhouette: int):
    return handed_off("elbow", (settings, ks, n_init, silhouette))


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

    return compute_once(_elbow, "elbow", (settings, ks, n_init, silhouette), sweep)


PLANE = (-0.05, 1.05, -0.05, 1.05)


def _grids(result: kmcore.KMeansResult, metric: str, resolution: int) -> tuple:
    return tuple(
        kmcore.region_grid(result.centers_at(s), metric, PLANE, resolution)
        for s in range(result.n_iter + 1)
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def regions(settings: Settings, resolution: int = 110) -> tuple:
    """For steps 0..n_iter, the grid of which centre owns each spot of the plane (2-D data)."""
    result = run(settings).result
    return _grids(result, result.metric, resolution)


@st.cache_resource(max_entries=1, show_spinner=False)
def demo_run() -> tuple[np.ndarray, kmcore.KMeansResult, tuple]:
    """A small 2-D run for the home page picture, with its region grids."""
    X, _ = kmcore.make_toy("blobs", 400, 3)
    result = kmcore.kmeans(X, 4, init="random", random_state=1, tol=0)
    return X, result, _grids(result, "l2", 80)


@st.cache_resource(max_entries=8, show_spinner=False)
def centroid_files(settings: Settings) -> tuple[bytes, bytes]:
    """The start/end grid as PNG and the iterations as GIF, encoded once per setting."""
    from . import exports

    shape = rows(settings.data_key).image_shape
    res = run(settings).result
    return exports.centroid_png(res, shape), exports.centroid_gif(res, shape)


# ---- t-SNE -------------------------------------------------------------------------------
# The map depends only on the data choice and the t-SNE settings, never on k, init, metric or
# tolerance: computed once, shared by every session, kept on disk across restarts.

TSNE_SEED = 0
TSNE_JOBS = 2
_FITTED: dict = {}  # maps fitted in this process, handed from tsne_coords to tsne_model
TSNE_FITS = [0]  # how many maps this process has fitted (tests check k changes fit none)


@dataclass(frozen=True)
class TSNEData:
    """The stratified sample a t-SNE map is drawn for."""

    X: np.ndarray
    y: np.ndarray
    image_shape: tuple[int, int] | None
    class_names: tuple[str, ...]


def tsne_key(settings: Settings, n_points: int) -> tuple:
    """What a map depends on: data set, split (big sets), number of points."""
    split = settings.split if is_large(settings.dataset) else "all"
    return (settings.dataset, split, int(n_points))


@st.cache_resource(max_entries=2, show_spinner=False)
def tsne_data(key: tuple) -> TSNEData:
    """A stratified sample (fixed seed) of the data set for the map."""
    name, split, n_points = key
    ds = dataset(name, _file_split(name, split))
    idx = kmcore.stratified_indices(ds.y, min(n_points, len(ds.y)), TSNE_SEED)
    X = kmcore.unit_float(ds.X, idx)
    X.flags.writeable = False
    return TSNEData(X, ds.y[idx], ds.image_shape, ds.class_names)


@st.cache_data(persist="disk", max_entries=8, show_spinner=False)
def _tsne_coords(key: tuple, perplexity: float) -> np.ndarray:
    return handed_off("tsne", (key, perplexity))


def tsne_coords(key: tuple, perplexity: float, progress=None) -> np.ndarray:
    """The map's coordinates (n_points, 2), kept on disk; fitted on a miss with ``progress``."""

    def fit():
        m = kmcore.tsne_map(
            tsne_data(key).X,
            perplexity=perplexity,
            random_state=TSNE_SEED,
            n_jobs=TSNE_JOBS,
            callback=progress,
        )
        TSNE_FITS[0] += 1
        _FITTED.clear()  # at most one fitted map waits for tsne_model
        _FITTED[(key, perplexity)] = m
        return m.coords

    return compute_once(_tsne_coords, "tsne", (key, perplexity), fit)


@st.cache_resource(max_entries=2, show_spinner=False)
def tsne_model(key: tuple, perplexity: float) -> kmcore.TSNEMap:
    """The map with openTSNE's neighbour index, for placing centroids on it."""
    coords = tsne_coords(key, perplexity)
    fitted = _FITTED.pop((key, perplexity), None)
    if fitted is not None:
        return fitted
    return kmcore.with_affinities(
        coords, tsne_data(key).X, perplexity=perplexity, random_state=TSNE_SEED, n_jobs=TSNE_JOBS
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def tsne_clusters(settings: Settings, key: tuple, perplexity: float):
    """Cluster of every map point (nearest final centre) and the centroids' map positions."""
    res = run(settings).result
    X = tsne_data(key).X
    labels, _ = kmcore.nearest_centers(X, res.centers.astype(X.dtype), settings.metric)
    return labels, tsne_model(key, perplexity).place(res.centers)


# ---- images (compression, segmentation) ------------------------------------------------


def upload_key(data: bytes) -> tuple:
    """Cache key of an uploaded file: its SHA-256, never the bytes themselves."""
    return ("upload", hashlib.sha256(data).hexdigest())


@st.cache_resource(max_entries=4, show_spinner=False)
def _uploaded(digest: str, _data: bytes) -> tuple[np.ndarray, tuple[str, ...]]:
    image, notes = kmcore.load_image(_data, return_notes=True)
    image.flags.writeable = False
    return image, notes


@st.cache_resource(max_entries=2, show_spinner=False)
def _sample(name: str) -> np.ndarray:
    image = kmcore.sample_image(name)
    image.flags.writeable = False
    return image


def image(key: tuple, data: bytes | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """The RGB image for ``("sample", name)`` or ``upload_key(data)``, with loader notes.

    Raises kmcore.ImageError for uploads that cannot be used.
    """
    if key[0] == "sample":
        return _sample(key[1]), ()
    if data is None:
        raise ValueError("an uploaded image needs its bytes")
    return _uploaded(key[1], data)


@dataclass(frozen=True)
class Quantization:
    """Everything the compression page shows for one image, k and seed."""

    q: kmcore.Quantized
    account: kmcore.CompressionAccount
    ssim: float
    peers: dict
    frames: tuple
    frame_psnr: tuple
    indexed_png: bytes


@st.cache_resource(max_entries=12, show_spinner=False)
def quantization(key: tuple, n_colors: int, seed: int, _img: np.ndarray) -> Quantization:
    """Quantise the image ``_img`` (cached under its ``key``) and measure it against the
    original and Pillow's quantisers."""
    img = _img
    q = kmcore.quantize(img, n_colors, random_state=seed)
    peers = {}
    for method in ("median cut", "fast octree"):
        other = kmcore.pillow_quantize(img, q.n_colors, method)
        peers[method] = (kmcore.psnr(img, other), kmcore.ssim(img, other))
    frames, frame_psnr = kmcore.preview_frames(img, q)
    return Quantization(
        q,
        kmcore.compression_account(img, q),
        kmcore.ssim(img, q.image),
        peers,
        tuple(frames),
        frame_psnr,
        kmcore.indexed_png_bytes(q),
    )


@dataclass(frozen=True)
class Segmentation:
    """One image segmented: painted in mean colours, outlined, and how long it took."""

    painted: np.ndarray
    outlined: np.ndarray
    seconds: float


@st.cache_resource(max_entries=12, show_spinner=False)
def segmentation(
    key: tuple,
    n_segments: int,
    features: str,
    seed: int,
    colour_weight: float,
    position_weight: float,
    _img: np.ndarray,
) -> Segmentation:
    """Segment the image ``_img``, cached under its ``key`` (see :func:`image`)."""
    img = _img
    start = time.perf_counter()
    labels = kmcore.segment(
        img,
        n_segments,
        features=features,
        random_state=seed,
        colour_weight=colour_weight,
        position_weight=position_weight,
    )
    seconds = time.perf_counter() - start
    return Segmentation(kmcore.mean_colours(img, labels), kmcore.outlines(img, labels), seconds)


@st.cache_resource(max_entries=1, show_spinner=False)
def filter_bank() -> np.ndarray:
    """The 48 Leung-Malik filters (49, 49, 48)."""
    return kmcore.lm_filter_bank()


# ---- experiments -------------------------------------------------------------------------

MAX_GRID_RUNS = 200  # one grid at most: keeps a classroom server responsive


@st.cache_resource(max_entries=6, show_spinner=False)
def _grid(request: tuple):
    return handed_off("grid", (request,))


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

    return compute_once(_grid, "grid", (request,), compute)
