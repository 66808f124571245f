"""Reading user images safely: any mode to 8-bit RGB at a working size, bombs refused first."""

from __future__ import annotations

import io
import math
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

HARD_LIMIT_PIXELS = 50_000_000
MAX_SIDE = 30_000  # longest side accepted in a file
MAX_ASPECT = 1_000  # longest side / shortest side
MAX_DECODE_BYTES = 200 * 2**20  # what decoding may hold (estimated from the header, below)
WORK_SIDE = 4_096  # longest side returned (JPEG, and so st.image, stops at 65,500)
STRIP_PIXELS = 1 << 18  # pixels converted at a time while reducing
FORMATS = "PNG, JPEG, WebP, GIF or BMP"
PILLOW_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
EXTENSIONS = {
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "webp": "WEBP",
    "gif": "GIF",
    "bmp": "BMP",
    "tif": "TIFF",
    "tiff": "TIFF",
}
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"BM": "BMP",
    b"RIFF": "WebP",
}
# Bytes per pixel of Pillow's in-memory image for each mode (RGB is stored in 4 bytes).
_MODE_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
# Peak bytes per pixel while decoding, measured on 4000 x 4000 files (Pillow 13): WebP is
# decoded whole, several times over (16.2); GIF frames become RGBA (3.8); other formats
# hold about 1.7x their in-memory image (a PNG in RGB: 6.6).
_FORMAT_BYTES = {"WEBP": 17.0, "GIF": 4.0}
_MODE_FACTOR = 1.7
_ORIENTATION = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
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


def _pillow_formats(formats) -> tuple[str, ...]:
    if formats is None:
        return PILLOW_FORMATS
    names = []
    for f in formats:
        name = EXTENSIONS.get(str(f).lower().lstrip("."), str(f).upper())
        if name not in PILLOW_FORMATS:
            raise ValueError(f"unknown image format {f!r}; choose from {', '.join(EXTENSIONS)}")
        if name not in names:
            names.append(name)
    return tuple(names)


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """Canvas size from a WebP file's first chunk (VP8, VP8L or VP8X), or None."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    kind, body = data[12:16], data[20:30]
    if kind == b"VP8 ":
        return (int.from_bytes(body[6:8], "little") & 0x3FFF,
                int.from_bytes(body[8:10], "little") & 0x3FFF)  # fmt: skip
    if kind == b"VP8L" and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X":
        return int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1
    return None


def _check_decode(need: int, what: str, w: int, h: int) -> None:
    if need > MAX_DECODE_BYTES:
        raise ImageError(
            f"opening this {what} of {w:,} x {h:,} pixels would take about "
            f"{need / 2**20:,.0f} MB of server memory; the limit is "
            f"{MAX_DECODE_BYTES / 2**20:,.0f} MB. Save it as a baseline JPEG or a PNG, "
            "or make it smaller, and upload it again"
        )


def _open(data: bytes, formats: tuple[str, ...]) -> Image.Image:
    if not data:
        raise ImageError("the file is empty")
    webp = _webp_size(data) if "WEBP" in formats else None
    if webp is not None:  # Pillow decodes WebP whole while opening it: check first
        _check_size(*webp)
        _check_decode(int(webp[0] * webp[1] * _FORMAT_BYTES["WEBP"]), "WebP", *webp)
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or b"<svg" in head:
        raise ImageError(f"SVG is a vector format; export it as {FORMATS} first")
    named = ", ".join("WebP" if f == "WEBP" else f for f in formats)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the formats named: no other plugin (EPS and Ghostscript...) ever sees the bytes.
            return Image.open(io.BytesIO(data), formats=list(formats))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"the image is too large to open safely (the limit is {HARD_LIMIT_PIXELS / 1e6:.0f} "
            "megapixels). Resize it before uploading"
        ) from exc
    except UnidentifiedImageError as exc:
        kind = next((k for sig, k in SIGNATURES.items() if data.startswith(sig)), None)
        if kind is not None and kind.upper() in formats:
            raise ImageError(f"the file starts like a {kind} but is damaged") from exc
        raise ImageError(f"this is not an image file this lab can read ({named})") from exc
    except MemoryError:
        raise  # WebP is decoded while it is opened: the caller's limit was reached
    except Exception as exc:  # Pillow plugins raise many types on hostile headers
        # Pillow's own text can quote the file's bytes: the user gets ours only.
        raise ImageError("the image header is damaged") from exc


def _check_size(w: int, h: int) -> None:
    if w < 1 or h < 1:
        raise ImageError(f"the image has no pixels ({w} x {h})")
    if w * h > HARD_LIMIT_PIXELS:
        raise ImageError(
            f"the image claims {w:,} x {h:,} pixels ({w * h / 1e6:.0f} megapixels); the limit "
            f"is {HARD_LIMIT_PIXELS / 1e6:.0f}. Resize it before uploading."
        )
    if max(w, h) > MAX_SIDE:
        raise ImageError(
            f"the image is {w:,} x {h:,} pixels; sides longer than {MAX_SIDE:,} pixels are "
            "not accepted. Crop or resize it before uploading."
        )
    if max(w, h) > MAX_ASPECT * min(w, h):
        raise ImageError(
            f"the image is {w:,} x {h:,} pixels: one side is more than {MAX_ASPECT:,} times "
            "the other. Crop it to a less extreme shape before uploading."
        )


def _working_size(w: int, h: int, max_pixels: int) -> tuple[int, int]:
    scale = min(1.0, math.sqrt(max_pixels / (w * h)), WORK_SIDE / max(w, h))
    if scale >= 1.0:
        return w, h
    return max(1, int(w * scale)), max(1, int(h * scale))


def _strip_to_rgb(strip: Image.Image, top: float | None) -> Image.Image:
    """A few rows in any Pillow mode as 8-bit RGB: deep modes scaled, transparency on white."""
    if top == 65535.0:  # 16-bit: round(v / 65535 * 255) == (v + 128) // 257, in integers
        arr = np.asarray(strip).astype(np.uint32)
        arr += 128
        arr //= 257
        strip = Image.fromarray(arr.astype(np.uint8), "L")
    elif top is not None:  # 32-bit or float: scaled down to 8 bits, in place per strip
        arr = np.asarray(strip, dtype=np.float64)
        arr /= top
        arr *= 255
        np.clip(arr, 0, 255, out=arr)
        np.rint(arr, out=arr)
        strip = Image.fromarray(arr.astype(np.uint8), "L")
    if strip.mode == "P" and "transparency" in strip.info:
        strip = strip.convert("RGBA")
    if strip.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        strip = strip.convert("RGBA")
        white = Image.new("RGBA", strip.size, (255, 255, 255, 255))
        strip = Image.alpha_composite(white, strip)
    return strip.convert("RGB")


def _deep_top(im: Image.Image) -> float | None:
    """The value that maps to 255 for 16/32-bit and float images (None for 8-bit modes)."""
    if im.mode.startswith("I;16"):
        return 65535.0
    if im.mode in ("I", "F"):
        high = float(im.getextrema()[1])
        return max(high, 1.0) if high > 255 else 255.0
    return None


def _reduced_rgb(im: Image.Image, target: tuple[int, int]) -> np.ndarray:
    """The decoded image as 8-bit RGB at ``target`` size, converted a strip of rows at a time.

    A whole-image conversion would hold a full-size copy per step (a 7000 x 7000
    16-bit image became 1.1 GB of float64): here each strip is converted, shrunk
    by an integer box factor (Image.reduce, exact block means) into one
    preallocated array; a final Lanczos resize (less than 3x) gives the exact
    target size, as Pillow's own ``reducing_gap`` does.
    """
    w, h = im.size
    tw, th = target
    factor = max(1, int(min(w / tw, h / th) / 1.5))  # leave the last 1.5x or so to Lanczos
    top = _deep_top(im)
    rows = max(factor, STRIP_PIXELS // w // factor * factor)
    info = {"transparency": im.info["transparency"]} if "transparency" in im.info else {}
    arr = np.empty((-(-h // factor), -(-w // factor), 3), np.uint8)
    for y in range(0, h, rows):
        strip = im.crop((0, y, w, min(h, y + rows)))
        strip.info.update(info)
        strip = _strip_to_rgb(strip, top)
        if factor > 1:
            strip = strip.reduce(factor)
        arr[y // factor : y // factor + strip.height] = np.asarray(strip, dtype=np.uint8)
    if arr.shape[1::-1] != (tw, th):
        small = Image.fromarray(arr, "RGB").resize((tw, th), Image.Resampling.LANCZOS)
        arr = np.asarray(small, dtype=np.uint8)
    return arr


def _progressive(im: Image.Image) -> bool:
    return im.format == "JPEG" and bool(im.info.get("progressive") or im.info.get("progression"))


def _format_name(im: Image.Image) -> str:
    if _progressive(im):
        return "progressive JPEG"
    return {"WEBP": "WebP"}.get(im.format, im.format or "image")


def decode_bytes(im: Image.Image, full_size: tuple[int, int] | None = None) -> int:
    """Estimated peak bytes of decoding the opened (not yet loaded) image ``im``.

    ``full_size`` is the size the header gave, before any ``draft``.

    A progressive JPEG holds 2 bytes for every DCT coefficient of every component
    at full size, whatever the draft size (libjpeg needs them all before the last
    scan); its output is at the draft size. WebP and GIF use the measured
    :data:`_FORMAT_BYTES`; the rest :data:`_MODE_FACTOR` times the in-memory image.
    """
    w, h = im.size
    if _progressive(im):
        w0, h0 = full_size or (w, h)
        layers = getattr(im, "layer", None) or [(0, 1, 1, 0)] * len(im.getbands())
        hmax = max(layer[1] for layer in layers)
        vmax = max(layer[2] for layer in layers)
        share = sum(layer[1] * layer[2] for layer in layers) / (hmax * vmax)
        coefficients = 2.2 * share * (-(-w0 // 8) * 8) * (-(-h0 // 8) * 8)
        return int(coefficients + w * h * 4)
    if im.format in _FORMAT_BYTES:
        return int(w * h * _FORMAT_BYTES[im.format])
    return int(w * h * _MODE_BYTES.get(im.mode, 4) * _MODE_FACTOR)


def load_image(
    source,
    *,
    max_pixels: int = 4_000_000,
    formats=None,
    return_notes: bool = False,
):
    """Read an image as an 8-bit RGB array, safely and within a fixed memory cost.

    Reads width and height from the header before decoding anything and refuses
    images above :data:`HARD_LIMIT_PIXELS`, with a side over :data:`MAX_SIDE`, more
    than :data:`MAX_ASPECT` times longer than wide, or whose decoding would hold
    more than :data:`MAX_DECODE_BYTES`. Larger images are reduced while decoding
    where the format allows (JPEG draft mode decodes at 1/2, 1/4 or 1/8), then
    converted and shrunk a strip of rows at a time to at most ``max_pixels``
    pixels and :data:`WORK_SIDE` pixels a side, keeping the aspect ratio.

    Parameters
    ----------
    source : str, Path, bytes or binary file object
    max_pixels : int
        Largest width x height returned.
    formats : sequence of str, optional
        File types accepted ("png", "jpg", "webp", ... or Pillow's names);
        default: PNG, JPEG, WebP, GIF, BMP and TIFF. Other plugins never see the file.
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
        Empty, not an image of an accepted format, SVG, truncated or damaged,
        too large or too elongated.
    """
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be >= 1; got {max_pixels}")
    allowed = _pillow_formats(formats)
    im = _open(_read_bytes(source), allowed)
    notes = []
    w, h = im.size
    _check_size(w, h)
    frames = getattr(im, "n_frames", 1)
    if frames > 1:
        im.seek(0)
        notes.append(f"the file is animated: its first of {frames} frames is used")
    target = _working_size(w, h, max_pixels)
    try:
        if target != (w, h) and im.format == "JPEG":
            im.draft("RGB", target)  # the decoder itself scales by 1/2, 1/4 or 1/8
        _check_decode(decode_bytes(im, (w, h)), _format_name(im), w, h)
        orientation = im.getexif().get(0x0112, 1)
        im.load()
        if "transparency" in im.info or im.mode in ("RGBA", "LA", "PA"):
            notes.append("transparent parts are shown on white")
        arr = _reduced_rgb(im, target)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError("the file is truncated or damaged") from exc
    finally:
        im.close()
    if orientation in _ORIENTATION:
        turned = Image.fromarray(arr, "RGB")
        for step in _ORIENTATION[orientation]:
            turned = turned.transpose(step)
        arr = np.asarray(turned, dtype=np.uint8)
    if target != (w, h):
        ow, oh = (w, h) if orientation < 5 else (h, w)
        notes.append(
            f"downsized from {ow:,} x {oh:,} to {arr.shape[1]:,} x {arr.shape[0]:,} pixels"
        )
    return (arr, tuple(notes)) if return_notes else arr


SAMPLE_IMAGES = ("china", "flower", "reef")


def sample_image(name: str) -> np.ndarray:
    """A sample image as (427, 640, 3) uint8.

    "china" and "flower" are scikit-learn's sample photos; "reef" is a scene the lab
    draws itself (:mod:`kmcore.reef`: two small orange fish over an anemone, for the
    seed article's outlier experiment), not a photograph.
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"unknown sample image {name!r}; choose one of {', '.join(SAMPLE_IMAGES)}")
    if name == "reef":
        from .reef import reef_image

        return reef_image()
    from sklearn.datasets import load_sample_image

    return np.ascontiguousarray(load_sample_image(f"{name}.jpg"))
