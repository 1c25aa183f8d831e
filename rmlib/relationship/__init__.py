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

What lives where
    One module per topic, every name re-exported here: :mod:`~rmlib.relationship.levels`
    (the five levels, Kotler's grid), :mod:`~rmlib.relationship.programs` (outcomes and
    uplift of the loyalty card), :mod:`~rmlib.relationship.returns` (ROI, a points
    program's economics, discounted returns), :mod:`~rmlib.relationship.margin` (margin
    by customer group), :mod:`~rmlib.relationship.pyramid` (CRM readiness) and
    :mod:`~rmlib.relationship.reports` (the CRM's reports in pandas).

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

from rmlib.relationship.levels import (
    CUSTOMER_BANDS,
    CUSTOMER_CUTS,
    KOTLER_GRID,
    LEVEL_NAMES_RU,
    MARGIN_BANDS,
    MARGIN_CUTS,
    RELATIONSHIP_LEVELS,
    recommend_level,
    recommend_levels,
)
from rmlib.relationship.margin import margin_by_group
from rmlib.relationship.programs import UpliftResult, program_outcomes, program_uplift
from rmlib.relationship.pyramid import PYRAMID_LEVELS, PYRAMID_LEVELS_RU, pyramid_readiness
from rmlib.relationship.reports import churn_reasons, contacts_per_customer, customers_per_manager
from rmlib.relationship.returns import (
    TIER_MULTIPLIERS,
    program_balance,
    program_economics,
    program_roi,
    relationship_roi,
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
