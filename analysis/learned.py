"""Learned target-dependent sentiment: a linear model over the target's contexts.

The features follow the linear target-dependent sentiment models of Jiang et al. (2011),
Kiritchenko et al. (2014) and Vo & Zhang (2015): word n-grams of the left context, the right
context and the target's clause (the target masked as ``<t>``, negated words marked), plus
lexicon scores (TextBlob/Pattern; VADER, Hutto & Gilbert 2014) of the clause, the context windows
and the sentence. A multinomial logistic regression is trained on NewsMTSC (Hamborg & Donnay,
EACL 2021; MIT licence, see ``data/NEWSMTSC_LICENSE.txt``) by
``python -m analysis train sentiment --backend learned`` (:mod:`analysis.train`).

The shipped model is a plain ``.npz`` data file (vocabulary, weights, class offsets,
hyperparameters, versions) read with ``allow_pickle=False`` and applied with numpy, so inference
needs neither scikit-learn nor code execution from a data file.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib.resources
import io
import itertools
import json
import operator
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis.errors import InputError

__all__ = [
    "DENSE_NAMES",
    "FEATURES_VERSION",
    "FORMAT_VERSION",
    "LABELS",
    "MODEL_NEUTRAL_BAND",
    "MODEL_RESOURCE",
    "NEUTRAL_LEAN_SCALE",
    "Example",
    "LinearModel",
    "ModelError",
    "Ngrams",
    "TargetFeatures",
    "VocabIndex",
    "check_floats",
    "context_ranges",
    "evaluate",
    "feature_indices",
    "featurize",
    "featurize_examples",
    "file_key",
    "fingerprint",
    "group_vocab",
    "load_model",
    "load_newsmtsc",
    "log_probabilities",
    "macro_f1",
    "model_from_bytes",
    "model_to_bytes",
    "npz_bytes",
    "packaged_bytes",
    "predict",
    "read_npz",
    "save_model",
    "score",
    "score_batch",
    "signed_probability",
    "vocab_index",
]

#: Version of the model file layout; a file written with another version is refused.
FORMAT_VERSION = 1
#: Version of the feature extraction below; a model trained on other features is refused.
FEATURES_VERSION = 1
#: Name of the default model inside ``analysis/data``.
MODEL_RESOURCE = "learned_sentiment.npz"
#: Class order of the weight columns (NewsMTSC polarity -1, 0, 1).
LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")

#: Abbreviations ("U.S.") as one token; "n't" split off (so "isn't" negates); words with inner
#: apostrophes; every other non-space character on its own.
_TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}|[^\W_]+(?=n['’]t\b)|n['’]t\b|[^\W_]+(?:['’][^\W_]+)*|[^\w\s]"
)
#: The same tokens where no "n't" follows a word (checked first: the lookahead is slow) ...
_TOKEN_NO_NT = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:['’][^\W_]+)*|[^\w\s]")
#: ... and where, besides, no abbreviation can start (no ".x." in the text).
_TOKEN_PLAIN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]")
_ABBREVIATION_HINT = re.compile(r"\.[A-Za-z]\.")
#: Where a text holds nothing but ASCII (less the separators \x1c-\x1f, which Unicode counts
#: as spaces and ASCII does not) and these non-word marks, the same tokens come from ASCII
#: patterns, which match several times faster than Unicode classes.
_NOT_ASCII_TOKENS = re.compile("[^\x00-\x1b\x20-\x7f“”‘’—–…«»]")
_TOKEN_NO_NT_ASCII = re.compile(
    r"(?:[A-Za-z]\.){2,}|[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*|[^\w\s]", re.ASCII
)
_TOKEN_PLAIN_ASCII = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*|[^\w\s]", re.ASCII)
#: Digits are folded to one symbol: a number's value carries no polarity.
_DIGIT = re.compile(r"\d")
#: Placeholder for the target inside the clause, so "<t> blamed" generalises across names.
TARGET_TOKEN = "<t>"
#: Punctuation that ends a clause (quotation marks do not: quoted words belong to the clause).
CLAUSE_PUNCT = frozenset({",", ";", ":", "(", ")", "[", "]", "—", "–", ".", "?", "!"})
#: Conjunctions that start a new clause with its own stance.
CLAUSE_WORDS = frozenset({"but", "while", "although", "though", "whereas", "however", "yet"})
_BOUNDARY = CLAUSE_PUNCT | CLAUSE_WORDS
#: A clause with fewer words than this besides the target is widened past its boundaries
#: (an appositive or a list item alone says nothing about the target).
MIN_CLAUSE_WORDS = 4
#: A clause reaches at most this many tokens either side of its target: news clauses are
#: shorter, and the bound keeps a text without clause punctuation (a table, a scraped list, one
#: "sentence" naming an actor every few words) linear in its length instead of quadratic.
CLAUSE_SIDE_TOKENS = 32
#: Tokens next to the target that also get position-marked features (the strongest cues).
NEAR_WINDOW = 3
#: Words that mark what follows them, up to the end of the clause, as negated.
NEGATIONS = frozenset({"not", "no", "never", "n't", "without", "nor", "cannot"})

#: Lexicon scores computed per window: TextBlob polarity/subjectivity, VADER compound/pos/neg.
_TB = ("tb_pol", "tb_subj")
_VADER = ("vader_compound", "vader_pos", "vader_neg")
#: Dense feature names, in the order of the model's dense weights.
DENSE_NAMES: tuple[str, ...] = (
    *(f"clause:{s}" for s in _TB + _VADER),
    *(f"left:{s}" for s in _TB),
    *(f"right:{s}" for s in _TB),
    *(f"sentence:{s}" for s in _TB + _VADER),
)
#: A target outside every sentence (e.g. in whitespace between them) is read in its own line,
#: at most this many characters either side of it.
_FALLBACK_WINDOW = 300
#: Characters at which Punkt may end a sentence; a line without them is one sentence.
_SENTENCE_END = re.compile(r"[.?!…]")


class ModelError(InputError):
    """A model file that cannot be used: corrupted, truncated or from another version."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled target (a NewsMTSC row); ``label`` indexes :data:`LABELS`."""

    sentence: str
    start: int
    end: int
    label: int
    id: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Ngrams:
    """The n-grams of one sentence (negated words marked), shared by the targets in it.

    Compared by identity, so that :func:`feature_indices` looks each sentence's n-grams up in
    the vocabulary once, however many targets the sentence holds.

    Attributes:
        unigrams: The tokens, digits folded, negated words marked ``_NEG``; the n-gram of
            ``order`` words at ``k`` joins tokens ``k`` to ``k + order - 1`` with spaces.
    """

    unigrams: tuple[str, ...]

    def by_order(self, order: int) -> list[str]:
        """The n-grams of ``order`` words (1, 2 or 3), spelled out."""
        shifted = [self.unigrams[k:] for k in range(order)]
        return [" ".join(words) for words in zip(*shifted, strict=False)]


@dataclass(frozen=True, slots=True)
class TargetFeatures:
    """The features of one target.

    The context n-grams are stored as token ranges of the sentence's :class:`Ngrams` (see
    :func:`context_ranges`); :attr:`groups` spells them out.

    Attributes:
        ngrams: The n-grams of the target's sentence.
        first: The target's first token.
        last: The token after the target's last.
        lo: The clause's first token.
        hi: The token after the clause's last.
        own: The names (``group:n-gram``) of the target's own features: the clause n-grams
            that cross the target (group ``c``, the target as ``<t>``), the words next to the
            target (``l0``..``r2``) and its sentence position (``pos``).
        dense: One lexicon score per :data:`DENSE_NAMES`.
        scope_start: Start of the target's clause in the text scored.
        scope_end: End of the target's clause (exclusive).
    """

    ngrams: Ngrams
    first: int
    last: int
    lo: int
    hi: int
    own: tuple[str, ...]
    dense: tuple[float, ...]
    scope_start: int
    scope_end: int

    @property
    def groups(self) -> tuple[tuple[str, list[str]], ...]:
        """``(group, n-grams)`` pairs: the binary feature ``group:n-gram`` is present (groups:
        ``l``/``r`` left/right context, ``c`` clause with the target as ``<t>``, ``l0``..``r2``
        the words next to the target, ``pos`` sentence position)."""
        context: dict[str, list[str]] = {"l": [], "r": [], "c": []}
        ranges = context_ranges(*map(np.asarray, (self.first, self.last, self.lo, self.hi)))
        for group, order, start, stop in ranges:
            context[group] += self.ngrams.by_order(order)[int(start) : int(stop)]
        own: list[tuple[str, list[str]]] = []
        for name in self.own:
            group, _, gram = name.partition(":")
            if group == "c":  # the crossing n-grams end the clause's
                context["c"].append(gram)
            else:
                own.append((group, [gram]))
        return (*context.items(), *own)

    @property
    def names(self) -> list[str]:
        """The binary feature names (``group:n-gram``), possibly repeated."""
        return [f"{g}:{gram}" for g, grams in self.groups for gram in grams]


#: What "to the end of the sentence" stands for in :func:`context_ranges`.
_TO_END = 1 << 30


def context_ranges(
    first: npt.NDArray[np.int64],
    last: npt.NDArray[np.int64],
    lo: npt.NDArray[np.int64],
    hi: npt.NDArray[np.int64],
) -> tuple[tuple[str, int, npt.NDArray[np.int64], npt.NDArray[np.int64]], ...]:
    """Where targets' context n-grams lie in their sentences' :class:`Ngrams`.

    Args:
        first: The targets' first tokens (:attr:`TargetFeatures.first`).
        last: The tokens after the targets' last ones.
        lo: The clauses' first tokens.
        hi: The tokens after the clauses' last ones.

    Returns:
        ``(group, order, start, stop)``: the ``order``-word n-grams ``[start, stop)`` (read as
        a Python slice: ``stop`` may pass the end) belong to ``group``: ``l`` all before the
        target, ``r`` all after it, ``c`` those of the clause that do not touch the target (the
        clause n-grams crossing it are in :attr:`TargetFeatures.own`).
    """
    zero = np.zeros_like(first)
    end = zero + _TO_END
    return (
        ("l", 1, zero, first),
        ("l", 2, zero, np.maximum(0, first - 1)),
        ("r", 1, last, end),
        ("r", 2, last, end),
        ("c", 1, lo, first),
        ("c", 1, last, hi),
        ("c", 2, lo, np.maximum(lo, first - 1)),
        ("c", 2, last, np.maximum(last, hi - 1)),
        ("c", 3, lo, np.maximum(lo, first - 2)),
        ("c", 3, last, np.maximum(last, hi - 2)),
    )


#: The groups of the context n-grams (:func:`context_ranges`), in the column order of
#: :attr:`VocabIndex.context`.
CONTEXT_GROUPS = ("l", "r", "c")


@dataclass(frozen=True, slots=True)
class VocabIndex:
    """A vocabulary arranged for :func:`feature_indices` (built by :func:`vocab_index`).

    The n-grams of the :data:`CONTEXT_GROUPS` are numbered by their words: a word's number
    from ``words``, an n-gram's key the number with its words' numbers as digits in base
    ``len(words)`` (:func:`_ngram_keys`), so a sentence's n-grams are looked up with numpy
    once its words are numbered.

    Attributes:
        vocab: Feature name (``group:n-gram``) -> column.
        words: Word -> number, for every word of a context n-gram.
        keys: Per n-gram order (1, 2, 3): the sorted keys of the context n-grams, then
            :data:`_NO_KEY` (for one word, its number is its key: every number in order).
        context: Per order: ``(len(keys), 3)`` columns of each n-gram in the
            :data:`CONTEXT_GROUPS` (-1 where the group lacks it; all -1 for :data:`_NO_KEY`).
    """

    vocab: dict[str, int]
    words: dict[str, int]
    keys: tuple[npt.NDArray[np.int64], ...]
    context: tuple[npt.NDArray[np.int64], ...]


#: The longest context n-gram, in words.
MAX_ORDER = 3
#: A key above every n-gram's, ending :attr:`VocabIndex.keys`: a search for a key not in the
#: vocabulary ends at most there.
_NO_KEY = np.iinfo(np.int64).max


def _ngram_keys(
    words: npt.NDArray[np.int64], order: int, base: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Keys of the n-grams of ``order`` words starting at each position of a sequence of word
    numbers (-1 for a word without one), and whether each has a key (all its words numbered;
    the last ``order - 1`` positions never have)."""
    padded = np.concatenate([words, np.full(order - 1, -1, dtype=np.int64)])
    keys = words.copy()
    for k in range(1, order):
        keys = keys * base + padded[k : k + len(words)]
    known = np.ones(len(words), dtype=bool)
    for k in range(order):
        known &= padded[k : k + len(words)] >= 0
    return keys, known


def vocab_index(vocab: dict[str, int]) -> VocabIndex:
    """The :class:`VocabIndex` of a ``group:n-gram`` vocabulary (name -> column)."""
    by_group = group_vocab(vocab)
    groups = [by_group.get(group, {}) for group in CONTEXT_GROUPS]
    grams = list(itertools.chain.from_iterable(groups))
    # the n-grams' words, in order (a token holds no space), and how many each has
    parts = " ".join(grams).split(" ")
    words = {word: i for i, word in enumerate(dict.fromkeys(parts))}
    numbers = np.fromiter(map(words.__getitem__, parts), dtype=np.int64, count=len(parts))
    spaces = map(operator.methodcaller("count", " "), grams)
    sizes = np.fromiter(spaces, dtype=np.int64, count=len(grams)) + 1
    starts = np.cumsum(sizes) - sizes  # where each n-gram's words start in ``numbers``
    group = np.repeat(np.arange(len(groups)), list(map(len, groups)))
    columns = np.fromiter(
        itertools.chain.from_iterable(found.values() for found in groups),
        dtype=np.int64,
        count=len(grams),
    )
    base = max(len(words), 1)
    if base**MAX_ORDER >= _NO_KEY:  # (a vocabulary of millions of distinct words)
        raise ValueError("too many distinct words to key the vocabulary's n-grams in int64")
    keys, context = [], []
    for order in range(1, MAX_ORDER + 1):
        which = sizes == order
        ngram_keys = np.zeros(int(which.sum()), dtype=np.int64)
        for k in range(order):
            ngram_keys = ngram_keys * base + numbers[starts[which] + k]
        if order == 1:  # one row per word: a word's number is its row
            unique, rows = np.arange(len(words), dtype=np.int64), ngram_keys
        else:
            unique, rows = np.unique(ngram_keys, return_inverse=True)
        table = np.full((len(unique) + 1, len(CONTEXT_GROUPS)), -1, dtype=np.int64)
        table[rows, group[which]] = columns[which]
        keys.append(np.append(unique, _NO_KEY))
        context.append(table)
    return VocabIndex(vocab, words, tuple(keys), tuple(context))


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A trained linear model, as stored in the model file.

    Attributes:
        vocab: Sparse feature name -> row of ``weights``.
        weights: ``(len(vocab), 3)`` weights of the binary features.
        dense_weights: ``(len(DENSE_NAMES), 3)`` weights of the standardised dense features.
        dense_mean: Mean subtracted from each dense feature.
        dense_scale: Divisor of each centred dense feature.
        bias: ``(3,)`` intercepts.
        class_offsets: ``(3,)`` added to the class scores before choosing the label.
        meta: Hyperparameters, data description, scores and versions (JSON-compatible).
        source: Where the model was read from (for error messages).
        index: ``vocab`` arranged for :func:`feature_indices` (built from ``vocab``).
    """

    vocab: dict[str, int]
    weights: npt.NDArray[np.float32]
    dense_weights: npt.NDArray[np.float32]
    dense_mean: npt.NDArray[np.float32]
    dense_scale: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    class_offsets: npt.NDArray[np.float32]
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = "<memory>"
    index: VocabIndex = field(default_factory=lambda: vocab_index({}), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.index.vocab and self.vocab:
            object.__setattr__(self, "index", vocab_index(self.vocab))


# --- Lexicon scores -------------------------------------------------------------------------
#
# Both analysers run once per sentence; the score of a window (clause, left, right) is then
# computed from the per-word assessments that fall inside it, so a target costs no extra
# analyser pass and negations or boosters just outside a window still count. The per-word
# assessments are the libraries' own (Pattern's ``Sentiment.assessments``; VADER's
# ``SentiText``, ``sentiment_valence``, ``_but_check`` and ``score_valence``): copies of their
# rules were faster, but by less than the 20% of a whole ``make bench`` run that would pay for
# keeping a copy (issue 17). tests/test_learned.py checks that the sentence-level scores equal
# the analysers' own.


@functools.cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@functools.cache
def _pattern() -> Any:
    """TextBlob's English sentiment lexicon (Pattern), as an eagerly loaded copy: plain dict
    lookups replace the lazy-loading wrappers, which cost a Python call per word."""
    from analysis._pattern import textblob_en

    en = textblob_en()
    sentiment = en.sentiment

    class _Eager(en.Sentiment):  # type: ignore[name-defined]
        __contains__ = dict.__contains__
        __getitem__ = dict.__getitem__
        get = dict.get

    _ = "good" in sentiment  # load the lexicon
    eager = _Eager.__new__(_Eager)
    dict.update(eager, dict.items(sentiment))
    eager.__dict__.update(sentiment.__dict__)
    return eager


@functools.cache
def _emojis() -> frozenset[str]:
    return frozenset(_vader().emojis)


class _Indexed(str):
    """A word that carries its token index through Pattern's assessments (which return words)."""

    __slots__ = ("i",)
    i: int


def _tb_chunks(lower: list[str]) -> list[tuple[int, float, float]]:
    """TextBlob (Pattern) assessments of lower-cased tokens as ``(head token index, polarity,
    subjectivity)``: Pattern's own ``Sentiment.assessments``, each assessment's head the last
    token among its words (an exclamation mark it absorbs is not one of the tokens)."""
    sentiment = _pattern()
    negations = sentiment.negations
    words = list(lower)
    for i, w in enumerate(lower):
        # only a lexicon word, a negation or a mark (an emoticon) can be one of an
        # assessment's words: the others need no index
        if w in sentiment or w in negations or not w.isalpha():
            word = words[i] = _Indexed(w)
            word.i = i
    return [
        (max(w.i for w in chunk if isinstance(w, _Indexed)), float(p), float(s))
        for chunk, p, s, _ in sentiment.assessments(zip(words, itertools.repeat(None)), True)
    ]


def _tb_window(
    chunks: list[tuple[int, float, float]], lo: int, hi: int, skip: range
) -> list[float]:
    """TextBlob polarity and subjectivity of tokens ``[lo, hi)`` minus ``skip``: the mean over
    the assessments whose head word lies there, as ``TextBlob(text).sentiment`` averages."""
    pol = subj = 0.0
    n = 0
    for head, p, s in chunks:
        if lo <= head < hi and head not in skip:
            pol += p
            subj += s
            n += 1
    return [pol / n, subj / n] if n else [0.0, 0.0]


_WHITESPACE_TOKEN = re.compile(r"\S+")


#: VADER's ``sentiment_valence`` reads at most this many words before the word it scores ...
_VADER_BEFORE = 3
#: ... and this many after it.
_VADER_AFTER = 2


@dataclass(frozen=True, slots=True)
class _WordWindow:
    """The words around one word, read by VADER's ``sentiment_valence`` in place of the whole
    sentence's ``SentiText`` (whose two attributes it reads): each of its checks lowercases
    every word it is given, so a whole sentence made scoring quadratic in its length."""

    words_and_emoticons: list[str]
    is_cap_diff: bool


def _vader_valences(text: str) -> list[float] | None:
    """VADER's per-word valences of ``text`` (one per whitespace-separated word), as
    ``SentimentIntensityAnalyzer.polarity_scores`` computes them before scoring; None when the
    text holds an emoji (VADER rewrites those into words, which breaks the alignment with the
    text). VADER is asked only about the words of its lexicon (it gives every other word 0),
    each with the words it reads around it (:class:`_WordWindow`)."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    if not text.isascii() and not _emojis().isdisjoint(text):  # no emoji is ASCII
        return None
    sia = _vader()
    sentitext = SentiText(text)
    words = sentitext.words_and_emoticons
    lexicon = sia.lexicon
    sentiments: list[float] = [0] * len(words)
    for i, word in enumerate(words):
        low = word.lower()
        if low not in lexicon or low in BOOSTER_DICT:
            continue  # VADER's 0: not a sentiment word, or a booster of the next one
        if low == "kind" and i < len(words) - 1 and words[i + 1].lower() == "of":
            continue  # "kind of" is a booster
        # the window keeps every word VADER reads, and whether one follows: its checks at
        # "i > k" and "i < len - 1" give the same answers inside it
        lo = max(0, i - _VADER_BEFORE)
        window = _WordWindow(words[lo : i + _VADER_AFTER + 1], sentitext.is_cap_diff)
        sentiments[i] = sia.sentiment_valence(0, window, word, i - lo, [])[0]
    return list(sia._but_check(words, sentiments))


def _vader_dict(sentiments: list[float], text: str) -> list[float]:
    """VADER's compound, positive and negative scores of per-word valences
    (``SentimentIntensityAnalyzer.score_valence``; all three are 0 for neutral words alone)."""
    if not any(sentiments):
        return [0.0, 0.0, 0.0]
    scores = _vader().score_valence(sentiments, text)
    return [scores["compound"], scores["pos"], scores["neg"]]


def _vader_scores(text: str) -> list[float]:
    if not text.strip():
        return [0.0, 0.0, 0.0]
    v = _vader().polarity_scores(text)
    return [float(v["compound"]), float(v["pos"]), float(v["neg"])]


# --- Context and features -------------------------------------------------------------------


class _Sentence:
    """Tokens and lexicon assessments of one sentence, shared by the targets in it."""

    __slots__ = (
        "bounds",
        "charged",
        "chunks",
        "ends",
        "last_word",
        "lower",
        "neutral",
        "ngrams",
        "norm",
        "scores",
        "starts",
        "text",
        "vader",
        "words_before",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        lowered = text.lower().replace("’", "'")
        if len(lowered) != len(text):  # a character whose lower case is longer ("İ")
            lowered = "".join(ch.lower()[0] for ch in text).replace("’", "'")
        matches = _token_matches(lowered)
        self.starts = list(map(re.Match.start, matches))
        self.ends = list(map(re.Match.end, matches))
        self.lower = list(map(re.Match.group, matches))
        lower = self.lower
        # clause boundaries, and the number of words before each token
        self.bounds = list(
            itertools.compress(itertools.count(), map(_BOUNDARY.__contains__, lower))
        )
        self.words_before = list(
            itertools.accumulate(map(str.isalnum, map(operator.itemgetter(0), lower)), initial=0)
        )
        # digits folded (the same token boundaries: a digit and "0" are both word characters)
        if _DIGIT.search(lowered) is None:
            self.norm = lower
        else:  # one digit for one "0": the tokens keep their offsets
            folded = _DIGIT.sub("0", lowered)
            self.norm = list(map(folded.__getitem__, map(slice, self.starts, self.ends)))
        neg = _negate(self.norm)
        # the end of the last word: only punctuation follows it
        self.last_word = len(self.norm)
        while self.last_word and not self.norm[self.last_word - 1][0].isalnum():
            self.last_word -= 1
        self.ngrams = Ngrams(tuple(neg))
        self.chunks = _tb_chunks(self.lower)
        valences = _vader_valences(text)
        self.vader: tuple[list[int], list[int], list[float]] | None = None
        self.charged: list[int] = []
        if valences is not None and any(valences):
            # word offsets, needed only where a window may hold a scored word
            w_starts, w_ends = _word_offsets(text)
            if len(w_starts) == len(valences):
                self.vader = (w_starts, w_ends, valences)
                self.charged = list(itertools.compress(w_starts, valences))
            else:
                valences = None
        self.neutral = valences is not None and self.vader is None
        sentence_vader = (
            _vader_dict(valences, text.strip()) if valences is not None else _vader_scores(text)
        )
        self.scores = _tb_window(self.chunks, 0, len(self.lower), range(0)) + sentence_vader

    def vader_window(self, lo: int, hi: int, t_start: int, t_end: int, text: str) -> list[float]:
        """VADER scores of characters ``[lo, hi)`` without the target ``[t_start, t_end)``;
        ``text`` is that window as a string (for VADER's punctuation emphasis)."""
        if self.vader is None:
            return [0.0, 0.0, 0.0] if self.neutral else _vader_scores(text)
        charged = self.charged
        k = bisect.bisect_left(charged, lo)
        if k == len(charged) or charged[k] >= hi:  # neutral words only
            return [0.0, 0.0, 0.0]
        starts, ends, valences = self.vader
        # the words starting in [lo, hi), less those overlapping the target (words are in
        # order, so both are index ranges)
        i0, i1 = bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)
        j0, j1 = bisect.bisect_right(ends, t_start), bisect.bisect_left(starts, t_end)
        if j0 >= j1:
            picked = valences[i0:i1]
        else:
            picked = valences[i0 : max(i0, min(i1, j0))] + valences[max(i0, j1) : i1]
        return _vader_dict(picked, text)


def _word_offsets(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of the whitespace-separated words of ``text`` (those of
    :data:`_WHITESPACE_TOKEN`'s matches); counted from the words' lengths where single spaces
    alone separate them (tests/test_learned.py compares the two)."""
    words = text.split()
    if " ".join(words) == text:
        lengths = list(map(len, words))
        one = itertools.repeat(1)
        # word k ends at the sum of the first k + 1 lengths, plus k spaces
        ends = list(map(operator.sub, itertools.accumulate(map(operator.add, lengths, one)), one))
        return list(map(operator.sub, ends, lengths)), ends
    spans = [m.span() for m in _WHITESPACE_TOKEN.finditer(text)]
    return [a for a, _ in spans], [b for _, b in spans]


def _token_matches(lowered: str) -> list[re.Match[str]]:
    """:data:`_TOKEN`'s matches in a lower-cased text (with "’" as "'"), found with the
    cheapest pattern that gives the same tokens: a word holding "n't" is matched whole, then
    split by :data:`_TOKEN` (tests/test_learned.py compares the two)."""
    if _NOT_ASCII_TOKENS.search(lowered) is None:
        pattern = _TOKEN_NO_NT_ASCII if _ABBREVIATION_HINT.search(lowered) else _TOKEN_PLAIN_ASCII
    else:
        pattern = _TOKEN_NO_NT if _ABBREVIATION_HINT.search(lowered) else _TOKEN_PLAIN
    matches = list(pattern.finditer(lowered))
    if "n't" not in lowered:
        return matches
    out: list[re.Match[str]] = []
    for m in matches:
        if "n't" in m.group():  # the same word split as _TOKEN splits it in the whole text
            for t in _TOKEN.finditer(lowered, m.start()):
                if t.end() > m.end():
                    break
                out.append(t)
        else:
            out.append(m)
    return out


def _negate(toks: list[str]) -> list[str]:
    """Mark words after a negation, up to the next clause boundary, with ``_NEG``."""
    if NEGATIONS.isdisjoint(toks):
        return toks  # nothing to mark (the list is only read)
    out: list[str] = []
    neg = False
    for t in toks:
        if t in _BOUNDARY:
            neg = False
            out.append(t)
            continue
        out.append(t + "_NEG" if neg and t[0].isalnum() else t)
        if t in NEGATIONS:
            neg = True
    return out


def _clause(sent: _Sentence, first: int, last: int) -> tuple[int, int]:
    """Token range ``[lo, hi)`` of the clause around target tokens ``[first, last)``: out to
    the clause boundaries on either side, widened past them while the clause has fewer than
    :data:`MIN_CLAUSE_WORDS` words besides the target."""
    bounds, words_before = sent.bounds, sent.words_before
    n = len(sent.lower)
    lo, hi = first, last
    while True:
        k = bisect.bisect_left(bounds, lo)  # the last boundary before lo, if any
        lo = bounds[k - 1] + 1 if k else 0
        k = bisect.bisect_left(bounds, hi)  # the first boundary at or after hi, if any
        hi = bounds[k] if k < len(bounds) else n
        words = words_before[first] - words_before[lo] + words_before[hi] - words_before[last]
        if words >= MIN_CLAUSE_WORDS or (lo == 0 and hi == n):
            return max(lo, first - CLAUSE_SIDE_TOKENS), min(hi, last + CLAUSE_SIDE_TOKENS)
        if hi < n:
            hi += 1
        else:
            lo -= 1


def _locate(sent: _Sentence, start: int, end: int) -> tuple[int, int, int, int]:
    """Token ranges of a target: ``(first, last)`` its tokens, ``(lo, hi)`` its clause."""
    first = bisect.bisect_right(sent.ends, start)
    last = max(first, bisect.bisect_left(sent.starts, end))
    lo, hi = _clause(sent, first, last)
    return first, last, lo, hi


def _crossing(sent: _Sentence, first: int, last: int, lo: int, hi: int) -> list[str]:
    """The names of the clause n-grams that cross the target (``<t>`` standing for it)."""
    neg = sent.ngrams.unigrams
    t = TARGET_TOKEN
    crossing = [f"c:{t}"]
    if first - 1 >= lo:
        crossing.append(f"c:{neg[first - 1]} {t}")
        if first - 2 >= lo:
            crossing.append(f"c:{neg[first - 2]} {neg[first - 1]} {t}")
        if last < hi:
            crossing.append(f"c:{neg[first - 1]} {t} {neg[last]}")
    if last < hi:
        crossing.append(f"c:{t} {neg[last]}")
        if last + 1 < hi:
            crossing.append(f"c:{t} {neg[last]} {neg[last + 1]}")
    return crossing


def _dense(
    sent: _Sentence, start: int, end: int, located: tuple[int, int, int, int]
) -> tuple[tuple[float, ...], int, int]:
    """Lexicon scores of a target (:data:`DENSE_NAMES`) and its clause's character range."""
    first, last, lo, hi = located
    text = sent.text
    c_start = min(start, sent.starts[lo]) if lo < first else start
    c_end = max(end, sent.ends[hi - 1]) if hi > last else end
    masked = text[c_start:start] + " " + text[end:c_end]
    c_pol = c_subj = l_pol = l_subj = r_pol = r_subj = 0.0
    c_n = l_n = r_n = 0
    # _tb_window's sums for the clause, the left and the right of the target, in one pass
    # (each sum adds the same terms in the same order)
    for head, p, sj in sent.chunks:
        if head < first:
            l_pol += p
            l_subj += sj
            l_n += 1
            if head >= lo:
                c_pol += p
                c_subj += sj
                c_n += 1
        elif head >= last:
            r_pol += p
            r_subj += sj
            r_n += 1
            if head < hi:
                c_pol += p
                c_subj += sj
                c_n += 1
    dense = (
        *((c_pol / c_n, c_subj / c_n) if c_n else (0.0, 0.0)),
        *sent.vader_window(c_start, c_end, start, end, masked),
        *((l_pol / l_n, l_subj / l_n) if l_n else (0.0, 0.0)),
        *((r_pol / r_n, r_subj / r_n) if r_n else (0.0, 0.0)),
        *sent.scores,
    )
    return dense, c_start, c_end


def _target_features(sent: _Sentence, start: int, end: int, offset: int) -> TargetFeatures:
    located = _locate(sent, start, end)
    first, last, lo, hi = located
    norm = sent.norm
    n = len(norm)
    own = _crossing(sent, first, last, lo, hi)
    for i in range(min(NEAR_WINDOW, first)):
        own.append(f"l{i}:{norm[first - 1 - i]}")
    for i in range(min(NEAR_WINDOW, n - last)):
        own.append(f"r{i}:{norm[last + i]}")
    if first == 0:
        own.append("pos:first")
    if last >= sent.last_word:
        own.append("pos:last")
    dense, c_start, c_end = _dense(sent, start, end, located)
    return TargetFeatures(
        sent.ngrams, first, last, lo, hi, tuple(own), dense, offset + c_start, offset + c_end
    )


def _sentence_ranges(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentence (character range of ``text``) to read each span in."""
    from analysis.segment import MAX_SENTENCE_WORDS, sentences

    if len(spans) == 0:
        return []
    stripped = text.strip()
    if (
        "\n" not in text
        and stripped.count(" ") < MAX_SENTENCE_WORDS
        and not _SENTENCE_END.search(stripped[:-1])
    ):
        # one short line with no sentence end before its last character: one sentence (the
        # same result as segment.sentences, without running Punkt; a longer line is cut into
        # pieces there)
        lo = len(text) - len(text.lstrip())
        sents = [(lo, lo + len(stripped))] if stripped else []
    else:
        sents = [(s.start, s.end) for s in sentences(text)]
    starts = [a for a, _ in sents]
    out: list[tuple[int, int]] = []
    for start, end in spans:
        k = bisect.bisect_right(starts, start) - 1
        if k >= 0 and start < sents[k][1]:
            lo = sents[k][0]
            j = k
            while j + 1 < len(sents) and sents[j + 1][0] < end:
                j += 1
            out.append((lo, max(end, sents[j][1])))
        else:  # between sentences: the surrounding line, within a window
            lo = text.rfind("\n", max(0, start - _FALLBACK_WINDOW), start) + 1
            hi = text.find("\n", end, end + _FALLBACK_WINDOW)
            out.append(
                (
                    max(lo, start - _FALLBACK_WINDOW),
                    hi if hi >= 0 else min(len(text), end + _FALLBACK_WINDOW),
                )
            )
    return out


def featurize(text: str, spans: Sequence[tuple[int, int]]) -> list[TargetFeatures]:
    """Features of each target span of ``text`` (the same path as :func:`score`).

    Args:
        text: Any text: a sentence or a whole article body.
        spans: ``(start, end)`` character offsets of the targets.

    Returns:
        One :class:`TargetFeatures` per span, scopes as offsets into ``text``.
    """
    cache: dict[tuple[int, int], _Sentence] = {}
    out: list[TargetFeatures] = []
    for (start, end), (lo, hi) in zip(spans, _sentence_ranges(text, spans), strict=True):
        sent = cache.get((lo, hi))
        if sent is None:
            sent = cache[(lo, hi)] = _Sentence(text[lo:hi])
        out.append(_target_features(sent, start - lo, end - lo, lo))
    return out


# --- Inference ------------------------------------------------------------------------------


def group_vocab(vocab: dict[str, int]) -> dict[str, dict[str, int]]:
    """Split a ``group:n-gram`` vocabulary by group: group -> n-gram -> column."""
    groups: dict[str, dict[str, int]] = {}
    for name, i in vocab.items():
        group, _, gram = name.partition(":")
        groups.setdefault(group, {})[gram] = i
    return groups


def _lookup(index: VocabIndex, words: npt.NDArray[np.int64], order: int) -> npt.NDArray[np.int64]:
    """``(len(words), 3)`` columns of the n-grams of ``order`` words starting at each position
    of a sequence of word numbers (-1 where not in the vocabulary)."""
    if order == 1:  # a word's number is its row; -1 picks the last, that of _NO_KEY
        return index.context[0][words]
    keys, known = _ngram_keys(words, order, max(len(index.words), 1))
    vocab_keys = index.keys[order - 1]
    rows = np.full(len(keys), len(vocab_keys) - 1)  # _NO_KEY's, unless found
    numbered = np.flatnonzero(known)
    by_key = np.argsort(keys[numbered])  # a search for sorted keys reads the table in order
    wanted = keys[numbered[by_key]]
    found = np.searchsorted(vocab_keys, wanted)  # at most the row of _NO_KEY
    hit = vocab_keys[found] == wanted
    rows[numbered[by_key[hit]]] = found[hit]
    return index.context[order - 1][rows]


def _context_columns(
    index: VocabIndex, features: Sequence[TargetFeatures]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Rows (feature positions) and columns (-1 where not in the vocabulary) of the targets'
    context n-grams, repeats included: each sentence's n-grams are looked up once, and each
    target takes its :func:`context_ranges` of them."""
    sentences: dict[Ngrams, int] = {}
    for f in features:
        sentences.setdefault(f.ngrams, len(sentences))
    tokens = [g.unigrams for g in sentences]
    lengths = np.asarray(list(map(len, tokens)), dtype=np.int64)
    bases = np.cumsum(lengths) - lengths  # where each sentence starts in one token sequence
    flat = itertools.chain.from_iterable(tokens)
    words = np.fromiter(
        map(index.words.get, flat, itertools.repeat(-1)), dtype=np.int64, count=int(lengths.sum())
    )
    # the n-gram of order o at position p, group k: columns[((o - 1) * len(words) + p) * 3 + k]
    columns = np.stack([_lookup(index, words, o) for o in range(1, MAX_ORDER + 1)]).ravel()
    targets = np.asarray(
        [(sentences[f.ngrams], f.first, f.last, f.lo, f.hi) for f in features], dtype=np.int64
    )
    sentence = targets[:, 0]
    ranges = context_ranges(*targets[:, 1:].T)
    # one row per range kind, one column per target
    order = np.asarray([[order] for _, order, _, _ in ranges], dtype=np.int64)
    group = np.asarray([[CONTEXT_GROUPS.index(g)] for g, _, _, _ in ranges], dtype=np.int64)
    size = np.maximum(lengths[sentence] - (order - 1), 0)
    begin = np.minimum(np.stack([start for _, _, start, _ in ranges]), size)  # a slice's bounds
    count = np.maximum(np.minimum(np.stack([stop for *_, stop in ranges]), size) - begin, 0)
    position = (order - 1) * len(words) + bases[sentence] + begin
    starts = (position * len(CONTEXT_GROUPS) + group).ravel()
    count = count.ravel()
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    picked = np.repeat(starts, count) + len(CONTEXT_GROUPS) * step
    rows = np.repeat(np.tile(np.arange(len(features), dtype=np.int64), len(ranges)), count)
    return rows, columns[picked]


def _own_columns(
    vocab: dict[str, int], features: Sequence[TargetFeatures]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Rows and columns (-1 where not in the vocabulary) of the targets' own features."""
    counts = [len(f.own) for f in features]
    names = itertools.chain.from_iterable(f.own for f in features)
    cols = np.fromiter(
        map(vocab.get, names, itertools.repeat(-1)), dtype=np.int64, count=sum(counts)
    )
    return np.repeat(np.arange(len(features), dtype=np.int64), counts), cols


def feature_indices(
    index: VocabIndex, features: Sequence[TargetFeatures]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row and column indices of the binary features present (each once per target).

    Args:
        index: From :func:`vocab_index` (:attr:`LinearModel.index`).
        features: From :func:`featurize`.

    Returns:
        ``(rows, cols)``, sorted by row then column.
    """
    if not features:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    context_rows, context_cols = _context_columns(index, features)
    own_rows, own_cols = _own_columns(index.vocab, features)
    rows = np.concatenate([context_rows, own_rows])
    cols = np.concatenate([context_cols, own_cols])
    present = cols >= 0
    keys = (rows[present] << 32) | cols[present]  # (row, column) in one sortable number
    keys.sort()
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])  # each feature once per target
    keys = keys[first]
    return keys >> 32, keys & 0xFFFFFFFF


def decision(model: LinearModel, features: Sequence[TargetFeatures]) -> npt.NDArray[np.float64]:
    """Class scores (log-odds up to a constant), ``(len(features), 3)``, :data:`LABELS` order."""
    if not features:
        return np.zeros((0, 3), dtype=np.float64)
    rows, cols = feature_indices(model.index, features)
    return _decide(model, rows, cols, [f.dense for f in features])


def _decide(
    model: LinearModel,
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    dense_rows: Sequence[tuple[float, ...]],
) -> npt.NDArray[np.float64]:
    n = len(dense_rows)
    z = np.zeros((n, 3), dtype=np.float64)
    if n == 0:
        return z
    w = model.weights[cols].astype(np.float64)
    for c in range(3):
        z[:, c] = np.bincount(rows, weights=w[:, c], minlength=n)
    width = len(DENSE_NAMES)
    dense = np.fromiter(
        itertools.chain.from_iterable(dense_rows), dtype=np.float64, count=n * width
    ).reshape(n, width)  # one flat pass: faster than discovering the shape of nested rows
    dense = (dense - model.dense_mean) / model.dense_scale
    z += dense @ model.dense_weights.astype(np.float64)
    z += model.bias
    return z


def predict(
    model: LinearModel, features: Sequence[TargetFeatures]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Polarity and label index of each target (:func:`signed_probability`).

    Args:
        model: A loaded model.
        features: From :func:`featurize`.

    Returns:
        ``(polarity, labels)``; labels index :data:`LABELS` (after the class offsets).
    """
    return _probabilities(model, decision(model, features))


def _probabilities(
    model: LinearModel, z: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    return signed_probability(z + model.class_offsets)


def log_probabilities(
    model: LinearModel, features: Sequence[TargetFeatures]
) -> npt.NDArray[np.float64]:
    """Log class probabilities after the model's class offsets, ``(len(features), 3)`` in
    :data:`LABELS` order: what the ``transformer`` backend adds to its own (its model file says
    with what weight; :func:`analysis.transformer.class_scores`). Plain numpy, as in
    :func:`signed_probability`: ``scipy.special`` would add a third of a second to every
    worker's start-up for three lines."""
    z = decision(model, features) + model.class_offsets
    z -= z.max(axis=1, keepdims=True)
    return np.asarray(z - np.log(np.exp(z).sum(axis=1, keepdims=True)), dtype=np.float64)


#: Model backends: a neutral mention's polarity is this share of ``P(positive) - P(negative)``.
#: When neutral is the most probable class that difference is at most 1/2 in size, so a neutral
#: polarity lies within ±1/4 and a polar one (its class's probability, at least 1/3) outside ±0.3.
NEUTRAL_LEAN_SCALE = 0.5
#: The neutral band of the model backends' labels: any band between 1/4 and 1/3 gives the label.
MODEL_NEUTRAL_BAND = 0.3


def signed_probability(
    z: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Label and polarity of each row of class scores (:data:`LABELS` order), one definition.

    The label is the most probable class of ``softmax(z)``. The polarity of a polar label is
    that class's probability signed by it (``+P(positive)`` or ``-P(negative)``, at least 1/3
    in size, exactly 1/3 only when all three classes tie: never shown as 0.00); that of a
    neutral label is its lean,
    :data:`NEUTRAL_LEAN_SCALE` ``* (P(positive) - P(negative))``, within ±1/4. So the label is
    always the sign class of the polarity outside the band ±:data:`MODEL_NEUTRAL_BAND`, and a
    mean over mentions keeps what the neutral ones lean to (the stance of an article toward an
    actor; README, "Polarity and label, one definition", gives the figures).

    Returns:
        ``(polarity, labels)``; labels index :data:`LABELS`.
    """
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    labels: npt.NDArray[np.int64] = p.argmax(axis=1)
    sign = labels - 1  # negative -1, neutral 0, positive +1
    polar = sign * p[np.arange(len(labels)), labels]
    lean = NEUTRAL_LEAN_SCALE * (p[:, 2] - p[:, 0])
    polarity = np.where(labels == 1, lean, polar)
    return polarity.astype(np.float64), labels


def score_batch(
    items: Iterable[tuple[str, Sequence[tuple[int, int]]]],
    *,
    model: LinearModel | str | Path | None = None,
) -> list[list[tuple[float, str, int, int]]]:
    """Score many texts at once (one numpy pass for all their targets).

    Args:
        items: ``(text, spans)`` pairs.
        model: A model, a model file, or None for the packaged model.

    Returns:
        Per item, per span: ``(polarity, label, scope_start, scope_end)``.
    """
    m = model if isinstance(model, LinearModel) else load_model(model)
    per_item = [featurize(text, spans) for text, spans in items]
    features = [f for found in per_item for f in found]
    polarity, labels = predict(m, features)
    out: list[list[tuple[float, str, int, int]]] = []
    k = 0
    for found in per_item:
        out.append(
            [
                (float(polarity[i]), LABELS[int(labels[i])], f.scope_start, f.scope_end)
                for i, f in enumerate(found, start=k)
            ]
        )
        k += len(found)
    return out


def score(
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    model: LinearModel | str | Path | None = None,
) -> list[tuple[float, str, int, int]]:
    """Sentiment toward each target span of ``text`` (the ``"learned"`` sentiment backend).

    Args:
        text: Any text: a sentence or a whole article body.
        spans: ``(start, end)`` character offsets of the targets (validated by the caller,
            :func:`analysis.sentiment.target_sentiment`).
        model: A model, a model file, or None for the packaged model.

    Returns:
        Per span: ``(polarity, label, scope_start, scope_end)``: the label is the most
        probable class, the polarity its probability signed by it or, when neutral, the
        lean of the polar classes (see :func:`signed_probability`); the scope is the
        target's clause.

    Raises:
        ModelError: The model file is missing, corrupted or from another version.
    """
    return score_batch([(text, spans)], model=model)[0]


# --- Model file -----------------------------------------------------------------------------

#: Fixed timestamp of every member of the model archive (the earliest a zip can hold), so the
#: same model gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _utf8(text: str) -> npt.NDArray[np.uint8]:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def npz_bytes(arrays: Mapping[str, npt.NDArray[Any]]) -> bytes:
    """Arrays as ``.npz`` bytes, deterministically (fixed member order, timestamps, modes).

    Args:
        arrays: Name -> array (no object arrays), written in the mapping's order.

    Returns:
        A zip archive readable by ``numpy.load(..., allow_pickle=False)``.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for key, arr in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, arr, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def _array(npz: Any, key: str, source: str, what: str) -> npt.NDArray[Any]:
    if f"{key}.npy" not in npz.zip.namelist():
        raise ModelError(source, f"not a {what} file: array {key!r} is missing")
    arr: npt.NDArray[Any] = npz[key]
    return arr


def _check(ok: bool, source: str, reason: str) -> None:
    if not ok:
        raise ModelError(source, f"corrupted model file: {reason}")


def read_npz(
    data: bytes, source: str, keys: Sequence[str], *, version: int, what: str, retrain: str
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
    """Read a model archive written by :func:`npz_bytes`, without unpickling anything.

    The archive must hold a scalar ``format_version`` equal to ``version`` and a UTF-8 JSON
    object ``meta_json``, besides ``keys``.

    Args:
        data: The file's bytes.
        source: The file name, for error messages.
        keys: The arrays to read (besides ``format_version`` and ``meta_json``).
        version: The format version this code reads.
        what: What the file is ("learned sentiment model"), for error messages.
        retrain: The command that writes a current file, for error messages.

    Returns:
        ``(arrays, meta)``.

    Raises:
        ModelError: Not a readable archive of this format version (the message names the file).
    """
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            found = _array(npz, "format_version", source, what)
            if found.shape != () or found.dtype.kind not in "iu":
                raise ModelError(source, "corrupted model file: bad format_version")
            if int(found) != version:
                raise ModelError(
                    source,
                    f"{what} file format version {int(found)} is not supported (this version "
                    f"of analysis reads format version {version}); retrain with `{retrain}`",
                )
            arrays = {key: _array(npz, key, source, what) for key in ("meta_json", *keys)}
    except ModelError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(source, f"cannot read model file ({reason})") from exc
    raw = arrays.pop("meta_json")
    _check(raw.dtype == np.uint8 and raw.ndim == 1, source, "bad meta_json")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelError(source, f"corrupted model file: {exc}") from exc
    _check(isinstance(meta, dict), source, "metadata is not a JSON object")
    return arrays, meta


def check_floats(
    arrays: Mapping[str, npt.NDArray[Any]], shapes: Mapping[str, tuple[int, ...]], source: str
) -> None:
    """Raise :class:`ModelError` unless each named array is finite floating point of its shape."""
    for key, shape in shapes.items():
        arr = arrays[key]
        _check(arr.dtype.kind == "f", source, f"{key} is not floating point")
        _check(arr.shape == shape, source, f"{key} has shape {arr.shape}, expected {shape}")
        _check(bool(np.isfinite(arr).all()), source, f"{key} holds non-finite values")


def model_to_bytes(model: LinearModel) -> bytes:
    """The model as ``.npz`` bytes: the same model always gives the same bytes.

    Args:
        model: The model to serialise (``meta`` must be JSON-compatible).

    Returns:
        A zip archive of ``.npy`` arrays readable by ``numpy.load(..., allow_pickle=False)``.
    """
    names = sorted(model.vocab, key=model.vocab.__getitem__)
    meta = dict(model.meta)
    meta["format_version"] = FORMAT_VERSION
    meta["features_version"] = FEATURES_VERSION
    meta["labels"] = list(LABELS)
    meta["dense_names"] = list(DENSE_NAMES)
    return npz_bytes(
        {
            "format_version": np.asarray(FORMAT_VERSION, dtype=np.int64),
            "meta_json": _utf8(json.dumps(meta, sort_keys=True, ensure_ascii=False)),
            "vocab_utf8": _utf8("\n".join(names)),
            "weights": np.ascontiguousarray(model.weights, dtype="<f4"),
            "dense_weights": np.ascontiguousarray(model.dense_weights, dtype="<f4"),
            "dense_mean": np.ascontiguousarray(model.dense_mean, dtype="<f4"),
            "dense_scale": np.ascontiguousarray(model.dense_scale, dtype="<f4"),
            "bias": np.ascontiguousarray(model.bias, dtype="<f4"),
            "class_offsets": np.ascontiguousarray(model.class_offsets, dtype="<f4"),
        }
    )


def save_model(model: LinearModel, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (see :func:`model_to_bytes`); returns the path."""
    p = Path(path)
    p.write_bytes(model_to_bytes(model))
    return p


#: The command that writes a model file of the current versions.
_RETRAIN = "python -m analysis train sentiment --backend learned"


def model_from_bytes(data: bytes, source: str) -> LinearModel:
    """Read a model from ``.npz`` bytes without unpickling anything.

    Args:
        data: The file's bytes.
        source: The file name, for error messages.

    Returns:
        The model.

    Raises:
        ModelError: The bytes are not a complete model of this format and features version.
    """
    keys = ("vocab_utf8", "weights", "dense_weights", "dense_mean", "dense_scale", "bias")
    arrays, meta = read_npz(
        data,
        source,
        (*keys, "class_offsets"),
        version=FORMAT_VERSION,
        what="learned sentiment model",
        retrain=_RETRAIN,
    )
    features = meta.get("features_version")
    if features != FEATURES_VERSION:
        raise ModelError(
            source,
            f"model was trained on features version {features}; this version of analysis "
            f"extracts features version {FEATURES_VERSION}; retrain with `{_RETRAIN}`",
        )
    _check(meta.get("dense_names") == list(DENSE_NAMES), source, "dense feature names differ")
    raw = arrays["vocab_utf8"]
    _check(raw.dtype == np.uint8 and raw.ndim == 1, source, "bad vocab_utf8")
    try:
        vocab_text = raw.tobytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(source, f"corrupted model file: {exc}") from exc
    names = vocab_text.split("\n") if vocab_text else []
    vocab = {name: i for i, name in enumerate(names)}
    _check(len(vocab) == len(names), source, "duplicate vocabulary entries")
    n_dense = len(DENSE_NAMES)
    check_floats(
        arrays,
        {
            "weights": (len(names), 3),
            "dense_weights": (n_dense, 3),
            "dense_mean": (n_dense,),
            "dense_scale": (n_dense,),
            "bias": (3,),
            "class_offsets": (3,),
        },
        source,
    )
    _check(bool((arrays["dense_scale"] > 0).all()), source, "dense_scale must be positive")
    return LinearModel(
        vocab=vocab,
        weights=arrays["weights"].astype(np.float32),
        dense_weights=arrays["dense_weights"].astype(np.float32),
        dense_mean=arrays["dense_mean"].astype(np.float32),
        dense_scale=arrays["dense_scale"].astype(np.float32),
        bias=arrays["bias"].astype(np.float32),
        class_offsets=arrays["class_offsets"].astype(np.float32),
        meta=meta,
        source=source,
    )


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int, size: int) -> LinearModel:
    del mtime_ns, size  # part of the cache key only: a rewritten file is read again
    return model_from_bytes(Path(path).read_bytes(), path)


def packaged_bytes(resource: str) -> tuple[bytes, str]:
    """The bytes of a model file packaged in ``analysis/data`` and the name to report it by.

    Raises:
        ModelError: The packaged file is missing.
    """
    source = f"analysis/data/{resource}"
    try:
        return (importlib.resources.files("analysis") / "data" / resource).read_bytes(), source
    except OSError as exc:
        raise ModelError(source, f"packaged model is missing ({exc.strerror or exc})") from exc


def file_key(path: str | Path) -> tuple[str, int, int]:
    """``(path, mtime_ns, size)`` of a model file: a cache key that a rewritten file changes.

    Raises:
        ModelError: The file cannot be read.
    """
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise ModelError(str(p), f"cannot read model file ({exc.strerror or exc})") from exc
    return str(p), st.st_mtime_ns, st.st_size


@functools.cache
def _default_model() -> LinearModel:
    return model_from_bytes(*packaged_bytes(MODEL_RESOURCE))


def fingerprint(model: LinearModel) -> str:
    """SHA-256 of a model's weights, intercepts and class offsets (what it computes, wherever it
    was read from): the ``transformer`` backend records the one it was calibrated with."""
    if model is _default_model():
        return _default_fingerprint()
    return _fingerprint(model)


@functools.cache
def _default_fingerprint() -> str:
    return _fingerprint(_default_model())


def _fingerprint(model: LinearModel) -> str:
    digest = hashlib.sha256()
    for array in (
        model.weights,
        model.dense_weights,
        model.dense_mean,
        model.dense_scale,
        model.bias,
        model.class_offsets,
    ):
        digest.update(np.ascontiguousarray(array, dtype="<f4").tobytes())
    return digest.hexdigest()


def load_model(path: str | Path | None = None) -> LinearModel:
    """Load a model file (cached); the packaged model when ``path`` is None.

    Args:
        path: A file written by :func:`save_model` or ``python -m analysis train``.

    Returns:
        The model.

    Raises:
        ModelError: The file is missing, corrupted, truncated or from another version.
    """
    if path is None:
        return _default_model()
    return _load_cached(*file_key(path))


# --- Evaluation -----------------------------------------------------------------------------


def load_newsmtsc(path: str | Path) -> list[Example]:
    """Read a NewsMTSC ``.jsonl`` split.

    Args:
        path: A file such as ``../shared/benchmarks/newsmtsc/dev-rw.jsonl``.

    Returns:
        The labelled targets in file order.

    Raises:
        InputError: The file is missing or a row is malformed (names ``file:row``).
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(str(p), f"cannot read NewsMTSC split ({exc.strerror or exc})") from exc
    out: list[Example] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            sentence, start, end = row["sentence"], int(row["from"]), int(row["to"])
            polarity = int(row["polarity"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{p}:{n}", f"not a NewsMTSC row ({exc})") from exc
        if polarity not in (-1, 0, 1) or not 0 <= start < end <= len(sentence):
            raise InputError(f"{p}:{n}", "polarity or target offsets out of range")
        out.append(Example(sentence, start, end, polarity + 1, str(row.get("id", ""))))
    return out


def macro_f1(gold: npt.ArrayLike, pred: npt.ArrayLike, n_classes: int = 3) -> float:
    """Macro-averaged F1 over ``n_classes`` classes (a class never seen nor predicted scores 0).

    Args:
        gold: True label indices.
        pred: Predicted label indices.
        n_classes: Number of classes.

    Returns:
        Macro-F1 in [0, 1].
    """
    g = np.asarray(gold, dtype=np.int64)
    p = np.asarray(pred, dtype=np.int64)
    f1s = []
    for c in range(n_classes):
        tp = int(((g == c) & (p == c)).sum())
        fp = int(((g != c) & (p == c)).sum())
        fn = int(((g == c) & (p != c)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(f1s))


def featurize_examples(examples: Sequence[Example]) -> list[TargetFeatures]:
    """Features of labelled examples, each read in its own sentence as :func:`score` does."""
    out: list[TargetFeatures] = []
    for ex in examples:
        out.extend(featurize(ex.sentence, [(ex.start, ex.end)]))
    return out


def evaluate(
    examples: Sequence[Example], *, model: LinearModel | str | Path | None = None
) -> dict[str, float]:
    """Macro-F1 and accuracy (in percent) of a model on labelled targets.

    Args:
        examples: E.g. from :func:`load_newsmtsc`.
        model: A model, a model file, or None for the packaged model.

    Returns:
        ``{"macro_f1": ..., "accuracy": ..., "n": ...}``.
    """
    m = model if isinstance(model, LinearModel) else load_model(model)
    _, pred = predict(m, featurize_examples(examples))
    gold = [ex.label for ex in examples]
    acc = float(np.mean(np.asarray(gold) == pred)) if examples else 0.0
    return {"macro_f1": 100 * macro_f1(gold, pred), "accuracy": 100 * acc, "n": len(examples)}
