"""Grading a class: stock ``nbgrader autograde`` (serial) against the parallel sandboxed grader.

One run, one temporary folder: the same simulated submissions of one assignment
(default: 100 of ``ch01_relationships``, a mix of right, half-right and
untouched notebooks) are graded by stock nbgrader's serial ``autograde`` in a
course copy with stock configuration, then by ``python -m rmlib.grading
autograde --workers N`` for N = 1, 2, ... up to the number of cores. It prints
seconds and the speed-up over stock for each N, so the scaling can be read on a
bigger machine too. The goal on this course's 2-core machine is at least 1.7x.

    .venv/bin/python benchmarks/bench_class.py [--submissions 100] [--assignment ch01_relationships]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat
from bench_grading import STOCK_CONFIG

from rmlib.grading import submissions as S
from rmlib.grading.demo import course_root
from rmlib.grading.parallel import autograde_class
from rmlib.grading.pipeline import Course, copy_course


def _prepare(root: Path, assignment: str, n: int) -> Course:
    course = Course(root)
    course.generate(assignment)
    src = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    rel = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    ids = S.solution_ids(rel)
    for i in range(n):
        nb = S.answered(rel, src, ids[: (i % 3) * len(ids) // 2])  # none, half, all
        course.submit(f"s{i:03d}", assignment, {assignment: nb})
    return course


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--assignment", default="ch01_relationships")
    args = parser.parse_args()
    n, a = args.submissions, args.assignment
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="rm-bench-class-") as tmp:
        stock_root = copy_course(course_root(), Path(tmp) / "stock")
        (stock_root / "nbgrader_config.py").write_text(STOCK_CONFIG)
        stock = _prepare(stock_root, a, n)
        t0 = time.perf_counter()
        run = stock.autograde(a)
        stock_s = time.perf_counter() - t0
        if run.failed:
            raise SystemExit(f"stock grading failed for {run.failed}")
        results = {}
        for workers in range(1, cores + 1):
            course = _prepare(copy_course(course_root(), Path(tmp) / f"w{workers}"), a, n)
            t0 = time.perf_counter()
            table = autograde_class(course, a, workers=workers, echo=None)
            results[workers] = time.perf_counter() - t0
            if (table["status"] == "failed").any():
                raise SystemExit(f"{workers} workers: grading failed")
    print(f"{n} submissions of {a}; {cores} cores")
    print(f"stock nbgrader autograde (serial): {stock_s:7.1f} s")
    for workers, seconds in results.items():
        print(
            f"rmlib.grading autograde --workers {workers}: {seconds:7.1f} s  "
            f"speed-up over stock {stock_s / seconds:4.2f}x  "
            f"(per worker {stock_s / seconds / workers:4.2f})"
        )
    print("goal on 2 cores: speed-up >= 1.70x")


if __name__ == "__main__":
    main()
