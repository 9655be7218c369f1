"""Workshop kit and static site: student notebooks with stubbed exercises, and an HTML rendering.

Two commands, run from the repository root:

    python -m lstm_utils.workshop build [OUT_DIR]   # student notebooks   (default: workshop_out/)
    python -m lstm_utils.workshop site  [OUT_DIR]   # static HTML site     (default: site/)
    python -m lstm_utils.workshop stats             # words, exercises, reading time per notebook

Both default folders are git-ignored.

**Student version.** Every exercise keeps its solution between two marker lines (the nbgrader
convention)::

    def forget_gate(X_t, H_prev, params):
        ### BEGIN SOLUTION
        return sigmoid(X_t @ params.W_xf + H_prev @ params.W_hf + params.b_f)
        ### END SOLUTION

    nb02.check_forget_gate(forget_gate)

`build` replaces each block, markers included, by one line at the indentation of the
``### BEGIN SOLUTION`` marker::

        raise NotImplementedError("exercise: forget_gate")

clears every output and resets the execution counts. Notebooks without exercises are copied with
their outputs cleared. The checks call the learner's function through
`lstm_utils.exercises.call_answer`, so a stub makes the check fail with a clear ExerciseError.
"""
from __future__ import annotations

import argparse
import copy
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
DEFAULT_KIT_DIR = REPO_ROOT / "workshop_out"
DEFAULT_SITE_DIR = REPO_ROOT / "site"

_DEF_RE = re.compile(r"^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(")
_CLASS_RE = re.compile(r"^(\s*)class\s+([A-Za-z_]\w*)\b")


@dataclass(frozen=True)
class SolutionBlock:
    """One solution block in a cell's source: lines `begin`..`end` (0-based, markers included)."""

    begin: int
    end: int
    indent: str
    name: str


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _enclosing_name(lines: list[str], begin: int, indent: str) -> str | None:
    """Name of the innermost def/class whose body contains line `begin` (found by indentation)."""
    threshold = len(indent)
    for line in reversed(lines[:begin]):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        width = len(_indent_of(line))
        if width >= threshold:
            continue
        match = _DEF_RE.match(line) or _CLASS_RE.match(line)
        if match:
            return match.group(2)
        threshold = width  # an enclosing for/if/with: its own enclosing block is less indented
        if threshold == 0:
            return None
    return None


def find_solution_blocks(source: str, *, where: str = "cell") -> list[SolutionBlock]:
    """Return the solution blocks of one cell's source, in order.

    Raises ValueError (naming `where`) for a BEGIN without END, an END without BEGIN, a nested
    BEGIN, or markers at different indentations.
    """
    lines = source.split("\n")
    blocks: list[SolutionBlock] = []
    open_at: int | None = None
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped == BEGIN_MARKER:
            if open_at is not None:
                raise ValueError(f"{where}: line {number + 1} opens a solution block inside the one "
                                 f"opened on line {open_at + 1}; close it first with '{END_MARKER}'")
            open_at = number
        elif stripped == END_MARKER:
            if open_at is None:
                raise ValueError(f"{where}: line {number + 1} has '{END_MARKER}' without a "
                                 f"'{BEGIN_MARKER}' before it")
            indent = _indent_of(lines[open_at])
            if _indent_of(line) != indent:
                raise ValueError(f"{where}: the markers on lines {open_at + 1} and {number + 1} "
                                 "must have the same indentation")
            name = _enclosing_name(lines, open_at, indent) or "solution"
            blocks.append(SolutionBlock(open_at, number, indent, name))
            open_at = None
        elif BEGIN_MARKER in line or END_MARKER in line:
            raise ValueError(f"{where}: line {number + 1} must hold the marker alone, got {line.strip()!r}")
    if open_at is not None:
        raise ValueError(f"{where}: the solution block opened on line {open_at + 1} is never closed "
                         f"with '{END_MARKER}'")
    return blocks


def stub_line(block: SolutionBlock) -> str:
    """The line that replaces a solution block in the student version."""
    return f'{block.indent}raise NotImplementedError("exercise: {block.name}")'


def stub_source(source: str, *, only: int | None = None, where: str = "cell") -> str:
    """Replace every solution block (or only the block with index `only`) by a NotImplementedError stub."""
    blocks = find_solution_blocks(source, where=where)
    if only is not None and not 0 <= only < len(blocks):
        raise ValueError(f"only must index one of the {len(blocks)} solution blocks of {where}, got {only}")
    lines = source.split("\n")
    for index in reversed(range(len(blocks))):
        if only is not None and index != only:
            continue
        block = blocks[index]
        lines[block.begin: block.end + 1] = [stub_line(block)]
    return "\n".join(lines)


def has_solution(source: str) -> bool:
    """True when a cell's source contains a BEGIN marker line."""
    return any(line.strip() == BEGIN_MARKER for line in source.split("\n"))


def student_notebook(nb, *, name: str = "notebook"):
    """Return (student copy of `nb`, number of stubbed blocks); `nb` itself is left unchanged."""
    student = copy.deepcopy(nb)
    count = 0
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        where = f"{name}, code cell {index}"
        blocks = find_solution_blocks(cell.source, where=where)
        if blocks:
            cell.source = stub_source(cell.source, where=where)
            count += len(blocks)
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    return student, count


def notebook_paths(notebooks_dir: Path | str = NOTEBOOKS_DIR) -> list[Path]:
    """The curriculum's notebooks, sorted by name (checkpoints excluded)."""
    notebooks_dir = Path(notebooks_dir)
    if not notebooks_dir.is_dir():
        raise FileNotFoundError(f"notebooks_dir must be a folder of notebooks, got {notebooks_dir}")
    return sorted(p for p in notebooks_dir.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def build_student_kit(out_dir: Path | str = DEFAULT_KIT_DIR,
                      notebooks_dir: Path | str = NOTEBOOKS_DIR) -> dict[str, int]:
    """Write the student version of every notebook into `out_dir`; return {file name: stubbed blocks}."""
    import nbformat

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, int] = {}
    for path in notebook_paths(notebooks_dir):
        nb = nbformat.read(path, as_version=4)
        student, count = student_notebook(nb, name=path.name)
        nbformat.write(student, out_dir / path.name)
        summary[path.name] = count
    lines = ["# Student notebooks", "",
             "Generated by `python -m lstm_utils.workshop build`. Each exercise raises",
             "`NotImplementedError` until you write its code; the check under it then prints ✓.",
             "Run them from a checkout of the repository with its virtual environment,",
             "so that `import lstm_utils` works.", "",
             "| notebook | exercises to write |", "|---|---|"]
    lines += [f"| {name} | {count} |" for name, count in summary.items()]
    (out_dir / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return summary


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.split("\n"):
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def build_site(out_dir: Path | str = DEFAULT_SITE_DIR, notebooks_dir: Path | str = NOTEBOOKS_DIR,
               *, mathjax_url: str | None = None) -> list[Path]:
    """Render every notebook (with its stored outputs) to HTML in `out_dir`, plus an index.html.

    Uses nbconvert's HTML exporter with the JupyterLab template; images are embedded, so every page
    is one self-contained file. MathJax comes from nbconvert's default URL (a CDN) unless
    `mathjax_url` names another copy. Returns the written paths, index first.
    """
    import nbformat
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    if mathjax_url is not None:
        exporter.mathjax_url = mathjax_url
    entries, written = [], []
    for path in notebook_paths(notebooks_dir):
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        target = out_dir / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
        entries.append((target.name, _title(nb, path.stem)))
    items = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
                      for href, title in entries)
    index = out_dir / "index.html"
    index.write_text("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>LSTM, gate by gate</title></head>\n<body>\n<h1>LSTM, gate by gate</h1>\n"
                     f"<ol>\n{items}\n</ol>\n</body></html>\n", encoding="utf-8")
    return [index, *written]


READING_WORDS_PER_MINUTE = 130
MINUTES_PER_CODE_CELL = 0.5


def notebook_stats(notebooks_dir: Path | str = NOTEBOOKS_DIR) -> list[dict]:
    """Per notebook: title, Markdown words, code cells, exercises, and an estimated reading time.

    reading minutes = words / 130 + 0.5 per code cell (reading the code and its output), rounded up
    to a multiple of 5. The estimate the facilitator guide uses; run times are measured separately.
    """
    import math

    import nbformat

    rows = []
    for path in notebook_paths(notebooks_dir):
        nb = nbformat.read(path, as_version=4)
        words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
        code_cells = sum(c.cell_type == "code" for c in nb.cells)
        exercises = sum(len(find_solution_blocks(c.source, where=path.name))
                        for c in nb.cells if c.cell_type == "code")
        minutes = words / READING_WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * code_cells
        rows.append({"notebook": path.name, "title": _title(nb, path.stem), "words": words,
                     "code_cells": code_cells, "exercises": exercises,
                     "reading_min": 5 * math.ceil(minutes / 5)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_utils.workshop", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="write the student notebooks (solutions stubbed, outputs cleared)")
    p_build.add_argument("out_dir", nargs="?", default=str(DEFAULT_KIT_DIR))
    p_build.add_argument("--notebooks", default=str(NOTEBOOKS_DIR), help="folder of source notebooks")
    p_site = sub.add_parser("site", help="render every notebook to a static HTML site")
    p_site.add_argument("out_dir", nargs="?", default=str(DEFAULT_SITE_DIR))
    p_site.add_argument("--notebooks", default=str(NOTEBOOKS_DIR), help="folder of source notebooks")
    p_site.add_argument("--mathjax-url", default=None, help="load MathJax from here instead of the CDN")
    p_stats = sub.add_parser("stats", help="print words, code cells, exercises and reading time per notebook")
    p_stats.add_argument("--notebooks", default=str(NOTEBOOKS_DIR), help="folder of source notebooks")
    args = parser.parse_args(argv)
    if args.command == "stats":
        print("| notebook | words | code cells | exercises | reading (min) |")
        print("|---|---:|---:|---:|---:|")
        for row in notebook_stats(args.notebooks):
            print(f"| {row['notebook']} | {row['words']} | {row['code_cells']} | {row['exercises']} "
                  f"| {row['reading_min']} |")
        return 0
    if args.command == "build":
        summary = build_student_kit(args.out_dir, args.notebooks)
        total = sum(summary.values())
        print(f"wrote {len(summary)} student notebooks with {total} exercise stubs to {args.out_dir}")
    else:
        paths = build_site(args.out_dir, args.notebooks, mathjax_url=args.mathjax_url)
        print(f"wrote {len(paths) - 1} pages and index.html to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
