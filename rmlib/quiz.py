"""Self-check quizzes: question banks, their schema, and the quiz widget.

Each chapter keeps its questions in one place, a JSON bank inside the
package (``rmlib/resources/quizzes/chNN.json``), so the same bank can feed
the notebook quiz, graded assignments and a static website. A notebook
shows the quiz with one call and never contains the answers::

    from rmlib.quiz import quiz, open_questions
    quiz("ch03")
    open_questions("ch03")

The bank format
    ``{"chapter": "ch03", "title": "...", "items": [...], "open_questions": [...]}``.
    Every item has a unique ``id``, a ``type``, a ``prompt`` and an optional
    ``hint``:

    * ``single`` — ``options``: a list of ``{"text", "correct", "explanation"}``
      with exactly one correct option;
    * ``multiple`` — the same, with at least one correct option;
    * ``truefalse`` — ``answer`` (true/false) and ``explanations``
      ``{"true": ..., "false": ...}`` (the feedback for each answer);
    * ``numeric`` — ``answer`` (a number), ``tolerance`` (>= 0; answers within
      ``answer ± tolerance`` count, the edges included), ``unit`` and
      ``explanation``.

    Open questions are ``{"prompt", "guidance"}``; the guidance says what a
    good answer covers.

Why the schema is checked by hand
    The rules that matter most are about several fields at once (exactly one
    correct option, unique ids, the chapter matching the file name), and the
    messages must tell a course author which file, which item and which field
    is wrong and how to fix it. Plain Python checks give such messages
    directly; a JSON Schema would still need this code on top. All problems
    in a bank are reported together (:class:`QuizBankError`).

The widget
    :class:`Quiz` is an :class:`ipywidgets.VBox` with one
    :class:`QuizQuestion` per item: the prompt with its options lettered
    A, B, C..., the input (radio buttons or check boxes labelled with the
    letters, a True/False toggle, or a number box with its unit), a
    *Check* button and a feedback panel, plus a running score and a *Try
    again* button. Options are shown in a shuffled order (seeded by
    ``random_state``, so a notebook shows the same order on every run): bank
    authors tend to write the right option first. The marking is in plain methods (:meth:`Item.check`,
    :meth:`QuizQuestion.submit`, :meth:`Quiz.reset`) that tests call. The
    widget state sent to the browser holds only the prompts and option texts:
    which options are correct and every explanation stay in the kernel
    until *Check* is clicked. Where widgets cannot render (a static page),
    the quiz shows its questions and options without answers.

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from rmlib._validate import CHAPTER_CODE, check_chapter_code, check_random_state
from rmlib.course import Rendered

__all__ = [
    "ITEM_TYPES",
    "Bank",
    "CheckResult",
    "Item",
    "OpenQuestion",
    "Option",
    "Quiz",
    "QuizBankError",
    "QuizQuestion",
    "available_banks",
    "load_bank",
    "open_questions",
    "quiz",
    "validate_bank",
    # review across chapters (chapter 6)
    "ReviewItem",
    "ReviewQuiz",
    "all_open_questions",
    "chapter_scores",
    "draw_review",
    "load_textbook_questions",
    "reread_advice",
    "review_chapters",
    "review_items",
    "review_quiz",
    "textbook_questions",
]

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

_STATIC_NOTE = (
    "This self-check quiz is interactive: open the notebook in JupyterLab and run it "
    "to check your answers. The questions are listed below without their answers."
)


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
    rmlib.quiz.QuizBankError: Quiz bank <bank> has 1 problem(s):
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


# ---------------------------------------------------------------------------
# the widget
# ---------------------------------------------------------------------------


class QuizQuestion(widgets.VBox):
    """One item as a widget: prompt, input, Check button and feedback.

    Attributes
    ----------
    item : Item
        The item (kept in the kernel; its answers are not sent to the browser).
    input : ipywidgets.Widget
        ``RadioButtons`` (single), an ``HBox`` of ``Checkbox`` (multiple),
        ``ToggleButtons`` (true/false) or ``FloatText`` (numeric).
    check_button : ipywidgets.Button
    feedback : ipywidgets.HTML
        Empty until *Check* is clicked.
    result : CheckResult or None
        The latest result of *Check*.
    """

    def __init__(
        self,
        item: Item,
        number: int,
        on_result: Callable[[QuizQuestion], None] | None = None,
        order: Iterable[int] | None = None,
    ) -> None:
        self.item = item
        #: The order the options are shown in (indices into ``item.options``).
        self.order = item._order(order) if item.options else []
        self.number = number
        self.result: CheckResult | None = None
        self._on_result = on_result
        hint = ""
        if item.hint:
            hint = f"<details><summary>Hint</summary>{html.escape(item.hint)}</details>"
        # Option texts are long sentences, and ipywidgets draws radio and check-box
        # labels on one line; so the texts sit in the (wrapping) HTML of the
        # prompt, lettered A, B, C..., and the inputs carry only the letters.
        options = "".join(
            f"<div style='margin:0.2em 0 0.2em 1em'><b>{_letter(k)}.</b> "
            f"{html.escape(item.options[i].text)}</div>"
            for k, i in enumerate(self.order)
        )
        prompt = widgets.HTML(
            f"<p><b>{number}.</b> {html.escape(item.prompt)}</p>{options}{hint}",
            layout=widgets.Layout(width="auto"),
        )
        if item.type == "single":
            # The value of a choice is the option's index in the bank; only the
            # letters and the selected position are sent to the browser.
            self.input = widgets.RadioButtons(
                options=[(_letter(k), i) for k, i in enumerate(self.order)],
                value=None,
                orientation="horizontal",
                description="Your choice:",
                style={"description_width": "initial"},
            )
            controls: list[widgets.Widget] = [self.input]
        elif item.type == "multiple":
            self.input = widgets.HBox(
                [
                    widgets.Checkbox(
                        value=False,
                        description=_letter(k),
                        indent=False,
                        layout=widgets.Layout(width="auto", margin="0 1.5em 0 0"),
                    )
                    for k in range(len(self.order))
                ]
            )
            controls = [widgets.HBox([widgets.Label("Select all that apply:"), self.input])]
        elif item.type == "truefalse":
            self.input = widgets.ToggleButtons(
                options=[("True", True), ("False", False)],
                value=None,
                description="Your answer:",
                style={"description_width": "initial"},
            )
            controls = [self.input]
        else:
            self.input = widgets.FloatText(value=0.0, description="Answer:")
            controls = [widgets.HBox([self.input, widgets.HTML(html.escape(item.unit))])]
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.check_button.on_click(lambda _button: self.submit())
        self.feedback = widgets.HTML("")
        super().__init__(
            [prompt, *controls, self.check_button, self.feedback],
            layout=widgets.Layout(margin="0 0 1em 0"),
        )

    def current_answer(self) -> Any:
        """The answer currently entered in the input, in the form :meth:`check` takes."""
        if self.item.type == "multiple":
            return {i for i, box in zip(self.order, self.input.children, strict=True) if box.value}
        return self.input.value

    def check(self, answer: Any) -> CheckResult:
        """Mark ``answer`` (see :meth:`Item.check`) without touching the widget.

        Option indices are positions in the bank (``item.options``); the
        feedback lists the options in the order they are shown.
        """
        if self.item.options:
            return self.item.check(answer, order=self.order)
        return self.item.check(answer)

    def submit(self) -> CheckResult:
        """What *Check* does: mark the entered answer, show the feedback, update the score."""
        result = self.check(self.current_answer())
        self.feedback.value = result.html
        if result.answered:
            self.result = result
            if self._on_result is not None:
                self._on_result(self)
        return result

    def reset(self) -> None:
        """Clear the input and the feedback."""
        if self.item.type == "multiple":
            for box in self.input.children:
                box.value = False
        elif self.item.type == "numeric":
            self.input.value = 0.0
        else:
            self.input.value = None
        self.feedback.value = ""
        self.result = None


class Quiz(widgets.VBox):
    """A chapter's self-check quiz as a widget (see :func:`quiz`).

    Parameters
    ----------
    bank : Bank
        A validated bank (:func:`load_bank`).
    shuffle : bool, default True
        Show each item's options in a shuffled order.
    random_state : int or numpy.random.Generator, default 0
        Seed of the shuffle; the default shows the same order on every run.

    Attributes
    ----------
    items : list of QuizQuestion
        One widget per item, in the bank's order.
    score_label : ipywidgets.HTML
        The running score, e.g. "Score: 3 of 8 correct (5 checked)".
    reset_button : ipywidgets.Button
        *Try again*: clears every answer, the feedback and the score.
    """

    def __init__(self, bank: Bank, *, shuffle: bool = True, random_state: Any = 0) -> None:
        if not isinstance(bank, Bank):
            raise TypeError(f"`bank` must be a Bank from load_bank(), got {type(bank).__name__}.")
        rng = check_random_state(random_state)
        self.bank = bank
        self.items = []
        for n, it in enumerate(bank.items, 1):
            k = len(it.options)
            order = rng.permutation(k).tolist() if shuffle and k else None
            self.items.append(QuizQuestion(it, n, self._record, order))
        self.score_label = widgets.HTML()
        self.reset_button = widgets.Button(description="Try again", icon="refresh")
        self.reset_button.on_click(lambda _button: self.reset())
        header = widgets.HTML(f"<h4>{html.escape(bank.title)}</h4>")
        footer = widgets.HBox([self.score_label, self.reset_button])
        super().__init__([header, *self.items, footer])
        self._show_score()

    @property
    def score(self) -> tuple[int, int]:
        """``(items answered correctly at their latest check, number of items)``."""
        right = sum(1 for q in self.items if q.result is not None and q.result.correct)
        return right, len(self.items)

    def score_text(self) -> str:
        """The running score as text, e.g. ``'Score: 3 of 8 correct (5 checked)'``."""
        right, total = self.score
        checked = sum(1 for q in self.items if q.result is not None)
        return f"Score: {right} of {total} correct ({checked} checked)"

    def _show_score(self) -> None:
        self.score_label.value = f"<b>{html.escape(self.score_text())}</b>&nbsp;"

    def _record(self, question: QuizQuestion) -> None:
        self._show_score()

    def reset(self) -> None:
        """*Try again*: clear every answer and every feedback panel; the score goes to 0."""
        for q in self.items:
            q.reset()
        self._show_score()

    # -- static fallback -----------------------------------------------------
    def static_text(self) -> str:
        """The questions and options as plain text, without answers or explanations."""
        lines = [self.bank.title, _STATIC_NOTE, ""]
        for q in self.items:
            it = q.item
            lines.append(f"{q.number}. {it.prompt}")
            if it.type in ("single", "multiple"):
                box = "( )" if it.type == "single" else "[ ]"
                lines += [
                    f"   {box} {_letter(k)}. {it.options[i].text}" for k, i in enumerate(q.order)
                ]
            elif it.type == "truefalse":
                lines.append("   ( ) True   ( ) False")
            else:
                lines.append(f"   Answer: ______ {it.unit}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def static_html(self) -> str:
        """The questions and options as HTML, without answers or explanations."""
        parts = [
            f"<div class='rmlib-quiz-static'><h4>{html.escape(self.bank.title)}</h4>"
            f"<p><i>{html.escape(_STATIC_NOTE)}</i></p><ol>"
        ]
        for q in self.items:
            it = q.item
            parts.append(f"<li><p>{html.escape(it.prompt)}</p>")
            if it.type in ("single", "multiple"):
                box = "○" if it.type == "single" else "☐"
                opts = "".join(
                    f"<li>{box} {_letter(k)}. {html.escape(it.options[i].text)}</li>"
                    for k, i in enumerate(q.order)
                )
                parts.append(f"<ul style='list-style:none'>{opts}</ul>")
            elif it.type == "truefalse":
                parts.append("<p>○ True &nbsp; ○ False</p>")
            else:
                parts.append(f"<p>Answer: ______ {html.escape(it.unit)}</p>")
            parts.append("</li>")
        parts.append("</ol></div>")
        return "".join(parts)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # JupyterLab ranks the widget view first and shows the live quiz; static
        # viewers skip it and show these answer-free fallbacks.
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = self.static_text()
        data["text/html"] = self.static_html()
        return data


def quiz(
    chapter: str,
    *,
    directory: str | os.PathLike | None = None,
    shuffle: bool = True,
    random_state: Any = 0,
) -> Quiz:
    """The self-check quiz of ``chapter``, ready to display in a notebook.

    Parameters
    ----------
    chapter : str
        ``"chNN"``, e.g. ``"ch03"``.
    directory : path-like, optional
        Folder of banks; by default the ones shipped with :mod:`rmlib`.
    shuffle : bool, default True
        Show each item's options in a shuffled order.
    random_state : int or numpy.random.Generator, default 0
        Seed of the shuffle; the default shows the same order on every run.

    Returns
    -------
    Quiz

    Examples
    --------
    >>> q = quiz("ch01")
    >>> q.score_text()
    'Score: 0 of 13 correct (0 checked)'
    >>> first = q.items[0]
    >>> right = next(i for i, o in enumerate(first.item.options) if o.correct)
    >>> first.input.value = right
    >>> first.check_button.click()
    >>> q.score_text()
    'Score: 1 of 13 correct (1 checked)'
    """
    return Quiz(load_bank(chapter, directory=directory), shuffle=shuffle, random_state=random_state)


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


# ---------------------------------------------------------------------------
# review across chapters (chapter 6)
# ---------------------------------------------------------------------------
#
# The review reads the chapter banks themselves: an item lives in one bank only
# and reaches the review through load_bank, so a fix in a chapter's bank is a fix
# in the review too. Banks added later (a new chapter) join the review without any
# change here.

#: Share of a chapter's review items answered right below which the chapter is
#: recommended for rereading.
REREAD_BELOW = 0.7


@dataclass(frozen=True)
class ReviewItem:
    """One item of a review and the chapter whose bank holds it."""

    chapter: str
    item: Item


def review_chapters(directory: str | os.PathLike | None = None) -> list[str]:
    """The chapters a review can draw from: every bank from ``ch01`` on.

    Chapter 0's bank (how to use the course) is left out: it is not course content.

    >>> review_chapters()[:3]
    ['ch01', 'ch02', 'ch03']
    """
    return [ch for ch in available_banks(directory) if ch != "ch00"]


def _review_selection(chapters: Any, directory: str | os.PathLike | None) -> list[str]:
    have = review_chapters(directory)
    if chapters is None:
        if not have:
            raise FileNotFoundError(
                f"No chapter quiz banks found in {_bank_dir(directory)}; a review needs at "
                f"least one bank chNN.json with NN >= 01."
            )
        return have
    if isinstance(chapters, str):
        chapters = [chapters]
    try:
        chosen = list(chapters)
    except TypeError:
        raise TypeError(
            f"`chapters` must be a list of chapter codes such as ['ch03', 'ch04'] (or None "
            f"for every chapter), got {type(chapters).__name__}."
        ) from None
    if not chosen:
        raise ValueError(
            f"`chapters` is empty; pick at least one of {', '.join(have)} (or pass None "
            f"for every chapter)."
        )
    out: list[str] = []
    for ch in chosen:
        check_chapter_code(ch, "chapters")
        if ch not in have:
            raise ValueError(
                f"`chapters` names {ch!r}, which has no quiz bank to review; "
                f"available: {', '.join(have) or '(none)'}."
            )
        if ch not in out:
            out.append(ch)
    return out


def review_items(
    chapters: Iterable[str] | str | None = None, *, directory: str | os.PathLike | None = None
) -> list[ReviewItem]:
    """Every item of the chosen chapters' banks, each with its chapter, in bank order.

    Parameters
    ----------
    chapters : list of str, str or None
        Chapter codes such as ``["ch03", "ch04"]``; ``None`` for every chapter
        (:func:`review_chapters`).
    directory : path-like, optional
        Folder of banks; by default the ones shipped with :mod:`rmlib`.

    Returns
    -------
    list of ReviewItem

    Raises
    ------
    ValueError
        If a chapter is malformed or has no bank (the available ones are listed).

    Examples
    --------
    >>> items = review_items(["ch01", "ch03"])
    >>> len(items) == len(load_bank("ch01").items) + len(load_bank("ch03").items)
    True
    >>> items[0].chapter, items[0].item.id
    ('ch01', 'ch01-01')
    """
    chosen = _review_selection(chapters, directory)
    return [ReviewItem(ch, it) for ch in chosen for it in load_bank(ch, directory=directory).items]


def draw_review(
    n: int,
    chapters: Iterable[str] | str | None = None,
    *,
    random_state: Any = 0,
    directory: str | os.PathLike | None = None,
) -> list[ReviewItem]:
    """Draw ``n`` items for a mixed review, spread evenly over the chosen chapters.

    Each chapter's items are shuffled; then chapters take turns (in a random
    order) giving one item each until ``n`` are drawn, so that every chosen
    chapter gets ``n // k`` or ``n // k + 1`` items (``k`` chapters) while it has
    items left. A per-chapter score needs items from every chapter; a plain
    random draw would leave small chapters out. The draw is then shuffled, so
    chapters are mixed.

    Parameters
    ----------
    n : int
        Number of items, from 1 to the number of items the chapters hold.
    chapters : list of str, str or None
        Chapter codes; ``None`` for every chapter.
    random_state : int or numpy.random.Generator, default 0
        Seed of the draw: the same seed gives the same items; another seed (or the
        same Generator used again) another draw.
    directory : path-like, optional
        Folder of banks; by default the ones shipped with :mod:`rmlib`.

    Returns
    -------
    list of ReviewItem

    Raises
    ------
    ValueError
        If ``n`` is not a whole number from 1 to the items available.

    Examples
    --------
    >>> draw = draw_review(6, ["ch01", "ch02", "ch03"], random_state=1)
    >>> sorted({r.chapter for r in draw}), len(draw)
    (['ch01', 'ch02', 'ch03'], 6)
    >>> [r.item.id for r in draw] == [r.item.id for r in draw_review(
    ...     6, ["ch01", "ch02", "ch03"], random_state=1)]
    True
    >>> draw_review(0)
    Traceback (most recent call last):
    ...
    ValueError: `n` must be a whole number of items >= 1, got 0.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"`n` must be a whole number of items >= 1, got {n!r}.")
    rng = check_random_state(random_state)
    pool = review_items(chapters, directory=directory)
    if n > len(pool):
        raise ValueError(
            f"`n` is {n}, but the chosen chapters hold only {len(pool)} items; "
            f"ask for at most {len(pool)} or choose more chapters."
        )
    by_chapter: dict[str, list[ReviewItem]] = {}
    for r in pool:
        by_chapter.setdefault(r.chapter, []).append(r)
    queues = {ch: [rs[i] for i in rng.permutation(len(rs))] for ch, rs in by_chapter.items()}
    order = [list(queues)[i] for i in rng.permutation(len(queues))]
    drawn: list[ReviewItem] = []
    while len(drawn) < n:
        for ch in order:
            if queues[ch] and len(drawn) < n:
                drawn.append(queues[ch].pop())
    return [drawn[i] for i in rng.permutation(len(drawn))]


def _chapter_title(chapter: str, directory: str | os.PathLike | None = None) -> str:
    """The bank's title without its 'Self-check: ' prefix."""
    title = load_bank(chapter, directory=directory).title
    return title.split(":", 1)[1].strip() if title.startswith("Self-check:") else title


def chapter_scores(
    results: Iterable[tuple[str, bool | None]], *, threshold: float = REREAD_BELOW
) -> pd.DataFrame:
    """Score a review per chapter: how many items, how many checked, how many right.

    Parameters
    ----------
    results : iterable of (chapter, correct)
        One pair per item of the review; ``correct`` is ``True``/``False`` for a
        checked item and ``None`` for one not answered (it counts as not right).
    threshold : float, default 0.7
        A chapter with a smaller share of right answers is marked for rereading.

    Returns
    -------
    DataFrame
        Indexed by chapter (sorted): ``items``, ``checked``, ``correct``, ``share``
        (``correct / items``) and ``reread`` (``share < threshold``).

    Examples
    --------
    >>> chapter_scores([("ch03", True), ("ch01", False), ("ch03", None), ("ch01", True)])
             items  checked  correct  share  reread
    chapter
    ch01         2        2        1    0.5    True
    ch03         2        1        1    0.5    True
    """
    t = float(threshold) if _is_real(threshold) else float("nan")
    if not 0 < t <= 1:
        raise ValueError(f"`threshold` must be a share in (0, 1], got {threshold!r}.")
    rows: dict[str, list[int]] = {}
    for k, pair in enumerate(results):
        try:
            ch, correct = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"`results` must hold (chapter, correct) pairs; item {k} is {pair!r}."
            ) from None
        check_chapter_code(ch, f"results[{k}][0]")
        if correct is not None and not isinstance(correct, bool):
            raise TypeError(
                f"`results[{k}][1]` must be True, False or None (not answered), got {correct!r}."
            )
        row = rows.setdefault(ch, [0, 0, 0])
        row[0] += 1
        row[1] += correct is not None
        row[2] += correct is True
    if not rows:
        raise ValueError("`results` is empty: score a review with at least one item.")
    df = pd.DataFrame.from_dict(rows, orient="index", columns=["items", "checked", "correct"])
    df = df.sort_index().rename_axis("chapter")
    df["share"] = df["correct"] / df["items"]
    df["reread"] = df["share"] < t
    return df


def reread_advice(scores: pd.DataFrame, *, directory: str | os.PathLike | None = None) -> str:
    """What to reread, weakest chapter first, from :func:`chapter_scores`.

    Examples
    --------
    >>> print(reread_advice(chapter_scores([("ch01", True), ("ch03", False)])))
    Reread first: chapter 3, principles of relationship marketing and relationship levels (0 of 1 right).
    Well done: chapter 1 (1 of 1 right).
    """
    need = {"items", "correct", "share", "reread"}
    if not isinstance(scores, pd.DataFrame) or not need <= set(scores.columns):
        raise TypeError("`scores` must be the table that chapter_scores() returns.")
    weak = scores[scores["reread"]].sort_values(["share", "items"], ascending=[True, False])
    strong = scores[~scores["reread"]]

    def label(ch: str) -> str:
        return f"chapter {int(ch[2:])}"

    lines = []
    if len(weak):
        parts = [
            f"{label(ch)}, {_chapter_title(ch, directory)} ({r['correct']} of {r['items']} right)"
            for ch, r in weak.iterrows()
        ]
        lines.append("Reread first: " + "; then ".join(parts) + ".")
    if len(strong):
        parts = [
            f"{label(ch)} ({r['correct']} of {r['items']} right)" for ch, r in strong.iterrows()
        ]
        lines.append("Well done: " + ", ".join(parts) + ".")
    return "\n".join(lines)


class ReviewQuiz(widgets.VBox):
    """A mixed review quiz over several chapters, with a score per chapter (see :func:`review_quiz`).

    Attributes
    ----------
    draw : list of ReviewItem
        The items of the current draw, in the order shown.
    quiz : Quiz
        The quiz of the current draw (each prompt starts with its chapter).
    report : ipywidgets.HTML
        The score per chapter and what to reread, updated at every *Check*.
    new_draw_button : ipywidgets.Button
        *New questions*: draw another set from the same chapters.
    """

    def __init__(
        self,
        n: int = 10,
        chapters: Iterable[str] | str | None = None,
        *,
        random_state: Any = 0,
        threshold: float = REREAD_BELOW,
        directory: str | os.PathLike | None = None,
    ) -> None:
        self._rng = check_random_state(random_state)
        self._n, self._directory = n, directory
        self._chapters = _review_selection(chapters, directory)
        chapter_scores([("ch01", None)], threshold=threshold)  # check the threshold early
        self._threshold = threshold
        self.report = widgets.HTML()
        self.new_draw_button = widgets.Button(description="New questions", icon="random")
        self.new_draw_button.on_click(lambda _button: self.redraw())
        super().__init__()
        self.redraw()

    def redraw(self) -> None:
        """Draw another set of items from the same chapters; answers and scores are cleared."""
        self.draw = draw_review(
            self._n, self._chapters, random_state=self._rng, directory=self._directory
        )
        names = ", ".join(str(int(ch[2:])) for ch in self._chapters)
        items = tuple(
            replace(r.item, prompt=f"[Chapter {int(r.chapter[2:])}] {r.item.prompt}")
            for r in self.draw
        )
        bank = Bank("review", f"Review: {len(items)} questions from chapters {names}", items, ())
        self.quiz = Quiz(bank, random_state=self._rng)
        for q in self.quiz.items:
            q._on_result = self._on_check
        self.quiz.reset_button.on_click(lambda _button: self._show_report())
        self.children = [self.quiz, self.report, self.new_draw_button]
        self._show_report()

    def _on_check(self, question: QuizQuestion) -> None:
        self.quiz._record(question)
        self._show_report()

    def results(self) -> list[tuple[str, bool | None]]:
        """``(chapter, correct)`` per item of the draw; ``None`` for an item not checked."""
        return [
            (r.chapter, None if q.result is None else q.result.correct)
            for r, q in zip(self.draw, self.quiz.items, strict=True)
        ]

    def chapter_scores(self) -> pd.DataFrame:
        """The score per chapter so far (:func:`chapter_scores`)."""
        return chapter_scores(self.results(), threshold=self._threshold)

    def advice(self) -> str:
        """What to reread, weakest chapter first (:func:`reread_advice`)."""
        return reread_advice(self.chapter_scores(), directory=self._directory)

    def _show_report(self) -> None:
        scores = self.chapter_scores()
        if scores["checked"].sum() == 0:
            self.report.value = "<p><i>Check your answers to see your score per chapter.</i></p>"
            return
        rows = "".join(
            f"<tr><td>{int(ch[2:])}</td><td>{r['correct']} of {r['items']}</td>"
            f"<td>{r['checked']}</td><td>{'reread' if r['reread'] else 'fine'}</td></tr>"
            for ch, r in scores.iterrows()
        )
        advice = "".join(f"<p>{html.escape(line)}</p>" for line in self.advice().splitlines())
        self.report.value = (
            "<h4>Score by chapter</h4><table><tr><th>chapter</th><th>right</th>"
            f"<th>checked</th><th>verdict</th></tr>{rows}</table>{advice}"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = self.quiz.static_text()
        data["text/html"] = self.quiz.static_html()
        return data


def review_quiz(
    n: int = 10,
    chapters: Iterable[str] | str | None = None,
    *,
    random_state: Any = 0,
    threshold: float = REREAD_BELOW,
    directory: str | os.PathLike | None = None,
) -> ReviewQuiz:
    """A mixed review quiz of ``n`` items from the chosen chapters, scored per chapter.

    Parameters
    ----------
    n : int, default 10
        Number of items (see :func:`draw_review`).
    chapters : list of str, str or None
        Chapter codes such as ``["ch03", "ch04"]``; ``None`` for every chapter.
    random_state : int or numpy.random.Generator, default 0
        Seed of the draw and of the option order; change it (or click *New
        questions*) for another draw.
    threshold : float, default 0.7
        Share of right answers below which a chapter is marked for rereading.
    directory : path-like, optional
        Folder of banks; by default the ones shipped with :mod:`rmlib`.

    Returns
    -------
    ReviewQuiz

    Examples
    --------
    >>> rq = review_quiz(4, ["ch01", "ch03"], random_state=7)
    >>> for q in rq.quiz.items:  # answer every item right
    ...     it = q.item
    ...     if it.type == "single":
    ...         q.input.value = next(i for i, o in enumerate(it.options) if o.correct)
    ...     elif it.type == "multiple":
    ...         for i, box in zip(q.order, q.input.children):
    ...             box.value = it.options[i].correct
    ...     else:
    ...         q.input.value = it.answer
    ...     q.check_button.click()
    >>> rq.chapter_scores()[["items", "correct", "reread"]]
             items  correct  reread
    chapter
    ch01         2        2   False
    ch03         2        2   False
    """
    return ReviewQuiz(
        n, chapters, random_state=random_state, threshold=threshold, directory=directory
    )


def all_open_questions(
    chapters: Iterable[str] | str | None = None, *, directory: str | os.PathLike | None = None
) -> Rendered:
    """Every chosen chapter's questions for discussion, grouped by chapter, with guidance.

    Examples
    --------
    >>> oq = all_open_questions(["ch01", "ch02"])
    >>> n = sum(len(load_bank(c).open_questions) for c in ["ch01", "ch02"])
    >>> oq.html.count("<details>") == n
    True
    >>> str(oq).splitlines()[0]
    'Questions for discussion, chapters 1–2'
    """
    chosen = _review_selection(chapters, directory)
    nums = [int(ch[2:]) for ch in chosen]
    span = f"{nums[0]}–{nums[-1]}" if len(nums) > 1 else f"{nums[0]}"
    head = f"Questions for discussion, chapter{'s' if len(nums) > 1 else ''} {span}"
    parts, lines = [], [head, ""]
    for ch in chosen:
        title = f"Chapter {int(ch[2:])}: {_chapter_title(ch, directory)}"
        one = open_questions(ch, directory=directory)
        parts.append(f"<h4>{html.escape(title)}</h4>{one.html}")
        lines += [title, *str(one).splitlines()[2:], ""]
    return Rendered(
        f"<div class='rmlib-all-open-questions'>{''.join(parts)}</div>",
        "\n".join(lines).rstrip(),
    )


_TEXTBOOK_FILE = "textbook_questions.json"
_TEXTBOOK_SOURCE_KEYS = ("author", "author_en", "title", "title_en", "place", "note")
_TEXTBOOK_KEYS = ("number", "ru", "en", "chapters", "guidance")


def load_textbook_questions(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The textbook's own self-check questions on loyalty, validated.

    The five questions close the loyalty chapter of A. V. Martyshev's
    *Маркетинг отношений* (Relationship marketing); the file
    ``rmlib/resources/textbook_questions.json`` quotes them in Russian with an
    English rendering, names the course chapters that answer each, and says
    what a good answer covers.

    Parameters
    ----------
    path : path-like, optional
        Another file in the same format (for tests).

    Returns
    -------
    dict
        ``{"source": {...}, "questions": [{"number", "ru", "en", "chapters",
        "guidance"}, ...]}``.

    Raises
    ------
    QuizBankError
        Listing every problem of the file.

    Examples
    --------
    >>> tq = load_textbook_questions()
    >>> len(tq["questions"]), tq["source"]["author_en"]
    (5, 'A. V. Martyshev')
    >>> tq["questions"][0]["ru"]
    'Почему важно повышать лояльность потребителей?'
    """
    resource = files("rmlib") / "resources" / _TEXTBOOK_FILE if path is None else Path(path)
    source = _TEXTBOOK_FILE if path is None else str(path)
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise QuizBankError(
            source, [f"{source}: not valid JSON at line {exc.lineno}: {exc.msg}."]
        ) from exc
    problems: list[str] = []
    if not isinstance(data, dict) or sorted(data) != ["questions", "source"]:
        raise QuizBankError(source, [f"{source}: expected an object with source and questions."])
    src = data["source"]
    if not isinstance(src, dict):
        problems.append(f"{source}, field 'source': expected an object.")
    else:
        for key in _TEXTBOOK_SOURCE_KEYS:
            if not _is_text(src.get(key)):
                problems.append(f"{source}, field 'source.{key}': missing or empty.")
    qs = data["questions"]
    if not isinstance(qs, list) or not qs:
        problems.append(f"{source}, field 'questions': expected a non-empty list.")
        qs = []
    for k, q in enumerate(qs, start=1):
        where = f"{source}, question #{k}"
        if not isinstance(q, dict):
            problems.append(f"{where}: expected an object with {', '.join(_TEXTBOOK_KEYS)}.")
            continue
        for key, why in _unknown_keys(q, _TEXTBOOK_KEYS):
            problems.append(f"{where}, field {key!r}: {why}.")
        if q.get("number") != k:
            problems.append(f"{where}, field 'number': expected {k}, found {q.get('number')!r}.")
        for key in ("ru", "en", "guidance"):
            if not _is_text(q.get(key)):
                problems.append(f"{where}, field {key!r}: missing or empty.")
        if _is_text(q.get("ru")) and not any("\u0400" <= c <= "\u04ff" for c in q["ru"]):
            problems.append(f"{where}, field 'ru': quote the Russian original (no Cyrillic found).")
        chs = q.get("chapters")
        if (
            not isinstance(chs, list)
            or not chs
            or not all(isinstance(c, str) and CHAPTER_CODE.match(c) for c in chs)
        ):
            problems.append(f"{where}, field 'chapters': expected a list such as ['ch04'].")
    if problems:
        raise QuizBankError(source, problems)
    return data


def textbook_questions(path: str | os.PathLike | None = None) -> Rendered:
    """The textbook's five self-check questions: Russian original, English, chapters, guidance.

    Examples
    --------
    >>> tq = textbook_questions()
    >>> tq.html.count("<details>")
    5
    >>> print(str(tq).splitlines()[0])
    The textbook's self-check questions on loyalty
    """
    data = load_textbook_questions(path)
    src = data["source"]
    cite = (
        f"{src['author']} ({src['author_en']}), «{src['title']}» ({src['title_en']}), "
        f"{src['place']}. {src['note']}"
    )
    rows, lines = [], ["The textbook's self-check questions on loyalty", cite, ""]
    for q in data["questions"]:
        where = ", ".join(f"chapter {int(c[2:])}" for c in q["chapters"])
        rows.append(
            f"<li><p lang='ru'><b>«{html.escape(q['ru'])}»</b></p><p>{html.escape(q['en'])} "
            f"<i>(the course answers it in {where})</i></p><details><summary>What a good "
            f"answer covers</summary><p>{html.escape(q['guidance'])}</p></details></li>"
        )
        lines += [
            f"{q['number']}. «{q['ru']}»",
            f"   {q['en']} (the course answers it in {where})",
            f"   What a good answer covers: {q['guidance']}",
            "",
        ]
    return Rendered(
        f"<div class='rmlib-textbook-questions'><p><i>{html.escape(cite)}</i></p>"
        f"<ol>{''.join(rows)}</ol></div>",
        "\n".join(lines).rstrip(),
    )
