"""TextBlob's English sentiment lexicon (Pattern) without importing NLTK, and its rules.

``import textblob`` runs the package's ``__init__``, which imports NLTK: about 100 MB of memory
and a second of start-up in every worker process, for code the analysis never calls. The
sentiment lexicon lives in ``textblob._text`` and ``textblob.en``, which need only the standard
library, so they are imported under a package object whose ``__init__`` runs only when
something else is asked of it (``from textblob import TextBlob`` in a user's notebook, say):
the whole package is then there as usual.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import sys
import threading
from dataclasses import dataclass
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


def textblob_text() -> ModuleType:
    """The ``textblob._text`` module (Pattern's ``Sentiment``, ``EMOTICONS``)."""
    textblob_en()
    return sys.modules["textblob._text"]


@dataclass(frozen=True, slots=True)
class PatternRules:
    """What Pattern's ``Sentiment.assessments`` reads, taken from one lexicon object.

    Attributes:
        lexicon: The lexicon (word -> part of speech -> [polarity, subjectivity, intensity]).
        known: Words that can change an assessment: the lexicon's, "!", "(!)", emoticons.
        negations: The lexicon's negations ("not", "never", ...).
        modifiers: Parts of speech that make a known word a modifier ("RB").
        is_modifier: Pattern's test for an unknown modifier (``w.endswith("ly")``).
        emoticons: Emoticon (lower case) -> polarity of the first mood listing it.
        punctuation: Pattern's punctuation characters (a string, as Pattern tests it).
    """

    lexicon: Any
    known: frozenset[str]
    negations: tuple[str, ...]
    modifiers: tuple[str, ...]
    is_modifier: Any
    emoticons: dict[str, float]
    punctuation: str


def pattern_rules(lexicon: Any) -> PatternRules:
    """The :class:`PatternRules` of a loaded Pattern ``Sentiment`` lexicon (a dict subclass)."""
    text = textblob_text()
    emoticons: dict[str, float] = {}
    for (_, polarity), faces in text.EMOTICONS.items():
        for face in faces:
            emoticons.setdefault(face.lower(), polarity)
    negations = tuple(lexicon.negations)
    known = frozenset(dict.keys(lexicon)) | frozenset(emoticons) | {"!", "(!)"}
    return PatternRules(
        lexicon=lexicon,
        known=known | frozenset(negations),
        negations=negations,
        modifiers=tuple(lexicon.modifiers),
        is_modifier=lexicon.modifier,
        emoticons=emoticons,
        punctuation=text.PUNCTUATION,
    )


def assessments(lower: list[str], rules: PatternRules) -> list[tuple[int, float, float]]:
    """Pattern's assessments of lower-cased words as ``(last word index, polarity,
    subjectivity)``.

    ``Sentiment.assessments`` over ``(word, None)`` pairs, rule for rule and with the same float
    operations, keeping each assessment's last word index instead of its words
    (tests/test_learned.py compares the two). Words that cannot change an assessment are
    skipped: lone punctuation other than "!", and unknown words after an unknown word longer
    than two characters (at which Pattern forgets any pending modifier and negation)."""
    known, negations, modifiers = rules.known, rules.negations, rules.modifiers
    lexicon, emoticons, punctuation = rules.lexicon, rules.emoticons, rules.punctuation
    entries = dict.get
    # [last word, polarity, subjectivity, intensity, negated (-1) or not (1)]
    a: list[list[Any]] = []
    m: str | None = None  # a preceding modifier ("very good") ...
    n: str | None = None  # ... or negation ("not good")
    n_at = 0  # the negation's index
    after_plain = False  # the last word passed on was unknown, alphabetic, longer than 2
    for i, w in enumerate(lower):
        if len(w) == 1 and not w.isalnum() and w != "!":
            continue
        if w not in known:
            if after_plain:
                continue
            after_plain = len(w) > 2 and len(w.strip("'")) > 1
        else:
            after_plain = False
        entry = entries(lexicon, w)
        if entry is not None and None in entry:
            p, s, intensity = entry[None]
            if m is None:
                a.append([i, p, s, intensity, 1])
            else:  # "really good": the modifier's intensity scales the word
                last = a[-1]
                last[0] = i
                last[1] = max(-1.0, min(p * last[3], +1.0))
                last[2] = max(-1.0, min(s * last[3], +1.0))
                last[3] = intensity
            if n is not None:  # "not (really) good"
                last = a[-1]
                last[0] = max(last[0], n_at)
                last[3] = 1.0 / last[3]
                last[4] = -1
            m = n = None
            if any(map(entry.__contains__, modifiers)):
                m = w
            if w in negations:
                n, n_at = w, i
        else:
            if w in negations:
                n, n_at = w, i
            elif n and len(w.strip("'")) > 1:
                n = None
            if n is not None and m is not None and (None in modifiers or rules.is_modifier(m)):
                last = a[-1]  # "really not good": the negation joins the modifier
                last[0] = max(last[0], n_at)
                last[4] = -1
                n = None
            elif m and len(w) > 2:
                m = None
            if w == "!" and a:
                a[-1][1] = max(-1.0, min(a[-1][1] * 1.25, +1.0))
            if w == "(!)":
                a.append([i, 0.0, 1.0, 1.0, 1])
            if w.isalpha() is False and len(w) <= 5 and w not in punctuation and w in emoticons:
                a.append([i, emoticons[w], 1.0, 1.0, 1])
    return [(head, float(p * -0.5 if neg < 0 else p), float(s)) for head, p, s, _, neg in a]


@dataclass(frozen=True, slots=True)
class _TokenizerRules:
    replacements: tuple[tuple[str, str], ...]
    replaced: dict[str, str]
    punctuation: tuple[str, ...]
    trailing: tuple[str, ...]
    abbreviations: frozenset[str]
    abbreviation_patterns: tuple[re.Pattern[str], ...]
    sarcasm: re.Pattern[str]
    emoticons: re.Pattern[str]
    token: re.Pattern[str]


#: Sentence ends and the marks that may follow one, as Pattern's tokenizer reads them.
_EOS = "END-OF-SENTENCE"
_ENDS = ("...", ".", "!", "?", _EOS)
_TRAILERS = ("'", '"', "”", "’", "...", ".", "!", "?", ")", _EOS)
_LINEBREAKS = re.compile(r"\n{2,}")
_WHITESPACE = re.compile(r"\s+")


@functools.cache
def _rules() -> _TokenizerRules:
    text = textblob_text()
    punctuation = tuple(text.PUNCTUATION.replace(".", ""))
    return _TokenizerRules(
        # Pattern applies these with re.sub; they are literal strings (no pattern syntax, no
        # escapes: tests/test_sentiment.py checks), so str.replace does the same
        replacements=tuple(text.replacements.items()),
        replaced=dict(text.replacements),
        punctuation=punctuation,
        trailing=(*punctuation, "."),
        abbreviations=frozenset(text.ABBREVIATIONS),
        abbreviation_patterns=(text.RE_ABBR1, text.RE_ABBR2, text.RE_ABBR3),
        sarcasm=text.RE_SARCASM,
        emoticons=text.RE_EMOTICONS,
        token=text.TOKEN,
    )


def _join_emoticon(m: re.Match[str]) -> str:
    return m.group(1).replace(" ", "") + m.group(2)


def find_tokens(string: str) -> list[str]:
    """Pattern's ``find_tokens`` with its default settings (the tokenizer of TextBlob's
    sentiment analyser): the same sentences of space-separated tokens, with the literal
    replacements done by ``str.replace`` and the rules read once (tests/test_sentiment.py
    compares the two on arbitrary text)."""
    r = _rules()
    for a, b in r.replacements:
        string = string.replace(a, b)
    string = (
        string.replace("“", " “ ")
        .replace("”", " ” ")
        .replace("‘", " ‘ ")
        .replace("’", " ’ ")
        .replace("'", " ' ")
        .replace('"', ' " ')
    )
    string = string.replace("\r\n", "\n")
    string = _LINEBREAKS.sub(f" {_EOS} ", string)
    string = _WHITESPACE.sub(" ", string)
    punctuation, trailing, replaced = r.punctuation, r.trailing, r.replaced
    tokens: list[str] = []
    for t in r.token.findall(string + " "):
        tail = []
        while t.startswith(punctuation) and t not in replaced:
            tokens.append(t[0])  # leading punctuation
            t = t[1:]
        while t.endswith(trailing) and t not in replaced:
            if t.endswith(punctuation):  # trailing punctuation
                tail.append(t[-1])
                t = t[:-1]
            if t.endswith("..."):  # an ellipsis before a full stop
                tail.append("...")
                t = t[:-3].rstrip(".")
            if t.endswith("."):  # a full stop, unless it ends an abbreviation
                if t in r.abbreviations or any(p.match(t) for p in r.abbreviation_patterns):
                    break
                tail.append(t[-1])
                t = t[:-1]
        if t != "":
            tokens.append(t)
        tokens.extend(reversed(tail))
    sentences: list[list[str]] = [[]]
    i = j = 0
    while j < len(tokens):
        if tokens[j] in _ENDS:
            # citations, closing parentheses and repeated punctuation stay with the sentence
            while j < len(tokens) and tokens[j] in _TRAILERS:
                if tokens[j] in ("'", '"') and sentences[-1].count(tokens[j]) % 2 == 0:
                    break  # balanced quotes
                j += 1
            sentences[-1].extend(t for t in tokens[i:j] if t != _EOS)
            sentences.append([])
            i = j
        j += 1
    sentences[-1].extend(tokens[i:j])
    return [
        r.emoticons.sub(_join_emoticon, r.sarcasm.sub("(!)", " ".join(s)))
        for s in sentences
        if len(s) > 0
    ]
