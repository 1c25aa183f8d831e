"""Autograding time per submission for each assignment, against a trivial floor.

The floor is a one-cell notebook (``rmlib.grading.probe.floor_notebook``): what
nbgrader itself costs per submission (sanitising, a kernel start, saving grades).
Each assignment's ratio to the floor shows what its own cells add. Everything is
measured in one run, in a temporary copy of the course; correct submissions only.
Each figure includes a share of nbgrader's own start-up (one ``nbgrader autograde`` per
assignment), as an instructor would see it; the floor run is repeated once first so that
caches are warm for everyone.

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
from rmlib.grading.probe import floor_notebook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=3, help="submissions per assignment")
    n = parser.parse_args().submissions
    with tempfile.TemporaryDirectory(prefix="rm-bench-") as tmp:
        root = copy_course(course_root(), Path(tmp) / "course")
        (root / "source" / "floor").mkdir(parents=True)
        nbformat.write(floor_notebook(), root / "source" / "floor" / "floor.ipynb")
        course = Course(root)
        names = ["floor", *[a for a in course.assignments() if a != "floor"]]
        per_sub = {}
        for a in names:
            course.generate(a)
            subs = {}
            for path in sorted((root / "source" / a).glob("*.ipynb")):
                src = nbformat.read(path, as_version=4)
                rel = nbformat.read(root / "release" / a / path.name, as_version=4)
                subs[path.stem] = S.answered(rel, src)
            for i in range(n):
                course.submit(f"s{i:02d}", a, subs)
            if a == "floor":  # warm-up: first database writes, disk caches, imports
                course.autograde(a)
            t0 = time.perf_counter()
            run = course.autograde(a)
            per_sub[a] = (time.perf_counter() - t0) / n
            if run.failed:
                raise SystemExit(f"{a}: grading failed for {run.failed}")
    floor = per_sub["floor"]
    print(f"autograde time per submission ({n} correct submissions per assignment)")
    print(f"{'assignment':24s} {'s/submission':>13s} {'x floor':>8s}")
    for a, t in per_sub.items():
        print(f"{a:24s} {t:13.2f} {t / floor:8.2f}")


if __name__ == "__main__":
    main()
