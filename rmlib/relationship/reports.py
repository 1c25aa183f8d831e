"""The CRM's reports (chapter 5) computed with pandas: the same numbers as the SQL queries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmlib._validate import (
    check_customer_frame,
    check_frame,
    check_matching_ids,
    check_no_missing,
    check_numeric,
    check_unique_ids,
    first_labels,
)

# ---------------------------------------------------------------------------
# CRM reports (chapter 5): the pandas side of the mini CRM's SQL queries
# ---------------------------------------------------------------------------


def customers_per_manager(
    customers: pd.DataFrame,
    employees: pd.DataFrame,
    *,
    active_only: bool = True,
    role: str = "account_manager",
    manager_col: str = "manager_id",
    status_col: str = "status",
) -> pd.DataFrame:
    """Customers in each account manager's care: the CRM's staff-monitoring report.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with ``manager_col`` (employee id or missing) and, when
        ``active_only``, ``status_col`` (``'active'`` or ``'former'``), as in the
        table ``customers`` of :func:`rmlib.crm.crm_tables`.
    employees : DataFrame
        ``employee_id``, ``name`` and ``role``.
    active_only : bool
        Count only active customers (former customers are no one's workload).
    role : str
        The employees who get a row: every employee with this role, also one with no
        customers (0).
    manager_col, status_col : str
        Column names in ``customers``.

    Returns
    -------
    DataFrame
        ``manager_id``, ``manager`` (name) and ``active_customers`` (or
        ``customers`` when ``active_only`` is False), by ``manager_id``.

    Examples
    --------
    >>> cust = pd.DataFrame({"manager_id": [7, 7, 7, None], "status": ["active", "former",
    ...                      "active", "active"]})
    >>> emp = pd.DataFrame({"employee_id": [7, 8, 9], "name": ["Ann", "Bob", "Cy"],
    ...                     "role": ["account_manager", "account_manager", "cashier"]})
    >>> customers_per_manager(cust, emp)
       manager_id manager  active_customers
    0           7     Ann                 2
    1           8     Bob                 0
    """
    check_frame(customers, "customers", [manager_col] + ([status_col] if active_only else []))
    check_frame(employees, "employees", ["employee_id", "name", "role"])
    mine = customers
    if active_only:
        statuses = set(customers[status_col].dropna().unique())
        known = {"active", "former", "prospect"}
        if not statuses <= known:
            raise ValueError(
                f"`customers[{status_col!r}]` must hold 'active', 'former' or 'prospect'; "
                f"found {sorted(map(str, statuses - known))[:3]}. Use the CRM's "
                "customers table (rmlib.crm.crm_tables)."
            )
        mine = customers[customers[status_col] == "active"]
    counts = pd.to_numeric(mine[manager_col], errors="coerce").dropna().astype("int64")
    counts = counts.value_counts()
    managers = employees[employees["role"] == role].sort_values("employee_id")
    if managers.empty:
        raise ValueError(
            f"`employees` has no one with role {role!r}; roles found: "
            f"{', '.join(map(repr, first_labels(employees['role'].unique())))}."
        )
    ids = managers["employee_id"].astype("int64")
    col = "active_customers" if active_only else "customers"
    return pd.DataFrame(
        {
            "manager_id": ids.to_numpy(),
            "manager": managers["name"].to_numpy(),
            col: counts.reindex(ids, fill_value=0).astype("int64").to_numpy(),
        }
    )


def contacts_per_customer(
    customers: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    active_only: bool = True,
    customer_col: str = "customer_id",
    status_col: str = "status",
) -> pd.DataFrame:
    """How many contacts the log holds for each customer, 0 for those never contacted.

    Every customer gets a row: a customer missing from the contact log is exactly the
    one the CRM has not reached yet (a report built on an inner join would hide them).

    Parameters
    ----------
    customers : DataFrame
        ``customer_col`` and, when ``active_only``, ``status_col``.
    contacts : DataFrame
        The contact log, one row per contact, with ``customer_col``.
    active_only : bool
        Keep only customers whose status is ``'active'``.
    customer_col, status_col : str
        Column names.

    Returns
    -------
    DataFrame
        ``customer_id`` and ``contacts``, by customer id.

    Examples
    --------
    >>> cust = pd.DataFrame({"customer_id": [1, 2, 3], "status": ["active"] * 3})
    >>> log = pd.DataFrame({"customer_id": [1, 1, 3]})
    >>> contacts_per_customer(cust, log)["contacts"].tolist()
    [2, 0, 1]
    """
    check_frame(customers, "customers", [customer_col] + ([status_col] if active_only else []))
    check_frame(contacts, "contacts", [customer_col], allow_empty=True)
    check_no_missing(customers, "customers", customer_col)
    check_no_missing(contacts, "contacts", customer_col)
    ids = check_unique_ids(customers, "customers", customer_col)
    check_matching_ids(contacts[customer_col], "contacts", customer_col, ids, "customers")
    keep = customers[status_col].eq("active").to_numpy() if active_only else np.ones(len(ids), bool)
    counts = contacts[customer_col].value_counts()
    chosen = pd.Index(ids[keep]).sort_values()
    return pd.DataFrame(
        {
            "customer_id": chosen.to_numpy(),
            "contacts": counts.reindex(chosen, fill_value=0).astype("int64").to_numpy(),
        }
    )


def churn_reasons(
    departures: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    reason_col: str = "reason",
    margin_col: str = "margin",
) -> pd.DataFrame:
    """Why former customers left, how many gave each reason and the margin they brought.

    Parameters
    ----------
    departures : DataFrame
        One row per former customer with ``customer_col`` and ``reason_col`` (the
        CRM's ``departures`` table).
    transactions : DataFrame
        Purchase log with ``customer_col`` and ``margin_col`` (roubles).
    customer_col, reason_col, margin_col : str
        Column names.

    Returns
    -------
    DataFrame
        ``reason``, ``former_customers`` (customers, not purchases) and ``margin`` (the
        total margin of their purchases, roubles: what the company has lost), the
        most frequent reason first and equal counts by reason.

    Examples
    --------
    >>> dep = pd.DataFrame({"customer_id": [1, 2, 3], "reason": ["price", "moved", "price"]})
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "margin": [10.0, 5.0, 7.0, 1.0]})
    >>> churn_reasons(dep, tx)
      reason  former_customers  margin
    0  price                 2    16.0
    1  moved                 1     7.0
    """
    check_frame(departures, "departures", [customer_col, reason_col], allow_empty=True)
    check_customer_frame(transactions, "transactions", customer_col, [margin_col])
    margin = check_numeric(transactions, "transactions", margin_col)
    check_no_missing(departures, "departures", customer_col)
    check_unique_ids(departures, "departures", customer_col)
    check_matching_ids(
        departures[customer_col],
        "departures",
        customer_col,
        transactions[customer_col],
        "transactions",
    )
    per_customer = pd.Series(margin, index=transactions[customer_col].to_numpy())
    per_customer = per_customer.groupby(level=0).sum()
    dep = pd.DataFrame(
        {
            "reason": departures[reason_col].to_numpy(),
            "margin": per_customer.reindex(departures[customer_col].to_numpy(), fill_value=0.0)
            .astype("float64")
            .to_numpy(),
        }
    )
    out = dep.groupby("reason", sort=True).agg(
        former_customers=("margin", "size"), margin=("margin", "sum")
    )
    out = out.reset_index().sort_values(
        ["former_customers", "reason"], ascending=[False, True], kind="stable"
    )
    out["former_customers"] = out["former_customers"].astype("int64")
    return out.reset_index(drop=True)
