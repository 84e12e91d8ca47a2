import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# Odd sizes, single rows/columns, and pages smaller than the windows used on them.
PAGE_SHAPES = [(1, 1), (1, 9), (7, 1), (5, 8), (13, 17), (31, 22)]


def lit_page(shape=(150, 180), lift=0.0, seed=0):
    """Text rows on paper that darkens from left to right, its ink lifted by `lift` per unit
    of paper darkness."""
    rng = np.random.default_rng(seed)
    paper = np.linspace(0.95, 0.55, shape[1])[None, :] + rng.normal(0, 0.01, shape)
    strokes = np.zeros(shape, bool)
    for row in range(4, shape[0] - 4, 9):
        strokes[row:row + 2] = rng.random(shape[1]) < 0.7
    ink = 0.08 + lift * (1 - paper) + rng.normal(0, 0.01, shape)
    return np.clip(np.where(strokes, ink, paper), 0, 1).astype(np.float32)


def two_kinds_pairs():
    """Two training pairs of each kind of ink: covering (pages 0 and 1), lifted (2 and 3)."""
    noisy = [lit_page(lift=0.0, seed=2), lit_page(lift=0.0, seed=3),
             lit_page(lift=0.8, seed=4), lit_page(lift=0.8, seed=5)]
    clean = [np.where(page > 0.5, 1.0, 0.0).astype(np.float32) for page in noisy]
    return noisy, clean
