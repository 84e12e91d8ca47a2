"""Grey closings: what a page looks like with its thin dark marks filled in.

A closing with a ``size x size`` square fills dark marks narrower than the square and
leaves wider ones, so closings at a few sizes tell text strokes (a few pixels wide) from
stain blots and rims of the same darkness but wider.
"""

import numpy as np
from scipy import ndimage

from .._validation import check_page
from ._util import check_window

__all__ = ["local_closing"]


def local_closing(page, *, size=9):
    """Grey closing of a page over ``size x size`` squares, and its black top-hat.

    Borders mirror the page with the edge repeated (scipy.ndimage ``mode='reflect'``).

    Parameters
    ----------
    page : (M, N) array_like
        Grey page in [0, 1].
    size : int
        Odd side of the square.

    Returns
    -------
    closing : (M, N) ndarray of float32
        The page with dark marks narrower than `size` filled in with their surroundings.
    black_tophat : (M, N) ndarray of float32
        ``closing - page``: how much darker than its surroundings a narrow mark is, and 0
        inside marks wider than `size`.

    Examples
    --------
    >>> import numpy as np
    >>> page = np.ones((9, 9), dtype=np.float32); page[:, 4] = 0.2  # a stroke 1 px wide
    >>> closing, tophat = local_closing(page, size=3)
    >>> float(closing[4, 4]), round(float(tophat[4, 4]), 2)
    (1.0, 0.8)
    >>> page[2:7, 2:7] = 0.2  # a blot 5 px wide
    >>> float(local_closing(page, size=3)[1][4, 4])
    0.0
    """
    page = check_page(page)
    size = check_window(size, name="size")
    closing = ndimage.grey_closing(page, size=(size, size), mode="reflect")
    return closing, closing - page
