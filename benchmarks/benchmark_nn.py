"""One 3x3 convolution layer: Winograd kernel against two baselines measured in the same run.

Baselines: a loop of ``scipy.ndimage.correlate`` (one call per channel pair) and im2col +
``np.matmul`` (BLAS). Shapes: a 540x420 page and a batch of 8 128x128 patches. The
``track_`` figures are ratios or rates computed from best-of-N timings taken together, so
a busy machine slows both sides alike.
"""

import numpy as np
from scipy import ndimage as ndi

from dirtydocs.nn import conv3x3, conv3x3_backward, transform_filters

from ._common import best_seconds

CHANNELS = [(1, 16), (16, 16), (32, 32), (16, 1)]
SHAPES = {"page 540x420": (1, 420, 540), "8 x 128x128": (8, 128, 128)}


def scipy_correlate_loop(x, w):
    """The plain reference: one scipy correlate per (image, output, input) channel triple."""
    n, _, height, width = x.shape
    y = np.zeros((n, w.shape[0], height, width), np.float32)
    for image in range(n):
        for o in range(w.shape[0]):
            for c in range(w.shape[1]):
                y[image, o] += ndi.correlate(x[image, c], w[o, c], mode="constant")
    return y


def im2col_blas(x, w):
    """Nine shifted copies of the padded input, then one BLAS product per image."""
    n, n_in, height, width = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    matrix = w.reshape(w.shape[0], n_in * 9)
    y = np.empty((n, w.shape[0], height, width), np.float32)
    columns = np.empty((n_in, 3, 3, height, width), np.float32)
    for image in range(n):
        for di in range(3):
            for dj in range(3):
                columns[:, di, dj] = padded[image, :, di:di + height, dj:dj + width]
        np.matmul(matrix, columns.reshape(n_in * 9, height * width),
                  out=y[image].reshape(w.shape[0], -1))
    return y


class ConvLayer:
    params = ([f"{a}->{b}" for a, b in CHANNELS], list(SHAPES))
    param_names = ["channels", "input"]
    timeout = 600

    def setup(self, channels, shape_name):
        n_in, n_out = (int(c) for c in channels.split("->"))
        n, height, width = SHAPES[shape_name]
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((n, n_in, height, width)).astype(np.float32)
        self.w = rng.standard_normal((n_out, n_in, 3, 3)).astype(np.float32)
        self.b = rng.standard_normal(n_out).astype(np.float32)
        self.grad = rng.standard_normal((n, n_out, height, width)).astype(np.float32)
        self.u = transform_filters(self.w)
        self.flops = 2.0 * n * height * width * n_in * n_out * 9
        self.forward()  # compile / load the numba cache outside the timings
        conv3x3_backward(self.x, self.w, self.grad)

    def forward(self):
        return conv3x3(self.x, self.w, self.b, transformed=self.u)

    def time_forward(self, channels, shape_name):
        self.forward()

    def time_backward(self, channels, shape_name):
        conv3x3_backward(self.x, self.w, self.grad)

    def time_im2col_blas(self, channels, shape_name):
        im2col_blas(self.x, self.w)

    def track_forward_ms(self, channels, shape_name):
        return 1e3 * best_seconds(self.forward, repeat=7)

    track_forward_ms.unit = "ms"

    def track_forward_gflops(self, channels, shape_name):
        """Direct-convolution work (2*H*W*Cin*Cout*9 per image) per second of our forward."""
        return self.flops / best_seconds(self.forward, repeat=7) / 1e9

    track_forward_gflops.unit = "GFLOP/s"

    def track_backward_ms(self, channels, shape_name):
        return 1e3 * best_seconds(lambda: conv3x3_backward(self.x, self.w, self.grad), repeat=5)

    track_backward_ms.unit = "ms"

    def track_backward_over_forward(self, channels, shape_name):
        backward = best_seconds(lambda: conv3x3_backward(self.x, self.w, self.grad), repeat=5)
        return backward / best_seconds(self.forward, repeat=7)

    track_backward_over_forward.unit = "x"

    def track_im2col_blas_gflops(self, channels, shape_name):
        return self.flops / best_seconds(lambda: im2col_blas(self.x, self.w), repeat=5) / 1e9

    track_im2col_blas_gflops.unit = "GFLOP/s"

    def track_speedup_vs_im2col_blas(self, channels, shape_name):
        ours = best_seconds(self.forward, repeat=7)
        return best_seconds(lambda: im2col_blas(self.x, self.w), repeat=5) / ours

    track_speedup_vs_im2col_blas.unit = "x"

    def track_scipy_correlate_gflops(self, channels, shape_name):
        return self.flops / best_seconds(lambda: scipy_correlate_loop(self.x, self.w),
                                         repeat=2) / 1e9

    track_scipy_correlate_gflops.unit = "GFLOP/s"

    def track_speedup_vs_scipy_correlate(self, channels, shape_name):
        ours = best_seconds(self.forward, repeat=7)
        return best_seconds(lambda: scipy_correlate_loop(self.x, self.w), repeat=2) / ours

    track_speedup_vs_scipy_correlate.unit = "x"


class SmallCNNPredict:
    """The whole 7-layer, 32-channel network on a Kaggle page, tiled as in `predict`."""

    timeout = 300

    def setup(self):
        from dirtydocs.nn import ResidualCNN

        self.page = np.random.default_rng(0).random((1, 1, 420, 540), dtype=np.float32)
        self.network = ResidualCNN.initialise(1, 7, 32, np.random.default_rng(0))
        self.network.forward(self.page)

    def time_network_forward_kaggle_page(self):
        self.network.forward(self.page)
