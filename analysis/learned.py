"""Learned target-dependent sentiment: a linear model over the target's contexts.

The model follows the feature design of the target-dependent sentiment literature for linear
models (Jiang et al. 2011; Kiritchenko et al. 2014; Vo & Zhang 2015): word n-grams of the left
context, the right context and the target's clause (with the target masked), plus lexicon scores
(TextBlob/Pattern and VADER, Hutto & Gilbert 2014) of the clause and the context windows. It is
trained on NewsMTSC (Hamborg & Donnay 2021, MIT licence; see ``data/NEWSMTSC_LICENSE.txt``) by
``python -m analysis train sentiment --backend learned``.

The shipped model is a plain ``.npz`` data file (vocabulary, weights, class offsets,
hyperparameters, versions) read with ``allow_pickle=False`` and applied with numpy, so inference
needs neither scikit-learn nor code execution from a data file.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis.errors import InputError

__all__ = [
    "FORMAT_VERSION",
    "LABELS",
    "MODEL_RESOURCE",
    "Example",
    "LinearModel",
    "ModelError",
    "TargetContext",
    "evaluate",
    "extract_features",
    "load_model",
    "load_newsmtsc",
    "macro_f1",
    "predict_proba",
    "save_model",
    "score",
    "score_batch",
    "target_context",
]

#: Version of the model file layout; a file written with another version is refused.
FORMAT_VERSION = 1
#: Name of the default model inside ``analysis/data``.
MODEL_RESOURCE = "learned_sentiment.npz"
#: Class order of the weight columns (NewsMTSC polarity -1, 0, 1).
LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")

#: Words, numbers and contractions as one token; every other non-space character on its own.
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]")
#: Digits are folded to one symbol: numbers carry no polarity, only their presence does.
_DIGIT = re.compile(r"\d")
#: Placeholder for the target inside the clause, so "<t> blamed" generalises across names.
TARGET_TOKEN = "<t>"
#: Punctuation that ends a clause (quotation marks do not: quoted words belong to the clause).
CLAUSE_PUNCT = frozenset({",", ";", ":", "(", ")", "[", "]", "—", "–", ".", "?", "!"})
#: Conjunctions that start a new clause with its own stance.
CLAUSE_WORDS = frozenset({"but", "while", "although", "though", "whereas", "however", "yet"})
#: A clause with fewer words than this besides the target is widened past its boundaries
#: (an appositive or list item alone says nothing about the target).
MIN_CLAUSE_WORDS = 4
#: Tokens next to the target that also get position-marked features (the strongest cues).
NEAR_WINDOW = 3
#: Words that flip the polarity of what follows until the end of the clause.
NEGATIONS = frozenset({"not", "no", "never", "n't", "without", "nor", "cannot"})


class ModelError(InputError):
    """A model file that cannot be used: corrupted, truncated or from another format version."""


@dataclass(frozen=True, slots=True)
class TargetContext:
    """A target inside its sentence; offsets are relative to ``sentence``.

    Attributes:
        sentence: The sentence text containing the target.
        start: Target start in ``sentence``.
        end: Target end in ``sentence`` (exclusive).
        clause_start: Start of the target's clause in ``sentence``.
        clause_end: End of the target's clause in ``sentence`` (exclusive).
        offset: Position of ``sentence`` in the text it came from.
    """

    sentence: str
    start: int
    end: int
    clause_start: int
    clause_end: int
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled target (NewsMTSC row): ``label`` is 0 negative, 1 neutral, 2 positive."""

    sentence: str
    start: int
    end: int
    label: int
    id: str = ""


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A trained linear model, as stored in the model file.

    Attributes:
        vocab: Sparse feature name -> row of ``weights``.
        weights: ``(len(vocab), 3)`` weights of the sparse (binary) features.
        dense_names: Names of the dense (lexicon score) features.
        dense_weights: ``(len(dense_names), 3)`` weights of the standardised dense features.
        dense_mean: Mean used to standardise each dense feature.
        dense_scale: Scale used to standardise each dense feature.
        bias: ``(3,)`` intercepts.
        class_offsets: ``(3,)`` added to the log-odds before choosing the label.
        meta: Hyperparameters, data description, scores and versions (JSON-compatible).
        source: Where the model was read from (for error messages).
    """

    vocab: dict[str, int]
    weights: npt.NDArray[np.float32]
    dense_names: tuple[str, ...]
    dense_weights: npt.NDArray[np.float32]
    dense_mean: npt.NDArray[np.float32]
    dense_scale: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    class_offsets: npt.NDArray[np.float32]
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = "<memory>"


# --------------------------------------------------------------------------------------------
# Context: sentence, clause, windows
# --------------------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _clause_bounds(tokens: list[tuple[str, int, int]], start: int, end: int, n: int) -> tuple[int, int]:
    """Token indices ``[lo, hi)`` of the clause around the target span ``[start, end)``."""
    first = 0
    while first < len(tokens) and tokens[first][2] <= start:
        first += 1
    last = first
    while last < len(tokens) and tokens[last][1] < end:
        last += 1
    lo, hi = first, last

    def is_boundary(tok: str) -> bool:
        return tok in CLAUSE_PUNCT or tok in CLAUSE_WORDS

    words = 0
    while True:
        while lo > 0 and not is_boundary(tokens[lo - 1][0]):
            lo -= 1
        while hi < len(tokens) and not is_boundary(tokens[hi][0]):
            hi += 1
        words = sum(1 for t in tokens[lo:first] + tokens[last:hi] if t[0][0].isalnum())
        if words >= MIN_CLAUSE_WORDS or (lo == 0 and hi == len(tokens)):
            break
        # widen past the nearer boundary on the side that has one, right side first
        if hi < len(tokens):
            hi += 1
        if lo > 0 and words < MIN_CLAUSE_WORDS:
            lo -= 1
    del n
    return lo, hi


def target_context(sentence: str, start: int, end: int, offset: int = 0) -> TargetContext:
    """Locate the target's clause inside its sentence.

    Args:
        sentence: The sentence containing the target.
        start: Target start in ``sentence``.
        end: Target end in ``sentence`` (exclusive).
        offset: Position of ``sentence`` in the text it came from (kept for the caller).

    Returns:
        The target with its clause bounds.
    """
    toks = _tokens(sentence)
    if not toks:
        return TargetContext(sentence, start, end, start, end, offset)
    lo, hi = _clause_bounds(toks, start, end, len(toks))
    c_start = min(start, toks[lo][1]) if lo < len(toks) else start
    c_end = max(end, toks[hi - 1][2]) if hi > 0 else end
    return TargetContext(sentence, start, end, c_start, c_end, offset)


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------


@functools.cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _pattern(text: str) -> tuple[float, float]:
    from textblob.en import sentiment

    pol, subj = sentiment(text)
    return float(pol), float(subj)


DENSE_WINDOWS = ("clause", "left", "right", "sentence")
DENSE_SCORES = ("tb_pol", "tb_subj", "vader_compound", "vader_pos", "vader_neg")
DENSE_NAMES: tuple[str, ...] = tuple(f"{w}:{s}" for w in DENSE_WINDOWS for s in DENSE_SCORES)


def _lexicon_scores(text: str) -> list[float]:
    if not text.strip():
        return [0.0] * len(DENSE_SCORES)
    pol, subj = _pattern(text)
    v = _vader().polarity_scores(text)
    return [pol, subj, float(v["compound"]), float(v["pos"]), float(v["neg"])]


def _norm(tok: str) -> str:
    return _DIGIT.sub("0", tok)


def _ngrams(prefix: str, toks: list[str], n_max: int, out: list[str]) -> None:
    for n in range(1, n_max + 1):
        for i in range(len(toks) - n + 1):
            out.append(prefix + " ".join(toks[i : i + n]))


def _negate(toks: list[str]) -> list[str]:
    out = []
    neg = False
    for t in toks:
        if t in CLAUSE_PUNCT:
            neg = False
            out.append(t)
            continue
        out.append(t + "_NEG" if neg and t[0].isalnum() else t)
        if t in NEGATIONS or t.endswith("n't"):
            neg = True
    return out


def extract_features(ctx: TargetContext) -> tuple[list[str], list[float]]:
    """Sparse feature names and dense lexicon scores of one target.

    Args:
        ctx: The target in its sentence.

    Returns:
        ``(names, dense)``: binary n-gram features (may repeat) and one value per
        :data:`DENSE_NAMES`.
    """
    s = ctx.sentence
    toks = _tokens(s)
    left = [_norm(t) for t, a, b in toks if b <= ctx.start]
    right = [_norm(t) for t, a, b in toks if a >= ctx.end]
    clause_l = [_norm(t) for t, a, b in toks if b <= ctx.start and a >= ctx.clause_start]
    clause_r = [_norm(t) for t, a, b in toks if a >= ctx.end and b <= ctx.clause_end]
    clause = _negate([*clause_l, TARGET_TOKEN, *clause_r])
    feats: list[str] = []
    _ngrams("l:", _negate(left), 2, feats)
    _ngrams("r:", _negate(right), 2, feats)
    _ngrams("c:", clause, 3, feats)
    for i, t in enumerate(reversed(left[-NEAR_WINDOW:])):
        feats.append(f"l{i}:{t}")
    for i, t in enumerate(right[:NEAR_WINDOW]):
        feats.append(f"r{i}:{t}")
    if not left:
        feats.append("pos:first")
    if not right or all(not t[0].isalnum() for t in right):
        feats.append("pos:last")
    masked_clause = s[ctx.clause_start : ctx.start] + " " + s[ctx.end : ctx.clause_end]
    dense = (
        _lexicon_scores(masked_clause)
        + _lexicon_scores(s[: ctx.start])
        + _lexicon_scores(s[ctx.end :])
        + _lexicon_scores(s)
    )
    return feats, dense


# --------------------------------------------------------------------------------------------
# Model: inference, file format
# --------------------------------------------------------------------------------------------


def _softmax(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


def decision(
    model: LinearModel, features: Sequence[tuple[list[str], list[float]]]
) -> npt.NDArray[np.float64]:
    """Raw class scores (log-odds up to a constant), ``(len(features), 3)``."""
    n = len(features)
    z = np.zeros((n, 3), dtype=np.float64)
    if n == 0:
        return z
    vocab = model.vocab
    w = model.weights
    for i, (names, _) in enumerate(features):
        idx = {vocab[f] for f in names if f in vocab}
        if idx:
            z[i] = w[list(idx)].sum(axis=0)
    dense = np.asarray([d for _, d in features], dtype=np.float64)
    dense = (dense - model.dense_mean) / model.dense_scale
    z += dense @ model.dense_weights.astype(np.float64)
    z += model.bias
    return z


def predict_proba(
    model: LinearModel, features: Sequence[tuple[list[str], list[float]]]
) -> npt.NDArray[np.float64]:
    """Class probabilities ``(len(features), 3)`` in :data:`LABELS` order."""
    return _softmax(decision(model, features))


def predict_labels(
    model: LinearModel, features: Sequence[tuple[list[str], list[float]]]
) -> npt.NDArray[np.int64]:
    """Label indices (0 negative, 1 neutral, 2 positive) after the class offsets."""
    z = decision(model, features) + model.class_offsets
    out: npt.NDArray[np.int64] = z.argmax(axis=1)
    return out
