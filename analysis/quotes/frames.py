"""Stage 2: frames. Each speech cue outside the quotations, with its speaker phrase and
direction (speaker before or after the cue), read from a unit of sentences."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace

from analysis.quotes.context import Doc, para_end
from analysis.quotes.grammar import (
    _ADVERBS,
    _ALL_MARK_CHARS,
    _AUX,
    _BE,
    _BY_AGENT,
    _CLOSE_MARKS,
    _COORDINATED,
    _DASH_CLASS,
    _DASH_CUE,
    _DETERMINERS,
    _INTRO_WORDS,
    _LEADING_TRIM,
    _MESSAGE_NOUNS,
    _NAME_PARTICLES,
    _NO_INVERSION,
    _NOUN_CLASS,
    _NOUN_CUES,
    _NP_PREPS,
    _NP_STOP,
    _OPINION_CLASS,
    _PARTICIPLE_PREPS,
    _PARTICIPLE_TIME,
    _POSSESSIVES,
    _POSSESSOR_BEFORE,
    _PROGRESSIVE,
    _PRONOUN_CONTRACTIONS,
    _SUBJECT_PRONOUNS,
    _TIME_WORDS,
    _TRAILING_TEXT,
)
from analysis.quotes.limits import (
    MAX_DESCRIPTION_WORDS,
    POSSESSOR_WINDOW,
    QUOTED_AS_WINDOW,
    SPEAKER_WINDOW,
)
from analysis.quotes.phrases import np_back, speaker_after, speaker_before
from analysis.quotes.records import CueClass, SpeakerPhrase, SpeechVerbs, _Frame, _QSpan, _Unit
from analysis.quotes.tokens import (
    _bare,
    _cue_is_verb,
    _first_char,
    _headline_caps,
    _is_name_token,
    _is_word,
    _Tok,
    _tokens,
    _words_between,
)

#: "quoted <speaker> as" (active: the object is the speaker) or "<speaker> was quoted … as"
#: (passive: the subject is), right before a participle cue ("saying", "telling").
_QUOTED_AS = re.compile(
    r"\b(?:quot(?:ed|es|e|ing)\s+(?P<object>[^,;:.“”\"]{1,80}?)|"
    r"(?:was|were|is|are|been)\s+quoted(?:\s+\w+){0,3}?)\s+as\s+$"
)

#: A cue word that is a noun when a preposition or a capitalised word follows it ("member states
#: for their support", "State Department", "the view of the ministry").
_NOUN_AFTER = re.compile(
    r"[ \t]+(?:(?i:of|for|in|on|at|with|from|by|about|department|media|television|secretary|"
    r"minister|ministry|visit|banquet|dinner|funeral|sponsored|owned|run)\b|[A-Z])"
)
#: A finite auxiliary right after a cue word: the word is a noun ("the jobless rate is") or
#: ends a relative clause ("what he said was").
_FINITE_AFTER = re.compile(r"[ \t]+(?:is|are|was|were|has|have|had|will|would)\b")
#: The rest of a source phrase after "according to X": up to a comma or the end of the
#: sentence, a few words without a clause mark ("… poll released last week").
_SOURCE_REST = re.compile(r"[^,;:.!?“”\"—–()]{0,80}?(?=\s*(?:[,;:—–]|[.!?]\s*(?:[”\"’]\s*)?$))")
#: A form of "be" right before a cue ("was quoted by", "is said by"): a passive with its agent.
_BY_AGENT_NOT_GERUND = re.compile(r" by (?!\w+ing\b)")
#: "of" right before a cue word: the cue is a noun ("a series of tweets").
_OF_BEFORE = re.compile(r"\bof\s+$")
_PROGRESSIVE_OR_BE = re.compile(r"\b(?:is|are|was|were|been|be|being)\s+(?:\w+ly\s+)?$")
#: Where a subordinate or contrasting clause starts inside a sentence: its subject is the
#: speaker of a verb coordinated within it.
_CLAUSE_START = re.compile(r"(?:,\s*(?:while|whereas|but|although|though)|;)\s+")


def _find_cues(lex: SpeechVerbs, text: str) -> list[tuple[int, int, str]]:
    """(start, end, cue as written) of the cues in ``text``: ``lex._pattern.finditer(text)``.

    With ``lex._scan``, a cue after the first character is found after its non-word
    character; a cue that starts the text is matched on its own, and the scan goes on after it
    (the next cue cannot start where it ends, as both sides of a boundary would be word
    characters).
    """
    scan = lex._scan
    if scan is None:
        return [(m.start(), m.end(), m.group()) for m in lex._pattern.finditer(text)]
    out: list[tuple[int, int, str]] = []
    pos = 0
    first = lex._pattern.match(text)
    if first is not None:
        out.append((0, first.end(), first.group()))
        pos = first.end()
    out.extend([(m.start(1), m.end(1), m.group(1)) for m in scan.finditer(text, pos)])
    return out


def _frames(
    doc: Doc,
    u: _Unit,
    cue_matches: Sequence[tuple[int, int, str]],
    opinions: Sequence[re.Match[str]],
    nouns: Sequence[re.Match[str]] = (),
) -> list[_Frame]:
    """The frames of a unit: its cues outside quotations with their speakers (cues that are
    nouns, passive participles or speakerless are dropped), a name after a dash closing a
    quotation, and "in his view" phrases; in text order."""
    frames: list[_Frame] = []
    for cs, ce, cue in cue_matches:
        qb = _quote_before(u, cs)
        if qb is not None and cs < qb.close:
            continue
        lo = max(u.start, qb.close) if qb is not None else u.start
        fr = _cue_frame(doc, u, cs, ce, " ".join(cue.lower().split()), lo, frames)
        if fr is not None:
            frames.append(fr)
    for q in u.quotes:
        fr_dash = _dash_frame(doc, q)
        if fr_dash is not None:
            frames.append(fr_dash)
    frames += _opinion_frames(doc, u, opinions)
    frames += _noun_frames(doc, u, nouns)
    frames.sort(key=lambda f: f.cue_start)
    return [_extent(fr) for fr in frames]


def _extent(fr: _Frame) -> _Frame:
    """The frame reaching over its cue, speaker and description."""
    end = max(fr.end, fr.cue_end, fr.sp_end or 0, fr.desc[1] if fr.desc else 0)
    start = min(fr.start, fr.sp_start, fr.cue_start) if fr.sp_start is not None else fr.start
    if start == fr.start and end == fr.end:
        return fr  # the common case; ``replace`` costs more than the rest of a frame
    return replace(fr, start=start, end=end)


def _before(fr: _Frame, phrase: SpeakerPhrase) -> _Frame:
    """The frame with the speaker phrase read before its cue."""
    return _Frame(
        fr.cue_start,
        fr.cue_end,
        fr.cls,
        phrase.start,
        phrase.end,
        phrase.desc,
        phrase.edge,
        fr.end,
        fr.passive,
        fr.borrowed,
    )


def _after(fr: _Frame, phrase: SpeakerPhrase) -> _Frame:
    """The frame with the speaker phrase read after its cue."""
    return _Frame(
        fr.cue_start,
        fr.cue_end,
        fr.cls,
        phrase.start,
        phrase.end,
        phrase.desc if phrase.desc is not None else fr.desc,
        fr.start,
        max(fr.end, phrase.edge),
        fr.passive,
        fr.borrowed,
    )


def _quote_before(u: _Unit, pos: int) -> _QSpan | None:
    """The unit's last quotation opening before ``pos``."""
    i = bisect.bisect_right(u.opens, pos) - 1
    return u.quotes[i] if i >= 0 else None


def _not_a_cue(doc: Doc, u: _Unit, cs: int, ce: int, form: str) -> bool:
    """A cue word used otherwise: inside a hyphenated word, a noun ("member states for",
    "State Department"), or a passive participle with its agent ("claimed by IS-K")."""
    text = doc.text
    if (cs > 0 and text[cs - 1] in "’'-") or text.startswith("-", ce):
        return True
    if form in _NOUN_CUES and _NOUN_AFTER.match(text, ce) is not None:
        return True
    if _FINITE_AFTER.match(text, ce) is not None:
        return True  # "The unemployment rate is …", "what he said was": a noun or a clause
    if not form.endswith("ing") and _OF_BEFORE.search(text, max(0, cs - 4), cs) is not None:
        return True  # "a series of tweets", "one of the claims": a noun
    return (
        form.endswith("ed")
        and _BY_AGENT_NOT_GERUND.match(text, ce) is not None
        and not _PROGRESSIVE_OR_BE.search(text, max(u.start, cs - 24), cs)
    )


def _cue_frame(
    doc: Doc, u: _Unit, cs: int, ce: int, form: str, lo: int, earlier: Sequence[_Frame]
) -> _Frame | None:
    """The frame of one cue text[cs:ce] (``form``: lower case, single spaces) with its
    speaker, or None; ``lo`` is where its clause may start, ``earlier`` the unit's frames so
    far (for participles and coordinated verbs)."""
    text = doc.text
    cls = doc.lex.cues.get(form)
    if cls is None or _not_a_cue(doc, u, cs, ce, form):
        return None
    headline = False
    if text[cs].isupper() and not _at_clause_start(doc, u, cs):
        if not _headline_cue(doc, u, cs, ce):
            return None
        headline = True  # "…, Lindsey Graham Says.": the speaker precedes the cue
    fr = _Frame(cs, ce, cls, None, None, None, cs, ce)
    if cls.name == "according_to":
        return _according_frame(doc, u, fr)
    if not _cue_is_verb(text, cs, lo):
        return None
    progressive = form.endswith("ing") and _PROGRESSIVE.search(text, max(lo, cs - 24), cs)
    if form.endswith("ing") and not cls.adjective and not progressive:
        return _quoted_as(doc, fr, lo) or _participle_frame(doc, u, fr, lo, earlier)
    inverted = (
        cls.inversion
        and not headline
        and form not in _NO_INVERSION
        and _inversion_ok(doc, u, cs, lo)
    )
    closing = _speaker_after_closing(doc, fr, u) if inverted else None
    if closing is not None:
        return closing  # "…, said one GOP source in the room."
    phrase, passive = speaker_before(doc, lo, cs, ce, cls)
    if phrase is not None:
        return _before(replace(fr, passive=passive), phrase)
    if passive:
        return _passive_frame(doc, replace(fr, passive=True), u)
    coordinated = _coordinated(doc, u, fr, lo, earlier)
    if coordinated is not None:
        return coordinated  # "X promised … and said …"
    phrase = speaker_after(doc, ce, u.end) if inverted else None
    return _after(fr, phrase) if phrase is not None else None


def _according_frame(doc: Doc, u: _Unit, fr: _Frame) -> _Frame | None:
    """ "According to X, …" / "…, according to X." The source phrase runs to the next comma or
    the end of the sentence ("a New York Times/CBS News poll released last week"); a comma
    clause after a source that opens the sentence is the content, not an apposition
    ("According to Ham, the administration has …")."""
    text = doc.text
    phrase = speaker_after(doc, fr.cue_end, u.end)
    if phrase is None:
        return None
    if phrase.desc is not None and _at_clause_start(doc, u, fr.cue_start):
        ends = _SOURCE_REST.match(text, phrase.edge, u.end)
        if ends is None or not text.startswith(",", _first_char(text, ends.end(), u.end)):
            phrase = replace(phrase, desc=None, edge=phrase.end)
    m = _SOURCE_REST.match(text, phrase.edge, u.end)
    if m is not None and m.end() > phrase.edge:
        phrase = replace(phrase, edge=m.end())
    return _after(fr, phrase)


def _opinion_frames(doc: Doc, u: _Unit, opinions: Sequence[re.Match[str]]) -> list[_Frame]:
    """ "In his view, …", "In Markey's opinion, …": the possessive is the speaker."""
    text = doc.text
    out: list[_Frame] = []
    for m in opinions:
        qb = _quote_before(u, m.start())
        if qb is not None and m.start() < qb.close:
            continue
        ps, pe = m.span("poss")
        pe = _possessor_end(text, pe)
        out.append(_Frame(m.start(), m.end(), _OPINION_CLASS, ps, pe, None, m.start(), m.end()))
    return out


def _possessor_end(text: str, end: int) -> int:
    """The end of a possessor without its 's or ' ("Markey's" → "Markey")."""
    if text[end - 2 : end] in ("’s", "'s"):
        return end - 2
    return end - 1 if text[end - 1 : end] in ("’", "'") else end


def _noun_frames(doc: Doc, u: _Unit, nouns: Sequence[re.Match[str]]) -> list[_Frame]:
    """ "Donald Trump's claim that …", "his insistence that …": the possessor said the clause."""
    text = doc.text
    out: list[_Frame] = []
    for m in nouns:
        qb = _quote_before(u, m.start())
        if qb is not None and m.start() < qb.close:
            continue
        ns, ne = m.span("noun")
        poss = _POSSESSOR_BEFORE.search(text, max(u.start, ns - POSSESSOR_WINDOW), ns)
        if poss is None:
            continue
        ps, pe = poss.span("poss")
        out.append(_Frame(ns, ne, _NOUN_CLASS, ps, _possessor_end(text, pe), None, ps, ne))
    return out


def _dash_frame(doc: Doc, q: _QSpan) -> _Frame | None:
    """ "“…” ― Karen Bobadilla": a name after a dash closes the paragraph."""
    text = doc.text
    pe = para_end(doc, q.close)
    m = _DASH_CUE.match(text, q.close, pe)
    if m is None:
        return None
    ds, de = m.span("dash")
    phrase = speaker_after(doc, m.end(), pe)
    if phrase is None:
        return None
    fr = _after(_Frame(ds, de, _DASH_CLASS, start=ds, end=de), phrase)
    if _TRAILING_TEXT.search(text, fr.end, pe) is not None:
        return None
    return fr


def _speaker_after_closing(doc: Doc, fr: _Frame, u: _Unit) -> _Frame | None:
    """ "…, said X." where the speaker after the cue closes the sentence."""
    phrase = speaker_after(doc, fr.cue_end, u.end)
    if phrase is None:
        return None
    found = _after(replace(fr, desc=None), phrase)
    if _words_between(doc.text, found.end, u.end, 5) > 4:
        return None
    after = _tokens(doc.text, found.end, min(u.end, found.end + 40))
    first = after[0][2].lower() if after else ""
    if first in _AUX | _BE or first.endswith(("ed", "n't", "n’t")):
        return None  # "…, said the region had changed" / "didn't …": a clause, not "said X."
    return found


def _coordinated(
    doc: Doc, u: _Unit, fr: _Frame, lo: int, earlier: Sequence[_Frame]
) -> _Frame | None:
    """A cue coordinated with an earlier verb ("Merrill says … and said …"): its speaker
    is the earlier frame's, or the subject of the clause."""
    m = _COORDINATED.search(doc.text, max(lo, fr.cue_start - 32), fr.cue_start)
    if m is None:
        return None
    between = m.group("between").split()
    if any(w.lower() not in _ADVERBS and w.lower() not in _AUX for w in between):
        return None
    if not doc.text[lo : m.start()].strip(" ,\t" + _ALL_MARK_CHARS):
        lo = u.start  # "X told … that the charges were ‘absurd’, and had earlier assured …"
    return _participle_subject(doc, u, fr, lo, earlier)


def _headline_cue(doc: Doc, u: _Unit, cs: int, ce: int) -> bool:
    """A capitalised cue in a headline ("…, Lindsey Graham Says.", "Obama Says …")."""
    text = doc.text
    if _TRAILING_TEXT.search(text, ce, u.end) is None:
        return True
    return _headline_caps(text, u.start, u.end)


def _at_clause_start(doc: Doc, u: _Unit, pos: int) -> bool:
    j = pos - 1
    while j >= u.start and doc.text[j] in " \t\n":
        j -= 1
    return j < u.start or doc.text[j] in ".!?:;—–-(\n" + _ALL_MARK_CHARS


def _participle_frame(
    doc: Doc, u: _Unit, fr: _Frame, lo: int, earlier: Sequence[_Frame]
) -> _Frame | None:
    """Speaker of a participle cue: "…, saying …" or "footage of Clinton asking, “…”"."""
    text = doc.text
    j = fr.cue_start - 1
    while j >= lo and text[j] in " \t":
        j -= 1
    if j < lo:
        return None
    if text[j] == ",":
        return _participle_subject(doc, u, fr, lo, earlier)
    toks = _tokens(text, max(lo, fr.cue_start - SPEAKER_WINDOW), fr.cue_start)
    prev = toks[-1] if toks else None
    if prev is not None and prev[2].lower() in _PRONOUN_CONTRACTIONS:
        end = prev[0] + len(prev[2].replace("’", "'").split("'", 1)[0])
        return replace(fr, sp_start=prev[0], sp_end=end)  # "He’s claiming that …"
    if prev is not None and prev[2].lower() in _PARTICIPLE_PREPS and len(toks) > 1:
        return _participle_subject(doc, u, fr, lo, earlier)  # "… responded by saying …"
    i = len(toks) - 1
    while i > 0 and (toks[i][2] in _TIME_WORDS or toks[i][2].lower() in _PARTICIPLE_TIME):
        i -= 1  # "a series of tweets early Friday saying …"
    span = np_back(doc, toks, i)
    if span is None:
        return None
    last = toks[span[1]]
    if _bare(last[2]).lower() in _MESSAGE_NOUNS:
        return _participle_subject(doc, u, fr, lo, earlier)  # "X issued a statement saying"
    if not (_is_name_token(last, doc.lex) or last[2].lower() in _SUBJECT_PRONOUNS):
        return None
    return replace(fr, sp_start=toks[span[0]][0], sp_end=toks[span[1]][1])


def _participle_subject(
    doc: Doc, u: _Unit, fr: _Frame, lo: int, earlier: Sequence[_Frame]
) -> _Frame | None:
    """The subject of the main clause: an earlier frame's speaker, or the clause's first
    noun phrase (a borrowed speaker: the frame does not reach it)."""
    text = doc.text
    j = fr.cue_start
    clause = [m.end() for m in _CLAUSE_START.finditer(text, lo, j)]
    if clause:
        lo = clause[-1]  # "…, while Foreign Minister Khar telephoned … and told": her clause
    for prev in earlier[-3:]:
        if prev.sp_start is not None and prev.cue_start >= lo and not prev.passive:
            return replace(fr, sp_start=prev.sp_start, sp_end=prev.sp_end, borrowed=True)
    toks = _tokens(text, lo, min(j, lo + SPEAKER_WINDOW))
    span = _clause_subject(doc, toks)
    if span is None or not _can_speak(doc, toks[span[1]]):
        return None
    return replace(fr, sp_start=toks[span[0]][0], sp_end=toks[span[1]][1], borrowed=True)


def _can_speak(doc: Doc, head: _Tok) -> bool:
    """A subject that can speak: a name, a pronoun, a role or a group ("The move, suggesting a
    desire for calm, …" cannot)."""
    word = _bare(head[2]).lower()
    return (
        _is_name_token(head, doc.lex)
        or word in _SUBJECT_PRONOUNS
        or word in doc.lex.role_nouns
        or word in doc.lex.group_nouns
        or word.endswith("s")
    )


def _clause_subject(doc: Doc, toks: Sequence[_Tok]) -> tuple[int, int] | None:
    """The subject at the start of a clause, after an introductory phrase ("During …,")."""
    idx = 0
    while idx < len(toks) and not _is_word(toks[idx]):
        idx += 1
    if idx >= len(toks):
        return None
    lw = toks[idx][2].lower()
    if (
        lw in _LEADING_TRIM
        or lw in _NP_PREPS
        or lw in _INTRO_WORDS
        or (lw.endswith(("ing", "ly")) and toks[idx][2][0].isupper())
    ):
        while idx < len(toks) and toks[idx][2] != ",":
            idx += 1
        idx += 1
        if idx >= len(toks) or idx > MAX_DESCRIPTION_WORDS + 2:
            return None
        lw = toks[idx][2].lower()
    t = toks[idx]
    if lw in _SUBJECT_PRONOUNS or (lw in doc.lex.group_nouns and lw not in _DETERMINERS):
        return (idx, idx)  # "he", or a bare plural group ("In Karachi, protesters burned …")
    k = idx
    if _is_name_token(t, doc.lex):
        while k + 1 < len(toks) and (
            _is_name_token(toks[k + 1], doc.lex) or toks[k + 1][2].lower() in _NAME_PARTICLES
        ):
            k += 1
        return (idx, k)
    if lw in _DETERMINERS or lw in _POSSESSIVES:
        while k + 1 < len(toks) and k - idx < 3 and _is_word(toks[k + 1]):
            w = toks[k + 1][2].lower()
            if w in _NP_STOP or w in _ADVERBS or w in _AUX or w in _BE or w in _NP_PREPS:
                break
            k += 1
            if w.endswith("ed") or w in doc.lex.cues:
                k -= 1
                break
        return (idx, k) if k > idx else None
    return None


def _passive_frame(doc: Doc, fr: _Frame, u: _Unit) -> _Frame | None:
    """ "It is said that …", "X was quoted by Y": kept when a clause or an agent follows."""
    text = doc.text
    m = _BY_AGENT.match(text, fr.cue_end, u.end)
    if m is not None:
        cls = CueClass(fr.cls.name, fr.cls.direct, fr.cls.bare_clause, False, False, False)
        phrase = speaker_after(doc, m.end(), u.end)
        return _after(replace(fr, cls=cls), phrase) if phrase is not None else None
    return fr if text.startswith(" that", fr.cue_end) else None


def _inversion_ok(doc: Doc, u: _Unit, cs: int, lo: int) -> bool:
    """ "“…,” said X", ", said X,", or "Said X: “…”" at the start of a sentence."""
    text = doc.text
    j = cs - 1
    while j >= u.start and text[j] in " \t\n":
        j -= 1
    return j < u.start or text[j] in ",—–" + _CLOSE_MARKS + "\"'"


def _quoted_as(doc: Doc, fr: _Frame, lo: int) -> _Frame | None:
    """ "CNN quoted a spokesperson as saying", "X was quoted as telling": the speaker is the one
    quoted, not the outlet; the frame reaches back to the outlet."""
    m = _QUOTED_AS.search(doc.text, max(lo, fr.cue_start - QUOTED_AS_WINDOW), fr.cue_start)
    if m is None:
        return None
    toks = _tokens(doc.text, max(lo, m.start() - SPEAKER_WINDOW), m.start())
    span = np_back(doc, toks, len(toks) - 1)
    if m.group("object") is not None:
        sp_start, sp_end = m.span("object")
        start = toks[span[0]][0] if span is not None else m.start()
        return replace(fr, sp_start=sp_start, sp_end=sp_end, start=start)
    if span is None:
        return None
    sp_start, sp_end = toks[span[0]][0], toks[span[1]][1]
    return replace(fr, sp_start=sp_start, sp_end=sp_end, start=sp_start)
