"""kmcore: the K-Means Lab engine (numpy, scipy, scikit-learn; no UI code)."""

from .clustering import kmeans
from .colour import COLOUR_SPACES, delta_e, lab_to_rgb, mean_delta_e, rgb_to_lab
from .compression import (
    GalleryEntry,
    OutlierStory,
    OutlierTrace,
    PeerRow,
    compare,
    gallery,
    outlier_story,
    outlier_trace,
    sorted_palette,
)
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
from .embedding import TSNEMap, check_tsne_input, tsne_map, tsne_start, with_affinities
from .encoders import gif_bytes, palette_png_bytes, png_bytes
from .evaluation import ClusterEvaluation, evaluate
from .experiments import CellResult, GridResult, grid_cells, grid_rows, run_grid
from .idx import IDXFormatError, read_idx, write_idx
from .image_metrics import psnr, ssim
from .images import HARD_LIMIT_PIXELS, SAMPLE_IMAGES, ImageError, load_image, sample_image
from .init import INIT_METHODS
from .lloyd import EMPTY_POLICIES, UPDATE_RULES, Iteration, KMeansResult
from .paper import PAPER_INITS, PaperCheck, check_paper
from .peers import PEERS, liq_quantize, peer_quantize, pillow_quantize
from .quantize import QUANTIZE_INITS, Quantized, quantize
from .quantize_report import (
    CompressionAccount,
    QuantizationReport,
    compression_account,
    indexed_png_bytes,
    preview_frames,
)
from .quantize_report import report as quantization_report
from .render import region_grid, tile_images
from .sandbox import Decoder
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
    "COLOUR_SPACES",
    "DATASETS",
    "EMPTY_POLICIES",
    "FEATURES",
    "FILTER_NAMES",
    "HARD_LIMIT_PIXELS",
    "IMAGE_SETS",
    "INIT_METHODS",
    "METRICS",
    "PAPER_INITS",
    "PEERS",
    "QUANTIZE_INITS",
    "SAMPLE_IMAGES",
    "SEGMENT_INITS",
    "TOY_SETS",
    "UPDATE_RULES",
    "CellResult",
    "ClusterEvaluation",
    "CompressionAccount",
    "Dataset",
    "DatasetUnavailableError",
    "Decoder",
    "DownloadError",
    "ElbowResult",
    "GalleryEntry",
    "GridResult",
    "IDXFormatError",
    "ImageError",
    "Iteration",
    "KMeansResult",
    "OutlierStory",
    "OutlierTrace",
    "PaperCheck",
    "PeerRow",
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
    "compare",
    "compression_account",
    "data_dir",
    "delta_e",
    "elbow",
    "ensure_files",
    "evaluate",
    "evaluate_steps",
    "filter_responses",
    "find_knee",
    "gallery",
    "gif_bytes",
    "grid_cells",
    "grid_rows",
    "hsv_cylinder",
    "indexed_png_bytes",
    "inertia_rises",
    "kmeans",
    "lab_to_rgb",
    "liq_quantize",
    "lm_filter_bank",
    "load_dataset",
    "load_image",
    "make_toy",
    "mean_colours",
    "mean_delta_e",
    "nearest_centers",
    "outlier_story",
    "outlier_trace",
    "outlines",
    "palette_png_bytes",
    "peer_quantize",
    "pillow_quantize",
    "pixel_features",
    "png_bytes",
    "preview_frames",
    "psnr",
    "quantization_report",
    "quantize",
    "read_idx",
    "region_grid",
    "rgb_to_lab",
    "run_grid",
    "sample_image",
    "segment",
    "segment_image",
    "select_rows",
    "sorted_palette",
    "ssim",
    "stratified_indices",
    "subsample",
    "tile_images",
    "tsne_map",
    "tsne_start",
    "unit_float",
    "with_affinities",
    "write_idx",
]  # fmt: skip
