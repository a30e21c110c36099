"""Target-dependent sentiment: golden hard cases, bad input, lexicons, properties, summaries."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import sentiment
from analysis.errors import InputError, LexiconError
from analysis.sentiment import (
    BackendUnavailableError,
    TargetSentiment,
    actor_summary,
    available_backends,
    label_for,
    load_sentiment_lexicon,
    target_sentiment,
)

LEXICAL_BACKENDS = ("textblob", "vader")


def _score(text: str, target: str, backend: str = "textblob", nth: int = 0) -> TargetSentiment:
    start = -1
    for _ in range(nth + 1):
        start = text.index(target, start + 1)
    return target_sentiment(text, [(start, start + len(target))], backend=backend)[0]


# --- Golden table: hard cases --------------------------------------------------------------------

WASHINGTON = "Washington abandoned Pakistan while Moscow stood by it."

GOLDEN = [
    # (case, text, target, expected label)
    ("contrast: agent of abandon", WASHINGTON, "Washington", "negative"),
    ("contrast: the one who stood by", WASHINGTON, "Moscow", "positive"),
    ("plain praise", "Russia is a reliable partner.", "Russia", "positive"),
    ("not", "Russia is not a reliable partner.", "Russia", "negative"),
    ("isn't", "Russia isn't a reliable partner.", "Russia", "negative"),
    ("n't with curly apostrophe", "Russia isn’t a reliable partner.", "Russia", "negative"),
    ("no longer", "Russia is no longer a reliable partner.", "Russia", "negative"),
    ("never + auxiliary", "Russia has never been a reliable partner.", "Russia", "negative"),
    ("can't", "Moscow can't be trusted.", "Moscow", "negative"),
    ("negated negative verb", "Russia did not abandon Pakistan.", "Russia", "positive"),
    ("not only ... but also", "China is not only an ally but also a friend.", "China", "positive"),
    ("domain verb", "The United States undermined the talks.", "United States", "negative"),
    ("domain noun", "Islamabad voiced deep distrust of Washington.", "Washington", "negative"),
    ("domain adjective", "Critics called the US policy myopic.", "US", "negative"),
    (
        "cooperation",
        "Pakistan and Russia deepened their defence cooperation.",
        "Russia",
        "positive",
    ),
    ("violence", "ISIS carried out another massacre.", "ISIS", "negative"),
    (
        "neutral report",
        "The Russian delegation arrived in Islamabad on Monday.",
        "Russian",
        "neutral",
    ),
    ("name words are not scored", "The Freedom Party met on Tuesday.", "Freedom Party", "neutral"),
    (
        "speaker is not the quote's target",
        '"The talks were a disaster," Lavrov said.',
        "Lavrov",
        "neutral",
    ),
    ("inverted speaker", '"It was a terrible failure," said Lavrov.', "Lavrov", "neutral"),
    (
        "distant clause is out of scope",
        "Pakistan signed the accord on Monday, officials said, and the ministers met later, "
        "while elsewhere, far away, in another capital, a terrible and violent massacre happened.",
        "Pakistan",
        "positive",
    ),
]


@pytest.mark.parametrize(("case", "text", "target", "expected"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_textblob(case: str, text: str, target: str, expected: str) -> None:
    assert _score(text, target).label == expected, case


VADER_GOLDEN = [g for g in GOLDEN if g[0] not in {"negated negative verb", "not only ... but also"}]


@pytest.mark.parametrize(
    ("case", "text", "target", "expected"), VADER_GOLDEN, ids=[g[0] for g in VADER_GOLDEN]
)
def test_golden_vader(case: str, text: str, target: str, expected: str) -> None:
    assert _score(text, target, "vader").label == expected, case


@pytest.mark.parametrize("backend", LEXICAL_BACKENDS)
def test_two_actors_in_one_sentence_get_different_polarity(backend: str) -> None:
    us = _score(WASHINGTON, "Washington", backend)
    ru = _score(WASHINGTON, "Moscow", backend)
    assert us.polarity < 0 < ru.polarity


def test_negation_flips_polarity() -> None:
    pos = _score("Russia is a reliable partner.", "Russia").polarity
    neg = _score("Russia is not a reliable partner.", "Russia").polarity
    assert pos > 0 > neg


def test_scope_is_the_targets_window_not_the_sentence() -> None:
    text = GOLDEN[-1][1]
    rec = _score(text, "Pakistan")
    assert rec.scope == text[rec.scope_start : rec.scope_end]
    assert rec.scope_start <= rec.start < rec.end <= rec.scope_end
    assert "massacre" not in rec.scope
    assert len(rec.scope) < len(text)


def test_speaker_scope_is_the_speakers_clause() -> None:
    rec = _score('"The talks were a disaster," Lavrov said.', "Lavrov")
    assert rec.scope == "Lavrov said"


def test_records_one_per_span_in_order_with_fields() -> None:
    spans = [(36, 42), (0, 10), (36, 42)]
    out = target_sentiment(WASHINGTON, spans)
    assert [(r.start, r.end) for r in out] == spans
    assert out[0] == out[2]
    assert all(r.backend == "textblob" for r in out)
    with pytest.raises(AttributeError):
        out[0].polarity = 1.0  # type: ignore[misc]


def test_empty_span_list() -> None:
    assert target_sentiment("Some text.", []) == []


def test_span_crossing_sentences_and_in_whitespace() -> None:
    text = "Russia helped.  \n\n  Pakistan thanked it."
    (rec,) = target_sentiment(text, [(7, 25)])
    assert rec.scope_start <= 7 and rec.scope_end >= 25
    (blank,) = target_sentiment(text, [(15, 17)])
    assert blank.label == "neutral" and blank.polarity == 0.0


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spans", "fragment"),
    [
        ([(0, 99)], "(0, 99)"),
        ([(-1, 3)], "(-1, 3)"),
        ([(3, 3)], "(3, 3)"),
        ([(5, 2)], "(5, 2)"),
        ([(0, 4), (4, 2)], "#1"),
        ([(0,)], "#0"),
        ([(0.5, 2)], "#0"),
    ],
)
def test_bad_spans_name_the_span(spans: list, fragment: str) -> None:
    with pytest.raises(ValueError, match="span") as info:
        target_sentiment("Russia helps.", spans)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_empty_text() -> None:
    with pytest.raises(ValueError, match="empty"):
        target_sentiment("", [(0, 1)])


def test_unknown_backend_lists_the_backends() -> None:
    with pytest.raises(ValueError) as info:
        target_sentiment("Russia helps.", [(0, 6)], backend="bert")
    message = str(info.value)
    for name in ("textblob", "vader", "learned"):
        assert name in message


def test_learned_backend_is_listed_and_lazy() -> None:
    assert {"textblob", "vader", "learned"} <= set(available_backends())
    # In a fresh interpreter, listing backends and scoring with another one leaves the learned
    # module unimported.
    code = (
        "import sys, analysis.sentiment as s; s.available_backends(); "
        "s.target_sentiment('Russia helps.', [(0, 6)]); print('analysis.learned' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


def test_learned_backend_missing_module_gives_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "analysis.learned", None)  # makes the import fail
    sentiment._load_backend.cache_clear()
    try:
        with pytest.raises(BackendUnavailableError, match='"learned" is unavailable'):
            target_sentiment("Russia helps.", [(0, 6)], backend="learned")
    finally:
        sentiment._load_backend.cache_clear()


def test_register_backend_extends_the_registry() -> None:
    def loader() -> sentiment.Backend:
        def backend(text, spans, lexicon):  # type: ignore[no-untyped-def]
            return [(0.5, "positive", s, e) for s, e in spans]

        return backend

    sentiment.register_backend("constant", loader)
    try:
        assert "constant" in available_backends()
        (rec,) = target_sentiment("Russia helps.", [(0, 6)], backend="constant")
        assert (rec.polarity, rec.label, rec.scope, rec.backend) == (
            0.5,
            "positive",
            "Russia",
            "constant",
        )
    finally:
        del sentiment._REGISTRY["constant"]
        sentiment._load_backend.cache_clear()


# --- Lexicon -------------------------------------------------------------------------------------


def test_default_lexicon_has_the_domain_words() -> None:
    entries = load_sentiment_lexicon().as_dict()
    for word in (
        "distrust",
        "abandoned",
        "exploit",
        "sanctions",
        "threat",
        "ally",
        "cooperation",
        "partnership",
        "aggression",
        "condemned",
        "suspend",
        "undermine",
        "untrustworthy",
        "myopic",
        "stood_by",
    ):
        assert word in entries, word
    assert entries["abandoned"] < 0 < entries["partnership"]


def test_user_lexicon_extends_and_overrides(tmp_path: Path) -> None:
    text = "Russia is a frenemy of Pakistan."
    assert _score(text, "Russia").label == "neutral"
    user = tmp_path / "mine.tsv"
    user.write_text("# my words\nfrenemy\t-0.6\tnoun\tambivalent\n", encoding="utf-8")
    lex = load_sentiment_lexicon(user)
    assert lex.sources[-1] == str(user)
    (rec,) = target_sentiment(text, [(0, 6)], lexicon=lex)
    assert rec.label == "negative"
    (rec_v,) = target_sentiment(text, [(0, 6)], lexicon=lex, backend="vader")
    assert rec_v.label == "negative"
    # Override an existing entry.
    user.write_text("partner\t-0.5\tnoun\t\n", encoding="utf-8")
    flipped = load_sentiment_lexicon(user)
    (rec2,) = target_sentiment("Russia is a partner.", [(0, 6)], lexicon=flipped)
    assert rec2.label == "negative"


def test_user_phrase_with_a_negation_word(tmp_path: Path) -> None:
    text = "Parliament passed a motion of no confidence in Khan."
    assert _score(text, "Khan").label == "neutral"
    user = tmp_path / "phrases.tsv"
    user.write_text("no confidence\t-0.6\tphrase\tvote\n", encoding="utf-8")
    (rec,) = target_sentiment(text, [(45, 49)], lexicon=load_sentiment_lexicon(user))
    assert rec.label == "negative"


def test_user_lexicon_replace_mode(tmp_path: Path) -> None:
    user = tmp_path / "only.tsv"
    user.write_text("frenemy\t-0.6\n", encoding="utf-8")
    lex = load_sentiment_lexicon(user, mode="replace")
    assert lex.as_dict() == {"frenemy": -0.6}
    # Without the domain lexicon "distrust" is unknown to TextBlob.
    (rec,) = target_sentiment("Russia shows distrust.", [(0, 6)], lexicon=lex)
    assert rec.label == "neutral"


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ("ok\t0.1\nbad line\n", 2, "tab-separated"),
        ("# c\nword\tabc\n", 2, "not a number"),
        ("word\t1.5\n", 1, "outside"),
        ("word\t0.5\tplural\n", 1, "class"),
        ("a b c d e\t0.5\tphrase\n", 1, "at most"),
    ],
)
def test_malformed_lexicon_names_file_and_line(
    tmp_path: Path, content: str, line: int, fragment: str
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_sentiment_lexicon(bad)
    assert info.value.line == line
    assert str(bad) in str(info.value) and fragment in str(info.value)


def test_missing_lexicon_file(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="not found"):
        load_sentiment_lexicon(tmp_path / "nope.tsv")
    with pytest.raises(ValueError, match="mode"):
        load_sentiment_lexicon(None, mode="merge")  # type: ignore[arg-type]


def test_inflections_are_generated() -> None:
    entries = load_sentiment_lexicon().as_dict()
    for form in ("threatens", "threatened", "threatening", "allies", "criticised", "sanctioning"):
        assert form in entries, form


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (-0.5, "negative"),
        (-0.006, "negative"),
        (-0.004, "neutral"),  # shown as -0.00: never polar (MIN_NEUTRAL_BAND)
        (0.0, "neutral"),
        (0.025, "neutral"),
        (0.03, "positive"),
    ],
)
def test_label_thresholds(polarity: float, expected: str) -> None:
    assert (
        label_for(
            polarity, sentiment.TEXTBLOB_NEGATIVE_THRESHOLD, sentiment.TEXTBLOB_POSITIVE_THRESHOLD
        )
        == expected
    )


# --- Properties ----------------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("abcdefghij ABC,.;:!?'’\"“”-—()\n\t0123456789İß_")),
    min_size=1,
    max_size=120,
)


@st.composite
def _text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    words = st.sampled_from(
        [
            "Russia",
            "US",
            "good",
            "bad",
            "not",
            "isn't",
            "no longer",
            "never",
            "threat",
            "ally",
            "said",
            "stood by",
            "while",
            "U.S.",
            "cannot",
        ]
    )
    pieces = draw(st.lists(st.one_of(_TEXT, words), min_size=1, max_size=8))
    text = " ".join(pieces)
    n = len(text)
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(1, n)).filter(lambda t: t[0] < t[1]),
            max_size=6,
        )
    )
    return text, spans


@pytest.mark.parametrize("backend", LEXICAL_BACKENDS)
@settings(max_examples=150, deadline=None)
@given(data=_text_and_spans())
def test_arbitrary_text_never_raises(backend: str, data: tuple[str, list[tuple[int, int]]]) -> None:
    text, spans = data
    out = target_sentiment(text, spans, backend=backend)
    assert len(out) == len(spans)
    for (s, e), rec in zip(spans, out, strict=True):
        assert (rec.start, rec.end) == (s, e)
        assert -1.0 <= rec.polarity <= 1.0
        assert rec.label in {"negative", "neutral", "positive"}
        assert rec.scope == text[rec.scope_start : rec.scope_end]
        assert rec.scope_start <= s and e <= rec.scope_end
    assert target_sentiment(text, spans, backend=backend) == out


# --- The seed article ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_means(seed_doc) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    from analysis.actors import find_mentions

    body = seed_doc.body
    assert body.startswith("THE New York Times") and body.endswith("many opportunities.")
    mentions = find_mentions(body)
    out: dict[str, dict[str, float]] = {}
    for backend in LEXICAL_BACKENDS:
        recs = target_sentiment(body, [(m.start, m.end) for m in mentions], backend=backend)
        by_actor: dict[str, list[float]] = {}
        for m, r in zip(mentions, recs, strict=True):
            by_actor.setdefault(m.actor, []).append(r.polarity)
        out[backend] = {a: float(np.mean(v)) for a, v in by_actor.items()}
    return out


@pytest.mark.parametrize("backend", LEXICAL_BACKENDS)
def test_seed_us_negative_and_below_russia(seed_means, backend: str) -> None:  # type: ignore[no-untyped-def]
    means = seed_means[backend]
    assert means["United States"] < 0
    assert means["United States"] < means["Russia"]


@pytest.mark.parametrize("backend", LEXICAL_BACKENDS)
def test_seed_isis_negative(seed_means, backend: str) -> None:  # type: ignore[no-untyped-def]
    assert seed_means[backend]["ISIS"] < 0


# --- Actor summary -------------------------------------------------------------------------------


def _mentions_table() -> pd.DataFrame:
    rows = []
    data = {
        "d1": [
            ("United States", -0.4, 0),
            ("United States", -0.2, 1),
            ("Russia", 0.3, 1),
            ("United States", 0.1, 2),
            ("Russia", 0.0, 3),
        ],
        "d2": [("United States", 0.2, 0), ("Russia", 0.5, 0), ("Russia", -0.1, 4)],
    }
    for doc, items in data.items():
        for k, (actor, pol, sent) in enumerate(items):
            rows.append(
                {
                    "doc_id": doc,
                    "mention": k,
                    "actor": actor,
                    "surface": actor,
                    "start": 10 * k,
                    "end": 10 * k + 5,
                    "sentence": sent,
                    "polarity": pol,
                    "label": label_for(pol, 0.0, 0.025),
                    "scope": f"scope {doc} {k}",
                    "voice": "author",
                    "sentence_text": f"sentence {doc}/{sent}",
                }
            )
    return pd.DataFrame(rows)


def test_actor_summary_per_document() -> None:
    out = actor_summary(_mentions_table())
    assert list(out.columns[:2]) == ["doc_id", "actor"]
    assert list(out.columns[2:]) == list(sentiment.SUMMARY_COLUMNS)
    row = out[(out.doc_id == "d1") & (out.actor == "United States")].iloc[0]
    assert row.mentions == 3
    assert row.mean_polarity == pytest.approx(-1 / 6)
    assert row.ci_low <= row.mean_polarity <= row.ci_high
    assert (row.n_negative, row.n_neutral, row.n_positive) == (2, 0, 1)
    assert row.most_negative == "sentence d1/0" and row.most_negative_sentence == 0
    assert row.most_positive == "sentence d1/2" and row.most_positive_sentence == 2
    ru = out[(out.doc_id == "d1") & (out.actor == "Russia")].iloc[0]
    assert ru.most_negative is None and pd.isna(ru.most_negative_sentence)


def test_actor_summary_corpus_level_and_determinism() -> None:
    table = _mentions_table()
    a = actor_summary(table, by=("actor",))
    b = actor_summary(table.sample(frac=1.0, random_state=3), by=("actor",))
    pd.testing.assert_frame_equal(a, b)
    assert list(a.actor) == ["Russia", "United States"]
    assert a.set_index("actor").loc["Russia", "mentions"] == 4
    assert a.set_index("actor").loc["United States", "most_negative_doc"] == "d1"


def test_actor_summary_group_does_not_depend_on_other_groups() -> None:
    table = _mentions_table()
    full = actor_summary(table)
    alone = actor_summary(table[table.doc_id == "d1"])
    pd.testing.assert_frame_equal(
        full[full.doc_id == "d1"].reset_index(drop=True), alone.reset_index(drop=True)
    )


def test_actor_summary_interval_narrows_with_more_data() -> None:
    rng = np.random.default_rng(0)
    pol = rng.normal(-0.2, 0.3, 400).clip(-1, 1)
    table = pd.DataFrame(
        {"doc_id": "d", "actor": "US", "polarity": pol, "sentence": np.arange(400), "label": "x"}
    )
    small = actor_summary(table.iloc[:20]).iloc[0]
    large = actor_summary(table).iloc[0]
    assert large.ci_high - large.ci_low < small.ci_high - small.ci_low
    assert large.ci_low < large.mean_polarity < large.ci_high < 0
    reseeded = actor_summary(table, seed=1).iloc[0]
    assert reseeded.mean_polarity == large.mean_polarity
    assert (reseeded.ci_low, reseeded.ci_high) != (large.ci_low, large.ci_high)
    assert actor_summary(table).iloc[0].ci_low == large.ci_low


def test_actor_summary_edge_cases() -> None:
    table = _mentions_table()
    empty = actor_summary(table.iloc[:0])
    assert empty.empty and "mean_polarity" in empty.columns
    with pytest.raises(ValueError, match="polarity"):
        actor_summary(table.drop(columns=["polarity"]))
    nan = table.copy()
    nan.loc[0, "polarity"] = np.nan
    row = actor_summary(nan, by=("actor",)).set_index("actor").loc["United States"]
    assert row.mentions == 4 and row.mean_polarity == pytest.approx((-0.2 + 0.1 + 0.2) / 3)


# --- evaluate sentiment (synthetic rows only; the benchmark is never copied here) ----------------


def _write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _row(sentence: str, mention: str, polarity: int) -> dict:
    start = sentence.index(mention)
    return {
        "mention": mention,
        "polarity": polarity,
        "from": start,
        "to": start + len(mention),
        "sentence": sentence,
        "id": "x",
    }


def test_evaluate_on_synthetic_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from analysis import evaluate_sentiment as ev

    data = _write_rows(
        tmp_path / "tiny.jsonl",
        [
            _row(WASHINGTON, "Washington", -1),
            _row(WASHINGTON, "Moscow", 1),
            _row("The delegation arrived in Kabul on Monday.", "delegation", 0),
        ],
    )
    examples = ev.load_examples(data)
    results = ev.evaluate(examples, ["textblob"])
    assert [r.name for r in results] == [ev.BASELINE, "textblob"]
    assert results[1].accuracy == pytest.approx(100.0)
    assert results[1].macro_f1 == pytest.approx(100.0)
    assert sum(map(sum, results[0].confusion)) == 3
    parser = argparse.ArgumentParser()
    ev.add_arguments(parser)
    assert ev.run(parser.parse_args(["--data", str(data), "--backend", "textblob"])) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "textblob" in out and "baseline" in out
    assert ev.run(parser.parse_args(["--data", str(data), "--backend", "nope"])) == 2


def test_evaluate_missing_and_malformed_data(tmp_path: Path) -> None:
    from analysis import evaluate_sentiment as ev

    with pytest.raises(InputError, match="not found") as info:
        ev.load_examples(tmp_path / "missing.jsonl")
    assert "\n" not in str(info.value)
    bad = _write_rows(
        tmp_path / "bad.jsonl", [_row("Russia helps.", "Russia", 1), {"sentence": "x"}]
    )
    with pytest.raises(InputError, match=r"bad\.jsonl:2"):
        ev.load_examples(bad)
    wrong = _write_rows(tmp_path / "wrong.jsonl", [{**_row("Russia helps.", "Russia", 1), "to": 3}])
    with pytest.raises(InputError, match="mention"):
        ev.load_examples(wrong)


_OFFSET = st.one_of(
    st.integers(-2, 12), st.booleans(), st.integers(0, 12).map(np.int64), st.just(1.0)
)
_INT_SPAN = st.tuples(st.integers(-1, 11), st.integers(-1, 11))
_SPAN = st.one_of(
    _INT_SPAN,
    _INT_SPAN,
    _INT_SPAN,
    st.tuples(_OFFSET, _OFFSET),
    st.lists(_OFFSET, min_size=1, max_size=3),
    st.tuples(_OFFSET, _OFFSET, _OFFSET),
    st.just(None),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_SPAN, max_size=4))
def test_bulk_span_check_agrees_with_the_span_by_span_check(spans: list[object]) -> None:
    text = "0123456789"

    def outcome(check: object) -> object:
        try:
            return check()  # type: ignore[operator]
        except ValueError as exc:
            return str(exc)

    bulk = outcome(lambda: sentiment._check_spans(text, spans))  # type: ignore[arg-type]
    each = outcome(lambda: sentiment._check_each_span(len(text), spans))  # type: ignore[arg-type]
    assert bulk == each
    assert outcome(lambda: sentiment._check_spans(text, iter(spans))) == each  # type: ignore[arg-type]


SIGN_TEXT = (
    "Critics accused Smith of corruption. The senator praised Garcia for her courage. "
    "Brown will travel to Ohio on Tuesday. Washington abandoned Pakistan while Moscow stood by it. "
    "Jones and Lee met in Rome, where Lee thanked Jones for his help."
)


@pytest.mark.parametrize("backend", ["textblob", "vader", "learned", "transformer"])
def test_label_is_the_sign_class_of_the_polarity(backend: str) -> None:
    spans = [(m.start(), m.end()) for m in re.finditer(r"\b[A-Z][a-z]+\b", SIGN_TEXT)]
    results = target_sentiment(SIGN_TEXT, spans, backend=backend)
    assert {r.label for r in results} == {"negative", "neutral", "positive"}
    for r in results:
        if r.label == "positive":
            assert r.polarity > sentiment.MIN_NEUTRAL_BAND
        elif r.label == "negative":
            assert r.polarity < -sentiment.MIN_NEUTRAL_BAND
        elif backend in ("learned", "transformer"):  # a neutral mention's lean, within ±1/4
            assert abs(r.polarity) <= 0.25
