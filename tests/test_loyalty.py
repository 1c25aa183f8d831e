"""Loyalty measures: NPS, satisfaction index, share of wallet, loyalty matrix, customer pyramid."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rmlib import loyalty
from rmlib.datasets import load_case


@pytest.fixture(scope="module")
def case():
    return load_case()


# ---------------------------------------------------------------------------
# Net Promoter Score
# ---------------------------------------------------------------------------


def test_nps_by_hand():
    # 4 promoters (9, 10, 10, 9), 3 passives (7, 8, 8), 3 detractors (0, 6, 5).
    r = loyalty.nps([9, 10, 7, 8, 0, 6, 10, 8, 9, 5])
    assert r.n == 10
    assert (r.promoters, r.passives, r.detractors) == (0.4, 0.3, 0.3)
    assert r.nps == pytest.approx(10.0)
    assert r.counts == {"detractors": 3, "passives": 3, "promoters": 4}
    # Multinomial: Var(P - D) = (P + D - (P - D)^2) / n = (0.7 - 0.01) / 10.
    se = 100 * math.sqrt((0.7 - 0.01) / 10)
    assert r.se == pytest.approx(se)
    z = stats.norm.ppf(0.975)
    assert (r.ci_low, r.ci_high) == pytest.approx((10 - z * se, 10 + z * se))
    assert r.confidence == 0.95


def test_nps_group_boundaries():
    groups = loyalty.nps_group(pd.Series(range(11), index=list("abcdefghijk")))
    assert groups.tolist() == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    assert groups.index.tolist() == list("abcdefghijk")


def test_nps_extremes_and_clipped_interval():
    assert loyalty.nps([10, 9, 10]).nps == 100.0
    assert loyalty.nps([0, 3, 6]).nps == -100.0
    assert loyalty.nps([7, 8]).nps == 0.0
    r = loyalty.nps([10] * 5 + [0])
    assert r.ci_high == 100.0  # cut to the scale
    all_promoters = loyalty.nps([10, 10])
    assert all_promoters.se == 0.0 and all_promoters.ci_low == all_promoters.ci_high == 100.0


def test_nps_wider_interval_for_higher_confidence():
    scores = [10, 9, 6, 3, 8, 7, 10, 2]
    narrow = loyalty.nps(scores, confidence=0.8)
    wide = loyalty.nps(scores, confidence=0.99)
    assert narrow.nps == wide.nps
    assert wide.ci_high - wide.ci_low > narrow.ci_high - narrow.ci_low


def test_nps_frame_series_list_agree_and_custom_column():
    scores = [10, 4, 8, 9]
    a = loyalty.nps(scores)
    b = loyalty.nps(pd.Series(scores))
    c = loyalty.nps(pd.DataFrame({"recommend": scores}), score_col="recommend")
    assert a == b == c
    pd.testing.assert_series_equal(a.to_series(), c.to_series())


def test_nps_by_group_matches_each_group_alone():
    df = pd.DataFrame(
        {
            "store": ["b", "a", "b", "a", "b", "c"],
            "nps": [10, 3, 9, 9, 5, 8],
        }
    )
    table = loyalty.nps(df, by="store")
    assert table.index.tolist() == ["a", "b", "c"]
    assert list(table.columns) == [
        "nps",
        "promoters",
        "passives",
        "detractors",
        "n",
        "se",
        "ci_low",
        "ci_high",
        "confidence",
    ]
    assert table["n"].dtype == np.int64
    # Each row holds every field of the group's own result, interval and level included.
    for store, rows in df.groupby("store"):
        alone = loyalty.nps(rows["nps"]).to_series()
        assert table.columns.tolist() == alone.index.tolist()
        np.testing.assert_allclose(table.loc[store].to_numpy(float), alone.to_numpy())
    # Store b: 10, 9, 5 -> 2/3 promoters, 1/3 detractors, NPS +33.3; se by hand.
    se_b = 100 * np.sqrt((2 / 3 + 1 / 3 - (1 / 3) ** 2) / 3)
    assert table.loc["b", "se"] == pytest.approx(se_b)
    assert table.loc["b", "ci_low"] == pytest.approx(100 / 3 - 1.959964 * se_b)
    assert table.loc["b", "ci_high"] == 100.0  # 33.3 + 1.96 * 54.4, cut at 100
    assert (table["confidence"] == 0.95).all()
    narrow = loyalty.nps(df, by="store", confidence=0.8)
    assert (narrow["confidence"] == 0.8).all()
    assert narrow.loc["b", "ci_low"] == pytest.approx(100 / 3 - 1.281552 * se_b)
    two = loyalty.nps(df.assign(k=[1, 1, 1, 2, 2, 2]), by=["store", "k"])
    assert two["n"].sum() == len(df)


def test_nps_on_the_case_matches_a_plain_count(case):
    s = case.surveys
    r = loyalty.nps(s)
    promoters = (s["nps"] >= 9).mean()
    detractors = (s["nps"] <= 6).mean()
    assert r.n == len(s)
    assert r.nps == pytest.approx(100 * (promoters - detractors))
    assert r.promoters + r.passives + r.detractors == pytest.approx(1.0)
    # The case's customers are on balance detractors; the interval excludes zero.
    assert r.ci_high < 0
    by_segment = loyalty.nps(
        s.merge(case.customers[["customer_id", "segment"]], on="customer_id"), by="segment"
    )
    assert by_segment["n"].sum() == len(s)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: loyalty.nps([3, 11]), ValueError, r"1 answer\(s\) outside 0-10 \(first: 11"),
        (lambda: loyalty.nps([3, -1]), ValueError, r"outside 0-10.*'recommend' item"),
        (lambda: loyalty.nps([3, float("nan")]), ValueError, r"1 missing value\(s\)"),
        (lambda: loyalty.nps([3, 7.5]), ValueError, r"not whole numbers \(first: 7.5\)"),
        (lambda: loyalty.nps(["9", "10"]), TypeError, r"must hold numbers, got dtype"),
        (lambda: loyalty.nps([True, False]), TypeError, r"must hold numbers"),
        (lambda: loyalty.nps([]), ValueError, r"`data` is empty"),
        (lambda: loyalty.nps(7), TypeError, r"`data` must be a DataFrame with a column 'nps'"),
        (
            lambda: loyalty.nps(pd.DataFrame({"score": [9]})),
            ValueError,
            r"`data` has no column 'nps'. Available columns: 'score'",
        ),
        (
            lambda: loyalty.nps(pd.DataFrame({"nps": []}, dtype=float)),
            ValueError,
            r"`data` is empty \(0 rows\)",
        ),
        (lambda: loyalty.nps([9], by="channel"), TypeError, r"`by` needs `data` as a DataFrame"),
        (
            lambda: loyalty.nps(pd.DataFrame({"nps": [9]}), by="channel"),
            ValueError,
            r"no column 'channel'. Available columns: 'nps'",
        ),
        (
            lambda: loyalty.nps(pd.DataFrame({"nps": [9], "ch": [None]}), by="ch"),
            ValueError,
            r"column 'ch' of `data` has 1 missing value",
        ),
        (lambda: loyalty.nps([9], confidence=95), ValueError, r"`confidence` must be in \(0, 1\)"),
    ],
)
def test_nps_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=200),
    st.floats(0.5, 0.999),
)
def test_nps_bounds_and_shares(scores, confidence):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = loyalty.nps(scores, confidence=confidence)
    # the 1-5 warning comes exactly when five or more answers all lie in 1-5
    looks_like_csat = len(scores) >= 5 and 1 <= min(scores) and max(scores) <= 5
    assert any("lie between 1 and 5" in str(w.message) for w in caught) == looks_like_csat
    assert -100 <= r.nps <= 100
    assert r.promoters + r.passives + r.detractors == pytest.approx(1.0)
    assert all(0 <= x <= 1 for x in (r.promoters, r.passives, r.detractors))
    assert -100 <= r.ci_low <= r.nps <= r.ci_high <= 100
    assert sum(r.counts.values()) == len(scores)


# ---------------------------------------------------------------------------
# satisfaction index
# ---------------------------------------------------------------------------


def test_satisfaction_index_by_hand():
    answers = [5, 4, 4, 3, 1]  # mean 3.4 -> (3.4 - 1) / 4 = 60
    assert loyalty.satisfaction_index(answers) == pytest.approx(60.0)
    assert loyalty.satisfaction_index(answers, method="top2") == pytest.approx(60.0)
    assert loyalty.satisfaction_index(answers, method="top2", satisfied_from=5) == 20.0
    assert loyalty.satisfaction_index([1, 1]) == 0.0
    assert loyalty.satisfaction_index([5]) == 100.0
    assert loyalty.satisfaction_index([7, 1, 4], scale=(1, 7)) == pytest.approx(50.0)


def test_satisfaction_index_by_group():
    df = pd.DataFrame({"csat": [5, 3, 4, 2], "segment": ["B2B", "B2B", "B2C", "B2C"]})
    out = loyalty.satisfaction_index(df, by="segment")
    assert out.name == "satisfaction_index"
    assert out.to_dict() == {"B2B": 75.0, "B2C": 50.0}


def test_satisfaction_index_reproduces_the_case_store_means(case):
    """The generator stores each home store's mean CSAT; the index is its 0-100 rescaling."""
    home = case.customers.set_index("customer_id")["store_id"]
    surveys = case.surveys.assign(home_store=case.surveys["customer_id"].map(home))
    by_store = loyalty.satisfaction_index(surveys, by="home_store")
    stored = case.stores.set_index("store_id")["customer_satisfaction"]
    expected = 100 * (stored.reindex(by_store.index) - 1) / 4
    np.testing.assert_allclose(by_store, expected, atol=100 * 0.005 / 4 + 1e-9)
    overall = loyalty.satisfaction_index(case.surveys)
    assert overall == pytest.approx(100 * (case.surveys["csat"].mean() - 1) / 4)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: loyalty.satisfaction_index([4, 9]),
            ValueError,
            r"outside 1-5 \(first: 9.*not the 0-10 NPS item",
        ),
        (lambda: loyalty.satisfaction_index([0, 4]), ValueError, r"outside 1-5 \(first: 0"),
        (
            lambda: loyalty.satisfaction_index([4], method="median"),
            ValueError,
            r"`method` must be one of 'mean', 'top2'; got 'median'",
        ),
        (lambda: loyalty.satisfaction_index([4], scale=(5, 1)), ValueError, r"`scale` must be"),
        (lambda: loyalty.satisfaction_index([4], scale=5), ValueError, r"`scale` must be"),
        (
            lambda: loyalty.satisfaction_index([4], method="top2", satisfied_from=6),
            ValueError,
            r"`satisfied_from` must be in \[1, 5\], got 6",
        ),
        (
            lambda: loyalty.satisfaction_index(pd.DataFrame({"sat": [4]})),
            ValueError,
            r"no column 'csat'. Available columns: 'sat'",
        ),
        (lambda: loyalty.satisfaction_index([4, None]), ValueError, r"missing value"),
    ],
)
def test_satisfaction_index_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------------------
# share of wallet
# ---------------------------------------------------------------------------


def test_share_of_wallet_shapes():
    assert loyalty.share_of_wallet(3_000, 12_000) == 0.25
    assert isinstance(loyalty.share_of_wallet(3_000, 12_000), float)
    arr = loyalty.share_of_wallet([0.0, 50.0, 80.0], np.array([10.0, 100.0, 80.0]))
    assert isinstance(arr, np.ndarray)
    np.testing.assert_array_equal(arr, [0.0, 0.5, 1.0])
    spend = pd.Series([20.0, 30.0], index=pd.Index([5, 6], name="customer_id"))
    out = loyalty.share_of_wallet(spend, [40.0, 120.0])
    assert out.index.equals(spend.index)
    assert out.tolist() == [0.5, 0.25]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: loyalty.share_of_wallet([50.0, 130.0], [100.0, 120.0]),
            ValueError,
            r"`spend_with_us` exceeds `total_category_spend` for 1 customer\(s\) \(first at "
            r"index \[1\]: 130 > 120 roubles\)",
        ),
        (
            lambda: loyalty.share_of_wallet(5.0, 0.0),
            ValueError,
            r"`total_category_spend` has 1 value\(s\) of 0",
        ),
        (
            lambda: loyalty.share_of_wallet(-5.0, 10.0),
            ValueError,
            r"`spend_with_us` has 1 negative value",
        ),
        (
            lambda: loyalty.share_of_wallet([1.0, float("nan")], [2.0, 2.0]),
            ValueError,
            r"`spend_with_us` has 1 missing value",
        ),
        (
            lambda: loyalty.share_of_wallet([1.0, 2.0], [3.0]),
            ValueError,
            r"has 2 value\(s\) but `total_category_spend` has 1",
        ),
        (
            lambda: loyalty.share_of_wallet(
                pd.Series([1.0], index=[1]), pd.Series([2.0], index=[2])
            ),
            ValueError,
            r"different indexes; align them first",
        ),
        (lambda: loyalty.share_of_wallet("10", 20), TypeError, r"`spend_with_us` must be a number"),
        (lambda: loyalty.share_of_wallet([], []), ValueError, r"`spend_with_us` is empty"),
    ],
)
def test_share_of_wallet_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 1)), min_size=1, max_size=30))
def test_share_of_wallet_in_unit_interval(pairs):
    wallet = np.array([w for w, _ in pairs]) + 1.0
    spend = wallet * np.array([f for _, f in pairs])
    share = loyalty.share_of_wallet(spend, wallet)
    assert ((share >= 0) & (share <= 1)).all()


# ---------------------------------------------------------------------------
# loyalty matrix
# ---------------------------------------------------------------------------


def test_loyalty_matrix_by_hand_and_threshold_is_high():
    df = pd.DataFrame(
        {"att": [9.0, 9.0, 2.0, 2.0, 5.0], "beh": [4.0, 1.0, 4.0, 1.0, 3.0]},
        index=list("abcde"),
    )
    m = loyalty.loyalty_matrix(df, "att", "beh", attitude_threshold=5, behaviour_threshold=3)
    assert m.classes.to_dict() == {
        "a": "true loyalty",
        "b": "latent loyalty",
        "c": "spurious loyalty",
        "d": "no loyalty",
        "e": "true loyalty",  # exactly on both thresholds counts as high
    }
    assert m.classes.cat.categories.tolist() == list(loyalty.LOYALTY_CLASSES)
    assert m.table.index.tolist() == list(loyalty.LOYALTY_CLASSES)
    assert m.table["customers"].tolist() == [2, 1, 1, 1]
    assert m.table["share"].tolist() == [0.4, 0.2, 0.2, 0.2]
    assert m.table.loc["true loyalty", "mean_attitude"] == 7.0
    assert m.table.loc["true loyalty", "mean_behaviour"] == 3.5
    assert (m.attitude_threshold, m.behaviour_threshold) == (5.0, 3.0)


def test_loyalty_matrix_default_thresholds_are_medians_and_empty_cells_are_nan():
    df = pd.DataFrame({"att": [1.0, 2.0, 3.0, 4.0], "beh": [10.0, 20.0, 30.0, 40.0]})
    m = loyalty.loyalty_matrix(df, "att", "beh")
    assert (m.attitude_threshold, m.behaviour_threshold) == (2.5, 25.0)
    assert m.classes.tolist() == ["no loyalty", "no loyalty", "true loyalty", "true loyalty"]
    assert m.table.loc["latent loyalty", "customers"] == 0
    assert np.isnan(m.table.loc["latent loyalty", "mean_attitude"])


def test_loyalty_matrix_id_col_and_russian_names():
    df = pd.DataFrame({"customer_id": [7, 3], "a": [1.0, 0.0], "b": [0.0, 1.0]})
    m = loyalty.loyalty_matrix(df, "a", "b", 0.5, 0.5, id_col="customer_id")
    assert m.classes.index.tolist() == [7, 3] and m.classes.index.name == "customer_id"
    assert m.classes.tolist() == ["latent loyalty", "spurious loyalty"]
    assert set(loyalty.LOYALTY_CLASSES_RU) == set(loyalty.LOYALTY_CLASSES)


def _case_attitude_behaviour(case):
    tx = case.transactions
    purchases = tx.groupby("customer_id").size().rename("purchases")
    answers = case.surveys.groupby("customer_id")["nps"].mean().rename("mean_nps")
    return pd.concat([answers, purchases], axis=1, join="inner").reset_index()


def test_loyalty_matrix_on_the_case_recovers_the_truth_better_than_chance(case):
    """Mean NPS x purchase count against the generator's Dick & Basu types."""
    df = _case_attitude_behaviour(case)
    m = loyalty.loyalty_matrix(df, "mean_nps", "purchases", id_col="customer_id")
    names = {"true": "true loyalty", "latent": "latent loyalty"}
    names |= {"spurious": "spurious loyalty", "none": "no loyalty"}
    truth = case.truth.set_index("customer_id")["loyalty_type"].map(names)
    truth = truth.reindex(m.classes.index)
    agree = (m.classes.astype(str) == truth).mean()
    # Four classes: chance is about 1/4, and the largest true class alone is under 40%.
    assert truth.value_counts(normalize=True).max() < 0.4
    assert agree > 0.45
    # The attitude side alone (true + latent vs the rest) is recovered far more often.
    high_att = m.classes.isin(["true loyalty", "latent loyalty"])
    assert (high_att == truth.isin(["true loyalty", "latent loyalty"])).mean() > 0.7
    assert m.table["customers"].sum() == len(df)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"attitude_col": "nps"},
            ValueError,
            r"`df` has no column 'nps'. Available columns: 'att', 'beh', 'id'",
        ),
        ({"attitude_threshold": "high"}, TypeError, r"`attitude_threshold` must be a number"),
        ({"behaviour_threshold": float("inf")}, ValueError, r"`behaviour_threshold` must be"),
        ({"id_col": "id"}, ValueError, r"column 'id' of `df` repeats customer ids"),
    ],
)
def test_loyalty_matrix_errors(kwargs, error, match):
    df = pd.DataFrame({"att": [1.0, 2.0], "beh": [3.0, 4.0], "id": [1, 1]})
    args = {"attitude_col": "att", "behaviour_col": "beh"} | kwargs
    with pytest.raises(error, match=match):
        loyalty.loyalty_matrix(df, **args)


def test_loyalty_matrix_rejects_missing_values_and_empty_frames():
    with pytest.raises(ValueError, match=r"column 'beh' of `df` has 1 missing value"):
        loyalty.loyalty_matrix(pd.DataFrame({"att": [1.0], "beh": [np.nan]}), "att", "beh")
    with pytest.raises(ValueError, match=r"`df` is empty \(0 rows\)"):
        loyalty.loyalty_matrix(pd.DataFrame({"att": [], "beh": []}), "att", "beh")
    with pytest.raises(TypeError, match=r"column 'att' of `df` must hold numbers"):
        loyalty.loyalty_matrix(pd.DataFrame({"att": ["x"], "beh": [1.0]}), "att", "beh")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(0, 1e3)), min_size=1, max_size=50),
    st.one_of(st.none(), st.floats(-1e3, 1e3)),
    st.one_of(st.none(), st.floats(0, 1e3)),
)
def test_loyalty_classes_partition_the_customers(rows, a_cut, b_cut):
    df = pd.DataFrame(rows, columns=["att", "beh"])
    m = loyalty.loyalty_matrix(df, "att", "beh", a_cut, b_cut)
    assert len(m.classes) == len(df) and m.classes.notna().all()
    assert m.table["customers"].sum() == len(df)
    assert m.table["share"].sum() == pytest.approx(1.0)
    counts = m.classes.value_counts().reindex(list(loyalty.LOYALTY_CLASSES))
    assert counts.tolist() == m.table["customers"].tolist()
    high_att = df["att"] >= m.attitude_threshold
    assert (m.classes.isin(["true loyalty", "latent loyalty"]) == high_att).all()


# ---------------------------------------------------------------------------
# profitability pyramid
# ---------------------------------------------------------------------------


def test_pyramid_rank_sizes_and_ties_by_id():
    profit = pd.Series([5.0, 5.0, 5.0, 1.0], index=[30, 10, 20, 40])
    pyr = loyalty.profitability_pyramid(profit, {"top": 0.25, "rest": 0.75})
    assert pyr.tiers.to_dict() == {30: "rest", 10: "top", 20: "rest", 40: "rest"}
    assert pyr.table["customers"].tolist() == [1, 3]
    # shares round up: 10% of 12 customers is 1.2 -> 2 customers
    pyr = loyalty.profitability_pyramid(list(range(12)), {"a": 0.1, "b": 0.9})
    assert pyr.table["customers"].tolist() == [2, 10]
    assert pyr.tiers.iloc[-2:].tolist() == ["a", "a"]


def test_pyramid_quantile_keeps_ties_together():
    profit = pd.Series([5.0, 5.0, 5.0, 1.0], index=[30, 10, 20, 40])
    pyr = loyalty.profitability_pyramid(profit, {"top": 0.25, "rest": 0.75}, method="quantile")
    assert pyr.tiers.tolist() == ["rest"] * 4  # nobody is above the 75th percentile (5.0)


def test_pyramid_losses_go_to_the_last_tier():
    profit = pd.Series([-10.0, -20.0, -5.0, 3.0])
    kept = loyalty.profitability_pyramid(profit, {"gold": 0.5, "lead": 0.5})
    assert kept.tiers.tolist() == ["lead", "lead", "lead", "gold"]
    assert kept.table["loss_making"].tolist() == [0, 3]
    raw = loyalty.profitability_pyramid(profit, {"gold": 0.5, "lead": 0.5}, losses_last=False)
    assert raw.tiers.tolist() == ["lead", "lead", "gold", "gold"]
    # total profit is negative: profit shares are undefined
    assert raw.table["profit_share"].isna().all()


def test_pyramid_from_a_transaction_log_adds_up_per_customer():
    tx = pd.DataFrame({"customer_id": [1, 2, 1, 3], "margin": [10.0, 50.0, 45.0, 1.0]})
    pyr = loyalty.profitability_pyramid(tx, {"top": 1 / 3, "middle": 1 / 3, "bottom": 1 / 3})
    assert pyr.tiers.index.name == "customer_id"
    assert pyr.tiers.to_dict() == {1: "top", 2: "middle", 3: "bottom"}
    assert pyr.table["profit"].tolist() == [55.0, 50.0, 1.0]
    assert pyr.table["profit_share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("method", ["rank", "quantile"])
def test_pyramid_reproduces_the_case_value_tiers(case, method):
    """The generator tiers customers by expected margin: platinum 5%, gold 15%, iron 30%."""
    truth = case.truth.set_index("customer_id")
    pyr = loyalty.profitability_pyramid(truth["expected_margin_52w"], method=method)
    assert (pyr.tiers.astype(str) == truth["value_tier"]).all()
    assert pyr.table["customers"].tolist() == [250, 750, 1500, 2500]
    assert pyr.table["profit_share"].iloc[0] > 0.2  # the top 5% carry a large share


def test_pyramid_on_the_case_margin_is_monotone(case):
    pyr = loyalty.profitability_pyramid(case.transactions)
    t = pyr.table
    assert t.index.tolist() == ["platinum", "gold", "iron", "lead"]
    assert t["customers"].sum() == case.transactions["customer_id"].nunique()
    assert t["profit"].sum() == pytest.approx(case.transactions["margin"].sum())
    assert (np.diff(t["mean_profit"]) < 0).all()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: loyalty.profitability_pyramid([1.0, 2.0], {"a": 0.5, "b": 0.4}),
            ValueError,
            r"must add up to 1.*they add up to 0.9",
        ),
        (
            lambda: loyalty.profitability_pyramid([1.0], {"a": 1.5, "b": -0.5}),
            ValueError,
            r"`tiers\['a'\]` must be in \(0, 1\], got 1.5",
        ),
        (
            lambda: loyalty.profitability_pyramid([1.0], {"a": 1.0}),
            TypeError,
            r"at least two tiers",
        ),
        (
            lambda: loyalty.profitability_pyramid([1.0], method="abc"),
            ValueError,
            r"`method` must be one of 'rank', 'quantile'",
        ),
        (
            lambda: loyalty.profitability_pyramid([1.0, np.nan]),
            ValueError,
            r"`profit` has 1 missing value",
        ),
        (
            lambda: loyalty.profitability_pyramid(pd.Series([1.0, 2.0], index=[4, 4])),
            ValueError,
            r"repeated customer ids.*groupby\(level=0\)",
        ),
        (
            lambda: loyalty.profitability_pyramid(pd.DataFrame({"customer_id": [1], "x": [1]})),
            ValueError,
            r"`profit` has no column 'margin'. Available columns: 'customer_id', 'x'",
        ),
        (
            lambda: loyalty.profitability_pyramid(
                pd.DataFrame({"customer_id": [1, None], "margin": [1.0, 2.0]})
            ),
            ValueError,
            r"column 'customer_id' of `profit` has 1 missing value",
        ),
        (lambda: loyalty.profitability_pyramid([]), ValueError, r"`profit` is empty"),
        (
            lambda: loyalty.profitability_pyramid([1.0], losses_last="yes"),
            TypeError,
            r"`losses_last` must be True or False",
        ),
    ],
)
def test_pyramid_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(-1e4, 1e5), min_size=1, max_size=80),
    st.sampled_from(["rank", "quantile"]),
    st.booleans(),
)
def test_pyramid_tiers_partition_and_are_ordered_by_profit(values, method, losses_last):
    pyr = loyalty.profitability_pyramid(values, method=method, losses_last=losses_last)
    assert pyr.table["customers"].sum() == len(values)
    assert pyr.table["customer_share"].sum() == pytest.approx(1.0)
    assert pyr.table["profit"].sum() == pytest.approx(sum(values), abs=1e-6)
    codes = pyr.tiers.cat.codes.to_numpy()
    v = np.asarray(values)
    # A customer in a more profitable tier never earns less than one in a lower tier.
    for k in range(codes.max()):
        if (codes == k).any() and (codes > k).any():
            assert v[codes == k].min() >= v[codes > k].max()
    if losses_last:
        assert (codes[v < 0] == len(loyalty.DEFAULT_TIERS) - 1).all()
    if method == "rank" and not (losses_last and (v < 0).any()):
        top = math.ceil(round(0.05 * len(values), 9))
        assert pyr.table["customers"].iloc[0] == top


# ---------------------------------------------------------------------------
# attitude per customer
# ---------------------------------------------------------------------------


def test_customer_attitude_by_hand():
    surveys = pd.DataFrame(
        {"customer_id": [7, 3, 7, 3, 5, 7], "nps": [10, 2, 7, 5, 9, 1], "csat": [5, 1, 4, 2, 5, 3]}
    )
    # Customer 3: (2 + 5) / 2; customer 5: 9; customer 7: (10 + 7 + 1) / 3.
    nps_mean = loyalty.customer_attitude(surveys)
    assert nps_mean.index.tolist() == [3, 5, 7] and nps_mean.index.name == "customer_id"
    assert nps_mean.name == "nps"
    assert nps_mean.tolist() == pytest.approx([3.5, 9.0, 6.0])
    csat = loyalty.customer_attitude(surveys, "csat", scale=(1, 5))
    assert csat.name == "csat" and csat.tolist() == pytest.approx([1.5, 5.0, 4.0])
    # Another id column; string ids.
    other = surveys.rename(columns={"customer_id": "client"}).assign(client=list("bcbcab"))
    by_client = loyalty.customer_attitude(other, customer_col="client")
    assert by_client.to_dict() == pytest.approx({"a": 9.0, "b": 6.0, "c": 3.5})


def test_customer_attitude_on_the_case_is_the_mean_answer(case):
    got = loyalty.customer_attitude(case.surveys)
    plain = case.surveys.groupby("customer_id")["nps"].mean()
    pd.testing.assert_series_equal(got, plain, check_dtype=False)
    assert len(got) == case.surveys["customer_id"].nunique()
    # It feeds the loyalty matrix as its attitude axis.
    purchases = case.transactions.groupby("customer_id").size().rename("purchases")
    m = loyalty.loyalty_matrix(got.to_frame().join(purchases), "nps", "purchases")
    assert m.table["customers"].sum() == len(got)


@pytest.mark.parametrize(
    ("surveys", "kwargs", "error", "match"),
    [
        ([9, 10], {}, TypeError, r"`surveys` must be a pandas DataFrame, got list"),
        (
            pd.DataFrame({"customer_id": [1], "csat": [4]}),
            {},
            ValueError,
            r"`surveys` has no column 'nps'. Available columns: 'customer_id', 'csat'",
        ),
        (
            pd.DataFrame({"client": [1], "nps": [4]}),
            {},
            ValueError,
            r"`surveys` has no column 'customer_id'",
        ),
        (
            pd.DataFrame({"customer_id": [1, None], "nps": [4, 5]}),
            {},
            ValueError,
            r"column 'customer_id' of `surveys` has 1 missing value",
        ),
        (
            pd.DataFrame({"customer_id": [1, 2], "nps": [4, 11]}),
            {},
            ValueError,
            r"column 'nps' of `surveys` has 1 answer\(s\) outside 0-10 .*scale=\(low, high\)",
        ),
        (
            pd.DataFrame({"customer_id": [1, 2], "csat": [4, 0]}),
            {"score_col": "csat", "scale": (1, 5)},
            ValueError,
            r"outside 1-5",
        ),
        (
            pd.DataFrame({"customer_id": [1, 2], "nps": [4.5, 5]}),
            {},
            ValueError,
            r"not whole numbers",
        ),
        (
            pd.DataFrame({"customer_id": [1, 2], "nps": [4, None]}),
            {},
            ValueError,
            r"column 'nps' of `surveys` has 1 missing value",
        ),
        (
            pd.DataFrame({"customer_id": [1], "nps": [4]}),
            {"scale": (10, 0)},
            ValueError,
            r"`scale` must be \(lowest, highest\) answer with lowest < highest, e.g. \(0, 10\)",
        ),
        (
            pd.DataFrame({"customer_id": [1], "nps": [4]}),
            {"score_col": "customer_id"},
            ValueError,
            r"`score_col` and `customer_col` are both 'customer_id'",
        ),
        (
            pd.DataFrame({"customer_id": [], "nps": []}),
            {},
            ValueError,
            r"`surveys` is empty",
        ),
    ],
)
def test_customer_attitude_errors(surveys, kwargs, error, match):
    with pytest.raises(error, match=match):
        loyalty.customer_attitude(surveys, **kwargs)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 10)), min_size=1, max_size=40))
def test_customer_attitude_is_within_each_customers_answers(rows):
    surveys = pd.DataFrame(rows, columns=["customer_id", "nps"])
    att = loyalty.customer_attitude(surveys)
    assert att.index.is_monotonic_increasing
    assert set(att.index) == set(surveys["customer_id"])
    lo = surveys.groupby("customer_id")["nps"].min()
    hi = surveys.groupby("customer_id")["nps"].max()
    assert ((att >= lo - 1e-12) & (att <= hi + 1e-12)).all()
    # Weighted by each customer's number of answers, the means give back the overall mean.
    n = surveys["customer_id"].value_counts().reindex(att.index)
    assert (att * n).sum() / n.sum() == pytest.approx(surveys["nps"].mean())


# ---------------------------------------------------------------------------
# inputs are never modified
# ---------------------------------------------------------------------------


def test_inputs_are_not_modified(case):
    surveys = case.surveys.merge(case.customers[["customer_id", "segment"]], on="customer_id")
    tx = case.transactions
    aggregated = _case_attitude_behaviour(case)
    spend = pd.Series([1.0, 2.0])
    wallet = pd.Series([2.0, 2.0])
    frames = [surveys, tx, aggregated, spend, wallet]
    before = [f.copy(deep=True) for f in frames]
    loyalty.nps(surveys, by="segment")
    loyalty.nps_group(surveys)
    loyalty.satisfaction_index(surveys, by="segment", method="top2")
    loyalty.share_of_wallet(spend, wallet)
    attitude = loyalty.customer_attitude(surveys)
    m = loyalty.loyalty_matrix(aggregated, "mean_nps", "purchases", id_col="customer_id")
    pyr = loyalty.profitability_pyramid(tx)
    for old, new in zip(before, frames, strict=True):
        if isinstance(old, pd.DataFrame):
            pd.testing.assert_frame_equal(old, new)
        else:
            pd.testing.assert_series_equal(old, new)
    # Results do not share memory with the inputs: changing them leaves the inputs intact.
    m.classes.iloc[0] = "no loyalty"
    attitude.iloc[0] = -1.0
    pyr.tiers.iloc[0] = "lead"
    pd.testing.assert_frame_equal(before[2], aggregated)
    pd.testing.assert_frame_equal(before[1], tx)
    pd.testing.assert_frame_equal(before[0], surveys)
