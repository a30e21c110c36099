"""Sentence and paragraph splitting: golden table of hard cases, the seed, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.segment import paragraphs, sentences

CASES = [
    (
        "military-titles",
        "The agreement was signed by Col. Gen. Alexander Fomin in Islamabad. It was welcomed.",
        ["The agreement was signed by Col. Gen. Alexander Fomin in Islamabad.", "It was welcomed."],
    ),
    (
        "dr-without-period",
        "The article is by Dr Muhammad Khan of Islamabad. He teaches politics.",
        ["The article is by Dr Muhammad Khan of Islamabad.", "He teaches politics."],
    ),
    (
        "u.s.-mid-sentence",
        "The U.S. cut aid to Pakistan. Moscow offered training.",
        ["The U.S. cut aid to Pakistan.", "Moscow offered training."],
    ),
    (
        "month-abbreviation",
        "Talks began on Jan. 5 in Moscow. They ended later.",
        ["Talks began on Jan. 5 in Moscow.", "They ended later."],
    ),
    (
        "closing-curly-quote",
        "Feldman called it “very short-sighted and myopic.” The Pentagon said nothing.",
        ["Feldman called it “very short-sighted and myopic.”", "The Pentagon said nothing."],
    ),
    (
        "quotation-of-several-sentences",
        "He said, “We will stay. They will go. Nothing changes.” Then he left.",
        ["He said, “We will stay.", "They will go.", "Nothing changes.”", "Then he left."],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_golden_sentences(case, text, expected):
    assert [s.text for s in sentences(text)] == expected


def test_seed_hard_places(seed_doc):
    texts = [s.text for s in sentences(seed_doc.body)]
    assert len(texts) == 32
    assert any(t.endswith("Col. Gen. Alexander Fomin.") for t in texts)
    assert (
        "“The two sides also held in-depth discussions on avenues of future cooperation.”" in texts
    )
    assert any(t.endswith("the deliberations, but officials") is False for t in texts)
    assert texts[4].startswith("The News and even the ABC news") and texts[4].endswith("move.”")


def test_paragraphs_single_and_blank_line_breaks():
    text = "First para line.\nSecond para line.\n\nThird para."
    assert [p.text for p in paragraphs(text)] == [
        "First para line.",
        "Second para line.",
        "Third para.",
    ]
    wrapped = "A short wrapped line\nthat continues here.\n\nNext paragraph."
    assert [p.text for p in paragraphs(wrapped)] == [
        "A short wrapped line\nthat continues here.",
        "Next paragraph.",
    ]


def test_sentences_never_cross_paragraphs():
    text = "Russia agreed\nPakistan agreed too."
    sents = sentences(text)
    assert [s.text for s in sents] == ["Russia agreed", "Pakistan agreed too."]
    assert [s.paragraph for s in sents] == [0, 1]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_sentence_properties(text):
    sents = sentences(text)
    prev_end = 0
    for i, s in enumerate(sents):
        assert s.index == i
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert s.start >= prev_end
        assert s.text == s.text.strip()
        prev_end = s.end
    assert sents == sentences(text)
