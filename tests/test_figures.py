"""Figure helpers that turn engine output into pictures."""

from __future__ import annotations

import numpy as np

from ui import image_charts, kmeans_charts


def test_image_grid_lays_out_selected_images_ink_dark_on_white():
    rows = np.zeros((17, 4), np.float32)
    rows[3, 0] = 1.0  # one inked pixel in the fourth image
    grid = kmeans_charts.image_grid(rows, (2, 2), n_cols=15)
    assert grid.shape == (2 * 3 - 1, 15 * 3 - 1)  # two rows of 2 x 2 tiles, 1-pixel gaps
    assert grid[0, 9] == 0.0  # ink is dark: the fourth tile starts at column 3 * 3
    assert grid.max() == 1.0 and np.count_nonzero(grid < 1) == 1  # the rest is white


def test_axis_titles_are_as_large_as_the_ticks():
    """A title set beside ``base_layout`` keeps its 16 px (``xaxis_title="..."`` would
    replace the whole title and drop its font to the chart theme's 14 px)."""
    import kmcore
    from ui.style import FONT_SIZE

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    res = kmcore.elbow(X, range(1, 4), n_init=1, random_state=0, silhouette_sample=30)
    palette = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    trace = kmcore.OutlierTrace(n_colors=2, seed=0, distance=np.array([3.0, 2.0]), nearest=palette)
    figs = [
        kmeans_charts.elbow_figure(res, 2, height=None),
        kmeans_charts.silhouette_figure(res),
        kmeans_charts.seconds_figure(res),
        image_charts.palette_figure(palette, np.array([0, 1, 1])),
        image_charts.outlier_chart([trace], 2.0, 2.3),
    ]
    for fig in figs:
        for axis in (fig.layout.xaxis, fig.layout.yaxis):
            assert axis.title.text, fig.layout
            assert axis.title.font.size == FONT_SIZE, (axis.title.text, axis.title.font.size)
