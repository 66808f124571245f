"""The shared sidebar: one function every page calls first.

Streamlit forgets a widget's value when the page changes, so every value is
also kept under a non-widget key (``_keep_<key>``), copied there whenever the
widget changes and put back before the widget is drawn. The values are
mirrored to the URL, and a new session starts from the URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import kmcore.init

from . import memory
from . import settings as S
from .settings import KEYS, Settings

_KEEP = "_keep_"
_MARKDOWN = re.compile(r"([\\`*_\[\]()!<>#|~$:{}&])")
_READY = "_kmlab_ready"
REJECTED = "_kmlab_rejected"

HELP = {
    "dataset": "Digits ship with scikit-learn and work offline; MNIST and Fashion-MNIST are "
    "downloaded once per split (MNIST: test 1.7 MB, train 10 MB; Fashion-MNIST: test 4.4 MB, "
    "train 26 MB). 2-D sets show the regions each centre owns.",
    "split": "MNIST has 60,000 training and 10,000 test images.",
    "sample": "A random sample with the same share of every class, so runs stay quick.",
    "k": "How many clusters (centroids) to look for.",
    "init": "How the starting centroids are chosen. Hierarchical clusters a "
    f"{kmcore.init.HIERARCHICAL_SAMPLE:,}-point sample with Ward linkage under L2 and average "
    "linkage under L1 and L∞, and starts from the means of its groups.",
    "metric": "The distance used to find each point's nearest centroid.",
    "balance": "Keep the same number of images of every class (the smallest class's count).",
    "tol": "Stop when no centroid moves farther than this (Euclidean, in pixel units 0-1).",
    "seed": "The same seed always gives the same run.",
    "max_iter": "Stop after this many iterations even if not converged.",
    "update": "Mean: k-means. Median (per pixel): k-medians, the update that suits L1.",
    "empty": "What happens to a centroid that gets no points.",
}


ROOT = Path(__file__).resolve().parent.parent
PAGES = (
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Centroids.py", "Centroids", ":material/grid_view:"),
    ("pages/2_Elbow.py", "Elbow", ":material/show_chart:"),
    ("pages/3_t-SNE.py", "t-SNE map", ":material/scatter_plot:"),
    ("pages/4_Compression.py", "Compression", ":material/palette:"),
    ("pages/5_Segmentation.py", "Segmentation", ":material/texture:"),
    ("pages/6_Experiments.py", "Experiments", ":material/science:"),
)


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
    for path, label, icon in PAGES:
        if (ROOT / path).exists():
            st.page_link(path, label=label, icon=icon)
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


# What each setting is called where the sidebar lists those that act on other pages only.
_NAMES = {
    "dataset": "data set",
    "k": "k",
    "init": "initialisation",
    "metric": "distance",
    "balance": "class balancing",
    "tol": "tolerance",
    "seed": "seed",
    "max_iter": "max iterations",
    "update": "update rule",
    "empty": "empty cluster",
}


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
    memory.freeze_imports()
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

    def choices(key, values, label):
        if key not in options:
            return {"options": list(values), "format_func": label}
        allowed = options[key]
        names = allowed if isinstance(allowed, Mapping) else None
        return {
            "options": list(allowed),
            "format_func": names.get if names else label,
            "allowed": list(allowed),
        }

    with st.sidebar:
        _navigation()
        st.header("Settings")
        if "dataset" in shown:
            _widget(
                st.selectbox,
                "Data set",
                "dataset",
                **choices("dataset", S.DATASET_LABELS, S.DATASET_LABELS.get),
            )
            if S.is_large(ss["dataset"]):
                _widget(
                    st.radio, "Split", "split", options=list(S.CHOICES["split"]), horizontal=True
                )
                _widget(
                    st.select_slider,
                    "Sample size",
                    "sample",
                    options=list(S.SAMPLES),
                    format_func=lambda n: "all" if n == 0 else f"{n:,}",
                )
                if ss["sample"] == 0 and ss["split"] == "train":
                    st.caption(
                        "All 60,000 images: about 200 MB of server memory and a few "
                        "seconds per run. A sample is enough to see the effects."
                    )
        if "k" in shown:
            _widget(st.slider, "k (clusters)", "k", min_value=1, max_value=S.K_MAX)
        if "init" in shown:
            _widget(
                st.selectbox,
                "Initialisation",
                "init",
                **choices(
                    "init", S.INIT_LABELS, partial(S.init_label, metric=ss[_KEEP + "metric"])
                ),
            )
        if "metric" in shown:
            _widget(
                st.radio,
                "Distance",
                "metric",
                horizontal=True,
                **choices("metric", S.METRIC_LABELS, S.METRIC_LABELS.get),
            )
        if "balance" in shown:
            _widget(st.toggle, "Balance classes", "balance")
        if "tol" in shown:
            _widget(
                st.select_slider,
                "Tolerance",
                "tol",
                options=list(S.TOLERANCES),
                format_func=lambda t: "0 (until nothing changes)" if t == 0 else f"{t:g}",
            )
        if "seed" in shown:
            _widget(st.number_input, "Seed", "seed", min_value=0, max_value=99_999, step=1)
        if shown & {"max_iter", "update", "empty"}:
            with st.expander("Advanced"):
                if "max_iter" in shown:
                    _widget(
                        st.select_slider, "Max iterations", "max_iter", options=list(S.MAX_ITERS)
                    )
                if "update" in shown:
                    _widget(
                        st.radio,
                        "Update rule",
                        "update",
                        options=["mean", "median"],
                        format_func={"mean": "mean (k-means)", "median": "median (k-medians)"}.get,
                    )
                if "empty" in shown:
                    _widget(
                        st.radio,
                        "Empty cluster",
                        "empty",
                        options=["keep", "farthest"],
                        format_func={
                            "keep": "leave it where it is",
                            "farthest": "move to the farthest point",
                        }.get,
                    )
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
    if ss.get(REJECTED):
        # Link values are untrusted: each is shown inert, in a code span (no live links,
        # no remote images, no autolinked domains or addresses).
        st.sidebar.warning("Ignored from the link: " + ", ".join(map(inert, ss[REJECTED])))
    url = st.query_params.to_dict()
    ss[_URL] = url
    query = {**kept.to_query(), **_page_query(url)}
    if url != query:
        st.query_params.from_dict(query)
    return replace(kept, **in_use)


def _label(key: str, value) -> str:
    labels = {"dataset": S.DATASET_LABELS, "init": S.INIT_LABELS, "metric": S.METRIC_LABELS}
    return labels.get(key, {}).get(value, value)


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
    encode: Callable[[Any], str]
    decode: Callable[[str], Any]  # None when the text is not a valid value


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


def _number(raw: str, like, lo, hi, step):
    value = type(like)(float(raw)) if isinstance(like, int) else float(raw)
    if isinstance(like, int) and str(value) != raw.strip():
        return None
    if not (lo <= value <= hi):
        return None
    if step and abs((value - lo) / step - round((value - lo) / step)) > 1e-9:
        return None
    return value


def _make_control(default, kwargs) -> _Control:
    if "options" in kwargs:
        by_text = {str(o): o for o in kwargs["options"]}
        if isinstance(default, list):
            return _Control(
                _page(),
                list(default),
                lambda v: ",".join(str(o) for o in v),
                lambda raw: (
                    (
                        [by_text[p] for p in raw.split(",")]
                        if all(p in by_text for p in raw.split(","))
                        else None
                    )
                    if raw
                    else []
                ),
            )
        return _Control(_page(), default, str, by_text.get)
    if isinstance(default, bool):
        return _Control(_page(), default, lambda v: "1" if v else "0", {"1": True, "0": False}.get)
    lo, hi = kwargs["min_value"], kwargs["max_value"]
    like = default[0] if isinstance(default, tuple) else default
    step = kwargs.get("step", 1 if isinstance(like, int) else None)

    def one(raw):
        try:
            return _number(raw, like, lo, hi, step)
        except (TypeError, ValueError, OverflowError):
            return None

    def text(v) -> str:
        return str(v) if isinstance(v, int) else f"{v:g}"

    if isinstance(default, tuple):

        def pair(raw):
            parts = [one(p) for p in raw.split(",")]
            ok = len(parts) == 2 and None not in parts and parts[0] <= parts[1]
            return tuple(parts) if ok else None

        return _Control(_page(), default, lambda v: ",".join(text(x) for x in v), pair)
    return _Control(_page(), default, text, one)


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
