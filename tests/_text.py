"""What a reader sees in a course file: shared by the grading tests that search for leaks."""

from __future__ import annotations

import base64
import binascii
import html
import re
import zlib
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


_TOKEN = re.compile(r"[A-Za-z0-9+/=]{16,}|[0-9a-f]{32,}")


def decodings(text: str) -> list[str]:
    """``text``, its reverse, and every base64 / hex / zlib payload found in it, decoded."""
    out = [text, text[::-1]]
    for token in _TOKEN.findall(text):
        for decode in (base64.b64decode, binascii.unhexlify):
            try:
                raw = decode(
                    token + "=" * (-len(token) % 4) if decode is base64.b64decode else token
                )
            except (ValueError, binascii.Error):
                continue
            for blob in (raw, _inflate(raw)):
                if blob:
                    decoded = blob.decode("utf-8", errors="replace")
                    out += [decoded, decoded[::-1]]
    return out


def _inflate(raw: bytes) -> bytes:
    try:
        return zlib.decompress(raw)
    except zlib.error:
        return b""
