"""Paper background by large median filters, and the page relative to it."""

import numpy as np

from .._validation import check_page
from . import _kernels
from ._util import check_window, pad_symmetric

__all__ = ["median_background", "background_ratio"]


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
