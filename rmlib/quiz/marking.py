"""Marking a quiz answer: the verdict and an explanation for every option.

:meth:`rmlib.quiz.Item.check` calls :func:`mark`; the feedback comes as plain text
and as the HTML the widget shows (:class:`CheckResult`). Plain Python, no
ipywidgets.

Examples
--------
>>> from rmlib.quiz import load_bank
>>> item = load_bank("ch01").item("ch01-07")
>>> mark(item, item.answer).correct
True
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rmlib.quiz.items import Item

__all__ = ["CheckResult", "mark", "option_order"]

# Okabe-Ito colours (colour-blind safe): right / not right.
_RIGHT = "#009E73"
_WRONG = "#D55E00"


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
    tick = "✓" if ok else "✗"
    return (
        f"<li><span style='color:{colour}'><b>{tick} {html.escape(label)}</b></span> "
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


def mark(item: Item, answer: Any, order: Iterable[int] | None = None) -> CheckResult:
    """Mark ``answer`` to ``item``; see :meth:`rmlib.quiz.Item.check` for the arguments."""
    if item.type in ("single", "multiple"):
        return _check_options(item, answer, option_order(item, order))
    if item.type == "truefalse":
        return _check_truefalse(item, answer)
    return _check_numeric(item, answer)


# -- single / multiple -----------------------------------------------------
def option_order(item: Item, order: Iterable[int] | None = None) -> list[int]:
    """The order the options are shown in: ``order`` checked, or the bank's order."""
    n = len(item.options)
    if order is None:
        return list(range(n))
    got = [int(i) for i in order]
    if sorted(got) != list(range(n)):
        raise ValueError(
            f"Item {item.id!r}: `order` must list each option index 0..{n - 1} once, got {got}."
        )
    return got


def _chosen(item: Item, answer: Any) -> set[int]:
    n = len(item.options)
    if item.type == "single":
        if answer is None:
            return set()
        picks = [answer]
    else:
        if answer is None:
            return set()
        if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
            raise TypeError(
                f"Item {item.id!r} (multiple choice): `answer` must be a collection of "
                f"option indices such as {{0, 2}}, got {answer!r}."
            )
        picks = list(answer)
    for p in picks:
        if isinstance(p, bool) or not isinstance(p, numbers.Integral):
            raise TypeError(
                f"Item {item.id!r}: an option is chosen by its index 0..{n - 1}, got {p!r}."
            )
        if not 0 <= p < n:
            raise ValueError(f"Item {item.id!r}: option index {p} does not exist; use 0..{n - 1}.")
    return {int(p) for p in picks}


def _check_options(item: Item, answer: Any, order: list[int]) -> CheckResult:
    chosen = _chosen(item, answer)
    if not chosen:
        msg = "Choose an option, then click Check."
        if item.type == "multiple":
            msg = "Select at least one option, then click Check."
        return _unanswered(msg)
    right = {i for i, o in enumerate(item.options) if o.correct}
    lines = []
    for k, i in enumerate(order):
        opt = item.options[i]
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
                if item.type == "multiple"
                else "The right answer:"
            )
        else:
            ok, label = True, "Rightly left out:"
        lines.append((ok, label, shown, opt.explanation))
    return _marked(chosen == right, lines)


# -- true / false ----------------------------------------------------------
def _check_truefalse(item: Item, answer: Any) -> CheckResult:
    if answer is None:
        return _unanswered("Choose True or False, then click Check.")
    if not isinstance(answer, bool):
        raise TypeError(f"Item {item.id!r} (true/false): `answer` must be True or False.")
    lines = []
    for value in (answer, not answer):  # the answer given first
        label = "Your answer" if value == answer else "The other answer"
        label += f" ({value}):"
        lines.append((value == item.answer, label, "", item.explanations[str(value).lower()]))
    return _marked(answer == item.answer, lines)


# -- numeric ---------------------------------------------------------------
def _check_numeric(item: Item, answer: Any) -> CheckResult:
    if answer is None:
        return _unanswered("Type a number, then click Check.")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise TypeError(f"Item {item.id!r} (numeric): `answer` must be a number.")
    x = float(answer)
    if not math.isfinite(x):
        return _unanswered(f"{x} is not a number you can check; type a finite number.")
    target, tol = float(item.answer), float(item.tolerance)
    diff = abs(x - target)
    # The edges count: 0.25 + 0.005 is 0.255 on paper, 0.2550000000000001 in floats.
    correct = diff <= tol or math.isclose(diff, tol, rel_tol=1e-9, abs_tol=1e-12)
    verdict, verdict_html = _verdict(correct)
    unit = f" {item.unit}" if item.unit else ""
    range_line = (
        f"Your answer: {_fmt_number(x)}{unit}. Accepted: {_fmt_number(target)} "
        f"± {_fmt_number(tol)}{unit}."
    )
    text = "\n".join([verdict, range_line, item.explanation])
    return CheckResult(
        correct,
        True,
        text,
        f"{verdict_html}<p>{html.escape(range_line)}</p><p>{html.escape(item.explanation)}</p>",
    )
