"""The quiz widgets: one item, a chapter's quiz and the mixed review quiz.

:class:`Quiz` is an :class:`ipywidgets.VBox` with one :class:`QuizQuestion`
per item; :class:`ReviewQuiz` wraps a :class:`Quiz` over a draw from several
chapters and reports a score per chapter. The marking itself lives in
:mod:`rmlib.quiz.marking` (:meth:`Item.check`); this module only shows it.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import ipywidgets as widgets
import pandas as pd

from rmlib._validate import check_random_state
from rmlib.quiz.bank import load_bank
from rmlib.quiz.items import Bank, Item
from rmlib.quiz.marking import CheckResult, _letter, option_order
from rmlib.quiz.review import (
    REREAD_BELOW,
    _review_selection,
    chapter_scores,
    draw_review,
    reread_advice,
)

# What a static page (no kernel, no widgets) shows above the answer-free questions.
_STATIC_NOTE = (
    "This self-check quiz is interactive: open the notebook in JupyterLab and run it "
    "to check your answers. The questions are listed below without their answers."
)


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
        self.order = option_order(item, order) if item.options else []
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
