"""A torch LSTM family with pluggable activations and Greff-style ablations (notebook 11).

One cell, written out as an explicit loop over time with one fused matrix product per step, in the
design's row-vector notation (X_t is (n, d), H_t and C_t are (n, h)):

    I_t = g(X_t W_xi + H_{t-1} W_hi + b_i)        gate activation g   (default sigmoid)
    F_t = g(X_t W_xf + H_{t-1} W_hf + b_f)
    O_t = g(X_t W_xo + H_{t-1} W_ho + b_o)
    C̃_t = a(X_t W_xc + H_{t-1} W_hc + b_c)        candidate activation a   (default tanh)
    C_t = F_t ⊙ C_{t-1} + I_t ⊙ C̃_t
    H_t = O_t ⊙ s(C_t)                            cell activation s   (default tanh)

Activations are chosen by the same names as `lstm_utils.activations` ("sigmoid", "hard_sigmoid",
"tanh", "relu", "identity"). The `variant` removes or couples one piece, after Greff et al. 2015,
"LSTM: A Search Space Odyssey":

    "vanilla"  the equations above
    "NIG"      no input gate:           I_t = 1
    "NFG"      no forget gate:          F_t = 1   (the cell can never be reset)
    "NOG"      no output gate:          O_t = 1
    "CIFG"     coupled input-forget:    F_t = 1 - I_t   (GRU-like; one gate fewer)
    "NCAF"     no candidate activation: a = identity
    "NOAF"     no output activation:    s = identity

A removed gate has no weights at all (so parameter counts are honest). The fused weights are
stacked in the order i, f, o, c of `lstm_utils.lstm.stack_lstm_params`, minus the removed blocks.

Forget bias: `forget_bias` is added to b_f after the PyTorch-style uniform init, as in
`init_lstm_params`. For CIFG it is *subtracted* from b_i, so that F_t = 1 - g(.) starts at the same
openness g(forget_bias) for the symmetric gates sigmoid and hard_sigmoid (g(-x) = 1 - g(x)).

Ensembles: `num_models=E` holds E independent copies (seeds seed, seed+1, …) in one set of tensors
with a leading model axis, so that E seeds train for little more than the price of one (the loop
over time is the cost, not the arithmetic). Member e is exactly `VariantLSTM(..., seed=seed+e)`.
`train_ensemble` trains every member as `lstm_utils.training.train` would train it alone: Adam
(elementwise, so members never interact), gradient clipping per member, and a per-member record of
the first step whose loss or gradient is NaN/inf (that member is frozen from then on).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from .activations import ACTIVATIONS
from .optim import ForeachAdam
from .training import check_training_arguments
from .validation import check_positive_int

__all__ = [
    "TORCH_ACTIVATIONS", "VARIANTS", "VariantLSTM", "CellDiagnostics", "EnsembleHistory",
    "gate_statistics", "get_torch_activation", "train_ensemble",
]


def _identity(x: torch.Tensor) -> torch.Tensor:
    return x


TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "hard_sigmoid": torch.nn.functional.hardsigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "identity": _identity,
}
assert set(TORCH_ACTIVATIONS) == set(ACTIVATIONS), "torch and NumPy activation names must match"

VARIANTS = ("vanilla", "NIG", "NFG", "NOG", "CIFG", "NCAF", "NOAF")

_VARIANT_BLOCKS = {           # which weight blocks each variant has, in the stacking order i, f, o, c
    "vanilla": "ifoc", "NIG": "foc", "NFG": "ioc", "NOG": "ifc", "CIFG": "ioc", "NCAF": "ifoc", "NOAF": "ifoc",
}


def get_torch_activation(name: str, argument: str = "activation"):
    """The torch function for an activation name; ValueError naming `argument` for an unknown name."""
    if not isinstance(name, str) or name not in TORCH_ACTIVATIONS:
        raise ValueError(f"{argument} must be one of {sorted(TORCH_ACTIVATIONS)}, got {name!r}")
    return TORCH_ACTIVATIONS[name]


class CellDiagnostics(NamedTuple):
    """What one forward pass looked like inside the cell of one model (tensors detached, each (T, n, h)).

    I, F, O hold the gate values actually used (a removed gate is a tensor of ones; CIFG's F is 1 - I);
    gates_computed names the gates the cell really computes with its gate activation (e.g. "io" for CIFG).
    max_abs_C is max |C_t| over every step, example and unit (a Python float; inf/nan if it blew up).
    """

    I: torch.Tensor
    F: torch.Tensor
    O: torch.Tensor
    C_tilde: torch.Tensor
    C: torch.Tensor
    gates_computed: str
    max_abs_C: float


class VariantLSTM(nn.Module):
    """An LSTM layer plus a linear read-out, with pluggable activations and Greff-style variants.

    Input X is (T, n, d) (time first, like `lstm_forward`); an ensemble also accepts one sequence
    batch per member, (E, T, n, d). The output is head(H_T), shape (n, output_size), or head(H_t) for
    every step, (T, n, output_size), if return_sequence; an ensemble puts its model axis E in front.

    Parameters (k = number of weight blocks of the variant, 4 for vanilla; E = num_models):
    W_x (E, d, kh), W_h (E, h, kh), b (E, 1, kh), and the read-out head_W (E, h, out), head_b (E, 1, out).
    `seed` (optional) makes the initialisation independent of torch's global random state.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *,
                 gate_activation: str = "sigmoid", candidate_activation: str = "tanh",
                 cell_activation: str = "tanh", variant: str = "vanilla", forget_bias: float = 1.0,
                 return_sequence: bool = False, num_models: int = 1, seed: int | None = None,
                 dtype=torch.float32):
        super().__init__()
        d = check_positive_int(input_size, "input_size")
        h = check_positive_int(hidden_size, "hidden_size")
        out = check_positive_int(output_size, "output_size")
        E = check_positive_int(num_models, "num_models")
        if not isinstance(variant, str) or variant not in VARIANTS:
            raise ValueError(f"variant must be one of {list(VARIANTS)}, got {variant!r}")
        get_torch_activation(gate_activation, "gate_activation")
        get_torch_activation(candidate_activation, "candidate_activation")
        get_torch_activation(cell_activation, "cell_activation")
        if variant == "NCAF" and candidate_activation not in ("tanh", "identity"):
            raise ValueError(f"candidate_activation must be left at 'tanh' for variant 'NCAF' "
                             f"(which means identity), got {candidate_activation!r}")
        if variant == "NOAF" and cell_activation not in ("tanh", "identity"):
            raise ValueError(f"cell_activation must be left at 'tanh' for variant 'NOAF' "
                             f"(which means identity), got {cell_activation!r}")
        if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float)) \
                or not math.isfinite(forget_bias):
            raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
        if not isinstance(return_sequence, bool):
            raise ValueError(f"return_sequence must be True or False, got {return_sequence!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"seed must be an int or None, got {seed!r}")
        if dtype not in (torch.float32, torch.float64):
            raise ValueError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")

        self.input_size, self.hidden_size, self.output_size, self.num_models = d, h, out, E
        self.variant = variant
        self.gate_activation = gate_activation
        self.candidate_activation = "identity" if variant == "NCAF" else candidate_activation
        self.cell_activation = "identity" if variant == "NOAF" else cell_activation
        self.forget_bias = float(forget_bias)
        self.return_sequence = return_sequence
        self.blocks = _VARIANT_BLOCKS[variant]
        self._gate = TORCH_ACTIVATIONS[self.gate_activation]
        self._candidate = TORCH_ACTIVATIONS[self.candidate_activation]
        self._cell = TORCH_ACTIVATIONS[self.cell_activation]

        k = len(self.blocks)
        self.W_x = nn.Parameter(torch.empty(E, d, k * h, dtype=dtype))
        self.W_h = nn.Parameter(torch.empty(E, h, k * h, dtype=dtype))
        self.b = nn.Parameter(torch.empty(E, 1, k * h, dtype=dtype))
        self.head_W = nn.Parameter(torch.empty(E, h, out, dtype=dtype))
        self.head_b = nn.Parameter(torch.empty(E, 1, out, dtype=dtype))
        self.reset_parameters(seed)

    # ------------------------------------------------------------------ parameters
    def reset_parameters(self, seed: int | None = None) -> None:
        """PyTorch's LSTM init: every entry ~ U(-1/sqrt(h), 1/sqrt(h)); then the forget bias.

        With a seed, member e draws from torch.Generator().manual_seed(seed + e).
        """
        bound = 1.0 / math.sqrt(self.hidden_size)
        with torch.no_grad():
            for e in range(self.num_models):
                generator = None if seed is None else torch.Generator().manual_seed(int(seed) + e)
                for p in (self.W_x, self.W_h, self.b, self.head_W, self.head_b):
                    p[e].uniform_(-bound, bound, generator=generator)
            if "f" in self.blocks:
                self._block(self.b, "f").add_(self.forget_bias)
            elif self.variant == "CIFG":
                self._block(self.b, "i").sub_(self.forget_bias)

    def _block(self, tensor: torch.Tensor, gate: str) -> torch.Tensor:
        """The columns (a view) of `tensor` that belong to block `gate` (one of 'i', 'f', 'o', 'c')."""
        k = self.blocks.index(gate)
        h = self.hidden_size
        return tensor[..., k * h:(k + 1) * h]

    def load_lstm_params(self, params, member: int = 0) -> VariantLSTM:
        """Copy the blocks of a NumPy `LSTMParams` that this variant has into model `member`."""
        from .lstm import LSTMParams, check_lstm_params

        if not isinstance(params, LSTMParams):
            raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
        d, h, _ = check_lstm_params(params)
        if (d, h) != (self.input_size, self.hidden_size):
            raise ValueError(f"params must have (d, h) = {(self.input_size, self.hidden_size)}, got {(d, h)}")
        if isinstance(member, bool) or not isinstance(member, int) or not 0 <= member < self.num_models:
            raise ValueError(f"member must be an int in [0, {self.num_models}), got {member!r}")
        with torch.no_grad():
            for gate in self.blocks:
                for name, target in ((f"W_x{gate}", self.W_x), (f"W_h{gate}", self.W_h), (f"b_{gate}", self.b)):
                    block = self._block(target[member], gate)
                    block.copy_(torch.as_tensor(getattr(params, name), dtype=target.dtype).reshape(block.shape))
        return self

    def num_parameters(self) -> int:
        """Number of trainable numbers of one model, read-out included."""
        return sum(p.numel() for p in self.parameters()) // self.num_models

    # ------------------------------------------------------------------ forward
    def _check_input(self, X) -> torch.Tensor:
        if isinstance(X, np.ndarray):
            X = torch.from_numpy(np.ascontiguousarray(X))
        if not isinstance(X, torch.Tensor):
            raise TypeError(f"X must be a torch tensor or NumPy array of shape (T, n, d), got {type(X).__name__}")
        E, d = self.num_models, self.input_size
        ok = (X.ndim == 3 and X.shape[2] == d) or (X.ndim == 4 and X.shape[0] == E and X.shape[3] == d)
        if not ok:
            also = f" or (E, T, n, d) with E = {E}" if E > 1 else ""
            raise ValueError(f"X must have shape (T, n, d){also} with d = {d}, got {tuple(X.shape)}")
        if not X.is_floating_point():
            raise TypeError(f"X must be a floating-point tensor, got dtype {X.dtype}")
        return X.to(self.W_x.dtype)

    def _state(self, state, E, n, like):
        h = self.hidden_size
        if state is None:
            return like.new_zeros(E, n, h), like.new_zeros(E, n, h)
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise TypeError("state must be None or a pair (H_0, C_0) of tensors of shape (n, h)")
        H, C = (torch.as_tensor(s, dtype=like.dtype) for s in state)
        want = (n, h) if self.num_models == 1 else (E, n, h)
        if tuple(H.shape) != want or tuple(C.shape) != want:
            raise ValueError(f"state must hold two tensors of shape {want}, got {tuple(H.shape)} and {tuple(C.shape)}")
        return H.reshape(E, n, h), C.reshape(E, n, h)

    def cell_forward(self, X, state=None, *, diagnostics: bool = False):
        """Run the cell over X (T, n, d) (or (E, T, n, d)). state None (zeros) or (H_0, C_0), each (n, h).

        Returns outputs (T, n, h) = H_1..H_T, the final state (H_T, C_T), and a CellDiagnostics
        (None unless `diagnostics`). An ensemble returns (E, T, n, h), (E, n, h) states and a list of
        E CellDiagnostics.
        """
        X = self._check_input(X)
        E, h = self.num_models, self.hidden_size
        T, n = X.shape[-3], X.shape[-2]
        blocks = self.blocks
        k = len(blocks)
        n_gates = k - 1                                     # every block but 'c' is a gate
        H, C = self._state(state, E, n, X)
        # input projection of every step at once: (E, T·n, d) @ (E, d, kh) -> (T, E, n, kh)
        X_flat = X.reshape(1 if X.ndim == 3 else E, T * n, -1).expand(E, T * n, self.input_size)
        Z_x = torch.baddbmm(self.b, X_flat, self.W_x).reshape(E, T, n, k * h).transpose(0, 1).contiguous()
        Z_x = Z_x.unbind(0)          # one view per step; unbind's backward stacks once (indexing Z_x[t] would
        #                              allocate a full-size zero gradient at every step: O(T²) work)
        has_i, has_f, has_o = "i" in blocks, "f" in blocks, "o" in blocks
        coupled = self.variant == "CIFG"
        gate, candidate, cell = self._gate, self._candidate, self._cell
        outputs = []
        record = [] if diagnostics else None
        for t in range(T):
            Z = torch.baddbmm(Z_x[t], H, self.W_h)          # (E, n, kh): the one fused product per step
            Z_gates, Z_c = Z.split([n_gates * h, h], dim=-1)
            gates = list(gate(Z_gates).split(h, dim=-1))   # [I_t, F_t, O_t] minus the removed ones
            C_tilde = candidate(Z_c)
            I_t = gates.pop(0) if has_i else None
            F_t = gates.pop(0) if has_f else None
            O_t = gates.pop(0) if has_o else None
            if coupled:
                F_t = 1.0 - I_t
            kept = C if F_t is None else F_t * C             # F_t = 1 when there is no forget gate
            C = kept + C_tilde if I_t is None else torch.addcmul(kept, I_t, C_tilde)
            S = cell(C)
            H = S if O_t is None else O_t * S
            outputs.append(H)
            if record is not None:
                record.append((I_t, F_t, O_t, C_tilde, C))
        outputs = torch.stack(outputs, dim=1)                # (E, T, n, h)
        diag = self._diagnostics(record, E, T, n) if record is not None else None
        if E == 1:
            return outputs[0], (H[0], C[0]), (diag[0] if diag is not None else None)
        return outputs, (H, C), diag

    def _diagnostics(self, record, E, T, n) -> list[CellDiagnostics]:
        with torch.no_grad():
            ones = torch.ones(E, T, n, self.hidden_size, dtype=self.W_x.dtype)

            def stack(idx):
                values = [r[idx] for r in record]
                if not values or values[0] is None:
                    return ones
                return torch.stack(values, dim=1).detach()

            I, F, O, C_tilde, C = (stack(i) for i in range(5))
            computed = "".join(g for g in "ifo" if g in self.blocks)
            result = []
            for e in range(E):
                max_abs_C = float(C[e].abs().max()) if C[e].numel() else 0.0
                result.append(CellDiagnostics(I[e], F[e], O[e], C_tilde[e], C[e], computed, max_abs_C))
            return result

    def forward(self, X, state=None, *, return_diagnostics: bool = False):
        """head(H_T) (n, output_size), or head(H_t) for all t (T, n, output_size) if return_sequence.

        An ensemble puts its model axis first. With return_diagnostics=True, returns
        (output, CellDiagnostics) — a list of them for an ensemble.
        """
        outputs, _, diag = self.cell_forward(X, state, diagnostics=return_diagnostics)
        E = self.num_models
        outputs = outputs.reshape(E, *outputs.shape[-3:])   # (E, T, n, h)
        if self.return_sequence:
            T, n = outputs.shape[1], outputs.shape[2]
            y = torch.baddbmm(self.head_b, outputs.reshape(E, T * n, -1), self.head_W).reshape(E, T, n, -1)
        else:
            y = torch.baddbmm(self.head_b, outputs[:, -1], self.head_W)
        if E == 1:
            y = y[0]
        return (y, diag) if return_diagnostics else y

    def extra_repr(self) -> str:
        return (f"input_size={self.input_size}, hidden_size={self.hidden_size}, output_size={self.output_size}, "
                f"variant={self.variant!r}, gate={self.gate_activation!r}, "
                f"candidate={self.candidate_activation!r}, cell={self.cell_activation!r}, "
                f"num_models={self.num_models}")


def gate_statistics(diagnostics: CellDiagnostics, *, low: float = 0.1, high: float = 0.9) -> dict:
    """Summary numbers of the gates the cell really computes (removed and coupled gates left out).

    Returns a dict of plain floats: frac_in_unit (fraction of gate values inside [0, 1]),
    frac_saturated (fraction below `low` or above `high`), max_gate (largest gate value),
    max_abs_C (max |C_t|). NaN gate values count as neither inside nor saturated.
    """
    if not isinstance(diagnostics, CellDiagnostics):
        raise TypeError(f"diagnostics must be a CellDiagnostics, got {type(diagnostics).__name__}")
    if not 0.0 <= low < high <= 1.0:
        raise ValueError(f"low and high must satisfy 0 <= low < high <= 1, got low={low!r}, high={high!r}")
    named = {"i": diagnostics.I, "f": diagnostics.F, "o": diagnostics.O}
    values = [named[g].reshape(-1) for g in diagnostics.gates_computed]
    if not values:
        raise ValueError("diagnostics has no computed gates")
    v = torch.cat(values).double()
    in_unit = ((v >= 0) & (v <= 1)).double().mean().item()
    saturated = ((v < low) | (v > high)).double().mean().item()
    return {"frac_in_unit": in_unit, "frac_saturated": saturated,
            "max_gate": float(v.max()), "max_abs_C": diagnostics.max_abs_C}


# ---------------------------------------------------------------------- training an ensemble
class EnsembleHistory(NamedTuple):
    """What `train_ensemble` returns.

    losses : float64 array (E, steps), the training loss of each member at each step; NaN from the
             step at which that member first produced a NaN/inf loss or gradient.
    first_nonfinite_step : tuple of E entries, None or the 0-based step of that member's first
             NaN/inf loss or gradient (that step's update is not applied; the member is frozen).
    elapsed_s : wall-clock seconds of the loop (machine-dependent; never print it unignored).
    """

    losses: np.ndarray
    first_nonfinite_step: tuple
    elapsed_s: float

    def final_losses(self, window: int = 20) -> np.ndarray:
        """Mean training loss of each member over its last `window` steps (NaN if it diverged)."""
        window = check_positive_int(window, "window")
        return self.losses[:, -window:].mean(axis=1)


def _member_losses(output: torch.Tensor, target: torch.Tensor, E: int) -> torch.Tensor:
    """Mean squared error of each member: output (E, ...) against target (...) or (E, ...)."""
    if output.ndim == 0 or output.shape[0] != E:
        raise ValueError(f"model output must have the model axis E = {E} first, got shape {tuple(output.shape)}")
    if target.shape != output.shape:
        target = target.expand_as(output)
    return (output - target).pow(2).reshape(E, -1).mean(dim=1)


def train_ensemble(model: VariantLSTM, make_batch: Callable, *, steps: int, lr: float = 3e-3,
                   clip: float | None = 1.0, seed: int = 0) -> EnsembleHistory:
    """Train every member of `model` with Adam and MSE on batches from `make_batch(step, rng)`.

    make_batch(step, rng) -> (X, y): X (T, n, d) shared by all members or (E, T, n, d) one per member,
    y of the model's output shape without (or with) the model axis; rng is np.random.default_rng(seed).
    Each member is clipped to global gradient norm `clip` on its own (like clip_grad_norm_ applied to
    that member alone); a member whose loss or gradient becomes NaN/inf is frozen and recorded.
    """
    if not isinstance(model, VariantLSTM):
        raise TypeError(f"model must be a VariantLSTM, got {type(model).__name__}")
    steps = check_training_arguments(make_batch, steps, lr, clip, seed)
    E = model.num_models
    dtype = model.W_x.dtype
    torch.manual_seed(int(seed))
    rng = np.random.default_rng(int(seed))
    params = list(model.parameters())
    optimizer = ForeachAdam(params, lr=lr)      # = torch.optim.Adam(params, lr=lr, foreach=True), bit for bit
    max_norm = float(clip) if clip is not None else math.inf
    losses = np.full((E, steps), np.nan)
    first_bad: list[int | None] = [None] * E
    alive = torch.ones(E, dtype=torch.bool)
    for p in params:
        p.grad = torch.zeros_like(p)
    grads = [p.grad for p in params]
    start = time.perf_counter()
    for step in range(steps):
        X, y = make_batch(step, rng)
        X = torch.as_tensor(X).to(dtype)
        y = torch.as_tensor(y).to(dtype)
        torch._foreach_zero_(grads)                   # zero_grad(set_to_none=False)
        out = model(X)
        if E == 1:
            out = out.unsqueeze(0)
        member = _member_losses(out, y, E)
        values = member.detach().numpy().astype(np.float64)
        finite_loss = torch.from_numpy(np.isfinite(values))
        use = alive & finite_loss
        if bool(use.any()):
            member[use].sum().backward()
        # per-member gradient norm over all parameters
        sq = torch.zeros(E, dtype=torch.float64)
        for p in params:
            sq += p.grad.detach().double().reshape(E, -1).pow(2).sum(dim=1)
        norms = sq.sqrt()
        ok = use & torch.isfinite(norms)
        for e in np.flatnonzero((alive & ~ok).numpy()):
            first_bad[e] = step
        alive &= ok
        if not bool(alive.any()):
            break
        coef = torch.clamp(max_norm / (norms + 1e-6), max=1.0)
        coef = torch.where(alive, coef, torch.zeros_like(coef)).to(dtype)
        all_alive = bool(alive.all())
        with torch.no_grad():
            for p in params:
                shape = (E,) + (1,) * (p.ndim - 1)
                if not all_alive:                           # NaN * 0 is NaN: zero a dead member's gradient first
                    p.grad.copy_(torch.where(alive.view(shape), p.grad, torch.zeros_like(p.grad)))
                p.grad.mul_(coef.view(shape))
        # Adam would still move a frozen member by its momentum: remember and restore it
        frozen = ~alive
        saved = [p.detach()[frozen].clone() for p in params] if bool(frozen.any()) else None
        optimizer.step()
        if saved is not None:
            with torch.no_grad():
                for p, s in zip(params, saved, strict=True):
                    p[frozen] = s
        alive_np = alive.numpy()
        losses[alive_np, step] = values[alive_np]
    return EnsembleHistory(losses, tuple(first_bad), time.perf_counter() - start)
