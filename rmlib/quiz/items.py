"""What a quiz bank holds: items, their options, open questions, the bank itself.

Frozen data classes, built by :func:`rmlib.quiz.validate_bank` from a bank's
JSON (the format is described in :mod:`rmlib.quiz`); :meth:`Item.check` marks
an answer with :mod:`rmlib.quiz.marking`. Plain Python, no ipywidgets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rmlib.quiz.marking import CheckResult, mark

__all__ = ["Bank", "Item", "OpenQuestion", "Option"]


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
        >>> from rmlib.quiz import validate_bank
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
        return mark(self, answer, order)


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

        >>> from rmlib.quiz import load_bank
        >>> load_bank("ch01").item("ch01-01").type
        'single'
        """
        for it in self.items:
            if it.id == item_id:
                return it
        ids = [it.id for it in self.items]
        raise KeyError(f"{self.source} has no item {item_id!r}; its items are {', '.join(ids)}.")
