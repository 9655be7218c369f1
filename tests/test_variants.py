"""Each VariantLSTM computes what its name claims (checked against the NumPy LSTM in float64)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from lstm_utils.activations import ACTIVATIONS
from lstm_utils.lstm import init_lstm_params, lstm_forward
from lstm_utils.training import train
from lstm_utils.variants import (
    TORCH_ACTIVATIONS,
    VARIANTS,
    CellDiagnostics,
    VariantLSTM,
    gate_statistics,
    get_torch_activation,
    train_ensemble,
)

D, H, N, T = 3, 5, 4, 7
NAMES = sorted(ACTIVATIONS)


def _data(seed=0):
    rng = np.random.default_rng(seed)
    params = init_lstm_params(D, H, rng, forget_bias=0.5)
    X = rng.normal(size=(T, N, D))
    H0 = rng.normal(size=(N, H)) * 0.3
    C0 = rng.normal(size=(N, H)) * 0.3
    return params, X, (H0, C0)


def _torch_run(model, X, state):
    with torch.no_grad():
        out, (H_T, C_T), diag = model.cell_forward(torch.from_numpy(X),
                                                   tuple(torch.from_numpy(s) for s in state),
                                                   diagnostics=True)
    return out.numpy(), H_T.numpy(), C_T.numpy(), diag


def test_names_match_numpy_activations():
    assert set(TORCH_ACTIVATIONS) == set(ACTIVATIONS)
    x = np.linspace(-8, 8, 101)
    for name in NAMES:
        np.testing.assert_allclose(get_torch_activation(name)(torch.from_numpy(x)).numpy(),
                                   ACTIVATIONS[name].fn(x), rtol=0, atol=1e-15)


@pytest.mark.parametrize("gate,candidate,cell", list(itertools.product(NAMES, NAMES, NAMES)))
def test_vanilla_equals_numpy_for_every_activation(gate, candidate, cell):
    params, X, state = _data()
    model = VariantLSTM(D, H, 1, gate_activation=gate, candidate_activation=candidate,
                        cell_activation=cell, dtype=torch.float64).load_lstm_params(params)
    out, H_T, C_T, _ = _torch_run(model, X, state)
    ref, (H_ref, C_ref), _ = lstm_forward(X, state, params, gate_activation=gate,
                                          candidate_activation=candidate, cell_activation=cell)
    scale = max(1.0, float(np.abs(ref).max()), float(np.abs(C_ref).max()))
    assert np.max(np.abs(out - ref)) <= 1e-12 * scale
    assert np.max(np.abs(H_T - H_ref)) <= 1e-12 * scale
    assert np.max(np.abs(C_T - C_ref)) <= 1e-12 * scale


def _saturated(params, field, value):
    """A copy of params whose gate `field` (i, f or o) is forced to sigmoid(value): zero weights, bias value."""
    new = params._replace(**{f"W_x{field}": np.zeros_like(getattr(params, f"W_x{field}")),
                             f"W_h{field}": np.zeros_like(getattr(params, f"W_h{field}")),
                             f"b_{field}": np.full_like(getattr(params, f"b_{field}"), value)})
    return new


@pytest.mark.parametrize("variant,gate_field,attr", [("NIG", "i", "I"), ("NFG", "f", "F"), ("NOG", "o", "O")])
def test_removed_gate_is_exactly_one(variant, gate_field, attr):
    params, X, state = _data(1)
    model = VariantLSTM(D, H, 1, variant=variant, dtype=torch.float64).load_lstm_params(params)
    out, _, C_T, diag = _torch_run(model, X, state)
    assert torch.equal(getattr(diag, attr), torch.ones(T, N, H, dtype=torch.float64))
    assert gate_field not in model.blocks and gate_field not in diag.gates_computed
    # same numbers as the full NumPy LSTM whose gate is pinned open: sigmoid(1e4) == 1.0 exactly
    ref, (_, C_ref), _ = lstm_forward(X, state, _saturated(params, gate_field, 1e4))
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(C_T, C_ref, rtol=0, atol=1e-12)
    # a removed gate has no weights: 3 blocks instead of 4
    assert model.W_x.shape == (1, D, 3 * H) and model.W_h.shape == (1, H, 3 * H) and model.b.shape == (1, 1, 3 * H)


def test_no_forget_gate_cell_only_accumulates():
    """With F = 1, C_t - C_{t-1} = I_t ⊙ C̃_t exactly: nothing is ever forgotten."""
    params, X, state = _data(2)
    model = VariantLSTM(D, H, 1, variant="NFG", dtype=torch.float64).load_lstm_params(params)
    _, _, _, diag = _torch_run(model, X, state)
    C_prev = torch.cat([torch.from_numpy(state[1])[None], diag.C[:-1]])
    torch.testing.assert_close(diag.C - C_prev, diag.I * diag.C_tilde, rtol=0, atol=1e-14)


@pytest.mark.parametrize("gate", ["sigmoid", "hard_sigmoid"])
def test_cifg_couples_forget_to_input(gate):
    params, X, state = _data(3)
    model = VariantLSTM(D, H, 1, variant="CIFG", gate_activation=gate, dtype=torch.float64)
    model.load_lstm_params(params)
    _, _, _, diag = _torch_run(model, X, state)
    torch.testing.assert_close(diag.F, 1.0 - diag.I, rtol=0, atol=0)
    assert diag.gates_computed == "io" and model.blocks == "ioc"
    C_prev = torch.cat([torch.from_numpy(state[1])[None], diag.C[:-1]])
    torch.testing.assert_close(diag.C, (1 - diag.I) * C_prev + diag.I * diag.C_tilde, rtol=0, atol=1e-14)


def test_cifg_forget_bias_opens_the_coupled_forget_gate():
    model = VariantLSTM(2, 8, 1, variant="CIFG", forget_bias=3.0, seed=0, dtype=torch.float64)
    b_i = model.b[0, 0, :8].detach()
    assert torch.all(b_i < -3.0 + 1 / np.sqrt(8) + 1e-12)      # F = 1 - σ(b_i) starts near σ(3)


@pytest.mark.parametrize("variant,kwarg", [("NCAF", "candidate_activation"), ("NOAF", "cell_activation")])
def test_no_activation_variants_use_identity(variant, kwarg):
    params, X, state = _data(4)
    model = VariantLSTM(D, H, 1, variant=variant, dtype=torch.float64).load_lstm_params(params)
    assert getattr(model, kwarg) == "identity"
    out, _, C_T, _ = _torch_run(model, X, state)
    ref, (_, C_ref), _ = lstm_forward(X, state, params, **{kwarg: "identity"})
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(C_T, C_ref, rtol=0, atol=1e-12)
    # and it really differs from the tanh version on these inputs
    vanilla, _, _ = lstm_forward(X, state, params)
    assert np.max(np.abs(out - vanilla)) > 1e-3


def test_forward_shapes_head_and_diagnostics():
    X = torch.randn(T, N, D)
    last = VariantLSTM(D, H, 2, seed=0)
    seq = VariantLSTM(D, H, 2, seed=0, return_sequence=True)
    y_last = last(X)
    y_seq, diag = seq(X, return_diagnostics=True)
    assert y_last.shape == (N, 2) and y_seq.shape == (T, N, 2)
    torch.testing.assert_close(y_seq[-1], y_last)                  # same seed, same weights
    assert isinstance(diag, CellDiagnostics)
    assert diag.I.shape == diag.F.shape == diag.O.shape == diag.C.shape == (T, N, H)
    assert diag.max_abs_C == pytest.approx(float(diag.C.abs().max()))
    stats = gate_statistics(diag)
    assert stats["frac_in_unit"] == 1.0 and 0.0 <= stats["frac_saturated"] <= 1.0


def test_seed_makes_init_reproducible_and_forget_bias_is_added():
    a = VariantLSTM(D, H, 1, seed=7, forget_bias=0.0)
    b = VariantLSTM(D, H, 1, seed=7, forget_bias=2.0)
    torch.testing.assert_close(a.W_x, b.W_x)
    torch.testing.assert_close(b.b[0, 0, H:2 * H] - a.b[0, 0, H:2 * H], torch.full((H,), 2.0))
    torch.testing.assert_close(b.b[0, 0, :H], a.b[0, 0, :H])


def test_gradients_flow_for_every_variant():
    X = torch.randn(T, N, D)
    for variant in VARIANTS:
        model = VariantLSTM(D, H, 1, variant=variant, seed=0)
        model(X).pow(2).mean().backward()
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    assert VariantLSTM(D, H, 1).num_parameters() == 4 * H * (D + H + 1) + H + 1


def test_relu_gates_leave_the_unit_interval_hard_sigmoid_does_not():
    X = torch.randn(T, N, D) * 3
    for gate, inside in (("relu", False), ("hard_sigmoid", True), ("sigmoid", True)):
        _, diag = VariantLSTM(D, H, 1, gate_activation=gate, seed=1)(X, return_diagnostics=True)
        assert (gate_statistics(diag)["frac_in_unit"] == 1.0) is inside


@pytest.mark.parametrize("kwargs,argument", [
    ({"gate_activation": "softsign"}, "gate_activation"),
    ({"candidate_activation": "Tanh"}, "candidate_activation"),
    ({"cell_activation": None}, "cell_activation"),
    ({"variant": "NP"}, "variant"),
    ({"variant": "NCAF", "candidate_activation": "relu"}, "candidate_activation"),
    ({"variant": "NOAF", "cell_activation": "relu"}, "cell_activation"),
    ({"forget_bias": float("nan")}, "forget_bias"),
    ({"return_sequence": 1}, "return_sequence"),
    ({"dtype": torch.int64}, "dtype"),
    ({"num_models": 0}, "num_models"),
    ({"seed": 1.5}, "seed"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        VariantLSTM(D, H, 1, **kwargs)


@pytest.mark.parametrize("args,argument", [((0, H, 1), "input_size"), ((D, -1, 1), "hidden_size"),
                                           ((D, H, 1.5), "output_size")])
def test_bad_sizes_raise(args, argument):
    with pytest.raises(ValueError, match=argument):
        VariantLSTM(*args)


def test_bad_inputs_raise():
    model = VariantLSTM(D, H, 1)
    with pytest.raises(ValueError, match="X must have shape"):
        model(torch.zeros(T, N, D + 1))
    with pytest.raises(ValueError, match="X must have shape"):
        model(torch.zeros(N, D))
    with pytest.raises(TypeError, match="X must be a floating-point"):
        model(torch.zeros(T, N, D, dtype=torch.int64))
    with pytest.raises(ValueError, match="state"):
        model(torch.zeros(T, N, D), (torch.zeros(N, H + 1), torch.zeros(N, H)))
    with pytest.raises(ValueError, match=r"params must have \(d, h\)"):
        model.load_lstm_params(init_lstm_params(D + 1, H, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="low and high"):
        gate_statistics(model(torch.zeros(T, N, D), return_diagnostics=True)[1], low=0.9, high=0.1)


# ---------------------------------------------------------------- ensembles
@pytest.mark.parametrize("variant", VARIANTS)
def test_ensemble_member_equals_single_model(variant):
    X = torch.randn(T, N, D, dtype=torch.float64)
    ens = VariantLSTM(D, H, 2, variant=variant, num_models=3, seed=10, return_sequence=True,
                      dtype=torch.float64)
    y_ens, diags = ens(X, return_diagnostics=True)
    assert y_ens.shape == (3, T, N, 2) and len(diags) == 3
    for e in range(3):
        single = VariantLSTM(D, H, 2, variant=variant, seed=10 + e, return_sequence=True, dtype=torch.float64)
        y, diag = single(X, return_diagnostics=True)
        torch.testing.assert_close(y_ens[e], y, rtol=0, atol=1e-13)
        torch.testing.assert_close(diags[e].C, diag.C, rtol=0, atol=1e-13)
        assert diags[e].max_abs_C == pytest.approx(diag.max_abs_C, abs=1e-13)
    assert ens.num_parameters() == single.num_parameters()


def test_ensemble_accepts_one_batch_per_member():
    ens = VariantLSTM(D, H, 1, num_models=2, seed=0, dtype=torch.float64)
    X = torch.randn(2, T, N, D, dtype=torch.float64)
    y = ens(X)
    for e in range(2):
        single = VariantLSTM(D, H, 1, seed=e, dtype=torch.float64)
        torch.testing.assert_close(y[e], single(X[e]), rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="X must have shape"):
        ens(torch.randn(3, T, N, D, dtype=torch.float64))


def _adding_batch(step, rng):
    from lstm_utils.tasks import make_adding_problem
    return make_adding_problem(8, 6, rng, dtype=np.float64)


def test_train_ensemble_trains_each_member_like_training_train():
    """Members do not interact: each follows the same trajectory as training.train on it alone."""
    ens = VariantLSTM(2, 6, 1, num_models=3, seed=20, dtype=torch.float64)
    hist = train_ensemble(ens, _adding_batch, steps=15, lr=1e-2, clip=0.05, seed=3)
    assert hist.first_nonfinite_step == (None, None, None) and hist.losses.shape == (3, 15)
    for e in range(3):
        single = VariantLSTM(2, 6, 1, seed=20 + e, dtype=torch.float64)
        ref = train(single, _adding_batch, steps=15, lr=1e-2, clip=0.05, seed=3)
        np.testing.assert_allclose(hist.losses[e], ref.losses, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(ens.W_h[e], single.W_h[0], rtol=0, atol=1e-10)


def test_train_ensemble_freezes_a_diverging_member_and_spares_the_others():
    ens = VariantLSTM(2, 6, 1, num_models=2, seed=0, candidate_activation="relu", cell_activation="identity",
                      gate_activation="relu", dtype=torch.float64)
    with torch.no_grad():
        ens.W_h[1].mul_(1e40)
        ens.b[1].add_(1e3)
    before = ens.W_h[1].clone()
    hist = train_ensemble(ens, _adding_batch, steps=6, lr=1e-2, seed=1)
    assert hist.first_nonfinite_step[0] is None and hist.first_nonfinite_step[1] == 0
    assert np.all(np.isnan(hist.losses[1])) and np.all(np.isfinite(hist.losses[0]))
    torch.testing.assert_close(ens.W_h[1], before, rtol=0, atol=0)          # frozen: no update applied
    single = VariantLSTM(2, 6, 1, seed=0, candidate_activation="relu", cell_activation="identity",
                         gate_activation="relu", dtype=torch.float64)
    ref = train(single, _adding_batch, steps=6, lr=1e-2, seed=1)
    np.testing.assert_allclose(hist.losses[0], ref.losses, rtol=1e-9, atol=1e-12)


def test_train_ensemble_bad_arguments():
    ens = VariantLSTM(2, 4, 1, num_models=2)
    with pytest.raises(ValueError, match="steps"):
        train_ensemble(ens, _adding_batch, steps=0)
    with pytest.raises(ValueError, match="lr"):
        train_ensemble(ens, _adding_batch, steps=1, lr=-1.0)
    with pytest.raises(ValueError, match="clip"):
        train_ensemble(ens, _adding_batch, steps=1, clip=0)
    with pytest.raises(TypeError, match="model"):
        train_ensemble(torch.nn.Linear(2, 1), _adding_batch, steps=1)
