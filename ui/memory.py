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
"""

from __future__ import annotations

import ctypes

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
