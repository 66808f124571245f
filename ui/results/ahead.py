"""Work done ahead of the next click: one low-priority thread per process, latest wish only.

A teacher on the t-SNE page steps k with the slider; each step needs a new k-means
run and the centroids placed on the map (0.5-1 s on MNIST test). Once a page has
been drawn, the steps next to the current k are computed into the shared caches,
so that the step itself only draws. The work is bounded: one thread for the whole
process, at the lowest CPU priority, one entry at a time, starting only after
:data:`DELAY_S` quiet seconds; a newer wish replaces
the older ones not yet started, and a page asking for an entry under way shares
that computation (:class:`ui.results.budget.ByteCache`). Callers check :func:`enabled`:
nothing is asked for under AppTest, or with ``KMLAB_AHEAD=0``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from . import maps

# Seconds between a wish and its work. A busy Python thread slows the server's other
# threads through the interpreter lock, the one that sends pages to browsers too: with
# no delay, a page whose k-means was ready reached the browser 0.8-1.0 s after the
# click instead of 0.2-0.3 s, because the next k's run had started meanwhile. 0.8 s
# lets the page reach the browser first and still leaves a teacher who steps once a
# second one computed step ahead (bench/bench_tsne.py: 1.5 s left a step taken at once
# waiting 1.8 s in one run of two; 0.8 s kept all six steps at 0.41-0.74 s in two runs).
DELAY_S = 0.8

_LOCK = threading.Lock()
_WAKE = threading.Condition(_LOCK)
_WANTED: list[Callable[[], object]] = []
_THREAD: list[threading.Thread] = []
_DONE: list[int] = [0]
_NOT_BEFORE: list[float] = [0.0]


def enabled() -> bool:
    """True in a ``streamlit run`` server unless ``KMLAB_AHEAD=0``."""
    return maps.background_allowed("KMLAB_AHEAD")


def ask(work: list[Callable[[], object]]) -> None:
    """Compute ``work`` (in order) in the background, replacing earlier wishes not started.

    Each callable fills a cache; what it returns is dropped, and so is a ``ValueError``
    (a neighbouring setting that cannot run).
    """
    with _WAKE:
        _WANTED[:] = list(work)
        _NOT_BEFORE[0] = time.monotonic() + DELAY_S
        if not _THREAD:
            thread = threading.Thread(target=_loop, daemon=True, name="kmlab-ahead")
            _THREAD.append(thread)
            thread.start()
        _WAKE.notify()


def done() -> int:
    """How many pieces of work the thread has finished (for tests and benches)."""
    return _DONE[0]


def _loop() -> None:
    maps.lower_priority(19)
    while True:
        with _WAKE:
            while not _WANTED or time.monotonic() < _NOT_BEFORE[0]:
                _WAKE.wait(max(0.0, _NOT_BEFORE[0] - time.monotonic()) if _WANTED else None)
            job = _WANTED.pop(0)
        try:
            job()
        except ValueError:
            pass
        except Exception:  # the thread must live on: the page computes it again if asked
            logging.getLogger(__name__).exception("work ahead failed")
        _DONE[0] += 1
