"""Data sets and the rows a setting clusters, cached in bytes (never drawn here)."""

from __future__ import annotations

import kmcore

from ..settings import Settings, is_large
from . import budget


def _file_split(name: str, split: str) -> str:
    """The split to load: the chosen one for MNIST/Fashion-MNIST; the others have one."""
    return split if is_large(name) else "train"


def dataset(name: str, split: str, progress=None) -> kmcore.Dataset:
    """A whole data set, loaded (and downloaded, with ``progress``) once per process.

    MNIST and Fashion-MNIST stay as uint8 pixels (47 MB for a 60,000-image split
    instead of 188 MB as float32); :func:`rows` converts only the rows it selects.
    """
    return budget.store("datasets").get_or_compute(
        (name, split),
        lambda: kmcore.load_dataset(name, split, progress=progress, pixels="uint8"),
    )


def n_total(settings: Settings) -> int:
    """Rows in the whole split a setting draws from."""
    return len(dataset(settings.dataset, _file_split(settings.dataset, settings.split)).y)


# An entry can be a float32 copy of a whole split (188 MB for MNIST train): kept alone.
@budget.cached("rows")
def rows(data_key: tuple) -> kmcore.Dataset:
    """The rows for ``Settings.data_key`` (dataset, split, sample, balance, seed)."""
    name, split, sample, balance, seed = data_key
    ds = dataset(name, _file_split(name, split))
    return kmcore.select_rows(ds, sample=sample, balance=balance, random_state=seed)
