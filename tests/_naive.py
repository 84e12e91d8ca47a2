"""Slow, obviously-correct reference versions of the fast kernels, in float64."""

import numpy as np


def _windows(page, size, mode):
    radius = size // 2
    padded = np.pad(np.asarray(page, np.float64), radius, mode=mode)
    n_rows, n_cols = np.shape(page)
    for i in range(n_rows):
        for j in range(n_cols):
            yield i, j, padded[i:i + size, j:j + size]


def median_filter(page_u8, size):
    """Median of every size x size window, edges mirrored with the edge repeated."""
    out = np.empty(np.shape(page_u8), np.float64)
    for i, j, window in _windows(page_u8, size, "symmetric"):
        out[i, j] = np.sort(window.ravel())[size * size // 2]
    return out


def window_mean_std(page, size):
    """Mean and population std of every window, edges mirrored without repeating the edge."""
    mean = np.empty(np.shape(page), np.float64)
    std = np.empty(np.shape(page), np.float64)
    for i, j, window in _windows(page, size, "reflect"):
        mean[i, j], std[i, j] = window.mean(), window.std()
    return mean, std


def local_stats(page, size):
    """Min, max, mean, std of every window, edges mirrored with the edge repeated."""
    outputs = [np.empty(np.shape(page), np.float64) for _ in range(4)]
    for i, j, window in _windows(page, size, "symmetric"):
        for out, value in zip(outputs, (window.min(), window.max(), window.mean(), window.std())):
            out[i, j] = value
    return outputs


def window_columns(page, size):
    """Row i*N + j holds the window around (i, j), raster order."""
    rows = [window.ravel() for _, _, window in _windows(page, size, "symmetric")]
    return np.array(rows)


def conv3x3(x, weights, bias=None):
    """Direct 'same' 3x3 cross-correlation in float64 (torch's conv2d with padding=1)."""
    x = np.asarray(x, np.float64)
    weights = np.asarray(weights, np.float64)
    n_images, _, height, width = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    y = np.zeros((n_images, weights.shape[0], height, width))
    for di in range(3):
        for dj in range(3):
            window = padded[:, :, di:di + height, dj:dj + width]
            y += np.einsum("nchw,oc->nohw", window, weights[:, :, di, dj])
    if bias is not None:
        y += np.asarray(bias, np.float64)[None, :, None, None]
    return y


def conv3x3_backward(x, weights, grad_out):
    """Gradients of :func:`conv3x3` by the definition, in float64."""
    x = np.asarray(x, np.float64)
    weights = np.asarray(weights, np.float64)
    grad_out = np.asarray(grad_out, np.float64)
    _, _, height, width = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    grad_padded = np.zeros_like(padded)
    grad_w = np.zeros_like(weights)
    for di in range(3):
        for dj in range(3):
            window = padded[:, :, di:di + height, dj:dj + width]
            grad_w[:, :, di, dj] = np.einsum("nohw,nchw->oc", grad_out, window)
            grad_padded[:, :, di:di + height, dj:dj + width] += np.einsum(
                "nohw,oc->nchw", grad_out, weights[:, :, di, dj])
    return grad_padded[:, :, 1:-1, 1:-1], grad_w, grad_out.sum(axis=(0, 2, 3))
