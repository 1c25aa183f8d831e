"""A mini CRM system in SQLite, built from the case company's tables.

Chapter 5 of the course describes a CRM system as five components (after the
encyclopedia entry of the seeds): a customer-oriented database that is the
company's *corporate memory*, former customers and refusals included; an analysis
and segmentation model (the "brain"); a personalisation model; a broadcasting model
in which every customer picks the channel; and a transaction model. This module
lays the case data out in exactly that shape, as a real relational database that the
chapter queries with SQL:

* :func:`crm_tables` — the CRM's tables as DataFrames (what the database holds);
* :func:`build_crm` — writes them to an SQLite file in one call, with primary and
  foreign keys, CHECK constraints and indexes (``PRAGMA foreign_keys=ON``);
* :func:`run_query` — runs one *untrusted* SELECT safely (read-only, one statement,
  no ATTACH or PRAGMA, bounded time and rows) and returns a DataFrame;
* :func:`result_problem` — compares a query's result with the expected one, ignoring
  column order and (unless asked) row order; used to grade SQL answers;
* :func:`customer_360` — every table's rows about one customer;
* :func:`temporary_crm` — a fresh CRM in a temporary folder, removed afterwards.

Everything comes from the case; nothing is random and nothing is downloaded. What the
case does not store directly is derived by fixed rules, documented in
:func:`crm_tables`: a customer is *former* when the contact log holds their
``churn_notice`` (its date and reason become the ``departures`` row); the value class
is the ABC class of the customer's revenue (:func:`rmlib.pareto.abc_classes`); the
offers are a fixed catalogue, :data:`OFFERS`. So no seed is needed, and the shipped
case stays untouched.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from rmlib.data import generate_case
>>> case = generate_case(n_customers=200, random_state=1)
>>> with tempfile.TemporaryDirectory() as tmp:
...     db = build_crm(Path(tmp) / "crm.sqlite", case)
...     n = run_query(db, "SELECT COUNT(*) AS n FROM customers")["n"].iloc[0]
>>> int(n) == len(case.customers)
True
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rmlib import pareto

__all__ = [
    "COMPONENTS",
    "OFFERS",
    "SCHEMA",
    "TABLE_ORDER",
    "build_crm",
    "connect",
    "crm_tables",
    "customer_360",
    "result_problem",
    "run_query",
    "temporary_crm",
]

#: Case tables the CRM is built from.
CASE_TABLES: tuple[str, ...] = ("customers", "transactions", "stores", "employees", "interactions")

#: The five components of a CRM system -> the tables that implement each one.
COMPONENTS: dict[str, tuple[str, ...]] = {
    "customer-oriented database": ("customers", "employees", "contacts", "departures"),
    "analysis and segmentation model": ("segments",),
    "personalisation model": ("offers",),
    "broadcasting model": ("channel_preferences",),
    "transaction model": ("transactions", "stores"),
}

#: Tables in the order they are created (a table comes after those it references).
TABLE_ORDER: tuple[str, ...] = (
    "stores",
    "employees",
    "customers",
    "departures",
    "contacts",
    "segments",
    "offers",
    "channel_preferences",
    "transactions",
)

#: The fixed offer catalogue of the personalisation model: (group, rank, title, channel).
#: A group is the segment and the ABC value class, e.g. ``"B2C-A"``; rank 1 is the
#: next-best offer for the group.
OFFERS: tuple[tuple[str, int, str, str], ...] = (
    ("B2B-A", 1, "Quarterly business review with your account manager", "visit"),
    ("B2B-A", 2, "Joint assortment planning for next season", "visit"),
    ("B2B-B", 1, "Volume discount on a standing monthly order", "phone"),
    ("B2B-B", 2, "Free delivery on every order for a year", "email"),
    ("B2B-C", 1, "Welcome catalogue with corporate prices", "email"),
    ("B2B-C", 2, "Trial order with a 10% discount", "email"),
    ("B2C-A", 1, "Gold-card invitation and a personal shopping hour", "any"),
    ("B2C-A", 2, "Early access to the New Year collection", "any"),
    ("B2C-B", 1, "Double points in your favourite category", "any"),
    ("B2C-B", 2, "Birthday gift voucher", "any"),
    ("B2C-C", 1, "10% coupon for your next visit", "any"),
    ("B2C-C", 2, "Loyalty card with a welcome bonus", "any"),
)

#: ``CREATE`` statements of the CRM, by table (see :data:`COMPONENTS`).
SCHEMA: dict[str, str] = {
    "stores": """
CREATE TABLE stores (
    store_id     INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    city         TEXT NOT NULL,
    region       TEXT NOT NULL,
    address      TEXT,
    opened_date  TEXT
)""",
    "employees": """
CREATE TABLE employees (
    employee_id  INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    email        TEXT,
    role         TEXT NOT NULL,
    store_id     INTEGER REFERENCES stores (store_id),
    hire_date    TEXT
)""",
    "customers": """
CREATE TABLE customers (
    customer_id          INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    segment              TEXT NOT NULL CHECK (segment IN ('B2C', 'B2B')),
    company              TEXT,
    city                 TEXT NOT NULL,
    gender               TEXT,
    birth_year           INTEGER,
    signup_date          TEXT NOT NULL,
    acquisition_channel  TEXT,
    store_id             INTEGER REFERENCES stores (store_id),
    manager_id           INTEGER REFERENCES employees (employee_id),
    status               TEXT NOT NULL CHECK (status IN ('active', 'former', 'prospect'))
)""",
    "departures": """
CREATE TABLE departures (
    customer_id  INTEGER PRIMARY KEY REFERENCES customers (customer_id),
    left_on      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    employee_id  INTEGER REFERENCES employees (employee_id)
)""",
    "contacts": """
CREATE TABLE contacts (
    contact_id   INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (customer_id),
    timestamp    TEXT NOT NULL,
    channel      TEXT NOT NULL,
    type         TEXT NOT NULL,
    outcome      TEXT,
    reason       TEXT,
    employee_id  INTEGER REFERENCES employees (employee_id)
)""",
    "segments": """
CREATE TABLE segments (
    customer_id     INTEGER PRIMARY KEY REFERENCES customers (customer_id),
    abc_class       TEXT NOT NULL CHECK (abc_class IN ('A', 'B', 'C')),
    value_group     TEXT NOT NULL,
    purchases       INTEGER NOT NULL,
    revenue         REAL NOT NULL,
    margin          REAL NOT NULL,
    last_purchase   TEXT
)""",
    "offers": """
CREATE TABLE offers (
    offer_id     INTEGER PRIMARY KEY,
    value_group  TEXT NOT NULL,
    rank         INTEGER NOT NULL CHECK (rank >= 1),
    title        TEXT NOT NULL,
    channel      TEXT NOT NULL,
    UNIQUE (value_group, rank)
)""",
    "channel_preferences": """
CREATE TABLE channel_preferences (
    customer_id        INTEGER PRIMARY KEY REFERENCES customers (customer_id),
    preferred_channel  TEXT NOT NULL,
    marketing_opt_in   INTEGER NOT NULL CHECK (marketing_opt_in IN (0, 1)),
    email              TEXT,
    phone              TEXT
)""",
    "transactions": """
CREATE TABLE transactions (
    transaction_id  INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers (customer_id),
    timestamp       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    store_id        INTEGER REFERENCES stores (store_id),
    amount          REAL NOT NULL,
    margin          REAL NOT NULL,
    items           INTEGER NOT NULL,
    discount        REAL NOT NULL
)""",
}

#: Indexes on the columns the chapter's queries join and filter on.
INDEXES: tuple[str, ...] = (
    "CREATE INDEX idx_customers_manager ON customers (manager_id)",
    "CREATE INDEX idx_customers_status ON customers (status)",
    "CREATE INDEX idx_contacts_customer ON contacts (customer_id)",
    "CREATE INDEX idx_contacts_type ON contacts (type)",
    "CREATE INDEX idx_departures_reason ON departures (reason)",
    "CREATE INDEX idx_segments_group ON segments (value_group)",
    "CREATE INDEX idx_transactions_customer ON transactions (customer_id)",
    "CREATE INDEX idx_transactions_time ON transactions (timestamp)",
)

_DATE = "%Y-%m-%d"
_STAMP = "%Y-%m-%d %H:%M:%S"


# ---------------------------------------------------------------------------
# building the CRM
# ---------------------------------------------------------------------------


def _case_frames(case: Any) -> dict[str, pd.DataFrame]:
    if case is None:
        from rmlib.datasets import load_case

        case = load_case()
    if isinstance(case, Mapping):
        get = case.get
    else:

        def get(name: str) -> Any:
            return getattr(case, name, None)

    frames = {}
    for name in CASE_TABLES:
        df = get(name)
        if not isinstance(df, pd.DataFrame):
            raise ValueError(
                f"`case` has no table {name!r} (got {type(df).__name__}); the CRM is built "
                f"from the tables {', '.join(CASE_TABLES)}. Pass the case from "
                "rmlib.datasets.load_case() or rmlib.data.generate_case()."
            )
        frames[name] = df
    return frames


def _need(df: pd.DataFrame, name: str, cols: list[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(
            f"case table {name!r} lacks column(s) {', '.join(map(repr, missing))}; it has "
            f"{', '.join(map(str, df.columns))}. Pass an unmodified case."
        )


def _fmt_time(s: pd.Series, fmt: str) -> pd.Series:
    t = pd.to_datetime(s)
    out = t.dt.strftime(fmt)
    return out.where(t.notna(), None).astype(object)


def _nullable_int(s: pd.Series) -> pd.Series:
    return s.astype("Int64").astype(object).where(s.notna(), None)


def crm_tables(case: Any = None) -> dict[str, pd.DataFrame]:
    """The CRM's tables as DataFrames, built from the case (read-only on the case).

    Parameters
    ----------
    case : Case or dict of DataFrames, optional
        The case company's data with the tables ``customers``, ``transactions``,
        ``stores``, ``employees`` and ``interactions``. Default: the shipped case,
        :func:`rmlib.datasets.load_case`.

    Returns
    -------
    dict of str -> DataFrame
        One frame per table of :data:`TABLE_ORDER`, columns as in :data:`SCHEMA`;
        dates are ISO text (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS``), as SQLite
        stores them.

    Notes
    -----
    The rules that derive what the case does not store as such:

    * ``customers.status`` is ``'former'`` for a customer whose contact log holds a
      ``churn_notice``, ``'prospect'`` for a registered customer with no purchase (an
      assignment variant has some; the default case none) and ``'active'``
      otherwise: the CRM knows only the departures a customer announced, not the
      silent ones (those are chapter 4's topic).
    * ``departures`` has one row per former customer: the date, reason and employee
      of their (first) churn notice.
    * ``contacts`` is the contact log (``interactions``) itself; refusals and churn
      notices stay in it with their reasons.
    * ``segments.abc_class`` is the ABC class of the customer's revenue over the whole
      log (:func:`rmlib.pareto.abc_classes`, cut-offs 80% and 95%), and
      ``value_group`` is ``segment + '-' + abc_class`` (``'B2C-A'``...), the key of
      the offer catalogue :data:`OFFERS`.
    * ``channel_preferences`` holds each customer's chosen channel, consent to
      marketing and the addresses to reach them.

    Examples
    --------
    >>> from rmlib.data import generate_case
    >>> t = crm_tables(generate_case(n_customers=200, random_state=1))
    >>> list(t)[:3]
    ['stores', 'employees', 'customers']
    >>> sorted(t["customers"]["status"].unique())
    ['active', 'former']
    """
    f = _case_frames(case)
    cust, tx, stores, emp, inter = (f[n] for n in CASE_TABLES)
    _need(
        cust,
        "customers",
        [
            "customer_id",
            "name",
            "segment",
            "company",
            "city",
            "gender",
            "birth_year",
            "signup_date",
            "acquisition_channel",
            "store_id",
            "manager_id",
            "preferred_channel",
            "marketing_opt_in",
            "email",
            "phone",
        ],
    )
    _need(
        tx,
        "transactions",
        [
            "transaction_id",
            "customer_id",
            "timestamp",
            "channel",
            "store_id",
            "amount",
            "margin",
            "items",
            "discount",
        ],
    )
    _need(stores, "stores", ["store_id", "name", "city", "region", "address", "opened_date"])
    _need(emp, "employees", ["employee_id", "name", "email", "role", "store_id", "hire_date"])
    _need(
        inter,
        "interactions",
        [
            "interaction_id",
            "customer_id",
            "timestamp",
            "channel",
            "type",
            "outcome",
            "reason",
            "employee_id",
        ],
    )

    out: dict[str, pd.DataFrame] = {}
    out["stores"] = pd.DataFrame(
        {
            "store_id": stores["store_id"].astype("int64"),
            "name": stores["name"],
            "city": stores["city"],
            "region": stores["region"],
            "address": stores["address"],
            "opened_date": _fmt_time(stores["opened_date"], _DATE),
        }
    ).reset_index(drop=True)
    out["employees"] = pd.DataFrame(
        {
            "employee_id": emp["employee_id"].astype("int64"),
            "name": emp["name"],
            "email": emp["email"],
            "role": emp["role"],
            "store_id": _nullable_int(emp["store_id"]),
            "hire_date": _fmt_time(emp["hire_date"], _DATE),
        }
    ).reset_index(drop=True)

    notices = inter[inter["type"] == "churn_notice"].sort_values(["timestamp", "interaction_id"])
    notices = notices.drop_duplicates("customer_id", keep="first")
    former = set(notices["customer_id"].tolist())
    out["customers"] = pd.DataFrame(
        {
            "customer_id": cust["customer_id"].astype("int64"),
            "name": cust["name"],
            "segment": cust["segment"],
            "company": cust["company"].astype(object).where(cust["company"].notna(), None),
            "city": cust["city"],
            "gender": cust["gender"],
            "birth_year": cust["birth_year"].astype("int64"),
            "signup_date": _fmt_time(cust["signup_date"], _DATE),
            "acquisition_channel": cust["acquisition_channel"],
            "store_id": _nullable_int(cust["store_id"]),
            "manager_id": _nullable_int(cust["manager_id"]),
            "status": np.select(
                [cust["customer_id"].isin(former), ~cust["customer_id"].isin(tx["customer_id"])],
                ["former", "prospect"],
                "active",
            ),
        }
    ).reset_index(drop=True)
    out["departures"] = (
        pd.DataFrame(
            {
                "customer_id": notices["customer_id"].astype("int64"),
                "left_on": _fmt_time(notices["timestamp"], _DATE),
                "reason": notices["reason"].fillna("not given"),
                "employee_id": _nullable_int(notices["employee_id"]),
            }
        )
        .sort_values("customer_id")
        .reset_index(drop=True)
    )
    out["contacts"] = pd.DataFrame(
        {
            "contact_id": inter["interaction_id"].astype("int64"),
            "customer_id": inter["customer_id"].astype("int64"),
            "timestamp": _fmt_time(inter["timestamp"], _STAMP),
            "channel": inter["channel"],
            "type": inter["type"],
            "outcome": inter["outcome"].astype(object).where(inter["outcome"].notna(), None),
            "reason": inter["reason"].astype(object).where(inter["reason"].notna(), None),
            "employee_id": _nullable_int(inter["employee_id"]),
        }
    ).reset_index(drop=True)

    ids = cust["customer_id"].astype("int64")
    g = tx.groupby("customer_id")
    per = pd.DataFrame(
        {
            "purchases": g.size(),
            "revenue": g["amount"].sum(),
            "margin": g["margin"].sum(),
            "last_purchase": g["timestamp"].max(),
        }
    ).reindex(ids)
    revenue = per["revenue"].dropna()
    classes = (
        pareto.abc_classes(revenue[revenue > 0]).reindex(ids).fillna("C")
        if (revenue > 0).any()
        else pd.Series("C", index=ids)
    )
    segment = cust.set_index("customer_id")["segment"].reindex(ids)
    out["segments"] = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "abc_class": classes.to_numpy(),
            "value_group": (segment.astype(str) + "-" + classes.astype(str)).to_numpy(),
            "purchases": per["purchases"].fillna(0).astype("int64").to_numpy(),
            "revenue": per["revenue"].fillna(0.0).to_numpy(),
            "margin": per["margin"].fillna(0.0).to_numpy(),
            "last_purchase": _fmt_time(per["last_purchase"], _STAMP).to_numpy(),
        }
    )
    out["offers"] = pd.DataFrame(
        [(i + 1, *row) for i, row in enumerate(OFFERS)],
        columns=["offer_id", "value_group", "rank", "title", "channel"],
    )
    out["channel_preferences"] = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "preferred_channel": cust["preferred_channel"].to_numpy(),
            "marketing_opt_in": cust["marketing_opt_in"].astype(bool).astype("int64").to_numpy(),
            "email": cust["email"].to_numpy(),
            "phone": cust["phone"].to_numpy(),
        }
    )
    out["transactions"] = pd.DataFrame(
        {
            "transaction_id": tx["transaction_id"].astype("int64"),
            "customer_id": tx["customer_id"].astype("int64"),
            "timestamp": _fmt_time(tx["timestamp"], _STAMP),
            "channel": tx["channel"],
            "store_id": _nullable_int(tx["store_id"]),
            "amount": tx["amount"].astype("float64"),
            "margin": tx["margin"].astype("float64"),
            "items": tx["items"].astype("int64"),
            "discount": tx["discount"].astype("float64"),
        }
    ).reset_index(drop=True)
    return {name: out[name] for name in TABLE_ORDER}


def _check_target(path: Any, overwrite: bool) -> Path:
    if not isinstance(path, (str, Path)) or str(path).strip() == "":
        raise TypeError(
            f"`path` must be a file path such as 'crm.sqlite'; got {type(path).__name__} {path!r}."
        )
    p = Path(path)
    if p.exists() and p.is_dir():
        raise IsADirectoryError(
            f"`path` {str(p)!r} is a folder; give a file name inside it, e.g. "
            f"{str(p / 'crm.sqlite')!r}."
        )
    if not p.parent.is_dir():
        raise FileNotFoundError(
            f"the folder of `path`, {str(p.parent)!r}, does not exist; create it first "
            "(Path(...).mkdir(parents=True)) or choose another path."
        )
    if p.exists() and not overwrite:
        raise FileExistsError(
            f"{str(p)!r} already exists and was left as it is; pass overwrite=True to "
            "replace it, or choose another path."
        )
    return p


def build_crm(path: str | Path, case: Any = None, *, overwrite: bool = False) -> Path:
    """Build the mini CRM as an SQLite file from the case, in one call.

    Parameters
    ----------
    path : str or Path
        The database file to create (its folder must exist).
    case : Case or dict of DataFrames, optional
        As for :func:`crm_tables` (default: the shipped case).
    overwrite : bool, default False
        Replace an existing file. Without it an existing file is an error, so no
        file is ever overwritten silently.

    Returns
    -------
    Path
        The database file. It holds the tables of :data:`TABLE_ORDER` with their
        keys, foreign keys and indexes; the foreign keys are checked
        (``PRAGMA foreign_key_check``) before the file is put in place.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    FileNotFoundError
        The folder of ``path`` does not exist.
    ValueError
        ``case`` lacks a table or a column the CRM needs.

    Examples
    --------
    >>> import tempfile
    >>> from rmlib.data import generate_case
    >>> case = generate_case(n_customers=100, random_state=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     db = build_crm(Path(tmp) / "crm.sqlite", case)
    ...     try:
    ...         build_crm(db, case)
    ...     except FileExistsError:
    ...         print("kept the existing file")
    kept the existing file
    """
    target = _check_target(path, overwrite)
    tables = crm_tables(case)
    tmp = target.with_name(f".{target.name}.building")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        with con:
            for name in TABLE_ORDER:
                con.execute(SCHEMA[name])
            for statement in INDEXES:
                con.execute(statement)
            for name in TABLE_ORDER:
                df = tables[name]
                cols = ", ".join(df.columns)
                marks = ", ".join("?" * len(df.columns))
                rows = df.astype(object).where(df.notna(), None).itertuples(index=False)
                con.executemany(f"INSERT INTO {name} ({cols}) VALUES ({marks})", rows)
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise sqlite3.IntegrityError(f"{len(broken)} broken, first {broken[0]}")
    except sqlite3.IntegrityError as exc:
        con.close()
        tmp.unlink(missing_ok=True)
        raise ValueError(
            f"the case breaks a key or rule of the CRM ({exc}): every contact, purchase "
            "and manager must refer to an existing customer, store or employee. Pass an "
            "unmodified case."
        ) from None
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    if target.exists() and not overwrite:  # appeared while we were building
        tmp.unlink(missing_ok=True)
        _check_target(target, overwrite)
    tmp.replace(target)
    return target


# ---------------------------------------------------------------------------
# querying it safely
# ---------------------------------------------------------------------------


def _existing_db(db: Any) -> Path:
    if isinstance(db, sqlite3.Connection):
        raise TypeError(
            "`db` must be the path of the CRM file (what build_crm returns), not a "
            "connection: run_query opens its own read-only connection."
        )
    if not isinstance(db, (str, Path)) or str(db).strip() == "":
        raise TypeError(f"`db` must be a file path; got {type(db).__name__} {db!r}.")
    p = Path(db)
    if not p.is_file():
        raise FileNotFoundError(
            f"no CRM database at {str(p)!r}; build it first with rmlib.crm.build_crm(path)."
        )
    return p


def connect(db: str | Path) -> sqlite3.Connection:
    """A read-only connection to a CRM file (writes fail with ``attempt to write``).

    Examples
    --------
    >>> import tempfile
    >>> from rmlib.data import generate_case
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     db = build_crm(Path(tmp) / "crm.sqlite", generate_case(n_customers=50, random_state=0))
    ...     con = connect(db)
    ...     n = con.execute("SELECT COUNT(*) FROM stores").fetchone()[0]
    ...     con.close()
    >>> n > 0
    True
    """
    p = _existing_db(db)
    return sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)


_ALLOWED_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
}
#: SQL functions a query may not call (memory bombs, extensions).
_DENIED_FUNCTIONS = {"load_extension", "zeroblob", "randomblob", "readfile", "writefile"}
_ACTION_NAMES = {
    getattr(sqlite3, f"SQLITE_{n}"): n.replace("_", " ")
    for n in (
        "ALTER_TABLE ANALYZE CREATE_INDEX CREATE_TABLE CREATE_TEMP_INDEX CREATE_TEMP_TABLE "
        "CREATE_TEMP_TRIGGER CREATE_TEMP_VIEW CREATE_TRIGGER CREATE_VIEW CREATE_VTABLE DELETE "
        "DROP_INDEX DROP_TABLE DROP_TEMP_INDEX DROP_TEMP_TABLE DROP_TEMP_TRIGGER DROP_TEMP_VIEW "
        "DROP_TRIGGER DROP_VIEW DROP_VTABLE INSERT REINDEX SAVEPOINT TRANSACTION UPDATE"
    ).split()
    if hasattr(sqlite3, f"SQLITE_{n}")
}


class _Guard:
    """Authorizer and progress handler of one query; remembers why it refused."""

    def __init__(self, time_limit: float) -> None:
        self.denied: str | None = None
        self.deadline = time.monotonic() + time_limit
        self.timed_out = False

    def authorize(self, action: int, arg1: Any, arg2: Any, db: Any, source: Any) -> int:
        if action in _ALLOWED_ACTIONS:
            name = arg2 if action == sqlite3.SQLITE_FUNCTION else None
            if name is None or str(name).lower() not in _DENIED_FUNCTIONS:
                return sqlite3.SQLITE_OK
            what = f"the function {name}()"
        elif action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            what = "ATTACH/DETACH of another database"
        elif action == sqlite3.SQLITE_PRAGMA:
            what = f"PRAGMA {arg1}"
        elif str(arg1).startswith("sqlite_"):
            what = "a change to SQLite's own tables (PRAGMA, CREATE, DROP or ALTER)"
        else:
            what = _ACTION_NAMES.get(action, f"authorizer action {action}")
        if self.denied is None:
            self.denied = what
        return sqlite3.SQLITE_DENY

    def progress(self) -> int:
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0


def run_query(
    db: str | Path,
    sql: str,
    params: tuple | Mapping[str, Any] = (),
    *,
    time_limit: float = 5.0,
    max_rows: int = 200_000,
) -> pd.DataFrame:
    """Run one untrusted SELECT on a CRM file, safely, and return its result.

    The database is opened read-only (``mode=ro``); an authorizer lets the query
    read and compute only (SELECT, WITH, recursive CTEs, ordinary functions) and
    refuses every write, CREATE, ATTACH/DETACH, PRAGMA and transaction; only one
    statement may be given; the run time and the number of rows are bounded.

    Parameters
    ----------
    db : str or Path
        The CRM file (from :func:`build_crm`).
    sql : str
        One SELECT (or WITH ... SELECT) statement; a final ``;`` is allowed.
    params : tuple or dict
        Values for ``?`` or ``:name`` placeholders.
    time_limit : float
        Seconds the query may run, > 0.
    max_rows : int
        Most rows the result may have.

    Returns
    -------
    DataFrame
        The result, one column per selected column, named as in the query.

    Raises
    ------
    ValueError
        The query is empty, not one statement, refused (the message says what it
        tried) or wrong SQL (the message is SQLite's).
    TimeoutError
        It ran longer than ``time_limit`` (e.g. an endless recursive CTE).

    Examples
    --------
    >>> import tempfile
    >>> from rmlib.data import generate_case
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     db = build_crm(Path(tmp) / "crm.sqlite", generate_case(n_customers=100, random_state=0))
    ...     print(run_query(db, "SELECT segment, COUNT(*) AS n FROM customers "
    ...                         "GROUP BY segment ORDER BY segment").to_string(index=False))
    ...     try:
    ...         run_query(db, "DELETE FROM customers")
    ...     except ValueError as e:
    ...         print(str(e)[:36])
    segment  n
        B2B  3
        B2C 97
    query refused: it tries DELETE (only
    """
    path = _existing_db(db)
    if not isinstance(sql, str):
        raise TypeError(f"`sql` must be a string with one SELECT; got {type(sql).__name__}.")
    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    if not text:
        raise ValueError("`sql` is empty; write one SELECT statement.")
    if not (isinstance(time_limit, (int, float)) and time_limit > 0):
        raise ValueError(f"`time_limit` must be a positive number of seconds; got {time_limit!r}.")
    if not (isinstance(max_rows, int) and max_rows >= 1):
        raise ValueError(f"`max_rows` must be a positive integer; got {max_rows!r}.")
    guard = _Guard(float(time_limit))
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 10_000_000)
        con.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        con.set_authorizer(guard.authorize)
        con.set_progress_handler(guard.progress, 1_000)
        try:
            cur = con.execute(text, params)
            names = [d[0] for d in cur.description] if cur.description else []
            rows = cur.fetchmany(max_rows + 1)
        except sqlite3.ProgrammingError as exc:
            if "one statement" in str(exc):
                raise ValueError(
                    "query refused: give exactly one SQL statement (remove the extra "
                    "statement after the ';')."
                ) from None
            raise ValueError(f"query failed: {exc}") from None
        except sqlite3.Warning as exc:  # Python < 3.12 reports several statements so
            raise ValueError(f"query refused: give exactly one SQL statement ({exc}).") from None
        except sqlite3.DatabaseError as exc:
            if guard.timed_out:
                raise TimeoutError(
                    f"query stopped after {time_limit:g} s: it ran too long (an endless "
                    "recursive CTE, or a join without a join condition?)."
                ) from None
            if guard.denied is not None:
                raise ValueError(
                    f"query refused: it tries {guard.denied} (only reading with one SELECT "
                    "is allowed here)."
                ) from None
            raise ValueError(f"query failed: {exc}. Check the SQL.") from None
    finally:
        con.close()
    if not names:
        raise ValueError("query refused: it returns no table; write a SELECT.")
    if len(rows) > max_rows:
        raise ValueError(
            f"query returns more than {max_rows:,} rows; add a WHERE, GROUP BY or LIMIT."
        )
    return pd.DataFrame.from_records(rows, columns=names)


# ---------------------------------------------------------------------------
# comparing results (grading SQL answers)
# ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def result_problem(
    got: Any,
    expected: pd.DataFrame,
    *,
    ordered: bool = False,
    rtol: float = 1e-9,
    atol: float = 1e-6,
) -> str | None:
    """What is wrong with a query result, or None when it equals the expected one.

    Columns are matched by name (case-insensitive; their order and any extra columns
    do not matter); rows are compared as a set unless ``ordered``; numbers with a
    tolerance, everything else as text.

    Parameters
    ----------
    got : DataFrame
        The result to check (e.g. from :func:`run_query`).
    expected : DataFrame
        The right result; its columns are the ones required.
    ordered : bool
        Also require the rows in the expected order.
    rtol, atol : float
        Relative and absolute tolerance for numbers.

    Returns
    -------
    str or None

    Examples
    --------
    >>> want = pd.DataFrame({"reason": ["moved", "price"], "n": [2, 5]})
    >>> result_problem(pd.DataFrame({"N": [5, 2], "reason": ["price", "moved"]}), want) is None
    True
    >>> result_problem(pd.DataFrame({"reason": ["moved"], "n": [2]}), want)
    'the result has 1 row(s); expected 2.'
    """
    if not isinstance(got, pd.DataFrame):
        return f"the result should be a table (DataFrame); got {type(got).__name__}."
    lower = {}
    for c in got.columns:
        lower.setdefault(str(c).lower(), c)
    missing = [c for c in expected.columns if str(c).lower() not in lower]
    if missing:
        return (
            f"the result lacks column(s) {', '.join(map(repr, missing))}; it has "
            f"{', '.join(map(repr, map(str, got.columns)))}. Name them with AS."
        )
    cols = list(expected.columns)
    g = got[[lower[str(c).lower()] for c in cols]].copy()
    g.columns = cols
    if len(g) != len(expected):
        return f"the result has {len(g)} row(s); expected {len(expected)}."
    e = expected.reset_index(drop=True)
    g = g.reset_index(drop=True)
    for c in cols:
        if _is_numeric(e[c]) and not _is_numeric(g[c]):
            converted = pd.to_numeric(g[c], errors="coerce")
            if converted.isna().sum() > e[c].isna().sum():
                return f"column {c!r} should hold numbers."
            g[c] = converted
    if not ordered:
        keys = [c for c in cols if not pd.api.types.is_float_dtype(e[c])] or cols
        keys += [c for c in cols if c not in keys]

        def _sorted(df: pd.DataFrame) -> pd.DataFrame:
            key = df[keys].apply(lambda s: s if _is_numeric(s) else s.astype(str))
            return df.loc[key.sort_values(keys, kind="stable").index].reset_index(drop=True)

        e, g = _sorted(e), _sorted(g)
    for c in cols:
        if _is_numeric(e[c]):
            a = g[c].to_numpy(dtype=float)
            b = e[c].to_numpy(dtype=float)
            ok = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
        else:
            a = g[c].astype(str).where(g[c].notna(), "<NULL>").to_numpy()
            b = e[c].astype(str).where(e[c].notna(), "<NULL>").to_numpy()
            ok = a == b
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            where = "in row" if ordered else "in the sorted row"
            return (
                f"column {c!r} differs {where} {i + 1}: got {_plain(g[c].iloc[i])!r}, "
                f"expected {_plain(e[c].iloc[i])!r}"
                + ("" if ordered else " (rows compared as a set, in any order)")
                + "."
            )
    return None


# ---------------------------------------------------------------------------
# one customer's 360-degree view
# ---------------------------------------------------------------------------

#: Table -> SQL reading one customer's rows (``:id`` is the customer).
VIEW_360: dict[str, str] = {
    "profile": "SELECT c.*, e.name AS manager FROM customers AS c "
    "LEFT JOIN employees AS e ON e.employee_id = c.manager_id WHERE c.customer_id = :id",
    "segment": "SELECT abc_class, value_group, purchases, revenue, margin, last_purchase "
    "FROM segments WHERE customer_id = :id",
    "channel": "SELECT preferred_channel, marketing_opt_in, email, phone "
    "FROM channel_preferences WHERE customer_id = :id",
    "next_offer": "SELECT o.title, o.channel FROM segments AS s JOIN offers AS o "
    "ON o.value_group = s.value_group AND o.rank = 1 WHERE s.customer_id = :id",
    "departure": "SELECT left_on, reason FROM departures WHERE customer_id = :id",
    "contacts": "SELECT timestamp, channel, type, outcome, reason FROM contacts "
    "WHERE customer_id = :id ORDER BY timestamp",
    "purchases": "SELECT timestamp, channel, amount, margin, items FROM transactions "
    "WHERE customer_id = :id ORDER BY timestamp",
}


@contextlib.contextmanager
def temporary_crm(case: Any = None) -> Iterator[Path]:
    """Build the CRM in a temporary folder, yield its path, delete it afterwards.

    For graders and tests that need a fresh database and must leave nothing behind.

    Examples
    --------
    >>> from rmlib.data import generate_case
    >>> with temporary_crm(generate_case(n_customers=50, random_state=0)) as db:
    ...     existed = db.is_file()
    >>> existed, db.exists()
    (True, False)
    """
    with tempfile.TemporaryDirectory(prefix="rmlib-crm-") as tmp:
        yield build_crm(Path(tmp) / "crm.sqlite", case)


def customer_360(db: str | Path, customer_id: int) -> dict[str, pd.DataFrame]:
    """Everything the CRM knows about one customer, one DataFrame per part.

    Parameters
    ----------
    db : str or Path
        The CRM file.
    customer_id : int
        A customer of the CRM.

    Returns
    -------
    dict of str -> DataFrame
        Keys of :data:`VIEW_360`: ``profile``, ``segment``, ``channel``,
        ``next_offer``, ``departure`` (empty for an active customer), ``contacts``,
        ``purchases``.

    Examples
    --------
    >>> import tempfile
    >>> from rmlib.data import generate_case
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     db = build_crm(Path(tmp) / "crm.sqlite", generate_case(n_customers=50, random_state=0))
    ...     view = customer_360(db, 1)
    >>> list(view)[:3], len(view["profile"])
    (['profile', 'segment', 'channel'], 1)
    """
    if isinstance(customer_id, (bool, np.bool_)) or not isinstance(customer_id, (int, np.integer)):
        raise TypeError(f"`customer_id` must be an integer; got {customer_id!r}.")
    view = {part: run_query(db, sql, {"id": int(customer_id)}) for part, sql in VIEW_360.items()}
    if view["profile"].empty:
        raise ValueError(
            f"`customer_id` {customer_id} is not in the CRM; customer ids run from 1 to "
            f"the number of customers."
        )
    return view
