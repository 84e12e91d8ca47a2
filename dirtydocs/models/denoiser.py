"""Clean whole pages with a pixel regressor over per-pixel features."""

import numbers
import sys

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from tqdm import tqdm

from .._validation import check_page_pairs, check_pages
from ..features import FeatureExtractor
from ..metrics import rmse
from .pixel import PixelRegressor

__all__ = ["DocumentDenoiser", "fit_seeded", "mixed_sample_budget", "sample_band_rows"]


def predict_bands(features, regressors, page):
    """Each regressor's map of `page`, clipped to [0, 1], from one pass over its feature bands.

    Memory follows the band size, not the page's area: features are never held for the
    whole page.
    """
    maps = [np.empty(page.shape[:2], np.float32) for _ in regressors]
    n_cols = page.shape[1]
    for start, stop, band in features.iter_bands(page):
        for out, regressor in zip(maps, regressors):
            out.reshape(-1)[start * n_cols:stop * n_cols] = regressor.predict(band)
        del band  # else the loop's name holds it while the next band is made
    for out in maps:
        np.clip(out, 0.0, 1.0, out=out)
    return maps


def mixed_sample_budget(max_samples, real_pages, extra_pages):
    """A pixel budget that keeps the real pages' share when extra pages are mixed in.

    ``DocumentDenoiser(max_samples=...)`` shares its budget across all the pages it is
    given, so mixing synthetic pages into a fixed budget would take pixels away from the
    real ones. The budget returned samples the real pages at the rate `max_samples` alone
    would give them, and the extra pages at the same rate on top.

    Parameters
    ----------
    max_samples : int
        The budget for the real pages alone.
    real_pages, extra_pages : sequence of (M, N) array_like
        The real pages and the pages mixed in.

    Returns
    -------
    budget : int

    Examples
    --------
    >>> real = [np.zeros((10, 10))] * 4
    >>> mixed_sample_budget(200, real, [np.zeros((10, 10))] * 2)
    300
    >>> mixed_sample_budget(200, real, [])
    200
    """
    real_pixels = sum(np.size(page) for page in real_pages)
    extra_pixels = sum(np.size(page) for page in extra_pages)
    if real_pixels == 0:
        raise ValueError("real_pages holds no pixels")
    return int(round(max_samples * (real_pixels + extra_pixels) / real_pixels))


def sample_band_rows(features, inputs, clean_pages, max_samples, rng, verbose=False,
                     eligible=None):
    """Draw about `max_samples` training rows, the same share of every band of every page.

    Rows go straight into one preallocated matrix: collecting and concatenating would
    double the peak memory, which is the largest cost of training.

    Parameters
    ----------
    features : fitted FeatureExtractor or alike
        Gives ``band_bounds(n_rows)``, ``iter_bands(input)`` and ``n_features_out_``.
    inputs : sequence of (M, N) or (M, N, C) ndarray
        What `features` describes, page by page.
    clean_pages : sequence of (M, N) ndarray
        The targets.
    max_samples : int
    rng : numpy.random.RandomState
    verbose : bool
        Show a progress bar over the pages.
    eligible : sequence of (M, N) ndarray of bool, or None
        Per page, the pixels rows may be drawn from; None draws from all. The share is
        then that of the eligible pixels.

    Returns
    -------
    X : (n_rows, n_features_out_) ndarray of float32
    y : (n_rows,) ndarray of float32

    Examples
    --------
    >>> extractor = FeatureExtractor().fit()
    >>> pages = [np.full((6, 8), 0.9, np.float32)] * 2
    >>> X, y = sample_band_rows(extractor, pages, pages, 24, np.random.RandomState(0))
    >>> X.shape == (24, extractor.n_features_out_), bool(np.allclose(y, 0.9))
    (True, True)
    """
    if eligible is None:
        total = sum(page.shape[0] * page.shape[1] for page in inputs)
    else:
        total = sum(int(np.count_nonzero(mask)) for mask in eligible)
    fraction = min(1.0, max_samples / max(total, 1))
    picks = []  # per page, per band: the sampled pixel indices within the band
    for number, page in enumerate(inputs):
        page_picks = []
        for start, stop in features.band_bounds(page.shape[0]):
            if eligible is None:
                candidates = np.arange((stop - start) * page.shape[1])
            else:
                candidates = np.flatnonzero(eligible[number][start:stop])
            page_picks.append(candidates if fraction >= 1.0 else np.sort(rng.choice(
                candidates, size=int(round(fraction * len(candidates))), replace=False)))
        picks.append(page_picks)
    n_rows = sum(len(picked) for page_picks in picks for picked in page_picks)
    X = np.empty((n_rows, features.n_features_out_), np.float32)
    y = np.empty(n_rows, np.float32)
    row = 0
    pages = tqdm(zip(inputs, clean_pages, picks), total=len(picks), desc="features",
                 unit="page", file=sys.stderr, disable=not verbose, leave=False)
    for page, clean, page_picks in pages:
        clean_flat = clean.reshape(-1)
        n_cols = page.shape[1]
        band_picks = iter(page_picks)  # not zipped: zip's tuple would hold the last band
        for start, stop, band in features.iter_bands(page):
            picked = next(band_picks)
            X[row: row + len(picked)] = band[picked]
            y[row: row + len(picked)] = clean_flat[start * n_cols: stop * n_cols][picked]
            row += len(picked)
            del band  # else the loop's name holds it while the next band is made
    return X, y


def fit_seeded(regressor, X, y, rng, verbose=False):
    """Fit a clone of `regressor`, its `random_state` drawn from `rng` when it has one.

    Examples
    --------
    >>> X, y = np.random.default_rng(0).random((50, 3)), np.linspace(0, 1, 50)
    >>> fitted = fit_seeded(PixelRegressor(n_estimators=2), X, y, np.random.RandomState(0))
    >>> fitted.random_state is not None
    True
    """
    regressor = clone(regressor)
    if "random_state" in regressor.get_params():
        regressor.set_params(random_state=int(rng.randint(np.iinfo(np.int32).max)))
    if verbose and "verbose" in regressor.get_params():
        regressor.set_params(verbose=True)
    return regressor.fit(X, y)


class PageScoreMixin:
    """``score`` for page denoisers: how close their ``predict`` comes to the truth."""

    def score(self, noisy_pages, clean_pages):
        """Negative root-mean-square error over all pixels (higher is better).

        Returns
        -------
        score : float
        """
        cleaned = self.predict(noisy_pages)
        clean_pages, single = check_pages(clean_pages, name="clean_pages")
        return -rmse(clean_pages, [cleaned] if single else cleaned)


class DocumentDenoiser(PageScoreMixin, BaseEstimator):
    """Page in, clean page out: features per pixel, a regressor per pixel.

    Each page is cleaned on its own: nothing of one page is used to clean another.

    Parameters
    ----------
    features : FeatureExtractor or None
        How pixels are described; None uses ``FeatureExtractor()``. Cloned in `fit`.
    regressor : PixelRegressor or scikit-learn regressor or None
        What maps features to clean values; None uses ``PixelRegressor()``. Cloned in
        `fit`, with its `random_state` set from this estimator's when it has one.
    max_samples : int
        Training pixels drawn in all, shared evenly across pages (all pixels if fewer).
        To mix synthetic pages in without taking pixels from the real ones, raise it with
        :func:`mixed_sample_budget`.
    random_state : int, RandomState or None
        Seeds the pixel sampling and the regressor: the same seed gives the same model.
    verbose : bool
        Show progress bars while fitting (pages, then the regressor's own if it has one).

    Attributes
    ----------
    features_ : FeatureExtractor
        The fitted feature extractor.
    regressor_ : regressor
        The fitted pixel regressor.
    n_training_pixels_ : int
        Pixels the regressor was trained on.

    Examples
    --------
    >>> from dirtydocs.synth import make_pages
    >>> noisy, clean = make_pages(2, shape=(60, 80), random_state=0)
    >>> model = DocumentDenoiser(regressor=PixelRegressor(n_estimators=20),
    ...                          max_samples=5000, random_state=0).fit(noisy, clean)
    >>> model.predict(noisy[0]).shape
    (60, 80)
    """

    def __init__(self, features=None, regressor=None, max_samples=8_000_000, random_state=None,
                 verbose=False):
        self.features = features
        self.regressor = regressor
        self.max_samples = max_samples
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, noisy_pages, clean_pages):
        """Learn to turn the noisy pages into their clean partners.

        Parameters
        ----------
        noisy_pages, clean_pages : sequence of (M, N) array_like
            Pairs of the same shapes, in [0, 1].

        Returns
        -------
        self : DocumentDenoiser
        """
        noisy_pages, clean_pages = check_page_pairs(noisy_pages, clean_pages)
        if not isinstance(self.max_samples, numbers.Integral) or self.max_samples < 2:
            raise ValueError(f"max_samples must be an int >= 2, got {self.max_samples!r}")
        rng = check_random_state(self.random_state)
        self.features_ = clone(self.features if self.features is not None
                               else FeatureExtractor()).fit()
        X, y = sample_band_rows(self.features_, noisy_pages, clean_pages, self.max_samples, rng,
                                verbose=self.verbose)
        self.regressor_ = fit_seeded(self.regressor if self.regressor is not None
                                     else PixelRegressor(), X, y, rng, self.verbose)
        self.n_training_pixels_ = len(y)
        return self

    def predict(self, pages):
        """Clean one page or several, each on its own.

        Parameters
        ----------
        pages : (M, N) array_like or sequence of them
            Grey pages in [0, 1], any size.

        Returns
        -------
        cleaned : (M, N) ndarray of float32, or a list of them
            Same shapes as the input, clipped to [0, 1]; a bare page gives a bare page.
        """
        check_is_fitted(self, "regressor_")
        pages, single = check_pages(pages, name="pages")
        cleaned = [self._predict_page(page) for page in pages]
        return cleaned[0] if single else cleaned

    def _predict_page(self, page):
        return predict_bands(self.features_, [self.regressor_], page)[0]
