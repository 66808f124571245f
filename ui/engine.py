"""Cached calls into kmcore, shared by every session of the server process.

Results are immutable (kmcore freezes its arrays), so one object is handed to
every tab instead of a copy per tab: thirty students on one setting cost one run
and one copy in memory. Every cache is bounded in bytes (ui/budget.py, the
table is in the README's "Memory budget"); t-SNE maps live in ui/maps.py.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import streamlit as st

import kmcore

from . import ahead, budget, maps, memory
from .settings import K_MAX, Settings, is_large, parse_starts


def _file_split(name: str, split: str) -> str:
    """The split to load: the chosen one for MNIST/Fashion-MNIST; the others have one."""
    return split if is_large(name) else "train"


def dataset(name: str, split: str, progress=None) -> kmcore.Dataset:
    """A whole data set, loaded (and downloaded, with ``progress``) once per process.

    MNIST and Fashion-MNIST stay as uint8 pixels (47 MB for a 60,000-image split
    instead of 188 MB as float32); :func:`rows` converts only the rows it selects.
    """
    return budget.store("datasets").get_or_compute(
        (name, split),
        lambda: kmcore.load_dataset(name, split, progress=progress, pixels="uint8"),
    )


def n_total(settings: Settings) -> int:
    """Rows in the whole split a setting draws from."""
    return len(dataset(settings.dataset, _file_split(settings.dataset, settings.split)).y)


# An entry can be a float32 copy of a whole split (188 MB for MNIST train): kept alone.
@budget.cached("rows")
def rows(data_key: tuple) -> kmcore.Dataset:
    """The rows for ``Settings.data_key`` (dataset, split, sample, balance, seed)."""
    name, split, sample, balance, seed = data_key
    ds = dataset(name, _file_split(name, split))
    return kmcore.select_rows(ds, sample=sample, balance=balance, random_state=seed)


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


@budget.cached("player")
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


@budget.cached("player")
def candidates_pane(data_key: tuple, per_class: int = 6) -> dict:
    """A few images of every class to pick the starting centroids from."""
    from . import player

    data = rows(data_key)
    n = min(per_class * len(data.class_names), len(data.y))
    picked = kmcore.stratified_indices(data.y, n, 0)
    picked = picked[np.argsort(data.y[picked], kind="stable")]
    return player.candidates_pane(data.X, data.y, picked, data.image_shape, data.class_names)


@budget.cached("player")
def plane_pane(data_key: tuple) -> dict:
    """The points of a 2-D set alone, for placing starts by hand."""
    from . import player

    data = rows(data_key)
    return player.points_pane(data.X, None, None, (), PLANE, data.class_names)


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


@budget.cached("centroid_files")
def centroid_files(settings: Settings) -> tuple[bytes, bytes]:
    """The start/end grid as PNG and the iterations as GIF, encoded once per setting."""
    from . import exports

    shape = rows(settings.data_key).image_shape
    res = run(settings).result
    return exports.centroid_png(res, shape), exports.centroid_gif(res, shape)


# ---- t-SNE -------------------------------------------------------------------------------
# The map depends only on the data choice and the t-SNE settings, never on k, init, metric or
# tolerance: one background job per map (ui/maps.py), shared by every session, kept on disk.

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
    start = kmcore.tsne_start(tsne_data(key).X, random_state=TSNE_SEED)
    start.flags.writeable = False
    return start


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
# MNIST run is 2-5 MB of the runs' budget (ui/budget.py); four fit beside the others.
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
    (ui/ahead.py): a teacher stepping the k slider then waits only for the drawing.
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
    if all((folder / f).exists() for f in kmcore.datasets.FILES["test"]):
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


# ---- images (compression, segmentation) ------------------------------------------------
# An upload is worked on at UPLOAD_PIXELS at most and its results are small (uint8 arrays of
# that size); the image caches are bounded in bytes and expire unused entries (budget.TTL_S),
# so a closed tab's upload does not stay. At most IMAGE_WORKERS images are decoded, quantised
# or segmented at once: five tabs uploading together queue instead of each holding its peak.

UPLOAD_PIXELS = 1_000_000
IMAGE_WORKERS = 2
_image_work = threading.BoundedSemaphore(IMAGE_WORKERS)
_release_memory = memory.release


def upload_key(data: bytes) -> tuple:
    """Cache key of an uploaded file: its SHA-256, never the bytes themselves."""
    return ("upload", hashlib.sha256(data).hexdigest())


def _an_upload(args: dict) -> bool:
    """Whether a cached image call is about an upload (its results leave with its tabs)."""
    return args["key"][0] == "upload"


# Uploads are opened by one worker process under a hard memory cap (kmcore.Decoder): the
# server never parses an uploaded file, and a file that needs more memory than the cap gets
# a message instead of growing the server. The worker queues files from every session.
DECODER = kmcore.Decoder()


class UploadGone(LookupError):
    """An upload's picture left the cache, and its file is no longer kept (upload it again)."""


@budget.cached("images", per_session=lambda args: True)
def _uploaded(
    digest: str, formats: tuple, _data: bytes | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    if _data is None:
        raise UploadGone(digest)
    image, notes = DECODER.decode(_data, max_pixels=UPLOAD_PIXELS, formats=formats)
    return image, notes


@budget.cached("images")
def _sample(name: str) -> np.ndarray:
    image = kmcore.sample_image(name)
    image.flags.writeable = False
    return image


def image(
    key: tuple, data: bytes | None = None, formats: tuple[str, ...] | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The RGB image for ``("sample", name)`` or ``upload_key(data)``, with loader notes.

    Uploads are decoded to at most :data:`UPLOAD_PIXELS` pixels, accepting only
    ``formats`` (file extensions). Raises kmcore.ImageError for uploads that
    cannot be used, and :class:`UploadGone` when ``data`` is None (the file is no
    longer kept) and the picture has left the cache.
    """
    if key[0] == "sample":
        return _sample(key[1]), ()
    return _uploaded(key[1], tuple(formats) if formats else None, data)


Quantization = kmcore.QuantizationReport


@dataclass(frozen=True)
class QuantizeSettings:
    """What a quantisation on the compression page depends on besides the image and k."""

    init: str = "random"
    max_iter: int = 30
    tol: float = 0.05  # in colour units (0-1 of the range), as the sidebar's tolerance
    colour_space: str = "rgb"
    seed: int = 0

    def kwargs(self, seed: int | None = None) -> dict:
        """Keyword arguments of :func:`kmcore.quantize` (one start, as the article)."""
        return {
            "init": self.init,
            "n_init": 1,
            "max_iter": self.max_iter,
            "tol": self.tol,
            "colour_space": self.colour_space,
            "random_state": self.seed if seed is None else seed,
        }


def _image_job(fn):
    """Run ``fn`` as one of the IMAGE_WORKERS image jobs, giving memory back after it."""
    with _image_work:
        try:
            return fn()
        finally:
            _release_memory()


@budget.cached("quantization", per_session=_an_upload)
def quantization(key: tuple, n_colors: int, qs: QuantizeSettings, _img: np.ndarray) -> Quantization:
    """Quantise the image ``_img`` (cached under its ``key``) with the page's settings and
    measure it against the original (see :func:`kmcore.quantization_report`)."""

    def work():
        q = kmcore.quantize(_img, n_colors, **qs.kwargs())
        return kmcore.quantization_report(_img, q)

    return _image_job(work)


@dataclass(frozen=True)
class SeedRun:
    """One seed of the page's setting: its start, and the result as an indexed PNG."""

    seed: int
    start: np.ndarray  # (k, 3) uint8, the starting palette
    psnr: float
    n_iter: int
    png: bytes


@budget.cached("quantization", per_session=_an_upload)
def quantization_seeds(
    key: tuple, n_colors: int, qs: QuantizeSettings, seeds: tuple[int, ...], _img: np.ndarray
) -> tuple[SeedRun, ...]:
    """The page's setting run from several seeds (the randomness of the start)."""

    def work():
        out = []
        for seed in seeds:
            q = kmcore.quantize(_img, n_colors, **qs.kwargs(seed))
            start = np.clip(np.rint(q.history[0]), 0, 255).astype(np.uint8)
            start.flags.writeable = False
            out.append(SeedRun(seed, start, q.psnr, q.n_iter, kmcore.indexed_png_bytes(q)))
        return tuple(out)

    return _image_job(work)


@budget.cached("quantization", per_session=_an_upload)
def quantization_gallery(key: tuple, qs: QuantizeSettings, _img: np.ndarray) -> tuple:
    """The image at k = 16, 32, 64, 128 and 256 with the page's setting (see kmcore.gallery)."""
    return _image_job(lambda: kmcore.gallery(_img, **qs.kwargs()))


@budget.cached("quantization", per_session=_an_upload)
def colour_spaces(key: tuple, n_colors: int, qs: QuantizeSettings, _img: np.ndarray) -> tuple:
    """The page's setting in RGB and in CIELAB: (space, PSNR, mean ΔE, indexed PNG) each."""

    def work():
        out = []
        for space in kmcore.COLOUR_SPACES:
            q = kmcore.quantize(_img, n_colors, **replace(qs, colour_space=space).kwargs())
            de = kmcore.mean_delta_e(_img, q.image)
            out.append((space, q.psnr, de, kmcore.indexed_png_bytes(q)))
        return tuple(out)

    return _image_job(work)


@budget.cached("quantization")
def outlier_story(max_iter: int) -> kmcore.OutlierStory:
    """The article's outlier experiment on the reef scene (random starts, RGB, no tolerance)."""
    from kmcore.reef import ORANGE

    reef = _sample("reef")
    return _image_job(lambda: kmcore.outlier_story(reef, ORANGE, max_iter=max_iter))


@budget.cached("quantization")
def outlier_images(seed: int, max_iter: int) -> tuple[bytes, ...]:
    """The reef at the end of the outlier experiment's runs for ``seed``, as indexed PNGs."""
    from kmcore.compression import STORY_KS

    reef = _sample("reef")
    qs = QuantizeSettings(init="random", max_iter=max_iter, tol=0.0, seed=seed)
    return _image_job(
        lambda: tuple(
            kmcore.indexed_png_bytes(kmcore.quantize(reef, k, **qs.kwargs())) for k in STORY_KS
        )
    )


LAB_DEFAULT = "k-means, the lab's default"


@budget.cached("quantization", per_session=_an_upload)
def comparison(
    key: tuple, n_colors: int, qs: QuantizeSettings, _img: np.ndarray
) -> tuple[kmcore.PeerRow, ...]:
    """k-means (the page's setting, and the engine's default) against libimagequant and
    Pillow's quantisers at the same k, no dithering (see kmcore.compare)."""
    ours = {
        "k-means, this page's settings": qs.kwargs(),
        LAB_DEFAULT: {"random_state": qs.seed, "colour_space": qs.colour_space},
    }
    return _image_job(lambda: kmcore.compare(_img, n_colors, ours=ours))


@dataclass(frozen=True)
class Segmentation:
    """One image segmented (labels, centres, the settings used) and how long it took."""

    result: kmcore.Segmented
    seconds: float

    def painted(self, img: np.ndarray) -> np.ndarray:
        """``img`` with every segment in its mean colour."""
        return kmcore.mean_colours(img, self.result.labels)

    def outlined(self, img: np.ndarray) -> np.ndarray:
        """``img`` with the borders between segments drawn."""
        return kmcore.outlines(img, self.result.labels)

    def moved_from(self, other: Segmentation) -> float:
        """Share of pixels in another segment than in ``other``, once segments are paired
        (see :func:`kmcore.agreement`)."""
        return 1.0 - kmcore.agreement(self.result.labels, other.result.labels)


@budget.cached("segmentation", per_session=_an_upload)
def segmentation(
    key: tuple,
    n_segments: int,
    features: str,
    seed: int,
    colour_weight: float,
    position_weight: float,
    _img: np.ndarray,
    metric: str = "l2",
    update: str = "mean",
    init: str = "k-means++",
) -> Segmentation:
    """Segment the image ``_img``, cached under its ``key`` (see :func:`image`), with the
    distance ``metric``, the centre ``update`` and the start ``init``
    (see :func:`kmcore.segment_image`)."""
    with _image_work:
        try:
            start = time.perf_counter()
            result = kmcore.segment_image(
                _img,
                n_segments,
                features=features,
                metric=metric,
                update=update,
                init=init,
                random_state=seed,
                colour_weight=colour_weight,
                position_weight=position_weight,
            )
            return Segmentation(result, time.perf_counter() - start)
        finally:
            _release_memory()


@st.cache_resource(max_entries=1, show_spinner=False)
def filter_bank() -> np.ndarray:
    """The 48 Leung-Malik filters (49, 49, 48)."""
    return budget.freeze(kmcore.lm_filter_bank())


# ---- experiments -------------------------------------------------------------------------

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
