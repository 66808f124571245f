"""Experiments page: the paper's figures as presets, and init x metric grids over seeds."""

import pandas as pd
import streamlit as st

from ui import components, kmeans_charts, registry
from ui.paper import paper_section
from ui.results import datasets, kmeans_runs
from ui.settings import DATASET_LABELS, INIT_LABELS, INIT_SHORT, METRIC_LABELS, init_label
from ui.sidebar import page_control, sidebar

st.set_page_config(**registry.BY_PATH["pages/6_Experiments.py"].config())
settings = sidebar()

st.title("Experiments")
st.subheader("Repeat the paper")
st.markdown(
    "A student paper clustered MNIST and Fashion-MNIST with k-means and looked at the "
    "centroids. Each button sets the sidebar to one of its figures and opens the Centroids "
    "page. The settings run on MNIST's 10,000 test images (downloaded on first use)."
)
components.preset_cards()

st.divider()
paper_section()

st.divider()
st.subheader("Compare initialisations and distances over seeds")
data = components.rows_or_stop(settings)
st.caption(
    f"On {DATASET_LABELS[settings.dataset]}, {len(data.y):,} points (sidebar), "
    f"tolerance {settings.tol:g}, at most {settings.max_iter} iterations."
)
c1 = st.container()
inits = page_control(
    c1.multiselect,
    "Initialisations",
    options=list(INIT_LABELS),
    key="exp_inits",
    default=["random", "maxmin", "hierarchical", "per-class", "noise", "k-means++"],
    format_func=INIT_SHORT.get,
    help="Hierarchical: Ward linkage under L2, average linkage under L1 and L∞.",
)
c2, c3, c4 = st.columns(3)
metrics = page_control(
    c2.multiselect,
    "Distances",
    options=list(METRIC_LABELS),
    default=list(METRIC_LABELS),
    key="exp_metrics",
    format_func=METRIC_LABELS.get,
)
ks = page_control(c3.multiselect, "k", options=[5, 10, 15, 20], default=[10], key="exp_ks")
variants = page_control(
    c4.multiselect,
    "Data",
    options=["balanced", "all"],
    default=["balanced"],
    key="exp_data",
    help="Balanced: every class cut to the size of the smallest.",
)
c5, c6 = st.columns(2)
n_seeds = page_control(
    c5.select_slider,
    "Seeds",
    options=[1, 2, 3, 5, 10],
    default=3,
    key="exp_seeds",
    help=f"Seeds {settings.seed}, {settings.seed + 1}, …",
)
pca = page_control(
    c6.select_slider,
    "PCA first",
    options=[0, 10, 20, 50, 100],
    default=0,
    key="exp_pca",
    format_func=lambda n: "no" if n == 0 else f"{n} components",
    help="Cluster in the space of the main principal components; the "
    "centroids are projected back to images.",
)
runs = len(inits) * len(metrics) * len(ks) * len(variants) * n_seeds
request = (
    tuple(v == "balanced" for v in variants),
    tuple(inits),
    tuple(metrics),
    tuple(sorted(ks)),
    n_seeds,
    pca,
)
if runs == 0:
    st.info("Pick at least one initialisation, distance, k and data variant.")
    st.stop()
if runs > kmeans_runs.MAX_GRID_RUNS:
    st.warning(
        f"That is {runs} runs; the limit is {kmeans_runs.MAX_GRID_RUNS}. Pick fewer "
        "settings or seeds, or a smaller sample in the sidebar."
    )
    st.stop()

go_col, stop_col = st.columns([3, 1])
if go_col.button(f"Run {runs} k-means runs", type="primary", key="exp_run", width="stretch"):
    st.session_state["exp_request"] = (settings, request)
stop_col.button(
    "Stop",
    key="exp_stop",
    width="stretch",
    help="Stops a grid that is running; nothing of it is kept.",
)

last = st.session_state.get("exp_request")
if last is None:
    st.caption("Results appear here; they are cached, so running a grid again is instant.")
    st.stop()
grid_settings, grid_request = last
if (grid_settings, grid_request) != (settings, request):
    st.caption("The table below is for the last grid you ran; press Run for these settings.")

bar = st.progress(0.0, text="Running the grid…")


def report(done, total, cell):
    name, init, metric, k = cell
    bar.progress(
        done / total,
        text=f"{done} of {total}: {init_label(init, metric)}, {METRIC_LABELS[metric]}, "
        f"k = {k}, {name}",
    )


result = kmeans_runs.grid(grid_settings, *grid_request, progress=report)
bar.empty()
grid_data = datasets.rows(grid_settings.data_key)
table = pd.DataFrame(kmeans_charts.grid_table_rows(result, grid_data.class_names))
st.markdown(
    f"**{len(result.cells)} settings × {grid_request[4]} seeds** in "
    f"{result.seconds:.1f} s. Select a row to see its centroids (first seed)."
)
CAPPED = "hit max iterations (runs)"
capped = int(table[CAPPED].sum()) if CAPPED in table else 0
if capped:
    st.warning(
        f"**{capped} run{'s' if capped != 1 else ''} stopped at the limit of "
        f"{grid_settings.max_iter} iterations** without converging (column *hit max "
        "iterations*): in those cells the mean iterations is a lower bound, not a "
        "convergence speed. Raise *Max iterations* in the sidebar to let them finish."
    )
event = st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="exp_table",
    column_config={
        "iterations (mean)": st.column_config.NumberColumn(format="%.1f"),
        "inertia (mean)": st.column_config.NumberColumn(format="%.0f"),
        "purity": st.column_config.NumberColumn(format="%.2f"),
        "ARI": st.column_config.NumberColumn(format="%.2f"),
        "seconds (mean)": st.column_config.NumberColumn(format="%.2f"),
    },
)
st.download_button(
    "Download the table (CSV)", table.to_csv(index=False), "experiments.csv", "text/csv"
)
picked = event.selection.rows if event and event.selection else []
if picked:
    cell = result.cells[picked[0]]
    if cell.error:
        st.info(f"This setting did not run: {cell.error}")
    elif grid_data.image_shape is not None:
        st.markdown(
            f"**{init_label(cell.init, cell.metric)}, {METRIC_LABELS[cell.metric]}, k = {cell.k}, "
            f"{cell.data}** (seed {cell.seeds[0]}: {cell.n_iter[0]} iterations)"
        )
        st.plotly_chart(
            kmeans_charts.start_end_grid(cell.init_centers, cell.centers, grid_data.image_shape),
            width="stretch",
            key="exp_centroids",
        )
    else:
        st.caption("Centroid images are shown for image data sets.")
