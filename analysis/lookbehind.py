"""Regex searches that skip in C to where a pattern opening with a lookbehind can match.

``re`` finds where a pattern can start by a fast scan for its first literal or character set,
but a pattern that opens with a lookbehind (``(?<![\\w.])Congress``) has no such start: the
whole pattern is tried at every position of the text, some fifteen times slower over an article
than a scan for "Congress" (issue 17). A lookbehind only narrows where a match may start, so
the pattern without it (its *rest*) matches wherever the whole one does: :func:`finditer`
scans for the rest and tries the whole pattern only where the rest matches, which finds the
same matches as the pattern's own ``finditer`` (tests/test_lookbehind.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: A lookbehind at the start of a pattern, holding no group: ``(?<!`` or ``(?<=``, then escaped
#: characters, character sets or any character but a parenthesis, up to its ``)``.
_LEADING_LOOKBEHIND = re.compile(r"\(\?<[!=](?:\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|[^()\\\[])*\)")


@dataclass(frozen=True)
class Searched:
    """A compiled pattern and, when it opens with a lookbehind, the rest of it compiled.

    Attributes:
        pattern: The whole pattern.
        rest: The pattern after its leading lookbehind (None when it has none).
    """

    pattern: re.Pattern[str]
    rest: re.Pattern[str] | None


def searched(pattern: re.Pattern[str]) -> Searched:
    """``pattern`` with the rest after its leading lookbehind, when it has one.

    Args:
        pattern: Any compiled pattern.

    Returns:
        The pair for :func:`finditer`; ``rest`` is None where the lookbehind cannot be told
        apart safely (it holds a group, or the pattern does not split into two valid ones).
    """
    head = _LEADING_LOOKBEHIND.match(pattern.pattern)
    if head is None:
        return Searched(pattern, None)
    try:
        alone = re.compile(head.group(), pattern.flags)
        rest = re.compile(pattern.pattern[head.end() :], pattern.flags)
    except re.error:
        return Searched(pattern, None)
    if alone.groups or rest.groups != pattern.groups or not rest.pattern:
        return Searched(pattern, None)
    return Searched(pattern, rest)


def finditer(search: Searched, text: str, start: int = 0) -> Iterator[re.Match[str]]:
    """The matches of ``search.pattern`` in ``text`` from ``start``, those of its own
    ``finditer(text, start)``.

    Where the pattern has a rest, the whole pattern is tried only where the rest matches; an
    empty match hands over to the pattern's ``finditer`` from there (its rules for what may
    follow an empty match are its own).

    Args:
        search: From :func:`searched`.
        text: Any text.
        start: Where the search starts (a lookbehind still reads the text before it).

    Yields:
        Match objects of the whole pattern, in order.
    """
    pattern, rest = search.pattern, search.rest
    if rest is None:
        yield from pattern.finditer(text, start)
        return
    position = max(0, min(start, len(text)))  # as re clamps it
    while position <= len(text):
        candidate = rest.search(text, position)
        if candidate is None:
            return
        at = candidate.start()
        found = pattern.match(text, at)
        if found is None:
            position = at + 1
        elif found.end() == at:
            yield from pattern.finditer(text, at)
            return
        else:
            yield found
            position = found.end()
