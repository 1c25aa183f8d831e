"""Relationship levels, program uplift and ROI, margin by group, implementation readiness."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rmlib import plots, relationship, widgets
from rmlib.datasets import load_case

LEVELS = [name for name, _ in relationship.RELATIONSHIP_LEVELS]


@pytest.fixture(scope="module")
def case():
    return load_case()


@pytest.fixture(scope="module")
def outcomes(case):
    return relationship.program_outcomes(case.transactions, case.loyalty)


# ---------------------------------------------------------------------------
# constants
# ---------------------------------------------------------------------------


def test_constants_are_the_ones_the_figures_use():
    assert relationship.RELATIONSHIP_LEVELS == plots.RELATIONSHIP_LEVELS
    assert relationship.PYRAMID_LEVELS == plots.PYRAMID_LEVELS
    assert relationship.CUSTOMER_BANDS == plots.CUSTOMER_BANDS
    assert relationship.MARGIN_BANDS == plots.MARGIN_BANDS
    assert relationship.KOTLER_GRID == plots.KOTLER_GRID
    assert relationship.CUSTOMER_CUTS == widgets.RelationshipLevelChooser.CUSTOMER_CUTS
    assert relationship.MARGIN_CUTS == widgets.RelationshipLevelChooser.MARGIN_CUTS
    assert set(relationship.LEVEL_NAMES_RU) == set(LEVELS)
    assert set(relationship.PYRAMID_LEVELS_RU) == set(relationship.PYRAMID_LEVELS)


def test_kotler_grid_is_complete_and_steps_by_one_level():
    grid = relationship.KOTLER_GRID
    bands = relationship.CUSTOMER_BANDS
    assert set(grid) == {(c, m) for c in bands for m in relationship.MARGIN_BANDS}
    for i, c in enumerate(bands):
        for j, m in enumerate(relationship.MARGIN_BANDS):
            # few customers (i = 0) and a low margin (j = 0) give "accountable" (index 2)
            assert LEVELS.index(grid[(c, m)]) == 2 - i + j


# ---------------------------------------------------------------------------
# recommended level
# ---------------------------------------------------------------------------


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
        (100_000, 20_000, "accountable"),  # on the upper cuts: many, high
    ],
)
def test_level_follows_kotlers_grid(n, margin, level):
    assert relationship.recommend_level(n, margin)["level"] == level


def test_recommendation_carries_bands_and_reason():
    r = relationship.recommend_level(200_000, 100)
    assert r == {
        "level": "basic",
        "customers_band": "many",
        "margin_band": "low",
        "reason": "200,000 customers is 'many' and a margin of 100 roubles per unit is 'low'; "
        "Kotler's grid recommends a basic relationship (sold and forgot).",
    }


def test_custom_cuts_move_the_bands():
    assert relationship.recommend_level(5_000, 500)["level"] == "reactive"
    r = relationship.recommend_level(
        5_000, 500, customer_cuts=(10_000, 1e6), margin_cuts=(100, 400)
    )
    assert (r["customers_band"], r["margin_band"], r["level"]) == ("few", "high", "partnership")


@settings(max_examples=100, deadline=None)
@given(st.floats(1, 1e7), st.floats(0, 1e6))
def test_same_recommendation_as_the_explorer(n, margin):
    assert relationship.recommend_level(n, margin) == widgets.RelationshipLevelChooser.recommend(
        n, margin
    )


@settings(max_examples=100, deadline=None)
@given(st.floats(1, 1e7), st.floats(0, 1e6), st.floats(0, 1e6))
def test_level_rises_with_margin_and_falls_with_customers(n, m1, m2):
    low, high = sorted([m1, m2])
    a = LEVELS.index(relationship.recommend_level(n, low)["level"])
    b = LEVELS.index(relationship.recommend_level(n, high)["level"])
    assert a <= b
    more = LEVELS.index(relationship.recommend_level(n * 10, high)["level"])
    assert more <= b


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((0, 100), {}, r"`n_customers` must be in \(0, inf\), got 0"),
        ((100, -5), {}, r"`unit_margin` must be in \[0, inf\), got -5"),
        ((100, 5), {"customer_cuts": (500, 100)}, r"`customer_cuts` must be two increasing"),
        ((100, 5), {"margin_cuts": (0, 100)}, r"`margin_cuts` must be two increasing positive"),
        ((100, 5), {"margin_cuts": 1000}, r"`margin_cuts` must be two increasing"),
    ],
)
def test_recommend_level_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        relationship.recommend_level(*args, **kwargs)


def test_recommend_level_rejects_text():
    with pytest.raises(TypeError, match=r"`n_customers` must be a number, got str"):
        relationship.recommend_level("many", 100)


def test_recommend_levels_matches_the_scalar_form_and_copies():
    groups = pd.DataFrame(
        {"arm": ["a", "b", "c"], "n": [200.0, 5_000.0, 2e6], "m": [50_000.0, 500.0, 10.0]}
    )
    before = groups.copy()
    out = relationship.recommend_levels(groups, n_customers_col="n", unit_margin_col="m")
    pd.testing.assert_frame_equal(groups, before)
    assert list(out.columns) == list(groups.columns) + [
        "customers_band",
        "margin_band",
        "level",
        "reason",
    ]
    for _, row in out.iterrows():
        assert relationship.recommend_level(row["n"], row["m"]) == {
            k: row[k] for k in ("level", "customers_band", "margin_band", "reason")
        }
    # what the grid figure takes
    plots.kotler_grid(out.rename(columns={"arm": "label"}))


@pytest.mark.parametrize(
    ("frame", "error", "match"),
    [
        (pd.DataFrame({"customers": [10]}), ValueError, r"no column 'margin_per_transaction'"),
        (
            pd.DataFrame({"customers": [0], "margin_per_transaction": [1.0]}),
            ValueError,
            r"column 'customers' of `groups` must be > 0",
        ),
        (
            pd.DataFrame({"customers": [5], "margin_per_transaction": [-1.0]}),
            ValueError,
            r"column 'margin_per_transaction' of `groups` must be >= 0",
        ),
        (
            pd.DataFrame({"customers": [5], "margin_per_transaction": [np.nan]}),
            ValueError,
            r"column 'margin_per_transaction' of `groups` has 1 missing value",
        ),
        (
            pd.DataFrame({"customers": ["5"], "margin_per_transaction": [1.0]}),
            TypeError,
            r"column 'customers' of `groups` must hold numbers",
        ),
        (
            pd.DataFrame({"customers": [], "margin_per_transaction": []}),
            ValueError,
            r"`groups` is empty",
        ),
    ],
)
def test_recommend_levels_errors(frame, error, match):
    with pytest.raises(error, match=match):
        relationship.recommend_levels(frame)


def test_case_arms_get_different_levels(case):
    """B2C: thousands of shoppers, small margin; B2B: a hundred clients, large orders."""
    arms = relationship.margin_by_group(case.transactions, case.customers, by="segment")
    levels = relationship.recommend_levels(arms)["level"]
    assert levels.to_dict() == {"B2B": "partnership", "B2C": "reactive"}
    assert levels["B2B"] != levels["B2C"]
    # The arms' figures, independently of the library.
    seg = case.transactions["customer_id"].map(case.customers.set_index("customer_id")["segment"])
    per_tx = case.transactions.groupby(seg)["margin"].mean()
    np.testing.assert_allclose(arms["margin_per_transaction"], per_tx.reindex(arms.index))


# ---------------------------------------------------------------------------
# program outcomes and uplift
# ---------------------------------------------------------------------------


def _log():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2, 3],
            "timestamp": pd.to_datetime(
                [
                    "2023-01-02",
                    "2023-12-31",  # 363 days later: inside a 52-week window
                    "2024-01-01",  # 364 days later: outside
                    "2023-06-01",
                    "2023-06-02",
                    "2024-06-01",  # customer 3's window ends after the data
                ]
            ),
            "margin": [100.0, 40.0, 70.0, 30.0, 20.0, 5.0],
        }
    )
    groups = pd.DataFrame({"customer_id": [1, 2, 3], "group": ["treatment", "control", "control"]})
    return tx, groups


def test_program_outcomes_by_hand():
    tx, groups = _log()
    out = relationship.program_outcomes(tx, groups)
    assert out.index.tolist() == [1, 2]  # customer 3's year is not complete
    assert out["group"].tolist() == ["treatment", "control"]
    assert out["purchases"].tolist() == [2, 2]
    assert out["repeat_purchases"].tolist() == [1, 1]
    assert out["margin"].tolist() == [140.0, 50.0]
    assert out["first_purchase"].tolist() == list(pd.to_datetime(["2023-01-02", "2023-06-01"]))
    short = relationship.program_outcomes(tx, groups, weeks=1, observation_end="2025-01-01")
    assert short.index.tolist() == [1, 2, 3]
    assert short["repeat_purchases"].tolist() == [0, 1, 0]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (
            lambda tx, g: (tx, pd.concat([g, pd.DataFrame({"customer_id": [9], "group": ["c"]})])),
            ValueError,
            r"1 customer\(s\) of `assignment` never bought in `transactions` \(first: \[9\]\)",
        ),
        (
            lambda tx, g: (tx, pd.concat([g, g.iloc[:1]])),
            ValueError,
            r"column 'customer_id' of `assignment` repeats customer ids",
        ),
        (
            lambda tx, g: (tx.assign(timestamp=tx["timestamp"].astype(str)), g),
            TypeError,
            r"column 'timestamp' of `transactions` must hold datetimes",
        ),
        (
            lambda tx, g: (tx, g.rename(columns={"group": "arm"})),
            ValueError,
            r"`assignment` has no column 'group'. Available columns: 'customer_id', 'arm'",
        ),
        (
            lambda tx, g: (tx, g.assign(group=[None, "a", "b"])),
            ValueError,
            r"column 'group' of `assignment` has 1 missing value",
        ),
    ],
)
def test_program_outcomes_errors(change, error, match):
    tx, groups = change(*_log())
    with pytest.raises(error, match=match):
        relationship.program_outcomes(tx, groups)


def test_program_outcomes_checks_window_and_end():
    tx, groups = _log()
    with pytest.raises(ValueError, match=r"`weeks` must be in \(0, inf\), got 0"):
        relationship.program_outcomes(tx, groups, weeks=0)
    with pytest.raises(ValueError, match=r"6 purchase\(s\) in `transactions` fall after"):
        relationship.program_outcomes(tx, groups, observation_end="2022-12-31")


def test_uplift_by_hand_is_welch():
    t = np.array([3.0, 5.0, 4.0, 6.0, 7.0])
    c = np.array([2.0, 3.0, 3.0, 4.0, 1.0, 5.0, 3.0])
    df = pd.DataFrame({"arm": ["T"] * 5 + ["C"] * 7, "y": np.r_[t, c]})
    r = relationship.program_uplift(
        df, group_col="arm", outcome_col="y", treatment="T", control="C", confidence=0.9
    )
    va, vb = t.var(ddof=1) / 5, c.var(ddof=1) / 7
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / 4 + vb**2 / 6)
    half = stats.t.ppf(0.95, dof) * se
    assert r.uplift == pytest.approx(5.0 - 3.0)
    assert r.relative_uplift == pytest.approx(2 / 3)
    assert (r.treatment_mean, r.control_mean) == (5.0, 3.0)
    assert (r.n_treatment, r.n_control) == (5, 7)
    assert r.se == pytest.approx(se) and r.dof == pytest.approx(dof)
    assert (r.ci_low, r.ci_high) == pytest.approx((2 - half, 2 + half))
    assert r.p_value == pytest.approx(2 * stats.t.sf(2 / se, dof))
    assert r.to_series()["n_control"] == 7.0
    # other groups are ignored
    more = pd.concat([df, pd.DataFrame({"arm": ["X"], "y": [100.0]})])
    assert (
        relationship.program_uplift(
            more, group_col="arm", outcome_col="y", treatment="T", control="C", confidence=0.9
        )
        == r
    )


def test_uplift_relative_is_nan_for_a_zero_control_mean():
    df = pd.DataFrame({"group": ["treatment"] * 2 + ["control"] * 2, "y": [1.0, 2.0, 0.0, 0.0]})
    r = relationship.program_uplift(df, outcome_col="y")
    assert r.uplift == 1.5 and math.isnan(r.relative_uplift)


@pytest.mark.parametrize(
    ("kwargs", "data", "error", "match"),
    [
        (
            {"treatment": "offered"},
            None,
            ValueError,
            r"no treatment group: column 'group' of `df` has no rows equal to 'offered'; it "
            r"holds 'treatment', 'control'",
        ),
        (
            {"control": "holdout"},
            None,
            ValueError,
            r"no control group.*Pass control=\.\.\.",
        ),
        (
            {},
            {"group": ["treatment", "control", "control"], "y": [1.0, 2.0, 3.0]},
            ValueError,
            r"^the treatment group \('treatment' in column 'group' of `df`\) has only 1 "
            r"customer\(s\); at least 2 are needed to estimate its variance and an interval\.$",
        ),
        (
            {"min_size": 3},
            None,
            ValueError,
            r"^the treatment group \('treatment' in column 'group' of `df`\) has only 2 "
            r"customer\(s\); at least 3 are needed to estimate its variance and an interval\.$",
        ),
        (
            {},
            {"group": ["treatment"] * 2 + ["control"] * 2, "y": [1.0, 1.0, 2.0, 2.0]},
            ValueError,
            r"column 'y' is constant within both groups",
        ),
        (
            {},
            {"group": ["treatment"] * 2 + ["control"] * 2, "y": [1.0, np.nan, 2.0, 3.0]},
            ValueError,
            r"column 'y' of `df` has 1 missing value",
        ),
        ({"outcome_col": "margin"}, None, ValueError, r"no column 'margin'. Available columns"),
        ({"confidence": 1.0}, None, ValueError, r"`confidence` must be in \(0, 1\), got 1"),
        ({"min_size": 1}, None, ValueError, r"`min_size` must be an integer >= 2"),
    ],
)
def test_uplift_errors(kwargs, data, error, match):
    frame = pd.DataFrame(
        data or {"group": ["treatment"] * 2 + ["control"] * 2, "y": [1.0, 2.0, 2.0, 4.0]}
    )
    with pytest.raises(error, match=match):
        relationship.program_uplift(frame, **({"outcome_col": "y"} | kwargs))


def test_uplift_on_the_case_covers_the_true_effect(case, outcomes):
    """Offered vs not offered: the interval holds the generator's mean effect per offered."""
    r = relationship.program_uplift(outcomes)
    effect = case.truth.set_index("customer_id")["program_effect"]
    treated = outcomes.index[outcomes["group"] == "treatment"]
    true_itt = effect.reindex(treated).mean()
    assert 0.3 < true_itt < 1.0  # the card adds well under one repeat purchase per offer
    assert r.ci_low <= true_itt <= r.ci_high
    assert r.ci_low > 0  # and the experiment detects it
    assert r.n_treatment + r.n_control == len(outcomes)
    # Control customers got no card, so their true effect is exactly zero.
    control = outcomes.index[outcomes["group"] == "control"]
    assert (effect.reindex(control) == 0).all()


def test_members_vs_non_members_exaggerates_the_effect(case, outcomes):
    """Self-selection: frequent buyers take the card, so members look far better."""
    enrolled = case.loyalty.set_index("customer_id")["enrolled"]
    offered = outcomes[outcomes["group"] == "treatment"].copy()
    offered["member"] = enrolled.reindex(offered.index).map({True: "yes", False: "no"})
    naive = relationship.program_uplift(offered, "member", treatment="yes", control="no")
    effect = case.truth.set_index("customer_id")["program_effect"]
    true_for_members = effect.reindex(offered.index[offered["member"] == "yes"]).mean()
    assert naive.ci_low > 2 * true_for_members


# ---------------------------------------------------------------------------
# returns
# ---------------------------------------------------------------------------


def test_roi_by_hand():
    assert relationship.program_roi(1_500_000, 1_000_000) == 0.5
    assert relationship.program_roi(0, 200) == -1.0
    assert relationship.program_roi(-100, 100) == -2.0
    assert relationship.relationship_roi(150.0, 100.0) == pytest.approx(0.5)
    assert relationship.relationship_roi([60.0, 60.0], 100.0) == pytest.approx(0.2)
    pv = 60 / 1.1 + 60 / 1.1**2
    assert relationship.relationship_roi([60.0, 60.0], 100.0, 0.1) == pytest.approx(
        (pv - 100) / 100
    )
    assert relationship.relationship_roi(np.array([110.0]), 100.0, 0.1) == pytest.approx(0.0)
    assert relationship.relationship_roi(pd.Series([50.0, 50.0]), 100.0) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: relationship.program_roi(100, 0), ValueError, r"`program_cost` must be in \(0"),
        (lambda: relationship.program_roi(100, -5), ValueError, r"that cost nothing has none"),
        (lambda: relationship.program_roi("1", 5), TypeError, r"`incremental_margin` must be a"),
        (lambda: relationship.program_roi(np.nan, 5), ValueError, r"got NaN"),
        (lambda: relationship.relationship_roi(5, 0), ValueError, r"`investment` must be in \(0"),
        (
            lambda: relationship.relationship_roi(5, 10, discount_rate=-1),
            ValueError,
            r"`discount_rate` must be in \(-1, 1\], got -1",
        ),
        (lambda: relationship.relationship_roi([], 10), ValueError, r"is empty"),
        (lambda: relationship.relationship_roi([1, np.nan], 10), ValueError, r"missing or inf"),
        (lambda: relationship.relationship_roi("12", 10), TypeError, r"must be a number or a list"),
    ],
)
def test_roi_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=10),
    st.floats(1, 1e6),
    st.floats(0, 0.5),
    st.floats(0.01, 0.5),
)
def test_relationship_roi_properties(margins, investment, d, extra):
    base = relationship.relationship_roi(margins, investment, d)
    assert base >= -1 - sum(max(-m, 0) for m in margins) / investment - 1e-9
    more = relationship.relationship_roi([m + 1000 for m in margins], investment, d)
    assert more > base
    if all(m >= 0 for m in margins) and sum(margins) >= 1:
        assert relationship.relationship_roi(margins, investment, d + extra) < base
    assert relationship.relationship_roi(sum(margins), investment) == pytest.approx(
        relationship.program_roi(sum(margins), investment)
    )


# ---------------------------------------------------------------------------
# a points program's economics
# ---------------------------------------------------------------------------


def test_program_balance_by_hand():
    assert relationship.program_balance(500.0, 300.0) == {
        "incremental_margin": 500.0,
        "reward_cost": 300.0,
        "net_effect": 200.0,
        "roi": pytest.approx(2 / 3),
    }
    loss = relationship.program_balance(-100, 400)
    assert loss["net_effect"] == -500.0 and loss["roi"] == -1.25
    assert loss["roi"] == relationship.program_roi(-100, 400)
    free = relationship.program_balance(250, 0)
    assert free["net_effect"] == 250.0 and math.isnan(free["roi"])


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((100, -5), ValueError, r"`reward_cost` must be in \[0, inf\), got -5. It is a cost"),
        (("100", 5), TypeError, r"`incremental_margin` must be a number, got str"),
        ((np.nan, 5), ValueError, r"`incremental_margin` must be a number, got NaN"),
        ((math.inf, 5), ValueError, r"^`incremental_margin` must be a finite number, got inf\.$"),
    ],
)
def test_program_balance_errors(args, error, match):
    with pytest.raises(error, match=match):
        relationship.program_balance(*args)


def test_program_economics_tiers_by_hand():
    # 10,000 / 30,000 / 90,000 roubles a year, 2% back; silver from 20,000 (x1.5), gold from
    # 60,000 (x2); everyone joins, nobody spends more, 20% of points never redeemed:
    # (10,000 * 0.02 + 30,000 * 0.03 + 90,000 * 0.04) * 0.8 = (200 + 900 + 3,600) * 0.8.
    r = relationship.program_economics(
        pd.Series([10_000.0, 30_000.0, 90_000.0]), 0.02, silver=20_000, gold=60_000
    )
    assert r == {
        "members": 3.0,
        "silver_members": 1.0,
        "gold_members": 1.0,
        "reward_cost": pytest.approx(3_760.0),
        "incremental_margin": 0.0,
        "net_effect": pytest.approx(-3_760.0),
        "roi": pytest.approx(-1.0),
    }


def test_program_economics_uplift_lifts_members_into_tiers():
    # 19,000 and 55,000 roubles; with 10% more spend 20,900 (silver) and 60,500 (gold).
    kw = {"silver": 20_000, "gold": 60_000, "participation": 0.25, "margin_rate": 0.2}
    r = relationship.program_economics([19_000, 55_000], 0.04, uplift=0.1, breakage=0.5, **kw)
    # Cost: 0.25 * (20,900 * 0.04 * 1.5 + 60,500 * 0.04 * 2) * (1 - 0.5) = 0.25 * 6,094 * 0.5.
    assert r["reward_cost"] == pytest.approx(761.75)
    # Margin on the extra 1,900 + 5,500 roubles of a quarter of the customers, at 20%.
    assert r["incremental_margin"] == pytest.approx(370.0)
    assert r["net_effect"] == pytest.approx(-391.75)
    assert r["roi"] == pytest.approx(-391.75 / 761.75)
    assert (r["members"], r["silver_members"], r["gold_members"]) == (0.5, 0.25, 0.25)
    # Without the uplift 19,000 stays in the base tier and 55,000 in silver:
    # 0.25 * (19,000 * 0.04 + 55,000 * 0.06) * 0.5 = 0.25 * (760 + 3,300) * 0.5.
    flat = relationship.program_economics([19_000, 55_000], 0.04, breakage=0.5, **kw)
    assert flat["reward_cost"] == pytest.approx(507.5)
    assert (flat["silver_members"], flat["gold_members"]) == (0.25, 0.0)


def test_program_economics_without_tiers_and_with_own_multipliers():
    # No tiers: (1,500 + 3,000) * 10% = 450 of rewards; (500 + 1,000) * 50% = 750 of margin.
    r = relationship.program_economics(
        [1_000, 2_000], 0.1, uplift=0.5, margin_rate=0.5, breakage=0.0
    )
    assert (r["reward_cost"], r["incremental_margin"]) == pytest.approx((450.0, 750.0))
    assert r["net_effect"] == pytest.approx(300.0) and r["roi"] == pytest.approx(300 / 450)
    assert r["silver_members"] == r["gold_members"] == 0.0
    # A spend exactly on a threshold is in that tier; gold alone, x3: (20,000 * 3 + 5,000) * 1%.
    mult = {"base": 1.0, "silver": 1.0, "gold": 3.0}
    r = relationship.program_economics(
        np.array([20_000.0, 5_000.0]), 0.01, gold=20_000, breakage=0.0, multipliers=mult
    )
    assert r["reward_cost"] == pytest.approx(650.0) and r["gold_members"] == 1.0
    # A program that gives nothing back costs nothing and has no ROI.
    free = relationship.program_economics([1_000], 0.0, uplift=0.1)
    assert free["reward_cost"] == 0.0 and math.isnan(free["roi"])
    assert free["net_effect"] == pytest.approx(100 * 0.25)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: relationship.program_economics(pd.DataFrame({"s": [1.0]}), 0.03),
            TypeError,
            r"`spend` must be one yearly spend per customer.*got DataFrame.*groupby",
        ),
        (lambda: relationship.program_economics(5_000, 0.03), TypeError, r"got int"),
        (lambda: relationship.program_economics([], 0.03), ValueError, r"`spend` is empty"),
        (
            lambda: relationship.program_economics([1.0, np.nan], 0.03),
            ValueError,
            r"`spend` has 1 missing value\(s\) \(first at index \[1\]\)",
        ),
        (
            lambda: relationship.program_economics(pd.Series(["1", "2"]), 0.03),
            TypeError,
            r"`spend` must hold numbers",
        ),
        (
            lambda: relationship.program_economics(pd.Series([5.0, -1.0], index=[7, 8]), 0.03),
            ValueError,
            r"`spend` has 1 negative value\(s\) \(first at index \[8\]\)",
        ),
        (
            lambda: relationship.program_economics([1.0], 3),
            ValueError,
            r"`reward_rate` must be in \[0, 1\], got 3. Write 0.03 for 3%",
        ),
        (
            lambda: relationship.program_economics([1.0], 0.03, silver=50_000, gold=20_000),
            ValueError,
            r"gold threshold \(20,000\) must not be below the silver threshold \(50,000\)",
        ),
        (
            lambda: relationship.program_economics([1.0], 0.03, silver=-1),
            ValueError,
            r"`silver` must be in \[0, inf\)",
        ),
        (
            lambda: relationship.program_economics([1.0], 0.03, participation=40),
            ValueError,
            r"`participation` must be in \[0, 1\], got 40. Write rates as fractions",
        ),
        (
            lambda: relationship.program_economics([1.0], 0.03, uplift=-0.1),
            ValueError,
            r"`uplift` must be in \[0, inf\), got -0.1. Write 0.08 for 8%",
        ),
        (
            lambda: relationship.program_economics([1.0], 0.03, margin_rate=25),
            ValueError,
            r"`margin_rate` must be in \[0, 1\]",
        ),
        (
            lambda: relationship.program_economics([1.0], 0.03, breakage=1.5),
            ValueError,
            r"`breakage` must be in \[0, 1\]",
        ),
        (
            lambda: relationship.program_economics([1.0], 0.03, multipliers={"gold": 2.0}),
            ValueError,
            r"`multipliers` must be a dict with the keys 'base', 'silver', 'gold'",
        ),
        (
            lambda: relationship.program_economics(
                [1.0], 0.03, multipliers={"base": 1.0, "silver": -1.0, "gold": 2.0}
            ),
            ValueError,
            r"`multipliers\['silver'\]` must be in \[0, inf\)",
        ),
    ],
)
def test_program_economics_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_program_economics_does_not_modify_its_inputs():
    spend = pd.Series([19_000.0, 55_000.0], index=pd.Index(["a", "b"], name="customer_id"))
    mult = {"base": 1.0, "silver": 1.25, "gold": 1.5}
    before, mult_before = spend.copy(), dict(mult)
    relationship.program_economics(spend, 0.05, silver=20_000, uplift=0.2, multipliers=mult)
    pd.testing.assert_series_equal(spend, before)
    assert mult == mult_before
    assert relationship.TIER_MULTIPLIERS == {"base": 1.0, "silver": 1.5, "gold": 2.0}


_spends = st.lists(st.floats(0, 2e5), min_size=1, max_size=30)
_programs = st.fixed_dictionaries(
    {
        "silver": st.floats(0, 1e5),
        "gold_above_silver": st.floats(0, 1e5),
        "participation": st.floats(0, 1),
        "uplift": st.floats(0, 0.5),
        "margin_rate": st.floats(0, 1),
        "breakage": st.floats(0, 1),
    }
)


def _economics(spend, rate, program, **changes):
    kw = dict(program, **changes)
    kw["gold"] = kw["silver"] + kw.pop("gold_above_silver")
    return relationship.program_economics(spend, rate, **kw)


@settings(max_examples=80, deadline=None)
@given(_spends, st.floats(0, 0.15), st.floats(0.001, 0.1), _programs)
def test_program_economics_invariants(spend, rate, more_rate, program):
    r = _economics(spend, rate, program)
    # Net effect is the margin gained less the rewards paid; nothing is negative but the net.
    assert r["net_effect"] == r["incremental_margin"] - r["reward_cost"]
    assert r["reward_cost"] >= 0 and r["incremental_margin"] >= 0
    assert r["members"] == pytest.approx(program["participation"] * len(spend))
    assert r["silver_members"] + r["gold_members"] <= r["members"] + 1e-9
    # A richer reward costs more and never raises the ROI.
    richer = _economics(spend, rate + more_rate, program)
    assert richer["reward_cost"] >= r["reward_cost"]
    assert richer["incremental_margin"] == r["incremental_margin"]
    if r["reward_cost"] > 0:
        assert richer["roi"] <= r["roi"] + 1e-9 * (1 + abs(r["roi"]))
        assert r["roi"] == pytest.approx(
            relationship.program_roi(r["incremental_margin"], r["reward_cost"])
        )
    else:
        assert math.isnan(r["roi"])
    # Cost and margin scale with participation.
    everyone = _economics(spend, rate, program, participation=1.0)
    assert r["reward_cost"] == pytest.approx(
        program["participation"] * everyone["reward_cost"], rel=1e-9, abs=1e-6
    )
    # Higher tier thresholds put fewer members in the richer tiers: the rewards cost less.
    harder = _economics(spend, rate, program, silver=program["silver"] + 5e4)
    assert harder["reward_cost"] <= r["reward_cost"] * (1 + 1e-12) + 1e-9
    # More uplift brings more margin.
    assert (
        _economics(spend, rate, program, uplift=program["uplift"] + 0.1)["incremental_margin"]
        >= r["incremental_margin"]
    )


# ---------------------------------------------------------------------------
# margin by group
# ---------------------------------------------------------------------------


def test_margin_by_group_by_hand():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3, 3],
            "margin": [100.0, 50.0, 900.0, 30.0, -10.0],
            "items": [2, 1, 10, 1, 1],
        }
    )
    cust = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5],
            "segment": ["B2C", "B2B", "B2C", "B2C", "B2G"],
            "city": ["a", "a", "b", "b", "b"],
        }
    )
    out = relationship.margin_by_group(tx, cust, items_col="items")
    assert out.index.tolist() == ["B2B", "B2C", "B2G"]
    assert out["customers"].tolist() == [1, 3, 1]
    assert out["transactions"].tolist() == [1, 4, 0]
    assert out["margin"].tolist() == [900.0, 170.0, 0.0]
    np.testing.assert_allclose(out["margin_share"], [900 / 1070, 170 / 1070, 0.0])
    np.testing.assert_allclose(out["margin_per_customer"], [900.0, 170 / 3, 0.0])
    np.testing.assert_allclose(out["margin_per_transaction"], [900.0, 42.5, np.nan])
    np.testing.assert_allclose(out["margin_per_item"], [90.0, 34.0, np.nan])
    two = relationship.margin_by_group(tx, cust, by=["segment", "city"])
    assert two["customers"].sum() == 5
    assert two.loc[("B2C", "b"), "margin"] == 20.0


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (
            lambda tx, c: (tx.assign(customer_id=[1, 9]), c),
            ValueError,
            r"1 purchase\(s\) in `transactions` belong to customers missing from `customers` "
            r"\(first ids: \[9\]\)",
        ),
        (
            lambda tx, c: (tx, pd.concat([c, c.iloc[:1]])),
            ValueError,
            r"column 'customer_id' of `customers` repeats customer ids",
        ),
        (
            lambda tx, c: (tx, c.drop(columns="segment")),
            ValueError,
            r"`customers` has no column 'segment'. Available columns: 'customer_id'",
        ),
        (
            lambda tx, c: (tx, c.assign(segment=[None, "B2C"])),
            ValueError,
            r"column 'segment' of `customers` has 1 missing value",
        ),
        (
            lambda tx, c: (tx.assign(margin=[1.0, np.nan]), c),
            ValueError,
            r"column 'margin' of `transactions` has 1 missing value",
        ),
        (
            lambda tx, c: (tx.iloc[:0], c),
            ValueError,
            r"`transactions` is empty",
        ),
    ],
)
def test_margin_by_group_errors(change, error, match):
    tx = pd.DataFrame({"customer_id": [1, 2], "margin": [5.0, 6.0]})
    cust = pd.DataFrame({"customer_id": [1, 2], "segment": ["B2C", "B2B"]})
    tx, cust = change(tx, cust)
    with pytest.raises(error, match=match):
        relationship.margin_by_group(tx, cust)


def test_margin_by_group_on_the_case(case):
    out = relationship.margin_by_group(case.transactions, case.customers, items_col="items")
    assert out["customers"].to_dict() == case.customers["segment"].value_counts().to_dict()
    assert out["transactions"].sum() == len(case.transactions)
    assert out["margin"].sum() == pytest.approx(case.transactions["margin"].sum())
    assert out["margin_share"].sum() == pytest.approx(1.0)
    # B2B: 3% of the customers, most of the margin.
    assert out.loc["B2B", "margin_share"] > 0.5
    assert out.loc["B2B", "margin_per_customer"] > 50 * out.loc["B2C", "margin_per_customer"]


# ---------------------------------------------------------------------------
# implementation pyramid
# ---------------------------------------------------------------------------


def test_readiness_by_hand():
    r = relationship.pyramid_readiness(
        {"strategy": 5, "structure": 4, "business processes": 1, "culture": 4, "technology": 5}
    )
    assert r["readiness"] == {
        "strategy": 1.0,
        "structure": 0.8,
        "business processes": 0.2,
        "culture": 0.8,
        "technology": 1.0,
    }
    assert r["in_place"] == {
        "strategy": True,
        "structure": True,
        "business processes": False,
        "culture": False,  # rated 4, but the level below is not in place
        "technology": False,
    }
    assert r["blocking"] == "business processes"
    assert (r["levels_in_place"], r["overall"]) == (2, 0.4)


def test_readiness_orders_by_the_pyramid_not_by_the_dict():
    shuffled = {"technology": 5, "culture": 5, "strategy": 2, "structure": 5}
    shuffled["business processes"] = 5
    r = relationship.pyramid_readiness(shuffled)
    assert list(r["readiness"]) == list(relationship.PYRAMID_LEVELS)
    assert r["blocking"] == "strategy" and r["overall"] == 0.0
    full = relationship.pyramid_readiness(pd.Series(dict.fromkeys(relationship.PYRAMID_LEVELS, 3)))
    assert full["blocking"] is None and full["overall"] == 1.0


def test_readiness_scale_and_bar():
    ratings = dict(zip(relationship.PYRAMID_LEVELS, [10, 7, 6, 9, 2], strict=True))
    r = relationship.pyramid_readiness(ratings, scale=10, in_place=7)
    assert r["blocking"] == "business processes" and r["readiness"]["strategy"] == 1.0
    r = relationship.pyramid_readiness(ratings, scale=10, in_place=6)
    assert r["blocking"] == "technology" and r["levels_in_place"] == 4


@pytest.mark.parametrize(
    ("ratings", "kwargs", "error", "match"),
    [
        (
            {"strategy": 3, "tech": 2},
            {},
            ValueError,
            r"unknown pyramid level\(s\) 'tech' in `ratings`; the levels are 'strategy', "
            r"'structure', 'business processes', 'culture', 'technology'",
        ),
        (
            {"strategy": 3, "structure": 3},
            {},
            ValueError,
            r"no rating for level\(s\) 'business processes', 'culture', 'technology'",
        ),
        ({"a": 3, "b": 9}, {"levels": None}, ValueError, r"`ratings\['b'\]` must be in \[0, 5\]"),
        ({"a": 3, "b": -1}, {"levels": None}, ValueError, r"`ratings\['b'\]` must be in \[0, 5\]"),
        ({"a": "yes"}, {"levels": None}, TypeError, r"`ratings\['a'\]` must be a number"),
        ({}, {}, TypeError, r"`ratings` must be a non-empty dict"),
        ([3, 4], {}, TypeError, r"`ratings` must be a non-empty dict"),
        ({"a": 3}, {"levels": None, "in_place": 6}, ValueError, r"`in_place` must be in \(0, 5\]"),
        ({"a": 3}, {"levels": None, "scale": 0}, ValueError, r"`scale` must be in \(0, inf\)"),
        ({"a": 3}, {"levels": []}, ValueError, r"`levels` is empty"),
    ],
)
def test_readiness_errors(ratings, kwargs, error, match):
    with pytest.raises(error, match=match):
        relationship.pyramid_readiness(ratings, **kwargs)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=6), st.integers(1, 5))
def test_blocking_is_the_lowest_level_below_the_bar(ratings, bar):
    named = {f"level {i}": r for i, r in enumerate(ratings)}
    out = relationship.pyramid_readiness(named, in_place=bar, levels=None)
    below = [i for i, r in enumerate(ratings) if r < bar]
    assert out["blocking"] == (f"level {below[0]}" if below else None)
    counted = below[0] if below else len(ratings)
    assert out["levels_in_place"] == counted
    assert out["overall"] == counted / len(ratings)
    # a level counts only if every level below it is in place
    flags = list(out["in_place"].values())
    assert flags == [all(r >= bar for r in ratings[: i + 1]) for i in range(len(ratings))]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=5, max_size=5))
def test_same_assessment_as_the_explorer(ratings):
    named = dict(zip(relationship.PYRAMID_LEVELS, ratings, strict=True))
    mine = relationship.pyramid_readiness(named)
    theirs = widgets.ReadinessAssessment.assess(named)
    assert {k: mine[k] for k in theirs} == theirs


# ---------------------------------------------------------------------------
# inputs are never modified
# ---------------------------------------------------------------------------


def test_inputs_are_not_modified(case):
    tx, customers, loyalty_table = case.transactions, case.customers, case.loyalty
    frames = [tx, customers, loyalty_table]
    before = [f.copy(deep=True) for f in frames]
    out = relationship.program_outcomes(tx, loyalty_table)
    out_before = out.copy(deep=True)
    relationship.program_uplift(out, outcome_col="margin")
    arms = relationship.margin_by_group(tx, customers, items_col="items")
    arms_before = arms.copy(deep=True)
    levels = relationship.recommend_levels(arms)
    ratings = {"strategy": 4, "structure": 4, "business processes": 3}
    ratings |= {"culture": 2, "technology": 5}
    ratings_before = dict(ratings)
    relationship.pyramid_readiness(ratings)
    for old, new in zip(before, frames, strict=True):
        pd.testing.assert_frame_equal(old, new)
    pd.testing.assert_frame_equal(out_before, out)
    pd.testing.assert_frame_equal(arms_before, arms)
    assert ratings == ratings_before
    levels.iloc[0, 0] = -1  # results are new objects
    pd.testing.assert_frame_equal(arms_before, arms)


def test_the_reason_reads_as_english_for_every_level():
    """'an accountable relationship', 'a basic relationship': the article fits the level."""
    seen = {}
    for n in (10, 5_000, 500_000):
        for m in (10, 500, 50_000):
            r = relationship.recommend_level(n, m)
            seen[r["level"]] = r["reason"]
    assert "recommends an accountable relationship" in seen["accountable"]
    assert "recommends a basic relationship" in seen["basic"]
    assert not any(" a accountable" in reason or " a active" in reason for reason in seen.values())
