"""Numerical gradient checks: central differences against the hand-written backward pass.

For a scalar function f and an array x, the central difference

    ∂f/∂x_k ≈ (f(x + ε e_k) − f(x − ε e_k)) / (2ε)

has a truncation error of order ε² and a rounding error of order (machine epsilon)·|f| / ε.
With float64 and ε = 1e-6 both are around 1e-10 relative, so an analytic gradient that agrees to a
relative error of 1e-7 or better is right; a wrong one is typically off by 1e-2 or more. In float32
the rounding term is ~1e-1, which is why the check refuses anything but float64.

The comparison is the relative error of whole gradient arrays,

    relative_error(a, b) = ‖a − b‖ / max(‖a‖, ‖b‖, tiny)

(Frobenius norms; `tiny` = the smallest positive float64, so two zero arrays give 0, not 0/0).
It is scale-free: multiplying the loss by 1000 does not change it.

A piecewise-linear activation (relu, hard_sigmoid) has kinks; a central difference that straddles
a kink is wrong by construction, so pick inputs whose pre-activations stay farther than ε from one.
"""
from __future__ import annotations

import numpy as np

from .lstm import LSTMParams, check_lstm_params, lstm_backward, lstm_forward
from .validation import check_float_array, check_state_pair

__all__ = ["numerical_gradient", "relative_error", "check_lstm_gradients"]


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function f at x; returns an array shaped like x.

    f is called as f(x) and must return a float. Each entry of x is perturbed *in place* by ±eps
    (so f may also read x through a closure) and restored exactly afterwards, even if f raises.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a floating-point NumPy array, got "
                        f"{type(x).__name__ if not isinstance(x, np.ndarray) else x.dtype}")
    if not x.flags.writeable:
        raise ValueError("x must be writeable: it is perturbed in place")
    eps = float(eps)
    if not eps > 0:
        raise ValueError(f"eps must be a positive float, got {eps!r}")
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + eps
            f_plus = float(f(x))
            x[index] = original - eps
            f_minus = float(f(x))
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, b) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖, tiny): 0 for equal arrays, about 1 for unrelated ones (Frobenius norms)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    tiny = np.finfo(np.float64).tiny
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), tiny))


def _require_float64(array: np.ndarray, name: str) -> None:
    if array.dtype != np.float64:
        raise TypeError(f"{name} must be float64 for a gradient check (central differences in lower "
                        f"precision are too coarse), got {array.dtype}")


def check_lstm_gradients(X: np.ndarray, state, params: LSTMParams, *, rng: np.random.Generator | None = None,
                         eps: float = 1e-6, **activations) -> dict[str, float]:
    """Compare `lstm_backward` with central differences; return {name: relative error}.

    X (T, n, d), state None (zeros) or (H_0, C_0) each (n, h), params an LSTMParams — all float64.
    The scalar loss is L = sum(R ⊙ outputs) + sum(r1 ⊙ H_T) + sum(r2 ⊙ C_T) with R, r1, r2 drawn
    from `rng` (default np.random.default_rng(0)), so both d_outputs and d_state are exercised.
    Keys: every LSTMParams field, then "X", "H_0", "C_0". The caller's arrays are not modified.
    Keyword arguments (gate_activation, candidate_activation, cell_activation) go to lstm_forward.
    """
    _, h, dtype = check_lstm_params(params)
    _require_float64(np.zeros(0, dtype=dtype), "params")
    X = check_float_array(X, "X", 3)
    _require_float64(X, "X")
    H_0, C_0 = check_state_pair(state, "state", X.shape[1], h, np.float64)
    if rng is None:
        rng = np.random.default_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")

    # private copies: the numerical gradient perturbs them in place
    params = LSTMParams(*(np.array(p, dtype=np.float64, copy=True) for p in params))
    X, H_0, C_0 = X.copy(), H_0.copy(), C_0.copy()

    outputs, (H_T, C_T), cache = lstm_forward(X, (H_0, C_0), params, **activations)
    R = rng.standard_normal(outputs.shape)
    r1 = rng.standard_normal(H_T.shape)
    r2 = rng.standard_normal(C_T.shape)

    def loss(_=None) -> float:
        out, (H, C), _cache = lstm_forward(X, (H_0, C_0), params, **activations)
        return float(np.sum(R * out) + np.sum(r1 * H) + np.sum(r2 * C))

    dX, grads, (dH_0, dC_0) = lstm_backward(R, cache, d_state=(r1, r2))
    analytic = dict(zip(LSTMParams._fields, grads, strict=True))
    analytic.update(X=dX, H_0=dH_0, C_0=dC_0)
    arrays = dict(zip(LSTMParams._fields, params, strict=True))
    arrays.update(X=X, H_0=H_0, C_0=C_0)
    return {name: relative_error(analytic[name], numerical_gradient(loss, arrays[name], eps))
            for name in arrays}
