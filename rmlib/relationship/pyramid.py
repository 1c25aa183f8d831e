"""Is the company ready for a CRM system? The implementation pyramid, level by level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from rmlib._validate import check_in_range

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
