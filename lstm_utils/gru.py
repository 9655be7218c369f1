"""A NumPy GRU (Cho et al. 2014) in the curriculum's notation, with both reset-gate placements.

    R_t = σ(X_t W_xr + H_{t-1} W_hr + b_r)                      reset gate
    Z_t = σ(X_t W_xz + H_{t-1} W_hz + b_z)                      update gate
    textbook / Cho et al. ("reset before"):
        H̃_t = tanh(X_t W_xh + (R_t ⊙ H_{t-1}) W_hh + b_xh + b_hh)
    PyTorch / cuDNN ("reset after"):
        H̃_t = tanh(X_t W_xh + b_xh + R_t ⊙ (H_{t-1} W_hh + b_hh))
    H_t = Z_t ⊙ H_{t-1} + (1 - Z_t) ⊙ H̃_t

Shapes: W_x* (d, h), W_h* (h, h), biases (h,). The candidate has two biases because in the
reset-after form the hidden one sits inside the reset gate's product; in the reset-before form
they simply add.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class GRUParams(NamedTuple):
    """The ten GRU parameters. W_x* (d, h), W_h* (h, h), b_* (h,)."""

    W_xr: np.ndarray
    W_hr: np.ndarray
    b_r: np.ndarray
    W_xz: np.ndarray
    W_hz: np.ndarray
    b_z: np.ndarray
    W_xh: np.ndarray
    W_hh: np.ndarray
    b_xh: np.ndarray
    b_hh: np.ndarray

    @property
    def num_inputs(self) -> int:
        return self.W_xr.shape[0]

    @property
    def num_hiddens(self) -> int:
        return self.W_xr.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.W_xr.dtype
