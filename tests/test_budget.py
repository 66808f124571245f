"""ui/results/budget.py: caches bounded in bytes, shared computations, and the documented table."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import streamlit as st

from tests.conftest import ROOT
from ui.results import budget


def arr(n_bytes: int) -> np.ndarray:
    return np.zeros(n_bytes, dtype=np.uint8)


def test_least_recently_used_entries_leave_first_when_over_budget():
    cache = budget.ByteCache(100)
    cache.get_or_compute("a", lambda: arr(40))
    cache.get_or_compute("b", lambda: arr(40))
    cache.get_or_compute("a", lambda: pytest.fail("a was cached"))  # a is now the newest
    cache.get_or_compute("c", lambda: arr(40))
    assert "a" in cache and "c" in cache and "b" not in cache
    assert cache.bytes == 80


def test_an_entry_bigger_than_the_budget_is_kept_alone():
    cache = budget.ByteCache(100)
    cache.get_or_compute("small", lambda: arr(10))
    big = cache.get_or_compute("big", lambda: arr(500))
    assert len(cache) == 1 and cache.get_or_compute("big", lambda: None) is big


def test_concurrent_callers_of_one_key_share_one_computation():
    cache = budget.ByteCache(10_000)
    calls, results = [], []
    release = threading.Event()
    started = threading.Barrier(6)

    def compute():
        calls.append(1)
        release.wait(30)
        return arr(8)

    def caller():
        started.wait(30)
        results.append(cache.get_or_compute("k", compute))

    threads = [threading.Thread(target=caller) for _ in range(5)]
    for t in threads:
        t.start()
    started.wait(30)
    release.set()
    for t in threads:
        t.join(30)
    assert len(calls) == 1 and len(results) == 5
    assert all(r is results[0] for r in results)


def test_a_failed_computation_is_not_cached():
    cache = budget.ByteCache(100)
    with pytest.raises(ValueError):
        cache.get_or_compute("k", lambda: (_ for _ in ()).throw(ValueError("bad")))
    assert cache.get_or_compute("k", lambda: 5) == 5


def test_nbytes_counts_a_shared_array_once():
    base = arr(1000)
    # the array once, 5 bytes, and the 1-character key (strings count their length)
    assert budget.nbytes((base, base[:10], {"x": base}, b"12345")) == 1006


def test_decorated_functions_key_on_their_arguments_but_not_underscored_ones():
    calls = []

    @budget.cached("regions")
    def f(a, _big):
        calls.append(a)
        return arr(a)

    st.cache_resource.clear()
    assert f(3, _big=object()) is f(3, _big=object())
    f(4, _big=None)
    assert calls == [3, 4]
    st.cache_resource.clear()  # empties the byte-budgeted stores too
    f(3, _big=None)
    assert calls == [3, 4, 3]
    st.cache_resource.clear()


def test_the_readme_documents_every_budget():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Memory budget", 1)[1].split("\n## ", 1)[0]
    for name, mb in budget.BUDGET_MB.items():
        assert f"| `{name}` | {mb} |" in section, name
    assert f"| caches in total | {budget.TOTAL_MB} |" in section


def test_entries_unused_for_longer_than_the_ttl_leave():
    now = [0.0]
    cache = budget.ByteCache(10_000, ttl=600, clock=lambda: now[0])
    cache.get_or_compute("upload", lambda: b"x" * 100)
    cache.get_or_compute("sample", lambda: b"y" * 100)
    now[0] = 500.0
    cache.get_or_compute("sample", lambda: b"never")  # a hit keeps "sample" fresh
    now[0] = 700.0
    cache.get_or_compute("other", lambda: b"z")
    assert "upload" not in cache  # unused for 700 s
    assert "sample" in cache  # used 200 s ago
    assert cache.bytes == 101


def test_functions_sharing_a_store_do_not_share_keys():
    @budget.cached("player")
    def one(x):
        return ("one", x)

    @budget.cached("player")
    def two(x):
        return ("two", x)

    assert one(1) == ("one", 1) and two(1) == ("two", 1)


def test_an_upload_entry_leaves_when_the_last_session_holding_it_ends():
    st.cache_resource.clear()
    store = budget.store("quantization")
    store.get_or_compute("upload-a", lambda: np.zeros(1000))
    store.get_or_compute("sample", lambda: np.zeros(1000))
    first, second = {("quantization", "upload-a")}, {("quantization", "upload-a")}
    budget._HOLDERS[("quantization", "upload-a")] = 2  # two tabs uploaded the same file
    budget._let_go(first)
    assert "upload-a" in store and not first  # the other tab still uses it
    budget._let_go(second)
    assert "upload-a" not in store and "sample" in store
    assert budget.held_entries() == 0


def test_a_decorated_call_outside_a_session_holds_nothing():
    st.cache_resource.clear()

    @budget.cached("images", per_session=lambda args: True)
    def f(x):
        return np.zeros(10)

    f(1)
    assert budget.held_entries() == 0 and len(budget.store("images")) == 1


# ---- every cached value is frozen at the cache boundary ------------------------------------


def _writable_parts(value, path="value"):
    """Where ``value`` can still be changed in place (an empty list when nowhere)."""
    import dataclasses

    if isinstance(value, np.ndarray):
        return [path] if value.flags.writeable else []
    if isinstance(value, dict):
        out = [] if isinstance(value, budget.FrozenDict) else [path]
        return out + [p for k, v in value.items() for p in _writable_parts(v, f"{path}[{k!r}]")]
    if isinstance(value, list):
        return [path]
    if isinstance(value, tuple):
        return [p for i, v in enumerate(value) for p in _writable_parts(v, f"{path}[{i}]")]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            p
            for f in dataclasses.fields(value)
            for p in _writable_parts(getattr(value, f.name), f"{path}.{f.name}")
        ]
    return []


def test_a_cached_value_is_frozen_all_the_way_down():
    @budget.cached("runs")
    def payload(n: int):
        return {"frames": [np.zeros(3), {"xs": [1, 2]}], "grid": np.ones((2, 2))}

    value = payload(1)
    assert _writable_parts(value) == []
    with pytest.raises(TypeError, match="shared by every session"):
        value["frames"] = ()
    with pytest.raises(ValueError):
        value["grid"][0, 0] = 5
    import json

    assert json.loads(json.dumps(value, default=list))["frames"][1] == {"xs": [1, 2]}


def test_the_values_that_were_writable_are_frozen(fresh_caches):
    """Region grids, the home page's demo run, the player's payloads and the filter bank
    were shared by every session and could be changed in place by any of them."""
    from ui import player
    from ui.results import images, kmeans_runs
    from ui.settings import Settings

    toy = Settings(dataset="blobs", k=3)
    for name, value in {
        "regions": kmeans_runs.regions(toy),
        "demo_run": kmeans_runs.demo_run(),
        "player_pane (2-D)": player.run_pane(toy),
        "player_pane (images)": player.run_pane(Settings(dataset="digits", k=4)),
        "plane_pane": player.plane_for(toy.data_key),
        "candidates_pane": player.candidates_for(Settings(dataset="digits").data_key),
        "filter_bank": images.filter_bank(),
    }.items():
        assert _writable_parts(value) == [], name
