"""The instructor's guide lists every graded common mistake, and nothing else."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: test module -> the assignment its flat MISTAKES table is for (None: keyed by assignment)
MODULES = {
    "test_grading_mistakes": None,
    "test_assignment_ch04": "ch04_loyalty",
    "test_assignment_ch05": "ch05_crm",
    "test_capstone": "capstone",
}


def _mistakes() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, assignment in MODULES.items():
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        table = module.MISTAKES if assignment is None else {assignment: module.MISTAKES}
        for a, mistakes in table.items():
            out.setdefault(a, set()).update(mistakes)
    return out


def _listed() -> dict[str, set[str]]:
    guide = (ROOT / "assignments" / "README.md").read_text(encoding="utf-8")
    section = guide.split("## The common mistakes each assignment catches", 1)[1].split("\n## ")[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.MULTILINE)
    return {a: _names(text) for a, text in rows}


def _names(text: str) -> set[str]:
    return {n for group in re.findall(r"\(([^()]*)\)", text) for n in re.findall(r"`(\w+)`", group)}


def test_every_graded_mistake_is_listed_in_the_guide_and_only_those():
    tested, listed = _mistakes(), _listed()
    assert set(listed) == set(tested), (sorted(listed), sorted(tested))
    for a in tested:
        assert listed[a] == tested[a], (a, sorted(listed[a] ^ tested[a]))
