"""Image segmentation by clustering pixels on colour (RGB, HSV) or on texture.

Pixels are clustered with the engine's Lloyd kernel, so every distance of the
lab (L1, L2, L-infinity) and both updates (mean, median) apply to pixels as
they apply to digits: the distance decides which centre a pixel joins, the
update where the centre moves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from scipy.optimize import linear_sum_assignment

from .distances import METRICS, nearest_centers
from .init import INIT_METHODS, _initial_centers
from .lloyd import UPDATE_RULES, _kmeans_single
from .readonly import ReadOnlyArrays
from .texture import filter_responses, lm_filter_bank
from .validation import (
    check_choice,
    check_image,
    check_int,
    check_k,
    check_random_state,
    has_distinct_rows,
    n_distinct_rows,
)
from .wording import count

FEATURES = ("rgb", "hsv", "texture")
# Starts that need no class labels (pixels have none).
SEGMENT_INITS = tuple(m for m in INIT_METHODS if m != "per-class")
WORKING_PIXELS = 120_000
FIT_SAMPLE = 30_000
TOL = 1e-3
MAX_ITER = 100


def _working_copy(image: np.ndarray, max_pixels: int) -> np.ndarray:
    h, w = image.shape[:2]
    if h * w <= max_pixels:
        return image
    scale = math.sqrt(max_pixels / (h * w))
    size = (max(1, int(w * scale)), max(1, int(h * scale)))
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BOX))


def _standardise(F: np.ndarray) -> np.ndarray:
    sd = F.std(axis=0)
    return (F - F.mean(axis=0)) / np.where(sd > 0, sd, 1)


def hsv_cylinder(image: np.ndarray) -> np.ndarray:
    """HSV colours as points of the HSV cylinder, with hue as an angle.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
        RGB.

    Returns
    -------
    ndarray of shape (h * w, 3), float64
        ``(0.5 + s cos(h) / 2, 0.5 + s sin(h) / 2, v)`` with ``h`` the hue as
        an angle (Pillow's 0-255 scaled to 0-2 pi), ``s`` and ``v`` in [0, 1].
        Every coordinate lies in [0, 1]; the hue circle of full saturation has
        diameter 1, the length of the value axis. Hues 0 and 255 (both red)
        are neighbours, and a grey pixel (s = 0) lies on the axis whatever its
        hue.
    """
    hsv = np.asarray(Image.fromarray(image).convert("HSV")).reshape(-1, 3) / 255.0
    angle = hsv[:, 0] * (2 * np.pi)
    radius = hsv[:, 1] / 2
    return np.column_stack([0.5 + radius * np.cos(angle), 0.5 + radius * np.sin(angle), hsv[:, 2]])


def pixel_features(
    image, features="rgb", *, colour_weight=0.0, position_weight=0.0, texture_smoothing=3.0
):
    """One feature vector per pixel.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    features : {"rgb", "hsv", "texture"}
        "rgb": the colour in [0, 1]. "hsv": hue, saturation and value as a
        point of the HSV cylinder, hue as an angle (see :func:`hsv_cylinder`),
        so that reds either side of hue 0 are close under every metric.
        "texture": the absolute responses of the grey image to the 48
        Leung-Malik filters, averaged over a small neighbourhood and
        standardised.
    colour_weight : float
        With "texture", append the standardised RGB colour times this weight.
    position_weight : float
        Append the standardised pixel position times this weight (favours
        compact segments).
    texture_smoothing : float
        Sigma in pixels of the Gaussian that averages the response energy (0: none).

    Returns
    -------
    ndarray of shape (h * w, n_features), float32
    """
    image = check_image(image)
    features = check_choice(features, "features", FEATURES)
    h, w = image.shape[:2]
    if features == "rgb":
        F = image.reshape(-1, 3) / 255.0
    elif features == "hsv":
        F = hsv_cylinder(image)
    else:
        grey = np.asarray(Image.fromarray(image).convert("L"), dtype=np.float64) / 255.0
        energy = np.abs(filter_responses(grey, lm_filter_bank()))
        if texture_smoothing:
            # A pattern's response rises and falls with its phase (on a stripe, between two);
            # averaging over a neighbourhood gives the texture one steady signature.
            energy = gaussian_filter(energy, sigma=(texture_smoothing, texture_smoothing, 0))
        F = _standardise(energy.reshape(h * w, -1))
        if colour_weight:
            F = np.hstack([F, colour_weight * _standardise(image.reshape(-1, 3) / 255.0)])
    if position_weight:
        yy, xx = np.mgrid[0:h, 0:w]
        pos = _standardise(np.column_stack([yy.ravel(), xx.ravel()]).astype(np.float64))
        if features != "texture":
            pos = pos * F.std()  # put position on the colour features' scale
        F = np.hstack([F, position_weight * pos])
    return np.ascontiguousarray(F, dtype=np.float32)


@dataclass(frozen=True)
class Segmented(ReadOnlyArrays):
    """An image cut into segments.

    Attributes
    ----------
    labels : ndarray of shape (h, w), uint8, read-only
        Segment of every pixel, numbered by decreasing size.
    n_segments : int
        Segments asked for, capped at the distinct pixels of the working copy.
    notes : tuple of str
        What was changed (k capped), as sentences for the user.
    centers : ndarray of shape (n_segments, n_features), float32, read-only
        The final centre of every segment in feature space (same numbering as
        ``labels``); every pixel of the working copy has the nearest of them
        under ``metric``.
    features, metric, update, init : str
        The settings the segmentation used.
    """

    labels: np.ndarray
    n_segments: int
    notes: tuple[str, ...]
    centers: np.ndarray
    features: str
    metric: str
    update: str
    init: str


def _features_of(image, features, colour_weight, position_weight, working_pixels):
    small = _working_copy(image, working_pixels)
    F = pixel_features(
        small, features, colour_weight=colour_weight, position_weight=position_weight
    )
    return small, F


def _cluster(image, small, F, k, rng, metric, update, init):
    """Labels at the image's full size (numbered by decreasing size) and the centres."""
    n = len(F)
    sample = F if n <= FIT_SAMPLE else F[rng.choice(n, FIT_SAMPLE, replace=False)]
    if not has_distinct_rows(sample, k):
        sample = F  # a rare colour the sample missed: fit on every pixel
    start = _initial_centers(sample, k, init, rng, metric=metric)
    res = _kmeans_single(
        sample, start, metric=metric, update=update, tol=TOL, max_iter=MAX_ITER, empty="farthest"
    )
    labels, _ = nearest_centers(F, res.centers, metric)
    order = np.argsort(-np.bincount(labels, minlength=k), kind="stable")
    labels = np.argsort(order)[labels].astype(np.uint8).reshape(small.shape[:2])
    if small.shape != image.shape:
        up = Image.fromarray(labels).resize(image.shape[1::-1], Image.Resampling.NEAREST)
        labels = np.asarray(up, dtype=np.uint8)
    return labels, res.centers[order]


def _check_settings(n_segments, features, metric, update, init) -> int:
    check_choice(features, "features", FEATURES)
    check_choice(metric, "metric", METRICS)
    check_choice(update, "update", UPDATE_RULES)
    check_choice(init, "init", SEGMENT_INITS)
    return check_int(n_segments, "n_segments", 1, 64)


def segment(
    image,
    n_segments,
    *,
    features="rgb",
    metric="l2",
    update="mean",
    init="k-means++",
    random_state=None,
    colour_weight=0.0,
    position_weight=0.0,
    working_pixels=WORKING_PIXELS,
) -> np.ndarray:
    """Segment an image by k-means on per-pixel features.

    Large images are processed at a working size of about ``working_pixels``
    and the labels scaled back (nearest neighbour) to the full size.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    n_segments : int
    features : {"rgb", "hsv", "texture"}
        See :func:`pixel_features`.
    metric : {"l1", "l2", "linf"}
        Distance between a pixel's features and a centre: each pixel joins
        the nearest centre under it, in the fit and in the final labels.
    update : {"mean", "median"}
        Where a centre moves: to the mean of its pixels' features (k-means)
        or to their coordinate-wise median (k-medians, the update that
        minimises L1). The metric does not change the update.
    init : str
        How the starting centres are chosen: one of :data:`SEGMENT_INITS`
        (see :func:`kmcore.init._initial_centers`).
    random_state : int, Generator or None
    colour_weight, position_weight : float
        See :func:`pixel_features`.
    working_pixels : int

    Returns
    -------
    ndarray of shape (h, w), int32
        Segment of every pixel, numbered by decreasing size.

    Raises
    ------
    ValueError
        For an unknown ``features``, ``metric``, ``update`` or ``init``, and
        when ``n_segments`` is more than the distinct pixels (see
        :func:`segment_image`, which caps it instead).
    """
    kwargs = {
        "features": features, "metric": metric, "update": update, "init": init,
        "random_state": random_state, "colour_weight": colour_weight,
        "position_weight": position_weight, "working_pixels": working_pixels,
    }  # fmt: skip
    return _segmented(image, n_segments, cap=False, **kwargs).labels.astype(np.int32)


def segment_image(
    image,
    n_segments,
    *,
    features="rgb",
    metric="l2",
    update="mean",
    init="k-means++",
    random_state=None,
    colour_weight=0.0,
    position_weight=0.0,
    working_pixels=WORKING_PIXELS,
) -> Segmented:
    """Segment an image as :func:`segment` does, capping k at the distinct pixels.

    An image with fewer distinct colours (or feature vectors) than ``n_segments``
    (a 1 x 1 image, a two-colour drawing, a 1-bit scan) gets one segment per
    distinct value and a note saying so, instead of an error.

    Parameters
    ----------
    See :func:`segment`.

    Returns
    -------
    Segmented
        Labels as read-only uint8, the k used, the notes and the settings.
    """
    kwargs = {
        "features": features, "metric": metric, "update": update, "init": init,
        "random_state": random_state, "colour_weight": colour_weight,
        "position_weight": position_weight, "working_pixels": working_pixels,
    }  # fmt: skip
    return _segmented(image, n_segments, cap=True, **kwargs)


def _segmented(
    image,
    n_segments,
    *,
    cap,
    features,
    metric,
    update,
    init,
    random_state,
    colour_weight,
    position_weight,
    working_pixels,
) -> Segmented:
    """:func:`segment` and :func:`segment_image`: validate once, then the features, the
    starts and the kernel. ``cap``: k above the distinct pixels is capped (with a note)
    rather than refused."""
    image = check_image(image)
    k = _check_settings(n_segments, features, metric, update, init)
    rng = check_random_state(random_state)
    small, F = _features_of(image, features, colour_weight, position_weight, working_pixels)
    notes = []
    if not has_distinct_rows(F, k):
        distinct = n_distinct_rows(F)
        if not cap:
            check_k(k, "n_segments", distinct, "distinct pixels")
        what = "colour" if features in ("rgb", "hsv") and not position_weight else "pixel"
        notes.append(
            f"the image has only {count(distinct, 'distinct ' + what)} for these features: "
            f"k was capped at {distinct}"
        )
        k = distinct
    labels, centers = _cluster(image, small, F, k, rng, metric, update, init)
    return Segmented(labels, k, tuple(notes), centers, features, metric, update, init)


def agreement(labels_a, labels_b) -> float:
    """Share of pixels two segmentations put together, once their segments are paired.

    Segment numbers are arbitrary, so each segment of ``labels_a`` is paired
    with one of ``labels_b`` (the pairing that keeps the most pixels, by the
    Hungarian method) and the pixels whose pair matches are counted.

    Parameters
    ----------
    labels_a, labels_b : ndarray of shape (h, w), non-negative ints

    Returns
    -------
    float
        In [0, 1]; 1 when the two differ only in how their segments are numbered.
    """
    a = np.asarray(labels_a).ravel()
    b = np.asarray(labels_b).ravel()
    if np.asarray(labels_a).shape != np.asarray(labels_b).shape:
        raise ValueError(
            f"labels_b must have the shape of labels_a {np.shape(labels_a)}; "
            f"got {np.shape(labels_b)}"
        )
    if a.size == 0:
        raise ValueError("labels_a has no pixels")
    if a.min() < 0 or b.min() < 0:
        raise ValueError("labels_a and labels_b must be non-negative segment numbers")
    ka, kb = int(a.max()) + 1, int(b.max()) + 1
    table = np.bincount(a.astype(np.int64) * kb + b, minlength=ka * kb).reshape(ka, kb)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return float(table[rows, cols].sum() / a.size)


def mean_colours(image, labels) -> np.ndarray:
    """The image with every segment painted in its mean colour (uint8)."""
    image = check_image(image)
    labels = np.asarray(labels)
    k = int(labels.max()) + 1
    flat = labels.ravel()
    counts = np.maximum(np.bincount(flat, minlength=k), 1)[:, None]
    sums = np.stack([np.bincount(flat, image[..., c].ravel(), k) for c in range(3)], 1)
    return np.rint(sums / counts).astype(np.uint8)[labels]


def outlines(image, labels, colour=(255, 255, 0)) -> np.ndarray:
    """The image with the borders between segments drawn in ``colour`` (uint8)."""
    image = check_image(image)
    labels = np.asarray(labels)
    edge = np.zeros(labels.shape, dtype=bool)
    edge[:-1] |= labels[:-1] != labels[1:]
    edge[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    out = image.copy()
    out[edge] = colour
    return out
