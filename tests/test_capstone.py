"""The capstone: its rubric (one source for grader, student and self-learner), its common
mistakes, and a weak submission graded end to end through the real pipeline.

Fast tests check the rubric file and that the notebook's rubric cells are generated from it,
and show on the data that each common mistake differs from the right answer. The slow tests
submit a reference student, one student per mistake and a weak student (several mistakes, a
middling written answer graded with the rubric) to one autograde run, and check the points.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from _graded_term import grade_students

from rmlib import crm, pareto, relationship, rubric
from rmlib.datasets import load_case
from rmlib.grading import submissions as S

ROOT = Path(__file__).resolve().parent.parent
A = "capstone"
SOURCE = ROOT / "assignments" / "source" / A / f"{A}.ipynb"

POOLED_CONCENTRATION = """
segment_of = customers.set_index("customer_id")["segment"]
rows = {}
for seg in ["B2C", "B2B"]:
    log = tx[tx["customer_id"].map(segment_of) == seg]
    per_customer = log.groupby("customer_id").size()
    rows[seg] = {"customers": len(per_customer), "repeat_rate": (per_customer >= 2).mean(),
                 "top20_share": pareto.top_share(tx, 0.2), "gini": pareto.gini(tx)}
diagnosis = pd.DataFrame(rows).T
"""
RECEIPT_GINI = POOLED_CONCENTRATION.replace(
    '"top20_share": pareto.top_share(tx, 0.2), "gini": pareto.gini(tx)',
    '"top20_share": pareto.top_share(log, 0.2), "gini": pareto.gini(log["amount"].to_numpy())',
)
POOLED_ABC = 'key_customers = pareto.abc_classes(tx)\nsegment_of = customers.set_index("customer_id")["segment"]'
MEMBERS_VS_NON_MEMBERS = """
outcomes = relationship.program_outcomes(tx, loyalty)
member = outcomes.index.map(loyalty.set_index("customer_id")["enrolled"])
outcomes["group"] = np.where(member, "treatment", "control")
result = relationship.program_uplift(outcomes)
treated = outcomes.index[outcomes["group"] == "treatment"]
program = {"uplift": result.uplift, "ci_low": result.ci_low, "ci_high": result.ci_high,
           "true_uplift": truth.set_index("customer_id").loc[treated, "program_effect"].mean()}
"""
NO_WINDOW = """
repeat = tx.groupby("customer_id").size() - 1
df = loyalty.assign(repeat_purchases=loyalty["customer_id"].map(repeat).fillna(0))
result = relationship.program_uplift(df)
treated = loyalty.loc[loyalty["group"] == "treatment", "customer_id"]
program = {"uplift": result.uplift, "ci_low": result.ci_low, "ci_high": result.ci_high,
           "true_uplift": truth.set_index("customer_id").loc[treated, "program_effect"].mean()}
"""
INNER_JOIN = '''sql_call_list = """SELECT c.customer_id, c.segment FROM customers AS c
JOIN segments AS s ON s.customer_id = c.customer_id
JOIN contacts AS k ON k.customer_id = c.customer_id
WHERE c.status = 'active' AND s.abc_class = 'A'
GROUP BY c.customer_id, c.segment HAVING COUNT(k.contact_id) = 0"""'''
EVERYONE_ON_FILE = """
segment_of = customers.set_index("customer_id")["segment"]
rows = {}
for seg in ["B2C", "B2B"]:
    log = tx[tx["customer_id"].map(segment_of) == seg]
    per_customer = log.groupby("customer_id").size()
    on_file = int((customers["segment"] == seg).sum())
    rows[seg] = {"customers": on_file, "repeat_rate": int((per_customer >= 2).sum()) / on_file,
                 "top20_share": pareto.top_share(log, 0.2), "gini": pareto.gini(log)}
diagnosis = pd.DataFrame(rows).T
"""
#: Each mistake is handed in by two students, so it is graded on two variants of the data.
VARIANTS = ("v1", "v2")
#: mistake -> (answer cell, mistaken code)
MISTAKES = {
    "everyone_on_file": ("p1_answer", EVERYONE_ON_FILE),
    "pooled_concentration": ("p1_answer", POOLED_CONCENTRATION),
    "pooled_abc_classes": ("p2_answer", POOLED_ABC),
    "members_vs_non_members": ("p3_answer", MEMBERS_VS_NON_MEMBERS),
    "no_52_week_window": ("p3_answer", NO_WINDOW),
    "inner_join_drops_the_uncontacted": ("p4_answer", INNER_JOIN),
}

#: The weak student: receipt-level Gini, pooled ABC classes, members against non-members,
#: a right SQL call list, q1 wrong, q2 right, q3 from the pooled classes; written answers at
#: the rubric levels below.
WEAK = {
    "p1_answer": RECEIPT_GINI,
    "p2_answer": POOLED_ABC,
    "p3_answer": MEMBERS_VS_NON_MEMBERS,
    "q_answer": 'q1 = "a"\nq2 = "b"\nq3 = int((key_customers[key_customers.index.map('
    'segment_of) == "B2B"] == "A").sum())',
}
WEAK_LEVELS = {
    "w_answer": {
        "Levels per arm, from the evidence": 1,
        "Program design": 1,
        "Evaluation against the control group": 0,
    },
    "w2_answer": {
        "Seven stages fitted to the case": 2,
        "The pyramid's order": 1,
        "Mini-CRM queries and measures": 0,
    },
}


def _run(code: str, case) -> dict:
    """Run an answer cell's code on a case, with the setup cell's names."""
    import numpy as np
    import pandas as pd

    ns = {
        "np": np,
        "pd": pd,
        "pareto": pareto,
        "relationship": relationship,
        "customers": case.customers,
        "tx": case.transactions,
        "loyalty": case.loyalty,
        "truth": case.truth,
    }
    exec(code, ns)
    return ns


def _solution(gid: str) -> str:
    return S.solution_code(S.cell(nbformat.read(SOURCE, as_version=4), gid).source)


# --------------------------------------------------------------------------- the rubric


def test_rubric_cells_are_generated_from_the_rubric_file():
    """Grader's mark scheme and student's rubric cell agree with rubric/capstone.json."""
    assert rubric.sync_notebook(SOURCE, check=True) is False, (
        "run: python -m rmlib.rubric assignments/source/capstone/capstone.ipynb"
    )
    nb = nbformat.read(SOURCE, as_version=4)
    r = rubric.load_rubric("capstone")
    for answer in r["answers"]:
        graded = S.cell(nb, answer)
        shown = next(c for c in nb.cells if c.get("id") == answer.replace("_answer", "_rubric"))
        table = rubric.render(r, answer)
        assert "### BEGIN SOLUTION" in graded.source and table in graded.source
        assert table in shown.source and "BEGIN SOLUTION" not in shown.source
        assert shown.metadata["nbgrader"]["locked"] and not shown.metadata["nbgrader"]["grade"]
        assert float(graded.metadata["nbgrader"]["points"]) == rubric.max_points(r, answer)
        # the rubric cell follows its answer
        ids = [c.get("id") for c in nb.cells]
        assert ids.index(shown.get("id")) == ids.index(answer) + 1


def test_sync_refuses_points_that_disagree_with_the_rubric(tmp_path):
    nb = nbformat.read(SOURCE, as_version=4)
    S.cell(nb, "w_answer").metadata["nbgrader"]["points"] = 5
    path = tmp_path / "c.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="worth 5 points in its metadata but the rubric"):
        rubric.sync_notebook(path)


def test_sync_writes_stale_cells(tmp_path):
    nb = nbformat.read(SOURCE, as_version=4)
    next(c for c in nb.cells if c.get("id") == "w_rubric").source = "old"
    path = tmp_path / "c.ipynb"
    nbformat.write(nb, path)
    assert rubric.sync_notebook(path, check=True) is True
    assert rubric.sync_notebook(path) is True
    assert rubric.sync_notebook(path, check=True) is False


def test_score_adds_the_chosen_levels_and_refuses_others():
    r = rubric.load_rubric()
    assert rubric.score(r, "w_answer", WEAK_LEVELS["w_answer"]) == {
        "criteria": WEAK_LEVELS["w_answer"],
        "total": 2,
        "max": 6,
    }
    with pytest.raises(ValueError, match=r"missing \['Program design'"):
        rubric.score(r, "w_answer", {"Levels per arm, from the evidence": 1})
    with pytest.raises(ValueError, match=r"is 3, which is not a level.*one of \[0, 1, 2\]"):
        rubric.score(r, "w_answer", {**WEAK_LEVELS["w_answer"], "Program design": 3})
    with pytest.raises(KeyError, match="no answer 'w9_answer'"):
        rubric.score(r, "w9_answer", {})


def test_rubric_file_is_validated(tmp_path):
    data = json.loads((ROOT / "rmlib" / "resources" / "rubrics" / "capstone.json").read_text())
    crit = data["answers"]["w_answer"]["criteria"]
    crit[0]["levels"][1]["points"] = 0
    crit[1]["levels"][2]["description"] = ""
    crit[2]["name"] = crit[0]["name"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(rubric.RubricError) as err:
        rubric.load_rubric(path=path)
    text = "\n".join(err.value.problems)
    assert "two criteria share a name" in text
    assert "must start at 0 and rise strictly, found [0, 0, 2]" in text
    assert "every level needs a description" in text
    with pytest.raises(FileNotFoundError, match="No rubric 'nope'; available: capstone"):
        rubric.load_rubric("nope")


# --------------------------------------------------------------------------- the mistakes


@pytest.fixture(scope="module", params=[None, "v1"], ids=["shipped", "v1"])
def case(request):
    return load_case() if request.param is None else load_case(A, student=request.param)


def test_pooling_the_arms_changes_the_diagnosis_and_the_classes(case):
    right = _run(_solution("p1_answer"), case)["diagnosis"]
    for code in (POOLED_CONCENTRATION, RECEIPT_GINI):
        wrong = _run(code, case)["diagnosis"]
        assert (abs(wrong["gini"] - right["gini"]) > 0.01).any()
    ok = _run(_solution("p1_answer") + "\n" + _solution("p2_answer"), case)["key_customers"]
    pooled = _run(POOLED_ABC, case)["key_customers"]
    assert (ok.sort_index() != pooled.sort_index()).sum() > 10


def test_members_against_non_members_overstates_the_card(case):
    right = _run(_solution("p3_answer"), case)["program"]
    wrong = _run(MEMBERS_VS_NON_MEMBERS, case)["program"]
    assert right["ci_low"] <= right["true_uplift"] <= right["ci_high"]
    assert wrong["uplift"] > 2 * right["true_uplift"] > right["uplift"] / 2
    no_window = _run(NO_WINDOW, case)["program"]
    assert abs(no_window["uplift"] - right["uplift"]) > 1e-3


def test_sql_mistakes_are_told_apart(case):
    with crm.temporary_crm(case) as db:
        right = crm.run_query(db, _run(_solution("p4_answer"), case)["sql_call_list"])
        inner = crm.run_query(db, _run(INNER_JOIN, case)["sql_call_list"])
    assert len(right) > 0 and len(inner) == 0


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    edits = {f"{m}_{v}": [edit] for m, edit in MISTAKES.items() for v in VARIANTS}
    edits["weak"] = list(WEAK.items())
    course, points = grade_students(tmp_path_factory, A, edits, workers=2)
    r = rubric.load_rubric()
    for answer, levels in WEAK_LEVELS.items():
        course.set_manual_score(A, "weak", answer, rubric.score(r, answer, levels)["total"])
    return course, points


@pytest.mark.slow
@pytest.mark.xdist_group("grading-capstone")
def test_reference_student_gets_every_autograded_point(graded):
    course, points = graded
    scores = course.cell_scores(A, "reference")
    assert {c: scores[c] for c in points} == points
    assert scores["w_answer"] is None and scores["w2_answer"] is None  # left to the grader


@pytest.mark.slow
@pytest.mark.xdist_group("grading-capstone")
@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_loses_points_on_its_part_only(graded, mistake):
    course, points = graded
    part = MISTAKES[mistake][0].split("_")[0]
    for v in VARIANTS:  # two students, so two variants of the data
        scores = course.cell_scores(A, f"{mistake}_{v}")
        assert scores[f"{part}_hidden"] == 0, f"{mistake} {v}: {scores}"
        others = {c: scores[c] for c in points if not c.startswith((part + "_", "q"))}
        assert others == {c: points[c] for c in others}, f"{mistake} {v}: {others}"


@pytest.mark.slow
@pytest.mark.xdist_group("grading-capstone")
def test_weak_submission_scores_what_the_tests_and_rubric_say(graded):
    """Every cell's points, and the total, follow from the mistakes and the rubric levels."""
    course, points = graded
    weak_case = load_case(A, student="weak")
    ns = _run(_solution("p1_answer") + "\n" + POOLED_ABC, weak_case)
    seg = weak_case.customers.set_index("customer_id")["segment"]
    pooled_b2b = ns["key_customers"][ns["key_customers"].index.map(seg) == "B2B"]
    own_b2b = pareto.abc_classes(
        weak_case.transactions[weak_case.transactions["customer_id"].map(seg) == "B2B"]
    )
    expected = {
        "p1_visible": points["p1_visible"],  # a receipt-level Gini still lies in [0, 1]
        "p1_hidden": 0.0,
        # the visible test flags pooled classes only when every corporate client is class A
        "p2_visible": points["p2_visible"] if (pooled_b2b == "A").mean() < 1 else 0.0,
        "p2_hidden": 0.0,
        "p3_visible": 0.0,  # more than twice the true effect
        "p3_hidden": 0.0,
        "p4_visible": points["p4_visible"],
        "p4_hidden": points["p4_hidden"],
        "q1_check": 0.0,
        "q2_check": points["q2_check"],
        "q3_check": points["q3_check"]
        if int((pooled_b2b == "A").sum()) == int((own_b2b == "A").sum())
        else 0.0,
    }
    r = rubric.load_rubric()
    manual = {a: float(rubric.score(r, a, lv)["total"]) for a, lv in WEAK_LEVELS.items()}
    scores = course.cell_scores(A, "weak")
    assert {c: scores[c] for c in expected} == expected
    assert {a: scores[a] for a in manual} == manual == {"w_answer": 2.0, "w2_answer": 3.0}
    total = course.scores().set_index(["assignment", "student_id"]).loc[(A, "weak")]
    assert total["score"] == pytest.approx(sum(expected.values()) + sum(manual.values()))
    assert total["score"] < 0.5 * total["max_score"]
