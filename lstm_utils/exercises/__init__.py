"""Checks for the notebooks' exercises: each prints a one-line verdict or raises ExerciseError.

Convention (nbgrader style): the learner's code sits between `### BEGIN SOLUTION` and
`### END SOLUTION` lines, usually inside a function body; the next line calls a check from
`lstm_utils.exercises.nbXX`, which tests the answer on fresh inputs against a reference.
The workshop build replaces each solution block with `raise NotImplementedError(...)`, so in the
student copy the check fails until the exercise is done.

Per-notebook checks live in `lstm_utils.exercises.nb01` ... `nb12`; this module holds what they share.
"""
from __future__ import annotations

import numpy as np


class ExerciseError(AssertionError):
    """Raised by a check when an answer is wrong; the message says what was expected."""


def passed(name: str) -> None:
    """Print the verdict for a correct answer."""
    print(f"✓ {name}: correct")


def check_true(name: str, condition: bool, hint: str) -> None:
    """Pass when `condition` holds; otherwise raise ExerciseError with `hint`."""
    if not condition:
        raise ExerciseError(f"✗ {name}: {hint}")
    passed(name)


def check_close(name: str, actual, expected, *, atol: float = 1e-10, rtol: float = 1e-7) -> None:
    """Pass when `actual` has the shape of `expected` and equals it within atol + rtol·|expected|."""
    expected = np.asarray(expected)
    try:
        actual = np.asarray(actual, dtype=expected.dtype if expected.dtype.kind == "f" else None)
    except (TypeError, ValueError) as exc:
        raise ExerciseError(f"✗ {name}: could not read the answer as an array ({exc})") from None
    if actual.shape != expected.shape:
        raise ExerciseError(f"✗ {name}: expected shape {expected.shape}, got {actual.shape}")
    if not np.allclose(actual, expected, atol=atol, rtol=rtol):
        worst = float(np.max(np.abs(actual - expected)))
        raise ExerciseError(f"✗ {name}: values differ from the reference (max abs difference {worst:.3g})")
    passed(name)


def require_close(name: str, what: str, actual, expected, atol: float = 1e-12) -> None:
    """Raise ExerciseError unless `actual` (the part `what` of an answer) has the shape of `expected`
    and equals it within `atol`; prints nothing, so a check can test several parts before `passed`."""
    expected = np.asarray(expected, dtype=float)
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseError(f"✗ {name}: {what} is not an array of numbers") from None
    if actual.shape != expected.shape:
        raise ExerciseError(f"✗ {name}: {what} should have shape {expected.shape}, got {actual.shape}")
    if not np.allclose(actual, expected, atol=atol, rtol=0.0):
        worst = float(np.max(np.abs(actual - expected)))
        raise ExerciseError(f"✗ {name}: {what} differs from the reference (max abs difference {worst:.3g})")


def call_answer(name: str, fn, *args, **kwargs):
    """Call the learner's function, turning NotImplementedError into a clear ExerciseError."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseError(f"✗ {name}: not implemented yet — replace the `raise NotImplementedError` line") from None
