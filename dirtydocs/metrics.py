"""Quality of cleaned pages against ground truth (scikit-image does the arithmetic)."""

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from ._validation import check_pages

__all__ = ["rmse", "psnr", "ssim"]


def _paired(truth, estimate):
    truth, _ = check_pages(truth, name="truth")
    estimate, _ = check_pages(estimate, name="estimate")
    if len(truth) != len(estimate):
        raise ValueError(f"got {len(truth)} true pages but {len(estimate)} estimates")
    for index, (a, b) in enumerate(zip(truth, estimate)):
        if a.shape != b.shape:
            raise ValueError(f"page {index}: truth is {a.shape} but estimate is {b.shape}")
    return truth, estimate


def rmse(truth, estimate):
    """Root-mean-square error over all pixels of all pages (the Kaggle score).

    Pixels are pooled, so a large page weighs more than a small one.

    Parameters
    ----------
    truth, estimate : (M, N) array_like or sequence of them

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(rmse(np.ones((2, 2)), np.full((2, 2), 0.9)), 6)
    0.1
    """
    truth, estimate = _paired(truth, estimate)
    squared = sum(float(np.sum((a.astype(np.float64) - b) ** 2)) for a, b in zip(truth, estimate))
    return float(np.sqrt(squared / sum(a.size for a in truth)))


def psnr(truth, estimate):
    """Peak signal-to-noise ratio in dB of one page (data range 1).

    Examples
    --------
    >>> import numpy as np
    >>> round(psnr(np.ones((4, 4)), np.full((4, 4), 0.9)), 2)
    20.0
    """
    truth, estimate = _paired(truth, estimate)
    return float(peak_signal_noise_ratio(truth[0], estimate[0], data_range=1.0))


def ssim(truth, estimate):
    """Structural similarity of one page (data range 1).

    Examples
    --------
    >>> import numpy as np
    >>> page = np.random.default_rng(0).random((16, 16))
    >>> ssim(page, page)
    1.0
    """
    truth, estimate = _paired(truth, estimate)
    return float(structural_similarity(truth[0], estimate[0], data_range=1.0))
