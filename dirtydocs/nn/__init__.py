"""The numpy CNN: 3x3 convolutions by a numba Winograd kernel, layers, Adam and SmallCNN."""

from .conv import conv3x3, conv3x3_backward, transform_filters
from .estimator import SmallCNN
from .layers import Conv3x3, LeakyReLU, he_normal
from .network import ResidualCNN
from .optim import Adam

__all__ = ["Adam", "Conv3x3", "LeakyReLU", "ResidualCNN", "SmallCNN", "conv3x3",
           "conv3x3_backward", "he_normal", "transform_filters"]
