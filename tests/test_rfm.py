"""Tests for rmlib.rfm: the CLV summary, the RFM table, scores and segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmlib.datasets import load_case, load_cdnow
from rmlib.rfm import (
    ALL_CUSTOMERS,
    SEGMENTS,
    clv_summary,
    rfm_scores,
    rfm_segments,
    rfm_table,
    score_matrix,
    segment_grid,
    segment_summary,
)

# --------------------------------------------------------------------------- helpers


def _log(rows):
    """A small transaction log from (customer, 'YYYY-MM-DD[ HH:MM]', amount) tuples."""
    cust, when, amount = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "customer_id": list(cust),
            "timestamp": pd.to_datetime(list(when), format="mixed"),
            "amount": [float(a) for a in amount],
        }
    )


def _reference_summary(df, end, unit):
    """A slow, obvious per-customer loop: the definition written out by hand."""
    out = {}
    end = pd.Timestamp(end).normalize()
    for cid, g in df.groupby("customer_id"):
        by_day = g.groupby(g["timestamp"].dt.normalize())["amount"].sum().sort_index()
        first, last = by_day.index[0], by_day.index[-1]
        freq = len(by_day) - 1
        out[cid] = {
            "frequency": freq,
            "recency": (last - first).days / unit,
            "T": (end - first).days / unit,
            "monetary_value": by_day.iloc[1:].mean() if freq else 0.0,
        }
    res = pd.DataFrame.from_dict(out, orient="index")
    res.index.name = "customer_id"
    return res


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow()


@pytest.fixture(scope="module")
def case_transactions():
    """The shipped case's purchase log, read once for the module (tests only read it)."""
    return load_case().transactions


@pytest.fixture(scope="module")
def cdnow_calibration(cdnow):
    cal = cdnow[cdnow["date"] <= "1997-09-30"]
    return clv_summary(cal, date_col="date", observation_end="1997-09-30")


# --------------------------------------------------------------------------- clv_summary


def test_clv_summary_by_hand_days_and_weeks():
    log = _log(
        [
            (1, "2024-01-01 10:00", 10),
            (1, "2024-01-08 09:00", 15),
            (1, "2024-01-08 18:30", 5),  # same day as the row above: one purchase of 20
            (1, "2024-01-15 23:59", 40),
            (2, "2024-01-10 12:00", 5),
            (3, "2024-01-20 08:00", 7),
            (3, "2024-01-20 09:00", 3),  # only one purchase day: no repeats
        ]
    )
    d = clv_summary(log, observation_end="2024-01-29", freq="D")
    assert d.index.name == "customer_id"
    assert d.index.tolist() == [1, 2, 3]
    assert d.columns.tolist() == ["frequency", "recency", "T", "monetary_value"]
    assert d["frequency"].tolist() == [2, 0, 0]
    assert d["recency"].tolist() == [14.0, 0.0, 0.0]
    assert d["T"].tolist() == [28.0, 19.0, 9.0]
    assert d["monetary_value"].tolist() == [30.0, 0.0, 0.0]  # (20 + 40) / 2
    w = clv_summary(log, observation_end="2024-01-29", freq="W")
    np.testing.assert_allclose(w["recency"], d["recency"] / 7)
    np.testing.assert_allclose(w["T"], d["T"] / 7)
    pd.testing.assert_series_equal(w["frequency"], d["frequency"])
    pd.testing.assert_series_equal(w["monetary_value"], d["monetary_value"])


def test_clv_summary_default_end_is_last_purchase_day():
    log = _log([(1, "2024-03-01", 5), (2, "2024-03-05 17:45", 8), (1, "2024-03-03", 2)])
    s = clv_summary(log, freq="D")
    # the last purchase is on 5 March (at 17:45): T counts whole days up to that day
    assert s.loc[1, "T"] == 4.0
    assert s.loc[2, "T"] == 0.0
    pd.testing.assert_frame_equal(s, clv_summary(log, freq="D", observation_end="2024-03-05"))


def test_clv_summary_end_day_counts_whole_day():
    # a purchase at 21:00 on the end day is inside the period, not after it
    log = _log([(1, "2024-03-01", 5), (1, "2024-03-05 21:00", 8)])
    s = clv_summary(log, freq="D", observation_end=pd.Timestamp("2024-03-05"))
    assert s.loc[1, "frequency"] == 1 and s.loc[1, "T"] == 4.0


def test_clv_summary_custom_column_names_and_string_ids():
    log = pd.DataFrame(
        {
            "client": ["b", "a", "b"],
            "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-11"]),
            "paid": [1, 2, 3],  # integers are fine
        }
    )
    s = clv_summary(log, "client", "when", "paid", freq="D")
    assert s.index.name == "client"
    assert s.index.tolist() == ["a", "b"]
    assert s.loc["b", "monetary_value"] == 3.0
    assert s.loc["b", "recency"] == 10.0


def test_clv_summary_timezone_aware_dates_use_local_calendar_day():
    when = pd.to_datetime(["2024-01-01 23:30", "2024-01-02 00:30"]).tz_localize("Asia/Vladivostok")
    log = pd.DataFrame({"customer_id": [1, 1], "timestamp": when, "amount": [1.0, 2.0]})
    s = clv_summary(log, freq="D")
    assert s.loc[1, "frequency"] == 1 and s.loc[1, "recency"] == 1.0


def test_clv_summary_matches_slow_reference_on_case_data(case_transactions):
    tx = case_transactions[case_transactions["customer_id"] <= 400]
    got = clv_summary(tx, observation_end="2024-12-31", freq="W")
    want = _reference_summary(tx, "2024-12-31", 7.0)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=False, rtol=1e-12)


# Published CDNOW summary, 39-week calibration period ending 1997-09-30, in weeks: the first
# 20 customers of the sample as distributed with lifetimes (datasets/cdnow_customers_summary)
# and pymc-marketing (data/clv_quickstart.csv), rounded to 2 decimals there.
CDNOW_PUBLISHED_FIRST_20 = [
    (2, 30.43, 38.86, 22.35),
    (1, 1.71, 38.86, 11.77),
    (0, 0.0, 38.86, 0.0),
    (0, 0.0, 38.86, 0.0),
    (0, 0.0, 38.86, 0.0),
    (7, 29.43, 38.86, 73.74),
    (1, 5.0, 38.86, 11.77),
    (0, 0.0, 38.86, 0.0),
    (2, 35.71, 38.86, 25.55),
    (0, 0.0, 38.86, 0.0),
    (5, 24.43, 38.86, 29.44),
    (0, 0.0, 38.86, 0.0),
    (0, 0.0, 38.86, 0.0),
    (0, 0.0, 38.86, 0.0),
    (0, 0.0, 38.86, 0.0),
    (0, 0.0, 38.86, 0.0),
    (10, 34.14, 38.86, 24.24),
    (1, 4.86, 38.86, 9.99),
    (3, 28.29, 38.71, 25.08),
    (0, 0.0, 38.71, 0.0),
]


def test_cdnow_calibration_matches_published_rows(cdnow_calibration):
    got = cdnow_calibration.loc[1:20].to_numpy()
    want = np.array(CDNOW_PUBLISHED_FIRST_20)
    # published values are rounded to 2 decimals (22.345 was printed as 22.35)
    np.testing.assert_allclose(got, want, rtol=0, atol=0.0051)


def test_cdnow_calibration_totals(cdnow_calibration):
    s = cdnow_calibration
    # Fader, Hardie & Lee (2005): 2,357 customers; Gamma-Gamma is fitted on the 946 who
    # made at least one repeat purchase in the 39 weeks, so 1,411 made none.
    assert len(s) == 2357
    assert int((s["frequency"] == 0).sum()) == 1411
    assert int((s["frequency"] > 0).sum()) == 946
    assert int(s["frequency"].sum()) == 2457
    assert int(s["frequency"].max()) == 29
    # everyone joined between 1 Jan and 25 Mar 1997: T runs from 27 to 272/7 weeks
    assert s["T"].max() == pytest.approx(272 / 7)
    assert s["T"].min() == pytest.approx(27.0)
    repeaters = s.loc[s["frequency"] > 0, "monetary_value"]
    assert repeaters.mean() == pytest.approx(35.0778, abs=1e-4)
    assert repeaters.max() == pytest.approx(299.6338, abs=1e-4)


def test_cdnow_full_period(cdnow):
    s = clv_summary(cdnow, date_col="date")  # default end: last purchase day, 1998-06-30
    assert len(s) == 2357
    assert s["T"].max() == pytest.approx(
        (pd.Timestamp("1998-06-30") - pd.Timestamp("1997-01-01")).days / 7
    )
    assert int((s["frequency"] == 0).sum()) == 1218
    assert int(s["frequency"].sum()) == 4339


def test_clv_summary_does_not_mutate_input(cdnow):
    before = cdnow.copy(deep=True)
    clv_summary(cdnow, date_col="date", freq="D")
    pd.testing.assert_frame_equal(cdnow, before)


def test_clv_summary_keeps_zero_amount_repeat_days():
    # a free repeat purchase still counts as a purchase day
    log = _log([(1, "2024-01-01", 10), (1, "2024-01-02", 0)])
    s = clv_summary(log, freq="D")
    assert s.loc[1, "frequency"] == 1 and s.loc[1, "monetary_value"] == 0.0


# --------------------------------------------------------------------------- clv_summary errors


def test_clv_summary_error_not_a_frame():
    with pytest.raises(TypeError, match=r"`transactions` must be a pandas DataFrame, got list"):
        clv_summary([1, 2, 3])


def test_clv_summary_error_missing_column_lists_available():
    log = _log([(1, "2024-01-01", 1)]).rename(columns={"amount": "value"})
    with pytest.raises(ValueError) as err:
        clv_summary(log)
    assert str(err.value) == (
        "`transactions` has no column 'amount'. Available columns: 'customer_id', 'timestamp', "
        "'value'. Name the column that holds it: clv_summary(..., amount_col='<its name>'), or "
        "rename that column: transactions.rename(columns={'<the column that holds it>': "
        "'amount'})."
    )


def test_clv_summary_error_empty():
    log = _log([(1, "2024-01-01", 1)]).iloc[:0]
    with pytest.raises(ValueError, match=r"`transactions` is empty \(0 rows\)"):
        clv_summary(log)


def test_clv_summary_error_missing_customer_id():
    log = _log([(1, "2024-01-01", 1), (2, "2024-01-02", 1)])
    log["customer_id"] = log["customer_id"].astype("float64")
    log.loc[1, "customer_id"] = np.nan
    with pytest.raises(ValueError, match=r"column 'customer_id' .* 1 missing value.*dropna"):
        clv_summary(log)


def test_clv_summary_error_negative_amount():
    log = _log([(1, "2024-01-01", 1), (1, "2024-01-02", -3)])
    with pytest.raises(ValueError, match=r"column 'amount' .* 1 negative value.*refunds"):
        clv_summary(log)


def test_clv_summary_error_nan_amount():
    log = _log([(1, "2024-01-01", 1), (1, "2024-01-02", 1)])
    log.loc[0, "amount"] = np.nan
    with pytest.raises(ValueError, match=r"column 'amount' .* 1 missing value"):
        clv_summary(log)


def test_clv_summary_error_text_amount():
    log = _log([(1, "2024-01-01", 1)])
    log["amount"] = ["12,50"]
    with pytest.raises(TypeError, match=r"column 'amount' .* must be numeric.*pd\.to_numeric"):
        clv_summary(log)


def test_clv_summary_error_dates_not_datetime():
    log = _log([(1, "2024-01-01", 1)])
    log["timestamp"] = ["2024-01-01"]
    with pytest.raises(TypeError, match=r"column 'timestamp' .* must hold datetimes.*to_datetime"):
        clv_summary(log)


def test_clv_summary_error_missing_date():
    log = _log([(1, "2024-01-01", 1), (1, "2024-01-02", 1)])
    log.loc[1, "timestamp"] = pd.NaT
    with pytest.raises(ValueError, match=r"column 'timestamp' .* 1 missing value"):
        clv_summary(log)


def test_clv_summary_error_purchase_after_observation_end():
    log = _log([(1, "2024-01-01", 1), (1, "2024-02-02", 1), (2, "2024-03-01", 1)])
    with pytest.raises(
        ValueError,
        match=r"2 purchase\(s\) after observation_end=2024-01-31 \(first at index \[1, 2\]\)"
        r".*Pass a later `observation_end`, or keep only the purchases up to it",
    ):
        clv_summary(log, observation_end="2024-01-31")


def test_clv_summary_error_bad_observation_end():
    log = _log([(1, "2024-01-01", 1)])
    with pytest.raises(ValueError, match=r"`observation_end` must be a date"):
        clv_summary(log, observation_end="end of year")


@pytest.mark.parametrize("freq", ["M", "w", "weeks", 7])
def test_clv_summary_error_bad_freq(freq):
    log = _log([(1, "2024-01-01", 1)])
    with pytest.raises(ValueError, match=r"`freq` must be one of 'D', 'W'"):
        clv_summary(log, freq=freq)


# --------------------------------------------------------------------------- clv_summary properties

_DAY0 = np.datetime64("2020-01-01T00:00", "m")


@st.composite
def transaction_logs(draw, positive=True):
    n = draw(st.integers(1, 40))
    cust = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    minutes = draw(st.lists(st.integers(0, 60 * 24 * 90), min_size=n, max_size=n))
    low = 0.01 if positive else 0.0
    amounts = draw(st.lists(st.floats(low, 1e4, allow_nan=False), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "customer_id": cust,
            "timestamp": pd.to_datetime(_DAY0 + np.array(minutes, dtype="timedelta64[m]")),
            "amount": amounts,
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=transaction_logs(), extra_days=st.integers(0, 30), freq=st.sampled_from(["D", "W"]))
def test_clv_summary_invariants(log, extra_days, freq):
    end = log["timestamp"].max().normalize() + pd.Timedelta(days=extra_days)
    s = clv_summary(log, observation_end=end, freq=freq)
    assert sorted(s.index) == sorted(log["customer_id"].unique())
    assert (s["frequency"] >= 0).all()
    assert (s["recency"] >= 0).all()
    assert (s["recency"] <= s["T"] + 1e-12).all()
    assert ((s["monetary_value"] > 0) == (s["frequency"] > 0)).all()
    # frequency + 1 = number of distinct purchase days
    n_days = log.groupby("customer_id")["timestamp"].apply(lambda t: t.dt.normalize().nunique())
    assert (s["frequency"] + 1).sort_index().tolist() == n_days.sort_index().tolist()
    # and every column equals the definition written out customer by customer
    unit = 7.0 if freq == "W" else 1.0
    ref = _reference_summary(log, end, unit)
    pd.testing.assert_frame_equal(s, ref, check_dtype=False, check_exact=False, rtol=1e-9)


# --------------------------------------------------------------------------- rfm_table


def test_rfm_table_by_hand():
    log = _log(
        [
            (7, "2024-03-01 10:00", 100),
            (7, "2024-03-01 17:00", 50),  # same day: one purchase day
            (7, "2024-03-20 12:00", 80),
            (9, "2024-02-10 09:00", 500),
        ]
    )
    t = rfm_table(log, observation_end="2024-03-31")
    assert t.index.name == "customer_id"
    assert t.columns.tolist() == ["recency", "frequency", "monetary"]
    assert t.loc[7].tolist() == [11, 2, 230.0]
    assert t.loc[9].tolist() == [50, 1, 500.0]
    assert t["recency"].dtype == np.int64 and t["frequency"].dtype == np.int64
    # default as_of: the last purchase day (20 March)
    assert rfm_table(log)["recency"].tolist() == [0, 39]


def test_rfm_table_agrees_with_clv_summary_on_case_data(case_transactions):
    tx = case_transactions
    t = rfm_table(tx, observation_end="2024-12-31")
    s = clv_summary(tx, observation_end="2024-12-31", freq="D")
    assert t.index.equals(s.index)
    np.testing.assert_array_equal(t["frequency"], s["frequency"] + 1)
    np.testing.assert_array_equal(t["recency"], s["T"] - s["recency"])
    total = tx.groupby("customer_id")["amount"].sum()
    np.testing.assert_allclose(t["monetary"], total.loc[t.index], rtol=1e-12)


def test_rfm_table_error_purchase_after_observation_end():
    log = _log([(1, "2024-01-01", 1), (2, "2024-02-01", 1)])
    with pytest.raises(
        ValueError,
        match=r"1 purchase\(s\) after observation_end=2024-01-15.*later `observation_end`",
    ):
        rfm_table(log, observation_end="2024-01-15")


def test_rfm_table_error_missing_column_and_bad_dates():
    log = _log([(1, "2024-01-01", 1)])
    with pytest.raises(ValueError, match=r"no column 'date'\. Available columns: 'customer_id'"):
        rfm_table(log, date_col="date")
    log["timestamp"] = log["timestamp"].astype(str)
    with pytest.raises(TypeError, match=r"'timestamp' .* must hold datetimes"):
        rfm_table(log)


def test_rfm_table_does_not_mutate_input():
    log = _log([(1, "2024-01-01", 1), (2, "2024-01-05", 3), (1, "2024-01-03", 2)])
    before = log.copy(deep=True)
    rfm_table(log)
    pd.testing.assert_frame_equal(log, before)


# --------------------------------------------------------------------------- rfm_scores


def test_rfm_scores_by_hand():
    rfm = pd.DataFrame(
        {
            "recency": [3, 40, 200, 10, 90, 365, 15, 60],
            "frequency": [12, 1, 1, 4, 1, 1, 6, 1],
            "monetary": [900, 40, 55, 300, 20, 35, 410, 80],
        }
    )
    sc = rfm_scores(rfm)
    # recency 40 is the 5th of 8 from the longest: ceil(5 * 5/8) = 4; the most recent gets 5
    assert sc["R"].tolist() == [5, 4, 2, 5, 2, 1, 4, 3]
    # five one-time buyers share ranks 1..5, mean 3: ceil(5 * 3/8) = 2
    assert sc["F"].tolist() == [5, 2, 2, 4, 2, 2, 5, 2]
    assert sc["M"].tolist() == [5, 2, 3, 4, 1, 2, 5, 4]
    assert sc["RFM"].tolist()[:3] == ["555", "422", "223"]
    pd.testing.assert_frame_equal(sc[rfm.columns], rfm)


def test_rfm_scores_work_where_qcut_fails():
    # 70% bought once: qcut cannot make 5 bins with distinct edges. The one-time buyers hold
    # ranks 1..70 (mean 35.5, score ceil(5 * 0.355) = 2), the 2-purchase block ranks 71..90
    # (mean 80.5, score ceil(5 * 0.805) = 5)
    freq = pd.Series([1] * 70 + [2] * 20 + [3] * 7 + [9] * 3)
    with pytest.raises(ValueError, match="Bin edges must be unique"):
        pd.qcut(freq, 5)
    rfm = pd.DataFrame({"recency": range(100), "frequency": freq, "monetary": 10.0})
    sc = rfm_scores(rfm)
    assert sc.groupby("frequency")["F"].nunique().eq(1).all()  # equal values, equal score
    assert sc.groupby("frequency")["F"].first().to_dict() == {1: 2, 2: 5, 3: 5, 9: 5}
    assert sc["M"].eq(3).all()  # everybody tied: the middle score


def test_rfm_scores_other_bins_and_column_names():
    rfm = pd.DataFrame({"days": [1, 2, 3, 4], "n": [1, 2, 3, 4], "spend": [4.0, 3.0, 2.0, 1.0]})
    sc = rfm_scores(rfm, bins=2, recency_col="days", frequency_col="n", monetary_col="spend")
    assert sc["R"].tolist() == [2, 2, 1, 1]
    assert sc["F"].tolist() == [1, 1, 2, 2]
    assert sc["M"].tolist() == [2, 2, 1, 1]
    ten = rfm_scores(
        pd.DataFrame({"recency": range(20), "frequency": 1, "monetary": range(20)}), 10
    )
    assert ten["RFM"].iloc[0] == "100601"  # two digits per score when bins >= 10


@pytest.mark.parametrize(
    ("bins", "exc", "msg"),
    [
        (1, ValueError, r"`bins` must be an integer >= 2, got 1"),
        (2.5, TypeError, r"`bins` must be an integer, got float"),
        (True, TypeError, r"`bins` must be an integer, got bool"),
    ],
)
def test_rfm_scores_error_bins(bins, exc, msg):
    rfm = pd.DataFrame({"recency": [1], "frequency": [1], "monetary": [1.0]})
    with pytest.raises(exc, match=msg):
        rfm_scores(rfm, bins=bins)


def test_rfm_scores_error_columns_and_values():
    rfm = pd.DataFrame({"recency": [1, 2], "frequency": [1, 2], "monetary": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"`rfm` has no column 'spend'.*'monetary'"):
        rfm_scores(rfm, monetary_col="spend")
    bad = rfm.assign(monetary=[1.0, -5.0])
    with pytest.raises(ValueError, match=r"'monetary' of `rfm` has 1 negative value"):
        rfm_scores(bad)
    bad = rfm.assign(recency=[1.0, np.nan])
    with pytest.raises(ValueError, match=r"'recency' of `rfm` has 1 missing value"):
        rfm_scores(bad)
    bad = rfm.assign(frequency=["1", "2"])
    with pytest.raises(TypeError, match=r"'frequency' of `rfm` must be numeric"):
        rfm_scores(bad)
    with pytest.raises(ValueError, match=r"`rfm` is empty"):
        rfm_scores(rfm.iloc[:0])


# --------------------------------------------------------------------------- rfm_segments


def test_segment_grid_is_a_partition_with_eleven_segments():
    grid = segment_grid()
    assert grid.shape == (5, 5)
    assert set(grid.to_numpy().ravel()) == set(SEGMENTS)
    assert len(SEGMENTS) == 11
    r, f, m = np.meshgrid(range(1, 6), range(1, 6), range(1, 6), indexing="ij")
    scores = pd.DataFrame({"R": r.ravel(), "F": f.ravel(), "M": m.ravel()})
    seg = rfm_segments(scores)
    assert seg["segment"].notna().all()
    assert set(seg["segment"]) == set(SEGMENTS)
    # spot checks of the rule table
    cell = seg.set_index(["R", "F", "M"])["segment"]
    assert cell[(5, 5, 5)] == "champions"
    assert cell[(5, 1, 1)] == "new"
    assert cell[(4, 1, 1)] == "promising"
    assert cell[(1, 1, 1)] == "lost"
    assert cell[(2, 1, 2)] == "hibernating"
    assert cell[(1, 5, 5)] == "can't lose them"
    assert cell[(2, 4, 3)] == "at risk"  # FM = (4 + 3 + 1) // 2 = 4
    assert cell[(3, 3, 3)] == "need attention"
    assert cell[(3, 2, 1)] == "about to sleep"  # FM = 2
    assert cell[(3, 5, 4)] == "loyal"
    assert cell[(5, 3, 2)] == "potential loyalists"  # FM = 3


def test_rfm_segments_output_and_no_mutation():
    scores = pd.DataFrame({"R": [5, 1], "F": [5, 1], "M": [4, 2]}, index=["a", "b"])
    before = scores.copy()
    seg = rfm_segments(scores)
    pd.testing.assert_frame_equal(scores, before)
    assert seg.index.tolist() == ["a", "b"]
    assert seg["FM"].tolist() == [5, 2]
    assert seg["segment"].tolist() == ["champions", "lost"]
    assert list(seg["segment"].cat.categories) == list(SEGMENTS)
    assert seg["segment"].cat.ordered


@pytest.mark.parametrize(
    ("col", "values", "found"),
    [
        ("R", [6, 1], r"values from 1 to 6"),
        ("F", [0, 1], r"values from 0 to 1"),
        ("M", [1.0, 2.0], r"values from 1\.0 to 2\.0"),
        ("R", ["5", "1"], r"dtype"),
    ],
)
def test_rfm_segments_error_scores_not_1_to_5(col, values, found):
    scores = pd.DataFrame({"R": [5, 1], "F": [5, 1], "M": [4, 2]})
    scores[col] = values
    with pytest.raises(
        ValueError,
        match=rf"column {col!r} of `scores` must hold integer scores 1\.\.5, found {found}"
        r".*rfm_scores\(rfm, bins=5\)",
    ):
        rfm_segments(scores)


def test_rfm_segments_error_missing_column():
    with pytest.raises(
        ValueError, match=r"`scores` has no column 'M'. Available columns: 'R', 'F'"
    ):
        rfm_segments(pd.DataFrame({"R": [1], "F": [1]}))


# --------------------------------------------------------------------------- segment_summary


def test_segment_summary_on_case_data(case_transactions):
    tx = case_transactions
    seg = rfm_segments(rfm_scores(rfm_table(tx, observation_end="2024-12-31")))
    assert len(seg) == tx["customer_id"].nunique()
    summ = segment_summary(seg)
    # every segment of the map is used on the case data
    assert summ.index.tolist() == list(SEGMENTS)
    assert summ["customers"].sum() == len(seg)
    assert summ["share_customers"].sum() == pytest.approx(1.0)
    assert summ["share_revenue"].sum() == pytest.approx(1.0)
    assert summ["revenue"].sum() == pytest.approx(tx["amount"].sum())
    # champions buy more often and more recently than the lost
    assert summ.loc["champions", "mean_frequency"] > summ.loc["lost", "mean_frequency"]
    assert summ.loc["champions", "mean_recency"] < summ.loc["lost", "mean_recency"]


def test_segment_summary_by_hand_and_errors():
    seg = pd.DataFrame(
        {
            "recency": [1, 3, 300],
            "frequency": [9, 7, 1],
            "monetary": [900.0, 700.0, 400.0],
            "segment": ["champions", "champions", "lost"],
        }
    )
    summ = segment_summary(seg)
    assert summ.index.tolist() == ["champions", "lost"]
    assert summ.loc["champions"].to_dict() == pytest.approx(
        {
            "customers": 2,
            "share_customers": 2 / 3,
            "mean_recency": 2.0,
            "mean_frequency": 8.0,
            "mean_monetary": 800.0,
            "revenue": 1600.0,
            "share_revenue": 0.8,
        }
    )
    with pytest.raises(ValueError, match=r"unknown segment\(s\) \['vip'\].*'champions'"):
        segment_summary(seg.assign(segment=["champions", "vip", "lost"]))
    with pytest.raises(TypeError, match=r"`total` must be True or False.*got str 'yes'"):
        segment_summary(seg, total="yes")
    with pytest.raises(ValueError, match=r"'segment' of `segmented` has 1 missing value"):
        segment_summary(seg.assign(segment=["champions", None, "lost"]))


def test_segment_summary_total_row_by_hand():
    seg = pd.DataFrame(
        {
            "recency": [1, 3, 300],
            "frequency": [9, 7, 1],
            "monetary": [900.0, 700.0, 400.0],
            "segment": ["champions", "champions", "lost"],
        }
    )
    before = seg.copy()
    with_total = segment_summary(seg, total=True)
    assert with_total.index.tolist() == ["champions", "lost", ALL_CUSTOMERS]
    assert ALL_CUSTOMERS == "all customers"
    # Every customer: (1 + 3 + 300) / 3 days, (9 + 7 + 1) / 3 purchases, 2000 / 3 roubles.
    assert with_total.loc["all customers"].to_dict() == pytest.approx(
        {
            "customers": 3,
            "share_customers": 1.0,
            "mean_recency": 304 / 3,
            "mean_frequency": 17 / 3,
            "mean_monetary": 2000 / 3,
            "revenue": 2000.0,
            "share_revenue": 1.0,
        }
    )
    assert with_total["customers"].dtype == np.int64
    # The segment rows are those without the total.
    pd.testing.assert_frame_equal(
        with_total.iloc[:2], segment_summary(seg), check_index_type=False, check_categorical=False
    )
    assert list(with_total.index.categories) == [*SEGMENTS, "all customers"]
    # Nobody spent anything: every share of revenue is 0, as in the segment rows.
    free = segment_summary(seg.assign(monetary=0.0), total=True)
    assert free["share_revenue"].tolist() == [0.0, 0.0, 0.0]
    pd.testing.assert_frame_equal(seg, before)


# --------------------------------------------------------------------------- scoring properties

_rfm_values = st.lists(
    st.tuples(st.integers(0, 400), st.integers(1, 6), st.sampled_from([0.0, 9.99, 50.0, 1e3])),
    min_size=1,
    max_size=60,
)


@settings(max_examples=80, deadline=None)
@given(rows=_rfm_values, bins=st.integers(2, 10))
def test_scores_within_bins_and_monotone(rows, bins):
    rfm = pd.DataFrame(rows, columns=["recency", "frequency", "monetary"])
    sc = rfm_scores(rfm, bins=bins)
    for col in ("R", "F", "M"):
        assert sc[col].between(1, bins).all()
    # ordering: more recent never scores lower on R; more purchases/money never lower on F/M
    by_r = sc.sort_values("recency")
    assert by_r["R"].is_monotonic_decreasing
    assert sc.sort_values("frequency")["F"].is_monotonic_increasing
    assert sc.sort_values("monetary")["M"].is_monotonic_increasing
    # equal values, equal scores
    assert sc.groupby("monetary")["M"].nunique().eq(1).all()


@settings(max_examples=60, deadline=None)
@given(rows=_rfm_values)
def test_every_customer_gets_exactly_one_segment(rows):
    rfm = pd.DataFrame(rows, columns=["recency", "frequency", "monetary"])
    seg = rfm_segments(rfm_scores(rfm))
    assert len(seg) == len(rfm)
    assert seg.index.equals(rfm.index)
    assert seg["segment"].notna().all()
    assert seg["segment"].isin(list(SEGMENTS)).all()
    assert segment_summary(seg)["customers"].sum() == len(rfm)
    summary = segment_summary(seg, total=True)
    segments, everyone = summary.iloc[:-1], summary.loc[ALL_CUSTOMERS]
    assert everyone["customers"] == segments["customers"].sum() == len(rfm)
    assert everyone["revenue"] == pytest.approx(segments["revenue"].sum())
    assert everyone["mean_monetary"] == pytest.approx(rfm["monetary"].mean())
    weighted = (segments["mean_recency"] * segments["customers"]).sum() / len(rfm)
    assert everyone["mean_recency"] == pytest.approx(weighted)


def test_clv_summary_mixed_type_ids_keep_first_seen_order():
    log = _log([(1, "2024-01-01", 1), (1, "2024-01-02", 2), (1, "2024-01-03", 3)])
    log["customer_id"] = pd.Series([7, "A7", 7], dtype=object)
    s = clv_summary(log, freq="D")
    assert s.index.tolist() == [7, "A7"]
    assert s["frequency"].tolist() == [1, 0]
    assert s["monetary_value"].tolist() == [3.0, 0.0]


# --------------------------------------------------------------------------- score_matrix


def test_score_matrix_counts_and_values(case_transactions):
    sc = rfm_scores(rfm_table(case_transactions, observation_end="2024-12-31"))
    counts = score_matrix(sc)
    assert counts.shape == (5, 5)
    assert counts.index.tolist() == [1, 2, 3, 4, 5] and counts.index.name == "R"
    assert counts.columns.name == "F"
    assert int(counts.to_numpy().sum()) == len(sc)
    assert counts.loc[5, 5] == int(((sc["R"] == 5) & (sc["F"] == 5)).sum())
    total = score_matrix(sc, "R", "M", value="monetary", agg="sum")
    assert total.to_numpy().sum() == pytest.approx(sc["monetary"].sum())
    mean = score_matrix(sc, value="monetary")
    want = sc.loc[(sc["R"] == 2) & (sc["F"] == 3), "monetary"].mean()
    assert mean.loc[2, 3] == pytest.approx(want)


def test_score_matrix_empty_cells_and_errors():
    s = pd.DataFrame({"R": [3, 3], "F": [1, 2], "monetary": [1.0, 3.0]})
    assert score_matrix(s).loc[1].tolist() == [0, 0, 0]
    assert np.isnan(score_matrix(s, value="monetary").loc[1, 1])
    with pytest.raises(ValueError, match=r"`agg` must be one of 'mean', 'sum', 'median'"):
        score_matrix(s, value="monetary", agg="max")
    with pytest.raises(ValueError, match=r"column 'F' of `scores` must hold integer scores"):
        score_matrix(s.assign(F=[0.5, 1.0]))
    with pytest.raises(ValueError, match=r"`scores` has no column 'M'"):
        score_matrix(s, column="M")
