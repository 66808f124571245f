"""kmcore: the K-Means Lab engine (numpy, scipy, scikit-learn; no UI code).

The names below are what the app and the benchmarks use; everything else stays in its
module (``kmcore.image_metrics.psnr``, ``kmcore.segment.pixel_features``...).
"""

from .clustering import kmeans
from .colour import COLOUR_SPACES, mean_delta_e
from .compression import (
    GALLERY_KS,
    KEPT_DE,
    STORY_ITER,
    STORY_KS,
    STORY_SEED,
    OutlierStory,
    OutlierTrace,
    PeerRow,
    compare,
    gallery,
    outlier_story,
    sorted_palette,
)
from .datasets import FILES as DATASET_FILES
from .datasets import (
    SPLITS,
    Dataset,
    DatasetUnavailableError,
    balance,
    data_dir,
    load_dataset,
    select_rows,
    stratified_indices,
)
from .distances import METRICS, nearest_centers
from .download import DownloadError
from .elbow import ElbowResult, elbow
from .embedding import TSNEMap, tsne_map, tsne_start, with_affinities
from .evaluation import ClusterEvaluation, evaluate
from .experiments import GridResult, grid_rows, run_grid
from .idx import IDXFormatError, read_idx, write_idx
from .images import ImageError, load_image, sample_image
from .init import HIERARCHICAL_SAMPLE, INIT_METHODS
from .lloyd import EMPTY_POLICIES, STOP_MAX_ITER, STOP_UNCHANGED, UPDATE_RULES, KMeansResult
from .paper import PAPER_INITS, PaperCheck, check_paper
from .peers import PEERS
from .quantize import Quantized, quantize
from .quantize_report import QuantizationReport, indexed_png_bytes
from .quantize_report import report as quantization_report
from .reef import ORANGE as REEF_ORANGE
from .render import region_grid, tile_images
from .sandbox import Decoder
from .segment import (
    FEATURES,
    SEGMENT_INITS,
    Segmented,
    agreement,
    mean_colours,
    outlines,
    segment_image,
)
from .steps import StepEvaluation, evaluate_steps, final_against_curve, inertia_rises
from .texture import lm_filter_bank
from .toy import TOY_SETS, make_toy

__all__ = [
    "COLOUR_SPACES",
    "DATASET_FILES",
    "EMPTY_POLICIES",
    "FEATURES",
    "GALLERY_KS",
    "HIERARCHICAL_SAMPLE",
    "INIT_METHODS",
    "KEPT_DE",
    "METRICS",
    "PAPER_INITS",
    "PEERS",
    "REEF_ORANGE",
    "SEGMENT_INITS",
    "SPLITS",
    "STOP_MAX_ITER",
    "STOP_UNCHANGED",
    "STORY_ITER",
    "STORY_KS",
    "STORY_SEED",
    "TOY_SETS",
    "UPDATE_RULES",
    "ClusterEvaluation",
    "Dataset",
    "DatasetUnavailableError",
    "Decoder",
    "DownloadError",
    "ElbowResult",
    "GridResult",
    "IDXFormatError",
    "ImageError",
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
    "check_paper",
    "compare",
    "data_dir",
    "elbow",
    "evaluate",
    "evaluate_steps",
    "final_against_curve",
    "gallery",
    "grid_rows",
    "indexed_png_bytes",
    "inertia_rises",
    "kmeans",
    "lm_filter_bank",
    "load_dataset",
    "load_image",
    "make_toy",
    "mean_colours",
    "mean_delta_e",
    "nearest_centers",
    "outlier_story",
    "outlines",
    "quantization_report",
    "quantize",
    "read_idx",
    "region_grid",
    "run_grid",
    "sample_image",
    "segment_image",
    "select_rows",
    "sorted_palette",
    "stratified_indices",
    "tile_images",
    "tsne_map",
    "tsne_start",
    "with_affinities",
    "write_idx",
]
