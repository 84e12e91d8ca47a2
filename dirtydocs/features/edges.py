"""Ink outlines from scikit-image's Canny detector."""

import numpy as np
from scipy import ndimage as ndi
from skimage.feature import canny

from .._validation import check_page

__all__ = ["canny_edges"]


def canny_edges(page, *, sigma=1.0, dilation=1):
    """Canny edges of a page and the same edges grown by `dilation` pixels.

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    sigma : float
        Gaussian smoothing before the gradient.
    dilation : int
        Iterations of a 3x3 binary dilation for the second map (0 gives a copy).

    Returns
    -------
    edges, dilated : (M, N) ndarray of float32
        1 on edges, 0 elsewhere.

    Examples
    --------
    >>> import numpy as np
    >>> page = np.ones((16, 16)); page[:, 8:] = 0.0
    >>> edges, grown = canny_edges(page)
    >>> bool(edges[:, 7:9].any()), bool(grown.sum() >= edges.sum())
    (True, True)
    """
    page = check_page(page)
    if dilation < 0:
        raise ValueError(f"dilation must be >= 0, got {dilation}")
    edges = canny(page, sigma=sigma)
    grown = (
        ndi.binary_dilation(edges, structure=np.ones((3, 3), bool), iterations=dilation)
        if dilation
        else edges
    )
    return edges.astype(np.float32), grown.astype(np.float32)
