"""Assignment 5 (the mini CRM in SQL): each common mistake loses points on its own part.

The fast tests run each mistaken SQL query on a freshly built CRM and show that the
grading comparison rejects it while it accepts the reference query and equivalent SQL
written another way. The slow test submits one simulated student per mistake through the
real nbgrader pipeline (one autograde for all of them) and checks the points.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _graded_term import grade_students

from rmlib import crm
from rmlib import relationship as R
from rmlib.datasets import load_case

ROOT = Path(__file__).resolve().parent.parent
A = "ch05_crm"

#: mistake -> (answer cell, mistaken code)
MISTAKES = {
    "former_customers_counted_as_active": (
        "p1_answer",
        'sql_manager_load = """SELECT e.employee_id AS manager_id, e.name AS manager, '
        "COUNT(c.customer_id) AS active_customers FROM employees AS e LEFT JOIN customers AS c "
        "ON c.manager_id = e.employee_id WHERE e.role = 'account_manager' "
        'GROUP BY e.employee_id, e.name"""',
    ),
    "inner_join_drops_the_never_contacted": (
        "p2_answer",
        'sql_contacts = """SELECT c.customer_id, COUNT(k.contact_id) AS contacts '
        "FROM customers AS c JOIN contacts AS k ON k.customer_id = c.customer_id "
        'WHERE c.status = \'active\' GROUP BY c.customer_id"""',
    ),
    "count_star_counts_the_null_row": (
        "p2_answer",
        'sql_contacts = """SELECT c.customer_id, COUNT(*) AS contacts '
        "FROM customers AS c LEFT JOIN contacts AS k ON k.customer_id = c.customer_id "
        'WHERE c.status = \'active\' GROUP BY c.customer_id"""',
    ),
    # every variant has registered customers who never bought: the CRM's prospects
    "prospects_counted_as_active": (
        "p2_answer",
        'sql_contacts = """SELECT c.customer_id, COUNT(k.contact_id) AS contacts '
        "FROM customers AS c LEFT JOIN contacts AS k ON k.customer_id = c.customer_id "
        'WHERE c.status <> \'former\' GROUP BY c.customer_id"""',
    ),
    "purchases_counted_as_customers": (
        "p3_answer",
        'sql_churn_reasons = """SELECT d.reason, COUNT(*) AS former_customers, '
        "SUM(t.margin) AS margin FROM departures AS d JOIN transactions AS t "
        "ON t.customer_id = d.customer_id GROUP BY d.reason "
        'ORDER BY former_customers DESC, d.reason"""',
    ),
    "readiness_ignores_the_order_of_levels": (
        "p4_answer",
        "def readiness(ratings):\n"
        "    weak = [level for level, r in ratings.items() if r < 3]\n"
        '    return {"levels_in_place": len(ratings) - len(weak), '
        '"blocking": weak[0] if weak else None}',
    ),
}

#: Mistakes that only the variants' data can tell apart (the shipped case has no prospects).
VARIANT_ONLY = {"prospects_counted_as_active"}

# The reference answers, the mistakes and equivalent SQL written another way.
RIGHT = {
    "p1": (
        "SELECT e.employee_id AS manager_id, e.name AS manager, COUNT(c.customer_id) AS "
        "active_customers FROM employees AS e LEFT JOIN customers AS c ON c.manager_id = "
        "e.employee_id AND c.status = 'active' WHERE e.role = 'account_manager' "
        "GROUP BY e.employee_id, e.name"
    ),
    "p2": (
        "SELECT c.customer_id, COUNT(k.contact_id) AS contacts FROM customers AS c LEFT JOIN "
        "contacts AS k ON k.customer_id = c.customer_id WHERE c.status = 'active' "
        "GROUP BY c.customer_id"
    ),
    "p3": (
        "SELECT d.reason, COUNT(DISTINCT d.customer_id) AS former_customers, "
        "COALESCE(SUM(t.margin), 0) AS margin FROM departures AS d LEFT JOIN transactions AS t "
        "ON t.customer_id = d.customer_id GROUP BY d.reason "
        "ORDER BY former_customers DESC, d.reason"
    ),
}
EQUIVALENT = {
    "p1": (
        "SELECT SUM(c.status = 'active') AS ACTIVE_CUSTOMERS, e.name AS manager, "
        "e.employee_id AS manager_id FROM employees e LEFT JOIN customers c "
        "ON c.manager_id = e.employee_id WHERE e.role = 'account_manager' "
        "GROUP BY e.employee_id ORDER BY e.name DESC;"
    ),
    "p2": (
        "WITH n AS (SELECT customer_id, COUNT(*) AS k FROM contacts GROUP BY customer_id) "
        "SELECT COALESCE(n.k, 0) AS contacts, c.customer_id FROM customers c "
        "LEFT JOIN n USING (customer_id) WHERE c.status NOT IN ('former', 'prospect') "
        "ORDER BY contacts DESC"
    ),
    "p3": (
        "SELECT reason, COUNT(*) AS former_customers, SUM(m) AS margin FROM (SELECT d.reason, "
        "(SELECT TOTAL(margin) FROM transactions t WHERE t.customer_id = d.customer_id) AS m "
        "FROM departures d) GROUP BY reason ORDER BY 2 DESC, 1"
    ),
}


def _sql_of(code: str) -> str:
    namespace: dict = {}
    exec(code, namespace)
    return next(v for k, v in namespace.items() if k.startswith("sql_"))


@pytest.fixture(scope="module", params=[None, "v1", "v2"], ids=["shipped", "v1", "v2"])
def crm_case(request):
    case = load_case() if request.param is None else load_case(A, student=request.param)
    t = crm.crm_tables(case)
    expected = {
        "p1": (R.customers_per_manager(t["customers"], t["employees"]), False),
        "p2": (R.contacts_per_customer(t["customers"], t["contacts"]), False),
        "p3": (R.churn_reasons(t["departures"], t["transactions"]), True),
    }
    with crm.temporary_crm(case) as db:
        yield db, expected, request.param


@pytest.mark.parametrize("part", ["p1", "p2", "p3"])
def test_reference_and_equivalent_sql_pass(crm_case, part):
    db, expected, _ = crm_case
    want, ordered = expected[part]
    for sql in (RIGHT[part], EQUIVALENT[part]):
        assert crm.result_problem(crm.run_query(db, sql), want, ordered=ordered) is None, sql


@pytest.mark.parametrize("mistake", [m for m, (cell, _) in MISTAKES.items() if cell != "p4_answer"])
def test_each_sql_mistake_is_told_apart_on_every_variant(crm_case, mistake):
    db, expected, variant = crm_case
    cell, code = MISTAKES[mistake]
    want, ordered = expected[cell.split("_")[0]]
    problem = crm.result_problem(crm.run_query(db, _sql_of(code)), want, ordered=ordered)
    if variant is None and mistake in VARIANT_ONLY:
        # the chapters' case has no prospects, so there this mistake gives the right answer:
        # the reason graded work runs on the variants
        assert problem is None
    else:
        assert problem is not None


def test_readiness_mistake_is_told_apart():
    ns: dict = {}
    exec(MISTAKES["readiness_ignores_the_order_of_levels"][1], ns)
    ratings = dict(zip(R.PYRAMID_LEVELS, [4, 2, 5, 1, 5], strict=True))
    assert (
        ns["readiness"](ratings)["levels_in_place"]
        != R.pyramid_readiness(ratings)["levels_in_place"]
    )


# ---------------------------------------------------------------------------- end to end
#: Each mistake is handed in by two students, so it is graded on two variants of the data.
VARIANTS = ("v1", "v2")


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    edits = {f"{m}_{v}": [edit] for m, edit in MISTAKES.items() for v in VARIANTS}
    return grade_students(tmp_path_factory, A, edits, workers=2)


@pytest.mark.slow
@pytest.mark.xdist_group("grading-ch05")
def test_reference_student_gets_every_autograded_point(graded):
    course, points = graded
    scores = course.cell_scores(A, "reference")
    assert {c: scores[c] for c in points} == points


@pytest.mark.slow
@pytest.mark.xdist_group("grading-ch05")
@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_loses_points_on_its_part_only(graded, mistake):
    course, points = graded
    part = MISTAKES[mistake][0].split("_")[0]
    for v in VARIANTS:
        scores = course.cell_scores(A, f"{mistake}_{v}")
        got = {c: scores[c] for c in points if c.startswith(part + "_")}
        full = {c: points[c] for c in got}
        # the hidden test decides: the mistake loses at least its hidden points
        assert got[f"{part}_hidden"] == 0, f"{mistake} {v}: {got}"
        assert sum(got.values()) < sum(full.values())
        others = {c: scores[c] for c in points if not c.startswith((part + "_", "q"))}
        assert others == {c: points[c] for c in others}, f"{mistake} {v}: {others}"
