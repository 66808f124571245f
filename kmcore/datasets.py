"""The data sets of the lab: scikit-learn's digits, MNIST, Fashion-MNIST and 2-D toys.

MNIST and Fashion-MNIST are read from the standard IDX files in a data folder
(``data_dir``, else ``$KMLAB_DATA_DIR``, else ``data/`` in the project) and
downloaded there on first use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .download import DownloadError, download
from .idx import IDXFormatError, read_idx
from .readonly import ReadOnlyArrays
from .toy import TOY_SETS, make_toy
from .validation import check_int

PROJECT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

MIRRORS = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
}

MD5 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}

FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
DIGIT_CLASSES = tuple(str(d) for d in range(10))

IMAGE_SETS = {
    "digits": "scikit-learn's 1,797 handwritten digits, 8x8 pixels (offline)",
    "mnist": "MNIST: 70,000 handwritten digits, 28x28 pixels",
    "fashion-mnist": "Fashion-MNIST: 70,000 clothing images, 28x28 pixels",
}
DATASETS = {**IMAGE_SETS, **TOY_SETS}
SPLITS = ("train", "test")


class DatasetUnavailableError(RuntimeError):
    """The files of a data set are not in the data folder and could not be downloaded.

    Attributes
    ----------
    name, split : str
    folder : Path
        Where the files should go.
    missing : tuple of str
        File names to put there.
    """

    def __init__(self, name, split, folder, missing, reason, present_splits=()):
        self.name, self.split, self.folder = name, split, Path(folder)
        self.missing, self.reason = tuple(missing), reason
        other = [s for s in present_splits if s != split]
        hint = f" The {other[0]} split is there: choose it instead." if other else ""
        super().__init__(
            f"The {split} split of {name} is missing and could not be downloaded ({reason}). "
            f"Put {', '.join(self.missing)} in {self.folder}.{hint}"
        )


@dataclass(frozen=True)
class Dataset(ReadOnlyArrays):
    """A data set ready for clustering.

    Attributes
    ----------
    name : str
    split : str
        "train", "test", or "all" for sets without splits.
    X : ndarray of shape (n_samples, n_features)
        float32 in [0, 1] (uint8 0-255 if loaded with ``pixels="uint8"``).
    y : ndarray of shape (n_samples,), int64
    image_shape : tuple of int or None
        (28, 28), (8, 8), or None for 2-D toy sets.
    class_names : tuple of str
    """

    name: str
    split: str
    X: np.ndarray
    y: np.ndarray
    image_shape: tuple[int, int] | None
    class_names: tuple[str, ...]

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)


def data_dir(path=None) -> Path:
    """The data folder: ``path``, else ``$KMLAB_DATA_DIR``, else the project's ``data/``."""
    if path is not None:
        return Path(path)
    env = os.environ.get("KMLAB_DATA_DIR")
    return Path(env) if env else PROJECT_DATA_DIR


def _splits_present(folder: Path) -> list[str]:
    return [s for s, names in FILES.items() if all((folder / n).exists() for n in names)]


def ensure_files(
    name, split="train", data_dir_=None, *, progress=None, mirrors=None, checksums=None
):
    """Make sure the IDX files of ``name``/``split`` are in the data folder.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    split : {"train", "test"}
    data_dir_ : str or Path, optional
        The data folder (see :func:`data_dir`); files go in its ``name`` subfolder.
    progress : callable, optional
        ``progress(done_bytes, total_bytes_or_None, file_name)`` while downloading.
    mirrors : sequence of str, optional
        Base URLs to try instead of the public mirrors.
    checksums : dict, optional
        File name to MD5, instead of the published ones.

    Returns
    -------
    images, labels : Path

    Raises
    ------
    DatasetUnavailableError
        A file is missing and no mirror delivered it.
    """
    folder = data_dir(data_dir_) / name
    paths = [folder / f for f in FILES[split]]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        md5 = checksums if checksums is not None else MD5[name]
        bases = mirrors if mirrors is not None else MIRRORS[name]
        try:
            for fname in missing:
                report = None if progress is None else (lambda d, t, _u, f=fname: progress(d, t, f))
                download(
                    [b.rstrip("/") + "/" + fname for b in bases],
                    folder / fname,
                    md5.get(fname),
                    progress=report,
                )
        except DownloadError as exc:
            still = [p.name for p in paths if not p.exists()]
            raise DatasetUnavailableError(
                name, split, folder, still, str(exc), _splits_present(folder)
            ) from exc
    return paths[0], paths[1]


def load_idx_pair(images_path, labels_path):
    """Read an images/labels pair of IDX files and check that they agree.

    Returns
    -------
    images : ndarray of shape (n, rows, cols), uint8
    labels : ndarray of shape (n,), uint8
    """
    images = read_idx(images_path, 3)
    labels = read_idx(labels_path, 1)
    if len(images) != len(labels):
        raise IDXFormatError(
            f"{Path(images_path).name} has {len(images)} images but "
            f"{Path(labels_path).name} has {len(labels)} labels"
        )
    return images, labels


def unit_float(X, rows=None) -> np.ndarray:
    """Pixels as float32 in [0, 1]: uint8 values are divided by 255, floats kept as they are.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        uint8 pixel values (0-255), or float32 data already in [0, 1].
    rows : ndarray of int, optional
        Take only these rows. Done block by block, so selecting from uint8
        needs no uint8 copy of the selection on the way.

    Returns
    -------
    ndarray of float32
    """
    if X.dtype != np.uint8:
        return X if rows is None else X[rows]
    n = X.shape[0] if rows is None else len(rows)
    out = np.empty((n, *X.shape[1:]), dtype=np.float32)
    for start in range(0, n, 8192):
        stop = min(start + 8192, n)
        out[start:stop] = X[start:stop] if rows is None else X[rows[start:stop]]
    out /= 255.0
    return out


def load_dataset(
    name,
    split="train",
    data_dir=None,
    *,
    progress=None,
    mirrors=None,
    checksums=None,
    n_samples=600,
    random_state=0,
    pixels="float",
) -> Dataset:
    """Load a data set by name, downloading MNIST/Fashion-MNIST on first use.

    Parameters
    ----------
    name : str
        "digits", "mnist", "fashion-mnist", or a 2-D toy set from :data:`TOY_SETS`.
    split : {"train", "test"}
        For MNIST and Fashion-MNIST; the others have one split ("all").
    data_dir : str or Path, optional
        See :func:`data_dir`.
    progress, mirrors, checksums
        Passed to :func:`ensure_files`.
    n_samples, random_state : int
        For the toy sets.
    pixels : {"float", "uint8"}
        For MNIST and Fashion-MNIST: "uint8" keeps the raw 0-255 pixels (a
        quarter of the memory; convert rows with :func:`unit_float` before
        clustering). The other sets are always float32.

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        Unknown name or split; a file in the folder that is not valid IDX.
    DatasetUnavailableError
        Files missing and not downloadable.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    if name in TOY_SETS:
        X, y = make_toy(name, check_int(n_samples, "n_samples", 2), random_state)
        groups = int(y.max()) + 1
        return Dataset(name, "all", X, y, None, tuple(f"group {g}" for g in range(groups)))
    if name == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        X = (bunch.data / 16.0).astype(np.float32)
        return Dataset(name, "all", X, bunch.target.astype(np.int64), (8, 8), DIGIT_CLASSES)
    if pixels not in ("float", "uint8"):
        raise ValueError(f"pixels must be 'float' or 'uint8'; got {pixels!r}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose 'train' or 'test'")
    images_path, labels_path = ensure_files(
        name, split, data_dir, progress=progress, mirrors=mirrors, checksums=checksums
    )
    images, labels = load_idx_pair(images_path, labels_path)
    X = images.reshape(len(images), -1)
    X = X if pixels == "uint8" else unit_float(X)  # uint8: a view of the decoded bytes
    names = FASHION_CLASSES if name == "fashion-mnist" else DIGIT_CLASSES
    return Dataset(name, split, X, labels.astype(np.int64), tuple(images.shape[1:]), names)


def balanced_indices(y, random_state=None) -> np.ndarray:
    """Indices that undersample every class to the smallest class's count (sorted)."""
    rng = np.random.default_rng(random_state)
    y = np.asarray(y)
    classes, counts = np.unique(y, return_counts=True)
    m = counts.min()
    keep = [rng.choice(np.flatnonzero(y == c), size=m, replace=False) for c in classes]
    return np.sort(np.concatenate(keep))


def balance(X, y, random_state=None):
    """Undersample every class to the size of the smallest one.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    random_state : int, Generator or None

    Returns
    -------
    X_bal, y_bal : the kept rows, in their original order
    """
    idx = balanced_indices(y, random_state)
    return X[idx], np.asarray(y)[idx]


def stratified_indices(y, n_samples, random_state=None) -> np.ndarray:
    """Indices of a sample of ``n_samples`` with the class proportions of ``y`` (sorted).

    Each class gets its share rounded by largest remainder, so the sample size
    is exact; a class present in ``y`` may get none only if its share is < 1.
    """
    rng = np.random.default_rng(random_state)
    y = np.asarray(y)
    n_samples = check_int(n_samples, "n_samples", 1, len(y))
    if n_samples == len(y):
        return np.arange(len(y))
    classes, counts = np.unique(y, return_counts=True)
    share = counts * n_samples / len(y)
    take = np.floor(share).astype(int)
    extra = np.argsort(take - share, kind="stable")[: n_samples - take.sum()]
    take[extra] += 1
    keep = [
        rng.choice(np.flatnonzero(y == c), size=t, replace=False)
        for c, t in zip(classes, take, strict=True)
    ]
    return np.sort(np.concatenate(keep))


def select_rows(ds: Dataset, *, sample: int = 0, balance: bool = False, random_state=None):
    """The rows a setting clusters: balanced and/or a stratified sample, as float32.

    Parameters
    ----------
    ds : Dataset
        Pixels may be uint8 (:func:`load_dataset` with ``pixels="uint8"``);
        only the selected rows are converted.
    sample : int
        Number of rows to keep (stratified by class); 0 keeps them all.
    balance : bool
        First undersample every class to the smallest class's count.
    random_state : int or None
        The same seed selects the same rows.

    Returns
    -------
    Dataset
        The selected rows, float32 in [0, 1], with read-only arrays (caches
        share them across sessions).
    """
    idx = np.arange(len(ds.y))
    if balance:
        idx = balanced_indices(ds.y, random_state)
    if sample and sample < len(idx):
        idx = idx[stratified_indices(ds.y[idx], sample, random_state)]
    X = unit_float(ds.X, None if len(idx) == len(ds.y) else idx)
    return Dataset(ds.name, ds.split, X, ds.y[idx], ds.image_shape, ds.class_names)


def subsample(X, y, n_samples, random_state=None):
    """A stratified random sample of ``n_samples`` rows (all rows if there are fewer).

    Returns
    -------
    X_sub, y_sub
    """
    n_samples = min(int(n_samples), len(y))
    idx = stratified_indices(y, n_samples, random_state)
    return X[idx], np.asarray(y)[idx]
