"""The graded assignments (every folder of ``assignments/source/``): their structure, and grading them end to end.

The structural tests read the source notebooks only. The end-to-end test
generates every assignment in a temporary copy of the course, validates it,
and autogrades a correct, an unanswered and a partly right submission of each
(the tamper cases run on the probe assignment in ``test_grading_pipeline.py``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from _graded_term import test_points
from _text import visible_text

from rmlib.grading import points
from rmlib.grading import submissions as S
from rmlib.grading.pipeline import Course, copy_course
from rmlib.grading.preprocessors import BEGIN_HIDDEN, END_HIDDEN, hidden_regions

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "assignments"
ASSIGNMENTS = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())
# The graded course is built once, on one worker (see --dist loadgroup in the Makefile).
pytestmark = pytest.mark.xdist_group("grading-assignments")


def _source(a: str) -> nbformat.NotebookNode:
    return nbformat.read(COURSE / "source" / a / f"{a}.ipynb", as_version=4)


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _tests(nb):
    return [c for c in nb.cells if _meta(c).get("grade") and not _meta(c).get("solution")]


def _without_hidden(source: str) -> str:
    out, inside = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def test_course_has_every_assignment_and_the_header():
    expected = {
        f"ch0{n}_{name}"
        for n, name in enumerate(
            ["relationships", "stakeholders", "key_customers", "loyalty", "crm"], start=1
        )
    } | {"capstone"}
    assert expected <= set(ASSIGNMENTS), sorted(expected - set(ASSIGNMENTS))
    assert sorted(Course(COURSE).assignments()) == ASSIGNMENTS
    assert (COURSE / "source" / "header.ipynb").exists()


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_assignment_has_the_required_parts(a):
    nb = _source(a)
    tests = {_meta(c)["grade_id"]: c for c in _tests(nb)}
    parts = sorted({g.split("_")[0] for g in tests if re.fullmatch(r"p\d+_(visible|hidden)", g)})
    assert len(parts) >= 4, f"{a}: only {parts} code parts"
    for p in parts:
        assert f"{p}_visible" in tests and f"{p}_hidden" in tests, f"{a}: {p} lacks a test kind"
        assert BEGIN_HIDDEN not in tests[f"{p}_visible"].source
        assert hidden_regions(tests[f"{p}_hidden"].source), f"{a}: {p}_hidden hides nothing"
    selfcheck = [g for g in tests if re.fullmatch(r"q\d+_check", g)]
    assert len(selfcheck) >= 3, f"{a}: self-check items {selfcheck}"
    written = [c for c in nb.cells if _meta(c).get("grade") and _meta(c).get("solution")]
    assert written and all(c.cell_type == "markdown" for c in written)
    for c in written:
        assert "Mark scheme" in c.source and "### BEGIN SOLUTION" in c.source


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_test_cells_are_documented_and_never_end_in_a_value(a):
    """nbgrader reads a test cell's final value as partial credit: a stray value costs points."""
    for cell in _tests(_source(a)):
        gid = _meta(cell)["grade_id"]
        for variant in (cell.source, _without_hidden(cell.source)):
            body = ast.parse(variant).body
            assert isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant), (
                f"{a}:{gid} should start with a one-line docstring saying what it checks"
            )
            assert len(body) > 1 and not isinstance(body[-1], ast.Expr), (
                f"{a}:{gid} ends in an expression, which nbgrader would read as a score"
            )


#: rmlib's analytics modules: a hidden test takes its expected answer from one of them.
ANALYTICS = re.compile(r"\brmlib\.(clv|loyalty|pareto|relationship|retention|rfm)\.[A-Za-z_]\w*")
#: Code parts whose quantity no rmlib function computes: their hidden tests recompute it
#: with pandas from ``rmlib.datasets.load_case()``.
WITHOUT_ANALYTICS = {
    ("ch02_stakeholders", "p1"): "stakeholder counts are numbers of rows of the case tables",
}
#: The key of a multiple-choice self-check item: the one hidden test that may be typed in.
MC_KEY = re.compile(r'assert q\d+ == "[a-d]"')


def _setup_bindings(nb) -> set[str]:
    """Names the setup cell binds to case data or rmlib objects (a student can rebind them)."""
    setup = next(c for c in nb.cells if c.get("id") == "setup")
    names = set()
    for node in ast.walk(ast.parse(setup.source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rmlib"):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def _significant_digits(value: float) -> int:
    mantissa = f"{abs(value):.15e}".split("e")[0].replace(".", "")
    return len(mantissa.rstrip("0"))


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_hidden_tests_compute_answers_from_rmlib(a):
    """Expected answers come from rmlib's analytics on a fresh copy of the case.

    Each hidden test of a code part calls the rmlib module that computes the quantity
    (e.g. ``rmlib.pareto.top_share``), imports every ``rmlib.*`` module it uses inside
    the hidden region, and reads the case only through ``rmlib.datasets.load_case(a)`` (the
    student's own variant of the data):
    never through the notebook's own tables or the names its setup cell bound, which a
    student can change or rebind. No number in a hidden test looks like a typed-in answer.
    """
    nb = _source(a)
    notebook_names = _setup_bindings(nb)
    checked = set()
    for cell in _tests(nb):
        gid = _meta(cell)["grade_id"]
        hidden = "\n".join(hidden_regions(cell.source)).strip()
        if not hidden or MC_KEY.fullmatch(hidden):
            continue  # a visible test, or a multiple-choice key
        tree = ast.parse(hidden)
        read = {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        assert not read & notebook_names, (
            f"{a}:{gid} reads {sorted(read & notebook_names)} from the notebook; "
            "recompute from rmlib.datasets.load_case() and call rmlib's modules by full name"
        )
        imported = {
            alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names
        }
        used = {f"rmlib.{m}" for m in re.findall(r"\brmlib\.(\w+)\.", hidden)}
        assert used <= imported, f"{a}:{gid} uses {sorted(used - imported)} without importing it"
        typed = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, int | float)
            and not isinstance(n.value, bool)
            and _significant_digits(n.value) >= 3
            and not (isinstance(n.value, int) and 1900 <= n.value <= 2100)  # a year
        ]
        assert not typed, f"{a}:{gid} has numbers that look like typed-in answers: {typed}"
        part = gid.split("_")[0]
        if (a, part) in WITHOUT_ANALYTICS:
            assert f'rmlib.datasets.load_case("{a}")' in hidden, f"{a}:{gid} does not read the case"
            checked.add(part)
            continue
        assert ANALYTICS.search(hidden), (
            f"{a}:{gid} takes no expected answer from rmlib's analytics modules"
        )
        if re.fullmatch(r"q\d+_check", gid) or "load_case" in hidden:
            assert f'rmlib.datasets.load_case("{a}")' in hidden, (
                f"{a}:{gid} does not read the student's variant of the case"
            )
        checked.add(part)
    parts = {_meta(c)["grade_id"].split("_")[0] for c in _tests(nb)}
    code_parts = {p for p in parts if re.fullmatch(r"p\d+", p)}
    assert code_parts <= checked, f"{a}: no hidden test checked for {sorted(code_parts - checked)}"
    stale = {p for (x, p) in WITHOUT_ANALYTICS if x == a} - code_parts
    assert not stale, f"{a}: WITHOUT_ANALYTICS names parts that do not exist: {sorted(stale)}"


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_points_table_is_generated_from_the_metadata(a):
    path = COURSE / "source" / a / f"{a}.ipynb"
    assert not points.update(path, check=True), (
        f"{path.name}: the points table is out of date; run `python -m rmlib.grading points`"
    )
    table = next(c for c in _source(a).cells if c.get("id") == points.POINTS_CELL_ID)
    total = sum(float(_meta(c)["points"]) for c in _source(a).cells if _meta(c).get("grade"))
    assert f"total: {total:g}" in table.source


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_source_notebooks_are_committed_clean(a):
    for cell in _source(a).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


# ---------------------------------------------------------------------------- end to end
def _case_data_available() -> bool:
    try:
        from rmlib.datasets import load_case

        load_case()
    except (ImportError, FileNotFoundError):
        return False
    return True


def _auto_points(nb, prefixes=None) -> float:
    return sum(
        p for gid, p in test_points(nb).items() if prefixes is None or gid.split("_")[0] in prefixes
    )


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    if not _case_data_available():
        pytest.skip("the case data (rmlib.datasets.load_case) is not available yet")
    root = copy_course(COURSE, tmp_path_factory.mktemp("assignments") / "course")
    course = Course(root)
    course.add_students({s: ("Sim", s.title()) for s in ["correct", "unanswered", "partial"]})
    out = {"course": course, "validate": {}, "expected": {}}
    for a in ASSIGNMENTS:
        course.generate(a)
        src_path = root / "source" / a / f"{a}.ipynb"
        rel_path = root / "release" / a / f"{a}.ipynb"
        out["validate"][a] = (course.validate(src_path), course.validate(rel_path, invert=True))
        src, rel = nbformat.read(src_path, 4), nbformat.read(rel_path, 4)
        code = S.solution_ids(rel)
        course.submit("correct", a, {a: S.answered(rel, src)})
        course.submit("unanswered", a, {a: rel})
        course.submit("partial", a, {a: S.answered(rel, src, code[:2])})
        out["expected"][a] = {
            "correct": _auto_points(src),
            "unanswered": 0.0,
            "partial": _auto_points(src, {"p1", "p2"}),
        }
        run = course.autograde(a)
        assert run.failed == [], run.log[-3000:]
        course.feedback(a)
    out["export"] = course.export(root / "grades.csv")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_source_passes_and_release_fails_every_test(graded, a):
    source_result, release_result = graded["validate"][a]
    assert "failed" not in source_result, source_result
    assert "passed" not in release_result, release_result


@pytest.mark.slow
@pytest.mark.parametrize("a", ASSIGNMENTS)
@pytest.mark.parametrize("student", ["correct", "unanswered", "partial"])
def test_exact_scores(graded, a, student):
    scores = graded["course"].cell_scores(a, student)
    auto = sum(v for k, v in scores.items() if k != "w_answer" and v is not None)
    assert auto == pytest.approx(graded["expected"][a][student]), scores
    assert scores["w_answer"] == (0.0 if student == "unanswered" else None)


@pytest.mark.slow
def test_export_totals(graded):
    df = graded["export"]
    for a in ASSIGNMENTS:
        for student, pts in graded["expected"][a].items():
            row = df[(df["assignment"] == a) & (df["student_id"] == student)]
            assert len(row) == 1 and row["score"].iloc[0] == pytest.approx(pts)


@pytest.mark.slow
@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_hidden_tests_stay_out_of_release_and_feedback(graded, a):
    course = graded["course"]
    hidden = {
        re.sub(r"\s+", " ", line.strip())
        for c in _source(a).cells
        for line in hidden_regions(c.source)
        if len(line.strip()) > 12
    }
    # a correct answer may contain the same line as a hidden test (e.g. Kotler's grid)
    solutions = re.sub(
        r"\s+", " ", " ".join(c.source for c in _source(a).cells if _meta(c).get("solution"))
    )
    hidden = {h for h in hidden if h not in solutions}
    assert hidden
    texts = {"release": visible_text(course.path("release", a, f"{a}.ipynb"))}
    for student in ["correct", "unanswered", "partial"]:
        texts[student] = visible_text(course.path("feedback", student, a, f"{a}.html"))
    for name, text in texts.items():
        leaked = sorted(h for h in hidden if h in text)
        assert not leaked, f"{a}: {name} shows hidden test code: {leaked[:3]}"
