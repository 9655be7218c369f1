"""Input checks shared by the NumPy layers: clear errors instead of silent broadcasting.

Every error names the argument and says what was expected, e.g.
``ValueError: X must have shape (T, n, d) with d = 3, got shape (5, 2, 4)``.
"""
from __future__ import annotations

import numpy as np


def check_float_array(value, name: str, ndim: int | None = None, dtype=None) -> np.ndarray:
    """Return `value` if it is a finite floating-point ndarray of rank `ndim` (and dtype `dtype`).

    Raises TypeError for a non-array or a non-float array, ValueError for a wrong rank or NaN/inf.
    """
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array of floats, got {type(value).__name__}")
    if not np.issubdtype(value.dtype, np.floating):
        raise TypeError(f"{name} must be a floating-point array (float32 or float64), got dtype {value.dtype}")
    if dtype is not None and value.dtype != dtype:
        raise TypeError(f"{name} must have dtype {np.dtype(dtype)} like the parameters, got {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {value.shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} contains NaN or inf")
    return value


def check_shape(value: np.ndarray, name: str, expected: tuple, meaning: str) -> None:
    """Raise ValueError unless value.shape == expected; `meaning` spells the shape, e.g. '(n, h)'."""
    if value.shape != tuple(expected):
        raise ValueError(f"{name} must have shape {meaning} = {tuple(expected)}, got {value.shape}")


def check_state_pair(state, name: str, n: int, h: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Check an LSTM state: None (zeros) or a pair (H, C) of (n, h) arrays; return the pair."""
    if state is None:
        zeros = np.zeros((n, h), dtype=dtype)
        return zeros, zeros.copy()
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise TypeError(f"{name} must be None or a pair (H, C) of arrays of shape (n, h) = {(n, h)}, "
                        f"got {type(state).__name__}")
    H, C = state
    H = check_float_array(H, f"{name}[0] (H)", 2, dtype)
    C = check_float_array(C, f"{name}[1] (C)", 2, dtype)
    check_shape(H, f"{name}[0] (H)", (n, h), "(n, h)")
    check_shape(C, f"{name}[1] (C)", (n, h), "(n, h)")
    return H, C


def check_positive_int(value, name: str) -> int:
    """Return `value` if it is a positive int (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
