"""Discourse analysis of Pakistan–Russia–US relations: actors, sentiment, quotations, themes.

Public entry points: :func:`load_corpus`, :func:`analyze`, :func:`annotate` (the article as
analysed) and the capability modules
``segment``, ``actors``, ``sentiment``, ``quotes`` and ``themes``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from analysis import actors, corpus, segment
from analysis.annotate import annotate
from analysis.corpus import Document, load_corpus
from analysis.explore import explore
from analysis.pipeline import Analysis, Settings, analyze

__all__ = [
    "Analysis",
    "Document",
    "Settings",
    "__version__",
    "actors",
    "analyze",
    "annotate",
    "corpus",
    "explore",
    "load_corpus",
    "segment",
]
