import numpy as np
import pytest
from scipy import ndimage as ndi
from scipy.stats import theilslopes

from dirtydocs.features import ink_paper_slope
from dirtydocs.synth import make_pages, restain_pages

from .conftest import lit_page


def _reference_slope(page, size=31, n_bins=6, ink_ratio=0.6, ink_percent=10.0,
                     min_ink_pixels=50):
    """The same slope from the whole page's pixel lists, with scipy's median filter."""
    levels = np.rint(np.asarray(page, np.float64) * 255).astype(np.int64)
    paper = ndi.median_filter(levels, size=size, mode="reflect").ravel()
    levels = levels.ravel()
    values, counts = np.unique(paper, return_counts=True)
    middle_rank = np.cumsum(counts) - counts / 2
    group_of_value = np.minimum((n_bins * middle_rank / paper.size).astype(int), n_bins - 1)
    group = group_of_value[np.searchsorted(values, paper)]
    xs, ys = [], []
    for g in range(n_bins):
        ink = levels[(group == g) & (levels < ink_ratio * paper)]
        if ink.size < min_ink_pixels:
            continue
        xs.append(np.percentile(paper[group == g], 50, method="inverted_cdf"))
        ys.append(np.percentile(ink, ink_percent, method="inverted_cdf"))
    if len(xs) < 3 or np.ptp(xs) < 0.01 * 255:
        return 0.0
    return float(theilslopes(np.asarray(ys) / 255, np.asarray(xs) / 255)[0])


@pytest.mark.parametrize("kwargs", [{}, {"size": 15, "n_bins": 4, "ink_percent": 25.0},
                                    {"ink_ratio": 0.4, "min_ink_pixels": 200}])
def test_ink_paper_slope_matches_a_pixel_list_reference(kwargs):
    pages = [lit_page(lift=0.0), lit_page(lift=0.8, seed=1)]
    noisy, _ = make_pages(2, shape=(120, 160), random_state=3)
    for page in pages + noisy:
        expected = _reference_slope(page, **kwargs)
        assert ink_paper_slope(page, **kwargs) == pytest.approx(expected, abs=1e-9)


def test_ink_paper_slope_is_the_same_band_by_band():
    page = lit_page(lift=0.8)
    whole = ink_paper_slope(page)
    for band_rows in (1, 7, 64):
        assert ink_paper_slope(page, band_rows=band_rows) == whole


def test_ink_paper_slope_tells_lifted_ink_from_ink_that_covers_its_paper():
    assert abs(ink_paper_slope(lit_page(lift=0.0))) < 0.05
    assert ink_paper_slope(lit_page(lift=0.5)) == pytest.approx(-0.5, abs=0.05)
    assert ink_paper_slope(lit_page(lift=0.8)) == pytest.approx(-0.8, abs=0.05)
    # Restained pairs with their ink lifted, as restain_pages makes them (their lift is
    # 0.6 to 0.9 of the paper's darkness, fading out towards the stroke edges).
    noisy, clean = make_pages(2, shape=(258, 540), random_state=0)
    covered, _ = restain_pages(noisy, clean, 6, random_state=1)
    lifted, _ = restain_pages(noisy, clean, 6, random_state=1, lifted_ink=1.0)
    slopes = [(ink_paper_slope(a), ink_paper_slope(b)) for a, b in zip(covered, lifted)]
    assert all(b < a for a, b in slopes)
    assert np.median([a for a, _ in slopes]) > -0.3
    assert np.median([b for _, b in slopes]) < -0.4


def test_a_dark_rim_on_the_darkest_paper_does_not_flatten_the_slope():
    # A coffee rim's dark edge scans darker than the lifted ink beside it and counts as
    # ink against the median paper; it fills the darkest group's dark side. A
    # least-squares line through the groups halves the slope (-0.4); their median
    # pairwise slope keeps it.
    page = lit_page(lift=0.8)
    page[:, 165:169] = 0.2
    assert ink_paper_slope(page) == pytest.approx(-0.8, abs=0.06)


def test_ink_paper_slope_is_zero_when_the_paper_cannot_tell():
    flat = np.full((80, 90), 0.9, np.float32)
    flat[10:70:6, 5:85] = 0.1
    assert ink_paper_slope(flat) == 0.0  # one paper level
    assert ink_paper_slope(np.full((40, 50), 0.9, np.float32)) == 0.0  # no ink
    assert ink_paper_slope(np.zeros((40, 50), np.float32)) == 0.0  # no paper


def test_ink_paper_slope_input_errors():
    page = lit_page()
    with pytest.raises(ValueError, match="n_bins"):
        ink_paper_slope(page, n_bins=2)
    with pytest.raises(ValueError, match="ink_ratio"):
        ink_paper_slope(page, ink_ratio=0)
    with pytest.raises(ValueError, match="ink_percent"):
        ink_paper_slope(page, ink_percent=100)
    with pytest.raises(ValueError, match="band_rows"):
        ink_paper_slope(page, band_rows=0)
    with pytest.raises(ValueError, match="size"):
        ink_paper_slope(page, size=4)
    with pytest.raises(ValueError):
        ink_paper_slope(np.ones((3, 4, 5)))
