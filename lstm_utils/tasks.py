"""Synthetic sequence tasks for the long-range memory experiments (NumPy, time-major).

Every generator takes an explicit ``rng`` (a ``numpy.random.Generator``) and returns arrays in the
curriculum's layout: an input sequence ``X`` of shape (T, n, d) — T steps, n examples, d features —
and targets whose shape is stated per task. Nothing here touches torch; the training loop in
`lstm_utils.training` converts.

Tasks
-----
- adding problem (Hochreiter & Schmidhuber 1997, exp. 4; the Arjovsky/Le variant is the default)
- copy problem (Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016 form)
- temporal order (Hochreiter & Schmidhuber 1997, exp. 6a)
- reset sum: a running sum that must be cleared on a marker (needs a forget gate; Gers et al. 2000)
- embedded Reber grammar (Hochreiter & Schmidhuber 1997, exp. 1)
"""
from __future__ import annotations

import numpy as np

from .validation import check_positive_int

__all__ = [
    "ADDING_BASELINE_MSE", "ADDING_BASELINE_MSE_HOCHREITER", "make_adding_problem",
    "make_copy_problem", "copy_baseline_cross_entropy",
    "TEMPORAL_ORDER_SYMBOLS", "TEMPORAL_ORDER_CLASSES", "make_temporal_order_problem",
    "make_reset_sum_problem",
    "REBER_SYMBOLS", "generate_reber", "generate_embedded_reber", "is_reber", "is_embedded_reber",
    "reber_next_symbols", "embedded_reber_next_symbols", "encode_reber", "reber_next_symbol_targets",
    "decode_reber",
]

ADDING_BASELINE_MSE = 1.0 / 6.0
"""MSE of the best constant prediction on the (Arjovsky/Le) adding problem.

The target is y = X1 + X2 with X1, X2 independent U[0, 1]. The constant c minimising E[(y - c)^2]
is c = E[y] = 1/2 + 1/2 = 1, and the MSE it leaves is the variance of y:

    Var(X1 + X2) = Var(X1) + Var(X2) = 2 · (1 - 0)^2 / 12 = 2/12 = 1/6 ≈ 0.1667.

(The value 0.1767 quoted in some papers is a typo: 1/6 = 0.1667.) A model whose MSE stays near 1/6
has learned nothing about which two numbers were marked.
"""

ADDING_BASELINE_MSE_HOCHREITER = 1.0 / 24.0
"""MSE of the best constant prediction on Hochreiter & Schmidhuber's variant.

There X1, X2 ~ U[-1, 1] (variance 4/12 = 1/3 each) and y = 1/2 + (X1 + X2)/4, so
Var(y) = (1/3 + 1/3) / 16 = 1/24 ≈ 0.0417, reached by always predicting E[y] = 1/2.
"""


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def _check_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype!r}") from None
    if not np.issubdtype(dt, np.floating):
        raise TypeError(f"dtype must be a floating-point dtype (float32 or float64), got {dt}")
    return dt


def _check_prob(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number in [0, 1], got {type(value).__name__}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return float(value)


# --------------------------------------------------------------------------------------------
# adding problem
# --------------------------------------------------------------------------------------------

def make_adding_problem(batch_size: int, seq_len: int, rng: np.random.Generator, *,
                        variant: str = "arjovsky", dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem: add the two marked numbers of a long sequence.

    Returns ``X`` (T, n, 2) and ``y`` (n, 1) with T = seq_len, n = batch_size.
    Channel 0 holds the values, channel 1 the markers: exactly one marker (1.0) at a uniformly
    random step of the first half [0, T//2) and one in the second half [T//2, T); all other
    markers are 0.

    variant="arjovsky" (default; Arjovsky et al. 2016, Le et al. 2015): values U[0, 1],
        y = X1 + X2. Constant-prediction baseline MSE = ADDING_BASELINE_MSE = 1/6.
    variant="hochreiter" (Hochreiter & Schmidhuber 1997): values U[-1, 1], y = 1/2 + (X1 + X2)/4;
        their "solved" criterion is |error| < 0.04. Baseline MSE = ADDING_BASELINE_MSE_HOCHREITER = 1/24.
        (The original also marks the first and last step with -1 in the marker channel; that detail
        is left out so both variants share one input format.)
    """
    n = check_positive_int(batch_size, "batch_size")
    T = check_positive_int(seq_len, "seq_len")
    if T < 2:
        raise ValueError(f"seq_len must be at least 2 (one marker in each half), got {seq_len}")
    rng = _check_rng(rng)
    dt = _check_dtype(dtype)
    if variant == "arjovsky":
        values = rng.uniform(0.0, 1.0, size=(T, n))
    elif variant == "hochreiter":
        values = rng.uniform(-1.0, 1.0, size=(T, n))
    else:
        raise ValueError(f"variant must be 'arjovsky' or 'hochreiter', got {variant!r}")
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    markers = np.zeros((T, n))
    cols = np.arange(n)
    markers[first, cols] = 1.0
    markers[second, cols] = 1.0
    total = values[first, cols] + values[second, cols]
    y = total if variant == "arjovsky" else 0.5 + total / 4.0
    X = np.stack([values, markers], axis=-1).astype(dt)
    return X, y.reshape(n, 1).astype(dt)


# --------------------------------------------------------------------------------------------
# copy problem
# --------------------------------------------------------------------------------------------

def make_copy_problem(batch_size: int, seq_len: int, rng: np.random.Generator, *, num_symbols: int = 8,
                      copy_len: int = 10, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The copy problem (Arjovsky et al. 2016 form): remember `copy_len` symbols across a delay.

    ``seq_len`` is the delay D. The total length is T = copy_len + D + copy_len:

        input  : s_1 … s_K | blank × (D - 1) | delimiter | blank × K
        target : blank × (K + D)                          | s_1 … s_K

    with K = copy_len and s_j drawn uniformly from the symbols 1 … num_symbols.
    Classes: 0 = blank, 1 … num_symbols = the symbols, num_symbols + 1 = delimiter (input only).

    Returns ``X`` (T, n, num_symbols + 2) one-hot and ``y`` (T, n) int64 class indices in
    0 … num_symbols (the target at every step; train with cross-entropy over all steps).
    The memoryless baseline is `copy_baseline_cross_entropy(seq_len, num_symbols, copy_len)`.
    """
    n = check_positive_int(batch_size, "batch_size")
    D = check_positive_int(seq_len, "seq_len")
    S = check_positive_int(num_symbols, "num_symbols")
    K = check_positive_int(copy_len, "copy_len")
    rng = _check_rng(rng)
    dt = _check_dtype(dtype)
    T = K + D + K
    symbols = rng.integers(1, S + 1, size=(K, n))
    inputs = np.zeros((T, n), dtype=np.int64)
    inputs[:K] = symbols
    inputs[K + D - 1] = S + 1
    y = np.zeros((T, n), dtype=np.int64)
    y[K + D:] = symbols
    X = np.zeros((T, n, S + 2), dtype=dt)
    np.put_along_axis(X, inputs[..., None], 1.0, axis=-1)
    return X, y


def copy_baseline_cross_entropy(seq_len: int, num_symbols: int = 8, copy_len: int = 10) -> float:
    """Mean cross-entropy per step (nats) of the best memoryless strategy on the copy problem.

    Predict 'blank' with certainty for the first K + D steps, then a uniform guess over the
    num_symbols symbols for the last K steps: K·log(S) / (2K + D).
    """
    D = check_positive_int(seq_len, "seq_len")
    S = check_positive_int(num_symbols, "num_symbols")
    K = check_positive_int(copy_len, "copy_len")
    return K * float(np.log(S)) / (2 * K + D)


# --------------------------------------------------------------------------------------------
# temporal order
# --------------------------------------------------------------------------------------------

TEMPORAL_ORDER_SYMBOLS = "abcdXYBE"
"""Input alphabet of the temporal-order task: distractors a–d, the relevant X and Y, start B, end E."""

TEMPORAL_ORDER_CLASSES = ("XX", "XY", "YX", "YY")
"""Class index k ↔ the order of the two relevant symbols."""


def make_temporal_order_problem(batch_size: int, seq_len: int, rng: np.random.Generator, *,
                                dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Temporal order (Hochreiter & Schmidhuber 1997, exp. 6a): classify the order of X and Y.

    A sequence of T = seq_len one-hot symbols from "abcdXYBE" (d = 8): B at step 0, E at step T-1,
    random distractors a–d elsewhere, except two relevant symbols (each X or Y) at steps
    t1 ∈ [round(0.1 T), round(0.2 T)] and t2 ∈ [round(0.5 T), round(0.6 T)] (as in the paper's
    T = 100 setting, scaled). The label is the class index of the pair: XX=0, XY=1, YX=2, YY=3;
    chance accuracy 1/4, chance cross-entropy log 4.

    Returns ``X`` (T, n, 8) and ``y`` (n,) int64. seq_len must be at least 8.
    """
    n = check_positive_int(batch_size, "batch_size")
    T = check_positive_int(seq_len, "seq_len")
    if T < 8:
        raise ValueError(f"seq_len must be at least 8 for the temporal-order task, got {seq_len}")
    rng = _check_rng(rng)
    dt = _check_dtype(dtype)
    idx = rng.integers(0, 4, size=(T, n))            # distractors a..d
    idx[0] = 6                                       # B
    idx[T - 1] = 7                                   # E
    lo1, hi1 = max(1, round(0.1 * T)), max(1, round(0.2 * T))
    lo2, hi2 = max(hi1 + 1, round(0.5 * T)), min(T - 2, max(hi1 + 1, round(0.6 * T)))
    t1 = rng.integers(lo1, hi1 + 1, size=n)
    t2 = rng.integers(lo2, hi2 + 1, size=n)
    a = rng.integers(0, 2, size=n)                   # 0 = X, 1 = Y
    b = rng.integers(0, 2, size=n)
    cols = np.arange(n)
    idx[t1, cols] = 4 + a
    idx[t2, cols] = 4 + b
    X = np.zeros((T, n, len(TEMPORAL_ORDER_SYMBOLS)), dtype=dt)
    np.put_along_axis(X, idx[..., None], 1.0, axis=-1)
    y = (2 * a + b).astype(np.int64)
    return X, y


# --------------------------------------------------------------------------------------------
# reset sum (needs a forget gate)
# --------------------------------------------------------------------------------------------

def make_reset_sum_problem(batch_size: int, seq_len: int, rng: np.random.Generator, *,
                           reset_prob: float = 0.1, target: str = "sum",
                           dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """A running sum that must be cleared whenever a reset marker arrives.

    Returns ``X`` (T, n, 2) and ``Y`` (T, n, 1). Channel 0 holds values v_t ~ U[-1, 1], channel 1
    a reset marker r_t ∈ {0, 1}, 1 with probability `reset_prob` at each step (step 0 always
    counts as a reset, but its marker is shown only when drawn). The target at every step is

        target="sum"  (default): Y_t = Σ_{s = t0 .. t} v_s
        target="mean":           Y_t = (Σ_{s = t0 .. t} v_s) / (t - t0 + 1)

    where t0 is the last step ≤ t with r_{t0} = 1 (or 0): the marker at t0 clears the memory
    *before* v_{t0} is added, so at a marked step the target is v_{t0} itself.

    Scale: segment lengths are geometric with mean 1/reset_prob (10 by default) and
    Var(v) = 1/3, so the sum's typical size is sqrt(k/3) for a segment of age k — about 1.8
    at age 10, i.e. O(1). A network that can only accumulate (a cell with F ≡ 1) cannot clear its
    memory and drifts; that is what makes this task the test of the forget gate (Gers et al. 2000).
    """
    n = check_positive_int(batch_size, "batch_size")
    T = check_positive_int(seq_len, "seq_len")
    rng = _check_rng(rng)
    p = _check_prob(reset_prob, "reset_prob")
    dt = _check_dtype(dtype)
    if target not in ("sum", "mean"):
        raise ValueError(f"target must be 'sum' or 'mean', got {target!r}")
    values = rng.uniform(-1.0, 1.0, size=(T, n))
    resets = (rng.random(size=(T, n)) < p).astype(np.float64)
    Y = np.empty((T, n))
    running = np.zeros(n)
    count = np.zeros(n)
    for t in range(T):
        keep = 1.0 - resets[t]
        running = running * keep + values[t]
        count = count * keep + 1.0
        Y[t] = running if target == "sum" else running / count
    X = np.stack([values, resets], axis=-1).astype(dt)
    return X, Y[..., None].astype(dt)


# --------------------------------------------------------------------------------------------
# embedded Reber grammar
# --------------------------------------------------------------------------------------------

REBER_SYMBOLS = "BTSXPVE"
"""The seven symbols of the Reber grammar; one-hot index = position in this string."""

# The Reber automaton (Reber 1967; as used by Fahlman and by Hochreiter & Schmidhuber 1997).
# Node 0 is before the leading B; "end" is before the closing E. Each node offers two symbols,
# chosen with probability 1/2; every symbol leads to exactly one node (the automaton is
# deterministic, so the set of legal next symbols after any prefix is well defined).
_REBER_EDGES = {
    0: {"B": 1},
    1: {"T": 2, "P": 3},
    2: {"S": 2, "X": 4},
    3: {"T": 3, "V": 5},
    4: {"X": 3, "S": "end"},
    5: {"P": 4, "V": "end"},
    "end": {"E": "done"},
    "done": {},
}


def _check_string(s, name: str = "s") -> str:
    if not isinstance(s, str):
        raise TypeError(f"{name} must be a str of symbols from {REBER_SYMBOLS!r}, got {type(s).__name__}")
    return s


def generate_reber(rng: np.random.Generator) -> str:
    """One string of the Reber grammar, e.g. 'BTXSE' or 'BPVPXVVE' (each branch with prob. 1/2)."""
    rng = _check_rng(rng)
    node, out = 0, []
    while node != "done":
        options = list(_REBER_EDGES[node].items())
        symbol, node = options[int(rng.integers(len(options)))] if len(options) > 1 else options[0]
        out.append(symbol)
    return "".join(out)


def generate_embedded_reber(rng: np.random.Generator) -> str:
    """One embedded Reber string: 'B' + c + (Reber string) + c + 'E' with c ∈ {T, P} at prob. 1/2.

    To predict the second-to-last symbol a model must remember c across the whole inner string.
    """
    rng = _check_rng(rng)
    c = "TP"[int(rng.integers(2))]
    return "B" + c + generate_reber(rng) + c + "E"


def reber_next_symbols(s: str) -> list[set[str]]:
    """Legal next symbols after each prefix s[:k+1] of a Reber string (a set per position).

    The last entry (after 'E') is the empty set. Raises ValueError if `s` leaves the grammar.
    """
    s = _check_string(s)
    node, sets = 0, []
    for k, ch in enumerate(s):
        edges = _REBER_EDGES[node]
        if ch not in edges:
            raise ValueError(f"s is not a Reber string: symbol {ch!r} at position {k} is not allowed "
                             f"after {s[:k]!r} (allowed: {''.join(edges) or 'nothing'})")
        node = edges[ch]
        sets.append(set(_REBER_EDGES[node]))
    return sets


def is_reber(s: str) -> bool:
    """True if `s` is a complete string of the Reber grammar."""
    s = _check_string(s)
    try:
        sets = reber_next_symbols(s)
    except ValueError:
        return False
    return len(sets) > 0 and sets[-1] == set() and s.endswith("E")


def is_embedded_reber(s: str) -> bool:
    """True if `s` = 'B' + c + (Reber string) + c + 'E' with c ∈ {'T', 'P'}."""
    s = _check_string(s)
    return (len(s) >= 9 and s[0] == "B" and s[1] in "TP" and s[-2] == s[1] and s[-1] == "E"
            and is_reber(s[2:-2]))


def embedded_reber_next_symbols(s: str) -> list[set[str]]:
    """Legal next symbols after each prefix s[:k+1] of an embedded Reber string (len(s) sets).

    After 'B': {T, P}; after the outer c: {B}; inside, the Reber automaton; after the inner 'E':
    {c} — the one long-range dependency; after the outer c: {E}; after the final 'E': the empty set.
    Raises ValueError if `s` is not a prefix of an embedded Reber string.
    """
    s = _check_string(s)
    sets: list[set[str]] = []
    for k, ch in enumerate(s):
        if k == 0:
            if ch != "B":
                raise ValueError(f"s is not embedded Reber: it must start with 'B', got {ch!r}")
            sets.append({"T", "P"})
        elif k == 1:
            if ch not in "TP":
                raise ValueError(f"s is not embedded Reber: symbol 1 must be 'T' or 'P', got {ch!r}")
            sets.append({"B"})
        else:
            break
    if len(s) <= 2:
        return sets
    c = s[1]
    inner_end = s.find("E", 2)
    inner = s[2:] if inner_end < 0 else s[2:inner_end + 1]
    try:
        inner_sets = reber_next_symbols(inner)
    except ValueError as exc:
        raise ValueError(f"s is not embedded Reber: the inner string is not Reber ({exc})") from None
    inner_sets[-1:] = [{c}] if inner.endswith("E") else inner_sets[-1:]
    sets.extend(inner_sets)
    rest = s[2 + len(inner):]
    if rest:
        if rest[0] != c:
            raise ValueError(f"s is not embedded Reber: after the inner string expected {c!r} "
                             f"(the second symbol), got {rest[0]!r}")
        sets.append({"E"})
        if len(rest) > 1:
            if rest[1] != "E" or len(rest) > 2:
                raise ValueError(f"s is not embedded Reber: it must end with {c + 'E'!r}, got {rest!r}")
            sets.append(set())
    return sets


def encode_reber(strings, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """One-hot encode strings over REBER_SYMBOLS, padded to the longest.

    Returns ``X`` (T_max, n, 7) (all-zero rows in the padding) and ``mask`` (T_max, n) of `dtype`,
    1.0 where a symbol is present and 0.0 in the padding.
    """
    if isinstance(strings, str) or not hasattr(strings, "__len__") or len(strings) == 0:
        raise TypeError("strings must be a non-empty list of str")
    dt = _check_dtype(dtype)
    for j, s in enumerate(strings):
        _check_string(s, f"strings[{j}]")
        bad = set(s) - set(REBER_SYMBOLS)
        if bad:
            raise ValueError(f"strings[{j}] contains symbols outside {REBER_SYMBOLS!r}: {sorted(bad)}")
    n, T = len(strings), max(len(s) for s in strings)
    X = np.zeros((T, n, len(REBER_SYMBOLS)), dtype=dt)
    mask = np.zeros((T, n), dtype=dt)
    for j, s in enumerate(strings):
        for t, ch in enumerate(s):
            X[t, j, REBER_SYMBOLS.index(ch)] = 1.0
        mask[: len(s), j] = 1.0
    return X, mask


def reber_next_symbol_targets(strings, *, embedded: bool = True, dtype=np.float32) -> np.ndarray:
    """Multi-hot targets (T_max, n, 7): at step t, 1.0 for every legal symbol after s[:t+1].

    Uses `embedded_reber_next_symbols` (or `reber_next_symbols` with embedded=False); padding rows
    and the step after the final 'E' are all zeros.
    """
    X, _ = encode_reber(strings, dtype)
    targets = np.zeros_like(X)
    rule = embedded_reber_next_symbols if embedded else reber_next_symbols
    for j, s in enumerate(strings):
        for t, legal in enumerate(rule(s)):
            for ch in legal:
                targets[t, j, REBER_SYMBOLS.index(ch)] = 1.0
    return targets


def decode_reber(X: np.ndarray) -> list[str]:
    """Inverse of `encode_reber`: the argmax symbol of each non-zero row, per example."""
    X = np.asarray(X)
    if X.ndim != 3 or X.shape[-1] != len(REBER_SYMBOLS):
        raise ValueError(f"X must have shape (T, n, {len(REBER_SYMBOLS)}), got {X.shape}")
    out = []
    for j in range(X.shape[1]):
        rows = X[:, j, :]
        out.append("".join(REBER_SYMBOLS[int(np.argmax(r))] for r in rows if np.any(r != 0)))
    return out
