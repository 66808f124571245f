"""Colours and fonts readable on a projector and by colour-blind viewers."""

from __future__ import annotations

# Okabe & Ito (2008), then Paul Tol's "muted" and "light" schemes: colour-blind-safe
# sets. Beyond 26 clusters colours repeat (the cluster number is always shown too).
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#332288", "#DDCC77", "#117733", "#CC6677", "#88CCEE", "#882255", "#44AA99", "#999933",
    "#AA4499", "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33",
    "#AAAA00", "#DDDDDD",
)  # fmt: skip
FONT_SIZE = 16
EMPTY_COLOUR = "#D55E00"
GREY = "#8C8C8C"


def colour(i: int) -> str:
    """Colour of cluster ``i``."""
    return PALETTE[i % len(PALETTE)]


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def base_layout(**extra) -> dict:
    """Layout shared by every figure: large fonts, tight margins, white background.

    Streamlit's chart theme sets ticks and legends to 12 px and wins over ``font``;
    naming them explicitly here keeps them at ``FONT_SIZE``. ``extra`` is merged in
    key by key; callers may also pass ``legend=``/``xaxis=`` to ``update_layout`` beside
    it (the fonts are set under flat names, so nothing clashes). Figures
    with subplots set the ticks of their other axes themselves (``axis_fonts``).
    """
    font = {"size": FONT_SIZE}
    # Flat names ("legend_font_size"), so a caller may still pass legend=... or xaxis=...
    # beside **base_layout() without a clash; plotly merges both into the same objects.
    layout = {
        "font": font,
        "xaxis_tickfont_size": FONT_SIZE,
        "xaxis_title_font_size": FONT_SIZE,
        "yaxis_tickfont_size": FONT_SIZE,
        "yaxis_title_font_size": FONT_SIZE,
        "legend_font_size": FONT_SIZE,
        "legend_title_font_size": FONT_SIZE,
        "hoverlabel_font_size": FONT_SIZE,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "template": "plotly_white",
    }
    return _merge(layout, extra)


def axis_fonts(fig):
    """Ticks and axis titles of every axis of ``fig`` (subplots too) at ``FONT_SIZE``."""
    fig.update_xaxes(tickfont_size=FONT_SIZE, title_font_size=FONT_SIZE)
    fig.update_yaxes(tickfont_size=FONT_SIZE, title_font_size=FONT_SIZE)
    fig.update_annotations(font_size=FONT_SIZE)
    return fig
