"""The course's bilingual glossary (English – Russian), one source for every page.

Each chapter lists the terms it introduces in
``rmlib/resources/glossary/chNN.csv`` (UTF-8) with the header
``term,term_ru,definition,source``: the English term, the Russian term, a
definition of one or two sentences, and the author the definition follows
(empty if none). A term is defined once, in the chapter where it first
appears. The chapters and the glossary appendix render the same rows::

    from rmlib.glossary import key_terms, glossary, term
    key_terms("ch01")   # the chapter's terms as a bilingual table
    glossary()          # every term, alphabetically, with its chapter
    term("customer lifetime value")

:func:`load_glossary` checks the files when it reads them (exact header, no
empty term, Russian term or definition, Russian terms written in Cyrillic,
no term defined twice) and reports every problem with the file, the line
and the column. The files are read with :mod:`csv` (for exact line numbers
and the header check) into a :class:`pandas.DataFrame`; the tables are
plain HTML built here, since a pandas ``Styler`` adds ids and CSS a
glossary does not need.

Examples
--------
>>> g = load_glossary()
>>> list(g.columns)
['term', 'term_ru', 'definition', 'source', 'chapter']
>>> term("CLV").term_ru
'полная ценность потребителя (пожизненная ценность клиента)'
"""

from __future__ import annotations

import csv
import difflib
import html
import io
import os
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from rmlib._validate import CHAPTER_CODE, check_chapter_code
from rmlib.course import Rendered, chapters

__all__ = [
    "COLUMNS",
    "GlossaryError",
    "Term",
    "UnknownTermError",
    "glossary",
    "key_terms",
    "load_glossary",
    "term",
]

#: The header every glossary file must have, in this order.
COLUMNS = ("term", "term_ru", "definition", "source")

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_TRAILING_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)$")


class GlossaryError(ValueError):
    """The glossary files break the format; :attr:`problems` lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"The glossary has {len(self.problems)} problem(s):\n{lines}\n"
            f"Each file is chNN.csv with the header {','.join(COLUMNS)}."
        )


class UnknownTermError(KeyError):
    """:func:`term` found no entry (or several) for the name it was given."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes
    ----------
    term, term_ru, definition, source : str
        The row of the glossary file (``source`` may be empty).
    chapter : str
        Where the term is introduced, e.g. ``"ch03"``.
    """

    term: str
    term_ru: str
    definition: str
    source: str
    chapter: str

    def __str__(self) -> str:
        return (
            f"{self.term} ({self.term_ru}), introduced in {_chapter_label(self.chapter)}:\n"
            f"{_cited(self.definition, self.source)}"
        )

    def _repr_html_(self) -> str:
        return (
            f"<p><b>{html.escape(self.term)}</b> ({html.escape(self.term_ru)}), introduced "
            f"in {html.escape(_chapter_label(self.chapter))}:<br>"
            f"{_cited_html(self.definition, self.source)}</p>"
        )


def _chapter_label(chapter: str) -> str:
    return f"Chapter {int(chapter[2:])}"


def _cited(definition: str, source: str) -> str:
    """A definition as plain text, followed by its source (if any) in brackets."""
    return f"{definition} [{source}]" if source else definition


def _cited_html(definition: str, source: str) -> str:
    """A definition as escaped HTML, followed by its source (if any) in italics."""
    return html.escape(definition) + (f" <i>({html.escape(source)})</i>" if source else "")


# ---------------------------------------------------------------------------
# loading and validation
# ---------------------------------------------------------------------------


def _glossary_dir(directory: str | os.PathLike | None) -> Any:
    if directory is None:
        return files("rmlib") / "resources" / "glossary"
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f"`directory` {str(folder)!r} is not a folder.")
    return folder


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _keys(text: str, *, abbreviation: bool = True) -> set[str]:
    """Normalised names of a term: in full and, for ``name (abbr)``, the name and the abbreviation.

    :func:`term` looks names up by all of them; the check for terms defined
    twice (``abbreviation=False``) compares the full names and names only.
    """
    full = _norm(text)
    m = _TRAILING_PAREN.match(full)
    if not m:
        return {full}
    return {full, m.group(1), m.group(2)} if abbreviation else {full, m.group(1)}


def _read_file(name: str, text: str, problems: list[str]) -> list[dict[str, str]]:
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        problems.append(f"{name}: the file is empty; start it with the header {','.join(COLUMNS)}.")
        return rows
    if tuple(h.strip() for h in header) != COLUMNS:
        problems.append(
            f"{name}, line 1: the header must be exactly {','.join(COLUMNS)}; "
            f"found {','.join(header)}."
        )
        return rows
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue  # a blank line
        if len(fields) != len(COLUMNS):
            problems.append(
                f"{name}, line {line}: expected {len(COLUMNS)} fields ({','.join(COLUMNS)}), "
                f"found {len(fields)}; put text that contains commas in double quotes."
            )
            continue
        row = dict(zip(COLUMNS, (f.strip() for f in fields), strict=True))
        label = f"{name}, line {line}" + (f" ({row['term']!r})" if row["term"] else "")
        bad = False
        for col, what in [
            ("term", "the English term"),
            ("term_ru", "the Russian term"),
            ("definition", "a definition in one or two sentences"),
        ]:
            if not row[col]:
                problems.append(f"{label}, column {col!r}: empty; write {what}.")
                bad = True
        if row["term_ru"] and not _CYRILLIC.search(row["term_ru"]):
            problems.append(
                f"{label}, column 'term_ru': {row['term_ru']!r} has no Cyrillic letters; "
                f"write the Russian term (the columns may be swapped)."
            )
            bad = True
        if not bad:
            row["_line"] = str(line)
            rows.append(row)
    return rows


def load_glossary(*, directory: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read and check every chapter's glossary file.

    Parameters
    ----------
    directory : path-like, optional
        Folder of ``chNN.csv`` files; by default the ones shipped in
        ``rmlib/resources/glossary`` (read through :mod:`importlib.resources`).

    Returns
    -------
    pandas.DataFrame
        Columns ``term, term_ru, definition, source, chapter``, in chapter
        order and, within a chapter, in file order. ``source`` is ``""``
        where the definition follows no named author.

    Raises
    ------
    GlossaryError
        Listing every problem, each with the file, the line and the column.

    Examples
    --------
    >>> g = load_glossary()
    >>> g.loc[g["term"] == "relationship marketing", "chapter"].item()
    'ch01'
    """
    folder = _glossary_dir(directory)
    problems: list[str] = []
    records: list[dict[str, str]] = []
    first_seen: dict[str, tuple[str, str, str]] = {}  # key -> (file, line, term)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".csv"):
            continue
        chapter = entry.name.removesuffix(".csv")
        if not CHAPTER_CODE.match(chapter):
            problems.append(
                f"{entry.name}: a glossary file is named after its chapter, e.g. ch03.csv; "
                f"rename it."
            )
            continue
        text = entry.read_text(encoding="utf-8-sig")
        for row in _read_file(entry.name, text, problems):
            keys = _keys(row["term"], abbreviation=False)
            clash = next((first_seen[k] for k in keys if k in first_seen), None)
            if clash:
                problems.append(
                    f"{entry.name}, line {row['_line']} ({row['term']!r}), column 'term': "
                    f"already defined in {clash[0]}, line {clash[1]} ({clash[2]!r}). A term is "
                    f"defined once, in the chapter where it first appears; delete one row."
                )
                continue
            for k in keys:
                first_seen[k] = (entry.name, row["_line"], row["term"])
            records.append({**{c: row[c] for c in COLUMNS}, "chapter": chapter})
    if problems:
        raise GlossaryError(problems)
    columns = [*COLUMNS, "chapter"]
    return pd.DataFrame(records, columns=columns).astype(dict.fromkeys(columns, "str"))


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------


def _check_chapter(chapter: Any, have: list[str]) -> str:
    check_chapter_code(chapter)
    if chapter not in have:
        raise ValueError(
            f"`chapter` {chapter!r} has no glossary file ({chapter}.csv). Chapters with "
            f"terms: {', '.join(have) or '(none)'}."
        )
    return chapter


def _table(head: list[str], rows: list[list[str]]) -> str:
    cell = "style='text-align:left;vertical-align:top'"
    th = "".join(f"<th {cell}>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td {cell}>{c}</td>" for c in r) + "</tr>" for r in rows
    )  # cells are escaped by the callers (some hold links)
    return (
        f"<table class='rmlib-glossary'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    )


def key_terms(chapter: str, *, directory: str | os.PathLike | None = None) -> Rendered:
    """The terms ``chapter`` introduces, as a bilingual table.

    Parameters
    ----------
    chapter : str
        ``"chNN"``, e.g. ``"ch01"``.
    directory : path-like, optional
        Folder of glossary files; by default the shipped ones.

    Returns
    -------
    Rendered
        An HTML table (term, Russian term, definition, source) and a
        plain-text list.

    Raises
    ------
    ValueError
        If ``chapter`` is malformed or has no glossary file.

    Examples
    --------
    >>> print(str(key_terms("ch01")).splitlines()[0])
    Key terms of Chapter 1 (22 terms)
    >>> "<td style='text-align:left;vertical-align:top'>доверие</td>" in key_terms("ch01").html
    True
    """
    g = load_glossary(directory=directory)
    _check_chapter(chapter, sorted(g["chapter"].unique()))
    sub = g[g["chapter"] == chapter]
    rows = [
        [html.escape(r.term), html.escape(r.term_ru), html.escape(r.definition)]
        + [html.escape(r.source)]
        for r in sub.itertuples(index=False)
    ]
    lines = [f"Key terms of {_chapter_label(chapter)} ({len(sub)} terms)", ""]
    for r in sub.itertuples(index=False):
        lines += [f"{r.term} — {r.term_ru}", f"    {_cited(r.definition, r.source)}"]
    return Rendered(
        _table(["Term", "Термин", "Definition", "Source"], rows), "\n".join(lines).rstrip()
    )


def _chapter_links() -> dict[str, tuple[str, str]]:
    """chNN -> (notebook file name, title), where the notebooks can be found."""
    try:
        nbs = chapters()
    except (FileNotFoundError, ValueError):
        return {}
    return {f"ch{nb.number:02d}": (nb.filename, nb.title) for nb in nbs if nb.kind == "chapter"}


def glossary(*, directory: str | os.PathLike | None = None) -> Rendered:
    """Every term of the course, alphabetically, with the chapter that introduces it.

    Chapter names link to the chapter notebooks (relative links, for a
    notebook in ``notebooks/``) when the notebooks can be found.

    Parameters
    ----------
    directory : path-like, optional
        Folder of glossary files; by default the shipped ones.

    Returns
    -------
    Rendered

    Examples
    --------
    >>> text = str(glossary())
    >>> text.splitlines()[0].startswith("Glossary (")
    True
    >>> '<a href="01_definitions.ipynb"' in glossary().html
    True
    """
    g = load_glossary(directory=directory)
    order = sorted(range(len(g)), key=lambda i: (_norm(g["term"].iloc[i]), g["term"].iloc[i]))
    g = g.iloc[order]
    links = _chapter_links()
    rows, lines = [], [f"Glossary ({len(g)} terms)", ""]
    for r in g.itertuples(index=False):
        label = _chapter_label(r.chapter)
        if r.chapter in links:
            href, title = links[r.chapter]
            where = (
                f'<a href="{html.escape(href)}" title="{html.escape(title)}">'
                f"{html.escape(label)}</a>"
            )
        else:
            where = html.escape(label)
        definition = _cited_html(r.definition, r.source)
        rows.append([f"<b>{html.escape(r.term)}</b>", html.escape(r.term_ru), definition, where])
        lines += [f"{r.term} — {r.term_ru} ({label})", f"    {_cited(r.definition, r.source)}"]
    return Rendered(
        _table(["Term", "Термин", "Definition", "Introduced in"], rows),
        "\n".join(lines).rstrip(),
    )


def term(name: str, *, directory: str | os.PathLike | None = None) -> Term:
    """Look up one glossary entry by its English or Russian name.

    The match ignores case and extra spaces; a term written with an
    abbreviation in brackets, such as ``customer lifetime value (CLV)``, is
    also found by ``"customer lifetime value"`` or ``"CLV"``.

    Parameters
    ----------
    name : str
        The term in English or Russian.
    directory : path-like, optional
        Folder of glossary files; by default the shipped ones.

    Returns
    -------
    Term

    Raises
    ------
    UnknownTermError
        (a :class:`KeyError`) if no entry matches, with the closest terms
        suggested, or if the name matches several entries.

    Examples
    --------
    >>> t = term("Customer Lifetime Value")
    >>> t.term, t.chapter
    ('customer lifetime value (CLV)', 'ch03')
    >>> term("доверие").term
    'trust'
    >>> term("lifetime valeu")
    Traceback (most recent call last):
    ...
    rmlib.glossary.UnknownTermError: No glossary entry for 'lifetime valeu'. Did you mean 'customer lifetime value (CLV)'? ...
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"`name` must be a term such as 'customer lifetime value', got {name!r}.")
    g = load_glossary(directory=directory)
    entries = [Term(**r._asdict()) for r in g.itertuples(index=False)]
    query = _norm(name)
    hits = [e for e in entries if query in (_keys(e.term) | _keys(e.term_ru))]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        shown = ", ".join(repr(e.term) for e in hits)
        raise UnknownTermError(f"{name!r} matches several glossary entries: {shown}; be specific.")
    names = [e.term for e in entries]
    contains = [n for n in names if query in _norm(n)]
    close = difflib.get_close_matches(query, [_norm(n) for n in names], n=3, cutoff=0.6)
    by_norm = {_norm(n): n for n in names}
    words = {w for w in query.split() if len(w) > 3}
    sharing = [n for n in names if words & set(_norm(n).split())]
    suggestions = list(dict.fromkeys(contains + [by_norm[c] for c in close] + sharing))[:5]
    hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    raise UnknownTermError(
        f"No glossary entry for {name!r}.{hint} See glossary() for the full list "
        f"({len(names)} terms)."
    )
