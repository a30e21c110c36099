"""Corpus loading and cleaning: the seed against its gold file, formats, decoding, bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import analysis
from analysis.corpus import InputWarning, read_corpus
from analysis.errors import InputError, LexiconError

from .conftest import SEED


def test_seed_title_author_note(seed_doc, gold):
    assert seed_doc.title == gold["title"]
    assert seed_doc.author == gold["author"]
    assert seed_doc.author_note == gold["author_note"]
    assert seed_doc.id == "000_bd50dbdc2ca17a54"


def test_seed_body_bounds_and_footer_gone(seed_doc, gold):
    assert seed_doc.body.startswith(gold["body_starts"])
    assert seed_doc.body.endswith(gold["body_ends"])
    assert gold["boilerplate_starts"] not in seed_doc.body
    assert "The CSS Point" not in seed_doc.body
    assert "The writer" not in seed_doc.body


def test_seed_sidecar_metadata(seed_doc):
    assert seed_doc.date == "2018-08"
    assert seed_doc.source.startswith("The CSS Point")


def test_seed_bytes_unchanged_and_hash(seed_doc):
    import hashlib

    assert seed_doc.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()


def test_body_offsets_map_back_to_raw(seed_doc, gold):
    raw = SEED.read_text(encoding="utf-8")
    for quote in gold["direct_quotes"]:
        start, end = quote["span"]
        body_start = seed_doc.body.index(quote["text"])
        assert seed_doc.raw_offset(body_start) == start
        assert raw[start:end] == quote["text"]
        assert seed_doc.body[body_start : body_start + end - start] == raw[start:end]


def test_cp1252_utf8_bom_crlf(tmp_path: Path):
    text = "Pakistan\u2019s view \u2014 \u201cquoted\u201d caf\u00e9.\r\nSecond line here.\r\n"
    (tmp_path / "a_cp1252.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "b_bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "c_utf8.txt").write_bytes(text.encode("utf-8"))
    docs = analysis.load_corpus(tmp_path)
    assert [d.encoding for d in docs] == ["cp1252", "utf-8-sig", "utf-8"]
    bodies = {d.body for d in docs}
    assert len(bodies) == 1
    (body,) = bodies
    assert "\r" not in body
    assert "Pakistan\u2019s" in body and "\u201cquoted\u201d" in body and "caf\u00e9" in body


def test_nfc_normalisation_and_offsets(tmp_path: Path):
    raw = "Cafe\u0301 talks in Moscow.\r\nPakistan agreed.\n"
    (tmp_path / "x.txt").write_text(raw, encoding="utf-8", newline="")
    (doc,) = analysis.load_corpus(tmp_path / "x.txt")
    assert "Caf\u00e9" in doc.body
    i = doc.body.index("Moscow")
    assert raw[doc.raw_offset(i) : doc.raw_offset(i) + 6] == "Moscow"
    j = doc.body.index("Pakistan")
    assert raw[doc.raw_offset(j) : doc.raw_offset(j) + 8] == "Pakistan"


def test_markdown_front_matter(tmp_path: Path):
    (tmp_path / "a.md").write_text(
        "---\ntitle: Moscow and Islamabad\ndate: 2019-01-05\nsource: Dawn\n---\n"
        "# Moscow and Islamabad\n\nRussia and Pakistan signed a deal.\n",
        encoding="utf-8",
    )
    (doc,) = analysis.load_corpus(tmp_path)
    assert (doc.title, doc.date, doc.source) == ("Moscow and Islamabad", "2019-01-05", "Dawn")
    assert "Russia and Pakistan signed a deal." in doc.body
    i = doc.body.index("Russia")
    assert doc.raw[doc.raw_offset(i) : doc.raw_offset(i) + 6] == "Russia"


def test_jsonl_and_csv_rows(tmp_path: Path):
    rows = [
        {"id": "r1", "title": "T1", "text": "Russia and Pakistan met.", "source": "Dawn"},
        {"id": "r2", "text": "The US objected."},
    ]
    (tmp_path / "a.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows) + "\n{bad json\n", encoding="utf-8"
    )
    (tmp_path / "b.csv").write_text(
        'id,title,text\nc1,Title,"Moscow, Islamabad and Beijing."\nc2,Empty,"   "\n',
        encoding="utf-8",
    )
    result = read_corpus(tmp_path)
    assert [d.id for d in result.documents] == ["r1", "r2", "c1"]
    assert result.documents[0].source == "Dawn"
    reasons = {f.source.rsplit("/", 1)[-1]: f.reason for f in result.failures}
    assert reasons["a.jsonl:3"].startswith("invalid JSON")
    assert reasons["b.csv:3"] == "no text (whitespace only)"


def test_html_main_text_without_scripts(tmp_path: Path):
    script = "<script>var x = 'Pakistan Russia tracking';</script>" * 50
    paragraphs = "".join(
        f"<p>Paragraph {i}: Russia and Pakistan expanded defence cooperation, officials said, "
        f"while Washington watched the talks in Islamabad closely.</p>"
        for i in range(6)
    )
    html = (
        f"<html><head><title>Pak-Russia ties</title>{script}</head><body>"
        f"<nav>Home | About | Contact</nav><article><h1>Pak-Russia ties</h1>{paragraphs}"
        f"</article>{script}<footer>Copyright Example News</footer></body></html>"
    )
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (doc,) = analysis.load_corpus(tmp_path)
    assert "Russia and Pakistan expanded defence cooperation" in doc.body
    assert "tracking" not in doc.body and "var x" not in doc.body
    assert doc.offsets == () and doc.raw_offset(0) is None


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t \n", "no text (whitespace only)"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary data"),
        ("bad.txt", b"Pakistan \x81\x8d\x90 Russia", "undecodable bytes"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
    ],
)
def test_bad_input_one_line_error_rest_goes_on(tmp_path: Path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text("Russia and Pakistan met in Moscow.", encoding="utf-8")
    result = read_corpus(tmp_path)
    assert [d.id for d in result.documents] == ["good"]
    (failure,) = result.failures
    assert failure.source.endswith(name)
    assert reason in failure.reason
    assert "\n" not in str(failure)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = analysis.load_corpus(tmp_path)
    assert len(docs) == 1
    assert [issubclass(w.category, InputWarning) for w in caught] == [True]
    with pytest.raises(InputError, match=name):
        analysis.load_corpus(tmp_path, errors="raise")


def test_missing_path_is_a_failure(tmp_path: Path):
    result = read_corpus([tmp_path / "nope.txt", SEED])
    assert len(result.documents) == 1
    assert result.failures[0].reason == "no such file or folder"


def test_large_text_loads(tmp_path: Path):
    paragraph = SEED.read_text(encoding="utf-8").split("\n")[2] + "\n"
    big = paragraph * (20_000_000 // len(paragraph.encode("utf-8")) + 1)
    (tmp_path / "big.txt").write_text("Big file\n\n" + big, encoding="utf-8")
    (doc,) = analysis.load_corpus(tmp_path)
    assert len(doc.body.encode("utf-8")) > 19_000_000


def test_malformed_boilerplate_yaml_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("footer_start:\n  - 'ok'\n  - [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        analysis.load_corpus(SEED, boilerplate=bad)
    assert str(bad) in str(info.value) and ":" in str(info.value)


def test_user_boilerplate_extends(tmp_path: Path):
    article = tmp_path / "a.txt"
    article.write_text(
        "Moscow ties By Jane Roe\n\nRussia and Pakistan met in Moscow on Tuesday to discuss "
        "trade, energy and the situation in Afghanistan.\n\nThe two sides agreed to meet again "
        "in Islamabad next year, officials said after the talks.\nSubscribe to our newsletter\n"
        "Unrelated site text.\n",
        encoding="utf-8",
    )
    (before,) = analysis.load_corpus(article)
    assert "Unrelated site text." in before.body
    rules = tmp_path / "rules.yaml"
    rules.write_text("footer_start:\n  - '^\\s*Subscribe to our newsletter'\n", encoding="utf-8")
    (doc,) = analysis.load_corpus(article, boilerplate=rules)
    assert doc.body.endswith("officials said after the talks.")
    assert (doc.title, doc.author) == ("Moscow ties", "Jane Roe")


def test_boilerplate_rule_that_would_cut_a_quarter_is_reported_not_applied(tmp_path: Path):
    article = tmp_path / "short.txt"
    article.write_text(
        "Talks By Jane Roe\n\nRussia and Pakistan met.\nSubscribe to our newsletter\n"
        "Pakistan said the talks went well and more were planned for the spring.\n",
        encoding="utf-8",
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text("footer_start:\n  - '^\\s*Subscribe to our newsletter'\n", encoding="utf-8")
    with pytest.warns(InputWarning, match=r"short\.txt: boilerplate rule .* not applied"):
        (doc,) = analysis.load_corpus(article, boilerplate=rules)
    assert "more were planned for the spring" in doc.body
