"""Speaker words: the lists of ``analysis/data/quote_speakers.yaml``, read once.

They tell the speaker chain (:mod:`~analysis.quotes.chain`) which definite descriptions refer
back to a speaker ("the spokesman", "the ministry") and the affiliation stage
(:mod:`~analysis.quotes.affiliation`) which speakers speak for no one ("an analyst") and which
speak for a state ("the Foreign Ministry").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analysis.errors import LexiconError
from analysis.resources import load_yaml

SPEAKERS_FILE = "quote_speakers.yaml"


@dataclass(frozen=True)
class SpeakerWords:
    """The speaker word lists (lower case).

    Attributes:
        anaphor_heads: Head of a definite description → its synonym group (the canonical head).
        person_heads: Heads that name a person ("spokesman", "minister").
        document_nouns: Documents whose author is the speaker ("statement", "readout").
        unaffiliated: Words of speakers who speak for no state or organisation.
        evidence_sources: Nouns of sources of evidence ("poll", "study", "video") whose
            finding verb takes a bare object.
        official_heads: Words of official bodies and roles.
        location_preps: Prepositions after which an actor is a place, not an affiliation.
        title_words: Lower-case words of a title between an actor and a name.
        title_actors: Titles, and state bodies and companies that are not actor mentions,
            that name their state on their own ("congressman", "rostec"); one or two words.
        office_verbs: Verbs of holding an office, read in a relative clause after a name as a
            title ("who chairs the Senate intelligence committee").
        office_copulas: "is", "was": read so only before a description ("who is Pakistan's
            envoy").
        office_read_over: Words read over between an office copula and its description
            ("who is also Pakistan's envoy").
        not_actor_prefixes: Words that make the actor alias after them part of another body's
            name ("National Security Council" is not the UN's).
    """

    anaphor_heads: dict[str, str]
    person_heads: frozenset[str]
    document_nouns: frozenset[str]
    unaffiliated: frozenset[str]
    evidence_sources: frozenset[str]
    official_heads: frozenset[str]
    location_preps: frozenset[str]
    title_words: frozenset[str]
    title_actors: dict[str, str]
    not_actor_prefixes: frozenset[str]
    office_verbs: frozenset[str]
    office_copulas: frozenset[str]
    office_read_over: frozenset[str]


def _words(data: dict[str, Any], key: str) -> frozenset[str]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise LexiconError(f"analysis/data/{SPEAKERS_FILE}", f"'{key}' must be a list")
    return frozenset(" ".join(str(v).lower().split()) for v in value)


@lru_cache(maxsize=1)
def speaker_words() -> SpeakerWords:
    """The packaged speaker word lists (read once per process)."""
    data, source, _digest = load_yaml(None, SPEAKERS_FILE)
    if not isinstance(data, dict):
        raise LexiconError(source, "expected a mapping of lists")
    heads: dict[str, str] = {}
    for group in data.get("anaphor_heads") or []:
        if not isinstance(group, list) or not group:
            raise LexiconError(source, "'anaphor_heads' must be a list of synonym lists")
        canonical = " ".join(str(group[0]).lower().split())
        for word in group:
            heads.setdefault(" ".join(str(word).lower().split()), canonical)
    return SpeakerWords(
        anaphor_heads=heads,
        person_heads=_words(data, "person_heads"),
        document_nouns=_words(data, "document_nouns"),
        unaffiliated=_words(data, "unaffiliated"),
        evidence_sources=_words(data, "evidence_sources"),
        official_heads=_words(data, "official_heads"),
        location_preps=_words(data, "location_preps"),
        title_words=_words(data, "title_words"),
        not_actor_prefixes=_words(data, "not_actor_prefixes"),
        title_actors={
            " ".join(str(k).lower().split()): str(v)
            for k, v in (data.get("title_actors") or {}).items()
        },
        office_verbs=_words(data, "office_verbs"),
        office_copulas=_words(data, "office_copulas"),
        office_read_over=_words(data, "office_read_over"),
    )
