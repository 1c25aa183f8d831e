"""The quiz bank format, checked: every problem of a bank found and explained at once.

:func:`validate_bank` turns a bank's parsed JSON into a :class:`rmlib.quiz.Bank`
or raises :class:`QuizBankError` listing every problem (file, item, field, what
is wrong and how to fix it). The format and why it is checked by hand are
described in :mod:`rmlib.quiz`. Plain Python, no ipywidgets.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

from rmlib._validate import CHAPTER_CODE
from rmlib.quiz.items import Bank, Item, OpenQuestion, Option

__all__ = ["ITEM_TYPES", "QuizBankError", "validate_bank"]

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
    rmlib.quiz.schema.QuizBankError: Quiz bank <bank> has 1 problem(s):
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
