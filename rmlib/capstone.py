"""The capstone for a self-learner: the graded brief, a check under every part, self-grading.

The graded capstone (``assignments/source/capstone/capstone.ipynb``) is the one source of
the project: its parts, their text and their points. A self-learner has no grader, so this
module gives them three things in ``notebooks/07_capstone_self_study.ipynb``:

* :func:`brief` shows a part's text **read from the graded notebook** (never a copy), and
  :func:`parts` lists the parts with their points from its nbgrader metadata;
* a check per autograded part — :func:`check_diagnosis`, :func:`check_key_customers`,
  :func:`check_program`, :func:`check_call_list`, :func:`check_self_check` — that computes
  the right answer from :mod:`rmlib` on the learner's own case (as the hidden tests do) and
  says whether the learner's answer matches it; when it does not, the message names the
  common mistake it looks like and how to fix it, without giving the number away;
* :func:`blank_levels` and :func:`self_assess` turn the level the learner chooses for each
  criterion of a written answer's rubric (``rmlib/resources/rubrics/capstone.json``, shown
  with :func:`rmlib.rubric.show`) into points, and :func:`scorecard` adds everything up.

A check never raises because an answer is wrong or missing: it returns a :class:`Verdict`
(``ok`` is False, the message says what to do). Bad arguments that are not the learner's
answer — a ``case`` that is not the case data, an unknown part — raise a ValueError or
TypeError naming the argument and the fix.

Examples
--------
>>> from rmlib.datasets import load_case
>>> case = load_case()
>>> v = check_program(None, case)
>>> v.ok, v.part
(False, 'p3')
>>> [p["part"] for p in parts()]
['p1', 'p2', 'p3', 'p4', 'q', 'w', 'w2']
>>> blank_levels("w_answer")  # doctest: +NORMALIZE_WHITESPACE
{'Levels per arm, from the evidence': None, 'Program design': None,
 'Evaluation against the control group': None}
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd

from rmlib import crm, pareto, relationship, retention, rubric
from rmlib.course import ShownAsText

__all__ = [
    "NOTEBOOK_ENV",
    "Brief",
    "SelfAssessment",
    "Verdict",
    "blank_levels",
    "brief",
    "check_call_list",
    "check_diagnosis",
    "check_key_customers",
    "check_program",
    "check_self_check",
    "parts",
    "scorecard",
    "self_assess",
    "source_notebook",
]

#: Environment variable naming the graded capstone notebook, if it is not in the repository.
NOTEBOOK_ENV = "RMLIB_CAPSTONE_NOTEBOOK"
_RELATIVE = Path("assignments") / "source" / "capstone" / "capstone.ipynb"
_TOL = 1e-9  # the hidden tests' tolerance
_ARMS = ("B2C", "B2B")
_DIAGNOSIS_COLUMNS = ("customers", "repeat_rate", "top20_share", "gini")
_PROGRAM_KEYS = ("uplift", "ci_low", "ci_high", "true_uplift")

#: The self-check's multiple-choice answers (the graded notebook's hidden tests hold the same;
#: ``tests/test_capstone_self_study.py`` keeps them in step) and what each option means.
_CHOICES = {
    "q1": {
        "right": "b",
        "why": {
            "a": "the sizes of the groups do not decide which comparison is fair.",
            "b": "members chose to join, so they bought more even before the card; the offer "
            "was random, so the offered half and the control half differ only by the offer.",
            "c": "the control group got nothing; that is what makes it a control group.",
            "d": "non-members do buy twice; the problem is that they differ from members "
            "before the card.",
        },
    },
    "q2": {
        "right": "b",
        "why": {
            "a": "forecasting comes later: first the firm looks at its own capabilities.",
            "b": "after customers and competitors the firm studies its own capabilities.",
            "c": "customer research comes before competitor research.",
            "d": "evaluating the relationship system is the sixth stage, near the end.",
        },
    },
}


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True, repr=False)
class Brief(ShownAsText):
    """Markdown text for a notebook: JupyterLab renders it, ``print`` shows it as it is."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text


@dataclass(frozen=True)
class Verdict:
    """The result of checking one part of the capstone.

    Attributes
    ----------
    part : str
        The part's id in the graded notebook (``"p1"``, …, ``"q"``).
    ok : bool
        Whether the answer is the right one.
    message : str
        What is right, or what is wrong and how to fix it.
    points, max_points : float
        The points the answer would earn in the graded version (all of the part's points
        when right; none of its hidden points when wrong — counted as 0 here) and the part's
        points. The self-check counts each question apart.
    """

    part: str
    ok: bool
    message: str
    points: float
    max_points: float

    def __str__(self) -> str:
        mark = "right" if self.ok else "not yet"
        return (
            f"{_title_of(self.part)}: {mark} ({_pts(self.points)} of "
            f"{_pts(self.max_points)} points). {self.message}"
        )

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, mark = ("#1b7837", "✔ right") if self.ok else ("#b2182b", "✘ not yet")
        body = html.escape(self.message).replace("\n", "<br>")
        return (
            f"<div style='border-left:4px solid {colour};padding:0.3em 0.8em'>"
            f"<b style='color:{colour}'>{mark}</b> — {html.escape(_title_of(self.part))} "
            f"({_pts(self.points)} of {_pts(self.max_points)} points)<br>{body}</div>"
        )


@dataclass(frozen=True)
class SelfAssessment:
    """A written answer graded by its author with the rubric (from :func:`self_assess`).

    Attributes
    ----------
    answer : str
        The answer's grade id, e.g. ``"w_answer"``.
    criteria : dict
        ``{criterion: points chosen or None}``, in the rubric's order.
    descriptions : dict
        ``{criterion: the chosen level's description or None}``.
    points, max_points : int
        The sum of the chosen levels (unchosen criteria count 0) and the most possible.
    """

    answer: str
    criteria: dict = field(default_factory=dict)
    descriptions: dict = field(default_factory=dict)
    points: int = 0
    max_points: int = 0

    @property
    def complete(self) -> bool:
        """Whether a level is chosen for every criterion."""
        return all(v is not None for v in self.criteria.values())

    def _rows(self) -> list[tuple[str, str, str]]:
        return [
            (c, "–" if p is None else str(p), self.descriptions[c] or "choose a level")
            for c, p in self.criteria.items()
        ]

    def __str__(self) -> str:
        lines = [f"{c}: {p} ({d})" for c, p, d in self._rows()]
        state = "" if self.complete else " so far; choose a level for every criterion"
        lines.append(f"total: {self.points} of {self.max_points} points{state}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(c)}</td><td>{p}</td><td>{html.escape(d)}</td></tr>"
            for c, p, d in self._rows()
        )
        state = "" if self.complete else " so far — choose a level for every criterion"
        return (
            f"<table><tr><th>criterion</th><th>points</th><th>the level you chose</th></tr>"
            f"{rows}<tr><td><b>total</b></td><td><b>{self.points} of {self.max_points}</b>"
            f"</td><td>{state}</td></tr></table>"
        )


def _pts(x: float) -> str:
    return f"{x:g}"


def _show(x: Any) -> str:
    try:
        return f"{float(x):.4g}"
    except (TypeError, ValueError):
        return repr(x)


# --------------------------------------------------------------------------- the graded notebook


def source_notebook() -> Path:
    """Where the graded capstone notebook is: the one source of the brief and the points.

    Looks at ``RMLIB_CAPSTONE_NOTEBOOK``, then at ``assignments/source/capstone/`` in the
    repository this package was installed from, then in the working directory and its parents
    (a notebook runs inside ``notebooks/`` or ``notebooks/solutions/``).

    Raises
    ------
    FileNotFoundError
        If the notebook cannot be found (the message says where it looked and what to set).

    Examples
    --------
    >>> source_notebook().name
    'capstone.ipynb'
    """
    env = os.environ.get(NOTEBOOK_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"{NOTEBOOK_ENV} is set to {env!r}, which is not a file. Point it at the course's "
                f"{_RELATIVE.as_posix()} or unset it."
            )
        return path
    cwd = Path.cwd().resolve()
    bases = [Path(__file__).resolve().parent.parent, cwd, *cwd.parents]
    for base in bases:
        if (base / _RELATIVE).is_file():
            return base / _RELATIVE
    raise FileNotFoundError(
        f"Cannot find the graded capstone ({_RELATIVE.as_posix()}) next to rmlib or above "
        f"{cwd}. Run from inside the course folder, or set {NOTEBOOK_ENV} to the notebook."
    )


def _read_source() -> Any:
    path = source_notebook()
    mtime = path.stat().st_mtime_ns
    if _CACHE.get("key") != (path, mtime):
        _CACHE.update(key=(path, mtime), nb=nbformat.read(path, as_version=4))
    return _CACHE["nb"]


_CACHE: dict[str, Any] = {}


def _cells() -> dict[str, Any]:
    nb = _read_source()
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def parts() -> list[dict]:
    """The capstone's parts, in the graded notebook's order, with their points.

    Each part has a text cell ``<part>_text`` in the graded notebook; its graded cells are the
    cells whose grade id starts with the part's id and an underscore (``p1_visible``,
    ``p1_hidden``) or, for the self-check ``q``, with ``q`` and a number (``q1_check``).

    Returns
    -------
    list of dict
        ``{"part", "title", "kind" ("autograded" or "manual"), "cells": {grade id: points},
        "points"}`` per part.

    Examples
    --------
    >>> [(p["part"], p["points"]) for p in parts()][:2]
    [('p1', 4.0), ('p2', 4.0)]
    """
    cells = _cells()
    ids = [g.removesuffix("_text") for g in cells if g.endswith("_text")]

    def owner(gid: str) -> str:
        stem = gid.split("_")[0]
        return stem if stem in ids else re.sub(r"\d+$", "", stem)

    out = []
    for part in ids:
        cell = cells[f"{part}_text"]
        graded = {
            g: float(c.metadata["nbgrader"]["points"])
            for g, c in cells.items()
            if c.metadata["nbgrader"].get("grade") and owner(g) == part
        }
        manual = any(cells[g].metadata["nbgrader"].get("solution") for g in graded)
        out.append(
            {
                "part": part,
                "title": cell.source.splitlines()[0].lstrip("#").strip(),
                "kind": "manual" if manual else "autograded",
                "cells": graded,
                "points": sum(graded.values()),
            }
        )
    return out


def _part(part: Any) -> dict:
    found = {p["part"]: p for p in parts()}
    if part not in found:
        raise ValueError(
            f"`part` {part!r} is not a part of the capstone; choose one of {list(found)}."
        )
    return found[part]


def _title_of(part: str) -> str:
    try:
        return _part(part)["title"]
    except (ValueError, FileNotFoundError):
        return part


def brief(part: str) -> Brief:
    """A part's text as the graded notebook has it, with the part's points.

    Parameters
    ----------
    part : str
        ``"p1"``…``"p4"``, ``"q"`` (the self-check), ``"w"`` or ``"w2"`` (the written answers).

    Returns
    -------
    Brief
        Markdown that JupyterLab renders.

    Raises
    ------
    ValueError
        If ``part`` is not a part of the capstone (the parts are listed).

    Examples
    --------
    >>> print(str(brief("p1")).splitlines()[0])
    ## Part 1. Diagnosis, arm by arm
    """
    p = _part(part)
    how = "graded by hand with the rubric" if p["kind"] == "manual" else "checked automatically"
    text = _cells()[f"{part}_text"].source
    return Brief(f"{text}\n\n*In the graded version: {_pts(p['points'])} points, {how}.*")


# --------------------------------------------------------------------------- helpers for the checks


def _check_case(case: Any) -> None:
    need = ("customers", "transactions", "loyalty", "truth")
    if not all(isinstance(getattr(case, n, None), pd.DataFrame) for n in need):
        raise TypeError(
            f"`case` must be the case data that your answers were computed on, e.g. "
            f"`case = load_case('capstone')` from rmlib.datasets; got {type(case).__name__}."
        )


def _verdict(part: str, problems: list[str], right: str) -> Verdict:
    worth = _part(part)["points"]
    if problems:
        return Verdict(part, False, "\n".join(problems), 0.0, worth)
    return Verdict(part, True, right, worth, worth)


def _unanswered(part: str, name: str, what: str) -> Verdict:
    return Verdict(
        part, False, f"Not answered yet: set `{name}` to {what}.", 0.0, _part(part)["points"]
    )


def _close(a: Any, b: float) -> bool:
    try:
        return abs(float(a) - float(b)) < _TOL
    except (TypeError, ValueError):
        return False


def _arm_logs(case: Any) -> dict[str, pd.DataFrame]:
    tx = case.transactions
    seg = tx["customer_id"].map(case.customers.set_index("customer_id")["segment"])
    return {s: tx[seg == s] for s in _ARMS}


def _expected_diagnosis(case: Any) -> pd.DataFrame:
    logs = _arm_logs(case)
    rep = retention.repeat_purchase_rate(case.transactions, by="segment", customers=case.customers)
    rows = {
        s: {
            "customers": logs[s]["customer_id"].nunique(),
            "repeat_rate": float(rep[s]),
            "top20_share": pareto.top_share(logs[s], 0.2),
            "gini": pareto.gini(logs[s]),
        }
        for s in _ARMS
    }
    return pd.DataFrame(rows).T


def _expected_classes(case: Any) -> pd.Series:
    logs = _arm_logs(case)
    return pd.concat([pareto.abc_classes(logs[s]) for s in _ARMS])


# --------------------------------------------------------------------------- the checks


def check_diagnosis(diagnosis: Any, case: Any) -> Verdict:
    """Check Part 1: ``diagnosis``, the four measures of each arm.

    Parameters
    ----------
    diagnosis : DataFrame or None
        The learner's answer: indexed by segment (``"B2C"``, ``"B2B"``) with the columns
        ``customers``, ``repeat_rate``, ``top20_share`` and ``gini``.
    case : rmlib.data.Case
        The case the answer was computed on (``load_case("capstone")``).

    Returns
    -------
    Verdict
        Right when every value equals the one computed with :mod:`rmlib` within 1e-9;
        otherwise the message names each wrong value and the mistake it looks like (arms
        pooled, Gini over receipts instead of customers) without giving the number away.

    Raises
    ------
    TypeError
        If ``case`` is not the case data.

    Examples
    --------
    >>> from rmlib.datasets import load_case
    >>> check_diagnosis(pd.DataFrame(), load_case()).ok
    False
    """
    _check_case(case)
    if diagnosis is None:
        return _unanswered("p1", "diagnosis", "a DataFrame indexed by segment")
    if not isinstance(diagnosis, pd.DataFrame):
        return _verdict(
            "p1",
            [
                f"`diagnosis` should be a DataFrame indexed by segment ('B2C', 'B2B'); "
                f"got {type(diagnosis).__name__}. Build it with pd.DataFrame(rows).T."
            ],
            "",
        )
    if set(map(str, diagnosis.index)) != set(_ARMS) or not diagnosis.index.is_unique:
        return _verdict(
            "p1",
            [
                f"Index `diagnosis` by segment, one row each for 'B2C' and 'B2B'; its index is "
                f"{list(diagnosis.index)[:5]}."
            ],
            "",
        )
    missing = [c for c in _DIAGNOSIS_COLUMNS if c not in diagnosis.columns]
    if missing:
        return _verdict(
            "p1",
            [f"`diagnosis` lacks the column(s) {missing}; it has {list(diagnosis.columns)}."],
            "",
        )
    d = diagnosis.rename(index=str)
    want = _expected_diagnosis(case)
    logs = _arm_logs(case)
    pooled = {"top20_share": pareto.top_share(case.transactions, 0.2)}
    pooled["gini"] = pareto.gini(case.transactions)
    problems = []
    for s in _ARMS:
        for col in _DIAGNOSIS_COLUMNS:
            got = d.loc[s, col]
            if _close(got, want.loc[s, col]):
                continue
            where = f"{s} {col} = {_show(got)} is not right"
            if col in pooled and _close(got, pooled[col]):
                why = (
                    "it is the figure of the whole chain: the arms were pooled. Compute it "
                    "on the arm's own part of `tx` (`log`)"
                )
            elif col == "gini" and _close(got, pareto.gini(logs[s]["amount"].to_numpy())):
                why = (
                    "it is the Gini of single receipts. Add up revenue per customer first: "
                    "pareto.gini(log) does, given the arm's transactions"
                )
            elif col == "customers":
                why = "count the arm's customers who bought at least once, each once"
            elif col == "repeat_rate":
                why = (
                    "divide the customers with two or more purchases by the arm's buying "
                    "customers (not by every customer on file)"
                )
            elif col == "top20_share":
                why = "rank the arm's customers by their revenue and take the top 20 % of them"
            else:
                why = "use the Gini of revenue per customer within the arm"
            problems.append(f"{where}: {why}.")
    return _verdict(
        "p1",
        problems,
        "Every measure of both arms matches. Compare the two arms' concentration: that is "
        "the evidence for the written answers.",
    )


def check_key_customers(key_customers: Any, case: Any) -> Verdict:
    """Check Part 2: ``key_customers``, the ABC class of every buying customer within its arm.

    Parameters
    ----------
    key_customers : Series or None
        The learner's answer: indexed by ``customer_id``, values ``"A"``, ``"B"``, ``"C"``.
    case : rmlib.data.Case
        The case the answer was computed on.

    Returns
    -------
    Verdict
        Right when every customer's class equals the within-arm ABC class; otherwise the
        message counts the wrong classes per arm and says whether the arms were pooled.

    Raises
    ------
    TypeError
        If ``case`` is not the case data.

    Examples
    --------
    >>> from rmlib.datasets import load_case
    >>> check_key_customers([1, 2], load_case()).ok
    False
    """
    _check_case(case)
    if key_customers is None:
        return _unanswered("p2", "key_customers", "a Series of classes indexed by customer_id")
    if not isinstance(key_customers, pd.Series):
        return _verdict(
            "p2",
            [
                f"`key_customers` should be a Series indexed by customer_id; got "
                f"{type(key_customers).__name__}."
            ],
            "",
        )
    want = _expected_classes(case)
    got = key_customers
    if not got.index.is_unique:
        return _verdict("p2", ["Class each customer once: `key_customers` repeats ids."], "")
    extra = got.index.difference(want.index)
    lost = want.index.difference(got.index)
    if len(extra) or len(lost):
        return _verdict(
            "p2",
            [
                f"Class every buying customer once: {len(lost)} buying customer(s) are "
                f"missing and {len(extra)} id(s) are not buying customers (e.g. "
                f"{list(extra[:3]) or list(lost[:3])})."
            ],
            "",
        )
    bad_values = sorted(set(map(str, got.unique())) - {"A", "B", "C"})
    if bad_values:
        return _verdict("p2", [f"Use the classes 'A', 'B' and 'C'; found {bad_values}."], "")
    got = got.astype(str).loc[want.index]
    pooled = pareto.abc_classes(case.transactions).astype(str).loc[want.index]
    if (got == pooled).all() and not (pooled == want).all():
        return _verdict(
            "p2",
            [
                "These are the classes of the whole chain ranked at once (like the CRM's "
                "segments.abc_class): B2B orders push corporate clients up and B2C shoppers "
                "down. Rank each arm's customers within their own arm."
            ],
            "",
        )
    seg = want.index.map(case.customers.set_index("customer_id")["segment"])
    wrong = pd.Series(got.to_numpy() != want.to_numpy(), index=want.index).groupby(seg).sum()
    problems = [
        f"{int(n)} {s} customer(s) have another class than the ABC rule within their arm "
        f"(cut-offs 0.80 and 0.95 of the arm's cumulative revenue) gives."
        for s, n in wrong.items()
        if n
    ]
    counts = want.groupby(seg).apply(lambda s: int((s == "A").sum()))
    return _verdict(
        "p2",
        problems,
        f"Every class matches: {counts.get('B2C', 0)} B2C and {counts.get('B2B', 0)} B2B "
        f"customers are class A of their own arm.",
    )


def _program_expected(case: Any) -> tuple[relationship.UpliftResult, float, pd.DataFrame]:
    out = relationship.program_outcomes(case.transactions, case.loyalty)
    res = relationship.program_uplift(out)
    ids = out.index[out["group"] == "treatment"]
    true = float(case.truth.set_index("customer_id").loc[ids, "program_effect"].mean())
    return res, true, out


def check_program(program: Any, case: Any) -> Verdict:
    """Check Part 3: ``program``, the card's uplift against the control group and the truth.

    Parameters
    ----------
    program : dict or None
        The learner's answer with the keys ``"uplift"``, ``"ci_low"``, ``"ci_high"`` and
        ``"true_uplift"``.
    case : rmlib.data.Case
        The case the answer was computed on.

    Returns
    -------
    Verdict
        Right when the four numbers equal the offered-vs-control uplift of the 52-week
        repeat purchases, its 95 % Welch interval and the mean true effect over the same
        treatment customers; otherwise the message names the mistake it looks like (members
        against non-members, no 52-week window, the true effect over other customers).

    Raises
    ------
    TypeError
        If ``case`` is not the case data.

    Examples
    --------
    >>> from rmlib.datasets import load_case
    >>> print(check_program({"uplift": 1.0}, load_case()).message)  # doctest: +ELLIPSIS
    `program` lacks the key(s) ['ci_low', 'ci_high', 'true_uplift']...
    """
    _check_case(case)
    if program is None:
        return _unanswered("p3", "program", "a dict with " + ", ".join(map(repr, _PROGRAM_KEYS)))
    if not isinstance(program, Mapping):
        return _verdict("p3", [f"`program` should be a dict; got {type(program).__name__}."], "")
    missing = [k for k in _PROGRAM_KEYS if k not in program]
    if missing:
        return _verdict(
            "p3",
            [f"`program` lacks the key(s) {missing}; it has {sorted(map(str, program))}."],
            "",
        )
    values = {}
    for k in _PROGRAM_KEYS:
        try:
            values[k] = float(program[k])
        except (TypeError, ValueError):
            return _verdict("p3", [f"`program[{k!r}]` should be a number; got {program[k]!r}."], "")
    res, true, out = _program_expected(case)
    problems = []
    if not (values["ci_low"] <= values["uplift"] <= values["ci_high"]):
        problems.append("The interval must hold the uplift: ci_low ≤ uplift ≤ ci_high.")
    if not _close(values["uplift"], res.uplift):
        member = out.index.map(case.loyalty.set_index("customer_id")["enrolled"]).to_numpy()
        naive = relationship.program_uplift(
            out.assign(group=np.where(member.astype(bool), "treatment", "control"))
        ).uplift
        repeat = case.transactions.groupby("customer_id").size() - 1
        whole = case.loyalty.assign(
            repeat_purchases=case.loyalty["customer_id"].map(repeat).fillna(0)
        )
        no_window = relationship.program_uplift(whole).uplift
        if _close(values["uplift"], naive) or values["uplift"] > 2 * true > 0:
            problems.append(
                "The uplift is far above the card's true effect: it looks like members "
                "against non-members. Members chose to join and bought more before the card "
                "too; compare everyone offered the card (group 'treatment') with the control "
                "group."
            )
        elif _close(values["uplift"], no_window):
            problems.append(
                "The uplift counts every repeat purchase in the log. Count only the 52 weeks "
                "after each first purchase, and only customers whose 52 weeks end within the "
                "data: relationship.program_outcomes(tx, loyalty) does both."
            )
        else:
            problems.append(
                "The uplift is not the treatment mean minus the control mean of the repeat "
                "purchases in 52 weeks (relationship.program_outcomes, then program_uplift)."
            )
    elif not (_close(values["ci_low"], res.ci_low) and _close(values["ci_high"], res.ci_high)):
        problems.append(
            "The uplift is right but not its interval: take ci_low and ci_high from "
            "relationship.program_uplift (95 %, Welch's t)."
        )
    if not _close(values["true_uplift"], true):
        problems.append(
            "true_uplift should be the mean of the truth's program_effect over the same "
            "treatment customers the uplift uses (those of program_outcomes with group "
            "'treatment', offered the card, whether they joined or not)."
        )
    inside = "inside" if res.ci_low <= true <= res.ci_high else "outside"
    return _verdict(
        "p3",
        problems,
        f"All four numbers match, and the true effect lies {inside} your interval. Use both "
        f"in written answer 1.",
    )


def _expected_call_list(case: Any) -> pd.DataFrame:
    t = crm.crm_tables(case)
    per = relationship.contacts_per_customer(t["customers"], t["contacts"])
    never = per.loc[per["contacts"] == 0, "customer_id"]
    a = t["segments"].loc[t["segments"]["abc_class"] == "A", "customer_id"]
    c = t["customers"]
    return c.loc[
        c["customer_id"].isin(never) & c["customer_id"].isin(a), ["customer_id", "segment"]
    ]


def check_call_list(sql_call_list: Any, case: Any) -> Verdict:
    """Check Part 4: ``sql_call_list``, one SELECT giving the never-contacted class-A customers.

    The query runs with :func:`rmlib.crm.run_query` (read-only, one statement) on a fresh
    mini CRM built from ``case``, as the grader runs it.

    Parameters
    ----------
    sql_call_list : str or None
        The learner's query.
    case : rmlib.data.Case
        The case the CRM is built from.

    Returns
    -------
    Verdict
        Right when the rows equal the active class-A customers with no contact at all
        (columns ``customer_id`` and ``segment``, any order); otherwise the message says
        why the query failed or what its rows get wrong (an inner join that drops the
        uncontacted, former customers on the list, missing columns).

    Raises
    ------
    TypeError
        If ``case`` is not the case data.

    Examples
    --------
    >>> from rmlib.datasets import load_case
    >>> check_call_list("SELECT 1 AS customer_id", load_case()).ok
    False
    """
    _check_case(case)
    if sql_call_list is None:
        return _unanswered("p4", "sql_call_list", "a string holding one SELECT")
    if not isinstance(sql_call_list, str) or not sql_call_list.strip():
        return _verdict(
            "p4",
            [f"`sql_call_list` should be a string with one SELECT; got {sql_call_list!r}."],
            "",
        )
    want = _expected_call_list(case)
    with crm.temporary_crm(case) as db:
        try:
            got = crm.run_query(db, sql_call_list)
        except Exception as exc:  # the learner's SQL: any failure is theirs to fix
            return _verdict("p4", [f"The query does not run: {exc}"], "")
        former = set(
            crm.run_query(db, "SELECT customer_id FROM customers WHERE status = 'former'")[
                "customer_id"
            ]
        )
    cols = {str(c).lower(): c for c in got.columns}
    if "customer_id" in cols and len(got) > 0:
        ids = set(got[cols["customer_id"]])
        if ids & former:
            return _verdict(
                "p4",
                ["Former customers are on the list: keep customers.status = 'active' only."],
                "",
            )
    if len(got) == 0 and len(want) > 0:
        return _verdict(
            "p4",
            [
                "The list is empty. An inner JOIN with contacts keeps only customers who "
                "have a contact, so none of them can have zero: use a LEFT JOIN (or NOT "
                "EXISTS) so the uncontacted stay."
            ],
            "",
        )
    problem = crm.result_problem(got, want)
    if problem:
        return _verdict("p4", [f"The rows are not the call list: {problem}"], "")
    n = want["segment"].value_counts()
    return _verdict(
        "p4",
        [],
        f"The call list matches: {n.get('B2B', 0)} B2B client(s) for the account managers "
        f"and {n.get('B2C', 0)} B2C customer(s) for the call centre.",
    )


def check_self_check(q1: Any, q2: Any, q3: Any, case: Any) -> Verdict:
    """Check the self-check: two multiple-choice letters and one count.

    Parameters
    ----------
    q1, q2 : str or None
        A letter ``"a"``…``"d"``.
    q3 : int or None
        The number of corporate (B2B) clients in class A of their own arm.
    case : rmlib.data.Case
        The case the count was computed on.

    Returns
    -------
    Verdict
        One point per right question; the message explains every letter chosen and says
        whether ``q3`` was counted with the pooled classes.

    Raises
    ------
    TypeError
        If ``case`` is not the case data.

    Examples
    --------
    >>> from rmlib.datasets import load_case
    >>> v = check_self_check("b", "a", None, load_case())
    >>> v.points, v.max_points
    (1.0, 3.0)
    """
    _check_case(case)
    cells = _part("q")["cells"]
    lines, points = [], 0.0
    for name, given in (("q1", q1), ("q2", q2)):
        key = _CHOICES[name]
        if given is None:
            lines.append(f"{name}: not answered yet; set it to one letter, 'a' to 'd'.")
        elif not isinstance(given, str) or given.strip().lower() not in key["why"]:
            lines.append(f"{name}: {given!r} is not one of the letters 'a', 'b', 'c', 'd'.")
        else:
            letter = given.strip().lower()
            if letter == key["right"]:
                points += cells[f"{name}_check"]
                lines.append(f"{name}: right — {key['why'][letter]}")
            else:
                lines.append(f"{name}: not ({letter}) — {key['why'][letter]}")
    seg = case.customers.set_index("customer_id")["segment"]
    own = _expected_classes(case)
    right = int((own[own.index.map(seg) == "B2B"] == "A").sum())
    pooled = pareto.abc_classes(case.transactions)
    pooled_n = int((pooled[pooled.index.map(seg) == "B2B"] == "A").sum())
    if q3 is None:
        lines.append("q3: not answered yet; count the B2B clients in class A from Part 2.")
    elif not isinstance(q3, int | float | np.integer | np.floating) or isinstance(q3, bool):
        lines.append(f"q3: should be a number of clients; got {q3!r}.")
    elif not math.isfinite(float(q3)) or float(q3) != int(q3):
        lines.append(f"q3: should be a whole number of clients; got {q3!r}.")
    elif int(q3) == right:
        points += cells["q3_check"]
        lines.append("q3: right.")
    elif int(q3) == pooled_n:
        lines.append(
            "q3: not right — that is the count with the whole chain ranked at once; count "
            "class A within the B2B arm (your Part 2 classes)."
        )
    else:
        lines.append("q3: not right — count the B2B clients whose Part 2 class is 'A'.")
    worth = _part("q")["points"]
    return Verdict("q", points == worth, "\n".join(lines), points, worth)


# --------------------------------------------------------------------------- the written answers


def _criteria(answer: Any) -> list[dict]:
    r = rubric.load_rubric("capstone")
    if answer not in r["answers"]:
        raise ValueError(
            f"`answer` {answer!r} is not a written answer of the capstone; choose one of "
            f"{sorted(r['answers'])}."
        )
    return r["answers"][answer]["criteria"]


def blank_levels(answer: str) -> dict:
    """A dict to fill in: every criterion of the answer's rubric, with ``None`` as its level.

    Replace each ``None`` with the points of the level your answer reaches, then pass the
    dict to :func:`self_assess`.

    Raises
    ------
    ValueError
        If ``answer`` is not a written answer of the capstone.

    Examples
    --------
    >>> list(blank_levels("w2_answer"))[0]
    'Seven stages fitted to the case'
    """
    return {c["name"]: None for c in _criteria(answer)}


def self_assess(answer: str, levels: Mapping[str, Any]) -> SelfAssessment:
    """Grade your own written answer: the level chosen per criterion, its points and the total.

    Parameters
    ----------
    answer : str
        ``"w_answer"`` or ``"w2_answer"``.
    levels : mapping
        ``{criterion: points of the chosen level, or None while not chosen}``, every
        criterion of the rubric named once (start from :func:`blank_levels`).

    Returns
    -------
    SelfAssessment
        Shows each criterion with the chosen level's description, and the total; a ``None``
        counts 0 and the total says that choices are missing.

    Raises
    ------
    ValueError
        If ``answer`` is unknown, a criterion is missing or unknown, or the points are not one
        of the criterion's levels (the allowed points are listed).
    TypeError
        If ``levels`` is not a mapping.

    Examples
    --------
    >>> levels = blank_levels("w_answer")
    >>> levels["Program design"] = 1
    >>> self_assess("w_answer", levels).points
    1
    """
    crits = _criteria(answer)
    if not isinstance(levels, Mapping):
        raise TypeError(
            f"`levels` must be a dict from criterion to points; got {type(levels).__name__}. "
            f"Start from capstone.blank_levels({answer!r})."
        )
    names = [c["name"] for c in crits]
    unknown = [k for k in levels if k not in names]
    missing = [n for n in names if n not in levels]
    if unknown or missing:
        raise ValueError(
            f"`levels` must name every criterion of {answer!r} once: missing {missing}, "
            f"unknown {unknown}. Start from capstone.blank_levels({answer!r})."
        )
    chosen, described = {}, {}
    for c in crits:
        pts = levels[c["name"]]
        allowed = [lv["points"] for lv in c["levels"]]
        if pts is not None and (isinstance(pts, bool) or pts not in allowed):
            raise ValueError(
                f"`levels[{c['name']!r}]` is {pts!r}, which is not a level of this criterion; "
                f"choose one of {allowed} (or None while undecided)."
            )
        chosen[c["name"]] = None if pts is None else int(pts)
        described[c["name"]] = (
            None
            if pts is None
            else next(lv for lv in c["levels"] if lv["points"] == pts)["description"]
        )
    total = sum(p for p in chosen.values() if p is not None)
    top = rubric.max_points(rubric.load_rubric("capstone"), answer)
    return SelfAssessment(answer, chosen, described, total, top)


def scorecard(results: Sequence[Verdict | SelfAssessment]) -> pd.DataFrame:
    """Your capstone's points part by part, with the total, in the graded version's points.

    Parameters
    ----------
    results : sequence
        The :class:`Verdict` of each check and the :class:`SelfAssessment` of each written
        answer, each part at most once.

    Returns
    -------
    DataFrame
        One row per part of the graded notebook (``title``, ``points``, ``max_points``,
        ``status``) and a ``total`` row; a part without a result counts 0, "not checked".

    Raises
    ------
    TypeError
        If an item of ``results`` is not a Verdict or SelfAssessment.
    ValueError
        If a part appears twice.
    """
    if isinstance(results, Verdict | SelfAssessment) or not isinstance(results, Sequence):
        raise TypeError("`results` must be a list of the check results, e.g. [v1, v2, v3].")
    got: dict[str, Verdict | SelfAssessment] = {}
    for r in results:
        if not isinstance(r, Verdict | SelfAssessment):
            raise TypeError(
                f"`results` holds a {type(r).__name__}; pass only what the check functions "
                f"and self_assess return."
            )
        part = r.part if isinstance(r, Verdict) else r.answer.removesuffix("_answer")
        if part in got:
            raise ValueError(f"`results` has part {part!r} twice; keep the latest one only.")
        got[part] = r
    rows = []
    for p in parts():
        r = got.get(p["part"])
        if r is None:
            status, pts = "not checked", 0.0
        elif isinstance(r, Verdict):
            status, pts = ("right" if r.ok else "not yet"), r.points
        else:
            status, pts = ("self-assessed" if r.complete else "levels missing"), float(r.points)
        rows.append((p["part"], p["title"], pts, p["points"], status))
    df = pd.DataFrame(rows, columns=["part", "title", "points", "max_points", "status"])
    total = pd.DataFrame(
        [("total", "", df["points"].sum(), df["max_points"].sum(), "")], columns=df.columns
    )
    return pd.concat([df, total], ignore_index=True).set_index("part")
