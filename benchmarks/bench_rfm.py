"""Speed of ``rmlib.rfm.clv_summary`` against plain pandas, DuckDB and polars, in one run.

Every engine computes the same table from the same pandas DataFrame of
synthetic transactions (default 10,000,000 rows): per customer, the number of
repeat purchase days (``frequency``), weeks from the first to the last
purchase day (``recency``), weeks from the first purchase day to the last
day of the log (``T``) and the mean spend per repeat purchase day
(``monetary_value``, 0 without repeats). The script checks that all engines
agree (frequency exactly, the rest within 1e-9 relative), then prints the
best-of-``--repeat`` wall time of each and rmlib's time divided by the
fastest. Goal: ratio <= 1.5.

Two timings per engine:

* **pandas in, pandas out** (the ratio's basis): what a course user pays,
  starting from a pandas DataFrame and ending with a pandas DataFrame indexed
  by customer id (DuckDB scans the DataFrame in place; polars converts it
  first with ``pl.from_pandas``);
* **native**: the query alone on the engine's own in-memory table, result
  left in the engine's format (for DuckDB, an in-memory table copied from
  the DataFrame beforehand), for reference.

DuckDB and polars use every core they are given; rmlib and plain pandas run
on one. Engines that are not installed are skipped with a note.

Run: ``.venv/bin/python benchmarks/bench_rfm.py [--rows N] [--repeat R] [--seed S]``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from rmlib.rfm import clv_summary

COLUMNS = ["frequency", "recency", "T", "monetary_value"]


# --------------------------------------------------------------------------- data


def make_transactions(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` synthetic purchases over two years by ``rows // 10`` customers.

    Customers differ in how often they buy (gamma-distributed weights); one
    purchase in ten is a second receipt on the same day as the customer's
    previous one (a split basket), so counting by day matters.
    """
    rng = np.random.default_rng(seed)
    n_cust = max(rows // 10, 1)
    weights = rng.gamma(0.6, 1.0, n_cust)
    cdf = np.cumsum(weights)
    cust = np.searchsorted(cdf, rng.random(rows) * cdf[-1], side="right")
    cust = np.minimum(cust, n_cust - 1) + 100_000  # ids need not start at 0
    seconds = rng.integers(0, 730 * 86_400, rows)
    # split baskets: copy the customer and the day of another row, new time of day
    split = np.flatnonzero(rng.random(rows) < 0.1)
    donor = rng.integers(0, rows, split.size)
    cust[split] = cust[donor]
    seconds[split] = seconds[donor] // 86_400 * 86_400 + rng.integers(0, 86_400, split.size)
    start = np.datetime64("2023-01-01T00:00:00", "s")
    return pd.DataFrame(
        {
            "customer_id": cust.astype(np.int64),
            "timestamp": (start + seconds.astype("timedelta64[s]")).astype("datetime64[ns]"),
            "amount": np.round(rng.gamma(2.0, 600.0, rows), 2),
        }
    )


# --------------------------------------------------------------------------- engines


def run_rmlib(df: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    return clv_summary(df, observation_end=end, freq="W")


def run_pandas(df: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The way most analysts would write it: two groupbys on customer and day."""
    daily = (
        df.assign(day=df["timestamp"].dt.normalize())
        .groupby(["customer_id", "day"], sort=False)["amount"]
        .sum()
        .reset_index()
    )
    daily["first"] = daily.groupby("customer_id")["day"].transform("min")
    daily["repeat_amount"] = daily["amount"].where(daily["day"] > daily["first"], 0.0)
    per = daily.groupby("customer_id").agg(
        first=("day", "min"),
        last=("day", "max"),
        n_days=("day", "size"),
        repeat_amount=("repeat_amount", "sum"),
    )
    frequency = per["n_days"] - 1
    week = pd.Timedelta(days=7)
    return pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (per["last"] - per["first"]) / week,
            "T": (end.normalize() - per["first"]) / week,
            "monetary_value": (per["repeat_amount"] / frequency.where(frequency > 0)).fillna(0.0),
        }
    )


DUCKDB_SQL = """
WITH daily AS (
    SELECT customer_id, CAST("timestamp" AS DATE) AS day, SUM(amount) AS amount
    FROM {table}
    GROUP BY ALL
)
SELECT
    customer_id,
    COUNT(*) - 1 AS frequency,
    date_diff('day', MIN(day), MAX(day)) / 7.0 AS recency,
    date_diff('day', MIN(day), DATE '{end}') / 7.0 AS "T",
    CASE WHEN COUNT(*) > 1
         THEN (SUM(amount) - arg_min(amount, day)) / (COUNT(*) - 1)
         ELSE 0.0 END AS monetary_value
FROM daily
GROUP BY customer_id
"""


def make_duckdb(duckdb):
    def pandas_in_out(df: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
        con = duckdb.connect()
        con.register("tx", df)
        sql = DUCKDB_SQL.format(table="tx", end=end.date())
        out = con.execute(sql + " ORDER BY customer_id").df()
        con.close()
        return out.set_index("customer_id")

    def native(df: pd.DataFrame, end: pd.Timestamp):
        con = duckdb.connect()
        con.register("src", df)
        con.execute("CREATE TABLE tx AS SELECT * FROM src")
        sql = DUCKDB_SQL.format(table="tx", end=end.date())

        def query():
            return con.execute(f"CREATE OR REPLACE TABLE out AS {sql}")

        return query, con.close

    return pandas_in_out, native


def make_polars(pl):
    def query(frame, end):
        d = (
            frame.lazy()
            .group_by("customer_id", pl.col("timestamp").dt.date().alias("day"))
            .agg(pl.col("amount").sum())
            .group_by("customer_id")
            .agg(
                n=pl.len(),
                first=pl.col("day").min(),
                last=pl.col("day").max(),
                total=pl.col("amount").sum(),
                first_amount=pl.col("amount").get(pl.col("day").arg_min()),
            )
        )
        freq = pl.col("n") - 1
        return d.select(
            "customer_id",
            frequency=freq,
            recency=(pl.col("last") - pl.col("first")).dt.total_days() / 7.0,
            T=(pl.lit(end.date()) - pl.col("first")).dt.total_days() / 7.0,
            monetary_value=pl.when(freq > 0)
            .then((pl.col("total") - pl.col("first_amount")) / freq)
            .otherwise(0.0),
        ).collect()

    def pandas_in_out(df: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
        frame = pl.from_pandas(df)
        out = query(frame, end).sort("customer_id").to_pandas()
        return out.set_index("customer_id")

    def native(df: pd.DataFrame, end: pd.Timestamp):
        frame = pl.from_pandas(df)
        return (lambda: query(frame, end)), (lambda: None)

    return pandas_in_out, native


# --------------------------------------------------------------------------- timing


def best_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def check_agree(name: str, got: pd.DataFrame, want: pd.DataFrame) -> None:
    got = got[COLUMNS].sort_index()
    assert got.index.equals(want.index), f"{name}: customers differ from rmlib's"
    np.testing.assert_array_equal(
        got["frequency"].to_numpy(np.int64), want["frequency"].to_numpy(np.int64), err_msg=name
    )
    for col in COLUMNS[1:]:
        np.testing.assert_allclose(
            got[col].to_numpy(np.float64),
            want[col].to_numpy(np.float64),
            rtol=1e-9,
            atol=1e-9,
            err_msg=f"{name}: column {col}",
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="transactions (10M)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per engine, best kept")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    t = time.perf_counter()
    df = make_transactions(args.rows, args.seed)
    print(
        f"data: {len(df):,} transactions, {df['customer_id'].nunique():,} customers, "
        f"made in {time.perf_counter() - t:.1f} s; {os.cpu_count()} CPU(s)"
    )
    end = df["timestamp"].max().normalize()
    before = df.copy(deep=True)

    engines: dict[str, tuple[Callable, Callable | None]] = {
        "rmlib": (run_rmlib, None),
        "pandas": (run_pandas, None),
    }
    versions = {"pandas": pd.__version__, "numpy": np.__version__}
    for mod_name, factory in (("duckdb", make_duckdb), ("polars", make_polars)):
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            print(f"note: {mod_name} is not installed; skipped (pip install {mod_name})")
            continue
        versions[mod_name] = mod.__version__
        engines[mod_name] = factory(mod)
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))

    results = {}
    for name, (fn, native) in engines.items():
        out = fn(df, end)  # warm-up run, also the one checked
        if name == "rmlib":  # the first engine: its table is the reference
            reference = out
        else:
            check_agree(name, out, reference)
        seconds = best_time(lambda fn=fn: fn(df, end), args.repeat)
        native_s = None
        if native is not None:
            query, close = native(df, end)
            query()
            native_s = best_time(query, args.repeat)
            close()
        results[name] = (seconds, native_s)
    pd.testing.assert_frame_equal(df, before)  # nobody changed the input
    print(f"all engines agree on {len(reference):,} customers; input unchanged\n")

    print(f"{'engine':<8} {'pandas in/out, s':>17} {'native, s':>10} {'rmlib / this':>13}")
    rm = results["rmlib"][0]
    for name, (seconds, native_s) in results.items():
        nat = f"{native_s:10.3f}" if native_s is not None else f"{'-':>10}"
        print(f"{name:<8} {seconds:17.3f} {nat} {rm / seconds:13.2f}")
    fastest = min(results, key=lambda k: results[k][0])
    ratio = rm / results[fastest][0]
    verdict = "met" if ratio <= 1.5 else "NOT met"
    print(f"\nrmlib / fastest ({fastest}), pandas in/out: {ratio:.2f}  (goal <= 1.5: {verdict})")
    natives = {k: v[1] for k, v in results.items() if v[1] is not None}
    if natives:
        k = min(natives, key=natives.get)
        print(f"rmlib / fastest native query ({k}): {rm / natives[k]:.2f}")


if __name__ == "__main__":
    main()
