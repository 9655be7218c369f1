"""Checks for the exercises of notebook 03 (the candidate memory)."""
from __future__ import annotations

import numpy as np

from ..lstm import init_lstm_params, lstm_step_values
from . import call_answer, check_close

__all__ = ["check_candidate_memory", "check_tanh_from_sigmoid"]


def check_candidate_memory(candidate_memory) -> None:
    """`candidate_memory(X_t, H_prev, params)` must return C̃_t, shape (n, h), on fresh inputs."""
    name = "candidate_memory"
    rng = np.random.default_rng(303)
    n, d, h = 5, 2, 3
    params = init_lstm_params(d, h, rng)
    X_t = rng.normal(scale=3.0, size=(n, d))
    H_prev = rng.uniform(-1.0, 1.0, size=(n, h))
    expected = lstm_step_values(X_t, (H_prev, np.zeros((n, h))), params).C_tilde
    answer = call_answer(name, candidate_memory, X_t, H_prev, params)
    check_close(name, answer, expected, atol=1e-12, rtol=0.0)


def check_tanh_from_sigmoid(tanh_from_sigmoid) -> None:
    """`tanh_from_sigmoid(z)` (built from sigmoid only) must equal np.tanh(z) elementwise."""
    name = "tanh_from_sigmoid"
    z = np.linspace(-30.0, 30.0, 241)
    answer = call_answer(name, tanh_from_sigmoid, z.copy())
    check_close(name, answer, np.tanh(z), atol=1e-12, rtol=0.0)
