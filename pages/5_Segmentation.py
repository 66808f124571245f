"""Segmentation page: pixels clustered by colour and by texture."""

import streamlit as st

from ui import engine, figures
from ui.sidebar import page_control, sidebar
from ui.uploads import pick_image

st.set_page_config(
    page_title="Segmentation · K-Means Lab", page_icon=":material/texture:", layout="wide"
)
settings = sidebar(uses=("seed",))

st.title("Segmentation: colour and texture")
st.markdown(
    "Cluster the **pixels** of a photo and every cluster becomes a region. What the regions "
    "look like depends on what k-means sees of each pixel: its **colour** (RGB or HSV), or its "
    "**texture**: how it responds to 48 small filters that look for edges, bars and blobs."
)
key, img, notes = pick_image("segment")

c1, c2, c3 = st.columns([2, 3, 2])
n_segments = page_control(
    c1.select_slider, "Segments (k)", options=list(range(2, 11)), default=4, key="segments"
)
LABELS = {"rgb": "Colour (RGB)", "hsv": "Colour (HSV)", "texture": "Texture (LM filters)"}
chosen = page_control(
    c2.multiselect,
    "Features",
    options=list(LABELS),
    default=list(LABELS),
    key="features",
    format_func={"rgb": "RGB", "hsv": "HSV", "texture": "Texture"}.get,
)
show = page_control(
    c3.radio,
    "Show segments as",
    options=["mean colour", "outlines"],
    default="mean colour",
    key="segment_view",
    horizontal=True,
)
with st.expander("Texture options"):
    t1, t2 = st.columns(2)
    colour_weight = page_control(
        t1.slider,
        "Add colour to texture (weight)",
        min_value=0.0,
        max_value=2.0,
        default=0.0,
        step=0.25,
        key="colour_weight",
    )
    position_weight = page_control(
        t2.slider,
        "Add pixel position (weight)",
        min_value=0.0,
        max_value=2.0,
        default=0.0,
        step=0.25,
        key="position_weight",
        help="Makes segments more compact, for every feature set.",
    )
if not chosen:
    st.warning("Pick at least one feature set above.")
    st.stop()

cols = st.columns(len(chosen) + 1)
cols[0].image(img, caption="Original", width="stretch")
capped = []
for col, feat in zip(cols[1:], chosen, strict=True):
    with col, st.spinner(f"Clustering by {LABELS[feat].lower()}…"):
        seg = engine.segmentation(
            key,
            n_segments,
            feat,
            settings.seed,
            colour_weight if feat == "texture" else 0.0,
            position_weight,
            img,
        )
        shown = seg.painted(img) if show == "mean colour" else seg.outlined(img)
        col.image(shown, caption=f"{LABELS[feat]}: {seg.seconds:.2f} s", width="stretch")
        capped += [f"{LABELS[feat]}: {note}" for note in seg.result.notes]
for note in notes:  # below the pictures, so that they stay on the first screen
    st.info(f"Note: {note}.")
for note in capped:
    st.warning(f"Note: {note}.")

st.subheader("Why sky and water end up together")
st.markdown(
    "The texture filters see only the grey image. 44 of the 48 (edges, bars and blobs) answer "
    "to **structure**: sky and calm water are both smooth, so they answer almost nothing "
    "there. The other 4 are Gaussians that measure local **brightness**, and the sky and the "
    "lake are both bright, so texture puts them in one cluster. Busy regions (leaves, roof "
    "tiles) light up many filters and form their own clusters.\n\n"
    "Colour does not separate them at a small k either: on the temple photo at k = 4, HSV "
    "puts most of the lake in the sky's segment, and RGB the open water right of the temple "
    "(only the water at the left edge gets another segment): the pale, grey-blue lake is "
    "closer in colour to the sky than to the trees and the temple. RGB gives the lake a "
    "segment of its own from k = 5; HSV needs more (at seed 0 it still merges them at "
    "k = 6). Raise k, or add a little colour to the texture features, and compare."
)

st.subheader("The Leung–Malik filter bank")
st.plotly_chart(
    figures.filter_bank_figure(engine.filter_bank()),
    width="stretch",
    key="filter_bank",
)
st.caption(
    "48 filters, 49 × 49 pixels: 18 edge and 18 bar filters (3 sizes × 6 directions), "
    "8 Laplacians of Gaussian (blobs) and 4 Gaussians (local brightness). Red: the "
    "filter adds, blue: it subtracts."
)
