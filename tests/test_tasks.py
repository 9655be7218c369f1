"""Statistics and edge cases of the synthetic tasks in lstm_utils.tasks."""
import numpy as np
import pytest

from lstm_utils import tasks
from lstm_utils.tasks import (
    ADDING_BASELINE_MSE,
    ADDING_BASELINE_MSE_HOCHREITER,
    REBER_SYMBOLS,
    copy_baseline_cross_entropy,
    decode_reber,
    embedded_reber_next_symbols,
    encode_reber,
    generate_embedded_reber,
    generate_reber,
    is_embedded_reber,
    is_reber,
    make_adding_problem,
    make_copy_problem,
    make_reset_sum_problem,
    make_temporal_order_problem,
    reber_next_symbol_targets,
)


def test_adding_baseline_constant():
    assert ADDING_BASELINE_MSE == pytest.approx(1 / 6)
    assert ADDING_BASELINE_MSE_HOCHREITER == pytest.approx(1 / 24)


@pytest.mark.parametrize("T", [2, 3, 20, 101])
def test_adding_shapes_and_markers(T):
    X, y = make_adding_problem(50, T, np.random.default_rng(1))
    assert X.shape == (T, 50, 2) and y.shape == (50, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    markers = X[..., 1]
    assert np.all(markers.sum(axis=0) == 2)
    assert np.all(markers[: T // 2].sum(axis=0) == 1) and np.all(markers[T // 2:].sum(axis=0) == 1)
    np.testing.assert_allclose(y[:, 0], (X[..., 0] * markers).sum(axis=0), rtol=1e-6)


def test_adding_baseline_mse_within_2_percent():
    _, y = make_adding_problem(200_000, 10, np.random.default_rng(0), dtype=np.float64)
    assert abs(np.mean((y - 1.0) ** 2) / ADDING_BASELINE_MSE - 1) < 0.02


def test_adding_hochreiter_variant():
    X, y = make_adding_problem(200_000, 10, np.random.default_rng(0), variant="hochreiter", dtype=np.float64)
    assert X[..., 0].min() < -0.99 and X[..., 0].max() > 0.99
    assert abs(np.mean((y - 0.5) ** 2) / ADDING_BASELINE_MSE_HOCHREITER - 1) < 0.02
    s = (X[..., 0] * X[..., 1]).sum(axis=0)
    np.testing.assert_allclose(y[:, 0], 0.5 + s / 4)


def test_adding_deterministic_given_rng():
    a = make_adding_problem(4, 9, np.random.default_rng(5))
    b = make_adding_problem(4, 9, np.random.default_rng(5))
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


def test_adding_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="seq_len"):
        make_adding_problem(4, 1, rng)
    with pytest.raises(ValueError, match="batch_size"):
        make_adding_problem(0, 10, rng)
    with pytest.raises(ValueError, match="variant"):
        make_adding_problem(4, 10, rng, variant="nope")
    with pytest.raises(TypeError, match="rng"):
        make_adding_problem(4, 10, 0)
    with pytest.raises(TypeError, match="dtype"):
        make_adding_problem(4, 10, rng, dtype=np.int32)


def test_copy_problem_layout():
    K, D, S = 5, 12, 6
    X, y = make_copy_problem(300, D, np.random.default_rng(0), num_symbols=S, copy_len=K)
    T = 2 * K + D
    assert X.shape == (T, 300, S + 2) and y.shape == (T, 300) and y.dtype == np.int64
    assert np.all(X.sum(axis=-1) == 1)
    inputs = X.argmax(-1)
    np.testing.assert_array_equal(y[K + D:], inputs[:K])
    assert np.all(y[: K + D] == 0)
    assert np.all(inputs[K + D - 1] == S + 1)
    assert np.all(inputs[K:K + D - 1] == 0) and np.all(inputs[K + D:] == 0)
    assert set(np.unique(inputs[:K])) == set(range(1, S + 1))
    assert copy_baseline_cross_entropy(D, S, K) == pytest.approx(K * np.log(S) / T)


def test_temporal_order():
    T = 50
    X, y = make_temporal_order_problem(4000, T, np.random.default_rng(0))
    assert X.shape == (T, 4000, 8) and y.shape == (4000,) and y.dtype == np.int64
    idx = X.argmax(-1)
    assert np.all(idx[0] == 6) and np.all(idx[-1] == 7)
    relevant = (idx == 4) | (idx == 5)
    assert np.all(relevant.sum(axis=0) == 2)
    t = np.sort(np.nonzero(relevant.T)[1].reshape(4000, 2), axis=1)
    assert t[:, 0].min() >= 5 and t[:, 0].max() <= 10 and t[:, 1].min() >= 25 and t[:, 1].max() <= 30
    first = idx[t[:, 0], np.arange(4000)] - 4
    second = idx[t[:, 1], np.arange(4000)] - 4
    np.testing.assert_array_equal(y, 2 * first + second)
    counts = np.bincount(y, minlength=4) / 4000
    assert np.all(np.abs(counts - 0.25) < 0.03)
    with pytest.raises(ValueError, match="seq_len"):
        make_temporal_order_problem(3, 7, np.random.default_rng(0))
    make_temporal_order_problem(3, 8, np.random.default_rng(0))


def test_reset_sum_targets():
    X, Y = make_reset_sum_problem(64, 40, np.random.default_rng(3), dtype=np.float64)
    assert X.shape == (40, 64, 2) and Y.shape == (40, 64, 1)
    for j in range(64):
        s = 0.0
        for t in range(40):
            if X[t, j, 1] == 1.0:
                s = 0.0
            s += X[t, j, 0]
            assert Y[t, j, 0] == pytest.approx(s)
    Xm, Ym = make_reset_sum_problem(8, 30, np.random.default_rng(3), target="mean")
    assert np.all(np.abs(Ym) <= 1.0 + 1e-6)


def test_reset_sum_statistics_and_errors():
    X, Y = make_reset_sum_problem(2000, 200, np.random.default_rng(0), reset_prob=0.1)
    assert abs(X[..., 1].mean() - 0.1) < 0.005
    # stationary E[Y^2] = E[age]/3 with age geometric(0.1): 10/3 (late steps, after burn-in)
    assert 2.8 < np.mean(Y[100:] ** 2) < 3.9
    with pytest.raises(ValueError, match="reset_prob"):
        make_reset_sum_problem(2, 5, np.random.default_rng(0), reset_prob=1.5)
    with pytest.raises(ValueError, match="target"):
        make_reset_sum_problem(2, 5, np.random.default_rng(0), target="max")


def test_reber_strings_are_grammatical():
    rng = np.random.default_rng(0)
    for _ in range(500):
        s = generate_reber(rng)
        assert is_reber(s) and s[0] == "B" and s[-1] == "E"
        e = generate_embedded_reber(rng)
        assert is_embedded_reber(e) and e[1] == e[-2]
        assert not is_reber(e)


def test_reber_known_examples():
    for s in ["BTXSE", "BPVVE", "BTSSXXTVVE", "BPVPXVPXVVE", "BTXXTTVVE", "BPTTVPSE"]:
        assert is_reber(s), s
    for s in ["", "B", "BTXS", "BTSE", "BPVE", "BTXSEE", "TXSE", "BTXQE"]:
        assert not is_reber(s), s
    assert is_embedded_reber("BTBTXSETE") and is_embedded_reber("BPBPVVEPE")
    assert not is_embedded_reber("BTBTXSEPE") and not is_embedded_reber("BTBTXSET")


def test_corrupted_embedded_reber_fails():
    rng = np.random.default_rng(1)
    for _ in range(300):
        s = generate_embedded_reber(rng)
        k = int(rng.integers(len(s)))
        legal_here = {"B"} if k == 0 else embedded_reber_next_symbols(s[:k])[-1]
        wrong = [c for c in REBER_SYMBOLS if c not in legal_here]
        corrupted = s[:k] + wrong[int(rng.integers(len(wrong)))] + s[k + 1:]
        assert not is_embedded_reber(corrupted), (s, corrupted)
        # flipping the remembered symbol breaks the long-range dependency
        flipped = s[:-2] + ("P" if s[-2] == "T" else "T") + s[-1]
        assert not is_embedded_reber(flipped)


def test_embedded_next_symbols():
    sets = embedded_reber_next_symbols("BPBTXSEPE")
    assert sets == [{"T", "P"}, {"B"}, {"T", "P"}, {"S", "X"}, {"X", "S"}, {"E"}, {"P"}, {"E"}, set()]
    rng = np.random.default_rng(2)
    for _ in range(200):
        s = generate_embedded_reber(rng)
        sets = embedded_reber_next_symbols(s)
        assert len(sets) == len(s)
        assert all(s[k + 1] in sets[k] for k in range(len(s) - 1))
        assert embedded_reber_next_symbols(s[:5]) == sets[:5]
    with pytest.raises(ValueError, match="not embedded Reber"):
        embedded_reber_next_symbols("BTBTXSEPE")
    with pytest.raises(TypeError, match="str"):
        embedded_reber_next_symbols(["B"])


def test_encode_and_targets():
    strings = ["BTBTXSETE", "BPBPVPXVVEPE"]
    X, mask = encode_reber(strings)
    assert X.shape == (12, 2, 7) and mask.shape == (12, 2) and X.dtype == np.float32
    np.testing.assert_array_equal(mask.sum(axis=0), [9, 12])
    np.testing.assert_array_equal(X.sum(axis=-1), mask)
    assert decode_reber(X) == strings
    targets = reber_next_symbol_targets(strings)
    assert targets.shape == X.shape
    assert targets[0, 0].tolist() == [0, 1, 0, 0, 1, 0, 0]        # after B: T or P
    assert targets[6, 0, REBER_SYMBOLS.index("T")] == 1 and targets[6, 0].sum() == 1
    assert np.all(targets[8:, 0] == 0)
    with pytest.raises(ValueError, match="outside"):
        encode_reber(["BTQ"])
    with pytest.raises(TypeError, match="list"):
        encode_reber("BTXSE")


def test_all_exports_exist():
    for name in tasks.__all__:
        assert hasattr(tasks, name)
