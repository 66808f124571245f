"""Untrusted image files decoded in a separate process whose memory is capped.

A file's header can pass every cheap check and still need hundreds of MB to
decode: a 699-byte progressive CMYK JPEG that claims 7071 x 7071 pixels makes
libjpeg hold every coefficient of the whole image (400 MB) however small the
output, and Pillow decodes lossless WebP at full size. No estimate from the
header covers every format, so the limit is enforced, not estimated: one worker
process (:mod:`kmcore._decode_child`) opens the file under an address-space
limit (``RLIMIT_AS``) and sends back only the reduced picture. A decode over the
limit fails in the worker with ``MemoryError``; a worker that crashes or hangs
is replaced. The server process never parses the file's bytes.

The worker starts on first use (about 0.15 s: Python, numpy and Pillow) and
stops after :attr:`Decoder.idle_s` seconds without work, so an idle server
holds nothing for it. One worker serves every session, one file at a time:
its memory is then bounded by one budget, however many files arrive at once.
The cap needs Linux (``/proc`` and ``RLIMIT_AS``); elsewhere the worker runs
without it, and on Windows files are opened in the calling process.
"""

from __future__ import annotations

import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from .images import ImageError, load_image

CHILD = Path(__file__).with_name("_decode_child.py")
MEMORY_MB = 200  # address space the worker may add to what its imports take
TIMEOUT_S = 20.0  # longest one file may take to open
IDLE_S = 60.0  # the worker stops after this long without a file
START_TIMEOUT_S = 30.0

MEMORY_MESSAGE = (
    "this file needs more memory to open than the lab allows (some formats, such as "
    "progressive JPEG or lossless WebP, must be held whole while they are decoded). "
    "Save it as a baseline JPEG or a PNG, or make it smaller, and upload it again"
)
TIMEOUT_MESSAGE = (
    "this file took longer than {seconds:.0f} s to open (its compression is slow to "
    "decode). Save it as a JPEG or a PNG and upload it again"
)
DAMAGED_MESSAGE = "the file is damaged or not an image this lab can read"
CRASH_MESSAGE = "the decoder stopped while opening this file; it is probably damaged"


class _WorkerGone(Exception):
    """The worker closed its end (crashed, or was killed)."""


def _read_exact(fd: int, n: int, deadline: float) -> bytearray:
    buf = bytearray(n)  # filled in place: the pixels are not copied again
    view = memoryview(buf)
    got = 0
    while got < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            raise TimeoutError
        k = os.readv(fd, [view[got:]])
        if not k:
            raise _WorkerGone
        got += k
    view.release()
    return buf


def _read_message(fd: int, deadline: float, max_header: int = 1 << 16) -> dict:
    (n,) = struct.unpack(">I", _read_exact(fd, 4, deadline))
    if n > max_header:
        raise _WorkerGone
    return json.loads(_read_exact(fd, n, deadline))


class Decoder:
    """One worker process that opens untrusted image files within a memory budget.

    Parameters
    ----------
    memory_mb : int
        Address space (MB) the worker may take beyond its own start-up size.
    timeout_s : float
        Longest one file may take; past it the worker is killed and replaced.
    idle_s : float
        The worker stops after this many seconds without a file.

    Notes
    -----
    Thread-safe: callers from every session queue on one lock.
    """

    def __init__(
        self, memory_mb: int = MEMORY_MB, timeout_s: float = TIMEOUT_S, idle_s: float = IDLE_S
    ):
        if memory_mb < 1:
            raise ValueError(f"memory_mb must be >= 1; got {memory_mb}")
        self.memory_mb = int(memory_mb)
        self.timeout_s = float(timeout_s)
        self.idle_s = float(idle_s)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._last_used = 0.0
        self._reaper: threading.Thread | None = None
        self.starts = 0  # workers started, for tests and the bench

    # ---- the worker's life -------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The running worker's process id, or None when none runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def _start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            # One thread for numpy's BLAS: its per-thread buffers would count against the cap.
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "1",
        }
        proc = subprocess.Popen(
            [sys.executable, "-I", str(CHILD), str(self.memory_mb * 2**20)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        try:
            hello = _read_message(proc.stdout.fileno(), time.monotonic() + START_TIMEOUT_S)
        except (TimeoutError, _WorkerGone, ValueError):
            self._kill(proc)
            raise ImageError("the image decoder could not start; try again in a moment") from None
        if not hello.get("ready"):
            self._kill(proc)
            raise ImageError("the image decoder could not start; try again in a moment") from None
        self.starts += 1
        return proc

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def close(self) -> None:
        """Stop the worker now (a later decode starts a new one)."""
        with self._lock:
            if self._proc is not None:
                self._kill(self._proc)
                self._proc = None

    def _reap_when_idle(self) -> None:
        while True:
            with self._lock:
                if self._proc is None:
                    self._reaper = None
                    return
                idle = time.monotonic() - self._last_used
                if idle >= self.idle_s:
                    self._kill(self._proc)
                    self._proc = None
                    self._reaper = None
                    return
                wait = self.idle_s - idle
            time.sleep(min(wait, 5.0) + 0.05)

    # ---- decoding ----------------------------------------------------------------------
    def decode(
        self, data: bytes, *, max_pixels: int, formats=None
    ) -> tuple[np.ndarray, tuple[str, ...]]:
        """Open ``data`` as :func:`kmcore.load_image` would, in the worker.

        Parameters
        ----------
        data : bytes
            The file's bytes (untrusted).
        max_pixels : int
            Largest width x height returned.
        formats : sequence of str, optional
            File types accepted (see :func:`kmcore.load_image`).

        Returns
        -------
        image : ndarray of shape (height, width, 3), uint8, read-only
        notes : tuple of str

        Raises
        ------
        ImageError
            Everything :func:`kmcore.load_image` refuses, and a file that needs
            more memory than the budget, takes longer than ``timeout_s`` or
            crashes the decoder; each with a message a user can act on.
        """
        if max_pixels < 1:
            raise ValueError(f"max_pixels must be >= 1; got {max_pixels}")
        if os.name != "posix":  # no pipes to select on, no rlimits: open it here
            image, notes = load_image(
                data, max_pixels=max_pixels, formats=formats, return_notes=True
            )
            image.flags.writeable = False
            return image, notes
        header = json.dumps(
            {"max_pixels": int(max_pixels), "formats": list(formats) if formats else None}
        ).encode()
        request = struct.pack(">I", len(header)) + header + struct.pack(">Q", len(data))
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._start()
            proc = self._proc
            try:
                reply, pixels = self._ask(proc, request, data, max_pixels)
            except TimeoutError:
                self._kill(proc)
                self._proc = None
                raise ImageError(TIMEOUT_MESSAGE.format(seconds=self.timeout_s)) from None
            except (_WorkerGone, BrokenPipeError, ValueError):
                # Crashed, or killed from outside (the kernel's OOM killer, say).
                self._kill(proc)
                self._proc = None
                raise ImageError(CRASH_MESSAGE) from None
            finally:
                self._last_used = time.monotonic()
            if self._reaper is None and self._proc is not None:
                self._reaper = threading.Thread(
                    target=self._reap_when_idle, daemon=True, name="kmlab-decoder-reaper"
                )
                self._reaper.start()
        if not reply.get("ok"):
            kind = reply.get("kind")
            if kind == "memory":
                raise ImageError(MEMORY_MESSAGE)
            if kind == "image":
                raise ImageError(str(reply.get("error", DAMAGED_MESSAGE))[:400])
            raise ImageError(DAMAGED_MESSAGE)
        return pixels, tuple(str(n)[:400] for n in reply.get("notes", ()))

    def _ask(self, proc, request: bytes, data: bytes, max_pixels: int):
        proc.stdin.write(request)
        proc.stdin.write(data)
        proc.stdin.flush()
        fd = proc.stdout.fileno()
        deadline = time.monotonic() + self.timeout_s
        reply = _read_message(fd, deadline)
        if not reply.get("ok"):
            return reply, None
        shape = tuple(int(s) for s in reply.get("shape", ()))
        if len(shape) != 3 or shape[2] != 3 or min(shape) < 1 or shape[0] * shape[1] > max_pixels:
            raise _WorkerGone  # not what was asked for: treat the worker as broken
        pixels = np.frombuffer(_read_exact(fd, shape[0] * shape[1] * 3, deadline), np.uint8)
        pixels.flags.writeable = False
        return reply, pixels.reshape(shape)
