"""Charts of pictures and colours: palettes, the quantiser's frames, colour points, filters."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

import kmcore

from .style import GREY, base_layout, colour

FRAME_MS = 500


def _play_controls(labels, duration=FRAME_MS, prefix="Iteration: "):
    """Play/pause buttons and an iteration slider for a figure whose frames are named ``labels``."""
    play = {
        "frame": {"duration": duration, "redraw": True},
        "fromcurrent": True,
        "transition": {"duration": 0},
    }
    pause = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    menus = [
        {
            "type": "buttons",
            "direction": "left",
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "pad": {"t": 10, "r": 10},
            "showactive": False,
            "buttons": [
                {"label": "Play", "method": "animate", "args": [None, play]},
                {"label": "Pause", "method": "animate", "args": [[None], pause]},
            ],
        }
    ]
    sliders = [
        {
            "active": 0,
            "x": 0.22,
            "len": 0.78,
            "y": 0,
            "yanchor": "top",
            "pad": {"t": 10},
            "currentvalue": {"prefix": prefix, "xanchor": "right"},
            "steps": [
                {
                    "label": lab,
                    "method": "animate",
                    "args": [[lab], {**pause, "frame": {"duration": 0, "redraw": True}}],
                }
                for lab in labels
            ],
        }
    ]
    return menus, sliders


def step_labels(n_iter: int) -> list[str]:
    """Frame names: "start", then the iteration numbers."""
    return ["start"] + [str(i) for i in range(1, n_iter + 1)]


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))


def palette_figure(palette, indices) -> go.Figure:
    """The palette as swatches, most used first, bar height = pixels of that colour."""
    counts = np.bincount(np.asarray(indices).ravel(), minlength=len(palette))
    order = np.argsort(-counts, kind="stable")
    fig = go.Figure(
        go.Bar(
            x=[str(i + 1) for i in range(len(order))],
            y=counts[order],
            marker={
                "color": [_hex(palette[j]) for j in order],
                "line": {"color": "#444", "width": 1},
            },
            customdata=[_hex(palette[j]) for j in order],
            hovertemplate="%{customdata}: %{y:,} pixels<extra></extra>",
        )
    )
    fig.update_layout(
        **base_layout(height=260),
        xaxis_title_text="colour (most used first)",
        yaxis_title_text="pixels",
        bargap=0.05,
    )
    fig.update_xaxes(showticklabels=len(order) <= 32)
    return fig


def quantize_animation(frame_pngs, psnrs) -> go.Figure:
    """The image redrawn with each iteration's palette, played as frames.

    Parameters
    ----------
    frame_pngs : sequence of bytes
        One PNG file per frame (start, then each iteration), all of one size; sent as
        data URLs, a few ten kB each instead of a list of numbers per pixel.
    psnrs : sequence of float
    """
    names = step_labels(len(frame_pngs) - 1)
    sources = [data_url(png) for png in frame_pngs]
    w, h = png_size(frame_pngs[0])
    figs = [
        go.Frame(
            name=n,
            data=[go.Image(source=src)],
            layout={
                "title": {
                    "text": f"{'Start' if n == 'start' else 'Iteration ' + n}: PSNR {p:.1f} dB"
                }
            },
        )
        for n, src, p in zip(names, sources, psnrs, strict=True)
    ]
    menus, sliders = _play_controls(names, duration=400)
    fig = go.Figure(data=figs[0].data, frames=figs)
    fig.update_layout(
        **base_layout(
            height=int(170 + 480 * h / max(w, h)), margin={"l": 10, "r": 10, "t": 50, "b": 90}
        ),
        title=figs[0].layout.title,
        updatemenus=menus,
        sliders=sliders,
    )
    fig.update_xaxes(visible=False, range=[-0.5, w - 0.5])
    fig.update_yaxes(visible=False, scaleanchor="x", range=[h - 0.5, -0.5])
    return fig


def data_url(png: bytes) -> str:
    """A PNG file as a data URL (for plotly images and HTML)."""
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG file, from its header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def outlier_chart(traces, kept_de: float, just_noticeable: float) -> go.Figure:
    """ΔE from the outlier colour to its nearest palette colour, per iteration, one line per k.

    Parameters
    ----------
    traces : sequence of kmcore.OutlierTrace
    kept_de : float
        The distance drawn as "kept" (dashed line).
    just_noticeable : float
        ΔE of a just noticeable difference (dotted line).
    """
    fig = go.Figure()
    for i, t in enumerate(traces):
        steps = np.arange(len(t.distance))
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=t.distance,
                mode="lines+markers",
                name=f"k = {t.n_colors}",
                line={"color": colour(i), "width": 3},
                marker={
                    "color": [_hex(c) for c in t.nearest],
                    "size": 9,
                    "line": {"color": colour(i), "width": 2},
                },
                customdata=[_hex(c) for c in t.nearest],
                hovertemplate="iteration %{x}: ΔE %{y:.1f} (nearest %{customdata})"
                f"<extra>k = {t.n_colors}</extra>",
            )
        )
    for y, text, dash in (
        (kept_de, f"ΔE {kept_de:g}: kept", "dash"),
        (just_noticeable, f"ΔE {just_noticeable:g}: just noticeable", "dot"),
    ):
        fig.add_hline(
            y=y,
            line={"color": GREY, "dash": dash, "width": 2},
            annotation_text=text,
            annotation_position="top right",
            annotation_font_size=16,
        )
    fig.update_layout(
        **base_layout(height=400, margin={"l": 10, "r": 10, "t": 30, "b": 10}),
        xaxis_title_text="iteration (0 = the start)",
        yaxis_title_text="ΔE to the nearest palette colour",
        legend={"orientation": "h", "y": 1.12, "x": 0},
    )
    fig.update_yaxes(rangemode="tozero")
    return fig


def palette_swatches(palette, columns: int = 16, size: int = 22, gap: int = 2) -> np.ndarray:
    """A palette as a grid of square swatches (sorted by hue band, then lightness), uint8.

    Draw it at its own size (``st.image(..., width="content")``): each colour is a flat
    square, so nothing is blurred.
    """
    palette = kmcore.sorted_palette(palette)
    k = len(palette)
    cols = min(columns, k)
    rows = math.ceil(k / cols)
    cell = size + gap
    out = np.full((rows * cell + gap, cols * cell + gap, 3), 255, np.uint8)
    for i, c in enumerate(palette):
        r, q = divmod(i, cols)
        out[gap + r * cell : gap + r * cell + size, gap + q * cell : gap + q * cell + size] = c
    return out


def rgb_scatter(image, indices, palette, n_points: int = 3000, seed: int = 0) -> go.Figure:
    """A sample of pixels in RGB space, each drawn in its palette colour, palette as big dots."""
    pixels = np.asarray(image).reshape(-1, 3)
    idx = np.asarray(indices).ravel()
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(pixels), size=min(n_points, len(pixels)), replace=False)
    p = pixels[pick]
    fig = go.Figure(
        go.Scatter3d(
            x=p[:, 0],
            y=p[:, 1],
            z=p[:, 2],
            mode="markers",
            name="pixels",
            marker={"size": 2, "color": [_hex(palette[j]) for j in idx[pick]], "opacity": 0.6},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter3d(
            x=palette[:, 0],
            y=palette[:, 1],
            z=palette[:, 2],
            mode="markers",
            name="palette",
            marker={
                "size": 9,
                "color": [_hex(c) for c in palette],
                "line": {"color": "black", "width": 2},
            },
            hovertemplate="(%{x}, %{y}, %{z})<extra>palette colour</extra>",
        )
    )
    fig.update_layout(
        **base_layout(height=560),
        showlegend=False,
        scene={
            "xaxis_title": "red",
            "yaxis_title": "green",
            "zaxis_title": "blue",
            "xaxis": {"range": [0, 255]},
            "yaxis": {"range": [0, 255]},
            "zaxis": {"range": [0, 255]},
        },
    )
    return fig


def filter_bank_figure(bank) -> go.Figure:
    """The filters as a grid of small images (red positive, blue negative, each scaled alone).

    Eighteen columns, so each row is one family: edges, bars, then LoG and Gaussians.
    """
    tiles = np.moveaxis(np.asarray(bank), 2, 0)
    tiles = tiles / np.abs(tiles).max(axis=(1, 2), keepdims=True)
    z = kmcore.tile_images(tiles, 18, 4)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale="RdBu_r",
            zmin=-1,
            zmax=1,
            showscale=False,
            customdata=None,
            hoverinfo="skip",
        )
    )
    s = bank.shape[0] + 4
    for r, label in enumerate(["edges", "bars", "LoG · Gaussians"]):
        fig.add_annotation(
            x=-4,
            y=r * s + s / 2,
            text=label,
            showarrow=False,
            xanchor="right",
            xref="x",
            yref="y",
            font={"size": 14},
        )
    fig.update_layout(**base_layout(height=240, margin={"l": 130, "r": 10, "t": 10, "b": 10}))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    return fig
