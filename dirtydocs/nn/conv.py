"""3x3 convolutions for the numpy CNN, computed by Winograd F(2x2, 3x3) in numba."""

import numpy as np

from . import _winograd

__all__ = ["conv3x3", "transform_filters"]


def _check_weights(weights):
    weights = np.asarray(weights)
    if weights.ndim != 4 or weights.shape[2:] != (3, 3):
        raise ValueError(f"weights must have shape (Cout, Cin, 3, 3), got {weights.shape}")
    return np.ascontiguousarray(weights, dtype=np.float32)


def transform_filters(weights):
    """Winograd transform ``G g G^T`` of every filter, to reuse until the weights change.

    Parameters
    ----------
    weights : (Cout, Cin, 3, 3) array_like

    Returns
    -------
    transformed : (16, Cout, Cin) ndarray of float32

    Examples
    --------
    >>> import numpy as np
    >>> transform_filters(np.ones((4, 2, 3, 3))).shape
    (16, 4, 2)
    """
    return _winograd._filter_transform(_check_weights(weights))


def conv3x3(x, weights, bias=None, *, transformed=None):
    """3x3 cross-correlation with stride 1 and zero 'same' padding.

    The convention of ``torch.nn.functional.conv2d(x, w, b, padding=1)``:
    ``y[n, o, i, j] = b[o] + sum_c sum_{di, dj} w[o, c, di, dj] * x[n, c, i + di - 1, j + dj - 1]``.

    Parameters
    ----------
    x : (N, Cin, H, W) array_like
        Any H, W >= 1.
    weights : (Cout, Cin, 3, 3) array_like
    bias : (Cout,) array_like, optional
    transformed : (16, Cout, Cin) ndarray, optional
        ``transform_filters(weights)``, when already computed for these weights.

    Returns
    -------
    y : (N, Cout, H, W) ndarray of float32

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((1, 1, 5, 5), np.float32); x[0, 0, 2, 2] = 1
    >>> w = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    >>> conv3x3(x, w)[0, 0, 1:4, 1:4]  # a unit impulse gives the flipped filter
    array([[8., 7., 6.],
           [5., 4., 3.],
           [2., 1., 0.]], dtype=float32)
    """
    x = np.asarray(x)
    if x.ndim != 4 or min(x.shape) < 1:
        raise ValueError(f"x must have shape (N, Cin, H, W) with every size >= 1, got {x.shape}")
    weights = _check_weights(weights)
    if weights.shape[1] != x.shape[1]:
        raise ValueError(
            f"weights expect {weights.shape[1]} input channels but x has {x.shape[1]}"
        )
    n_out = weights.shape[0]
    bias = (np.zeros(n_out, np.float32) if bias is None
            else np.ascontiguousarray(bias, dtype=np.float32).reshape(-1))
    if bias.shape != (n_out,):
        raise ValueError(f"bias must have shape ({n_out},), got {bias.shape}")
    if transformed is None:
        transformed = _winograd._filter_transform(weights)
    elif transformed.shape != (16, n_out, weights.shape[1]):
        raise ValueError(f"transformed has shape {transformed.shape}, expected "
                         f"{(16, n_out, weights.shape[1])}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    y = np.empty((x.shape[0], n_out, x.shape[2], x.shape[3]), np.float32)
    _winograd._conv3x3_forward(x, transformed, bias, y)
    return y
