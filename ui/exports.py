"""Downloadable pictures of a run: the centroid grid as PNG, the iterations as GIF."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

import kmcore

from .kmeans_charts import GRID_COLS
from .results import budget
from .results.datasets import rows
from .results.kmeans_runs import run
from .settings import Settings

PAD_GREY = 200


def ink_image(z: np.ndarray, scale: int) -> Image.Image:
    """Ink-on-paper greyscale (1 is black, like the player and the figures), NaN padding as
    light grey, enlarged ``scale`` times with crisp pixels."""
    g = np.where(np.isnan(z), PAD_GREY / 255, 1 - np.clip(np.nan_to_num(z), 0, 1))
    img = Image.fromarray((g * 255).round().astype(np.uint8), mode="L")
    return img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)


def _scale(image_shape) -> int:
    return max(2, 112 // image_shape[0])


def _mosaic(centers, k, image_shape):
    return kmcore.tile_images(centers.reshape(k, *image_shape), min(k, GRID_COLS), 1)


def centroid_png(result: kmcore.KMeansResult, image_shape) -> bytes:
    """Start centroids above final centroids, as a PNG (the paper's figure layout)."""
    k = result.n_clusters
    start = _mosaic(result.init_centers, k, image_shape)
    end = _mosaic(result.centers, k, image_shape)
    gap = np.full((image_shape[0] // 2, start.shape[1]), np.nan, np.float32)
    buf = io.BytesIO()
    ink_image(np.vstack([start, gap, end]), _scale(image_shape)).save(buf, format="PNG")
    return buf.getvalue()


def centroid_gif(result: kmcore.KMeansResult, image_shape, frame_ms: int = 400) -> bytes:
    """Every iteration's centroid grid as an animated GIF (the last frame held longer)."""
    k = result.n_clusters
    scale = _scale(image_shape)
    frames = [
        ink_image(_mosaic(result.centers_at(s), k, image_shape), scale)
        for s in range(result.n_iter + 1)
    ]
    durations = [frame_ms] * (len(frames) - 1) + [frame_ms * 5]
    buf = io.BytesIO()
    frames[0].save(
        buf, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0
    )
    return buf.getvalue()


@budget.cached("centroid_files")
def centroid_files(settings: Settings) -> tuple[bytes, bytes]:
    """The start/end grid as PNG and the iterations as GIF, encoded once per setting."""
    shape = rows(settings.data_key).image_shape
    res = run(settings).result
    return centroid_png(res, shape), centroid_gif(res, shape)
