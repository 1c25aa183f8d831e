"""The capstone for a self-learner: rmlib.capstone's checks, and the self-study notebooks.

The checks must agree with the graded capstone: each accepts the graded notebook's own
solution and rejects every common mistake that ``tests/test_capstone.py`` targets, with a
message naming that mistake; and on every answer tried here a check says "right" exactly
when the graded notebook's hidden tests pass. The self-study notebook must have the graded
notebook's parts (ids and points from the nbgrader metadata and the rubric), show each part's
text from the graded notebook, and the exemplar's answers must be the graded solution's code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_capstone import MISTAKES, RECEIPT_GINI, SOURCE, _run, _solution

from rmlib import capstone, crm, rubric
from rmlib.datasets import STUDENT_ENV, load_case
from rmlib.grading import submissions as S

ROOT = Path(__file__).resolve().parent.parent
NAME = "07_capstone_self_study"
EXERCISE = ROOT / "notebooks" / f"{NAME}.ipynb"
EXEMPLAR = ROOT / "notebooks" / "solutions" / f"{NAME}_solutions.ipynb"
ANSWER_CELLS = ["p1_answer", "p2_answer", "p3_answer", "p4_answer", "q_answer"]
#: the answer each check reads, by graded answer cell
READS = {
    "p1_answer": ("p1", "diagnosis"),
    "p2_answer": ("p2", "key_customers"),
    "p3_answer": ("p3", "program"),
    "p4_answer": ("p4", "sql_call_list"),
}
#: what a check's message must say about each mistake of test_capstone.py
SAYS = {
    "everyone_on_file": "not by every customer on file",
    "pooled_concentration": "the arms were pooled",
    "pooled_abc_classes": "ranked at once",
    "members_vs_non_members": "members against non-members",
    "no_52_week_window": "52 weeks",
    "inner_join_drops_the_uncontacted": "LEFT JOIN",
}
STUDENT = "v1"


def _source():
    return nbformat.read(SOURCE, as_version=4)


def _check(part: str, ns: dict, case) -> capstone.Verdict:
    if part == "q":
        return capstone.check_self_check(ns.get("q1"), ns.get("q2"), ns.get("q3"), case)
    fn = {
        "p1": capstone.check_diagnosis,
        "p2": capstone.check_key_customers,
        "p3": capstone.check_program,
        "p4": capstone.check_call_list,
    }[part]
    name = {v[0]: v[1] for v in READS.values()}[part]
    return fn(ns.get(name), case)


def _hidden_passes(gid: str, ns: dict) -> bool:
    """Run a graded test cell (visible line and hidden tests) on the answers in ``ns``."""
    code = re.sub(r"(?m)^### (BEGIN|END) HIDDEN TESTS$", "", S.cell(_source(), gid).source)
    env = {**ns, "crm": crm}
    try:
        exec(code, env)
    except AssertionError:
        return False
    return True


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    """The capstone variant of one student, as the graded notebook's hidden tests load it."""
    mp = pytest.MonkeyPatch()
    mp.setenv(STUDENT_ENV, STUDENT)
    yield load_case("capstone")
    mp.undo()


@pytest.fixture(scope="module")
def right(variant):
    return _run("\n".join(_solution(g) for g in ANSWER_CELLS), variant)


# --------------------------------------------------------------------------- the parts


def test_parts_are_the_graded_notebooks_parts():
    """Part ids, kinds and points come from the graded notebook's nbgrader metadata."""
    nb = _source()
    graded = {
        c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    found = capstone.parts()
    assert [p["part"] for p in found] == ["p1", "p2", "p3", "p4", "q", "w", "w2"]
    assert {g: pts for p in found for g, pts in p["cells"].items()} == graded
    assert sum(p["points"] for p in found) == sum(graded.values()) == 32
    r = rubric.load_rubric("capstone")
    manual = {p["part"]: p for p in found if p["kind"] == "manual"}
    assert sorted(manual) == ["w", "w2"]
    for part, p in manual.items():
        assert p["points"] == rubric.max_points(r, f"{part}_answer")


def test_brief_is_the_graded_text_with_its_points():
    nb = _source()
    for p in capstone.parts():
        text = str(capstone.brief(p["part"]))
        assert text.startswith(S.cell(nb, f"{p['part']}_text").source)
        assert f"{p['points']:g} points" in text
    with pytest.raises(ValueError, match=r"`part` 'p9' is not a part.*'p1', 'p2'"):
        capstone.brief("p9")


def test_source_notebook_can_be_named_and_its_absence_is_explained(monkeypatch, tmp_path):
    assert capstone.source_notebook() == SOURCE
    monkeypatch.setenv(capstone.NOTEBOOK_ENV, str(tmp_path / "nope.ipynb"))
    with pytest.raises(FileNotFoundError, match="RMLIB_CAPSTONE_NOTEBOOK is set to .* unset it"):
        capstone.source_notebook()


# --------------------------------------------------------------------------- the checks


@pytest.mark.parametrize("part", ["p1", "p2", "p3", "p4", "q"])
def test_each_check_accepts_the_graded_solution(part, right, variant):
    v = _check(part, right, variant)
    assert v.ok, str(v)
    assert v.points == v.max_points == {p["part"]: p["points"] for p in capstone.parts()}[part]
    assert "right" in str(v) and "✔" in v._repr_html_()


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_is_rejected_with_its_own_message(mistake, variant):
    cell, code = MISTAKES[mistake]
    ns = _run(_solution("p1_answer") + "\n" + code, variant)
    v = _check(READS[cell][0], ns, variant)
    assert not v.ok and v.points == 0
    assert SAYS[mistake] in v.message, v.message


def test_receipt_level_gini_is_named(variant):
    v = capstone.check_diagnosis(_run(RECEIPT_GINI, variant)["diagnosis"], variant)
    assert not v.ok and "Gini of single receipts" in v.message
    assert "top20_share" not in v.message  # the shares were right


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_the_checks_agree_with_the_hidden_tests(mistake, right, variant):
    """Right answer: check and hidden tests both pass; each mistake: both fail."""
    cell, code = MISTAKES[mistake]
    part = READS[cell][0]
    wrong = _run(_solution("p1_answer") + "\n" + code, variant)
    for ns, ok in ((right, True), (wrong, False)):
        assert _check(part, ns, variant).ok is ok
        assert _hidden_passes(f"{part}_hidden", ns) is ok


@pytest.mark.parametrize("question", ["q1", "q2"])
def test_multiple_choice_key_is_in_step_with_the_graded_notebook(question, right, variant):
    """For every letter, the check gives the point exactly when the graded test passes."""
    for letter in "abcd":
        ns = {**right, question: letter}
        v = capstone.check_self_check(ns["q1"], ns["q2"], ns["q3"], variant)
        passes = _hidden_passes(f"{question}_check", ns)
        assert (f"{question}: right" in v.message) is passes
        assert v.points == (3 if passes else 2)


def test_q3_counted_with_pooled_classes_is_named(right, variant):
    pooled = _run(_solution("p1_answer") + "\n" + MISTAKES["pooled_abc_classes"][1], variant)
    seg = variant.customers.set_index("customer_id")["segment"]
    kc = pooled["key_customers"]
    n = int((kc[kc.index.map(seg) == "B2B"] == "A").sum())
    assert n != right["q3"]
    v = capstone.check_self_check("b", "b", n, variant)
    assert not v.ok and v.points == 2 and "whole chain ranked at once" in v.message
    assert not _hidden_passes("q3_check", {**right, "q3": n})


def test_unanswered_parts_say_what_to_set(variant):
    for part in ["p1", "p2", "p3", "p4"]:
        v = _check(part, {}, variant)
        assert not v.ok and v.message.startswith("Not answered yet: set `")
    v = capstone.check_self_check(None, None, None, variant)
    assert v.points == 0 and v.message.count("not answered yet") == 3


@pytest.mark.parametrize(
    ("part", "answer", "says"),
    [
        ("p1", [1, 2], "should be a DataFrame indexed by segment"),
        ("p1", pd.DataFrame({"customers": [1]}, index=["all"]), "one row each for 'B2C'"),
        (
            "p1",
            pd.DataFrame({"customers": [1, 2]}, index=["B2C", "B2B"]),
            "lacks the column(s) ['repeat_rate'",
        ),
        ("p2", {"a": "A"}, "should be a Series indexed by customer_id"),
        ("p2", pd.Series(["A"], index=[10**9]), "are not buying customers"),
        ("p3", [0.1], "should be a dict"),
        ("p3", {"uplift": 1}, "lacks the key(s) ['ci_low'"),
        (
            "p3",
            {"uplift": "x", "ci_low": 0, "ci_high": 1, "true_uplift": 1},
            "`program['uplift']` should be a number",
        ),
        ("p4", 42, "should be a string with one SELECT"),
        ("p4", "DELETE FROM customers", "The query does not run"),
        (
            "p4",
            "SELECT customer_id FROM customers WHERE status = 'active'",
            "lacks column(s) 'segment'",
        ),
        (
            "p4",
            "SELECT customer_id, segment FROM customers WHERE status = 'former'",
            "Former customers are on the list",
        ),
    ],
)
def test_malformed_answers_get_a_verdict_not_an_error(part, answer, says, variant):
    name = {v[0]: v[1] for v in READS.values()}[part]
    v = _check(part, {name: answer}, variant)
    assert not v.ok and says in v.message, v.message


def test_wrong_classes_are_counted_per_arm(right, variant):
    kc = right["key_customers"].copy()
    b2c = kc.index[kc.index.map(variant.customers.set_index("customer_id")["segment"]) == "B2C"]
    kc.loc[b2c[:3]] = kc.loc[b2c[:3]].map({"A": "C", "B": "A", "C": "A"})
    v = capstone.check_key_customers(kc, variant)
    assert not v.ok and v.message.startswith("3 B2C customer(s) have another class")


def test_a_wrong_interval_with_a_right_uplift_is_named(right, variant):
    program = {**right["program"], "ci_high": right["program"]["ci_high"] + 0.1}
    v = capstone.check_program(program, variant)
    assert not v.ok and "right but not its interval" in v.message


def test_checks_do_not_change_the_answer(right, variant):
    before = right["diagnosis"].copy(), right["key_customers"].copy(), dict(right["program"])
    capstone.check_diagnosis(right["diagnosis"], variant)
    capstone.check_key_customers(right["key_customers"], variant)
    capstone.check_program(right["program"], variant)
    pd.testing.assert_frame_equal(right["diagnosis"], before[0])
    pd.testing.assert_series_equal(right["key_customers"], before[1])
    assert right["program"] == before[2]


def test_a_bad_case_is_refused_with_the_fix():
    for fn in (
        capstone.check_diagnosis,
        capstone.check_key_customers,
        capstone.check_program,
        capstone.check_call_list,
    ):
        with pytest.raises(TypeError, match=r"`case` must be the case data.*load_case"):
            fn(None, "case")
    with pytest.raises(TypeError, match="`case` must be"):
        capstone.check_self_check("b", "b", 1, None)


# --------------------------------------------------------------------------- self-assessment


def test_blank_levels_name_every_criterion_of_the_rubric():
    r = rubric.load_rubric("capstone")
    for answer in r["answers"]:
        names = [c["name"] for c in r["answers"][answer]["criteria"]]
        assert capstone.blank_levels(answer) == dict.fromkeys(names)
    with pytest.raises(ValueError, match="`answer` 'w3_answer' is not a written answer"):
        capstone.blank_levels("w3_answer")


def test_self_assess_adds_up_the_chosen_levels_like_the_rubric():
    r = rubric.load_rubric("capstone")
    levels = {"Levels per arm, from the evidence": 1, "Program design": 2}
    partial = capstone.self_assess("w_answer", {**capstone.blank_levels("w_answer"), **levels})
    assert (partial.points, partial.max_points, partial.complete) == (3, 6, False)
    assert "so far" in str(partial) and "choose a level" in str(partial)
    full = {**levels, "Evaluation against the control group": 0}
    done = capstone.self_assess("w_answer", full)
    assert done.complete and done.points == rubric.score(r, "w_answer", full)["total"] == 3
    level_text = r["answers"]["w_answer"]["criteria"][1]["levels"][2]["description"]
    assert done.descriptions["Program design"] == level_text and level_text in str(done)


def test_self_assess_refuses_what_the_rubric_does_not_have():
    blank = capstone.blank_levels("w2_answer")
    with pytest.raises(ValueError, match=r'missing \["The pyramid.s order"\].*blank_levels'):
        capstone.self_assess(
            "w2_answer", {k: v for k, v in blank.items() if k != "The pyramid's order"}
        )
    with pytest.raises(ValueError, match=r"unknown \['Style'\]"):
        capstone.self_assess("w2_answer", {**blank, "Style": 1})
    with pytest.raises(ValueError, match=r"is 3, which is not a level.*one of \[0, 1, 2\]"):
        capstone.self_assess("w2_answer", {**blank, "The pyramid's order": 3})
    with pytest.raises(ValueError, match="is True, which is not a level"):
        capstone.self_assess("w2_answer", {**blank, "The pyramid's order": True})
    with pytest.raises(TypeError, match="`levels` must be a dict"):
        capstone.self_assess("w2_answer", [2, 2, 2])


def test_scorecard_totals_in_the_graded_points(right, variant):
    results = [_check(p, right, variant) for p in ["p1", "p2", "p3", "p4", "q"]]
    top = {k: 2 for k in capstone.blank_levels("w_answer")}
    results.append(capstone.self_assess("w_answer", top))
    card = capstone.scorecard(results)
    assert card.loc["total", "points"] == 20 + 6 and card.loc["total", "max_points"] == 32
    assert card.loc["w2", "status"] == "not checked"
    with pytest.raises(ValueError, match="part 'p1' twice"):
        capstone.scorecard([results[0], results[0]])
    with pytest.raises(TypeError, match="pass only what the check functions"):
        capstone.scorecard([1])


# --------------------------------------------------------------------------- the notebooks


def _calls(source: str) -> list[tuple[str, list]]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            out.append(
                (name, [a.value if isinstance(a, ast.Constant) else None for a in node.args])
            )
    return out


def _code_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", [EXERCISE, EXEMPLAR], ids=["exercise", "exemplar"])
def test_notebook_has_every_part_in_order_with_its_check(path):
    """Each part: its brief, then for autograded parts a check, for written ones the rubric
    and a self-assessment, in the graded notebook's order."""
    seen = [call for src in _code_cells(path) for call in _calls(src)]
    order = [args[0] for name, args in seen if name == "brief"]
    assert order == [p["part"] for p in capstone.parts()]
    checks = {
        "p1": "check_diagnosis",
        "p2": "check_key_customers",
        "p3": "check_program",
        "p4": "check_call_list",
        "q": "check_self_check",
    }
    names = [name for name, _ in seen]
    for p in capstone.parts():
        at = names.index("brief", [i for i, c in enumerate(seen) if c == ("brief", [p["part"]])][0])
        after = names[at:]
        if p["kind"] == "autograded":
            assert checks[p["part"]] in after
        else:
            answer = f"{p['part']}_answer"
            assert ("show", ["capstone", answer]) in seen[at:]
            assert any(n == "self_assess" and a[:1] == [answer] for n, a in seen[at:])
    assert "scorecard" in names


def test_exercise_notebook_holds_no_answer():
    """The exercise's answer cells are blank: no graded solution code, no exemplar text."""
    code = "\n".join(_code_cells(EXERCISE))
    for gid in ANSWER_CELLS:
        for line in _solution(gid).splitlines():
            if len(line.strip()) > 25:
                assert line.strip() not in code, f"{gid}: {line.strip()}"
    assert 'load_case("capstone")' in code


def test_exemplar_answers_are_the_graded_solutions():
    """One source for the answer: each exemplar answer cell is the graded solution's code."""
    cells = _code_cells(EXEMPLAR)
    for gid in ANSWER_CELLS:
        assert _solution(gid).strip() in [c.strip() for c in cells], gid


@pytest.mark.parametrize(
    ("path", "case_line"),
    [(EXERCISE, 'load_case("capstone")'), (EXEMPLAR, "load_case()")],
    ids=["exercise", "exemplar"],
)
def test_setup_is_the_graded_setup(path, case_line):
    """The first code cell is the graded setup cell, with capstone and rubric imported and,
    for the exemplar, the shipped case."""
    graded = S.cell(_source(), "setup").source
    mine = ast.parse(_code_cells(path)[0].replace(case_line, 'load_case("capstone")'))
    for node in ast.walk(mine):  # the two extra imports are the workbook's own
        if isinstance(node, ast.ImportFrom) and node.module == "rmlib":
            node.names = [a for a in node.names if a.name not in ("capstone", "rubric")]
    # Compared as code, not text: ruff formats the notebook and may wrap a long import.
    assert ast.dump(mine) == ast.dump(ast.parse(graded))


@pytest.mark.parametrize("path", [EXERCISE, EXEMPLAR], ids=["exercise", "exemplar"])
def test_notebook_ends_with_navigation(path):
    last = _code_cells(path)[-1]
    assert ("navigation", [path.stem]) in _calls(last)
