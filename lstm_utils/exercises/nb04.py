"""Checks for the exercises of notebook 04 (the memory cell)."""
from __future__ import annotations

import numpy as np

from . import ExerciseError, call_answer, check_close

__all__ = ["check_memory_cell", "check_forget_value_for_half_life"]


def check_memory_cell(memory_cell) -> None:
    """`memory_cell(F_t, C_prev, I_t, C_tilde)` must return C_t = F_t ⊙ C_prev + I_t ⊙ C̃_t."""
    name = "memory_cell"
    rng = np.random.default_rng(404)
    shape = (4, 7)
    F_t, I_t = rng.uniform(size=shape), rng.uniform(size=shape)
    C_prev, C_tilde = rng.normal(scale=2.0, size=shape), rng.uniform(-1.0, 1.0, size=shape)
    answer = call_answer(name, memory_cell, F_t, C_prev, I_t, C_tilde)
    check_close(name, answer, F_t * C_prev + I_t * C_tilde, atol=1e-12, rtol=0.0)


def check_forget_value_for_half_life(forget_value_for_half_life) -> None:
    """`forget_value_for_half_life(T)` must return the constant f with f**T = 1/2."""
    name = "forget_value_for_half_life"
    steps = [1, 2, 10, 100, 1000]
    answers = []
    for T in steps:
        value = call_answer(name, forget_value_for_half_life, T)
        try:
            answers.append(float(value))
        except (TypeError, ValueError):
            raise ExerciseError(
                f"✗ {name}: return one number for T={T}, got {type(value).__name__}") from None
    check_close(name, np.array(answers) ** np.array(steps, dtype=float), np.full(len(steps), 0.5),
                atol=1e-9, rtol=0.0)
