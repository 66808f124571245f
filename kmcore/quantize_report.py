"""What a quantisation costs and keeps: real file sizes, the article's formula, metrics, frames."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import colour
from .encoders import gif_bytes, palette_png_bytes, png_bytes
from .image_metrics import psnr, ssim
from .quantize import Quantized, _map_pixels
from .readonly import ReadOnlyArrays
from .validation import check_image


def indexed_png_bytes(q: Quantized) -> bytes:
    """The quantised image as an indexed (palette) PNG: what a k-colour image really costs."""
    if q.n_colors > 256:
        return png_bytes(q.image)
    return palette_png_bytes(q.indices, q.palette)


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


PREVIEW_SIDE = 320  # longest side of the iteration frames and the GIF


@dataclass(frozen=True)
class QuantizationReport(ReadOnlyArrays):
    """Everything the compression page shows for one image quantised with k colours.

    Attributes
    ----------
    q : Quantized
    account : CompressionAccount
    ssim : float
        SSIM of ``q.image`` against the original.
    delta_e : float
        Mean ΔE*ab (CIE 1976) of ``q.image`` against the original.
    frame_pngs : tuple of bytes
        The preview (at most :data:`PREVIEW_SIDE` pixels a side) redrawn with the
        palette before the first iteration and after each, as indexed PNG files.
    frame_psnr : tuple of float
        PSNR of each frame against the preview of the original.
    indexed_png : bytes
        The k-colour indexed PNG, encoded once: its size is ``account.indexed_png``.
    gif : bytes
        The frames as one animated GIF (each frame with its own palette, so exact).
    """

    q: Quantized
    account: CompressionAccount
    ssim: float
    delta_e: float
    frame_pngs: tuple
    frame_psnr: tuple
    indexed_png: bytes
    gif: bytes


def report(original, q: Quantized) -> QuantizationReport:
    """Measure a quantisation against the original, and encode its files once.

    Every metric is computed in blocks (no full-size float copy); the indexed PNG,
    the frames and the GIF are encoded once, for their sizes and the downloads.

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
    if original.shape != q.image.shape:
        raise ValueError(f"original is {original.shape} but q was made from {q.image.shape}")
    small, frames = _preview(original, q)
    png = indexed_png_bytes(q)
    return QuantizationReport(
        q,
        compression_account(original, q, png),
        ssim(original, q.image),
        colour.mean_delta_e(original, q.image),
        tuple(palette_png_bytes(i, p) for i, p in frames),
        tuple(psnr(small, p[i]) for i, p in frames),
        png,
        gif_bytes(frames),
    )


def _preview(image, q: Quantized, max_side: int = PREVIEW_SIDE):
    """The image at a preview size (every n-th pixel: crisp) and, for each palette of
    ``q.history``, its indices there and the rounded palette."""
    h, w = image.shape[:2]
    step = max(1, math.ceil(max(h, w) / max_side))
    small = np.ascontiguousarray(image[::step, ::step])
    pixels = small.reshape(-1, 3)
    frames = []
    for pal in q.history:
        pal8 = np.clip(np.rint(pal), 0, 255).astype(np.uint8)
        idx = _map_pixels(pixels, pal8, q.colour_space).reshape(small.shape[:2])
        frames.append((idx, pal8))
    return small, frames


def preview_frames(image, q: Quantized, max_side: int = PREVIEW_SIDE):
    """The image redrawn with each iteration's palette, at a preview size, for the animation.

    Returns
    -------
    frames : list of ndarray of shape (h', w', 3), uint8
    psnrs : list of float
        PSNR of each frame against the original at the same preview size.
    """
    image = check_image(image)
    small, frames = _preview(image, q, max_side)
    out = [p[i] for i, p in frames]
    return out, [psnr(small, f) for f in out]
