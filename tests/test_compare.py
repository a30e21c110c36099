"""Tests for analysis.compare: keyness (G², log ratio) and NMF topics."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

from analysis.compare import (
    MIN_DOCUMENTS_FOR_TOPICS,
    compare_actors,
    compare_documents,
    default_stop_words,
    keyness,
    nmf_topics,
    term_counts,
    tokenize,
)

# --------------------------------------------------------------------------- tokens


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        ("lower case, stop words out", "The Pipeline and THE pipelines", ["pipeline", "pipelines"]),
        ("possessive dropped", "Russia’s and Pakistan's ties", ["russia", "pakistan", "ties"]),
        ("inner hyphen kept", "Pak-Russia ties", ["pak-russia", "ties"]),
        ("digits and single letters out", "In 2018 a F 16 deal", ["deal"]),
        ("apostrophe word kept whole", "it’s o’clock", ["o’clock"]),
    ],
)  # fmt: skip
def test_tokenize(case: str, text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected, case


def test_tokenize_keeps_stop_words_on_request() -> None:
    assert tokenize("the oil", stop_words=()) == ["the", "oil"]
    assert "the" in default_stop_words()


def test_term_counts() -> None:
    assert term_counts(["oil and gas", "Oil!"]) == {"oil": 2, "gas": 1}


# --------------------------------------------------------------------------- keyness


def test_keyness_values_by_hand() -> None:
    # a=10 of 100 words, b=2 of 100: E1 = E2 = 6;
    # G² = 2 (10 ln(10/6) + 2 ln(2/6)) = 5.82206; log ratio = log2(0.10 / 0.02) = log2 5;
    # p from the chi-square distribution with one degree of freedom (SciPy as reference).
    a = {"oil": 10, "other": 90}
    b = {"oil": 2, "other": 98}
    table = keyness(a, b)
    row = table[table.term == "oil"].iloc[0]
    assert row["g2"] == pytest.approx(2 * (10 * math.log(10 / 6) + 2 * math.log(2 / 6)))
    assert row["g2"] == pytest.approx(5.82206, abs=1e-5)
    assert row["log_ratio"] == pytest.approx(math.log2(5))
    assert row["p_value"] == pytest.approx(chi2.sf(row["g2"], 1))
    assert (row["freq_a"], row["freq_b"]) == (10, 2)
    assert (row["per_1000_a"], row["per_1000_b"]) == (100.0, 20.0)
    assert row["key_for"] == "A"
    assert bool(row["significant"]) is True
    other = table[table.term == "other"].iloc[0]
    assert other["key_for"] == "B"
    assert other["log_ratio"] < 0


def test_keyness_unequal_sizes_and_zero_frequency() -> None:
    # a=4 of 100, b=0 of 300: E1 = 1, E2 = 3; G² = 2 * 4 ln 4 = 11.0904;
    # log ratio with 0.5 for the zero (Hardie 2014) = log2((4/100) / (0.5/300)) = log2 24.
    table = keyness({"gas": 4, "x": 96}, {"x": 300})
    row = table[table.term == "gas"].iloc[0]
    assert row["g2"] == pytest.approx(2 * 4 * math.log(4))
    assert row["log_ratio"] == pytest.approx(math.log2(24))


def test_keyness_sorted_and_filtered() -> None:
    a = {"oil": 30, "gas": 3, "rare": 1, "x": 66}
    b = {"oil": 5, "gas": 3, "rare": 1, "x": 91}
    table = keyness(a, b)
    assert table.term.tolist()[0] == "oil"
    assert "rare" not in table.term.tolist()  # 2 < MIN_FREQ
    assert table.g2.tolist() == sorted(table.g2.tolist(), reverse=True)
    assert keyness(a, b, min_freq=1).term.tolist().count("rare") == 1
    assert not keyness(a, b, min_freq=1).set_index("term").loc["rare", "significant"]


def test_keyness_empty_group() -> None:
    with pytest.raises(ValueError, match="both groups"):
        keyness({}, {"oil": 3})


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 50), min_size=1),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 50), min_size=1),
)
def test_keyness_properties(a: dict[str, int], b: dict[str, int]) -> None:
    if sum(a.values()) == 0 or sum(b.values()) == 0:
        with pytest.raises(ValueError):
            keyness(a, b)
        return
    table = keyness(a, b, min_freq=1)
    assert table.equals(keyness(a, b, min_freq=1))
    assert (table.g2 >= -1e-9).all()
    assert ((table.p_value >= 0) & (table.p_value <= 1)).all()
    assert list(table.g2) == sorted(table.g2, reverse=True)
    swapped = keyness(b, a, min_freq=1).set_index("term")
    for term, g2, lr in zip(table.term, table.g2, table.log_ratio, strict=True):
        assert swapped.loc[term, "g2"] == pytest.approx(g2)
        assert swapped.loc[term, "log_ratio"] == pytest.approx(-lr)


# --------------------------------------------------------------------------- groups


def _corpus() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    texts = {
        "d1": ["Pipeline talks on gas and oil.", "The pipeline deal."],
        "d2": ["Gas pipeline again, gas pipeline."],
        "d3": ["Training of officers.", "Officers training ended."],
        "d4": ["Military training for officers."],
    }
    rows = []
    for doc, sents in texts.items():
        pos = 0
        for i, s in enumerate(sents):
            rows.append({"doc_id": doc, "sentence": i, "start": pos, "text": s})
            pos += len(s) + 1
    documents = pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3", "d4"],
            "source": ["Dawn", "Dawn", "TASS", "TASS"],
            "year": [2018, 2018, 2019, 2020],
        }
    )
    mentions = pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3", "d4"],
            "sentence": [0, 0, 1, 0],
            "actor": ["Russia", "Russia", "Pakistan", "Pakistan"],
            "start": [0, 0, 22 + 10, 0],
            "end": [8, 3, 22 + 18, 8],
        }
    )
    return pd.DataFrame(rows), documents, mentions


def test_compare_documents_by_column() -> None:
    sentences, documents, _ = _corpus()
    table = compare_documents(sentences, documents, "source", "Dawn", "TASS").set_index("term")
    assert table.loc["pipeline", "key_for"] == "A"
    assert table.loc["pipeline", "freq_a"] == 4 and table.loc["pipeline", "freq_b"] == 0
    assert table.loc["officers", "key_for"] == "B"
    rest = compare_documents(sentences, documents, "source", "Dawn")  # B: every other document
    pd.testing.assert_frame_equal(rest, table.reset_index())
    by_list = compare_documents(sentences, documents, "doc_id", ["d1", "d2"], ["d3", "d4"])
    pd.testing.assert_frame_equal(by_list, table.reset_index())
    by_func = compare_documents(sentences, documents, "year", lambda y: y < 2019)
    pd.testing.assert_frame_equal(by_func, table.reset_index())


def test_compare_documents_errors() -> None:
    sentences, documents, _ = _corpus()
    with pytest.raises(KeyError, match="outlet"):
        compare_documents(sentences, documents, "outlet", "Dawn")
    with pytest.raises(ValueError, match="group A has no documents"):
        compare_documents(sentences, documents, "source", "CNN")
    with pytest.raises(ValueError, match="share documents"):
        compare_documents(sentences, documents, "source", "Dawn", ["Dawn", "TASS"])


def test_compare_actors_masks_mentions() -> None:
    sentences, _, mentions = _corpus()
    # Russia: d1 s0 ("Pipeline" masked), d2 s0 ("Gas" masked); Pakistan: d3 s1, d4 s0.
    table = compare_actors(sentences, mentions, "Russia", "Pakistan", min_freq=1)
    counts = table.set_index("term")
    assert counts.loc["pipeline", "freq_a"] == 2
    assert counts.loc["gas", "freq_a"] == 2
    assert counts.loc["officers", "freq_b"] == 2
    assert "military" not in counts.index  # masked: "Military" is the mention in d4
    unmasked = compare_actors(
        sentences, mentions, "Russia", "Pakistan", min_freq=1, mask_mentions=False
    ).set_index("term")
    assert unmasked.loc["pipeline", "freq_a"] == 3
    assert unmasked.loc["military", "freq_b"] == 1


def test_compare_actors_shared_sentences() -> None:
    sentences, _, mentions = _corpus()
    both = pd.concat(
        [mentions, pd.DataFrame([{"doc_id": "d3", "sentence": 1, "actor": "Russia",
                                  "start": 22, "end": 30}])],
        ignore_index=True,
    )  # fmt: skip
    table = compare_actors(sentences, both, "Russia", "Pakistan", min_freq=1)
    assert table.set_index("term").loc["officers", "freq_b"] == 1  # d3 s1 left out
    kept = compare_actors(
        sentences, both, "Russia", "Pakistan", min_freq=1, exclude_shared=False
    ).set_index("term")
    assert (kept.loc["ended", "freq_a"], kept.loc["ended", "freq_b"]) == (1, 1)
    with pytest.raises(ValueError, match="no sentences mention 'China'"):
        compare_actors(sentences, mentions, "China", "Pakistan")


# --------------------------------------------------------------------------- NMF topics


def _topic_corpus(n: int) -> list[str]:
    energy = ["pipeline", "gas", "oil", "corridor", "energy", "refinery", "tariff", "export"]
    army = ["training", "officers", "troops", "exercise", "academy", "cadets", "drill", "army"]
    texts = []
    for i in range(n):
        words = energy if i % 2 == 0 else army
        texts.append(" ".join(words[(i + k) % len(words)] for k in range(12)))
    return texts


def test_nmf_topics_need_enough_documents() -> None:
    with pytest.raises(ValueError, match=f"at least {MIN_DOCUMENTS_FOR_TOPICS} documents"):
        nmf_topics(_topic_corpus(MIN_DOCUMENTS_FOR_TOPICS - 1), n_topics=2)


def test_nmf_topics_separate_vocabularies_deterministically() -> None:
    texts = _topic_corpus(24)
    ids = [f"doc{i}" for i in range(24)]
    model = nmf_topics(texts, n_topics=2, top_n=5, doc_ids=ids)
    assert model.n_topics == 2 and model.random_state == 0
    assert list(model.terms.columns) == ["topic", "rank", "term", "weight"]
    assert len(model.terms) == 10
    tops = [set(model.terms[model.terms.topic == t].term) for t in range(2)]
    energy = {"pipeline", "gas", "oil", "corridor", "energy", "refinery", "tariff", "export"}
    assert sorted(len(top & energy) for top in tops) == [0, 5]
    dominant = model.documents[model.documents.dominant]
    assert dominant.doc_id.tolist() == ids
    energy_topic = 0 if tops[0] & energy else 1
    assert (dominant.topic == energy_topic).tolist() == [i % 2 == 0 for i in range(24)]
    again = nmf_topics(texts, n_topics=2, top_n=5, doc_ids=ids)
    pd.testing.assert_frame_equal(model.terms, again.terms)
    pd.testing.assert_frame_equal(model.documents, again.documents)


def test_nmf_topics_bad_arguments() -> None:
    texts = _topic_corpus(20)
    with pytest.raises(ValueError, match="n_topics"):
        nmf_topics(texts, n_topics=0)
    with pytest.raises(ValueError, match="doc_ids"):
        nmf_topics(texts, n_topics=2, doc_ids=["a"])
