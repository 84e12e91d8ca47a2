"""Validation that respects what is shared between pages: texts and stain backgrounds.

In scanned-page corpora such as NoisyOffice / Kaggle's "Denoising Dirty Documents", one
clean document is printed under several stain backgrounds, and one background stains many
documents. A random split then tests on stains and texts the model has already seen. Here a
test page must have both a held-out document and a held-out background; training pages
share neither with it.
"""

import numbers

import numpy as np
from sklearn.base import clone

from .._validation import check_pages
from ..metrics import rmse

__all__ = ["infer_page_groups", "CrossGroupKFold", "cross_validate_pages"]


def _components(n_items, linked_pairs):
    parent = list(range(n_items))

    def root(item):
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for a, b in linked_pairs:
        parent[root(a)] = root(b)
    roots = [root(i) for i in range(n_items)]
    relabel = {r: label for label, r in enumerate(dict.fromkeys(roots))}
    return np.array([relabel[r] for r in roots])


def infer_page_groups(noisy_pages, clean_pages, *, tolerance=0.02, paper_level=0.99):
    """Label training pages by the document they show and the stain background they carry.

    Two pages show the same document when their clean pages match (mean absolute difference
    below `tolerance`); they carry the same background when their noisy pages match on the
    pixels that are paper in both clean pages. Pages of different sizes are compared on
    the region they share from the top-left corner: the Kaggle corpus cuts its short pages'
    stains from the top of its tall pages' stains, so a stain seen on a tall page is not
    new on a short one. Labels are connected components of these relations, so the
    result depends on the pages only, not on their names.

    Parameters
    ----------
    noisy_pages, clean_pages : sequence of (M, N) array_like
    tolerance : float
        Largest mean absolute difference of two matching pages.
    paper_level : float
        Clean pixels at least this bright count as paper.

    Returns
    -------
    documents, backgrounds : (n_pages,) ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> text = np.ones((8, 8)); text[3, 2:6] = 0
    >>> stain_a, stain_b = np.full((8, 8), 0.7), np.linspace(0.5, 0.9, 64).reshape(8, 8)
    >>> noisy = [text * stain_a, text * stain_b, np.ones((8, 8)) * stain_a]
    >>> docs, stains = infer_page_groups(noisy, [text, text, np.ones((8, 8))])
    >>> docs.tolist(), stains.tolist()
    ([0, 0, 1], [0, 1, 0])

    A short page cut from the top of a tall one shares its document and its background:

    >>> docs, stains = infer_page_groups(noisy + [(text * stain_b)[:5]],
    ...                                  [text, text, np.ones((8, 8)), text[:5]])
    >>> docs.tolist(), stains.tolist()
    ([0, 0, 1, 0], [0, 1, 0, 1])
    """
    noisy_pages, _ = check_pages(noisy_pages, name="noisy_pages")
    clean_pages, _ = check_pages(clean_pages, name="clean_pages")
    if len(noisy_pages) != len(clean_pages):
        raise ValueError(f"got {len(noisy_pages)} noisy pages but {len(clean_pages)} clean")
    n_pages = len(noisy_pages)
    same_document, same_background = [], []
    for a in range(n_pages):
        for b in range(a + 1, n_pages):
            common = tuple(slice(0, min(size_a, size_b)) for size_a, size_b
                           in zip(noisy_pages[a].shape, noisy_pages[b].shape))
            clean_a, clean_b = clean_pages[a][common], clean_pages[b][common]
            if np.abs(clean_a - clean_b).mean() < tolerance:
                same_document.append((a, b))
            paper = (clean_a >= paper_level) & (clean_b >= paper_level)
            if paper.any() and (np.abs(noisy_pages[a][common][paper]
                                       - noisy_pages[b][common][paper]).mean() < tolerance):
                same_background.append((a, b))
    return _components(n_pages, same_document), _components(n_pages, same_background)


class CrossGroupKFold:
    """K-fold over two groupings at once: a test page's groups are both unseen in training.

    Fold k holds out the k-th share of the documents and the k-th share of the
    backgrounds. Test pages are those with a held-out document *and* a held-out
    background; training pages have neither. Pages with one but not the other are left out
    of that fold, so training sets are smaller than in a plain k-fold: the price of honest
    figures.

    Parameters
    ----------
    n_splits : int
        Folds, at least 2.
    random_state : int or None
        Shuffles which groups go to which fold; None keeps their order.

    Examples
    --------
    >>> docs = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    >>> stains = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    >>> for train, test in CrossGroupKFold(2).split(docs, stains):
    ...     print(train.tolist(), test.tolist())
    [3, 7] [0, 4]
    [0, 4] [3, 7]
    """

    def __init__(self, n_splits=3, random_state=None):
        self.n_splits = n_splits
        self.random_state = random_state

    def get_n_splits(self, documents=None, backgrounds=None):
        """Number of folds."""
        return self.n_splits

    def split(self, documents, backgrounds):
        """Yield ``(train_indices, test_indices)`` for each fold.

        Parameters
        ----------
        documents, backgrounds : (n_pages,) array_like
            Group labels of each page, e.g. from :func:`infer_page_groups`.
        """
        documents, backgrounds = self._check_labels(documents, backgrounds)
        document_fold = self._assign(documents, offset=0)
        background_fold = self._assign(backgrounds, offset=1)
        for fold in range(self.n_splits):
            held_document = document_fold == fold
            held_background = background_fold == fold
            test = np.flatnonzero(held_document & held_background)
            train = np.flatnonzero(~held_document & ~held_background)
            if len(test) == 0 or len(train) == 0:
                raise ValueError(
                    f"fold {fold} has {len(train)} training and {len(test)} test pages; "
                    "use fewer splits or more groups"
                )
            yield train, test

    def split_cells(self, documents, backgrounds):
        """Yield ``(train, predict)`` so that every page is predicted exactly once.

        For out-of-fold predictions of every page (stacking): cell (i, j) holds the pages
        whose document is in fold i and background in fold j, and is predicted by a model
        trained on pages with a document outside fold i *and* a background outside fold j.
        No page is predicted by a model that saw its document or its background. There are
        ``n_splits ** 2`` cells (empty ones are skipped), each trained on about
        ``((n_splits - 1) / n_splits) ** 2`` of the pages.

        Examples
        --------
        >>> docs = np.array([0, 0, 1, 1, 2, 2, 3, 3])
        >>> stains = np.array([0, 1, 0, 1, 0, 1, 0, 1])
        >>> for train, predict in CrossGroupKFold(2).split_cells(docs, stains):
        ...     print(train.tolist(), predict.tolist())
        [3, 7] [0, 4]
        [2, 6] [1, 5]
        [1, 5] [2, 6]
        [0, 4] [3, 7]
        """
        documents, backgrounds = self._check_labels(documents, backgrounds)
        document_fold = self._assign(documents, offset=0)
        background_fold = self._assign(backgrounds, offset=1)
        for i in range(self.n_splits):
            for j in range(self.n_splits):
                predict = np.flatnonzero((document_fold == i) & (background_fold == j))
                if len(predict) == 0:
                    continue
                train = np.flatnonzero((document_fold != i) & (background_fold != j))
                if len(train) == 0:
                    raise ValueError(f"no training pages for cell ({i}, {j}); use more groups")
                yield train, predict

    def _check_labels(self, documents, backgrounds):
        documents, backgrounds = np.asarray(documents), np.asarray(backgrounds)
        if documents.shape != backgrounds.shape or documents.ndim != 1:
            raise ValueError("documents and backgrounds must be 1-D label arrays of one length")
        if not isinstance(self.n_splits, numbers.Integral) or self.n_splits < 2:
            raise ValueError(f"n_splits must be an int >= 2, got {self.n_splits!r}")
        return documents, backgrounds

    def _assign(self, labels, *, offset):
        groups = np.unique(labels)
        if len(groups) < self.n_splits:
            raise ValueError(
                f"n_splits={self.n_splits} is more than the {len(groups)} groups available"
            )
        if self.random_state is not None:
            rng = np.random.default_rng([self.random_state, offset])
            groups = rng.permutation(groups)
        fold_of_group = {group: i % self.n_splits for i, group in enumerate(groups)}
        return np.array([fold_of_group[label] for label in labels])


def cross_validate_pages(model, noisy_pages, clean_pages, *, n_splits=3, random_state=0,
                         groups=None):
    """Cross-group validation RMSE of a page model (see :class:`CrossGroupKFold`).

    Parameters
    ----------
    model : estimator
        A page model with ``fit(noisy, clean)`` and ``predict(pages)``; cloned per fold.
    noisy_pages, clean_pages : sequence of (M, N) array_like
    n_splits : int
        Folds.
    random_state : int or None
        Shuffles groups into folds.
    groups : tuple of two arrays or None
        ``(documents, backgrounds)`` labels; None infers them with
        :func:`infer_page_groups`.

    Returns
    -------
    result : dict
        ``rmse`` pooled over every test pixel of every fold, ``fold_rmse`` per fold,
        ``n_train`` and ``n_test`` pages per fold.

    Examples
    --------
    >>> from dirtydocs import DocumentDenoiser, PixelRegressor
    >>> from dirtydocs.synth import make_pages
    >>> noisy, clean = make_pages(4, shape=(40, 60), random_state=0)
    >>> model = DocumentDenoiser(regressor=PixelRegressor(n_estimators=5), max_samples=2000)
    >>> result = cross_validate_pages(model, noisy, clean, n_splits=2,
    ...                               groups=([0, 1, 2, 3], [0, 1, 0, 1]))
    >>> sorted(result)
    ['fold_rmse', 'n_test', 'n_train', 'rmse']
    """
    noisy_pages, _ = check_pages(noisy_pages, name="noisy_pages")
    clean_pages, _ = check_pages(clean_pages, name="clean_pages")
    documents, backgrounds = (infer_page_groups(noisy_pages, clean_pages)
                              if groups is None else groups)
    result = {"rmse": None, "fold_rmse": [], "n_train": [], "n_test": []}
    all_truth, all_cleaned = [], []
    splitter = CrossGroupKFold(n_splits, random_state=random_state)
    for train, test in splitter.split(documents, backgrounds):
        fitted = clone(model).fit([noisy_pages[i] for i in train], [clean_pages[i] for i in train])
        truth = [clean_pages[i] for i in test]
        cleaned = fitted.predict([noisy_pages[i] for i in test])
        result["fold_rmse"].append(rmse(truth, cleaned))
        result["n_train"].append(len(train))
        result["n_test"].append(len(test))
        all_truth += truth
        all_cleaned += cleaned
    result["rmse"] = rmse(all_truth, all_cleaned)
    return result
