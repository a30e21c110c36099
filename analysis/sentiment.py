"""Target-dependent sentiment: the polarity a text expresses toward each mention of an actor.

One score per sentence (or per article, as in GDELT's tone) cannot tell apart "Washington
abandoned Pakistan while Moscow stood by it" for the two capitals. Here every mention is scored on
its own *scope*, a window of clause-like segments of its sentence: segments end at clause
punctuation (commas, semicolons, dashes, brackets, quote marks) and at contrast conjunctions
(but, while, whereas, although, ...). The mention's own segment counts fully, a neighbouring one
at distance d counts 1 / (1 + d), one across a contrast conjunction a quarter of that, and
segments more than :data:`MAX_SEGMENT_DISTANCE` away not at all. A mention that is the speaker
of a reporting verb ("..., Lavrov said") is scored on its own segment only: a quotation's
attitude is aimed at its topic, not at its speaker. The mention's own words are never scored
("Freedom Party" is a name, not praise). The weighted mean of the evidence is shrunk toward
neutral by :data:`NEUTRAL_PRIOR`. (Target scoping by clause follows the "VADER on the target's
clause" baseline of NewsMTSC, Hamborg & Donnay 2021; the weighting is this module's.)

Each segment is scored by an existing analyser whose lexicon is extended with a documented
domain lexicon for international relations (``analysis/data/sentiment_lexicon.tsv``):

* ``"textblob"`` (default): TextBlob's PatternAnalyzer (De Smedt & Daelemans 2012), which needs no
  NLTK corpora. The domain entries are written into a copy of its own lexicon with
  ``textblob.en.Sentiment.annotate`` and scored by its own ``assessments``, so its negation ("not
  good" = slightly bad) and intensifiers ("very good") apply to them. TextBlob's negation misses
  "isn't", "no longer" and "has not been good" and stops after one word; the tokenizer here splits
  contractions, rewrites negation cues to a plain "not" next to the word they negate, and repeats
  the cue before the next few known words ("not a reliable partner").
* ``"vader"``: vaderSentiment (Hutto & Gilbert 2014), whose ``lexicon`` dict (a copy) is extended
  the same way (domain polarity times :data:`VADER_SCALE`); its own negation handling applies.
* ``"learned"``: the linear model of :mod:`analysis.learned`, imported only when asked for (the
  fast option).
* ``"transformer"``: fine-tuned MiniLM served by ONNX Runtime without torch
  (:mod:`analysis.transformer`), the default of the pipeline and the reports.

One definition of polarity and label for every backend (:func:`label_for`): the label is the
polarity's sign class outside the backend's neutral band, which always covers
±:data:`MIN_NEUTRAL_BAND`. The model backends' label is their most probable class; their polarity
is that class's probability signed by it (over 1/3 in size) or, when neutral wins, the neutral
mention's lean toward the more probable polar class (within ±1/4), so their label is the sign
class of the polarity outside ±0.3 (:func:`analysis.learned.signed_probability`).

Further backends can be added with :func:`register_backend`. Accuracy on NewsMTSC is measured by
``python -m analysis evaluate sentiment`` (:mod:`analysis.evaluate_sentiment`).
"""

from __future__ import annotations

import bisect
import functools
import importlib
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from analysis.errors import AnalysisError, LexiconError
from analysis.resources import read_text_resource, text_digest
from analysis.segment import sentences as split_sentences

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BackendUnavailableError",
    "SentimentLexicon",
    "TargetSentiment",
    "actor_summary",
    "available_backends",
    "default_sentiment_lexicon",
    "label_for",
    "load_sentiment_lexicon",
    "register_backend",
    "target_sentiment",
]

#: File name of the packaged domain lexicon in ``analysis/data``.
DEFAULT_LEXICON = "sentiment_lexicon.tsv"

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")

# --- Label thresholds ----------------------------------------------------------------------------
# Tuned on NewsMTSC dev-rw (343 targets; grid 0.000-0.300 by 0.025, macro-F1) once the method was
# fixed; the train split confirmed the optimum is a plateau rather than a spike.
#: TextBlob polarity above this is "positive" (dev-rw optimum 0.025, macro-F1 65.1; 0.0 gives
#: 64.8 and 0.1 gives 62.6): any net positive evidence beyond rounding.
TEXTBLOB_POSITIVE_THRESHOLD = 0.025
#: TextBlob polarity below this is "negative" (dev-rw optimum 0.0): negative targets are as common
#: as neutral ones in news, and negative portrayal is often worded mildly.
TEXTBLOB_NEGATIVE_THRESHOLD = 0.0
#: VADER polarity above this is "positive" (dev-rw optimum 0.15, macro-F1 63.7; train plateau
#: 0.125-0.15): VADER rates many polite or hedging words mildly positive.
VADER_POSITIVE_THRESHOLD = 0.15
#: VADER polarity below this is "negative" (dev-rw optimum 0.0, as for TextBlob).
VADER_NEGATIVE_THRESHOLD = 0.0

# --- Lexicon scales ------------------------------------------------------------------------------
#: Domain polarities are on TextBlob's [-1, 1] scale and VADER's word valences on -4..4, so the
#: ends of the two scales are matched.
VADER_SCALE = 4.0
#: Subjectivity given to domain entries in TextBlob (only TextBlob's subjectivity output uses it;
#: evaluative news vocabulary is mid-way between fact and opinion).
DOMAIN_SUBJECTIVITY = 0.5

# --- Scope ---------------------------------------------------------------------------------------
#: Punctuation that ends a segment (commas, semicolons, colons, dashes, brackets, quote marks).
#: The full stop is not one: sentences are split beforehand, so a "." inside one is an
#: abbreviation ("U.S.", "Gen.").
SEGMENT_PUNCTUATION = frozenset(',;:()[]{}—–"“”‘’«»!?…') | {"--"}
#: Conjunctions that open a contrasting clause ("Washington abandoned Pakistan *while* Moscow
#: stood by it"): they end a segment, and segments beyond one weigh less (CONTRAST_WEIGHT).
#: "yet" is left out: in news it is mostly the adverb of "not yet", "has yet to".
CONTRAST_CONJUNCTIONS = frozenset(
    {"but", "while", "whilst", "whereas", "although", "though", "however", "unlike"}
)
#: Segments farther than this from the target's own segment are outside the scope: beyond about
#: three commas a long sentence has usually moved on to another topic.
MAX_SEGMENT_DISTANCE = 3
#: A segment at distance d from the target's counts 1 / (1 + d * DISTANCE_DECAY): the target's
#: own clause says most about it, its neighbours (appositions, reported clauses) still a lot.
DISTANCE_DECAY = 1.0
#: Extra factor for segments across a contrast conjunction from the target: the contrasted clause
#: is usually about someone else (kept above 0 because "but" also joins two claims about one actor).
CONTRAST_WEIGHT = 0.25
#: Pseudo-count of neutral evidence added to the weighted average, so a single weak or distant
#: word does not make a target strongly polar (a Bayesian shrinkage toward neutral).
NEUTRAL_PRIOR = 0.5
#: Reporting verbs. A target next to one is a speaker ("Putin said", "said Putin", "according to
#: Putin"); its scope is its own segment only, because the attitude of a quotation is the
#: speaker's, aimed at the quotation's topic, not at the speaker.
SPEECH_VERBS = frozenset(
    {
        "said",
        "says",
        "say",
        "told",
        "tells",
        "added",
        "adds",
        "wrote",
        "writes",
        "tweeted",
        "tweets",
        "stated",
        "explained",
        "explains",
        "noted",
        "notes",
        "asked",
        "asks",
        "replied",
        "responded",
        "continued",
        "recalled",
        "declared",
        "declares",
        "announced",
        "announces",
        "according",
    }
)
#: Words allowed between a speaker and the reporting verb ("Putin *also* said", "he *has* said").
SPEAKER_GAP_WORDS = frozenset(
    {"also", "later", "then", "has", "had", "have", "previously", "once", "recently"}
)

# --- Negation ------------------------------------------------------------------------------------
#: Single-word negation cues (contractions are split first: "isn't" -> "is" + "not").
NEGATION_WORDS = frozenset({"not", "no", "never", "n't", "cannot", "nor", "neither", "without"})
#: Multi-word negation cues, rewritten to "not".
NEGATION_PHRASES: tuple[tuple[str, ...], ...] = (
    ("no", "longer"),
    ("not", "any", "longer"),
    ("not", "anymore"),
)
#: Phrases that start with a negation cue but do not negate ("not only ... but also", "no doubt");
#: they are dropped from the scored words.
NON_NEGATION_PHRASES: tuple[tuple[str, ...], ...] = (
    ("not", "only"),
    ("not", "just"),
    ("not", "least"),
    ("no", "doubt"),
    ("no", "less", "than"),
    ("not", "to", "mention"),
)
#: TextBlob negates only the first known word after a cue; the cue is repeated before the next
#: known words up to this many words after it, so "not a reliable partner" negates both words.
NEGATION_SCOPE_WORDS = 4
#: Words skipped between a negation cue and the word it negates, so TextBlob (which keeps a
#: negation only across one-letter words) sees "has not been helpful" as "not helpful".
NEGATION_SKIP = frozenset(
    {
        "be",
        "been",
        "being",
        "is",
        "are",
        "was",
        "were",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "a",
        "an",
        "the",
        "so",
        "as",
        "that",
        "too",
        "at",
        "all",
        "any",
        "ever",
        "even",
        "only",
        "yet",
        "to",
        "entirely",
        "fully",
        "always",
        "quite",
    }
)
#: Longest domain phrase, in words, that is looked up.
MAX_PHRASE_WORDS = 4

_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|--|[^\w\s]")
_NT_SUFFIXES = ("n't", "n’t")
_POSSESSIVE = ("'s", "’s")
_SPECIAL_NT = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}


class BackendUnavailableError(AnalysisError, ImportError):
    """A registered sentiment backend that cannot be loaded (e.g. its module is missing)."""


@dataclass(frozen=True, slots=True)
class TargetSentiment:
    """The sentiment expressed toward one target span.

    Attributes:
        start: Start offset of the target in the text.
        end: End offset (exclusive).
        polarity: Polarity toward the target in [-1, 1].
        label: "negative", "neutral" or "positive".
        scope: The text that was scored (``text[scope_start:scope_end]``).
        scope_start: Start offset of the scope.
        scope_end: End offset of the scope (exclusive).
        backend: The backend that produced the score.
    """

    start: int
    end: int
    polarity: float
    label: str
    scope: str
    scope_start: int
    scope_end: int
    backend: str


@dataclass(frozen=True, slots=True)
class SentimentLexicon:
    """A domain sentiment lexicon: word or phrase forms with polarity on TextBlob's scale.

    Attributes:
        entries: ``(form, polarity)`` pairs; multi-word forms are joined with "_" and a polarity
            of 0 removes the form from the analysers' own lexicons.
        version: Digest(s) of the file(s) it was read from.
        sources: The files it was read from.
    """

    entries: tuple[tuple[str, float], ...]
    version: str
    sources: tuple[str, ...]

    def __hash__(self) -> int:  # the entries are long: hash by the version digest
        return hash((self.version, len(self.entries)))

    def as_dict(self) -> dict[str, float]:
        """``form -> polarity`` (later entries override earlier ones)."""
        return dict(self.entries)


# --- Lexicon loading -----------------------------------------------------------------------------

_CLASSES = {"verb", "noun", "adj", "adv", "phrase", "other"}


def _verb_forms(word: str) -> list[str]:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        third = word + "es"
    elif len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        third = word[:-1] + "ies"
    else:
        third = word + "s"
    if word.endswith("e"):
        past, ing = word + "d", (word if word.endswith("ee") else word[:-1]) + "ing"
    elif len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        past, ing = word[:-1] + "ied", word + "ing"
    else:
        past, ing = word + "ed", word + "ing"
    return [third, past, ing]


def _noun_forms(word: str) -> list[str]:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word + "es"]
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    return [word + "s"]


def _expand(term: str, cls: str) -> list[str]:
    alternatives = [" ".join(a.split()) for a in term.split("|") if a.strip()]
    forms = list(alternatives)
    base = alternatives[0]
    head, _, rest = base.partition(" ")
    tail = f" {rest}" if rest else ""
    if cls == "verb":
        forms += [f + tail for f in _verb_forms(head)]
    elif cls == "noun":
        last = base.rsplit(" ", 1)
        prefix = f"{last[0]} " if len(last) == 2 else ""
        forms += [prefix + f for f in _noun_forms(last[-1])]
    return [f.replace(" ", "_") for f in dict.fromkeys(forms)]


def _parse_lexicon(text: str, source: str) -> list[tuple[str, float]]:
    entries: list[tuple[str, float]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = raw.rstrip("\r\n").split("\t")
        if len(cols) < 2:
            raise LexiconError(source, "expected tab-separated columns: term, polarity", lineno)
        term = cols[0].strip().lower()
        if not term or not re.fullmatch(
            r"[^\s|_]+(?: [^\s|_]+)*(?:\|[^\s|_]+(?: [^\s|_]+)*)*", term
        ):
            raise LexiconError(source, f"malformed term {cols[0]!r}", lineno)
        try:
            polarity = float(cols[1])
        except ValueError:
            raise LexiconError(source, f"polarity {cols[1]!r} is not a number", lineno) from None
        if not -1.0 <= polarity <= 1.0:
            raise LexiconError(source, f"polarity {polarity} is outside [-1, 1]", lineno)
        cls = cols[2].strip().lower() if len(cols) > 2 and cols[2].strip() else "other"
        if cls not in _CLASSES:
            raise LexiconError(
                source, f"class {cls!r} is not one of {', '.join(sorted(_CLASSES))}", lineno
            )
        if any(len(a.split()) > MAX_PHRASE_WORDS for a in term.split("|")):
            raise LexiconError(source, f"phrases are at most {MAX_PHRASE_WORDS} words", lineno)
        entries.extend((form, polarity) for form in _expand(term, cls))
    return entries


def _read_user_file(path: str | Path) -> tuple[str, str]:
    source = str(path)
    try:
        return Path(path).read_text(encoding="utf-8"), source
    except FileNotFoundError:
        raise LexiconError(source, "file not found") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(source, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise LexiconError(source, f"cannot read ({exc.strerror})") from None


@functools.lru_cache(maxsize=1)
def default_sentiment_lexicon() -> SentimentLexicon:
    """The packaged domain lexicon (parsed once per process)."""
    text = read_text_resource(DEFAULT_LEXICON)
    source = f"analysis/data/{DEFAULT_LEXICON}"
    return SentimentLexicon(tuple(_parse_lexicon(text, source)), text_digest(text), (source,))


def load_sentiment_lexicon(
    path: str | Path | None = None, *, mode: Literal["extend", "replace"] = "extend"
) -> SentimentLexicon:
    """Load the domain sentiment lexicon, optionally with a user's own TSV file.

    Args:
        path: A TSV file in the format of ``analysis/data/sentiment_lexicon.tsv`` (see its header),
            or None for the packaged default.
        mode: ``"extend"``: the user's entries are added to (and override) the default ones;
            ``"replace"``: the user's file alone.

    Returns:
        The lexicon.

    Raises:
        LexiconError: A missing or malformed file (names the file and line).
        ValueError: An unknown ``mode``.
    """
    if mode not in ("extend", "replace"):
        raise ValueError(f"mode must be 'extend' or 'replace', not {mode!r}")
    base = default_sentiment_lexicon()
    if path is None:
        return base
    text, source = _read_user_file(path)
    entries = tuple(_parse_lexicon(text, source))
    if mode == "replace":
        return SentimentLexicon(entries, text_digest(text), (source,))
    return SentimentLexicon(
        base.entries + entries, f"{base.version}+{text_digest(text)}", (*base.sources, source)
    )


# --- Tokens and scope ----------------------------------------------------------------------------


_WORD, _PUNCT, _CONTRAST = 0, 1, 2


_TOKEN_KIND = {w: _PUNCT for w in SEGMENT_PUNCTUATION} | {
    w: _CONTRAST for w in CONTRAST_CONJUNCTIONS
}


class _Sentence:
    """Tokens of one sentence as parallel lists, with its segments (clause-like stretches between
    punctuation and contrast conjunctions) and a cache of each segment's scored forms."""

    __slots__ = ("bounds", "contrast", "ends", "forms", "norms", "seg_hi", "seg_lo", "starts")

    def __init__(self, text: str, start: int, end: int) -> None:
        chunk = text[start:end]
        lower = chunk.lower()
        if len(lower) != len(chunk):  # rare letters whose lower case is longer ("İ")
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in chunk)
        matches = list(_TOKEN.finditer(lower))
        norms = [m.group() for m in matches]
        starts = [m.start() + start for m in matches]
        ends = [m.end() + start for m in matches]
        special = [k for k, w in enumerate(norms) if w in NEGATION_WORDS or "'" in w or "’" in w]
        for k in reversed(special):  # right to left, so earlier indices stay valid
            word, s, e = norms[k], starts[k], ends[k]
            if len(word) > 3 and word.endswith(_NT_SUFFIXES):  # "isn't" -> "is" "not"
                stem = word[:-3]
                norms[k : k + 1] = [_SPECIAL_NT.get(stem, stem), "not"]
                starts[k : k + 1] = [s, e - 3]
                ends[k : k + 1] = [e - 3, e]
            elif word == "cannot":
                norms[k : k + 1] = ["can", "not"]
                starts[k : k + 1] = [s, s + 3]
                ends[k : k + 1] = [s + 3, e]
            elif len(word) > 2 and word.endswith(_POSSESSIVE):
                norms[k] = word[:-2]
            elif word in NEGATION_WORDS:
                norms[k] = "not"
        bounds = [k for k, w in enumerate(norms) if w in _TOKEN_KIND]
        self.starts, self.ends, self.norms, self.bounds = starts, ends, norms, bounds
        # Segment j spans tokens [seg_lo[j], seg_hi[j]); contrast[j]: it follows a contrast word.
        self.seg_lo = [0, *(k + 1 for k in bounds)]
        self.seg_hi = [*bounds, len(norms)]
        self.contrast = [False, *(_TOKEN_KIND[norms[k]] == _CONTRAST for k in bounds)]
        self.forms: dict[int, tuple[str, ...]] = {}

    def is_speaker(self, first: int, last: int) -> bool:
        """True when tokens ``first..last`` (a mention) are the subject or inverted subject of a
        reporting verb ("Putin said", "Putin also told", "said Putin", "according to Putin")."""
        norms, n = self.norms, len(self.norms)
        k = last + 1
        while k < n and k <= last + 2 and norms[k] in SPEAKER_GAP_WORDS:
            k += 1
        if k < n and norms[k] in SPEECH_VERBS:
            return True
        if first >= 1 and norms[first - 1] in SPEECH_VERBS:
            return True
        return first >= 2 and norms[first - 1] == "to" and norms[first - 2] == "according"

    def scope(
        self, first: int, last: int, phrases: Mapping[tuple[str, ...], str], firsts: frozenset[str]
    ) -> tuple[list[tuple[tuple[str, ...], float]], int, int]:
        """Weighted segments around the mention at tokens ``first..last``, and the token range
        ``[lo, hi)`` they cover."""
        j_lo = bisect.bisect_left(self.bounds, first)  # boundaries before the mention
        j_hi = bisect.bisect_left(self.bounds, last)
        if self.is_speaker(first, last):
            j_from, j_to = j_lo, j_hi
        else:
            j_from = max(0, j_lo - MAX_SEGMENT_DISTANCE)
            j_to = min(len(self.seg_lo) - 1, j_hi + MAX_SEGMENT_DISTANCE)
        out: list[tuple[tuple[str, ...], float]] = []
        contrast = False
        for j in range(j_lo - 1, j_from - 1, -1):  # leftwards: contrast if any boundary crossed
            contrast = contrast or self.contrast[j + 1]
            self._add(out, j, j_lo - j, contrast, phrases, firsts)
        out.reverse()
        for j in range(j_lo, j_hi + 1):  # the mention's own segment(s), mention words left out
            lo, hi = self.seg_lo[j], self.seg_hi[j]
            norms = [self.norms[k] for k in range(lo, hi) if k < first or k > last]
            if norms:
                out.append((tuple(_forms(norms, phrases, firsts)), 1.0))
        contrast = False
        for j in range(j_hi + 1, j_to + 1):
            contrast = contrast or self.contrast[j]
            self._add(out, j, j - j_hi, contrast, phrases, firsts)
        return out, min(self.seg_lo[j_from], first), max(self.seg_hi[j_to], last + 1)

    def _add(
        self,
        out: list[tuple[tuple[str, ...], float]],
        j: int,
        distance: int,
        contrast: bool,
        phrases: Mapping[tuple[str, ...], str],
        firsts: frozenset[str],
    ) -> None:
        forms = self.forms.get(j)
        if forms is None:
            forms = tuple(_forms(self.norms[self.seg_lo[j] : self.seg_hi[j]], phrases, firsts))
            self.forms[j] = forms
        if forms:
            weight = (CONTRAST_WEIGHT if contrast else 1.0) / (1.0 + distance * DISTANCE_DECAY)
            out.append((forms, weight))


@dataclass(frozen=True, slots=True)
class _Scope:
    segments: tuple[tuple[tuple[str, ...], float], ...]  # (scored forms, weight) per segment
    start: int
    end: int


@functools.lru_cache(maxsize=8)
def _phrase_index(
    lexicon: SentimentLexicon,
) -> tuple[dict[tuple[str, ...], str], frozenset[str]]:
    """The lexicon's multi-word forms keyed by their words as the tokenizer normalises them
    ("no confidence" -> ("not", "confidence")), and the words that can start a phrase."""
    phrases = {
        tuple("not" if w in NEGATION_WORDS else w for w in form.split("_")): form
        for form, _ in lexicon.entries
        if "_" in form
    }
    firsts = frozenset(p[0] for p in phrases) | {"not"}
    return phrases, firsts


def _forms(
    norms: Sequence[str], phrases: Mapping[tuple[str, ...], str], firsts: frozenset[str]
) -> list[str]:
    """Scored word forms: phrases joined with "_", negation phrases as "not", skips after "not"."""
    out: list[str] = []
    i, n = 0, len(norms)
    while i < n:
        w = norms[i]
        matched = False
        if w in firsts:
            for size in range(min(MAX_PHRASE_WORDS, n - i), 1, -1):
                cand = tuple(norms[i : i + size])
                if cand in _NEGATION_PHRASE_SET:
                    out.append("not")
                    i += size
                    matched = True
                    break
                if cand in _NON_NEGATION_PHRASE_SET:
                    i += size
                    matched = True
                    break
                if cand in phrases:
                    out.append(phrases[cand])
                    i += size
                    matched = True
                    break
        if matched:
            continue
        if (w in NEGATION_SKIP and out and out[-1] == "not") or not w[0].isalpha():
            i += 1  # skipped after a negation, or a number or symbol (never scored)
            continue
        out.append(w)
        i += 1
    return out


_NEGATION_PHRASE_SET = frozenset(
    tuple("not" if w in NEGATION_WORDS else w for w in p) for p in NEGATION_PHRASES
)
_NON_NEGATION_PHRASE_SET = frozenset(
    tuple("not" if w in NEGATION_WORDS else w for w in p) for p in NON_NEGATION_PHRASES
)


# --- Backends ------------------------------------------------------------------------------------

#: A backend scores ``spans`` of ``text`` and returns ``(polarity, label, scope_start, scope_end)``
#: per span.
Backend = Callable[
    [str, Sequence[tuple[int, int]], SentimentLexicon], list[tuple[float, str, int, int]]
]


#: Every backend's neutral band holds at least this much either side of zero: a polarity that a
#: report shows as 0.00 (two decimals) is never labelled polar.
MIN_NEUTRAL_BAND = 0.005


def label_for(polarity: float, negative_threshold: float, positive_threshold: float) -> str:
    """The label of a polarity, the one definition for every backend: its sign class outside
    the neutral band. "positive" above ``positive_threshold``, "negative" below
    ``negative_threshold``, else "neutral"; the band always covers ±:data:`MIN_NEUTRAL_BAND`.
    (The model backends' polarity is the winning class's signed probability, |p| > 1/3, or a
    neutral mention's lean, |p| <= 1/4, so their labels are the sign classes of their
    polarities with any band between ±1/4 and ±1/3.)"""
    if polarity > max(positive_threshold, MIN_NEUTRAL_BAND):
        return "positive"
    if polarity < min(negative_threshold, -MIN_NEUTRAL_BAND):
        return "negative"
    return "neutral"


@functools.lru_cache(maxsize=8)
def _textblob_analyzer(lexicon: SentimentLexicon) -> Any:
    """TextBlob's English sentiment lexicon (a fresh copy) with the domain entries annotated in."""
    from analysis._pattern import textblob_en

    tbe = textblob_en()

    class _Loaded(tbe.Sentiment):  # type: ignore[name-defined]
        # Loaded eagerly below, so plain dict lookups replace the lazy-loading wrappers
        # (which cost a Python call per word).
        __contains__ = dict.__contains__
        __getitem__ = dict.__getitem__
        get = dict.get

    base = tbe.sentiment
    analyzer = _Loaded(
        path=base.path,
        synset="wordnet_id",
        negations=("not",),
        modifiers=("RB",),
        modifier=base.modifier,
        tokenizer=base.tokenizer,
    )
    analyzer.load()
    for form, polarity in lexicon.entries:
        dict.pop(analyzer, form, None)
        if polarity != 0.0:
            analyzer.annotate(form, None, polarity, DOMAIN_SUBJECTIVITY, 1.0)
    return analyzer


def _textblob_polarity(text: str, lexicon: SentimentLexicon) -> float:
    """Polarity of ``text`` by the domain-annotated TextBlob analyser: Pattern's
    ``Sentiment(text)``, which tokenizes with Pattern's ``find_tokens`` and averages its
    assessments (a copy of the tokenizer was faster, but by less than the 20% of a whole run
    that would pay for keeping a copy: issue 17)."""
    return float(_textblob_analyzer(lexicon)(text)[0])


@functools.lru_cache(maxsize=8)
def _vader_analyzer(lexicon: SentimentLexicon) -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for form, polarity in lexicon.entries:
        analyzer.lexicon.pop(form, None)
        if polarity != 0.0:
            analyzer.lexicon[form] = polarity * VADER_SCALE
    return analyzer


def _scopes(text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon) -> list[_Scope]:
    """The scope of each span: weighted segments of scored forms and the character offsets."""
    sents = split_sentences(text)
    sent_starts = [x.start for x in sents]
    cache: dict[tuple[int, int], _Sentence] = {}
    phrases, firsts = _phrase_index(lexicon)
    out: list[_Scope] = []
    for start, end in spans:
        i = bisect.bisect_right(sent_starts, start) - 1
        if i >= 0 and sents[i].end > start:
            lo_c = sents[i].start
            j = i
            while j + 1 < len(sents) and sents[j].end < end:
                j += 1
            hi_c = max(end, sents[j].end)
        else:  # between sentences or in whitespace: the line around the span
            lo_c = text.rfind("\n", 0, start) + 1
            nl = text.find("\n", end)
            hi_c = max(end, len(text) if nl < 0 else nl)
        sent = cache.get((lo_c, hi_c))
        if sent is None:
            sent = cache[(lo_c, hi_c)] = _Sentence(text, lo_c, hi_c)
        first = bisect.bisect_right(sent.ends, start)  # first token ending after the start
        last = bisect.bisect_left(sent.starts, end) - 1  # last token starting before the end
        if first > last:  # the span holds no token (only spaces or symbols)
            out.append(_Scope((), start, end))
            continue
        segs, tok_lo, tok_hi = sent.scope(first, last, phrases, firsts)
        norms = sent.norms
        while tok_lo < first and not norms[tok_lo][0].isalnum():  # trim edge punctuation
            tok_lo += 1
        while tok_hi - 1 > last and not norms[tok_hi - 1][0].isalnum():
            tok_hi -= 1
        s0 = min(sent.starts[tok_lo], start)
        s1 = max(sent.ends[tok_hi - 1], end)
        out.append(_Scope(tuple(segs), s0, s1))
    return out


def _spread_negation(forms: Sequence[str], known: Any) -> list[str]:
    """Repeat a "not" before the known words that follow the first one after it (within
    NEGATION_SCOPE_WORDS words), leaving intensifier chains ("not really good") to TextBlob."""
    out: list[str] = []
    left, seen = 0, False
    for w in forms:
        if w == "not":
            out.append(w)
            left, seen = NEGATION_SCOPE_WORDS, False
            continue
        if left > 0:
            left -= 1
            if w in known:
                if "RB" in known[w]:
                    pass  # an intensifier: TextBlob ties it to the next word
                elif seen and out[-1] != "not":
                    out.append("not")
                else:
                    seen = True
        out.append(w)
    return out


def _combine(parts: Iterable[tuple[float, float, float]]) -> float:
    """Weighted mean of evidence ``(weight, sum of polarities, count)`` shrunk toward neutral."""
    num, den = 0.0, NEUTRAL_PRIOR
    for weight, total, count in parts:
        num += weight * total
        den += weight * count
    return num / den if den > 0 else 0.0


def _textblob_backend(
    text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon
) -> list[tuple[float, str, int, int]]:
    analyzer = _textblob_analyzer(lexicon)
    cache: dict[tuple[str, ...], tuple[float, float]] = {}
    out: list[tuple[float, str, int, int]] = []
    for scope in _scopes(text, spans, lexicon):
        parts = []
        for forms, weight in scope.segments:
            ev = cache.get(forms)
            if ev is None:
                # TextBlob's own assessments: known words with its negation and intensifiers.
                words = _spread_negation(forms, analyzer) if "not" in forms else forms
                found = analyzer.assessments([(w, None) for w in words], True)
                ev = (float(sum(a[1] for a in found)), float(len(found)))
                cache[forms] = ev
            parts.append((weight, ev[0], ev[1]))
        pol = max(-1.0, min(1.0, _combine(parts)))
        label = label_for(pol, TEXTBLOB_NEGATIVE_THRESHOLD, TEXTBLOB_POSITIVE_THRESHOLD)
        out.append((pol, label, scope.start, scope.end))
    return out


def _vader_backend(
    text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon
) -> list[tuple[float, str, int, int]]:
    analyzer = _vader_analyzer(lexicon)
    cache: dict[tuple[str, ...], float] = {}
    out: list[tuple[float, str, int, int]] = []
    for scope in _scopes(text, spans, lexicon):
        parts = []
        for forms, weight in scope.segments:
            compound = cache.get(forms)
            if compound is None:
                compound = float(analyzer.polarity_scores(" ".join(forms))["compound"])
                cache[forms] = compound
            if compound != 0.0:
                parts.append((weight, compound, 1.0))
        pol = max(-1.0, min(1.0, _combine(parts)))
        label = label_for(pol, VADER_NEGATIVE_THRESHOLD, VADER_POSITIVE_THRESHOLD)
        out.append((pol, label, scope.start, scope.end))
    return out


def _learned_loader() -> Backend:
    try:
        module = importlib.import_module("analysis.learned")
        score = module.score
    except (ImportError, AttributeError) as exc:
        raise BackendUnavailableError(
            f'sentiment backend "learned" is unavailable: analysis.learned could not be loaded '
            f"({exc}); use backend 'textblob' or 'vader'"
        ) from exc
    load_model = getattr(module, "load_model", None)
    if load_model is not None:
        try:
            load_model(None)  # fail here, with the reason, when the model file is missing
        except (AnalysisError, OSError) as exc:
            raise BackendUnavailableError(
                f'sentiment backend "learned" is unavailable: {exc}; '
                f"use backend 'textblob' or 'vader'"
            ) from exc

    def backend(
        text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon
    ) -> list[tuple[float, str, int, int]]:
        return [(float(p), str(lab), int(a), int(b)) for p, lab, a, b in score(text, list(spans))]

    return backend


def _transformer_loader() -> Backend:
    try:
        module = importlib.import_module("analysis.transformer")
        module.require_runtime()
        # fail here, with the file and the fix, when a packaged file is missing or corrupted
        module.score_batch([], model=module.load_model(), encoder=module.load_encoder())
    except (ImportError, AnalysisError, OSError) as exc:
        raise BackendUnavailableError(
            f'sentiment backend "transformer" is unavailable: {exc}; '
            f"use backend 'learned', 'textblob' or 'vader'"
        ) from exc

    def backend(
        text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon
    ) -> list[tuple[float, str, int, int]]:
        return [
            (float(p), str(lab), int(a), int(b)) for p, lab, a, b in module.score(text, list(spans))
        ]

    return backend


_REGISTRY: dict[str, Callable[[], Backend]] = {
    "textblob": lambda: _textblob_backend,
    "vader": lambda: _vader_backend,
    "learned": _learned_loader,
    "transformer": _transformer_loader,
}


def register_backend(name: str, loader: Callable[[], Backend]) -> None:
    """Register a sentiment backend under ``name``.

    Args:
        name: The backend name used in ``target_sentiment(..., backend=name)``.
        loader: A zero-argument callable returning the backend function, called only when the
            backend is first asked for (so heavy imports stay lazy). The backend function takes
            ``(text, spans, lexicon)`` and returns ``(polarity, label, scope_start, scope_end)``
            per span; raise :class:`BackendUnavailableError` from the loader when it cannot load.
    """
    _REGISTRY[name] = loader
    _load_backend.cache_clear()


def available_backends() -> tuple[str, ...]:
    """Names of the registered backends (some may need optional files; see their errors)."""
    return tuple(sorted(_REGISTRY))


@functools.cache
def _load_backend(name: str) -> Backend:
    return _REGISTRY[name]()


def _check_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    if not isinstance(text, str) or not text:
        raise ValueError("text is empty: there is nothing to score")
    n = len(text)
    if not isinstance(spans, list | tuple):  # an iterator is read once, here
        spans = list(spans)
    # the common case, checked in bulk: (int, int) tuples inside the text, none empty
    if set(map(type, spans)) == {tuple} and set(map(len, spans)) == {2}:
        starts = list(map(operator.itemgetter(0), spans))
        ends = list(map(operator.itemgetter(1), spans))
        if (
            set(map(type, starts)) | set(map(type, ends)) == {int}
            and min(starts) >= 0
            and max(ends) <= n
            and all(map(operator.lt, starts, ends))
        ):
            return list(spans)
    return _check_each_span(n, spans)


def _check_each_span(n: int, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """:func:`_check_spans` one span at a time, naming the first bad one (``n``: text length)."""
    checked: list[tuple[int, int]] = []
    for k, span in enumerate(spans):
        try:
            start, end = span
        except (TypeError, ValueError):
            raise ValueError(f"span #{k} {span!r} is not a (start, end) pair") from None
        if isinstance(start, bool) or isinstance(end, bool):
            raise ValueError(f"span #{k} {span!r}: offsets must be integers")
        if not isinstance(start, int | np.integer) or not isinstance(end, int | np.integer):
            raise ValueError(f"span #{k} {span!r}: offsets must be integers")
        start, end = int(start), int(end)
        if start > end:
            raise ValueError(f"span #{k} ({start}, {end}) is reversed (start > end)")
        if start == end:
            raise ValueError(f"span #{k} ({start}, {end}) is empty")
        if start < 0 or end > n:
            raise ValueError(f"span #{k} ({start}, {end}) is outside the text (length {n})")
        checked.append((start, end))
    return checked


def target_sentiment(
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    backend: str = "textblob",
    lexicon: SentimentLexicon | None = None,
) -> list[TargetSentiment]:
    """Score the sentiment expressed toward each target span of ``text``.

    Args:
        text: Any text: a sentence, a paragraph or a whole article body.
        spans: ``(start, end)`` character offsets of the targets (end exclusive), e.g. the
            mentions from :func:`analysis.actors.find_mentions`.
        backend: One of :func:`available_backends` ("textblob", "vader", "learned", ...).
        lexicon: The domain lexicon added to the analyser's own; the packaged default when None
            (ignored by backends that use no lexicon, such as "learned").

    Returns:
        One record per span, in the order given.

    Raises:
        ValueError: Empty text; a span that is empty, reversed or outside the text (the message
            names it); an unknown backend (the message lists the backends).
        BackendUnavailableError: A registered backend that cannot be loaded.

    Example:
        >>> text = "Washington abandoned Pakistan while Moscow stood by it."
        >>> [r.label for r in target_sentiment(text, [(0, 10), (36, 42)])]
        ['negative', 'positive']
    """
    if backend not in _REGISTRY:
        raise ValueError(
            f"unknown sentiment backend {backend!r}; available: {', '.join(available_backends())}"
        )
    checked = _check_spans(text, spans)
    if not checked:
        return []
    lex = lexicon if lexicon is not None else default_sentiment_lexicon()
    scored = _load_backend(backend)(text, checked, lex)
    out: list[TargetSentiment] = []
    for (start, end), (pol, label, s0, s1) in zip(checked, scored, strict=True):
        if not math.isfinite(pol):
            pol = 0.0
        pol = max(-1.0, min(1.0, pol))
        out.append(TargetSentiment(start, end, pol, label, text[s0:s1], s0, s1, backend))
    return out


# --- Actor summary -------------------------------------------------------------------------------

#: Bootstrap resamples for the 95% interval of the mean polarity (percentile method; 2,000 keeps
#: the interval ends stable to about 0.005 for news-sized groups).
N_BOOT = 2000
#: Seed of the bootstrap generator (fixed, so summaries are reproducible).
BOOT_SEED = 20180810
#: Two-sided level of the bootstrap percentile interval.
CI_LEVEL = 0.95
#: Resamples are drawn in blocks of at most this many numbers, bounding memory for large groups
#: (a fixed size, so the random stream and the result never depend on the machine).
BOOT_BLOCK = 1_000_000

SUMMARY_COLUMNS = (
    "mentions",
    "mean_polarity",
    "ci_low",
    "ci_high",
    "n_negative",
    "n_neutral",
    "n_positive",
    "most_negative",
    "most_negative_doc",
    "most_negative_sentence",
    "most_positive",
    "most_positive_doc",
    "most_positive_sentence",
)


def _bootstrap_ci(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (all finite)."""
    n = values.size
    if n == 0:
        return (math.nan, math.nan)
    if n == 1 or n_boot <= 0:
        v = float(values.mean())
        return (v, v)
    means = np.empty(n_boot)
    rows = max(1, BOOT_BLOCK // n)
    for b0 in range(0, n_boot, rows):
        b1 = min(n_boot, b0 + rows)
        means[b0:b1] = values[rng.integers(0, n, size=(b1 - b0, n), dtype=np.int32)].mean(axis=1)
    alpha = (1.0 - CI_LEVEL) / 2.0
    lo, hi = np.quantile(means, [alpha, 1.0 - alpha])
    return (float(lo), float(hi))


def _key_seed(key: Iterable[Any]) -> int:
    """A stable 32-bit integer from a group key (independent of Python's hash randomisation)."""
    return int(text_digest("\x1f".join(str(k) for k in key))[:8], 16)


def actor_summary(
    mentions: pd.DataFrame,
    *,
    by: Sequence[str] = ("doc_id", "actor"),
    n_boot: int = N_BOOT,
    seed: int = BOOT_SEED,
) -> pd.DataFrame:
    """Summarise the polarity toward each actor, per document or per corpus.

    Args:
        mentions: The pipeline's mentions table: at least ``actor``, ``polarity``, ``label`` and
            ``sentence`` (sentence index), plus the ``by`` columns; ``doc_id``, ``start`` and
            ``sentence_text`` (or else ``scope``) are used when present.
        by: Grouping columns: ``("doc_id", "actor")`` per document, ``("actor",)`` for the
            corpus; any other columns (e.g. ``voice``) work too.
        n_boot: Bootstrap resamples for the 95% interval of the mean polarity (percentile
            method; 0 gives the mean as both ends).
        seed: Seed of the bootstrap generator. Each group draws from its own stream, derived
            from the seed and the group key, so a group's interval does not depend on the other
            groups in the table.

    Returns:
        One row per group, sorted by ``by``: the ``by`` columns, then ``mentions`` (rows),
        ``mean_polarity``, ``ci_low``, ``ci_high`` (NaN polarities are left out of these),
        ``n_negative``, ``n_neutral``, ``n_positive`` (labels), ``most_negative`` (the evidence
        text of the lowest-polarity mention, only when that polarity is below 0, else None),
        ``most_negative_doc`` and ``most_negative_sentence`` (its document and sentence index),
        and the same three for ``most_positive``. Ties go to the earliest mention.

    Raises:
        ValueError: A required column is missing.
    """
    import pandas as pd

    by = list(by)
    if not by:
        raise ValueError("by must name at least one column")
    needed = dict.fromkeys([*by, "actor", "polarity", "label", "sentence"])
    missing = [c for c in needed if c not in mentions.columns]
    if missing:
        raise ValueError(f"mentions table lacks column(s): {', '.join(missing)}")
    if mentions.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*by, *SUMMARY_COLUMNS]})
    text_col = next((c for c in ("sentence_text", "scope") if c in mentions.columns), None)
    order_cols = [c for c in ("doc_id", "sentence", "start") if c in mentions.columns]
    df = mentions.reset_index(drop=True)
    df = df.sort_values(order_cols, kind="stable").reset_index(drop=True)
    codes = df.groupby(by, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    n_groups = int(codes.max()) + 1
    pol = pd.to_numeric(df["polarity"], errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(pol)
    labels = df["label"].astype(str).to_numpy()

    counts = np.bincount(codes, minlength=n_groups)
    n_finite = np.bincount(codes, weights=finite, minlength=n_groups)
    sums = np.bincount(codes, weights=np.where(finite, pol, 0.0), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n_finite > 0, sums / np.maximum(n_finite, 1), np.nan)
    label_counts = {
        lab: np.bincount(codes, weights=labels == lab, minlength=n_groups).astype(int)
        for lab in LABELS
    }

    # Rows grouped (stable, so mention order within a group is kept).
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n_groups + 1))
    first_rows = order[bounds[:-1]]
    key_frame = df.loc[first_rows, by].reset_index(drop=True)

    # Extremes: the earliest mention with the lowest (highest) finite polarity per group.
    masked_low = np.where(finite, pol, np.inf)
    masked_high = np.where(finite, -pol, np.inf)
    pos_in_order = np.arange(len(order))
    low_sorted = order[np.lexsort((pos_in_order, masked_low[order], codes[order]))]
    high_sorted = order[np.lexsort((pos_in_order, masked_high[order], codes[order]))]
    lowest = low_sorted[bounds[:-1]]
    highest = high_sorted[bounds[:-1]]

    ci_low = np.full(n_groups, np.nan)
    ci_high = np.full(n_groups, np.nan)
    keys = list(key_frame.itertuples(index=False, name=None))
    for g in range(n_groups):
        rows = order[bounds[g] : bounds[g + 1]]
        vals = pol[rows][finite[rows]]
        rng = np.random.default_rng([seed, _key_seed(keys[g])])
        ci_low[g], ci_high[g] = _bootstrap_ci(vals, n_boot, rng)

    texts = df[text_col].to_numpy(dtype=object) if text_col is not None else None
    doc_ids = df["doc_id"].to_numpy(dtype=object) if "doc_id" in df.columns else None
    sent_idx = df["sentence"].to_numpy()

    def evidence(idx: np.ndarray, sign: float) -> tuple[list[Any], list[Any], list[Any]]:
        ok = finite[idx] & (sign * pol[idx] > 0)
        out_t = [
            texts[i] if (k and texts is not None) else None for i, k in zip(idx, ok, strict=True)
        ]
        out_d = [
            doc_ids[i] if (k and doc_ids is not None) else None
            for i, k in zip(idx, ok, strict=True)
        ]
        out_s = [int(sent_idx[i]) if k else None for i, k in zip(idx, ok, strict=True)]
        return out_t, out_d, out_s

    neg_t, neg_d, neg_s = evidence(lowest, -1.0)
    pos_t, pos_d, pos_s = evidence(highest, 1.0)
    out = key_frame.copy()
    out["mentions"] = counts.astype(int)
    out["mean_polarity"] = means
    out["ci_low"] = ci_low
    out["ci_high"] = ci_high
    out["n_negative"] = label_counts["negative"]
    out["n_neutral"] = label_counts["neutral"]
    out["n_positive"] = label_counts["positive"]
    out["most_negative"] = pd.Series(neg_t, dtype=object)
    out["most_negative_doc"] = pd.Series(neg_d, dtype=object)
    out["most_negative_sentence"] = pd.Series(neg_s, dtype="Int64")
    out["most_positive"] = pd.Series(pos_t, dtype=object)
    out["most_positive_doc"] = pd.Series(pos_d, dtype=object)
    out["most_positive_sentence"] = pd.Series(pos_s, dtype="Int64")
    return out


def text_polarity(
    text: str, *, backend: str = "textblob", lexicon: SentimentLexicon | None = None
) -> tuple[float, str]:
    """Polarity and label of a whole text (a quotation's content, say), not of a target.

    TextBlob's or VADER's own analyser with the domain lexicon annotated in; the target-based
    ``"learned"`` backend has no whole-text reading, so it falls back to TextBlob's.

    Args:
        text: Any text.
        backend: ``"textblob"`` or ``"vader"`` (others: TextBlob).
        lexicon: Domain lexicon; the packaged default when None.

    Returns:
        ``(polarity in [-1, 1], label)``.
    """
    lex = lexicon if lexicon is not None else default_sentiment_lexicon()
    if not text.strip():
        return 0.0, "neutral"
    if backend == "vader":
        compound = float(_vader_analyzer(lex).polarity_scores(text)["compound"])
        return compound, label_for(compound, VADER_NEGATIVE_THRESHOLD, VADER_POSITIVE_THRESHOLD)
    polarity = max(-1.0, min(1.0, float(_textblob_polarity(text, lex))))
    return polarity, label_for(polarity, TEXTBLOB_NEGATIVE_THRESHOLD, TEXTBLOB_POSITIVE_THRESHOLD)
