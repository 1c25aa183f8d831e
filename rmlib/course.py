"""The course's table of contents and the links between its notebooks.

The contents and the previous / next links are generated from the notebooks
themselves, never typed by hand: each notebook's title is the first line of
its first markdown cell (``# Chapter 1. What relationship marketing is`` or
``# Appendix. Glossary (глоссарий)``), and the order is the order of the file
names.

* ``NN_name.ipynb`` (``NN`` = 00, 01, …) are the chapters, in number order;
* ``appendix_name.ipynb`` come after the chapters, in name order;
* notebooks in ``solutions/`` (worked solutions) and anything else are not
  part of the main sequence.

Where the notebooks are
    In the repository the package sits next to the notebooks
    (``<repo>/rmlib`` and ``<repo>/notebooks``). Set the environment variable
    ``RMLIB_NOTEBOOKS_DIR`` to use another folder (the test harness does).
    A notebook running inside ``notebooks/`` is also found from the working
    directory, so an installed copy of :mod:`rmlib` still works there.

What the functions return
    :func:`contents` and :func:`navigation` return a :class:`Rendered` object:
    JupyterLab shows its HTML (links relative to ``notebooks/``, so they open
    the other notebooks in JupyterLab), a terminal or a plain-text viewer
    shows its text. :mod:`rmlib.quiz` and :mod:`rmlib.glossary` use the same
    class. The HTML is built by hand with :func:`html.escape`: a few lines of
    markup do not need a templating library.

Examples
--------
>>> [c.name for c in chapters()][:2]
['00_start_here', '01_definitions']
>>> print(navigation("01_definitions"))  # doctest: +ELLIPSIS
← Previous: Chapter 0. Start here (00_start_here.ipynb) | Contents (00_start_here.ipynb#Contents-of-the-course) | Next: Chapter 2. ... (02_types_and_stakeholders.ipynb) →
"""

from __future__ import annotations

import difflib
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ENV_VAR",
    "Notebook",
    "Rendered",
    "chapters",
    "contents",
    "navigation",
    "notebooks_dir",
]

#: Environment variable naming the folder that holds the course notebooks.
ENV_VAR = "RMLIB_NOTEBOOKS_DIR"

_CHAPTER_FILE = re.compile(r"^(\d{2})_[A-Za-z0-9_]+$")
_APPENDIX_FILE = re.compile(r"^appendix_[A-Za-z0-9_]+$")
_CHAPTER_TITLE = re.compile(r"^Chapter (\d+)\.\s+\S")
_CONTENTS_HEADING = re.compile(r"^##\s+(Contents\b.*)$", re.MULTILINE)
_START_HERE = "00_start_here"


class ShownAsText:
    """Mixin: ``str``, ``repr`` and IPython's plain-text view all show ``self.text``.

    For small results a notebook displays; dataclasses using it pass ``repr=False``.
    """

    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle: bool) -> None:  # IPython's text/plain
        p.text(self.text)


@dataclass(frozen=True, repr=False)
class Rendered(ShownAsText):
    """A piece of course text with an HTML form and a plain-text form.

    Jupyter shows :attr:`html`; ``print()``, ``str()`` and viewers without
    HTML show :attr:`text`.

    Parameters
    ----------
    html : str
        The HTML fragment shown in a notebook.
    text : str
        The same content as plain text.

    Examples
    --------
    >>> r = Rendered("<b>hi</b>", "hi")
    >>> print(r)
    hi
    >>> r._repr_html_()
    '<b>hi</b>'
    """

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html


@dataclass(frozen=True)
class Notebook:
    """One notebook of the course's main sequence.

    Attributes
    ----------
    name : str
        File name without ``.ipynb``, e.g. ``"01_definitions"``.
    title : str
        The first line of the first markdown cell without the ``#``,
        e.g. ``"Chapter 1. What relationship marketing is"``.
    kind : str
        ``"chapter"`` or ``"appendix"``.
    number : int or None
        The chapter number from the file name (``None`` for an appendix).
    path : pathlib.Path
        Where the notebook is.
    """

    name: str
    title: str
    kind: str
    number: int | None
    path: Path

    @property
    def filename(self) -> str:
        """The file name, e.g. ``"01_definitions.ipynb"`` (a relative link)."""
        return self.path.name


def _looks_like_course(folder: Path) -> bool:
    # The solutions folder holds NN_name_solutions.ipynb: not the course itself.
    return folder.is_dir() and any(
        not p.stem.endswith("_solutions") for p in folder.glob("[0-9][0-9]_*.ipynb")
    )


def notebooks_dir() -> Path:
    """The folder holding the course notebooks.

    Looks, in order, at the folder named by ``RMLIB_NOTEBOOKS_DIR``, at
    ``notebooks/`` next to the installed package, and at the working
    directory (a notebook runs inside ``notebooks/``), its parent (for
    ``notebooks/solutions/``) and its ``notebooks/`` subfolder.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If ``RMLIB_NOTEBOOKS_DIR`` names a folder that does not exist, or no
        folder with chapter notebooks (``NN_name.ipynb``) is found.

    Examples
    --------
    >>> (notebooks_dir() / "00_start_here.ipynb").is_file()
    True
    """
    env = os.environ.get(ENV_VAR)
    if env:
        folder = Path(env).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(
                f"{ENV_VAR} is set to {env!r}, which is not a folder. Point it at the "
                f"course's notebooks/ folder (the one holding 00_start_here.ipynb) or unset it."
            )
        return folder
    candidates = [Path(__file__).resolve().parent.parent / "notebooks"]
    cwd = Path.cwd()
    candidates += [cwd, cwd.parent, cwd / "notebooks"]
    for folder in candidates:
        if _looks_like_course(folder):
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"Cannot find the course notebooks (files named like 01_definitions.ipynb); looked in "
        f"{looked}. Run from the repository's notebooks/ folder, or set {ENV_VAR} to that folder."
    )


def _markdown(path: Path) -> list[str]:
    """The text of every markdown cell of the notebook at ``path``, in order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    sources = (c.get("source", "") for c in nb.get("cells", []) if c.get("cell_type") == "markdown")
    return ["".join(s) if isinstance(s, list) else s for s in sources]


def _title(path: Path) -> str:
    try:
        sources = _markdown(path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path.name}: cannot read the notebook ({exc}).") from exc
    if not sources:
        raise ValueError(
            f"{path.name}: no markdown cell, so the notebook has no title. Add a first cell "
            f"'# Chapter N. Title' (or '# Appendix. Title')."
        )
    first = sources[0].strip().splitlines()[0] if sources[0].strip() else ""
    if not first.startswith("# "):
        raise ValueError(
            f"{path.name}: the first markdown cell must start with a title line such as "
            f"'# Chapter 1. Title' or '# Appendix. Title'; found {first[:60]!r}."
        )
    return first[2:].strip()


def chapters(directory: str | os.PathLike | None = None) -> list[Notebook]:
    """The course notebooks in reading order, each with its title.

    Chapters (``NN_name.ipynb``) in number order, then appendices
    (``appendix_name.ipynb``) in name order. Solutions notebooks and other
    files are left out.

    Parameters
    ----------
    directory : path-like, optional
        Folder to read; by default :func:`notebooks_dir`.

    Returns
    -------
    list of Notebook

    Raises
    ------
    FileNotFoundError
        If the folder cannot be found.
    ValueError
        If a notebook has no ``# Title`` line in its first markdown cell, or
        a chapter's title does not match its file number.

    Examples
    --------
    >>> first = chapters()[0]
    >>> first.name, first.kind, first.number
    ('00_start_here', 'chapter', 0)
    """
    folder = Path(directory) if directory is not None else notebooks_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"`directory` {str(folder)!r} is not a folder.")
    found: list[Notebook] = []
    for path in sorted(folder.glob("*.ipynb")):
        stem = path.stem
        if stem.endswith("_solutions"):
            continue
        if m := _CHAPTER_FILE.match(stem):
            number = int(m.group(1))
            title = _title(path)
            t = _CHAPTER_TITLE.match(title)
            if t and int(t.group(1)) != number:
                raise ValueError(
                    f"{path.name}: the title says 'Chapter {t.group(1)}' but the file name says "
                    f"{number}; make them agree."
                )
            found.append(Notebook(stem, title, "chapter", number, path))
        elif _APPENDIX_FILE.match(stem):
            found.append(Notebook(stem, _title(path), "appendix", None, path))
    found.sort(key=lambda nb: (nb.kind != "chapter", nb.number or 0, nb.name))
    return found


def _anchor(heading: str) -> str:
    # JupyterLab gives a rendered heading the id of its text with spaces as '-'.
    return heading.strip().replace(" ", "-")


def _contents_link(nbs: list[Notebook], prefix: str = "") -> str:
    """Relative link to the table of contents (the start-here notebook's section)."""
    start = next((nb for nb in nbs if nb.name == _START_HERE), nbs[0] if nbs else None)
    if start is None:
        return ""
    try:
        source = "\n".join(_markdown(start.path))
    except (OSError, ValueError, AttributeError, TypeError):
        source = ""
    m = _CONTENTS_HEADING.search(source)
    fragment = f"#{_anchor(m.group(1))}" if m else ""
    return f"{prefix}{start.filename}{fragment}"


def contents(directory: str | os.PathLike | None = None) -> Rendered:
    """The course's table of contents, with a link to every notebook.

    Links are relative to the notebooks folder, so they work from any
    notebook there (in JupyterLab a click opens the notebook).

    Parameters
    ----------
    directory : path-like, optional
        Folder to read; by default :func:`notebooks_dir`.

    Returns
    -------
    Rendered
        HTML list of links, and a plain-text list.

    Examples
    --------
    >>> toc = contents()
    >>> print(str(toc).splitlines()[0])
    Contents of the course
    >>> '<a href="01_definitions.ipynb">' in toc.html
    True
    """
    nbs = chapters(directory)
    items_html, lines = [], ["Contents of the course"]
    for nb in nbs:
        items_html.append(
            f'<li><a href="{html.escape(nb.filename)}">{html.escape(nb.title)}</a></li>'
        )
        lines.append(f"  {nb.title} ({nb.filename})")
    body = "".join(items_html) or "<li>(no notebooks found)</li>"
    return Rendered(
        f"<nav class='rmlib-contents'><p><b>Contents of the course</b></p><ol "
        f"style='list-style:none;padding-left:0'>{body}</ol></nav>",
        "\n".join(lines),
    )


def _unknown(name: str, names: list[str]) -> ValueError:
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return ValueError(
        f"`name` {name!r} is not a notebook of the course.{hint} Available: "
        f"{', '.join(repr(n) for n in names)}. Pass the notebook's file name without "
        f"'.ipynb'."
    )


def navigation(name: str, directory: str | os.PathLike | None = None) -> Rendered:
    """Previous / contents / next links for the notebook ``name``.

    The first notebook has no "previous" link and the last no "next";
    appendices follow the last chapter. For a worked-solutions notebook
    (``NN_name_solutions``, kept in ``solutions/``) the links lead back to
    its chapter and to the contents.

    Parameters
    ----------
    name : str
        The notebook's file name without ``.ipynb``, e.g. ``"01_definitions"``.
    directory : path-like, optional
        Folder to read; by default :func:`notebooks_dir`.

    Returns
    -------
    Rendered

    Raises
    ------
    ValueError
        If ``name`` is not a notebook of the course (close names are suggested).

    Examples
    --------
    >>> print(navigation("00_start_here"))  # doctest: +ELLIPSIS
    Contents (00_start_here.ipynb#Contents-of-the-course) | Next: Chapter 1. ... (01_definitions.ipynb) →
    >>> navigation("01_defintions")
    Traceback (most recent call last):
    ...
    ValueError: `name` '01_defintions' is not a notebook of the course. Did you mean '01_definitions'...
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a notebook name such as '01_definitions', got {name!r}.")
    name = name.removesuffix(".ipynb")
    nbs = chapters(directory)
    names = [nb.name for nb in nbs]
    parts: list[tuple[str, str, str]] = []  # (label, title, href)
    folder = nbs[0].path.parent if nbs else Path(directory or ".")
    solutions = sorted(
        p.stem
        for p in (folder / "solutions").glob("*_solutions.ipynb")
        if p.stem.removesuffix("_solutions") in names
    )
    if name in solutions:
        chapter = nbs[names.index(name.removesuffix("_solutions"))]
        parts.append(("← Back to", chapter.title, f"../{chapter.filename}"))
        parts.append(("Contents", "", _contents_link(nbs, "../")))
    elif name in names:
        i = names.index(name)
        if i > 0:
            parts.append(("← Previous:", nbs[i - 1].title, nbs[i - 1].filename))
        parts.append(("Contents", "", _contents_link(nbs)))
        if i + 1 < len(nbs):
            parts.append(("Next:", nbs[i + 1].title, nbs[i + 1].filename))
    else:
        raise _unknown(name, names + solutions)
    text_parts, html_parts = [], []
    for label, title, href in parts:
        shown = f"{label} {title}".strip()
        arrow = " →" if label == "Next:" else ""
        text_parts.append(f"{shown} ({href}){arrow}")
        html_parts.append(f'<a href="{html.escape(href)}">{html.escape(shown)}{arrow}</a>')
    return Rendered(
        "<nav class='rmlib-navigation' style='margin-top:1em'><hr>"
        + " &nbsp;|&nbsp; ".join(html_parts)
        + "</nav>",
        " | ".join(text_parts),
    )
