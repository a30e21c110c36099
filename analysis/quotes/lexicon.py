"""The speech-cue lexicon: ``analysis/data/speech_verbs.yaml`` read, validated, merged with a
user's file and compiled into patterns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from analysis.errors import LexiconError
from analysis.quotes.records import CueClass, SpeechVerbs
from analysis.resources import load_yaml

DEFAULT_FILE = "speech_verbs.yaml"


_VOWELS = "aeiou"
_WORD_EDGES = re.compile(r"\w(?:.*\w)?", re.DOTALL)  # starts and ends with a word character


def _inflect(lemma: str) -> list[str]:
    """Regular English forms of a verb lemma (first word inflected): base, -s, -ed, -ing."""
    head, _, rest = lemma.partition(" ")
    tail = f" {rest}" if rest else ""
    if head.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = head + "es"
    elif head.endswith("y") and len(head) > 1 and head[-2] not in _VOWELS:
        third = head[:-1] + "ies"
    else:
        third = head + "s"
    if head.endswith("e"):
        past = head + "d"
    elif head.endswith("y") and len(head) > 1 and head[-2] not in _VOWELS:
        past = head[:-1] + "ied"
    else:
        past = head + "ed"
    if head.endswith("ie"):
        ing = head[:-2] + "ying"
    elif head.endswith("e") and not head.endswith("ee"):
        ing = head[:-1] + "ing"
    else:
        ing = head + "ing"
    return [f"{w}{tail}" for w in (head, third, past, ing)]


def _strings(value: Any, source: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(source, f"{where} must be a list of strings")
    return [" ".join(v.split()) for v in value if v.strip()]


def _parse(data: Any, source: str) -> dict[str, Any]:
    """Validate one YAML document and return its parts in a normal form."""
    if not isinstance(data, dict):
        raise LexiconError(source, "expected a mapping with 'classes'")
    classes_raw = data.get("classes") or {}
    if not isinstance(classes_raw, dict):
        raise LexiconError(source, "'classes' must be a mapping of class name to settings")
    classes: dict[str, dict[str, Any]] = {}
    for name, spec in classes_raw.items():
        if not isinstance(spec, dict):
            raise LexiconError(source, f"classes.{name} must be a mapping")
        verbs = spec.get("verbs") or []
        if not isinstance(verbs, list):
            raise LexiconError(source, f"classes.{name}.verbs must be a list")
        entries: list[tuple[str, list[str]]] = []
        for i, entry in enumerate(verbs):
            if isinstance(entry, str):
                entries.append((entry, []))
            elif isinstance(entry, dict) and len(entry) == 1:
                lemma, forms = next(iter(entry.items()))
                entries.append((str(lemma), _strings(forms, source, f"classes.{name}.verbs[{i}]")))
            else:
                raise LexiconError(
                    source, f"classes.{name}.verbs[{i}] must be a verb or 'verb: [forms]'"
                )
        flags = {}
        for flag in (
            "direct",
            "bare_clause",
            "inversion",
            "needs_as",
            "adjective",
            "infinitive",
            "infinitive_only",
            "source_object",
        ):
            value = spec.get(flag, False)
            if not isinstance(value, bool):
                raise LexiconError(source, f"classes.{name}.{flag} must be true or false")
            flags[flag] = value
        classes[str(name)] = {"flags": flags, "verbs": entries}
    pronouns_raw = data.get("pronouns") or {}
    if not isinstance(pronouns_raw, dict) or not all(
        isinstance(v, dict) for v in pronouns_raw.values()
    ):
        raise LexiconError(source, "'pronouns' must map each pronoun to its features")
    titles_raw = data.get("titles") or {}
    if not isinstance(titles_raw, dict):
        raise LexiconError(source, "'titles' must map male/female/neutral to lists")
    return {
        "version": str(data.get("version", "unversioned")),
        "classes": classes,
        "according_to": _strings(data.get("according_to"), source, "according_to"),
        "opinion_nouns": _strings(data.get("opinion_nouns"), source, "opinion_nouns"),
        "pronouns": {str(k).lower(): dict(v) for k, v in pronouns_raw.items()},
        "titles": {str(g): _strings(v, source, f"titles.{g}") for g, v in titles_raw.items()},
        "role_nouns": _strings(data.get("role_nouns"), source, "role_nouns"),
        "group_nouns": _strings(data.get("group_nouns"), source, "group_nouns"),
        "organisation_words": _strings(
            data.get("organisation_words"), source, "organisation_words"
        ),
        "female_names": _strings(data.get("female_names"), source, "female_names"),
        "male_names": _strings(data.get("male_names"), source, "male_names"),
    }


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in base.items()}
    classes = {
        k: {"flags": dict(v["flags"]), "verbs": list(v["verbs"])}
        for k, v in base["classes"].items()
    }
    for name, spec in extra["classes"].items():
        if name in classes:
            classes[name]["verbs"] += spec["verbs"]
        else:
            classes[name] = spec
    out["classes"] = classes
    for key in (
        "according_to",
        "opinion_nouns",
        "role_nouns",
        "group_nouns",
        "organisation_words",
        "female_names",
        "male_names",
    ):
        out[key] = list(dict.fromkeys([*base[key], *extra[key]]))
    out["pronouns"] = {**base["pronouns"], **extra["pronouns"]}
    titles = {g: list(v) for g, v in base["titles"].items()}
    for g, v in extra["titles"].items():
        titles[g] = list(dict.fromkeys([*titles.get(g, []), *v]))
    out["titles"] = titles
    out["version"] = f"{base['version']}; {extra['version']}"
    return out


def _trie(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (lower case; spaces match any whitespace)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = []
        for ch in sorted(k for k in node if k):
            atom = r"\s+" if ch == " " else re.escape(ch)
            branches.append(atom + build(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _compile(parts: dict[str, Any], version: str, sources: tuple[str, ...]) -> SpeechVerbs:
    cues: dict[str, CueClass] = {}
    for name, spec in parts["classes"].items():
        flags = spec["flags"]
        cls = CueClass(
            name,
            flags["direct"],
            flags["bare_clause"],
            flags["inversion"],
            flags["needs_as"],
            flags["adjective"],
            flags["infinitive"],
            flags["infinitive_only"],
            flags["source_object"],
        )
        for lemma, forms in spec["verbs"]:
            lemma = " ".join(lemma.lower().split())
            if flags["adjective"]:
                all_forms = [lemma]
            else:
                all_forms = forms or _inflect(lemma)
                all_forms = [" ".join(f.lower().split()) for f in all_forms]
            for form in all_forms:
                cues.setdefault(form, cls)
    according = CueClass("according_to", True, True, False, False, False)
    for phrase in parts["according_to"]:
        cues.setdefault(phrase.lower(), according)
    titles: dict[str, str | None] = {}
    for gender, words in parts["titles"].items():
        for w in words:
            titles[w.rstrip(".")] = gender if gender in ("male", "female") else None
    given = {n: "female" for n in parts["female_names"]}
    given.update({n: "male" for n in parts["male_names"]})
    forms = set(cues)
    forms |= {f[0].upper() + f[1:] for f in cues}
    body = _trie(sorted(forms))
    pattern = re.compile(r"\b(?:" + body + r")\b")
    # The cues after a non-word character, as group 1: the matches of ``pattern`` after the
    # text's first character when every form starts and ends with a word character (see
    # _find_cues); a pattern that starts with a character class lets the regex engine skip
    # from one non-word character to the next instead of trying every position
    edges_ok = bool(forms) and all(_WORD_EDGES.fullmatch(f) for f in forms)
    scan = re.compile(r"\W(" + body + r")\b") if edges_ok else None
    nouns = "|".join(re.escape(n) for n in sorted(parts["opinion_nouns"], key=len, reverse=True))
    # "[Ii]n" before the look-behind (the same matches as "(?<![\w’'])[Ii]n"): a pattern that
    # starts with a character class lets the regex engine skip to candidate letters, and the
    # look-behind runs only after "in", not after every "i"
    opinion = re.compile(
        r"[Ii]n(?<![\w’']..)\s+(?P<poss>his|her|their|its|"
        r"[A-Z][\w.\-]{0,40}(?:\s+[A-Z][\w.\-]{0,40}){0,3}[’']s?)\s+(?:own\s+)?"
        rf"(?:{nouns or 'opinion'})\b"
    )
    return SpeechVerbs(
        version=version,
        sources=sources,
        cues=cues,
        according_to=frozenset(p.lower() for p in parts["according_to"]),
        opinion_nouns=frozenset(n.lower() for n in parts["opinion_nouns"]),
        pronouns=parts["pronouns"],
        titles=titles,
        role_nouns=frozenset(w.lower() for w in parts["role_nouns"]),
        group_nouns=frozenset(w.lower() for w in parts["group_nouns"]),
        organisation_words=frozenset(parts["organisation_words"]),
        given_names=given,
        _pattern=pattern,
        _opinion=opinion,
        _scan=scan,
    )


def load_speech_verbs(
    path: str | Path | None = None, *, mode: Literal["extend", "replace"] = "extend"
) -> SpeechVerbs:
    """Load the speech-cue lexicon.

    Args:
        path: A user's YAML file with the layout of ``analysis/data/speech_verbs.yaml``, or None
            for the packaged default.
        mode: ``"extend"`` merges the user's lists into the default; ``"replace"`` uses the
            user's file alone.

    Returns:
        The compiled lexicon.

    Raises:
        LexiconError: A missing or malformed file (names the file and, for YAML errors, the
            line).
        ValueError: ``mode`` is neither "extend" nor "replace".
    """
    if mode not in ("extend", "replace"):
        raise ValueError(f"mode must be 'extend' or 'replace', not {mode!r}")
    if path is None:
        return default_speech_verbs()
    data, source, digest = load_yaml(path, DEFAULT_FILE)
    parts = _parse(data, source)
    if mode == "replace":
        return _compile(parts, f"{parts['version']}+{digest}", (source,))
    base_data, base_source, base_digest = load_yaml(None, DEFAULT_FILE)
    base = _parse(base_data, base_source)
    merged = _merge(base, parts)
    version = f"{base['version']}+{base_digest}; {parts['version']}+{digest}"
    return _compile(merged, version, (base_source, source))


@lru_cache(maxsize=1)
def default_speech_verbs() -> SpeechVerbs:
    """The packaged speech-cue lexicon (compiled once per process)."""
    data, source, digest = load_yaml(None, DEFAULT_FILE)
    parts = _parse(data, source)
    return _compile(parts, f"{parts['version']}+{digest}", (source,))
