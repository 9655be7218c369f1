"""Gradient checks: the gradcheck helpers themselves, then the LSTM backward under every activation choice."""
import itertools

import numpy as np
import pytest

from lstm_utils.gradcheck import check_lstm_gradients, numerical_gradient, relative_error
from lstm_utils.lstm import (
    LSTMParams,
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_step,
    stack_lstm_params,
)

GATES = ["sigmoid", "hard_sigmoid", "relu"]
CANDIDATES = ["tanh", "relu", "identity"]
CELLS = ["tanh", "identity", "relu"]
KINKS = {"sigmoid": [], "tanh": [], "identity": [], "relu": [0.0], "hard_sigmoid": [-3.0, 3.0]}
TOLERANCE = 1e-7
EPS = 1e-6
MARGIN = 1e-3        # every pre-activation stays this far from a kink: 1000 times the step eps
GRAD_FLOOR = 1e-3    # every gradient array is exactly zero or at least this large (see well_conditioned)


# --------------------------------------------------------------------------- the helpers

def test_numerical_gradient_of_a_known_function():
    x = np.array([[0.3, -1.2, 2.0], [0.0, 0.7, -0.4]])
    A = np.arange(6.0).reshape(2, 3)
    f = lambda z: float(np.sum(A * z ** 3) + np.sum(np.sin(z)))
    numeric = numerical_gradient(f, x)
    np.testing.assert_allclose(numeric, 3 * A * x ** 2 + np.cos(x), rtol=0, atol=1e-8)


def test_numerical_gradient_restores_x_exactly():
    x = np.random.default_rng(0).standard_normal((3, 4))
    before = x.copy()
    numerical_gradient(lambda z: float(np.sum(z ** 2)), x)
    np.testing.assert_array_equal(x, before)

    def failing(z):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(failing, x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_bad_input():
    with pytest.raises(TypeError, match=r"x must be a floating-point NumPy array"):
        numerical_gradient(lambda z: 0.0, np.arange(3))
    with pytest.raises(TypeError, match=r"x must be a floating-point NumPy array, got list"):
        numerical_gradient(lambda z: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"eps must be a positive float"):
        numerical_gradient(lambda z: 0.0, np.zeros(2), eps=0.0)


def test_relative_error():
    a = np.array([3.0, 4.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0           # no 0/0
    assert relative_error(a, np.zeros(2)) == 1.0
    assert relative_error(a, -a) == 2.0
    assert relative_error(a, a * (1 + 1e-9)) == pytest.approx(1e-9, rel=1e-3)
    assert relative_error(1000 * a, 1000 * a * (1 + 1e-9)) == pytest.approx(1e-9, rel=1e-3)   # scale-free
    with pytest.raises(ValueError, match=r"a and b must have the same shape"):
        relative_error(np.zeros(2), np.zeros(3))


def test_check_lstm_gradients_bad_input():
    rng = np.random.default_rng(0)
    params = init_lstm_params(2, 3, rng)
    X = rng.standard_normal((2, 1, 2))
    with pytest.raises(TypeError, match=r"X must be float64 for a gradient check"):
        check_lstm_gradients(X.astype(np.float32), None, params)
    params32 = LSTMParams(*(p.astype(np.float32) for p in params))
    with pytest.raises(TypeError, match=r"params must be float64 for a gradient check"):
        check_lstm_gradients(X, None, params32)
    with pytest.raises(TypeError, match=r"state\[0\] \(H\) must have dtype float64"):
        check_lstm_gradients(X, (np.zeros((1, 3), np.float32), np.zeros((1, 3))), params)
    with pytest.raises(ValueError, match=r"gate_activation must be one of"):
        check_lstm_gradients(X, None, params, gate_activation="step")
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator"):
        check_lstm_gradients(X, None, params, rng=3)


def test_check_lstm_gradients_catches_a_wrong_backward(monkeypatch):
    """The check has teeth: a backward pass with one wrong factor is reported."""
    import lstm_utils.gradcheck as gc

    rng = np.random.default_rng(1)
    params = init_lstm_params(2, 3, rng)
    X = rng.standard_normal((3, 2, 2))
    real_backward = gc.lstm_backward

    def wrong_backward(d_outputs, cache, *, d_state=None):
        dX, grads, (dH_0, dC_0) = real_backward(d_outputs, cache, d_state=d_state)
        return dX, grads._replace(W_hf=1.01 * grads.W_hf), (dH_0, dC_0)

    monkeypatch.setattr(gc, "lstm_backward", wrong_backward)
    errors = check_lstm_gradients(X, None, params)
    assert errors["W_hf"] > 1e-3
    assert max(v for k, v in errors.items() if k != "W_hf") <= TOLERANCE


def test_check_lstm_gradients_leaves_inputs_alone():
    rng = np.random.default_rng(2)
    params = init_lstm_params(2, 2, rng)
    X = rng.standard_normal((2, 1, 2))
    state = (rng.standard_normal((1, 2)), rng.standard_normal((1, 2)))
    copies = [a.copy() for a in (X, *state, *params)]
    errors = check_lstm_gradients(X, state, params)
    assert list(errors) == [*LSTMParams._fields, "X", "H_0", "C_0"]
    for before, after in zip(copies, (X, *state, *params), strict=True):
        np.testing.assert_array_equal(before, after)


# --------------------------------------------------------------------------- every activation choice

def kink_margin(X, state, params, gate, candidate, cell):
    """The smallest distance of any pre-activation (and of C_t for the cell squashing) to a kink.

    Returns the margin and the pre-activations Z (T, n, 4h) in the order i, f, o, c. Uses only the
    public API (lstm_step), so it does not depend on how lstm_forward caches its values.
    """
    W_x, W_h, b = stack_lstm_params(params)
    h = params.num_hiddens
    acts = dict(gate_activation=gate, candidate_activation=candidate, cell_activation=cell)
    H, C = state
    Z, cells = [], []
    for X_t in X:
        Z.append(X_t @ W_x + H @ W_h + b)
        H, C = lstm_step(X_t, (H, C), params, **acts)
        cells.append(C)
    Z, cells = np.array(Z), np.array(cells)
    margin = np.inf
    for values, name in ((Z[..., :3 * h], gate), (Z[..., 3 * h:], candidate), (cells, cell)):
        for kink in KINKS[name]:
            margin = min(margin, float(np.min(np.abs(values - kink))))
    return margin, Z


def well_conditioned(X, state, params, seed, **activations):
    """True if every analytic gradient array is exactly 0 or has norm >= GRAD_FLOOR.

    The central difference has an absolute rounding error of about 1e-16 |L| / eps ~ 1e-10; the
    relative error of a gradient whose true norm is ~1e-5 (e.g. a 1x1 case where the random loss
    weights R and r1 nearly cancel) measures that noise, not the backward pass. The loss weights are
    drawn exactly as check_lstm_gradients draws them from np.random.default_rng(seed).
    """
    outputs, (H_T, C_T), cache = lstm_forward(X, state, params, **activations)
    rng = np.random.default_rng(seed)
    R = rng.standard_normal(outputs.shape)
    d_state = (rng.standard_normal(H_T.shape), rng.standard_normal(C_T.shape))
    dX, grads, (dH_0, dC_0) = lstm_backward(R, cache, d_state=d_state)
    norms = [np.linalg.norm(g) for g in (*grads, dX, dH_0, dC_0)]
    return all(v == 0 or v >= GRAD_FLOOR for v in norms)


def problem_away_from_kinks(gate, candidate, cell, T=3, n=2, d=3, h=2):
    """The first seed whose pre-activations all keep MARGIN from every kink (verified, not assumed)."""
    for seed in range(100):
        rng = np.random.default_rng(seed)
        # scale 2 so that hard-sigmoid gates also visit their flat parts (|z| > 3)
        params = init_lstm_params(d, h, rng, scale=2.0 if gate == "hard_sigmoid" else None)
        X = rng.standard_normal((T, n, d))
        state = (rng.standard_normal((n, h)), rng.standard_normal((n, h)))
        margin, Z = kink_margin(X, state, params, gate, candidate, cell)
        acts = dict(gate_activation=gate, candidate_activation=candidate, cell_activation=cell)
        if margin > MARGIN and well_conditioned(X, state, params, seed, **acts):
            return X, state, params, seed, Z
    raise AssertionError(f"no seed below 100 keeps the pre-activations {MARGIN} away from a kink "
                         f"with every gradient 0 or >= {GRAD_FLOOR}")


COMBOS = list(itertools.product(GATES, CANDIDATES, CELLS))


@pytest.mark.parametrize("gate, candidate, cell", COMBOS)
def test_gradients_of_every_parameter(gate, candidate, cell):
    X, state, params, seed, Z = problem_away_from_kinks(gate, candidate, cell)
    h = params.num_hiddens
    if gate == "hard_sigmoid":                  # both the sloped and the flat parts are exercised
        gates = Z[..., :3 * h]
        assert np.any(np.abs(gates) < 3) and np.any(np.abs(gates) > 3)
    if gate == "relu":
        assert np.any(Z[..., :3 * h] < 0) and np.any(Z[..., :3 * h] > 0)
    errors = check_lstm_gradients(X, state, params, eps=EPS, rng=np.random.default_rng(seed),
                                  gate_activation=gate, candidate_activation=candidate, cell_activation=cell)
    assert set(errors) == {*LSTMParams._fields, "X", "H_0", "C_0"}
    worst = max(errors, key=errors.get)
    assert errors[worst] <= TOLERANCE, f"{worst}: relative error {errors[worst]:.2e} (seed {seed})"


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (6, 1, 2, 3), (2, 4, 1, 2)])
def test_gradients_with_zero_initial_state(shape):
    T, n, d, h = shape
    for seed in range(100):
        rng = np.random.default_rng(seed)
        params = init_lstm_params(d, h, rng, forget_bias=1.0)
        X = rng.standard_normal((T, n, d))
        if well_conditioned(X, None, params, seed):
            break
    else:
        raise AssertionError(f"no seed below 100 gives every gradient 0 or >= {GRAD_FLOOR}")
    errors = check_lstm_gradients(X, None, params, rng=np.random.default_rng(seed))
    worst = max(errors, key=errors.get)
    assert errors[worst] <= TOLERANCE, f"{worst}: relative error {errors[worst]:.2e} (seed {seed})"
