"""Text helpers shared by the stages: tokens, offsets, intervals and small predicates."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from analysis.quotes.grammar import (
    _DETERMINERS,
    _DIRECT_START,
    _FUNCTION_CAPS,
    _NON_SPACE,
    _NOT_GAP,
    _POSSESSIVES,
    _PRONOUN_CONTRACTIONS,
    _TOKEN,
    _WORDS,
)
from analysis.quotes.limits import HEADLINE_CAPS_SHARE, HEADLINE_WORDS
from analysis.quotes.records import SpeechVerbs
from analysis.segment import Sentence

#: A token: (start, end, text), offsets into the text. A plain tuple: tokens are cut for every
#: cue, and a tuple is several times cheaper to build than a class instance.
_Tok = tuple[int, int, str]
#: Longest word ``_TOKEN`` reads as one token before an optional full stop (1 + 60 + 1
#: characters); a longer run of letters is cut into several tokens.
_WORD_TOKEN_MAX = 62
#: Pieces (text between spaces) a token stream cuts at a time: a reader that stops after a
#: few tokens pays for few more.
_STREAM_PIECES = 4


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    """The tokens of text[start:end]: ``_TOKEN.finditer(text, start, end)`` as tuples."""
    out: list[_Tok] = []
    _cut(text, text[start:end].split(" "), start, out)
    return out


def _cut(text: str, pieces: Iterable[str], pos: int, out: list[_Tok]) -> int:
    """Append the tokens of ``pieces``, consecutive pieces of ``text`` between single spaces
    (the first at ``pos``), to ``out``; return the offset after the last piece and its space.

    No token contains a space, so each piece is tokenized on its own, most without the regex:
    letters and digits are one token, so are they with a final full stop ("Russia."); with one
    other punctuation character before or after ("said,", "“The") they are two, and a lone
    character other than "_" is one. Anything else (and any piece holding other white space)
    goes through ``_TOKEN``.
    """
    append = out.append
    for piece in pieces:
        s = pos
        n = len(piece)
        pos += n + 1
        if not n:
            continue
        e = s + n
        if piece.isalnum():
            if n <= _WORD_TOKEN_MAX:
                append((s, e, piece))
                continue
        elif n == 1:
            if piece != "_" and not piece.isspace():
                append((s, e, piece))
            continue
        elif n <= _WORD_TOKEN_MAX + 1:
            word = piece[:-1]
            if word.isalnum():
                last = piece[-1]  # not a letter or digit, as the piece is not all of them
                if last == ".":
                    append((s, e, piece))
                    continue
                if last != "_" and not last.isspace():
                    append((s, e - 1, word))
                    append((e - 1, e, last))
                    continue
            else:
                first = piece[0]
                rest = piece[1:]
                if rest.isalnum() and first != "_" and not first.isspace():
                    append((s, s + 1, first))
                    append((s + 1, e, rest))
                    continue
        out.extend([(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, s, e)])
    return pos


class _TokenStream:
    """The tokens of text[start:end] (:func:`_tokens`), cut only as far as they are read.

    ``toks`` holds the tokens cut so far; ``has(i)`` cuts on until token ``i`` exists and says
    whether it does (``i < len(_tokens(text, start, end))``). For readers that go forward and
    mostly stop after a few tokens ("said X, a …", "said that …").
    """

    __slots__ = ("_next", "_pieces", "_pos", "_text", "toks")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.toks: list[_Tok] = []
        self._text = text
        self._pieces: list[str] | None = text[start:end].split(" ")
        self._next = 0  # the next piece to cut
        self._pos = start  # where it starts

    def has(self, i: int) -> bool:
        """Whether the window has a token ``i`` (cutting tokens up to it)."""
        toks = self.toks
        while i >= len(toks):
            pieces = self._pieces
            if pieces is None:
                return False
            k = self._next
            if k >= len(pieces):
                self._pieces = None
                return False
            self._next = k + _STREAM_PIECES
            self._pos = _cut(self._text, pieces[k : k + _STREAM_PIECES], self._pos, toks)
        return True

    def all(self) -> list[_Tok]:
        """Every token of the window."""
        if self._pieces is not None:
            self._pos = _cut(self._text, self._pieces[self._next :], self._pos, self.toks)
            self._pieces = None
        return self.toks


def _is_word(tok: _Tok) -> bool:
    return tok[2][0].isalnum()


def _is_cap(tok: _Tok) -> bool:
    return tok[2][0].isupper()


def _bare(word: str) -> str:
    """A token without a trailing full stop or possessive."""
    w = word.rstrip(".")
    if w.endswith(("’s", "'s")):
        w = w[:-2]
    return w


def _is_name_token(tok: _Tok, lex: SpeechVerbs) -> bool:
    return _is_cap(tok) and _bare(tok[2]) not in _FUNCTION_CAPS


#: What a capitalised run reads as, whatever the names before it: (start and end of the name in
#: the run, the name as written there, the name, gender, first core word, a single core word,


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _first_char(text: str, start: int, end: int) -> int:
    """Offset of the first non-space character in [start, end), or ``end``."""
    while start < end and text[start].isspace():
        start += 1
    return start


class _Sentences:
    """Sentence lookup by offset."""

    def __init__(self, sents: Sequence[Sentence]) -> None:
        self.sents = sents
        self.starts = [s.start for s in sents]

    def index(self, pos: int) -> int:
        i = bisect.bisect_right(self.starts, pos) - 1
        return max(i, 0)


class _Intervals:
    """Sorted, merged intervals with logarithmic membership tests."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        self.spans = merged
        self.starts = [s for s, _ in merged]

    def contains(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.spans[i][1]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1
        return i >= 0 and self.spans[i][1] > start


def _strip_trailing_dot(text: str, start: int, end: int) -> int:
    """Drop a sentence-final full stop from a span unless it ends an abbreviation ("Jr.")."""
    if end - start > 1 and text[end - 1] == ".":
        word = text[start:end].split()[-1]
        if len(word) > 4 and not word[:-1].count("."):
            return end - 1
    return end


def _cue_is_verb(text: str, start: int, lo: int) -> bool:
    """False when the cue word is used as a noun or infinitive ("the view", "to say")."""
    j = start - 1
    while j >= lo and text[j] in " \t":
        j -= 1
    k = j
    while k >= lo and (text[k].isalnum() or text[k] in "’'"):
        k -= 1
    prev = text[k + 1 : j + 1].lower()
    if prev in _DETERMINERS and prev not in (
        "that",
        "all",
        "both",
        "some",
        "many",
        "most",
        "few",
        "several",
        "these",
        "those",
    ):
        return False
    if prev.isdigit() and text[start : start + 40].split(" ", 1)[0].endswith("s"):
        return False  # "the Sept. 11 attacks", "the 2008 claims" (not "in 2008 questioned")
    if prev in _PRONOUN_CONTRACTIONS:
        return True  # "He’s claiming": "is", not a possessive
    return not (prev in _POSSESSIVES or prev == "to" or prev.endswith(("’s", "'s")))


def _direct_like(text: str, part: tuple[int, int]) -> bool:
    """A quotation that reads as a statement: it starts with a capital, digit or ellipsis."""
    s, e = part
    m = _DIRECT_START.match(text, s, e)
    if m is None:
        return False
    ch = text[m.end() - 1]
    return ch.isupper() or ch.isdigit() or text.startswith(("…", "...", "—"), s)


def _words_between(text: str, start: int, end: int, limit: int = 64) -> int:
    """Number of words in text[start:end], counted up to ``limit`` (keeps the cost bounded)."""
    n = 0
    for _ in _WORDS.finditer(text, start, end):
        n += 1
        if n >= limit:
            break
    return n


#: Words not capitalised that make a headline impossible whatever follows: the fewest lower-case
#: first words that fail the share test for every length up to ``HEADLINE_WORDS`` (17 for 40
#: words at 0.6), found with the test's own arithmetic.
_HEADLINE_LOWER_LIMIT = next(
    k
    for k in range(1, HEADLINE_WORDS + 2)
    if all(n - k < HEADLINE_CAPS_SHARE * n for n in range(k, HEADLINE_WORDS + 1))
)


def _headline_caps(text: str, start: int, end: int) -> bool:
    """Whether the first ``HEADLINE_WORDS`` words of text[start:end] are mostly capitalised (or
    numbers): at least 3 words, ``HEADLINE_CAPS_SHARE`` of them.

    The words (runs of letters and digits, ``_WORDS``) are read one by one, and the reading
    stops as soon as so many are in lower case that the share cannot be reached (in running
    text, after about 20 words). A word never spans white space, so the text is cut at white
    space first: a piece of letters and digits alone (most of them) is one word, and only the
    other pieces go through the regex.
    """
    n = caps = 0
    for piece in text[start:end].split():
        for word in (piece,) if piece.isalnum() else _WORDS.findall(piece):
            n += 1
            ch = word[0]
            if ch.isupper() or ch.isdigit():
                caps += 1
            elif n - caps >= _HEADLINE_LOWER_LIMIT:
                return False
            if n >= HEADLINE_WORDS:
                return caps >= HEADLINE_CAPS_SHARE * n
    return n >= 3 and caps >= HEADLINE_CAPS_SHARE * n


def _only_gap(text: str, start: int, end: int) -> bool:
    """True when text[start:end] holds only punctuation and spaces (a frame's glue)."""
    return start >= end or _NOT_GAP.search(text, start, end) is None


def _last_char(text: str, start: int, end: int) -> str:
    """The last non-space character of text[start:end], or ""."""
    j = end - 1
    while j >= start and text[j].isspace():
        j -= 1
    return text[j] if j >= start else ""


def _first_char_of(text: str, start: int, end: int) -> str:
    """The first non-space character of text[start:end], or ""."""
    m = _NON_SPACE.search(text, start, end)
    return m.group() if m else ""
