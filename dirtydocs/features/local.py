"""Small-neighbourhood features: statistics and the raw k x k window of every pixel."""

import numpy as np

from .._validation import check_page
from . import _kernels
from ._util import check_window, pad_symmetric

__all__ = ["band_windows", "local_stats", "local_windows"]


def local_stats(page, *, size=3):
    """Minimum, maximum, mean and standard deviation over ``size x size`` windows.

    Borders mirror the page with the edge repeated (scipy.ndimage ``mode='reflect'``).

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    size : int
        Odd window side.

    Returns
    -------
    minimum, maximum, mean, std : (M, N) ndarray of float32

    Examples
    --------
    >>> import numpy as np
    >>> page = np.zeros((5, 5), dtype=np.float32); page[2, 2] = 1.0
    >>> low, high, mean, std = local_stats(page, size=3)
    >>> float(high[1, 1]), float(low[1, 1]), round(float(mean[2, 2]), 4)
    (1.0, 0.0, 0.1111)
    """
    page = check_page(page)
    size = check_window(size, name="size")
    padded = pad_symmetric(page, size // 2)
    outputs = tuple(np.empty(page.shape, np.float32) for _ in range(4))
    _kernels._local_stats(padded, size, *outputs)
    return outputs


def local_windows(page, *, size=5, out=None, first_column=0):
    """The ``size x size`` neighbourhood of every pixel, one pixel per row.

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    size : int
        Odd window side.
    out : (M*N, F) ndarray of float32, optional
        Matrix to write into, at columns ``first_column : first_column + size**2``.
    first_column : int
        First column of `out` to fill.

    Returns
    -------
    windows : (M*N, F) ndarray of float32
        Row ``i*N + j`` holds the window centred on pixel (i, j) in raster order, mirrored
        at the borders like scipy.ndimage ``mode='reflect'``.

    Examples
    --------
    >>> import numpy as np
    >>> page = np.arange(6, dtype=np.float32).reshape(2, 3) / 5
    >>> local_windows(page, size=3).shape
    (6, 9)
    """
    page = check_page(page)
    size = check_window(size, name="size")
    n_pixels = page.size
    if out is None:
        out = np.empty((n_pixels, size * size), np.float32)
        first_column = 0
    if out.shape[0] != n_pixels or out.shape[1] < first_column + size * size:
        raise ValueError(
            f"out has shape {out.shape}, needs {n_pixels} rows and at least "
            f"{first_column + size * size} columns"
        )
    _kernels._fill_window_columns(pad_symmetric(page, size // 2), size, out, first_column)
    return out


def band_windows(values, first_row, n_rows, *, size, out, first_column, pixels=None):
    """Write the ``size x size`` neighbourhoods of a band of rows into a pixel matrix.

    The band is rows ``first_row : first_row + n_rows`` of `values`; rows of `values`
    beyond the band are read where they exist and mirrored past its edges, so a band of
    a page gets the same windows as :func:`local_windows` of the whole page.

    Parameters
    ----------
    values : (M, N) ndarray of float32
        The page (or a slice of it whose edges are the page's).
    first_row, n_rows : int
        The band.
    size : int
        Odd window side.
    out : (n_rows * N, F) or (k, F) ndarray of float32
        Matrix to write into, at columns ``first_column : first_column + size**2``.
    first_column : int
    pixels : (k,) ndarray of int, optional
        Only these pixels of the band, numbered row by row from its first; row ``i`` of
        `out` gets the window of ``pixels[i]``. All of them, in order, by default.

    Examples
    --------
    >>> page = np.arange(20, dtype=np.float32).reshape(4, 5) / 20
    >>> out = np.zeros((2 * 5, 9), np.float32)
    >>> band_windows(page, 1, 2, size=3, out=out, first_column=0)
    >>> bool((out == local_windows(page, size=3)[5:15]).all())
    True
    >>> some = np.zeros((2, 9), np.float32)
    >>> band_windows(page, 1, 2, size=3, out=some, first_column=0, pixels=np.array([7, 0]))
    >>> bool((some == out[[7, 0]]).all())
    True
    """
    size = check_window(size, name="size")
    radius = size // 2
    low = max(0, first_row - radius)
    high = min(values.shape[0], first_row + n_rows + radius)
    padded = np.pad(
        values[low:high],
        ((radius - (first_row - low), radius - (high - first_row - n_rows)), (radius, radius)),
        mode="symmetric",
    )
    padded = np.ascontiguousarray(padded, dtype=np.float32)
    if pixels is None:
        _kernels._fill_window_columns(padded, size, out, first_column)
    else:
        _kernels._fill_window_rows(padded, size, pixels, out, first_column)
