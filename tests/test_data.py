"""Tests for rmlib.data: schema, story, ground truth, argument errors, writing and reading."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from rmlib.data import Case, generate_case, read_case, schema, seasonality
from rmlib.data._people import CITIES
from rmlib.datasets import load_case


@pytest.fixture(scope="module")
def small() -> Case:
    return generate_case(n_customers=3000, random_state=11)


@pytest.fixture(scope="module")
def shipped() -> Case:
    return load_case()


# --- schema ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["small", "shipped"])
def test_every_table_has_the_schema_columns_and_dtypes(which, request):
    case = request.getfixturevalue(which)
    assert list(case.tables()) == list(schema.TABLE_NAMES)
    for name, df in case.tables().items():
        assert list(df.columns) == schema.columns(name), name
        for col, dtype in schema.dtypes(name).items():
            assert str(df[col].dtype) == str(pd.Series([], dtype=dtype).dtype), (name, col)
        assert isinstance(df.index, pd.RangeIndex)


def test_schema_markdown_lists_every_column():
    text = schema.schema_markdown()
    for name, table in schema.TABLES.items():
        assert f"### `{name}`" in text
        for col in table.columns:
            assert f"| `{col.name}` | {col.dtype} |" in text


def test_conform_names_missing_columns_and_lists_available():
    with pytest.raises(
        ValueError, match=r"lacks column\(s\).*'tier'.*Available columns: 'customer_id'"
    ):
        schema.conform(pd.DataFrame({"customer_id": [1]}), "loyalty")
    with pytest.raises(ValueError, match="unknown table 'clients'.*'customers'"):
        schema.columns("clients")


def test_keys_and_references_are_consistent(small):
    c = small
    cust, tx = c.customers, c.transactions
    assert cust["customer_id"].tolist() == list(range(1, len(cust) + 1))
    assert cust["email"].is_unique
    assert set(tx["customer_id"]) == set(cust["customer_id"])  # everyone bought at signup
    assert tx["transaction_id"].tolist() == list(range(1, len(tx) + 1))
    assert tx["timestamp"].is_monotonic_increasing
    assert set(tx["store_id"].dropna()) <= set(c.stores["store_id"])
    assert (tx["store_id"].isna() == (tx["channel"] == "online")).all()
    first = tx.groupby("customer_id")["timestamp"].min().dt.normalize()
    assert (first.to_numpy() == cust.set_index("customer_id")["signup_date"].to_numpy()).all()
    b2b = cust["segment"] == "B2B"
    managers = c.employees.loc[c.employees["role"] == "account_manager", "employee_id"]
    assert cust.loc[b2b, "manager_id"].isin(managers).all()
    assert cust.loc[~b2b, "manager_id"].isna().all()
    assert cust.loc[b2b, "company"].notna().all() and cust.loc[~b2b, "company"].isna().all()
    assert set(cust["store_id"]) <= set(c.stores["store_id"])
    home_city = cust["store_id"].map(c.stores.set_index("store_id")["city"])
    assert (home_city == cust["city"]).all()
    assert c.loyalty["customer_id"].tolist() == cust.loc[~b2b, "customer_id"].tolist()
    assert c.truth["customer_id"].tolist() == cust["customer_id"].tolist()
    assert (tx[["amount", "margin", "discount"]] >= 0).all().all()
    assert (tx["margin"] < tx["amount"]).all() and (tx["items"] >= 1).all()
    valid_emp = set(c.employees["employee_id"])
    assert set(c.interactions["employee_id"].dropna()) <= valid_emp


def test_stores_are_in_real_far_eastern_cities_weighted_by_population(small):
    stores = small.stores
    pop = {ru: p for ru, _, _, _, p in CITIES}
    assert set(stores["city"]) == set(pop)
    per_city = stores.groupby("city").size()
    biggest, smallest = max(pop, key=pop.get), min(pop, key=pop.get)
    assert per_city[biggest] > per_city[smallest]
    share = small.customers["city"].value_counts(normalize=True)
    expected = pd.Series(pop) / sum(pop.values())
    n = len(small.customers)
    tol = 5 * np.sqrt(expected * (1 - expected) / n) + 0.02  # sorting adds a little spread
    assert ((share.reindex(expected.index) - expected).abs() < tol).all()


def test_english_locale_uses_latin_names_and_english_cities():
    c = generate_case(n_customers=200, locale="en_US", random_state=3)
    assert set(c.stores["city"]) == {en for _, en, _, _, _ in CITIES}
    assert c.customers["name"].str.fullmatch(r"[A-Za-z' .-]+").all()
    assert c.customers["phone"].str.fullmatch(r"[2-9]\d\d-[2-9]\d\d-\d{4}").all()


def test_russian_locale_uses_cyrillic_names_and_ascii_emails(small):
    cust = small.customers
    assert cust["name"].str.contains(r"[А-Яа-яЁё]").all()
    assert cust["email"].str.fullmatch(r"[a-z0-9.]+@[a-z.]+").all()
    assert cust["phone"].str.fullmatch(r"\+7 \(9\d\d\) \d{3}-\d\d-\d\d").all()


# --- ground truth --------------------------------------------------------------------------


def test_no_purchase_after_churn_and_death_only_after_a_repeat(small):
    tx, truth = small.transactions, small.truth.set_index("customer_id")
    last = tx.groupby("customer_id")["timestamp"].max()
    count = tx.groupby("customer_id").size()
    dead = ~truth["alive_at_end"]
    assert truth["churn_date"].isna().equals(truth["alive_at_end"])
    assert (last[dead] == truth.loc[dead, "churn_date"]).all()
    after = tx["timestamp"] > tx["customer_id"].map(truth["churn_date"])
    assert not after.any()
    assert (count[dead] >= 2).all()  # dropout happens only after a repeat purchase
    assert 0.2 < dead.mean() < 0.8


def _operational_weeks_left(case: Case) -> pd.Series:
    """Weeks on the seasonal clock from each customer's first purchase to the end."""
    args = case.meta["arguments"]
    days = pd.date_range(args["start"], args["end"])
    first = case.transactions.groupby("customer_id")["timestamp"].min()
    seg = case.customers.set_index("customer_id")["segment"]
    out = pd.Series(0.0, index=first.index)
    for name in ("B2C", "B2B"):
        s = seasonality(days, name)
        cum = np.r_[0.0, np.cumsum(s)] / 7
        who = seg.index[seg == name]
        x = ((first[who] - days[0]) / pd.Timedelta(days=1)).to_numpy()
        out[who] = cum[-1] - np.interp(x, np.arange(len(cum)), cum)
    return out


@pytest.mark.parametrize("segment", ["B2C", "B2B"])
def test_repeat_purchase_counts_match_the_true_rates(small, segment):
    truth = small.truth.set_index("customer_id")
    who = truth.index[truth["segment"] == segment]
    t = _operational_weeks_left(small)[who]
    lam, p = truth.loc[who, "purchase_rate"], truth.loc[who, "dropout_probability"]
    expected = -np.expm1(-lam * p * t) / p  # E[repeats in t] under BG/NBD
    observed = small.transactions.groupby("customer_id").size()[who] - 1
    resid = observed - expected
    z = resid.sum() / np.sqrt((resid**2).sum())  # tolerance from the sample itself
    assert abs(z) < 4, (segment, observed.mean(), expected.mean())


def test_amounts_match_the_true_mean_spend(small):
    tx = small.transactions
    mean = tx["customer_id"].map(small.truth.set_index("customer_id")["mean_spend"])
    resid = (tx["amount"] - mean).groupby(tx["customer_id"]).sum()
    assert abs(resid.sum() / np.sqrt((resid**2).sum())) < 4


def test_control_group_parameters_follow_the_recorded_population(small):
    pop = small.meta["population"]["B2C"]
    ctrl = small.loyalty.loc[small.loyalty["group"] == "control", "customer_id"]
    truth = small.truth.set_index("customer_id").loc[ctrl]
    bg, gg = pop["bgnbd"], pop["gamma_gamma"]
    n = len(truth)
    lam_mean, lam_sd = bg["r"] / bg["alpha"], np.sqrt(bg["r"]) / bg["alpha"]
    assert abs(truth["purchase_rate"].mean() - lam_mean) < 4 * lam_sd / np.sqrt(n)
    a, b = bg["a"], bg["b"]
    p_mean, p_sd = a / (a + b), np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    assert abs(truth["dropout_probability"].mean() - p_mean) < 4 * p_sd / np.sqrt(n)
    # mean spend p/nu with nu ~ Gamma(q, gamma): 1/nu is inverse-gamma
    spend_mean = gg["p"] * gg["gamma"] / (gg["q"] - 1)
    spend_sd = gg["p"] * gg["gamma"] / ((gg["q"] - 1) * np.sqrt(gg["q"] - 2))
    assert abs(truth["mean_spend"].mean() - spend_mean) < 4 * spend_sd / np.sqrt(n)
    assert pop["mean_spend_population_mean"] == pytest.approx(spend_mean)


def test_truth_value_tiers_and_expected_purchases(small):
    truth = small.truth
    share = truth["value_tier"].value_counts(normalize=True)
    assert share["platinum"] == pytest.approx(0.05, abs=0.01)
    assert share["gold"] == pytest.approx(0.15, abs=0.01)
    assert (truth.loc[~truth["alive_at_end"], "expected_purchases_52w"] == 0).all()
    order = ["lead", "iron", "gold", "platinum"]
    medians = truth.groupby("value_tier")["expected_margin_52w"].median()[order]
    assert medians.is_monotonic_increasing


# --- the story -----------------------------------------------------------------------------


def test_seasonality_has_mean_one_and_the_documented_peaks():
    days = pd.date_range("2023-01-01", "2024-12-31")
    for seg in ("B2C", "B2B"):
        s = seasonality(days, seg)
        assert s.mean() == pytest.approx(1.0, abs=1e-12)
        assert s[days.month == 12].mean() > 1.1
    b2c, b2b = seasonality(days, "B2C"), seasonality(days, "B2B")
    weekend = days.day_of_week >= 5
    assert b2c[weekend].mean() > b2c[~weekend].mean()
    assert b2b[weekend].mean() < 0.2 * b2b[~weekend].mean()


def test_december_is_the_busiest_month(shipped):
    month = shipped.transactions["timestamp"].dt.to_period("M")
    per_month = month.value_counts()
    per_day = per_month / per_month.index.days_in_month
    assert per_day.idxmax().month == 12


def test_b2b_is_few_customers_with_much_higher_margin(shipped):
    tx = shipped.transactions.merge(shipped.customers[["customer_id", "segment"]])
    per = tx.groupby("segment").agg(n=("customer_id", "nunique"), margin=("margin", "sum"))
    per_customer = per["margin"] / per["n"]
    assert per.loc["B2B", "n"] < 0.05 * per["n"].sum()
    assert per_customer["B2B"] > 20 * per_customer["B2C"]
    share = tx.groupby("segment").apply(lambda d: (d["margin"] / d["amount"]).mean())
    assert share["B2B"] > share["B2C"] + 0.05


def test_revenue_is_concentrated(shipped):
    rev = shipped.transactions.groupby("customer_id")["amount"].sum().sort_values()[::-1]
    top20 = rev.iloc[: int(np.ceil(0.2 * len(rev)))].sum() / rev.sum()
    assert 0.6 < top20 < 0.95


def test_attitude_and_behaviour_are_linked_but_not_identical(shipped):
    s = shipped.surveys.merge(shipped.truth[["customer_id", "attitude"]])
    assert s["nps"].between(0, 10).all() and s["csat"].between(1, 5).all()
    r = s["nps"].corr(s["attitude"])
    assert 0.4 < r < 0.95
    kinds = shipped.truth["loyalty_type"].value_counts(normalize=True)
    assert set(kinds.index) == {"true", "latent", "spurious", "none"}
    assert kinds.min() > 0.05
    # latent loyalty: good attitude but few purchases; spurious: the reverse
    n = shipped.transactions.groupby("customer_id").size()
    t = shipped.truth.set_index("customer_id")
    assert n[t["loyalty_type"] == "spurious"].mean() > n[t["loyalty_type"] == "latent"].mean()


def test_staff_satisfaction_goes_with_customer_satisfaction_and_repeat_rate(shipped):
    st = shipped.stores.set_index("store_id")
    home = shipped.customers.set_index("customer_id")["store_id"]
    n = shipped.transactions.groupby("customer_id").size()
    repeat = (n >= 2).groupby(n.index.map(home)).mean()
    assert st["staff_satisfaction"].corr(st["customer_satisfaction"]) > 0.4
    assert st["staff_satisfaction"].corr(repeat.reindex(st.index)) > 0.3
    staff = shipped.employees.groupby("store_id")["satisfaction"].mean().round(2)
    assert np.allclose(staff.reindex(st.index), st["staff_satisfaction"])


def test_loyalty_card_effect_shows_only_against_the_control_group(shipped):
    loy = shipped.loyalty
    n = loy["customer_id"].map(shipped.transactions.groupby("customer_id").size())
    assert not loy.loc[loy["group"] == "control", "enrolled"].any()
    by_group = n.groupby(loy["group"]).agg(["mean", "var", "count"])
    itt = by_group.loc["treatment", "mean"] - by_group.loc["control", "mean"]
    se = np.sqrt((by_group["var"] / by_group["count"]).sum())
    assert itt > 1.5 * se  # a real effect ...
    assert itt < 0.2 * by_group.loc["control", "mean"]  # ... but modest
    naive = n[loy["enrolled"]].mean() - n[~loy["enrolled"]].mean()
    assert naive > 2 * itt  # self-selection exaggerates the naive comparison
    enrolled = loy[loy["enrolled"]]
    assert enrolled["tier"].notna().all() and loy.loc[~loy["enrolled"], "tier"].isna().all()
    assert (loy["points_redeemed"] <= loy["points_earned"]).all()
    truth = shipped.truth.set_index("customer_id")["program_effect"]
    assert (truth[enrolled["customer_id"]] > 0).all()
    assert (truth.drop(enrolled["customer_id"]) == 0).all()


def test_contact_log_has_refusals_and_churn_notices_with_reasons(shipped):
    log = shipped.interactions
    assert set(log["type"]) == {
        "inquiry",
        "complaint",
        "follow_up",
        "offer",
        "refusal",
        "churn_notice",
    }
    for kind in ("refusal", "churn_notice", "complaint", "inquiry"):
        assert log.loc[log["type"] == kind, "reason"].notna().all(), kind
    assert log.loc[log["type"] == "offer", "reason"].isna().all()
    notices = log[log["type"] == "churn_notice"]
    truth = shipped.truth.set_index("customer_id")
    assert not truth.loc[notices["customer_id"], "alive_at_end"].any()
    assert (
        notices["timestamp"].to_numpy() > truth.loc[notices["customer_id"], "churn_date"].to_numpy()
    ).all()
    assert notices["reason"].nunique() >= 4
    args = shipped.meta["arguments"]
    assert log["timestamp"].min() >= pd.Timestamp(args["start"])
    assert log["timestamp"].max() < pd.Timestamp(args["end"]) + pd.Timedelta(days=1)
    assert log["interaction_id"].tolist() == list(range(1, len(log) + 1))


def test_surveys_follow_their_purchase(shipped):
    s = shipped.surveys.merge(
        shipped.transactions[["transaction_id", "customer_id", "timestamp"]],
        on="transaction_id",
        suffixes=("", "_tx"),
    )
    assert (s["customer_id"] == s["customer_id_tx"]).all()
    assert (s["date"] >= s["timestamp"].dt.normalize()).all()


def test_partners_cover_the_stakeholder_types(shipped):
    kinds = set(shipped.partners["kind"])
    assert {"supplier", "distributor", "bank", "investor", "agency", "media"} <= kinds


def test_custom_window_and_generator_seed():
    c = generate_case(
        200, start="2021-03-01", end="2021-06-30", random_state=np.random.default_rng(5)
    )
    tx = c.transactions["timestamp"]
    assert tx.min() >= pd.Timestamp("2021-03-01") and tx.max() < pd.Timestamp("2021-07-01")
    assert c.meta["arguments"]["random_state"] is None
    again = generate_case(
        200, start="2021-03-01", end="2021-06-30", random_state=np.random.default_rng(5)
    )
    assert again.transactions.equals(c.transactions)


def test_same_seed_same_data_different_seed_different_data():
    a, b = generate_case(300, random_state=9), generate_case(300, random_state=9)
    for name in schema.TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.meta == b.meta
    c = generate_case(300, random_state=10)
    assert not c.transactions.equals(a.transactions)


def test_single_customer_works():
    c = generate_case(1, random_state=0)
    assert len(c.customers) == 1 and len(c.loyalty) == 1 and len(c.transactions) >= 1


# --- argument errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_customers": 0}, ValueError, r"`n_customers` must be an integer >= 1, got 0"),
        ({"n_customers": -5}, ValueError, r"`n_customers` must be an integer >= 1, got -5"),
        ({"n_customers": 2.5}, TypeError, r"`n_customers` must be an integer, got float"),
        ({"n_customers": "100"}, TypeError, r"`n_customers` must be an integer, got str"),
        ({"n_customers": True}, TypeError, r"`n_customers` must be an integer, got bool"),
        ({"start": "someday"}, ValueError, r"`start` must be a date such as"),
        ({"end": None}, ValueError, r"`end` is missing"),
        (
            {"start": "2024-01-01", "end": "2023-01-01"},
            ValueError,
            r"`end` must be at least 4 weeks after `start`",
        ),
        ({"start": "2024-01-01", "end": "2024-01-01"}, ValueError, r"at least 4 weeks"),
        ({"start": "2024-01-01", "end": "2024-01-10"}, ValueError, r"at least 4 weeks"),
        ({"start": "2000-01-01", "end": "2030-01-01"}, ValueError, r"at most 20 years"),
        ({"start": "2023-01-01 12:00"}, ValueError, r"without a time of day"),
        ({"start": pd.Timestamp("2023-01-01", tz="UTC")}, ValueError, r"without a time zone"),
        ({"locale": "de_DE"}, ValueError, r"`locale` must be one of 'ru_RU', 'en_US'; got 'de_DE'"),
        ({"random_state": "42"}, TypeError, r"`random_state` must be an int seed or a numpy"),
        ({"random_state": -1}, ValueError, r"`random_state` must be >= 0"),
    ],
)
def test_generate_case_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        generate_case(**{"n_customers": 10, **kwargs})


# --- writing and reading ------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny() -> Case:
    return generate_case(n_customers=150, random_state=4)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_through_read_case(tiny, tmp_path, fmt):
    out = tiny.write(tmp_path / "case", format=fmt)
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([f"{n}.{fmt}" for n in schema.TABLE_NAMES] + ["meta.json", "README.md"])
    back = read_case(out)
    for name in schema.TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(tiny, name), check_exact=True)
    assert back.meta == tiny.meta
    assert json.loads((out / "meta.json").read_text(encoding="utf-8")) == tiny.meta


def test_write_does_not_change_the_case(tiny, tmp_path):
    before = {n: df.copy() for n, df in tiny.tables().items()}
    meta = json.loads(json.dumps(tiny.meta))
    tiny.write(tmp_path / "a")
    for n, df in tiny.tables().items():
        pd.testing.assert_frame_equal(df, before[n])
    assert tiny.meta == meta


def test_write_refuses_to_clobber_and_overwrites_only_cases(tiny, tmp_path):
    out = tiny.write(tmp_path / "case")
    with pytest.raises(
        FileExistsError, match="already exists and is not empty; pass overwrite=True"
    ):
        tiny.write(out)
    other = generate_case(100, random_state=5)
    other.write(out, overwrite=True)
    assert read_case(out).customers.equals(other.customers)
    mine = tmp_path / "my_notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="does not hold a case"):
        tiny.write(mine, overwrite=True)
    assert (mine / "notes.txt").read_text() == "keep me"
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    with pytest.raises(FileExistsError, match="is a file, not a folder"):
        tiny.write(afile)
    with pytest.raises(ValueError, match="`format` must be one of 'csv', 'parquet'; got 'xlsx'"):
        tiny.write(tmp_path / "x", format="xlsx")


def test_write_to_an_unwritable_place_says_so(tiny, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(PermissionError, match="cannot write the case to `path`.*Choose a folder"):
        tiny.write(blocker / "sub" / "case")


def test_a_failed_write_leaves_nothing_half_written(tiny, tmp_path, monkeypatch):
    out = tmp_path / "case"
    calls = {"n": 0}
    real = pd.DataFrame.to_csv

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", flaky)
    with pytest.raises(OSError, match="No space left"):
        tiny.write(out)
    assert list(tmp_path.iterdir()) == []  # no target, no temporary folder
    monkeypatch.setattr(pd.DataFrame, "to_csv", real)
    good = tiny.write(out)
    snapshot = {p.name: p.read_bytes() for p in good.iterdir()}
    calls["n"] = 0
    monkeypatch.setattr(pd.DataFrame, "to_csv", flaky)
    with pytest.raises(OSError, match="No space left"):
        generate_case(100, random_state=8).write(out, overwrite=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == snapshot  # old case intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]


def test_read_case_errors_name_the_problem(tmp_path, tiny):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        read_case(tmp_path / "nowhere")
    out = tiny.write(tmp_path / "case")
    (out / "surveys.csv").unlink()
    with pytest.raises(FileNotFoundError, match=re.escape("does not hold a complete case")):
        read_case(out)
