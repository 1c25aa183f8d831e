"""Simulated student submissions: honest ones and every way of breaking a notebook.

Each function takes a *released* notebook (what the student received) and
returns a new notebook; nothing is modified in place. Cells are addressed by
their nbgrader ``grade_id``. The answers come from the instructor's *source*
notebook (its ``### BEGIN SOLUTION`` regions), so a simulated correct
submission is exactly the reference solution typed into the release.
"""

from __future__ import annotations

import copy
import re

from nbformat.notebooknode import NotebookNode

__all__ = [
    "answered",
    "cell",
    "delete_cell",
    "duplicate_cell",
    "edit_cell",
    "flip_to_readonly",
    "flip_test_to_solution",
    "graded_ids",
    "solution_code",
    "solution_ids",
    "to_markdown",
    "with_code",
]

_BEGIN = re.compile(r"^\s*### BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*### END SOLUTION\s*$")


def _gid(c) -> str | None:
    return c.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def cell(nb: NotebookNode, grade_id: str) -> NotebookNode:
    """The cell of ``nb`` whose nbgrader ``grade_id`` is ``grade_id``."""
    for c in nb.cells:
        if _gid(c) == grade_id:
            return c
    known = ", ".join(repr(g) for g in (_gid(c) for c in nb.cells) if g)
    raise KeyError(f"no cell with grade_id {grade_id!r}; the notebook has: {known}")


def solution_ids(nb: NotebookNode, cell_type: str = "code") -> list[str]:
    """Ids of the answer cells of a given type, in notebook order."""
    return [
        _gid(c)
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == cell_type
    ]


def graded_ids(nb: NotebookNode) -> list[str]:
    """Ids of the test cells (graded, not answers), in notebook order."""
    return [
        _gid(c)
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
        and not c.metadata.get("nbgrader", {}).get("solution")
    ]


def solution_code(source_cell_text: str) -> str:
    """The instructor's solution with the ``### BEGIN/END SOLUTION`` lines removed."""
    return "\n".join(
        line
        for line in source_cell_text.splitlines()
        if not (_BEGIN.match(line) or _END.match(line))
    )


def answered(
    release: NotebookNode,
    source: NotebookNode,
    ids: list[str] | None = None,
    *,
    written: str | None = "A short written answer.",
) -> NotebookNode:
    """The release with the source's solutions typed into the cells ``ids`` (default: all).

    Written (markdown) answers get ``written`` (``None`` leaves them unanswered).
    """
    nb = copy.deepcopy(release)
    targets = set(solution_ids(release)) if ids is None else set(ids)
    for c in nb.cells:
        gid = _gid(c)
        if gid in targets and c.cell_type == "code":
            c.source = solution_code(cell(source, gid).source)
        elif (
            written is not None
            and c.cell_type == "markdown"
            and c.metadata.get("nbgrader", {}).get("solution")
        ):
            c.source = written
    return nb


def with_code(nb: NotebookNode, grade_id: str, code: str, *, prepend: bool = True) -> NotebookNode:
    """Copy of ``nb`` with ``code`` added before (or after) a cell's own code."""
    out = copy.deepcopy(nb)
    c = cell(out, grade_id)
    c.source = f"{code}\n{c.source}" if prepend else f"{c.source}\n{code}"
    return out


def edit_cell(nb: NotebookNode, grade_id: str, source: str) -> NotebookNode:
    """Copy of ``nb`` with a cell's source replaced (e.g. a test turned into ``assert True``)."""
    out = copy.deepcopy(nb)
    cell(out, grade_id).source = source
    return out


def delete_cell(nb: NotebookNode, grade_id: str) -> NotebookNode:
    """Copy of ``nb`` without the cell ``grade_id``."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if _gid(c) != grade_id]
    return out


def to_markdown(nb: NotebookNode, grade_id: str) -> NotebookNode:
    """Copy of ``nb`` with a code cell turned into a markdown cell (outputs dropped)."""
    out = copy.deepcopy(nb)
    c = cell(out, grade_id)
    c.cell_type = "markdown"
    c.pop("outputs", None)
    c.pop("execution_count", None)
    return out


def flip_to_readonly(nb: NotebookNode, grade_id: str) -> NotebookNode:
    """Copy of ``nb`` with an answer cell's metadata flipped to a read-only, non-answer cell."""
    out = copy.deepcopy(nb)
    c = cell(out, grade_id)
    c.metadata["editable"] = False
    c.metadata["deletable"] = False
    c.metadata["nbgrader"]["solution"] = False
    c.metadata["nbgrader"]["locked"] = True
    return out


def flip_test_to_solution(nb: NotebookNode, grade_id: str, source: str) -> NotebookNode:
    """Copy of ``nb`` where a test cell claims to be an editable answer and holds ``source``."""
    out = copy.deepcopy(nb)
    c = cell(out, grade_id)
    c.metadata["editable"] = True
    c.metadata["deletable"] = True
    c.metadata["nbgrader"].update(solution=True, grade=False, locked=False)
    c.source = source
    return out


def duplicate_cell(nb: NotebookNode, grade_id: str, *, last_source: str | None = None):
    """Copy of ``nb`` where a cell appears twice with the same nbgrader id and cell id.

    The copy goes right after the original; ``last_source`` (if given) replaces
    the source of the later copy, the one nbgrader keeps.
    """
    out = copy.deepcopy(nb)
    for i, c in enumerate(out.cells):
        if _gid(c) == grade_id:
            twin = copy.deepcopy(c)
            if last_source is not None:
                twin.source = last_source
            out.cells.insert(i + 1, twin)
            return out
    raise KeyError(f"no cell with grade_id {grade_id!r}")
