"""Checks shared by the public entry points; each raises ValueError naming the bad value."""

from __future__ import annotations

import numbers

import numpy as np


def check_data(X, name: str = "X") -> np.ndarray:
    """Return ``X`` as a 2-D float32/float64 array, or raise ValueError.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    name : str
        How the message refers to the array.

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        ``X`` itself when it is already float32/float64, else a float64 copy.
    """
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features); got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}")
    if arr.dtype not in (np.float32, np.float64):
        if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
            raise ValueError(f"{name} must hold real numbers; got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    if not _all_finite(arr):
        bad = int(sum(np.count_nonzero(~np.isfinite(b)) for b in _row_blocks(arr)))
        raise ValueError(
            f"{name} holds {bad} NaN or infinite value(s); remove or impute them first"
        )
    return arr


def _row_blocks(arr: np.ndarray, rows: int = 4096):
    for start in range(0, arr.shape[0], rows):
        yield arr[start : start + rows]


def _all_finite(arr: np.ndarray) -> bool:
    # Block by block: a whole-array isfinite() would allocate n x d booleans
    # (42 MB for MNIST train) in every concurrent run.
    return all(np.isfinite(b).all() for b in _row_blocks(arr))


def check_int(value, name: str, low: int, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]``, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bounds}; got {value}")
    return value


def check_choice(value, name: str, choices) -> str:
    """``value`` if it is one of ``choices``, else ValueError listing them."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(map(repr, choices))}")
    return value


def n_distinct_rows(X: np.ndarray) -> int:
    """Number of distinct rows of ``X``."""
    rows = np.ascontiguousarray(X) + 0.0  # -0.0 and 0.0 are the same point
    view = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    return len(np.unique(view))


def has_distinct_rows(X: np.ndarray, k: int) -> bool:
    """Whether ``X`` has at least ``k`` distinct rows (cheap in the common case)."""
    if k <= 1:
        return True
    # Rows with different projections on a random direction are different rows.
    probe = np.random.default_rng(0).standard_normal(X.shape[1]).astype(X.dtype)
    if len(np.unique(X @ probe)) >= k:
        return True
    return n_distinct_rows(X) >= k


def check_image(image) -> np.ndarray:
    """``image`` as an (h, w, 3) uint8 array with pixels, or ValueError."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"image must be (h, w, 3) uint8; got {image.shape} {image.dtype}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"image has no pixels: {image.shape}")
    return image
