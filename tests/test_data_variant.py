"""Registered non-buyers and returns: what a graded variant adds to the generated case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmlib import crm
from rmlib.data import add_nonbuyers_and_returns, generate_case, schema
from rmlib.datasets import variant_args


@pytest.fixture(scope="module")
def base():
    return generate_case(n_customers=600, random_state=11)


@pytest.fixture(scope="module")
def variant(base):
    return add_nonbuyers_and_returns(base, never_bought=45, return_share=0.06, random_state=11)


def test_the_rest_of_the_case_is_untouched_and_the_input_is_not_changed(base, variant):
    fresh = generate_case(n_customers=600, random_state=11)
    for name in schema.TABLE_NAMES:
        assert getattr(base, name).equals(getattr(fresh, name)), name
    for name in [
        "transactions",
        "stores",
        "employees",
        "partners",
        "surveys",
        "interactions",
        "loyalty",
    ]:
        assert getattr(variant, name).equals(getattr(base, name)), name
    again = add_nonbuyers_and_returns(base, never_bought=45, return_share=0.06, random_state=11)
    for name in schema.TABLE_NAMES:
        assert getattr(again, name).equals(getattr(variant, name)), name
    other = add_nonbuyers_and_returns(base, never_bought=45, return_share=0.06, random_state=12)
    assert not other.returns.equals(variant.returns)


def test_nonbuyers_are_registered_consumers_with_no_purchase(base, variant):
    cust = variant.customers
    new = cust[~cust["customer_id"].isin(base.customers["customer_id"])]
    assert len(new) == 45 and len(cust) == 645
    assert cust["customer_id"].tolist() == list(range(1, 646))
    assert cust["email"].is_unique
    assert set(new["segment"]) == {"B2C"} and new["manager_id"].isna().all()
    assert not new["customer_id"].isin(variant.transactions["customer_id"]).any()
    assert not new["customer_id"].isin(variant.loyalty["customer_id"]).any()
    assert not new["customer_id"].isin(variant.interactions["customer_id"]).any()
    t0, t1 = pd.Timestamp("2023-01-01"), pd.Timestamp("2024-12-31")
    assert new["signup_date"].between(t0, t1).all()
    assert set(new["store_id"]) <= set(variant.stores["store_id"])
    truth = variant.truth.set_index("customer_id").loc[new["customer_id"]]
    assert (truth["purchase_rate"] == 0).all() and (truth["expected_margin_52w"] == 0).all()
    assert not truth["alive_at_end"].any()
    assert variant.truth["customer_id"].tolist() == cust["customer_id"].tolist()
    # the buying customers' repeat rate and the rate over everyone on file differ
    buyers = variant.transactions.groupby("customer_id").size()
    assert (buyers >= 2).mean() != (buyers >= 2).sum() / len(cust)


def test_returns_refund_part_or_all_of_a_purchase_within_two_weeks(variant):
    ret, tx = variant.returns, variant.transactions.set_index("transaction_id")
    assert list(ret.columns) == schema.columns("returns")
    assert ret["transaction_id"].is_unique  # at most one return per purchase
    bought = tx.loc[ret["transaction_id"]]
    assert (ret["customer_id"].to_numpy() == bought["customer_id"].to_numpy()).all()
    assert (ret["amount"].to_numpy() > 0).all()
    assert (ret["amount"].to_numpy() <= bought["amount"].to_numpy() + 0.005).all()
    assert (ret["items"].to_numpy() >= 1).all()
    assert (ret["items"].to_numpy() <= bought["items"].to_numpy()).all()
    gap = (ret["timestamp"].to_numpy() - bought["timestamp"].to_numpy()) / np.timedelta64(1, "D")
    assert (gap > 0).all() and (gap <= 14).all()
    assert ret["timestamp"].max() < pd.Timestamp("2025-01-01")
    assert ret["return_id"].tolist() == list(range(1, len(ret) + 1))
    assert ret["timestamp"].is_monotonic_increasing
    whole = np.isclose(ret["amount"].to_numpy(), bought["amount"].to_numpy())
    assert 0.3 < whole.mean() < 0.8  # some whole purchases, some part of one
    # about the share asked for (binomial spread), online more often than in store
    share = len(ret) / len(tx)
    sd = np.sqrt(0.06 * 0.94 / len(tx))
    assert abs(share - 0.06) < 4 * sd + 0.005
    online = (bought["channel"] == "online").mean()
    assert online > (tx["channel"] == "online").mean()
    assert variant.meta["variant"]["returns"] == len(ret)
    assert variant.meta["rows"]["returns"] == len(ret)


def test_net_revenue_differs_from_gross_for_the_customers_who_returned(variant):
    gross = variant.transactions.groupby("customer_id")["amount"].sum()
    refunds = variant.returns.groupby("customer_id")["amount"].sum()
    net = gross.sub(refunds, fill_value=0)
    assert (net >= -0.01).all()
    assert (net.loc[refunds.index] < gross.loc[refunds.index]).all()


def test_the_crm_calls_nonbuyers_prospects(variant):
    status = crm.crm_tables(variant)["customers"].set_index("customer_id")["status"]
    buyers = set(variant.transactions["customer_id"])
    never = [c for c in variant.customers["customer_id"] if c not in buyers]
    assert (status.loc[never] == "prospect").all()
    assert not status.drop(index=never).eq("prospect").any()


def test_bad_arguments_are_refused_with_the_argument_named(base, variant):
    with pytest.raises(TypeError, match="`case`"):
        add_nonbuyers_and_returns({}, never_bought=1, return_share=0.1, random_state=1)
    with pytest.raises(ValueError, match="`never_bought`"):
        add_nonbuyers_and_returns(base, never_bought=-1, return_share=0.1, random_state=1)
    with pytest.raises(TypeError, match="`never_bought`"):
        add_nonbuyers_and_returns(base, never_bought=2.5, return_share=0.1, random_state=1)
    for bad in (-0.1, 0.9, float("nan"), "5%"):
        with pytest.raises(ValueError, match="`return_share`"):
            add_nonbuyers_and_returns(base, never_bought=1, return_share=bad, random_state=1)
    with pytest.raises(ValueError, match="already has returns"):
        add_nonbuyers_and_returns(variant, never_bought=1, return_share=0.1, random_state=1)


def test_every_variant_can_tell_the_common_mistakes_apart():
    for i in range(300):
        for assignment in ("ch01_relationships", "ch03_key_customers", "capstone"):
            args = variant_args(f"student{i}", assignment)
            assert args["n_customers"] % 5 != 0
            assert (args["n_customers"] + args["never_bought"]) % 5 != 0
            assert 0.03 * args["n_customers"] - 1 <= args["never_bought"]
            assert args["never_bought"] <= 0.08 * args["n_customers"] + 5
            assert 0.03 <= args["return_share"] <= 0.07
