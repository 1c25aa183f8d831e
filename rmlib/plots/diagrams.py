"""The course's conceptual diagrams: ladder, implementation pyramid, stakeholder map, grid.

No plotting library draws these; each is a few matplotlib patches and labels,
drawn from the constants of :mod:`rmlib.relationship` (or from what its
functions return).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Circle, Polygon
from matplotlib.textpath import TextPath

from rmlib._validate import check_frame, check_in_range, check_nonnegative, renamed
from rmlib.plots._common import (
    _ACCENT,
    _ALERT,
    CATEGORICAL,
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    _as_share_mapping,
    _cell,
    _finish,
    _get_ax,
    _text_colour,
)
from rmlib.relationship import (
    CUSTOMER_BANDS,
    KOTLER_GRID,
    MARGIN_BANDS,
    PYRAMID_LEVELS,
    RELATIONSHIP_LEVELS,
)

__all__ = ["implementation_pyramid", "kotler_grid", "relationship_ladder", "stakeholder_map"]


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
