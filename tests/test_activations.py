"""Activations: values, derivatives against finite differences, stability, dtype, lookup by name."""
import warnings

import numpy as np
import pytest

from lstm_utils.activations import (
    ACTIVATIONS,
    get_activation,
    hard_sigmoid,
    relu,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)

NAMES = sorted(ACTIVATIONS)
KINKS = {"relu": [0.0], "hard_sigmoid": [-3.0, 3.0]}


def away_from_kinks(name, x, margin=1e-3):
    """x with the points closer than `margin` to one of the activation's kinks removed."""
    keep = np.ones(x.shape, dtype=bool)
    for k in KINKS.get(name, []):
        keep &= np.abs(x - k) > margin
    return x[keep]


@pytest.mark.parametrize("name", NAMES)
def test_derivative_equals_central_difference(name):
    act = ACTIVATIONS[name]
    x = away_from_kinks(name, np.linspace(-8.0, 8.0, 2001))
    eps = 1e-6
    numeric = (act.fn(x + eps) - act.fn(x - eps)) / (2 * eps)
    np.testing.assert_allclose(act.grad(x), numeric, rtol=0, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_grad_from_output_matches_grad(name):
    act = ACTIVATIONS[name]
    x = away_from_kinks(name, np.linspace(-8.0, 8.0, 2001))
    np.testing.assert_allclose(act.grad_from_output(act.fn(x)), act.grad(x), rtol=0, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_are_kept(name, dtype):
    act = ACTIVATIONS[name]
    x = np.linspace(-5, 5, 24, dtype=dtype).reshape(2, 3, 4)
    for y in (act.fn(x), act.grad(x), act.grad_from_output(act.fn(x))):
        assert y.dtype == dtype
        assert y.shape == x.shape


def test_tanh_is_a_rescaled_sigmoid():
    x = np.linspace(-20, 20, 4001)
    np.testing.assert_allclose(tanh(x), 2 * sigmoid(2 * x) - 1, rtol=0, atol=1e-15)


def test_slopes_at_zero():
    assert sigmoid_grad(np.array(0.0)) == 0.25
    assert tanh_grad(np.array(0.0)) == 1.0
    assert sigmoid(np.array(0.0)) == 0.5


def test_sigmoid_extremes_are_finite_without_warning():
    x = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for dtype in (np.float64, np.float32):
            y = sigmoid(x.astype(dtype))
            g = sigmoid_grad(x.astype(dtype))
            assert np.all(np.isfinite(y)) and np.all(np.isfinite(g))
            assert y[0] == 0.0 and y[-1] == 1.0
            assert np.all((y >= 0) & (y <= 1))
            assert np.all(np.diff(y) >= 0)


def test_sigmoid_symmetry():
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), rtol=0, atol=1e-15)


def test_hard_sigmoid_is_pytorchs():
    torch = pytest.importorskip("torch")
    x = np.linspace(-6, 6, 241)
    expected = torch.nn.functional.hardsigmoid(torch.tensor(x)).numpy()
    np.testing.assert_allclose(hard_sigmoid(x), expected, rtol=0, atol=1e-15)


def test_relu_values():
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


@pytest.mark.parametrize("bad", ["softmax", "Sigmoid", "", None, 3])
def test_unknown_activation_name(bad):
    with pytest.raises(ValueError, match=r"gate_activation must be one of \['hard_sigmoid', 'identity'"):
        get_activation(bad, "gate_activation")
