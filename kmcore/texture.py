"""The Leung-Malik filter bank and filter responses by FFT, for texture features.

Leung & Malik (2001), "Representing and recognizing the visual appearance of
materials using three-dimensional textons". The bank has 48 filters on a
49 x 49 support:

- 36 oriented filters: first and second derivatives of an elongated Gaussian
  (sigma along the filter 3 times sigma across it) at 3 scales
  (sigma = sqrt(2), 2, 2 sqrt(2)) and 6 orientations (0, 30, ... 150 degrees);
  the 18 first-derivative ("edge") filters come first, then the 18 "bar" ones;
- 8 Laplacians of Gaussian at sigma = sqrt(2), 2, 2 sqrt(2), 4 and 3 times those;
- 4 Gaussians at sigma = sqrt(2), 2, 2 sqrt(2), 4.

Derivative and Laplacian filters have zero mean and unit L1 norm (they respond
to structure, not brightness); the Gaussians sum to one (local mean brightness).
"""

from __future__ import annotations

import numpy as np
from scipy import fft

SUPPORT = 49
BASE_SCALES = np.sqrt(2.0) ** np.arange(1, 5)  # sqrt(2), 2, 2 sqrt(2), 4
N_ORIENT = 6


def _gauss_deriv(x: np.ndarray, sigma: float, order: int) -> np.ndarray:
    """A 1-D Gaussian (order 0) or its first or second derivative, unnormalised."""
    g = np.exp(-(x**2) / (2 * sigma**2))
    if order == 1:
        return -x / sigma**2 * g
    if order == 2:
        return (x**2 - sigma**2) / sigma**4 * g
    return g


def _zero_mean_l1(f: np.ndarray) -> np.ndarray:
    f = f - f.mean()
    return f / np.abs(f).sum()


def _oriented(sigma: float, order: int, theta: float, xx: np.ndarray, yy: np.ndarray):
    # Rotate the grid so the filter's long axis lies along theta.
    u = np.cos(theta) * xx + np.sin(theta) * yy
    v = -np.sin(theta) * xx + np.cos(theta) * yy
    return _zero_mean_l1(_gauss_deriv(u, 3 * sigma, 0) * _gauss_deriv(v, sigma, order))


def _log(sigma: float, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    r2 = xx**2 + yy**2
    return _zero_mean_l1((r2 - 2 * sigma**2) / sigma**4 * np.exp(-r2 / (2 * sigma**2)))


def lm_filter_bank() -> np.ndarray:
    """The 48 Leung-Malik filters.

    Returns
    -------
    ndarray of shape (49, 49, 48), float64
        Filters 0-17: edges (scale-major, then orientation); 18-35: bars;
        36-43: Laplacians of Gaussian; 44-47: Gaussians.
    """
    half = (SUPPORT - 1) / 2
    xx, yy = np.meshgrid(np.arange(-half, half + 1), np.arange(-half, half + 1))
    filters = []
    for order in (1, 2):
        for sigma in BASE_SCALES[:3]:
            for o in range(N_ORIENT):
                filters.append(_oriented(sigma, order, np.pi * o / N_ORIENT, xx, yy))
    for sigma in np.concatenate([BASE_SCALES, 3 * BASE_SCALES]):
        filters.append(_log(sigma, xx, yy))
    for sigma in BASE_SCALES:
        g = np.exp(-(xx**2 + yy**2) / (2 * sigma**2))
        filters.append(g / g.sum())
    return np.stack(filters, axis=2)


FILTER_NAMES = (
    [f"edge σ={s:.2g} {30 * o}°" for s in BASE_SCALES[:3] for o in range(N_ORIENT)]
    + [f"bar σ={s:.2g} {30 * o}°" for s in BASE_SCALES[:3] for o in range(N_ORIENT)]
    + [f"LoG σ={s:.2g}" for s in np.concatenate([BASE_SCALES, 3 * BASE_SCALES])]
    + [f"Gaussian σ={s:.2g}" for s in BASE_SCALES]
)


def filter_responses(grey, bank=None) -> np.ndarray:
    """Responses of a grey image to every filter, by FFT (one forward transform for all).

    Parameters
    ----------
    grey : ndarray of shape (h, w)
    bank : ndarray of shape (s, s, n_filters), optional
        Defaults to :func:`lm_filter_bank`.

    Returns
    -------
    ndarray of shape (h, w, n_filters), float32
        Same-size responses; the image is mirrored at its borders first so edges
        of the photo do not read as texture.
    """
    grey = np.asarray(grey, dtype=np.float64)
    if grey.ndim != 2:
        raise ValueError(f"grey must be 2-D; got shape {grey.shape}")
    bank = lm_filter_bank() if bank is None else np.asarray(bank, dtype=np.float64)
    s = bank.shape[0]
    pad = s // 2
    padded = np.pad(grey, pad, mode="reflect" if min(grey.shape) > pad else "edge")
    shape = [fft.next_fast_len(n + s - 1, real=True) for n in padded.shape]
    spectrum = fft.rfft2(padded, shape)
    h, w = grey.shape
    out = np.empty((h, w, bank.shape[2]), dtype=np.float32)
    for j in range(bank.shape[2]):
        full = fft.irfft2(spectrum * fft.rfft2(bank[:, :, j], shape), shape)
        # 'full' convolution: the response at padded pixel p sits at p + pad.
        out[:, :, j] = full[2 * pad : 2 * pad + h, 2 * pad : 2 * pad + w]
    return out
