"""Checks for the exercises of notebook 06 (the LSTM layer in NumPy)."""
from __future__ import annotations

import numpy as np

from ..lstm import init_lstm_params, lstm_forward, stack_lstm_params
from . import ExerciseError, call_answer, passed, require_close

__all__ = ["check_stack_gate_weights", "check_lstm_in_chunks", "check_last_hidden"]


def _pair(name: str, what: str, value, length: int):
    if not isinstance(value, (tuple, list)) or len(value) != length:
        raise ExerciseError(f"✗ {name}: {what} should be a tuple of {length} items")
    return value


def check_stack_gate_weights(fn) -> None:
    """fn(params) -> (W_x, W_h, b) stacked in the order i, f, o, c."""
    name = "stack_gate_weights"
    params = init_lstm_params(3, 5, np.random.default_rng(601))
    answer = _pair(name, "the result", call_answer(name, fn, params), 3)
    for what, actual, expected in zip(("W_x", "W_h", "b"), answer, stack_lstm_params(params), strict=True):
        require_close(name, what, actual, expected, atol=0.0)
    passed(name)


def check_lstm_in_chunks(fn) -> None:
    """fn(X, params, chunk) -> (outputs, (H_T, C_T)) equal to one lstm_forward call."""
    name = "lstm_in_chunks"
    rng = np.random.default_rng(602)
    params = init_lstm_params(4, 3, rng)
    X = rng.standard_normal((11, 2, 4))
    outputs, (H_T, C_T), _ = lstm_forward(X, None, params)
    for chunk in (3, 11, 1):                           # uneven pieces, one piece, single steps
        answer = _pair(name, "the result", call_answer(name, fn, X, params, chunk), 2)
        require_close(name, f"outputs (chunk={chunk})", answer[0], outputs)
        state = _pair(name, f"the final state (chunk={chunk})", answer[1], 2)
        require_close(name, f"H_T (chunk={chunk})", state[0], H_T)
        require_close(name, f"C_T (chunk={chunk})", state[1], C_T)
    passed(name)


def check_last_hidden(fn) -> None:
    """fn(X, lengths, params) -> (n, h) array, row k = H at step lengths[k] of example k."""
    name = "last_hidden"
    rng = np.random.default_rng(603)
    params = init_lstm_params(3, 4, rng)
    lengths = np.array([5, 1, 9, 3])
    X = rng.standard_normal((9, 4, 3))
    expected = np.stack([lstm_forward(X[:length, k:k + 1], None, params)[1][0][0]
                         for k, length in enumerate(lengths)])
    require_close(name, "the result", call_answer(name, fn, X, lengths, params), expected)
    passed(name)
