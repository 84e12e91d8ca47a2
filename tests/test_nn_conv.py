import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage as ndi

from dirtydocs.nn import conv3x3, conv3x3_backward, transform_filters

from . import _naive


def _case(rng, n, c_in, c_out, height, width):
    x = rng.standard_normal((n, c_in, height, width)).astype(np.float32)
    w = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32)
    b = rng.standard_normal(c_out).astype(np.float32)
    return x, w, b


def _assert_close_to_reference(got, expected):
    # Stated tolerance: 1e-4 of the output scale (float32 Winograd, sums of up to 33*9 terms).
    scale = max(1.0, float(np.abs(expected).max()))
    assert np.abs(got - expected).max() <= 1e-4 * scale


@pytest.mark.parametrize("height, width", [(1, 1), (1, 2), (2, 1), (3, 3), (4, 7), (5, 6),
                                           (9, 13), (16, 16), (37, 36), (36, 37)])
@pytest.mark.parametrize("n, c_in, c_out", [(1, 1, 1), (2, 3, 5), (3, 16, 1), (1, 33, 17)])
def test_forward_matches_float64_reference(rng, n, c_in, c_out, height, width):
    x, w, b = _case(rng, n, c_in, c_out, height, width)
    _assert_close_to_reference(conv3x3(x, w, b), _naive.conv3x3(x, w, b))


def test_forward_matches_scipy_correlate_on_one_channel(rng):
    x, w, _ = _case(rng, 1, 1, 1, 23, 30)
    expected = ndi.correlate(x[0, 0].astype(np.float64), w[0, 0].astype(np.float64),
                             mode="constant")
    assert_allclose(conv3x3(x, w)[0, 0], expected, atol=1e-5)


def test_blocks_that_span_tile_rows_and_images(rng):
    # 3 tile rows of 151 tiles per image: 128-tile blocks start mid-row, and each image's
    # last block is partial.
    x, w, b = _case(rng, 2, 2, 3, 5, 301)
    _assert_close_to_reference(conv3x3(x, w, b), _naive.conv3x3(x, w, b))


def test_pretransformed_filters_give_the_same_result(rng):
    x, w, b = _case(rng, 2, 4, 6, 11, 8)
    assert np.array_equal(conv3x3(x, w, b, transformed=transform_filters(w)), conv3x3(x, w, b))


@pytest.mark.parametrize("call, message", [
    (lambda x, w: conv3x3(x[0], w), "N, Cin, H, W"),
    (lambda x, w: conv3x3(x, w[:, :, :2]), r"\(Cout, Cin, 3, 3\)"),
    (lambda x, w: conv3x3(x, w[:, :1]), "expect 1 input channels but x has 2"),
    (lambda x, w: conv3x3(x, w, np.zeros(5)), "bias must have shape"),
    (lambda x, w: conv3x3(x, w, transformed=np.zeros((16, 3, 3), np.float32)), "transformed"),
])
def test_shape_errors(call, message):
    x = np.zeros((1, 2, 4, 4), np.float32)
    w = np.zeros((3, 2, 3, 3), np.float32)
    with pytest.raises(ValueError, match=message):
        call(x, w)


@pytest.mark.parametrize("height, width", [(1, 1), (2, 3), (5, 5), (8, 13), (37, 20)])
@pytest.mark.parametrize("n, c_in, c_out", [(1, 1, 1), (2, 3, 4), (3, 16, 1), (1, 33, 9)])
def test_backward_matches_float64_reference(rng, n, c_in, c_out, height, width):
    x, w, _ = _case(rng, n, c_in, c_out, height, width)
    grad_out = rng.standard_normal((n, c_out, height, width)).astype(np.float32)
    for got, expected in zip(conv3x3_backward(x, w, grad_out),
                             _naive.conv3x3_backward(x, w, grad_out)):
        assert got.dtype == np.float32 and got.shape == expected.shape
        _assert_close_to_reference(got, expected)


def test_gradients_match_finite_differences(rng):
    """The loss sum(conv3x3(x, w, b) * r) is linear in each argument: central differences
    in float64 on the reference are exact up to rounding, so they check the formulas."""
    x, w, b = _case(rng, 2, 3, 2, 6, 7)
    r = rng.standard_normal((2, 2, 6, 7))
    grad_x, grad_w, grad_b = conv3x3_backward(x, w, r.astype(np.float32))

    def loss(x_, w_, b_):
        return float((_naive.conv3x3(x_, w_, b_) * r).sum())

    step = 1e-3
    for array, grad, position in ((x, grad_x, (1, 2, 0, 6)), (x, grad_x, (0, 0, 3, 3)),
                                  (w, grad_w, (1, 0, 0, 2)), (w, grad_w, (0, 2, 1, 1)),
                                  (b, grad_b, (1,))):
        plus, minus = array.astype(np.float64), array.astype(np.float64)
        plus[position] += step
        minus[position] -= step
        args_plus = [plus if a is array else a for a in (x, w, b)]
        args_minus = [minus if a is array else a for a in (x, w, b)]
        numeric = (loss(*args_plus) - loss(*args_minus)) / (2 * step)
        assert grad[position] == pytest.approx(numeric, rel=1e-4, abs=1e-4)


def test_backward_shape_error():
    with pytest.raises(ValueError, match="grad_out has shape"):
        conv3x3_backward(np.zeros((1, 2, 4, 4)), np.zeros((3, 2, 3, 3)), np.zeros((1, 2, 4, 4)))


def test_gradients_do_not_depend_on_the_number_of_threads(rng):
    import numba

    x, w, _ = _case(rng, 2, 5, 6, 41, 67)
    grad_out = rng.standard_normal((2, 6, 41, 67)).astype(np.float32)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = conv3x3_backward(x, w, grad_out)
    finally:
        numba.set_num_threads(threads)
    for a, b in zip(one, conv3x3_backward(x, w, grad_out)):
        assert_array_equal(a, b)
