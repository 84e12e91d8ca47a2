"""Per-pixel features of a page: background, thresholds, edges and local windows."""

from .background import background_ratio, local_paper, median_background
from .edges import canny_edges
from .extractor import FeatureExtractor
from .ink_response import ink_paper_slope
from .local import band_windows, local_stats, local_windows
from .morphology import local_closing
from .threshold import local_mean_std, niblack_threshold, sauvola_threshold

__all__ = [
    "FeatureExtractor",
    "background_ratio",
    "band_windows",
    "canny_edges",
    "ink_paper_slope",
    "local_closing",
    "local_mean_std",
    "local_paper",
    "local_stats",
    "local_windows",
    "median_background",
    "niblack_threshold",
    "sauvola_threshold",
]
