"""Figures for the relationship marketing workbook.

Every function here draws one kind of figure on a matplotlib ``Axes``:

* it takes ``ax=None`` and creates a figure only when no axes are given;
* it draws only through ``ax`` and returns it, so figures can be combined;
* axes are labelled with their units (roubles, %, weeks);
* colours come from one colour-blind-safe palette, :data:`OKABE_ITO`
  (Okabe & Ito, 2008), and heatmaps use the ``cividis`` colour map, which
  reads the same for people with colour-vision deficiency;
* it draws what the analytics modules (:mod:`rmlib.pareto`,
  :mod:`rmlib.retention`, :mod:`rmlib.loyalty`, :mod:`rmlib.relationship`,
  :mod:`rmlib.rfm`, :mod:`rmlib.clv`) return and never computes a metric of
  its own: a share, a Gini coefficient or a CLV is passed in, or taken from
  the analytics function that computes it.

The figures are plain matplotlib: no plotting library does the course's
conceptual diagrams (ladder, grid, pyramid, stakeholder map), and the data
figures are a few bars and lines that matplotlib draws directly.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import Circle, Polygon
from matplotlib.ticker import PercentFormatter

from rmlib._validate import check_frame, check_in_range, check_nonnegative

__all__ = [
    "CATEGORICAL",
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "implementation_pyramid",
    "nps_breakdown",
    "relationship_ladder",
    "stakeholder_map",
]

#: The Okabe–Ito palette: eight colours that stay distinct for the common
#: forms of colour-vision deficiency. ``grey`` is a neutral added for
#: "no emphasis" elements (passives, inactive levels).
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

#: Order in which categories (groups, segments, classes) take colours.
CATEGORICAL: tuple[str, ...] = tuple(
    OKABE_ITO[k]
    for k in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "sky_blue",
        "reddish_purple",
        "yellow",
        "black",
    )
)

#: Colour map for heatmaps and shaded levels (perceptually uniform, colour-blind safe).
SEQUENTIAL_CMAP = "cividis"

# Emphasis colours used across figures.
_MAIN = OKABE_ITO["blue"]
_ACCENT = OKABE_ITO["orange"]
_ALERT = OKABE_ITO["vermillion"]
_GOOD = OKABE_ITO["bluish_green"]
_NEUTRAL = OKABE_ITO["grey"]

# The five levels of relationships with customers (Kotler), lowest first,
# with the short motto the course uses for each.
_LEVELS: tuple[tuple[str, str], ...] = (
    ("basic", "sold and forgot"),
    ("reactive", "sold; call us if you need us"),
    ("accountable", "sold, then called to ask how it went"),
    ("proactive", "sold and keeps calling with new offers"),
    ("partnership", "works with the customer to find more value"),
)

# The implementation pyramid (five directions of change), base first.
_PYRAMID_LEVELS: tuple[str, ...] = (
    "strategy",
    "structure",
    "business processes",
    "culture",
    "technology",
)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _get_ax(ax: Any, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    """Return ``ax``, or a fresh axes when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(
            f"`ax` must be a matplotlib Axes or None, got {type(ax).__name__}. "
            f"Create one with `fig, ax = plt.subplots()` or leave `ax` out."
        )
    return ax


def _roubles(x: float, _pos: Any = None) -> str:
    """Tick label for an amount in roubles: thousands separated by thin spaces."""
    return f"{x:,.0f}".replace(",", "\u2009")


def _as_share_mapping(values: Any, arg: str, keys: Sequence[str] | None = None) -> pd.Series:
    """Turn a dict/Series of non-negative numbers into a float Series, checking it."""
    if isinstance(values, Mapping):
        s = pd.Series(dict(values), dtype=float)
    elif isinstance(values, pd.Series):
        s = values.astype(float)
    else:
        raise TypeError(f"`{arg}` must be a dict or pandas Series, got {type(values).__name__}.")
    if keys is not None:
        missing = [k for k in keys if k not in s.index]
        if missing:
            have = ", ".join(repr(k) for k in s.index) or "(none)"
            raise ValueError(
                f"`{arg}` has no entry {missing[0]!r}. It has: {have}. "
                f"Pass one value for each of {', '.join(repr(k) for k in keys)}."
            )
        s = s.loc[list(keys)]
    if s.isna().any():
        raise ValueError(f"`{arg}` has missing values at {list(s.index[s.isna()])}.")
    if (s < 0).any():
        raise ValueError(f"`{arg}` has negative values at {list(s.index[s < 0])}; need >= 0.")
    return s


def _text_colour(face: Any) -> str:
    """Black or white, whichever reads better on ``face``."""
    r, g, b = (int(to_hex(face)[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


# ---------------------------------------------------------------------------
# conceptual figures
# ---------------------------------------------------------------------------


def relationship_ladder(highlight: str | None = None, *, ax: Axes | None = None) -> Axes:
    """The five levels of relationships with customers as a ladder.

    Each step is one level, from *basic* ("sold and forgot") up to
    *partnership*; the higher the step, the closer and costlier the
    relationship.

    Parameters
    ----------
    highlight : str, optional
        A level to emphasise (e.g. the one :func:`rmlib.relationship`
        recommends). One of ``"basic"``, ``"reactive"``, ``"accountable"``,
        ``"proactive"``, ``"partnership"``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = relationship_ladder(highlight="accountable")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['Basic', 'Reactive', 'Accountable', 'Proactive', 'Partnership']
    >>> [float(p.get_height()) for p in ax.patches]
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    names = [name for name, _ in _LEVELS]
    if highlight is not None and highlight not in names:
        raise ValueError(
            f"`highlight` must be one of {', '.join(repr(n) for n in names)}; got {highlight!r}."
        )
    ax = _get_ax(ax, figsize=(8.0, 4.5))
    x = np.arange(len(_LEVELS))
    colours = [_ACCENT if n == highlight else OKABE_ITO["sky_blue"] for n in names]
    bars = ax.bar(x, np.arange(1, len(_LEVELS) + 1, dtype=float), width=0.9, color=colours)
    for bar, (_, motto) in zip(bars, _LEVELS, strict=True):
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 0.1,
            textwrap.fill(f"\u201c{motto}\u201d", 16),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(x, [n.capitalize() for n in names])
    ax.set_ylim(0, len(_LEVELS) + 1.8)
    ax.set_yticks(np.arange(1, len(_LEVELS) + 1))
    ax.set_ylabel("closeness of the relationship (level 1\u20135)")
    ax.set_xlabel("relationship level")
    ax.set_title("Five levels of relationships with customers")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def implementation_pyramid(
    readiness: Mapping[str, float] | pd.Series | None = None,
    *,
    blocking: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The implementation pyramid: strategy at the base, technology at the top.

    Firms that succeed with relationship marketing spend years on the lower
    levels (strategy, structure, business processes, culture) before the
    technology at the top pays off. With ``readiness`` each level is shaded by
    how ready it is (0 = not started, 1 = in place).

    Parameters
    ----------
    readiness : dict or Series, optional
        Readiness of each level in [0, 1], keyed by level name, listed from the
        base up. Without it the default five levels are drawn unshaded.
        Pass what :mod:`rmlib.relationship`'s readiness assessment returns.
    blocking : str, optional
        The level that blocks progress (outlined and labelled).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ready = {"strategy": 0.9, "structure": 0.6, "business processes": 0.3,
    ...          "culture": 0.2, "technology": 0.8}
    >>> ax = implementation_pyramid(ready, blocking="business processes")
    >>> len(ax.patches)
    5
    >>> [t.get_text() for t in ax.texts][:2]
    ['Strategy: 90%', 'Structure: 60%']
    """
    if readiness is None:
        levels = list(_PYRAMID_LEVELS)
        values = None
    else:
        s = _as_share_mapping(readiness, "readiness")
        if len(s) == 0:
            raise ValueError("`readiness` is empty; give one value per pyramid level.")
        for level, value in s.items():
            check_in_range(
                value, f"readiness[{level!r}]", 0, 1, hint="Write readiness as 0.8, not 80."
            )
        levels = [str(k) for k in s.index]
        values = s.to_numpy()
    if blocking is not None and blocking not in levels:
        raise ValueError(
            f"`blocking` must be one of the levels {', '.join(repr(v) for v in levels)}; "
            f"got {blocking!r}."
        )
    ax = _get_ax(ax, figsize=(7.0, 5.0))
    cmap = plt.get_cmap(SEQUENTIAL_CMAP)
    n = len(levels)
    apex = n + 0.6

    def half_width(y: float) -> float:
        return 0.5 * (1 - y / apex)

    for i, level in enumerate(levels):
        lo, hi = float(i), float(i + 1)
        corners = [
            (-half_width(lo), lo),
            (half_width(lo), lo),
            (half_width(hi), hi),
            (-half_width(hi), hi),
        ]
        face = OKABE_ITO["sky_blue"] if values is None else cmap(float(values[i]))
        is_block = level == blocking
        ax.add_patch(
            Polygon(
                corners,
                closed=True,
                facecolor=face,
                edgecolor=_ALERT if is_block else "white",
                linewidth=3.0 if is_block else 1.5,
                label=level,
            )
        )
        label = level.capitalize()
        if values is not None:
            label += f": {values[i]:.0%}"
        ax.text(0, lo + 0.5, label, ha="center", va="center", color=_text_colour(face))
        if is_block:
            ax.annotate(
                "blocks progress",
                xy=(half_width(lo + 0.5), lo + 0.5),
                xytext=(0.55, lo + 0.5),
                va="center",
                color=_ALERT,
                arrowprops={"arrowstyle": "->", "color": _ALERT},
            )
    ax.set_xlim(-0.6, 0.95 if blocking else 0.6)
    ax.set_ylim(0, n)
    ax.set_xticks([])
    ax.set_yticks(np.arange(n) + 0.5, [f"{i + 1}" for i in range(n)])
    ax.set_ylabel("order of implementation (1 = first)")
    title = "Implementation pyramid"
    if values is not None:
        title += " (shade = readiness, %)"
    ax.set_title(title)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    return ax


def stakeholder_map(
    stakeholders: pd.DataFrame,
    *,
    stakeholder_col: str = "stakeholder",
    group_col: str = "group",
    strength_col: str | None = None,
    size_col: str | None = None,
    centre: str = "Company",
    ax: Axes | None = None,
) -> Axes:
    """A stakeholder map: the company at the centre, its stakeholders around it.

    Stakeholders are grouped into sectors by ``group_col`` (e.g. the five
    S.C.O.P.E. groups — consumers, personnel, partners, suppliers, owners —
    or the six markets), one colour per group. A line joins each stakeholder
    to the company; its width shows the strength of the relationship.

    Parameters
    ----------
    stakeholders : DataFrame
        One row per stakeholder.
    stakeholder_col, group_col : str
        Columns with the stakeholder's name and its group.
    strength_col : str, optional
        Non-negative strength of the relationship (line width, scaled to the
        largest value).
    size_col : str, optional
        Non-negative volume (e.g. revenue in roubles or headcount): marker area,
        scaled to the largest value.
    centre : str
        Label in the centre.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> table = pd.DataFrame({
    ...     "stakeholder": ["retail buyers", "corporate clients", "store staff", "suppliers"],
    ...     "group": ["consumers", "consumers", "personnel", "suppliers"],
    ...     "strength": [3, 5, 4, 2]})
    >>> ax = stakeholder_map(table, strength_col="strength")
    >>> [t.get_text() for t in ax.texts]
    ['Company', 'retail buyers', 'corporate clients', 'store staff', 'suppliers']
    >>> [round(line.get_linewidth(), 1) for line in ax.lines]
    [3.0, 5.0, 4.0, 2.0]
    """
    cols = [stakeholder_col, group_col] + [c for c in (strength_col, size_col) if c]
    check_frame(stakeholders, "stakeholders", cols)
    for col in (stakeholder_col, group_col):
        if stakeholders[col].isna().any():
            raise ValueError(
                f"column {col!r} of `stakeholders` has missing values; fill or drop them."
            )
    for col in (strength_col, size_col):
        if col:
            check_nonnegative(stakeholders, "stakeholders", col)
    ax = _get_ax(ax, figsize=(7.0, 7.0))
    groups = list(dict.fromkeys(stakeholders[group_col].astype(str)))
    colours = {g: CATEGORICAL[i % len(CATEGORICAL)] for i, g in enumerate(groups)}
    n = len(stakeholders)
    # Stakeholders of one group sit next to each other around the circle.
    order = sorted(range(n), key=lambda i: (groups.index(str(stakeholders[group_col].iloc[i])), i))
    angle = {row: 2 * math.pi * k / n + math.pi / 2 for k, row in enumerate(order)}

    def scaled(col: str | None, low: float, high: float) -> np.ndarray:
        if col is None:
            return np.full(n, (low + high) / 2)
        v = stakeholders[col].to_numpy(dtype=float)
        top = v.max()
        return np.full(n, high) if top == 0 else v / top * high

    widths = scaled(strength_col, 0.5, 5.0)
    sizes = scaled(size_col, 100.0, 900.0)
    ax.add_patch(Circle((0, 0), 0.28, facecolor=OKABE_ITO["grey"], edgecolor="none"))
    ax.text(0, 0, centre, ha="center", va="center", fontsize=11, fontweight="bold")
    for i in range(n):
        a = angle[i]
        x, y = math.cos(a), math.sin(a)
        group = str(stakeholders[group_col].iloc[i])
        ax.plot([0.28 * x, x], [0.28 * y, y], color=colours[group], linewidth=widths[i], zorder=1)
        ax.scatter([x], [y], s=sizes[i], color=colours[group], zorder=2, edgecolor="white")
        ax.text(
            1.18 * x,
            1.25 * y,
            str(stakeholders[stakeholder_col].iloc[i]),
            ha="left" if x > 0.05 else ("right" if x < -0.05 else "center"),
            va="center",
            fontsize=9,
        )
    for g in groups:
        ax.scatter([], [], color=colours[g], label=g)
    ax.legend(title=group_col, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_xlim(-1.7, 1.7)
    ax.set_ylim(-1.5, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    note = []
    if strength_col:
        note.append(f"line width = {strength_col}")
    if size_col:
        note.append(f"marker area = {size_col}")
    ax.set_title("Stakeholder map" + (f" ({'; '.join(note)})" if note else ""))
    return ax


def nps_breakdown(
    counts: Mapping[str, float] | pd.Series,
    *,
    nps: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Detractors, passives and promoters as one 100% bar.

    Parameters
    ----------
    counts : dict or Series
        Number of respondents in each group, with keys ``"detractors"``
        (scores 0–6), ``"passives"`` (7–8) and ``"promoters"`` (9–10).
    nps : float, optional
        The Net Promoter Score from :mod:`rmlib.loyalty` (in points, −100 to
        100), shown in the title.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = nps_breakdown({"detractors": 20, "passives": 30, "promoters": 50}, nps=30)
    >>> [float(p.get_width()) for p in ax.patches]
    [20.0, 30.0, 50.0]
    >>> ax.get_title()
    'Net Promoter Score: +30 (n = 100)'
    """
    keys = ("detractors", "passives", "promoters")
    s = _as_share_mapping(counts, "counts", keys)
    total = float(s.sum())
    if total <= 0:
        raise ValueError("`counts` add up to 0; need at least one respondent.")
    if nps is not None:
        check_in_range(nps, "nps", -100, 100, hint="NPS is in points: +30, not 0.3.")
    ax = _get_ax(ax, figsize=(8.0, 2.6))
    colours = (_ALERT, _NEUTRAL, _GOOD)
    left = 0.0
    for key, colour in zip(keys, colours, strict=True):
        pct = 100 * float(s[key]) / total
        ax.barh([0], [pct], left=left, color=colour, label=key, height=0.6)
        if pct >= 4:
            ax.text(
                left + pct / 2,
                0,
                f"{key}\n{pct:.0f}%",
                ha="center",
                va="center",
                color=_text_colour(colour),
                fontsize=9,
            )
        left += pct
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.set_xlabel("share of respondents (%)")
    ax.set_yticks([])
    title = "Net Promoter Score"
    title += f": {nps:+.0f}" if nps is not None else " breakdown"
    ax.set_title(f"{title} (n = {total:.0f})")
    ax.spines[["top", "right", "left"]].set_visible(False)
    return ax
