"""Colour quantisation by k-means: an image redrawn with k colours, and what that saves."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from sklearn.cluster import kmeans_plusplus

from .distances import nearest_centers
from .lloyd import kmeans_single
from .validation import check_image, check_int, derive_seed

FIT_SAMPLE = 40_000


@dataclass(frozen=True)
class Quantized:
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
        The palette after each k-means iteration, for the animation (the first
        entry is the starting palette).
    n_colors : int
        k actually used (capped at the number of distinct colours).
    n_distinct : int
        Distinct colours in the original.
    notes : tuple of str
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


def psnr(a, b) -> float:
    """Peak signal-to-noise ratio of two uint8 images, in dB (inf when identical)."""
    mse = np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def ssim(a, b) -> float:
    """Structural similarity (Wang et al. 2004), Gaussian window sigma 1.5, mean over channels."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    scores = []
    for ch in range(a.shape[2]):
        x, y = a[..., ch], b[..., ch]
        mx, my = gaussian_filter(x, 1.5), gaussian_filter(y, 1.5)
        vx = gaussian_filter(x * x, 1.5) - mx * mx
        vy = gaussian_filter(y * y, 1.5) - my * my
        cov = gaussian_filter(x * y, 1.5) - mx * my
        s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        scores.append(s.mean())
    return float(np.mean(scores))


def _index_dtype(k: int):
    return np.uint8 if k <= 256 else np.uint16


def quantize(
    image, n_colors, *, random_state=None, sample_size=FIT_SAMPLE, max_iter=100, tol=0.5
) -> Quantized:
    """Redraw an image with ``n_colors`` colours chosen by k-means in RGB.

    k-means++ starts, Lloyd iterations on a random sample of the pixels (every
    pixel if fewer), then every pixel takes the nearest colour of the rounded
    palette, so that ``palette[indices] == image`` exactly.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    n_colors : int
        k; capped (with a note) at the number of distinct colours.
    random_state : int, Generator or None
    sample_size : int
        Pixels the palette is fitted on.
    max_iter : int
    tol : float
        Stop when no palette colour moves farther than this (RGB units, 0-255).
        The palette is rounded to whole levels, so half a level loses nothing.
        The palette is rounded to whole levels, so half a level loses nothing.

    Returns
    -------
    Quantized
    """
    image = check_image(image)
    k = check_int(n_colors, "n_colors", 1, 65536)
    rng = np.random.default_rng(random_state)
    pixels = image.reshape(-1, 3)
    packed = (
        (pixels[:, 0].astype(np.int32) << 16) | (pixels[:, 1].astype(np.int32) << 8) | pixels[:, 2]
    )
    distinct = np.unique(packed)
    notes = []
    if k >= len(distinct):
        if k > len(distinct):
            notes.append(f"the image has only {len(distinct)} colours: k was capped at that")
        palette = np.stack([(distinct >> 16) & 255, (distinct >> 8) & 255, distinct & 255], 1)
        palette = palette.astype(np.uint8)
        indices = np.searchsorted(distinct, packed).astype(_index_dtype(len(distinct)))
        history = (palette.astype(np.float32),)
        k = len(distinct)
    else:
        n = len(pixels)
        sample = pixels if n <= sample_size else pixels[rng.choice(n, sample_size, replace=False)]
        sample = sample.astype(np.float32)
        start, _ = kmeans_plusplus(sample, k, random_state=derive_seed(rng))
        res = kmeans_single(sample, start, tol=tol, max_iter=max_iter, empty="farthest")
        history = (res.init_centers, *(h.centers for h in res.history))
        palette = np.clip(np.rint(res.centers), 0, 255).astype(np.uint8)
        labels, _ = nearest_centers(pixels.astype(np.float32), palette.astype(np.float32), "l2")
        indices = labels.astype(_index_dtype(k))
    indices = indices.reshape(image.shape[:2])
    out = palette[indices]
    return Quantized(
        out,
        palette,
        indices,
        math.ceil(math.log2(k)) if k > 1 else 0,
        psnr(image, out),
        tuple(history),
        k,
        len(distinct),
        tuple(notes),
    )


def png_bytes(image) -> bytes:
    """An RGB image as a PNG file (Pillow's default compression)."""
    buf = io.BytesIO()
    Image.fromarray(check_image(image), "RGB").save(buf, format="PNG")
    return buf.getvalue()


def indexed_png_bytes(q: Quantized) -> bytes:
    """The quantised image as an indexed (palette) PNG: what a k-colour image really costs."""
    if q.n_colors > 256:
        return png_bytes(q.image)
    im = Image.fromarray(q.indices.astype(np.uint8), "P")
    im.putpalette(q.palette.ravel().tolist())
    bits = max(1, q.bits_per_pixel)
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True, bits=bits if bits in (1, 2, 4, 8) else 8)
    return buf.getvalue()


@dataclass(frozen=True)
class CompressionAccount:
    """Three ways to count what quantising saves.

    Attributes
    ----------
    n_pixels, n_colors : int
    formula_ratio : float
        24 / bits per pixel: the simple formula (6 for k = 16).
    with_palette_ratio : float
        24 n / (n bits + 24 k): the palette has to be stored too.
    original_png, indexed_png : int
        Byte sizes of real files: the original as PNG, the k-colour indexed PNG.
    file_ratio : float
        original_png / indexed_png.
    """

    n_pixels: int
    n_colors: int
    bits_per_pixel: int
    formula_ratio: float
    with_palette_ratio: float
    original_png: int
    indexed_png: int
    file_ratio: float


def compression_account(original, q: Quantized) -> CompressionAccount:
    """The seed article's formula, the formula with the palette, and real PNG files."""
    n = int(original.shape[0] * original.shape[1])
    bpp = max(q.bits_per_pixel, 1)
    orig = len(png_bytes(original))
    idx = len(indexed_png_bytes(q))
    return CompressionAccount(
        n,
        q.n_colors,
        q.bits_per_pixel,
        24 / bpp,
        24 * n / (n * bpp + 24 * q.n_colors),
        orig,
        idx,
        orig / idx,
    )


def pillow_quantize(image, n_colors: int, method: str) -> np.ndarray:
    """Pillow's own quantisers at the same k: "median cut" or "fast octree"."""
    methods = {"median cut": Image.Quantize.MEDIANCUT, "fast octree": Image.Quantize.FASTOCTREE}
    if method not in methods:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(methods)}")
    im = Image.fromarray(check_image(image), "RGB")
    k = min(int(n_colors), 256)
    return np.asarray(
        im.quantize(colors=k, method=methods[method], dither=Image.Dither.NONE).convert("RGB")
    )


def preview_frames(image, q: Quantized, max_side: int = 240):
    """The image redrawn with each iteration's palette, at a preview size, for the animation.

    Returns
    -------
    frames : list of ndarray of shape (h', w', 3), uint8
    psnrs : list of float
        PSNR of each frame against the original at the same preview size.
    """
    image = check_image(image)
    h, w = image.shape[:2]
    step = max(1, math.ceil(max(h, w) / max_side))
    small = image[::step, ::step]
    pixels = small.reshape(-1, 3).astype(np.float32)
    frames = []
    for pal in q.history:
        labels, _ = nearest_centers(pixels, np.asarray(pal, np.float32), "l2")
        pal8 = np.clip(np.rint(pal), 0, 255).astype(np.uint8)
        frames.append(pal8[labels].reshape(small.shape))
    return frames, [psnr(small, f) for f in frames]
