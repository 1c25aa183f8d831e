"""Recency, frequency and monetary value (RFM) from a transaction log.

Two views of the same purchase log live here.

* **RFM segmentation** for marketers: :func:`rfm_table` (days since the
  last purchase, number of purchase days and total spend per customer, as of
  a date), :func:`rfm_scores` (1-5 scores from rank-based quantiles, so ties
  and the mass of one-time buyers get one fair score instead of breaking
  ``pd.qcut``), :func:`rfm_segments` (the usual eleven named segments, from
  champions to lost, by a documented grid on the R score and the FM score),
  :func:`segment_summary` (size, spend and revenue share per segment, with
  an optional row for all customers) and
  :func:`score_matrix` (customers or spend per cell of a score grid, for a
  heatmap).
* The **summary that customer-lifetime-value models need**
  (:func:`clv_summary`): per customer, the number of repeat purchases
  (``frequency``), the time from the first to the last purchase
  (``recency``), the customer's age at the end of the observation period
  (``T``) and the mean spend of the repeat purchases (``monetary_value``),
  in days or weeks. This is the input of the BG/NBD and Gamma-Gamma models
  in :mod:`rmlib.clv` (Fader, Hardie & Lee 2005).

Both count purchases by calendar day and are computed with numpy on integer
day numbers: ``pd.factorize`` gives customer codes, one ``np.sort`` of the
int64 keys ``customer code * span + day`` gives each customer's first and
last purchase day and distinct purchase days, and ``np.bincount`` sums the
amounts. A ``groupby`` with several aggregations gives the same table but is
slower on millions of rows; ``benchmarks/bench_rfm.py`` compares it with
plain pandas, DuckDB and polars. The summary is written here because no
maintained library offers it without heavy dependencies: ``lifetimes``
(which popularised it) is archived and breaks on current pandas.

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

import warnings
from typing import Any

import numpy as np
import pandas as pd

from rmlib._validate import (
    check_customer_frame,
    check_frame,
    check_no_missing,
    check_nonnegative,
    check_one_of,
    check_positive_int,
    check_timestamp,
    first_labels,
    renamed,
)

__all__ = [
    "calibration_holdout_summary",
    "ALL_CUSTOMERS",
    "FREQ_DAYS",
    "SEGMENTS",
    "clv_summary",
    "rfm_scores",
    "rfm_segments",
    "rfm_table",
    "score_matrix",
    "segment_grid",
    "segment_summary",
]

#: Length of one time unit of :func:`clv_summary`, in days.
FREQ_DAYS = {"D": 1.0, "W": 7.0}

#: Label of the whole-table row of :func:`segment_summary` with ``total=True``.
ALL_CUSTOMERS = "all customers"


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 (int64) of a datetime Series; time of day dropped."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)  # local calendar day, not the UTC one
    return dates.to_numpy().astype("datetime64[D]").astype(np.int64)


def _purchase_days(customers: pd.Series, days: np.ndarray):
    """Customer codes and ids, and per customer the first and last day and the number of days.

    One sort of int64 keys ``code * span + day`` (numpy's SIMD sort) gives all
    three: each customer's keys are contiguous, the first and last of them
    hold the first and last purchase day, and the keys that differ from
    their predecessor are the distinct purchase days.
    """
    try:
        codes, ids = pd.factorize(customers, sort=True)
    except (
        TypeError
    ):  # ids of mixed types (e.g. 7 and "A7") cannot be sorted: keep first-seen order
        codes, ids = pd.factorize(customers, sort=False)
    lo = int(days.min())
    span = int(days.max()) - lo + 1
    keys = np.sort(codes.astype(np.int64) * span + (days - lo))
    new_day = np.empty(len(keys), dtype=bool)
    new_day[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new_day[1:])
    cust, day = np.divmod(keys[new_day], span)  # one row per (customer, purchase day)
    n_days = np.bincount(cust, minlength=len(ids))
    ends = np.cumsum(n_days)
    first = day[ends - n_days] + lo
    last = day[ends - 1] + lo
    return codes, ids, first, last, n_days


def _validated_log(
    transactions: Any, customer_col: str, date_col: str, amount_col: str | None
) -> pd.DataFrame:
    df = check_customer_frame(
        transactions, "transactions", customer_col, [amount_col], date_col=date_col
    )
    if amount_col is not None:
        check_nonnegative(df, "transactions", amount_col)
    return df


def _end_day(days: np.ndarray, value: Any, df: pd.DataFrame, date_col: str, arg: str) -> int:
    """Day number of ``value`` (default: the last purchase day); no purchase may be later."""
    if value is None:
        return int(days.max())
    ts = check_timestamp(value, arg, df[date_col])  # naive, on the log's wall clock
    end = int(np.datetime64(ts.to_datetime64(), "D").astype(np.int64))
    late = days > end
    if late.any():
        end_str = str(np.datetime64(end, "D"))
        raise ValueError(
            f"column {date_col!r} of `transactions` has {int(late.sum())} purchase(s) after "
            f"{arg}={end_str} (first at index {first_labels(df.index, late)}). Pass a later "
            f"`{arg}`, or keep only the purchases up to it, e.g. "
            f"transactions[transactions[{date_col!r}] < pd.Timestamp({end_str!r}) "
            f"+ pd.Timedelta(days=1)]."
        )
    return end


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
    end = _end_day(days, observation_end, df, date_col, "observation_end")

    codes, ids, first, last, n_days = _purchase_days(df[customer_col], days)
    n = len(ids)
    frequency = n_days - 1
    amount = df[amount_col].to_numpy(dtype=np.float64)
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


# --------------------------------------------------------------------------- RFM segmentation


def rfm_table(
    transactions: pd.DataFrame,
    observation_end: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    amount_col: str = "amount",
    *,
    as_of: Any = None,
) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer, as of a date.

    Parameters
    ----------
    transactions : DataFrame
        The purchase log, one row per purchase. Not modified.
    observation_end : date-like, optional
        The day the table describes (a whole day), as in :func:`clv_summary`.
        Default: the day of the last purchase in ``transactions``. A purchase
        after it is an error: cut the log first.
    customer_col, date_col, amount_col : str
        Columns with the customer id, the purchase time (datetime) and the
        amount paid (numeric, no missing or negative values).
    as_of : date-like, optional
        Former name of ``observation_end`` (deprecated: one name for one date
        across rmlib).

    Returns
    -------
    DataFrame
        One row per customer who bought, indexed by customer id (sorted),
        with columns

        - ``recency`` (int): whole days from the last purchase day to
          ``observation_end`` (0 = bought on that day);
        - ``frequency`` (int): number of distinct purchase days (several
          receipts on one day count once, as in :func:`clv_summary`, whose
          ``frequency`` is this minus one);
        - ``monetary`` (float): total amount spent up to ``observation_end``.

    Raises
    ------
    TypeError, ValueError
        On a bad log (see :func:`clv_summary`) or a purchase after ``observation_end``.

    See Also
    --------
    rfm_scores : 1-5 scores from this table.

    Examples
    --------
    >>> log = pd.DataFrame({
    ...     "customer_id": [7, 7, 7, 9],
    ...     "timestamp": pd.to_datetime(["2024-03-01 10:00", "2024-03-01 17:00",
    ...                                  "2024-03-20 12:00", "2024-02-10 09:00"]),
    ...     "amount": [100.0, 50.0, 80.0, 500.0],
    ... })
    >>> rfm_table(log, observation_end="2024-03-31")
                 recency  frequency  monetary
    customer_id
    7                 11          2     230.0
    9                 50          1     500.0
    """
    df = _validated_log(transactions, customer_col, date_col, amount_col)
    days = _day_numbers(df[date_col])
    observation_end = renamed("rfm_table", "as_of", as_of, "observation_end", observation_end,
                              None, "clv_summary and the retention functions call it so")  # fmt: skip
    end = _end_day(days, observation_end, df, date_col, "observation_end")
    codes, ids, _, last, n_days = _purchase_days(df[customer_col], days)
    monetary = np.bincount(codes, weights=df[amount_col].to_numpy(np.float64), minlength=len(ids))
    return pd.DataFrame(
        {"recency": (end - last).astype(np.int64), "frequency": n_days, "monetary": monetary},
        index=pd.Index(ids, name=customer_col),
    )


def _rank_score(values: pd.Series, bins: int, ascending: bool) -> np.ndarray:
    pct = values.rank(method="average", pct=True, ascending=ascending).to_numpy()
    return np.clip(np.ceil(pct * bins - 1e-9), 1, bins).astype(np.int64)


def rfm_scores(
    rfm: pd.DataFrame,
    bins: int = 5,
    recency_col: str = "recency",
    frequency_col: str = "frequency",
    monetary_col: str = "monetary",
) -> pd.DataFrame:
    """Score recency, frequency and monetary value from 1 to ``bins`` by rank.

    Each score is ``ceil(bins * percentile rank)``, where the percentile
    rank is ``rank(method="average") / n``. Customers with equal values get
    equal scores (the score of the middle of their block), so the method
    works on heavy ties and low-frequency data where ``pd.qcut`` fails with
    duplicate bin edges; with few distinct values some scores stay unused.
    A shorter recency (a more recent purchase) gets a *higher* R score; more
    purchases and more money get higher F and M scores.

    Parameters
    ----------
    rfm : DataFrame
        One row per customer, e.g. from :func:`rfm_table`. Not modified.
    bins : int, default 5
        Number of score levels (at least 2).
    recency_col, frequency_col, monetary_col : str
        Numeric columns (no missing or negative values) to score.

    Returns
    -------
    DataFrame
        A copy of ``rfm`` with integer columns ``R``, ``F``, ``M`` in
        ``1..bins`` and ``RFM``, the three scores as a string such as
        ``"545"``.

    Examples
    --------
    Eight customers, five of whom bought once: the ties share the F score 2,
    the middle of the lowest 5/8 of ranks.

    >>> rfm = pd.DataFrame({"recency": [3, 40, 200, 10, 90, 365, 15, 60],
    ...                     "frequency": [12, 1, 1, 4, 1, 1, 6, 1],
    ...                     "monetary": [900, 40, 55, 300, 20, 35, 410, 80]})
    >>> rfm_scores(rfm)[["R", "F", "M", "RFM"]].T
           0    1    2    3    4    5    6    7
    R      5    4    2    5    2    1    4    3
    F      5    2    2    4    2    2    5    2
    M      5    2    3    4    1    2    5    4
    RFM  555  422  223  544  221  122  455  324
    """
    cols = [recency_col, frequency_col, monetary_col]
    df = check_frame(rfm, "rfm", cols)
    bins = check_positive_int(bins, "bins", minimum=2)
    for col in cols:
        check_nonnegative(df, "rfm", col)
    r = _rank_score(df[recency_col], bins, ascending=False)
    f = _rank_score(df[frequency_col], bins, ascending=True)
    m = _rank_score(df[monetary_col], bins, ascending=True)
    out = df.copy()
    out["R"], out["F"], out["M"] = r, f, m
    width = len(str(bins))
    code = (
        pd.Series(r, index=df.index).astype(str).str.zfill(width)
        + pd.Series(f, index=df.index).astype(str).str.zfill(width)
        + pd.Series(m, index=df.index).astype(str).str.zfill(width)
    )
    out["RFM"] = code
    out.attrs["rfm_bins"] = bins  # lets rfm_segments refuse scores on another scale
    return out


#: The eleven segments, from the most to the least valuable, with what to do.
SEGMENTS: dict[str, str] = {
    "champions": "bought recently, buy often and spend the most: reward them, ask for reviews",
    "loyal": "buy often and spend well, fairly recently: upsell, invite to the loyalty programme",
    "potential loyalists": "recent customers with average frequency and spend: offer membership",
    "new": "bought for the first time very recently: onboard them, make the second purchase easy",
    "promising": "recent but low frequency and spend: build awareness, free trials",
    "need attention": "average on all three: limited-time offers based on past purchases",
    "about to sleep": "below average recency, frequency and spend: share popular products",
    "at risk": "used to buy often and spend well, but long ago: personal win-back e-mails",
    "can't lose them": "the best past customers, gone quiet: win them back, talk to them",
    "hibernating": "last purchase long ago, few purchases, low spend: offer relevant products",
    "lost": "lowest on all three: revive with a generic campaign or leave them",
}

# Rows: R score 1..5; columns: FM score 1..5.
_GRID = [
    ["lost", "lost", "at risk", "at risk", "can't lose them"],
    ["hibernating", "hibernating", "at risk", "at risk", "can't lose them"],
    ["about to sleep", "about to sleep", "need attention", "loyal", "loyal"],
    ["promising", "potential loyalists", "potential loyalists", "loyal", "loyal"],
    ["new", "potential loyalists", "potential loyalists", "champions", "champions"],
]


def segment_grid() -> pd.DataFrame:
    """The rule table of :func:`rfm_segments`: segment by R score (rows) and FM score (columns).

    Examples
    --------
    >>> segment_grid().loc[5]
    FM
    1                    new
    2    potential loyalists
    3    potential loyalists
    4              champions
    5              champions
    Name: 5, dtype: str
    """
    return pd.DataFrame(
        _GRID,
        index=pd.Index(range(1, 6), name="R"),
        columns=pd.Index(range(1, 6), name="FM"),
    )


def rfm_segments(
    scores: pd.DataFrame, r_col: str = "R", f_col: str = "F", m_col: str = "M"
) -> pd.DataFrame:
    """Name each customer's segment from 1-5 R, F and M scores.

    The FM score is the mean of F and M rounded half up,
    ``(F + M + 1) // 2``; the segment is then read from this grid (rows: R
    score, columns: FM score; :func:`segment_grid` returns it as a DataFrame),
    so every customer gets exactly one:

    ======  ==============  ===================  ===================  =========  ===============
    R, FM   1               2                    3                    4          5
    ======  ==============  ===================  ===================  =========  ===============
    5       new             potential loyalists  potential loyalists  champions  champions
    4       promising       potential loyalists  potential loyalists  loyal      loyal
    3       about to sleep  about to sleep       need attention       loyal      loyal
    2       hibernating     hibernating          at risk              at risk    can't lose them
    1       lost            lost                 at risk              at risk    can't lose them
    ======  ==============  ===================  ===================  =========  ===============

    This follows the widely used eleven-segment RFM map (R against the
    combined FM score) but, unlike the overlapping ranges in which it is
    often published, assigns each of the 25 cells to one segment.

    Parameters
    ----------
    scores : DataFrame
        Scores from ``rfm_scores(..., bins=5)``. Not modified.
    r_col, f_col, m_col : str
        Integer score columns with values 1..5.

    Returns
    -------
    DataFrame
        A copy of ``scores`` with ``FM`` (int) and ``segment``, an ordered
        categorical whose categories are the keys of :data:`SEGMENTS`, from
        the most to the least valuable.

    Examples
    --------
    >>> scores = pd.DataFrame({"R": [5, 5, 1, 2, 3], "F": [5, 1, 5, 1, 3], "M": [4, 1, 5, 2, 1]})
    >>> rfm_segments(scores)["segment"].tolist()
    ['champions', 'new', "can't lose them", 'hibernating', 'about to sleep']
    """
    df = check_frame(scores, "scores", [r_col, f_col, m_col])
    for col in (r_col, f_col, m_col):
        s = df[col]
        ok = pd.api.types.is_integer_dtype(s) and not s.isna().any() and s.between(1, 5).all()
        if not ok:
            if pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
                found = f"values from {s.min()} to {s.max()}"
                if s.isna().any():
                    found += f" and {int(s.isna().sum())} missing"
            else:
                found = f"dtype {s.dtype}"
            raise ValueError(
                f"column {col!r} of `scores` must hold integer scores 1..5, found {found}. "
                f"Score the customers with rfm_scores(rfm, bins=5) first."
            )
    _check_five_levels(df, (r_col, f_col, m_col))
    r = df[r_col].to_numpy(np.int64)
    fm = (df[f_col].to_numpy(np.int64) + df[m_col].to_numpy(np.int64) + 1) // 2
    names = np.array(_GRID, dtype=object)[r - 1, fm - 1]
    out = df.copy()
    out["FM"] = fm
    out["segment"] = pd.Categorical(names, categories=list(SEGMENTS), ordered=True)
    return out


def _check_five_levels(df: pd.DataFrame, cols: tuple[str, str, str]) -> None:
    """Refuse (or warn about) scores made on fewer than 5 levels: the grid is 5 x 5."""
    bins = df.attrs.get("rfm_bins")
    if bins is not None and bins != 5:
        raise ValueError(
            f"`scores` were made with rfm_scores(..., bins={bins}), but the segment grid has 5 "
            f"levels per score, so a top score of {bins} would land in the wrong segment. "
            f"Score with rfm_scores(rfm, bins=5) first."
        )
    top = max(int(df[c].max()) for c in cols)
    if bins is None and len(df) >= 10 and top < 5:
        warnings.warn(
            f"no score in `scores` reaches 5 (the highest is {top}) among {len(df)} customers: "
            f"were they made with fewer bins (rfm_scores(..., bins={top}))? The segment grid "
            f"reads 1..5; score with rfm_scores(rfm, bins=5).",
            UserWarning,
            stacklevel=3,
        )


def segment_summary(
    segmented: pd.DataFrame,
    recency_col: str = "recency",
    frequency_col: str = "frequency",
    monetary_col: str = "monetary",
    segment_col: str = "segment",
    *,
    total: bool = False,
) -> pd.DataFrame:
    """Size, mean RFM values and revenue share of each segment.

    Parameters
    ----------
    segmented : DataFrame
        Output of :func:`rfm_segments` on scores of :func:`rfm_table`
        (one row per customer). Not modified.
    recency_col, frequency_col, monetary_col, segment_col : str
        Column names.
    total : bool, default False
        Add a last row, :data:`ALL_CUSTOMERS` (``"all customers"``), with the same
        figures for the whole table: every customer, their mean recency, frequency
        and spend, the total revenue, and shares of 1.

    Returns
    -------
    DataFrame
        One row per segment present, in the order of :data:`SEGMENTS` (then the
        ``"all customers"`` row with ``total=True``), with ``customers``,
        ``share_customers`` (0-1), ``mean_recency``, ``mean_frequency``,
        ``mean_monetary``, ``revenue`` (sum of monetary) and ``share_revenue``
        (0-1; 0 for every row when nobody spent anything).

    Examples
    --------
    >>> seg = pd.DataFrame({"recency": [1, 3, 300], "frequency": [9, 7, 1],
    ...                     "monetary": [900.0, 700.0, 400.0],
    ...                     "segment": ["champions", "champions", "lost"]})
    >>> segment_summary(seg)[["customers", "share_customers", "revenue", "share_revenue"]]
               customers  share_customers  revenue  share_revenue
    segment
    champions          2         0.666667   1600.0            0.8
    lost               1         0.333333    400.0            0.2
    >>> segment_summary(seg, total=True).loc["all customers", ["customers", "mean_monetary"]]
    customers           3.000000
    mean_monetary     666.666667
    Name: all customers, dtype: float64
    """
    if not isinstance(total, (bool, np.bool_)):
        raise TypeError(
            f"`total` must be True or False (add an 'all customers' row or not), got "
            f"{type(total).__name__} {total!r}."
        )
    cols = [recency_col, frequency_col, monetary_col, segment_col]
    df = check_frame(segmented, "segmented", cols)
    check_no_missing(df, "segmented", segment_col)
    for col in cols[:3]:
        check_nonnegative(df, "segmented", col)
    unknown = sorted(set(df[segment_col].astype(str)) - set(SEGMENTS))
    if unknown:
        raise ValueError(
            f"column {segment_col!r} of `segmented` has unknown segment(s) {unknown}; "
            f"expected names from rfm_segments: {', '.join(repr(s) for s in SEGMENTS)}."
        )
    labels = list(SEGMENTS)
    seg = pd.Categorical(df[segment_col].astype(str), categories=labels, ordered=True)
    values = df[[recency_col, frequency_col, monetary_col]]
    groups = [values.groupby(seg, observed=True)]
    if total:
        labels.append(ALL_CUSTOMERS)
        everyone = np.full(len(df), ALL_CUSTOMERS, dtype=object)
        groups.append(values.groupby(everyone))
    out = pd.concat(
        [
            pd.DataFrame(
                {
                    "customers": g.size(),
                    "mean_recency": g[recency_col].mean(),
                    "mean_frequency": g[frequency_col].mean(),
                    "mean_monetary": g[monetary_col].mean(),
                    "revenue": g[monetary_col].sum().astype(np.float64),
                }
            )
            for g in groups
        ]
    )
    out.insert(1, "share_customers", out["customers"] / len(df))
    revenue = float(df[monetary_col].sum())
    out["share_revenue"] = out["revenue"] / revenue if revenue > 0 else 0.0
    out.index = pd.CategoricalIndex(out.index.astype(str), categories=labels, ordered=True)
    out.index.name = "segment"
    return out


def score_matrix(
    scores: pd.DataFrame,
    row: str = "R",
    column: str = "F",
    value: str | None = None,
    agg: str = "mean",
) -> pd.DataFrame:
    """Customers (or a mean/total value) per cell of a score grid, e.g. R against F.

    The input of :func:`rmlib.plots.rfm_heatmap`. Every score from 1 to the
    highest score present appears on both axes, so empty cells show as 0
    customers (or NaN for a mean).

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores` or :func:`rfm_segments`. Not modified.
    row, column : str, default "R" and "F"
        Integer score columns for the rows and columns of the grid.
    value : str, optional
        Numeric column to aggregate per cell (e.g. ``"monetary"``); default:
        count customers.
    agg : {"mean", "sum", "median"}, default "mean"
        How to aggregate ``value``.

    Returns
    -------
    DataFrame
        Index named ``row`` and columns named ``column``, scores 1..max.

    Examples
    --------
    >>> s = pd.DataFrame({"R": [5, 5, 1], "F": [5, 4, 1], "monetary": [900.0, 500.0, 20.0]})
    >>> score_matrix(s).loc[[5, 1], [1, 4, 5]]
    F  1  4  5
    R
    5  0  1  1
    1  1  0  0
    >>> float(score_matrix(s, value="monetary", agg="sum").loc[5, 5])
    900.0
    """
    cols = [row, column] + ([value] if value is not None else [])
    df = check_frame(scores, "scores", cols)
    for col in (row, column):
        s = df[col]
        if not pd.api.types.is_integer_dtype(s) or s.isna().any() or (s < 1).any():
            raise ValueError(
                f"column {col!r} of `scores` must hold integer scores >= 1, found dtype "
                f"{s.dtype}. Score the customers with rfm_scores(rfm) first."
            )
    levels = range(1, int(max(df[row].max(), df[column].max())) + 1)
    check_one_of(agg, "agg", ["mean", "sum", "median"])
    if value is None:
        grid = df.groupby([row, column]).size()
        fill = 0
    else:
        check_nonnegative(df, "scores", value)
        grid = df.groupby([row, column])[value].agg(agg)
        fill = 0.0 if agg == "sum" else np.nan
    out = grid.unstack(column).reindex(index=levels, columns=levels, fill_value=fill)
    if value is None or agg == "sum":
        out = out.fillna(fill)
    if value is None:
        out = out.astype(np.int64)
    out.index.name, out.columns.name = row, column
    return out


def calibration_holdout_summary(
    transactions: pd.DataFrame,
    calibration_end: Any,
    observation_end: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    amount_col: str = "amount",
    freq: str = "W",
) -> pd.DataFrame:
    """:func:`clv_summary` of a calibration period, with what each customer did in the holdout.

    Every CLV model is checked the same way: fit it on the purchases up to
    ``calibration_end`` and compare its forecast for the following period
    (the *holdout*, up to ``observation_end``) with what the customers
    actually bought. The customers are those who made their first purchase in
    the calibration period (later newcomers have no calibration history).

    Parameters
    ----------
    transactions : DataFrame
        The whole purchase log (calibration and holdout). Not modified.
    calibration_end : date-like
        Last day of the calibration period (included), e.g. ``"1997-09-30"``
        or ``"30.09.1997"``.
    observation_end : date-like, optional
        Last day of the holdout (included); default the last purchase day.
    customer_col, date_col, amount_col : str
        Column names.
    freq : {"W", "D"}, default "W"
        Time unit of ``recency``, ``T`` and ``duration_holdout``.

    Returns
    -------
    DataFrame
        Indexed by customer id: the columns of :func:`clv_summary` on the
        calibration period, then ``frequency_holdout`` (purchase days in the
        holdout), ``monetary_value_holdout`` (mean amount per holdout
        purchase day, 0 if none) and ``duration_holdout`` (length of the
        holdout in ``freq`` units, the same for everyone).

    Raises
    ------
    ValueError
        As :func:`clv_summary`, and if ``calibration_end`` is not before
        ``observation_end`` or no customer bought in the calibration period.

    Examples
    --------
    The CDNOW sample: 39 weeks of calibration to 30 September 1997, 39
    weeks of holdout to 30 June 1998 (Fader, Hardie & Lee 2005):

    >>> from rmlib.datasets import load_cdnow
    >>> s = calibration_holdout_summary(load_cdnow(), "1997-09-30", date_col="date")
    >>> len(s), round(float(s["T"].max()), 2), round(float(s["duration_holdout"].iloc[0]), 2)
    (2357, 38.86, 39.0)
    >>> int(s["frequency_holdout"].sum())
    1882
    """
    df = _validated_log(transactions, customer_col, date_col, amount_col)
    check_one_of(freq, "freq", list(FREQ_DAYS))
    days = _day_numbers(df[date_col])
    end = _end_day(days, observation_end, df, date_col, "observation_end")
    cal = check_timestamp(calibration_end, "calibration_end", df[date_col])
    cal_day = int(np.datetime64(cal.to_datetime64(), "D").astype(np.int64))
    if cal_day >= end:
        raise ValueError(
            f"`calibration_end` ({np.datetime64(cal_day, 'D')}) must be before the end of the "
            f"holdout ({np.datetime64(end, 'D')}, `observation_end` or the last purchase); "
            f"pass an earlier calibration_end."
        )
    in_cal = days <= cal_day
    if not in_cal.any():
        raise ValueError(
            f"no purchase in `transactions` is on or before calibration_end "
            f"{np.datetime64(cal_day, 'D')} (the first is on {np.datetime64(days.min(), 'D')}); "
            f"pass a later calibration_end."
        )
    summary = clv_summary(
        df[in_cal],
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        observation_end=str(np.datetime64(cal_day, "D")),
        freq=freq,
    )
    late = ~in_cal & df[customer_col].isin(summary.index).to_numpy()
    holdout = pd.DataFrame(
        {"c": df[customer_col].to_numpy()[late], "d": days[late]},
    )
    holdout["amount"] = df[amount_col].to_numpy(dtype=np.float64)[late]
    per_day = holdout.groupby(["c", "d"], sort=False)["amount"].sum().reset_index()
    by_customer = per_day.groupby("c", sort=False)["amount"].agg(["size", "mean"])
    out = summary.copy()
    out["frequency_holdout"] = (
        by_customer["size"].reindex(summary.index, fill_value=0).to_numpy().astype(np.int64)
    )
    out["monetary_value_holdout"] = (
        by_customer["mean"].reindex(summary.index, fill_value=0.0).to_numpy(dtype=np.float64)
    )
    out["duration_holdout"] = (end - cal_day) / FREQ_DAYS[freq]
    return out
