"""Explorers of customer value: Pareto/ABC classes, lifetime value, RFM segments."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from rmlib import clv, pareto, plots
from rmlib import rfm as rfm_lib
from rmlib._validate import check_frame, renamed
from rmlib.widgets._base import Explorer, _rub, _slider, _table

__all__ = ["CLVCalculator", "ParetoExplorer", "RFMExplorer"]


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
