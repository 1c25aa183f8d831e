"""Loyalty and loyalty programs: NPS, Dick & Basu's matrix, a program's uplift and economics.

The figures draw the results of :func:`rmlib.loyalty.nps`,
:func:`rmlib.loyalty.loyalty_matrix`, :func:`rmlib.relationship.program_uplift`
and :func:`rmlib.relationship.program_economics`.
"""

from __future__ import annotations

import numbers
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from rmlib._validate import check_frame, check_in_range, check_nonnegative
from rmlib.loyalty import LOYALTY_CLASSES, NPS_GROUPS
from rmlib.plots._common import (
    _ACCENT,
    _ALERT,
    _GOOD,
    _MAIN,
    _NEUTRAL,
    OKABE_ITO,
    _amounts,
    _cell,
    _fields,
    _finish,
    _get_ax,
    _numeric_column,
    _roubles,
    _shares,
    _text_colour,
)
from rmlib.relationship import program_balance

__all__ = ["loyalty_matrix", "nps_breakdown", "program_economics", "program_uplift"]


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
