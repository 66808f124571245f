"""ui.style.base_layout: readable fonts that survive a caller's own legend/axis settings."""

from __future__ import annotations

import plotly.graph_objects as go

from ui.style import FONT_SIZE, base_layout


def test_fonts_stay_when_a_caller_passes_its_own_legend_and_axes():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="a"))
    fig.update_layout(**base_layout(height=300), legend={"orientation": "h"}, xaxis={"dtick": 1})
    assert fig.layout.legend.font.size == FONT_SIZE
    assert fig.layout.legend.orientation == "h"
    assert fig.layout.xaxis.tickfont.size == FONT_SIZE and fig.layout.xaxis.dtick == 1
    assert fig.layout.yaxis.tickfont.size == FONT_SIZE
    fig = go.Figure(layout=base_layout(legend={"itemsizing": "constant"}))
    assert fig.layout.legend.font.size == FONT_SIZE
    assert fig.layout.legend.itemsizing == "constant"
