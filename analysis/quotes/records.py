"""The records that quotation attribution passes between its stages and returns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["direct", "partial", "indirect"]


@dataclass(frozen=True, slots=True)
class Quote:
    """One attribution: what was said, by whom, with which cue.

    Offsets are into the text given to :func:`extract_quotes`; end offsets are exclusive.

    Attributes:
        kind: ``"direct"`` (a quoted statement), ``"partial"`` (a quoted fragment inside the
            author's or a reported sentence) or ``"indirect"`` (reported speech without quote
            marks; it may contain partial quotations, which are also reported on their own).
        start: Start of the content (after the opening quote mark).
        end: End of the content (before the closing quote mark).
        speaker: The speaker's resolved name ("Daniel Markey" for "He"), the phrase as written
            for groups and organisations ("US military officials"), or None when the text names
            nobody (or a pronoun cannot be resolved).
        speaker_start: Start of the speaker mention as written ("He"), or None.
        speaker_end: End of the speaker mention, or None.
        cue: The cue as written ("said", "According to", "are also apprehensive"), or None.
        cue_start: Start of the cue, or None.
        cue_end: End of the cue, or None.
        description: The speaker's role as the text gives it ("a senior research analyst at
            …"), or None.
        parts: The content's segments: one for most quotations; several for a quotation
            interrupted by its frame (“…,” he said. “…”) or continued across paragraphs.
            ``start``/``end`` span them all.
        speaker_kind: ``"person"``, ``"organisation"``, ``"group"``, ``"pronoun"`` (a pronoun
            that could not be resolved) or None.
        mark: The opening quote mark for direct and partial quotations, else None.
        inherited: True when the speaker was carried over from the previous attribution.
        actor: The state or organisation the speaker belongs to or speaks for, as the text
            supports it (the name, the description, an earlier mention of the same person, or
            the speaker a "he"/"the spokesman" refers back to), or None.
    """

    kind: Kind
    start: int
    end: int
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    description: str | None
    parts: tuple[tuple[int, int], ...] = ()
    speaker_kind: str | None = None
    mark: str | None = None
    inherited: bool = False
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class CueClass:
    """How the cues of one class behave (see the header of ``speech_verbs.yaml``)."""

    name: str
    direct: bool
    bare_clause: bool
    inversion: bool
    needs_as: bool
    adjective: bool
    infinitive: bool = False
    infinitive_only: bool = False
    source_object: bool = False


@dataclass(frozen=True)
class SpeechVerbs:
    """A compiled cue lexicon.

    Attributes:
        version: The lexicon's version plus a digest of its file(s).
        sources: Files the lexicon was read from.
        cues: Cue form (lower case, single spaces) → its class.
    """

    version: str
    sources: tuple[str, ...]
    cues: Mapping[str, CueClass]
    according_to: frozenset[str]
    opinion_nouns: frozenset[str]
    pronouns: Mapping[str, Mapping[str, Any]]
    titles: Mapping[str, str | None]
    role_nouns: frozenset[str]
    group_nouns: frozenset[str]
    organisation_words: frozenset[str]
    given_names: Mapping[str, str]
    _pattern: re.Pattern[str] = field(repr=False)
    _opinion: re.Pattern[str] = field(repr=False)
    _scan: re.Pattern[str] | None = field(repr=False, default=None)


# --- records passed between the stages ---


@dataclass(slots=True)
class _QSpan:
    """A quotation found by the pairing stage (:mod:`~analysis.quotes.marks`), which builds it
    up mark by mark; later stages only read it."""

    open: int  # offset of the opening mark
    close: int  # offset after the closing mark (or the recovery end)
    parts: list[tuple[int, int]]
    mark: str
    closed: bool
    direct_like: bool = False


@dataclass(frozen=True, slots=True)
class _Unit:
    """Sentences merged where a quotation spans them: the span attribution works on."""

    start: int
    end: int
    para: int
    para_last: int
    quotes: list[_QSpan]
    index: int = 0
    opens: list[int] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SpeakerPhrase:
    """A speaker phrase read next to a cue (:mod:`~analysis.quotes.phrases`).

    Attributes:
        start: Start of the speaker mention.
        end: End of the speaker mention.
        desc: The description's span (an apposition or a title), or None.
        edge: How far the frame reaches on the speaker's side: its first character for a
            phrase before the cue, its last for one after it.
    """

    start: int
    end: int
    desc: tuple[int, int] | None
    edge: int


@dataclass(frozen=True, slots=True)
class _Frame:
    """A cue with its speaker phrase (if found), description and the extent of the frame."""

    cue_start: int
    cue_end: int
    cls: CueClass
    sp_start: int | None = None
    sp_end: int | None = None
    desc: tuple[int, int] | None = None
    start: int = 0  # the frame's extent (speaker, cue, description)
    end: int = 0
    passive: bool = False
    borrowed: bool = False  # the speaker is another clause's subject ("X thanked … and said")


@dataclass(frozen=True, slots=True)
class _Record:
    """An attribution before resolution: content parts, the frame that attributes it, the
    quotation mark, where it is, the record whose speaker it inherits, and the partial
    quotations inside a reported clause."""

    kind: Kind
    parts: tuple[tuple[int, int], ...]
    frame: _Frame | None
    mark: str | None
    unit: int
    para: int
    inherited_from: _Record | None = None
    children: tuple[_Record, ...] = ()
