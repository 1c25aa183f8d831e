"""Explorers driven from code: set a control, check the shown result and the figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from rmlib import plots, widgets

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- static fallback -----------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: widgets.ParetoExplorer(pd.Series([5.0, 3.0, 2.0])),
        lambda: widgets.CLVCalculator(),
        lambda: widgets.RelationshipLevelChooser(),
        lambda: widgets.LoyaltyProgramSimulator(pd.Series([1000.0, 5000.0])),
        lambda: widgets.RFMExplorer(
            pd.DataFrame({"r_score": [1], "f_score": [2], "segment": ["x"], "monetary": [1.0]})
        ),
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
    ex = widgets.CLVCalculator(margin=1000.0, retention=0.0, discount_rate=0.0)
    ex.controls["acquisition_cost"].value = 0.0
    ex.controls["horizon"].value = 1
    bundle = ex._repr_mimebundle_()
    assert "clv: 1,000" in bundle["text/plain"]
    assert "horizon=1" in bundle["text/plain"]
    assert "1\u2009000 roubles" in bundle["text/html"]
    assert "<li>horizon = 1</li>" in bundle["text/html"]


def test_bad_settings_show_the_library_message_not_a_traceback():
    ex = widgets.ParetoExplorer(pd.Series([5.0, 3.0, 2.0]))
    ex.controls["a_cut"].value = 0.9
    ex.controls["b_cut"].value = 0.7
    assert ex.result == {}
    assert "Cannot compute" in ex.output.value
    assert "`b_cut` (70%) must be above `a_cut` (90%)" in ex.output.value
    ex.controls["b_cut"].value = 0.95
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


def test_pareto_abc_classes_follow_cutoffs(values):
    ex = widgets.ParetoExplorer(values)
    ex.controls["a_cut"].value = 0.8
    ex.controls["b_cut"].value = 0.95
    abc = ex.abc.set_index("abc_class")
    # Value covered before each customer: 0, 30, 60, 70, 80, 85, 90, 94, 97, 99.
    # A starts before 80% (c0..c3), B before 95% (c4..c7), C the rest (c8, c9).
    assert abc["customers"].tolist() == [4, 4, 2]
    assert abc["value_share"].tolist() == pytest.approx([0.8, 0.17, 0.03])
    assert ex.result["class_A_customers"] == 4
    assert "class A" in ex.output.value and "4 customers (40%)" in ex.output.value
    ex.controls["a_cut"].value = 0.5
    assert ex.result["class_A_customers"] == 2


def test_pareto_top_share_rounds_up_to_whole_customers(values):
    table = widgets.ParetoExplorer.pareto_table(values)
    assert widgets.ParetoExplorer.top_share(table, 0.15) == pytest.approx(0.6)
    assert widgets.ParetoExplorer.top_share(table, 1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"`top` must be in \(0, 1\]"):
        widgets.ParetoExplorer.top_share(table, 0)


def test_pareto_input_checks_and_no_mutation(values):
    before = values.copy()
    widgets.ParetoExplorer(values)
    pd.testing.assert_series_equal(values, before)
    with pytest.raises(TypeError, match=r"`customer_value` must be a pandas Series"):
        widgets.ParetoExplorer(values.to_frame())
    with pytest.raises(ValueError, match=r"negative value"):
        widgets.ParetoExplorer(pd.Series([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"adds up to 0"):
        widgets.ParetoExplorer(pd.Series([0.0, 0.0]))


# --- CLV calculator ------------------------------------------------------------------


def test_clv_curve_by_hand():
    curve = widgets.CLVCalculator.value_curve(1000.0, 0.5, 0.1, 200.0, 3)
    expected = [-200.0, -200 + 1000 / 1.1, -200 + 1000 / 1.1 + 500 / 1.21]
    expected.append(expected[-1] + 250 / 1.331)
    assert curve["cumulative_value"].tolist() == pytest.approx(expected)
    assert curve["period"].tolist() == [0, 1, 2, 3]


def test_clv_sliders_update_value_and_curve():
    ex = widgets.CLVCalculator(
        margin=1000.0, retention=0.5, discount_rate=0.1, acquisition_cost=200.0, horizon=3
    )
    assert ex.result["clv"] == pytest.approx(1310.14, abs=0.01)
    assert ex.result["payback_year"] == 1
    assert "1\u2009310 roubles" in ex.output.value
    assert ex.ax.lines[0].get_ydata()[-1] == pytest.approx(1310.14, abs=0.01)
    ex.controls["retention"].value = 0.9
    higher = ex.result["clv"]
    assert higher > 1310.14
    ex.controls["acquisition_cost"].value = 5000.0
    assert ex.result["clv"] == pytest.approx(higher - 4800.0)
    assert ex.result["payback_year"] is None
    assert "not within the horizon" in ex.output.value
    ex.controls["horizon"].value = 10
    assert len(ex.ax.lines[0].get_ydata()) == 11


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        ({"retention": 80}, r"`retention` must be in \[0, 1\].*0.8, not 80"),
        ({"margin": -5}, r"`margin` must be in \[0, inf\)"),
        ({"horizon": 0}, r"`horizon` must be an integer >= 1"),
    ],
)
def test_clv_value_curve_bad_input(kwargs, msg):
    args = {
        "margin": 100.0,
        "retention": 0.5,
        "discount_rate": 0.1,
        "acquisition_cost": 0.0,
        "horizon": 3,
    }
    with pytest.raises(ValueError, match=msg):
        widgets.CLVCalculator.value_curve(**{**args, **kwargs})


# --- relationship-level chooser -------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "margin", "level"),
    [
        (500_000, 100, "basic"),
        (500_000, 5_000, "reactive"),
        (5_000, 5_000, "accountable"),
        (5_000, 50_000, "proactive"),
        (200, 50_000, "partnership"),
        (200, 100, "accountable"),
        (999, 999, "accountable"),  # just below both cuts: few, low
        (1_000, 1_000, "accountable"),  # on both cuts: medium, medium
    ],
)
def test_level_follows_kotlers_grid(n, margin, level):
    assert widgets.RelationshipLevelChooser.recommend(n, margin)["level"] == level


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
    assert r["roi"] == pytest.approx(r["net_effect"] / r["reward_cost"])
    assert r["members"] == 1.0


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


@pytest.fixture
def rfm():
    return pd.DataFrame(
        {
            "r_score": [5, 5, 4, 1, 1, 2],
            "f_score": [5, 5, 4, 1, 2, 1],
            "segment": ["champions", "champions", "loyal", "lost", "lost", "at risk"],
            "monetary": [1000.0, 800.0, 500.0, 50.0, 70.0, 200.0],
        }
    )


def test_rfm_segment_choice_updates_counts_and_heatmap(rfm):
    before = rfm.copy()
    ex = widgets.RFMExplorer(rfm)
    assert ex.result["customers"] == 6
    assert list(ex.controls["segment"].options) == [
        "all customers",
        "at risk",
        "champions",
        "lost",
        "loyal",
    ]
    ex.controls["segment"].value = "champions"
    assert ex.result["customers"] == 2
    assert ex.result["mean_monetary"] == pytest.approx(900.0)
    assert "2 (33% of all)" in ex.output.value
    grid = ex.matrix
    assert grid.loc[5, 5] == 2 and grid.to_numpy().sum() == 2
    assert list(grid.index) == [5, 4, 2, 1]
    assert ex.ax.images[0].get_array().sum() == 2
    ex.controls["cell_value"].value = "mean monetary value (roubles)"
    assert ex.matrix.loc[5, 5] == pytest.approx(900.0)
    assert "2 (33% of all)" in ex.output.value
    pd.testing.assert_frame_equal(rfm, before)


def test_rfm_input_checks(rfm):
    with pytest.raises(ValueError, match=r"no column 'r_score'. Available columns: 'R'"):
        widgets.RFMExplorer(rfm.rename(columns={"r_score": "R"}))
    ex = widgets.RFMExplorer(rfm)
    with pytest.raises(ValueError, match=r"`segment` 'vip' is not in the table"):
        ex.subset("vip")


# --- readiness assessment ------------------------------------------------------------


def test_readiness_sliders_find_the_blocking_level():
    ex = widgets.ReadinessAssessment()
    assert list(ex.controls) == list(plots.PYRAMID_LEVELS)
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


def test_readiness_assess_checks_ratings():
    with pytest.raises(ValueError, match=r"`ratings\['culture'\]` must be in \[0, 5\]"):
        widgets.ReadinessAssessment.assess({"strategy": 3, "culture": 9})
    with pytest.raises(TypeError, match=r"non-empty dict"):
        widgets.ReadinessAssessment.assess({})


# --- properties ------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1e6), min_size=1, max_size=40).filter(lambda v: sum(v) > 0),
    st.floats(0.3, 0.7),
    st.floats(0.75, 0.99),
)
def test_abc_classes_cover_everyone_once(values, a_cut, b_cut):
    table = widgets.ParetoExplorer.pareto_table(pd.Series(values))
    abc = widgets.ParetoExplorer.abc_summary(table, a_cut, b_cut)
    assert abc["customers"].sum() == len(values)
    assert abc["value_share"].sum() == pytest.approx(1.0)
    # Class A always holds the single most valuable customer and reaches the cut-off.
    assert abc["customers"].iloc[0] >= 1
    assert abc["value_share"].iloc[0] >= a_cut - 1e-9


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0, 1e5),
    st.floats(0, 0.99),
    st.floats(0, 0.5),
    st.floats(0, 1e5),
    st.integers(1, 30),
)
def test_clv_curve_starts_at_minus_acquisition_and_never_falls(m, r, d, ac, h):
    curve = widgets.CLVCalculator.value_curve(m, r, d, ac, h)
    v = curve["cumulative_value"].to_numpy()
    assert len(v) == h + 1 and v[0] == -ac
    assert (np.diff(v) >= 0).all()
    # Never more than the undiscounted margin of every year.
    assert v[-1] <= -ac + m * h + 1e-6


@given(st.lists(st.integers(0, 5), min_size=1, max_size=6))
def test_readiness_blocking_is_first_level_below_the_bar(ratings):
    levels = {f"level {i}": r for i, r in enumerate(ratings)}
    out = widgets.ReadinessAssessment.assess(levels)
    below = [name for name, r in levels.items() if r < widgets.ReadinessAssessment.IN_PLACE]
    assert out["blocking"] == (below[0] if below else None)
    assert out["levels_in_place"] == (list(levels).index(below[0]) if below else len(levels))
