"""Quotation attribution: the seed's gold quotations, hard cases, bad input, the lexicon and the
PolNeAR-format evaluation."""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import LexiconError
from analysis.evaluate_quotes import (
    Attribution,
    add_arguments,
    evaluate,
    format_table,
    match,
    predictions,
    run,
)
from analysis.quotes import (
    Quote,
    default_speech_verbs,
    extract_quotes,
    load_speech_verbs,
    quote_details,
    speaker_actor,
)

ROOT = Path(__file__).resolve().parent.parent
SEED_RAW = (ROOT / "seeds" / "000_bd50dbdc2ca17a54.txt").read_text(encoding="utf-8")
GOLD = json.loads(
    (Path(__file__).resolve().parent / "000_bd50dbdc2ca17a54.gold.json").read_text(encoding="utf-8")
)
GOLD_QUOTES = {q["id"]: q for q in GOLD["direct_quotes"]}


@pytest.fixture(scope="module")
def seed_quotes() -> list[Quote]:
    return extract_quotes(SEED_RAW)


def _quoted(quotes: list[Quote]) -> list[Quote]:
    return [q for q in quotes if q.kind != "indirect"]


def _mention(q: Quote, text: str) -> str | None:
    if q.speaker_start is None or q.speaker_end is None:
        return None
    return text[q.speaker_start : q.speaker_end]


# --- the seed article (gold spans are offsets into the raw file) ------------------------------


@pytest.mark.parametrize("qid", ["Q1", "Q2", "Q3", "Q5", "Q6"])
def test_seed_quotation_kind_span_and_speaker(seed_quotes: list[Quote], qid: str) -> None:
    gold = GOLD_QUOTES[qid]
    start, end = gold["span"]
    found = [q for q in _quoted(seed_quotes) if (q.start, q.end) == (start, end)]
    assert len(found) == 1, f"{qid} not found at {start}-{end}"
    q = found[0]
    assert q.kind == gold["kind"]
    assert SEED_RAW[q.start : q.end] == gold["text"]
    assert (q.speaker_start, q.speaker_end) == tuple(gold["speaker_mention_span"])
    if qid != "Q2":  # Q2's gold speaker is a list of two media ("The News; ABC News")
        assert q.speaker == gold["speaker"]


def test_seed_q2_media_speakers_are_an_organisation(seed_quotes: list[Quote]) -> None:
    (q,) = [q for q in _quoted(seed_quotes) if q.start == GOLD_QUOTES["Q2"]["span"][0]]
    assert _mention(q, SEED_RAW) == "The News and even the ABC news"
    assert q.speaker_kind == "organisation"
    assert q.cue == "considers"


def test_seed_q4_is_found_but_left_unattributed(seed_quotes: list[Quote]) -> None:
    start, end = GOLD_QUOTES["Q4"]["span"]
    (q,) = [q for q in _quoted(seed_quotes) if (q.start, q.end) == (start, end)]
    assert q.kind == "direct"
    assert q.speaker is None and q.speaker_start is None and q.cue is None


def test_seed_q6_pronoun_resolved_to_daniel_markey(seed_quotes: list[Quote]) -> None:
    start, _ = GOLD_QUOTES["Q6"]["span"]
    (q,) = [q for q in _quoted(seed_quotes) if q.start == start]
    assert _mention(q, SEED_RAW) == "He"
    assert q.speaker == "Daniel Markey"
    assert q.description == "A senior Professor of John’s Hopkins University"


def test_seed_q7_recovered_or_skipped_never_paired_with_an_apostrophe(
    seed_quotes: list[Quote],
) -> None:
    start, end = GOLD_QUOTES["Q7"]["span"]
    opening = start - 1
    assert SEED_RAW[opening] == "‘"
    for q in _quoted(seed_quotes):
        if q.start <= start < q.end:
            # recovered: it must stop at its own sentence, before "He said" and the apostrophes
            assert q.end <= end
            assert (q.start, q.end) == (start, end)
            assert q.kind == "partial" and q.speaker == "Daniel Markey"
    # no quotation ends just before an apostrophe of it’s, Russia’s, John’s or let’s
    apostrophes = [
        i for i, c in enumerate(SEED_RAW) if c == "’" and SEED_RAW[i + 1 : i + 2].isalpha()
    ]
    assert len(apostrophes) >= 4
    assert not any(q.end in apostrophes for q in seed_quotes)


def test_seed_no_quotation_in_the_boilerplate_is_attributed_to_a_name(
    seed_quotes: list[Quote],
) -> None:
    footer = SEED_RAW.index("About The CSS Point")
    assert not [q for q in seed_quotes if q.start >= footer and q.speaker]


@pytest.mark.parametrize("item", GOLD["reported_speech"], ids=lambda i: i["cue"])
def test_seed_reported_speech(seed_quotes: list[Quote], item: dict[str, str]) -> None:
    indirect = [q for q in seed_quotes if q.kind == "indirect"]
    hits = [q for q in indirect if SEED_RAW[q.start : q.end].startswith(item["content_starts"])]
    assert hits, f"no reported clause starting {item['content_starts']!r}"
    q = hits[0]
    assert q.cue is not None and q.cue.lower() in item["cue"].lower()
    mention = _mention(q, SEED_RAW) or ""
    assert item["speaker"].lower() in (mention.lower(), (q.speaker or "").lower())


def test_seed_partial_quotation_is_inside_its_reported_clause(seed_quotes: list[Quote]) -> None:
    q3 = GOLD_QUOTES["Q3"]["span"]
    holders = [
        q for q in seed_quotes if q.kind == "indirect" and q.start <= q3[0] and q3[1] <= q.end
    ]
    assert len(holders) == 1
    assert SEED_RAW[holders[0].start :].startswith("this prejudiced approach of President Trump")


@pytest.mark.parametrize(
    ("qid", "actor"),
    [("Q1", "United States"), ("Q3", "United States"), ("Q5", None), ("Q6", None)],
)
def test_seed_speaker_actor(seed_quotes: list[Quote], qid: str, actor: str | None) -> None:
    start = GOLD_QUOTES[qid]["span"][0]
    (q,) = [q for q in _quoted(seed_quotes) if q.start == start]
    assert speaker_actor(q, SEED_RAW) == actor


def test_speaker_actor_from_description_prefers_the_head() -> None:
    text = "Russian Deputy Defense Minister Alexander Fomin said: “We will train them.”"
    (q,) = extract_quotes(text)
    assert q.speaker == "Alexander Fomin"
    assert q.description == "Russian Deputy Defense Minister"
    assert speaker_actor(q, text) == "Russia"


def test_quote_details_for_a_quotes_table(seed_quotes: list[Quote]) -> None:
    details = quote_details(SEED_RAW, seed_quotes)
    assert [d.quote for d in details] == seed_quotes
    (q1,) = [d for d in details if d.quote.start == GOLD_QUOTES["Q1"]["span"][0]]
    assert (q1.speaker_mention, q1.actor) == ("Dan Feldman", "United States")
    assert q1.content == GOLD_QUOTES["Q1"]["text"]
    (q2,) = [d for d in details if d.quote.start == GOLD_QUOTES["Q2"]["span"][0]]
    assert set(q2.content_actors) == {"United States", "Pakistan"}  # Pentagon, Pakistani
    sentence = SEED_RAW.index("He said, “The point")
    (q6,) = [d for d in details if d.quote.start == GOLD_QUOTES["Q6"]["span"][0]]
    from analysis.segment import sentences

    assert sentences(SEED_RAW)[q6.sentence].start == sentence


# --- hard cases as a golden table ----------------------------------------------------------

#: (case, text, expected records as (kind, content, speaker mention, speaker, cue)); only the
#: records listed are checked, in order, and no other direct or partial quotation may appear.
CASES: list[tuple[str, str, list[tuple[str, str, str | None, str | None, str | None]]]] = [
    (
        "pronoun after quotation",
        "John Smith arrived late. “We will win,” he said.",
        [("direct", "We will win,", "he", "John Smith", "said")],
    ),
    (
        "inverted speaker",
        "“We will win,” said John Smith.",
        [("direct", "We will win,", "John Smith", "John Smith", "said")],
    ),
    (
        "apposition and colon",
        "John Smith, a senior analyst at RAND, said: “Prices will rise.”",
        [("direct", "Prices will rise.", "John Smith", "John Smith", "said")],
    ),
    (
        "according to with apposition",
        "According to Petr Topychkanov, an analyst, “Russia is concerned.”",
        [
            (
                "direct",
                "Russia is concerned.",
                "Petr Topychkanov",
                "Petr Topychkanov",
                "According to",
            )
        ],
    ),
    (
        "partial quotation inside reported speech",
        "Former US envoy Dan Feldman said the plan was “short-sighted.”",
        [
            (
                "indirect",
                "the plan was “short-sighted.”",
                "Former US envoy Dan Feldman",
                "Dan Feldman",
                "said",
            ),
            ("partial", "short-sighted.", "Former US envoy Dan Feldman", "Dan Feldman", "said"),
        ],
    ),
    (
        "female pronoun skips the nearer male name",
        "Hillary Clinton spoke first. Donald Trump followed. “I will win,” she said.",
        [("direct", "I will win,", "she", "Hillary Clinton", "said")],
    ),
    (
        "reported speech with that",
        "Officials said that the talks had failed.",
        [("indirect", "the talks had failed.", "Officials", "Officials", "said")],
    ),
    (
        "closing frame",
        "The talks had failed, officials said.",
        [("indirect", "The talks had failed", "officials", "officials", "said")],
    ),
    (
        "organisation speaker and modifier before that",
        "The Pentagon said in a statement on Tuesday that the program would end.",
        [("indirect", "the program would end.", "The Pentagon", "Pentagon", "said")],
    ),
    (
        "belief adjective",
        "Some analysts were apprehensive that such a move would backfire.",
        [
            (
                "indirect",
                "such a move would backfire.",
                "Some analysts",
                "analysts",
                "apprehensive",
            )
        ],
    ),
    (
        "in his opinion",
        "Daniel Markey spoke. In his opinion, the relationship would solve two concerns.",
        [
            (
                "indirect",
                "the relationship would solve two concerns.",
                "his",
                "Daniel Markey",
                "In his opinion",
            )
        ],
    ),
    (
        "dash attribution",
        "“Maybe we can build a wall.” ― Steve Quinlan",
        [("direct", "Maybe we can build a wall.", "Steve Quinlan", "Steve Quinlan", "―")],
    ),
    (
        "colon frame in the paragraph before",
        "Caddell continued:\n\n“The health issue is partisan.”",
        [("direct", "The health issue is partisan.", "Caddell", "Caddell", "continued")],
    ),
    (
        "cueless quotation stays unattributed",
        "The deal was signed by both ministers. “The two sides held talks.”",
        [("direct", "The two sides held talks.", None, None, None)],
    ),
    (
        "nested single quotes",
        "Ann Lee smiled. “He told me ‘no’ twice,” she said.",
        [("direct", "He told me ‘no’ twice,", "she", "Ann Lee", "said")],
    ),
    (
        "guillemets and another script",
        "Путин сказал: «Мы победим».",
        [("direct", "Мы победим", "Путин", "Путин", None)],  # the subject before the colon
    ),
    ("scare quotes are not attributions", "The so-called “deplorables” voted.", []),
    ("titles are not attributions", "The “Druzhba” pipeline carries oil to Europe.", []),
    (
        "apostrophes never close a single quote: recovered to the sentence end",
        "He wrote ‘a view of John’s and Russia’s, let’s say, that it’s over. Then he left.",
        [
            (
                "partial",
                "a view of John’s and Russia’s, let’s say, that it’s over.",
                "He",
                None,
                "wrote",
            )
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hard_cases(
    case: str,
    text: str,
    expected: list[tuple[str, str, str | None, str | None, str | None]],
) -> None:
    quotes = extract_quotes(text)
    got = [(q.kind, text[q.start : q.end], _mention(q, text), q.speaker, q.cue) for q in quotes]
    for record in expected:
        assert record in got, f"{case}: {record} not in {got}"
    quoted_expected = [r for r in expected if r[0] != "indirect"]
    assert len(_quoted(quotes)) == len(quoted_expected), got


def test_quotation_interrupted_by_its_frame_is_one_record() -> None:
    text = "Maria Lopez spoke. “We will win,” she said. “They will lose.”"
    (q,) = _quoted(extract_quotes(text))
    assert [text[s:e] for s, e in q.parts] == ["We will win,", "They will lose."]
    assert q.speaker == "Maria Lopez"


def test_quotation_continued_across_paragraphs() -> None:
    text = "Ann Lee wrote:\n\n“The first paragraph ends here.\n\n“The second one closes it.”"
    (q,) = _quoted(extract_quotes(text))
    assert [text[s:e] for s, e in q.parts] == [
        "The first paragraph ends here.",
        "The second one closes it.",
    ]
    assert q.speaker == "Ann Lee"


def test_following_paragraph_inherits_the_speaker() -> None:
    text = "“Prices will rise,” Smith said.\n\n“Wages will not keep up with them.”"
    first, second = _quoted(extract_quotes(text))
    assert first.speaker == "Smith" and not first.inherited
    assert second.speaker == "Smith" and second.inherited


def test_unclosed_single_quote_recovered_to_its_sentence() -> None:
    text = "In his view, ‘to blunt the threat of IS. He said it’s over and let’s move on."
    quoted = _quoted(extract_quotes(text))
    assert [text[q.start : q.end] for q in quoted] == ["to blunt the threat of IS."]


def test_nyt_double_apostrophe_quotes() -> None:
    text = "''Hopefully,'' the president said, ''this museum can help us listen.''"
    (q,) = _quoted(extract_quotes(text))
    assert [text[s:e] for s, e in q.parts] == ["Hopefully,", "this museum can help us listen."]
    assert _mention(q, text) == "the president"


# --- bad input: never raises, linear time -------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        '"' * 100_000,
        "“" * 100_000,
        "‘’" * 50_000,
        "“”‘’\"'«»" * 12_500,
        "”“" * 50_000,
        "it’s " * 20_000,
        "he said, " * 10_000,
        ", said " * 10_000,
        "“a” ― " * 10_000,
        "According to " * 10_000,
        "In his opinion " * 10_000,
        "“A,” he said, “b,” she added, " * 3_000,
        "a" * 200_000,
        "Путин сказал: «Мы победим». 習近平說:“我們會贏”。 مرحبا “نعم” " * 1_000,
        "\x00\ufeff\u200b“\u202e”\r\n\r\n" * 2_000,
    ],
    ids=lambda t: f"{t[:12]!r}x{len(t)}",
)
def test_pathological_input_does_not_raise(text: str) -> None:
    quotes = extract_quotes(text)
    _check_invariants(text, quotes)


@pytest.mark.timeout(120)
def test_twenty_megabyte_text() -> None:
    text = "a " * 10_000_000
    assert len(text) == 20_000_000
    assert extract_quotes(text) == []


def _check_invariants(text: str, quotes: list[Quote]) -> None:
    n = len(text)
    for q in quotes:
        assert q.kind in ("direct", "partial", "indirect")
        assert 0 <= q.start < q.end <= n
        assert q.parts and q.parts[0][0] == q.start and q.parts[-1][1] == q.end
        assert all(s < e for s, e in q.parts)
        assert all(a[1] <= b[0] for a, b in zip(q.parts, q.parts[1:], strict=False))
        if q.speaker_start is not None:
            assert q.speaker_end is not None and 0 <= q.speaker_start < q.speaker_end <= n
        if q.cue_start is not None:
            assert q.cue_end is not None and 0 <= q.cue_start < q.cue_end <= n
            assert q.cue is not None
    for group in (_quoted(quotes), [q for q in quotes if q.kind == "indirect"]):
        spans = sorted((q.start, q.end) for q in group)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


_ALPHABET = st.sampled_from(
    [
        *list("aAbZ .,;:!?-—―\n\t'’‘“”\"«»()"),
        " said ",
        " says ",
        "He ",
        "she ",
        " according to ",
        "In his opinion, ",
        " that ",
        "John Smith",
        ", a senior analyst, ",
        "''",
        "``",
        "\n\n",
        " told reporters ",
    ]
)
_TEXTS = st.lists(_ALPHABET, max_size=120).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_properties_spans_inside_text_disjoint_and_deterministic(text: str) -> None:
    quotes = extract_quotes(text)
    _check_invariants(text, quotes)
    assert extract_quotes(text) == quotes


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_properties_on_arbitrary_unicode(text: str) -> None:
    quotes = extract_quotes(text)
    _check_invariants(text, quotes)


# --- the lexicon ---------------------------------------------------------------------------


def test_default_lexicon_has_inflected_forms_and_a_version() -> None:
    lex = default_speech_verbs()
    for form in (
        "say",
        "says",
        "said",
        "saying",
        "declares",
        "apprehensive",
        "according to",
        "worries",
        "points out",
    ):
        assert form in lex.cues, form
    assert lex.version.startswith("20")
    assert lex.cues["said"].direct and not lex.cues["feels"].direct


def test_user_lexicon_extends_the_default(tmp_path: Path) -> None:
    path = tmp_path / "verbs.yaml"
    path.write_text("version: mine\nclasses:\n  speech:\n    verbs: [opine]\n", encoding="utf-8")
    lex = load_speech_verbs(path)
    assert "opined" in lex.cues and "said" in lex.cues
    text = "Jane Roe opined that the tariff would fail."
    (q,) = extract_quotes(text, verbs=lex)
    assert (q.kind, q.cue, q.speaker) == ("indirect", "opined", "Jane Roe")
    assert not extract_quotes(text)


def test_user_lexicon_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "verbs.yaml"
    path.write_text(
        "classes:\n  speech:\n    direct: true\n    bare_clause: true\n    verbs: [opine]\n",
        encoding="utf-8",
    )
    lex = load_speech_verbs(path, mode="replace")
    assert "opined" in lex.cues and "said" not in lex.cues


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("classes:\n  speech: [unclosed\n", 3),
        ("classes: 3\n", None),
        ("classes:\n  speech:\n    verbs: [{a: 1, b: 2}]\n", None),
        ("classes:\n  speech:\n    direct: maybe\n", None),
    ],
)
def test_malformed_lexicon_names_the_file(tmp_path: Path, body: str, line: int | None) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_speech_verbs(path)
    assert str(path) in str(err.value)
    assert err.value.line == line
    assert "\n" not in str(err.value)


def test_missing_lexicon_file(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="not found"):
        load_speech_verbs(tmp_path / "nope.yaml")


# --- the PolNeAR-format evaluation ---------------------------------------------------------

_EVAL_TEXT = "“We will win,” said Ann Lee. Officials said the talks failed. The weather was cold."


def _write_polnear(root: Path, ann: str) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "doc1.txt").write_text(_EVAL_TEXT, encoding="utf-8")
    (root / "attributions" / "doc1_a1.ann").write_text(ann, encoding="utf-8")
    return root


def _t(tid: str, typ: str, part: str) -> str:
    start = _EVAL_TEXT.index(part)
    return f"{tid}\t{typ} {start} {start + len(part)}\t{part}"


def test_evaluate_scores_a_small_polnear_folder(tmp_path: Path) -> None:
    ann = "\n".join(
        [
            _t("T1", "Content", "“We will win,”"),
            _t("T2", "Source", "Ann Lee"),
            _t("T3", "Cue", "said"),
            "E1\tAttribution:T3 Content:T1 Cue:T3 Source:T2",
            _t("T4", "Content", "The weather was cold."),
            _t("T5", "Source", "Officials"),
            "E2\tAttribution:T3 Content:T4 Source:T5",
        ]
    )
    root = _write_polnear(tmp_path / "polnear", ann)
    scores = {(s.subset, s.overlap): s for s in evaluate(root)}
    direct = scores[("direct", 0.3)]
    assert (direct.gold, direct.predicted, direct.matched) == (1, 1, 1)
    assert direct.speaker_accuracy == 1.0
    everything = scores[("all", 0.3)]
    # gold: the quotation and "The weather was cold."; predicted: the quotation and the
    # reported clause "the talks failed."
    assert (everything.gold, everything.predicted, everything.matched) == (2, 2, 1)
    assert everything.precision == 0.5 and everything.recall == 0.5
    assert "| direct | 30% |" in format_table(list(scores.values()))


def test_match_is_one_to_one_and_greedy_by_coverage() -> None:
    gold = [Attribution(((0, 10),), (), True), Attribution(((20, 30),), (), True)]
    wide = Attribution(((0, 30),), (), True)  # covers both golds fully
    # greedy: the wide prediction takes the first gold; it cannot take the second as well
    assert match([wide, Attribution(((0, 4),), (), True)], gold, 0.3) == [(0, 0)]
    assert match([wide, Attribution(((20, 24),), (), True)], gold, 0.3) == [(0, 0), (1, 1)]
    # 40% coverage is a match at 30% but not at 80%
    assert match([Attribution(((20, 24),), (), True)], gold, 0.8) == []
    assert match([Attribution(((20, 24),), (), True)], gold, 0.3) == [(0, 1)]


def test_predictions_count_a_partial_inside_its_clause_once() -> None:
    text = "Former US envoy Dan Feldman said the plan was “short-sighted.”"
    preds = predictions(text, extract_quotes(text))
    assert len(preds) == 1 and preds[0].direct


def test_evaluate_command_reports_a_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--data", str(tmp_path / "missing")])
    assert run(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "missing" in err
