"""Small torch sequence models for the experiments: one recurrent layer (tanh RNN, LSTM or GRU)
and a linear head.

Inputs are time-major tensors X of shape (T, n, d), as everywhere in the curriculum. The model
returns the head applied to the last hidden state, (n, output_size), or to every step,
(T, n, output_size) with ``return_sequence=True``.

Initialisation options for the LSTM's forget gate (PyTorch's gate order is i, f, g, o, so the
forget block is rows h … 2h of ``bias_ih_l0`` and ``bias_hh_l0``; the effective b_f is their sum):

- ``forget_bias=b``: b_f = b — ``bias_ih``'s f block is set to b and ``bias_hh``'s f block to 0.
  Gers et al. 2000 / Jozefowicz et al. 2015 recommend b = 1: σ(1) ≈ 0.73 instead of σ(0) = 0.5.
- ``chrono_t_max=T_max``: chrono initialisation (Tallec & Ollivier 2018),
  b_f ~ log(U[1, T_max - 1]) per unit and b_i = -b_f (both in ``bias_ih``; the ``bias_hh`` i and f
  blocks are set to 0), so the units' memory time scales 1/(1 - σ(b_f)) ≈ 1 + e^{b_f} spread over
  [1, T_max].
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["SequenceModel", "CELLS", "count_parameters"]

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars in `module`."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def _check_size(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class SequenceModel(nn.Module):
    """One recurrent layer + a linear head.

    Parameters
    ----------
    cell : "rnn" (tanh), "lstm" or "gru"
    input_size, hidden_size, output_size : d, h and the head's output size
    forget_bias : float or None — LSTM only; sets b_f (see the module docstring)
    chrono_t_max : number > 2 or None — LSTM only; chrono initialisation
    return_sequence : False → forward returns (n, output_size) from the last step;
                      True  → (T, n, output_size) for every step
    seed : int or None — if given, the parameters are initialised under torch.manual_seed(seed)
           without disturbing the global torch generator
    dtype : torch.float32 (default) or torch.float64

    Attributes: ``rnn`` (the torch recurrent module, time-major), ``head`` (nn.Linear), ``cell``.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, output_size: int, *,
                 forget_bias: float | None = None, chrono_t_max: float | None = None,
                 return_sequence: bool = False, seed: int | None = None, dtype: torch.dtype = torch.float32):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        d = _check_size(input_size, "input_size")
        h = _check_size(hidden_size, "hidden_size")
        k = _check_size(output_size, "output_size")
        if dtype not in (torch.float32, torch.float64):
            raise TypeError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
        if (forget_bias is not None or chrono_t_max is not None) and cell != "lstm":
            raise ValueError(f"forget_bias and chrono_t_max apply to cell='lstm' only, got cell={cell!r}")
        if forget_bias is not None and chrono_t_max is not None:
            raise ValueError("give forget_bias or chrono_t_max, not both")
        if forget_bias is not None:
            if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float, np.number)) \
                    or not np.isfinite(forget_bias):
                raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
        if chrono_t_max is not None:
            if isinstance(chrono_t_max, bool) or not isinstance(chrono_t_max, (int, float, np.number)) \
                    or not chrono_t_max > 2:
                raise ValueError(f"chrono_t_max must be a number > 2 (the longest dependency, in steps), "
                                 f"got {chrono_t_max!r}")
        if not isinstance(return_sequence, bool):
            raise TypeError(f"return_sequence must be True or False, got {return_sequence!r}")
        self.cell = cell
        self.return_sequence = return_sequence
        self.forget_bias = forget_bias
        self.chrono_t_max = chrono_t_max

        def build():
            if cell == "rnn":
                rnn = nn.RNN(d, h, nonlinearity="tanh", dtype=dtype)
            else:
                rnn = CELLS[cell](d, h, dtype=dtype)
            head = nn.Linear(h, k, dtype=dtype)
            with torch.no_grad():
                if forget_bias is not None:
                    rnn.bias_ih_l0[h:2 * h].fill_(float(forget_bias))
                    rnn.bias_hh_l0[h:2 * h].zero_()
                if chrono_t_max is not None:
                    u = torch.rand(h, dtype=torch.float64) * (float(chrono_t_max) - 2.0) + 1.0
                    b_f = torch.log(u).to(dtype)
                    rnn.bias_ih_l0[h:2 * h].copy_(b_f)
                    rnn.bias_ih_l0[0:h].copy_(-b_f)
                    rnn.bias_hh_l0[0:2 * h].zero_()
            return rnn, head

        if seed is not None:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(seed))
                self.rnn, self.head = build()
        else:
            self.rnn, self.head = build()

    @property
    def input_size(self) -> int:
        return self.rnn.input_size

    @property
    def hidden_size(self) -> int:
        return self.rnn.hidden_size

    @property
    def output_size(self) -> int:
        return self.head.out_features

    def _as_input(self, X) -> torch.Tensor:
        dtype = self.head.weight.dtype
        if isinstance(X, np.ndarray):
            X = torch.from_numpy(np.ascontiguousarray(X)).to(dtype)
        if not isinstance(X, torch.Tensor):
            raise TypeError(f"X must be a torch tensor or NumPy array of shape (T, n, d), "
                            f"got {type(X).__name__}")
        if X.dim() != 3 or X.shape[-1] != self.input_size:
            raise ValueError(f"X must have shape (T, n, d) with d = {self.input_size}, got {tuple(X.shape)}")
        if not X.is_floating_point():
            raise TypeError(f"X must be a floating-point tensor, got {X.dtype}")
        return X.to(dtype)

    def hidden_sequence(self, X) -> torch.Tensor:
        """The recurrent layer's hidden states H_1 … H_T, shape (T, n, h) (zero initial state)."""
        out, _ = self.rnn(self._as_input(X))
        return out

    def forward(self, X) -> torch.Tensor:
        out = self.hidden_sequence(X)
        if self.return_sequence:
            return self.head(out)
        return self.head(out[-1])

    def extra_repr(self) -> str:
        opts = []
        if self.forget_bias is not None:
            opts.append(f"forget_bias={self.forget_bias}")
        if self.chrono_t_max is not None:
            opts.append(f"chrono_t_max={self.chrono_t_max}")
        return f"cell={self.cell!r}, return_sequence={self.return_sequence}" + "".join(", " + o for o in opts)
