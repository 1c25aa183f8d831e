"""One meaning per name: arguments renamed so that a name means the same thing everywhere.

``period`` is a calendar code ("M", "Y") in rmlib.retention, so the discounting step of
``clv.discounted_clv`` is ``period_length`` and the axis label of two figures is ``unit``;
``margin`` is money in ``clv.retention_clv``, so a share of spend is ``margin_rate``; the
day an RFM table describes is ``observation_end``, as in ``rfm.clv_summary``. The money
column of a transaction log is ``amount_col`` (as in rmlib.rfm; rmlib.pareto said
``value_col``, which elsewhere is a computed CLV) and its margin column ``margin_col`` (as in
rmlib.relationship; ``loyalty.profitability_pyramid`` said ``profit_col``); the band labels
of ``plots.kotler_grid`` are ``customers_band_col`` and ``margin_band_col``. The old names
still work, with a warning that names the new one, and give the same result.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from rmlib import clv, loyalty, pareto, plots, rfm, widgets

BG = clv.BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
GG = clv.GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)
CUSTOMER = (2, 30.43, 38.86, 22.35)
LOG = pd.DataFrame(
    {
        "customer_id": [7, 7, 9],
        "timestamp": pd.to_datetime(["2024-03-01", "2024-03-20", "2024-02-10"]),
        "amount": [100.0, 80.0, 500.0],
    }
)


@pytest.mark.parametrize(
    "old, new",
    [({"period": 26}, {"period_length": 26}), ({"margin": 0.3}, {"margin_rate": 0.3})],
)
def test_discounted_clv_old_names_warn_and_agree(old, new):
    with pytest.warns(DeprecationWarning, match=f"is now `discounted_clv\\({next(iter(new))}="):
        before = clv.discounted_clv(BG, GG, *CUSTOMER, **old)
    assert before == clv.discounted_clv(BG, GG, *CUSTOMER, **new)


def test_both_names_at_once_are_refused_with_both_named():
    with pytest.raises(TypeError, match="both `period` and `period_length`"):
        clv.discounted_clv(BG, GG, *CUSTOMER, period=26, period_length=13)


def test_rfm_table_as_of_is_observation_end():
    with pytest.warns(DeprecationWarning, match=r"rfm_table\(observation_end=\.\.\.\)"):
        old = rfm.rfm_table(LOG, as_of="2024-03-31")
    assert old.equals(rfm.rfm_table(LOG, observation_end="2024-03-31"))
    assert old.equals(rfm.rfm_table(LOG, "2024-03-31"))  # positional use is unchanged


@pytest.mark.parametrize(
    "draw, data, label",
    [
        (plots.cohort_heatmap, pd.DataFrame({0: [1.0], 1: [0.5]}, index=["2024-01"]), "weeks"),
        (
            plots.cumulative_clv,
            pd.DataFrame({"period": [0, 1], "cumulative_value": [-5.0, 3.0]}),
            "months",
        ),
    ],
)
def test_figure_unit_replaces_period(draw, data, label):
    with pytest.warns(DeprecationWarning, match="is now .*unit="):
        ax = draw(data, period=label)
    assert ax.get_xlabel().startswith(label)
    assert draw(data, unit=label).get_xlabel() == ax.get_xlabel()
    plt.close("all")


SALES = pd.DataFrame({"client": ["x", "y", "x", "z"], "revenue": [5.0, 2.0, 3.0, 1.0]})
PARETO = [
    (pareto.pareto_table, {}),
    (pareto.top_share, {"top": 0.5}),
    (pareto.customer_share_needed, {"value_share": 0.8}),
    (pareto.lorenz_curve, {}),
    (pareto.gini, {}),
    (pareto.abc_classes, {"a": 0.6, "b": 0.9}),
    (pareto.abc_summary, {"a": 0.6, "b": 0.9}),
]


def _same(a, b):
    if isinstance(a, (pd.DataFrame, pd.Series)):
        return a.equals(b)
    return a == b


@pytest.mark.parametrize("func, kw", PARETO, ids=[f.__name__ for f, _ in PARETO])
def test_pareto_value_col_is_amount_col(func, kw):
    name = func.__name__
    says = rf"`{name}\(value_col=\.\.\.\)` is now `{name}\(amount_col=\.\.\.\)`"
    with pytest.warns(DeprecationWarning, match=says):
        old = func(SALES, customer_col="client", value_col="revenue", **kw)
    new = func(SALES, customer_col="client", amount_col="revenue", **kw)
    assert _same(old, new)
    with pytest.raises(TypeError, match="both `value_col` and `amount_col`"):
        func(SALES, customer_col="client", value_col="revenue", amount_col="revenue", **kw)


def test_missing_column_under_the_old_name_suggests_the_new_keyword():
    # The fix in the message must be a call that works, so it names amount_col.
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError) as err:
        pareto.gini(SALES, customer_col="client", value_col="amount")
    message = str(err.value)
    assert "gini(..., amount_col='<its name>')" in message and "value_col" not in message
    assert pareto.gini(SALES, customer_col="client", amount_col="revenue") == pytest.approx(
        pareto.gini([8.0, 2.0, 1.0])
    )


def test_pareto_explorer_value_col_is_amount_col():
    with pytest.warns(DeprecationWarning, match=r"ParetoExplorer\(amount_col=\.\.\.\)"):
        old = widgets.ParetoExplorer(SALES, customer_col="client", value_col="revenue")
    new = widgets.ParetoExplorer(SALES, customer_col="client", amount_col="revenue")
    assert old.table.equals(new.table)
    plt.close("all")


MARGINS = pd.DataFrame({"customer_id": [1, 2, 2, 3, 4], "gross": [90.0, -5.0, 20.0, 40.0, -8.0]})


def test_profitability_pyramid_profit_col_is_margin_col():
    tiers = {"top": 0.5, "rest": 0.5}
    with pytest.warns(DeprecationWarning, match=r"profitability_pyramid\(margin_col=\.\.\.\)"):
        old = loyalty.profitability_pyramid(MARGINS, tiers, profit_col="gross")
    new = loyalty.profitability_pyramid(MARGINS, tiers, margin_col="gross")
    assert old.tiers.equals(new.tiers) and old.table.equals(new.table)
    assert new.tiers.to_dict() == {1: "top", 2: "rest", 3: "top", 4: "rest"}
    with pytest.raises(TypeError, match="both `profit_col` and `margin_col`"):
        loyalty.profitability_pyramid(MARGINS, tiers, profit_col="gross", margin_col="gross")


ARMS = pd.DataFrame({"label": ["B2C", "B2B"], "c": ["many", "few"], "m": ["low", "high"]})


def _placed(ax):
    return [c.get_offsets()[0].tolist() for c in ax.collections]


@pytest.mark.parametrize(
    "old, new",
    [
        ({"customers_col": "c"}, {"customers_band_col": "c"}),
        ({"margin_col": "m"}, {"margin_band_col": "m"}),
    ],
)
def test_kotler_grid_band_columns(old, new):
    other = {"margin_band_col": "m"} if "customers_col" in old else {"customers_band_col": "c"}
    with pytest.warns(DeprecationWarning, match=rf"kotler_grid\({next(iter(new))}=\.\.\.\)"):
        before = _placed(plots.kotler_grid(ARMS, **old, **other))
    assert before == _placed(plots.kotler_grid(ARMS, **new, **other)) == [[0.5, 2.35], [2.5, 0.35]]
    plt.close("all")
    with pytest.raises(TypeError, match=f"both `{next(iter(old))}` and `{next(iter(new))}`"):
        plots.kotler_grid(ARMS, **old, **{k: v + "!" for k, v in new.items()}, **other)
