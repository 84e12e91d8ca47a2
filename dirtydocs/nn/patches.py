"""Random training patches with flips, and the masked mean squared error they are scored by."""

import numpy as np

__all__ = ["sample_patches", "masked_mse"]


def sample_patches(inputs, targets, n_patches, size, margin, rng):
    """Draw `n_patches` random ``size x size`` patches with random horizontal/vertical flips.

    A patch's pixels within `margin` of a side that lies inside the page get weight 0: the
    network sees zeros past the patch there but real page content at predict time. Sides on
    the page's own border keep their weight, since the page has zero padding there too.

    Parameters
    ----------
    inputs : list of (C, M, N) float32 arrays
    targets : list of (M, N) float32 arrays
    n_patches, size, margin : int
    rng : numpy.random.Generator

    Returns
    -------
    x : (n_patches, C, size, size) float32
    y, weight : (n_patches, 1, size, size) float32

    Examples
    --------
    >>> import numpy as np
    >>> pages, truths = [np.ones((2, 30, 40), np.float32)], [np.ones((30, 40), np.float32)]
    >>> x, y, w = sample_patches(pages, truths, n_patches=4, size=16, margin=3,
    ...                          rng=np.random.default_rng(0))
    >>> x.shape, y.shape, w.shape
    ((4, 2, 16, 16), (4, 1, 16, 16), (4, 1, 16, 16))
    """
    n_channels = inputs[0].shape[0]
    # Zeros: a page smaller than the patch leaves the rest as zero padding of weight 0.
    x = np.zeros((n_patches, n_channels, size, size), np.float32)
    y = np.zeros((n_patches, 1, size, size), np.float32)
    weight = np.zeros((n_patches, 1, size, size), np.float32)
    # Pages are drawn in proportion to their area, so every pixel is equally likely.
    areas = np.array([t.size for t in targets], np.float64)
    pages = rng.choice(len(targets), size=n_patches, p=areas / areas.sum())
    for k, page in enumerate(pages):
        source, target = inputs[page], targets[page]
        height, width = target.shape
        h, w = min(size, height), min(size, width)
        top = rng.integers(0, height - h + 1)
        left = rng.integers(0, width - w + 1)
        x[k, :, :h, :w] = source[:, top:top + h, left:left + w]
        y[k, 0, :h, :w] = target[top:top + h, left:left + w]
        rows = slice(margin if top > 0 else 0, h - margin if top + h < height else h)
        cols = slice(margin if left > 0 else 0, w - margin if left + w < width else w)
        weight[k, 0, rows, cols] = 1.0
        for axis in (1, 2):  # rows, then columns, of a (channels, rows, columns) patch
            if rng.random() < 0.5:
                x[k] = np.flip(x[k], axis=axis)
                y[k] = np.flip(y[k], axis=axis)
                weight[k] = np.flip(weight[k], axis=axis)
    return x, y, weight


def masked_mse(prediction, target, weight):
    """Weighted mean squared error and its gradient with respect to `prediction`.

    Examples
    --------
    >>> import numpy as np
    >>> loss, grad = masked_mse(np.array([1.0, 3.0]), np.array([0.0, 0.0]), np.array([1.0, 0.0]))
    >>> float(loss), grad
    (1.0, array([2., 0.]))
    """
    total = max(float(weight.sum()), 1.0)
    error = (prediction - target) * weight
    loss = float(np.sum(error * error, dtype=np.float64)) / total
    return loss, (2.0 / total) * error
