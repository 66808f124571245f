"""A class that follows its teacher: the room's panel in the sidebar, following, questions.

A teacher presses "Present to the class"; the room (see :mod:`rooms`) then holds what
the teacher's screen shows: the page, its link's settings and controls, the player's
position, the Compression tab. Every follower's page applies it as if the teacher's link
had been opened, and reruns only when the room changes (see :mod:`ui.results.rooms`).
The teacher's secret lives in the teacher's session and a cookie of the teacher's
browser (so a reload gets the room back), never in the link.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

import rooms as R

from . import registry
from .results import rooms as live

ROOM = "_kmlab_room"  # {"code", "role": "teacher" | "follower", "secret", "own"}
_POS = "_kmlab_room_pos"  # the teacher's player position, as the player reported it
_ASKED = "_kmlab_room_asked"  # the teacher's question, with its right answer
_ANSWERED = "_kmlab_room_answered"  # this screen's answers, by question id
_GOTO = "_kmlab_room_goto"  # where the teacher's own player jumps (after a reveal)
_NOTICE = "_kmlab_room_notice"
_SHOWN = "_kmlab_room_shown"  # the teacher's view as last sent (page, link, tab)
COOKIE = "kmlab_room"
PANEL = "class_"  # the keys of the class panel's widgets begin with it
JOIN_PARAM = "room"

_COOKIE = st.components.v2.component(
    "kmlab_room_cookie",
    js="export default function (c) {"
    " if (c.data && c.data.cookie) document.cookie = c.data.cookie; }",
)


def _sid() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "bare"


def _room() -> dict | None:
    return st.session_state.get(ROOM)


def presenting() -> bool:
    """Whether this screen drives a room."""
    r = _room()
    return bool(r and r["role"] == "teacher")


def following() -> bool:
    """Whether this screen follows a room now (not exploring on its own)."""
    r = _room()
    return bool(r and r["role"] == "follower" and not r.get("own"))


def _remember(value: str) -> None:
    """The room in a cookie of this browser (a reload keeps it); "" forgets it."""
    age = 2 * 3600 if value else 0
    _COOKIE(
        key=f"room_cookie_{value[:8]}",
        data={"cookie": f"{COOKIE}={value}; path=/; max-age={age}; SameSite=Strict"},
    )


# ---- the start of every run: join, come back, apply the teacher's screen -------------


def begin(apply, here: str) -> None:
    """Join from a link's code or this browser's cookie; on a follower, take the teacher's
    latest screen. Called by the sidebar before it reads the session's settings.

    Parameters
    ----------
    apply : callable
        ``apply(query)`` makes a link's query this session's state (the sidebar's).
    here : str
        The running page's address ("" for Home).
    """
    ss = st.session_state
    typed = st.query_params.get(JOIN_PARAM)
    if typed is not None:
        del st.query_params[JOIN_PARAM]
        _join(typed)
    elif ROOM not in ss:
        ss[ROOM] = None
        _come_back(st.context.cookies.get(COOKIE, ""))
    r = _room()
    if r is None:
        return
    try:
        _follow(r, apply, here)
    except R.RoomError as exc:
        ss[_NOTICE] = f"The class cannot be reached: {exc}. Your screen stays as it is."


def _follow(r: dict, apply, here: str) -> None:
    ss = st.session_state
    store = live.store()
    room = store.get(r["code"])
    if str(ss.get(_NOTICE) or "").startswith("The class cannot be reached"):
        ss[_NOTICE] = None  # reached again
    if room is None or room.ended:
        _ended(r)
        return
    if r.get("own"):
        return  # exploring on its own: neither counted in the room nor woken by it
    live.watch(r["code"], _sid(), r["role"])
    live.live_fragment(_sid(), None)  # the page registers its live fragment when drawn
    if r["role"] != "follower":
        return
    state = room.state
    page = registry.BY_ADDRESS.get(state.get("page", ""))
    if page is not None and page.address != here:
        # A follower is always on its teacher's page, whatever run of another page starts
        # (a rerun woken by another change can begin on the page the tab showed before).
        st.switch_page(page.path)
    if (room.version, here) != r.get("applied"):
        r["applied"] = (room.version, here)
        apply(state.get("query", {}))
        if state.get("tab"):
            ss["compress_tab"] = state["tab"]
    live.drew(_sid(), room, r["role"], view=True)


def _join(typed: str) -> None:
    ss = st.session_state
    try:
        room = live.store().find(typed, _sid())
    except R.RoomError as exc:
        ss[_NOTICE] = f"Could not join: {exc}."
        return
    _leave_quietly()
    ss[ROOM] = {"code": room.code, "role": "follower", "applied": None}
    ss[_NOTICE] = None
    _remember(f"F:{room.code}")


def _come_back(cookie: str) -> None:
    """A reload: a teacher's cookie holds the room's code and secret, a follower's the code."""
    parts = cookie.split(":")
    if len(parts) == 3 and parts[0] == "T" and live.store().drives(parts[1], parts[2]):
        st.session_state[ROOM] = {"code": parts[1], "role": "teacher", "secret": parts[2]}
    elif len(parts) == 2 and parts[0] == "F" and live.store().get(parts[1]) is not None:
        st.session_state[ROOM] = {"code": parts[1], "role": "follower", "applied": None}


def _ended(r: dict) -> None:
    ss = st.session_state
    live.unwatch(_sid())
    ss[ROOM] = None
    if r["role"] == "follower":
        ss[_NOTICE] = "The class has ended. What you see stays yours to explore."
    _remember("")


def _leave_quietly() -> None:
    if _room() is not None:
        live.unwatch(_sid())


# ---- the teacher's side ---------------------------------------------------------------


def publish(page_state) -> None:
    """On a teacher's screen: show the room this run's page (called once the settings are
    known). Followers are woken only when it differs from what the room shows."""
    r = _room()
    if not presenting():
        return
    state = st.session_state[_SHOWN] = _view(page_state)
    _send(r, state)


def _view(page_state) -> dict:
    """What a room shows of the teacher's page: its address, its link, its Compression tab."""
    state = {"page": page_state.page, "query": page_state.to_query()}
    tab = st.session_state.get("compress_tab")
    if page_state.page == "Compression" and tab:
        state["tab"] = tab
    return state


def _send(r: dict, state: dict) -> None:
    ss = st.session_state
    pos = ss.get(_POS)
    if pos:
        state = {**state, "pos": pos}
    try:
        live.store().publish(r["code"], r["secret"], state)
    except R.RoomError as exc:
        ss[_NOTICE] = f"The room stopped: {exc}."
        _ended(r)


def live_part() -> None:
    """Called first in a page's live fragment (the player, the question): registers it, so
    that a change of position or of answers reruns only it on the screens of the room; on
    the teacher's screen, sends the player's position (a move reruns only the fragment)."""
    r = _room()
    if r is None or (r["role"] == "follower" and r.get("own")):
        return
    ctx = get_script_run_ctx()
    live.live_fragment(_sid(), ThreadState.get().fragment_id if ctx is not None else None)
    if presenting() and st.session_state.get(_SHOWN) is not None:
        _send(r, st.session_state[_SHOWN])
    room = live.store().get(r["code"])
    if room is not None:
        live.drew(_sid(), room, r["role"])


def _start(page_state) -> None:
    ss = st.session_state
    try:
        code, secret = live.store().create(_view(page_state))
    except R.RoomError as exc:
        ss[_NOTICE] = f"Could not start a room: {exc}."
        return
    ss[ROOM] = {"code": code, "role": "teacher", "secret": secret}
    ss["_kmlab_show_code"] = True
    _remember(f"T:{code}:{secret}")


def _end() -> None:
    r = _room()
    try:
        live.store().end(r["code"], r["secret"])
    except R.RoomError:
        pass
    live.unwatch(_sid())
    st.session_state[ROOM] = None
    st.session_state.pop(_ASKED, None)
    _remember("")


def join_link(code: str) -> str:
    """The address a student opens to join (the app's home with the code)."""
    url = st.context.url or "http://localhost:8501/"
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", urlencode({JOIN_PARAM: code}), ""))


def qr_png(text: str, scale: int = 12) -> bytes:
    """A QR code of ``text`` as PNG (segno; error correction M, a 4-module quiet zone)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


@st.dialog("Join the class", width="large")
def _show_code(code: str) -> None:
    link = join_link(code)
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.image(qr_png(link), width=440)
    right.markdown(
        f"<div class='kmlab-join'>Scan, or open<br><b>{link.split('://', 1)[-1].split('/')[0]}"
        f"</b><br>and type the code<div class='kmlab-code'>{code}</div></div>",
        unsafe_allow_html=True,
    )
    right.code(link, language=None)


# ---- the panel in the sidebar ---------------------------------------------------------


def panel(page_state) -> None:
    """The class's panel, at the top of the sidebar: start or join a room; in one, its code
    and count, and the teacher's or the follower's buttons."""
    ss = st.session_state
    st.html(
        "<style>.kmlab-code{font:700 4.5rem/1.1 ui-monospace,monospace;letter-spacing:.12em;"
        "margin-top:.3em}.kmlab-join{font-size:1.6rem;line-height:1.5}</style>"
    )
    if ss.get(_NOTICE):
        st.warning(ss[_NOTICE])
    r = _room()
    try:
        room = live.store().get(r["code"]) if r else None
    except R.RoomError as exc:
        st.warning(f"The class cannot be reached: {exc}.")
        return
    if r is None or room is None:
        with st.expander("Teach a class", icon=":material/co_present:"):
            st.button(
                "Present to the class",
                icon=":material/cast_for_education:",
                on_click=_start,
                args=(page_state,),
                help="Every student who joins sees what you see: page, settings, "
                "player position. You can ask them questions before the answer is shown.",
                width="stretch",
            )
            with st.form(f"{PANEL}join", border=False, enter_to_submit=True):
                typed = st.text_input("Or join a class: its code", max_chars=16, key=f"{PANEL}code")
                if st.form_submit_button("Join", width="stretch"):
                    _join(typed)
                    st.rerun()
        return
    live.drew(_sid(), room, r["role"], count=True)
    if r["role"] == "teacher":
        st.success(
            f"**Presenting** · code **{room.code}** · "
            f"{room.followers} {'student follows' if room.followers == 1 else 'students follow'}",
            icon=":material/cast_for_education:",
        )
        a, b = st.columns(2)
        if a.button("Join code", icon=":material/qr_code_2:", width="stretch"):
            ss["_kmlab_show_code"] = True
        b.button("End class", on_click=_end, width="stretch")
        if ss.pop("_kmlab_show_code", False):
            _show_code(room.code)
        return
    if r.get("own"):
        st.info(
            f"**Exploring on your own** · class {room.code} goes on without you "
            f"({room.followers} following)",
            icon=":material/explore:",
        )
        st.button(
            "Back to the teacher", on_click=_back, type="primary", width="stretch",
            icon=":material/co_present:",
        )  # fmt: skip
        return
    n = room.followers
    # The count is as of this page's last whole run: a follower is not rerun at every join.
    st.info(
        f"**Following the teacher** · class {room.code} · "
        f"{n} {'screen was' if n == 1 else 'screens were'} in the room when this page "
        "was drawn. Your screen changes when the teacher's does.",
        icon=":material/co_present:",
    )
    st.button("Explore on my own", on_click=_own, width="stretch", icon=":material/explore:")


def _own() -> None:
    r = _room()
    r["own"] = True
    live.unwatch(_sid())


def _back() -> None:
    r = _room()
    r["own"] = False
    r["applied"] = None
    live.watch(r["code"], _sid(), "follower")


# ---- the player -------------------------------------------------------------------------


def player_position(run_id: str) -> dict | None:
    """Where this screen's player must stand: the teacher's position on a follower (when the
    teacher's player shows the same run), or the teacher's own after a reveal."""
    ss = st.session_state
    goto = ss.pop(_GOTO, None)
    if goto is not None:
        return goto
    if not following():
        return None
    room = live.store().get(_room()["code"])
    pos = room.state.get("pos") if room else None
    if pos and pos.get("run", "").startswith(run_id):
        return {**pos, "n": room.version}
    return None


def teacher_position(run_id: str) -> int | None:
    """The teacher's player position on the run ``run_id`` (play view), if it reported one."""
    pos = st.session_state.get(_POS)
    if pos and pos.get("run") == f"{run_id}|play":
        return int(pos["pos"])
    return 0 if pos is None or not str(pos.get("run", "")).startswith(run_id) else None


def note_position(key: str) -> None:
    """The teacher's player moved (its ``pos`` state): the room shows it on this run."""
    value = (st.session_state.get(key) or {}).get("pos")
    if value is not None:
        st.session_state[_POS] = value


# ---- questions ---------------------------------------------------------------------------


def question_room() -> tuple[dict, R.Room] | None:
    """This screen's room and its record, when it is in one (teacher or follower)."""
    r = _room()
    if r is None or (r["role"] == "follower" and r.get("own")):
        return None
    room = live.store().get(r["code"])
    return (r, room) if room is not None else None


def _guarded(action):
    """A class button's callback: a room that ended or cannot be reached is said, not raised."""

    def run(*args):
        try:
            action(*args)
        except R.RoomError as exc:
            st.session_state[_NOTICE] = f"That did not reach the class: {exc}."

    run.__doc__ = action.__doc__
    return run


def ask(question: dict, shown: dict) -> None:
    """Teacher: ask the class ``question`` (its ``right`` answer stays on this screen)."""
    r = _room()
    public = {k: v for k, v in question.items() if k != "right"}
    public.update(shown)
    live.store().ask(r["code"], r["secret"], public)
    st.session_state[_ASKED] = question


def reveal(then_pos: dict | None = None) -> None:
    """Teacher: show the right answer on every screen (and step the players to it)."""
    r = _room()
    q = st.session_state.get(_ASKED)
    if q is None:
        return
    room = live.store().get(r["code"])
    if room is None:
        raise R.RoomError("this room has ended")
    state = dict(room.state)
    if then_pos is not None:
        state["pos"] = then_pos
        st.session_state[_POS] = then_pos
        st.session_state[_GOTO] = {**then_pos, "n": room.version + 1}
    live.store().reveal(r["code"], r["secret"], q["right"], state)


def close_question() -> None:
    """Teacher: take the question off every screen."""
    r = _room()
    live.store().close_question(r["code"], r["secret"])
    st.session_state.pop(_ASKED, None)


def answer(question_id: int, key: str) -> None:
    """Follower: send the option chosen in widget ``key``."""
    option = st.session_state.get(key)
    r = _room()
    if option is None or r is None:
        return
    if live.store().answer(r["code"], _sid(), question_id, str(option)):
        st.session_state.setdefault(_ANSWERED, {})[question_id] = str(option)


def my_answer(question_id: int) -> str | None:
    """What this screen answered to the question, if it did."""
    return st.session_state.get(_ANSWERED, {}).get(question_id)


ask = _guarded(ask)
reveal = _guarded(reveal)
close_question = _guarded(close_question)
answer = _guarded(answer)
