"""Layers of the numpy CNN: a 3x3 convolution with bias and a leaky ReLU.

Each layer keeps what its backward pass needs from the last forward pass; gradients land in
``grad_*`` attributes next to the parameters they belong to.
"""

import numpy as np

from . import _elementwise
from .conv import conv3x3, conv3x3_backward, transform_filters

__all__ = ["Conv3x3", "LeakyReLU", "he_normal"]


def he_normal(n_out, n_in, rng, negative_slope=0.0):
    """He (Kaiming) normal initialisation of (n_out, n_in, 3, 3) filters.

    The standard deviation ``sqrt(2 / ((1 + a^2) * 9 * n_in))`` keeps the activations'
    variance constant through layers followed by a leaky ReLU of slope ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> w = he_normal(32, 32, np.random.default_rng(0))
    >>> w.shape, w.dtype, round(float(w.std()), 2)
    ((32, 32, 3, 3), dtype('float32'), 0.08)
    """
    std = np.sqrt(2.0 / ((1.0 + negative_slope ** 2) * 9 * n_in))
    return (rng.standard_normal((n_out, n_in, 3, 3)) * std).astype(np.float32)


class Conv3x3:
    """3x3 'same' convolution plus bias, through the Winograd kernel.

    The Winograd transform of the filters is computed on first use and reused until
    :meth:`parameters_changed` is called (after every optimiser step).

    Examples
    --------
    >>> import numpy as np
    >>> layer = Conv3x3(np.ones((2, 1, 3, 3), np.float32), np.zeros(2, np.float32))
    >>> y = layer.forward(np.ones((1, 1, 4, 4), np.float32))
    >>> grad_x = layer.backward(np.ones_like(y))
    >>> y.shape, grad_x.shape, layer.grad_bias
    ((1, 2, 4, 4), (1, 1, 4, 4), array([16., 16.], dtype=float32))
    """

    def __init__(self, weight, bias):
        self.weight = np.ascontiguousarray(weight, dtype=np.float32)
        self.bias = np.ascontiguousarray(bias, dtype=np.float32)
        self.grad_weight = np.zeros_like(self.weight)
        self.grad_bias = np.zeros_like(self.bias)
        self._transformed = None
        self._input = None

    @property
    def n_in(self):
        return self.weight.shape[1]

    @property
    def n_out(self):
        return self.weight.shape[0]

    def parameters_changed(self):
        self._transformed = None

    def forward(self, x, *, keep_input=True):
        if self._transformed is None:
            self._transformed = transform_filters(self.weight)
        self._input = x if keep_input else None
        return conv3x3(x, self.weight, self.bias, transformed=self._transformed)

    def backward(self, grad_out, *, need_grad_x=True):
        if self._input is None:
            raise RuntimeError("backward() needs a forward(keep_input=True) first")
        grad_x, self.grad_weight, self.grad_bias = conv3x3_backward(
            self._input, self.weight, grad_out, need_grad_x=need_grad_x)
        self._input = None
        return grad_x


class LeakyReLU:
    """``max(x, 0) + negative_slope * min(x, 0)``, applied in place.

    Examples
    --------
    >>> import numpy as np
    >>> act = LeakyReLU(0.1)
    >>> act.forward(np.array([-1.0, 2.0], np.float32))
    array([-0.1,  2. ], dtype=float32)
    >>> act.backward(np.ones(2, np.float32))
    array([0.1, 1. ], dtype=float32)
    """

    def __init__(self, negative_slope=0.1):
        self.negative_slope = negative_slope
        self._negative = None

    def forward(self, x, *, keep_input=True):
        if not (x.dtype == np.float32 and x.flags.c_contiguous):
            raise ValueError("LeakyReLU works in place on C-contiguous float32 arrays")
        negative = np.empty(x.shape, np.bool_)
        _elementwise.leaky_relu_forward(x.reshape(-1), self.negative_slope, negative.reshape(-1))
        self._negative = negative if keep_input else None
        return x

    def backward(self, grad_out):
        if self._negative is None or self._negative.shape != grad_out.shape:
            raise RuntimeError("backward() needs a forward(keep_input=True) of the same shape")
        grad_out = np.ascontiguousarray(grad_out, dtype=np.float32)
        _elementwise.leaky_relu_backward(grad_out.reshape(-1), self.negative_slope,
                                         self._negative.reshape(-1))
        self._negative = None
        return grad_out
