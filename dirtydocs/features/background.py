"""Paper background by large median filters, and the page relative to it."""

import numpy as np

from .._validation import check_page
from . import _kernels
from ._util import check_window, masked_gaussian_mean, pad_symmetric

__all__ = ["median_background", "background_ratio", "local_paper", "local_paper_reach"]


def median_background(page, *, size=31):
    """Estimate the paper background with a square median filter.

    Text strokes are thin, so a window several strokes wide sees mostly paper and its median
    is the local paper shade: stains, fading and uneven light, without the ink. The median
    is computed on the page quantised to 256 levels (exact for 8-bit scans), by a running
    histogram whose cost grows with `size`, not `size**2`.

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    size : int, optional
        Odd window side in pixels; it should exceed twice the widest stroke.

    Returns
    -------
    background : (M, N) ndarray of float32
        Equal to ``scipy.ndimage.median_filter(page_8bit, size, mode='reflect') / 255``.

    Examples
    --------
    >>> import numpy as np
    >>> page = np.ones((20, 30), dtype=np.float32)
    >>> page[8:10, 5:25] = 0.0  # a thin line of text
    >>> float(median_background(page, size=9).min())
    1.0
    """
    page = check_page(page)
    size = check_window(size, name="size")
    quantised = np.rint(page * 255.0).astype(np.uint8)
    padded = pad_symmetric(quantised, size // 2)
    out = np.empty(page.shape, np.uint8)
    _kernels._median_filter_u8(padded, size, out)
    return out / np.float32(255)


def background_ratio(page, background, *, floor=0.05, ceiling=1.5):
    """Divide a page by its background: stains multiply the paper, so dividing undoes them.

    Parameters
    ----------
    page, background : (M, N) array_like
        Page and background estimate in [0, 1].
    floor : float
        Smallest background divided by, so black regions do not explode.
    ceiling : float
        Largest ratio kept.

    Returns
    -------
    ratio : (M, N) ndarray of float32
        ``clip(page / max(background, floor), 0, ceiling)``; about 1 on paper, lower on ink.

    Examples
    --------
    >>> import numpy as np
    >>> background_ratio(np.array([[0.4, 0.2]]), np.array([[0.8, 0.8]]))
    array([[0.5 , 0.25]], dtype=float32)
    """
    page = check_page(page)
    background = check_page(background, name="background")
    if background.shape != page.shape:
        raise ValueError(
            f"background has shape {background.shape}, expected the page's {page.shape}"
        )
    ratio = page / np.maximum(background, np.float32(floor))
    return np.clip(ratio, 0.0, ceiling, out=ratio).astype(np.float32, copy=False)


def local_paper_reach(sigma):
    """Pixels that :func:`local_paper` reads beyond a pixel (scipy's 4-sigma truncation)."""
    return int(4.0 * float(sigma) + 0.5)


def local_paper(page, background, *, sigma, paper_ratio=0.9):
    """The paper right around each pixel: a Gaussian-weighted mean of the pixels that are paper.

    A median background is one value for a whole window, so under a stroke it misses the
    paper's texture: creases, fibres and the grain of a crumpled sheet a few pixels across.
    Averaging only the pixels that look like paper (at least `paper_ratio` of the median
    `background`) within a few pixels follows that texture up to the stroke's edge, where
    most of the error of cleaning lies.

    Parameters
    ----------
    page, background : (M, N) array_like
        Page and its median background (:func:`median_background`), in [0, 1].
    sigma : float
        Reach of the mean, in pixels.
    paper_ratio : float
        A pixel is paper when ``page >= paper_ratio * background``.

    Returns
    -------
    paper : (M, N) ndarray of float32
        The local paper level; the background where paper pixels weigh less than 5% of
        the mean (inside a large blot of ink).
    coverage : (M, N) ndarray of float32
        The weight of the paper pixels in the mean, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> page = np.full((9, 9), 0.8, np.float32); page[4, :] = 0.1  # a line of ink
    >>> paper, coverage = local_paper(page, np.full((9, 9), 0.8), sigma=1.0)
    >>> round(float(paper[4, 4]), 3), round(float(coverage[4, 4]), 2)
    (0.8, 0.6)
    """
    page = check_page(page)
    background = check_page(background, name="background")
    if background.shape != page.shape:
        raise ValueError(
            f"background has shape {background.shape}, expected the page's {page.shape}"
        )
    if not float(sigma) > 0:
        raise ValueError(f"sigma must be positive, got {sigma!r}")
    page64 = page.astype(np.float64)
    mean, coverage = masked_gaussian_mean(page64, page64 >= paper_ratio * background, sigma)
    paper = np.where(coverage > 0.05, mean, background)
    return paper.astype(np.float32), coverage.astype(np.float32)
