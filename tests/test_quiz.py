"""Tests for rmlib.quiz: bank validation, marking of every item type, the widget, fallbacks."""

from __future__ import annotations

import copy
import html
import json

import ipywidgets as widgets
import numpy as np
import pytest

from rmlib.quiz import (
    Bank,
    Quiz,
    QuizBankError,
    available_banks,
    load_bank,
    open_questions,
    quiz,
    validate_bank,
)


def make_bank() -> dict:
    """A small valid bank with one item of every type."""
    return {
        "chapter": "ch42",
        "title": "Self-check: a test bank",
        "items": [
            {
                "id": "s1",
                "type": "single",
                "prompt": "Which one is the pick?",
                "hint": "Think of apples.",
                "options": [
                    {"text": "Apple", "correct": True, "explanation": "EXPL-apple-right"},
                    {"text": "Brick", "correct": False, "explanation": "EXPL-brick-wrong"},
                    {"text": "Cloud", "correct": False, "explanation": "EXPL-cloud-wrong"},
                ],
            },
            {
                "id": "m1",
                "type": "multiple",
                "prompt": "Which are fruit? (select all that apply)",
                "options": [
                    {"text": "Pear", "correct": True, "explanation": "EXPL-pear-right"},
                    {"text": "Stone", "correct": False, "explanation": "EXPL-stone-wrong"},
                    {"text": "Plum", "correct": True, "explanation": "EXPL-plum-right"},
                ],
            },
            {
                "id": "t1",
                "type": "truefalse",
                "prompt": "Water is wet.",
                "answer": True,
                "explanations": {"true": "EXPL-tf-true", "false": "EXPL-tf-false"},
            },
            {
                "id": "n1",
                "type": "numeric",
                "prompt": "What share bought twice?",
                "answer": 0.25,
                "tolerance": 0.005,
                "unit": "share of customers (0–1)",
                "explanation": "EXPL-numeric",
            },
        ],
        "open_questions": [
            {"prompt": "Why do relationships pay?", "guidance": "GUIDE-one"},
            {"prompt": "When do they not?", "guidance": "GUIDE-two"},
        ],
    }


EXPLANATIONS = [
    "EXPL-apple-right",
    "EXPL-brick-wrong",
    "EXPL-cloud-wrong",
    "EXPL-pear-right",
    "EXPL-stone-wrong",
    "EXPL-plum-right",
    "EXPL-tf-true",
    "EXPL-tf-false",
    "EXPL-numeric",
]


def write_bank(folder, data, name="ch42") -> None:
    (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def bank(tmp_path) -> Bank:
    write_bank(tmp_path, make_bank())
    return load_bank("ch42", directory=tmp_path)


@pytest.fixture
def q(tmp_path) -> Quiz:
    """The test bank's quiz with options in bank order (shuffling is tested apart)."""
    write_bank(tmp_path, make_bank())
    return quiz("ch42", directory=tmp_path, shuffle=False)


# --------------------------------------------------------------------------- loading


@pytest.mark.parametrize("chapter", available_banks())
def test_shipped_banks_validate(chapter):
    b = load_bank(chapter)
    assert b.chapter == chapter
    assert len({it.id for it in b.items}) == len(b.items) > 0


def test_shipped_banks_are_the_chapter_files():
    assert {"ch01", "ch02", "ch03"} <= set(available_banks())


def test_loaded_bank_has_typed_items(bank):
    assert [it.type for it in bank.items] == ["single", "multiple", "truefalse", "numeric"]
    assert bank.item("n1").tolerance == 0.005 and bank.item("n1").answer == 0.25
    assert bank.item("s1").hint == "Think of apples."
    assert bank.open_questions[1].guidance == "GUIDE-two"
    assert bank.source == "ch42.json"


def test_unknown_item_id(bank):
    with pytest.raises(KeyError, match="ch42.json has no item 'zz'; its items are s1, m1"):
        bank.item("zz")


def test_chapter_argument_is_checked(tmp_path):
    with pytest.raises(ValueError, match=r"`chapter` must look like 'ch03'.*got 'chapter 3'"):
        load_bank("chapter 3")
    write_bank(tmp_path, make_bank())
    with pytest.raises(FileNotFoundError, match=r"No quiz bank for 'ch07'.*Available: ch42"):
        load_bank("ch07", directory=tmp_path)


def test_validation_does_not_mutate_input():
    data = make_bank()
    before = copy.deepcopy(data)
    validate_bank(data, "x.json")
    assert data == before


# --------------------------------------------------------------------------- marking


def test_single_choice(bank):
    item = bank.item("s1")
    right = item.check(0)
    assert right.correct and right.answered
    wrong = item.check(1)
    assert not wrong.correct and wrong.answered
    lines = wrong.feedback.splitlines()
    assert lines[0] == "Not quite."
    # an explanation for every option, chosen or not
    assert lines[1:] == [
        "✗ The right answer: A. Apple — EXPL-apple-right",
        "✗ You chose this, but it is not right: B. Brick — EXPL-brick-wrong",
        "✓ Rightly left out: C. Cloud — EXPL-cloud-wrong",
    ]
    assert right.feedback.splitlines()[1] == "✓ You chose this, and it is right: A. Apple — " + (
        "EXPL-apple-right"
    )
    for e in ("EXPL-apple-right", "EXPL-brick-wrong", "EXPL-cloud-wrong"):
        assert e in wrong.html


def test_multiple_choice_needs_the_exact_set(bank):
    item = bank.item("m1")
    assert item.check({0, 2}).correct
    assert item.check([2, 0]).correct
    subset = item.check({0})
    assert not subset.correct
    assert "✗ You missed this one, which is right: C. Plum — EXPL-plum-right" in subset.feedback
    superset = item.check({0, 1, 2})
    assert not superset.correct
    assert "✗ You chose this, but it is not right: B. Stone — EXPL-stone-wrong" in superset.feedback
    # per option: three options, three explained lines
    assert len(superset.feedback.splitlines()) == 1 + 3
    assert "✓ Rightly left out: B. Stone" in item.check({0, 2}).feedback


def test_true_false(bank):
    item = bank.item("t1")
    yes, no = item.check(True), item.check(False)
    assert yes.correct and not no.correct
    assert no.feedback.splitlines() == [
        "Not quite.",
        "✗ Your answer (False): EXPL-tf-false",
        "✓ The other answer (True): EXPL-tf-true",
    ]
    assert "EXPL-tf-true" in yes.html and "EXPL-tf-false" in yes.html


@pytest.mark.parametrize(
    ("value", "correct"),
    [
        (0.25, True),
        (0.245, True),  # exactly at - tolerance
        (0.255, True),  # exactly at + tolerance
        (0.2449, False),
        (0.2551, False),
        (-0.25, False),
        (1, False),
    ],
)
def test_numeric_tolerance_edges(bank, value, correct):
    result = bank.item("n1").check(value)
    assert result.correct is correct
    assert result.answered
    assert "Accepted: 0.25 ± 0.005 share of customers (0–1)." in result.feedback
    assert "EXPL-numeric" in result.feedback


def test_numeric_zero_tolerance_and_large_values():
    data = make_bank()
    data["items"] = [
        {
            "id": "n0",
            "type": "numeric",
            "prompt": "Exact?",
            "answer": 1_250_000,
            "tolerance": 0,
            "unit": "roubles",
            "explanation": "e",
        },
        {
            "id": "n2",
            "type": "numeric",
            "prompt": "Roughly?",
            "answer": -3.3,
            "tolerance": 0.1,
            "unit": "points",
            "explanation": "e",
        },
    ]
    b = validate_bank(data, "x.json")
    assert b.items[0].check(1_250_000).correct
    assert not b.items[0].check(1_250_000.01).correct
    assert b.items[1].check(-3.2).correct and b.items[1].check(-3.4).correct
    assert not b.items[1].check(-3.41).correct


def test_no_answer_reveals_nothing(bank):
    for item_id, empty in [("s1", None), ("m1", set()), ("t1", None), ("n1", None)]:
        result = bank.item(item_id).check(empty)
        assert not result.answered and not result.correct
        assert not any(e in result.feedback or e in result.html for e in EXPLANATIONS)
    assert not bank.item("n1").check(float("nan")).answered


@pytest.mark.parametrize(
    ("item_id", "answer", "error", "message"),
    [
        ("s1", "Apple", TypeError, "chosen by its index 0..2"),
        ("s1", True, TypeError, "chosen by its index"),
        ("s1", 3, ValueError, "option index 3 does not exist; use 0..2"),
        ("m1", "02", TypeError, "collection of option indices"),
        ("m1", {0, 5}, ValueError, "option index 5 does not exist"),
        ("t1", "yes", TypeError, "must be True or False"),
        ("n1", "0.25", TypeError, "must be a number"),
    ],
)
def test_wrong_kind_of_answer(bank, item_id, answer, error, message):
    with pytest.raises(error, match=message):
        bank.item(item_id).check(answer)


# --------------------------------------------------------------------------- the widget


def test_widget_inputs_match_item_types(q):
    kinds = [type(item.input) for item in q.items]
    assert kinds == [widgets.RadioButtons, widgets.HBox, widgets.ToggleButtons, widgets.FloatText]
    assert all(isinstance(b, widgets.Checkbox) for b in q.items[1].input.children)
    # long option texts live in the wrapping prompt HTML; the inputs carry letters
    assert list(q.items[0].input.options) == [("A", 0), ("B", 1), ("C", 2)]
    assert [b.description for b in q.items[1].input.children] == ["A", "B", "C"]
    prompt = q.items[0].children[0].value
    assert "<b>A.</b> Apple" in prompt and "<b>C.</b> Cloud" in prompt
    assert "<details><summary>Hint</summary>Think of apples.</details>" in prompt
    numeric_row = q.items[3].children[1]
    assert numeric_row.children[1].value == "share of customers (0–1)"
    assert q.items[0].input.value is None and q.items[2].input.value is None
    assert q.items[0].check(0).correct  # the plain method is there too


def test_clicking_check_shows_feedback_and_keeps_score(q):
    assert q.score_text() == "Score: 0 of 4 correct (0 checked)"
    assert all(item.feedback.value == "" for item in q.items)

    q.items[0].input.value = 1  # wrong option
    q.items[0].check_button.click()
    assert "Not quite." in q.items[0].feedback.value
    assert "EXPL-brick-wrong" in q.items[0].feedback.value
    assert "0 of 4 correct (1 checked)" in q.score_label.value

    q.items[0].input.value = 0  # fixed
    q.items[0].check_button.click()
    assert "Correct." in q.items[0].feedback.value
    assert "1 of 4 correct (1 checked)" in q.score_label.value

    q.items[1].input.children[0].value = True
    q.items[1].input.children[2].value = True
    q.items[1].check_button.click()
    q.items[2].input.value = True
    q.items[2].check_button.click()
    q.items[3].input.value = 0.255
    q.items[3].check_button.click()
    assert q.score == (4, 4)
    assert "4 of 4 correct (4 checked)" in q.score_label.value

    q.items[3].input.value = 0.3
    q.items[3].check_button.click()
    assert q.score == (3, 4)
    assert "Your answer: 0.3" in q.items[3].feedback.value


def test_unanswered_check_does_not_count(q):
    q.items[0].check_button.click()
    assert "Choose an option" in q.items[0].feedback.value
    q.items[1].check_button.click()
    assert "Select at least one option" in q.items[1].feedback.value
    assert q.score_text() == "Score: 0 of 4 correct (0 checked)"


def test_try_again_resets_everything(q):
    q.items[0].input.value = 0
    q.items[1].input.children[1].value = True
    q.items[2].input.value = False
    q.items[3].input.value = 0.25
    for item in q.items:
        item.check_button.click()
    assert q.score == (2, 4)
    q.reset_button.click()
    assert q.score == (0, 4)
    assert "0 of 4 correct (0 checked)" in q.score_label.value
    assert q.items[0].input.value is None
    assert not any(b.value for b in q.items[1].input.children)
    assert q.items[2].input.value is None
    assert q.items[3].input.value == 0.0
    assert all(item.feedback.value == "" and item.result is None for item in q.items)


def _all_widget_state(w: widgets.Widget) -> str:
    """Every trait value the browser receives for ``w`` and its descendants."""
    out = [json.dumps(w.get_state(), default=str, ensure_ascii=False)]
    for child in getattr(w, "children", ()):
        out.append(_all_widget_state(child))
    return "\n".join(out)


def test_answers_are_not_in_widget_state_before_checking(q):
    state = _all_widget_state(q)
    assert "Which one is the pick?" in state and "Brick" in state  # the walk sees everything
    assert not any(e in state for e in EXPLANATIONS)
    assert "correct" not in state.lower().replace("0 of 4 correct", "")
    q.items[0].input.value = 1
    q.items[0].check_button.click()
    assert "EXPL-brick-wrong" in _all_widget_state(q)  # only after Check


def test_static_fallback_has_questions_but_no_answers(q):
    bundle = q._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    text, page = bundle["text/plain"], bundle["text/html"]
    for item in q.bank.items:
        assert item.prompt in text and html.escape(item.prompt) in page
        for opt in item.options:
            assert opt.text in text and opt.text in page
    assert "( ) A. Apple" in text and "[ ] C. Plum" in text and "( ) True   ( ) False" in text
    assert "Answer: ______ share of customers (0–1)" in text
    for e in [*EXPLANATIONS, "Think of apples", "0.25", "0.005"]:
        assert e not in text and e not in page
    for marker in ("✓", "✗", "correct", "right answer"):
        assert marker not in text.lower() and marker not in page.lower()


def test_static_fallback_does_not_depend_on_the_answers(tmp_path):
    """Flip every answer: the static view is byte for byte the same."""
    data = make_bank()
    flipped = copy.deepcopy(data)
    for item in flipped["items"]:
        for opt in item.get("options", []):
            opt["correct"] = not opt["correct"]
        if item["type"] == "truefalse":
            item["answer"] = not item["answer"]
        if item["type"] == "numeric":
            item["answer"] = 0.75
    flipped["items"][0]["options"][2]["correct"] = False  # single choice: exactly one right
    a = Quiz(validate_bank(data, "a.json"))
    b = Quiz(validate_bank(flipped, "b.json"))
    assert [x.order for x in a.items] == [x.order for x in b.items]
    assert a.static_text() == b.static_text()
    assert a.static_html() == b.static_html()


def test_quiz_needs_a_bank():
    with pytest.raises(TypeError, match="`bank` must be a Bank from load_bank"):
        Quiz({"items": []})


def test_shipped_quiz_builds_and_marks():
    q = quiz("ch03")
    assert len(q.items) == len(load_bank("ch03").items)
    for item in q.items:  # answer every item right through the widgets
        it = item.item
        if it.type == "single":
            item.input.value = next(i for i, o in enumerate(it.options) if o.correct)
        elif it.type == "multiple":
            for box, i in zip(item.input.children, item.order, strict=True):
                box.value = it.options[i].correct
        else:
            item.input.value = it.answer
        item.check_button.click()
    assert q.score == (len(q.items), len(q.items))


# --------------------------------------------------------------------------- open questions


def test_open_questions_have_collapsed_guidance(tmp_path):
    write_bank(tmp_path, make_bank())
    oq = open_questions("ch42", directory=tmp_path)
    assert oq.html.count("<li>") == 2
    assert oq.html.count("<details>") == 2
    assert "<summary>What a good answer covers</summary><p>GUIDE-one</p></details>" in oq.html
    assert str(oq).splitlines()[2] == "1. Why do relationships pay?"
    assert "What a good answer covers: GUIDE-two" in str(oq)


# --------------------------------------------------------------------------- malformed banks


def _parent(d, path):
    """The container of the field at ``path`` in ``d``, and that field's key."""
    *head, last = path
    for key in head:
        d = d[key]
    return d, last


def _set(path, value):
    def mutate(d):
        target, last = _parent(d, path)
        target[last] = value

    return mutate


def _del(path):
    def mutate(d):
        target, last = _parent(d, path)
        del target[last]

    return mutate


MALFORMED = {
    "missing title": (_del(["title"]), "ch42.json: required field 'title' is missing"),
    "misspelt top-level key": (
        lambda d: d.__setitem__("open_question", d.pop("open_questions")),
        "field 'open_question': unknown field; did you mean 'open_questions'?",
    ),
    "chapter differs from file": (
        _set(["chapter"], "ch41"),
        "the file is the bank of 'ch42' but says 'ch41'",
    ),
    "chapter badly formed": (_set(["chapter"], "42"), "expected 'chNN' such as 'ch03'"),
    "no items": (_set(["items"], []), "field 'items': expected a non-empty list"),
    "unknown type": (
        _set(["items", 0, "type"], "essay"),
        "item 's1', field 'type': expected one of single, multiple, truefalse, numeric, "
        "found 'essay'",
    ),
    "single with two right": (
        _set(["items", 0, "options", 1, "correct"], True),
        "item 's1', field 'options': a single-choice item needs exactly one option with "
        '"correct": true, found 2',
    ),
    "single with none right": (
        _set(["items", 0, "options", 0, "correct"], False),
        'exactly one option with "correct": true, found 0',
    ),
    "multiple with none right": (
        lambda d: [o.__setitem__("correct", False) for o in d["items"][1]["options"]],
        "item 'm1', field 'options': a multiple-choice item needs at least one option",
    ),
    "option without explanation": (
        _del(["items", 1, "options", 1, "explanation"]),
        "item 'm1', option 2, field 'explanation': missing or empty; every option needs",
    ),
    "option with empty text": (
        _set(["items", 0, "options", 2, "text"], "  "),
        "item 's1', option 3, field 'text': missing or empty",
    ),
    "correct is not a boolean": (
        _set(["items", 0, "options", 1, "correct"], "no"),
        "item 's1', option 2, field 'correct': expected true or false, found 'no'",
    ),
    "one option only": (
        _set(["items", 0, "options"], [{"text": "a", "correct": True, "explanation": "b"}]),
        "item 's1', field 'options': expected a list of at least 2 options",
    ),
    "duplicate option text": (
        _set(["items", 0, "options", 2, "text"], "Brick"),
        "item 's1', field 'options': the option text 'Brick' appears twice",
    ),
    "misspelt option key": (
        lambda d: d["items"][0]["options"][0].__setitem__("explaination", "x"),
        "item 's1', option 1, field 'explaination': unknown field; did you mean 'explanation'?",
    ),
    "true/false answer not boolean": (
        _set(["items", 2, "answer"], "true"),
        "item 't1', field 'answer': expected true or false, found 'true'",
    ),
    "true/false without false explanation": (
        _del(["items", 2, "explanations", "false"]),
        "item 't1', field 'explanations': expected an object with keys \"true\" and \"false\"",
    ),
    "true/false with empty explanation": (
        _set(["items", 2, "explanations", "true"], ""),
        "item 't1', field 'explanations.true': empty",
    ),
    "numeric negative tolerance": (
        _set(["items", 3, "tolerance"], -0.01),
        "item 'n1', field 'tolerance': expected a number >= 0",
    ),
    "numeric without tolerance": (
        _del(["items", 3, "tolerance"]),
        "item 'n1', field 'tolerance': expected a number >= 0 (answers within answer ± "
        "tolerance count), found None",
    ),
    "numeric answer is text": (
        _set(["items", 3, "answer"], "0.25"),
        "item 'n1', field 'answer': expected a finite number, found '0.25'",
    ),
    "numeric without unit": (_del(["items", 3, "unit"]), "item 'n1', field 'unit': missing"),
    "numeric without explanation": (
        _del(["items", 3, "explanation"]),
        "item 'n1', field 'explanation': missing or empty; explain how the answer",
    ),
    "numeric with options": (
        _set(["items", 3, "options"], []),
        "item 'n1', field 'options': unknown field; allowed: id, type, prompt, hint, answer, "
        "tolerance, unit, explanation (for type 'numeric')",
    ),
    "duplicate id": (
        _set(["items", 1, "id"], "s1"),
        "item 's1', field 'id': the id is used twice (items #1 and #2)",
    ),
    "missing id": (_del(["items", 1, "id"]), "item #2, field 'id': missing or empty"),
    "empty prompt": (_set(["items", 2, "prompt"], ""), "item 't1', field 'prompt': missing"),
    "empty hint": (_set(["items", 2, "hint"], ""), "item 't1', field 'hint': empty"),
    "item not an object": (_set(["items", 2], "Water is wet"), "item #3: expected an object"),
    "open question without guidance": (
        _del(["open_questions", 1, "guidance"]),
        "ch42.json, open question #2, field 'guidance': missing or empty; write what a good "
        "answer covers",
    ),
    "open questions not a list": (
        _set(["open_questions"], "discuss"),
        "field 'open_questions': expected a list",
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_bank_is_reported(tmp_path, case):
    mutate, message = MALFORMED[case]
    data = make_bank()
    mutate(data)
    write_bank(tmp_path, data)
    with pytest.raises(QuizBankError) as err:
        load_bank("ch42", directory=tmp_path)
    text = str(err.value)
    # one mistake, one problem (a misspelt key is also a missing one)
    n = 2 if case == "misspelt top-level key" else 1
    assert f"Quiz bank ch42.json has {n} problem(s)" in text, text
    assert message in text, text
    assert err.value.problems[0].startswith("ch42.json")


def test_every_problem_is_reported_at_once(tmp_path):
    data = make_bank()
    data["items"][0]["options"][1]["correct"] = True
    data["items"][3]["tolerance"] = -1
    del data["open_questions"][0]["prompt"]
    write_bank(tmp_path, data)
    with pytest.raises(QuizBankError) as err:
        load_bank("ch42", directory=tmp_path)
    assert len(err.value.problems) == 3
    assert "Quiz bank ch42.json has 3 problem(s)" in str(err.value)


def test_invalid_json_names_line_and_column(tmp_path):
    (tmp_path / "ch42.json").write_text('{"chapter": "ch42",\n "title": "x" "items": []}')
    with pytest.raises(QuizBankError, match=r"ch42\.json: not valid JSON at line 2, column 15"):
        load_bank("ch42", directory=tmp_path)


def test_bank_that_is_not_an_object():
    with pytest.raises(QuizBankError, match="x.json: the bank must be a JSON object"):
        validate_bank([1, 2], "x.json")


# --------------------------------------------------------------------------- shuffled options


def test_options_are_shuffled_reproducibly_and_marked_by_bank_index(tmp_path):
    data = make_bank()
    data["items"][0]["options"] += [
        {"text": f"Filler {k}", "correct": False, "explanation": f"EXPL-filler-{k}"}
        for k in range(5)
    ]
    write_bank(tmp_path, data)
    a = quiz("ch42", directory=tmp_path)
    b = quiz("ch42", directory=tmp_path)
    c = quiz("ch42", directory=tmp_path, random_state=7)
    first = a.items[0]
    assert sorted(first.order) == list(range(8))
    assert first.order == b.items[0].order  # the same seed, the same order
    assert first.order != list(range(8))  # shuffled
    assert c.items[0].order != first.order  # another seed, another order
    shown = list(first.input.options)
    texts = [data["items"][0]["options"][i]["text"] for i in first.order]
    assert shown == [("ABCDEFGH"[k], i) for k, i in enumerate(first.order)]
    prompt = first.children[0].value
    assert [prompt.index(f"</b> {t}</div>") for t in texts] == sorted(
        prompt.index(f"</b> {t}</div>") for t in texts
    )
    # the static page lists the options in the order the widget shows them
    static_lines = [ln.strip() for ln in a.static_text().splitlines() if ln.startswith("   ( )")]
    assert static_lines[:8] == [f"( ) {'ABCDEFGH'[k]}. {t}" for k, t in enumerate(texts)]
    # answers are bank indices, whatever the display order; feedback follows the display
    first.input.value = 0
    first.check_button.click()
    assert a.score == (1, 4)
    lines = first.result.feedback.splitlines()[1:]
    assert [next(t for t in texts if f" {t} — " in ln) for ln in lines] == texts
    assert [ln.split(": ", 1)[1][:2] for ln in lines] == [f"{c}." for c in "ABCDEFGH"]
    # checkboxes map back to bank indices too
    multi = a.items[1]
    for box, i in zip(multi.input.children, multi.order, strict=True):
        box.value = i in (0, 2)
    assert multi.current_answer() == {0, 2}
    multi.check_button.click()
    assert a.score == (2, 4)


def test_shuffle_accepts_a_generator_and_checks_the_seed(tmp_path):
    write_bank(tmp_path, make_bank())
    rng = np.random.default_rng(3)
    assert sorted(quiz("ch42", directory=tmp_path, random_state=rng).items[1].order) == [0, 1, 2]
    with pytest.raises(TypeError, match="`random_state` must be an int seed"):
        quiz("ch42", directory=tmp_path, random_state="x")


def test_shipped_quizzes_do_not_always_show_the_right_option_first():
    """Bank authors write the right option first; the quiz must not show it there."""
    firsts, total = 0, 0
    for chapter in available_banks():
        for item in quiz(chapter).items:
            if item.item.type == "single":
                total += 1
                firsts += item.item.options[item.order[0]].correct
    assert total >= 10 and firsts < total / 2


def test_order_must_be_a_permutation(bank):
    with pytest.raises(ValueError, match=r"`order` must list each option index 0\.\.2 once"):
        bank.item("s1").check(0, order=[0, 0, 1])
    lines = bank.item("s1").check(0, order=[2, 0, 1]).feedback.splitlines()
    assert lines[1].startswith("✓ Rightly left out: A. Cloud")
