"""`streamlit run` servers for the benchmarks, from any checkout, on free loopback ports."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager

from tests.browser import start_server, stop, wait_healthy

from .common import ROOT


@contextmanager
def streamlit_server(env_extra=None, root=None, cgroup=None):
    """A cold server of ``root`` (default: this checkout) for a ``with`` block, in the
    memory cgroup ``cgroup`` (a tests.cgroups.MemoryCgroup) when one is given.

    Maps go to a scratch folder unless ``env_extra`` names one (``KMLAB_CACHE_DIR``): a
    bench must never write beside reference data such as ``../shared/data``.
    """
    env = {"KMLAB_CACHE_DIR": tempfile.mkdtemp(prefix="kmlab-bench-maps-"), **(env_extra or {})}
    url, proc = start_server(root or ROOT, env)
    if cgroup is not None:
        cgroup.add(proc.pid)
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        stop(proc)
