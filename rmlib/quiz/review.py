"""Review across chapters (chapter 6): draws from every bank, scores per chapter, advice.

Plain Python (no ipywidgets): the draws, the per-chapter scores and the
rereading advice are what :class:`rmlib.quiz.widget.ReviewQuiz` shows; the
textbook's own questions for the whole course are here too.
"""

from __future__ import annotations

import html
import json
import numbers
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from rmlib._validate import CHAPTER_CODE, check_chapter_code, check_random_state
from rmlib.course import Rendered
from rmlib.quiz.bank import _bank_dir, available_banks, load_bank, open_questions
from rmlib.quiz.items import Item
from rmlib.quiz.schema import QuizBankError, _is_real, _is_text, _unknown_keys

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
