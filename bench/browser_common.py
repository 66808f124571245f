"""Shared set-up of the browser benchmarks: a data folder with MNIST, Chromium, a server."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import kmcore
from kmcore.datasets import FILES

from .common import data_dir


def data_folder_with_train() -> Path:
    """A temporary data folder: the real MNIST test split, and a train split.

    The real train images are not available offline, so the train split is a
    stand-in of the same size and type: the 10,000 real test images repeated
    six times (60,000 x 28 x 28 uint8) with the real 60,000 train labels. It
    loads, sizes and costs memory exactly as the real file would.
    """
    src = data_dir()
    if src is None:
        raise SystemExit("MNIST test not found: set KMLAB_DATA_DIR (see data/README.md)")
    folder = Path(tempfile.mkdtemp(prefix="kmlab-bench-")) / "mnist"
    folder.mkdir(parents=True)
    for name in FILES["test"]:
        (folder / name).symlink_to(src / "mnist" / name)
    images = kmcore.read_idx(src / "mnist" / FILES["test"][0], 3)
    labels_path = src / "mnist" / FILES["train"][1]
    labels = kmcore.read_idx(labels_path, 1)
    kmcore.write_idx(folder / FILES["train"][0], np.tile(images, (6, 1, 1))[: len(labels)])
    (folder / FILES["train"][1]).symlink_to(labels_path)
    return folder.parent
