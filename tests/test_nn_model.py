import json
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

from dirtydocs import load, save
from dirtydocs.metrics import rmse
from dirtydocs.nn import Adam, LeakyReLU, ResidualCNN, SmallCNN
from dirtydocs.nn.patches import masked_mse, sample_patches
from dirtydocs.persist import ModelFileError
from dirtydocs.synth import make_pages


def test_leaky_relu_matches_numpy(rng):
    x = rng.standard_normal((3, 4, 5, 7)).astype(np.float32)
    act = LeakyReLU(0.2)
    y = act.forward(x.copy())
    assert_array_equal(y, np.where(x < 0, np.float32(0.2) * x, x))
    grad = rng.standard_normal(x.shape).astype(np.float32)
    assert_array_equal(act.backward(grad.copy()), np.where(x < 0, np.float32(0.2) * grad, grad))


def test_network_gradients_match_finite_differences(rng):
    """d(loss)/d(weight) of a whole network against central differences in float32.

    A slope of 1 makes the activations linear, so the loss is quadratic in each weight and
    central differences are exact up to rounding (with kinks, steps that cross them are
    off by several percent). The activation's own gradient is tested above.
    """
    net = ResidualCNN.initialise(2, 3, 4, rng, negative_slope=1.0)
    for layer in net.layers:  # a non-zero last layer, so every layer gets a gradient
        layer.weight[...] = rng.standard_normal(layer.weight.shape) * 0.3
        layer.bias[...] = rng.standard_normal(layer.bias.shape) * 0.1
    net.parameters_changed()
    x = rng.random((2, 2, 9, 8), dtype=np.float32)
    target = rng.random((2, 1, 9, 8), dtype=np.float32)
    weight = np.ones_like(target)

    def loss():
        return masked_mse(net.forward(x.copy()), target, weight)[0]

    _, grad = masked_mse(net.forward(x.copy(), training=True), target, weight)
    net.backward(grad)
    for layer in net.layers:
        for name in ("weight", "bias"):
            values, analytic = getattr(layer, name), getattr(layer, "grad_" + name)
            for index in list(np.ndindex(values.shape))[::7]:
                saved = values[index]
                values[index] = saved + 1e-3
                net.parameters_changed()
                up = loss()
                values[index] = saved - 1e-3
                net.parameters_changed()
                down = loss()
                values[index] = saved
                net.parameters_changed()
                numeric = (up - down) / 2e-3
                assert abs(numeric - analytic[index]) <= 5e-3 * (1e-2 + abs(analytic[index]))


def test_fresh_network_is_the_identity_on_channel_zero(rng):
    net = ResidualCNN.initialise(3, 4, 8, rng)
    x = rng.random((1, 3, 11, 6), dtype=np.float32)
    assert_array_equal(net.forward(x.copy()), x[:, :1])


def test_adam_matches_the_textbook_update():
    class Parameter:
        w = np.array([1.0, -2.0], np.float32)
    p = Parameter()
    adam = Adam([(p, "w")], learning_rate=0.01, beta1=0.9, beta2=0.99, eps=1e-8)
    m = v = np.zeros(2)
    w = p.w.astype(np.float64)
    for step, grad in enumerate([np.array([0.5, -1.0]), np.array([0.25, 2.0])], start=1):
        p.grad_w = grad.astype(np.float32)
        adam.step()
        m = 0.9 * m + 0.1 * grad
        v = 0.99 * v + 0.01 * grad ** 2
        w = w - 0.01 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.99 ** step)) + 1e-8)
    assert_allclose(p.w, w, rtol=1e-6)


def test_patches_come_from_the_pages_and_mask_interior_margins(rng):
    page = np.arange(40 * 50, dtype=np.float32).reshape(40, 50)
    x, y, weight = sample_patches([page[None]], [page], n_patches=50, size=16, margin=3, rng=rng)
    for patch, target, mask in zip(x[:, 0], y[:, 0], weight[:, 0]):
        assert_array_equal(patch, target)
        # Undo the flips by sorting: rows then columns must be a contiguous window of the page.
        window = np.sort(np.sort(patch, axis=0), axis=1)
        top, left = divmod(int(window[0, 0]), 50)
        assert_array_equal(window, page[top:top + 16, left:left + 16])
        on_page_border = {0: top == 0, 1: top + 16 == 40}
        # An interior side has a 3-pixel margin of weight 0; a page border keeps weight.
        rows_weighted = mask.any(axis=1)
        assert rows_weighted.sum() == 16 - 3 * sum(not v for v in on_page_border.values())


def test_patches_of_a_page_smaller_than_the_patch_are_padded(rng):
    page = np.full((5, 7), 0.5, np.float32)
    x, y, weight = sample_patches([page[None]], [page], n_patches=4, size=8, margin=2, rng=rng)
    assert weight.sum(axis=(1, 2, 3)).tolist() == [35.0] * 4
    assert x.sum(axis=(1, 2, 3)).tolist() == [17.5] * 4


@pytest.fixture(scope="module")
def synthetic():
    noisy, clean = make_pages(6, shape=(64, 96), random_state=3)
    return noisy, clean


def _small(**params):
    defaults = dict(n_layers=4, n_channels=8, patch_size=32, batch_size=8, max_epochs=6,
                    patches_per_epoch=64, learning_rate=3e-3, random_state=0)
    return SmallCNN(**{**defaults, **params})


@pytest.fixture(scope="module")
def fitted(synthetic):
    noisy, clean = synthetic
    return _small().fit(noisy[:4], clean[:4])


def test_fit_returns_self_and_learns(synthetic):
    noisy, clean = synthetic
    model = _small(max_epochs=15, validation_fraction=0.0)
    assert model.fit(noisy[:4], clean[:4]) is model
    cleaned = model.predict(noisy[4:])
    assert rmse(clean[4:], cleaned) < 0.8 * rmse(clean[4:], noisy[4:])
    assert model.best_epoch_ == 15 and len(model.history_["epoch"]) == 15


def test_same_seed_same_model_and_clone(synthetic, fitted):
    noisy, clean = synthetic
    again = clone(fitted).fit(noisy[:4], clean[:4])
    assert again.get_params() == fitted.get_params()
    for a, b in zip(again.network_.layers, fitted.network_.layers):
        assert_array_equal(a.weight, b.weight)
    assert_array_equal(again.predict(noisy[5]), fitted.predict(noisy[5]))


def test_early_stopping_keeps_the_best_validation_epoch(fitted):
    scores = fitted.history_["validation_rmse"]
    assert fitted.best_epoch_ == 1 + int(np.argmin(scores))


@pytest.mark.parametrize("tile_size", [10, 18, 32])
def test_tiled_prediction_equals_whole_page(fitted, rng, tile_size):
    page = rng.random((45, 71), dtype=np.float32)
    whole = fitted._predict_page(page[None], tile_size=10_000)
    assert_array_equal(fitted._predict_page(page[None], tile_size=tile_size), whole)


def test_several_input_channels(synthetic):
    noisy, clean = synthetic
    inputs = [np.stack([n, 1 - n, n * n], axis=-1) for n in noisy[:3]]
    model = _small(max_epochs=1).fit(inputs, clean[:3])
    assert model.n_channels_in_ == 3
    assert model.predict(inputs[0]).shape == noisy[0].shape
    with pytest.raises(ValueError, match="fitted on 3"):
        model.predict(noisy[0])


@pytest.mark.parametrize("inputs, targets, message", [
    ([np.zeros((8, 8))], [np.zeros((8, 9))], "inputs\\[0\\] is"),
    ([np.zeros((8, 8))], [np.zeros((8, 8)), np.zeros((8, 8))], "1 input pages but 2"),
    ([np.full((8, 8), np.nan)], [np.zeros((8, 8))], "NaN"),
    ([np.zeros((8, 8)), np.zeros((8, 8, 2))], [np.zeros((8, 8))] * 2, "same channels"),
    ([np.zeros((8, 8))], [np.full((8, 8), 2.0)], "targets\\[0\\]"),
])
def test_bad_training_data_is_named(inputs, targets, message):
    with pytest.raises(ValueError, match=message):
        _small().fit(inputs, targets)


def test_bad_parameters_are_refused(synthetic):
    noisy, clean = synthetic
    with pytest.raises(ValueError, match="n_layers"):
        _small(n_layers=0).fit(noisy[:2], clean[:2])
    with pytest.raises(ValueError, match="validation_fraction"):
        _small(validation_fraction=1.0).fit(noisy[:2], clean[:2])


def test_saved_cnn_round_trips_without_pickle(fitted, synthetic, tmp_path):
    noisy, _ = synthetic
    path = tmp_path / "cnn.ddm"
    save(fitted, path)
    loaded = load(path)
    assert loaded.get_params() == fitted.get_params()
    assert_array_equal(loaded.predict(noisy[5]), fitted.predict(noisy[5]))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        weights = next(n for n in names if n.endswith(".npz"))
        np.load(archive.open(weights), allow_pickle=False)  # plain arrays only
        spec = json.loads(archive.read("manifest.json"))["model"]
    assert spec["class"] == "SmallCNN" and len(spec["architecture"]["layers"]) == 4


def test_saved_cnn_with_mismatched_architecture_is_refused(fitted, tmp_path):
    path = tmp_path / "cnn.ddm"
    save(fitted, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["model"]["architecture"]["layers"][1] = [8, 5, 3, 3]
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(tmp_path / "bad.ddm", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ModelFileError, match="layer 1 weights"):
        load(tmp_path / "bad.ddm")


def test_diverging_training_falls_back_to_the_best_weights_with_a_smaller_step(synthetic):
    noisy, clean = synthetic
    # A step far too large: at 0.5 some synthetic pages still let the training settle.
    model = _small(learning_rate=2.0, max_epochs=6, n_iter_no_change=6, lr_patience=2)
    model.fit(noisy[:4], clean[:4])
    rates = model.history_["learning_rate"]
    assert rates[0] == 2.0 and rates[-1] < 2.0
    assert all(b <= a for a, b in zip(rates, rates[1:]))
    # The kept weights are the best epoch's, whatever happened after it.
    best_score = min(model.history_["validation_rmse"])
    page = model.history_["validation_rmse"].index(best_score) + 1
    assert model.best_epoch_ == page
