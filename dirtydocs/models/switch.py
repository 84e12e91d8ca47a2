"""Two denoisers, one for each kind of ink, and the rule that sends a page to one."""

import numbers

from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from .._validation import check_page_pairs, check_pages
from ..features import ink_paper_slope
from .denoiser import PageScoreMixin
from .stack import StackedDenoiser

__all__ = ["InkSwitch"]

ROUTES = ("covered", "lifted")
TRAINING_PAGES = ("own_kind", "all")


class InkSwitch(PageScoreMixin, BaseEstimator):
    """Clean each page with the denoiser for its kind of ink.

    On most scans solid ink is as dark on stained paper as on clean paper; on some it is
    lifted where the paper is dark (three of the seven Kaggle stain backgrounds). A model
    that learns both from one training set cleans neither as well, and trees did not
    learn to switch on the page's kind given as a feature (``docs/results.md``). So each
    page is cleaned by `lifted` when its :func:`~dirtydocs.features.ink_paper_slope` is
    below `threshold`, else by `covered`; `covered` learns from the real pages of its
    kind plus `covered_extra` pairs, and `lifted` from those of its kind plus
    `lifted_extra` pairs (such as ``restain_pages(..., lifted_ink=0.5)``).

    Parameters
    ----------
    covered : estimator or None
        Denoiser for pages whose ink covers its paper; None uses ``StackedDenoiser()``.
    lifted : estimator or None
        Denoiser for pages whose ink is lifted where its paper is dark; None uses
        ``StackedDenoiser()``.
    threshold : float
        Pages whose ink-paper slope is below this go to `lifted`. The default, -0.3, lies
        between the slopes of the Kaggle pages of the two kinds (-0.08 to 0.14 and -1.18
        to -0.50).
    training_pages : {"own_kind", "all"}
        Which real pages each denoiser learns from: "own_kind", those :meth:`route` sends
        to it (every real page when it sends none there, so that each learns some real
        ink); "all", every real page (the bundled model's tenth and eleventh builds). On
        the Kaggle pages' cross-group folds a denoiser that also learned from the other
        kind's pages cleaned pages of its own kind worse (``docs/results.md``, "Each kind
        of ink from its own pages").

    Attributes
    ----------
    covered_, lifted_ : fitted estimators

    Examples
    --------
    >>> from dirtydocs import DocumentDenoiser, PixelRegressor
    >>> from dirtydocs.synth import make_pages, restain_pages
    >>> noisy, clean = make_pages(3, shape=(40, 56), random_state=0)
    >>> small = DocumentDenoiser(regressor=PixelRegressor(n_estimators=5), max_samples=4000)
    >>> switch = InkSwitch(covered=small, lifted=small).fit(
    ...     noisy, clean, lifted_extra=restain_pages(noisy, clean, 3, random_state=0,
    ...                                              lifted_ink=1.0))
    >>> switch.route(noisy[0]) in ("covered", "lifted"), switch.predict(noisy[0]).shape
    (True, (40, 56))
    """

    def __init__(self, covered=None, lifted=None, threshold=-0.3, training_pages="own_kind"):
        self.covered = covered
        self.lifted = lifted
        self.threshold = threshold
        self.training_pages = training_pages

    def _check_params(self):
        if not (isinstance(self.threshold, numbers.Real) and -5 <= self.threshold <= 5):
            raise ValueError(f"threshold must be a number in [-5, 5], got {self.threshold!r}")
        if self.training_pages not in TRAINING_PAGES:
            raise ValueError(f"training_pages must be one of {', '.join(TRAINING_PAGES)}, "
                             f"got {self.training_pages!r}")

    def training_pages_for(self, noisy_pages):
        """The indices of the real pages each denoiser learns from, as `training_pages` says.

        Parameters
        ----------
        noisy_pages : sequence of (M, N) array_like

        Returns
        -------
        pages : dict
            ``{"covered": [...], "lifted": [...]}``, indices into `noisy_pages`.

        Examples
        --------
        >>> import numpy as np
        >>> paper = np.full((50, 60), 0.9)  # no ink: its route is "covered"
        >>> InkSwitch().training_pages_for([paper, paper])
        {'covered': [0, 1], 'lifted': [0, 1]}
        >>> # Here every page goes to `lifted`, so `covered` learns from them all.
        >>> InkSwitch(threshold=5).training_pages_for([paper, paper])["covered"]
        [0, 1]
        """
        self._check_params()
        noisy_pages, _ = check_pages(noisy_pages, name="noisy_pages")
        every = list(range(len(noisy_pages)))
        if self.training_pages == "all":
            return {"covered": every, "lifted": every}
        routes = [self.route(page) for page in noisy_pages]
        pages = {kind: [i for i in every if routes[i] == kind] for kind in ROUTES}
        return {kind: indices or every for kind, indices in pages.items()}

    def fit(self, noisy_pages, clean_pages, covered_extra=None, lifted_extra=None):
        """Fit a copy of each denoiser on its real pairs and its own extra pairs.

        Parameters
        ----------
        noisy_pages, clean_pages : sequence of (M, N) array_like
            Real training pairs, shared between the denoisers as `training_pages` says
            (:meth:`training_pages_for`).
        covered_extra, lifted_extra : (noisy_pages, clean_pages) or None
            Pairs only `covered`, or only `lifted`, learns from.

        Returns
        -------
        self : InkSwitch
        """
        self._check_params()
        noisy_pages, clean_pages = check_page_pairs(noisy_pages, clean_pages)
        real_pages = self.training_pages_for(noisy_pages)
        fitted = []
        for model, extra, kind in ((self.covered, covered_extra, "covered"),
                                   (self.lifted, lifted_extra, "lifted")):
            name = f"{kind}_extra"
            noisy = [noisy_pages[i] for i in real_pages[kind]]
            clean = [clean_pages[i] for i in real_pages[kind]]
            if extra is not None:
                if len(extra) != 2:
                    raise ValueError(f"{name} must be a pair (noisy_pages, clean_pages)")
                extra_noisy, extra_clean = check_page_pairs(*extra)
                noisy += extra_noisy
                clean += extra_clean
            model = StackedDenoiser() if model is None else clone(model)
            fitted.append(model.fit(noisy, clean))
        self.covered_, self.lifted_ = fitted
        return self

    def route(self, page):
        """Which denoiser cleans `page`: "covered" or "lifted".

        Examples
        --------
        >>> import numpy as np
        >>> InkSwitch().route(np.full((50, 60), 0.9))  # no ink: nothing to tell, so covered
        'covered'
        """
        return "lifted" if ink_paper_slope(page) < self.threshold else "covered"

    def denoiser_for(self, page):
        """The fitted denoiser that cleans `page`: `lifted_` or `covered_`, as :meth:`route`
        says.

        Examples
        --------
        >>> import numpy as np
        >>> from dirtydocs import load_default
        >>> model = load_default()
        >>> model.denoiser_for(np.full((50, 60), 0.9)) is model.covered_
        True
        """
        check_is_fitted(self, "lifted_")
        return self.lifted_ if self.route(page) == "lifted" else self.covered_

    def predict(self, pages):
        """Clean one page or several, each on its own by the denoiser its ink calls for.

        Parameters
        ----------
        pages : (M, N) array_like or sequence of them

        Returns
        -------
        cleaned : (M, N) ndarray of float32, or a list of them
        """
        check_is_fitted(self, "lifted_")
        pages, single = check_pages(pages, name="pages")
        cleaned = [self.denoiser_for(page).predict(page) for page in pages]
        return cleaned[0] if single else cleaned
