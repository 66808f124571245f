"""ui/results/maps.py: one background job per map, shared, published as it forms, kept on disk."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import kmcore
from ui.results import maps


def small_map(job=None, n=120):
    rng = np.random.default_rng(0)
    X = np.concatenate([10 * np.eye(6)[j] + rng.normal(size=(n // 3, 6)) for j in range(3)])
    cb = None if job is None else (lambda d, t, c: job.update(done=d, total=t, coords=c))
    ph = None if job is None else (lambda name: job.update(phase=name))
    return kmcore.tsne_map(X, perplexity=10, callback=cb, on_phase=ph), X


def test_the_pca_start_comes_before_the_neighbour_search():
    events = []
    rng = np.random.default_rng(1)
    kmcore.tsne_map(
        rng.normal(size=(100, 5)),
        perplexity=10,
        callback=lambda d, t, c: events.append(("coords", d)),
        on_phase=lambda name: events.append(("phase", name)),
    )
    assert events[:3] == [("phase", "PCA start"), ("coords", 0), ("phase", "neighbour search")]
    phases = [e[1] for e in events if e[0] == "phase"]
    assert phases == list(kmcore.embedding.PHASES)


def test_one_job_per_key_shared_by_every_caller(tmp_path):
    store = maps.MapStore(tmp_path, 2**20)
    release = threading.Event()
    fits = []

    def fit(job):
        fits.append(1)
        release.wait(60)
        return small_map(job)[0]

    first = store.job(("a",), 120, fit, None)
    second = store.job(("a",), 120, fit, None)
    assert first is second and not first.finished
    release.set()
    assert first.join(120) and first.error is None
    assert fits == [1] and store.fits == 1
    assert first.coords.shape == (120, 2) and not first.coords.flags.writeable
    assert len(list(tmp_path.glob("tsne-*.npy"))) == 1


def test_a_saved_map_is_reloaded_not_fitted(tmp_path):
    m, X = small_map()
    maps.save_coords(tmp_path / maps._file_name(("b",)), m.coords)
    store = maps.MapStore(tmp_path, 2**20)

    def rebuild(coords):
        return kmcore.with_affinities(coords, X, perplexity=10)

    job = store.job(("b",), len(X), lambda job: None, rebuild)
    assert job.join(60) and job.error is None
    assert store.fits == 0
    np.testing.assert_array_equal(job.result.coords, m.coords)


def test_a_damaged_file_is_fitted_again(tmp_path):
    (tmp_path / maps._file_name(("c",))).write_bytes(b"not a numpy file")
    store = maps.MapStore(tmp_path, 2**20)
    job = store.job(("c",), 120, lambda job: small_map(job)[0], None)
    assert job.join(120) and job.error is None and store.fits == 1


def test_an_error_reaches_the_waiting_page_and_a_new_request_retries(tmp_path):
    store = maps.MapStore(tmp_path, 2**20)

    def fail(job):
        raise ValueError("too few points")

    job = store.job(("d",), 10, fail, None)
    assert job.join(60) and isinstance(job.error, ValueError) and job.phase == "failed"
    assert store.job(("d",), 10, fail, None) is not job


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no per-thread nice here")
def test_the_warm_up_and_the_threads_it_starts_run_at_the_lowest_priority():
    seen = {}

    def child():
        seen["child"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def warm():
        maps.lower_priority(19)
        maps.lower_priority(5)  # never raises a lowered priority again
        seen["warm"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        t = threading.Thread(target=child)
        t.start()
        t.join()

    t = threading.Thread(target=warm)
    t.start()
    t.join()
    assert seen == {"warm": 19, "child": 19}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) != 19  # not the caller's


def test_an_empty_saved_map_is_fitted_again_and_replaced(tmp_path):
    """A 0-byte map file (a full disk) raised EOFError from np.load: it is fitted again
    and the file replaced by a good one."""
    path = tmp_path / maps._file_name(("e",))
    path.write_bytes(b"")
    store = maps.MapStore(tmp_path, 2**20)
    job = store.job(("e",), 120, lambda job: small_map(job)[0], None)
    assert job.join(120) and job.error is None and store.fits == 1
    assert maps.load_coords(path, 120) is not None
