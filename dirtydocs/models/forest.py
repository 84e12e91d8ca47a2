"""Fast prediction for LightGBM tree ensembles.

LightGBM's own predictor spends most of its time on per-row overhead when rows are short
and trees shallow, as they are here (measured: ~6 ns per node visited, 0.5 s for one Kaggle
page on 2 cores). The trees are read from the booster's text model into flat arrays and
walked by a numba kernel, blocks of rows in lockstep (``_forest_kernels``); the booster
stays the saved, authoritative model.
"""

import numpy as np

from . import _forest_kernels as _kernels

__all__ = ["CompiledForest"]

# LightGBM's decision_type bit field: bit 0 categorical, bit 1 default left, bits 2-3 the
# missing-value type (0 none, 1 zero, 2 NaN).
_CATEGORICAL, _DEFAULT_LEFT = 1, 2
_MISSING_TYPES = np.array([_kernels.MISSING_NONE, _kernels.MISSING_ZERO, _kernels.MISSING_NAN,
                           _kernels.MISSING_NONE], np.int8)


def _numbers(text, dtype):
    return np.array(text.split(), dtype=dtype)


def float32_at_most(values):
    """The largest float32 at most each float64 value.

    A float32 ``x`` satisfies ``x <= t`` exactly when ``x <= float32_at_most(t)``, so
    float32 rows can be split on float32 thresholds with LightGBM's float64 results.

    Examples
    --------
    >>> t = np.array([0.1, 0.5, -0.1])
    >>> t32 = float32_at_most(t)
    >>> bool(np.all(t32 <= t)), bool(np.all(np.nextafter(t32, np.float32(1)) > t))
    (True, True)
    """
    values = np.asarray(values, np.float64)
    with np.errstate(over="ignore"):
        rounded = values.astype(np.float32)
    above = rounded.astype(np.float64) > values
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded


def _join(arrays, dtype):
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype)


def _parse_model_text(text):
    """LightGBM's text model as a header dict and one dict per tree (all values strings).

    The text holds the same trees as ``Booster.dump_model()``, which builds and parses a
    JSON object per node: for the bundled model's 200 trees that took 0.45-0.57 s of every
    ``dirtydocs clean`` run, and this takes 0.1 s.
    """
    body = text.split("\nend of trees", 1)[0]
    blocks = body.split("\nTree=")

    def fields(block):
        pairs = (line.split("=", 1) for line in block.splitlines())
        return {pair[0]: (pair[1] if len(pair) == 2 else "") for pair in pairs if pair[0]}

    return fields(blocks[0]), [fields(block) for block in blocks[1:]]


class CompiledForest:
    """A LightGBM regression ensemble flattened for numba.

    Parameters
    ----------
    booster : lightgbm.Booster
        A trained regression booster with numerical splits only.
    model_text : str, optional
        The booster's text model (``booster.model_to_string()``), when the caller already
        holds it, as a model file's loader does: writing the text out again took 45% of
        loading the bundled model.

    Examples
    --------
    >>> import lightgbm, numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((300, 4)); y = X[:, 0] + X[:, 1] ** 2
    >>> booster = lightgbm.train({"verbose": -1}, lightgbm.Dataset(X, y), 20)
    >>> forest = CompiledForest(booster)
    >>> bool(np.allclose(forest.predict(X), booster.predict(X)))
    True
    """

    def __init__(self, booster, model_text=None):
        if model_text is None:
            model_text = booster.model_to_string()
        header, trees = _parse_model_text(model_text)
        if int(header.get("num_class", "1")) != 1:
            raise ValueError("only single-output boosters can be compiled")
        objective = header.get("objective", "regression").split()[0]
        if objective not in ("regression", "regression_l2", "l2", "mean_squared_error",
                             "mse", "regression_l1", "l1", "huber", "fair", "quantile"):
            raise ValueError(f"objective {objective!r} transforms its output; not supported")
        self.n_features = int(header["max_feature_idx"]) + 1
        parts = {name: [] for name in ("roots", "feature", "threshold", "left", "right",
                                       "decision_type", "leaf_value")}
        n_nodes = n_leaves = 0
        for tree in trees:
            if int(tree.get("num_cat", "0")) or int(tree.get("is_linear", "0")):
                raise ValueError("categorical splits and linear trees are not supported")
            leaf_value = _numbers(tree["leaf_value"], np.float64)
            feature = _numbers(tree.get("split_feature", ""), np.int32)
            # Children >= 0 are split nodes and < 0 are ~leaf, both numbered within the
            # tree; shift them to the flat arrays' numbering.
            for side in ("left", "right"):
                child = _numbers(tree.get(side + "_child", ""), np.int32)
                parts[side].append(np.where(child >= 0, child + n_nodes, child - n_leaves))
            parts["roots"].append(n_nodes if len(feature) else ~n_leaves)
            parts["feature"].append(feature)
            parts["threshold"].append(_numbers(tree.get("threshold", ""), np.float64))
            parts["decision_type"].append(_numbers(tree.get("decision_type", ""), np.int32))
            parts["leaf_value"].append(leaf_value)
            n_nodes += len(feature)
            n_leaves += len(leaf_value)
        decision = _join(parts["decision_type"], np.int32)
        if np.any(decision & _CATEGORICAL):
            raise ValueError("categorical splits are not supported")
        self.roots = np.asarray(parts["roots"], np.int32)
        self.feature = _join(parts["feature"], np.int32)
        self.threshold = _join(parts["threshold"], np.float64)
        self.threshold32 = float32_at_most(self.threshold)
        # Node n's children at 2n (value <= threshold) and 2n + 1, as the kernel reads them.
        self.children = np.stack([_join(parts["left"], np.int32),
                                  _join(parts["right"], np.int32)], axis=1).reshape(-1)
        self.default_left = (decision & _DEFAULT_LEFT).astype(np.bool_)
        self.missing_type = _MISSING_TYPES[(decision >> 2) & 3]
        self.plain = bool(np.all(self.missing_type == _kernels.MISSING_NONE))
        self.leaf_value = _join(parts["leaf_value"], np.float64)
        # Random-forest mode averages its trees instead of adding them.
        self.scale = 1.0 / len(self.roots) if "average_output" in header and len(self.roots) \
            else 1.0

    def predict(self, X):
        """Sum (or mean, for forests) of the trees' outputs for each row of `X`.

        Parameters
        ----------
        X : (n_samples, n_features) ndarray of float32 or float64

        Returns
        -------
        (n_samples,) ndarray of float64
        """
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X has shape {X.shape}, expected (n, {self.n_features})")
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        if X.strides[1] != X.itemsize:
            # The walk reads a row's features at random; rows may lie apart (a view of the
            # first columns of a wider band needs no copy), a row's features may not.
            X = np.ascontiguousarray(X)
        threshold = self.threshold32 if X.dtype == np.float32 else self.threshold
        out = np.empty(X.shape[0], np.float64)
        _kernels._predict_forest(X, self.roots, self.feature, threshold, self.children,
                                 self.default_left, self.missing_type, self.plain,
                                 self.leaf_value, self.scale, out)
        return out
