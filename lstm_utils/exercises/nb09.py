"""Checks for the exercises of notebook 09 (long-range memory)."""
from __future__ import annotations

import numpy as np

from . import ExerciseError, call_answer, check_close, check_true

__all__ = ["check_baseline_mse", "check_chrono_biases", "check_breakthrough_step"]


def _number(name: str, value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ExerciseError(f"✗ {name}: return one number, got {type(value).__name__}") from None


def check_baseline_mse(baseline_mse) -> None:
    """`baseline_mse(low, high, scale)`: best constant MSE when y = scale·(X1 + X2), X1, X2 ~ U[low, high]."""
    name = "baseline_mse"
    cases = [(0.0, 1.0, 1.0), (-1.0, 1.0, 0.25), (2.0, 5.0, 1.0), (0.0, 1.0, 3.0), (-0.5, 0.5, 0.1)]
    answers = [_number(name, call_answer(name, baseline_mse, lo, hi, s)) for lo, hi, s in cases]
    expected = [s * s * 2.0 * (hi - lo) ** 2 / 12.0 for lo, hi, s in cases]
    check_close(name, np.array(answers), np.array(expected), atol=1e-12, rtol=1e-9)


def check_chrono_biases(chrono_biases) -> None:
    """`chrono_biases(T_max, h, rng)` must return (b_i, b_f): b_f = log(u), u ~ U[1, T_max - 1], b_i = -b_f."""
    name = "chrono_biases"
    T_max, h = 60, 20_000
    result = call_answer(name, chrono_biases, T_max, h, np.random.default_rng(909))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ExerciseError(f"✗ {name}: return a pair (b_i, b_f)")
    b_i, b_f = (np.asarray(a, dtype=float) for a in result)
    if b_i.shape != (h,) or b_f.shape != (h,):
        raise ExerciseError(f"✗ {name}: b_i and b_f must have shape (h,) = ({h},), got {b_i.shape}, {b_f.shape}")
    if not np.allclose(b_i, -b_f, atol=1e-12):
        raise ExerciseError(f"✗ {name}: b_i must be -b_f")
    u = np.exp(b_f)
    if u.min() < 1.0 - 1e-9 or u.max() > T_max - 1 + 1e-9:
        raise ExerciseError(f"✗ {name}: exp(b_f) must lie in [1, T_max - 1] = [1, {T_max - 1}]")
    # U[1, 59] has mean 30 and spreads evenly: each third of [1, 59] holds about a third of the draws
    thirds = np.histogram(u, bins=[1, 1 + 58 / 3, 1 + 2 * 58 / 3, 59])[0] / h
    check_true(name, abs(u.mean() - 30.0) < 1.0 and np.all(np.abs(thirds - 1 / 3) < 0.03),
               "exp(b_f) should be uniform on [1, T_max - 1] (mean T_max/2); did you draw b_f itself uniformly?")


def check_breakthrough_step(breakthrough_step) -> None:
    """`breakthrough_step(losses, threshold)`: first index with losses[i] < threshold, or None."""
    name = "breakthrough_step"
    cases = [
        (np.array([0.2, 0.17, 0.16, 0.05, 0.01]), 0.1, 3),
        (np.array([0.2, 0.17, 0.16]), 0.1, None),
        (np.array([0.01, 0.2]), 0.1, 0),
        (np.array([0.3, 0.1, 0.09]), 0.1, 2),          # strictly below
    ]
    for losses, threshold, expected in cases:
        answer = call_answer(name, breakthrough_step, losses.copy(), threshold)
        if expected is None:
            if answer is not None:
                raise ExerciseError(f"✗ {name}: the loss never goes below {threshold} in {losses.tolist()}; "
                                    f"return None, got {answer!r}")
            continue
        if answer is None or isinstance(answer, bool) or int(answer) != expected:
            raise ExerciseError(f"✗ {name}: for {losses.tolist()} and threshold {threshold} expected "
                                f"{expected}, got {answer!r}")
    check_true(name, True, "")
