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
