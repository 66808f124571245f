"""Uploads within a fixed memory cost and without tracebacks (issue 10, items 1 and 3).

Real files generated here (PNG streams written with zlib, Pillow encoders),
the real loader, and the real pages under AppTest.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import EpsImagePlugin, Image
from streamlit.testing.v1 import AppTest

import kmcore
from kmcore import image_metrics, quantize_report
from kmcore.images import MAX_ASPECT, MAX_SIDE
from tests.conftest import ROOT


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _grey_png(width: int, height: int, *, body: bool = True, colour_type: int = 0) -> bytes:
    """An all-black 8-bit PNG streamed through zlib (tiny file, any size), or its header."""
    head = b"\x89PNG\r\n\x1a\n" + _chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    )
    if not body:
        return head + _chunk(b"IEND", b"")
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    z = zlib.compressobj(9)
    row = bytes(1 + width * channels)  # filter byte 0 + the pixels
    parts = []
    for _ in range(height):
        parts.append(z.compress(row))
    parts.append(z.flush())
    return head + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def _encode(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


# ---- the loader ------------------------------------------------------------------------


def test_a_side_over_the_limit_is_refused_with_a_clear_message():
    data = _grey_png(100_000, 1)  # 100,000 pixels: far under the megapixel cap
    with pytest.raises(kmcore.ImageError, match=f"longer than {MAX_SIDE:,}"):
        kmcore.load_image(data)


def test_a_1_x_49_million_png_is_refused_before_decoding():
    data = _grey_png(49_000_000, 1)
    assert len(data) < 100_000  # a small file
    with pytest.raises(kmcore.ImageError, match="longer than"):
        kmcore.load_image(data)


def test_an_extreme_shape_is_refused_but_a_thin_strip_is_not():
    with pytest.raises(kmcore.ImageError, match=f"more than {MAX_ASPECT:,} times"):
        kmcore.load_image(_grey_png(2 * MAX_ASPECT + 2, 2))
    img = kmcore.load_image(_grey_png(500, 1))
    assert img.shape == (1, 500, 3)


def test_a_decode_over_the_memory_budget_is_refused_from_the_header():
    # 6000 x 6000 RGBA: 36 MP (under the cap) but 144 MB for Pillow to hold while decoding.
    data = _grey_png(6000, 6000, body=False, colour_type=6)
    with pytest.raises(kmcore.ImageError, match="MB of server memory"):
        kmcore.load_image(data)


def test_a_sixteen_bit_image_is_converted_without_full_size_float_copies():
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 65535, (2000, 2000), dtype=np.uint16)
    data = _encode(Image.fromarray(arr))
    tracemalloc.start()
    try:
        img = kmcore.load_image(data, max_pixels=250_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert img.shape == (500, 500, 3)
    # A full-size float64 copy alone would be 32 MB; strips keep numpy's share small.
    assert peak < 8 * 2**20, peak


def test_large_images_are_reduced_to_the_working_size_and_keep_their_look():
    big = np.zeros((3000, 4000, 3), np.uint8)
    big[:, :2000] = (200, 30, 30)
    big[:, 2000:] = (20, 40, 220)
    img, notes = kmcore.load_image(_encode(Image.fromarray(big), "JPEG"), return_notes=True)
    img2, _ = kmcore.load_image(
        _encode(Image.fromarray(big)), max_pixels=1_000_000, return_notes=True
    )
    assert img.shape[0] * img.shape[1] <= 4_000_000
    assert img2.shape[0] * img2.shape[1] <= 1_000_000
    assert abs(img2.shape[1] / img2.shape[0] - 4 / 3) < 0.01
    assert any("downsized from 4,000 x 3,000" in n for n in notes)
    np.testing.assert_allclose(img2[10, 10], (200, 30, 30), atol=2)
    np.testing.assert_allclose(img2[-10, -10], (20, 40, 220), atol=2)


def test_rgba_on_white_after_reduction():
    rgba = np.zeros((1200, 1600, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:, 800:, 3] = 255  # left half transparent
    img, notes = kmcore.load_image(
        _encode(Image.fromarray(rgba, "RGBA")), max_pixels=120_000, return_notes=True
    )
    assert "transparent parts are shown on white" in notes
    np.testing.assert_array_equal(img[5, 5], (255, 255, 255))
    np.testing.assert_array_equal(img[5, -5], (255, 0, 0))


def test_only_the_named_formats_are_opened(monkeypatch):
    opened = []
    original = EpsImagePlugin.EpsImageFile._open

    def spy(self):
        opened.append(True)
        return original(self)

    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", spy)
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\nshowpage\n"
    with pytest.raises(kmcore.ImageError, match="not an image file this lab can read"):
        kmcore.load_image(eps)  # an EPS renamed .png
    assert opened == []  # Pillow's EPS plugin (and so Ghostscript) never saw it
    png = _encode(Image.new("RGB", (4, 4)))
    with pytest.raises(kmcore.ImageError, match=r"can read \(JPEG\)"):
        kmcore.load_image(png, formats=("jpg", "jpeg"))
    assert kmcore.load_image(png, formats=("png",)).shape == (4, 4, 3)


# ---- metrics and results -----------------------------------------------------------------


def _ssim_reference(a, b) -> float:
    """The whole-image SSIM as it was computed before (float64 everywhere)."""
    from scipy.ndimage import gaussian_filter

    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    scores = []
    for ch in range(3):
        x, y = a[..., ch], b[..., ch]
        mx, my = gaussian_filter(x, 1.5), gaussian_filter(y, 1.5)
        vx = gaussian_filter(x * x, 1.5) - mx * mx
        vy = gaussian_filter(y * y, 1.5) - my * my
        cov = gaussian_filter(x * y, 1.5) - mx * my
        s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        scores.append(s.mean())
    return float(np.mean(scores))


@pytest.fixture(scope="module")
def china():
    return kmcore.sample_image("china")


def test_block_metrics_equal_the_whole_image_ones(china):
    q = kmcore.quantize(china, 8, random_state=0)
    assert image_metrics.ssim(china, q.image) == pytest.approx(
        _ssim_reference(china, q.image), abs=1e-12
    )
    mse = np.mean((china.astype(np.float64) - q.image) ** 2)
    assert image_metrics.psnr(china, q.image) == pytest.approx(
        10 * np.log10(255**2 / mse), abs=1e-12
    )


def test_ssim_memory_does_not_grow_with_the_image():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (1500, 2000, 3), dtype=np.uint8)
    b = a // 2
    tracemalloc.start()
    try:
        image_metrics.ssim(a, b)
        image_metrics.psnr(a, b)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One full-size float64 channel is 24 MB; the whole-image version held about 20 of them.
    assert peak < 12 * 2**20, peak


def test_report_encodes_the_png_once_and_agrees_with_the_account(china, monkeypatch):

    q = kmcore.quantize(china, 16, random_state=0)
    calls = []
    real = quantize_report.indexed_png_bytes

    def counting(qq):
        calls.append(1)
        return real(qq)

    monkeypatch.setattr(quantize_report, "indexed_png_bytes", counting)
    rep = kmcore.quantization_report(china, q)
    assert len(calls) == 1
    assert rep.account.indexed_png == len(rep.indexed_png)
    assert rep.account == quantize_report.compression_account(china, q)
    assert rep.ssim == pytest.approx(_ssim_reference(china, q.image), abs=1e-12)
    assert rep.delta_e == pytest.approx(kmcore.mean_delta_e(china, q.image))
    n = china.shape[0] * china.shape[1]
    assert rep.account.raw_bytes == 3 * n
    assert rep.account.with_palette_bytes == (n * 4 + 24 * 16) / 8


def test_results_shared_by_the_caches_are_read_only(china):
    q = kmcore.quantize(china, 4, random_state=0)
    rep = kmcore.quantization_report(china, q)
    arrays = [q.image, q.palette, q.indices, *q.history]
    seg = kmcore.segment_image(china, 3, random_state=0)
    arrays.append(seg.labels)
    for arr in arrays:
        with pytest.raises(ValueError, match="read-only"):
            arr[(0,) * arr.ndim] = 1
    with pytest.raises(AttributeError):
        rep.gif = b""  # frozen: the GIF every session downloads cannot be swapped


# ---- segmentation with fewer colours than k ------------------------------------------------


def _one_bit():
    im = Image.fromarray((np.indices((12, 12)).sum(0) % 2 * 255).astype(np.uint8)).convert("1")
    return _encode(im)


def _palette_transparent():
    im = Image.new("P", (10, 10), 0)
    im.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    im.paste(1, (0, 0, 5, 10))
    return _encode(im, transparency=0)


def _two_colours():
    arr = np.zeros((30, 40, 3), np.uint8)
    arr[:, 20:] = 255
    return _encode(Image.fromarray(arr))


FEW_COLOURS = {
    "1x1": lambda: _encode(Image.new("RGB", (1, 1), (10, 200, 30))),
    "1-bit": _one_bit,
    "500x1": lambda: _encode(
        Image.fromarray(np.linspace(0, 1, 500)[None, :, None].repeat(3, 2).astype(np.uint8))
    ),
    "two colours": _two_colours,
    "palette + transparency": _palette_transparent,
}


@pytest.mark.parametrize("name", list(FEW_COLOURS))
def test_segment_image_caps_k_at_the_distinct_colours(name):
    img = kmcore.load_image(FEW_COLOURS[name]())
    distinct = len(np.unique(img.reshape(-1, 3), axis=0))
    assert distinct < 4
    for features in kmcore.FEATURES:
        seg = kmcore.segment_image(img, 4, features=features, random_state=0)
        assert seg.n_segments <= 4  # texture sees more than colour: it may keep more
        assert seg.labels.shape == img.shape[:2] and int(seg.labels.max()) < seg.n_segments
        if features != "texture":
            assert seg.n_segments == distinct and "capped" in seg.notes[0]


# ---- the pages ---------------------------------------------------------------------------


def _upload(page: str, prefix: str, name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(page)
    at.run()
    at.radio(key=f"{prefix}_source").set_value("upload").run()
    at.file_uploader(key=f"{prefix}_upload").set_value((name, data, "image/png")).run()
    return at


@pytest.mark.parametrize(
    ("page", "prefix"),
    [("pages/4_Compression.py", "compress"), ("pages/5_Segmentation.py", "segment")],
)
@pytest.mark.parametrize("width", [100_000, 49_000_000])
def test_pages_refuse_a_very_long_image_with_a_message(fresh_caches, page, prefix, width):
    at = _upload(page, prefix, "line.png", _grey_png(width, 1))
    assert not at.exception, at.exception
    assert at.error and "cannot be used" in at.error[0].value
    assert "longer than" in at.error[0].value


@pytest.mark.parametrize("name", ["1x1", "two colours", "palette + transparency"])
def test_segmentation_page_caps_k_with_a_note(fresh_caches, name):
    at = _upload("pages/5_Segmentation.py", "segment", "few.png", FEW_COLOURS[name]())
    assert not at.exception, at.exception
    assert not at.error
    assert any("capped" in w.value for w in at.warning), [w.value for w in at.warning]
    captions = [img.caption for e in at.get("image") for img in e.proto.imgs]
    assert len(captions) == 4  # the original and one picture per feature set
