"""Actor mentions: who the text is about.

The actor lexicon (``analysis/data/actors.yaml``) maps names, demonyms, capitals and metonyms,
institutions and leaders onto actors. All aliases compile into one prefix-trie regular expression,
so matching costs one pass over the text whatever the lexicon's size. Hyphenated compounds that
name several actors ("Pak-Russia", "Sino-Pakistan") give one mention per actor over the whole
compound.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from analysis.errors import LexiconError
from analysis.lookbehind import Searched, finditer, searched
from analysis.resources import load_yaml

__all__ = [
    "ALIAS_TYPES",
    "ActorLexicon",
    "Mention",
    "char_offsets",
    "default_lexicon",
    "find_mentions",
    "load_actor_lexicon",
]

#: Alias groups in the YAML file, in the order they are listed on each actor.
ALIAS_TYPES: tuple[str, ...] = ("names", "demonyms", "places", "institutions", "leaders")
DEFAULT_FILE = "actors.yaml"

#: Hyphen-like characters that join the parts of a compound ("Pak-Russia", "Pak–Russia").
_HYPHENS = "-\u2010\u2011\u2013"
_HYPHEN = re.compile(f"[{_HYPHENS}]")
_COMPOUND = re.compile(rf"[^\W\d_]+(?:[{_HYPHENS}][^\W\d_]+)+(?![\w])")
#: How a matched key resolves: dropped (an exclusion), several actors (AfPak), one
#: case-insensitive alias, or candidates to check (case-sensitive aliases, shared keys).
_EXCLUDED, _COMPOUND_WORD, _SIMPLE, _CANDIDATES = range(4)
_ORDER = operator.attrgetter("start", "end", "actor")
_WORD = re.compile(r"[^\W\d_][\w.'’]*")
_KEY_END = re.compile(r"[\w.]")
#: Shortest all-capital neighbour word that marks a headline in capitals ("PAKISTAN IS READY"),
#: where short capitalised aliases (IS, US) are ordinary words.
_HEADLINE_WORD_MIN = 2
#: Shortest surname carried from a leader's full name to later mentions ("Xi" is listed on its
#: own; two-letter surnames alone are too often other words).
MIN_SURNAME = 3


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of an actor: ``text[start:end] == surface``.

    Attributes:
        actor: Canonical actor name ("United States").
        surface: The text as written ("Pentagon", "Pak-Russia").
        start: Start offset in the text.
        end: End offset (exclusive).
        alias: The lexicon alias that matched ("Pentagon"; the compound itself for compounds).
        alias_type: Group of the alias: names, demonyms, places, institutions, leaders, compound.
        compound: True when the surface names several actors at once.
    """

    actor: str
    surface: str
    start: int
    end: int
    alias: str
    alias_type: str
    compound: bool = False


#: Mention's slot setters in field order: :func:`_make_mention` fills a new mention with them,
#: which costs a third of the frozen dataclass's ``__init__`` (``object.__setattr__`` per field).
_MENTION_SETTERS: tuple[Any, ...] = tuple(
    getattr(Mention, f.name).__set__ for f in dataclasses.fields(Mention)
)


def _make_mention(
    actor: str,
    surface: str,
    start: int,
    end: int,
    alias: str,
    alias_type: str,
    compound: bool = False,
) -> Mention:
    """``Mention(...)`` with the same arguments, made faster (tests/test_fast_paths.py
    compares)."""
    mention: Mention = object.__new__(Mention)
    set_actor, set_surface, set_start, set_end, set_alias, set_type, set_compound = _MENTION_SETTERS
    set_actor(mention, actor)
    set_surface(mention, surface)
    set_start(mention, start)
    set_end(mention, end)
    set_alias(mention, alias)
    set_type(mention, alias_type)
    set_compound(mention, compound)
    return mention


#: Every ASCII byte: what ``bytes.translate`` deletes to leave a UTF-8 text's other characters.
_ASCII_BYTES = bytes(range(128))


def _lower(text: str) -> tuple[str, set[str]]:
    """``text.lower()``, and the non-ASCII characters of ``text``.

    Most texts are ASCII but for a few quotation marks and dashes, which have no case: their
    lower-case copy is then the ASCII one, made on the UTF-8 bytes (``bytes.lower`` changes
    ASCII letters alone), at a fraction of the cost of ``str.lower`` on a text of two-byte
    characters. ``str.lower`` maps a character by itself except Greek capital sigma, whose
    own lower case differs from it, so a character that lower-cases to itself alone stays
    unchanged in the text (tests/test_fast_paths.py compares the two).
    """
    if text.isascii():
        return text.lower(), set()
    raw = text.encode("utf-8", "surrogatepass")
    non_ascii = set(raw.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass"))
    if all(ch.lower() == ch for ch in non_ascii):
        return raw.lower().decode("utf-8", "surrogatepass"), non_ascii
    return text.lower(), non_ascii


@dataclass(frozen=True, slots=True)
class _Alias:
    actor: str
    alias: str
    alias_type: str
    case_sensitive: bool


@dataclass(frozen=True)
class ActorLexicon:
    """A compiled actor lexicon.

    Attributes:
        version: The lexicon's version string plus a digest of its file(s).
        sources: Files the lexicon was read from.
        kinds: Actor name → kind (state, alliance, organisation, armed group).
    """

    version: str
    sources: tuple[str, ...]
    kinds: Mapping[str, str]
    _aliases: Mapping[str, tuple[_Alias, ...]] = field(repr=False)
    _combining: Mapping[str, str] = field(repr=False)
    _compounds: Mapping[str, tuple[str, ...]] = field(repr=False)
    _excluded: frozenset[str] = field(repr=False)
    _pattern: re.Pattern[str] = field(repr=False)
    _resolve: Mapping[str, tuple[Any, ...]] = field(repr=False)
    _pattern_ci: re.Pattern[str] = field(repr=False)
    #: ``_pattern`` after its one character of left context, the key as group 1 (None when a
    #: key could make the two differ): a pattern that begins with a character set lets ``re``
    #: skip in C to where a key can start instead of trying the whole trie at every position.
    _pattern_after: re.Pattern[str] | None = field(default=None, repr=False)
    _short: dict[str, tuple[Mention, ...]] = field(default_factory=dict, repr=False, compare=False)
    #: What is not a mention although it contains an alias (outlets, parties, currencies):
    #: the ``exclude`` phrases as a trie for lower-cased text and for any text (first two,
    #: when there are phrases), then each of ``exclude_patterns`` (searched past a leading
    #: lookbehind: :mod:`analysis.lookbehind`).
    _exclusion: tuple[Searched, ...] = field(default=(), repr=False)
    _exclusion_phrases: bool = field(default=False, repr=False)
    #: Capitalised institutions without a national modifier ("Foreign Ministry", "Parliament")
    #: and their default actor (None: the actor comes from the context).
    _contextual: Mapping[str, str | None] = field(default_factory=dict, repr=False)
    _contextual_pattern: Searched | None = field(default=None, repr=False)
    #: Leaders' full names (two words or more) → (actor, surname): after a full name, the
    #: surname alone refers to the same person.
    _surnames: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    #: Words that may stand before a surname ("President", "Mr"); any other capitalised word
    #: there makes the surname part of another name ("Abdul Ghani Baradar").
    _titles: frozenset[str] = field(default_factory=frozenset, repr=False)

    @property
    def actors(self) -> tuple[str, ...]:
        """Actor names in lexicon order."""
        return tuple(self.kinds)

    def kind(self, actor: str) -> str:
        """The kind of ``actor`` (state, alliance, organisation, armed group)."""
        return self.kinds[actor]


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (lower-case), longest first, as a prefix trie."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            atom = r"\s+" if ch == " " else re.escape(ch)
            branches.append(atom + build(node[ch]))
        if not branches:
            return ""
        if end:  # optional: an empty last alternative, which ``re`` runs faster than "?"
            return "(?:" + "|".join(branches) + "|)"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return build(trie)


def _as_list(value: Any, source: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(source, f"{where} must be a list of strings")
    return [v.strip() for v in value if v.strip()]


@dataclass(frozen=True)
class _Rules:
    """The lexicon's context rules (keys ``exclude_patterns``, ``institutions_by_context`` and
    ``titles`` of the YAML file)."""

    exclude_patterns: tuple[str, ...] = ()
    contextual: tuple[tuple[str, str | None], ...] = ()
    titles: tuple[str, ...] = ()

    def merged(self, other: _Rules) -> _Rules:
        return _Rules(
            self.exclude_patterns + other.exclude_patterns,
            self.contextual + other.contextual,
            self.titles + other.titles,
        )


def _parse_rules(data: dict[str, Any], source: str) -> _Rules:
    patterns = _as_list(data.get("exclude_patterns"), source, "exclude_patterns")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise LexiconError(
                source, f"bad regular expression in exclude_patterns: {exc}"
            ) from None
    contextual_raw = data.get("institutions_by_context") or {}
    if not isinstance(contextual_raw, dict):
        raise LexiconError(source, "'institutions_by_context' must map a name to an actor or null")
    contextual = tuple((str(k), None if v is None else str(v)) for k, v in contextual_raw.items())
    return _Rules(
        tuple(patterns), contextual, tuple(_as_list(data.get("titles"), source, "titles"))
    )


def _parse(
    data: Any, source: str
) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]], set[str], str]:
    if not isinstance(data, dict):
        raise LexiconError(source, "expected a mapping with 'actors'")
    actors_raw = data.get("actors", [])
    if not isinstance(actors_raw, list):
        raise LexiconError(source, "'actors' must be a list")
    actors: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(actors_raw):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise LexiconError(source, f"actors[{i}] needs a 'name'")
        name = entry["name"].strip()
        spec: dict[str, Any] = {"kind": str(entry.get("kind", "state"))}
        for group in (*ALIAS_TYPES, "combining"):
            spec[group] = _as_list(entry.get(group), source, f"actors[{i}].{group}")
        actors[name] = spec
    compounds_raw = data.get("compounds") or {}
    if not isinstance(compounds_raw, dict):
        raise LexiconError(source, "'compounds' must be a mapping of word to actor list")
    compounds = {str(k): _as_list(v, source, f"compounds[{k}]") for k, v in compounds_raw.items()}
    exclude = set(_as_list(data.get("exclude"), source, "exclude"))
    version = str(data.get("version", "unversioned"))
    return actors, compounds, exclude, version


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
        for group, values in spec.items():
            if isinstance(values, list):
                merged[name][group] += [v for v in values if v not in merged[name][group]]
    return merged


def _context_fields(
    actors: dict[str, dict[str, Any]], exclude: set[str], rules: _Rules
) -> dict[str, Any]:
    """The compiled context rules of a lexicon (exclusions, institutions, surnames, titles)."""
    phrases = sorted({" ".join(e.lower().split()) for e in exclude})
    # Phrases: a prefix trie matched on the lower-cased text (an alternation of phrases under
    # IGNORECASE costs sixty times more); patterns: each on its own, case as written.
    trie = _trie_regex(phrases) if phrases else None
    exclusion = (
        tuple(
            Searched(re.compile(r"(?<![\w.])(" + trie + r")(?![\w])", flags), None)
            for flags in (0, re.I)
        )
        if trie
        else ()
    )  # (a trie starts with nearly every letter: a scan past its lookbehind gains nothing)
    exclusion += tuple(searched(re.compile(p)) for p in rules.exclude_patterns)
    contextual = dict(rules.contextual)
    names = sorted(contextual, key=len, reverse=True)
    contextual_pattern = (
        searched(re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?![\w])"))
        if names
        else None
    )
    surnames = {}
    for name, spec in actors.items():
        for alias in spec["leaders"]:
            words = alias.split()
            if len(words) >= 2 and words[-1][:1].isupper() and len(words[-1]) >= MIN_SURNAME:
                surnames[alias] = (name, words[-1])
    return {
        "_exclusion": exclusion,
        "_exclusion_phrases": trie is not None,
        "_contextual": contextual,
        "_contextual_pattern": contextual_pattern,
        "_surnames": surnames,
        "_titles": frozenset(rules.titles),
    }


def _compile(
    actors: dict[str, dict[str, Any]],
    compounds: dict[str, list[str]],
    exclude: set[str],
    version: str,
    sources: tuple[str, ...],
    rules: _Rules | None = None,
) -> ActorLexicon:
    aliases: dict[str, list[_Alias]] = {}
    combining: dict[str, str] = {}
    for name, spec in actors.items():
        for group in ALIAS_TYPES:
            for alias in spec[group]:
                cs = not any(ch.islower() for ch in alias)
                key = " ".join(alias.lower().split())
                entry = _Alias(name, alias, group, cs)
                if entry not in aliases.setdefault(key, []):
                    aliases[key].append(entry)
        for form in (*spec["combining"], *spec["names"], *spec["demonyms"]):
            combining.setdefault(form.lower(), name)
    for word, members in compounds.items():
        for member in members:
            if member not in actors:
                raise LexiconError(sources[-1], f"compound {word!r} names unknown actor {member!r}")
    lowered_compounds = {k.lower(): tuple(v) for k, v in compounds.items()}
    keys = (
        set(aliases)
        | {w.lower() for w in compounds}
        | {" ".join(e.lower().split()) for e in exclude}
    )
    trie = _trie_regex(sorted(keys))
    # Matching runs on the lower-cased text (much faster than IGNORECASE on a large trie);
    # the case-insensitive pattern is the fallback for texts whose length changes when lowered.
    pattern = re.compile(r"(?<![\w.])(" + trie + r")(?![\w])")
    pattern_ci = re.compile(r"(?<![\w.])" + trie + r"(?![\w])", re.IGNORECASE)
    # A match after the first character needs a character before it that is neither a word
    # character nor "."; the scan can consume that character when no match can end where the
    # next one starts, i.e. when every key ends with a word character or ".".
    after_ok = all(key and _KEY_END.fullmatch(key[-1]) for key in keys)
    pattern_after = re.compile(r"[^\w.](" + trie + r")(?![\w])") if after_ok else None
    excluded = frozenset(" ".join(e.lower().split()) for e in exclude)
    resolve: dict[str, tuple[Any, ...]] = {}
    for key in keys:
        if key in excluded:
            resolve[key] = (_EXCLUDED,)
        elif key in lowered_compounds:
            resolve[key] = (_COMPOUND_WORD, lowered_compounds[key])
        else:
            entries = aliases[key]
            if len(entries) == 1 and not entries[0].case_sensitive:
                e = entries[0]
                resolve[key] = (_SIMPLE, e.actor, e.alias, e.alias_type)
            else:
                resolve[key] = (_CANDIDATES, tuple(entries))
    return ActorLexicon(
        version=version,
        sources=sources,
        kinds={name: spec["kind"] for name, spec in actors.items()},
        _aliases={k: tuple(v) for k, v in aliases.items()},
        _combining=combining,
        _compounds=lowered_compounds,
        _excluded=excluded,
        _resolve=resolve,
        _pattern=pattern,
        _pattern_ci=pattern_ci,
        _pattern_after=pattern_after,
        **_context_fields(actors, exclude, rules or _Rules()),
    )


def load_actor_lexicon(
    path: str | Path | None = None, *, mode: Literal["extend", "replace"] = "extend"
) -> ActorLexicon:
    """Load the actor lexicon.

    Args:
        path: A user's YAML file (same layout as ``analysis/data/actors.yaml``), or None for the
            packaged default.
        mode: ``"extend"`` adds the user's actors and aliases to the default; ``"replace"`` uses
            the user's file alone.

    Returns:
        The compiled lexicon.

    Raises:
        LexiconError: A malformed file (names the file and, for YAML errors, the line).
    """
    if mode not in ("extend", "replace"):
        raise ValueError(f"mode must be 'extend' or 'replace', not {mode!r}")
    if path is None:
        return default_lexicon()
    data, source, digest = load_yaml(path, DEFAULT_FILE)
    actors, compounds, exclude, version = _parse(data, source)
    rules = _parse_rules(data, source)
    if mode == "replace":
        return _compile(actors, compounds, exclude, f"{version}+{digest}", (source,), rules)
    base_data, base_source, base_digest = load_yaml(None, DEFAULT_FILE)
    b_actors, b_compounds, b_exclude, b_version = _parse(base_data, base_source)
    return _compile(
        _merge(b_actors, actors),
        {**b_compounds, **compounds},
        b_exclude | exclude,
        f"{b_version}+{base_digest}; {version}+{digest}",
        (base_source, source),
        _parse_rules(base_data, base_source).merged(rules),
    )


@lru_cache(maxsize=1)
def default_lexicon() -> ActorLexicon:
    """The packaged actor lexicon (compiled once per process)."""
    data, source, digest = load_yaml(None, DEFAULT_FILE)
    actors, compounds, exclude, version = _parse(data, source)
    rules = _parse_rules(data, source)
    return _compile(actors, compounds, exclude, f"{version}+{digest}", (source,), rules)


def _is_headline_context(text: str, start: int, end: int, lexicon: ActorLexicon) -> bool:
    """True when both neighbouring words are in capitals (a headline), e.g. "PAKISTAN IS READY"."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = _WORD.findall(text, max(line_start, start - 40), start)
    after_m = _WORD.search(text, end, min(line_end, end + 40))

    def caps(word: str | None) -> bool:
        if word is None:
            return True
        letters = [c for c in word if c.isalpha()]
        return len(letters) >= _HEADLINE_WORD_MIN and all(c.isupper() for c in letters)

    prev = before[-1] if before else None
    nxt = after_m.group(0) if after_m else None
    if prev is None and nxt is None:
        return False
    return caps(prev) and caps(nxt)


#: In a headline in capitals, a short alias after these words is the name ("THE US OWES US":
#: the first US is the country, the second the pronoun).
_HEADLINE_NAME_AFTER = frozenset({"THE"})
#: ... and so is a short alias followed by one of these characters ("US, TALIBAN SIGN DEAL").
_HEADLINE_NAME_BEFORE = ",;:'’-"


def _named_in_headline(text: str, start: int, end: int) -> bool:
    """A short capitals alias in a capitals headline that reads as the name, not a word."""
    if end < len(text) and text[end] in _HEADLINE_NAME_BEFORE:
        return True
    return _word_before(text, start) in _HEADLINE_NAME_AFTER


def char_offsets(text: str, chars: Iterable[str]) -> list[int]:
    """Offsets in ``text`` of every occurrence of each of ``chars`` (single characters), in
    order: a regex character-set scan finds the same, but ``str.find`` skips the text far
    faster than a regex tests it character by character."""
    found: list[int] = []
    for ch in chars:
        at = text.find(ch)
        while at >= 0:
            found.append(at)
            at = text.find(ch, at + 1)
    found.sort()
    return found


def _hyphen_offsets(text: str) -> list[int]:
    """Offsets of the hyphen-like characters in ``text``, in order (what ``_HYPHEN.finditer``
    finds)."""
    return char_offsets(text, _HYPHENS)


def _compound_mentions(
    text: str, lexicon: ActorLexicon
) -> tuple[list[Mention], list[tuple[int, int]]]:
    mentions: list[Mention] = []
    spans: list[tuple[int, int]] = []
    covered = -1
    for at in _hyphen_offsets(text):
        if at < covered:
            continue
        start = at
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        m = _COMPOUND.match(text, start)
        if m is None or (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")):
            continue
        covered = m.end()
        parts = _HYPHEN.split(m.group(0))
        named = [lexicon._combining.get(p.lower()) for p in parts]
        actors = [a for a in named if a is not None]
        if len(set(actors)) < 2 or any(a is None for a in named):
            continue
        spans.append(m.span())
        for actor in dict.fromkeys(actors):
            mentions.append(
                _make_mention(actor, m.group(0), m.start(), m.end(), m.group(0), "compound", True)
            )
    return mentions, spans


#: Texts up to this long (speaker names, descriptions, short phrases) have their mentions
#: remembered per lexicon.
SHORT_TEXT_CHARS = 200
#: At most this many short texts are remembered per lexicon (bounded memory).
SHORT_TEXT_CACHE = 20_000


def find_mentions(
    text: str, lexicon: ActorLexicon | None = None, *, context: str | None = None
) -> list[Mention]:
    """Find every mention of an actor in ``text``.

    Two stages: the lexicon's aliases are matched in one pass (:func:`_find_mentions`), then
    context rules (:func:`_in_context`) drop look-alikes (outlets, parties, currencies), carry a
    leader's surname from the full name to later mentions, and give capitalised institutions
    without a national modifier ("the Foreign Ministry", "Parliament") their actor.

    Args:
        text: Any text.
        lexicon: An actor lexicon; the packaged default when None.
        context: Text read before ``text`` whose leaders' full names count for surnames in
            ``text`` (the article body, when ``text`` is its headline).

    Returns:
        Mentions sorted by start offset (then actor). A compound that names two actors yields
        two mentions with the same span.
    """
    lex = lexicon if lexicon is not None else default_lexicon()
    if len(text) > SHORT_TEXT_CHARS or context is not None:
        return _in_context(text, _lexicon_matches(text, lex), lex, context)
    # Speaker names and descriptions are looked up again and again: remember short texts.
    found = lex._short.get(text)
    if found is None:
        found = tuple(_in_context(text, _find_mentions(text, lex), lex, None))
        if len(lex._short) < SHORT_TEXT_CACHE:
            lex._short[text] = found
    return list(found)


#: The last long text matched and its lexicon matches (swapped whole, so threads see a
#: consistent pair): the pipeline reads a body, then its headline with the body as context.
_last_matches: tuple[str, ActorLexicon, list[Mention]] | None = None


def _lexicon_matches(text: str, lex: ActorLexicon) -> list[Mention]:
    """:func:`_find_mentions`, remembering the last long text (compared by identity)."""
    global _last_matches
    last = _last_matches
    if last is not None and last[0] is text and last[1] is lex:
        return list(last[2])
    found = _find_mentions(text, lex)
    if len(text) > SHORT_TEXT_CHARS:
        _last_matches = (text, lex, list(found))
    return found


_POSSESSIVE = re.compile(r"['’]s?\s+$")
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’')]*\s+(?=[A-Z“\"‘'])|\n")


def _word_before(text: str, start: int) -> str | None:
    """The word directly before ``start`` when only spaces separate them, else None."""
    i = start
    while i > 0 and text[i - 1] == " ":
        i -= 1
    if i == start or i == 0:
        return None
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in ".-'’"):
        j -= 1
    return text[j:i] or None


def _inside_other_name(text: str, start: int, lex: ActorLexicon) -> bool:
    """A surname preceded by a capitalised word that is not a title ("Abdul Ghani") belongs to
    another person's name. A capitalised word that opens a sentence ("Later Khan said") counts
    only when another capitalised word follows the surname ("Abdul Ghani Baradar"); in a line
    in title case (a headline) capitals say nothing, so the rule is not applied there."""
    word = _word_before(text, start)
    if word is None or not word[:1].isupper() or word.endswith(("'s", "’s")):
        return False
    if word.rstrip(".") in lex._titles or _title_case_line(text, start):
        return False
    word_start = len(text[:start].rstrip(" ")) - len(word)
    bare = word.rstrip(".")
    opens_sentence = (
        word_start == 0
        or bool(_SENTENCE_START.search(text, max(0, word_start - 4), word_start))
        # "… on Saturday. Gilani told her": a word, not an abbreviation, ends the sentence before
        or (bare != word and len(bare) >= 4 and "." not in bare)
    )
    if not opens_sentence:
        return True
    surname = _WORD.match(text, start)
    after = _WORD.match(text, surname.end() + 1) if surname else None
    return after is not None and after.group(0)[:1].isupper()


#: What ends the text before a sentence-initial word: start of text or line, or a sentence end.
_SENTENCE_START = re.compile(r"(?:\n|[.!?][\"”’')]*\s)$")
#: Share of capitalised words from which a line reads as title case (a headline).
TITLE_CASE_SHARE = 0.8


def _title_case_line(text: str, at: int) -> bool:
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    words = _WORD.findall(text, line_start, len(text) if line_end < 0 else line_end)
    long_words = [w for w in words if len(w) > 3]
    if len(long_words) < 3:
        return False
    return sum(w[:1].isupper() for w in long_words) >= TITLE_CASE_SHARE * len(long_words)


def _excluded_spans(text: str, lex: ActorLexicon) -> list[tuple[int, int]]:
    patterns = list(lex._exclusion)
    spans: list[tuple[int, int]] = []
    if lex._exclusion_phrases:
        lowered = _lower(text)[0]
        phrases, phrases_any_case = patterns[0], patterns[1]
        if len(lowered) == len(text):
            spans += [m.span() for m in phrases.pattern.finditer(lowered)]
        else:
            spans += [m.span() for m in phrases_any_case.pattern.finditer(text)]
        patterns = patterns[2:]
    for pattern in patterns:
        spans += [m.span() for m in finditer(pattern, text) if m.end() > m.start()]
    return sorted(spans)


@dataclass
class _Exclusions:
    """A text's excluded spans (the lexicon's ``exclude_patterns``), found on first use and then
    reused: :func:`_in_context` drops mentions inside them twice, before and after its rules
    add mentions (local to :func:`_in_context`)."""

    text: str
    lex: ActorLexicon
    spans: list[tuple[int, int]] | None = None

    def drop(self, mentions: list[Mention]) -> list[Mention]:
        """``mentions`` less those overlapping an excluded span."""
        if not mentions or not self.lex._exclusion:
            return mentions
        if self.spans is None:
            self.spans = _excluded_spans(self.text, self.lex)
        spans = self.spans
        if not spans:
            return mentions
        ends = list(itertools.accumulate((e for _, e in spans), max))
        starts = [s for s, _ in spans]
        kept = []
        for m in mentions:
            i = bisect.bisect_right(starts, m.end - 1) - 1
            if i >= 0 and ends[i] > m.start:
                continue
            kept.append(m)
        return kept


def _overlaps_any(starts: Sequence[int], max_ends: Sequence[int], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps a span of a list sorted by start (``max_ends``: the
    running maximum of the ends), in logarithmic time."""
    i = bisect.bisect_left(starts, end) - 1
    return i >= 0 and max_ends[i] > start


def _span_index(mentions: Sequence[Mention]) -> tuple[list[int], list[int]]:
    ordered = sorted(mentions, key=_ORDER)
    return [m.start for m in ordered], list(itertools.accumulate((m.end for m in ordered), max))


def _surname_mentions(
    text: str, mentions: Sequence[Mention], lex: ActorLexicon, context: str | None
) -> list[Mention]:
    """Surnames alone after a leader's full name ("Khan" after "Imran Khan")."""
    first_seen: dict[str, tuple[int, str]] = {}
    if context:
        for m in _lexicon_matches(context, lex):
            if m.alias in lex._surnames:
                actor, surname = lex._surnames[m.alias]
                first_seen.setdefault(surname, (0, actor))
    for m in mentions:
        if m.alias in lex._surnames:
            actor, surname = lex._surnames[m.alias]
            first_seen.setdefault(surname, (m.end, actor))
    starts, max_ends = _span_index(mentions)
    out = []
    for surname, (after, actor) in first_seen.items():
        pattern = searched(re.compile(rf"(?<![\w\-‐‑–]){re.escape(surname)}(?![\w\-‐‑–])"))
        for found in finditer(pattern, text, after):
            start, end = found.span()
            if _overlaps_any(starts, max_ends, start, end):
                continue
            if _inside_other_name(text, start, lex):
                continue
            out.append(_make_mention(actor, surname, start, end, surname, "leaders"))
    return out


@dataclass
class _StatesBefore:
    """States named before a point of the text, read forward once (local to
    :func:`_institution_mentions`)."""

    counts: dict[str, int] = field(default_factory=dict)
    last: Mention | None = None

    def most_named(self) -> str | None:
        """The state named most often so far (the first named, on a tie)."""
        if not self.counts:
            return None
        return max(self.counts, key=lambda actor: self.counts[actor])


def _institution_mentions(text: str, mentions: list[Mention], lex: ActorLexicon) -> list[Mention]:
    """Mentions of capitalised institutions without a national modifier, with their actor:
    the possessive or demonym just before them ("China's Foreign Ministry", "Pakistani Defence
    Ministry" as one span), their default, or the context: the nearest state named earlier in
    the sentence, else the state named most often before them. One forward pass."""
    if lex._contextual_pattern is None:
        return mentions
    ordered = sorted(mentions, key=_ORDER)
    starts, max_ends = _span_index(ordered)
    breaks = [b.end() for b in _SENTENCE_BREAK.finditer(text)]
    merged: set[int] = set()
    added: list[Mention] = []
    states = _StatesBefore()
    k = 0
    for found in finditer(lex._contextual_pattern, text):
        start, end = found.span()
        while k < len(ordered) and ordered[k].end <= start:
            if lex.kinds.get(ordered[k].actor) == "state":
                states.counts[ordered[k].actor] = states.counts.get(ordered[k].actor, 0) + 1
                states.last = ordered[k]
            k += 1
        if _overlaps_any(starts, max_ends, start, end):
            continue
        previous = ordered[k - 1] if k else None
        gap = text[previous.end : start] if previous else ""
        name = found.group(0)
        if previous and not gap.strip(" ") and previous.alias_type in ("names", "demonyms"):
            merged.add(k - 1)
            surface = text[previous.start : end]
            added.append(
                _make_mention(previous.actor, surface, previous.start, end, surface, "institutions")
            )
            continue
        if previous and _POSSESSIVE.fullmatch(gap):
            actor: str | None = previous.actor
        elif lex._contextual[name] is not None:
            actor = lex._contextual[name]
        else:
            sentence = bisect.bisect_right(breaks, start) - 1
            sentence_start = breaks[sentence] if sentence >= 0 else 0
            near = states.last if states.last and states.last.start >= sentence_start else None
            actor = near.actor if near else states.most_named()
        if actor is not None:
            added.append(_make_mention(actor, name, start, end, name, "institutions"))
    return [m for i, m in enumerate(ordered) if i not in merged] + added


def _in_context(
    text: str, mentions: list[Mention], lex: ActorLexicon, context: str | None
) -> list[Mention]:
    """The context rules of :func:`find_mentions`, applied to the lexicon's matches."""
    exclusions = _Exclusions(text, lex)
    kept = [
        m
        for m in exclusions.drop(mentions)
        if not (
            m.alias_type == "leaders"
            and " " not in m.alias
            and _inside_other_name(text, m.start, lex)
        )
    ]
    kept += _surname_mentions(text, kept, lex, context)
    kept = _institution_mentions(text, kept, lex)
    return exclusions.drop(sorted(kept, key=_ORDER))


def _find_mentions(text: str, lex: ActorLexicon) -> list[Mention]:
    compounds, compound_spans = _compound_mentions(text, lex)
    out: list[Mention] = list(compounds)
    append = out.append
    resolve = lex._resolve
    c_idx = 0
    n_compounds = len(compound_spans)
    lowered = _lower(text)[0]
    found: Iterable[re.Match[str]]
    if len(lowered) != len(text):
        same_length = False
        found = lex._pattern_ci.finditer(text)
    elif lex._pattern_after is None:
        same_length = True
        found = lex._pattern.finditer(lowered)
    else:
        same_length = True
        # A key at the very start, then keys after their left context (see _pattern_after).
        head = lex._pattern.match(lowered)
        found = lex._pattern_after.finditer(lowered, head.end() if head else 0)
        if head is not None:
            found = itertools.chain((head,), found)
    key_group = 1 if same_length else 0  # the key's group in the pattern used
    for m in found:
        start, end = m.span(key_group)
        if n_compounds:
            while c_idx < n_compounds and compound_spans[c_idx][1] <= start:
                c_idx += 1
            if c_idx < n_compounds and compound_spans[c_idx][0] < end:
                continue
        key = m.group(1) if same_length else m.group().lower()
        rule = resolve.get(key)
        if rule is None:
            rule = resolve.get(" ".join(key.split()))
            if rule is None:
                continue
        kind = rule[0]
        if kind == _SIMPLE:
            append(_make_mention(rule[1], text[start:end], start, end, rule[2], rule[3]))
        elif kind == _COMPOUND_WORD:
            surface = text[start:end]
            for actor in rule[1]:
                append(_make_mention(actor, surface, start, end, surface, "compound", True))
        elif kind == _CANDIDATES:
            surface = text[start:end]
            for entry in rule[1]:
                if entry.case_sensitive:
                    if " ".join(surface.split()) != entry.alias:
                        continue
                    if (
                        len(entry.alias) <= 3
                        and start >= 2
                        and text[start - 2].isupper()
                        and _is_headline_context(text, start, end, lex)
                        and not _named_in_headline(text, start, end)
                    ):
                        continue
                append(
                    _make_mention(entry.actor, surface, start, end, entry.alias, entry.alias_type)
                )
                break
    if compound_spans:
        out.sort(key=_ORDER)
    return out


def count_by_actor(mentions: Sequence[Mention]) -> dict[str, int]:
    """Number of mentions per actor, in first-mention order."""
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.actor] = counts.get(m.actor, 0) + 1
    return counts
