"""Helpers for the benchmarks: the real data folder, timing by best of repeats."""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def data_dir() -> Path | None:
    """Folder with MNIST test: ``$KMLAB_DATA_DIR``, ``../shared/data`` or the project's."""
    for cand in (os.environ.get("KMLAB_DATA_DIR"), SHARED, ROOT / "data"):
        if cand and (Path(cand) / "mnist" / "t10k-images-idx3-ubyte.gz").exists():
            return Path(cand)
    return None


def best_of(fn, repeats: int = 3) -> tuple[float, object]:
    """Smallest wall time of ``repeats`` calls of ``fn`` and its last result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out
