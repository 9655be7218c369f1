"""Activation functions and their derivatives, looked up by name.

Every activation here is elementwise and keeps the dtype of its input. Each one also knows
its derivative *from its own output* y = f(x), which is all the LSTM backward pass needs:

    sigmoid       y = 1 / (1 + exp(-x))         f'(x) = y (1 - y)
    tanh          y = tanh(x)                   f'(x) = 1 - y**2
    relu          y = max(x, 0)                 f'(x) = 1 if y > 0 else 0
    hard_sigmoid  y = clip(x / 6 + 1/2, 0, 1)   f'(x) = 1/6 if 0 < y < 1 else 0   (PyTorch's Hardsigmoid)
    identity      y = x                         f'(x) = 1

The sigmoid is computed so that it never overflows: for x < 0 it uses exp(x) / (1 + exp(x)),
so exp only ever sees a non-positive argument and sigmoid(±1e4) is exactly 0 or 1, with no warning.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = [
    "Activation", "ACTIVATIONS", "get_activation",
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad",
    "hard_sigmoid", "hard_sigmoid_grad", "identity", "identity_grad",
]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function 1 / (1 + exp(-x)); finite for every finite x."""
    x = np.asarray(x)
    with np.errstate(under="ignore"):           # exp(-1e4) = 0 is the right answer, not an error
        e = np.exp(-np.abs(x))                  # in [0, 1]: never overflows
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """d sigmoid / dx = sigmoid(x) (1 - sigmoid(x)); at most 1/4, at x = 0."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, values in [-1, 1]; equal to 2 sigmoid(2x) - 1."""
    return np.tanh(x)


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """d tanh / dx = 1 - tanh(x)**2; equal to 1 at x = 0."""
    t = np.tanh(x)
    return 1.0 - t * t


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit max(x, 0): unbounded above, so not a gate."""
    x = np.asarray(x)
    return np.maximum(x, 0.0).astype(x.dtype, copy=False)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """d relu / dx = 1 for x > 0, else 0 (0 is used at the kink x = 0)."""
    x = np.asarray(x)
    return (x > 0).astype(x.dtype)


def hard_sigmoid(x: np.ndarray) -> np.ndarray:
    """Piecewise-linear sigmoid clip(x/6 + 1/2, 0, 1), as torch.nn.Hardsigmoid."""
    x = np.asarray(x)
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0).astype(x.dtype, copy=False)


def hard_sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """d hard_sigmoid / dx = 1/6 for -3 < x < 3, else 0."""
    x = np.asarray(x)
    return np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0).astype(x.dtype)


def identity(x: np.ndarray) -> np.ndarray:
    """The identity: 'no activation'."""
    return np.asarray(x)


def identity_grad(x: np.ndarray) -> np.ndarray:
    """d identity / dx = 1."""
    x = np.asarray(x)
    return np.ones_like(x)


class Activation(NamedTuple):
    """An activation: the function, its derivative in x, and its derivative from the output y = f(x)."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    grad_from_output: Callable[[np.ndarray], np.ndarray]


def _sigmoid_grad_from_output(y):
    return y * (1.0 - y)


def _tanh_grad_from_output(y):
    return 1.0 - y * y


def _relu_grad_from_output(y):
    return (y > 0).astype(y.dtype)


def _hard_sigmoid_grad_from_output(y):
    return np.where((y > 0) & (y < 1), 1.0 / 6.0, 0.0).astype(y.dtype)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_grad, _sigmoid_grad_from_output),
    "tanh": Activation("tanh", tanh, tanh_grad, _tanh_grad_from_output),
    "relu": Activation("relu", relu, relu_grad, _relu_grad_from_output),
    "hard_sigmoid": Activation("hard_sigmoid", hard_sigmoid, hard_sigmoid_grad, _hard_sigmoid_grad_from_output),
    "identity": Activation("identity", identity, identity_grad, np.ones_like),
}


def get_activation(name: str, argument: str = "activation") -> Activation:
    """Look an activation up by name; `argument` names the caller's parameter in the error message."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"{argument} must be one of {sorted(ACTIVATIONS)}, got {name!r}"
        )
    return ACTIVATIONS[name]
