"""Checks for the exercises of notebook 10 (LSTM versus GRU)."""
from __future__ import annotations

import numpy as np

from ..gru import gru_step, init_gru_params
from . import ExerciseError, call_answer, check_close, check_true

__all__ = ["check_torch_gru_numel", "check_gru_step_before", "check_equal_budget_hidden_size"]


def _int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ExerciseError(f"✗ {name}: return an int, got {type(value).__name__}")
    return int(value)


def check_torch_gru_numel(torch_gru_numel) -> None:
    """`torch_gru_numel(d, h)` must equal the number of scalars in torch.nn.GRU(d, h): 3h(d + h + 2)."""
    name = "torch_gru_numel"
    for d, h in [(1, 1), (2, 16), (8, 64), (300, 128), (5, 3)]:
        got = _int(name, call_answer(name, torch_gru_numel, d, h))
        if got != 3 * h * (d + h + 2):
            hint = " (did you count both bias vectors, bias_ih and bias_hh?)" if got == 3 * h * (d + h + 1) else ""
            raise ExerciseError(f"✗ {name}: wrong count for d = {d}, h = {h}: got {got}{hint}")
    check_true(name, True, "")


def check_gru_step_before(gru_step_before) -> None:
    """`gru_step_before(X_t, H_prev, params)`: one GRU step with the reset gate before W_hh (Cho et al.)."""
    name = "gru_step_before"
    rng = np.random.default_rng(1010)
    params = init_gru_params(3, 5, rng, scale=0.8)
    X_t = rng.normal(size=(4, 3))
    H_prev = rng.uniform(-1, 1, size=(4, 5))
    answer = call_answer(name, gru_step_before, X_t, H_prev, params)
    after = gru_step(X_t, H_prev, params, reset="after")
    if np.shape(answer) == after.shape and np.allclose(answer, after, atol=1e-12):
        raise ExerciseError(f"✗ {name}: this is the reset-*after* (PyTorch) form; apply R_t to H_prev before W_hh")
    check_close(name, answer, gru_step(X_t, H_prev, params, reset="before"), atol=1e-12, rtol=0.0)


def check_equal_budget_hidden_size(equal_budget_hidden_size) -> None:
    """`equal_budget_hidden_size(d, h_lstm)`: the largest h with 3h(d+h+1) <= 4 h_lstm (d + h_lstm + 1)."""
    name = "equal_budget_hidden_size"
    for d, h_lstm in [(2, 16), (8, 64), (64, 64), (300, 256), (1, 1)]:
        budget = 4 * h_lstm * (d + h_lstm + 1)
        expected = max(h for h in range(1, 4 * h_lstm + 2) if 3 * h * (d + h + 1) <= budget)
        got = _int(name, call_answer(name, equal_budget_hidden_size, d, h_lstm))
        if got != expected:
            raise ExerciseError(f"✗ {name}: for d = {d}, h_lstm = {h_lstm} expected {expected}, got {got}")
    check_true(name, True, "")
