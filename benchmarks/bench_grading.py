"""Autograding time per submission: this course's sandboxed grader against stock nbgrader.

Two temporary copies of the course are made in one run: one with the course's
configuration (the kernel jailed, every test decided outside it), one with
nbgrader's stock configuration (the same course id, header and cell timeout;
stock preprocessors). Each grades the same correct submissions of every
assignment, and the ratio of the two times per submission is printed. The
goal is a ratio of at most 1.5. Each figure includes a share of nbgrader's own
start-up (one ``nbgrader autograde`` per assignment), as an instructor would see
it; a warm-up run first fills the disk caches for both.

    .venv/bin/python benchmarks/bench_grading.py [--submissions N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat

from rmlib.grading import submissions as S
from rmlib.grading.demo import course_root
from rmlib.grading.pipeline import Course, copy_course
from rmlib.grading.sandbox import choose_mode

STOCK_CONFIG = """import os
c = get_config()
c.CourseDirectory.course_id = "relationship-marketing"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.IncludeHeaderFooter.header = os.path.join(c.CourseDirectory.root, "source", "header.ipynb")
c.Execute.timeout = 30
"""


def _grade_all(course: Course, names: list[str], n: int) -> dict[str, float]:
    per_sub = {}
    for a in names:
        course.generate(a)
        subs = {}
        for path in sorted((course.root / "source" / a).glob("*.ipynb")):
            src = nbformat.read(path, as_version=4)
            rel = nbformat.read(course.root / "release" / a / path.name, as_version=4)
            subs[path.stem] = S.answered(rel, src)
        for i in range(n):
            course.submit(f"s{i:02d}", a, subs)
        t0 = time.perf_counter()
        run = course.autograde(a)
        per_sub[a] = (time.perf_counter() - t0) / n
        if run.failed:
            raise SystemExit(f"{a}: grading failed for {run.failed}\n{run.log[-2000:]}")
    return per_sub


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=3, help="submissions per assignment")
    n = parser.parse_args().submissions
    with tempfile.TemporaryDirectory(prefix="rm-bench-") as tmp:
        ours = Course(copy_course(course_root(), Path(tmp) / "course"))
        stock_root = copy_course(course_root(), Path(tmp) / "stock")
        (stock_root / "nbgrader_config.py").write_text(STOCK_CONFIG)
        stock = Course(stock_root)
        names = ours.assignments()
        _grade_all(stock, names[:1], 1)  # warm-up: imports, disk caches, first database
        _grade_all(ours, names[:1], 1)
        times = {"stock": _grade_all(stock, names, n), "ours": _grade_all(ours, names, n)}
    print(f"autograde time per submission ({n} correct submissions per assignment)")
    print(f"sandbox mode: {choose_mode()}")
    print(f"{'assignment':24s} {'stock s':>8s} {'course s':>9s} {'ratio':>6s}")
    for a in names:
        s, o = times["stock"][a], times["ours"][a]
        print(f"{a:24s} {s:8.2f} {o:9.2f} {o / s:6.2f}")
    total_s, total_o = sum(times["stock"].values()), sum(times["ours"].values())
    print(f"{'all':24s} {total_s:8.2f} {total_o:9.2f} {total_o / total_s:6.2f}  (goal <= 1.50)")


if __name__ == "__main__":
    main()
