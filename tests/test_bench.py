"""Smoke test of benchmarks/bench_lstm.py: it runs at a tiny size and reports sane numbers."""
import importlib.util
import math
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_lstm.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_lstm", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_reports_every_size_and_pass(capsys):
    bench = load_bench()
    results = bench.main(["--quick", "--repeat", "1", "--warmup", "0", "--sizes", "3,2,3,4"])
    assert [(r["T"], r["n"], r["d"], r["h"], r["pass_name"]) for r in results] == [
        (3, 2, 3, 4, "forward"), (3, 2, 3, 4, "fwd+bwd")]
    for r in results:
        for key in ("numpy_s", "torch_s", "ratio", "numpy_gflops", "torch_gflops"):
            assert math.isfinite(r[key]) and r[key] > 0
    out = capsys.readouterr().out
    assert "ratio = NumPy time / PyTorch time" in out


def test_flop_count():
    bench = load_bench()
    assert bench.forward_flops(100, 64, 64, 256) == 2 * 100 * 64 * 4 * 256 * (64 + 256)


@pytest.mark.parametrize("argv", [["--threads", "0"], ["--repeat", "0"], ["--sizes", "1,2,3"]])
def test_bad_arguments_are_refused(argv):
    bench = load_bench()
    with pytest.raises(SystemExit):
        bench.main(argv)
