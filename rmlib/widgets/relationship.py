"""Explorers of relationships: which level fits, a loyalty program's economics,
Dick & Basu's loyalty matrix."""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes

from rmlib import loyalty, plots, relationship
from rmlib._validate import check_frame, check_nonnegative, check_probability
from rmlib.widgets._base import Explorer, _fmt, _log_slider, _rub, _slider, _table

__all__ = ["LoyaltyMatrixExplorer", "LoyaltyProgramSimulator", "RelationshipLevelChooser"]


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
