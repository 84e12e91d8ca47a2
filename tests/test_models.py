import lightgbm
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from dirtydocs import DocumentDenoiser, FeatureExtractor, PixelRegressor, rmse
from dirtydocs.models import CrossGroupKFold, cross_validate_pages, infer_page_groups
from dirtydocs.models.forest import CompiledForest
from dirtydocs.synth import make_page, make_pages

SMALL_FEATURES = FeatureExtractor(median_sizes=(9, 21), normalise_size=21,
                                  sauvola_windows=(9,), niblack_windows=(), window_size=3)


def _known_failures(estimator):
    # LightGBM's own scikit-learn wrapper lists the same exception.
    return {"check_sample_weight_equivalence_on_dense_data":
            "bagging and min_data_in_leaf count rows, so a weight of 2 is not a repeated row"}


@parametrize_with_checks([
    PixelRegressor(n_estimators=30, min_samples_leaf=5, random_state=0),
    PixelRegressor(method="random_forest", n_estimators=30, min_samples_leaf=5, random_state=0),
], expected_failed_checks=_known_failures)
def test_pixel_regressor_meets_the_scikit_learn_contract(estimator, check):
    check(estimator)


def test_same_seed_same_regressor_and_methods_differ():
    rng = np.random.default_rng(0)
    X = rng.random((2000, 5)).astype(np.float32)
    y = np.sin(4 * X[:, 0]) + X[:, 1]
    a = PixelRegressor(n_estimators=20, random_state=3).fit(X, y).predict(X)
    b = PixelRegressor(n_estimators=20, random_state=3).fit(X, y).predict(X)
    forest = PixelRegressor(method="random_forest", n_estimators=20, min_samples_leaf=5,
                            random_state=3).fit(X, y)
    assert_array_equal(a, b)
    assert not np.allclose(a, forest.predict(X))
    assert forest.score(X, y) > 0.95


@pytest.mark.parametrize("method", ["lightgbm", "random_forest"])
def test_compiled_forest_matches_lightgbm(method):
    rng = np.random.default_rng(1)
    X = rng.random((3000, 6)).astype(np.float32)
    X[rng.random(X.shape) < 0.05] = 0.0  # exact zeros exercise LightGBM's zero handling
    y = X[:, 0] * 2 - X[:, 3] + (X[:, 2] > 0.5)
    model = PixelRegressor(method=method, n_estimators=25, num_leaves=31, random_state=0)
    model.fit(X, y)
    assert_allclose(model.forest_.predict(X), model.booster_.predict(X), rtol=0, atol=1e-12)
    # The first columns of a wider matrix are walked where they lie, not copied.
    wider = np.hstack([X, rng.random((3000, 5)).astype(np.float32)])
    assert_array_equal(model.forest_.predict(wider[:, :6]), model.forest_.predict(X))
    assert_array_equal(model.forest_.predict(np.asfortranarray(X)), model.forest_.predict(X))


def test_float32_rows_on_and_beside_every_threshold_split_like_lightgbm():
    rng = np.random.default_rng(3)
    X = rng.random((3000, 4)).astype(np.float32)
    model = PixelRegressor(n_estimators=20, num_leaves=15, random_state=0)
    model.fit(X, X[:, 0] - X[:, 1] * X[:, 2])
    forest = model.forest_
    probes = []
    for feature, threshold in zip(forest.feature, forest.threshold):
        at = np.float32(threshold)
        for value in (at, np.nextafter(at, np.float32(-1)), np.nextafter(at, np.float32(2))):
            row = X[len(probes) % len(X)].copy()
            row[feature] = value
            probes.append(row)
    probes = np.array(probes, np.float32)
    assert_array_equal(forest.predict(probes), model.booster_.predict(probes.astype(np.float64)))


def test_compiled_forest_follows_missing_value_rules():
    rng = np.random.default_rng(2)
    X = rng.random((2000, 3))
    X[rng.random(X.shape) < 0.2] = np.nan
    y = np.nan_to_num(X[:, 0], nan=2.0) + X[:, 1] * 0
    booster = lightgbm.train({"verbose": -1, "seed": 0}, lightgbm.Dataset(X, y), 15)
    test = rng.random((500, 3))
    test[rng.random(test.shape) < 0.3] = np.nan
    assert_allclose(CompiledForest(booster).predict(test), booster.predict(test), atol=1e-12)


@pytest.mark.parametrize("n_rows", [1, 7, 64, 1003])
def test_rows_with_nan_among_finite_ones_split_like_lightgbm(n_rows):
    # Trees grown without missing values walk finite rows in lockstep, a block of rows at
    # a time; a block with a NaN must still send it where LightGBM does (as a zero).
    rng = np.random.default_rng(6)
    X = rng.random((2000, 5)).astype(np.float32) - 0.5
    model = PixelRegressor(n_estimators=30, num_leaves=31, random_state=0)
    model.fit(X, X[:, 0] + X[:, 1] * X[:, 2])
    assert model.forest_.plain
    test = rng.random((n_rows, 5)).astype(np.float32) - 0.5
    test[n_rows // 2, 1] = np.nan
    test[rng.random(test.shape) < 2 / test.size] = np.nan
    assert_allclose(model.forest_.predict(test), model.booster_.predict(test), atol=1e-12)


def test_compiled_forest_walks_single_leaf_trees():
    rng = np.random.default_rng(4)
    X = rng.random((300, 3))
    params = {"verbose": -1, "boosting": "rf", "bagging_freq": 1, "bagging_fraction": 0.5,
              "min_data_in_leaf": 1000}  # too few rows to split: every tree is one leaf
    booster = lightgbm.train(params, lightgbm.Dataset(X, X[:, 0]), 3)
    forest = CompiledForest(booster)
    assert len(forest.feature) == 0 and np.all(forest.roots < 0)
    assert_allclose(forest.predict(X), booster.predict(X), atol=1e-12)


@pytest.mark.parametrize("params, message", [
    ({"objective": "binary"}, "transforms its output"),
    ({"objective": "multiclass", "num_class": 3}, "single-output"),
    ({"min_data_per_group": 1, "cat_smooth": 0}, "categorical"),
])
def test_compiled_forest_refuses_what_it_cannot_walk(params, message):
    rng = np.random.default_rng(5)
    X = rng.random((400, 2))
    X[:, 0] = rng.integers(0, 6, 400)
    y = (X[:, 0] % 3).astype(int) if "num_class" in params else (X[:, 0] > 2).astype(float)
    categorical = [0] if message == "categorical" else "auto"
    booster = lightgbm.train({"verbose": -1, **params},
                             lightgbm.Dataset(X, y, categorical_feature=categorical), 3)
    with pytest.raises(ValueError, match=message):
        CompiledForest(booster)


def test_pixel_regressor_parameter_errors():
    X, y = np.random.default_rng(0).random((50, 2)), np.zeros(50)
    for params, message in [({"method": "svm"}, "method must be one of"),
                            ({"n_estimators": 0}, "n_estimators"),
                            ({"subsample": 1.5}, "subsample"),
                            ({"params": [1]}, "params must be a dict")]:
        with pytest.raises((ValueError, TypeError), match=message):
            PixelRegressor(**params).fit(X, y)


# -- DocumentDenoiser ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic():
    return make_pages(6, shape=(96, 128), random_state=7)


def _small_denoiser(**params):
    params = {"max_samples": 30_000, **params}
    return DocumentDenoiser(features=SMALL_FEATURES,
                            regressor=PixelRegressor(n_estimators=40), **params)


def test_denoiser_cleans_unseen_synthetic_pages(synthetic):
    noisy, clean = synthetic
    model = _small_denoiser(random_state=0)
    assert model.fit(noisy[:4], clean[:4]) is model
    # Two unseen pages: one with dark coffee-ring rims across its text, one of faded thin
    # type. Forty trees on four small pages leave 0.63 of the first's error and 0.34 of the
    # second's (0.54 pooled).
    cleaned = model.predict(noisy[4:])
    assert all(page.shape == noisy[4].shape and page.dtype == np.float32 for page in cleaned)
    assert all(0.0 <= page.min() and page.max() <= 1.0 for page in cleaned)
    assert rmse(clean[4:], cleaned) < 0.6 * rmse(clean[4:], noisy[4:])
    assert model.score(noisy[4:], clean[4:]) == pytest.approx(-rmse(clean[4:], cleaned))
    assert model.n_training_pixels_ == pytest.approx(30_000, abs=10)
    assert model.features_ is not SMALL_FEATURES  # cloned, not fitted in place


def test_denoiser_predicts_any_size_one_page_at_a_time(synthetic):
    noisy, clean = synthetic
    model = _small_denoiser(random_state=0).fit(noisy, clean)
    odd = make_page((37, 301), random_state=1)[0]
    assert model.predict(odd).shape == (37, 301)
    several = model.predict([odd, noisy[0]])
    assert [p.shape for p in several] == [(37, 301), (96, 128)]
    # Each page on its own: the company a page keeps does not change its result.
    assert_array_equal(several[0], model.predict(odd))


def test_same_seed_same_model_and_clone_works(synthetic):
    noisy, clean = synthetic
    a = _small_denoiser(random_state=5).fit(noisy[:3], clean[:3]).predict(noisy[4])
    b = _small_denoiser(random_state=5).fit(noisy[:3], clean[:3]).predict(noisy[4])
    c = _small_denoiser(random_state=6).fit(noisy[:3], clean[:3]).predict(noisy[4])
    assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    cloned = clone(_small_denoiser(random_state=5))
    assert cloned.get_params()["max_samples"] == 30_000
    assert not hasattr(cloned, "regressor_")


def test_denoiser_input_errors(synthetic):
    noisy, clean = synthetic
    model = _small_denoiser()
    with pytest.raises(ValueError, match="2 noisy pages but 1 clean"):
        model.fit(noisy[:2], clean[:1])
    with pytest.raises(ValueError, match=r"noisy_pages\[0\] has shape \(96, 128\) but"):
        model.fit([noisy[0]], [clean[0][:50]])
    with pytest.raises(ValueError, match=r"pages\[1\]: expected a 2-D"):
        model.fit(noisy[:1], clean[:1]).predict([noisy[0], np.zeros((2, 2, 2))])
    with pytest.raises(ValueError, match="max_samples"):
        _small_denoiser(max_samples=1).fit(noisy, clean)


# -- groups and cross-validation -------------------------------------------------------------

def _grid_of_pages(n_documents=4, n_backgrounds=3, shape=(40, 48)):
    """Every document under every background, like the Kaggle training set."""
    rng = np.random.default_rng(0)
    documents = [make_page(shape, random_state=i)[1] for i in range(n_documents)]
    backgrounds = [0.55 + 0.4 * rng.random(shape) for _ in range(n_backgrounds)]
    noisy, clean, labels = [], [], []
    for d, text in enumerate(documents):
        for b, stain in enumerate(backgrounds):
            noisy.append((text * stain).astype(np.float32))
            clean.append(text)
            labels.append((d, b))
    return noisy, clean, np.array(labels)


def test_infer_page_groups_recovers_documents_and_backgrounds():
    noisy, clean, labels = _grid_of_pages()
    documents, backgrounds = infer_page_groups(noisy, clean)
    for inferred, truth in ((documents, labels[:, 0]), (backgrounds, labels[:, 1])):
        pairs_same = inferred[:, None] == inferred[None, :]
        assert_array_equal(pairs_same, truth[:, None] == truth[None, :])


def test_infer_page_groups_links_a_short_pages_stain_to_the_tall_page_it_was_cut_from():
    # Kaggle's 258-row pages carry the top 258 rows of the 420-row pages' stains.
    rng = np.random.default_rng(1)
    stains = [0.55 + 0.4 * rng.random((56, 48)) for _ in range(3)]
    noisy, clean, labels = [], [], []
    for document in range(4):
        rows = 56 if document < 2 else 36
        text = make_page((rows, 48), random_state=document)[1]
        for background, stain in enumerate(stains):
            noisy.append((text * stain[:rows]).astype(np.float32))
            clean.append(text)
            labels.append((document, background))
    labels = np.array(labels)
    documents, backgrounds = infer_page_groups(noisy, clean)
    for inferred, truth in ((documents, labels[:, 0]), (backgrounds, labels[:, 1])):
        assert_array_equal(inferred[:, None] == inferred[None, :],
                           truth[:, None] == truth[None, :])


@pytest.mark.parametrize("n_splits", [2, 3])
def test_cross_group_folds_share_no_document_or_background(n_splits):
    documents = np.repeat(np.arange(6), 4)
    backgrounds = np.tile(np.arange(4), 6)
    tested = []
    for train, test in CrossGroupKFold(n_splits, random_state=0).split(documents, backgrounds):
        assert not set(documents[train]) & set(documents[test])
        assert not set(backgrounds[train]) & set(backgrounds[test])
        tested.extend(test)
    assert len(tested) == len(set(tested))


def test_cross_group_fold_errors():
    with pytest.raises(ValueError, match="more than the 2 groups"):
        list(CrossGroupKFold(3).split([0, 1, 0, 1], [0, 1, 2, 3]))
    with pytest.raises(ValueError, match="n_splits"):
        list(CrossGroupKFold(1).split([0, 1], [0, 1]))


def test_cross_validate_pages_reports_pooled_rmse():
    noisy, clean, _ = _grid_of_pages(n_documents=4, n_backgrounds=4)
    result = cross_validate_pages(_small_denoiser(random_state=0), noisy, clean, n_splits=2)
    assert len(result["fold_rmse"]) == 2 and all(n > 0 for n in result["n_test"])
    assert min(result["fold_rmse"]) <= result["rmse"] <= max(result["fold_rmse"])
    assert result["rmse"] < rmse(clean, noisy)


def test_mixed_sample_budget_keeps_the_real_pages_rate():
    from dirtydocs.models import mixed_sample_budget

    real = [np.zeros((10, 10)), np.zeros((10, 30))]  # 400 pixels
    assert mixed_sample_budget(1000, real, [np.zeros((20, 10))]) == 1500
    assert mixed_sample_budget(1000, real, []) == 1000
    with pytest.raises(ValueError, match="no pixels"):
        mixed_sample_budget(1000, [], [np.zeros((2, 2))])
