"""Page building blocks that talk to Streamlit: data guards, error boxes, metrics rows."""

from __future__ import annotations

import re

import streamlit as st

import kmcore

from .presets import PRESETS
from .results import datasets, kmeans_runs
from .settings import DATASET_LABELS, Settings, is_large
from .sidebar import set_values


def _use_digits() -> None:
    set_values(dataset="digits")


def rows_or_stop(settings: Settings) -> kmcore.Dataset:
    """The rows for the settings; downloads with a progress bar; on failure explains and stops."""
    name = settings.dataset
    try:
        if is_large(name):
            folder = kmcore.data_dir() / name
            missing = [f for f in kmcore.DATASET_FILES[settings.split] if not (folder / f).exists()]
            if missing:
                with st.status(
                    f"Downloading {DATASET_LABELS[name]} ({settings.split})…", expanded=True
                ) as status:
                    bar = st.progress(0.0)

                    def report(done, total, fname):
                        frac = done / total if total else 0.0
                        bar.progress(min(frac, 1.0), text=f"{fname}: {done / 2**20:.1f} MB")

                    try:
                        datasets.dataset(name, settings.split, progress=report)
                    except Exception:
                        status.update(label="Download failed", state="error", expanded=False)
                        raise
                    status.update(label="Downloaded", state="complete", expanded=False)
        return datasets.rows(settings.data_key)
    except kmcore.DatasetUnavailableError as exc:
        st.error(
            f"**{DATASET_LABELS[name]} is not available here.** {exc}\n\n"
            "See data/README.md for where to get the files."
        )
        st.button("Use the offline digits instead", on_click=_use_digits, type="primary")
        st.stop()
    except kmcore.IDXFormatError as exc:
        st.error(f"**A data file is damaged:** {exc}. Delete it and it will be downloaded again.")
        st.button("Use the offline digits instead", on_click=_use_digits, type="primary")
        st.stop()


def run_or_stop(settings: Settings) -> kmeans_runs.Run:
    """The k-means run for the settings, or a clear message and stop."""
    rows_or_stop(settings)
    try:
        with st.spinner("Running k-means…"):
            return kmeans_runs.run(settings)
    except ValueError as exc:
        st.error(f"**These settings cannot run:** {exc}")
        st.info("Try a smaller k, another initialisation, or another data set.")
        st.stop()


def run_summary(run: kmeans_runs.Run) -> None:
    """Iterations, stop reason, inertia and time as a row of metrics."""
    res = run.result
    cols = st.columns(4)
    cols[0].metric("Iterations", res.n_iter)
    cols[1].metric("Inertia (WCSS)", f"{res.inertia:,.1f}")
    empty = int((res.sizes == 0).sum())
    cols[2].metric("Empty clusters", empty)
    cols[3].metric("Time", f"{run.seconds:.2f} s")
    verb = "Converged" if res.converged else "Stopped"
    st.caption(f"{verb} after {res.n_iter} iteration(s): {res.stop_reason}.")


def compact_top() -> None:
    """Less space above a page's title, so its main picture fits on a projector's screen."""
    st.html(
        "<style>.stMainBlockContainer{padding-top:2.6rem;padding-bottom:2rem}"
        ".stMainBlockContainer h1{font-size:2rem;padding:0 0 0.25rem}</style>"
    )


def screen_high(key: str, below_px: int, min_px: int, max_px: int = 1000) -> None:
    """Make the element with ``key`` as tall as the screen allows.

    A chart's height is given in px from Python, which does not know the screen; CSS does.
    Pair it with ``st.plotly_chart(..., height="stretch", key=key)`` and a figure without
    a height of its own.

    Parameters
    ----------
    key : str
        The element's key; Streamlit marks its container with the class ``st-key-<key>``
        (characters other than letters, digits, ``_`` and ``-`` become ``-``).
    below_px : int
        What sits above and below the element on the first screen: its height is the
        window's less this.
    min_px, max_px : int
        Bounds of the height.
    """
    css_class = "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)
    st.html(
        f"<style>.{css_class}{{height:clamp({min_px}px, calc(100vh - {below_px}px), "
        f"{max_px}px)}}</style>"
    )


def preset_cards(columns: int = 3) -> None:
    """The paper's figures as cards with a button that applies one and opens Centroids."""
    for row in range(0, len(PRESETS), columns):
        cols = st.columns(columns)
        for col, preset in zip(cols, PRESETS[row : row + columns], strict=False):
            with col.container(border=True):
                st.markdown(f"**{preset.title}**")
                st.markdown(f"*The paper:* {preset.paper}")
                st.markdown(f"*Seen here:* {preset.seen}")
                if st.button(
                    "Open in Centroids", key=f"preset_{preset.key}", type="primary", width="stretch"
                ):
                    set_values(**preset.values)
                    st.switch_page("pages/1_Centroids.py")
