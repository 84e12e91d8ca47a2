"""Input checks done once at the public boundary, so kernels can trust their inputs."""

import numpy as np

__all__ = ["check_page", "check_page_pairs", "check_pages"]


def check_page(page, *, name="page"):
    """Return `page` as a C-contiguous ``(M, N)`` float32 array in [0, 1].

    Integer images are scaled by their dtype's maximum (uint8 -> /255, uint16 -> /65535);
    booleans map to {0, 1}; float images must already lie in [0, 1].

    Parameters
    ----------
    page : array_like, shape (M, N)
        A grey page.
    name : str
        How the page is named in error messages (an argument or a file name).

    Returns
    -------
    page : (M, N) ndarray of float32

    Raises
    ------
    TypeError
        If `page` is not numeric.
    ValueError
        If `page` is not 2-D, is empty, holds NaN/inf, or floats outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> check_page(np.array([[0, 255]], dtype=np.uint8))
    array([[0., 1.]], dtype=float32)
    """
    array = np.asarray(page)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise TypeError(f"{name}: expected a numeric image, got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(
            f"{name}: expected a 2-D grey page of shape (M, N), got shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{name}: the page is empty (shape {array.shape})")
    if array.dtype == bool:
        return np.ascontiguousarray(array, dtype=np.float32)
    if np.issubdtype(array.dtype, np.integer):
        info = np.iinfo(array.dtype)
        if array.min() < 0:
            raise ValueError(f"{name}: integer pages must not hold negative values")
        return np.ascontiguousarray(array / np.float32(info.max), dtype=np.float32)
    array = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: the page holds NaN or infinite values")
    low, high = float(array.min()), float(array.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"{name}: float pages must lie in [0, 1], got values in [{low:.4g}, {high:.4g}]"
        )
    return array


def check_pages(pages, *, name="pages"):
    """Return a list of checked pages from one page or a sequence of pages.

    Returns ``(pages, single)`` where `single` says whether one bare page was given.

    Examples
    --------
    >>> import numpy as np
    >>> pages, single = check_pages(np.ones((2, 3)))
    >>> len(pages), single
    (1, True)
    """
    if isinstance(pages, np.ndarray) and pages.ndim == 2:
        return [check_page(pages, name=name)], True
    if isinstance(pages, np.ndarray) and pages.ndim == 3:
        return [check_page(p, name=f"{name}[{i}]") for i, p in enumerate(pages)], False
    if isinstance(pages, (str, bytes)) or not hasattr(pages, "__iter__"):
        raise TypeError(f"{name}: expected a page or a sequence of pages, got {type(pages)!r}")
    checked = [check_page(p, name=f"{name}[{i}]") for i, p in enumerate(pages)]
    if not checked:
        raise ValueError(f"{name}: expected at least one page, got none")
    return checked, False


def check_page_pairs(noisy_pages, clean_pages):
    """Checked training pairs: as many noisy as clean pages, each pair of one shape.

    Returns
    -------
    noisy_pages, clean_pages : list of (M, N) ndarray of float32

    Examples
    --------
    >>> import numpy as np
    >>> check_page_pairs([np.ones((2, 3))], [np.ones((2, 4))])
    Traceback (most recent call last):
    ...
    ValueError: noisy_pages[0] has shape (2, 3) but clean_pages[0] has shape (2, 4)
    """
    noisy_pages, _ = check_pages(noisy_pages, name="noisy_pages")
    clean_pages, _ = check_pages(clean_pages, name="clean_pages")
    if len(noisy_pages) != len(clean_pages):
        raise ValueError(
            f"got {len(noisy_pages)} noisy pages but {len(clean_pages)} clean pages"
        )
    for index, (noisy, clean) in enumerate(zip(noisy_pages, clean_pages)):
        if noisy.shape != clean.shape:
            raise ValueError(
                f"noisy_pages[{index}] has shape {noisy.shape} but clean_pages[{index}] "
                f"has shape {clean.shape}"
            )
    return noisy_pages, clean_pages
