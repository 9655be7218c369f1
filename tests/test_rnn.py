"""The NumPy vanilla RNN: equal to torch.nn.RNN in float64, gradient check, Jacobian probe, bad input."""
import numpy as np
import pytest
import torch

from lstm_utils.gradcheck import numerical_gradient, relative_error
from lstm_utils.rnn import (
    RNNCache,
    RNNParams,
    init_rnn_params,
    input_jacobian_norms,
    num_rnn_params,
    rnn_backward,
    rnn_forward,
    rnn_step,
)

SHAPES = [(1, 1, 1, 1), (5, 3, 4, 2), (7, 2, 1, 6), (3, 4, 6, 5)]   # (T, n, d, h)


def make_problem(T=4, n=3, d=5, h=2, seed=0, dtype=np.float64, with_state=True, scale=None):
    rng = np.random.default_rng(seed)
    params = init_rnn_params(d, h, rng, dtype=dtype, scale=scale)
    X = rng.standard_normal((T, n, d)).astype(dtype)
    H_0 = rng.standard_normal((n, h)).astype(dtype) if with_state else None
    return X, H_0, params


# --------------------------------------------------------------------------- equal to PyTorch

def torch_rnn_from(params: RNNParams, rng: np.random.Generator) -> torch.nn.RNN:
    """nn.RNN with weight_ih = W_xhᵀ, weight_hh = W_hhᵀ, and b_h split at random into bias_ih + bias_hh."""
    d, h = params.W_xh.shape
    rnn = torch.nn.RNN(d, h, nonlinearity="tanh", dtype=torch.float64)
    split = rng.standard_normal(h)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params.W_xh.T.copy()))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params.W_hh.T.copy()))
        rnn.bias_ih_l0.copy_(torch.from_numpy(split))
        rnn.bias_hh_l0.copy_(torch.from_numpy(params.b_h - split))
    return rnn


@pytest.mark.parametrize("T, n, d, h", SHAPES)
@pytest.mark.parametrize("with_state", [True, False])
def test_forward_and_backward_equal_torch(T, n, d, h, with_state):
    X, H_0, params = make_problem(T, n, d, h, seed=T + 10 * h + n, with_state=with_state)
    rng = np.random.default_rng(99)
    rnn = torch_rnn_from(params, rng)
    R = rng.standard_normal((T, n, h))            # loss = Σ R ⊙ outputs + Σ r ⊙ H_T
    r = rng.standard_normal((n, h))

    outputs, H_T, cache = rnn_forward(X, H_0, params)
    dX, grads, dH_0 = rnn_backward(R, cache, dH_T=r)

    X_t = torch.from_numpy(X.copy()).requires_grad_(True)
    h0 = torch.from_numpy(H_0.copy() if with_state else np.zeros((n, h)))[None].requires_grad_(True)
    out_t, hT_t = rnn(X_t, h0)
    loss = (out_t * torch.from_numpy(R)).sum() + (hT_t[0] * torch.from_numpy(r)).sum()
    loss.backward()

    pairs = {
        "outputs": (outputs, out_t.detach().numpy()),
        "H_T": (H_T, hT_t[0].detach().numpy()),
        "dX": (dX, X_t.grad.numpy()),
        "dH_0": (dH_0, h0.grad[0].numpy()),
        "dW_xh": (grads.W_xh, rnn.weight_ih_l0.grad.numpy().T),
        "dW_hh": (grads.W_hh, rnn.weight_hh_l0.grad.numpy().T),
        "db_h (bias_ih)": (grads.b_h, rnn.bias_ih_l0.grad.numpy()),
        "db_h (bias_hh)": (grads.b_h, rnn.bias_hh_l0.grad.numpy()),
    }
    for name, (ours, theirs) in pairs.items():
        assert ours.shape == theirs.shape, name
        assert np.max(np.abs(ours - theirs)) <= 1e-10, name


# --------------------------------------------------------------------------- gradient check

@pytest.mark.parametrize("T, n, d, h", SHAPES)
def test_gradient_check(T, n, d, h):
    X, H_0, params = make_problem(T, n, d, h, seed=3 * T + h)
    params = RNNParams(*(p.copy() for p in params))   # perturbed in place by the numerical gradient
    rng = np.random.default_rng(7)
    R = rng.standard_normal((T, n, h))
    r = rng.standard_normal((n, h))

    def loss(_=None):
        outputs, H_T, _cache = rnn_forward(X, H_0, params)
        return float(np.sum(R * outputs) + np.sum(r * H_T))

    _, _, cache = rnn_forward(X, H_0, params)
    dX, grads, dH_0 = rnn_backward(R, cache, dH_T=r)
    analytic = {"W_xh": grads.W_xh, "W_hh": grads.W_hh, "b_h": grads.b_h, "X": dX, "H_0": dH_0}
    arrays = {"W_xh": params.W_xh, "W_hh": params.W_hh, "b_h": params.b_h, "X": X, "H_0": H_0}
    for name, array in arrays.items():
        # eps = 1e-5: the truncation error (~eps²) stays ~1e-10 while the rounding error (~1e-16 |loss| / eps)
        # stays small even for a tiny gradient such as dH_0 at T = n = d = h = 1
        assert relative_error(analytic[name], numerical_gradient(loss, array, eps=1e-5)) <= 1e-7, name


# --------------------------------------------------------------------------- step, layer, dtypes

@pytest.mark.parametrize("with_state", [True, False])
def test_step_loop_equals_forward(with_state):
    X, H_0, params = make_problem(T=6, n=2, d=3, h=4, with_state=with_state)
    outputs, H_T, _ = rnn_forward(X, H_0, params)
    H = H_0
    for t in range(X.shape[0]):
        H = rnn_step(X[t], H, params)
        np.testing.assert_allclose(outputs[t], H, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(H_T, outputs[-1])
    assert np.all(np.abs(outputs) <= 1.0)


def test_step_is_the_equation():
    X, H_0, p = make_problem(T=1)
    expected = np.tanh(X[0] @ p.W_xh + H_0 @ p.W_hh + p.b_h)
    np.testing.assert_array_equal(rnn_step(X[0], H_0, p), expected)
    np.testing.assert_array_equal(rnn_step(X[0], None, p), rnn_step(X[0], np.zeros_like(H_0), p))


def test_float32_in_float32_out():
    X, H_0, params = make_problem(dtype=np.float32)
    outputs, H_T, cache = rnn_forward(X, H_0, params)
    dX, grads, dH_0 = rnn_backward(np.ones_like(outputs), cache)
    assert outputs.dtype == H_T.dtype == dX.dtype == dH_0.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)
    assert input_jacobian_norms(X, H_0, params).dtype == np.float32


def test_init_is_pytorch_like_and_reproducible():
    p = init_rnn_params(3, 16, np.random.default_rng(5))
    assert p.W_xh.shape == (3, 16) and p.W_hh.shape == (16, 16) and p.b_h.shape == (16,)
    assert all(np.max(np.abs(a)) <= 0.25 for a in p)            # U(-1/sqrt(h), 1/sqrt(h)), h = 16
    assert max(np.max(np.abs(a)) for a in p) > 0.2
    q = init_rnn_params(3, 16, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(p, q, strict=True))
    s = init_rnn_params(3, 16, np.random.default_rng(5), scale=0.5)
    np.testing.assert_allclose(s.W_hh, 2.0 * p.W_hh, rtol=1e-15)
    assert (p.num_inputs, p.num_hiddens, p.dtype) == (3, 16, np.float64)
    assert num_rnn_params(3, 16) == sum(a.size for a in p) == 16 * (3 + 16 + 1)


def test_inputs_are_not_modified():
    X, H_0, params = make_problem()
    copies = [a.copy() for a in (X, H_0, *params)]
    outputs, _, cache = rnn_forward(X, H_0, params)
    rnn_backward(np.ones_like(outputs), cache, dH_T=np.ones_like(H_0))
    input_jacobian_norms(X, H_0, params)
    assert all(np.array_equal(a, b) for a, b in zip(copies, (X, H_0, *params), strict=True))


# --------------------------------------------------------------------------- Jacobian probe

@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("scale", [None, 1.5])
def test_input_jacobian_norms_equal_brute_force(with_state, scale):
    T, n, d, h = 9, 2, 3, 5
    X, H_0, params = make_problem(T, n, d, h, seed=11, with_state=with_state, scale=scale)
    norms = input_jacobian_norms(X, H_0, params)
    assert norms.shape == (T, n)
    W_xh, W_hh, b_h = (torch.from_numpy(a) for a in params)
    for i in range(n):
        h0 = torch.zeros(h, dtype=torch.float64) if H_0 is None else torch.from_numpy(H_0[i])

        def final_state(x, h0=h0):                # x (T, d) -> H_T (h,), one sequence
            H = h0
            for t in range(T):
                H = torch.tanh(x[t] @ W_xh + H @ W_hh + b_h)
            return H

        jac = torch.autograd.functional.jacobian(final_state, torch.from_numpy(X[:, i].copy())).numpy()
        assert jac.shape == (h, T, d)
        brute = np.linalg.norm(jac, axis=(0, 2))[::-1]           # over (h, d), then k = T - 1 - t
        np.testing.assert_allclose(norms[:, i], brute, rtol=1e-12, atol=0)


def test_input_jacobian_norms_are_a_product_of_step_jacobians():
    T, d, h = 6, 2, 4
    X, H_0, params = make_problem(T, 1, d, h, seed=4)
    outputs, _, _ = rnn_forward(X, H_0, params)
    norms = input_jacobian_norms(X, H_0, params)[:, 0]
    M = np.eye(h)                                                # ∂H_T/∂H_t, built from t = T down
    for k in range(T):
        H_t = outputs[T - 1 - k, 0]
        jac = M @ np.diag(1 - H_t ** 2) @ params.W_xh.T          # ∂H_T/∂X_{T-k}
        assert np.isclose(np.linalg.norm(jac), norms[k], rtol=1e-12, atol=0)
        M = M @ np.diag(1 - H_t ** 2) @ params.W_hh.T


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("make_bad, error, words", [
    (lambda X, H, p: rnn_forward(X[0], H, p), ValueError, ["X", "3-D"]),
    (lambda X, H, p: rnn_forward(X[..., :-1], H, p), ValueError, ["X", "(T, n, d)"]),
    (lambda X, H, p: rnn_forward(X, H[:, :-1], p), ValueError, ["H_0", "(n, h)"]),
    (lambda X, H, p: rnn_forward(X, H[None], p), ValueError, ["H_0", "2-D"]),
    (lambda X, H, p: rnn_forward(X.astype(int), H, p), TypeError, ["X", "floating-point"]),
    (lambda X, H, p: rnn_forward(X.tolist(), H, p), TypeError, ["X", "NumPy array"]),
    (lambda X, H, p: rnn_forward(X.astype(np.float32), H, p), TypeError, ["X", "dtype"]),
    (lambda X, H, p: rnn_forward(np.where(X > 1, np.nan, X), H, p), ValueError, ["X", "NaN"]),
    (lambda X, H, p: rnn_forward(X, H, tuple(p)), TypeError, ["params", "RNNParams"]),
    (lambda X, H, p: rnn_forward(X, H, p._replace(W_hh=p.W_hh[:, :-1])), ValueError, ["W_hh", "(h, h)"]),
    (lambda X, H, p: rnn_forward(X, H, p._replace(b_h=p.b_h[None])), ValueError, ["b_h", "(h,)"]),
    (lambda X, H, p: rnn_forward(X, H, p._replace(b_h=p.b_h.astype(np.float32))), TypeError,
     ["b_h", "dtype"]),
    (lambda X, H, p: rnn_step(X, H, p), ValueError, ["X_t", "2-D"]),
    (lambda X, H, p: rnn_step(X[0][:, :-1], H, p), ValueError, ["X_t", "(n, d)"]),
    (lambda X, H, p: rnn_step(X[0], H[:-1], p), ValueError, ["H_prev", "(n, h)"]),
    (lambda X, H, p: input_jacobian_norms(X, H[:-1], p), ValueError, ["H_0", "(n, h)"]),
    (lambda X, H, p: input_jacobian_norms(X[0], H, p), ValueError, ["X", "3-D"]),
])
def test_bad_input_is_named(make_bad, error, words):
    X, H_0, params = make_problem()
    with pytest.raises(error) as info:
        make_bad(X, H_0, params)
    for word in words:
        assert word in str(info.value)


def test_bad_backward_input_is_named():
    X, H_0, params = make_problem()
    outputs, _, cache = rnn_forward(X, H_0, params)
    with pytest.raises(ValueError, match=r"d_outputs must have shape \(T, n, h\)"):
        rnn_backward(outputs[:-1], cache)
    with pytest.raises(ValueError, match=r"dH_T must have shape \(n, h\)"):
        rnn_backward(outputs, cache, dH_T=H_0[:-1])
    with pytest.raises(TypeError, match="cache must be the RNNCache"):
        rnn_backward(outputs, tuple(cache))
    assert isinstance(cache, RNNCache)


@pytest.mark.parametrize("call, error, words", [
    (lambda: init_rnn_params(0, 3), ValueError, ["num_inputs", "positive integer"]),
    (lambda: init_rnn_params(2, 2.5), ValueError, ["num_hiddens", "positive integer"]),
    (lambda: init_rnn_params(2, 3, rng=0), TypeError, ["rng", "Generator"]),
    (lambda: init_rnn_params(2, 3, dtype=np.int64), TypeError, ["dtype", "floating-point"]),
    (lambda: init_rnn_params(2, 3, scale=-1.0), ValueError, ["scale", "non-negative"]),
])
def test_bad_init_arguments(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)
