"""Per-student data: every student gets their own variant of each assignment's case."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from rmlib import datasets, pareto
from rmlib.grading import submissions as S
from rmlib.grading.pipeline import Course, copy_course

ROOT = Path(__file__).resolve().parent.parent
A = "ch03_key_customers"


@pytest.fixture
def variants(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.VARIANTS_ENV, str(tmp_path / "variants"))
    return tmp_path / "variants"


def test_same_student_same_variant_and_others_differ(variants):
    first = datasets.load_case(A, student="alice")
    again = datasets.load_case(A, student="alice")
    assert first.transactions.equals(again.transactions)
    other = datasets.load_case(A, student="bob")
    assert len(other.customers) != len(first.customers) or not other.transactions.equals(
        first.transactions
    )
    assert pareto.top_share(first.transactions, 0.2) != pareto.top_share(other.transactions, 0.2)
    shipped = datasets.load_case()
    assert len(shipped.customers) == 5000 != len(first.customers)


def test_variant_sizes_are_never_a_multiple_of_five():
    sizes = {
        datasets.variant_args(f"s{i}", a)["n_customers"]
        for i in range(300)
        for a in ("ch01_relationships", "ch03_key_customers")
    }
    assert all(n % 5 and 4000 < n < 6001 for n in sizes)
    assert len(sizes) > 200  # the students really get different classes


def test_the_student_is_the_id_nbgrader_records(monkeypatch):
    import pwd

    from nbgrader.utils import get_username

    monkeypatch.delenv(datasets.STUDENT_ENV, raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    for login in ("alice", "jupyter-bob", "jovyan"):
        entry = pwd.struct_passwd((login, "x", 1000, 1000, "", "/", "/bin/sh"))
        monkeypatch.setattr(pwd, "getpwuid", lambda uid, entry=entry: entry)
        assert (
            datasets.student_id() == get_username() == ("hubuser" if login == "jovyan" else login)
        )
    monkeypatch.setenv(datasets.STUDENT_ENV, "graded-as")
    assert datasets.student_id() == "graded-as"


@pytest.mark.parametrize("bad", [("", A), ("alice", "  "), (None, A)])
def test_variant_arguments_are_checked(bad):
    with pytest.raises(ValueError, match="must be a non-empty string"):
        datasets.variant_args(*bad)


@pytest.mark.slow
@pytest.mark.xdist_group("grading-variants")
def test_copied_numbers_lose_the_points_they_copied(tmp_path, variants):
    """Bob hands in Alice's number for part 1: right for her variant, wrong for his."""
    root = copy_course(ROOT / "assignments", tmp_path / "course")
    course = Course(root)
    course.generate(A)
    src = nbformat.read(root / "source" / A / f"{A}.ipynb", as_version=4)
    rel = nbformat.read(root / "release" / A / f"{A}.ipynb", as_version=4)
    mine = datasets.load_case(A, student="alice")
    alice_share = pareto.top_share(pareto.net_revenue(mine.transactions, mine.returns), 0.2)
    copied = S.edit_cell(S.answered(rel, src), "p1_answer", f"top20_share = {alice_share!r}")
    course.add_students({"alice": ("Alice", "A"), "bob": ("Bob", "B")})
    course.submit("alice", A, {A: copied})
    course.submit("bob", A, {A: copied})
    assert course.autograde(A).failed == []
    alice, bob = course.cell_scores(A, "alice"), course.cell_scores(A, "bob")
    auto = {k: v for k, v in alice.items() if k != "w_answer"}
    assert all(v and v > 0 for v in auto.values()), alice  # Alice: full marks
    assert bob["p1_hidden"] == 0.0  # the copied number is wrong for Bob's data
    assert {k: v for k, v in bob.items() if not k.startswith("p1") and k != "w_answer"} == {
        k: v for k, v in auto.items() if not k.startswith("p1")
    }
