"""The process's rooms, and the screens of this process that show them.

A room's followers must not poll: each rerun of a Streamlit page costs its server
tens of milliseconds, so thirty screens asking every second would take a core.
Instead every change of a room is announced (in this process, or through Redis
from another replica), and only the sessions here that show that room are rerun,
and only when what they drew is out of date. A screen that nothing changes for
costs nothing.

Waking a session uses Streamlit's runtime the way its own "run on save" does
(``AppSession.request_rerun`` with the session's last client state, on the
server's event loop), so it works under ``streamlit run``.
"""

from __future__ import annotations

import threading
import time

import rooms as R

_LOCK = threading.Lock()
_STORE: list[R.Rooms] = []
# code -> {session id: "teacher" | "follower"}; session id -> what it last drew.
_SCREENS: dict[str, dict[str, str]] = {}
_DRAWN: dict[str, tuple] = {}
SWEEP_SECONDS = 20.0
RECHECK_SECONDS = 0.3


def store() -> R.Rooms:
    """The rooms of this deployment (``KMLAB_ROOMS``), made once per process."""
    with _LOCK:
        if not _STORE:
            rooms = R.open_rooms()
            rooms.listen(_changed)
            _STORE.append(rooms)
            threading.Thread(target=_sweep, name="kmlab-rooms", daemon=True).start()
        return _STORE[0]


def watch(code: str, session_id: str, role: str) -> None:
    """This process's session ``session_id`` shows room ``code`` (as teacher or follower)."""
    with _LOCK:
        for other, screens in _SCREENS.items():
            if other != code:
                screens.pop(session_id, None)
        _SCREENS.setdefault(code, {})[session_id] = role
    if role == "follower":
        store().follow(code, session_id)


def unwatch(session_id: str) -> None:
    """The session shows no room any more."""
    with _LOCK:
        codes = [c for c, screens in _SCREENS.items() if screens.pop(session_id, None)]
        _DRAWN.pop(session_id, None)
    for code in codes:
        store().leave(code, session_id)


def drawn(session_id: str, key: tuple) -> None:
    """What the session drew of its room (version, count, answers): waking it for the
    same again would be a wasted rerun."""
    with _LOCK:
        _DRAWN[session_id] = key


def drawn_key(room: R.Room) -> tuple:
    """What a screen's picture of a room depends on."""
    return (room.version, room.followers, tuple(sorted(room.answers.items())), room.ended)


def _sessions():
    from streamlit import runtime

    if not runtime.exists():
        return None, None
    rt = runtime.get_instance()
    return rt, rt._session_mgr  # no public way to rerun another session


def _changed(code: str) -> None:
    """A room changed (any thread): rerun this process's screens of it that are out of date."""
    with _LOCK:
        screens = dict(_SCREENS.get(code, {}))
    if not screens:
        return
    rt, manager = _sessions()
    if manager is None:
        return
    room = store().get(code)
    key = drawn_key(room) if room is not None else None
    loop = rt._get_async_objs().eventloop
    for sid in screens:
        if key is not None and _DRAWN.get(sid) == key:
            continue
        info = manager.get_active_session_info(sid)
        if info is not None:
            loop.call_soon_threadsafe(_wake, loop, info.session, code)


def _wake(loop, session, code: str) -> None:
    """On the server's event loop, where the browser's own rerun requests are handled too:
    rerun an idle session with its last client state (what its widgets held when its last
    run ended). A session with a run in progress or asked for (a click, a page switch) is
    not interrupted, since its request carries newer widget values than ours: it is looked
    at again once that run is over."""
    if session._scriptrunner is not None or session._state.value != "APP_NOT_RUNNING":
        loop.call_later(RECHECK_SECONDS, _recheck, code)
        return
    session.request_rerun(session._client_state)


def _recheck(code: str) -> None:
    threading.Thread(target=_changed, args=(code,), daemon=True).start()


def _sweep() -> None:
    """Every few seconds: followers whose tab closed leave their room (their teacher's count
    drops); live ones are counted again (with Redis, a replica that died stops counting)."""
    while True:
        time.sleep(SWEEP_SECONDS)
        try:
            sweep_once()
        except Exception:  # the sweep must outlive a store that is down
            pass


def sweep_once() -> None:
    """One pass of the sweep (tests call it instead of waiting)."""
    _, manager = _sessions()
    if manager is None:
        return
    with _LOCK:
        pairs = [(c, sid, role) for c, s in _SCREENS.items() for sid, role in s.items()]
    for code, sid, role in pairs:
        if manager.get_active_session_info(sid) is None:
            with _LOCK:
                _SCREENS.get(code, {}).pop(sid, None)
                _DRAWN.pop(sid, None)
            if role == "follower":
                store().leave(code, sid)
        elif role == "follower":
            store().follow(code, sid)
