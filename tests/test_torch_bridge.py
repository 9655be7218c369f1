"""The NumPy LSTM equals torch.nn.LSTM and torch.nn.LSTMCell in float64, and the weight mapping is exact."""
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from torch import nn

from lstm_utils.gru import GRUParams
from lstm_utils.lstm import LSTMParams, init_lstm_params, lstm_backward, lstm_forward
from lstm_utils.torch_bridge import (
    gru_grads_from_torch,
    gru_params_from_torch,
    gru_params_to_torch,
    lstm_grads_from_torch,
    lstm_params_from_torch,
    lstm_params_to_torch,
)

ATOL = 1e-10
F64 = torch.float64


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def random_problem(T, n, d, h, seed, with_state):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((T, n, d))
    state = (rng.standard_normal((n, h)), rng.standard_normal((n, h))) if with_state else None
    # the loss is L = sum(R ⊙ outputs) + sum(r1 ⊙ H_T) + sum(r2 ⊙ C_T)
    R = rng.standard_normal((T, n, h))
    r1, r2 = rng.standard_normal((n, h)), rng.standard_normal((n, h))
    return X, state, R, r1, r2


def numpy_lstm(X, state, params, R, r1, r2):
    outputs, (H_T, C_T), cache = lstm_forward(X, state, params)
    dX, grads, (dH_0, dC_0) = lstm_backward(R, cache, d_state=(r1, r2))
    return outputs, H_T, C_T, dX, grads, dH_0, dC_0


def torch_leaf(array):
    return torch.tensor(array, dtype=F64, requires_grad=True)


def torch_lstm(module, X, state, R, r1, r2, *, batch_first=False):
    """nn.LSTM forward and backward of the same loss; returns NumPy arrays in the (T, n, ...) layout."""
    module.zero_grad(set_to_none=True)
    X_t = torch_leaf(X.transpose(1, 0, 2) if batch_first else X)
    if state is None:
        out, (h_n, c_n) = module(X_t)
        h0 = c0 = None
    else:
        h0, c0 = torch_leaf(state[0][None]), torch_leaf(state[1][None])   # (num_layers, n, h)
        out, (h_n, c_n) = module(X_t, (h0, c0))
    R_t = torch.tensor(R.transpose(1, 0, 2) if batch_first else R)
    loss = (R_t * out).sum() + (torch.tensor(r1) * h_n[-1]).sum() + (torch.tensor(r2) * c_n[-1]).sum()
    loss.backward()
    out = out.detach().numpy()
    dX = X_t.grad.numpy()
    if batch_first:
        out, dX = out.transpose(1, 0, 2), dX.transpose(1, 0, 2)
    dH_0 = None if h0 is None else h0.grad[0].numpy()
    dC_0 = None if c0 is None else c0.grad[0].numpy()
    return out, h_n[-1].detach().numpy(), c_n[-1].detach().numpy(), dX, dH_0, dC_0


def torch_lstm_cell(cell, X, state, R, r1, r2):
    """nn.LSTMCell looped over time, same loss."""
    cell.zero_grad(set_to_none=True)
    X_t = torch_leaf(X)
    hx = None if state is None else (torch_leaf(state[0]), torch_leaf(state[1]))
    h, c = (None, None) if hx is None else hx
    outs = []
    for t in range(X.shape[0]):
        h, c = cell(X_t[t]) if h is None else cell(X_t[t], (h, c))
        outs.append(h)
    out = torch.stack(outs)
    loss = (torch.tensor(R) * out).sum() + (torch.tensor(r1) * h).sum() + (torch.tensor(r2) * c).sum()
    loss.backward()
    dH_0 = None if hx is None else hx[0].grad.numpy()
    dC_0 = None if hx is None else hx[1].grad.numpy()
    return out.detach().numpy(), h.detach().numpy(), c.detach().numpy(), X_t.grad.numpy(), dH_0, dC_0


def max_errors(numpy_result, torch_result, torch_grads):
    """Max abs error per class: forward (outputs, final state), parameter grads, dX, initial-state grads."""
    outputs, H_T, C_T, dX, grads, dH_0, dC_0 = numpy_result
    t_out, t_H, t_C, t_dX, t_dH_0, t_dC_0 = torch_result
    errors = {
        "forward": max(np.max(np.abs(outputs - t_out)), np.max(np.abs(H_T - t_H)), np.max(np.abs(C_T - t_C))),
        "params": max(np.max(np.abs(a - b)) for a, b in zip(grads, torch_grads, strict=True)),
        "input": np.max(np.abs(dX - t_dX)),
    }
    if t_dH_0 is not None:
        errors["state"] = max(np.max(np.abs(dH_0 - t_dH_0)), np.max(np.abs(dC_0 - t_dC_0)))
    return errors


SHAPES = dict(T=st.integers(1, 6), n=st.integers(1, 4), d=st.integers(1, 5), h=st.integers(1, 5),
              seed=st.integers(0, 2 ** 16), with_state=st.booleans())
HYPOTHESIS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])


@HYPOTHESIS
@given(**SHAPES)
@example(T=1, n=1, d=1, h=1, seed=0, with_state=True)
@example(T=1, n=1, d=1, h=1, seed=1, with_state=False)
def test_numpy_lstm_equals_nn_lstm(T, n, d, h, seed, with_state):
    torch.manual_seed(seed)
    module = nn.LSTM(d, h, dtype=F64)                      # torch's own init, two different biases
    params = lstm_params_from_torch(module)
    X, state, R, r1, r2 = random_problem(T, n, d, h, seed, with_state)
    errors = max_errors(numpy_lstm(X, state, params, R, r1, r2), torch_lstm(module, X, state, R, r1, r2),
                        lstm_grads_from_torch(module))
    assert max(errors.values()) <= ATOL, errors


@HYPOTHESIS
@given(**SHAPES)
@example(T=1, n=1, d=1, h=1, seed=2, with_state=True)
@example(T=1, n=1, d=1, h=1, seed=3, with_state=False)
def test_numpy_lstm_equals_looped_nn_lstm_cell(T, n, d, h, seed, with_state):
    # this direction: our parameters (with a forget bias) copied into a torch cell
    params = init_lstm_params(d, h, np.random.default_rng(seed), forget_bias=1.0)
    cell = lstm_params_to_torch(params, nn.LSTMCell(d, h, dtype=F64))
    X, state, R, r1, r2 = random_problem(T, n, d, h, seed, with_state)
    errors = max_errors(numpy_lstm(X, state, params, R, r1, r2), torch_lstm_cell(cell, X, state, R, r1, r2),
                        lstm_grads_from_torch(cell))
    assert max(errors.values()) <= ATOL, errors


@pytest.mark.parametrize("with_state", [True, False])
def test_batch_first(with_state):
    T, n, d, h = 5, 3, 4, 2
    torch.manual_seed(7)
    module = nn.LSTM(d, h, batch_first=True, dtype=F64)
    params = lstm_params_from_torch(module)
    X, state, R, r1, r2 = random_problem(T, n, d, h, 7, with_state)
    torch_result = torch_lstm(module, X, state, R, r1, r2, batch_first=True)
    errors = max_errors(numpy_lstm(X, state, params, R, r1, r2), torch_result, lstm_grads_from_torch(module))
    assert max(errors.values()) <= ATOL, errors


def test_second_layer_of_a_stacked_lstm():
    T, n, d, h = 4, 2, 3, 5
    torch.manual_seed(3)
    module = nn.LSTM(d, h, num_layers=2, dtype=F64)
    p0, p1 = lstm_params_from_torch(module, layer=0), lstm_params_from_torch(module, layer=1)
    assert p1.num_inputs == h
    X, _, R, r1, r2 = random_problem(T, n, d, h, 3, False)
    out0, _, cache0 = lstm_forward(X, None, p0)
    out1, (H_T, C_T), cache1 = lstm_forward(out0, None, p1)
    dout0, g1, _ = lstm_backward(R, cache1, d_state=(r1, r2))
    dX, g0, _ = lstm_backward(dout0, cache0)
    X_t = torch_leaf(X)
    out, (h_n, c_n) = module(X_t)
    R_t, r1_t, r2_t = torch.tensor(R), torch.tensor(r1), torch.tensor(r2)
    ((R_t * out).sum() + (r1_t * h_n[1]).sum() + (r2_t * c_n[1]).sum()).backward()
    assert np.max(np.abs(out.detach().numpy() - out1)) <= ATOL
    assert np.max(np.abs(c_n[1].detach().numpy() - C_T)) <= ATOL
    assert np.max(np.abs(X_t.grad.numpy() - dX)) <= ATOL
    for layer, grads in ((0, g0), (1, g1)):
        for a, b in zip(grads, lstm_grads_from_torch(module, layer=layer), strict=True):
            assert np.max(np.abs(a - b)) <= ATOL


def test_lstm_without_bias():
    torch.manual_seed(0)
    module = nn.LSTM(3, 2, bias=False, dtype=F64)
    params = lstm_params_from_torch(module)
    assert all(np.all(getattr(params, f"b_{g}") == 0) for g in "ifoc")
    X, state, R, r1, r2 = random_problem(3, 2, 3, 2, 0, True)
    result = numpy_lstm(X, state, params, R, r1, r2)
    torch_result = torch_lstm(module, X, state, R, r1, r2)
    torch_grads = lstm_grads_from_torch(module)
    assert all(np.all(getattr(torch_grads, f"b_{g}") == 0) for g in "ifoc")   # no bias, no bias gradient
    weights_only = result[4]._replace(**{f"b_{g}": np.zeros(2) for g in "ifoc"})
    errors = max_errors((*result[:4], weights_only, *result[5:]), torch_result, torch_grads)
    assert max(errors.values()) <= ATOL, errors
    lstm_params_to_torch(params, module)                    # zero biases fit a bias-free module
    with pytest.raises(ValueError, match=r"module has bias=False, so the params' biases must all be zero"):
        lstm_params_to_torch(params._replace(b_f=np.ones(2)), module)


# --------------------------------------------------------------------------- the layout itself

def test_lstm_layout_is_transposed_ifgo_with_summed_biases():
    d, h = 3, 4
    torch.manual_seed(1)
    module = nn.LSTM(d, h, dtype=F64)
    params = lstm_params_from_torch(module)
    W_ih, W_hh = module.weight_ih_l0.detach().numpy(), module.weight_hh_l0.detach().numpy()
    b = (module.bias_ih_l0 + module.bias_hh_l0).detach().numpy()
    for k, gate in enumerate("ifco"):                        # PyTorch's i, f, g, o; g is our c
        rows = slice(k * h, (k + 1) * h)
        np.testing.assert_array_equal(getattr(params, f"W_x{gate}"), W_ih[rows].T)
        np.testing.assert_array_equal(getattr(params, f"W_h{gate}"), W_hh[rows].T)
        np.testing.assert_array_equal(getattr(params, f"b_{gate}"), b[rows])
    for value in params:
        assert value.dtype == np.float64 and value.flags.c_contiguous and value.flags.owndata


def test_from_torch_returns_detached_copies():
    module = nn.LSTM(2, 3, dtype=F64)
    params = lstm_params_from_torch(module)
    params.W_xi[...] = 99.0
    assert not torch.any(module.weight_ih_l0 == 99.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lstm_round_trip_is_exact_and_keeps_dtype(dtype):
    params = init_lstm_params(3, 5, np.random.default_rng(0), forget_bias=1.0, dtype=dtype)
    module = lstm_params_to_torch(params)
    assert isinstance(module, nn.LSTM) and module.weight_ih_l0.dtype == torch.from_numpy(params.W_xi).dtype
    assert (module.input_size, module.hidden_size, module.num_layers) == (3, 5, 1)
    np.testing.assert_array_equal(module.bias_hh_l0.detach().numpy(), 0)
    back = lstm_params_from_torch(module)
    for name, a, b in zip(LSTMParams._fields, params, back, strict=True):
        assert b.dtype == dtype, name
        np.testing.assert_array_equal(a, b, err_msg=name)
    # and into a cell
    cell = lstm_params_to_torch(params, nn.LSTMCell(3, 5, dtype=module.weight_ih_l0.dtype))
    for a, b in zip(params, lstm_params_from_torch(cell), strict=True):
        np.testing.assert_array_equal(a, b)


def test_module_to_params_to_module_computes_the_same_function():
    torch.manual_seed(5)
    original = nn.LSTM(2, 3, dtype=F64)
    copy = lstm_params_to_torch(lstm_params_from_torch(original))
    X = torch.randn(4, 2, 2, dtype=F64)
    assert torch.max(torch.abs(original(X)[0] - copy(X)[0])).item() <= 1e-14


def test_to_torch_leaves_torch_random_state_alone():
    params = init_lstm_params(2, 2, np.random.default_rng(0))
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    lstm_params_to_torch(params)
    gru_params_to_torch(random_gru_params(2, 2, 0))
    assert torch.equal(torch.rand(3), expected)


def test_grads_copy_dtype_and_missing_grads():
    module = nn.LSTM(2, 3, dtype=torch.float32)
    with pytest.raises(ValueError, match=r"module.weight_ih_l0.grad is None: call loss.backward\(\)"):
        lstm_grads_from_torch(module)
    module(torch.randn(2, 1, 2))[0].sum().backward()
    grads = lstm_grads_from_torch(module)
    assert all(g.dtype == np.float32 for g in grads)
    np.testing.assert_array_equal(module.bias_ih_l0.grad.numpy(), module.bias_hh_l0.grad.numpy())
    np.testing.assert_array_equal(grads.b_o, module.bias_ih_l0.grad.numpy()[9:12])


# --------------------------------------------------------------------------- bad input

def test_bridge_bad_input():
    params = init_lstm_params(3, 4, np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"module must be a torch.nn.LSTM or torch.nn.LSTMCell, got GRU"):
        lstm_params_from_torch(nn.GRU(3, 4))
    with pytest.raises(TypeError, match=r"module must be a torch.nn.LSTM or torch.nn.LSTMCell, got dict"):
        lstm_params_to_torch(params, {})
    with pytest.raises(ValueError, match=r"module must be unidirectional \(bidirectional=False\)"):
        lstm_params_from_torch(nn.LSTM(3, 4, bidirectional=True))
    with pytest.raises(ValueError, match=r"module must have proj_size=0.*got proj_size=2"):
        lstm_params_from_torch(nn.LSTM(3, 4, proj_size=2))
    with pytest.raises(ValueError, match=r"layer must be in \[0, 2\)"):
        lstm_params_from_torch(nn.LSTM(3, 4, num_layers=2), layer=2)
    with pytest.raises(ValueError, match=r"layer must be 0 for a torch.nn.LSTMCell"):
        lstm_params_from_torch(nn.LSTMCell(3, 4), layer=1)
    with pytest.raises(TypeError, match=r"layer must be an int"):
        lstm_params_from_torch(nn.LSTM(3, 4), layer="0")
    with pytest.raises(ValueError, match=r"module must have input size d = 3 and hidden size h = 4.*"
                                         r"got input size 3 and hidden size 5"):
        lstm_params_to_torch(params, nn.LSTM(3, 5, dtype=F64))
    with pytest.raises(ValueError, match=r"module must have input size d = 3 and hidden size h = 4"):
        lstm_params_to_torch(params, nn.LSTMCell(2, 4, dtype=F64))
    with pytest.raises(TypeError, match=r"module must have dtype torch.float64 like the params \(float64\), "
                                        r"got torch.float32"):
        lstm_params_to_torch(params, nn.LSTM(3, 4))
    with pytest.raises(TypeError, match=r"params must be an LSTMParams, got tuple"):
        lstm_params_to_torch(tuple(params))
    with pytest.raises(ValueError, match=r"params.W_ho must have shape \(h, h\)"):
        lstm_params_to_torch(params._replace(W_ho=np.zeros((4, 3))))
    with pytest.raises(ValueError, match=r"layer must be 0 when module is None"):
        lstm_params_to_torch(params, layer=1)
    with pytest.raises(TypeError, match=r"module must be a torch.nn.GRU or torch.nn.GRUCell, got LSTM"):
        gru_params_from_torch(nn.LSTM(3, 4))
    with pytest.raises(TypeError, match=r"params must be a GRUParams, got LSTMParams"):
        gru_params_to_torch(params)


# --------------------------------------------------------------------------- GRU mapping

def random_gru_params(d, h, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = {"W_x": (d, h), "W_h": (h, h), "b_": (h,)}
    return GRUParams(**{name: rng.uniform(-1, 1, shapes[name[:2] if name.startswith("b_") else name[:3]])
                        .astype(dtype) for name in GRUParams._fields})


def gru_step_reset_after(X_t, H_prev, p, lib=np):
    """PyTorch's GRU step in row-vector notation (reset gate applied after the hidden product)."""
    sig = (lambda z: 1 / (1 + lib.exp(-z)))
    R = sig(X_t @ p.W_xr + H_prev @ p.W_hr + p.b_r)
    Z = sig(X_t @ p.W_xz + H_prev @ p.W_hz + p.b_z)
    H_tilde = lib.tanh(X_t @ p.W_xh + p.b_xh + R * (H_prev @ p.W_hh + p.b_hh))
    return Z * H_prev + (1 - Z) * H_tilde


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gru_round_trip_is_exact_and_keeps_dtype(dtype):
    params = random_gru_params(3, 4, 0, dtype)
    module = gru_params_to_torch(params)
    assert isinstance(module, nn.GRU) and module.weight_hh_l0.dtype == torch.from_numpy(params.W_xr).dtype
    bias_hh = module.bias_hh_l0.detach().numpy()
    np.testing.assert_array_equal(bias_hh[:8], 0)
    np.testing.assert_array_equal(bias_hh[8:], params.b_hh)
    for module_ in (module, gru_params_to_torch(params, nn.GRUCell(3, 4, dtype=module.weight_hh_l0.dtype))):
        back = gru_params_from_torch(module_)
        for name, a, b in zip(GRUParams._fields, params, back, strict=True):
            assert b.dtype == dtype, name
            np.testing.assert_array_equal(a, b, err_msg=name)


def test_gru_layout_is_transposed_rzn_with_separate_candidate_biases():
    d, h = 2, 3
    torch.manual_seed(4)
    module = nn.GRU(d, h, dtype=F64)
    p = gru_params_from_torch(module)
    W_ih, W_hh = module.weight_ih_l0.detach().numpy(), module.weight_hh_l0.detach().numpy()
    b_ih, b_hh = module.bias_ih_l0.detach().numpy(), module.bias_hh_l0.detach().numpy()
    r, z, n = slice(0, h), slice(h, 2 * h), slice(2 * h, 3 * h)
    np.testing.assert_array_equal(p.W_xr, W_ih[r].T)
    np.testing.assert_array_equal(p.W_xz, W_ih[z].T)
    np.testing.assert_array_equal(p.W_xh, W_ih[n].T)
    np.testing.assert_array_equal(p.W_hr, W_hh[r].T)
    np.testing.assert_array_equal(p.W_hz, W_hh[z].T)
    np.testing.assert_array_equal(p.W_hh, W_hh[n].T)
    np.testing.assert_array_equal(p.b_r, b_ih[r] + b_hh[r])
    np.testing.assert_array_equal(p.b_z, b_ih[z] + b_hh[z])
    np.testing.assert_array_equal(p.b_xh, b_ih[n])
    np.testing.assert_array_equal(p.b_hh, b_hh[n])


def test_gru_mapping_reproduces_nn_gru_cell_and_its_gradients():
    """With the mapped parameters, the reset-after equations give nn.GRUCell's numbers and gradients."""
    d, h, n, T = 3, 4, 2, 3
    torch.manual_seed(6)
    cell = nn.GRUCell(d, h, dtype=F64)
    params = gru_params_from_torch(cell)
    rng = np.random.default_rng(6)
    X, H_0 = rng.standard_normal((T, n, d)), rng.standard_normal((n, h))
    R = rng.standard_normal((T, n, h))
    # torch's cell
    H = torch.tensor(H_0)
    outs = []
    for t in range(T):
        H = cell(torch.tensor(X[t]), H)
        outs.append(H)
    (torch.tensor(R) * torch.stack(outs)).sum().backward()
    # the equations in our layout, differentiated by autograd
    p_t = GRUParams(*(torch_leaf(a) for a in params))
    H_np, H_ours = H_0, torch.tensor(H_0)
    ours = []
    for t in range(T):
        H_np = gru_step_reset_after(X[t], H_np, params)
        H_ours = gru_step_reset_after(torch.tensor(X[t]), H_ours, p_t, lib=torch)
        ours.append(H_ours)
        assert np.max(np.abs(H_np - outs[t].detach().numpy())) <= 1e-12
    (torch.tensor(R) * torch.stack(ours)).sum().backward()
    for name, mapped, expected in zip(GRUParams._fields, gru_grads_from_torch(cell), p_t, strict=True):
        assert np.max(np.abs(mapped - expected.grad.numpy())) <= 1e-12, name


def test_gru_second_layer_and_missing_grads():
    module = nn.GRU(2, 3, num_layers=2, dtype=F64)
    p1 = gru_params_from_torch(module, layer=1)
    assert p1.W_xr.shape == (3, 3)
    with pytest.raises(ValueError, match=r"module.weight_ih_l1.grad is None"):
        gru_grads_from_torch(module, layer=1)
    with pytest.raises(ValueError, match=r"module must have input size d = 3 and hidden size h = 3.*"
                                         r"got input size 2 and hidden size 3"):
        gru_params_to_torch(p1, module, layer=0)
    other = random_gru_params(3, 3, 1)
    gru_params_to_torch(other, module, layer=1)
    for a, b in zip(other, gru_params_from_torch(module, layer=1), strict=True):
        np.testing.assert_array_equal(a, b)
