"""t-SNE maps: one background computation per map, shared by every session, kept on disk.

A page asks :meth:`MapStore.job` for a map and gets a :class:`MapJob` at once;
the job computes in its own daemon thread (so a tab that reruns or closes never
stops it, and a second tab asking for the same map waits on the same job) and
publishes what it has so far: the phase, the iteration, the latest coordinates.
A finished map's coordinates are written to disk (atomically), so a restarted
server, or another replica sharing the folder, reloads it instead of fitting.
No Streamlit here: pages poll a job and draw.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

import kmcore


def cache_dir() -> Path:
    """Where finished maps are kept: ``$KMLAB_CACHE_DIR`` or ``maps/`` in the data folder."""
    folder = os.environ.get("KMLAB_CACHE_DIR")
    return Path(folder) if folder else kmcore.data_dir() / "maps"


class MapJob:
    """A map being computed (or reloaded) in a background thread; safe to read from any thread.

    Attributes
    ----------
    key : tuple
    phase : str
        What is running now (``"waiting"``, one of :data:`kmcore.embedding.PHASES`,
        ``"reading the saved map"``, ``"done"`` or ``"failed"``).
    done, total : int
        Optimisation iterations done, of ``total``.
    coords : ndarray of shape (n_samples, 2) or None
        The latest coordinates (read-only): the PCA start, then the forming map.
    result : kmcore.TSNEMap or None
        The finished map.
    error : Exception or None
        Why the map could not be made (e.g. too few points for the perplexity).
    started : float
        ``time.monotonic()`` when the job began.
    """

    def __init__(self, key: tuple):
        self.key = key
        self.phase = "waiting"
        self.done, self.total = 0, 0
        self.coords = None
        self.result = None
        self.error = None
        self.fitted = False
        self.started = time.monotonic()
        self._changed = threading.Condition()

    @property
    def finished(self) -> bool:
        return self.result is not None or self.error is not None

    def update(self, **values) -> None:
        """Publish new progress (called by the computing thread)."""
        coords = values.get("coords")
        if coords is not None:
            coords = np.array(coords, dtype=np.float32)
            coords.flags.writeable = False
            values["coords"] = coords
        with self._changed:
            for name, value in values.items():
                setattr(self, name, value)
            self._changed.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the job publishes something new or finishes; return ``finished``."""
        with self._changed:
            if not self.finished:
                self._changed.wait(timeout)
            return self.finished

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the job finishes (or ``timeout`` passes); return ``finished``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while not self.finished:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._changed.wait(left)
            return self.finished


def background_allowed(switch: str) -> bool:
    """True for background work in a ``streamlit run`` server (not under AppTest or in a
    bench's own process) unless the environment variable ``switch`` is "0"."""
    from streamlit.runtime import Runtime

    return os.environ.get(switch, "1") != "0" and isinstance(Runtime._instance, Runtime)


def lower_priority(nice: int) -> None:
    """Lower the calling thread's CPU priority to ``nice`` (never raise it); the threads it
    starts afterwards (openTSNE's workers) inherit it. Linux keeps a nice value per
    thread; elsewhere this does nothing.
    """
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(nice, os.getpriority(os.PRIO_PROCESS, tid)))
    except (AttributeError, OSError):
        pass


MAP_VERSION = 2  # 2: Barnes-Hut below 10,000 points (kmcore.embedding.GRADIENT_METHOD)


def _file_name(key: tuple) -> str:
    text = repr((MAP_VERSION, key)) if MAP_VERSION > 1 else repr(key)
    safe = "".join(c if c.isalnum() else "-" for c in text).strip("-")[:80]
    return f"tsne-{safe}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.npy"


def load_coords(path: Path, n_points: int) -> np.ndarray | None:
    """Saved coordinates of ``n_points`` points, or None when absent or unusable."""
    try:
        coords = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):  # EOFError: an empty file (a full disk)
        return None
    if coords.shape != (n_points, 2) or not np.isfinite(coords).all():
        return None
    return coords.astype(np.float32, copy=False)


def save_coords(path: Path, coords: np.ndarray) -> None:
    """Write coordinates atomically (a temporary file renamed), so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as f:
        np.save(f, np.asarray(coords, dtype=np.float32), allow_pickle=False)
    os.replace(tmp, path)


def _job_bytes(job: MapJob) -> int:
    """Memory a job holds: its coordinates and, once finished, the rows its map keeps."""
    n = 0 if job.coords is None else job.coords.nbytes
    return n + (0 if job.result is None else job.result.data.nbytes)


class MapStore:
    """The maps of one server process: at most ``max_bytes`` of finished maps in memory.

    Parameters
    ----------
    folder : Path
        Where finished maps are saved and looked for.
    max_bytes : int
        Memory for finished jobs (coordinates and the rows a map keeps for
        placing centroids). Running jobs are never evicted.
    """

    def __init__(self, folder: Path, max_bytes: int):
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.fits = 0  # how many maps this store has fitted (tests: k changes fit none)
        self._jobs: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def job(self, key: tuple, n_points: int, fit, rebuild) -> MapJob:
        """The job for ``key``, started in a daemon thread if there is none yet.

        Parameters
        ----------
        key : tuple
            Hashable; also names the file on disk.
        n_points : int
            Points on the map (checks a saved file).
        fit : callable
            ``fit(job) -> TSNEMap``: computes the map, publishing progress on ``job``.
        rebuild : callable
            ``rebuild(coords) -> TSNEMap``: a map from saved coordinates.
        """
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.error is None:
                self._jobs.move_to_end(key)
                return job
            job = self._jobs[key] = MapJob(key)
            self._evict()
        threading.Thread(
            target=self._work,
            args=(job, n_points, fit, rebuild),
            daemon=True,
            name=f"kmlab-map-{_file_name(key)[:40]}",
        ).start()
        return job

    def finished(self, key: tuple) -> MapJob | None:
        """The finished job for ``key`` if it is in memory (never starts one)."""
        with self._lock:
            job = self._jobs.get(key)
        return job if job is not None and job.result is not None else None

    def _work(self, job: MapJob, n_points: int, fit, rebuild) -> None:
        path = self.folder / _file_name(job.key)
        try:
            coords = load_coords(path, n_points)
            if coords is not None:
                job.update(phase="reading the saved map", coords=coords)
                result = rebuild(coords)
            else:
                result = fit(job)
                with self._lock:
                    self.fits += 1
                job.fitted = True
                try:
                    save_coords(path, result.coords)
                except OSError:
                    pass  # a read-only disk only costs the next restart a fit
            job.update(result=result, coords=result.coords, phase="done")
        except Exception as exc:  # reported to every page waiting on the job
            job.update(error=exc, phase="failed")
        with self._lock:
            self._evict()

    def _evict(self) -> None:
        def size(j):
            return _job_bytes(j)

        total = sum(size(j) for j in self._jobs.values())
        for key in list(self._jobs):
            if total <= self.max_bytes or len(self._jobs) <= 1:
                break
            j = self._jobs[key]
            if j.finished:
                total -= size(j)
                del self._jobs[key]

    def nbytes(self) -> int:
        """Bytes of coordinates held by the jobs in memory."""
        with self._lock:
            return sum(_job_bytes(j) for j in self._jobs.values())
