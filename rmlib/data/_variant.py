"""Two things a real customer base has and the teaching case leaves out.

The case of the chapters is clean on purpose: every customer on file has bought, and
nothing is ever brought back. A graded assignment needs data on which the common
mistakes give a different answer from the right one, so each student's variant adds:

* **registered customers who never bought** (customers with an online account or a
  card application, but no purchase): dividing by every customer on file instead of
  the buying ones now changes a repeat rate or an average;
* **returns** (goods brought back and refunded, in full or in part, within two weeks
  of the purchase, as Russian consumer law allows for most non-food goods): revenue
  without the refunds is now too high, by a different amount for each customer.

Both are added after the simulation, from their own random stream, so the rest of
the case (purchases, surveys, contacts, the loyalty experiment) is exactly what
:func:`rmlib.data.generate_case` made with the same arguments.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from rmlib.data import schema
from rmlib.data._case import Case
from rmlib.data._people import PeoplePools

__all__ = ["add_nonbuyers_and_returns"]

#: Longest gap between a purchase and its refund, days.
RETURN_WINDOW_DAYS = 14
#: Online purchases come back more often than store ones (relative odds).
_CHANNEL_WEIGHT = {"online": 1.6, "store": 0.8}


def add_nonbuyers_and_returns(
    case: Case, *, never_bought: int, return_share: float, random_state: int
) -> Case:
    """A copy of ``case`` with ``never_bought`` registered non-buyers and some returns.

    Parameters
    ----------
    case : Case
        A case as :func:`rmlib.data.generate_case` makes it (its ``returns`` empty).
    never_bought : int
        Number of customers to add who registered but never bought. They get the
        next customer ids, are consumers (B2C), registered on a day within the
        window, have a home store and contact details like everyone else, and
        appear in ``customers`` and ``truth`` only.
    return_share : float
        Expected share of purchases with a return, between 0 and 0.5. Online
        purchases come back about twice as often as store ones; about half the
        returns are of the whole purchase, the rest of some of its items.
    random_state : int
        Seed of this step's own random stream.

    Returns
    -------
    Case
        New tables; ``case`` is not changed. ``meta["variant"]`` records what was
        added and ``meta["rows"]`` the new row counts.

    Examples
    --------
    >>> from rmlib.data import generate_case
    >>> base = generate_case(n_customers=300, random_state=3)
    >>> v = add_nonbuyers_and_returns(base, never_bought=20, return_share=0.05, random_state=3)
    >>> len(v.customers) - len(base.customers), v.transactions.equals(base.transactions)
    (20, True)
    >>> bool((v.returns["amount"] > 0).all()), len(base.returns)
    (True, 0)
    """
    if not isinstance(case, Case):
        raise TypeError(f"`case` must be an rmlib.data.Case; got {type(case).__name__}.")
    if isinstance(never_bought, bool) or not isinstance(never_bought, (int, np.integer)):
        raise TypeError(f"`never_bought` must be a whole number; got {never_bought!r}.")
    if never_bought < 0:
        raise ValueError(f"`never_bought` must be 0 or more; got {never_bought}.")
    if not isinstance(return_share, (int, float)) or not 0 <= return_share <= 0.5:
        raise ValueError(f"`return_share` must be a share between 0 and 0.5; got {return_share!r}.")
    if len(case.returns):
        raise ValueError("`case` already has returns; pass a case made by generate_case.")
    rng = np.random.default_rng([int(random_state), 0x52455455])  # its own stream
    args = case.meta.get("arguments", {})  # the generator's window and locale
    end = pd.Timestamp(args["end"] if "end" in args else case.transactions["timestamp"].max())
    start = pd.Timestamp(args["start"] if "start" in args else case.customers["signup_date"].min())
    locale = args.get("locale", "ru_RU")
    customers, truth = _with_nonbuyers(case, int(never_bought), start, end, locale, rng)
    returns = _returns(case.transactions, float(return_share), end, rng)
    tables = {**case.tables(), "customers": customers, "truth": truth, "returns": returns}
    meta = copy.deepcopy(case.meta)
    meta["rows"] = {name: len(df) for name, df in tables.items()}
    meta["variant"] = {
        "never_bought": int(never_bought),
        "return_share": float(return_share),
        "returns": len(returns),
        "refunded": round(float(returns["amount"].sum()), 2),
    }
    return Case(**{n: tables[n].copy() for n in schema.TABLE_NAMES}, meta=meta)


def _with_nonbuyers(case, k, start, end, locale, rng):
    """Customers and truth with ``k`` registered customers who never bought."""
    old = case.customers
    if k == 0:
        return old, case.truth
    b2c = old[old["segment"] == "B2C"]
    like = b2c.iloc[rng.integers(0, len(b2c), k)].reset_index(drop=True)  # city, store, age
    pools = PeoplePools(locale, seed=int(rng.integers(2**31 - 1)), size=200)
    people = pools.people(k, rng, gender=like["gender"].to_numpy())
    taken = set(old["email"])
    emails = []
    for e in people["email"]:
        local, _, domain = str(e).partition("@")
        candidate, n = e, 1
        while candidate in taken:
            n += 1
            candidate = f"{local}{n}@{domain}"
        taken.add(candidate)
        emails.append(candidate)
    days = int((end.normalize() - start.normalize()).days) + 1
    signup = start.normalize() + pd.to_timedelta(np.sort(rng.integers(0, days, k)), unit="D")
    ids = np.arange(int(old["customer_id"].max()) + 1, int(old["customer_id"].max()) + 1 + k)
    new = pd.DataFrame(
        {
            "customer_id": ids,
            "name": people["name"],
            "email": emails,
            "phone": pools.phones(k, rng),
            "city": like["city"],
            "gender": people["gender"],
            "birth_year": like["birth_year"].to_numpy(),
            "signup_date": signup,
            "acquisition_channel": np.where(rng.random(k) < 0.7, "online", "advertising"),
            "segment": "B2C",
            "company": None,
            "manager_id": pd.array([pd.NA] * k, dtype="Int64"),
            "preferred_channel": np.where(rng.random(k) < 0.6, "email", "sms"),
            "marketing_opt_in": rng.random(k) < 0.5,
            "store_id": like["store_id"].to_numpy(),
        }
    )
    customers = schema.conform(pd.concat([old, schema.conform(new, "customers")]), "customers")
    never = pd.DataFrame(
        {
            "customer_id": ids,
            "segment": "B2C",
            "purchase_rate": 0.0,
            "dropout_probability": np.nan,
            "mean_spend": np.nan,
            "alive_at_end": False,
            "churn_date": pd.NaT,
            "expected_purchases_52w": 0.0,
            "expected_margin_52w": 0.0,
            "value_tier": "lead",
            "program_effect": 0.0,
            "attitude": np.round(rng.normal(-0.3, 1.0, k), 3),
            "loyalty_type": "none",
        }
    )
    truth = schema.conform(pd.concat([case.truth, schema.conform(never, "truth")]), "truth")
    return customers, truth


def _returns(tx, share, end, rng):
    """Refunds of some purchases, in full or in part, within the return window."""
    if share == 0 or tx.empty:
        return schema.empty("returns")
    weight = tx["channel"].map(_CHANNEL_WEIGHT).fillna(1.0).to_numpy(dtype=float)
    p = np.clip(share * weight / weight.mean(), 0, 1)
    picked = np.flatnonzero(rng.random(len(tx)) < p)
    bought = tx.iloc[picked]
    items = bought["items"].to_numpy(dtype=np.int64)
    whole = (rng.random(len(bought)) < 0.5) | (items < 2)
    back = np.where(whole, items, 1 + rng.integers(0, np.maximum(items - 1, 1)))
    frac = back / items
    after = pd.to_timedelta(rng.uniform(1 / 24, RETURN_WINDOW_DAYS, len(bought)), unit="D")
    when = (bought["timestamp"] + after).dt.floor("min")
    out = pd.DataFrame(
        {
            "transaction_id": bought["transaction_id"].to_numpy(),
            "customer_id": bought["customer_id"].to_numpy(),
            "timestamp": when.to_numpy(),
            "amount": np.round(bought["amount"].to_numpy() * frac, 2),
            "margin": np.round(bought["margin"].to_numpy() * frac, 2),
            "items": back,
        }
    )
    last = end.normalize() + pd.Timedelta(days=1)
    out = out[(out["timestamp"] < last) & (out["amount"] > 0)]
    out = out.sort_values(["timestamp", "transaction_id"], kind="stable")
    out.insert(0, "return_id", np.arange(1, len(out) + 1))
    return schema.conform(out, "returns")
