"""Recency, frequency and monetary value (RFM) from a transaction log.

Two views of the same purchase log live here:

* the **summary that customer-lifetime-value models need**
  (:func:`clv_summary`): per customer, the number of repeat purchases
  (``frequency``), the time from the first to the last purchase
  (``recency``), the customer's age at the end of the observation period
  (``T``) and the mean spend of the repeat purchases (``monetary_value``),
  in days or weeks. This is the input of the BG/NBD and Gamma-Gamma models
  in :mod:`rmlib.clv` (Fader, Hardie & Lee 2005).

The summary is computed with plain numpy on integer day numbers
(``pd.factorize`` for customer codes, ``np.bincount`` and
``np.minimum.at``/``np.maximum.at`` for the per-customer sums, minima and
maxima, ``pd.unique`` for the distinct purchase days). A ``groupby`` with
several aggregations gives the same table but is several times slower on
millions of rows; ``benchmarks/bench_rfm.py`` compares both, DuckDB and
polars. No maintained library offers this summary without heavy
dependencies: ``lifetimes`` (which popularised it) is archived and breaks
on current pandas.

Examples
--------
>>> import pandas as pd
>>> log = pd.DataFrame({
...     "customer_id": [1, 1, 1, 2],
...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-10"]),
...     "amount": [10.0, 20.0, 40.0, 5.0],
... })
>>> clv_summary(log, freq="D")
             frequency  recency     T  monetary_value
customer_id
1                    2     14.0  14.0            30.0
2                    0      0.0   5.0             0.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rmlib._validate import (
    check_datetime_column,
    check_frame,
    check_no_missing,
    check_nonnegative,
    check_one_of,
    check_timestamp,
)

__all__ = ["FREQ_DAYS", "clv_summary"]

#: Length of one time unit of :func:`clv_summary`, in days.
FREQ_DAYS = {"D": 1.0, "W": 7.0}


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 (int64) of a datetime Series; time of day dropped."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)  # local calendar day, not the UTC one
    return dates.to_numpy().astype("datetime64[D]").astype(np.int64)


def _end_day(observation_end: Any, arg: str) -> int:
    ts = check_timestamp(observation_end, arg)
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(np.datetime64(ts.to_datetime64(), "D").astype(np.int64))


def _validated_log(
    transactions: Any, customer_col: str, date_col: str, amount_col: str | None
) -> pd.DataFrame:
    cols = [customer_col, date_col] + ([amount_col] if amount_col is not None else [])
    df = check_frame(transactions, "transactions", cols)
    check_no_missing(df, "transactions", customer_col)
    check_datetime_column(df, "transactions", date_col)
    if amount_col is not None:
        check_nonnegative(df, "transactions", amount_col)
    return df


def _check_not_after(days: np.ndarray, end: int, df: pd.DataFrame, date_col: str, arg: str):
    late = days > end
    if late.any():
        first = list(df.index[late][:3])
        end_str = str(np.datetime64(end, "D"))
        raise ValueError(
            f"column {date_col!r} of `transactions` has {int(late.sum())} purchase(s) after "
            f"{arg}={end_str} (first at index {first}). Pass a later `{arg}`, or keep only "
            f"the purchases up to it, e.g. "
            f"transactions[transactions[{date_col!r}] < pd.Timestamp({end_str!r}) "
            f"+ pd.Timedelta(days=1)]."
        )


def clv_summary(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    amount_col: str = "amount",
    observation_end: Any = None,
    freq: str = "W",
) -> pd.DataFrame:
    """Per-customer frequency, recency, age and repeat spend: the input of BG/NBD and Gamma-Gamma.

    Purchases are counted by calendar day: several purchases by one customer
    on the same day count as one purchase whose amount is their sum (the
    convention of the published CDNOW summary, Fader, Hardie & Lee 2005).
    The first purchase day is the customer's birth; only the days after it
    are *repeat* purchases.

    Parameters
    ----------
    transactions : DataFrame
        The purchase log, one row per purchase. Not modified.
    customer_col : str, default "customer_id"
        Column with the customer id (no missing values).
    date_col : str, default "timestamp"
        Datetime column with the purchase time; the time of day is ignored
        (time-zone-aware dates are taken in their local calendar).
    amount_col : str, default "amount"
        Numeric column with the amount paid (no missing or negative values).
    observation_end : date-like, optional
        Last day of the observation period (a whole day: a purchase at any
        time on that day is inside). Default: the day of the last purchase
        in ``transactions``. A purchase after it is an error: cut the log
        first.
    freq : {"W", "D"}, default "W"
        Time unit of ``recency`` and ``T``: ``"D"`` days, ``"W"`` weeks
        counted as days / 7 (fractional weeks, as in the CDNOW summary).

    Returns
    -------
    DataFrame
        One row per customer, indexed by customer id (index named
        ``customer_col``, sorted), with columns

        - ``frequency`` (int): number of repeat purchase days, i.e. distinct
          purchase days minus one;
        - ``recency`` (float): time from the first to the last purchase day;
        - ``T`` (float): time from the first purchase day to
          ``observation_end``;
        - ``monetary_value`` (float): mean amount per repeat purchase day
          (amounts on one day summed, the first day left out); 0 for a
          customer with no repeat purchase.

    Raises
    ------
    TypeError
        If ``transactions`` is not a DataFrame, the dates are not datetimes
        or the amounts are not numeric.
    ValueError
        If a column is missing, a customer id, date or amount is missing,
        an amount is negative, a purchase falls after ``observation_end``,
        the log is empty or ``freq`` is not "D" or "W".

    See Also
    --------
    rmlib.clv.BetaGeoModel : purchase model fitted on frequency, recency and T.
    rmlib.clv.GammaGammaModel : spend model fitted on frequency and monetary_value.

    Examples
    --------
    Customer 1 buys on 1, 8 and 15 January, twice on the 8th; customer 2
    buys once:

    >>> log = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 1, 2],
    ...     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-08 09:00",
    ...                                  "2024-01-08 18:30", "2024-01-15 00:00", "2024-01-10 12:00"]),
    ...     "amount": [10.0, 15.0, 5.0, 40.0, 5.0],
    ... })
    >>> clv_summary(log, observation_end="2024-01-29")
                 frequency  recency    T  monetary_value
    customer_id
    1                    2      2.0  4.0            30.0
    2                    0      0.0  2.7             0.0

    The CDNOW sample over the 39-week calibration period of Fader, Hardie &
    Lee (2005):

    >>> from rmlib.datasets import load_cdnow
    >>> cal = load_cdnow().query("date <= '1997-09-30'")
    >>> s = clv_summary(cal, date_col="date", observation_end="1997-09-30")
    >>> len(s), int((s["frequency"] == 0).sum()), round(float(s["T"].max()), 2)
    (2357, 1411, 38.86)
    """
    df = _validated_log(transactions, customer_col, date_col, amount_col)
    check_one_of(freq, "freq", list(FREQ_DAYS))
    days = _day_numbers(df[date_col])
    if observation_end is None:
        end = int(days.max())
    else:
        end = _end_day(observation_end, "observation_end")
        _check_not_after(days, end, df, date_col, "observation_end")

    codes, ids = pd.factorize(df[customer_col], sort=True)
    n = len(ids)
    amount = df[amount_col].to_numpy(dtype=np.float64)

    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes, days)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, codes, days)

    # distinct (customer, day) pairs, as one int64 key, counted per customer
    lo = int(first.min())
    span = int(last.max()) - lo + 1
    pairs = pd.unique(codes.astype(np.int64) * span + (days - lo))
    n_days = np.bincount(pairs // span, minlength=n)
    frequency = n_days - 1

    repeat_amount = np.bincount(
        codes, weights=np.where(days > first[codes], amount, 0.0), minlength=n
    )
    monetary = np.divide(
        repeat_amount, frequency, out=np.zeros(n, dtype=np.float64), where=frequency > 0
    )
    unit = FREQ_DAYS[freq]
    index = pd.Index(ids, name=customer_col)
    return pd.DataFrame(
        {
            "frequency": frequency.astype(np.int64),
            "recency": (last - first) / unit,
            "T": (end - first) / unit,
            "monetary_value": monetary,
        },
        index=index,
    )
