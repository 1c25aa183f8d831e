"""Speed and memory of the case generator, measured in one run.

1. Microseconds per customer row: a plain per-row Faker loop (name, e-mail,
   phone, city, company, signup date) against rmlib's pooled generator, same
   locale. The generator is timed twice: the customer contact fields alone
   (the part the loop does) and the whole case per customer (purchases,
   surveys, contact log, truth, ... included). The loop and the contact fields
   are timed as the best of three runs, so one-time import and set-up costs
   of a process are not counted per row. Goal: >= 100x per row.
2. A full case with 1,000,000 customers over ten years (2015-2024, about ten
   million purchases) written to Parquet by ``python -m rmlib.data`` in a
   fresh subprocess: wall time, peak resident memory (``ru_maxrss``) and the
   number of transactions actually written (read from the Parquet footer).
   Goal: peak <= 2 GB.

Run: ``.venv/bin/python benchmarks/bench_generate.py [--customers N] [--locale L]``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from faker import Faker

from rmlib.data import generate_case
from rmlib.data._people import PeoplePools

REPEAT = 3


def faker_loop(n: int, locale: str) -> float:
    """Seconds for ``n`` rows made the plain way: Faker called per row and field."""
    fake = Faker(locale)
    fake.seed_instance(0)
    t = time.perf_counter()
    rows = []
    for _ in range(n):
        rows.append(
            {
                "name": fake.name(),
                "email": fake.email(),
                "phone": fake.phone_number(),
                "city": fake.city(),
                "company": fake.company(),
                "signup_date": fake.date_between("-2y", "today"),
            }
        )
    return time.perf_counter() - t


def pooled_people(n: int, locale: str) -> float:
    """Seconds for ``n`` rows of contact fields with rmlib's pools (pool building included)."""
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    pools = PeoplePools(locale, seed=0)
    people = pools.people(n, rng)
    people["phone"] = pools.phones(n, rng)
    people["company"] = pools.companies(n, rng)
    return time.perf_counter() - t


def big_run(n: int, out: Path, start: str, end: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (GiB) of ``python -m rmlib.data`` for ``n`` customers."""
    cmd = [sys.executable, "-m", "rmlib.data", "--customers", str(n), "--seed", "1"]
    cmd += ["--start", start, "--end", end, "--format", "parquet", "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - t
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB
    if peak_kib <= before:
        print("  (peak of an earlier child was larger; figure below is an upper bound)")
    return seconds, peak_kib / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--locale", default="ru_RU", choices=["ru_RU", "en_US"])
    parser.add_argument("--loop-rows", type=int, default=3000)
    parser.add_argument("--start", default="2015-01-01", help="big run's first day")
    parser.add_argument("--end", default="2024-12-31", help="big run's last day")
    args = parser.parse_args()

    n_loop = args.loop_rows
    # Best of REPEAT runs each (the timeit convention): the first call in a process also pays
    # one-time costs (imports, Faker's provider loading, Arrow's string kernels, fresh memory).
    loop_us = min(faker_loop(n_loop, args.locale) for _ in range(REPEAT)) / n_loop * 1e6
    n_pool = 1_000_000
    pool_us = min(pooled_people(n_pool, args.locale) for _ in range(REPEAT)) / n_pool * 1e6
    n_case = 200_000
    t = time.perf_counter()
    generate_case(n_case, locale=args.locale, random_state=0)
    case_us = (time.perf_counter() - t) / n_case * 1e6
    t = time.perf_counter()
    generate_case(locale=args.locale)
    default_s = time.perf_counter() - t

    print(f"locale {args.locale}")
    print(f"plain per-row Faker loop ({n_loop:,} rows, best of {REPEAT}):  {loop_us:8.2f} us/row")
    print(
        f"pooled contact fields ({n_pool:,} rows, best of {REPEAT}):  {pool_us:8.2f} us/row "
        f"-> {loop_us / pool_us:6.0f}x faster (goal >= 100x)"
    )
    print(
        f"whole case per customer ({n_case:,} customers):   {case_us:8.2f} us/row "
        f"-> {loop_us / case_us:6.0f}x faster than the loop, with far more per row"
    )
    print(f"default case (5,000 customers):                   {default_s:8.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "case"
        seconds, peak = big_run(args.customers, out, args.start, args.end)
        size = sum(p.stat().st_size for p in out.iterdir()) / 2**20
        n_tx = pq.read_metadata(out / "transactions.parquet").num_rows
    print(
        f"{args.customers:,} customers, {args.start} to {args.end}, {n_tx:,} transactions "
        f"to Parquet: {seconds:.1f} s, peak memory {peak:.2f} GiB "
        f"({peak * 2**30 / 1e9:.2f} GB; goal <= 2 GB), {size:.0f} MiB on disk"
    )


if __name__ == "__main__":
    main()
