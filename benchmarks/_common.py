"""Shared set-up for the benchmarks: synthetic pages, so no outside data is needed."""

import os
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


# numpy picks its loops for exp, log, power and arctan2 by the CPU it runs on, and its
# AVX-512 loops round some last bits differently from its AVX2 ones. The restained pairs'
# paper is built with them and rounded to 8 bits, so a last bit can move a pixel by 1/255,
# and the trees that learn from it come out different (2026-12-07, on a Zen 5: one pixel in
# eight pairs differed, and the stack of a cross-group fold by 0.9%). So the scripts that
# train on synthetic pages run with numpy's AVX2 loops, as the bundled builds did.
NUMPY_DISABLE_ENV = "NPY_DISABLE_CPU_FEATURES"


def avx512_targets(dispatched, cpu_features):
    """The names among numpy's dispatch targets `dispatched` of AVX-512 loops this CPU runs.

    Parameters
    ----------
    dispatched : sequence of str
        numpy's ``__cpu_dispatch__``: the targets its loops were built for, in numpy's
        names, which changed in numpy 2.4 (``AVX512_SKX`` before, ``X86_V4`` since).
    cpu_features : dict of str to bool
        numpy's ``__cpu_features__``: which of them are on for this process.

    Examples
    --------
    >>> avx512_targets(["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"],
    ...                {"X86_V3": True, "X86_V4": True, "AVX512_ICL": True})
    ['X86_V4', 'AVX512_ICL']
    >>> avx512_targets(["AVX2", "AVX512F", "AVX512_SKX"],
    ...                {"AVX2": True, "AVX512F": False, "AVX512_SKX": False})
    []
    """
    return [name for name in dispatched
            if (name.startswith("AVX512") or name == "X86_V4") and cpu_features.get(name)]


def numpy_avx512_targets():
    """:func:`avx512_targets` of this process's numpy."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return avx512_targets(__cpu_dispatch__, __cpu_features__)


def rerun_with_avx2_numpy_loops():
    """Run this script again in a process whose numpy has its AVX-512 loops off.

    Does nothing where numpy runs none (an AVX2 machine, or a process started this way),
    or where ``NPY_DISABLE_CPU_FEATURES`` is set already: who sets it chooses.
    Call it first thing in a script's ``__main__``; it does not return when it reruns.
    """
    targets = numpy_avx512_targets()
    if not targets or os.environ.get(NUMPY_DISABLE_ENV) is not None:
        return
    setting = " ".join(targets)
    print(f"running again with {NUMPY_DISABLE_ENV}={setting!r}: numpy's AVX2 loops, as "
          "the bundled builds used, so that synthetic pages come out the same",
          file=sys.stderr, flush=True)
    os.execve(sys.executable, [sys.executable, *sys.argv],
              {**os.environ, NUMPY_DISABLE_ENV: setting})
