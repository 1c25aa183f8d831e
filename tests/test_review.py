"""The course review of chapter 6: one bank per chapter, read by the review, never copied.

Every item of every chapter bank must be reachable both from its chapter
(:func:`rmlib.quiz.load_bank`) and from the review (:func:`rmlib.quiz.review_items`,
:func:`rmlib.quiz.draw_review`); the chapter-6 notebook and bank repeat no item of another
chapter; a draw is balanced over the chosen chapters and seeded; the per-chapter score and
the reread advice follow from the answers; the textbook's five questions are quoted as
the textbook asks them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest

from rmlib.quiz import (
    REREAD_BELOW,
    QuizBankError,
    ReviewQuiz,
    all_open_questions,
    available_banks,
    chapter_scores,
    draw_review,
    load_bank,
    load_textbook_questions,
    reread_advice,
    review_chapters,
    review_items,
    review_quiz,
    textbook_questions,
)

ROOT = Path(__file__).resolve().parent.parent
CHAPTER6 = ROOT / "notebooks" / "06_self_check_and_capstone.ipynb"


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _answer_right(question) -> None:
    """Set a quiz widget's input to the right answer and press Check."""
    it = question.item
    if it.type == "single":
        question.input.value = next(i for i, o in enumerate(it.options) if o.correct)
    elif it.type == "multiple":
        for i, box in zip(question.order, question.input.children, strict=True):
            box.value = it.options[i].correct
    else:
        question.input.value = it.answer
    question.check_button.click()


def _answer_wrong(question) -> None:
    it = question.item
    if it.type == "single":
        question.input.value = next(i for i, o in enumerate(it.options) if not o.correct)
    elif it.type == "multiple":
        for i, box in zip(question.order, question.input.children, strict=True):
            box.value = not it.options[i].correct
    elif it.type == "truefalse":
        question.input.value = not it.answer
    else:
        question.input.value = it.answer + 10 * (it.tolerance + 1)
    question.check_button.click()


# --------------------------------------------------------------------------- one source


def test_review_covers_every_chapter_bank_but_chapter_0():
    assert review_chapters() == [c for c in available_banks() if c != "ch00"]
    assert {"ch01", "ch02", "ch03", "ch05", "ch06"} <= set(review_chapters())


@pytest.mark.parametrize("chapter", review_chapters())
def test_every_item_is_reachable_from_its_chapter_and_from_the_review(chapter):
    bank = load_bank(chapter)
    in_review = {(r.chapter, r.item.id): r.item for r in review_items()}
    for it in bank.items:
        assert bank.item(it.id) == it
        assert in_review[(chapter, it.id)] == it  # the same item, read from the same file
    mine = [r for r in review_items([chapter])]
    assert [r.item for r in mine] == list(bank.items)


def test_a_full_draw_holds_every_item_exactly_once():
    pool = review_items()
    draw = draw_review(len(pool), random_state=3)
    assert sorted((r.chapter, r.item.id) for r in draw) == sorted(
        (r.chapter, r.item.id) for r in pool
    )


def test_no_item_is_copied_between_banks():
    """One source per item: no prompt appears in two banks, or twice in one."""
    prompts = [_norm(r.item.prompt) for r in review_items()]
    dupes = sorted({p for p in prompts if prompts.count(p) > 1})
    assert dupes == []


def test_chapter_6_notebook_copies_no_item_of_any_bank():
    """The review chapter shows the banks through rmlib.quiz; no prompt is typed into it."""
    nb = nbformat.read(CHAPTER6, as_version=4)
    source = _norm(" ".join(c.source for c in nb.cells))
    copied = [r.item.id for r in review_items() if _norm(r.item.prompt) in source]
    copied += [
        q.prompt
        for ch in review_chapters()
        for q in load_bank(ch).open_questions
        if _norm(q.prompt) in source
    ]
    assert copied == []
    for q in load_textbook_questions()["questions"]:
        assert _norm(q["ru"]) not in source and _norm(q["guidance"]) not in source


def test_a_bank_added_later_joins_the_review(tmp_path):
    """Chapters that land later (a new chNN.json) are reviewed without any code change."""
    for ch in ("ch01", "ch03"):
        data = json.loads((ROOT / "rmlib" / "resources" / "quizzes" / f"{ch}.json").read_text())
        (tmp_path / f"{ch}.json").write_text(json.dumps(data), encoding="utf-8")
    assert review_chapters(tmp_path) == ["ch01", "ch03"]
    new = json.loads((ROOT / "rmlib" / "resources" / "quizzes" / "ch01.json").read_text())
    new["chapter"] = "ch09"
    for it in new["items"]:
        it["id"] = it["id"].replace("ch01", "ch09")
    (tmp_path / "ch09.json").write_text(json.dumps(new), encoding="utf-8")
    assert review_chapters(tmp_path) == ["ch01", "ch03", "ch09"]
    draw = draw_review(6, random_state=0, directory=tmp_path)
    assert sorted(r.chapter for r in draw) == ["ch01", "ch01", "ch03", "ch03", "ch09", "ch09"]


# --------------------------------------------------------------------------- the draw


def test_draw_is_balanced_over_the_chosen_chapters():
    chapters = ["ch01", "ch02", "ch03"]
    for seed in range(5):
        draw = draw_review(7, chapters, random_state=seed)
        counts = sorted(sum(r.chapter == ch for r in draw) for ch in chapters)
        assert counts == [2, 2, 3]
        assert len({(r.chapter, r.item.id) for r in draw}) == 7


def test_draw_is_seeded_and_another_seed_gives_another_draw():
    ids = lambda d: [(r.chapter, r.item.id) for r in d]  # noqa: E731
    assert ids(draw_review(8, random_state=5)) == ids(draw_review(8, random_state=5))
    draws = {tuple(ids(draw_review(8, random_state=s))) for s in range(6)}
    assert len(draws) == 6


def test_a_chapter_with_few_items_gives_them_all_and_the_rest_come_from_others():
    small = len(load_bank("ch06").items)
    big = len(load_bank("ch01").items)
    draw = draw_review(small + big, ["ch06", "ch01"], random_state=0)
    assert sum(r.chapter == "ch06" for r in draw) == small


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 0}, ValueError, r"`n` must be a whole number of items >= 1, got 0"),
        ({"n": 2.5}, ValueError, r"`n` must be a whole number"),
        ({"n": True}, ValueError, r"`n` must be a whole number"),
        ({"n": 10_000}, ValueError, r"hold only \d+ items; ask for at most \d+"),
        ({"n": 3, "chapters": []}, ValueError, r"`chapters` is empty; pick at least one of ch01"),
        ({"n": 3, "chapters": ["ch42"]}, ValueError, r"names 'ch42', which has no quiz bank"),
        ({"n": 3, "chapters": ["ch00"]}, ValueError, r"names 'ch00', which has no quiz bank"),
        ({"n": 3, "chapters": ["3"]}, ValueError, r"must look like 'ch03'"),
        ({"n": 3, "chapters": 3}, TypeError, r"`chapters` must be a list of chapter codes"),
        ({"n": 3, "random_state": "x"}, TypeError, r"`random_state` must be an int seed"),
    ],
)
def test_draw_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        draw_review(**kwargs)


def test_a_single_chapter_may_be_named_as_a_string_and_repeats_are_ignored():
    assert {r.chapter for r in draw_review(3, "ch02")} == {"ch02"}
    assert len(review_items(["ch02", "ch02"])) == len(load_bank("ch02").items)


# --------------------------------------------------------------------------- scores


def test_chapter_scores_by_hand():
    results = [
        ("ch03", True),
        ("ch01", False),
        ("ch03", None),
        ("ch01", True),
        ("ch05", True),
        ("ch05", True),
        ("ch05", False),
    ]
    before = copy.deepcopy(results)
    s = chapter_scores(results)
    assert results == before
    assert list(s.index) == ["ch01", "ch03", "ch05"]
    assert s.loc["ch01"].tolist() == [2, 2, 1, 0.5, True]
    assert s.loc["ch03"].tolist() == [2, 1, 1, 0.5, True]  # not answered counts as not right
    assert s.loc["ch05", "share"] == pytest.approx(2 / 3)
    assert bool(s.loc["ch05", "reread"]) is True  # 0.667 < 0.7
    assert not chapter_scores(results, threshold=0.6).loc["ch05", "reread"]
    assert REREAD_BELOW == 0.7


def test_reread_advice_orders_the_weakest_chapter_first():
    s = chapter_scores(
        [("ch01", True), ("ch01", False), ("ch02", False), ("ch02", False), ("ch03", True)]
    )
    text = reread_advice(s)
    first, second = text.splitlines()
    assert first.startswith("Reread first: chapter 2, types of relationship marketing")
    assert "(0 of 2 right); then chapter 1," in first
    assert second == "Well done: chapter 3 (1 of 1 right)."
    assert "Reread" not in reread_advice(chapter_scores([("ch01", True)]))


@pytest.mark.parametrize(
    ("results", "kwargs", "error", "message"),
    [
        ([], {}, ValueError, "`results` is empty"),
        ([("ch01", "yes")], {}, TypeError, r"must be True, False or None"),
        ([("chapter 1", True)], {}, ValueError, "must look like 'ch03'"),
        (["ch01"], {}, TypeError, r"must hold \(chapter, correct\) pairs"),
        ([("ch01", True)], {"threshold": 70}, ValueError, r"`threshold` must be a share"),
        ([("ch01", True)], {"threshold": 0}, ValueError, r"`threshold` must be a share"),
    ],
)
def test_chapter_scores_rejects_bad_input(results, kwargs, error, message):
    with pytest.raises(error, match=message):
        chapter_scores(results, **kwargs)


def test_reread_advice_needs_a_score_table():
    with pytest.raises(TypeError, match="the table that chapter_scores"):
        reread_advice({"ch01": 1})


# --------------------------------------------------------------------------- the widget


def test_review_quiz_scores_each_chapter_and_names_the_one_to_reread():
    rq = review_quiz(6, ["ch01", "ch02", "ch03"], random_state=11)
    assert isinstance(rq, ReviewQuiz)
    assert sorted(r.chapter for r in rq.draw) == ["ch01", "ch01", "ch02", "ch02", "ch03", "ch03"]
    assert "Check your answers" in rq.report.value
    for r, q in zip(rq.draw, rq.quiz.items, strict=True):
        assert q.item.prompt.startswith(f"[Chapter {int(r.chapter[2:])}] ")
        (_answer_wrong if r.chapter == "ch02" else _answer_right)(q)
    s = rq.chapter_scores()
    assert s["correct"].tolist() == [2, 0, 2] and s["reread"].tolist() == [False, True, False]
    assert rq.advice().startswith("Reread first: chapter 2")
    assert "Score by chapter" in rq.report.value and "Reread first: chapter 2" in rq.report.value
    assert rq.quiz.score == (4, 6)


def test_try_again_and_new_questions():
    rq = review_quiz(5, random_state=2)
    first = [(r.chapter, r.item.id) for r in rq.draw]
    _answer_right(rq.quiz.items[0])
    assert rq.chapter_scores()["checked"].sum() == 1
    rq.quiz.reset_button.click()
    assert rq.chapter_scores()["checked"].sum() == 0
    assert "Check your answers" in rq.report.value
    rq.new_draw_button.click()
    second = [(r.chapter, r.item.id) for r in rq.draw]
    assert second != first and len(second) == 5
    assert rq.children[0] is rq.quiz and rq.chapter_scores()["checked"].sum() == 0
    # the same seed gives the same first draw: a notebook shows the same quiz on every run
    assert [(r.chapter, r.item.id) for r in review_quiz(5, random_state=2).draw] == first


def test_review_quiz_static_view_has_no_answers():
    rq = review_quiz(len(review_items(["ch03"])), ["ch03"], random_state=0)
    bundle = rq._repr_mimebundle_()
    text = bundle["text/plain"]
    for r in rq.draw:
        assert r.item.prompt.split(".")[0] in text
        for o in r.item.options:
            assert o.explanation not in text and o.explanation not in bundle["text/html"]
        if r.item.explanation:
            assert r.item.explanation not in text


def test_review_quiz_checks_its_arguments():
    with pytest.raises(ValueError, match="`threshold` must be a share"):
        review_quiz(3, threshold=1.5)
    with pytest.raises(ValueError, match="names 'ch42'"):
        review_quiz(3, ["ch42"])


# --------------------------------------------------------------------------- open questions


def test_all_open_questions_holds_every_chapters_questions_with_guidance():
    oq = all_open_questions()
    text = str(oq)
    n = 0
    for ch in review_chapters():
        for q in load_bank(ch).open_questions:
            assert q.prompt in text and q.guidance in text
            n += 1
        assert f"Chapter {int(ch[2:])}: " in text
    assert oq.html.count("<details>") == n
    assert str(all_open_questions("ch05")).startswith("Questions for discussion, chapter 5\n")


# --------------------------------------------------------------------------- the textbook

#: The five questions as printed in Martyshev, «Маркетинг отношений», p. 57.
TEXTBOOK = [
    "Почему важно повышать лояльность потребителей?",
    "Назовите и охарактеризуйте методы оценки потребительской лояльности?",
    "Назовите программы повышения лояльности клиентов?",
    "Каковы методы повышения лояльности второй и третьей группы потребителей по шкале "
    "прибыльности?",
    "Какие методы оценки и программы повышения лояльности клиентов применимы к "
    "Дальневосточному рынку?",
]


def test_textbook_questions_are_quoted_and_attributed():
    data = load_textbook_questions()
    assert [q["ru"] for q in data["questions"]] == TEXTBOOK
    assert data["source"]["author_en"] == "A. V. Martyshev"
    assert data["source"]["title"] == "Маркетинг отношений"
    for q in data["questions"]:
        assert q["en"] and q["guidance"] and q["en"] != q["ru"]
    shown = textbook_questions()
    for q in data["questions"]:
        assert q["ru"] in str(shown) and q["en"] in str(shown)
    assert "Martyshev" in shown.html and shown.html.count("<details>") == 5


def test_textbook_questions_point_at_chapters_with_banks():
    have = set(available_banks())
    for q in load_textbook_questions()["questions"]:
        assert set(q["chapters"]) <= have, (q["number"], q["chapters"])


def test_textbook_questions_file_is_validated(tmp_path):
    data = load_textbook_questions()
    bad = copy.deepcopy(data)
    bad["questions"][1]["number"] = 7
    bad["questions"][2]["ru"] = "Name the programs"
    bad["questions"][3]["chapters"] = ["chapter 4"]
    bad["questions"][4]["extra"] = 1
    del bad["source"]["author"]
    path = tmp_path / "tq.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(QuizBankError) as err:
        load_textbook_questions(path)
    problems = "\n".join(err.value.problems)
    assert "question #2, field 'number': expected 2, found 7" in problems
    assert "question #3, field 'ru': quote the Russian original" in problems
    assert "question #4, field 'chapters'" in problems
    assert "question #5, field 'extra': unknown field" in problems
    assert "field 'source.author': missing or empty" in problems
    assert len(err.value.problems) == 5
