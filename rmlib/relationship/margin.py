"""Where does the margin come from? Margin analysis by customer group."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rmlib._validate import (
    check_customer_frame,
    check_matching_ids,
    check_no_missing,
    check_numeric,
    check_unique_ids,
)

# ---------------------------------------------------------------------------
# margin by customer group
# ---------------------------------------------------------------------------


def margin_by_group(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    by: str | Sequence[str] = "segment",
    *,
    customer_col: str = "customer_id",
    margin_col: str = "margin",
    items_col: str | None = None,
) -> pd.DataFrame:
    """Margin per customer and per transaction for each customer group.

    Parameters
    ----------
    transactions : DataFrame
        Purchase log with ``customer_col`` and ``margin_col`` (roubles; returns may be
        negative).
    customers : DataFrame
        One row per customer with ``customer_col`` and the ``by`` column(s). Every
        customer counts, also those with no purchase (margin 0).
    by : str or list of str
        Customer attribute(s) to group by (``"segment"``, ``"city"``,
        ``"acquisition_channel"``...).
    customer_col, margin_col : str
        Column names.
    items_col : str, optional
        Column of items per purchase; when given, adds ``items`` and
        ``margin_per_item`` (a margin per unit sold for :func:`recommend_levels`).

    Returns
    -------
    DataFrame
        One row per group (sorted): ``customers``, ``transactions``, ``margin``,
        ``margin_share`` (of all margin), ``margin_per_customer``,
        ``margin_per_transaction`` (NaN for a group without purchases).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "margin": [100.0, 50.0, 900.0, 30.0]})
    >>> cust = pd.DataFrame({"customer_id": [1, 2, 3, 4], "segment": ["B2C", "B2B", "B2C", "B2C"]})
    >>> margin_by_group(tx, cust)[["customers", "transactions", "margin_per_customer",
    ...                            "margin_per_transaction"]]
             customers  transactions  margin_per_customer  margin_per_transaction
    segment
    B2B              1             1           900.000000                   900.0
    B2C              3             3            60.000000                    60.0
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValueError("`by` is empty; give a customer column such as by='segment'.")
    check_customer_frame(transactions, "transactions", customer_col, [margin_col, items_col])
    margin = check_numeric(transactions, "transactions", margin_col)
    items = (
        check_numeric(transactions, "transactions", items_col) if items_col is not None else None
    )
    check_customer_frame(customers, "customers", customer_col, keys)
    for k in keys:
        check_no_missing(customers, "customers", k)
    ids = check_unique_ids(customers, "customers", customer_col)
    tx_ids = transactions[customer_col].to_numpy()
    check_matching_ids(tx_ids, "transactions", customer_col, ids, "customers")
    pos = ids.get_indexer(tx_ids)
    unknown = pos < 0
    if unknown.any():
        raise ValueError(
            f"{int(unknown.sum())} purchase(s) in `transactions` belong to customers missing "
            f"from `customers` (first ids: {pd.unique(tx_ids[unknown])[:3].tolist()}); pass "
            f"the full customer table or filter the log."
        )
    group_keys = customers[keys].reset_index(drop=True)
    per_tx = pd.DataFrame(
        {"_pos": pos, "margin": margin, "transactions": np.ones(len(pos), dtype="int64")}
    )
    if items is not None:
        per_tx["items"] = items
    per_customer = per_tx.groupby("_pos").sum().reindex(range(len(ids)), fill_value=0)
    per_customer["customers"] = 1
    grouped = per_customer.groupby([group_keys[k] for k in keys], sort=True, observed=True).sum()
    total = float(margin.sum())
    out = pd.DataFrame(index=grouped.index)
    out["customers"] = grouped["customers"].astype("int64")
    out["transactions"] = grouped["transactions"].astype("int64")
    out["margin"] = grouped["margin"].astype("float64")
    out["margin_share"] = out["margin"] / total if total != 0 else np.nan
    out["margin_per_customer"] = out["margin"] / out["customers"]
    n_tx = out["transactions"].where(out["transactions"] > 0)
    out["margin_per_transaction"] = out["margin"] / n_tx
    if items is not None:
        out["items"] = grouped["items"].astype("float64")
        out["margin_per_item"] = out["margin"] / out["items"].where(out["items"] > 0)
    return out
