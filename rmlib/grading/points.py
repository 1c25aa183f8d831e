"""The points table students see, generated from nbgrader's metadata.

Points live in one place: the ``points`` of each graded cell in the source
notebook. A markdown cell with id ``points-table`` near the top of each
assignment shows them per part (a part is everything under one ``##``
heading); :func:`render` builds its text and :func:`update` rewrites it, so
the table cannot drift from the metadata. ``tests/test_grading_assignments.py``
checks that every committed table equals a fresh :func:`render`.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

__all__ = ["POINTS_CELL_ID", "parts", "render", "update"]

POINTS_CELL_ID = "points-table"


def _heading(cell) -> str | None:
    if cell.cell_type != "markdown":
        return None
    for line in cell.source.splitlines():
        if line.startswith("## "):
            return line[3:].strip()
    return None


def parts(nb: nbformat.NotebookNode) -> list[dict]:
    """Each ``##`` part of ``nb`` with its autograded and manually graded points.

    Examples
    --------
    >>> from rmlib.grading.probe import probe_notebook
    >>> [(p["part"], p["auto"], p["manual"]) for p in parts(probe_notebook())]
    [('Part 1', 3.0, 0.0), ('Part 2', 3.0, 0.0), ('Part 3', 2.0, 0.0), ('Written answer', 0.0, 2.0)]
    """
    out: list[dict] = []
    current = None
    for cell in nb.cells:
        title = _heading(cell)
        if title is not None:
            current = {"part": title, "auto": 0.0, "manual": 0.0}
            out.append(current)
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        if current is None:
            raise ValueError(
                f"graded cell {meta.get('grade_id')!r} comes before any '## ' heading; "
                "put each graded part under a level-2 heading."
            )
        kind = "manual" if meta.get("solution") else "auto"
        current[kind] += float(meta["points"])
    return [p for p in out if p["auto"] or p["manual"]]


def _fmt(x: float) -> str:
    return f"{x:g}" if x else "–"


def render(nb: nbformat.NotebookNode) -> str:
    """Markdown text of the points table of ``nb``."""
    rows = parts(nb)
    auto = sum(p["auto"] for p in rows)
    manual = sum(p["manual"] for p in rows)
    lines = [
        "### Points",
        "",
        "| part | autograded | graded by hand |",
        "| --- | ---: | ---: |",
        *(f"| {p['part']} | {_fmt(p['auto'])} | {_fmt(p['manual'])} |" for p in rows),
        f"| **total: {auto + manual:g}** | **{auto:g}** | **{manual:g}** |",
        "",
        "*This table is generated from the notebook's grading metadata; "
        "it is the only place the points are written.*",
    ]
    return "\n".join(lines)


def update(path: str | os.PathLike, *, check: bool = False) -> bool:
    """Rewrite the points cell of the notebook at ``path``; return whether it changed.

    With ``check=True`` nothing is written: the return value says whether the
    committed table is out of date.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.get("id") == POINTS_CELL_ID]
    if len(cells) != 1:
        raise ValueError(
            f"{path} must have exactly one markdown cell with id {POINTS_CELL_ID!r}; "
            f"found {len(cells)}."
        )
    text = render(nb)
    changed = cells[0].source != text
    if changed and not check:
        cells[0].source = text
        nbformat.write(nb, path)
    return changed
