"""Checks for the exercises of notebook 11 (activation functions and LSTM variants)."""
from __future__ import annotations

import numpy as np
import torch

from ..lstm import init_lstm_params
from . import ExerciseError, call_answer, check_close, check_true

__all__ = ["check_tanh_via_sigmoid", "check_gate_summary", "check_cifg_step"]


def check_tanh_via_sigmoid(tanh_via_sigmoid) -> None:
    """`tanh_via_sigmoid(x)` must equal np.tanh(x) on fresh inputs, without calling np.tanh."""
    name = "tanh_via_sigmoid"
    rng = np.random.default_rng(1101)
    x = np.concatenate([rng.normal(scale=3.0, size=50), [-30.0, -1.0, 0.0, 1.0, 30.0]])
    original = np.tanh
    calls = []

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    np.tanh = spy
    try:
        answer = call_answer(name, tanh_via_sigmoid, x.copy())
    finally:
        np.tanh = original
    if calls:
        raise ExerciseError(f"✗ {name}: build it from sigmoid only — np.tanh was called")
    check_close(name, answer, np.tanh(x), atol=1e-12, rtol=0.0)


def check_gate_summary(gate_summary) -> None:
    """`gate_summary(values)` must return (fraction in [0, 1], fraction < 0.1 or > 0.9)."""
    name = "gate_summary"
    rng = np.random.default_rng(1102)
    values = rng.uniform(-0.5, 1.5, size=(7, 5, 3))
    values[0, 0, :] = [0.0, 1.0, 0.1]                     # edges: inside, inside, not saturated
    expected = (float(np.mean((values >= 0) & (values <= 1))), float(np.mean((values < 0.1) | (values > 0.9))))
    answer = call_answer(name, gate_summary, values.copy())
    try:
        inside, saturated = (float(a) for a in answer)
    except (TypeError, ValueError):
        raise ExerciseError(f"✗ {name}: return a pair (fraction inside [0, 1], fraction saturated)") from None
    check_true(name, abs(inside - expected[0]) < 1e-12 and abs(saturated - expected[1]) < 1e-12,
               f"expected ({expected[0]:.4f}, {expected[1]:.4f}), got ({inside:.4f}, {saturated:.4f})")


def check_cifg_step(cifg_step) -> None:
    """`cifg_step(X_t, H_prev, C_prev, params)` must return (H_t, C_t) of the coupled-gate cell F = 1 - I."""
    from ..variants import VariantLSTM

    name = "cifg_step"
    rng = np.random.default_rng(1103)
    n, d, h = 3, 4, 5
    params = init_lstm_params(d, h, rng, forget_bias=1.0)
    X_t = rng.normal(size=(n, d))
    H_prev = rng.uniform(-1.0, 1.0, size=(n, h))
    C_prev = rng.normal(size=(n, h))
    model = VariantLSTM(d, h, 1, variant="CIFG", dtype=torch.float64).load_lstm_params(params)
    with torch.no_grad():
        _, (H_ref, C_ref), _ = model.cell_forward(torch.from_numpy(X_t[None]),
                                                  (torch.from_numpy(H_prev), torch.from_numpy(C_prev)))
    answer = call_answer(name, cifg_step, X_t.copy(), H_prev.copy(), C_prev.copy(), params)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise ExerciseError(f"✗ {name}: return the pair (H_t, C_t)")
    check_close(name + " (C_t)", answer[1], C_ref.numpy(), atol=1e-12, rtol=0.0)
    check_close(name + " (H_t)", answer[0], H_ref.numpy(), atol=1e-12, rtol=0.0)

