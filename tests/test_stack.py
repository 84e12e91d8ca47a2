import json
import weakref

import numpy as np
import pytest
from scipy import ndimage as ndi
from numpy.testing import assert_array_equal
from sklearn.base import clone

from dirtydocs import (CrossGroupKFold, DocumentDenoiser, PixelRegressor, StackedDenoiser,
                       load, save)
from dirtydocs.models import ContextDenoiser
from dirtydocs.models.stack import level1_input, out_of_fold_maps
from dirtydocs.metrics import rmse
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


def test_out_of_fold_maps_skip_the_pages_and_cells_nothing_asks_for():
    noisy, clean = make_pages(4, shape=(32, 40), random_state=0)
    cells_fitted = []

    def models_for_cell(cell):
        cells_fitted.append(cell)
        return [DocumentDenoiser(regressor=PixelRegressor(n_estimators=2), max_samples=500,
                                 random_state=cell)]

    cells = [(np.array([2, 3]), np.array([0])), (np.array([0, 1]), np.array([], int)),
             (np.array([0, 3]), np.array([1]))]
    maps = out_of_fold_maps(models_for_cell, noisy, clean, cells)
    assert cells_fitted == [0, 2]
    assert [page is None for page in maps[0]] == [False, False, True, True]


def _level0():
    return [
        ("gbm", DocumentDenoiser(regressor=PixelRegressor(n_estimators=8), max_samples=6000)),
        ("rf", DocumentDenoiser(regressor=PixelRegressor(method="random_forest", n_estimators=4),
                                max_samples=3000)),
    ]


LEVEL1 = {
    "cnn": lambda: SmallCNN(n_layers=2, n_channels=4, patch_size=16, batch_size=4,
                            max_epochs=2, patches_per_epoch=16),
    "trees": lambda: ContextDenoiser(regressor=PixelRegressor(n_estimators=8), window=3,
                                     max_samples=6000),
}


def _stack(kind="cnn", **params):
    return StackedDenoiser(**{"level0": _level0(), "level1": LEVEL1[kind](), "n_folds": 2,
                              "random_state": 0, **params})


@pytest.fixture(scope="module")
def pages():
    return make_pages(8, shape=(40, 56), random_state=2)


GROUPS = (list(range(8)), [0, 1, 2, 3] * 2)


@pytest.fixture(scope="module", params=[("cnn", "out_of_fold"), ("trees", "out_of_fold"),
                                        ("trees", "in_sample")], ids="-".join)
def fitted(pages, request):
    noisy, clean = pages
    kind, level1_maps = request.param
    return _stack(kind, level1_maps=level1_maps).fit(noisy, clean, groups=GROUPS)


def test_fit_predict_and_out_of_fold_scores(fitted, pages):
    noisy, _ = pages
    assert fitted.predict(noisy[0]).shape == noisy[0].shape
    assert sorted(fitted.maps_rmse_) == ["gbm", "rf"]
    if isinstance(fitted.level1_, SmallCNN):
        assert fitted.level1_.n_channels_in_ == 2 + 1 + 2  # level-0 maps, page, feature maps
    else:
        assert fitted.level1_.n_maps_ == 2  # beside the page; trees make their own features
    # n_stages="auto": a second stage for trees on in-sample maps only
    in_sample_trees = fitted.level1_maps == "in_sample" and not isinstance(fitted.level1_,
                                                                          SmallCNN)
    assert len(fitted.later_stages_) == (1 if in_sample_trees else 0)




def _record_fits(monkeypatch, level1_class):
    """Spy on a stack's fits: level 1's inputs, targets and groups; each level-0 fit's pages."""
    seen, level0_fits = {}, []
    original_fit, original_level0_fit = level1_class.fit, DocumentDenoiser.fit

    def recording_fit(self, inputs, targets, groups=None):
        seen.update(inputs=[stack.copy() for stack in inputs], targets=list(targets),
                    groups=None if groups is None else list(groups))
        return original_fit(self, inputs, targets, groups=groups)

    def counting_fit(self, noisy_pages, clean_pages):
        level0_fits.append(len(noisy_pages))
        return original_level0_fit(self, noisy_pages, clean_pages)

    monkeypatch.setattr(level1_class, "fit", recording_fit)
    monkeypatch.setattr(DocumentDenoiser, "fit", counting_fit)
    return seen, level0_fits


def test_level1_reads_the_level0_maps_made_out_of_fold(pages, monkeypatch):
    # The tree level 1 must train on maps from models that never saw the page: in-sample
    # maps are nearly the truth, and trees trained on them would trust them blindly.
    seen, _ = _record_fits(monkeypatch, ContextDenoiser)
    noisy, clean = pages
    stack = _stack("trees", level1_maps="out_of_fold").fit(noisy, clean, groups=GROUPS)
    maps = [inputs[..., 1] for inputs in seen["inputs"]]
    assert np.isclose(rmse(clean, maps), stack.maps_rmse_["gbm"])
    in_sample = [stack.level0_maps(page)["gbm"] for page in noisy]
    assert rmse(clean, maps) > rmse(clean, in_sample)


def test_in_sample_level1_reads_the_maps_of_the_final_level0(pages, monkeypatch):
    # In sample, level 0 is fitted once, and level 1 learns from exactly the maps that
    # the same models give at prediction time.
    seen, level0_fits = _record_fits(monkeypatch, ContextDenoiser)
    noisy, clean = pages
    stack = _stack("trees", level1_maps="in_sample", n_stages=1).fit(noisy, clean,
                                                                     groups=GROUPS)
    assert level0_fits == [len(noisy)] * 2  # once per level-0 model, on all pages
    for page, inputs in zip(noisy, seen["inputs"]):
        assert_array_equal(inputs[..., 1:],
                           np.stack(list(stack.level0_maps(page).values()), axis=-1))


def test_a_later_stage_learns_from_the_last_stages_cleaning_of_the_training_pages(
        pages, monkeypatch):
    fits = []
    original_fit = ContextDenoiser.fit
    monkeypatch.setattr(ContextDenoiser, "fit", lambda self, inputs, targets, groups=None: (
        fits.append([stack.copy() for stack in inputs]) or original_fit(self, inputs, targets)))
    noisy, clean = pages
    stack = _stack("trees", level1_maps="in_sample", n_stages=2).fit(noisy, clean)
    first, second = fits
    for page, level1_input_, stage2_input in zip(noisy, first, second):
        assert_array_equal(stage2_input[..., 0], page)
        assert_array_equal(stage2_input[..., 1], stack.level1_.predict(level1_input_))
        assert_array_equal(stage2_input[..., 2:],
                           np.stack(list(stack.level0_maps(page).values()), axis=-1))


def test_cnn_is_validated_on_stain_backgrounds_it_does_not_train_on(pages, monkeypatch):
    seen, _ = _record_fits(monkeypatch, SmallCNN)
    noisy, clean = pages
    _stack().fit(noisy, clean, groups=GROUPS)
    assert seen["groups"] == GROUPS[1]


@pytest.mark.parametrize("kind, level1_maps", [("trees", "in_sample"),
                                               ("trees", "out_of_fold"),
                                               ("cnn", "out_of_fold")])
def test_mixed_in_pages_train_level0_but_not_level1(pages, monkeypatch, kind, level1_maps):
    seen, level0_fits = _record_fits(monkeypatch, type(LEVEL1[kind]()))
    noisy, clean = pages
    mixed_in = [False, True, False, False, True, False, False, True]
    real = [i for i, mixed in enumerate(mixed_in) if not mixed]
    stack = _stack(kind, level1_maps=level1_maps).fit(noisy, clean, groups=GROUPS,
                                                      mixed_in=mixed_in)
    assert level0_fits[-2:] == [len(noisy)] * 2  # the final level 0 learns from every page
    assert len(seen["targets"]) == len(real)
    for i, target in zip(real, seen["targets"]):
        assert_array_equal(target, clean[i])
    page_channel = 0 if kind == "trees" else 2  # the CNN reads [maps, page, feature maps]
    for i, stack_in in zip(real, seen["inputs"]):
        assert_array_equal(stack_in[..., page_channel], noisy[i])
    if kind == "cnn":
        assert seen["groups"] == [GROUPS[1][i] for i in real]
    if level1_maps == "in_sample":
        maps = [stack.level0_maps(noisy[i])["gbm"] for i in real]
        assert np.isclose(stack.maps_rmse_["gbm"], rmse([clean[i] for i in real], maps))


@pytest.mark.parametrize("mixed_in, message", [
    ([True] * 8, "marks every page"),
    ([False] * 7, r"one bool per page \(8\)"),
    ([0, 1] * 4, "one bool per page"),
])
def test_bad_mixed_in_marks_are_refused(pages, mixed_in, message):
    noisy, clean = pages
    with pytest.raises(ValueError, match=message):
        _stack("trees").fit(noisy, clean, groups=GROUPS, mixed_in=mixed_in)


def test_shared_feature_pass_equals_each_models_own_prediction(fitted, pages):
    noisy, _ = pages
    maps = fitted.level0_maps(noisy[3])
    for name, model in fitted.level0_:
        assert_array_equal(maps[name], model.predict(noisy[3]))


def test_a_tree_stack_computes_the_page_features_once(pages, monkeypatch):
    from dirtydocs.features import FeatureExtractor

    noisy, clean = pages
    stack = _stack("trees", level1_maps="in_sample").fit(noisy, clean)
    maps = [stack.level0_maps(noisy[5])[name] for name, _ in stack.level0_]
    level1 = stack.level1_.predict(level1_input(stack.level1_, noisy[5], maps, ()))
    (stage2,) = stack.later_stages_  # n_stages="auto"
    two_passes = stage2.predict(np.stack([noisy[5], level1, *maps], axis=-1))
    passes = []
    original = FeatureExtractor.iter_bands
    monkeypatch.setattr(FeatureExtractor, "iter_bands",
                        lambda self, *args, **kw: passes.append(1) or original(self, *args, **kw))
    assert_array_equal(stack.predict(noisy[5]), two_passes)
    assert len(passes) == 1
    # Levels with different features cannot share a pass; the stack makes one for each.
    stack.level0_[1][1].features_.set_params(band_rows=7)
    passes.clear()
    assert_array_equal(stack.predict(noisy[5]), two_passes)
    assert len(passes) == 4  # two for level 0, one for each stage


def test_same_seed_same_stack_and_clone(fitted, pages):
    noisy, clean = pages
    again = clone(fitted).fit(noisy, clean, groups=GROUPS)
    assert_array_equal(again.predict(noisy[1]), fitted.predict(noisy[1]))


def test_saved_stack_round_trips(fitted, pages, tmp_path):
    noisy, _ = pages
    save(fitted, tmp_path / "stack.ddm")
    loaded = load(tmp_path / "stack.ddm")
    assert loaded.feature_maps == fitted.feature_maps
    assert loaded.maps_rmse_ == fitted.maps_rmse_
    assert type(loaded.level1_) is type(fitted.level1_)
    assert type(loaded.level1) is type(fitted.level1_)  # refits with the same kind of level 1
    assert_array_equal(loaded.predict(noisy[2]), fitted.predict(noisy[2]))


def test_level1_of_another_kind_is_refused(pages):
    noisy, clean = pages
    with pytest.raises(TypeError, match="level1 must be a SmallCNN or a ContextDenoiser"):
        _stack(level1=DocumentDenoiser()).fit(noisy, clean, groups=GROUPS)


@pytest.mark.parametrize("params, message", [
    ({"feature_maps": ("colour",)}, "unknown feature maps"),
    ({"level1_maps": "both"}, "level1_maps must be"),
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


def _as_older_format(source, target, version, edit_model):
    """Rewrite the stack file `source` into `target` as format `version`: `edit_model`
    removes from the manifest's model spec what that format lacked. No format before 5
    had the level-0 gate."""
    from tests.test_persist import _rewrite

    def change(members):
        manifest = json.loads(members["manifest.json"])
        manifest["format_version"] = version
        del manifest["model"]["params"]["gate_map"]
        edit_model(manifest["model"])
        members["manifest.json"] = json.dumps(manifest).encode()

    _rewrite(source, target, change)


def test_format_2_stacks_load_with_their_cnn(pages, tmp_path):
    # Format 2 stacks always had a CNN level 1 trained on out-of-fold maps, stored as
    # "cnn", with "oof_rmse_".
    noisy, clean = pages
    stack = _stack("cnn", level1_maps="out_of_fold").fit(noisy, clean, groups=GROUPS)
    save(stack, tmp_path / "new.ddm")

    def as_format_2(model):
        model["cnn"] = model.pop("level1")
        model["fitted"] = {"oof_rmse_": model["fitted"].pop("maps_rmse_")}
        del model["params"]["level1_maps"]

    _as_older_format(tmp_path / "new.ddm", tmp_path / "old.ddm", 2, as_format_2)
    loaded = load(tmp_path / "old.ddm")
    assert isinstance(loaded.level1_, SmallCNN) and isinstance(loaded.level1, SmallCNN)
    assert loaded.level1_maps == "out_of_fold" and loaded.maps_rmse_ == stack.maps_rmse_
    assert_array_equal(loaded.predict(noisy[0]), stack.predict(noisy[0]))


def test_format_3_stacks_load_as_one_stage_with_the_default_paper_rule(pages, tmp_path):
    # Format 3 had neither later stages nor the paper rule; the bundled model of
    # 2026-11-24 is such a file.
    noisy, clean = pages
    stack = _stack("trees", level1_maps="in_sample", n_stages=1).fit(noisy, clean)
    save(stack, tmp_path / "new.ddm")

    def as_format_3(model):
        del model["later_stages"], model["params"]["n_stages"]
        for key in ("paper_threshold", "paper_window"):
            del model["level1"]["params"][key]

    _as_older_format(tmp_path / "new.ddm", tmp_path / "old.ddm", 3, as_format_3)
    loaded = load(tmp_path / "old.ddm")
    assert loaded.n_stages == 1 and loaded.later_stages_ == []
    assert loaded.level1_.paper_threshold == ContextDenoiser().paper_threshold
    assert_array_equal(loaded.predict(noisy[0]), stack.predict(noisy[0]))


@pytest.mark.parametrize("kind, level1_maps, infers", [
    ("trees", "in_sample", False), ("trees", "out_of_fold", True), ("cnn", "in_sample", True)])
def test_groups_are_inferred_only_when_something_uses_them(pages, monkeypatch, kind,
                                                           level1_maps, infers):
    from dirtydocs.models import stack as stack_module

    calls = []

    def recording(noisy_pages, clean_pages):
        calls.append(len(noisy_pages))
        return GROUPS  # what inference would give, without its cost

    monkeypatch.setattr(stack_module, "infer_page_groups", recording)
    noisy, clean = pages
    _stack(kind, level1_maps=level1_maps).fit(noisy, clean)
    assert calls == ([len(noisy)] if infers else [])


def _staged_stack(band_rows, threshold):
    from dirtydocs.features import FeatureExtractor

    features = FeatureExtractor(band_rows=band_rows)
    level0 = [(name, model.set_params(features=features)) for name, model in _level0()]
    level1 = ContextDenoiser(features=features, regressor=PixelRegressor(n_estimators=8),
                             window=3, max_samples=6000, paper_threshold=threshold,
                             paper_window=3)
    return StackedDenoiser(level0=level0, level1=level1, n_stages=3, random_state=0)


@pytest.mark.parametrize("band_rows, threshold", [(512, None), (2, 0.8), (5, 0.8)])
def test_later_stages_read_the_previous_stage_in_the_one_feature_pass(pages, band_rows,
                                                                      threshold):
    # Bands of 2 rows are narrower than a stage's reach: each stage waits on the last.
    noisy, clean = pages
    stack = _staged_stack(band_rows, threshold).fit(noisy, clean)
    assert len(stack.later_stages_) == 2
    assert all(stage.n_maps_ == 3 for stage in stack.later_stages_)  # stage 1's output too
    maps = stack.level0_maps(noisy[6])
    level0_maps = [maps["gbm"], maps["rf"]]
    expected = stack.level1_.predict(np.stack([noisy[6], *level0_maps], axis=-1))
    if threshold is not None:
        assert 0.01 < (expected == 1.0).mean() < 0.99  # the paper rule skips some pixels
    for stage in stack.later_stages_:
        expected = stage.predict(np.stack([noisy[6], expected, *level0_maps], axis=-1))
    assert_array_equal(stack.predict(noisy[6]), expected)


def test_a_band_of_features_is_let_go_before_the_next_is_made(pages, monkeypatch):
    # On a 300-dpi A4 page one band's features take 290 MB: holding the last band while
    # the next was made doubled the peak memory of cleaning it, and of training on it.
    from dirtydocs.features import FeatureExtractor

    noisy, clean = pages
    bands_made, held_when_made = [], []
    band_features = FeatureExtractor._band_features

    def watched(self, *args, **kwargs):
        held_when_made.append(sum(band() is not None for band in bands_made))
        band = band_features(self, *args, **kwargs)
        bands_made.append(weakref.ref(band))
        return band

    monkeypatch.setattr(FeatureExtractor, "_band_features", watched)
    stack = _staged_stack(5, 0.8).set_params(gate_map="rf").fit(noisy, clean)
    assert len(held_when_made) > len(noisy) * 8  # training made bands of every page
    assert held_when_made == [0] * len(held_when_made)
    maps = stack.level0_maps(noisy[6])
    for clean_page in (lambda: stack.predict(noisy[6]),  # the stack's one pass
                       lambda: stack.level0_[0][1].predict(noisy[6]),  # a pixel model
                       lambda: stack.level1_.predict(  # a context model on its own
                           np.stack([noisy[6], maps["gbm"], maps["rf"]], axis=-1))):
        bands_made.clear()
        held_when_made.clear()
        clean_page()
        assert len(held_when_made) == -(-noisy[6].shape[0] // 5)  # every band was watched
        assert held_when_made == [0] * len(held_when_made)


def _gated_by_hand(stack, page, threshold, size):
    """The stack's cleaning with the first level-0 map set to 1 where the forest's map is
    at least `threshold` all over the size x size square (scipy's minimum filter)."""
    maps = stack.level0_maps(page)
    gated = ndi.minimum_filter(maps["rf"], size=size, mode="reflect") >= threshold
    level0_maps = [np.where(gated, np.float32(1), maps["gbm"]), maps["rf"]]
    expected = stack.level1_.predict(np.stack([page, *level0_maps], axis=-1))
    for stage in stack.later_stages_:
        expected = stage.predict(np.stack([page, expected, *level0_maps], axis=-1))
    return expected, gated.mean()


@pytest.mark.parametrize("band_rows", [2, 5, 512])
@pytest.mark.parametrize("shared_pass", [True, False])
def test_the_level0_gate_sets_the_first_map_to_paper_where_the_forest_sees_paper(
        pages, band_rows, shared_pass):
    # Bands of 2 rows are narrower than the gate's reach: a band's first map waits on the
    # forest's map of the next band.
    noisy, clean = pages
    stack = _staged_stack(band_rows, 0.8).set_params(gate_map="rf").fit(noisy, clean)
    if not shared_pass:  # level 0 and the stages no longer share one feature pass
        stack.level0_[1][1].features_.set_params(band_rows=7)
    assert stack._shares_features() is shared_pass
    ungated = clone(stack).set_params(gate_map=None)
    ungated.__dict__.update({k: v for k, v in vars(stack).items() if k.endswith("_")})
    changed = []
    for page in noisy:
        expected, gated_share = _gated_by_hand(stack, page, threshold=0.8, size=3)
        assert gated_share < 0.99
        assert_array_equal(stack.predict(page), expected)
        changed.append(not np.array_equal(ungated.predict(page), expected))
    assert any(changed)  # the gate is seen in the cleaning, not only in the maps


def test_the_level0_gate_survives_a_round_trip_and_older_files_get_the_default(
        pages, tmp_path):
    noisy, clean = pages
    stack = _staged_stack(512, 0.8).set_params(gate_map="rf").fit(noisy[:6], clean[:6])
    save(stack, tmp_path / "gated.ddm")
    loaded = load(tmp_path / "gated.ddm")
    assert loaded.gate_map == "rf"
    assert_array_equal(loaded.predict(noisy[7]), stack.predict(noisy[7]))
    # Format 4 had no gate (the bundled model of 2026-11-25 is such a file): its files are
    # read with the default, "auto".
    _as_older_format(tmp_path / "gated.ddm", tmp_path / "format4.ddm", 4, lambda model: None)
    assert load(tmp_path / "format4.ddm").gate_map == "auto"


@pytest.mark.parametrize("gate_map, names, expected", [
    ("auto", ["lightgbm", "random_forest"], 1),
    ("auto", ["gbm", "rf"], None),
    ("auto", ["random_forest", "lightgbm"], None),  # the first map cannot gate itself
    (None, ["lightgbm", "random_forest"], None),
    ("rf", ["gbm", "rf"], 1),
])
def test_which_level0_map_gates(gate_map, names, expected):
    assert StackedDenoiser(gate_map=gate_map)._gate_index(names) == expected


@pytest.mark.parametrize("gate_map", ["gbm", "missing", 3])
def test_a_gate_map_that_is_not_a_later_level0_model_is_refused(pages, gate_map):
    noisy, clean = pages
    with pytest.raises(ValueError, match="gate_map must be 'auto', None or the name of a "
                                         "level-0 model after the first \\(rf\\)"):
        _staged_stack(512, 0.8).set_params(gate_map=gate_map).fit(noisy[:4], clean[:4])


def test_later_stages_change_the_cleaning_and_survive_a_round_trip(pages, tmp_path):
    noisy, clean = pages
    staged = _staged_stack(512, 0.8).fit(noisy[:6], clean[:6])
    single = clone(staged).set_params(n_stages=1).fit(noisy[:6], clean[:6])
    assert not np.array_equal(staged.predict(noisy[6]), single.predict(noisy[6]))
    assert_array_equal(clone(staged).fit(noisy[:6], clean[:6]).predict(noisy[7]),
                       staged.predict(noisy[7]))
    save(staged, tmp_path / "staged.ddm")
    loaded = load(tmp_path / "staged.ddm")
    assert loaded.n_stages == 3 and len(loaded.later_stages_) == 2
    assert_array_equal(loaded.predict(noisy[7]), staged.predict(noisy[7]))


@pytest.mark.parametrize("params, message", [
    ({"n_stages": 0}, "n_stages must be 'auto' or an int >= 1"),
    ({"n_stages": 2.0}, "n_stages must be 'auto' or an int >= 1"),
    ({"n_stages": 2, "level1_maps": "out_of_fold"}, "needs a ContextDenoiser level 1 on in-sample"),
    ({"n_stages": 2, "level1": LEVEL1["cnn"]()}, "needs a ContextDenoiser level 1 on in-sample"),
])
def test_bad_stage_counts_are_refused(pages, params, message):  # before any fitting
    noisy, clean = pages
    with pytest.raises(ValueError, match=message):
        _stack("trees", **{"level1_maps": "in_sample", **params}).fit(noisy[:4], clean[:4])
