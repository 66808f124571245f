"""t-SNE page: the data's map coloured by cluster, with the centroids placed on it."""

import time

import numpy as np
import streamlit as st

from ui import components, kmeans_charts, registry
from ui.results import datasets, tsne
from ui.settings import DATASET_LABELS, is_large
from ui.sidebar import page_control, sidebar

st.set_page_config(**registry.BY_PATH["pages/3_t-SNE.py"].config())
settings = sidebar()

st.title("t-SNE map")
data = components.rows_or_stop(settings)

left, right = st.columns([4, 1])
perplexity = page_control(
    right.select_slider,
    "Perplexity (neighbours each point attends to)",
    options=[5, 10, 20, 30, 50, 100],
    default=30,
    key="perplexity",
)
if is_large(settings.dataset):
    total = datasets.n_total(settings)
    n_points = page_control(
        right.select_slider,
        "Points on the map",
        options=[1000, 2000, 3000, 6000, 10000],
        default=tsne.TSNE_MNIST_POINTS,
        key="tsne_points",
        help=f"The paper mapped 6,000 of MNIST's 60,000 training images (10%). This split has "
        f"{total:,} images, so 6,000 is {6000 / total:.0%} of it.",
    )
else:
    n_points = datasets.n_total(settings)
    points_metric = right.empty()
colour_by = page_control(
    right.radio,
    "Colour by",
    options=["cluster", "class"],
    default="cluster",
    key="tsne_colour",
    format_func={"cluster": "cluster", "class": "true class"}.get,
)
status = right.empty()
slot = left.empty()

key = tsne.tsne_key(settings, n_points)
tdata = tsne.tsne_data(key)
job = tsne.tsne_job(key, perplexity)
if not is_large(settings.dataset):
    points_metric.metric("Points on the map", f"{len(tdata.y):,}")


def phase_text(job) -> tuple[float, str]:
    """Progress fraction and a sentence saying what the map job is doing."""
    secs = f"{time.monotonic() - job.started:.0f} s so far"
    if job.phase == "neighbour search":
        k = min(len(tdata.y) - 1, int(3 * perplexity))
        return 0.0, f"Step 2 of 4: finding each point's {k} nearest neighbours · {secs}"
    if job.phase in ("early exaggeration", "refining"):
        step = 3 if job.phase == "early exaggeration" else 4
        text = f"Step {step} of 4: {job.phase}, iteration {job.done} of {job.total} · {secs}"
        return job.done / max(job.total, 1), text
    if job.phase == "reading the saved map":
        return 1.0, "Reading the saved map"
    return 0.0, f"Step 1 of 4: the PCA start · {secs}"


# The map forms in a background job shared by every tab: show what it has, as it comes.
# Redraws hold the interpreter's lock that the job's iterations also need (300 digits
# took 10 s instead of 0.7 s while the server drew every update), so the forming map is
# redrawn at most every REDRAW_S seconds; the progress line follows every update.
REDRAW_S = 2.0
shown, drawn_at = None, -REDRAW_S


def draw_forming(coords, title: str) -> None:
    """The map as it forms: a plain picture (shows at once; no chart library to load)."""
    slot.image(
        kmeans_charts.tsne_picture(coords, tdata.y, tdata.class_names),
        caption=f"{title} · colour: true class; the finished map becomes a chart",
        width="stretch",
    )


if not job.finished and job.coords is None:  # a new map: its PCA start at once
    draw_forming(tsne.tsne_start(key), "PCA start: the first picture")
    drawn_at = time.monotonic()
while not job.finished:
    job.wait(0.5)
    fraction, text = phase_text(job)
    status.progress(fraction, text=text)
    coords = job.coords
    if coords is not None and coords is not shown and time.monotonic() - drawn_at >= REDRAW_S:
        shown, drawn_at = coords, time.monotonic()
        draw_forming(
            coords,
            "PCA start: the first picture"
            if job.done == 0
            else f"t-SNE, iteration {job.done} of {job.total}",
        )
status.empty()
if job.error is not None:
    slot.empty()
    if not isinstance(job.error, ValueError):
        raise job.error
    st.error(f"**No map for these settings:** {job.error}")
    st.stop()

coords = job.result.coords
run = components.run_or_stop(settings)
try:
    labels, centres = tsne.tsne_clusters(settings, key, float(perplexity))
except ValueError as exc:
    st.error(f"**The centroids cannot be placed:** {exc}")
    st.stop()

fig = kmeans_charts.tsne_figure(
    coords, tdata.y, labels, centres, tdata.class_names, run.evaluation, colour_by, height=None
)
# As tall as the screen allows: 500 px on a 1280 x 720 projector, 830 px at 1920 x 1080.
components.screen_high("tsne_map", below_px=250, min_px=kmeans_charts.TSNE_HEIGHT)
with slot:
    event = st.plotly_chart(
        fig,
        width="stretch",
        height="stretch",
        key="tsne_map",
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
    )
tsne.tsne_clusters_ahead(settings, key, float(perplexity))  # the next k, ahead of a click
left.caption(
    f"{DATASET_LABELS[settings.dataset]} · {len(coords):,} points · perplexity "
    f"{perplexity} · k = {settings.k}. Each point's cluster is its nearest final centroid."
)
st.markdown(
    "t-SNE draws high-dimensional data in 2-D so that images that are alike land close "
    "together. Colour it by **cluster** to see what k-means grouped, or by **true class** to "
    "see what it should have grouped. The big dots are the centroids, placed on the map like "
    "new images. Draw a lasso around points to see their images.\n\n"
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
            kmeans_charts.image_grid(tdata.X[shown], tdata.image_shape),
            caption=f"the first {len(shown)} selected images",
            clamp=True,
            width=min(900, 60 * min(15, len(shown))),
        )
else:
    st.caption("Tip: pick the lasso in the chart's toolbar and circle a group of points.")
