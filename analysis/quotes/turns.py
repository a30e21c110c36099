"""Transcripts: a paragraph that opens with a speaker's label in capitals ("WALLACE: …",
"“PENCE: Well, look, …") is a turn, a direct quotation of the labelled speaker, whether or not
quote marks open it. A text is read as a transcript only where it has several turns and a
speaker takes the floor more than once (a digest of datelined items is none)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.quotes.grammar import _NON_SPEAKER_LABELS, _OPEN_MARKS
from analysis.quotes.limits import MIN_TURNS
from analysis.quotes.records import CueClass, _Frame, _Record
from analysis.quotes.tokens import _strip

#: A speaker's label at the start of a paragraph: one to four words in capitals ("WALLACE",
#: "SEN. WARREN", "MR. O’BRIEN") and a colon, after an optional opening quote mark.
_TURN = re.compile(
    rf"[ \t]*[{_OPEN_MARKS}\"']?[ \t]*"
    r"(?P<label>[A-Z][A-Z’'\-]+\.?(?:[ \t]+[A-Z][A-Z’'\-]*\.?){0,3})[ \t]*:[ \t]+(?=\S)"
)
#: A paragraph that goes on with the turn before it: it opens with a quote mark; a stage note
#: in parentheses ("(CROSSTALK.)") is nobody's words.
_CONTINUED = re.compile(rf"[ \t]*[{_OPEN_MARKS}\"'][ \t]*(?P<note>\()?")
#: The class of a turn's frame: the colon after the label is its cue.
_TURN_CLASS = CueClass("turn", True, False, False, False, False)


@dataclass(frozen=True, slots=True)
class Turns:
    """A transcript's turns: one direct record per speaker's turn, and the paragraphs they
    cover (a turn goes on in the paragraphs after its label that open with a quote mark)."""

    records: list[_Record]
    paras: list[tuple[int, int]]


def transcript_turns(text: str, paras: Sequence[tuple[int, int]]) -> Turns | None:
    """The turns of a transcript, or None when the text has fewer than ``MIN_TURNS`` labelled
    paragraphs (a lone "UPDATE:" or "WASHINGTON:" makes none). A paragraph in parentheses
    after its mark ("“(CROSSTALK.)") is a stage note: covered, but no one's words."""
    records: list[_Record] = []
    covered: list[tuple[int, int]] = []
    parts: list[tuple[int, int]] = []
    frame: _Frame | None = None
    turn_para = -1
    for pi, (ps, pe) in enumerate(paras):
        m = _TURN.match(text, ps, pe)
        if m is not None and m.group("label").rstrip(".") not in _NON_SPEAKER_LABELS:
            if frame is not None:
                records.append(_Record("direct", tuple(parts), frame, None, -1, turn_para))
            ls, le = m.span("label")
            colon = text.index(":", le)
            frame = _Frame(colon, colon + 1, _TURN_CLASS, ls, le, None, ls, colon + 1)
            parts, turn_para = [_strip(text, m.end(), pe)], pi
        elif frame is not None and (c := _CONTINUED.match(text, ps, pe)) is not None:
            if not c.group("note"):
                parts.append(_strip(text, c.end(), pe))
        else:
            if frame is not None:
                records.append(_Record("direct", tuple(parts), frame, None, -1, turn_para))
            frame = None
            continue
        covered.append((ps, pe))
    if frame is not None:
        records.append(_Record("direct", tuple(parts), frame, None, -1, turn_para))
    return Turns(records, covered) if _is_dialogue(text, records) else None


def _is_dialogue(text: str, records: Sequence[_Record]) -> bool:
    """Whether the labelled paragraphs are a transcript: at least ``MIN_TURNS`` turns, and some
    speaker takes the floor more than once. A digest of datelined items ("ISLAMABAD: …",
    "KARACHI: …", each place once) is no dialogue."""
    labels = [
        text[r.frame.sp_start : r.frame.sp_end].rstrip(".")
        for r in records
        if r.frame is not None and r.frame.sp_start is not None
    ]
    return len(records) >= MIN_TURNS and len(set(labels)) < len(labels)


def outside_turns(turns: Turns, offsets: Sequence[int]) -> list[bool]:
    """For each of the sorted ``offsets``: whether it lies outside every turn's paragraph."""
    spans = turns.paras
    starts = [s for s, _ in spans]
    out: list[bool] = []
    for pos in offsets:
        i = bisect.bisect_right(starts, pos) - 1
        out.append(i < 0 or pos >= spans[i][1])
    return out
