"""Turn pages into per-pixel feature matrices, band by band."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import check_page, check_pages
from ._util import band_contexts
from .background import background_ratio, local_paper, local_paper_reach, median_background
from .edges import canny_edges
from .local import band_windows, local_stats
from .morphology import local_closing
from .threshold import niblack_threshold, sauvola_threshold

__all__ = ["FeatureExtractor"]

# Canny's smoothing and hysteresis reach a few sigma; this many extra halo rows keep a
# band's edges the same as the whole page's in practice.
_CANNY_HALO = 8


class FeatureExtractor(TransformerMixin, BaseEstimator):
    """Per-pixel features of a page, for pixel regressors.

    For every pixel: the raw value; median backgrounds at several sizes with the page minus
    and divided by each; the page divided by its background ("normalised page") minus its
    Sauvola and Niblack thresholds; the page divided by the paper right around it (the mean
    of nearby paper pixels, :func:`~dirtydocs.features.local_paper`), that paper relative to
    the background, and how much paper it saw; Canny edges and their dilation;
    min/max/mean/std of the normalised page over small windows; its grey closings and their
    black top-hats (:func:`~dirtydocs.features.local_closing`), which tell strokes
    from wider blots; and the normalised page's ``window_size**2`` neighbourhood.

    Pages are processed in bands of `band_rows` rows plus a halo as wide as the largest
    filter reaches, so memory grows with the page width, not its area.

    Parameters
    ----------
    median_sizes : tuple of int
        Odd windows of the median backgrounds.
    normalise_size : int
        Which median background normalises the page for the local features; must be one
        of `median_sizes`.
    sauvola_windows : tuple of int
        Odd windows of Sauvola thresholds on the normalised page.
    sauvola_k : float
        Sauvola's k.
    niblack_windows : tuple of int
        Odd windows of Niblack thresholds on the normalised page.
    niblack_k : float
        Niblack's k.
    stats_sizes : tuple of int
        Odd windows of the local min/max/mean/std.
    closing_sizes : tuple of int
        Odd squares of the grey closings (empty for none, the layout of model files before
        format 6).
    window_size : int
        Odd side of the raw neighbourhood (0 for none).
    canny_sigma : float
        Smoothing of the Canny detector.
    paper_sigmas : tuple of float
        Reaches of the local paper means (empty for none, the layout of format-1 model
        files).
    paper_ratio : float
        Pixels at least this share of the background count as paper for those means.
    band_rows : int
        Rows per band.

    Attributes
    ----------
    n_features_out_ : int
        Columns of the feature matrix.
    feature_names_out_ : ndarray of str
        Their names, as :meth:`get_feature_names_out` returns them.

    Examples
    --------
    >>> import numpy as np
    >>> page = np.random.default_rng(0).random((24, 30)).astype(np.float32)
    >>> extractor = FeatureExtractor().fit(page)
    >>> extractor.transform(page).shape == (24 * 30, extractor.n_features_out_)
    True
    """

    def __init__(
        self,
        median_sizes=(15, 31, 61),
        normalise_size=31,
        sauvola_windows=(15, 31),
        sauvola_k=0.2,
        niblack_windows=(15,),
        niblack_k=0.2,
        stats_sizes=(3, 7),
        closing_sizes=(5, 9, 15),
        window_size=5,
        canny_sigma=1.0,
        paper_sigmas=(1.0, 2.0, 4.0),
        paper_ratio=0.9,
        band_rows=512,
    ):
        self.median_sizes = median_sizes
        self.normalise_size = normalise_size
        self.sauvola_windows = sauvola_windows
        self.sauvola_k = sauvola_k
        self.niblack_windows = niblack_windows
        self.niblack_k = niblack_k
        self.stats_sizes = stats_sizes
        self.closing_sizes = closing_sizes
        self.window_size = window_size
        self.canny_sigma = canny_sigma
        self.paper_sigmas = paper_sigmas
        self.paper_ratio = paper_ratio
        self.band_rows = band_rows

    # -- scikit-learn API -------------------------------------------------------------

    def fit(self, X=None, y=None):
        """Check the parameters and fix the feature layout; pages are not looked at.

        Returns
        -------
        self : FeatureExtractor
        """
        self._check_params()
        self.feature_names_out_ = np.asarray(self._names(), dtype=object)
        self.n_features_out_ = len(self.feature_names_out_)
        return self

    def transform(self, X):
        """Feature matrix of one page, or of several pages stacked in order.

        Parameters
        ----------
        X : (M, N) array_like or sequence of them
            Grey pages in [0, 1].

        Returns
        -------
        features : (n_pixels, n_features_out_) ndarray of float32
            Pixels in raster order, page after page.
        """
        check_is_fitted(self, "n_features_out_")
        pages, _ = check_pages(X, name="X")
        total = sum(page.size for page in pages)
        out = np.empty((total, self.n_features_out_), np.float32)
        row = 0
        for page in pages:
            for start, stop, band in self.iter_bands(page):
                out[row + start * page.shape[1]: row + stop * page.shape[1]] = band
                del band  # else the loop's name holds it while the next band is made
            row += page.size
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the feature columns.

        Examples
        --------
        >>> list(FeatureExtractor(median_sizes=(15,), normalise_size=15, sauvola_windows=(),
        ...      niblack_windows=(), stats_sizes=(), window_size=0, paper_sigmas=(2,),
        ...      closing_sizes=(9,)).fit().get_feature_names_out())
        ... # doctest: +NORMALIZE_WHITESPACE
        ['raw', 'background15', 'raw_minus_background15', 'ratio15', 'ratio_to_paper2',
         'paper2_over_background', 'paper_coverage2', 'canny', 'canny_dilated', 'closing9',
         'black_tophat9']
        """
        check_is_fitted(self, "n_features_out_")
        return self.feature_names_out_.copy()

    # -- bands --------------------------------------------------------------------------

    @property
    def halo_rows(self):
        """Rows of context a band needs beyond its own to match the whole page."""
        median_reach = max(self.median_sizes) // 2
        threshold_reach = max((*self.sauvola_windows, *self.niblack_windows, 1)) // 2
        local_reach = max((*self.stats_sizes, *self.closing_sizes, self.window_size or 1,
                           1)) // 2
        # Local features read the normalised page, which itself reads a median window.
        paper_reach = max((local_paper_reach(s) for s in self.paper_sigmas), default=0)
        normalised_reach = self.normalise_size // 2 + max(threshold_reach, local_reach,
                                                          paper_reach)
        return max(median_reach, normalised_reach, _CANNY_HALO)

    def band_bounds(self, n_rows):
        """Yield ``(first_row, stop_row)`` of each band of a page with `n_rows` rows.

        Examples
        --------
        >>> list(FeatureExtractor(band_rows=4).band_bounds(10))
        [(0, 4), (4, 8), (8, 10)]
        """
        for start in range(0, n_rows, self.band_rows):
            yield start, min(start + self.band_rows, n_rows)

    def iter_bands(self, page, extra_columns=0):
        """Yield ``(first_row, stop_row, features)`` for consecutive bands of a page.

        `features` has ``(stop_row - first_row) * N`` rows; concatenated, the bands are
        ``transform(page)``. With `extra_columns`, each band has that many more columns,
        left unset, for the caller to fill (cheaper than stacking columns on afterwards).
        """
        check_is_fitted(self, "n_features_out_")
        page = check_page(page)
        for start, stop, context, offset in band_contexts(page, self.band_rows,
                                                          self.halo_rows):
            yield start, stop, self._band_features(context, offset, stop - start,
                                                   extra_columns)

    # -- internals ------------------------------------------------------------------------

    def _check_params(self):
        for name in ("median_sizes", "sauvola_windows", "niblack_windows", "stats_sizes",
                     "closing_sizes"):
            sizes = getattr(self, name)
            if not isinstance(sizes, (tuple, list)) or not all(
                isinstance(s, numbers.Integral) and s >= 1 and s % 2 == 1 for s in sizes
            ):
                raise ValueError(f"{name} must be a tuple of odd positive ints, got {sizes!r}")
        if not self.median_sizes:
            raise ValueError("median_sizes must name at least one window")
        if self.normalise_size not in self.median_sizes:
            raise ValueError(
                f"normalise_size={self.normalise_size!r} must be one of "
                f"median_sizes={self.median_sizes!r}"
            )
        if not (isinstance(self.window_size, numbers.Integral) and self.window_size >= 0
                and (self.window_size == 0 or self.window_size % 2 == 1)):
            raise ValueError(f"window_size must be 0 or an odd positive int, got "
                             f"{self.window_size!r}")
        if not isinstance(self.paper_sigmas, (tuple, list)) or not all(
            isinstance(s, numbers.Real) and not isinstance(s, bool) and s > 0
            for s in self.paper_sigmas
        ):
            raise ValueError(f"paper_sigmas must be a tuple of positive numbers, got "
                             f"{self.paper_sigmas!r}")
        if not (isinstance(self.paper_ratio, numbers.Real) and 0 < self.paper_ratio <= 1):
            raise ValueError(f"paper_ratio must be in (0, 1], got {self.paper_ratio!r}")
        if not (isinstance(self.band_rows, numbers.Integral) and self.band_rows >= 1):
            raise ValueError(f"band_rows must be a positive int, got {self.band_rows!r}")

    def _names(self):
        names = ["raw"]
        for size in self.median_sizes:
            names += [f"background{size}", f"raw_minus_background{size}", f"ratio{size}"]
        names += [f"ratio_minus_sauvola{w}" for w in self.sauvola_windows]
        names += [f"ratio_minus_niblack{w}" for w in self.niblack_windows]
        for sigma in self.paper_sigmas:
            names += [f"ratio_to_paper{sigma:g}", f"paper{sigma:g}_over_background",
                      f"paper_coverage{sigma:g}"]
        names += ["canny", "canny_dilated"]
        for size in self.stats_sizes:
            names += [f"{stat}{size}" for stat in ("min", "max", "mean", "std")]
        for size in self.closing_sizes:
            names += [f"closing{size}", f"black_tophat{size}"]
        radius = self.window_size // 2
        names += [
            f"window_{dy:+d}_{dx:+d}"
            for dy in range(-radius, radius + 1)
            for dx in range(-radius, radius + 1)
        ] if self.window_size else []
        return names

    def _band_features(self, context, offset, n_rows, extra_columns=0):
        """Features of rows ``offset : offset + n_rows`` of `context`, a page slice, with
        `extra_columns` columns left unset after them."""
        keep = slice(offset, offset + n_rows)
        maps = [context]
        normalised = None
        for size in self.median_sizes:
            background = median_background(context, size=size)
            ratio = background_ratio(context, background)
            maps += [background, context - background, ratio]
            if size == self.normalise_size:
                normalised, normalising_background = np.minimum(ratio, 1.0), background
        maps += [normalised - sauvola_threshold(normalised, window=w, k=self.sauvola_k)
                 for w in self.sauvola_windows]
        maps += [normalised - niblack_threshold(normalised, window=w, k=self.niblack_k)
                 for w in self.niblack_windows]
        for sigma in self.paper_sigmas:
            paper, coverage = local_paper(context, normalising_background, sigma=sigma,
                                          paper_ratio=self.paper_ratio)
            maps += [background_ratio(context, paper),
                     background_ratio(paper, normalising_background), coverage]
        maps += canny_edges(context, sigma=self.canny_sigma)
        for size in self.stats_sizes:
            maps += local_stats(normalised, size=size)
        for size in self.closing_sizes:
            maps += local_closing(normalised, size=size)
        n_cols = context.shape[1]
        out = np.empty((n_rows * n_cols, self.n_features_out_ + extra_columns), np.float32)
        for column, feature_map in enumerate(maps):
            out[:, column] = feature_map[keep].ravel()
        if self.window_size:
            band_windows(normalised, offset, n_rows, size=self.window_size, out=out,
                         first_column=len(maps))
        return out
