import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone

from dirtydocs import load, save
from dirtydocs.features import FeatureExtractor
from dirtydocs.metrics import rmse
from dirtydocs.models import ContextDenoiser, DocumentDenoiser, PixelRegressor, context
from dirtydocs.models.context import ContextFeatures, ContextStage, predict_context_bands
from dirtydocs.models.denoiser import predict_bands, sample_band_rows
from dirtydocs.synth import make_pages


def _reference_rows(extractor, stack, window):
    """Whole-page rows built with plain numpy: features, the map's window, other maps."""
    page, first_map, others = stack[..., 0], stack[..., 1], stack[..., 2:]
    reach = window // 2
    padded = np.pad(first_map, reach, mode="symmetric")
    n_rows, n_cols = page.shape
    windows = [padded[dy:dy + n_rows, dx:dx + n_cols].reshape(-1)
               for dy in range(window) for dx in range(window)]
    return np.hstack([extractor.transform(page), np.stack(windows, axis=1),
                      others.reshape(n_rows * n_cols, -1)])


@pytest.mark.parametrize("band_rows, window", [(512, 3), (7, 5), (3, 7)])
def test_context_rows_equal_the_whole_page_reference(band_rows, window):
    rng = np.random.default_rng(0)
    stack = rng.random((23, 17, 4)).astype(np.float32)
    extractor = FeatureExtractor(band_rows=band_rows).fit()
    rows = ContextFeatures(extractor, window=window, n_maps=3)
    bands = [band for _, _, band in rows.iter_bands(stack)]
    expected = _reference_rows(extractor, stack, window)
    assert rows.n_features_out_ == expected.shape[1]
    assert_array_equal(np.vstack(bands), expected)


def test_pixel_rows_are_the_reference_rows_of_those_pixels():
    rng = np.random.default_rng(1)
    stack = rng.random((23, 17, 4)).astype(np.float32)
    extractor = FeatureExtractor(band_rows=7).fit()
    rows = ContextFeatures(extractor, window=5, n_maps=3)
    expected = _reference_rows(extractor, stack, 5)
    first_map = np.ascontiguousarray(stack[..., 1])
    others = [stack[..., c].reshape(-1) for c in (2, 3)]
    for start, stop, band in extractor.iter_bands(stack[..., 0]):
        pixels = rng.permutation((stop - start) * 17)[:20]
        band_others = [values[start * 17:stop * 17] for values in others]
        assert_array_equal(rows.pixel_rows(band, start, stop, pixels, first_map, band_others),
                           expected[start * 17:stop * 17][pixels])


@pytest.fixture(scope="module")
def pages():
    return make_pages(6, shape=(48, 64), random_state=4)


def _small(**params):
    return ContextDenoiser(**{"regressor": PixelRegressor(n_estimators=20, learning_rate=0.3),
                              "window": 3, "max_samples": 8000, "random_state": 0, **params})


def test_trees_learn_to_use_a_map_that_knows_the_answer(pages):
    # A map equal to the clean page is the best context there is: trees that read their
    # columns in the right rows must beat, by far, the same trees on the features alone.
    noisy, clean = pages
    stacks = [np.stack([page, truth], axis=-1) for page, truth in zip(noisy, clean)]
    with_map = _small(features=FeatureExtractor(band_rows=16)).fit(stacks[:4], clean[:4])
    alone = DocumentDenoiser(regressor=PixelRegressor(n_estimators=20, learning_rate=0.3),
                             max_samples=8000, random_state=0).fit(noisy[:4], clean[:4])
    with_map_error = rmse(clean[4:], with_map.predict(stacks[4:]))
    assert with_map_error < 0.3 * rmse(clean[4:], alone.predict(noisy[4:]))


def test_same_seed_same_model_clone_and_round_trip(pages, tmp_path):
    noisy, clean = pages
    stacks = [np.stack([page, np.clip(page * 1.2, 0, 1), page ** 2], axis=-1)
              for page in noisy]
    fitted = _small().fit(stacks, clean, groups=[0, 1, 2, 0, 1, 2])
    assert fitted.n_maps_ == 2
    assert_array_equal(clone(fitted).fit(stacks, clean).predict(stacks[0]),
                       fitted.predict(stacks[0]))
    save(fitted, tmp_path / "context.ddm")
    loaded = load(tmp_path / "context.ddm")
    assert loaded.window == 3 and loaded.n_maps_ == 2
    assert_array_equal(loaded.predict(stacks[1]), fitted.predict(stacks[1]))
    refitted = clone(loaded).fit(stacks, clean)  # the loaded model refits as it was built
    assert refitted.regressor_.n_estimators == 20


def test_prediction_is_clipped_to_the_page_range(pages):
    noisy, clean = pages
    stacks = [np.stack([page, page], axis=-1) for page in noisy]
    cleaned = _small().fit(stacks, clean).predict(stacks)
    assert all(0.0 <= page.min() and page.max() <= 1.0 for page in cleaned)
    assert all(page.dtype == np.float32 for page in cleaned)


@pytest.mark.parametrize("make_input, message", [
    (lambda page: page, r"inputs\[0\]: expected shape \(M, N, C\) with C >= 2"),
    (lambda page: np.stack([page * 3, page], axis=-1), r"channel 0 \(the page\).*\[0, 1\]"),
    (lambda page: np.stack([page, np.full_like(page, np.nan)], axis=-1), "NaN"),
])
def test_bad_inputs_are_named(pages, make_input, message):
    noisy, clean = pages
    with pytest.raises(ValueError, match=message):
        _small().fit([make_input(noisy[0])], [clean[0]])


def test_prediction_needs_the_maps_it_was_fitted_with(pages):
    noisy, clean = pages
    fitted = _small().fit([np.stack([noisy[0], noisy[0]], axis=-1)], [clean[0]])
    with pytest.raises(ValueError, match=r"fitted on the page and 1 map\(s\), got 2"):
        fitted.predict(np.stack([noisy[1]] * 3, axis=-1))


def test_bad_window_and_mismatched_targets_are_refused(pages):
    noisy, clean = pages
    stack = np.stack([noisy[0], noisy[0]], axis=-1)
    with pytest.raises(ValueError, match="window must be an odd integer"):
        _small(window=4).fit([stack], [clean[0]])
    with pytest.raises(ValueError, match=r"targets\[0\] has shape \(48, 60\)"):
        _small().fit([stack], [clean[0][:, :60]])


@pytest.mark.parametrize("band_rows", [512, 5, 2])
def test_one_feature_pass_gives_the_maps_and_cleaning_of_two(pages, band_rows):
    # Bands of 2 rows are narrower than the 7x7 window's reach: a band's level-1 rows wait
    # two bands for the map rows below them.
    noisy, clean = pages
    extractor = FeatureExtractor(band_rows=band_rows).fit()
    X, y = extractor.transform(noisy[:3]), np.concatenate([page.ravel() for page in clean[:3]])
    level0 = [PixelRegressor(n_estimators=10).fit(X, y),
              PixelRegressor(method="random_forest", n_estimators=4).fit(X, y)]
    maps = predict_bands(extractor, level0, noisy[4])
    stack = np.stack([noisy[4], *maps], axis=-1)
    rows = ContextFeatures(extractor, window=7, n_maps=2)
    X1 = np.vstack([band for _, _, band in rows.iter_bands(stack)])
    level1 = PixelRegressor(n_estimators=10).fit(X1, clean[4].ravel())
    expected = np.clip(level1.predict(X1), 0, 1).astype(np.float32).reshape(noisy[4].shape)

    shared_maps, cleaned = predict_context_bands(level0, [ContextStage(rows, level1)], noisy[4])
    for shared, own in zip(shared_maps, maps):
        assert_array_equal(shared, own)
    assert_array_equal(cleaned, expected)


@pytest.mark.parametrize("paper_threshold", [None, 0.95])
def test_stages_clean_the_same_a_few_pixels_at_a_time(pages, monkeypatch, paper_threshold):
    noisy, clean = pages
    extractor = FeatureExtractor(band_rows=16).fit()
    X, y = extractor.transform(noisy[:3]), np.concatenate([page.ravel() for page in clean[:3]])
    level0 = [PixelRegressor(n_estimators=10).fit(X, y),
              PixelRegressor(method="random_forest", n_estimators=4).fit(X, y)]
    maps = predict_bands(extractor, level0, noisy[4])
    rows = ContextFeatures(extractor, window=7, n_maps=2)
    X1 = np.vstack([band for _, _, band in rows.iter_bands(np.stack([noisy[4], *maps], -1))])
    stages = [ContextStage(rows, PixelRegressor(n_estimators=10).fit(X1, clean[4].ravel()),
                           paper_threshold=paper_threshold)]
    _, at_once = predict_context_bands(level0, stages, noisy[4])
    monkeypatch.setattr(context, "_PIXELS_AT_ONCE", 7)
    _, seven_at_a_time = predict_context_bands(level0, stages, noisy[4])
    assert_array_equal(seven_at_a_time, at_once)


def _paper(first_map, threshold, size):
    """Plain scipy reference of the paper rule: the map's minimum over size x size."""
    from scipy.ndimage import minimum_filter

    return minimum_filter(first_map, size=size, mode="reflect") >= threshold


def _stack_with_paper(page, truth):
    """A first map that is sure of the paper in places and not in others."""
    return np.stack([page, np.clip(truth + 0.01 * (page - 0.5), 0, 1), page ** 2], axis=-1)


@pytest.mark.parametrize("threshold, size", [(0.98, 5), (0.9, 3), (0.98, 9)])
def test_pixels_sure_to_be_paper_are_set_white_and_the_rest_untouched(pages, threshold,
                                                                        size):
    noisy, clean = pages
    stacks = [_stack_with_paper(page, truth) for page, truth in zip(noisy, clean)]
    model = _small(paper_threshold=None).fit(stacks[:4], clean[:4])
    every_pixel = model.predict(stacks[4])
    gated = clone(model).set_params(paper_threshold=threshold, paper_window=size)
    gated.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    paper = _paper(stacks[4][..., 1], threshold, min(size, model.window))
    assert 0.1 < paper.mean() < 0.9
    assert_array_equal(gated.predict(stacks[4]), np.where(paper, 1.0, every_pixel))
    blank = stacks[4].copy()
    blank[..., 1] = 1.0  # no row left for the trees, in any band
    assert (gated.predict(blank) == 1.0).all()


@pytest.mark.parametrize("band_rows", [512, 5, 3])
def test_rows_are_drawn_only_from_eligible_pixels(band_rows):
    extractor = FeatureExtractor(band_rows=band_rows).fit()
    shapes = [(11, 13), (9, 13)]
    # Every pixel's target is its own serial number, so y tells which pixels were drawn.
    serials = [np.arange(n * m, dtype=np.float32).reshape(n, m) + 1000 * k
               for k, (n, m) in enumerate(shapes)]
    pages = [np.full(shape, 0.8, np.float32) for shape in shapes]
    rng = np.random.default_rng(1)
    eligible = [rng.random(shape) < 0.3 for shape in shapes]
    eligible_serials = np.concatenate([s[mask] for s, mask in zip(serials, eligible)])

    _, y = sample_band_rows(extractor, pages, serials, 10**6, np.random.RandomState(0),
                            eligible=eligible)
    assert_array_equal(np.sort(y), np.sort(eligible_serials))  # all of them, once each

    _, y = sample_band_rows(extractor, pages, serials, len(eligible_serials) // 2,
                            np.random.RandomState(0), eligible=eligible)
    assert abs(len(y) - len(eligible_serials) // 2) <= 2 * len(shapes) * 11
    assert np.isin(y, eligible_serials).all() and len(np.unique(y)) == len(y)


def test_the_trees_learn_from_the_pixels_the_paper_rule_leaves_them(pages):
    noisy, clean = pages
    stacks = [_stack_with_paper(page, truth) for page, truth in zip(noisy, clean)]
    big = 10**6
    walked = sum(int((~_paper(stack[..., 1], 0.98, 3)).sum()) for stack in stacks[:4])
    model = _small(max_samples=big, paper_window=3).fit(stacks[:4], clean[:4])
    assert 0 < model.n_training_pixels_ == walked < 4 * noisy[0].size
    every = _small(max_samples=big, paper_threshold=None).fit(stacks[:4], clean[:4])
    assert every.n_training_pixels_ == 4 * noisy[0].size

    blank = [np.stack([page, np.ones_like(page)], axis=-1) for page in noisy[:2]]
    with pytest.raises(ValueError, match="none is left to learn from"):
        _small().fit(blank, clean[:2])


@pytest.mark.parametrize("band_rows", [512, 5, 2])
def test_the_paper_rule_in_one_feature_pass(pages, band_rows):
    # Level 1 and the level-0 models after the first run only off the paper; their maps
    # are NaN on it, and everything else is what the pass without the rule gives.
    noisy, clean = pages
    extractor = FeatureExtractor(band_rows=band_rows).fit()
    X, y = extractor.transform(noisy[:3]), np.concatenate([page.ravel() for page in clean[:3]])
    level0 = [PixelRegressor(n_estimators=30, learning_rate=0.3, random_state=0).fit(X, y),
              PixelRegressor(method="random_forest", n_estimators=4, random_state=0).fit(X, y)]
    rows = ContextFeatures(extractor, window=7, n_maps=2)
    maps = predict_bands(extractor, level0, noisy[4])
    X1 = np.vstack([band for _, _, band in rows.iter_bands(np.stack([noisy[4], *maps], -1))])
    level1 = PixelRegressor(n_estimators=10).fit(X1, clean[4].ravel())
    maps, cleaned = predict_context_bands(level0, [ContextStage(rows, level1)], noisy[4])

    gated_maps, gated = predict_context_bands(
        level0, [ContextStage(rows, level1, paper_threshold=0.95, paper_window=5)], noisy[4])
    paper = _paper(maps[0], 0.95, 5)
    assert 0.01 < paper.mean() < 0.99  # both kinds of pixel
    assert_array_equal(gated_maps[0], maps[0])
    assert_array_equal(gated_maps[1], np.where(paper, np.nan, maps[1]))
    assert_array_equal(gated, np.where(paper, 1.0, cleaned))


@pytest.mark.parametrize("params, message", [
    ({"paper_threshold": 0.0}, r"paper_threshold must be None or a number in \(0, 1\]"),
    ({"paper_threshold": 1.5}, r"paper_threshold must be None or a number in \(0, 1\]"),
    ({"paper_threshold": "0.9"}, r"paper_threshold must be None or a number"),
    ({"paper_window": 4}, "paper_window must be an odd integer"),
])
def test_bad_paper_rules_are_refused(pages, params, message):
    noisy, clean = pages
    with pytest.raises(ValueError, match=message):
        _small(**params).fit([np.stack([noisy[0], noisy[0]], axis=-1)], [clean[0]])
