"""Plot style and figure saving with deterministic bytes (so committed figures do not churn)."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

FIGURES_DIR = Path(__file__).resolve().parent.parent / "figures"
FIGURES_DIR_VARIABLE = "LSTM_FIGURES_DIR"   # set by the test suite, so re-running notebooks leaves figures/ alone
_SVG_SALT = "lstm-gate-by-gate"


def use_curriculum_style() -> None:
    """One plot style for every notebook; also fixes the SVG hash salt for reproducible files."""
    matplotlib.rcParams.update({
        "figure.figsize": (6.4, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
        "svg.hashsalt": _SVG_SALT,
        "svg.fonttype": "path",
    })


def save_figure(fig, stem: str, formats=("svg", "png"), directory: Path | str | None = None) -> list[Path]:
    """Save `fig` as figures/<stem>.svg and .png with no date or software stamp; return the paths.

    The folder is `directory` if given, else $LSTM_FIGURES_DIR if set, else the repository's figures/.
    """
    if directory is None:
        directory = os.environ.get(FIGURES_DIR_VARIABLE) or FIGURES_DIR
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    metadata = {"svg": {"Date": None, "Creator": None}, "png": {"Software": None},
                "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}
    paths = []
    with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT}):
        for fmt in formats:
            path = directory / f"{stem}.{fmt}"
            fig.savefig(path, format=fmt, metadata=metadata.get(fmt))
            paths.append(path)
    return paths
