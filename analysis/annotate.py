"""The article as the analysis read it: the body as HTML with every mention, quotation and theme
hit marked (after displaCy's entity view and brat's span annotation).

Actor mentions are highlighted in a colour for the sentiment toward them (the hover title and a
text note give actor, polarity, label and voice); quotation contents are marked with their kind,
speaker, cue and speaker's actor, the speaker's mention and the cue marked apart; theme terms are
underlined in a style per theme. The notes are visually hidden on screen, read by screen readers
and printed, so no information is carried by colour alone. The title, dateline, author note and
any furniture the cleaning dropped are shown apart from the body: they are not analysed.

Every piece of article text and every table value is HTML-escaped. The view is static HTML and
CSS (``report/templates/annotate.css``): no script, so it works in reports, in JupyterLab and in
any notebook.

Spans may nest (a mention inside a quotation) or cross (a theme term running over a mention's
end); crossing spans are split into fragments that carry the same ``data-*`` id, so every span
of the tables appears in the markup with its id (``data-mention``, ``data-quote``,
``data-theme-hit``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.figures import Html

if TYPE_CHECKING:
    from analysis.corpus import Document

__all__ = ["Span", "annotate", "render_spans"]

#: Polarity bins of the mention colours, from the most negative up: a polarity below a bound
#: takes that bin's class; the last class takes the rest. ±0.05 is the label threshold that
#: the backends call neutral about.
POLARITY_BINS: tuple[tuple[float, str], ...] = (
    (-0.5, "pol-neg2"),
    (-0.05, "pol-neg1"),
    (0.05, "pol-neu"),
    (0.5, "pol-pos1"),
)
POLARITY_TOP_CLASS = "pol-pos2"
#: Underline styles cycled through the themes (``theme-0`` … in the style sheet): colour and
#: line style differ, so themes stay apart in greyscale.
THEME_STYLES = 8
#: Nesting order of span layers, outermost first, for spans that start and end together.
LAYER_FOCUS, LAYER_QUOTE, LAYER_SPEAKER, LAYER_CUE, LAYER_MENTION, LAYER_THEME = range(6)
STYLE_SHEET = "annotate.css"
#: Sentence index of headline rows in the mentions and quotes tables (offsets into the title).
HEADLINE_SENTENCE = -1
#: Class of a span's lead note: shown on screen as a small tag (a quotation's speaker and cue),
#: read by screen readers and printed; tail notes (class ``ann``) are for readers and print only.
LEAD_CLASS = "tag"
#: Quotation kinds in words for notes and legends.
KIND_WORDS = {"direct": "direct quotation", "partial": "partial quotation", "indirect": "reported"}


@dataclass(frozen=True, slots=True)
class Span:
    """A marked stretch of text.

    Attributes:
        start: First character (offset into the text).
        end: One past the last character.
        layer: Nesting order for spans with the same extent (lower: outer).
        tag: Element name (``mark``, ``span``).
        attrs: Attributes, values unescaped (escaped when written).
        lead: Accessible note written after the opening tag of the first fragment (text).
        tail: Accessible note written before the closing tag of the last fragment (text).
    """

    start: int
    end: int
    layer: int
    tag: str
    attrs: tuple[tuple[str, str], ...]
    lead: str = ""
    tail: str = ""


def _open(span: Span) -> str:
    attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in span.attrs)
    return f"<{span.tag}{attrs}>"


def _note(text: str, css_class: str = "ann") -> str:
    return f'<span class="{css_class}">{html.escape(text)}</span>' if text else ""


def render_spans(text: str, spans: Iterable[Span], start: int = 0, end: int | None = None) -> str:
    """Escaped HTML of ``text[start:end]`` with ``spans`` as nested elements.

    Spans are clipped to the range; a span that crosses another's end is closed and reopened
    around it, so the markup always nests.

    Args:
        text: The text the offsets refer to.
        spans: The spans (any order).
        start: First character of the range rendered.
        end: End of the range (None: the end of the text).

    Returns:
        The markup.
    """
    end = len(text) if end is None else end
    clipped = sorted(
        (s for s in spans if s.start < end and s.end > start and s.end > s.start),
        key=lambda s: (max(s.start, start), -min(s.end, end), s.layer),
    )
    points = sorted(
        {start, end, *(max(s.start, start) for s in clipped)} | {min(s.end, end) for s in clipped}
    )
    out: list[str] = []
    stack: list[Span] = []
    pending = iter(clipped)
    nxt = next(pending, None)
    pos = start
    for point in points:
        out.append(html.escape(text[pos:point], quote=False))
        pos = point
        _close_at(point, end, stack, out)
        while nxt is not None and max(nxt.start, start) == point:
            lead = _note(nxt.lead, LEAD_CLASS) if nxt.start >= start else ""
            out.append(_open(nxt) + lead)
            stack.append(nxt)
            nxt = next(pending, None)
    return "".join(out)


def _close_at(point: int, end: int, stack: list[Span], out: list[str]) -> None:
    """Close the spans ending at ``point``, reopening any inner span that goes on."""
    if not any(min(s.end, end) == point for s in stack):
        return
    reopen: list[Span] = []
    while any(min(s.end, end) == point for s in stack):
        span = stack.pop()
        if min(span.end, end) == point:
            out.append((_note(span.tail) if span.end <= end else "") + f"</{span.tag}>")
        else:
            out.append(f"</{span.tag}>")
            reopen.append(span)
    for span in reversed(reopen):
        out.append(_open(span))
        stack.append(span)


# --------------------------------------------------------------------------------------------
# Spans from the tables
# --------------------------------------------------------------------------------------------


def polarity_class(polarity: float) -> str:
    """The colour class of a mention's polarity (``pol-neu`` when it has none)."""
    if not isinstance(polarity, int | float) or math.isnan(polarity):
        return "pol-neu"
    return next((cls for bound, cls in POLARITY_BINS if polarity < bound), POLARITY_TOP_CLASS)


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _is_set(value: Any) -> bool:
    return value is not None and value is not pd.NA and not pd.isna(value)


def mention_spans(mentions: pd.DataFrame) -> list[Span]:
    """One highlight per mention: class by polarity, actor, polarity, label and voice."""
    spans = []
    rows: Iterable[Any] = mentions.itertuples(index=False)
    for row in rows:
        pol = float(row.polarity)
        about = f"{row.actor}: {row.label} ({pol:+.2f}), {row.voice} voice"
        spans.append(
            Span(
                int(row.start),
                int(row.end),
                LAYER_MENTION,
                "mark",
                (
                    ("class", f"mention {polarity_class(pol)}"),
                    ("data-mention", str(row.mention)),
                    ("data-actor", str(row.actor)),
                    ("title", f"actor {about}; as written: {row.surface}"),
                ),
                tail=f" [{about}]",
            )
        )
    return spans


def quote_spans(quotes: pd.DataFrame) -> list[Span]:
    """Each quotation's content, its speaker's mention and its cue."""
    spans = []
    rows: Iterable[Any] = quotes.itertuples(index=False)
    for row in rows:
        n = int(row.quote)
        speaker = _text(row.speaker) or "unattributed"
        actor = _text(row.actor)
        who = speaker + (f" ({actor})" if actor else "")
        kind = KIND_WORDS.get(str(row.kind), str(row.kind))
        cue = _text(row.cue)
        about = f"{kind} {n + 1}, speaker {who}" + (f", cue “{cue}”" if cue else "")
        spans.append(
            Span(
                int(row.start),
                int(row.end),
                LAYER_QUOTE,
                "span",
                (
                    ("class", f"quote quote-{row.kind}"),
                    ("data-quote", str(n)),
                    ("title", about),
                ),
                lead=f"{who}, {cue or kind} ▸ ",
                tail=f" [end of {kind} {n + 1}]",
            )
        )
        if _is_set(row.speaker_start) and _is_set(row.speaker_end):
            spans.append(
                _role_span(row.speaker_start, row.speaker_end, LAYER_SPEAKER, "speaker", n)
            )
        if _is_set(row.cue_start) and _is_set(row.cue_end):
            spans.append(_role_span(row.cue_start, row.cue_end, LAYER_CUE, "cue", n))
    return spans


def _role_span(start: Any, end: Any, layer: int, role: str, quote: int) -> Span:
    return Span(
        int(start),
        int(end),
        layer,
        "span",
        (("class", role), (f"data-{role}-of", str(quote)), ("title", f"{role} of {quote + 1}")),
        tail=f" [{role} of {quote + 1}]",
    )


def theme_spans(themes: pd.DataFrame, order: Sequence[str]) -> list[Span]:
    """One underline per theme hit, styled by the theme's place in ``order``."""
    style = {t: i % THEME_STYLES for i, t in enumerate(order)}
    rows: Iterable[Any] = themes.itertuples(index=False)
    return [
        Span(
            int(row.start),
            int(row.end),
            LAYER_THEME,
            "span",
            (
                ("class", f"theme theme-{style.get(str(row.theme), 0)}"),
                ("data-theme-hit", str(row.hit)),
                ("data-theme", str(row.theme)),
                ("title", f"theme {row.theme}: term “{row.term}”"),
            ),
            tail=f" [theme: {row.theme}]",
        )
        for row in rows
    ]


# --------------------------------------------------------------------------------------------
# The article
# --------------------------------------------------------------------------------------------

#: Document attributes (or documents-table columns) holding text that cleaning kept out of the
#: body, shown apart with these labels.
SET_APART = (("dateline", "Dateline"), ("author_note", "Author note"))
FURNITURE_LABEL = "Dropped furniture"


@lru_cache(maxsize=1)
def style_sheet() -> str:
    """The annotated view's CSS (scoped to ``.annotated``)."""
    return resources.files("analysis.report").joinpath("templates", STYLE_SHEET).read_text("utf-8")


def _rows(table: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    return table[table["doc_id"] == doc_id]


def body_text(sentences: pd.DataFrame, document: Document | None = None) -> str:
    """The text the offsets of one document refer to.

    The document's body when given; else rebuilt from its sentences (each at its offsets, the
    space between them blank), which keeps every offset of the tables in place.
    """
    if document is not None:
        return document.body
    if sentences.empty:
        return ""
    chars = [" "] * int(sentences["end"].max())
    for start, text in zip(sentences["start"], sentences["text"], strict=True):
        chars[int(start) : int(start) + len(text)] = text
    return "".join(chars)


def paragraph_ranges(sentences: pd.DataFrame) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: from its first sentence's start to its last one's end."""
    if sentences.empty:
        return []
    spans = sentences.groupby("paragraph", sort=True).agg(
        start=("start", "min"), end=("end", "max")
    )
    return [(int(s), int(e)) for s, e in spans[["start", "end"]].to_numpy()]


def _set_apart(doc_row: dict[str, Any], document: Document | None) -> list[tuple[str, str]]:
    """(label, text) of what cleaning kept out of the body: dateline, author note, furniture."""
    found: list[tuple[str, str]] = []
    for name, label in SET_APART:
        value = getattr(document, name, None) if document is not None else None
        value = _text(value if value is not None else doc_row.get(name)).strip()
        if value:
            found.append((label, value))
    ranges = getattr(document, "furniture", ()) if document is not None else ()
    for start, end in ranges:
        found.append((FURNITURE_LABEL, document.raw[start:end].strip() if document else ""))
    return found


def _headline_split(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(body rows, headline rows): headline rows have offsets into the title."""
    if "in_headline" not in table.columns:
        return table, table.iloc[0:0]
    flag = table["in_headline"].fillna(False).astype(bool)
    return table[~flag], table[flag]


def _head(
    doc_row: dict[str, Any],
    document: Document | None,
    counts: str,
    headline: Sequence[Span],
    focused: bool,
) -> str:
    esc = html.escape
    title = (document.title if document is not None else None) or _text(doc_row.get("title"))
    marked = render_spans(title, headline) if title else esc(_text(doc_row.get("doc_id")))
    facts = [_text(doc_row.get(k)) for k in ("author", "date", "source")]
    parts = [
        f'<p class="headline{" focus" if focused else ""}">{marked}</p>',
        f'<p class="byline">{esc(" · ".join(f for f in facts if f))}</p>',
        f'<p class="counts">{esc(counts)}</p>',
    ]
    apart = _set_apart(doc_row, document)
    if apart:
        items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in apart)
        parts.append(
            '<aside class="set-apart" aria-label="Text not analysed">'
            "<p>Not analysed (taken out of the body by cleaning):</p>"
            f"<dl>{items}</dl></aside>"
        )
    return "".join(parts)


def _legend(theme_order: Sequence[str]) -> str:
    esc = html.escape
    polarity = "".join(
        f'<mark class="mention {cls}">{esc(word)}</mark> '
        for cls, word in (
            ("pol-neg2", "very negative"),
            ("pol-neg1", "negative"),
            ("pol-neu", "neutral"),
            ("pol-pos1", "positive"),
            ("pol-pos2", "very positive"),
        )
    )
    themes = "".join(
        f'<span class="theme theme-{i % THEME_STYLES}">{esc(t)}</span> '
        for i, t in enumerate(theme_order)
    )
    return (
        '<div class="legend" aria-hidden="true">'
        f"<p><strong>Actor mentions</strong>, by the sentiment toward them: {polarity}</p>"
        '<p><strong>Quotations</strong>: <span class="quote quote-direct">direct</span> '
        '<span class="quote quote-partial">partial</span> '
        '<span class="quote quote-indirect">reported</span>; '
        '<span class="speaker">speaker</span>, <span class="cue">cue</span></p>'
        + (f"<p><strong>Themes</strong>: {themes}</p>" if themes else "")
        + "</div>"
    )


def annotate(
    result: Any,
    doc_id: str,
    *,
    document: Document | None = None,
    focus: int | None = None,
    context: int | None = None,
    legend: bool = True,
) -> Html:
    """The article as the analysis read it, as HTML.

    Args:
        result: An :class:`analysis.Analysis`.
        doc_id: The document to show.
        document: The loaded document, for its exact body and the text cleaning set apart
            (None: the body is rebuilt from the sentences table).
        focus: A sentence index to outline (the explorer's selected evidence).
        context: With ``focus``, show only that many paragraphs either side of it (None: all).
        legend: Show the key to colours and underlines.

    Returns:
        A display object (``_repr_html_``) of self-contained, escaped HTML.

    Raises:
        KeyError: No document with that id.
    """
    docs = result.documents
    match = docs[docs["doc_id"] == doc_id]
    if match.empty:
        raise KeyError(f"no document {doc_id!r} (documents: {', '.join(map(str, docs['doc_id']))})")
    doc_row = match.iloc[0].to_dict()
    sentences = _rows(result.sentences, doc_id)
    text = body_text(sentences, document)
    mentions, quotes, themes = (
        _rows(t, doc_id) for t in (result.mentions, result.quotes, result.themes)
    )
    order = sorted(map(str, themes["theme"].unique()))
    (mentions, head_m), (quotes, head_q) = _headline_split(mentions), _headline_split(quotes)
    spans = [*mention_spans(mentions), *quote_spans(quotes), *theme_spans(themes, order)]
    headline = [*mention_spans(head_m), *quote_spans(head_q)]
    paragraphs = paragraph_ranges(sentences)
    if focus is not None and focus != HEADLINE_SENTENCE:
        spans.append(_focus_span(sentences, focus))
        paragraphs = _around(sentences, paragraphs, focus, context)
    counts = (
        f"{len(mentions) + len(head_m)} actor mentions ({len(head_m)} in the headline), "
        f"{len(quotes) + len(head_q)} quotations and reported speech, {len(themes)} theme terms"
    )
    body = "".join(f"<p>{render_spans(text, spans, s, e)}</p>" for s, e in paragraphs)
    markup = (
        f"<style>{style_sheet()}</style>"
        f'<div class="annotated" data-doc="{html.escape(str(doc_id), quote=True)}">'
        f"{_head(doc_row, document, counts, headline, focus == HEADLINE_SENTENCE)}"
        f"{_legend(order) if legend else ''}"
        f'<div class="annotated-body">{body}</div></div>'
    )
    return Html(markup, f"{doc_row.get('title') or doc_id}: {counts}")


def _focus_span(sentences: pd.DataFrame, focus: int) -> Span:
    row = sentences[sentences["sentence"] == focus]
    if row.empty:
        raise KeyError(f"no sentence {focus}")
    start, end = (int(v) for v in row[["start", "end"]].to_numpy()[0])
    return Span(start, end, LAYER_FOCUS, "span", (("class", "focus"), ("id", f"sentence-{focus}")))


def _around(
    sentences: pd.DataFrame, paragraphs: list[tuple[int, int]], focus: int, context: int | None
) -> list[tuple[int, int]]:
    if context is None:
        return paragraphs
    para = int(sentences.loc[sentences["sentence"] == focus, "paragraph"].iloc[0])
    index = sorted(sentences["paragraph"].unique()).index(para)
    return paragraphs[max(index - context, 0) : index + context + 1]
