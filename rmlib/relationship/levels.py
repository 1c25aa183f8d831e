"""Relationship levels (Kotler): the five levels and the grid that picks one.

:func:`recommend_level` and :func:`recommend_levels` place a number of customers and
a margin per unit on :data:`KOTLER_GRID` (see :mod:`rmlib.relationship`).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

from rmlib._validate import (
    check_frame,
    check_in_range,
    check_numeric,
    first_labels,
)

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


def _article(word: str) -> str:
    """'an' before a vowel sound ('an accountable'), else 'a' ('a basic')."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def _reason(n: float, m: float, c_band: str, m_band: str, level: str) -> str:
    return (
        f"{n:,.0f} customers is {c_band!r} and a margin of {m:,.0f} roubles per unit is "
        f"{m_band!r}; Kotler's grid recommends {_article(level)} {level} relationship "
        f"({_MOTTO[level]})."
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
