"""Colour quantisation by k-means: an image redrawn with k colours, and what that saves."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from sklearn.cluster import kmeans_plusplus

from .distances import nearest_centers
from .lloyd import kmeans_single
from .readonly import ReadOnlyArrays
from .validation import check_image, check_int, derive_seed

FIT_SAMPLE = 40_000


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


BLOCK_PIXELS = 1 << 18  # pixels per block of the metrics and the nearest-colour search
SSIM_SIGMA = 1.5
_SSIM_RADIUS = int(4.0 * SSIM_SIGMA + 0.5)  # scipy's gaussian_filter reach (truncate=4)


def _row_blocks(h: int, w: int, halo: int = 0, pixels: int = BLOCK_PIXELS):
    """Row ranges of about ``pixels`` pixels, with ``halo`` rows of context each side."""
    rows = max(1, pixels // max(w, 1))
    for r0 in range(0, h, rows):
        r1 = min(h, r0 + rows)
        yield r0, r1, max(0, r0 - halo), min(h, r1 + halo)


def _check_pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} and {b.shape}")
    if a.ndim == 2:
        a, b = a[..., None], b[..., None]
    return a, b


def psnr(a, b) -> float:
    """Peak signal-to-noise ratio of two uint8 images, in dB (inf when identical).

    Summed block by block in exact integers: no full-size temporary.
    """
    a, b = _check_pair(a, b)
    total = 0
    for r0, r1, _, _ in _row_blocks(a.shape[0], a.shape[1]):
        d = a[r0:r1].astype(np.int32) - b[r0:r1]
        total += int(np.einsum("ijk,ijk->", d, d, dtype=np.int64))
    mse = total / a.size
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def ssim(a, b) -> float:
    """Structural similarity (Wang et al. 2004), Gaussian window sigma 1.5, mean over channels.

    Computed on blocks of rows with enough rows of context for the Gaussian
    window, so the result equals the whole-image computation while memory
    stays at a few MB whatever the image size (it was 458 MB for 4 MP).
    """
    a, b = _check_pair(a, b)
    h, w, channels = a.shape
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    sums = np.zeros(channels)
    for r0, r1, e0, e1 in _row_blocks(h, w, _SSIM_RADIUS, BLOCK_PIXELS // 4):
        for ch in range(channels):
            x = a[e0:e1, :, ch].astype(np.float64)
            y = b[e0:e1, :, ch].astype(np.float64)
            mx, my = gaussian_filter(x, SSIM_SIGMA), gaussian_filter(y, SSIM_SIGMA)
            vx = gaussian_filter(x * x, SSIM_SIGMA) - mx * mx
            vy = gaussian_filter(y * y, SSIM_SIGMA) - my * my
            cov = gaussian_filter(x * y, SSIM_SIGMA) - mx * my
            s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
            sums[ch] += s[r0 - e0 : r1 - e0].sum()
    return float(np.mean(sums / (h * w)))


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
    packed = pixels[:, 0].astype(np.int32)  # one int32 per pixel, built in place
    packed <<= 8
    packed |= pixels[:, 1]
    packed <<= 8
    packed |= pixels[:, 2]
    distinct = np.unique(packed)
    notes = []
    if k >= len(distinct):
        if k > len(distinct):
            notes.append(f"the image has only {len(distinct)} colours: k was capped at that")
        palette = np.stack([(distinct >> 16) & 255, (distinct >> 8) & 255, distinct & 255], 1)
        palette = palette.astype(np.uint8)
        indices = np.empty(len(packed), _index_dtype(len(distinct)))
        for start in range(0, len(packed), BLOCK_PIXELS):
            stop = start + BLOCK_PIXELS
            indices[start:stop] = np.searchsorted(distinct, packed[start:stop])
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
        indices = np.empty(len(pixels), _index_dtype(k))
        pal32 = palette.astype(np.float32)
        for start in range(0, len(pixels), BLOCK_PIXELS):
            block = pixels[start : start + BLOCK_PIXELS].astype(np.float32)
            indices[start : start + BLOCK_PIXELS] = nearest_centers(block, pal32, "l2")[0]
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
class CompressionAccount(ReadOnlyArrays):
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
    raw_bytes : float
        24 bits per pixel, in bytes: the original uncompressed.
    with_palette_bytes : float
        n bits + 24 k bits, in bytes: the indices and the palette.
    """

    n_pixels: int
    n_colors: int
    bits_per_pixel: int
    formula_ratio: float
    with_palette_ratio: float
    original_png: int
    indexed_png: int
    file_ratio: float
    raw_bytes: float = 0.0
    with_palette_bytes: float = 0.0


def compression_account(original, q: Quantized, indexed_png: bytes | None = None):
    """The seed article's formula, the formula with the palette, and real PNG files.

    Parameters
    ----------
    original : ndarray of shape (h, w, 3), uint8
    q : Quantized
    indexed_png : bytes, optional
        :func:`indexed_png_bytes` of ``q`` if the caller has it (it is not encoded again).

    Returns
    -------
    CompressionAccount
    """
    n = int(original.shape[0] * original.shape[1])
    bpp = max(q.bits_per_pixel, 1)
    orig = len(png_bytes(original))
    idx = len(indexed_png if indexed_png is not None else indexed_png_bytes(q))
    return CompressionAccount(
        n,
        q.n_colors,
        q.bits_per_pixel,
        24 / bpp,
        24 * n / (n * bpp + 24 * q.n_colors),
        orig,
        idx,
        orig / idx,
        24 * n / 8,
        (n * bpp + 24 * q.n_colors) / 8,
    )


PEERS = ("median cut", "fast octree")


@dataclass(frozen=True)
class QuantizationReport(ReadOnlyArrays):
    """Everything the compression page shows for one image quantised with k colours.

    Attributes
    ----------
    q : Quantized
    account : CompressionAccount
    ssim : float
        SSIM of ``q.image`` against the original.
    peers : mapping of str to (float, float)
        PSNR and SSIM of Pillow's quantisers at the same k ("median cut", "fast octree").
    frames : tuple of ndarray, read-only
        The preview after each iteration (see :func:`preview_frames`).
    frame_psnr : tuple of float
    indexed_png : bytes
        The k-colour indexed PNG, encoded once: its size is ``account.indexed_png``.
    """

    q: Quantized
    account: CompressionAccount
    ssim: float
    peers: Mapping[str, tuple[float, float]]
    frames: tuple
    frame_psnr: tuple
    indexed_png: bytes


def report(original, q: Quantized) -> QuantizationReport:
    """Measure a quantisation against the original and against Pillow's quantisers.

    Every metric is computed in blocks (no full-size float copy), and the
    indexed PNG is encoded once, for its size and for the download.

    Parameters
    ----------
    original : ndarray of shape (h, w, 3), uint8
        The image ``q`` was computed from.
    q : Quantized

    Returns
    -------
    QuantizationReport
    """
    original = check_image(original)
    peers = {}
    for method in PEERS:
        other = pillow_quantize(original, q.n_colors, method)
        peers[method] = (psnr(original, other), ssim(original, other))
        del other
    frames, frame_psnr = preview_frames(original, q)
    png = indexed_png_bytes(q)
    return QuantizationReport(
        q,
        compression_account(original, q, png),
        ssim(original, q.image),
        MappingProxyType(peers),
        tuple(f for f in frames),
        tuple(frame_psnr),
        png,
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
