"""Time the NumPy LSTM (lstm_utils.lstm) against torch.nn.LSTM on the CPU.

Same process, same dtype (float32), same number of threads for both libraries. For each size
it times

* forward:            NumPy `lstm_forward`            vs  `nn.LSTM(X)` under torch.no_grad()
* forward + backward: `lstm_forward` + `lstm_backward` vs  `nn.LSTM(X)` then `.backward(dY)`
                      (both produce dX, every weight gradient and the gradient of the initial state)

and prints the median time of --repeat runs (after warm-up; NumPy and PyTorch runs alternate, so a
change in the machine's load hits both), the NumPy / PyTorch ratio, and the
achieved GFLOP/s, counting only the matrix products:

    forward  ≈ 2 · T · n · 4h · (d + h) FLOPs        backward ≈ 2 × forward

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_lstm.py                 # 1 thread, default sizes
    .venv/bin/python benchmarks/bench_lstm.py --repeat 21     # more runs per median
    .venv/bin/python benchmarks/bench_lstm.py --stat min      # best case instead of the median
    .venv/bin/python benchmarks/bench_lstm.py --threads 2
    .venv/bin/python benchmarks/bench_lstm.py --quick         # tiny sizes, a smoke test
    .venv/bin/python benchmarks/bench_lstm.py --sizes 100,64,64,256 200,32,32,128

The thread count must be fixed before NumPy loads its BLAS, so this script reads --threads and
sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS before importing numpy.
"""
from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for NumPy's BLAS and for torch (default 1)")
    parser.add_argument("--repeat", type=int, default=11,
                        help="timed runs per measurement (default 11); the median is shown")
    parser.add_argument("--stat", choices=("median", "min"), default="median",
                        help="summary of the timed runs (default median; min = best case on a busy machine)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs before timing (default 2)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and 3 repeats: a smoke test")
    parser.add_argument("--sizes", nargs="+", metavar="T,n,d,h", default=None,
                        help="sizes to time, each T,n,d,h (default: a few including 100,64,64,256)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be a positive integer")
    if args.repeat < 1:
        parser.error("--repeat must be a positive integer")
    if args.warmup < 0:
        parser.error("--warmup must be zero or more")
    return args


DEFAULT_SIZES = [(50, 32, 32, 128), (100, 64, 64, 256), (100, 64, 256, 512)]
QUICK_SIZES = [(5, 4, 3, 8), (10, 8, 8, 16)]


def parse_size(text: str) -> tuple[int, int, int, int]:
    try:
        T, n, d, h = (int(part) for part in text.split(","))
    except ValueError:
        raise SystemExit(f"--sizes: expected T,n,d,h (four integers), got {text!r}") from None
    if min(T, n, d, h) < 1:
        raise SystemExit(f"--sizes: every number must be positive, got {text!r}")
    return T, n, d, h


def forward_flops(T: int, n: int, d: int, h: int) -> float:
    """Matrix-product FLOPs of one forward pass: 2·T·n·4h·(d + h)."""
    return 2.0 * T * n * 4 * h * (d + h)


def make_runners(T: int, n: int, d: int, h: int, threads: int) -> dict:
    """The four timed functions for one size, float32: NumPy/PyTorch forward and forward + backward."""
    import numpy as np
    import torch

    from lstm_utils.lstm import lstm_backward, lstm_forward
    from lstm_utils.torch_bridge import lstm_params_from_torch

    torch.manual_seed(0)
    module = torch.nn.LSTM(d, h)                                # float32, (T, n, d) layout
    params = lstm_params_from_torch(module)                     # the same weights for NumPy
    rng = np.random.default_rng(0)
    X = rng.standard_normal((T, n, d)).astype(np.float32)
    dY = rng.standard_normal((T, n, h)).astype(np.float32)
    X_torch, dY_torch = torch.from_numpy(X.copy()), torch.from_numpy(dY.copy())

    def numpy_forward():
        lstm_forward(X, None, params)

    def numpy_forward_backward():
        _, _, cache = lstm_forward(X, None, params)
        lstm_backward(dY, cache)                                # dX, all weight grads, (dH_0, dC_0)

    def torch_forward():
        with torch.no_grad():
            module(X_torch)

    def torch_forward_backward():
        for p in module.parameters():
            p.grad = None
        x = X_torch.clone().requires_grad_(True)                # dX, like NumPy
        h0 = torch.zeros(1, n, h, requires_grad=True)           # dH_0 and dC_0, like NumPy
        c0 = torch.zeros(1, n, h, requires_grad=True)
        out, _ = module(x, (h0, c0))
        out.backward(dY_torch)

    return {"forward": (numpy_forward, torch_forward),
            "fwd+bwd": (numpy_forward_backward, torch_forward_backward)}


def interleaved_times(fn_a, fn_b, repeat: int, warmup: int, stat: str = "median") -> tuple[float, float]:
    """Median (or minimum) wall times (s) of fn_a and fn_b, run alternately so that load changes hit both."""
    import time

    import numpy as np

    for _ in range(warmup):
        fn_a()
        fn_b()
    times_a, times_b = [], []
    for _ in range(repeat):
        for fn, times in ((fn_a, times_a), (fn_b, times_b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    summary = np.median if stat == "median" else np.min
    return float(summary(times_a)), float(summary(times_b))


def main(argv=None) -> list[dict]:
    args = parse_args(argv)
    threads = str(args.threads)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                "NUMEXPR_NUM_THREADS"):
        os.environ[var] = threads
    if "numpy" in sys.modules:   # imported already (e.g. by a test): the variables may come too late
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=args.threads)

    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    if args.sizes:
        sizes = [parse_size(s) for s in args.sizes]
    repeat = 3 if args.quick and args.repeat == 11 else args.repeat
    warmup = min(args.warmup, 1) if args.quick else args.warmup

    print(f"NumPy {np.__version__} vs PyTorch {torch.__version__}, float32, {args.threads} thread(s), "
          f"{args.stat} of {repeat} interleaved runs")
    header = (f"{'T':>4} {'n':>4} {'d':>4} {'h':>4} | {'pass':<8} | {'NumPy ms':>9} {'torch ms':>9} "
              f"{'ratio':>6} | {'NumPy GF/s':>10} {'torch GF/s':>10}")
    print(header)
    print("-" * len(header))
    results = []
    for T, n, d, h in sizes:
        flops = forward_flops(T, n, d, h)
        runners = make_runners(T, n, d, h, args.threads)
        for name, factor in (("forward", 1.0), ("fwd+bwd", 3.0)):   # backward ≈ 2 × forward FLOPs
            t_np, t_torch = interleaved_times(*runners[name], repeat=repeat, warmup=warmup, stat=args.stat)
            row = dict(T=T, n=n, d=d, h=h, pass_name=name, numpy_s=t_np, torch_s=t_torch, ratio=t_np / t_torch,
                       numpy_gflops=factor * flops / t_np / 1e9, torch_gflops=factor * flops / t_torch / 1e9)
            results.append(row)
            print(f"{T:>4} {n:>4} {d:>4} {h:>4} | {name:<8} | {1e3 * t_np:>9.2f} {1e3 * t_torch:>9.2f} "
                  f"{row['ratio']:>6.2f} | {row['numpy_gflops']:>10.2f} {row['torch_gflops']:>10.2f}")
    print("ratio = NumPy time / PyTorch time (below 1: NumPy is faster); GF/s counts matrix-product FLOPs only")
    return results


if __name__ == "__main__":
    main()
