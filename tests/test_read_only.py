"""Every result type a cache shares across sessions refuses in-place writes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import kmcore


def _arrays(value, seen=None):
    """Every ndarray reachable from a result (fields, tuples, nested results)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _arrays(v, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _arrays(getattr(value, f.name), seen)


@pytest.fixture(scope="module")
def results():
    ds = kmcore.load_dataset("digits")
    X, y = ds.X[:300], ds.y[:300]
    run = kmcore.kmeans(X, 10, random_state=0, max_iter=5)
    image = kmcore.sample_image("china")[:64, :96]
    q = kmcore.quantize(image, 8, random_state=0)
    grid = kmcore.run_grid({"d": (X, y)}, inits=["random"], metrics=["l2"], ks=[5], seeds=(0,))
    return {
        "Dataset": kmcore.select_rows(ds, sample=200, random_state=0),
        "KMeansResult": run,
        "ClusterEvaluation": kmcore.evaluate(run.labels, y),
        "StepEvaluation": kmcore.evaluate_steps(run, y, 10),
        "ElbowResult": kmcore.elbow(X, range(2, 5), n_init=1, random_state=0),
        "Quantized": q,
        "QuantizationReport": kmcore.quantization_report(image, q),
        "GalleryEntry": kmcore.gallery(image, ks=(4,), random_state=0)[0],
        "OutlierStory": kmcore.outlier_story(image, (245, 110, 20), seeds=1, max_iter=3),
        "Segmented": kmcore.segment_image(image, 3, random_state=0),
        "GridResult": grid,
        "TSNEMap": kmcore.tsne_map(X[:120], perplexity=10, random_state=0),
    }


@pytest.mark.parametrize(
    "name",
    [
        "Dataset",
        "KMeansResult",
        "ClusterEvaluation",
        "StepEvaluation",
        "ElbowResult",
        "Quantized",
        "QuantizationReport",
        "GalleryEntry",
        "OutlierStory",
        "Segmented",
        "GridResult",
        "TSNEMap",
    ],
)
def test_writing_into_a_shared_result_raises(results, name):
    arrays = [a for a in _arrays(results[name]) if a.size]
    assert arrays, f"{name} holds no arrays to check"
    for a in arrays:
        with pytest.raises(ValueError, match="read-only"):
            a.flat[0] = a.flat[0]


def test_the_callers_own_arrays_stay_writable():
    X = np.random.default_rng(0).normal(size=(50, 2))
    init = X[:3].copy()
    res = kmcore.kmeans(X, 3, init=init, max_iter=2)
    assert X.flags.writeable and init.flags.writeable
    assert not res.init_centers.flags.writeable
