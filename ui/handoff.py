"""Computing a cached value outside its cache, so the computation can draw progress.

Streamlit replays the elements a cached function drew; an element drawn into a
container made outside the function (a progress bar, a live chart) cannot be
replayed and breaks the next cache hit. So a cached function here never
computes anything slow itself: it returns a value handed to it, and raises
:class:`NotComputed` on a miss. :func:`compute_once` then computes the value in
the page's own run (with progress), hands it over and calls the cached
function again, which stores it. A lock per key makes concurrent sessions
wait for one computation instead of repeating it.
"""

from __future__ import annotations

import threading
from collections import defaultdict

_HANDOFF: dict = {}
_LOCKS: defaultdict = defaultdict(threading.Lock)
_LOCKS_GUARD = threading.Lock()


class NotComputed(Exception):
    """Raised inside a cached function when its value must be computed outside it."""


def handed_off(name: str, args: tuple):
    """Inside a cached function: the value handed over for ``args``, or NotComputed."""
    try:
        return _HANDOFF[(name, args)]
    except KeyError:
        raise NotComputed(name) from None


def compute_once(cached, name: str, args: tuple, compute):
    """``cached(*args)``, computing the value with ``compute()`` on a miss.

    Parameters
    ----------
    cached : callable
        A ``st.cache_*`` function whose body is ``return handed_off(name, args)``.
    name : str
    args : tuple
        Hashable arguments of ``cached``.
    compute : callable
        Makes the value; may draw Streamlit elements (it runs outside any cache).
    """
    try:
        return cached(*args)
    except NotComputed:
        pass
    with _LOCKS_GUARD:
        lock = _LOCKS[(name, args)]
    with lock:
        try:
            return cached(*args)  # another session may have finished it meanwhile
        except NotComputed:
            pass
        _HANDOFF[(name, args)] = compute()
        try:
            return cached(*args)
        finally:
            _HANDOFF.pop((name, args), None)
