"""Fetching a file from a list of mirrors: progress, MD5 check, atomic write, bounded.

Every download has an overall deadline and a size cap, moves to the next
mirror on any transport error (refused, reset, timed out, cut short), never
leaves a partial file behind, and callers waiting for the same destination
share one attempt.
"""

from __future__ import annotations

import atexit
import hashlib
import http.client
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

CHUNK = 1 << 16
DEADLINE = 300.0  # seconds for a whole download, every mirror included
MAX_BYTES = 64 * 2**20  # MNIST's largest file is 9.9 MB
PART_SUFFIX = ".part"


class DownloadError(OSError):
    """No mirror gave a file with the expected checksum."""


class _Slot:
    """One destination: its lock, callers inside, attempts ended, the last one's error."""

    def __init__(self):
        self.lock = threading.Lock()
        self.callers = 0
        self.finished = 0
        self.error: DownloadError | None = None


_SLOTS: dict[Path, _Slot] = {}
_SLOTS_LOCK = threading.Lock()
_PARTS: set[str] = set()  # partial files of this process, removed at exit


def _slot(dest: Path) -> _Slot:
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(dest, _Slot())


@atexit.register
def _remove_parts() -> None:
    for part in list(_PARTS):
        _unlink(part)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    _PARTS.discard(path)


def _remove_stale_parts(dest: Path, older_than: float) -> None:
    """Partial files of ``dest`` left by a process that was killed mid-download."""
    now = time.time()
    for part in dest.parent.glob(f".{dest.name}.*{PART_SUFFIX}"):
        try:
            if now - part.stat().st_mtime > older_than:
                part.unlink()
        except OSError:
            pass


def _fetch(url, tmp, md5, progress, timeout, deadline_at, max_bytes) -> None:
    """One mirror into ``tmp``; raises on any failure (caller tries the next mirror)."""
    digest = hashlib.md5()
    remaining = deadline_at - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the overall deadline passed")
    with (
        open(tmp, "wb") as out,
        urllib.request.urlopen(url, timeout=min(timeout, remaining)) as resp,
    ):
        total = resp.headers.get("Content-Length")
        total = int(total) if total and total.isdigit() else None
        if total is not None and total > max_bytes:
            raise DownloadError(f"the file is {total:,} bytes; the limit is {max_bytes:,}")
        done = 0
        # read1: at most one read on the socket, so a trickle still reaches the deadline check
        while chunk := resp.read1(CHUNK):
            done += len(chunk)
            if done > max_bytes:
                raise DownloadError(f"more than {max_bytes:,} bytes; stopped")
            out.write(chunk)
            digest.update(chunk)
            if progress is not None:
                progress(done, total, url)
            if time.monotonic() > deadline_at:
                raise TimeoutError(f"the overall deadline passed after {done:,} bytes")
    if total is not None and done != total:
        raise DownloadError(f"cut short: {done:,} of {total:,} bytes")
    if md5 is not None and digest.hexdigest() != md5:
        raise DownloadError(f"checksum mismatch (got {digest.hexdigest()}, expected {md5})")


def download(
    urls,
    dest,
    md5: str | None = None,
    *,
    progress=None,
    timeout: float = 5.0,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
) -> Path:
    """Download ``dest`` from the first mirror that works.

    Parameters
    ----------
    urls : sequence of str
        Full URLs of the same file, tried in order.
    dest : str or Path
        Where the file goes. It appears there only when complete and checked:
        the bytes go to a temporary file in the same folder that is renamed,
        and that temporary file is removed whatever happens (errors,
        KeyboardInterrupt, SystemExit; at interpreter exit for a killed thread).
    md5 : str, optional
        Expected MD5 hex digest; a mismatch counts as a failed mirror.
    progress : callable, optional
        Called as ``progress(done_bytes, total_bytes_or_None, url)``. What it
        raises stops the download (no other mirror is tried).
    timeout : float
        Seconds to wait for a connection or a read.
    deadline : float
        Seconds for the whole download, all mirrors together.
    max_bytes : int
        Largest file accepted; a longer stream counts as a failed mirror.

    Returns
    -------
    Path

    Raises
    ------
    DownloadError
        Every mirror failed (the message lists why for each), or another
        caller's attempt at the same ``dest`` failed while this one waited.
    """
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create the folder {dest.parent}: {exc}") from exc
    slot = _slot(dest.resolve())
    with _SLOTS_LOCK:
        seen = slot.finished
        slot.callers += 1
    try:
        return _download_once(slot, seen, urls, dest, md5, progress, timeout, deadline, max_bytes)
    finally:
        with _SLOTS_LOCK:
            slot.callers -= 1


def _download_once(slot, seen, urls, dest, md5, progress, timeout, deadline, max_bytes) -> Path:
    with slot.lock:
        if slot.finished != seen:  # an attempt ended while this caller waited: share it
            if dest.exists():
                return dest
            if slot.error is not None:
                raise DownloadError(str(slot.error))
        _remove_stale_parts(dest, older_than=deadline + 60)
        try:
            _attempt(urls, dest, md5, progress, timeout, deadline, max_bytes)
            slot.error = None
        except DownloadError as exc:
            slot.error = exc
            raise
        finally:
            slot.finished += 1
    return dest


def _attempt(urls, dest, md5, progress, timeout, deadline, max_bytes) -> None:
    deadline_at = time.monotonic() + deadline
    failures = []
    for url in urls:
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=PART_SUFFIX, dir=dest.parent)
        except OSError as exc:  # a read-only or full data folder: no mirror can help
            raise DownloadError(
                f"cannot write to the data folder {dest.parent} ({exc.strerror or exc}); "
                "set KMLAB_DATA_DIR to a folder this app can write to"
            ) from exc
        os.close(fd)
        _PARTS.add(tmp)
        try:
            _fetch(url, tmp, md5, progress, timeout, deadline_at, max_bytes)
            os.replace(tmp, dest)
            _PARTS.discard(tmp)
            return
        except (OSError, http.client.HTTPException, urllib.error.URLError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            failures.append(f"{url}: {type(exc).__name__}: {reason}")
        finally:
            _unlink(tmp)  # BaseException too: nothing partial stays
        if time.monotonic() > deadline_at:
            failures.append(f"overall deadline of {deadline:g} s reached")
            break
    raise DownloadError(f"could not download {dest.name}; " + "; ".join(failures))
