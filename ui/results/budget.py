"""Caches bounded in bytes, not entries: each cache has a budget in MB (see BUDGET_MB).

Streamlit's ``st.cache_resource`` / ``st.cache_data`` bound a cache only by
``max_entries`` and ``ttl``; an entry can be 8 KB or 188 MB. :func:`cached`
keeps the same sharing (one value per key for every session, computed once
even when sessions ask at the same time) within a byte budget: least recently
used entries go first; an entry larger than the whole budget is kept alone.
The stores live in ``st.cache_resource``, so ``st.cache_resource.clear()``
empties them too.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import threading
import time
from collections import OrderedDict

import numpy as np
import streamlit as st

# The memory plan (MB). Process baseline (Python, Streamlit, numpy, scipy,
# scikit-learn, openTSNE, plotly, Pillow imported): about 260 MB measured.
BUDGET_MB = {
    "datasets": 55,  # whole data sets as uint8 (MNIST train 47 MB, test 8 MB)
    "rows": 80,  # float32 rows a setting clusters (MNIST test whole: 31 MB)
    "runs": 30,  # k-means results with their history and evaluations
    "regions": 10,  # 2-D ownership grids per step
    "centroid_files": 10,  # PNG + GIF downloads
    "tsne_rows": 25,  # float32 sample a map is drawn for (6,000 MNIST: 19 MB)
    "tsne_maps": 50,  # finished maps: coordinates and the rows they keep (ui/results/maps.py)
    "tsne_clusters": 2,  # labels and placed centroids per setting
    "player": 20,  # the Centroids player's frames (PNG data URLs) and pick strips
    "images": 30,  # decoded sample photos and uploads
    "quantization": 40,  # quantised images, preview frames, PNG bytes
    "segmentation": 25,  # painted and outlined images
    "elbow": 5,  # elbow sweeps (a few numbers per k)
    "grid": 5,  # experiment grids (a row per run)
}
TOTAL_MB = sum(BUDGET_MB.values())

# Seconds an entry may stay unused: an upload's results leave after its tab has gone.
TTL_S = {"images": 600, "quantization": 600, "segmentation": 600}


class FrozenDict(dict):
    """A dict that refuses changes (still a dict: JSON, ``==`` and ``**`` work on it).

    Cached values are shared by every session: a caller that changed one would
    change it for every tab.
    """

    def _refuse(self, *args, **kwargs):
        raise TypeError("a cached value is shared by every session: copy it to change it")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _refuse
    __ior__ = _refuse

    def __reduce__(self):
        return (FrozenDict, (dict(self),))


def freeze(value):
    """``value`` made read-only all the way down, as every cached value is stored.

    Arrays become read-only (in place), lists tuples, dicts :class:`FrozenDict`,
    recursively; frozen dataclasses and other values are kept as they are (their
    arrays are read-only by construction, see ``kmcore.readonly``).
    """
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
        return value
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return tuple(freeze(v) for v in value)
    if isinstance(value, tuple):  # a named tuple: keep its type
        return type(value)(*(freeze(v) for v in value))
    return value


def nbytes(value, _seen=None) -> int:
    """Bytes held by a value: numpy arrays (their base once), bytes, and what containers,
    dataclasses and plain objects hold. Small Python scalars count as 0."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        base = value if value.base is None or not isinstance(value.base, np.ndarray) else value.base
        if id(base) in seen and base is not value:
            return 0
        seen.add(id(base))
        return int(base.nbytes)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(value)
    if isinstance(value, str):
        return len(value)  # data URLs and JSON can be megabytes
    if isinstance(value, (int, float, bool, type(None))):
        return 0
    if isinstance(value, dict):
        return sum(nbytes(k, seen) + nbytes(v, seen) for k, v in value.items())
    if isinstance(value, (tuple, list, set, frozenset)):
        return sum(nbytes(v, seen) for v in value)
    if dataclasses.is_dataclass(value):
        return sum(nbytes(getattr(value, f.name), seen) for f in dataclasses.fields(value))
    if hasattr(value, "__dict__"):
        return sum(nbytes(v, seen) for v in vars(value).values())
    return 0


class ByteCache:
    """A thread-safe LRU cache bounded in bytes; callers of one key share one computation.

    Parameters
    ----------
    max_bytes : int
    sizeof : callable
        Bytes of a value (default :func:`nbytes`).
    ttl : float or None
        Seconds an entry may stay unused; older entries leave at the next call.
    clock : callable
        Monotonic seconds (tests pass their own).
    """

    def __init__(self, max_bytes: int, sizeof=nbytes, ttl=None, clock=time.monotonic):
        self.max_bytes = int(max_bytes)
        self.sizeof = sizeof
        self.ttl = ttl
        self.clock = clock
        self.bytes = 0
        self._items: OrderedDict = OrderedDict()  # key -> (value, size), least recent first
        self._used: dict = {}  # key -> when it was last asked for
        self._pending: dict = {}  # key -> threading.Event of the computing caller
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        return key in self._items

    def get_or_compute(self, key, compute):
        """The cached value for ``key``, or ``compute()`` stored under it (once)."""
        while True:
            with self._lock:
                self._expire()
                if key in self._items:
                    self._items.move_to_end(key)
                    self._used[key] = self.clock()
                    return self._items[key][0]
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    break
            event.wait()  # another caller computes it; if that fails, try ourselves
        try:
            value = freeze(compute())
            size = self.sizeof(value)
            with self._lock:
                self._items[key] = (value, size)
                self._used[key] = self.clock()
                self.bytes += size
                while self.bytes > self.max_bytes and len(self._items) > 1:
                    self._drop(next(iter(self._items)))
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            event.set()

    def _drop(self, key) -> None:
        _, size = self._items.pop(key)
        self._used.pop(key, None)
        self.bytes -= size

    def _expire(self) -> None:
        if self.ttl is None:
            return
        now = self.clock()
        while self._items:
            oldest = next(iter(self._items))
            if now - self._used[oldest] <= self.ttl:
                break
            self._drop(oldest)

    def discard(self, key) -> None:
        """Drop ``key`` if it is held (a computation under way is not stopped)."""
        with self._lock:
            if key in self._items:
                self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._used.clear()
            self.bytes = 0


@st.cache_resource(show_spinner=False)
def _stores() -> dict:
    return {}


_STORES_LOCK = threading.Lock()


def store(name: str) -> ByteCache:
    """The process's cache called ``name`` (budget from :data:`BUDGET_MB`)."""
    stores = _stores()
    with _STORES_LOCK:
        if name not in stores:
            stores[name] = ByteCache(BUDGET_MB[name] * 2**20, ttl=TTL_S.get(name))
        return stores[name]


# ---- entries that leave with their tab -----------------------------------------------------
#
# An upload's results are useful only to the tab that uploaded it. Such entries
# are still shared and budgeted like the others, and each session that asked
# for one holds it; when the last of those sessions ends (its tab closed or
# its connection lost), the entry leaves at once instead of waiting for its
# TTL. Streamlit clears a session's ``scope="session"`` resources when the
# session disconnects and calls their ``on_release``; that is the hook.

_HOLDERS: dict[tuple[str, object], int] = {}  # (store name, key) -> sessions holding it
_HOLDERS_LOCK = threading.Lock()


def _let_go(held: set) -> None:
    """A session ended: its entries leave the stores that no other session holds them in."""
    from . import memory

    with _HOLDERS_LOCK:
        gone = []
        for name_key in held:
            _HOLDERS[name_key] -= 1
            if _HOLDERS[name_key] <= 0:
                del _HOLDERS[name_key]
                gone.append(name_key)
        held.clear()
    stores = _stores()
    for name, key in gone:
        if name in stores:
            stores[name].discard(key)
    if gone:
        memory.release()


@st.cache_resource(scope="session", on_release=_let_go, show_spinner=False)
def _held_by_this_session() -> set:
    return set()


def _hold(name: str, key) -> None:
    """Record that the running session uses entry ``key`` of store ``name``."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return  # not in a session (benches, engine tests): the TTL alone applies
    held = _held_by_this_session()
    with _HOLDERS_LOCK:
        if (name, key) not in held:
            held.add((name, key))
            _HOLDERS[(name, key)] = _HOLDERS.get((name, key), 0) + 1


def held_entries() -> int:
    """How many entries some live session holds (for tests and benches)."""
    with _HOLDERS_LOCK:
        return len(_HOLDERS)


def cached(name: str, per_session=None):
    """Decorator: share a function's results in the byte-budgeted cache ``name``.

    Keys are the arguments, except those whose name starts with ``_`` (as in
    Streamlit's caches: pass big arrays as ``_img`` and key them by a small value).
    Arguments must be hashable.

    Parameters
    ----------
    name : str
        The store (a key of :data:`BUDGET_MB`).
    per_session : callable, optional
        Given the call's arguments by name, whether its result belongs to the
        sessions that ask for it (an upload's): it then leaves the store when
        the last of them ends.
    """

    def wrap(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            args_key = tuple((k, v) for k, v in bound.arguments.items() if not k.startswith("_"))
            key = (fn.__qualname__, *args_key)  # functions may share one store
            value = store(name).get_or_compute(key, lambda: fn(*args, **kwargs))
            if per_session is not None and per_session(bound.arguments):
                _hold(name, key)
            return value

        wrapper.cache_name = name
        return wrapper

    return wrap
