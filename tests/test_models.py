"""SequenceModel (lstm_utils.models) and the training loop (lstm_utils.training)."""
import math

import numpy as np
import pytest
import torch

from lstm_utils.models import SequenceModel, count_parameters
from lstm_utils.tasks import (
    ADDING_BASELINE_MSE,
    make_adding_problem,
    make_copy_problem,
    make_temporal_order_problem,
)
from lstm_utils.training import TrainingHistory, accuracy, evaluate, train


@pytest.fixture(autouse=True)
def one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.mark.parametrize("cell,gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_shapes_and_parameter_counts(cell, gates):
    d, h, k = 3, 5, 2
    m = SequenceModel(cell, d, h, k, seed=0)
    X = torch.randn(7, 4, d)
    assert m(X).shape == (4, k)
    assert SequenceModel(cell, d, h, k, return_sequence=True)(X).shape == (7, 4, k)
    assert count_parameters(m.rnn) == gates * h * (d + h + 2)      # PyTorch keeps two bias vectors
    assert count_parameters(m) == gates * h * (d + h + 2) + h * k + k
    assert m(X.numpy()).shape == (4, k)                              # NumPy input accepted
    assert m.hidden_sequence(X).shape == (7, 4, h)


def test_seed_makes_init_reproducible_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = SequenceModel("lstm", 2, 4, 1, seed=7)
    after = torch.rand(1)
    assert torch.equal(before, after)
    b = SequenceModel("lstm", 2, 4, 1, seed=7)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    c = SequenceModel("lstm", 2, 4, 1, seed=8)
    assert not torch.equal(a.rnn.weight_hh_l0, c.rnn.weight_hh_l0)


def test_forget_bias():
    h = 6
    m = SequenceModel("lstm", 2, h, 1, forget_bias=3.0, seed=0)
    b = m.rnn.bias_ih_l0.detach() + m.rnn.bias_hh_l0.detach()
    assert torch.all(b[h:2 * h] == 3.0)
    assert torch.all(m.rnn.bias_hh_l0[h:2 * h] == 0)
    d = SequenceModel("lstm", 2, h, 1, seed=0)                       # other blocks untouched
    assert torch.equal(m.rnn.bias_ih_l0[:h], d.rnn.bias_ih_l0[:h])


def test_chrono_init():
    h, T_max = 400, 50
    m = SequenceModel("lstm", 2, h, 1, chrono_t_max=T_max, seed=0, dtype=torch.float64)
    b = (m.rnn.bias_ih_l0 + m.rnn.bias_hh_l0).detach().numpy()
    b_i, b_f = b[:h], b[h:2 * h]
    np.testing.assert_allclose(b_i, -b_f)
    u = np.exp(b_f)
    assert u.min() >= 1.0 and u.max() <= T_max - 1
    assert abs(u.mean() - T_max / 2) < 3          # U[1, 49] has mean 25


def test_bad_arguments():
    with pytest.raises(ValueError, match="cell"):
        SequenceModel("transformer", 2, 4, 1)
    with pytest.raises(ValueError, match="hidden_size"):
        SequenceModel("lstm", 2, 0, 1)
    with pytest.raises(ValueError, match="lstm"):
        SequenceModel("gru", 2, 4, 1, forget_bias=1.0)
    with pytest.raises(ValueError, match="not both"):
        SequenceModel("lstm", 2, 4, 1, forget_bias=1.0, chrono_t_max=10)
    with pytest.raises(ValueError, match="chrono_t_max"):
        SequenceModel("lstm", 2, 4, 1, chrono_t_max=2)
    with pytest.raises(ValueError, match="forget_bias"):
        SequenceModel("lstm", 2, 4, 1, forget_bias=float("nan"))
    m = SequenceModel("lstm", 2, 4, 1)
    with pytest.raises(ValueError, match=r"\(T, n, d\)"):
        m(torch.zeros(5, 3))
    with pytest.raises(ValueError, match="d = 2"):
        m(torch.zeros(5, 3, 4))


def adding_batches(T, n=32):
    return lambda step, rng: make_adding_problem(n, T, rng)


def test_training_is_deterministic_and_learns():
    runs = []
    for _ in range(2):
        m = SequenceModel("lstm", 2, 16, 1, seed=0)
        runs.append(train(m, adding_batches(8), steps=300, lr=1e-2, seed=3))
    a, b = runs
    assert isinstance(a, TrainingHistory)
    assert a.losses.dtype == np.float64 and a.losses.shape == (300,)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.first_nonfinite_step is None and not a.diverged
    np.testing.assert_array_equal(a.steps, np.arange(1, 301))
    assert a.losses[-30:].mean() < 0.3 * ADDING_BASELINE_MSE


def test_log_every_averages_windows():
    m1 = SequenceModel("rnn", 2, 8, 1, seed=0)
    m2 = SequenceModel("rnn", 2, 8, 1, seed=0)
    full = train(m1, adding_batches(6), steps=25, seed=1)
    win = train(m2, adding_batches(6), steps=25, seed=1, log_every=10)
    np.testing.assert_array_equal(win.steps, [10, 20, 25])
    np.testing.assert_allclose(win.losses, [full.losses[:10].mean(), full.losses[10:20].mean(),
                                            full.losses[20:].mean()])


def test_nonfinite_stops_training():
    m = SequenceModel("rnn", 2, 8, 1, seed=0)

    def batches(step, rng):
        X, y = make_adding_problem(4, 5, rng)
        if step == 7:
            X[0, 0, 0] = np.nan
        return X, y

    hist = train(m, batches, steps=20, seed=0)
    assert hist.first_nonfinite_step == 7 and hist.diverged
    assert len(hist.losses) == 7 and np.all(np.isfinite(hist.losses))
    assert all(torch.isfinite(p).all() for p in m.parameters())       # the bad step was not applied


def test_nonfinite_gradient_detected():
    m = SequenceModel("rnn", 2, 4, 1, seed=0)

    def loss(out, y):                    # value 0, but d sqrt(u)/du at u = 0 is inf → NaN gradient
        return torch.sqrt(((out - out.detach()) ** 2).mean())

    hist = train(m, adding_batches(5, 4), steps=5, loss=loss)
    assert hist.first_nonfinite_step == 0
    assert hist.losses.tolist() == [0.0]


def test_cross_entropy_sequence_and_classification():
    m = SequenceModel("gru", 6, 8, 5, return_sequence=True, seed=0)
    hist = train(m, lambda s, r: make_copy_problem(8, 4, r, num_symbols=4, copy_len=2),
                 steps=5, loss="cross_entropy")
    assert hist.losses.shape == (5,) and np.all(np.isfinite(hist.losses))
    m2 = SequenceModel("lstm", 8, 8, 4, seed=0)
    X, y = make_temporal_order_problem(16, 12, np.random.default_rng(0))
    ce = evaluate(m2, X, y, loss="cross_entropy")
    assert isinstance(ce, float) and abs(ce - math.log(4)) < 0.5
    assert 0.0 <= accuracy(m2, X, y) <= 1.0


def test_evaluate_mse_matches_manual():
    m = SequenceModel("lstm", 2, 4, 1, seed=0)
    X, y = make_adding_problem(10, 6, np.random.default_rng(0))
    with torch.no_grad():
        manual = float(((m(torch.from_numpy(X)) - torch.from_numpy(y)) ** 2).mean())
    assert evaluate(m, X, y) == pytest.approx(manual)


def test_train_bad_arguments():
    m = SequenceModel("rnn", 2, 4, 1)
    with pytest.raises(ValueError, match="steps"):
        train(m, adding_batches(5), steps=0)
    with pytest.raises(ValueError, match="loss"):
        train(m, adding_batches(5), steps=1, loss="hinge")
    with pytest.raises(ValueError, match="lr"):
        train(m, adding_batches(5), steps=1, lr=-1.0)
    with pytest.raises(ValueError, match="clip"):
        train(m, adding_batches(5), steps=1, clip=0)
    with pytest.raises(TypeError, match="pair"):
        train(m, lambda s, r: 3, steps=1)
    with pytest.raises(TypeError, match="make_batch"):
        train(m, None, steps=1)

