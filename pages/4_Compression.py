"""Compression page: an image redrawn with k colours chosen by k-means."""

import pandas as pd
import streamlit as st

from ui import engine, figures
from ui.sidebar import page_control, sidebar
from ui.uploads import pick_image

st.set_page_config(
    page_title="Compression · K-Means Lab", page_icon=":material/palette:", layout="wide"
)
settings = sidebar(uses=("seed",))

st.title("Compression: an image in k colours")
st.markdown(
    "Every pixel is a point in colour space (red, green, blue). k-means finds **k colours** "
    "that stand for all of them; each pixel then keeps only the number of its colour. "
    "Fewer colours, fewer bits, less faithful. The seed in the sidebar sets the start."
)
key, original, notes = pick_image("compress")
n_colors = page_control(
    st.select_slider,
    "Colours (k)",
    options=[2, 4, 8, 16, 32, 64, 128, 256],
    default=16,
    key="colors",
)
with st.spinner("Choosing the colours…"):
    result = engine.quantization(key, n_colors, settings.seed, original)
q, acc = result.q, result.account
for note in q.notes:
    st.warning(f"Note: {note}.")

before, after = st.columns(2)
h, w = original.shape[:2]
before.image(original, caption=f"Original: {w} × {h}, up to 16.7 million colours", width="stretch")
bpp = f"{q.bits_per_pixel} bit{'' if q.bits_per_pixel == 1 else 's'} per pixel"
after.image(q.image, caption=f"{q.n_colors} colours ({bpp})", width="stretch")
for note in notes:  # below the pictures, so that they stay on the first screen
    st.info(f"Note: {note}.")

m = st.columns(4)
m[0].metric("Colours", q.n_colors)
m[1].metric("Bits per pixel", f"24 → {q.bits_per_pixel}")
m[2].metric("PSNR", f"{q.psnr:.1f} dB", help="Peak signal-to-noise ratio: higher is closer.")
m[3].metric("SSIM", f"{result.ssim:.3f}", help="Structural similarity: 1 is identical.")

st.subheader("How much smaller?")
st.markdown(
    "Three ways to count. The **formula** only counts the bits of each pixel's colour number. "
    "Add the **palette** (24 bits per colour) and it barely changes for a photo. "
    "**Real files** also compress what repeats, so the original PNG is already smaller than "
    "24 bits per pixel and the indexed PNG smaller than the formula says."
)
table = pd.DataFrame(
    [
        [
            "the formula: 24 / bits per pixel",
            "24 bits per pixel",
            bpp,
            acc.formula_ratio,
        ],
        [
            "…plus the palette",
            f"{acc.raw_bytes / 1024:,.0f} kB",
            f"{acc.with_palette_bytes / 1024:,.0f} kB",
            acc.with_palette_ratio,
        ],
        [
            "real PNG files",
            f"{acc.original_png / 1024:,.0f} kB",
            f"{acc.indexed_png / 1024:,.0f} kB",
            acc.file_ratio,
        ],
    ],
    columns=["counted as", "original", f"{q.n_colors} colours", "smaller by"],
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={"smaller by": st.column_config.NumberColumn(format="%.1f ×")},
)

st.subheader("Compared with Pillow's own quantisers")
quality = pd.DataFrame(
    [["k-means (this lab)", q.psnr, result.ssim]]
    + [[f"Pillow {name}", p, s] for name, (p, s) in result.peers.items()],
    columns=["method", "PSNR (dB)", "SSIM"],
)
st.dataframe(
    quality,
    hide_index=True,
    width="stretch",
    column_config={
        "PSNR (dB)": st.column_config.NumberColumn(format="%.2f"),
        "SSIM": st.column_config.NumberColumn(format="%.3f"),
    },
)
st.caption(
    "Same image, same number of colours, no dithering. k-means spends its colours "
    "where the pixels are; median cut and octree split colour space by rules."
)

left, right = st.columns(2)
with left:
    st.subheader("The palette")
    st.plotly_chart(figures.palette_figure(q.palette, q.indices), width="stretch", key="palette")
    st.download_button(
        "Download the compressed image (indexed PNG)",
        result.indexed_png,
        f"compressed_{q.n_colors}_colours.png",
        "image/png",
    )
with right:
    st.subheader("How it got there")
    st.plotly_chart(
        figures.quantize_animation(result.frames, result.frame_psnr),
        width="stretch",
        key="quantize_animation",
    )
    st.caption(
        f"Each frame redraws the image with the palette after that iteration "
        f"({len(result.frames) - 1} iterations on a sample of the pixels)."
    )

st.subheader("The colours as points")
st.plotly_chart(
    figures.rgb_scatter(original, q.indices, q.palette, seed=settings.seed),
    width="stretch",
    key="rgb_scatter",
)
st.caption(
    "3,000 pixels in RGB space, each drawn in the colour it was given; the big dots are "
    "the palette: the centroids k-means found. Drag to turn it."
)
