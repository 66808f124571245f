"""`streamlit run` servers for the benchmarks, from any checkout, on free loopback ports."""

from __future__ import annotations

from contextlib import contextmanager

from tests.browser import start_server, stop, wait_healthy

from .common import ROOT


@contextmanager
def streamlit_server(env_extra=None, root=None):
    """A cold server of ``root`` (default: this checkout) for a ``with`` block."""
    url, proc = start_server(root or ROOT, env_extra)
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        stop(proc)
