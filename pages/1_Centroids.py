"""Centroids page: k-means played iteration by iteration."""

import streamlit as st

from ui import components, engine, figures
from ui.settings import DATASET_LABELS, INIT_LABELS, METRIC_LABELS
from ui.sidebar import sidebar

st.set_page_config(
    page_title="Centroids · K-Means Lab", page_icon=":material/grid_view:", layout="wide"
)
settings = sidebar()

st.title("Centroids")
data = components.rows_or_stop(settings)
st.caption(
    f"{DATASET_LABELS[settings.dataset]} · {len(data.y):,} points · k = {settings.k} · "
    f"{INIT_LABELS[settings.init]} · {METRIC_LABELS[settings.metric]} · seed {settings.seed}"
)
run = components.run_or_stop(settings)
res = run.result
components.run_summary(run)

main = st.container()
with main:
    if data.image_shape is not None:
        st.markdown(
            "Each picture is a centroid drawn as an image. Press **Play** or drag "
            "the slider; under each: its size, its most common class and that class's "
            "share (purity). A red frame marks a centroid that got no images."
        )
        st.plotly_chart(
            figures.centroid_animation(
                res, run.step_evaluations, data.image_shape, data.class_names
            ),
            width="stretch",
            key="centroid_animation",
        )
        missing = [data.class_names[c] for c in run.evaluation.missing_classes]
        if missing:
            st.warning(
                f"**No centroid for: {', '.join(missing)}.** These classes are the "
                "majority of no cluster: their images were absorbed by look-alikes."
            )
        else:
            st.success("Every class is the majority of at least one cluster.")
    else:
        c1, c2 = st.columns(2)
        half = c1.toggle(
            "Show assign and update separately",
            key="half_steps",
            help="Each iteration becomes two frames: points change colour "
            "(assign), then the centroids move (update).",
        )
        shade = c2.toggle("Shade the regions each centroid owns", value=True, key="regions")
        st.plotly_chart(
            figures.toy_animation(
                data.X, res, engine.regions(settings), half_steps=half, show_regions=shade
            ),
            width="stretch",
            key="toy_animation",
        )
        st.caption(
            "Shading: the points nearest to each centroid (under the chosen distance) "
            "at the start of the step. ✕: centroids, lines: the paths they took."
        )
st.subheader("Why it stopped")
st.plotly_chart(figures.convergence(res), width="stretch", key="convergence")
st.caption(
    "The run stops when no point changes cluster, or when the largest move drops "
    "below the tolerance (dashed line)."
)

if data.image_shape is not None:
    st.subheader("Start and end")
    st.plotly_chart(
        figures.start_end_grid(
            res.init_centers, res.centers, data.image_shape, f"after {res.n_iter} iterations"
        ),
        width="stretch",
        key="start_end",
    )
    png, gif = engine.centroid_files(settings)
    stem = f"centroids_{settings.dataset}_k{settings.k}_{settings.init}_{settings.metric}"
    d1, d2 = st.columns(2)
    d1.download_button(
        "Download the start/end grid (PNG)", png, f"{stem}.png", "image/png", width="stretch"
    )
    d2.download_button(
        "Download the animation (GIF)", gif, f"{stem}.gif", "image/gif", width="stretch"
    )

with st.expander("What am I looking at?"):
    st.markdown(
        "A centroid is the average of the images in its cluster, so it looks like a blurred "
        "version of them. If a class has no centroid, its images were closer to centroids "
        "of other classes (a 4 is close to a 9, a 5 to a 3 or an 8). Try **Balance classes**, "
        "a larger **k**, or **One per class** starts, and compare."
    )
