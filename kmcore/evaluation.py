"""How clusters line up with the true classes: "does every class get a centroid?"."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from .readonly import ReadOnlyArrays


@dataclass(frozen=True)
class ClusterEvaluation(ReadOnlyArrays):
    """Label-aware summary of a clustering.

    Attributes
    ----------
    sizes : ndarray of shape (n_clusters,)
        Points per cluster.
    majority : ndarray of shape (n_clusters,)
        Index of the most common class in each cluster (-1 for an empty cluster).
    purity : ndarray of shape (n_clusters,)
        Share of each cluster's points that are of its majority class (nan if empty).
    overall_purity : float
        Share of all points that are of their cluster's majority class.
    missing_classes : tuple of int
        Classes that are the majority of no cluster: they got no centroid.
    ari, nmi : float
        Adjusted Rand index and normalised mutual information (scikit-learn).
    contingency : ndarray of shape (n_clusters, n_classes)
        Counts of each class in each cluster.
    """

    sizes: np.ndarray
    majority: np.ndarray
    purity: np.ndarray
    overall_purity: float
    missing_classes: tuple[int, ...]
    ari: float
    nmi: float
    contingency: np.ndarray


def evaluate(labels, y, n_clusters=None, n_classes=None) -> ClusterEvaluation:
    """Compare cluster labels with the true classes.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Cluster of each sample, integers in ``[0, n_clusters)``.
    y : array-like of shape (n_samples,)
        True class of each sample, integers in ``[0, n_classes)``.
    n_clusters, n_classes : int, optional
        Default to one more than the largest label / class seen.

    Returns
    -------
    ClusterEvaluation
    """
    labels = np.asarray(labels, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    if labels.shape != y.shape or labels.ndim != 1:
        raise ValueError(
            f"labels and y must be 1-D of one length; got {labels.shape} and {y.shape}"
        )
    if len(y) == 0:
        raise ValueError("labels and y are empty")
    k = int(labels.max()) + 1 if n_clusters is None else int(n_clusters)
    c = int(y.max()) + 1 if n_classes is None else int(n_classes)
    table = np.zeros((k, c), dtype=np.int64)
    np.add.at(table, (labels, y), 1)
    sizes = table.sum(axis=1)
    majority = np.where(sizes > 0, table.argmax(axis=1), -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        purity = np.where(sizes > 0, table.max(axis=1) / np.maximum(sizes, 1), np.nan)
    present = set(np.unique(y).tolist())
    missing = tuple(sorted(present - set(majority[majority >= 0].tolist())))
    return ClusterEvaluation(
        sizes=sizes,
        majority=majority,
        purity=purity,
        overall_purity=float(table.max(axis=1).sum() / len(y)),
        missing_classes=missing,
        ari=float(adjusted_rand_score(y, labels)),
        nmi=float(normalized_mutual_info_score(y, labels)),
        contingency=table,
    )
