"""The sidebar's settings, each declared once, as a frozen value; one URL codec (no Streamlit).

:data:`TABLE` holds every setting's default, choices or range, label, name in
sentences, help and widget; :class:`Settings`, parsing, help and the sidebar's
widgets all derive from it. Field names are the widget keys and the URL
parameter names, so a link such as ``?dataset=mnist&k=20&init=maxmin``
reproduces a setting exactly. :func:`codec` is the one way values are written
to a URL and read back, for these settings and for the pages' own controls.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, make_dataclass, replace
from typing import Any

import numpy as np

import kmcore

DATASET_LABELS = {
    "digits": "Digits 8×8 (offline)",
    "mnist": "MNIST digits 28×28",
    "fashion-mnist": "Fashion-MNIST 28×28",
    "blobs": "2-D: blobs",
    "uneven-blobs": "2-D: uneven blobs",
    "anisotropic": "2-D: stretched blobs",
    "moons": "2-D: moons",
    "circles": "2-D: circles",
    "uniform": "2-D: uniform (no clusters)",
}
INIT_LABELS = {
    "random": "Random data points",
    "maxmin": "MaxMin (farthest first)",
    "hierarchical": "Hierarchical",
    "per-class": "One random image per class",
    "noise": "Random noise",
    "k-means++": "k-means++",
    "refined": "Refined (Bradley–Fayyad)",
}
INIT_SHORT = {  # for chips in narrow multiselects
    "random": "Random",
    "maxmin": "MaxMin",
    "hierarchical": "Hierarchical",
    "per-class": "One per class",
    "noise": "Noise",
    "k-means++": "k-means++",
    "refined": "Refined",
}
METRIC_LABELS = {"l1": "L1", "l2": "L2", "linf": "L∞"}
TOLERANCES = (0.0, 0.001, 0.01, 0.05, 0.1, 0.5)
SAMPLES = (1000, 2000, 5000, 10000, 20000, 0)  # 0: the whole split
K_MAX = 30
MAX_ITERS = (10, 20, 50, 100, 200, 300)


def is_toy(dataset: str) -> bool:
    """Whether ``dataset`` is a 2-D toy set."""
    return dataset in kmcore.TOY_SETS


def is_large(dataset: str) -> bool:
    """Whether ``dataset`` has train/test splits and is sampled (MNIST, Fashion-MNIST)."""
    return dataset in ("mnist", "fashion-mnist")


# ---- one URL codec, for the sidebar's settings and the pages' controls ---------------------


@dataclass(frozen=True)
class Codec:
    """How one value is written to a URL and read back (None: the text is not a value)."""

    encode: Callable[[Any], str]
    decode: Callable[[str], Any]


def _number_text(v) -> str:
    return str(v) if isinstance(v, (int, np.integer)) else f"{v:g}"


def _one_number(raw: str, like, lo=None, hi=None, step=None):
    """``raw`` as an int or a float like ``like``, within ``lo..hi`` on ``step``."""
    try:
        if isinstance(like, (int, np.integer)) and not isinstance(like, bool):
            value = int(raw)  # "07" and " 7" read as 7; "7.5" is not an int
        else:
            value = float(raw)
            if not math.isfinite(value):
                return None
    except (TypeError, ValueError, OverflowError):
        return None
    if lo is not None and not (lo <= value <= hi):
        return None
    if step and abs((value - lo) / step - round((value - lo) / step)) > 1e-9:
        return None
    return value


def codec(default, *, choices=None, bounds=None, step=None, decode=None) -> Codec:
    """The codec of a value like ``default``.

    Parameters
    ----------
    default
        The value's type decides the text: booleans "1"/"0" (also "true"/"false"),
        numbers as written, lists as comma-separated choices, pairs as "lo,hi".
    choices : sequence, optional
        The allowed values (numbers are matched by value, others by their text).
    bounds : (lo, hi), optional
        For numbers without ``choices``: the allowed range.
    step : number, optional
        With ``bounds``: values must sit on this grid from ``lo``.
    decode : callable, optional
        Reads the text instead (it returns None for text that is not a value).
    """
    if decode is not None:
        return Codec(str, decode)
    if isinstance(default, bool):
        flags = {"1": True, "true": True, "0": False, "false": False}
        return Codec(lambda v: "1" if v else "0", lambda raw: flags.get(raw.strip().lower()))
    if choices is not None:
        by_text = {str(o): o for o in choices}
        numeric = all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in choices)

        def one(raw: str):
            if raw in by_text:
                return by_text[raw]
            if numeric:
                like = next(iter(choices))
                value = _one_number(raw, like)
                return value if value is not None and value in choices else None
            return None

        if isinstance(default, list):

            def many(raw: str):
                if not raw:
                    return []
                parts = [one(p) for p in raw.split(",")]
                return None if any(p is None for p in parts) else parts

            return Codec(lambda v: ",".join(str(o) for o in v), many)
        return Codec(str, one)  # an option is written as its own text
    lo, hi = bounds
    like = default[0] if isinstance(default, tuple) else default
    if step is None and isinstance(like, (int, np.integer)):
        step = 1
    if isinstance(default, tuple):

        def pair(raw: str):
            parts = [_one_number(p, like, lo, hi, step) for p in raw.split(",")]
            ok = len(parts) == 2 and None not in parts and parts[0] <= parts[1]
            return tuple(parts) if ok else None

        return Codec(lambda v: ",".join(_number_text(x) for x in v), pair)
    return Codec(_number_text, lambda raw: _one_number(raw, like, lo, hi, step))


# ---- the sidebar's settings, each declared once -------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One sidebar setting: everything the sidebar, links, help and sentences need.

    ``key`` is the :class:`Settings` field, the widget key and the URL name.
    """

    key: str
    default: Any
    label: str  # the widget's label
    name: str  # how sentences name it ("data set", "tolerance")
    widget: str  # selectbox, radio, select_slider, slider, toggle, number, or "" (not drawn)
    help: str | None = None
    choices: tuple | None = None
    labels: Mapping | None = None  # value -> text shown
    bounds: tuple | None = None  # (lo, hi) for numbers without choices
    advanced: bool = False  # drawn under "Advanced"
    inline: bool = False  # a radio's options on one line
    decode: Callable[[str], Any] | None = None  # a reader of its own (starts)
    # Given the values in use (a mapping by key): whether it is drawn, how a value is named
    # (when that depends on another setting), a line under it.
    when: Callable[[Mapping], bool] | None = None
    text_for: Callable[[Any, Mapping], str] | None = None
    note: Callable[[Mapping], str | None] | None = None

    @property
    def codec(self) -> Codec:
        return codec(self.default, choices=self.choices, bounds=self.bounds, decode=self.decode)

    def text(self, value) -> str:
        """``value`` as the widget shows it."""
        return str(self.labels.get(value, value)) if self.labels else str(value)


def _starts_or_none(raw: str):
    return raw if raw == "" or parse_starts(raw) is not None else None


TABLE: tuple[Setting, ...] = (
    Setting(
        "dataset", "digits", "Data set", "data set", "selectbox",
        help="Digits ship with scikit-learn and work offline; MNIST and Fashion-MNIST are "
        "downloaded once per split (MNIST: test 1.7 MB, train 10 MB; Fashion-MNIST: test "
        "4.4 MB, train 26 MB). 2-D sets show the regions each centre owns.",
        choices=tuple(DATASET_LABELS), labels=DATASET_LABELS,
    ),
    Setting(
        "split", "test", "Split", "split", "radio",
        help="MNIST has 60,000 training and 10,000 test images.",
        choices=kmcore.SPLITS, inline=True,
        when=lambda v: is_large(v["dataset"]),
    ),
    Setting(
        "sample", 10000, "Sample size", "sample size", "select_slider",
        help="A random sample with the same share of every class, so runs stay quick.",
        choices=SAMPLES, labels={n: "all" if n == 0 else f"{n:,}" for n in SAMPLES},
        when=lambda v: is_large(v["dataset"]),
        note=lambda v: (
            "All 60,000 images: about 200 MB of server memory and a few seconds per run. "
            "A sample is enough to see the effects."
            if v["sample"] == 0 and v["split"] == "train" else None
        ),
    ),
    Setting(
        "k", 10, "k (clusters)", "k", "slider",
        help="How many clusters (centroids) to look for.", bounds=(1, K_MAX),
    ),
    Setting(
        "init", "random", "Initialisation", "initialisation", "selectbox",
        help="How the starting centroids are chosen. Hierarchical clusters a "
        f"{kmcore.HIERARCHICAL_SAMPLE:,}-point sample with Ward linkage under L2 and "
        "average linkage under L1 and L∞, and starts from the means of its groups.",
        choices=kmcore.INIT_METHODS, labels=INIT_LABELS,
        text_for=lambda value, v: init_label(value, v["metric"]),
    ),
    Setting(
        "metric", "l2", "Distance", "distance", "radio",
        help="The distance used to find each point's nearest centroid.",
        choices=kmcore.METRICS, labels=METRIC_LABELS, inline=True,
    ),
    Setting(
        "balance", False, "Balance classes", "class balancing", "toggle",
        help="Keep the same number of images of every class (the smallest class's count).",
    ),
    Setting(
        "tol", 0.05, "Tolerance", "tolerance", "select_slider",
        help="Stop when no centroid moves farther than this (Euclidean, in pixel units 0-1).",
        choices=TOLERANCES,
        labels={t: "0 (until nothing changes)" if t == 0 else f"{t:g}" for t in TOLERANCES},
    ),
    Setting(
        "seed", 0, "Seed", "seed", "number",
        help="The same seed always gives the same run.", bounds=(0, 99_999),
    ),
    Setting(
        "max_iter", 100, "Max iterations", "max iterations", "select_slider",
        help="Stop after this many iterations even if not converged.",
        choices=MAX_ITERS, advanced=True,
    ),
    Setting(
        "update", "mean", "Update rule", "update rule", "radio",
        help="Mean: k-means. Median (per pixel): k-medians, the update that suits L1.",
        choices=kmcore.UPDATE_RULES,
        labels={"mean": "mean (k-means)", "median": "median (k-medians)"}, advanced=True,
    ),
    Setting(
        "empty", "keep", "Empty cluster", "empty cluster", "radio",
        help="What happens to a centroid that gets no points.",
        choices=kmcore.EMPTY_POLICIES,
        labels={"keep": "leave it where it is", "farthest": "move to the farthest point"},
        advanced=True,
    ),
    # Starts chosen by hand: "p" + x,y pairs (2-D) or "i" + row numbers; set by the
    # Centroids page, not drawn in the sidebar.
    Setting("starts", "", "Starts", "hand-picked starts", "", decode=_starts_or_none),
)  # fmt: skip
SETTINGS = {s.key: s for s in TABLE}


def _data_key(self) -> tuple:
    """What selects the data rows: dataset, split, sample size, balance, seed."""
    if not is_large(self.dataset):
        return (self.dataset, "all", 0, self.balance, self.seed if self.balance else 0)
    return (self.dataset, self.split, self.sample, self.balance, self.seed)


def _to_query(self) -> dict[str, str]:
    """The settings as URL parameters (hand-picked starts only when there are some)."""
    return {
        s.key: s.codec.encode(getattr(self, s.key))
        for s in TABLE
        if s.key != "starts" or self.starts
    }


Settings = make_dataclass(
    "Settings",
    [(s.key, type(s.default), field(default=s.default)) for s in TABLE],
    frozen=True,
    namespace={
        "__doc__": "Everything the sidebar sets (fields from :data:`TABLE`); hashable, so it "
        "can key caches.",
        "__module__": __name__,
        "data_key": property(_data_key),
        "to_query": _to_query,
    },
)


def objective_can_rise(settings: Settings) -> str:
    """What in ``settings`` lets the sum of squares rise between rounds.

    Only L2 assignment with the mean update is guaranteed never to raise it.

    Returns
    -------
    str
        e.g. ``"L∞ assignment and the median update"``; empty when it cannot rise.
    """
    parts = []
    if settings.metric != "l2":
        parts.append(f"{METRIC_LABELS[settings.metric]} assignment")
    if settings.update != "mean":
        parts.append("the median update")
    return " and ".join(parts)


def init_label(init: str, metric: str = "l2") -> str:
    """The name of an initialisation; hierarchical says which linkage ``metric`` gets."""
    if init == "hierarchical":
        return "Hierarchical (Ward)" if metric == "l2" else "Hierarchical (average linkage)"
    return INIT_LABELS[init]


# The starts that apply to an image's pixels (they have no classes), named for pixels.
PIXEL_INIT_LABELS = {
    m: "Random pixels" if m == "random" else label
    for m, label in INIT_LABELS.items()
    if m != "per-class"
}


DEFAULTS = Settings()
KEYS = tuple(s.key for s in TABLE)


@dataclass(frozen=True)
class PageState:
    """The state of a page: which page, the sidebar's settings and the page's controls.

    One value that can be compared, serialised as a link's query and restored
    (links, Back/Forward, and a room that shows a class what its teacher sees).

    Attributes
    ----------
    page : str
        The page's address ("" for Home, "Centroids", ...).
    settings : Settings
    controls : tuple of (str, str)
        The page's controls that differ from their defaults, as URL text, by key.
    """

    page: str
    settings: Settings
    controls: tuple[tuple[str, str], ...] = ()

    def to_query(self) -> dict[str, str]:
        """The state as URL parameters (the page is the address's path, not a parameter)."""
        return {**self.settings.to_query(), **dict(self.controls)}

    @classmethod
    def from_query(cls, page: str, params, control_keys=()) -> tuple[PageState, list[str]]:
        """The state a link gives ``page``, and the parameters it could not use.

        ``control_keys`` are the page's control names; their text is kept as it
        is (the page's own codec reads it when the control is drawn).
        """
        settings, rejected = from_query(params)
        controls = tuple(sorted((k, str(params[k])) for k in control_keys if k in params))
        return cls(page, settings, controls), rejected


HELP = {s.key: s.help for s in TABLE if s.help}


def parse_value(key: str, raw: str):
    """One URL parameter as a setting value, or None when it is not valid.

    Parameters
    ----------
    key : str
        A field of :class:`Settings`.
    raw : str
        The text from the URL.
    """
    return SETTINGS[key].codec.decode(str(raw))


def parse_starts(raw: str):
    """Starts chosen by hand, from their URL form; None when malformed.

    ``"p0.1,0.2,0.8,0.9"`` are points of the 2-D plane (x, y pairs, each within
    -1..2); ``"i12,345"`` are row numbers of the clustered data (images picked).

    Returns
    -------
    ("points", ndarray of shape (n, 2)) or ("rows", tuple of int) or None
    """
    if len(raw) < 2 or raw[0] not in "pi" or len(raw) > 20 * 2 * K_MAX:
        return None
    try:
        if raw[0] == "p":
            xy = [float(v) for v in raw[1:].split(",")]
            if len(xy) % 2 or len(xy) > 2 * K_MAX or not all(-1 <= v <= 2 for v in xy):
                return None
            return "points", np.array(xy, dtype=np.float64).reshape(-1, 2)
        rows = tuple(int(v) for v in raw[1:].split(","))
    except ValueError:
        return None
    if len(rows) > K_MAX or min(rows) < 0:
        return None
    return "rows", rows


def points_text(points) -> str:
    """The URL form of starts placed on the plane (3 decimals)."""
    return "p" + ",".join(f"{float(v):.3f}" for v in np.asarray(points).ravel())


def from_query(params) -> tuple[Settings, list[str]]:
    """Settings from URL parameters; unknown or invalid ones are reported and ignored.

    Returns
    -------
    settings : Settings
    rejected : list of str
        ``"key=value"`` for every parameter that was not used.
    """
    values, rejected = {}, []
    for key in KEYS:
        if key in params:
            value = parse_value(key, str(params[key]))
            if value is None:
                rejected.append(f"{key}={params[key]}")
            else:
                values[key] = value
    return replace(DEFAULTS, **values), rejected
