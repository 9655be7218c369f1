"""The workshop kit: the stub transform, the `build` command, and every exercise check on both sides.

What this file proves, and how it stays fast (no kernels, no full notebook runs):

1. The transform (unit tests on small sources): each solution block, markers included, becomes one
   `raise NotImplementedError("exercise: <function>")` at the block's indentation; the rest of the
   cell is untouched; malformed markers are a clear ValueError; outputs and execution counts are
   cleared; notebooks without exercises are copied with outputs cleared.
2. For every notebook in notebooks/ (discovered when the tests are collected): the student copy
   written by `python -m lstm_utils.workshop build` has no outputs, no markers, one stub per block,
   identical non-exercise cells, and every stubbed cell still compiles.
3. For every solution block in every notebook: the exercise cell's check raises ExerciseError when
   that block is stubbed, and passes (prints a ✓ verdict, raises nothing) with the solution. Each
   notebook runs in one fresh in-process namespace: first the notebook's setup cell (imports and
   `setup_notebook()`), then, in order, each exercise cell — stubbed block by block, then as
   written. Checks test on their own fresh inputs, so this is all they need. If an exercise cell
   needs a name defined by an earlier cell (a NameError), the notebook's preceding code cells are
   executed first, in order, exactly as in the notebook (correct, only slower).

4. The typical wrong answers listed under "Common mistakes" in docs/facilitator_guide.md (a gate
   with another gate's weights, tanh left out, PyTorch's block order, one gradient path only, ...)
   each make their check raise ExerciseError.

That the checks also pass inside the full, executed notebook is proved separately by nbval, which
re-runs every notebook and compares the stored "✓ ...: correct" lines.
"""
from __future__ import annotations

import contextlib
import io
import sys

import matplotlib
import nbformat
import numpy as np
import pytest

from lstm_utils.exercises import ExerciseError
from lstm_utils.workshop import (
    BEGIN_MARKER,
    END_MARKER,
    NOTEBOOKS_DIR,
    build_student_kit,
    find_solution_blocks,
    has_solution,
    main,
    notebook_paths,
    stub_source,
    student_notebook,
)

matplotlib.use("Agg")

NOTEBOOKS = notebook_paths(NOTEBOOKS_DIR) if NOTEBOOKS_DIR.is_dir() else []


# ---------------------------------------------------------------- 1. the transform itself

SOURCE = f"""import numpy as np

def forget_gate(X_t, H_prev, params):
    n = X_t.shape[0]
    {BEGIN_MARKER}
    Z = X_t @ params.W_xf
    return Z
    {END_MARKER}

class Counter:
    def step(self):
        for _ in range(3):
            {BEGIN_MARKER}
            self.k += 1
            {END_MARKER}

check(forget_gate)"""


def test_stub_replaces_each_block_at_its_indentation():
    out = stub_source(SOURCE)
    assert BEGIN_MARKER not in out and END_MARKER not in out
    lines = out.split("\n")
    assert '    raise NotImplementedError("exercise: forget_gate")' in lines
    assert '            raise NotImplementedError("exercise: step")' in lines
    assert "    n = X_t.shape[0]" in lines  # code outside the block is kept
    assert "    Z = X_t @ params.W_xf" not in lines and "self.k += 1" not in out
    assert lines[-1] == "check(forget_gate)"
    compile(out, "<stub>", "exec")


def test_stub_only_one_block():
    out = stub_source(SOURCE, only=1)
    assert "Z = X_t @ params.W_xf" in out and "self.k += 1" not in out
    assert out.count(BEGIN_MARKER) == 1
    with pytest.raises(ValueError, match="only must index one of the 2"):
        stub_source(SOURCE, only=2)


def test_top_level_block_and_blocks_found():
    src = f"x = 1\n{BEGIN_MARKER}\ny = 2\n{END_MARKER}\n"
    assert stub_source(src) == 'x = 1\nraise NotImplementedError("exercise: solution")\n'
    blocks = find_solution_blocks(SOURCE)
    assert [(b.name, b.indent) for b in blocks] == [("forget_gate", " " * 4), ("step", " " * 12)]
    assert has_solution(SOURCE) and not has_solution("x = 1  # no exercise")


@pytest.mark.parametrize("bad, message", [
    (f"{BEGIN_MARKER}\nx = 1\n", "never closed"),
    (f"x = 1\n{END_MARKER}\n", "without a"),
    (f"{BEGIN_MARKER}\n{BEGIN_MARKER}\n{END_MARKER}\n", "inside the one"),
    (f"def f():\n    {BEGIN_MARKER}\n    x = 1\n{END_MARKER}\n", "same indentation"),
    (f"x = 1  {BEGIN_MARKER}\n", "marker alone"),
])
def test_malformed_markers_raise_clear_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        find_solution_blocks(bad, where="nb.ipynb, code cell 3")
    with pytest.raises(ValueError, match="nb.ipynb, code cell 3"):
        find_solution_blocks(bad, where="nb.ipynb, code cell 3")


def _toy_notebook(with_exercise: bool):
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    exercise = (f"def double(x):\n    {BEGIN_MARKER}\n    return 2 * x\n    {END_MARKER}\n\nprint(double(2))"
                if with_exercise else "print(4)")
    nb = new_notebook(cells=[new_markdown_cell("# 99 · Toy"),
                             new_code_cell("print(1)", execution_count=1,
                                           outputs=[new_output("stream", name="stdout", text="1\n")]),
                             new_code_cell(exercise, execution_count=2,
                                           outputs=[new_output("stream", name="stdout", text="4\n")])])
    nb.cells[1].metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    return nb


def test_student_notebook_clears_outputs_and_counts():
    nb = _toy_notebook(with_exercise=True)
    student, count = student_notebook(nb, name="toy.ipynb")
    assert count == 1
    assert nb.cells[2].outputs and BEGIN_MARKER in nb.cells[2].source  # the original is untouched
    for cell in student.cells[1:]:
        assert cell.outputs == [] and cell.execution_count is None and "execution" not in cell.metadata
    assert 'raise NotImplementedError("exercise: double")' in student.cells[2].source
    assert student.cells[0].source == "# 99 · Toy"


def test_build_command_writes_every_notebook(tmp_path, capsys):
    src = tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(_toy_notebook(with_exercise=True), src / "98_with.ipynb")
    nbformat.write(_toy_notebook(with_exercise=False), src / "99_without.ipynb")
    out = tmp_path / "kit"
    assert main(["build", str(out), "--notebooks", str(src)]) == 0
    assert "wrote 2 student notebooks with 1 exercise stubs" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["98_with.ipynb", "99_without.ipynb", "README.md"]
    without = nbformat.read(out / "99_without.ipynb", as_version=4)
    assert [c.source for c in without.cells] == ["# 99 · Toy", "print(1)", "print(4)"]
    assert all(c.outputs == [] for c in without.cells if c.cell_type == "code")
    with pytest.raises(FileNotFoundError, match="notebooks_dir"):
        build_student_kit(out, tmp_path / "missing")


def test_stats_command(tmp_path, capsys):
    src = tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(_toy_notebook(with_exercise=True), src / "98_with.ipynb")
    assert main(["stats", "--notebooks", str(src)]) == 0
    # 4 Markdown "words" ("#", "99", "·", "Toy") and 2 code cells: 4/130 + 2 x 0.5 min, rounded up to 5
    assert "| 98_with.ipynb | 4 | 2 | 1 | 5 |" in capsys.readouterr().out


def test_site_command_renders_html(tmp_path, capsys):
    src = tmp_path / "notebooks"
    src.mkdir()
    nb = _toy_notebook(with_exercise=False)
    nb.cells[0].source = "# 99 · Toy\n\nThe cell $C_t = F_t \\odot C_{t-1}$."
    nbformat.write(nb, src / "99_toy.ipynb")
    out = tmp_path / "site"
    assert main(["site", str(out), "--notebooks", str(src), "--mathjax-url", "mathjax/tex-chtml.js"]) == 0
    assert "wrote 1 pages and index.html" in capsys.readouterr().out
    page = (out / "99_toy.html").read_text(encoding="utf-8")
    assert "99 · Toy" in page and "C_t = F_t" in page and 'src="mathjax/tex-chtml.js"' in page
    assert '<a href="99_toy.html">99 · Toy</a>' in (out / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- 2. the real notebooks: student copies

@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    out = tmp_path_factory.mktemp("workshop_kit")
    summary = build_student_kit(out, NOTEBOOKS_DIR)
    return out, summary


def _python_only(source: str) -> str:
    """Drop IPython line magics (e.g. `%matplotlib inline`) so the code runs as plain Python."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/ yet")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_copy_of_each_notebook(path, kit):
    out, summary = kit
    original = nbformat.read(path, as_version=4)
    student = nbformat.read(out / path.name, as_version=4)
    assert len(student.cells) == len(original.cells)
    n_blocks = 0
    for index, (orig, stud) in enumerate(zip(original.cells, student.cells, strict=True)):
        assert stud.cell_type == orig.cell_type
        if orig.cell_type != "code":
            assert stud.source == orig.source
            continue
        assert stud.outputs == [] and stud.execution_count is None, f"code cell {index} keeps outputs"
        blocks = find_solution_blocks(orig.source, where=f"{path.name}, code cell {index}")
        n_blocks += len(blocks)
        if not blocks:
            assert stud.source == orig.source
            continue
        assert BEGIN_MARKER not in stud.source and END_MARKER not in stud.source
        assert stud.source.count('raise NotImplementedError("exercise: ') == len(blocks)
        compile(_python_only(stud.source), f"{path.name}[{index}]", "exec")
    assert summary[path.name] == n_blocks


# ---------------- 3. every check: fails on stub, passes on solution

class _Runner:
    """Executes a notebook's code cells in one fresh namespace, as plain Python, capturing stdout."""

    def __init__(self, path):
        self.path = path
        self.cells = [(i, c.source) for i, c in enumerate(nbformat.read(path, as_version=4).cells)
                      if c.cell_type == "code"]
        self.namespace = {"__name__": "__main__", "display": print}
        self.ran: set[int] = set()

    def run(self, index: int, source: str) -> str:
        buffer = io.StringIO()
        code = compile(_python_only(source), f"{self.path.name}[cell {index}]", "exec")
        with contextlib.redirect_stdout(buffer):
            exec(code, self.namespace)  # noqa: S102 - the notebook's own code
        self.ran.add(index)
        return buffer.getvalue()

    def run_preceding(self, index: int) -> None:
        for i, source in self.cells:
            if i < index and i not in self.ran:
                self.run(i, source)


def _exercise_outcome(runner: _Runner, index: int, source: str):
    """Run `source` as cell `index`; return (exception or None, stdout)."""
    try:
        return None, runner.run(index, source)
    except Exception as exc:  # noqa: BLE001 - reported by the caller
        return exc, ""


def _with_context(runner: _Runner, index: int, source: str):
    exc, out = _exercise_outcome(runner, index, source)
    if isinstance(exc, NameError):  # needs an earlier cell's result: run what precedes, then retry
        runner.run_preceding(index)
        exc, out = _exercise_outcome(runner, index, source)
    return exc, out


EXERCISE_NOTEBOOKS = [p for p in NOTEBOOKS
                      if any(c.cell_type == "code" and has_solution(c.source)
                             for c in nbformat.read(p, as_version=4).cells)]


@pytest.mark.skipif(not EXERCISE_NOTEBOOKS, reason="no notebook with exercises in notebooks/ yet")
@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=[p.name for p in EXERCISE_NOTEBOOKS])
def test_every_check_fails_on_stub_and_passes_on_solution(path):
    runner = _Runner(path)
    first_index, first_source = runner.cells[0]
    assert not has_solution(first_source), "the first code cell is the setup cell, not an exercise"
    runner.run(first_index, first_source)
    checked = 0
    try:
        for index, source in runner.cells:
            if not has_solution(source):
                continue
            where = f"{path.name}, code cell {index}"
            for block in range(len(find_solution_blocks(source, where=where))):
                stub = stub_source(source, only=block, where=where)
                exc, _ = _with_context(runner, index, stub)
                assert isinstance(exc, ExerciseError), (
                    f"{where}: with solution block {block} stubbed, the cell should raise ExerciseError "
                    f"from its check (call the answer through exercises.call_answer, and call the check "
                    f"in the same cell), got {exc!r}")
                assert "not implemented" in str(exc), f"{where}: unclear message for a stub: {exc}"
                checked += 1
            exc, out = _with_context(runner, index, source)
            assert exc is None, f"{where}: the solution fails its own check: {exc!r}"
            assert "✓" in out, f"{where}: the check printed no ✓ verdict: {out!r}"
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
        sys.stdout.flush()
    assert checked >= 2, f"{path.name}: a notebook with exercises should have at least two (found {checked})"


# ---------------- 4. the common mistakes listed in docs/facilitator_guide.md are caught by the checks

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


COMMON_MISTAKES = {
    "nb02.check_forget_gate: the input gate's weights": (
        "nb02", "check_forget_gate",
        lambda X_t, H_prev, p: _sigmoid(X_t @ p.W_xi + H_prev @ p.W_hi + p.b_i)),
    "nb02.check_forget_gate: no bias": (
        "nb02", "check_forget_gate", lambda X_t, H_prev, p: _sigmoid(X_t @ p.W_xf + H_prev @ p.W_hf)),
    "nb03.check_candidate_memory: sigmoid instead of tanh": (
        "nb03", "check_candidate_memory",
        lambda X_t, H_prev, p: _sigmoid(X_t @ p.W_xc + H_prev @ p.W_hc + p.b_c)),
    "nb04.check_memory_cell: forget gate left out": (
        "nb04", "check_memory_cell", lambda F_t, C_prev, I_t, C_tilde: C_prev + I_t * C_tilde),
    "nb04.check_forget_value_for_half_life: 0.5**T instead of 0.5**(1/T)": (
        "nb04", "check_forget_value_for_half_life", lambda T: 0.5 ** T),
    "nb05.check_hidden_state: tanh of the cell left out": (
        "nb05", "check_hidden_state", lambda O_t, C_t: O_t * C_t),
    "nb06.check_stack_gate_weights: PyTorch's block order i, f, g, o": (
        "nb06", "check_stack_gate_weights",
        lambda p: (np.concatenate([p.W_xi, p.W_xf, p.W_xc, p.W_xo], axis=1),
                   np.concatenate([p.W_hi, p.W_hf, p.W_hc, p.W_ho], axis=1),
                   np.concatenate([p.b_i, p.b_f, p.b_c, p.b_o]))),
    "nb07.check_cell_gradient: only the cell path": (
        "nb07", "check_cell_gradient", lambda dH_t, dC_next, F_next, O_t, C_t: dC_next * F_next),
    "nb08.check_params_to_torch_layout: our order i, f, o, c": (
        "nb08", "check_params_to_torch_layout",
        lambda p: (np.concatenate([p.W_xi, p.W_xf, p.W_xo, p.W_xc], axis=1).T,
                   np.concatenate([p.W_hi, p.W_hf, p.W_ho, p.W_hc], axis=1).T,
                   np.concatenate([p.b_i, p.b_f, p.b_o, p.b_c]))),
    "nb10.check_torch_gru_numel: one bias per gate, as in the textbook": (
        "nb10", "check_torch_gru_numel", lambda d, h: 3 * h * (d + h + 1)),
    "nb12.check_second_to_last_accuracy: reading the step after the inner E": (
        "nb12", "check_second_to_last_accuracy",
        lambda logits, strings: float(np.mean([
            "BTSXPVE"[int(np.argmax(logits[len(s) - 2, j]))] == s[1] for j, s in enumerate(strings)]))),
}


@pytest.mark.parametrize("mistake", list(COMMON_MISTAKES))
def test_checks_catch_common_mistakes(mistake, capsys):
    import importlib

    module_name, check_name, wrong = COMMON_MISTAKES[mistake]
    try:
        module = importlib.import_module(f"lstm_utils.exercises.{module_name}")
    except ModuleNotFoundError:
        pytest.skip(f"lstm_utils.exercises.{module_name} does not exist yet")
    check = getattr(module, check_name, None)
    if check is None:
        pytest.skip(f"{module_name}.{check_name} does not exist (any more): update COMMON_MISTAKES")
    with pytest.raises(ExerciseError, match="✗"):
        check(wrong)
    assert "✓" not in capsys.readouterr().out
