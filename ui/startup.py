"""What a server process does once, before its first page: one explicit call, no import effects.

Every page calls :func:`ui.sidebar.sidebar` first, and it calls :func:`start`;
the later calls return at once.
"""

from __future__ import annotations

import threading

_LOCK = threading.Lock()
_STARTED: list[bool] = []


def start() -> bool:
    """Once per process: set how memory goes back to the system, move the loaded libraries
    out of the garbage collector's walks, and start computing the default t-SNE maps in the
    background (under ``streamlit run`` only). Returns True on the call that did it."""
    from .results import memory, tsne

    with _LOCK:
        if _STARTED:
            return False
        _STARTED.append(True)
    memory.configure()  # big blocks straight back to the system when freed
    memory.freeze_imports()
    tsne.warm_default_maps()
    return True
