"""Segmentation page: pixels clustered by colour and by texture."""

import streamlit as st

from kmcore import SEGMENT_INITS
from ui import image_charts, registry
from ui.results import images
from ui.settings import METRIC_LABELS, PIXEL_INIT_LABELS, init_label
from ui.sidebar import page_control, sidebar
from ui.uploads import pick_image

st.set_page_config(**registry.BY_PATH["pages/5_Segmentation.py"].config())
# Tolerance and max iterations stay the engine's (1e-3 and 100): the sidebar's tolerance is in
# pixel units, and texture features are not. Pixels have no classes: no per-class start.
settings = sidebar(
    uses=("init", "metric", "seed", "update"),
    options={"init": {m: PIXEL_INIT_LABELS[m] for m in SEGMENT_INITS}},
)

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
SHORT = {"rgb": "RGB", "hsv": "HSV", "texture": "texture"}
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
runs = {}


def run(feat, metric):
    return images.segmentation(
        key,
        n_segments,
        feat,
        settings.seed,
        colour_weight if feat == "texture" else 0.0,
        position_weight,
        img,
        metric=metric,
        update=settings.update,
        init=settings.init,
    )


for col, feat in zip(cols[1:], chosen, strict=True):
    with col, st.spinner(f"Clustering by {LABELS[feat].lower()}…"):
        seg = runs[feat] = run(feat, settings.metric)
        shown = seg.painted(img) if show == "mean colour" else seg.outlined(img)
        col.image(shown, caption=f"{LABELS[feat]}: {seg.seconds:.2f} s", width="stretch")

used = [r.result for r in runs.values()]
ks = sorted({r.n_segments for r in used})
k_text = (
    f"k = {ks[0]}"
    if len(ks) == 1
    else "k = " + ", ".join(f"{r.n_segments} ({SHORT[r.features]})" for r in used)
)
first = used[0]
st.caption(
    f"{k_text} · distance {METRIC_LABELS[first.metric]} · "
    f"{first.update} update · start: {init_label(first.init, first.metric)} · "
    f"seed {settings.seed} (distance, update, start and seed: sidebar)"
)
if settings.metric != "l2":
    with st.spinner("Segmenting under L2 to compare…"):
        moved = [
            f"{100 * seg.moved_from(run(feat, 'l2')):.0f}% ({SHORT[feat]})"
            for feat, seg in runs.items()
        ]
    st.caption(
        f"Pixels in another segment than under L2, everything else the same: {', '.join(moved)}."
    )
for note in notes:  # below the pictures, so that they stay on the first screen
    st.info(f"Note: {note}.")
for feat, seg in runs.items():
    for note in seg.result.notes:
        st.warning(f"Note: {LABELS[feat]}: {note}.")

st.subheader("What the distance changes")
st.markdown(
    "Each pixel joins the segment whose centre is **nearest**, and *Distance* in the sidebar "
    "says how near is measured. For colour, a pixel and a centre differ by three numbers "
    "(for RGB: red, green and blue), d₁, d₂ and d₃:\n\n"
    "- **L2** (straight line): √(d₁² + d₂² + d₃²)\n"
    "- **L1** (city blocks): |d₁| + |d₂| + |d₃|: small differences in every channel add up\n"
    "- **L∞** (largest): the biggest of |d₁|, |d₂|, |d₃|: only the channel that differs "
    "most counts\n\n"
    "A pixel 0.2 away from centre A in all three channels and 0.3 away from centre B in one "
    "channel only is nearer to B under L1 (0.6 against 0.3) and L2 (0.35 against 0.3), but "
    "nearer to A under L∞ (0.2 against 0.3). So pixels between two centres change sides, the "
    "centres then move to their new pixels, and the segments come out different (choose L1 "
    "or L∞ and a line under the pictures says how many pixels moved). Texture works the "
    "same way with 48 numbers per pixel instead of 3.\n\n"
    "The distance changes only which centre a pixel joins. Each centre then moves to the "
    "**mean** of its pixels, or, with *Update rule: median* in the sidebar, to their median "
    "(k-medians): the update that goes with L1, as the mean goes with L2. No simple update "
    "goes with L∞; it uses the mean or the median too.\n\n"
    "**HSV** treats the hue as an angle on the colour wheel: a pixel is a point on a circle "
    "whose radius is its saturation, at the height of its brightness (value). Reds just "
    "below and just above hue 0 are neighbours, and greys (no saturation) sit on the axis "
    "whatever their hue."
)

st.subheader("Why sky and water end up together")
st.markdown(
    "The texture filters see only the grey image. 44 of the 48 (edges, bars and blobs) answer "
    "to **structure**: sky and calm water are both smooth, so they answer almost nothing "
    "there. The other 4 are Gaussians that measure local **brightness**, and the sky and the "
    "lake are both bright, so texture puts them in one cluster. Busy regions (leaves, roof "
    "tiles) light up many filters and form their own clusters.\n\n"
    "Colour does not separate them at a small k either: on the temple photo at k = 4 (L2, "
    "seed 0, a random or k-means++ start), RGB and HSV both put the open water right of the "
    "temple in the sky's segment (RGB gives only the water at the left edge another "
    "segment): the pale, grey-blue lake is closer in colour to the sky than to the trees and "
    "the temple. At k = 5 both give the lake a segment of its own; with L1 instead of L2, "
    "HSV still puts it with the sky at k = 7. Raise k, change the distance, or add a little "
    "colour to the texture features, and compare."
)

st.subheader("The Leung–Malik filter bank")
st.plotly_chart(
    image_charts.filter_bank_figure(images.filter_bank()),
    width="stretch",
    key="filter_bank",
)
st.caption(
    "48 filters, 49 × 49 pixels: 18 edge and 18 bar filters (3 sizes × 6 directions), "
    "8 Laplacians of Gaussian (blobs) and 4 Gaussians (local brightness). Red: the "
    "filter adds, blue: it subtracts."
)
