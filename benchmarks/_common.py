"""Shared set-up for the benchmarks: synthetic pages, so no outside data is needed."""

import shlex
import sys
import time

import numpy as np

KAGGLE_SHAPE = (420, 540)
A4_300DPI_SHAPE = (3508, 2480)


def synthetic_page(shape=KAGGLE_SHAPE, seed=0):
    from dirtydocs.synth import make_page

    return make_page(shape, random_state=seed)


def tiled_page(shape, seed=0):
    """A large page made of Kaggle-sized synthetic pages (rendering one huge page is slow)."""
    noisy, _ = synthetic_page(KAGGLE_SHAPE, seed)
    reps = (-(-shape[0] // noisy.shape[0]), -(-shape[1] // noisy.shape[1]))
    return np.ascontiguousarray(np.tile(noisy, reps)[: shape[0], : shape[1]])


def best_seconds(function, repeat=5):
    """Fastest of `repeat` calls: the least disturbed by other work on a shared machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def pooled_rmse(rmses, n_pixels):
    """The RMSE over all pixels of several sets, from each set's RMSE and pixel count.

    >>> round(pooled_rmse([0.01, 0.03], [300, 100]), 5)
    0.01732
    """
    return float(np.sqrt(np.average(np.square(rmses), weights=np.asarray(n_pixels, float))))


def command_line(script, argv=None):
    """The command that ran `script` with `argv` (the process's own arguments when None).

    The benchmarks save it beside their figures, so that anyone can measure them again.

    >>> command_line("benchmarks/quality_table.py", ["data dir", "--folds", "0"])
    "python benchmarks/quality_table.py 'data dir' --folds 0"
    """
    return shlex.join(["python", script, *(sys.argv[1:] if argv is None else argv)])
