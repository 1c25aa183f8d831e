"""Loading quiz banks: the shipped ones (or a folder of them), and a chapter's open questions.

:func:`load_bank` reads ``chNN.json`` and checks it with
:func:`rmlib.quiz.schema.validate_bank`. The bank's parts live in
:mod:`rmlib.quiz.items`, the format checks in :mod:`rmlib.quiz.schema` and the
marking of answers in :mod:`rmlib.quiz.marking`; their public names are
importable from here too, as before. Plain Python (no ipywidgets): a bank can
be loaded, validated and marked by the grader, a static site or a test without
a notebook front end.

Examples
--------
>>> bank = load_bank("ch01")
>>> bank.chapter, len(bank.items) >= 8
('ch01', True)
>>> item = bank.item("ch01-07")
>>> item.type
'numeric'
>>> item.check(item.answer).correct
True
"""

from __future__ import annotations

import html
import json
import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from rmlib._validate import CHAPTER_CODE, check_chapter_code
from rmlib.course import Rendered
from rmlib.quiz.items import Bank, Item, OpenQuestion, Option
from rmlib.quiz.marking import CheckResult
from rmlib.quiz.schema import ITEM_TYPES, QuizBankError, validate_bank

__all__ = [
    "ITEM_TYPES",
    "Bank",
    "CheckResult",
    "Item",
    "OpenQuestion",
    "Option",
    "QuizBankError",
    "available_banks",
    "load_bank",
    "open_questions",
    "validate_bank",
]


def _bank_dir(directory: str | os.PathLike | None) -> Any:
    if directory is None:
        return files("rmlib") / "resources" / "quizzes"
    return Path(directory)


def available_banks(directory: str | os.PathLike | None = None) -> list[str]:
    """The chapters that have a quiz bank, e.g. ``['ch00', 'ch01', ...]``.

    >>> available_banks()[:2]
    ['ch00', 'ch01']
    """
    folder = _bank_dir(directory)
    return sorted(
        p.name.removesuffix(".json")
        for p in folder.iterdir()
        if p.name.endswith(".json") and CHAPTER_CODE.match(p.name.removesuffix(".json"))
    )


def load_bank(chapter: str, *, directory: str | os.PathLike | None = None) -> Bank:
    """Read and validate the quiz bank of ``chapter``.

    Parameters
    ----------
    chapter : str
        ``"chNN"``, e.g. ``"ch03"``.
    directory : path-like, optional
        Folder holding ``chNN.json``; by default the banks shipped in
        ``rmlib/resources/quizzes`` (read through :mod:`importlib.resources`).

    Returns
    -------
    Bank

    Raises
    ------
    ValueError
        If ``chapter`` is not of the form ``chNN``.
    FileNotFoundError
        If there is no bank for the chapter (the available ones are listed).
    QuizBankError
        If the file is not valid JSON or breaks the format.

    Examples
    --------
    >>> load_bank("ch03").title
    'Self-check: principles of relationship marketing and relationship levels'
    >>> load_bank("3")
    Traceback (most recent call last):
    ...
    ValueError: `chapter` must look like 'ch03' (ch + two digits), got '3'.
    """
    check_chapter_code(chapter)
    folder = _bank_dir(directory)
    resource = folder / f"{chapter}.json"
    if not resource.is_file():
        have = available_banks(directory) if folder.is_dir() else []
        raise FileNotFoundError(
            f"No quiz bank for {chapter!r} (looked for {chapter}.json in {folder}). "
            f"Available: {', '.join(have) or '(none)'}."
        )
    source = f"{chapter}.json"
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise QuizBankError(
            source,
            [
                f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}. "
                f"Check commas and quotes there."
            ],
        ) from exc
    return validate_bank(data, source, chapter=chapter)


def open_questions(chapter: str, *, directory: str | os.PathLike | None = None) -> Rendered:
    """The chapter's questions for discussion, each with collapsed guidance.

    Parameters
    ----------
    chapter : str
        ``"chNN"``, e.g. ``"ch03"``.
    directory : path-like, optional
        Folder of banks; by default the ones shipped with :mod:`rmlib`.

    Returns
    -------
    Rendered
        HTML (a numbered list; the guidance sits in a ``<details>`` block the
        reader opens after answering) and plain text.

    Examples
    --------
    >>> oq = open_questions("ch01")
    >>> oq.html.count("<details>") == len(load_bank("ch01").open_questions)
    True
    >>> print(str(oq).splitlines()[0])
    Questions for discussion
    """
    bank = load_bank(chapter, directory=directory)
    rows, lines = [], ["Questions for discussion", ""]
    for n, q in enumerate(bank.open_questions, 1):
        rows.append(
            f"<li><p>{html.escape(q.prompt)}</p><details><summary>What a good answer covers"
            f"</summary><p>{html.escape(q.guidance)}</p></details></li>"
        )
        lines += [f"{n}. {q.prompt}", f"   What a good answer covers: {q.guidance}", ""]
    return Rendered(
        f"<div class='rmlib-open-questions'><ol>{''.join(rows)}</ol></div>",
        "\n".join(lines).rstrip(),
    )
