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


def check_hidden_state(H, name: str, n: int, h: int, dtype) -> np.ndarray:
    """Check one (n, h) state array of the parameters' dtype; None means zeros. Return the array."""
    if H is None:
        return np.zeros((n, h), dtype=dtype)
    H = check_float_array(H, name, 2, dtype)
    check_shape(H, name, (n, h), "(n, h)")
    return H


def check_state_pair(state, name: str, n: int, h: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Check an LSTM state: None (zeros) or a pair (H, C) of (n, h) arrays; return the pair."""
    if state is None:
        zeros = np.zeros((n, h), dtype=dtype)
        return zeros, zeros.copy()
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise TypeError(f"{name} must be None or a pair (H, C) of arrays of shape (n, h) = {(n, h)}, "
                        f"got {type(state).__name__}")
    H, C = state
    return (check_hidden_state(H, f"{name}[0] (H)", n, h, dtype),
            check_hidden_state(C, f"{name}[1] (C)", n, h, dtype))


def check_params(params, cls) -> tuple[int, int, np.dtype]:
    """Check a parameter NamedTuple (LSTMParams, GRUParams, RNNParams); return (d, h, dtype).

    Every field must be a finite float array of one dtype; by name, W_x* is (d, h), W_h* is (h, h)
    and b* is (h,), with d and h read from the first field (a W_x* matrix).
    """
    if not isinstance(params, cls):
        article = "an" if cls.__name__[0] in "AEFHILMNORSX" else "a"     # an LSTMParams, an RNNParams
        raise TypeError(f"params must be {article} {cls.__name__}, got {type(params).__name__}")
    for name in cls._fields:
        if not isinstance(getattr(params, name), np.ndarray):
            raise TypeError(f"params.{name} must be a NumPy array, got {type(getattr(params, name)).__name__}")
    first = cls._fields[0]
    if params[0].ndim != 2:
        raise ValueError(f"params.{first} must be a 2-D array (d, h), got shape {params[0].shape}")
    d, h = params[0].shape
    dtype = params[0].dtype
    for name in cls._fields:
        value = check_float_array(getattr(params, name), f"params.{name}", dtype=dtype)
        if name.startswith("W_x"):
            check_shape(value, f"params.{name}", (d, h), "(d, h)")
        elif name.startswith("W_h"):
            check_shape(value, f"params.{name}", (h, h), "(h, h)")
        else:
            check_shape(value, f"params.{name}", (h,), "(h,)")
    return d, h, dtype


def check_positive_int(value, name: str) -> int:
    """Return `value` if it is a positive int (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
