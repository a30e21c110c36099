"""The fast paths of ``analysis.quotes`` give what the general forms they replace give.

Each fast path is compared, on arbitrary text, with the plain pattern or loop it stands for
(written out here as it was before the fast path).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.quotes import default_speech_verbs, frames, grammar, lexicon, limits, marks, tokens
from analysis.quotes.grammar import _NAME_PARTICLES, _UPPER, _WORDS

#: Characters that exercise the patterns: capitals, apostrophes, quote marks, dots, hyphens,
#: spaces and the letters of the cue words and opinion phrases.
_ALPHABET = st.sampled_from(
    [
        *"aeinostdlrhgy AISTMJRÉЖ.'’‘`\"“”«»‹›‚‛„‟-_\t\n,;:1",
        *["said", "says", "told", " in ", "In his view", "according to", "Mr.", "van", "J.R."],
    ]
)
_TEXT = st.lists(_ALPHABET, max_size=60).map("".join) | st.text(max_size=80)

_NAME_TOKEN = (
    rf"(?:(?:[{_UPPER}]\.){{1,3}}|[{_UPPER}][a-z]{{0,2}}\.|[{_UPPER}](?:[\w’'\-]{{0,40}}[\w])?)"
)
_NAME_RUN = re.compile(
    rf"(?<![\w’'\-]){_NAME_TOKEN}(?:[ \t]+(?:(?:{'|'.join(sorted(_NAME_PARTICLES))})[ \t]+)?"
    rf"{_NAME_TOKEN}){{0,7}}"
)
_MARK = re.compile(r"''|``|[\"“”„‟«»‹›‘’‚‛']")


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, str]]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_name_runs_match_the_look_behind_first_pattern(text: str) -> None:
    assert _spans(grammar._NAME_RUN, text) == _spans(_NAME_RUN, text)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_quote_marks_match_the_alternation(text: str) -> None:
    assert _spans(grammar._MARK, text) == _spans(_MARK, text)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_marks_found_by_substring_search_are_the_pattern_matches(text: str) -> None:
    expected = [(m.start(), m.end(), m.group()) for m in _MARK.finditer(text)]
    assert marks._find_marks(text) == expected


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_opinion_phrases_match_the_look_behind_first_pattern(text: str) -> None:
    fast = default_speech_verbs()._opinion
    head = r"[Ii]n(?<![\w’']..)"
    assert fast.pattern.startswith(head)
    plain = re.compile(r"(?<![\w’'])[Ii]n" + fast.pattern[len(head) :])
    assert _spans(fast, text) == _spans(plain, text)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_cue_scan_finds_the_cues_of_the_full_pattern(text: str) -> None:
    lex = default_speech_verbs()
    assert lex._scan is not None
    plain = [(m.start(), m.end(), m.group()) for m in lex._pattern.finditer(text)]
    assert frames._find_cues(lex, text) == plain


def test_cue_scan_is_off_for_a_cue_that_starts_with_punctuation() -> None:
    assert lexicon._WORD_EDGES.fullmatch("said")
    assert lexicon._WORD_EDGES.fullmatch("told reporters")
    assert not lexicon._WORD_EDGES.fullmatch("‘said")
    assert not lexicon._WORD_EDGES.fullmatch("acc.")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Word", "word", "9", "٣", "Élan", "élan", "_", "-", "'", " ", ", ", "\n", "x" * 30]
        ),
        max_size=120,
    )
)
def test_headline_caps_is_the_share_test_over_the_first_forty_words(parts: list[str]) -> None:
    text = "".join(parts)
    words = _WORDS.findall(text)[: limits.HEADLINE_WORDS]
    caps = sum(1 for w in words if w[0].isupper() or w[0].isdigit())
    plain = len(words) >= 3 and caps >= limits.HEADLINE_CAPS_SHARE * len(words)
    assert tokens._headline_caps(text, 0, len(text)) == plain


#: The issue's limits for a newcomer-readable package: no function longer than this (lines) ...
MAX_FUNCTION_LINES = 80
#: ... nor more complex than this (McCabe, as ruff's C901 counts it).
MAX_COMPLEXITY = 25


def test_no_quotes_function_is_too_long_or_too_complex() -> None:
    import ast
    import subprocess
    import sys
    from pathlib import Path

    package = Path(frames.__file__).resolve().parent
    long = [
        f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in sorted(package.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
    ruff = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "C901",
            "--config",
            f"lint.mccabe.max-complexity={MAX_COMPLEXITY}",
            "--output-format",
            "concise",
            str(package),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout
