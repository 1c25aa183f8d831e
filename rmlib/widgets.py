"""Interactive explorers for the workbook (ipywidgets 8, JupyterLab 4).

Each explorer is an :class:`ipywidgets.VBox` holding its controls, a result
panel and, where useful, a figure. The explorers only connect the analytics
modules to :mod:`rmlib.plots`: every figure is drawn by a function of
:mod:`rmlib.plots`, and every number they show comes from an analytics
function:

=========================  ==================================================
explorer                   numbers from
=========================  ==================================================
ParetoExplorer             :func:`rmlib.pareto.pareto_table`, ``top_share``,
                           ``abc_summary``
CLVCalculator              :func:`rmlib.clv.retention_clv`,
                           ``retention_value_curve``, ``payback_period``
RelationshipLevelChooser   :func:`rmlib.relationship.recommend_level`
LoyaltyProgramSimulator    :func:`rmlib.relationship.program_economics`
LoyaltyMatrixExplorer      :func:`rmlib.loyalty.loyalty_matrix`
RFMExplorer                :func:`rmlib.rfm.rfm_scores`, ``rfm_segments``,
                           ``segment_summary``, ``score_matrix``
ReadinessAssessment        :func:`rmlib.relationship.pyramid_readiness`
=========================  ==================================================

Driving an explorer from code
    Set a control's value (``explorer.controls["retention"].value = 0.8``);
    the explorer's ``observe`` handlers recompute, so ``explorer.result``
    (a plain dict) and ``explorer.output.value`` (the HTML shown) update at
    once. ``explorer.ax`` is the axes of its figure.

Where widgets cannot render
    A widget is stored in a notebook as a reference to live kernel state
    (``application/vnd.jupyter.widget-view+json``). JupyterLab draws it;
    a static page (nbconvert HTML without saved widget state, GitHub,
    a PDF) cannot and falls back to the next representation in the output.
    Every explorer therefore adds a ``text/html`` and a ``text/plain``
    representation to its display bundle: a clear message that the
    explorer needs a running kernel, plus its current result.

The figure inside an explorer is a PNG rendered into an
:class:`ipywidgets.Image` from a :class:`matplotlib.figure.Figure`
created without :mod:`pyplot`, so no stray figure is shown by the
notebook's inline backend and nothing depends on a GUI.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rmlib import clv, loyalty, pareto, plots, relationship
from rmlib import rfm as rfm_lib
from rmlib._validate import (
    check_frame,
    check_nonnegative,
    check_probability,
    renamed,
)

__all__ = [
    "CLVCalculator",
    "Customer360Explorer",
    "Explorer",
    "LoyaltyMatrixExplorer",
    "LoyaltyProgramSimulator",
    "ParetoExplorer",
    "RFMExplorer",
    "ReadinessAssessment",
    "RelationshipLevelChooser",
]

_STATIC_NOTE = (
    "This interactive explorer needs a running Jupyter kernel "
    "(JupyterLab 4 with ipywidgets 8). Open the notebook in JupyterLab and run "
    "it to use the controls."
)


def _fmt(value: Any) -> str:
    """A setting or result as text: 4 significant digits, whole numbers from 1,000 up.

    >>> [_fmt(v) for v in (33117.4, 514.25, 0.4631, 1234567.0, 5, float("nan"))]
    ['33,117', '514.2', '0.4631', '1,234,567', '5', 'nan']
    """
    if isinstance(value, float):
        if math.isfinite(value) and abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.4g}"
    return str(value)


class Explorer(widgets.VBox):
    """Base class: controls, a result panel, an optional figure, a static fallback.

    Subclasses set :attr:`title`, build their controls, and implement
    :meth:`compute` (numbers from the analytics, returned as a dict),
    :meth:`render` (HTML for the result panel) and, with a figure,
    :meth:`draw` (plots onto :attr:`ax`).

    Parameters
    ----------
    controls : dict
        Named input widgets; each is observed and triggers :meth:`update`.
    figsize : tuple, optional
        Size of the explorer's figure in inches; ``None`` for no figure.
    """

    title = "Explorer"

    def __init__(
        self,
        controls: Mapping[str, widgets.Widget],
        *,
        figsize: tuple[float, float] | None = (6.5, 4.0),
    ) -> None:
        self.controls: dict[str, widgets.Widget] = dict(controls)
        self.output = widgets.HTML()
        self.result: dict[str, Any] = {}
        #: The library's message when the current settings cannot be computed, else None.
        self.error: str | None = None
        self.figure: Figure | None = None
        self.ax: Axes | None = None
        self.image: widgets.Image | None = None
        children: list[widgets.Widget] = [widgets.HTML(f"<b>{html.escape(self.title)}</b>")]
        children += list(self.controls.values())
        children.append(self.output)
        if figsize is not None:
            self.figure = Figure(figsize=figsize, layout="constrained")
            self.ax = self.figure.add_subplot()
            self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
            children.append(self.image)
        super().__init__(children=children)
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    # -- to be provided by subclasses ----------------------------------------
    def compute(self) -> dict[str, Any]:
        """Numbers for the current control values (from the analytics)."""
        raise NotImplementedError

    def render(self, result: dict[str, Any]) -> str:
        """HTML for the result panel."""
        rows = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in result.items()
        )
        return f"<table>{rows}</table>"

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        """Draw the figure for ``result`` on ``ax`` (already cleared)."""

    # -- machinery ----------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Current value of every control, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def update(self, change: Any = None) -> None:
        """Recompute, re-render the result panel and redraw the figure."""
        try:
            self.result = self.compute()
        except (ValueError, TypeError) as exc:
            # Show the library's own message instead of a traceback in the widget.
            self.result = {}
            self.error = str(exc)
            self.output.value = (
                f"<p style='color:#D55E00'><b>Cannot compute:</b> {html.escape(str(exc))}</p>"
            )
            if self.image is not None:
                # No chart of earlier settings beside the message: it would show numbers
                # that no longer match the controls.
                self.image.value = b""
            return
        self.error = None
        self.output.value = self.render(self.result)
        if self.ax is not None and self.figure is not None and self.image is not None:
            # Start from a clean figure: some plots add twin axes or colour bars.
            self.figure.clear()
            self.ax = self.figure.add_subplot()
            self.draw(self.ax, self.result)
            buf = io.BytesIO()
            self.figure.savefig(buf, format="png", dpi=80)
            self.image.value = buf.getvalue()

    def summary(self) -> str:
        """The current result as plain text, one ``name: value`` per line."""
        return "\n".join(f"{k}: {_fmt(v)}" for k, v in self.result.items())

    def static_text(self) -> str:
        """What a viewer without widget support shows (``text/plain``)."""
        settings = ", ".join(f"{k}={_fmt(v)}" for k, v in self.values().items())
        return (
            f"{self.title} (interactive explorer)\n{_STATIC_NOTE}\n"
            f"Settings: {settings}\nResult:\n"
            + (f"Cannot compute: {self.error}" if self.error else self.summary())
        )

    def static_html(self) -> str:
        """What a static HTML page shows instead of the widget (``text/html``)."""
        settings = "".join(
            f"<li>{html.escape(k)} = {html.escape(_fmt(v))}</li>" for k, v in self.values().items()
        )
        return (
            f"<div class='rmlib-explorer-static'><p><b>{html.escape(self.title)}</b> "
            f"(interactive explorer)</p><p><i>{html.escape(_STATIC_NOTE)}</i></p>"
            f"<p>Settings:</p><ul>{settings}</ul><p>Result:</p>{self.output.value}"
            f"{self._static_figure()}</div>"
        )

    def _static_figure(self) -> str:
        """The current chart as an inline PNG, or nothing (no figure, or no valid settings)."""
        if self.image is None or not self.image.value:
            return ""
        png = base64.b64encode(self.image.value).decode("ascii")
        return f"<img alt='{html.escape(self.title)}' src='data:image/png;base64,{png}'/>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # JupyterLab ranks the widget view above text/html, so it shows the live
        # widget; static viewers skip the widget view and show these fallbacks.
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = self.static_text()
        data["text/html"] = self.static_html()
        return data


# ---------------------------------------------------------------------------
# small formatting helpers for the result panels
# ---------------------------------------------------------------------------


def _rub(x: float) -> str:
    return f"{x:,.0f}".replace(",", "\u2009") + " roubles"


def _table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><td style='padding-right:1em'>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def _slider(cls: type, value: float, lo: float, hi: float, step: float, label: str, **kw: Any):
    """A labelled slider that reports only when released (``continuous_update=False``)."""
    return cls(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=label,
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="28em"),
        **kw,
    )


def _log_slider(value: float, lo_exp: float, hi_exp: float, label: str) -> widgets.FloatLogSlider:
    """A slider over 10**lo_exp .. 10**hi_exp in steps of a tenth of a decade."""
    return _slider(
        widgets.FloatLogSlider, value, lo_exp, hi_exp, 0.1, label, base=10, readout_format=",.0f"
    )


# ---------------------------------------------------------------------------
# Pareto / ABC
# ---------------------------------------------------------------------------


class ParetoExplorer(Explorer):
    """How much of the value do the top customers bring? Pareto chart and ABC classes.

    Move the slider to choose the share of top customers; the panel shows the
    share of value they bring and the ABC classes for the chosen cut-offs. The
    numbers are those of :func:`rmlib.pareto.pareto_table`,
    :func:`rmlib.pareto.top_share` and :func:`rmlib.pareto.abc_summary` (class A
    while the running share of value *including* the customer is at most ``a``).

    Parameters
    ----------
    values : Series, DataFrame or array-like
        Value per customer in roubles (revenue or margin), or a transaction log;
        anything :func:`rmlib.pareto.pareto_table` accepts.
    customer_col, amount_col : str
        Columns used when ``values`` is a transaction log.
    value_col : str, optional
        Former name of ``amount_col`` (deprecated, as in :mod:`rmlib.pareto`).

    Examples
    --------
    >>> ex = ParetoExplorer(pd.Series([50.0, 30.0, 10.0, 5.0, 5.0]))
    >>> ex.controls["top"].value = 0.2
    >>> round(ex.result["value_share"], 2)
    0.5
    >>> ex.controls["a"].value = 0.8
    >>> ex.result["class_A_customers"], ex.result["class_B_customers"]
    (2, 2)
    """

    title = "Pareto and ABC explorer"

    def __init__(
        self,
        values: Any,
        *,
        customer_col: str = "customer_id",
        amount_col: str = "amount",
        value_col: str | None = None,
    ) -> None:
        amount_col = renamed(
            "ParetoExplorer",
            "value_col",
            value_col,
            "amount_col",
            amount_col,
            "amount",
            "`amount_col` is the money column of a transaction log",
        )
        self.table = pareto.pareto_table(values, customer_col=customer_col, amount_col=amount_col)
        self.abc = pd.DataFrame()
        percent = {"readout_format": ".0%"}
        controls = {
            "top": _slider(widgets.FloatSlider, 0.2, 0.01, 1.0, 0.01, "top customers", **percent),
            "a": _slider(widgets.FloatSlider, 0.8, 0.5, 0.95, 0.01, "class A: up to", **percent),
            "b": _slider(widgets.FloatSlider, 0.95, 0.6, 0.99, 0.01, "class B: up to", **percent),
        }
        super().__init__(controls, figsize=(6.5, 3.8))

    def compute(self) -> dict[str, Any]:
        v = self.values()
        self.abc = pareto.abc_summary(self.table, v["a"], v["b"])
        return {
            "top_customers": float(v["top"]),
            "value_share": pareto.top_share(self.table, v["top"]),
            "customers": len(self.table),
            **{f"class_{r.abc_class}_customers": int(r.customers) for r in self.abc.itertuples()},
        }

    def render(self, result: dict[str, Any]) -> str:
        rows = [
            (
                f"the top {result['top_customers']:.0%} of customers bring",
                f"{result['value_share']:.1%} of value",
            )
        ]
        for r in self.abc.itertuples():
            rows.append(
                (
                    f"class {r.abc_class}",
                    f"{r.customers} customers ({r.customer_share:.0%}), "
                    f"{r.value_share:.0%} of value",
                )
            )
        return _table(rows)

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        v = self.values()
        plots.pareto_chart(
            self.table,
            mark=result["value_share"],
            mark_customers=result["top_customers"],
            classes=(v["a"], v["b"]),
            ax=ax,
        )


# ---------------------------------------------------------------------------
# CLV calculator
# ---------------------------------------------------------------------------


class CLVCalculator(Explorer):
    """Retention-based customer lifetime value with sliders.

    A customer just won must be *retained* to bring anything: they are still a
    customer after ``t`` years with probability ``retention ** t`` and then
    bring ``margin`` roubles at the end of that year; money a year later is
    worth ``1 / (1 + discount_rate)`` of money today; the customer cost
    ``acquisition_cost`` to win. The values are those of
    :func:`rmlib.clv.retention_clv` (over the horizon and for an endless
    relationship, ``m r / (1 + d - r) - AC``), the curve is
    :func:`rmlib.clv.retention_value_curve` (year 0 = ``-AC``) and the payback
    year is :func:`rmlib.clv.payback_period` of the curve.

    Examples
    --------
    >>> ex = CLVCalculator()
    >>> ex.controls["margin"].value = 5000.0
    >>> ex.controls["retention"].value = 0.7
    >>> ex.controls["discount_rate"].value = 0.1
    >>> ex.controls["acquisition_cost"].value = 3000.0
    >>> ex.controls["horizon"].value = 10
    >>> round(ex.result["clv"], 2), round(ex.result["clv_endless"], 2)
    (5654.71, 5750.0)
    """

    title = "Customer lifetime value calculator"

    def __init__(
        self,
        margin: float = 5000.0,
        retention: float = 0.7,
        discount_rate: float = 0.1,
        acquisition_cost: float = 3000.0,
        horizon: int = 10,
    ) -> None:
        self.curve = pd.DataFrame()
        money = {"margin": margin, "acquisition_cost": acquisition_cost}
        # A slider clips its value silently: make room for larger amounts passed in.
        top = {k: max(50_000.0, 2 * float(v)) for k, v in money.items()}
        controls = {
            "margin": _slider(
                widgets.FloatSlider, margin, 0, top["margin"], 500, "margin per year (roubles)"
            ),
            "retention": _slider(
                widgets.FloatSlider,
                retention,
                0,
                0.99,
                0.01,
                "retention rate",
                readout_format=".0%",
            ),
            "discount_rate": _slider(
                widgets.FloatSlider,
                discount_rate,
                0,
                0.5,
                0.01,
                "discount rate",
                readout_format=".0%",
            ),
            "acquisition_cost": _slider(
                widgets.FloatSlider,
                acquisition_cost,
                0,
                top["acquisition_cost"],
                500,
                "acquisition cost (roubles)",
            ),
            "horizon": _slider(widgets.IntSlider, horizon, 1, 30, 1, "horizon (years)"),
        }
        super().__init__(controls, figsize=(6.5, 3.6))

    def compute(self) -> dict[str, Any]:
        v = self.values()
        self.curve = clv.retention_value_curve(**v)
        endless = {k: x for k, x in v.items() if k != "horizon"}
        return {
            "clv": clv.retention_clv(**v),
            "clv_endless": clv.retention_clv(**endless),
            "payback_year": clv.payback_period(self.curve),
        }

    def render(self, result: dict[str, Any]) -> str:
        payback = result["payback_year"]
        horizon = self.controls["horizon"].value
        return _table(
            [
                (f"customer lifetime value over {horizon} years", _rub(result["clv"])),
                ("... for an endless relationship", _rub(result["clv_endless"])),
                (
                    "acquisition paid back",
                    f"in year {payback}" if payback is not None else "not within the horizon",
                ),
            ]
        )

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        plots.cumulative_clv(self.curve, ax=ax)


# ---------------------------------------------------------------------------
# relationship-level chooser
# ---------------------------------------------------------------------------


def _times(ratio: float) -> str:
    """A ratio as "20×" or "1.3×" (never in e-notation)."""
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


class RelationshipLevelChooser(Explorer):
    """Number of customers and margin per unit -> recommended relationship level.

    Kotler's grid: with many customers and a small margin only a basic
    relationship pays; with few customers and a large margin a partnership
    does. The recommendation is :func:`rmlib.relationship.recommend_level`
    with the bands :attr:`CUSTOMER_CUTS` and :attr:`MARGIN_CUTS` (the
    course's, from :mod:`rmlib.relationship`).

    Examples
    --------
    >>> ex = RelationshipLevelChooser(n_customers=300, unit_margin=80_000)
    >>> ex.result["level"]
    'partnership'
    >>> ex.controls["n_customers"].value = 500_000
    >>> ex.controls["unit_margin"].value = 150
    >>> ex.result["level"]
    'basic'
    """

    title = "Which relationship level fits?"
    #: Fewer customers than the first is "few"; from the second on "many".
    CUSTOMER_CUTS: tuple[float, float] = relationship.CUSTOMER_CUTS
    #: A margin per unit below the first is "low"; from the second on "high" (roubles).
    MARGIN_CUTS: tuple[float, float] = relationship.MARGIN_CUTS

    def __init__(self, n_customers: float = 5_000, unit_margin: float = 500) -> None:
        controls = {
            "n_customers": _log_slider(n_customers, 1, 7, "number of customers"),
            "unit_margin": _log_slider(unit_margin, 1, 6, "margin per unit (roubles)"),
        }
        super().__init__(controls, figsize=(5.5, 4.2))

    @classmethod
    def recommend(cls, n_customers: float, unit_margin: float) -> dict[str, str]:
        """:func:`rmlib.relationship.recommend_level` with the explorer's cuts."""
        return relationship.recommend_level(
            n_customers, unit_margin, cls.CUSTOMER_CUTS, cls.MARGIN_CUTS
        )

    def compute(self) -> dict[str, Any]:
        v = self.values()
        return self.recommend(v["n_customers"], v["unit_margin"])

    @classmethod
    def boundaries(cls, n_customers: float, unit_margin: float) -> list[str]:
        """Where each setting sits in its band and how far the neighbouring bands are.

        >>> RelationshipLevelChooser.boundaries(5_000, 500)[0]
        "customers: 'medium' band (1,000 to 100,000); 'many' from 100,000 customers (20× as many); 'few' below 1,000 customers (5× fewer)"
        """
        lines = []
        for what, value, cuts, bands, unit, more, fewer in (
            (
                "customers",
                n_customers,
                cls.CUSTOMER_CUTS,
                relationship.CUSTOMER_BANDS,
                " customers",
                "as many",
                "fewer",
            ),
            (
                "margin per unit",
                unit_margin,
                cls.MARGIN_CUTS,
                relationship.MARGIN_BANDS,
                " roubles",
                "as much",
                "less",
            ),
        ):
            lo, hi = cuts
            k = int(value >= lo) + int(value >= hi)
            u = unit if what != "customers" else ""
            span = [f"below {lo:,.0f}{u}", f"{lo:,.0f} to {hi:,.0f}{u}", f"{hi:,.0f}{u} or more"]
            text = f"{what}: {bands[k]!r} band ({span[k]})"
            if k < 2:
                up = cuts[k]
                text += f"; {bands[k + 1]!r} from {up:,.0f}{unit} ({_times(up / value)} {more})"
            if k > 0:
                down = cuts[k - 1]
                ratio = value / down if down > 0 else math.inf
                text += f"; {bands[k - 1]!r} below {down:,.0f}{unit} ({_times(ratio)} {fewer})"
            lines.append(text)
        return lines

    def render(self, result: dict[str, Any]) -> str:
        v = self.values()
        where = "".join(
            f"<li>{html.escape(line)}</li>"
            for line in self.boundaries(v["n_customers"], v["unit_margin"])
        )
        return (
            f"<p>Recommended level: <b>{html.escape(result['level'])}</b></p>"
            f"<p>{html.escape(result['reason'])}</p>"
            f"<p>Where your settings are (the level changes only at a band's edge):</p>"
            f"<ul>{where}</ul>"
        )

    def summary(self) -> str:
        if not self.result:
            return ""
        v = self.values()
        lines = self.boundaries(v["n_customers"], v["unit_margin"])
        return "\n".join([super().summary(), *lines])

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        point = pd.DataFrame(
            {
                "label": ["you"],
                "customers_band": [result["customers_band"]],
                "margin_band": [result["margin_band"]],
            }
        )
        plots.kotler_grid(point, ax=ax)


# ---------------------------------------------------------------------------
# loyalty-program simulator
# ---------------------------------------------------------------------------


class LoyaltyProgramSimulator(Explorer):
    """What a points program costs and earns, on the case's customers.

    Members earn ``reward_rate`` of their spend back as points (×1.5 from the
    silver threshold, ×2 from the gold threshold of yearly spend); a share
    ``participation`` of customers joins; members spend ``uplift`` more than
    they would have; ``breakage`` of points is never redeemed. The numbers are
    those of :func:`rmlib.relationship.program_economics` (an expectation: every
    customer counts with weight ``participation``).

    Settings that contradict each other (a silver threshold above the gold one)
    are explained in the result panel, which says which slider to move, and the
    chart is hidden until the settings make sense again.

    Parameters
    ----------
    spend : Series
        Yearly spend per customer, roubles.
    margin_rate : float
        Gross margin as a share of spend (0–1).
    breakage : float
        Share of points never redeemed (0–1): where the breakage slider starts.

    Examples
    --------
    >>> sim = LoyaltyProgramSimulator(pd.Series([10_000.0, 30_000.0, 90_000.0]))
    >>> r = sim.simulate(reward_rate=0.02, silver=20_000, gold=60_000,
    ...                  participation=1.0, uplift=0.0)
    >>> r["incremental_margin"], round(r["reward_cost"])
    (0.0, 3760)
    """

    title = "Loyalty program simulator"
    #: Reward-rate multiplier by tier (:data:`rmlib.relationship.TIER_MULTIPLIERS`).
    TIER_MULTIPLIERS: dict[str, float] = relationship.TIER_MULTIPLIERS

    def __init__(
        self, spend: pd.Series, *, margin_rate: float = 0.25, breakage: float = 0.2
    ) -> None:
        if not isinstance(spend, pd.Series):
            raise TypeError(
                f"`spend` must be a pandas Series of yearly spend per customer, got "
                f"{type(spend).__name__}."
            )
        frame = spend.rename("spend").to_frame()
        check_frame(frame, "spend")
        check_nonnegative(frame, "spend", "spend")
        self.spend = frame["spend"].astype(float)
        self.margin_rate = check_probability(margin_rate, "margin_rate")
        self.breakage = check_probability(breakage, "breakage")
        top = float(max(self.spend.quantile(0.99), 1.0))
        step = 10 ** max(0, math.floor(math.log10(top)) - 2)
        controls = {
            "reward_rate": _slider(
                widgets.FloatSlider,
                0.03,
                0,
                0.15,
                0.005,
                "reward rate (share of spend)",
                readout_format=".1%",
            ),
            "silver": _slider(
                widgets.FloatSlider,
                round(top * 0.3 / step) * step,
                0,
                top,
                step,
                "silver tier from (roubles/year)",
            ),
            "gold": _slider(
                widgets.FloatSlider,
                round(top * 0.7 / step) * step,
                0,
                top,
                step,
                "gold tier from (roubles/year)",
            ),
            "participation": _slider(
                widgets.FloatSlider, 0.4, 0, 1, 0.05, "participation", readout_format=".0%"
            ),
            "uplift": _slider(
                widgets.FloatSlider,
                0.08,
                0,
                0.5,
                0.01,
                "spend uplift of members",
                readout_format=".0%",
            ),
            "breakage": _slider(
                widgets.FloatSlider,
                self.breakage,
                0,
                1,
                0.05,
                "breakage (points never redeemed)",
                readout_format=".0%",
            ),
        }
        super().__init__(controls, figsize=(6.0, 3.6))

    def simulate(
        self,
        reward_rate: float,
        silver: float,
        gold: float,
        participation: float,
        uplift: float,
        breakage: float | None = None,
    ) -> dict[str, float]:
        """:func:`rmlib.relationship.program_economics` of the explorer's customers.

        Expected members, reward cost, incremental margin, net effect and ROI
        (roubles; the ROI is NaN without a cost). ``breakage`` defaults to the
        explorer's own. A silver threshold above the gold one raises ValueError
        with a message that names the slider to move.
        """
        if silver > gold:
            raise ValueError(
                f"the gold threshold ({gold:,.0f} roubles) must not be below the silver "
                f"threshold ({silver:,.0f}): a member would reach gold before silver. Move the "
                f"gold slider to at least {silver:,.0f}, or the silver slider below {gold:,.0f}."
            )
        return relationship.program_economics(
            self.spend,
            reward_rate,
            silver=silver,
            gold=gold,
            participation=participation,
            uplift=uplift,
            margin_rate=self.margin_rate,
            breakage=self.breakage if breakage is None else breakage,
            multipliers=self.TIER_MULTIPLIERS,
        )

    def compute(self) -> dict[str, Any]:
        return self.simulate(**self.values())

    def render(self, result: dict[str, Any]) -> str:
        roi = result["roi"]
        return _table(
            [
                ("expected members", f"{result['members']:,.0f}"),
                ("reward cost", _rub(result["reward_cost"])),
                ("incremental margin", _rub(result["incremental_margin"])),
                ("net effect", _rub(result["net_effect"])),
                ("ROI", "no cost" if math.isnan(roi) else f"{roi:.0%}"),
            ]
        )

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        plots.program_economics(result, ax=ax)


# ---------------------------------------------------------------------------
# RFM segment explorer
# ---------------------------------------------------------------------------


class RFMExplorer(Explorer):
    """Where a segment sits on the recency x frequency grid, and what it is worth.

    Pick a segment: the panel shows its size, mean spend and share of revenue
    (:func:`rmlib.rfm.segment_summary`, whose ``total=True`` row serves "all
    customers") and the heatmap counts its customers, or
    their mean spend, per cell of the R x F grid (:func:`rmlib.rfm.score_matrix`).

    Parameters
    ----------
    rfm : DataFrame
        One row per customer: the table of :func:`rmlib.rfm.rfm_table`
        (``recency``, ``frequency``, ``monetary``). Scores are added with
        :func:`rmlib.rfm.rfm_scores` and segments with
        :func:`rmlib.rfm.rfm_segments` unless the table already has them (the
        ``R``, ``F``, ``M`` and ``segment`` columns those functions add).

    Examples
    --------
    >>> t = pd.DataFrame({"recency": [2, 5, 300, 40], "frequency": [9, 7, 1, 2],
    ...                   "monetary": [900.0, 700.0, 50.0, 90.0]})
    >>> ex = RFMExplorer(t)
    >>> ex.segmented["segment"].tolist()
    ['champions', 'loyal', 'hibernating', 'need attention']
    >>> ex.controls["segment"].value = "loyal"
    >>> ex.result["customers"], ex.result["mean_monetary"], round(ex.result["revenue_share"], 3)
    (1, 700.0, 0.402)
    """

    title = "RFM segment explorer"
    _COLUMNS = ("recency", "frequency", "monetary")

    def __init__(self, rfm: pd.DataFrame) -> None:
        check_frame(rfm, "rfm", self._COLUMNS)
        scored = rfm if {"R", "F", "M"} <= set(rfm.columns) else rfm_lib.rfm_scores(rfm)
        if "segment" in scored.columns:
            self.segmented = scored
        else:
            self.segmented = rfm_lib.rfm_segments(scored)
        self.summary_table = rfm_lib.segment_summary(self.segmented, total=True)
        self.matrix = pd.DataFrame()
        style = {"description_width": "initial"}
        # The summary's rows: the segments present, then "all customers" (offered first).
        segments = [str(s) for s in self.summary_table.index if s != rfm_lib.ALL_CUSTOMERS]
        self.segments = segments
        controls = {
            "segment": widgets.Dropdown(
                options=[rfm_lib.ALL_CUSTOMERS, *segments], description="segment", style=style
            ),
            "cell_value": widgets.Dropdown(
                options=["customers", "mean monetary value (roubles)"],
                description="cells show",
                style=style,
            ),
        }
        super().__init__(controls, figsize=(5.5, 4.2))

    def subset(self, segment: str) -> pd.DataFrame:
        """Rows of the scored table in ``segment`` (all rows for ``"all customers"``)."""
        if segment == rfm_lib.ALL_CUSTOMERS:
            return self.segmented
        seg = self.segmented["segment"].astype(str)
        if segment not in set(seg):
            raise ValueError(
                f"`segment` {segment!r} is not in the table; pick one of "
                f"{self.segments} or {rfm_lib.ALL_CUSTOMERS!r}."
            )
        return self.segmented[seg == segment]

    def grid(self, segment: str, cell_value: str = "customers") -> pd.DataFrame:
        """:func:`rmlib.rfm.score_matrix` of ``segment``: R rows (5 at the top) x F columns."""
        value = None if cell_value == "customers" else "monetary"
        m = rfm_lib.score_matrix(self.subset(segment), row="R", column="F", value=value)
        # Show the whole grid of the table's scores, whatever the segment covers.
        top = int(max(self.segmented["R"].max(), self.segmented["F"].max()))
        fill = 0 if value is None else np.nan
        return m.reindex(
            index=range(top, 0, -1), columns=range(1, top + 1), fill_value=fill
        ).astype(float)

    def compute(self) -> dict[str, Any]:
        v = self.values()
        self.matrix = self.grid(v["segment"], v["cell_value"])
        row = self.summary_table.loc[v["segment"]]
        return {
            "segment": v["segment"],
            "customers": int(row["customers"]),
            "customer_share": float(row["share_customers"]),
            "mean_monetary": float(row["mean_monetary"]),
            "revenue_share": float(row["share_revenue"]),
        }

    def render(self, result: dict[str, Any]) -> str:
        return _table(
            [
                ("segment", str(result["segment"])),
                (
                    "customers",
                    f"{result['customers']:,} ({result['customer_share']:.0%} of all)",
                ),
                ("mean monetary value", _rub(result["mean_monetary"])),
                ("share of revenue", f"{result['revenue_share']:.0%}"),
            ]
        )

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        plots.rfm_heatmap(self.matrix, value_label=self.controls["cell_value"].value, ax=ax)


# ---------------------------------------------------------------------------
# implementation readiness
# ---------------------------------------------------------------------------


class ReadinessAssessment(Explorer):
    """Rate each level of the implementation pyramid; see what blocks progress.

    Rate every level from 0 (not started) to 5 (fully in place). A level
    counts as in place from :attr:`IN_PLACE` points, and only when every level
    below it is in place too: technology bought before the strategy is ready
    does not make a company ready. The assessment is
    :func:`rmlib.relationship.pyramid_readiness`.

    Parameters
    ----------
    levels : sequence of str
        The pyramid's levels from the base up (default
        :data:`rmlib.relationship.PYRAMID_LEVELS`).

    Examples
    --------
    >>> ex = ReadinessAssessment()
    >>> for level, rating in {"strategy": 5, "structure": 4, "business processes": 1,
    ...                       "culture": 4, "technology": 5}.items():
    ...     ex.controls[level].value = rating
    >>> ex.result["blocking"], ex.result["levels_in_place"]
    ('business processes', 2)
    """

    title = "Implementation readiness self-assessment"
    #: Rating from which a level counts as in place.
    IN_PLACE = 3
    #: Top of the rating scale.
    SCALE = 5

    def __init__(self, levels: Sequence[str] = relationship.PYRAMID_LEVELS) -> None:
        self.levels = [str(x) for x in levels]
        if not self.levels:
            raise ValueError("`levels` is empty; give the pyramid's levels from the base up.")
        controls = {
            level: _slider(widgets.IntSlider, 0, 0, self.SCALE, 1, f"{level} (0\u20135)")
            for level in self.levels
        }
        super().__init__(controls, figsize=(5.5, 4.0))

    @classmethod
    def assess(cls, ratings: Mapping[str, float]) -> dict[str, Any]:
        """:func:`rmlib.relationship.pyramid_readiness` on the explorer's scale.

        ``ratings`` lists the levels from the base up.
        """
        return relationship.pyramid_readiness(
            ratings, scale=cls.SCALE, in_place=cls.IN_PLACE, levels=None
        )

    def compute(self) -> dict[str, Any]:
        return relationship.pyramid_readiness(
            self.values(), scale=self.SCALE, in_place=self.IN_PLACE, levels=self.levels
        )

    def summary(self) -> str:
        r = self.result
        if not r:
            return ""
        block = r["blocking"] or "none"
        return f"levels in place: {r['levels_in_place']} of {len(self.levels)}\nblocking: {block}"

    def render(self, result: dict[str, Any]) -> str:
        blocking = result["blocking"]
        advice = (
            "every level is in place"
            if blocking is None
            else f"work on {blocking!r} first: the levels above it cannot pay off yet"
        )
        return _table(
            [
                (
                    "levels in place",
                    f"{result['levels_in_place']} of {len(self.levels)} ({result['overall']:.0%})",
                ),
                ("blocking level", blocking or "none"),
                ("next step", advice),
            ]
        )

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        plots.implementation_pyramid(result["readiness"], blocking=result["blocking"], ax=ax)


class Customer360Explorer(Explorer):
    """One customer as the whole company sees them: the CRM's 360-degree view.

    Type a customer id: the panel shows the profile and account manager, the
    value class and next-best offer, the preferred channel, the reason for
    leaving (former customers) and the latest contacts and purchases — each read
    from the mini CRM by :func:`rmlib.crm.customer_360`. No figure.

    Parameters
    ----------
    db : str or Path
        A CRM built by :func:`rmlib.crm.build_crm`.
    customer_id : int
        The customer shown first.
    rows : int
        How many of the latest contacts and purchases to list.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from rmlib import crm
    >>> from rmlib.data import generate_case
    >>> db = crm.build_crm(Path(tempfile.mkdtemp()) / "crm.sqlite",
    ...                    generate_case(n_customers=50, random_state=0))
    >>> ex = Customer360Explorer(db, customer_id=1)
    >>> ex.controls["customer_id"].value = 2
    >>> ex.result["customer_id"]
    2
    """

    title = "Customer 360: what the CRM knows about one customer"

    def __init__(self, db, customer_id: int = 1, rows: int = 5) -> None:
        from rmlib import crm

        self.db = db
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
            raise ValueError(f"`rows` must be a whole number of at least 1; got {rows!r}.")
        self.rows = rows
        n = int(crm.run_query(db, "SELECT MAX(customer_id) AS n FROM customers")["n"].iloc[0])
        control = widgets.BoundedIntText(
            value=customer_id,
            min=1,
            max=n,
            description="customer id",
            style={"description_width": "initial"},
        )
        super().__init__({"customer_id": control}, figsize=None)

    def compute(self) -> dict[str, Any]:
        from rmlib import crm

        customer = self.controls["customer_id"].value
        view = crm.customer_360(self.db, customer)
        profile = view["profile"].iloc[0]
        segment = view["segment"].iloc[0] if len(view["segment"]) else {}
        departure = view["departure"]
        return {
            "customer_id": int(customer),
            "name": str(profile.get("name", "")),
            "segment": str(profile.get("segment", "")),
            "manager": str(profile.get("manager") or "none"),
            "value class": str(segment.get("abc_class", "")) if len(segment) else "",
            "revenue": float(segment.get("revenue", 0.0)) if len(segment) else 0.0,
            "next offer": ", ".join(view["next_offer"]["title"].astype(str)) or "none",
            "channel": ", ".join(view["channel"]["preferred_channel"].astype(str)) or "unknown",
            "left": (
                f"{departure['left_on'].iloc[0]}: {departure['reason'].iloc[0]}"
                if len(departure)
                else "no (active)"
            ),
            "contacts": len(view["contacts"]),
            "purchases": len(view["purchases"]),
            "_latest": {
                "contacts": view["contacts"].tail(self.rows),
                "purchases": view["purchases"].tail(self.rows),
            },
        }

    def summary(self) -> str:
        return "\n".join(f"{k}: {_fmt(v)}" for k, v in self.result.items() if k != "_latest")

    def render(self, result: dict[str, Any]) -> str:
        rows = [(k, _fmt(v)) for k, v in result.items() if k != "_latest"]
        latest = "".join(
            f"<p><b>Latest {name}</b></p>" + frame.to_html(index=False)
            for name, frame in result["_latest"].items()
            if len(frame)
        )
        return _table(rows) + latest


# ---------------------------------------------------------------------------
# Dick & Basu loyalty matrix
# ---------------------------------------------------------------------------


class LoyaltyMatrixExplorer(Explorer):
    """Where do the cut-offs put customers in Dick & Basu's four cells?

    Move the attitude cut-off (an answer at or above it is a "high" attitude) and
    the behaviour cut-off (purchases at or above it are "high" repeat patronage):
    the panel gives each cell's customers and share and the figure redraws the
    matrix. The numbers are those of :func:`rmlib.loyalty.loyalty_matrix`.

    Parameters
    ----------
    df : DataFrame
        One row per customer, indexed by customer id, with the attitude and the
        behaviour columns (numbers, no missing values).
    attitude_col, behaviour_col : str
        The two columns; default ``"nps"`` (mean answer, 0–10) and ``"purchases"``.
    attitude_threshold, behaviour_threshold : float, optional
        Where the sliders start; default 9 (a promoter's answer) and the median of
        the behaviour column.

    Examples
    --------
    >>> answers = pd.DataFrame({"nps": [10, 9, 3, 5], "purchases": [12, 1, 8, 2]})
    >>> ex = LoyaltyMatrixExplorer(answers, behaviour_threshold=5)
    >>> ex.result["true loyalty"], ex.result["spurious loyalty"]
    (1, 1)
    >>> ex.controls["attitude"].value = 3
    >>> ex.result["true loyalty"], ex.result["spurious loyalty"]
    (2, 0)
    """

    title = "Loyalty matrix explorer"

    def __init__(
        self,
        df: pd.DataFrame,
        attitude_col: str = "nps",
        behaviour_col: str = "purchases",
        *,
        attitude_threshold: float = 9.0,
        behaviour_threshold: float | None = None,
    ) -> None:
        check_frame(df, "df", [attitude_col, behaviour_col])
        # loyalty_matrix checks the columns' values; a bad frame fails here, not in a slider.
        loyalty.loyalty_matrix(df, attitude_col, behaviour_col)
        self.df = df
        self.attitude_col, self.behaviour_col = attitude_col, behaviour_col
        att, beh = df[attitude_col].astype(float), df[behaviour_col].astype(float)
        if behaviour_threshold is None:
            behaviour_threshold = float(beh.median())
        style = {"description_width": "initial"}
        controls = {
            "attitude": widgets.FloatSlider(
                value=attitude_threshold,
                min=float(att.min()),
                max=float(att.max()),
                step=0.5,
                description=f"high attitude from ({attitude_col})",
                continuous_update=False,
                style=style,
                layout=widgets.Layout(width="28em"),
            ),
            "behaviour": widgets.FloatSlider(
                value=behaviour_threshold,
                min=float(beh.min()),
                max=float(beh.max()),
                step=1.0 if float(beh.max()) - float(beh.min()) >= 10 else 0.1,
                description=f"high behaviour from ({behaviour_col})",
                continuous_update=False,
                style=style,
                layout=widgets.Layout(width="28em"),
            ),
        }
        self.matrix: loyalty.LoyaltyMatrix | None = None
        super().__init__(controls, figsize=(5.5, 4.6))

    def compute(self) -> dict[str, Any]:
        v = self.values()
        self.matrix = loyalty.loyalty_matrix(
            self.df, self.attitude_col, self.behaviour_col, v["attitude"], v["behaviour"]
        )
        return {str(k): int(n) for k, n in self.matrix.table["customers"].items()}

    def render(self, result: dict[str, Any]) -> str:
        total = sum(result.values())
        return _table([(k, f"{n:,} ({n / total:.0%})") for k, n in result.items()])

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        plots.loyalty_matrix(
            self.matrix,
            attitude=f"{self.attitude_col} (high from {_fmt(self.values()['attitude'])})",
            behaviour=f"{self.behaviour_col} (high from {_fmt(self.values()['behaviour'])})",
            ax=ax,
        )
