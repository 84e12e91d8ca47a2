"""Stacking: pixel regressors out of fold, then a level-1 model that reads their output."""

import numbers
import sys

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._validation import check_page_pairs, check_pages
from ..features import background_ratio, median_background, sauvola_threshold
from ..metrics import rmse
from ..nn import SmallCNN
from .context import ContextDenoiser, off_paper, predict_context_bands
from .denoiser import DocumentDenoiser, PageScoreMixin, mixed_sample_budget, predict_bands
from .pixel import PixelRegressor
from .selection import CrossGroupKFold, infer_page_groups

__all__ = ["StackedDenoiser", "FEATURE_MAPS", "level1_input", "out_of_fold_maps",
           "stack_channels"]


def _minus_sauvola(page):
    return page - sauvola_threshold(page, window=31)


def _normalised(page):
    return background_ratio(page, median_background(page, size=31))


#: Whole-page maps the CNN can take beside the level-0 outputs and the page itself.
FEATURE_MAPS = {
    "minus_sauvola": _minus_sauvola,  # > 0 on paper, < 0 on ink
    "normalised": _normalised,  # the page divided by its 31x31 median background
}


def default_level0(real_pages=None, extra_pages=()):
    """LightGBM boosting and LightGBM's random forest over the standard features.

    Parameters
    ----------
    real_pages, extra_pages : sequence of (M, N) array_like, optional
        When pages are mixed into the real ones (synthetic or restained pairs), each
        model's pixel budget grows so that the real pages keep the share they would have
        alone (:func:`mixed_sample_budget`).

    Returns
    -------
    level0 : list of (str, DocumentDenoiser)

    Examples
    --------
    >>> page = np.zeros((10, 20))
    >>> [model.max_samples for _, model in default_level0([page] * 2, [page])]
    [9000000, 1500000]
    """
    level0 = [
        ("lightgbm", DocumentDenoiser(
            regressor=PixelRegressor(n_estimators=100, learning_rate=0.2),
            max_samples=6_000_000)),
        ("random_forest", DocumentDenoiser(
            regressor=PixelRegressor(method="random_forest", n_estimators=30, num_leaves=255,
                                     min_samples_leaf=20),
            max_samples=1_000_000)),
    ]
    if len(extra_pages):
        if real_pages is None:
            raise ValueError("extra_pages needs the real_pages they are mixed into")
        for _, model in level0:
            model.set_params(max_samples=mixed_sample_budget(model.max_samples, real_pages,
                                                             extra_pages))
    return level0


def out_of_fold_maps(models_for_cell, noisy_pages, clean_pages, cells, log=None):
    """Every page's level-0 maps, each from models that never saw the page's cell.

    Parameters
    ----------
    models_for_cell : callable
        ``models_for_cell(cell)`` gives the unfitted level-0 models for one cell (seeded
        as the caller wants), always the same number and in the same order.
    noisy_pages, clean_pages : list of (M, N) ndarray
    cells : iterable of (train, predict) index arrays
        Usually :meth:`CrossGroupKFold.split_cells`: every page predicted exactly once.
        Pages no cell predicts keep None as their maps; a cell that predicts none is
        skipped.
    log : callable or None
        Called with one line per cell.

    Returns
    -------
    maps : list of lists of (M, N) ndarray
        ``maps[k][i]``: model k's map of page i.

    Examples
    --------
    >>> from dirtydocs.synth import make_pages
    >>> noisy, clean = make_pages(4, shape=(32, 40), random_state=0)
    >>> small = lambda cell: [DocumentDenoiser(regressor=PixelRegressor(n_estimators=3),
    ...                                        max_samples=2000, random_state=cell)]
    >>> cells = CrossGroupKFold(2).split_cells([0, 1, 2, 3], [0, 1, 0, 1])
    >>> maps = out_of_fold_maps(small, noisy, clean, cells)
    >>> len(maps), len(maps[0]), maps[0][3].shape
    (1, 4, (32, 40))
    """
    maps = None
    for cell, (train, predict) in enumerate(cells):
        if log is not None:
            log(f"level 0, cell {cell + 1}: {len(train)} training pages, {len(predict)} predicted")
        if not len(predict):
            continue  # no map wanted from this cell: fitting its models would be wasted
        models = models_for_cell(cell)
        if maps is None:
            maps = [[None] * len(noisy_pages) for _ in models]
        for k, model in enumerate(models):
            fitted = model.fit([noisy_pages[i] for i in train], [clean_pages[i] for i in train])
            for i, page in zip(predict, fitted.predict([noisy_pages[i] for i in predict])):
                maps[k][i] = page
    return maps


def stack_channels(page, level0_maps, feature_maps):
    """The CNN's input for one page: ``(M, N, C)`` of level-0 maps, page, feature maps.

    Examples
    --------
    >>> page = np.full((8, 10), 0.9, np.float32)
    >>> stack_channels(page, [page], ("minus_sauvola",)).shape
    (8, 10, 3)
    """
    maps = list(level0_maps) + [page] + [FEATURE_MAPS[name](page) for name in feature_maps]
    return np.stack(maps, axis=-1)


def level1_input(level1, page, level0_maps, feature_maps):
    """What a level-1 model reads for one page.

    A :class:`SmallCNN` corrects its channel 0, so it gets :func:`stack_channels`; a
    :class:`ContextDenoiser` computes its own features of the page and reads the maps
    beside it, so it gets ``[page, level-0 maps]``.

    Examples
    --------
    >>> page = np.full((8, 10), 0.9, np.float32)
    >>> level1_input(ContextDenoiser(), page, [page, page], ("minus_sauvola",)).shape
    (8, 10, 3)
    >>> level1_input(SmallCNN(), page, [page, page], ("minus_sauvola",)).shape
    (8, 10, 4)
    """
    if isinstance(level1, ContextDenoiser):
        return np.stack([page, *level0_maps], axis=-1)
    return stack_channels(page, level0_maps, feature_maps)


def _unmarked_pages(mixed_in, n_pages):
    """Which pages `mixed_in` leaves unmarked, as a bool mask (all when it is None)."""
    if mixed_in is None:
        return np.ones(n_pages, bool)
    marks = np.asarray(mixed_in)
    if marks.shape != (n_pages,) or marks.dtype != bool:
        raise ValueError(f"mixed_in must hold one bool per page ({n_pages}), got "
                         f"{marks.dtype} of shape {marks.shape}")
    if marks.all():
        raise ValueError("mixed_in marks every page: level 1 would have none to learn from")
    return ~marks


class StackedDenoiser(PageScoreMixin, BaseEstimator):
    """Level-0 pixel denoisers feed a level-1 model that learns from their maps.

    Training, by default (``level1_maps="in_sample"``): the level-0 models are fitted on
    all pages, and the level-1 model learns the clean pages from the page and their maps
    of those same pages: the maps it will be given at prediction time, made by the same
    models. With ``level1_maps="out_of_fold"`` every training page gets its level-0 maps
    from models that saw neither its document nor its stain background
    (:meth:`CrossGroupKFold.split_cells`), and the level-0 models are then refitted on all
    pages for prediction. Each page is cleaned on its own.

    Two level-1 models are built in:

    - :class:`ContextDenoiser` (the default): trees over the page's features, the first
      map's 7x7 neighbourhood and the other maps ("auto-context").
    - :class:`SmallCNN`: a CNN on ``[level-0 maps, page, feature maps]`` that predicts a
      correction to the first map. It stops early on pages of stain backgrounds it does
      not train on.

    On cross-group folds of the Kaggle pages the trees on in-sample maps beat their
    level 0 and a single LightGBM of the stack's size; the CNN, on either kind of map,
    ties with its level 0 (``docs/stack.md``).

    Parameters
    ----------
    level0 : list of (str, DocumentDenoiser) or None
        Named level-0 models; None uses :func:`default_level0`. The first one's map is the
        one the level-1 model reads most closely (the CNN corrects it; the trees read its
        neighbourhood).
    level1 : ContextDenoiser, SmallCNN or None
        The level-1 model; None uses ``ContextDenoiser()``.
    level1_maps : {"out_of_fold", "in_sample"}
        Which level-0 maps of the training pages the level-1 model learns from. Out of
        fold costs ``n_folds ** 2`` fits of each level-0 model; in sample, none beyond
        the one on all pages. In sample did better for the trees on every cross-group
        fold; out of fold is how stacks are usually trained.
    feature_maps : tuple of str
        Names from :data:`FEATURE_MAPS` given to a CNN level 1 as extra channels (the
        trees compute their own features).
    n_stages : int or "auto"
        Auto-context stages of a tree level 1 (in-sample maps only). Stage 1 is `level1`;
        each further stage is a copy of it that reads the previous stage's output (its
        window) and every level-0 map at the pixel, and learns from the previous stage's
        cleaning of the training pages. "auto": 2 for a :class:`ContextDenoiser` level 1
        on in-sample maps, else 1. A second stage took 3.7% off the cross-group RMSE of
        the bundled recipe, 3.2 to 5.1% on each fold (``docs/stack.md``).
    gate_map : str, "auto" or None
        A paper rule for the first level-0 model when cleaning: where the level-0 map of
        this name is at least level 1's ``paper_threshold`` all over its
        ``paper_window`` square, the first map is set to 1 without walking its trees.
        "auto" gates by "random_forest" when a later level-0 model has that name (the
        cheap forest of :func:`default_level0`); None walks the first model everywhere.
        Only for a tree level 1 with a paper rule; training is the same either way. On
        the Kaggle folds it spares about half of the LightGBM walk and moves each fold's
        RMSE by less than 0.05% (``docs/stack.md``).
    n_folds : int
        Document folds and background folds for the out-of-fold maps (``n_folds ** 2``
        fits of each level-0 model).
    random_state : int, RandomState or None
    verbose : bool

    Attributes
    ----------
    level0_ : list of (str, DocumentDenoiser)
        Level-0 models refitted on all training pages.
    level1_ : ContextDenoiser or SmallCNN
    later_stages_ : list of ContextDenoiser
        Stages 2 to `n_stages`.
    maps_rmse_ : dict
        RMSE of each level-0 model's maps of the training pages that the level-1 model
        learned from (out of fold or in sample).

    Examples
    --------
    >>> from dirtydocs.synth import make_pages
    >>> noisy, clean = make_pages(8, shape=(40, 56), random_state=0)
    >>> small = DocumentDenoiser(regressor=PixelRegressor(n_estimators=5), max_samples=4000)
    >>> trees = ContextDenoiser(regressor=PixelRegressor(n_estimators=5), max_samples=4000)
    >>> model = StackedDenoiser(level0=[("gbm", small)], level1=trees, n_folds=2,
    ...                         random_state=0)
    >>> model.fit(noisy, clean, groups=(list(range(8)), [0, 1] * 4)).predict(noisy[0]).shape
    (40, 56)
    """

    def __init__(self, level0=None, level1=None, level1_maps="in_sample",
                 feature_maps=("minus_sauvola", "normalised"), n_stages="auto",
                 gate_map="auto", n_folds=3, random_state=None, verbose=False):
        self.level0 = level0
        self.level1 = level1
        self.level1_maps = level1_maps
        self.feature_maps = feature_maps
        self.n_stages = n_stages
        self.gate_map = gate_map
        self.n_folds = n_folds
        self.random_state = random_state
        self.verbose = verbose

    def _log(self, message):
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    def _level0_specs(self):
        specs = default_level0() if self.level0 is None else list(self.level0)
        if not specs:
            raise ValueError("level0 needs at least one model")
        names = [name for name, _ in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"level0 names must be unique, got {names}")
        return specs

    def fit(self, noisy_pages, clean_pages, groups=None, mixed_in=None):
        """Fit level 0, and level 1 on its maps of the pages (see `level1_maps`).

        Parameters
        ----------
        noisy_pages, clean_pages : sequence of (M, N) array_like
        groups : (documents, backgrounds) or None
            Group labels per page, for out-of-fold maps and a CNN's early stopping; None
            infers them (:func:`infer_page_groups`) when they are needed.
        mixed_in : sequence of bool or None
            Marks the pages mixed into the real ones, such as restained or synthetic pairs.
            Level 0 learns from every page; level 1 only from the unmarked ones, so that
            it learns to correct level 0 on the real pages' stains. None: level 1 learns
            from every page too, which did better on stains none of the pages had: on
            the cross-group folds of the seven Kaggle stain backgrounds, with 72
            restained pairs, 0.0230 pooled against 0.0238 (``docs/results.md``).

        Returns
        -------
        self : StackedDenoiser
        """
        noisy_pages, clean_pages = check_page_pairs(noisy_pages, clean_pages)
        learns_level1 = _unmarked_pages(mixed_in, len(noisy_pages))
        level1_pages = np.flatnonzero(learns_level1)
        unknown = set(self.feature_maps) - set(FEATURE_MAPS)
        if unknown:
            raise ValueError(f"unknown feature maps {sorted(unknown)}; "
                             f"known: {sorted(FEATURE_MAPS)}")
        specs = self._level0_specs()
        self._gate_index([name for name, _ in specs])
        if self.level1_maps not in ("out_of_fold", "in_sample"):
            raise ValueError(f"level1_maps must be 'out_of_fold' or 'in_sample', "
                             f"got {self.level1_maps!r}")
        if not isinstance(self.level1, (ContextDenoiser, SmallCNN, type(None))):
            raise TypeError(f"level1 must be a SmallCNN or a ContextDenoiser, "
                            f"got {type(self.level1).__name__}")
        staged = not isinstance(self.level1, SmallCNN) and self.level1_maps == "in_sample"
        n_stages = (2 if staged else 1) if self.n_stages == "auto" else self.n_stages
        if (isinstance(n_stages, bool) or not isinstance(n_stages, numbers.Integral)
                or n_stages < 1):
            raise ValueError(f"n_stages must be 'auto' or an int >= 1, got {self.n_stages!r}")
        if n_stages > 1 and not staged:
            raise ValueError("n_stages > 1 needs a ContextDenoiser level 1 on in-sample maps")
        rng = check_random_state(self.random_state)
        documents = backgrounds = None
        needs_groups = (self.level1_maps == "out_of_fold"
                        or not isinstance(self.level1, (ContextDenoiser, type(None))))
        if groups is not None:
            documents, backgrounds = map(np.asarray, groups)
        elif needs_groups:
            documents, backgrounds = map(np.asarray, infer_page_groups(noisy_pages,
                                                                       clean_pages))

        def seeded(model):
            model = clone(model)
            if "random_state" in model.get_params():
                model.set_params(random_state=int(rng.randint(np.iinfo(np.int32).max)))
            return model

        if self.level1_maps == "out_of_fold":
            cells = CrossGroupKFold(self.n_folds, random_state=int(rng.randint(2 ** 31)))
            # Mixed-in pages train each cell's models, but nothing reads their own maps.
            cells = ((train, np.asarray(predict)[learns_level1[predict]])
                     for train, predict in cells.split_cells(documents, backgrounds))
            maps = out_of_fold_maps(lambda cell: [seeded(model) for _, model in specs],
                                    noisy_pages, clean_pages, cells, log=self._log)
            maps = [[maps[k][i] for k in range(len(specs))] for i in level1_pages]
        level1 = seeded(self.level1 if self.level1 is not None else ContextDenoiser())
        if self.level1_maps == "in_sample":
            self._log("level 0: fitting on all pages")
            self.level0_ = [(name, seeded(model).fit(noisy_pages, clean_pages))
                            for name, model in specs]
            maps = [list(self._level0_maps(noisy_pages[i]).values()) for i in level1_pages]
        level1_clean = [clean_pages[i] for i in level1_pages]
        self.maps_rmse_ = {name: rmse(level1_clean, [page_maps[k] for page_maps in maps])
                           for k, (name, _) in enumerate(specs)}
        self._log(f"level-0 RMSE on the training pages, {self.level1_maps.replace('_', ' ')}: "
                  + ", ".join(f"{n} {v:.5f}" for n, v in self.maps_rmse_.items()))

        inputs = [level1_input(level1, noisy_pages[i], page_maps, self.feature_maps)
                  for i, page_maps in zip(level1_pages, maps)]
        if self.verbose:
            level1.set_params(verbose=True)
        self._log(f"level 1: training the {type(level1).__name__} on {len(inputs)} pages")
        # A CNN's early stopping must judge it on stains it has not trained on: validated on
        # held-out documents, it kept learning the training stains and did worse on new ones.
        self.level1_ = level1.fit(
            inputs, level1_clean,
            groups=None if backgrounds is None else backgrounds[level1_pages])
        self.later_stages_ = []
        for number in range(2, n_stages + 1):
            # Each stage learns from the previous one's cleaning of the training pages,
            # made as it is made when cleaning (paper rule included).
            previous = (self.later_stages_ or [self.level1_])[-1].predict(inputs)
            inputs = [np.stack([noisy_pages[i], output, *page_maps], axis=-1)
                      for i, output, page_maps in zip(level1_pages, previous, maps)]
            del previous
            stage = seeded(level1)
            self._log(f"stage {number}: training the ContextDenoiser on {len(inputs)} pages")
            self.later_stages_.append(stage.fit(inputs, level1_clean))
        del inputs, maps
        if self.level1_maps == "out_of_fold":
            self._log("level 0: refitting on all pages")
            self.level0_ = [(name, seeded(model).fit(noisy_pages, clean_pages))
                            for name, model in specs]
        return self

    def level0_maps(self, page):
        """The refitted level-0 models' cleaned versions of one page, by name.

        Level-0 models with the same feature parameters share one pass over the page's
        feature bands instead of computing the features once each.
        """
        check_is_fitted(self, "level1_")
        return self._level0_maps(check_pages(page, name="page")[0][0])

    def _level0_maps(self, page):
        by_features = {}
        for name, model in self.level0_:
            key = repr(sorted(model.features_.get_params().items()))
            by_features.setdefault(key, []).append((name, model))
        maps = {}
        for models in by_features.values():
            features = models[0][1].features_
            outputs = predict_bands(features, [model.regressor_ for _, model in models], page)
            maps.update(zip([name for name, _ in models], outputs))
        return {name: maps[name] for name, _ in self.level0_}

    def predict(self, pages):
        """Clean one page or several, each on its own.

        Parameters
        ----------
        pages : (M, N) array_like or sequence of them

        Returns
        -------
        cleaned : (M, N) ndarray of float32, or a list of them
        """
        check_is_fitted(self, "level1_")
        pages, single = check_pages(pages, name="pages")
        shares_features = self._shares_features()
        gate = self._gate()
        cleaned = []
        for page in pages:  # checked already
            if shares_features:
                cleaned.append(predict_context_bands(
                    [model.regressor_ for _, model in self.level0_],
                    [stage.stage() for stage in [self.level1_, *self.later_stages_]],
                    page, gate=gate)[1])
                continue
            by_name = self._level0_maps(page)
            maps = [by_name[name] for name, _ in self.level0_]
            if gate is not None:
                index, threshold, size = gate
                maps[0] = np.where(off_paper(maps[index], threshold, size), maps[0],
                                   np.float32(1))
            output = self.level1_.predict(level1_input(self.level1_, page, maps,
                                                       self.feature_maps))
            for stage in self.later_stages_:
                output = stage.predict(np.stack([page, output, *maps], axis=-1))
            cleaned.append(output)
        return cleaned[0] if single else cleaned

    def _gate_index(self, names):
        """Index among the level-0 `names` of the map that gates the first, or None."""
        if self.gate_map is None:
            return None
        if self.gate_map == "auto":
            return names.index("random_forest") if "random_forest" in names[1:] else None
        if not isinstance(self.gate_map, str) or self.gate_map not in names[1:]:
            raise ValueError(f"gate_map must be 'auto', None or the name of a level-0 model "
                             f"after the first ({', '.join(names[1:]) or 'none'}), "
                             f"got {self.gate_map!r}")
        return names.index(self.gate_map)

    def _gate(self):
        """``(index, threshold, size)`` of the fitted stack's level-0 gate, or None."""
        if not isinstance(self.level1_, ContextDenoiser):
            return None
        index = self._gate_index([name for name, _ in self.level0_])
        threshold, size = self.level1_.paper_rule()
        return None if index is None or threshold is None else (index, threshold, size)

    def _shares_features(self):
        """Whether every level uses the same page features.

        Then one feature pass serves the whole stack (:func:`predict_context_bands`)
        instead of one for level 0 and another for each later level.
        """
        if not isinstance(self.level1_, ContextDenoiser):
            return False
        features = self.level1_.features_.get_params()
        return all(model.features_.get_params() == features
                   for model in [*(model for _, model in self.level0_), *self.later_stages_])
