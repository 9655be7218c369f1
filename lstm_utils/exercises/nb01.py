"""Checks for the exercises of notebook 01 · Why LSTM?

Each check calls the learner's function on its own fresh inputs, compares with a reference that does
not share the learner's code path (the package's RNN step, central differences, a known decay factor),
prints a one-line verdict, and raises ExerciseError on a wrong or missing answer.
"""
from __future__ import annotations

import numpy as np

from ..rnn import init_rnn_params, rnn_step
from . import ExerciseError, call_answer, passed

__all__ = ["check_rnn_step", "check_step_jacobian", "check_decay_factor"]


def check_rnn_step(fn) -> None:
    """fn(X_t, H_prev, params) must return H_t = tanh(X_t W_xh + H_prev W_hh + b_h), shape (n, h)."""
    name = "Exercise 1 (rnn_step)"
    rng = np.random.default_rng(101)
    for n, d, h in [(4, 3, 5), (1, 2, 1), (3, 1, 6)]:
        params = init_rnn_params(d, h, rng)
        X_t = rng.standard_normal((n, d))
        H_prev = rng.uniform(-1, 1, size=(n, h))
        answer = call_answer(name, fn, X_t.copy(), H_prev.copy(), params)
        expected = rnn_step(X_t, H_prev, params)
        answer = np.asarray(answer)
        if answer.shape != expected.shape:
            raise ExerciseError(f"✗ {name}: expected shape (n, h) = {expected.shape}, got {answer.shape} "
                                f"(n = {n}, d = {d}, h = {h})")
        if not np.allclose(answer, expected, rtol=0, atol=1e-12):
            raise ExerciseError(f"✗ {name}: values differ from tanh(X_t W_xh + H_prev W_hh + b_h) "
                                f"(n = {n}, d = {d}, h = {h}); check the order of the matrix products")
    passed(name)


def _numerical_step_jacobian(X_t, H_prev, params, eps=1e-6):
    h = H_prev.shape[1]
    jac = np.empty((h, h))
    for j in range(h):
        e = np.zeros_like(H_prev)
        e[0, j] = eps
        jac[:, j] = (rnn_step(X_t, H_prev + e, params) - rnn_step(X_t, H_prev - e, params))[0] / (2 * eps)
    return jac


def check_step_jacobian(fn) -> None:
    """fn(X_t, H_prev, params), X_t (1, d), H_prev (1, h), must return the (h, h) matrix
    J[i, j] = ∂H_t[i] / ∂H_prev[j]; compared with central differences of the package's rnn_step."""
    name = "Exercise 2 (step Jacobian)"
    rng = np.random.default_rng(202)
    for d, h in [(3, 4), (2, 1), (1, 6)]:
        params = init_rnn_params(d, h, rng, scale=1.5)
        X_t = rng.standard_normal((1, d))
        H_prev = rng.uniform(-1, 1, size=(1, h))
        answer = np.asarray(call_answer(name, fn, X_t.copy(), H_prev.copy(), params))
        expected = _numerical_step_jacobian(X_t, H_prev, params)
        if answer.shape != (h, h):
            raise ExerciseError(f"✗ {name}: expected shape (h, h) = {(h, h)}, got {answer.shape}")
        if not np.allclose(answer, expected, rtol=1e-6, atol=1e-8):
            if np.allclose(answer.T, expected, rtol=1e-6, atol=1e-8):
                raise ExerciseError(f"✗ {name}: your matrix is the transpose of ∂H_t/∂H_prev; "
                                    "row i should hold the derivatives of H_t[i]")
            raise ExerciseError(f"✗ {name}: differs from the central-difference Jacobian "
                                f"(d = {d}, h = {h}); remember tanh'(A) = 1 - H_t²")
    passed(name)


def check_decay_factor(fn) -> None:
    """fn(ks, ratios) must return the per-step factor ρ of a roughly geometric curve ratios ≈ c ρ^k,
    within 1 % on fresh curves (vanishing and exploding) with a little multiplicative noise."""
    name = "Exercise 3 (per-step decay factor)"
    rng = np.random.default_rng(303)
    for rho, c in [(0.6, 0.3), (0.35, 2.0), (0.95, 1.0), (1.08, 0.5)]:
        ks = np.arange(10, 101)
        ratios = c * rho ** ks * np.exp(0.05 * rng.standard_normal(ks.size))
        answer = call_answer(name, fn, ks.copy(), ratios.copy())
        try:
            answer = float(answer)
        except (TypeError, ValueError):
            raise ExerciseError(f"✗ {name}: expected one number, got {type(answer).__name__}") from None
        if not np.isfinite(answer) or abs(answer / rho - 1) > 0.01:
            raise ExerciseError(f"✗ {name}: for a curve changing by a factor {rho} per step you returned "
                                f"{answer:.4g}; fit a straight line to log(ratios) against ks "
                                "and undo the log of the slope")
    passed(name)
