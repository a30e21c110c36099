"""Comparisons between groups of articles: outlet country by default, any documents column."""

from __future__ import annotations

from pathlib import Path

import pytest

import analysis
from analysis import comparisons, figures
from analysis.errors import InputError

#: (file stem, country, outlet, date, seed paragraphs the article is made of)
ARTICLES = (
    ("dawn-1", "Pakistan", "Dawn", "2018-08-01", (0, 1)),
    ("dawn-2", "Pakistan", "Dawn", "2018-09-02", (2, 3)),
    ("tass-1", "Russia", "TASS", "2018-08-03", (1, 3)),
    ("nyt-1", "United States", "The New York Times", "2018-09-04", (0, 4)),
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, seed_doc: analysis.Document) -> Path:
    folder = tmp_path_factory.mktemp("countries")
    paragraphs = seed_doc.body.split("\n")
    for stem, country, source, date, chosen in ARTICLES:
        text = f"{source} on Pakistan and Russia\n\n" + "\n\n".join(paragraphs[i] for i in chosen)
        (folder / f"{stem}.txt").write_text(text + "\n", encoding="utf-8")
        (folder / f"{stem}.meta.yaml").write_text(
            f'country: "{country}"\nsource: "{source}"\ndate: "{date}"\n', encoding="utf-8"
        )
    return folder


@pytest.fixture(scope="module")
def result(corpus: Path) -> analysis.Analysis:
    out = analysis.analyze(corpus, settings=analysis.Settings(sentiment_backend="textblob"))
    assert "country" in out.documents.columns  # every sidecar field is a documents column
    return out


def test_country_is_the_default_group_when_the_corpus_has_it(result: analysis.Analysis) -> None:
    assert result.group_column() == "country"
    assert result.groups() == {
        "dawn-1": "Pakistan",
        "dawn-2": "Pakistan",
        "nyt-1": "United States",
        "tass-1": "Russia",
    }
    no_country = analysis.Analysis(
        **{**result.__dict__, "documents": result.documents.drop(columns="country")}
    )
    assert no_country.group_column() == "source"
    assert result.groups("date")["dawn-2"] == "2018-09"


def test_a_missing_group_column_is_one_line_naming_it_and_the_columns(
    result: analysis.Analysis,
) -> None:
    with pytest.raises(InputError) as info:
        result.group_column("outlet_type")
    message = str(info.value)
    assert "\n" not in message and "'outlet_type'" in message
    assert "columns: doc_id, path, title" in message and "country" in message


def test_sentiment_by_group_pools_the_mentions_of_each_group(result: analysis.Analysis) -> None:
    summary = result.sentiment_by("country", actors=["Pakistan", "Russia"])
    assert set(summary["group"]) == {"Pakistan", "Russia", "United States"}
    pakistan = result.mentions[result.mentions["doc_id"].isin(["dawn-1", "dawn-2"])]
    row = summary[(summary["group"] == "Pakistan") & (summary["actor"] == "Russia")].iloc[0]
    russia = pakistan[pakistan["actor"] == "Russia"]
    assert row["mentions"] == len(russia)
    assert row["mean_polarity"] == pytest.approx(russia["polarity"].mean())
    assert row["ci_low"] <= row["mean_polarity"] <= row["ci_high"]


def test_speakers_and_theme_rates_by_group(result: analysis.Analysis) -> None:
    speakers = result.speakers_by("country")
    quotes = result.quotes[~result.quotes["nested"]]
    assert speakers["attributions"].sum() == len(quotes)
    assert set(speakers["group"]) <= {"Pakistan", "Russia", "United States"}
    rates = result.theme_rates_by("source")
    dawn = rates[rates["group"] == "Dawn"]
    dawn_hits = result.themes["doc_id"].isin(["dawn-1", "dawn-2"]).sum()
    assert dawn["hits"].sum() == dawn_hits
    assert set(dawn["words"]) == {
        int(result.documents.set_index("doc_id").loc[["dawn-1", "dawn-2"], "words"].sum())
    }


def test_the_sections_draw_the_summaries(result: analysis.Analysis) -> None:
    head = comparisons.group_header(result, "country").html
    assert "Pakistan: 2 articles" in head and "Russia: 1 article<" in head
    portrayal = comparisons.portrayal_section(result, "country").html
    assert portrayal.count("<img") == 1 and "How outlets" not in portrayal  # the title is drawn
    assert "Mean polarity toward each actor by outlet country" in portrayal
    assert "United States" in portrayal and "95% low" in portrayal
    assert "<table" in comparisons.quoted_by_section(result, "country").html
    assert "<img" in comparisons.themes_by_section(result, "country").html
    assert "Key terms of" in comparisons.keyness_by_section(result, "country").html
    by_source = figures.sentiment_by_section(result, "source").html
    assert "Sentiment by source" in by_source or "<img" in by_source


def test_one_group_says_there_is_nothing_to_compare(result: analysis.Analysis) -> None:
    one = analysis.Analysis(
        **{**result.__dict__, "documents": result.documents.assign(country="Pakistan")}
    )
    assert "needs at least two" in comparisons.portrayal_section(one, "country").html


def test_the_corpus_notebook_stops_on_a_group_by_that_is_not_a_column(
    result: analysis.Analysis,
) -> None:
    from analysis import report

    assert report.group_column(result, None) == "country"
    with pytest.raises(report.NotebookStop) as info:
        report.group_column(result, "outlet_type")
    assert info.value._render_traceback_() == [
        "NotebookStop: group_by: no column 'outlet_type' in the documents (columns: "
        + ", ".join(result.documents.columns)
        + ")"
    ]


@pytest.mark.slow
def test_the_corpus_report_compares_groups_and_names_a_bad_group_by(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.cli import main

    base = ["report", str(corpus), "--no-articles", "--jobs", "1", "--no-progress"]
    assert main([*base, "--out", str(tmp_path / "ok"), "-p", "group_by", "source"]) == 0
    page = (tmp_path / "ok" / "corpus.html").read_text("utf-8")
    assert "How the articles of each outlet portray each actor" in page or "<img" in page
    assert "Grouped by <code>source</code>" in page and "Dawn: 2 articles" in page
    capsys.readouterr()
    assert main([*base, "--out", str(tmp_path / "bad"), "-p", "group_by", "outlet_type"]) == 1
    err = capsys.readouterr().err
    assert (
        "NotebookStop: group_by: no column 'outlet_type' in the documents (columns: doc_id" in err
    )


def test_theme_trends_draw_the_rates_by_month(result: analysis.Analysis) -> None:
    section = figures.theme_trends_section(result)
    assert section.html.count("<img") == 1
    by_month = result.theme_rates_by("date")
    assert set(by_month["group"]) == {"2018-08", "2018-09"}
    assert by_month["hits"].sum() == len(result.themes)
