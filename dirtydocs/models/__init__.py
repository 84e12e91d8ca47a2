"""Page denoisers built on per-pixel regressors, and group-aware validation."""

from .denoiser import DocumentDenoiser
from .pixel import PixelRegressor
from .selection import CrossGroupKFold, cross_validate_pages, infer_page_groups

__all__ = [
    "CrossGroupKFold",
    "DocumentDenoiser",
    "PixelRegressor",
    "cross_validate_pages",
    "infer_page_groups",
]
