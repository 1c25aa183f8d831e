"""The figures draw what they are given: bar heights, labels, levels and colours."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from rmlib import plots


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
    # Marker areas scale to the largest volume (10 -> 900).
    areas = sorted(float(c.get_sizes()[0]) for c in ax.collections if len(c.get_offsets()))
    assert areas == pytest.approx([90, 225, 450, 450, 900])


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


def test_nps_bar_widths_are_shares_in_percent():
    counts = pd.Series({"promoters": 30, "detractors": 10, "passives": 10})
    ax = plots.nps_breakdown(counts, nps=40)
    assert [p.get_width() for p in ax.patches] == pytest.approx([20, 20, 60])
    assert [p.get_x() for p in ax.patches] == pytest.approx([0, 20, 40])
    assert hexes(p.get_facecolor() for p in ax.patches) == [
        plots.OKABE_ITO["vermillion"].lower(),
        plots.OKABE_ITO["grey"].lower(),
        plots.OKABE_ITO["bluish_green"].lower(),
    ]
    assert ax.get_title() == "Net Promoter Score: +40 (n = 50)"
    assert [t.get_text() for t in ax.texts] == [
        "detractors\n20%",
        "passives\n20%",
        "promoters\n60%",
    ]
    assert "%" in ax.get_xlabel()


@pytest.mark.parametrize(
    ("counts", "nps", "msg"),
    [
        ({"detractors": 1, "passives": 1}, None, r"no entry 'promoters'"),
        ({"detractors": 0, "passives": 0, "promoters": 0}, None, r"add up to 0"),
        ({"detractors": -1, "passives": 1, "promoters": 1}, None, r"negative"),
        ({"detractors": 1, "passives": 1, "promoters": 1}, 0.3 * 1000, r"`nps` must be in"),
    ],
)
def test_nps_bad_input(counts, nps, msg):
    with pytest.raises(ValueError, match=msg):
        plots.nps_breakdown(counts, nps=nps)
