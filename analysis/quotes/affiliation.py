"""Stage 5: affiliation. The actor a speaker belongs to or speaks for, and the details a
quotes table needs."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.actors import ActorLexicon, Mention, find_mentions
from analysis.quotes.extract import extract_quotes
from analysis.quotes.records import Quote, SpeechVerbs
from analysis.segment import sentences


def speaker_actor(quote: Quote, text: str, lexicon: ActorLexicon | None = None) -> str | None:
    """The actor a quotation's speaker belongs to, from the speaker's name and description.

    The speaker's own name is tried first ("Trump" → United States, "US military officials" →
    United States), then the description; within the description, an actor named before its
    first preposition wins ("Former US special envoy on AfPak" → United States, not
    Afghanistan).

    Args:
        quote: A quotation from :func:`extract_quotes` on ``text``.
        text: The text the quotation was extracted from.
        lexicon: An ``analysis.actors.ActorLexicon``; the packaged default when None.

    Returns:
        The actor's canonical name, or None when neither name nor description names one.
    """
    return _actor_of(_speaker_phrases(quote, text), lexicon)


def _speaker_phrases(quote: Quote, text: str) -> tuple[str, ...]:
    """What :func:`speaker_actor` reads: the speaker (as resolved, else as written) and the
    description, those the quotation has."""
    candidates: list[str] = []
    if quote.speaker:
        candidates.append(quote.speaker)
    elif quote.speaker_start is not None and quote.speaker_end is not None:
        candidates.append(text[quote.speaker_start : quote.speaker_end])
    if quote.description:
        candidates.append(quote.description)
    return tuple(candidates)


_FIRST_PREP = re.compile(r"\b(?:of|on|for|at|to|in|with|from|about|against|toward|towards)\b")


def _actor_of(candidates: tuple[str, ...], lexicon: ActorLexicon | None) -> str | None:
    """:func:`speaker_actor` of a quotation whose speaker phrases are ``candidates``."""
    for cand in candidates:
        mentions = [m for m in find_mentions(cand, lexicon)]
        if not mentions:
            continue
        prep = _FIRST_PREP.search(cand)
        cut = prep.start() if prep is not None else len(cand)
        head = [m for m in mentions if m.start < cut and not m.compound]
        pool = head or [m for m in mentions if not m.compound] or mentions
        return pool[0].actor
    return None


@dataclass(frozen=True, slots=True)
class QuoteDetail:
    """A quotation with what a quotes table needs besides offsets.

    Attributes:
        quote: The record from :func:`extract_quotes`.
        content: The content as text; the parts of an interrupted quotation are joined with
            " … ".
        speaker_mention: The speaker as written ("He"), or None.
        actor: The speaker's actor (:func:`speaker_actor`), or None.
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
        lexicon: An ``analysis.actors.ActorLexicon``; the packaged default when None.
        sentence_starts: Start offsets of the text's sentences, in order (computed with
            ``analysis.segment.sentences`` when None).
        mentions: ``find_mentions(text, lexicon)``, when the caller has them already.

    Returns:
        One detail per quotation, in the order of ``quotes``.
    """
    if quotes is None:
        quotes = extract_quotes(text, verbs=verbs)
    if not quotes:
        return []
    if sentence_starts is None:
        sentence_starts = [s.start for s in sentences(text)]
    if mentions is None:
        mentions = find_mentions(text, lexicon)
    m_starts = [m.start for m in mentions]
    out: list[QuoteDetail] = []
    actors_of: dict[tuple[str, ...], str | None] = {}  # a speaker is often quoted several times
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
        phrases = _speaker_phrases(q, text)
        if phrases in actors_of:
            actor = actors_of[phrases]
        else:
            actor = actors_of[phrases] = _actor_of(phrases, lexicon)
        out.append(
            QuoteDetail(
                quote=q,
                content=" … ".join(text[s:e] for s, e in parts),
                speaker_mention=mention,
                actor=actor,
                sentence=max(bisect.bisect_right(sentence_starts, q.start) - 1, 0),
                content_actors=tuple(actors),
            )
        )
    return out
