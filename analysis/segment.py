"""Paragraphs and sentences with character offsets.

Sentence boundaries come from nupunkt (Punkt, Kiss & Strunk 2006, with a pre-trained model that
ships inside the PyPI package, so no NLTK corpora are needed). Paragraphs are found first (blank
lines, or single newlines where lines are not hard-wrapped) and sentences never cross them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import nupunkt

__all__ = ["Paragraph", "Sentence", "paragraphs", "sentences"]

#: A line shorter than this, followed by another line in the same block, marks hard-wrapped text
#: (e-mail or plain-text style), whose single newlines are not paragraph breaks.
HARD_WRAP_MAX_LINE = 100

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_NEWLINE = re.compile(r"\n")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph: ``text == body[start:end]`` (stripped of surrounding whitespace)."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: ``text == body[start:end]``; ``paragraph`` is the index of its paragraph."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def _is_hard_wrapped(lines: list[str]) -> bool:
    return len(lines) > 1 and all(len(line) <= HARD_WRAP_MAX_LINE for line in lines[:-1])


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    for b_start, b_end in _blocks(text):
        block = text[b_start:b_end]
        lines = block.split("\n")
        if _is_hard_wrapped([ln for ln in lines if ln.strip()]):
            start, end = _strip_span(text, b_start, b_end)
            if start < end:
                yield start, end
            continue
        pos = b_start
        for m in _NEWLINE.finditer(block):
            start, end = _strip_span(text, pos, b_start + m.start())
            if start < end:
                yield start, end
            pos = b_start + m.end()
        start, end = _strip_span(text, pos, b_end)
        if start < end:
            yield start, end


def paragraphs(text: str) -> list[Paragraph]:
    """Split ``text`` into paragraphs.

    Args:
        text: Any text (usually a cleaned article body).

    Returns:
        Paragraphs in order, none empty, offsets into ``text``.
    """
    return [Paragraph(i, s, e, text[s:e]) for i, (s, e) in enumerate(_paragraph_spans(text))]


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with character offsets.

    Sentences never cross a paragraph boundary; surrounding whitespace is not part of a
    sentence. A closing quotation mark stays with the sentence it closes.

    Args:
        text: Any text.

    Returns:
        Sentences in order, non-overlapping, with ``text[s.start:s.end] == s.text``.
    """
    out: list[Sentence] = []
    for para in paragraphs(text):
        for rel_start, rel_end in nupunkt.sent_spans(para.text):
            start, end = _strip_span(text, para.start + rel_start, para.start + rel_end)
            if start < end:
                out.append(Sentence(len(out), start, end, text[start:end], para.index))
    return out
