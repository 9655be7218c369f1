"""Adam, written out: bit-for-bit the updates of `torch.optim.Adam` on the CPU, without its overhead.

`torch.optim` imports torch._dynamo (and sympy) the first time an optimizer is built in a process —
seconds on a laptop, a large share of a one-minute notebook — and does per-step bookkeeping that
small models notice. These two classes perform the same tensor operations in the same order, so
training gives identical numbers (tests/test_optim.py compares them with torch.optim.Adam):

- `Adam`: torch.optim.Adam(params, lr) with its default single-tensor CPU path;
- `ForeachAdam`: torch.optim.Adam(params, lr, foreach=True), one fused call per operation.

Defaults as PyTorch's: betas (0.9, 0.999), eps 1e-8, no weight decay, no amsgrad.
"""
from __future__ import annotations

import torch

__all__ = ["Adam", "ForeachAdam"]


class Adam:
    """Adam with PyTorch's defaults (betas 0.9/0.999, eps 1e-8, no weight decay), computed exactly as
    `torch.optim.Adam`'s single-tensor CPU path does it — the same tensor operations in the same order,
    so the updates are bit-for-bit identical — but without torch.optim's one-off import of
    torch._dynamo (seconds, on the first optimizer of a process) and its per-step bookkeeping."""

    def __init__(self, params: list[torch.Tensor], lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = params
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.state: dict[int, list] = {}                      # index -> [step, exp_avg, exp_avg_sq]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        beta1, beta2, lr, eps = self.beta1, self.beta2, self.lr, self.eps
        for index, param in enumerate(self.params):
            grad = param.grad
            if grad is None:
                continue
            state = self.state.get(index)
            if state is None:
                state = self.state[index] = [0.0, torch.zeros_like(param, memory_format=torch.preserve_format),
                                             torch.zeros_like(param, memory_format=torch.preserve_format)]
            state[0] += 1.0
            step, exp_avg, exp_avg_sq = state
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2 ** 0.5
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            param.addcdiv_(exp_avg, denom, value=-step_size)


class ForeachAdam:
    """Adam with PyTorch's defaults (betas 0.9/0.999, eps 1e-8, no weight decay), computed exactly as
    `torch.optim.Adam(params, lr, foreach=True)` does it on the CPU — the same `_foreach` operations in the
    same order, so the updates are bit-for-bit identical — without torch.optim's one-off import of
    torch._dynamo (about 2 s on the first optimizer of a process) and its per-step bookkeeping."""

    def __init__(self, params: list[torch.Tensor], lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = params
        self.lr = float(lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.step_count = 0.0
        self.exp_avgs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]
        self.exp_avg_sqs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]

    @torch.no_grad()
    def step(self) -> None:
        params, grads = self.params, [p.grad for p in self.params]
        beta1, beta2 = self.beta1, self.beta2
        self.step_count += 1.0
        torch._foreach_lerp_(self.exp_avgs, grads, 1 - beta1)
        torch._foreach_mul_(self.exp_avg_sqs, beta2)
        torch._foreach_addcmul_(self.exp_avg_sqs, grads, grads, 1 - beta2)
        bias_correction1 = 1 - beta1 ** self.step_count
        bias_correction2 = 1 - beta2 ** self.step_count
        step_size = (self.lr / bias_correction1) * -1
        exp_avg_sq_sqrt = torch._foreach_sqrt(self.exp_avg_sqs)
        torch._foreach_div_(exp_avg_sq_sqrt, [bias_correction2 ** 0.5] * len(params))
        torch._foreach_add_(exp_avg_sq_sqrt, self.eps)
        torch._foreach_addcdiv_(params, self.exp_avgs, exp_avg_sq_sqrt, [step_size] * len(params))
