"""The helpers of benchmarks/learning_curve.py, which estimate the bundled model's RMSE."""

import numpy as np
import pytest

from benchmarks.learning_curve import extrapolate, subset_pages


def test_subset_keeps_the_pages_of_a_fraction_of_the_documents_and_backgrounds():
    documents = np.repeat(np.arange(6), 4)  # every document on every background
    backgrounds = np.tile(np.arange(4), 6)
    pages = np.arange(24)[documents != 5]  # document 5 belongs to the test fold
    kept = subset_pages(pages, documents, backgrounds, keep=0.6, random_state=1)
    assert set(kept) <= set(pages)
    assert len(set(documents[kept])) == 3 and len(set(backgrounds[kept])) == 2
    assert len(kept) == 3 * 2  # every pair of a kept document and background
    assert np.array_equal(kept, subset_pages(pages, documents, backgrounds, 0.6, 1))
    assert not np.array_equal(kept, subset_pages(pages, documents, backgrounds, 0.6, 2))


def test_extrapolation_recovers_a_power_law_from_the_subsets():
    def law(n):
        return 0.3 * n ** -0.4

    runs = [{"pairs": n, "rmse": law(n)} for n in (50, 80, 200)]
    alpha, estimate = extrapolate(runs, "pairs", 504)
    assert alpha == pytest.approx(0.4)
    assert estimate == pytest.approx(law(504))
