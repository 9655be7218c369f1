"""Checks for the exercises of notebook 07 (backpropagation through time)."""
from __future__ import annotations

import numpy as np

from . import ExerciseError, call_answer, passed, require_close

__all__ = ["check_cell_gradient", "check_clip_by_global_norm", "check_sgd_momentum_step"]


def check_cell_gradient(fn) -> None:
    """fn(dH_t, dC_next, F_next, O_t, C_t) -> dC_t along both paths."""
    name = "cell_gradient"
    rng = np.random.default_rng(701)
    dH_t, dC_next, C_t = (rng.standard_normal((3, 4)) for _ in range(3))
    F_next, O_t = rng.uniform(0.05, 0.95, (3, 4)), rng.uniform(0.05, 0.95, (3, 4))
    cell_path = dC_next * F_next
    h_path = dH_t * O_t * (1 - np.tanh(C_t) ** 2)
    answer = call_answer(name, fn, dH_t.copy(), dC_next.copy(), F_next.copy(), O_t.copy(), C_t.copy())
    answer = np.asarray(answer, dtype=float)
    if answer.shape == cell_path.shape and np.allclose(answer, cell_path, atol=1e-12, rtol=0):
        raise ExerciseError(f"✗ {name}: that is only the cell path dC_next * F_next; "
                            "add the path through H_t (equation 2)")
    if answer.shape == h_path.shape and np.allclose(answer, h_path, atol=1e-12, rtol=0):
        raise ExerciseError(f"✗ {name}: that is only the path through H_t; add the cell path dC_next * F_next")
    require_close(name, "dC_t", answer, cell_path + h_path)
    passed(name)


def check_clip_by_global_norm(fn) -> None:
    """fn(grads, max_norm) -> list of arrays rescaled to global norm <= max_norm."""
    name = "clip_by_global_norm"
    rng = np.random.default_rng(702)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5), np.array(2.0)]
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    for max_norm in (norm / 4, 2 * norm):                      # clipped, then untouched
        originals = [g.copy() for g in grads]
        answer = call_answer(name, fn, grads, max_norm)
        if not isinstance(answer, (list, tuple)) or len(answer) != len(grads):
            raise ExerciseError(f"✗ {name}: return a list of {len(grads)} arrays, one per gradient")
        if any(not np.array_equal(g, o) for g, o in zip(grads, originals, strict=True)):
            raise ExerciseError(f"✗ {name}: return new arrays; do not modify the gradients passed in")
        scale = min(1.0, max_norm / norm)
        for k, (a, g) in enumerate(zip(answer, grads, strict=True)):
            require_close(name, f"gradient {k} (max_norm = {max_norm / norm:.2f} x the norm)", a, g * scale)
    passed(name)


def check_sgd_momentum_step(fn) -> None:
    """fn(param, grad, velocity, lr, momentum) -> (new_param, new_velocity)."""
    name = "sgd_momentum_step"
    rng = np.random.default_rng(703)
    param, velocity = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    grad = rng.standard_normal((2, 3))
    originals = (param.copy(), grad.copy(), velocity.copy())
    answer = call_answer(name, fn, param, grad, velocity, 0.05, 0.9)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise ExerciseError(f"✗ {name}: return the pair (new_param, new_velocity)")
    if any(not np.array_equal(a, o) for a, o in zip((param, grad, velocity), originals, strict=True)):
        raise ExerciseError(f"✗ {name}: do not modify the arguments; return new arrays")
    new_velocity = 0.9 * velocity - 0.05 * grad
    require_close(name, "new_velocity", answer[1], new_velocity)
    require_close(name, "new_param", answer[0], param + new_velocity)
    passed(name)
