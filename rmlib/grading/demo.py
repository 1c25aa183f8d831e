"""A whole term in a temporary folder: simulated students, autograding, grades.

``python -m rmlib.grading demo`` copies the course (``assignments/``) to a
temporary folder, generates every assignment, lets five simulated students
submit, autogrades, records a grader's marks for the written answers, writes
the feedback and exports the grades, then prints the grade table. Nothing in
the real course folder is touched.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd

from rmlib.grading import submissions as S
from rmlib.grading.pipeline import Course, copy_course
from rmlib.grading.probe import probe_notebook

__all__ = ["STUDENTS", "course_root", "run_demo", "simulate"]

#: Simulated students: id -> (first name, last name, what they hand in).
STUDENTS = {
    "ivanova": ("Anna", "Ivanova", "every part right, written answers done"),
    "petrov": ("Pavel", "Petrov", "first half of the parts right"),
    "sidorova": ("Olga", "Sidorova", "handed in the release untouched"),
    "kuznetsov": ("Ivan", "Kuznetsov", "half right, then rewrote every test to pass"),
    "smirnova": ("Maria", "Smirnova", "all right, but the last answer calls os._exit"),
}


def course_root() -> Path:
    """The repository's course folder (``assignments/`` next to ``rmlib/``)."""
    return Path(__file__).resolve().parents[2] / "assignments"


def simulate(student: str, release: nbformat.NotebookNode, source: nbformat.NotebookNode):
    """The notebook ``student`` (a key of :data:`STUDENTS`) hands in."""
    code = S.solution_ids(release)
    half = code[: max(1, len(code) // 2)]
    if student == "ivanova":
        return S.answered(release, source)
    if student == "petrov":
        return S.answered(release, source, half, written=None)
    if student == "sidorova":
        return release
    if student == "kuznetsov":
        nb = S.answered(release, source, half)
        for gid in S.graded_ids(nb):
            nb = S.edit_cell(nb, gid, "assert True")
        return nb
    if student == "smirnova":
        return S.with_code(S.answered(release, source), code[-1], "import os\nos._exit(1)")
    raise KeyError(f"unknown simulated student {student!r}; choose from {sorted(STUDENTS)}")


def _manual_marks(course: Course, assignment: str, source: nbformat.NotebookNode) -> None:
    """The grader's marks: full marks to Ivanova's written answers, half to Kuznetsov's."""
    written = [
        (c.metadata["nbgrader"]["grade_id"], float(c.metadata["nbgrader"]["points"]))
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")
    ]
    for gid, pts in written:
        course.set_manual_score(
            assignment, "ivanova", gid, pts, "Covers every point of the scheme."
        )
        course.set_manual_score(assignment, "kuznetsov", gid, pts / 2, "Half of the scheme.")


def run_demo(workdir: str | os.PathLike | None = None, *, echo=print) -> pd.DataFrame:
    """Run the term in ``workdir`` (default: a new temporary folder); return the grades."""
    base = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="rm-term-"))
    root = copy_course(course_root(), base / "course")
    course = Course(root)
    assignments = course.assignments()
    if not assignments:
        (root / "source" / "probe").mkdir(parents=True)
        nbformat.write(probe_notebook(), root / "source" / "probe" / "probe.ipynb")
        assignments = ["probe"]
    echo(f"Course copied to {root}")
    course.add_students({sid: (f, last) for sid, (f, last, _) in STUDENTS.items()})
    for sid, (_, _, what) in STUDENTS.items():
        echo(f"  {sid:10s} {what}")
    timings = {}
    for a in assignments:
        t0 = time.perf_counter()
        course.generate(a)
        notebooks = sorted((root / "source" / a).glob("*.ipynb"))
        for sid in STUDENTS:
            subs = {}
            for nb_path in notebooks:
                src = nbformat.read(nb_path, as_version=4)
                rel = nbformat.read(root / "release" / a / nb_path.name, as_version=4)
                subs[nb_path.stem] = simulate(sid, rel, src)
            course.submit(sid, a, subs)
        run = course.autograde(a)
        for nb_path in notebooks:
            _manual_marks(course, a, nbformat.read(nb_path, as_version=4))
        course.feedback(a)
        timings[a] = time.perf_counter() - t0
        failed = f", failed: {run.failed}" if run.failed else ""
        echo(f"{a}: generated, {len(STUDENTS)} submissions graded in {timings[a]:.0f} s{failed}")
    grades = course.export(root / "grades.csv")
    table = grades.pivot_table(index="student_id", columns="assignment", values="score")
    maxima = grades.groupby("assignment")["max_score"].first()
    table["total"] = table.sum(axis=1)
    table.loc["(max)"] = [*maxima[table.columns[:-1]], maxima.sum()]
    echo("")
    echo("Grades (nbgrader export):")
    echo(table.round(1).to_string())
    echo("")
    echo(f"CSV: {root / 'grades.csv'}; feedback: {root / 'feedback'}")
    return grades
