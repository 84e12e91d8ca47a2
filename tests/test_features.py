import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage as ndi
from skimage.feature import canny
from skimage.filters import threshold_niblack, threshold_sauvola
from skimage.morphology import closing as skimage_closing

from dirtydocs.features import (
    FeatureExtractor,
    background_ratio,
    band_windows,
    canny_edges,
    local_closing,
    local_mean_std,
    local_stats,
    local_paper,
    local_windows,
    median_background,
    niblack_threshold,
    sauvola_threshold,
)

from . import _naive
from .conftest import PAGE_SHAPES

# float32 kernels summing up to 49 values in [0, 1] against float64 references.
FLOAT32_TOLERANCE = 2e-6


def _page(rng, shape):
    # 8-bit levels, like real scans, so the median's quantisation is exact.
    return (rng.integers(0, 256, shape) / 255).astype(np.float32)


@pytest.mark.parametrize("shape", PAGE_SHAPES)
@pytest.mark.parametrize("size", [1, 3, 5, 9, 21])
def test_median_background_matches_naive_reference(rng, shape, size):
    page = _page(rng, shape)
    expected = _naive.median_filter(np.rint(page * 255), size) / 255
    assert_allclose(median_background(page, size=size), expected, atol=1e-7)


@pytest.mark.parametrize("shape", [(13, 17), (40, 33), (64, 64)])
@pytest.mark.parametrize("size", [3, 7, 11])
def test_median_background_matches_scipy_where_window_fits(rng, shape, size):
    page = _page(rng, shape)
    quantised = np.rint(page * 255).astype(np.uint8)
    expected = ndi.median_filter(quantised, size=size, mode="reflect") / np.float32(255)
    assert_array_equal(median_background(page, size=size), expected)


def test_median_background_ignores_thin_text():
    page = np.full((40, 60), 0.8, np.float32)
    page[10:12, 5:55] = 0.05
    assert_allclose(median_background(page, size=15), 0.8, atol=1 / 255)


@pytest.mark.parametrize("shape", PAGE_SHAPES)
@pytest.mark.parametrize("window", [1, 3, 7, 15])
def test_local_mean_std_matches_naive_reference(rng, shape, window):
    page = _page(rng, shape)
    mean, std = local_mean_std(page, window=window)
    expected_mean, expected_std = _naive.window_mean_std(page, window)
    assert_allclose(mean, expected_mean, atol=FLOAT32_TOLERANCE)
    # The std comes from E[x^2] - E[x]^2; its float32 rounding is relative to ~sqrt(eps).
    assert_allclose(std, expected_std, atol=1e-5)


@pytest.mark.parametrize("shape", [(9, 9), (25, 31), (40, 17)])
@pytest.mark.parametrize("window", [3, 7, 15])
@pytest.mark.parametrize("k", [0.1, 0.34])
def test_thresholds_match_skimage(rng, shape, window, k):
    page = _page(rng, shape)
    expected = threshold_sauvola(page.astype(np.float64), window_size=window, k=k, r=0.5)
    assert_allclose(sauvola_threshold(page, window=window, k=k, r=0.5), expected, atol=1e-5)
    expected = threshold_niblack(page.astype(np.float64), window_size=window, k=k)
    assert_allclose(niblack_threshold(page, window=window, k=k), expected, atol=1e-5)


@pytest.mark.parametrize("shape", PAGE_SHAPES)
@pytest.mark.parametrize("size", [1, 3, 5, 7])
def test_local_stats_match_naive_reference(rng, shape, size):
    page = _page(rng, shape)
    for got, expected in zip(local_stats(page, size=size), _naive.local_stats(page, size)):
        assert_allclose(got, expected, atol=FLOAT32_TOLERANCE)


@pytest.mark.parametrize("shape", [(13, 17), (30, 21)])
def test_local_stats_match_scipy(rng, shape):
    page = _page(rng, shape)
    low, high, mean, _ = local_stats(page, size=5)
    assert_array_equal(low, ndi.minimum_filter(page, 5, mode="reflect"))
    assert_array_equal(high, ndi.maximum_filter(page, 5, mode="reflect"))
    assert_allclose(mean, ndi.uniform_filter(page.astype(np.float64), 5, mode="reflect"),
                    atol=FLOAT32_TOLERANCE)


@pytest.mark.parametrize("shape", PAGE_SHAPES)
@pytest.mark.parametrize("size", [1, 3, 5])
def test_local_windows_match_naive_reference(rng, shape, size):
    page = _page(rng, shape)
    assert_array_equal(local_windows(page, size=size), _naive.window_columns(page, size))


@pytest.mark.parametrize("first_row, n_rows", [(0, 9), (3, 4), (7, 2)])
def test_band_windows_of_some_pixels_match_naive_reference(rng, first_row, n_rows):
    page = _page(rng, (9, 11))
    band = _naive.window_columns(page, 5)[first_row * 11:(first_row + n_rows) * 11]
    pixels = rng.permutation(n_rows * 11)[:n_rows * 5]  # some pixels, in any order
    out = np.zeros((len(pixels), 27), np.float32)
    band_windows(page, first_row, n_rows, size=5, out=out, first_column=1, pixels=pixels)
    assert_array_equal(out[:, 1:26], band[pixels])
    assert not out[:, [0, 26]].any()
    everything = np.zeros((n_rows * 11, 25), np.float32)
    band_windows(page, first_row, n_rows, size=5, out=everything, first_column=0)
    assert_array_equal(everything, band)


def test_local_windows_fill_columns_of_a_given_matrix(rng):
    page = _page(rng, (6, 7))
    out = np.zeros((42, 12), np.float32)
    local_windows(page, size=3, out=out, first_column=2)
    assert_array_equal(out[:, 2:11], _naive.window_columns(page, 3))
    assert not out[:, [0, 1, 11]].any()
    with pytest.raises(ValueError, match="out has shape"):
        local_windows(page, size=3, out=np.zeros((42, 5), np.float32))


def test_canny_edges_are_skimage_canny_and_its_dilation(rng):
    page = np.ones((30, 40), np.float32)
    page[10:20, 12:30] = 0.1
    edges, grown = canny_edges(page, sigma=1.0, dilation=1)
    expected = canny(page, sigma=1.0)
    assert_array_equal(edges, expected)
    assert_array_equal(grown, ndi.binary_dilation(expected, np.ones((3, 3), bool)))
    assert edges.dtype == np.float32 and edges.any()


def test_background_ratio_undoes_a_multiplicative_stain():
    text = np.ones((50, 50), np.float32)
    text[20:22, 5:45] = 0.0
    stain = np.linspace(0.5, 0.9, 50, dtype=np.float32)[None, :].repeat(50, 0)
    stained = text * stain
    ratio = background_ratio(stained, median_background(stained, size=15))
    # Away from the borders, where mirroring a steep gradient biases the median.
    interior = (text == 1) & (np.arange(50) >= 8) & (np.arange(50) < 42)
    assert_allclose(ratio[interior], 1.0, atol=0.02)
    assert ratio[text == 0].max() < 0.05


def _local_paper_reference(page, background, sigma, paper_ratio):
    """Explicit Gaussian-weighted sums over mirrored borders, in float64."""
    radius = int(4 * sigma + 0.5)
    offsets = np.arange(-radius, radius + 1)
    weights_1d = np.exp(-0.5 * (offsets / sigma) ** 2)
    weights = np.outer(weights_1d, weights_1d) / weights_1d.sum() ** 2
    is_paper = page.astype(np.float64) >= paper_ratio * background
    padded_page = np.pad(page.astype(np.float64), radius, mode="symmetric")
    padded_paper = np.pad(is_paper, radius, mode="symmetric")
    paper = np.empty(page.shape)
    coverage = np.empty(page.shape)
    for row in range(page.shape[0]):
        for col in range(page.shape[1]):
            window = (slice(row, row + 2 * radius + 1), slice(col, col + 2 * radius + 1))
            share = weights * padded_paper[window]
            coverage[row, col] = share.sum()
            paper[row, col] = ((share * padded_page[window]).sum() / share.sum()
                               if share.sum() > 0.05 else background[row, col])
    return paper, coverage


@pytest.mark.parametrize("shape", [(1, 1), (5, 40), (23, 17)])
@pytest.mark.parametrize("sigma", [0.7, 2.0])
def test_local_paper_matches_reference(rng, shape, sigma):
    page = np.clip(_page(rng, shape) * 0.5 + 0.45, 0, 1)
    page[rng.random(shape) < 0.3] = 0.1  # ink, which the mean must skip
    background = median_background(page, size=5)
    paper, coverage = local_paper(page, background, sigma=sigma, paper_ratio=0.9)
    expected_paper, expected_coverage = _local_paper_reference(page, background, sigma, 0.9)
    assert_allclose(coverage, expected_coverage, atol=1e-6)
    assert_allclose(paper, expected_paper, atol=1e-6)


def test_local_paper_follows_a_crease_the_median_misses():
    # A crease beside a stroke, darker than the paper but lighter than ink: the 15-pixel
    # median does not see it, the paper mean at sigma 1 does.
    paper = np.full((40, 60), 0.85, np.float32)
    paper[:, 30:34] = 0.8
    text = np.ones_like(paper)
    text[5:35, 27:29] = 0.0
    page = paper * (0.1 + 0.9 * text)
    background = median_background(page, size=15)
    local, _ = local_paper(page, background, sigma=1.0)
    crease = (slice(5, 35), slice(30, 34))
    assert np.abs(local[crease] - 0.8).max() < 0.02
    assert np.abs(background[crease] - 0.8).min() > 0.04
    all_ink = np.zeros((6, 6), np.float32)
    assert_allclose(local_paper(all_ink, np.full((6, 6), 0.7), sigma=1.0)[0], 0.7)


@pytest.mark.parametrize("shape", PAGE_SHAPES)
@pytest.mark.parametrize("size", [1, 3, 9])
def test_local_closing_matches_skimage(rng, shape, size):
    page = _page(rng, shape)
    # scipy mirrors the page before the dilation and again before the erosion; skimage
    # pads differently, so give it a page mirrored as far as both steps reach.
    reach = 2 * (size // 2)
    padded = np.pad(page, reach, mode="symmetric")
    expected = skimage_closing(padded, np.ones((size, size), bool))
    expected = expected[reach: reach + shape[0], reach: reach + shape[1]]
    closing, tophat = local_closing(page, size=size)
    assert closing.dtype == np.float32 and closing.shape == page.shape
    assert_array_equal(closing, expected)
    assert_array_equal(tophat, closing - page)
    assert (tophat >= 0).all()


def test_local_closing_fills_strokes_and_keeps_blots():
    page = np.ones((40, 40), np.float32)
    page[5:35, 10:13] = 0.1   # a stroke 3 px wide
    page[15:25, 20:30] = 0.1  # a blot 10 px wide, as dark
    closing, tophat = local_closing(page, size=5)
    assert_allclose(closing[20, 11], 1.0)
    assert_allclose(tophat[20, 11], 0.9)
    assert closing[20, 25] == np.float32(0.1) and tophat[20, 25] == 0.0
    closing, tophat = local_closing(page, size=11)
    assert_allclose(tophat[20, 25], 0.9)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda p: median_background(p, size=4), "odd integer"),
        (lambda p: median_background(p, size=0), "odd integer"),
        (lambda p: sauvola_threshold(p, window=3, r=0), "r must be positive"),
        (lambda p: local_stats(p, size=2.0), "odd integer"),
        (lambda p: median_background(p[None]), "2-D"),
        (lambda p: median_background(p * 3), r"\[0, 1\]"),
        (lambda p: median_background(np.full((3, 3), np.nan)), "NaN"),
        (lambda p: median_background(np.zeros((0, 3))), "empty"),
        (lambda p: canny_edges(p, dilation=-1), "dilation"),
        (lambda p: local_paper(p, p, sigma=0), "sigma must be positive"),
        (lambda p: local_paper(p, p[:3], sigma=1), "background has shape"),
        (lambda p: local_closing(p, size=4), "odd integer"),
    ],
)
def test_bad_arguments_get_clear_errors(call, message):
    page = np.full((9, 9), 0.5, np.float32)
    with pytest.raises((ValueError, TypeError), match=message):
        call(page)


# -- FeatureExtractor ------------------------------------------------------------------

def test_feature_matrix_layout(rng):
    page = _page(rng, (23, 31))
    extractor = FeatureExtractor().fit()
    features = extractor.transform(page)
    names = list(extractor.get_feature_names_out())
    assert features.shape == (23 * 31, len(names)) == (23 * 31, extractor.n_features_out_)
    assert features.dtype == np.float32 and features.flags.c_contiguous
    assert len(set(names)) == len(names)
    assert_array_equal(features[:, names.index("raw")], page.ravel())
    assert_array_equal(features[:, names.index("background31")],
                       median_background(page, size=31).ravel())
    centre = names.index("window_+0_+0")
    ratio = features[:, names.index("ratio31")]
    assert_array_equal(features[:, centre], np.minimum(ratio, 1.0))
    paper, coverage = local_paper(page, median_background(page, size=31), sigma=2.0)
    assert_array_equal(features[:, names.index("ratio_to_paper2")],
                       background_ratio(page, paper).ravel())
    assert_array_equal(features[:, names.index("paper_coverage2")], coverage.ravel())


def test_closing_columns(rng):
    page = _page(rng, (23, 31))
    extractor = FeatureExtractor(closing_sizes=(5, 9)).fit()
    names = list(extractor.get_feature_names_out())
    without_closings = FeatureExtractor(closing_sizes=()).fit()
    assert without_closings.n_features_out_ == 57  # the layout before format 6
    assert extractor.n_features_out_ == without_closings.n_features_out_ + 4
    features = extractor.transform(page)
    normalised = np.minimum(background_ratio(page, median_background(page, size=31)), 1.0)
    closing, tophat = local_closing(normalised, size=9)
    assert_array_equal(features[:, names.index("closing9")], closing.ravel())
    assert_array_equal(features[:, names.index("black_tophat9")], tophat.ravel())
    assert names.index("black_tophat9") < names.index("window_-2_-2")


def test_several_pages_stack_in_order(rng):
    pages = [_page(rng, (9, 11)), _page(rng, (14, 6))]
    extractor = FeatureExtractor(median_sizes=(5,), normalise_size=5).fit()
    stacked = extractor.transform(pages)
    assert_array_equal(stacked[:99], extractor.transform(pages[0]))
    assert_array_equal(stacked[99:], extractor.transform(pages[1]))


@pytest.mark.parametrize("band_rows", [1, 7, 50])
def test_bands_equal_the_whole_page(rng, band_rows):
    # A page with structure so Canny finds edges crossing band boundaries.
    page = np.clip(_page(rng, (97, 45)) * 0.2 + 0.7, 0, 1)
    page[20:60:6, 5:40] = 0.1
    whole = FeatureExtractor(band_rows=1000, closing_sizes=(5, 15)).fit().transform(page)
    banded = FeatureExtractor(band_rows=band_rows, closing_sizes=(5, 15)).fit().transform(page)
    # Integral images summed over a different span round differently in float64.
    assert_allclose(banded, whole, atol=1e-6)


def test_extractor_parameter_errors():
    with pytest.raises(ValueError, match="normalise_size"):
        FeatureExtractor(median_sizes=(15,), normalise_size=31).fit()
    with pytest.raises(ValueError, match="median_sizes"):
        FeatureExtractor(median_sizes=(14,)).fit()
    with pytest.raises(ValueError, match="window_size"):
        FeatureExtractor(window_size=4).fit()
    with pytest.raises(ValueError, match="band_rows"):
        FeatureExtractor(band_rows=0).fit()
    with pytest.raises(ValueError, match="paper_sigmas"):
        FeatureExtractor(paper_sigmas=(1.0, 0.0)).fit()
    with pytest.raises(ValueError, match="paper_ratio"):
        FeatureExtractor(paper_ratio=1.5).fit()
    with pytest.raises(ValueError, match="closing_sizes"):
        FeatureExtractor(closing_sizes=(4,)).fit()
    assert FeatureExtractor(paper_sigmas=(), closing_sizes=()).fit().n_features_out_ == 48
