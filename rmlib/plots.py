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
import numbers
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import Circle, Polygon
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter, PercentFormatter

from rmlib._validate import check_frame, check_in_range, check_nonnegative, renamed
from rmlib.loyalty import LOYALTY_CLASSES, NPS_GROUPS

# The course's relationship constants live in rmlib.relationship, the single source;
# they are re-exported here because the figures are drawn from them.
from rmlib.relationship import (
    CUSTOMER_BANDS,
    KOTLER_GRID,
    MARGIN_BANDS,
    PYRAMID_LEVELS,
    RELATIONSHIP_LEVELS,
    program_balance,
)

__all__ = [
    "CATEGORICAL",
    "CUSTOMER_BANDS",
    "KOTLER_GRID",
    "MARGIN_BANDS",
    "OKABE_ITO",
    "PYRAMID_LEVELS",
    "RELATIONSHIP_LEVELS",
    "SEQUENTIAL_CMAP",
    "abc_classes",
    "clv_by_segment",
    "clv_distribution",
    "cohort_heatmap",
    "cumulative_clv",
    "implementation_pyramid",
    "kotler_grid",
    "lorenz_curve",
    "loyalty_matrix",
    "nps_breakdown",
    "pareto_chart",
    "program_economics",
    "program_uplift",
    "profitability_pyramid",
    "relationship_ladder",
    "rfm_heatmap",
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


def _amounts(*values: float) -> list[str]:
    """Numbers for a title, in one format: whole (thin-space thousands) once any is >= 100."""
    if max(abs(v) for v in values) >= 100:
        return [_roubles(v) for v in values]
    return [f"{v:.2f}" for v in values]


def _as_share_mapping(values: Any, arg: str) -> pd.Series:
    """Turn a dict/Series of non-negative numbers into a float Series, checking it."""
    if isinstance(values, Mapping):
        s = pd.Series(dict(values), dtype=float)
    elif isinstance(values, pd.Series):
        s = values.astype(float)
    else:
        raise TypeError(f"`{arg}` must be a dict or pandas Series, got {type(values).__name__}.")
    if s.isna().any():
        raise ValueError(f"`{arg}` has missing values at {list(s.index[s.isna()])}.")
    if (s < 0).any():
        raise ValueError(f"`{arg}` has negative values at {list(s.index[s < 0])}; need >= 0.")
    return s


def _text_colour(face: Any) -> str:
    """Black or white, whichever reads better on ``face``."""
    r, g, b = (int(to_hex(face)[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _finish(
    ax: Axes,
    title: str,
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    hide: Sequence[str] = ("top", "right"),
) -> Axes:
    """Label the axes, set the title, hide the frame lines in ``hide``; return ``ax``."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    if hide:
        ax.spines[list(hide)].set_visible(False)
    return ax


def _cell(ax: Axes, col: float, row: float, face: Any, label: str) -> None:
    """A unit square with its lower-left corner at (``col``, ``row``), white-edged."""
    ax.add_patch(
        Polygon(
            [(col, row), (col + 1, row), (col + 1, row + 1), (col, row + 1)],
            facecolor=face,
            edgecolor="white",
            linewidth=2,
            label=label,
        )
    )


def _fields(
    result: Any, arg: str, required: Sequence[str], optional: Sequence[str], made_by: str
) -> dict[str, float | None]:
    """Named numbers of an analytics result (dataclass, dict or Series), as floats.

    ``required`` fields must be there; ``optional`` ones are None when absent.
    """
    if isinstance(result, Mapping | pd.Series):
        have = list(result.keys())

        def get(key: str) -> Any:
            return result[key] if key in have else None

    elif hasattr(result, required[0]):
        have = [k for k in (*required, *optional) if hasattr(result, k)]

        def get(key: str) -> Any:
            return getattr(result, key, None)

    else:
        raise TypeError(
            f"`{arg}` must be the result of {made_by} (or a dict/Series with "
            f"{', '.join(map(repr, required))}), got {type(result).__name__}."
        )
    missing = [k for k in required if get(k) is None]
    if missing:
        shown = ", ".join(map(repr, have)) or "(none)"
        raise ValueError(
            f"`{arg}` has no {missing[0]!r}. It has: {shown}. Pass the result of {made_by}."
        )
    out: dict[str, float | None] = {}
    for key in (*required, *optional):
        value = get(key)
        out[key] = None if value is None else check_in_range(value, f"{arg}[{key!r}]")
    return out


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
    names = [name for name, _ in RELATIONSHIP_LEVELS]
    if highlight is not None and highlight not in names:
        raise ValueError(
            f"`highlight` must be one of {', '.join(repr(n) for n in names)}; got {highlight!r}."
        )
    ax = _get_ax(ax, figsize=(8.0, 4.5))
    x = np.arange(len(RELATIONSHIP_LEVELS))
    colours = [_ACCENT if n == highlight else OKABE_ITO["sky_blue"] for n in names]
    bars = ax.bar(
        x, np.arange(1, len(RELATIONSHIP_LEVELS) + 1, dtype=float), width=0.9, color=colours
    )
    for bar, (_, motto) in zip(bars, RELATIONSHIP_LEVELS, strict=True):
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 0.1,
            textwrap.fill(f"\u201c{motto}\u201d", 16),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(x, [n.capitalize() for n in names])
    ax.set_ylim(0, len(RELATIONSHIP_LEVELS) + 1.8)
    ax.set_yticks(np.arange(1, len(RELATIONSHIP_LEVELS) + 1))
    return _finish(
        ax,
        "Five levels of relationships with customers",
        xlabel="relationship level",
        ylabel="closeness of the relationship (level 1\u20135)",
    )


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
        levels = list(PYRAMID_LEVELS)
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

    labels = [
        level.capitalize() + (f": {values[i]:.0%}" if values is not None else "")
        for i, level in enumerate(levels)
    ]
    # A label that does not fit its band (the narrow top) goes beside the pyramid, on the
    # left, in black: measured from the text's outline, with room to spare for layout.
    fig_w = ax.figure.get_size_inches()[0] * ax.get_position().width
    width_in = [1.2 * TextPath((0, 0), t, size=10).get_extents().width / 72 for t in labels]
    left, right = -0.6, (0.95 if blocking else 0.6)
    inside = [True] * n
    for _ in range(n + 1):  # widening the axes narrows every band: repeat until stable
        inside = [
            w * (right - left) / fig_w <= 0.9 * 2 * half_width(i + 0.5)
            for i, w in enumerate(width_in)
        ]
        new_left = -0.6
        for i, w in enumerate(width_in):
            if not inside[i]:
                # room for the label to end just left of its band
                x_end = -half_width(i + 0.5) - 0.03
                frac = min(w / fig_w, 0.9)
                new_left = min(new_left, (x_end - right * frac) / (1 - frac))
        if new_left == left:
            break
        left = new_left
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
        if inside[i]:
            ax.text(0, lo + 0.5, labels[i], ha="center", va="center", color=_text_colour(face))
        else:
            ax.text(
                -half_width(lo + 0.5) - 0.03,
                lo + 0.5,
                labels[i],
                ha="right",
                va="center",
                color="black",
            )
        if is_block:
            ax.annotate(
                "blocks progress",
                xy=(half_width(lo + 0.5), lo + 0.5),
                xytext=(0.55, lo + 0.5),
                va="center",
                color=_ALERT,
                arrowprops={"arrowstyle": "->", "color": _ALERT},
            )
    ax.set_xlim(left, right)
    ax.set_ylim(0, n)
    ax.set_xticks([])
    ax.set_yticks(np.arange(n) + 0.5, [f"{i + 1}" for i in range(n)])
    ax.set_ylabel("order of implementation (1 = first)")
    title = "Implementation pyramid"
    if values is not None:
        title += " (shade = readiness, %)"
    return _finish(ax, title, hide=("top", "right", "bottom"))


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
        Non-negative volume (e.g. revenue in roubles or headcount): marker area
        grows with the square root of the value, from a visible minimum for the
        smallest group to the largest marker for the largest (so a group of
        three banks stays visible beside thousands of shoppers).
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

    widths = np.maximum(scaled(strength_col, 0.5, 5.0), 0.5)
    if size_col is None:
        sizes = np.full(n, 400.0)
    else:
        v = stakeholders[size_col].to_numpy(dtype=float)
        root = np.sqrt(v / v.max()) if v.max() > 0 else np.ones(n)
        sizes = 100.0 + 800.0 * root
    ax.add_patch(Circle((0, 0), 0.28, facecolor=OKABE_ITO["grey"], edgecolor="none"))
    ax.text(0, 0, centre, ha="center", va="center", fontsize=11, fontweight="bold")
    for i in range(n):
        a = angle[i]
        x, y = math.cos(a), math.sin(a)
        group = str(stakeholders[group_col].iloc[i])
        ax.plot([0.28 * x, x], [0.28 * y, y], color=colours[group], linewidth=widths[i], zorder=1)
        ax.scatter(
            [x], [y], s=sizes[i], color=colours[group], zorder=2, edgecolor="black", linewidth=0.8
        )
        ax.text(
            1.18 * x,
            1.25 * y,
            str(stakeholders[stakeholder_col].iloc[i]),
            ha="left" if x > 0.05 else ("right" if x < -0.05 else "center"),
            va="center",
            fontsize=9,
        )
    for g in groups:
        ax.scatter([], [], color=colours[g], edgecolor="black", linewidth=0.8, label=g)
    ax.legend(title=group_col, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_xlim(-1.7, 1.7)
    ax.set_ylim(-1.5, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    note = []
    if strength_col:
        note.append(f"line width = {strength_col}")
    if size_col:
        note.append(f"marker area grows with {size_col}")
    ax.set_title("Stakeholder map" + (f" ({'; '.join(note)})" if note else ""))
    return ax


def nps_breakdown(result: Any, *, ax: Axes | None = None) -> Axes:
    """Detractors, passives and promoters as one 100% bar, with the NPS in the title.

    Parameters
    ----------
    result : NPSResult, dict or Series
        The Net Promoter Score from :func:`rmlib.loyalty.nps`: its shares of
        ``"detractors"`` (scores 0–6), ``"passives"`` (7–8) and
        ``"promoters"`` (9–10), fractions adding up to 1, the score ``nps`` in
        points (−100 to 100) and the number of answers ``n``; the interval
        ``ci_low``, ``ci_high`` is shown when present, with its level
        ``confidence``. A row of ``nps(..., by=...)`` works too: it carries the
        same fields.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from rmlib.loyalty import nps
    >>> ax = nps_breakdown(nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5]))
    >>> [float(p.get_width()) for p in ax.patches]
    [30.0, 20.0, 50.0]
    >>> ax.get_title()
    'Net Promoter Score: +20, 95% interval [-34; +74] (n = 10)'
    """
    f = _fields(
        result,
        "result",
        ("detractors", "passives", "promoters", "nps", "n"),
        ("ci_low", "ci_high", "confidence"),
        "rmlib.loyalty.nps(scores)",
    )
    shares = [f[k] for k in NPS_GROUPS]
    for key, value in zip(NPS_GROUPS, shares, strict=True):
        check_in_range(value, f"result[{key!r}]", 0, 1, hint="Shares are fractions: 0.3, not 30.")
    if abs(sum(shares) - 1) > 1e-6:
        raise ValueError(
            f"the shares of detractors, passives and promoters in `result` add up to "
            f"{sum(shares):g}, not 1. Pass the result of rmlib.loyalty.nps(scores)."
        )
    score = check_in_range(f["nps"], "result['nps']", -100, 100, hint="NPS is in points: +30.")
    n = check_in_range(f["n"], "result['n']", 0, low_inclusive=False)
    ax = _get_ax(ax, figsize=(8.0, 2.6))
    colours = (_ALERT, _NEUTRAL, _GOOD)
    left = 0.0
    for key, share, colour in zip(NPS_GROUPS, shares, colours, strict=True):
        pct = 100 * share
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
    ax.set_yticks([])
    title = f"Net Promoter Score: {score:+.0f}"
    if f["ci_low"] is not None and f["ci_high"] is not None:
        level = f"{f['confidence']:.0%} " if f["confidence"] is not None else ""
        title += f", {level}interval [{f['ci_low']:+.0f}; {f['ci_high']:+.0f}]"
    return _finish(
        ax,
        f"{title} (n = {n:.0f})",
        xlabel="share of respondents (%)",
        hide=("top", "right", "left"),
    )


# ---------------------------------------------------------------------------
# data figures (they draw what the analytics modules return)
# ---------------------------------------------------------------------------


def _numeric_column(df: pd.DataFrame, arg: str, col: str) -> np.ndarray:
    """``df[col]`` as floats, rejecting non-numeric or missing values."""
    if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
        raise TypeError(f"column {col!r} of `{arg}` must be numeric, got dtype {df[col].dtype}.")
    if df[col].isna().any():
        raise ValueError(f"column {col!r} of `{arg}` has missing values; drop or fill them.")
    return df[col].to_numpy(dtype=float)


def _shares(df: pd.DataFrame, arg: str, col: str) -> np.ndarray:
    """A column of shares in [0, 1]; hints at percentages passed by mistake."""
    v = _numeric_column(df, arg, col)
    if (v < 0).any() or (v > 1 + 1e-9).any():
        raise ValueError(
            f"column {col!r} of `{arg}` must hold shares in [0, 1], found values from "
            f"{v.min():g} to {v.max():g}. Write shares as fractions: 0.8, not 80."
        )
    return v


def pareto_chart(
    table: pd.DataFrame,
    *,
    share_col: str = "share",
    cum_share_col: str = "cum_share",
    customer_share_col: str = "cum_customer_share",
    mark: float = 0.8,
    mark_customers: float | None = None,
    max_bars: int = 100,
    classes: tuple[float, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Pareto chart: each customer's share of value (bars) and the cumulative share (line).

    Customers are ranked from the most valuable, as in the Pareto table of
    :mod:`rmlib.pareto`. A dashed line marks ``mark`` (80% of value); with
    ``mark_customers`` (the share of customers that brings it, from
    :mod:`rmlib.pareto`) a second line shows where the curve crosses it.

    Parameters
    ----------
    table : DataFrame
        The Pareto table of :func:`rmlib.pareto.pareto_table`: one row per
        customer, most valuable first, with each customer's share of the total
        (``share_col``), the running total (``cum_share_col``) and the share of
        customers down to this one (``customer_share_col``), all as fractions
        in [0, 1].
    share_col, cum_share_col, customer_share_col : str
        Column names.
    mark : float
        Cumulative share to mark (0.8 for "80%").
    mark_customers : float, optional
        Share of customers (0–1) that brings ``mark`` of the value.
    max_bars : int
        With more customers than this the bars are drawn as one filled step
        area (thousands of bars are unreadable and slow).
    classes : (float, float), optional
        ABC cut-offs ``(a, b)`` as fractions, as in :func:`rmlib.pareto.abc_summary`:
        dotted lines at both cumulative shares and the class letters A, B, C
        along the top, so the chart follows the class settings.
    ax : matplotlib Axes, optional
        Axes for the bars; the cumulative line goes on a twin axes sharing x
        (``ax.right_ax``). Each y-axis (label and ticks) takes its series' colour,
        and the legend says which axis each series is read on. When customers'
        shares differ by more than a factor of ten between the largest and the
        median, the bars' axis is logarithmic, so the typical customer's bar is
        visible beside the largest.

    Returns
    -------
    matplotlib Axes
        The bars' axes; the line's axes is ``ax.right_ax``.

    Examples
    --------
    >>> from rmlib.pareto import pareto_table
    >>> ax = pareto_chart(pareto_table([30, 50, 5, 15]), mark_customers=0.5)
    >>> [float(p.get_height()) for p in ax.patches]
    [50.0, 30.0, 15.0, 5.0]
    >>> [float(y) for y in ax.right_ax.lines[0].get_ydata()]
    [50.0, 80.0, 95.0, 100.0]
    """
    check_frame(table, "table", [share_col, cum_share_col, customer_share_col])
    share = _shares(table, "table", share_col)
    cum = _shares(table, "table", cum_share_col)
    x = 100 * _shares(table, "table", customer_share_col)
    for col, v in ((cum_share_col, cum), (customer_share_col, x)):
        if (np.diff(v) < -1e-9).any():
            raise ValueError(
                f"column {col!r} of `table` must not decrease: rank customers from the most "
                f"valuable and take running totals (rmlib.pareto.pareto_table does)."
            )
    check_in_range(mark, "mark", 0, 1, hint="Write 0.8 for 80%.")
    if mark_customers is not None:
        check_in_range(mark_customers, "mark_customers", 0, 1, hint="Write 0.2 for 20%.")
    if classes is not None:
        ok = (
            isinstance(classes, (tuple, list))
            and len(classes) == 2
            and all(isinstance(c, numbers.Real) and 0 < c <= 1 for c in classes)
            and classes[0] < classes[1]
        )
        if not ok:
            raise ValueError(
                f"`classes` must be two increasing cut-offs in (0, 1], e.g. (0.8, 0.95); "
                f"got {classes!r}."
            )
    ax = _get_ax(ax, figsize=(8.0, 4.5))
    n = len(table)
    width = 100 / n
    positive = share[share > 0]
    log_bars = positive.size > 0 and positive.max() > 10 * np.median(positive)
    bar_label = "each customer's share (bars, left axis)"
    if n <= max_bars:
        ax.bar(x - width / 2, 100 * share, width=0.9 * width, color=_MAIN, label=bar_label)
    else:
        floor = 100 * positive.min() / 2 if log_bars else 0.0
        ax.fill_between(
            x,
            100 * np.maximum(share, floor / 100),
            floor,
            step="pre",
            color=_MAIN,
            label=bar_label,
        )
    ax.set_xlim(0, 100)
    if log_bars:
        ax.set_yscale("log")
        ax.set_ylim(100 * positive.min() / 2, 100 * positive.max() * 1.5)
        ax.set_ylabel("each customer's share of value (%, log scale)", color=_MAIN)
    else:
        ax.set_ylim(0, None)
        ax.set_ylabel("each customer's share of value (%)", color=_MAIN)
    ax.set_xlabel("customers, ranked by value (cumulative % of customers)")
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.3g}%"))
    ax.tick_params(axis="y", colors=_MAIN)
    right = ax.twinx()
    right.plot(
        x, 100 * cum, color=_ACCENT, linewidth=2.5, label="cumulative share (line, right axis)"
    )
    right.axhline(100 * mark, color=_ALERT, linestyle="--", linewidth=1)
    right.text(1, 100 * mark + 1.5, f"{mark:.0%} of value", color=_ALERT, fontsize=9)
    if mark_customers is not None:
        right.axvline(100 * mark_customers, color=_ALERT, linestyle=":", linewidth=1)
        right.annotate(
            f"{mark_customers:.0%} of customers",
            xy=(100 * mark_customers, 100 * mark),
            xytext=(100 * mark_customers + 4, 100 * mark - 25),
            color=_ALERT,
            fontsize=9,
            arrowprops={"arrowstyle": "->", "color": _ALERT},
        )
    if classes is not None:
        # Where the running share passes each cut-off: the ends of classes A and B on x.
        ends = [0.0]
        for cut in classes:
            last = np.flatnonzero(cum <= cut + 1e-12)
            right.axhline(100 * cut, color=_NEUTRAL, linestyle=":", linewidth=1.2)
            ends.append(float(x[last[-1]]) if last.size else 0.0)
        ends.append(100.0)
        for k, letter in enumerate("ABC"):
            lo, hi = ends[k], ends[k + 1]
            if k:
                right.axvline(lo, color=_NEUTRAL, linestyle=":", linewidth=1.2)
            right.text(
                (lo + hi) / 2 if hi - lo > 6 else hi + 1,
                101,
                letter,
                ha="center",
                va="bottom",
                fontsize=10,
                fontweight="bold",
                color="black",
            )
    right.set_ylim(0, 108)
    right.set_ylabel("cumulative share of value (%)", color=_ACCENT)
    right.yaxis.set_major_formatter(PercentFormatter(100))
    right.tick_params(axis="y", colors=_ACCENT)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    right.legend(handles=handles, loc="center right", fontsize=8, frameon=True)
    ax.right_ax = right
    ax.set_title("Pareto chart")
    return ax


def lorenz_curve(
    curve: pd.DataFrame,
    gini: float,
    *,
    x_col: str = "customer_share",
    y_col: str = "value_share",
    ax: Axes | None = None,
) -> Axes:
    """Lorenz curve of customer value with the Gini coefficient in the legend.

    Parameters
    ----------
    curve : DataFrame
        Points of the Lorenz curve from :mod:`rmlib.pareto`: cumulative share of
        customers (``x_col``, poorest first) against cumulative share of value
        (``y_col``), both in [0, 1].
    gini : float
        The Gini coefficient from :mod:`rmlib.pareto` (0 = everyone equal,
        close to 1 = one customer brings everything).
    x_col, y_col : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> c = pd.DataFrame({"customer_share": [0, 0.5, 1], "value_share": [0, 0.2, 1]})
    >>> ax = lorenz_curve(c, gini=0.3)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Lorenz curve (Gini = 0.30)', 'perfect equality']
    """
    check_frame(curve, "curve", [x_col, y_col])
    x = _shares(curve, "curve", x_col)
    y = _shares(curve, "curve", y_col)
    check_in_range(gini, "gini", 0, 1)
    ax = _get_ax(ax, figsize=(5.5, 5.0))
    ax.plot(100 * x, 100 * y, color=_MAIN, linewidth=2, label=f"Lorenz curve (Gini = {gini:.2f})")
    ax.plot([0, 100], [0, 100], color=_NEUTRAL, linestyle="--", label="perfect equality")
    ax.fill_between(100 * x, 100 * y, 100 * x, color=_MAIN, alpha=0.15)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(loc="upper left", frameon=False)
    return _finish(
        ax,
        "Lorenz curve",
        xlabel="cumulative share of customers (%), least valuable first",
        ylabel="cumulative share of value (%)",
        hide=(),
    )


def abc_classes(
    summary: pd.DataFrame,
    *,
    class_col: str = "abc_class",
    customer_share_col: str = "customer_share",
    value_share_col: str = "value_share",
    ax: Axes | None = None,
) -> Axes:
    """ABC classes: share of customers against share of value, side by side.

    Parameters
    ----------
    summary : DataFrame
        One row per class (A, B, C) from :mod:`rmlib.pareto`, with the class's
        share of customers and share of value as fractions in [0, 1].
    class_col, customer_share_col, value_share_col : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> s = pd.DataFrame({"abc_class": ["A", "B", "C"],
    ...                   "customer_share": [0.2, 0.3, 0.5], "value_share": [0.8, 0.15, 0.05]})
    >>> ax = abc_classes(s)
    >>> [float(p.get_height()) for p in ax.patches]
    [20.0, 30.0, 50.0, 80.0, 15.0, 5.0]
    """
    check_frame(summary, "summary", [class_col, customer_share_col, value_share_col])
    cust = _shares(summary, "summary", customer_share_col)
    val = _shares(summary, "summary", value_share_col)
    ax = _get_ax(ax, figsize=(6.5, 4.0))
    x = np.arange(len(summary))
    labels = [str(c) for c in summary[class_col]]
    ax.bar(x - 0.2, 100 * cust, width=0.4, color=_NEUTRAL, label="share of customers")
    ax.bar(x + 0.2, 100 * val, width=0.4, color=_MAIN, label="share of value")
    for xi, c, v in zip(x, cust, val, strict=True):
        ax.text(xi - 0.2, 100 * c + 1, f"{c:.0%}", ha="center", va="bottom", fontsize=9)
        ax.text(xi + 0.2, 100 * v + 1, f"{v:.0%}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [f"class {c}" for c in labels])
    ax.set_ylim(0, 110)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    return _finish(ax, "ABC analysis", xlabel="ABC class", ylabel="share (%)")


def _check_matrix(matrix: Any, arg: str) -> np.ndarray:
    """A non-empty, all-numeric DataFrame as a float array."""
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(f"`{arg}` must be a pandas DataFrame, got {type(matrix).__name__}.")
    if matrix.size == 0:
        raise ValueError(f"`{arg}` is empty; pass a table with at least one cell.")
    bad = [c for c in matrix.columns if not pd.api.types.is_numeric_dtype(matrix[c])]
    if bad:
        raise TypeError(f"`{arg}` must be numeric; column {bad[0]!r} is {matrix[bad[0]].dtype}.")
    return matrix.to_numpy(dtype=float)


def _heatmap(
    matrix: pd.DataFrame,
    arg: str,
    *,
    ax: Axes,
    fmt: str,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar_label: str = "",
) -> Axes:
    """Draw a labelled heatmap of a numeric DataFrame with each cell annotated."""
    values = _check_matrix(matrix, arg)
    image = ax.imshow(
        np.ma.masked_invalid(values), cmap=SEQUENTIAL_CMAP, vmin=vmin, vmax=vmax, aspect="auto"
    )
    cmap, norm = image.get_cmap(), image.norm
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(
                j,
                i,
                format(v, fmt),
                ha="center",
                va="center",
                fontsize=8,
                color=_text_colour(cmap(norm(v))),
            )
    ax.set_xticks(np.arange(values.shape[1]), [str(c) for c in matrix.columns])
    ax.set_yticks(np.arange(values.shape[0]), [str(r) for r in matrix.index])
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label(colorbar_label)
    return ax


def rfm_heatmap(
    matrix: pd.DataFrame,
    *,
    value_label: str = "customers",
    fmt: str = ".0f",
    ax: Axes | None = None,
) -> Axes:
    """RFM heatmap: recency score (rows) against frequency score (columns).

    Parameters
    ----------
    matrix : DataFrame
        Index = recency scores (1–5), columns = frequency scores (1–5), values =
        what to show per cell (e.g. number of customers or mean monetary value in
        roubles), as aggregated by :mod:`rmlib.rfm`.
    value_label : str
        What the cells hold, with its unit, for the colour bar
        (e.g. ``"mean monetary value (roubles)"``).
    fmt : str
        Format of the cell annotations.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> m = pd.DataFrame([[5, 1], [2, 8]], index=[1, 2], columns=[1, 2])
    >>> ax = rfm_heatmap(m)
    >>> [t.get_text() for t in ax.texts]
    ['5', '1', '2', '8']
    """
    ax = _get_ax(ax, figsize=(6.0, 5.0))
    _heatmap(matrix, "matrix", ax=ax, fmt=fmt, colorbar_label=value_label)
    return _finish(
        ax,
        f"RFM grid: {value_label}",
        xlabel="frequency score (5 = buys most often)",
        ylabel="recency score (5 = bought most recently)",
        hide=(),
    )


# Why the axis-label argument is called ``unit`` (its old name was ``period``).
_PERIOD_IS_A_CODE = "in rmlib `period` is a calendar code such as 'M'; a label is a `unit`"


def cohort_heatmap(
    retention: pd.DataFrame,
    *,
    unit: str = "months",
    ax: Axes | None = None,
    period: str | None = None,
) -> Axes:
    """Cohort retention heatmap: each row a cohort, each column periods since joining.

    Parameters
    ----------
    retention : DataFrame
        Index = cohorts (e.g. month of first purchase), columns = periods since
        the first purchase (0, 1, 2, ...), values = share of the cohort still
        buying, in [0, 1] (missing where the period lies beyond the data), as
        returned by :mod:`rmlib.retention`.
    unit : str
        Unit of the columns (``"weeks"``, ``"months"``), for the axis label.
    ax : matplotlib Axes, optional
    period : str, optional
        Former name of ``unit`` (deprecated: in rmlib ``period`` is a calendar
        code such as ``"M"``).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> r = pd.DataFrame({0: [1.0, 1.0], 1: [0.4, 0.5], 2: [0.3, float("nan")]},
    ...                  index=["2024-01", "2024-02"])
    >>> ax = cohort_heatmap(r)
    >>> [t.get_text() for t in ax.texts]
    ['100%', '40%', '30%', '100%', '50%']
    """
    unit = renamed("cohort_heatmap", "period", period, "unit", unit, "months", _PERIOD_IS_A_CODE)
    finite = _check_matrix(retention, "retention")
    finite = finite[np.isfinite(finite)]
    if finite.size and (finite.min() < 0 or finite.max() > 1 + 1e-9):
        raise ValueError(
            "`retention` must hold shares in [0, 1], found values from "
            f"{finite.min():g} to {finite.max():g}. Write 0.4 for 40%."
        )
    ax = _get_ax(ax, figsize=(8.0, 5.0))
    _heatmap(
        retention,
        "retention",
        ax=ax,
        fmt=".0%",
        vmin=0,
        vmax=1,
        colorbar_label="share of cohort still buying (%)",
    )
    ax.images[0].colorbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return _finish(
        ax,
        "Cohort retention",
        xlabel=f"{unit} since first purchase",
        ylabel="cohort (first purchase)",
        hide=(),
    )


def clv_distribution(
    clv: pd.Series | np.ndarray | Sequence[float],
    *,
    bins: int = 40,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of customer lifetime value per customer, in roubles.

    Parameters
    ----------
    clv : Series or array
        CLV of each customer (roubles), from :mod:`rmlib.clv`.
    bins : int
        Number of histogram bins.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = clv_distribution([100.0, 200.0, 200.0, 900.0], bins=4)
    >>> [int(p.get_height()) for p in ax.patches]
    [3, 0, 0, 1]
    """
    values = np.asarray(clv, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("`clv` must be a non-empty 1-D list, array or Series of values.")
    if not np.isfinite(values).all():
        raise ValueError("`clv` has missing or infinite values; drop them first.")
    ax = _get_ax(ax, figsize=(7.0, 4.0))
    ax.hist(values, bins=bins, color=_MAIN, edgecolor="white")
    ax.xaxis.set_major_formatter(FuncFormatter(_roubles))
    return _finish(
        ax,
        "Distribution of customer lifetime value",
        xlabel="customer lifetime value (roubles)",
        ylabel="number of customers",
    )


def clv_by_segment(
    summary: pd.DataFrame,
    *,
    segment_col: str = "segment",
    value_col: str = "clv_mean",
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of a CLV figure per segment (roubles), largest first.

    Parameters
    ----------
    summary : DataFrame
        One row per segment with a CLV figure in roubles: for example the
        customers' :func:`rmlib.clv.discounted_clv` averaged per segment
        (``clv.groupby(segment).mean()``), or :func:`rmlib.clv.retention_clv`
        of each segment's margin and retention. (Not
        :func:`rmlib.rfm.clv_summary`: that is the per-customer input of the
        CLV models, not a CLV.)
    segment_col : str
        Segment names.
    value_col : str
        The CLV figure per segment, in roubles (mean, median or total).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> s = pd.DataFrame({"segment": ["B2C", "B2B"], "clv_mean": [4000.0, 90000.0]})
    >>> ax = clv_by_segment(s)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['B2B', 'B2C']
    """
    check_frame(summary, "summary", [segment_col, value_col])
    _numeric_column(summary, "summary", value_col)
    ordered = summary.sort_values(value_col, ascending=False)
    ax = _get_ax(ax, figsize=(7.0, 0.5 * len(ordered) + 1.5))
    y = np.arange(len(ordered))
    vals = ordered[value_col].to_numpy(dtype=float)
    ax.barh(y, vals, color=[_ALERT if v < 0 else _MAIN for v in vals])
    ax.set_yticks(y, [str(s) for s in ordered[segment_col]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(_roubles))
    return _finish(
        ax,
        "Customer lifetime value by segment",
        xlabel=f"{value_col.replace('_', ' ')} (roubles)",
        ylabel=segment_col,
    )


# Where each of rmlib.loyalty's classes sits: (column = repeat purchasing low/high,
# row = relative attitude low/high).
_LOYALTY_CELLS: dict[str, tuple[int, int]] = {
    "no loyalty": (0, 0),
    "spurious loyalty": (1, 0),
    "latent loyalty": (0, 1),
    "true loyalty": (1, 1),
}


def loyalty_matrix(
    matrix: Any,
    *,
    attitude: str = "relative attitude",
    behaviour: str = "repeat purchasing (behaviour)",
    ax: Axes | None = None,
) -> Axes:
    """Dick & Basu's loyalty matrix: attitude against repeat purchasing.

    High attitude and high repeat purchasing is *true* loyalty; high attitude
    with little buying is *latent* loyalty; buying without attachment is
    *spurious* loyalty (habit, price, convenience); neither is *no loyalty*.

    Parameters
    ----------
    matrix : LoyaltyMatrix or DataFrame
        The result of :func:`rmlib.loyalty.loyalty_matrix`, or its ``.table``:
        one row per class (``"true loyalty"``, ``"latent loyalty"``,
        ``"spurious loyalty"``, ``"no loyalty"``) with the number of
        ``customers`` and their ``share`` of all customers (0–1).
    attitude, behaviour : str
        Axis labels: what measured the attitude and the behaviour.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from rmlib.loyalty import loyalty_matrix as classify
    >>> answers = pd.DataFrame({"nps": [10, 9, 3, 5, 10, 4], "purchases": [12, 1, 8, 2, 9, 1]})
    >>> ax = loyalty_matrix(classify(answers, "nps", "purchases", 9, 5))
    >>> sorted(t.get_text().split("\\n")[0] for t in ax.texts)
    ['latent loyalty', 'no loyalty', 'spurious loyalty', 'true loyalty']
    >>> ax.texts[0].get_text()
    'no loyalty\\n2 customers (33%)'
    """
    table = getattr(matrix, "table", matrix)
    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            f"`matrix` must be the result of rmlib.loyalty.loyalty_matrix(...) or its "
            f"`.table`, got {type(matrix).__name__}."
        )
    check_frame(table, "matrix", ["customers", "share"])
    missing = [c for c in LOYALTY_CLASSES if c not in table.index]
    if missing:
        have = ", ".join(repr(k) for k in table.index) or "(none)"
        raise ValueError(
            f"`matrix` has no row {missing[0]!r}. It has: {have}. Pass the result of "
            f"rmlib.loyalty.loyalty_matrix(...), one row per loyalty class."
        )
    counts = _numeric_column(table, "matrix", "customers")
    check_nonnegative(table, "matrix", "customers")
    _shares(table, "matrix", "share")
    total = float(counts.sum())
    if total <= 0:
        raise ValueError("`matrix` counts no customer; need at least one.")
    ax = _get_ax(ax, figsize=(6.0, 5.0))
    colours = {
        "no loyalty": _NEUTRAL,
        "spurious loyalty": OKABE_ITO["sky_blue"],
        "latent loyalty": OKABE_ITO["yellow"],
        "true loyalty": _GOOD,
    }
    for name, (col, row) in _LOYALTY_CELLS.items():
        face = colours[name]
        _cell(ax, col, row, face, name)
        n, share = float(table.at[name, "customers"]), float(table.at[name, "share"])
        ax.text(
            col + 0.5,
            row + 0.5,
            f"{name}\n{n:.0f} customers ({share:.0%})",
            ha="center",
            va="center",
            color=_text_colour(face),
        )
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 2)
    ax.set_xticks([0.5, 1.5], ["low", "high"])
    ax.set_yticks([0.5, 1.5], ["low", "high"])
    ax.set_aspect("equal")
    return _finish(
        ax,
        f"Loyalty matrix (Dick & Basu), n = {total:.0f}",
        xlabel=behaviour,
        ylabel=attitude,
        hide=(),
    )


def program_uplift(
    result: Any,
    *,
    unit: str = "margin per customer (roubles)",
    show_means: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """A loyalty program's uplift over the control group, with its interval.

    Parameters
    ----------
    result : UpliftResult, dict or Series
        The result of :func:`rmlib.relationship.program_uplift`: ``uplift``
        (treatment minus control) and its interval ``ci_low``, ``ci_high``;
        ``control_mean``, ``treatment_mean`` and ``confidence`` are used when
        present.
    unit : str
        What the outcome measures, with its unit (y-axis label); amounts get
        rouble tick labels when it mentions roubles.
    show_means : bool
        Draw the two groups' means as bars beside the uplift (when ``result``
        has them).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from rmlib.relationship import program_uplift as uplift
    >>> groups = pd.DataFrame({"group": ["treatment"] * 4 + ["control"] * 4,
    ...                        "margin": [900.0, 1100.0, 1000.0, 1200.0,
    ...                                   800.0, 900.0, 1000.0, 900.0]})
    >>> ax = program_uplift(uplift(groups, outcome_col="margin"))
    >>> [float(p.get_height()) for p in ax.patches]
    [900.0, 1050.0]
    >>> [float(v) for v in ax.lines[0].get_ydata()]
    [150.0]
    """
    f = _fields(
        result,
        "result",
        ("uplift", "ci_low", "ci_high"),
        ("control_mean", "treatment_mean", "confidence"),
        "rmlib.relationship.program_uplift(...)",
    )
    est, low, high = f["uplift"], f["ci_low"], f["ci_high"]
    if not low <= est <= high:
        raise ValueError(
            f"the interval must contain the estimate: got ci_low={low:g}, uplift={est:g}, "
            f"ci_high={high:g}. Pass the result of rmlib.relationship.program_uplift(...)."
        )
    level = f["confidence"]
    if level is not None:
        check_in_range(level, "result['confidence']", 0, 1, low_inclusive=False)
    ax = _get_ax(ax, figsize=(6.0, 4.0))
    labels = []
    x = 0
    means = (f["control_mean"], f["treatment_mean"])
    if show_means and None not in means:
        ax.bar([0, 1], list(means), color=[_NEUTRAL, _MAIN], width=0.6)
        labels = ["control group", "program group"]
        x = 2
    colour = _GOOD if low > 0 else (_ALERT if high < 0 else _ACCENT)
    ax.errorbar(
        [x],
        [est],
        yerr=[[est - low], [high - est]],
        fmt="o",
        color=colour,
        capsize=8,
        markersize=8,
        linewidth=2,
    )
    ax.axhline(0, color="black", linewidth=0.8)
    interval = f"{level:.0%} interval" if level is not None else "interval"
    ax.set_xticks(list(range(x + 1)), [*labels, f"uplift\n({interval})"])
    ax.set_xlim(-0.6, x + 0.6)
    if "rouble" in unit:
        ax.yaxis.set_major_formatter(FuncFormatter(_roubles))
    verdict = (
        "uplift above zero"
        if low > 0
        else ("program loses" if high < 0 else "interval includes zero: not proven")
    )
    shown = _amounts(est, low, high)
    estimate = f"{shown[0]} [{shown[1]}; {shown[2]}]"
    return _finish(ax, f"Program uplift: {estimate}, {verdict}", ylabel=unit)


def cumulative_clv(
    curve: pd.DataFrame,
    *,
    period_col: str = "period",
    value_col: str = "cumulative_value",
    unit: str = "years",
    ax: Axes | None = None,
    period: str | None = None,
) -> Axes:
    """Cumulative value of a customer over time, in roubles.

    The curve starts below zero when the acquisition cost is counted and
    rises as discounted margins accumulate; where it crosses zero the
    customer has paid back their acquisition.

    Parameters
    ----------
    curve : DataFrame
        One row per period from :mod:`rmlib.clv`: period number
        (``period_col``) and cumulative discounted value so far (``value_col``,
        roubles).
    period_col, value_col : str
    unit : str
        Unit of the periods (axis label).
    ax : matplotlib Axes, optional
    period : str, optional
        Former name of ``unit`` (deprecated: in rmlib ``period`` is a calendar
        code such as ``"M"``).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> c = pd.DataFrame({"period": [0, 1, 2], "cumulative_value": [-500.0, 100.0, 400.0]})
    >>> ax = cumulative_clv(c)
    >>> [float(v) for v in ax.lines[0].get_ydata()]
    [-500.0, 100.0, 400.0]
    """
    unit = renamed("cumulative_clv", "period", period, "unit", unit, "years", _PERIOD_IS_A_CODE)
    check_frame(curve, "curve", [period_col, value_col])
    x = _numeric_column(curve, "curve", period_col)
    y = _numeric_column(curve, "curve", value_col)
    ax = _get_ax(ax, figsize=(7.0, 4.0))
    ax.plot(x, y, color=_MAIN, marker="o", linewidth=2, label="cumulative value")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.fill_between(x, y, 0, where=y < 0, color=_ALERT, alpha=0.2, interpolate=True)
    ax.fill_between(x, y, 0, where=y >= 0, color=_GOOD, alpha=0.2, interpolate=True)
    # The final value is written just left of the last point, on whichever side of the
    # curve has room, and the axes get headroom: the label never reaches the title.
    rising = len(y) < 2 or y[-1] >= y[-2]
    ax.annotate(
        f"{y[-1]:,.0f} roubles".replace(",", "\u2009"),
        xy=(x[-1], y[-1]),
        xytext=(-10, -14 if rising else 10),
        textcoords="offset points",
        ha="right",
        va="top" if rising else "bottom",
        color=_MAIN,
    )
    lo, hi = min(0.0, float(y.min())), max(0.0, float(y.max()))
    span = (hi - lo) or 1.0
    ax.set_ylim(lo - 0.08 * span, hi + 0.12 * span)
    ax.yaxis.set_major_formatter(FuncFormatter(_roubles))
    return _finish(
        ax,
        "Customer value accumulated over time",
        xlabel=f"{unit} since acquisition",
        ylabel="cumulative discounted value (roubles)",
    )


_BAND = "a column of band labels is named `..._band_col`; `margin_col` is money in rmlib"


def kotler_grid(
    points: pd.DataFrame | None = None,
    *,
    label_col: str = "label",
    customers_band_col: str = "customers_band",
    margin_band_col: str = "margin_band",
    ax: Axes | None = None,
    customers_col: str | None = None,
    margin_col: str | None = None,
) -> Axes:
    """Kotler's grid: number of customers and margin per unit decide the level.

    Many customers with a low margin call for a *basic* relationship; few
    customers with a high margin justify a *partnership*. Each cell is shaded
    by how close the relationship is (light = basic, dark = partnership).

    Parameters
    ----------
    points : DataFrame, optional
        Businesses to place on the grid (e.g. the case's B2C and B2B arms),
        one row each, with a label and their bands: ``customers_band_col`` in
        ``"few"``, ``"medium"``, ``"many"`` and ``margin_band_col`` in ``"low"``,
        ``"medium"``, ``"high"`` (as classified by :mod:`rmlib.relationship`).
    label_col, customers_band_col, margin_band_col : str
    ax : matplotlib Axes, optional
    customers_col, margin_col : str, optional
        Former names of ``customers_band_col`` and ``margin_band_col``
        (deprecated: in rmlib ``margin_col`` is a column of money).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> arms = pd.DataFrame({"label": ["B2C", "B2B"], "customers_band": ["many", "few"],
    ...                      "margin_band": ["low", "high"]})
    >>> ax = kotler_grid(arms)
    >>> ax.texts[0].get_text(), ax.texts[8].get_text()
    ('Basic', 'Partnership')
    >>> [t.get_text() for t in ax.texts[9:]]
    ['B2C', 'B2B']
    """
    customers_band_col = renamed(
        "kotler_grid",
        "customers_col",
        customers_col,
        "customers_band_col",
        customers_band_col,
        "customers_band",
        _BAND,
    )
    margin_band_col = renamed(
        "kotler_grid",
        "margin_col",
        margin_col,
        "margin_band_col",
        margin_band_col,
        "margin_band",
        _BAND,
    )
    if points is not None:
        check_frame(points, "points", [label_col, customers_band_col, margin_band_col])
        bands = ((customers_band_col, CUSTOMER_BANDS), (margin_band_col, MARGIN_BANDS))
        for col, allowed in bands:
            bad = sorted(set(points[col].astype(str)) - set(allowed))
            if bad:
                raise ValueError(
                    f"column {col!r} of `points` must hold {', '.join(map(repr, allowed))}; "
                    f"found {', '.join(map(repr, bad))}."
                )
    ax = _get_ax(ax, figsize=(6.5, 5.0))
    names = [name for name, _ in RELATIONSHIP_LEVELS]
    cmap = plt.get_cmap(SEQUENTIAL_CMAP)
    # Rows: many customers at the top; columns: margin rising to the right.
    for cust in reversed(CUSTOMER_BANDS):
        y = CUSTOMER_BANDS.index(cust)
        for col, margin in enumerate(MARGIN_BANDS):
            level = KOTLER_GRID[(cust, margin)]
            face = cmap(0.95 - 0.8 * names.index(level) / (len(names) - 1))
            _cell(ax, col, y, face, level)
            ax.text(
                col + 0.5,
                y + 0.72,
                level.capitalize(),
                ha="center",
                va="center",
                color=_text_colour(face),
                fontsize=10,
            )
    if points is not None:
        for k, (_, row_) in enumerate(points.iterrows()):
            col = MARGIN_BANDS.index(str(row_[margin_band_col]))
            y = CUSTOMER_BANDS.index(str(row_[customers_band_col]))
            colour = CATEGORICAL[(k + 1) % len(CATEGORICAL)]
            ax.scatter([col + 0.5], [y + 0.35], s=120, color=colour, edgecolor="black", zorder=3)
            ax.text(
                col + 0.5,
                y + 0.12,
                str(row_[label_col]),
                ha="center",
                va="center",
                fontsize=9,
                fontweight="bold",
                bbox={"facecolor": "white", "edgecolor": colour, "boxstyle": "round"},
            )
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 3)
    ax.set_xticks([0.5, 1.5, 2.5], list(MARGIN_BANDS))
    ax.set_yticks([0.5, 1.5, 2.5], list(CUSTOMER_BANDS))
    return _finish(
        ax,
        "Kotler's grid: which relationship level pays",
        xlabel="margin per unit sold (roubles): low \u2192 high",
        ylabel="number of customers: few \u2192 many",
        hide=(),
    )


def program_economics(
    result: Any = None,
    reward_cost: float | None = None,
    *,
    incremental_margin: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A loyalty program's economics as a waterfall: margin gained, rewards paid, net.

    Parameters
    ----------
    result : dict, Series or float
        The result of :func:`rmlib.relationship.program_economics` (or of
        :func:`rmlib.relationship.program_balance`): its ``incremental_margin``,
        ``reward_cost`` and ``net_effect`` in roubles are drawn as they are. Two
        numbers, ``program_economics(incremental_margin, reward_cost)``, work too:
        they are passed through :func:`rmlib.relationship.program_balance` first.
    reward_cost : float, optional
        Cost of the rewards (roubles, >= 0), when ``result`` is the incremental
        margin.
    incremental_margin : float, optional
        The extra margin (roubles) by name, instead of ``result``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from rmlib.relationship import program_economics as economics
    >>> r = economics([10_000, 30_000], 0.05, silver=20_000, participation=0.5,
    ...               uplift=0.1, margin_rate=0.3, breakage=0.0)
    >>> ax = program_economics(r)
    >>> [float(p.get_height()) for p in ax.patches]
    [600.0, -1512.5, -912.5]
    >>> ax = program_economics(500_000, 300_000)
    >>> [float(p.get_height()) for p in ax.patches]
    [500000.0, -300000.0, 200000.0]
    """
    if incremental_margin is not None:
        if result is not None:
            raise TypeError(
                "pass either `result` or `incremental_margin`, not both; e.g. "
                "program_economics(rmlib.relationship.program_economics(spend, 0.03))."
            )
        result = incremental_margin
    if result is None:
        raise TypeError(
            "`result` is missing: pass the result of rmlib.relationship.program_economics, "
            "or the incremental margin and the reward cost in roubles."
        )
    if reward_cost is not None or isinstance(result, numbers.Real):
        if reward_cost is None:
            raise TypeError(
                "`reward_cost` is missing: with an incremental margin of "
                f"{result!r} roubles, pass the reward cost too, e.g. "
                "program_economics(500_000, 300_000)."
            )
        result = program_balance(result, reward_cost)
    f = _fields(
        result,
        "result",
        ("incremental_margin", "reward_cost", "net_effect"),
        (),
        "rmlib.relationship.program_economics(spend, reward_rate, ...)",
    )
    gain, net = f["incremental_margin"], f["net_effect"]
    cost = check_in_range(f["reward_cost"], "result['reward_cost']", 0)
    ax = _get_ax(ax, figsize=(6.0, 4.0))
    ax.bar([0], [gain], color=_GOOD)
    ax.bar([1], [-cost], bottom=[gain], color=_ALERT)
    ax.bar([2], [net], color=_MAIN if net >= 0 else _ALERT)
    for x, top, v in ((0, gain, gain), (1, gain, -cost), (2, net, net)):
        ax.text(x, max(top, 0), _roubles(v), ha="center", va="bottom", fontsize=9)
    # Room above the tallest bar for its value label, so no label reaches the title.
    lo, hi = min(0.0, gain - cost, net, gain), max(0.0, gain, net)
    span = (hi - lo) or 1.0
    ax.set_ylim(lo - 0.05 * span, hi + 0.15 * span)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks([0, 1, 2], ["incremental margin", "reward cost", "net effect"])
    ax.yaxis.set_major_formatter(FuncFormatter(_roubles))
    return _finish(ax, "Loyalty program economics", ylabel="roubles")


def profitability_pyramid(pyramid: Any, *, ax: Axes | None = None) -> Axes:
    """The customer pyramid as a butterfly: each tier's share of customers and of profit.

    Tiers run from the most profitable at the top to the least at the bottom; bars to
    the left are the tier's share of customers, bars to the right its share of profit,
    each labelled in per cent. A tier that loses money overall gets a profit label but
    no bar (its share is negative).

    Parameters
    ----------
    pyramid : ProfitabilityPyramid or DataFrame
        The result of :func:`rmlib.loyalty.profitability_pyramid`, or its ``.table``:
        one row per tier, most profitable first, with ``customer_share`` and
        ``profit_share`` (shares, 0–1; a profit share may be negative).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from rmlib.loyalty import profitability_pyramid as tiers
    >>> pyr = tiers(pd.Series([900.0, 400.0, 300.0, 100.0, 50.0, 20.0, 10.0, 0.0, -30.0, -80.0]),
    ...             {"platinum": 0.1, "gold": 0.2, "iron": 0.3, "lead": 0.4})
    >>> ax = profitability_pyramid(pyr)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['lead', 'iron', 'gold', 'platinum']
    >>> [round(float(p.get_width()), 2) for p in ax.patches][:4]
    [-0.4, -0.3, -0.2, -0.1]
    """
    table = getattr(pyramid, "table", pyramid)
    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            f"`pyramid` must be the result of rmlib.loyalty.profitability_pyramid(...) or its "
            f"`.table`, got {type(pyramid).__name__}."
        )
    check_frame(table, "pyramid", ["customer_share", "profit_share"])
    customers = _shares(table, "pyramid", "customer_share")
    profit = _numeric_column(table, "pyramid", "profit_share")
    names = [str(t) for t in table.index][::-1]
    customers, profit = customers[::-1], profit[::-1]
    ax = _get_ax(ax, figsize=(7.0, 3.8))
    y = np.arange(len(names))
    ax.barh(y, -customers, color=_NEUTRAL, height=0.7, label="share of customers")
    ax.barh(y, np.clip(profit, 0, None), color=_MAIN, height=0.7, label="share of profit")
    for yi, c, p in zip(y, customers, profit, strict=True):
        ax.text(-c - 0.01, yi, f"{c:.0%}", ha="right", va="center", fontsize=9)
        ax.text(max(p, 0) + 0.01, yi, f"{p:.0%}", ha="left", va="center", fontsize=9)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, names)
    reach = max(float(customers.max()), float(np.clip(profit, 0, None).max()), 0.1) + 0.12
    ax.set_xlim(-reach, reach)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0%}"))
    return _finish(
        ax,
        "Customer pyramid: customers (grey, left) and profit (blue, right)",
        xlabel="share of all customers or of all profit, %",
    )
