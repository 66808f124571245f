"""A large class: 100 tabs through nginx to 3 Streamlit replicas (deploy/run_replicas.sh).

Run: ``python -m bench.replicas`` (needs Debian's nginx: ``apt-get install -y nginx``).
Starts ``deploy/run_replicas.sh 3`` on free loopback ports, then opens ``--tabs``
sessions through nginx the way a browser tab does, with Streamlit's own websocket
protocol (lighter than 100 Chromium tabs on 2 cores): GET the page (nginx sets the
sticky ``kmlab_replica`` cookie and names the replica in ``X-Replica``), open
``/_stcore/stream`` with that cookie, ask for a script run of the Centroids page and
read until the run finishes. At most ``--concurrent`` tabs at once; every tab and the
whole run have deadlines, and the replicas and nginx are stopped at the end. Prints tabs
rendered (run finished, a chart drawn, no exception), each replica's share, and each
replica's peak RSS sampled every 0.3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import http.cookies
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser import free_port

from .common import ROOT, data_dir
from .lesson import RSSSampler

QUERY = "dataset=digits&k=10"


def open_page(base: str, page: str) -> tuple[str, str]:
    """GET a page through nginx like a new browser: (cookie header value, replica)."""
    with urllib.request.urlopen(f"{base}/{page}?{QUERY}", timeout=30) as r:
        jar = http.cookies.SimpleCookie(r.headers.get("Set-Cookie", ""))
        replica = r.headers.get("X-Replica", "?")
        r.read()
    cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
    return cookie, replica


async def one_tab(base: str, page: str, timeout: float) -> tuple[str, str]:
    """One tab's session; returns (replica, outcome)."""
    cookie, replica = await asyncio.to_thread(open_page, base, page)
    ws_url = base.replace("http://", "ws://") + "/_stcore/stream"
    charts = exceptions = 0
    async with asyncio.timeout(timeout):
        async with websockets.connect(
            ws_url,
            subprotocols=["streamlit"],
            additional_headers={"Cookie": cookie},
            max_size=None,
        ) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = QUERY
            msg.rerun_script.page_name = page
            await ws.send(msg.SerializeToString())
            async for raw in ws:
                fwd = ForwardMsg()
                fwd.ParseFromString(raw)
                kind = fwd.WhichOneof("type")
                if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    el = fwd.delta.new_element.WhichOneof("type")
                    charts += el == "plotly_chart"
                    exceptions += el == "exception"
                elif kind == "script_finished":
                    if fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                        break
                    return replica, f"run ended with status {fwd.script_finished}"
    if exceptions:
        return replica, "exception"
    return replica, "rendered" if charts else "no chart"


async def classroom(base: str, page: str, tabs: int, concurrent: int, timeout: float):
    gate = asyncio.Semaphore(concurrent)

    async def bounded():
        async with gate:
            try:
                return await one_tab(base, page, timeout)
            except Exception as exc:  # counted, not fatal
                return "?", type(exc).__name__

    return await asyncio.gather(*(bounded() for _ in range(tabs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tabs", type=int, default=100)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--concurrent", type=int, default=25)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per tab")
    parser.add_argument("--page", default="Centroids")
    args = parser.parse_args()
    if shutil.which("nginx") is None:
        raise SystemExit("nginx not found: apt-get install -y nginx")
    run_dir = Path(tempfile.mkdtemp(prefix="kmlab-replicas-"))
    listen_port = free_port()
    base_port = free_port() + 100  # replicas on base+1 .. base+N
    env = {**os.environ, "KMLAB_WARM_MAPS": "1"}
    folder = data_dir()
    if folder is not None:
        env["KMLAB_DATA_DIR"] = str(folder)
    proc = subprocess.Popen(
        [
            str(ROOT / "deploy" / "run_replicas.sh"),
            str(args.replicas),
            f"127.0.0.1:{listen_port}",
            str(run_dir),
            str(base_port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        ready = selectors.DefaultSelector()
        ready.register(proc.stdout, selectors.EVENT_READ)
        # "K-Means Lab: N replicas behind ..." once all are up (bounded wait)
        line = proc.stdout.readline() if ready.select(timeout=180) else "(no answer in 180 s)"
        if "replicas behind" not in line:
            raise SystemExit(f"replicas did not start: {line}{proc.stdout.read()[:2000]}")
        print(line.strip())
        pids = [
            int((run_dir / f"replica-{i}.pid").read_text()) for i in range(1, args.replicas + 1)
        ]
        samplers = [RSSSampler(pid) for pid in pids]
        for s in samplers:
            s.start()
        base = f"http://127.0.0.1:{listen_port}"
        start = time.perf_counter()
        results = asyncio.run(classroom(base, args.page, args.tabs, args.concurrent, args.timeout))
        wall = time.perf_counter() - start
        for s in samplers:
            s.stop()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the script's own process group
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    outcomes = collections.Counter(o for _, o in results)
    share = collections.Counter(r for r, o in results)
    ports = {f"127.0.0.1:{base_port + i}": i for i in range(1, args.replicas + 1)}
    print(
        f"{args.tabs} tabs on {args.page} through nginx, at most {args.concurrent} at once: "
        f"{outcomes.get('rendered', 0)} rendered in {wall:.1f} s; outcomes {dict(outcomes)}"
    )
    print("| replica | tabs | share | peak RSS MB |")
    print("|---|---|---|---|")
    for addr, i in ports.items():
        n = share.get(addr, 0)
        print(f"| {i} ({addr}) | {n} | {n / args.tabs:.0%} | {samplers[i - 1].peak:.0f} |")
    if share.get("?"):
        print(f"tabs whose replica is unknown (failed before the page): {share['?']}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores, shared)")


if __name__ == "__main__":
    main()
