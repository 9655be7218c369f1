"""A vanilla (Elman) tanh RNN in NumPy: parameters, one step, a layer, its backward pass, and a probe
of how fast the gradient with respect to past inputs vanishes.

Notation (design §2), row-vector minibatches: X_t is (n, d), H_t is (n, h).

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)         W_xh (d, h), W_hh (h, h), b_h (h,)

This is `torch.nn.RNN(d, h, nonlinearity="tanh")` with weight_ih = W_xh.T, weight_hh = W_hh.T and
bias_ih + bias_hh = b_h (PyTorch keeps two biases; only their sum matters).

Backward through one step (the chain rule, one example, column-Jacobian convention):

    ∂H_t/∂H_{t-1} = diag(1 - H_t²) W_hhᵀ          ∂H_t/∂X_t = diag(1 - H_t²) W_xhᵀ

so the gradient reaching X_{T-k} from H_T is a product of k such recurrent Jacobians — the reason
it vanishes (or explodes) geometrically in k. `input_jacobian_norms` measures exactly that.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .validation import check_float_array, check_hidden_state, check_params, check_positive_int, check_shape

__all__ = [
    "RNNParams", "RNNCache", "init_rnn_params", "check_rnn_params", "num_rnn_params",
    "rnn_step", "rnn_forward", "rnn_backward", "input_jacobian_norms",
]


class RNNParams(NamedTuple):
    """The three vanilla-RNN parameters: W_xh (d, h), W_hh (h, h), b_h (h,)."""

    W_xh: np.ndarray
    W_hh: np.ndarray
    b_h: np.ndarray

    @property
    def num_inputs(self) -> int:
        """d, the number of input features."""
        return self.W_xh.shape[0]

    @property
    def num_hiddens(self) -> int:
        """h, the number of hidden units."""
        return self.W_xh.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.W_xh.dtype


class RNNCache(NamedTuple):
    """What `rnn_forward` keeps for `rnn_backward`: X (T, n, d), the parameters, and
    H (T + 1, n, h) with the initial state H_0 at index 0 and H_t at index t."""

    X: np.ndarray
    params: RNNParams
    H: np.ndarray


def num_rnn_params(num_inputs: int, num_hiddens: int) -> int:
    """h(d + h + 1): one (d, h) and one (h, h) matrix and a bias (PyTorch stores h more: two biases)."""
    d = check_positive_int(num_inputs, "num_inputs")
    h = check_positive_int(num_hiddens, "num_hiddens")
    return h * (d + h + 1)


def init_rnn_params(num_inputs: int, num_hiddens: int, rng: np.random.Generator | None = None, *,
                    scale: float | None = None, dtype=np.float64) -> RNNParams:
    """Random RNN parameters drawn as PyTorch does: every entry ~ U(-scale, scale), scale = 1/sqrt(h).

    Draw order W_xh, W_hh, b_h from `rng` (default np.random.default_rng(0)). float64 unless `dtype`
    says otherwise. A larger `scale` makes the recurrence stronger (see `input_jacobian_norms`).
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
    if not (np.isfinite(scale) and scale >= 0):
        raise ValueError(f"scale must be a finite non-negative number, got {scale!r}")
    W_xh = rng.uniform(-scale, scale, size=(d, h))
    W_hh = rng.uniform(-scale, scale, size=(h, h))
    b_h = rng.uniform(-scale, scale, size=(h,))
    return RNNParams(W_xh.astype(dtype), W_hh.astype(dtype), b_h.astype(dtype))


def check_rnn_params(params) -> tuple[int, int, np.dtype]:
    """Check that `params` is an RNNParams of consistent shapes and one float dtype; return (d, h, dtype)."""
    return check_params(params, RNNParams)


def rnn_step(X_t: np.ndarray, H_prev: np.ndarray | None, params: RNNParams) -> np.ndarray:
    """One step H_t = tanh(X_t W_xh + H_prev W_hh + b_h).

    X_t (n, d); H_prev (n, h) or None (zeros). Returns H_t (n, h), values in [-1, 1].
    """
    d, h, dtype = check_rnn_params(params)
    X_t = check_float_array(X_t, "X_t", 2, dtype)
    check_shape(X_t, "X_t", (X_t.shape[0], d), "(n, d)")
    H_prev = check_hidden_state(H_prev, "H_prev", X_t.shape[0], h, dtype)
    return np.tanh(X_t @ params.W_xh + H_prev @ params.W_hh + params.b_h)


def rnn_forward(X: np.ndarray, H_0: np.ndarray | None, params: RNNParams):
    """Run the RNN over a sequence.

    X (T, n, d); H_0 (n, h) or None (zeros). Returns outputs (T, n, h) = H_1..H_T, the final state
    H_T (n, h), and a cache for `rnn_backward`. The input projection X_t W_xh + b_h of all T steps is
    one matrix product before the loop; only H_{t-1} W_hh has to wait for the previous step.
    """
    d, h, dtype = check_rnn_params(params)
    X = check_float_array(X, "X", 3, dtype)
    T, n, _ = X.shape
    check_shape(X, "X", (T, n, d), "(T, n, d)")
    H_0 = check_hidden_state(H_0, "H_0", n, h, dtype)

    Z_x = (X.reshape(T * n, d) @ params.W_xh).reshape(T, n, h)
    Z_x += params.b_h
    H = np.empty((T + 1, n, h), dtype=dtype)
    H[0] = H_0
    for t in range(T):
        H[t + 1] = np.tanh(Z_x[t] + H[t] @ params.W_hh)
    return H[1:].copy(), H[T].copy(), RNNCache(X, params, H)


def rnn_backward(d_outputs: np.ndarray, cache: RNNCache, *, dH_T: np.ndarray | None = None):
    """Backpropagation through time for `rnn_forward`.

    d_outputs (T, n, h) is dLoss/d(outputs); dH_T (n, h), optional, is a gradient reaching the final
    state from elsewhere (it adds to d_outputs[T-1]). Returns dX (T, n, d), grads (an RNNParams shaped
    like the parameters) and dH_0 (n, h).

    Per step, backwards:  dA_t = (d_outputs[t] + dH_next) ⊙ (1 - H_t²),   dH_next = dA_t W_hhᵀ,
    and dW_xh = Σ X_tᵀ dA_t,  dW_hh = Σ H_{t-1}ᵀ dA_t,  db_h = Σ dA_t (over steps and examples),
    dX_t = dA_t W_xhᵀ.
    """
    if not isinstance(cache, RNNCache):
        raise TypeError(f"cache must be the RNNCache returned by rnn_forward, got {type(cache).__name__}")
    X, params, H = cache
    T, n, d = X.shape
    h = params.num_hiddens
    dtype = X.dtype
    d_outputs = check_float_array(d_outputs, "d_outputs", 3, dtype)
    check_shape(d_outputs, "d_outputs", (T, n, h), "(T, n, h)")
    dH_next = check_hidden_state(dH_T, "dH_T", n, h, dtype)

    dA = np.empty((T, n, h), dtype=dtype)          # gradients of the pre-activations A_t
    W_hh_T = params.W_hh.T
    for t in reversed(range(T)):
        dA[t] = (d_outputs[t] + dH_next) * (1.0 - H[t + 1] * H[t + 1])   # tanh' from its output
        dH_next = dA[t] @ W_hh_T
    dA_flat = dA.reshape(T * n, h)
    dW_xh = X.reshape(T * n, d).T @ dA_flat
    dW_hh = H[:-1].reshape(T * n, h).T @ dA_flat
    db_h = dA_flat.sum(axis=0)
    dX = (dA_flat @ params.W_xh.T).reshape(T, n, d)
    return dX, RNNParams(dW_xh, dW_hh, db_h), dH_next


def input_jacobian_norms(X: np.ndarray, H_0: np.ndarray | None, params: RNNParams) -> np.ndarray:
    """How strongly the final state H_T depends on each past input: ‖∂H_T/∂X_{T-k}‖_F for k = 0..T-1.

    X (T, n, d) holds n independent sequences; H_0 (n, h) or None (zeros). Returns an array of shape
    (T, n): row k is for the input k steps before the end (row 0 is X_T, the last input; row T-1 is
    X_1, the first), column i for sequence i. Each entry is the Frobenius norm of the (h, d) Jacobian
    of that sequence's H_T with respect to that one input vector.

    Exact, with one backward pass (no finite differences): backprop computes a vector-Jacobian
    product g ↦ gᵀ ∂H_T/∂X_t for every t at once. Seeding g with the j-th unit vector gives row j of
    every Jacobian. So each sequence is repeated h times along the batch (batch n·h), copy j is
    seeded with dH_T = e_j (the identity matrix across the copies), and dX[t] then holds all rows of
    ∂H_T/∂X_t. The copies do not interact: the examples of a batch are independent.
    Cost: one forward and one backward pass at batch n·h.
    """
    d, h, dtype = check_rnn_params(params)
    X = check_float_array(X, "X", 3, dtype)
    T, n, _ = X.shape
    check_shape(X, "X", (T, n, d), "(T, n, d)")
    H_0 = check_hidden_state(H_0, "H_0", n, h, dtype)

    X_rep = np.repeat(X, h, axis=1)                      # (T, n·h, d): sequence i, copy j at i·h + j
    H_0_rep = np.repeat(H_0, h, axis=0)                  # (n·h, h)
    _, _, cache = rnn_forward(X_rep, H_0_rep, params)
    seed = np.tile(np.eye(h, dtype=dtype), (n, 1))       # copy j of every sequence gets e_j
    dX, _, _ = rnn_backward(np.zeros((T, n * h, h), dtype=dtype), cache, dH_T=seed)
    jac = dX.reshape(T, n, h, d)                         # jac[t, i] = ∂H_T/∂X_{t+1} of sequence i, (h, d)
    norms = np.sqrt(np.sum(jac * jac, axis=(2, 3)))      # (T, n), indexed by time t
    return norms[::-1].copy()                            # indexed by k = T - 1 - t
