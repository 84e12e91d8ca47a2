"""Auto-context: a pixel denoiser that also reads other models' cleaned pages."""

import itertools
import numbers

import numpy as np
from scipy import ndimage as ndi
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._validation import check_page
from ..features import FeatureExtractor, band_windows
from ..features._util import check_window
from ..metrics import rmse
from .denoiser import fit_seeded, sample_band_rows
from .pixel import PixelRegressor

# Pixels whose rows a stage builds and walks at a time.
_PIXELS_AT_ONCE = 32768

__all__ = ["ContextDenoiser", "ContextFeatures", "ContextStage", "off_paper",
           "paper_pixels", "predict_context_bands", "predict_off_paper"]


def _check_stack(stack, name):
    """(M, N, C) with C >= 2: channel 0 a page in [0, 1], the others finite maps."""
    array = np.asarray(stack)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name}: expected a numeric image, got dtype {array.dtype}")
    if array.ndim != 3 or array.shape[2] < 2:
        raise ValueError(f"{name}: expected shape (M, N, C) with C >= 2 (the page, then "
                         f"at least one map), got {array.shape}")
    page = check_page(array[..., 0], name=f"{name}, channel 0 (the page)")
    maps = np.ascontiguousarray(array[..., 1:], dtype=np.float32)
    if not np.isfinite(maps).all():
        raise ValueError(f"{name}: the maps hold NaN or infinite values")
    return np.concatenate([page[..., None], maps], axis=-1)


def _check_stacks(inputs, name):
    single = isinstance(inputs, np.ndarray) and inputs.ndim == 3
    stacks = [inputs] if single else list(inputs)
    if not stacks:
        raise ValueError(f"{name}: no pages given")
    checked = [_check_stack(stack, f"{name}[{i}]") for i, stack in enumerate(stacks)]
    n_channels = {stack.shape[2] for stack in checked}
    if len(n_channels) > 1:
        raise ValueError(f"{name}: every page needs the same channels, got {sorted(n_channels)}")
    return checked, single


class ContextFeatures:
    """Rows of a context denoiser, band by band: a page's features, then its maps.

    For each pixel: the features of the page (channel 0 of an ``(M, N, C)`` stack), the
    ``window x window`` neighbourhood of the first map (channel 1), and the value of every
    further map at the pixel. Bands are those of `features`, which leaves room for the
    maps' columns; the map's windows read a halo around each band, so a band's rows equal
    the whole page's.

    Parameters
    ----------
    features : FeatureExtractor
        Fitted.
    window : int
        Odd side of the first map's neighbourhood.
    n_maps : int
        Maps after the page (``C - 1``).

    Examples
    --------
    >>> stack = np.full((12, 10, 3), 0.5, np.float32)
    >>> rows = ContextFeatures(FeatureExtractor().fit(), window=3, n_maps=2)
    >>> [band.shape[1] for _, _, band in rows.iter_bands(stack)] == [rows.n_features_out_]
    True
    """

    def __init__(self, features, window, n_maps):
        self.features = features
        self.window = window
        self.n_maps = n_maps
        self.n_features_out_ = features.n_features_out_ + window * window + n_maps - 1

    def band_bounds(self, n_rows):
        return self.features.band_bounds(n_rows)

    def iter_bands(self, stack):
        """Yield ``(first_row, stop_row, rows)`` like ``FeatureExtractor.iter_bands``."""
        if stack.shape[2] != self.n_maps + 1:
            raise ValueError(f"expected the page and {self.n_maps} map(s), "
                             f"got {stack.shape[2]} channels")
        maps = [np.ascontiguousarray(stack[..., channel]) for channel in range(1, stack.shape[2])]
        extra_columns = self.n_features_out_ - self.features.n_features_out_
        for start, stop, rows in self.features.iter_bands(stack[..., 0], extra_columns):
            self.fill_map_columns(rows, start, stop, maps)
            yield start, stop, rows
            del rows  # else the loop's name holds it while the next band is made

    def fill_map_columns(self, rows, start, stop, maps):
        """Write the maps' columns of band ``start:stop`` after its page features.

        Parameters
        ----------
        rows : ((stop - start) * N, n_features_out_) ndarray of float32
            The band's rows, page features already in the first columns.
        start, stop : int
        maps : sequence of (M, N) ndarray of float32
            The `n_maps` whole maps. The first one's windows read up to ``window // 2``
            rows beyond the band, which must be filled in already.
        """
        band_windows(maps[0], start, stop - start, size=self.window, out=rows,
                     first_column=self.features.n_features_out_)
        for column, values in zip(self.further_map_columns(), maps[1:]):
            rows[:, column] = values[start:stop].reshape(-1)

    def pixel_rows(self, band, start, stop, pixels, first_map, further_values):
        """The rows of some pixels of band ``start:stop``, as :meth:`fill_map_columns`
        makes them for all.

        A stage reads about half of a Kaggle page's pixels: filling the other half's
        window columns only to leave them unread cost memory and time.

        Parameters
        ----------
        band : (n, >= features.n_features_out_) ndarray of float32
            The band's page features, in its first columns.
        start, stop : int
        pixels : (k,) ndarray of int
            The pixels, numbered row by row from the band's first.
        first_map : (M, N) ndarray of float32
            Known ``window // 2`` rows beyond the band.
        further_values : sequence of (n,) ndarray of float32
            The other maps' values over the band.

        Returns
        -------
        (k, n_features_out_) ndarray of float32
        """
        n_features = self.features.n_features_out_
        out = np.empty((len(pixels), self.n_features_out_), np.float32)
        out[:, :n_features] = band[pixels, :n_features]
        band_windows(first_map, start, stop - start, size=self.window, out=out,
                     first_column=n_features, pixels=pixels)
        for column, values in zip(self.further_map_columns(), further_values):
            out[:, column] = values[pixels]
        return out

    def further_map_columns(self):
        """The columns of the maps after the first, one per map."""
        first = self.features.n_features_out_ + self.window ** 2
        return range(first, first + self.n_maps - 1)


def paper_pixels(first_map, start, stop, threshold, size):
    """Pixels of rows ``start:stop`` whose map is at least `threshold` all over the
    size x size square around them (edges mirrored, as a context window's are).

    Parameters
    ----------
    first_map : (M, N) ndarray of float32
        Known ``size // 2`` rows beyond the band.
    start, stop : int
    threshold : float
    size : int
        Odd.

    Returns
    -------
    paper : ((stop - start) * N,) ndarray of bool

    Examples
    --------
    >>> first_map = np.ones((4, 5), np.float32)
    >>> first_map[0, 0] = 0.5
    >>> paper_pixels(first_map, 1, 3, 0.98, 3).reshape(2, 5).astype(int)
    array([[0, 0, 1, 1, 1],
           [1, 1, 1, 1, 1]])
    """
    reach = size // 2
    low, high = max(0, start - reach), min(first_map.shape[0], stop + reach)
    # scipy's "reflect" mirrors with the edge repeated, as band_windows does.
    lowest = ndi.minimum_filter(first_map[low:high], size=size, mode="reflect")
    return (lowest[start - low:stop - low] >= threshold).reshape(-1)


def off_paper(first_map, threshold, size):
    """The pixels of a whole map that a paper rule leaves to the trees.

    Parameters
    ----------
    first_map : (M, N) ndarray of float32
    threshold : float
    size : int
        Odd.

    Returns
    -------
    (M, N) ndarray of bool
        False where `first_map` is at least `threshold` all over the ``size x size``
        square around the pixel (:func:`paper_pixels`), True elsewhere.

    Examples
    --------
    >>> first_map = np.ones((3, 4), np.float32)
    >>> first_map[0, 0] = 0.5
    >>> off_paper(first_map, 0.98, 3).astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 0, 0],
           [0, 0, 0, 0]])
    """
    return ~paper_pixels(first_map, 0, first_map.shape[0], threshold, size).reshape(
        first_map.shape)


def predict_off_paper(regressor, rows, walk):
    """The regressor's output on the `walk` rows, clipped to [0, 1], and 1 (paper) on the
    others, which it is not run on.

    Parameters
    ----------
    regressor : regressor
    rows : (n, n_features) ndarray of float32
    walk : (n,) ndarray of bool

    Returns
    -------
    (n,) ndarray of float32

    Examples
    --------
    >>> from sklearn.dummy import DummyRegressor
    >>> regressor = DummyRegressor(constant=1.5, strategy="constant").fit([[0]], [0])
    >>> predict_off_paper(regressor, np.zeros((3, 1)), np.array([True, False, True]))
    array([1., 1., 1.], dtype=float32)
    """
    values = np.ones(len(rows), np.float32)
    if walk.all():  # no copy of the rows
        values[:] = np.clip(regressor.predict(rows), 0.0, 1.0)
    elif walk.any():  # the regressors refuse empty input
        values[walk] = np.clip(regressor.predict(rows[walk]), 0.0, 1.0)
    return values


class ContextStage:
    """One auto-context stage as the band-by-band cleaning runs it.

    Parameters
    ----------
    rows : ContextFeatures
    regressor : regressor
        Reads all of `rows`' columns.
    paper_threshold : float or None
        Rows whose first map is at least this all over the central `paper_window` square
        of their window are set to 1 (white paper) without running `regressor` on them,
        nor the regressors of missing map values. None runs them on every row.
    paper_window : int
        Odd, at most ``rows.window``.
    """

    def __init__(self, rows, regressor, paper_threshold=None, paper_window=5):
        self.rows = rows
        self.regressor = regressor
        self.paper_threshold = paper_threshold
        self.paper_window = paper_window

    def clean_band(self, band, start, stop, first_map, further_maps, further_regressors=()):
        """The stage's cleaning of page rows ``start:stop``, whose page features are in `band`.

        Parameters
        ----------
        band : (n, >= rows.features.n_features_out_) ndarray of float32
            The page features, in the first columns.
        start, stop : int
        first_map : (M, N) ndarray of float32
            Known ``rows.window // 2`` rows beyond the band.
        further_maps : sequence of (M, N) ndarray of float32
            Read at the pixel. Values still NaN on rows the stage reads are made by the
            matching one of `further_regressors` from the page features, and stored.
        further_regressors : sequence of regressors or None

        Returns
        -------
        cleaned : (n,) ndarray of float32
            Clipped to [0, 1].
        """
        n_features = self.rows.features.n_features_out_
        n_cols = first_map.shape[1]
        if self.paper_threshold is None:
            read = np.ones(len(band), bool)
        else:
            read = ~paper_pixels(first_map, start, stop, self.paper_threshold,
                                 self.paper_window)
        further_values = []
        for values, regressor in itertools.zip_longest(further_maps,
                                                       further_regressors or ()):
            values = values.reshape(-1)[start * n_cols:stop * n_cols]
            missing = read & np.isnan(values)
            if regressor is not None and missing.any():
                values[missing] = np.clip(regressor.predict(band[missing, :n_features]),
                                          0.0, 1.0)
            further_values.append(values)
        cleaned = np.ones(len(band), np.float32)
        pixels = np.flatnonzero(read)
        for first in range(0, len(pixels), _PIXELS_AT_ONCE):
            some = pixels[first:first + _PIXELS_AT_ONCE]
            rows = self.rows.pixel_rows(band, start, stop, some, first_map, further_values)
            cleaned[some] = np.clip(self.regressor.predict(rows), 0.0, 1.0)
        return cleaned


def predict_context_bands(level0_regressors, stages, page, gate=None):
    """Level-0 maps of a page and its cleaning by auto-context stages, in one feature pass.

    A stack whose level-0 models and :class:`ContextDenoiser` stages share their features
    would otherwise compute them once per level. Each band's page features go to the
    level-0 regressors first; a stage cleans a row once its first map (level 0's first
    for the first stage, the previous stage's output for the next) is known ``window //
    2`` rows beyond it, so the stages trail the level-0 maps by a few rows and at most
    two bands are held at a time (more if bands are narrower than the stages' reach).
    Memory follows the band size. Without paper rules the
    output equals predicting level 0 with :func:`~dirtydocs.models.denoiser.predict_bands`
    and then each stage on the stacked maps.

    The first stage reads the first level-0 map's window and the other level-0 maps at the
    pixel; each later stage the previous stage's window and every level-0 map at the pixel.

    Parameters
    ----------
    level0_regressors : sequence of regressors
        Read the first ``n_features_out_`` columns of the stages' features.
    stages : sequence of ContextStage
        Their rows share one FeatureExtractor.
    page : (M, N) ndarray of float32
        A checked page.
    gate : (int, float, int) or None
        ``(k, threshold, size)``: a paper rule for the first level-0 map. Map `k` (not the
        first) is made on every pixel, and where it is at least `threshold` all over the
        ``size x size`` square around a pixel, the first map is set to 1 there without
        running its regressor. None runs it on every pixel.

    Returns
    -------
    maps : list of (M, N) ndarray of float32
        The level-0 maps, clipped to [0, 1]. When a stage has a paper rule, the maps after
        the first are made only where a stage reads them, and NaN elsewhere (the gating
        map excepted).
    cleaned : (M, N) ndarray of float32
        The last stage's output, clipped to [0, 1].

    Examples
    --------
    >>> from dirtydocs.synth import make_pages
    >>> noisy, clean = make_pages(2, shape=(40, 48), random_state=0)
    >>> features = FeatureExtractor().fit()
    >>> X, y = features.transform(noisy[0]), clean[0].ravel()
    >>> level0 = PixelRegressor(n_estimators=5).fit(X, y)
    >>> rows = ContextFeatures(features, window=3, n_maps=1)
    >>> X1 = np.vstack([band for _, _, band in rows.iter_bands(np.stack(
    ...     [noisy[0], level0.predict(X).reshape(40, 48).clip(0, 1)], axis=-1))])
    >>> level1 = PixelRegressor(n_estimators=5).fit(X1, y)
    >>> maps, cleaned = predict_context_bands([level0], [ContextStage(rows, level1)], noisy[0])
    >>> cleaned.shape, len(maps)
    ((40, 48), 1)
    """
    n_level0 = len(level0_regressors)
    for number, stage in enumerate(stages):
        expected = n_level0 if number == 0 else n_level0 + 1
        if stage.rows.n_maps != expected:
            raise ValueError(f"stage {number + 1} reads {stage.rows.n_maps} map(s), "
                             f"expected {expected}")
    if gate is not None and not 0 < gate[0] < n_level0:
        raise ValueError(f"the gating map must be one of level-0 maps 2 to {n_level0}, "
                         f"got map {gate[0] + 1}")
    features = stages[0].rows.features
    n_rows, n_cols = page.shape
    n_features = features.n_features_out_
    lazy = any(stage.paper_threshold is not None for stage in stages)
    eager = [0] if lazy else list(range(n_level0))
    if gate is not None:  # the gating map first; the first map follows the gate
        eager = [gate[0]] + [k for k in eager if k not in (0, gate[0])]
    maps = [np.full(page.shape, np.nan, np.float32) for _ in level0_regressors]
    outputs = [np.empty(page.shape, np.float32) for _ in stages]
    known = 0  # rows of the level-0 maps made so far
    done = [0] * len(stages)  # rows each stage has cleaned so far
    bands = []  # (start, stop, band) whose rows some stage has yet to clean

    def band_pieces(first, last):
        """``(low, high, rows)`` for rows first:last, a piece of each held band they fall in."""
        for start, stop, band in bands:
            low, high = max(first, start), min(last, stop)
            if low < high:
                yield low, high, band[(low - start) * n_cols:(high - start) * n_cols]

    def rows_from(entry, first):
        """A held band's rows from `first` on, copied when that is not all of them."""
        start, stop, band = entry
        if first <= start:
            return entry
        return first, stop, band[(first - start) * n_cols:].copy()

    def clean_rows(number, first, last):
        """Stage `number` cleans rows first:last."""
        stage = stages[number]
        first_map, further = ((maps[0], maps[1:]) if number == 0
                              else (outputs[number - 1], maps))
        regressors = level0_regressors[1:] if number == 0 else [None, *level0_regressors[1:]]
        for low, high, piece in band_pieces(first, last):
            outputs[number][low:high] = stage.clean_band(
                piece, low, high, first_map, further, regressors).reshape(high - low, -1)

    def gated_first_map(first, last):
        """Rows first:last of the first map: 1 on the gate's paper, its regressor elsewhere."""
        k, threshold, size = gate
        walk = ~paper_pixels(maps[k], first, last, threshold, size)
        for low, high, piece in band_pieces(first, last):
            chosen = walk[(low - first) * n_cols:(high - first) * n_cols]
            maps[0][low:high] = predict_off_paper(
                level0_regressors[0], piece[:, :n_features], chosen).reshape(high - low, n_cols)

    for start, stop, band in features.iter_bands(page):
        bands.append((start, stop, band))
        for k in eager:
            out = maps[k][start:stop].reshape(-1)
            out[:] = level0_regressors[k].predict(band[:, :n_features])
            np.clip(out, 0.0, 1.0, out=out)
        if gate is None:
            known = stop
        else:  # the gate of a row needs the gating map size // 2 rows beyond it
            ready = n_rows if stop == n_rows else max(known, stop - gate[2] // 2)
            gated_first_map(known, ready)
            known = ready
        # Each stage cleans every row whose window its first map now covers. Going row by
        # row rather than band by band, the last stage trails the level-0 maps by a few
        # rows, so a band is let go as soon as the next one is made.
        for number, stage in enumerate(stages):
            reach = stage.rows.window // 2
            covered = known if number == 0 else done[number - 1]
            ready = n_rows if covered == n_rows else max(done[number], covered - reach)
            clean_rows(number, done[number], ready)
            done[number] = ready
        # Hold on to copies of the few rows the last stage has yet to clean, not to whole
        # bands: on a wide page a band's features take hundreds of MB, and holding one
        # while the next is made doubled the peak memory.
        bands = [rows_from(entry, done[-1]) for entry in bands if entry[1] > done[-1]]
        del band  # else the loop's name holds it while the next band is made
    return maps, outputs[-1]


class ContextDenoiser(BaseEstimator):
    """A pixel denoiser over a page's features and other models' cleaned pages.

    The "auto-context" level of a stack: each pixel is described by the usual features of
    the noisy page plus the neighbourhood of a first model's cleaned page and the values
    of further models' pages, so the trees can learn where those models go wrong (next to
    strokes, on a stain's edge) and how far to trust each. The maps of the training pages
    must be like the maps it will be given: :class:`~dirtydocs.models.StackedDenoiser`
    gives it, by default, the maps its level-0 models make of their own training pages,
    which carried to new stains better than maps made out of fold (``docs/stack.md``).

    Parameters
    ----------
    features : FeatureExtractor or None
        Features of the page; None uses ``FeatureExtractor()``.
    regressor : PixelRegressor or None
        None uses ``PixelRegressor(n_estimators=200, learning_rate=0.2,
        min_samples_leaf=500)``: a stage learns from millions of pixels, and leaves of at
        least 500 of them scored 1.3% better in cross-group CV than 50 (``docs/stack.md``).
    window : int
        Odd side of the first map's neighbourhood.
    max_samples : int
        Training pixels drawn in all, the same share of every page's pixels that the
        paper rule leaves to the trees.
    paper_threshold : float in (0, 1] or None
        When cleaning, a pixel whose first map is at least this all over the central
        ``paper_window x paper_window`` square of its window is taken for white paper
        and set to 1 without running the trees (nor, in a stack, the level-0 models
        after the first). None runs the trees on every pixel. On the Kaggle pages'
        cross-group folds the default skips 49% of the pixels and changes the RMSE by
        less than 0.01% (``docs/stack.md``). The trees learn only from the pixels the
        rule leaves them, the ones they will be asked about: over the cross-group folds
        that took 0.5% off the bundled recipe's RMSE (``docs/stack.md``, "The sixth
        build").
    paper_window : int
        Odd; a square larger than the window is the whole window.
    random_state : int, RandomState or None
    verbose : bool

    Attributes
    ----------
    features_ : FeatureExtractor
    regressor_ : PixelRegressor
    n_maps_ : int
        Maps each page came with.
    n_training_pixels_ : int

    Examples
    --------
    >>> from dirtydocs.synth import make_pages
    >>> noisy, clean = make_pages(2, shape=(40, 48), random_state=0)
    >>> guesses = [np.clip(page * 1.1, 0, 1) for page in noisy]  # another model's output
    >>> stacks = [np.stack([page, guess], axis=-1) for page, guess in zip(noisy, guesses)]
    >>> model = ContextDenoiser(regressor=PixelRegressor(n_estimators=10), window=3,
    ...                         max_samples=2000, random_state=0).fit(stacks, clean)
    >>> model.predict(stacks[0]).shape
    (40, 48)
    """

    def __init__(self, features=None, regressor=None, window=7, max_samples=12_000_000,
                 paper_threshold=0.98, paper_window=5, random_state=None, verbose=False):
        self.features = features
        self.regressor = regressor
        self.window = window
        self.max_samples = max_samples
        self.paper_threshold = paper_threshold
        self.paper_window = paper_window
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, inputs, targets, groups=None):
        """Learn the clean pages from the stacks of page and maps.

        Parameters
        ----------
        inputs : sequence of (M, N, C) array_like
            Per page: the noisy page, then ``C - 1 >= 1`` maps (the first is the one whose
            neighbourhood is read).
        targets : sequence of (M, N) array_like
            The clean pages.
        groups : ignored
            Accepted so that a stack can fit any of its level-1 models alike.

        Returns
        -------
        self : ContextDenoiser
        """
        window = check_window(self.window, name="window")
        if not isinstance(self.max_samples, numbers.Integral) or self.max_samples < 2:
            raise ValueError(f"max_samples must be an int >= 2, got {self.max_samples!r}")
        self.paper_rule()
        stacks, _ = _check_stacks(inputs, "inputs")
        targets = [check_page(t, name=f"targets[{i}]") for i, t in enumerate(targets)]
        if len(targets) != len(stacks):
            raise ValueError(f"got {len(stacks)} inputs but {len(targets)} targets")
        for i, (stack, target) in enumerate(zip(stacks, targets)):
            if stack.shape[:2] != target.shape:
                raise ValueError(f"inputs[{i}] has pages of shape {stack.shape[:2]} but "
                                 f"targets[{i}] has shape {target.shape}")
        rng = check_random_state(self.random_state)
        self.features_ = clone(self.features if self.features is not None
                               else FeatureExtractor()).fit()
        self.n_maps_ = stacks[0].shape[2] - 1
        rows = ContextFeatures(self.features_, window, self.n_maps_)
        X, y = sample_band_rows(rows, stacks, targets, self.max_samples, rng,
                                verbose=self.verbose, eligible=self._pixels_to_learn(stacks))
        if len(y) == 0:
            raise ValueError("inputs: the paper rule takes every pixel of the training pages "
                             "for paper, so none is left to learn from; pass "
                             "paper_threshold=None or pages with ink")
        self.regressor_ = fit_seeded(
            self.regressor if self.regressor is not None
            else PixelRegressor(n_estimators=200, learning_rate=0.2, min_samples_leaf=500),
            X, y, rng, self.verbose)
        self.n_training_pixels_ = len(y)
        return self

    def _pixels_to_learn(self, stacks):
        """Per page, the pixels the paper rule leaves to the trees, or None for all."""
        threshold, size = self.paper_rule()
        if threshold is None:
            return None
        return [off_paper(stack[..., 1], threshold, size) for stack in stacks]

    def predict(self, inputs):
        """Clean pages, each from its own stack of page and maps.

        Parameters
        ----------
        inputs : (M, N, C) array_like or sequence of them

        Returns
        -------
        cleaned : (M, N) ndarray of float32, or a list of them
            Clipped to [0, 1].
        """
        check_is_fitted(self, "regressor_")
        stacks, single = _check_stacks(inputs, "inputs")
        if stacks[0].shape[2] != self.n_maps_ + 1:
            raise ValueError(f"inputs: the model was fitted on the page and {self.n_maps_} "
                             f"map(s), got {stacks[0].shape[2] - 1}")
        stage = self.stage()
        cleaned = []
        for stack in stacks:
            page = np.empty(stack.shape[:2], np.float32)
            maps = [np.ascontiguousarray(stack[..., c]) for c in range(1, stack.shape[2])]
            for start, stop, band in stage.rows.features.iter_bands(stack[..., 0]):
                page[start:stop] = stage.clean_band(band, start, stop, maps[0],
                                                    maps[1:]).reshape(stop - start, -1)
                del band  # else the loop's name holds it while the next band is made
            cleaned.append(page)
        return cleaned[0] if single else cleaned

    def stage(self):
        """This fitted model as a :class:`ContextStage` of a band-by-band cleaning."""
        check_is_fitted(self, "regressor_")
        threshold, size = self.paper_rule()
        return ContextStage(ContextFeatures(self.features_, self.window, self.n_maps_),
                            self.regressor_, threshold, size)

    def paper_rule(self):
        """``(paper_threshold, paper_window)``, checked.

        Returns
        -------
        threshold : float or None
        size : int
            At most `window`.
        """
        threshold = self.paper_threshold
        if threshold is not None and (isinstance(threshold, bool)
                                      or not isinstance(threshold, numbers.Real)
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError(f"paper_threshold must be None or a number in (0, 1], "
                             f"got {threshold!r}")
        size = min(check_window(self.paper_window, name="paper_window"), self.window)
        return (None if threshold is None else float(threshold)), size

    def score(self, inputs, targets):
        """Negative RMSE over all pixels (higher is better)."""
        cleaned = self.predict(inputs)
        cleaned = [cleaned] if isinstance(cleaned, np.ndarray) else cleaned
        targets = [targets] if isinstance(targets, np.ndarray) and targets.ndim == 2 else targets
        return -rmse([check_page(t, name="targets") for t in targets], cleaned)
