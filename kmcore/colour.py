"""sRGB and CIELAB: the colour spaces the compression page quantises in, and ΔE.

CIELAB (CIE 1976 L*a*b*, D65 white, the sRGB primaries) is offered beside RGB
because its Euclidean distance *is* the colour difference ΔE*ab (CIE76) that
people quote ("ΔE about 2.3 is just noticeable"): k-means in CIELAB minimises
exactly the mean squared ΔE76 the page reports beside PSNR. Oklab is more
uniform in hue, but its distances have no agreed threshold to quote, so it is
not offered.
"""

from __future__ import annotations

import numpy as np

# sRGB (IEC 61966-2-1) linear RGB -> XYZ, D65, and back.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_WHITE = np.array([0.95047, 1.0, 1.08883])  # D65, Y = 1
_EPS = (6 / 29) ** 3
_KAPPA = 1 / (3 * (6 / 29) ** 2)

COLOUR_SPACES = ("rgb", "lab")
COLOUR_SPACE_LABELS = {"rgb": "RGB", "lab": "CIELAB"}
# What a distance of 1 in each space is, as a fraction of its range (tolerances in 0-1
# units are multiplied by this): 255 levels per channel in RGB; L* runs from 0 to 100.
SCALE = {"rgb": 255.0, "lab": 100.0}
JUST_NOTICEABLE_DE = 2.3  # Sharma (2003): ΔE*ab of about 2.3 is a just noticeable difference

BLOCK_PIXELS = 1 << 18


def _linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB values 0-255 (any shape, float) to linear light 0-1 (float64)."""
    c = np.asarray(rgb, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


_LINEAR_LUT = _linear(np.arange(256))


def _f(t: np.ndarray) -> np.ndarray:
    return np.where(t > _EPS, np.cbrt(t), t * _KAPPA + 4 / 29)


def rgb_to_lab(rgb) -> np.ndarray:
    """sRGB colours to CIELAB (D65).

    Parameters
    ----------
    rgb : array-like of shape (..., 3)
        uint8, or floats in 0-255 (palette colours between levels are allowed).

    Returns
    -------
    ndarray of shape (..., 3), float64
        L* in 0-100, a* and b* about -128..127.
    """
    rgb = np.asarray(rgb)
    if rgb.shape[-1:] != (3,):
        raise ValueError(f"rgb must have 3 channels in its last axis; got shape {rgb.shape}")
    lin = _LINEAR_LUT[rgb] if rgb.dtype == np.uint8 else _linear(rgb)
    xyz = lin @ _RGB_TO_XYZ.T / _WHITE
    fx, fy, fz = _f(xyz[..., 0]), _f(xyz[..., 1]), _f(xyz[..., 2])
    return np.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], axis=-1)


def lab_to_rgb(lab) -> np.ndarray:
    """CIELAB (D65) to sRGB values 0-255 as floats, not rounded or clipped.

    Colours outside the sRGB gamut come out below 0 or above 255; round and
    clip them to store them (:func:`lab_to_rgb8`).

    Parameters
    ----------
    lab : array-like of shape (..., 3)

    Returns
    -------
    ndarray of shape (..., 3), float64
    """
    lab = np.asarray(lab, np.float64)
    if lab.shape[-1:] != (3,):
        raise ValueError(f"lab must have 3 channels in its last axis; got shape {lab.shape}")
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f > 6 / 29, f**3, (f - 4 / 29) / _KAPPA) * _WHITE
    lin = xyz @ _XYZ_TO_RGB.T
    c = np.where(
        lin <= 0.0031308, 12.92 * lin, 1.055 * np.abs(lin) ** (1 / 2.4) * np.sign(lin) - 0.055
    )
    return c * 255.0


def lab_to_rgb8(lab) -> np.ndarray:
    """CIELAB to sRGB uint8: rounded to the nearest level, out-of-gamut colours clipped."""
    return np.clip(np.rint(lab_to_rgb(lab)), 0, 255).astype(np.uint8)


def to_space(rgb, space: str) -> np.ndarray:
    """sRGB colours (uint8 or 0-255 floats) in ``space`` ("rgb" or "lab"), float64."""
    if space == "rgb":
        return np.asarray(rgb, np.float64)
    if space == "lab":
        return rgb_to_lab(rgb)
    raise ValueError(f"unknown colour space {space!r}; choose one of {', '.join(COLOUR_SPACES)}")


def from_space(values, space: str) -> np.ndarray:
    """Colours in ``space`` back to sRGB 0-255 floats (not rounded or clipped)."""
    if space == "rgb":
        return np.asarray(values, np.float64)
    if space == "lab":
        return lab_to_rgb(values)
    raise ValueError(f"unknown colour space {space!r}; choose one of {', '.join(COLOUR_SPACES)}")


def delta_e(a, b) -> np.ndarray:
    """ΔE*ab (CIE 1976) between sRGB colours: the Euclidean distance in CIELAB.

    Parameters
    ----------
    a, b : array-like of shape (..., 3)
        sRGB, uint8 or floats 0-255; broadcast against each other.

    Returns
    -------
    ndarray of shape (...), float64
    """
    return np.sqrt(((rgb_to_lab(a) - rgb_to_lab(b)) ** 2).sum(axis=-1))


def mean_delta_e(a, b) -> float:
    """Mean ΔE*ab (CIE 1976) over the pixels of two sRGB uint8 images of the same shape.

    Computed a block of rows at a time (a few MB whatever the image size).
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 3 or a.shape[-1] != 3:
        raise ValueError(f"need two (h, w, 3) images of one shape; got {a.shape} and {b.shape}")
    h, w = a.shape[:2]
    rows = max(1, BLOCK_PIXELS // max(w, 1))
    total = 0.0
    for r0 in range(0, h, rows):
        total += float(delta_e(a[r0 : r0 + rows], b[r0 : r0 + rows]).sum())
    return total / (h * w)
