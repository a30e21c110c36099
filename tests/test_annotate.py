"""The article as analysed: every span of the tables in the markup, escaped, nested, fast."""

from __future__ import annotations

import re
import time

import pytest

import analysis
from analysis.annotate import Span, annotate, polarity_class, render_spans
from analysis.corpus import document_from_text

XSS = "<script>alert(1)</script>"
#: The issue's target: a 10,000-word article renders in under a second.
LONG_ARTICLE_WORDS = 10_000
LONG_ARTICLE_SECONDS = 1.0


@pytest.fixture(scope="module")
def seed_result(seed_doc: analysis.Document) -> analysis.Analysis:
    return analysis.analyze(seed_doc)


def _ids(markup: str, name: str) -> set[int]:
    return {int(v) for v in re.findall(rf'data-{name}="(\d+)"', markup)}


def test_the_seed_view_shows_every_mention_quotation_and_theme_hit_of_the_tables(
    seed_result: analysis.Analysis, seed_doc: analysis.Document
) -> None:
    markup = annotate(seed_result, seed_doc.id, document=seed_doc).html
    assert _ids(markup, "mention") == set(seed_result.mentions["mention"])
    assert _ids(markup, "quote") == set(seed_result.quotes["quote"])
    assert _ids(markup, "theme-hit") == set(seed_result.themes["hit"])
    speakers = seed_result.quotes["speaker_start"].notna().sum()
    assert len(_ids(markup, "speaker-of")) == speakers
    # Each mention's note carries its actor, label, signed polarity and voice.
    first = seed_result.mentions.iloc[0]
    note = f"[{first.actor}: {first.label} ({first.polarity:+.2f}), {first.voice} voice]"
    assert note in markup
    # The body as the tables saw it: the text without tags is the body's paragraphs.
    plain = re.sub(
        r'<span class="ann">.*?</span>', "", markup.split('<div class="annotated-body">')[1]
    )
    plain = re.sub(r"<[^>]+>", "", plain)
    assert "Pakistan has known such a US move" in plain
    # The author note, taken out of the body, is shown apart.
    assert "Not analysed" in markup and "Author note" in markup


def test_the_body_rebuilt_from_the_sentences_gives_the_same_view(
    seed_result: analysis.Analysis, seed_doc: analysis.Document
) -> None:
    body = '<div class="annotated-body">'
    with_doc = annotate(seed_result, seed_doc.id, document=seed_doc).html
    from_tables = seed_result.show(seed_doc.id).html
    assert with_doc.split(body)[1] == from_tables.split(body)[1]
    # Only the Document knows the furniture that cleaning dropped (the site's footer here).
    assert "Dropped furniture" in with_doc and "About The CSS Point" in with_doc
    assert "Dropped furniture" not in from_tables


def test_article_markup_shows_as_text() -> None:
    doc = document_from_text(
        f"Talks {XSS} in Moscow\n\nPakistan and Russia held talks. “{XSS} is what we reject,” "
        'said the Russian ambassador. <img src=x onerror="alert(2)"> The United States watched.',
        doc_id="x<y>",
        path="x.txt",
    )
    result = analysis.analyze(doc)
    markup = annotate(result, doc.id, document=doc).html
    assert "<script" not in markup and "<img" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is what we reject" in markup
    assert 'data-doc="x&lt;y&gt;"' in markup


def test_crossing_spans_nest_and_keep_their_ids() -> None:
    text = "abcdefgh"
    spans = [
        Span(1, 5, 1, "span", (("data-quote", "0"),), lead="Q", tail="/Q"),
        Span(3, 7, 4, "mark", (("data-mention", "1"),), tail="/M"),
    ]
    out = render_spans(text, spans)
    assert out == (
        'a<span data-quote="0"><span class="tag">Q</span>bc<mark data-mention="1">de</mark>'
        '<span class="ann">/Q</span></span><mark data-mention="1">fg'
        '<span class="ann">/M</span></mark>h'
    )


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (-0.8, "pol-neg2"),
        (-0.2, "pol-neg1"),
        (0.0, "pol-neu"),
        (0.3, "pol-pos1"),
        (0.9, "pol-pos2"),
    ],
)
def test_mention_colour_follows_polarity(polarity: float, expected: str) -> None:
    assert polarity_class(polarity) == expected


def test_focus_outlines_a_sentence_and_context_limits_the_paragraphs(
    seed_result: analysis.Analysis, seed_doc: analysis.Document
) -> None:
    markup = annotate(seed_result, seed_doc.id, focus=5, context=0, legend=False).html
    assert 'id="sentence-5"' in markup and "legend" not in markup.split("</style>")[1]
    assert markup.split('<div class="annotated-body">')[1].count("<p>") == 1
    with pytest.raises(KeyError, match="no document 'nope'"):
        annotate(seed_result, "nope")


def test_a_ten_thousand_word_article_renders_in_under_a_second(
    seed_doc: analysis.Document,
) -> None:
    paragraphs = seed_doc.body.split("\n\n")
    words = 0
    chosen = []
    while words < LONG_ARTICLE_WORDS:
        paragraph = paragraphs[len(chosen) % len(paragraphs)]
        chosen.append(paragraph)
        words += len(paragraph.split())
    doc = document_from_text("Long\n\n" + "\n\n".join(chosen), doc_id="long", path="long.txt")
    result = analysis.analyze(doc, settings=analysis.Settings(sentiment_backend="textblob"))
    started = time.perf_counter()
    markup = annotate(result, "long", document=doc).html
    elapsed = time.perf_counter() - started
    assert len(_ids(markup, "mention")) == len(result.mentions) > 1000
    assert elapsed < LONG_ARTICLE_SECONDS, f"{elapsed:.2f} s"


def test_headline_mentions_are_marked_in_the_headline(
    seed_result: analysis.Analysis, seed_doc: analysis.Document
) -> None:
    if "in_headline" not in seed_result.mentions.columns:
        pytest.skip("this version of the pipeline does not read headlines")
    markup = annotate(seed_result, seed_doc.id, document=seed_doc).html
    headline = markup.split('<p class="headline">')[1].split("</p>")[0]
    flagged = seed_result.mentions[seed_result.mentions["in_headline"]]
    assert _ids(headline, "mention") == set(flagged["mention"]) != set()
    body = markup.split('<div class="annotated-body">')[1]
    assert not _ids(body, "mention") & set(flagged["mention"])
    # The explorer's evidence for a headline mention opens the article with its headline marked.
    focused = annotate(seed_result, seed_doc.id, focus=-1, context=0).html
    assert '<p class="headline focus">' in focused
