"""The JupyterLab explorer's model and widgets, without a browser (tests/test_lab.py drives it in
a real JupyterLab)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import analysis
from analysis.corpus import document_from_text
from analysis.explore import Explorer, ExplorerModel, Selection, View, summary_html

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def result(
    tmp_path_factory: pytest.TempPathFactory, seed_doc: analysis.Document
) -> analysis.Analysis:
    folder = tmp_path_factory.mktemp("explore")
    lines = seed_doc.body.split("\n")
    for i, (country, date) in enumerate(
        (("Pakistan", "2018-07"), ("Russia", "2018-08"), ("Russia", "2018-09"))
    ):
        (folder / f"a{i}.txt").write_text(f"Article {i}\n\n" + "\n\n".join(lines[i : i + 2]) + "\n")
        (folder / f"a{i}.meta.yaml").write_text(f'country: "{country}"\ndate: "{date}-01"\n')
    out = analysis.analyze(folder, settings=analysis.Settings(sentiment_backend="textblob"))
    assert list(out.documents["country"]) == ["Pakistan", "Russia", "Russia"]  # from sidecars
    return out


def test_no_filter_summarises_every_mention(result: analysis.Analysis) -> None:
    model = ExplorerModel(result)
    view = model.view(Selection())
    assert view.mentions == len(result.mentions) and view.documents == 3
    assert view.summary["mentions"].sum() == len(result.mentions)
    assert model.actors()[0] == result.mentions["actor"].astype(str).value_counts().index[0]
    assert "country" in model.facets() and "path" not in model.facets()
    assert model.months() == ["2018-07", "2018-08", "2018-09"]


def test_filters_combine(result: analysis.Analysis) -> None:
    model = ExplorerModel(result)
    sel = Selection(actors=("Russia",), column="country", values=("Russia",), voices=("author",))
    view = model.view(sel)
    m = result.mentions
    expected = m[
        (m["actor"] == "Russia") & m["doc_id"].isin(["a1", "a2"]) & (m["voice"] == "author")
    ]
    assert view.mentions == len(expected) > 0
    assert list(view.summary["actor"]) == ["Russia"]
    assert view.summary["mean_polarity"].iloc[0] == pytest.approx(expected["polarity"].mean())
    assert set(view.evidence["doc_id"]) <= {"a1", "a2"} and set(view.evidence["actor"]) == {
        "Russia"
    }
    months = model.view(Selection(months=("2018-08", "2018-08")))
    assert months.documents == 1 and set(months.evidence["doc_id"]) == {"a1"}
    quoted = model.view(Selection(voices=("quoted",)))
    assert set(quoted.quotes["kind"]) <= {"direct", "partial"}
    reported = model.view(Selection(voices=("reported",)))
    assert set(reported.quotes["kind"]) == {"indirect"}


def test_large_groups_get_the_normal_interval(
    result: analysis.Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # analysis.explore is the function; the module is analysis.explore in sys.modules.
    explore = sys.modules["analysis.explore"]
    resampled = ExplorerModel(result).view(Selection()).summary.set_index("actor")
    monkeypatch.setattr(explore, "BOOTSTRAP_MAX_MENTIONS", 5)
    normal = ExplorerModel(result).view(Selection()).summary.set_index("actor")
    big = resampled.index[resampled["mentions"] > 20]
    width = (resampled.loc[big, "ci_high"] - resampled.loc[big, "ci_low"]).astype(float)
    assert (normal.loc[big, "ci_low"] <= normal.loc[big, "mean_polarity"]).all()
    normal_width = (normal.loc[big, "ci_high"] - normal.loc[big, "ci_low"]).astype(float)
    assert ((normal_width - width).abs() < 0.35 * width).all()


def test_the_widgets_update_together_and_a_click_shows_the_article(
    result: analysis.Analysis,
) -> None:
    explorer = analysis.explore(result)
    assert isinstance(explorer, Explorer)
    before = explorer.summary.value
    explorer.actors.value = ("Russia",)
    assert explorer.summary.value != before and ">Russia<" in explorer.summary.value
    assert all("Russia" in label for label, _ in explorer.evidence.options)
    explorer.column.value = "country"
    assert list(explorer.values.options) == ["Pakistan", "Russia"]
    explorer.values.value = ("Pakistan",)
    assert explorer.view is not None and set(explorer.view.evidence["doc_id"]) == {"a0"}
    explorer.evidence.value = 0
    assert 'class="focus"' in explorer.article.value and 'data-doc="a0"' in explorer.article.value
    assert "application/vnd.jupyter.widget-view+json" in explorer._repr_mimebundle_()


def test_article_markup_shows_as_text_in_the_explorer() -> None:
    doc = document_from_text(
        f"Talks\n\nPakistan and Russia held talks. “{XSS} is what we reject,” said the Russian "
        "ambassador. <b>Russia</b> warned the United States.",
        doc_id="xss",
        path="xss.txt",
    )
    result = analysis.analyze(doc, settings=analysis.Settings(sentiment_backend="textblob"))
    explorer = analysis.explore(result)
    shown = explorer.quotes.value + explorer.summary.value
    assert "<script" not in shown and "&lt;script&gt;" in explorer.quotes.value
    assert any("<b>Russia</b>" in label for label, _ in explorer.evidence.options)  # plain text
    explorer.evidence.value = 0
    assert "<script" not in explorer.article.value and "<b>" not in explorer.article.value


def test_an_empty_selection_says_so() -> None:
    empty = View(
        summary=analysis.sentiment.actor_summary(
            __import__("pandas").DataFrame(columns=["actor", "polarity", "label", "sentence"]),
            by=("actor",),
        ),
        quotes=__import__("pandas").DataFrame(),
        evidence=__import__("pandas").DataFrame(),
        documents=0,
        mentions=0,
    )
    assert "No mention matches" in summary_html(empty)


def test_with_backends_offers_the_same_corpus_scored_otherwise(tmp_path: Path) -> None:
    from analysis.explore import with_backends

    (tmp_path / "a.txt").write_text(
        "Talks\n\nPakistan and Russia agreed. The United States objected.\n"
    )
    base = analysis.analyze(tmp_path, settings=analysis.Settings(sentiment_backend="textblob"))
    others = with_backends(base, [tmp_path], ["textblob", "vader"])
    assert list(others) == ["vader"]
    explorer = analysis.explore(base, alternatives=others)
    assert list(explorer.backend.options) == ["textblob", "vader"]
    explorer.backend.value = "vader"
    assert explorer.view is not None and explorer.view.mentions == len(others["vader"].mentions)


def test_a_corpus_without_mentions_dates_or_groups_still_explores() -> None:
    doc = document_from_text(
        "Weather\n\nIt rained all day in the valley.", doc_id="w", path="w.txt"
    )
    result = analysis.analyze(doc, settings=analysis.Settings(sentiment_backend="textblob"))
    explorer = analysis.explore(result)
    assert "No mention matches" in explorer.summary.value and explorer.months.disabled
    explorer.voices.value = ("quoted",)
    assert "No quotation matches" in explorer.quotes.value
    assert list(explorer.evidence.options) == []
