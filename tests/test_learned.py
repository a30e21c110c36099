"""Tests of the learned (linear) target-sentiment backend and its training command."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import learned
from analysis.errors import AnalysisError, InputError
from analysis.learned import LABELS, Example, ModelError

ROOT = Path(__file__).resolve().parents[1]
NEWSMTSC = ROOT.parent / "shared" / "benchmarks" / "newsmtsc"
SEED = ROOT / "seeds" / "000_bd50dbdc2ca17a54.txt"
needs_newsmtsc = pytest.mark.skipif(
    not (NEWSMTSC / "train.jsonl").is_file(), reason="NewsMTSC benchmark folder not present"
)

# --- A small synthetic corpus: the stance is carried by the verb next to the target ------------

_VERBS = {
    0: ["accused", "attacked", "condemned", "criticized", "blamed", "denounced"],
    1: ["met", "called", "visited", "interviewed", "phoned", "joined"],
    2: ["praised", "thanked", "applauded", "welcomed", "celebrated", "hailed"],
}
_SUBJECTS = ["The senator", "Officials", "Her rival", "The committee", "Reporters"]
_TAILS = ["on Monday.", "after the vote.", "in a statement.", "at the summit.", "again."]
_NAMES = [f"{a} {b}" for a in ("Ann", "Bob", "Cy", "Di", "Ed", "Flo") for b in ("Li", "Ng", "Ross")]


def _synthetic(n: int, names: list[str], seed: int) -> list[Example]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        label = int(rng.integers(3))
        verb = _VERBS[label][int(rng.integers(len(_VERBS[label])))]
        subj = _SUBJECTS[int(rng.integers(len(_SUBJECTS)))]
        name = names[int(rng.integers(len(names)))]
        tail = _TAILS[int(rng.integers(len(_TAILS)))]
        prefix = f"{subj} {verb} "
        sentence = f"{prefix}{name} {tail}"
        out.append(Example(sentence, len(prefix), len(prefix) + len(name), label))
    return out


def _train_synthetic(n: int = 300) -> learned.LinearModel:
    from analysis.train import train_learned

    train = _synthetic(n, _NAMES[:12], seed=1)
    dev = {"dev": _synthetic(60, _NAMES[12:], seed=2)}
    return train_learned(
        train, dev, grid_c=(0.1, 1.0), grid_dense_weight=(1.0,), log=lambda _line: None
    )


@pytest.fixture(scope="module")
def small_model() -> learned.LinearModel:
    return _train_synthetic()


@pytest.fixture(scope="module")
def small_model_bytes(small_model: learned.LinearModel) -> bytes:
    return learned.model_to_bytes(small_model)


# --- Training ---------------------------------------------------------------------------------


def test_synthetic_training_learns_the_verbs(small_model: learned.LinearModel) -> None:
    held_out = _synthetic(90, _NAMES[12:], seed=3)
    scores = learned.evaluate(held_out, model=small_model)
    assert scores["macro_f1"] > 90
    assert small_model.meta["hyperparameters"]["C"] in (0.1, 1.0)
    assert small_model.meta["dev_macro_f1"]["dev"] > 90


def test_training_is_byte_for_byte_deterministic(small_model_bytes: bytes) -> None:
    again = learned.model_to_bytes(_train_synthetic())
    assert again == small_model_bytes


def test_save_and_load_round_trip(small_model: learned.LinearModel, tmp_path: Path) -> None:
    path = learned.save_model(small_model, tmp_path / "m.npz")
    loaded = learned.load_model(path)
    assert loaded.vocab == small_model.vocab
    assert np.array_equal(loaded.weights, small_model.weights)
    assert loaded.meta["hyperparameters"] == small_model.meta["hyperparameters"]
    text = "Her rival praised Zed Quux in a statement."
    assert learned.score(text, [(18, 26)], model=loaded) == learned.score(
        text, [(18, 26)], model=small_model
    )


@needs_newsmtsc
def test_train_command_is_reproducible_on_a_slice(tmp_path: Path) -> None:
    from analysis.cli import main

    outs = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for out in outs:
        argv = ["train", "sentiment", "--backend", "learned", "--data", str(NEWSMTSC)]
        assert main([*argv, "--limit", "300", "--out", str(out), "--quiet"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    meta = learned.load_model(outs[0]).meta
    assert meta["n_train"] == 300
    assert meta["data"]["limit"] == 300
    assert set(meta["dev_macro_f1"]) == {"dev-rw", "dev-mt"}


def test_train_command_names_a_missing_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.cli import main

    missing = tmp_path / "nope"
    assert main(["train", "sentiment", "--data", str(missing), "--out", "x.npz"]) == 2
    assert f"{missing}: NewsMTSC folder not found" in capsys.readouterr().err


# --- The packaged model -----------------------------------------------------------------------


def test_packaged_model_records_its_provenance() -> None:
    model = learned.load_model()
    meta = model.meta
    assert meta["format_version"] == learned.FORMAT_VERSION
    assert meta["features_version"] == learned.FEATURES_VERSION
    assert set(meta["hyperparameters"]) >= {"C", "dense_weight", "min_df"}
    assert meta["dev_macro_f1"]["dev-rw"] >= 66
    # 62.1 before the domain files' consistency pass, 61.8 after it (the held-out domain split
    # 67.2 -> 69.7 on the same labels): the floor guards against a larger loss
    assert meta["dev_macro_f1"]["dev-mt"] >= 61.5
    # the model is the grid point with the best mean over the three dev splits (first on ties)
    means = [sum(p["dev_macro_f1"].values()) / 3 for p in meta["grid"]]
    best = meta["grid"][means.index(max(means))]
    chosen = meta["hyperparameters"]
    assert (best["C"], best["dense_weight"]) == (chosen["C"], chosen["dense_weight"])
    assert max(means) >= 66.5  # 66.81 (66.10 on the previous files)
    domain = meta["data"]["domain"]  # the written domain sentences, beside NewsMTSC's 8,739
    assert meta["n_train"] == 8739 + domain["targets"] * domain["repeat"]
    assert meta["data"]["limit"] is None
    written = ROOT / "analysis" / "data" / domain["file"]
    assert hashlib.sha256(written.read_bytes()).hexdigest() == domain["sha256"]
    assert "domain" in meta["dev_macro_f1"]  # the held-out written sentences chose it too
    resource = ROOT / "analysis" / "data" / learned.MODEL_RESOURCE
    assert resource.stat().st_size <= 5_000_000
    licence = (ROOT / "analysis" / "data" / "NEWSMTSC_LICENSE.txt").read_text(encoding="utf-8")
    assert "NewsMTSC" in licence and "Copyright 2020 Felix Hamborg" in licence


@needs_newsmtsc
@pytest.mark.parametrize("split", ["dev-rw", "dev-mt"])
def test_packaged_model_reproduces_its_recorded_dev_score(split: str) -> None:
    examples = learned.load_newsmtsc(NEWSMTSC / f"{split}.jsonl")
    scores = learned.evaluate(examples)
    assert scores["macro_f1"] == pytest.approx(
        learned.load_model().meta["dev_macro_f1"][split], abs=0.01
    )


def test_inference_needs_no_scikit_learn() -> None:
    code = (
        "import sys; sys.modules['sklearn'] = None; sys.modules['scipy'] = None\n"
        "from analysis import learned\n"
        "print(learned.score('Critics accused Smith of lying.', [(16, 21)])[0][1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "negative"


# --- score(): the backend contract ------------------------------------------------------------

GOLDEN = [
    ("accusation", "Critics accused Smith of corruption and lying to voters.", "Smith", "negative"),
    ("charge", "Prosecutors charged Miller with fraud.", "Miller", "negative"),
    ("praise", "The senator praised Garcia for her courage and leadership.", "Garcia", "positive"),
    ("victory", "The crowd cheered as Jones won a landslide victory.", "Jones", "positive"),
    ("schedule", "Brown will travel to Ohio on Tuesday.", "Brown", "neutral"),
    (
        "atrocity",
        "Terrorists killed twelve civilians in an attack on the market.",
        "Terrorists",
        "negative",
    ),
]


@pytest.mark.parametrize(("case", "text", "target", "expected"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_labels(case: str, text: str, target: str, expected: str) -> None:
    start = text.index(target)
    [(_, label, s0, s1)] = learned.score(text, [(start, start + len(target))])
    assert label == expected, case
    assert s0 <= start and start + len(target) <= s1


def test_negation_flips_the_reading() -> None:
    charged = "Prosecutors charged Miller with fraud."
    cleared = "Miller was not charged with fraud."
    [(p_charged, *_)] = learned.score(charged, [(20, 26)])
    [(p_cleared, *_)] = learned.score(cleared, [(0, 6)])
    assert p_cleared > p_charged + 0.5


def test_one_result_per_span_in_order_with_valid_values() -> None:
    text = (
        "Washington abandoned Pakistan while Moscow stood by it.\n\n"
        "Analysts in Islamabad praised Moscow. Nothing happened in Kabul."
    )
    targets = ["Washington", "Pakistan", "Moscow", "Islamabad", "Moscow.", "Kabul"]
    spans = []
    for target in targets:
        start = text.index(target, spans[-1][0] + 1 if spans else 0)
        spans.append((start, start + len(target.rstrip("."))))
    spans.append(spans[2])
    out = learned.score(text, spans)
    assert len(out) == len(spans)
    assert out[2] == out[6]
    for (start, end), (polarity, label, s0, s1) in zip(spans, out, strict=True):
        assert -1.0 <= polarity <= 1.0
        assert label in LABELS
        assert 0 <= s0 <= start < end <= s1 <= len(text)
        if label == "positive":
            assert polarity > 0
        if label == "negative":
            assert polarity < 0
    # each target is read in its own sentence: the same sentence alone gives the same result
    alone = "Analysts in Islamabad praised Moscow."
    assert learned.score(alone, [(30, 36)])[0][:2] == pytest.approx(out[4][:2])
    assert learned.score(text, []) == []


def test_batch_equals_one_by_one() -> None:
    items = [(text, [(text.index(t), text.index(t) + len(t))]) for _, text, t, _ in GOLDEN]
    batched = learned.score_batch(items)
    for (text, spans), result in zip(items, batched, strict=True):
        single = learned.score(text, spans)
        assert result[0][1:] == single[0][1:]
        assert result[0][0] == pytest.approx(single[0][0], abs=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=200), st.data())
def test_score_contract_on_any_text(text: str, data: st.DataObject) -> None:
    n = len(text)
    spans = data.draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(1, n)).map(
                lambda se: (min(se), max(se)) if se[0] != se[1] else (se[0], se[0] + 1)
            ),
            max_size=5,
        )
    )
    spans = [(a, min(b, n)) for a, b in spans if a < min(b, n)]
    out = learned.score(text, spans)
    assert out == learned.score(text, spans)
    assert len(out) == len(spans)
    for (start, end), (polarity, label, s0, s1) in zip(spans, out, strict=True):
        assert -1.0 <= polarity <= 1.0
        assert label in LABELS
        assert 0 <= s0 <= start < end <= s1 <= n


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters=".?!…\n"), max_size=120))
def test_one_line_shortcut_agrees_with_segmenter(text: str) -> None:
    from analysis.segment import sentences

    for candidate in (text, text + ".", " " + text + "! "):
        words = [i for i, ch in enumerate(candidate) if not ch.isspace()]
        if not words:
            continue
        expected = [(s.start, s.end) for s in sentences(candidate)]
        got = learned._sentence_ranges(candidate, [(words[0], words[0] + 1)])
        assert got == expected[:1]


# --- Lexicon features equal the analysers' own scores -----------------------------------------

LEXICON_CASES = [
    "The plan is not very good, but the team is great!",
    "He isn't happy and she DOESN'T like it at all.",
    "Kind of a terrible, horrible, no good, very bad day?!",
    "Officials said the talks were extremely productive.",
    "Nothing here carries any sentiment whatsoever",
    "Prices rose 12% in 2018 — an awful year for “ordinary” families.",
    "I love it 😀 but hate the wait",
]


@pytest.mark.parametrize("text", LEXICON_CASES)
def test_sentence_scores_equal_textblob_and_vader(text: str) -> None:
    from textblob.en import sentiment
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sent = learned._Sentence(text)
    tb_pol, tb_subj = sentiment(sent.lower)[:2]
    v = SentimentIntensityAnalyzer().polarity_scores(text)
    expected = [tb_pol, tb_subj, v["compound"], v["pos"], v["neg"]]
    assert sent.scores == pytest.approx(expected, abs=1e-12)


#: Words that steer VADER's and Pattern's rules (negations, boosters, idioms, "but", "least",
#: "kind of", capitals, emoticons, "!") mixed with lexicon and plain words.
_TRICKY = [
    "not",
    "no",
    "never",
    "n't",
    "without",
    "nor",
    "isn't",
    "don't",
    "very",
    "extremely",
    "kind",
    "of",
    "sort",
    "least",
    "at",
    "but",
    "good",
    "GOOD",
    "bad",
    "BAD",
    "great",
    "terrible",
    "love",
    "hate",
    "happy",
    "sad",
    "the",
    "a",
    "is",
    "was",
    "Russia",
    "Pakistan",
    "U.S.",
    "kiss",
    "death",
    "bus",
    "stop",
    "yeah",
    "right",
    "!",
    "?",
    ",",
    ".",
    ":)",
    ":(",
    "(!)",
    "really",
    "slightly",
    "-",
    "2018",
    "’s'",
    "so",
    "this",
    "doubt",
    "or",
    "despite",
    "NEVER",
    "Ain't",
    "VERY",
    "the",
    "bomb",
    "to",
    "die",
    "for",
    "beating",
    "heart",
    "just",
    "enough",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TRICKY), min_size=1, max_size=25))
def test_vader_valences_equal_vaders_own(words: list[str]) -> None:
    # Asking VADER only about the words of its lexicon gives its own valences of every word.
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

    text = " ".join(words)
    sia = SentimentIntensityAnalyzer()
    sentitext = SentiText(text)
    expected: list[float] = []
    for i, item in enumerate(sentitext.words_and_emoticons):
        low = item.lower()
        if low in BOOSTER_DICT or (
            low == "kind"
            and i < len(sentitext.words_and_emoticons) - 1
            and sentitext.words_and_emoticons[i + 1].lower() == "of"
        ):
            expected.append(0)
            continue
        expected = sia.sentiment_valence(0, sentitext, item, i, expected)
    expected = sia._but_check(sentitext.words_and_emoticons, expected)
    assert learned._vader_valences(text) == expected


def _indices_by_name(
    vocab: dict[str, int], features: list[learned.TargetFeatures]
) -> tuple[list[int], list[int]]:
    """feature_indices spelled out: each target's feature names looked up in the vocabulary."""
    rows: list[int] = []
    cols: list[int] = []
    for i, f in enumerate(features):
        found = sorted({vocab[name] for name in f.names if name in vocab})
        rows += [i] * len(found)
        cols += found
    return rows, cols


def test_feature_indices_equal_the_names_looked_up() -> None:
    # The n-grams keyed by word numbers find exactly the features their names find, in a news
    # article (every order of context n-gram present) and in the golden sentences.
    from analysis.actors import find_mentions

    model = learned.load_model()
    body = SEED.read_text(encoding="utf-8")
    features = learned.featurize(body, [(m.start, m.end) for m in find_mentions(body)])
    for _, text, target, _ in GOLDEN:
        features += learned.featurize(
            text, [(text.index(target), text.index(target) + len(target))]
        )
    rows, cols = learned.feature_indices(model.index, features)
    assert (rows.tolist(), cols.tolist()) == _indices_by_name(model.vocab, features)
    names = {name for f in features for name in f.names if name in model.vocab}
    assert {name.count(" ") for name in names if name.startswith("c:")} == {0, 1, 2}


def test_no_vader_emoji_is_ascii() -> None:
    # _vader_valences skips the emoji check for ASCII text
    assert learned._emojis() and not any(e.isascii() for e in learned._emojis())


def test_a_span_given_twice_is_scored_alike() -> None:
    text = "Russia praised Pakistan, but Washington criticised Russia again."
    spans = [(0, 6), (15, 23), (51, 57)]
    once = learned.score(text, spans)
    twice = learned.score(text, [*spans, spans[-1], spans[0]])
    assert [r[1:] for r in twice] == [r[1:] for r in [*once, once[-1], once[0]]]
    # (polarity equal up to the matrix product's rounding, which depends on the number of rows)
    assert [r[0] for r in twice] == pytest.approx([r[0] for r in [*once, once[-1], once[0]]])


# --- Bad model files --------------------------------------------------------------------------


def _rewrite(data: bytes, key: str, array: np.ndarray | None) -> bytes:
    """The archive with member ``key`` replaced by ``array`` (removed when None)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            if name == f"{key}.npy":
                if array is None:
                    continue
                member = io.BytesIO()
                np.lib.format.write_array(member, array, allow_pickle=True)
                dst.writestr(name, member.getvalue())
            else:
                dst.writestr(name, src.read(name))
    return buf.getvalue()


def _meta_with(data: bytes, **changes: object) -> np.ndarray:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        meta = json.loads(npz["meta_json"].tobytes())
    meta.update(changes)
    return np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)


BAD_FILES = {
    "empty": lambda d: b"",
    "truncated": lambda d: d[: len(d) // 2],
    "garbage": lambda d: bytes(range(256)) * 10,
    "flipped-bytes": lambda d: d[:200] + bytes(b ^ 0xFF for b in d[200:260]) + d[260:],
    "missing-weights": lambda d: _rewrite(d, "weights", None),
    "pickled-object": lambda d: _rewrite(d, "weights", np.array([{"a": 1}], dtype=object)),
    "wrong-shape": lambda d: _rewrite(d, "bias", np.zeros(2, dtype=np.float32)),
    "not-finite": lambda d: _rewrite(d, "bias", np.array([0.0, np.nan, 0.0], dtype=np.float32)),
    "bad-metadata": lambda d: _rewrite(d, "meta_json", np.frombuffer(b"{oops", dtype=np.uint8)),
    "text-weights": lambda d: _rewrite(d, "class_offsets", np.array(["a", "b", "c"])),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_corrupted_model_file_is_named(case: str, small_model_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / f"{case}.npz"
    path.write_bytes(BAD_FILES[case](small_model_bytes))
    with pytest.raises(ModelError) as info:
        learned.score("Critics accused Smith.", [(16, 21)], model=path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    assert isinstance(info.value, AnalysisError)


def test_model_from_another_format_version_is_refused(
    small_model_bytes: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "future.npz"
    path.write_bytes(_rewrite(small_model_bytes, "format_version", np.asarray(99, dtype=np.int64)))
    with pytest.raises(ModelError, match=r"format version 99 .*format version 1\b"):
        learned.load_model(path)


def test_model_with_other_features_is_refused(small_model_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "old-features.npz"
    meta = _meta_with(small_model_bytes, features_version=0)
    path.write_bytes(_rewrite(small_model_bytes, "meta_json", meta))
    with pytest.raises(ModelError, match=r"features version 0.*features version 1"):
        learned.load_model(path)


def test_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"nope\.npz: cannot read model file"):
        learned.load_model(tmp_path / "nope.npz")


# --- Evaluation helpers -----------------------------------------------------------------------


def test_macro_f1_matches_scikit_learn() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 200)
    pred = np.where(rng.random(200) < 0.6, gold, rng.integers(0, 3, 200))
    assert learned.macro_f1(gold, pred) == pytest.approx(f1_score(gold, pred, average="macro"))
    assert learned.macro_f1([0, 1, 2], [0, 1, 2]) == 1.0
    assert learned.macro_f1([0, 0], [1, 1]) == 0.0


def test_load_newsmtsc_names_bad_rows(tmp_path: Path) -> None:
    good = {"mention": "Smith", "polarity": -1, "from": 0, "to": 5, "sentence": "Smith lied."}
    path = tmp_path / "split.jsonl"
    path.write_text(json.dumps(good) + "\n" + '{"mention": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"split.jsonl:2: not a NewsMTSC row"):
        learned.load_newsmtsc(path)
    path.write_text(json.dumps(good | {"to": 50}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"split.jsonl:1: .*out of range"):
        learned.load_newsmtsc(path)
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    assert learned.load_newsmtsc(path) == [Example("Smith lied.", 0, 5, 0, "")]
    with pytest.raises(InputError, match="cannot read NewsMTSC split"):
        learned.load_newsmtsc(tmp_path / "missing.jsonl")


# --- Integration and domain check -------------------------------------------------------------


def test_registered_as_sentiment_backend() -> None:
    from analysis.sentiment import target_sentiment

    text = "Critics accused Smith of corruption and lying to voters."
    [record] = target_sentiment(text, [(16, 21)], backend="learned")
    polarity, label, s0, s1 = learned.score(text, [(16, 21)])[0]
    assert (record.label, record.scope_start, record.scope_end) == (label, s0, s1)
    assert record.polarity == pytest.approx(polarity)


def test_seed_article_country_stance() -> None:
    from analysis.actors import find_mentions

    raw = SEED.read_text(encoding="utf-8")
    start = raw.index("THE New York Times")
    end = raw.index("many opportunities.") + len("many opportunities.")
    body = raw[start:end]
    mentions = find_mentions(body)
    results = learned.score(body, [(m.start, m.end) for m in mentions])
    by_actor: dict[str, list[float]] = {}
    for m, (polarity, *_) in zip(mentions, results, strict=True):
        by_actor.setdefault(m.actor, []).append(polarity)
    mean = {actor: float(np.mean(v)) for actor, v in by_actor.items()}
    assert mean["United States"] < 0
    assert mean["United States"] < mean["Russia"]
    assert mean["ISIS"] < 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.just(0.0),
            st.just(0),
            st.floats(min_value=-4.0, max_value=4.0, allow_nan=False, allow_subnormal=False),
        ),
        max_size=20,
    ),
    st.text(alphabet="ab !?.", max_size=12),
)
def test_vader_dict_equals_vaders_score_valence(sentiments: list[float], text: str) -> None:
    # The shortcut for neutral words gives VADER's own compound/pos/neg, bit for bit.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    v = SentimentIntensityAnalyzer().score_valence(list(sentiments), text)
    assert learned._vader_dict(list(sentiments), text) == [v["compound"], v["pos"], v["neg"]]


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet="aUbn't’ ._-09\"'", max_size=30)
    | st.text(alphabet="aZn't’‘“”—–…«» \t\n._-09²éßİ\x1c\x1f\x85\xa0\u2009_!?", max_size=30)
    | st.text(max_size=30)
)
def test_token_shortcuts_give_the_tokens_of_the_full_pattern(text: str) -> None:
    # "n't" splits, abbreviations, underscores, non-ASCII letters and marks, and the
    # characters Unicode and ASCII disagree on read the same by the fast patterns.
    lowered = text.lower().replace("’", "'")
    expected = [(m.start(), m.end()) for m in learned._TOKEN.finditer(lowered)]
    assert [(m.start(), m.end()) for m in learned._token_matches(lowered)] == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_TRICKY), min_size=1, max_size=20),
    st.lists(st.integers(min_value=0, max_value=200), min_size=4, max_size=4),
)
def test_vader_window_picks_the_words_inside_and_off_the_target(
    words: list[str], cuts: list[int]
) -> None:
    # The bisected window holds exactly the words starting in it and not touching the target.
    text = " ".join(words)
    sent = learned._Sentence(text)
    lo, t_start, t_end, hi = sorted(min(c, len(text)) for c in cuts)
    got = sent.vader_window(lo, hi, t_start, t_end, text[lo:hi])
    if sent.vader is None:
        return
    starts, ends, valences = sent.vader
    picked = [
        v
        for a, b, v in zip(starts, ends, valences, strict=True)
        if lo <= a < hi and (b <= t_start or a >= t_end)
    ]
    assert got == learned._vader_dict(picked, text[lo:hi])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_TRICKY), min_size=1, max_size=20),
    st.lists(st.integers(min_value=0, max_value=200), min_size=2, max_size=2),
)
def test_dense_textblob_windows_equal_one_window_each(words: list[str], cuts: list[int]) -> None:
    # The one-pass clause/left/right TextBlob sums equal _tb_window over each range.
    text = " ".join(words)
    sent = learned._Sentence(text)
    start, end = sorted(min(c, len(text)) for c in cuts)
    located = learned._locate(sent, start, end)
    first, last, lo, hi = located
    dense, _, _ = learned._dense(sent, start, end, located)
    target = range(first, last)
    chunks = sent.chunks
    assert list(dense[0:2]) == learned._tb_window(chunks, lo, hi, target)
    assert list(dense[5:7]) == learned._tb_window(chunks, 0, first, target)
    assert list(dense[7:9]) == learned._tb_window(chunks, last, len(sent.norm), target)
    assert list(dense[9:]) == sent.scores


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab. \t\n\x1c\xa0\u2009", max_size=30) | st.text(max_size=30))
def test_word_offsets_are_the_whitespace_tokens(text: str) -> None:
    # Offsets counted from word lengths equal the regex's, single spaces or not.
    spans = [m.span() for m in learned._WHITESPACE_TOKEN.finditer(text)]
    assert learned._word_offsets(text) == ([a for a, _ in spans], [b for _, b in spans])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-30, 30, allow_nan=False), min_size=3, max_size=3))
def test_signed_probability_keeps_the_label_the_sign_class_of_the_polarity(z: list[float]) -> None:
    from analysis.sentiment import label_for

    polarity, labels = learned.signed_probability(np.asarray([z], dtype=np.float64))
    p = np.exp(np.asarray(z) - max(z))
    p /= p.sum()
    label = learned.LABELS[int(labels[0])]
    band = learned.MODEL_NEUTRAL_BAND
    assert label == label_for(float(polarity[0]), -band, band)
    if label == "neutral":  # the lean: half of P(positive) - P(negative), within ±1/4
        assert polarity[0] == pytest.approx(learned.NEUTRAL_LEAN_SCALE * (p[2] - p[0]))
        assert abs(polarity[0]) <= 0.25 + 1e-12
    else:  # the winning class's probability, signed (1/3 only in a three-way tie): never ±0.00
        assert abs(polarity[0]) >= 1 / 3 - 1e-12
