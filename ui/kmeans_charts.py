"""Charts of k-means on data: centroid grids, convergence, the elbow, 2-D runs, the t-SNE map."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import kmcore

from .style import EMPTY_COLOUR, FONT_SIZE, GREY, axis_fonts, base_layout, colour

GRID_COLS = 10


def start_end_grid(
    init_centers, centers, image_shape, title_end="", row_px: int = 110
) -> go.Figure:
    """The paper's figure: starting centroids on the top row, final centroids below.

    ``row_px`` is the height given to each row of centroids (the figure's width is the
    container's; pass less in a narrow column).
    """
    k = len(centers)
    h, w = image_shape
    n_cols = min(k, GRID_COLS)
    start = np.asarray(init_centers).reshape(k, h, w)
    end = np.asarray(centers).reshape(k, h, w)
    rows = math.ceil(k / n_cols)
    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.12,
        subplot_titles=("Start", f"End ({title_end})" if title_end else "End"),
    )
    for r, imgs in enumerate((start, end), start=1):
        z = kmcore.tile_images(imgs, n_cols, max(1, h // 8))
        fig.add_trace(
            go.Heatmap(z=z, colorscale="gray_r", zmin=0, zmax=1, showscale=False, hoverinfo="skip"),
            row=r,
            col=1,
        )
    fig.update_layout(**base_layout(height=120 + rows * 2 * row_px))
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_yaxes(scaleanchor="x", row=1, col=1)
    fig.update_yaxes(scaleanchor="x2", row=2, col=1)
    return fig


def _discrete_scale(k):
    scale = []
    for i in range(k):
        scale += [(i / k, colour(i)), ((i + 1) / k, colour(i))]
    return scale


def toy_frames(result, n_steps_mode: bool):
    """Frame plan of the 2-D animation: (name, labels step, centres step, regions step)."""
    plan = [("start", None, 0, 0)]
    for s in range(1, result.n_iter + 1):
        if n_steps_mode:
            plan.append((f"{s}: assign", s, s - 1, s - 1))
            plan.append((f"{s}: update", s, s, s - 1))
        else:
            plan.append((str(s), s, s, s - 1))
    return plan


def _toy_traces(X, result, grids, path, lab_step, c_step, r_step, show_regions):
    """One step of the toy picture: regions, points by cluster, centre trails, centres."""
    k = result.n_clusters
    traces = []
    xs, ys, owner = grids[r_step]
    traces.append(
        go.Heatmap(
            x=xs,
            y=ys,
            z=owner,
            colorscale=_discrete_scale(k),
            zmin=-0.5,
            zmax=k - 0.5,
            opacity=0.22 if show_regions else 0,
            showscale=False,
            hoverinfo="skip",
        )
    )
    if lab_step is None:
        colours = [GREY] * len(X)
    else:
        labels = result.history[lab_step - 1].labels
        colours = [colour(int(j)) for j in labels]
    traces.append(
        go.Scattergl(
            x=X[:, 0],
            y=X[:, 1],
            mode="markers",
            hoverinfo="skip",
            marker={"size": 6, "color": colours, "opacity": 0.8},
        )
    )
    tx, ty = [], []
    for j in range(k):
        tx += [*path[: c_step + 1, j, 0].tolist(), None]
        ty += [*path[: c_step + 1, j, 1].tolist(), None]
    traces.append(
        go.Scatter(
            x=tx,
            y=ty,
            mode="lines+markers",
            hoverinfo="skip",
            line={"color": "#333333", "width": 2},
            marker={"size": 5, "color": "#333333"},
        )
    )
    c = path[c_step]
    traces.append(
        go.Scatter(
            x=c[:, 0],
            y=c[:, 1],
            mode="markers+text",
            text=[str(j) for j in range(k)],
            textposition="top center",
            textfont={"size": 14},
            marker={
                "symbol": "x",
                "size": 20,
                "color": [colour(j) for j in range(k)],
                "line": {"color": "black", "width": 2},
            },
            hovertemplate="centre %{text}<br>(%{x:.2f}, %{y:.2f})<extra></extra>",
        )
    )
    return traces


def convergence(result, height: int = 520) -> go.Figure:
    """Inertia and the largest centre shift per iteration, with the tolerance as a line."""
    it = np.arange(1, result.n_iter + 1)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=("Sum of squared distances (inertia)", "Largest centre move"),
    )
    fig.add_trace(
        go.Scatter(
            x=it,
            y=[h.inertia for h in result.history],
            mode="lines+markers",
            name="inertia",
            line={"color": colour(0)},
        ),
        row=1,
        col=1,
    )
    shifts = np.array([h.shift for h in result.history])
    fig.add_trace(
        go.Scatter(
            x=it,
            y=np.maximum(shifts, 1e-12),
            mode="lines+markers",
            name="largest move",
            line={"color": colour(1)},
        ),
        row=2,
        col=1,
    )
    if result.tol > 0:
        fig.add_hline(
            y=result.tol,
            line={"dash": "dash", "color": EMPTY_COLOUR},
            row=2,
            col=1,
            annotation_text=f"tolerance {result.tol:g}",
            annotation_position="top right",
        )
    fig.update_yaxes(type="log", dtick=1, exponentformat="power", row=2, col=1)  # 10⁻¹, 10⁻²
    fig.update_xaxes(title_text="iteration", row=2, col=1, dtick=max(1, result.n_iter // 10))
    fig.update_layout(**base_layout(height=height, showlegend=False))
    return axis_fonts(fig)


def elbow_figure(
    res, current_k: int, height: int | None = 480, show_knee: bool = True
) -> go.Figure:
    """WCSS against k: mean of restarts with a ±1 std band, the knee and the current k marked
    (the knee not while a class is asked where it is: ``show_knee=False``).

    ``height`` in px; None leaves it to the chart's element (``components.screen_high``).
    """
    ks = res.ks
    lo, hi = res.inertia_mean - res.inertia_std, res.inertia_mean + res.inertia_std
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([ks, ks[::-1]]),
            y=np.concatenate([hi, lo[::-1]]),
            fill="toself",
            fillcolor="rgba(0,114,178,0.18)",
            line={"width": 0},
            hoverinfo="skip",
            name="± 1 std over restarts",
        )
    )
    for r in range(res.inertia.shape[1]):
        fig.add_trace(
            go.Scatter(
                x=ks,
                y=res.inertia[:, r],
                mode="markers",
                showlegend=r == 0,
                marker={"size": 6, "color": GREY},
                name="each restart",
                hovertemplate="k=%{x}: %{y:.4g}<extra>restart</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=ks,
            y=res.inertia_mean,
            mode="lines+markers",
            name="mean WCSS",
            line={"color": colour(0), "width": 3},
            hovertemplate="k=%{x}: %{y:.4g}<extra>mean</extra>",
        )
    )
    if res.knee is not None and show_knee:
        fig.add_vline(
            x=res.knee,
            line={"dash": "dash", "color": colour(3), "width": 2},
            annotation_text=f"knee: k = {res.knee}",
            annotation_position="top right",
        )
    if current_k in set(ks.tolist()):
        i = int(np.flatnonzero(ks == current_k)[0])
        fig.add_trace(
            go.Scatter(
                x=[current_k],
                y=[res.inertia_mean[i]],
                mode="markers",
                name=f"your k = {current_k}",
                marker={
                    "size": 18,
                    "symbol": "star",
                    "color": colour(1),
                    "line": {"color": "black", "width": 1},
                },
            )
        )
    fig.update_layout(
        **base_layout(height=height, legend={"orientation": "h", "y": 1.12}),
        xaxis_title_text="k (number of clusters)",
        yaxis_title_text="within-cluster sum of squares",
    )
    fig.update_xaxes(dtick=1 if len(ks) <= 20 else None)
    return fig


def silhouette_figure(res) -> go.Figure:
    """Mean silhouette against k (higher is better)."""
    fig = go.Figure(
        go.Scatter(
            x=res.ks, y=res.silhouette, mode="lines+markers", line={"color": colour(2), "width": 3}
        )
    )
    fig.update_layout(
        **base_layout(height=300), xaxis_title_text="k", yaxis_title_text="silhouette"
    )
    return fig


def seconds_figure(res) -> go.Figure:
    """Time spent on each k (all restarts)."""
    fig = go.Figure(go.Bar(x=res.ks, y=res.seconds, marker_color=colour(5)))
    fig.update_layout(**base_layout(height=260), xaxis_title_text="k", yaxis_title_text="seconds")
    return fig


def demo_figure(X, result, grids) -> go.Figure:
    """Home page picture: points coloured by their final cluster, centres and their paths."""
    # The last step only: building every step's traces to keep one took 0.7-0.9 s a visit.
    path = result.centers_path()
    _, *steps = toy_frames(result, False)[-1]
    fig = go.Figure(data=_toy_traces(X, result, grids, path, *steps, True))
    fig.update_layout(
        **base_layout(height=420, margin={"l": 0, "r": 0, "t": 0, "b": 0}), showlegend=False
    )
    fig.update_xaxes(visible=False, range=[-0.05, 1.05])
    fig.update_yaxes(visible=False, range=[-0.05, 1.05], scaleanchor="x")
    return fig


def _group_traces(coords, groups, names, hover_class, class_names):
    """One Scattergl trace per group (so the legend names them); customdata holds row indices."""
    traces = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        traces.append(
            go.Scattergl(
                x=coords[idx, 0],
                y=coords[idx, 1],
                mode="markers",
                name=names[int(g)],
                customdata=idx,
                marker={"size": 5, "color": colour(int(g)), "opacity": 0.75},
                text=[class_names[c] for c in hover_class[idx]],
                hovertemplate="class %{text}<extra>%{fullData.name}</extra>",
            )
        )
    return traces


TSNE_HEIGHT = 500  # px: the map, its title and the controls fit a 1280 x 720 screen


def tsne_figure(
    coords, y, labels, centres, class_names, evaluation, colour_by="cluster", height=TSNE_HEIGHT
):
    """The t-SNE map coloured by cluster (or true class), with the centroids placed on it.

    Parameters
    ----------
    coords : ndarray of shape (n, 2)
    y, labels : ndarray of shape (n,)
        True class and cluster of each point.
    centres : ndarray of shape (k, 2)
        The centroids' positions on the map.
    class_names : sequence of str
    evaluation : kmcore.ClusterEvaluation
        For the legend: each cluster's majority class and purity.
    colour_by : {"cluster", "class"}
    height : int or None
        Of the figure, in px; None leaves it to the chart's element (the page makes that
        as tall as the screen allows, ``components.screen_high``).
    """
    k = len(centres)
    if colour_by == "cluster":
        names = []
        for j in range(k):
            if evaluation.sizes[j] == 0:
                names.append(f"cluster {j}: empty")
            else:
                maj = class_names[evaluation.majority[j]]
                names.append(f"cluster {j} → {maj} ({evaluation.purity[j]:.0%})")
        traces = _group_traces(coords, labels, names, y, class_names)
    else:
        traces = _group_traces(coords, y, list(class_names), y, class_names)
    fig = go.Figure(traces)
    fig.add_trace(
        go.Scatter(
            x=centres[:, 0],
            y=centres[:, 1],
            mode="markers+text",
            name="centroids",
            text=[str(j) for j in range(k)],
            textposition="middle center",
            textfont={"size": 12, "color": "white"},
            marker={
                "symbol": "circle",
                "size": 26,
                "color": [colour(j) for j in range(k)],
                "line": {"color": "black", "width": 2},
            },
            hovertemplate="centroid %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        **base_layout(
            height=height,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            legend={"itemsizing": "constant"},
        ),
        dragmode="lasso",
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig


def tsne_picture(coords, y, class_names, size=(780, 600), legend_width=150) -> np.ndarray:
    """The map while it forms, as a plain picture (RGB uint8) coloured by true class.

    A picture, not a chart: it shows in the browser at once, with no chart library to
    load, while the map is computed (the finished map is the interactive chart).

    Parameters
    ----------
    coords : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
    class_names : sequence of str
    size : (int, int)
        Width and height in pixels, the legend included.
    legend_width : int
    """
    from PIL import Image, ImageDraw, ImageFont

    w, h = size
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    xy = np.asarray(coords, dtype=np.float64)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    box = np.array([w - legend_width - 20, h - 20], dtype=np.float64)
    scale = float((box / np.maximum(hi - lo, 1e-12)).min())
    pos = (xy - lo) * scale + 10 + (box - (hi - lo) * scale) / 2
    pos[:, 1] = h - pos[:, 1]  # y up, as on the chart
    r = 2.5
    for g in np.unique(y):
        fill = colour(int(g))
        for px, py in pos[np.asarray(y) == g]:
            draw.ellipse((px - r, py - r, px + r, py + r), fill=fill)
    font = ImageFont.load_default(size=FONT_SIZE + 2)
    for i, name in enumerate(class_names):
        top = 20 + i * (FONT_SIZE + 12)
        left = w - legend_width + 10
        draw.ellipse((left, top + 4, left + 12, top + 16), fill=colour(i))
        draw.text((left + 20, top), str(name), fill="black", font=font)
    return np.asarray(img)


def image_grid(rows, image_shape, n_cols: int = 15) -> np.ndarray:
    """Flattened images laid out in a grid, ink dark on white, for ``st.image``."""
    grid = kmcore.tile_images(np.asarray(rows).reshape(-1, *image_shape), n_cols, 1, 0.0)
    return 1.0 - grid


def grid_table_rows(result, class_names) -> list[dict]:
    """Rows of the experiments table, with readable names for inits and metrics."""
    from .settings import INIT_LABELS, METRIC_LABELS, init_label

    rows = kmcore.grid_rows(result, class_names)
    for row in rows:
        if row["init"] in INIT_LABELS:
            row["init"] = init_label(row["init"], row["metric"])
        row["metric"] = METRIC_LABELS.get(row["metric"], row["metric"])
    return rows
