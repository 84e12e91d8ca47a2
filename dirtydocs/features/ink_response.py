"""How a page's ink responds to the paper under it: one number for the whole page."""

import numbers

import numpy as np
from scipy.stats import theilslopes

from .._validation import check_page
from ._util import band_contexts, check_window
from .background import median_background

__all__ = ["ink_paper_slope"]


def ink_paper_slope(page, *, size=31, n_bins=6, ink_ratio=0.6, ink_percent=10.0,
                    min_ink_pixels=50, band_rows=512):
    """How much a page's darkest ink lightens per unit of paper darkness, with its sign.

    The page's pixels are split into `n_bins` groups of about equal size by their paper
    level (:func:`median_background`). In each group the ink level is the `ink_percent`
    percentile of its ink, the pixels darker than `ink_ratio` times their paper: the dark
    side of that is solid strokes, not their grey edges. The result is the Theil-Sen slope
    (the median of the slopes between every two groups) of the ink level on the groups'
    median paper level: one group whose darkest "ink" is something else, such as the dark
    outer edge of a coffee rim against the lighter paper beside it, does not swing it as
    it swings a least-squares line (docs/results.md, "Routing pages with dark coffee
    rims"). On most scans solid ink is as dark on stained paper as on clean paper, and the
    slope is near 0; on pages whose ink is lifted where the paper darkens (three of the
    seven Kaggle stain backgrounds), it is near -0.8. Pages whose paper is too even to
    tell (the groups' paper levels within 0.01) get 0.

    Memory follows the page's width: the background is taken in bands of `band_rows` rows
    and only a 256 x 256 histogram of (paper, page) levels is kept.

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    size : int
        Odd window of the median background.
    n_bins : int
        Groups of paper levels; at least 3.
    ink_ratio : float
        Pixels darker than this share of their paper are ink, in (0, 1].
    ink_percent : float
        Percentile of each group's ink taken as its ink level, in (0, 100).
    min_ink_pixels : int
        Groups with fewer ink pixels are left out; fewer than 3 groups left gives 0.
    band_rows : int
        Rows per band.

    Returns
    -------
    slope : float

    Examples
    --------
    >>> import numpy as np
    >>> paper = np.linspace(0.6, 1.0, 200)[None, :].repeat(120, axis=0)
    >>> strokes = np.zeros(paper.shape, bool)
    >>> strokes[::6, :] = True
    >>> covered = np.where(strokes, 0.1, paper)
    >>> lifted = np.where(strokes, 0.85 - 0.8 * paper, paper)
    >>> abs(ink_paper_slope(covered, size=15)) < 0.01
    True
    >>> round(ink_paper_slope(lifted, size=15), 1)
    -0.8
    """
    page = check_page(page)
    size = check_window(size, name="size")
    if not (isinstance(n_bins, numbers.Integral) and n_bins >= 3):
        raise ValueError(f"n_bins must be an int of at least 3, got {n_bins!r}")
    if not (isinstance(ink_ratio, numbers.Real) and 0 < ink_ratio <= 1):
        raise ValueError(f"ink_ratio must be in (0, 1], got {ink_ratio!r}")
    if not (isinstance(ink_percent, numbers.Real) and 0 < ink_percent < 100):
        raise ValueError(f"ink_percent must be in (0, 100), got {ink_percent!r}")
    if not (isinstance(band_rows, numbers.Integral) and band_rows >= 1):
        raise ValueError(f"band_rows must be a positive int, got {band_rows!r}")
    counts = _paper_page_histogram(page, size, band_rows)
    paper_counts = counts.sum(axis=1)
    before = np.cumsum(paper_counts) - paper_counts
    # Each paper level goes whole into the group its middle rank falls in.
    group_of_level = np.minimum(
        (n_bins * (before + paper_counts / 2) / page.size).astype(np.int64), n_bins - 1)
    levels = np.arange(256)
    ink_counts = np.where(levels[None, :] < ink_ratio * levels[:, None], counts, 0)
    paper_levels, ink_levels = [], []
    for group in range(n_bins):
        in_group = group_of_level == group
        group_ink = ink_counts[in_group].sum(axis=0)
        if group_ink.sum() < max(min_ink_pixels, 1):
            continue
        paper_levels.append(_percentile_level(np.where(in_group, paper_counts, 0), 50.0))
        ink_levels.append(_percentile_level(group_ink, ink_percent))
    paper_levels = np.asarray(paper_levels) / 255.0
    ink_levels = np.asarray(ink_levels) / 255.0
    if len(paper_levels) < 3 or np.ptp(paper_levels) < 0.01:
        return 0.0
    slope, _intercept, _low, _high = theilslopes(ink_levels, paper_levels)
    return float(slope)


def _paper_page_histogram(page, size, band_rows):
    """Counts of (8-bit paper level, 8-bit page level) pairs over the page."""
    page_levels = np.rint(page * 255.0).astype(np.int64)
    counts = np.zeros(256 * 256, np.int64)
    for start, stop, context, offset in band_contexts(page, band_rows, size // 2):
        background = median_background(context, size=size)
        paper_levels = np.rint(background[offset:offset + stop - start]
                               * 255.0).astype(np.int64)
        counts += np.bincount((paper_levels * 256 + page_levels[start:stop]).ravel(),
                              minlength=256 * 256)
    return counts.reshape(256, 256)


def _percentile_level(counts, percent):
    """The smallest level whose cumulative count reaches `percent` of the total."""
    cumulative = np.cumsum(counts)
    return int(np.searchsorted(cumulative, percent / 100.0 * cumulative[-1]))
