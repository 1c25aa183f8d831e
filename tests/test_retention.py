"""Cohorts, retention and churn, repeat purchases, time between purchases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmlib import retention as rt
from rmlib.datasets import load_case


def log(rows):
    """A transaction log from (customer_id, timestamp string) pairs."""
    ids, times = zip(*rows, strict=True)
    return pd.DataFrame(
        {"customer_id": list(ids), "timestamp": pd.to_datetime(list(times), format="ISO8601")}
    )


@pytest.fixture
def tx():
    # customer 1: three purchases in three months; 2: two receipts on one day;
    # 3: one purchase; 4: January and March 2024; 5: a purchase in 2023 and one in 2024
    return log(
        [
            (1, "2024-01-05 10:00"),
            (1, "2024-02-10 12:00"),
            (1, "2024-03-01 09:00"),
            (2, "2024-01-20 10:00"),
            (2, "2024-01-20 18:00"),
            (3, "2024-02-14 11:00"),
            (4, "2024-01-03 08:00"),
            (4, "2024-03-30 08:00"),
            (5, "2023-12-30 15:00"),
            (5, "2024-02-02 15:00"),
        ]
    )


@pytest.fixture
def customers():
    return pd.DataFrame(
        {"customer_id": [1, 2, 3, 4, 5], "segment": ["B2C", "B2C", "B2B", "B2C", "B2B"]}
    )


# ---------------------------------------------------------------------------
# purchases, relationships, repeat rate
# ---------------------------------------------------------------------------


def test_purchase_counts_by_transaction_and_by_day(tx):
    assert rt.purchase_counts(tx).to_dict() == {1: 3, 2: 2, 3: 1, 4: 2, 5: 2}
    assert rt.purchase_counts(tx, unit="day").to_dict() == {1: 3, 2: 1, 3: 1, 4: 2, 5: 2}
    assert rt.purchase_counts(tx).name == "purchases"
    assert rt.purchase_counts(tx).dtype == "int64"


def test_counting_transactions_needs_no_date_column(tx):
    only_ids = tx[["customer_id"]]
    assert rt.purchase_counts(only_ids).to_dict() == {1: 3, 2: 2, 3: 1, 4: 2, 5: 2}
    with pytest.raises(ValueError, match=r"no column 'timestamp'"):
        rt.purchase_counts(only_ids, unit="day")


def test_in_relationship(tx):
    s = rt.in_relationship(tx)
    assert s.name == "in_relationship" and s.dtype == bool
    assert s.to_dict() == {1: True, 2: True, 3: False, 4: True, 5: True}
    assert rt.in_relationship(tx, unit="day")[2] is np.False_
    assert rt.in_relationship(tx, min_purchases=3).to_dict() == {
        1: True,
        2: False,
        3: False,
        4: False,
        5: False,
    }


def test_repeat_purchase_rate(tx, customers):
    assert rt.repeat_purchase_rate(tx) == 0.8
    assert rt.repeat_purchase_rate(tx, unit="day") == 0.6
    by = rt.repeat_purchase_rate(tx, by="segment", customers=customers)
    assert by.index.name == "segment"
    assert by.to_dict() == {"B2B": 0.5, "B2C": 1.0}
    mapping = customers.set_index("customer_id")["segment"].rename("arm")
    by_series = rt.repeat_purchase_rate(tx, by=mapping)
    assert by_series.index.name == "arm" and by_series.to_dict() == by.to_dict()


def test_repeat_rate_counts_only_buying_customers(tx, customers):
    more = pd.concat(
        [customers, pd.DataFrame({"customer_id": [99], "segment": ["B2C"]})], ignore_index=True
    )
    # a customer on file who never bought does not enter the denominator
    by = rt.repeat_purchase_rate(tx, by="segment", customers=more)
    assert by["B2C"] == 1.0


# ---------------------------------------------------------------------------
# time between purchases
# ---------------------------------------------------------------------------


def test_interpurchase_times_by_hand(tx):
    g = rt.interpurchase_times(tx)
    assert list(g.columns) == [
        "customer_id",
        "purchase_number",
        "previous_date",
        "timestamp",
        "gap_days",
    ]
    assert g["customer_id"].tolist() == [1, 1, 2, 4, 5]
    assert g["purchase_number"].tolist() == [2, 3, 2, 2, 2]
    expected = [
        36 + 2 / 24,  # 5 Jan 10:00 -> 10 Feb 12:00
        20 - 3 / 24,  # 10 Feb 12:00 -> 1 Mar 09:00 (2024 is a leap year)
        8 / 24,  # two receipts on one day
        87,
        34,
    ]
    np.testing.assert_allclose(g["gap_days"], expected)
    assert (g["timestamp"] > g["previous_date"]).all()


def test_interpurchase_times_by_day(tx):
    g = rt.interpurchase_times(tx, unit="day")
    assert g["customer_id"].tolist() == [1, 1, 4, 5]
    np.testing.assert_allclose(g["gap_days"], [36, 20, 87, 34])


def test_identical_times_give_zero_gaps_and_order_does_not_matter():
    t = log([(1, "2024-01-02"), (1, "2024-01-01"), (1, "2024-01-02")])
    g = rt.interpurchase_times(t)
    assert g["gap_days"].tolist() == [1.0, 0.0]
    shuffled = t.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(rt.interpurchase_times(shuffled), g)


def test_interpurchase_summary(tx, customers):
    s = rt.interpurchase_summary(tx)
    assert list(s.index) == [1, 2, 4, 5]
    assert s.loc[1, "purchases"] == 3 and s.loc[1, "gaps"] == 2
    assert s.loc[1, "mean_gap_days"] == pytest.approx((36 + 2 / 24 + 20 - 3 / 24) / 2)
    assert s.loc[4, "median_gap_days"] == 87
    by = rt.interpurchase_summary(tx, by="segment", customers=customers)
    assert by["segment"].to_dict() == {1: "B2C", 2: "B2C", 4: "B2C", 5: "B2B"}
    g = rt.interpurchase_times(tx, by="segment", customers=customers)
    assert g["segment"].tolist() == ["B2C", "B2C", "B2C", "B2C", "B2B"]


def test_no_repeat_purchases_gives_empty_tables():
    t = log([(1, "2024-01-01"), (2, "2024-01-02")])
    assert rt.interpurchase_times(t).empty
    s = rt.interpurchase_summary(t)
    assert s.empty and list(s.columns) == ["purchases", "gaps", "mean_gap_days", "median_gap_days"]
    assert rt.repeat_purchase_rate(t) == 0.0


# ---------------------------------------------------------------------------
# cohorts
# ---------------------------------------------------------------------------


def test_cohort_table_by_hand(tx):
    c = rt.cohort_table(tx)
    assert c.index.name == "cohort" and c.columns.name == "periods_since_first"
    assert [str(p) for p in c.index] == ["2023-12", "2024-01", "2024-02"]
    assert list(c.columns) == [0, 1, 2, 3]
    # cohort 2023-12: customer 5, back in February (2 months later)
    assert c.loc[pd.Period("2023-12", "M")].tolist() == [1, 0, 1, 0]
    # cohort 2024-01: customers 1, 2, 4; 1 buys in Feb and Mar, 4 in Mar
    assert c.loc[pd.Period("2024-01", "M")].tolist()[:3] == [3, 1, 2]
    assert c.loc[pd.Period("2024-01", "M"), 3] is pd.NA  # April is after the data
    assert c.loc[pd.Period("2024-02", "M")].tolist()[:2] == [1, 0]
    assert c.loc[pd.Period("2024-02", "M")].isna().tolist() == [False, False, True, True]
    assert c.dtypes.eq("Int64").all()


def test_retention_matrix_by_hand(tx):
    m = rt.retention_matrix(tx)
    assert (m[0] == 1.0).all()
    row = m.loc[pd.Period("2024-01", "M")]
    np.testing.assert_allclose(row.iloc[:3], [1, 1 / 3, 2 / 3])
    assert np.isnan(row.iloc[3])
    assert m.dtypes.eq("float64").all()


def test_cohorts_by_quarter_and_observation_end(tx):
    c = rt.cohort_table(tx, period="Q", observation_end="2024-06-30")
    assert [str(p) for p in c.index] == ["2023Q4", "2024Q1"]
    assert c.loc[pd.Period("2023Q4", "Q")].tolist() == [1, 1, 0]
    assert c.loc[pd.Period("2024Q1", "Q"), 1] == 0  # Q2 is observed and empty
    assert c.loc[pd.Period("2024Q1", "Q"), 2] is pd.NA


def test_cohorts_by_group(tx, customers):
    c = rt.cohort_table(tx, by="segment", customers=customers)
    assert c.index.names == ["segment", "cohort"]
    b2b = c.loc["B2B"]
    assert [str(p) for p in b2b.index] == ["2023-12", "2024-02"]
    assert b2b.loc[pd.Period("2023-12", "M")].tolist() == [1, 0, 1, 0]
    m = rt.retention_matrix(tx, by="segment", customers=customers)
    assert (m[0] == 1.0).all()


def test_timezone_aware_dates(tx):
    aware = tx.assign(timestamp=tx["timestamp"].dt.tz_localize("Asia/Vladivostok"))
    pd.testing.assert_frame_equal(rt.cohort_table(aware), rt.cohort_table(tx))
    assert rt.retention_rate(aware, period="M", start="2024-01") == rt.retention_rate(
        tx, period="M", start="2024-01"
    )


# ---------------------------------------------------------------------------
# retention and churn
# ---------------------------------------------------------------------------


def test_retention_table_by_hand(tx):
    t = rt.retention_table(tx, period="M")
    assert [str(p) for p in t.index] == ["2023-12", "2024-01", "2024-02"]
    assert [str(p) for p in t["next_period"]] == ["2024-01", "2024-02", "2024-03"]
    # Dec: {5} -> Jan: nobody; Jan: {1, 2, 4} -> Feb {1}; Feb: {1, 3, 5} -> Mar {1}
    assert t["active"].tolist() == [1, 3, 3]
    assert t["retained"].tolist() == [0, 1, 1]
    np.testing.assert_allclose(t["retention_rate"], [0, 1 / 3, 1 / 3])
    np.testing.assert_allclose(t["churn_rate"], [1, 2 / 3, 2 / 3])


def test_retention_rate_and_churn_rate(tx, customers):
    assert rt.retention_rate(tx, period="M", start="2024-01") == pytest.approx(1 / 3)
    assert rt.retention_rate(tx, period="M", start="2024-01-17") == pytest.approx(1 / 3)
    assert rt.retention_rate(tx, period="M") == pytest.approx(1 / 3)  # last pair: Feb -> Mar
    assert rt.churn_rate(tx, period="M", start="2023-12") == 1.0
    assert rt.retention_rate(tx, start="2023") == 1.0  # customer 5 came back in 2024
    by = rt.retention_rate(tx, period="M", start="2024-02", by="segment", customers=customers)
    assert by.name == "retention_rate" and by.index.name == "segment"
    assert by.to_dict() == {"B2B": 0.0, "B2C": 1.0}
    churn = rt.churn_rate(tx, period="M", start="2024-02", by="segment", customers=customers)
    assert churn.name == "churn_rate" and churn.to_dict() == {"B2B": 1.0, "B2C": 0.0}


def test_group_with_nobody_active_gets_nan(tx, customers):
    by = rt.retention_rate(tx, period="M", start="2024-01", by="segment", customers=customers)
    assert np.isnan(by["B2B"]) and by["B2C"] == pytest.approx(1 / 3)


def test_gaps_in_activity_are_periods_with_nobody_active():
    t = log([(1, "2024-01-10"), (1, "2024-04-10")])
    table = rt.retention_table(t, period="M")
    assert table["active"].tolist() == [1, 0, 0]
    assert np.isnan(table["retention_rate"].iloc[1])
    with pytest.raises(ValueError, match=r"nobody bought in 2024-02.*2024-01, 2024-02, 2024-03"):
        rt.retention_rate(t, period="M", start="2024-02")


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


def test_missing_columns_list_available(tx):
    bad = tx.rename(columns={"customer_id": "client"})
    with pytest.raises(ValueError, match=r"no column 'customer_id'. Available columns: 'client'"):
        rt.cohort_table(bad)
    with pytest.raises(ValueError, match=r"no column 'date'. Available columns"):
        rt.retention_rate(tx, date_col="date")


def test_missing_customer_ids(tx):
    bad = tx.assign(customer_id=tx["customer_id"].astype(float))
    bad.loc[3, "customer_id"] = np.nan
    with pytest.raises(ValueError, match=r"'customer_id' of `transactions` has 1 missing"):
        rt.repeat_purchase_rate(bad)
    with pytest.raises(ValueError, match=r"dropna\(subset=\['customer_id'\]\)"):
        rt.interpurchase_times(bad)


def test_dates_must_be_datetimes(tx):
    as_text = tx.assign(timestamp=tx["timestamp"].dt.strftime("%Y-%m-%d"))
    with pytest.raises(TypeError, match=r"'timestamp' of `transactions` must hold datetimes"):
        rt.cohort_table(as_text)
    with pytest.raises(TypeError, match=r"pd.to_datetime"):
        rt.repeat_purchase_rate(as_text, unit="day")
    with_nat = tx.copy()
    with_nat.loc[0, "timestamp"] = pd.NaT
    with pytest.raises(ValueError, match=r"'timestamp' of `transactions` has 1 missing"):
        rt.retention_table(with_nat)


def test_empty_and_wrong_type(tx):
    with pytest.raises(ValueError, match=r"`transactions` is empty \(0 rows\)"):
        rt.cohort_table(tx.iloc[:0])
    with pytest.raises(TypeError) as err:
        rt.repeat_purchase_rate(tx["customer_id"])
    assert str(err.value) == (
        "`transactions` must be a pandas DataFrame, got a pandas Series (one column, "
        "'customer_id'). Pass the whole table, or make one: transactions.reset_index() (the "
        "index becomes a column)."
    )


def test_bad_options(tx):
    with pytest.raises(ValueError, match=r"`period` must be one of 'D', 'W', 'M', 'Q', 'Y'"):
        rt.cohort_table(tx, period="month")
    with pytest.raises(ValueError, match=r"`unit` must be one of 'transaction', 'day'"):
        rt.purchase_counts(tx, unit="days")
    with pytest.raises(ValueError, match=r"`min_purchases` must be an integer >= 1, got 0"):
        rt.in_relationship(tx, min_purchases=0)
    with pytest.raises(TypeError, match=r"`min_purchases` must be an integer"):
        rt.in_relationship(tx, min_purchases=2.5)


def test_observation_end_errors(tx):
    with pytest.raises(ValueError, match=r"10 purchase\(s\) after observation_end 2023-01-31"):
        rt.cohort_table(tx, observation_end="2023-01-31")
    with pytest.raises(ValueError, match=r"transactions\[transactions\['timestamp'\] <= "):
        rt.retention_table(tx, observation_end="2024-02-01")
    with pytest.raises(ValueError, match=r"`observation_end` must be a date"):
        rt.cohort_table(tx, observation_end="soon")


def test_start_errors(tx):
    with pytest.raises(ValueError, match=r"`start` '2024-03' has no observed next period.*2023-12"):
        rt.retention_rate(tx, period="M", start="2024-03")
    with pytest.raises(ValueError) as err:
        rt.retention_rate(tx, start="last year")
    assert str(err.value) == (
        "`start` must be a period such as '2023', '2023-05' or a date such as '2025-03-05' (ISO) "
        "or '05.03.2025' (day first), got 'last year': this form of date is not recognised."
    )
    one_year = tx[tx["timestamp"].dt.year == 2024]
    with pytest.raises(ValueError, match=r"covers a single year.*period='M'"):
        rt.retention_rate(one_year)


def test_group_errors(tx, customers):
    with pytest.raises(ValueError, match=r"`by='segment'` names a customer attribute.*customers="):
        rt.repeat_purchase_rate(tx, by="segment")
    with pytest.raises(ValueError, match=r"`customers` is only used.*by='segment'"):
        rt.repeat_purchase_rate(tx, customers=customers)
    with pytest.raises(ValueError, match=r"`customers` has no column 'arm'. Available columns"):
        rt.retention_rate(tx, by="arm", customers=customers)
    with pytest.raises(TypeError, match=r"`by` must be a column name of `customers` or a Series"):
        rt.cohort_table(tx, by=["segment"], customers=customers)
    twice = pd.concat([customers, customers.iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match=r"lists some customers more than once \(first: \[1\]\)"):
        rt.repeat_purchase_rate(tx, by="segment", customers=twice)
    partial = customers.iloc[1:]
    with pytest.raises(
        ValueError,
        match=r"3 row\(s\) of `transactions` belong to customers missing from `customers` \(first ids: \[1\]\)",
    ):
        rt.interpurchase_times(tx, by="segment", customers=partial)
    unknown = customers.assign(segment=["B2C", None, "B2B", "B2C", "B2B"])
    with pytest.raises(ValueError, match=r"1 customer\(s\) with no 'segment' \(first: \[2\]\)"):
        rt.cohort_table(tx, by="segment", customers=unknown)
    with pytest.raises(ValueError, match=r"`customers` is empty"):
        rt.repeat_purchase_rate(tx, by="segment", customers=customers.iloc[:0])


def test_inputs_are_not_modified(tx, customers):
    tx = tx.sample(frac=1, random_state=3)  # unsorted, with a shuffled index
    tx0, customers0 = tx.copy(deep=True), customers.copy(deep=True)
    mapping = customers.set_index("customer_id")["segment"]
    mapping0 = mapping.copy(deep=True)
    for kw in ({}, {"by": "segment", "customers": customers}, {"by": mapping}):
        rt.repeat_purchase_rate(tx, **kw)
        rt.interpurchase_times(tx, **kw)
        rt.interpurchase_summary(tx, unit="day", **kw)
        rt.cohort_table(tx, **kw)
        rt.retention_matrix(tx, period="Q", **kw)
        rt.retention_table(tx, period="M", **kw)
        rt.retention_rate(tx, period="M", **kw)
        rt.churn_rate(tx, period="M", **kw)
    rt.purchase_counts(tx, unit="day")
    rt.in_relationship(tx)
    pd.testing.assert_frame_equal(tx, tx0)
    pd.testing.assert_frame_equal(customers, customers0)
    pd.testing.assert_series_equal(mapping, mapping0)


# ---------------------------------------------------------------------------
# invariants on random logs
# ---------------------------------------------------------------------------

random_logs = st.lists(
    st.tuples(st.integers(1, 12), st.integers(0, 700), st.integers(0, 23)),
    min_size=1,
    max_size=80,
).map(
    lambda rows: pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "timestamp": pd.Timestamp("2023-01-01")
            + pd.to_timedelta([r[1] for r in rows], unit="D")
            + pd.to_timedelta([r[2] for r in rows], unit="h"),
        }
    )
)


@settings(max_examples=100, deadline=None)
@given(random_logs, st.sampled_from(["W", "M", "Q"]))
def test_retention_shares_are_in_unit_interval(t, period):
    m = rt.retention_matrix(t, period=period)
    values = m.to_numpy()
    finite = values[np.isfinite(values)]
    assert ((finite >= 0) & (finite <= 1)).all()
    assert (m[0] == 1.0).all()
    c = rt.cohort_table(t, period=period)
    assert int(c[0].sum()) == t["customer_id"].nunique()  # every customer in one cohort
    # missing cells are exactly those after the end of the data
    assert (c.isna().to_numpy() == np.isnan(values)).all()
    table = rt.retention_table(t, period=period)
    assert (table["retained"] <= table["active"]).all()
    rates = table["retention_rate"].dropna()
    assert rates.between(0, 1).all()
    np.testing.assert_allclose(table["churn_rate"].dropna(), 1 - rates)


@settings(max_examples=100, deadline=None)
@given(random_logs, st.sampled_from(list(rt.UNITS)))
def test_repeat_rate_and_gaps_are_consistent(t, unit):
    rate = rt.repeat_purchase_rate(t, unit=unit)
    assert 0 <= rate <= 1
    assert rate == pytest.approx(rt.in_relationship(t, unit=unit).mean())
    gaps = rt.interpurchase_times(t, unit=unit)
    counts = rt.purchase_counts(t, unit=unit)
    assert len(gaps) == int(counts.sum()) - len(counts)
    assert (gaps["gap_days"] >= 0).all()
    if unit == "day":
        assert (gaps["gap_days"] >= 1).all()
    summary = rt.interpurchase_summary(t, unit=unit)
    assert set(summary.index) == set(counts[counts >= 2].index)


# ---------------------------------------------------------------------------
# the shipped case, against plain pandas (the conventions of the graded assignments)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def case():
    return load_case()


def test_case_repeat_rate_and_relationships(case):
    tx = case.transactions
    n = tx.groupby("customer_id").size()
    assert rt.repeat_purchase_rate(tx) == pytest.approx(float((n >= 2).mean()), abs=1e-12)
    rel = rt.in_relationship(tx)
    assert sorted(rel[rel].index) == sorted(n[n >= 2].index)
    days = tx.assign(d=tx["timestamp"].dt.normalize()).groupby("customer_id")["d"].nunique()
    assert rt.repeat_purchase_rate(tx, unit="day") == pytest.approx(float((days >= 2).mean()))


def test_case_median_gap(case):
    ordered = case.transactions.sort_values(["customer_id", "timestamp"])
    gaps = ordered.groupby("customer_id")["timestamp"].diff().dropna() / pd.Timedelta(days=1)
    got = rt.interpurchase_times(case.transactions)["gap_days"]
    assert len(got) == len(gaps)
    assert got.median() == pytest.approx(gaps.median(), abs=1e-9)
    assert np.sort(got.to_numpy()) == pytest.approx(np.sort(gaps.to_numpy()))


def test_case_yearly_retention_by_segment(case):
    tx, customers = case.transactions, case.customers
    got = rt.retention_rate(tx, start="2023", by="segment", customers=customers)
    segment_of = customers.set_index("customer_id")["segment"]
    year = tx["timestamp"].dt.year
    for seg in ["B2C", "B2B"]:
        mine = tx["customer_id"].map(segment_of) == seg
        b23 = set(tx.loc[mine & (year == 2023), "customer_id"])
        b24 = set(tx.loc[mine & (year == 2024), "customer_id"])
        assert got[seg] == pytest.approx(len(b23 & b24) / len(b23), abs=1e-12)
    assert got["B2B"] > got["B2C"]


def test_case_cohort_cell_matches_plain_count(case):
    tx = case.transactions
    month = tx["timestamp"].dt.to_period("M")
    first = month.groupby(tx["customer_id"]).transform("min")
    jan = tx["customer_id"][first == pd.Period("2023-01", "M")].unique()
    back_in_march = tx.loc[
        tx["customer_id"].isin(jan) & (month == pd.Period("2023-03", "M")), "customer_id"
    ].nunique()
    c = rt.cohort_table(tx)
    assert c.loc[pd.Period("2023-01", "M"), 0] == len(jan)
    assert c.loc[pd.Period("2023-01", "M"), 2] == back_in_march
    assert int(c[0].sum()) == tx["customer_id"].nunique()
    assert c.shape == (24, 24)
