"""Shared fixtures: where the real data lives, small data sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def _scratch_maps(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("maps")


@pytest.fixture(autouse=True)
def _maps_never_in_a_data_folder(monkeypatch, _scratch_maps):
    """t-SNE maps are written to a scratch folder, never beside the data (``../shared``)."""
    monkeypatch.setenv("KMLAB_CACHE_DIR", str(_scratch_maps))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real MNIST / Fashion-MNIST subsets beside the checkout."""
    if not (SHARED_DATA / "mnist" / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"real data not found in {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def blobs():
    """Continuous 5-D blobs (no ties between distances)."""
    rng = np.random.default_rng(42)
    centers = rng.normal(0, 6, size=(5, 5))
    X = np.concatenate([c + rng.normal(size=(120, 5)) for c in centers])
    y = np.repeat(np.arange(5), 120)
    return X, y
