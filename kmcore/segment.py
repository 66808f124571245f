"""Image segmentation by clustering pixels on colour (RGB, HSV) or on texture."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from sklearn.cluster import kmeans_plusplus

from .distances import nearest_centers
from .lloyd import kmeans_single
from .readonly import ReadOnlyArrays
from .texture import filter_responses, lm_filter_bank
from .validation import (
    check_choice,
    check_image,
    check_int,
    derive_seed,
    has_distinct_rows,
    n_distinct_rows,
)

FEATURES = ("rgb", "hsv", "texture")
WORKING_PIXELS = 120_000
FIT_SAMPLE = 30_000


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


def pixel_features(
    image, features="rgb", *, colour_weight=0.0, position_weight=0.0, texture_smoothing=3.0
):
    """One feature vector per pixel.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    features : {"rgb", "hsv", "texture"}
        "rgb" and "hsv": the colour in [0, 1]. "texture": the absolute responses
        of the grey image to the 48 Leung-Malik filters, averaged over a small
        neighbourhood and standardised.
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
        F = np.asarray(Image.fromarray(image).convert("HSV")).reshape(-1, 3) / 255.0
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
    """

    labels: np.ndarray
    n_segments: int
    notes: tuple[str, ...]


def _features_of(image, features, colour_weight, position_weight, working_pixels):
    small = _working_copy(image, working_pixels)
    F = pixel_features(
        small, features, colour_weight=colour_weight, position_weight=position_weight
    )
    return small, F


def _cluster(image, small, F, k, rng) -> np.ndarray:
    n = len(F)
    sample = F if n <= FIT_SAMPLE else F[rng.choice(n, FIT_SAMPLE, replace=False)]
    start, _ = kmeans_plusplus(sample, k, random_state=derive_seed(rng))
    res = kmeans_single(sample, start, tol=1e-3, max_iter=100, empty="farthest")
    labels, _ = nearest_centers(F, res.centers, "l2")
    order = np.argsort(-np.bincount(labels, minlength=k), kind="stable")
    labels = np.argsort(order)[labels].astype(np.uint8).reshape(small.shape[:2])
    if small.shape != image.shape:
        up = Image.fromarray(labels).resize(image.shape[1::-1], Image.Resampling.NEAREST)
        labels = np.asarray(up, dtype=np.uint8)
    return labels


def segment(
    image,
    n_segments,
    *,
    features="rgb",
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
        ``n_segments`` is more than the distinct pixels (see :func:`segment_image`,
        which caps it instead).
    """
    image = check_image(image)
    k = check_int(n_segments, "n_segments", 1, 64)
    rng = np.random.default_rng(random_state)
    small, F = _features_of(image, features, colour_weight, position_weight, working_pixels)
    if not has_distinct_rows(F, k):
        raise ValueError(f"n_segments={k} is more than the {n_distinct_rows(F)} distinct pixels")
    return _cluster(image, small, F, k, rng).astype(np.int32)


def segment_image(
    image,
    n_segments,
    *,
    features="rgb",
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
        Labels as read-only uint8, the k used, and the notes.
    """
    image = check_image(image)
    k = check_int(n_segments, "n_segments", 1, 64)
    rng = np.random.default_rng(random_state)
    small, F = _features_of(image, features, colour_weight, position_weight, working_pixels)
    notes = []
    if not has_distinct_rows(F, k):
        distinct = n_distinct_rows(F)
        what = "colours" if features in ("rgb", "hsv") and not position_weight else "pixels"
        notes.append(
            f"the image has only {distinct} distinct {what} for these features: "
            f"k was capped at {distinct}"
        )
        k = distinct
    return Segmented(_cluster(image, small, F, k, rng), k, tuple(notes))


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
