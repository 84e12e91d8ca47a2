import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# Odd sizes, single rows/columns, and pages smaller than the windows used on them.
PAGE_SHAPES = [(1, 1), (1, 9), (7, 1), (5, 8), (13, 17), (31, 22)]
