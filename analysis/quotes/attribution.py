"""Stage 3: attribution. Frames attached to quotations (direct, partial), reported clauses
(indirect), quotations standing alone, and speakers carried over to the next quotation."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from analysis.quotes.context import Doc
from analysis.quotes.frames import _clause_subject, _find_cues, _frames
from analysis.quotes.grammar import (
    _ADVERBS,
    _ALL_MARK_CHARS,
    _AUX,
    _CLOSE_MARKS,
    _COMPLEMENTIZER_END,
    _CONJ_BEFORE,
    _CONTEXT_CLASS,
    _DETERMINERS,
    _GAP_CONJ,
    _GAP_GLUE,
    _INTRO_PHRASE,
    _MODIFIER_START,
    _MODIFIER_WORDS,
    _NP_PREPS,
    _OBJECT_PRONOUNS,
    _OBJECT_TAKERS,
    _OPEN_MARKS,
    _POSSESSIVES,
    _PREP_PHRASE,
    _SPEECH_NOUN,
    _TIME_WORDS,
    _WORDS,
)
from analysis.quotes.limits import (
    AFTER_WINDOW,
    GAP_WORDS,
    GAP_WORDS_CONTINUING,
    HEARER_WORDS,
    MAX_GAP_CHARS,
    MAX_REPORTED_PER_UNIT,
    MIN_INDIRECT_WORDS,
    NEEDS_AS_WINDOW,
    SOURCE_WINDOW,
    SPEAKER_WINDOW,
    THAT_LOOKAHEAD_WORDS,
)
from analysis.quotes.records import Kind, _Frame, _QSpan, _Record, _Unit
from analysis.quotes.speakers import speaker_words
from analysis.quotes.tokens import (
    _bare,
    _direct_like,
    _first_char,
    _first_char_of,
    _headline_caps,
    _Intervals,
    _is_cap,
    _is_name_token,
    _is_word,
    _last_char,
    _only_gap,
    _Sentences,
    _strip,
    _tokens,
    _TokenStream,
    _words_between,
)
from analysis.segment import Sentence

#: The signature line under a quoted tweet: a dash at the start of a line, then the author.
_SIGNATURE = re.compile(r"\n[ \t]*(?:―|—|–|--?)[ \t]*\S")
#: A signature line right under a quotation, naming its author ("— Shehbaz Sharif (@CMShehbaz)
#: June 11, 2023"); group 1 is the name.
_SIGNED_BY = re.compile(
    r"[ \t]*\n[ \t]*(?:―|—|–|--?)[ \t]*((?:[A-Z][\w.’'\-]*[ \t]+){0,3}[A-Z][\w’'\-]*)"
    r"[ \t]*\(@\w+\)"
)
#: An object and what it is called ("called climate change a hoax", "labeled him an extremist"),
#: not an object alone ("called a press conference").
_SMALL_CLAUSE = re.compile(
    r"(?!(?:a|an|for|on|in|up|off|out|back|to)\b)[\w’'-]+(?:\s+[\w’'-]+){0,7}?\s+(?:a|an)\s+\w"
)
#: Subject pronouns: a reported clause without "that" has begun at one.
_CLAUSE_SUBJECTS = frozenset(["he", "she", "they", "we", "i", "it"])
#: Words that open an indirect question.
_WH_WORDS = frozenset(["how", "what", "where", "when", "whether", "why", "which", "who"])
#: Tokens that close the clause before a cue.
_CLAUSE_MARKS = frozenset([",", ";", ":", ".", "!", "?", "(", ")", "—", "–", *_ALL_MARK_CHARS])
#: A modal right before a cue: what someone could or would say is not what they said.
_MODAL_BEFORE = re.compile(r"\b(?:could|would|should|might|can|may|must)\s+$")
#: Up to two auxiliaries or adverbs right before a coordinated cue ("…, and had earlier
#: assured reporters that …"): the conjunction stands before them.
_VERB_GROUP_LEAD = re.compile(
    r"(?:\b(?:"
    + "|".join(sorted(map(re.escape, _AUX | _ADVERBS), key=len, reverse=True))
    + r")\s+){1,2}$",
    re.IGNORECASE,
)


def _units(
    doc: Doc,
    sents: Sequence[Sentence],
    para_idx: Sequence[int],
    quotes: Sequence[_QSpan],
    sl: _Sentences,
) -> list[_Unit]:
    n = len(sents)
    reach = list(range(n))  # reach[i]: last sentence merged with sentence i
    text = doc.text
    for i in range(1, n):
        # a "sentence" that starts with ")" or in lower case continues the previous one
        # (a split inside "(D-N.C.)")
        first = text[sents[i].start]
        if para_idx[i] == para_idx[i - 1] and (first in ")]},;:" or first.islower()):
            reach[i - 1] = i
    for q in quotes:
        a = sl.index(q.open)
        b = sl.index(max(q.open, q.close - 1))
        if b > reach[a]:
            reach[a] = b
    units: list[_Unit] = []
    i = 0
    qi = 0
    while i < n:
        j = reach[i]
        k = i
        while k <= j:
            j = max(j, reach[k])
            k += 1
        start, end = sents[i].start, sents[j].end
        uq: list[_QSpan] = []
        while qi < len(quotes) and quotes[qi].open < end:
            if quotes[qi].open >= start:
                uq.append(quotes[qi])
            qi += 1
        units.append(
            _Unit(
                start,
                end,
                para_idx[i],
                para_idx[j],
                uq,
                len(units),
                [q.open for q in uq],
                [q.close for q in uq],
            )
        )
        i = j + 1
    return units


def _after_content(doc: Doc, u: _Unit, fr: _Frame, limit: int) -> tuple[int, int] | None:
    """The reported clause after the frame, or None."""
    text = doc.text
    pos = fr.end
    stream = _TokenStream(text, pos, min(limit, pos + AFTER_WINDOW))
    toks = stream.toks
    has = stream.has
    that_at = None
    idx = 0
    while idx <= THAT_LOOKAHEAD_WORDS and (idx < len(toks) or has(idx)):
        t = toks[idx]
        w = t[2].lower()
        if w in ("that", "whether", "if", "how", "why", "what", "when") and (
            idx == 0 or w == "that"
        ):
            that_at = idx
            break
        if t[2] in (".", ";", ":", "!", "?") or t[2] in _ALL_MARK_CHARS or w in _CLAUSE_SUBJECTS:
            break  # "said he didn't believe …, arguing that …": the clause has begun
        if w in ("and", "but") and idx and toks[idx - 1][2] == ",":
            break  # "said the charges were absurd, and told reporters that …": its own clause
        idx += 1
    cls = fr.cls
    if that_at is not None:
        start = toks[that_at][1]
    elif has(0) and toks[0][2] in (":", ","):
        start = toks[0][1]
    elif (to_at := _object_then_to(doc, fr, stream)) is not None:
        start = toks[to_at][0]  # "asked the candidates to discuss …": the request
    elif cls.adjective or not (cls.bare_clause or _source_subject(doc, u, fr)):
        return None
    else:
        start = pos
        first = toks[0][2].lower() if has(0) else ""
        k = 0
        while has(k) and (toks[k][2] in _TIME_WORDS or toks[k][2] == ","):
            k += 1  # "said Tuesday the plan …": the day is not part of the content
        if k and has(k):
            start = toks[k][0]
            first = toks[k][2].lower()
        modifier = first in _MODIFIER_WORDS and not (
            (first == "as" and cls.needs_as)  # "described as “an intentional act”"
            or any(t[2] in _OPEN_MARKS or t[2] in "\"'" for t in stream.all())
        )
        if first in _NP_PREPS or modifier or (first == "to" and not cls.infinitive):
            return None  # "said as he entered the talks": a modifier, not content
        if cls.infinitive_only and first != "to":
            return None  # "sought an explanation": a request, not speech
        if (
            fr.cue_end == fr.end
            and text[fr.cue_start : fr.cue_end].lower() in _OBJECT_TAKERS
            and has(0)
            and (toks[0][2].lower() in _OBJECT_PRONOUNS or _is_cap(toks[0]))
        ):
            k = 1
            while has(k) and _is_cap(toks[k]):
                k += 1  # "told The Huffington Post …": the hearer's whole name
            if has(k) and (toks[k][2].lower() in _NP_PREPS or toks[k][2] == "."):
                return None  # "…, he told The Huffington Post on Thursday.": no clause
            start = toks[k - 1][1]  # "told reporters he would …": skip a short object
    s, e = _strip(text, start, limit)
    while s < e and text[s] in ",:":
        s = _first_char(text, s + 1, e)
    while e > s and text[e - 1] in " \t":
        e -= 1
    if _words_between(text, s, e, MIN_INDIRECT_WORDS) < MIN_INDIRECT_WORDS:
        return None
    if cls.needs_as:
        seg = text[s : min(e, s + NEEDS_AS_WINDOW)]
        if (
            " as " not in seg
            and not any(c in seg for c in '“"”')
            and _SMALL_CLAUSE.match(text, s, e) is None
        ):
            return None
    if text[e - 1] == ":" and _only_gap(text, e, u.end):
        return None  # "announced the arrival on Twitter:": it introduces what follows
    if text.startswith(_source_openings(doc), s):
        return None  # "…, the leader assured him, according to a statement.": a source
    return (s, e)


def _source_openings(doc: Doc) -> tuple[str, ...]:
    """The "according to" phrases followed by a space, as they may open a clause."""
    return tuple(f"{p} " for p in doc.lex.according_to)


def _object_then_to(doc: Doc, fr: _Frame, stream: _TokenStream) -> int | None:
    """The index of "to" after a hearer that a cue takes ("asked the candidates to discuss
    …", "told his aides to wait"), or None."""
    if fr.cue_end != fr.end or doc.text[fr.cue_start : fr.cue_end].lower() not in _OBJECT_TAKERS:
        return None
    toks, has = stream.toks, stream.has
    for idx in range(1, HEARER_WORDS + 1):
        if not has(idx + 1) or not _is_word(toks[idx - 1]) or toks[idx - 1][2] in _WH_WORDS:
            return None  # "tell them how to vote": the question is the content
        if toks[idx][2] == "to":
            after = toks[idx + 1][2]
            low = after.lower()
            verb = not low.endswith(("s", "ing")) or low.endswith("ss")  # not "to reporters"
            if after[0].islower() and verb and low not in _DETERMINERS | _POSSESSIVES:
                return idx if low not in _OBJECT_PRONOUNS else None
            return None
    return None


def _source_subject(doc: Doc, u: _Unit, fr: _Frame) -> bool:
    """Whether a cue of a ``source_object`` class follows a source of evidence in its clause
    ("Polls show …", "leaked documents from his tax return show …")."""
    if not fr.cls.source_object:
        return False
    sources = speaker_words().evidence_sources
    toks = _tokens(doc.text, max(u.start, fr.cue_start - SOURCE_WINDOW), fr.cue_start)
    for tok in reversed(toks):
        if tok[2] in _CLAUSE_MARKS:
            return False
        if _bare(tok[2]).lower() in sources:
            return True
    return False


def _before_content(doc: Doc, u: _Unit, fr: _Frame, lo: int) -> tuple[int, int] | None:
    """The reported clause before a closing frame ("…, sources said."), or None."""
    text = doc.text
    j = fr.start - 1
    while j >= lo and text[j] in " \t\n":
        j -= 1
    if j < lo:
        return None
    k = j - 1 if text[j] == "'" and j > lo and text[j - 1] == "'" else j
    if text[j] in _CLOSE_MARKS + "\"'" and k > lo and text[k - 1] in ",?!—–":
        s, e = _strip(text, lo, j + 1)
    elif text[j] in ",—–":
        s, e = _strip(text, lo, j)
    else:
        return None
    if _words_between(text, s, e, MIN_INDIRECT_WORDS) < MIN_INDIRECT_WORDS:
        return None
    if _COMPLEMENTIZER_END.search(text, max(s, e - 12), e):
        return None  # "Russia feels that, the growth … is threatening": inside a clause
    return (s, e)


@dataclass(slots=True)
class _Run:
    """What attribution carries from one unit to the next."""

    records: list[_Record] = field(default_factory=list)
    pending: _Frame | None = None  # a frame ending in a colon, waiting for its quotation
    pending_unit: int = -1
    last_direct: dict[int, _Record] = field(default_factory=dict)  # unit -> direct record
    block_end: int = -1  # end of the last block quotation (a tweet after "… on Twitter:")
    quiet: _Frame | None = None  # the speaker frame of a unit that attributed nothing
    quiet_unit: int = -1

    def waiting(self, u: _Unit) -> _Frame | None:
        """The colon frame of the unit just before ``u``, if any."""
        return self.pending if self.pending_unit == u.index - 1 else None

    def replace_last(self, rec: _Record) -> None:
        """Put ``rec`` in the place of the last record (a continued or newly framed one)."""
        old = self.records[-1]
        self.records[-1] = rec
        if self.last_direct.get(old.unit) is old:
            self.last_direct[old.unit] = rec


def _attribute(doc: Doc, units: Sequence[_Unit]) -> list[_Record]:
    """Attribution records of every unit, in text order (step 3 of the package docstring)."""
    text = doc.text
    cue_matches = _find_cues(doc.lex, text)
    cue_starts = [m[0] for m in cue_matches]
    opinions = list(doc.lex._opinion.finditer(text))
    op_starts = [m.start() for m in opinions]
    nouns = list(_SPEECH_NOUN.finditer(text))
    noun_starts = [m.start() for m in nouns]
    run = _Run()
    for u in units:
        if u.start < run.block_end:
            continue
        waiting = run.waiting(u)
        block = _block_quote(doc, u, waiting) if waiting is not None else None
        if block is not None:
            run.records.append(block)
            run.block_end, run.pending = block.parts[-1][1], None
            continue
        a, b = bisect.bisect_left(cue_starts, u.start), bisect.bisect_left(cue_starts, u.end)
        oa, ob = bisect.bisect_left(op_starts, u.start), bisect.bisect_left(op_starts, u.end)
        if a == b and oa == ob and not u.quotes and not _any_between(noun_starts, u):
            run.pending = None  # nothing to attribute in this unit
            continue
        na, nb = bisect.bisect_left(noun_starts, u.start), bisect.bisect_left(noun_starts, u.end)
        frames = _frames(doc, u, cue_matches[a:b], opinions[oa:ob], nouns[na:nb])
        used: set[int] = set()
        unit_records = _framed(doc, u, frames, used)
        unit_records += _unframed(doc, units, u, used, bool(unit_records), run)
        if not unit_records and frames and run.records:
            _bare_frame_after(doc, u, frames[0], run)
        run.pending = None
        run.quiet = _quiet_frame(frames) if not unit_records else None
        run.quiet_unit = u.index
        if frames and not unit_records:  # colon frames wait for the next unit's quotation
            fr = frames[-1]
            if fr.sp_start is not None and text[u.start : u.end].rstrip().endswith(":"):
                run.pending, run.pending_unit = fr, u.index
        unit_records.sort(key=lambda r: r.parts[0][0])
        for rec in unit_records:
            run.records.append(rec)
            if rec.kind == "direct" and rec.mark is not None and rec.frame is not None:
                run.last_direct[u.index] = rec
    return run.records


def _any_between(starts: Sequence[int], u: _Unit) -> bool:
    """Whether any of the sorted offsets falls in the unit."""
    i = bisect.bisect_left(starts, u.start)
    return i < len(starts) and starts[i] < u.end


def _framed(doc: Doc, u: _Unit, frames: Sequence[_Frame], used: set[int]) -> list[_Record]:
    """Records of the unit's frames: quotations they are attached to, then the reported
    clauses they govern outside those (with the quotations inside as partial children).
    Adds the indices of the quotations taken to ``used``."""
    records: list[_Record] = []
    attached: set[int] = set()
    for fi, fr in enumerate(frames):
        if fr.sp_start is None and not fr.passive:
            continue
        rec = _attach(doc, u, fr, used)
        if rec is not None:
            attached.add(fi)
            records.append(rec)
    covered = _Intervals(
        [(r.parts[0][0], r.parts[-1][1]) for r in records]
        + [(r.frame.start, r.frame.end) for r in records if r.frame is not None]
    )
    free = [
        fr
        for fi, fr in enumerate(frames)
        if fi not in attached and not covered.contains(fr.cue_start)
    ]
    for rec in _reported(doc, u, free) if free else []:
        if any(covered.overlaps(ps, pe) for ps, pe in rec.parts):
            continue
        records.append(replace(rec, children=tuple(_partials_inside(u, rec, used))))
    return records


def _partials_inside(u: _Unit, rec: _Record, used: set[int]) -> list[_Record]:
    """The unit's quotations inside a reported clause, as partial records of its frame."""
    out: list[_Record] = []
    for ps, pe in rec.parts:
        qi = bisect.bisect_left(u.opens, ps)
        while qi < len(u.quotes) and u.quotes[qi].close <= pe:
            q = u.quotes[qi]
            if qi not in used and q.parts[-1][1] <= pe:
                used.add(qi)
                out.append(_Record("partial", tuple(q.parts), rec.frame, q.mark, u.index, u.para))
            qi += 1
    return out


def _unframed(
    doc: Doc, units: Sequence[_Unit], u: _Unit, used: set[int], framed: bool, run: _Run
) -> list[_Record]:
    """Records of the unit's quotations that no frame took: each takes a colon frame before
    it, continues the direct quotation before it, takes the subject of the sentence before,
    or inherits the previous speaker (``framed``: the unit has framed records)."""
    out: list[_Record] = []
    records = run.records
    for qi, q in enumerate(u.quotes):
        if qi in used or not _standalone(doc, u, q):
            continue
        kind: Kind = "direct" if _direct_like(doc.text, q.parts[0]) else "partial"
        rec = _Record(kind, tuple(q.parts), None, q.mark, u.index, u.para)
        used.add(qi)
        prev = records[-1] if records else None
        waiting = run.waiting(u)
        if waiting is not None and qi == 0:
            rec = replace(rec, frame=waiting)
        elif (signed := _signed(doc, q)) is not None:
            rec = replace(rec, frame=signed)  # a tweet quoted with its signature line
        elif qi == 0 and not framed and not out and _continues(u, prev, run):
            assert prev is not None
            run.replace_last(replace(prev, parts=prev.parts + tuple(q.parts)))
            continue
        elif qi == 0 and (subject := _subject_before(doc, units, u, records)) is not None:
            rec = replace(rec, frame=subject)  # "X pressed the case. “…”": its subject speaks
        elif qi == 0 and (quiet := _quiet_before(doc, units, u, run)) is not None:
            rec = replace(rec, frame=quiet)  # "X called him a master. “…”": the cue's speaker
        elif qi == 0 and (subject := _colon_subject(doc, u, q)) is not None:
            rec = replace(rec, frame=subject)  # "Obama has a new message: “…”"
        else:
            src = _inherit(doc, records, u)
            if src is not None:
                rec = replace(rec, frame=src.frame, inherited_from=src)
        out.append(rec)
    return out


def _continues(u: _Unit, prev: _Record | None, run: _Run) -> bool:
    """Whether the unit's first quotation continues the framed direct quotation that ended
    the unit before, in the same paragraph (“…,” he said. “…”)."""
    return (
        prev is not None
        and prev.unit == u.index - 1
        and prev.para == u.para
        and prev.kind == "direct"
        and prev.frame is not None
        and prev.mark is not None
        and prev is run.last_direct.get(u.index - 1)
    )


def _bare_frame_after(doc: Doc, u: _Unit, fr: _Frame, run: _Run) -> None:
    """A bare frame after an unattributed quotation ("“…” Smith said on Tuesday.") becomes
    that quotation's frame: an explicit frame beats an inherited speaker."""
    prev = run.records[-1]
    if (
        prev.unit == u.index - 1
        and prev.para == u.para
        and (prev.frame is None or prev.inherited_from is not None)
        and prev.mark is not None
        and fr.sp_start is not None
        and _is_bare_frame(doc, u, fr)
    ):
        run.replace_last(replace(prev, frame=fr, inherited_from=None))


def _subject_before(
    doc: Doc, units: Sequence[_Unit], u: _Unit, records: Sequence[_Record]
) -> _Frame | None:
    """The person named as subject of the sentence just before a quotation that opens its
    own sentence in the same paragraph, when that sentence attributes nothing ("Mr
    Bhutto-Zardari pressed the case for help. “Pakistan did not cause this crisis.”")."""
    if u.index == 0 or not u.quotes or not _only_gap(doc.text, u.start, u.quotes[0].open):
        return None
    prev = units[u.index - 1]
    if prev.para_last != u.para or prev.quotes or (records and records[-1].unit == prev.index):
        return None
    toks = _tokens(doc.text, prev.start, min(prev.end, prev.start + SPEAKER_WINDOW))
    while toks and _bare(toks[0][2]) in doc.lex.titles:
        toks = toks[1:]  # "Mr Bhutto-Zardari …"
    span = _clause_subject(doc, toks)
    if span is None or not _is_name_token(toks[span[1]], doc.lex):
        return None
    s, e = toks[span[0]][0], toks[span[1]][1]
    return _Frame(e, e, _CONTEXT_CLASS, s, e, None, s, e, borrowed=True)


def _signed(doc: Doc, q: _QSpan) -> _Frame | None:
    """The author a signature line right under a quotation names ("“…”\n— Shehbaz Sharif
    (@CMShehbaz) June 11, 2023"), as the quotation's speaker."""
    m = _SIGNED_BY.match(doc.text, q.close)
    if m is None:
        return None
    s, e = m.span(1)
    return _Frame(e, e, _CONTEXT_CLASS, s, e, None, s, e, borrowed=True)


def _quiet_frame(frames: Sequence[_Frame]) -> _Frame | None:
    """The first frame with a speaker of its own in a unit that attributed nothing ("X called
    him a master at deals."): the speaker of a quotation that follows it."""
    for fr in frames:
        if fr.sp_start is not None and not fr.passive and not fr.borrowed:
            return fr
    return None


def _quiet_before(doc: Doc, units: Sequence[_Unit], u: _Unit, run: _Run) -> _Frame | None:
    """The speaker frame of the sentence just before a quotation that opens its own sentence
    in the same paragraph, where that sentence attributed nothing."""
    fr = run.quiet
    if fr is None or run.quiet_unit != u.index - 1 or u.index == 0 or not u.quotes:
        return None
    if units[u.index - 1].para_last != u.para or not _only_gap(doc.text, u.start, u.quotes[0].open):
        return None
    s, e = fr.sp_start, fr.sp_end
    if s is None or e is None:
        return None
    return _Frame(e, e, _CONTEXT_CLASS, s, e, fr.desc, s, e, borrowed=True)


def _colon_subject(doc: Doc, u: _Unit, q: _QSpan) -> _Frame | None:
    """The person named as subject of the sentence whose colon introduces the quotation
    ("President Obama is rolling out a new campaign message: “It's about me.”")."""
    text = doc.text
    if _only_gap(text, u.start, q.open) or _last_char(text, u.start, q.open) != ":":
        return None
    toks = _tokens(text, u.start, min(q.open, u.start + SPEAKER_WINDOW))
    while toks and _bare(toks[0][2]) in doc.lex.titles:
        toks = toks[1:]
    span = _clause_subject(doc, toks)
    if span is None or not _is_name_token(toks[span[1]], doc.lex):
        return None
    if toks[span[1]][2].endswith(("’s", "'s")):
        return None  # "Pakistan's answer was swift: “…”": the possessor is not the subject
    s, e = toks[span[0]][0], toks[span[1]][1]
    return _Frame(e, e, _CONTEXT_CLASS, s, e, None, s, e, borrowed=True)


def _block_quote(doc: Doc, u: _Unit, frame: _Frame) -> _Record | None:
    """A paragraph without quote marks after a frame that ends the paragraph before with a
    colon ("… wrote on Twitter:"): a quotation set as a block, such as a tweet. Its content
    ends before a signature line ("— Raveesh Kumar (@MEAIndia) July 22, 2019")."""
    if u.para == 0 or u.para >= len(doc.paras):
        return None
    ps, pe = doc.paras[u.para]
    if u.start != ps or not doc.paras[u.para - 1][0] <= frame.end <= ps:
        return None  # the frame must close the paragraph just before
    quoted = doc.names.quoted
    if quoted is not None and quoted.overlaps(ps, pe):
        return None
    sig = _SIGNATURE.search(doc.text, ps, pe)
    s, e = _strip(doc.text, ps, sig.start() if sig is not None else pe)
    if _words_between(doc.text, s, e, MIN_INDIRECT_WORDS) < MIN_INDIRECT_WORDS:
        return None
    return _Record("direct", ((s, e),), frame, None, u.index, u.para)


def _is_bare_frame(doc: Doc, u: _Unit, fr: _Frame) -> bool:
    """A unit that is only a frame: "Smith said on Tuesday." (no content of its own)."""
    text = doc.text
    if _words_between(text, u.start, fr.start, 2) > 1:
        return False
    if _words_between(text, fr.end, u.end, 5) > 4:
        return False
    return u.end - fr.end < 80 and not any(c in text[fr.end : u.end] for c in ",;:")


def _standalone(doc: Doc, u: _Unit, q: _QSpan) -> bool:
    """A quotation that stands as a statement on its own (not a scare quote or title)."""
    text = doc.text
    if not _direct_like(text, q.parts[0]) or _sub_head(doc, u, q):
        return False
    if not _only_gap(text, u.start, q.open) and _last_char(text, u.start, q.open) not in (
        ":",
        ".",
        "!",
        "?",
    ):
        # a quotation inside the author's sentence is a statement only after a colon
        # ("The message was clear: “…”")
        return False
    first, last = q.parts[0][0], q.parts[-1][1]
    ends = text[max(first, last - 3) : last].rstrip("”’\"' )").endswith(
        (".", "!", "?", "…", ",", "—", "-", ":")
    ) or (
        q.closed
        and _first_char_of(text, q.close, u.end) in (".", "!", "?")
        and _only_gap(text, q.close, u.end)
    )
    if ends:
        return True
    words = [m.group() for m, _ in zip(_WORDS.finditer(text, first, last), range(8), strict=False)]
    # four words or more make a statement, unless they are all capitalised (a title such as
    # “The Wall Street Journal”)
    return len(words) >= 4 and not all(w[0].isupper() or w[0].isdigit() for w in words)


def _sub_head(doc: Doc, u: _Unit, q: _QSpan) -> bool:
    """A quotation that is a whole paragraph in title case: a sub-head set in quote marks
    ("‘All Bets Are Off.’"), not a statement."""
    if u.para >= len(doc.paras):
        return False
    ps, pe = doc.paras[u.para]
    text = doc.text
    return (
        _only_gap(text, ps, q.open)
        and _only_gap(text, q.close, pe)
        and _headline_caps(text, q.parts[0][0], q.parts[-1][1])
    )


def _inherit(doc: Doc, records: Sequence[_Record], u: _Unit) -> _Record | None:
    """The previous speaker, where the text follows the one-speaker-per-run convention.

    A quotation without a cue inherits the speaker of the attribution just before it in the
    same paragraph (a quotation, or reported speech in the previous sentence), or of a
    direct quotation that ends the previous paragraph when this paragraph opens with the
    quotation (a run of quotation paragraphs).
    """
    if not records:
        return None
    prev = records[-1]
    src = prev.inherited_from or prev
    if src.frame is None or src.frame.sp_start is None:
        return None
    if prev.para == u.para and (prev.mark is not None or prev.unit == u.index - 1):
        return src
    if (
        prev.para == u.para - 1
        and prev.mark is not None
        and prev.kind == "direct"
        and u.quotes
        and _only_gap(doc.text, u.start, u.quotes[0].open)
    ):
        return src
    return None


def _attach(doc: Doc, u: _Unit, fr: _Frame, used: set[int]) -> _Record | None:
    """A direct (or partial) quotation the frame is attached to."""
    text = doc.text
    quotes = u.quotes
    if not quotes:
        return None
    chosen: list[int] = []
    # quotation before the frame: “…,” he said
    ib = bisect.bisect_right(u.closes, fr.start) - 1
    if fr.cls.direct and ib >= 0 and ib not in used and _only_gap(text, quotes[ib].close, fr.start):
        chosen.append(ib)
        k = ib - 1
        while k >= 0 and k not in used and _only_gap(text, quotes[k].close, quotes[k + 1].open):
            chosen.insert(0, k)
            k -= 1
        first_open = quotes[chosen[0]].open
        if (
            not _only_gap(text, u.start, first_open)
            and _last_char(text, u.start, first_open) != ":"
        ):
            chosen = []  # the quotation is inside the author's sentence: not this frame's
    # quotation after the frame: he said, “…”
    ia = bisect.bisect_left(u.opens, fr.end)
    if ia < len(quotes) and ia not in used:
        q = quotes[ia]
        if (
            _gap_ok(doc, fr.end, q.open, bool(chosen))
            and (chosen or _only_gap(text, q.close, u.end))
            and (
                chosen
                or fr.cls.direct
                or fr.cls.name in ("according_to", "opinion")
                or _direct_like(text, q.parts[0])
            )
        ):
            chosen.append(ia)
            k = ia + 1
            while (
                k < len(quotes)
                and k not in used
                and _only_gap(text, quotes[k - 1].close, quotes[k].open)
            ):
                chosen.append(k)
                k += 1
    if not chosen:
        return None
    parts: list[tuple[int, int]] = []
    for qi in chosen:
        parts.extend(quotes[qi].parts)
        used.add(qi)
    kind: Kind = "direct" if _direct_like(text, parts[0]) else "partial"
    return _Record(kind, tuple(parts), fr, quotes[chosen[0]].mark, u.index, u.para)


def _gap_ok(doc: Doc, start: int, end: int, continuing: bool) -> bool:
    """Text between a frame and its quotation: glue, "that", or a short modifier.

    After a first quotation (“…,” Schiff told Capital Download on Wednesday, “…”) the
    modifier may be longer.
    """
    text = doc.text
    if _only_gap(text, start, end) or _GAP_GLUE.fullmatch(text, start, end):
        return True
    if end - start > MAX_GAP_CHARS:
        return False
    gap = text[start:end].rstrip()
    n = _words_between(text, start, end, GAP_WORDS_CONTINUING + 1)
    if continuing:
        # “…,” Trump said during a rally in Kenansville, N.C., “but …” / … this week. “…”
        if n > GAP_WORDS_CONTINUING or any(c in gap for c in _ALL_MARK_CHARS + ";"):
            return False
        return gap.endswith((",", ":", ".")) or _GAP_CONJ.fullmatch(text, start, end) is not None
    if not gap.endswith((",", ":")):
        return False
    return n <= GAP_WORDS and not any(c in gap for c in _ALL_MARK_CHARS + ".;")


def _reported(doc: Doc, u: _Unit, frames: Sequence[_Frame]) -> list[_Record]:
    """Reported speech in the unit: the frame that governs the sentence, and frames that
    follow it after a conjunction ("X agreed that …, but he said that …")."""
    text = doc.text
    best: tuple[int, _Frame, list[tuple[int, int]]] | None = None
    afters: dict[int, tuple[int, int]] = {}
    for fi, fr in enumerate(frames):
        if fr.sp_start is None and not fr.passive:
            continue
        before = None if fr.borrowed else _before_content(doc, u, fr, u.start)
        after = _after_content(doc, u, fr, u.end)
        if before is not None and fr.cls.name == "according_to":
            after = None  # "…, according to an analysis by X, a former aide": the source
        if after is not None:
            afters[fi] = after
        intro = _INTRO_PHRASE if after is not None else _PREP_PHRASE
        if before is not None and intro.match(text, before[0], before[1]):
            before = None  # "In a statement, the ministry said …": an introduction
        if before is not None:
            tail = text[fr.end : min(u.end, fr.end + 80)]
            if (
                after is None
                and _words_between(text, fr.end, u.end, 7) <= 6
                and u.end - fr.end <= 80
                and not any(c in tail for c in ",;:")
            ):
                cand = (0, fr, [before])
            elif after is not None and _first_char_of(text, fr.end, u.end) == ",":
                cand = (1, fr, [before, after])
            elif after is not None:
                cand = (2, fr, [after])
            elif _MODIFIER_START.match(text, fr.end, u.end):
                cand = (0, fr, [before])  # "…,” McConnell said in June 2012, citing …"
            else:
                continue
        elif after is not None:
            cand = (2, fr, [after])
        else:
            continue
        if best is None or cand[0] < best[0]:
            best = cand
    if best is None:
        return []
    _, fr, parts = best
    out = [_Record("indirect", tuple(parts), fr, None, u.index, u.para)]
    # a later frame joined by a conjunction splits the clause in two
    for fi, fr2 in enumerate(frames):
        # a borrowed speaker lies outside the later frame, before the first one's cue
        # ("X promised … and said …"), so long as it is the first frame's own speaker
        fs = _verb_group_start(text, fr.end, fr2.cue_start) if fr2.borrowed else fr2.start
        if fi not in afters or fs <= fr.end or len(out) >= MAX_REPORTED_PER_UNIT:
            continue
        last = out[-1]
        ps, pe = last.parts[-1]
        if fr2.borrowed and not _splits_borrowed(text, fr, fr2, ps):
            continue
        if not ps < fs < pe or _MODAL_BEFORE.search(
            text, max(ps, fr2.cue_start - 12), fr2.cue_start
        ):
            continue  # "… and only the Prime Minister could say what …": still the clause
        m = _CONJ_BEFORE.search(text, max(ps, fs - 16), fs)
        if m is None:
            continue
        cut = _strip(text, ps, m.start())[1]
        if _words_between(text, ps, cut, MIN_INDIRECT_WORDS) < MIN_INDIRECT_WORDS:
            continue
        if text[ps:cut].split(None, 1)[0].lower() in _MODIFIER_WORDS:
            out.pop()  # "… has complained about in public, saying …": no content before
        else:
            out[-1] = replace(last, parts=(*last.parts[:-1], (ps, cut)))
        out.append(_Record("indirect", (afters[fi],), fr2, None, u.index, u.para))
    return out


def _splits_borrowed(text: str, fr: _Frame, fr2: _Frame, ps: int) -> bool:
    """Whether a later cue whose speaker is borrowed from the clause's subject starts a
    statement of its own: its speaker is the first frame's (before that cue), and a comma
    sets it off ("X criticized the raid, saying …") or the first content is an infinitive
    without a subject of its own ("X promised to … and said …"). In "X said the movement was
    committed … and wanted …" the later verb belongs to the reported clause."""
    if fr2.sp_start is None or fr2.sp_start >= fr.cue_start or fr.cls.name == "evaluation":
        return False  # "X said Pakistan welcomed … and hoped …": all X's clause
    if text.startswith("to ", ps):
        return True
    fs = _verb_group_start(text, ps, fr2.cue_start)
    m = _CONJ_BEFORE.search(text, max(ps, fs - 16), fs)
    return m is not None and "," in m.group()


def _verb_group_start(text: str, lo: int, cue_start: int) -> int:
    """Where the verb group of a cue starts: before up to two auxiliaries or adverbs ("had
    earlier assured"), never before ``lo``."""
    m = _VERB_GROUP_LEAD.search(text, max(lo, cue_start - 40), cue_start)
    return m.start() if m is not None else cue_start
