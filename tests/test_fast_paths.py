"""Fast paths of analysis.themes and analysis.actors against the general paths they replace.

Each fast path must give exactly what the general one gives, on any text: these property tests
draw texts from words that hit the lexicons, separators of every kind the matchers treat
specially, case changes and characters whose lower-case form changes length.
"""

from __future__ import annotations

import dataclasses
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import actors, themes

_THEMES = themes.default_lexicon()
_ACTORS = actors.default_lexicon()
_WORDS = sorted(
    {w for t in _THEMES.definitions.values() for term in t.terms for w in term.split()}
    | {k for k in _ACTORS._resolve}
)
_SEPARATORS = [
    " ",
    "  ",
    "\n",
    ".",
    ". ",
    "-",
    "\u2010",
    "\u2011",
    "\u2012",
    "\u2013",
    "'",
    "\u2019",
    "_",
    "\xa0",
    "\u2009",
    "\u3000",
    "\t",
    "",
    "1",
    "(",
]
_ODD = ["İ", "ß", "Σ", "ǅ", "𝐀", "é", "x", "IS", "US", "A"]


def _cased(word: str, how: int) -> str:
    return (word, word.upper(), word.title(), word.lower())[how]


_TEXT = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(_WORDS), st.sampled_from(_ODD)),
        st.integers(0, 3),
        st.sampled_from(_SEPARATORS),
    ),
    max_size=40,
).map(lambda parts: "".join(_cased(w, how) + sep for w, how, sep in parts))
_ANY_TEXT = st.one_of(_TEXT, st.text(max_size=200))

#: The normalisation the themes module did with one regex substitution.
_NORMALISE_RE = re.compile(f"[{themes._AS_SPACE}{themes._AS_HYPHEN}{themes._AS_APOSTROPHE}]")


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_normalised_matches_regex_substitution(text: str) -> None:
    expected = _NORMALISE_RE.sub(lambda m: themes._NORMAL[m.group()], text)
    assert themes._normalised(text) == expected


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_theme_scan_after_separator_matches_lookbehind_scan(text: str) -> None:
    index = _THEMES._index
    assert index.scan_lower is not None and index.scan_after is not None
    haystack = themes._normalised(text.lower())
    expected = [(m.span(1), m.group(1)) for m in index.scan_lower.finditer(haystack)]
    head = index.scan_lower.match(haystack)
    found = [(head.span(1), head.group(1))] if head else []
    found += [
        (m.span(1), m.group(1))
        for m in index.scan_after.finditer(haystack, head.end() if head else 0)
    ]
    assert found == expected


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_hyphen_offsets_match_regex(text: str) -> None:
    expected = [m.start() for m in actors._HYPHEN.finditer(text)]
    assert actors._hyphen_offsets(text) == expected


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_actor_scan_after_separator_matches_lookbehind_scan(text: str) -> None:
    after = _ACTORS._pattern_after
    pattern = _ACTORS._pattern
    assert after is not None
    lowered = text.lower()
    expected = [(m.span(1), m.group(1)) for m in pattern.finditer(lowered)]
    head = pattern.match(lowered)
    found = [(head.span(1), head.group(1))] if head else []
    found += [(m.span(1), m.group(1)) for m in after.finditer(lowered, head.end() if head else 0)]
    assert found == expected


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_find_mentions_same_with_and_without_scan_after(text: str) -> None:
    assert _ACTORS._pattern_after is not None
    plain = dataclasses.replace(_ACTORS, _pattern_after=None, _short={})
    assert actors.find_mentions(text, _ACTORS) == actors.find_mentions(text, plain)


def test_scan_after_left_out_when_a_key_ends_in_punctuation() -> None:
    spec = {"kind": "state", **{g: [] for g in (*actors.ALIAS_TYPES, "combining")}}
    lex = actors._compile({"Plus": {**spec, "names": ["C++"]}}, {}, set(), "test", ("test",))
    assert lex._pattern_after is None
    assert [m.surface for m in actors.find_mentions("c++ and C++!", lex)] == ["C++"]


@settings(max_examples=500, deadline=None)
@given(_ANY_TEXT)
def test_lower_is_str_lower_and_lists_the_non_ascii_characters(text: str) -> None:
    lowered, non_ascii = actors._lower(text)
    assert lowered == text.lower()
    assert non_ascii == {ch for ch in text if not ch.isascii()}


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_normalised_with_known_non_ascii_is_the_plain_normalisation(text: str) -> None:
    assert themes._normalised(text, actors._lower(text)[1]) == themes._normalised(text)


@given(
    st.text(max_size=8),
    st.text(max_size=8),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.text(max_size=8),
    st.sampled_from(actors.ALIAS_TYPES),
    st.booleans(),
)
def test_make_mention_is_the_dataclass_constructor(
    actor: str, surface: str, start: int, end: int, alias: str, kind: str, compound: bool
) -> None:
    made = actors._make_mention(actor, surface, start, end, alias, kind, compound)
    assert made == actors.Mention(actor, surface, start, end, alias, kind, compound)
    assert type(made) is actors.Mention
    assert actors._make_mention(actor, surface, start, end, alias, kind) == actors.Mention(
        actor, surface, start, end, alias, kind
    )


@given(st.text(max_size=8), st.text(max_size=8), st.integers(0, 10**6), st.integers(0, 10**6))
def test_make_hit_is_the_dataclass_constructor(theme: str, term: str, start: int, end: int) -> None:
    made = themes._make_hit(theme, term, start, end)
    assert made == themes.ThemeHit(theme, term, start, end)
    assert type(made) is themes.ThemeHit
