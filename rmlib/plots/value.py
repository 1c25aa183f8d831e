"""Where customer value lies: Pareto, Lorenz, ABC classes, the customer pyramid, CLV.

The figures draw what :mod:`rmlib.pareto`, :mod:`rmlib.loyalty` and
:mod:`rmlib.clv` return: shares of value as fractions, amounts in roubles.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from rmlib._validate import check_frame, check_in_range, renamed
from rmlib.plots._common import (
    _ACCENT,
    _ALERT,
    _GOOD,
    _MAIN,
    _NEUTRAL,
    _PERIOD_IS_A_CODE,
    _finish,
    _get_ax,
    _numeric_column,
    _roubles,
    _shares,
)

__all__ = [
    "abc_classes",
    "clv_by_segment",
    "clv_distribution",
    "cumulative_clv",
    "lorenz_curve",
    "pareto_chart",
    "profitability_pyramid",
]


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
