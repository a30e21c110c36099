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

#: A line that ends without one of these and is followed by a line starting in lower case is
#: hard-wrapped: the newline between them is not a paragraph break.
_TERMINAL = tuple('.!?…:;”"’)]')

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
#: A "sentence" longer than this many words (a table, a list, a scraped page without
#: punctuation) is cut into pieces of at most this many words: every later stage reads a
#: sentence as a whole (contexts, quotation frames), so cost stays linear in the text only when
#: sentences are bounded. News sentences rarely pass 80 words.
MAX_SENTENCE_WORDS = 250
#: A piece ends, where it can, after a word that closes a clause (within the last quarter of
#: the piece), rather than in the middle of one.
_CLAUSE_END = tuple(';:,)”"’')
_WORD_SPAN = re.compile(r"\S+")


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


def _soft_wrap(prev_line: str, next_line: str) -> bool:
    prev, nxt = prev_line.rstrip(), next_line.lstrip()
    return (
        bool(prev and nxt)
        and not prev.endswith(_TERMINAL)
        and (nxt[0].islower() or nxt[0].isdigit())
    )


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    for b_start, b_end in _blocks(text):
        block = text[b_start:b_end]
        lines = block.split("\n")
        pos = b_start
        para_start = b_start
        for i, line in enumerate(lines):
            line_end = pos + len(line)
            last = i == len(lines) - 1
            if last or not _soft_wrap(line, lines[i + 1]):
                start, end = _strip_span(text, para_start, line_end)
                if start < end:
                    yield start, end
                para_start = line_end + 1
            pos = line_end + 1


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

    nupunkt runs once over the whole text; its spans are then cut at paragraph boundaries, so
    sentences never cross a paragraph. Surrounding whitespace is not part of a sentence, and a
    closing quotation mark stays with the sentence it closes.

    Args:
        text: Any text.

    Returns:
        Sentences in order, non-overlapping, with ``text[s.start:s.end] == s.text``.
    """
    global _last
    last = _last
    if last is not None and last[0] is text:  # pipeline, quotes and sentiment split one body
        return list(last[1])
    out = _split(text)
    _last = (text, tuple(out))
    return out


#: The last text split and its sentences (swapped whole, so threads see a consistent pair).
_last: tuple[str, tuple[Sentence, ...]] | None = None


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` cut into pieces of at most :data:`MAX_SENTENCE_WORDS` words."""
    if end - start < 2 * MAX_SENTENCE_WORDS:  # n words take at least 2n - 1 characters
        yield start, end
        return
    words = [m.span() for m in _WORD_SPAN.finditer(text, start, end)]
    if len(words) <= MAX_SENTENCE_WORDS:
        yield start, end
        return
    first = 0
    while first < len(words):
        last = min(first + MAX_SENTENCE_WORDS, len(words)) - 1
        if last < len(words) - 1:
            floor = last - MAX_SENTENCE_WORDS // 4
            cut = next(
                (i for i in range(last, floor, -1) if text[words[i][1] - 1] in _CLAUSE_END),
                last,
            )
            last = cut
        yield words[first][0], words[last][1]
        first = last + 1


def _split(text: str) -> list[Sentence]:
    paras = list(_paragraph_spans(text))
    if not paras:
        return []
    out: list[Sentence] = []
    p = 0
    for span_start, span_end in nupunkt.sent_spans(text):
        while p < len(paras) and paras[p][1] <= span_start:
            p += 1
        q = p
        while q < len(paras) and paras[q][0] < span_end:
            start, end = _strip_span(text, max(span_start, paras[q][0]), min(span_end, paras[q][1]))
            for piece_start, piece_end in _pieces(text, start, end) if start < end else ():
                out.append(
                    Sentence(len(out), piece_start, piece_end, text[piece_start:piece_end], q)
                )
            if paras[q][1] > span_end:
                break
            q += 1
    return out
