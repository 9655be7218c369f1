"""The one setup call at the top of every notebook: seeds, one torch thread, print options, plot style."""
from __future__ import annotations

import random

import numpy as np

from .plotting import use_curriculum_style


def setup_notebook(seed: int = 0) -> None:
    """Seed `random`, NumPy's legacy global RNG and torch; use one torch thread; fix print and plot style.

    One thread makes torch's results independent of the machine's core count; the explicit print
    options keep array reprs identical everywhere. Prints nothing.
    """
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    use_curriculum_style()
