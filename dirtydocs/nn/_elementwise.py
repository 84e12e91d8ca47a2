"""Numba kernels for the CNN's elementwise steps. Private.

numpy's boolean indexing (``x[x < 0] *= a``) took ~11 ms per activation of a 16 x 32 x 64
x 64 batch, as long as a 3x3 convolution; one parallel pass over flat memory takes ~1 ms.
"""

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def leaky_relu_forward(flat, negative_slope, negative):
    """In place: flat = leaky_relu(flat); negative[i] records flat[i] < 0."""
    slope = np.float32(negative_slope)
    for i in prange(flat.size):
        value = flat[i]
        is_negative = value < 0
        negative[i] = is_negative
        if is_negative:
            flat[i] = value * slope


@njit(cache=True, parallel=True)
def leaky_relu_backward(flat_grad, negative_slope, negative):
    """In place: flat_grad[i] *= negative_slope where the forward input was negative."""
    slope = np.float32(negative_slope)
    for i in prange(flat_grad.size):
        if negative[i]:
            flat_grad[i] *= slope
