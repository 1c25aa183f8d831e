"""Rubrics for written answers: criteria, levels and points, kept in one file.

A rubric (критерии оценивания) grades a written answer by a few *criteria*; each
criterion has *levels*, each level a description and the points it earns. The capstone's
rubric lives in ``rmlib/resources/rubrics/capstone.json`` and is the one source of three
things that must agree:

* the mark scheme the grader sees in nbgrader's formgrader, inside the solution region
  of each manually graded cell (nbgrader removes it from the student's copy);
* a locked cell right after each written answer that shows the same rubric to the
  student — before they write, and again in the feedback, since feedback shows every
  cell of the notebook;
* the self-learner's version, whose exemplar grades itself with :func:`score`.

:func:`sync_notebook` writes the rendered rubric into a notebook's cells, and
``python -m rmlib.rubric --check`` says whether they are up to date (a test runs it).
The points of a written answer are still written once, in nbgrader's metadata:
:func:`sync_notebook` refuses a rubric whose top levels do not add up to them.

The file format
    ``{"assignment": str, "answers": {grade_id: {"title": str, "criteria": [{"name":
    str, "levels": [{"points": int, "description": str}, ...]}, ...]}}}``; the levels
    of a criterion start at 0 points and rise strictly.

Examples
--------
>>> r = load_rubric("capstone")
>>> sorted(r["answers"])
['w2_answer', 'w_answer']
>>> max_points(r, "w_answer")
6
>>> top = {c["name"]: c["levels"][-1]["points"] for c in r["answers"]["w_answer"]["criteria"]}
>>> score(r, "w_answer", top)["total"]
6
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import nbformat

from rmlib.course import Rendered

__all__ = [
    "RubricError",
    "load_rubric",
    "max_points",
    "render",
    "score",
    "show",
    "sync_notebook",
]

_BEGIN, _END = "### BEGIN SOLUTION", "### END SOLUTION"


class RubricError(ValueError):
    """A rubric file breaks the format; :attr:`problems` lists every problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Rubric {source} has {len(self.problems)} problem(s):\n{lines}")


def _text(x: Any) -> bool:
    return isinstance(x, str) and x.strip() != ""


def _validate(data: Any, source: str) -> dict:
    if not isinstance(data, dict) or sorted(data) != ["answers", "assignment"]:
        raise RubricError(source, [f"{source}: expected an object with assignment and answers."])
    problems = []
    answers = data["answers"]
    if not isinstance(answers, dict) or not answers:
        raise RubricError(source, [f"{source}, field 'answers': expected a non-empty object."])
    for gid, ans in answers.items():
        where = f"{source}, answer {gid!r}"
        if not isinstance(ans, dict) or not _text(ans.get("title")):
            problems.append(f"{where}: expected an object with a title and criteria.")
            continue
        crits = ans.get("criteria")
        if not isinstance(crits, list) or not crits:
            problems.append(f"{where}, field 'criteria': expected a non-empty list.")
            continue
        names = [c.get("name") for c in crits if isinstance(c, dict)]
        if len(set(names)) != len(names):
            problems.append(f"{where}: two criteria share a name; give each its own.")
        for k, c in enumerate(crits, 1):
            at = f"{where}, criterion #{k}"
            if not isinstance(c, dict) or not _text(c.get("name")):
                problems.append(f"{at}: expected an object with a name and levels.")
                continue
            levels = c.get("levels")
            if not isinstance(levels, list) or len(levels) < 2:
                problems.append(f"{at} ({c['name']}): expected at least two levels.")
                continue
            pts = [lv.get("points") if isinstance(lv, dict) else None for lv in levels]
            if not all(isinstance(p, int) and not isinstance(p, bool) for p in pts):
                problems.append(f"{at} ({c['name']}): every level needs whole 'points'.")
            elif pts[0] != 0 or any(b <= a for a, b in zip(pts, pts[1:], strict=False)):
                problems.append(
                    f"{at} ({c['name']}): level points must start at 0 and rise strictly, "
                    f"found {pts}."
                )
            if not all(isinstance(lv, dict) and _text(lv.get("description")) for lv in levels):
                problems.append(f"{at} ({c['name']}): every level needs a description.")
    if problems:
        raise RubricError(source, problems)
    return data


def load_rubric(name: str = "capstone", *, path: str | os.PathLike | None = None) -> dict:
    """Read and validate a rubric: ``rmlib/resources/rubrics/<name>.json`` or ``path``.

    Raises
    ------
    FileNotFoundError
        If there is no such rubric (the available ones are listed).
    RubricError
        Listing every problem of the file.
    """
    if path is None:
        folder = files("rmlib") / "resources" / "rubrics"
        resource = folder / f"{name}.json"
        if not resource.is_file():
            have = sorted(p.name.removesuffix(".json") for p in folder.iterdir())
            raise FileNotFoundError(f"No rubric {name!r}; available: {', '.join(have)}.")
        source = f"{name}.json"
    else:
        resource, source = Path(path), str(path)
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RubricError(source, [f"not valid JSON at line {exc.lineno}: {exc.msg}"]) from exc
    return _validate(data, source)


def _answer(rubric: Mapping, answer: str) -> dict:
    if answer not in rubric["answers"]:
        raise KeyError(
            f"the rubric has no answer {answer!r}; its answers are "
            f"{', '.join(sorted(rubric['answers']))}."
        )
    return rubric["answers"][answer]


def max_points(rubric: Mapping, answer: str) -> int:
    """The most an answer can earn: the sum of each criterion's top level."""
    return sum(c["levels"][-1]["points"] for c in _answer(rubric, answer)["criteria"])


def render(rubric: Mapping, answer: str) -> str:
    """The rubric of one answer as Markdown: one table row per level of each criterion.

    >>> print(render(load_rubric(), "w_answer").splitlines()[0])
    | criterion | points | an answer at this level... |
    """
    rows = ["| criterion | points | an answer at this level... |", "| --- | ---: | --- |"]
    for c in _answer(rubric, answer)["criteria"]:
        for k, lv in enumerate(reversed(c["levels"])):
            name = f"**{c['name']}**" if k == 0 else ""
            rows.append(f"| {name} | {lv['points']} | {lv['description']} |")
    return "\n".join(rows)


def show(name: str = "capstone", answer: str | None = None) -> Rendered:
    """The rubric of one answer (or every answer) for a notebook, as HTML-ready Markdown text.

    >>> "Rubric" in str(show("capstone", "w_answer"))
    True
    """
    rubric = load_rubric(name)
    answers = [answer] if answer is not None else list(rubric["answers"])
    blocks = []
    for a in answers:
        entry = _answer(rubric, a)
        blocks.append(
            f"Rubric: {entry['title']} ({max_points(rubric, a)} points)\n\n{render(rubric, a)}"
        )
    text = "\n\n".join(blocks)
    html_blocks = []
    for a in answers:
        entry = _answer(rubric, a)
        trs = "".join(
            f"<tr><td>{'<b>' + c['name'] + '</b>' if k == 0 else ''}</td>"
            f"<td>{lv['points']}</td><td>{lv['description']}</td></tr>"
            for c in entry["criteria"]
            for k, lv in enumerate(reversed(c["levels"]))
        )
        html_blocks.append(
            f"<h4>Rubric: {entry['title']} ({max_points(rubric, a)} points)</h4><table>"
            f"<tr><th>criterion</th><th>points</th><th>an answer at this level...</th></tr>"
            f"{trs}</table>"
        )
    return Rendered("".join(html_blocks), text)


def score(rubric: Mapping, answer: str, levels: Mapping[str, int]) -> dict:
    """Points of an answer graded with the rubric: the level chosen for each criterion.

    Parameters
    ----------
    rubric : dict
        From :func:`load_rubric`.
    answer : str
        The written answer's grade id, e.g. ``"w_answer"``.
    levels : mapping
        ``{criterion name: points of the level chosen}``, one entry per criterion.

    Returns
    -------
    dict
        ``{"criteria": {name: points}, "total": int, "max": int}``.

    Raises
    ------
    ValueError
        If a criterion is missing or unknown, or the points are not one of its levels.
    """
    crits = {
        c["name"]: [lv["points"] for lv in c["levels"]] for c in _answer(rubric, answer)["criteria"]
    }
    if not isinstance(levels, Mapping):
        raise TypeError("`levels` must map each criterion's name to the points of its level.")
    unknown = sorted(set(levels) - set(crits))
    missing = [c for c in crits if c not in levels]
    if unknown or missing:
        raise ValueError(
            f"`levels` must name each criterion of {answer!r} once: missing {missing}, "
            f"unknown {unknown}. The criteria are: {list(crits)}."
        )
    for name, pts in levels.items():
        if pts not in crits[name] or isinstance(pts, bool):
            raise ValueError(
                f"`levels[{name!r}]` is {pts!r}, which is not a level of this criterion; "
                f"choose one of {crits[name]}."
            )
    chosen = {name: int(levels[name]) for name in crits}
    return {"criteria": chosen, "total": sum(chosen.values()), "max": max_points(rubric, answer)}


def _mark_scheme(rubric: Mapping, answer: str) -> str:
    entry = _answer(rubric, answer)
    return (
        f"{_BEGIN}\n**Mark scheme ({max_points(rubric, answer)} points): {entry['title']}.** "
        f"Choose one level per criterion and add up the points; the same rubric is shown "
        f"to the student in the next cell and comes back with the feedback.\n\n"
        f"{render(rubric, answer)}\n{_END}"
    )


def _student_rubric(rubric: Mapping, answer: str) -> str:
    entry = _answer(rubric, answer)
    return (
        f"**Rubric for this answer: {entry['title']} ({max_points(rubric, answer)} points).** "
        f"Your answer is graded by hand with this table: one level per criterion, points "
        f"added up. Read it before you write, and check your draft against it.\n\n"
        f"{render(rubric, answer)}"
    )


def sync_notebook(path: str | os.PathLike, name: str = "capstone", *, check: bool = False) -> bool:
    """Write the rubric into an assignment notebook; return whether anything changed.

    For every answer ``<id>`` of the rubric the notebook must have the manually graded
    markdown cell ``<id>`` (its whole source becomes the mark scheme inside the solution
    region) and a cell with id ``<id minus _answer>_rubric`` (e.g. ``w_rubric``) that
    shows the rubric to the student. With ``check=True`` nothing is written.

    Raises
    ------
    ValueError
        If a cell is missing or a rubric's top levels do not add up to the cell's points.
    """
    rubric = load_rubric(name)
    nb = nbformat.read(path, as_version=4)
    by_id = {c.get("id"): c for c in nb.cells}
    changed = False
    for answer in rubric["answers"]:
        shown_id = re.sub(r"_answer$", "", answer) + "_rubric"
        for cid in (answer, shown_id):
            if cid not in by_id:
                raise ValueError(f"{path}: no cell with id {cid!r} for the rubric of {answer!r}.")
        cell = by_id[answer]
        pts = cell.metadata.get("nbgrader", {}).get("points")
        if pts is None or float(pts) != max_points(rubric, answer):
            raise ValueError(
                f"{path}: cell {answer!r} is worth {pts} points in its metadata but the "
                f"rubric's top levels add up to {max_points(rubric, answer)}; make them agree."
            )
        for c, text in (
            (cell, _mark_scheme(rubric, answer)),
            (by_id[shown_id], _student_rubric(rubric, answer)),
        ):
            if c.source != text:
                changed = True
                c.source = text
    if changed and not check:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m rmlib.rubric [--check] NOTEBOOK...``: write (or check) the rubric cells."""
    parser = argparse.ArgumentParser(prog="python -m rmlib.rubric", description=main.__doc__)
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--name", default="capstone")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = [p for p in args.notebooks if sync_notebook(p, args.name, check=args.check)]
    for p in stale:
        print(f"{p}: rubric cells {'out of date' if args.check else 'updated'}")
    return 1 if (stale and args.check) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
