"""Numba kernel that evaluates a flattened tree ensemble. Private: inputs are trusted.

Nodes of all trees live in flat arrays. Node ``n``'s children are ``children[2 * n]``
(taken when the value is at most the threshold) and ``children[2 * n + 1]``; a child
index >= 0 is a split node, a negative one is ``~leaf`` (bitwise not), an index into the
leaf values.

Walking one row down one tree is a chain of dependent loads and hard-to-predict
branches, so the CPU mostly waits. Rows are taken in blocks and each tree walks 8 rows
of a block at once, in lockstep: their chains are independent and run side by side,
and the tree's nodes stay in cache for the whole block. The 8 lanes' nodes are 8 local
variables rather than an array, so they live in registers: through an array each step
also waited on a store and a reload (the bundled model's forests took 9-19% longer).
"""

import numpy as np
from numba import njit, prange

MISSING_NONE = 0
MISSING_ZERO = 1
MISSING_NAN = 2
# LightGBM's kZeroThreshold: |x| below it counts as zero for zero-as-missing splits.
ZERO_THRESHOLD = 1e-35

BLOCK_ROWS = 64
# Rows of the lockstep walk, written out as the locals n0..n7 of `_predict_forest`. With
# the lanes in an array, 4 and 16 were slower than 8: 0.68 s and 0.83 s for the bundled
# model's page, against 0.56 s.
LANES = 8


@njit(cache=True)
def _leaf_of(X, i, root, feature, threshold, children, default_left, missing_type):
    """The leaf row `i` falls in, under all of LightGBM's missing-value rules."""
    node = root
    while node >= 0:
        value = X[i, feature[node]]
        kind = missing_type[node]
        if np.isnan(value) and kind != MISSING_NAN:
            value = 0.0
        if (kind == MISSING_ZERO and -ZERO_THRESHOLD <= value <= ZERO_THRESHOLD) or (
            kind == MISSING_NAN and np.isnan(value)
        ):
            go_right = not default_left[node]
        else:
            go_right = value > threshold[node]
        node = children[2 * node + go_right]
    return ~node


@njit(cache=True, inline="always")
def _step(X, i, node, feature, threshold, children):
    """Row `i`'s next node after `node` by a plain comparison; a leaf stays put."""
    if node >= 0:
        return children[2 * node + (X[i, feature[node]] > threshold[node])]
    return node


@njit(cache=True)
def _all_finite(X, first_row, stop_row):
    finite = True
    for i in range(first_row, stop_row):
        for j in range(X.shape[1]):
            finite &= np.isfinite(X[i, j])
    return finite


@njit(cache=True, parallel=True)
def _predict_forest(X, roots, feature, threshold, children, default_left, missing_type,
                    plain, leaf_value, scale, out):
    """out[i] = scale * sum over trees of the leaf row i falls in (LightGBM's rules).

    `threshold` has X's dtype (for float32 rows, the largest float32 at most LightGBM's
    threshold, which splits every float32 value the same way). `plain` says that no
    node has a missing-value rule: then blocks of finite rows take the lockstep walk,
    a plain comparison per node; other blocks walk row by row with the rules.
    """
    n_rows = X.shape[0]
    n_trees = roots.shape[0]
    n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    for block in prange(n_blocks):
        first = block * BLOCK_ROWS
        stop = min(first + BLOCK_ROWS, n_rows)
        total = np.zeros(stop - first)
        lockstep = plain and _all_finite(X, first, stop)
        for t in range(n_trees):
            root = roots[t]
            i = first
            if lockstep:
                while i + LANES <= stop:
                    n0 = n1 = n2 = n3 = n4 = n5 = n6 = n7 = root
                    # Leaves are negative: walk until every lane's sign bit is set.
                    while (n0 & n1 & n2 & n3 & n4 & n5 & n6 & n7) >= 0:
                        n0 = _step(X, i, n0, feature, threshold, children)
                        n1 = _step(X, i + 1, n1, feature, threshold, children)
                        n2 = _step(X, i + 2, n2, feature, threshold, children)
                        n3 = _step(X, i + 3, n3, feature, threshold, children)
                        n4 = _step(X, i + 4, n4, feature, threshold, children)
                        n5 = _step(X, i + 5, n5, feature, threshold, children)
                        n6 = _step(X, i + 6, n6, feature, threshold, children)
                        n7 = _step(X, i + 7, n7, feature, threshold, children)
                    lane = i - first
                    total[lane] += leaf_value[~n0]
                    total[lane + 1] += leaf_value[~n1]
                    total[lane + 2] += leaf_value[~n2]
                    total[lane + 3] += leaf_value[~n3]
                    total[lane + 4] += leaf_value[~n4]
                    total[lane + 5] += leaf_value[~n5]
                    total[lane + 6] += leaf_value[~n6]
                    total[lane + 7] += leaf_value[~n7]
                    i += LANES
            while i < stop:
                total[i - first] += leaf_value[_leaf_of(X, i, root, feature, threshold, children,
                                                        default_left, missing_type)]
                i += 1
        for i in range(first, stop):
            out[i] = total[i - first] * scale
