"""The sidebar's settings as a frozen value, with query-string parsing (no Streamlit here).

Field names are the widget keys and the URL parameter names, so a link such
as ``?dataset=mnist&k=20&init=maxmin`` reproduces a setting exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

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
    "per-class": "One per class (hand-picked)",
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


@dataclass(frozen=True)
class Settings:
    """Everything the sidebar sets; hashable, so it can key caches."""

    dataset: str = "digits"
    split: str = "test"
    sample: int = 10000
    k: int = 10
    init: str = "random"
    metric: str = "l2"
    balance: bool = False
    tol: float = 0.05
    seed: int = 0
    max_iter: int = 100
    update: str = "mean"
    empty: str = "keep"
    starts: str = ""  # starts chosen by hand: "p" + x,y pairs (2-D) or "i" + row numbers

    @property
    def data_key(self) -> tuple:
        """What selects the data rows: dataset, split, sample size, balance, seed."""
        if not is_large(self.dataset):
            return (self.dataset, "all", 0, self.balance, self.seed if self.balance else 0)
        return (self.dataset, self.split, self.sample, self.balance, self.seed)

    def to_query(self) -> dict[str, str]:
        """The settings as URL parameters."""
        out = {}
        for key, value in asdict(self).items():
            if key == "starts" and not value:
                continue
            out[key] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return out


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
KEYS = tuple(f.name for f in fields(Settings))

CHOICES = {
    "dataset": tuple(DATASET_LABELS),
    "split": kmcore.datasets.SPLITS,
    "sample": SAMPLES,
    "init": kmcore.INIT_METHODS,
    "metric": kmcore.METRICS,
    "tol": TOLERANCES,
    "max_iter": MAX_ITERS,
    "update": kmcore.UPDATE_RULES,
    "empty": kmcore.EMPTY_POLICIES,
}


def parse_value(key: str, raw: str):
    """One URL parameter as a setting value, or None when it is not valid.

    Parameters
    ----------
    key : str
        A field of :class:`Settings`.
    raw : str
        The text from the URL.
    """
    try:
        if key == "balance":
            return {"1": True, "true": True, "0": False, "false": False}.get(raw.lower())
        if key == "k":
            value = int(raw)
            return value if 1 <= value <= K_MAX else None
        if key == "seed":
            value = int(raw)
            return value if 0 <= value <= 99_999 else None
        if key == "starts":
            return raw if raw == "" or parse_starts(raw) is not None else None
        if key in ("sample", "max_iter"):
            value = int(raw)
        elif key == "tol":
            value = float(raw)
        else:
            value = raw
    except (TypeError, ValueError):
        return None
    return value if value in CHOICES[key] else None


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
