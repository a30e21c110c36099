"""``python -m analysis evaluate domain`` on a hand-made folder in the benchmark's format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.evaluate_domain import evaluate, format_table

TEXT = (
    "Pakistan and Russia sign energy deal\n\n"
    "ISLAMABAD: Pakistan and Russia on Monday signed an energy deal, officials said.\n\n"
    "“This is a new chapter for both countries,” Foreign Minister Khawaja Asif said.\n\n"
    "Share: Facebook | Twitter\n"
)


def _span(surface: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(surface, start + 1)
    return start, start + len(surface)


def _mention(surface: str, actor: str, nth: int = 0, sentiment: str = "neutral") -> dict:
    start, end = _span(surface, nth)
    return {"start": start, "end": end, "surface": surface, "actor": actor, "sentiment": sentiment}


def _gold() -> dict:
    drop = _span("Share: Facebook | Twitter")
    quote = _span("This is a new chapter for both countries,")
    reported = _span("Pakistan and Russia on Monday signed an energy deal")
    return {
        "doc": "pk_deal",
        "title": "Pakistan and Russia sign energy deal",
        "meta": {"source": "Test Daily", "country": "Pakistan"},
        "mentions": [
            _mention("Pakistan", "Pakistan", 0, "positive"),
            _mention("Russia", "Russia", 0, "positive"),
            _mention("Pakistan", "Pakistan", 1, "positive"),
            _mention("Russia", "Russia", 1, "positive"),
            _mention("Khawaja Asif", "Pakistan"),
        ],
        "traps": [{"start": 38, "end": 47, "surface": "ISLAMABAD"}],
        "quotes": [
            {"start": reported[0], "end": reported[1], "kind": "indirect",
             "content": TEXT[reported[0] : reported[1]], "speaker": "officials",
             "speaker_aliases": ["officials"], "actor": "Pakistan"},
            {"start": quote[0], "end": quote[1], "kind": "direct",
             "content": TEXT[quote[0] : quote[1]], "speaker": "Khawaja Asif",
             "speaker_aliases": ["Khawaja Asif", "Asif"], "actor": "Pakistan"},
        ],
        "drops": [{"start": drop[0], "end": drop[1], "text": TEXT[drop[0] : drop[1]]}],
    }  # fmt: skip


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pk_deal.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "pk_deal.meta.yaml").write_text(
        'source: "Test Daily"\ncountry: "Pakistan"\n', encoding="utf-8"
    )
    (tmp_path / "pk_deal.gold.json").write_text(json.dumps(_gold()), encoding="utf-8")
    return tmp_path


def test_scores_every_capability(folder: Path) -> None:
    assert TEXT[38:47] == "ISLAMABAD"
    scores = evaluate(folder, backends=("learned", "textblob"))
    assert (scores.articles, scores.titles_right, scores.drops, scores.drops_kept) == (1, 1, 1, 0)
    assert scores.mentions_lost == 0 and scores.trap_hits == 0
    assert scores.mention_recall == pytest.approx(100.0)
    assert set(scores.sentiment_macro_f1) == {"learned", "textblob"}
    assert scores.quotes_direct["recall"] == pytest.approx(100.0)
    assert scores.speaker_matched >= 1
    table = format_table(scores)
    assert "| mentions | precision / recall / F1 |" in table and "textblob" in table


def test_furniture_left_in_the_body_and_trap_hits_are_counted(folder: Path) -> None:
    gold = _gold()
    start, end = _span("signed an energy deal")
    gold["drops"].append({"start": start, "end": end, "text": TEXT[start:end]})
    start, end = _span("Russia", 1)
    gold["traps"].append({"start": start, "end": end, "surface": "Russia"})
    gold["mentions"] = [m for m in gold["mentions"] if m["start"] != start]
    (folder / "pk_deal.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    scores = evaluate(folder)
    assert scores.drops_kept == 1 and scores.articles_with_furniture_kept == 1
    assert scores.trap_hits == 1 and scores.mention_precision < 100
    assert any("trap hit 'Russia'" in line for line in scores.errors["mentions wrong"])


def test_errors_give_each_backends_confusion_and_every_wrong_label(folder: Path) -> None:
    scores = evaluate(folder, backends=("learned",))
    rows = scores.errors["sentiment confusion learned"]
    assert [row.split(":")[0] for row in rows] == [
        "gold negative",
        "gold neutral",
        "gold positive",
    ]
    counts = [int(n) for row in rows for n in re.findall(r"\d+", row)]
    assert sum(counts) == 5  # every matched gold mention is counted once
    right = int(re.search(r"positive (\d+)$", rows[2]).group(1))  # type: ignore[union-attr]
    right += int(re.search(r"neutral (\d+),", rows[1]).group(1))  # type: ignore[union-attr]
    wrong = scores.errors.get("sentiment learned", [])
    assert len(wrong) == 5 - right
    assert all(" gold " in line and "[" in line for line in wrong)


def test_errors_name_every_actor_whose_stance_disagrees(folder: Path) -> None:
    named: set[str] = set()
    for sentiment in ("positive", "negative"):  # opposite leans: each actor misses in one
        gold = _gold()
        for mention in gold["mentions"]:
            mention["sentiment"] = sentiment
        (folder / "pk_deal.gold.json").write_text(json.dumps(gold), encoding="utf-8")
        scores = evaluate(folder, backends=("learned",))
        lines = scores.errors.get("stance learned", [])
        agreeing = round(scores.stance_agreement["learned"] * scores.stance_pairs / 100)
        assert scores.stance_pairs == 2 and len(lines) == scores.stance_pairs - agreeing
        sign = "+1.00" if sentiment == "positive" else "-1.00"
        assert all(line.startswith("pk_deal: ") and f"gold mean {sign}" in line for line in lines)
        named |= {line.split()[1] for line in lines}
    assert named == {"Pakistan", "Russia"}


def test_missing_folder_is_one_line_and_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["evaluate", "domain", "--data", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert status == 2 and "nowhere" in err and len(err.strip().splitlines()) == 1
