"""The shared sidebar: one function every page calls first.

Streamlit forgets a widget's value when the page changes, so every value is
also kept under a non-widget key (``_keep_<key>``), copied there whenever the
widget changes and put back before the widget is drawn. The values are
mirrored to the URL, and a new session starts from the URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from . import classroom, registry, startup
from . import settings as S
from .settings import KEYS, Settings

_KEEP = "_keep_"
_MARKDOWN = re.compile(r"([\\`*_\[\]()!<>#|~$:{}&])")
_READY = "_kmlab_ready"
REJECTED = "_kmlab_rejected"

HELP = S.HELP


ROOT = Path(__file__).resolve().parent.parent


def plain(text: str) -> str:
    """``text`` on one line with Markdown's active characters backslash-escaped (links,
    images, autolinks, HTML, emphasis, code, maths, colours, emoji): shown as written."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.splitlines()))


INERT_CHARS = 60  # characters of a rejected link value shown


def inert(text: str, limit: int = INERT_CHARS) -> str:
    """``text`` as a Markdown code span: shown as written, never a link, image or HTML.

    Backslash escapes are not enough: the renderer still autolinks a bare domain
    (``www.example.org``) or an e-mail address left after escaping; nothing inside
    a code span is parsed. The text is cut to ``limit`` characters (an ellipsis
    says so) and put on one line; the fence is one backtick longer than the
    longest run of backticks inside, as CommonMark asks.
    """
    one_line = " ".join(str(text).split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    longest = max((len(m) for m in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") or not one_line else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def _navigation() -> None:
    for p in registry.PAGES:
        if (ROOT / p.path).exists():
            st.page_link(p.path, label=p.label, icon=p.icon)
    st.divider()


def _keep(key: str) -> None:
    st.session_state[_KEEP + key] = st.session_state[key]


def _history_navigation() -> bool:
    """Whether this run was started by the browser's Back or Forward button.

    Streamlit's frontend reruns the page with the restored entry's query string
    on ``popstate`` and marks that rerun (``rerunScript.isHistoryNavigation``);
    while it lasts, query-string writes replace the entry instead of pushing one.
    """
    ctx = get_script_run_ctx()
    return bool(ctx is not None and getattr(ctx, "is_history_navigation", False))


def _page() -> str:
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


def _start_session() -> None:
    """Start from the URL on a session's first run and on Back/Forward; else keep.

    Every settings change writes the URL, which adds a browser history entry.
    Back reruns the page with the older URL: the URL then wins over the kept
    values, so Back restores the settings of that entry.
    """
    ss = st.session_state
    if ss.get(_READY) and not _history_navigation():
        return
    settings, rejected = S.from_query(st.query_params.to_dict())
    for key in KEYS:
        ss[_KEEP + key] = getattr(settings, key)
    ss[REJECTED] = rejected
    ss[_READY] = True


def _page_address() -> str:
    """This page's address path ("" for Home)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return ""
    info = ctx.pages_manager.get_pages().get(ctx.page_script_hash, {})
    name = info.get("url_pathname", "")
    return "" if info.get("page_script_hash") == ctx.pages_manager.main_script_hash else name


def _open_link(query: Mapping[str, str]) -> None:
    """Take ``query`` as if this session had just opened it as a link (a follower taking
    its teacher's screen): settings and page controls are read from it again."""
    ss = st.session_state
    st.query_params.from_dict(dict(query))
    ss[_READY] = False
    for key in [k for k in ss if k.startswith(_KEEP) and k[len(_KEEP) :] not in KEYS]:
        del ss[key]
    ss[_URL] = dict(query)
    _start_session()


def page_state() -> S.PageState:
    """The state of the running page: its address, the kept settings, and its controls
    that differ from their defaults (as they appear in its link)."""
    ss, page = st.session_state, _page()
    settings = Settings(**{k: ss[_KEEP + k] for k in KEYS})
    controls = tuple(
        sorted(
            (key, c.encode(ss[_KEEP + key]))
            for key, c in _CONTROLS.items()
            if c.page == page and _KEEP + key in ss and ss[_KEEP + key] != c.default
        )
    )
    return S.PageState(_page_address(), settings, controls)


def restore_state(state: S.PageState) -> None:
    """Take ``state``'s settings and controls as this session's own (the widgets show them
    when next drawn); controls this page does not know are ignored."""
    _start_session()
    ss = st.session_state
    for key in KEYS:
        ss[_KEEP + key] = getattr(state.settings, key)
    given = dict(state.controls)
    for key, c in _CONTROLS.items():
        if key in given:
            value = c.decode(given[key])
            if value is not None:
                ss[_KEEP + key] = value
        elif _KEEP + key in ss and c.page == _page():
            ss[_KEEP + key] = c.default


def set_values(**values) -> None:
    """Change settings from code (presets, "use digits instead" buttons).

    Only the kept values change: the sidebar puts them into its widgets when it
    is next drawn, so this works before or after the widgets of this run exist.
    """
    _start_session()
    for key, value in values.items():
        if key not in KEYS:
            raise KeyError(key)
        st.session_state[_KEEP + key] = value


def _widget(kind, label, key, *, allowed=None, **kwargs):
    """Draw one setting's widget from its kept value.

    With ``allowed`` (the values that act on this page), a kept value outside it
    is shown and used as ``allowed[0]`` on this page only: the kept value, and so
    the other pages and the link, stay as the user set them.
    """
    value = st.session_state[_KEEP + key]
    if allowed is not None and value not in allowed:
        value = allowed[0]
    st.session_state[key] = value
    return kind(label, key=key, on_change=_keep, args=(key,), help=HELP.get(key), **kwargs)


_WIDGETS = {
    "selectbox": st.selectbox,
    "radio": st.radio,
    "select_slider": st.select_slider,
    "slider": st.slider,
    "toggle": st.toggle,
    "number": st.number_input,
}


def _draw(setting: S.Setting, options: Mapping, drawn: dict) -> None:
    """Draw one setting's widget as :data:`ui.settings.TABLE` describes it.

    ``options`` are the page's narrower choices (see :func:`sidebar`); ``drawn``
    collects the values in use, which later settings may depend on.
    """
    ss = st.session_state
    values = {k: ss[_KEEP + k] for k in KEYS} | drawn
    if setting.when is not None and not setting.when(values):
        return
    key, kwargs = setting.key, {}
    if setting.choices is not None:
        if setting.text_for is not None:
            name = partial(setting.text_for, v=values)
        else:
            name = setting.text
        allowed = options.get(key)
        if allowed is None:
            kwargs = {"options": list(setting.choices), "format_func": name}
        else:
            names = allowed if isinstance(allowed, Mapping) else None
            kwargs = {
                "options": list(allowed),
                "format_func": names.get if names else name,
                "allowed": list(allowed),
            }
        if setting.inline:
            kwargs["horizontal"] = True
    elif setting.bounds is not None:
        kwargs = {"min_value": setting.bounds[0], "max_value": setting.bounds[1]}
        if setting.widget == "number":
            kwargs["step"] = 1
    _widget(_WIDGETS[setting.widget], setting.label, key, **kwargs)
    drawn[key] = ss[key]
    if setting.note is not None:
        line = setting.note(values | drawn)
        if line:
            st.caption(line)


# What each setting is called in sentences (the starts are never listed: the page sets them).
_NAMES = {st_.key: st_.name for st_ in S.TABLE if st_.widget}


def sidebar(
    uses: tuple[str, ...] | None = None, options: Mapping[str, Any] | None = None
) -> Settings:
    """Draw the sidebar and return the settings in use on this page.

    Parameters
    ----------
    uses : tuple of str, optional
        The settings that act on this page (keys of :data:`ui.settings.KEYS`);
        only these are drawn. None: every setting (the data-set pages).
    options : mapping, optional
        For a setting whose choices on this page are fewer than the sidebar's:
        key -> the allowed values, or a mapping value -> label to name them as
        this page does. A kept value outside them is used as the first allowed
        value here, and said so, without changing it for the other pages.

    Returns
    -------
    Settings
        The kept settings, with the values this page uses in place of those it
        does not allow.
    """
    startup.start()
    classroom.begin(_open_link, _page_address())
    _start_session()
    ss = st.session_state
    # Captions name what a picture shows: as large as the text on the pictures (16 px on a
    # projector), not Streamlit's 14 px; values quoted as code in notices (link values, file
    # names) as large as the sentence around them, not 12 px.
    st.html(
        "<style>[data-testid='stCaptionContainer'],[data-testid='stImageCaption']"
        "{font-size:1rem}[data-testid='stAlert'] code,[data-testid='stCaptionContainer'] code"
        "{font-size:0.95em}</style>"
    )
    options = dict(options or {})
    shown = set(KEYS if uses is None else uses)
    unknown = shown - set(KEYS) | set(options) - set(KEYS)
    if unknown:
        raise KeyError(f"not sidebar settings: {sorted(unknown)}")

    with st.sidebar:
        _navigation()
        classroom.panel(page_state())
        if ss.get(REJECTED):
            # First in the sidebar, so that it is seen on a projector's first screen. Link
            # values are untrusted: each is shown inert, in a code span (no live links, no
            # remote images, no autolinked domains or addresses).
            st.warning("Ignored from the link: " + ", ".join(map(inert, ss[REJECTED])))
        st.header("Settings")
        drawn = {}  # values in use so far, for the settings that depend on them
        for setting in S.TABLE:
            if setting.advanced or not setting.widget or setting.key not in shown:
                continue
            _draw(setting, options, drawn)
        advanced = [s for s in S.TABLE if s.advanced and s.key in shown]
        if advanced:
            with st.expander("Advanced"):
                for setting in advanced:
                    _draw(setting, options, drawn)
        elsewhere = [name for key, name in _NAMES.items() if key not in shown]
        if elsewhere:
            st.caption(
                "Only the settings that act on this page are shown; "
                f"{_series(elsewhere)} act on the other pages and are kept."
            )
        st.caption("Share these settings: copy the address bar.")
    kept = Settings(**{k: ss[_KEEP + k] for k in KEYS})
    in_use = {}
    for key, allowed in options.items():
        if key in shown and getattr(kept, key) not in allowed:
            in_use[key] = next(iter(allowed))
            label = allowed[in_use[key]] if isinstance(allowed, Mapping) else in_use[key]
            st.sidebar.caption(
                f"{_NAMES[key].capitalize()}: {plain(str(_label(key, getattr(kept, key))))} "
                f"does not apply on this page, so it uses {plain(str(label))}; the other "
                "pages keep yours."
            )
    url = st.query_params.to_dict()
    ss[_URL] = url
    query = {**kept.to_query(), **_page_query(url)}
    if url != query:
        st.query_params.from_dict(query)
    classroom.publish(page_state())
    return replace(kept, **in_use)


def _label(key: str, value) -> str:
    return S.SETTINGS[key].text(value)


def _series(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ---- page controls in the URL --------------------------------------------------------------

_URL = "_kmlab_url"  # the query string at the start of this run, before sidebar() wrote it
_PAGE_REJECTED = "_kmlab_page_rejected"


@dataclass(frozen=True)
class _Control:
    """How one page control is written to and read from the URL (the same for every session)."""

    page: str
    default: Any
    codec: S.Codec

    def encode(self, value) -> str:
        return self.codec.encode(value)

    def decode(self, raw: str):
        """The value, or None when the text is not a valid value."""
        return self.codec.decode(raw)


# Filled by page_control as pages draw their controls; static facts about the app.
_CONTROLS: dict[str, _Control] = {}


def _page_query(url: dict) -> dict[str, str]:
    """This page's controls as URL parameters: kept values that differ from the default.

    A control this session has not drawn yet keeps the link's text, so
    page_control can read it; controls this process has never seen (first visit
    since the server started) keep every unknown parameter for the same reason.
    """
    ss, page, out = st.session_state, _page(), {}
    mine = {k: c for k, c in _CONTROLS.items() if c.page == page}
    for key, c in mine.items():
        if _KEEP + key in ss and not _history_navigation():
            if ss[_KEEP + key] != c.default:
                out[key] = c.encode(ss[_KEEP + key])
        elif key in url:
            out[key] = url[key]
    if not mine:
        out.update({k: v for k, v in url.items() if k not in KEYS and k not in _CONTROLS})
    return out


def _make_control(default, kwargs) -> _Control:
    """A page control's URL form, by the same codec as the sidebar's settings."""
    if "options" in kwargs:
        c = S.codec(default, choices=tuple(kwargs["options"]))
    elif isinstance(default, bool):
        c = S.codec(default)
    else:
        c = S.codec(
            default, bounds=(kwargs["min_value"], kwargs["max_value"]), step=kwargs.get("step")
        )
    return _Control(_page(), list(default) if isinstance(default, list) else default, c)


def set_control(key: str, value) -> None:
    """Change a page control's value from code (a callback): its widget shows it when next
    drawn, and the link follows."""
    st.session_state[_KEEP + key] = value


def page_control(kind, label: str, *, key: str, default, **kwargs):
    """Draw a page's widget so that its value lives in the URL and survives page switches.

    The same keep/restore scheme as the sidebar: the value is kept under
    ``_keep_<key>``, restored before the widget is drawn, read from the link on
    the session's first visit and on Back/Forward, and written to the URL when
    it differs from ``default`` (so plain links stay short).

    Parameters
    ----------
    kind : callable
        The Streamlit widget function, e.g. ``st.slider`` or ``column.radio``.
    label : str
    key : str
        Widget key and URL parameter name.
    default
        The value when neither the session nor the link has one.
    **kwargs
        Passed to the widget (``options``, ``min_value``, ``format_func``, ...);
        not ``value``/``default``/``index``.

    Returns
    -------
    The widget's value.
    """
    ss = st.session_state
    control = _CONTROLS.get(key)
    if control is None or control.page != _page():
        control = _CONTROLS[key] = _make_control(default, kwargs)
    keep = _KEEP + key
    rejected = ss.setdefault(_PAGE_REJECTED, {})
    if keep not in ss or _history_navigation():
        url = ss.get(_URL, {})
        value = default
        if key in url:
            parsed = control.decode(url[key])
            if parsed is None:
                rejected[key] = url[key]
            else:
                value = parsed
        ss[keep] = value
    ss[key] = ss[keep]
    out = kind(label, key=key, on_change=_keep, args=(key,), **kwargs)
    text = None if ss[keep] == default else control.encode(ss[keep])
    if st.query_params.get(key) != text:
        if text is None:
            del st.query_params[key]
        else:
            st.query_params[key] = text
    if key in rejected:
        st.warning(f"Ignored from the link: {inert(f'{key}={rejected[key]}')}")
    return out
