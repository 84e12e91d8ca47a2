"""Tabular pixel regressors: LightGBM gradient boosting or a random forest."""

import numbers
import sys

import lightgbm
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from tqdm import tqdm
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .forest import CompiledForest

__all__ = ["PixelRegressor"]

METHODS = ("lightgbm", "random_forest")


class PixelRegressor(RegressorMixin, BaseEstimator):
    """Predict a clean pixel value from a row of features.

    Both methods are LightGBM boosters, so both save as LightGBM's text format (no pickle)
    and predict on all cores: ``"lightgbm"`` is gradient boosting, ``"random_forest"`` is
    LightGBM's random-forest mode (trees grown on bootstrap-like row and column samples
    and averaged).

    Parameters
    ----------
    method : {"lightgbm", "random_forest"}
        Boosting or bagging.
    n_estimators : int
        Trees.
    learning_rate : float
        Shrinkage (boosting only).
    num_leaves : int
        Leaves per tree.
    min_samples_leaf : int
        Fewest training rows in a leaf.
    subsample : float
        Fraction of rows each tree sees.
    colsample : float
        Fraction of features each tree sees.
    n_jobs : int or None
        Threads LightGBM trains with; None uses every core. Prediction runs on numba's
        threads (see ``numba.set_num_threads``).
    random_state : int, RandomState or None
        Seeds every random choice; an int makes fits repeatable.
    params : dict or None
        Further LightGBM parameters, applied last.
    verbose : bool
        Show a progress bar over the trees while fitting.

    Attributes
    ----------
    booster_ : lightgbm.Booster
        The fitted trees; this is what is saved.
    forest_ : CompiledForest
        The same trees flattened for numba, which predicts with them several times faster
        than LightGBM does on these short rows, with identical results.
    n_features_in_ : int
        Features seen in `fit`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((500, 3)); y = X[:, 0] * 0.5
    >>> model = PixelRegressor(n_estimators=50, random_state=0).fit(X, y)
    >>> bool(np.abs(model.predict(X) - y).mean() < 0.02)
    True
    """

    def __init__(
        self,
        method="lightgbm",
        n_estimators=200,
        learning_rate=0.1,
        num_leaves=127,
        min_samples_leaf=50,
        subsample=0.8,
        colsample=0.8,
        n_jobs=None,
        random_state=None,
        params=None,
        verbose=False,
    ):
        self.method = method
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_samples_leaf = min_samples_leaf
        self.subsample = subsample
        self.colsample = colsample
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.params = params
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Grow the trees.

        Parameters
        ----------
        X : (n_samples, n_features) array_like
        y : (n_samples,) array_like
        sample_weight : (n_samples,) array_like, optional

        Returns
        -------
        self : PixelRegressor
        """
        X, y = validate_data(self, X, y, dtype=[np.float32, np.float64], y_numeric=True,
                             ensure_min_samples=2)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
            if not sample_weight.any():
                raise ValueError("sample_weight is zero everywhere: nothing to learn from")
        params = self._lightgbm_params()
        dataset = lightgbm.Dataset(
            X, label=y, weight=sample_weight, params={"verbose": -1}, free_raw_data=True
        )
        with tqdm(total=self.n_estimators, desc="trees", unit="tree", file=sys.stderr,
                  disable=not self.verbose, leave=False) as bar:
            booster = lightgbm.train(params, dataset, num_boost_round=self.n_estimators,
                                     callbacks=[lambda _: bar.update()])
        return self._set_booster(booster)

    def _set_booster(self, booster, model_text=None):
        """Install trained trees (from fit or a model file) and what is derived from them.

        A model file's loader passes the booster's `model_text` it built it from.
        """
        self.booster_ = booster
        self.forest_ = CompiledForest(booster, model_text)
        return self

    def predict(self, X):
        """Predicted values, one per row of `X`.

        Parameters
        ----------
        X : (n_samples, n_features) array_like

        Returns
        -------
        y : (n_samples,) ndarray of float64
        """
        check_is_fitted(self, "forest_")
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        return self.forest_.predict(X)

    def _threads(self):
        return 0 if self.n_jobs is None else int(self.n_jobs)

    def _lightgbm_params(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        for name in ("n_estimators", "num_leaves", "min_samples_leaf"):
            value = getattr(self, name)
            smallest = 2 if name == "num_leaves" else 1
            if not isinstance(value, numbers.Integral) or value < smallest:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        for name in ("subsample", "colsample"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value!r}")
        if self.params is not None and not isinstance(self.params, dict):
            raise TypeError(f"params must be a dict or None, got {type(self.params)!r}")
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        params = {
            "objective": "regression",
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_samples_leaf,
            "feature_fraction": self.colsample,
            "bagging_fraction": self.subsample,
            "bagging_freq": 1 if self.subsample < 1.0 else 0,
            "seed": seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self._threads(),
            "verbose": -1,
        }
        if self.method == "lightgbm":
            params["learning_rate"] = self.learning_rate
        else:
            # LightGBM's forest mode needs row sampling; without it every tree is the same.
            params.update(boosting="rf", bagging_freq=1,
                          bagging_fraction=min(self.subsample, 0.632))
        params.update(self.params or {})
        return params
