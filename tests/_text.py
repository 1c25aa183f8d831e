"""What a reader sees in a course file: shared by the grading tests that search for leaks."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def visible_text(path: Path) -> str:
    """All text of a file as a reader sees it: HTML tags dropped, entities decoded.

    A notebook gives the sources of its cells; whitespace runs become one space.
    """
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        parser = _Text()
        parser.feed(raw)
        raw = html.unescape("".join(parser.parts))
    elif path.suffix == ".ipynb":
        nb = nbformat.reads(raw, as_version=4)
        raw = "\n".join(c.source for c in nb.cells)
    return re.sub(r"\s+", " ", raw)
