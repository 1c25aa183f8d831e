"""Do customers come back? Cohorts, retention and churn, repeat purchases, time between them.

Every function reads a transaction log: one row per purchase, with a customer column
and a date column (defaults ``customer_id`` and ``timestamp``, as in the case data).
The log is validated (no missing customer ids, real datetimes, at least one row) and
never modified; results are new objects.

What counts as a purchase (``unit``)
    ``unit="transaction"`` (the default) counts rows of the log, as the chapter 1
    assignment does; ``unit="day"`` counts distinct calendar days per customer, so two
    receipts on one day are one purchase occasion (the convention of the BG/NBD
    summary in :func:`rmlib.rfm.clv_summary`). On the shipped case a few hundred
    receipts fall on a day when the same customer already bought, which moves the
    repeat-purchase rate by less than one percentage point.

Who is "in a relationship"
    Liljander and Strandvik describe a relationship as a series of episodes: at least
    two purchases. :func:`in_relationship` applies that criterion (the threshold is
    ``min_purchases``); it says nothing about whether the customer feels a relationship
    (Barnes's condition), which a log cannot show.

Retention and churn
    With periods of length ``period`` (``"Y"`` years by default), the retention rate
    from period *t* is the share of customers who bought in *t* and bought again in
    *t + 1*; the churn rate is one minus it. Customers new in *t* count in *t*'s base.
    In a non-contractual business nobody announces that they leave, so "churned" here
    means "did not buy in the next period". A period cut short by the end of the data
    understates activity in it: choose periods the log covers fully.

Cohorts
    A customer's cohort is the period of their first purchase in the log;
    :func:`cohort_table` counts, per cohort, the customers who bought 0, 1, 2, ...
    periods later, and :func:`retention_matrix` divides by the cohort's size. Cells that
    lie after the end of the observation are missing (NaN), not zero.

Groups
    ``by=`` splits the calculation by a customer attribute: the name of a column of a
    ``customers`` table (one row per customer, e.g. ``by="segment"`` with
    ``customers=case.customers``) or a Series mapping customer id to group.

Written with pandas: each calculation is a group-by and a shift, which pandas does
well; no extra dependency is needed.

Examples
--------
>>> tx = pd.DataFrame({
...     "customer_id": [1, 1, 2, 3, 3, 3],
...     "timestamp": pd.to_datetime(["2023-01-05", "2024-03-01", "2023-06-01",
...                                  "2023-02-01", "2023-02-11", "2023-03-13"]),
... })
>>> repeat_purchase_rate(tx)
0.666...
>>> retention_rate(tx, period="Y", start="2023")
0.333...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from rmlib._validate import (
    check_customer_frame,
    check_matching_ids,
    check_one_of,
    check_positive_int,
    check_timestamp,
    first_labels,
    parse_period,
)

__all__ = [
    "PERIODS",
    "UNITS",
    "churn_rate",
    "cohort_table",
    "in_relationship",
    "interpurchase_summary",
    "interpurchase_times",
    "purchase_counts",
    "repeat_purchase_rate",
    "retention_matrix",
    "retention_rate",
    "retention_table",
]

#: Period codes accepted by ``period=`` and the unit they stand for.
PERIODS = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}
#: What counts as one purchase: a row of the log, or a distinct calendar day.
UNITS = ("transaction", "day")


# ---------------------------------------------------------------------------
# input handling
# ---------------------------------------------------------------------------


def _check_log(tx: Any, customer_col: str, date_col: str | None) -> None:
    check_customer_frame(tx, "transactions", customer_col, date_col=date_col)


def _dates(tx: pd.DataFrame, date_col: str) -> pd.Series:
    """The date column as naive datetimes (local wall time if it carried a time zone)."""
    d = tx[date_col]
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    return d


def _check_period(period: Any) -> str:
    return check_one_of(period, "period", list(PERIODS))


def _check_unit(unit: Any) -> str:
    return check_one_of(unit, "unit", list(UNITS))


def _ordinals(tx: pd.DataFrame, date_col: str, period: str) -> np.ndarray:
    return _dates(tx, date_col).dt.to_period(period).array.asi8


def _end_ordinal(tx: pd.DataFrame, date_col: str, period: str, observation_end: Any) -> int:
    """Ordinal of the last observed period, checking that no purchase lies after the end."""
    last = _dates(tx, date_col).max()
    if observation_end is None:
        end = last
    else:
        end = check_timestamp(observation_end, "observation_end", tx[date_col])
        late = _dates(tx, date_col) > end
        if late.any():
            raise ValueError(
                f"`transactions` has {int(late.sum())} purchase(s) after observation_end "
                f"{end:%Y-%m-%d} (the last on {last:%Y-%m-%d}). Pass a later "
                f"observation_end or keep only earlier rows, e.g. "
                f"transactions[transactions[{date_col!r}] <= '{end:%Y-%m-%d}']."
            )
    return int(pd.Period(end, period).ordinal)


def _periods_log(
    tx: Any, customer_col: str, date_col: str, period: Any, observation_end: Any
) -> tuple[str, int]:
    """Check the log and ``period``; return the period code and the last observed ordinal."""
    period = _check_period(period)
    _check_log(tx, customer_col, date_col)
    return period, _end_ordinal(tx, date_col, period, observation_end)


def _group_of_rows(
    tx: pd.DataFrame, customer_col: str, by: Any, customers: Any
) -> tuple[pd.Series, str]:
    """Group label of every row of ``tx`` and the name of the grouping."""
    if isinstance(by, pd.Series):
        mapping, name, where = by, str(by.name) if by.name is not None else "group", "`by`"
        if mapping.index.hasnans:
            raise ValueError("the index of `by` (customer ids) has missing ids; drop them.")
    elif isinstance(by, str):
        if customers is None:
            raise ValueError(
                f"`by={by!r}` names a customer attribute: pass the table that holds it too, "
                f"e.g. customers=case.customers (one row per customer with columns "
                f"{customer_col!r} and {by!r})."
            )
        check_customer_frame(customers, "customers", customer_col, [by])
        mapping, name, where = customers.set_index(customer_col)[by], by, "`customers`"
    else:
        raise TypeError(
            f"`by` must be a column name of `customers` or a Series of group per customer "
            f"id, got {type(by).__name__}."
        )
    if mapping.index.has_duplicates:
        dup = first_labels(mapping.index[mapping.index.duplicated()])
        raise ValueError(
            f"{where} lists some customers more than once (first: {dup}); give one row "
            f"per customer, e.g. drop_duplicates(subset={customer_col!r})."
        )
    if mapping.isna().any():
        first = first_labels(mapping.index[mapping.isna().to_numpy()])
        raise ValueError(
            f"{where} has {int(mapping.isna().sum())} customer(s) with no {name!r} "
            f"(first: {first}); fill them (e.g. with 'unknown') or drop them."
        )
    other = ("by", "") if where == "`by`" else ("customers", customer_col)
    check_matching_ids(tx[customer_col], "transactions", customer_col, mapping.index, *other)
    groups = tx[customer_col].map(mapping)
    unknown = groups.isna().to_numpy()
    if unknown.any():
        first = first_labels(pd.unique(tx.loc[unknown, customer_col]))
        raise ValueError(
            f"{int(unknown.sum())} row(s) of `transactions` belong to customers missing "
            f"from {where} (first ids: {first}); every buying customer needs a {name!r}."
        )
    return groups.rename(name), name


def _no_by(customers: Any) -> None:
    if customers is not None:
        raise ValueError(
            "`customers` is only used to split results by a customer attribute: pass "
            "by='segment' (or another column of `customers`) as well, or leave it out."
        )


def _per_group(
    fn: Callable[[pd.DataFrame], Any],
    combine: Callable[[dict[Any, Any], str], Any],
    tx: pd.DataFrame,
    customer_col: str,
    by: Any,
    customers: Any,
) -> Any:
    """``fn(tx)``; with ``by``, ``fn`` of each group's rows joined by ``combine(results, name)``."""
    if by is None:
        _no_by(customers)
        return fn(tx)
    groups, name = _group_of_rows(tx, customer_col, by, customers)
    return combine({g: fn(sub) for g, sub in tx.groupby(groups, sort=True)}, name)


def _add_group(
    out: pd.DataFrame, ids: Any, tx: pd.DataFrame, customer_col: str, by: Any, customers: Any
) -> pd.DataFrame:
    """``out`` with, given ``by``, the group of the customer of each row (``ids``) as a column."""
    if by is None:
        _no_by(customers)
        return out
    groups, name = _group_of_rows(tx, customer_col, by, customers)
    per_customer = groups.groupby(tx[customer_col].to_numpy(), sort=True).first()
    return out.assign(**{name: per_customer.reindex(ids).to_numpy()})


# ---------------------------------------------------------------------------
# purchases per customer
# ---------------------------------------------------------------------------


def _counts(tx: pd.DataFrame, customer_col: str, date_col: str, unit: str) -> pd.Series:
    if unit == "transaction":
        n = tx.groupby(customer_col, sort=True).size()
    else:
        days = _dates(tx, date_col).dt.normalize()
        n = days.groupby(tx[customer_col], sort=True).nunique()
    return n.astype("int64").rename("purchases")


def purchase_counts(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    *,
    unit: str = "transaction",
) -> pd.Series:
    """Number of purchases of every customer in the log.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col : str
        Columns of ``transactions`` (``date_col`` is only read with ``unit="day"``).
    unit : {"transaction", "day"}
        Count rows, or distinct calendar days.

    Returns
    -------
    Series
        ``purchases`` (int) indexed by customer id, ascending; only customers who
        bought at least once appear.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [7, 7, 5],
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00",
    ...                                                 "2024-01-01 18:00", "2024-02-01 09:00"])})
    >>> purchase_counts(tx).to_dict()
    {5: 1, 7: 2}
    >>> purchase_counts(tx, unit="day").to_dict()
    {5: 1, 7: 1}
    """
    unit = _check_unit(unit)
    _check_log(transactions, customer_col, date_col if unit == "day" else None)
    return _counts(transactions, customer_col, date_col, unit)


def in_relationship(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    *,
    min_purchases: int = 2,
    unit: str = "transaction",
) -> pd.Series:
    """Who is "in a relationship": at least ``min_purchases`` purchases.

    The criterion follows Liljander and Strandvik: a relationship is a series of
    episodes, so it needs at least two purchases; one purchase is a transaction.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col : str
        Columns of ``transactions`` (``date_col`` is only read with ``unit="day"``).
    min_purchases : int
        Purchases needed (default 2).
    unit : {"transaction", "day"}
        What counts as a purchase (see the module notes).

    Returns
    -------
    Series
        Boolean ``in_relationship`` per buying customer, indexed by id (ascending).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02",
    ...                                                 "2024-03-01"])})
    >>> in_relationship(tx).to_dict()
    {1: False, 2: True}
    """
    min_purchases = check_positive_int(min_purchases, "min_purchases")
    n = purchase_counts(transactions, customer_col, date_col, unit=unit)
    return (n >= min_purchases).rename("in_relationship")


def repeat_purchase_rate(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    *,
    unit: str = "transaction",
    by: Any = None,
    customers: pd.DataFrame | None = None,
) -> float | pd.Series:
    """Share of buying customers who bought at least twice.

    The denominator is the customers who bought at least once in the log, not every
    customer on file.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col : str
        Columns of ``transactions`` (``date_col`` is only read with ``unit="day"``).
    unit : {"transaction", "day"}
        What counts as a purchase (see the module notes).
    by : str or Series, optional
        Split by a customer attribute (a column of ``customers``, or a Series mapping
        customer id to group).
    customers : DataFrame, optional
        One row per customer; needed when ``by`` is a column name.

    Returns
    -------
    float or Series
        The rate in [0, 1]; with ``by``, one rate per group.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2, 3, 3],
    ...                    "timestamp": pd.to_datetime(["2024-01-01"] * 5)})
    >>> repeat_purchase_rate(tx)
    0.666...
    >>> repeat_purchase_rate(tx, unit="day")
    0.0
    >>> customers = pd.DataFrame({"customer_id": [1, 2, 3], "segment": ["B2C", "B2C", "B2B"]})
    >>> repeat_purchase_rate(tx, by="segment", customers=customers).to_dict()
    {'B2B': 1.0, 'B2C': 0.5}
    """
    unit = _check_unit(unit)
    _check_log(transactions, customer_col, date_col if unit == "day" else None)

    def rate(tx: pd.DataFrame) -> float:
        return float((_counts(tx, customer_col, date_col, unit) >= 2).mean())

    def combine(out: dict[Any, float], name: str) -> pd.Series:
        return pd.Series(out, name="repeat_purchase_rate").rename_axis(name)

    return _per_group(rate, combine, transactions, customer_col, by, customers)


# ---------------------------------------------------------------------------
# time between purchases
# ---------------------------------------------------------------------------


def _gaps(tx: pd.DataFrame, customer_col: str, date_col: str, unit: str) -> pd.DataFrame:
    dates = _dates(tx, date_col)
    log = pd.DataFrame({customer_col: tx[customer_col].to_numpy(), date_col: dates.to_numpy()})
    if unit == "day":
        log[date_col] = log[date_col].dt.normalize()
        log = log.drop_duplicates()
    log = log.sort_values([customer_col, date_col], kind="stable", ignore_index=True)
    grouped = log.groupby(customer_col, sort=False)[date_col]
    log["purchase_number"] = log.groupby(customer_col, sort=False).cumcount() + 1
    log["previous_date"] = grouped.shift(1)
    log["gap_days"] = (log[date_col] - log["previous_date"]) / pd.Timedelta(days=1)
    out = log[log["purchase_number"] > 1].reset_index(drop=True)
    return out[[customer_col, "purchase_number", "previous_date", date_col, "gap_days"]]


def interpurchase_times(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    *,
    unit: str = "transaction",
    by: Any = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every gap between a customer's consecutive purchases, in days (long format).

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col : str
        Columns of ``transactions``.
    unit : {"transaction", "day"}
        ``"transaction"``: gaps between consecutive rows in time (two receipts a few
        hours apart give a fraction of a day, identical times give 0);
        ``"day"``: gaps between distinct calendar days (whole days, at least 1).
    by : str or Series, optional
        Add the customer's group (a column of ``customers``, or a Series mapping
        customer id to group) as a column named after it.
    customers : DataFrame, optional
        One row per customer; needed when ``by`` is a column name.

    Returns
    -------
    DataFrame
        One row per repeat purchase, sorted by customer and date, with columns
        ``customer_col``, ``purchase_number`` (2 for the second purchase, ...),
        ``previous_date``, ``date_col`` and ``gap_days`` (float). Customers with one
        purchase have no rows; a log without repeat purchases gives an empty table.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1, 1],
    ...                    "timestamp": pd.to_datetime(["2024-01-01 00:00", "2024-01-05 00:00",
    ...                                                 "2024-01-11 12:00", "2024-01-31 00:00"])})
    >>> interpurchase_times(tx)[["customer_id", "purchase_number", "gap_days"]]
       customer_id  purchase_number  gap_days
    0            1                2      10.5
    1            1                3      19.5
    """
    unit = _check_unit(unit)
    _check_log(transactions, customer_col, date_col)
    out = _gaps(transactions, customer_col, date_col, unit)
    return _add_group(out, out[customer_col], transactions, customer_col, by, customers)


def interpurchase_summary(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    *,
    unit: str = "transaction",
    by: Any = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per repeat customer: purchases, number of gaps, mean and median gap in days.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col : str
        Columns of ``transactions``.
    unit : {"transaction", "day"}
        What counts as a purchase (see :func:`interpurchase_times`).
    by : str or Series, optional
        Add the customer's group as a column (see :func:`interpurchase_times`).
    customers : DataFrame, optional
        One row per customer; needed when ``by`` is a column name.

    Returns
    -------
    DataFrame
        Indexed by customer id (only customers with at least two purchases), with
        ``purchases``, ``gaps``, ``mean_gap_days`` and ``median_gap_days``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03",
    ...                                                 "2024-01-13", "2024-01-05"])})
    >>> interpurchase_summary(tx)
                 purchases  gaps  mean_gap_days  median_gap_days
    customer_id
    1                    3     2            6.0              6.0
    """
    gaps = interpurchase_times(transactions, customer_col, date_col, unit=unit)
    g = gaps.groupby(customer_col, sort=True)["gap_days"]
    out = pd.DataFrame(
        {
            "gaps": g.size().astype("int64"),
            "mean_gap_days": g.mean(),
            "median_gap_days": g.median(),
        }
    )
    out.insert(0, "purchases", out["gaps"] + 1)
    return _add_group(out, out.index, transactions, customer_col, by, customers)


# ---------------------------------------------------------------------------
# cohorts
# ---------------------------------------------------------------------------


def _cohort_counts(
    tx: pd.DataFrame, customer_col: str, date_col: str, period: str, end: int
) -> pd.DataFrame:
    p = _ordinals(tx, date_col, period)
    cust = tx[customer_col].to_numpy()
    first = pd.Series(p).groupby(cust).transform("min").to_numpy()
    cells = pd.DataFrame({"cohort": first, "age": p - first, "customer": cust}).drop_duplicates()
    counts = cells.groupby(["cohort", "age"]).size().unstack("age")
    cohorts = np.sort(np.unique(first))
    ages = np.arange(end - cohorts.min() + 1)
    counts = counts.reindex(index=cohorts, columns=ages)
    observable = cohorts[:, None] + ages[None, :] <= end
    values = np.where(observable, counts.fillna(0).to_numpy(), np.nan)
    out = pd.DataFrame(values, columns=ages).astype("Int64")
    out.index = pd.PeriodIndex.from_ordinals(cohorts, freq=period).rename("cohort")
    out.columns = pd.Index(ages, name="periods_since_first")
    return out


def cohort_table(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    period: str = "M",
    *,
    observation_end: Any = None,
    by: Any = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Customers of each acquisition cohort who bought 0, 1, 2, ... periods later.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col : str
        Columns of ``transactions``.
    period : {"D", "W", "M", "Q", "Y"}
        Length of a period (default months). A cohort is the period of a customer's
        first purchase in the log.
    observation_end : date, optional
        Last day observed (default: the last purchase in the log). Periods after it
        are missing in the table; purchases after it are an error.
    by : str or Series, optional
        Split by a customer attribute: rows become (group, cohort).
    customers : DataFrame, optional
        One row per customer; needed when ``by`` is a column name.

    Returns
    -------
    DataFrame
        Index ``cohort`` (periods), columns ``periods_since_first`` (0, 1, ...),
        nullable integer counts of distinct active customers; column 0 is the cohort's
        size; ``<NA>`` where the period lies after ``observation_end``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3],
    ...                    "timestamp": pd.to_datetime(["2024-01-03", "2024-03-09",
    ...                                                 "2024-01-20", "2024-02-02",
    ...                                                 "2024-02-14"])})
    >>> cohort_table(tx)
    periods_since_first  0  1     2
    cohort
    2024-01              2  1     1
    2024-02              1  0  <NA>
    """
    period, end = _periods_log(transactions, customer_col, date_col, period, observation_end)

    def table(tx: pd.DataFrame) -> pd.DataFrame:
        return _cohort_counts(tx, customer_col, date_col, period, end)

    def combine(out: dict[Any, pd.DataFrame], name: str) -> pd.DataFrame:
        return pd.concat(out, names=[name]).astype("Int64")

    return _per_group(table, combine, transactions, customer_col, by, customers)


def retention_matrix(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    period: str = "M",
    *,
    observation_end: Any = None,
    by: Any = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of each cohort that bought 0, 1, 2, ... periods after its first purchase.

    :func:`cohort_table` divided by the cohort's size (column 0 is therefore 1.0).
    Same parameters as :func:`cohort_table`.

    Returns
    -------
    DataFrame
        Floats in [0, 1], NaN after ``observation_end``; ready for
        :func:`rmlib.plots.cohort_heatmap`.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3],
    ...                    "timestamp": pd.to_datetime(["2024-01-03", "2024-03-09",
    ...                                                 "2024-01-20", "2024-02-02",
    ...                                                 "2024-02-14"])})
    >>> retention_matrix(tx)
    periods_since_first    0    1    2
    cohort
    2024-01              1.0  0.5  0.5
    2024-02              1.0  0.0  NaN
    """
    counts = cohort_table(
        transactions,
        customer_col,
        date_col,
        period,
        observation_end=observation_end,
        by=by,
        customers=customers,
    ).astype("float64")
    return counts.div(counts[0], axis=0)


# ---------------------------------------------------------------------------
# retention and churn between consecutive periods
# ---------------------------------------------------------------------------


def _retention_rows(
    tx: pd.DataFrame, customer_col: str, date_col: str, period: str, end: int, first: int
) -> pd.DataFrame:
    p = _ordinals(tx, date_col, period)
    pairs = pd.DataFrame({"c": tx[customer_col].to_numpy(), "p": p}).drop_duplicates()
    active = pd.MultiIndex.from_arrays([pairs["c"], pairs["p"]])
    again = pd.MultiIndex.from_arrays([pairs["c"], pairs["p"] + 1]).isin(active)
    periods = np.arange(first, end)  # a period's next one must be observed
    g = pd.DataFrame({"p": pairs["p"].to_numpy(), "again": again}).groupby("p")["again"]
    n_active = g.size().reindex(periods, fill_value=0).to_numpy()
    n_retained = g.sum().reindex(periods, fill_value=0).to_numpy()
    rate = np.where(n_active > 0, n_retained / np.maximum(n_active, 1), np.nan)
    return pd.DataFrame(
        {
            "next_period": pd.PeriodIndex.from_ordinals(periods + 1, freq=period),
            "active": n_active.astype("int64"),
            "retained": n_retained.astype("int64"),
            "retention_rate": rate,
            "churn_rate": 1.0 - rate,
        },
        index=pd.PeriodIndex.from_ordinals(periods, freq=period).rename("period"),
    )


def retention_table(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    period: str = "Y",
    *,
    observation_end: Any = None,
    by: Any = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Retention and churn from every period to the next.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col : str
        Columns of ``transactions``.
    period : {"D", "W", "M", "Q", "Y"}
        Length of a period (default years).
    observation_end : date, optional
        Last day observed (default: the last purchase). The last period has no
        observed successor, so it has no row.
    by : str or Series, optional
        Split by a customer attribute: rows become (group, period).
    customers : DataFrame, optional
        One row per customer; needed when ``by`` is a column name.

    Returns
    -------
    DataFrame
        Index ``period`` (from the first period in the log to the one before the
        last), columns ``next_period``, ``active`` (customers who bought in the
        period), ``retained`` (of them, those who bought in the next period),
        ``retention_rate`` (``retained / active``; NaN with nobody active) and
        ``churn_rate`` (``1 - retention_rate``).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3],
    ...                    "timestamp": pd.to_datetime(["2023-01-05", "2024-03-01",
    ...                                                 "2023-06-01", "2024-02-01",
    ...                                                 "2025-02-11"])})
    >>> retention_table(tx)
           next_period  active  retained  retention_rate  churn_rate
    period
    2023          2024       2         1             0.5         0.5
    2024          2025       2         1             0.5         0.5
    """
    period, end = _periods_log(transactions, customer_col, date_col, period, observation_end)
    first = int(pd.Period(_dates(transactions, date_col).min(), period).ordinal)

    def table(tx: pd.DataFrame) -> pd.DataFrame:
        return _retention_rows(tx, customer_col, date_col, period, end, first)

    def combine(out: dict[Any, pd.DataFrame], name: str) -> pd.DataFrame:
        return pd.concat(out, names=[name])

    return _per_group(table, combine, transactions, customer_col, by, customers)


def retention_rate(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    period: str = "Y",
    *,
    start: Any = None,
    observation_end: Any = None,
    by: Any = None,
    customers: pd.DataFrame | None = None,
) -> float | pd.Series:
    """Share of the customers who bought in period ``start`` who bought again in the next.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col : str
        Columns of ``transactions``.
    period : {"D", "W", "M", "Q", "Y"}
        Length of a period (default years).
    start : date or period, optional
        The base period, e.g. ``"2023"`` for years or ``"2024-03"`` for months (any
        date inside it works). Default: the last period that has an observed next
        period, so the last two periods of the log are compared.
    observation_end : date, optional
        Last day observed (default: the last purchase).
    by : str or Series, optional
        Split by a customer attribute; every group uses the same ``start``.
    customers : DataFrame, optional
        One row per customer; needed when ``by`` is a column name.

    Returns
    -------
    float or Series
        The retention rate in [0, 1]; with ``by``, one rate per group (NaN for a
        group with no customer active in ``start``).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3],
    ...                    "timestamp": pd.to_datetime(["2023-01-05", "2024-03-01",
    ...                                                 "2023-06-01", "2024-02-01",
    ...                                                 "2025-02-11"])})
    >>> retention_rate(tx, start="2023")
    0.5
    >>> churn_rate(tx, start="2023")
    0.5
    """
    table = retention_table(  # checks ``period`` before anything else
        transactions,
        customer_col,
        date_col,
        period,
        observation_end=observation_end,
        by=by,
        customers=customers,
    )
    periods = table.index if by is None else table.index.get_level_values(-1).unique()
    shown = ", ".join(str(p) for p in periods.sort_values()) or "(none)"
    if len(periods) == 0:
        raise ValueError(
            f"`transactions` covers a single {PERIODS[period][:-1]}, so no {PERIODS[period]} "
            f"can be compared; use a shorter period (e.g. period='M') or a longer log."
        )
    if start is None:
        base = periods.max()
    else:
        base = parse_period(start, "start", period)
        if base not in periods:
            raise ValueError(
                f"`start` {str(base)!r} has no observed next period in `transactions`; "
                f"choose one of: {shown}."
            )
    if by is None:
        row = table.loc[base]
        if row["active"] == 0:
            raise ValueError(
                f"nobody bought in {base}, so there is no retention rate from it; "
                f"choose a period with purchases among: {shown}."
            )
        return float(row["retention_rate"])
    name = table.index.names[0]
    per_group = table.xs(base, level=-1)["retention_rate"].astype("float64")
    return per_group.rename("retention_rate").rename_axis(name)


def churn_rate(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    period: str = "Y",
    *,
    start: Any = None,
    observation_end: Any = None,
    by: Any = None,
    customers: pd.DataFrame | None = None,
) -> float | pd.Series:
    """One minus :func:`retention_rate`: the share who did not buy again in the next period.

    Same parameters and conventions as :func:`retention_rate`.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2, 3],
    ...                    "timestamp": pd.to_datetime(["2023-04-01", "2023-05-01",
    ...                                                 "2024-05-01", "2024-06-01"])})
    >>> churn_rate(tx)
    0.5
    """
    r = retention_rate(
        transactions,
        customer_col,
        date_col,
        period,
        start=start,
        observation_end=observation_end,
        by=by,
        customers=customers,
    )
    if isinstance(r, pd.Series):
        return (1.0 - r).rename("churn_rate")
    return 1.0 - r
