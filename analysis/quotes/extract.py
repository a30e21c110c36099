"""Quotation attribution from raw text: the stages run in order (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from analysis.actors import ActorLexicon, Mention
from analysis.quotes.affiliation import ActorEvidence, affiliate
from analysis.quotes.attribution import _attribute, _units
from analysis.quotes.chain import link_speakers
from analysis.quotes.context import Doc
from analysis.quotes.lexicon import default_speech_verbs
from analysis.quotes.marks import _classify, _find_marks, _pair_quotes
from analysis.quotes.names import NameIndex
from analysis.quotes.records import Quote, SpeechVerbs, _QSpan, _Record
from analysis.quotes.resolution import _finish
from analysis.quotes.tokens import _headline_caps, _Intervals, _Sentences
from analysis.quotes.turns import outside_turns as _outside
from analysis.quotes.turns import transcript_turns
from analysis.segment import Sentence, sentences


def _run(doc: Doc, sents: Sequence[Sentence] | None, headline: bool) -> list[Quote]:
    text = doc.text
    if sents is None:
        sents = sentences(text)
    if not sents:
        return []
    paras: list[tuple[int, int]] = []
    para_idx: list[int] = []
    pi = -1
    last_para: int | None = None
    for s in sents:
        if s.paragraph != last_para:
            paras.append((s.start, s.end))
            pi += 1
            last_para = s.paragraph
        else:
            paras[-1] = (paras[-1][0], s.end)
        para_idx.append(pi)
    sl = _Sentences(sents)
    doc.paras = paras
    doc.para_starts = [p[0] for p in paras]
    marks = [
        mk
        for start, end, mark in _find_marks(text)
        if (mk := _classify(text, start, end, mark)) is not None
    ]
    turns = transcript_turns(text, paras)
    if turns is not None:  # a turn is one quotation: the marks inside it are its own
        marks = [
            mk
            for mk, out in zip(marks, _outside(turns, [m.start for m in marks]), strict=True)
            if out
        ]
    quotes = _pair_quotes(text, paras, sl, marks)
    doc.names.quoted = _Intervals((q.open, q.close) for q in quotes)
    units = _units(doc, sents, para_idx, quotes, sl)
    records = [
        kept
        for r in _attribute(doc, units)
        for kept in (r.children if _in_heading(doc, r) else [r])
    ]  # a heading reports no speech; its quotations stay, as partial
    if headline:
        records += _headline_quotations(quotes, records)
    if turns is not None:
        keep = _outside(turns, [r.parts[0][0] for r in records])
        records = [r for r, out in zip(records, keep, strict=True) if out] + turns.records
        records.sort(key=lambda r: r.parts[0][0])
    return _finish(doc, records)


def _headline_quotations(quotes: Sequence[_QSpan], records: Sequence[_Record]) -> list[_Record]:
    """In a headline every quotation is a quotation, scare-quote style included ("US will
    ‘stand with Pakistan’, Blinken tells Bilawal"): those no record took, with the speaker of
    the headline's first framed record."""
    taken = {part for rec in records for r in (rec, *rec.children) for part in r.parts}
    frame = next((r.frame for r in records if r.frame is not None), None)
    return [
        _Record("partial", tuple(q.parts), frame, q.mark, 0, 0)
        for q in quotes
        if not any(part in taken for part in q.parts)
    ]


def extract_quotes(
    text: str,
    *,
    verbs: SpeechVerbs | None = None,
    sentences_of_text: Sequence[Sentence] | None = None,
    lexicon: ActorLexicon | None = None,
    mentions: Sequence[Mention] | None = None,
    home: str | None = None,
    headline: bool = False,
) -> list[Quote]:
    """Find quotations and reported speech in ``text`` and attribute them to speakers.

    Args:
        text: Any text (usually a cleaned article body). Never raises on odd input.
        verbs: A speech-cue lexicon (:func:`load_speech_verbs`); the packaged default when None.
        sentences_of_text: ``analysis.segment.sentences(text)``, when the caller has it already.
        lexicon: The actor lexicon for the speakers' actors; the packaged default when None.
        mentions: ``analysis.actors.find_mentions(text, lexicon)``, when the caller has them
            already (read only when a speaker needs them).
        home: The actor the text is reported from (the dateline's place, or the outlet's
            country): an official body or officeholder the text names without a state ("the
            Foreign Ministry", "military officials") speaks for it. When None, for the actor
            the text mentions most.
        headline: ``text`` is a headline or sub-head: it reports no speech of its own, so only
            its quotations are kept, as partial quotations (with the speaker of a headline cue,
            "…, Blinken tells Bilawal").

    Returns:
        Quotes in text order. Direct and partial quotations never overlap each other, nor do
        indirect ones; an indirect record may contain partial quotations, which are reported
        as well (with the same speaker and cue).
    """
    if not text or not text.strip():
        return []
    lex = verbs if verbs is not None else default_speech_verbs()
    doc = Doc(text, lex, NameIndex(text, lex))
    quotes = _run(doc, sentences_of_text, headline)
    if not quotes:
        return quotes
    if headline:
        quotes = [replace(q, kind="partial") for q in quotes if q.kind != "indirect"]
    evidence = ActorEvidence(text, lexicon, mentions, home)
    linked = link_speakers(text, quotes, evidence.mentions, evidence.has_actor)
    return affiliate(linked, evidence)


def _in_heading(doc: Doc, rec: _Record) -> bool:
    """A reported clause in a one-line paragraph without a final stop, mostly capitalised: a
    headline or sub-head ("Lavrov Stresses Ties With Pakistan After Putin Cancels Visit")."""
    if rec.kind != "indirect" or rec.para >= len(doc.paras):
        return False
    ps, pe = doc.paras[rec.para]
    line = doc.text[ps:pe].rstrip().rstrip("”\"’'")
    return (
        "\n" not in line
        and not line.endswith((".", "!", "?", ":", ";", "…"))
        and _headline_caps(doc.text, ps, pe)
    )
