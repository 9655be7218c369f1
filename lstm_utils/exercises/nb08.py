"""Checks for the exercises of notebook 08 (NumPy vs PyTorch)."""
from __future__ import annotations

import numpy as np

from ..lstm import LSTMParams, init_lstm_params
from . import ExerciseError, call_answer, passed, require_close

__all__ = ["check_params_to_torch_layout", "check_bidirectional_outputs"]


def _params_from_tensors(weight_ih, weight_hh, bias, h: int) -> LSTMParams:
    """LSTMParams from PyTorch-layout arrays (blocks i, f, g, o)."""
    fields = {}
    for k, gate in enumerate("ifco"):
        rows = slice(k * h, (k + 1) * h)
        fields[f"W_x{gate}"] = np.ascontiguousarray(weight_ih[rows].T)
        fields[f"W_h{gate}"] = np.ascontiguousarray(weight_hh[rows].T)
        fields[f"b_{gate}"] = bias[rows].copy()
    return LSTMParams(**fields)


def check_params_to_torch_layout(fn) -> None:
    """fn(params) -> (weight_ih (4h, d), weight_hh (4h, h), bias (4h,)) in PyTorch's layout."""
    import torch

    from ..lstm import lstm_forward

    name = "params_to_torch_layout"
    d, h = 3, 5
    params = init_lstm_params(d, h, np.random.default_rng(801))
    answer = call_answer(name, fn, params)
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise ExerciseError(f"✗ {name}: return the triple (weight_ih, weight_hh, bias)")
    shapes = {"weight_ih": (4 * h, d), "weight_hh": (4 * h, h), "bias": (4 * h,)}
    for (what, shape), array in zip(shapes.items(), answer, strict=True):
        array = np.asarray(array)
        if array.shape != shape:
            raise ExerciseError(f"✗ {name}: {what} should have shape {shape}, got {array.shape}")
    module = torch.nn.LSTM(d, h, dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.as_tensor(np.asarray(answer[0], dtype=np.float64)))
        module.weight_hh_l0.copy_(torch.as_tensor(np.asarray(answer[1], dtype=np.float64)))
        module.bias_ih_l0.copy_(torch.as_tensor(np.asarray(answer[2], dtype=np.float64)))
        module.bias_hh_l0.zero_()
    X = np.random.default_rng(802).standard_normal((6, 2, d))
    expected, _, _ = lstm_forward(X, None, params)
    actual = module(torch.from_numpy(X))[0].detach().numpy()
    if not np.allclose(actual, expected, atol=1e-10, rtol=0.0):
        raise ExerciseError(f"✗ {name}: nn.LSTM with these tensors does not compute our LSTM — check the "
                            "transpose and the block order i, f, g, o (g is our candidate c)")
    passed(name)


def check_bidirectional_outputs(fn) -> None:
    """fn(X, params_fwd, params_bwd) -> (T, n, 2h) like nn.LSTM(bidirectional=True)."""
    import torch

    name = "bidirectional_outputs"
    d, h, T, n = 3, 4, 6, 2
    gen = torch.Generator().manual_seed(803)
    module = torch.nn.LSTM(d, h, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        for tensor in module.parameters():
            tensor.copy_(torch.rand(tensor.shape, generator=gen, dtype=torch.float64) - 0.5)
    sd = {key: value.detach().numpy() for key, value in module.state_dict().items()}
    p_fwd = _params_from_tensors(sd["weight_ih_l0"], sd["weight_hh_l0"], sd["bias_ih_l0"] + sd["bias_hh_l0"], h)
    p_bwd = _params_from_tensors(sd["weight_ih_l0_reverse"], sd["weight_hh_l0_reverse"],
                                 sd["bias_ih_l0_reverse"] + sd["bias_hh_l0_reverse"], h)
    X = np.random.default_rng(804).standard_normal((T, n, d))
    expected = module(torch.from_numpy(X))[0].detach().numpy()
    answer = call_answer(name, fn, X.copy(), p_fwd, p_bwd)
    require_close(name, "the outputs", answer, expected, atol=1e-10)
    passed(name)
