"""The shared sidebar: one function every page calls first.

Streamlit forgets a widget's value when the page changes, so every value is
also kept under a non-widget key (``_keep_<key>``), copied there whenever the
widget changes and put back before the widget is drawn. The values are
mirrored to the URL, and a new session starts from the URL.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from . import settings as S
from .settings import KEYS, Settings

_KEEP = "_keep_"
_MARKDOWN = re.compile(r"([\\`*_\[\]()!<>#|~$:{}&])")
_READY = "_kmlab_ready"
REJECTED = "_kmlab_rejected"

HELP = {
    "dataset": "Digits ship with scikit-learn and work offline; MNIST and Fashion-MNIST are "
    "downloaded once (about 11 MB per split). 2-D sets show the regions each centre owns.",
    "split": "MNIST has 60,000 training and 10,000 test images.",
    "sample": "A random sample with the same share of every class, so runs stay quick.",
    "k": "How many clusters (centroids) to look for.",
    "init": "How the starting centroids are chosen.",
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


def _navigation() -> None:
    for path, label, icon in PAGES:
        if (ROOT / path).exists():
            st.page_link(path, label=label, icon=icon)
    st.divider()


def _keep(key: str) -> None:
    st.session_state[_KEEP + key] = st.session_state[key]


def _start_session() -> None:
    """First run of a session: start from the URL, else from the defaults."""
    ss = st.session_state
    if ss.get(_READY):
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


def _widget(kind, label, key, **kwargs):
    st.session_state[key] = st.session_state[_KEEP + key]
    return kind(label, key=key, on_change=_keep, args=(key,), help=HELP.get(key), **kwargs)


def sidebar() -> Settings:
    """Draw the sidebar and return the settings it holds.

    Returns
    -------
    Settings
    """
    _start_session()
    ss = st.session_state
    with st.sidebar:
        _navigation()
        st.header("Settings")
        _widget(
            st.selectbox,
            "Data set",
            "dataset",
            options=list(S.DATASET_LABELS),
            format_func=S.DATASET_LABELS.get,
        )
        if S.is_large(ss["dataset"]):
            _widget(st.radio, "Split", "split", options=list(S.CHOICES["split"]), horizontal=True)
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
        _widget(st.slider, "k (clusters)", "k", min_value=1, max_value=S.K_MAX)
        _widget(
            st.selectbox,
            "Initialisation",
            "init",
            options=list(S.INIT_LABELS),
            format_func=S.INIT_LABELS.get,
        )
        _widget(
            st.radio,
            "Distance",
            "metric",
            options=list(S.METRIC_LABELS),
            format_func=S.METRIC_LABELS.get,
            horizontal=True,
        )
        _widget(st.toggle, "Balance classes", "balance")
        _widget(
            st.select_slider,
            "Tolerance",
            "tol",
            options=list(S.TOLERANCES),
            format_func=lambda t: "0 (until nothing changes)" if t == 0 else f"{t:g}",
        )
        _widget(st.number_input, "Seed", "seed", min_value=0, max_value=99_999, step=1)
        with st.expander("Advanced"):
            _widget(st.select_slider, "Max iterations", "max_iter", options=list(S.MAX_ITERS))
            _widget(
                st.radio,
                "Update rule",
                "update",
                options=["mean", "median"],
                format_func={"mean": "mean (k-means)", "median": "median (k-medians)"}.get,
            )
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
        st.caption("Share these settings: copy the address bar.")
    settings = Settings(**{k: ss[_KEEP + k] for k in KEYS})
    if ss.get(REJECTED):
        # Link values are untrusted: shown as plain text, never as Markdown (no live links,
        # no remote images).
        st.sidebar.warning("Ignored from the link: " + plain(", ".join(ss[REJECTED])))
    query = settings.to_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return settings
