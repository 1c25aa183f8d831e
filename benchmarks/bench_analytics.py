"""The analytics benchmarks in one run: RFM summary and BG/NBD fit.

1. ``rmlib.rfm.clv_summary`` on 10,000,000 transactions against plain pandas,
   DuckDB and polars computing the same table (``bench_rfm.py``; goal: within
   1.5x of the fastest).
2. ``rmlib.clv.BetaGeoModel`` on 1,000,000 customers against ``lifetimes``'
   ``BetaGeoFitter`` (``bench_clv.py``; goal: >= 10x faster, same parameters to
   three significant digits). lifetimes runs in the interpreter given by
   ``--lifetimes-python``; by default ``.venv-lifetimes/bin/python``, which
   ``make bench`` builds from ``benchmarks/lifetimes-requirements.txt``
   (``bench_clv.DEFAULT_LIFETIMES``).

Run: ``.venv/bin/python benchmarks/bench_analytics.py [--rows N] [--customers N]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_clv
import bench_rfm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="transactions for RFM")
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers for BG/NBD")
    parser.add_argument("--lifetimes-python", default=bench_clv.DEFAULT_LIFETIMES)
    args = parser.parse_args(argv)
    print("== RFM summary (clv_summary)")
    bench_rfm.main(["--rows", str(args.rows)])
    print("\n== BG/NBD fit")
    return bench_clv.main(
        ["--customers", str(args.customers), "--lifetimes-python", args.lifetimes_python]
    )


if __name__ == "__main__":
    sys.exit(main())
