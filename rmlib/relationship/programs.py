"""Did the loyalty program work? Outcomes and uplift of the randomised card offer.

:func:`program_outcomes` builds one row per customer of the experiment and
:func:`program_uplift` compares the offered and the not-offered group with Welch's interval.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from rmlib._validate import (
    check_confidence,
    check_customer_frame,
    check_frame,
    check_in_range,
    check_matching_ids,
    check_no_missing,
    check_numeric,
    check_timestamp,
    check_unique_ids,
    first_labels,
    wall_clock,
)

# ---------------------------------------------------------------------------
# loyalty-program evaluation
# ---------------------------------------------------------------------------


def program_outcomes(
    transactions: pd.DataFrame,
    assignment: pd.DataFrame,
    weeks: float = 52,
    *,
    customer_col: str = "customer_id",
    date_col: str = "timestamp",
    margin_col: str = "margin",
    group_col: str = "group",
    observation_end: Any = None,
) -> pd.DataFrame:
    """What each customer in a program experiment did in their first ``weeks`` weeks.

    The case's loyalty card was offered (or not) at the first purchase, and the
    ground truth's ``program_effect`` is the extra *repeat* purchases in the first 52
    weeks after it, so this is the outcome to compare between the groups.

    Parameters
    ----------
    transactions : DataFrame
        Purchase log with ``customer_col``, ``date_col`` (datetimes) and ``margin_col``.
    assignment : DataFrame
        One row per customer in the experiment with ``customer_col`` and ``group_col``
        (the case's ``loyalty`` table).
    weeks : float
        Length of the window after each customer's first purchase, weeks (> 0).
    customer_col, date_col, margin_col, group_col : str
        Column names.
    observation_end : date, optional
        End of the data; default the last purchase in the log. Customers whose window
        ends after it are left out (their window is incomplete). Assignment was random,
        so dropping by signup date keeps the groups comparable.

    Returns
    -------
    DataFrame
        Indexed by customer id: ``group``, ``first_purchase``, ``purchases`` (in the
        window, the first one included), ``repeat_purchases`` and ``margin`` (roubles,
        in the window).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2],
    ...     "timestamp": pd.to_datetime(["2023-01-02", "2023-03-01", "2024-02-01",
    ...                                  "2023-02-01", "2023-02-05"]),
    ...     "margin": [100.0, 50.0, 70.0, 30.0, 20.0]})
    >>> groups = pd.DataFrame({"customer_id": [1, 2], "group": ["treatment", "control"]})
    >>> program_outcomes(tx, groups)[["group", "repeat_purchases", "margin"]]
                     group  repeat_purchases  margin
    customer_id
    1            treatment                 1   150.0
    2              control                 1    50.0
    """
    check_customer_frame(
        transactions, "transactions", customer_col, [margin_col], date_col=date_col
    )
    margin = check_numeric(transactions, "transactions", margin_col)
    check_customer_frame(assignment, "assignment", customer_col, [group_col])
    check_no_missing(assignment, "assignment", group_col)
    window_weeks = check_in_range(weeks, "weeks", 0, low_inclusive=False)
    ids = check_unique_ids(
        assignment, "assignment", customer_col, "each customer belongs to one group."
    )
    dates = wall_clock(transactions[date_col])
    end = (
        dates.max()
        if observation_end is None
        else check_timestamp(observation_end, "observation_end", transactions[date_col])
    )
    late = (dates > end).to_numpy()
    if late.any():
        raise ValueError(
            f"{int(late.sum())} purchase(s) in `transactions` fall after observation_end "
            f"{end} (first at index {first_labels(transactions.index, late)}); pass a later "
            f"observation_end or filter the log."
        )
    cust = transactions[customer_col].to_numpy()
    check_matching_ids(ids, "assignment", customer_col, cust, "transactions")
    first = dates.groupby(cust, sort=False).min()
    unseen = ~ids.isin(first.index)
    if unseen.any():
        raise ValueError(
            f"{int(unseen.sum())} customer(s) of `assignment` never bought in `transactions` "
            f"(first: {first_labels(ids, unseen)}); the window starts at the first purchase, so "
            f"check that both tables cover the same customers."
        )
    window = pd.Timedelta(weeks=window_weeks)
    first_of_row = first.reindex(cust).to_numpy()
    in_window = (dates.to_numpy() < first_of_row + window) & np.isin(cust, ids.to_numpy())
    first_ids = first.reindex(ids)
    complete = (first_ids + window <= end).to_numpy()
    keep = ids[complete]
    in_window_cust = cust[in_window]
    sums = (
        pd.DataFrame(
            {"purchases": np.ones(in_window_cust.size, dtype="int64"), "margin": margin[in_window]},
            index=in_window_cust,
        )
        .groupby(level=0)
        .sum()
        .reindex(keep)
    )
    out = pd.DataFrame(
        {
            "group": assignment[group_col].to_numpy()[complete],
            "first_purchase": first_ids.to_numpy()[complete],
            "purchases": sums["purchases"].to_numpy().astype("int64"),
        },
        index=keep,
    )
    out["repeat_purchases"] = out["purchases"] - 1
    out["margin"] = sums["margin"].to_numpy()
    return out


@dataclass(frozen=True)
class UpliftResult:
    """A program's estimated effect: treatment mean minus control mean, with its interval.

    Attributes
    ----------
    uplift : float
        ``treatment_mean - control_mean``, in the outcome's unit.
    ci_low, ci_high : float
        Welch's t confidence interval for the uplift.
    relative_uplift : float
        ``uplift / control_mean`` (NaN if the control mean is 0).
    treatment_mean, control_mean : float
    n_treatment, n_control : int
    se : float
        Standard error of the difference.
    dof : float
        Welch–Satterthwaite degrees of freedom.
    p_value : float
        Two-sided p-value of Welch's t test of no difference.
    confidence : float
    """

    uplift: float
    ci_low: float
    ci_high: float
    relative_uplift: float
    treatment_mean: float
    control_mean: float
    n_treatment: int
    n_control: int
    se: float
    dof: float
    p_value: float
    confidence: float

    def to_series(self) -> pd.Series:
        """The result as a float Series."""
        return pd.Series(asdict(self), dtype="float64")


def program_uplift(
    df: pd.DataFrame,
    group_col: str = "group",
    outcome_col: str = "repeat_purchases",
    treatment: Any = "treatment",
    control: Any = "control",
    confidence: float = 0.95,
    *,
    min_size: int = 2,
) -> UpliftResult:
    """Difference in mean outcome between a program's treatment and control groups.

    Parameters
    ----------
    df : DataFrame
        One row per customer with the group and the outcome (e.g. from
        :func:`program_outcomes`, or the loyalty table joined to margin per customer).
        Rows of other groups are ignored.
    group_col, outcome_col : str
        Columns with the group label and the outcome (numbers, no missing values).
    treatment, control : label
        The two groups' labels in ``group_col``.
    confidence : float
        Level of the confidence interval, in (0, 1).
    min_size : int
        Fewest customers a group may have (at least 2, to estimate its variance).

    Returns
    -------
    UpliftResult
        Uplift, Welch interval, relative uplift, the groups' means and sizes, the
        standard error, degrees of freedom and p-value; the first fields are what
        :func:`rmlib.plots.program_uplift` draws.

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["treatment"] * 4 + ["control"] * 4,
    ...                    "repeat_purchases": [1, 2, 3, 4, 0, 1, 1, 2]})
    >>> r = program_uplift(df)
    >>> r.uplift, r.relative_uplift, r.n_treatment
    (1.5, 1.5, 4)
    >>> round(r.ci_low, 2), round(r.ci_high, 2)
    (-0.46, 3.46)
    """
    check_frame(df, "df", [group_col, outcome_col])
    check_no_missing(df, "df", group_col)
    y = check_numeric(df, "df", outcome_col)
    c = check_confidence(confidence)
    if isinstance(min_size, bool) or not isinstance(min_size, numbers.Integral) or min_size < 2:
        raise ValueError(f"`min_size` must be an integer >= 2, got {min_size!r}.")
    labels = df[group_col]
    found = ", ".join(repr(x) for x in pd.unique(labels)[:10])
    samples = {}
    for name, label in (("treatment", treatment), ("control", control)):
        mask = (labels == label).to_numpy()
        if not mask.any():
            raise ValueError(
                f"no {name} group: column {group_col!r} of `df` has no rows equal to "
                f"{label!r}; it holds {found}. Pass {name}=... with the right label."
            )
        if mask.sum() < min_size:
            raise ValueError(
                f"the {name} group ({label!r} in column {group_col!r} of `df`) has only "
                f"{int(mask.sum())} customer(s); at least {min_size} are needed to estimate "
                f"its variance and an interval."
            )
        samples[name] = y[mask]
    a, b = samples["treatment"], samples["control"]
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    if se == 0:
        raise ValueError(
            f"column {outcome_col!r} is constant within both groups, so no interval can be "
            f"estimated; check that you passed the outcome (e.g. purchases or margin), "
            f"not the group flag."
        )
    test = stats.ttest_ind(a, b, equal_var=False)
    ci = test.confidence_interval(confidence_level=c)
    t_mean, c_mean = float(a.mean()), float(b.mean())
    uplift = t_mean - c_mean
    return UpliftResult(
        uplift=uplift,
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        relative_uplift=uplift / c_mean if c_mean != 0 else float("nan"),
        treatment_mean=t_mean,
        control_mean=c_mean,
        n_treatment=len(a),
        n_control=len(b),
        se=se,
        dof=float(test.df),
        p_value=float(test.pvalue),
        confidence=c,
    )
