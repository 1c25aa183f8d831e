"""Interactive explorers for the workbook (ipywidgets 8, JupyterLab 4).

Each explorer is an :class:`ipywidgets.VBox` holding its controls, a result
panel and, where useful, a figure. The explorers only connect the analytics
modules to :mod:`rmlib.plots`: every number they show comes from an
analytics function (or, where the analytics have none, from a small public
method of the explorer that tests call directly), and every figure is drawn
by a function of :mod:`rmlib.plots`.

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

from rmlib import plots
from rmlib._validate import (
    check_frame,
    check_in_range,
    check_nonnegative,
    check_positive_int,
    check_probability,
)

__all__ = [
    "CLVCalculator",
    "Explorer",
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
    if isinstance(value, float):
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
            self.output.value = (
                f"<p style='color:#D55E00'><b>Cannot compute:</b> {html.escape(str(exc))}</p>"
            )
            return
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
            f"Settings: {settings}\nResult:\n{self.summary()}"
        )

    def static_html(self) -> str:
        """What a static HTML page shows instead of the widget (``text/html``)."""
        settings = "".join(
            f"<li>{html.escape(k)} = {html.escape(_fmt(v))}</li>" for k, v in self.values().items()
        )
        return (
            f"<div class='rmlib-explorer-static'><p><b>{html.escape(self.title)}</b> "
            f"(interactive explorer)</p><p><i>{html.escape(_STATIC_NOTE)}</i></p>"
            f"<p>Settings:</p><ul>{settings}</ul><p>Result:</p>{self.render(self.result)}</div>"
        )

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
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="28em")
    return cls(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=label,
        continuous_update=False,
        style=style,
        layout=layout,
        **kw,
    )


# ---------------------------------------------------------------------------
# Pareto / ABC
# ---------------------------------------------------------------------------


class ParetoExplorer(Explorer):
    """How much of the value do the top customers bring? Pareto chart and ABC classes.

    Move the slider to choose the share of top customers; the panel shows the
    share of value they bring and the ABC classes for the chosen cut-offs.

    Parameters
    ----------
    customer_value : Series
        Value per customer in roubles (revenue or margin), one entry per customer.

    Examples
    --------
    >>> ex = ParetoExplorer(pd.Series([50.0, 30.0, 10.0, 5.0, 5.0]))
    >>> ex.controls["top"].value = 0.2
    >>> round(ex.result["value_share"], 2)
    0.5
    >>> ParetoExplorer.top_share(ex.table, 0.4)
    0.8
    """

    title = "Pareto and ABC explorer"

    def __init__(self, customer_value: pd.Series) -> None:
        if not isinstance(customer_value, pd.Series):
            raise TypeError(
                "`customer_value` must be a pandas Series of value per customer, got "
                f"{type(customer_value).__name__}. Build it with "
                "transactions.groupby('customer_id')['amount'].sum()."
            )
        frame = customer_value.rename("value").to_frame()
        check_frame(frame, "customer_value")
        check_nonnegative(frame, "customer_value", "value")
        if float(frame["value"].sum()) <= 0:
            raise ValueError("`customer_value` adds up to 0; there is no value to share.")
        self.table = self.pareto_table(customer_value)
        controls = {
            "top": _slider(
                widgets.FloatSlider, 0.2, 0.01, 1.0, 0.01, "top customers", readout_format=".0%"
            ),
            "a_cut": _slider(
                widgets.FloatSlider, 0.8, 0.5, 0.95, 0.01, "class A: first", readout_format=".0%"
            ),
            "b_cut": _slider(
                widgets.FloatSlider, 0.95, 0.6, 0.99, 0.01, "class B: up to", readout_format=".0%"
            ),
        }
        super().__init__(controls, figsize=(6.5, 3.8))

    @staticmethod
    def pareto_table(customer_value: pd.Series) -> pd.DataFrame:
        """Customers from the most valuable: value, share, cumulative share."""
        v = customer_value.sort_values(ascending=False, kind="stable").astype(float)
        share = v / v.sum()
        return pd.DataFrame(
            {
                "value": v.to_numpy(),
                "share": share.to_numpy(),
                "cum_share": share.cumsum().clip(upper=1.0).to_numpy(),
            },
            index=v.index,
        )

    @staticmethod
    def top_share(table: pd.DataFrame, top: float) -> float:
        """Share of value brought by the top ``top`` share of customers (rounded up)."""
        top = check_in_range(top, "top", 0, 1, low_inclusive=False, hint="Write 0.2 for 20%.")
        k = max(1, math.ceil(round(top * len(table), 9)))
        return float(table["cum_share"].iloc[k - 1])

    @staticmethod
    def abc_summary(table: pd.DataFrame, a_cut: float, b_cut: float) -> pd.DataFrame:
        """ABC classes: A brings the first ``a_cut`` of value, B up to ``b_cut``, C the rest."""
        a_cut = check_in_range(a_cut, "a_cut", 0, 1)
        b_cut = check_in_range(b_cut, "b_cut", 0, 1)
        if b_cut <= a_cut:
            raise ValueError(
                f"`b_cut` ({b_cut:.0%}) must be above `a_cut` ({a_cut:.0%}): class B "
                f"covers the value between the two cut-offs."
            )
        before = table["cum_share"] - table["share"]  # value covered before this customer
        cls = np.where(before < a_cut - 1e-12, "A", np.where(before < b_cut - 1e-12, "B", "C"))
        n = len(table)
        rows = []
        for c in ("A", "B", "C"):
            mask = cls == c
            rows.append(
                {
                    "abc_class": c,
                    "customers": int(mask.sum()),
                    "customer_share": mask.sum() / n,
                    "value_share": float(table["share"][mask].sum()),
                }
            )
        return pd.DataFrame(rows)

    def compute(self) -> dict[str, Any]:
        v = self.values()
        abc = self.abc_summary(self.table, v["a_cut"], v["b_cut"])
        self.abc = abc
        return {
            "top_customers": float(v["top"]),
            "value_share": self.top_share(self.table, v["top"]),
            "customers": len(self.table),
            **{f"class_{r.abc_class}_customers": int(r.customers) for r in abc.itertuples()},
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
        plots.pareto_chart(
            self.table,
            mark=result["value_share"],
            mark_customers=result["top_customers"],
            ax=ax,
        )


# ---------------------------------------------------------------------------
# CLV calculator
# ---------------------------------------------------------------------------


class CLVCalculator(Explorer):
    """Retention-based customer lifetime value with sliders.

    A customer brings ``margin`` roubles a year while they stay; each year
    they stay with probability ``retention``; money a year later is worth
    ``1 / (1 + discount_rate)`` of money today; the customer cost
    ``acquisition_cost`` to win. CLV is the discounted margin over the
    ``horizon`` minus the acquisition cost.

    Examples
    --------
    >>> ex = CLVCalculator()
    >>> ex.controls["retention"].value = 0.0
    >>> ex.controls["margin"].value = 1100.0
    >>> ex.controls["discount_rate"].value = 0.1
    >>> ex.controls["acquisition_cost"].value = 400.0
    >>> round(ex.result["clv"], 2)
    600.0
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
        controls = {
            "margin": _slider(
                widgets.FloatSlider, margin, 0, 50_000, 500, "margin per year (roubles)"
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
                50_000,
                500,
                "acquisition cost (roubles)",
            ),
            "horizon": _slider(widgets.IntSlider, horizon, 1, 30, 1, "horizon (years)"),
        }
        super().__init__(controls, figsize=(6.5, 3.6))

    @staticmethod
    def value_curve(
        margin: float,
        retention: float,
        discount_rate: float,
        acquisition_cost: float,
        horizon: int,
    ) -> pd.DataFrame:
        """Cumulative discounted value, year 0 (acquisition) to ``horizon``.

        Year ``t`` adds ``margin * retention**(t-1) / (1 + discount_rate)**t``:
        the customer is there in year 1 and the margin arrives at the year's end.

        >>> CLVCalculator.value_curve(1000, 0.5, 0.0, 200, 2)["cumulative_value"].tolist()
        [-200.0, 800.0, 1300.0]
        """
        m = check_in_range(margin, "margin", 0)
        r = check_probability(retention, "retention")
        d = check_in_range(discount_rate, "discount_rate", 0, 1, hint="Write 0.1 for 10%.")
        ac = check_in_range(acquisition_cost, "acquisition_cost", 0)
        h = check_positive_int(horizon, "horizon")
        t = np.arange(1, h + 1)
        yearly = m * r ** (t - 1) / (1 + d) ** t
        cumulative = np.concatenate([[-ac], -ac + np.cumsum(yearly)])
        return pd.DataFrame({"period": np.arange(h + 1), "cumulative_value": cumulative})

    def compute(self) -> dict[str, Any]:
        curve = self.value_curve(**self.values())
        self.curve = curve
        paid = curve.loc[curve["cumulative_value"] >= 0, "period"]
        return {
            "clv": float(curve["cumulative_value"].iloc[-1]),
            "payback_year": int(paid.iloc[0]) if len(paid) else None,
        }

    def render(self, result: dict[str, Any]) -> str:
        payback = result["payback_year"]
        return _table(
            [
                ("customer lifetime value", _rub(result["clv"])),
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


class RelationshipLevelChooser(Explorer):
    """Number of customers and margin per unit -> recommended relationship level.

    Kotler's grid: with many customers and a small margin only a basic
    relationship pays; with few customers and a large margin a partnership
    does. The bands are set by :attr:`CUSTOMER_CUTS` and :attr:`MARGIN_CUTS`.

    Examples
    --------
    >>> RelationshipLevelChooser.recommend(300, 80_000)["level"]
    'partnership'
    >>> RelationshipLevelChooser.recommend(500_000, 150)["level"]
    'basic'
    """

    title = "Which relationship level fits?"
    #: Fewer than 1,000 customers is "few"; 100,000 or more is "many".
    CUSTOMER_CUTS: tuple[float, float] = (1_000, 100_000)
    #: Below 1,000 roubles per unit the margin is "low"; 20,000 or more is "high".
    MARGIN_CUTS: tuple[float, float] = (1_000, 20_000)

    def __init__(self, n_customers: float = 5_000, unit_margin: float = 500) -> None:
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="28em")
        controls = {
            "n_customers": widgets.FloatLogSlider(
                value=n_customers,
                base=10,
                min=1,
                max=7,
                step=0.1,
                description="number of customers",
                readout_format=",.0f",
                continuous_update=False,
                style=style,
                layout=layout,
            ),
            "unit_margin": widgets.FloatLogSlider(
                value=unit_margin,
                base=10,
                min=1,
                max=6,
                step=0.1,
                description="margin per unit (roubles)",
                readout_format=",.0f",
                continuous_update=False,
                style=style,
                layout=layout,
            ),
        }
        super().__init__(controls, figsize=(5.5, 4.2))

    @classmethod
    def recommend(cls, n_customers: float, unit_margin: float) -> dict[str, str]:
        """The level Kotler's grid recommends, the two bands and the reason."""
        n = check_in_range(n_customers, "n_customers", 0, low_inclusive=False)
        m = check_in_range(unit_margin, "unit_margin", 0)
        c_band = plots.CUSTOMER_BANDS[int(np.searchsorted(cls.CUSTOMER_CUTS, n, side="right"))]
        m_band = plots.MARGIN_BANDS[int(np.searchsorted(cls.MARGIN_CUTS, m, side="right"))]
        level = plots.KOTLER_GRID[(c_band, m_band)]
        motto = dict(plots.RELATIONSHIP_LEVELS)[level]
        reason = (
            f"{n:,.0f} customers is {c_band!r} and a margin of {m:,.0f} roubles per unit is "
            f"{m_band!r}; Kotler's grid recommends a {level} relationship ({motto})."
        )
        return {
            "level": level,
            "customers_band": c_band,
            "margin_band": m_band,
            "reason": reason,
        }

    def compute(self) -> dict[str, Any]:
        v = self.values()
        return self.recommend(v["n_customers"], v["unit_margin"])

    def render(self, result: dict[str, Any]) -> str:
        return (
            f"<p>Recommended level: <b>{html.escape(result['level'])}</b></p>"
            f"<p>{html.escape(result['reason'])}</p>"
        )

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
    they would have; ``breakage`` of points is never redeemed. The simulation
    is deterministic: every customer counts with weight ``participation``.

    Parameters
    ----------
    spend : Series
        Yearly spend per customer, roubles.
    margin_rate : float
        Gross margin as a share of spend (0–1).
    breakage : float
        Share of points never redeemed (0–1).

    Examples
    --------
    >>> sim = LoyaltyProgramSimulator(pd.Series([10_000.0, 30_000.0, 90_000.0]))
    >>> r = sim.simulate(reward_rate=0.02, silver=20_000, gold=60_000,
    ...                  participation=1.0, uplift=0.0)
    >>> r["incremental_margin"], round(r["reward_cost"])
    (0.0, 3760)
    """

    title = "Loyalty program simulator"
    #: Reward-rate multiplier by tier.
    TIER_MULTIPLIERS: dict[str, float] = {"base": 1.0, "silver": 1.5, "gold": 2.0}

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
        }
        super().__init__(controls, figsize=(6.0, 3.6))

    def simulate(
        self,
        reward_rate: float,
        silver: float,
        gold: float,
        participation: float,
        uplift: float,
    ) -> dict[str, float]:
        """Expected members, reward cost, incremental margin, net effect and ROI (roubles)."""
        rate = check_in_range(reward_rate, "reward_rate", 0, 1, hint="Write 0.03 for 3%.")
        silver = check_in_range(silver, "silver", 0)
        gold = check_in_range(gold, "gold", 0)
        if gold < silver:
            raise ValueError(
                f"the gold threshold ({gold:,.0f}) must not be below the silver threshold "
                f"({silver:,.0f}) roubles."
            )
        p = check_probability(participation, "participation")
        u = check_in_range(uplift, "uplift", 0, hint="Write 0.08 for 8%.")
        new_spend = self.spend * (1 + u)
        mult = np.where(
            new_spend >= gold,
            self.TIER_MULTIPLIERS["gold"],
            np.where(new_spend >= silver, self.TIER_MULTIPLIERS["silver"], 1.0),
        )
        cost = float(p * (new_spend * rate * mult).sum() * (1 - self.breakage))
        gain = float(p * (self.spend * u).sum() * self.margin_rate)
        net = gain - cost
        return {
            "members": p * len(self.spend),
            "gold_members": p * float((new_spend >= gold).sum()),
            "reward_cost": cost,
            "incremental_margin": gain,
            "net_effect": net,
            "roi": net / cost if cost > 0 else float("nan"),
        }

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
        plots.program_economics(result["incremental_margin"], result["reward_cost"], ax=ax)


# ---------------------------------------------------------------------------
# RFM segment explorer
# ---------------------------------------------------------------------------


class RFMExplorer(Explorer):
    """Where a segment sits on the recency x frequency grid, and what it is worth.

    Parameters
    ----------
    rfm : DataFrame
        One row per customer with recency and frequency scores (1–5), a segment
        name and monetary value in roubles (the RFM table of :mod:`rmlib.rfm`).
    r_col, f_col, segment_col, monetary_col : str
        Column names.

    Examples
    --------
    >>> t = pd.DataFrame({"r": [5, 5, 1], "f": [5, 4, 1], "segment": ["best", "best", "lost"],
    ...                   "monetary": [900.0, 700.0, 50.0]})
    >>> ex = RFMExplorer(t, r_col="r", f_col="f")
    >>> ex.controls["segment"].value = "best"
    >>> ex.result["customers"], ex.result["mean_monetary"]
    (2, 800.0)
    """

    title = "RFM segment explorer"

    def __init__(
        self,
        rfm: pd.DataFrame,
        *,
        r_col: str = "r_score",
        f_col: str = "f_score",
        segment_col: str = "segment",
        monetary_col: str = "monetary",
    ) -> None:
        check_frame(rfm, "rfm", [r_col, f_col, segment_col, monetary_col])
        for col in (r_col, f_col, monetary_col):
            check_nonnegative(rfm, "rfm", col)
        self.rfm = rfm
        self.cols = {"r": r_col, "f": f_col, "segment": segment_col, "monetary": monetary_col}
        segments = sorted(rfm[segment_col].astype(str).unique())
        style = {"description_width": "initial"}
        controls = {
            "segment": widgets.Dropdown(
                options=["all customers", *segments], description="segment", style=style
            ),
            "cell_value": widgets.Dropdown(
                options=["customers", "mean monetary value (roubles)"],
                description="cells show",
                style=style,
            ),
        }
        super().__init__(controls, figsize=(5.5, 4.2))

    def subset(self, segment: str) -> pd.DataFrame:
        """Rows of the RFM table in ``segment`` (all rows for ``"all customers"``)."""
        if segment == "all customers":
            return self.rfm
        seg = self.rfm[self.cols["segment"]].astype(str)
        if segment not in set(seg):
            raise ValueError(
                f"`segment` {segment!r} is not in the table; pick one of {sorted(set(seg))}."
            )
        return self.rfm[seg == segment]

    def grid(self, segment: str, cell_value: str = "customers") -> pd.DataFrame:
        """Recency score (rows, 5 at the top) x frequency score (columns) for ``segment``."""
        sub = self.subset(segment)
        r, f, m = self.cols["r"], self.cols["f"], self.cols["monetary"]
        scores_r = sorted(self.rfm[r].unique(), reverse=True)
        scores_f = sorted(self.rfm[f].unique())
        if cell_value == "customers":
            g = sub.groupby([r, f]).size()
        else:
            g = sub.groupby([r, f])[m].mean()
        out = g.unstack(f).reindex(index=scores_r, columns=scores_f).astype(float)
        if cell_value == "customers":
            out = out.fillna(0.0)
        return out

    def compute(self) -> dict[str, Any]:
        v = self.values()
        sub = self.subset(v["segment"])
        self.matrix = self.grid(v["segment"], v["cell_value"])
        return {
            "segment": v["segment"],
            "customers": len(sub),
            "customer_share": len(sub) / len(self.rfm),
            "mean_monetary": float(sub[self.cols["monetary"]].mean()),
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
            ]
        )

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        cell_value = self.controls["cell_value"].value
        fmt = ".0f"
        plots.rfm_heatmap(self.matrix, value_label=cell_value, fmt=fmt, ax=ax)


# ---------------------------------------------------------------------------
# implementation readiness
# ---------------------------------------------------------------------------


class ReadinessAssessment(Explorer):
    """Rate each level of the implementation pyramid; see what blocks progress.

    Rate every level from 0 (not started) to 5 (fully in place). A level
    counts as in place from :attr:`IN_PLACE` points, and only when every level
    below it is in place too: technology bought before the strategy is ready
    does not make a company ready.

    Examples
    --------
    >>> ReadinessAssessment.assess({"strategy": 5, "structure": 4, "business processes": 1,
    ...                             "culture": 4, "technology": 5})["blocking"]
    'business processes'
    """

    title = "Implementation readiness self-assessment"
    #: Rating from which a level counts as in place.
    IN_PLACE = 3
    #: Top of the rating scale.
    SCALE = 5

    def __init__(self, levels: Sequence[str] = plots.PYRAMID_LEVELS) -> None:
        self.levels = [str(x) for x in levels]
        if not self.levels:
            raise ValueError("`levels` is empty; give the pyramid's levels from the base up.")
        controls = {
            level: _slider(widgets.IntSlider, 0, 0, self.SCALE, 1, f"{level} (0\u20135)")
            for level in self.levels
        }
        super().__init__(controls, figsize=(5.5, 4.0))

    @classmethod
    def assess(cls, ratings: Mapping[str, int]) -> dict[str, Any]:
        """Readiness per level, the blocking level and the overall readiness (0–1).

        ``ratings`` lists the levels from the base up.
        """
        if not isinstance(ratings, Mapping) or not ratings:
            raise TypeError("`ratings` must be a non-empty dict of level -> rating (0-5).")
        readiness = {}
        for level, rating in ratings.items():
            check_in_range(rating, f"ratings[{level!r}]", 0, cls.SCALE)
            readiness[level] = float(rating) / cls.SCALE
        blocking = next((lv for lv, rating in ratings.items() if rating < cls.IN_PLACE), None)
        levels = list(ratings)
        ready_levels = len(levels) if blocking is None else levels.index(blocking)
        return {
            "readiness": readiness,
            "blocking": blocking,
            "levels_in_place": ready_levels,
            "overall": ready_levels / len(levels),
        }

    def compute(self) -> dict[str, Any]:
        return self.assess(self.values())

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
