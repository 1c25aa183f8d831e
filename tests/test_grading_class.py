"""Grading a class: parallel autograde equals serial, resumes, and feeds the class report."""

from __future__ import annotations

from pathlib import Path

import pytest
from _text import visible_text

from rmlib.grading import submissions as S
from rmlib.grading.parallel import autograde_class
from rmlib.grading.probe import course_with, data_probe_notebook
from rmlib.grading.report import class_data, summaries, write_report

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-class")]

ROOT = Path(__file__).resolve().parent.parent
A = "dprobe"
COPIED = "top20 = 0.5  # the answer two students share"


def _students(rel, src):
    ok = S.answered(rel, src)
    return {
        "anna": ok,
        "boris": S.answered(rel, src, ["p1"]),
        "clara": S.edit_cell(ok, "p3", COPIED),
        "dmitri": S.edit_cell(ok, "p3", COPIED + "\n"),
        "elena": S.with_code(ok, "p2", "import os\nos._exit(1)"),
        "fyodor": S.edit_cell(ok, "p1", "def double(x):\n    return x * 3"),
    }


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    out = {}
    for name in ("parallel", "serial"):
        dest = tmp_path_factory.mktemp(name) / "course"
        course, src, rel = course_with(
            data_probe_notebook(), ROOT / "assignments", dest, A, cell_timeout=10
        )
        students = _students(rel, src)
        course.add_students({s: ("Sim", s.title()) for s in [*students, "absent"]})
        for sid, nb in students.items():
            course.submit(sid, A, {A: nb})
        lines = []
        if name == "parallel":
            out["table"] = autograde_class(course, A, workers=2, echo=lines.append)
            out["resumed"] = autograde_class(course, A, workers=2, echo=lines.append)
        else:
            assert course.autograde(A).failed == []
        out[name] = course
        out[f"{name}_lines"] = lines
    out["students"] = list(students)
    return out


def test_parallel_and_serial_scores_are_equal(graded):
    for sid in graded["students"]:
        parallel = graded["parallel"].cell_scores(A, sid)
        assert parallel == graded["serial"].cell_scores(A, sid), sid
    assert graded["table"]["status"].tolist() == ["graded"] * len(graded["students"])


def test_progress_lines_and_summary(graded):
    lines = graded["parallel_lines"]
    assert lines[0].startswith(f"{A}: 6 submissions, 0 already graded, 6 to grade with 2 worker")
    assert sum(line.startswith("[") for line in lines) == 6
    assert any("anna" in line and "7 / 9" in line for line in lines), lines


def test_a_second_run_resumes_without_regrading(graded):
    resumed = graded["resumed"]
    assert resumed["status"].tolist() == ["skipped"] * len(graded["students"])
    assert (
        resumed.set_index("student")["score"].to_dict()
        == graded["table"].set_index("student")["score"].to_dict()
    )


def test_bad_worker_count_is_refused(graded):
    with pytest.raises(ValueError, match="`workers` must be at least 1; got 0"):
        autograde_class(graded["parallel"], A, workers=0)


def test_report_figures_match_the_gradebook(graded, tmp_path):
    course = graded["parallel"]
    data = class_data(course)
    summ = summaries(data)
    totals = summ["totals"].set_index("student")["score"]
    gradebook = course.scores().query("assignment == @A").set_index("student_id")["score"]
    for sid in graded["students"]:
        assert totals[sid] == pytest.approx(gradebook[sid]), sid
    diff = summ["difficulty"].set_index("part")["full_marks_share"]
    assert diff["p1"] == pytest.approx(5 / 6)  # only fyodor is wrong there
    assert diff["p3"] == pytest.approx(3 / 6)  # boris left it; clara and dmitri copied 0.5
    assert data["missing"]["student"].tolist() == ["absent"]
    crash = data["crashes"]
    assert crash[["student", "ename"]].values.tolist() == [["elena", "KernelDied"]]
    assert data["similar"]["students"].tolist() == ["clara, dmitri"]
    common = summ["common_failures"].set_index("part")
    assert common.loc["p1", "message"] == "double(2) should be 4"
    out = write_report(course, tmp_path / "report.html")
    text = visible_text(out)
    for heading in ("Per-part difficulty", "Did not submit", "clara, dmitri", "KernelDied"):
        assert heading in text


def test_the_report_notebook_draws_the_same_report(graded, monkeypatch):
    from _nbrun import run_notebook

    monkeypatch.setenv("RM_REPORT_COURSE", str(graded["parallel"].root))
    run_notebook(ROOT / "assignments" / "class_report.ipynb")  # raises on any error
