"""The quantisers people use (Pillow's three, libimagequant), at the same k and no dithering."""

from __future__ import annotations

import numpy as np
from PIL import Image

from .validation import check_choice, check_image, check_int

_PILLOW = {
    "median cut": Image.Quantize.MEDIANCUT,
    "max coverage": Image.Quantize.MAXCOVERAGE,
    "fast octree": Image.Quantize.FASTOCTREE,
}
PEERS = (*_PILLOW, "libimagequant")


def liq_quantize(image, n_colors: int):
    """libimagequant (pngquant's engine, the ``imagequant`` package) at k colours.

    Its default quality (0-100) and speed (4), dithering off. The pixels are handed over
    as raw RGBA bytes (the package's ``quantize_pil_image`` copies them in a Python loop).

    Returns
    -------
    indices : ndarray of shape (h, w), uint8
    palette : ndarray of shape (m, 3), uint8, m <= n_colors
    """
    import imagequant

    image = check_image(image)
    k = check_int(n_colors, "n_colors", 1, 256)
    h, w = image.shape[:2]
    rgba = np.empty((h, w, 4), np.uint8)
    rgba[..., :3] = image
    rgba[..., 3] = 255
    data, pal = imagequant.quantize_raw_rgba_bytes(
        rgba.tobytes(), w, h, dithering_level=0.0, max_colors=k
    )
    del rgba
    indices = np.frombuffer(data, np.uint8).reshape(h, w)
    palette = np.array(pal, np.uint8).reshape(-1, 4)[:, :3]
    return indices, palette[: int(indices.max()) + 1]


def peer_quantize(image, n_colors: int, method: str):
    """One of the usual quantisers at k colours, no dithering: (indices, palette).

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    n_colors : int
        1 to 256.
    method : {"median cut", "max coverage", "fast octree", "libimagequant"}

    Returns
    -------
    indices : ndarray of shape (h, w), uint8
    palette : ndarray of shape (m, 3), uint8, m <= n_colors
    """
    check_choice(method, "method", PEERS)
    if method == "libimagequant":
        return liq_quantize(image, n_colors)
    image = check_image(image)
    k = check_int(n_colors, "n_colors", 1, 256)
    im = Image.fromarray(image, "RGB").quantize(
        colors=k, method=_PILLOW[method], dither=Image.Dither.NONE
    )
    indices = np.asarray(im)
    palette = np.array(im.getpalette(), np.uint8).reshape(-1, 3)
    return indices, palette[: int(indices.max()) + 1]


def pillow_quantize(image, n_colors: int, method: str) -> np.ndarray:
    """A peer quantiser's image (see :func:`peer_quantize`) as (h, w, 3) uint8."""
    indices, palette = peer_quantize(image, min(int(n_colors), 256), method)
    return palette[indices]
