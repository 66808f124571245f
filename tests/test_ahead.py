"""ui/results: ahead (work ahead of the next click) and memory.freeze_imports, in this process."""

import gc
import os
import threading

import pytest

from ui.results import ahead, memory

pytestmark = pytest.mark.skipif(not hasattr(os, "getpriority"), reason="needs POSIX priorities")


def ask_and_wait(work, before_waiting=None, timeout=30.0):
    """Ask for ``work`` and wait until the thread has finished it."""
    target = ahead.done() + len(work)
    finished = threading.Event()
    ahead.ask([*work, finished.set])
    if before_waiting is not None:
        before_waiting()
    assert finished.wait(timeout), "the work ahead did not finish"
    assert ahead.done() >= target


def test_work_ahead_runs_in_order_at_the_lowest_priority_and_survives_failures():
    seen = []

    def impossible():
        raise ValueError("k larger than the distinct points")

    def broken():
        raise RuntimeError("a bug in one piece")

    def record():
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    ask_and_wait([impossible, broken, record, record])
    assert seen == [19, 19]


def test_a_newer_wish_replaces_the_work_not_yet_started():
    started, release, seen = threading.Event(), threading.Event(), []

    def blocker():
        started.set()
        release.wait(30)

    ahead.ask([blocker])
    assert started.wait(30)
    ahead.ask([lambda: seen.append("old")])
    ask_and_wait([lambda: seen.append("new")], before_waiting=release.set)
    assert seen == ["new"]


def test_freeze_imports_takes_the_loaded_libraries_out_of_the_collectors_walk():
    memory.freeze_imports()  # 0 if a page run in this process did it already
    assert memory.freeze_imports() == 0  # once per process
    # the libraries' objects are frozen: the collector walks only what came after
    assert gc.get_freeze_count() > 10_000
    assert len(gc.get_objects()) < gc.get_freeze_count()
    assert "plotly.graph_objects" in memory.LIBRARIES
