"""How the server process hands memory back to the system (glibc's malloc, via ctypes).

Every Streamlit tab runs its script in a thread, and glibc gives threads their
own heaps ("arenas"). Freed memory stays in those heaps, and after a large
block is freed glibc raises its mmap threshold (up to 32 MB), so the next
image-sized arrays are carved from the heaps too and are never returned: the
server then stays near its peak long after the tabs closed (1.7 GB measured
30 s after five uploads). Two remedies, both no-ops where glibc is absent:

* :func:`configure` fixes the mmap threshold at 1 MB: every block of 1 MB or
  more (image arrays, encoded files) gets its own mapping and goes back to the
  system the moment it is freed;
* :func:`release` (``malloc_trim(0)``) returns the free pages still held in
  the heaps; it is called after big image work.

Streamlit also runs a full garbage collection after every script run
(``runner.postScriptGC``), holding the interpreter lock while it walks every
object in the process: about 0.1-0.2 s with the libraries loaded, for every
rerun of every tab, while the other tabs wait. :func:`freeze_imports` moves
the objects of the loaded libraries out of its reach once (``gc.freeze``).
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import threading

M_MMAP_THRESHOLD = -3  # mallopt parameter numbers from glibc's malloc.h
MMAP_THRESHOLD = 1 << 20

try:
    _LIBC = ctypes.CDLL("libc.so.6")
except OSError:  # not glibc (macOS, musl): nothing to tune
    _LIBC = None


def configure() -> bool:
    """Fix glibc's mmap threshold at 1 MB; True if it was set."""
    if _LIBC is None or not hasattr(_LIBC, "mallopt"):
        return False
    return bool(_LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release() -> None:
    """Hand the free pages of every heap back to the system (``malloc_trim(0)``)."""
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)


# The libraries the pages load; imported before the freeze so that their objects are frozen.
LIBRARIES = (
    "numpy",
    "scipy.spatial",
    "sklearn.cluster",
    "openTSNE",
    "PIL.Image",
    "plotly.graph_objects",
    "plotly.io",
    "streamlit",
)
_FREEZE_LOCK = threading.Lock()
_FROZEN: list[int] = []


def freeze_imports(libraries=LIBRARIES) -> int:
    """Once per process: import ``libraries`` and freeze every live object (``gc.freeze``).

    Frozen objects are skipped by the cyclic garbage collector (reference counting
    still frees them): the full collection Streamlit runs after every script run
    then walks only what the sessions created. Returns the number of objects frozen
    (0 on later calls).
    """
    with _FREEZE_LOCK:
        if _FROZEN:
            return 0
        for name in libraries:
            importlib.import_module(name)
        gc.collect()
        gc.freeze()
        _FROZEN.append(gc.get_freeze_count())
        return _FROZEN[0]
