"""Fast prediction for LightGBM tree ensembles.

LightGBM's own predictor spends most of its time on per-row overhead when rows are short
and trees shallow, as they are here (measured: ~6 ns per node visited, 0.5 s for one Kaggle
page on 2 cores). The trees are copied from ``Booster.dump_model()`` into flat arrays and
walked by one numba loop over rows; the booster stays the saved, authoritative model.
"""

import numpy as np

from . import _forest_kernels as _kernels

__all__ = ["CompiledForest"]

_MISSING = {"None": _kernels.MISSING_NONE, "Zero": _kernels.MISSING_ZERO,
            "NaN": _kernels.MISSING_NAN}


class CompiledForest:
    """A LightGBM regression ensemble flattened for numba.

    Parameters
    ----------
    booster : lightgbm.Booster
        A trained regression booster with numerical splits only.

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

    def __init__(self, booster):
        model = booster.dump_model()
        if model.get("num_class", 1) != 1:
            raise ValueError("only single-output boosters can be compiled")
        objective = str(model.get("objective", "regression")).split()[0]
        if objective not in ("regression", "regression_l2", "l2", "mean_squared_error",
                             "mse", "regression_l1", "l1", "huber", "fair", "quantile"):
            raise ValueError(f"objective {objective!r} transforms its output; not supported")
        self.n_features = int(model["max_feature_idx"]) + 1
        nodes = {name: [] for name in ("feature", "threshold", "left", "right",
                                       "default_left", "missing_type")}
        leaves, roots = [], []

        def add(node):
            if "leaf_value" in node or "split_feature" not in node:
                leaves.append(float(node.get("leaf_value", 0.0)))
                return ~(len(leaves) - 1)
            if node.get("decision_type", "<=") != "<=":
                raise ValueError("categorical splits are not supported")
            index = len(nodes["feature"])
            nodes["feature"].append(int(node["split_feature"]))
            nodes["threshold"].append(float(node["threshold"]))
            nodes["default_left"].append(bool(node.get("default_left", True)))
            nodes["missing_type"].append(_MISSING[node.get("missing_type", "None")])
            nodes["left"].append(0)
            nodes["right"].append(0)
            nodes["left"][index] = add(node["left_child"])
            nodes["right"][index] = add(node["right_child"])
            return index

        for tree in model["tree_info"]:
            roots.append(add(tree["tree_structure"]))
        self.roots = np.asarray(roots, np.int32)
        self.feature = np.asarray(nodes["feature"], np.int32)
        self.threshold = np.asarray(nodes["threshold"], np.float64)
        self.left = np.asarray(nodes["left"], np.int32)
        self.right = np.asarray(nodes["right"], np.int32)
        self.default_left = np.asarray(nodes["default_left"], np.bool_)
        self.missing_type = np.asarray(nodes["missing_type"], np.int8)
        self.leaf_value = np.asarray(leaves, np.float64)
        # Random-forest mode averages its trees instead of adding them.
        self.scale = 1.0 / len(roots) if model.get("average_output") and roots else 1.0

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
        X = np.ascontiguousarray(X)
        out = np.empty(X.shape[0], np.float64)
        _kernels._predict_forest(X, self.roots, self.feature, self.threshold, self.left,
                                 self.right, self.default_left, self.missing_type,
                                 self.leaf_value, self.scale, out)
        return out
