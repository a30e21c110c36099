"""Speaker noun phrases around a cue: before it ("X, a <role>, said"), after it ("said X",
"according to X"), with appositions and asides."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.quotes.context import Doc
from analysis.quotes.grammar import (
    _ADVERBS,
    _AUX,
    _BE,
    _DETERMINERS,
    _FUNCTION_CAPS,
    _LEADING_TRIM,
    _NP_BRIDGE_PHRASES,
    _NP_PREPS,
    _NP_STOP,
    _OBJECT_PREPS,
    _OBJECT_PRONOUNS,
    _POSSESSIVES,
    _SUBJECT_ENDS,
    _SUBJECT_PRONOUNS,
    _SUBJECT_STARTS,
    _TIME_LEAD,
    _TIME_WORDS,
    _TITLE_BRIDGE_PHRASES,
)
from analysis.quotes.limits import (
    MAX_DESCRIPTION_WORDS,
    MAX_SPEAKER_WORDS,
    SHORT_SPEAKER_WINDOW,
    SPEAKER_WINDOW,
)
from analysis.quotes.records import CueClass, SpeakerPhrase
from analysis.quotes.tokens import (
    _bare,
    _is_cap,
    _is_name_token,
    _is_word,
    _strip_trailing_dot,
    _Tok,
    _tokens,
    _TokenStream,
)

_ARTICLES = frozenset(["the", "a", "an"])
#: Prepositions whose object is not the speaker ("on the eve of the exercise").
_GOVERNING_PREPS = _NP_PREPS | _OBJECT_PREPS


def _bridges(phrases: frozenset[str]) -> dict[str, frozenset[str]]:
    """A preposition → the words before it that it completes ("familiar with": with →
    {familiar})."""
    out: dict[str, frozenset[str]] = {}
    for phrase in phrases:
        word, _, prep = phrase.partition(" ")
        out[prep] = out.get(prep, frozenset()) | {word}
    return out


#: A preposition → the adjectives it completes inside a speaker phrase ("familiar with").
_NP_BRIDGES = _bridges(_NP_BRIDGE_PHRASES)
#: A preposition → the titles it completes inside a speaker phrase ("adviser to").
_TITLE_BRIDGES = _bridges(_TITLE_BRIDGE_PHRASES)
#: Words of place after a group that speaks ("officials here say").
_LOCATIVES = frozenset(["here", "there"])
#: Tokens that end an apposition after a speaker ("said X, a <role>, …").
_APPOSITION_ENDS = frozenset([",", ".", ";", ":", "“", '"', "—"])


def _before_suffix(doc: Doc, toks: Sequence[_Tok], i: int) -> int | None:
    """Where the noun phrase before a suffix at token ``i`` ends: before a parenthetical after
    a name ("Rep. Gwen Moore (D-Wis.)") or a word of place after a group ("diplomats here");
    -1 when the suffix is not closed, None when token ``i`` is no suffix."""
    if toks[i][2] == ")":
        k = i - 1
        while k >= 0 and k > i - 10 and toks[k][2] != "(":
            k -= 1
        return k - 1 if k > 0 and toks[k][2] == "(" else -1
    if toks[i][2].lower() in _LOCATIVES and i >= 1:
        return i - 1 if toks[i - 1][2].lower() in doc.lex.group_nouns else None
    return None


def np_back(doc: Doc, toks: Sequence[_Tok], i: int) -> tuple[int, int] | None:
    """The noun phrase ending at token ``i`` as token indices (inclusive), or None."""
    suffixed = _before_suffix(doc, toks, i) if i >= 0 else None
    if suffixed is not None:
        inner = np_back(doc, toks, suffixed) if suffixed >= 0 else None
        return None if inner is None else (inner[0], i)
    if i < 0 or not _is_word(toks[i]):
        return None
    lw = toks[i][2].lower()
    if lw in _SUBJECT_PRONOUNS:
        return (i, i)
    if (
        lw in _NP_STOP
        or lw in _DETERMINERS
        or lw in _POSSESSIVES
        or (toks[i][2] in _OBJECT_PRONOUNS)
    ):
        return None
    j = i
    head = i
    while j >= 0:
        t = toks[j]
        word = t[2]
        lw = word.lower()
        if word == ")":
            k = j - 1
            while k >= 0 and k > j - 10 and toks[k][2] != "(":
                k -= 1
            if k < 0 or toks[k][2] != "(" or k == j - 1:
                break
            j = k - 1
            continue
        if not word[0].isalnum():  # _is_word(t), inline: the innermost loop
            break
        if lw in _NP_STOP or (j != i and lw in _SUBJECT_PRONOUNS):
            step = _bridge(toks, j, lw)
            if not step:
                break
            head = j - 2 if step == 2 else head  # "officials familiar with": "officials"
            j -= step
            continue
        if lw in ("and", "&"):
            if j - 1 >= 0 and _is_word(toks[j - 1]) and _is_cap(toks[j - 1]) and j != i:
                j -= 1
                continue
            break
        if lw == "even" and j - 1 >= 0 and toks[j - 1][2].lower() == "and":
            j -= 1
            continue
        if lw in _LEADING_TRIM and lw not in _NP_PREPS:
            break
        if j != i and _verb_before(toks, j):
            # "appeared at a Senate hearing": the verb ends the phrase; "rejected a media
            # request": the phrase starts at the article
            j -= lw in _ARTICLES
            break
        j -= 1
    lo = j + 1
    while lo <= i and (toks[lo][2].lower() in _LEADING_TRIM or not _is_word(toks[lo])):
        lo += 1
    if lo > i:
        return None
    if i - lo + 1 > MAX_SPEAKER_WORDS:
        subject = _subject_fallback(doc, toks, i)
        if subject is not None:  # "X at a news briefing in Washington announced"
            return subject
        trimmed = _trim_long_phrase(doc, toks, lo, i)
        if trimmed is None:
            return None
        lo = trimmed
    if head < lo or not _np_ok(doc, toks[lo : head + 1]):
        return None
    return (lo, i)


def _bridge(toks: Sequence[_Tok], j: int, word: str) -> int:
    """How far a speaker phrase reads back over the stop word ``word`` at ``j``: 2 over an
    adjective it completes ("officials familiar with the matter": the head becomes
    "officials"), 1 over a title ("Adviser to the Prime Minister Sartaj Aziz": the head stays
    the name), 0 where it ends the phrase."""
    before = toks[j - 1][2].lower() if j >= 1 else ""
    if before in _NP_BRIDGES.get(word, ()):
        return 2
    return 1 if before in _TITLE_BRIDGES.get(word, ()) else 0


def _verb_before(toks: Sequence[_Tok], j: int) -> bool:
    """Whether a verb in -ed comes right before the article or preposition at ``j``
    ("rejected a request", "appeared at a hearing"): the noun phrase cannot reach over it."""
    if j < 1 or (toks[j][2].lower() not in _NP_PREPS and toks[j][2].lower() not in _ARTICLES):
        return False
    w = toks[j - 1][2]
    return w.endswith("ed") and w.islower() and w not in _NP_STOP


def _trim_long_phrase(doc: Doc, toks: Sequence[_Tok], lo: int, i: int) -> int | None:
    """Where a phrase too long for a speaker starts its speaker: at its last article that no
    preposition governs ("On the eve of the exercise the Russian embassy in New Delhi" → "the
    Russian embassy in New Delhi"), else at its trailing capitalised name; None without
    either."""
    for d in range(i - 1, i - MAX_SPEAKER_WORDS, -1):
        before = toks[d - 1][2].lower()
        if (
            toks[d][2].lower() in _ARTICLES
            and before not in _GOVERNING_PREPS
            and not before.endswith(("ing", "ed"))  # "seeking an extension": an object
            and any(_is_cap(t) for t in toks[d + 1 : i + 1])  # a named body, not a clause
        ):
            return d
    k = i
    while k >= lo and _is_name_token(toks[k], doc.lex):
        k -= 1
    return None if k == i else k + 1


def _np_ok(doc: Doc, toks: Sequence[_Tok]) -> bool:
    """A plausible speaker: a name, a pronoun, or a phrase with a determiner or a noun."""
    for t in toks:
        w = t[2]
        if w[0].isupper() and _bare(w) not in _FUNCTION_CAPS:  # _is_name_token, inline
            return True
    words = [t[2].lower() for t in toks if t[2][0].isalnum()]
    if not words:
        return False
    head = _bare(words[-1])
    if head in doc.lex.group_nouns or head in doc.lex.role_nouns:
        return True
    if words[0] in _DETERMINERS or words[0] in _POSSESSIVES or words[0].endswith(("’s", "'s")):
        return True
    return len(words) >= 2 and head.endswith("s")


def is_role_segment(doc: Doc, toks: Sequence[_Tok]) -> bool:
    """An apposition that describes a person ("a senior analyst at SIPRI")."""
    if not toks or len(toks) > MAX_DESCRIPTION_WORDS:
        return False
    first = toks[0][2]
    lw = first.lower()
    if lw in ("a", "an", "the", "another", "one", "former", "who", "whose"):
        return True
    if first[0].islower() and not lw.endswith("ing") and lw not in _NP_PREPS:
        return True
    if _is_cap(toks[0]):
        # "Former US special envoy on AfPak", "Democratic Senator", "President of …"
        lows = [t for t in toks if _is_word(t) and t[2][0].islower()]
        has_role = any(_bare(t[2]).lower() in doc.lex.role_nouns for t in toks) or any(
            _bare(t[2]) in doc.lex.titles for t in toks
        )
        return has_role or bool(lows and lows[0][2].lower() in _NP_PREPS)
    return False


def is_transparent_segment(doc: Doc, toks: Sequence[_Tok]) -> bool:
    """A comma-delimited aside that is not the speaker ("however", "speaking at a rally")."""
    if not toks:
        return True
    lw = toks[0][2].lower()
    if all(t[2].lower() in _ADVERBS or t[2] in _TIME_WORDS or t[2].isdigit() for t in toks):
        return True  # "however", "Tuesday", an age ("Quina Jones, 25, said")
    if lw.endswith("ly") and len(toks) <= 2:
        return True
    if lw in (
        "however",
        "meanwhile",
        "though",
        "too",
        "in",
        "on",
        "at",
        "during",
        "after",
        "speaking",
        "writing",
        "testifying",
        "appearing",
        "meanwhile",
        "for",
        "like",
        "asked",
    ):
        return True
    return toks[0][2][0].islower() and lw.endswith("ing") and len(toks) <= 10


def speaker_before(
    doc: Doc, lo: int, cue_start: int, cue_end: int, cls: CueClass
) -> tuple[SpeakerPhrase | None, bool]:
    """The speaker before the cue text[cue_start:cue_end], read in text[lo:cue_start], and
    whether the cue is passive ("is said").

    A short window is tried first; the full one only when the answer may depend on text
    beyond it (a long apposition), which keeps the cost per cue small.
    """
    text = doc.text
    cut = text.find(" ", cue_start - SHORT_SPEAKER_WINDOW, cue_start)
    if cue_start - SHORT_SPEAKER_WINDOW <= lo or cut < 0:
        toks = _tokens(text, max(lo, cue_start - SPEAKER_WINDOW), cue_start)
        return _speaker_before(doc, toks, cue_start, cue_end, cls)
    toks = _tokens(text, cut, cue_start)
    if len(toks) > 4:
        found, passive = _speaker_before(doc, toks, cue_start, cue_end, cls)
        if found is not None and found.edge >= toks[3][0]:
            return found, passive
    head = _tokens(text, max(lo, cue_start - SPEAKER_WINDOW), cut)
    return _speaker_before(doc, head + toks, cue_start, cue_end, cls)


def _speaker_before(
    doc: Doc, toks: Sequence[_Tok], cue_start: int, cue_end: int, cls: CueClass
) -> tuple[SpeakerPhrase | None, bool]:
    i = len(toks) - 1
    be = False
    while i >= 0:
        t = toks[i]
        lw = t[2].lower()
        if lw in ("not", "never") or lw.endswith(("n't", "n’t")):
            return None, False  # "did not say", "hasn't commented": no attribution
        if lw in _BE:
            be = True
        elif (
            lw in _AUX
            or lw in _ADVERBS
            or t[2] in _TIME_WORDS
            or (lw.endswith("ly") and t[2].islower() and len(lw) > 4)
            or (lw in _TIME_LEAD and i + 1 < len(toks) and toks[i + 1][2] in _TIME_WORDS)
        ):
            pass
        else:
            break
        i -= 1
    # "is stressing" is progressive, "is said" passive
    progressive = doc.text[cue_start:cue_end].split()[0].lower().endswith("ing")
    passive = be and not cls.adjective and not progressive
    if (cls.adjective and not be) or passive or i < 0:
        return None, passive
    if toks[i][2] in (",", "—", "–"):
        return _apposition_before(doc, toks, i), passive
    span = np_back(doc, toks, i)
    if span is not None and span[0] > 0 and toks[span[0] - 1][2].lower() in _OBJECT_PREPS:
        return None, passive  # "… of Republican claims": the cue word is a noun here
    if span is None:
        span = _subject_fallback(doc, toks, i)
    if span is None or _object_relative(doc, toks, span):
        return None, passive
    a, b = span
    return SpeakerPhrase(toks[a][0], toks[b][1], None, toks[a][0]), passive


def _object_relative(doc: Doc, toks: Sequence[_Tok], span: tuple[int, int]) -> bool:
    """ "…, a claim New Delhi denied", "…, an account Pakistan's military rejects": an article
    and a noun that is no role, then a name: the cue is in a relative clause about the noun,
    which is its object, not its speaker."""
    a, b = span
    if b - a < 2 or toks[a][2].lower() not in _ARTICLES:
        return False
    noun = toks[a + 1][2]
    if not noun.islower() or noun in doc.lex.role_nouns or noun in doc.lex.group_nouns:
        return False
    k = a + 2
    while k <= b and _is_name_token(toks[k], doc.lex):
        k += 1  # the clause's subject: a name ("New Delhi") ...
    possessive = k > a + 2 and toks[k - 1][2].endswith(("’s", "'s"))
    return k > a + 2 and (k > b or possessive)  # ... or a possessed noun ("Pakistan's military")


def _subject_fallback(doc: Doc, toks: Sequence[_Tok], i: int) -> tuple[int, int] | None:
    """ "The Times in its August 10 edition disclosed": a subject, then a modifier phrase."""
    lo = i
    while lo > 0 and toks[lo - 1][2] not in (".", ";", ":", "!", "?", "”", "“", '"'):
        lo -= 1
    if i - lo + 1 > 2 * MAX_SPEAKER_WORDS or lo > i:
        return None
    first = toks[lo][2]
    if not (
        _is_word(toks[lo])
        and (_is_name_token(toks[lo], doc.lex) or first.lower() in _SUBJECT_STARTS)
    ):
        return None
    j = lo
    while j + 1 <= i and _is_word(toks[j + 1]) and toks[j + 1][2].lower() not in _SUBJECT_ENDS:
        j += 1
    if j >= i or toks[j + 1][2].lower() not in (
        "in",
        "on",
        "at",
        "during",
        "after",
        "before",
        "over",
        "speaking",
        "last",
    ):
        return None
    if any(t[2].lower() in _NP_STOP for t in toks[j + 1 : i + 1]):
        return None
    if not _np_ok(doc, toks[lo : j + 1]):
        return None
    return (lo, j)


def _segment_back(doc: Doc, toks: Sequence[_Tok], comma: int) -> int:
    """Index of the first token of the comma-delimited segment ending before ``comma``."""
    j = comma - 1
    depth = 0
    while j >= 0:
        t = toks[j][2]
        if t == ")":
            depth += 1
        elif t == "(":
            depth -= 1
        elif depth <= 0 and (
            t in (",", ";", ":", "—", "–") or not (_is_word(toks[j]) or t in "().’'-&")
        ):
            break
        j -= 1
    return j + 1


def _apposition_before(doc: Doc, toks: Sequence[_Tok], comma: int) -> SpeakerPhrase | None:
    """The speaker of "X, a <role>, said", "<role>, X, said" or "X, however, said" (the
    comma before the cue at ``comma``)."""
    for _ in range(3):  # skip up to three asides ("Clinton, however, said")
        seg_lo = _segment_back(doc, toks, comma)
        seg = toks[seg_lo:comma]
        if not seg:
            return None
        before = seg_lo - 1
        if is_transparent_segment(doc, seg) and before >= 0 and toks[before][2] == ",":
            comma = before
            continue
        if is_role_segment(doc, seg) and before >= 0 and toks[before][2] == ",":
            span = np_back(doc, toks, before - 1)
            if span is None:
                return None
            a, b = span
            return SpeakerPhrase(toks[a][0], toks[b][1], (seg[0][0], seg[-1][1]), toks[a][0])
        span = np_back(doc, toks, comma - 1)
        if span is None or span[0] != seg_lo:
            return None
        a, b = span
        if before >= 0 and toks[before][2] == ",":
            d_lo = _segment_back(doc, toks, before)
            dseg = toks[d_lo:before]
            opens = d_lo == 0 or toks[d_lo - 1][2] in (".", ":", ";")
            after_quote = toks[d_lo - 1][2] == "," and dseg and dseg[0][2].lower() == "the"
            if (opens or after_quote) and is_role_segment(doc, dseg):
                desc = (dseg[0][0], dseg[-1][1])
                return SpeakerPhrase(toks[a][0], toks[b][1], desc, dseg[0][0])
        return SpeakerPhrase(toks[a][0], toks[b][1], None, toks[a][0])
    return None


def np_forward(doc: Doc, stream: _TokenStream, i: int) -> tuple[int, int] | None:
    """The noun phrase starting at token ``i`` (indices inclusive), or None."""
    toks = stream.toks
    has = stream.has
    if not has(i) or not _is_word(toks[i]):
        return None
    lw = toks[i][2].lower()
    if lw in _SUBJECT_PRONOUNS and lw not in ("it", "you"):
        return (i, i)
    if (
        lw in _NP_STOP
        or lw in _NP_PREPS
        or lw in _LEADING_TRIM
        or (toks[i][2] in _OBJECT_PRONOUNS)
        or _bare(toks[i][2]) in _TIME_WORDS
    ):
        return None
    j = i
    while j + 1 < len(toks) or has(j + 1):  # has(), inline when the token is cut
        t = toks[j + 1]
        w = t[2]
        wl = w.lower()
        if w == "(":
            k = j + 2
            while k < j + 12 and has(k) and toks[k][2] != ")":
                k += 1
            if has(k) and toks[k][2] == ")":
                j = k
                continue
            break
        if not _is_word(t) or wl in _NP_STOP or (wl in _NP_PREPS and wl != "of"):
            break
        if wl.endswith(("n't", "n’t")):
            break  # "… statement didn't clarify": a verb ends the phrase
        if wl in _ADVERBS or wl in _TIME_WORDS or w in _TIME_WORDS:
            break
        j += 1
        if j - i + 1 >= MAX_SPEAKER_WORDS:
            break
    if not _np_ok(doc, toks[i : j + 1]):
        return None
    return (i, j)


def speaker_after(doc: Doc, start: int, limit: int) -> SpeakerPhrase | None:
    """The speaker after a cue ("said X", "according to X, a <role>,") in text[start:limit]."""
    stream = _TokenStream(doc.text, start, min(limit, start + SPEAKER_WINDOW))
    toks = stream.toks
    has = stream.has
    i = 0
    while has(i) and toks[i][2].lower() in _ADVERBS:
        i += 1
    span = np_forward(doc, stream, i)
    if span is None and has(i) and toks[i][2][0].isdigit():
        # "said 9/11 widow Terry Strada": a name a few tokens on
        k = i + 1
        while k < i + 5 and has(k):
            if not (_is_word(toks[k]) or toks[k][2] in ("/", "-")):
                break
            if _is_name_token(toks[k], doc.lex):
                span = np_forward(doc, stream, k)
                if span is not None:
                    span = (i, span[1])
                break
            k += 1
    if span is None:
        return None
    a, b = span
    sp_end = _strip_trailing_dot(doc.text, toks[a][0], toks[b][1])
    edge = toks[b][1]
    desc = None
    k = b + 1
    if has(k) and toks[k][2] == ",":
        e = k + 1
        while (e < len(toks) or has(e)) and toks[e][2] not in _APPOSITION_ENDS:
            e += 1
        seg = toks[k + 1 : e]
        if seg and is_role_segment(doc, seg) and not seg[0][2].lower().endswith("ing"):
            desc = (seg[0][0], _strip_trailing_dot(doc.text, seg[0][0], seg[-1][1]))
            edge = max(edge, seg[-1][1])
    return SpeakerPhrase(toks[a][0], sp_end, desc, edge)
