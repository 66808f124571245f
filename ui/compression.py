"""What the compression page draws: its controls, the main picture and one function per tab.

Every number shown comes from kmcore through the cached calls of ``ui/results/``;
nothing here computes more than a ratio or a format.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kmcore
from kmcore import colour

from . import image_charts
from . import settings as S
from .results import images
from .results.images import QuantizeSettings
from .sidebar import page_control, set_values

# The sidebar's starts that make sense for pixels ("one per class" needs classes), named as
# on the Segmentation page.
INITS = S.PIXEL_INIT_LABELS
COLOURS = [2, 4, 8, 16, 32, 64, 128, 256]
MAX_ITER = 50
SEEDS_SHOWN = 3
TABS = (
    "Iterations",
    "Seeds",
    "Gallery of k",
    "Outlier colour",
    "Against pngquant & Pillow",
    "Colour space",
    "File size",
    "Colours as points",
)


def kb(n: float) -> str:
    """A byte count in kB as people read it."""
    return f"{n / 1024:,.0f} kB"


def tolerance_text(tol: float, space: str) -> str:
    """The tolerance in this page's units, e.g. "0.05 (12.8 levels of 255)"."""
    if tol == 0:
        return "0 (until nothing changes)"
    unit = "levels of 255" if space == "rgb" else "ΔE"
    return f"{tol:g} ({tol * colour.SCALE[space]:.3g} {unit})"


def tolerance_caption(tol: float) -> str:
    """What the sidebar's tolerance means on this page."""
    head = (
        "On this page the tolerance is in colour units: the colour range counts as 1, as "
        "pixel values do on the other pages"
    )
    if tol == 0:
        return head + "; 0 runs until no colour moves."
    scale = colour.SCALE
    return (
        f"{head}, so {tol:g} is {tol * scale['rgb']:.3g} levels of 255 in RGB and "
        f"{tol * scale['lab']:.3g} ΔE in CIELAB."
    )


def controls() -> tuple[int, int, str]:
    """The page's own controls, in the URL: colours (k), iterations, colour space."""
    left, middle, right = st.columns([3, 3, 2])
    n_colors = page_control(
        left.select_slider, "Colours (k)", options=COLOURS, default=16, key="colors"
    )
    iterations = page_control(
        middle.slider,
        "Iterations (at most)",
        min_value=1,
        max_value=MAX_ITER,
        default=kmcore.STORY_ITER,
        key="iters",
        help=f"The article runs {kmcore.STORY_ITER}. The tolerance in the sidebar may stop sooner.",
    )
    space = page_control(
        right.radio,
        "Colour space",
        options=list(colour.COLOUR_SPACES),
        default="rgb",
        key="space",
        horizontal=True,
        format_func=colour.COLOUR_SPACE_LABELS.get,
        help="Where k-means measures distances and takes means: RGB levels, or CIELAB, "
        "where distance is the colour difference ΔE people see (see the Colour space tab).",
    )
    return n_colors, iterations, space


def stop_text(q: kmcore.Quantized) -> str:
    """Why the iterations stopped, from the run itself."""
    coarse = (
        f" (iterations 1–{q.n_coarse} on colour cells twice as wide, to place the "
        "k-means++ start cheaply)"
        if q.n_coarse
        else ""
    )
    if q.n_iter == 0:
        return "No iteration: the palette is the start."
    if q.stop_reason == kmcore.STOP_MAX_ITER:
        return f"Ran all {q.n_iter} iterations{coarse}; the tolerance was not reached."
    why = (
        "nothing changed any more"
        if q.stop_reason == kmcore.STOP_UNCHANGED
        else f"no colour moved farther than the tolerance, {tolerance_text(q.tol, q.colour_space)}"
    )
    return f"Stopped after {q.n_iter} of {q.max_iter} iterations{coarse}: {why}."


def main_picture(original, result: kmcore.QuantizationReport, notes) -> None:
    """The original and the quantised image side by side, then the key numbers."""
    q, acc = result.q, result.account
    for note in q.notes:
        st.warning(f"Note: {note}.")
    before, after = st.columns(2)
    h, w = original.shape[:2]
    before.image(original, caption=f"Original: {w} × {h}, up to 16.7 million colours")
    bpp = f"{q.bits_per_pixel} bit{'' if q.bits_per_pixel == 1 else 's'} per pixel"
    space = colour.COLOUR_SPACE_LABELS[q.colour_space]
    start = INITS.get(q.init, q.init).split(" (")[0].lower()
    after.image(q.image, caption=f"{q.n_colors} colours ({bpp}); start: {start}; {space}")
    for note in notes:  # below the pictures, so that they stay on the first screen
        st.info(f"Note: {note}.")
    text, button = st.columns([5, 2], vertical_alignment="center")
    text.caption(stop_text(q))
    if q.init != "random" or q.tol != 0:
        button.button(
            "Run as the article",
            on_click=set_values,
            kwargs={"init": "random", "tol": 0.0},
            key="article_settings",
            help="Random pixel colours as the start and no tolerance, so that every "
            "iteration runs, as in the article (sets the sidebar's initialisation and "
            "tolerance).",
        )
    m = st.columns(6)
    m[0].metric("Colours", q.n_colors)
    m[1].metric("Bits per pixel", f"24 → {q.bits_per_pixel}")
    m[2].metric("PSNR", f"{q.psnr:.1f} dB", help="Peak signal-to-noise ratio: higher is closer.")
    m[3].metric(
        "Mean ΔE",
        f"{result.delta_e:.2f}",
        help="Mean colour difference ΔE*ab (CIE 1976: distance in CIELAB) over the pixels; "
        f"about {colour.JUST_NOTICEABLE_DE} is just noticeable. Lower is closer.",
    )
    m[4].metric("SSIM", f"{result.ssim:.3f}", help="Structural similarity: 1 is identical.")
    m[5].metric("Indexed PNG", kb(acc.indexed_png), help="The real file (Iterations tab).")


def tabs():
    """The experiments, one tab each; only the open tab runs (the others cost nothing)."""
    return st.tabs(list(TABS), key="compress_tab", on_change="rerun")


def iterations_tab(result: kmcore.QuantizationReport) -> None:
    q = result.q
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(
            image_charts.quantize_animation(result.frame_pngs, result.frame_psnr),
            width="stretch",
            key="quantize_animation",
        )
    with right:
        w, h = image_charts.png_size(result.frame_pngs[0])
        st.markdown(
            f"Each frame redraws the image with the palette of that moment: the start "
            f"({INITS.get(q.init, q.init).lower()}), then after each of the {q.n_iter} "
            f"iterations. PSNR goes from **{result.frame_psnr[0]:.1f} dB** to "
            f"**{result.frame_psnr[-1]:.1f} dB** (on this {w} × {h} preview)."
        )
        st.download_button(
            f"Download the iterations (GIF, {kb(len(result.gif))})",
            result.gif,
            f"kmeans_{q.n_colors}_colours_iterations.gif",
            "image/gif",
            key="gif_download",
        )
        st.download_button(
            f"Download the image (PNG, {kb(len(result.indexed_png))})",
            result.indexed_png,
            f"compressed_{q.n_colors}_colours.png",
            "image/png",
            key="png_download",
        )
        st.caption(
            f"The GIF has {len(result.frame_pngs)} frames of {w} × {h}, each with its own "
            "palette, so it shows every iteration's colours exactly."
        )


def seeds_tab(key, original, n_colors: int, qs: QuantizeSettings) -> None:
    seeds = tuple(range(qs.seed, qs.seed + SEEDS_SHOWN))
    with st.spinner(f"Running {len(seeds)} seeds…"):
        runs = images.quantization_seeds(key, n_colors, qs, seeds, original)
    psnrs = [r.psnr for r in runs]
    st.markdown(
        f"The same settings from seeds {seeds[0]}–{seeds[-1]}: only the start differs. "
        f"PSNR runs from **{min(psnrs):.2f}** to **{max(psnrs):.2f} dB**"
        + (
            " (k-means++ spreads its start, so runs differ less than from random colours)."
            if qs.init == "k-means++"
            else "."
        )
    )
    for col, r in zip(st.columns(len(runs)), runs, strict=True):
        col.image(r.png, caption=f"Seed {r.seed}: PSNR {r.psnr:.2f} dB, {r.n_iter} iterations")
        col.image(
            image_charts.palette_swatches(r.start, columns=16, size=14),
            caption=f"Its {len(r.start)} starting colours",
            width="content",
        )


def gallery_tab(key, original, qs: QuantizeSettings) -> None:
    with st.spinner(f"Quantising at k = {', '.join(map(str, kmcore.GALLERY_KS))}…"):
        entries = images.quantization_gallery(key, qs, original)
    st.markdown(
        "The article's *Selecting k*: more colours, more bits per pixel, a closer image. "
        "Bits and factors count the colour index only (24 bits → log₂ k); the file sizes "
        "are the real indexed PNG files."
    )
    for col, e in zip(st.columns(len(entries)), entries, strict=True):
        col.image(e.png, caption=f"k = {e.n_colors}")
    table = pd.DataFrame(
        [
            [e.n_colors, f"24 → {e.bits:g}", e.factor, e.psnr, e.n_iter, len(e.png) / 1024]
            for e in entries
        ],
        columns=[
            "k",
            "bits per pixel",
            "smaller by (formula)",
            "PSNR (dB)",
            "iterations",
            "PNG file (kB)",
        ],
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "smaller by (formula)": st.column_config.NumberColumn(format="%.1f ×"),
            "PSNR (dB)": st.column_config.NumberColumn(format="%.2f"),
            "PNG file (kB)": st.column_config.NumberColumn(format="%.0f"),
        },
    )
    by_k = {e.n_colors: e for e in entries}
    shown = [k for k in (64, 256) if k in by_k]
    if shown:
        st.subheader("The palettes at k = 64 and 256")
        for col, k in zip(st.columns(len(shown)), shown, strict=True):
            e = by_k[k]
            col.image(
                image_charts.palette_swatches(e.palette),
                caption=f"k = {k} after {e.n_iter} iterations, grouped by hue, dark to light",
                width="content",
            )


def outlier_tab(iterations: int) -> None:

    with st.spinner("Running the outlier experiment (2 × 20 runs)…"):
        story = images.outlier_story(iterations)
    pick, _ = st.columns([1, 3])
    seed = page_control(
        pick.selectbox,
        "Seed of the start",
        options=list(range(story.seeds)),
        default=kmcore.STORY_SEED,
        key="story_seed",
        help=f"Seed {kmcore.STORY_SEED} is the article's story: the orange is picked at the start "
        "at k = 16, then washed out.",
    )
    traces = [story.traces(k)[seed] for k in kmcore.STORY_KS]
    pngs = images.outlier_images(seed, iterations)
    cols = st.columns(1 + len(traces))
    cols[0].image(
        images.image(("sample", "reef"))[0],
        caption="A made-up reef drawn by the lab's code (not a photograph): two small "
        "orange fish over an anemone, as in the article's clown-fish photo.",
    )
    for col, t, png in zip(cols[1:], traces, pngs, strict=True):
        fate = "kept" if t.kept else "washed out"
        col.image(png, caption=f"k = {t.n_colors} after {len(t.distance) - 1} iterations: {fate}")
    st.plotly_chart(
        image_charts.outlier_chart(traces, kmcore.KEPT_DE, colour.JUST_NOTICEABLE_DE),
        width="stretch",
        key="outlier_chart",
    )
    lines = []
    for t in traces:
        fate = "kept" if t.kept else "washed out"
        start = (
            f"a starting colour was ΔE {t.distance[0]:.1f} from the orange"
            if t.picked
            else f"no starting colour was near the orange (nearest ΔE {t.distance[0]:.1f})"
        )
        lines.append(
            f"- **k = {t.n_colors}**, seed {seed}: {start}; after {len(t.distance) - 1} "
            f"iterations the nearest palette colour is ΔE {t.distance[-1]:.1f} away: "
            f"**{fate}**."
        )
    st.markdown(
        f"Distance from the fish's orange {tuple(kmcore.REEF_ORANGE)} to its nearest palette "
        f"colour, as ΔE*ab, after each iteration; the article's setting: random pixel colours "
        f"as the "
        f"start, RGB, all {iterations} iterations (no tolerance). Kept means a palette colour "
        f"within ΔE {kmcore.KEPT_DE:g}.\n\n" + "\n".join(lines)
    )
    small, large = kmcore.STORY_KS
    st.markdown(
        f"Over seeds 0–{story.seeds - 1}: at k = {small} a starting colour was within "
        f"ΔE {kmcore.KEPT_DE:g} of the orange in {story.picked(small)} runs, and it was washed out "
        f"in {story.washed_out(small)} of them; the orange ended in the palette in "
        f"{story.kept(small)} of {story.seeds} runs. At k = {large} it ended in the palette "
        f"in **{story.kept(large)} of {story.seeds}** runs."
    )


def comparison_tab(key, original, n_colors: int, qs: QuantizeSettings) -> None:
    if n_colors < 2:
        st.info("Choose at least 2 colours to compare.")
        return
    with st.spinner("Quantising with libimagequant, Pillow and k-means…"):
        rows = images.comparison(key, n_colors, qs, original)
    table = pd.DataFrame(
        [
            [r.method, r.n_colors, r.psnr, r.ssim, r.delta_e, r.png_bytes / 1024, r.seconds]
            for r in rows
        ],
        columns=["method", "colours", "PSNR (dB)", "SSIM", "mean ΔE", "PNG (kB)", "time (s)"],
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "PSNR (dB)": st.column_config.NumberColumn(format="%.2f"),
            "SSIM": st.column_config.NumberColumn(format="%.3f"),
            "mean ΔE": st.column_config.NumberColumn(format="%.2f"),
            "PNG (kB)": st.column_config.NumberColumn(format="%.0f"),
            "time (s)": st.column_config.NumberColumn(format="%.3f"),
        },
    )
    by = {r.method: r for r in rows}
    best, liq, mc = by[images.LAB_DEFAULT], by["libimagequant"], by["median cut"]
    st.markdown(
        f"Same image, k = {n_colors}, no dithering, every result saved by the same PNG "
        f"encoder. libimagequant is pngquant's engine (default quality and speed). The lab's "
        f"default (k-means++, the best of several starts, until no colour moves half a "
        f"level) is **{best.psnr - liq.psnr:+.2f} dB** against libimagequant and "
        f"**{best.psnr - mc.psnr:+.2f} dB** against Pillow's median cut here, in "
        f"{best.seconds / liq.seconds:.1f}× libimagequant's time. Times are one run on this "
        "server as the table was computed; `bench/bench_quantize.py` measures them carefully."
    )


def colour_space_tab(key, original, n_colors: int, qs: QuantizeSettings) -> None:
    with st.spinner("Quantising in RGB and in CIELAB…"):
        runs = images.colour_spaces(key, n_colors, qs, original)
    for col, (space, p, de, png) in zip(st.columns(len(runs)), runs, strict=True):
        col.image(
            png,
            caption=f"{colour.COLOUR_SPACE_LABELS[space]}: PSNR {p:.2f} dB, mean ΔE {de:.2f}",
        )
    (_, p_rgb, de_rgb, _), (_, p_lab, de_lab, _) = runs
    st.markdown(
        "RGB counts every level of every channel alike. CIELAB is built so that equal "
        "distances look about equally different (distance there is the ΔE people quote), "
        "so k-means in CIELAB minimises the colour difference you see: it tells apart hues "
        "that RGB lumps together (greens and blues of foliage, the sky's tints) and spends "
        "fewer colours on small changes of brightness. PSNR, which counts RGB levels, then "
        f"drops. Here: PSNR {p_rgb:.2f} → {p_lab:.2f} dB, mean ΔE {de_rgb:.2f} → "
        f"{de_lab:.2f} from RGB to CIELAB"
        + (
            ", so CIELAB is closer as seen and farther as counted."
            if de_lab < de_rgb and p_lab < p_rgb
            else "."
        )
        + " Perceptual quantising looks better where hue matters more than fine shading; "
        "RGB keeps smooth brightness ramps (skies, skin) in more steps."
    )


def file_size_tab(result: kmcore.QuantizationReport) -> None:
    q, acc = result.q, result.account
    bpp = f"{q.bits_per_pixel} bit{'' if q.bits_per_pixel == 1 else 's'} per pixel"
    st.markdown(
        "Three ways to count. The **formula** only counts the bits of each pixel's colour "
        "number. Add the **palette** (24 bits per colour) and it barely changes for a photo. "
        "**Real files** also compress what repeats, so the original PNG is already smaller "
        "than 24 bits per pixel and the indexed PNG smaller than the formula says."
    )
    table = pd.DataFrame(
        [
            ["the formula: 24 / bits per pixel", "24 bits per pixel", bpp, acc.formula_ratio],
            [
                "…plus the palette",
                kb(acc.raw_bytes),
                kb(acc.with_palette_bytes),
                acc.with_palette_ratio,
            ],
            ["real PNG files", kb(acc.original_png), kb(acc.indexed_png), acc.file_ratio],
        ],
        columns=["counted as", "original", f"{q.n_colors} colours", "smaller by"],
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"smaller by": st.column_config.NumberColumn(format="%.1f ×")},
    )
    st.plotly_chart(
        image_charts.palette_figure(q.palette, q.indices), width="stretch", key="palette"
    )


def points_tab(original, result: kmcore.QuantizationReport, seed: int) -> None:
    q = result.q
    st.plotly_chart(
        image_charts.rgb_scatter(original, q.indices, q.palette, seed=seed),
        width="stretch",
        key="rgb_scatter",
    )
    st.caption(
        "3,000 pixels in RGB space, each drawn in the colour it was given; the big dots are "
        "the palette: the centroids k-means found. Drag to turn it."
    )
