"""Quiz banks: the schema, loading and validation, marking answers, open questions.

Everything here is plain Python (no ipywidgets): a bank can be loaded,
validated and marked by the grader, a static site or a test without a
notebook front end. The format is described in :mod:`rmlib.quiz`.

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

import difflib
import html
import json
import math
import numbers
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from rmlib._validate import CHAPTER_CODE, check_chapter_code
from rmlib.course import Rendered

#: The item types a bank may use.
ITEM_TYPES = ("single", "multiple", "truefalse", "numeric")

_COMMON_KEYS = ("id", "type", "prompt", "hint")
_TYPE_KEYS = {
    "single": ("options",),
    "multiple": ("options",),
    "truefalse": ("answer", "explanations"),
    "numeric": ("answer", "tolerance", "unit", "explanation"),
}
_OPTION_KEYS = ("text", "correct", "explanation")
_BANK_KEYS = ("chapter", "title", "items", "open_questions")
_OPEN_KEYS = ("prompt", "guidance")

# Okabe-Ito colours (colour-blind safe): right / not right.
_RIGHT = "#009E73"
_WRONG = "#D55E00"


class QuizBankError(ValueError):
    """A quiz bank does not follow the format; :attr:`problems` lists every problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"Quiz bank {source} has {len(self.problems)} problem(s):\n{lines}\n"
            f"See the bank format in the rmlib.quiz module docstring."
        )


# ---------------------------------------------------------------------------
# data classes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One option of a single- or multiple-choice item."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class OpenQuestion:
    """A discussion question and what a good answer covers."""

    prompt: str
    guidance: str


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer.

    Attributes
    ----------
    correct : bool
        Whether the answer is right.
    answered : bool
        ``False`` if no answer was given (nothing chosen); such a check
        reveals nothing and does not count towards the score.
    feedback : str
        Plain-text feedback: the verdict, then an explanation for every
        option (or for the answer given).
    html : str
        The same feedback as HTML, as the widget shows it.
    """

    correct: bool
    answered: bool
    feedback: str
    html: str


def _letter(k: int) -> str:
    """A, B, ..., Z, then AA, AB, ... for the k-th option shown (k from 0)."""
    return _letter(k // 26 - 1) + chr(65 + k % 26) if k >= 26 else chr(65 + k)


def _fmt_number(x: float) -> str:
    return f"{x:g}"


def _line_html(ok: bool, label: str, text: str, explanation: str) -> str:
    colour = _RIGHT if ok else _WRONG
    mark = "✓" if ok else "✗"
    return (
        f"<li><span style='color:{colour}'><b>{mark} {html.escape(label)}</b></span> "
        f"<i>{html.escape(text)}</i> — {html.escape(explanation)}</li>"
    )


def _verdict(correct: bool) -> tuple[str, str]:
    text = "Correct." if correct else "Not quite."
    colour = _RIGHT if correct else _WRONG
    return text, f"<p style='color:{colour}'><b>{text}</b></p>"


def _unanswered(msg: str) -> CheckResult:
    """Nothing to mark: ``msg`` says what to do; the check does not count."""
    return CheckResult(False, False, msg, f"<p>{html.escape(msg)}</p>")


def _marked(correct: bool, lines: list[tuple[bool, str, str, str]]) -> CheckResult:
    """The verdict, then one line per ``(ok, label, shown, explanation)``, ticked or crossed."""
    verdict, verdict_html = _verdict(correct)
    text, rows = [verdict], []
    for ok, label, shown, explanation in lines:
        body = f"{shown} — {explanation}" if shown else explanation
        text.append(f"{'✓' if ok else '✗'} {label} {body}")
        rows.append(_line_html(ok, label, shown, explanation))
    return CheckResult(correct, True, "\n".join(text), f"{verdict_html}<ul>{''.join(rows)}</ul>")


@dataclass(frozen=True)
class Item:
    """One quiz item, validated; :meth:`check` marks an answer.

    Build items with :func:`load_bank` or :func:`validate_bank`, not by hand.
    Fields that do not apply to the item's type are ``None`` or empty.
    """

    id: str
    type: str
    prompt: str
    hint: str | None = None
    options: tuple[Option, ...] = ()
    answer: float | bool | None = None
    tolerance: float | None = None
    unit: str = ""
    explanation: str = ""
    explanations: Mapping[str, str] = field(default_factory=dict)

    def check(self, answer: Any, *, order: Iterable[int] | None = None) -> CheckResult:
        """Mark ``answer`` and explain every option.

        Parameters
        ----------
        answer
            * ``single``: the index of the chosen option (``None``: nothing chosen);
            * ``multiple``: the indices of the chosen options (empty: nothing chosen);
            * ``truefalse``: ``True`` or ``False`` (``None``: nothing chosen);
            * ``numeric``: a number; right if within ``answer ± tolerance``.

            Option indices are positions in the bank, whatever order the
            options are shown in.
        order : sequence of int, optional
            The order in which the options are shown (a permutation of their
            indices); the feedback explains them in this order. By default the
            bank's order.

        Returns
        -------
        CheckResult

        Raises
        ------
        TypeError, ValueError
            If ``answer`` has the wrong kind for the item's type, or names an
            option that does not exist.

        Examples
        --------
        >>> item = validate_bank(
        ...     {
        ...         "chapter": "ch99",
        ...         "title": "t",
        ...         "items": [
        ...             {
        ...                 "id": "q1",
        ...                 "type": "numeric",
        ...                 "prompt": "Share?",
        ...                 "answer": 0.25,
        ...                 "tolerance": 0.005,
        ...                 "unit": "share",
        ...                 "explanation": "100 of 400.",
        ...             }
        ...         ],
        ...         "open_questions": [],
        ...     }
        ... ).items[0]
        >>> item.check(0.255).correct, item.check(0.256).correct
        (True, False)
        >>> print(item.check(0.3).feedback)
        Not quite.
        Your answer: 0.3 share. Accepted: 0.25 ± 0.005 share.
        100 of 400.
        """
        if self.type in ("single", "multiple"):
            return self._check_options(answer, self._order(order))
        if self.type == "truefalse":
            return self._check_truefalse(answer)
        return self._check_numeric(answer)

    # -- single / multiple -------------------------------------------------
    def _order(self, order: Iterable[int] | None) -> list[int]:
        n = len(self.options)
        if order is None:
            return list(range(n))
        got = [int(i) for i in order]
        if sorted(got) != list(range(n)):
            raise ValueError(
                f"Item {self.id!r}: `order` must list each option index 0..{n - 1} once, got {got}."
            )
        return got

    def _chosen(self, answer: Any) -> set[int]:
        n = len(self.options)
        if self.type == "single":
            if answer is None:
                return set()
            picks = [answer]
        else:
            if answer is None:
                return set()
            if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
                raise TypeError(
                    f"Item {self.id!r} (multiple choice): `answer` must be a collection of "
                    f"option indices such as {{0, 2}}, got {answer!r}."
                )
            picks = list(answer)
        for p in picks:
            if isinstance(p, bool) or not isinstance(p, numbers.Integral):
                raise TypeError(
                    f"Item {self.id!r}: an option is chosen by its index 0..{n - 1}, got {p!r}."
                )
            if not 0 <= p < n:
                raise ValueError(
                    f"Item {self.id!r}: option index {p} does not exist; use 0..{n - 1}."
                )
        return {int(p) for p in picks}

    def _check_options(self, answer: Any, order: list[int]) -> CheckResult:
        chosen = self._chosen(answer)
        if not chosen:
            msg = "Choose an option, then click Check."
            if self.type == "multiple":
                msg = "Select at least one option, then click Check."
            return _unanswered(msg)
        right = {i for i, o in enumerate(self.options) if o.correct}
        lines = []
        for k, i in enumerate(order):
            opt = self.options[i]
            shown = f"{_letter(k)}. {opt.text}"
            picked = i in chosen
            if picked and opt.correct:
                ok, label = True, "You chose this, and it is right:"
            elif picked:
                ok, label = False, "You chose this, but it is not right:"
            elif opt.correct:
                ok = False
                label = (
                    "You missed this one, which is right:"
                    if self.type == "multiple"
                    else "The right answer:"
                )
            else:
                ok, label = True, "Rightly left out:"
            lines.append((ok, label, shown, opt.explanation))
        return _marked(chosen == right, lines)

    # -- true / false ------------------------------------------------------
    def _check_truefalse(self, answer: Any) -> CheckResult:
        if answer is None:
            return _unanswered("Choose True or False, then click Check.")
        if not isinstance(answer, bool):
            raise TypeError(f"Item {self.id!r} (true/false): `answer` must be True or False.")
        lines = []
        for value in (answer, not answer):  # the answer given first
            label = "Your answer" if value == answer else "The other answer"
            label += f" ({value}):"
            lines.append((value == self.answer, label, "", self.explanations[str(value).lower()]))
        return _marked(answer == self.answer, lines)

    # -- numeric -----------------------------------------------------------
    def _check_numeric(self, answer: Any) -> CheckResult:
        if answer is None:
            return _unanswered("Type a number, then click Check.")
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            raise TypeError(f"Item {self.id!r} (numeric): `answer` must be a number.")
        x = float(answer)
        if not math.isfinite(x):
            return _unanswered(f"{x} is not a number you can check; type a finite number.")
        target, tol = float(self.answer), float(self.tolerance)
        diff = abs(x - target)
        # The edges count: 0.25 + 0.005 is 0.255 on paper, 0.2550000000000001 in floats.
        correct = diff <= tol or math.isclose(diff, tol, rel_tol=1e-9, abs_tol=1e-12)
        verdict, verdict_html = _verdict(correct)
        unit = f" {self.unit}" if self.unit else ""
        range_line = (
            f"Your answer: {_fmt_number(x)}{unit}. Accepted: {_fmt_number(target)} "
            f"± {_fmt_number(tol)}{unit}."
        )
        text = "\n".join([verdict, range_line, self.explanation])
        return CheckResult(
            correct,
            True,
            text,
            f"{verdict_html}<p>{html.escape(range_line)}</p><p>{html.escape(self.explanation)}</p>",
        )


@dataclass(frozen=True)
class Bank:
    """A validated quiz bank: the chapter's items and open questions."""

    chapter: str
    title: str
    items: tuple[Item, ...]
    open_questions: tuple[OpenQuestion, ...]
    source: str = "<bank>"

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id``.

        >>> load_bank("ch01").item("ch01-01").type
        'single'
        """
        for it in self.items:
            if it.id == item_id:
                return it
        ids = [it.id for it in self.items]
        raise KeyError(f"{self.source} has no item {item_id!r}; its items are {', '.join(ids)}.")


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def _is_text(x: Any) -> bool:
    return isinstance(x, str) and x.strip() != ""


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(float(x))


def _unknown_keys(obj: Mapping[str, Any], allowed: Iterable[str]) -> list[tuple[str, str]]:
    allowed = list(allowed)
    out = []
    for key in obj:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            out.append((str(key), f"unknown field; {hint}allowed: {', '.join(allowed)}"))
    return out


def _validate_options(where: str, item: Mapping[str, Any], problems: list[str]) -> None:
    options = item.get("options")
    kind = item["type"]
    if not isinstance(options, list) or len(options) < 2:
        problems.append(
            f"{where}, field 'options': expected a list of at least 2 options "
            f'{{"text", "correct", "explanation"}}, found {options!r:.60}.'
        )
        return
    texts = []
    for k, opt in enumerate(options, start=1):
        at = f"{where}, option {k}"
        if not isinstance(opt, dict):
            problems.append(f"{at}: expected an object with text, correct, explanation.")
            continue
        for key, why in _unknown_keys(opt, _OPTION_KEYS):
            problems.append(f"{at}, field {key!r}: {why}.")
        if not _is_text(opt.get("text")):
            problems.append(f"{at}, field 'text': missing or empty; write the option's text.")
        else:
            texts.append(opt["text"].strip())
        if not isinstance(opt.get("correct"), bool):
            problems.append(
                f"{at}, field 'correct': expected true or false, found {opt.get('correct')!r}."
            )
        if not _is_text(opt.get("explanation")):
            problems.append(
                f"{at}, field 'explanation': missing or empty; every option needs an "
                f"explanation of why it is right or wrong."
            )
    dupes = sorted({t for t in texts if texts.count(t) > 1})
    if dupes:
        problems.append(
            f"{where}, field 'options': the option text {dupes[0]!r} appears twice; "
            f"make every option different."
        )
    n_right = sum(1 for o in options if isinstance(o, dict) and o.get("correct") is True)
    if kind == "single" and n_right != 1:
        problems.append(
            f"{where}, field 'options': a single-choice item needs exactly one option with "
            f'"correct": true, found {n_right}. Mark one option correct, or make the item '
            f'"multiple".'
        )
    if kind == "multiple" and n_right < 1:
        problems.append(
            f"{where}, field 'options': a multiple-choice item needs at least one option "
            f'with "correct": true, found 0.'
        )


def _validate_item(where: str, item: Mapping[str, Any], problems: list[str]) -> None:
    kind = item["type"]
    for key, why in _unknown_keys(item, _COMMON_KEYS + _TYPE_KEYS[kind]):
        problems.append(f"{where}, field {key!r}: {why} (for type {kind!r}).")
    if not _is_text(item.get("prompt")):
        problems.append(f"{where}, field 'prompt': missing or empty; write the question.")
    if "hint" in item and not _is_text(item["hint"]):
        problems.append(f"{where}, field 'hint': empty; write a hint or remove the field.")
    if kind in ("single", "multiple"):
        _validate_options(where, item, problems)
    elif kind == "truefalse":
        if not isinstance(item.get("answer"), bool):
            problems.append(
                f"{where}, field 'answer': expected true or false, found {item.get('answer')!r}."
            )
        expl = item.get("explanations")
        if not isinstance(expl, dict) or sorted(expl) != ["false", "true"]:
            problems.append(
                f"{where}, field 'explanations': expected an object with keys \"true\" and "
                f'"false" (the feedback for each answer), found {expl!r:.60}.'
            )
        else:
            for key in ("true", "false"):
                if not _is_text(expl[key]):
                    problems.append(
                        f"{where}, field 'explanations.{key}': empty; explain the answer {key}."
                    )
    else:  # numeric
        if not _is_real(item.get("answer")):
            problems.append(
                f"{where}, field 'answer': expected a finite number, found {item.get('answer')!r}."
            )
        tol = item.get("tolerance")
        if not _is_real(tol) or tol < 0:
            problems.append(
                f"{where}, field 'tolerance': expected a number >= 0 (answers within "
                f"answer ± tolerance count), found {tol!r}."
            )
        if not _is_text(item.get("unit")):
            problems.append(
                f"{where}, field 'unit': missing or empty; say what the number measures, "
                f'e.g. "roubles" or "share of customers (0–1)".'
            )
        if not _is_text(item.get("explanation")):
            problems.append(
                f"{where}, field 'explanation': missing or empty; explain how the answer "
                f"is worked out."
            )


def _build_item(raw: Mapping[str, Any]) -> Item:
    kind = raw["type"]
    kw: dict[str, Any] = {"id": raw["id"], "type": kind, "prompt": raw["prompt"]}
    kw["hint"] = raw.get("hint")
    if kind in ("single", "multiple"):
        kw["options"] = tuple(
            Option(o["text"], o["correct"], o["explanation"]) for o in raw["options"]
        )
    elif kind == "truefalse":
        kw["answer"] = raw["answer"]
        kw["explanations"] = dict(raw["explanations"])
    else:
        kw.update(
            answer=float(raw["answer"]),
            tolerance=float(raw["tolerance"]),
            unit=raw["unit"],
            explanation=raw["explanation"],
        )
    return Item(**kw)


def validate_bank(data: Any, source: str = "<bank>", *, chapter: str | None = None) -> Bank:
    """Check a bank (parsed JSON) against the format and return it as a :class:`Bank`.

    Parameters
    ----------
    data : dict
        The parsed JSON of a bank.
    source : str
        Name used in error messages (the file name).
    chapter : str, optional
        The chapter the bank must declare (the file name's ``chNN``).

    Returns
    -------
    Bank

    Raises
    ------
    QuizBankError
        Listing every problem: the file, the item id and the field, what is
        wrong and how to fix it.

    Examples
    --------
    >>> validate_bank({"chapter": "ch01", "title": "t", "items": [], "open_questions": []})
    Traceback (most recent call last):
    ...
    rmlib.quiz.bank.QuizBankError: Quiz bank <bank> has 1 problem(s):
      - <bank>, field 'items': expected a non-empty list of items, found [].
    See the bank format in the rmlib.quiz module docstring.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise QuizBankError(
            source, [f"{source}: the bank must be a JSON object with {', '.join(_BANK_KEYS)}."]
        )
    for key, why in _unknown_keys(data, _BANK_KEYS):
        problems.append(f"{source}, field {key!r}: {why}.")
    for key in _BANK_KEYS:
        if key not in data:
            problems.append(f"{source}: required field {key!r} is missing; add it.")
    ch = data.get("chapter")
    if "chapter" in data and (not isinstance(ch, str) or not CHAPTER_CODE.match(ch)):
        problems.append(f"{source}, field 'chapter': expected 'chNN' such as 'ch03', found {ch!r}.")
    elif chapter is not None and ch is not None and ch != chapter:
        problems.append(
            f"{source}, field 'chapter': the file is the bank of {chapter!r} but says {ch!r}; "
            f"make them agree."
        )
    if "title" in data and not _is_text(data.get("title")):
        problems.append(f"{source}, field 'title': missing or empty; give the quiz a title.")

    raw_items = data.get("items")
    good: list[Mapping[str, Any]] = []
    if "items" in data and (not isinstance(raw_items, list) or not raw_items):
        problems.append(
            f"{source}, field 'items': expected a non-empty list of items, found {raw_items!r:.60}."
        )
        raw_items = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(raw_items or [], start=1):
        if not isinstance(raw, dict):
            problems.append(f"{source}, item #{n}: expected an object, found {raw!r:.40}.")
            continue
        item_id = raw.get("id")
        if _is_text(item_id):
            where = f"{source}, item {item_id!r}"
            if item_id in seen:
                problems.append(
                    f"{where}, field 'id': the id is used twice (items #{seen[item_id]} and "
                    f"#{n}); give every item its own id."
                )
            seen.setdefault(item_id, n)
        else:
            where = f"{source}, item #{n}"
            problems.append(f"{where}, field 'id': missing or empty; give the item an id.")
        kind = raw.get("type")
        if kind not in ITEM_TYPES:
            problems.append(
                f"{where}, field 'type': expected one of {', '.join(ITEM_TYPES)}, found {kind!r}."
            )
            continue
        before = len(problems)
        _validate_item(where, raw, problems)
        if len(problems) == before:
            good.append(raw)

    raw_open = data.get("open_questions")
    if "open_questions" in data and not isinstance(raw_open, list):
        problems.append(
            f"{source}, field 'open_questions': expected a list of "
            f'{{"prompt", "guidance"}} objects, found {raw_open!r:.60}.'
        )
        raw_open = []
    for n, q in enumerate(raw_open or [], start=1):
        where = f"{source}, open question #{n}"
        if not isinstance(q, dict):
            problems.append(f"{where}: expected an object with prompt and guidance.")
            continue
        for key, why in _unknown_keys(q, _OPEN_KEYS):
            problems.append(f"{where}, field {key!r}: {why}.")
        for key in _OPEN_KEYS:
            if not _is_text(q.get(key)):
                what = "the question" if key == "prompt" else "what a good answer covers"
                problems.append(f"{where}, field {key!r}: missing or empty; write {what}.")
    if problems:
        raise QuizBankError(source, problems)
    return Bank(
        chapter=data["chapter"],
        title=data["title"],
        items=tuple(_build_item(raw) for raw in good),
        open_questions=tuple(OpenQuestion(q["prompt"], q["guidance"]) for q in raw_open),
        source=source,
    )


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------


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
