"""Image files in memory: PNG (RGB or indexed, at the bit depth k needs) and animated GIF."""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

from .validation import check_image

FRAME_MS, LAST_FRAME_MS = 400, 2000  # a GIF's frames, and its last one


def png_bytes(image) -> bytes:
    """An RGB image as a PNG file (Pillow's default compression)."""
    buf = io.BytesIO()
    Image.fromarray(check_image(image), "RGB").save(buf, format="PNG")
    return buf.getvalue()


def palette_png_bytes(indices, palette) -> bytes:
    """An indexed (palette) PNG of ``palette[indices]``, at the bit depth k needs.

    Pillow's encoder with ``optimize=True``; every quantiser on the page is stored this
    way, so that their file sizes compare.

    Parameters
    ----------
    indices : ndarray of shape (h, w), integers < len(palette) <= 256
    palette : ndarray of shape (k, 3), uint8
    """
    palette = np.asarray(palette, np.uint8)
    k = len(palette)
    if not 1 <= k <= 256:
        raise ValueError(f"an indexed PNG holds 1 to 256 colours; got a palette of {k}")
    im = Image.fromarray(np.asarray(indices).astype(np.uint8), "P")
    im.putpalette(palette.ravel().tolist())
    bits = max(1, math.ceil(math.log2(k))) if k > 1 else 1
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True, bits=bits if bits in (1, 2, 4, 8) else 8)
    return buf.getvalue()


def gif_bytes(frames, frame_ms: int = FRAME_MS, last_ms: int = LAST_FRAME_MS) -> bytes:
    """Frames given as (indices, palette) pairs as one looping GIF, encoded once.

    Each frame keeps its own palette (a GIF frame holds up to 256 colours), so the
    file shows exactly the colours of each iteration. The last frame stays longer.
    """
    images = []
    for idx, pal in frames:
        pal = np.asarray(pal, np.uint8)
        if len(pal) > 256:
            raise ValueError(f"a GIF frame holds at most 256 colours; got {len(pal)}")
        im = Image.fromarray(np.asarray(idx).astype(np.uint8), "P")
        im.putpalette(pal.ravel().tolist())
        images.append(im)
    if not images:
        raise ValueError("no frames to write")
    durations = [frame_ms] * (len(images) - 1) + [last_ms]
    buf = io.BytesIO()
    images[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        optimize=False,
        disposal=1,
    )
    return buf.getvalue()
