"""Stage 1: quote marks found, classified as opening or closing, and paired into quotations."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.actors import char_offsets
from analysis.quotes.grammar import (
    _CLOSE_CONTEXT,
    _CLOSE_MARKS,
    _DOUBLE,
    _MARK_CHARS,
    _OPEN_CONTEXT,
    _OPEN_MARKS,
)
from analysis.quotes.limits import MAX_NESTING
from analysis.quotes.records import _QSpan
from analysis.quotes.tokens import _Sentences, _strip


@dataclass(slots=True)
class _Mark:
    start: int
    end: int
    mark: str
    family: str  # "c" curly double, "t" straight double (" '' ``), "s" single
    can_open: bool
    can_close: bool


def _find_marks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, mark) of the quote marks in ``text``: ``_MARK.finditer(text)``.

    The mark characters are found by :func:`analysis.actors.char_offsets`, then read in text
    order as the pattern reads them: '' and `` are one mark, a lone ` is none.
    """
    found = char_offsets(text, _MARK_CHARS)
    out: list[tuple[int, int, str]] = []
    free = 0  # where the next mark may start (after the last one)
    for i in found:
        if i < free:
            continue
        ch = text[i]
        if ch == "'" or ch == "`":
            if text.startswith(ch, i + 1):
                out.append((i, i + 2, ch + ch))
                free = i + 2
            elif ch == "'":
                out.append((i, i + 1, ch))
                free = i + 1
        else:
            out.append((i, i + 1, ch))
            free = i + 1
    return out


def _classify(text: str, start: int, end: int, mark: str) -> _Mark | None:
    """Classify one quote-mark occurrence; None for apostrophes."""
    prev = text[start - 1] if start > 0 else "\n"
    nxt = text[end] if end < len(text) else "\n"
    double = mark in _DOUBLE
    if not double:
        if prev.isalnum() and nxt.isalnum():
            return None  # it’s, Russia’s, John’s, let’s, don't
        if mark in "’'" and prev.isspace() and nxt.isdigit():
            return None  # ’90s
        if mark in "’'" and prev in "sSzZ":
            j = end
            while j < len(text) and text[j] in " \t":
                j += 1
            if j < len(text) and j > end and text[j].islower():
                return None  # officers’ training: a plural possessive
    before_ok = prev.isspace() or prev in _OPEN_CONTEXT
    after_ok = nxt.isspace() or nxt in _CLOSE_CONTEXT
    left = not nxt.isspace() and before_ok
    right = not prev.isspace() and after_ok
    if mark in _OPEN_MARKS or mark == "``":
        can_open, can_close = (left or not right), (right and not left)
    elif mark in _CLOSE_MARKS:
        can_open, can_close = (left and not right), (right or not left)
    elif left == right:  # neutral mark, ambiguous position: decided by the state
        if not double:
            can_open, can_close = False, True
        else:
            can_open, can_close = True, True
    else:
        can_open, can_close = left, right
    family = ("t" if mark in ('"', "''", "``") else "c") if double else "s"
    return _Mark(start, end, mark, family, can_open, can_close)


def _compatible(a: str, b: str) -> bool:
    """Marks of these families may pair (sloppy texts close “ with ")."""
    return a == b or (a != "s" and b != "s")


def _recovery_end(text: str, opening: _Mark, sents: _Sentences, para_end: int) -> int:
    """Where an unclosed quotation ends: its sentence, or its paragraph if it opens one."""
    si = sents.index(opening.start)
    sent = sents.sents[si]
    before = text[sent.start : opening.start]
    if not before.strip(" \t\n—–-([") and opening.family != "s":
        return para_end
    return min(max(sent.end, opening.end), para_end)


def _pair_quotes(
    text: str, paras: Sequence[tuple[int, int]], sents: _Sentences, marks: Sequence[_Mark]
) -> list[_QSpan]:
    """Pair quote marks into outermost quotations (linear in the number of marks).

    Each paragraph is paired on its own (:func:`_pair_paragraph`); a quotation left open at
    the end of a paragraph is carried into the next when that one opens with a mark of the
    same family (a quotation over several paragraphs).
    """
    by_para: list[list[_Mark]] = [[] for _ in paras]
    starts = [p[0] for p in paras]
    for mk in marks:
        pi = bisect.bisect_right(starts, mk.start) - 1
        if 0 <= pi < len(paras) and mk.start < paras[pi][1]:
            by_para[pi].append(mk)
    out: list[_QSpan] = []
    carry: _Carry | None = None
    for pi, para in enumerate(paras):
        nxt = by_para[pi + 1] if pi + 1 < len(paras) else []
        next_open = (
            nxt[0].family if nxt and nxt[0].start == paras[pi + 1][0] and nxt[0].can_open else ""
        )
        done, carry = _pair_paragraph(text, para, by_para[pi], carry, next_open, sents)
        out.extend(done)
    if carry is not None:
        out.extend(_finished(text, carry.quote, carry.start, carry.quote.close))
    out.sort(key=lambda q: q.open)
    # Guarantee disjoint quotations whatever the input.
    kept: list[_QSpan] = []
    for q in out:
        if kept and q.open < kept[-1].close:
            continue
        kept.append(q)
    return kept


@dataclass(frozen=True, slots=True)
class _Carry:
    """A quotation left open at the end of a paragraph, continued by the next paragraph."""

    quote: _QSpan
    family: str
    start: int  # where its content resumes when the next paragraph does not continue it


#: A stack entry: the opening mark, its quotation (None for a nested one), its content start.
_Open = tuple[_Mark, "_QSpan | None", int]


def _finished(text: str, q: _QSpan, content_start: int, content_end: int) -> list[_QSpan]:
    """The quotation with its last part added: [q], or [] when it has no content."""
    s, e = _strip(text, content_start, content_end)
    if s < e:
        q.parts.append((s, e))
    return [q] if q.parts else []


def _pair_paragraph(
    text: str,
    para: tuple[int, int],
    pm: Sequence[_Mark],
    carry: _Carry | None,
    next_open: str,
    sents: _Sentences,
) -> tuple[list[_QSpan], _Carry | None]:
    """The quotations a paragraph's marks ``pm`` close, and the one it leaves open."""
    ps, pe = para
    out: list[_QSpan] = []
    last_close = {"c": -1, "t": -1, "s": -1}
    for idx, mk in enumerate(pm):
        if mk.can_close:
            last_close[mk.family] = idx
    # closers_after[idx]: closing marks of the curly family after mark idx (for “a “b” c”)
    closers_after = [0] * (len(pm) + 1)
    for idx in range(len(pm) - 1, -1, -1):
        closers_after[idx] = closers_after[idx + 1] + (
            pm[idx].family == "c" and pm[idx].can_close and not pm[idx].can_open
        )
    stack: list[_Open] = []
    k = 0
    if carry is not None:
        if pm and pm[0].start == ps and pm[0].family == carry.family:
            stack.append((pm[0], carry.quote, pm[0].end))
            k = 1
        else:
            out += _finished(text, carry.quote, carry.start, carry.quote.close)
    skip_until = -1
    for idx in range(k, len(pm)):
        mk = pm[idx]
        if mk.start < skip_until:
            continue
        if stack:
            closed, handled = _on_stack(text, stack, mk, closers_after[idx + 1])
            out += closed
            if handled:
                continue
        if not mk.can_open:
            continue  # a stray closing mark
        q = _QSpan(mk.start, pe, [], mk.mark, False)
        closer_ahead = any(last_close[f] > idx for f in last_close if _compatible(f, mk.family))
        if closer_ahead or next_open == mk.family:
            stack.append((mk, q, mk.end))
            continue
        end = _recovery_end(text, mk, sents, pe)
        q.close = end
        out += _finished(text, q, mk.end, end)
        skip_until = end
    if not stack or stack[0][1] is None:
        return out, None
    opener, q0, cstart = stack[0]
    assert q0 is not None
    if next_open == opener.family:
        s, e = _strip(text, cstart, pe)
        if s < e:
            q0.parts.append((s, e))
        q0.close = pe
        return out, _Carry(q0, opener.family, pe)
    end = _recovery_end(text, opener, sents, pe)
    q0.close = end
    return out + _finished(text, q0, cstart, end), None


def _on_stack(
    text: str, stack: list[_Open], mk: _Mark, curly_closers_after: int
) -> tuple[list[_QSpan], bool]:
    """A mark met while quotations are open: it closes one (and those nested in it), opens a
    nested one, or closes the open one to open another. Returns the quotations it finishes and
    whether it was used (False: it may open a new quotation)."""
    target = _close_target(stack, mk)
    if target >= 0:
        del stack[target + 1 :]
        _opener, q, cstart = stack.pop()
        if not stack and q is not None:
            q.close = mk.end
            q.closed = True
            return _finished(text, q, cstart, mk.start), True
        return [], True
    top = stack[-1][0]
    if mk.can_open and mk.family != top.family and len(stack) < MAX_NESTING:
        stack.append((mk, None, mk.end))
        return [], True
    if (
        mk.can_open
        and mk.family == "c"
        and top.family == "c"
        and len(stack) < MAX_NESTING
        and curly_closers_after >= 2
    ):
        stack.append((mk, None, mk.end))  # “… what he calls “hell” …”
        return [], True
    if not (mk.can_open and len(stack) == 1 and mk.family == top.family):
        return [], True
    _opener, q, cstart = stack.pop()  # an opening mark of the same family: the last one ends
    if q is None:
        return [], False
    end = _strip(text, cstart, mk.start)[1]
    q.close = end
    return _finished(text, q, cstart, end), False


def _close_target(stack: Sequence[_Open], mk: _Mark) -> int:
    """The stack entry a closing mark closes: the innermost of its family, else (for a mark
    that cannot open) the innermost compatible one; -1 for none."""
    if not mk.can_close:
        return -1
    for d in range(len(stack) - 1, -1, -1):
        if stack[d][0].family == mk.family:
            return d
    if mk.can_open:
        return -1
    for d in range(len(stack) - 1, -1, -1):
        if _compatible(stack[d][0].family, mk.family):
            return d
    return -1
