"""Checks for the exercises of notebook 02 (the three gates)."""
from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from ..lstm import init_lstm_params, lstm_step_values
from . import ExerciseError, call_answer, check_close

__all__ = ["check_forget_gate", "check_preactivation_for_gate_value"]


def check_forget_gate(forget_gate) -> None:
    """`forget_gate(X_t, H_prev, params)` must return F_t, shape (n, h), on fresh inputs."""
    name = "forget_gate"
    rng = np.random.default_rng(2024)
    n, d, h = 3, 4, 6
    params = init_lstm_params(d, h, rng, forget_bias=1.0)
    X_t = rng.normal(size=(n, d))
    H_prev = rng.uniform(-1.0, 1.0, size=(n, h))
    expected = lstm_step_values(X_t, (H_prev, np.zeros((n, h))), params).F_t
    answer = call_answer(name, forget_gate, X_t, H_prev, params)
    check_close(name, answer, expected, atol=1e-12, rtol=0.0)


def check_preactivation_for_gate_value(preactivation_for) -> None:
    """`preactivation_for(g)` must return the z with σ(z) = g, elementwise, for g in (0, 1)."""
    name = "preactivation_for"
    g = np.array([0.001, 0.1, 0.5, 0.73, 0.99, 0.999])
    answer = call_answer(name, preactivation_for, g.copy())
    try:
        answer = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseError(f"✗ {name}: could not read the answer as an array") from None
    if answer.shape != g.shape:
        raise ExerciseError(f"✗ {name}: expected shape {g.shape}, got {answer.shape}")
    check_close(name, sigmoid(answer), g, atol=1e-12, rtol=1e-9)
