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

What lives where
    :mod:`rmlib.quiz.items` holds what a bank is made of (:class:`Item`,
    :class:`Option`, :class:`OpenQuestion`, :class:`Bank`);
    :mod:`rmlib.quiz.schema` checks a bank against the format
    (:func:`validate_bank`, :class:`QuizBankError`); :mod:`rmlib.quiz.marking`
    marks an answer (:meth:`Item.check`, :class:`CheckResult`);
    :mod:`rmlib.quiz.bank` loads the banks and shows the open questions (and
    re-exports the names above, as before); :mod:`rmlib.quiz.review` the
    review across chapters (draws, scores per chapter, rereading advice, the
    textbook's questions). None of them imports ipywidgets, so the grader and
    a static site can use the banks without a notebook front end.
    :mod:`rmlib.quiz.widget` holds the widgets (:class:`Quiz`,
    :class:`QuizQuestion`, :class:`ReviewQuiz`, :func:`quiz`,
    :func:`review_quiz`). Every name is re-exported here.

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

from rmlib.quiz.bank import (
    ITEM_TYPES,
    Bank,
    CheckResult,
    Item,
    OpenQuestion,
    Option,
    QuizBankError,
    available_banks,
    load_bank,
    open_questions,
    validate_bank,
)
from rmlib.quiz.review import (
    REREAD_BELOW as REREAD_BELOW,  # importable as before, not in __all__
)
from rmlib.quiz.review import (
    ReviewItem,
    all_open_questions,
    chapter_scores,
    draw_review,
    load_textbook_questions,
    reread_advice,
    review_chapters,
    review_items,
    textbook_questions,
)

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

# The widgets are imported on first use (PEP 562), so that importing the banks
# (rmlib.quiz.bank, rmlib.quiz.review, or this package for load_bank) does not
# import ipywidgets: the grader and static builds need no notebook front end.
_WIDGET_NAMES = ("Quiz", "QuizQuestion", "ReviewQuiz", "quiz", "review_quiz")


def __getattr__(name: str):
    if name in _WIDGET_NAMES:
        from rmlib.quiz import widget

        value = getattr(widget, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WIDGET_NAMES))
