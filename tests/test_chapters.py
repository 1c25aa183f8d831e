"""Every chapter notebook follows the course's chapter template.

For each ``notebooks/NN_name.ipynb`` with NN >= 01: the title line, the
template's level-2 headings in order, the first code cell, the closing
navigation cell, the quiz bank (valid, at least 8 items and 5 open
questions) shown through :func:`rmlib.quiz.quiz` without answers in the
source, the glossary file shown through :func:`rmlib.glossary.key_terms`,
and a worked-solutions notebook.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from _nbrun import NOTEBOOKS_DIR

from rmlib.glossary import load_glossary
from rmlib.quiz import available_banks, load_bank

TEMPLATE_HEADINGS = [
    "What you will learn",
    "The case",
    "Key terms",
    "Concepts",
    "Worked example",
    "Explorer",
    "Practice",
    "Self-check quiz",
    "Questions for discussion",
    "Summary",
    "Further reading",
]
MIN_QUIZ_ITEMS = 8
MIN_OPEN_QUESTIONS = 5

# Solutions live in notebooks/solutions/, which this glob does not reach. The capstone's
# self-study workbook follows the graded capstone, not the chapter template:
# tests/test_capstone_self_study.py checks it.
WORKBOOKS = {"07_capstone_self_study"}
CHAPTERS = sorted(
    p
    for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")
    if int(p.name[:2]) >= 1 and p.stem not in WORKBOOKS
)
chapters = pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])


def chapter_id(path: Path) -> str:
    return f"ch{path.name[:2]}"


def read(path: Path):
    return nbformat.read(path, as_version=4)


def headings(nb) -> list[tuple[int, str]]:
    """(cell index, text) of every level-2 heading outside code fences."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif not fenced and line.startswith("## "):
                found.append((i, line[3:].strip()))
    return found


def is_template_heading(text: str, wanted: str) -> bool:
    """'The case: two arms' counts as 'The case'; 'Explorers' does not count as 'Explorer'."""
    return text == wanted or bool(re.match(re.escape(wanted) + r"[\s:—–-]", text))


def calls(source: str) -> list[tuple[str, list]]:
    """(function name, literal positional arguments) for every call in ``source``."""
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    out = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            out.append((name, args))
    return out


def section_code(nb, heading: str) -> str:
    """The code of the cells under the level-2 ``heading``, up to the next level-2 heading."""
    marks = headings(nb)
    starts = [i for i, text in marks if is_template_heading(text, heading)]
    assert starts, f"no '## {heading}' section"
    start = starts[0]
    end = next((i for i, _ in marks if i > start), len(nb.cells))
    return "\n".join(c.source for c in nb.cells[start:end] if c.cell_type == "code")


def test_chapters_are_found():
    """The chapter list is not empty (a wrong folder would check nothing)."""
    assert [p.stem for p in CHAPTERS][:1] == ["01_definitions"]


@chapters
def test_title_line(path):
    """The first cell is markdown and its first line is '# Chapter N. Title' with N from the file."""
    first = read(path).cells[0]
    assert first.cell_type == "markdown"
    line = first.source.splitlines()[0]
    m = re.match(r"^# Chapter (\d+)\. \S.*$", line)
    assert m, f"first line is {line!r}; write '# Chapter {int(path.name[:2])}. Title'"
    assert int(m.group(1)) == int(path.name[:2])


def template_problem(nb) -> str | None:
    """Why the notebook's '##' headings break the template, or None if they follow it."""
    found = [text for _, text in headings(nb)]
    pos = -1
    for wanted in TEMPLATE_HEADINGS:
        hits = [i for i, text in enumerate(found) if i > pos and is_template_heading(text, wanted)]
        if not hits:
            after = found[pos] if pos >= 0 else "(title)"
            return (
                f"'## {wanted}' missing or out of order (expected after '## {after}'); "
                f"headings found: {found}"
            )
        pos = hits[0]
    return None


@chapters
def test_template_headings_in_order(path):
    """The template's '##' headings all appear, in the template's order."""
    assert template_problem(read(path)) is None


def _md_notebook(*titles: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"## {t}") for t in titles]
    return nb


def test_the_template_check_can_fail():
    """The heading check accepts extra and continued headings, and rejects a swap or a gap."""
    good = list(TEMPLATE_HEADINGS)
    good[1] = "The case: two arms"
    assert template_problem(_md_notebook(*good[:3], "Extra", *good[3:])) is None
    swapped = list(TEMPLATE_HEADINGS)
    swapped[5], swapped[6] = swapped[6], swapped[5]
    assert "'## Practice' missing or out of order" in template_problem(_md_notebook(*swapped))
    assert "'## Summary' missing" in template_problem(
        _md_notebook(*[t for t in TEMPLATE_HEADINGS if t != "Summary"])
    )
    assert template_problem(_md_notebook(*["Explorers" if t == "Explorer" else t for t in good]))
    fenced = nbformat.v4.new_notebook()
    fenced.cells = [nbformat.v4.new_markdown_cell("```\n## What you will learn\n```")]
    assert headings(fenced) == []


def test_the_call_finder():
    """calls() sees plain and dotted calls with their literal arguments."""
    found = calls(
        '%matplotlib inline\nfrom rmlib import course\ncourse.navigation("01_x")\nquiz(name)'
    )
    assert ("navigation", ["01_x"]) in found and ("quiz", [None]) in found


@chapters
def test_first_code_cell_imports_rmlib_and_fixes_seed(path):
    """The first code cell imports from rmlib and fixes the seed."""
    first = next(c for c in read(path).cells if c.cell_type == "code").source
    assert re.search(r"^\s*(from|import) rmlib", first, re.MULTILINE)
    assert re.search(r"SEED\s*=|random_state\s*=|default_rng\(", first), "fix the seed"


@chapters
def test_ends_with_navigation(path):
    """The last cell is a code cell calling navigation() with the notebook's own name."""
    last = read(path).cells[-1]
    assert last.cell_type == "code", "the last cell must be the navigation code cell"
    assert ("navigation", [path.stem]) in calls(last.source), (
        f'the last cell must call navigation("{path.stem}")'
    )


@chapters
def test_quiz_bank_validates_and_is_big_enough(path):
    """The chapter's quiz bank validates and has enough items and open questions."""
    bank = load_bank(chapter_id(path))
    assert len(bank.items) >= MIN_QUIZ_ITEMS, f"{len(bank.items)} quiz items"
    assert len(bank.open_questions) >= MIN_OPEN_QUESTIONS, (
        f"{len(bank.open_questions)} open questions"
    )


@chapters
def test_quiz_section_shows_the_bank(path):
    """The quiz section calls quiz("chNN") (the answers stay in the bank)."""
    assert ("quiz", [chapter_id(path)]) in calls(section_code(read(path), "Self-check quiz"))


@chapters
def test_discussion_section_shows_the_open_questions(path):
    """The discussion section calls open_questions("chNN")."""
    code = section_code(read(path), "Questions for discussion")
    assert ("open_questions", [chapter_id(path)]) in calls(code)


@chapters
def test_no_quiz_answers_in_the_notebook_source(path):
    """No explanation from the quiz bank is written into the notebook itself."""
    bank = load_bank(chapter_id(path))
    source = " ".join(" ".join(c.source.split()) for c in read(path).cells)
    texts = [o.explanation for it in bank.items for o in it.options]
    texts += [it.explanation for it in bank.items if it.explanation]
    texts += [e for it in bank.items for e in it.explanations.values()]
    leaked = [t for t in texts if " ".join(t.split()) in source]
    assert leaked == []


@chapters
def test_glossary_has_the_chapters_terms_in_both_languages(path):
    """The chapter's glossary file exists and each of its terms has English and Russian names."""
    ch = chapter_id(path)
    g = load_glossary()  # validates every file: header, duplicates, Cyrillic
    terms = g[g["chapter"] == ch]
    assert len(terms) > 0, f"no terms in rmlib/resources/glossary/{ch}.csv"
    assert (terms["term"].str.strip() != "").all()
    assert terms["term_ru"].str.contains(r"[\u0400-\u04FF]").all()


@chapters
def test_key_terms_section_renders_the_glossary(path):
    """The Key terms section calls key_terms("chNN"), so chapter and glossary share one source."""
    assert ("key_terms", [chapter_id(path)]) in calls(section_code(read(path), "Key terms"))


@chapters
def test_has_a_solutions_notebook(path):
    """Worked solutions live apart, in notebooks/solutions/NN_name_solutions.ipynb."""
    assert (NOTEBOOKS_DIR / "solutions" / f"{path.stem}_solutions.ipynb").is_file()


def test_every_bank_and_glossary_file_belongs_to_a_chapter():
    """No quiz bank or glossary file is left without its chapter notebook."""
    numbers = {p.name[:2] for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")}
    orphans = [b for b in available_banks() if b[2:] not in numbers]
    orphans += [c for c in load_glossary()["chapter"].unique() if c[2:] not in numbers]
    assert orphans == []
