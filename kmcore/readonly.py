"""Read-only results: what a cache shares across sessions cannot be changed in place."""

from __future__ import annotations

from dataclasses import fields

import numpy as np


def read_only(value):
    """``value`` with every ndarray in it (also inside tuples) as a read-only view.

    The caller's own arrays keep their flags: only the views are locked.
    """
    if isinstance(value, np.ndarray):
        view = value.view()
        view.flags.writeable = False
        return view
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(read_only(v) for v in value)
    return value


class ReadOnlyArrays:
    """Mixin for frozen dataclasses: every ndarray field is stored as a read-only view."""

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, read_only(getattr(self, f.name)))
