"""lstm_utils.optim replaces torch.optim.Adam only for speed: every update must be identical, bit for bit."""
import pytest
import torch

from lstm_utils.optim import Adam, ForeachAdam

SHAPES = [(5, 3), (3,), (4, 4, 2)]


def run_both(ours_cls, torch_kwargs, dtype, steps=25, lr=0.05):
    gen = torch.Generator().manual_seed(0)
    ours = [torch.randn(s, generator=gen, dtype=dtype, requires_grad=True) for s in SHAPES]
    theirs = [p.detach().clone().requires_grad_(True) for p in ours]
    opt_ours, opt_theirs = ours_cls(ours, lr=lr), torch.optim.Adam(theirs, lr=lr, **torch_kwargs)
    for _ in range(steps):
        grads = [torch.randn(s, generator=gen, dtype=dtype) * 10.0 for s in SHAPES]
        for params, opt in ((ours, opt_ours), (theirs, opt_theirs)):
            for p, g in zip(params, grads, strict=True):
                p.grad = g.clone()
            opt.step()
        for a, b in zip(ours, theirs, strict=True):
            assert torch.equal(a, b)
    return ours, theirs


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_adam_equals_torch_adam(dtype):
    run_both(Adam, {"foreach": False}, dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_foreach_adam_equals_torch_foreach_adam(dtype):
    run_both(ForeachAdam, {"foreach": True}, dtype)


def test_the_comparison_can_fail():
    """A different learning rate must be caught: the equality test is not vacuous."""
    with pytest.raises(AssertionError):
        gen = torch.Generator().manual_seed(0)
        p = torch.randn(3, generator=gen, requires_grad=True)
        q = p.detach().clone().requires_grad_(True)
        a, b = Adam([p], lr=0.05), torch.optim.Adam([q], lr=0.0501)
        p.grad, q.grad = torch.ones(3), torch.ones(3)
        a.step()
        b.step()
        assert torch.equal(p, q)


def test_zero_grad_clears_gradients():
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.ones(2)
    opt = Adam([p], lr=0.1)
    opt.zero_grad()
    assert p.grad is None
