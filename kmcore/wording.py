"""Small helpers for sentences built from numbers."""

from __future__ import annotations


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number: ``count(1, "colour")`` is "1 colour".

    Parameters
    ----------
    n : int
    singular : str
    plural : str, optional
        Default: ``singular + "s"``.
    """
    noun = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {noun}"
