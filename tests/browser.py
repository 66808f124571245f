"""A real `streamlit run` server and Debian's Chromium, for browser tests and the load bench."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# The page has finished drawing: no run or spinner in progress, then "exception" or "error"
# if it shows one, "images" once at least ``need`` pictures have loaded, else false.
PICTURES_DRAWN = """(need) => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stSpinner"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  if (main.querySelector('[data-testid="stException"]')) return 'exception';
  if (main.querySelector('[data-testid="stAlertContentError"]')) return 'error';
  const imgs = [...main.querySelectorAll('[data-testid="stImage"] img')]
    .filter(i => i.complete && i.naturalWidth > 0);
  return imgs.length >= need ? 'images' : false;
}"""


def chromium_path() -> str | None:
    """Debian's Chromium (browser downloads are not possible here)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root=ROOT, env_extra=None, port=None, log=None):
    """Start ``streamlit run app.py`` of the checkout ``root`` on 127.0.0.1.

    Returns (url, process); the server's output goes to the file ``log`` (or nowhere).
    """
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
    proc = subprocess.Popen(cmd, cwd=Path(root), env=env, stdout=out, stderr=subprocess.STDOUT)
    return f"http://127.0.0.1:{port}", proc


def wait_healthy(url: str, proc, timeout: float = 60.0) -> None:
    """Wait for ``/_stcore/health`` to answer; raise if the process dies or time runs out."""
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
        time.sleep(0.3)  # polling a port: there is no event to wait on


def stop(proc) -> None:
    """Terminate a server (kill it after 10 s)."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def streamlit_server(env_extra=None, timeout=60.0, root=ROOT):
    """A server of ``root`` on a free loopback port for a ``with`` block; yields (url, process).

    Maps go to a scratch folder (never into a data folder such as ../shared), have a few
    hundred points (the browser is the point, not openTSNE), and the background warm-up stays
    off unless ``env_extra`` asks for it.
    """
    scratch = Path(tempfile.mkdtemp(prefix="kmlab-server-"))
    env = {
        "KMLAB_CACHE_DIR": str(scratch / "maps"),
        "KMLAB_WARM_MAPS": "0",
        "KMLAB_TSNE_MAX_POINTS": "300",
        **(env_extra or {}),
    }
    log = scratch / "server.log"
    url, proc = start_server(root, env, log=log)
    try:
        try:
            wait_healthy(url, proc, timeout)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}:\n{log.read_text()}") from None
        yield url, proc
    finally:
        stop(proc)
        shutil.rmtree(scratch, ignore_errors=True)


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_done(page, timeout_ms=120_000) -> None:
    """Wait for the app to connect and for its script run to finish.

    Streamlit marks the app root with the script's run state; "notRunning"
    after a page load means the page's script ran to its end.
    """
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]'
        '[data-test-connection-state="CONNECTED"]',
        timeout=timeout_ms,
    )
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=timeout_ms)
