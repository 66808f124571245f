"""Small image files that decode to hundreds of MB, made here with Pillow (tests and bench).

Each passes the cheap header checks of earlier versions (at most 50 MP, sides and
shape in range) and costs far more memory to decode than its size suggests:
a progressive JPEG makes libjpeg keep every coefficient of the whole image, and
Pillow decodes lossless WebP whole, several times over.
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image


def _save(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def progressive_claim(mode: str = "CMYK", side: int = 7071) -> bytes:
    """An 8 x 8 progressive JPEG whose header claims ``side`` x ``side`` pixels (~700 B)."""
    colour = (1, 2, 3, 4) if mode == "CMYK" else (1, 2, 3)
    raw = bytearray(_save(Image.new(mode, (8, 8), colour), "JPEG", progressive=True))
    sof = raw.find(b"\xff\xc2")  # start of frame, progressive
    raw[sof + 5 : sof + 9] = struct.pack(">HH", side, side)
    return bytes(raw)


def lossless_webp(width: int = 5000, height: int = 5000) -> bytes:
    """A one-colour lossless RGBA WebP (about 1 kB)."""
    return _save(Image.new("RGBA", (width, height), (10, 120, 200, 255)), "WEBP", lossless=True)


def animated_webp(frames: int = 40, side: int = 2000) -> bytes:
    """A lossless animated WebP of ``frames`` frames, each of one colour."""
    ims = [Image.new("RGB", (side, side), (i * 5 % 256, 40, 90)) for i in range(frames)]
    return _save(ims[0], "WEBP", save_all=True, append_images=ims[1:], lossless=True)


def deep_gif(frames: int = 2000, side: int = 64) -> bytes:
    """An animated GIF with many small frames."""
    ims = [Image.new("P", (side, side), i % 256) for i in range(frames)]
    return _save(ims[0], "GIF", save_all=True, append_images=ims[1:])


def rle_bmp(width: int = 4000, height: int = 4000) -> bytes:
    """An 8-bit run-length BMP, every row a string of one-pixel runs (Pillow decodes RLE in
    Python: slow per run)."""
    row = bytes([1, 7]) * width + b"\x00\x00"
    body = row * height + b"\x00\x01"
    palette = b"".join(bytes([i, i, i, 0]) for i in range(256))
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(body), 2835, 2835, 256, 0)
    offset = 14 + 40 + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(body), 0, 0, offset) + info + palette + body


def photo(width: int = 640, height: int = 480, fmt: str = "JPEG", **kw) -> bytes:
    """An ordinary picture: smooth colours with a little noise."""
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(0)
    arr = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], -1).astype(np.int16)
    arr += rng.integers(-6, 7, arr.shape, dtype=np.int16)
    return _save(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), fmt, **kw)


# The corpus: name -> (maker, outcome). "refused": the header estimate is over the budget,
# so nothing is decoded and the user is told why; "bounded": decoded in the worker within
# its cap (the RGB claim needs about 165 MB of coefficients, under the 200 MB budget).
HOSTILE = {
    "progressive_cmyk_claim": (lambda: progressive_claim("CMYK"), "refused"),
    "progressive_rgb_claim": (lambda: progressive_claim("RGB"), "bounded"),
    "lossless_webp_5000": (lambda: lossless_webp(5000, 5000), "refused"),
    "lossless_webp_7200x3600": (lambda: lossless_webp(7200, 3600), "refused"),
}
