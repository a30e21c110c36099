"""Stage 4: speaker resolution. Pronouns to the nearest compatible person, short names to
full ones, descriptions kept; records become :class:`Quote`."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.quotes.context import Doc
from analysis.quotes.grammar import _DETERMINERS, _FUNCTION_CAPS, _NAME_PARTICLES, _NP_PREPS
from analysis.quotes.limits import MAX_SPEAKER_WORDS
from analysis.quotes.records import Quote, _Frame, _Record
from analysis.quotes.tokens import _bare, _is_name_token, _is_word, _tokens

#: What a person's own office or document says is the person's ("his office", "her statement").
_OWN_OFFICES = frozenset(["office", "statement", "spokesman", "spokesperson", "aides", "camp"])


def _finish(doc: Doc, records: Sequence[_Record]) -> list[Quote]:
    text = doc.text
    ctx = doc.names
    out_quoted: list[Quote] = []
    out_indirect: list[Quote] = []
    descriptions: dict[str, str] = {}
    resolved: dict[tuple[int, int], tuple[str | None, str | None, str | None]] = {}

    def resolve(fr: _Frame) -> tuple[str | None, str | None, str | None]:
        assert fr.sp_start is not None and fr.sp_end is not None
        key = (fr.sp_start, fr.sp_end)
        if key in resolved:
            return resolved[key]
        res = _resolve(doc, fr)
        resolved[key] = res
        return res

    flat: list[_Record] = []
    for rec in records:
        flat.append(rec)
        flat.extend(rec.children)
    for rec in flat:
        fr = rec.frame
        speaker = description = speaker_kind = None
        sp_start = sp_end = None
        cue = cue_start = cue_end = None
        if fr is not None and fr.cue_start < fr.cue_end:
            cue, cue_start, cue_end = text[fr.cue_start : fr.cue_end], fr.cue_start, fr.cue_end
        if fr is not None and fr.sp_start is not None and fr.sp_end is not None:
            sp_start, sp_end = fr.sp_start, fr.sp_end
            speaker, description, speaker_kind = resolve(fr)
            if fr.desc is not None:
                description = " ".join(text[fr.desc[0] : fr.desc[1]].split())
            if speaker is not None and speaker_kind == "person":
                if not ctx.speakers or ctx.speakers[-1][1] != speaker:
                    ctx.speakers.append((sp_start, speaker))
                if description:
                    descriptions[speaker] = description
                else:
                    description = descriptions.get(speaker)
        parts = tuple([p for p in rec.parts if p[0] < p[1]])
        if not parts:
            continue
        q = Quote(
            kind=rec.kind,
            start=parts[0][0],
            end=parts[-1][1],
            speaker=speaker,
            speaker_start=sp_start,
            speaker_end=sp_end,
            cue=" ".join(cue.split()) if cue is not None else None,
            cue_start=cue_start,
            cue_end=cue_end,
            description=description,
            parts=parts,
            speaker_kind=speaker_kind,
            mark=rec.mark,
            inherited=rec.inherited_from is not None,
        )
        (out_indirect if rec.kind == "indirect" else out_quoted).append(q)
    result = _disjoint(out_quoted) + _disjoint(out_indirect)
    result.sort(key=lambda q: (q.start, q.kind != "indirect", q.end))
    return result


def _pronoun(doc: Doc, pos: int, low: str) -> tuple[str | None, str | None, str | None] | None:
    """The resolution of a pronoun speaker at ``pos`` (``low``: the mention in lower case),
    or None when the mention is no pronoun. "he"/"she" (and "his office") resolve to a
    person; "it"/"they" are left to the speaker chain."""
    lex = doc.lex
    first, _, rest = low.partition(" ")
    if rest in _OWN_OFFICES and lex.pronouns.get(first, {}).get("possessive"):
        low = first  # "according to his office": the words of the person "his" refers to
    if low not in lex.pronouns:
        return None
    feats = lex.pronouns[low]
    number = feats.get("number")
    gender = feats.get("gender")
    if number == "plural" or gender == "neuter":
        return None, None, "pronoun"
    name = doc.names.antecedent(pos, gender if isinstance(gender, str) else None)
    if name is None and low in ("he", "she"):
        name = _described_antecedent(doc, pos)
    return (name, None, "person") if name else (None, None, "pronoun")


def _described_antecedent(doc: Doc, pos: int) -> str | None:
    """The described person a pronoun refers to where no person is named: the subject of the
    sentence before when it opens with "The" and its head is a role ("The Commander of the
    Russian contingent thanked the hosts. He said …" → "Commander of the Russian contingent")."""
    start, end = doc.names.sentence_before(pos)
    toks = [t for t in _tokens(doc.text, start, end) if _is_word(t)][: MAX_SPEAKER_WORDS + 1]
    if len(toks) < 3 or toks[0][2] != "The":
        return None
    verb = next((i for i, t in enumerate(toks) if t[2].islower() and _finite_verb(doc, t[2])), None)
    if verb is None or verb < 2:
        return None
    phrase = toks[1:verb]
    prep = next((i for i, t in enumerate(phrase) if t[2] in _NP_PREPS), len(phrase))
    if prep == 0 or _bare(phrase[prep - 1][2]).lower() not in doc.lex.role_nouns:
        return None
    return " ".join(doc.text[phrase[0][0] : phrase[-1][1]].split())


def _finite_verb(doc: Doc, word: str) -> bool:
    """A past-tense verb or a speech cue: where a subject ends ("… contingent thanked")."""
    return word in doc.lex.cues or word.endswith("ed")


def _resolve(doc: Doc, fr: _Frame) -> tuple[str | None, str | None, str | None]:
    """(speaker name, description inside the mention, speaker kind) for a frame."""
    text = doc.text
    lex = doc.lex
    ctx = doc.names
    assert fr.sp_start is not None and fr.sp_end is not None
    mention = text[fr.sp_start : fr.sp_end]
    low = mention.lower()
    pronoun = _pronoun(doc, fr.sp_start, low)
    if pronoun is not None:
        return pronoun
    toks = [t for t in _tokens(text, fr.sp_start, fr.sp_end)]
    words = [t for t in toks if _is_word(t)]
    if not words:
        return " ".join(mention.split()), None, None
    if len(words) == 1 and low in lex.group_nouns:
        return " ".join(mention.split()), None, "group"  # "Officials said"
    if len(words) == 1 and low in lex.role_nouns:
        return " ".join(mention.split()), None, "person"
    # a trailing capitalised run is a name ("White House press secretary Josh Earnest",
    # "Russian Deputy Defense Minister Col. Gen. Alexander Fomin")
    k = len(words)
    while k > 0 and (
        _is_name_token(words[k - 1], lex)
        or (words[k - 1][2].lower() in _NAME_PARTICLES and k < len(words))
    ):
        k -= 1
    run = words[k:]
    lowers = [t for t in words if t[2][0].islower()]
    head = _bare(words[-1][2]).lower()
    modifier = k > 0 and words[k - 1][2].lower() in _NP_PREPS  # "sources in US"
    if run and not modifier:
        t = len(run) - 1
        while t >= 0 and _bare(run[t][2]) not in lex.titles:
            t -= 1
        name_part = run[t + 1 :]
        titled = t >= 0
        res = None
        if name_part:
            res = ctx.person_name(name_part[0][0], name_part[-1][1], {})
        single = (
            len(name_part) == 1
            and not (name_part[0][2].isupper() and len(name_part[0][2]) > 1)
            and _bare(name_part[0][2]) not in lex.organisation_words
            and not ctx.overlaps_actor(name_part[0][0], name_part[0][1])
            and (
                titled
                or k > 0
                or ctx.full_name(fr.sp_start, _bare(name_part[0][2])) != _bare(name_part[0][2])
                or len(run) == 1
            )
        )
        if res is not None or single:
            name = res[2] if res is not None else _bare(name_part[0][2])
            name = ctx.full_name(fr.sp_start, name)
            name_start = res[0] if res is not None else name_part[0][0]
            desc_toks = [t for t in words if t[1] <= name_start]
            desc = None
            if desc_toks and not all(
                t[2].lower() in _DETERMINERS or _bare(t[2]) in _FUNCTION_CAPS for t in desc_toks
            ):
                desc = " ".join(text[desc_toks[0][0] : desc_toks[-1][1]].split())
            return name, desc, "person"
    has_org = any(_bare(t[2]) in lex.organisation_words for t in words) or bool(
        run and ctx.overlaps_actor(run[0][0], run[-1][1])
    )
    name = " ".join(mention.split())
    if has_org or (run and not lowers):
        return name, None, "organisation"
    if head in lex.group_nouns or (head.endswith("s") and head not in lex.role_nouns):
        return name, None, "group"
    if head in lex.role_nouns:
        return name, None, "person"
    return name, None, "organisation"


def _disjoint(quotes: list[Quote]) -> list[Quote]:
    """Keep quotations whose spans do not overlap (first wins), in text order."""
    quotes.sort(key=lambda q: (q.start, q.end))
    out: list[Quote] = []
    for q in quotes:
        if out and q.start < out[-1].end:
            continue
        out.append(q)
    return out
