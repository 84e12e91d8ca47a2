import json
import zipfile

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from dirtydocs import DocumentDenoiser, InkSwitch, PixelRegressor, load, rmse, save
from dirtydocs.persist import FORMAT_VERSION
from dirtydocs.synth import make_pages, restain_pages

from .conftest import lit_page, two_kinds_pairs


def _small():
    return DocumentDenoiser(regressor=PixelRegressor(n_estimators=8), max_samples=6000,
                            random_state=0)


@pytest.fixture(scope="module")
def pairs():
    noisy, clean = make_pages(3, shape=(64, 90), random_state=4)
    covered = restain_pages(noisy, clean, 3, random_state=0)
    lifted = restain_pages(noisy, clean, 3, random_state=0, lifted_ink=1.0)
    return noisy, clean, covered, lifted


@pytest.fixture(scope="module")
def two_kinds():
    """Two pages of each kind of ink, their truth, and restained pairs for each kind."""
    noisy, clean = two_kinds_pairs()
    covered = restain_pages(noisy[:2], clean[:2], 2, random_state=0)
    lifted = restain_pages(noisy[2:], clean[2:], 2, random_state=0, lifted_ink=1.0)
    return noisy, clean, covered, lifted


@pytest.fixture(scope="module")
def switch(pairs):
    noisy, clean, covered, lifted = pairs
    return InkSwitch(covered=_small(), lifted=_small()).fit(
        noisy, clean, covered_extra=covered, lifted_extra=lifted)


def test_each_denoiser_learns_from_the_real_pairs_of_its_kind_and_its_extra_pairs(two_kinds):
    noisy, clean, covered, lifted = two_kinds
    switch = InkSwitch(covered=_small(), lifted=_small())
    assert switch.training_pages_for(noisy) == {"covered": [0, 1], "lifted": [2, 3]}
    switch.fit(noisy, clean, covered_extra=covered, lifted_extra=lifted)
    alone_covered = _small().fit(noisy[:2] + covered[0], clean[:2] + covered[1])
    alone_lifted = _small().fit(noisy[2:] + lifted[0], clean[2:] + lifted[1])
    for page in noisy:
        assert np.array_equal(switch.covered_.predict(page), alone_covered.predict(page))
        assert np.array_equal(switch.lifted_.predict(page), alone_lifted.predict(page))
    # With training_pages="all", both learn from every real page, as before the option.
    both = clone(switch).set_params(training_pages="all")
    assert both.training_pages_for(noisy) == {"covered": [0, 1, 2, 3], "lifted": [0, 1, 2, 3]}
    both.fit(noisy, clean, covered_extra=covered, lifted_extra=lifted)
    alone_covered = _small().fit(noisy + covered[0], clean + covered[1])
    assert np.array_equal(both.covered_.predict(noisy[0]), alone_covered.predict(noisy[0]))


def test_a_denoiser_no_real_page_goes_to_learns_from_them_all(pairs, switch):
    # Every page of `pairs` has covering ink, so none goes to `lifted`; it learns from all
    # of them rather than from its extra pairs alone.
    noisy, clean, covered, lifted = pairs
    assert switch.training_pages_for(noisy) == {"covered": [0, 1, 2], "lifted": [0, 1, 2]}
    alone_covered = _small().fit(noisy + covered[0], clean + covered[1])
    alone_lifted = _small().fit(noisy + lifted[0], clean + lifted[1])
    page = noisy[0]
    assert np.array_equal(switch.covered_.predict(page), alone_covered.predict(page))
    assert np.array_equal(switch.lifted_.predict(page), alone_lifted.predict(page))
    assert not np.array_equal(alone_covered.predict(page), alone_lifted.predict(page))
    # The parameters are left unfitted, as scikit-learn expects.
    assert not hasattr(switch.covered, "regressor_")


def test_each_page_is_cleaned_by_the_denoiser_its_ink_calls_for(switch):
    covering, lifted = lit_page(lift=0.0), lit_page(lift=0.8, seed=1)
    assert switch.route(covering) == "covered"
    assert switch.route(lifted) == "lifted"
    assert switch.denoiser_for(covering) is switch.covered_
    assert switch.denoiser_for(lifted) is switch.lifted_
    assert np.array_equal(switch.predict(covering), switch.covered_.predict(covering))
    assert np.array_equal(switch.predict(lifted), switch.lifted_.predict(lifted))
    both = switch.predict([covering, lifted])
    assert np.array_equal(both[0], switch.covered_.predict(covering))
    assert np.array_equal(both[1], switch.lifted_.predict(lifted))
    # The threshold decides: below every slope, every page is "covered".
    assert clone(switch).set_params(threshold=-5).route(lifted) == "covered"
    assert switch.score([covering, lifted], [np.ones_like(covering), np.ones_like(lifted)]) == (
        pytest.approx(-rmse([np.ones_like(covering), np.ones_like(lifted)], both)))


def test_a_saved_switch_loads_as_it_was_and_needs_the_newest_format(switch, tmp_path):
    path = tmp_path / "switch.ddm"
    save(switch, path)
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("manifest.json"))["format_version"] == FORMAT_VERSION
    loaded = load(path)
    assert loaded.get_params()["threshold"] == switch.threshold
    assert loaded.get_params()["training_pages"] == "own_kind" == switch.training_pages
    for page in (lit_page(lift=0.0), lit_page(lift=0.8, seed=1)):
        assert loaded.route(page) == switch.route(page)
        assert np.array_equal(loaded.predict(page), switch.predict(page))
    # Like other loaded models, its parameters are unfitted copies of its parts.
    assert clone(loaded).covered.get_params()["max_samples"] == 6000


def test_a_version_7_switch_is_read_as_learning_from_every_real_page(switch, tmp_path):
    # Version 7 files predate training_pages; their two denoisers learned from every
    # real page (the bundled model's tenth and eleventh builds).
    from tests.test_persist import _rewrite

    def as_version_7(members):
        manifest = json.loads(members["manifest.json"])
        manifest["format_version"] = 7
        del manifest["model"]["params"]["training_pages"]
        members["manifest.json"] = json.dumps(manifest).encode()

    save(switch, tmp_path / "new.ddm")
    _rewrite(tmp_path / "new.ddm", tmp_path / "old.ddm", as_version_7)
    old = load(tmp_path / "old.ddm")
    assert old.training_pages == "all"
    page = lit_page(lift=0.8, seed=1)
    assert np.array_equal(old.predict(page), switch.predict(page))


def test_switch_errors(pairs):
    noisy, clean, covered, _ = pairs
    with pytest.raises(NotFittedError):
        InkSwitch().predict(noisy[0])
    with pytest.raises(NotFittedError):
        InkSwitch().denoiser_for(noisy[0])
    with pytest.raises(ValueError, match="threshold"):
        InkSwitch(covered=_small(), lifted=_small(), threshold="low").fit(noisy, clean)
    with pytest.raises(ValueError, match="training_pages must be one of own_kind, all"):
        InkSwitch(covered=_small(), lifted=_small(), training_pages="mine").fit(noisy, clean)
    with pytest.raises(ValueError, match="lifted_extra must be a pair"):
        InkSwitch(covered=_small(), lifted=_small()).fit(noisy, clean,
                                                          lifted_extra=covered[0])
    with pytest.raises(ValueError):
        InkSwitch(covered=_small(), lifted=_small()).fit(
            noisy, clean, covered_extra=(covered[0], covered[1][:1]))


def test_the_bundled_model_is_a_switch_small_enough_to_ship():
    from dirtydocs import load_default
    from dirtydocs._default import default_model_path

    assert default_model_path().stat().st_size <= 25 * 10**6  # issue 4's limit
    model = load_default()
    assert isinstance(model, InkSwitch)
    lifted = lit_page(lift=0.8, seed=1)
    assert model.route(lit_page(lift=0.0)) == "covered" and model.route(lifted) == "lifted"
    assert np.array_equal(model.predict(lifted), model.lifted_.predict(lifted))
    # Two models that learned from different pairs, not one stored twice.
    assert not np.array_equal(model.lifted_.predict(lifted), model.covered_.predict(lifted))
