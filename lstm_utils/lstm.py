"""A NumPy LSTM: parameters, one step, a layer over a sequence, and its backward pass.

Notation (design §2), row-vector minibatches: X_t is (n, d), H_t and C_t are (n, h).

    I_t = σ(X_t W_xi + H_{t-1} W_hi + b_i)        input gate
    F_t = σ(X_t W_xf + H_{t-1} W_hf + b_f)        forget gate
    O_t = σ(X_t W_xo + H_{t-1} W_ho + b_o)        output gate
    C̃_t = tanh(X_t W_xc + H_{t-1} W_hc + b_c)     candidate memory
    C_t = F_t ⊙ C_{t-1} + I_t ⊙ C̃_t               memory cell
    H_t = O_t ⊙ tanh(C_t)                         hidden state

The gate activation σ, the candidate activation (tanh) and the cell squashing (tanh before the
output gate) are keyword-only choices, by name from `lstm_utils.activations`, honoured by the
forward *and* the backward pass.

`lstm_step` computes the equations one by one, as written above. `lstm_forward` computes the same
numbers faster: the four gate weights are stacked (along a leading gate axis, (4, d, h) and
(4, h, h), so that each gate's block of every intermediate array is contiguous in memory), the
input projection of all T steps is one (batched) matrix product before the loop, and the loop
writes into preallocated arrays with `out=` instead of creating temporaries.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import Activation, get_activation
from .validation import check_float_array, check_params, check_positive_int, check_shape, check_state_pair

__all__ = [
    "LSTMParams", "LSTMStepValues", "LSTMCache", "init_lstm_params", "check_lstm_params",
    "lstm_step_values", "lstm_step", "lstm_forward", "lstm_backward",
    "stack_lstm_params", "unstack_lstm_params", "num_lstm_params",
]


class LSTMParams(NamedTuple):
    """The twelve LSTM parameters. W_x* are (d, h), W_h* are (h, h), b_* are (h,)."""

    W_xi: np.ndarray
    W_hi: np.ndarray
    b_i: np.ndarray
    W_xf: np.ndarray
    W_hf: np.ndarray
    b_f: np.ndarray
    W_xo: np.ndarray
    W_ho: np.ndarray
    b_o: np.ndarray
    W_xc: np.ndarray
    W_hc: np.ndarray
    b_c: np.ndarray

    @property
    def num_inputs(self) -> int:
        """d, the number of input features."""
        return self.W_xi.shape[0]

    @property
    def num_hiddens(self) -> int:
        """h, the number of hidden units (and memory cells)."""
        return self.W_xi.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.W_xi.dtype


class LSTMStepValues(NamedTuple):
    """Every intermediate value of one LSTM step, each (n, h)."""

    I_t: np.ndarray
    F_t: np.ndarray
    O_t: np.ndarray
    C_tilde: np.ndarray
    C_t: np.ndarray
    H_t: np.ndarray


class LSTMCache(NamedTuple):
    """What `lstm_forward` keeps for `lstm_backward`.

    X (T, n, d); W_x (4, d, h) and W_h (4, h, h), the four blocks stacked along a leading gate
    axis in the order i, f, o, c; H and C (T + 1, n, h) with the initial state at index 0;
    G (4, T, n, h) the activated gates and candidate I, F, O, C̃ (G[k, t] is one contiguous
    (n, h) block); S (T, n, h) the squashed cell cell_activation(C_t).
    """

    X: np.ndarray
    W_x: np.ndarray
    W_h: np.ndarray
    H: np.ndarray
    C: np.ndarray
    G: np.ndarray
    S: np.ndarray
    gate: Activation
    candidate: Activation
    cell: Activation


def num_lstm_params(num_inputs: int, num_hiddens: int) -> int:
    """4h(d + h + 1): four blocks, each a (d, h) and an (h, h) matrix and a bias."""
    return 4 * num_hiddens * (num_inputs + num_hiddens + 1)


def init_lstm_params(num_inputs: int, num_hiddens: int, rng: np.random.Generator | None = None, *,
                     forget_bias: float = 0.0, scale: float | None = None,
                     dtype=np.float64) -> LSTMParams:
    """Random LSTM parameters, drawn as PyTorch does: every entry ~ U(-scale, scale), scale = 1/sqrt(h).

    forget_bias is then *added* to b_f (a bias of 1 keeps the forget gate open at first:
    σ(1) ≈ 0.73 instead of σ(0) = 0.5). Arrays are float64 unless `dtype` says otherwise.
    """
    d = check_positive_int(num_inputs, "num_inputs")
    h = check_positive_int(num_hiddens, "num_hiddens")
    if rng is None:
        rng = np.random.default_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype}")
    scale = 1.0 / np.sqrt(h) if scale is None else float(scale)
    shapes = {"W_x": (d, h), "W_h": (h, h), "b": (h,)}
    arrays = {}
    for gate in "ifoc":
        for kind, shape in shapes.items():
            arrays[f"{kind}{gate}" if kind != "b" else f"b_{gate}"] = rng.uniform(-scale, scale, size=shape)
    arrays["b_f"] = arrays["b_f"] + forget_bias
    return LSTMParams(**{name: arrays[name].astype(dtype) for name in LSTMParams._fields})


def check_lstm_params(params) -> tuple[int, int, np.dtype]:
    """Check that `params` is an LSTMParams of consistent shapes and one float dtype; return (d, h, dtype)."""
    return check_params(params, LSTMParams)


def stack_lstm_params(params: LSTMParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack the four blocks in the order i, f, o, c: W_x (d, 4h), W_h (h, 4h), b (4h,)."""
    W_x = np.concatenate([params.W_xi, params.W_xf, params.W_xo, params.W_xc], axis=1)
    W_h = np.concatenate([params.W_hi, params.W_hf, params.W_ho, params.W_hc], axis=1)
    b = np.concatenate([params.b_i, params.b_f, params.b_o, params.b_c])
    return W_x, W_h, b


def unstack_lstm_params(W_x: np.ndarray, W_h: np.ndarray, b: np.ndarray) -> LSTMParams:
    """Inverse of `stack_lstm_params`: split (d, 4h), (h, 4h), (4h,) blocks i, f, o, c."""
    h = W_h.shape[0]
    blocks = [slice(k * h, (k + 1) * h) for k in range(4)]
    fields = {}
    for gate, cols in zip("ifoc", blocks, strict=True):
        fields[f"W_x{gate}"] = W_x[:, cols].copy()
        fields[f"W_h{gate}"] = W_h[:, cols].copy()
        fields[f"b_{gate}"] = b[cols].copy()
    return LSTMParams(**fields)


def _activations(gate_activation, candidate_activation, cell_activation):
    return (get_activation(gate_activation, "gate_activation"),
            get_activation(candidate_activation, "candidate_activation"),
            get_activation(cell_activation, "cell_activation"))


def _activate_into(activation: Activation, z: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
    """out[...] = activation.fn(z), bit for bit, without temporary arrays for the sigmoid and tanh.

    `scratch` is a buffer of z's shape. The sigmoid follows `activations.sigmoid` exactly,
    e / (1 + e) with e = exp(-|z|) and the numerator 1 where z >= 0, but branch-free: that
    numerator is max(e, sign(z)), which is 1 for z >= 0 (e <= 1) and e for z < 0.
    """
    if activation.name == "sigmoid":
        e = np.exp(np.copysign(z, -1.0, out=scratch), out=scratch)    # e = exp(-|z|), in (0, 1]
        np.maximum(np.sign(z, out=out), e, out=out)                    # numerator: 1 (z >= 0) or e
        out /= np.add(e, 1.0, out=e)
    elif activation.name == "tanh":
        np.tanh(z, out=out)
    else:
        out[...] = activation.fn(z)


def _grad_from_output_into(activation: Activation, y: np.ndarray, out: np.ndarray) -> None:
    """out[...] = f'(x) from the output y = f(x), without temporaries for the sigmoid and tanh."""
    if activation.name == "sigmoid":                           # y (1 - y)
        np.subtract(1.0, y, out=out)
        out *= y
    elif activation.name == "tanh":                            # 1 - y²
        np.multiply(y, y, out=out)
        np.subtract(1.0, out, out=out)
    else:
        out[...] = activation.grad_from_output(y)


def lstm_step_values(X_t: np.ndarray, state, params: LSTMParams, *, gate_activation: str = "sigmoid",
                     candidate_activation: str = "tanh", cell_activation: str = "tanh") -> LSTMStepValues:
    """One LSTM step, equation by equation, returning every intermediate value.

    X_t (n, d); state None (zeros) or (H_prev, C_prev), each (n, h). All outputs (n, h).
    """
    d, h, dtype = check_lstm_params(params)
    X_t = check_float_array(X_t, "X_t", 2, dtype)
    check_shape(X_t, "X_t", (X_t.shape[0], d), "(n, d)")
    H_prev, C_prev = check_state_pair(state, "state", X_t.shape[0], h, dtype)
    gate, candidate, cell = _activations(gate_activation, candidate_activation, cell_activation)
    p = params
    I_t = gate.fn(X_t @ p.W_xi + H_prev @ p.W_hi + p.b_i)
    F_t = gate.fn(X_t @ p.W_xf + H_prev @ p.W_hf + p.b_f)
    O_t = gate.fn(X_t @ p.W_xo + H_prev @ p.W_ho + p.b_o)
    C_tilde = candidate.fn(X_t @ p.W_xc + H_prev @ p.W_hc + p.b_c)
    C_t = F_t * C_prev + I_t * C_tilde
    H_t = O_t * cell.fn(C_t)
    return LSTMStepValues(I_t, F_t, O_t, C_tilde, C_t, H_t)


def lstm_step(X_t: np.ndarray, state, params: LSTMParams, **activations) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step: (H_t, C_t), each (n, h), from X_t (n, d) and state (H_prev, C_prev) or None."""
    values = lstm_step_values(X_t, state, params, **activations)
    return values.H_t, values.C_t


def lstm_forward(X: np.ndarray, state, params: LSTMParams, *, gate_activation: str = "sigmoid",
                 candidate_activation: str = "tanh", cell_activation: str = "tanh"):
    """Run the LSTM over a sequence.

    X (T, n, d); state None (zeros) or (H_0, C_0), each (n, h).
    Returns outputs (T, n, h) = H_1..H_T, the final state (H_T, C_T), and a cache for `lstm_backward`.
    """
    d, h, dtype = check_lstm_params(params)
    X = check_float_array(X, "X", 3, dtype)
    T, n, _ = X.shape
    check_shape(X, "X", (T, n, d), "(T, n, d)")
    H_0, C_0 = check_state_pair(state, "state", n, h, dtype)
    gate, candidate, cell = _activations(gate_activation, candidate_activation, cell_activation)
    p = params
    W_x = np.stack([p.W_xi, p.W_xf, p.W_xo, p.W_xc])          # (4, d, h), gates i, f, o, c
    W_h = np.stack([p.W_hi, p.W_hf, p.W_ho, p.W_hc])          # (4, h, h)
    b = np.stack([p.b_i, p.b_f, p.b_o, p.b_c])[:, None, :]    # (4, 1, h)

    # Input projection of every step at once: Z_x[k, t] = X_t W_x[k] + b[k], each (n, h).
    Z_x = np.matmul(X.reshape(T * n, d), W_x)                 # (4, T n, h): one product per gate
    Z_x += b
    Z_x = Z_x.reshape(4, T, n, h)
    # Everything below writes into arrays allocated once, with `out=`: no temporaries in the loop.
    H = np.empty((T + 1, n, h), dtype=dtype)
    C = np.empty((T + 1, n, h), dtype=dtype)
    G = np.empty((4, T, n, h), dtype=dtype)                   # activated I, F, O, C̃ of every step
    S = np.empty((T, n, h), dtype=dtype)
    H[0], C[0] = H_0, C_0
    Z = np.empty((4, n, h), dtype=dtype)                      # one step's pre-activations
    scratch = np.empty((4, n, h), dtype=dtype)                # workspace of the activations
    IC = np.empty((n, h), dtype=dtype)                        # I_t ⊙ C̃_t
    for t in range(T):
        np.matmul(H[t], W_h, out=Z)                           # H_{t-1} W_h[k] for the four gates
        Z += Z_x[:, t]
        I_t, F_t, O_t, C_tilde = G[:, t]
        _activate_into(gate, Z[:3], G[:3, t], scratch[:3])    # I, F, O in one call
        _activate_into(candidate, Z[3], C_tilde, scratch[3])
        np.multiply(F_t, C[t], out=C[t + 1])
        C[t + 1] += np.multiply(I_t, C_tilde, out=IC)         # C_t = F_t ⊙ C_{t-1} + I_t ⊙ C̃_t
        _activate_into(cell, C[t + 1], S[t], scratch[0])      # S_t = tanh(C_t)
        np.multiply(O_t, S[t], out=H[t + 1])                  # H_t = O_t ⊙ S_t
    cache = LSTMCache(X, W_x, W_h, H, C, G, S, gate, candidate, cell)
    return H[1:].copy(), (H[T].copy(), C[T].copy()), cache


def lstm_backward(d_outputs: np.ndarray, cache: LSTMCache, *, d_state=None):
    """Backpropagation through time for `lstm_forward`.

    d_outputs (T, n, h) is dLoss/d(outputs); d_state optionally (dH_T, dC_T), each (n, h), the
    gradient reaching the final state from elsewhere. Returns dX (T, n, d), grads (an LSTMParams of
    the same shapes as the parameters) and (dH_0, dC_0), each (n, h).
    """
    if not isinstance(cache, LSTMCache):
        raise TypeError(f"cache must be the LSTMCache returned by lstm_forward, got {type(cache).__name__}")
    X, W_x, W_h, H, C, G, S, gate, candidate, cell = cache
    T, n, d = X.shape
    h = W_h.shape[-1]
    dtype = X.dtype
    d_outputs = check_float_array(d_outputs, "d_outputs", 3, dtype)
    check_shape(d_outputs, "d_outputs", (T, n, h), "(T, n, h)")
    dH_next, dC_next = check_state_pair(d_state, "d_state", n, h, dtype)

    dZ = np.empty((4, T, n, h), dtype=dtype)   # gradients of the pre-activations of gates i, f, o, c
    W_h_T = W_h.transpose(0, 2, 1)              # W_h[k].T for the four gates
    # Buffers allocated once; the loop writes into them with `out=`. dH_next and dC_next are
    # private copies: they are updated in place.
    dH_next, dC_next = dH_next.copy(), dC_next.copy()
    dH = np.empty((n, h), dtype=dtype)
    tmp = np.empty((n, h), dtype=dtype)
    slope = np.empty((4, n, h), dtype=dtype)                  # activation slopes f'(Z) of gates i, f, o, c
    dH_gates = np.empty((4, n, h), dtype=dtype)               # dZ[k] W_h[k]^T, summed over k into dH_{t-1}
    for t in reversed(range(T)):
        I_t, F_t, O_t, C_tilde = G[:, t]
        dI, dF, dO, dC_tilde = dZ[:, t]
        np.add(d_outputs[t], dH_next, out=dH)                 # H_t feeds the output and step t + 1
        np.multiply(dH, S[t], out=dO)                         # H_t = O_t ⊙ s(C_t)
        _grad_from_output_into(cell, S[t], tmp)
        tmp *= O_t
        tmp *= dH
        dC = dC_next                                          # (renamed: updated in place)
        dC += tmp                                             # two paths into C_t: from C_{t+1} and via H_t
        np.multiply(dC, C_tilde, out=dI)
        np.multiply(dC, C[t], out=dF)                         # C[t] is C_{t-1}
        np.multiply(dC, I_t, out=dC_tilde)
        _grad_from_output_into(gate, G[:3, t], slope[:3])
        _grad_from_output_into(candidate, C_tilde, slope[3])
        dZ[:, t] *= slope                                     # through the activations: dZ = dG ⊙ f'(Z)
        dC *= F_t                                             # along the cell path: diag(F_t); now dC_{t-1}
        np.matmul(dZ[:, t], W_h_T, out=dH_gates)              # back through the recurrent products ...
        np.sum(dH_gates, axis=0, out=dH_next)                 # ... of the four gates
    # The weight gradients sum over steps: one product over all T n rows per gate.
    dZ_flat = dZ.reshape(4, T * n, h)
    dW_x = np.matmul(X.reshape(T * n, d).T, dZ_flat)          # (4, d, h)
    dW_h = np.matmul(H[:-1].reshape(T * n, h).T, dZ_flat)     # (4, h, h)
    db = dZ_flat.sum(axis=1)                                  # (4, h)
    dX = np.matmul(dZ_flat, W_x.transpose(0, 2, 1)).sum(axis=0).reshape(T, n, d)
    grads = LSTMParams(W_xi=dW_x[0], W_hi=dW_h[0], b_i=db[0], W_xf=dW_x[1], W_hf=dW_h[1], b_f=db[1],
                       W_xo=dW_x[2], W_ho=dW_h[2], b_o=db[2], W_xc=dW_x[3], W_hc=dW_h[3], b_c=db[3])
    return dX, grads, (dH_next, dC_next)
