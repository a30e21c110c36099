"""The details a quotes table needs: content text, sentence, speaker actor, actors mentioned."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.actors import ActorLexicon, Mention, find_mentions
from analysis.quotes.extract import extract_quotes
from analysis.quotes.records import Quote, SpeechVerbs
from analysis.segment import sentences


@dataclass(frozen=True, slots=True)
class QuoteDetail:
    """A quotation with what a quotes table needs besides offsets.

    Attributes:
        quote: The record from :func:`extract_quotes`.
        content: The content as text; the parts of an interrupted quotation are joined with
            " … ".
        speaker_mention: The speaker as written ("He"), or None.
        actor: The speaker's actor (``Quote.actor``, from the lexicon the quotations were
            extracted with), or None.
        sentence: Index (in ``analysis.segment.sentences(text)``) of the sentence where the
            content starts.
        content_actors: Actors mentioned in the content, in first-mention order, each once.
    """

    quote: Quote
    content: str
    speaker_mention: str | None
    actor: str | None
    sentence: int
    content_actors: tuple[str, ...]


def quote_details(
    text: str,
    quotes: Sequence[Quote] | None = None,
    *,
    verbs: SpeechVerbs | None = None,
    lexicon: ActorLexicon | None = None,
    sentence_starts: Sequence[int] | None = None,
    mentions: Sequence[Mention] | None = None,
) -> list[QuoteDetail]:
    """Quotations of ``text`` with speaker actor, content text, sentence and actors mentioned.

    Args:
        text: The text the quotations come from (for the pipeline: ``Document.body``).
        quotes: Records from :func:`extract_quotes`; extracted here when None.
        verbs: Cue lexicon used when extracting.
        lexicon: An ``analysis.actors.ActorLexicon`` for the actors mentioned in the content
            (and the speakers' actors when quotations are extracted here); the packaged default
            when None.
        sentence_starts: Start offsets of the text's sentences, in order (computed with
            ``analysis.segment.sentences`` when None).
        mentions: ``find_mentions(text, lexicon)``, when the caller has them already.

    Returns:
        One detail per quotation, in the order of ``quotes``.
    """
    if quotes is not None and not quotes:
        return []
    if mentions is None:
        mentions = find_mentions(text, lexicon)
    if quotes is None:
        quotes = extract_quotes(text, verbs=verbs, lexicon=lexicon, mentions=mentions)
    if not quotes:
        return []
    if sentence_starts is None:
        sentence_starts = [s.start for s in sentences(text)]
    m_starts = [m.start for m in mentions]
    out: list[QuoteDetail] = []
    for q in quotes:
        parts = q.parts or ((q.start, q.end),)
        actors: dict[str, None] = {}
        for s, e in parts:
            i = bisect.bisect_left(m_starts, s)
            while i < len(mentions) and mentions[i].start < e:
                if mentions[i].end <= e:
                    actors.setdefault(mentions[i].actor, None)
                i += 1
        mention = (
            text[q.speaker_start : q.speaker_end]
            if q.speaker_start is not None and q.speaker_end is not None
            else None
        )
        out.append(
            QuoteDetail(
                quote=q,
                content=" … ".join(text[s:e] for s, e in parts),
                speaker_mention=mention,
                actor=q.actor,
                sentence=max(bisect.bisect_right(sentence_starts, q.start) - 1, 0),
                content_actors=tuple(actors),
            )
        )
    return out
