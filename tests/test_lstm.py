"""The NumPy LSTM on its own: step vs layer, value ranges, dtypes, parameters, and bad input."""
import itertools
import warnings

import numpy as np
import pytest

from lstm_utils.lstm import (
    LSTMCache,
    LSTMParams,
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_step,
    lstm_step_values,
    num_lstm_params,
    stack_lstm_params,
    unstack_lstm_params,
)

GATES = ["sigmoid", "hard_sigmoid", "relu"]
CANDIDATES = ["tanh", "relu", "identity"]
CELLS = ["tanh", "identity", "relu"]


def make_problem(T=4, n=3, d=5, h=2, seed=0, dtype=np.float64, with_state=True):
    rng = np.random.default_rng(seed)
    params = init_lstm_params(d, h, rng, dtype=dtype)
    X = rng.standard_normal((T, n, d)).astype(dtype)
    state = None
    if with_state:
        state = (rng.standard_normal((n, h)).astype(dtype), rng.standard_normal((n, h)).astype(dtype))
    return X, state, params


# --------------------------------------------------------------------------- step vs layer

@pytest.mark.parametrize("T, n, d, h", [(1, 1, 1, 1), (5, 3, 4, 2), (7, 2, 1, 6)])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("gate, candidate, cell", [("sigmoid", "tanh", "tanh"),
                                                   ("hard_sigmoid", "relu", "identity"),
                                                   ("relu", "identity", "relu")])
def test_step_loop_equals_forward(T, n, d, h, with_state, gate, candidate, cell):
    X, state, params = make_problem(T, n, d, h, seed=T + 10 * h, with_state=with_state)
    acts = dict(gate_activation=gate, candidate_activation=candidate, cell_activation=cell)
    outputs, (H_T, C_T), _ = lstm_forward(X, state, params, **acts)
    H, C = state if with_state else (np.zeros((n, h)), np.zeros((n, h)))
    for t in range(T):
        H, C = lstm_step(X[t], (H, C), params, **acts)
        np.testing.assert_allclose(outputs[t], H, rtol=0, atol=1e-12)
    np.testing.assert_allclose(H_T, H, rtol=0, atol=1e-12)
    np.testing.assert_allclose(C_T, C, rtol=0, atol=1e-12)


def test_state_none_means_zeros():
    X, state, params = make_problem()
    n, h = state[0].shape
    out_none, final_none, _ = lstm_forward(X, None, params)
    out_zero, final_zero, _ = lstm_forward(X, (np.zeros((n, h)), np.zeros((n, h))), params)
    np.testing.assert_array_equal(out_none, out_zero)
    np.testing.assert_array_equal(final_none[0], final_zero[0])
    np.testing.assert_array_equal(final_none[1], final_zero[1])
    H_t, C_t = lstm_step(X[0], None, params)
    np.testing.assert_array_equal(H_t, out_none[0])


def test_step_values_follow_the_equations():
    X, (H_prev, C_prev), p = make_problem(T=1)
    v = lstm_step_values(X[0], (H_prev, C_prev), p)
    sig = lambda z: 1 / (1 + np.exp(-z))
    X_t = X[0]
    np.testing.assert_allclose(v.I_t, sig(X_t @ p.W_xi + H_prev @ p.W_hi + p.b_i), atol=1e-15)
    np.testing.assert_allclose(v.F_t, sig(X_t @ p.W_xf + H_prev @ p.W_hf + p.b_f), atol=1e-15)
    np.testing.assert_allclose(v.O_t, sig(X_t @ p.W_xo + H_prev @ p.W_ho + p.b_o), atol=1e-15)
    np.testing.assert_allclose(v.C_tilde, np.tanh(X_t @ p.W_xc + H_prev @ p.W_hc + p.b_c), atol=1e-15)
    np.testing.assert_allclose(v.C_t, v.F_t * C_prev + v.I_t * v.C_tilde, atol=1e-15)
    np.testing.assert_allclose(v.H_t, v.O_t * np.tanh(v.C_t), atol=1e-15)


def test_inputs_are_not_modified():
    X, state, params = make_problem()
    copies = [a.copy() for a in (X, *state, *params)]
    outputs, _, cache = lstm_forward(X, state, params)
    lstm_backward(np.ones_like(outputs), cache, d_state=(np.ones_like(state[0]), np.ones_like(state[1])))
    for before, after in zip(copies, (X, *state, *params), strict=True):
        np.testing.assert_array_equal(before, after)


# --------------------------------------------------------------------------- value ranges

@pytest.mark.parametrize("gate", ["sigmoid", "hard_sigmoid"])
def test_ranges_hold_for_extreme_inputs(gate):
    X, state, params = make_problem(T=30, n=4, d=3, h=5, seed=3)
    X = X * 1e3                         # pre-activations of order 1e3: everything saturates
    H, C = state
    gates = []
    # underflow (a product rounding to 0) is harmless; overflow, 0/0 and 1/0 are not
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        for t in range(X.shape[0]):
            v = lstm_step_values(X[t], (H, C), params, gate_activation=gate)
            for gate_value in (v.I_t, v.F_t, v.O_t):
                assert np.all((gate_value >= 0) & (gate_value <= 1))
                gates.append(gate_value)
            assert np.all(np.abs(v.C_tilde) <= 1)
            assert np.all(np.abs(v.H_t) <= 1)
            assert np.all(np.isfinite(v.C_t))
            H, C = v.H_t, v.C_t
        outputs, (H_T, C_T), cache = lstm_forward(X, state, params, gate_activation=gate)
        assert np.all(np.abs(outputs) <= 1)
        assert np.all(np.abs(C_T) <= np.abs(state[1]) + X.shape[0])   # |C_t| <= |C_{t-1}| + 1
        dX, grads, (dH_0, dC_0) = lstm_backward(np.ones_like(outputs), cache)
        assert all(np.all(np.isfinite(g)) for g in (dX, dH_0, dC_0, *grads))
    # at this scale the gates are saturated: within 1e-6 of 0 or 1 almost everywhere
    G = np.array(gates)
    assert np.mean((G < 1e-6) | (G > 1 - 1e-6)) > 0.9


# --------------------------------------------------------------------------- dtypes

def test_float32_in_float32_out():
    X64, state64, params64 = make_problem(T=6, n=3, d=4, h=5)
    X = X64.astype(np.float32)
    state = tuple(s.astype(np.float32) for s in state64)
    params = LSTMParams(*(p.astype(np.float32) for p in params64))
    outputs, (H_T, C_T), cache = lstm_forward(X, state, params)
    for a in (outputs, H_T, C_T, *lstm_step(X[0], state, params)):
        assert a.dtype == np.float32
    d_out = np.ones_like(outputs)
    d_state = (np.ones_like(H_T), np.ones_like(C_T))
    dX, grads, (dH_0, dC_0) = lstm_backward(d_out, cache, d_state=d_state)
    for a in (dX, dH_0, dC_0, *grads):
        assert a.dtype == np.float32
    # and the float32 numbers are the float64 ones, rounded
    outputs64, _, cache64 = lstm_forward(X64, state64, params64)
    dX64, grads64, _ = lstm_backward(d_out.astype(np.float64), cache64,
                                     d_state=tuple(s.astype(np.float64) for s in d_state))
    np.testing.assert_allclose(outputs, outputs64, rtol=0, atol=1e-5)
    np.testing.assert_allclose(dX, dX64, rtol=1e-4, atol=1e-4)
    for g32, g64 in zip(grads, grads64, strict=True):
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-4)


def test_init_lstm_params():
    d, h = 3, 4
    params = init_lstm_params(d, h, np.random.default_rng(1))
    assert isinstance(params, LSTMParams)
    assert params.dtype == np.float64
    assert (params.num_inputs, params.num_hiddens) == (d, h)
    for name, value in zip(LSTMParams._fields, params, strict=True):
        expected = {"W_x": (d, h), "W_h": (h, h), "b_": (h,)}[name[:2] if name.startswith("b_") else name[:3]]
        assert value.shape == expected, name
        assert np.all(np.abs(value) <= 1 / np.sqrt(h))
    assert sum(p.size for p in params) == num_lstm_params(d, h) == 4 * h * (d + h + 1)
    shifted = init_lstm_params(d, h, np.random.default_rng(1), forget_bias=1.0)
    np.testing.assert_allclose(shifted.b_f, params.b_f + 1.0)
    np.testing.assert_array_equal(shifted.b_i, params.b_i)
    assert init_lstm_params(d, h, np.random.default_rng(1), dtype=np.float32).dtype == np.float32


def test_stack_unstack_round_trip():
    params = init_lstm_params(3, 4, np.random.default_rng(2))
    W_x, W_h, b = stack_lstm_params(params)
    assert (W_x.shape, W_h.shape, b.shape) == ((3, 16), (4, 16), (16,))
    np.testing.assert_array_equal(W_x[:, 4:8], params.W_xf)    # order i, f, o, c
    np.testing.assert_array_equal(W_h[:, 12:], params.W_hc)
    for a, b_ in zip(unstack_lstm_params(W_x, W_h, b), params, strict=True):
        np.testing.assert_array_equal(a, b_)


# --------------------------------------------------------------------------- bad input

def _forward_cases():
    X, state, params = make_problem(T=4, n=3, d=5, h=2)
    H, C = state
    p = params
    bad_params_shape = p._replace(W_hf=np.zeros((2, 3)))
    bad_bias = p._replace(b_o=np.zeros((1, 2)))               # would broadcast silently
    mixed = p._replace(W_hc=p.W_hc.astype(np.float32))
    nan_params = p._replace(b_i=np.array([0.0, np.nan]))
    X_nan = X.copy()
    X_nan[1, 2, 3] = np.nan
    X_inf = X.copy()
    X_inf[0, 0, 0] = -np.inf
    C_nan = C.copy()
    C_nan[0, 0] = np.nan
    return {
        "X rank 2": ((X[0], state, p), {}, ValueError, r"X must be a 3-D array"),
        "X rank 4": ((X[None], state, p), {}, ValueError, r"X must be a 3-D array"),
        "X width": ((np.zeros((4, 3, 6)), state, p), {}, ValueError,
                    r"X must have shape \(T, n, d\) = \(4, 3, 5\)"),
        "X int": ((X.astype(int), state, p), {}, TypeError, r"X must be a floating-point array"),
        "X list": ((X.tolist(), state, p), {}, TypeError, r"X must be a NumPy array"),
        "X NaN": ((X_nan, state, p), {}, ValueError, r"X contains NaN or inf"),
        "X inf": ((X_inf, state, p), {}, ValueError, r"X contains NaN or inf"),
        "X float32": ((X.astype(np.float32), state, p), {}, TypeError, r"X must have dtype float64"),
        "state H (1, h)": ((X, (H[:1], C), p), {}, ValueError,
                           r"state\[0\] \(H\) must have shape \(n, h\) = \(3, 2\)"),
        "state C (n, h+1)": ((X, (H, np.zeros((3, 3))), p), {}, ValueError,
                             r"state\[1\] \(C\) must have shape \(n, h\) = \(3, 2\)"),
        "state torch-style (1, n, h)": ((X, (H[None], C[None]), p), {}, ValueError,
                                        r"state\[0\] \(H\) must be a 2-D array"),
        "state one array": ((X, H, p), {}, TypeError, r"state must be None or a pair \(H, C\)"),
        "state stacked array": ((X, np.stack([H, C]), p), {}, TypeError,
                                r"state must be None or a pair \(H, C\)"),
        "state triple": ((X, (H, C, C), p), {}, TypeError, r"state must be None or a pair \(H, C\)"),
        "state int": ((X, (H.astype(int), C), p), {}, TypeError,
                      r"state\[0\] \(H\) must be a floating-point"),
        "state list": ((X, (H.tolist(), C), p), {}, TypeError, r"state\[0\] \(H\) must be a NumPy array"),
        "state NaN": ((X, (H, C_nan), p), {}, ValueError, r"state\[1\] \(C\) contains NaN or inf"),
        "state float32": ((X, (H.astype(np.float32), C), p), {}, TypeError,
                          r"state\[0\] \(H\) must have dtype float64"),
        "params W_hf shape": ((X, state, bad_params_shape), {}, ValueError,
                              r"params.W_hf must have shape \(h, h\)"),
        "params b_o (1, h)": ((X, state, bad_bias), {}, ValueError, r"params.b_o must have shape \(h,\)"),
        "params mixed dtype": ((X, state, mixed), {}, TypeError, r"params.W_hc must have dtype float64"),
        "params NaN": ((X, state, nan_params), {}, ValueError, r"params.b_i contains NaN or inf"),
        "params tuple": ((X, state, tuple(p)), {}, TypeError, r"params must be an LSTMParams"),
        "params list entry": ((X, state, p._replace(b_c=[0.0, 0.0])), {}, TypeError,
                              r"params.b_c must be a NumPy array"),
        "gate name": ((X, state, p), {"gate_activation": "softmax"}, ValueError,
                      r"gate_activation must be one of"),
        "candidate name": ((X, state, p), {"candidate_activation": "Tanh"}, ValueError,
                           r"candidate_activation must be one of"),
        "cell name": ((X, state, p), {"cell_activation": None}, ValueError,
                      r"cell_activation must be one of"),
    }


FORWARD_CASES = _forward_cases()


@pytest.mark.parametrize("case", sorted(FORWARD_CASES))
def test_forward_bad_input(case):
    args, kwargs, exc, match = FORWARD_CASES[case]
    with pytest.raises(exc, match=match):
        lstm_forward(*args, **kwargs)


def test_step_bad_input():
    X, (H, C), p = make_problem(T=1, n=3, d=5, h=2)
    X_t = X[0]
    with pytest.raises(ValueError, match=r"X_t must be a 2-D array"):
        lstm_step(X, (H, C), p)
    with pytest.raises(ValueError, match=r"X_t must have shape \(n, d\) = \(3, 5\)"):
        lstm_step(X_t[:, :4], (H, C), p)
    with pytest.raises(TypeError, match=r"X_t must be a floating-point array"):
        lstm_step(X_t.astype(np.int64), (H, C), p)
    with pytest.raises(TypeError, match=r"X_t must be a NumPy array"):
        lstm_step(X_t.tolist(), (H, C), p)
    with pytest.raises(ValueError, match=r"X_t contains NaN or inf"):
        lstm_step(np.full_like(X_t, np.inf), (H, C), p)
    with pytest.raises(ValueError, match=r"state\[0\] \(H\) must have shape \(n, h\) = \(3, 2\)"):
        lstm_step(X_t, (H[:1], C[:1]), p)            # (1, h) with n = 3 must not broadcast
    with pytest.raises(TypeError, match=r"state must be None or a pair"):
        lstm_step(X_t, [H], p)
    with pytest.raises(ValueError, match=r"gate_activation must be one of"):
        lstm_step(X_t, (H, C), p, gate_activation="tanh ")


def test_backward_bad_input():
    X, state, p = make_problem(T=4, n=3, d=5, h=2)
    outputs, (H_T, C_T), cache = lstm_forward(X, state, p)
    d_out = np.ones_like(outputs)
    with pytest.raises(ValueError, match=r"d_outputs must have shape \(T, n, h\) = \(4, 3, 2\)"):
        lstm_backward(d_out[:3], cache)
    with pytest.raises(ValueError, match=r"d_outputs must have shape \(T, n, h\)"):
        lstm_backward(np.ones((4, 1, 2)), cache)        # (T, 1, h) must not broadcast over n
    with pytest.raises(ValueError, match=r"d_outputs must be a 3-D array"):
        lstm_backward(d_out[-1], cache)
    with pytest.raises(TypeError, match=r"d_outputs must have dtype float64"):
        lstm_backward(d_out.astype(np.float32), cache)
    with pytest.raises(TypeError, match=r"d_outputs must be a NumPy array"):
        lstm_backward(d_out.tolist(), cache)
    with pytest.raises(ValueError, match=r"d_outputs contains NaN or inf"):
        lstm_backward(d_out * np.nan, cache)
    with pytest.raises(ValueError, match=r"d_state\[0\] \(H\) must have shape \(n, h\) = \(3, 2\)"):
        lstm_backward(d_out, cache, d_state=(H_T[:1], C_T))
    with pytest.raises(TypeError, match=r"d_state must be None or a pair"):
        lstm_backward(d_out, cache, d_state=H_T)
    with pytest.raises(TypeError, match=r"cache must be the LSTMCache"):
        lstm_backward(d_out, tuple(cache))
    assert isinstance(cache, LSTMCache)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"num_inputs": 0, "num_hiddens": 2}, ValueError, r"num_inputs must be a positive integer"),
    ({"num_inputs": 2, "num_hiddens": 2.5}, ValueError, r"num_hiddens must be a positive integer"),
    ({"num_inputs": True, "num_hiddens": 2}, ValueError, r"num_inputs must be a positive integer"),
    ({"num_inputs": 2, "num_hiddens": 2, "rng": 0}, TypeError, r"rng must be a numpy.random.Generator"),
    ({"num_inputs": 2, "num_hiddens": 2, "dtype": np.int32}, TypeError,
     r"dtype must be a floating-point dtype"),
])
def test_init_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        init_lstm_params(**kwargs)


def test_every_activation_combination_runs():
    X, state, params = make_problem(T=3, n=2, d=3, h=2)
    for gate, candidate, cell in itertools.product(GATES, CANDIDATES, CELLS):
        acts = dict(gate_activation=gate, candidate_activation=candidate, cell_activation=cell)
        outputs, _, cache = lstm_forward(X, state, params, **acts)
        assert np.all(np.isfinite(outputs))
        dX, grads, _ = lstm_backward(np.ones_like(outputs), cache)
        assert all(np.all(np.isfinite(g)) for g in (dX, *grads))
        # the choice is honoured: the step-by-step cell with the same names gives the same outputs
        np.testing.assert_allclose(outputs[0], lstm_step(X[0], state, params, **acts)[0], rtol=0, atol=1e-12)
