"""load_image on generated files of every mode and on broken and hostile ones; quantize."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import kmcore
from kmcore import image_metrics, peers, quantize_report
from kmcore.images import HARD_LIMIT_PIXELS


def _encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _gradient(w=40, h=30) -> np.ndarray:
    x = np.linspace(0, 255, w, dtype=np.float64)
    y = np.linspace(0, 255, h, dtype=np.float64)
    return np.stack(
        [np.add.outer(y * 0, x), np.add.outer(y, x * 0), np.full((h, w), 90.0)], axis=2
    ).astype(np.uint8)


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("1", "PNG"),
        ("L", "PNG"),
        ("P", "PNG"),
        ("RGB", "PNG"),
        ("RGB", "JPEG"),
        ("RGB", "WEBP"),
        ("RGB", "BMP"),
        ("P", "GIF"),
        ("LA", "PNG"),
        ("RGBA", "PNG"),
        ("I;16", "PNG"),
        ("I", "TIFF"),
        ("F", "TIFF"),
        ("CMYK", "JPEG"),
        ("CMYK", "TIFF"),
    ],
)
def test_every_mode_becomes_8_bit_rgb(mode, fmt):
    src = Image.fromarray(_gradient(), "RGB").convert(mode)
    img = kmcore.load_image(_encode(src, fmt))
    assert img.shape == (30, 40, 3) and img.dtype == np.uint8
    assert img.flags.c_contiguous


def test_sixteen_bit_is_scaled_not_clipped():
    arr = (np.arange(40 * 30).reshape(30, 40) * 50).astype(np.uint16)  # up to 59,950
    img = kmcore.load_image(_encode(Image.fromarray(arr), "PNG"))
    expected = np.round(arr / 65535 * 255)
    np.testing.assert_allclose(img[..., 0], expected, atol=1)
    assert img.max() > 200  # not clipped to white


def test_transparency_goes_on_white_and_is_reported():
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:5, :, 3] = 255  # top half opaque red, bottom half transparent
    img, notes = kmcore.load_image(_encode(Image.fromarray(rgba, "RGBA"), "PNG"), return_notes=True)
    assert tuple(img[0, 0]) == (255, 0, 0) and tuple(img[9, 9]) == (255, 255, 255)
    assert any("transparent" in n for n in notes)


def test_palette_transparency_is_composited():
    im = Image.new("P", (8, 8), 0)
    im.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    im.paste(1, (0, 0, 4, 8))
    data = _encode(im, "PNG", transparency=0)
    img = kmcore.load_image(data)
    assert tuple(img[0, 0]) == (10, 200, 30) and tuple(img[0, 7]) == (255, 255, 255)


def test_animation_takes_frame_zero_and_says_so():
    frames = [Image.new("RGB", (12, 12), c) for c in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    img, notes = kmcore.load_image(buf.getvalue(), return_notes=True)
    assert tuple(img[5, 5]) == (255, 0, 0)
    assert any("first of 3 frames" in n for n in notes)


def test_exif_orientation_is_applied():
    im = Image.fromarray(_gradient(40, 20), "RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    img = kmcore.load_image(_encode(im, "JPEG", exif=exif))
    assert img.shape == (40, 20, 3)


def test_large_image_is_downsized_keeping_aspect(tmp_path):
    im = Image.fromarray(np.random.default_rng(0).integers(0, 255, (600, 900, 3), np.uint8))
    path = tmp_path / "big.jpg"
    im.save(path, quality=90)
    img, notes = kmcore.load_image(path, max_pixels=60_000, return_notes=True)
    h, w = img.shape[:2]
    assert h * w <= 60_000 and abs(w / h - 1.5) < 0.02
    assert any("downsized from 900 x 600" in n for n in notes)
    with open(path, "rb") as fh:
        assert kmcore.load_image(fh, max_pixels=60_000).shape == img.shape


def _png_header_claiming(w, h) -> bytes:
    """A real, tiny PNG whose header claims w x h (1-bit, compresses to almost nothing)."""
    return _encode(Image.new("1", (w, h)), "PNG")


def test_image_above_hard_limit_is_refused_before_decoding():
    w, h = 9000, 7000  # 63 megapixels: above our limit, below Pillow's bomb warning
    assert w * h > HARD_LIMIT_PIXELS
    data = _png_header_claiming(w, h)
    assert len(data) < 100_000
    with pytest.raises(kmcore.ImageError, match="limit is 50"):
        kmcore.load_image(data)


def test_decompression_bomb_is_refused():
    data = _png_header_claiming(10_000, 10_000)
    with pytest.raises(kmcore.ImageError, match="too large"):
        kmcore.load_image(data)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"just some text, not an image\n" * 5, "not an image"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"<svg width='10' height='10'></svg>", "SVG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "damaged"),
    ],
)
def test_broken_files_raise_image_error(data, fragment):
    with pytest.raises(kmcore.ImageError, match=fragment):
        kmcore.load_image(data)


def test_truncated_files_raise_image_error():
    img = np.random.default_rng(1).integers(0, 255, (64, 64, 3), np.uint8)
    for fmt in ("PNG", "JPEG"):
        data = _encode(Image.fromarray(img), fmt)
        with pytest.raises(kmcore.ImageError):
            kmcore.load_image(data[: len(data) // 2])


def test_image_error_is_a_value_error():
    assert issubclass(kmcore.ImageError, ValueError)


@pytest.fixture(scope="module")
def china():
    return kmcore.sample_image("china")


@pytest.mark.parametrize("k", [1, 2, 16, 64])
def test_quantize_invariants(china, k):
    q = kmcore.quantize(china, k, random_state=0)
    np.testing.assert_array_equal(q.palette[q.indices], q.image)
    assert q.palette.shape == (k, 3) and q.palette.dtype == np.uint8
    assert q.indices.shape == china.shape[:2] and q.indices.max() < k
    assert q.bits_per_pixel == int(np.ceil(np.log2(k)))
    assert q.psnr == pytest.approx(image_metrics.psnr(china, q.image))
    assert len(q.history) >= 2 and q.history[0].shape == (k, 3)
    assert len({tuple(c) for c in q.palette}) >= k * 0.9


def test_more_colours_never_look_worse(china):
    scores = [kmcore.quantize(china, k, random_state=0).psnr for k in (2, 8, 32)]
    assert scores[0] < scores[1] < scores[2]


def test_quantize_same_seed_same_result(china):
    a = kmcore.quantize(china, 8, random_state=3)
    b = kmcore.quantize(china, 8, random_state=3)
    np.testing.assert_array_equal(a.palette, b.palette)
    np.testing.assert_array_equal(a.indices, b.indices)


def test_k_larger_than_distinct_colours_is_capped_and_exact():
    img = np.zeros((20, 20, 3), np.uint8)
    img[:10] = (200, 10, 10)
    img[10:, :5] = (0, 0, 255)
    q = kmcore.quantize(img, 16)
    assert q.n_colors == 3 and q.n_distinct == 3
    assert any("only 3 colours" in n for n in q.notes)
    np.testing.assert_array_equal(q.image, img)
    assert q.psnr == float("inf")


def test_quantize_rejects_bad_input():
    with pytest.raises(ValueError, match="uint8"):
        kmcore.quantize(np.zeros((4, 4, 3)), 2)
    with pytest.raises(ValueError, match="n_colors"):
        kmcore.quantize(np.zeros((4, 4, 3), np.uint8), 0)


def test_compression_account_three_ways(china):
    q = kmcore.quantize(china, 16, random_state=0)
    acc = quantize_report.compression_account(china, q)
    assert acc.formula_ratio == 6.0
    n = china.shape[0] * china.shape[1]
    assert acc.with_palette_ratio == pytest.approx(24 * n / (4 * n + 16 * 24))
    png = kmcore.indexed_png_bytes(q)
    assert acc.indexed_png == len(png) < acc.original_png
    back = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    np.testing.assert_array_equal(back, q.image)


def test_pillow_peers_and_ssim(china):
    q = kmcore.quantize(china, 16, random_state=0)
    mc = peers.pillow_quantize(china, 16, "median cut")
    assert mc.shape == china.shape and len(np.unique(mc.reshape(-1, 3), axis=0)) <= 16
    assert image_metrics.ssim(china, china) == pytest.approx(1.0)
    assert 0 < image_metrics.ssim(china, q.image) < 1
    frames, psnrs = quantize_report.preview_frames(china, q)
    assert len(frames) == len(q.history) and max(frames[0].shape[:2]) <= 320
    assert psnrs[-1] >= psnrs[0] - 0.5
