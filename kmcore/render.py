"""Array helpers for pictures of a run: image mosaics and the regions centres own."""

from __future__ import annotations

import numpy as np

from .distances import nearest_centers


def tile_images(images, n_cols: int, pad: int = 1, pad_value: float = np.nan) -> np.ndarray:
    """Lay out equally sized images in a grid.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
    n_cols : int
        Images per row; the last row is padded.
    pad : int
        Pixels between images.
    pad_value : float
        Value of the padding (NaN shows as a gap in plotly heatmaps).

    Returns
    -------
    ndarray of shape (rows * (height + pad) - pad, n_cols * (width + pad) - pad), float32
    """
    images = np.asarray(images, dtype=np.float32)
    n, h, w = images.shape
    n_cols = max(1, min(n_cols, n))
    n_rows = -(-n // n_cols)
    out = np.full((n_rows * (h + pad) - pad, n_cols * (w + pad) - pad), pad_value, np.float32)
    for i in range(n):
        r, c = divmod(i, n_cols)
        out[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = images[i]
    return out


def region_grid(centers, metric: str, bounds, resolution: int = 120):
    """Which centre owns each point of a regular grid over the plane (2-D data only).

    Parameters
    ----------
    centers : ndarray of shape (n_clusters, 2)
    metric : {"l1", "l2", "linf"}
    bounds : tuple of float
        ``(x_min, x_max, y_min, y_max)``.
    resolution : int
        Grid points along each axis.

    Returns
    -------
    xs, ys : ndarray of shape (resolution,)
    owner : ndarray of shape (resolution, resolution), int32
        ``owner[i, j]`` is the centre nearest to ``(xs[j], ys[i])``.
    """
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2:
        raise ValueError(f"region_grid needs 2-D centres; got shape {centers.shape}")
    x0, x1, y0, y1 = bounds
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    owner, _ = nearest_centers(points, centers, metric)
    return xs, ys, owner.reshape(resolution, resolution)
