"""The figures draw what they are given: bar heights, labels, levels and colours."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from rmlib import loyalty, pareto, plots, relationship


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def hexes(colours):
    return [to_hex(c) for c in colours]


# --- palette ---------------------------------------------------------------


def test_palette_is_okabe_ito():
    """The categorical colours are the eight Okabe-Ito colours, each once."""
    assert len(plots.CATEGORICAL) == 8 == len(set(plots.CATEGORICAL))
    assert set(plots.CATEGORICAL) <= set(plots.OKABE_ITO.values())
    assert plots.OKABE_ITO["vermillion"] == "#D55E00"
    assert plots.OKABE_ITO["bluish_green"] == "#009E73"


def test_relationship_constants_come_from_the_analytics():
    """plots re-exports rmlib.relationship's constants: the same objects, not copies."""
    for name in (
        "RELATIONSHIP_LEVELS",
        "PYRAMID_LEVELS",
        "CUSTOMER_BANDS",
        "MARGIN_BANDS",
        "KOTLER_GRID",
    ):
        assert getattr(plots, name) is getattr(relationship, name)
        assert name in plots.__all__


def test_bad_ax_is_rejected():
    with pytest.raises(TypeError, match=r"`ax` must be a matplotlib Axes or None, got str"):
        plots.relationship_ladder(ax="left")


def test_given_ax_is_used_and_returned():
    fig, (a, b) = plt.subplots(1, 2)
    assert plots.relationship_ladder(ax=b) is b
    assert len(a.patches) == 0 and len(b.patches) == 5
    assert len(plt.get_fignums()) == 1


# --- relationship ladder -----------------------------------------------------


def test_ladder_has_five_rising_steps_with_level_names():
    ax = plots.relationship_ladder()
    assert [p.get_height() for p in ax.patches] == [1, 2, 3, 4, 5]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Basic",
        "Reactive",
        "Accountable",
        "Proactive",
        "Partnership",
    ]
    assert "sold and\nforgot" in ax.texts[0].get_text()
    assert "level 1\u20135" in ax.get_ylabel()


def test_ladder_highlight_colours_one_step():
    ax = plots.relationship_ladder(highlight="proactive")
    colours = hexes(p.get_facecolor() for p in ax.patches)
    accent = plots.OKABE_ITO["orange"].lower()
    assert colours.count(accent) == 1 and colours[3] == accent


def test_ladder_rejects_unknown_level():
    with pytest.raises(ValueError, match=r"`highlight` must be one of 'basic'.*got 'gold'"):
        plots.relationship_ladder(highlight="gold")


# --- implementation pyramid ----------------------------------------------------


READY = {
    "strategy": 0.9,
    "structure": 0.6,
    "business processes": 0.3,
    "culture": 0.2,
    "technology": 0.8,
}


def test_pyramid_without_readiness_has_five_levels_strategy_first():
    ax = plots.implementation_pyramid()
    assert len(ax.patches) == 5
    assert [p.get_label() for p in ax.patches][0] == "strategy"
    assert [p.get_label() for p in ax.patches][-1] == "technology"
    assert [t.get_text() for t in ax.texts][0] == "Strategy"


def test_pyramid_levels_narrow_upwards_and_shade_by_readiness():
    ax = plots.implementation_pyramid(READY)
    widths = [np.ptp(p.get_xy()[:, 0]) for p in ax.patches]
    assert widths == sorted(widths, reverse=True)
    cmap = plt.get_cmap(plots.SEQUENTIAL_CMAP)
    expected = [to_hex(cmap(v)) for v in READY.values()]
    assert hexes(p.get_facecolor() for p in ax.patches) == expected
    assert [t.get_text() for t in ax.texts] == [
        "Strategy: 90%",
        "Structure: 60%",
        "Business processes: 30%",
        "Culture: 20%",
        "Technology: 80%",
    ]


def test_pyramid_marks_the_blocking_level():
    ax = plots.implementation_pyramid(READY, blocking="business processes")
    edge = {p.get_label(): to_hex(p.get_edgecolor()) for p in ax.patches}
    assert edge["business processes"] == plots.OKABE_ITO["vermillion"].lower()
    assert edge["strategy"] == "#ffffff"
    assert "blocks progress" in [t.get_text() for t in ax.texts]


def test_pyramid_takes_any_number_of_levels_in_order():
    ax = plots.implementation_pyramid(pd.Series({"a": 0.0, "b": 1.0, "c": 0.5}))
    assert [p.get_label() for p in ax.patches] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("kwargs", "err", "msg"),
    [
        ({"readiness": {"strategy": 80}}, ValueError, r"readiness\['strategy'\].*0.8, not 80"),
        ({"readiness": [0.1, 0.2]}, TypeError, r"`readiness` must be a dict or pandas Series"),
        ({"readiness": {}}, ValueError, r"`readiness` is empty"),
        ({"blocking": "money"}, ValueError, r"`blocking` must be one of the levels"),
    ],
)
def test_pyramid_bad_input(kwargs, err, msg):
    with pytest.raises(err, match=msg):
        plots.implementation_pyramid(**kwargs)


def test_pyramid_does_not_modify_input():
    s = pd.Series(READY)
    before = s.copy()
    plots.implementation_pyramid(s)
    pd.testing.assert_series_equal(s, before)


# --- stakeholder map -----------------------------------------------------------


@pytest.fixture
def stakeholders():
    return pd.DataFrame(
        {
            "name": ["retail buyers", "store staff", "corporate clients", "bank", "suppliers"],
            "market": ["consumers", "personnel", "consumers", "partners", "suppliers"],
            "strength": [2.0, 4.0, 5.0, 1.0, 0.0],
            "volume": [10.0, 5.0, 2.5, 1.0, 5.0],
        }
    )


def test_stakeholder_map_draws_one_node_and_link_per_stakeholder(stakeholders):
    ax = plots.stakeholder_map(
        stakeholders,
        stakeholder_col="name",
        group_col="market",
        strength_col="strength",
        size_col="volume",
        centre="Far East Retail",
    )
    labels = [t.get_text() for t in ax.texts]
    assert labels[0] == "Far East Retail"
    assert sorted(labels[1:]) == sorted(stakeholders["name"])
    # Links are ordered by group; widths scale to the strongest (5 -> 5 points).
    widths = {ax.texts[i + 1].get_text(): line.get_linewidth() for i, line in enumerate(ax.lines)}
    assert widths["corporate clients"] == pytest.approx(5.0)
    assert widths["store staff"] == pytest.approx(4.0)
    # Marker areas grow with the square root of the volume, from 100 up to 900 for the
    # largest (10): 100 + 800 * sqrt(v / 10), so the smallest party stays visible.
    areas = sorted(float(c.get_sizes()[0]) for c in ax.collections if len(c.get_offsets()))
    expected = sorted(100 + 800 * np.sqrt(v / 10) for v in [10.0, 5.0, 2.5, 1.0, 5.0])
    assert areas == pytest.approx(expected)
    assert areas[0] == pytest.approx(100 + 800 * np.sqrt(0.1))


def test_stakeholder_map_colours_by_group(stakeholders):
    ax = plots.stakeholder_map(stakeholders, stakeholder_col="name", group_col="market")
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "consumers",
        "personnel",
        "partners",
        "suppliers",
    ]
    by_group = {
        t.get_text(): to_hex(h.get_facecolor()[0])
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    assert by_group["consumers"] == plots.CATEGORICAL[0].lower()
    assert by_group["personnel"] == plots.CATEGORICAL[1].lower()
    # One link per row, in the group's colour.
    line_colours = hexes(line.get_color() for line in ax.lines)
    assert line_colours == [by_group[g] for g in stakeholders["market"]]


def test_stakeholder_map_errors_name_the_column(stakeholders):
    with pytest.raises(ValueError, match=r"no column 'stakeholder'. Available columns: 'name'"):
        plots.stakeholder_map(stakeholders)
    bad = stakeholders.assign(strength=[1.0, -1.0, 2.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"'strength' of `stakeholders` has 1 negative"):
        plots.stakeholder_map(
            bad, stakeholder_col="name", group_col="market", strength_col="strength"
        )


def test_stakeholder_map_does_not_modify_input(stakeholders):
    before = stakeholders.copy()
    plots.stakeholder_map(
        stakeholders, stakeholder_col="name", group_col="market", strength_col="strength"
    )
    pd.testing.assert_frame_equal(stakeholders, before)


# --- NPS breakdown ---------------------------------------------------------------


def test_nps_bar_widths_are_the_analytics_shares_in_percent():
    # 3 promoters, 1 passive, 1 detractor: shares 0.2 / 0.2 / 0.6, NPS +40.
    result = loyalty.nps([10, 9, 9, 8, 2])
    ax = plots.nps_breakdown(result)
    assert [p.get_width() for p in ax.patches] == pytest.approx([20, 20, 60])
    assert [p.get_x() for p in ax.patches] == pytest.approx([0, 20, 40])
    assert hexes(p.get_facecolor() for p in ax.patches) == [
        plots.OKABE_ITO["vermillion"].lower(),
        plots.OKABE_ITO["grey"].lower(),
        plots.OKABE_ITO["bluish_green"].lower(),
    ]
    lo, hi = f"{result.ci_low:+.0f}", f"{result.ci_high:+.0f}"
    assert ax.get_title() == f"Net Promoter Score: +40, 95% interval [{lo}; {hi}] (n = 5)"
    assert [t.get_text() for t in ax.texts] == [
        "detractors\n20%",
        "passives\n20%",
        "promoters\n60%",
    ]
    assert "%" in ax.get_xlabel()


def test_nps_breakdown_takes_a_row_of_nps_by_group():
    surveys = pd.DataFrame({"store": ["a"] * 4 + ["b"] * 2, "nps": [10, 10, 6, 8, 3, 9]})
    table = loyalty.nps(surveys, by="store")
    ax = plots.nps_breakdown(table.loc["a"])
    assert [p.get_width() for p in ax.patches] == pytest.approx([25, 25, 50])
    # A by-group row carries its interval and level, like the overall result.
    lo, hi = table.loc["a", "ci_low"], table.loc["a", "ci_high"]
    assert ax.get_title() == (
        f"Net Promoter Score: +25, 95% interval [{lo:+.0f}; {hi:+.0f}] (n = 4)"
    )
    # Store a alone gives the same bar and title.
    alone = plots.nps_breakdown(loyalty.nps([10, 10, 6, 8]))
    assert alone.get_title() == ax.get_title()
    # Without its level the interval is still shown.
    bare = plots.nps_breakdown(table.loc["a"].drop("confidence"))
    assert bare.get_title() == f"Net Promoter Score: +25, interval [{lo:+.0f}; {hi:+.0f}] (n = 4)"
    # A plain dict without an interval is drawn too, with a shorter title.
    shares = {"detractors": 0.5, "passives": 0.0, "promoters": 0.5, "nps": 0.0, "n": 2}
    ax2 = plots.nps_breakdown(shares)
    assert ax2.get_title() == "Net Promoter Score: +0 (n = 2)"
    assert [p.get_width() for p in ax2.patches] == pytest.approx([50, 0, 50])


@pytest.mark.parametrize(
    ("result", "err", "msg"),
    [
        ({"detractors": 0.5, "passives": 0.5, "nps": 0, "n": 2}, ValueError, r"no 'promoters'"),
        (
            {"detractors": 0.5, "passives": 0.5, "promoters": 0.5, "nps": 0, "n": 2},
            ValueError,
            r"add up to 1.5, not 1",
        ),
        (
            {"detractors": 50, "passives": 0, "promoters": 50, "nps": 0, "n": 2},
            ValueError,
            r"`result\['detractors'\]` must be in \[0, 1\].*0.3, not 30",
        ),
        (
            {"detractors": 0.2, "passives": 0.2, "promoters": 0.6, "nps": 0.4, "n": 0},
            ValueError,
            r"`result\['n'\]` must be in \(0, inf\)",
        ),
        ([10, 9, 8], TypeError, r"must be the result of rmlib.loyalty.nps\(scores\)"),
    ],
)
def test_nps_bad_input(result, err, msg):
    with pytest.raises(err, match=msg):
        plots.nps_breakdown(result)


# --- Pareto, Lorenz, ABC -------------------------------------------------------------


@pytest.fixture
def pareto_table():
    return pareto.pareto_table(pd.Series([40.0, 25.0, 15.0, 10.0, 6.0, 4.0]))


def test_pareto_bars_are_shares_and_line_is_cumulative(pareto_table):
    ax = plots.pareto_chart(pareto_table, mark=0.8, mark_customers=0.5)
    assert [p.get_height() for p in ax.patches] == pytest.approx([40, 25, 15, 10, 6, 4])
    line = ax.right_ax.lines[0]
    assert line.get_ydata() == pytest.approx(100 * pareto_table["cum_share"].to_numpy())
    assert line.get_xdata() == pytest.approx(100 * np.arange(1, 7) / 6)
    # The 80% mark is a horizontal line at 80 on the cumulative axis.
    marks = [ln for ln in ax.right_ax.lines[1:] if set(ln.get_ydata()) == {80.0}]
    assert len(marks) == 1
    texts = [t.get_text() for t in ax.right_ax.texts]
    assert "80% of value" in texts and "50% of customers" in texts
    assert "%" in ax.get_ylabel() and "%" in ax.right_ax.get_ylabel()


def test_pareto_many_customers_draws_an_area(pareto_table):
    ax = plots.pareto_chart(pareto_table, max_bars=3)
    assert len(ax.patches) == 0 and len(ax.collections) == 1


def test_pareto_rejects_percentages_and_unsorted(pareto_table):
    with pytest.raises(ValueError, match=r"'share' of `table` must hold shares in \[0, 1\]"):
        plots.pareto_chart(pareto_table.assign(share=pareto_table["share"] * 100))
    with pytest.raises(ValueError, match=r"'cum_share' of `table` must not decrease"):
        plots.pareto_chart(pareto_table.iloc[::-1])
    with pytest.raises(ValueError, match=r"no column 'cum_customer_share'"):
        plots.pareto_chart(pareto_table.drop(columns="cum_customer_share"))
    with pytest.raises(ValueError, match=r"no column 'share'"):
        plots.pareto_chart(pareto_table.rename(columns={"share": "s"}))
    with pytest.raises(ValueError, match=r"`mark` must be in \[0, 1\]"):
        plots.pareto_chart(pareto_table, mark=80)


def test_pareto_chart_x_is_the_tables_share_of_customers():
    """The bars stand at the analytics' cumulative share of customers, not a recount."""
    table = pareto.pareto_table(pd.Series([1.0, 7.0, 2.0], index=["x", "y", "z"]))
    ax = plots.pareto_chart(table)
    assert ax.right_ax.lines[0].get_xdata() == pytest.approx(
        100 * table["cum_customer_share"].to_numpy()
    )
    assert [p.get_height() for p in ax.patches] == pytest.approx([70, 20, 10])


def test_lorenz_curve_draws_the_analytics_curve_and_gini():
    values = pd.Series([30.0, 10.0, 60.0])
    curve = pareto.lorenz_curve(values)
    ax = plots.lorenz_curve(curve, pareto.gini(values))
    assert ax.lines[0].get_ydata() == pytest.approx([0, 10, 40, 100])
    # Gini by hand: sorted 10, 30, 60; 2 * (1*10 + 2*30 + 3*60) / (3 * 100) - 4/3 = 0.3333.
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "Lorenz curve (Gini = 0.33)"


def test_abc_bars_are_the_analytics_summary():
    # 50, 30, 10, 5, 5: running shares including the customer .5 .8 .9 .95 1.0,
    # so A = 2 customers (80% of value), B = 2 (15%), C = 1 (5%).
    ax = plots.abc_classes(pareto.abc_summary(pd.Series([5.0, 50.0, 10.0, 30.0, 5.0])))
    assert [p.get_height() for p in ax.patches] == pytest.approx([40, 40, 20, 80, 15, 5])


def test_lorenz_curve_draws_points_and_gini_legend():
    curve = pd.DataFrame({"x": [0, 0.5, 0.9, 1.0], "y": [0, 0.1, 0.5, 1.0]})
    ax = plots.lorenz_curve(curve, 0.456, x_col="x", y_col="y")
    assert ax.lines[0].get_ydata() == pytest.approx([0, 10, 50, 100])
    assert list(ax.lines[1].get_xdata()) == [0, 100]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "Lorenz curve (Gini = 0.46)"
    with pytest.raises(ValueError, match=r"`gini` must be in \[0, 1\]"):
        plots.lorenz_curve(curve, 46, x_col="x", y_col="y")


def test_abc_bars_and_labels():
    s = pd.DataFrame({"cls": ["A", "B", "C"], "cust": [0.1, 0.3, 0.6], "val": [0.7, 0.2, 0.1]})
    ax = plots.abc_classes(s, class_col="cls", customer_share_col="cust", value_share_col="val")
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([10, 30, 60, 70, 20, 10])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["class A", "class B", "class C"]
    assert hexes(p.get_facecolor() for p in ax.patches)[3] == plots.OKABE_ITO["blue"].lower()


# --- heatmaps ------------------------------------------------------------------------


def test_rfm_heatmap_shows_each_cell():
    m = pd.DataFrame([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], index=[1, 2], columns=[1, 2, 3])
    ax = plots.rfm_heatmap(m, value_label="mean monetary value (roubles)", fmt=".1f")
    assert ax.images[0].get_array().tolist() == m.to_numpy().tolist()
    assert [t.get_text() for t in ax.texts] == ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert "recency" in ax.get_ylabel() and "frequency" in ax.get_xlabel()
    assert ax.images[0].get_cmap().name == plots.SEQUENTIAL_CMAP
    cbar_ax = ax.figure.axes[-1]
    assert cbar_ax.get_ylabel() == "mean monetary value (roubles)"


def test_cohort_heatmap_percent_cells_and_gaps():
    r = pd.DataFrame({0: [1.0, 1.0], 1: [0.25, np.nan]}, index=["2024-01", "2024-02"])
    ax = plots.cohort_heatmap(r, unit="weeks")
    assert [t.get_text() for t in ax.texts] == ["100%", "25%", "100%"]
    assert ax.get_xlabel() == "weeks since first purchase"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2024-01", "2024-02"]
    assert ax.images[0].norm.vmin == 0 and ax.images[0].norm.vmax == 1


@pytest.mark.parametrize(
    ("bad", "err", "msg"),
    [
        (pd.DataFrame({0: [100.0]}), ValueError, r"shares in \[0, 1\].*0.4 for 40%"),
        (pd.DataFrame({0: ["a"]}), TypeError, r"must be numeric; column 0"),
        ([[0.1]], TypeError, r"`retention` must be a pandas DataFrame, got list"),
        (pd.DataFrame(), ValueError, r"`retention` is empty"),
    ],
)
def test_cohort_heatmap_bad_input(bad, err, msg):
    with pytest.raises(err, match=msg):
        plots.cohort_heatmap(bad)


# --- CLV -------------------------------------------------------------------------------


def test_clv_distribution_counts_every_customer():
    values = pd.Series([100.0, 150.0, 5000.0, 5200.0, 9000.0])
    ax = plots.clv_distribution(values, bins=3)
    assert sum(p.get_height() for p in ax.patches) == 5
    assert "roubles" in ax.get_xlabel()
    with pytest.raises(ValueError, match=r"missing or infinite"):
        plots.clv_distribution([1.0, np.nan])
    with pytest.raises(ValueError, match=r"non-empty 1-D"):
        plots.clv_distribution([])


def test_clv_by_segment_largest_first():
    s = pd.DataFrame({"seg": ["lost", "champions", "B2B"], "clv": [-100.0, 8000.0, 50000.0]})
    ax = plots.clv_by_segment(s, segment_col="seg", value_col="clv")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B2B", "champions", "lost"]
    assert [p.get_width() for p in ax.patches] == [50000.0, 8000.0, -100.0]
    # A negative CLV is shown in the alert colour.
    assert to_hex(ax.patches[2].get_facecolor()) == plots.OKABE_ITO["vermillion"].lower()
    assert ax.get_xlabel() == "clv (roubles)"
    with pytest.raises(TypeError, match=r"column 'seg' of `summary` must be numeric"):
        plots.clv_by_segment(s, segment_col="clv", value_col="seg")


def test_clv_by_segment_docstring_names_a_per_segment_input():
    doc = plots.clv_by_segment.__doc__
    assert "One row per segment" in doc and "discounted_clv" in doc
    assert "e.g. from :func:`rmlib.rfm.clv_summary`" not in doc


def test_cumulative_clv_line_and_payback_shading():
    c = pd.DataFrame({"t": [0, 1, 2, 3], "v": [-1000.0, -200.0, 500.0, 900.0]})
    ax = plots.cumulative_clv(c, period_col="t", value_col="v", unit="months")
    assert list(ax.lines[0].get_ydata()) == [-1000.0, -200.0, 500.0, 900.0]
    assert ax.get_xlabel() == "months since acquisition"
    assert ax.texts[0].get_text() == "900 roubles"
    fills = [to_hex(c.get_facecolor()[0]) for c in ax.collections]
    assert fills == [plots.OKABE_ITO["vermillion"].lower(), plots.OKABE_ITO["bluish_green"].lower()]


# --- loyalty ---------------------------------------------------------------------------


def _loyalty_table(counts):
    n = sum(counts.values())
    return pd.DataFrame(
        {"customers": list(counts.values()), "share": [c / n for c in counts.values()]},
        index=pd.Index(list(counts), name="loyalty"),
    )


def test_loyalty_matrix_cells():
    counts = {"true loyalty": 5, "latent loyalty": 15, "spurious loyalty": 30, "no loyalty": 50}
    ax = plots.loyalty_matrix(_loyalty_table(counts))
    texts = {t.get_text().split("\n")[0]: t for t in ax.texts}
    assert texts["true loyalty"].get_position() == (1.5, 1.5)
    assert texts["no loyalty"].get_position() == (0.5, 0.5)
    assert texts["latent loyalty"].get_position() == (0.5, 1.5)
    assert texts["spurious loyalty"].get_text() == "spurious loyalty\n30 customers (30%)"
    assert len(ax.patches) == 4
    assert ax.get_title() == "Loyalty matrix (Dick & Basu), n = 100"
    with pytest.raises(ValueError, match=r"no row 'true loyalty'. It has: 'loyal'"):
        plots.loyalty_matrix(_loyalty_table({"loyal": 3}))
    with pytest.raises(TypeError, match=r"rmlib.loyalty.loyalty_matrix"):
        plots.loyalty_matrix(counts)


def test_loyalty_matrix_draws_the_analytics_classes():
    """Counts and shares in the cells are the ones rmlib.loyalty.loyalty_matrix found."""
    df = pd.DataFrame({"att": [9, 9, 9, 2, 2, 9, 2, 2], "buys": [5, 5, 1, 5, 1, 1, 1, 1]})
    m = loyalty.loyalty_matrix(df, "att", "buys", 5, 3)
    # true: 2 (att 9, buys 5); latent: 2; spurious: 1; no loyalty: 3.
    assert set(plots._LOYALTY_CELLS) == set(loyalty.LOYALTY_CLASSES)
    ax = plots.loyalty_matrix(m, attitude="NPS answer", behaviour="purchases")
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == [
        "latent loyalty\n2 customers (25%)",
        "no loyalty\n3 customers (38%)",
        "spurious loyalty\n1 customers (12%)",
        "true loyalty\n2 customers (25%)",
    ]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("purchases", "NPS answer")


def test_program_uplift_interval_and_verdict():
    ax = plots.program_uplift({"uplift": 50.0, "ci_low": -10.0, "ci_high": 110.0})
    line = ax.lines[0]
    assert list(line.get_ydata()) == [50.0]
    segs = ax.collections[0].get_segments()
    assert segs[0][:, 1].tolist() == [-10.0, 110.0]
    assert "interval includes zero" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["uplift\n(interval)"]
    ax2 = plots.program_uplift(
        {
            "uplift": 50.0,
            "ci_low": 20.0,
            "ci_high": 80.0,
            "control_mean": 900.0,
            "treatment_mean": 950.0,
            "confidence": 0.9,
        }
    )
    assert [p.get_height() for p in ax2.patches] == [900.0, 950.0]
    assert "uplift above zero" in ax2.get_title()
    assert ax2.get_xticklabels()[-1].get_text() == "uplift\n(90% interval)"


def test_program_uplift_draws_the_analytics_result():
    """Estimate, Welch interval and group means all come from relationship.program_uplift."""
    df = pd.DataFrame(
        {"group": ["treatment"] * 3 + ["control"] * 3, "margin": [4.0, 6.0, 8.0, 1.0, 2.0, 3.0]}
    )
    r = relationship.program_uplift(df, outcome_col="margin")
    ax = plots.program_uplift(r, unit="margin in the first year (roubles)")
    assert [p.get_height() for p in ax.patches] == [2.0, 6.0]
    assert list(ax.lines[0].get_ydata()) == [4.0]
    assert ax.collections[0].get_segments()[0][:, 1].tolist() == pytest.approx(
        [r.ci_low, r.ci_high]
    )
    assert ax.get_ylabel() == "margin in the first year (roubles)"
    assert len(plots.program_uplift(r, show_means=False).patches) == 0


def test_program_uplift_keeps_decimals_of_small_outcomes():
    """An uplift of 0.46 repeat purchases is not rounded to 0 in the title."""
    result = {"uplift": 0.4629, "ci_low": 0.0863, "ci_high": 0.8394}
    ax = plots.program_uplift(result, unit="repeat purchases in 52 weeks")
    assert ax.get_title() == "Program uplift: 0.46 [0.09; 0.84], uplift above zero"
    big = {"uplift": 1500.0, "ci_low": -68.7, "ci_high": 3200.0}
    title = plots.program_uplift(big).get_title()
    assert (
        title == "Program uplift: 1\u2009500 [-69; 3\u2009200], interval includes zero: not proven"
    )


@pytest.mark.parametrize(
    ("result", "err", "msg"),
    [
        ({"uplift": 50.0, "ci_low": 60.0, "ci_high": 80.0}, ValueError, r"must contain the"),
        ({"uplift": 50.0, "ci_low": 20.0}, ValueError, r"`result` has no 'ci_high'"),
        (
            {"uplift": 50.0, "ci_low": 20.0, "ci_high": 80.0, "confidence": 95},
            ValueError,
            r"`result\['confidence'\]` must be in \(0, 1\]",
        ),
        ((50.0, 20.0, 80.0), TypeError, r"result of rmlib.relationship.program_uplift"),
    ],
)
def test_program_uplift_bad_input(result, err, msg):
    with pytest.raises(err, match=msg):
        plots.program_uplift(result)


# --- Kotler's grid and program economics -------------------------------------------------


def test_kotler_grid_cells_follow_kotler():
    ax = plots.kotler_grid()
    assert len(ax.patches) == 9
    cell = {}
    for t in ax.texts:
        x, y = t.get_position()
        cell[(round(x - 0.5), round(y - 0.72))] = t.get_text()
    # x: margin low/medium/high; y: customers few/medium/many
    assert cell[(0, 2)] == "Basic"  # many customers, low margin
    assert cell[(2, 0)] == "Partnership"  # few customers, high margin
    assert cell[(1, 1)] == "Accountable"
    assert cell[(2, 1)] == "Proactive" and cell[(0, 1)] == "Reactive"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["low", "medium", "high"]
    assert "roubles" in ax.get_xlabel()


def test_kotler_grid_places_points_in_their_cells():
    arms = pd.DataFrame({"name": ["B2C", "B2B"], "c": ["many", "few"], "m": ["low", "high"]})
    ax = plots.kotler_grid(arms, label_col="name", customers_band_col="c", margin_band_col="m")
    offsets = [c.get_offsets()[0].tolist() for c in ax.collections]
    assert offsets == [[0.5, 2.35], [2.5, 0.35]]
    assert [t.get_text() for t in ax.texts[9:]] == ["B2C", "B2B"]
    with pytest.raises(ValueError, match=r"column 'c' of `points` must hold 'few'.*found 'lots'"):
        plots.kotler_grid(
            arms.assign(c=["lots", "few"]),
            label_col="name",
            customers_band_col="c",
            margin_band_col="m",
        )


def test_program_economics_waterfall():
    ax = plots.program_economics(100_000.0, 150_000.0)
    assert [p.get_height() for p in ax.patches] == [100_000.0, -150_000.0, -50_000.0]
    assert ax.patches[1].get_y() == 100_000.0
    assert to_hex(ax.patches[2].get_facecolor()) == plots.OKABE_ITO["vermillion"].lower()
    assert ax.get_ylabel() == "roubles"
    with pytest.raises(ValueError, match=r"`reward_cost` must be in \[0, inf\)"):
        plots.program_economics(1.0, -5.0)
    # The margin by name, as before.
    ax2 = plots.program_economics(incremental_margin=100_000.0, reward_cost=150_000.0)
    assert [p.get_height() for p in ax2.patches] == [100_000.0, -150_000.0, -50_000.0]


def test_program_economics_draws_the_analytics_result():
    # Two customers, 10,000 and 30,000 roubles a year; half join and spend 10% more;
    # relationship.program_economics: rewards 1,512.5, margin 600, net -912.5 roubles.
    result = relationship.program_economics(
        [10_000, 30_000],
        0.05,
        silver=20_000,
        participation=0.5,
        uplift=0.1,
        margin_rate=0.3,
        breakage=0.0,
    )
    ax = plots.program_economics(result)
    assert [p.get_height() for p in ax.patches] == pytest.approx([600.0, -1512.5, -912.5])
    assert "912" in ax.texts[2].get_text() and ax.texts[2].get_text().startswith(("-", "\u2212"))
    # The net bar is the result's net effect as given (here a Series), not recomputed.
    given_net = pd.Series({"incremental_margin": 600.0, "reward_cost": 1512.5, "net_effect": -1.0})
    assert plots.program_economics(given_net).patches[2].get_height() == -1.0


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (({"incremental_margin": 1.0, "reward_cost": 1.0},), {}, ValueError, r"no 'net_effect'"),
        (("lots",), {}, TypeError, r"`result` must be the result of rmlib.relationship"),
        ((5_000.0,), {}, TypeError, r"`reward_cost` is missing"),
        ((), {}, TypeError, r"`result` is missing"),
        (({"x": 1},), {"incremental_margin": 5.0}, TypeError, r"either `result` or"),
        (
            ({"incremental_margin": 1.0, "reward_cost": -2.0, "net_effect": 3.0},),
            {},
            ValueError,
            r"`result\['reward_cost'\]` must be in \[0, inf\)",
        ),
    ],
)
def test_program_economics_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.program_economics(*args, **kwargs)


# --- every figure: draws on the given axes, returns it, labels it -----------------------

_SHARES = pareto.pareto_table([6.0, 4.0])
_CALLS = {
    "relationship_ladder": lambda ax: plots.relationship_ladder(ax=ax),
    "kotler_grid": lambda ax: plots.kotler_grid(ax=ax),
    "implementation_pyramid": lambda ax: plots.implementation_pyramid(READY, ax=ax),
    "stakeholder_map": lambda ax: plots.stakeholder_map(
        pd.DataFrame({"stakeholder": ["a"], "group": ["g"]}), ax=ax
    ),
    "nps_breakdown": lambda ax: plots.nps_breakdown(loyalty.nps([0, 7, 10]), ax=ax),
    "pareto_chart": lambda ax: plots.pareto_chart(_SHARES, ax=ax),
    "lorenz_curve": lambda ax: plots.lorenz_curve(
        pd.DataFrame({"customer_share": [0, 1], "value_share": [0, 1]}), 0.0, ax=ax
    ),
    "abc_classes": lambda ax: plots.abc_classes(
        pd.DataFrame({"abc_class": ["A"], "customer_share": [1.0], "value_share": [1.0]}), ax=ax
    ),
    "rfm_heatmap": lambda ax: plots.rfm_heatmap(pd.DataFrame({1: [1.0]}, index=[1]), ax=ax),
    "cohort_heatmap": lambda ax: plots.cohort_heatmap(pd.DataFrame({0: [1.0]}), ax=ax),
    "clv_distribution": lambda ax: plots.clv_distribution([1.0, 2.0], ax=ax),
    "clv_by_segment": lambda ax: plots.clv_by_segment(
        pd.DataFrame({"segment": ["x"], "clv_mean": [1.0]}), ax=ax
    ),
    "cumulative_clv": lambda ax: plots.cumulative_clv(
        pd.DataFrame({"period": [0, 1], "cumulative_value": [-1.0, 1.0]}), ax=ax
    ),
    "loyalty_matrix": lambda ax: plots.loyalty_matrix(
        _loyalty_table(dict.fromkeys(loyalty.LOYALTY_CLASSES, 1)), ax=ax
    ),
    "program_uplift": lambda ax: plots.program_uplift(
        {"uplift": 1.0, "ci_low": 0.0, "ci_high": 2.0}, ax=ax
    ),
    "program_economics": lambda ax: plots.program_economics(2.0, 1.0, ax=ax),
    "profitability_pyramid": lambda ax: plots.profitability_pyramid(
        pd.DataFrame({"customer_share": [0.2, 0.8], "profit_share": [0.7, 0.3]}), ax=ax
    ),
}


def test_every_public_figure_is_covered():
    public = {n for n in plots.__all__ if n[0].islower()}
    assert public == set(_CALLS)


@pytest.mark.parametrize("name", sorted(_CALLS))
def test_figure_draws_on_given_axes_and_labels_it(name):
    fig, ax = plt.subplots()
    assert _CALLS[name](ax) is ax
    assert ax.get_title(), f"{name} has no title"
    assert ax.figure is fig and len(plt.get_fignums()) == 1
    labelled = ax.get_xlabel() or ax.get_ylabel() or name == "stakeholder_map"
    assert labelled, f"{name} has no axis label"


# --- properties ----------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.01, 1e6), min_size=1, max_size=30))
def test_pareto_bars_always_equal_input_shares(values):
    v = np.sort(np.array(values))[::-1]
    share = v / v.sum()
    ax = plots.pareto_chart(pareto.pareto_table(values))
    assert [p.get_height() for p in ax.patches] == pytest.approx(100 * share)
    plt.close(ax.figure)


# --- readability: nothing overlaps, clips or disappears (issue 17) ---------------------


def _extent(artist, renderer):
    return artist.get_window_extent(renderer)


def _case_like_revenue(n=5000, seed=0):
    """A long-tailed revenue per customer, like the case's shoppers and corporate clients."""
    rng = np.random.default_rng(seed)
    return pd.Series(rng.lognormal(8, 1.5, n)).rename_axis("customer_id")


def test_pareto_chart_bars_of_a_typical_customer_are_visible():
    """The median customer's bar reaches a fifth of the axes' height, not a pixel."""
    table = pareto.pareto_table(_case_like_revenue())
    ax = plots.pareto_chart(table)
    ax.figure.canvas.draw()
    median_share = 100 * float(table["share"].median())
    _, y_pix = ax.transData.transform((50, median_share))
    _, bottom = ax.transAxes.transform((0, 0))
    _, top = ax.transAxes.transform((0, 1))
    assert (y_pix - bottom) / (top - bottom) > 0.2


def test_pareto_chart_axes_say_which_series_they_belong_to():
    """Each y-axis's ticks and label take the colour of its series, and a legend names the axis."""
    table = pareto.pareto_table(_case_like_revenue(50))
    ax = plots.pareto_chart(table)
    right = ax.right_ax
    bar_colour = to_hex(ax.patches[0].get_facecolor())
    line_colour = to_hex(right.lines[0].get_color())
    assert bar_colour != line_colour
    assert to_hex(ax.yaxis.label.get_color()) == bar_colour
    assert to_hex(right.yaxis.label.get_color()) == line_colour
    assert {to_hex(t.get_color()) for t in ax.get_yticklabels()} == {bar_colour}
    assert {to_hex(t.get_color()) for t in right.get_yticklabels()} == {line_colour}
    legend = right.get_legend() or ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("left axis" in t for t in texts) and any("right axis" in t for t in texts)


def test_pareto_chart_draws_the_abc_cut_offs_it_is_given():
    """With classes=(a, b) the chart marks both cut-offs and labels the three classes."""
    table = pareto.pareto_table(_case_like_revenue(500))
    ax = plots.pareto_chart(table, classes=(0.7, 0.9))
    ys = sorted(
        round(float(line.get_ydata()[0]), 6)
        for line in ax.right_ax.lines[1:]
        if len(set(line.get_ydata())) == 1
    )
    assert 70.0 in ys and 90.0 in ys
    labels = " ".join(t.get_text() for t in ax.right_ax.texts)
    assert "A" in labels and "B" in labels and "C" in labels
    with pytest.raises(ValueError, match=r"`classes`"):
        plots.pareto_chart(table, classes=(0.9, 0.7))


def test_stakeholder_map_markers_are_visible_for_every_group():
    """A group of 3 parties beside one of 5,000 still gets a marker a reader can see."""
    table = pd.DataFrame(
        {
            "stakeholder": ["shoppers", "corporate clients", "banks", "investors", "staff"],
            "group": ["consumers", "consumers", "owners", "owners", "employees"],
            "parties": [4850, 150, 3, 2, 400],
        }
    )
    ax = plots.stakeholder_map(table, size_col="parties")
    sizes = [float(c.get_sizes()[0]) for c in ax.collections if len(c.get_offsets())]
    assert len(sizes) == 5
    assert min(sizes) >= 80
    # Larger groups still get larger markers: area grows with the square root of parties.
    parties = table["parties"].to_numpy(dtype=float)
    assert sorted(sizes) == pytest.approx(sorted(100 + 800 * np.sqrt(parties / parties.max())))
    edges = {to_hex(c.get_edgecolor()[0]) for c in ax.collections if len(c.get_offsets())}
    assert "#ffffff" not in edges


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plots.program_economics(500_000, 300_000),
        lambda: plots.program_economics(100_000, 400_000),
        lambda: plots.cumulative_clv(
            pd.DataFrame({"period": range(11), "cumulative_value": np.linspace(-3e3, 9e4, 11)})
        ),
    ],
    ids=["economics-gain", "economics-loss", "clv-curve"],
)
def test_value_labels_do_not_overlap_the_title(draw):
    """Every value label lies inside the axes and clear of the title."""
    ax = draw()
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.canvas.draw()
    title = _extent(ax.title, renderer)
    box = ax.get_window_extent(renderer)
    assert ax.texts
    for t in ax.texts:
        e = _extent(t, renderer)
        assert not e.overlaps(title), t.get_text()
        assert e.y1 <= box.y1 + 1 and e.y0 >= box.y0 - 1, t.get_text()


@pytest.mark.parametrize("figsize", [(7.0, 5.0), (5.5, 4.0)])
def test_pyramid_labels_are_readable_at_every_level(figsize):
    """A level's label fits inside its band, or sits beside it in black; never cut."""
    fig, ax = plt.subplots(figsize=figsize)
    ready = dict.fromkeys(relationship.PYRAMID_LEVELS, 1.0)
    plots.implementation_pyramid(ready, ax=ax)
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    box = ax.get_window_extent(renderer)
    for patch, level in zip(ax.patches, relationship.PYRAMID_LEVELS, strict=True):
        label = next(t for t in ax.texts if t.get_text().lower().startswith(level))
        e = _extent(label, renderer)
        assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1, label.get_text()
        y = (e.y0 + e.y1) / 2
        # the shape's half width at the label's height (a trapezoid in display space)
        verts = patch.get_transform().transform(patch.get_xy()[:4])
        (xl0, yl0), (xr0, _), (xr1, yl1), (xl1, _) = verts
        frac = (y - yl0) / (yl1 - yl0)
        left, right = xl0 + frac * (xl1 - xl0), xr0 + frac * (xr1 - xr0)
        inside = left <= e.x0 and e.x1 <= right
        outside = e.x1 <= left + 1 or e.x0 >= right - 1
        beside = outside and to_hex(label.get_color()) == "#000000"
        assert inside or beside, label.get_text()


def test_cohort_colour_bar_is_in_percent_like_the_cells():
    """The colour bar's ticks read 0%..100%, as its label and the cells do."""
    r = pd.DataFrame({0: [1.0, 1.0], 1: [0.4, 0.5]}, index=["2024-01", "2024-02"])
    ax = plots.cohort_heatmap(r)
    bar = ax.images[0].colorbar
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in bar.ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks), ticks
    assert "100%" in ticks
