"""Returns on relationships: ROI of a program, a points program's economics, discounted ROI."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rmlib._validate import (
    check_discount_rate,
    check_in_range,
    check_numeric_values,
    check_probability,
    first_labels,
)

#: Points multiplier of each tier of :func:`program_economics`, lowest tier first.
TIER_MULTIPLIERS: dict[str, float] = {"base": 1.0, "silver": 1.5, "gold": 2.0}


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
