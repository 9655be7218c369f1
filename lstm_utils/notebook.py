"""The one setup call at the top of every notebook: seeds, one torch thread, print options, plot style."""
from __future__ import annotations

import random

import numpy as np

from .plotting import use_curriculum_style


def use_one_thread() -> None:
    """Make torch and NumPy's BLAS each use one thread.

    Results then do not depend on the machine's core count, and small matrix products are not
    slowed down by threads competing for the cores (on a busy 2-core laptop, by a factor of 5 or more).
    """
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(limits=1)


def setup_notebook(seed: int = 0) -> None:
    """Seed `random`, NumPy's legacy global RNG and torch; one thread; fix print and plot style.

    One thread makes results independent of the machine's core count; the explicit print
    options keep array reprs identical everywhere. Prints nothing.
    """
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    use_one_thread()
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    use_curriculum_style()
