"""kmcore: the K-Means Lab engine (numpy, scipy, scikit-learn; no UI code)."""

from .datasets import (
    DATASETS,
    IMAGE_SETS,
    Dataset,
    DatasetUnavailableError,
    balance,
    balanced_indices,
    data_dir,
    ensure_files,
    load_dataset,
    stratified_indices,
    subsample,
    unit_float,
)
from .distances import METRICS, nearest_centers
from .download import DownloadError
from .elbow import ElbowResult, elbow, find_knee
from .embedding import TSNEMap, check_tsne_input, tsne_map, with_affinities
from .evaluation import ClusterEvaluation, evaluate
from .idx import IDXFormatError, read_idx, write_idx
from .init import INIT_METHODS
from .lloyd import EMPTY_POLICIES, UPDATE_RULES, Iteration, KMeansResult, kmeans
from .render import region_grid, tile_images
from .toy import TOY_SETS, make_toy

__all__ = [
    "DATASETS",
    "EMPTY_POLICIES",
    "IMAGE_SETS",
    "INIT_METHODS",
    "METRICS",
    "TOY_SETS",
    "UPDATE_RULES",
    "ClusterEvaluation",
    "Dataset",
    "DatasetUnavailableError",
    "DownloadError",
    "ElbowResult",
    "IDXFormatError",
    "Iteration",
    "KMeansResult",
    "TSNEMap",
    "balance",
    "balanced_indices",
    "check_tsne_input",
    "data_dir",
    "elbow",
    "ensure_files",
    "evaluate",
    "find_knee",
    "kmeans",
    "load_dataset",
    "make_toy",
    "nearest_centers",
    "read_idx",
    "region_grid",
    "stratified_indices",
    "subsample",
    "tile_images",
    "tsne_map",
    "unit_float",
    "with_affinities",
    "write_idx",
]  # fmt: skip
