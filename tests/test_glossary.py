"""Tests for rmlib.glossary: file checks, the chapter tables, the glossary page, look-up."""

from __future__ import annotations

import re

import nbformat
import pytest

from rmlib.course import ENV_VAR
from rmlib.glossary import (
    COLUMNS,
    GlossaryError,
    Term,
    UnknownTermError,
    glossary,
    key_terms,
    load_glossary,
    term,
)

HEADER = "term,term_ru,definition,source\n"


def write(folder, name, body, header=HEADER):
    (folder / name).write_text(header + body, encoding="utf-8")


@pytest.fixture
def gdir(tmp_path):
    d = tmp_path / "glossary"
    d.mkdir()
    write(
        d,
        "ch01.csv",
        "trust,доверие,Willingness to rely on a partner.,Morgan & Hunt (1994)\n"
        'Zebra effect,эффект зебры,"Stripes, then more stripes.",\n',
    )
    write(
        d,
        "ch02.csv",
        "customer lifetime value (CLV),полная ценность потребителя,Present value of margin.,\n"
        "apple <share>,доля «яблок»,Share of apples & pears.,\n",
    )
    return d


# --------------------------------------------------------------------------- loading


def test_shipped_glossary_loads_and_is_consistent():
    g = load_glossary()
    assert list(g.columns) == [*COLUMNS, "chapter"]
    assert {"ch01", "ch02", "ch03"} <= set(g["chapter"])
    assert g["term"].str.casefold().is_unique
    assert g["term_ru"].str.contains(r"[\u0400-\u04FF]").all()
    assert (g[["term", "term_ru", "definition"]] != "").all().all()


def test_rows_keep_file_order_and_empty_source(gdir):
    g = load_glossary(directory=gdir)
    assert g["term"].tolist() == [
        "trust",
        "Zebra effect",
        "customer lifetime value (CLV)",
        "apple <share>",
    ]
    assert g["chapter"].tolist() == ["ch01", "ch01", "ch02", "ch02"]
    assert g.loc[1, "definition"] == "Stripes, then more stripes."
    assert g.loc[1, "source"] == ""
    assert g.loc[0, "source"] == "Morgan & Hunt (1994)"


def test_returned_frame_is_a_fresh_copy(gdir):
    g = load_glossary(directory=gdir)
    g.loc[0, "term"] = "changed"
    assert load_glossary(directory=gdir).loc[0, "term"] == "trust"


def test_bom_and_blank_lines_are_tolerated(tmp_path):
    (tmp_path / "ch01.csv").write_text(
        "\ufeff" + HEADER + "trust,доверие,Reliance.,\n\n", encoding="utf-8"
    )
    assert load_glossary(directory=tmp_path)["term"].tolist() == ["trust"]


@pytest.mark.parametrize(
    ("body", "header", "message"),
    [
        (
            "trust,доверие,Reliance.,\n",
            "term,definition,term_ru,source\n",
            "ch09.csv, line 1: the header must be exactly term,term_ru,definition,source; "
            "found term,definition,term_ru,source.",
        ),
        ("trust,доверие,Reliance.\n", "term,term_ru,definition\n", "ch09.csv, line 1: the header"),
        ("", "", "ch09.csv: the file is empty"),
        (",доверие,Reliance.,\n", HEADER, "ch09.csv, line 2, column 'term': empty"),
        (
            "trust,,Reliance.,\n",
            HEADER,
            "ch09.csv, line 2 ('trust'), column 'term_ru': empty; write the Russian term.",
        ),
        ("x,y_ru,Def.,\n", HEADER, "ch09.csv, line 2 ('x'), column 'term_ru': 'y_ru' has no "),
        (
            "a,а,A.,\ntrust,доверие,  ,\n",
            HEADER,
            "ch09.csv, line 3 ('trust'), column 'definition': empty",
        ),
        ("trust,доверие,Reliance, shared,\n", HEADER, "ch09.csv, line 2: expected 4 fields"),
        (
            "trust,доверие,Reliance.,\nTrust ,доверие (2),Again.,\n",
            HEADER,
            "ch09.csv, line 3 ('Trust'), column 'term': already defined in ch09.csv, line 2 "
            "('trust')",
        ),
    ],
)
def test_malformed_file_is_reported(tmp_path, body, header, message):
    write(tmp_path, "ch09.csv", body, header=header)
    with pytest.raises(GlossaryError) as err:
        load_glossary(directory=tmp_path)
    assert message in str(err.value), str(err.value)
    assert len(err.value.problems) == 1


def test_term_defined_in_two_chapters(gdir):
    write(gdir, "ch03.csv", "Customer lifetime value,пожизненная ценность,Again.,\n")
    with pytest.raises(GlossaryError) as err:
        load_glossary(directory=gdir)
    msg = str(err.value)
    assert (
        "ch03.csv, line 2 ('Customer lifetime value'), column 'term': already defined in "
        "ch02.csv, line 2 ('customer lifetime value (CLV)')"
    ) in msg
    assert "defined once, in the chapter where it first appears" in msg


def test_file_not_named_after_a_chapter(gdir):
    write(gdir, "chapter1.csv", "x,х,X.,\n")
    with pytest.raises(GlossaryError, match=r"chapter1\.csv: .*named after its chapter"):
        load_glossary(directory=gdir)


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path, "ch01.csv", "a,,A.,\nb,b,B.,\n")
    write(tmp_path, "ch02.csv", "a,а,A.,\n", header="term,term_ru,definition\n")
    with pytest.raises(GlossaryError) as err:
        load_glossary(directory=tmp_path)
    assert len(err.value.problems) == 3
    assert "The glossary has 3 problem(s)" in str(err.value)


def test_directory_must_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="`directory`"):
        load_glossary(directory=tmp_path / "nope")


# --------------------------------------------------------------------------- key_terms


def test_key_terms_table(gdir):
    kt = key_terms("ch02", directory=gdir)
    rows = re.findall(r"<tr>(.*?)</tr>", kt.html)
    assert len(rows) == 1 + 2  # header + two terms
    assert "<th style='text-align:left;vertical-align:top'>Термин</th>" in rows[0]
    assert "customer lifetime value (CLV)" in rows[1] and "полная ценность потребителя" in rows[1]
    assert "apple &lt;share&gt;" in rows[2] and "Share of apples &amp; pears." in rows[2]
    assert "trust" not in kt.html  # other chapters' terms stay out
    assert str(kt).splitlines() == [
        "Key terms of Chapter 2 (2 terms)",
        "",
        "customer lifetime value (CLV) — полная ценность потребителя",
        "    Present value of margin.",
        "apple <share> — доля «яблок»",
        "    Share of apples & pears.",
    ]
    assert "[Morgan & Hunt (1994)]" in str(key_terms("ch01", directory=gdir))


def test_key_terms_errors(gdir):
    with pytest.raises(ValueError, match=r"`chapter` 'ch05' has no glossary file.*ch01, ch02"):
        key_terms("ch05", directory=gdir)
    with pytest.raises(ValueError, match="`chapter` must look like 'ch03'"):
        key_terms(1, directory=gdir)


# --------------------------------------------------------------------------- glossary page


def _course(tmp_path):
    d = tmp_path / "notebooks"
    d.mkdir()
    for name, title in [("01_first", "Chapter 1. First"), ("02_second", "Chapter 2. Second")]:
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}"))
        nbformat.write(nb, d / f"{name}.ipynb")
    return d


def test_glossary_is_alphabetical_with_chapter_links(gdir, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(_course(tmp_path)))
    page = glossary(directory=gdir)
    terms = re.findall(r"<b>(.*?)</b>", page.html)
    assert terms == [
        "apple &lt;share&gt;",
        "customer lifetime value (CLV)",
        "trust",
        "Zebra effect",
    ]
    assert '<a href="01_first.ipynb" title="Chapter 1. First">Chapter 1</a>' in page.html
    assert page.html.count('href="02_second.ipynb"') == 2
    assert "Willingness to rely on a partner. <i>(Morgan &amp; Hunt (1994))</i>" in page.html
    lines = str(page).splitlines()
    assert lines[0] == "Glossary (4 terms)"
    assert lines[2] == "apple <share> — доля «яблок» (Chapter 2)"
    assert lines[-2] == "Zebra effect — эффект зебры (Chapter 1)"


def test_glossary_without_notebooks_has_no_links(gdir, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing"))
    page = glossary(directory=gdir)
    assert "<a " not in page.html and "Chapter 1" in page.html


def test_shipped_glossary_page_links_real_chapters():
    page = glossary()
    assert '<a href="01_definitions.ipynb"' in page.html
    assert str(page).startswith(f"Glossary ({len(load_glossary())} terms)")


# --------------------------------------------------------------------------- term


@pytest.mark.parametrize(
    "query",
    [
        "customer lifetime value (CLV)",
        "Customer  Lifetime VALUE",
        "customer lifetime value",
        "clv",
        "полная ценность потребителя",
    ],
)
def test_term_lookup(gdir, query):
    t = term(query, directory=gdir)
    assert t == Term(
        "customer lifetime value (CLV)",
        "полная ценность потребителя",
        "Present value of margin.",
        "",
        "ch02",
    )


def test_term_display(gdir):
    t = term("trust", directory=gdir)
    assert str(t) == (
        "trust (доверие), introduced in Chapter 1:\n"
        "Willingness to rely on a partner. [Morgan & Hunt (1994)]"
    )
    assert "<b>trust</b> (доверие)" in t._repr_html_()


def test_shipped_term_example():
    assert term("customer lifetime value").chapter == "ch03"


def test_unknown_term_suggests_close_matches(gdir):
    with pytest.raises(UnknownTermError) as err:
        term("custmer lifetime valu", directory=gdir)
    assert isinstance(err.value, KeyError)
    msg = str(err.value)
    assert msg.startswith("No glossary entry for 'custmer lifetime valu'.")
    assert "Did you mean 'customer lifetime value (CLV)'?" in msg
    assert "See glossary() for the full list (4 terms)." in msg
    with pytest.raises(UnknownTermError, match="Did you mean 'customer lifetime value"):
        term("lifetime", directory=gdir)
    with pytest.raises(UnknownTermError, match=r"'qqq'\. See glossary\(\)"):
        term("qqq", directory=gdir)


def test_ambiguous_term(tmp_path):
    write(tmp_path, "ch01.csv", "net promoter score (NPS),индекс NPS,A.,\n")
    write(tmp_path, "ch02.csv", "new product sales (NPS),продажи новинок,B.,\n")
    with pytest.raises(UnknownTermError, match="'nps' matches several glossary entries"):
        term("nps", directory=tmp_path)


def test_term_needs_text():
    with pytest.raises(TypeError, match="`name` must be a term"):
        term("  ")
