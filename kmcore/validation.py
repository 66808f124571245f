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
    # One pass, block by block (a whole-array abs() or isfinite() would allocate
    # n x d temporaries in every concurrent run); NaN and inf make the max non-finite.
    largest = max(float(np.abs(b).max()) for b in _row_blocks(arr))
    if not np.isfinite(largest):
        bad = int(sum(np.count_nonzero(~np.isfinite(b)) for b in _row_blocks(arr)))
        raise ValueError(
            f"{name} holds {bad} NaN or infinite value(s); remove or impute them first"
        )
    # A squared distance sums n_features squares of differences up to 2 * largest,
    # and the inertia sums n_samples of them: neither may overflow the dtype.
    limit = float(np.sqrt(np.finfo(arr.dtype).max / (4.0 * arr.shape[0] * arr.shape[1])))
    if largest > limit:
        raise ValueError(
            f"{name} holds values as large as {largest:.3g}: squared distances would overflow "
            f"{arr.dtype} (largest usable magnitude here is {limit:.3g}); rescale the data, "
            "e.g. divide it by its largest absolute value"
        )
    return arr


def _row_blocks(arr: np.ndarray, rows: int = 4096):
    for start in range(0, arr.shape[0], rows):
        yield arr[start : start + rows]


def check_int(value, name: str, low: int, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]``, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bounds}; got {value}")
    return value


def check_k(value, name: str, available: int, what: str, high: int | None = None) -> int:
    """The number of groups asked for (``n_clusters``, ``n_colors``, ``n_segments``): an int
    from 1 to ``high`` and at most ``available`` (samples, colours or distinct pixels, named
    by ``what``), or ValueError naming ``name``."""
    k = check_int(value, name, 1, high)
    if k > available:
        raise ValueError(f"{name}={k} is more than the {available:,} {what}")
    return k


def check_float(value, name: str, low: float = 0.0) -> float:
    """``value`` as a finite float ``>= low``, or ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < low:
        raise ValueError(f"{name} must be a finite number >= {low:g}; got {value!r}")
    return value


def check_random_state(random_state) -> np.random.Generator:
    """One ``np.random.Generator`` from ``random_state``, or ValueError.

    Parameters
    ----------
    random_state : None, int >= 0, numpy.random.SeedSequence or numpy.random.Generator
        A Generator is returned as it is (so callers share its stream).

    Returns
    -------
    numpy.random.Generator
    """
    if random_state is None or isinstance(
        random_state, (np.random.Generator, np.random.SeedSequence)
    ):
        return np.random.default_rng(random_state)
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise ValueError(
            f"random_state must be None, a non-negative integer or a numpy Generator; "
            f"got {random_state!r}"
        )
    if random_state < 0:
        raise ValueError(f"random_state must be >= 0; got {random_state}")
    return np.random.default_rng(int(random_state))


def derive_seed(rng: np.random.Generator) -> int:
    """An int seed drawn from ``rng``, for libraries that take ``random_state=int``."""
    return int(rng.integers(2**31 - 1))


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
