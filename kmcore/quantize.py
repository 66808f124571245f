"""Colour quantisation by k-means: an image redrawn with k colours.

What it costs and keeps is measured in :mod:`kmcore.quantize_report`; the metrics live in
:mod:`kmcore.image_metrics`, the file encoders in :mod:`kmcore.encoders`, the peer quantisers
in :mod:`kmcore.peers`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import colour
from .distances import nearest_few
from .image_metrics import BLOCK_PIXELS, psnr
from .init import _initial_centers, weighted_kmeans_pp
from .lloyd import STOP_UNCHANGED, _kmeans_single
from .readonly import ReadOnlyArrays
from .validation import (
    check_choice,
    check_float,
    check_image,
    check_int,
    check_random_state,
    has_distinct_rows,
)
from .wording import count


@dataclass(frozen=True)
class Quantized(ReadOnlyArrays):
    """An image redrawn with a palette of k colours.

    Attributes
    ----------
    image : ndarray of shape (h, w, 3), uint8
        ``palette[indices]``.
    palette : ndarray of shape (k, 3), uint8
    indices : ndarray of shape (h, w), uint8 or uint16
    bits_per_pixel : int
        ``ceil(log2 k)``: what an index costs.
    psnr : float
        Peak signal-to-noise ratio against the original, in dB (inf if equal).
    history : tuple of ndarray of shape (k, 3), float32
        The palette (sRGB, 0-255, not rounded) before the first iteration and after
        each: ``history[0]`` is the start, ``history[-1]`` the palette before rounding.
    n_colors : int
        k actually used (capped at the number of distinct colours).
    n_distinct : int
        Distinct colours in the original.
    notes : tuple of str
    init, colour_space : str
        The start and the colour space used.
    n_iter : int
        Lloyd iterations run (``len(history) - 1``).
    stop_reason : str
        Why the iterations stopped (the strings of :mod:`kmcore.lloyd`).
    max_iter : int
    tol : float
        In units of the colour range (see :func:`quantize`).
    n_init : int
        Starts compared (the best one was run).
    n_coarse : int
        Of the ``n_iter`` iterations, how many ran on the coarser cells (k-means++ only:
        its starts are compared there, see :func:`quantize`).
    """

    image: np.ndarray
    palette: np.ndarray
    indices: np.ndarray
    bits_per_pixel: int
    psnr: float
    history: tuple
    n_colors: int
    n_distinct: int
    notes: tuple[str, ...]
    init: str = "k-means++"
    colour_space: str = "rgb"
    n_iter: int = 0
    stop_reason: str = STOP_UNCHANGED
    max_iter: int = 100
    tol: float = 0.0
    n_init: int = 1
    n_coarse: int = 0


def _index_dtype(k: int):
    return np.uint8 if k <= 256 else np.uint16


# ---- the quantiser ---------------------------------------------------------------------------
# k-means runs on the pixels grouped by colour: every pixel falls in one of 64^3 cells (the top
# 6 bits of each channel, 4 levels wide) and a cell is one point, at the mean of its pixels,
# weighted by how many there are. The weighted sum of squares over cells differs from the one
# over pixels by a constant (the spread inside the cells) as long as a cell's pixels share a
# centre, so the fit is k-means on every pixel at the price of a few ten thousand points
# instead of hundreds of thousands. The final palette is then given to every pixel exactly.

QUANTIZE_INITS = ("random", "k-means++", "maxmin", "hierarchical", "noise", "refined")
DEFAULT_TOL = 0.002  # in units of the colour range: half a level of 255 (0.2 ΔE in CIELAB)
FINE_BITS = 6  # cells the palette is fitted on: 4 levels wide ...
MAX_BITS = 7  # ... or 2 levels wide for images with few colours
CELLS_PER_COLOUR = 40  # fewer fine cells than this per palette colour: take narrower cells
INIT_SAMPLE = 20_000  # pixels the maxmin, hierarchical, noise and refined starts see
_COARSE_ITER = 50  # Lloyd iterations that compare several k-means++ starts on coarse cells


def _auto_n_init(init: str, k: int) -> int:
    """Starts tried for "auto": k-means++ tries more for few colours (a local optimum costs
    more there, and a start is cheap: 10 at k = 16, 2 at k = 64, 1 from k = 128), one start
    for every other method."""
    return min(10, max(1, 160 // k)) if init == "k-means++" else 1


def _packed(pixels: np.ndarray) -> np.ndarray:
    """One int32 per pixel, 0xRRGGBB, built in place."""
    packed = pixels[:, 0].astype(np.int32)
    packed <<= 8
    packed |= pixels[:, 1]
    packed <<= 8
    packed |= pixels[:, 2]
    return packed


def _unpack(packed: np.ndarray) -> np.ndarray:
    return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], 1).astype(np.uint8)


def _distinct(packed: np.ndarray) -> np.ndarray:
    """The sorted distinct packed colours, by a 16 MB bitmap (np.unique sorts: 5-10x slower)."""
    seen = np.zeros(1 << 24, dtype=bool)
    seen[packed] = True
    return np.flatnonzero(seen).astype(np.int32)


def _in_space(pixels: np.ndarray, space: str) -> np.ndarray:
    """Pixels (n, 3) uint8 as float32 coordinates of the colour space."""
    if space == "rgb":
        return pixels.astype(np.float32)
    return colour.rgb_to_lab(pixels).astype(np.float32)


def _compact(keys: np.ndarray, n_bins: int):
    """Occupied bins of ``keys`` (sorted) and each key's position among them, without a sort
    (a bitmap and a lookup table of ``n_bins``: 10 MB at most here)."""
    seen = np.zeros(n_bins, dtype=bool)
    seen[keys] = True
    occupied = np.flatnonzero(seen)
    lut = np.zeros(n_bins, np.int32)
    lut[occupied] = np.arange(len(occupied), dtype=np.int32)
    return occupied, lut[keys]


def _cells(pixels: np.ndarray, space: str, bits: int = MAX_BITS):
    """The pixels grouped by the top ``bits`` bits of each channel.

    Returns
    -------
    X : ndarray of shape (n_cells, 3), float32
        Mean colour of each occupied cell, in ``space``.
    weight : ndarray of shape (n_cells,), float64
        Pixels in each cell.
    ids : ndarray of shape (n_cells,), int
        The cells' numbers (``r >> s << 2b | g >> s << b | b >> s``, ``s = 8 - bits``).
    """
    shift = 8 - bits
    cell = (pixels[:, 0] >> shift).astype(np.int32) << (2 * bits)
    cell |= (pixels[:, 1] >> shift).astype(np.int32) << bits
    cell |= pixels[:, 2] >> shift
    ids, inverse = _compact(cell, 1 << (3 * bits))
    del cell
    m = len(ids)
    weight = np.bincount(inverse, minlength=m).astype(np.float64)
    sums = np.zeros((m, 3))
    for start in range(0, len(pixels), BLOCK_PIXELS):
        block = pixels[start : start + BLOCK_PIXELS]
        values = block if space == "rgb" else _in_space(block, space)
        part = inverse[start : start + BLOCK_PIXELS]
        for c in range(3):
            sums[:, c] += np.bincount(part, values[:, c], minlength=m)
    return (sums / weight[:, None]).astype(np.float32), weight, ids


def _coarser(X, w, ids, bits: int):
    """Cells of ``bits`` bits merged into cells one bit coarser (weighted means)."""
    b = bits - 1
    mask = (1 << b) - 1
    coarse = (ids >> (2 * bits + 1) & mask) << (2 * b)
    coarse |= (ids >> (bits + 1) & mask) << b
    coarse |= ids >> 1 & mask
    key, inverse = _compact(coarse, 1 << (3 * b))
    cw = np.bincount(inverse, w, minlength=len(key))
    sums = np.stack([np.bincount(inverse, w * X[:, c], minlength=len(key)) for c in range(3)], 1)
    return (sums / cw[:, None]).astype(np.float32), cw, key


def _fit_sets(pixels, space, k):
    """The cells the palette is fitted on and those the k-means++ starts are compared on.

    Cells 4 levels wide (6 bits) unless there are fewer than :data:`CELLS_PER_COLOUR`
    per colour: then 2 levels wide (7 bits), for images with few colours (a drawing
    at k = 256 lost 0.4 dB on 4-level cells). The coarse cells are twice as wide.
    """
    bits = FINE_BITS
    cells = _cells(pixels, space, bits)
    while bits < MAX_BITS and len(cells[1]) < CELLS_PER_COLOUR * k:
        bits += 1
        cells = _cells(pixels, space, bits)
    fine = cells[:2]
    coarse = _coarser(*cells, bits)[:2]
    if len(coarse[1]) < 2 * k:
        coarse = fine
    return fine, coarse


def _random_pixel_colours(pixels, k, rng, packed, distinct):
    """The colours of ``k`` pixels drawn at random, all different (the article's start).

    Pixels are drawn without replacement; when two drawn pixels share a colour, more are
    drawn, so that frequent colours are as likely as in the image.
    """
    chosen: dict[int, None] = {}
    for _ in range(20):
        need = k - len(chosen)
        for p in rng.choice(len(packed), size=min(len(packed), 2 * need), replace=False):
            chosen.setdefault(int(packed[p]), None)
            if len(chosen) == k:
                return _unpack(np.fromiter(chosen, np.int32, k))
    rest = np.setdiff1d(distinct, np.fromiter(chosen, np.int32))  # very few colours
    extra = rng.choice(rest, size=k - len(chosen), replace=False)
    return _unpack(np.concatenate([np.fromiter(chosen, np.int32), extra]).astype(np.int32))


def _lloyd_weighted(X, w, C, max_iter, tol):
    """Lloyd's algorithm on weighted points: the engine's kernel with ``sample_weight``.

    Returns (history, stop reason, inertia): ``history`` holds the centres before the
    first iteration and after each; ``inertia`` is the weighted sum of squares to the
    final centres. An empty cluster takes the point farthest from its centre
    (scikit-learn's relocation).
    """
    res = _kmeans_single(
        X,
        np.asarray(C, X.dtype),
        empty="farthest",
        tol=tol,
        max_iter=max_iter,
        sample_weight=w,
    )
    return [res.init_centers, *(step.centers for step in res.history)], res.stop_reason, res.inertia


def _map_pixels(pixels, palette, space):
    """Index of the nearest palette colour (in ``space``) of every pixel, block by block."""
    k = len(palette)
    target = colour.to_space(palette, space)
    indices = np.empty(len(pixels), _index_dtype(k))
    for start in range(0, len(pixels), BLOCK_PIXELS):
        block = pixels[start : start + BLOCK_PIXELS]
        values = block if space == "rgb" else _in_space(block, space)
        indices[start : start + BLOCK_PIXELS] = nearest_few(values, target)
    return indices


def _starts(init, k, rng, pixels, packed, distinct, space, fit):
    """Starting centres (k, 3) float32 in ``space``."""
    if init == "random":
        return _in_space(_random_pixel_colours(pixels, k, rng, packed, distinct), space)
    if init == "k-means++":
        return weighted_kmeans_pp(*fit, k, rng)
    n = len(pixels)
    sample = pixels if n <= INIT_SAMPLE else pixels[rng.choice(n, INIT_SAMPLE, replace=False)]
    sample = _in_space(sample, space).astype(np.float64)
    if not has_distinct_rows(sample, k):
        sample = _in_space(_unpack(distinct), space).astype(np.float64)
    return _initial_centers(sample, k, init, rng).astype(np.float32)


class _Prepared:
    """One image made ready for k-means at one k: its pixels, colours and cells."""

    def __init__(self, pixels, packed, distinct, space, k):
        self.pixels, self.packed, self.distinct = pixels, packed, distinct
        self.space, self.k = space, k
        self.fit, self.coarse = _fit_sets(pixels, space, k)
        if len(self.fit[1]) < 2 * k:  # few colours: fit on the distinct colours themselves
            _, counts = np.unique(packed, return_counts=True)
            X = _in_space(_unpack(distinct), space)
            self.fit = self.coarse = (X, counts.astype(np.float64))

    def history(self, init, n_init, max_iter, tol, rng):
        """The palettes (sRGB 0-255, clipped) from the start on, the stop reason, and how
        many iterations ran on the coarse cells; ``tol`` in units of the colour range."""
        steps, stop, n_coarse = _fit(
            init,
            self.k,
            n_init,
            max_iter,
            tol * colour.SCALE[self.space],
            rng,
            self.fit,
            self.coarse,
            self.pixels,
            self.packed,
            self.distinct,
            self.space,
        )
        rgb = [np.clip(colour.from_space(c, self.space), 0, 255) for c in steps]
        return rgb, stop, n_coarse


def palette_histories(image, n_colors, seeds, *, init="random", max_iter=30, tol=0.0):
    """The palette before the first iteration and after each, for several seeds (RGB).

    What :func:`quantize` computes as ``Quantized.history``, without redrawing the image,
    and with the image's colours and cells prepared once for all the seeds.

    Returns
    -------
    list of list of ndarray of shape (k, 3), float64
        One list per seed.
    """
    image = check_image(image)
    k = check_int(n_colors, "n_colors", 1, 65536)
    init = check_choice(init, "init", QUANTIZE_INITS)
    max_iter = check_int(max_iter, "max_iter", 0, 10_000)
    tol = check_float(tol, "tol")
    pixels = image.reshape(-1, 3)
    packed = _packed(pixels)
    distinct = _distinct(packed)
    if k >= len(distinct):
        raise ValueError(f"n_colors ({k}) must be below the image's {len(distinct)} colours")
    prepared = _Prepared(pixels, packed, distinct, "rgb", k)
    n_init = _auto_n_init(init, k)
    return [
        prepared.history(init, n_init, max_iter, tol, check_random_state(seed))[0] for seed in seeds
    ]


def _check_n_init(n_init, init, k) -> int:
    if isinstance(n_init, str):
        if n_init != "auto":
            raise ValueError(f"n_init must be 'auto' or an integer >= 1; got {n_init!r}")
        return _auto_n_init(init, k)
    return check_int(n_init, "n_init", 1, 100)


def _fit(init, k, n_init, max_iter, tol, rng, fit, coarse, pixels, packed, distinct, space):
    """The Lloyd iterations from the chosen start: (history, stop reason, coarse iterations).

    k-means++ (the quality default) starts on the coarse cells: each of the ``n_init``
    starts runs there until no colour moves more than a level (or ``tol`` if larger), the
    one with the least sum of squares is kept and its iterations go on on the fine cells.
    The coarse iterations cost a fifth of the fine ones and leave few fine ones to do.
    Other starts run on the fine cells from the start; with ``n_init > 1`` each runs and
    the run with the least sum of squares is kept.
    """
    if init == "k-means++":
        level = max(tol, colour.SCALE[space] / 255)
        best = None
        for _ in range(n_init):
            start = weighted_kmeans_pp(*coarse, k, rng)
            hist, stop, score = _lloyd_weighted(*coarse, start, min(max_iter, _COARSE_ITER), level)
            if best is None or score < best[0]:
                best = (score, hist, stop)
        _, head, stop = best
        n_coarse = len(head) - 1
        if max_iter > n_coarse:
            tail, stop, _ = _lloyd_weighted(*fit, head[-1], max_iter - n_coarse, tol)
            head = head + tail[1:]
        return head, stop, n_coarse
    best = None
    for _ in range(n_init):
        start = _starts(init, k, rng, pixels, packed, distinct, space, coarse)
        hist, stop, score = _lloyd_weighted(*fit, start, max_iter, tol)
        if best is None or score < best[0]:
            best = (score, hist, stop)
    return best[1], best[2], 0


def quantize(
    image,
    n_colors,
    *,
    init="k-means++",
    n_init="auto",
    max_iter=100,
    tol=DEFAULT_TOL,
    colour_space="rgb",
    random_state=None,
) -> Quantized:
    """Redraw an image with ``n_colors`` colours chosen by k-means.

    k-means runs on every pixel, grouped by colour into cells 4 levels wide (2 for
    images with few colours): a cell is one point at the mean of its pixels, weighted by
    their number, which gives the same sums of squares with far fewer points. The
    palette is then rounded to whole levels and every pixel takes its nearest palette
    colour (in ``colour_space``), so that ``palette[indices] == image``.

    With k-means++ (the default) the first iterations run on cells twice as wide, where
    ``n_init`` starts are compared; the best one goes on on the fine cells
    (``Quantized.n_coarse`` says how many iterations ran on the coarse cells). This is
    the lab's quality setting: measured against libimagequant in ``bench/``.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    n_colors : int
        k; capped (with a note) at the number of distinct colours.
    init : {"k-means++", "random", "maxmin", "hierarchical", "noise", "refined"}
        "random": the colours of k pixels drawn at random (all different), as in the
        seed article. "k-means++": greedy k-means++ on the colour cells, weighted by
        their pixels. The others are :func:`kmcore.init._initial_centers` on a random
        sample of :data:`INIT_SAMPLE` pixels.
    n_init : int or "auto"
        Starts tried; the run that ends with the least sum of squares is kept (for
        k-means++, compared after the coarse iterations). "auto": 160 // k starts
        (1 to 10) for k-means++, one for every other method (the article's single run).
    max_iter : int
        Lloyd iterations at most (0: the palette is the start).
    tol : float
        Stop when no palette colour moves farther than this, in units of the colour
        range as the sidebar's tolerance: ``tol * 255`` levels in RGB, ``tol * 100``
        ΔE units in CIELAB. The palette is rounded to whole levels, so half a level
        (the default) loses nothing.
    colour_space : {"rgb", "lab"}
        Where distances and means are taken: sRGB levels, or CIELAB (k-means then
        minimises the squared colour difference ΔE*ab).
    random_state : int, Generator or None

    Returns
    -------
    Quantized
    """
    image = check_image(image)
    k = check_int(n_colors, "n_colors", 1, 65536)
    if init == "per-class":
        raise ValueError("init 'per-class' needs class labels, and pixels have none")
    init = check_choice(init, "init", QUANTIZE_INITS)
    space = check_choice(colour_space, "colour_space", colour.COLOUR_SPACES)
    max_iter = check_int(max_iter, "max_iter", 0, 10_000)
    tol = check_float(tol, "tol")
    n_init = _check_n_init(n_init, init, k)
    rng = check_random_state(random_state)
    pixels = image.reshape(-1, 3)
    packed = _packed(pixels)
    distinct = _distinct(packed)
    notes = []
    stop, n_starts, n_coarse = STOP_UNCHANGED, 1, 0
    if k >= len(distinct):
        if k > len(distinct):
            notes.append(
                f"the image has only {count(len(distinct), 'colour')}: k was capped at that"
            )
        palette = _unpack(distinct)
        indices = np.empty(len(packed), _index_dtype(len(distinct)))
        for start in range(0, len(packed), BLOCK_PIXELS):
            stop_ = start + BLOCK_PIXELS
            indices[start:stop_] = np.searchsorted(distinct, packed[start:stop_])
        history = (palette.astype(np.float32),)
        k = len(distinct)
    else:
        prepared = _Prepared(pixels, packed, distinct, space, k)
        rgb_steps, stop, n_coarse = prepared.history(init, n_init, max_iter, tol, rng)
        n_starts = n_init
        palette = np.clip(np.rint(rgb_steps[-1]), 0, 255).astype(np.uint8)
        indices = _map_pixels(pixels, palette, space)
        history = tuple(rgb_steps)
    del packed
    indices = indices.reshape(image.shape[:2])
    out = palette[indices]
    return Quantized(
        out,
        palette,
        indices,
        math.ceil(math.log2(k)) if k > 1 else 0,
        psnr(image, out),
        tuple(np.array(h, np.float32) for h in history),
        k,
        len(distinct),
        tuple(notes),
        init=init,
        colour_space=space,
        n_iter=len(history) - 1,
        stop_reason=stop,
        max_iter=max_iter,
        tol=tol,
        n_init=n_starts,
        n_coarse=n_coarse,
    )
