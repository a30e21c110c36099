"""Quotations and reported speech: who said what, with speakers resolved.

The method is rule-based and runs in linear time, in the tradition of quotation attribution for
news (Pareti et al., "Automatically Detecting and Attributing Indirect Quotations", EMNLP 2013;
textacy's ``extract.triples.direct_quotations``; the GenderGapTracker's quote extractor), but it
works on raw text without a parser:

1. Quote marks (“ ” ‘ ’ " ' « » '' ``) are paired with a stack per paragraph. Each mark is
   classified as opening or closing from its neighbours (left- and right-flanking, as in
   CommonMark), apostrophes inside words (it’s, Russia’s, let’s) are never quote marks, a
   quotation whose paragraph ends open continues when the next paragraph opens with a quote mark,
   and an opening mark that is never closed is recovered to the end of its sentence (or its
   paragraph, for a quotation that opens a sentence) instead of being paired with a later
   apostrophe.
2. Sentences (``analysis.segment.sentences``) that a quotation spans are merged into units.
3. In each unit, speech cues from ``analysis/data/speech_verbs.yaml`` are matched outside the
   quotations; the speaker is the noun phrase before the cue ("X said", "X, a <role>, said",
   "<role>, X, said") or after it ("said X", "according to X"), or a possessive ("In his
   opinion"). The content is the quotation the frame is attached to, or the reported clause
   ("X said that …", "…, X said.", "According to X, …"); a quotation inside a reported clause
   is a partial quotation.
4. A quotation without a cue takes its speaker from a frame ending in a colon just before it, a
   bare frame just after it ("“…” Smith said on Tuesday."), the quotation it continues (“…,” he
   said. “…”), or the previous speaker in the same run of quotations; otherwise it stays
   unattributed.
5. He/she/his/her are resolved to the nearest compatible person named outside quotations
   (gender from titles and given names; an earlier speaker wins over a merely nearer name);
   short names ("Markey") to the full name used earlier ("Daniel Markey"). Names that the actor
   lexicon reads as states, places or institutions are never persons. They/it stay unresolved
   (``speaker_kind="pronoun"``).

Measured on PolNeAR dev (``python -m analysis evaluate quotes``): direct F1 92 at 30% overlap
with 94% of speakers right, all attributions F1 70; about 150,000 words/s on one core
(``scripts/bench_quotes.py``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from analysis.actors import ActorLexicon, Mention, char_offsets, find_mentions
from analysis.errors import LexiconError
from analysis.resources import load_yaml
from analysis.segment import Sentence, sentences

__all__ = [
    "CueClass",
    "Quote",
    "QuoteDetail",
    "SpeechVerbs",
    "default_speech_verbs",
    "extract_quotes",
    "load_speech_verbs",
    "quote_details",
    "speaker_actor",
]

DEFAULT_FILE = "speech_verbs.yaml"

Kind = Literal["direct", "partial", "indirect"]

# --- thresholds, each with its reason --------------------------------------------------------

#: Characters searched before a cue for its speaker: a long apposition ("X, a senior research
#: analyst at the Stockholm International Peace Research Institute (SIPRI), said") fits.
SPEAKER_WINDOW = 240
#: Characters tried first when looking for a speaker before a cue ("…, a senior official said");
#: the full window is used only when the phrase may reach further.
SHORT_SPEAKER_WINDOW = 90
#: Characters after a cue searched for "that" and the start of the reported clause.
AFTER_WINDOW = 90
#: Longest speaker noun phrase in words; longer stretches are clauses, not speakers.
MAX_SPEAKER_WORDS = 9
#: Longest apposition (description) in words.
MAX_DESCRIPTION_WORDS = 18
#: Tokens searched after a cue for "that" ("says at a campaign stop in Toledo, Ohio, that …").
THAT_LOOKAHEAD_WORDS = 12
#: Shortest reported clause, in words, that counts as reported speech ("…, he said" after a
#: two-word fragment is more often a stray frame than an attribution).
MIN_INDIRECT_WORDS = 3
#: Characters of a characterising clause searched for "as" or a quotation ("views Y as Z").
NEEDS_AS_WINDOW = 300
#: Most reported-speech attributions read from one sentence.
MAX_REPORTED_PER_UNIT = 3
#: Share of capitalised words that marks a headline ("Obama Says Museum Will Tell …").
HEADLINE_CAPS_SHARE = 0.6
#: Words of a unit read to decide whether it is a headline: a headline is short.
HEADLINE_WORDS = 40
#: Deepest nesting of quotation marks tracked (“… ‘…’ …”); deeper marks are ignored.
MAX_NESTING = 2
#: Farthest (in characters) a pronoun looks back for its antecedent: about two paragraphs.
ANTECEDENT_WINDOW = 1500
#: Most candidate names examined per pronoun (bounds the work on pathological texts).
MAX_ANTECEDENT_CANDIDATES = 12
#: Longest modifier (words) between a frame and the quotation it introduces ("told reporters
#: on Tuesday, “…”"); longer stretches are clauses of their own.
GAP_WORDS = 6
#: The same after a first quotation, where the frame continues the quotation ("…,” Trump said
#: during a rally in Kenansville, N.C., “but …”).
GAP_WORDS_CONTINUING = 12
#: Longest gap (characters) between a frame and its quotation worth reading word by word.
MAX_GAP_CHARS = 120

# --- data records ----------------------------------------------------------------------------


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


# --- lexicon loading -------------------------------------------------------------------------

_VOWELS = "aeiou"
_WORD_EDGES = re.compile(r"\w(?:.*\w)?", re.DOTALL)  # starts and ends with a word character


def _inflect(lemma: str) -> list[str]:
    """Regular English forms of a verb lemma (first word inflected): base, -s, -ed, -ing."""
    head, _, rest = lemma.partition(" ")
    tail = f" {rest}" if rest else ""
    if head.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = head + "es"
    elif head.endswith("y") and len(head) > 1 and head[-2] not in _VOWELS:
        third = head[:-1] + "ies"
    else:
        third = head + "s"
    if head.endswith("e"):
        past = head + "d"
    elif head.endswith("y") and len(head) > 1 and head[-2] not in _VOWELS:
        past = head[:-1] + "ied"
    else:
        past = head + "ed"
    if head.endswith("ie"):
        ing = head[:-2] + "ying"
    elif head.endswith("e") and not head.endswith("ee"):
        ing = head[:-1] + "ing"
    else:
        ing = head + "ing"
    return [f"{w}{tail}" for w in (head, third, past, ing)]


def _strings(value: Any, source: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(source, f"{where} must be a list of strings")
    return [" ".join(v.split()) for v in value if v.strip()]


def _parse(data: Any, source: str) -> dict[str, Any]:
    """Validate one YAML document and return its parts in a normal form."""
    if not isinstance(data, dict):
        raise LexiconError(source, "expected a mapping with 'classes'")
    classes_raw = data.get("classes") or {}
    if not isinstance(classes_raw, dict):
        raise LexiconError(source, "'classes' must be a mapping of class name to settings")
    classes: dict[str, dict[str, Any]] = {}
    for name, spec in classes_raw.items():
        if not isinstance(spec, dict):
            raise LexiconError(source, f"classes.{name} must be a mapping")
        verbs = spec.get("verbs") or []
        if not isinstance(verbs, list):
            raise LexiconError(source, f"classes.{name}.verbs must be a list")
        entries: list[tuple[str, list[str]]] = []
        for i, entry in enumerate(verbs):
            if isinstance(entry, str):
                entries.append((entry, []))
            elif isinstance(entry, dict) and len(entry) == 1:
                lemma, forms = next(iter(entry.items()))
                entries.append((str(lemma), _strings(forms, source, f"classes.{name}.verbs[{i}]")))
            else:
                raise LexiconError(
                    source, f"classes.{name}.verbs[{i}] must be a verb or 'verb: [forms]'"
                )
        flags = {}
        for flag in ("direct", "bare_clause", "inversion", "needs_as", "adjective", "infinitive"):
            value = spec.get(flag, False)
            if not isinstance(value, bool):
                raise LexiconError(source, f"classes.{name}.{flag} must be true or false")
            flags[flag] = value
        classes[str(name)] = {"flags": flags, "verbs": entries}
    pronouns_raw = data.get("pronouns") or {}
    if not isinstance(pronouns_raw, dict) or not all(
        isinstance(v, dict) for v in pronouns_raw.values()
    ):
        raise LexiconError(source, "'pronouns' must map each pronoun to its features")
    titles_raw = data.get("titles") or {}
    if not isinstance(titles_raw, dict):
        raise LexiconError(source, "'titles' must map male/female/neutral to lists")
    return {
        "version": str(data.get("version", "unversioned")),
        "classes": classes,
        "according_to": _strings(data.get("according_to"), source, "according_to"),
        "opinion_nouns": _strings(data.get("opinion_nouns"), source, "opinion_nouns"),
        "pronouns": {str(k).lower(): dict(v) for k, v in pronouns_raw.items()},
        "titles": {str(g): _strings(v, source, f"titles.{g}") for g, v in titles_raw.items()},
        "role_nouns": _strings(data.get("role_nouns"), source, "role_nouns"),
        "group_nouns": _strings(data.get("group_nouns"), source, "group_nouns"),
        "organisation_words": _strings(
            data.get("organisation_words"), source, "organisation_words"
        ),
        "female_names": _strings(data.get("female_names"), source, "female_names"),
        "male_names": _strings(data.get("male_names"), source, "male_names"),
    }


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in base.items()}
    classes = {
        k: {"flags": dict(v["flags"]), "verbs": list(v["verbs"])}
        for k, v in base["classes"].items()
    }
    for name, spec in extra["classes"].items():
        if name in classes:
            classes[name]["verbs"] += spec["verbs"]
        else:
            classes[name] = spec
    out["classes"] = classes
    for key in (
        "according_to",
        "opinion_nouns",
        "role_nouns",
        "group_nouns",
        "organisation_words",
        "female_names",
        "male_names",
    ):
        out[key] = list(dict.fromkeys([*base[key], *extra[key]]))
    out["pronouns"] = {**base["pronouns"], **extra["pronouns"]}
    titles = {g: list(v) for g, v in base["titles"].items()}
    for g, v in extra["titles"].items():
        titles[g] = list(dict.fromkeys([*titles.get(g, []), *v]))
    out["titles"] = titles
    out["version"] = f"{base['version']}; {extra['version']}"
    return out


def _trie(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (lower case; spaces match any whitespace)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = []
        for ch in sorted(k for k in node if k):
            atom = r"\s+" if ch == " " else re.escape(ch)
            branches.append(atom + build(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _compile(parts: dict[str, Any], version: str, sources: tuple[str, ...]) -> SpeechVerbs:
    cues: dict[str, CueClass] = {}
    for name, spec in parts["classes"].items():
        flags = spec["flags"]
        cls = CueClass(
            name,
            flags["direct"],
            flags["bare_clause"],
            flags["inversion"],
            flags["needs_as"],
            flags["adjective"],
            flags["infinitive"],
        )
        for lemma, forms in spec["verbs"]:
            lemma = " ".join(lemma.lower().split())
            if flags["adjective"]:
                all_forms = [lemma]
            else:
                all_forms = forms or _inflect(lemma)
                all_forms = [" ".join(f.lower().split()) for f in all_forms]
            for form in all_forms:
                cues.setdefault(form, cls)
    according = CueClass("according_to", True, True, False, False, False)
    for phrase in parts["according_to"]:
        cues.setdefault(phrase.lower(), according)
    titles: dict[str, str | None] = {}
    for gender, words in parts["titles"].items():
        for w in words:
            titles[w.rstrip(".")] = gender if gender in ("male", "female") else None
    given = {n: "female" for n in parts["female_names"]}
    given.update({n: "male" for n in parts["male_names"]})
    forms = set(cues)
    forms |= {f[0].upper() + f[1:] for f in cues}
    body = _trie(sorted(forms))
    pattern = re.compile(r"\b(?:" + body + r")\b")
    # The cues after a non-word character, as group 1: the matches of ``pattern`` after the
    # text's first character when every form starts and ends with a word character (see
    # _find_cues); a pattern that starts with a character class lets the regex engine skip
    # from one non-word character to the next instead of trying every position
    edges_ok = bool(forms) and all(_WORD_EDGES.fullmatch(f) for f in forms)
    scan = re.compile(r"\W(" + body + r")\b") if edges_ok else None
    nouns = "|".join(re.escape(n) for n in sorted(parts["opinion_nouns"], key=len, reverse=True))
    # "[Ii]n" before the look-behind (the same matches as "(?<![\w’'])[Ii]n"): a pattern that
    # starts with a character class lets the regex engine skip to candidate letters, and the
    # look-behind runs only after "in", not after every "i"
    opinion = re.compile(
        r"[Ii]n(?<![\w’']..)\s+(?P<poss>his|her|their|its|"
        r"[A-Z][\w.\-]{0,40}(?:\s+[A-Z][\w.\-]{0,40}){0,3}[’']s?)\s+(?:own\s+)?"
        rf"(?:{nouns or 'opinion'})\b"
    )
    return SpeechVerbs(
        version=version,
        sources=sources,
        cues=cues,
        according_to=frozenset(p.lower() for p in parts["according_to"]),
        opinion_nouns=frozenset(n.lower() for n in parts["opinion_nouns"]),
        pronouns=parts["pronouns"],
        titles=titles,
        role_nouns=frozenset(w.lower() for w in parts["role_nouns"]),
        group_nouns=frozenset(w.lower() for w in parts["group_nouns"]),
        organisation_words=frozenset(parts["organisation_words"]),
        given_names=given,
        _pattern=pattern,
        _opinion=opinion,
        _scan=scan,
    )


def load_speech_verbs(
    path: str | Path | None = None, *, mode: Literal["extend", "replace"] = "extend"
) -> SpeechVerbs:
    """Load the speech-cue lexicon.

    Args:
        path: A user's YAML file with the layout of ``analysis/data/speech_verbs.yaml``, or None
            for the packaged default.
        mode: ``"extend"`` merges the user's lists into the default; ``"replace"`` uses the
            user's file alone.

    Returns:
        The compiled lexicon.

    Raises:
        LexiconError: A missing or malformed file (names the file and, for YAML errors, the
            line).
        ValueError: ``mode`` is neither "extend" nor "replace".
    """
    if mode not in ("extend", "replace"):
        raise ValueError(f"mode must be 'extend' or 'replace', not {mode!r}")
    if path is None:
        return default_speech_verbs()
    data, source, digest = load_yaml(path, DEFAULT_FILE)
    parts = _parse(data, source)
    if mode == "replace":
        return _compile(parts, f"{parts['version']}+{digest}", (source,))
    base_data, base_source, base_digest = load_yaml(None, DEFAULT_FILE)
    base = _parse(base_data, base_source)
    merged = _merge(base, parts)
    version = f"{base['version']}+{base_digest}; {parts['version']}+{digest}"
    return _compile(merged, version, (base_source, source))


@lru_cache(maxsize=1)
def default_speech_verbs() -> SpeechVerbs:
    """The packaged speech-cue lexicon (compiled once per process)."""
    data, source, digest = load_yaml(None, DEFAULT_FILE)
    parts = _parse(data, source)
    return _compile(parts, f"{parts['version']}+{digest}", (source,))


# --- word lists that are grammar, not lexicon ------------------------------------------------

_BE = frozenset(["is", "are", "was", "were", "be", "been", "being", "am", "'s", "’s"])
_AUX = frozenset(
    [
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "do",
        "does",
        "did",
        "has've",
        "having",
    ]
)
_ADVERBS = frozenset(
    [
        "also",
        "later",
        "then",
        "previously",
        "recently",
        "repeatedly",
        "once",
        "again",
        "still",
        "often",
        "already",
        "even",
        "never",
        "not",
        "n't",
        "just",
        "now",
        "further",
        "first",
        "initially",
        "reportedly",
        "allegedly",
        "privately",
        "publicly",
        "openly",
        "flatly",
        "firmly",
        "clearly",
        "quickly",
        "simply",
        "long",
        "last",
        "earlier",
        "today",
        "yesterday",
        "tonight",
        "this",
        "week",
        "month",
        "year",
        "morning",
        "afternoon",
        "evening",
        "night",
        "ago",
        "too",
        "subsequently",
        "meanwhile",
        "separately",
        "famously",
        "bluntly",
        "frankly",
        "candidly",
    ]
)
_TIME_WORDS = frozenset(
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
        "January",
        "February",
        "March",
        "April",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
    ]
)
_TIME_LEAD = frozenset(["on", "last", "this", "next", "early", "late", "in", "since"])
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "another",
        "this",
        "that",
        "these",
        "those",
        "some",
        "many",
        "several",
        "both",
        "each",
        "every",
        "all",
        "any",
        "one",
        "two",
        "three",
        "four",
        "five",
        "most",
        "few",
    ]
)
_POSSESSIVES = frozenset(["his", "her", "its", "their", "our", "my", "your"])
_SUBJECT_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you"])
_OBJECT_PRONOUNS = frozenset(["him", "her", "them", "us", "me", "it", "you"])
#: Words that end a speaker noun phrase when walking back from the cue.
_NP_STOP = frozenset(
    [
        "that",
        "which",
        "who",
        "whom",
        "whose",
        "because",
        "while",
        "if",
        "when",
        "whether",
        "after",
        "before",
        "since",
        "although",
        "though",
        "unless",
        "until",
        "so",
        "but",
        "or",
        "nor",
        "than",
        "as",
        "to",
        "by",
        "with",
        "without",
        "where",
        "why",
        "how",
        "what",
        "once",
        "yet",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "do",
        "does",
        "did",
        "not",
        "no",
        "it's",
        "he's",
        "she's",
        "there",
        "here",
        "then",
        "also",
        "worth",
        "said",
        "says",
        "say",
        "told",
        "tells",
        "according",
    ]
)
_NP_PREPS = frozenset(["of", "in", "at", "for", "on", "from"])
#: Prepositions whose object cannot be the subject of the cue right after it.
_OBJECT_PREPS = frozenset(
    [
        "of",
        "to",
        "by",
        "with",
        "from",
        "about",
        "than",
        "against",
        "into",
        "among",
        "between",
        "for",
    ]
)
_LEADING_TRIM = frozenset(
    [
        "of",
        "in",
        "at",
        "for",
        "on",
        "from",
        "about",
        "after",
        "before",
        "during",
        "under",
        "over",
        "since",
        "until",
        "among",
        "between",
        "into",
        "against",
        "and",
        "but",
        "or",
        "then",
        "now",
        "however",
        "meanwhile",
        "still",
        "thus",
        "therefore",
        "indeed",
        "also",
        "even",
        "yet",
        "so",
    ]
)
#: Capitalised words that start sentences but are not names.
_FUNCTION_CAPS = frozenset(
    [
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "In",
        "On",
        "At",
        "For",
        "From",
        "By",
        "With",
        "But",
        "And",
        "Or",
        "If",
        "When",
        "While",
        "As",
        "After",
        "Before",
        "Since",
        "Although",
        "Though",
        "However",
        "Meanwhile",
        "Indeed",
        "Moreover",
        "Furthermore",
        "According",
        "To",
        "Of",
        "He",
        "She",
        "They",
        "We",
        "I",
        "You",
        "His",
        "Her",
        "Their",
        "Our",
        "My",
        "Its",
        "Yes",
        "No",
        "Not",
        "So",
        "Then",
        "There",
        "Here",
        "What",
        "Who",
        "Why",
        "How",
        "Where",
        "Which",
        "Some",
        "Many",
        "Several",
        "Most",
        "All",
        "Both",
        "Each",
        "Every",
        "Other",
        "Another",
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Former",
        "Senior",
        "Last",
        "Next",
        "Earlier",
        "Later",
        "Today",
        "Yesterday",
        "Now",
        "Also",
        "Still",
        "Even",
        "Just",
        "Only",
        "Once",
        "Even",
        "Such",
        "Despite",
        "During",
        "Under",
        "Over",
        "Without",
        "Within",
        "Through",
        "Among",
        "Between",
        "Against",
        "About",
        "Above",
        "Below",
        "Because",
        "Unless",
        "Until",
        "Whether",
        "Like",
        "Unlike",
        "Instead",
        "Dear",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
    ]
)
_NAME_PARTICLES = frozenset(
    [
        "ul",
        "al",
        "bin",
        "ibn",
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "der",
        "den",
        "van",
        "von",
        "le",
        "la",
        "el",
        "ur",
        "us",
        "bint",
        "y",
        "e",
    ]
)
_OBJECT_TAKERS = frozenset(
    [
        "tell",
        "tells",
        "told",
        "telling",
        "ask",
        "asks",
        "asked",
        "asking",
        "warn",
        "warns",
        "warned",
        "warning",
        "urge",
        "urges",
        "urged",
        "urging",
        "remind",
        "reminds",
        "reminded",
        "reminding",
        "inform",
        "informs",
        "informed",
        "informing",
        "assure",
        "assures",
        "assured",
        "assuring",
        "advise",
        "advises",
        "advised",
        "advising",
    ]
)

#: Cues whose following noun phrase is the hearer, never the speaker ("told The Post").
_NO_INVERSION = frozenset(
    [
        "tell",
        "tells",
        "told",
        "telling",
        "inform",
        "informs",
        "informed",
        "remind",
        "reminds",
        "reminded",
        "assure",
        "assures",
        "assured",
    ]
)
#: Words that start a modifier after a cue rather than the reported clause.
_MODIFIER_WORDS = frozenset(
    ["with", "about", "as", "after", "before", "when", "while", "during", "via", "through"]
)
#: Words that can start a subject before a modifier phrase ("The Times in its … edition").
_SUBJECT_STARTS = _DETERMINERS | _SUBJECT_PRONOUNS
#: Words that end such a subject: the modifier phrase starts there.
_SUBJECT_ENDS = _NP_STOP | _NP_PREPS | {"during", "after", "before", "over", "speaking"}
_OPEN_MARKS = "“„‟«‹‘‚‛"
_CLOSE_MARKS = "”»›’"
_ALL_MARK_CHARS = _OPEN_MARKS + _CLOSE_MARKS + "\"'`"
_OPEN_CONTEXT = "([{<—–-/" + _ALL_MARK_CHARS
_CLOSE_CONTEXT = ".,;:!?)]}>—–-/…" + _ALL_MARK_CHARS
_DOUBLE = frozenset(['"', "“", "”", "„", "‟", "«", "»", "''", "``"])
_DASH_CUE = re.compile(r"[ \t\u00a0]*(?P<dash>―|—|–|--)[ \t\u00a0]*")
_DASH_CLASS = CueClass("dash", True, False, False, False, False)
_OPINION_CLASS = CueClass("opinion", False, True, False, False, False)
_BY_AGENT = re.compile(r"\s+(?:by\s+)")  # "was quoted by …": the agent of a passive cue
_NOT_GAP = re.compile(r"[^ \t\n\r,.;:—–\-\u00a0]")
_NON_SPACE = re.compile(r"\S")
_TRAILING_TEXT = re.compile(r"[^ \t\n.,\u00a0]")
_CONJ_BEFORE = re.compile(
    r"(?:[,;]\s*(?:but|and|while|although|though|whereas|as)?|\s(?:but|and|while|whereas))\s*$"
)
_MODIFIER_START = re.compile(
    r"\s*(?:[,.;:!?—–]|(?:in|on|at|during|after|before|last|this|early|late|via|through|"
    r"while|when|as|to|adding|citing|noting|referring|according|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday)\b)"
)
_PROGRESSIVE = re.compile(r"\b(?:is|are|was|were|been|be|am)\s+(?:\w+ly\s+|also\s+|still\s+)?$")
_COMPLEMENTIZER_END = re.compile(r"\b(?:that|which|who|whether|if|because)\W*$", re.IGNORECASE)
_COORDINATED = re.compile(r"\b(?:and|but)\s+(?P<between>(?:[A-Za-z']+\s+){0,2})$")
_INTRO_PHRASE = re.compile(
    r"(?:In|On|At|During|After|Before|Since|Following|Speaking|Asked|Earlier|Later|Last|This|"
    r"Meanwhile|However|But|And|Also|Then|Now|Today|Yesterday)\b[^,;:]{0,60}$"
)
_GAP_GLUE = re.compile(r"[\s,:]*(?:that|this|as follows|the following)?[\s,:]*")
_GAP_CONJ = re.compile(r"[\s,]*(?:but|and|then|before|adding)[\s,:]*")
_DIRECT_START = re.compile(r"[\W_]*(?:[^\W\d_]|\d)", re.UNICODE)
# ''|``|["“”„‟«»‹›‘’‚‛'] with the first character as a class (a pattern that starts with a
# character class lets the regex engine skip to candidate characters): '' and `` are marks,
# a lone ` is not
_MARK = re.compile(r"[\"“”„‟«»‹›‘’‚‛'`](?:(?<=')'|(?<=`)`|(?<!`))")
_MARK_CHARS = "\"“”„‟«»‹›‘’‚‛'`"  # the characters of _MARK's class
_TOKEN = re.compile(r"[^\W_](?:[\w’'.&\-]{0,60}[\w])?\.?|[^\w\s]")
_WORDS = re.compile(r"[^\W_]+")
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽА-Я"
# A name token is a capital followed by initials ("J.R."), an abbreviation ("Sen.", "Mr.") or
# the rest of a word
_NAME_TAIL = rf"(?:\.(?:[{_UPPER}]\.){{0,2}}|[a-z]{{0,2}}\.|(?:[\w’'\-]{{0,40}}[\w])?)"
_NAME_TOKEN = rf"[{_UPPER}]{_NAME_TAIL}"
# The run's first capital comes before the look-behind (the same matches as
# "(?<![\w’'\-])" + _NAME_TOKEN): a pattern that starts with a character class lets the regex
# engine skip to candidate capitals, twice as fast over a whole text
_NAME_RUN = re.compile(
    rf"[{_UPPER}](?<![\w’'\-].){_NAME_TAIL}"
    rf"(?:[ \t]+(?:(?:{'|'.join(sorted(_NAME_PARTICLES))})[ \t]+)?{_NAME_TOKEN}){{0,7}}"
)


# --- step 1: quote marks ---------------------------------------------------------------------


@dataclass(slots=True)
class _Mark:
    start: int
    end: int
    mark: str
    family: str  # "c" curly double, "t" straight double (" '' ``), "s" single
    can_open: bool
    can_close: bool


def _find_marks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, mark) of the quote marks in ``text``: ``_MARK.finditer(text)``.

    The mark characters are found by :func:`analysis.actors.char_offsets`, then read in text
    order as the pattern reads them: '' and `` are one mark, a lone ` is none.
    """
    found = char_offsets(text, _MARK_CHARS)
    out: list[tuple[int, int, str]] = []
    free = 0  # where the next mark may start (after the last one)
    for i in found:
        if i < free:
            continue
        ch = text[i]
        if ch == "'" or ch == "`":
            if text.startswith(ch, i + 1):
                out.append((i, i + 2, ch + ch))
                free = i + 2
            elif ch == "'":
                out.append((i, i + 1, ch))
                free = i + 1
        else:
            out.append((i, i + 1, ch))
            free = i + 1
    return out


def _classify(text: str, start: int, end: int, mark: str) -> _Mark | None:
    """Classify one quote-mark occurrence; None for apostrophes."""
    prev = text[start - 1] if start > 0 else "\n"
    nxt = text[end] if end < len(text) else "\n"
    double = mark in _DOUBLE
    if not double:
        if prev.isalnum() and nxt.isalnum():
            return None  # it’s, Russia’s, John’s, let’s, don't
        if mark in "’'" and prev.isspace() and nxt.isdigit():
            return None  # ’90s
        if mark in "’'" and prev in "sSzZ":
            j = end
            while j < len(text) and text[j] in " \t":
                j += 1
            if j < len(text) and j > end and text[j].islower():
                return None  # officers’ training: a plural possessive
    before_ok = prev.isspace() or prev in _OPEN_CONTEXT
    after_ok = nxt.isspace() or nxt in _CLOSE_CONTEXT
    left = not nxt.isspace() and before_ok
    right = not prev.isspace() and after_ok
    if mark in _OPEN_MARKS or mark == "``":
        can_open, can_close = (left or not right), (right and not left)
    elif mark in _CLOSE_MARKS:
        can_open, can_close = (left and not right), (right or not left)
    elif left == right:  # neutral mark, ambiguous position: decided by the state
        if not double:
            can_open, can_close = False, True
        else:
            can_open, can_close = True, True
    else:
        can_open, can_close = left, right
    family = ("t" if mark in ('"', "''", "``") else "c") if double else "s"
    return _Mark(start, end, mark, family, can_open, can_close)


def _compatible(a: str, b: str) -> bool:
    """Marks of these families may pair (sloppy texts close “ with ")."""
    return a == b or (a != "s" and b != "s")


@dataclass(slots=True)
class _QSpan:
    open: int  # offset of the opening mark
    close: int  # offset after the closing mark (or the recovery end)
    parts: list[tuple[int, int]]
    mark: str
    closed: bool
    direct_like: bool = False


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _first_char(text: str, start: int, end: int) -> int:
    """Offset of the first non-space character in [start, end), or ``end``."""
    while start < end and text[start].isspace():
        start += 1
    return start


class _Sentences:
    """Sentence lookup by offset."""

    def __init__(self, sents: Sequence[Sentence]) -> None:
        self.sents = sents
        self.starts = [s.start for s in sents]

    def index(self, pos: int) -> int:
        i = bisect.bisect_right(self.starts, pos) - 1
        return max(i, 0)


def _recovery_end(text: str, opening: _Mark, sents: _Sentences, para_end: int) -> int:
    """Where an unclosed quotation ends: its sentence, or its paragraph if it opens one."""
    si = sents.index(opening.start)
    sent = sents.sents[si]
    before = text[sent.start : opening.start]
    if not before.strip(" \t\n—–-([") and opening.family != "s":
        return para_end
    return min(max(sent.end, opening.end), para_end)


def _pair_quotes(
    text: str, paras: Sequence[tuple[int, int]], sents: _Sentences, marks: Sequence[_Mark]
) -> list[_QSpan]:
    """Pair quote marks into outermost quotations (linear in the number of marks)."""
    out: list[_QSpan] = []
    by_para: list[list[_Mark]] = [[] for _ in paras]
    starts = [p[0] for p in paras]
    for mk in marks:
        pi = bisect.bisect_right(starts, mk.start) - 1
        if 0 <= pi < len(paras) and mk.start < paras[pi][1]:
            by_para[pi].append(mk)

    def emit(q: _QSpan, content_start: int, content_end: int) -> None:
        s, e = _strip(text, content_start, content_end)
        if s < e:
            q.parts.append((s, e))
        if q.parts:
            out.append(q)

    carry: _QSpan | None = None
    carry_family = ""
    carry_start = 0
    for pi, (ps, pe) in enumerate(paras):
        pm = by_para[pi]
        last_close = {"c": -1, "t": -1, "s": -1}
        for idx, mk in enumerate(pm):
            if mk.can_close:
                last_close[mk.family] = idx
        # closers_after[idx]: closing marks of the curly family after mark idx (for “a “b” c”)
        closers_after = [0] * (len(pm) + 1)
        for idx in range(len(pm) - 1, -1, -1):
            closers_after[idx] = closers_after[idx + 1] + (
                pm[idx].family == "c" and pm[idx].can_close and not pm[idx].can_open
            )
        nxt = by_para[pi + 1] if pi + 1 < len(paras) else []
        next_open = (
            nxt[0].family if nxt and nxt[0].start == paras[pi + 1][0] and nxt[0].can_open else ""
        )
        # stack entries: (opening mark, its quotation or None when nested, content start)
        stack: list[tuple[_Mark, _QSpan | None, int]] = []
        k = 0
        if carry is not None:
            if pm and pm[0].start == ps and pm[0].family == carry_family:
                stack.append((pm[0], carry, pm[0].end))
                k = 1
            else:
                emit(carry, carry_start, carry.close)
            carry = None
        skip_until = -1
        for idx in range(k, len(pm)):
            mk = pm[idx]
            if mk.start < skip_until:
                continue
            if stack:
                target = -1
                if mk.can_close:
                    for d in range(len(stack) - 1, -1, -1):
                        if stack[d][0].family == mk.family:
                            target = d
                            break
                    if target < 0 and not mk.can_open:
                        for d in range(len(stack) - 1, -1, -1):
                            if _compatible(stack[d][0].family, mk.family):
                                target = d
                                break
                if target >= 0:
                    del stack[target + 1 :]
                    opener, q, cstart = stack.pop()
                    if not stack and q is not None:
                        q.close = mk.end
                        q.closed = True
                        emit(q, cstart, mk.start)
                    continue
                top = stack[-1][0]
                if mk.can_open and mk.family != top.family and len(stack) < MAX_NESTING:
                    stack.append((mk, None, mk.end))
                    continue
                if (
                    mk.can_open
                    and mk.family == "c"
                    and top.family == "c"
                    and len(stack) < MAX_NESTING
                    and closers_after[idx + 1] >= 2
                ):
                    stack.append((mk, None, mk.end))  # “… what he calls “hell” …”
                    continue
                if mk.can_open and len(stack) == 1 and mk.family == top.family:
                    opener, q, cstart = stack.pop()
                    if q is not None:
                        end = _strip(text, cstart, mk.start)[1]
                        q.close = end
                        emit(q, cstart, end)
                else:
                    continue
            if not mk.can_open:
                continue  # a stray closing mark
            q = _QSpan(mk.start, pe, [], mk.mark, False)
            closer_ahead = any(last_close[f] > idx for f in last_close if _compatible(f, mk.family))
            if closer_ahead or next_open == mk.family:
                stack.append((mk, q, mk.end))
                continue
            end = _recovery_end(text, mk, sents, pe)
            q.close = end
            emit(q, mk.end, end)
            skip_until = end
        if stack:
            opener, q, cstart = stack[0]
            if q is not None:
                if next_open == opener.family:
                    s, e = _strip(text, cstart, pe)
                    if s < e:
                        q.parts.append((s, e))
                    q.close = pe
                    carry, carry_family, carry_start = q, opener.family, pe
                else:
                    end = _recovery_end(text, opener, sents, pe)
                    q.close = end
                    emit(q, cstart, end)
    if carry is not None:
        emit(carry, carry_start, carry.close)
    out.sort(key=lambda q: q.open)
    # Guarantee disjoint quotations whatever the input.
    kept: list[_QSpan] = []
    for q in out:
        if kept and q.open < kept[-1].close:
            continue
        kept.append(q)
    return kept


# --- step 2: units and frames ----------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    start: int
    end: int
    para: int
    para_last: int
    quotes: list[_QSpan]
    index: int = 0
    opens: list[int] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Frame:
    cue_start: int
    cue_end: int
    cls: CueClass
    sp_start: int | None = None
    sp_end: int | None = None
    desc: tuple[int, int] | None = None
    start: int = 0  # the frame's extent (speaker, cue, description)
    end: int = 0
    passive: bool = False


@dataclass(slots=True)
class _Record:
    kind: Kind
    parts: list[tuple[int, int]]
    frame: _Frame | None
    mark: str | None
    unit: int
    para: int
    inherited_from: _Record | None = None
    children: list[_Record] = field(default_factory=list)


#: A token: (start, end, text), offsets into the text. A plain tuple: tokens are cut for every
#: cue, and a tuple is several times cheaper to build than a class instance.
_Tok = tuple[int, int, str]
#: Longest word ``_TOKEN`` reads as one token before an optional full stop (1 + 60 + 1
#: characters); a longer run of letters is cut into several tokens.
_WORD_TOKEN_MAX = 62
#: Pieces (text between spaces) a token stream cuts at a time: a reader that stops after a
#: few tokens pays for few more.
_STREAM_PIECES = 4


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    """The tokens of text[start:end]: ``_TOKEN.finditer(text, start, end)`` as tuples."""
    out: list[_Tok] = []
    _cut(text, text[start:end].split(" "), start, out)
    return out


def _cut(text: str, pieces: Iterable[str], pos: int, out: list[_Tok]) -> int:
    """Append the tokens of ``pieces``, consecutive pieces of ``text`` between single spaces
    (the first at ``pos``), to ``out``; return the offset after the last piece and its space.

    No token contains a space, so each piece is tokenized on its own, most without the regex:
    letters and digits are one token, so are they with a final full stop ("Russia."); with one
    other punctuation character before or after ("said,", "“The") they are two, and a lone
    character other than "_" is one. Anything else (and any piece holding other white space)
    goes through ``_TOKEN``.
    """
    append = out.append
    for piece in pieces:
        s = pos
        n = len(piece)
        pos += n + 1
        if not n:
            continue
        e = s + n
        if piece.isalnum():
            if n <= _WORD_TOKEN_MAX:
                append((s, e, piece))
                continue
        elif n == 1:
            if piece != "_" and not piece.isspace():
                append((s, e, piece))
            continue
        elif n <= _WORD_TOKEN_MAX + 1:
            word = piece[:-1]
            if word.isalnum():
                last = piece[-1]  # not a letter or digit, as the piece is not all of them
                if last == ".":
                    append((s, e, piece))
                    continue
                if last != "_" and not last.isspace():
                    append((s, e - 1, word))
                    append((e - 1, e, last))
                    continue
            else:
                first = piece[0]
                rest = piece[1:]
                if rest.isalnum() and first != "_" and not first.isspace():
                    append((s, s + 1, first))
                    append((s + 1, e, rest))
                    continue
        out.extend([(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, s, e)])
    return pos


class _TokenStream:
    """The tokens of text[start:end] (:func:`_tokens`), cut only as far as they are read.

    ``toks`` holds the tokens cut so far; ``has(i)`` cuts on until token ``i`` exists and says
    whether it does (``i < len(_tokens(text, start, end))``). For readers that go forward and
    mostly stop after a few tokens ("said X, a …", "said that …").
    """

    __slots__ = ("_next", "_pieces", "_pos", "_text", "toks")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.toks: list[_Tok] = []
        self._text = text
        self._pieces: list[str] | None = text[start:end].split(" ")
        self._next = 0  # the next piece to cut
        self._pos = start  # where it starts

    def has(self, i: int) -> bool:
        """Whether the window has a token ``i`` (cutting tokens up to it)."""
        toks = self.toks
        while i >= len(toks):
            pieces = self._pieces
            if pieces is None:
                return False
            k = self._next
            if k >= len(pieces):
                self._pieces = None
                return False
            self._next = k + _STREAM_PIECES
            self._pos = _cut(self._text, pieces[k : k + _STREAM_PIECES], self._pos, toks)
        return True

    def all(self) -> list[_Tok]:
        """Every token of the window."""
        if self._pieces is not None:
            self._pos = _cut(self._text, self._pieces[self._next :], self._pos, self.toks)
            self._pieces = None
        return self.toks


def _is_word(tok: _Tok) -> bool:
    return tok[2][0].isalnum()


def _is_cap(tok: _Tok) -> bool:
    return tok[2][0].isupper()


def _bare(word: str) -> str:
    """A token without a trailing full stop or possessive."""
    w = word.rstrip(".")
    if w.endswith(("’s", "'s")):
        w = w[:-2]
    return w


def _is_name_token(tok: _Tok, lex: SpeechVerbs) -> bool:
    return _is_cap(tok) and _bare(tok[2]) not in _FUNCTION_CAPS


#: What a capitalised run reads as, whatever the names before it: (start and end of the name in
#: the run, the name as written there, the name, gender, first core word, a single core word,
#: titled).
_NameForm = tuple[int, int, str, str, str | None, str, bool, bool]


class _Context:
    """Per-text state shared by the steps below."""

    def __init__(self, text: str, lex: SpeechVerbs) -> None:
        self.text = text
        self.lex = lex
        # person names outside quotations, read in text order as far as needed (_read_names)
        self._names: list[tuple[int, int, str, str | None]] = []
        self._name_starts: list[int] = []
        self._name_last: list[str] = []  # last word of each name
        self._name_words: list[int] = []  # words in each name
        self._name_runs: Iterator[re.Match[str]] | None = None
        self._name_next: re.Match[str] | None = None  # the next run, not read yet
        self._names_done = False
        self._surnames: dict[str, tuple[str, str | None]] = {}  # last word -> (name, gender)
        self._name_forms: dict[str, _NameForm | None] = {}  # run -> _name_form(run)
        self._actor_cache: dict[str, bool] = {}
        self.quoted: _Intervals | None = None
        self.speakers: list[tuple[int, str]] = []  # (offset, name) of resolved person speakers

    # -- speaker noun phrases --

    def np_back(self, toks: Sequence[_Tok], i: int) -> tuple[int, int] | None:
        """The noun phrase ending at token ``i`` as token indices (inclusive), or None."""
        if i >= 0 and toks[i][2] == ")":
            # "Rep. Gwen Moore (D-Wis.)": a parenthetical after the name
            k = i - 1
            while k >= 0 and k > i - 10 and toks[k][2] != "(":
                k -= 1
            if k <= 0 or toks[k][2] != "(":
                return None
            inner = self.np_back(toks, k - 1)
            return None if inner is None else (inner[0], i)
        if i < 0 or not _is_word(toks[i]):
            return None
        lw = toks[i][2].lower()
        if lw in _SUBJECT_PRONOUNS:
            return (i, i)
        if (
            lw in _NP_STOP
            or lw in _DETERMINERS
            or lw in _POSSESSIVES
            or (toks[i][2] in _OBJECT_PRONOUNS)
        ):
            return None
        j = i
        while j >= 0:
            t = toks[j]
            word = t[2]
            lw = word.lower()
            if word == ")":
                k = j - 1
                while k >= 0 and k > j - 10 and toks[k][2] != "(":
                    k -= 1
                if k < 0 or toks[k][2] != "(" or k == j - 1:
                    break
                j = k - 1
                continue
            if not word[0].isalnum():  # _is_word(t), inline: the innermost loop
                break
            if lw in _NP_STOP or (j != i and lw in _SUBJECT_PRONOUNS):
                break
            if lw in ("and", "&"):
                if j - 1 >= 0 and _is_word(toks[j - 1]) and _is_cap(toks[j - 1]) and j != i:
                    j -= 1
                    continue
                break
            if lw == "even" and j - 1 >= 0 and toks[j - 1][2].lower() == "and":
                j -= 1
                continue
            if lw in _LEADING_TRIM and lw not in _NP_PREPS:
                break
            j -= 1
        lo = j + 1
        while lo <= i and (toks[lo][2].lower() in _LEADING_TRIM or not _is_word(toks[lo])):
            lo += 1
        if lo > i:
            return None
        if i - lo + 1 > MAX_SPEAKER_WORDS:
            # too long for a speaker: keep a trailing capitalised name, if any
            k = i
            while k >= lo and _is_name_token(toks[k], self.lex):
                k -= 1
            if k == i:
                return None
            lo = k + 1
        if not self._np_ok(toks[lo : i + 1]):
            return None
        return (lo, i)

    def _np_ok(self, toks: Sequence[_Tok]) -> bool:
        """A plausible speaker: a name, a pronoun, or a phrase with a determiner or a noun."""
        for t in toks:
            w = t[2]
            if w[0].isupper() and _bare(w) not in _FUNCTION_CAPS:  # _is_name_token, inline
                return True
        words = [t[2].lower() for t in toks if t[2][0].isalnum()]
        if not words:
            return False
        head = _bare(words[-1])
        if head in self.lex.group_nouns or head in self.lex.role_nouns:
            return True
        if words[0] in _DETERMINERS or words[0] in _POSSESSIVES or words[0].endswith(("’s", "'s")):
            return True
        return len(words) >= 2 and head.endswith("s")

    def is_role_segment(self, toks: Sequence[_Tok]) -> bool:
        """An apposition that describes a person ("a senior analyst at SIPRI")."""
        if not toks or len(toks) > MAX_DESCRIPTION_WORDS:
            return False
        first = toks[0][2]
        lw = first.lower()
        if lw in ("a", "an", "the", "another", "one", "former", "who", "whose"):
            return True
        if first[0].islower() and not lw.endswith("ing") and lw not in _NP_PREPS:
            return True
        if _is_cap(toks[0]):
            # "Former US special envoy on AfPak", "Democratic Senator", "President of …"
            lows = [t for t in toks if _is_word(t) and t[2][0].islower()]
            has_role = any(_bare(t[2]).lower() in self.lex.role_nouns for t in toks) or any(
                _bare(t[2]) in self.lex.titles for t in toks
            )
            return has_role or bool(lows and lows[0][2].lower() in _NP_PREPS)
        return False

    def is_transparent_segment(self, toks: Sequence[_Tok]) -> bool:
        """A comma-delimited aside that is not the speaker ("however", "speaking at a rally")."""
        if not toks:
            return True
        lw = toks[0][2].lower()
        if all(t[2].lower() in _ADVERBS or t[2] in _TIME_WORDS or t[2].isdigit() for t in toks):
            return True  # "however", "Tuesday", an age ("Quina Jones, 25, said")
        if lw.endswith("ly") and len(toks) <= 2:
            return True
        if lw in (
            "however",
            "meanwhile",
            "though",
            "too",
            "in",
            "on",
            "at",
            "during",
            "after",
            "speaking",
            "writing",
            "testifying",
            "appearing",
            "meanwhile",
            "for",
            "like",
            "asked",
        ):
            return True
        return toks[0][2][0].islower() and lw.endswith("ing") and len(toks) <= 10

    def speaker_before(self, lo: int, cue_start: int, fr: _Frame) -> bool:
        """Find the speaker before the cue in text[lo:cue_start]; fill ``fr``.

        A short window is tried first; the full one only when the answer may depend on text
        beyond it (a long apposition), which keeps the cost per cue small.
        """
        text = self.text
        cut = text.find(" ", cue_start - SHORT_SPEAKER_WINDOW, cue_start)
        if cue_start - SHORT_SPEAKER_WINDOW <= lo or cut < 0:
            return self._speaker_before(
                _tokens(text, max(lo, cue_start - SPEAKER_WINDOW), cue_start), fr
            )
        toks = _tokens(text, cut, cue_start)
        probe = _Frame(fr.cue_start, fr.cue_end, fr.cls, start=fr.start, end=fr.end)
        if len(toks) > 4 and self._speaker_before(toks, probe) and probe.start >= toks[3][0]:
            fr.sp_start, fr.sp_end, fr.desc = probe.sp_start, probe.sp_end, probe.desc
            fr.start, fr.passive = probe.start, probe.passive
            return True
        head = _tokens(text, max(lo, cue_start - SPEAKER_WINDOW), cut)
        return self._speaker_before(head + toks, fr)

    def _speaker_before(self, toks: Sequence[_Tok], fr: _Frame) -> bool:
        i = len(toks) - 1
        be = False
        while i >= 0:
            t = toks[i]
            lw = t[2].lower()
            if lw in ("not", "never") or lw.endswith(("n't", "n’t")):
                return False  # "did not say", "hasn't commented": no attribution
            if lw in _BE:
                be = True
            elif (
                lw in _AUX
                or lw in _ADVERBS
                or t[2] in _TIME_WORDS
                or (lw.endswith("ly") and t[2].islower() and len(lw) > 4)
                or (lw in _TIME_LEAD and i + 1 < len(toks) and toks[i + 1][2] in _TIME_WORDS)
            ):
                pass
            else:
                break
            i -= 1
        # "is stressing" is progressive, "is said" passive
        progressive = self.text[fr.cue_start : fr.cue_end].split()[0].lower().endswith("ing")
        fr.passive = be and not fr.cls.adjective and not progressive
        if fr.cls.adjective and not be:
            return False
        if fr.passive:
            return False
        if i < 0:
            return False
        if toks[i][2] in (",", "—", "–"):
            return self._apposition_before(toks, i, fr)
        span = self.np_back(toks, i)
        if span is not None and span[0] > 0 and toks[span[0] - 1][2].lower() in _OBJECT_PREPS:
            return False  # "… of Republican claims": the cue word is a noun here
        if span is None:
            span = self._subject_fallback(toks, i)
        if span is None:
            return False
        a, b = span
        fr.sp_start, fr.sp_end = toks[a][0], toks[b][1]
        fr.start = fr.sp_start
        return True

    def _subject_fallback(self, toks: Sequence[_Tok], i: int) -> tuple[int, int] | None:
        """ "The Times in its August 10 edition disclosed": a subject, then a modifier phrase."""
        lo = i
        while lo > 0 and toks[lo - 1][2] not in (".", ";", ":", "!", "?", "”", "“", '"'):
            lo -= 1
        if i - lo + 1 > 2 * MAX_SPEAKER_WORDS or lo > i:
            return None
        first = toks[lo][2]
        if not (
            _is_word(toks[lo])
            and (_is_name_token(toks[lo], self.lex) or first.lower() in _SUBJECT_STARTS)
        ):
            return None
        j = lo
        while j + 1 <= i and _is_word(toks[j + 1]) and toks[j + 1][2].lower() not in _SUBJECT_ENDS:
            j += 1
        if j >= i or toks[j + 1][2].lower() not in (
            "in",
            "on",
            "at",
            "during",
            "after",
            "before",
            "over",
            "speaking",
            "last",
        ):
            return None
        if any(t[2].lower() in _NP_STOP for t in toks[j + 1 : i + 1]):
            return None
        if not self._np_ok(toks[lo : j + 1]):
            return None
        return (lo, j)

    def _segment_back(self, toks: Sequence[_Tok], comma: int) -> int:
        """Index of the first token of the comma-delimited segment ending before ``comma``."""
        j = comma - 1
        depth = 0
        while j >= 0:
            t = toks[j][2]
            if t == ")":
                depth += 1
            elif t == "(":
                depth -= 1
            elif depth <= 0 and (
                t in (",", ";", ":", "—", "–") or not (_is_word(toks[j]) or t in "().’'-&")
            ):
                break
            j -= 1
        return j + 1

    def _apposition_before(self, toks: Sequence[_Tok], comma: int, fr: _Frame) -> bool:
        for _ in range(3):  # skip up to three asides ("Clinton, however, said")
            seg_lo = self._segment_back(toks, comma)
            seg = toks[seg_lo:comma]
            if not seg:
                return False
            before = seg_lo - 1
            if self.is_transparent_segment(seg) and before >= 0 and toks[before][2] == ",":
                comma = before
                continue
            if self.is_role_segment(seg) and before >= 0 and toks[before][2] == ",":
                span = self.np_back(toks, before - 1)
                if span is None:
                    return False
                a, b = span
                fr.sp_start, fr.sp_end = toks[a][0], toks[b][1]
                fr.desc = (seg[0][0], seg[-1][1])
                fr.start = fr.sp_start
                return True
            span = self.np_back(toks, comma - 1)
            if span is None or span[0] != seg_lo:
                return False
            a, b = span
            fr.sp_start, fr.sp_end = toks[a][0], toks[b][1]
            fr.start = fr.sp_start
            if before >= 0 and toks[before][2] == ",":
                d_lo = self._segment_back(toks, before)
                dseg = toks[d_lo:before]
                if (d_lo == 0 or toks[d_lo - 1][2] in (".", ":", ";")) and self.is_role_segment(
                    dseg
                ):
                    fr.desc = (dseg[0][0], dseg[-1][1])
                    fr.start = dseg[0][0]
            return True
        return False

    def np_forward(self, stream: _TokenStream, i: int) -> tuple[int, int] | None:
        """The noun phrase starting at token ``i`` (indices inclusive), or None."""
        toks = stream.toks
        has = stream.has
        if not has(i) or not _is_word(toks[i]):
            return None
        lw = toks[i][2].lower()
        if lw in _SUBJECT_PRONOUNS and lw not in ("it", "you"):
            return (i, i)
        if (
            lw in _NP_STOP
            or lw in _NP_PREPS
            or lw in _LEADING_TRIM
            or (toks[i][2] in _OBJECT_PRONOUNS)
            or _bare(toks[i][2]) in _TIME_WORDS
        ):
            return None
        j = i
        while j + 1 < len(toks) or has(j + 1):  # has(), inline when the token is cut
            t = toks[j + 1]
            w = t[2]
            wl = w.lower()
            if w == "(":
                k = j + 2
                while k < j + 12 and has(k) and toks[k][2] != ")":
                    k += 1
                if has(k) and toks[k][2] == ")":
                    j = k
                    continue
                break
            if not _is_word(t) or wl in _NP_STOP or (wl in _NP_PREPS and wl != "of"):
                break
            if wl in _ADVERBS or wl in _TIME_WORDS or w in _TIME_WORDS:
                break
            j += 1
            if j - i + 1 >= MAX_SPEAKER_WORDS:
                break
        if not self._np_ok(toks[i : j + 1]):
            return None
        return (i, j)

    def speaker_after(self, start: int, limit: int, fr: _Frame) -> bool:
        """Find the speaker after the cue ("said X", "according to X"); fill ``fr``."""
        stream = _TokenStream(self.text, start, min(limit, start + SPEAKER_WINDOW))
        toks = stream.toks
        has = stream.has
        i = 0
        while has(i) and toks[i][2].lower() in _ADVERBS:
            i += 1
        span = self.np_forward(stream, i)
        if span is None and has(i) and toks[i][2][0].isdigit():
            # "said 9/11 widow Terry Strada": a name a few tokens on
            k = i + 1
            while k < i + 5 and has(k):
                if not (_is_word(toks[k]) or toks[k][2] in ("/", "-")):
                    break
                if _is_name_token(toks[k], self.lex):
                    span = self.np_forward(stream, k)
                    if span is not None:
                        span = (i, span[1])
                    break
                k += 1
        if span is None:
            return False
        a, b = span
        fr.sp_start, fr.sp_end = (
            toks[a][0],
            _strip_trailing_dot(self.text, toks[a][0], toks[b][1]),
        )
        fr.end = max(fr.end, toks[b][1])
        k = b + 1
        if has(k) and toks[k][2] == ",":
            e = k + 1
            while (e < len(toks) or has(e)) and toks[e][2] not in (
                ",",
                ".",
                ";",
                ":",
                "“",
                '"',
                "—",
            ):
                e += 1
            seg = toks[k + 1 : e]
            if seg and self.is_role_segment(seg) and not seg[0][2].lower().endswith("ing"):
                end = _strip_trailing_dot(self.text, seg[0][0], seg[-1][1])
                fr.desc = (seg[0][0], end)
                fr.end = max(fr.end, seg[-1][1])
        return True

    # -- names, for resolution --

    def overlaps_actor(self, start: int, end: int) -> bool:
        """True when the actor lexicon reads text[start:end] as (part of) a state, place or
        institution ("Pakistan Russia", "White House"); leaders do not count."""
        return self._is_actor_phrase(self.text[start:end])

    def _is_actor_phrase(self, phrase: str) -> bool:
        """:meth:`overlaps_actor` of the text ``phrase``."""
        cached = self._actor_cache.get(phrase)
        if cached is None:
            cached = any(m.alias_type != "leaders" for m in find_mentions(phrase))
            self._actor_cache[phrase] = cached
        return cached

    def _read_names(self, pos: int) -> None:
        """Read the person names of the runs that start at or before ``pos``.

        Names are read in text order, each once, and only as far as a pronoun or a short name
        needs them: a name's own start is never before its run's, so every name that starts
        at or before ``pos`` is known afterwards.
        """
        if self._names_done:
            return
        runs = self._name_runs
        if runs is None:
            runs = self._name_runs = _NAME_RUN.finditer(self.text)
            self._name_next = next(runs, None)
        m = self._name_next
        surnames = self._surnames
        quoted = self.quoted
        while m is not None and m.start() <= pos:
            raw = m.group()
            start = m.start()
            m = next(runs, None)
            if " " not in raw and "\t" not in raw and raw.rstrip(".") not in surnames:
                continue  # a lone capitalised word that names no known person (the most common)
            if quoted is not None and quoted.contains(start):
                continue  # names inside quotations are not antecedents of the narrative
            res = self._person(raw, start, surnames)
            if res is None:
                continue
            self._names.append(res)
            self._name_starts.append(res[0])
            name = res[2]
            words = name.split()
            self._name_last.append(words[-1])
            self._name_words.append(len(words))
            cut = name.rfind(" ")
            if cut > 0:
                surnames[name[cut + 1 :]] = (name, res[3])
        self._name_next = m
        self._names_done = m is None

    def person_name(
        self, start: int, end: int, surnames: Mapping[str, tuple[str, str | None]]
    ) -> tuple[int, int, str, str | None] | None:
        """Read a capitalised run as a person's name; None for organisations and places."""
        return self._person(self.text[start:end], start, surnames)

    def _person(
        self, raw: str, start: int, surnames: Mapping[str, tuple[str, str | None]]
    ) -> tuple[int, int, str, str | None] | None:
        """:meth:`person_name` of the run ``raw`` found at ``start``."""
        forms = self._name_forms
        if raw in forms:
            form = forms[raw]
        else:
            form = forms[raw] = self._name_form(raw)
        if form is None:
            return None
        ds, de, phrase, name, gender, first, single, titled = form
        if single and not titled and first not in surnames:
            return None
        if self._is_actor_phrase(phrase):
            return None
        if single:
            known = surnames.get(first)
            if known is not None:
                name = known[0]
                gender = gender or known[1]
        return (start + ds, start + de, name, gender)

    def _name_form(self, raw: str) -> _NameForm | None:
        """What :meth:`person_name` reads from a run whatever the names before it (it is read
        once per distinct run): None when it is no person's name."""
        words = raw.split()
        lex = self.lex
        titles = lex.titles
        gender: str | None = None
        titled = False
        k = 0
        for idx, w in enumerate(words):
            b = w.rstrip(".")
            if b in titles:
                k = idx + 1
                titled = True
                gender = titles[b] or gender
            elif b in _FUNCTION_CAPS and idx == k:
                k = idx + 1
        if k >= len(words):
            return None
        name_words = words[k:]
        org = lex.organisation_words
        core: list[str] = []
        for w in name_words:
            b = _bare(w)
            if b in org or (len(w) > 1 and w.isupper() and not w.endswith(".")):
                return None  # an organisation, place or acronym
            if w.lower() not in _NAME_PARTICLES:
                if not w[0].isupper():
                    return None
                core.append(b)
        if not core or len(core) > 4:
            return None
        first = core[0]
        ds = raw.find(name_words[0]) if k else 0
        de = _strip_trailing_dot(raw, ds, len(raw))
        name = " ".join([*name_words[:-1], _bare(name_words[-1])])
        if first in lex.given_names:
            gender = lex.given_names[first]
        return (ds, de, raw[ds:de], name, gender, first, len(core) == 1, titled)

    def antecedent(self, pos: int, gender: str | None) -> str | None:
        """The person a pronoun at ``pos`` refers to.

        Candidates are the person names within ``ANTECEDENT_WINDOW`` before the pronoun (outside
        quotations), nearest first. A name whose gender is known to differ is skipped; among the
        rest, one that was already a speaker, then one whose gender is known to agree, wins
        over a merely nearer one.
        """
        self._read_names(pos)
        names = self._names
        i = bisect.bisect_left(self._name_starts, pos) - 1
        seen = 0
        best: tuple[int, str] | None = None
        spoke = {n for p, n in self.speakers[-MAX_ANTECEDENT_CANDIDATES:] if p < pos}
        while i >= 0 and seen < MAX_ANTECEDENT_CANDIDATES:
            _s, e, name, g = names[i]
            if pos - e > ANTECEDENT_WINDOW:
                break
            i -= 1
            seen += 1
            if e > pos or (gender is not None and g is not None and g != gender):
                continue
            score = 2 * (name in spoke) + (gender is not None and g == gender)
            if best is None or score > best[0]:
                best = (score, name)
        return best[1] if best is not None else None

    def full_name(self, pos: int, name: str) -> str:
        """The fullest earlier (or same-place) form of ``name`` ("Markey" → "Daniel Markey")."""
        parts = name.split()
        if not parts:
            return name
        self._read_names(pos)
        names = self._names
        last_words, n_words = self._name_last, self._name_words
        last, n = parts[-1], len(parts)
        i = bisect.bisect_right(self._name_starts, pos) - 1
        for k in range(i, max(i - 4 * MAX_ANTECEDENT_CANDIDATES, -1), -1):
            if last_words[k] == last and n_words[k] > n:
                return names[k][2]
        return name


class _Intervals:
    """Sorted, merged intervals with logarithmic membership tests."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        self.spans = merged
        self.starts = [s for s, _ in merged]

    def contains(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.spans[i][1]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1
        return i >= 0 and self.spans[i][1] > start


def _strip_trailing_dot(text: str, start: int, end: int) -> int:
    """Drop a sentence-final full stop from a span unless it ends an abbreviation ("Jr.")."""
    if end - start > 1 and text[end - 1] == ".":
        word = text[start:end].split()[-1]
        if len(word) > 4 and not word[:-1].count("."):
            return end - 1
    return end


def _cue_is_verb(text: str, start: int, lo: int) -> bool:
    """False when the cue word is used as a noun or infinitive ("the view", "to say")."""
    j = start - 1
    while j >= lo and text[j] in " \t":
        j -= 1
    k = j
    while k >= lo and (text[k].isalnum() or text[k] in "’'"):
        k -= 1
    prev = text[k + 1 : j + 1].lower()
    if prev in _DETERMINERS and prev not in (
        "that",
        "all",
        "both",
        "some",
        "many",
        "most",
        "few",
        "several",
        "these",
        "those",
    ):
        return False
    return not (prev in _POSSESSIVES or prev == "to" or prev.endswith(("’s", "'s")))


def _direct_like(text: str, part: tuple[int, int]) -> bool:
    """A quotation that reads as a statement: it starts with a capital, digit or ellipsis."""
    s, e = part
    m = _DIRECT_START.match(text, s, e)
    if m is None:
        return False
    ch = text[m.end() - 1]
    return ch.isupper() or ch.isdigit() or text.startswith(("…", "...", "—"), s)


def _words_between(text: str, start: int, end: int, limit: int = 64) -> int:
    """Number of words in text[start:end], counted up to ``limit`` (keeps the cost bounded)."""
    n = 0
    for _ in _WORDS.finditer(text, start, end):
        n += 1
        if n >= limit:
            break
    return n


#: Words not capitalised that make a headline impossible whatever follows: the fewest lower-case
#: first words that fail the share test for every length up to ``HEADLINE_WORDS`` (17 for 40
#: words at 0.6), found with the test's own arithmetic.
_HEADLINE_LOWER_LIMIT = next(
    k
    for k in range(1, HEADLINE_WORDS + 2)
    if all(n - k < HEADLINE_CAPS_SHARE * n for n in range(k, HEADLINE_WORDS + 1))
)


def _headline_caps(text: str, start: int, end: int) -> bool:
    """Whether the first ``HEADLINE_WORDS`` words of text[start:end] are mostly capitalised (or
    numbers): at least 3 words, ``HEADLINE_CAPS_SHARE`` of them.

    The words (runs of letters and digits, ``_WORDS``) are read one by one, and the reading
    stops as soon as so many are in lower case that the share cannot be reached (in running
    text, after about 20 words). A word never spans white space, so the text is cut at white
    space first: a piece of letters and digits alone (most of them) is one word, and only the
    other pieces go through the regex.
    """
    n = caps = 0
    for piece in text[start:end].split():
        for word in (piece,) if piece.isalnum() else _WORDS.findall(piece):
            n += 1
            ch = word[0]
            if ch.isupper() or ch.isdigit():
                caps += 1
            elif n - caps >= _HEADLINE_LOWER_LIMIT:
                return False
            if n >= HEADLINE_WORDS:
                return caps >= HEADLINE_CAPS_SHARE * n
    return n >= 3 and caps >= HEADLINE_CAPS_SHARE * n


def _only_gap(text: str, start: int, end: int) -> bool:
    """True when text[start:end] holds only punctuation and spaces (a frame's glue)."""
    return start >= end or _NOT_GAP.search(text, start, end) is None


def _last_char(text: str, start: int, end: int) -> str:
    """The last non-space character of text[start:end], or ""."""
    j = end - 1
    while j >= start and text[j].isspace():
        j -= 1
    return text[j] if j >= start else ""


def _first_char_of(text: str, start: int, end: int) -> str:
    """The first non-space character of text[start:end], or ""."""
    m = _NON_SPACE.search(text, start, end)
    return m.group() if m else ""


class _Extractor:
    def __init__(self, text: str, lex: SpeechVerbs) -> None:
        self.text = text
        self.lex = lex
        self.ctx = _Context(text, lex)
        self.paras: list[tuple[int, int]] = []
        self.para_starts: list[int] = []

    def run(self, sents: Sequence[Sentence] | None = None) -> list[Quote]:
        text = self.text
        if sents is None:
            sents = sentences(text)
        if not sents:
            return []
        paras: list[tuple[int, int]] = []
        para_idx: list[int] = []
        pi = -1
        last_para: int | None = None
        for s in sents:
            if s.paragraph != last_para:
                paras.append((s.start, s.end))
                pi += 1
                last_para = s.paragraph
            else:
                paras[-1] = (paras[-1][0], s.end)
            para_idx.append(pi)
        sl = _Sentences(sents)
        self.paras = paras
        self.para_starts = [p[0] for p in paras]
        marks = [
            mk
            for start, end, mark in _find_marks(text)
            if (mk := _classify(text, start, end, mark)) is not None
        ]
        quotes = _pair_quotes(text, paras, sl, marks)
        self.ctx.quoted = _Intervals((q.open, q.close) for q in quotes)
        units = self._units(sents, para_idx, quotes, sl)
        records = self._attribute(units)
        return self._finish(records)

    # -- units --

    def _units(
        self,
        sents: Sequence[Sentence],
        para_idx: Sequence[int],
        quotes: Sequence[_QSpan],
        sl: _Sentences,
    ) -> list[_Unit]:
        n = len(sents)
        reach = list(range(n))  # reach[i]: last sentence merged with sentence i
        text = self.text
        for i in range(1, n):
            # a "sentence" that starts with ")" or in lower case continues the previous one
            # (a split inside "(D-N.C.)")
            first = text[sents[i].start]
            if para_idx[i] == para_idx[i - 1] and (first in ")]},;:" or first.islower()):
                reach[i - 1] = i
        for q in quotes:
            a = sl.index(q.open)
            b = sl.index(max(q.open, q.close - 1))
            if b > reach[a]:
                reach[a] = b
        units: list[_Unit] = []
        i = 0
        qi = 0
        while i < n:
            j = reach[i]
            k = i
            while k <= j:
                j = max(j, reach[k])
                k += 1
            start, end = sents[i].start, sents[j].end
            uq: list[_QSpan] = []
            while qi < len(quotes) and quotes[qi].open < end:
                if quotes[qi].open >= start:
                    uq.append(quotes[qi])
                qi += 1
            units.append(
                _Unit(
                    start,
                    end,
                    para_idx[i],
                    para_idx[j],
                    uq,
                    len(units),
                    [q.open for q in uq],
                    [q.close for q in uq],
                )
            )
            i = j + 1
        return units

    # -- frames --

    def _frames(
        self,
        u: _Unit,
        cue_matches: Sequence[tuple[int, int, str]],
        opinions: Sequence[re.Match[str]],
    ) -> list[_Frame]:
        text = self.text
        lex = self.lex
        frames: list[_Frame] = []
        opens = u.opens

        def quote_before(pos: int) -> _QSpan | None:
            i = bisect.bisect_right(opens, pos) - 1
            return u.quotes[i] if i >= 0 else None

        for cs, ce, cue in cue_matches:
            qb = quote_before(cs)
            if qb is not None and cs < qb.close:
                continue
            if (cs > 0 and text[cs - 1] in "’'-") or text.startswith("-", ce):
                continue
            form = " ".join(cue.lower().split())
            cls = lex.cues.get(form)
            if cls is None:
                continue
            headline = False
            if text[cs].isupper() and not self._at_clause_start(u, cs):
                if not self._headline_cue(u, cs, ce):
                    continue
                headline = True  # "…, Lindsey Graham Says.": the speaker precedes the cue
            fr = _Frame(cs, ce, cls, None, None, None, cs, ce)
            lo = max(u.start, qb.close) if qb is not None else u.start
            if cls.name == "according_to":
                if not self.ctx.speaker_after(ce, u.end, fr):
                    continue
                frames.append(fr)
                continue
            if not _cue_is_verb(text, cs, lo):
                continue
            progressive = form.endswith("ing") and _PROGRESSIVE.search(text, max(lo, cs - 24), cs)
            if form.endswith("ing") and not cls.adjective and not progressive:
                if not self._participle_frame(u, fr, lo, frames):
                    continue
                frames.append(fr)
                continue
            inverted = (
                cls.inversion
                and not headline
                and form not in _NO_INVERSION
                and self._inversion_ok(u, cs, lo)
            )
            if inverted and self._speaker_after_closing(fr, u):
                frames.append(fr)  # "…, said one GOP source in the room."
                continue
            if self.ctx.speaker_before(lo, cs, fr):
                frames.append(fr)
                continue
            if fr.passive:
                if self._passive_ok(fr, u):
                    frames.append(fr)
                continue
            if self._coordinated(u, fr, lo, frames):
                frames.append(fr)  # "X promised … and said …"
                continue
            if inverted and self.ctx.speaker_after(ce, u.end, fr):
                frames.append(fr)
        for q in u.quotes:
            fr_dash = self._dash_frame(q)
            if fr_dash is not None:
                frames.append(fr_dash)
        for m in opinions:
            qb = quote_before(m.start())
            if qb is not None and m.start() < qb.close:
                continue
            ps, pe = m.span("poss")
            if text[pe - 2 : pe] in ("’s", "'s"):
                pe -= 2
            elif text[pe - 1 : pe] in ("’", "'"):
                pe -= 1
            frames.append(
                _Frame(m.start(), m.end(), _OPINION_CLASS, ps, pe, None, m.start(), m.end())
            )
        frames.sort(key=lambda f: f.cue_start)
        for fr in frames:
            fr.end = max(fr.end, fr.cue_end, fr.sp_end or 0, fr.desc[1] if fr.desc else 0)
            if fr.sp_start is not None:
                fr.start = min(fr.start, fr.sp_start, fr.cue_start)
        return frames

    def _dash_frame(self, q: _QSpan) -> _Frame | None:
        """ "“…” ― Karen Bobadilla": a name after a dash closes the paragraph."""
        text = self.text
        pe = self.para_end(q.close)
        m = _DASH_CUE.match(text, q.close, pe)
        if m is None:
            return None
        fr = _Frame(
            m.start("dash"), m.end("dash"), _DASH_CLASS, start=m.start("dash"), end=m.end("dash")
        )
        if not self.ctx.speaker_after(m.end(), pe, fr) or fr.sp_end is None:
            return None
        if _TRAILING_TEXT.search(text, fr.end, pe) is not None:
            return None
        return fr

    def para_end(self, pos: int) -> int:
        """End of the paragraph that contains ``pos``."""
        i = bisect.bisect_right(self.para_starts, pos) - 1
        return self.paras[i][1] if i >= 0 else len(self.text)

    def _speaker_after_closing(self, fr: _Frame, u: _Unit) -> bool:
        """ "…, said X." where the speaker after the cue closes the sentence."""
        probe = _Frame(fr.cue_start, fr.cue_end, fr.cls, start=fr.start, end=fr.end)
        if not self.ctx.speaker_after(fr.cue_end, u.end, probe) or probe.sp_end is None:
            return False
        if _words_between(self.text, probe.end, u.end, 5) > 4:
            return False
        fr.sp_start, fr.sp_end, fr.desc, fr.end = (
            probe.sp_start,
            probe.sp_end,
            probe.desc,
            probe.end,
        )
        return True

    def _coordinated(self, u: _Unit, fr: _Frame, lo: int, earlier: Sequence[_Frame]) -> bool:
        """A cue coordinated with an earlier verb ("Merrill says … and said …"): its speaker
        is the earlier frame's, or the subject of the clause."""
        m = _COORDINATED.search(self.text, max(lo, fr.cue_start - 32), fr.cue_start)
        if m is None:
            return False
        between = m.group("between").split()
        if any(w.lower() not in _ADVERBS and w.lower() not in _AUX for w in between):
            return False
        return self._participle_subject(u, fr, lo, earlier)

    def _headline_cue(self, u: _Unit, cs: int, ce: int) -> bool:
        """A capitalised cue in a headline ("…, Lindsey Graham Says.", "Obama Says …")."""
        text = self.text
        if _TRAILING_TEXT.search(text, ce, u.end) is None:
            return True
        return _headline_caps(text, u.start, u.end)

    def _at_clause_start(self, u: _Unit, pos: int) -> bool:
        j = pos - 1
        while j >= u.start and self.text[j] in " \t\n":
            j -= 1
        return j < u.start or self.text[j] in ".!?:;—–-(\n" + _ALL_MARK_CHARS

    def _participle_frame(self, u: _Unit, fr: _Frame, lo: int, earlier: Sequence[_Frame]) -> bool:
        """Speaker of a participle cue: "…, saying …" or "footage of Clinton asking, “…”"."""
        text = self.text
        j = fr.cue_start - 1
        while j >= lo and text[j] in " \t":
            j -= 1
        if j < lo:
            return False
        if text[j] != ",":
            toks = _tokens(text, max(lo, fr.cue_start - SPEAKER_WINDOW), fr.cue_start)
            span = self.ctx.np_back(toks, len(toks) - 1)
            if span is None:
                return False
            last = toks[span[1]]
            if not (_is_name_token(last, self.lex) or last[2].lower() in _SUBJECT_PRONOUNS):
                return False
            fr.sp_start, fr.sp_end = toks[span[0]][0], toks[span[1]][1]
            return True
        return self._participle_subject(u, fr, lo, earlier)

    def _participle_subject(self, u: _Unit, fr: _Frame, lo: int, earlier: Sequence[_Frame]) -> bool:
        """The subject of the main clause: an earlier frame's speaker, or the clause's first
        noun phrase."""
        text = self.text
        j = fr.cue_start
        for prev in reversed(earlier[-3:]):
            if prev.sp_start is not None and prev.cue_start >= lo and not prev.passive:
                fr.sp_start, fr.sp_end = prev.sp_start, prev.sp_end
                return True
        toks = _tokens(text, lo, min(j, lo + SPEAKER_WINDOW))
        span = self._clause_subject(toks)
        if span is None:
            return False
        fr.sp_start, fr.sp_end = toks[span[0]][0], toks[span[1]][1]
        return True

    def _clause_subject(self, toks: Sequence[_Tok]) -> tuple[int, int] | None:
        """The subject at the start of a clause, after an introductory phrase ("During …,")."""
        idx = 0
        while idx < len(toks) and not _is_word(toks[idx]):
            idx += 1
        if idx >= len(toks):
            return None
        lw = toks[idx][2].lower()
        if (
            lw in _LEADING_TRIM
            or lw in _NP_PREPS
            or lw in ("during", "following", "despite")
            or (lw.endswith(("ing", "ly")) and toks[idx][2][0].isupper())
        ):
            while idx < len(toks) and toks[idx][2] != ",":
                idx += 1
            idx += 1
            if idx >= len(toks) or idx > MAX_DESCRIPTION_WORDS + 2:
                return None
            lw = toks[idx][2].lower()
        t = toks[idx]
        if lw in _SUBJECT_PRONOUNS:
            return (idx, idx)
        k = idx
        if _is_name_token(t, self.lex):
            while k + 1 < len(toks) and (
                _is_name_token(toks[k + 1], self.lex) or toks[k + 1][2].lower() in _NAME_PARTICLES
            ):
                k += 1
            return (idx, k)
        if lw in _DETERMINERS or lw in _POSSESSIVES:
            while k + 1 < len(toks) and k - idx < 3 and _is_word(toks[k + 1]):
                w = toks[k + 1][2].lower()
                if w in _NP_STOP or w in _ADVERBS or w in _AUX or w in _BE or w in _NP_PREPS:
                    break
                k += 1
                if w.endswith("ed") or w in self.lex.cues:
                    k -= 1
                    break
            return (idx, k) if k > idx else None
        return None

    def _passive_ok(self, fr: _Frame, u: _Unit) -> bool:
        """ "It is said that …", "X was quoted as saying": kept when a clause follows."""
        text = self.text
        m = _BY_AGENT.match(text, fr.cue_end, u.end)
        if m is not None:
            fr.cls = CueClass(fr.cls.name, fr.cls.direct, fr.cls.bare_clause, False, False, False)
            return self.ctx.speaker_after(m.end(), u.end, fr)
        return text.startswith(" that", fr.cue_end)

    def _inversion_ok(self, u: _Unit, cs: int, lo: int) -> bool:
        """ "“…,” said X", ", said X,", or "Said X: “…”" at the start of a sentence."""
        text = self.text
        j = cs - 1
        while j >= u.start and text[j] in " \t\n":
            j -= 1
        return j < u.start or text[j] in ",—–" + _CLOSE_MARKS + "\"'"

    # -- content --

    def _after_content(self, u: _Unit, fr: _Frame, limit: int) -> tuple[int, int] | None:
        """The reported clause after the frame, or None."""
        text = self.text
        pos = fr.end
        stream = _TokenStream(text, pos, min(limit, pos + AFTER_WINDOW))
        toks = stream.toks
        has = stream.has
        that_at = None
        idx = 0
        while idx <= THAT_LOOKAHEAD_WORDS and (idx < len(toks) or has(idx)):
            t = toks[idx]
            w = t[2].lower()
            if w in ("that", "whether", "if", "how", "why", "what", "when") and (
                idx == 0 or w == "that"
            ):
                that_at = idx
                break
            if t[2] in (".", ";", ":", "!", "?") or t[2] in _ALL_MARK_CHARS:
                break
            idx += 1
        cls = fr.cls
        if that_at is not None:
            start = toks[that_at][1]
        elif has(0) and toks[0][2] in (":", ","):
            start = toks[0][1]
        elif cls.adjective or not cls.bare_clause:
            return None
        else:
            start = pos
            first = toks[0][2].lower() if has(0) else ""
            k = 0
            while has(k) and (toks[k][2] in _TIME_WORDS or toks[k][2] == ","):
                k += 1  # "said Tuesday the plan …": the day is not part of the content
            if k and has(k):
                start = toks[k][0]
                first = toks[k][2].lower()
            modifier = first in _MODIFIER_WORDS and not (
                (first == "as" and cls.needs_as)  # "described as “an intentional act”"
                or any(t[2] in _OPEN_MARKS or t[2] in "\"'" for t in stream.all())
            )
            if first in _NP_PREPS or modifier or (first == "to" and not cls.infinitive):
                return None  # "said as he entered the talks": a modifier, not content
            if (
                fr.cue_end == fr.end
                and text[fr.cue_start : fr.cue_end].lower() in _OBJECT_TAKERS
                and has(0)
                and (toks[0][2].lower() in _OBJECT_PRONOUNS or _is_cap(toks[0]))
            ):
                start = toks[0][1]  # "told reporters he would …": skip a short object
        s, e = _strip(text, start, limit)
        while s < e and text[s] in ",:":
            s = _first_char(text, s + 1, e)
        while e > s and text[e - 1] in " \t":
            e -= 1
        if _words_between(text, s, e, MIN_INDIRECT_WORDS) < MIN_INDIRECT_WORDS:
            return None
        if cls.needs_as:
            seg = text[s : min(e, s + NEEDS_AS_WINDOW)]
            if " as " not in seg and not any(c in seg for c in '“"”'):
                return None
        return (s, e)

    def _before_content(self, u: _Unit, fr: _Frame, lo: int) -> tuple[int, int] | None:
        """The reported clause before a closing frame ("…, sources said."), or None."""
        text = self.text
        j = fr.start - 1
        while j >= lo and text[j] in " \t\n":
            j -= 1
        if j < lo:
            return None
        k = j - 1 if text[j] == "'" and j > lo and text[j - 1] == "'" else j
        if text[j] in _CLOSE_MARKS + "\"'" and k > lo and text[k - 1] in ",?!—–":
            s, e = _strip(text, lo, j + 1)
        elif text[j] in ",—–":
            s, e = _strip(text, lo, j)
        else:
            return None
        if _words_between(text, s, e, MIN_INDIRECT_WORDS) < MIN_INDIRECT_WORDS:
            return None
        if _COMPLEMENTIZER_END.search(text, max(s, e - 12), e):
            return None  # "Russia feels that, the growth … is threatening": inside a clause
        return (s, e)

    def _attribute(self, units: Sequence[_Unit]) -> list[_Record]:
        text = self.text
        cue_matches = _find_cues(self.lex, text)
        cue_starts = [m[0] for m in cue_matches]
        opinions = list(self.lex._opinion.finditer(text))
        op_starts = [m.start() for m in opinions]
        records: list[_Record] = []
        pending: _Frame | None = None  # a frame ending in a colon, waiting for its quotation
        pending_unit = -1
        last_direct: dict[int, _Record] = {}  # unit index -> direct record ending it
        for u in units:
            a = bisect.bisect_left(cue_starts, u.start)
            b = bisect.bisect_left(cue_starts, u.end)
            oa = bisect.bisect_left(op_starts, u.start)
            ob = bisect.bisect_left(op_starts, u.end)
            if a == b and oa == ob and not u.quotes:
                pending = None  # nothing to attribute in this unit
                continue
            frames = self._frames(u, cue_matches[a:b], opinions[oa:ob])
            used_quotes: set[int] = set()
            unit_records: list[_Record] = []
            attached: set[int] = set()
            # 1. frames attached to quotations
            for fi, fr in enumerate(frames):
                if fr.sp_start is None and not fr.passive:
                    continue
                rec = self._attach(u, fr, used_quotes)
                if rec is not None:
                    attached.add(fi)
                    unit_records.append(rec)
            # 2. reported speech (outside the quotations already attributed)
            covered = _Intervals(
                [(r.parts[0][0], r.parts[-1][1]) for r in unit_records]
                + [(r.frame.start, r.frame.end) for r in unit_records if r.frame is not None]
            )
            free = [
                fr
                for fi, fr in enumerate(frames)
                if fi not in attached and not covered.contains(fr.cue_start)
            ]
            if free:
                for rec in self._reported(u, free):
                    if any(covered.overlaps(ps, pe) for ps, pe in rec.parts):
                        continue
                    unit_records.append(rec)
                    for ps, pe in rec.parts:
                        qi = bisect.bisect_left(u.opens, ps)
                        while qi < len(u.quotes) and u.quotes[qi].close <= pe:
                            q = u.quotes[qi]
                            if qi not in used_quotes and q.parts[-1][1] <= pe:
                                used_quotes.add(qi)
                                rec.children.append(
                                    _Record(
                                        "partial", list(q.parts), rec.frame, q.mark, u.index, u.para
                                    )
                                )
                            qi += 1
            # 3. quotations without a frame of their own
            for qi, q in enumerate(u.quotes):
                if qi in used_quotes:
                    continue
                if not self._standalone(u, q):
                    continue
                rec = _Record(
                    "direct" if _direct_like(text, q.parts[0]) else "partial",
                    list(q.parts),
                    None,
                    q.mark,
                    u.index,
                    u.para,
                )
                prev = records[-1] if records else None
                if pending is not None and pending_unit == u.index - 1 and qi == 0:
                    rec.frame = pending
                elif (
                    prev is not None
                    and prev.unit == u.index - 1
                    and prev.para == u.para
                    and prev.kind == "direct"
                    and prev.frame is not None
                    and prev.mark is not None
                    and prev is last_direct.get(u.index - 1)
                    and qi == 0
                    and not unit_records
                ):
                    prev.parts.extend(q.parts)
                    used_quotes.add(qi)
                    continue
                else:
                    src = self._inherit(records, u)
                    if src is not None:
                        rec.frame = src.frame
                        rec.inherited_from = src
                used_quotes.add(qi)
                unit_records.append(rec)
            # 4. a bare frame after an unattributed quotation ("“…” Smith said on Tuesday.")
            if not unit_records and frames and records:
                prev = records[-1]
                fr = frames[0]
                if (
                    prev.unit == u.index - 1
                    and prev.para == u.para
                    and (prev.frame is None or prev.inherited_from is not None)
                    and prev.mark is not None
                    and fr.sp_start is not None
                    and self._is_bare_frame(u, fr)
                ):
                    prev.frame = fr  # an explicit frame beats an inherited speaker
                    prev.inherited_from = None
            # colon frames wait for the next unit's quotation
            pending = None
            if frames and not unit_records:
                fr = frames[-1]
                if fr.sp_start is not None and text[u.start : u.end].rstrip().endswith(":"):
                    pending, pending_unit = fr, u.index
            unit_records.sort(key=lambda r: r.parts[0][0])
            for rec in unit_records:
                records.append(rec)
                if rec.kind == "direct" and rec.mark is not None and rec.frame is not None:
                    last_direct[u.index] = rec
        return records

    def _is_bare_frame(self, u: _Unit, fr: _Frame) -> bool:
        """A unit that is only a frame: "Smith said on Tuesday." (no content of its own)."""
        text = self.text
        if _words_between(text, u.start, fr.start, 2) > 1:
            return False
        if _words_between(text, fr.end, u.end, 5) > 4:
            return False
        return u.end - fr.end < 80 and not any(c in text[fr.end : u.end] for c in ",;:")

    def _standalone(self, u: _Unit, q: _QSpan) -> bool:
        """A quotation that stands as a statement on its own (not a scare quote or title)."""
        text = self.text
        if not _direct_like(text, q.parts[0]):
            return False
        if not _only_gap(text, u.start, q.open) and _last_char(text, u.start, q.open) not in (
            ":",
            ".",
            "!",
            "?",
        ):
            # a quotation inside the author's sentence is a statement only after a colon
            # ("The message was clear: “…”")
            return False
        first, last = q.parts[0][0], q.parts[-1][1]
        ends = text[max(first, last - 3) : last].rstrip("”’\"' )").endswith(
            (".", "!", "?", "…", ",", "—", "-", ":")
        ) or (
            q.closed
            and _first_char_of(text, q.close, u.end) in (".", "!", "?")
            and _only_gap(text, q.close, u.end)
        )
        if ends:
            return True
        words = [
            m.group() for m, _ in zip(_WORDS.finditer(text, first, last), range(8), strict=False)
        ]
        # four words or more make a statement, unless they are all capitalised (a title such as
        # “The Wall Street Journal”)
        return len(words) >= 4 and not all(w[0].isupper() or w[0].isdigit() for w in words)

    def _inherit(self, records: Sequence[_Record], u: _Unit) -> _Record | None:
        """The previous speaker, where the text follows the one-speaker-per-run convention.

        A quotation without a cue inherits the speaker of the attribution just before it in the
        same paragraph (a quotation, or reported speech in the previous sentence), or of a
        direct quotation that ends the previous paragraph when this paragraph opens with the
        quotation (a run of quotation paragraphs).
        """
        if not records:
            return None
        prev = records[-1]
        src = prev.inherited_from or prev
        if src.frame is None or src.frame.sp_start is None:
            return None
        if prev.para == u.para and (prev.mark is not None or prev.unit == u.index - 1):
            return src
        if (
            prev.para == u.para - 1
            and prev.mark is not None
            and prev.kind == "direct"
            and u.quotes
            and _only_gap(self.text, u.start, u.quotes[0].open)
        ):
            return src
        return None

    def _attach(self, u: _Unit, fr: _Frame, used: set[int]) -> _Record | None:
        """A direct (or partial) quotation the frame is attached to."""
        text = self.text
        quotes = u.quotes
        if not quotes:
            return None
        chosen: list[int] = []
        # quotation before the frame: “…,” he said
        ib = bisect.bisect_right(u.closes, fr.start) - 1
        if (
            fr.cls.direct
            and ib >= 0
            and ib not in used
            and _only_gap(text, quotes[ib].close, fr.start)
        ):
            chosen.append(ib)
            k = ib - 1
            while k >= 0 and k not in used and _only_gap(text, quotes[k].close, quotes[k + 1].open):
                chosen.insert(0, k)
                k -= 1
            first_open = quotes[chosen[0]].open
            if (
                not _only_gap(text, u.start, first_open)
                and _last_char(text, u.start, first_open) != ":"
            ):
                chosen = []  # the quotation is inside the author's sentence: not this frame's
        # quotation after the frame: he said, “…”
        ia = bisect.bisect_left(u.opens, fr.end)
        if ia < len(quotes) and ia not in used:
            q = quotes[ia]
            if (
                self._gap_ok(fr.end, q.open, bool(chosen))
                and (chosen or _only_gap(text, q.close, u.end))
                and (
                    chosen
                    or fr.cls.direct
                    or fr.cls.name in ("according_to", "opinion")
                    or _direct_like(text, q.parts[0])
                )
            ):
                chosen.append(ia)
                k = ia + 1
                while (
                    k < len(quotes)
                    and k not in used
                    and _only_gap(text, quotes[k - 1].close, quotes[k].open)
                ):
                    chosen.append(k)
                    k += 1
        if not chosen:
            return None
        parts: list[tuple[int, int]] = []
        for qi in chosen:
            parts.extend(quotes[qi].parts)
            used.add(qi)
        kind: Kind = "direct" if _direct_like(text, parts[0]) else "partial"
        return _Record(kind, parts, fr, quotes[chosen[0]].mark, u.index, u.para)

    def _gap_ok(self, start: int, end: int, continuing: bool) -> bool:
        """Text between a frame and its quotation: glue, "that", or a short modifier.

        After a first quotation (“…,” Schiff told Capital Download on Wednesday, “…”) the
        modifier may be longer.
        """
        text = self.text
        if _only_gap(text, start, end) or _GAP_GLUE.fullmatch(text, start, end):
            return True
        if end - start > MAX_GAP_CHARS:
            return False
        gap = text[start:end].rstrip()
        n = _words_between(text, start, end, GAP_WORDS_CONTINUING + 1)
        if continuing:
            # “…,” Trump said during a rally in Kenansville, N.C., “but …” / … this week. “…”
            if n > GAP_WORDS_CONTINUING or any(c in gap for c in _ALL_MARK_CHARS + ";"):
                return False
            return (
                gap.endswith((",", ":", ".")) or _GAP_CONJ.fullmatch(text, start, end) is not None
            )
        if not gap.endswith((",", ":")):
            return False
        return n <= GAP_WORDS and not any(c in gap for c in _ALL_MARK_CHARS + ".;")

    def _reported(self, u: _Unit, frames: Sequence[_Frame]) -> list[_Record]:
        """Reported speech in the unit: the frame that governs the sentence, and frames that
        follow it after a conjunction ("X agreed that …, but he said that …")."""
        text = self.text
        best: tuple[int, _Frame, list[tuple[int, int]]] | None = None
        afters: dict[int, tuple[int, int]] = {}
        for fi, fr in enumerate(frames):
            if fr.sp_start is None and not fr.passive:
                continue
            before = self._before_content(u, fr, u.start)
            after = self._after_content(u, fr, u.end)
            if after is not None:
                afters[fi] = after
            if (
                before is not None
                and after is not None
                and _INTRO_PHRASE.match(text, before[0], before[1])
            ):
                before = None  # "In a statement, the ministry said …": an introduction
            if before is not None:
                tail = text[fr.end : min(u.end, fr.end + 80)]
                if (
                    after is None
                    and _words_between(text, fr.end, u.end, 7) <= 6
                    and u.end - fr.end <= 80
                    and not any(c in tail for c in ",;:")
                ):
                    cand = (0, fr, [before])
                elif after is not None and _first_char_of(text, fr.end, u.end) == ",":
                    cand = (1, fr, [before, after])
                elif after is not None:
                    cand = (2, fr, [after])
                elif _MODIFIER_START.match(text, fr.end, u.end):
                    cand = (0, fr, [before])  # "…,” McConnell said in June 2012, citing …"
                else:
                    continue
            elif after is not None:
                cand = (2, fr, [after])
            else:
                continue
            if best is None or cand[0] < best[0]:
                best = cand
        if best is None:
            return []
        _, fr, parts = best
        out = [_Record("indirect", parts, fr, None, u.index, u.para)]
        # a later frame joined by a conjunction splits the clause in two
        for fi, fr2 in enumerate(frames):
            if fi not in afters or fr2.start <= fr.end or len(out) >= MAX_REPORTED_PER_UNIT:
                continue
            last = out[-1]
            ps, pe = last.parts[-1]
            if not ps < fr2.start < pe:
                continue
            m = _CONJ_BEFORE.search(text, max(ps, fr2.start - 16), fr2.start)
            if m is None:
                continue
            cut = _strip(text, ps, m.start())[1]
            if _words_between(text, ps, cut, MIN_INDIRECT_WORDS) < MIN_INDIRECT_WORDS:
                continue
            last.parts[-1] = (ps, cut)
            out.append(_Record("indirect", [afters[fi]], fr2, None, u.index, u.para))
        return out

    # -- resolution and records --

    def _finish(self, records: Sequence[_Record]) -> list[Quote]:
        text = self.text
        ctx = self.ctx
        out_quoted: list[Quote] = []
        out_indirect: list[Quote] = []
        descriptions: dict[str, str] = {}
        resolved: dict[tuple[int, int], tuple[str | None, str | None, str | None]] = {}

        def resolve(fr: _Frame) -> tuple[str | None, str | None, str | None]:
            assert fr.sp_start is not None and fr.sp_end is not None
            key = (fr.sp_start, fr.sp_end)
            if key in resolved:
                return resolved[key]
            res = self._resolve(fr)
            resolved[key] = res
            return res

        flat: list[_Record] = []
        for rec in records:
            flat.append(rec)
            flat.extend(rec.children)
        for rec in flat:
            fr = rec.frame
            speaker = description = speaker_kind = None
            sp_start = sp_end = None
            cue = cue_start = cue_end = None
            if fr is not None:
                cue, cue_start, cue_end = text[fr.cue_start : fr.cue_end], fr.cue_start, fr.cue_end
                if fr.sp_start is not None and fr.sp_end is not None:
                    sp_start, sp_end = fr.sp_start, fr.sp_end
                    speaker, description, speaker_kind = resolve(fr)
                    if fr.desc is not None:
                        description = " ".join(text[fr.desc[0] : fr.desc[1]].split())
                    if speaker is not None and speaker_kind == "person":
                        if not ctx.speakers or ctx.speakers[-1][1] != speaker:
                            ctx.speakers.append((sp_start, speaker))
                        if description:
                            descriptions[speaker] = description
                        else:
                            description = descriptions.get(speaker)
            parts = tuple([p for p in rec.parts if p[0] < p[1]])
            if not parts:
                continue
            q = Quote(
                kind=rec.kind,
                start=parts[0][0],
                end=parts[-1][1],
                speaker=speaker,
                speaker_start=sp_start,
                speaker_end=sp_end,
                cue=" ".join(cue.split()) if cue is not None else None,
                cue_start=cue_start,
                cue_end=cue_end,
                description=description,
                parts=parts,
                speaker_kind=speaker_kind,
                mark=rec.mark,
                inherited=rec.inherited_from is not None,
            )
            (out_indirect if rec.kind == "indirect" else out_quoted).append(q)
        result = _disjoint(out_quoted) + _disjoint(out_indirect)
        result.sort(key=lambda q: (q.start, q.kind != "indirect", q.end))
        return result

    def _resolve(self, fr: _Frame) -> tuple[str | None, str | None, str | None]:
        """(speaker name, description inside the mention, speaker kind) for a frame."""
        text = self.text
        lex = self.lex
        ctx = self.ctx
        assert fr.sp_start is not None and fr.sp_end is not None
        mention = text[fr.sp_start : fr.sp_end]
        low = mention.lower()
        if low in lex.pronouns:
            feats = lex.pronouns[low]
            number = feats.get("number")
            gender = feats.get("gender")
            if number == "plural" or gender == "neuter":
                return None, None, "pronoun"
            name = ctx.antecedent(fr.sp_start, gender if isinstance(gender, str) else None)
            return (name, None, "person") if name else (None, None, "pronoun")
        toks = [t for t in _tokens(text, fr.sp_start, fr.sp_end)]
        words = [t for t in toks if _is_word(t)]
        if not words:
            return " ".join(mention.split()), None, None
        if len(words) == 1 and low in lex.group_nouns:
            return " ".join(mention.split()), None, "group"  # "Officials said"
        if len(words) == 1 and low in lex.role_nouns:
            return " ".join(mention.split()), None, "person"
        # a trailing capitalised run is a name ("White House press secretary Josh Earnest",
        # "Russian Deputy Defense Minister Col. Gen. Alexander Fomin")
        k = len(words)
        while k > 0 and (
            _is_name_token(words[k - 1], lex)
            or (words[k - 1][2].lower() in _NAME_PARTICLES and k < len(words))
        ):
            k -= 1
        run = words[k:]
        lowers = [t for t in words if t[2][0].islower()]
        head = _bare(words[-1][2]).lower()
        modifier = k > 0 and words[k - 1][2].lower() in _NP_PREPS  # "sources in US"
        if run and not modifier:
            t = len(run) - 1
            while t >= 0 and _bare(run[t][2]) not in lex.titles:
                t -= 1
            name_part = run[t + 1 :]
            titled = t >= 0
            res = None
            if name_part:
                res = ctx.person_name(name_part[0][0], name_part[-1][1], {})
            single = (
                len(name_part) == 1
                and not (name_part[0][2].isupper() and len(name_part[0][2]) > 1)
                and _bare(name_part[0][2]) not in lex.organisation_words
                and not ctx.overlaps_actor(name_part[0][0], name_part[0][1])
                and (
                    titled
                    or k > 0
                    or ctx.full_name(fr.sp_start, _bare(name_part[0][2])) != _bare(name_part[0][2])
                    or len(run) == 1
                )
            )
            if res is not None or single:
                name = res[2] if res is not None else _bare(name_part[0][2])
                name = ctx.full_name(fr.sp_start, name)
                name_start = res[0] if res is not None else name_part[0][0]
                desc_toks = [t for t in words if t[1] <= name_start]
                desc = None
                if desc_toks and not all(
                    t[2].lower() in _DETERMINERS or _bare(t[2]) in _FUNCTION_CAPS for t in desc_toks
                ):
                    desc = " ".join(text[desc_toks[0][0] : desc_toks[-1][1]].split())
                return name, desc, "person"
        has_org = any(_bare(t[2]) in lex.organisation_words for t in words) or bool(
            run and ctx.overlaps_actor(run[0][0], run[-1][1])
        )
        name = " ".join(mention.split())
        if has_org or (run and not lowers):
            return name, None, "organisation"
        if head in lex.group_nouns or (head.endswith("s") and head not in lex.role_nouns):
            return name, None, "group"
        if head in lex.role_nouns:
            return name, None, "person"
        return name, None, "organisation"


def _find_cues(lex: SpeechVerbs, text: str) -> list[tuple[int, int, str]]:
    """(start, end, cue as written) of the cues in ``text``: ``lex._pattern.finditer(text)``.

    With ``lex._scan``, a cue after the first character is found after its non-word
    character; a cue that starts the text is matched on its own, and the scan goes on after it
    (the next cue cannot start where it ends, as both sides of a boundary would be word
    characters).
    """
    scan = lex._scan
    if scan is None:
        return [(m.start(), m.end(), m.group()) for m in lex._pattern.finditer(text)]
    out: list[tuple[int, int, str]] = []
    pos = 0
    first = lex._pattern.match(text)
    if first is not None:
        out.append((0, first.end(), first.group()))
        pos = first.end()
    out.extend([(m.start(1), m.end(1), m.group(1)) for m in scan.finditer(text, pos)])
    return out


def _disjoint(quotes: list[Quote]) -> list[Quote]:
    """Keep quotations whose spans do not overlap (first wins), in text order."""
    quotes.sort(key=lambda q: (q.start, q.end))
    out: list[Quote] = []
    for q in quotes:
        if out and q.start < out[-1].end:
            continue
        out.append(q)
    return out


def extract_quotes(
    text: str,
    *,
    verbs: SpeechVerbs | None = None,
    sentences_of_text: Sequence[Sentence] | None = None,
) -> list[Quote]:
    """Find quotations and reported speech in ``text`` and attribute them to speakers.

    Args:
        text: Any text (usually a cleaned article body). Never raises on odd input.
        verbs: A speech-cue lexicon (:func:`load_speech_verbs`); the packaged default when None.
        sentences_of_text: ``analysis.segment.sentences(text)``, when the caller has it already.

    Returns:
        Quotes in text order. Direct and partial quotations never overlap each other, nor do
        indirect ones; an indirect record may contain partial quotations, which are reported
        as well (with the same speaker and cue).
    """
    if not text or not text.strip():
        return []
    lex = verbs if verbs is not None else default_speech_verbs()
    return _Extractor(text, lex).run(sentences_of_text)


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
