"""Elbow page: within-cluster sum of squares against k."""

import pandas as pd
import streamlit as st

from ui import class_questions, classroom, components, kmeans_charts, registry
from ui.results import kmeans_runs
from ui.settings import DATASET_LABELS, METRIC_LABELS, init_label
from ui.sidebar import page_control, sidebar

st.set_page_config(**registry.BY_PATH["pages/2_Elbow.py"].config())
settings = sidebar()
SIL_POINTS = 1000

components.compact_top()
st.title("Elbow: how many clusters?")
data = components.rows_or_stop(settings)

c1, c2, c3 = st.columns([2, 1, 1])
lo, hi = page_control(
    c1.slider, "Range of k", key="elbow_range", default=(1, 15), min_value=1, max_value=30
)
n_init = page_control(
    c2.select_slider, "Restarts per k", key="elbow_n_init", default=3, options=[1, 2, 3, 5, 10]
)
sil = page_control(
    c3.toggle,
    "Silhouette",
    key="elbow_silhouette",
    default=False,
    help=f"Mean silhouette of the best restart per k, on up to {SIL_POINTS:,} random points.",
)
init = "k-means++" if settings.init == "per-class" else settings.init
st.caption(
    f"{DATASET_LABELS[settings.dataset]} · {len(data.y):,} points · "
    f"{init_label(init, settings.metric)} · "
    f"{METRIC_LABELS[settings.metric]} · tolerance {settings.tol:g} · seed {settings.seed}"
)

bar = st.progress(0.0, text="Sweeping k…")


def report(done: int, total: int, k: int) -> None:
    bar.progress(done / total, text=f"k = {k}: run {done} of {total}")


try:
    res = kmeans_runs.elbow(
        settings, tuple(range(lo, hi + 1)), n_init, SIL_POINTS if sil else 0, progress=report
    )
except ValueError as exc:
    bar.empty()
    st.error(f"**The sweep cannot run:** {exc}")
    st.stop()
bar.empty()

# The curve and its knee on the first screen: 400 px on a 1280 x 720 projector, taller on
# a taller screen; the explanation follows them.
components.screen_high("elbow", below_px=320, min_px=360, max_px=640)


@st.fragment
def knee(res) -> None:
    """The curve and its knee, or the class's question about the knee (a class's answers
    rerun only this part): the knee is the answer, so it is not shown until the reveal."""
    classroom.live_part()
    chart = st.container()
    asked = class_questions.knee_block(res)
    chart.plotly_chart(
        kmeans_charts.elbow_figure(res, settings.k, height=None, show_knee=not asked),
        width="stretch",
        height="stretch",
        key="elbow",
    )
    if asked:
        return
    if res.knee is not None:
        st.success(
            f"**The knee is at k = {res.knee}** (kneedle algorithm). Your k is {settings.k}."
        )
    else:
        st.info(f"**No knee found:** {res.knee_reason}.")


knee(res)
st.markdown(
    "With more clusters the *best possible* within-cluster sum of squares (WCSS) can only go "
    "down, but k-means does not find the best: each run stops in a local minimum that depends "
    "on its start, so a measured curve can rise from one k to the next. The **elbow** is the "
    "k after which adding clusters stops helping much. "
    + (
        f"Each k is run {n_init} times from different starts: the band shows how much the "
        "start matters."
        if n_init > 1
        else "Each k is run once, from one start, so there is no band: choose more restarts "
        "per k to see how much the start matters."
    )
)
if res.rises:
    ks_up = ", ".join(str(k) for k in res.rises)
    st.warning(
        f"**The mean WCSS rose at k = {ks_up}** in this sweep: those runs stopped in worse "
        "local minima than the runs with one cluster fewer. More restarts per k make this rarer."
    )

cols = st.columns(2 if sil else 1)
if sil:
    with cols[1]:
        st.markdown("**Silhouette** (higher: tighter, better separated clusters)")
        st.plotly_chart(kmeans_charts.silhouette_figure(res), width="stretch", key="silhouette")
with cols[0]:
    st.markdown("**Time per k** (all restarts)")
    st.plotly_chart(kmeans_charts.seconds_figure(res), width="stretch", key="seconds")

table = pd.DataFrame(
    {
        "k": res.ks,
        "wcss_mean": res.inertia_mean,
        "wcss_std": res.inertia_std,
        "iterations_mean": res.n_iter_mean,
        "seconds": res.seconds,
    }
)
if sil:
    table["silhouette"] = res.silhouette
st.download_button("Download the table (CSV)", table.to_csv(index=False), "elbow.csv", "text/csv")
