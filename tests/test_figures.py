"""Figure helpers that turn engine output into pictures."""

from __future__ import annotations

import numpy as np

from ui import figures


def test_image_grid_lays_out_selected_images_ink_dark_on_white():
    rows = np.zeros((17, 4), np.float32)
    rows[3, 0] = 1.0  # one inked pixel in the fourth image
    grid = figures.image_grid(rows, (2, 2), n_cols=15)
    assert grid.shape == (2 * 3 - 1, 15 * 3 - 1)  # two rows of 2 x 2 tiles, 1-pixel gaps
    assert grid[0, 9] == 0.0  # ink is dark: the fourth tile starts at column 3 * 3
    assert grid.max() == 1.0 and np.count_nonzero(grid < 1) == 1  # the rest is white
