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
from dataclasses import dataclass, field
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
    #: A character every replacement's key contains ("" when they share none): a text without
    #: it needs no replacement.
    replacement_mark: str
    #: Leading punctuation (Pattern's, without "."): one character each, so a set.
    leading: frozenset[str]
    #: Trailing punctuation (the leading one and ".").
    trailing: frozenset[str]
    abbreviations: frozenset[str]
    abbreviation_patterns: tuple[re.Pattern[str], ...]
    sarcasm: re.Pattern[str]
    emoticons: re.Pattern[str]
    #: Punctuation that ends a word, or begins one (after a space), in a text whose words are
    #: separated by one space.
    edges: re.Pattern[str]
    #: Matches somewhere exactly where ``emoticons`` does, as a trie (one branch per character
    #: instead of one per emoticon): the cheap test of whether ``emoticons`` can change a text.
    any_emoticon: re.Pattern[str]
    #: The same for a text of ASCII characters: the faces written in ASCII alone (a smaller set
    #: of first characters, tested faster).
    any_ascii_emoticon: re.Pattern[str]
    #: Word -> its pieces, remembered (at most :data:`SPLIT_CACHE` words): the same words with
    #: punctuation ("Pakistan,", "said.") recur across texts.
    pieces: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)


#: At most this many words with punctuation have their pieces remembered (bounded memory; a
#: corpus repeats far fewer distinct ones).
SPLIT_CACHE = 50_000
#: Sentence ends and the marks that may follow one, as Pattern's tokenizer reads them.
_EOS = "END-OF-SENTENCE"
_ENDS = frozenset(("...", ".", "!", "?", _EOS))
#: Marks that stay with the sentence they follow. Pattern also lists the quotes ' and ", but
#: stops at one whenever the quotes of the sentence being closed are balanced, which they always
#: are when it counts them (the sentence's tokens are added after the count), so a quote always
#: stops the run.
_RUN_ON = frozenset(("”", "’", "...", ".", "!", "?", ")", _EOS))
_LINEBREAKS = re.compile(r"\n{2,}")
#: Pattern's token expression: a run of non-space characters before a space, i.e. what
#: ``str.split()`` gives (both use Unicode's white space) once the text ends with a space.
_PATTERN_TOKEN = r"(\S+)\s"


def _emoticon_trie(emoticons: Any, *, ascii_only: bool = False) -> re.Pattern[str]:
    """Pattern's emoticon expression (each face, " ?" between its characters, then an end or a
    white-space character) with the faces (those written in ASCII, if ``ascii_only``) in a
    character trie."""
    trie: dict[str, Any] = {}
    for faces in emoticons.values():
        for face in faces:
            if ascii_only and not face.isascii():
                continue
            node = trie
            for ch in face:
                node = node.setdefault(ch, {})
            node[""] = {}

    def build(node: dict[str, Any], first: bool) -> str:
        branches = [
            ("" if first else " ?") + re.escape(ch) + build(node[ch], False)
            for ch in sorted(k for k in node if k)
        ]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")"
        return f"{body}?" if "" in node else body

    return re.compile(build(trie, True) + r"(?:$|\s)")


@functools.cache
def _rules() -> _TokenizerRules:
    text = textblob_text()
    punctuation = text.PUNCTUATION.replace(".", "")
    if text.TOKEN.pattern != _PATTERN_TOKEN or text.TOKEN.flags != re.UNICODE:
        raise ImportError(f"Pattern's token expression changed: {text.TOKEN.pattern!r}")
    keys = [set(a) for a in text.replacements]
    common = sorted(set.intersection(*keys)) if keys else []
    return _TokenizerRules(
        # Pattern applies these with re.sub; they are literal strings (no pattern syntax, no
        # escapes: tests/test_sentiment.py checks), so str.replace does the same
        replacements=tuple(text.replacements.items()),
        replaced=dict(text.replacements),
        replacement_mark=common[0] if common else "",
        leading=frozenset(punctuation),
        trailing=frozenset(punctuation + "."),
        abbreviations=frozenset(text.ABBREVIATIONS),
        abbreviation_patterns=(text.RE_ABBR1, text.RE_ABBR2, text.RE_ABBR3),
        sarcasm=text.RE_SARCASM,
        emoticons=text.RE_EMOTICONS,
        any_emoticon=_emoticon_trie(text.EMOTICONS),
        any_ascii_emoticon=_emoticon_trie(text.EMOTICONS, ascii_only=True),
        edges=re.compile(
            f"[{re.escape(punctuation)}.](?:(?![^ ])|(?<= [{re.escape(punctuation)}]))"
        ),
    )


def _join_emoticon(m: re.Match[str]) -> str:
    return m.group(1).replace(" ", "") + m.group(2)


def _split_token(t: str, r: _TokenizerRules, tokens: list[str]) -> None:
    """Pattern's splitting of one white-space token into leading punctuation, the word and
    trailing punctuation (ellipses and full stops not ending an abbreviation), appended to
    ``tokens``."""
    leading, trailing, replaced = r.leading, r.trailing, r.replaced
    while t[:1] in leading and t not in replaced:
        tokens.append(t[0])  # leading punctuation
        t = t[1:]
    tail = []
    while t[-1:] in trailing and t not in replaced:
        if t[-1] in leading:  # trailing punctuation
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


def _prepared(string: str) -> tuple[str, list[tuple[int, int, tuple[str, ...]]], bool]:
    """Pattern's tokens of ``string`` before they are grouped in sentences, as the text of its
    tokens (one space between them, a space before the first) and the tokens that split into
    several, each as (start, end, its pieces); and whether ``END-OF-SENTENCE`` marks are among
    them. Pattern collapses white space, then takes each run of non-space characters before a
    space; the words of the text are those runs."""
    r = _rules()
    if not r.replacement_mark or r.replacement_mark in string:
        for a, b in r.replacements:
            string = string.replace(a, b)
    if not string.isascii():
        string = string.replace("“", " “ ").replace("”", " ” ").replace("‘", " ‘ ")
        string = string.replace("’", " ’ ")
    if "'" in string:
        string = string.replace("'", " ' ")
    if '"' in string:
        string = string.replace('"', ' " ')
    if "\r" in string:
        string = string.replace("\r\n", "\n")
    if "\n\n" in string:
        string = _LINEBREAKS.sub(f" {_EOS} ", string)
    text = " " + " ".join(string.split())
    split: list[tuple[int, int, tuple[str, ...]]] = []
    at = 1  # where the next word starts
    for m in r.edges.finditer(text):  # punctuation that begins or ends a word
        p = m.start()
        if p < at:  # the end of a word split at its start
            continue
        if text[p - 1] == " ":  # leading punctuation: the word runs to the next space
            start = p
            end = text.find(" ", p)
            if end < 0:
                end = len(text)
        else:  # trailing punctuation: the word starts after the last space
            start = text.rfind(" ", 0, p) + 1
            end = p + 1
        word = text[start:end]
        pieces = r.pieces.get(word)
        if pieces is None:
            found: list[str] = []
            _split_token(word, r, found)
            pieces = tuple(found)
            if len(r.pieces) < SPLIT_CACHE:
                r.pieces[word] = pieces
        split.append((start, end, pieces))
        at = end + 1
    return text, split, _EOS in text


def _tokens(string: str) -> tuple[list[str], list[int], bool]:
    """Pattern's tokens of ``string`` before they are grouped in sentences: the tokens, the
    indices of those that end a sentence, and whether ``END-OF-SENTENCE`` marks are among them.
    """
    text, split, eos = _prepared(string)
    tokens: list[str] = []
    ends: list[int] = []
    at = 1  # where the next word starts
    for start, end, pieces in split:
        if start > at:
            tokens += text[at : start - 1].split(" ")
        for piece in pieces:
            if piece in _ENDS:
                ends.append(len(tokens))
            tokens.append(piece)
        at = end + 1
    if at < len(text):
        tokens += text[at:].split(" ")
    if eos:  # a plain word can be the mark: look at every token
        ends = [k for k, t in enumerate(tokens) if t in _ENDS]
    return tokens, ends, eos


def _sentences(tokens: list[str], ends: list[int], eos: bool) -> list[list[str]]:
    """Pattern's sentences: each sentence end with the marks that follow it (closing quotes
    and parentheses, repeated punctuation) closes one; no empty sentence, no
    ``END-OF-SENTENCE``."""
    sentences: list[list[str]] = []
    i = 0
    n = len(tokens)
    for e in ends:
        if e < i:  # in the run of marks after the previous end
            continue
        j = e + 1
        while j < n and tokens[j] in _RUN_ON:
            j += 1
        s = tokens[i:j]
        if eos:
            s = [t for t in s if t != _EOS]
        if s:
            sentences.append(s)
        i = j
    if i < n:
        sentences.append(tokens[i:])
    return sentences


def find_tokens(string: str) -> list[str]:
    """Pattern's ``find_tokens`` with its default settings (the tokenizer of TextBlob's
    sentiment analyser): the same sentences of space-separated tokens, with the literal
    replacements done by ``str.replace``, only the steps that can change the text, and the rules
    read once (tests/test_sentiment.py compares the two on arbitrary text)."""
    r = _rules()
    joined = [" ".join(s) for s in _sentences(*_tokens(string))]
    if not any("(" in s for s in joined) and not any(
        (r.any_ascii_emoticon if s.isascii() else r.any_emoticon).search(s) for s in joined
    ):
        return joined
    return [r.emoticons.sub(_join_emoticon, r.sarcasm.sub("(!)", s)) for s in joined]


def sentiment_words(string: str) -> list[str]:
    """The lower-case words of Pattern's sentences: ``[w.lower() for w in " ".join(
    find_tokens(string)).split()]``, what Pattern's ``Sentiment`` assesses, without forming the
    sentences where they cannot matter (tests/test_sentiment.py compares the two)."""
    r = _rules()
    text, split, eos = _prepared(string)
    if eos:  # every mark is dropped, with the sentence it closes
        return " ".join(find_tokens(string)).lower().split()
    if split:
        parts: list[str] = []
        at = 1  # where the next word starts
        for start, end, pieces in split:
            if start > at:
                parts.append(text[at : start - 1])
            parts += pieces
            at = end + 1
        if at < len(text):
            parts.append(text[at:])
        text = " ".join(parts)
    # Sentences matter only where the sarcasm or emoticon expression rewrites one; a text in
    # which neither matches has no sentence in which one does (a sentence's end is a space or
    # the end of the text).
    emoticon = r.any_ascii_emoticon if text.isascii() else r.any_emoticon
    if ("(" in text and r.sarcasm.search(text)) or emoticon.search(text):
        text = " ".join(find_tokens(string))
    return text.lower().split()
