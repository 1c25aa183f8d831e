"""Autograde a whole class in parallel, resumably, with one line per finished student.

``python -m rmlib.grading autograde ASSIGNMENT --workers N`` splits the
submissions into N groups and runs one ``nbgrader autograde`` process per group
(the others excluded with ``--CourseDirectory.student_id_exclude``), all at
once; each submission still gets its own sandbox (see
:mod:`rmlib.grading.preprocessors`). One process per group rather than per
student, because nbgrader's start-up costs about as much as grading one
notebook. The gradebook is one SQLite file; the processes wait for each other's
short writes (SQLite's busy timeout), and any student a group did not finish is
graded again, alone, at the end.

A run records each finished student in ``autograded/.rmgrade-<assignment>.json``
with a checksum of what they submitted: run it again after an interruption and
finished students are skipped (``--force`` grades everyone again). Scores are
the same as a serial run's: each submission is graded exactly as ``nbgrader
autograde --student`` grades it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rmlib.grading.pipeline import Course

__all__ = ["StudentRun", "autograde_class", "submission_digest"]


@dataclass
class StudentRun:
    """How grading one student's submission went."""

    student: str
    status: str  # "graded", "failed", "skipped"
    seconds: float
    score: float | None
    max_score: float | None
    log: str = ""


def submission_digest(folder: Path) -> str:
    """SHA-256 over the names and bytes of every file a student submitted."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _state_file(course: Course, assignment: str) -> Path:
    return course.path("autograded", f".rmgrade-{assignment}.json")


def _load_state(course: Course, assignment: str) -> dict[str, str]:
    path = _state_file(course, assignment)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_state(course: Course, assignment: str, state: dict[str, str]) -> None:
    path = _state_file(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _score(course: Course, assignment: str, student: str) -> tuple[float | None, float | None]:
    scores = course.cell_scores(assignment, student)
    if not scores:
        return None, None
    with course.gradebook() as gb:
        max_score = float(gb.find_assignment(assignment).max_score)
    return sum(v for v in scores.values() if v is not None), max_score


_START = re.compile(r"Creating/updating student with ID '([^']+)'")
_FAILED = re.compile(r"error processing assignment '[^']+' for student '([^']+)'")


def _worker(course: Course, assignment: str, chunk, everyone, finished) -> None:
    """One ``nbgrader autograde`` process for ``chunk``; calls ``finished`` per student."""
    others = sorted(set(everyone) - set(chunk))
    args = ["autograde", assignment, "--force"]
    if others:
        args.append(f"--CourseDirectory.student_id_exclude={','.join(others)}")
    proc = subprocess.Popen(
        course.command(*args),
        cwd=course.root,
        env=course.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    current, started, failed = None, time.perf_counter(), set()
    lines: list[str] = []
    for line in proc.stderr:
        lines.append(line)
        hit = _FAILED.search(line)
        if hit:
            failed.add(hit.group(1))
        hit = _START.search(line)
        if hit and hit.group(1) != current:
            if current is not None:
                finished(StudentRun(current, "graded", time.perf_counter() - started, None, None))
            current, started = hit.group(1), time.perf_counter()
    proc.wait()
    if current is not None:
        status = "failed" if current in failed else "graded"
        finished(StudentRun(current, status, time.perf_counter() - started, None, None))
    for student in failed:
        finished(StudentRun(student, "failed", 0.0, None, None, "".join(lines[-200:])))


def autograde_class(
    course: Course,
    assignment: str,
    *,
    workers: int = 2,
    force: bool = False,
    echo=print,
) -> pd.DataFrame:
    """Autograde every submission of ``assignment``, ``workers`` at a time.

    Parameters
    ----------
    course : Course
    assignment : str
    workers : int
        How many submissions are graded at once (at least 1).
    force : bool
        Grade students again even if the state file says they are done.
    echo : callable
        Where progress lines go (``print`` by default; ``None`` for silence).

    Returns
    -------
    DataFrame
        One row per submitted student: ``student``, ``status`` (graded, failed,
        skipped), ``seconds``, ``score``, ``max_score``.
    """
    if workers < 1:
        raise ValueError(f"`workers` must be at least 1; got {workers}.")
    echo = echo or (lambda *_: None)
    students = course._submitted(assignment)
    if not students:
        raise FileNotFoundError(
            f"no submissions of {assignment!r} in {course.path('submitted')}; "
            "collect them first (`nbgrader collect` or `nbgrader zip_collect`)."
        )
    course.gradebook().close()  # create the gradebook once, before the workers race for it
    state = {} if force else _load_state(course, assignment)
    digests = {s: submission_digest(course.path("submitted", s, assignment)) for s in students}
    done = {
        s
        for s in students
        if state.get(s) == digests[s] and course.path("autograded", s, assignment).exists()
    }
    todo = [s for s in students if s not in done]
    runs: dict[str, StudentRun] = {}
    for s in sorted(done):
        score, max_score = _score(course, assignment, s)
        runs[s] = StudentRun(s, "skipped", 0.0, score, max_score)
    echo(
        f"{assignment}: {len(students)} submissions, {len(done)} already graded, "
        f"{len(todo)} to grade with {workers} worker(s)"
    )
    t_start = time.perf_counter()

    def grade(student: str) -> StudentRun:
        t0 = time.perf_counter()
        run = course.autograde(assignment, student=student)
        status = "failed" if run.failed else "graded"
        return StudentRun(student, status, time.perf_counter() - t0, None, None, run.log)

    width = len(str(len(todo)))
    count = 0
    lock = threading.Lock()

    def finished(run: StudentRun) -> None:
        with lock:
            _finished(run)

    def _finished(run: StudentRun) -> None:
        nonlocal count
        count += 1
        run.score, run.max_score = _score(course, assignment, run.student)
        runs[run.student] = run
        if run.status == "graded":
            state[run.student] = digests[run.student]
            _save_state(course, assignment, state)
        shown = "failed" if run.score is None else f"{run.score:g} / {run.max_score:g}"
        echo(f"[{count:{width}d}/{len(todo)}] {run.student:20s} {shown:>12s}  {run.seconds:5.1f} s")

    workers = min(workers, len(todo)) or 1
    chunks = [todo[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = [
            pool.submit(_worker, course, assignment, chunk, students, finished) for chunk in chunks
        ]
        for job in as_completed(jobs):
            job.result()
    for student in todo:  # anyone a worker lost (e.g. nbgrader stopped early): alone, serially
        if student not in runs or runs[student].status == "failed":
            t0 = time.perf_counter()
            run = course.autograde(assignment, student=student)
            status = "failed" if run.failed else "graded"
            count -= student in runs
            finished(StudentRun(student, status, time.perf_counter() - t0, None, None))
    table = pd.DataFrame([vars(r) for r in runs.values()]).drop(columns="log")
    table = table.sort_values("student", ignore_index=True)
    graded = table[table["status"] != "failed"]
    echo(
        f"{assignment}: {int((table['status'] == 'graded').sum())} graded, "
        f"{int((table['status'] == 'skipped').sum())} skipped, "
        f"{int((table['status'] == 'failed').sum())} failed in "
        f"{time.perf_counter() - t_start:.1f} s; mean score "
        f"{graded['score'].mean():.2f}"
        if len(graded)
        else f"{assignment}: nothing graded"
    )
    return table
