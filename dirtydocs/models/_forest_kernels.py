"""Numba kernel that evaluates a flattened tree ensemble. Private: inputs are trusted.

Nodes of all trees live in flat arrays. Node ``n``'s children are ``children[2 * n]``
(taken when the value is at most the threshold) and ``children[2 * n + 1]``; a child
index >= 0 is a split node, a negative one is ``~leaf`` (bitwise not), an index into the
leaf values.

Walking one row down one tree is a chain of dependent loads and hard-to-predict
branches, so the CPU mostly waits. Rows are taken in blocks and each tree walks
`LANES` rows of a block at once, in lockstep: their chains are independent and run
side by side, and the tree's nodes stay in cache for the whole block.
"""

import numpy as np
from numba import njit, prange

MISSING_NONE = 0
MISSING_ZERO = 1
MISSING_NAN = 2
# LightGBM's kZeroThreshold: |x| below it counts as zero for zero-as-missing splits.
ZERO_THRESHOLD = 1e-35

BLOCK_ROWS = 64
# 4 and 16 lanes were slower: 0.68 s and 0.83 s for the bundled model's page, against 0.56 s.
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
        nodes = np.empty(LANES, np.int64)
        for t in range(n_trees):
            root = roots[t]
            i = first
            if lockstep:
                while i + LANES <= stop:
                    for lane in range(LANES):
                        nodes[lane] = root
                    walking = root >= 0
                    while walking:
                        walking = False
                        for lane in range(LANES):
                            node = nodes[lane]
                            if node >= 0:
                                node = children[2 * node
                                                + (X[i + lane, feature[node]] > threshold[node])]
                                nodes[lane] = node
                                walking |= node >= 0
                    for lane in range(LANES):
                        total[i + lane - first] += leaf_value[~nodes[lane]]
                    i += LANES
            while i < stop:
                total[i - first] += leaf_value[_leaf_of(X, i, root, feature, threshold, children,
                                                        default_left, missing_type)]
                i += 1
        for i in range(first, stop):
            out[i] = total[i - first] * scale
