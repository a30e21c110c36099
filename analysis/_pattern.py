"""TextBlob's English sentiment lexicon (Pattern) without importing NLTK.

``import textblob`` runs the package's ``__init__``, which imports NLTK: about 100 MB of memory
and a second of start-up in every worker process, for code the analysis never calls. The
sentiment lexicon lives in ``textblob._text`` and ``textblob.en``, which need only the standard
library, so they are imported under a package object whose ``__init__`` runs only when
something else is asked of it (``from textblob import TextBlob`` in a user's notebook, say):
the whole package is then there as usual.

This module copies none of TextBlob's code: the analysers call Pattern's own ``Sentiment``
(ports of its tokenizer and assessments were removed in issue 17: they made a whole
``make bench`` run faster by less than the 20% that would pay for keeping copies in step).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

_LOCK = threading.RLock()


class _DeferredPackage(ModuleType):
    """The ``textblob`` package, its ``__init__`` run on first use of anything it defines."""

    def __getattr__(self, name: str) -> Any:
        with _LOCK:
            spec = self.__dict__.get("__spec__")
            if spec is not None and not self.__dict__.get("_analysis_ran"):
                self.__dict__["_analysis_ran"] = True
                spec.loader.exec_module(self)
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module 'textblob' has no attribute {name!r}") from None


def textblob_en() -> ModuleType:
    """The ``textblob.en`` module (its ``sentiment`` lexicon and ``Sentiment`` class)."""
    loaded = sys.modules.get("textblob.en")
    if loaded is not None:
        return loaded
    with _LOCK:
        if "textblob" not in sys.modules:
            spec = importlib.util.find_spec("textblob")
            if spec is None or spec.loader is None:
                raise ImportError("textblob is not installed")
            package = importlib.util.module_from_spec(spec)  # not executed yet
            package.__class__ = _DeferredPackage
            sys.modules["textblob"] = package
        return importlib.import_module("textblob.en")
