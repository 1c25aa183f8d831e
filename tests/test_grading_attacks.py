"""End to end: submissions written by a determined student, graded in the sandbox.

One temporary course gets the data probe (``rmlib.grading.probe.data_probe_notebook``:
parts worth 3, 2 and 2 autograded points, all on the case data and the library).
An honest student is graded first and another last; between them every attack in
``rmlib.grading.attacks.ATTACKS`` runs in one autograde. Each test asserts the
attacker's exact score, that grading went on for everyone, that nobody else's
grade changed, and that no hidden test reached any feedback, verbatim or encoded.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import time
import zlib
from pathlib import Path

import nbformat
import pytest
from _text import decodings, visible_text

from rmlib import datasets
from rmlib.grading import submissions as S
from rmlib.grading.attacks import ATTACKS, LINGER_MARK, steal_solution_code
from rmlib.grading.pipeline import Course
from rmlib.grading.preprocessors import hidden_regions
from rmlib.grading.probe import DATA_PROBE_POINTS, course_with, data_probe_notebook
from rmlib.grading.sandbox import capabilities
from rmlib.grading.trusted import visible_source

# One worker builds the module's graded course (see --dist loadgroup in the Makefile).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-attacks")]

ROOT = Path(__file__).resolve().parent.parent
A = "dprobe"
P1, P2, P3 = 3.0, 2.0, 2.0
FULL = P1 + P2 + P3
BLANK = {"p1": "def double(x):\n    return None", "p2": "n_buyers = -1", "p3": "top20 = -1.0"}
WRONG_TOP20 = "top20 = 0.0"
FLOAT_THAT_EQUALS_ALL = """class _Any(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    __hash__ = float.__hash__
top20 = _Any(0.0)"""
STEAL = (
    ATTACKS["print_hidden"].split("import base64")[0]
    + """import json as _json, re as _re
def _steal():
    roots = []
    for pid in _os.listdir("/proc"):
        try:
            cwd = _pl.Path(_os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            continue
        if (cwd / "nbgrader_config.py").exists():
            roots.append(cwd)
    for nb in [p for r in roots for p in r.glob("source/*/*.ipynb")] + _find("source/*/*.ipynb"):
        try:
            cells = _json.loads(nb.read_text()).get("cells", [])
        except Exception:
            continue
        for c in cells:
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "p1":
                src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                if "def double" in src and "BEGIN SOLUTION" in src:
                    exec(_re.sub(r"(?m)^[ \\t]*### (BEGIN|END) SOLUTION[ \\t]*$", "", src), globals())
                    print("STOLE", nb)
                    return
_steal()"""
)


def _blank(nb):
    for gid, code in BLANK.items():
        nb = S.edit_cell(nb, gid, code)
    return nb


def _cases(rel, src):
    """Student -> (notebook, expected autograded points)."""
    ok = S.answered(rel, src)
    blank = _blank(rel)
    wrong_p3 = S.edit_cell(ok, "p3", WRONG_TOP20)
    return {
        "aa_honest": (ok, FULL),
        "gradebook": (S.with_code(blank, "p1", ATTACKS["gradebook"]), 0.0),
        "linger": (S.with_code(blank, "p1", ATTACKS["linger"]), 0.0),
        "rename_data": (S.with_code(ok, "p3", ATTACKS["rename_data"], prepend=False), FULL),
        "transformer": (S.with_code(blank, "p1", ATTACKS["transformer"]), 0.0),
        "rebind_abs": (S.with_code(wrong_p3, "p3", ATTACKS["rebind_abs"]), P1 + P2),
        "fake_data_env": (
            S.edit_cell(
                S.edit_cell(
                    S.with_code(ok, "p1", ATTACKS["fake_data_env"], prepend=False),
                    "p2",
                    "import rmlib.datasets\n"
                    "n_buyers = rmlib.datasets.load_case().transactions['customer_id'].nunique()",
                ),
                "p3",
                "import rmlib.datasets, rmlib.pareto\ntry:\n"
                "    top20 = rmlib.pareto.top_share(rmlib.datasets.load_case().transactions, 0.2)\n"
                "except Exception:\n    top20 = 0.0",
            ),
            P1,
        ),
        "fake_rmlib_folder": (wrong_p3, P1 + P2),
        "base64_patch": (S.with_code(wrong_p3, "p3", ATTACKS["base64_patch"]), P1 + P2),
        "float_subclass": (S.edit_cell(ok, "p3", FLOAT_THAT_EQUALS_ALL), P1 + P2),
        "steal": (
            S.edit_cell(
                ok,
                "p1",
                "def double(x):\n    return x\n" + STEAL + "\n" + steal_solution_code("p1"),
            ),
            P2 + P3,
        ),
        "print_hidden": (S.with_code(ok, "p1", ATTACKS["print_hidden"], prepend=False), FULL),
        "exit": (S.with_code(ok, "p1", ATTACKS["exit"], prepend=False), FULL),
        "sys_exit": (S.with_code(ok, "p2", ATTACKS["sys_exit"], prepend=False), FULL),
        "swallow_interrupt": (
            S.with_code(ok, "p2", ATTACKS["swallow_interrupt"], prepend=False),
            P1 + P3,
        ),
        "sleep_hook": (S.with_code(ok, "p3", ATTACKS["sleep_hook"], prepend=False), FULL),
        "memory": (S.with_code(ok, "p2", ATTACKS["memory"], prepend=False), FULL),
        "processes": (S.with_code(ok, "p3", ATTACKS["processes"], prepend=False), FULL),
        "flood": (S.with_code(ok, "p1", ATTACKS["flood"], prepend=False), FULL),
        "zz_honest": (ok, FULL),
    }


def _course(tmp: Path, name: str = "course") -> tuple[Course, dict, dict]:
    probe = data_probe_notebook()
    return course_with(
        probe, ROOT / "assignments", tmp / name, A, cell_timeout=15, notebook_timeout=90
    )


def _auto(scores: dict) -> float:
    return sum(v for k, v in scores.items() if k != "written" and v is not None)


def _lingering() -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if LINGER_MARK in line or "sleep 60" in line]


@pytest.fixture(scope="session")
def term(tmp_path_factory):
    if not capabilities()["root"] and not capabilities()["userns"]:
        pytest.skip("this machine allows no Linux namespaces: see assignments/README.md")
    course, src, rel = _course(tmp_path_factory.mktemp("attacks"))
    cases = _cases(rel, src)
    course.add_students({sid: ("Sim", sid.title()) for sid in cases})
    for sid, (nb, _) in cases.items():
        course.submit(sid, A, {A: nb})
    fake = course.path("submitted", "fake_rmlib_folder", A, "rmlib")
    fake.mkdir()
    (fake / "__init__.py").write_text("raise SystemExit('imported the fake rmlib')\n")
    (fake / "pareto.py").write_text("def top_share(*a, **k):\n    return 0.0\n")
    data_before = datasets.verify_datasets()
    t0 = time.monotonic()
    run = course.autograde(A)
    seconds = time.monotonic() - t0
    first = {sid: course.cell_scores(A, sid) for sid in cases}
    time.sleep(5)  # the lingering process would have struck by now
    after_linger = {sid: course.cell_scores(A, sid) for sid in cases}
    course.set_manual_score(A, "aa_honest", "written", 2.0, "Good.")
    second = course.autograde(A)
    feedback = course.feedback(A)
    return {
        "course": course,
        "cases": cases,
        "run": run,
        "second": second,
        "seconds": seconds,
        "first": first,
        "after_linger": after_linger,
        "again": {sid: course.cell_scores(A, sid) for sid in cases},
        "feedback": feedback,
        "data_before": data_before,
        "src": src,
    }


def test_everyone_was_graded(term):
    assert term["run"].failed == [] and term["second"].failed == [], term["run"].log[-3000:]
    for sid in term["cases"]:
        assert term["course"].path("autograded", sid, A, f"{A}.ipynb").exists(), sid


@pytest.mark.parametrize(
    "sid",
    [
        "aa_honest",
        "gradebook",
        "linger",
        "rename_data",
        "transformer",
        "rebind_abs",
        "fake_data_env",
        "fake_rmlib_folder",
        "base64_patch",
        "float_subclass",
        "steal",
        "print_hidden",
        "exit",
        "sys_exit",
        "swallow_interrupt",
        "sleep_hook",
        "memory",
        "processes",
        "flood",
        "zz_honest",
    ],
)
def test_exact_score(term, sid):
    scores = term["first"][sid]
    assert set(scores) == set(DATA_PROBE_POINTS), scores
    assert _auto(scores) == term["cases"][sid][1], f"{sid}: {scores}"


def test_no_grade_was_written_by_a_submission(term):
    """Nobody's grade changed after grading (the lingering process had 4 s to strike)."""
    assert term["after_linger"] == term["first"]
    for sid, scores in term["first"].items():
        assert scores["written"] in (None, 0.0), (sid, scores)  # no fake "hand" grades


def test_rerun_reproduces_scores_and_keeps_real_hand_grades(term):
    again = term["again"]
    for sid, scores in term["first"].items():
        expected = dict(scores)
        if sid == "aa_honest":
            expected["written"] = 2.0
        assert again[sid] == expected, sid


def test_no_process_outlives_its_grading(term):
    assert _lingering() == []


def test_shipped_data_untouched_and_verified(term):
    assert term["data_before"] == []
    assert datasets.verify_datasets() == []


def test_kernel_saw_no_course_files(term):
    course = term["course"]
    for sid in ("gradebook", "rename_data", "steal", "print_hidden"):
        nb = nbformat.read(course.path("autograded", sid, A, f"{A}.ipynb"), as_version=4)
        text = "".join(
            str(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
        )
        for word in ("WROTE", "RENAMED", "STOLE", "gradebook.db", ".ipynb"):
            assert word not in text, (sid, word, text[:500])


def test_failures_are_explained_in_the_cell(term):
    course = term["course"]
    stuck = nbformat.read(course.path("autograded", "swallow_interrupt", A, f"{A}.ipynb"), 4)
    assert S.cell(stuck, "p2").outputs[0]["ename"] == "CellTimeoutError"
    assert "did not stop when interrupted" in S.cell(stuck, "p2").outputs[0]["evalue"]
    flood = nbformat.read(course.path("autograded", "flood", A, f"{A}.ipynb"), 4)
    assert sum(len(str(o)) for o in S.cell(flood, "p1").outputs) < 300_000
    memory = nbformat.read(course.path("autograded", "memory", A, f"{A}.ipynb"), 4)
    assert any(o.get("ename") == "MemoryError" for o in S.cell(memory, "p2").outputs)
    hidden = nbformat.read(course.path("autograded", "rebind_abs", A, f"{A}.ipynb"), 4)
    (error,) = [o for o in S.cell(hidden, "p3_hidden").outputs if o["output_type"] == "error"]
    assert error["evalue"] == "a hidden test of this part failed"


def test_slow_submissions_are_bounded(term):
    """Two submissions would never end (an interrupt swallowed for ever, 100 s hooks)."""
    assert term["seconds"] < 600, term["seconds"]


# --------------------------------------------------------------- hidden tests stay hidden
def _hidden_lines(src) -> set[str]:
    """Hidden-test lines that appear nowhere else (an answer may import the same module)."""
    elsewhere = " ".join(visible_source(c.source) for c in src.cells)
    return {
        line.strip()
        for c in src.cells
        for line in hidden_regions(c.source)
        if len(line.strip()) >= 12
        and line.strip() not in elsewhere
        and not line.strip().startswith(("import ", "from "))
    }


def test_the_leak_search_finds_encoded_text():
    line = "assert abs(float(top20) - _want) < 1e-9"
    for encoded in (
        base64.b64encode(line.encode()).decode(),
        line.encode().hex(),
        line[::-1],
        base64.b64encode(zlib.compress(line.encode())).decode(),
    ):
        assert any(line in d for d in decodings(f"noise {encoded} noise"))


def test_no_hidden_test_in_any_feedback(term):
    hidden = _hidden_lines(term["src"])
    assert len(hidden) >= 4
    assert len(term["feedback"]) == len(term["cases"])
    for path in term["feedback"]:
        raw = path.read_text(encoding="utf-8", errors="replace")
        for text in decodings(visible_text(path)) + decodings(raw):
            leaked = [h for h in hidden if h in text]
            assert not leaked, f"{path.parent.parent.name}: {leaked}"


# ------------------------------------------------------------------ the other modes
def _mini_term(tmp: Path, mode: str, monkeypatch) -> tuple[Course, dict]:
    monkeypatch.setenv("RM_SANDBOX", mode)
    course, src, rel = _course(tmp, f"course-{mode}")
    ok = S.answered(rel, src)
    cases = {
        "aa_honest": ok,
        "rebind_abs": S.with_code(S.edit_cell(ok, "p3", WRONG_TOP20), "p3", ATTACKS["rebind_abs"]),
        "steal": S.edit_cell(ok, "p1", "def double(x):\n    return x\n" + STEAL),
    }
    if mode != "none":  # without namespaces it would reach every gradebook on the machine
        cases["gradebook"] = S.with_code(_blank(rel), "p1", ATTACKS["gradebook"])
    course.add_students({sid: ("Sim", sid) for sid in cases})
    for sid, nb in cases.items():
        course.submit(sid, A, {A: nb})
    run = course.autograde(A)
    assert run.failed == [], run.log[-3000:]
    return course, {sid: _auto(course.cell_scores(A, sid)) for sid in cases}


def test_user_namespace_mode_stops_the_same_attacks(tmp_path, monkeypatch):
    """What a grader without root gets (when the system allows user namespaces)."""
    if not capabilities()["userns"]:
        pytest.skip("unprivileged user namespaces are not allowed on this machine")
    course, scores = _mini_term(tmp_path, "userns", monkeypatch)
    assert scores == {"aa_honest": FULL, "rebind_abs": P1 + P2, "steal": P2 + P3, "gradebook": 0.0}
    assert course.cell_scores(A, "aa_honest")["written"] is None


def test_without_namespaces_tests_still_decide_outside_the_kernel(tmp_path, monkeypatch):
    """Mode 'none': the checks still hold; the file system is open (the guide says so)."""
    course, scores = _mini_term(tmp_path, "none", monkeypatch)
    assert scores["rebind_abs"] == P1 + P2  # rebinding abs still gains nothing
    assert scores["steal"] == FULL  # control: without namespaces the solution can be read
    log = course.autograde(A, student="aa_honest").log
    assert "Grading sandbox mode 'none'" in log


@pytest.mark.skipif(os.geteuid() != 0, reason="root mode needs the grader to run as root")
def test_root_mode_runs_the_kernel_as_the_grading_user(tmp_path, monkeypatch):
    monkeypatch.setenv("RM_SANDBOX", "root")
    course, src, rel = _course(tmp_path)
    probe = S.with_code(
        S.answered(rel, src), "p2", "import os\nprint('UID', os.getuid())", prepend=False
    )
    course.add_students({"who": ("Sim", "Who")})
    course.submit("who", A, {A: probe})
    assert course.autograde(A).failed == []
    nb = nbformat.read(course.path("autograded", "who", A, f"{A}.ipynb"), 4)
    printed = "".join(o.get("text", "") for o in S.cell(nb, "p2").outputs)
    assert "UID 65534" in printed or re.search(r"UID [1-9]\d*", printed), printed
    assert "UID 0" not in printed
