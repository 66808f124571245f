"""The seed article's compression experiments, computed: several k at once, the outlier
colour per iteration, and the usual quantisers at the same k.

Every number the compression page shows comes from here (nothing is typed in).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from . import colour
from .encoders import palette_png_bytes
from .image_metrics import psnr, ssim
from .peers import PEERS, peer_quantize
from .quantize import palette_histories, quantize
from .quantize_report import indexed_png_bytes
from .readonly import ReadOnlyArrays
from .validation import check_image, check_int

GALLERY_KS = (16, 32, 64, 128, 256)  # the article's "Selecting k" figure (and 256)
STORY_KS = (16, 64)  # the article's outlier: washed out at 16, kept at 64
STORY_ITER = 30  # the article's iterations
STORY_SEED = 10  # a start that picks the orange at k = 16 (see tests/test_compression.py)
STORY_SEEDS = 20  # seeds the page counts the story over
KEPT_DE = 10.0  # "kept": a palette colour within this ΔE*ab of the outlier colour


@dataclass(frozen=True)
class GalleryEntry(ReadOnlyArrays):
    """One k of the gallery.

    Attributes
    ----------
    n_colors : int
    bits : float
        log2 k: bits per pixel for the palette index (24 for the original).
    factor : float
        24 / bits: the article's compression factor (6 for k = 16).
    psnr : float
    png : bytes
        The quantised image as an indexed PNG file: ``len(png)`` is its real size.
    palette : ndarray of shape (k, 3), uint8
    n_iter : int
    """

    n_colors: int
    bits: float
    factor: float
    psnr: float
    png: bytes
    palette: np.ndarray
    n_iter: int


def gallery(image, ks=GALLERY_KS, **kwargs) -> tuple[GalleryEntry, ...]:
    """Quantise one image at several k, with the bits, factor, PSNR and PNG size of each.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    ks : sequence of int
        Each between 2 and 256 (a k that is not a power of two still costs
        ``log2 k`` bits in the article's count, so ``bits`` may be fractional).
    **kwargs
        Passed to :func:`kmcore.quantize` (init, max_iter, tol, colour_space,
        random_state...); the same for every k.

    Returns
    -------
    tuple of GalleryEntry
        In the order of ``ks``; k is capped at the image's distinct colours.
    """
    image = check_image(image)
    ks = tuple(check_int(k, "ks", 2, 256) for k in ks)
    if not ks:
        raise ValueError("ks is empty: give at least one k")
    out = []
    for k in ks:
        q = quantize(image, k, **kwargs)
        bits = math.log2(q.n_colors) if q.n_colors > 1 else 0.0
        out.append(
            GalleryEntry(
                q.n_colors,
                bits,
                24 / bits if bits else math.inf,
                q.psnr,
                indexed_png_bytes(q),
                q.palette,
                q.n_iter,
            )
        )
    return tuple(out)


def sorted_palette(palette) -> np.ndarray:
    """A palette ordered for display: by hue band (greys first), then by lightness."""
    palette = np.asarray(palette, np.uint8)
    lab = colour.rgb_to_lab(palette)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    hue = np.degrees(np.arctan2(lab[:, 2], lab[:, 1])) % 360
    band = np.where(chroma < 8, -1, (hue // 30).astype(int))
    return palette[np.lexsort((lab[:, 0], band))]


@dataclass(frozen=True)
class OutlierTrace(ReadOnlyArrays):
    """How far an outlier colour is from the palette, iteration by iteration.

    Attributes
    ----------
    n_colors : int
    seed : int
    distance : ndarray of shape (n_iter + 1,), float64
        ΔE*ab (CIE 1976) from the outlier colour to its nearest palette colour:
        ``distance[0]`` for the start, ``distance[i]`` after iteration i.
    nearest : ndarray of shape (n_iter + 1, 3), uint8
        That nearest palette colour (rounded), per iteration.
    """

    n_colors: int
    seed: int
    distance: np.ndarray
    nearest: np.ndarray

    @property
    def picked(self) -> bool:
        """Whether a starting colour was within :data:`KEPT_DE` of the outlier colour."""
        return bool(self.distance[0] <= KEPT_DE)

    @property
    def kept(self) -> bool:
        """Whether a colour within :data:`KEPT_DE` of the outlier is in the final palette."""
        return bool(self.distance[-1] <= KEPT_DE)


def _check_outlier(outlier) -> np.ndarray:
    outlier = np.asarray(outlier, np.float64)
    if outlier.shape != (3,) or not np.all((outlier >= 0) & (outlier <= 255)):
        raise ValueError(f"outlier must be one sRGB colour (3 values 0-255); got {outlier!r}")
    return outlier


def _trace(history, outlier, k, seed) -> OutlierTrace:
    dist, near = [], []
    for pal in history:
        d = colour.delta_e(pal, outlier)
        j = int(np.argmin(d))
        dist.append(float(d[j]))
        near.append(np.clip(np.rint(pal[j]), 0, 255))
    return OutlierTrace(k, int(seed), np.array(dist), np.array(near, np.uint8))


def outlier_trace(
    image, outlier, n_colors, *, random_state, max_iter=STORY_ITER, init="random", tol=0.0
) -> OutlierTrace:
    """The distance from ``outlier`` to the nearest palette colour after each iteration.

    The article's setting by default: random pixel colours as the start, RGB, and every
    one of ``max_iter`` iterations (no tolerance). The palettes are those of
    ``kmcore.quantize(image, n_colors, init=init, max_iter=max_iter, tol=tol,
    random_state=random_state).history``.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    outlier : array-like of shape (3,)
        An sRGB colour (0-255).
    n_colors : int
    random_state : int
    max_iter, init, tol
        As for :func:`kmcore.quantize`.

    Returns
    -------
    OutlierTrace
    """
    outlier = _check_outlier(outlier)
    (history,) = palette_histories(
        image, n_colors, [random_state], init=init, max_iter=max_iter, tol=tol
    )
    return _trace(history, outlier, n_colors, random_state)


@dataclass(frozen=True)
class OutlierStory(ReadOnlyArrays):
    """The article's outlier experiment over several seeds.

    Attributes
    ----------
    ks : tuple of int
    runs : tuple of tuple of OutlierTrace
        For each k of ``ks``, the traces of seeds 0, 1, ... in order.
    """

    ks: tuple
    runs: tuple

    @property
    def seeds(self) -> int:
        """How many seeds were run (0 .. seeds - 1)."""
        return len(self.runs[0])

    def traces(self, k: int) -> tuple:
        """The traces of every seed at ``k``."""
        return self.runs[self.ks.index(k)]

    def picked(self, k: int) -> int:
        """Runs whose start had a colour within :data:`KEPT_DE` of the outlier colour."""
        return sum(t.picked for t in self.traces(k))

    def washed_out(self, k: int) -> int:
        """Runs that started with such a colour and ended without one."""
        return sum(t.picked and not t.kept for t in self.traces(k))

    def kept(self, k: int) -> int:
        """Runs that ended with a colour within :data:`KEPT_DE` (whatever the start)."""
        return sum(t.kept for t in self.traces(k))


def outlier_story(image, outlier, *, seeds=STORY_SEEDS, max_iter=STORY_ITER) -> OutlierStory:
    """Trace the outlier colour at k = 16 and 64 (:data:`STORY_KS`) for seeds 0 .. seeds-1.

    Returns
    -------
    OutlierStory
    """
    seeds = check_int(seeds, "seeds", 1, 1000)
    outlier = _check_outlier(outlier)
    runs = tuple(
        tuple(
            _trace(h, outlier, k, s)
            for s, h in enumerate(palette_histories(image, k, range(seeds), max_iter=max_iter))
        )
        for k in STORY_KS
    )
    return OutlierStory(STORY_KS, runs)


@dataclass(frozen=True)
class PeerRow:
    """One quantiser measured on one image at one k.

    Attributes
    ----------
    method : str
    n_colors : int
        Colours actually used.
    psnr, ssim, delta_e : float
        Against the original; ``delta_e`` is the mean ΔE*ab (CIE 1976).
    png_bytes : int
        Size of the result as an indexed PNG (same encoder for every method).
    seconds : float
        Wall time of the quantiser itself, measured once (no metric or encoding).
    """

    method: str
    n_colors: int
    psnr: float
    ssim: float
    delta_e: float
    png_bytes: int
    seconds: float


def _row(method, original, indices, palette, seconds) -> PeerRow:
    image = palette[indices]
    return PeerRow(
        method,
        len(palette),
        psnr(original, image),
        ssim(original, image),
        colour.mean_delta_e(original, image),
        len(palette_png_bytes(indices, palette)),
        seconds,
    )


def compare(image, n_colors, ours=None, peers=PEERS) -> tuple[PeerRow, ...]:
    """k-means against the usual quantisers at the same k, no dithering.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    n_colors : int
        2 to 256.
    ours : mapping of str to dict, optional
        Name -> keyword arguments of :func:`kmcore.quantize` for each k-means row;
        default one row, "k-means (lab default)", with the defaults.
    peers : sequence of str
        Of :data:`kmcore.peers.PEERS`.

    Returns
    -------
    tuple of PeerRow
        The k-means rows first, then the peers in the order given.
    """
    image = check_image(image)
    k = check_int(n_colors, "n_colors", 2, 256)
    ours = {"k-means (lab default)": {"random_state": 0}} if ours is None else dict(ours)
    rows = []
    for name, kwargs in ours.items():
        start = time.perf_counter()
        q = quantize(image, k, **kwargs)
        seconds = time.perf_counter() - start
        rows.append(_row(name, image, q.indices, q.palette, seconds))
    for method in peers:
        start = time.perf_counter()
        indices, palette = peer_quantize(image, k, method)
        seconds = time.perf_counter() - start
        rows.append(_row(method, image, indices, palette, seconds))
    return tuple(rows)
