"""End to end: the course's nbgrader pipeline on every way a submission can break.

One temporary copy of ``assignments/`` gets the small probe assignment
(``rmlib.grading.probe``: parts worth 3, 3 and 2 autograded points and a
2-point written answer), then: generate → validate → simulated submissions →
autograde → manual mark → autograde again → feedback → export. Every score is
asserted exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from _text import decodings, visible_text

from rmlib.grading import submissions as S
from rmlib.grading.attacks import steal_solution_code
from rmlib.grading.pipeline import Course, copy_course
from rmlib.grading.preprocessors import HIDDEN_NOTICE, hidden_regions
from rmlib.grading.probe import PROBE_POINTS, course_with, probe_notebook

# One worker builds the module's graded course (see --dist loadgroup in the Makefile).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-pipeline")]

ROOT = Path(__file__).resolve().parent.parent
A = "probe"
P1, P2, P3 = 3.0, 3.0, 2.0  # autograded points of parts 1, 2, 3
AUTO_MAX = P1 + P2 + P3
WRONG_P1 = "def double(x):\n    return x"
LOOP = "while True:\n    pass"
KILL = "import os\nos._exit(1)"


def _cases(rel, src):
    """Simulated student -> (notebook, expected autograded points)."""
    ok = S.answered(rel, src)
    wrong_p1 = S.edit_cell(ok, "p1", WRONG_P1)  # p1 wrong, p2 and p3 right
    return {
        "correct": (ok, AUTO_MAX),
        "unanswered": (rel, 0.0),
        "partial": (S.answered(rel, src, ["p2"]), P2),
        "raises": (S.with_code(ok, "p1", "raise RuntimeError('oops')"), P2 + P3),
        "loop": (S.with_code(ok, "p2", LOOP), P1 + P3),
        "kill": (S.with_code(ok, "p2", KILL), P1 + P3),
        "test_deleted": (S.delete_cell(wrong_p1, "p1_hidden"), P2 + P3),
        "answer_and_test_deleted": (
            S.delete_cell(S.delete_cell(wrong_p1, "p1"), "p1_visible"),
            P2 + P3,
        ),
        "test_assert_true": (
            S.edit_cell(S.edit_cell(wrong_p1, "p1_visible", "assert True"), "p1_hidden", "pass"),
            P2 + P3,
        ),
        "test_to_markdown": (S.to_markdown(wrong_p1, "p1_hidden"), P2 + P3),
        "test_flipped_to_answer": (
            S.flip_test_to_solution(wrong_p1, "p1_hidden", "assert True"),
            P2 + P3,
        ),
        "answer_flipped_readonly": (S.flip_to_readonly(ok, "p1"), AUTO_MAX),
        "duplicate_id": (
            S.duplicate_cell(wrong_p1, "p1_visible", last_source="assert True"),
            P2 + P3,
        ),
        "reads_source": (
            S.edit_cell(wrong_p1, "p1", WRONG_P1 + "\n" + steal_solution_code("p1")),
            P2 + P3,
        ),
    }


@pytest.fixture(scope="session")
def term(tmp_path_factory):
    """A whole term of the probe assignment, graded twice."""
    dest = tmp_path_factory.mktemp("course") / "course"
    course, src, rel = course_with(probe_notebook(), ROOT / "assignments", dest, A, cell_timeout=5)
    root = course.root
    cases = _cases(rel, src)
    course.add_students({sid: ("Sim", sid.title()) for sid in [*cases, "absent"]})
    for sid, (nb, _) in cases.items():
        course.submit(sid, A, {A: nb})
    first = course.autograde(A)
    first_scores = {sid: course.cell_scores(A, sid) for sid in cases}
    course.set_manual_score(A, "correct", "written", 2.0, "Clear and complete.")
    second = course.autograde(A)
    feedback = course.feedback(A)
    export = course.export(root / "grades.csv")
    return {
        "course": course,
        "cases": cases,
        "first": first,
        "second": second,
        "first_scores": first_scores,
        "feedback": feedback,
        "export": export,
        "src": src,
        "rel": rel,
    }


def _auto(scores: dict) -> float:
    return sum(v for k, v in scores.items() if k != "written" and v is not None)


def test_source_passes_and_release_fails_every_test(term):
    course = term["course"]
    assert "failed" not in course.validate(course.path("source", A, f"{A}.ipynb"))
    inverted = course.validate(course.path("release", A, f"{A}.ipynb"), invert=True)
    assert "passed" not in inverted, inverted


def test_release_has_stubs_and_no_solutions(term):
    text = visible_text(term["course"].path("release", A, f"{A}.ipynb"))
    assert "raise NotImplementedError" in text
    assert "return 2 * x" not in text and "BEGIN SOLUTION" not in text


def test_every_submission_graded_and_none_stopped_the_others(term):
    assert term["first"].failed == [] and term["second"].failed == []
    for sid in term["cases"]:
        assert term["course"].path("autograded", sid, A, f"{A}.ipynb").exists(), sid


@pytest.mark.parametrize(
    "sid",
    [
        "correct",
        "unanswered",
        "partial",
        "raises",
        "loop",
        "kill",
        "test_deleted",
        "answer_and_test_deleted",
        "test_assert_true",
        "test_to_markdown",
        "test_flipped_to_answer",
        "answer_flipped_readonly",
        "duplicate_id",
        "reads_source",
    ],
)
def test_exact_autograded_score(term, sid):
    scores = term["first_scores"][sid]
    assert set(scores) == set(PROBE_POINTS), f"{sid}: graded cells {sorted(scores)}"
    assert _auto(scores) == term["cases"][sid][1], f"{sid}: {scores}"


def test_written_answer_waits_for_a_human_unless_blank(term):
    fs = term["first_scores"]
    assert fs["correct"]["written"] is None  # answered: needs manual grading
    assert fs["unanswered"]["written"] == 0.0  # blank: nbgrader gives 0 itself


def test_kernel_death_and_timeout_are_reported_in_the_cell(term):
    course = term["course"]
    kill = nbformat.read(course.path("autograded", "kill", A, f"{A}.ipynb"), as_version=4)
    assert S.cell(kill, "p2").outputs[0]["ename"] == "KernelDied"
    loop = nbformat.read(course.path("autograded", "loop", A, f"{A}.ipynb"), as_version=4)
    assert any(o.get("ename") == "CellTimeoutError" for o in S.cell(loop, "p2").outputs)


def test_reading_the_source_works_without_the_sandbox_but_gains_nothing_in_it(term, tmp_path):
    """Control: run by stock nbgrader next to ``source/``, the attack finds the solution."""
    course = term["course"]
    attack = term["cases"]["reads_source"][0]
    probe = course.path("release", A, "attack.ipynb")  # inside the course tree, like stock
    nbformat.write(attack, probe)
    try:
        result = course.validate(probe)
    finally:
        probe.unlink()
    failed = " ".join(c["source"] for c in result.get("failed", []))
    assert "double() doubles" not in failed  # stolen solution passes part 1 here ...
    graded = nbformat.read(course.path("autograded", "reads_source", A, f"{A}.ipynb"), 4)
    assert term["first_scores"]["reads_source"]["p1_hidden"] == 0.0  # ... but not when graded
    assert "STOLEN_FROM_SOURCE" in S.cell(graded, "p1").source


def test_rerunning_autograde_loses_no_grade(term):
    course = term["course"]
    for sid in term["cases"]:
        again = course.cell_scores(A, sid)
        if sid == "correct":
            assert again["written"] == 2.0  # the grader's mark survived the re-run
            again = {k: v for k, v in again.items() if k != "written"}
            before = {k: v for k, v in term["first_scores"][sid].items() if k != "written"}
            assert again == before
        else:
            assert again == term["first_scores"][sid], sid


def test_export_lists_every_student_with_the_right_total(term):
    df = term["export"].set_index("student_id")
    expected = {sid: pts for sid, (_, pts) in term["cases"].items()}
    expected["correct"] += 2.0  # manual mark for the written answer
    expected["absent"] = 0.0
    assert sorted(df.index) == sorted(expected)
    for sid, pts in expected.items():
        assert df.loc[sid, "score"] == pytest.approx(pts), sid
        assert df.loc[sid, "max_score"] == pytest.approx(sum(PROBE_POINTS.values()))


def test_hidden_tests_appear_in_no_release_and_no_feedback(term):
    course = term["course"]
    hidden = {
        re.sub(r"\s+", " ", line.strip())
        for c in term["src"].cells
        for line in hidden_regions(c.source)
        if line.strip()
    }
    assert len(hidden) >= 4
    files = sorted(course.path("release").rglob("*.ipynb")) + term["feedback"]
    assert len(term["feedback"]) == len(term["cases"])
    for path in files:
        for text in decodings(visible_text(path)):  # verbatim, reversed, base64, hex, zlib
            leaked = [h for h in hidden if h in text]
            assert not leaked, f"{path.relative_to(course.root)} shows hidden test code {leaked}"
    ok = visible_text(course.path("feedback", "correct", A, f"{A}.html"))
    assert HIDDEN_NOTICE.lstrip("# ") in ok
    assert "hidden tests for this part passed" in ok
    bad = visible_text(course.path("feedback", "test_deleted", A, f"{A}.html"))
    assert "A hidden test for this part failed" in bad


def test_hidden_code_is_in_the_autograded_notebook_so_the_search_can_find_it(term):
    """The leak search above would catch a leak: the instructor's copy has the code."""
    course = term["course"]
    text = visible_text(course.path("autograded", "correct", A, f"{A}.ipynb"))
    assert "assert double(-7) == -14" in text


def test_release_fetch_submit_collect_through_a_configured_exchange(tmp_path, monkeypatch):
    """The exchange folder comes from RM_EXCHANGE_ROOT; a submission travels through it."""
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    monkeypatch.setenv("RM_EXCHANGE_ROOT", str(exchange))
    root = copy_course(ROOT / "assignments", tmp_path / "course")
    (root / "source" / A).mkdir(parents=True)
    nbformat.write(probe_notebook(), root / "source" / A / f"{A}.ipynb")
    course = Course(root)
    course.generate(A)
    course.nbgrader("release_assignment", A)
    home = tmp_path / "student"
    home.mkdir()
    # the student's side: no course, only the exchange and the course id
    (home / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n"
        "c.CourseDirectory.course_id = 'relationship-marketing'\n"
    )
    student = Course(home)
    student.nbgrader("fetch_assignment", A)
    fetched = home / A / f"{A}.ipynb"
    assert fetched.exists()
    nb = nbformat.read(fetched, as_version=4)
    src = nbformat.read(root / "source" / A / f"{A}.ipynb", as_version=4)
    nbformat.write(S.answered(nb, src), fetched)
    student.nbgrader("submit", A)
    course.nbgrader("collect", A)
    collected = list((root / "submitted").glob(f"*/{A}/{A}.ipynb"))
    assert len(collected) == 1
    assert "return 2 * x" in collected[0].read_text()
