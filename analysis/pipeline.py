"""The whole analysis of a corpus, as tidy pandas tables.

The per-document step :func:`analyze_document` is a pure, picklable function of
``(document, settings)``; :func:`analyze` maps it over a corpus serially or with a process pool
and assembles the tables at the edge.
"""

from __future__ import annotations

import array
import bisect
import functools
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis import __version__, quotes, sentiment
from analysis import themes as theme_mod
from analysis.actors import default_lexicon, find_mentions, load_actor_lexicon
from analysis.corpus import Document, LoadFailure, expand_paths, iter_corpus, load_boilerplate
from analysis.executors import iter_dask, iter_processes, iter_serial
from analysis.io import atomic_write_with
from analysis.segment import sentences as split_sentences

__all__ = ["TABLES", "Analysis", "DocumentResult", "Settings", "analyze", "analyze_document"]


DOCUMENT_COLUMNS = (
    "doc_id",
    "path",
    "title",
    "author",
    "author_note",
    "date",
    "source",
    "url",
    "dateline",
    "words",
    "n_sentences",
    "sha256",
    "encoding",
    "metadata",
)
SENTENCE_COLUMNS = ("doc_id", "sentence", "paragraph", "start", "end", "text", "words")
THEME_COLUMNS = ("doc_id", "hit", "theme", "term", "surface", "start", "end", "sentence")
MENTION_COLUMNS = (
    "doc_id",
    "mention",
    "actor",
    "surface",
    "alias",
    "alias_type",
    "compound",
    "start",
    "end",
    "sentence",
    "polarity",
    "label",
    "scope",
    "scope_start",
    "scope_end",
    "voice",
    "quote",
    "in_headline",
)
QUOTE_COLUMNS = (
    "doc_id",
    "quote",
    "kind",
    "speaker",
    "speaker_mention",
    "speaker_kind",
    "description",
    "actor",
    "cue",
    "content",
    "start",
    "end",
    "speaker_start",
    "speaker_end",
    "cue_start",
    "cue_end",
    "sentence",
    "actors",
    "inherited",
    "nested",
    "polarity",
    "label",
    "in_headline",
)
#: Polarity is rounded so that tables are byte-identical across platforms' float summation.
POLARITY_DECIMALS = 6
#: Default sentiment backend of the pipeline and reports: the most accurate one (README's
#: evaluation table: transformer 81.2 / 73.2 macro-F1 on NewsMTSC dev-rw / dev-mt against
#: learned's 69.1 / 67.0), served without torch. "learned" is the fast option.
DEFAULT_BACKEND = "transformer"
#: Table names, in the order they are written.
TABLES = ("documents", "sentences", "mentions", "quotes", "themes")
#: Offsets, indices and counts are 32-bit (a document would need 2 GB of text to overflow one):
#: half the memory of int64 on the largest tables.
#: Columns that may be missing (no speaker, no cue, mention outside any quotation).
_NULLABLE_INT_COLUMNS = frozenset({"speaker_start", "speaker_end", "cue_start", "cue_end", "quote"})
_INT_COLUMNS = frozenset(
    {
        "start",
        "end",
        "sentence",
        "paragraph",
        "mention",
        "hit",
        "words",
        "n_sentences",
        "scope_start",
        "scope_end",
        "quote",
        "content_start",
        "content_end",
    }
)
_CATEGORICAL = {"actor", "alias_type", "label", "kind", "theme", "voice"}


LexiconMode = Literal["extend", "replace"]


@dataclass(frozen=True)
class Settings:
    """What the analysis depends on besides the documents (all picklable).

    Attributes:
        actor_lexicon: A user's actor YAML (None: the packaged default).
        actor_lexicon_mode: ``"extend"`` the default or ``"replace"`` it.
        boilerplate: A user's boilerplate YAML extending the packaged rules.
    """

    actor_lexicon: str | None = None
    actor_lexicon_mode: LexiconMode = "extend"
    theme_lexicon: str | None = None
    theme_lexicon_mode: LexiconMode = "extend"
    sentiment_backend: str = DEFAULT_BACKEND
    sentiment_lexicon: str | None = None
    sentiment_lexicon_mode: LexiconMode = "extend"
    speech_verbs: str | None = None
    speech_verbs_mode: LexiconMode = "extend"
    boilerplate: str | None = None

    def actor_lexicon_obj(self) -> Any:
        """The compiled actor lexicon (cached per process)."""
        if self.actor_lexicon is None:
            return default_lexicon()
        return _cached_lexicon("actors", self.actor_lexicon, self.actor_lexicon_mode)

    def sentiment_lexicon_obj(self) -> Any:
        """The domain sentiment lexicon (cached per process)."""
        if self.sentiment_lexicon is None:
            return sentiment.default_sentiment_lexicon()
        return _cached_lexicon("sentiment", self.sentiment_lexicon, self.sentiment_lexicon_mode)

    def speech_verbs_obj(self) -> Any:
        """The speech-verb lexicon for quotation attribution (cached per process)."""
        if self.speech_verbs is None:
            return quotes.default_speech_verbs()
        return _cached_lexicon("speech_verbs", self.speech_verbs, self.speech_verbs_mode)

    def theme_lexicon_obj(self) -> Any:
        """The compiled theme lexicon (cached per process)."""
        if self.theme_lexicon is None:
            return theme_mod.default_lexicon()
        return _cached_lexicon("themes", self.theme_lexicon, self.theme_lexicon_mode)


_LEXICON_CACHE: dict[tuple[str, str, str], Any] = {}


def _cached_lexicon(kind: str, path: str, mode: LexiconMode) -> Any:
    key = (kind, path, mode)
    if key not in _LEXICON_CACHE:
        loader: Callable[..., Any] = {
            "actors": load_actor_lexicon,
            "themes": theme_mod.load_theme_lexicon,
            "sentiment": sentiment.load_sentiment_lexicon,
            "speech_verbs": quotes.load_speech_verbs,
        }[kind]
        _LEXICON_CACHE[key] = loader(path, mode=mode)
    return _LEXICON_CACHE[key]


@dataclass(frozen=True)
class DocumentResult:
    """Rows of every table for one document (plain tuples, cheap to pickle)."""

    doc_id: str
    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


def _sentence_index(starts: Sequence[int], offset: int) -> int:
    return max(bisect.bisect_right(starts, offset) - 1, 0)


_VOICES = ("author", "reported", "quoted")


def _voices(
    n_chars: int, spans: Sequence[tuple[int, int]], found: Sequence[Any]
) -> list[tuple[str, int | None]]:
    """Whose voice each span stands in: inside a quotation's marks ("quoted"), inside reported
    speech ("reported"), or the author's own; with the quotation's index.

    Character maps are painted once per document (reported speech first, then quotations over
    it), so each span costs two look-ups however many quotations there are.
    """
    if not found:
        return [("author", None)] * len(spans)
    voice = bytearray(n_chars)
    owner = array.array("i", [-1]) * n_chars
    for code, kinds in ((1, ("indirect",)), (2, ("direct", "partial"))):
        for i, q in enumerate(found):
            if q.kind not in kinds:
                continue
            for ps, pe in q.parts or ((q.start, q.end),):
                voice[ps:pe] = bytes([code]) * (pe - ps)
                owner[ps:pe] = array.array("i", [i]) * (pe - ps)
    out: list[tuple[str, int | None]] = []
    for start, end in spans:
        first, last = start, max(start, end - 1)
        if voice[first] and voice[first] == voice[last] and owner[first] == owner[last]:
            out.append((_VOICES[voice[first]], owner[first]))
        else:
            out.append(("author", None))
    return out


#: Sentence index of a headline row in the mentions and quotes tables (the sentences table holds
#: the body only, so sentence-level rates keep the body as their denominator).
HEADLINE_SENTENCE = -1
#: Kinds of quotation read in a headline: quoted fragments only. A headline's verbs ("Lavrov
#: Stresses Ties…", "India tells Russia") summarise the story, so reported speech is not
#: parsed there.
HEADLINE_QUOTE_KINDS = ("direct", "partial")


@dataclass(frozen=True)
class _Part:
    """One text of a document analysed on its own: the body, or the headline."""

    text: str
    in_headline: bool
    sentence_starts: tuple[int, ...]
    sentences: tuple[Any, ...]


def _parts(doc: Document) -> list[_Part]:
    sents = tuple(split_sentences(doc.body))
    parts = [_Part(doc.body, False, tuple(s.start for s in sents), sents)]
    if doc.title and doc.title.strip():
        parts.append(_Part(doc.title, True, (), ()))
    return parts


def _sentence_of(part: _Part, offset: int) -> int:
    if part.in_headline:
        return HEADLINE_SENTENCE
    return _sentence_index(part.sentence_starts, offset)


def _quote_rows(
    doc: Document, part: _Part, settings: Settings, mentions: Sequence[Any], first: int
) -> tuple[list[tuple[Any, ...]], list[Any]]:
    """Rows of the quotes table for one part, and the quotation records (for voices)."""
    verbs = settings.speech_verbs_obj()
    found = quotes.extract_quotes(
        part.text,
        verbs=verbs,
        sentences_of_text=list(part.sentences) or None,
        lexicon=settings.actor_lexicon_obj(),
        mentions=mentions,
        home=_home_actor(doc, settings),
        headline=part.in_headline,
    )
    if part.in_headline:
        found = [q for q in found if q.kind in HEADLINE_QUOTE_KINDS]
    details = quotes.quote_details(
        part.text,
        found,
        verbs=verbs,
        lexicon=settings.actor_lexicon_obj(),
        sentence_starts=list(part.sentence_starts) or [0],
        mentions=mentions,
    )
    rows = []
    for i, d in enumerate(details, start=first):
        q = d.quote
        polarity, label = sentiment.text_polarity(
            d.content, backend=settings.sentiment_backend, lexicon=settings.sentiment_lexicon_obj()
        )
        nested = q.kind == "partial" and any(
            o.kind == "indirect" and o.start <= q.start and q.end <= o.end for o in found
        )
        rows.append(
            (doc.id, i, q.kind, q.speaker, d.speaker_mention, q.speaker_kind, q.description,
             d.actor, q.cue, d.content, q.start, q.end, q.speaker_start, q.speaker_end,
             q.cue_start, q.cue_end, _sentence_of(part, q.start), "; ".join(d.content_actors),
             q.inherited, nested, round(polarity, POLARITY_DECIMALS), label, part.in_headline)
        )  # fmt: skip
    return rows, found


def _home_actor(doc: Document, settings: Settings) -> str | None:
    """The actor a document is reported from: its dateline's place ("ISLAMABAD (AP)"), else its
    outlet's country from the metadata, when the actor lexicon knows it (for the quotations
    of official bodies the text names without a state)."""
    lexicon = settings.actor_lexicon_obj()
    for text in (doc.dateline, dict(doc.metadata).get("country")):
        found = find_mentions(text, lexicon) if text else []
        if found and not found[0].compound:
            return found[0].actor
    return None


def _mention_rows(
    doc: Document,
    part: _Part,
    settings: Settings,
    found: tuple[Sequence[Any], Sequence[Any]],
    first: tuple[int, int],
) -> list[tuple[Any, ...]]:
    """Rows of the mentions table for one part.

    Args:
        doc: The document.
        part: Its body or headline.
        settings: Lexicons and options.
        found: The part's mentions and quotation records.
        first: Index of the part's first mention and first quotation in the document.
    """
    mentions, quoted = found
    if not mentions:
        return []
    spans = [(m.start, m.end) for m in mentions]
    scores = sentiment.target_sentiment(
        part.text,
        spans,
        backend=settings.sentiment_backend,
        lexicon=settings.sentiment_lexicon_obj(),
    )
    voices = _voices(len(part.text), spans, quoted)
    return [
        (doc.id, first[0] + i, m.actor, m.surface, m.alias, m.alias_type, m.compound, m.start,
         m.end, _sentence_of(part, m.start), round(sc.polarity, POLARITY_DECIMALS), sc.label,
         sc.scope, sc.scope_start, sc.scope_end, voice,
         None if quote is None else first[1] + quote, part.in_headline)
        for i, (m, sc, (voice, quote)) in enumerate(zip(mentions, scores, voices, strict=True))
    ]  # fmt: skip


def _document_row(doc: Document, n_sentences: int) -> tuple[Any, ...]:
    metadata = json.dumps(dict(doc.metadata), ensure_ascii=False, sort_keys=True)
    return (
        doc.id, doc.path, doc.title, doc.author, doc.author_note, doc.date, doc.source, doc.url,
        doc.dateline, doc.words, n_sentences, doc.sha256, doc.encoding, metadata,
    )  # fmt: skip


def analyze_document(doc: Document, settings: Settings) -> DocumentResult:
    """Analyse one document: sentences, actor mentions, quotations and themes.

    The body and the headline are analysed as separate texts: headline rows carry
    ``in_headline`` and sentence :data:`HEADLINE_SENTENCE`, with offsets into the title.

    Args:
        doc: A loaded document.
        settings: Lexicons and options.

    Returns:
        Rows for each table, offsets into ``doc.body`` (or ``doc.title`` for headline rows).
    """
    parts = _parts(doc)
    body = parts[0]
    sentence_rows = [
        (doc.id, s.index, s.paragraph, s.start, s.end, s.text, len(s.text.split()))
        for s in body.sentences
    ]
    mention_rows: list[tuple[Any, ...]] = []
    quote_rows: list[tuple[Any, ...]] = []
    for part in parts:
        context = doc.body if part.in_headline else None
        mentions = find_mentions(part.text, settings.actor_lexicon_obj(), context=context)
        rows, quoted = _quote_rows(doc, part, settings, mentions, len(quote_rows))
        first = (len(mention_rows), len(quote_rows))
        mention_rows += _mention_rows(doc, part, settings, (mentions, quoted), first)
        quote_rows += rows
    hits = theme_mod.find_themes(doc.body, settings.theme_lexicon_obj())
    theme_rows = [
        (doc.id, i, h.theme, h.term, doc.body[h.start : h.end], h.start, h.end,
         _sentence_index(body.sentence_starts, h.start))
        for i, h in enumerate(hits)
    ]  # fmt: skip
    return DocumentResult(
        doc.id,
        {
            "documents": [_document_row(doc, len(body.sentences))],
            "sentences": sentence_rows,
            "mentions": mention_rows,
            "quotes": quote_rows,
            "themes": theme_rows,
        },
    )


_COLUMNS = {
    "documents": DOCUMENT_COLUMNS,
    "sentences": SENTENCE_COLUMNS,
    "mentions": MENTION_COLUMNS,
    "quotes": QUOTE_COLUMNS,
    "themes": THEME_COLUMNS,
}


#: Documents whose rows are held as Python tuples before they become a table chunk: rows as
#: tuples take about ten times the memory of the same rows in a DataFrame.
FRAME_CHUNK_DOCS = 50


class _TableBuilder:
    """Collects documents' rows and turns them into DataFrames every ``chunk_docs`` documents,
    so a large corpus never sits in memory as Python tuples; :meth:`frames` gives the same
    tables as building each at once (tests/test_pipeline.py)."""

    def __init__(self, chunk_docs: int = FRAME_CHUNK_DOCS) -> None:
        self.chunk_docs = max(1, chunk_docs)
        self.pending: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _COLUMNS}
        self.chunks: dict[str, list[pd.DataFrame]] = {name: [] for name in _COLUMNS}
        self.docs = 0

    def add(self, result: DocumentResult) -> None:
        for name, rows in result.tables.items():
            self.pending[name].extend(rows)
        self.docs += 1
        if self.docs % self.chunk_docs == 0:
            self._flush()

    def _flush(self) -> None:
        for name, rows in self.pending.items():
            if rows:
                self.chunks[name].append(
                    pd.DataFrame.from_records(rows, columns=list(_COLUMNS[name]))
                )
            self.pending[name] = []

    def frames(self) -> dict[str, pd.DataFrame]:
        self._flush()
        out = {}
        for name in list(self.chunks):
            chunks = self.chunks.pop(name)  # each table's chunks are freed once it is built
            if len(chunks) == 1:
                raw = chunks[0]
            elif chunks:
                raw = pd.concat(chunks, ignore_index=True).infer_objects()
            else:
                raw = pd.DataFrame.from_records([], columns=list(_COLUMNS[name]))
            out[name] = _typed(_expand_metadata(raw) if name == "documents" else raw)
        return out


def _expand_metadata(documents: pd.DataFrame) -> pd.DataFrame:
    """Every further metadata field (``country``, ``language``…) as a column of its own, after
    the fixed columns, in name order; empty where a document lacks it."""
    records = [json.loads(value) if value else {} for value in documents["metadata"]]
    names = sorted({key for record in records for key in record} - set(documents.columns))
    out = documents.drop(columns=["metadata"])
    for name in names:
        out[name] = [record.get(name) for record in records]
    return out


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for col in df.columns:
        if col in _CATEGORICAL:
            df[col] = df[col].astype("category")
        elif col in _NULLABLE_INT_COLUMNS:
            df[col] = df[col].astype("Int32")
        elif col in _INT_COLUMNS:
            df[col] = df[col].astype("int32")
    return df


@dataclass
class Analysis:
    """The analysis of a corpus: tidy tables and summaries.

    Attributes:
        documents: One row per document (metadata, words, sentences, hash).
        sentences: One row per sentence, offsets into the document body.
        mentions: One row per actor mention, with its sentence.
        quotes: One row per quotation or reported speech: kind, speaker (resolved), speaker as
            written, description, speaker's actor, cue, content, offsets, actors mentioned in
            the content, content polarity; ``nested`` marks a partial quotation inside a
            reported clause (count voices without those rows); ``in_headline`` marks a
            quotation in the title (its offsets index ``Document.title``, its sentence is -1).
        themes: One row per theme hit (theme, lexicon term, surface, offsets, sentence).
        failures: Files or rows that could not be loaded or analysed.
        settings: The settings used.
        provenance: Package and lexicon versions behind the tables.
    """

    documents: pd.DataFrame
    sentences: pd.DataFrame
    mentions: pd.DataFrame
    quotes: pd.DataFrame
    themes: pd.DataFrame
    failures: list[LoadFailure]
    settings: Settings
    provenance: dict[str, str]

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name."""
        return {name: getattr(self, name) for name in TABLES}

    def cooccurrence(self, *, by_document: bool = False) -> pd.DataFrame:
        """Actor pairs mentioned in the same sentence.

        Args:
            by_document: Count per document instead of over the corpus.

        Returns:
            Columns ``[doc_id,] actor_a, actor_b, sentences`` (number of sentences in which both
            actors are mentioned), ``actor_a < actor_b``, most frequent first.
        """
        keys = ["doc_id", "sentence"]
        m = self.mentions[[*keys, "actor"]].astype({"actor": str}).drop_duplicates()
        pairs = m.merge(m, on=keys, suffixes=("_a", "_b"))
        pairs = pairs[pairs["actor_a"] < pairs["actor_b"]]
        group = (["doc_id"] if by_document else []) + ["actor_a", "actor_b"]
        out = pairs.groupby(group, sort=True).size().reset_index(name="sentences")
        return out.sort_values(
            ["sentences", *group], ascending=[False] + [True] * len(group), kind="stable"
        ).reset_index(drop=True)

    def mention_counts(self) -> pd.DataFrame:
        """Mentions per document and actor (columns doc_id, actor, mentions, share)."""
        counts = (
            self.mentions.astype({"actor": str})
            .groupby(["doc_id", "actor"])
            .size()
            .reset_index(name="mentions")
        )
        totals = counts.groupby("doc_id")["mentions"].transform("sum")
        counts["share"] = counts["mentions"] / totals
        return counts.sort_values(
            ["doc_id", "mentions", "actor"], ascending=[True, False, True], kind="stable"
        ).reset_index(drop=True)

    def _sentence_texts(self) -> pd.DataFrame:
        """(doc_id, sentence, text) of every sentence, the headlines as sentence −1."""
        titles = self.documents[self.documents["title"].notna()]
        headlines = pd.DataFrame(
            {
                "doc_id": titles["doc_id"],
                "sentence": HEADLINE_SENTENCE,
                "text": titles["title"],
            }
        ).astype({"sentence": "int32"})
        body = self.sentences[["doc_id", "sentence", "text"]]
        return pd.concat([body, headlines], ignore_index=True)

    def evidence(self, actor: str, *, doc_id: str | None = None) -> pd.DataFrame:
        """The sentences behind an actor's figures: each mention with its sentence text (the
        headline's, for headline mentions)."""
        m = self.mentions[self.mentions["actor"] == actor]
        if doc_id is not None:
            m = m[m["doc_id"] == doc_id]
        s = self._sentence_texts()
        return m.merge(s, on=["doc_id", "sentence"], how="left").reset_index(drop=True)

    def mentions_with_sentences(self) -> pd.DataFrame:
        """The mentions table with each mention's sentence text (``sentence_text``; the
        headline for headline mentions)."""
        s = self._sentence_texts().rename(columns={"text": "sentence_text"})
        return self.mentions.merge(s, on=["doc_id", "sentence"], how="left", sort=False)

    def speakers(self, *, by_document: bool = False) -> pd.DataFrame:
        """Who is quoted: attributions per speaker (partial quotations inside a reported clause
        are not counted twice), by kind, with the speaker's actor and mean content polarity.

        Unattributed quotations are grouped under speaker ``"(unattributed)"``.
        """
        q = self.quotes[~self.quotes["nested"]].copy()
        q["speaker"] = q["speaker"].fillna("(unattributed)")
        q["actor"] = q["actor"].astype(object).fillna("")
        keys = (["doc_id"] if by_document else []) + ["speaker", "actor"]
        counts = pd.crosstab([q[k] for k in keys], q["kind"].astype(str)).reindex(
            columns=["direct", "partial", "indirect"], fill_value=0
        )
        out = counts.reset_index()
        out["attributions"] = out[["direct", "partial", "indirect"]].sum(axis=1)
        mean = q.groupby(keys, sort=True)["polarity"].mean().round(POLARITY_DECIMALS)
        out = out.merge(mean.rename("mean_polarity").reset_index(), on=keys, how="left")
        out.columns.name = None
        return out.sort_values(
            [*(["doc_id"] if by_document else []), "attributions", "speaker"],
            ascending=[*([True] if by_document else []), False, True],
            kind="stable",
        ).reset_index(drop=True)

    def actor_summary(
        self, level: str = "document", *, by_voice: bool = False, **options: Any
    ) -> pd.DataFrame:
        """Sentiment toward each actor: mentions, mean polarity with a bootstrap 95% interval
        (fixed seed), counts per label, and the most negative and most positive evidence.

        Args:
            level: ``"document"`` (per document and actor) or ``"corpus"`` (per actor), or any
                column of the documents table (``source``, ``date``) to pool by.
            by_voice: Separate the author's own voice from quoted and reported voices
                (a ``voice`` column).
            **options: Passed to :func:`analysis.sentiment.actor_summary` (``n_boot``, ``seed``).
        """
        m = self.mentions_with_sentences()
        if level == "document":
            by: tuple[str, ...] = ("doc_id", "actor")
        elif level == "corpus":
            by = ("actor",)
        else:
            m = m.merge(self.documents[["doc_id", level]], on="doc_id", how="left")
            by = (level, "actor")
        if by_voice:
            by = (*by[:-1], "voice", "actor")
            m = m.astype({"voice": str})
        out = sentiment.actor_summary(m.astype({"actor": str}), by=by, **options)
        return out.sort_values(
            [c for c in by if c != "actor"] + ["mentions", "actor"],
            ascending=[True] * (len(by) - 1) + [False, True],
            kind="stable",
        ).reset_index(drop=True)

    def salience(self, top: int | None = None) -> pd.DataFrame:
        """Per actor: mentions, share of mentions, sentences mentioning it, first sentence.

        Args:
            top: Keep the most mentioned actors only (None: all).

        Returns:
            Columns actor, mentions, share, sentences, share_of_sentences, first_sentence (the
            earliest sentence index, over documents), most mentioned first.
        """
        columns = ["actor", "mentions", "share", "sentences", "share_of_sentences"]
        columns.append("first_sentence")
        m = self.mentions.astype({"actor": str})
        if m.empty:
            return pd.DataFrame(columns=columns)
        g = m.groupby("actor")
        df = pd.DataFrame(
            {
                "mentions": g.size(),
                "sentences": g.apply(
                    lambda x: len(set(zip(x["doc_id"], x["sentence"], strict=True)))
                ),
                "first_sentence": g["sentence"].min(),
            }
        ).reset_index()
        df["share"] = df["mentions"] / df["mentions"].sum()
        df["share_of_sentences"] = df["sentences"] / max(len(self.sentences), 1)
        df = df.sort_values(["mentions", "actor"], ascending=[False, True], kind="stable")
        return df.head(top if top is not None else len(df))[columns].reset_index(drop=True)

    def show(self, doc_id: str | None = None, **options: Any) -> Any:
        """The article as the analysis read it (:func:`analysis.annotate`), for a notebook cell.

        Args:
            doc_id: The document (None: the first one).
            **options: Passed to :func:`analysis.annotate.annotate` (``document``, ``focus``,
                ``context``, ``legend``).

        Returns:
            A display object: every mention, quotation and theme hit of the document marked.
        """
        from analysis.annotate import annotate

        if doc_id is None:
            doc_id = str(self.documents["doc_id"].iloc[0])
        return annotate(self, doc_id, **options)

    def theme_rates(self, level: str | None = "document") -> pd.DataFrame:
        """Theme frequencies: count, rate per 1,000 words and share of sentences.

        Args:
            level: ``"document"`` (one block per document), ``"corpus"`` (all documents
                pooled), or any column of the documents table (``source``, ``date``) to pool
                the documents sharing a value.
        """
        by = {"document": "doc_id", "corpus": None, None: None}.get(level, level)
        return theme_mod.theme_rates(
            self.themes,
            self.documents,
            self.sentences,
            by=by,
            lexicon=self.settings.theme_lexicon_obj(),
        )

    def actor_theme(self, *, per_document: bool = False) -> pd.DataFrame:
        """Actor × theme co-occurrence: sentences where an actor is mentioned and a theme hit."""
        return theme_mod.actor_theme(
            self.themes,
            self.mentions,
            per_document=per_document,
            lexicon=self.settings.theme_lexicon_obj(),
        )

    def kwic(self, term_or_theme: str, *, width: int = theme_mod.KWIC_WIDTH) -> pd.DataFrame:
        """Keyword in context for a theme name or a term, to audit hits sentence by sentence."""
        return theme_mod.kwic(
            self.sentences, term_or_theme, lexicon=self.settings.theme_lexicon_obj(), width=width
        )

    def group_column(self, name: str | None = None) -> str:
        """The documents column that comparisons group by (:mod:`analysis.groups`).

        Args:
            name: A column of the documents table (None: ``country`` when some document has
                one, else ``source``).

        Raises:
            InputError: ``name`` is not a column (the message lists the columns there are).
        """
        from analysis import groups

        return groups.group_column(self.documents, name)

    def groups(self, by: str | None = None) -> dict[str, str | None]:
        """Each document's group: its value in column ``by`` (``date``: its month)."""
        from analysis import groups

        return groups.group_labels(self.documents, self.group_column(by))

    def sentiment_by(
        self,
        by: str | None = None,
        *,
        actors: Sequence[str] | None = None,
        by_voice: bool = False,
        **options: Any,
    ) -> pd.DataFrame:
        """Sentiment toward each actor per group of documents (outlet country, outlet, month).

        Args:
            by: The documents column to group by (None: :meth:`group_column`'s default).
            actors: Only these actors (None: all).
            by_voice: Separate the author's voice from quoted and reported voices.
            **options: Passed to :func:`analysis.sentiment.actor_summary`.

        Returns:
            :meth:`actor_summary`'s columns with ``group`` first: mentions, mean polarity with
            its bootstrap 95% interval, counts per label and evidence, per group and actor.
        """
        from analysis import groups

        m = self.mentions_with_sentences().astype({"actor": str, "voice": str})
        if actors is not None:
            m = m[m["actor"].isin(list(actors))]
        m = groups.with_groups(m, self.documents, self.group_column(by))
        keys = (groups.GROUP, "voice", "actor") if by_voice else (groups.GROUP, "actor")
        out = sentiment.actor_summary(m, by=keys, **options)
        return out.sort_values(
            [*keys[:-1], "mentions", "actor"],
            ascending=[True] * (len(keys) - 1) + [False, True],
            kind="stable",
        ).reset_index(drop=True)

    def speakers_by(self, by: str | None = None) -> pd.DataFrame:
        """Who each group of documents quotes: :meth:`speakers` per group (``group`` column)."""
        from analysis import groups

        q = groups.with_groups(self.quotes, self.documents, self.group_column(by))
        pooled = replace(self, quotes=q.assign(doc_id=q[groups.GROUP]).drop(columns=groups.GROUP))
        return pooled.speakers(by_document=True).rename(columns={"doc_id": groups.GROUP})

    def theme_rates_by(self, by: str | None = None) -> pd.DataFrame:
        """Theme rates per group of documents: :meth:`theme_rates` pooled by ``group``."""
        from analysis import groups

        docs = groups.assign_groups(self.documents, self.documents, self.group_column(by))
        rates = theme_mod.theme_rates(
            self.themes,
            docs,
            self.sentences,
            by=groups.GROUP,
            lexicon=self.settings.theme_lexicon_obj(),
        )
        return rates.dropna(subset=[groups.GROUP]).reset_index(drop=True)

    def keyness(
        self, column: str, group_a: Any, group_b: Any = None, **options: Any
    ) -> pd.DataFrame:
        """Key terms of one group of documents against another (G² and log ratio).

        Args:
            column: A column of the documents table (``source``, ``date``, ``doc_id``).
            group_a: A value, list of values or predicate selecting group A.
            group_b: The same for group B (None: all other documents).
            **options: Passed to :func:`analysis.compare.compare_documents`.
        """
        from analysis import compare

        return compare.compare_documents(
            self.sentences, self.documents, column, group_a, group_b, **options
        )

    def actor_keyness(self, actor_a: str, actor_b: str, **options: Any) -> pd.DataFrame:
        """Key terms of sentences mentioning ``actor_a`` against those mentioning ``actor_b``."""
        from analysis import compare

        return compare.compare_actors(self.sentences, self.mentions, actor_a, actor_b, **options)

    def topics(self, n_topics: int = 5, *, top_n: int = 10) -> Any:
        """Data-driven topics (NMF over tf-idf, fixed random state) beside the dictionary themes.

        Only for corpora of 20 documents or more (fewer raise ``ValueError``).
        """
        from analysis import compare

        texts = self.sentences.groupby("doc_id", sort=False)["text"].agg(" ".join)
        return compare.nmf_topics(
            list(texts), n_topics=n_topics, top_n=top_n, doc_ids=list(texts.index)
        )

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write every table as ``<folder>/<table>.csv`` (atomically); returns the paths."""
        return self._write(folder, "csv")

    def to_parquet(self, folder: str | Path) -> list[Path]:
        """Write every table as ``<folder>/<table>.parquet`` (atomically); returns the paths."""
        return self._write(folder, "parquet")

    def _write(self, folder: str | Path, fmt: str) -> list[Path]:
        out = Path(folder)
        written = []
        for name, df in {
            **self.tables(),
            "cooccurrence": self.cooccurrence(by_document=True),
        }.items():
            target = out / f"{name}.{fmt}"
            atomic_write_with(target, functools.partial(_write_table, df, fmt))
            written.append(target)
        return written


def _write_table(df: pd.DataFrame, fmt: str, path: Path) -> None:
    if fmt == "csv":
        df.to_csv(path, index=False, lineterminator="\n")
    else:
        df.to_parquet(path, index=False)


Unit = Document | Path


def _analyze_unit(unit: Unit, settings: Settings) -> list[DocumentResult | LoadFailure]:
    """Load (when ``unit`` is a file) and analyse; failures are returned, never raised."""
    if isinstance(unit, Document):
        return [analyze_document(unit, settings)]
    out: list[DocumentResult | LoadFailure] = []
    for item in iter_corpus([unit], boilerplate=settings.boilerplate):
        out.append(item if isinstance(item, LoadFailure) else analyze_document(item, settings))
    return out


def _rename(result: DocumentResult, new_id: str) -> DocumentResult:
    tables = {name: [(new_id, *row[1:]) for row in rows] for name, rows in result.tables.items()}
    return DocumentResult(new_id, tables)


def analyze(
    corpus: str | Path | Document | Iterable[str | Path | Document],
    *,
    settings: Settings | None = None,
    actor_lexicon: str | Path | None = None,
    boilerplate: str | Path | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    dask_address: str | None = None,
    progress: bool | None = None,
) -> Analysis:
    """Analyse a corpus.

    Args:
        corpus: A path (file or folder), a :class:`Document`, or several of either.
        settings: All options at once (overrides the keyword options below).
        actor_lexicon: A user's actor YAML extending the default.
        boilerplate: A user's boilerplate YAML extending the default cleaning rules.
        jobs: Worker processes (1: in this process; 0: one per core). With dask, the number
            of workers of the local cluster.
        scheduler: None (in process or process pool, by ``jobs``) or ``"dask"``.
        dask_address: Address of an existing dask scheduler (``tcp://host:8786``); implies
            ``scheduler="dask"``. Without it, dask starts a ``LocalCluster`` on loopback.
        progress: Show a progress bar (None: on a terminal, for long runs).

    Returns:
        The tables and summaries; identical whichever executor ran them.

    Raises:
        LexiconError: A malformed lexicon.
        ExecutorError: Workers died or the dask scheduler did not answer.
    """
    if settings is None:
        settings = Settings(
            actor_lexicon=str(actor_lexicon) if actor_lexicon is not None else None,
            boilerplate=str(boilerplate) if boilerplate is not None else None,
        )
    settings.actor_lexicon_obj()  # fail early on a malformed lexicon
    settings.theme_lexicon_obj()
    settings.sentiment_lexicon_obj()
    settings.speech_verbs_obj()
    if settings.sentiment_backend not in sentiment.available_backends():
        raise ValueError(
            f"unknown sentiment backend {settings.sentiment_backend!r} "
            f"(available: {', '.join(sentiment.available_backends())})"
        )
    load_boilerplate(settings.boilerplate)
    items = [corpus] if isinstance(corpus, str | Path | Document) else list(corpus)
    units: list[Unit] = []
    failures: list[LoadFailure] = []
    for item in items:
        if isinstance(item, Document):
            units.append(item)
            continue
        for expanded in expand_paths([item]):
            if isinstance(expanded, LoadFailure):
                failures.append(expanded)
            else:
                units.append(expanded)
    jobs = (os.cpu_count() or 1) if jobs == 0 else jobs
    if scheduler not in (None, "dask", "processes", "serial"):
        raise ValueError(f"unknown scheduler {scheduler!r} (expected 'dask' or None)")
    if scheduler == "dask" or dask_address is not None:
        per_unit: Iterable[list[DocumentResult | LoadFailure]] = iter_dask(
            _analyze_unit,
            units,
            settings,
            address=dask_address,
            workers=max(jobs, 1),
            progress=progress,
        )
    elif jobs > 1 and len(units) > 1:
        per_unit = iter_processes(_analyze_unit, units, settings, jobs=jobs, progress=progress)
    else:
        per_unit = iter_serial(_analyze_unit, units, settings, progress=progress)
    builder = _TableBuilder()
    seen: dict[str, int] = {}
    for unit_results in per_unit:
        for r in unit_results:
            if isinstance(r, LoadFailure):
                failures.append(r)
                continue
            n = seen.get(r.doc_id, 0) + 1
            seen[r.doc_id] = n
            builder.add(r if n == 1 else _rename(r, f"{r.doc_id}-{n}"))
    frames = builder.frames()
    lexicon = settings.actor_lexicon_obj()
    provenance = {
        "package": f"analysis {__version__}",
        "actor_lexicon": lexicon.version,
        "theme_lexicon": settings.theme_lexicon_obj().version,
        "sentiment_backend": settings.sentiment_backend,
        "sentiment_lexicon": settings.sentiment_lexicon_obj().version,
        "speech_verbs": settings.speech_verbs_obj().version,
        "boilerplate": load_boilerplate(settings.boilerplate).version,
        "settings": repr(asdict(settings)),
    }
    return Analysis(
        documents=frames["documents"],
        sentences=frames["sentences"],
        mentions=frames["mentions"],
        quotes=frames["quotes"],
        themes=frames["themes"],
        failures=failures,
        settings=settings,
        provenance=provenance,
    )


@dataclass(frozen=True)
class StreamSummary:
    """What :func:`analyze_to_parquet` wrote."""

    documents: int
    partitions: int
    failures: list[LoadFailure]
    folder: Path


def analyze_to_parquet(
    corpus: str | Path | Iterable[str | Path],
    out: str | Path,
    *,
    settings: Settings | None = None,
    partition_docs: int = 1000,
    jobs: int = 1,
    scheduler: str | None = None,
    dask_address: str | None = None,
    progress: bool | None = None,
) -> StreamSummary:
    """Analyse a corpus too large for memory, streaming each table to Parquet in partitions.

    The corpus is analysed ``partition_docs`` files at a time (each partition with the same
    executor options as :func:`analyze`) and each table is written as
    ``<out>/<table>/part-<n>.parquet`` (atomically), so memory holds one partition. The folder
    reads back as one table with ``pandas.read_parquet(out / "mentions")``.

    Document ids are made unique within a partition only; give files distinct names.
    """
    if partition_docs < 1:
        raise ValueError("partition_docs must be at least 1")
    items = [corpus] if isinstance(corpus, str | Path) else list(corpus)
    units: list[Path] = []
    failures: list[LoadFailure] = []
    for expanded in expand_paths(items):
        if isinstance(expanded, LoadFailure):
            failures.append(expanded)
        else:
            units.append(expanded)
    folder = Path(out)
    n_docs = 0
    n_parts = 0
    for n_parts, first in enumerate(range(0, len(units), partition_docs), start=1):
        part = analyze(
            units[first : first + partition_docs],
            settings=settings,
            jobs=jobs,
            scheduler=scheduler,
            dask_address=dask_address,
            progress=progress,
        )
        failures.extend(part.failures)
        n_docs += len(part.documents)
        tables = {**part.tables(), "cooccurrence": part.cooccurrence(by_document=True)}
        for name, df in tables.items():
            target = folder / name / f"part-{n_parts - 1:05d}.parquet"
            atomic_write_with(target, functools.partial(_write_table, df, "parquet"))
    return StreamSummary(n_docs, n_parts, failures, folder)
