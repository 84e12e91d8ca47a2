"""Small helpers shared by the feature wrappers."""

import numpy as np


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
