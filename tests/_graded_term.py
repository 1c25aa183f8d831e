"""One graded term of simulated students, shared by the per-mistake grading tests.

Each of those modules copies the course, generates one assignment, answers it with the
reference solution, hands in one student per mistake (the reference answer with some
cells edited), autogrades once and reads the points of the test cells from the source
notebook. :func:`grade_students` does exactly that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat

from rmlib.grading import submissions as S
from rmlib.grading.parallel import autograde_class
from rmlib.grading.pipeline import Course, copy_course

ROOT = Path(__file__).resolve().parent.parent


def test_points(nb) -> dict[str, float]:
    """Points of every autograded test cell of a source notebook, by grade id."""
    return {gid: float(S.cell(nb, gid).metadata["nbgrader"]["points"]) for gid in S.graded_ids(nb)}


test_points.__test__ = False  # a helper, not a test


def grade_students(
    tmp_path_factory,
    assignment: str,
    edits: Mapping[str, Sequence[tuple[str, str]]],
    *,
    reference: bool = True,
    workers: int | None = None,
) -> tuple[Course, dict[str, float]]:
    """Grade the reference answer (``"reference"``) and one student per entry of ``edits``.

    ``edits`` maps a student id to the (grade id, new source) pairs that turn the
    reference answer into that student's notebook. With ``workers``, the class is
    graded by :func:`rmlib.grading.parallel.autograde_class`; otherwise by one
    ``nbgrader autograde``. Returns the course and :func:`test_points` of the source.
    """
    root = copy_course(ROOT / "assignments", tmp_path_factory.mktemp(assignment) / "course")
    course = Course(root)
    course.generate(assignment)
    src = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    rel = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    ok = S.answered(rel, src)
    students = {"reference": ok} if reference else {}
    for sid, changes in edits.items():
        nb = ok
        for cell, code in changes:
            nb = S.edit_cell(nb, cell, code)
        students[sid] = nb
    course.add_students({s: ("Sim", s) for s in students})
    for sid, nb in students.items():
        course.submit(sid, assignment, {assignment: nb})
    if workers:
        table = autograde_class(course, assignment, workers=workers, echo=None)
        assert (table["status"] == "graded").all(), table
    else:
        run = course.autograde(assignment)
        assert run.failed == [], run.log[-3000:]
    return course, test_points(src)
