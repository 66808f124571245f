"""Downloads against a loopback HTTP server (127.0.0.1 only) that misbehaves on purpose.

Cut streams, trickles, endless streams, bad checksums and two callers at once:
the next mirror is tried, nothing partial is left, the deadline and the size cap
hold, and callers waiting for the same file share one attempt.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections import Counter

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import kmcore
from kmcore import datasets
from kmcore.download import DownloadError, _slot, download
from tests.conftest import ROOT

PAYLOAD = bytes(range(256)) * 2048  # 512 kB
MD5 = hashlib.md5(PAYLOAD).hexdigest()


class Mirror:
    """A loopback server whose paths misbehave: /good, /cut, /trickle, /endless, /slow."""

    def __init__(self):
        self.hits = Counter()
        self.stop = threading.Event()
        self.release = threading.Event()  # /slow waits for this before sending
        self.arrived = threading.Event()  # a request reached /slow
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                kind = self.path.strip("/").split("/")[0]
                mirror.hits[kind] += 1
                try:
                    getattr(self, f"_{kind}")()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _head(self, length=None):
                self.send_response(200)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()

            def _good(self):
                self._head(len(PAYLOAD))
                self.wfile.write(PAYLOAD)

            def _slow(self):
                mirror.arrived.set()
                mirror.release.wait(30)
                self._good()

            def _cut(self):  # promises the whole file, sends half, hangs up
                self._head(len(PAYLOAD))
                self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
                self.wfile.flush()
                self.close_connection = True

            def _trickle(self):  # 64 bytes at a time, for as long as the client listens
                self._head(len(PAYLOAD))
                while not mirror.stop.wait(0.05):
                    self.wfile.write(b"x" * 64)
                    self.wfile.flush()

            def _endless(self):  # no length, never ends
                self._head()
                block = b"\0" * 65536
                while not mirror.stop.is_set():
                    self.wfile.write(block)

            def _missing(self):
                self.send_error(404)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def mirror():
    with Mirror() as m:
        yield m


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_cut_stream_moves_on_to_the_next_mirror(mirror, tmp_path):
    dest = tmp_path / "f.gz"
    got = download([f"{mirror.url}/cut", f"{mirror.url}/good"], dest, MD5)
    assert got.read_bytes() == PAYLOAD
    assert mirror.hits["cut"] == 1 and mirror.hits["good"] == 1
    assert _leftovers(tmp_path) == ["f.gz"]


def test_only_cut_streams_give_a_download_error_naming_each_mirror(mirror, tmp_path):
    with pytest.raises(DownloadError) as info:
        download([f"{mirror.url}/cut", f"{mirror.url}/missing"], tmp_path / "f.gz", MD5)
    assert "/cut" in str(info.value) and "/missing" in str(info.value)
    assert _leftovers(tmp_path) == []


def test_a_trickle_stops_at_the_overall_deadline(mirror, tmp_path):
    seen = []
    with pytest.raises(DownloadError, match="deadline"):
        download(
            [f"{mirror.url}/trickle", f"{mirror.url}/good"],
            tmp_path / "f.gz",
            MD5,
            deadline=0.5,
            progress=lambda done, total, url: seen.append(done),
        )
    assert seen and seen[-1] < len(PAYLOAD)  # it was receiving, slowly
    assert mirror.hits["good"] == 0  # the deadline covers every mirror
    assert _leftovers(tmp_path) == []


def test_an_endless_stream_stops_at_the_size_cap(mirror, tmp_path):
    with pytest.raises(DownloadError, match="more than 1,048,576 bytes"):
        download([f"{mirror.url}/endless"], tmp_path / "f.gz", None, max_bytes=2**20)
    assert _leftovers(tmp_path) == []


def test_a_declared_length_over_the_cap_is_refused_before_reading(mirror, tmp_path):
    with pytest.raises(DownloadError, match="the limit is 1,000"):
        download([f"{mirror.url}/good"], tmp_path / "f.gz", MD5, max_bytes=1000)
    assert _leftovers(tmp_path) == []


def test_a_bad_checksum_leaves_nothing(mirror, tmp_path):
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download([f"{mirror.url}/good"], tmp_path / "f.gz", "0" * 32)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit, RuntimeError])
def test_no_partial_file_when_the_caller_is_stopped(mirror, tmp_path, stop):
    def progress(done, total, url):
        raise stop("stopped mid-download")

    with pytest.raises(stop):
        download([f"{mirror.url}/good"], tmp_path / "f.gz", MD5, progress=progress)
    assert _leftovers(tmp_path) == []


def test_a_stale_partial_file_from_a_killed_process_is_removed(mirror, tmp_path):
    import os

    stale = tmp_path / ".f.gz.abc123.part"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    download([f"{mirror.url}/good"], tmp_path / "f.gz", MD5)
    assert _leftovers(tmp_path) == ["f.gz"]


def _together(n, target):
    results = [None] * n

    def run(i):
        try:
            results[i] = target()
        except Exception as exc:  # the test looks at what each caller got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    return threads, results


def _wait_until_both_inside(mirror, dest):
    """The first caller is in the server, the second inside download() waiting for it."""
    assert mirror.arrived.wait(30)
    slot = _slot(dest.resolve())
    waited = threading.Event()
    while slot.callers < 2:
        assert not waited.wait(0.01) and mirror.hits["slow"] == 1


def test_two_callers_for_the_same_file_share_one_download(mirror, tmp_path):
    dest = tmp_path / "f.gz"
    threads, results = _together(2, lambda: download([f"{mirror.url}/slow"], dest, MD5))
    _wait_until_both_inside(mirror, dest)
    mirror.release.set()
    for t in threads:
        t.join(30)
    assert results == [dest, dest]
    assert mirror.hits["slow"] == 1
    assert dest.read_bytes() == PAYLOAD


def test_two_callers_see_the_same_error_from_one_attempt(mirror, tmp_path):
    dest = tmp_path / "f.gz"
    threads, results = _together(
        2, lambda: download([f"{mirror.url}/slow", f"{mirror.url}/missing"], dest, "0" * 32)
    )
    _wait_until_both_inside(mirror, dest)
    mirror.release.set()
    for t in threads:
        t.join(30)
    assert all(isinstance(r, DownloadError) for r in results), results
    assert str(results[0]) == str(results[1])
    assert mirror.hits["slow"] == 1 and mirror.hits["missing"] == 1
    assert _leftovers(tmp_path) == []


# ---- the dataset path and the page --------------------------------------------------------


def test_a_cut_dataset_download_is_a_dataset_unavailable_error(mirror, tmp_path):
    with pytest.raises(kmcore.DatasetUnavailableError, match="could not be downloaded"):
        datasets.ensure_files("mnist", "test", tmp_path, mirrors=[f"{mirror.url}/cut"])
    assert _leftovers(tmp_path / "mnist") == []


def test_the_page_offers_digits_when_every_mirror_cuts(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("KMLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(datasets.MIRRORS, "mnist", (f"{mirror.url}/cut",))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page("pages/1_Centroids.py")
        at.query_params["dataset"] = "mnist"
        at.run()
        assert not at.exception, at.exception
        assert at.error and "not available" in at.error[0].value
        buttons = [b.label for b in at.button]
        assert "Use the offline digits instead" in buttons
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


@pytest.fixture
def unwritable_folder(tmp_path):
    """A data folder nothing can be written in: read-only for a user, immutable for root
    (root ignores permission bits)."""
    import os
    import shutil
    import subprocess

    folder = tmp_path / "mnist"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield tmp_path
        folder.chmod(0o755)
        return
    if (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode
    ):
        pytest.skip("root, and this file system cannot make a folder immutable (chattr +i)")
    try:
        yield tmp_path
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


def test_an_unwritable_data_folder_says_so_instead_of_a_traceback(mirror, unwritable_folder):
    with pytest.raises(kmcore.DatasetUnavailableError, match="cannot write to the data folder"):
        datasets.ensure_files("mnist", "test", unwritable_folder, mirrors=[f"{mirror.url}/cut"])


def test_a_damaged_gzip_body_is_a_format_error(tmp_path):
    """A .gz whose deflate stream is corrupt raises zlib.error inside gzip: it must reach
    the page as a damaged data file (IDXFormatError), not as a bare error box."""
    import gzip
    import zlib

    from kmcore.idx import IDXFormatError, read_idx

    path = tmp_path / "x-idx3-ubyte.gz"
    # A gzip header, then a deflate block of the reserved type 3: "invalid block type".
    raw = b"\x1f\x8b\x08\x00" + bytes(4) + b"\x00\xff" + b"\x07" + bytes(100)
    path.write_bytes(raw)
    with pytest.raises(zlib.error):  # what reading it used to let through
        gzip.decompress(raw)
    with pytest.raises(IDXFormatError, match="could not be read"):
        read_idx(path, 3)
