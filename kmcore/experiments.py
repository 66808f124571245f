"""Grids of k-means runs (inits x metrics x k x data) over seeds, summarised per cell."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from .clustering import _checked, _starts_and_kernel
from .evaluation import evaluate
from .readonly import ReadOnlyArrays
from .validation import check_data, check_random_state


@dataclass(frozen=True)
class CellResult(ReadOnlyArrays):
    """One setting of the grid, run once per seed.

    Attributes
    ----------
    data, init, metric : str
    k : int
    seeds : tuple of int
    n_iter, inertia, purity, ari, nmi, seconds : tuple
        One value per seed.
    missing : tuple of tuple of int
        Per seed, the classes that are the majority of no cluster.
    empty : tuple of int
        Per seed, clusters left empty at the end.
    converged : tuple of bool
        Per seed, whether the run stopped by itself (False: it hit ``max_iter``).
    init_centers, centers : ndarray of shape (k, n_features)
        Start and end of the first seed's run (back in pixel space with PCA).
    error : str
        Why the cell could not run (empty when it ran).
    """

    data: str
    init: str
    metric: str
    k: int
    seeds: tuple[int, ...] = ()
    n_iter: tuple[int, ...] = ()
    inertia: tuple[float, ...] = ()
    purity: tuple[float, ...] = ()
    ari: tuple[float, ...] = ()
    nmi: tuple[float, ...] = ()
    seconds: tuple[float, ...] = ()
    missing: tuple[tuple[int, ...], ...] = ()
    empty: tuple[int, ...] = ()
    converged: tuple[bool, ...] = ()
    init_centers: np.ndarray | None = None
    centers: np.ndarray | None = None
    error: str = ""

    def missing_counts(self) -> dict[int, int]:
        """How many seeds left each class without a centroid."""
        counts: dict[int, int] = {}
        for classes in self.missing:
            for c in classes:
                counts[c] = counts.get(c, 0) + 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class GridResult(ReadOnlyArrays):
    """All cells of a grid; ``complete`` is False when it was stopped early."""

    cells: tuple[CellResult, ...]
    complete: bool
    seconds: float
    pca_components: int | None


def _to_pixels(C, pca) -> np.ndarray:
    return np.asarray(C if pca is None else pca.inverse_transform(C), dtype=np.float32)


def grid_cells(data_names, inits, metrics, ks) -> list[tuple]:
    """The (data, init, metric, k) settings of a grid, in run order."""
    return list(itertools.product(data_names, inits, metrics, ks))


def run_grid(
    data,
    *,
    inits,
    metrics,
    ks,
    seeds,
    tol=0.05,
    max_iter=100,
    pca_components=None,
    progress=None,
    should_stop=None,
) -> GridResult:
    """Run k-means for every cell of a grid and every seed.

    Parameters
    ----------
    data : dict of str to (X, y)
        The data variants to compare (e.g. "all" and "balanced").
    inits, metrics : sequence of str
    ks : sequence of int
    seeds : sequence of int
    tol, max_iter
        As for :func:`kmcore.kmeans`.
    pca_components : int, optional
        Cluster in the space of this many principal components (fitted per data
        variant); centres are projected back for display, inertia is measured in
        PCA space.
    progress : callable, optional
        ``progress(done_runs, total_runs, cell)`` after every run.
    should_stop : callable, optional
        Polled between runs; when it returns True the grid stops and returns
        what it has (``complete=False``).

    Returns
    -------
    GridResult
    """
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed")
    cells = grid_cells(list(data), inits, metrics, ks)
    total = len(cells) * len(seeds)
    spaces = {}
    for name, (X, y) in data.items():
        X = check_data(X)
        if pca_components:
            pca = PCA(n_components=min(pca_components, *X.shape), random_state=0).fit(X)
            spaces[name] = (pca.transform(X).astype(X.dtype), np.asarray(y), pca)
        else:
            spaces[name] = (X, np.asarray(y), None)
    out, done, start, complete = [], 0, time.perf_counter(), True
    for cell in cells:
        name, init, metric, k = cell
        X, y, pca = spaces[name]
        n_classes = int(y.max()) + 1
        runs = []
        try:
            # Validated once per cell, then each seed is its starts and the kernel.
            checked = _checked(X, k, init, metric, "mean", "keep", max_iter, tol, y)
            for seed in seeds:
                if should_stop is not None and should_stop():
                    complete = False
                    break
                t0 = time.perf_counter()
                res = _starts_and_kernel(checked, check_random_state(seed))
                ev = evaluate(res.labels, y, k, n_classes)
                runs.append((seed, res, ev, time.perf_counter() - t0))
                done += 1
                if progress is not None:
                    progress(done, total, cell)
        except ValueError as exc:
            out.append(CellResult(name, init, metric, k, error=str(exc)))
            done += len(seeds) - len(runs)
            continue
        if runs:
            first = runs[0][1]
            out.append(
                CellResult(
                    name,
                    init,
                    metric,
                    k,
                    seeds=tuple(r[0] for r in runs),
                    n_iter=tuple(r[1].n_iter for r in runs),
                    inertia=tuple(r[1].inertia for r in runs),
                    purity=tuple(r[2].overall_purity for r in runs),
                    ari=tuple(r[2].ari for r in runs),
                    nmi=tuple(r[2].nmi for r in runs),
                    seconds=tuple(r[3] for r in runs),
                    missing=tuple(r[2].missing_classes for r in runs),
                    empty=tuple(int((r[1].sizes == 0).sum()) for r in runs),
                    converged=tuple(bool(r[1].converged) for r in runs),
                    init_centers=_to_pixels(first.init_centers, pca),
                    centers=_to_pixels(first.centers, pca),
                )
            )
        if not complete:
            break
    return GridResult(tuple(out), complete, time.perf_counter() - start, pca_components)


def grid_rows(result: GridResult, class_names) -> list[dict]:
    """One summary row per cell, for a table."""
    rows = []
    for c in result.cells:
        row = {"data": c.data, "init": c.init, "metric": c.metric, "k": c.k}
        if c.error:
            row.update({"runs": 0, "note": c.error})
            rows.append(row)
            continue
        counts = c.missing_counts()
        runs = len(c.seeds)
        row.update(
            {
                "runs": runs,
                "iterations (mean)": float(np.mean(c.n_iter)),
                "hit max iterations (runs)": runs - sum(c.converged),
                "iterations (range)": f"{min(c.n_iter)}–{max(c.n_iter)}",
                "inertia (mean)": float(np.mean(c.inertia)),
                "no centroid (runs)": ", ".join(
                    f"{class_names[k]} ({v}/{runs})" for k, v in counts.items()
                )
                or "none",
                "empty clusters": int(sum(c.empty)),
                "purity": float(np.mean(c.purity)),
                "ARI": float(np.mean(c.ari)),
                "seconds (mean)": float(np.mean(c.seconds)),
                "note": "",
            }
        )
        rows.append(row)
    return rows
