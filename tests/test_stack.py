import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone

from dirtydocs import (CrossGroupKFold, DocumentDenoiser, PixelRegressor, StackedDenoiser,
                       load, save)
from dirtydocs.nn import SmallCNN
from dirtydocs.synth import make_pages


@pytest.mark.parametrize("n_splits", [2, 3])
def test_cells_predict_every_page_once_from_models_blind_to_its_groups(n_splits):
    rng = np.random.default_rng(0)
    documents = rng.integers(0, 9, size=60)
    backgrounds = rng.integers(0, 7, size=60)
    predicted = []
    for train, predict in CrossGroupKFold(n_splits, random_state=1).split_cells(
            documents, backgrounds):
        assert not set(documents[train]) & set(documents[predict])
        assert not set(backgrounds[train]) & set(backgrounds[predict])
        predicted += predict.tolist()
    assert sorted(predicted) == list(range(60))


def _level0():
    return [
        ("gbm", DocumentDenoiser(regressor=PixelRegressor(n_estimators=8), max_samples=6000)),
        ("rf", DocumentDenoiser(regressor=PixelRegressor(method="random_forest", n_estimators=4),
                                max_samples=3000)),
    ]


def _stack(**params):
    cnn = SmallCNN(n_layers=2, n_channels=4, patch_size=16, batch_size=4, max_epochs=2,
                   patches_per_epoch=16)
    return StackedDenoiser(**{"level0": _level0(), "cnn": cnn, "n_folds": 2,
                              "random_state": 0, **params})


@pytest.fixture(scope="module")
def pages():
    return make_pages(8, shape=(40, 56), random_state=2)


GROUPS = (list(range(8)), [0, 1, 2, 3] * 2)


@pytest.fixture(scope="module")
def fitted(pages):
    noisy, clean = pages
    return _stack().fit(noisy, clean, groups=GROUPS)


def test_fit_predict_and_out_of_fold_scores(fitted, pages):
    noisy, _ = pages
    assert fitted.predict(noisy[0]).shape == noisy[0].shape
    assert sorted(fitted.oof_rmse_) == ["gbm", "rf"]
    assert fitted.cnn_.n_channels_in_ == 2 + 1 + 2  # level-0 maps, page, feature maps


def test_cnn_is_validated_on_stain_backgrounds_it_does_not_train_on(pages, monkeypatch):
    seen = {}
    original_fit = SmallCNN.fit

    def recording_fit(self, inputs, targets, groups=None):
        seen["groups"] = list(groups)
        return original_fit(self, inputs, targets, groups=groups)

    monkeypatch.setattr(SmallCNN, "fit", recording_fit)
    noisy, clean = pages
    _stack().fit(noisy, clean, groups=GROUPS)
    assert seen["groups"] == GROUPS[1]


def test_shared_feature_pass_equals_each_models_own_prediction(fitted, pages):
    noisy, _ = pages
    maps = fitted.level0_maps(noisy[3])
    for name, model in fitted.level0_:
        assert_array_equal(maps[name], model.predict(noisy[3]))


def test_same_seed_same_stack_and_clone(fitted, pages):
    noisy, clean = pages
    again = clone(fitted).fit(noisy, clean, groups=GROUPS)
    assert_array_equal(again.predict(noisy[1]), fitted.predict(noisy[1]))


def test_saved_stack_round_trips(fitted, pages, tmp_path):
    noisy, _ = pages
    save(fitted, tmp_path / "stack.ddm")
    loaded = load(tmp_path / "stack.ddm")
    assert loaded.feature_maps == fitted.feature_maps
    assert loaded.oof_rmse_ == fitted.oof_rmse_
    assert_array_equal(loaded.predict(noisy[2]), fitted.predict(noisy[2]))


@pytest.mark.parametrize("params, message", [
    ({"feature_maps": ("colour",)}, "unknown feature maps"),
    ({"level0": []}, "at least one"),
    ({"level0": _level0()[:1] * 2}, "unique"),
])
def test_bad_parameters_are_refused(pages, params, message):
    noisy, clean = pages
    with pytest.raises(ValueError, match=message):
        _stack(**params).fit(noisy, clean, groups=GROUPS)


def test_mismatched_training_pairs_are_named_before_any_fitting(pages):
    noisy, clean = pages
    with pytest.raises(ValueError, match=r"noisy_pages\[1\] has shape \(40, 56\) but "
                                         r"clean_pages\[1\] has shape \(40, 55\)"):
        _stack().fit(noisy[:2], [clean[0], clean[1][:, :55]], groups=([0, 1], [0, 1]))
