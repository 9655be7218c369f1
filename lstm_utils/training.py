"""A small deterministic training loop for the experiments (Adam, gradient clipping, loss history).

    history = train(model, make_batch, steps=600, lr=3e-3, clip=1.0, loss="mse", seed=0)
    history.losses               # float64 array: training loss per step (or per window of log_every steps)
    history.first_nonfinite_step # None, or the step at which the loss or a gradient became NaN/inf

`make_batch(step, rng)` returns (X, y) as NumPy arrays or torch tensors, X time-major (T, n, d);
`rng` is a NumPy Generator seeded from `seed`, so the data stream is reproducible.
The parameter initialisation is the model's business (see `SequenceModel(seed=...)`); `train`
seeds torch with `seed` for anything random during training. With one torch thread
(`setup_notebook()` sets it) the same call gives the same numbers on the same machine; other CPUs
may differ in the last bits, so assert on losses with margins.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from .optim import Adam
from .validation import check_positive_int

__all__ = ["TrainingHistory", "train", "evaluate", "accuracy", "LOSSES"]

LOSSES = ("mse", "cross_entropy", "bce_with_logits")


class TrainingHistory(NamedTuple):
    """What `train` returns.

    losses : float64 array. With log_every=1 the training loss at each step; with log_every=k the
             mean training loss over each window of k steps (the last window may be shorter).
    steps : int array, same length — the number of steps completed at the end of each window.
    first_nonfinite_step : None, or the 0-based step at which the loss or a gradient first became
             NaN/inf; training stops there (that step's update is not applied; its loss, if
             non-finite, is not in `losses`).
    elapsed_s : wall-clock seconds of the loop (machine-dependent; never print it unignored).
    """

    losses: np.ndarray
    steps: np.ndarray
    first_nonfinite_step: int | None
    elapsed_s: float

    @property
    def final_loss(self) -> float:
        """The last logged loss (NaN if nothing was logged)."""
        return float(self.losses[-1]) if len(self.losses) else float("nan")

    @property
    def diverged(self) -> bool:
        return self.first_nonfinite_step is not None


def _check_loss(loss):
    if callable(loss):
        return loss
    if loss == "mse":
        return nn.functional.mse_loss
    if loss == "cross_entropy":
        def ce(output, target):
            if output.dim() == 3:                      # (T, n, C) with targets (T, n)
                return nn.functional.cross_entropy(output.reshape(-1, output.shape[-1]), target.reshape(-1))
            return nn.functional.cross_entropy(output, target.reshape(-1))
        return ce
    if loss == "bce_with_logits":
        return nn.functional.binary_cross_entropy_with_logits
    raise ValueError(f"loss must be one of {LOSSES} or a callable (output, target) -> scalar tensor, "
                     f"got {loss!r}")


def _to_tensor(value, dtype: torch.dtype, integer: bool, name: str) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        value = torch.from_numpy(np.ascontiguousarray(value))
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"make_batch must return NumPy arrays or torch tensors, got {name} of type "
                        f"{type(value).__name__}")
    if integer:
        return value.long()
    return value.to(dtype)


def _model_dtype(model: nn.Module) -> torch.dtype:
    for p in model.parameters():
        return p.dtype
    raise ValueError("model has no parameters to train")


def check_training_arguments(make_batch, steps, lr, clip, seed) -> int:
    """Validate the arguments every training loop shares; return `steps` as an int."""
    if not callable(make_batch):
        raise TypeError("make_batch must be a callable make_batch(step, rng) -> (X, y)")
    steps = check_positive_int(steps, "steps")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if clip is not None and (isinstance(clip, bool) or not isinstance(clip, (int, float)) or not clip > 0):
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {seed!r}")
    return steps


def train(model: nn.Module, make_batch: Callable, *, steps: int, lr: float = 3e-3, clip: float | None = 1.0,
          loss: str | Callable = "mse", seed: int = 0, log_every: int = 1) -> TrainingHistory:
    """Train `model` with Adam for `steps` steps on batches from `make_batch(step, rng)`.

    clip : max global gradient norm (torch.nn.utils.clip_grad_norm_), or None for no clipping.
    loss : "mse", "cross_entropy" (class-index targets; (T, n, C) outputs are flattened against
           (T, n) targets) — integer targets are cast to int64 — "bce_with_logits", or a callable
           (output, target) -> scalar tensor.
    Stops at the first step whose loss or gradient norm is NaN/inf (history.first_nonfinite_step).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    steps = check_training_arguments(make_batch, steps, lr, clip, seed)
    log_every = check_positive_int(log_every, "log_every")
    loss_fn = _check_loss(loss)
    integer_targets = loss == "cross_entropy"
    dtype = _model_dtype(model)

    torch.manual_seed(int(seed))
    rng = np.random.default_rng(int(seed))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = Adam(params, lr=lr)             # = torch.optim.Adam(params, lr=lr), bit for bit
    max_norm = float(clip) if clip is not None else math.inf

    losses, ends, window = [], [], []
    first_bad = None
    model.train()
    start = time.perf_counter()
    for step in range(steps):
        batch = make_batch(step, rng)
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise TypeError("make_batch(step, rng) must return a pair (X, y)")
        X = _to_tensor(batch[0], dtype, False, "X")
        y = _to_tensor(batch[1], dtype, integer_targets, "y")
        optimizer.zero_grad()
        value = loss_fn(model(X), y)
        value.backward()
        loss_value = value.item()
        if not math.isfinite(loss_value):
            first_bad = step
            break
        norm = float(torch.nn.utils.clip_grad_norm_(params, max_norm))
        if not math.isfinite(norm):
            first_bad = step
            window.append(loss_value)
            break
        optimizer.step()
        window.append(loss_value)
        if len(window) == log_every:
            losses.append(sum(window) / len(window))
            ends.append(step + 1)
            window = []
    if window:
        losses.append(sum(window) / len(window))
        ends.append((first_bad + 1) if first_bad is not None else steps)
    elapsed = time.perf_counter() - start
    return TrainingHistory(np.asarray(losses, dtype=np.float64), np.asarray(ends, dtype=np.int64),
                           first_bad, elapsed)


@torch.no_grad()
def evaluate(model: nn.Module, X, y, loss: str | Callable = "mse") -> float:
    """The loss of `model` on (X, y) without gradients, as a Python float."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    loss_fn = _check_loss(loss)
    dtype = _model_dtype(model)
    was_training = model.training
    model.eval()
    try:
        Xt = _to_tensor(X, dtype, False, "X")
        yt = _to_tensor(y, dtype, loss == "cross_entropy", "y")
        return float(loss_fn(model(Xt), yt).item())
    finally:
        model.train(was_training)


def accuracy(model: nn.Module, X, y) -> float:
    """Fraction of examples (or steps) whose argmax output equals the class index in `y`."""
    with torch.no_grad():
        dtype = _model_dtype(model)
        out = model(_to_tensor(X, dtype, False, "X"))
        yt = _to_tensor(y, dtype, True, "y")
        pred = out.argmax(dim=-1)
        return float((pred.reshape(-1) == yt.reshape(-1)).double().mean().item())
