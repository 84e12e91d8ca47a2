"""The numpy CNN: 3x3 convolutions by a numba Winograd kernel (work in progress)."""

from .conv import conv3x3, conv3x3_backward, transform_filters

__all__ = ["conv3x3", "conv3x3_backward", "transform_filters"]
