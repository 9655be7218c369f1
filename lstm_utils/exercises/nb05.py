"""Checks for the exercises of notebook 05 (the hidden state and the whole cell)."""
from __future__ import annotations

import numpy as np

from ..lstm import init_lstm_params, lstm_step
from . import ExerciseError, call_answer, check_close, passed

__all__ = ["check_hidden_state", "check_lstm_cell"]


def check_hidden_state(hidden_state) -> None:
    """`hidden_state(O_t, C_t)` must return H_t = O_t ⊙ tanh(C_t)."""
    name = "hidden_state"
    rng = np.random.default_rng(505)
    O_t = rng.uniform(size=(3, 8))
    C_t = rng.normal(scale=3.0, size=(3, 8))
    answer = call_answer(name, hidden_state, O_t, C_t)
    check_close(name, answer, O_t * np.tanh(C_t), atol=1e-12, rtol=0.0)


def check_lstm_cell(lstm_cell) -> None:
    """`lstm_cell(X_t, H_prev, C_prev, params)` must return (H_t, C_t) equal to lstm_utils.lstm.lstm_step."""
    name = "lstm_cell"
    rng = np.random.default_rng(5050)
    n, d, h = 2, 3, 4
    params = init_lstm_params(d, h, rng, forget_bias=1.0)
    X_t = rng.normal(size=(n, d))
    H_prev = rng.uniform(-1.0, 1.0, size=(n, h))
    C_prev = rng.normal(size=(n, h))
    H_ref, C_ref = lstm_step(X_t, (H_prev, C_prev), params)
    answer = call_answer(name, lstm_cell, X_t, H_prev, C_prev, params)
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise ExerciseError(f"✗ {name}: return the pair (H_t, C_t)")
    H_t, C_t = (np.asarray(a, dtype=float) for a in answer)
    for label, got, ref in (("H_t", H_t, H_ref), ("C_t", C_t, C_ref)):
        if got.shape != ref.shape:
            raise ExerciseError(f"✗ {name}: {label} should have shape {ref.shape}, got {got.shape}")
        if not np.allclose(got, ref, atol=1e-12, rtol=0.0):
            worst = float(np.max(np.abs(got - ref)))
            raise ExerciseError(f"✗ {name}: {label} differs from lstm_step (max abs difference {worst:.3g})")
    passed(name)
