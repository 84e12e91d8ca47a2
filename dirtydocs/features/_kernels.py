"""Numba kernels behind :mod:`dirtydocs.features`. Private: inputs are trusted.

Every kernel takes an already padded array, so the border convention lives in one place
(the public wrappers) and every kernel is a plain "valid" sliding-window loop. Rows are
independent, so ``prange`` runs over output rows with per-row scratch only.

Kept in one module because numba's on-disk cache does not notice edits to other files a
cached kernel calls into.
"""

import numpy as np
from numba import njit, prange

# fastmath without nnan/ninf: the kernels never produce NaN on valid input, but they must
# not be allowed to assume it either.
_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}


@njit(cache=True, parallel=True)
def _median_filter_u8(padded, size, out):
    """Square-window median of a uint8 image (Huang's running histogram).

    The histogram slides along each row: one column leaves, one enters, and the median
    moves by the few bins it has to, tracked with the count of values below it. That is
    O(size) per pixel instead of the O(size**2) of a selection per window.
    """
    n_rows, n_cols = out.shape
    rank = (size * size) // 2
    for i in prange(n_rows):
        hist = np.zeros(256, np.int32)
        for y in range(i, i + size):
            for x in range(size):
                hist[padded[y, x]] += 1
        median = 0
        below = 0
        while below + hist[median] <= rank:
            below += hist[median]
            median += 1
        out[i, 0] = median
        for j in range(1, n_cols):
            leaving = j - 1
            entering = j + size - 1
            for y in range(i, i + size):
                value = padded[y, leaving]
                hist[value] -= 1
                if value < median:
                    below -= 1
                value = padded[y, entering]
                hist[value] += 1
                if value < median:
                    below += 1
            while below > rank:
                median -= 1
                below -= hist[median]
            while below + hist[median] <= rank:
                below += hist[median]
                median += 1
            out[i, j] = median


@njit(cache=True)
def _integral_images(padded):
    """Summed-area tables of values and squared values, with a leading zero row/column."""
    n_rows, n_cols = padded.shape
    total = np.zeros((n_rows + 1, n_cols + 1), np.float64)
    total_sq = np.zeros((n_rows + 1, n_cols + 1), np.float64)
    for i in range(n_rows):
        row_sum = 0.0
        row_sq = 0.0
        for j in range(n_cols):
            value = np.float64(padded[i, j])
            row_sum += value
            row_sq += value * value
            total[i + 1, j + 1] = total[i, j + 1] + row_sum
            total_sq[i + 1, j + 1] = total_sq[i, j + 1] + row_sq
    return total, total_sq


@njit(cache=True, parallel=True)
def _window_mean_std(padded, size, mean, std):
    """Mean and population standard deviation over size x size windows (valid region)."""
    total, total_sq = _integral_images(padded)
    n_rows, n_cols = mean.shape
    area = np.float64(size * size)
    for i in prange(n_rows):
        for j in range(n_cols):
            s = (total[i + size, j + size] - total[i, j + size]
                 - total[i + size, j] + total[i, j])
            s2 = (total_sq[i + size, j + size] - total_sq[i, j + size]
                  - total_sq[i + size, j] + total_sq[i, j])
            m = s / area
            variance = s2 / area - m * m
            mean[i, j] = m
            std[i, j] = np.sqrt(variance) if variance > 0.0 else 0.0


@njit(cache=True, parallel=True, fastmath=_FASTMATH)
def _local_stats(padded, size, minimum, maximum, mean, std):
    """Min, max, mean and standard deviation over small size x size windows.

    Sums are kept in float64: the variance is E[x^2] - E[x]^2, and in float32 its rounding
    error, small as it is, becomes ~2e-4 after the square root on flat regions.
    """
    n_rows, n_cols = mean.shape
    area = np.float64(size * size)
    for i in prange(n_rows):
        for j in range(n_cols):
            low = padded[i, j]
            high = low
            s = 0.0
            s2 = 0.0
            for y in range(i, i + size):
                for x in range(j, j + size):
                    value = padded[y, x]
                    low = min(low, value)
                    high = max(high, value)
                    s += value
                    s2 += np.float64(value) * value
            m = s / area
            variance = s2 / area - m * m
            minimum[i, j] = low
            maximum[i, j] = high
            mean[i, j] = m
            std[i, j] = np.sqrt(variance) if variance > 0.0 else 0.0


@njit(cache=True, parallel=True)
def _fill_window_rows(padded, size, pixels, out, first_column):
    """Like :func:`_fill_window_columns` for some pixels only: row ``k`` of `out` gets the
    window around pixel ``pixels[k]``, pixels numbered row by row over the valid area."""
    n_cols = padded.shape[1] - size + 1
    for k in prange(pixels.shape[0]):
        i = pixels[k] // n_cols
        j = pixels[k] - i * n_cols
        column = first_column
        for y in range(size):
            for x in range(size):
                out[k, column] = padded[i + y, j + x]
                column += 1


@njit(cache=True, parallel=True)
def _fill_window_columns(padded, size, out, first_column):
    """Write every size x size neighbourhood as consecutive columns of a pixel matrix.

    Row ``i * n_cols + j`` of `out` gets the window around pixel (i, j) in raster order
    starting at `first_column`; writing row by row keeps the stores contiguous.
    """
    n_rows = padded.shape[0] - size + 1
    n_cols = padded.shape[1] - size + 1
    for i in prange(n_rows):
        for j in range(n_cols):
            row = i * n_cols + j
            column = first_column
            for y in range(size):
                for x in range(size):
                    out[row, column] = padded[i + y, j + x]
                    column += 1
