"""How close two images are: PSNR and SSIM, computed block by block (a few MB at any size)."""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import gaussian_filter

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
