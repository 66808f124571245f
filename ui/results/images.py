"""Pictures: samples and uploads (opened by the capped worker), quantisations, segments."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

import kmcore

from . import budget, memory

# An upload is worked on at UPLOAD_PIXELS at most and its results are small (uint8 arrays of
# that size); the image caches are bounded in bytes and expire unused entries (budget.TTL_S),
# so a closed tab's upload does not stay. At most IMAGE_WORKERS images are quantised or
# segmented at once: tabs working together queue instead of each holding its peak. Uploads
# are opened before that, one at a time, by the capped worker (DECODER, below).
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
    return kmcore.sample_image(name)  # read-only once cached (budget.freeze)


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

    reef = _sample("reef")
    return _image_job(lambda: kmcore.outlier_story(reef, kmcore.REEF_ORANGE, max_iter=max_iter))


@budget.cached("quantization")
def outlier_images(seed: int, max_iter: int) -> tuple[bytes, ...]:
    """The reef at the end of the outlier experiment's runs for ``seed``, as indexed PNGs."""

    reef = _sample("reef")
    qs = QuantizeSettings(init="random", max_iter=max_iter, tol=0.0, seed=seed)
    return _image_job(
        lambda: tuple(
            kmcore.indexed_png_bytes(kmcore.quantize(reef, k, **qs.kwargs()))
            for k in kmcore.STORY_KS
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
