"""Stage 4b: the speaker chain. Speakers that refer back are carried to the speaker they mean.

After resolution (:mod:`~analysis.quotes.resolution`) a speaker can still be a pointer: "it
added", "they said", "the spokesman said", "the ministry said", "according to the Kremlin's
readout". Each quotation, in text order, is linked to the nearest earlier speaker it is
compatible with (within ``CHAIN_WINDOW`` characters):

- "it" / "they": the previous organisation (or group) speaker; failing that, the state or
  institution named first in the sentence before ("Islamabad … It asserted …").
- "the <head>" ("the spokesman", "the foreign ministry", "the officials", "the prime minister"):
  the previous speaker whose name, description or mention has the same head (or a synonym,
  ``anaphor_heads`` in ``analysis/data/quote_speakers.yaml``); failing that, the name the text
  gives after the head ("Pentagon spokesman George Little") or the capitalised institution it
  names ("the Russian Energy Ministry", "the Ministry of Commerce").
- "X's statement", "X's readout": the words of X.

Described speakers lose their determiner ("a senior military official" → "senior military
official"), as a canonical description is written. Every function here is pure: it returns new
records (``dataclasses.replace``) and changes none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

from analysis.actors import Mention
from analysis.quotes.grammar import _DETERMINERS
from analysis.quotes.limits import CHAIN_WINDOW, MAX_ANAPHOR_WORDS, PRONOUN_ACTOR_WINDOW
from analysis.quotes.records import Quote
from analysis.quotes.speakers import SpeakerWords, speaker_words

#: Alias types of actor mentions that can stand for an organisation speaker ("Islamabad", "the
#: Foreign Office"); leaders are persons, demonyms modify.
_ORGANISATION_TYPES = frozenset(["names", "places", "institutions"])
#: A possessive document: "the Kremlin’s readout" (group 1 is the author).
_POSSESSIVE = re.compile(r"(?:the\s+)?(.+?)[’']s?\s+(?:\w+\s+)?(\w+)", re.IGNORECASE)
#: End of a sentence, for finding the sentence before a pronoun.
_LED_BY = re.compile(r"[\w.]+-(?:led|backed|based|run)\s+(?=[A-Z])")
_SENTENCE_END = re.compile(r"[.!?][”’\"']?\s")
_CAP_WORDS_BEFORE = re.compile(r"(?:[A-Z][\w\-]*\s+){1,3}$")  # not a possessor ("Pakistan's")
_OF_PHRASE = re.compile(r"\s+of\s+(?:the\s+)?(?:[A-Z][\w’'\-]+\s?){1,3}")
#: A name right after a person head ("spokesman George Little", "Prime Minister Nawaz Sharif").
_NAME_AFTER = re.compile(r",?\s+((?:[A-Z][\w’'.\-]+\s+){0,3}[A-Z][\w’'\-]+)")
#: Characters read after a head for the name that follows it.
_NAME_AFTER_CHARS = 80


def link_speakers(
    text: str,
    quotes: Sequence[Quote],
    mentions: Callable[[], Sequence[Mention]],
    has_actor: Callable[[str], bool],
) -> list[Quote]:
    """Carry pointing speakers to the speakers they mean.

    Args:
        text: The text the quotations come from.
        quotes: Records from resolution, in text order.
        mentions: Gives the actor mentions of ``text`` (called only when needed).
        has_actor: Whether a phrase names an actor (a description that does is not a pointer).

    Returns:
        The records, with ``speaker``, ``speaker_kind``, ``description`` and ``inherited``
        updated where a speaker was carried.
    """
    words = speaker_words()
    out: list[Quote] = []
    done: dict[tuple[int, int], Quote] = {}  # a speaker mention is linked once
    for q in quotes:
        key = (q.speaker_start or 0, q.speaker_end or 0)
        if key in done:
            out.append(_same_speaker(q, done[key]))
            continue
        linked = _linked(text, _normalised(text, q, words), out, words, mentions, has_actor)
        if q.speaker_start is not None:
            done[key] = linked
        out.append(linked)
    return out


def _same_speaker(q: Quote, first: Quote) -> Quote:
    """``q`` with the speaker its mention was linked to for an earlier quotation."""
    return replace(
        q,
        speaker=first.speaker,
        speaker_kind=first.speaker_kind,
        description=q.description or first.description,
        inherited=q.inherited or first.inherited,
    )


def _normalised(text: str, q: Quote, words: SpeakerWords) -> Quote:
    """A described speaker without its determiner; a document's author for the document."""
    if q.speaker is None or q.speaker_start is None or q.speaker_end is None:
        return q
    written = " ".join(text[q.speaker_start : q.speaker_end].split())
    if q.speaker != written:
        return q  # a resolved name
    m = _POSSESSIVE.fullmatch(written)
    if m is not None and m.group(2).lower() in words.document_nouns:
        return replace(q, speaker=m.group(1), speaker_kind="organisation")
    first, _, rest = written.partition(" ")
    if rest and first.lower() in _DETERMINERS:
        written = rest
    led = _LED_BY.match(written)  # "Nato-led International Security Assistance Force"
    if led is not None and q.speaker_kind == "organisation":
        written = written[led.end() :]
    return replace(q, speaker=written) if written != q.speaker else q


def _linked(
    text: str,
    q: Quote,
    earlier: Sequence[Quote],
    words: SpeakerWords,
    mentions: Callable[[], Sequence[Mention]],
    has_actor: Callable[[str], bool],
) -> Quote:
    """``q`` with its speaker carried to the one it refers to, when it is a pointer."""
    if q.speaker_start is None or q.speaker_end is None:
        return q
    mention = " ".join(text[q.speaker_start : q.speaker_end].lower().split())
    if q.speaker_kind == "pronoun" and mention in ("it", "they"):
        src = _previous_organisation(earlier, q, plural=mention == "they")
        if src is not None:
            return _carried(q, src)
        found = _subject_before(text, q.speaker_start, mentions())
        if found is None:
            return q
        return replace(q, speaker=found, speaker_kind="organisation", inherited=True)
    head = _anaphor_head(mention, words)
    if head is None or has_actor(mention):
        return q
    src = _previous_with_head(earlier, q, text, _synonyms(head))
    if src is not None:
        return _carried(q, src)
    named = _named_before(text, q.speaker_start, head, words)
    if named is None:
        return q
    return replace(q, speaker=named[0], speaker_kind=named[1], inherited=True)


def _carried(q: Quote, src: Quote) -> Quote:
    return replace(
        q,
        speaker=src.speaker,
        speaker_kind=src.speaker_kind,
        description=q.description or src.description,
        inherited=True,
    )


def _anaphor_head(mention: str, words: SpeakerWords) -> str | None:
    """The canonical head of a definite description ("the foreign ministry" → "ministry")."""
    parts = mention.split()
    if len(parts) < 2 or parts[0] != "the" or len(parts) > MAX_ANAPHOR_WORDS + 1:
        return None
    for size in (2, 1):
        if len(parts) > size:
            head = words.anaphor_heads.get(" ".join(parts[-size:]))
            if head is not None:
                return head
    return None


@lru_cache(maxsize=64)
def _synonyms(head: str) -> re.Pattern[str]:
    """Whole-word pattern of the head and its synonyms (case-insensitive)."""
    group = sorted(
        (w for w, c in speaker_words().anaphor_heads.items() if c == head), key=len, reverse=True
    )
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in group) + r")\b", re.IGNORECASE)


def _previous_organisation(earlier: Sequence[Quote], q: Quote, *, plural: bool) -> Quote | None:
    """The nearest earlier organisation speaker (or group, for "they") within the window."""
    kinds = ("organisation", "group") if plural else ("organisation",)
    assert q.speaker_start is not None
    for src in reversed(earlier):
        if q.speaker_start - src.start > CHAIN_WINDOW:
            return None  # quotations are in text order: the rest are farther
        if src.speaker_start is None or src.speaker_start >= q.speaker_start:
            continue
        if src.speaker is not None and src.speaker_kind in kinds:
            return src
    return None


def _previous_with_head(
    earlier: Sequence[Quote], q: Quote, text: str, heads: re.Pattern[str]
) -> Quote | None:
    """The nearest earlier speaker whose words have the head, within the window."""
    assert q.speaker_start is not None
    for src in reversed(earlier):
        if q.speaker_start - src.start > CHAIN_WINDOW:
            return None  # quotations are in text order: the rest are farther
        if src.speaker is None or src.speaker_start is None or src.speaker_end is None:
            continue
        if src.speaker_start >= q.speaker_start:
            continue
        if heads.fullmatch(src.speaker) or (src.speaker[0].islower() and " " not in src.speaker):
            continue  # a pointer left unresolved, or a bare role
        written = text[src.speaker_start : src.speaker_end]
        if any(heads.search(s) for s in (src.speaker, src.description or "", written)):
            return src
    return None


def _subject_before(text: str, pos: int, mentions: Sequence[Mention]) -> str | None:
    """The first organisation named in the sentence before ``pos`` ("Islamabad … It …")."""
    lo = max(0, pos - PRONOUN_ACTOR_WINDOW)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, pos)]
    if not ends:
        return None
    start = ends[-2] if len(ends) >= 2 else lo
    for m in mentions:
        if m.start >= ends[-1]:
            break
        if m.start >= start and m.alias_type in _ORGANISATION_TYPES and not m.compound:
            return m.surface
    return None


def _named_before(text: str, pos: int, head: str, words: SpeakerWords) -> tuple[str, str] | None:
    """The person named after the head ("spokesman George Little"), or the institution with
    that head ("the Russian Energy Ministry"), last before ``pos`` within the window."""
    lo = max(0, pos - CHAIN_WINDOW)
    heads = _synonyms(head)
    found: tuple[str, str] | None = None
    for m in heads.finditer(text, lo, pos):
        if head in words.person_heads:
            name = _NAME_AFTER.match(text, m.end(), min(pos, m.end() + _NAME_AFTER_CHARS))
            if name is not None:
                found = (name.group(1), "person")
            continue
        if not m.group()[0].isupper():
            continue
        before = _CAP_WORDS_BEFORE.search(text, max(0, m.start() - 60), m.start())
        after = _OF_PHRASE.match(text, m.end())
        start = before.start() if before is not None else m.start()
        end = after.end() if after is not None and after.end() <= pos else m.end()
        phrase = " ".join(text[start:end].split())
        first, _, rest = phrase.partition(" ")
        if first.lower() in _DETERMINERS:
            phrase = rest  # "The Russian Energy Ministry" → "Russian Energy Ministry"
        if " " in phrase and end <= pos:
            found = (phrase, "organisation")
    return found
