"""One property per class of bad input (hypothesis), and whole-message checks."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmlib import _validate as v
from rmlib import clv, loyalty, relationship, retention, rfm
from rmlib.data._generate import _check_args
from rmlib.datasets import load_cdnow

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TX = pd.DataFrame(
    {
        "customer_id": [1, 1, 2, 3, 3],
        "timestamp": pd.to_datetime(
            ["2024-01-03", "2024-02-10", "2024-01-20", "2024-01-05", "2024-03-01"]
        ),
        "amount": [10.0, 20.0, 5.0, 7.0, 9.0],
    }
)


# --- 1. a missing column: the suggested fix is a call that works --------------------------------


@FAST
@given(
    col=st.sampled_from(["customer_id", "timestamp", "amount"]),
    new=st.sampled_from(["client", "Client ID", "x", "amount_rub", "when"]),
    func=st.sampled_from([rfm.rfm_table, rfm.clv_summary, retention.cohort_table]),
)
def test_missing_column_fix_works_when_executed(col, new, func):
    if func is retention.cohort_table and col == "amount":
        return
    tx = TX.rename(columns={col: new})
    with pytest.raises(ValueError) as err:
        func(tx)
    msg = str(err.value)
    assert msg.startswith(f"`transactions` has no column {col!r}. Available columns: ")
    keyword = re.search(r"\(\.\.\., (\w+)='([^'<]+)'\)", msg)
    if keyword:  # the keyword exists for this function and the call succeeds
        func(tx, **{keyword.group(1): keyword.group(2)})
    rename = re.search(r"transactions\.rename\(columns=\{'([^'<]+)': '([^']+)'\}\)", msg)
    if rename:
        func(tx.rename(columns={rename.group(1): rename.group(2)}))
    if not (keyword or rename):
        assert "<the column that holds it>" in msg
        func(tx.rename(columns={new: col}))  # the placeholder filled in works too


def test_missing_column_message_whole():
    with pytest.raises(ValueError) as err:
        rfm.rfm_table(TX.rename(columns={"customer_id": "customer"}))
    assert str(err.value) == (
        "`transactions` has no column 'customer_id'. Available columns: 'customer', 'timestamp', "
        "'amount'. If 'customer' holds it, name it: rfm_table(..., customer_col='customer'), "
        "or rename it: transactions.rename(columns={'customer': 'customer_id'})."
    )


# --- 2. one date parser -----------------------------------------------------------------------

dates = st.dates(
    min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2060-12-31").date()
)


@FAST
@given(d=dates)
def test_dates_day_first_and_iso_agree(d):
    ts = pd.Timestamp(d)
    for text in (d.strftime("%d.%m.%Y"), d.strftime("%d/%m/%Y"), d.isoformat(), f"{d:%Y/%m/%d}"):
        assert v.check_timestamp(text, "as_of") == ts
    for text in (d.strftime("%d-%m-%Y"), d.strftime("%d.%m.%y")):
        with pytest.raises(
            ValueError, match=r"^`as_of` must be a date such as .* so it is not guessed"
        ):
            v.check_timestamp(text, "as_of")
    with pytest.raises(TypeError) as err:
        v.check_timestamp(int(d.strftime("%Y%m%d")), "observation_end")
    assert str(err.value) == (
        f"`observation_end` must be a date, got the number {int(d.strftime('%Y%m%d'))}; numbers "
        f"are not read as dates (pandas would take it as nanoseconds since 1970). Write it as a "
        f"string: '{d.isoformat()}'."
    )


def test_russian_dates_everywhere():
    iso, ru = "2025-03-05", "05.03.2025"
    tx = TX.assign(timestamp=TX["timestamp"] + pd.DateOffset(years=1))
    assert rfm.rfm_table(tx, observation_end=ru).equals(rfm.rfm_table(tx, observation_end=iso))
    assert (
        rfm.rfm_table(tx, observation_end=ru)["recency"].min()
        == (pd.Timestamp(iso) - tx["timestamp"].max()).days
    )
    assert retention.cohort_table(tx, observation_end=ru).equals(
        retention.cohort_table(tx, observation_end=iso)
    )
    assert retention.retention_rate(tx, period="M", start="15.01.2025") == retention.retention_rate(
        tx, period="M", start="2025-01"
    )
    assert _check_args(10, "01.01.2023", "31/12/2024", "ru_RU", 1)[1:3] == (
        pd.Timestamp("2023-01-01"),
        pd.Timestamp("2024-12-31"),
    )
    with pytest.raises(ValueError, match=r"^`start` must be a date such as"):
        _check_args(10, "01-02-2023", "2024-12-31", "ru_RU", 1)


def test_tz_aware_end_equal_to_last_purchase_is_accepted():
    tx = TX.assign(timestamp=TX["timestamp"].dt.tz_localize("Asia/Vladivostok"))
    last_utc = tx["timestamp"].max().tz_convert("UTC")
    assert rfm.rfm_table(tx, observation_end=last_utc)["recency"].min() == 0
    retention.cohort_table(tx, observation_end=last_utc)
    groups = pd.DataFrame({"customer_id": [1, 2, 3], "group": ["treatment", "control", "control"]})
    out = relationship.program_outcomes(tx.assign(margin=1.0), groups, weeks=1)
    assert list(out.index) == [1, 2, 3]


# --- 3. infinities, frames of other libraries, id types ------------------------------------------


@FAST
@given(x=st.sampled_from([np.inf, -np.inf]), low=st.one_of(st.none(), st.floats(-5, 5)))
def test_infinity_never_passes_a_range_check(x, low):
    with pytest.raises(
        ValueError, match=r"^`acquisition_cost` must be a finite number, got -?inf\."
    ):
        v.check_in_range(x, "acquisition_cost", low)
    df = pd.DataFrame({"amount": [1.0, x]})
    with pytest.raises(ValueError, match=r"column 'amount' of `tx` has 1 (infinite|negative)"):
        v.check_nonnegative(df, "tx", "amount")


def test_polars_frame_and_id_types_messages():
    class DataFrame:  # what polars.DataFrame looks like from here
        __module__ = "polars.dataframe.frame"

    with pytest.raises(TypeError) as err:
        rfm.rfm_table(DataFrame())
    assert str(err.value) == (
        "`transactions` must be a pandas DataFrame, got a polars DataFrame. Convert it first: "
        "transactions.to_pandas()."
    )
    groups = pd.DataFrame({"customer_id": ["1", "2"], "group": ["treatment", "control"]})
    with pytest.raises(TypeError) as err:
        relationship.program_outcomes(TX.assign(margin=1.0), groups)
    assert str(err.value) == (
        "column 'customer_id' of `assignment` holds text (e.g. '1') but column 'customer_id' of "
        "`transactions` holds numbers (e.g. 1), so no id can match. Make them the same type, e.g. "
        "transactions['customer_id'].astype(str) or assignment['customer_id'].astype(int)."
    )


# --- 4. CLV numerics --------------------------------------------------------------------------


def test_sparse_bgnbd_warns_and_refuses_nan_predictions():
    x = np.zeros(1000)
    t_x = np.zeros(1000)
    x[0], t_x[0] = 1, 10.0
    T = np.full(1000, 39.0)
    with pytest.warns(clv.ConvergenceWarning):
        bg = clv.BetaGeoModel().fit(x, t_x, T)
    assert not bg.converged_
    with pytest.raises(
        ValueError, match=r"cannot compute expected purchases .*BetaGeoModel\(penalizer=0\.001\)\.$"
    ):
        bg.expected_purchases(10, x, t_x, T)


@FAST
@given(
    logs=st.lists(st.floats(-12, 12), min_size=4, max_size=4),
    x=st.integers(0, 50),
    t=st.floats(0.1, 200),
)
def test_bgnbd_predictions_are_bounded_or_refused(logs, x, t):
    r, alpha, a, b = np.exp(logs)
    bg = clv.BetaGeoModel.from_params(r=r, alpha=alpha, a=a, b=b)
    t_x, T = (20.0, 40.0) if x else (0.0, 40.0)
    try:
        value = bg.expected_purchases(t, x, t_x, T)
    except ValueError as exc:
        assert "BetaGeoModel" in str(exc) and "penalizer" in str(exc)
        return
    assert 0 <= value <= t * (r + x) / (alpha + t_x) * (1 + 1e-6) + 1e-9


def test_discounted_clv_horizon_and_period_errors():
    bg = clv.BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    gg = clv.GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)
    args = (bg, gg, 2, 30.43, 38.86, 22.35)
    with pytest.raises(ValueError) as err:
        clv.discounted_clv(*args, horizon=np.inf)
    assert (
        str(err.value) == "`horizon` must be a finite number, got inf. E.g. 52 for a year of weeks."
    )
    with pytest.raises(ValueError) as err:
        clv.discounted_clv(*args, period_length=1e-9)
    assert str(err.value) == (
        "`horizon` / `period_length` = 52 / 1e-09 makes 52,000,000,000 discounting steps "
        "(at most 100,000): `period_length` is one discounting step in the models' time unit, "
        "e.g. period_length=52/12 for months when the models were fitted in weeks."
    )


# --- 5. mix-ups -------------------------------------------------------------------------------


@FAST
@given(answers=st.lists(st.integers(1, 5), min_size=5, max_size=40))
def test_satisfaction_answers_given_to_nps_warn(answers):
    with pytest.warns(UserWarning, match=r"answers given to NPS lie between 1 and 5"):
        loyalty.nps(answers)


@FAST
@given(rate=st.floats(1.01, 100))
def test_percentages_as_discount_rates_are_refused(rate):
    with pytest.raises(ValueError, match=r"^`discount_rate` must be in \(-1, 1\], got .* for "):
        clv.retention_clv(100, 0.5, rate)


def test_three_bin_scores_on_the_five_level_grid():
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "recency": rng.integers(0, 300, 30),
            "frequency": rng.integers(1, 9, 30),
            "monetary": rng.uniform(10, 900, 30),
        }
    )
    with pytest.raises(ValueError) as err:
        rfm.rfm_segments(rfm.rfm_scores(table, bins=3))
    assert str(err.value) == (
        "`scores` were made with rfm_scores(..., bins=3), but the segment grid has 5 levels per "
        "score, so a top score of 3 would land in the wrong segment. Score with "
        "rfm_scores(rfm, bins=5) first."
    )
    plain = rfm.rfm_scores(table, bins=3)[["R", "F", "M"]].copy()
    plain.attrs = {}
    with pytest.warns(UserWarning, match=r"no score in `scores` reaches 5"):
        rfm.rfm_segments(plain)


def test_weeks_model_applied_to_days_warns():
    cal = load_cdnow().query("date <= '1997-09-30'")
    weeks = rfm.clv_summary(cal, date_col="date", observation_end="1997-09-30")
    days = rfm.clv_summary(cal, date_col="date", observation_end="1997-09-30", freq="D")
    bg = clv.BetaGeoModel().fit(weeks["frequency"], weeks["recency"], weeks["T"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bg.prob_alive(weeks["frequency"], weeks["recency"], weeks["T"])
    with pytest.warns(UserWarning, match=r"is 7 times the median T .* another time unit"):
        bg.prob_alive(days["frequency"], days["recency"], days["T"])


# --- 6. calibration and holdout -----------------------------------------------------------------


def test_cdnow_calibration_holdout():
    s = rfm.calibration_holdout_summary(load_cdnow(), "30.09.1997", date_col="date")
    cal = load_cdnow().query("date <= '1997-09-30'")
    ref = rfm.clv_summary(cal, date_col="date", observation_end="1997-09-30")
    pd.testing.assert_frame_equal(s[list(ref.columns)], ref)
    holdout = load_cdnow().query("date > '1997-09-30'")
    days = holdout.groupby(["customer_id", holdout["date"].dt.normalize()]).size()
    assert int(s["frequency_holdout"].sum()) == len(days) == 1882
    assert s["duration_holdout"].eq(39.0).all()
    bg = clv.BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
    assert {k: round(x, 3) for k, x in bg.params_.items()} == {
        "r": 0.243,
        "alpha": 4.414,
        "a": 0.793,
        "b": 2.426,
    }
    check = clv.holdout_check(bg, s)
    assert check.loc["all", "customers"] == 2357
    assert check.loc["all", "actual_total"] == 1882
    # the model is close to the holdout on the whole, and orders the groups right
    assert abs(check.loc["all", "predicted_total"] / 1882 - 1) < 0.15
    groups = check.drop(index="all")
    assert groups["predicted"].is_monotonic_increasing
    with pytest.raises(ValueError, match=r"^`calibration_end` \(1998-07-01\) must be before"):
        rfm.calibration_holdout_summary(load_cdnow(), "1998-07-01", date_col="date")
