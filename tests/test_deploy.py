"""deploy/run_replicas.sh with Debian's nginx: a page loads through it on a non-default port,
and a replica that dies is started again.

Skips where nginx is not installed (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import free_port
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None, reason="nginx not installed (apt-get install nginx)"
)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _wait(condition, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)  # polling a port or a pid file: there is no event to wait on


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    run = tmp_path_factory.mktemp("replicas")
    listen = f"127.0.0.1:{free_port()}"
    base = free_port() + 10
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "KMLAB_WARM_MAPS": "0",
        "KMLAB_CACHE_DIR": str(run / "maps"),
    }
    proc = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "run_replicas.sh"), "1", listen, str(run), str(base)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://{listen}"
    try:
        _wait(lambda: _healthy(url) or proc.poll() is not None)
        assert proc.poll() is None, (run / "replica-1.log").read_text()[-2000:]
        yield url, run
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.browser
def test_the_app_loads_through_nginx_by_host_name_on_a_non_default_port(replicas, browser):
    """nginx passed `$host` (no port) as Host; the app's websocket compares Host with the
    page's Origin (which has the port) and refused it, so a page opened by host name never
    connected. Chromium resolves the test's host name to 127.0.0.1 itself."""
    from tests.browser import CHROMIUM_ARGS, chromium_path, wait_until_done

    url, _ = replicas
    port = url.rsplit(":", 1)[1]
    named = browser.browser_type.launch(
        executable_path=chromium_path(),
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP kmlab.test 127.0.0.1"],
    )
    try:
        page = named.new_page()
        page.goto(f"http://kmlab.test:{port}/Centroids")
        wait_until_done(page, timeout_ms=120_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        named.close()


def test_a_dead_replica_is_started_again(replicas):
    url, run = replicas
    pid_file = run / "replica-1.pid"
    old = int(pid_file.read_text())
    os.kill(old, signal.SIGKILL)
    _wait(lambda: pid_file.read_text().strip() not in ("", str(old)))
    _wait(lambda: _healthy(url))
    new = int(pid_file.read_text())
    assert new != old and Path(f"/proc/{new}").exists()
    assert "exited; starting it again" in (run / "replica-1.log").read_text()
