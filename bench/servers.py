"""`streamlit run` servers for the benchmarks, from any checkout, on free loopback ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.browser import free_port

from .common import ROOT


def start_server(root=None, env_extra=None, port=None, log=None) -> tuple[str, subprocess.Popen]:
    """Start ``streamlit run app.py`` of ``root`` on 127.0.0.1; return (url, process)."""
    port = port or free_port()
    env = {**os.environ, **(env_extra or {})}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        cmd, cwd=Path(root or ROOT), env=env, stdout=out, stderr=subprocess.STDOUT
    )
    return f"http://127.0.0.1:{port}", proc


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Wait for ``/_stcore/health`` to answer (raise if the process dies or time runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"streamlit at {url} did not start")
        time.sleep(0.3)  # polling a port: nothing to wait on


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server this script started (kill it after 10 s)."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def streamlit_server(env_extra=None, root=None):
    """A cold server of ``root`` (default: this checkout) for a ``with`` block."""
    url, proc = start_server(root, env_extra)
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        stop(proc)
