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
# code -> {session id: "teacher" | "follower"}.
_SCREENS: dict[str, dict[str, str]] = {}
# Per session: what it last drew of its room. The view (page, link, tab) and the count
# need a whole run of the page; the version and the answers (player position, question)
# only a run of the page's live fragment, when it has one.
_VIEW: dict[str, tuple] = {}
_COUNT: dict[str, int] = {}
_LIVE: dict[str, tuple] = {}
_FRAGMENT: dict[str, str] = {}
_PER_SESSION = (_VIEW, _COUNT, _LIVE, _FRAGMENT)
_RECHECKS: set[str] = set()  # rooms with a look again pending (touched on the event loop only)
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
        for table in _PER_SESSION:
            table.pop(session_id, None)
    for code in codes:
        store().leave(code, session_id)


def view_of(room: R.Room) -> tuple:
    """What of a room needs a whole run of a follower's page: the page, its link, its tab."""
    state = room.state
    query = tuple(sorted(state.get("query", {}).items()))
    return (state.get("page"), query, state.get("tab"), room.ended)


def live_of(room: R.Room, role: str = "teacher") -> tuple:
    """What of a room a page's live fragment draws: the version, and on the teacher's
    screen the answers (followers see no counts before the reveal, which is a version)."""
    if role != "teacher":
        return (room.version,)
    return (room.version, tuple(sorted(room.answers.items())))


def drew(
    session_id: str, room: R.Room, role: str, *, view: bool = False, count: bool = False
) -> None:
    """Record what the session drew of ``room`` (a whole run: ``view``/``count`` too)."""
    with _LOCK:
        _LIVE[session_id] = live_of(room, role)
        if view:
            _VIEW[session_id] = view_of(room)
        if count:
            _COUNT[session_id] = room.followers


def live_fragment(session_id: str, fragment_id: str | None) -> None:
    """The fragment of the session's page that draws the room's live part (None: none)."""
    with _LOCK:
        if fragment_id:
            _FRAGMENT[session_id] = fragment_id
        else:
            _FRAGMENT.pop(session_id, None)


def _sessions():
    from streamlit import runtime

    if not runtime.exists():
        return None, None
    rt = runtime.get_instance()
    return rt, rt._session_mgr  # no public way to rerun another session


def _changed(code: str) -> None:
    """A room changed (any thread): rerun this process's screens of it that are out of date,
    each as little as it needs (its live fragment, or its whole page)."""
    with _LOCK:
        screens = dict(_SCREENS.get(code, {}))
    if not screens:
        return
    rt, manager = _sessions()
    if manager is None:
        return
    room = store().get(code)
    loop = rt._get_async_objs().eventloop
    for sid, role in screens.items():
        with _LOCK:
            view, count, live, frag = (t.get(sid) for t in _PER_SESSION)
        if room is None:
            whole = True
        elif role == "follower":
            # A follower's count of the room is not worth thirty reruns at every join.
            whole = view != view_of(room)
        else:
            whole = count != room.followers or room.ended
        if not whole and live == live_of(room, role):
            continue
        info = manager.get_active_session_info(sid)
        if info is not None:
            loop.call_soon_threadsafe(_wake, loop, info.session, code, None if whole else frag)


def _wake(loop, session, code: str, fragment_id: str | None) -> None:
    """On the server's event loop, where the browser's own rerun requests are handled too:
    rerun an idle session with its last client state (what its widgets held when its last
    run ended), only ``fragment_id`` when given. A session with a run in progress or asked
    for (a click, a page switch) is not interrupted, since its request carries newer widget
    values than ours: it is looked at again once that run is over."""
    if session._scriptrunner is not None or session._state.value != "APP_NOT_RUNNING":
        if code not in _RECHECKS:  # one pending look per room, however many screens are busy
            _RECHECKS.add(code)
            loop.call_later(RECHECK_SECONDS, _recheck, code)
        return
    state = session._client_state
    if fragment_id and session.has_fragment(fragment_id):
        from streamlit.proto.ClientState_pb2 import ClientState

        scoped = ClientState()
        scoped.CopyFrom(state)
        scoped.fragment_id = fragment_id
        state = scoped
    session.request_rerun(state)


def _recheck(code: str) -> None:
    _RECHECKS.discard(code)  # on the event loop, as _wake
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
                for table in _PER_SESSION:
                    table.pop(sid, None)
            if role == "follower":
                store().leave(code, sid)
        elif role == "follower":
            store().follow(code, sid)
