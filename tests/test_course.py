"""Tests for rmlib.course: notebook order, titles, contents and navigation links."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from rmlib import course
from rmlib.course import ENV_VAR, Rendered, chapters, contents, navigation, notebooks_dir


def write_nb(path: Path, title: str | None, extra_md: str = "") -> Path:
    nb = nbformat.v4.new_notebook()
    if title is not None:
        nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}\n\nSome intro."))
    if extra_md:
        nb.cells.append(nbformat.v4.new_markdown_cell(extra_md))
    nb.cells.append(nbformat.v4.new_code_cell("import rmlib"))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _hrefs(r: Rendered) -> list[str]:
    return re.findall(r'href="([^"]+)"', r.html)


@pytest.fixture
def course_dir(tmp_path):
    d = tmp_path / "notebooks"
    write_nb(d / "00_start_here.ipynb", "Chapter 0. Start here", "## Contents of the course")
    write_nb(d / "02_second.ipynb", "Chapter 2. The second")
    write_nb(d / "01_first.ipynb", "Chapter 1. The first")
    write_nb(d / "appendix_zeta.ipynb", "Appendix. Zeta")
    write_nb(d / "appendix_alpha.ipynb", "Appendix. Alpha")
    write_nb(d / "solutions" / "01_first_solutions.ipynb", "Chapter 1. Solutions")
    write_nb(d / "scratch.ipynb", "Scratch")
    return d


def test_chapters_in_reading_order(course_dir):
    """Chapters by number, then appendices by name; solutions and other files left out."""
    got = chapters(course_dir)
    assert [c.name for c in got] == [
        "00_start_here",
        "01_first",
        "02_second",
        "appendix_alpha",
        "appendix_zeta",
    ]
    assert [c.kind for c in got] == ["chapter"] * 3 + ["appendix"] * 2
    assert [c.number for c in got] == [0, 1, 2, None, None]
    assert got[1].title == "Chapter 1. The first"
    assert got[3].title == "Appendix. Alpha"
    assert got[1].filename == "01_first.ipynb"


def test_title_is_first_markdown_cell_even_after_code(tmp_path):
    """A code cell before the title cell does not hide the title."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("# Chapter 1. Late title\nmore"),
    ]
    nbformat.write(nb, tmp_path / "01_late.ipynb")
    assert chapters(tmp_path)[0].title == "Chapter 1. Late title"


def test_notebook_without_title_is_named_in_error(tmp_path):
    write_nb(tmp_path / "01_untitled.ipynb", None, "Just text, no heading")
    with pytest.raises(ValueError, match=r"01_untitled\.ipynb: .*'# Chapter 1\. Title'"):
        chapters(tmp_path)


def test_notebook_without_markdown_is_named_in_error(tmp_path):
    write_nb(tmp_path / "01_code_only.ipynb", None)
    with pytest.raises(ValueError, match=r"01_code_only\.ipynb: no markdown cell"):
        chapters(tmp_path)


def test_chapter_number_must_match_file_name(tmp_path):
    write_nb(tmp_path / "02_wrong.ipynb", "Chapter 3. Wrong number")
    with pytest.raises(ValueError, match=r"02_wrong\.ipynb: the title says 'Chapter 3'.*says 2"):
        chapters(tmp_path)


def test_directory_that_is_not_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="`directory`"):
        chapters(tmp_path / "missing")


def test_env_var_is_honoured(course_dir, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(course_dir))
    assert notebooks_dir() == course_dir
    assert [c.name for c in chapters()][1] == "01_first"


def test_env_var_pointing_nowhere_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=f"{ENV_VAR} is set to .*nowhere.*not a folder"):
        notebooks_dir()


def test_no_notebooks_anywhere_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(course, "__file__", str(tmp_path / "site" / "rmlib" / "course.py"))
    empty = tmp_path / "empty" / "deeper"
    empty.mkdir(parents=True)
    monkeypatch.chdir(empty)
    with pytest.raises(FileNotFoundError, match=f"Cannot find the course notebooks.*{ENV_VAR}"):
        notebooks_dir()


def test_working_directory_is_a_fallback(course_dir, tmp_path, monkeypatch):
    """An installed rmlib (no notebooks next to it) still finds them from notebooks/."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(course, "__file__", str(tmp_path / "site" / "rmlib" / "course.py"))
    monkeypatch.chdir(course_dir / "solutions")
    assert notebooks_dir() == course_dir


def test_repository_layout_is_found(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    expected = Path(course.__file__).resolve().parent.parent / "notebooks"
    assert notebooks_dir() == expected


def test_contents_links_every_notebook_in_order(course_dir):
    toc = contents(course_dir)
    assert isinstance(toc, Rendered)
    assert _hrefs(toc) == [
        "00_start_here.ipynb",
        "01_first.ipynb",
        "02_second.ipynb",
        "appendix_alpha.ipynb",
        "appendix_zeta.ipynb",
    ]
    assert ">Chapter 2. The second</a>" in toc.html
    lines = str(toc).splitlines()
    assert lines[0] == "Contents of the course"
    assert lines[2] == "  Chapter 1. The first (01_first.ipynb)"
    assert "scratch" not in toc.html and "solutions" not in toc.html
    assert toc._repr_html_() == toc.html and repr(toc) == toc.text


def test_titles_are_escaped_in_html(tmp_path):
    write_nb(tmp_path / "01_x.ipynb", "Chapter 1. Price <b> & value")
    assert "Price &lt;b&gt; &amp; value" in contents(tmp_path).html


def test_navigation_middle_has_previous_contents_next(course_dir):
    nav = navigation("01_first", course_dir)
    assert _hrefs(nav) == [
        "00_start_here.ipynb",
        "00_start_here.ipynb#Contents-of-the-course",
        "02_second.ipynb",
    ]
    assert str(nav) == (
        "← Previous: Chapter 0. Start here (00_start_here.ipynb) | "
        "Contents (00_start_here.ipynb#Contents-of-the-course) | "
        "Next: Chapter 2. The second (02_second.ipynb) →"
    )


def test_navigation_first_has_no_previous_and_last_no_next(course_dir):
    first = navigation("00_start_here", course_dir)
    assert "Previous" not in str(first) and "Next: Chapter 1. The first" in str(first)
    last = navigation("appendix_zeta", course_dir)
    assert "Next" not in str(last)
    assert "← Previous: Appendix. Alpha (appendix_alpha.ipynb)" in str(last)


def test_appendices_follow_the_last_chapter(course_dir):
    assert _hrefs(navigation("02_second", course_dir))[-1] == "appendix_alpha.ipynb"
    assert _hrefs(navigation("appendix_alpha", course_dir))[0] == "02_second.ipynb"


def test_navigation_accepts_file_name(course_dir):
    assert str(navigation("01_first.ipynb", course_dir)) == str(navigation("01_first", course_dir))


def test_contents_link_without_contents_heading(tmp_path):
    write_nb(tmp_path / "00_start_here.ipynb", "Chapter 0. Start here")
    write_nb(tmp_path / "01_a.ipynb", "Chapter 1. A")
    assert _hrefs(navigation("01_a", tmp_path))[1] == "00_start_here.ipynb"


def test_solutions_notebook_links_back_to_its_chapter(course_dir):
    nav = navigation("01_first_solutions", course_dir)
    assert _hrefs(nav) == ["../01_first.ipynb", "../00_start_here.ipynb#Contents-of-the-course"]
    assert str(nav).startswith("← Back to Chapter 1. The first")


def test_unknown_name_suggests_close_matches(course_dir):
    with pytest.raises(ValueError) as err:
        navigation("01_frist", course_dir)
    msg = str(err.value)
    assert "`name` '01_frist' is not a notebook of the course" in msg
    assert "Did you mean '01_first'" in msg
    assert "Available: '00_start_here', '01_first'" in msg
    # a solutions notebook that does not exist is not offered
    with pytest.raises(ValueError, match="not a notebook"):
        navigation("02_second_solutions", course_dir)


def test_name_must_be_a_string(course_dir):
    with pytest.raises(TypeError, match="`name` must be a notebook name"):
        navigation(1, course_dir)


def test_real_course_every_notebook_has_navigation():
    """Each notebook of the real course gets links, and they point at files that exist."""
    nbs = chapters()
    assert nbs[0].name == "00_start_here"
    folder = notebooks_dir()
    for nb in nbs:
        for href in _hrefs(navigation(nb.name)):
            assert (folder / href.split("#")[0]).is_file(), (nb.name, href)
    assert _hrefs(contents()) == [nb.filename for nb in nbs]
