"""A plain stack of 3x3 convolutions with leaky ReLUs and a residual connection."""

import numpy as np

from .layers import Conv3x3, LeakyReLU, he_normal

__all__ = ["ResidualCNN"]


class ResidualCNN:
    """``y = x[:, :1] + f(x)``: the network learns a correction to its first input channel.

    ``f`` is `n_layers` 3x3 convolutions, each but the last followed by a leaky ReLU. The
    output at a pixel depends on inputs up to :attr:`receptive_radius` pixels away.

    Parameters
    ----------
    layers : list of Conv3x3
    negative_slope : float

    Examples
    --------
    >>> import numpy as np
    >>> net = ResidualCNN.initialise(n_inputs=2, n_layers=3, n_channels=8,
    ...                              rng=np.random.default_rng(0))
    >>> net.forward(np.zeros((1, 2, 10, 12), np.float32)).shape, net.receptive_radius
    ((1, 1, 10, 12), 3)
    """

    def __init__(self, layers, negative_slope=0.1):
        self.layers = list(layers)
        self.negative_slope = negative_slope
        self._activations = [LeakyReLU(negative_slope) for _ in self.layers[:-1]]

    @classmethod
    def initialise(cls, n_inputs, n_layers, n_channels, rng, negative_slope=0.1):
        """He-initialised weights; the last layer starts at zero, so ``y = x[:, :1]``."""
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        widths = [n_inputs] + [n_channels] * (n_layers - 1) + [1]
        layers = []
        for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
            last = i == n_layers - 1
            weight = (np.zeros((n_out, n_in, 3, 3), np.float32) if last
                      else he_normal(n_out, n_in, rng, negative_slope))
            layers.append(Conv3x3(weight, np.zeros(n_out, np.float32)))
        return cls(layers, negative_slope)

    @property
    def n_inputs(self):
        return self.layers[0].n_in

    @property
    def receptive_radius(self):
        return len(self.layers)

    def parameters(self):
        """(parameter, gradient attribute owner, name) for every array the optimiser updates."""
        for layer in self.layers:
            yield layer, "weight"
            yield layer, "bias"

    def parameters_changed(self):
        for layer in self.layers:
            layer.parameters_changed()

    def forward(self, x, *, training=False):
        h = x
        for i, layer in enumerate(self.layers):
            h = layer.forward(h, keep_input=training)
            if i < len(self._activations):
                h = self._activations[i].forward(h, keep_input=training)
        return h + x[:, :1]

    def backward(self, grad_output):
        """Fill every layer's gradients from dLoss/dy; the input's gradient is not needed."""
        grad = grad_output
        for i in range(len(self.layers) - 1, -1, -1):
            if i < len(self._activations):
                grad = self._activations[i].backward(grad)
            grad = self.layers[i].backward(grad, need_grad_x=i > 0)
