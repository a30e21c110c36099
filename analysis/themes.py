"""Theme hits: what the discourse is about, auditable down to each hit.

A dictionary method (in the tradition of the General Inquirer and LIWC: Stone et al. 1966;
Pennebaker et al. 2015; on validating dictionaries for political text see Grimmer & Stewart
2013): a versioned theme lexicon (``analysis/data/themes.yaml``) lists, for each theme, words and
phrases with their regular inflections, plus exclusions for ambiguous terms. Every hit is a
:class:`ThemeHit` with character offsets, so each count can be read back in context with
:func:`kwic`.

Matching costs one pass over the text whatever the lexicon's size: one regular expression (a
prefix trie of every word a term can start with) finds the candidate words, and only there is
each theme's own prefix-trie expression tried. Themes are independent dictionaries: within a
theme the longest term wins and hits never overlap; across themes one phrase may count for
several.

The table helpers (:func:`hits_frame`, :func:`theme_rates`, :func:`actor_theme`, :func:`kwic`)
work on the pipeline's pandas tables (documented in ``analysis.pipeline``).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis.actors import _lower
from analysis.errors import LexiconError
from analysis.resources import load_yaml

__all__ = [
    "DEFAULT_FILE",
    "HITS_COLUMNS",
    "KWIC_COLUMNS",
    "Theme",
    "ThemeHit",
    "ThemeLexicon",
    "ThemeLexiconWarning",
    "actor_theme",
    "default_lexicon",
    "find_themes",
    "hits_frame",
    "kwic",
    "load_theme_lexicon",
    "theme_rates",
]

DEFAULT_FILE = "themes.yaml"

#: Lower-case words shorter than this are not inflected: two-letter words have no regular
#: inflections worth matching ("al" in "al-Qaeda").
MIN_INFLECT_LEN = 3
#: Function words never inflect (a phrase ending in one must not match "ofs", "ands").
FUNCTION_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "over",
        "than",
        "the",
        "to",
        "under",
        "via",
        "with",
        "without",
    }
)
#: Characters a space or hyphen in an exclusion phrase is assumed to span at most, when looking
#: back from a hit for an exclusion that covers it (ordinary text has one or two; a longer run of
#: blanks inside an exclusion phrase is not recognised).
SEPARATOR_REACH = 8
#: Characters a wildcard (``word*``) in an exclusion phrase is assumed to span at most, for the
#: same look-back (longer than almost every English word).
WILDCARD_REACH = 30
#: Rate unit: hits per this many words, the usual unit of dictionary studies.
RATE_PER_WORDS = 1000
#: Default characters of context on each side of a keyword in :func:`kwic`.
KWIC_WIDTH = 60
#: At most this many surfaces per theme have their term remembered (bounded memory; a corpus
#: repeats far fewer distinct surfaces than that).
RESOLVED_CACHE = 20_000
#: At most this many candidate words have their theme entries remembered (bounded memory; the
#: first words of the terms and the words the prefixes begin in a corpus are far fewer).
WORD_CACHE = 20_000

#: Columns of :func:`hits_frame` (and of the pipeline's themes table).
HITS_COLUMNS: tuple[str, ...] = ("doc_id", "theme", "term", "surface", "start", "end", "sentence")
#: Columns of :func:`kwic`.
KWIC_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "sentence",
    "left",
    "match",
    "right",
    "start",
    "end",
    "term",
)

_THEME_KEYS = frozenset({"name", "description", "terms", "exclude"})
_TERM_KEYS = frozenset({"term", "inflect"})
_VOWELS = "aeiou"
_HYPHENS = "\\-\u2010\u2011\u2012\u2013"
#: Characters that the matcher sees as a plain space, hyphen or apostrophe: the text is
#: normalised once (same length), so that the patterns need only those three literals.
_AS_SPACE = (
    "\t\v\f\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)  # every character for which str.isspace() is true, except " " and "\n"
_AS_HYPHEN = "\u2010\u2011\u2012\u2013"
_AS_APOSTROPHE = "\u2019"
_NORMAL = {
    **dict.fromkeys(_AS_SPACE, " "),
    **dict.fromkeys(_AS_HYPHEN, "-"),
    **dict.fromkeys(_AS_APOSTROPHE, "'"),
}
#: (character, replacement) pairs of :data:`_NORMAL` for the ASCII characters alone: an ASCII
#: text cannot hold the others.
_NORMAL_ASCII = tuple((ch, rep) for ch, rep in _NORMAL.items() if ch.isascii())
_NORMAL_ALL = tuple(_NORMAL.items())
#: A space in a term: a run of spaces, or one line break or hyphen (with spaces around it).
#: Atomic, so a long run of blanks cannot make the engine backtrack.
_SPACE_RE = r"(?> ++[\n\-]?+ *+|[\n\-] *+)"
#: A hyphen in a term: a hyphen, a space or nothing ("counter-terrorism" = "counterterrorism").
_HYPHEN_RE = r"(?>-| ++)?"
_APOSTROPHE_RE = "'"
# Token markers in term spellings (not characters that can appear in a term: see _parse_term).
_SPACE = "\x00s"
_HYPHEN = "\x00h"
_WILD = "\x00w"
_APOS = "\x00a"
_TOKEN_RE = {
    _SPACE: _SPACE_RE,
    _HYPHEN: _HYPHEN_RE,
    _WILD: r"\w*+",
    _APOS: _APOSTROPHE_RE,
}
_NON_KEY = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w+")
_WORD_AT_START = re.compile(r"(?<!\w)\w+")
_WORD_SPLIT = re.compile(rf"(\s+|[{_HYPHENS}])")


def _normalised(text: str, non_ascii: Set[str] | None = None) -> str:
    """``text`` with the separators the patterns know as " ", "-" and "'" (same length).

    ``non_ascii``: the non-ASCII characters of ``text``, if known (see
    :func:`analysis.actors._lower`): only those of them that are separators are then replaced.
    """
    # One fast substring search per character is much cheaper than a regex scan calling back into
    # Python for every apostrophe; no replacement is itself replaced (" ", "-", "'" are kept).
    if non_ascii is None:
        pairs = _NORMAL_ASCII if text.isascii() else _NORMAL_ALL
    else:
        pairs = _NORMAL_ASCII + tuple((ch, _NORMAL[ch]) for ch in non_ascii & _NORMAL.keys())
    for ch, rep in pairs:
        if ch in text:
            text = text.replace(ch, rep)
    return text


class ThemeLexiconWarning(UserWarning):
    """A theme lexicon that loads but has a problem: an empty theme, a term that can never match,
    a term listed twice, or a term listed under two themes (it counts for both)."""


@dataclass(frozen=True, slots=True)
class ThemeHit:
    """One hit of a theme's term: ``text[start:end]`` is the surface as written.

    Attributes:
        theme: Theme name ("economy, trade and energy").
        term: The lexicon entry that matched ("pipeline" for "pipelines").
        start: Start offset in the text.
        end: End offset (exclusive).
    """

    theme: str
    term: str
    start: int
    end: int


#: ThemeHit's slot setters in field order: :func:`_make_hit` fills a new hit with them, which
#: costs a third of the frozen dataclass's ``__init__`` (``object.__setattr__`` per field).
_HIT_SETTERS: tuple[Any, ...] = tuple(
    getattr(ThemeHit, f.name).__set__ for f in dataclasses.fields(ThemeHit)
)


def _make_hit(theme: str, term: str, start: int, end: int) -> ThemeHit:
    """``ThemeHit(theme, term, start, end)``, made faster (tests/test_fast_paths.py compares)."""
    hit: ThemeHit = object.__new__(ThemeHit)
    set_theme, set_term, set_start, set_end = _HIT_SETTERS
    set_theme(hit, theme)
    set_term(hit, term)
    set_start(hit, start)
    set_end(hit, end)
    return hit


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme as defined in the lexicon file(s).

    Attributes:
        name: Theme name.
        description: What the theme covers (documentation).
        terms: Terms in lexicon order (those that cannot match are left out).
        exclude: Exclusion phrases.
    """

    name: str
    description: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    inflect: bool


@dataclass(frozen=True)
class _Matcher:
    """One theme compiled: anchored trie regexes for its terms and exclusions, form → term."""

    theme: str
    #: Terms and exclusions (regex sources, over lower-cased and normalised text), compiled; the
    #: any-case variants (for the rare text whose lower-case copy changes length, e.g. "İ") are
    #: compiled from the sources on first use.
    terms_source: str | None
    exclude_source: str | None
    terms_lower: re.Pattern[str] | None
    exclude_lower: re.Pattern[str] | None
    #: How far before a hit an exclusion phrase can start (characters).
    exclude_reach: int
    #: Lower-case words an exclusion can start at (None when an exclusion starts with a prefix).
    exclude_first_words: frozenset[str] | None
    #: Key of a spelling (lower case, letters and digits) → the terms it may come from, the
    #: term written that way first.
    terms_by_key: Mapping[str, tuple[str, ...]]
    #: Case-sensitive term → its spellings' keys as written (checked against the surface).
    case_forms: Mapping[str, frozenset[str]]
    #: Wildcard terms, resolved by matching the surface in full.
    wildcards: tuple[tuple[str, re.Pattern[str]], ...]
    #: Where the theme's terms can start: (lower-case first word, is a prefix, the word as
    #: written for a case-sensitive term or None).
    first_words: tuple[tuple[str, bool, str | None], ...]
    #: Surface → the term it resolves to (or None), remembered: the same surfaces recur across
    #: the documents of a corpus (at most :data:`RESOLVED_CACHE` of them).
    resolved: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class _Index:
    """Which themes can start at a word: by exact first word, and by prefix (``terror*``)
    grouped under their first ``prefix_len`` characters. Each entry is (matcher index, the word
    as written when every term of that theme starting there is case-sensitive, else None)."""

    exact: Mapping[str, tuple[tuple[int, str | None], ...]]
    prefixes: Mapping[str, tuple[tuple[str, int], ...]]
    prefix_len: int
    #: Finds the candidate words (any first word or prefix) in one pass, so that only they
    #: reach Python (source, and compiled for lower-cased text).
    scan_source: str | None
    scan_lower: re.Pattern[str] | None
    #: The same words after a non-word character, the word as group 1, for lower-cased text:
    #: a pattern that begins with a character set lets ``re`` skip in C to where a word can
    #: start instead of trying the whole trie at every position (``scan_lower`` finds a word at
    #: the very start of the text).
    scan_after: re.Pattern[str] | None
    #: Words an exclusion can start at (of the themes that list them all): the scans find
    #: them too, so that where they are is known when the hits are checked for exclusions.
    exclude_words: frozenset[str] = frozenset()
    #: Word → (whether it is in ``exclude_words``, the (matcher index, word as written) entries
    #: of :attr:`exact` and :attr:`prefixes` for it), remembered (at most :data:`WORD_CACHE`).
    words: dict[str, tuple[bool, tuple[tuple[int, str | None], ...]]] = field(
        default_factory=dict, repr=False, compare=False
    )


@dataclass(frozen=True)
class ThemeLexicon:
    """A compiled theme lexicon.

    Attributes:
        version: The lexicon's version string plus a digest of its file(s).
        sources: Files the lexicon was read from.
        definitions: Theme name → :class:`Theme`, in lexicon order.
        warnings: Problems found while loading (also emitted as :class:`ThemeLexiconWarning`).
    """

    version: str
    sources: tuple[str, ...]
    definitions: Mapping[str, Theme]
    warnings: tuple[str, ...] = ()
    _matchers: tuple[_Matcher, ...] = field(default=(), repr=False)
    _index: _Index = field(default=_Index({}, {}, 1, None, None, None), repr=False)

    @property
    def themes(self) -> tuple[str, ...]:
        """Theme names in lexicon order."""
        return tuple(self.definitions)

    def terms(self, theme: str) -> tuple[str, ...]:
        """The terms of ``theme`` in lexicon order."""
        return self.definitions[theme].terms


# --------------------------------------------------------------------------- term spellings


def _inflections(word: str) -> list[str]:
    """Regular English inflections of a lower-case word (plural/3rd person, past, -ing)."""
    forms = [word]
    if word.endswith("y") and word[-2] not in _VOWELS:
        forms += [word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    elif word.endswith(("s", "x", "z", "ch", "sh", "o")):
        forms += [word + "es", word + "ed", word + "ing"]
        if word.endswith("o"):
            forms.append(word + "s")
    elif word.endswith("e"):
        forms += [word + "s", word + "d"]
        forms.append(word + "ing" if word.endswith(("ee", "ye", "oe")) else word[:-1] + "ing")
    else:
        forms += [word + "s", word + "ed", word + "ing"]
        last, mid, first = word[-1], word[-2], word[-3]
        if last not in _VOWELS + "wxy" and mid in _VOWELS and first not in _VOWELS:
            # ship → shipped; a wrong doubling for unstressed endings (develop) never matches.
            forms += [word + last + "ed", word + last + "ing"]
    return forms


def _word_forms(word: str, inflect: bool) -> list[str]:
    if word.endswith("*") or not inflect or word.lower() in FUNCTION_WORDS:
        return [word]
    if word.isalpha() and word.islower():
        return _inflections(word) if len(word) >= MIN_INFLECT_LEN else [word]
    return [word, word + "s"]  # Afghan → Afghans, MoU → MoUs, F-16 → F-16s


def _tokens(spelling: Sequence[str]) -> list[str]:
    """Characters and markers of one spelling given as alternating words and separators."""
    out: list[str] = []
    for i, part in enumerate(spelling):
        if i % 2:
            out.append(_HYPHEN if part in "-\u2010\u2011\u2012\u2013" else _SPACE)
            continue
        for ch in part.rstrip("*"):
            out.append(_APOS if ch in "'\u2019" else ch)
        if part.endswith("*"):
            out.append(_WILD)
    return out


def _split_term(text: str) -> list[str]:
    """Words and separators alternating: "counter-terrorism" → [counter, -, terrorism]."""
    parts = [p for p in _WORD_SPLIT.split(text) if p]
    return [" " if p.isspace() else p for p in parts]


def _spellings(term: _Term) -> list[list[str]]:
    """Every spelling of a term as token lists (markers for separators and wildcards).

    Only the last word inflects: English noun phrases put their head last ("arms sales",
    "oil pipelines"); other forms are listed in the lexicon ("spheres of influence").
    """
    parts = _split_term(term.text)
    last = len(parts) - 1
    choices = [_word_forms(p, term.inflect) if i == last else [p] for i, p in enumerate(parts)]
    return [_tokens(combo) for combo in itertools.product(*choices)]


def _key(text: str) -> str:
    """Lookup key of a surface or spelling: lower case, letters and digits only."""
    return _NON_KEY.sub("", text.lower())


def _token_key(tokens: Sequence[str], *, lower: bool = True) -> str:
    text = "".join(t for t in tokens if len(t) == 1)
    return _key(text) if lower else _NON_KEY.sub("", text)


def _trie_regex(spellings: Iterable[Sequence[str]]) -> str:
    """A regex matching any spelling, longest first, as a prefix trie over tokens.

    The regex has no start-of-word check (it is matched at the start of a word) and ends with
    one.
    """
    trie: dict[str, Any] = {}
    for tokens in spellings:
        node = trie
        for tok in tokens:
            node = node.setdefault(tok, {})
        node[""] = {}

    def atom(tok: str) -> str:
        return _TOKEN_RE.get(tok) or re.escape(tok)

    def build(node: dict[str, Any]) -> str:
        branches = [atom(tok) + build(node[tok]) for tok in sorted(k for k in node if k)]
        if not branches:
            return ""
        if "" in node:  # optional: an empty last alternative, which ``re`` runs faster than "?"
            return "(?:" + "|".join(branches) + "|)"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return build(trie) + r"(?!\w)"


def _lowered(spellings: Iterable[Sequence[str]]) -> list[list[str]]:
    return [[t.lower() if len(t) == 1 else t for t in s] for s in spellings]


def _first_words(tokens: Sequence[str]) -> list[tuple[str, bool]]:
    """The words of text at which a spelling can start: ``(word as written, is_prefix)``.

    Text is scanned in maximal runs of word characters, so a spelling's first run of word
    characters must equal the text's word, except where an optional hyphen lets the next word
    join it ("counter-terrorism" can start at "counter" or at "counterterrorism") or a wildcard
    makes it a prefix.
    """
    out: list[tuple[str, bool]] = []
    run = ""
    for tok in tokens:
        if tok == _HYPHEN:
            out.append((run, False))
            continue
        if tok == _WILD:
            out.append((run, True))
            return out
        if len(tok) == 1 and _WORD.fullmatch(tok):
            run += tok
            continue
        break
    out.append((run, False))
    return out


def _build_index(matchers: Sequence[_Matcher]) -> _Index:
    exact: dict[str, dict[int, str | None]] = {}
    prefix_words: dict[str, list[int]] = {}
    for i, matcher in enumerate(matchers):
        for word, is_prefix, as_written in matcher.first_words:
            if not word:  # cannot happen for a term that begins with a letter or digit
                continue
            if is_prefix:
                if i not in prefix_words.setdefault(word, []):
                    prefix_words[word].append(i)
                continue
            entry = exact.setdefault(word, {})
            if i not in entry:
                entry[i] = as_written
            elif entry[i] != as_written:
                entry[i] = None  # terms of several cases start here: always try
    prefix_len = min((len(w) for w in prefix_words), default=1)
    prefixes: dict[str, list[tuple[str, int]]] = {}
    for word, ids in sorted(prefix_words.items()):
        for i in ids:
            prefixes.setdefault(word[:prefix_len], []).append((word, i))
    exclude_words = frozenset(
        w for m in matchers if m.exclude_lower is not None for w in m.exclude_first_words or ()
    )
    words = [list(w) for w in sorted(exact.keys() | exclude_words)]
    words += [[*w, _WILD] for w in prefix_words]
    trie = _trie_regex(words) if words else None
    return _Index(
        exact={k: tuple(v.items()) for k, v in exact.items()},
        prefixes={k: tuple(v) for k, v in prefixes.items()},
        prefix_len=prefix_len,
        scan_source=r"(?<!\w)(" + trie + ")" if trie else None,
        scan_lower=re.compile(r"(?<!\w)(" + trie + ")") if trie else None,
        scan_after=re.compile(r"\W(" + trie + ")") if trie else None,
        exclude_words=exclude_words,
    )


# --------------------------------------------------------------------------- loading


def _parse_term(entry: Any, source: str, where: str) -> _Term:
    if entry is None:  # an empty list item: warned about as an empty term
        return _Term("", True)
    if isinstance(entry, str):
        return _Term(entry.strip(), True)
    if isinstance(entry, bool):
        raise LexiconError(source, f"{where}: YAML read {entry} as a boolean; quote the term")
    if isinstance(entry, dict):
        unknown = set(entry) - _TERM_KEYS
        if unknown:
            raise LexiconError(source, f"{where}: unknown key {sorted(unknown)[0]!r}")
        text, inflect = entry.get("term"), entry.get("inflect", True)
        if isinstance(text, str) and isinstance(inflect, bool):
            return _Term(text.strip(), inflect)
    if isinstance(entry, int | float) and not isinstance(entry, bool):
        return _Term(str(entry), True)
    raise LexiconError(source, f"{where}: a term must be a string or {{term: ..., inflect: ...}}")


def _parse(data: Any, source: str) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Themes (name → description, terms, exclude) and the version of one file."""
    if not isinstance(data, dict) or "themes" not in data:
        raise LexiconError(source, "expected a mapping with 'version' and 'themes'")
    raw = data["themes"]
    if not isinstance(raw, list):
        raise LexiconError(source, "'themes' must be a list")
    themes: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise LexiconError(source, f"themes[{i}] needs a 'name'")
        name = " ".join(entry["name"].split())
        unknown = set(entry) - _THEME_KEYS
        if unknown:
            raise LexiconError(
                source,
                f"theme {name!r}: unknown key {sorted(unknown)[0]!r} "
                "(expected name, description, terms, exclude)",
            )
        if name in themes:
            raise LexiconError(source, f"theme {name!r} is defined twice")
        lists: dict[str, list[_Term]] = {}
        for key in ("terms", "exclude"):
            value = entry.get(key) or []
            if not isinstance(value, list):
                raise LexiconError(source, f"theme {name!r}: '{key}' must be a list")
            lists[key] = [
                _parse_term(v, source, f"theme {name!r} {key}[{j}]") for j, v in enumerate(value)
            ]
        themes[name] = {
            "description": " ".join(str(entry.get("description") or "").split()),
            **lists,
        }
    version = data.get("version")
    return themes, None if version is None else str(version)


def _merge(
    base: dict[str, dict[str, Any]], extra: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    merged = {
        name: {k: (list(v) if isinstance(v, list) else v) for k, v in spec.items()}
        for name, spec in base.items()
    }
    for name, spec in extra.items():
        if name not in merged:
            merged[name] = spec
            continue
        for key in ("terms", "exclude"):
            merged[name][key] += spec[key]
        if spec["description"]:
            merged[name]["description"] = spec["description"]
    return merged


def _term_problem(term: _Term) -> str | None:
    if not term.text:
        return "is empty"
    if not (term.text[0].isalnum()):
        return "must begin with a letter or digit"
    if any("*" in w.rstrip("*") or w.startswith("*") for w in term.text.split()):
        return "has '*' that is not at the end of a word"
    if "\x00" in term.text:
        return "contains a NUL character"
    return None


def _reach(tokens: Sequence[str]) -> int:
    """Most characters a spelling can span (see :data:`SEPARATOR_REACH`, :data:`WILDCARD_REACH`)."""
    return sum(
        1 if len(t) == 1 else WILDCARD_REACH if t == _WILD else SEPARATOR_REACH for t in tokens
    )


def _inside_exclusion(text: str, exclude: re.Pattern[str]) -> bool:
    """True when an exclusion matches the whole of ``text`` (a term)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return False
    m = exclude.match(_normalised(lowered))
    return m is not None and m.end() == len(text)


def _compile_theme(
    name: str, spec: dict[str, Any], source: str, problems: list[str]
) -> tuple[Theme, _Matcher]:
    exclude_spellings: list[list[str]] = []
    exclusions: list[str] = []
    for term in spec["exclude"]:
        problem = _term_problem(term)
        if problem:
            problems.append(f"{source}: theme {name!r}: exclusion {term.text!r} {problem}")
            continue
        exclusions.append(term.text)
        exclude_spellings += _spellings(term)
    exclude_source = _trie_regex(_lowered(exclude_spellings)) if exclude_spellings else None
    exclude_lower = re.compile(exclude_source) if exclude_source else None

    kept: list[_Term] = []
    seen: dict[str, str] = {}
    for term in spec["terms"]:
        problem = _term_problem(term)
        if (
            problem is None
            and exclude_lower is not None
            and _inside_exclusion(term.text, exclude_lower)
        ):
            problem = "lies inside one of the theme's exclusions and can never count"
        if problem is None and _key(term.text) in seen:
            problem = f"duplicates {seen[_key(term.text)]!r}"
        if problem:
            problems.append(f"{source}: theme {name!r}: term {term.text!r} {problem}")
            continue
        seen[_key(term.text)] = term.text
        kept.append(term)

    spellings: list[list[str]] = []
    bases: dict[str, list[str]] = {}
    inflected: dict[str, list[str]] = {}
    case_forms: dict[str, frozenset[str]] = {}
    wildcards: list[tuple[str, re.Pattern[str]]] = []
    for term in kept:
        term_spellings = _spellings(term)
        spellings += term_spellings
        case_sensitive = not any(ch.islower() for ch in term.text)
        if case_sensitive:
            case_forms[term.text] = frozenset(_token_key(s, lower=False) for s in term_spellings)
        if any(_WILD in s for s in term_spellings):
            wildcard = (
                re.compile(_trie_regex(term_spellings))
                if case_sensitive
                else re.compile(_trie_regex(_lowered(term_spellings)), re.IGNORECASE)
            )
            wildcards.append((term.text, wildcard))
            continue
        bases.setdefault(_key(term.text), []).append(term.text)
        for s in term_spellings:
            entry = inflected.setdefault(_token_key(s), [])
            if term.text not in entry:
                entry.append(term.text)
    terms_by_key: dict[str, tuple[str, ...]] = {}
    for key in {**bases, **inflected}:
        ordered = dict.fromkeys([*bases.get(key, []), *inflected.get(key, [])])
        terms_by_key[key] = tuple(ordered)
    theme = Theme(name, spec["description"], tuple(t.text for t in kept), tuple(exclusions))
    terms_source = _trie_regex(_lowered(spellings)) if spellings else None
    firsts: set[tuple[str, bool, str | None]] = set()
    for term in kept:
        case_sensitive = not any(ch.islower() for ch in term.text)
        for spelling in _spellings(term):
            for word, is_prefix in _first_words(spelling):
                firsts.add((word.lower(), is_prefix, word if case_sensitive else None))
    reach = max((_reach(s) for s in exclude_spellings), default=0)
    exclude_first = [w for s in exclude_spellings for w in _first_words(s)]
    exclude_firsts = (
        None if any(p for _, p in exclude_first) else frozenset(w.lower() for w, _ in exclude_first)
    )
    matcher = _Matcher(
        theme=name,
        terms_source=terms_source,
        exclude_source=exclude_source,
        terms_lower=re.compile(terms_source) if terms_source else None,
        exclude_lower=exclude_lower,
        exclude_reach=reach,
        exclude_first_words=exclude_firsts,
        terms_by_key=terms_by_key,
        case_forms=case_forms,
        wildcards=tuple(wildcards),
        first_words=tuple(sorted(firsts)),
    )
    if not kept:
        problems.append(f"{source}: theme {name!r} has no terms and will never count")
    return theme, matcher


def _compile(
    themes: dict[str, dict[str, Any]], version: str, sources: tuple[str, ...]
) -> ThemeLexicon:
    problems: list[str] = []
    compiled = [_compile_theme(name, spec, sources[-1], problems) for name, spec in themes.items()]
    owners: dict[str, list[str]] = {}
    for theme, _ in compiled:
        for term in theme.terms:
            owners.setdefault(_key(term), []).append(theme.name)
    for theme, _ in compiled:
        for term in theme.terms:
            names = owners.get(_key(term), [])
            if len(names) > 1 and names[0] == theme.name:
                listed = ", ".join(repr(n) for n in names)
                problems.append(
                    f"{sources[-1]}: term {term!r} is listed under {len(names)} themes "
                    f"({listed}); it counts for each"
                )
                owners[_key(term)] = []
    for problem in problems:
        warnings.warn(problem, ThemeLexiconWarning, stacklevel=3)
    return ThemeLexicon(
        version=version,
        sources=sources,
        definitions={theme.name: theme for theme, _ in compiled},
        warnings=tuple(problems),
        _matchers=tuple(m for _, m in compiled),
        _index=_build_index([m for _, m in compiled]),
    )


def load_theme_lexicon(
    path: str | Path | None = None, *, mode: Literal["extend", "replace"] = "extend"
) -> ThemeLexicon:
    """Load the theme lexicon.

    Problems that do not stop matching (an empty theme, a term that can never match, a term
    listed twice in a theme or under two themes) are collected in ``.warnings`` and emitted as
    :class:`ThemeLexiconWarning`, each once.

    Args:
        path: A user's YAML file (same layout as ``analysis/data/themes.yaml``), or None for the
            packaged default.
        mode: ``"extend"`` adds the user's themes, terms and exclusions to the default;
            ``"replace"`` uses the user's file alone.

    Returns:
        The compiled lexicon.

    Raises:
        LexiconError: A missing or malformed file (names the file and, for YAML errors, the
            line).
        ValueError: An unknown ``mode``.
    """
    if mode not in ("extend", "replace"):
        raise ValueError(f"mode must be 'extend' or 'replace', not {mode!r}")
    if path is None:
        return default_lexicon()
    data, source, digest = load_yaml(path, DEFAULT_FILE)
    themes, version = _parse(data, source)
    own = f"{version or 'unversioned'}+{digest}"
    if mode == "replace":
        return _compile(themes, own, (source,))
    base_data, base_source, base_digest = load_yaml(None, DEFAULT_FILE)
    base, base_version = _parse(base_data, base_source)
    return _compile(
        _merge(base, themes),
        f"{base_version or 'unversioned'}+{base_digest}; {own}",
        (base_source, source),
    )


@lru_cache(maxsize=1)
def default_lexicon() -> ThemeLexicon:
    """The packaged theme lexicon (compiled once per process)."""
    data, source, digest = load_yaml(None, DEFAULT_FILE)
    themes, version = _parse(data, source)
    return _compile(themes, f"{version or 'unversioned'}+{digest}", (source,))


# --------------------------------------------------------------------------- matching


def _resolve(matcher: _Matcher, surface: str) -> str | None:
    """The term of ``matcher`` that produced ``surface``, or None (a case-sensitive miss)."""
    for term in matcher.terms_by_key.get(_key(surface), ()):
        forms = matcher.case_forms.get(term)
        if forms is None or _NON_KEY.sub("", surface) in forms:
            return term
    normal = _normalised(surface)
    for term, pattern in matcher.wildcards:
        if pattern.fullmatch(normal):
            return term
    return None


def find_themes(text: str, lexicon: ThemeLexicon | None = None) -> list[ThemeHit]:
    """Find every hit of every theme in ``text``.

    Args:
        text: Any text (usually a document body).
        lexicon: A theme lexicon; the packaged default when None.

    Returns:
        Hits sorted by start offset, then theme (lexicon order), then end. Within a theme hits
        never overlap (the longest term at the leftmost position wins, as a regex scan would
        find them); one phrase may be a hit of several themes. A hit that lies inside a match
        of one of its theme's exclusions is dropped.
    """
    lex = lexicon if lexicon is not None else default_lexicon()
    return _find(text, lex._matchers, lex._index)


def _anycase(source: str | None) -> re.Pattern[str] | None:
    """A case-insensitive pattern (``re`` keeps compiled patterns in its own cache)."""
    return re.compile(source, re.IGNORECASE) if source is not None else None


def _excluded(
    matcher: _Matcher,
    haystack: str,
    lower: bool,
    start: int,
    end: int,
    words_at: tuple[list[int], list[str]] | None = None,
) -> bool:
    """True when a match of one of the theme's exclusions covers ``[start, end)``.

    ``words_at``: where the words of the lexicon's ``exclude_words`` are in lower-cased
    ``haystack`` (starts in order, and the words), if known: only they are tried then.
    """
    pattern = matcher.exclude_lower if lower else _anycase(matcher.exclude_source)
    if pattern is None:
        return False
    firsts = matcher.exclude_first_words
    lo = max(0, start - matcher.exclude_reach)
    if lower and firsts is not None and words_at is not None:
        starts, words = words_at
        k = bisect.bisect_left(starts, lo)
        while k < len(starts) and starts[k] <= start:
            if words[k] in firsts:
                m = pattern.match(haystack, starts[k])
                if m is not None and m.end() >= end:
                    return True
            k += 1
        return False
    for word in _WORD_AT_START.finditer(haystack, lo):
        if word.start() > start:
            break
        if firsts is not None and (word.group() if lower else word.group().lower()) not in firsts:
            continue
        m = pattern.match(haystack, word.start())
        if m is not None and m.end() >= end:
            return True
    return False


def _word_info(index: _Index, word: str) -> tuple[bool, tuple[tuple[int, str | None], ...]]:
    """Whether ``word`` (lower case) can start an exclusion, and the themes whose terms can
    start at it: (matcher index, the word as written for case-sensitive terms, else None)."""
    entries = index.exact.get(word, ())
    prefix = word[: index.prefix_len]
    if prefix in index.prefixes:
        entries = (*entries, *((i, None) for p, i in index.prefixes[prefix] if word.startswith(p)))
    info = (word in index.exclude_words, entries)
    if len(index.words) < WORD_CACHE:
        index.words[word] = info
    return info


def _find(text: str, matchers: Sequence[_Matcher], index: _Index) -> list[ThemeHit]:
    lowered, non_ascii = _lower(text)
    lower = len(lowered) == len(text)  # lower() kept the offsets: match without IGNORECASE
    haystack = _normalised(lowered if lower else text, non_ascii)
    spans: list[list[tuple[int, int]]] = [[] for _ in matchers]
    last_end = [-1] * len(matchers)
    found: Iterable[re.Match[str]]
    if lower:
        if index.scan_lower is None or index.scan_after is None:
            return []
        head = index.scan_lower.match(haystack)
        found = index.scan_after.finditer(haystack, head.end() if head else 0)
        if head is not None:
            found = itertools.chain((head,), found)
        patterns = [matcher.terms_lower for matcher in matchers]
    else:
        scan = _anycase(index.scan_source)
        if scan is None:
            return []
        found = scan.finditer(haystack)
        patterns = [_anycase(matcher.terms_source) for matcher in matchers]
    known = index.words
    starts: list[int] = []  # where the words exclusions start at are (lower-cased text)
    words: list[str] = []
    for word_match in found:
        word = word_match.group(1) if lower else word_match.group(1).lower()
        info = known.get(word)
        if info is None:
            info = _word_info(index, word)
        excluding, entries = info
        pos = word_match.start(1)
        if excluding:
            starts.append(pos)
            words.append(word)
        for i, as_written in entries:
            if pos < last_end[i]:  # inside the previous hit of this theme
                continue
            if as_written is not None and not text.startswith(as_written, pos):
                continue
            pattern = patterns[i]
            m = pattern.match(haystack, pos) if pattern is not None else None
            if m is not None:
                spans[i].append(m.span())
                last_end[i] = m.end()
    found_hits: list[tuple[int, int, int, str]] = []
    for i, matcher in enumerate(matchers):
        if not spans[i]:
            continue
        resolved = matcher.resolved
        for start, end in spans[i]:
            if _excluded(matcher, haystack, lower, start, end, (starts, words)):
                continue
            surface = text[start:end]
            if surface in resolved:
                term = resolved[surface]
            else:
                term = _resolve(matcher, surface)
                if len(resolved) < RESOLVED_CACHE:
                    resolved[surface] = term
            if term is not None:
                found_hits.append((start, i, end, term))
    # by start, theme (lexicon order), end: no two hits share all three (a theme's hits never
    # overlap), so the terms never decide
    found_hits.sort()
    return [_make_hit(matchers[i].theme, term, start, end) for start, i, end, term in found_hits]


# --------------------------------------------------------------------------- tables


def hits_frame(
    doc_id: str,
    text: str,
    sentence_spans: Sequence[tuple[int, int]] = (),
    lexicon: ThemeLexicon | None = None,
) -> pd.DataFrame:
    """The hits of one document as a table with :data:`HITS_COLUMNS`.

    Args:
        doc_id: The document's id.
        text: The document body (offsets are into it).
        sentence_spans: ``(start, end)`` of each sentence in order (e.g. from
            ``analysis.segment.sentences``); a hit gets the index of the sentence that contains
            its start, or <NA> outside every sentence.
        lexicon: A theme lexicon; the packaged default when None.

    Returns:
        One row per hit: doc_id, theme, term, surface, start, end, sentence.
    """
    hits = find_themes(text, lexicon)
    starts = [s for s, _ in sentence_spans]
    rows: list[tuple[ThemeHit, int | None]] = []
    for hit in hits:
        idx = bisect.bisect_right(starts, hit.start) - 1
        inside = idx >= 0 and hit.start < sentence_spans[idx][1]
        rows.append((hit, idx if inside else None))
    return pd.DataFrame(
        {
            "doc_id": pd.Series([doc_id] * len(rows), dtype=object),
            "theme": pd.Series([h.theme for h, _ in rows], dtype="str"),
            "term": pd.Series([h.term for h, _ in rows], dtype="str"),
            "surface": pd.Series([text[h.start : h.end] for h, _ in rows], dtype="str"),
            "start": pd.Series([h.start for h, _ in rows], dtype="int64"),
            "end": pd.Series([h.end for h, _ in rows], dtype="int64"),
            "sentence": pd.Series([s for _, s in rows], dtype="Int64"),
        }
    )


def _theme_order(hits: pd.DataFrame, lexicon: ThemeLexicon | None) -> list[str]:
    lex = lexicon if lexicon is not None else default_lexicon()
    names = list(lex.themes)
    for name in hits["theme"].tolist():
        if name not in names:
            names.append(name)
    return names


def theme_rates(
    hits: pd.DataFrame,
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    by: str | None = "doc_id",
    lexicon: ThemeLexicon | None = None,
) -> pd.DataFrame:
    """Theme frequencies per document (or per group of documents, or for the whole corpus).

    Args:
        hits: The themes table (:data:`HITS_COLUMNS`).
        documents: The documents table (needs ``doc_id``, ``words`` and the ``by`` column).
        sentences: The sentences table (needs ``doc_id`` and ``sentence``).
        by: ``"doc_id"`` for one row per document and theme; any other column of
            ``documents`` (``source``, ``author``, a period column) to pool the documents that
            share a value; None for the corpus as a whole.
        lexicon: Gives the themes (in order) that get a row even without hits; the packaged
            default when None. Themes found in ``hits`` but not in the lexicon are appended.

    Returns:
        One row per group and theme (every theme, zeros included), groups in the order of
        ``documents``: [by,] theme, hits, words, rate_per_1000_words, sentences_with_theme,
        sentences, share_of_sentences.

    Raises:
        KeyError: ``by`` is not a column of ``documents``.
    """
    themes = _theme_order(hits, lexicon)
    if by is not None and by not in documents.columns:
        raise KeyError(f"{by!r} is not a column of the documents table")
    docs = documents[["doc_id", "words"]].copy()
    docs["_group"] = documents[by].astype(object) if by is not None else "corpus"
    docs["_group"] = docs["_group"].where(docs["_group"].notna(), None)
    group_of = dict(zip(docs["doc_id"], docs["_group"], strict=True))
    groups = list(dict.fromkeys(docs["_group"].tolist()))
    words = {g: 0 for g in groups}
    for g, w in zip(docs["_group"], docs["words"], strict=True):
        words[g] += int(w)
    n_sentences = {g: 0 for g in groups}
    for doc in sentences["doc_id"].tolist():
        if doc in group_of:
            n_sentences[group_of[doc]] += 1
    counts: dict[tuple[Any, str], int] = {}
    with_theme: dict[tuple[Any, str], set[tuple[Any, int]]] = {}
    for doc, theme, sent in zip(hits["doc_id"], hits["theme"], hits["sentence"], strict=True):
        if doc not in group_of:
            continue
        key = (group_of[doc], theme)
        counts[key] = counts.get(key, 0) + 1
        if not pd.isna(sent):
            with_theme.setdefault(key, set()).add((doc, int(sent)))
    rows = []
    for g in groups:
        for theme in themes:
            n = counts.get((g, theme), 0)
            s = len(with_theme.get((g, theme), ()))
            rows.append(
                {
                    **({by: g} if by is not None else {}),
                    "theme": theme,
                    "hits": n,
                    "words": words[g],
                    "rate_per_1000_words": n * RATE_PER_WORDS / words[g] if words[g] else 0.0,
                    "sentences_with_theme": s,
                    "sentences": n_sentences[g],
                    "share_of_sentences": s / n_sentences[g] if n_sentences[g] else 0.0,
                }
            )
    columns = [
        *([by] if by is not None else []),
        "theme",
        "hits",
        "words",
        "rate_per_1000_words",
        "sentences_with_theme",
        "sentences",
        "share_of_sentences",
    ]
    return pd.DataFrame(rows, columns=columns)


def actor_theme(
    hits: pd.DataFrame,
    mentions: pd.DataFrame,
    *,
    per_document: bool = False,
    lexicon: ThemeLexicon | None = None,
) -> pd.DataFrame:
    """Actor × theme co-occurrence: sentences in which an actor is mentioned and a theme hit.

    Args:
        hits: The themes table (:data:`HITS_COLUMNS`).
        mentions: The mentions table (needs ``doc_id``, ``actor``, ``sentence``).
        per_document: One block of rows per document (a leading ``doc_id`` column) instead of
            the corpus as a whole.
        lexicon: Gives the theme order; the packaged default when None.

    Returns:
        One row per actor (in order of first mention) and theme (lexicon order), zeros
        included: [doc_id,] actor, theme, sentences (sentences with both), hits (the theme's hits
        in those sentences), actor_sentences (sentences mentioning the actor),
        share_of_actor_sentences.
    """
    themes = _theme_order(hits, lexicon)
    ment = mentions.dropna(subset=["sentence"])
    hit = hits.dropna(subset=["sentence"])
    scope = (lambda doc: doc) if per_document else (lambda doc: None)
    actor_sents: dict[tuple[Any, str], set[tuple[Any, int]]] = {}
    actors_in: dict[tuple[Any, int], list[str]] = {}
    scopes: list[Any] = []
    actors_of_scope: dict[Any, list[str]] = {}
    for doc, actor, sent in zip(ment["doc_id"], ment["actor"], ment["sentence"], strict=True):
        key = (doc, int(sent))
        sc = scope(doc)
        if sc not in actors_of_scope:
            scopes.append(sc)
            actors_of_scope[sc] = []
        if actor not in actors_of_scope[sc]:
            actors_of_scope[sc].append(actor)
        actor_sents.setdefault((sc, actor), set()).add(key)
        present = actors_in.setdefault(key, [])
        if actor not in present:
            present.append(actor)
    both: dict[tuple[Any, str, str], set[tuple[Any, int]]] = {}
    n_hits: dict[tuple[Any, str, str], int] = {}
    for doc, theme, sent in zip(hit["doc_id"], hit["theme"], hit["sentence"], strict=True):
        key = (doc, int(sent))
        for actor in actors_in.get(key, ()):
            k = (scope(doc), actor, theme)
            both.setdefault(k, set()).add(key)
            n_hits[k] = n_hits.get(k, 0) + 1
    rows = []
    for sc in scopes:
        for actor in actors_of_scope[sc]:
            total = len(actor_sents[(sc, actor)])
            for theme in themes:
                n = len(both.get((sc, actor, theme), ()))
                rows.append(
                    {
                        **({"doc_id": sc} if per_document else {}),
                        "actor": actor,
                        "theme": theme,
                        "sentences": n,
                        "hits": n_hits.get((sc, actor, theme), 0),
                        "actor_sentences": total,
                        "share_of_actor_sentences": n / total if total else 0.0,
                    }
                )
    columns = [
        *(["doc_id"] if per_document else []),
        "actor",
        "theme",
        "sentences",
        "hits",
        "actor_sentences",
        "share_of_actor_sentences",
    ]
    return pd.DataFrame(rows, columns=columns)


def kwic(
    sentences: pd.DataFrame,
    pattern_or_theme: str | re.Pattern[str],
    *,
    lexicon: ThemeLexicon | None = None,
    width: int = KWIC_WIDTH,
) -> pd.DataFrame:
    """Keyword in context: every match in the sentences table, with its left and right context.

    Args:
        sentences: The sentences table (needs ``doc_id``, ``sentence``, ``start``, ``text``).
        pattern_or_theme: A theme name of ``lexicon`` (its hits, exclusions applied), a term
            written as in the lexicon ("pipeline" also finds "pipelines"; "terror*"), or a
            compiled regular expression.
        lexicon: The theme lexicon; the packaged default when None.
        width: Characters of context on each side (within the sentence; line breaks shown as
            spaces).

    Returns:
        One row per match: doc_id, sentence, left, match, right, start, end (offsets into the
        document body, like the other tables), term (the lexicon term, or the regex source).
    """
    lex = lexicon if lexicon is not None else default_lexicon()
    regex: re.Pattern[str] | None = None
    matchers: list[_Matcher] = []
    keep_term: str | None = None
    if isinstance(pattern_or_theme, re.Pattern):
        regex = pattern_or_theme
    elif pattern_or_theme in lex.definitions:
        matchers = [m for m in lex._matchers if m.theme == pattern_or_theme]
    else:
        term = pattern_or_theme.strip()
        problem = _term_problem(_Term(term, True))
        if problem:
            raise ValueError(f"kwic: {term!r} is neither a theme nor a usable term: it {problem}")
        keep_term = _key(term)
        owners = {t.name for t in lex.definitions.values() if keep_term in map(_key, t.terms)}
        matchers = [m for m in lex._matchers if m.theme in owners]
        if not matchers:  # not in the lexicon: match it alone, with the lexicon's syntax
            spec = {"description": "", "terms": [_Term(term, True)], "exclude": []}
            matchers = list(_compile({term: spec}, "kwic", ("kwic",))._matchers)
    index = _build_index(matchers)
    rows = []
    for doc, sent, start, text in zip(
        sentences["doc_id"],
        sentences["sentence"],
        sentences["start"],
        sentences["text"],
        strict=True,
    ):
        found: list[tuple[int, int, str]]
        if regex is not None:
            found = [(m.start(), m.end(), regex.pattern) for m in regex.finditer(text)]
            found = [f for f in found if f[1] > f[0]]
        else:
            hits = _find(text, matchers, index)
            found = [
                (h.start, h.end, h.term)
                for h in hits
                if keep_term is None or _key(h.term) == keep_term
            ]
            found = list(dict.fromkeys(found))  # a term under two themes: one row
        for s, e, term in found:
            rows.append(
                {
                    "doc_id": doc,
                    "sentence": sent,
                    "left": " ".join(text[max(0, s - width) : s].split("\n")),
                    "match": text[s:e],
                    "right": " ".join(text[e : e + width].split("\n")),
                    "start": int(start) + s,
                    "end": int(start) + e,
                    "term": term,
                }
            )
    return pd.DataFrame(rows, columns=list(KWIC_COLUMNS))
