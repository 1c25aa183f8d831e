"""Command line: generate a case and write it to a folder.

    python -m rmlib.data --customers 5000 --seed 42 --out my_case
    python -m rmlib.data --customers 1000000 --seed 1 --format parquet --out big_case

A progress bar appears for large runs (50,000 customers or more) or with
``--progress``. Each table is written as soon as it is complete and then
freed (:func:`rmlib.data._generate.generate_case_files`), so a million
customers over ten years need well under 2 GB of memory; the files are those
``generate_case(...).write(...)`` would write.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rmlib.data._case import FORMATS
from rmlib.data._generate import generate_case_files
from rmlib.data._people import LOCALES

PROGRESS_FROM = 50_000


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m rmlib.data``."""
    p = argparse.ArgumentParser(
        prog="python -m rmlib.data",
        description="Generate the case company's synthetic data (with its ground truth).",
    )
    p.add_argument("--customers", type=int, default=5000, help="number of customers (5000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (42)")
    p.add_argument("--out", required=True, help="folder to write the case to")
    p.add_argument("--format", choices=FORMATS, default="csv", help="file format (csv)")
    p.add_argument("--locale", choices=LOCALES, default="ru_RU", help="Faker locale (ru_RU)")
    p.add_argument("--start", default="2023-01-01", help="first day (2023-01-01)")
    p.add_argument("--end", default="2024-12-31", help="last day, included (2024-12-31)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing case folder")
    p.add_argument("--progress", action="store_true", help="always show a progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 on success, 2 on bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    t = time.perf_counter()
    try:
        meta = generate_case_files(
            args.out,
            n_customers=args.customers,
            start=args.start,
            end=args.end,
            locale=args.locale,
            random_state=args.seed,
            format=args.format,
            overwrite=args.overwrite,
            progress=args.progress or args.customers >= PROGRESS_FROM,
        )
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = ", ".join(f"{name}={count:,}" for name, count in meta["rows"].items())
    print(f"Case({rows}) written to {Path(args.out)} in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
