"""Explorers driven from code: set a control, check the shown result and the figure."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from rmlib import clv, pareto, plots, relationship, rfm, widgets

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- static fallback -----------------------------------------------------------------

_RFM = pd.DataFrame(
    {
        "recency": [3, 40, 200, 10, 90, 365, 15, 60],
        "frequency": [12, 1, 1, 4, 1, 1, 6, 1],
        "monetary": [900.0, 40.0, 55.0, 300.0, 20.0, 35.0, 410.0, 80.0],
    },
    index=pd.Index([f"c{i}" for i in range(8)], name="customer_id"),
)


@pytest.mark.parametrize(
    "make",
    [
        lambda: widgets.ParetoExplorer(pd.Series([5.0, 3.0, 2.0])),
        lambda: widgets.CLVCalculator(),
        lambda: widgets.RelationshipLevelChooser(),
        lambda: widgets.LoyaltyProgramSimulator(pd.Series([1000.0, 5000.0])),
        lambda: widgets.RFMExplorer(_RFM),
        lambda: widgets.ReadinessAssessment(),
    ],
    ids=["pareto", "clv", "level", "loyalty", "rfm", "readiness"],
)
def test_every_explorer_shows_widget_live_and_message_static(make):
    """JupyterLab gets the widget view; static viewers get text/html and text/plain."""
    ex = make()
    assert isinstance(ex, widgets.Explorer)
    bundle = ex._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == ex.model_id
    for mime in ("text/plain", "text/html"):
        assert ex.title in bundle[mime]
        assert "needs a running Jupyter kernel" in bundle[mime]
    assert not bundle["text/plain"].startswith("VBox(")
    # The figure is rendered into the Image widget as a PNG.
    assert ex.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_static_fallback_carries_the_current_result():
    ex = widgets.CLVCalculator(margin=1000.0, retention=0.5, discount_rate=0.0)
    ex.controls["acquisition_cost"].value = 0.0
    ex.controls["horizon"].value = 1
    bundle = ex._repr_mimebundle_()
    # One year, kept with probability 0.5, no discounting: 0.5 * 1000 = 500 roubles.
    assert "clv: 500" in bundle["text/plain"]
    assert "horizon=1" in bundle["text/plain"]
    assert "500 roubles" in bundle["text/html"]
    assert "<li>horizon = 1</li>" in bundle["text/html"]


def test_bad_settings_show_the_library_message_not_a_traceback():
    ex = widgets.ParetoExplorer(pd.Series([5.0, 3.0, 2.0]))
    ex.controls["a"].value = 0.9
    ex.controls["b"].value = 0.7
    assert ex.result == {}
    assert "Cannot compute" in ex.output.value
    assert "`b` (0.7) must be greater than `a` (0.9)" in ex.output.value
    ex.controls["b"].value = 0.95
    assert "Cannot compute" not in ex.output.value


# --- Pareto / ABC ------------------------------------------------------------------------


@pytest.fixture
def values():
    # 10 customers; the top two bring 60 of 100 roubles.
    return pd.Series(
        [30.0, 30.0, 10.0, 10.0, 5.0, 5.0, 4.0, 3.0, 2.0, 1.0],
        index=[f"c{i}" for i in range(10)],
    )


def test_pareto_slider_updates_share_text_and_chart(values):
    ex = widgets.ParetoExplorer(values.sample(frac=1.0, random_state=1))
    ex.controls["top"].value = 0.2
    assert ex.result["value_share"] == pytest.approx(0.6)
    assert "the top 20% of customers bring" in ex.output.value
    assert "60.0% of value" in ex.output.value
    first_png = ex.image.value
    ex.controls["top"].value = 0.4
    assert ex.result["value_share"] == pytest.approx(0.8)
    assert "80.0% of value" in ex.output.value
    assert ex.image.value != first_png
    # The redrawn chart marks the new point: 40% of customers, 80% of value.
    texts = [t.get_text() for t in ex.ax.right_ax.texts]
    assert "40% of customers" in texts and "80% of value" in texts
    assert [p.get_height() for p in ex.ax.patches] == pytest.approx(
        [30, 30, 10, 10, 5, 5, 4, 3, 2, 1]
    )


def test_pareto_abc_classes_count_the_customer_in_the_running_share(values):
    ex = widgets.ParetoExplorer(values)
    ex.controls["a"].value = 0.8
    ex.controls["b"].value = 0.95
    abc = ex.abc.set_index("abc_class")
    # Running share of value including each customer, by hand (total 100 roubles):
    # 30, 60, 70, 80 | 85, 90, 94 | 97, 99, 100.
    # A while it is at most 80% (c0..c3), B while at most 95% (c4..c6), C the rest.
    assert abc["customers"].tolist() == [4, 3, 3]
    assert abc["value_share"].tolist() == pytest.approx([0.80, 0.14, 0.06])
    assert ex.result["class_A_customers"] == 4
    assert ex.result["class_C_customers"] == 3
    assert "class A" in ex.output.value and "4 customers (40%)" in ex.output.value
    assert "3 customers (30%), 14% of value" in ex.output.value
    # With A up to 50%, only c0 (30%) is in A: c1 takes the running share to 60%.
    ex.controls["a"].value = 0.5
    assert ex.result["class_A_customers"] == 1


def test_pareto_explorer_numbers_are_the_analytics_numbers(values):
    ex = widgets.ParetoExplorer(values)
    pd.testing.assert_frame_equal(ex.table, pareto.pareto_table(values))
    for top, a, b in [(0.15, 0.7, 0.9), (0.5, 0.6, 0.8), (1.0, 0.9, 0.99)]:
        ex.controls["top"].value = top
        ex.controls["a"].value = a
        ex.controls["b"].value = b
        assert ex.result["value_share"] == pareto.top_share(values, top)
        pd.testing.assert_frame_equal(ex.abc, pareto.abc_summary(values, a, b))


def test_pareto_explorer_takes_a_transaction_log():
    tx = pd.DataFrame({"customer_id": [1, 2, 2, 3], "amount": [10.0, 50.0, 30.0, 10.0]})
    ex = widgets.ParetoExplorer(tx)
    ex.controls["top"].value = 0.34
    # ceil(0.34 * 3) = 2 customers: 80 + 10 of 100 roubles.
    assert ex.result["value_share"] == pytest.approx(0.9)
    assert ex.table.index.tolist() == [2, 1, 3]


def test_pareto_input_checks_and_no_mutation(values):
    before = values.copy()
    widgets.ParetoExplorer(values)
    pd.testing.assert_series_equal(values, before)
    with pytest.raises(ValueError, match=r"`values` has no column 'customer_id'"):
        widgets.ParetoExplorer(values.to_frame())
    with pytest.raises(ValueError, match=r"negative value"):
        widgets.ParetoExplorer(pd.Series([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"adds up to 0"):
        widgets.ParetoExplorer(pd.Series([0.0, 0.0]))


# --- CLV calculator ------------------------------------------------------------------


def test_clv_by_hand_in_the_courses_convention():
    """m = 1000, r = 0.5, d = 10%, AC = 200: year t brings 1000 * 0.5**t / 1.1**t."""
    ex = widgets.CLVCalculator(
        margin=1000.0, retention=0.5, discount_rate=0.1, acquisition_cost=200.0, horizon=3
    )
    y1, y2, y3 = 500 / 1.1, 250 / 1.21, 125 / 1.331  # 454.55, 206.61, 93.91
    expected = [-200.0, -200 + y1, -200 + y1 + y2, -200 + y1 + y2 + y3]
    assert ex.curve["cumulative_value"].tolist() == pytest.approx(expected)
    assert ex.curve["period"].tolist() == [0, 1, 2, 3]
    assert ex.result["clv"] == pytest.approx(555.07, abs=0.01)
    # Endless: m r / (1 + d - r) - AC = 500 / 0.6 - 200 = 633.33.
    assert ex.result["clv_endless"] == pytest.approx(633.33, abs=0.01)
    assert ex.result["payback_year"] == 1


def test_clv_sliders_update_value_and_curve():
    ex = widgets.CLVCalculator(
        margin=1000.0, retention=0.5, discount_rate=0.1, acquisition_cost=200.0, horizon=3
    )
    assert "555 roubles" in ex.output.value
    assert "over 3 years" in ex.output.value
    assert ex.ax.lines[0].get_ydata()[-1] == pytest.approx(555.07, abs=0.01)
    ex.controls["retention"].value = 0.9
    higher = ex.result["clv"]
    # 900/1.1 + 810/1.21 + 729/1.331 - 200 = 1835.31
    assert higher == pytest.approx(1835.31, abs=0.01)
    ex.controls["acquisition_cost"].value = 5000.0
    assert ex.result["clv"] == pytest.approx(higher - 4800.0)
    assert ex.result["payback_year"] is None
    assert "not within the horizon" in ex.output.value
    ex.controls["horizon"].value = 10
    assert len(ex.ax.lines[0].get_ydata()) == 11


def test_clv_explorer_numbers_are_the_analytics_numbers():
    ex = widgets.CLVCalculator()
    for m, r, d, ac, h in [(5000.0, 0.7, 0.1, 3000.0, 10), (2500.0, 0.35, 0.2, 0.0, 4)]:
        for name, value in zip(
            ["margin", "retention", "discount_rate", "acquisition_cost", "horizon"],
            [m, r, d, ac, h],
            strict=True,
        ):
            ex.controls[name].value = value
        assert ex.result["clv"] == clv.retention_clv(m, r, d, ac, horizon=h)
        assert ex.result["clv_endless"] == clv.retention_clv(m, r, d, ac)
        pd.testing.assert_frame_equal(ex.curve, clv.retention_value_curve(m, r, d, ac, h))
        assert ex.result["payback_year"] == clv.payback_period(ex.curve)
    # 5000 * 0.7 / 1.1 = 3181.82 in year 1 pays back 3000 roubles; 0.35 * 2500 / 1.2 = 729.17
    # and 0.35**2 * 2500 / 1.44 = 212.67 over years 1-2 against nothing spent: year 0.
    assert ex.result["payback_year"] == 0
    ex.controls["acquisition_cost"].value = 900.0
    # -900 + 729.17 + 212.67 = +41.84 after year 2.
    assert ex.result["payback_year"] == 2
    assert "in year 2" in ex.output.value


def test_clv_sliders_make_room_for_large_amounts():
    ex = widgets.CLVCalculator(margin=80_000.0, acquisition_cost=120_000.0)
    assert ex.controls["margin"].value == 80_000.0
    assert ex.controls["acquisition_cost"].value == 120_000.0


# --- relationship-level chooser -------------------------------------------------------


def test_level_chooser_sliders_update_level_reason_and_grid():
    ex = widgets.RelationshipLevelChooser(n_customers=200_000, unit_margin=100)
    assert ex.result["level"] == "basic"
    assert "Recommended level: <b>basic</b>" in ex.output.value
    assert "200,000 customers is &#x27;many&#x27;" in ex.output.value
    ex.controls["n_customers"].value = 100
    ex.controls["unit_margin"].value = 100_000
    assert ex.result["level"] == "partnership"
    assert ex.result["customers_band"] == "few" and ex.result["margin_band"] == "high"
    assert "partnership relationship" in ex.result["reason"]
    # The "you" marker moved to the few-customers, high-margin cell.
    assert ex.ax.collections[0].get_offsets()[0].tolist() == [2.5, 0.35]
    with pytest.raises(ValueError, match=r"`n_customers` must be in \(0, inf\)"):
        widgets.RelationshipLevelChooser.recommend(0, 100)


def test_level_chooser_numbers_are_the_analytics_numbers():
    assert widgets.RelationshipLevelChooser.CUSTOMER_CUTS == relationship.CUSTOMER_CUTS
    assert widgets.RelationshipLevelChooser.MARGIN_CUTS == relationship.MARGIN_CUTS
    ex = widgets.RelationshipLevelChooser()
    for n, m in [(10, 50_000), (3_000, 700), (2_000_000, 30_000), (100_000, 1_000)]:
        ex.controls["n_customers"].value = n
        ex.controls["unit_margin"].value = m
        v = ex.values()
        assert ex.result == relationship.recommend_level(v["n_customers"], v["unit_margin"])


def test_static_text_writes_large_settings_in_full():
    # A B2B margin of 33,117 roubles reads as a number, not 3.312e+04.
    ex = widgets.RelationshipLevelChooser(n_customers=150, unit_margin=33_117.4)
    text = ex.static_text()
    assert "unit_margin=33,117" in text and "e+" not in text
    assert "unit_margin = 33,117" in ex.static_html()


# --- loyalty-program simulator -------------------------------------------------------


def test_loyalty_simulation_by_hand():
    sim = widgets.LoyaltyProgramSimulator(
        pd.Series([10_000.0, 30_000.0]), margin_rate=0.3, breakage=0.0
    )
    r = sim.simulate(reward_rate=0.05, silver=20_000, gold=50_000, participation=0.5, uplift=0.1)
    # New spend 11,000 (base) and 33,000 (silver x1.5); half the customers join.
    assert r["reward_cost"] == pytest.approx(0.5 * (11_000 * 0.05 + 33_000 * 0.075))
    assert r["incremental_margin"] == pytest.approx(0.5 * 4_000 * 0.3)
    assert r["net_effect"] == pytest.approx(r["incremental_margin"] - r["reward_cost"])
    # ROI is rmlib.relationship's: (600 - 1512.5) / 1512.5.
    assert r["roi"] == relationship.program_roi(r["incremental_margin"], r["reward_cost"])
    assert r["roi"] == pytest.approx((600 - 1512.5) / 1512.5)
    assert r["members"] == 1.0 and r["silver_members"] == 0.5 and r["gold_members"] == 0.0


def test_loyalty_simulator_numbers_are_the_analytics_numbers():
    spend = pd.Series(np.linspace(5_000, 100_000, 20))
    ex = widgets.LoyaltyProgramSimulator(spend, margin_rate=0.3, breakage=0.1)
    settings_ = [(0.02, 20_000.0, 60_000.0, 0.5, 0.1), (0.1, 0.0, 90_000.0, 1.0, 0.0)]
    for rate, silver, gold, p, u in settings_:
        for name, value in zip(
            ["reward_rate", "silver", "gold", "participation", "uplift"],
            [rate, silver, gold, p, u],
            strict=True,
        ):
            ex.controls[name].value = value
        v = ex.values()
        assert ex.result == relationship.program_economics(
            spend,
            v["reward_rate"],
            silver=v["silver"],
            gold=v["gold"],
            participation=v["participation"],
            uplift=v["uplift"],
            margin_rate=0.3,
            breakage=0.1,
        )
        # The waterfall's three bars are the result's margin, cost and net effect.
        heights = [p.get_height() for p in ex.ax.patches]
        assert heights == pytest.approx(
            [ex.result["incremental_margin"], -ex.result["reward_cost"], ex.result["net_effect"]]
        )


def test_loyalty_sliders_update_money_and_waterfall():
    spend = pd.Series(np.linspace(5_000, 100_000, 50))
    ex = widgets.LoyaltyProgramSimulator(spend)
    ex.controls["reward_rate"].value = 0.0
    assert ex.result["reward_cost"] == 0
    assert "no cost" in ex.output.value
    ex.controls["reward_rate"].value = 0.05
    cost_5 = ex.result["reward_cost"]
    assert cost_5 > 0
    ex.controls["participation"].value = 1.0
    assert ex.result["reward_cost"] == pytest.approx(cost_5 / 0.4)
    heights = [p.get_height() for p in ex.ax.patches]
    assert heights[0] == pytest.approx(ex.result["incremental_margin"])
    assert heights[1] == pytest.approx(-ex.result["reward_cost"])
    assert "ROI" in ex.output.value
    ex.controls["gold"].value = 0.0
    ex.controls["silver"].value = 50_000.0
    assert "must not be below the silver threshold" in ex.output.value


# --- RFM explorer --------------------------------------------------------------------


def test_rfm_segment_choice_updates_counts_and_heatmap():
    before = _RFM.copy()
    ex = widgets.RFMExplorer(_RFM)
    # Scores and segments are rmlib.rfm's (see rfm_scores' docstring example).
    assert ex.segmented["segment"].astype(str).tolist() == [
        "champions",
        "potential loyalists",
        "at risk",
        "champions",
        "hibernating",
        "lost",
        "loyal",
        "need attention",
    ]
    # All customers: 8, with mean spend 1840 / 8 = 230 roubles and every rouble of revenue.
    assert ex.result["customers"] == 8 and ex.result["customer_share"] == 1.0
    assert ex.result["mean_monetary"] == pytest.approx(230.0)
    assert ex.result["revenue_share"] == 1.0
    # Segments are offered from the most to the least valuable.
    assert list(ex.controls["segment"].options) == [
        "all customers",
        "champions",
        "loyal",
        "potential loyalists",
        "need attention",
        "at risk",
        "hibernating",
        "lost",
    ]
    ex.controls["segment"].value = "champions"
    # c0 (900 roubles) and c3 (300 roubles): 2 of 8 customers, 1200 of 1840 roubles.
    assert ex.result["customers"] == 2
    assert ex.result["mean_monetary"] == pytest.approx(600.0)
    assert ex.result["revenue_share"] == pytest.approx(1200 / 1840)
    assert "2 (25% of all)" in ex.output.value and "65%" in ex.output.value
    grid = ex.matrix
    # c0 has R 5, F 5; c3 has R 5, F 4. Rows run 5 (top) to 1, columns 1 to 5.
    assert grid.loc[5, 5] == 1 and grid.loc[5, 4] == 1 and grid.to_numpy().sum() == 2
    assert list(grid.index) == [5, 4, 3, 2, 1] and list(grid.columns) == [1, 2, 3, 4, 5]
    assert ex.ax.images[0].get_array().sum() == 2
    ex.controls["cell_value"].value = "mean monetary value (roubles)"
    assert ex.matrix.loc[5, 5] == pytest.approx(900.0)
    assert np.isnan(ex.matrix.loc[1, 1])
    assert "2 (25% of all)" in ex.output.value
    pd.testing.assert_frame_equal(_RFM, before)


def test_rfm_explorer_numbers_are_the_analytics_numbers():
    segmented = rfm.rfm_segments(rfm.rfm_scores(_RFM))
    ex = widgets.RFMExplorer(_RFM)
    pd.testing.assert_frame_equal(ex.segmented, segmented)
    summary = rfm.segment_summary(segmented, total=True)
    pd.testing.assert_frame_equal(ex.summary_table, summary)
    for segment in summary.index:
        ex.controls["segment"].value = str(segment)
        row = summary.loc[segment]
        assert ex.result["customers"] == row["customers"]
        assert ex.result["customer_share"] == row["share_customers"]
        assert ex.result["mean_monetary"] == row["mean_monetary"]
        assert ex.result["revenue_share"] == row["share_revenue"]
        rows = (
            segmented if segment == "all customers" else segmented[segmented["segment"] == segment]
        )
        expected = rfm.score_matrix(rows)
        shown = ex.matrix.loc[expected.index, expected.columns]
        assert (shown.to_numpy() == expected.to_numpy()).all()
    # An already scored table is used as it is.
    custom = segmented.assign(segment="lost")
    assert widgets.RFMExplorer(custom).result["customers"] == 8
    assert list(widgets.RFMExplorer(custom).controls["segment"].options) == [
        "all customers",
        "lost",
    ]


def test_rfm_input_checks():
    with pytest.raises(ValueError, match=r"no column 'recency'. Available columns: 'frequency'"):
        widgets.RFMExplorer(_RFM.drop(columns="recency"))
    ex = widgets.RFMExplorer(_RFM)
    with pytest.raises(ValueError, match=r"`segment` 'vip' is not in the table"):
        ex.subset("vip")


# --- readiness assessment ------------------------------------------------------------


def test_readiness_sliders_find_the_blocking_level():
    ex = widgets.ReadinessAssessment()
    assert list(ex.controls) == list(relationship.PYRAMID_LEVELS)
    assert ex.result["blocking"] == "strategy"
    for level in ("strategy", "structure", "technology"):
        ex.controls[level].value = 5
    assert ex.result["blocking"] == "business processes"
    assert ex.result["levels_in_place"] == 2
    assert ex.result["overall"] == pytest.approx(0.4)
    assert "work on &#x27;business processes&#x27; first" in ex.output.value
    # The pyramid is redrawn: business processes outlined in the alert colour.
    edges = {p.get_label(): to_hex(p.get_edgecolor()) for p in ex.ax.patches}
    assert edges["business processes"] == plots.OKABE_ITO["vermillion"].lower()
    assert "Technology: 100%" in [t.get_text() for t in ex.ax.texts]
    ex.controls["business processes"].value = 3
    ex.controls["culture"].value = 4
    assert ex.result["blocking"] is None and ex.result["overall"] == 1.0
    assert "every level is in place" in ex.output.value
    assert "blocking: none" in ex._repr_mimebundle_()["text/plain"]


def test_readiness_numbers_are_the_analytics_numbers():
    ex = widgets.ReadinessAssessment()
    ratings = dict(zip(relationship.PYRAMID_LEVELS, [4, 3, 5, 2, 1], strict=True))
    for level, rating in ratings.items():
        ex.controls[level].value = rating
    assert ex.result == relationship.pyramid_readiness(ratings)
    assert ex.result["blocking"] == "culture"
    assert widgets.ReadinessAssessment.assess(ratings) == relationship.pyramid_readiness(ratings)


def test_readiness_assess_checks_ratings():
    with pytest.raises(ValueError, match=r"`ratings\['culture'\]` must be in \[0, 5\]"):
        widgets.ReadinessAssessment.assess({"strategy": 3, "culture": 9})
    with pytest.raises(TypeError, match=r"non-empty dict"):
        widgets.ReadinessAssessment.assess({})


# --- properties ------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.floats(0, 1e6), min_size=1, max_size=40).filter(lambda v: sum(v) > 0),
    st.floats(0.01, 1.0),
    st.floats(0.5, 0.7),
    st.floats(0.75, 0.99),
)
def test_pareto_explorer_agrees_with_pareto_everywhere(values, top, a, b):
    ex = widgets.ParetoExplorer(pd.Series(values))
    ex.controls["top"].value = top
    ex.controls["a"].value = a
    ex.controls["b"].value = b
    v = ex.values()
    assert ex.result["value_share"] == pareto.top_share(values, v["top"])
    abc = pareto.abc_summary(values, v["a"], v["b"])
    assert [ex.result[f"class_{c}_customers"] for c in "ABC"] == abc["customers"].tolist()
    assert abc["customers"].sum() == len(values)
    plt.close("all")


@settings(max_examples=8, deadline=None)
@given(
    st.floats(0, 5e4),
    st.floats(0, 0.99),
    st.floats(0, 0.5),
    st.floats(0, 5e4),
    st.integers(1, 30),
)
def test_clv_explorer_agrees_with_clv_everywhere(m, r, d, ac, h):
    ex = widgets.CLVCalculator(margin=m, retention=r, discount_rate=d, acquisition_cost=ac)
    ex.controls["horizon"].value = h
    v = ex.values()
    assert ex.result["clv"] == clv.retention_clv(**v)
    curve = ex.ax.lines[0].get_ydata()
    assert curve[0] == -v["acquisition_cost"] and len(curve) == h + 1
    assert curve[-1] == pytest.approx(ex.result["clv"])
    plt.close("all")


# ------------------------------------------------------------------ Customer 360 explorer
@pytest.fixture(scope="module")
def crm_db(tmp_path_factory):
    from rmlib import crm
    from rmlib.data import generate_case

    case = generate_case(n_customers=200, random_state=3)
    return crm.build_crm(tmp_path_factory.mktemp("crm") / "crm.sqlite", case)


def test_customer_360_follows_the_customer_id(crm_db):
    from rmlib import crm
    from rmlib.widgets import Customer360Explorer

    ex = Customer360Explorer(crm_db, customer_id=1)
    first = ex.output.value
    former = int(crm.run_query(crm_db, "SELECT customer_id FROM departures LIMIT 1").iloc[0, 0])
    ex.controls["customer_id"].value = former
    assert ex.output.value != first
    assert ex.result["customer_id"] == former and ex.result["left"] != "no (active)"
    reason = crm.run_query(crm_db, f"SELECT reason FROM departures WHERE customer_id = {former}")
    assert str(reason.iloc[0, 0]) in ex.output.value
    assert ex.result["purchases"] == len(crm.customer_360(crm_db, former)["purchases"])
    assert "Customer 360" in ex.static_text() and "interactive explorer" in ex.static_html()


def test_customer_360_rejects_a_bad_row_count(crm_db):
    from rmlib.widgets import Customer360Explorer

    with pytest.raises(ValueError, match="`rows` must be a whole number of at least 1; got 0"):
        Customer360Explorer(crm_db, rows=0)


# --- issue 17: explorers say where the settings are -----------------------------------


def test_level_chooser_says_the_band_and_how_far_the_next_boundary_is():
    """A small slider move changes the text: band limits and the distance to each boundary."""
    ex = widgets.RelationshipLevelChooser(n_customers=5_000, unit_margin=500)
    text = ex.output.value
    assert "'medium' band (1,000 to 100,000)" in html.unescape(text)
    assert "100,000 customers (20× as many)" in html.unescape(text)
    assert "'low' band (below 1,000 roubles)" in html.unescape(text)
    assert "1,000 roubles (2× as much)" in html.unescape(text)
    level = ex.result["level"]
    ex.controls["n_customers"].value = 6_310
    assert ex.result["level"] == level
    assert ex.output.value != text
    assert "16× as many" in html.unescape(ex.output.value)
    assert "few" in ex.summary() or "medium" in ex.summary()


def test_level_chooser_at_the_top_band_has_no_higher_boundary():
    ex = widgets.RelationshipLevelChooser(n_customers=2_000_000, unit_margin=50_000)
    text = html.unescape(ex.output.value)
    assert "'many' band (100,000 or more)" in text
    assert "'high' band (20,000 roubles or more)" in text
    assert "'medium' below 100,000 customers (20× fewer)" in text


def test_pareto_explorer_chart_follows_the_class_sliders():
    """Moving a class cut-off moves the cut-off line drawn on the chart."""
    values = pd.Series(np.random.default_rng(0).lognormal(8, 1.5, 300))
    ex = widgets.ParetoExplorer(values)

    def flat_lines():
        return {
            round(float(line.get_ydata()[0]), 3)
            for line in ex.ax.right_ax.lines
            if len(set(line.get_ydata())) == 1
        }

    assert 80.0 in flat_lines() and 95.0 in flat_lines()
    before = ex.image.value
    ex.controls["a"].value = 0.6
    assert 60.0 in flat_lines() and 80.0 not in flat_lines()
    assert ex.image.value != before
