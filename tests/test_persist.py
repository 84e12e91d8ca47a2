import json
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from dirtydocs import (DocumentDenoiser, FeatureExtractor, PixelRegressor, load, load_default,
                       save)
from dirtydocs.models.forest import CompiledForest
from dirtydocs.persist import FORMAT_VERSION, ModelFileError
from dirtydocs.synth import make_pages


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    noisy, clean = make_pages(2, shape=(48, 64), random_state=0)
    features = FeatureExtractor(median_sizes=(9,), normalise_size=9, sauvola_windows=(9,),
                                niblack_windows=(), window_size=3, closing_sizes=(5,))
    model = DocumentDenoiser(features=features, max_samples=4000, random_state=0,
                             regressor=PixelRegressor(method="random_forest", n_estimators=8))
    model.fit(noisy, clean)
    path = tmp_path_factory.mktemp("model") / "model.ddm"
    save(model, path)
    return model, path, noisy


def test_round_trip_gives_identical_predictions_and_params(fitted):
    model, path, noisy = fitted
    loaded = load(path)
    assert_array_equal(loaded.predict(noisy[0]), model.predict(noisy[0]))
    assert loaded.get_params()["max_samples"] == 4000
    assert loaded.features_.get_params() == model.features_.get_params()
    assert loaded.features_.closing_sizes == (5,)
    assert loaded.regressor_.get_params() == model.regressor_.get_params()


def _fitted_pixel_regressors(model):
    if isinstance(model, PixelRegressor) and hasattr(model, "forest_"):
        yield model
    for value in vars(model).values():
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, tuple) and len(part) == 2:  # a stack's (name, model)
                part = part[1]
            if hasattr(part, "get_params"):
                yield from _fitted_pixel_regressors(part)


@pytest.mark.parametrize("which", ["fitted", "bundled"])
def test_loaded_trees_are_compiled_from_the_file_as_from_the_booster(fitted, which):
    # The loader compiles each forest from the text it read instead of asking LightGBM to
    # write the booster out again; both must give the same arrays.
    loaded = load(fitted[1]) if which == "fitted" else load_default()
    regressors = list(_fitted_pixel_regressors(loaded))
    assert len(regressors) == (1 if which == "fitted" else 8)
    for regressor in regressors:
        from_booster = CompiledForest(regressor.booster_)
        for name, value in vars(from_booster).items():
            assert_array_equal(getattr(regressor.forest_, name), value, err_msg=name)


def test_file_is_a_zip_of_json_and_text_only(fitted):
    _, path, _ = fitted
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "dirtydocs-model"
    # Only a file with an ink switch needs a newer version (test_switch.py).
    assert manifest["format_version"] == 6 < FORMAT_VERSION
    assert all(name.endswith((".json", ".txt")) for name in names)


def test_the_same_model_saved_later_is_the_same_file(fitted, tmp_path, monkeypatch):
    import time

    model, path, _ = fitted
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # another day
    save(model, tmp_path / "later.ddm")
    assert (tmp_path / "later.ddm").read_bytes() == path.read_bytes()


def _rewrite(source, target, change):
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _edit_manifest(key, value):
    def change(members):
        manifest = json.loads(members["manifest.json"])
        manifest[key] = value
        members["manifest.json"] = json.dumps(manifest).encode()
    return change


@pytest.mark.parametrize("version, missing, params", [
    # Format 1 predates the local-paper features, format 6 the grey closings: their
    # extractors must be read with none, or the trees would be fed columns they never saw.
    (1, ("paper_sigmas", "paper_ratio", "closing_sizes"), {"paper_sigmas": ()}),
    (5, ("closing_sizes",), {}),
])
def test_older_files_load_with_their_feature_layout(tmp_path, version, missing, params):
    noisy, clean = make_pages(2, shape=(48, 64), random_state=0)
    features = FeatureExtractor(median_sizes=(9,), normalise_size=9, sauvola_windows=(9,),
                                niblack_windows=(), window_size=3, closing_sizes=(), **params)
    model = DocumentDenoiser(features=features, max_samples=4000, random_state=0,
                             regressor=PixelRegressor(n_estimators=5)).fit(noisy, clean)
    save(model, tmp_path / "new.ddm")

    def as_older_format(members):
        manifest = json.loads(members["manifest.json"])
        manifest["format_version"] = version
        for key in missing:
            del manifest["model"]["features"]["params"][key]
        members["manifest.json"] = json.dumps(manifest).encode()

    _rewrite(tmp_path / "new.ddm", tmp_path / "old.ddm", as_older_format)
    loaded = load(tmp_path / "old.ddm")
    assert loaded.features_.get_params() == model.features_.get_params()
    assert_array_equal(loaded.predict(noisy[0]), model.predict(noisy[0]))


def _tamper_booster(members):
    name = next(n for n in members if n.endswith(".txt"))
    members[name] = members[name].replace(b"leaf_value=", b"leaf_value=9", 1)


@pytest.mark.parametrize("change, message", [
    (_tamper_booster, "fails its checksum"),
    (lambda m: m.pop(next(n for n in m if n.endswith(".txt"))), "is missing"),
    (_edit_manifest("format_version", 99), "format version 99"),
    (_edit_manifest("format", "other"), "not a dirtydocs model"),
    (lambda m: m.pop("manifest.json"), "no manifest"),
    (lambda m: m.update({"manifest.json": b"{not json"}), "damaged model manifest"),
])
def test_tampered_files_are_refused(fitted, tmp_path, change, message):
    _, path, _ = fitted
    _rewrite(path, tmp_path / "bad.ddm", change)
    with pytest.raises(ModelFileError, match=message):
        load(tmp_path / "bad.ddm")


def test_truncated_and_foreign_files_are_refused(fitted, tmp_path):
    _, path, _ = fitted
    data = path.read_bytes()
    (tmp_path / "cut.ddm").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="cut.ddm: not a dirtydocs model file or truncated"):
        load(tmp_path / "cut.ddm")
    (tmp_path / "page.ddm").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ModelFileError, match="page.ddm"):
        load(tmp_path / "page.ddm")
    with pytest.raises(FileNotFoundError, match="no such model file"):
        load(tmp_path / "absent.ddm")


def test_unfitted_or_foreign_objects_cannot_be_saved(tmp_path):
    with pytest.raises(TypeError, match="not a dirtydocs model"):
        save(object(), tmp_path / "x.ddm")
    with pytest.raises(AttributeError):
        save(DocumentDenoiser(), tmp_path / "y.ddm")
    assert not any(tmp_path.iterdir())


def test_random_state_objects_are_refused_with_a_reason(fitted, tmp_path):
    model, _, _ = fitted
    model = DocumentDenoiser(**{**model.get_params(deep=False),
                                "random_state": np.random.RandomState(0)})
    model.features_, model.regressor_ = fitted[0].features_, fitted[0].regressor_
    model.n_training_pixels_ = 1
    with pytest.raises(TypeError, match="use an int random_state"):
        save(model, tmp_path / "z.ddm")
