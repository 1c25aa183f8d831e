"""A whole term in a temporary folder: simulated students, autograding, grades.

``python -m rmlib.grading demo`` copies the course (``assignments/``) to a
temporary folder, generates every assignment, lets a class of simulated
students submit (five named ones with a story each, plus a class of
:data:`CLASS_SIZE` in all, each behaving like one of the five, and two who copy
each other's wrong answer), autogrades in parallel, records a grader's marks
for the written answers, writes the feedback, exports the grades and writes the
class report, then prints the grade table. Nothing in the real course folder is
touched.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd

from rmlib.grading import submissions as S
from rmlib.grading.parallel import autograde_class
from rmlib.grading.pipeline import Course, copy_course
from rmlib.grading.probe import probe_notebook
from rmlib.grading.report import write_report

__all__ = ["CLASS_SIZE", "STUDENTS", "class_list", "course_root", "run_demo", "simulate"]

#: How many simulated students the demo grades.
CLASS_SIZE = 30

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
    if student == "copier":
        return S.edit_cell(S.answered(release, source), code[0], "answer = 'copied from a friend'")
    raise KeyError(f"unknown simulated student {student!r}; choose from {sorted(STUDENTS)}")


def class_list(size: int = CLASS_SIZE) -> dict[str, tuple[str, str, str]]:
    """``size`` students: the five of :data:`STUDENTS`, then ``sNN`` who act like one of them.

    The last two (``copier_a``, ``copier_b``) hand in the same wrong answer.
    """
    out = {sid: (first, last, STUDENTS[sid][2]) for sid, (first, last, _) in STUDENTS.items()}
    stories = list(STUDENTS)
    for n in range(len(out), size - 2):
        like = stories[n % len(stories)]
        out[f"s{n + 1:02d}"] = ("Student", f"{n + 1:02d}", f"acts like {like}")
    for sid in ("copier_a", "copier_b"):
        out[sid] = ("Copier", sid[-1].upper(), "the same wrong answer as the other copier")
    return out


def _story(sid: str, info: tuple[str, str, str]) -> str:
    if sid.startswith("copier_"):
        return "copier"
    return info[2].removeprefix("acts like ") if info[2].startswith("acts like ") else sid


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


def run_demo(
    workdir: str | os.PathLike | None = None, *, echo=print, workers: int = 2
) -> pd.DataFrame:
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
    students = class_list()
    course.add_students({sid: (f, last) for sid, (f, last, _) in students.items()})
    for sid, (_, _, what) in list(students.items())[: len(STUDENTS)]:
        echo(f"  {sid:10s} {what}")
    echo(f"  ... and {len(students) - len(STUDENTS)} more (s06 ... and two copiers)")
    timings = {}
    for a in assignments:
        t0 = time.perf_counter()
        course.generate(a)
        notebooks = sorted((root / "source" / a).glob("*.ipynb"))
        for sid, info in students.items():
            subs = {}
            for nb_path in notebooks:
                src = nbformat.read(nb_path, as_version=4)
                rel = nbformat.read(root / "release" / a / nb_path.name, as_version=4)
                subs[nb_path.stem] = simulate(_story(sid, info), rel, src)
            course.submit(sid, a, subs)
        run = autograde_class(course, a, workers=workers, echo=None)
        for nb_path in notebooks:
            _manual_marks(course, a, nbformat.read(nb_path, as_version=4))
        course.feedback(a)
        timings[a] = time.perf_counter() - t0
        failed = run[run["status"] == "failed"]["student"].tolist()
        failed = f", failed: {failed}" if failed else ""
        echo(f"{a}: generated, {len(students)} submissions graded in {timings[a]:.0f} s{failed}")
    grades = course.export(root / "grades.csv")
    table = grades.pivot_table(index="student_id", columns="assignment", values="score")
    maxima = grades.groupby("assignment")["max_score"].first()
    table["total"] = table.sum(axis=1)
    table.loc["(max)"] = [*maxima[table.columns[:-1]], maxima.sum()]
    echo("")
    echo("Grades (nbgrader export):")
    echo(table.round(1).to_string())
    echo("")
    report = write_report(course)
    echo(f"CSV: {root / 'grades.csv'}; feedback: {root / 'feedback'}")
    echo(f"Class report: {report}")
    return grades
