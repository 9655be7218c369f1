"""A NumPy GRU (Cho et al. 2014) in the curriculum's notation, with both reset-gate placements.

    R_t = σ(X_t W_xr + H_{t-1} W_hr + b_r)                      reset gate
    Z_t = σ(X_t W_xz + H_{t-1} W_hz + b_z)                      update gate
    textbook / Cho et al. ("reset before"):
        H̃_t = tanh(X_t W_xh + (R_t ⊙ H_{t-1}) W_hh + b_xh + b_hh)
    PyTorch / cuDNN ("reset after"):
        H̃_t = tanh(X_t W_xh + b_xh + R_t ⊙ (H_{t-1} W_hh + b_hh))
    H_t = Z_t ⊙ H_{t-1} + (1 - Z_t) ⊙ H̃_t

Shapes: W_x* (d, h), W_h* (h, h), biases (h,). The candidate has two biases because in the
reset-after form the hidden one sits inside the reset gate's product; in the reset-before form
they simply add.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import sigmoid
from .validation import check_float_array, check_hidden_state, check_params, check_positive_int, check_shape


class GRUParams(NamedTuple):
    """The ten GRU parameters. W_x* (d, h), W_h* (h, h), b_* (h,)."""

    W_xr: np.ndarray
    W_hr: np.ndarray
    b_r: np.ndarray
    W_xz: np.ndarray
    W_hz: np.ndarray
    b_z: np.ndarray
    W_xh: np.ndarray
    W_hh: np.ndarray
    b_xh: np.ndarray
    b_hh: np.ndarray

    @property
    def num_inputs(self) -> int:
        return self.W_xr.shape[0]

    @property
    def num_hiddens(self) -> int:
        return self.W_xr.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.W_xr.dtype


__all__ = [
    "GRUParams", "GRUStepValues", "GRUCache", "RESET_PLACEMENTS", "init_gru_params", "check_gru_params",
    "num_gru_params", "gru_step_values", "gru_step", "gru_forward", "gru_backward",
]

RESET_PLACEMENTS = ("after", "before")
"""'after': PyTorch / cuDNN (reset applied to H_{t-1} W_hh + b_hh); 'before': Cho et al. / textbook."""


class GRUStepValues(NamedTuple):
    """Every intermediate value of one GRU step, each (n, h)."""

    R_t: np.ndarray
    Z_t: np.ndarray
    H_tilde: np.ndarray
    H_t: np.ndarray


class GRUCache(NamedTuple):
    """What `gru_forward` keeps for `gru_backward`.

    X (T, n, d); params; H (T + 1, n, h) = H_0 … H_T; R, Z, H_tilde (T, n, h);
    A (T, n, h) = H_{t-1} W_hh + b_hh for reset="after", R_t ⊙ H_{t-1} for reset="before"; reset.
    """

    X: np.ndarray
    params: GRUParams
    H: np.ndarray
    R: np.ndarray
    Z: np.ndarray
    H_tilde: np.ndarray
    A: np.ndarray
    reset: str


def num_gru_params(num_inputs: int, num_hiddens: int, *, reset: str = "after") -> int:
    """Number of *distinct* scalars a GRU of this size needs.

    Three blocks (r, z, candidate), each with a (d, h) and an (h, h) matrix and one bias:
    3h(d + h + 1). The reset-after form needs one more h-vector, b_hh, because it sits inside
    R_t ⊙ (H_{t-1} W_hh + b_hh) and cannot be merged with b_xh: 3h(d + h + 1) + h.
    (PyTorch stores 3h(d + h + 2): two full bias vectors, of which the r and z halves are redundant.)
    """
    d = check_positive_int(num_inputs, "num_inputs")
    h = check_positive_int(num_hiddens, "num_hiddens")
    _check_reset(reset)
    return 3 * h * (d + h + 1) + (h if reset == "after" else 0)


def _check_reset(reset) -> str:
    if reset not in RESET_PLACEMENTS:
        raise ValueError(f"reset must be 'after' (PyTorch) or 'before' (Cho et al.), got {reset!r}")
    return reset


def init_gru_params(num_inputs: int, num_hiddens: int, rng: np.random.Generator | None = None, *,
                    scale: float | None = None, dtype=np.float64) -> GRUParams:
    """Random GRU parameters drawn as PyTorch does: every entry ~ U(-scale, scale), scale = 1/sqrt(h).

    rng None means np.random.default_rng(0). Arrays are float64 unless `dtype` says otherwise.
    """
    d = check_positive_int(num_inputs, "num_inputs")
    h = check_positive_int(num_hiddens, "num_hiddens")
    if rng is None:
        rng = np.random.default_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype!r}") from None
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype}")
    scale = 1.0 / np.sqrt(h) if scale is None else float(scale)
    shapes = {"W_x": (d, h), "W_h": (h, h)}
    arrays = {}
    for name in GRUParams._fields:
        shape = shapes.get(name[:3], (h,))
        arrays[name] = rng.uniform(-scale, scale, size=shape).astype(dtype)
    return GRUParams(**arrays)


def check_gru_params(params) -> tuple[int, int, np.dtype]:
    """Check that `params` is a GRUParams of consistent shapes and one float dtype; return (d, h, dtype)."""
    return check_params(params, GRUParams)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return sigmoid(x)


def gru_step_values(X_t: np.ndarray, H_prev, params: GRUParams, *, reset: str = "after") -> GRUStepValues:
    """One GRU step, equation by equation: (R_t, Z_t, H_tilde, H_t), each (n, h).

    X_t (n, d); H_prev (n, h) or None (zeros).
    """
    d, h, dtype = check_gru_params(params)
    _check_reset(reset)
    X_t = check_float_array(X_t, "X_t", 2, dtype)
    check_shape(X_t, "X_t", (X_t.shape[0], d), "(n, d)")
    H_prev = check_hidden_state(H_prev, "H_prev", X_t.shape[0], h, dtype)
    p = params
    R_t = _sigmoid(X_t @ p.W_xr + H_prev @ p.W_hr + p.b_r)
    Z_t = _sigmoid(X_t @ p.W_xz + H_prev @ p.W_hz + p.b_z)
    if reset == "after":
        H_tilde = np.tanh(X_t @ p.W_xh + p.b_xh + R_t * (H_prev @ p.W_hh + p.b_hh))
    else:
        H_tilde = np.tanh(X_t @ p.W_xh + (R_t * H_prev) @ p.W_hh + p.b_xh + p.b_hh)
    H_t = Z_t * H_prev + (1.0 - Z_t) * H_tilde
    return GRUStepValues(R_t, Z_t, H_tilde, H_t)


def gru_step(X_t: np.ndarray, H_prev, params: GRUParams, *, reset: str = "after") -> np.ndarray:
    """One GRU step: H_t (n, h) from X_t (n, d) and H_prev (n, h) or None."""
    return gru_step_values(X_t, H_prev, params, reset=reset).H_t


def gru_forward(X: np.ndarray, state, params: GRUParams, *, reset: str = "after"):
    """Run the GRU over a sequence.

    X (T, n, d); state None (zeros) or H_0 (n, h).
    Returns outputs (T, n, h) = H_1 … H_T, the final state H_T (n, h), and a cache for `gru_backward`.
    The three input products of all T steps are one matrix product before the loop.
    """
    d, h, dtype = check_gru_params(params)
    _check_reset(reset)
    X = check_float_array(X, "X", 3, dtype)
    T, n, _ = X.shape
    check_shape(X, "X", (T, n, d), "(T, n, d)")
    H_0 = check_hidden_state(state, "state", n, h, dtype)
    p = params
    W_x = np.concatenate([p.W_xr, p.W_xz, p.W_xh], axis=1)           # (d, 3h): [r | z | h]
    W_h_rz = np.concatenate([p.W_hr, p.W_hz], axis=1)                # (h, 2h)
    P_x = (X.reshape(T * n, d) @ W_x).reshape(T, n, 3 * h)
    P_x += np.concatenate([p.b_r, p.b_z, p.b_xh])
    H = np.empty((T + 1, n, h), dtype=dtype)
    R = np.empty((T, n, h), dtype=dtype)
    Z = np.empty((T, n, h), dtype=dtype)
    Ht = np.empty((T, n, h), dtype=dtype)
    A = np.empty((T, n, h), dtype=dtype)
    H[0] = H_0
    for t in range(T):
        H_prev = H[t]
        G = _sigmoid(P_x[t, :, :2 * h] + H_prev @ W_h_rz)
        R[t], Z[t] = G[:, :h], G[:, h:]
        if reset == "after":
            A[t] = H_prev @ p.W_hh + p.b_hh
            Ht[t] = np.tanh(P_x[t, :, 2 * h:] + R[t] * A[t])
        else:
            A[t] = R[t] * H_prev
            Ht[t] = np.tanh(P_x[t, :, 2 * h:] + A[t] @ p.W_hh + p.b_hh)
        H[t + 1] = Z[t] * H_prev + (1.0 - Z[t]) * Ht[t]
    cache = GRUCache(X, params, H, R, Z, Ht, A, reset)
    return H[1:].copy(), H[T].copy(), cache


def gru_backward(d_outputs: np.ndarray, cache: GRUCache, *, dH_T: np.ndarray | None = None):
    """Backpropagation through time for `gru_forward`.

    d_outputs (T, n, h) = dLoss/d(outputs); dH_T optionally (n, h), a gradient reaching H_T from
    elsewhere. Returns dX (T, n, d), grads (a GRUParams shaped like the parameters) and dH_0 (n, h).

    Per step, with dH the total gradient of H_t and Ĥ = H̃_t:
        dZ_t = dH ⊙ (H_{t-1} − Ĥ);     dĤ = dH ⊙ (1 − Z_t);     da_h = dĤ ⊙ (1 − Ĥ²)
        after : dR_t = da_h ⊙ (H_{t-1} W_hh + b_hh);  d(H_{t-1} W_hh + b_hh) = da_h ⊙ R_t
        before: d(R_t ⊙ H_{t-1}) = da_h W_hhᵀ;  dR_t = that ⊙ H_{t-1}
        da_r = dR_t ⊙ R_t(1 − R_t),  da_z = dZ_t ⊙ Z_t(1 − Z_t)
        dH_{t-1} = dH ⊙ Z_t + da_r W_hrᵀ + da_z W_hzᵀ + (the candidate's path through W_hh)
    """
    if not isinstance(cache, GRUCache):
        raise TypeError(f"cache must be the GRUCache returned by gru_forward, got {type(cache).__name__}")
    X, p, H, R, Z, Ht, A, reset = cache
    T, n, d = X.shape
    h = p.W_hh.shape[0]
    dtype = X.dtype
    d_outputs = check_float_array(d_outputs, "d_outputs", 3, dtype)
    check_shape(d_outputs, "d_outputs", (T, n, h), "(T, n, h)")
    dH_next = check_hidden_state(dH_T, "dH_T", n, h, dtype)

    da = np.empty((T, n, 3 * h), dtype=dtype)       # gradients of the pre-activations [r | z | h]
    dA = np.empty((T, n, h), dtype=dtype)           # gradient of A_t (see GRUCache)
    W_h_rz_T = np.concatenate([p.W_hr, p.W_hz], axis=1).T
    W_hh_T = p.W_hh.T
    for t in reversed(range(T)):
        H_prev = H[t]
        dH = d_outputs[t] + dH_next
        da_h = dH * (1.0 - Z[t]) * (1.0 - Ht[t] ** 2)
        da[t, :, h:2 * h] = dH * (H_prev - Ht[t]) * Z[t] * (1.0 - Z[t])
        da[t, :, 2 * h:] = da_h
        if reset == "after":
            dA[t] = da_h * R[t]
            dR = da_h * A[t]
            dH_from_cand = dA[t] @ W_hh_T
        else:
            dA[t] = da_h @ W_hh_T                    # gradient of R_t ⊙ H_{t-1}
            dR = dA[t] * H_prev
            dH_from_cand = dA[t] * R[t]
        da[t, :, :h] = dR * R[t] * (1.0 - R[t])
        dH_next = dH * Z[t] + da[t, :, :2 * h] @ W_h_rz_T + dH_from_cand
    da_flat = da.reshape(T * n, 3 * h)
    X_flat = X.reshape(T * n, d)
    H_flat = H[:-1].reshape(T * n, h)
    dW_x = X_flat.T @ da_flat
    dW_h_rz = H_flat.T @ da_flat[:, :2 * h]
    db = da_flat.sum(axis=0)
    if reset == "after":
        dA_flat = dA.reshape(T * n, h)
        dW_hh = H_flat.T @ dA_flat
        db_hh = dA_flat.sum(axis=0)
    else:
        dW_hh = A.reshape(T * n, h).T @ da_flat[:, 2 * h:]
        db_hh = db[2 * h:].copy()
    W_x = np.concatenate([p.W_xr, p.W_xz, p.W_xh], axis=1)
    dX = (da_flat @ W_x.T).reshape(T, n, d)
    grads = GRUParams(
        W_xr=dW_x[:, :h].copy(), W_hr=dW_h_rz[:, :h].copy(), b_r=db[:h].copy(),
        W_xz=dW_x[:, h:2 * h].copy(), W_hz=dW_h_rz[:, h:].copy(), b_z=db[h:2 * h].copy(),
        W_xh=dW_x[:, 2 * h:].copy(), W_hh=dW_hh, b_xh=db[2 * h:].copy(), b_hh=db_hh,
    )
    return dX, grads, dH_next
