"""Page denoisers built on per-pixel regressors, and group-aware validation."""

from .context import ContextDenoiser
from .denoiser import DocumentDenoiser, mixed_sample_budget
from .pixel import PixelRegressor
from .selection import CrossGroupKFold, cross_validate_pages, infer_page_groups
from .stack import StackedDenoiser
from .switch import InkSwitch

__all__ = [
    "ContextDenoiser",
    "CrossGroupKFold",
    "DocumentDenoiser",
    "InkSwitch",
    "PixelRegressor",
    "StackedDenoiser",
    "cross_validate_pages",
    "infer_page_groups",
    "mixed_sample_budget",
]
