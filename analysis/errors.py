"""Errors raised for a user's mistakes: each carries the file (or item) and a one-line reason."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class for errors that a user can act on; ``str()`` is one line."""


class InputError(AnalysisError, ValueError):
    """An input file (or row) that cannot be read as an article.

    Args:
        source: The file path (or ``path:row``) that failed.
        reason: One line saying why.
    """

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class LexiconError(AnalysisError, ValueError):
    """A lexicon (YAML/TSV) that is malformed; names the file and, where known, the line."""

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
