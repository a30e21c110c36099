"""The pipeline: tables, co-occurrence, parallel equality, output files, CLI."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd

import analysis
from analysis.corpus import document_from_text
from analysis.pipeline import Settings, _TableBuilder, analyze_document

from .conftest import ROOT, SEED


def test_tables_on_seed():
    result = analysis.analyze(SEED)
    assert list(result.documents["doc_id"]) == ["000_bd50dbdc2ca17a54"]
    assert int(result.documents["n_sentences"].iloc[0]) == len(result.sentences) == 32
    doc = analysis.load_corpus(SEED)[0]
    for row in result.mentions.itertuples():
        if row.in_headline:
            assert doc.title is not None and doc.title[row.start : row.end] == row.surface
            assert row.sentence == -1
            continue
        assert doc.body[row.start : row.end] == row.surface
        sent = result.sentences.iloc[row.sentence]
        assert sent.start <= row.start and row.end <= sent.end
    assert result.mentions["actor"].dtype == "category"
    headline = result.mentions[result.mentions["in_headline"]]
    assert list(headline["surface"]) == ["Pak-Russia", "Pak-Russia"]
    counts = result.mention_counts().set_index("actor")["mentions"].to_dict()
    assert counts["United States"] == 27 and counts["Russia"] == 25


def test_cooccurrence_pairs_in_same_sentence():
    result = analysis.analyze(SEED)
    co = result.cooccurrence()
    top = co.iloc[0]
    assert (top.actor_a, top.actor_b) == ("Pakistan", "Russia")
    # Every pair is counted once per sentence in which both actors occur.
    m = result.mentions.astype({"actor": str})
    both = m.groupby("sentence")["actor"].apply(lambda a: {"Pakistan", "Russia"} <= set(a)).sum()
    assert top.sentences == both
    assert (co["actor_a"] < co["actor_b"]).all()


def test_per_document_step_is_picklable_and_pure():
    doc = analysis.load_corpus(SEED)[0]
    settings = Settings()
    first = analyze_document(doc, settings)
    again = pickle.loads(pickle.dumps(analyze_document))(pickle.loads(pickle.dumps(doc)), settings)
    assert first == again


def test_jobs_two_gives_identical_tables(tmp_path: Path):
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    for i in range(5):
        article = "\n".join(lines[:2] + lines[2 + i % 3 :])
        (tmp_path / f"a{i}.txt").write_text(article, encoding="utf-8")
    serial = analysis.analyze(tmp_path, jobs=1)
    parallel = analysis.analyze(tmp_path, jobs=2)
    for name, df in serial.tables().items():
        pd.testing.assert_frame_equal(df, parallel.tables()[name])


def test_tables_built_in_chunks_equal_tables_built_at_once():
    # A chunk boundary after every document, with documents lacking quotes, themes or
    # metadata (columns of None in some chunks), must give the same rows and dtypes.
    seed = analysis.load_corpus(SEED)[0]
    bare = document_from_text(
        "Pakistan and Russia met. Nothing else happened here.", doc_id="bare", path="bare.txt"
    )
    empty_rows = document_from_text(
        "The weather was mild all week.", doc_id="calm", path="calm.txt"
    )
    settings = Settings(sentiment_backend="textblob")
    results = [analyze_document(d, settings) for d in (bare, seed, empty_rows, seed)]
    chunked, whole = _TableBuilder(chunk_docs=1), _TableBuilder(chunk_docs=100)
    for r in results:
        chunked.add(r)
        whole.add(r)
    a, b = chunked.frames(), whole.frames()
    assert len(a["quotes"]) > 0 and a["documents"]["doc_id"].tolist()[0] == "bare"
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def test_to_csv_and_parquet_are_reproducible(tmp_path: Path):
    result = analysis.analyze(SEED)
    a = result.to_csv(tmp_path / "a")
    b = analysis.analyze(SEED).to_csv(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    written = result.to_parquet(tmp_path / "p")
    back = pd.read_parquet(written[2])
    assert len(back) == len(result.mentions)
    assert not list((tmp_path / "a").glob(".*.tmp"))


def test_cli_analyze_reports_failures_and_exits_nonzero(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "analyze", str(corpus), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [f"error: {corpus / 'empty.txt'}: empty file"]
    assert (out / "mentions.csv").exists()
    ok = subprocess.run(
        [sys.executable, "-m", "analysis", "analyze", str(corpus / "good.txt"), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0, ok.stderr


def test_cli_bad_lexicon_one_line(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("actors: [\n", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "analyze",
            str(SEED),
            "--actors",
            str(bad),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert str(bad) in proc.stderr and "Traceback" not in proc.stderr


def test_cli_help_everywhere():
    for args in (["--help"], ["analyze", "--help"]):
        proc = subprocess.run(
            [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=ROOT
        )
        assert proc.returncode == 0 and "usage:" in proc.stdout


def test_seed_actor_sentiment_order():
    """The op-ed is negative about the US, positive about Russia; ISIS is negative."""
    summary = analysis.analyze(SEED).actor_summary("corpus").set_index("actor")
    us, ru, isis = (summary.loc[a, "mean_polarity"] for a in ("United States", "Russia", "ISIS"))
    assert us < 0 and us < ru and isis < 0
    assert summary.loc["United States", "ci_low"] <= us <= summary.loc["United States", "ci_high"]
    # 98 in the body and 2 in the headline ("Pak-Russia Defence Cooperation")
    assert summary["mentions"].sum() == 100


def test_theme_tables_on_seed():
    result = analysis.analyze(SEED)
    rates = result.theme_rates("corpus").set_index("theme")
    assert rates.loc["Afghanistan and regional security", "hits"] == 13
    assert rates.loc["nuclear and strategic stability", "hits"] == 0
    body = analysis.load_corpus(SEED)[0].body
    for row in result.themes.itertuples():
        assert body[row.start : row.end] == row.surface
    kwic = result.kwic("pipeline")
    assert list(kwic["match"]) == ["pipelines"]


def test_quotes_table_and_voices_on_seed(gold):
    result = analysis.analyze(SEED)
    q = result.quotes
    body = analysis.load_corpus(SEED)[0].body
    offset = body.index(gold["body_starts"])
    raw_start = SEED.read_text(encoding="utf-8").index(gold["body_starts"])
    for item in gold["direct_quotes"]:
        start, end = (x - raw_start + offset for x in item["span"])
        row = q[(q["start"] == start) & (q["end"] == end) & (q["kind"] != "indirect")]
        assert len(row) == 1, item["id"]
        row = row.iloc[0]
        assert row["kind"] == item["kind"], item["id"]
        speaker = None if pd.isna(row["speaker"]) else row["speaker"]
        mention = None if pd.isna(row["speaker_mention"]) else row["speaker_mention"]
        assert mention == item["speaker_mention"], item["id"]
        if item["speaker"] is None or ";" not in item["speaker"]:
            # Gold lists several outlets for Q2 ("The News; ABC News"); others name one speaker.
            assert speaker == item["speaker"], item["id"]
        assert row["content"] == item["text"]
    q6 = q[(q["kind"] == "direct") & (q["speaker_mention"] == "He")].iloc[0]
    assert q6["speaker"] == "Daniel Markey"
    feldman = q[q["speaker"] == "Dan Feldman"].iloc[0]
    assert feldman["actor"] == "United States"
    # A mention inside Q6's marks is in a quoted voice; one in the author's text is not.
    m = result.mentions
    inside = m[(m["start"] >= q6["start"]) & (m["end"] <= q6["end"])]
    assert set(inside["voice"]) == {"quoted"} and set(inside["quote"]) == {q6["quote"]}
    assert m.iloc[0]["voice"] == "author" or m.iloc[0]["voice"] == "reported"
    speakers = result.speakers()
    assert speakers.iloc[0]["speaker"] == "Daniel Markey"
    assert speakers["attributions"].sum() == (~q["nested"]).sum()


def test_text_polarity_backends():
    from analysis.sentiment import text_polarity

    assert text_polarity("very short-sighted and myopic.")[1] == "negative"
    assert text_polarity("a trusted and valuable partnership")[1] == "positive"
    assert text_polarity("   ") == (0.0, "neutral")
    assert text_polarity("They condemned the brutal attack.", backend="vader")[1] == "negative"


def test_analysis_leaves_nltk_unimported_and_textblob_usable():
    # TextBlob's lexicon is read without the package's NLTK import (memory, worker start-up);
    # a user's own `import textblob` afterwards still gets the whole package.
    code = (
        "import sys, analysis\n"
        f"analysis.analyze({str(SEED)!r})\n"
        "assert 'nltk' not in sys.modules, 'nltk imported'\n"
        "from textblob import TextBlob\n"
        "assert TextBlob('a good day').sentiment.polarity > 0\n"
        "import textblob.en\n"
        "assert textblob.en.sentiment('a bad day')[0] < 0\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
