"""Command line: ``python -m rmlib.grading demo | points | autograde | report``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rmlib.grading import points
from rmlib.grading.demo import course_root, run_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rmlib.grading")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a simulated term in a temporary folder")
    demo.add_argument("--workdir", help="folder to run in (default: a new temporary folder)")
    pts = sub.add_parser("points", help="regenerate the points table of every source notebook")
    pts.add_argument("--check", action="store_true", help="only report out-of-date tables")
    auto = sub.add_parser(
        "autograde", help="autograde every submission of an assignment, in parallel"
    )
    auto.add_argument("assignment")
    auto.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    auto.add_argument("--force", action="store_true", help="grade finished students again")
    auto.add_argument(
        "--course", help="course folder (default: the current folder if it holds "
        "nbgrader_config.py, else the repository's assignments/)"
    )  # fmt: skip
    rep = sub.add_parser("report", help="write the class report (HTML) after autograding")
    rep.add_argument("--course", help="course folder (default as for autograde)")
    rep.add_argument("--out", help="HTML file to write (default: <course>/class_report.html)")
    args = parser.parse_args(argv)
    if args.command == "report":
        from rmlib.grading.pipeline import Course
        from rmlib.grading.report import write_report

        here = Path.cwd()
        root = args.course or (here if (here / "nbgrader_config.py").exists() else course_root())
        print(f"Class report: {write_report(Course(root), args.out)}")
        return 0
    if args.command == "demo":
        run_demo(args.workdir)
        return 0
    if args.command == "autograde":
        from rmlib.grading.parallel import autograde_class
        from rmlib.grading.pipeline import Course

        here = Path.cwd()
        root = args.course or (here if (here / "nbgrader_config.py").exists() else course_root())
        table = autograde_class(
            Course(root), args.assignment, workers=args.workers, force=args.force
        )
        return 1 if (table["status"] == "failed").any() else 0
    stale = []
    for path in sorted((course_root() / "source").glob("*/*.ipynb")):
        if points.update(path, check=args.check):
            stale.append(path)
            print(f"{'out of date' if args.check else 'updated'}: {os.path.relpath(path)}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
