"""Numba kernel that evaluates a flattened tree ensemble. Private: inputs are trusted.

Nodes of all trees live in flat arrays. A child index >= 0 is an internal node; a
negative one is ``~leaf`` (bitwise not), an index into the leaf values.
"""

import numpy as np
from numba import njit, prange

MISSING_NONE = 0
MISSING_ZERO = 1
MISSING_NAN = 2
# LightGBM's kZeroThreshold: |x| below it counts as zero for zero-as-missing splits.
ZERO_THRESHOLD = 1e-35


@njit(cache=True, parallel=True)
def _predict_forest(X, roots, feature, threshold, left, right, default_left, missing_type,
                    leaf_value, scale, out):
    """out[i] = scale * sum over trees of the leaf row i falls in (LightGBM's rules)."""
    n_rows = X.shape[0]
    n_trees = roots.shape[0]
    for i in prange(n_rows):
        total = 0.0
        for t in range(n_trees):
            node = roots[t]
            while node >= 0:
                value = np.float64(X[i, feature[node]])
                kind = missing_type[node]
                if np.isnan(value) and kind != MISSING_NAN:
                    value = 0.0
                if (kind == MISSING_ZERO and -ZERO_THRESHOLD <= value <= ZERO_THRESHOLD) or (
                    kind == MISSING_NAN and np.isnan(value)
                ):
                    go_left = default_left[node]
                else:
                    go_left = value <= threshold[node]
                node = left[node] if go_left else right[node]
            total += leaf_value[~node]
        out[i] = total * scale
