"""The case company's data schema: every table, column, dtype and meaning, in one place.

Everything else reads column names from here: the generator orders and casts its
output with :func:`conform`, :func:`rmlib.data.read_case` restores dtypes from it,
and the data card's schema table (``datasets/case/README.md``) is printed by
:func:`schema_markdown`. To add or rename a column, change it here first.

Dtypes are pandas dtype names: ``int64`` and ``float64`` (no missing values),
``Int64`` (nullable integer: an id that may be missing), ``str`` (text; missing as
NaN), ``bool`` and ``datetime64[ns]`` (missing as NaT). Money is in roubles,
rates are per week.

Examples
--------
>>> columns("transactions")
['transaction_id', 'customer_id', 'timestamp', 'channel', 'store_id', 'amount', 'margin', 'items', 'discount']
>>> dtypes("customers")["segment"]
'str'
>>> TABLE_NAMES[:3]
('customers', 'transactions', 'returns')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "TABLES",
    "TABLE_NAMES",
    "Column",
    "Table",
    "columns",
    "conform",
    "dtypes",
    "empty",
    "schema_markdown",
]


@dataclass(frozen=True)
class Column:
    """One column: its name, pandas dtype and a one-line meaning."""

    name: str
    dtype: str
    description: str


@dataclass(frozen=True)
class Table:
    """One table of the case: name, what one row is, and its columns in order."""

    name: str
    description: str
    columns: tuple[Column, ...]


def _t(name: str, description: str, *cols: tuple[str, str, str]) -> Table:
    return Table(name, description, tuple(Column(*c) for c in cols))


_TABLES = [
    _t(
        "customers",
        "One row per customer (consumer or corporate client), as the CRM knows them.",
        ("customer_id", "int64", "Customer number, 1, 2, ... (key of every customer table)."),
        ("name", "str", "Full name; for a B2B client, the contact person."),
        ("email", "str", "E-mail address, unique per customer."),
        ("phone", "str", "Phone number."),
        ("city", "str", "City of the customer's home store."),
        ("gender", "str", "'F' or 'M'."),
        ("birth_year", "int64", "Year of birth (B2B: of the contact person)."),
        (
            "signup_date",
            "datetime64[ns]",
            "Date the customer signed up: the first purchase or, for a registered customer "
            "who never bought, the registration.",
        ),
        (
            "acquisition_channel",
            "str",
            "How the customer was won: 'store', 'online', 'referral', 'advertising' "
            "or 'sales_team' (B2B).",
        ),
        ("segment", "str", "'B2C' (consumer) or 'B2B' (corporate client)."),
        ("company", "str", "Company name of a B2B client; missing for B2C."),
        ("manager_id", "Int64", "employee_id of the B2B account manager; missing for B2C."),
        (
            "preferred_channel",
            "str",
            "Channel the customer wants to be contacted by: 'email', 'sms', 'phone', 'messenger'.",
        ),
        ("marketing_opt_in", "bool", "True if the customer agreed to receive marketing offers."),
        ("store_id", "int64", "Home store (the store in the customer's city they use most)."),
    ),
    _t(
        "transactions",
        "One row per purchase (receipt or B2B order).",
        ("transaction_id", "int64", "Purchase number, in order of time."),
        ("customer_id", "int64", "Who bought (see customers)."),
        ("timestamp", "datetime64[ns]", "Date and time of the purchase."),
        ("channel", "str", "'store' or 'online' (the online shop; B2B orders are mostly online)."),
        ("store_id", "Int64", "Store of a store purchase; missing for online purchases."),
        ("amount", "float64", "Amount paid, roubles, after discount."),
        (
            "margin",
            "float64",
            "Gross margin on the purchase, roubles (amount minus cost of goods).",
        ),
        ("items", "int64", "Number of items bought."),
        ("discount", "float64", "Promotional discount given, roubles (0 if none)."),
    ),
    _t(
        "returns",
        "One row per return: goods brought back and refunded, in part or in full, after a "
        "purchase. Net revenue is the purchases' amount minus the refunds. (The default "
        "case has none; each student's assignment variant has some.)",
        ("return_id", "int64", "Return number, in order of time."),
        ("transaction_id", "int64", "The purchase the goods were bought in (see transactions)."),
        ("customer_id", "int64", "Who returned them (the buyer)."),
        ("timestamp", "datetime64[ns]", "Date and time of the refund (after the purchase)."),
        ("amount", "float64", "Amount refunded, roubles (positive; at most the purchase's)."),
        ("margin", "float64", "Gross margin lost with the refund, roubles."),
        ("items", "int64", "Number of items returned."),
    ),
    _t(
        "stores",
        "One row per store of the chain.",
        ("store_id", "int64", "Store number."),
        ("name", "str", "Store name: city and number."),
        ("city", "str", "City (real Far Eastern cities, more stores in bigger ones)."),
        ("region", "str", "Federal subject (krai, oblast, republic)."),
        ("city_population", "int64", "City population, thousands of people (rounded)."),
        ("address", "str", "Street address."),
        ("opened_date", "datetime64[ns]", "Date the store opened."),
        ("staff_satisfaction", "float64", "Mean satisfaction of the store's employees (1-5)."),
        (
            "customer_satisfaction",
            "float64",
            "Mean CSAT (1-5) in surveys of customers whose home store this is.",
        ),
    ),
    _t(
        "employees",
        "One row per employee (store staff and head office).",
        ("employee_id", "int64", "Employee number."),
        ("name", "str", "Full name."),
        ("email", "str", "Work e-mail address."),
        (
            "role",
            "str",
            "'store_manager', 'sales_assistant', 'cashier', 'stock_clerk', 'account_manager', "
            "'marketing_specialist' or 'customer_service'.",
        ),
        ("store_id", "Int64", "Store the employee works in; missing for head office staff."),
        ("hire_date", "datetime64[ns]", "Date hired."),
        ("satisfaction", "float64", "Job satisfaction from the annual staff survey (1-5)."),
    ),
    _t(
        "partners",
        "One row per organisation the company has a relationship with (not customers).",
        ("partner_id", "int64", "Partner number."),
        ("name", "str", "Organisation name."),
        (
            "kind",
            "str",
            "Stakeholder type: 'supplier', 'distributor', 'logistics', 'bank', 'investor', "
            "'agency', 'media'.",
        ),
        ("city", "str", "City of the partner's office."),
        ("contact_name", "str", "Contact person."),
        ("phone", "str", "Contact phone."),
        ("relationship_years", "float64", "Length of the relationship at the end date, years."),
        (
            "annual_volume",
            "float64",
            "Money flowing through the relationship per year, roubles (purchases from a "
            "supplier, fees to an agency, credit line of a bank, stake of an investor...).",
        ),
        ("satisfaction", "float64", "Company's rating of the relationship (1-5)."),
    ),
    _t(
        "surveys",
        "One row per answered post-purchase survey.",
        ("survey_id", "int64", "Survey answer number."),
        ("customer_id", "int64", "Who answered."),
        ("transaction_id", "int64", "The purchase the survey asked about."),
        ("date", "datetime64[ns]", "Date answered."),
        ("channel", "str", "How it was answered: 'email', 'sms', 'app' or 'phone'."),
        ("nps", "int64", "'How likely are you to recommend us?' 0-10 (Net Promoter Score item)."),
        ("csat", "int64", "'How satisfied are you?' 1-5 (customer satisfaction)."),
    ),
    _t(
        "interactions",
        "The CRM contact log: one row per contact between the company and a customer.",
        ("interaction_id", "int64", "Contact number, in order of time."),
        ("customer_id", "int64", "Customer contacted or contacting."),
        ("timestamp", "datetime64[ns]", "Date and time of the contact."),
        ("channel", "str", "'phone', 'email', 'chat', 'messenger', 'store' or 'visit' (B2B)."),
        (
            "type",
            "str",
            "'inquiry', 'complaint', 'follow_up', 'offer', 'refusal' or 'churn_notice'.",
        ),
        (
            "outcome",
            "str",
            "Result: 'resolved', 'unresolved', 'compensated', 'completed', 'no_answer', "
            "'accepted', 'declined', 'no_response', 'recorded' or 'lost'.",
        ),
        (
            "reason",
            "str",
            "Topic of an inquiry or complaint, or why the customer refused or left; "
            "missing for offers and follow-ups.",
        ),
        ("employee_id", "Int64", "Employee who handled the contact; missing if automated."),
    ),
    _t(
        "loyalty",
        "One row per B2C customer who bought: the loyalty-card experiment. A random half was "
        "offered the card at the first purchase (treatment), the other half was not (control).",
        ("customer_id", "int64", "B2C customer."),
        ("group", "str", "'treatment' (offered the card) or 'control' (not offered)."),
        ("enrolled", "bool", "True if the customer took the card (only possible in treatment)."),
        ("enrolled_date", "datetime64[ns]", "Date the card was issued; NaT if not enrolled."),
        (
            "tier",
            "str",
            "Card tier at the end date: 'basic', 'silver' or 'gold'; missing if not enrolled.",
        ),
        ("points_earned", "int64", "Points earned (1 point = 1 rouble), 0 if not enrolled."),
        ("points_redeemed", "int64", "Points spent; the rest is unused (breakage)."),
    ),
    _t(
        "truth",
        "The hidden ground truth, one row per customer: what really drove the data. "
        "For checking methods only; an analyst never sees this in real life. A registered "
        "customer who never bought has purchase_rate 0 and no dropout probability or spend.",
        ("customer_id", "int64", "Customer."),
        ("segment", "str", "'B2C' or 'B2B'."),
        (
            "purchase_rate",
            "float64",
            "True purchase rate while alive, purchases per week (lambda of BG/NBD), "
            "including the loyalty card's effect.",
        ),
        (
            "dropout_probability",
            "float64",
            "True probability of leaving after each repeat purchase (p of BG/NBD), "
            "including the loyalty card's effect.",
        ),
        ("mean_spend", "float64", "True mean amount per purchase, roubles (Gamma-Gamma)."),
        ("alive_at_end", "bool", "True if the customer had not left by the end date."),
        (
            "churn_date",
            "datetime64[ns]",
            "When the customer left: the time of their last purchase; NaT if alive at the end.",
        ),
        (
            "expected_purchases_52w",
            "float64",
            "Expected purchases in the 52 weeks after the end date, given the truth.",
        ),
        (
            "expected_margin_52w",
            "float64",
            "Expected gross margin in the 52 weeks after the end date, roubles.",
        ),
        (
            "value_tier",
            "str",
            "True value tier by expected_margin_52w: 'platinum' (top 5%), 'gold' (next 15%), "
            "'iron' (next 30%), 'lead' (the rest).",
        ),
        (
            "program_effect",
            "float64",
            "Extra purchases in the first 52 weeks after signup caused by the loyalty card "
            "(expected; 0 unless enrolled).",
        ),
        ("attitude", "float64", "Latent attitude to the company (standard score) behind NPS/CSAT."),
        (
            "loyalty_type",
            "str",
            "Dick & Basu type from latent attitude x latent behaviour: 'true', 'latent', "
            "'spurious' or 'none'.",
        ),
    ),
]

TABLES: dict[str, Table] = {t.name: t for t in _TABLES}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)


def _table(name: str) -> Table:
    if name not in TABLES:
        shown = ", ".join(repr(n) for n in TABLE_NAMES)
        raise ValueError(f"unknown table {name!r}; the case has tables {shown}.")
    return TABLES[name]


def columns(table: str) -> list[str]:
    """Column names of ``table``, in order."""
    return [c.name for c in _table(table).columns]


def dtypes(table: str) -> dict[str, str]:
    """Mapping column name -> pandas dtype name for ``table``."""
    return {c.name: c.dtype for c in _table(table).columns}


def conform(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return a copy of ``df`` with exactly the schema's columns, in order, cast to its dtypes.

    Raises ValueError naming any column the schema expects that ``df`` lacks.

    >>> df = pd.DataFrame({"customer_id": [1], "group": ["control"], "enrolled": [False],
    ...                    "enrolled_date": [pd.NaT], "tier": [None], "points_earned": [0],
    ...                    "points_redeemed": [0]})
    >>> conform(df, "loyalty").dtypes["enrolled_date"]
    dtype('<M8[ns]')
    """
    spec = dtypes(table)
    missing = [c for c in spec if c not in df.columns]
    if missing:
        have = ", ".join(repr(str(c)) for c in df.columns) or "(none)"
        raise ValueError(
            f"table {table!r} lacks column(s) {missing}. Available columns: {have}. "
            f"The schema is defined in rmlib.data.schema."
        )
    out = {}
    for col, dtype in spec.items():
        s = df[col].reset_index(drop=True)
        if dtype.startswith("datetime64") and not pd.api.types.is_datetime64_any_dtype(s):
            s = pd.to_datetime(s)
        out[col] = s if str(s.dtype) == str(pd.Series([], dtype=dtype).dtype) else s.astype(dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)), copy=False)


def empty(table: str) -> pd.DataFrame:
    """A table with no rows, in the schema's columns and dtypes.

    >>> empty("returns").dtypes["timestamp"]
    dtype('<M8[ns]')
    """
    return conform(pd.DataFrame({c: [] for c in columns(table)}), table)


def schema_markdown() -> str:
    """The schema as Markdown: one section and table per data table (used by the data card)."""
    lines: list[str] = []
    for t in _TABLES:
        lines += [f"### `{t.name}`", "", t.description, "", "| column | dtype | meaning |"]
        lines.append("| --- | --- | --- |")
        for c in t.columns:
            lines.append(f"| `{c.name}` | {c.dtype} | {c.description} |")
        lines.append("")
    return "\n".join(lines)
