"""The NumPy GRU (lstm_utils.gru): equal to nn.GRU / nn.GRUCell, gradient-checked, both reset placements."""
import numpy as np
import pytest
import torch
from torch import nn

from lstm_utils.gradcheck import numerical_gradient, relative_error
from lstm_utils.gru import (
    GRUParams,
    gru_backward,
    gru_forward,
    gru_step,
    gru_step_values,
    init_gru_params,
    num_gru_params,
)
from lstm_utils.torch_bridge import gru_grads_from_torch, gru_params_from_torch, gru_params_to_torch

T, N, D, H = 6, 3, 4, 5


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    params = init_gru_params(D, H, rng, scale=0.6)
    X = rng.normal(size=(T, N, D))
    H0 = rng.normal(size=(N, H)) * 0.5
    return params, X, H0


def test_init_shapes_and_dtype():
    p = init_gru_params(D, H, np.random.default_rng(1))
    assert isinstance(p, GRUParams) and p.num_inputs == D and p.num_hiddens == H
    assert p.W_xr.shape == (D, H) and p.W_hh.shape == (H, H) and p.b_hh.shape == (H,)
    assert all(a.dtype == np.float64 for a in p)
    assert all(np.all(np.abs(a) <= 1 / np.sqrt(H)) for a in p)
    assert init_gru_params(D, H, dtype=np.float32).dtype == np.float32
    assert sum(a.size for a in p) == num_gru_params(D, H) == 3 * H * (D + H + 1) + H
    assert num_gru_params(D, H, reset="before") == 3 * H * (D + H + 1)


@pytest.mark.parametrize("reset", ["after", "before"])
def test_forward_equals_steps(data, reset):
    params, X, H0 = data
    outputs, H_T, _ = gru_forward(X, H0, params, reset=reset)
    Hs = H0
    for t in range(T):
        Hs = gru_step(X[t], Hs, params, reset=reset)
        np.testing.assert_allclose(outputs[t], Hs, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(H_T, outputs[-1])
    v = gru_step_values(X[0], H0, params, reset=reset)
    assert np.all((v.R_t > 0) & (v.R_t < 1) & (v.Z_t > 0) & (v.Z_t < 1))
    assert np.all(np.abs(v.H_tilde) <= 1)


def test_zero_state_default(data):
    params, X, _ = data
    a, _, _ = gru_forward(X, None, params)
    b, _, _ = gru_forward(X, np.zeros((N, H)), params)
    np.testing.assert_array_equal(a, b)


def test_after_equals_torch_gru_outputs_and_gradients(data):
    params, X, H0 = data
    rng = np.random.default_rng(1)
    d_out = rng.normal(size=(T, N, H))
    dH_T = rng.normal(size=(N, H))
    outputs, H_T, cache = gru_forward(X, H0, params)
    dX, grads, dH0 = gru_backward(d_out, cache, dH_T=dH_T)

    module = gru_params_to_torch(params)
    assert module.weight_ih_l0.dtype == torch.float64
    Xt = torch.tensor(X, requires_grad=True)
    H0t = torch.tensor(H0[None], requires_grad=True)
    out_t, hT_t = module(Xt, H0t)
    assert np.max(np.abs(out_t.detach().numpy() - outputs)) <= 1e-10
    assert np.max(np.abs(hT_t[0].detach().numpy() - H_T)) <= 1e-10
    ((out_t * torch.tensor(d_out)).sum() + (hT_t[0] * torch.tensor(dH_T)).sum()).backward()
    assert np.max(np.abs(Xt.grad.numpy() - dX)) <= 1e-10
    assert np.max(np.abs(H0t.grad[0].numpy() - dH0)) <= 1e-10
    tgrads = gru_grads_from_torch(module)
    for name in GRUParams._fields:
        assert np.max(np.abs(getattr(tgrads, name) - getattr(grads, name))) <= 1e-10, name


def test_after_equals_torch_grucell(data):
    params, X, H0 = data
    cell = nn.GRUCell(D, H, dtype=torch.float64)
    gru_params_to_torch(params, cell)
    Ht = torch.tensor(H0, requires_grad=True)
    Xt = torch.tensor(X, requires_grad=True)
    h = Ht
    for t in range(T):
        h = cell(Xt[t], h)
        expected = gru_forward(X[:t + 1], H0, params)[1]
        np.testing.assert_allclose(h.detach().numpy(), expected, rtol=0, atol=1e-10)
    h.sum().backward()
    d_out = np.zeros((T, N, H))
    d_out[-1] = 1.0
    dX, grads, dH0 = gru_backward(d_out, gru_forward(X, H0, params)[2])
    assert np.max(np.abs(Xt.grad.numpy() - dX)) <= 1e-10
    assert np.max(np.abs(Ht.grad.numpy() - dH0)) <= 1e-10
    tgrads = gru_grads_from_torch(cell)
    for name in GRUParams._fields:
        assert np.max(np.abs(getattr(tgrads, name) - getattr(grads, name))) <= 1e-10, name


def test_params_round_trip_through_torch(data):
    params, _, _ = data
    back = gru_params_from_torch(gru_params_to_torch(params))
    for name in GRUParams._fields:
        np.testing.assert_array_equal(getattr(back, name), getattr(params, name))


@pytest.mark.parametrize("reset", ["after", "before"])
def test_gradient_check(data, reset):
    params, X, H0 = data
    rng = np.random.default_rng(2)
    d_out = rng.normal(size=(T, N, H))
    dH_T = rng.normal(size=(N, H))

    def loss(_=None):
        outputs, H_T, _ = gru_forward(X, H0, params, reset=reset)
        return float(np.sum(outputs * d_out) + np.sum(H_T * dH_T))

    _, _, cache = gru_forward(X, H0, params, reset=reset)
    dX, grads, dH0 = gru_backward(d_out, cache, dH_T=dH_T)
    assert relative_error(dX, numerical_gradient(loss, X)) <= 1e-7
    assert relative_error(dH0, numerical_gradient(loss, H0)) <= 1e-7
    for name in GRUParams._fields:
        num = numerical_gradient(loss, getattr(params, name))
        assert relative_error(getattr(grads, name), num) <= 1e-7, name


def test_reset_before_differs_but_agrees_when_reset_gate_is_one(data):
    params, X, H0 = data
    after, _, _ = gru_forward(X, H0, params, reset="after")
    before, _, _ = gru_forward(X, H0, params, reset="before")
    assert np.max(np.abs(after - before)) > 1e-3
    open_reset = params._replace(b_r=np.full(H, 50.0))     # σ(50) = 1 - 2e-22: R_t = 1 in float64
    after1, _, _ = gru_forward(X, H0, open_reset, reset="after")
    before1, _, _ = gru_forward(X, H0, open_reset, reset="before")
    np.testing.assert_allclose(after1, before1, rtol=0, atol=1e-14)


def test_float32_runs():
    p = init_gru_params(2, 3, dtype=np.float32)
    out, H_T, cache = gru_forward(np.ones((4, 2, 2), np.float32), None, p)
    assert out.dtype == np.float32 and H_T.dtype == np.float32
    dX, grads, dH0 = gru_backward(np.ones_like(out), cache)
    assert dX.dtype == np.float32 and grads.W_hh.dtype == np.float32


def test_extreme_inputs_are_finite():
    p = init_gru_params(2, 3)
    with np.errstate(all="raise"):
        out, _, _ = gru_forward(np.full((3, 2, 2), 1e4), None, p)
    assert np.all(np.isfinite(out))


def test_bad_input(data):
    params, X, H0 = data
    with pytest.raises(ValueError, match=r"X must have shape \(T, n, d\)"):
        gru_forward(X[..., :2], None, params)
    with pytest.raises(ValueError, match="X must be a 3-D"):
        gru_forward(X[0], None, params)
    with pytest.raises(TypeError, match="X must be a floating-point"):
        gru_forward(X.astype(int), None, params)
    with pytest.raises(TypeError, match="dtype"):
        gru_forward(X.astype(np.float32), None, params)
    with pytest.raises(ValueError, match=r"state must have shape \(n, h\)"):
        gru_forward(X, H0[:, :2], params)
    with pytest.raises(ValueError, match="reset"):
        gru_forward(X, None, params, reset="middle")
    with pytest.raises(TypeError, match="GRUParams"):
        gru_forward(X, None, tuple(params))
    with pytest.raises(ValueError, match=r"params.W_hh must have shape \(h, h\)"):
        gru_forward(X, None, params._replace(W_hh=np.zeros((H, H + 1))))
    with pytest.raises(ValueError, match="NaN"):
        gru_step(np.full((N, D), np.nan), None, params)
    _, _, cache = gru_forward(X, None, params)
    with pytest.raises(ValueError, match=r"d_outputs must have shape \(T, n, h\)"):
        gru_backward(np.zeros((T, N, H + 1)), cache)
    with pytest.raises(TypeError, match="GRUCache"):
        gru_backward(np.zeros((T, N, H)), None)
    with pytest.raises(ValueError, match="num_hiddens"):
        init_gru_params(3, 0)
    with pytest.raises(TypeError, match="rng"):
        init_gru_params(3, 2, rng=1)
