"""The shared input checks: each message names the argument and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlib import _validate as v


def test_check_frame_type_and_empty():
    with pytest.raises(TypeError, match=r"`tx` must be a pandas DataFrame, got list"):
        v.check_frame([1, 2], "tx")
    with pytest.raises(ValueError, match=r"`tx` is empty \(0 rows\)"):
        v.check_frame(pd.DataFrame({"a": []}), "tx", ["a"])
    df = pd.DataFrame({"a": [1]})
    assert v.check_frame(df, "tx", ["a"]) is df


def test_missing_column_lists_available():
    df = pd.DataFrame({"customer": [1], "amount": [2.0]})
    with pytest.raises(
        ValueError, match=r"no column 'customer_id'. Available columns: 'customer', 'amount'"
    ):
        v.check_columns(df, "transactions", ["customer_id"])


def test_missing_values_are_counted():
    df = pd.DataFrame({"customer_id": [1, None, None]})
    with pytest.raises(ValueError, match=r"2 missing value\(s\) \(first at index \[1, 2\]\)"):
        v.check_no_missing(df, "transactions", "customer_id")


def test_nonnegative_amounts():
    with pytest.raises(ValueError, match=r"1 negative value\(s\)"):
        v.check_nonnegative(pd.DataFrame({"amount": [1.0, -2.0]}), "tx", "amount")
    with pytest.raises(TypeError, match=r"must be numeric, got dtype"):
        v.check_nonnegative(pd.DataFrame({"amount": ["1", "2"]}), "tx", "amount")
    with pytest.raises(ValueError, match="missing"):
        v.check_nonnegative(pd.DataFrame({"amount": [1.0, np.nan]}), "tx", "amount")


def test_datetime_column():
    with pytest.raises(TypeError, match=r"pd.to_datetime\(tx\['date'\]\)"):
        v.check_datetime_column(pd.DataFrame({"date": ["2024-01-01"]}), "tx", "date")
    v.check_datetime_column(pd.DataFrame({"date": pd.to_datetime(["2024-01-01"])}), "tx", "date")


def test_timestamp():
    assert v.check_timestamp("2024-01-31", "end") == pd.Timestamp("2024-01-31")
    with pytest.raises(ValueError, match="`end` must be a date"):
        v.check_timestamp("not a date", "end")
    with pytest.raises(ValueError, match="`end` is missing"):
        v.check_timestamp(None, "end")


def test_ranges_and_probabilities():
    assert v.check_probability(0.8, "retention") == 0.8
    with pytest.raises(ValueError, match=r"0.8, not 80"):
        v.check_probability(80, "retention")
    with pytest.raises(ValueError, match=r"`discount` must be in \(-1, inf\), got -1"):
        v.check_in_range(-1, "discount", -1, None, low_inclusive=False)
    with pytest.raises(TypeError, match="must be a number, got str"):
        v.check_in_range("0.1", "discount")
    with pytest.raises(ValueError, match="got NaN"):
        v.check_probability(float("nan"), "retention")
    with pytest.raises(TypeError):
        v.check_probability(True, "retention")


def test_positive_int_and_choices():
    assert v.check_positive_int(3, "n") == 3
    with pytest.raises(TypeError, match="must be an integer, got float"):
        v.check_positive_int(2.5, "n")
    with pytest.raises(ValueError, match="must be one of 'D', 'W'; got 'M'"):
        v.check_one_of("M", "freq", ["D", "W"])


def test_random_state():
    g = np.random.default_rng(1)
    assert v.check_random_state(g) is g
    a, b = v.check_random_state(7), v.check_random_state(7)
    assert a.random() == b.random()
    with pytest.raises(TypeError, match="int seed or a numpy.random.Generator"):
        v.check_random_state(None)
    with pytest.raises(ValueError, match=">= 0"):
        v.check_random_state(-1)


def test_checks_do_not_modify_input():
    df = pd.DataFrame({"amount": [1.0, 2.0], "date": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    before = df.copy()
    v.check_frame(df, "tx", ["amount", "date"])
    v.check_nonnegative(df, "tx", "amount")
    v.check_datetime_column(df, "tx", "date")
    pd.testing.assert_frame_equal(df, before)


def test_first_labels_are_plain_values():
    idx = pd.Index(np.array([5, 6, 7, 8], dtype="int64"))
    got = v.first_labels(idx, [False, True, True, True])
    assert got == [6, 7, 8] and all(type(x) is int for x in got)
    assert v.first_labels(["a", "b", "c", "d"]) == ["a", "b", "c"]
    assert v.first_labels(pd.Index(["x"]), [False]) == []


def test_numeric_column_allows_negatives_but_not_gaps():
    df = pd.DataFrame({"margin": [120, -30]})
    out = v.check_numeric(df, "transactions", "margin")
    assert out.dtype == np.float64 and out.tolist() == [120.0, -30.0]
    with pytest.raises(
        TypeError, match=r"column 'm' of `tx` must hold numbers.*to_numeric\(tx\['m'\]\)"
    ):
        v.check_numeric(pd.DataFrame({"m": ["1"]}), "tx", "m")
    with pytest.raises(TypeError, match=r"must hold numbers, got dtype bool"):
        v.check_numeric(pd.DataFrame({"m": [True]}), "tx", "m")
    with pytest.raises(ValueError, match=r"column 'm' of `tx` has 1 missing value\(s\)"):
        v.check_numeric(pd.DataFrame({"m": [1.0, np.nan]}), "tx", "m")
    with pytest.raises(
        ValueError,
        match=r"column 'm' of `tx` has 2 infinite value\(s\) \(first at index \[1, 2\]\)",
    ):
        v.check_numeric(pd.DataFrame({"m": [1.0, np.inf, -np.inf]}), "tx", "m")


def test_numeric_values_of_a_series():
    s = pd.Series([3, -1], index=[10, 11])
    assert v.check_numeric_values(s, "spend").tolist() == [3.0, -1.0]
    with pytest.raises(
        TypeError, match=r"`spend` must hold numbers, got dtype str.*to_numeric\(spend\)"
    ):
        v.check_numeric_values(pd.Series(["3"]), "spend")
    with pytest.raises(
        ValueError,
        match=r"column 'nps' of `data` has 1 missing value\(s\) \(first at index \[11\]\).*"
        r"data\['nps'\]\.dropna\(\)",
    ):
        v.check_numeric_values(
            pd.Series([3.0, np.nan], index=[10, 11]), "data['nps']", "column 'nps' of `data`"
        )
    with pytest.raises(ValueError, match=r"`x` has 1 infinite value\(s\) \(first at index \[0\]\)"):
        v.check_numeric_values(pd.Series([np.inf, 1.0]), "x")


def test_customer_frame():
    tx = pd.DataFrame(
        {"customer_id": [1, 2], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "x": [1, 2]}
    )
    assert v.check_customer_frame(tx, "tx", "customer_id", ["x", None], date_col="date") is tx
    with pytest.raises(ValueError, match=r"`tx` has no column 'date'"):
        v.check_customer_frame(tx.drop(columns="date"), "tx", "customer_id", ["y"], date_col="date")
    with pytest.raises(ValueError, match=r"`tx` has no column 'y'"):
        v.check_customer_frame(tx, "tx", "customer_id", ["y"])
    with pytest.raises(ValueError, match=r"column 'customer_id' of `tx` has 1 missing"):
        v.check_customer_frame(tx.assign(customer_id=[1, None]), "tx", "customer_id")
    with pytest.raises(TypeError, match=r"column 'date' of `tx` must hold datetimes"):
        v.check_customer_frame(tx.assign(date=["a", "b"]), "tx", "customer_id", date_col="date")
    with pytest.raises(ValueError, match=r"`tx` is empty"):
        v.check_customer_frame(tx.iloc[:0], "tx", "customer_id")


def test_customer_values():
    s = pd.Series([5, -2], index=pd.Index([3, 4], name="customer_id"), name="profit")
    out = v.check_customer_values(s, "profit")
    assert out.dtype == np.float64 and out.tolist() == [5.0, -2.0]
    assert out.name == "profit" and out.index.name == "customer_id" and out is not s
    with pytest.raises(TypeError, match=r"`p` must hold numbers.*pd.to_numeric\(p\)"):
        v.check_customer_values(pd.Series(["1"]), "p")
    with pytest.raises(ValueError, match=r"index of `p` \(the customer ids\) has 1 missing id"):
        v.check_customer_values(pd.Series([1.0, 2.0], index=[1.0, np.nan]), "p")
    with pytest.raises(ValueError, match=r"repeated customer ids.*customer_col=... and amount_col"):
        v.check_customer_values(pd.Series([1.0, 2.0], index=[5, 5]), "p", "amount_col")
    with pytest.raises(ValueError, match=r"1 missing value\(s\) \(first for customer\(s\) \[8\]\)"):
        v.check_customer_values(pd.Series([1.0, np.nan], index=[7, 8]), "p")
    with pytest.raises(
        ValueError, match=r"1 infinite value\(s\) \(first for customer\(s\) \[7\]\)"
    ):
        v.check_customer_values(pd.Series([np.inf, 1.0], index=[7, 8]), "p")


def test_unique_ids():
    df = pd.DataFrame({"cid": [3, 1, 2]})
    ids = v.check_unique_ids(df, "customers", "cid")
    assert ids.tolist() == [3, 1, 2] and ids.name == "cid"
    with pytest.raises(
        ValueError,
        match=r"column 'cid' of `t` repeats customer ids \(first: \[1, 1\]\); one group each",
    ):
        v.check_unique_ids(pd.DataFrame({"cid": [1, 2, 1]}), "t", "cid", "one group each")


def test_confidence_and_discount_rate():
    assert v.check_confidence(0.9) == 0.9
    with pytest.raises(ValueError, match=r"`confidence` must be in \(0, 1\), got 1. Write it"):
        v.check_confidence(1)
    with pytest.raises(ValueError, match=r"`level` must be in \(0, 1\), got 0"):
        v.check_confidence(0, "level")
    assert v.check_discount_rate(-0.5) == -0.5
    with pytest.raises(ValueError) as err:
        v.check_discount_rate(-1)
    assert str(err.value) == (
        "`discount_rate` must be in (-1, 1], got -1. Write rates as fractions: 0.1 for 10%; "
        "a rate of -1 or less makes no sense."
    )
    with pytest.raises(ValueError) as err:
        v.check_discount_rate(15)
    assert str(err.value) == (
        "`discount_rate` must be in (-1, 1], got 15. Write rates as fractions: 0.15 for 15%."
    )


def test_new_checks_do_not_modify_input():
    df = pd.DataFrame({"customer_id": [1, 2], "margin": [1.0, -2.0]})
    s = pd.Series([3, 4], index=[1, 2])
    before_df, before_s = df.copy(), s.copy()
    values = v.check_numeric(df, "tx", "margin")
    assert not values.flags.writeable or not np.shares_memory(values, df["margin"].to_numpy())
    v.check_customer_frame(df, "tx", "customer_id", ["margin"])
    checked = v.check_customer_values(s, "s")
    checked.iloc[0] = 99.0
    pd.testing.assert_frame_equal(df, before_df)
    pd.testing.assert_series_equal(s, before_s)
