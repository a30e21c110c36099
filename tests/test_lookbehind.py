"""analysis.lookbehind: the scan past a leading lookbehind finds what ``finditer`` finds."""

from __future__ import annotations

import re

import pytest

from analysis.actors import default_lexicon
from analysis.lookbehind import finditer, searched

TEXTS = [
    "",
    "Congress",
    "the Congress of Vienna met; the Congress party won. Congress leaders spoke.",
    "US dollars, U.S. $5 and Pakistani rupees; aUS dollars; .US dollars",
    "Contact Us | contact us | xContact Us",
    "Ministry of Foreign Affairs said the Foreign Ministry and xForeign Ministry",
    "ab ab aab\nb",
]

PATTERNS = [
    r"(?<![\w.])Congress(?=\s+(?:leader|leaders|party)\b)",
    r"(?<=\bthe )Congress\b(?!\s+of\b)",
    r"(?<![\w.])(?:US|U\.S\.|Pakistani)\s*(?:\$|dollars?\b|rupees?\b)",
    r"(?<![\w.])Contact\s+Us\b",
    r"(?<![\w.])(?:Ministry of Foreign Affairs|Foreign Ministry)(?![\w])",
    r"(?<=a)b|x",  # the lookbehind binds the first branch only
    r"(?<![]a])b",  # a character set opening with "]"
    r"(?<!a)(?:b|)",  # empty matches: finditer's own rules
    r"(?<=a)",  # nothing after the lookbehind
    r"(?<=(a))b",  # a group in the lookbehind: not split
    r"Congress",  # no lookbehind
]


@pytest.mark.parametrize("source", PATTERNS)
def test_same_matches_as_finditer(source: str) -> None:
    pattern = re.compile(source)
    search = searched(pattern)
    for text in TEXTS:
        expected = [(m.span(), m.group(), m.groups()) for m in pattern.finditer(text)]
        got = [(m.span(), m.group(), m.groups()) for m in finditer(search, text)]
        assert got == expected, (source, text)
        for start in range(len(text) + 2):
            expected = [m.span() for m in pattern.finditer(text, start)]
            assert [m.span() for m in finditer(search, text, start)] == expected, (source, start)


def test_rest_only_after_a_group_free_lookbehind() -> None:
    assert searched(re.compile(r"(?<![\w.])Contact\s+Us\b")).rest.pattern == r"Contact\s+Us\b"
    assert searched(re.compile(r"(?<=(a))b")).rest is None
    assert searched(re.compile(r"(?<=a)")).rest is None
    assert searched(re.compile(r"Congress")).rest is None


def test_lexicon_patterns_are_scanned_past_their_lookbehind() -> None:
    lexicon = default_lexicon()
    assert lexicon._contextual_pattern is not None
    assert lexicon._contextual_pattern.rest is not None
    assert all(s.rest is not None for s in lexicon._exclusion[2:])
