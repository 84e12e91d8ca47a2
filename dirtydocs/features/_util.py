"""Small helpers shared by the feature wrappers."""

import numpy as np
from scipy import ndimage as ndi


def check_window(size, *, name, minimum=1):
    """Return `size` as an int, requiring it odd and at least `minimum`."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise TypeError(f"{name} must be an odd integer, got {size!r}")
    if size < minimum or size % 2 == 0:
        raise ValueError(f"{name} must be an odd integer >= {minimum}, got {size}")
    return int(size)


def pad_symmetric(page, radius):
    """Pad by mirroring with the edge repeated (scipy.ndimage's ``mode='reflect'``)."""
    return np.pad(page, radius, mode="symmetric")


def masked_gaussian_mean(values, mask, sigma):
    """Gaussian-weighted mean of `values` over the pixels where `mask` holds, in float64.

    Returns ``(mean, weight)``: `weight` is the share of the Gaussian falling on `mask`
    (borders mirrored), and `mean` is meaningless where it is near 0, so callers fall back
    to their own estimate there.
    """
    weight = ndi.gaussian_filter(mask.astype(np.float64), sigma, mode="reflect")
    total = ndi.gaussian_filter(np.where(mask, values, 0.0), sigma, mode="reflect")
    return total / np.maximum(weight, 1e-12), weight


def band_contexts(page, band_rows, halo):
    """Yield ``(first_row, stop_row, context, offset)`` for bands of `band_rows` rows.

    `context` is the page's rows around the band, `halo` more on each side where the page
    has them; the band is ``context[offset:offset + stop_row - first_row]``. Filters that
    reach at most `halo` rows give the band the values they give it on the whole page.
    """
    n_rows = page.shape[0]
    for start in range(0, n_rows, band_rows):
        stop = min(start + band_rows, n_rows)
        context_start = max(0, start - halo)
        yield start, stop, page[context_start:min(n_rows, stop + halo)], start - context_start
