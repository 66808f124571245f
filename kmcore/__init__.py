"""kmcore: the K-Means Lab engine (numpy, scipy, scikit-learn; no UI code)."""

from .clustering import kmeans
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
    select_rows,
    stratified_indices,
    subsample,
    unit_float,
)
from .distances import METRICS, nearest_centers
from .download import DownloadError
from .elbow import ElbowResult, elbow, find_knee
from .embedding import TSNEMap, check_tsne_input, tsne_map, with_affinities
from .evaluation import ClusterEvaluation, evaluate
from .experiments import CellResult, GridResult, grid_cells, grid_rows, run_grid
from .idx import IDXFormatError, read_idx, write_idx
from .images import HARD_LIMIT_PIXELS, ImageError, load_image, sample_image
from .init import INIT_METHODS
from .lloyd import EMPTY_POLICIES, UPDATE_RULES, Iteration, KMeansResult
from .paper import PAPER_INITS, PaperCheck, check_paper
from .quantize import (
    CompressionAccount,
    QuantizationReport,
    Quantized,
    compression_account,
    indexed_png_bytes,
    pillow_quantize,
    png_bytes,
    preview_frames,
    psnr,
    quantize,
    ssim,
)
from .quantize import report as quantization_report
from .render import region_grid, tile_images
from .segment import (
    FEATURES,
    SEGMENT_INITS,
    Segmented,
    agreement,
    hsv_cylinder,
    mean_colours,
    outlines,
    pixel_features,
    segment,
    segment_image,
)
from .steps import StepEvaluation, evaluate_steps, inertia_rises
from .texture import FILTER_NAMES, filter_responses, lm_filter_bank
from .toy import TOY_SETS, make_toy

__all__ = [
    "DATASETS",
    "EMPTY_POLICIES",
    "FEATURES",
    "FILTER_NAMES",
    "HARD_LIMIT_PIXELS",
    "IMAGE_SETS",
    "INIT_METHODS",
    "METRICS",
    "PAPER_INITS",
    "SEGMENT_INITS",
    "TOY_SETS",
    "UPDATE_RULES",
    "CellResult",
    "ClusterEvaluation",
    "CompressionAccount",
    "Dataset",
    "DatasetUnavailableError",
    "DownloadError",
    "ElbowResult",
    "GridResult",
    "IDXFormatError",
    "ImageError",
    "Iteration",
    "KMeansResult",
    "PaperCheck",
    "QuantizationReport",
    "Quantized",
    "Segmented",
    "StepEvaluation",
    "TSNEMap",
    "agreement",
    "balance",
    "balanced_indices",
    "check_paper",
    "check_tsne_input",
    "compression_account",
    "data_dir",
    "elbow",
    "ensure_files",
    "evaluate",
    "evaluate_steps",
    "filter_responses",
    "find_knee",
    "grid_cells",
    "grid_rows",
    "hsv_cylinder",
    "indexed_png_bytes",
    "inertia_rises",
    "kmeans",
    "lm_filter_bank",
    "load_dataset",
    "load_image",
    "make_toy",
    "mean_colours",
    "nearest_centers",
    "outlines",
    "pillow_quantize",
    "pixel_features",
    "png_bytes",
    "preview_frames",
    "psnr",
    "quantization_report",
    "quantize",
    "read_idx",
    "region_grid",
    "run_grid",
    "sample_image",
    "segment",
    "segment_image",
    "select_rows",
    "ssim",
    "stratified_indices",
    "subsample",
    "tile_images",
    "tsne_map",
    "unit_float",
    "with_affinities",
    "write_idx",
]  # fmt: skip
