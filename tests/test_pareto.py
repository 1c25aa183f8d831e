"""Concentration of customer value: Pareto table, top share, Lorenz, Gini, ABC."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rmlib import pareto
from rmlib.datasets import load_case

# ---------------------------------------------------------------------------
# hand-computed examples
# ---------------------------------------------------------------------------


def test_pareto_table_by_hand():
    tx = pd.DataFrame({"customer_id": [3, 1, 2, 1, 4], "amount": [10.0, 20.0, 60.0, 20.0, 0.0]})
    t = pareto.pareto_table(tx)
    assert list(t.columns) == list(pareto.TABLE_COLUMNS)
    assert t.index.name == "customer_id"
    assert list(t.index) == [2, 1, 3, 4]
    assert t["rank"].tolist() == [1, 2, 3, 4]
    assert t["value"].tolist() == [60.0, 40.0, 10.0, 0.0]
    np.testing.assert_allclose(t["share"], [60 / 110, 40 / 110, 10 / 110, 0])
    np.testing.assert_allclose(t["cum_share"], [60 / 110, 100 / 110, 1.0, 1.0])
    assert t["cum_customer_share"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert t["cum_share"].iloc[-1] == 1.0


def test_ties_are_broken_by_ascending_customer_id():
    values = pd.Series([5.0, 9.0, 5.0, 5.0], index=[40, 7, 3, 12])
    t = pareto.pareto_table(values)
    assert list(t.index) == [7, 3, 12, 40]
    assert pareto.abc_classes(values, 0.5, 0.8).index.tolist() == [7, 3, 12, 40]


def test_series_frame_and_list_agree():
    values = pd.Series([3.0, 1.0, 6.0], index=pd.Index([10, 20, 30], name="customer_id"))
    frame = values.rename("amount").reset_index()
    a = pareto.pareto_table(values)
    b = pareto.pareto_table(frame)
    pd.testing.assert_frame_equal(a, b)
    c = pareto.pareto_table([3.0, 1.0, 6.0])
    np.testing.assert_array_equal(c["cum_share"], a["cum_share"])
    assert list(c.index) == [2, 0, 1]


def test_custom_column_names():
    tx = pd.DataFrame({"client": ["x", "y", "x"], "profit": [1.0, 2.0, 3.0]})
    t = pareto.pareto_table(tx, customer_col="client", amount_col="profit")
    assert list(t.index) == ["x", "y"] and t["value"].tolist() == [4.0, 2.0]
    assert pareto.top_share(tx, 0.5, customer_col="client", amount_col="profit") == 4 / 6


def test_top_share_by_hand_and_rounding_up():
    v = [50, 30, 10, 5, 5]
    assert pareto.top_share(v, 0.2) == 0.5
    assert pareto.top_share(v, 0.5) == 0.9  # ceil(2.5) = 3 customers
    assert pareto.top_share(v, 0.0) == 0.0
    assert pareto.top_share(v, 1.0) == 1.0
    assert pareto.top_share(v, 0.01) == 0.5  # at least one customer once top > 0


def test_top_share_ignores_floating_point_noise():
    # 0.07 * 100 is 7.000000000000001 in floating point: still the top 7 customers
    assert 0.07 * 100 > 7
    values = np.arange(100, 0, -1, dtype=float)
    expected = values[:7].sum() / values.sum()
    assert pareto.top_share(values, 0.07) == pytest.approx(expected, abs=1e-15)


def test_top_share_accepts_a_pareto_table():
    values = pd.Series([4.0, 1.0, 3.0, 2.0])
    table = pareto.pareto_table(values)
    assert pareto.top_share(table, 0.5) == pareto.top_share(values, 0.5) == 0.7


def test_customer_share_needed():
    v = [50, 30, 10, 5, 5]
    assert pareto.customer_share_needed(v, 0.8) == 0.4
    assert pareto.customer_share_needed(v, 0.81) == 0.6
    assert pareto.customer_share_needed(v, 1.0) == 1.0
    assert pareto.customer_share_needed(v, 0.0) == 0.0
    # ten equal customers: 80% of value needs exactly 8 of them despite rounding
    assert pareto.customer_share_needed([0.1] * 10, 0.8) == 0.8
    # fifteen equal customers: the running share of 12 is 0.8 plus a rounding error
    assert pareto.customer_share_needed([1 / 3] * 15, 0.8) == 0.8


def test_lorenz_curve_by_hand():
    c = pareto.lorenz_curve(pd.Series([30.0, 10.0, 60.0]))
    assert list(c.columns) == ["customer_share", "value_share"]
    np.testing.assert_allclose(c["customer_share"], [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(c["value_share"], [0, 0.1, 0.4, 1.0])
    assert c["value_share"].iloc[-1] == 1.0


def test_gini_by_hand():
    assert pareto.gini([5, 5, 5, 5]) == 0.0
    assert pareto.gini([0, 0, 0, 10]) == pytest.approx(0.75, abs=1e-15)
    assert pareto.gini([10, 0, 0, 0]) == pytest.approx(0.75, abs=1e-15)
    assert pareto.gini([7.0]) == 0.0
    # 1, 2, 3: 2 * (1 + 4 + 9) / (3 * 6) - 4 / 3 = 2/9
    assert pareto.gini([3, 1, 2]) == pytest.approx(2 / 9, abs=1e-15)


def test_gini_is_one_minus_twice_the_area_under_the_lorenz_curve():
    rng = np.random.default_rng(0)
    v = rng.lognormal(7, 1.5, size=300)
    c = pareto.lorenz_curve(v)
    area = np.trapezoid(c["value_share"], c["customer_share"])
    assert pareto.gini(v) == pytest.approx(1 - 2 * area, abs=1e-12)
    assert pareto.gini(pareto.pareto_table(v)) == pytest.approx(pareto.gini(v), abs=1e-15)


def test_gini_is_scale_and_order_invariant():
    v = np.array([1.0, 7.0, 3.0, 0.0, 12.0])
    assert pareto.gini(v) == pytest.approx(pareto.gini(v[::-1] * 1000), abs=1e-12)


def test_abc_classes_by_hand():
    s = pareto.abc_classes(pd.Series([50, 30, 10, 5, 5], index=list("vwxyz")))
    assert s.name == "abc_class"
    assert s.to_dict() == {"v": "A", "w": "A", "x": "B", "y": "B", "z": "C"}


def test_abc_uses_the_share_including_the_customer():
    # the largest customer alone brings 90% > 80%: under the "including" rule not class A
    s = pareto.abc_classes([90, 6, 4])
    assert s.tolist() == ["B", "C", "C"]
    assert (pareto.abc_summary([90, 6, 4])["customers"] == [0, 1, 2]).all()


def test_abc_tolerance_at_exactly_the_cut_off():
    # fifteen equal customers: the 12th brings the running share to exactly 12/15 = 0.8,
    # but in floating point the running share lands a hair above 0.8
    values = [1 / 3] * 15
    assert (pareto.pareto_table(values)["cum_share"] <= 0.8).sum() == 11
    s = pareto.abc_classes(values)
    assert s.value_counts().to_dict() == {"A": 12, "B": 2, "C": 1}
    # a running share a rounding error above 0.8 still counts as 0.8
    table = pd.DataFrame(
        {
            "rank": [1, 2],
            "value": [4.0, 1.0],
            "share": [0.8, 0.2],
            "cum_share": [0.8 + 1e-13, 1.0],
            "cum_customer_share": [0.5, 1.0],
        }
    )
    assert pareto.abc_classes(table).tolist() == ["A", "C"]


def test_abc_summary_by_hand():
    s = pareto.abc_summary([50, 30, 10, 5, 5], a=0.8, b=0.95)
    assert s["abc_class"].tolist() == ["A", "B", "C"]
    assert s["customers"].tolist() == [2, 2, 1]
    np.testing.assert_allclose(s["customer_share"], [0.4, 0.4, 0.2])
    np.testing.assert_allclose(s["value"], [80, 15, 5])
    np.testing.assert_allclose(s["value_share"], [0.8, 0.15, 0.05])


def test_abc_custom_cut_offs():
    s = pareto.abc_classes([50, 30, 10, 5, 5], a=0.5, b=0.9)
    assert s.tolist() == ["A", "B", "B", "C", "C"]


# ---------------------------------------------------------------------------
# bad input: every message names the argument and the fix
# ---------------------------------------------------------------------------


def test_missing_column_lists_available():
    tx = pd.DataFrame({"customer": [1], "amount": [2.0]})
    with pytest.raises(ValueError, match=r"no column 'customer_id'. Available columns: 'customer'"):
        pareto.pareto_table(tx)
    with pytest.raises(
        ValueError, match=r"no column 'revenue'. Available columns: 'customer', 'amount'"
    ):
        pareto.gini(tx, customer_col="customer", amount_col="revenue")


def test_missing_customer_ids():
    tx = pd.DataFrame({"customer_id": [1.0, np.nan], "amount": [2.0, 3.0]})
    with pytest.raises(ValueError, match=r"column 'customer_id' of `values` has 1 missing"):
        pareto.pareto_table(tx)
    s = pd.Series([1.0, 2.0], index=[1.0, np.nan])
    with pytest.raises(ValueError, match=r"index of `values` \(the customer ids\) has 1 missing"):
        pareto.gini(s)


def test_missing_or_negative_amounts_in_a_log():
    with pytest.raises(ValueError, match=r"column 'amount' of `values` has 1 missing"):
        pareto.top_share(pd.DataFrame({"customer_id": [1, 2], "amount": [1.0, np.nan]}))
    with pytest.raises(ValueError, match=r"column 'amount' of `values` has 1 negative"):
        pareto.abc_classes(pd.DataFrame({"customer_id": [1, 2], "amount": [1.0, -5.0]}))
    with pytest.raises(TypeError, match=r"column 'amount' of `values` must be numeric"):
        pareto.pareto_table(pd.DataFrame({"customer_id": [1], "amount": ["12"]}))


def test_bad_values_in_a_series():
    with pytest.raises(ValueError, match=r"1 negative value\(s\) \(first for customer\(s\) \[2\]"):
        pareto.gini(pd.Series([5.0, -1.0], index=[1, 2]))
    with pytest.raises(ValueError, match=r"clip\(lower=0\)"):
        pareto.gini(pd.Series([5.0, -1.0], index=[1, 2]))
    with pytest.raises(ValueError, match=r"1 missing value\(s\) \(first for customer\(s\) \[7\]"):
        pareto.pareto_table(pd.Series([np.nan, 1.0], index=[7, 8]))
    with pytest.raises(TypeError, match=r"must hold numbers.*pd.to_numeric"):
        pareto.pareto_table(pd.Series(["a", "b"]))
    with pytest.raises(TypeError, match=r"must hold numbers"):
        pareto.pareto_table(pd.Series([True, False]))
    with pytest.raises(ValueError, match=r"infinite"):
        pareto.gini([1.0, np.inf])
    with pytest.raises(ValueError, match=r"repeated customer ids.*groupby\(level=0\)"):
        pareto.pareto_table(pd.Series([1.0, 2.0], index=[5, 5]))


def test_empty_and_zero_input():
    with pytest.raises(ValueError, match=r"`values` is empty \(0 rows\)"):
        pareto.pareto_table(pd.DataFrame({"customer_id": [], "amount": []}))
    with pytest.raises(ValueError, match=r"`values` is empty; pass the value"):
        pareto.gini([])
    with pytest.raises(ValueError, match=r"`values` is empty"):
        pareto.gini(pd.Series([], dtype=float))
    with pytest.raises(ValueError, match=r"adds up to 0"):
        pareto.gini([0.0, 0.0])


def test_wrong_types_and_shapes():
    with pytest.raises(TypeError, match=r"must be a Series of value per customer.*got dict"):
        pareto.gini({"a": 1})
    with pytest.raises(ValueError, match=r"one-dimensional.*shape \(2, 2\)"):
        pareto.gini(np.ones((2, 2)))


def test_threshold_errors():
    v = [3.0, 2.0, 1.0]
    with pytest.raises(ValueError, match=r"`top` must be in \[0, 1\], got 20. .*0.2 for 20%"):
        pareto.top_share(v, 20)
    with pytest.raises(ValueError, match=r"`top` must be in \[0, 1\], got -0.1"):
        pareto.top_share(v, -0.1)
    with pytest.raises(TypeError, match=r"`top` must be a number"):
        pareto.top_share(v, "20%")
    with pytest.raises(ValueError, match=r"`value_share` must be in \[0, 1\]"):
        pareto.customer_share_needed(v, 80)
    with pytest.raises(ValueError, match=r"`a` must be in \[0, 1\], got 80. .*0.8, not 80"):
        pareto.abc_classes(v, a=80, b=95)
    with pytest.raises(ValueError, match=r"`b` must be in \[0, 1\], got 1.5"):
        pareto.abc_summary(v, a=0.8, b=1.5)
    with pytest.raises(ValueError, match=r"`b` \(0.8\) must be greater than `a` \(0.9\)"):
        pareto.abc_classes(v, a=0.9, b=0.8)
    with pytest.raises(ValueError, match=r"`b` \(0.8\) must be greater than `a` \(0.8\)"):
        pareto.abc_summary(v, a=0.8, b=0.8)


def test_broken_pareto_table_is_rejected():
    table = pareto.pareto_table([3.0, 2.0, 1.0])
    shuffled = table.iloc[::-1]
    with pytest.raises(ValueError, match=r"'cum_share' of `values` must rise.*pareto_table"):
        pareto.top_share(shuffled, 0.5)
    with pytest.raises(ValueError, match=r"empty Pareto table"):
        pareto.abc_summary(table.iloc[:0])


def test_inputs_are_not_modified():
    tx = pd.DataFrame({"customer_id": [3, 1, 2, 1], "amount": [10.0, 20.0, 60.0, 5.0]})
    values = pd.Series([5.0, 1.0, 3.0], index=[9, 8, 7], name="revenue")
    arr = np.array([4.0, 1.0, 2.0])
    tx0, values0, arr0 = tx.copy(deep=True), values.copy(deep=True), arr.copy()
    for data in (tx, values, arr):
        table = pareto.pareto_table(data)
        table0 = table.copy(deep=True)
        pareto.top_share(data, 0.3)
        pareto.customer_share_needed(data, 0.8)
        pareto.lorenz_curve(data)
        pareto.gini(data)
        pareto.abc_classes(data)
        pareto.abc_summary(data)
        for fn in (pareto.top_share, pareto.abc_classes, pareto.abc_summary, pareto.gini):
            fn(table)
        pd.testing.assert_frame_equal(table, table0)
    pd.testing.assert_frame_equal(tx, tx0)
    pd.testing.assert_series_equal(values, values0)
    np.testing.assert_array_equal(arr, arr0)
    # the returned table is a new object, not a view on the input's index/values
    t = pareto.pareto_table(values)
    t.loc[9, "value"] = -1.0
    pd.testing.assert_series_equal(values, values0)


# ---------------------------------------------------------------------------
# invariants
# ---------------------------------------------------------------------------

money = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
value_lists = st.one_of(
    st.lists(money, min_size=1, max_size=60),
    st.lists(st.integers(0, 5).map(float), min_size=1, max_size=60),  # many ties and zeros
)


@settings(max_examples=150, deadline=None)
@given(value_lists)
def test_shares_are_in_unit_interval_and_monotone(values):
    assume(sum(values) > 0)
    t = pareto.pareto_table(values)
    for col in ("share", "cum_share", "cum_customer_share"):
        assert t[col].between(0, 1).all()
    cum = t["cum_share"].to_numpy()
    assert (np.diff(cum) >= 0).all()
    assert cum[-1] == 1.0
    assert (np.diff(t["value"].to_numpy()) <= 0).all()
    np.testing.assert_allclose(t["share"].sum(), 1.0, rtol=1e-9)
    c = pareto.lorenz_curve(values)
    assert (c.iloc[0] == 0).all() and c["value_share"].iloc[-1] == 1.0
    assert (np.diff(c["value_share"]) >= 0).all()
    assert (c["value_share"] <= c["customer_share"] + 1e-12).all()  # below the diagonal


@settings(max_examples=150, deadline=None)
@given(
    value_lists,
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_abc_classes_partition_the_customers_in_rank_order(values, x, y):
    assume(sum(values) > 0)
    a, b = min(x, y), max(x, y)
    assume(b > a)
    cls = pareto.abc_classes(values, a, b)
    t = pareto.pareto_table(values)
    assert cls.index.equals(t.index)
    assert set(cls) <= {"A", "B", "C"} and len(cls) == len(values)
    order = cls.map({"A": 0, "B": 1, "C": 2}).to_numpy()
    assert (np.diff(order) >= 0).all()  # A before B before C in rank order
    s = pareto.abc_summary(values, a, b)
    assert s["customers"].sum() == len(values)
    assert s["customer_share"].sum() == pytest.approx(1.0)
    assert s["value_share"].sum() == pytest.approx(1.0)
    assert s["customers"].tolist() == [int((cls == k).sum()) for k in "ABC"]


@settings(max_examples=150, deadline=None)
@given(value_lists)
def test_gini_in_unit_interval(values):
    assume(sum(values) > 0)
    g = pareto.gini(values)
    n = len(values)
    assert 0 <= g < 1
    assert g <= (n - 1) / n + 1e-12


@settings(max_examples=150, deadline=None)
@given(value_lists, st.floats(0, 1), st.floats(0, 1))
def test_top_share_is_monotone_and_at_least_proportional(values, t1, t2):
    assume(sum(values) > 0)
    lo, hi = min(t1, t2), max(t1, t2)
    s_lo, s_hi = pareto.top_share(values, lo), pareto.top_share(values, hi)
    assert 0 <= s_lo <= s_hi <= 1
    k = math.ceil(round(hi * len(values), 9))
    assert s_hi >= k / len(values) - 1e-12  # the best k customers bring at least k/n
    share_needed = pareto.customer_share_needed(values, s_hi)
    assert share_needed <= k / len(values) + 1e-12


# ---------------------------------------------------------------------------
# the shipped case, against a plain pandas calculation
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def case_tx():
    return load_case().transactions


def test_case_revenue_is_pareto_like(case_tx):
    revenue = case_tx.groupby("customer_id")["amount"].sum()
    ranked = revenue.sort_values(ascending=False)
    plain_top20 = ranked.iloc[: math.ceil(0.2 * len(ranked))].sum() / ranked.sum()
    top20 = pareto.top_share(case_tx)
    assert top20 == pytest.approx(plain_top20, abs=1e-9)
    assert top20 > 0.5
    assert pareto.top_share(revenue, 0.2) == top20


def test_case_gini_matches_plain_formula(case_tx):
    revenue = case_tx.groupby("customer_id")["amount"].sum()
    x = np.sort(revenue.to_numpy())
    i = np.arange(1, x.size + 1)
    plain = 2 * (i * x).sum() / (x.size * x.sum()) - (x.size + 1) / x.size
    assert pareto.gini(case_tx) == pytest.approx(plain, abs=1e-9)
    assert 0.5 < pareto.gini(case_tx) < 1


def test_case_abc_matches_plain_rule(case_tx):
    revenue = case_tx.groupby("customer_id")["amount"].sum()
    ranked = revenue.sort_values(ascending=False)
    cum = ranked.cumsum() / ranked.sum()
    plain = pd.Series(np.where(cum <= 0.80, "A", np.where(cum <= 0.95, "B", "C")), ranked.index)
    got = pareto.abc_classes(case_tx)
    assert set(got.index) == set(plain.index)
    assert (got.loc[plain.index].to_numpy() == plain.to_numpy()).all()
    summary = pareto.abc_summary(case_tx).set_index("abc_class")
    assert summary.loc["A", "customers"] == int((cum <= 0.80).sum())
    assert summary.loc["A", "value"] == pytest.approx(ranked[cum <= 0.80].sum())


def test_net_revenue_subtracts_each_customers_refunds_and_keeps_everyone_who_bought():
    tx = pd.DataFrame({"customer_id": [3, 1, 1, 2], "amount": [40.0, 100.0, 50.0, 80.0]})
    back = pd.DataFrame({"customer_id": [1, 3], "amount": [30.0, 40.0]})
    before = (tx.copy(), back.copy())
    net = pareto.net_revenue(tx, back)
    assert net.to_dict() == {1: 120.0, 2: 80.0, 3: 0.0}
    assert net.name == "net_revenue"
    pd.testing.assert_frame_equal(tx, before[0])
    pd.testing.assert_frame_equal(back, before[1])
    assert pareto.net_revenue(tx, back.iloc[:0]).to_dict() == {1: 150.0, 2: 80.0, 3: 40.0}
    # a net Series is what the value measures take
    assert pareto.top_share(net, 0.5) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "returns, message",
    [
        (pd.DataFrame({"customer_id": [9], "amount": [1.0]}), "no purchase in `transactions`"),
        (pd.DataFrame({"customer_id": [2], "amount": [81.0]}), "refunds more than was paid"),
        (pd.DataFrame({"customer_id": [2], "amount": [-1.0]}), "negative"),
        (pd.DataFrame({"client": [2], "amount": [1.0]}), "no column 'customer_id'"),
    ],
)
def test_net_revenue_refuses_refunds_that_do_not_fit_the_purchases(returns, message):
    tx = pd.DataFrame({"customer_id": [1, 2], "amount": [10.0, 80.0]})
    with pytest.raises(ValueError, match=re.escape(message)):
        pareto.net_revenue(tx, returns)
