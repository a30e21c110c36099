"""What the stages share about one text: the text, the lexicon, paragraphs and the name index."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from analysis.quotes.names import NameIndex
from analysis.quotes.records import SpeechVerbs


@dataclass(slots=True)
class Doc:
    """One text being attributed."""

    text: str
    lex: SpeechVerbs
    names: NameIndex
    paras: list[tuple[int, int]] = field(default_factory=list)
    para_starts: list[int] = field(default_factory=list)


def para_end(doc: Doc, pos: int) -> int:
    """End of the paragraph that contains ``pos``."""
    i = bisect.bisect_right(doc.para_starts, pos) - 1
    return doc.paras[i][1] if i >= 0 else len(doc.text)
