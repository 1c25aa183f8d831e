"""The instructor's class report: how a class did on each assignment, part by part.

:func:`class_data` reads everything from the course folder — scores from
nbgrader's gradebook, failing test messages and crashes from the autograded
notebooks, answer code for the similarity check — and :func:`write_report`
renders it as one self-contained HTML file (figures embedded):

* the score distribution of each assignment;
* per-part difficulty: the share of submissions with full marks on each part;
* the most common failing visible test message of each part, with an example;
* students who did not submit;
* submissions that crashed, hung or ran out of time (``KernelDied``,
  ``CellTimeoutError``, ``NotebookTimeLimit``) or could not be graded;
* suspicious similarity: two or more students who lost points on a part with
  the same answer code (comments and blank lines ignored).

``python -m rmlib.grading report [--course PATH] [--out FILE]`` writes it; the
notebook ``assignments/class_report.ipynb`` shows the same tables and figures inline.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from collections import Counter
from pathlib import Path

import nbformat
import pandas as pd

from rmlib.grading.pipeline import Course

__all__ = ["CRASHES", "class_data", "figure", "summaries", "write_report"]

CRASHES = ("KernelDied", "CellTimeoutError", "NotebookTimeLimit", "GraderError")
_PART = re.compile(r"^(p\d+|q\d+|w)")


def _part(grade_id: str) -> str:
    hit = _PART.match(grade_id)
    return hit.group(1) if hit else grade_id


def _normalized(code: str) -> str:
    lines = [re.sub(r"#.*$", "", line).rstrip() for line in code.splitlines()]
    return "\n".join(line for line in lines if line.strip())


def class_data(course: Course) -> dict[str, pd.DataFrame]:
    """Everything the report shows, as tables (see the module docstring)."""
    cells, messages, crashes, answers = [], [], [], []
    with course.gradebook() as gb:
        students = [s.id for s in gb.students]
        for a in gb.assignments:
            for s in students:
                try:
                    sub = gb.find_submission(a.name, s)
                except Exception:
                    continue
                for nb in sub.notebooks:
                    for grade in nb.grades:
                        score = (
                            grade.manual_score
                            if grade.manual_score is not None
                            else grade.auto_score
                        )
                        cells.append(
                            {
                                "assignment": a.name,
                                "student": s,
                                "cell": grade.cell.name,
                                "part": _part(grade.cell.name),
                                "score": None if score is None else float(score),
                                "max_score": float(grade.max_score),
                            }
                        )
    table = pd.DataFrame(
        cells, columns=["assignment", "student", "cell", "part", "score", "max_score"]
    )
    for path in sorted(course.path("autograded").glob("*/*/*.ipynb")):
        student, assignment = path.parent.parent.name, path.parent.name
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            gid = meta.get("grade_id", "")
            for out in cell.get("outputs", []):
                if out.get("output_type") != "error":
                    continue
                row = {"assignment": assignment, "student": student, "cell": gid,
                       "part": _part(gid), "ename": out.get("ename", ""),
                       "message": str(out.get("evalue", ""))[:200]}  # fmt: skip
                if row["ename"] in CRASHES:
                    crashes.append(row)
                elif meta.get("grade") and gid.endswith("_visible"):
                    messages.append(row)
            if meta.get("solution") and cell.cell_type == "code":
                code = _normalized(cell.source)
                answers.append({"assignment": assignment, "student": student, "part": _part(gid),
                                "digest": hashlib.sha256(code.encode()).hexdigest()[:16]})  # fmt: skip
    submitted = {
        (p.parent.name, p.name) for p in course.path("submitted").glob("*/*") if p.is_dir()
    }
    missing = [
        {"assignment": a, "student": s}
        for a in sorted(table["assignment"].unique()) if len(table)
        for s in students
        if (s, a) not in submitted
    ]  # fmt: skip
    per_part = table.groupby(["assignment", "part", "student"], as_index=False)[
        ["score", "max_score"]
    ].sum()
    wrong = per_part[per_part["score"].fillna(0) < per_part["max_score"]]
    ans = pd.DataFrame(answers, columns=["assignment", "student", "part", "digest"])
    merged = wrong.merge(ans, on=["assignment", "part", "student"])
    groups = (
        merged.groupby(["assignment", "part", "digest"])["student"]
        .agg(lambda s: ", ".join(sorted(s)))
        .reset_index()
    )
    groups = groups[groups["student"].str.contains(",")].drop(columns="digest")
    return {
        "cells": table,
        "messages": pd.DataFrame(messages, columns=["assignment", "student", "cell", "part", "ename", "message"]),
        "crashes": pd.DataFrame(crashes, columns=["assignment", "student", "cell", "part", "ename", "message"]),
        "missing": pd.DataFrame(missing, columns=["assignment", "student"]),
        "similar": groups.rename(columns={"student": "students"}),
    }  # fmt: skip


def summaries(data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Totals per student, per-part difficulty and the most common failing message per part."""
    cells = data["cells"]
    totals = cells.groupby(["assignment", "student"], as_index=False)[["score", "max_score"]].sum()
    part = cells.groupby(["assignment", "part", "student"], as_index=False)[
        ["score", "max_score"]
    ].sum()
    part["full"] = part["score"].fillna(0) >= part["max_score"]
    difficulty = part.groupby(["assignment", "part"], as_index=False).agg(
        submissions=("student", "nunique"), full_marks_share=("full", "mean")
    )
    msgs = data["messages"]
    common = []
    for (a, p), group in msgs.groupby(["assignment", "part"]):
        message, count = Counter(group["message"]).most_common(1)[0]
        example = group[group["message"] == message].iloc[0]
        common.append({"assignment": a, "part": p, "message": message or example["ename"],
                       "students": count, "example_student": example["student"]})  # fmt: skip
    return {
        "totals": totals,
        "difficulty": difficulty,
        "common_failures": pd.DataFrame(
            common, columns=["assignment", "part", "message", "students", "example_student"]
        ),
    }


def figure(totals: pd.DataFrame, difficulty: pd.DataFrame):
    """Score histogram and per-part share of full marks, one row of two panels per assignment.

    Takes the ``totals`` and ``difficulty`` tables of :func:`summaries`; returns the figure.
    """
    import matplotlib.pyplot as plt

    assignments = sorted(totals["assignment"].unique())
    fig, axes = plt.subplots(
        len(assignments), 2, figsize=(10, 3.2 * len(assignments)), squeeze=False
    )
    for row, a in enumerate(assignments):
        t = totals[totals["assignment"] == a]
        ax = axes[row][0]
        ax.hist(t["score"], bins=min(20, max(5, t["score"].nunique())), color="#0072B2")
        ax.set(
            title=f"{a}: scores (max {t['max_score'].max():g})", xlabel="points", ylabel="students"
        )
        d = difficulty[difficulty["assignment"] == a]
        ax = axes[row][1]
        ax.bar(d["part"], 100 * d["full_marks_share"], color="#E69F00")
        ax.set(
            title=f"{a}: full marks per part",
            xlabel="part",
            ylabel="% of submissions",
            ylim=(0, 100),
        )
    fig.tight_layout()
    return fig


def _figure_png(totals: pd.DataFrame, difficulty: pd.DataFrame) -> str:
    import matplotlib.pyplot as plt

    fig = figure(totals, difficulty)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def write_report(course: Course, out: str | Path | None = None) -> Path:
    """Write the class report as one HTML file (default ``<course>/class_report.html``)."""
    data = class_data(course)
    if data["cells"].empty:
        raise ValueError(
            f"the gradebook of {course.root} has no graded submissions; autograde first"
        )
    summ = summaries(data)
    out = Path(out) if out is not None else course.path("class_report.html")
    sections = [
        ("Scores per student", summ["totals"]),
        ("Per-part difficulty (share of submissions with full marks)", summ["difficulty"]),
        ("Most common failing visible test per part", summ["common_failures"]),
        ("Did not submit", data["missing"]),
        ("Crashed, hung, timed out or not gradable", data["crashes"]),
        ("Same answer code, points lost (check for copying)", data["similar"]),
    ]
    body = [
        "<h1>Class report</h1>",
        f"<p>Course folder: {html.escape(str(course.root))}</p>",
        f'<img alt="score distributions and per-part difficulty" src="data:image/png;base64,'
        f'{_figure_png(summ["totals"], summ["difficulty"])}">',
    ]
    for title, frame in sections:
        body.append(f"<h2>{html.escape(title)}</h2>")
        body.append(
            frame.to_html(index=False, float_format=lambda x: f"{x:.2f}")
            if len(frame)
            else "<p>none</p>"
        )
    out.write_text("<!doctype html><meta charset=utf-8><title>Class report</title>" + "\n".join(body),
                   encoding="utf-8")  # fmt: skip
    return out
