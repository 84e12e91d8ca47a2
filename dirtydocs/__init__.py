"""dirtydocs: clean scanned document pages for reading and OCR."""

from ._default import load_default
from ._version import __version__
from .features import FeatureExtractor
from .io import iter_pages, load_dataset, read_page, write_page, write_pages
from .metrics import psnr, rmse, ssim
from .models import (CrossGroupKFold, DocumentDenoiser, InkSwitch, PixelRegressor,
                     StackedDenoiser, infer_page_groups)
from .persist import ModelFileError, load, save

__all__ = [
    "CrossGroupKFold",
    "DocumentDenoiser",
    "FeatureExtractor",
    "InkSwitch",
    "ModelFileError",
    "PixelRegressor",
    "StackedDenoiser",
    "__version__",
    "infer_page_groups",
    "iter_pages",
    "load",
    "load_dataset",
    "load_default",
    "psnr",
    "read_page",
    "rmse",
    "save",
    "ssim",
    "write_page",
    "write_pages",
]
