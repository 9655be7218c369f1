"""Checks for the exercises of notebook 12 (capstone: the embedded Reber grammar)."""
from __future__ import annotations

import numpy as np

from ..tasks import REBER_SYMBOLS, embedded_reber_next_symbols, generate_embedded_reber, generate_reber
from . import ExerciseError, call_answer, check_close

__all__ = ["check_max_illegal_probability", "check_second_to_last_accuracy", "check_carrier_scores",
           "reference_max_illegal_probability", "reference_carrier_scores"]


def reference_max_illegal_probability(probs: np.ndarray, strings) -> float:
    """Largest total probability on illegal next symbols over steps 0 … len(s) - 2 of every string."""
    worst = 0.0
    for j, s in enumerate(strings):
        for t, legal in enumerate(embedded_reber_next_symbols(s)[:-1]):
            illegal = [REBER_SYMBOLS.index(ch) for ch in REBER_SYMBOLS if ch not in legal]
            worst = max(worst, float(probs[t, j, illegal].sum()))
    return worst


def reference_carrier_scores(C_T: np.ndarray, C_P: np.ndarray, lengths) -> np.ndarray:
    """(h,) score per unit: the smallest |C_T - C_P| over all pairs and steps 1 … L-3 when the
    difference has one sign throughout, negative otherwise (max(min D, min -D))."""
    D = np.concatenate([C_T[1:L - 2, k] - C_P[1:L - 2, k] for k, L in enumerate(lengths)])
    return np.maximum(D.min(axis=0), (-D).min(axis=0))


def _as_array(name: str, answer, dtype) -> np.ndarray:
    try:
        return np.asarray(answer, dtype=dtype)
    except (TypeError, ValueError):
        raise ExerciseError(f"✗ {name}: could not read the answer as an array") from None


def check_max_illegal_probability(max_illegal_probability) -> None:
    """`max_illegal_probability(probs, strings)` → the value of `reference_max_illegal_probability`."""
    name = "max_illegal_probability"
    rng = np.random.default_rng(1212)
    strings = [generate_embedded_reber(rng) for _ in range(6)]
    T = max(len(s) for s in strings)
    probs = np.zeros((T, len(strings), len(REBER_SYMBOLS)))
    for j, s in enumerate(strings):                       # a near-perfect model ...
        for t, legal in enumerate(embedded_reber_next_symbols(s)[:-1]):
            for ch in legal:
                probs[t, j, REBER_SYMBOLS.index(ch)] = 0.99 / len(legal)
            probs[t, j] += 0.01 / len(REBER_SYMBOLS)
    j = 3
    t = len(strings[j]) - 3                                 # ... with one slip at the inner 'E' of string 3
    probs[t, j] = 0.0
    probs[t, j, REBER_SYMBOLS.index(strings[j][1])] = 0.6
    probs[t, j, REBER_SYMBOLS.index("P" if strings[j][1] == "T" else "T")] = 0.4
    probs[len(strings[0]) - 1:, 0] = 1.0 / len(REBER_SYMBOLS)   # after the last 'E' and padding: ignored
    expected = reference_max_illegal_probability(probs, strings)
    answer = call_answer(name, max_illegal_probability, probs.copy(), list(strings))
    check_close(name, float(_as_array(name, answer, np.float64)), expected, atol=1e-12, rtol=0.0)


def check_second_to_last_accuracy(second_to_last_accuracy) -> None:
    """`second_to_last_accuracy(logits, strings)` → fraction of strings whose prediction at the
    inner 'E' (step len(s) - 3) has its argmax at the second symbol, s[1]."""
    name = "second_to_last_accuracy"
    rng = np.random.default_rng(1213)
    strings = [generate_embedded_reber(rng) for _ in range(8)]
    T = max(len(s) for s in strings)
    logits = rng.normal(size=(T, len(strings), len(REBER_SYMBOLS)))
    right = [True, False, True, True, False, True, False, True]
    for j, s in enumerate(strings):
        t = len(s) - 3
        target = REBER_SYMBOLS.index(s[1])
        other = REBER_SYMBOLS.index("P" if s[1] == "T" else "T")
        logits[t, j, :] = 0.0
        logits[t, j, target if right[j] else other] = 5.0
        logits[t, j, other if right[j] else target] = 4.0
        logits[t + 1, j, other] = 9.0  # a trap for answers that read the wrong step
    answer = call_answer(name, second_to_last_accuracy, logits.copy(), list(strings))
    check_close(name, float(_as_array(name, answer, np.float64)), np.mean(right), atol=1e-12, rtol=0.0)


def check_carrier_scores(carrier_scores) -> None:
    """`carrier_scores(C_T, C_P, lengths)` → (h,) per-unit score of `reference_carrier_scores`."""
    name = "carrier_scores"
    rng = np.random.default_rng(1214)
    inner = [generate_reber(rng) for _ in range(5)]
    lengths = [len(r) + 4 for r in inner]
    T, n, h = max(lengths), len(inner), 6
    C_P = rng.normal(size=(T, n, h))
    shift = rng.uniform(0.2, 1.0, size=(T, n, h)) * np.array([1.0, -1.0, 1.0, 0.0, 1.0, -1.0])
    C_T = C_P + shift
    C_T[1, 0, 2] = C_P[1, 0, 2] - 0.3            # unit 2 changes sign once
    C_T[lengths[1] - 1, 1, 4] = C_P[lengths[1] - 1, 1, 4] - 5.0   # outside the window: must be ignored
    C_T[0, :, 5] = C_P[0, :, 5] + 5.0            # step 0 (before the T/P choice): must be ignored
    expected = reference_carrier_scores(C_T, C_P, lengths)
    answer = call_answer(name, carrier_scores, C_T.copy(), C_P.copy(), list(lengths))
    check_close(name, _as_array(name, answer, np.float64), expected, atol=1e-12, rtol=0.0)
