"""Compression page: the seed article's experiments with k colours chosen by k-means."""

import streamlit as st

from ui import compression as C
from ui import registry
from ui.results import images
from ui.sidebar import sidebar
from ui.uploads import pick_image

st.set_page_config(**registry.BY_PATH["pages/4_Compression.py"].config())
settings = sidebar(uses=("init", "tol", "seed"), options={"init": C.INITS})
st.sidebar.caption(C.tolerance_caption(settings.tol))

st.title("Compression: an image in k colours")
st.caption(
    "Every pixel is a point in colour space; k-means finds k colours that stand for all of "
    "them, and each pixel keeps only the number of its colour. The start, tolerance and "
    "seed are in the sidebar."
)
key, original, notes = pick_image("compress")
n_colors, iterations, space = C.controls()
qs = images.QuantizeSettings(
    init=settings.init,
    max_iter=iterations,
    tol=settings.tol,
    colour_space=space,
    seed=settings.seed,
)
with st.spinner("Choosing the colours…"):
    result = images.quantization(key, n_colors, qs, original)
C.main_picture(original, result, notes)

# Only the open tab runs its experiment.
drawers = (
    lambda: C.iterations_tab(result),
    lambda: C.seeds_tab(key, original, n_colors, qs),
    lambda: C.gallery_tab(key, original, qs),
    lambda: C.outlier_tab(iterations),
    lambda: C.comparison_tab(key, original, n_colors, qs),
    lambda: C.colour_space_tab(key, original, n_colors, qs),
    lambda: C.file_size_tab(result),
    lambda: C.points_tab(original, result, settings.seed),
)
for tab, draw in zip(C.tabs(), drawers, strict=True):
    with tab:
        if tab.open:
            draw()
