"""The LSTM cell drawn in four stages of construction (matplotlib, no images from elsewhere).

    stage 1  the three gates I_t, F_t, O_t, computed from X_t and H_{t-1}
    stage 2  + the candidate memory C̃_t
    stage 3  + the memory-cell update C_t = F_t ⊙ C_{t-1} + I_t ⊙ C̃_t
    stage 4  + the hidden state H_t = O_t ⊙ tanh(C_t)

Each stage draws what earlier stages built in grey and what is new in colour, so a reader (or a
workshop room) sees at a glance which part the current notebook adds. Layout: the memory cell runs
along the top from C_{t-1} to C_t; X_t and H_{t-1} share a bus along the bottom that feeds the four
boxes (σ, σ, tanh, σ); the two ⊙ nodes and the + node sit on the way up; the hidden state leaves
on the right. No two arrows cross.

    fig = draw_lstm_cell(3)                 # a matplotlib Figure
    save_lstm_cell_diagrams()               # writes figures/lstm_cell_{1..4}_*.svg/.png
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path as MplPath

from .plotting import save_figure, use_curriculum_style

__all__ = ["STAGES", "STAGE_STEMS", "draw_lstm_cell", "save_lstm_cell_diagrams"]

STAGES = (1, 2, 3, 4)
STAGE_STEMS = {
    1: "lstm_cell_1_gates",
    2: "lstm_cell_2_candidate",
    3: "lstm_cell_3_cell",
    4: "lstm_cell_4_hidden_state",
}
_TITLES = {
    1: r"Stage 1 of 4 $\cdot$ the gates $I_t$, $F_t$, $O_t$",
    2: r"Stage 2 of 4 $\cdot$ the candidate memory $\tilde{C}_t$",
    3: r"Stage 3 of 4 $\cdot$ the memory cell $C_t = F_t \odot C_{t-1} + I_t \odot \tilde{C}_t$",
    4: r"Stage 4 of 4 $\cdot$ the hidden state $H_t = O_t \odot \tanh(C_t)$",
}

# colours: what this stage adds, and what earlier stages built
_NEW = "#d9480f"          # strong orange for lines and edges
_NEW_FILL = "#ffd8a8"     # light orange fill
_OLD = "#495057"          # dark grey lines
_OLD_FILL = "#e9ecef"     # light grey fill
_TEXT = "#212529"
_CELL_FILL = "#f8f9fa"
_CELL_EDGE = "#adb5bd"

# geometry, in data units (the axes keep an equal aspect ratio)
_XLIM = (0.0, 18.0)
_YLIM = (-1.2, 10.2)
_FIGSIZE = (14.0, 8.6)
_LW = 3.0
_R = 0.38                 # radius of the ⊙ and + nodes
_BOX_W, _BOX_H = 1.9, 1.35
_BOX_Y = 3.0              # bottom of the four boxes
_BUS_Y = 1.7              # the X_t / H_{t-1} bus
_CELL_Y = 8.0             # the memory-cell line
_X_IN = 2.3               # where X_t joins the bus
_COLS = {"F": 3.7, "I": 6.1, "C": 8.5, "O": 11.3}   # box centres
_MUL_IN = (7.3, 6.1)      # I_t ⊙ C̃_t
_MUL_F = (_COLS["F"], _CELL_Y)
_PLUS = (7.3, _CELL_Y)
_TANH = (13.6, 6.55)
_MUL_OUT = (13.6, 5.0)
_LEFT, _RIGHT = 1.25, 16.75
_SHORT_TOP = 5.9          # where an unconnected gate output ends (stages before it is used)
_FONT = 24                # symbols and labels
_FONT_SMALL = 15


def _colours(new: bool) -> tuple[str, str]:
    return (_NEW, _NEW_FILL) if new else (_OLD, _OLD_FILL)


def _arrow(ax, points, new: bool, head: bool = True) -> None:
    """A polyline through `points` with an arrowhead at the last point."""
    edge, _ = _colours(new)
    path = MplPath(points, [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1))
    style = "-|>,head_length=0.7,head_width=0.35" if head else "-"
    ax.add_patch(FancyArrowPatch(path=path, arrowstyle=style, mutation_scale=22, lw=_LW, color=edge,
                                 joinstyle="miter", capstyle="butt", zorder=2))


def _dot(ax, xy, new: bool) -> None:
    edge, _ = _colours(new)
    ax.add_patch(Circle(xy, 0.11, facecolor=edge, edgecolor=edge, zorder=3))


def _box(ax, x_centre, symbol: str, name: str, new: bool) -> None:
    edge, fill = _colours(new)
    ax.add_patch(FancyBboxPatch((x_centre - _BOX_W / 2, _BOX_Y), _BOX_W, _BOX_H,
                                boxstyle="round,pad=0,rounding_size=0.18", facecolor=fill,
                                edgecolor=edge, lw=_LW, zorder=4))
    ax.text(x_centre, _BOX_Y + 0.83, symbol, ha="center", va="center", fontsize=_FONT, color=_TEXT, zorder=5)
    ax.text(x_centre, _BOX_Y + 0.28, name, ha="center", va="center", fontsize=_FONT_SMALL,
            color=_TEXT, zorder=5)


def _node(ax, xy, kind: str, new: bool) -> None:
    """A ⊙ (elementwise product: a circle with a dot) or a + node, drawn as shapes, not glyphs."""
    edge, fill = _colours(new)
    x, y = xy
    ax.add_patch(Circle(xy, _R, facecolor=fill, edgecolor=edge, lw=_LW, zorder=4))
    if kind == "mul":
        ax.add_patch(Circle(xy, 0.085, facecolor=edge, edgecolor=edge, zorder=5))
    else:
        s = 0.55 * _R
        ax.plot([x - s, x + s], [y, y], color=edge, lw=_LW, solid_capstyle="butt", zorder=5)
        ax.plot([x, x], [y - s, y + s], color=edge, lw=_LW, solid_capstyle="butt", zorder=5)


def _label(ax, xy, text: str, ha: str = "center", va: str = "center", new: bool = False,
           size: int = _FONT) -> None:
    ax.text(*xy, text, ha=ha, va=va, fontsize=size, color=_NEW if new else _TEXT, zorder=6)


def draw_lstm_cell(stage: int):
    """Draw the LSTM cell as built up to `stage` (1 gates, 2 candidate, 3 memory cell, 4 hidden state).

    Elements added at this stage are orange; those from earlier stages are grey. Returns the Figure.
    """
    if isinstance(stage, bool) or not isinstance(stage, int) or stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES} (1 gates, 2 candidate, 3 cell, 4 hidden state), "
                         f"got {stage!r}")
    use_curriculum_style()
    fig, ax = plt.subplots(figsize=_FIGSIZE)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    ax.set_xlim(*_XLIM)
    ax.set_ylim(*_YLIM)
    ax.set_aspect("equal")
    ax.axis("off")

    def new(at: int) -> bool:
        return stage == at

    # the cell's outline
    ax.add_patch(FancyBboxPatch((1.85, 0.75), 13.7, 8.0, boxstyle="round,pad=0,rounding_size=0.4",
                                facecolor=_CELL_FILL, edgecolor=_CELL_EDGE, lw=2, zorder=0))
    ax.text(9.0, 9.55, _TITLES[stage], ha="center", va="center", fontsize=26, color=_TEXT)

    # stage 1: inputs, the bus, and the three σ gates
    x_end = _COLS["O"]
    _arrow(ax, [(_LEFT, _BUS_Y), (x_end, _BUS_Y), (x_end, _BOX_Y)], new(1))
    _arrow(ax, [(_X_IN, -0.3), (_X_IN, _BUS_Y - 0.1)], new(1))
    _dot(ax, (_X_IN, _BUS_Y), new(1))
    _label(ax, (_LEFT - 0.15, _BUS_Y), r"$H_{t-1}$", ha="right", new=new(1))
    _label(ax, (_X_IN, -0.75), r"$X_t$", new=new(1))
    for key in ("F", "I"):
        _arrow(ax, [(_COLS[key], _BUS_Y), (_COLS[key], _BOX_Y)], new(1))
        _dot(ax, (_COLS[key], _BUS_Y), new(1))
    for key, name in (("F", "forget"), ("I", "input"), ("O", "output")):
        _box(ax, _COLS[key], r"$\sigma$", name, new(1))

    # stage 2: the candidate's tanh box
    if stage >= 2:
        _arrow(ax, [(_COLS["C"], _BUS_Y), (_COLS["C"], _BOX_Y)], new(2))
        _dot(ax, (_COLS["C"], _BUS_Y), new(2))
        _box(ax, _COLS["C"], "tanh", "candidate", new(2))

    top = _BOX_Y + _BOX_H
    # gate outputs: short arrows until a later stage connects them
    if stage < 3:
        for key in ("F", "I"):
            _arrow(ax, [(_COLS[key], top), (_COLS[key], _SHORT_TOP)], new(1))
    if stage == 2:
        _arrow(ax, [(_COLS["C"], top), (_COLS["C"], _SHORT_TOP)], new(2))
    if stage < 4:
        _arrow(ax, [(_COLS["O"], top), (_COLS["O"], _SHORT_TOP)], new(1))

    # stage 3: the memory-cell line, F_t ⊙ C_{t-1} + I_t ⊙ C̃_t
    if stage >= 3:
        c = new(3)
        y = _CELL_Y
        _arrow(ax, [(_LEFT, y), (_MUL_F[0] - _R, y)], c)
        _arrow(ax, [(_MUL_F[0] + _R, y), (_PLUS[0] - _R, y)], c)
        _arrow(ax, [(_PLUS[0] + _R, y), (_RIGHT, y)], c)
        _arrow(ax, [(_COLS["F"], top), (_MUL_F[0], y - _R)], c)
        _arrow(ax, [(_COLS["I"], top), (_COLS["I"], _MUL_IN[1]), (_MUL_IN[0] - _R, _MUL_IN[1])], c)
        _arrow(ax, [(_COLS["C"], top), (_COLS["C"], _MUL_IN[1]), (_MUL_IN[0] + _R, _MUL_IN[1])], c)
        _arrow(ax, [(_MUL_IN[0], _MUL_IN[1] + _R), (_PLUS[0], y - _R)], c)
        _node(ax, _MUL_F, "mul", c)
        _node(ax, _MUL_IN, "mul", c)
        _node(ax, _PLUS, "plus", c)
        _label(ax, (_LEFT - 0.15, y), r"$C_{t-1}$", ha="right", new=c)
        _label(ax, (_RIGHT + 0.15, y), r"$C_t$", ha="left", new=c)

    # stage 4: tanh(C_t), the output gate's product, and H_t
    if stage >= 4:
        c = new(4)
        x = _TANH[0]
        _dot(ax, (x, _CELL_Y), c)
        _arrow(ax, [(x, _CELL_Y), (x, _TANH[1] + 0.45)], c)
        _arrow(ax, [(x, _TANH[1] - 0.45), (x, _MUL_OUT[1] + _R)], c)
        _arrow(ax, [(_COLS["O"], top), (_COLS["O"], _MUL_OUT[1]), (x - _R, _MUL_OUT[1])], c)
        _arrow(ax, [(x + _R, _MUL_OUT[1]), (_RIGHT, _MUL_OUT[1])], c)
        edge, fill = _colours(c)
        ax.add_patch(Ellipse(_TANH, 1.7, 0.9, facecolor=fill, edgecolor=edge, lw=_LW, zorder=4))
        ax.text(*_TANH, "tanh", ha="center", va="center", fontsize=_FONT - 4, color=_TEXT, zorder=5)
        _node(ax, _MUL_OUT, "mul", c)
        _label(ax, (_RIGHT + 0.15, _MUL_OUT[1]), r"$H_t$", ha="left", new=c)

    # labels of the four box outputs, beside their vertical arrows
    label_y = top + 0.75
    _label(ax, (_COLS["F"] + 0.22, label_y), r"$F_t$", ha="left", new=new(1) or new(3))
    _label(ax, (_COLS["I"] - 0.22, label_y), r"$I_t$", ha="right", new=new(1) or new(3))
    if stage >= 2:
        _label(ax, (_COLS["C"] + 0.22, label_y), r"$\tilde{C}_t$", ha="left", new=new(2) or new(3))
    if stage >= 4:   # above the bend that carries O_t to its ⊙ node
        _label(ax, ((_COLS["O"] + _MUL_OUT[0]) / 2 - 0.2, _MUL_OUT[1] + 0.5), r"$O_t$", new=new(4))
    else:
        _label(ax, (_COLS["O"] - 0.22, label_y), r"$O_t$", ha="right", new=new(1))

    # legend: what the colours mean
    ax.add_patch(Rectangle((11.0, -0.95), 0.6, 0.45, facecolor=_NEW_FILL, edgecolor=_NEW, lw=2))
    ax.text(11.8, -0.72, "new in this stage", ha="left", va="center", fontsize=_FONT_SMALL + 1, color=_TEXT)
    if stage > 1:
        ax.add_patch(Rectangle((11.0, -0.3 - 0.05), 0.6, 0.45, facecolor=_OLD_FILL, edgecolor=_OLD, lw=2))
        ax.text(11.8, -0.12, "built in earlier stages", ha="left", va="center", fontsize=_FONT_SMALL + 1,
                color=_TEXT)
    return fig


def save_lstm_cell_diagrams(directory: Path | str | None = None) -> list[Path]:
    """Draw all four stages and save each as SVG and PNG (deterministic bytes); return the 8 paths.

    `directory` defaults to the repository's figures/ folder.
    """
    paths: list[Path] = []
    for stage in STAGES:
        fig = draw_lstm_cell(stage)
        try:
            paths.extend(save_figure(fig, STAGE_STEMS[stage], directory=directory))
        finally:
            plt.close(fig)
    return paths
