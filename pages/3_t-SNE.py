"""t-SNE page: the data's map coloured by cluster, with the centroids placed on it."""

import numpy as np
import streamlit as st

from ui import components, engine, figures
from ui.settings import DATASET_LABELS, is_large
from ui.sidebar import page_control, sidebar

st.set_page_config(
    page_title="t-SNE map · K-Means Lab", page_icon=":material/scatter_plot:", layout="wide"
)
settings = sidebar()

st.title("t-SNE map")
st.markdown(
    "t-SNE draws high-dimensional data in 2-D so that images that are alike land close "
    "together. Colour it by **cluster** to see what k-means grouped, or by **true class** to "
    "see what it should have grouped. The big dots are the centroids, placed on the map like "
    "new images. Draw a lasso around points to see their images."
)
data = components.rows_or_stop(settings)
run = components.run_or_stop(settings)

c1, c2, c3 = st.columns([2, 2, 1])
perplexity = page_control(
    c1.select_slider,
    "Perplexity (neighbours each point attends to)",
    options=[5, 10, 20, 30, 50, 100],
    default=30,
    key="perplexity",
)
if is_large(settings.dataset):
    n_points = page_control(
        c2.select_slider,
        "Points on the map",
        options=[1000, 2000, 3000, 6000, 10000],
        default=6000,
        key="tsne_points",
        help=f"The paper mapped 6,000 of MNIST's 60,000 training images (10%). This split has "
        f"{data.n_total:,} images, so 6,000 is {6000 / data.n_total:.0%} of it.",
    )
else:
    n_points = data.n_total
    c2.metric("Points on the map", f"{n_points:,}")
colour_by = page_control(
    c3.radio,
    "Colour by",
    options=["cluster", "class"],
    default="cluster",
    key="tsne_colour",
    format_func={"cluster": "cluster", "class": "true class"}.get,
)
key = engine.tsne_key(settings, n_points)

tdata = engine.tsne_data(key)
bar = st.empty()
live = st.empty()


def watch(done: int, total: int, coords: np.ndarray) -> None:
    bar.progress(done / total, text=f"Computing the map: iteration {done} of {total}")
    live.plotly_chart(
        figures.tsne_forming(coords, tdata.y, tdata.class_names, done, total), width="stretch"
    )


try:
    coords = engine.tsne_coords(key, float(perplexity), progress=watch)
    with st.spinner("Placing the centroids on the map…"):
        labels, centres = engine.tsne_clusters(settings, key, float(perplexity))
except ValueError as exc:
    bar.empty()
    live.empty()
    st.error(f"**No map for these settings:** {exc}")
    st.stop()
bar.empty()
live.empty()

fig = figures.tsne_figure(
    coords, tdata.y, labels, centres, tdata.class_names, run.evaluation, colour_by
)
event = st.plotly_chart(
    fig,
    width="stretch",
    key="tsne_map",
    on_select="rerun",
    selection_mode=("points", "box", "lasso"),
)
st.caption(
    f"{DATASET_LABELS[settings.dataset]} · {len(coords):,} points · perplexity "
    f"{perplexity} · k = {settings.k}. Each point's cluster is its nearest final centroid."
)
st.markdown(
    "What the map does **not** show: t-SNE keeps each point's near neighbours near, but the "
    "distances *between* clusters and the sizes of the clusters on the map mean little. Two "
    "islands far apart are not necessarily more different than two close ones, and a big "
    "island is not a bigger or more varied class."
)

points = event.selection.points if event and event.selection else []
chosen = [int(np.ravel(p["customdata"])[0]) for p in points if p.get("customdata") is not None]
if chosen:
    st.subheader(f"{len(chosen)} selected point(s)")
    names = [tdata.class_names[c] for c in tdata.y[chosen]]
    counts = {n: names.count(n) for n in sorted(set(names))}
    st.write(", ".join(f"{n}: {c}" for n, c in counts.items()))
    if tdata.image_shape is not None:
        shown = chosen[:60]
        st.image(
            figures.image_grid(tdata.X[shown], tdata.image_shape),
            caption=f"the first {len(shown)} selected images",
            clamp=True,
            width=min(900, 60 * min(15, len(shown))),
        )
else:
    st.caption("Tip: pick the lasso in the chart's toolbar and circle a group of points.")
