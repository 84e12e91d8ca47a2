"""Adaptive thresholds from local mean and standard deviation (integral images)."""

import numpy as np

from .._validation import check_page
from . import _kernels
from ._util import check_window

__all__ = ["local_mean_std", "sauvola_threshold", "niblack_threshold"]


def local_mean_std(page, *, window=15):
    """Mean and standard deviation over ``window x window`` neighbourhoods.

    Uses summed-area tables in float64, so the cost does not depend on `window`. Borders
    mirror the page without repeating the edge (``numpy.pad(mode='reflect')``), the same
    convention as :func:`skimage.filters.threshold_sauvola`.

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    window : int
        Odd window side.

    Returns
    -------
    mean, std : (M, N) ndarray of float32

    Examples
    --------
    >>> import numpy as np
    >>> mean, std = local_mean_std(np.full((5, 5), 0.5), window=3)
    >>> float(mean[2, 2]), float(std[2, 2])
    (0.5, 0.0)
    """
    page = check_page(page)
    window = check_window(window, name="window")
    # skimage pads one more row/column before than after: the summed-area table's leading
    # zero then lines the windows up on the centre pixel.
    padded = np.pad(page.astype(np.float64), window // 2, mode="reflect")
    mean = np.empty(page.shape, np.float32)
    std = np.empty(page.shape, np.float32)
    _kernels._window_mean_std(padded, window, mean, std)
    return mean, std


def sauvola_threshold(page, *, window=15, k=0.2, r=0.5):
    """Sauvola's threshold ``mean * (1 + k * (std / r - 1))`` at every pixel.

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    window : int
        Odd window side.
    k : float
        Weight of the standard deviation.
    r : float
        Dynamic range of the standard deviation (0.5 for pages in [0, 1]).

    Returns
    -------
    threshold : (M, N) ndarray of float32
        Matches ``skimage.filters.threshold_sauvola(page, window_size=window, k=k, r=r)``.

    Examples
    --------
    >>> import numpy as np
    >>> page = np.ones((9, 9)); page[4, :] = 0.0
    >>> bool((page < sauvola_threshold(page, window=5))[4].all())
    True
    """
    _check_positive(r, "r")
    mean, std = local_mean_std(page, window=window)
    return (mean * (1.0 + k * (std / np.float32(r) - 1.0))).astype(np.float32)


def niblack_threshold(page, *, window=15, k=0.2):
    """Niblack's threshold ``mean - k * std`` at every pixel.

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    window : int
        Odd window side.
    k : float
        Weight of the standard deviation.

    Returns
    -------
    threshold : (M, N) ndarray of float32
        Matches ``skimage.filters.threshold_niblack(page, window_size=window, k=k)``.

    Examples
    --------
    >>> import numpy as np
    >>> float(niblack_threshold(np.full((4, 4), 0.25), window=3)[0, 0])
    0.25
    """
    mean, std = local_mean_std(page, window=window)
    return (mean - np.float32(k) * std).astype(np.float32)


def _check_positive(value, name):
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
