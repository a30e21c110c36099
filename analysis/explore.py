"""An explorer for JupyterLab: filter the analysis and read the sentences behind the figures.

``analysis.explore(result)`` shows controls for actors, any metadata column of the documents
(outlet country, outlet, …) and its values, a date range, the voice (the author's own, quoted,
reported) and the sentiment backend. The sentiment summary (mean polarity with its bootstrap
95% interval per actor), the quotations and the evidence sentences update together; clicking an
evidence row shows that sentence outlined in the article as analysed
(:func:`analysis.annotate.annotate`).

The filtering and summaries live in :class:`ExplorerModel` (pure pandas, testable without a
browser); :class:`Explorer` wires it to ipywidgets. Every table is drawn by
:func:`analysis.figures.table`, which escapes article text; evidence rows are plain-text options.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import sentiment
from analysis.annotate import annotate
from analysis.figures import note, signed, table

__all__ = ["Explorer", "ExplorerModel", "Selection", "View", "explore"]

#: Bootstrap resamples for the explorer's intervals: a quarter of the report's 2,000, so that an
#: update stays well under the 300 ms target on 1,000 articles; the interval ends move by about
#: 0.01 polarity against 2,000 resamples.
EXPLORER_N_BOOT = 500
#: Actors with more selected mentions than this get the normal interval of the mean
#: (mean ± 1.96 standard errors, the percentile bootstrap's large-sample limit: the two differ
#: by under 0.005 polarity at 1,000 mentions) instead of resampling, which would cost most of
#: an update on a large corpus.
BOOTSTRAP_MAX_MENTIONS = 1000
#: Standard normal quantile of a two-sided 95% interval.
Z_95 = 1.959964
#: Columns of the mentions the explorer filters and summarises (the others stay out of the
#: per-update copies).
MENTION_COLUMNS = ("doc_id", "sentence", "start", "actor", "polarity", "label", "voice")
#: Summaries kept (one per documents-and-voices selection; the oldest is dropped first).
SUMMARY_CACHE = 64
#: Evidence sentences and quotations listed (strongest first): more is a table to export.
MAX_EVIDENCE = 40
MAX_QUOTES = 40
#: Characters of an evidence sentence shown in its row.
EVIDENCE_CHARS = 160
#: Paragraphs shown either side of the selected evidence in the article view.
ARTICLE_CONTEXT = 1
VOICES = ("author", "quoted", "reported")
#: Quotation kinds that stand for each voice.
VOICE_KINDS = {"author": (), "quoted": ("direct", "partial"), "reported": ("indirect",)}
#: Documents columns that are not metadata to filter by (identifiers, text, counts).
NOT_FACETS = frozenset(
    {"doc_id", "path", "title", "author_note", "url", "sha256", "encoding", "words", "n_sentences"}
)
#: A column with more distinct values than this is not offered as a filter.
MAX_FACET_VALUES = 500
SUMMARY_SHOWN = (
    "actor",
    "mentions",
    "mean_polarity",
    "ci_low",
    "ci_high",
    "n_negative",
    "n_positive",
)
QUOTE_SHOWN = ("doc_id", "kind", "speaker", "actor", "cue", "content", "polarity")


@dataclass(frozen=True)
class Selection:
    """What the explorer shows: empty tuples and None mean "all".

    Attributes:
        actors: Actors to keep.
        column: A documents column to filter by (``country``, ``source``, …).
        values: Values of ``column`` to keep.
        months: First and last month (``YYYY-MM``) of publication, inclusive.
        voices: Voices to keep (``author``, ``quoted``, ``reported``).
    """

    actors: tuple[str, ...] = ()
    column: str | None = None
    values: tuple[str, ...] = ()
    months: tuple[str, str] | None = None
    voices: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    """The tables for one selection."""

    summary: pd.DataFrame
    quotes: pd.DataFrame
    evidence: pd.DataFrame
    documents: int
    mentions: int


class ExplorerModel:
    """Filters and summaries of one :class:`analysis.Analysis` for the explorer.

    Per-document facts are held as arrays aligned with the documents table, and each mention
    and quotation knows its document's row, so a selection costs a few vectorised masks.
    """

    def __init__(self, result: Any, *, n_boot: int = EXPLORER_N_BOOT) -> None:
        self.result = result
        self.n_boot = n_boot
        docs = result.documents
        self.doc_ids = docs["doc_id"].astype(str).to_numpy()
        months = result.groups("date")
        self.doc_months = np.array([months.get(d) or "" for d in self.doc_ids], dtype=object)
        # Categories (integer codes) for the text columns: masks, sorts and group-bys on codes
        # cost a fraction of the same on strings.
        self.mentions = result.mentions[list(MENTION_COLUMNS)].astype(
            {"doc_id": "category", "actor": "category", "voice": "category", "label": "category"}
        )
        self.mention_doc = self._rows_of(self.mentions)
        # Each mention's sentence (the headline for headline mentions), by table position.
        self.mention_text = result.mentions_with_sentences()["sentence_text"].to_numpy(object)
        self._summaries: dict[tuple[Any, ...], pd.DataFrame] = {}
        self.quotes = result.quotes.astype({"kind": str})
        self.quote_doc = self._rows_of(self.quotes)
        self.quote_actors = (
            self.quotes["actor"].astype(object).fillna("").astype(str)
            + "; "
            + self.quotes["actors"].astype(object).fillna("").astype(str)
        )

    def _rows_of(self, table: pd.DataFrame) -> np.ndarray:
        codes = pd.Categorical(table["doc_id"].astype(str), categories=self.doc_ids).codes
        return np.asarray(codes)

    def actors(self) -> list[str]:
        """Actors, most mentioned first."""
        counts = self.mentions["actor"].value_counts()
        return sorted(counts.index, key=lambda a: (-int(counts[a]), a))

    def facets(self) -> list[str]:
        """Documents columns to filter by: metadata with a manageable number of values."""
        docs = self.result.documents
        return [
            str(c)
            for c in docs.columns
            if c not in NOT_FACETS and 0 < docs[c].astype(object).nunique() <= MAX_FACET_VALUES
        ]

    def values(self, column: str) -> list[str]:
        """The values of a documents column (months for ``date``)."""
        return sorted({g for g in self.result.groups(column).values() if g is not None})

    def months(self) -> list[str]:
        """Months of publication in the corpus, in order."""
        return sorted({m for m in self.doc_months if m})

    def document_mask(self, selection: Selection) -> np.ndarray:
        """Which documents (rows of the documents table) the selection keeps."""
        keep = np.ones(len(self.doc_ids), dtype=bool)
        if selection.column and selection.values:
            labels = self.result.groups(selection.column)
            chosen = set(selection.values)
            keep &= np.array([labels.get(d) in chosen for d in self.doc_ids], dtype=bool)
        if selection.months is not None:
            first, last = selection.months
            dated = self.doc_months != ""
            keep &= dated & (self.doc_months >= first) & (self.doc_months <= last)
        return keep

    def view(self, selection: Selection) -> View:
        """The summary, quotations and evidence for a selection."""
        docs = self.document_mask(selection)
        m = self._mentions(selection, docs)
        summary = self._cached_summary(selection, docs)
        if selection.actors:
            summary = summary[summary["actor"].isin(selection.actors)].reset_index(drop=True)
        return View(
            summary=summary,
            quotes=self._quotes(selection, docs),
            evidence=self._evidence(m),
            documents=int(docs.sum()),
            mentions=len(m),
        )

    def _cached_summary(self, selection: Selection, docs: np.ndarray) -> pd.DataFrame:
        """The summary of every actor for the selection's documents and voices.

        An actor's row does not depend on which other actors are chosen, so choosing actors
        only picks rows of a summary kept per (documents, voices) selection.
        """
        key = (selection.column, selection.values, selection.months, selection.voices)
        if key not in self._summaries:
            if len(self._summaries) >= SUMMARY_CACHE:
                self._summaries.pop(next(iter(self._summaries)))
            everyone = dataclasses.replace(selection, actors=())
            self._summaries[key] = self._summary(self._mentions(everyone, docs))
        return self._summaries[key]

    def _summary(self, m: pd.DataFrame) -> pd.DataFrame:
        """Per actor: :func:`analysis.sentiment.actor_summary`, resampled where it is cheap and
        the normal interval where an actor has more than :data:`BOOTSTRAP_MAX_MENTIONS`."""
        counts = m["actor"].value_counts()
        large = m["actor"].isin(counts.index[counts > BOOTSTRAP_MAX_MENTIONS]).to_numpy()
        parts = [sentiment.actor_summary(m[~large], by=("actor",), n_boot=self.n_boot)]
        if large.any():
            big = sentiment.actor_summary(m[large], by=("actor",), n_boot=0)
            stats = m[large].groupby("actor")["polarity"].agg(["std", "count"])
            half = (Z_95 * stats["std"] / np.sqrt(stats["count"])).reindex(big["actor"]).to_numpy()
            big["ci_low"] = big["mean_polarity"] - half
            big["ci_high"] = big["mean_polarity"] + half
            parts.append(big)
        summary = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
        return summary.sort_values(
            ["mentions", "actor"], ascending=[False, True], kind="stable"
        ).reset_index(drop=True)

    def _evidence(self, m: pd.DataFrame) -> pd.DataFrame:
        """The strongest-scored selected mentions (largest |polarity|), with their sentences."""
        strength = -np.abs(m["polarity"].to_numpy(dtype=float))
        if len(m) > MAX_EVIDENCE:  # the strongest few first, then only those are sorted
            strongest = np.argpartition(strength, MAX_EVIDENCE)[:MAX_EVIDENCE]
            m, strength = m.iloc[np.sort(strongest)], strength[np.sort(strongest)]
        order = np.lexsort((m["start"].to_numpy(), strength))
        top = m.iloc[order]
        text = self.mention_text[top.index.to_numpy()]
        return top.reset_index(drop=True).assign(sentence_text=text)

    def _mentions(self, selection: Selection, docs: np.ndarray) -> pd.DataFrame:
        m = self.mentions
        keep = docs[self.mention_doc]
        if selection.actors:
            keep &= m["actor"].isin(selection.actors).to_numpy()
        if selection.voices:
            keep &= m["voice"].isin(selection.voices).to_numpy()
        return m[keep]

    def _quotes(self, selection: Selection, docs: np.ndarray) -> pd.DataFrame:
        q = self.quotes
        keep = docs[self.quote_doc] & ~q["nested"].to_numpy(dtype=bool)
        if selection.voices:
            kinds = [k for v in selection.voices for k in VOICE_KINDS.get(v, ())]
            keep &= q["kind"].isin(kinds).to_numpy()
        if selection.actors:
            pattern = "|".join(f"(?:^|; ){a}(?:;|$)" for a in map(_regex_escape, selection.actors))
            keep &= self.quote_actors.str.contains(pattern, regex=True).to_numpy()
        return q[keep].head(MAX_QUOTES)[list(QUOTE_SHOWN)].reset_index(drop=True)


def _regex_escape(text: str) -> str:
    import re

    return re.escape(text)


# --------------------------------------------------------------------------------------------
# Drawing a view
# --------------------------------------------------------------------------------------------


def summary_html(view: View) -> str:
    """The sentiment summary as an escaped HTML table (with intervals)."""
    if view.summary.empty:
        return note("No mention matches the selection.").html
    return table(
        view.summary[list(SUMMARY_SHOWN)],
        caption=f"Sentiment toward each actor: {view.mentions:,} mentions in "
        f"{view.documents:,} articles (95% bootstrap intervals)",
        formats={"mean_polarity": signed, "ci_low": signed, "ci_high": signed},
        labels={
            "mean_polarity": "mean polarity",
            "ci_low": "95% low",
            "ci_high": "95% high",
            "n_negative": "negative",
            "n_positive": "positive",
        },
        max_rows=None,
        css_class="explorer-summary",
    ).html


def quotes_html(view: View) -> str:
    """The quotations of the selection as an escaped HTML table."""
    if view.quotes.empty:
        return note("No quotation matches the selection.").html
    return table(
        view.quotes,
        caption=f"Quotations (first {MAX_QUOTES})",
        formats={"polarity": signed},
        labels={"actor": "speaker's actor", "doc_id": "article"},
        max_rows=None,
        css_class="explorer-quotes",
    ).html


def evidence_options(view: View) -> list[tuple[str, int]]:
    """Evidence rows as (plain-text label, row) options, strongest polarity first."""
    options = []
    rows: Any = view.evidence.itertuples(index=False)
    for i, row in enumerate(rows):
        text = " ".join(str(row.sentence_text).split())
        if len(text) > EVIDENCE_CHARS:
            text = text[: EVIDENCE_CHARS - 1] + "…"
        label = f"{row.doc_id} · {row.actor} {signed(float(row.polarity))} ({row.voice}) · {text}"
        options.append((label, i))
    return options


# --------------------------------------------------------------------------------------------
# The widgets
# --------------------------------------------------------------------------------------------

ALL = "(all)"
#: Rows of the multiple-choice lists.
LIST_ROWS = 6
EVIDENCE_ROWS = 10


class Explorer:
    """ipywidgets controls and outputs over :class:`ExplorerModel` (one per backend).

    Args:
        result: The analysis to explore.
        alternatives: Analyses of the same corpus with other sentiment backends, by name.
    """

    def __init__(self, result: Any, alternatives: Mapping[str, Any] | None = None) -> None:
        import ipywidgets as w

        own = str(result.settings.sentiment_backend)
        self.results: dict[str, Any] = {own: result, **dict(alternatives or {})}
        self.models: dict[str, ExplorerModel] = {}
        model = self.model(own)
        months = model.months()
        facets = model.facets()
        column = result.group_column() if result.group_column() in facets else None
        self.actors = w.SelectMultiple(options=model.actors(), rows=LIST_ROWS, description="Actors")
        self.column = w.Dropdown(
            options=[ALL, *facets], value=column or ALL, description="Group by"
        )
        self.values = w.SelectMultiple(options=[], rows=LIST_ROWS, description="Values")
        self.months = w.SelectionRangeSlider(
            options=months or ["(undated)"],
            index=(0, max(len(months) - 1, 0)),
            description="Months",
            disabled=len(months) < 2,
        )
        self.voices = w.SelectMultiple(options=VOICES, rows=3, description="Voice")
        self.backend = w.Dropdown(options=list(self.results), value=own, description="Backend")
        self.status = w.HTML()
        self.summary = w.HTML()
        self.quotes = w.HTML()
        self.evidence = w.Select(options=[], rows=EVIDENCE_ROWS, layout=w.Layout(width="100%"))
        self.article = w.HTML()
        self.view: View | None = None
        for control, name in ((self.actors, "actors"), (self.evidence, "evidence")):
            control.add_class(f"explorer-{name}")
        self._fill_values()
        self.widget = self._layout(w)
        for control in (self.actors, self.values, self.months, self.voices, self.backend):
            control.observe(self.update, names="value")
        self.column.observe(self._column_changed, names="value")
        self.evidence.observe(self.show_evidence, names="value")
        self.update()

    def _layout(self, w: Any) -> Any:
        controls = w.HBox(
            [
                w.VBox([self.actors, self.voices]),
                w.VBox([self.column, self.values]),
                w.VBox([self.months, self.backend, self.status]),
            ]
        )
        box = w.VBox(
            [
                controls,
                w.HTML("<h3>Sentiment toward each actor</h3>"),
                self.summary,
                w.HTML("<h3>Quotations</h3>"),
                self.quotes,
                w.HTML("<h3>Evidence: click a sentence to read it in the article</h3>"),
                self.evidence,
                self.article,
            ]
        )
        box.add_class("analysis-explorer")
        return box

    def model(self, backend: str) -> ExplorerModel:
        """The model for a backend's analysis (built on first use)."""
        if backend not in self.models:
            self.models[backend] = ExplorerModel(self.results[backend])
        return self.models[backend]

    def selection(self) -> Selection:
        """The selection the controls show."""
        column = None if self.column.value == ALL else str(self.column.value)
        return Selection(
            actors=tuple(self.actors.value),
            column=column,
            values=tuple(self.values.value) if column else (),
            months=None if self.months.disabled else tuple(self.months.value),
            voices=tuple(self.voices.value),
        )

    def _fill_values(self) -> None:
        column = self.column.value
        model = self.model(str(self.backend.value))
        self.values.options = [] if column == ALL else model.values(str(column))

    def _column_changed(self, _change: Any = None) -> None:
        self._fill_values()
        self.update()

    def update(self, _change: Any = None) -> None:
        """Recompute the view and redraw the summary, quotations and evidence."""
        started = time.perf_counter()
        self.view = self.model(str(self.backend.value)).view(self.selection())
        self.summary.value = summary_html(self.view)
        self.quotes.value = quotes_html(self.view)
        self.evidence.options = evidence_options(self.view)
        self.evidence.value = None
        self.article.value = ""
        elapsed = (time.perf_counter() - started) * 1000
        self.status.value = (
            f"<small>{self.view.mentions:,} mentions in {self.view.documents:,} articles · "
            f"updated in {elapsed:.0f} ms</small>"
        )

    def show_evidence(self, change: Any = None) -> None:
        """Show the selected evidence sentence outlined in the annotated article."""
        row = self.evidence.value
        if self.view is None or row is None:
            return
        picked = self.view.evidence.iloc[int(row)]
        result = self.results[str(self.backend.value)]
        self.article.value = annotate(
            result,
            str(picked["doc_id"]),
            focus=int(picked["sentence"]),
            context=ARTICLE_CONTEXT,
        ).html

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def explore(result: Any, *, alternatives: Mapping[str, Any] | None = None) -> Explorer:
    """An interactive explorer of an analysis for JupyterLab (ipywidgets).

    Args:
        result: An :class:`analysis.Analysis`.
        alternatives: Analyses of the same corpus with other sentiment backends, by backend
            name (``{"vader": analysis.analyze(paths, settings=...)}``), offered in the
            backend list.

    Returns:
        The explorer; as the last expression of a cell it shows itself.
    """
    return Explorer(result, alternatives)


def with_backends(result: Any, paths: Sequence[Any], backends: Sequence[str]) -> dict[str, Any]:
    """The same corpus analysed with other sentiment backends, for ``explore(alternatives=)``."""
    from analysis.pipeline import analyze

    own = result.settings.sentiment_backend
    return {
        b: analyze(paths, settings=dataclasses.replace(result.settings, sentiment_backend=b))
        for b in backends
        if b != own
    }
