"""Relationship levels, loyalty-program evaluation, returns on relationships, readiness.

The calculations behind chapters 3, 4 and 5's decisions about a relationship:

* **Which level of relationship pays?** Kotler's five levels (уровни взаимоотношений) run
  from basic to partnership; his grid picks one from the number of customers and the
  margin per unit sold (:func:`recommend_level`, :func:`recommend_levels`).
* **Did the loyalty program work?** The case's loyalty card was offered to a random
  half of the new B2C customers, so the difference between the offered (treatment) and
  the not-offered (control) group estimates the program's effect
  (:func:`program_outcomes`, :func:`program_uplift`), and :func:`program_roi` and
  :func:`relationship_roi` weigh it against its cost.
* **What would a points program cost and earn?** :func:`program_economics` works out the
  reward cost, the incremental margin, the net effect and the ROI of a tiered points
  program before it is launched; :func:`program_balance` does the last step for any
  margin and cost.
* **Where does the margin come from?** :func:`margin_by_group` (margin analysis by
  customer group, one of the textbook's tools for evaluating relationships).
* **Is the company ready for a CRM system?** :func:`pyramid_readiness` scores the
  implementation pyramid (strategy at the base, technology at the top) level by level.
* **What does the CRM report?** :func:`customers_per_manager`,
  :func:`contacts_per_customer` and :func:`churn_reasons` compute, with pandas, the
  reports chapter 5 writes in SQL against :mod:`rmlib.crm`.

The five levels (Kotler), with the Russian names of the course's source text
    ===========  ===============  ==============================================
    level        Russian          in one line
    ===========  ===============  ==============================================
    basic        базисный         sold and forgot
    reactive     реагирующий      sold; call us if you need us
    accountable  ответственный    sold, then called to ask how it went
    proactive    активный         sold and keeps calling with new offers
    partnership  партнёрский      works with the customer to find more value
    ===========  ===============  ==============================================

Kotler's grid
    Rows are bands of the number of customers (``few`` below 1,000, ``many`` from
    100,000), columns bands of the margin per unit (``low`` below 1,000 roubles,
    ``high`` from 20,000); a value exactly on a cut belongs to the upper band. Many
    customers with a low margin call for a basic relationship, few with a high margin
    for a partnership; the level rises by one step for each band of margin gained or
    band of customers lost (:data:`KOTLER_GRID`). The cuts are the course's choice for
    a Russian retailer, not Kotler's (he gives none); pass your own.

Program uplift
    ``uplift = mean(treatment) - mean(control)`` with Welch's t interval (unequal
    variances; :func:`scipy.stats.ttest_ind`), and ``relative_uplift = uplift /
    mean(control)``. Comparing *members* with non-members instead would mix the card's
    effect with self-selection (frequent buyers join more often); comparing the groups
    as randomised measures the effect of *offering* the card, diluted by those who said
    no.

Returns
    ``program_roi = (incremental margin - cost) / cost``; :func:`relationship_roi` does
    the same with a stream of yearly incremental margins discounted to the day of the
    investment.

A points program's economics (:func:`program_economics`)
    Members earn ``reward_rate`` of what they spend back as points, times the multiplier
    of their tier (:data:`TIER_MULTIPLIERS`: x1 base, x1.5 from the ``silver`` threshold
    of yearly spend, x2 from ``gold``); a share ``participation`` of the customers joins
    and then spends ``uplift`` more than before, and the tier is reached on that new
    spend; a share ``breakage`` of the points is never redeemed. Every customer counts
    with weight ``participation`` (an expectation, no random draw)::

        reward cost        = participation * sum(spend * (1 + uplift) * reward_rate
                                                 * multiplier) * (1 - breakage)
        incremental margin = participation * sum(spend * uplift) * margin_rate
        net effect         = incremental margin - reward cost
        ROI                = net effect / reward cost          (NaN without a cost)

    The reward is paid on all of a member's spend, not only on the extra part, which is
    why a generous program so easily costs more than it brings.

The implementation pyramid (пирамида внедрения)
    Strategy, structure, business processes, culture, technology, base first. Each
    level is rated 0 to ``scale``; a level is in place from ``in_place`` points, but it
    *counts* only when every level below it is in place as well: technology bought
    before the strategy is ready does not make a company ready. The lowest level not in
    place is the *blocking* level; overall readiness is the share of levels that count.

Written with pandas, NumPy and SciPy (Welch's interval comes from
:func:`scipy.stats.ttest_ind`); no extra dependency is needed.

Examples
--------
>>> recommend_level(300, 80_000)["level"]
'partnership'
>>> program_roi(1_500_000, 1_000_000)
0.5
>>> pyramid_readiness({"strategy": 5, "structure": 4, "business processes": 1,
...                    "culture": 4, "technology": 5})["blocking"]
'business processes'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from rmlib._validate import (
    check_confidence,
    check_customer_frame,
    check_discount_rate,
    check_frame,
    check_in_range,
    check_matching_ids,
    check_no_missing,
    check_numeric,
    check_numeric_values,
    check_probability,
    check_timestamp,
    check_unique_ids,
    first_labels,
    wall_clock,
)

__all__ = [
    "CUSTOMER_BANDS",
    "CUSTOMER_CUTS",
    "KOTLER_GRID",
    "LEVEL_NAMES_RU",
    "MARGIN_BANDS",
    "MARGIN_CUTS",
    "PYRAMID_LEVELS",
    "PYRAMID_LEVELS_RU",
    "RELATIONSHIP_LEVELS",
    "TIER_MULTIPLIERS",
    "UpliftResult",
    "churn_reasons",
    "contacts_per_customer",
    "customers_per_manager",
    "margin_by_group",
    "program_balance",
    "program_economics",
    "program_outcomes",
    "program_roi",
    "program_uplift",
    "pyramid_readiness",
    "recommend_level",
    "recommend_levels",
    "relationship_roi",
]

#: The five levels of relationships with customers (Kotler), lowest first,
#: with a short motto for each.
RELATIONSHIP_LEVELS: tuple[tuple[str, str], ...] = (
    ("basic", "sold and forgot"),
    ("reactive", "sold; call us if you need us"),
    ("accountable", "sold, then called to ask how it went"),
    ("proactive", "sold and keeps calling with new offers"),
    ("partnership", "works with the customer to find more value"),
)

#: Russian names of the five levels, as in the course's source text.
LEVEL_NAMES_RU: dict[str, str] = {
    "basic": "базисный",
    "reactive": "реагирующий",
    "accountable": "ответственный",
    "proactive": "активный",
    "partnership": "партнёрский",
}

#: The implementation pyramid (five directions of change), base first.
PYRAMID_LEVELS: tuple[str, ...] = (
    "strategy",
    "structure",
    "business processes",
    "culture",
    "technology",
)

#: Russian names of the pyramid's levels (the five directions of change).
PYRAMID_LEVELS_RU: dict[str, str] = {
    "strategy": "стратегия взаимоотношений с клиентами",
    "structure": "реструктуризация компании",
    "business processes": "изменение бизнес-процессов",
    "culture": "изменение корпоративной культуры",
    "technology": "внедрение системы маркетинга отношений",
}

#: Kotler's grid: (band of number of customers, band of margin per unit) -> level.
CUSTOMER_BANDS: tuple[str, ...] = ("few", "medium", "many")
MARGIN_BANDS: tuple[str, ...] = ("low", "medium", "high")
KOTLER_GRID: dict[tuple[str, str], str] = {
    ("many", "low"): "basic",
    ("many", "medium"): "reactive",
    ("many", "high"): "accountable",
    ("medium", "low"): "reactive",
    ("medium", "medium"): "accountable",
    ("medium", "high"): "proactive",
    ("few", "low"): "accountable",
    ("few", "medium"): "proactive",
    ("few", "high"): "partnership",
}

#: Fewer than 1,000 customers is "few"; 100,000 or more is "many".
CUSTOMER_CUTS: tuple[float, float] = (1_000, 100_000)
#: Below 1,000 roubles per unit the margin is "low"; 20,000 or more is "high".
MARGIN_CUTS: tuple[float, float] = (1_000, 20_000)

#: Points multiplier of each tier of :func:`program_economics`, lowest tier first.
TIER_MULTIPLIERS: dict[str, float] = {"base": 1.0, "silver": 1.5, "gold": 2.0}

_MOTTO = dict(RELATIONSHIP_LEVELS)


# ---------------------------------------------------------------------------
# Kotler's grid
# ---------------------------------------------------------------------------


def _check_cuts(cuts: Any, arg: str) -> tuple[float, float]:
    ok = (
        isinstance(cuts, (tuple, list))
        and len(cuts) == 2
        and all(isinstance(c, numbers.Real) and not isinstance(c, bool) for c in cuts)
        and all(math.isfinite(c) and c > 0 for c in cuts)
        and cuts[0] < cuts[1]
    )
    if not ok:
        raise ValueError(
            f"`{arg}` must be two increasing positive numbers (lower, upper), e.g. "
            f"{CUSTOMER_CUTS if arg == 'customer_cuts' else MARGIN_CUTS}; got {cuts!r}."
        )
    return float(cuts[0]), float(cuts[1])


def _reason(n: float, m: float, c_band: str, m_band: str, level: str) -> str:
    return (
        f"{n:,.0f} customers is {c_band!r} and a margin of {m:,.0f} roubles per unit is "
        f"{m_band!r}; Kotler's grid recommends a {level} relationship ({_MOTTO[level]})."
    )


def recommend_level(
    n_customers: float,
    unit_margin: float,
    customer_cuts: tuple[float, float] = CUSTOMER_CUTS,
    margin_cuts: tuple[float, float] = MARGIN_CUTS,
) -> dict[str, str]:
    """The relationship level Kotler's grid recommends for one business.

    Parameters
    ----------
    n_customers : float
        Number of customers, > 0.
    unit_margin : float
        Margin per unit sold, roubles, >= 0 (for the case: the mean margin of a purchase).
    customer_cuts : (float, float)
        Below the first is "few" customers, from the second on "many".
    margin_cuts : (float, float)
        Below the first the margin is "low", from the second on "high".

    Returns
    -------
    dict
        ``level``, ``customers_band``, ``margin_band`` and ``reason`` (a sentence).

    Examples
    --------
    >>> recommend_level(500_000, 150)["level"]
    'basic'
    >>> recommend_level(4_850, 514)["reason"]
    "4,850 customers is 'medium' and a margin of 514 roubles per unit is 'low'; Kotler's grid recommends a reactive relationship (sold; call us if you need us)."
    """
    n = check_in_range(n_customers, "n_customers", 0, low_inclusive=False)
    m = check_in_range(unit_margin, "unit_margin", 0)
    c_cuts = _check_cuts(customer_cuts, "customer_cuts")
    m_cuts = _check_cuts(margin_cuts, "margin_cuts")
    c_band = CUSTOMER_BANDS[int(np.searchsorted(c_cuts, n, side="right"))]
    m_band = MARGIN_BANDS[int(np.searchsorted(m_cuts, m, side="right"))]
    level = KOTLER_GRID[(c_band, m_band)]
    return {
        "level": level,
        "customers_band": c_band,
        "margin_band": m_band,
        "reason": _reason(n, m, c_band, m_band, level),
    }


def recommend_levels(
    groups: pd.DataFrame,
    n_customers_col: str = "customers",
    unit_margin_col: str = "margin_per_transaction",
    customer_cuts: tuple[float, float] = CUSTOMER_CUTS,
    margin_cuts: tuple[float, float] = MARGIN_CUTS,
) -> pd.DataFrame:
    """Kotler's grid for several businesses or customer groups at once.

    Parameters
    ----------
    groups : DataFrame
        One row per group (e.g. the case's B2C and B2B arms) with its number of
        customers and its margin per unit. The defaults are the columns of
        :func:`margin_by_group`, whose ``margin_per_transaction`` (mean margin of a
        purchase) stands for the margin per unit, as in chapter 3; pass
        ``unit_margin_col="margin_per_item"`` to use the margin per item instead.
    n_customers_col, unit_margin_col : str
        Columns with the number of customers (> 0) and the margin per unit (>= 0).
    customer_cuts, margin_cuts : (float, float)
        Band limits, as in :func:`recommend_level`.

    Returns
    -------
    DataFrame
        A copy of ``groups`` with ``customers_band``, ``margin_band``, ``level`` and
        ``reason`` added (what :func:`rmlib.plots.kotler_grid` places on the grid).

    Examples
    --------
    >>> arms = pd.DataFrame({"customers": [4_850, 150], "margin_per_transaction": [514.0, 33_117.0]},
    ...                     index=pd.Index(["B2C", "B2B"], name="segment"))
    >>> recommend_levels(arms)[["customers_band", "margin_band", "level"]]
            customers_band margin_band        level
    segment
    B2C             medium         low     reactive
    B2B                few        high  partnership
    """
    check_frame(groups, "groups", [n_customers_col, unit_margin_col])
    n = check_numeric(groups, "groups", n_customers_col)
    m = check_numeric(groups, "groups", unit_margin_col)
    c_cuts = _check_cuts(customer_cuts, "customer_cuts")
    m_cuts = _check_cuts(margin_cuts, "margin_cuts")
    if (n <= 0).any():
        raise ValueError(
            f"column {n_customers_col!r} of `groups` must be > 0 (a number of customers); "
            f"found {n[n <= 0][0]:g} at index {first_labels(groups.index, n <= 0)}."
        )
    if (m < 0).any():
        raise ValueError(
            f"column {unit_margin_col!r} of `groups` must be >= 0 (margin per unit, roubles); "
            f"found {m[m < 0][0]:g} at index {first_labels(groups.index, m < 0)}. A group that "
            f"loses money on each unit needs a price review before a relationship level."
        )
    c_band = np.asarray(CUSTOMER_BANDS, dtype=object)[np.searchsorted(c_cuts, n, side="right")]
    m_band = np.asarray(MARGIN_BANDS, dtype=object)[np.searchsorted(m_cuts, m, side="right")]
    level = [KOTLER_GRID[(c, b)] for c, b in zip(c_band, m_band, strict=True)]
    out = groups.copy()
    out["customers_band"] = pd.array(c_band, dtype="str")
    out["margin_band"] = pd.array(m_band, dtype="str")
    out["level"] = pd.array(level, dtype="str")
    out["reason"] = pd.array(
        [_reason(*args) for args in zip(n, m, c_band, m_band, level, strict=True)], dtype="str"
    )
    return out


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


# ---------------------------------------------------------------------------
# returns
# ---------------------------------------------------------------------------


def program_roi(incremental_margin: float, program_cost: float) -> float:
    """Return on a program: ``(incremental_margin - program_cost) / program_cost``.

    Parameters
    ----------
    incremental_margin : float
        Extra margin the program brought (roubles; may be negative).
    program_cost : float
        What the program cost (rewards, cards, staff, IT), roubles, > 0.

    Returns
    -------
    float
        0.5 means every rouble spent came back with 50 kopecks on top; below 0 the
        program lost money.

    Examples
    --------
    >>> program_roi(800_000, 1_000_000)
    -0.2
    """
    m = check_in_range(incremental_margin, "incremental_margin")
    cost = check_in_range(
        program_cost,
        "program_cost",
        0,
        low_inclusive=False,
        hint="A return is relative to what was spent; a program that cost nothing has none.",
    )
    return (m - cost) / cost


def program_balance(incremental_margin: float, reward_cost: float) -> dict[str, float]:
    """Net effect and ROI of a program from the margin it brings and what it costs.

    ``net_effect = incremental_margin - reward_cost`` and ``roi = net_effect /
    reward_cost`` (:func:`program_roi`); a program that costs nothing has no ROI
    (NaN) rather than an error, so a slider that reaches a zero reward rate still
    gets an answer.

    Parameters
    ----------
    incremental_margin : float
        Extra margin the program brings (roubles; may be negative).
    reward_cost : float
        What the program costs (roubles), >= 0.

    Returns
    -------
    dict
        ``incremental_margin``, ``reward_cost``, ``net_effect`` and ``roi``, as floats:
        what :func:`rmlib.plots.program_economics` draws.

    Examples
    --------
    >>> program_balance(500_000, 300_000)
    {'incremental_margin': 500000.0, 'reward_cost': 300000.0, 'net_effect': 200000.0, 'roi': 0.666...}
    >>> program_balance(1_000, 0)["roi"]
    nan
    """
    gain = check_in_range(incremental_margin, "incremental_margin")
    cost = check_in_range(
        reward_cost, "reward_cost", 0, hint="It is a cost: pass it as a positive amount."
    )
    if not (math.isfinite(gain) and math.isfinite(cost)):
        raise ValueError(
            f"`incremental_margin` and `reward_cost` must be finite amounts in roubles, got "
            f"{gain:g} and {cost:g}."
        )
    return {
        "incremental_margin": gain,
        "reward_cost": cost,
        "net_effect": gain - cost,
        "roi": program_roi(gain, cost) if cost > 0 else float("nan"),
    }


def _yearly_spend(spend: Any) -> np.ndarray:
    """Checked yearly spend per customer (roubles, >= 0) as a float array."""
    if isinstance(spend, (pd.DataFrame, str, bytes, Mapping)) or np.ndim(spend) != 1:
        raise TypeError(
            "`spend` must be one yearly spend per customer in roubles: a Series, list or "
            f"array, got {type(spend).__name__}. From a purchase log, sum it per customer, "
            "e.g. transactions.groupby('customer_id')['amount'].sum()."
        )
    s = spend if isinstance(spend, pd.Series) else pd.Series(list(spend), dtype="float64")
    if len(s) == 0:
        raise ValueError("`spend` is empty; give the yearly spend of at least one customer.")
    v = check_numeric_values(s, "spend")
    negative = v < 0
    if negative.any():
        raise ValueError(
            f"`spend` has {int(negative.sum())} negative value(s) (first at index "
            f"{first_labels(s.index, negative)}); yearly spend is >= 0 roubles. Net out "
            f"refunds per customer first."
        )
    return v


def _tier_multipliers(multipliers: Any) -> dict[str, float]:
    if not isinstance(multipliers, Mapping) or set(multipliers) != set(TIER_MULTIPLIERS):
        keys = ", ".join(map(repr, TIER_MULTIPLIERS))
        raise ValueError(
            f"`multipliers` must be a dict with the keys {keys} (points per rouble of reward "
            f"rate in each tier), e.g. {TIER_MULTIPLIERS}; got {multipliers!r}."
        )
    return {k: check_in_range(multipliers[k], f"multipliers[{k!r}]", 0) for k in TIER_MULTIPLIERS}


def program_economics(
    spend: pd.Series | Sequence[float] | np.ndarray,
    reward_rate: float,
    *,
    silver: float | None = None,
    gold: float | None = None,
    participation: float = 1.0,
    uplift: float = 0.0,
    margin_rate: float = 0.25,
    breakage: float = 0.2,
    multipliers: Mapping[str, float] = TIER_MULTIPLIERS,
) -> dict[str, float]:
    """Expected cost, incremental margin, net effect and ROI of a tiered points program.

    The model is in the module's notes: members earn ``reward_rate`` of their spend
    as points (times their tier's multiplier), a share ``participation`` of the
    customers joins and spends ``uplift`` more, a share ``breakage`` of the points is
    never redeemed, and the extra spend earns ``margin_rate`` of margin. It is a
    planning model with the program's assumptions as inputs; measure a running
    program's effect with :func:`program_uplift` instead.

    Parameters
    ----------
    spend : Series, list or array
        Yearly spend per customer without the program, roubles, >= 0.
    reward_rate : float
        Points earned per rouble spent in the base tier, in [0, 1] (0.03 for 3%).
    silver, gold : float, optional
        Yearly spend (roubles, with the program's uplift) from which a member is in the
        silver or the gold tier; None (default) for no such tier. ``gold`` must not be
        below ``silver``.
    participation : float
        Share of the customers who join, in [0, 1].
    uplift : float
        How much more a member spends, as a share of their spend, >= 0 (0.08 for 8%).
    margin_rate : float
        Gross margin as a share of spend, in [0, 1].
    breakage : float
        Share of the points never redeemed, in [0, 1].
    multipliers : dict
        Multiplier of the reward rate in the ``"base"``, ``"silver"`` and ``"gold"``
        tiers, >= 0; default :data:`TIER_MULTIPLIERS` (1, 1.5, 2).

    Returns
    -------
    dict
        ``members``, ``silver_members`` and ``gold_members`` (expected numbers of
        members, in all and in the silver and gold tiers), then the money in roubles from
        :func:`program_balance`: ``reward_cost``, ``incremental_margin``,
        ``net_effect`` and ``roi`` (NaN when the rewards cost nothing). What
        :func:`rmlib.plots.program_economics` draws.

    Raises
    ------
    ValueError
        If a rate or share is outside its range, ``gold < silver``, or ``spend`` has
        missing or negative values.

    Examples
    --------
    Two customers spending 10,000 and 30,000 roubles a year; half of them join and
    spend 10% more, so 11,000 and 33,000 roubles (the second in the silver tier, 1.5 x
    5% back); the extra 4,000 roubles of spend bring 30% margin:

    >>> r = program_economics([10_000, 30_000], 0.05, silver=20_000, gold=50_000,
    ...                       participation=0.5, uplift=0.1, margin_rate=0.3, breakage=0.0)
    >>> r["members"], r["silver_members"], r["gold_members"]
    (1.0, 0.5, 0.0)
    >>> r["reward_cost"], r["incremental_margin"], r["net_effect"], round(r["roi"], 3)
    (1512.5, 600.0, -912.5, -0.603)
    """
    v = _yearly_spend(spend)
    rate = check_in_range(reward_rate, "reward_rate", 0, 1, hint="Write 0.03 for 3%.")
    cuts = {}
    for name, cut in (("silver", silver), ("gold", gold)):
        cuts[name] = math.inf if cut is None else check_in_range(cut, name, 0)
    if silver is not None and gold is not None and cuts["gold"] < cuts["silver"]:
        raise ValueError(
            f"the gold threshold ({cuts['gold']:,.0f}) must not be below the silver threshold "
            f"({cuts['silver']:,.0f}) roubles; pass gold >= silver, or silver=None for no "
            f"silver tier."
        )
    p = check_probability(participation, "participation")
    u = check_in_range(uplift, "uplift", 0, hint="Write 0.08 for 8%.")
    margin = check_probability(margin_rate, "margin_rate")
    kept = 1 - check_probability(breakage, "breakage")
    mult = _tier_multipliers(multipliers)
    new_spend = v * (1 + u)
    is_gold = new_spend >= cuts["gold"]
    is_silver = (new_spend >= cuts["silver"]) & ~is_gold
    per_rouble = np.where(is_gold, mult["gold"], np.where(is_silver, mult["silver"], mult["base"]))
    cost = p * float(np.sum(new_spend * rate * per_rouble)) * kept
    gain = p * float(np.sum(v * u)) * margin
    return {
        "members": p * v.size,
        "silver_members": p * float(is_silver.sum()),
        "gold_members": p * float(is_gold.sum()),
        **program_balance(gain, cost),
    }


def relationship_roi(
    incremental_margins: float | Sequence[float] | np.ndarray | pd.Series,
    investment: float,
    discount_rate: float = 0.0,
) -> float:
    """Return on a relationship investment, with later margins discounted.

    ``(PV - investment) / investment`` where ``PV`` is the present value of the
    incremental margins, the one of year *t* (t = 1, 2, ...) divided by
    ``(1 + discount_rate) ** t``: the investment is made now, the margins come at the
    end of each year.

    Parameters
    ----------
    incremental_margins : float or sequence of float
        Extra margin the relationship brings in each year (roubles); one number is one
        year.
    investment : float
        What the relationship costs up front (roubles), > 0.
    discount_rate : float
        Yearly discount rate, > -1 (0 = no discounting).

    Returns
    -------
    float

    Examples
    --------
    >>> relationship_roi(150_000, 100_000)
    0.5
    >>> round(relationship_roi([60_000, 60_000], 100_000, discount_rate=0.1), 4)
    0.0413
    """
    inv = check_in_range(
        investment,
        "investment",
        0,
        low_inclusive=False,
        hint="A return is relative to what was invested; pass the cost in roubles.",
    )
    d = check_discount_rate(discount_rate)
    if isinstance(incremental_margins, numbers.Real) and not isinstance(incremental_margins, bool):
        margins = np.array([check_in_range(incremental_margins, "incremental_margins")])
    else:
        if isinstance(incremental_margins, (str, bytes, Mapping)) or not isinstance(
            incremental_margins, (Sequence, np.ndarray, pd.Series)
        ):
            raise TypeError(
                "`incremental_margins` must be a number or a list of yearly margins "
                f"(roubles); got {type(incremental_margins).__name__}."
            )
        margins = pd.Series(list(incremental_margins), dtype="float64").to_numpy()
        if margins.size == 0:
            raise ValueError("`incremental_margins` is empty; give at least one year's margin.")
        if not np.isfinite(margins).all():
            raise ValueError(
                "`incremental_margins` has missing or infinite values; give a number per year."
            )
    years = np.arange(1, margins.size + 1)
    pv = float(np.sum(margins / (1 + d) ** years))
    return (pv - inv) / inv


# ---------------------------------------------------------------------------
# margin by customer group
# ---------------------------------------------------------------------------


def margin_by_group(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    by: str | Sequence[str] = "segment",
    *,
    customer_col: str = "customer_id",
    margin_col: str = "margin",
    items_col: str | None = None,
) -> pd.DataFrame:
    """Margin per customer and per transaction for each customer group.

    Parameters
    ----------
    transactions : DataFrame
        Purchase log with ``customer_col`` and ``margin_col`` (roubles; returns may be
        negative).
    customers : DataFrame
        One row per customer with ``customer_col`` and the ``by`` column(s). Every
        customer counts, also those with no purchase (margin 0).
    by : str or list of str
        Customer attribute(s) to group by (``"segment"``, ``"city"``,
        ``"acquisition_channel"``...).
    customer_col, margin_col : str
        Column names.
    items_col : str, optional
        Column of items per purchase; when given, adds ``items`` and
        ``margin_per_item`` (a margin per unit sold for :func:`recommend_levels`).

    Returns
    -------
    DataFrame
        One row per group (sorted): ``customers``, ``transactions``, ``margin``,
        ``margin_share`` (of all margin), ``margin_per_customer``,
        ``margin_per_transaction`` (NaN for a group without purchases).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "margin": [100.0, 50.0, 900.0, 30.0]})
    >>> cust = pd.DataFrame({"customer_id": [1, 2, 3, 4], "segment": ["B2C", "B2B", "B2C", "B2C"]})
    >>> margin_by_group(tx, cust)[["customers", "transactions", "margin_per_customer",
    ...                            "margin_per_transaction"]]
             customers  transactions  margin_per_customer  margin_per_transaction
    segment
    B2B              1             1           900.000000                   900.0
    B2C              3             3            60.000000                    60.0
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValueError("`by` is empty; give a customer column such as by='segment'.")
    check_customer_frame(transactions, "transactions", customer_col, [margin_col, items_col])
    margin = check_numeric(transactions, "transactions", margin_col)
    items = (
        check_numeric(transactions, "transactions", items_col) if items_col is not None else None
    )
    check_customer_frame(customers, "customers", customer_col, keys)
    for k in keys:
        check_no_missing(customers, "customers", k)
    ids = check_unique_ids(customers, "customers", customer_col)
    tx_ids = transactions[customer_col].to_numpy()
    check_matching_ids(tx_ids, "transactions", customer_col, ids, "customers")
    pos = ids.get_indexer(tx_ids)
    unknown = pos < 0
    if unknown.any():
        raise ValueError(
            f"{int(unknown.sum())} purchase(s) in `transactions` belong to customers missing "
            f"from `customers` (first ids: {pd.unique(tx_ids[unknown])[:3].tolist()}); pass "
            f"the full customer table or filter the log."
        )
    group_keys = customers[keys].reset_index(drop=True)
    per_tx = pd.DataFrame(
        {"_pos": pos, "margin": margin, "transactions": np.ones(len(pos), dtype="int64")}
    )
    if items is not None:
        per_tx["items"] = items
    per_customer = per_tx.groupby("_pos").sum().reindex(range(len(ids)), fill_value=0)
    per_customer["customers"] = 1
    grouped = per_customer.groupby([group_keys[k] for k in keys], sort=True, observed=True).sum()
    total = float(margin.sum())
    out = pd.DataFrame(index=grouped.index)
    out["customers"] = grouped["customers"].astype("int64")
    out["transactions"] = grouped["transactions"].astype("int64")
    out["margin"] = grouped["margin"].astype("float64")
    out["margin_share"] = out["margin"] / total if total != 0 else np.nan
    out["margin_per_customer"] = out["margin"] / out["customers"]
    n_tx = out["transactions"].where(out["transactions"] > 0)
    out["margin_per_transaction"] = out["margin"] / n_tx
    if items is not None:
        out["items"] = grouped["items"].astype("float64")
        out["margin_per_item"] = out["margin"] / out["items"].where(out["items"] > 0)
    return out


# ---------------------------------------------------------------------------
# implementation pyramid
# ---------------------------------------------------------------------------


def pyramid_readiness(
    ratings: Mapping[str, float] | pd.Series,
    scale: float = 5,
    in_place: float = 3,
    levels: Sequence[str] | None = PYRAMID_LEVELS,
) -> dict[str, Any]:
    """Readiness for relationship marketing, level by level up the implementation pyramid.

    Parameters
    ----------
    ratings : dict or Series
        Rating of each level, 0 (not started) to ``scale`` (fully in place).
    scale : float
        Top of the rating scale, > 0.
    in_place : float
        Rating from which a level is in place, in (0, ``scale``].
    levels : sequence of str or None
        The pyramid's levels from the base up; every one must be rated and no other.
        Default :data:`PYRAMID_LEVELS`. ``None`` takes the levels, and their order from
        the base up, from ``ratings`` itself.

    Returns
    -------
    dict
        ``readiness``: level -> rating / scale (what
        :func:`rmlib.plots.implementation_pyramid` shades); ``in_place``: level -> True
        if the level counts (it and every level below it reach ``in_place``);
        ``blocking``: the lowest level below ``in_place`` (None if none);
        ``levels_in_place``: how many levels count; ``overall``: their share (0-1).

    Examples
    --------
    >>> r = pyramid_readiness({"strategy": 5, "structure": 4, "business processes": 1,
    ...                        "culture": 4, "technology": 5})
    >>> r["blocking"], r["levels_in_place"], r["overall"]
    ('business processes', 2, 0.4)
    >>> r["in_place"]["technology"], r["readiness"]["technology"]
    (False, 1.0)
    """
    if isinstance(ratings, pd.Series):
        ratings = dict(ratings.items())
    if not isinstance(ratings, Mapping) or not ratings:
        raise TypeError(
            "`ratings` must be a non-empty dict of level -> rating (0-5), e.g. "
            "{'strategy': 4, 'structure': 3, ...}; got "
            f"{type(ratings).__name__} {ratings!r}."
        )
    top = check_in_range(scale, "scale", 0, low_inclusive=False)
    bar = check_in_range(
        in_place,
        "in_place",
        0,
        top,
        low_inclusive=False,
        hint="It is a rating on the scale from which a level counts as in place.",
    )
    if levels is None:
        order = list(ratings)
    else:
        order = [str(x) for x in levels]
        if not order:
            raise ValueError("`levels` is empty; give the pyramid's levels from the base up.")
        unknown = [k for k in ratings if k not in order]
        if unknown:
            raise ValueError(
                f"unknown pyramid level(s) {', '.join(map(repr, unknown))} in `ratings`; the "
                f"levels are {', '.join(map(repr, order))}. Fix the name, or pass "
                f"levels=None to use your own levels in the order given."
            )
        missing = [k for k in order if k not in ratings]
        if missing:
            raise ValueError(
                f"`ratings` has no rating for level(s) {', '.join(map(repr, missing))}; rate "
                f"every level from 0 (not started) to {top:g}."
            )
    readiness = {}
    for level in order:
        rating = check_in_range(ratings[level], f"ratings[{level!r}]", 0, top)
        readiness[level] = rating / top
    blocking = next((lv for lv in order if ratings[lv] < bar), None)
    counted = len(order) if blocking is None else order.index(blocking)
    return {
        "readiness": readiness,
        "in_place": {lv: i < counted for i, lv in enumerate(order)},
        "blocking": blocking,
        "levels_in_place": counted,
        "overall": counted / len(order),
    }


# ---------------------------------------------------------------------------
# CRM reports (chapter 5): the pandas side of the mini CRM's SQL queries
# ---------------------------------------------------------------------------


def customers_per_manager(
    customers: pd.DataFrame,
    employees: pd.DataFrame,
    *,
    active_only: bool = True,
    role: str = "account_manager",
    manager_col: str = "manager_id",
    status_col: str = "status",
) -> pd.DataFrame:
    """Customers in each account manager's care: the CRM's staff-monitoring report.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with ``manager_col`` (employee id or missing) and, when
        ``active_only``, ``status_col`` (``'active'`` or ``'former'``), as in the
        table ``customers`` of :func:`rmlib.crm.crm_tables`.
    employees : DataFrame
        ``employee_id``, ``name`` and ``role``.
    active_only : bool
        Count only active customers (former customers are no one's workload).
    role : str
        The employees who get a row: every employee with this role, also one with no
        customers (0).
    manager_col, status_col : str
        Column names in ``customers``.

    Returns
    -------
    DataFrame
        ``manager_id``, ``manager`` (name) and ``active_customers`` (or
        ``customers`` when ``active_only`` is False), by ``manager_id``.

    Examples
    --------
    >>> cust = pd.DataFrame({"manager_id": [7, 7, 7, None], "status": ["active", "former",
    ...                      "active", "active"]})
    >>> emp = pd.DataFrame({"employee_id": [7, 8, 9], "name": ["Ann", "Bob", "Cy"],
    ...                     "role": ["account_manager", "account_manager", "cashier"]})
    >>> customers_per_manager(cust, emp)
       manager_id manager  active_customers
    0           7     Ann                 2
    1           8     Bob                 0
    """
    check_frame(customers, "customers", [manager_col] + ([status_col] if active_only else []))
    check_frame(employees, "employees", ["employee_id", "name", "role"])
    mine = customers
    if active_only:
        statuses = set(customers[status_col].dropna().unique())
        if not statuses <= {"active", "former"}:
            raise ValueError(
                f"`customers[{status_col!r}]` must hold 'active' or 'former'; found "
                f"{sorted(map(str, statuses - {'active', 'former'}))[:3]}. Use the CRM's "
                "customers table (rmlib.crm.crm_tables)."
            )
        mine = customers[customers[status_col] == "active"]
    counts = pd.to_numeric(mine[manager_col], errors="coerce").dropna().astype("int64")
    counts = counts.value_counts()
    managers = employees[employees["role"] == role].sort_values("employee_id")
    if managers.empty:
        raise ValueError(
            f"`employees` has no one with role {role!r}; roles found: "
            f"{', '.join(map(repr, first_labels(employees['role'].unique())))}."
        )
    ids = managers["employee_id"].astype("int64")
    col = "active_customers" if active_only else "customers"
    return pd.DataFrame(
        {
            "manager_id": ids.to_numpy(),
            "manager": managers["name"].to_numpy(),
            col: counts.reindex(ids, fill_value=0).astype("int64").to_numpy(),
        }
    )


def contacts_per_customer(
    customers: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    active_only: bool = True,
    customer_col: str = "customer_id",
    status_col: str = "status",
) -> pd.DataFrame:
    """How many contacts the log holds for each customer, 0 for those never contacted.

    Every customer gets a row: a customer missing from the contact log is exactly the
    one the CRM has not reached yet (a report built on an inner join would hide them).

    Parameters
    ----------
    customers : DataFrame
        ``customer_col`` and, when ``active_only``, ``status_col``.
    contacts : DataFrame
        The contact log, one row per contact, with ``customer_col``.
    active_only : bool
        Keep only customers whose status is ``'active'``.
    customer_col, status_col : str
        Column names.

    Returns
    -------
    DataFrame
        ``customer_id`` and ``contacts``, by customer id.

    Examples
    --------
    >>> cust = pd.DataFrame({"customer_id": [1, 2, 3], "status": ["active"] * 3})
    >>> log = pd.DataFrame({"customer_id": [1, 1, 3]})
    >>> contacts_per_customer(cust, log)["contacts"].tolist()
    [2, 0, 1]
    """
    check_frame(customers, "customers", [customer_col] + ([status_col] if active_only else []))
    check_frame(contacts, "contacts", [customer_col], allow_empty=True)
    check_no_missing(customers, "customers", customer_col)
    check_no_missing(contacts, "contacts", customer_col)
    ids = check_unique_ids(customers, "customers", customer_col)
    check_matching_ids(contacts[customer_col], "contacts", customer_col, ids, "customers")
    keep = customers[status_col].eq("active").to_numpy() if active_only else np.ones(len(ids), bool)
    counts = contacts[customer_col].value_counts()
    chosen = pd.Index(ids[keep]).sort_values()
    return pd.DataFrame(
        {
            "customer_id": chosen.to_numpy(),
            "contacts": counts.reindex(chosen, fill_value=0).astype("int64").to_numpy(),
        }
    )


def churn_reasons(
    departures: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    reason_col: str = "reason",
    margin_col: str = "margin",
) -> pd.DataFrame:
    """Why former customers left, how many gave each reason and the margin they brought.

    Parameters
    ----------
    departures : DataFrame
        One row per former customer with ``customer_col`` and ``reason_col`` (the
        CRM's ``departures`` table).
    transactions : DataFrame
        Purchase log with ``customer_col`` and ``margin_col`` (roubles).
    customer_col, reason_col, margin_col : str
        Column names.

    Returns
    -------
    DataFrame
        ``reason``, ``former_customers`` (customers, not purchases) and ``margin`` (the
        total margin of their purchases, roubles: what the company has lost), the
        most frequent reason first and equal counts by reason.

    Examples
    --------
    >>> dep = pd.DataFrame({"customer_id": [1, 2, 3], "reason": ["price", "moved", "price"]})
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "margin": [10.0, 5.0, 7.0, 1.0]})
    >>> churn_reasons(dep, tx)
      reason  former_customers  margin
    0  price                 2    16.0
    1  moved                 1     7.0
    """
    check_frame(departures, "departures", [customer_col, reason_col], allow_empty=True)
    check_customer_frame(transactions, "transactions", customer_col, [margin_col])
    margin = check_numeric(transactions, "transactions", margin_col)
    check_no_missing(departures, "departures", customer_col)
    check_unique_ids(departures, "departures", customer_col)
    check_matching_ids(
        departures[customer_col],
        "departures",
        customer_col,
        transactions[customer_col],
        "transactions",
    )
    per_customer = pd.Series(margin, index=transactions[customer_col].to_numpy())
    per_customer = per_customer.groupby(level=0).sum()
    dep = pd.DataFrame(
        {
            "reason": departures[reason_col].to_numpy(),
            "margin": per_customer.reindex(departures[customer_col].to_numpy(), fill_value=0.0)
            .astype("float64")
            .to_numpy(),
        }
    )
    out = dep.groupby("reason", sort=True).agg(
        former_customers=("margin", "size"), margin=("margin", "sum")
    )
    out = out.reset_index().sort_values(
        ["former_customers", "reason"], ascending=[False, True], kind="stable"
    )
    out["former_customers"] = out["former_customers"].astype("int64")
    return out.reset_index(drop=True)
