"""Target-dependent sentiment: the polarity a text expresses toward each mention of an actor.

One score per sentence (or per article, as in GDELT's tone) cannot tell apart "Washington
abandoned Pakistan while Moscow stood by it" for the two capitals. Here every mention is scored on
its own *scope*: the clause around it, cut at clause punctuation and at the conjunctions that join
contrasting clauses (but, while, whereas, although, ...), as in the clause-level target scoping of
Hutto & Gilbert's VADER evaluation on NewsMTSC (Hamborg & Donnay 2021). The mention's own words
are not scored ("Freedom Party" is a name, not praise).

The scope is scored by an existing analyser whose lexicon is extended with a documented domain
lexicon for international relations (``analysis/data/sentiment_lexicon.tsv``):

* ``"textblob"`` (default): TextBlob's PatternAnalyzer (De Smedt & Daelemans 2012), which needs no
  NLTK corpora. The domain entries are written into its own lexicon with
  ``textblob.en.Sentiment.annotate``, so its negation ("not good" = slightly bad) and intensifiers
  ("very good") apply to them. Its negation misses "isn't", "no longer" and "has not been good";
  the tokenizer here splits contractions and rewrites such cues to a plain "not" next to the word
  they negate.
* ``"vader"``: vaderSentiment (Hutto & Gilbert 2014), whose ``lexicon`` dict is extended the same
  way (domain polarity times :data:`VADER_SCALE`).
* ``"learned"``: the linear model of :mod:`analysis.learned`, imported only when asked for.

Further backends can be added with :func:`register_backend`.
"""

from __future__ import annotations

import bisect
import functools
import importlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
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

# --- Label thresholds (tuned on NewsMTSC dev-rw, macro-F1; see scripts/tune notes in README) -----
#: TextBlob scope polarity above this is "positive". Tuned on dev-rw (grid 0.00-0.50 by 0.025):
#: weak positive words ("new deal", "support") are common in neutral news text.
TEXTBLOB_POSITIVE_THRESHOLD = 0.1
#: TextBlob scope polarity below this is "negative". Tuned on dev-rw: negative targets are as
#: frequent as neutral ones in news, so any net negative evidence counts.
TEXTBLOB_NEGATIVE_THRESHOLD = -0.0
#: VADER compound score above this is "positive" (tuned on dev-rw like the TextBlob ones).
VADER_POSITIVE_THRESHOLD = 0.3
#: VADER compound score below this is "negative" (tuned on dev-rw).
VADER_NEGATIVE_THRESHOLD = -0.05

# --- Lexicon scales -----------------------------------------------------------------------------
#: Domain polarities are on TextBlob's [-1, 1] scale; VADER's word valences run about -4..4 and a
#: strongly evaluative word ("hostile", "praise") sits near 2.5 there.
VADER_SCALE = 3.5
#: Subjectivity given to domain entries in TextBlob (only TextBlob's subjectivity output uses it;
#: evaluative news vocabulary is mid-way between fact and opinion).
DOMAIN_SUBJECTIVITY = 0.5

# --- Scope ---------------------------------------------------------------------------------------
#: Punctuation that ends a clause (commas, semicolons, colons, dashes, brackets, quote marks).
CLAUSE_PUNCTUATION = frozenset(",;:()[]{}—–\"“”‘’«»!?…") | {"--", "."}
#: Words that start a new clause whose attitude may differ from the target's clause ("Washington
#: abandoned Pakistan *while* Moscow stood by it").
CLAUSE_CONJUNCTIONS = frozenset(
    {
        "but",
        "while",
        "whilst",
        "whereas",
        "although",
        "though",
        "however",
        "yet",
        "unlike",
        "despite",
    }
)
#: A clause with fewer words than this besides the mention (a list item, "Pakistan, Russia and
#: China") is widened to the neighbouring clauses.
MIN_SCOPE_WORDS = 3
#: Widening stops after this many words on each side of the mention.
MAX_SCOPE_WORDS = 20

# --- Negation ------------------------------------------------------------------------------------
#: Single-word negation cues (contractions are split first: "isn't" -> "is" + "not").
NEGATION_WORDS = frozenset({"not", "no", "never", "n't", "cannot", "nor", "neither", "without"})
#: Multi-word negation cues, rewritten to "not".
NEGATION_PHRASES: tuple[tuple[str, ...], ...] = (
    ("no", "longer"),
    ("not", "any", "longer"),
    ("no", "more"),
    ("not", "anymore"),
)
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

    @functools.cached_property
    def _phrases(self) -> frozenset[tuple[str, ...]]:
        return frozenset(tuple(f.split("_")) for f, _ in self.entries if "_" in f)

    def as_dict(self) -> dict[str, float]:
        """``form -> polarity`` (later entries override earlier ones)."""
        return dict(self.entries)


# --- Lexicon loading -----------------------------------------------------------------------------

_VERB_CLASSES = {"verb", "noun", "adj", "adv", "phrase", "other"}


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
        if not term or not re.fullmatch(r"[^\s|_]+(?: [^\s|_]+)*(?:\|[^\s|_]+(?: [^\s|_]+)*)*", term):
            raise LexiconError(source, f"malformed term {cols[0]!r}", lineno)
        try:
            polarity = float(cols[1])
        except ValueError:
            raise LexiconError(source, f"polarity {cols[1]!r} is not a number", lineno) from None
        if not -1.0 <= polarity <= 1.0:
            raise LexiconError(source, f"polarity {polarity} is outside [-1, 1]", lineno)
        cls = cols[2].strip().lower() if len(cols) > 2 and cols[2].strip() else "other"
        if cls not in _VERB_CLASSES:
            raise LexiconError(
                source, f"class {cls!r} is not one of {', '.join(sorted(_VERB_CLASSES))}", lineno
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


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    norm: str  # lower-case form; negation cues as "not"
    boundary: bool  # clause punctuation or conjunction


def _tokenize(text: str, start: int, end: int) -> list[_Token]:
    out: list[_Token] = []
    for m in _TOKEN.finditer(text, start, end):
        s, e = m.span()
        word = m.group(0).lower()
        if word.endswith(_NT_SUFFIXES) and len(word) > 3:
            stem = word[:-3]
            out.append(_Token(s, e - 3, _SPECIAL_NT.get(stem, stem), False))
            out.append(_Token(e - 3, e, "not", False))
            continue
        if word.endswith(_POSSESSIVE) and len(word) > 2:
            word = word[:-2]
        elif word == "cannot":
            out.append(_Token(s, s + 3, "can", False))
            out.append(_Token(s + 3, e, "not", False))
            continue
        if word in NEGATION_WORDS:
            word = "not"
        out.append(_Token(s, e, word, word in CLAUSE_PUNCTUATION or word in CLAUSE_CONJUNCTIONS))
    return out


def _is_word(tok: _Token) -> bool:
    return not tok.boundary and tok.norm[0].isalnum()


def _scope(tokens: list[_Token], first: int, last: int) -> tuple[int, int]:
    """Token range ``[lo, hi)`` of the clause around tokens ``first..last`` (the mention)."""
    lo = first
    while lo > 0 and not tokens[lo - 1].boundary:
        lo -= 1
    hi = last + 1
    n = len(tokens)
    while hi < n and not tokens[hi].boundary:
        hi += 1
    words = sum(1 for t in tokens[lo:first] if _is_word(t)) + sum(
        1 for t in tokens[last + 1 : hi] if _is_word(t)
    )
    # Too short a clause (a list item): widen to the neighbouring clauses, word-limited.
    while words < MIN_SCOPE_WORDS and (lo > 0 or hi < n):
        grew = False
        if hi < n and sum(1 for t in tokens[last + 1 : hi] if _is_word(t)) < MAX_SCOPE_WORDS:
            hi += 1
            while hi < n and not tokens[hi].boundary:
                hi += 1
            grew = True
        if lo > 0 and sum(1 for t in tokens[lo:first] if _is_word(t)) < MAX_SCOPE_WORDS:
            lo -= 1
            while lo > 0 and not tokens[lo - 1].boundary:
                lo -= 1
            grew = True
        if not grew:
            break
        words = sum(1 for t in tokens[lo:first] if _is_word(t)) + sum(
            1 for t in tokens[last + 1 : hi] if _is_word(t)
        )
    return lo, hi


def _forms(norms: Sequence[str], phrases: frozenset[tuple[str, ...]]) -> list[str]:
    """Scored word forms: phrases joined with "_", negation phrases as "not", skips after "not"."""
    out: list[str] = []
    i, n = 0, len(norms)
    while i < n:
        w = norms[i]
        matched = False
        if w in _PHRASE_FIRST or w == "not" or w == "no":
            for size in range(min(MAX_PHRASE_WORDS, n - i), 1, -1):
                cand = tuple(norms[i : i + size])
                if cand in _NEGATION_PHRASE_SET:
                    out.append("not")
                    i += size
                    matched = True
                    break
                if cand in phrases:
                    out.append("_".join(cand))
                    i += size
                    matched = True
                    break
        if matched:
            continue
        if w in NEGATION_SKIP and out and out[-1] == "not":
            i += 1
            continue
        out.append(w)
        i += 1
    return out


_NEGATION_PHRASE_SET = frozenset(NEGATION_PHRASES)
# Filled from the default lexicon lazily; user phrases are matched through ``phrases`` anyway.
_PHRASE_FIRST: set[str] = {p[0] for p in NEGATION_PHRASES}


# --- Backends ------------------------------------------------------------------------------------

#: A backend scores ``spans`` of ``text`` and returns ``(polarity, label, scope_start, scope_end)``
#: per span.
Backend = Callable[[str, Sequence[tuple[int, int]], SentimentLexicon], list[tuple[float, str, int, int]]]


def label_for(polarity: float, negative_threshold: float, positive_threshold: float) -> str:
    """The label of a polarity: above ``positive_threshold`` positive, below negative one negative."""
    if polarity > positive_threshold:
        return "positive"
    if polarity < negative_threshold:
        return "negative"
    return "neutral"


@functools.lru_cache(maxsize=8)
def _textblob_analyzer(lexicon: SentimentLexicon) -> Any:
    import textblob.en as tbe

    base = tbe.sentiment
    analyzer = tbe.Sentiment(
        path=base.path,
        synset="wordnet_id",
        negations=("not",),
        modifiers=("RB",),
        modifier=lambda w: w.endswith("ly"),
        tokenizer=base.tokenizer,
    )
    analyzer.load()
    for form, polarity in lexicon.entries:
        dict.pop(analyzer, form, None)
        if polarity != 0.0:
            analyzer.annotate(form, None, polarity, DOMAIN_SUBJECTIVITY, 1.0)
    return analyzer


@functools.lru_cache(maxsize=8)
def _vader_analyzer(lexicon: SentimentLexicon) -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for form, polarity in lexicon.entries:
        analyzer.lexicon.pop(form, None)
        if polarity != 0.0:
            analyzer.lexicon[form] = polarity * VADER_SCALE
    return analyzer


def _scopes(
    text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon
) -> list[tuple[tuple[str, ...], int, int]]:
    """For each span: the scored forms of its scope and the scope's character offsets."""
    sents = split_sentences(text)
    starts = [s.start for s in sents]
    token_cache: dict[tuple[int, int], list[_Token]] = {}
    phrases = lexicon._phrases
    out: list[tuple[tuple[str, ...], int, int]] = []
    for start, end in spans:
        i = bisect.bisect_right(starts, start) - 1
        lo_c, hi_c = start, end
        if i >= 0 and sents[i].end > start:
            lo_c = sents[i].start
            j = i
            while j + 1 < len(sents) and sents[j].end < end:
                j += 1
            hi_c = max(end, sents[j].end)
        else:
            # Between sentences (or in whitespace): the line around the span.
            lo_c = text.rfind("\n", 0, start) + 1
            nl = text.find("\n", end)
            hi_c = len(text) if nl < 0 else nl
        key = (lo_c, hi_c)
        tokens = token_cache.get(key)
        if tokens is None:
            tokens = _tokenize(text, lo_c, hi_c)
            token_cache[key] = tokens
        inside = [k for k, t in enumerate(tokens) if t.start < end and t.end > start]
        if not inside:
            out.append(((), start, end))
            continue
        first, last = inside[0], inside[-1]
        lo, hi = _scope(tokens, first, last)
        norms = [t.norm for t in tokens[lo:first]] + [t.norm for t in tokens[last + 1 : hi]]
        forms = tuple(_forms(norms, phrases))
        s0 = min(tokens[lo].start, start)
        s1 = max(tokens[hi - 1].end, end)
        out.append((forms, s0, s1))
    return out


def _textblob_backend(
    text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon
) -> list[tuple[float, str, int, int]]:
    analyzer = _textblob_analyzer(lexicon)
    cache: dict[tuple[str, ...], float] = {}
    out: list[tuple[float, str, int, int]] = []
    for forms, s0, s1 in _scopes(text, spans, lexicon):
        pol = cache.get(forms)
        if pol is None:
            pol = float(analyzer(list(forms)).polarity) if forms else 0.0
            cache[forms] = pol
        pol = max(-1.0, min(1.0, pol))
        label = label_for(pol, TEXTBLOB_NEGATIVE_THRESHOLD, TEXTBLOB_POSITIVE_THRESHOLD)
        out.append((pol, label, s0, s1))
    return out


def _vader_backend(
    text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon
) -> list[tuple[float, str, int, int]]:
    analyzer = _vader_analyzer(lexicon)
    cache: dict[tuple[str, ...], float] = {}
    out: list[tuple[float, str, int, int]] = []
    for forms, s0, s1 in _scopes(text, spans, lexicon):
        pol = cache.get(forms)
        if pol is None:
            pol = float(analyzer.polarity_scores(" ".join(forms))["compound"]) if forms else 0.0
            cache[forms] = pol
        pol = max(-1.0, min(1.0, pol))
        label = label_for(pol, VADER_NEGATIVE_THRESHOLD, VADER_POSITIVE_THRESHOLD)
        out.append((pol, label, s0, s1))
    return out


def _learned_loader() -> Backend:
    try:
        module = importlib.import_module("analysis.learned")
        score = module.score
    except (ImportError, AttributeError) as exc:
        raise BackendUnavailableError(
            f'sentiment backend "learned" is unavailable: analysis.learned could not be loaded '
            f"({exc}); use backend='textblob' or 'vader'"
        ) from exc

    def backend(
        text: str, spans: Sequence[tuple[int, int]], lexicon: SentimentLexicon
    ) -> list[tuple[float, str, int, int]]:
        return [
            (float(p), str(lab), int(a), int(b)) for p, lab, a, b in score(text, list(spans))
        ]

    return backend


_REGISTRY: dict[str, Callable[[], Backend]] = {
    "textblob": lambda: _textblob_backend,
    "vader": lambda: _vader_backend,
    "learned": _learned_loader,
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


@functools.lru_cache(maxsize=None)
def _load_backend(name: str) -> Backend:
    return _REGISTRY[name]()


def _check_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    if not isinstance(text, str) or not text:
        raise ValueError("text is empty: there is nothing to score")
    n = len(text)
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
    _PHRASE_FIRST.update(p[0] for p in lex._phrases)
    scored = _load_backend(backend)(text, checked, lex)
    out: list[TargetSentiment] = []
    for (start, end), (pol, label, s0, s1) in zip(checked, scored, strict=True):
        if not math.isfinite(pol):
            pol = 0.0
        pol = max(-1.0, min(1.0, pol))
        out.append(TargetSentiment(start, end, pol, label, text[s0:s1], s0, s1, backend))
    return out


# --- Actor summary -------------------------------------------------------------------------------

#: Bootstrap resamples for the 95% interval of the mean polarity.
N_BOOT = 2000
#: Seed of the bootstrap generator (fixed, so summaries are reproducible).
BOOT_SEED = 20180810
#: Two-sided level of the bootstrap percentile interval.
CI_LEVEL = 0.95


def _bootstrap_ci(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[float, float]:
    n = values.size
    if n == 0:
        return (math.nan, math.nan)
    if n == 1 or n_boot <= 0:
        v = float(values.mean())
        return (v, v)
    idx = rng.integers(0, n, size=(n_boot, n))
    means = values[idx].mean(axis=1)
    alpha = (1.0 - CI_LEVEL) / 2.0
    lo, hi = np.quantile(means, [alpha, 1.0 - alpha])
    return (float(lo), float(hi))


def actor_summary(
    mentions: pd.DataFrame,
    *,
    by: Sequence[str] = ("doc_id", "actor"),
    n_boot: int = N_BOOT,
    seed: int = BOOT_SEED,
) -> pd.DataFrame:
    """Summarise the polarity toward each actor, per document or per corpus.

    Args:
        mentions: The pipeline's mentions table with at least ``actor``, ``polarity``, ``label``
            and ``sentence`` (plus ``doc_id`` and ``sentence_text`` when present; ``text`` is
            used when ``sentence_text`` is missing).
        by: Grouping columns: ``("doc_id", "actor")`` per document, ``("actor",)`` for the corpus.
        n_boot: Bootstrap resamples for the 95% interval of the mean polarity (percentile method).
        seed: Seed of the bootstrap generator; each group gets its own stream derived from it
            and the group key, so results do not depend on which other groups are present.

    Returns:
        One row per group (sorted by ``by``) with columns ``*by, mentions, mean_polarity,
        ci_low, ci_high, n_negative, n_neutral, n_positive, most_negative,
        most_negative_doc, most_negative_sentence, most_positive, most_positive_doc,
        most_positive_sentence``. Evidence sentences are the text of the sentence with the
        lowest (highest) polarity toward the actor; None when no mention is negative
        (positive).

    Raises:
        ValueError: A missing column.
    """
    import pandas as pd

    by = list(by)
    needed = [*by, "actor", "polarity", "label", "sentence"]
    missing = [c for c in dict.fromkeys(needed) if c not in mentions.columns]
    if missing:
        raise ValueError(f"mentions table lacks column(s): {', '.join(missing)}")
    text_col = "sentence_text" if "sentence_text" in mentions.columns else None
    columns = [
        *by,
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
    ]
    if mentions.empty:
        return pd.DataFrame({c: [] for c in columns})
    has_doc = "doc_id" in mentions.columns
    # Stable order inside each group: document, sentence, then original order.
    order_cols = [c for c in ("doc_id", "sentence", "start") if c in mentions.columns]
    df = mentions.reset_index(drop=True)
    if order_cols:
        df = df.sort_values(order_cols, kind="stable")
    rows: list[dict[str, Any]] = []
    for key, group in df.groupby(by, sort=True, dropna=False):
        key_t = key if isinstance(key, tuple) else (key,)
        pol = group["polarity"].to_numpy(dtype=float)
        finite = np.isfinite(pol)
        vals = pol[finite]
        rng = np.random.default_rng([seed, _key_seed(key_t)])
        ci_low, ci_high = _bootstrap_ci(vals, n_boot, rng)
        labels = group["label"].astype(str).to_numpy()
        row: dict[str, Any] = dict(zip(by, key_t, strict=True))
        row.update(
            mentions=len(group),
            mean_polarity=float(vals.mean()) if vals.size else math.nan,
            ci_low=ci_low,
            ci_high=ci_high,
            n_negative=int((labels == "negative").sum()),
            n_neutral=int((labels == "neutral").sum()),
            n_positive=int((labels == "positive").sum()),
        )
        for name, pick, sign in (("most_negative", np.argmin, -1), ("most_positive", np.argmax, 1)):
            row[name] = row[f"{name}_doc"] = row[f"{name}_sentence"] = None
            if vals.size and sign * pol[finite][pick(vals)] > 0:
                pos = np.flatnonzero(finite)[pick(vals)]
                rec = group.iloc[pos]
                row[name] = None if text_col is None else rec[text_col]
                row[f"{name}_doc"] = rec["doc_id"] if has_doc else None
                row[f"{name}_sentence"] = int(rec["sentence"])
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def _key_seed(key: Iterable[Any]) -> int:
    """A stable 32-bit integer from a group key (independent of Python's hash randomisation)."""
    return int(text_digest("\x1f".join(str(k) for k in key))[:8], 16)
