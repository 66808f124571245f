"""A made-up reef: two small orange clown fish over a dark sea anemone, drawn by code.

The seed article's outlier photo (two bright orange clown fish in an anemone) is not
shipped by any package this lab uses (scikit-learn ships china.jpg and flower.jpg
only), so the lab draws a scene with the same ingredients: dark water, a large anemone
whose tentacles run from dark olive to a warm tan, and two small fish of one saturated
orange. It is not a photograph: shapes are ellipses and strokes, softened with a blur
and sensor-like noise. It is drawn the same way every time (fixed seed).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HEIGHT, WIDTH = 427, 640  # as scikit-learn's sample photos
ORANGE = (245, 110, 20)  # the fish's body colour as painted: the outlier colour
WHITE = (240, 240, 235)
BLACK = (15, 12, 10)
SEED = 7
TIP = (235, 130, 55)  # tentacle tips: a warm tan, the large mass nearest the orange
FISH = ((250, 150, 104, +1), (395, 205, 81, -1))  # centre x, y, length, facing


def _smooth_noise(rng, h, w, scale):
    """Noise with features about ``scale`` pixels wide, in -1..1."""
    small = rng.standard_normal((h // scale + 2, w // scale + 2))
    im = Image.fromarray(((small - small.min()) / np.ptp(small) * 255).astype(np.uint8))
    big = np.asarray(im.resize((w, h), Image.Resampling.BICUBIC), np.float64) / 127.5 - 1
    return big


def _water(rng):
    y = np.linspace(0, 1, HEIGHT)[:, None, None]
    top, bottom = np.array([18, 52, 92]), np.array([4, 14, 30])
    base = top * (1 - y) + bottom * y
    ripple = _smooth_noise(rng, HEIGHT, WIDTH, 40)[..., None] * np.array([6, 12, 16])
    return np.clip(base + ripple, 0, 255)


def _tentacles(rng, draw):
    """Strokes from the anemone's base upwards, dark olive at the foot to warm tan at the tip."""
    foot, tip = np.array([62, 58, 30]), np.array(TIP)
    for _ in range(260):
        x0 = rng.uniform(-40, WIDTH + 40)
        y0 = rng.uniform(HEIGHT * 0.95, HEIGHT + 30)
        length = rng.uniform(110, 250)
        angle = rng.uniform(-0.9, 0.9) + (x0 - WIDTH / 2) / WIDTH * 0.8
        bend = rng.uniform(-0.8, 0.8)
        width = rng.uniform(7, 15)
        shade = rng.uniform(0.75, 1.1)
        steps = 14
        for i in range(steps):
            t0, t1 = i / steps, (i + 1) / steps
            a0, a1 = angle + bend * t0 * t0, angle + bend * t1 * t1
            p0 = (x0 + np.sin(a0) * length * t0, y0 - np.cos(a0) * length * t0)
            p1 = (x0 + np.sin(a1) * length * t1, y0 - np.cos(a1) * length * t1)
            c = np.clip((foot + (tip - foot) * t1**1.3) * shade, 0, 255).astype(int)
            draw.line([p0, p1], fill=tuple(c), width=int(width * (1 - 0.45 * t1)) + 1)
        r = width * 0.45
        draw.ellipse([p1[0] - r, p1[1] - r, p1[0] + r, p1[1] + r], fill=tuple(c))


def _fish(draw, cx, cy, length, facing):
    """A clown fish: orange body, three white bands edged in black, black eye."""
    h = length * 0.42
    s = facing  # +1: head to the right
    tail = [
        (cx - s * length * 0.45, cy),
        (cx - s * length * 0.68, cy - h * 0.45),
        (cx - s * length * 0.68, cy + h * 0.45),
    ]
    draw.polygon(tail, fill=BLACK)
    draw.polygon([(x + s * 3, y) for x, y in tail], fill=ORANGE)
    draw.ellipse([cx - length / 2 - 2, cy - h / 2 - 2, cx + length / 2 + 2, cy + h / 2 + 2], BLACK)
    draw.ellipse([cx - length / 2, cy - h / 2, cx + length / 2, cy + h / 2], fill=ORANGE)
    for pos, width in ((0.28, 0.09), (0.0, 0.11), (-0.33, 0.06)):
        x = cx + s * pos * length
        half = width * length / 2
        rows = h * (0.95 if pos == 0.0 else 0.8) / 2
        draw.rectangle([x - half - 2, cy - rows, x + half + 2, cy + rows], fill=BLACK)
        draw.rectangle([x - half, cy - rows, x + half, cy + rows], fill=WHITE)
    ex, ey = cx + s * length * 0.38, cy - h * 0.12
    draw.ellipse([ex - 3, ey - 3, ex + 3, ey + 3], fill=BLACK)


def reef_image() -> np.ndarray:
    """The made-up reef scene, (427, 640, 3) uint8; the same pixels on every call."""
    rng = np.random.default_rng(SEED)
    im = Image.fromarray(_water(rng).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(im)
    _tentacles(rng, draw)
    for cx, cy, length, facing in FISH:
        _fish(draw, cx, cy, length, facing)
    im = im.filter(ImageFilter.GaussianBlur(1.2))
    arr = np.asarray(im, np.float64)
    arr += rng.normal(0, 2.5, arr.shape)
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)


def fish_mask() -> np.ndarray:
    """Where the fish's orange is, (427, 640) bool: pixels within ΔE 15 of :data:`ORANGE`."""
    from .colour import delta_e

    return delta_e(reef_image(), np.array(ORANGE, np.uint8)) < 15
