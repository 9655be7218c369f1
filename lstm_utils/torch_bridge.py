"""Exact weight mapping between the NumPy LSTM/GRU of this package and PyTorch's modules.

How PyTorch lays out an LSTM
----------------------------
`torch.nn.LSTM` (one tensor set per layer, suffix ``_l{k}``) and `torch.nn.LSTMCell` keep

    weight_ih  (4h, d)   the four input-to-hidden matrices, stacked by rows in the order i, f, g, o
    weight_hh  (4h, h)   the four hidden-to-hidden matrices, same order
    bias_ih    (4h,)     a bias for the input product
    bias_hh    (4h,)     a second bias for the hidden product

where g is PyTorch's name for the candidate memory, our C̃_t (block c). PyTorch multiplies
column vectors, ``W x``; the curriculum multiplies row-vector minibatches, ``X_t W``. So each of
our matrices is the *transpose* of one block of rows:

    W_xi = weight_ih[0:h].T   W_xf = weight_ih[h:2h].T   W_xc = weight_ih[2h:3h].T   W_xo = weight_ih[3h:4h].T
    W_hi = weight_hh[0:h].T   ...                        (the same blocks of weight_hh)
    b_i  = bias_ih[0:h] + bias_hh[0:h]                    ...

The two biases are redundant: they always appear as a sum, and PyTorch keeps both only to match
cuDNN's parameter layout. Coming *from* PyTorch we add them; going *to* PyTorch we put our bias in
``bias_ih`` and zeros in ``bias_hh``, so ``lstm_params_from_torch(lstm_params_to_torch(p)) == p``
exactly. (The other round trip, module → params → module, gives the same function but not the same
split of the two biases.)

GRU
---
`torch.nn.GRU` / `torch.nn.GRUCell` stack three blocks in the order r, z, n (n is the candidate,
our H̃_t, block h) and apply the reset gate *after* the hidden product:
``n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))``. Because b_hn sits inside ``r ⊙ (...)`` the two
candidate biases are *not* redundant and stay separate: ``b_xh = bias_ih[2h:3h]``,
``b_hh = bias_hh[2h:3h]``, while ``b_r`` and ``b_z`` are sums as for the LSTM.

dtype is preserved in both directions: a float64 module gives float64 arrays and float64
parameters give a float64 module. Copying into an existing module of another dtype is refused
(TypeError) rather than silently rounded.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .gru import GRUParams, check_gru_params
from .lstm import LSTMParams, check_lstm_params

__all__ = [
    "lstm_params_from_torch", "lstm_grads_from_torch", "lstm_params_to_torch",
    "gru_params_from_torch", "gru_grads_from_torch", "gru_params_to_torch",
    "LSTM_TORCH_ORDER", "GRU_TORCH_ORDER",
]

LSTM_TORCH_ORDER = ("i", "f", "c", "o")   # PyTorch's i, f, g, o with g = our candidate c
GRU_TORCH_ORDER = ("r", "z", "h")         # PyTorch's r, z, n with n = our candidate h

_TORCH_FLOATS = (torch.float16, torch.float32, torch.float64)


# --------------------------------------------------------------------------- helpers

def _torch_dtype(dtype: np.dtype) -> torch.dtype:
    """The torch dtype matching a NumPy float dtype."""
    return torch.from_numpy(np.zeros(0, dtype=dtype)).dtype


def _to_numpy(tensor: torch.Tensor, name: str) -> np.ndarray:
    """A detached NumPy copy with the tensor's own dtype."""
    if tensor.dtype not in _TORCH_FLOATS:
        raise TypeError(f"{name} must be a float16/float32/float64 tensor, got {tensor.dtype}")
    return tensor.detach().cpu().numpy().copy()


def _layer_tensors(module, layer, families, num_blocks: int):
    """Find the four parameter tensors of one layer of an RNN module, with (d, h).

    `families` is (LayerClass, CellClass), e.g. (nn.LSTM, nn.LSTMCell). Returns a dict with
    names and tensors (bias tensors None when the module has bias=False), d and h.
    """
    layer_cls, cell_cls = families
    expected = f"torch.nn.{layer_cls.__name__} or torch.nn.{cell_cls.__name__}"
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)):
        raise TypeError(f"layer must be an int, got {type(layer).__name__}")
    layer = int(layer)
    if isinstance(module, layer_cls):
        if module.bidirectional:
            raise ValueError(f"module must be unidirectional (bidirectional=False); this "
                             f"{layer_cls.__name__} has bidirectional=True")
        if getattr(module, "proj_size", 0):
            raise ValueError(f"module must have proj_size=0 (no projection of the hidden state), "
                             f"got proj_size={module.proj_size}")
        if not 0 <= layer < module.num_layers:
            raise ValueError(f"layer must be in [0, {module.num_layers}) for this {layer_cls.__name__} "
                             f"with num_layers={module.num_layers}, got {layer}")
        suffix = f"_l{layer}"
        d = module.input_size if layer == 0 else module.hidden_size
    elif isinstance(module, cell_cls):
        if layer != 0:
            raise ValueError(f"layer must be 0 for a torch.nn.{cell_cls.__name__} (it has one layer), "
                             f"got {layer}")
        suffix = ""
        d = module.input_size
    else:
        raise TypeError(f"module must be a {expected}, got {type(module).__name__}")
    h = module.hidden_size
    names = {kind: f"{kind}{suffix}" for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    tensors = {kind: getattr(module, name, None) for kind, name in names.items()}
    for kind, rows, cols in (("weight_ih", num_blocks * h, d), ("weight_hh", num_blocks * h, h)):
        if tuple(tensors[kind].shape) != (rows, cols):   # defensive: modules built by hand
            raise ValueError(f"module.{names[kind]} must have shape ({num_blocks}h, "
                             f"{'d' if kind == 'weight_ih' else 'h'}) = {(rows, cols)}, "
                             f"got {tuple(tensors[kind].shape)}")
    if (tensors["bias_ih"] is None) != (tensors["bias_hh"] is None):
        raise ValueError("module must have both bias_ih and bias_hh or neither")
    return names, tensors, d, h


def _blocks(array: np.ndarray, h: int, order) -> dict:
    """Split the first axis of a (k h, ...) array into named blocks of h rows."""
    return {name: array[k * h:(k + 1) * h] for k, name in enumerate(order)}


def _read(module, layer, families, num_blocks, *, grads: bool):
    """Read weight_ih, weight_hh, bias_ih, bias_hh of one layer as NumPy arrays (values or .grad)."""
    names, tensors, d, h = _layer_tensors(module, layer, families, num_blocks)
    arrays = {}
    for kind, tensor in tensors.items():
        if tensor is None:
            arrays[kind] = None
            continue
        if grads:
            if tensor.grad is None:
                raise ValueError(f"module.{names[kind]}.grad is None: call loss.backward() (with the "
                                 f"module's parameters requiring grad) before reading the gradients")
            arrays[kind] = _to_numpy(tensor.grad, f"module.{names[kind]}.grad")
        else:
            arrays[kind] = _to_numpy(tensor, f"module.{names[kind]}")
    dtype = arrays["weight_ih"].dtype
    if arrays["bias_ih"] is None:
        arrays["bias_ih"] = np.zeros(num_blocks * h, dtype=dtype)
        arrays["bias_hh"] = np.zeros(num_blocks * h, dtype=dtype)
    return arrays, d, h


def _write(module, layer, families, num_blocks, d, h, dtype, arrays, what: str):
    """Copy weight_ih, weight_hh, bias_ih, bias_hh arrays into one layer of `module`."""
    names, tensors, mod_d, mod_h = _layer_tensors(module, layer, families, num_blocks)
    if (mod_d, mod_h) != (d, h):
        raise ValueError(f"module must have input size d = {d} and hidden size h = {h} for these {what} "
                         f"(weight_ih of shape ({num_blocks}h, d) = {(num_blocks * h, d)}), got "
                         f"input size {mod_d} and hidden size {mod_h}")
    want = _torch_dtype(dtype)
    if tensors["weight_ih"].dtype != want:
        raise TypeError(f"module must have dtype {want} like the {what} ({np.dtype(dtype)}), got "
                        f"{tensors['weight_ih'].dtype}; convert it first, e.g. module.to({want})")
    if tensors["bias_ih"] is None:
        if np.any(arrays["bias_ih"] != 0) or np.any(arrays["bias_hh"] != 0):
            raise ValueError(f"module has bias=False, so the {what}' biases must all be zero")
    with torch.no_grad():
        for kind, tensor in tensors.items():
            if tensor is not None:
                tensor.copy_(torch.from_numpy(np.ascontiguousarray(arrays[kind])))
    return module


def _new_module(cls, d: int, h: int, dtype) -> nn.Module:
    """A fresh module of the given dtype, built without consuming torch's global random state."""
    with torch.random.fork_rng(devices=[]):
        return cls(d, h, dtype=_torch_dtype(dtype))


# --------------------------------------------------------------------------- LSTM

def _lstm_from_arrays(arrays, h) -> LSTMParams:
    w_ih = _blocks(arrays["weight_ih"], h, LSTM_TORCH_ORDER)
    w_hh = _blocks(arrays["weight_hh"], h, LSTM_TORCH_ORDER)
    b = _blocks(arrays["bias"], h, LSTM_TORCH_ORDER)
    fields = {}
    for gate in LSTM_TORCH_ORDER:
        fields[f"W_x{gate}"] = w_ih[gate].T.copy()
        fields[f"W_h{gate}"] = w_hh[gate].T.copy()
        fields[f"b_{gate}"] = b[gate].copy()
    return LSTMParams(**fields)


def lstm_params_from_torch(module, layer: int = 0) -> LSTMParams:
    """The LSTMParams of `module` (nn.LSTM layer `layer`, or nn.LSTMCell), as detached NumPy copies.

    W_x* = weight_ih block.T (d, h), W_h* = weight_hh block.T (h, h), b_* = bias_ih + bias_hh block (h,)
    (zeros for bias=False); blocks in PyTorch's order i, f, g(=c), o. dtype = the module's dtype.
    """
    arrays, _, h = _read(module, layer, (nn.LSTM, nn.LSTMCell), 4, grads=False)
    arrays["bias"] = arrays["bias_ih"] + arrays["bias_hh"]
    return _lstm_from_arrays(arrays, h)


def lstm_grads_from_torch(module, layer: int = 0) -> LSTMParams:
    """The gradients (.grad) of `module`'s parameters, laid out as an LSTMParams.

    The bias gradient is bias_ih.grad, which equals bias_hh.grad (the two biases enter as a sum);
    zeros for bias=False. Raises ValueError if backward has not filled the .grad tensors.
    """
    arrays, _, h = _read(module, layer, (nn.LSTM, nn.LSTMCell), 4, grads=True)
    arrays["bias"] = arrays["bias_ih"]
    return _lstm_from_arrays(arrays, h)


def lstm_params_to_torch(params: LSTMParams, module=None, *, layer: int = 0):
    """Copy `params` into `module` (nn.LSTM layer `layer`, or nn.LSTMCell) and return the module.

    With module=None a new nn.LSTM(d, h) of the parameters' dtype is built (torch's global random
    state is left untouched). bias_ih receives the biases, bias_hh zeros, so that
    lstm_params_from_torch(lstm_params_to_torch(p)) == p exactly. A module of the wrong size raises
    ValueError, one of another dtype TypeError.
    """
    d, h, dtype = check_lstm_params(params)
    if module is None:
        if isinstance(layer, bool) or layer != 0:
            raise ValueError(f"layer must be 0 when module is None (a new one-layer nn.LSTM is built), "
                             f"got {layer}")
        module = _new_module(nn.LSTM, d, h, dtype)
    order = LSTM_TORCH_ORDER
    bias = np.concatenate([getattr(params, f"b_{g}") for g in order])
    arrays = {
        "weight_ih": np.concatenate([getattr(params, f"W_x{g}") for g in order], axis=1).T,
        "weight_hh": np.concatenate([getattr(params, f"W_h{g}") for g in order], axis=1).T,
        "bias_ih": bias,
        "bias_hh": np.zeros_like(bias),
    }
    return _write(module, layer, (nn.LSTM, nn.LSTMCell), 4, d, h, dtype, arrays, "params")


# --------------------------------------------------------------------------- GRU

def _gru_from_arrays(arrays, h, *, grads: bool) -> GRUParams:
    w_ih = _blocks(arrays["weight_ih"], h, GRU_TORCH_ORDER)
    w_hh = _blocks(arrays["weight_hh"], h, GRU_TORCH_ORDER)
    b_ih = _blocks(arrays["bias_ih"], h, GRU_TORCH_ORDER)
    b_hh = _blocks(arrays["bias_hh"], h, GRU_TORCH_ORDER)
    fields = {}
    for gate in GRU_TORCH_ORDER:
        fields[f"W_x{gate}"] = w_ih[gate].T.copy()
        fields[f"W_h{gate}"] = w_hh[gate].T.copy()
    for gate in ("r", "z"):   # the two biases of r and z enter as a sum: add values, take one gradient
        fields[f"b_{gate}"] = b_ih[gate].copy() if grads else b_ih[gate] + b_hh[gate]
    fields["b_xh"] = b_ih["h"].copy()
    fields["b_hh"] = b_hh["h"].copy()
    return GRUParams(**fields)


def gru_params_from_torch(module, layer: int = 0) -> GRUParams:
    """The GRUParams of `module` (nn.GRU layer `layer`, or nn.GRUCell), as detached NumPy copies.

    Blocks r, z, n(=h), each transposed; b_r and b_z are bias_ih + bias_hh; the candidate keeps
    b_xh = bias_ih[n] and b_hh = bias_hh[n] apart (b_hh is multiplied by the reset gate).
    """
    arrays, _, h = _read(module, layer, (nn.GRU, nn.GRUCell), 3, grads=False)
    return _gru_from_arrays(arrays, h, grads=False)


def gru_grads_from_torch(module, layer: int = 0) -> GRUParams:
    """The gradients (.grad) of `module`'s parameters, laid out as a GRUParams.

    b_r and b_z take bias_ih.grad (equal to bias_hh.grad for those blocks); b_xh = bias_ih.grad[n],
    b_hh = bias_hh.grad[n]. Raises ValueError if backward has not filled the .grad tensors.
    """
    arrays, _, h = _read(module, layer, (nn.GRU, nn.GRUCell), 3, grads=True)
    return _gru_from_arrays(arrays, h, grads=True)


def gru_params_to_torch(params: GRUParams, module=None, *, layer: int = 0):
    """Copy `params` into `module` (nn.GRU layer `layer`, or nn.GRUCell) and return the module.

    With module=None a new nn.GRU(d, h) of the parameters' dtype is built. bias_ih = [b_r, b_z, b_xh],
    bias_hh = [0, 0, b_hh], so gru_params_from_torch(gru_params_to_torch(p)) == p exactly.
    """
    d, h, dtype = check_gru_params(params)
    if module is None:
        if isinstance(layer, bool) or layer != 0:
            raise ValueError(f"layer must be 0 when module is None (a new one-layer nn.GRU is built), "
                             f"got {layer}")
        module = _new_module(nn.GRU, d, h, dtype)
    order = GRU_TORCH_ORDER
    zeros = np.zeros_like(params.b_r)
    arrays = {
        "weight_ih": np.concatenate([getattr(params, f"W_x{g}") for g in order], axis=1).T,
        "weight_hh": np.concatenate([getattr(params, f"W_h{g}") for g in order], axis=1).T,
        "bias_ih": np.concatenate([params.b_r, params.b_z, params.b_xh]),
        "bias_hh": np.concatenate([zeros, zeros, params.b_hh]),
    }
    return _write(module, layer, (nn.GRU, nn.GRUCell), 3, d, h, dtype, arrays, "params")
