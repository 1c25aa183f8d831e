"""The mini CRM (rmlib.crm): schema, keys, contents, the safe query runner, grading helpers."""

from __future__ import annotations

import hashlib
import sqlite3
import time

import pandas as pd
import pytest

from rmlib import crm
from rmlib import relationship as R
from rmlib.data import generate_case
from rmlib.datasets import data_dir, load_case


@pytest.fixture(scope="module")
def case():
    return load_case()


@pytest.fixture(scope="module")
def db(case, tmp_path_factory):
    return crm.build_crm(tmp_path_factory.mktemp("crm") / "crm.sqlite", case)


@pytest.fixture(scope="module")
def tables(case):
    return crm.crm_tables(case)


@pytest.fixture(scope="module")
def small():
    return generate_case(n_customers=120, random_state=3)


def _sql(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------------------- schema and keys
def test_every_table_of_every_component_is_in_the_database(db):
    names = {r[0] for r in _sql(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names == set(crm.TABLE_ORDER)
    in_components = [t for ts in crm.COMPONENTS.values() for t in ts]
    assert sorted(in_components) == sorted(crm.TABLE_ORDER), "each table in exactly one component"
    assert len(crm.COMPONENTS) == 5


def test_columns_match_the_frames(db, tables):
    for name, df in tables.items():
        cols = [r[1] for r in _sql(db, f"PRAGMA table_info({name})")]
        assert cols == list(df.columns), name


def test_primary_and_foreign_keys_are_declared(db):
    pk = {
        name: [r[1] for r in _sql(db, f"PRAGMA table_info({name})") if r[5]]
        for name in crm.TABLE_ORDER
    }
    assert pk["customers"] == ["customer_id"] and pk["contacts"] == ["contact_id"]
    assert pk["departures"] == ["customer_id"] and pk["transactions"] == ["transaction_id"]
    fks = {
        name: {(r[3], r[2], r[4]) for r in _sql(db, f"PRAGMA foreign_key_list({name})")}
        for name in crm.TABLE_ORDER
    }
    assert ("manager_id", "employees", "employee_id") in fks["customers"]
    assert ("customer_id", "customers", "customer_id") in fks["contacts"]
    assert ("customer_id", "customers", "customer_id") in fks["departures"]
    assert ("customer_id", "customers", "customer_id") in fks["transactions"]
    assert ("store_id", "stores", "store_id") in fks["transactions"]
    assert ("customer_id", "customers", "customer_id") in fks["channel_preferences"]
    assert _sql(db, "PRAGMA foreign_key_check") == []


def test_foreign_keys_are_enforced_when_switched_on(db, tmp_path):
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(db.read_bytes())
    con = sqlite3.connect(copy)
    con.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        con.execute(
            "INSERT INTO contacts (contact_id, customer_id, timestamp, channel, type) "
            "VALUES (999999, 123456789, '2024-01-01 10:00:00', 'phone', 'inquiry')"
        )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE customers SET status = 'sleeping' WHERE customer_id = 1")
    con.close()


def test_indexes_cover_the_join_columns(db):
    idx = {
        (r[1], r[0])
        for r in _sql(db, "SELECT name, tbl_name FROM sqlite_master WHERE type='index'")
    }
    indexed = {t for t, _ in idx}
    assert {"customers", "contacts", "transactions", "departures", "segments"} <= indexed
    plan = " ".join(
        str(r) for r in _sql(db, "EXPLAIN QUERY PLAN SELECT * FROM contacts WHERE customer_id = 5")
    )
    assert "idx_contacts_customer" in plan


# ---------------------------------------------------------------------------- contents
def test_row_counts_equal_the_case_tables(db, case):
    count = dict(_sql(db, "SELECT 'customers', COUNT(*) FROM customers")) | dict(
        (n, _sql(db, f"SELECT COUNT(*) FROM {n}")[0][0]) for n in crm.TABLE_ORDER
    )
    assert count["customers"] == len(case.customers)
    assert count["transactions"] == len(case.transactions)
    assert count["stores"] == len(case.stores)
    assert count["employees"] == len(case.employees)
    assert count["contacts"] == len(case.interactions)
    assert count["segments"] == count["channel_preferences"] == len(case.customers)
    assert count["offers"] == len(crm.OFFERS)
    notices = case.interactions.loc[case.interactions["type"] == "churn_notice", "customer_id"]
    assert count["departures"] == notices.nunique()


def test_money_is_kept_to_the_kopeck(db, case):
    amount, margin = _sql(db, "SELECT SUM(amount), SUM(margin) FROM transactions")[0]
    assert amount == pytest.approx(case.transactions["amount"].sum(), rel=1e-12)
    assert margin == pytest.approx(case.transactions["margin"].sum(), rel=1e-12)


def test_the_data_tells_the_common_mistakes_apart(tables):
    """Some customers have no contact (an inner join drops them), some are former."""
    cust, contacts = tables["customers"], tables["contacts"]
    assert (~cust["customer_id"].isin(contacts["customer_id"])).sum() > 100
    b2b = cust[cust["manager_id"].notna()]
    assert (b2b["status"] == "former").sum() > 10
    assert set(tables["departures"]["customer_id"]) == set(
        cust.loc[cust["status"] == "former", "customer_id"]
    )


def test_building_leaves_the_case_unchanged(small):
    before = {
        n: pd.util.hash_pandas_object(df, index=True).sum() for n, df in small.tables().items()
    }
    crm.crm_tables(small)
    after = {
        n: pd.util.hash_pandas_object(df, index=True).sum() for n, df in small.tables().items()
    }
    assert before == after


def test_the_shipped_case_files_are_not_touched(tmp_path):
    folder = data_dir() / "case"
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    crm.build_crm(tmp_path / "crm.sqlite")  # default case
    assert digest == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_build_is_deterministic(small, tmp_path):
    a = crm.build_crm(tmp_path / "a.sqlite", small)
    b = crm.build_crm(tmp_path / "b.sqlite", small)
    for name in crm.TABLE_ORDER:
        assert _sql(a, f"SELECT * FROM {name}") == _sql(b, f"SELECT * FROM {name}"), name


# ---------------------------------------------------------------------------- one query per component
def test_component_customer_database_remembers_former_customers_and_reasons(db, case):
    got = crm.run_query(
        db,
        "SELECT d.reason, COUNT(*) AS n FROM departures AS d JOIN customers AS c "
        "USING (customer_id) WHERE c.status = 'former' GROUP BY d.reason",
    )
    notices = case.interactions[case.interactions["type"] == "churn_notice"]
    assert (
        dict(zip(got["reason"], got["n"], strict=True))
        == notices["reason"].value_counts().to_dict()
    )


def test_component_segmentation_has_abc_classes_of_revenue(db, case):
    got = crm.run_query(db, "SELECT abc_class, SUM(revenue) AS r FROM segments GROUP BY abc_class")
    total = case.transactions["amount"].sum()
    share = dict(zip(got["abc_class"], got["r"] / total, strict=True))
    assert share["A"] <= 0.80 + 1e-9 and share["A"] + share["B"] <= 0.95 + 1e-9
    assert share["A"] + share["B"] + share["C"] == pytest.approx(1)


def test_component_personalisation_gives_every_customer_a_next_best_offer(db, case):
    got = crm.run_query(
        db,
        "SELECT s.customer_id, o.title FROM segments AS s JOIN offers AS o "
        "ON o.value_group = s.value_group AND o.rank = 1",
    )
    assert len(got) == len(case.customers) and got["customer_id"].is_unique


def test_component_broadcasting_keeps_channel_and_consent(db, case):
    got = crm.run_query(
        db,
        "SELECT preferred_channel, SUM(marketing_opt_in) AS opted_in, COUNT(*) AS n "
        "FROM channel_preferences GROUP BY preferred_channel",
    ).set_index("preferred_channel")
    c = case.customers
    assert got["n"].to_dict() == c["preferred_channel"].value_counts().to_dict()
    assert got["opted_in"].sum() == c["marketing_opt_in"].sum()


def test_component_transactions_join_stores(db, case):
    got = crm.run_query(
        db,
        "SELECT s.city, COUNT(*) AS n FROM transactions AS t JOIN stores AS s USING (store_id) "
        "GROUP BY s.city",
    )
    stores = case.stores.set_index("store_id")["city"]
    want = case.transactions["store_id"].dropna().map(stores).value_counts()
    assert dict(zip(got["city"], got["n"], strict=True)) == want.to_dict()


def test_customer_360_joins_every_part(db, tables):
    former = int(tables["departures"]["customer_id"].iloc[0])
    view = crm.customer_360(db, former)
    assert list(view) == list(crm.VIEW_360)
    assert view["profile"]["status"].iloc[0] == "former" and len(view["departure"]) == 1
    assert len(view["purchases"]) == (tables["transactions"]["customer_id"] == former).sum()
    assert len(view["next_offer"]) == 1
    with pytest.raises(ValueError, match="not in the CRM"):
        crm.customer_360(db, 10**9)
    with pytest.raises(TypeError, match="customer_id"):
        crm.customer_360(db, "7")


# ---------------------------------------------------------------------------- bad input
def test_existing_file_is_never_overwritten_silently(small, tmp_path):
    target = tmp_path / "crm.sqlite"
    target.write_text("my notes")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        crm.build_crm(target, small)
    assert target.read_text() == "my notes"
    crm.build_crm(target, small, overwrite=True)
    assert _sql(target, "SELECT COUNT(*) FROM customers")[0][0] == len(small.customers)


def test_bad_paths_are_reported(small, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        crm.build_crm(tmp_path / "no" / "such" / "crm.sqlite", small)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        crm.build_crm(tmp_path, small)
    with pytest.raises(TypeError, match="`path`"):
        crm.build_crm(None, small)
    with pytest.raises(FileNotFoundError, match="build it first"):
        crm.run_query(tmp_path / "missing.sqlite", "SELECT 1")


def test_missing_table_or_column_is_reported(small, tmp_path):
    tables = dict(small.tables())
    del tables["interactions"]
    with pytest.raises(ValueError, match="no table 'interactions'"):
        crm.build_crm(tmp_path / "x.sqlite", tables)
    assert not (tmp_path / "x.sqlite").exists()
    tables = dict(small.tables())
    tables["customers"] = tables["customers"].drop(columns="manager_id")
    with pytest.raises(ValueError, match="lacks column.*'manager_id'"):
        crm.build_crm(tmp_path / "x.sqlite", tables)
    assert list(tmp_path.iterdir()) == []


def test_broken_keys_stop_the_build(small, tmp_path):
    tables = dict(small.tables())
    inter = tables["interactions"].copy()
    inter.loc[inter.index[0], "customer_id"] = 10**6
    tables["interactions"] = inter
    with pytest.raises(ValueError, match="breaks a key"):
        crm.build_crm(tmp_path / "x.sqlite", tables)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- the safe runner
@pytest.mark.parametrize(
    "sql, message",
    [
        ("ATTACH DATABASE '{other}' AS other", "ATTACH"),
        ("SELECT 1; ATTACH DATABASE '{other}' AS other", "exactly one"),
        ("SELECT 1; SELECT 2", "exactly one"),
        ("DELETE FROM customers", "DELETE"),
        ("UPDATE customers SET status = 'active'", "UPDATE"),
        ("INSERT INTO offers VALUES (99, 'x', 1, 'x', 'x')", "INSERT"),
        ("DROP TABLE customers", "SQLite's own tables"),
        ("CREATE TABLE t (x)", "SQLite's own tables"),
        ("PRAGMA table_info(customers)", "PRAGMA"),
        ("SELECT * FROM pragma_table_info('customers')", "PRAGMA, CREATE"),
        ("BEGIN", "TRANSACTION"),
        ("SELECT length(zeroblob(1000000000))", "zeroblob"),
        ("SELECT load_extension('x')", "load_extension"),
    ],
)
def test_untrusted_sql_is_refused_clearly(db, tmp_path, sql, message):
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).close()
    before = _sql(db, "SELECT COUNT(*) FROM customers")
    with pytest.raises(ValueError, match="query refused") as err:
        crm.run_query(db, sql.format(other=other))
    assert message in str(err.value)
    assert _sql(db, "SELECT COUNT(*) FROM customers") == before
    assert not (other.stat().st_size)  # nothing was written to the other file either


def test_endless_recursive_cte_is_stopped(db):
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="ran too long"):
        crm.run_query(
            db,
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
            "SELECT COUNT(*) FROM r",
            time_limit=0.5,
        )
    assert time.perf_counter() - start < 5


def test_runner_answers_good_queries_and_explains_bad_ones(db):
    got = crm.run_query(db, "  SELECT COUNT(*) AS n FROM customers WHERE segment = ? ;\n", ("B2B",))
    assert list(got.columns) == ["n"] and int(got["n"].iloc[0]) > 0
    small = crm.run_query(
        db,
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r",
    )
    assert small["n"].tolist() == list(range(1, 11))
    with pytest.raises(ValueError, match="no such table: nope"):
        crm.run_query(db, "SELECT * FROM nope")
    with pytest.raises(ValueError, match="empty"):
        crm.run_query(db, " ; ")
    with pytest.raises(TypeError, match="`sql`"):
        crm.run_query(db, None)
    with pytest.raises(ValueError, match="more than 10 rows"):
        crm.run_query(db, "SELECT * FROM customers", max_rows=10)
    with pytest.raises(TypeError, match="not a connection"):
        crm.run_query(sqlite3.connect(":memory:"), "SELECT 1")


def test_read_only_connection_refuses_writes(db):
    con = crm.connect(db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        con.execute("DELETE FROM offers")
    con.close()


# ---------------------------------------------------------------------------- grading helper
def test_result_problem_ignores_column_and_row_order_only():
    want = pd.DataFrame({"reason": ["a", "b"], "n": [2, 1], "m": [1.5, 2.25]})
    shuffled = pd.DataFrame({"M": [2.25, 1.5], "extra": [0, 0], "N": [1, 2], "Reason": ["b", "a"]})
    assert crm.result_problem(shuffled, want) is None
    assert "differs in row 1" in crm.result_problem(shuffled, want, ordered=True)
    assert "lacks column" in crm.result_problem(want.drop(columns="n"), want)
    assert "row(s)" in crm.result_problem(want.iloc[:1], want)
    assert "got 3, expected 2" in crm.result_problem(want.assign(n=[3, 1]), want)
    assert crm.result_problem(want.assign(m=want["m"] + 1e-12), want) is None
    assert crm.result_problem(want.assign(n=["2", "1"]), want) is None  # numbers as text
    assert "should be a table" in crm.result_problem([1, 2], want)


# ---------------------------------------------------------------------------- pandas reports
def test_reports_match_equivalent_sql(db, tables):
    """The pandas reports of rmlib.relationship equal straightforward SQL on the CRM."""
    per_manager = crm.run_query(
        db,
        "SELECT e.employee_id AS manager_id, e.name AS manager, "
        "SUM(CASE WHEN c.status = 'active' THEN 1 ELSE 0 END) AS active_customers "
        "FROM employees e LEFT JOIN customers c ON c.manager_id = e.employee_id "
        "WHERE e.role = 'account_manager' GROUP BY e.employee_id",
    )
    want = R.customers_per_manager(tables["customers"], tables["employees"])
    assert crm.result_problem(per_manager, want) is None
    contacts = crm.run_query(
        db,
        "SELECT customer_id, (SELECT COUNT(*) FROM contacts k WHERE k.customer_id = c.customer_id)"
        " AS contacts FROM customers c WHERE status = 'active'",
    )
    assert (
        crm.result_problem(
            contacts, R.contacts_per_customer(tables["customers"], tables["contacts"])
        )
        is None
    )
    reasons = crm.run_query(
        db,
        "SELECT reason, COUNT(*) AS former_customers, SUM(m) AS margin FROM (SELECT d.reason, "
        "(SELECT COALESCE(SUM(margin), 0) FROM transactions t WHERE t.customer_id = d.customer_id)"
        " AS m FROM departures d) GROUP BY reason ORDER BY former_customers DESC, reason",
    )
    want = R.churn_reasons(tables["departures"], tables["transactions"])
    assert crm.result_problem(reasons, want, ordered=True) is None


def test_report_inputs_are_checked(tables):
    with pytest.raises(ValueError, match="'active', 'former' or 'prospect'"):
        R.customers_per_manager(tables["customers"].assign(status="x"), tables["employees"])
    with pytest.raises(ValueError, match="no one with role 'pilot'"):
        R.customers_per_manager(tables["customers"], tables["employees"], role="pilot")
    with pytest.raises(ValueError, match="no column 'status'"):
        R.contacts_per_customer(tables["customers"].drop(columns="status"), tables["contacts"])
    with pytest.raises(ValueError, match="no column 'reason'"):
        R.churn_reasons(tables["departures"].drop(columns="reason"), tables["transactions"])
    before = tables["customers"].copy()
    R.customers_per_manager(tables["customers"], tables["employees"], active_only=False)
    pd.testing.assert_frame_equal(tables["customers"], before)
