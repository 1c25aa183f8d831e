"""Command line: ``python -m rmlib.grading demo`` and ``python -m rmlib.grading points``."""

from __future__ import annotations

import argparse
import os
import sys

from rmlib.grading import points
from rmlib.grading.demo import course_root, run_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rmlib.grading")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a simulated term in a temporary folder")
    demo.add_argument("--workdir", help="folder to run in (default: a new temporary folder)")
    pts = sub.add_parser("points", help="regenerate the points table of every source notebook")
    pts.add_argument("--check", action="store_true", help="only report out-of-date tables")
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(args.workdir)
        return 0
    stale = []
    for path in sorted((course_root() / "source").glob("*/*.ipynb")):
        if points.update(path, check=args.check):
            stale.append(path)
            print(f"{'out of date' if args.check else 'updated'}: {os.path.relpath(path)}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
