"""Static hygiene of every committed notebook: what nbval strict mode and a reader both rely on.

No kernel is started here; nbval itself re-executes the notebooks and compares outputs. These tests
check the stored file: one top-to-bottom run, clean outputs (no errors, stderr, warnings or paths of
the machine that ran it), the setup cell first, sparing use of NBVAL_IGNORE_OUTPUT, links to figures
that exist, and every notebook listed in the README.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MACHINE_PATH = re.compile(r"/root/|/tmp/|/home/|/work/|/usr/lib/python|site-packages|ipykernel_\d+")
WARNING_TEXT = re.compile(r"\b\w*Warning:")
FIGURE_LINK = re.compile(r"\.\./figures/([^)\s\"'>]+)")
IGNORE_MARKER = "NBVAL_IGNORE_OUTPUT"

pytestmark = pytest.mark.parametrize(
    "path",
    NOTEBOOKS or [pytest.param(None, marks=pytest.mark.skip(reason="no notebooks/*.ipynb committed yet"))],
    ids=[p.name for p in NOTEBOOKS] or ["no-notebooks"],
)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def code_cells(nb: dict) -> list[dict]:
    """The non-empty code cells, in order."""
    return [c for c in nb["cells"] if c["cell_type"] == "code" and source(c).strip()]


def output_texts(output: dict):
    """Every text an output shows: stream text, tracebacks, and text-like MIME data (not images)."""
    if output.get("output_type") == "stream":
        yield "".join(output.get("text", ""))
    if output.get("output_type") == "error":
        yield "\n".join(output.get("traceback", []))
    for mime, data in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            if isinstance(data, str):
                yield data
            else:
                yield "".join(data) if isinstance(data, list) else json.dumps(data)


def findings(nb: dict, check) -> list[str]:
    """Apply check(text) -> match or None to every output of every code cell; describe the hits."""
    hits = []
    for i, cell in enumerate(code_cells(nb), 1):
        for out in cell.get("outputs", []):
            for text in output_texts(out):
                m = check(text)
                if m:
                    hits.append(f"code cell {i}: {m.group(0)!r} in {out.get('output_type')} output")
    return hits


def test_valid_notebook_with_python3_kernel(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    kernelspec = nb.metadata.get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"kernelspec name must be 'python3', got {kernelspec!r}"
    assert code_cells(load(path)), "the notebook has no code cells"


def test_executed_top_to_bottom_in_one_run(path):
    counts = [c.get("execution_count") for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts} are not 1..{len(counts)}: execute the notebook in a fresh kernel, "
        f"top to bottom (jupyter nbconvert --to notebook --execute --inplace)")


def test_no_errors_or_stderr(path):
    bad = []
    for i, cell in enumerate(code_cells(load(path)), 1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                bad.append(f"code cell {i}: error {out.get('ename')}: {out.get('evalue', '')[:80]}")
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                bad.append(f"code cell {i}: stderr {''.join(out.get('text', ''))[:80]!r}")
    assert not bad, "\n".join(bad)


def test_no_machine_paths_in_outputs(path):
    bad = findings(load(path), MACHINE_PATH.search)
    assert not bad, "outputs leak paths of the machine that ran the notebook:\n" + "\n".join(bad)


def test_no_warning_text_in_outputs(path):
    bad = findings(load(path), WARNING_TEXT.search)
    assert not bad, "outputs contain warnings:\n" + "\n".join(bad)


def test_setup_cell_first(path):
    first = source(code_cells(load(path))[0])
    assert first.lstrip().startswith("%matplotlib inline"), \
        "the first code cell must start with %matplotlib inline"
    assert re.search(r"^setup_notebook\([^)]*\)\s*$", first, re.MULTILINE), \
        "the first code cell must call setup_notebook() on a line of its own"


def test_named_in_readme(path):
    readme = ROOT / "README.md"
    assert readme.exists(), "README.md is missing"
    assert path.name in readme.read_text(encoding="utf-8"), f"README.md does not name {path.name}"


def test_ignored_outputs_are_few(path):
    cells = code_cells(load(path))
    ignored = [i for i, c in enumerate(cells, 1)
               if IGNORE_MARKER in source(c)
               or "nbval-ignore-output" in c.get("metadata", {}).get("tags", [])]
    assert 3 * len(ignored) <= len(cells), (
        f"{len(ignored)} of {len(cells)} code cells ignore their output (cells {ignored}); "
        f"at most a third may")


def test_figure_links_exist(path):
    nb = load(path)
    texts = [source(c) for c in nb["cells"]]
    texts += [t for c in code_cells(nb) for out in c.get("outputs", []) for t in output_texts(out)]
    missing = sorted({name for text in texts for name in FIGURE_LINK.findall(text)
                      if not (ROOT / "figures" / name).is_file()})
    assert not missing, f"links to figures that do not exist: {missing}"
