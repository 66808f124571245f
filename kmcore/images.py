"""Reading user images safely: any mode to 8-bit RGB, bombs refused before decoding."""

from __future__ import annotations

import io
import math
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

HARD_LIMIT_PIXELS = 50_000_000
FORMATS = "PNG, JPEG, WebP, GIF or BMP"
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"BM": "BMP",
    b"RIFF": "WebP",
}


class ImageError(ValueError):
    """An image that cannot be used, with a message a user can act on."""


def _read_bytes(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise ImageError(f"cannot read {source}: {exc.strerror or exc}") from exc
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
        if not isinstance(data, (bytes, bytearray)):
            raise ImageError("the file object gave text, not bytes: open it in binary mode")
        return bytes(data)
    raise ImageError(f"cannot read an image from a {type(source).__name__}")


def _open(data: bytes) -> Image.Image:
    if not data:
        raise ImageError("the file is empty")
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or b"<svg" in head:
        raise ImageError(f"SVG is a vector format; export it as {FORMATS} first")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"the image is too large to open safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        kind = next((k for sig, k in SIGNATURES.items() if data.startswith(sig)), None)
        if kind is not None:
            raise ImageError(f"the file starts like a {kind} but is damaged") from exc
        raise ImageError(f"this is not an image file this lab can read ({FORMATS})") from exc
    except Exception as exc:  # Pillow plugins raise many types on hostile headers
        raise ImageError(f"the image header is damaged ({type(exc).__name__}: {exc})") from exc


def _to_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB: 16/32-bit scaled down, transparency composited on white."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or arr.max() > 255 else 255.0
        if im.mode in ("I", "F") and arr.max() > 255:
            top = max(arr.max(), 1.0)
        im = Image.fromarray(np.clip(arr / top * 255, 0, 255).round().astype(np.uint8), "L")
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        im = im.convert("RGBA")
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im)
    return im.convert("RGB")


def load_image(source, *, max_pixels: int = 4_000_000, return_notes: bool = False):
    """Read an image as an 8-bit RGB array, safely.

    Reads width and height from the header before decoding anything: images
    above :data:`HARD_LIMIT_PIXELS` are refused without decoding; those above
    ``max_pixels`` are decoded at reduced size where the format allows (JPEG
    draft mode) and downsized keeping the aspect ratio.

    Parameters
    ----------
    source : str, Path, bytes or binary file object
    max_pixels : int
        Largest width x height returned.
    return_notes : bool
        Also return what was done to the image (first frame taken, downsized,
        transparency flattened...), as sentences for the user.

    Returns
    -------
    image : ndarray of shape (height, width, 3), uint8
    notes : tuple of str
        Only with ``return_notes=True``.

    Raises
    ------
    ImageError
        Empty, not an image, SVG, truncated or damaged, or too large.
    """
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be >= 1; got {max_pixels}")
    im = _open(_read_bytes(source))
    notes = []
    w, h = im.size
    if w < 1 or h < 1:
        raise ImageError(f"the image has no pixels ({w} x {h})")
    if w * h > HARD_LIMIT_PIXELS:
        raise ImageError(
            f"the image claims {w:,} x {h:,} pixels ({w * h / 1e6:.0f} megapixels); the limit "
            f"is {HARD_LIMIT_PIXELS / 1e6:.0f}. Resize it before uploading."
        )
    frames = getattr(im, "n_frames", 1)
    if frames > 1:
        im.seek(0)
        notes.append(f"the file is animated: its first of {frames} frames is used")
    scale = math.sqrt(max_pixels / (w * h)) if w * h > max_pixels else 1.0
    target = (max(1, int(w * scale)), max(1, int(h * scale)))
    try:
        if scale < 1 and im.format == "JPEG":
            im.draft("RGB", target)  # the decoder itself scales by 1/2, 1/4 or 1/8
        im.load()
        if "transparency" in im.info or im.mode in ("RGBA", "LA", "PA"):
            notes.append("transparent parts are shown on white")
        im = ImageOps.exif_transpose(im)
        im = _to_rgb(im)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"the file is truncated or damaged ({exc})") from exc
    if scale < 1:
        if im.width > target[0] or im.height > target[1]:
            # exif_transpose may have swapped the sides
            box = target if (im.width >= im.height) == (w >= h) else target[::-1]
            im = im.resize(box, Image.Resampling.LANCZOS, reducing_gap=3.0)
        notes.append(f"downsized from {w:,} x {h:,} to {im.width:,} x {im.height:,} pixels")
    arr = np.ascontiguousarray(np.asarray(im, dtype=np.uint8))
    return (arr, tuple(notes)) if return_notes else arr


def sample_image(name: str) -> np.ndarray:
    """One of scikit-learn's sample photos ("china" or "flower") as (427, 640, 3) uint8."""
    from sklearn.datasets import load_sample_image

    if name not in ("china", "flower"):
        raise ValueError(f"unknown sample image {name!r}; choose 'china' or 'flower'")
    return np.ascontiguousarray(load_sample_image(f"{name}.jpg"))
